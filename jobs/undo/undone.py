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

That new undo reads the deals as they are now and is judged against them, not against the
earlier undo's rows (``further_undo_idle``): a deal that holds the job's value again is
put back; one holding a colleague's later value is a conflict, named (``--force`` puts back
over it, and its plan names it); when no row is left to send it makes no job (x44r6 F4: each
further undo made a job that did nothing, 35-40 tokens, exit 3) — ``nothing to undo`` when
no row is left at all, else the rows that would fail, named by its plan.
"""

from __future__ import annotations

from pathlib import Path

from bulk.errors import StoreError
from bulk.store import ItemState, JobStore

from ..prepared import Prepared
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


def further_undo_idle(source: JobStore, prep: Prepared) -> str | None:
    """Why a further undo of ``source`` whose load (``prep``, the deals read now) sends no
    write makes no job (``jobs.api.Work.idle``), or None: a first undo is a job whatever it
    finds (its result files say so: x41r1 M3), and one with a row still pending is one too.
    ``nothing to undo: …`` when no row is left (each deal as before the job, or put back);
    else ``nothing to send: …`` naming how many rows would fail (conflicts with a change made
    since the job: the plan lists them; ``--force`` puts back over them)."""
    if not _undos(source):
        return None
    if any(i.state is ItemState.PENDING for i in prep.items):
        return None
    failed = sum(1 for i in prep.items if i.state is ItemState.FAILED)
    if not failed:
        return (f"nothing to undo: job {source.job_id} was undone by {_undone_by(source)}; "
                f"read now, none of its {prep.rows:,} row(s) holds anything it wrote")
    return (f"nothing to send: {failed:,} row(s) of job {source.job_id} would "
            "fail (their reasons above: a deal changed since the job keeps that change; "
            f"`pdbulk undo {source.job_id} --force` puts back over it)")


__all__ = ["SETTLED", "further_undo_idle", "nothing_to_undo"]
