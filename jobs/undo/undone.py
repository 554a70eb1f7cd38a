"""Whether a job is undone already, wholly: then a new undo of it has nothing to do.

``pdbulk undo JOB`` of a job an earlier undo put back wholly made a new, empty undo job
each time (x43r4 F6: a job folder, its result files and a read of every deal, 10 tokens a
100, for ``undone: 0 deals; skipped 2 (unchanged 2)``). Judged from the undos' stores
alone (no call): the latest undo finished with every row put back or found as before the
job (``unchanged``, ``already deleted`` / ``already gone``), none failed (a conflict is
a failed row: ``--force`` may still put it back), none restored in part (a colleague's
change kept), none pending or in doubt. An undo that is unfinished is refused as before
(``targets.check_source``: resume it); one that left rows is not "wholly": a new undo
puts back the rest.
"""

from __future__ import annotations

from pathlib import Path

from bulk.errors import StoreError
from bulk.store import ItemState, JobStore

from .targets import RESTORED_IN_PART, _undone_by, _undos, unfinished_undo

# what a skipped row of an undo says when nothing is left of the job on its record
SETTLED = frozenset({"unchanged", "already deleted", "already gone"})
_CONTACT_OPS = frozenset({"delete-person", "delete-org"})


def nothing_to_undo(source: JobStore, *, contacts: bool = False) -> str | None:
    """``nothing to undo: job X was undone by job Y (N deal(s) put back)`` when the latest
    undo of ``source`` left nothing of it to undo (the module docstring), else None.
    ``contacts``: the new undo is asked to delete an import's persons and organizations
    too, so an earlier undo that deleted none leaves that to do. Raises nothing: an undo
    whose store cannot be read is no proof (None)."""
    undos = _undos(source)
    if not undos or unfinished_undo(source) is not None:
        return None
    try:
        with JobStore.open(Path(str(undos[-1].get("directory"))), lock=False) as last:
            if last.status != "finished":
                return None
            counts = last.counts()
            if counts[ItemState.PENDING] or counts[ItemState.SENDING] or \
                    counts[ItemState.FAILED]:
                return None
            items = list(last.items())
    except (StoreError, OSError):
        return None
    for item in items:
        action = (item.result or item.payload.get("result") or {}).get("action")
        if item.state is ItemState.SKIPPED and action not in SETTLED:
            return None
        if item.state is ItemState.DONE and action == RESTORED_IN_PART:
            return None
    if contacts and source.kind == "import" and not any(i.op in _CONTACT_OPS for i in items):
        return None
    return f"nothing to undo: job {source.job_id} was undone by {_undone_by(source)}"


__all__ = ["SETTLED", "nothing_to_undo"]
