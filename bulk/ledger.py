"""Charges written to the job's spend ledger before their calls leave (``_Ahead``).

A call's charge is in the ledger before the call leaves, so a kill -9 loses none of
what the account charged. Writing one commit per call cost about a quarter of the
engine's CPU per request (issue 8: 0.5 of 2.2 ms at Growth), so the ledger is charged
ahead in **credit**: when an operation's credit runs out, one commit charges the calls
waiting for it plus a few more of the same operation; the next calls spend that credit
in memory, with no commit. The credit a run did not spend is taken back when it ends
(``Runner.flush_spend``): a finished or stopped run's ledger is exact. A kill -9 leaves
the unspent credit charged: the ledger then over-counts by at most ``most`` calls per
operation in use (``CREDIT_CALLS``; conservative, as before), never under-counts, and
says those tokens are in doubt (below).

How much credit: an operation whose credit ran out less than ``horizon`` seconds (on the
run's clock, which paces its calls; a kill over-counts at most ``most`` calls whatever the
pace) after its last refill gets twice as much at the next one (at most ``most`` calls),
one that ran out later half as much. A run making a few calls now and
then is charged call by call, as exactly as before; so are the calls made outside a
run's items (a load's reads and writes, ``Engine.call``: ``most`` = 0), whose ledger
``jobs.prepared.sent_while_loading`` reads back after a kill.

The refunds (429 / 5xx / ``RequestNotSent``) follow with the runner's next outcome
batch (``bulk.runner.Runner.flush_spend``); a kill before it over-counts that call:
conservative.

**In doubt**: the ledger counts every charge before its call leaves, so at any instant
part of it is not known to be charged: the credit charged ahead and not spent, the calls
in flight, those whose answer was lost (a connection dropped, a timeout, a cancel in
flight: the sandbox charges none dropped before it read the request, Pipedrive does not
say) and the refunds not yet written. Each ``_Ahead`` keeps that part by operation
(``open``) and writes it under its own key (``META_IN_DOUBT:<run>``) in the same
transaction as every ledger row it writes (``_Ahead.write``): a charge raises it, a
refund or credit taken back lowers it with its row, an answer (charged: 2xx or 4xx)
lowers it in memory, written with the next row. So what the job's store says at any
instant, a kill -9 included, holds: ledger - in doubt ≤ what the server charged ≤ ledger
(``tokens_in_doubt`` adds up every run's key; x32r1 F4: 1,155 counted vs 1,070 charged;
f33c: a kill -9 read 115 charged where the server charged 95, its credit and calls in
flight taken as charged). A run that ends keeps its key with only the calls whose answer
was lost; a killed run's key keeps what it had, and reads as in doubt on resume.

**Tightened by the reconcile** (f34d): an item's write answers (2xx / 4xx) come off the
figure with the item's outcome, in the transaction that records it (``holding``), not at
the next ledger write: so a write of an item the store still holds SENDING is in the
figure, answered or not. A reconcile that finds such a write applied (the job kind's
``landed_calls``) proves it charged: it comes off the figure with the reconcile's
outcomes — this run's from its own key (a lost answer), a killed run's from the keys of
the runs that hold them (``HELD``; an item marked SENDING before the first of them began is
left alone: an earlier version may have counted its answer already). What stays in doubt
after a kill and its resume is the credit never used for a send (at most ``CREDIT_CALLS``
per operation), the calls whose answer was lost or that were cut off and not applied, and
the refunds not yet written. tests/test_kill_token_figures.py (5 kills of an update of
240 deals, resumed): 350 in doubt where the server's count was 80 below the ledger, now
175-190 where it was 60-75; the PATCHes in doubt are exactly those never charged and those
the server charged as the kill cut them off, before it read their body (never applied:
no answer, no trace in the account).

**Credit never used, taken back on resume** (f35f 4): a killed run's figure of a write a
job kind makes inside its items alone (its ``item_writes``) is exact as written (those
answers come off with the items' outcomes), so the next run, before it reconciles
anything, takes back from the ledger and the figure that operation's tokens less those of
the items the killed runs left SENDING (``take_back_unused``, once per run's key): the
credit never used is no call at all. Reads keep theirs in doubt (an answer comes off in
memory, not with an outcome: their credit cannot be told from their calls in flight).
tests/test_kill_token_figures_kinds.py (5 kills of an import of 200 rows, of its undo,
of a merge of 120 pairs): addDeal 795 in doubt where the exact figure was 110, deleteDeal
447 where it was 24, mergeDeals 3,560 where it was 480; now each exact.

Why ~600 lines: the credit charged ahead, the in-doubt figure, the outcomes that ride a
refill's commit and the take-back after kills are one accounting over the same meta keys,
written in the same transactions; splitting them would spread one invariant over files.
"""

from __future__ import annotations

import asyncio
import contextvars
import uuid
import weakref
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import anyio

from .clock import Clock
from .operations import OPERATIONS
from .store import AsyncJobStore, Item, ItemState, Outcome

T = TypeVar("T")

META_IN_DOUBT = "spend_in_doubt"
"""The prefix of the job's meta keys of its tokens in doubt, ``{operation: tokens}``: one
key per run's ledger writer (``META_IN_DOUBT:<run>``); the bare key holds the figure
earlier versions added up at each run's end."""


HELD = ":w"
"""The end of the key of a writer that counts its items' write answers with their outcomes
(``_Ahead.holding``): its key's figure holds every write of an item left SENDING, and its
name gives the wall time it began (``META_IN_DOUBT:<run>:w<seconds>``)."""


class _MetaReader(Protocol):
    def meta_prefixed(self, prefix: str) -> dict[str, Any]: ...


def _by_operation(found: object) -> dict[str, int]:
    if not isinstance(found, Mapping):
        return {}
    return {str(op): n for op, n in found.items() if isinstance(n, int) and n > 0}


def tokens_in_doubt(store: _MetaReader) -> dict[str, int]:
    """The job's tokens in doubt by operation ({} when none; Pipedrive's token units): the
    part of its ledger not known to be charged — calls whose answer was lost, and those a
    run killed had charged ahead or in flight — so ledger - this ≤ what the server charged
    ≤ ledger. A live run's calls in flight and credit count too. Raises StoreError."""
    total: dict[str, int] = {}
    for key, value in store.meta_prefixed(META_IN_DOUBT).items():
        if key == META_IN_DOUBT or key.startswith(META_IN_DOUBT + ":"):
            for op, n in _by_operation(value).items():
                total[op] = total.get(op, 0) + n
    return dict(sorted(total.items()))


META_UNSPLIT = "spend_unsplit"
"""The meta key of the tokens of a job's ledger spent before its first run that kept a
record of its tokens in doubt (``META_IN_DOUBT:<run>``): runs of an earlier pdbulk."""


class _LedgerReader(_MetaReader, Protocol):
    def meta_get(self, key: str) -> Any | None: ...
    def spend_by_operation(self) -> dict[str, tuple[int, int]]: ...


def _runs_recorded(store: _MetaReader) -> bool:
    return any(key.startswith(META_IN_DOUBT + ":") for key in store.meta_prefixed(META_IN_DOUBT))


def tokens_unsplit(store: _LedgerReader) -> int:
    """Tokens of the job's ledger (Pipedrive's token units) whose split into charged and
    in doubt is not known: those its runs spent before the first that kept a per-run
    record (``META_IN_DOUBT:<run>``: every run of a pdbulk since those records began; a
    kill -9 of an earlier one's run left its credit charged ahead and its calls in flight
    counted as charged, with no trace of them). ``META_UNSPLIT`` when a resume put it,
    else the whole ledger of a job no run of which kept a record; 0 when every run did.
    Raises StoreError."""
    marked = store.meta_get(META_UNSPLIT)
    if isinstance(marked, int) and not isinstance(marked, bool):
        return max(0, marked)
    if _runs_recorded(store):
        return 0
    return sum(tokens for tokens, _ in store.spend_by_operation().values())


def mark_unsplit(store: _LedgerReader, put: Callable[[str, Any], None]) -> None:
    """Before a run of a job no run of which kept a per-run record of its tokens in doubt:
    put its ledger so far under ``META_UNSPLIT`` (``put``: the store's ``meta_put``), so the
    tokens of those runs stay said to be of unknown split once this run's record is there.
    Nothing when one is there already, or the ledger is empty. Raises StoreError."""
    if store.meta_get(META_UNSPLIT) is not None or _runs_recorded(store):
        return
    if (spent := sum(tokens for tokens, _ in store.spend_by_operation().values())) > 0:
        put(META_UNSPLIT, spent)

# (day, operation, tokens, calls): a ledger row, as JobStore.record takes it
SpendRow = tuple[str, str, int, int]
# a call waiting for its charge (``_Ahead.charge``): operation, tokens, the future its
# refill's commit settles (an asyncio future, not an ``anyio.Event``: issue 8, ~15 Python
# calls a request, nearly every call of a burst waits here), the write's error if it failed
# and whether its refill served it (set when served, whatever the future's state: a cancel
# requested before the waiting task ran again cancels the future, yet the refill that
# served it in between charged it; ``_not_leaving`` gives that charge back)
_Slot = tuple[str, int, "asyncio.Future[None]", list[BaseException], list[bool]]

CREDIT_CALLS = 8
"""The most calls of one operation a run charges ahead of need (``_Ahead``'s ``most``):
what a kill -9 can leave over-counted in the ledger, per operation in use (a row write's
unused credit is taken back on resume: ``take_back_unused``). 8, not 4 (issue 8, f57b): at
Growth's pace a refill every ~5 calls was a commit, a hop to the store's thread and back,
for every fifth call; now every ~9th: the store's commits 0.285 -> 0.210 a request, the
wake-ups 2.88 -> 2.31 a request (every thread; 200 PATCHes against the sandbox)."""


@dataclass(frozen=True, slots=True)
class Rider:
    """Outcomes waiting for their commit that a refill's commit carries (``_Ahead.rider``):
    one transaction for what is due at about the same moment (issue 8: at Growth a refill
    every ~5 calls and an outcome batch every ``flush_seconds`` were two commits where one
    does). ``take()``: the outcomes waiting, now the refill's to write; ``back(outcomes)``:
    they were not written (the write failed): waiting again, for their own batch, which
    raises the store's error where it always did; ``written()``: they are in the store."""

    take: Callable[[], list[Outcome]]
    back: Callable[[list[Outcome]], None]
    written: Callable[[], None]


class _Credit:
    """One operation's charged-ahead calls not yet spent (``left``), of ``tokens`` each,
    on ``day``; ``extra``: how many to charge ahead at its next refill."""

    __slots__ = ("day", "extra", "left", "refilled", "tokens")

    def __init__(self) -> None:
        self.day, self.tokens, self.left, self.extra = "", 0, 0, 0
        self.refilled = -1e18  # the run's clock.now() at the last refill

    def __repr__(self) -> str:
        return f"_Credit(day={self.day}, tokens={self.tokens}, left={self.left}, extra={self.extra})"


class _Ahead:
    """The charges of calls about to leave, in the job's ledger before they leave: from
    the operation's credit when it has some, else by one commit that the calls waiting
    meanwhile share (a group commit) and that charges ``extra`` more calls ahead."""

    __slots__ = ("__weakref__", "_back", "_busy", "_clock", "_credit", "_day", "_held",
                 "_horizon", "_key", "_lock", "_lost", "_lost_written", "_most", "_open",
                 "_pending", "_store", "_written", "rider")

    def __init__(self, store: AsyncJobStore, day: Callable[[], str], clock: Clock, *,
                 most: int = CREDIT_CALLS, horizon: float = 0.5) -> None:
        self._store, self._day, self._clock = store, day, clock
        self._most, self._horizon = most, horizon  # calls; seconds
        self._pending: list[_Slot] = []
        self._credit: dict[str, _Credit] = {}
        self._back: list[SpendRow] = []  # charges of calls that never left (``_not_leaving``)
        self._busy = False
        # op -> tokens in the ledger not known to be charged (module docstring), and the
        # figure last written under ``_key``; ``_lock``: one write at a time, so the
        # figure written last is the one the ledger's rows written last go with
        self._open: dict[str, int] = {}
        self._written: dict[str, int] = {}
        self._key = f"{META_IN_DOUBT}:{uuid.uuid4().hex[:12]}{HELD}{clock.wall():.3f}"
        self._lock = anyio.Lock()
        # item id -> its write answers (op, tokens) not yet off the figure (``holding``)
        self._held: dict[int, list[tuple[str, int]]] = {}
        # op -> tokens of this writer's writes that got no answer, not found applied since
        # (in doubt for good: charged or not), and the figure last written under
        # ``META_LOST`` (x39r5 F1: ``take_back_unused`` took them for credit never used)
        self._lost: dict[str, int] = {}
        self._lost_written: dict[str, int] = {}
        # the outcomes a refill's commit carries along (a run's pass sets it: ``Rider``)
        self.rider: Rider | None = None
        _LIVE.add(self)

    def __repr__(self) -> str:
        left = {op: c.left for op, c in self._credit.items() if c.left}
        return (f"_Ahead(pending={len(self._pending)}, busy={self._busy}, credit={left}, "
                f"in_doubt={self.in_doubt()})")

    def in_doubt(self) -> dict[str, int]:
        """This writer's tokens in the ledger not known to be charged, by operation."""
        return {op: n for op, n in sorted(self._open.items()) if n}

    def answered(self, op_id: str, tokens: int, write: bool | None = None) -> None:
        """A call of ``op_id`` was answered and charged (2xx, 4xx): its ``tokens`` are no
        longer in doubt (written with the next ledger write: until then, in doubt; a write
        of an item, with the item's outcome: ``holding``). ``write``: whether the operation
        writes, when the caller knows (else looked up)."""
        held = _HELD.get()
        if held is not None and held[0] is self:
            if write is None:
                op = OPERATIONS.get(op_id)
                write = op is not None and op.is_write
            if write:
                held[1].append((op_id, tokens))
                return
        self._open[op_id] = self._open.get(op_id, 0) - tokens

    def unanswered(self, op_id: str, tokens: int, write: bool | None = None) -> None:
        """A call of ``op_id`` left and got no answer (``tokens`` stay in doubt). A write's
        are kept apart from the credit charged ahead (``META_LOST``, with the next ledger
        write): after a kill, ``take_back_unused`` leaves them in doubt, whether or not
        the run settled their item since (x39r5 F1: a resume took back 80 tokens of an
        import's lost writes as credit never used, and ended 40 under the server's count)."""
        if write is None:
            op = OPERATIONS.get(op_id)
            write = op is not None and op.is_write
        if write:
            self._lost[op_id] = self._lost.get(op_id, 0) + tokens

    async def holding(self, item_id: int, work: Awaitable[T]) -> T:
        """``await work`` (the item's execution) with the answers of its writes kept apart:
        they come off the figure in the ``write`` that records the item's outcome, so a
        write of an item left SENDING stays in doubt until a reconcile settles it."""
        token = self.hold(item_id)
        try:
            return await work
        finally:
            self.unhold(item_id, token)

    def hold(self, item_id: int) -> contextvars.Token[tuple[_Ahead, list[tuple[str, int]]] | None]:
        """``holding`` without a frame of its own around the work (the runner's hot path:
        each of a call's waits resumes every frame of the chain, issue 8): from here until
        ``unhold(item_id, token)``, in this context, the answers of the item's writes are
        kept apart."""
        return _HELD.set((self, self._held.setdefault(item_id, [])))

    def unhold(self, item_id: int,
               token: contextvars.Token[tuple[_Ahead, list[tuple[str, int]]] | None]) -> None:
        """The end of ``hold``'s span (``token``: what it returned)."""
        _HELD.reset(token)
        if not self._held.get(item_id, True):
            del self._held[item_id]

    def stale(self) -> bool:
        """Whether the figure in doubt changed since it was last written."""
        return self.in_doubt() != self._written

    async def write(self, outcomes: Sequence[Outcome], rows: Sequence[SpendRow], *,
                    settled: Mapping[str, int] | None = None,
                    earlier: Mapping[str, int] | None = None) -> None:
        """``store.record(outcomes, rows)`` with this writer's figure in doubt, in one
        transaction: each row's tokens (a charge, a refund, a credit taken back) move it
        by as much, and the outcomes' items' write answers (``holding``) lower it.
        ``settled``: tokens by operation of this writer's writes whose answer was lost
        and that a reconcile found applied (charged: off its figure; never more than its
        writes that got no answer and were not found applied before, ``unanswered``);
        ``earlier``: the
        same of the writes earlier runs left in doubt (off their keys, ``HELD`` ones
        only, never below 0). With nothing but the figure to write (answers since the
        last write, which only lower it) and the store closed already (a run let go of,
        as a kill would), nothing is written: the figure there is on the safe side.
        Raises what the store raised (StoreError), the figure as it was."""
        if not outcomes and not rows and self._store.closed:
            return
        async with self._lock:
            moved: dict[str, int] = {}
            for _day, op, tokens, _calls in rows:
                moved[op] = moved.get(op, 0) + tokens
            released = {o.item_id: self._held.pop(o.item_id) for o in outcomes
                        if o.item_id in self._held}
            for answers in released.values():
                for op, tokens in answers:
                    moved[op] = moved.get(op, 0) - tokens
            lost = dict(self._lost)
            for op, n in (settled or {}).items():  # never below what stays unanswered
                # only a write that got no answer can be settled so: one answered (held,
                # coming off with its item's outcome above; a 2xx cut off; a 5xx refunded)
                # is off the figure already (y54r3 F3: a person create answered in a row
                # left in doubt came off twice, and the dropped creates' tokens with it)
                n = min(n, lost.get(op, 0))
                moved[op] = moved.get(op, 0) - min(n, max(0, self._open.get(op, 0)
                                                          + moved.get(op, 0)))
                lost[op] = lost.get(op, 0) - n  # found applied: charged
            for op, n in moved.items():
                self._open[op] = self._open.get(op, 0) + n
            now = self.in_doubt()
            meta: dict[str, Any] = {self._key: now or None} if now or self._written else {}
            lost = {op: n for op, n in sorted(lost.items()) if n}
            if lost != self._lost_written:
                meta[lost_key(self._key)] = lost or None
            try:
                if earlier:
                    meta.update(_lowered(await self._store.meta_prefixed(META_IN_DOUBT),
                                         earlier, self._key))
                await self._store.record(outcomes, rows, meta or None)
            except BaseException:
                for op, n in moved.items():
                    self._open[op] -= n
                self._held.update(released)
                raise
            self._written = now
            self._lost, self._lost_written = lost, dict(lost)

    def _spend_credit(self, op_id: str, tokens: int, day: str) -> bool:
        credit = self._credit.get(op_id)
        if credit is None or not credit.left or credit.tokens != tokens or credit.day != day:
            return False
        credit.left -= 1
        return True

    async def charge(self, op_id: str, tokens: int) -> None:
        """Return once ``tokens`` for one call of ``op_id`` are in the ledger; raises what
        the store raised (StoreError) for the write that carried them."""
        credit = self._credit.get(op_id)  # (``_spend_credit`` inline: once per call)
        if credit is not None and credit.left and credit.tokens == tokens \
                and credit.day == self._day():
            credit.left -= 1
            return
        slot: _Slot = (op_id, tokens, asyncio.get_running_loop().create_future(), [], [False])
        self._pending.append(slot)
        if self._busy:
            try:
                await slot[2]  # (a cancel cancels it; served or not: slot[4], ``_serve``)
            except BaseException:
                self._not_leaving(slot)
                raise
        else:
            self._busy = True
            try:
                while self._pending:
                    await self._refill()
            finally:
                self._busy = False
        if slot[3]:
            raise slot[3][0]

    def _not_leaving(self, slot: _Slot) -> None:
        """A call cancelled while its charge was on its way (``charge``) never leaves: not
        written yet, it is not written; written already (its refill's commit, or the new
        credit it was served from, came as the cancel did), its charge goes back to the
        operation's credit, which a call spends or the run's end takes back. Kept, it was
        charged for good (a cancelled run's ledger 4 calls over the server's count)."""
        if slot in self._pending:
            self._pending.remove(slot)
            return
        if not slot[4][0] or slot[3]:
            return  # (its write failed: nothing was charged)
        op_id, tokens = slot[0], slot[1]
        credit = self._credit.get(op_id)
        if credit is not None and credit.tokens == tokens:
            credit.left += 1
        else:  # (a price the credit no longer has: taken back as it is)
            self._back.append((self._day(), op_id, -tokens, -1))

    async def _refill(self) -> None:
        """One commit: the waiting calls, each operation's next credit, and the credit
        left from another day or price (taken back: its calls never left)."""
        batch, self._pending = self._pending, []
        day, now = self._day(), self._clock.now()
        waiting: dict[tuple[str, int], int] = {}
        for op, cost, *_ in batch:
            waiting[op, cost] = waiting.get((op, cost), 0) + 1
        rows: list[SpendRow] = []
        fresh: dict[str, tuple[int, int]] = {}
        for (op, cost), calls in waiting.items():
            credit = self._credit.get(op) or _Credit()
            if credit.left:  # another day or price: not spendable any more
                rows.append((credit.day, op, -credit.left * credit.tokens, -credit.left))
            quick = now - credit.refilled < self._horizon
            extra = min(self._most, max(1, 2 * credit.extra)) if quick else credit.extra // 2
            rows.append((day, op, (calls + extra) * cost, calls + extra))
            fresh[op] = (cost, extra)
        rider = self.rider
        riding = rider.take() if rider is not None else []
        try:
            # the waiters need its end (a fake clock holds still meanwhile: ``in_thread``)
            with anyio.CancelScope(shield=True):
                try:
                    await self.write(riding, rows)
                except Exception:
                    if not riding or rider is None:
                        raise
                    # the outcomes wait for their own batch (where an error of theirs
                    # is raised, as before they rode); the charges are written alone
                    rider.back(riding)
                    riding = []
                    await self.write([], rows)
        except Exception as exc:
            for waiter in batch:
                waiter[3].append(exc)
        else:
            if riding and rider is not None:
                rider.written()
            for op, (cost, extra) in fresh.items():
                credit = self._credit.setdefault(op, _Credit())
                credit.day, credit.tokens, credit.left = day, cost, extra
                credit.extra, credit.refilled = extra, now
            # the calls that came during the write: served from the new credit if it can
            still = []
            for waiter in self._pending:
                if self._spend_credit(waiter[0], waiter[1], day):
                    _serve(waiter)
                else:
                    still.append(waiter)
            self._pending = still
        for waiter in batch:
            _serve(waiter)

    async def held_since(self) -> float | None:
        """The wall time the first writer of the job that holds its write answers began
        (``HELD`` keys); None when none has written: an item marked SENDING at or after
        it was marked by such a run. Raises StoreError."""
        keys = await self._store.meta_prefixed(META_IN_DOUBT)
        starts = [float(key.rpartition(HELD)[2]) for key in keys
                  if HELD in key and _number(key.rpartition(HELD)[2])]
        return min(starts, default=None)

    def take_back(self) -> list[SpendRow]:
        """The credit not spent, as negative ledger rows (to write with the run's last
        flush: the calls it was charged for never left); the credit is then empty."""
        rows, self._back = self._back, []
        for op, credit in self._credit.items():
            if credit.left:
                rows.append((credit.day, op, -credit.left * credit.tokens, -credit.left))
                credit.left = 0
        return rows


def _serve(slot: _Slot) -> None:
    """Mark a waiting call served (its charge written, or its write's error in its slot)
    and settle its future; one its caller's cancel cancelled stays so, but the call is
    served all the same (as ``anyio.Event.is_set`` said after a cancelled wait): a cancel
    requested before the refill, its task run after it, found the future cancelled and
    kept a charge written for a call that never left (f37e's future: 5 tokens over the
    server in 2 of 8 runs of tests/test_import_runs.py under load)."""
    slot[4][0] = True
    if not slot[2].done():
        slot[2].set_result(None)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _lowered(keys: Mapping[str, Any], tokens: Mapping[str, int], own: str) -> dict[str, Any]:
    """The ``HELD`` keys of earlier runs (not ``own``) less ``tokens`` by operation, the
    largest figure first, none below 0: the meta to write (only the keys that moved)."""
    live = {writer._key for writer in _LIVE} | {own}  # their figures are theirs to write
    figures = {key: _by_operation(value) for key, value in keys.items()
               if key not in live and HELD in key}
    out: dict[str, Any] = {}
    for op, n in tokens.items():
        for key in sorted(figures, key=lambda k: -figures[k].get(op, 0)):
            if n <= 0:
                break
            take = min(n, figures[key].get(op, 0))
            if take:
                figures[key][op] -= take
                n -= take
                out[key] = {o: t for o, t in figures[key].items() if t} or None
    return out


META_LOST = "spend_lost"
"""The meta key prefix (then a writer's ``META_IN_DOUBT`` key's own part) of the tokens by
operation of that writer's writes that got no answer and were not found applied
(``_Ahead.unanswered``): part of its figure in doubt, never credit to take back. Not under
``META_IN_DOUBT``: the figure already counts them."""


def lost_key(key: str) -> str:
    """The ``META_LOST`` key of the writer whose figure in doubt is under ``key``."""
    return META_LOST + key.removeprefix(META_IN_DOUBT)


META_CREDIT_SETTLED = "spend_credit_settled"
"""The meta key of the ``HELD`` keys (runs that ended, or were killed) whose credit never
used is taken back already (``take_back_unused``): each is settled once."""


def take_back_unused(store: Any, ops: Collection[str],
                     calls_of: Callable[[Item], Mapping[str, int]],
                     outside: Mapping[str, int] | None = None) -> dict[str, int]:
    """Before a run (a resume), take back from the ledger and from the figure in doubt
    the credit the runs before it charged ahead and never used: a kill -9 leaves it
    charged, and it is no call at all (f35f 4: each kill added up to ``CREDIT_CALLS``
    calls per operation to ``tokens_in_doubt`` for good). Only for ``ops``, the writes a
    job kind makes inside its items alone (``holding``: their answers come off the figure
    with the item's outcome, so a killed run's figure of them, as written, is exact): the
    figure of such an operation is then its credit never used, its refunds not written
    and its items' writes left SENDING. ``calls_of(item)``: the most calls of each
    operation an item left SENDING may have charged (its writes in flight, answered or
    cut off: they stay in doubt, to its reconcile). ``outside``: the most calls of each of
    ``ops`` the runs may have made outside their items (a dedupe's put-back PATCHes,
    ``DedupeJob.outside_writes``): answered or not, they stay in doubt too. What is left
    is taken back, once per run's key (``META_CREDIT_SETTLED``), before anything
    reconciles those items. ``store``: a ``JobStore``; returns the tokens taken back by
    operation. Raises StoreError."""
    keys = store.meta_prefixed(META_IN_DOUBT)
    marked = store.meta_get(META_CREDIT_SETTLED)
    done = set(marked) if isinstance(marked, list) else set()
    live = {writer._key for writer in _LIVE}
    open_keys = {key: _by_operation(value) for key, value in keys.items()
                 if HELD in key and key not in live and key not in done
                 and _number(key.rpartition(HELD)[2])}
    if not open_keys:
        return {}
    if not isinstance(marked, list):
        # no take-back ran on this job yet: the keys of runs before the newest are of
        # runs a later one followed, whose items it settled already (their writes cut
        # off are no longer SENDING, yet may have been charged): only the newest is
        # judged, the others settled as they are
        newest = max(open_keys, key=lambda key: float(key.rpartition(HELD)[2]))
        done |= set(open_keys) - {newest}
        open_keys = {newest: open_keys[newest]}
    since = min(float(key.rpartition(HELD)[2]) for key in open_keys)
    sending = {op: n * OPERATIONS[op].token_cost for op, n in (outside or {}).items()
               if op in OPERATIONS}
    for key in open_keys:  # writes that got no answer: in doubt, never credit (x39r5 F1)
        for op, n in _by_operation(store.meta_get(lost_key(key))).items():
            sending[op] = sending.get(op, 0) + n
    for item in store.items(ItemState.SENDING):
        if item.sent_at is not None and item.sent_at >= since:  # marked by those runs
            for op, n in calls_of(item).items():
                sending[op] = sending.get(op, 0) + n * OPERATIONS[op].token_cost
    back = {op: extra for op in sorted(ops) if op in OPERATIONS and (extra := sum(
        figure.get(op, 0) for figure in open_keys.values()) - sending.get(op, 0)) > 0}
    meta: dict[str, Any] = dict(_lowered(open_keys, back, ""))
    meta[META_CREDIT_SETTLED] = sorted(done | set(open_keys))
    days = [day for day, tokens in store.spend_by_day().items() if tokens > 0]
    rows: list[SpendRow] = [(max(days), op, -tokens, -(tokens // OPERATIONS[op].token_cost))
                            for op, tokens in back.items()] if days else []
    if not rows:
        back = {}
        meta = {META_CREDIT_SETTLED: meta[META_CREDIT_SETTLED]}
    store.correct_earlier(rows, meta)  # theirs: not in this run's ``spend_now``
    return back


def writes_unanswered(store: Any, ops: Collection[str],
                      sent: Collection[float | None]) -> int | None:
    """The most calls of ``ops`` (writes a job kind makes inside its items alone, each
    charged before it leaves) the job's runs may have sent with no answer recorded: its
    writers' figures in doubt (``HELD`` keys), in calls — an upper bound (credit charged
    ahead and never used, and answers lost of items settled since, count too). ``sent``:
    the ``sent_at`` (wall seconds) of the items left SENDING that the bound is for. None
    when the figures cannot bound them: no such writer, an item marked before the first
    of them began (an earlier version may have counted its answer already) or after the
    newest writer at work in this process on this job began (the run reconciling: its
    figure is live, not yet written). x51r7 F1: a resume took as its own 9 writes the
    ledger showed never left. ``store``: a ``JobStore``. Raises StoreError."""
    figures = {key: _by_operation(value)
               for key, value in store.meta_prefixed(META_IN_DOUBT).items()
               if HELD in key and _number(key.rpartition(HELD)[2])}
    if not figures or not sent:
        return None
    since = min(float(key.rpartition(HELD)[2]) for key in figures)
    began = [float(writer._key.rpartition(HELD)[2]) for writer in _LIVE
             if writer._key in figures]
    until = max(began, default=float("inf"))
    if any(at is None or at < since or at >= until for at in sent):
        return None
    calls = 0
    for op in ops:
        tokens = sum(figure.get(op, 0) for figure in figures.values())
        calls += -(-tokens // max(1, OPERATIONS[op].token_cost)) if op in OPERATIONS else 0
    return calls


def earlier_item(item: Item, since: float | None) -> bool:
    """Whether ``item`` (left SENDING by an earlier run) was marked by a run that holds
    its write answers (``since``: ``_Ahead.held_since``)."""
    return since is not None and item.sent_at is not None and item.sent_at >= since


_LIVE: weakref.WeakSet[_Ahead] = weakref.WeakSet()  # this process's writers

_HELD: contextvars.ContextVar[tuple[_Ahead, list[tuple[str, int]]] | None] = (
    contextvars.ContextVar("pdbulk_held_answers", default=None))


# and _Ahead: runner, calls
__all__ = ["META_CREDIT_SETTLED", "META_IN_DOUBT", "META_UNSPLIT", "Rider", "mark_unsplit",
           "take_back_unused", "tokens_in_doubt", "tokens_unsplit", "writes_unanswered"]
