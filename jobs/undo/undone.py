"""Whether a job is undone already, wholly: then a new undo of it has nothing to do.

``pdbulk undo JOB`` of a job an earlier undo put back wholly made a new, empty undo job
each time (x43r4 F6: a job folder, its result files and a read of every deal, 10 tokens a
100, for ``undone: 0 deals; skipped 2 (unchanged 2)``). Judged from the undos' stores
alone (no call): the latest undo finished with every row put back or found as before the
job (``unchanged``, ``already deleted`` / ``already gone``), none failed but as a
conflict whose deal holds nothing the job wrote, none pending or in doubt; a row restored
in part (a colleague's change kept) or a conflict changed since the job in all it wrote
holds nothing of the job either, unless the new undo is ``--force``, which puts back over
that change (x44r6 F4: each further undo made a job that did nothing, 35-40 tokens). An
undo that is unfinished is refused as before (``targets.check_source``: resume it); one
that left rows is not "wholly": a new undo puts back the rest.
"""

from __future__ import annotations

from pathlib import Path

from bulk.errors import StoreError
from bulk.store import Item, ItemState, JobStore

from .targets import RESTORED_IN_PART, _undone_by, _undos, unfinished_undo

# what a skipped row of an undo says when nothing is left of the job on its record
SETTLED = frozenset({"unchanged", "already deleted", "already gone"})
_CONTACT_OPS = frozenset({"delete-person", "delete-org"})
# a conflict row whose deal holds nothing the job wrote (``plan._restore_held``'s words):
# a write in flight at a stop whose deal shows none of it, left alone even with --force;
# a deal changed since the job in every group it wrote (none "still as the job wrote"),
# which only --force puts back (over the change)
_HOLDS_NOTHING = "holds nothing it wrote now"
_CHANGED = "changed since the job wrote it"
_STILL_WRITTEN = "still as the job wrote"


def _holds_nothing(item: Item, action: object, force: bool) -> bool | None:
    """Whether a row of an undo that finished proves its deal holds nothing of the job
    (x44r6 F4): True (said as such), False (nothing to do for it either: settled), None
    (something may be left to undo)."""
    error = str(item.error or "")
    if item.state is ItemState.FAILED:  # (a failed row keeps its reason, not its action)
        conflict = error.startswith("conflict: ")
        if conflict and _HOLDS_NOTHING in error:
            return True
        if not force and conflict and _CHANGED in error and _STILL_WRITTEN not in error:
            return True
        return None
    if item.state is ItemState.SKIPPED:
        return False if action in SETTLED else None
    if item.state is ItemState.DONE and action == RESTORED_IN_PART:
        # what it kept was a colleague's change, never the job's: --force alone puts it back
        return None if force else True
    return False if item.state is ItemState.DONE else None


def nothing_to_undo(source: JobStore, *, contacts: bool = False,
                    force: bool = False) -> str | None:
    """``nothing to undo: job X was undone by job Y (N deal(s) put back)`` when the latest
    undo of ``source`` left nothing of it to undo (the module docstring), else None; with
    ``; N row(s) hold nothing of the job now …`` where rows of that undo were left as
    conflicts whose deal holds nothing the job wrote, or were restored in part (x44r6 F4:
    each further undo made a job that did nothing, 35-40 tokens, exit 3). ``force``: the
    new undo puts back over a colleague's change, so such rows are left to it (a write in
    flight that the deal shows none of stays left alone). ``contacts``: the new undo is
    asked to delete an import's persons and organizations too, so an earlier undo that
    deleted none leaves that to do. Raises nothing: an undo whose store cannot be read is
    no proof (None)."""
    undos = _undos(source)
    if not undos or unfinished_undo(source) is not None:
        return None
    try:
        with JobStore.open(Path(str(undos[-1].get("directory"))), lock=False) as last:
            if last.status != "finished":
                return None
            counts = last.counts()
            if counts[ItemState.PENDING] or counts[ItemState.SENDING]:
                return None
            items = list(last.items())
            where = last.directory / "failed.csv"
    except (StoreError, OSError):
        return None
    nothing = 0
    for item in items:
        action = (item.result or item.payload.get("result") or {}).get("action")
        held = _holds_nothing(item, action, force)
        if held is None:
            return None
        nothing += held
    if contacts and source.kind == "import" and not any(i.op in _CONTACT_OPS for i in items):
        return None
    said = f"nothing to undo: job {source.job_id} was undone by {_undone_by(source)}"
    if nothing:
        said += (f"; {nothing:,} row(s) hold nothing of the job now (a change made since "
                 f"the job, kept: their reasons are in {where}; --force puts back over it "
                 "where it can)")
    return said


__all__ = ["SETTLED", "nothing_to_undo"]
