"""The job registry: which job kind runs a stored job (``store.kind``), for the library's
``run_job`` / ``plan_job`` (``jobs.api``), a resume or retry (``jobs.resuming``) and the
``jobs`` package. It sits above every kind it names and below the modules that dispatch
to them: no job kind imports it. A kind's module is imported when that kind is first
looked up (``kind_class``), so that rebuilding one job does not load every kind (the
CLI's start-up)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bulk.runner import JobKind
    from bulk.store import JobStore

# store.kind -> "module:Class" (what ``kind_class`` returns for it). A class may define
# ``from_store(store)`` to rebuild itself from what the job stored (config, meta);
# otherwise it is built without arguments.
KINDS: dict[str, str] = {
    "touch": "jobs.touch:TouchJob",
    "import": "jobs.importing:ImportJob",
    "update": "jobs.updating:UpdateJob",
    "move-stage": "jobs.stages:MoveStageJob",
    "merge": "jobs.merging:MergeJob",
    "undo": "jobs.undo:UndoJob",
    "dedupe": "jobs.dedupe.merge_job:DedupeJob",
}


def kind_class(kind: str) -> type[Any]:
    """The class of the job kind named ``kind`` (a key of ``KINDS``, as ``store.kind``
    holds it), its module imported now. Raises ``ValueError`` for a kind no module here
    runs."""
    if kind == "touch":
        from .touch import TouchJob
        return TouchJob
    if kind == "import":
        from .importing import ImportJob
        return ImportJob
    if kind == "update":
        from .updating import UpdateJob
        return UpdateJob
    if kind == "move-stage":
        from .stages import MoveStageJob
        return MoveStageJob
    if kind == "merge":
        from .merging import MergeJob
        return MergeJob
    if kind == "undo":
        from .undo import UndoJob
        return UndoJob
    if kind == "dedupe":
        from .dedupe.merge_job import DedupeJob
        return DedupeJob
    raise ValueError(f"unknown job kind {kind!r}")


def kind_for(store: JobStore) -> JobKind:
    """The job kind that runs a stored job (for resume / retry), rebuilt from what the
    store keeps (its kind, config and meta). Raises ``ValueError`` for a store of a kind
    no module here runs (``KINDS``), and what the kind's ``from_store`` raises for a
    store it cannot rebuild from (``InputError``, ``StoreError``)."""
    from bulk.store import JobStore

    from .setting_checks import instance
    instance("kind_for", "store", store, JobStore, "an open bulk.JobStore")
    cls = kind_class(store.kind)
    from_store = getattr(cls, "from_store", None)
    kind: JobKind = from_store(store) if from_store else cls()
    return kind


__all__ = ["KINDS", "kind_class", "kind_for"]
