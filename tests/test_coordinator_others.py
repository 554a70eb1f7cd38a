"""Another client on the token (not going through any coordinator) keeps spending part of
the burst window: the coordinators (and a scheduler alone) keep its calls in the window from
one reading of the server's headers (``x-ratelimit-remaining`` / ``-reset``) to the next,
and the jobs take only the room it leaves (f27c, x23r3 F2). Virtual time (FakeClock; a Redis round trip
holds it still); the server counts each call on arrival."""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import AsyncIterator, Callable

import pytest

from bulk.clock import FakeClock
from bulk.coordinator import Coordinator, LocalCoordinator, fingerprint
from bulk.coordinator_process import ProcessCoordinator
from bulk.coordinator_redis import RedisCoordinator
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import Scheduler
from tests.redis_helpers import RedisServer, running_redis

pytestmark = pytest.mark.anyio
PATCH = get_operation("updateDeal")
WIDTH, BURST, OTHERS = 2.0, 40, 12  # the other client: 12 calls a window, evenly


@pytest.fixture
async def redis_server() -> AsyncIterator[RedisServer]:
    with running_redis() as server:
        yield server


async def beside_another_client(make: Callable[[FakeClock], Coordinator], *, engines: int = 2,
                                calls: int = 150, seed: int = 0,
                                token: str = "tok") -> tuple[list[float], float]:
    """``engines`` schedulers (8 workers each, ``calls`` PATCHes each, 150 ± 50 ms on the
    way there, 1 ms back; a 429 is paused on and sent again) sharing the account through
    the coordinators ``make`` builds, two windows after another client began sending
    ``OTHERS`` calls a window. (When the jobs' calls were refused, from the jobs' start;
    the jobs' rate ÷ the room the other client leaves.)"""
    clock, rng = FakeClock(), random.Random(seed)
    window: deque[float] = deque()
    refused: list[float] = []

    def arrive(now: float) -> RateHeaders | None:
        while window and window[0] + WIDTH <= now:
            window.popleft()
        if len(window) >= BURST:
            return None
        window.append(now)
        return RateHeaders(limit=BURST, remaining=BURST - len(window),
                           reset=window[0] + WIDTH - now)

    coords = [make(clock) for _ in range(engines)]
    for coord in coords:
        await coord.start(fingerprint(token))
        coord.bind("42")
    scheds = [Scheduler(Limits(burst=BURST, window=WIDTH, daily_tokens=10**9), clock=clock,
                        coordinator=coord, probe=True) for coord in coords]
    done = asyncio.Event()

    async def other() -> None:
        while not done.is_set():  # bounded: stops with the jobs
            arrive(clock.now())
            await clock.sleep(WIDTH / OTHERS)

    async def engine(s: Scheduler) -> None:
        left = calls

        async def worker() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                for _ in range(100):  # bounded: a call refused 100 times fails the test
                    admitted = await s.acquire(PATCH, hold=True)
                    s.leaving(PATCH, admitted)
                    sent = clock.now()
                    await clock.sleep(0.15 + rng.uniform(-0.05, 0.05))
                    rate = arrive(clock.now())
                    await clock.sleep(0.001)
                    if rate is not None:
                        s.observe(PATCH, rate, sent_at=sent)
                        break
                    refused.append(clock.now() - start)
                    s.rate_limited(PATCH, RateHeaders(limit=BURST, remaining=0,
                                                      reset=window[0] + WIDTH - clock.now()),
                                   None, sent_at=sent)
                    s.refund(PATCH)

        async with asyncio.TaskGroup() as tg:
            for _ in range(8):
                tg.create_task(worker())

    task = asyncio.create_task(other())
    await clock.sleep(2 * WIDTH)
    start = clock.now()
    try:
        async with asyncio.timeout(120):  # real seconds
            await asyncio.gather(*(engine(s) for s in scheds))
    finally:
        done.set()
        await task
        for coord in coords:
            await coord.aclose()
    took = clock.now() - start
    return refused, engines * calls / took / ((BURST - OTHERS) / WIDTH)


async def over_seeds(make: Callable[[FakeClock], Coordinator],
                     seeds: range = range(4)) -> tuple[list[float], list[float]]:
    """``beside_another_client`` over ``seeds`` (the latencies drawn): every run's refused
    times, and each run's ratio. One run's ratio on Redis spreads with the seed (and under
    a loaded CI, where the tasks' order varies, as with another seed: 0.846 on seed 0,
    whose quiet figure is 0.918), so a single run's 0.9 was a coin toss there; the mean of
    four sits at 0.90-0.91. In one process (no threads, no sockets) a seed's run is the
    same whatever the load."""
    refused: list[float] = []
    ratios: list[float] = []
    for seed in seeds:
        # (a token of its own: a shared Redis keeps no window of an earlier run)
        run_refused, ratio = await beside_another_client(make, seed=seed, token=f"tok-{seed}")
        refused += run_refused
        ratios.append(ratio)
    return refused, ratios


async def test_another_client_s_calls_are_held_between_readings_in_one_process() -> None:
    """Two engines of one process (``ProcessCoordinator``) beside another client spending
    12 of the 40 calls a window: past the run's first three windows no call is refused,
    and the jobs take the room it leaves. Before (f27c), an entry for the other client's
    call left the shared window a window after the reading that added it, before a later
    reading put its successor in, and a job took the slot the other client's next call
    held: 8-16 refused past the first three windows (21-29 in all) in 6 runs.

    Each seed's run takes 0.9 of that room at least: before (issue 8), each engine's
    scheduler took its sibling's calls for another client's as well, and kept phantom
    entries for them a window from their answers (44-68 a run): 0.78-1.0 by the seed, the
    lowest under 0.8 in each of 4 runs of seeds 0-7; now 0.93-1.01."""
    refused, ratios = await over_seeds(
        lambda clock: ProcessCoordinator("http://127.0.0.1:9/f27c-others", "tok", clock=clock),
        seeds=range(8))
    assert [t for t in refused if t > 3 * WIDTH] == []
    assert min(ratios) >= 0.9, ratios


async def test_another_client_s_calls_are_held_between_readings_on_redis(
        redis_server: RedisServer) -> None:
    """The same as two processes on the Redis coordinator (the WINDOW script): none
    refused past the first three windows (before: 8-25 in 6 runs, 27-31 in all)."""
    refused, ratios = await over_seeds(
        lambda clock: RedisCoordinator(redis_server.url, clock=clock))
    assert [t for t in refused if t > 3 * WIDTH] == []
    assert sum(ratios) / len(ratios) >= 0.85, ratios


async def test_another_client_s_calls_are_held_between_readings_by_a_scheduler_alone() -> None:
    """One engine, no shared coordinator: its scheduler's entries for the other client's
    calls are kept from one reading to the next as the coordinators' are, and none of its
    calls is refused. Before (f27c), 8-12 refused a run (a window after each burst),
    0.67-0.79 of the room the other client leaves (now 0.93-0.99)."""
    refused, ratio = await beside_another_client(lambda clock: LocalCoordinator(), engines=1)
    assert refused == []
    assert ratio >= 0.9, ratio
