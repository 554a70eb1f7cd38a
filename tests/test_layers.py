"""The layers import downwards only: bulk/ (the engine) never imports jobs/ or pdbulk/,
and jobs/ (the job kinds) never imports pdbulk/ (the command line)."""

from __future__ import annotations

import ast
import functools
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def _tree(path: Path) -> ast.Module:
    """``path`` parsed once per process: several checks walk every module's tree, and none
    changes it (a third of this file's time was parsing the same files again)."""
    return ast.parse(path.read_text("utf-8"))

# Imports every module of a package (``__main__`` modules run a program when imported:
# skipped) in a fresh interpreter and prints which top-level packages got loaded.
_PROBE = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
names = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
         if m.name.rsplit(".", 1)[-1] != "__main__"]
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": names,
                  "loaded": sorted({n.split(".")[0] for n in sys.modules})}))
"""


def _probe(package: str) -> dict[str, list[str]]:
    done = subprocess.run([sys.executable, "-c", _PROBE, package], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = orjson.loads(done.stdout)
    return result


@pytest.mark.parametrize(("package", "above"), [("bulk", {"jobs", "pdbulk"}),
                                                 ("jobs", {"pdbulk"})])
def test_no_module_imports_a_layer_above(package: str, above: set[str]) -> None:
    """Importing every module of a layer loads no module of the layers above it."""
    result = _probe(package)
    assert len(result["modules"]) > 10  # the walk did find the package's modules
    loaded_above = above & set(result["loaded"])
    assert loaded_above == set()


def _imports_anywhere(path: Path, name: str) -> set[str]:
    """The top-level package of every module ``path`` may import: at load, in a function
    body (a lazy import) or under ``if TYPE_CHECKING:`` alike; relative imports resolved."""

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.add(package.split(".")[0])  # a relative import stays in its package
            elif node.module:
                found.add(node.module.split(".")[0])
        elif (isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute))
              and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
              == "import_module" and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            found.add(node.args[0].value.split(".")[0])
    return found


@pytest.mark.parametrize(("package", "above"), [("bulk", {"jobs", "pdbulk"}),
                                                 ("jobs", {"pdbulk"})])
def test_no_module_names_a_layer_above_even_lazily(package: str, above: set[str]) -> None:
    """The probe above loads each module, so it misses an import in a function body (run
    later, at a call) and the ``__main__`` modules it cannot import; read from the source,
    no module of a layer — those included — imports a layer above it (f31e: the probe
    alone let ``def f(): from jobs import x`` in bulk/ pass)."""
    modules = sorted((ROOT / package).rglob("*.py"))
    assert package != "bulk" or any(p.name == "__main__.py" for p in modules)  # read too
    names = {str(p.relative_to(ROOT).with_suffix("")).replace("/", "."): p for p in modules}
    crossing = {name: sorted(found & above) for name, path in names.items()
                if (found := _imports_anywhere(path, name)) & above}
    assert crossing == {}


# words of what a job means (jobs/), never of the engine's code: its names and strings
_DEAL_WORDS = re.compile(r"deal|person|organi[sz]ation|\borg_|stage", re.IGNORECASE)
# strings of bulk/ that may hold such a word, each with why
_ENGINE_WORDS_ALLOWED = {
    "bulk/json_paths.py": "an example path of a HubSpot export in a message (properties.dealname)",
}


def _code_words(path: Path) -> Iterator[tuple[int, str]]:
    """Each name (function, class, argument, variable, attribute) and each string that is
    not a docstring in ``path``, with its line."""

    tree = _tree(path)
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield node.lineno, node.id
        elif isinstance(node, ast.Attribute):
            yield node.lineno, node.attr
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.lineno, node.name
        elif isinstance(node, ast.arg):
            yield node.lineno, node.arg
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) not in docs):
            yield node.lineno, node.value


def test_the_engine_names_no_deal_semantics() -> None:
    """bulk/ (the engine) knows no deals, persons, organizations or stages: none of its
    names or strings says one (its docstrings may, to say what it never does; the sandbox,
    a fake Pipedrive, and the generated operations are the API's own words). f31e: the
    claims' wait line listed "deal, person, organization or field"."""
    found = [f"{p.relative_to(ROOT)}:{line}: {word[:60]!r}"
             for p in sorted((ROOT / "bulk").rglob("*.py"))
             if "sandbox" not in p.parts and p.name != "operations_data.py"
             and str(p.relative_to(ROOT)) not in _ENGINE_WORDS_ALLOWED
             for line, word in _code_words(p) if _DEAL_WORDS.search(word)]
    assert found == []


def test_split_modules_keep_their_old_names() -> None:
    """Issue 8 split bulk/runner.py (into calls, retry, ledger) and jobs/importing.py (into a
    package): every name importable from the old places still is, as the same object."""
    import bulk.calls
    import bulk.errors
    import bulk.retry
    import bulk.runner
    import jobs.importing
    import jobs.importing.base
    import jobs.importing.job
    import jobs.importing.resume

    assert set(bulk.runner.__all__) == {"BATCH", "CallContext", "InDoubt", "JobKind", "RetryPolicy",
                                        "RunResult", "RunStats", "Runner", "Stopped",
                                        "recheck_batch"}
    assert bulk.runner.CallContext is bulk.calls.CallContext
    assert bulk.runner.RetryPolicy is bulk.retry.RetryPolicy
    assert bulk.runner.InDoubt is bulk.errors.InDoubt
    assert bulk.runner.Stopped is bulk.errors.Stopped
    assert issubclass(bulk.runner.Runner, bulk.calls.CallPath)
    before = {"CLAIM_WAIT", "META_KEY_CODE", "META_LOADED", "META_MARKS", "META_SHA",
              "RECONCILE_MARGIN", "ImportJob", "MappingUnusable", "claim_name", "recheck_reads"}
    assert before <= set(jobs.importing.__all__)
    assert jobs.importing.ImportJob is jobs.importing.job.ImportJob
    assert jobs.importing.claim_name is jobs.importing.base.claim_name
    assert jobs.importing.recheck_reads is jobs.importing.resume.recheck_reads
    assert all(getattr(jobs.importing, name) is not None for name in before)


LONG = 500  # issue 8: "no module over ~500 lines without a reason stated in its docstring"


def _long_modules() -> list[Path]:
    files = [p for package in ("bulk", "jobs", "pdbulk") for p in (ROOT / package).rglob("*.py")]
    return sorted(p for p in files if len(p.read_text(encoding="utf-8").splitlines()) > LONG)


def test_a_long_module_says_why_in_its_docstring() -> None:
    """Every module of more than 500 lines has a paragraph starting "Why" that names its
    size ("Why ~540 lines: ..."), so a reader knows the length was chosen — the size it
    has, within a quarter (x28r1 7: import_load said ~540 and had 1,251)."""
    import re

    long = _long_modules()
    assert long  # the walk found the long ones (a rename of a package would hide them)
    unexplained, stale = [], []
    for p in long:
        text = p.read_text("utf-8")
        said = re.search(r"^Why\b[^\n]*?~(\d+) lines", ast.get_docstring(_tree(p)) or "",
                         re.MULTILINE)
        if said is None:
            unexplained.append(str(p.relative_to(ROOT)))
        elif abs(int(said.group(1)) - (n := len(text.splitlines()))) > n / 4:
            stale.append(f"{p.relative_to(ROOT)}: says ~{said.group(1)}, has {n}")
    assert unexplained == []
    assert stale == []


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports_at_load(path: Path, name: str, known: set[str]) -> set[str]:
    """The project modules ``path`` imports when it is loaded: module-level imports,
    ``if`` and ``try`` bodies included, ``if TYPE_CHECKING:`` and function bodies not."""

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If):
                if "TYPE_CHECKING" not in ast.unparse(node.test):
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                visit(node.orelse)
                visit(node.finalbody)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*up, base] if base else up)
                if node.module is not None:
                    found.add(base)  # `from . import x` loads x, its package is the parent's
                found.update(f"{base}.{alias.name}" for alias in node.names)

    visit(_tree(path).body)
    return {m for m in found if m in known and m != name and not name.startswith(m + ".")}


def test_no_import_cycle_inside_the_packages() -> None:
    """No module of bulk/, jobs/ or pdbulk/ imports, at load, a module that imports it back
    (directly or through others): every module can be read knowing only those below it."""
    paths = {_module_name(p): p for package in ("bulk", "jobs", "pdbulk")
             for p in (ROOT / package).rglob("*.py")}
    graph = {name: _imports_at_load(path, name, set(paths)) for name, path in paths.items()}
    assert sum(map(len, graph.values())) > 100  # the walk did see the imports

    cycles: list[list[str]] = []
    done: set[str] = set()

    def walk(name: str, trail: list[str]) -> None:
        if name in trail:
            cycles.append([*trail[trail.index(name):], name])
            return
        if name in done:
            return
        for nxt in sorted(graph[name]):
            walk(nxt, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        walk(name, [])
    assert cycles == []


def test_the_command_line_starts_without_the_http_client() -> None:
    """``pdbulk --help`` / ``status`` / ``jobs`` never send a request: the command line's
    modules load without aiohttp (its import builds TLS contexts, ~0.3-0.5 s of CPU), and the
    transport loads it at its first request."""
    probe = ("import sys, pdbulk.cli, bulk.transport\n"
             "print(sorted(n for n in sys.modules if n.split('.')[0] == 'aiohttp'))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(("imports", "absent"), [
    ("pdbulk.cli", "{'jobs', 'pydantic', 'email_validator'}"),
    # `status` and `jobs` read jobs.results (result files missing?) and an import's runs
    # (jobs.import_store): no value parser
    ("pdbulk.cli, jobs.results, jobs.import_store", "{'jobs.transforms', 'pydantic', 'email_validator'}")])
def test_the_command_line_starts_without_the_job_kinds(imports: str, absent: str) -> None:
    """``pdbulk --help`` / ``jobs`` / ``status`` load no job kind: each command imports its
    own ``jobs`` modules when it runs (issue 8: every ``pdbulk`` start loaded them all, the
    mapping's pydantic and email-validator among them, ~0.25 CPU-s of a ~0.7-s start)."""
    probe = (f"import sys, {imports}\n"
             "print(sorted({n.rsplit('.', 1)[0] if n.startswith('jobs.transforms.') else\n"
             "              n if n.startswith('jobs.') else n.split('.')[0]\n"
             f"              for n in sys.modules}} & {absent}))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
