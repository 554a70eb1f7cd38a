"""The worker pool's two primitives (``bulk.runner``): its slots and its hand-off.

``Slots`` bounds the workers in flight at once (the runner's concurrency target, which
follows the latency); ``Handoff`` carries the items a pass marked SENDING from the
producer to the workers. They stand where ``anyio.CapacityLimiter`` and a memory object
stream stood, for what those cost per item (issue 8, Growth at 150 ± 50 ms): the
limiter's wait took a cancel scope, a task lookup and an event per call (~26 Python calls
a request), and the stream woke the producer for every item a worker took, once its
buffer was full (~27 a request, and ~13 for the receive). Here a free slot or a ready
item is taken with no await; a wait is one future; the producer, finding the buffer
full, sleeps until the workers took it down to half (one wake-up per half buffer).

Both are FIFO and cancellation-safe: a waiter cancelled after it was handed a slot gives
the slot on, one cancelled after it was handed an item puts the item back first in line
(no item a pass marked SENDING is dropped by a cancel). asyncio only (like aiohttp);
each binds to the running loop at its first wait. It must never: admit more workers than
``total``, let a later waiter overtake an earlier one, or lose an item.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

import anyio

T = TypeVar("T")


class Slots:
    """A FIFO counting semaphore whose ``total`` may change while slots are held: a lower
    total takes effect as slots are released (none is taken back), a higher one wakes
    waiters at once."""

    __slots__ = ("_total", "_waiters", "taken")

    def __init__(self, total: int) -> None:
        if total < 1:
            raise ValueError(f"Slots: total must be 1 or more, not {total}")
        self._total = total
        self.taken = 0  # slots held now
        self._waiters: deque[asyncio.Future[None]] = deque()

    def __repr__(self) -> str:
        return f"Slots(taken={self.taken}, total={self._total}, waiting={len(self._waiters)})"

    @property
    def total(self) -> int:
        """The most slots held at once (workers in flight)."""
        return self._total

    @total.setter
    def total(self, total: int) -> None:
        if total < 1:
            raise ValueError(f"Slots: total must be 1 or more, not {total}")
        self._total = total
        self._wake()

    async def take(self) -> None:
        """Wait for a slot (FIFO: none while an earlier caller waits); ``release`` gives it
        back. No loop step when one is free."""
        if self.taken < self._total and not self._waiters:
            self.taken += 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await fut
        except BaseException:
            if fut.done() and not fut.cancelled():
                self.release()  # handed a slot as the cancel came: it goes on to the next
            else:
                try:
                    self._waiters.remove(fut)
                except ValueError:
                    pass
            raise

    def release(self) -> None:
        """Give a slot back (the next waiter takes it if ``total`` allows)."""
        if self.taken <= 0:
            raise RuntimeError("Slots.release without a slot taken")
        self.taken -= 1
        self._wake()

    def _wake(self) -> None:
        waiters = self._waiters
        while waiters and self.taken < self._total:
            fut = waiters.popleft()
            if not fut.done():
                self.taken += 1
                fut.set_result(None)


class Handoff(Generic[T]):
    """A bounded FIFO of items from one producer to many takers. ``put`` waits while the
    buffer holds ``size`` items, until takers took it down to half; ``close`` (the
    producer's end) lets takers drain what is left, then ``take`` raises
    ``anyio.EndOfStream``. ``size`` >= 1 (a rendezvous, size 0, is anyio's stream's job)."""

    __slots__ = ("_closed", "_items", "_low", "_room", "_size", "_takers")

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"Handoff: size must be 1 or more, not {size}")
        self._size, self._low = size, size // 2
        self._items: deque[T] = deque()
        self._takers: deque[asyncio.Future[T]] = deque()
        self._room: asyncio.Future[None] | None = None  # the producer's wait for room
        self._closed = False

    def __repr__(self) -> str:
        return (f"Handoff(items={len(self._items)}, size={self._size}, "
                f"takers={len(self._takers)}, closed={self._closed})")

    def __len__(self) -> int:
        return len(self._items)

    def put_nowait(self, item: T) -> bool:
        """Hand ``item`` to the first waiting taker, or buffer it; False: the buffer is full."""
        if self._closed:
            raise anyio.ClosedResourceError
        takers = self._takers
        while takers:
            fut = takers.popleft()
            if not fut.done():
                fut.set_result(item)
                return True
        if len(self._items) < self._size:
            self._items.append(item)
            return True
        return False

    async def put(self, item: T) -> None:
        """``put_nowait``, waiting while the buffer is full: until it is down to half."""
        while not self.put_nowait(item):
            room: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._room = room
            try:
                await room
            finally:
                self._room = None

    async def take(self) -> T:
        """The first item (no loop step when one is buffered); waits for one; raises
        ``anyio.EndOfStream`` once the producer closed and the buffer is empty."""
        items = self._items
        if items:
            item = items.popleft()
            room = self._room
            if room is not None and len(items) <= self._low and not room.done():
                room.set_result(None)
            return item
        if self._closed:
            raise anyio.EndOfStream
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._takers.append(fut)
        try:
            return await fut
        except BaseException:
            if not fut.done() or fut.cancelled():
                try:  # (a future settled is off the queue already: ``put_nowait``, ``close``)
                    self._takers.remove(fut)
                except ValueError:  # (its error names the future: formatted, ~40 µs)
                    pass
            elif fut.exception() is None:
                items.appendleft(fut.result())  # handed as the cancel came: first in line
            raise

    def close(self) -> None:
        """The producer's end: waiting takers get ``anyio.EndOfStream`` (none waits while
        items are buffered), later ones once the buffer is drained."""
        self._closed = True
        while self._takers:
            fut = self._takers.popleft()
            if not fut.done():
                fut.set_exception(anyio.EndOfStream())


__all__ = ["Handoff", "Slots"]
