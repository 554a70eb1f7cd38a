"""Time, injected: the scheduler, backoff, budget reset and progress read it.

``SystemClock`` is real time. ``FakeClock`` is virtual time for tests: its
``sleep`` returns as soon as every other task is idle, with ``now()`` advanced
to the sleeper's deadline, so "600 calls at 40 per 2 s" runs in milliseconds
and ends at exactly t == 30.0.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Monotonic seconds (for windows and durations)."""

    def wall(self) -> float:
        """Unix epoch seconds (for the daily budget reset and reports)."""

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    __slots__ = ()

    def now(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """Virtual time that jumps to the next deadline whenever the loop is idle."""

    __slots__ = ("_driver", "_epoch", "_now", "_seq", "_sleepers")

    def __init__(self, start: float = 0.0, epoch: float = 1_767_225_600.0) -> None:
        self._now = start
        self._epoch = epoch - start  # wall() == epoch at now() == start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._driver: asyncio.Task[None] | None = None

    def now(self) -> float:
        return self._now

    def wall(self) -> float:
        return self._epoch + self._now

    def advance(self, seconds: float) -> None:
        """Move time forward by hand (for synchronous tests); wakes due sleepers."""
        self._now += seconds
        self._wake_due()

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._seq), fut))
        if self._driver is None or self._driver.done():
            self._driver = loop.create_task(self._drive())
        await fut  # cancellation leaves a cancelled future the driver skips

    def _wake_due(self) -> None:
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, fut = heapq.heappop(self._sleepers)
            if not fut.done():
                fut.set_result(None)

    async def _drive(self) -> None:
        loop = asyncio.get_running_loop()
        while self._sleepers:
            # Let every runnable task run until the loop is idle, then jump.
            for _ in range(10_000):
                await asyncio.sleep(0)
                ready = getattr(loop, "_ready", None)
                if ready is not None and len(ready) == 0:
                    break
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)
            if not self._sleepers:
                break
            self._now = max(self._now, self._sleepers[0][0])
            self._wake_due()

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now:.3f}, sleepers={len(self._sleepers)})"


__all__ = ["Clock", "FakeClock", "SystemClock"]
