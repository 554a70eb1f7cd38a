"""`make test` runs each pytest pass with compiled modules kept in build/pycache, even
where PYTHONDONTWRITEBYTECODE is set (f38f): without them every xdist worker, the timing
pass and every ``pdbulk`` process a test starts compiles the test modules / the package
again (collecting the suite: 20 s of CPU a process, 4 s with them). Its set-up compiles
nothing the passes would not read (issue 8)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_every_pytest_pass_of_make_test_keeps_bytecode_in_build() -> None:
    """Each ``-m pytest`` command ``make test`` would run (a dry run, the venv taken as
    made) unsets PYTHONDONTWRITEBYTECODE and points PYTHONPYCACHEPREFIX at build/pycache
    (ignored by git, removed by ``make clean``)."""
    if shutil.which("make") is None:
        pytest.skip("no make here (`make test` itself needs it)")
    dry = subprocess.run(["make", "-n", "-o", ".venv/.installed", "test"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    passes = [shlex.split(line) for line in dry.splitlines() if "-m pytest" in line]
    assert len(passes) == 2, dry
    for words in passes:
        assert words[:3] == ["env", "-u", "PYTHONDONTWRITEBYTECODE"], words
        assert f"PYTHONPYCACHEPREFIX={ROOT / 'build' / 'pycache'}" in words, words
    assert "build/" in (ROOT / ".gitignore").read_text().splitlines()


def test_the_set_up_compiles_nothing_the_passes_do_not_read() -> None:
    """The venv's set-up (a dry run of ``.venv/.installed``) installs the project and its
    dependencies with ``--no-compile``: the passes read compiled modules from build/pycache
    only (a process under PYTHONPYCACHEPREFIX looks nowhere else), so the __pycache__ pip
    would compile for every dependency is never read (the install: 17.6 -> 9.4 CPU s)."""
    if shutil.which("make") is None:
        pytest.skip("no make here (`make test` itself needs it)")
    dry = subprocess.run(["make", "-n", "-B", ".venv/.installed"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    installs = [shlex.split(line) for line in dry.splitlines()
                if "pip install" in line and "-e" in shlex.split(line)]
    assert len(installs) == 1, dry
    assert "--no-compile" in installs[0], installs[0]
    prefix = ROOT / "build" / "pycache"
    where = subprocess.run(
        [sys.executable, "-c", "import importlib.util, json; "
         "print(importlib.util.cache_from_source(json.__file__))"],
        env={**os.environ, "PYTHONPYCACHEPREFIX": str(prefix)}, capture_output=True,
        text=True, timeout=60, check=True).stdout.strip()
    assert Path(where).is_relative_to(prefix), where


def _marked_timing(obj: object) -> bool:
    """Whether ``obj`` (a module, class or test function) carries the timing mark,
    itself or on one of its parametrize cases."""
    marks = getattr(obj, "pytestmark", [])
    for mark in marks if isinstance(marks, list) else [marks]:
        if mark.name == "timing":
            return True
        if mark.name == "parametrize" and len(mark.args) > 1:
            for case in mark.args[1]:
                if any(m.name == "timing" for m in getattr(case, "marks", ())):
                    return True
    return False


def test_the_timing_pass_collects_every_file_with_a_timing_test() -> None:
    """``make test``'s serial pass names the files that hold timing tests (collecting the
    whole suite cost it 5.5 CPU s, these files 2 s): exactly the test modules with a test,
    a class or the module marked ``timing`` (as imported here: a timing test the Makefile's
    search missed would never run)."""
    import importlib

    if shutil.which("make") is None:
        pytest.skip("no make here (`make test` itself needs it)")
    dry = subprocess.run(["make", "-n", "-o", ".venv/.installed", "test"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    timing = [shlex.split(line) for line in dry.splitlines()
              if "-m pytest" in line and "not timing" not in line]
    assert len(timing) == 1, dry
    words = timing[0]
    named = sorted(w for w in words[words.index("timing") + 1:] if w.endswith(".py"))
    held = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        module = sys.modules.get(path.stem)  # as this process's collection imported it
        if module is None or Path(getattr(module, "__file__", "")) != path:
            module = importlib.import_module(f"tests.{path.stem}")
        objs = [module, *(o for n, o in vars(module).items() if n.startswith(("test", "Test")))]
        objs += [m for o in objs if isinstance(o, type) for n, m in vars(o).items()
                 if n.startswith("test")]
        if any(_marked_timing(o) for o in objs):
            held.append(f"tests/{path.name}")
    assert held and named == held, (named, held)
