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

That new undo works only on the field groups the earlier undos did not put back
(``put_back``, ``left_of``: a group one of them put back is done, whatever the deal holds
now, not even --force writes it again; x45r4 F2), and reads those deals as they are now
(``further_undo_idle``): a deal that holds the job's value again is
put back; one holding a colleague's later value is a conflict, named (``--force`` puts back
over it, and its plan names it); when no row is left to send it makes no job (x44r6 F4: each
further undo made a job that did nothing, 35-40 tokens, exit 3) — ``nothing to undo`` when
no row is left at all, else the rows that would fail, named by its plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from bulk.errors import StoreError
from bulk.store import ACTIVE_STATUSES, LOCKNAME, ItemState, JobStore, held_by_live_process

from ..deals import image_part, write_groups, write_part
from ..prepared import Prepared
from .targets import (
    META_UNDONE_BY,
    PARTLY,
    RESTORED_IN_PART,
    Target,
    _undone_by,
    _undos,
    unfinished_undo,
)

# what a skipped row of an undo says when nothing is left of the job on its record
SETTLED = frozenset({"unchanged", "already deleted", "already gone"})
_CONTACT_OPS = frozenset({"delete-person", "delete-org"})


def stuck_undo(source: JobStore) -> Path | None:
    """The folder of the undo of ``source`` left unfinished (status active or "stopped")
    that no live process holds — killed (its status still "running", its lock file naming
    a dead process: the OS dropped the lock) or stopped — which ``pdbulk undo --force``
    takes over by resuming it; None when there is none, or when a live process holds it
    (two undos of one job never run at once: the resume's own lock says so again, should
    one take it meanwhile). Reads the undo's store without locking it; raises nothing
    (an unreadable folder is None)."""
    undone = source.meta_get(META_UNDONE_BY)
    if not isinstance(undone, Mapping) or not isinstance(undone.get("directory"), str):
        return None
    folder = Path(undone["directory"])
    try:
        with JobStore.open(folder, lock=False) as undo:
            if undo.kind != "undo" or undo.status not in (*ACTIVE_STATUSES, "stopped"):
                return None
    except (StoreError, OSError):
        return None
    return None if held_by_live_process(folder) else folder


def being_undone(folder: Path) -> str | None:
    """What ``pdbulk undo`` of the job at ``folder`` says when its lock is held by a live
    process running the job's undo U (which holds its source's lock too): "job J is being
    undone by U (process N); ..." (x47r8 F3: before, the source's lock was named, "job J
    is already open ... (its lock is held by process N)"). None when no unfinished undo of
    it is held by a live process. Reads without locking; raises nothing."""
    try:
        with JobStore.open(folder, lock=False) as source:
            undone, job_id = source.meta_get(META_UNDONE_BY), source.job_id
    except (StoreError, OSError):
        return None
    if not isinstance(undone, Mapping) or not isinstance(undone.get("directory"), str):
        return None
    undo = Path(undone["directory"])
    if not held_by_live_process(undo):
        return None
    try:  # the holder's process id, as it wrote it on taking the lock
        holder = (undo / LOCKNAME).read_text("ascii", "replace").strip()
    except OSError:
        holder = ""
    by = f" (process {holder})" if holder.isdigit() else ""
    return (f"job {job_id} is being undone by {undo.name}{by}; try again when it has "
            "finished (not even --force takes over an undo a live process runs)")


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


# one row of an earlier undo on a deal: None, the whole of the job's write put back (restored,
# deleted, or found as before the job); else (groups it put back, groups it kept: None when
# its store predates ``PARTLY["kept"]``, then only the groups put back are known)
Undid = tuple[frozenset[str], frozenset[str] | None] | None


def put_back(source: JobStore) -> dict[int, list[Undid]]:
    """Deal id → what each earlier undo of ``source`` did to it (``Undid``, oldest first),
    from their rows: a restore or delete done, or a row skipped as settled (``SETTLED``),
    undid the whole write; a ``restored in part`` the groups its payload's ``wrote`` holds
    (``PARTLY["kept"]``: the groups it left). A further undo works only on what none of them
    put back (``groups_left``; x45r4 F2: a second ``--force`` undo wrote the before-image
    over a colleague's value set after the first undo had put that value back). Raises
    nothing: an undo whose store cannot be read counts for nothing (its rows are judged
    against the deal as it is now, as before)."""
    out: dict[int, list[Undid]] = {}
    for undo in _undos(source):
        try:
            with JobStore.open(Path(str(undo.get("directory"))), lock=False) as store:
                rows = [(i.state, i.op, i.payload, i.result or {}) for i in store.items()
                        if i.state in (ItemState.DONE, ItemState.SKIPPED)]
        except (StoreError, OSError):
            continue
        for state, op, payload, result in rows:
            deal_id, action = payload.get("deal_id"), result.get("action")
            if op not in ("restore", "delete") or not isinstance(deal_id, int):
                continue
            if state is ItemState.DONE and action == RESTORED_IN_PART:
                out.setdefault(deal_id, []).append(_in_part(payload))
            elif (state is ItemState.DONE and action in ("restored", "deleted")) or (
                    state is ItemState.SKIPPED and action in SETTLED):
                out.setdefault(deal_id, []).append(None)
    return out


def _in_part(payload: Mapping[str, Any]) -> Undid:
    """What a ``restored in part`` row put back: its ``wrote``'s groups, and those it kept."""
    wrote = payload.get("wrote")
    done = frozenset(write_groups(wrote)) if isinstance(wrote, Mapping) else frozenset()
    partly = payload.get(PARTLY)
    kept = partly.get("kept") if isinstance(partly, Mapping) else None
    return done, (frozenset(map(str, kept)) if isinstance(kept, list) else None)


def groups_left(groups: Iterable[str], undid: Sequence[Undid]) -> list[str]:
    """The field groups of a job's write (``groups``, ``jobs.deals.write_groups``) that no
    earlier undo put back (``undid``: ``put_back``'s entry for its deal), in their order: a
    group one of them put back is done, whatever the deal holds now — never put back again,
    never a conflict, not even with --force. A row that kept groups put back every other
    group of the write (those it found as before the job too)."""
    left = list(groups)
    for one in undid:
        if one is None:
            return []
        done, kept = one
        left = [g for g in left if g in kept] if kept is not None else \
            [g for g in left if g not in done]
    return left


def left_of(target: Target, undid: Mapping[int, Sequence[Undid]]) -> Target | None:
    """``target`` narrowed to the field groups of its write no earlier undo put back
    (``undid``: ``put_back``), or None when they put back all of it (its deal is done for
    this undo). A target whose write or before-image is not recorded is judged whole, as
    before (it has no groups to narrow)."""
    rows = undid.get(target.deal_id)
    if not rows:
        return target
    if any(one is None for one in rows):
        return None
    if target.op != "restore" or target.wrote is None or target.before is None:
        return target
    groups = write_groups(target.wrote)
    left = groups_left(groups, rows)
    if not left:
        return None
    if left == groups:
        return target
    return replace(target, wrote=write_part(target.wrote, left),
                   before=image_part(target.before, left))


__all__ = ["SETTLED", "Undid", "left_of", "further_undo_idle", "groups_left", "nothing_to_undo",
           "put_back", "stuck_undo", "being_undone"]
