"""The coordinators date a process's calls in the shared window as its scheduler does: a
faster round trip than any before moves them later (``Coordinator.later``), in one process
(``ProcessCoordinator``) and across processes (Redis, atomically in its script). Virtual
time (FakeClock; a Redis round trip holds it still)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from bulk.clock import FakeClock
from bulk.coordinator import Coordinator, fingerprint
from bulk.coordinator_process import ProcessCoordinator
from bulk.coordinator_redis import RedisCoordinator
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import Scheduler
from tests.redis_helpers import RedisServer, running_redis

pytestmark = pytest.mark.anyio
PATCH = get_operation("updateDeal")
WINDOW = 2.0


@pytest.fixture
async def redis_server() -> AsyncIterator[RedisServer]:
    with running_redis() as server:
        yield server


async def _slow_start(make: Callable[[FakeClock], Coordinator], *, engines: int = 2,
                      burst: int = 40, slow: int = 20, calls: int = 160) -> int:
    """``calls`` PATCHes by each of ``engines`` schedulers sharing one account through the
    coordinators ``make`` builds (``burst // 8`` workers each: acquire with ``hold``,
    ``leaving``, ``observe``) against a server that counts each call on arrival; each
    engine's first ``slow`` calls take 40 ms longer on the way there (connections being
    opened), every later one 100 ms; 1 ms back. Spans of the window on the server's clock
    over the burst."""
    clock = FakeClock()
    coords = [make(clock) for _ in range(engines)]
    for coord in coords:
        await coord.start(fingerprint("tok"))
        coord.bind("42")
    scheds = [Scheduler(Limits(burst=burst, window=WINDOW, daily_tokens=10**9), clock=clock,
                        coordinator=coord) for coord in coords]
    arrivals: list[float] = []

    async def engine(s: Scheduler) -> None:
        left = calls

        async def worker() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                n = calls - left
                admitted = await s.acquire(PATCH, hold=True)
                s.leaving(PATCH, admitted)
                sent = clock.now()
                await clock.sleep(0.14 if n <= slow else 0.1)
                arrivals.append(clock.now())
                await clock.sleep(0.001)
                s.observe(PATCH, None, sent_at=sent)

        async with asyncio.TaskGroup() as tg:
            for _ in range(burst // 8):
                tg.create_task(worker())

    try:
        async with asyncio.timeout(120):  # real seconds: a Redis round trip each admission
            await asyncio.gather(*(engine(s) for s in scheds))
    finally:
        for coord in coords:
            await coord.aclose()
    assert len(arrivals) == engines * calls
    arrivals.sort()
    return sum(1 for i in range(len(arrivals) - burst)
               if arrivals[i + burst] - arrivals[i] < WINDOW - 1e-9)


@pytest.mark.parametrize("engines", [2, 3])
async def test_a_faster_round_trip_dates_the_shared_window_later_in_one_process(
        engines: int) -> None:
    """Engines of one process on one account (``ProcessCoordinator``), each one's first 20
    calls 40 ms slower on the way there: the calls in the shared window, dated with the
    slower fastest round trip, are dated with the faster one once it is seen, and no
    window on the server holds more than the burst. Left where they were (f27c), the
    shared window freed their slots 40 ms early: 6 windows over the burst with 2 engines,
    20 with 3 (and 5 with 3 when only each engine's own entries moved)."""
    assert await _slow_start(
        lambda clock: ProcessCoordinator(f"http://127.0.0.1:9/f27c-{engines}", "tok",
                                         clock=clock), engines=engines) == 0


@pytest.mark.parametrize("engines", [2, 3])
async def test_a_faster_round_trip_dates_the_redis_window_later(
        redis_server: RedisServer, engines: int) -> None:
    """The same engines as processes on the Redis coordinator: the shared windows' entries
    move later when a process's fastest round trip falls (the LATER script, atomic), and
    no window on the server holds more than the burst."""
    assert await _slow_start(
        lambda clock: RedisCoordinator(redis_server.url, clock=clock), engines=engines) == 0
