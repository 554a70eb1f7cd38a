"""Items a run marked SENDING by the batch whose write has not left yet (``Handed``).

A kind's batch is marked SENDING in one commit before it is handed to the workers
(``bulk.runner``): one write per batch, not one per item. Until an item's first write
passes its admission, nothing of it has left; while the run waits for the daily reset
(hours) those items must not read as sending — ``pdbulk status`` showed ``sending 28``
with nothing in flight (f25h 1), and a kill then left them in doubt, read back on resume.
So once the scheduler waits for the reset, the items held are put back to pending
(``park``, one commit); a parked item is marked SENDING again, alone, right before its
write leaves (``hook``). An item in doubt is always one whose write may have left.

It never sends anything and never knows what an item means.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

import anyio

from .store import AsyncJobStore, ItemState, Outcome


class Handed:
    """The items marked SENDING whose write has not left (``held``), and those put back
    to pending while the run waits (``parked``)."""

    __slots__ = ("_held", "_lock", "_parked", "_store", "_wall")

    def __init__(self, store: AsyncJobStore, wall: Callable[[], float]) -> None:
        self._store, self._wall = store, wall
        self._held: set[int] = set()
        self._parked: set[int] = set()
        self._lock = anyio.Lock()  # a park's commit before any re-mark of its items

    def __repr__(self) -> str:
        return f"Handed(held={len(self._held)}, parked={len(self._parked)})"

    def hold(self, ids: list[int]) -> None:
        """``ids`` were just marked SENDING, none of their writes left yet."""
        self._held.update(ids)

    def hook(self, item_id: int) -> Callable[[], Awaitable[None] | None]:
        """What ``bulk.calls`` calls before each write of the item leaves: None when there
        is nothing to wait for (no reset wait parked the item: every write of every
        kind but ``final_writes`` passes here, so no coroutine and no await then), else
        the re-mark to await first."""
        return functools.partial(self._leaving, item_id)

    def _leaving(self, item_id: int) -> Awaitable[None] | None:
        held = self._held
        if item_id in held:
            held.discard(item_id)  # leaving: in doubt from now on, rightly
        elif item_id in self._parked:
            return self._unpark(item_id)
        return None

    async def _unpark(self, item_id: int) -> None:
        async with self._lock:  # after the park's commit that put it back to pending
            if item_id in self._parked:
                await self._store.mark_sending([item_id], self._wall())
                self._parked.discard(item_id)

    async def park(self) -> int:
        """Every item held goes back to pending, in one commit; returns how many."""
        async with self._lock:
            ids, self._held = sorted(self._held), set()
            if not ids:
                return 0
            self._parked.update(ids)  # before the await: a hook then waits for the lock
            try:
                with anyio.CancelScope(shield=True):
                    await self._store.record([Outcome(i, ItemState.PENDING, unsent=True)
                                              for i in ids])
            except BaseException:
                self._parked.difference_update(ids)  # still SENDING in the store
                self._held.update(ids)
                raise
            return len(ids)

    def parked(self, item_id: int) -> bool:
        """Whether the item is pending again, none of its writes sent since."""
        return item_id in self._parked

    def let_go(self, item_id: int) -> bool:
        """The item's worker is done with it: True when that is all (it was not parked,
        the outcome is recorded as it is: no await), False when ``settle`` must decide."""
        self._held.discard(item_id)
        return item_id not in self._parked

    async def settle(self, item_id: int, outcome: Outcome | None) -> Outcome | None:
        """The outcome to record for an item its worker is done with: an item parked and
        never sent is pending in the store already (None: nothing to record), or is
        marked SENDING again first when it settled without a write (a store has no
        pending -> done)."""
        self._held.discard(item_id)
        if item_id not in self._parked:
            return outcome
        if outcome is None or outcome.state is ItemState.PENDING:
            async with self._lock:
                self._parked.discard(item_id)
            return None
        await self._unpark(item_id)
        return outcome

    async def release(self, ids: list[int]) -> list[int]:
        """``ids`` go back to pending unsent (a stop before they were handed out): those
        still SENDING in the store, to record as pending (the parked ones are already)."""
        async with self._lock:
            self._held.difference_update(ids)
            back = [i for i in ids if i not in self._parked]
            self._parked.difference_update(ids)
            return back

__all__: list[str] = []  # internal: bulk.runner uses Handed
