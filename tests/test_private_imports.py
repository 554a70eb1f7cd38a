"""A module of a ``jobs/`` sub-package imports no private name (``_x``) of a module outside
its package: what two packages share has a public home (``creates.py`` read
``import_rows._DELETED_NOTE``; now ``import_items.DELETED_LINK_NOTE``)."""

from __future__ import annotations

import ast
from pathlib import Path

JOBS = Path(__file__).resolve().parents[1] / "jobs"
# left to its owner's area (jobs/dedupe): the merge job's read of a merge answer's shape
KNOWN = {("dedupe/merge_job.py", "merging", "_merged")}


def test_no_private_name_crosses_a_package() -> None:
    """Every ``from ..x import _name`` under jobs/ (a name of another package) is listed."""
    found = set()
    for path in sorted(JOBS.rglob("*.py")):
        rel = path.relative_to(JOBS).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.add((rel, node.module or "", alias.name))
    assert found <= KNOWN, sorted(found - KNOWN)
