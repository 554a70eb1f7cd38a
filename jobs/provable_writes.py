"""Whether the writes a reconcile finds "applied" can be this job's at all.

A PATCH left in flight (a kill -9 after its batch was handed out, a lost answer) whose
deal reads as the write wants it, its before-image not, was taken as the job's own: DONE,
its undo owning it. But another job (another ``--job-dir``, a second cron host) or a
colleague by hand may have made the very same change after the kill: a resume then owned
their write, and its undo reverted it (x51r7 F1: 9 of 9 and 29 of 29 rows the ledger
showed never sent, moved back). The ledger bounds the writes that may have left: each is
charged before it leaves, its answer taken off with the row's outcome
(``bulk.ledger.writes_unanswered``). A row whose write never left cannot have applied,
so when more rows read as applied than writes may have left, which of them (if any) are
the job's cannot be told: none is provably the job's, and each is settled SKIPPED
``unchanged`` — tallied ``as wanted, not by this job`` and its note says why — so undo
leaves the deal as it is (it restores DONE rows only). Where the ledger cannot bound them
(a job of an earlier pdbulk, a lost answer of the run at work) or as many writes may have
left as rows read as applied, the rule stays: applied is the job's, and its undo restores
it only while the deal holds what the reconcile found (its ``update_time``), else names a
conflict. Never sends anything, never reads the account.

When it could have landed: a write marked leaving at ``t`` (``bulk.leaving``) can only
have been applied between ``t`` and about one answer time after it: the longest the job
saw after a mark (``bulk.leaving.longest_answer``) x ``LANDING_SLACK`` + ``LANDING_PAD``,
plus how far the server's clock may be ahead of ours — measured from the job's own
answered writes (``server_ahead``: a write handed out at ``sent_at`` applied at or after
it, so its deal's ``update_time`` + 1 s - ``sent_at`` bounds it), ``RECONCILE_MARGIN``
when none is known. A deal found as wanted whose ``update_time`` (Pipedrive's clock,
1-s resolution) is later than that was last changed after the job's write could have
landed: not provably the job's (``after_landing``; x52r3 F1: a write marked, cut off by
the kill before its body arrived, and a colleague's same change 1-5 s later was claimed,
and the undo reverted it). A colleague's same change within the window still reads as
the job's; a deal changed in any field after it reads as not provably the job's.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

from bulk.clock import in_thread
from bulk.leaving import META_SINCE, last_marks, longest_answer, never_left
from bulk.ledger import writes_unanswered
from bulk.store import Item, ItemState, JobStore, Outcome

from .account import parse_time
from .clock_skew import META_LEAD, RECONCILE_MARGIN, earlier
from .deals import MAY_HAVE_APPLIED
from .results import TALLY

NOT_OURS = "as wanted, not by this job"
"""The tally (``jobs.results.TALLY``) of a row in doubt found as its write wants it whose
write is not provably the job's: the run's lines and summary.json's ``actions`` say it."""


async def unproven(store: JobStore | None, items: Sequence[Item], ops: Collection[str]
                   ) -> int | None:
    """The most writes of ``ops`` that may have left for ``items`` (rows left SENDING whose
    deal reads as their write wants it) when that is fewer than ``len(items)``: none of
    them is then provably the job's. None when they may all be (or no bound is known).
    Raises StoreError."""
    if store is None or not items:
        return None
    sent = [item.sent_at for item in items]
    bound = await in_thread(lambda: writes_unanswered(store, ops, sent))
    return bound if bound is not None and bound < len(items) else None


NEVER_LEFT = ("its write never left: the job folder's leaving marks (job.leaving) show no "
              "send of it since the row was handed out (cut off between its charge and "
              "its send)")
"""``not_ours``' ``why`` of a row whose write has no leaving mark (``bulk.leaving``)."""


LANDING_SLACK = 1.5
"""Times the longest answer time the job saw: how long after its mark a write may land."""
LANDING_PAD = 0.5
"""Seconds added to that (the event loop's lag between the mark and the send, a
slower answer than any seen)."""
AHEAD_SAMPLE = 5000
"""The answered rows ``server_ahead`` reads at most (a bound from fewer is looser, never
wrong)."""


def server_ahead(store: JobStore) -> float | None:
    """The most the server's clock can be ahead of ours (seconds; negative: behind), from
    the job's rows DONE by an answered write (not ``reconciled``): each was handed out at
    ``sent_at`` (our clock) and applied after it, at its result's ``update_time``
    (Pipedrive's clock, 1-s resolution), so ahead < ``update_time`` + 1 - ``sent_at`` for
    each; the least of those. None when no such row is known. Blocking; raises
    StoreError."""
    best: float | None = None
    for item in itertools.islice(
            (i for i in store.items(ItemState.DONE) if i.sent_at is not None and i.result
             and not i.result.get("reconciled") and i.result.get("update_time")),
            AHEAD_SAMPLE):
        at = parse_time((item.result or {}).get("update_time"))
        if at is not None and item.sent_at is not None:
            bound = at + 1.0 - item.sent_at
            best = bound if best is None else min(best, bound)
    return best


def job_lead(store: JobStore, keep: bool = False, measured: float | None = None
             ) -> float | None:
    """The job's measured lead (seconds Pipedrive's clock is ahead of ours, at most;
    ``jobs.clock_skew.to_local`` converts by it): the least of ``server_ahead``, the
    lead kept in the store's meta (``META_LEAD``: measured when the writes were made, so a
    resume or undo converts by it) and ``measured`` (a run's ``RunStats.server_lead``:
    from each write's leaving mark, not its row's hand-out, so a wait in this process is
    not counted as the server's lead; w57r1 F2). ``keep``: a lower one is written back to
    the meta. None when none is known. Blocking; raises StoreError."""
    kept = store.meta_get(META_LEAD)
    kept = float(kept) if isinstance(kept, (int, float)) and not isinstance(kept, bool) \
        else None
    now = server_ahead(store)
    best = min((x for x in (kept, now, measured) if x is not None), default=None)
    if keep and best is not None and best != kept:
        store.meta_put(META_LEAD, best)
    return best


class Landing:
    """When each marked row's write could have landed at the latest, on Pipedrive's clock
    (``ends``: item id → Unix seconds), and what that was made of (``longest``: the
    longest answer time, ``ahead``: the server's clock ahead of ours at most, seconds)."""

    __slots__ = ("ahead", "ends", "longest")

    def __init__(self, ends: Mapping[int, float], longest: float = 0.0,
                 ahead: float = 0.0) -> None:
        self.ends, self.longest, self.ahead = dict(ends), longest, ahead

    def __repr__(self) -> str:
        return f"Landing({len(self.ends)} row(s), longest={self.longest}, ahead={self.ahead})"

    def why(self, item: Item, deal: Mapping[str, Any] | None) -> str | None:
        """``after_landing``'s why for ``item``, or None."""
        end = self.ends.get(item.id)
        return None if end is None else after_landing(deal, end, self)


def landing(store: JobStore, items: Sequence[Item]) -> Landing:
    """``Landing`` for ``items`` (rows in doubt), from their last leaving marks since they
    were handed out, the longest answer time kept and ``server_ahead``: empty when no
    answer time is kept (no window known: the rules before it judge). Blocking; raises
    StoreError."""
    longest = longest_answer(store.directory)
    if longest is None or not items:
        return Landing({})
    marks = last_marks(store.directory, [i.id for i in items])
    sent = {i.id: i.sent_at for i in items}
    marked = {i: at for i, at in marks.items()
              if (s := sent.get(i)) is not None and at >= s}
    if not marked:
        return Landing({})
    ahead = server_ahead(store)
    ahead = RECONCILE_MARGIN if ahead is None else ahead
    wait = longest * LANDING_SLACK + LANDING_PAD
    return Landing({i: at + wait + ahead for i, at in marked.items()}, longest, ahead)


def after_landing(deal: Mapping[str, Any] | None, end: float, how: Landing) -> str | None:
    """``not_ours``' ``why`` when ``deal`` last changed (its ``update_time``, whole
    seconds) after ``end``, when the job's write could have landed at the latest: someone
    changed it after that write. None otherwise (or when its time is unknown)."""
    text = (deal or {}).get("update_time")
    at = parse_time(text)
    if at is None or at <= end:
        return None
    by = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(end))
    return (f"it last changed at {text}, after this job's write could have landed (by "
            f"{by}: its leaving mark, plus {how.longest * LANDING_SLACK + LANDING_PAD:.1f} s "
            f"for the longest answer the job saw, {how.longest:.1f} s, with a margin, and "
            f"{how.ahead:+.1f} s for the server's clock against ours)")


class Provable:
    """Which rows in doubt found as their write wants them are not provably the job's
    (``why``): by each row's leaving mark first (``never``: no send of it began), then
    by the ledger's bound for the rest (``bound``, as ``unproven``), then by the deal's
    ``update_time`` (``before_sent``). A row found so whose write never left proves
    another writer made this very change to the job's deals after the kill: then none of
    the rows found so is provably the job's (``others_too``; x51r13 F1, run 1400: 7 never
    sent, the 18 others within the ledger's bound of 18, 5 of those cut by the kill and
    another job's move claimed)."""

    __slots__ = ("bound", "claimed", "landed", "lead", "never")

    def __init__(self, never: Collection[int], bound: int | None, claimed: int,
                 landed: Landing | None = None, lead: float | None = None) -> None:
        self.never, self.bound, self.claimed = frozenset(never), bound, claimed
        self.landed, self.lead = landed or Landing({}), lead

    def __repr__(self) -> str:
        return f"Provable(never={len(self.never)}, bound={self.bound}, claimed={self.claimed})"

    def why(self, item: Item, deal: Mapping[str, Any] | None) -> str | None:
        """Why ``item``'s write is not provably what made ``deal`` as wanted; None when it
        may be (the job's, as before)."""
        if item.id in self.never:
            return NEVER_LEFT
        if self.never:
            return others_too(len(self.never), self.claimed + len(self.never))
        if self.bound is not None:
            return bound_words(self.bound, self.claimed)
        return self.landed.why(item, deal) or before_sent(item, deal, self.lead)


async def provable(store: JobStore | None, claimed: Sequence[Item], ops: Collection[str]
                   ) -> Provable:
    """``Provable`` for ``claimed`` (rows left SENDING whose deal reads as their write wants
    it): those with no leaving mark since they were handed out never sent their write
    (x51r13 F1: the ledger's bound counted credit charged ahead for writes cut off before
    they left, so it read as many writes as rows, and 13 deals of others' work were
    claimed and reverted); the ledger's bound (``unproven``) judges the rest. Raises
    StoreError."""
    if store is None or not claimed:
        return Provable((), None, len(claimed))
    sent = {item.id: item.sent_at for item in claimed}
    never = await in_thread(lambda: never_left(store.directory, store.meta_get(META_SINCE),
                                               sent))
    rest = [item for item in claimed if item.id not in never]
    landed = await in_thread(lambda: landing(store, rest))  # x52r3 F1
    lead = await in_thread(lambda: job_lead(store))  # x52r8 F3
    return Provable(never, await unproven(store, rest, ops), len(rest), landed, lead)


UNPROVEN = "unproven"
"""The result key of a row failed as a conflict whose write may have applied (in flight at
a stop) that is not provably the job's (``Provable.why``): its why. Undo then puts back
none of the deal's field groups, not even those still as the write wants them
(``jobs.undo.targets.in_flight_targets``): another writer may have set the same value
(x51r13 F2: 29 of 38 "restored in part" moved another job's stage back)."""


async def doubted_conflicts(store: JobStore | None, items: Sequence[Item],
                            outcomes: Sequence[Outcome],
                            deals: Mapping[int, Mapping[str, Any] | None],
                            ops: Collection[str]) -> list[Outcome]:
    """``outcomes`` with each conflict whose write may have applied (FAILED, its error says
    ``jobs.deals.MAY_HAVE_APPLIED``) judged by the rule of ``provable``: one not provably
    the job's carries ``UNPROVEN`` in its result and says so in its error. ``deals``: item
    id → the deal as the reconcile read it. Raises StoreError."""
    by_id = {item.id: item for item in items}
    doubted = [by_id[o.item_id] for o in outcomes
               if o.state is ItemState.FAILED and o.item_id in by_id
               and MAY_HAVE_APPLIED in (o.error or "")]
    if not doubted:
        return list(outcomes)
    proof = await provable(store, doubted, ops)
    ids = {item.id for item in doubted}
    out = []
    for o in outcomes:
        if o.item_id in ids and (why := proof.why(by_id[o.item_id], deals.get(o.item_id))):
            o = replace(o, result={**(o.result or {}), UNPROVEN: why}, error=(
                f"{o.error}; but not provably this job's write: {why} (another job or a "
                "person may have set the same values): its undo puts back none of it"))
        out.append(o)
    return out


def others_too(never: int, found: int) -> str:
    """``not_ours``' ``why`` of a row whose write may have left, when ``never`` of the
    ``found`` rows in doubt found as wanted never sent theirs (``Provable``)."""
    return (f"{never:,} of the {found:,} row(s) in doubt found so never sent their write "
            "(no leaving mark), so another writer made this same change after the stop, "
            "and which of the rest it made cannot be told")


def bound_words(bound: int, claimed: int) -> str:
    """``not_ours``' ``why`` when the ledger shows ``bound`` writes that may have left for
    ``claimed`` rows found as wanted (``unproven``)."""
    return (f"the ledger shows at most {bound:,} write(s) that left with no answer for the "
            f"{claimed:,} row(s) in doubt found so")


def before_sent(item: Item, deal: Mapping[str, Any] | None,
                lead: float | None = None) -> str | None:
    """``not_ours``' ``why`` when ``deal`` last changed before ``item``'s write could have
    left (its ``update_time``, converted to our clock by ``lead``, the job's measured
    lead in seconds, ``job_lead``, earlier than the item's ``sent_at`` by more than the
    clock skew allowed, ``RECONCILE_MARGIN``): someone made it as wanted before this
    job's write, which cannot have made it so. None otherwise (or when either time is
    unknown; x52r8 F3: with Pipedrive's clock 200 s behind, unconverted, the job's own
    landed writes were given up)."""
    at = parse_time((deal or {}).get("update_time"))
    if at is None or item.sent_at is None or not earlier(at, item.sent_at, lead):
        return None
    sent = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(item.sent_at))
    return (f"it last changed at {(deal or {}).get('update_time')}, before this job's "
            f"write could have left (handed out at {sent}; {RECONCILE_MARGIN:.0f} s "
            "allowed for the clocks" + ("" if lead is None else
                                        f", Pipedrive's taken as {lead:+.0f} s against ours")
            + ")")


def not_ours(item: Item, deal_id: int, why: str, verb: str,
             result: Mapping[str, Any]) -> Outcome:
    """The outcome of a row in doubt as its write wants it, not provably this job's:
    SKIPPED ``unchanged`` (``result`` kept, tallied ``NOT_OURS``), with a note saying
    ``why`` (``bound_words``, ``before_sent``; ``verb``: the kind's action, "moved",
    "updated")."""
    return Outcome(item.id, ItemState.SKIPPED, result={
        **result, "deal_id": deal_id, "action": "unchanged", TALLY: NOT_OURS,
        "note": (f"deal {deal_id} was already as this row's write wants it when the resume "
                 f"read it back, but not provably by this job: {why} (another job or a "
                 f"person made the same change?); not counted {verb}, nothing sent, and "
                 "undo leaves it as it is")})


__all__ = ["AHEAD_SAMPLE", "LANDING_PAD", "LANDING_SLACK", "NEVER_LEFT", "NOT_OURS",
           "UNPROVEN", "Landing", "Provable", "after_landing", "before_sent", "bound_words",
           "doubted_conflicts", "job_lead", "landing", "not_ours", "others_too", "provable",
           "server_ahead", "unproven"]
