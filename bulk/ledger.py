"""Charges written to the job's spend ledger before their calls leave (``_Ahead``).

A call's charge is in the ledger before the call leaves: the calls admitted while one
write runs share the next commit (a group commit), so a kill -9 loses none of what the
account charged. The refunds (429 / 5xx / ``RequestNotSent``) follow with the runner's
next outcome batch (``bulk.runner.Runner.flush_spend``); a kill before it over-counts
that call: conservative.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import anyio

from .clock import Clock
from .store import AsyncJobStore


class _Ahead:
    """The charges of calls about to leave, written to the job's ledger before they leave:
    a group commit (the charges that arrive while one write runs share the next), so the
    ledger never lacks a call the account may have charged, whenever the process dies."""

    __slots__ = ("_busy", "_clock", "_day", "_pending", "_store")

    def __init__(self, store: AsyncJobStore, day: Callable[[], str], clock: Clock) -> None:
        self._store, self._day, self._clock = store, day, clock
        self._pending: list[tuple[str, int, anyio.Event, list[BaseException]]] = []
        self._busy = False

    def __repr__(self) -> str:
        return f"_Ahead(pending={len(self._pending)}, busy={self._busy})"

    async def charge(self, op_id: str, tokens: int) -> None:
        """Return once ``tokens`` for one call of ``op_id`` are in the ledger; raises what
        the store raised (StoreError) for the write that carried them."""
        slot: tuple[str, int, anyio.Event, list[BaseException]] = (
            op_id, tokens, anyio.Event(), [])
        self._pending.append(slot)
        if self._busy:
            await slot[2].wait()
        else:
            self._busy = True
            try:
                while self._pending:
                    batch, self._pending = self._pending, []
                    rows: dict[str, list[int]] = {}
                    for op, cost, _, _ in batch:
                        row = rows.setdefault(op, [0, 0])
                        row[0] += cost
                        row[1] += 1
                    day = self._day()
                    try:
                        # the waiters need its end; a fake clock holds still meanwhile
                        with anyio.CancelScope(shield=True), _busy(self._clock):
                            await self._store.record([], [(day, op, t, c)
                                                          for op, (t, c) in rows.items()])
                    except Exception as exc:
                        for waiter in batch:
                            waiter[3].append(exc)
                    for waiter in batch:
                        waiter[2].set()
            finally:
                self._busy = False
        if slot[3]:
            raise slot[3][0]


def _busy(clock: Clock) -> contextlib.AbstractContextManager[None]:
    """``clock.busy()`` (``bulk.clock``): work off the loop runs; a clock without it: none."""
    busy = getattr(clock, "busy", None)
    return busy() if busy is not None else contextlib.nullcontext()


__all__: list[str] = []  # internal: bulk.runner and bulk.calls use _Ahead
