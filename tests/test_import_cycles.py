"""No import cycle inside bulk/ or pdbulk/, counting the imports inside functions (issue 8):
a deferred import is still a dependency, so a module that imports another in a function
while that one imports it back (at load or in a function) is a cycle all the same.

The graph is read with ``ast``, nothing imported: every ``import`` / ``from … import``
anywhere in a module — module level, ``if`` / ``try`` bodies, functions, methods — except
under ``if TYPE_CHECKING:`` (annotations only: never run). ``from pkg import name`` is an
edge to ``pkg.name`` when that is a module of the project, else to ``pkg``; the parent
packages Python imports on the way are not counted. Imports of other distributions
(openpyxl, redis, aiohttp: deferred for start-up time) are no edge: only project modules
are. jobs/ is left out of the cycle check until its own cycles are broken;
tests/test_layers.py checks the load-time graph of all three packages."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bulk", "jobs", "pdbulk")
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


@functools.cache
def _tree(path: Path) -> ast.Module:
    """``path`` parsed once per process: the graph is built by four tests and every module
    is walked again by four more; no walk changes the tree."""
    return ast.parse(path.read_text("utf-8"))


def _type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path, name: str, known: set[str], *,
             type_checking: bool = False) -> dict[str, bool]:
    """What module ``name`` (file ``path``) imports: target → whether every import of it is
    inside a function. Targets are modules of ``known`` where ``from pkg import x`` names one,
    else the module as written. ``type_checking``: count ``if TYPE_CHECKING:`` blocks too."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, bool] = {}

    def add(target: str, deferred: bool) -> None:
        if target != name:
            found[target] = found.get(target, True) and deferred

    def visit(node: ast.AST, deferred: bool) -> None:
        if isinstance(node, ast.If) and _type_checking(node.test) and not type_checking:
            for child in node.orelse:  # the else branch does run
                visit(child, deferred)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, deferred)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                up = parts[:len(parts) - (node.level - 1)]
                base = ".".join([*up, base] if base else up)
            for alias in node.names:
                add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base, deferred)
        deferred = deferred or isinstance(node, FUNCTIONS)
        for child in ast.iter_child_nodes(node):
            visit(child, deferred)

    visit(_tree(path), False)
    return found


@functools.cache
def _graph() -> dict[str, dict[str, bool]]:
    """Every project module → the project modules it imports (→ only in functions). Built
    once per process (four tests read it, none changes it)."""
    paths = _modules()
    known = set(paths)
    return {name: {t: d for t, d in _imports(path, name, known).items() if t in known}
            for name, path in paths.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def enter(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)

    for root in sorted(graph):
        if root in index:
            continue
        enter(root)
        work = [(root, iter(sorted(graph[root])))]
        while work:
            node, todo = work[-1]
            nxt = next(todo, None)
            if nxt is not None:
                if nxt not in index:
                    enter(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while not component or component[-1] != node:
                    component.append(stack.pop())
                    on_stack.discard(component[-1])
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _described(cycle: list[str], graph: dict[str, dict[str, bool]]) -> str:
    """A cycle's modules and its edges, the ones made only in functions marked."""
    edges = [f"    {a} -> {b}" + (" (in a function)" if graph[a][b] else "")
             for a in cycle for b in sorted(set(graph[a]) & set(cycle))]
    return f"  {len(cycle)} modules: {', '.join(cycle)}\n" + "\n".join(edges)


def _inside(package: str) -> dict[str, dict[str, bool]]:
    def ours(module: str) -> bool:
        return module == package or module.startswith(package + ".")

    return {name: {t: d for t, d in targets.items() if ours(t)}
            for name, targets in _graph().items() if ours(name)}


def test_the_graph_sees_every_kind_of_import() -> None:
    """The walk sees imports at load and in functions, and skips TYPE_CHECKING's."""
    graph = _graph()
    assert sum(map(len, graph.values())) > 300
    assert graph["bulk.client"]["bulk.errors"] is False  # at load
    assert graph["pdbulk.entry"]["pdbulk.cli"] is True  # in main(), after the signal handlers
    assert "bulk.runner" not in graph["bulk.calls"]  # under TYPE_CHECKING only
    assert "bulk.sandbox" not in graph["bulk.sandbox.app"]  # a parent package is no edge
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("package", ["bulk", "jobs", "pdbulk"])
def test_no_import_cycle_inside_the_package(package: str) -> None:
    """No module of the package imports (at load or in a function) one that imports it
    back, directly or through others of the package."""
    graph = _inside(package)
    assert len(graph) > 5
    cycles = _cycles({name: set(targets) for name, targets in graph.items()})
    assert cycles == [], f"{len(cycles)} import cycle(s) in {package}/:\n" + "\n".join(
        _described(c, graph) for c in cycles)


def test_the_engine_imports_no_layer_above() -> None:
    """No module of bulk/ imports jobs/ or pdbulk/, not even in a function or for
    annotations (tests/test_layers.py sees only what loading the modules loads)."""
    paths = _modules()
    known = set(paths)
    above = sorted(f"{name} -> {target}" for name, path in paths.items()
                   if name.split(".")[0] == "bulk"
                   for target in _imports(path, name, known, type_checking=True)
                   if target.split(".")[0] in ("jobs", "pdbulk"))
    assert len([name for name in paths if name.split(".")[0] == "bulk"]) > 50
    assert above == []


@pytest.mark.parametrize("package", ["bulk", "jobs", "pdbulk"])
def test_no_import_hidden_from_the_graph(package: str) -> None:
    """No module of the package imports by a string (``importlib.import_module``,
    ``__import__``): such an import is a dependency the graph above cannot see."""
    hidden = sorted(f"{name}:{node.lineno}" for name, path in _modules().items()
                    if name.split(".")[0] == package
                    for node in ast.walk(_tree(path))
                    if isinstance(node, ast.Call) and (
                        (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                        or (isinstance(node.func, ast.Name)
                            and node.func.id in ("import_module", "__import__"))))
    assert hidden == []
