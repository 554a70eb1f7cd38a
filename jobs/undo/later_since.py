"""A resumed undo's restores in doubt that a later job wrote since: conflicts, never sent.

An undo killed with its restores in flight is reconciled on resume against the deals as
they are now (``UndoJob.reconcile``): a deal whose fields read as the undone job left
them is "not applied" and its restore is sent again. But a job of the same job directory
run after the kill (the same update file again, an import) may have written the undone
job's values back onto a deal the killed undo had already put back: the deal then reads
as "not applied", and the resume sent the undo's write over that later job's — its
values back to the before-image, said nowhere (x52r5 F1: 1-4 deals a run, 4 of 4 runs).
The undo's first run reads the later jobs of the folder and leaves such a deal alone, a
conflict (``jobs.later_jobs.later``); the resume does the same
(``jobs.later_jobs.later_conflicts``): left alone and named, nothing sent. So is a
restore whose write left (its leaving mark) and whose deal, read as not put back, last
changed after that write could have landed (``jobs.provable_writes.landing``, the window
a resume judges writes found applied by: x52r3 F1): someone changed it since, maybe back
over the undo's write. A restore in doubt whose deal the reconcile found changed (a
conflict already) names the later job that changed it (x53r1 F4). ``--force`` sends them
as before. Reads the job directory's
stores and the undo's leaving marks (no call); never writes.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from bulk.clock import in_thread
from bulk.store import Item, ItemState, JobStore, Outcome

from ..deals import write_groups
from ..later_jobs import Step, later_steps, later_words, walked_back, written_since
from ..later_jobs import later_conflicts as _conflicts
from ..provable_writes import landing


def restored_later(deal_id: int, by: str, what: str, unsent: bool = False) -> str:
    """The conflict of a restore in doubt whose deal job ``by`` wrote since; ``unsent``:
    the deal reads as not put back (``NOT_PUT_BACK``: what it puts back holds the undone
    job's values, or the later job's)."""
    return (f"conflict: deal {deal_id} was {what} after this undo's write to it was in "
            f"flight{NOT_PUT_BACK if unsent else ''}; left alone, not sent again (a resume "
            f"never puts back over a later job's write: undo {later_words(by)} first, "
            "newest first, then this undo's source job again)")


# the words of a restore in doubt's conflict whose deal reads as not put back
NOT_PUT_BACK = ", and it reads as not put back"


def in_doubt_left(error: str) -> bool:
    """Whether ``error`` is the conflict of a restore in doubt that a resume left alone
    with its deal read as not put back: changed after its write could have landed
    (``changed_after_landing``) or written since by a later job of the job directory
    (``restored_later``, ``unsent``). What it puts back holds the undone job's writes
    (or the later job's), so the record of who wrote each field is left as it is
    (``jobs.undo.bases``), not given back as if a colleague had changed it (f54g, y54r4:
    the next import said "changed in Pipedrive since" of the undone update's own title,
    its writer named nowhere)."""
    return error.startswith("conflict: deal ") and (
        " reads as not put back, but " in error or NOT_PUT_BACK + ";" in error)


# ``jobs.undo.job._in_flight``'s conflict: a restore in doubt whose deal changed since
IN_FLIGHT_CHANGED = " changed while this undo's write was in flight"


async def _named_later(store: JobStore | None, restores: Sequence[Item],
                       out: list[Outcome]) -> list[Outcome]:
    """``out`` with each restore in doubt the reconcile already left as a conflict, its
    deal changed since (``IN_FLIGHT_CHANGED``), said naming the job of the job directory
    that wrote it since in a group the restore puts back (``restored_later``: the change
    was that job's, made after the kill) — before, "changed while this undo's write was
    in flight … once this undo is done, pdbulk undo <source> puts back …", the later job
    named nowhere (x53r1 F4, 27 of 27). Nothing is sent either way."""
    doubted = [o.item_id for o in out if o.state is ItemState.FAILED
               and (o.error or "").startswith("conflict: deal ")
               and IN_FLIGHT_CHANGED in (o.error or "")]
    if store is None or not doubted:
        return out
    found = await written_since(store, restores, [
        Outcome(item_id, ItemState.PENDING, unsent=True) for item_id in doubted])
    return [Outcome(o.item_id, ItemState.FAILED, error=restored_later(*found[o.item_id]))
            if o.item_id in found else o for o in out]


def changed_after_landing(deal_id: int, why: str, passed: Sequence[Step] = ()) -> str:
    """The conflict of a restore in doubt whose deal reads as not put back but changed
    after the restore could have landed (``jobs.provable_writes.after_landing``'s ``why``,
    of the deal dated before ``passed``: the later jobs' writes of other groups than the
    restore's, ``as_before_later``). The change is none of the job directory's jobs': a
    colleague's or another client's (README, the landing window: such a change, in any
    field, is one nothing tells from a write over the undo's), and it says so, naming the
    later jobs' writes it saw past (y54r4 F1: it named no writer)."""
    past = "".join(f"; job {s.job_id} ({s.kind}) wrote other fields since, no write to "
                   "what this undo puts back" for s in passed)
    return (f"conflict: deal {deal_id} reads as not put back, but {why}{past}: a change "
            "by none of this job directory's jobs (a colleague, another client); this "
            "undo's write may have applied and been written over since; left alone, not "
            "sent again (a new undo of the job, once this one is done, judges it as it is "
            "then)")


async def later_conflicts(store: JobStore | None, items: Sequence[Item],
                          out: list[Outcome],
                          current: Mapping[int, Mapping[str, Any] | None],
                          narrowed: Collection[int] = ()) -> list[Outcome]:
    """``out`` with each restore of ``items`` it sends again (PENDING) turned into a
    conflict where a job of the job directory created after this undo wrote its deal
    since, in a group the restore puts back (``restored_later``), or — its write marked
    leaving (``bulk.leaving``) — where the deal (``current``: deal id → as the reconcile
    read it) last changed after that write could have landed
    (``jobs.provable_writes.landing``; ``changed_after_landing``): not applied by this
    undo as it reads now, and changed since — maybe the undo's write, written over (f52e's
    window, read for what is not applied). A restore the reconcile already left as a
    conflict, its deal changed since, names such a later job too (``_named_later``).
    ``narrowed``: the ids of restores the reconcile sends again narrowed to the groups
    nobody changed since (``since_plan.held_in_flight``; ``items`` holds them narrowed, so
    a later job is judged by those groups alone: one that wrote only a group kept is no
    later write to them, x54r1 F1); the deal's change after the landing window is that
    of the groups kept, seen in their values, so the window does not judge them (a
    later job's write of a group put back still does, above). The window judges the
    others' deals as dated before the later jobs' writes of other groups
    (``as_before_later``; y54r4 F1: a later update of the amount alone was such a
    conflict, named nowhere); what is left after the window is none of the jobs'
    (``changed_after_landing`` says so). A conflict whose deal reads as not put back
    says so (``NOT_PUT_BACK``, ``in_doubt_left``: the record of who wrote it is kept).
    Raises StoreError (the job's store)."""
    restores = [i for i in items if i.op == "restore"]
    read_back = [i for i in restores if i.id not in narrowed]
    out = await _conflicts(store, read_back, out,
                           lambda d, by, what: restored_later(d, by, what, unsent=True))
    out = await _conflicts(store, [i for i in restores if i.id in narrowed], out,
                           restored_later)
    out = await _named_later(store, restores, out)
    again = {o.item_id for o in out if o.state is ItemState.PENDING}
    rest = [i for i in restores if i.id in again and i.id not in narrowed]
    if store is None or not rest:
        return out
    window = await in_thread(lambda: landing(store, rest))
    if not window.ends:
        return out
    steps = await in_thread(lambda: later_steps(store, {
        int(i.payload["deal_id"]) for i in rest if i.id in window.ends}))
    late: dict[int, str] = {}
    for item in rest:
        deal_id = int(item.payload["deal_id"])
        deal, passed = as_before_later(current.get(deal_id), steps.get(deal_id, ()),
                                       write_groups(item.payload.get("changes") or {}))
        if (why := window.why(item, deal)) is not None:
            late[item.id] = changed_after_landing(deal_id, why, passed)
    return [Outcome(o.item_id, ItemState.FAILED, error=late[o.item_id])
            if o.item_id in late else o for o in out]


def as_before_later(deal: Mapping[str, Any] | None, steps: Sequence[Step],
                    groups: Collection[str]) -> tuple[Mapping[str, Any] | None, list[Step]]:
    """``deal`` (read now) dated as it was before the writes of later jobs of the job
    directory that set none of ``groups`` (``jobs.later_jobs.walked_back``), and those
    writes: the landing window then judges the change no job of the stores explains
    (y54r4 F1: a later update of the amount alone made a restore of the title and a
    custom field, its write left and not applied, a conflict "maybe written over since",
    the update named nowhere). ``deal`` itself when no such write dated it."""
    if deal is None:
        return deal, []
    at, passed = walked_back(deal.get("update_time"), steps, groups)
    if not passed or at is None:
        return deal, []
    return {**deal, "update_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))}, \
        passed


__all__ = ["IN_FLIGHT_CHANGED", "NOT_PUT_BACK", "as_before_later", "changed_after_landing",
           "in_doubt_left", "later_conflicts", "restored_later"]
