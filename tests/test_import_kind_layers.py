"""The import kind imports downward only, imports inside functions counted (issue 8: "no
import cycle"): rows / resolve → load (``jobs.import_load``) → job (``jobs.importing``),
never back up, and what other kinds borrow from it lies below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# module -> the modules (and their submodules) it must never import, at any depth of its code
BELOW: dict[str, tuple[str, ...]] = {
    # the row planner sits under the resolver: the person keys both use lie below both
    # (``jobs.contact_keys``; f29c left: import_rows imported them from import_resolve)
    "jobs.import_rows": ("jobs.import_resolve", "jobs.importing", "jobs.import_load"),
    # resolve sits under the job: what both use lives below both (``jobs.clock_skew``)
    "jobs.import_resolve": ("jobs.importing", "jobs.import_load"),
    # the update kind borrows from the import only what lies below both
    "jobs.prepared": ("jobs.importing", "jobs.import_load"),
    "jobs.patch_job": ("jobs.importing", "jobs.import_load"),
    # the load sits under the job (which imports it) and the façades that run it
    "jobs.import_load": ("jobs.importing", "jobs.api", "jobs.resuming"),
    # what the load leaves for the job lies below both
    "jobs.import_store": ("jobs.importing", "jobs.import_load"),
    # so does undo
    "jobs.undo.targets": ("jobs.importing", "jobs.import_load"),
    "jobs.undo.carriers": ("jobs.importing", "jobs.import_load"),
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in (ROOT / "jobs").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, int]]:
    """Every module ``name`` imports (top level or inside a function), with its line."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.append((sub if sub in modules else base, node.lineno))
    return out


@pytest.mark.parametrize("module", sorted(BELOW))
def test_no_import_reaches_up(module: str) -> None:
    """``module`` imports none of the modules above it, not even inside a function."""
    modules = _modules()
    above = BELOW[module]
    up = [f"line {line}: {target}" for target, line in _imports(module, modules[module], modules)
          if any(target == a or target.startswith(a + ".") for a in above)]
    assert up == []


# No module of jobs/ is in an import cycle: tests/test_import_cycles.py (jobs among its
# packages) checks every one, the import kind's included.
