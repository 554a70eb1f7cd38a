"""The job kinds: each a small module on top of the engine (bulk/).

A job kind turns its input into store items, executes one item through
``CallContext.call`` and reconciles items a crash left in doubt. It never
builds a URL and never sleeps.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bulk.runner import JobKind
    from bulk.store import JobStore

# store.kind -> "module:Class". A class may define ``from_store(store)`` to rebuild
# itself from what the job stored (config, meta); otherwise it is built without arguments.
KINDS: dict[str, str] = {
    "touch": "jobs.touch:TouchJob",
    "import": "jobs.importing:ImportJob",
    "update": "jobs.updating:UpdateJob",
    "move-stage": "jobs.stages:MoveStageJob",
    "merge": "jobs.merging:MergeJob",
    "undo": "jobs.undo:UndoJob",
    "dedupe": "jobs.dedupe.merge_job:DedupeJob",
}


def kind_for(store: JobStore) -> JobKind:
    """The job kind that runs a stored job (for resume / retry)."""
    try:
        module_name, _, class_name = KINDS[store.kind].partition(":")
    except KeyError:
        raise ValueError(f"unknown job kind {store.kind!r}") from None
    cls = getattr(importlib.import_module(module_name), class_name)
    from_store = getattr(cls, "from_store", None)
    kind: JobKind = from_store(store) if from_store else cls()
    return kind


__all__ = ["KINDS", "kind_for"]
