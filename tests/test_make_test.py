"""`make test` runs each pytest pass with compiled modules kept in build/pycache, even
where PYTHONDONTWRITEBYTECODE is set (f38f): without them every xdist worker, the timing
pass and every ``pdbulk`` process a test starts compiles the test modules / the package
again (collecting the suite: 20 s of CPU a process, 4 s with them)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
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
