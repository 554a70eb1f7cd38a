"""Charges written to the job's spend ledger before their calls leave (``_Ahead``).

A call's charge is in the ledger before the call leaves, so a kill -9 loses none of
what the account charged. Writing one commit per call cost about a quarter of the
engine's CPU per request (issue 8: 0.5 of 2.2 ms at Growth), so the ledger is charged
ahead in **credit**: when an operation's credit runs out, one commit charges the calls
waiting for it plus a few more of the same operation; the next calls spend that credit
in memory, with no commit. The credit a run did not spend is taken back when it ends
(``Runner.flush_spend``): a finished or stopped run's ledger is exact. A kill -9 leaves
the unspent credit charged: the ledger then over-counts by at most ``most`` calls per
operation in use (``CREDIT_CALLS``; conservative, as before), never under-counts.

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

**In doubt**: a call that left and got no answer (a connection dropped, a timeout, a
cancel in flight) may or may not have been charged — the sandbox charges none dropped
before it read the request, Pipedrive does not say. The ledger counts it (budget stops
stay on the safe side) and the job's figure of such tokens (``META_IN_DOUBT``, by
operation: ``tokens_in_doubt``) is added when a run flushes its spend, so the reports
say "N charged + up to M in doubt" (x32r1 F4: 1,155 counted vs 1,070 charged). A kill
-9 loses that run's share of it (its calls then read as charged: the old figure).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

import anyio

from .clock import Clock
from .store import AsyncJobStore

META_IN_DOUBT = "spend_in_doubt"
"""The job's meta key of its tokens in doubt, ``{operation: tokens}`` (every run)."""


class _MetaReader(Protocol):
    def meta_get(self, key: str) -> object: ...


def _by_operation(found: object) -> dict[str, int]:
    if not isinstance(found, Mapping):
        return {}
    return {str(op): n for op, n in found.items() if isinstance(n, int) and n > 0}


def tokens_in_doubt(store: _MetaReader) -> dict[str, int]:
    """The job's tokens in doubt by operation (``META_IN_DOUBT``; {} when none): the part
    of its ledger whose calls got no answer, charged or not. Raises StoreError."""
    return _by_operation(store.meta_get(META_IN_DOUBT))


async def add_in_doubt(store: AsyncJobStore, tokens: Mapping[str, int]) -> None:
    """Add ``tokens`` (operation → tokens in doubt) to the job's figure. Raises StoreError."""
    now = _by_operation(await store.meta_get(META_IN_DOUBT))
    for op, n in tokens.items():
        now[op] = now.get(op, 0) + n
    await store.meta_put(META_IN_DOUBT, {op: n for op, n in sorted(now.items()) if n > 0})

# (day, operation, tokens, calls): a ledger row, as JobStore.record takes it
SpendRow = tuple[str, str, int, int]

CREDIT_CALLS = 4
"""The most calls of one operation a run charges ahead of need (``_Ahead``'s ``most``):
what a kill -9 can leave over-counted in the ledger, per operation in use."""


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

    __slots__ = ("_busy", "_clock", "_credit", "_day", "_horizon", "_most", "_pending",
                 "_store")

    def __init__(self, store: AsyncJobStore, day: Callable[[], str], clock: Clock, *,
                 most: int = CREDIT_CALLS, horizon: float = 0.5) -> None:
        self._store, self._day, self._clock = store, day, clock
        self._most, self._horizon = most, horizon  # calls; seconds
        self._pending: list[tuple[str, int, anyio.Event, list[BaseException]]] = []
        self._credit: dict[str, _Credit] = {}
        self._busy = False

    def __repr__(self) -> str:
        left = {op: c.left for op, c in self._credit.items() if c.left}
        return f"_Ahead(pending={len(self._pending)}, busy={self._busy}, credit={left})"

    def _spend_credit(self, op_id: str, tokens: int, day: str) -> bool:
        credit = self._credit.get(op_id)
        if credit is None or not credit.left or credit.tokens != tokens or credit.day != day:
            return False
        credit.left -= 1
        return True

    async def charge(self, op_id: str, tokens: int) -> None:
        """Return once ``tokens`` for one call of ``op_id`` are in the ledger; raises what
        the store raised (StoreError) for the write that carried them."""
        if self._spend_credit(op_id, tokens, self._day()):
            return
        slot: tuple[str, int, anyio.Event, list[BaseException]] = (
            op_id, tokens, anyio.Event(), [])
        self._pending.append(slot)
        if self._busy:
            await slot[2].wait()
        else:
            self._busy = True
            try:
                while self._pending:
                    await self._refill()
            finally:
                self._busy = False
        if slot[3]:
            raise slot[3][0]

    async def _refill(self) -> None:
        """One commit: the waiting calls, each operation's next credit, and the credit
        left from another day or price (taken back: its calls never left)."""
        batch, self._pending = self._pending, []
        day, now = self._day(), self._clock.now()
        waiting: dict[tuple[str, int], int] = {}
        for op, cost, _, _ in batch:
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
        try:
            # the waiters need its end (a fake clock holds still meanwhile: ``in_thread``)
            with anyio.CancelScope(shield=True):
                await self._store.record([], rows)
        except Exception as exc:
            for waiter in batch:
                waiter[3].append(exc)
        else:
            for op, (cost, extra) in fresh.items():
                credit = self._credit.setdefault(op, _Credit())
                credit.day, credit.tokens, credit.left = day, cost, extra
                credit.extra, credit.refilled = extra, now
            # the calls that came during the write: served from the new credit if it can
            still = []
            for waiter in self._pending:
                if self._spend_credit(waiter[0], waiter[1], day):
                    waiter[2].set()
                else:
                    still.append(waiter)
            self._pending = still
        for waiter in batch:
            waiter[2].set()

    def take_back(self) -> list[SpendRow]:
        """The credit not spent, as negative ledger rows (to write with the run's last
        flush: the calls it was charged for never left); the credit is then empty."""
        rows: list[SpendRow] = []
        for op, credit in self._credit.items():
            if credit.left:
                rows.append((credit.day, op, -credit.left * credit.tokens, -credit.left))
                credit.left = 0
        return rows


__all__ = ["META_IN_DOUBT", "add_in_doubt", "tokens_in_doubt"]  # and _Ahead: runner, calls
