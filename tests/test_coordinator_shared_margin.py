"""A shared window (Redis, and the process coordinator) dates each answered call with the
token's fastest round trip, the least any of its processes (engines) saw, not with its own
process's: a process dated its answered calls at "answer minus its OWN fastest round
trip", and another process's call can reach the server faster than that process ever saw
(f40d 2: under load one process's fastest was 172 ms, its entry dated 171 ms before the
server counted it; the other's next call arrived 156 ms after Redis admitted it; the
server's window held burst + 1: a 429). Real redis-server, virtual time (FakeClock)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bulk.clock import FakeClock
from bulk.coordinator import Limit, fingerprint
from bulk.coordinator_process import ProcessCoordinator
from bulk.coordinator_redis import RedisCoordinator
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import Scheduler
from tests.redis_helpers import RedisServer, running_redis

pytestmark = pytest.mark.anyio
PATCH = get_operation("updateDeal")
WINDOW, BURST = 2.0, 10
TOKEN = "shared-margin-token-0123456789"
BACK = 0.001  # every answer's way back (seconds)
# process A's ways there: 171 ms and up (its fastest round trip 172 ms, its 8 fastest
# spread over 35 ms); process B's: 156 ms, faster than any round trip A saw
SLOW = [0.171 + 0.005 * (i % 8) for i in range(64)]
FAST = 0.156
CALLS = 40  # each process's calls: four windows' worth between them


@pytest.fixture
async def redis_server() -> AsyncIterator[RedisServer]:
    with running_redis() as server:
        yield server


async def _fleet(clock: FakeClock, scheds: list[Scheduler]) -> list[float]:
    """Both processes send CALLS calls each, three at a time; the server's arrival times."""
    arrivals: list[float] = []

    async def call(sched: Scheduler, there: float) -> None:
        admitted = await sched.acquire(PATCH, hold=True)
        sched.leaving(PATCH, admitted)
        sent = clock.now()
        await clock.sleep(there)
        arrivals.append(clock.now())
        await clock.sleep(BACK)
        sched.observe(PATCH, None, sent_at=sent)

    async def process(sched: Scheduler, ways: list[float]) -> None:
        for n in range(0, CALLS, 4):  # bounded: CALLS calls, 4 out at a time
            await asyncio.gather(*(call(sched, ways[(n + k) % len(ways)]) for k in range(4)))

    async with asyncio.timeout(120):  # real seconds: a Redis round trip each admission
        await asyncio.gather(process(scheds[0], SLOW), process(scheds[1], [FAST]))
    return sorted(arrivals)


def _over(arrivals: list[float]) -> list[float]:
    """The arrivals that open a window on the server's clock holding more than the burst."""
    return [arrivals[i] for i in range(len(arrivals) - BURST)
            if arrivals[i + BURST] - arrivals[i] < WINDOW - 1e-9]


async def test_a_faster_process_never_overfills_the_redis_window(
        redis_server: RedisServer) -> None:
    """Process A (slower ways there) and process B (faster than A ever saw) share the
    token's window through Redis: no window on the server's clock holds more than the
    burst (before: B's calls took the slots A's entries freed 15 ms too soon)."""
    clock = FakeClock()
    coords = [RedisCoordinator(redis_server.url, clock=clock) for _ in range(2)]
    scheds = []
    try:
        for coord in coords:
            await coord.start(fingerprint(TOKEN))
            coord.bind("42")
            scheds.append(Scheduler(Limits(burst=BURST, window=WINDOW, daily_tokens=10**9),
                                    clock=clock, coordinator=coord))
        arrivals = await _fleet(clock, scheds)
    finally:
        for coord in coords:
            await coord.aclose()
    assert len(arrivals) == 2 * CALLS
    assert _over(arrivals) == [], arrivals


async def test_a_faster_engine_never_overfills_the_process_window() -> None:
    """The same two callers as two engines of one process (the process coordinator)."""
    clock = FakeClock()
    coords = [ProcessCoordinator("http://127.0.0.1:9", TOKEN, clock=clock) for _ in range(2)]
    scheds = [Scheduler(Limits(burst=BURST, window=WINDOW, daily_tokens=10**9),
                        clock=clock, coordinator=coord) for coord in coords]
    try:
        arrivals = await _fleet(clock, scheds)
    finally:
        for coord in coords:
            await coord.aclose()
    assert len(arrivals) == 2 * CALLS
    assert _over(arrivals) == [], arrivals


async def test_the_token_s_fastest_survives_its_key_running_out(
        redis_server: RedisServer) -> None:
    """The token's fastest round trip kept in Redis (``fastest`` key) is set again by the
    next answer when it is gone (its TTL ran out while no process answered: a long wait
    for the reset), and a faster process's next answer lowers it and moves every entry
    later by as much, though that process told no new fastest (``fastest_seen`` is told
    only a faster one)."""
    clock = FakeClock(epoch=1_000_000.0)
    coords = [RedisCoordinator(redis_server.url, clock=clock) for _ in range(2)]
    limit = Limit(width=WINDOW, burst=BURST, search=BURST, day_limit=10**9, day=0,
                  day_ends=1_000_000.0 + 86_400)
    client = aioredis.from_url(redis_server.url)
    try:
        for coord in coords:
            await coord.start(fingerprint(TOKEN))
        slow, fast = coords
        slow.fastest_seen(0.200)
        fast.fastest_seen(0.100)
        key = slow._token_key("burst")
        await slow._flush()
        await fast._flush()
        assert float(await client.get(slow._token_key("fastest"))) == 0.100
        await client.delete(slow._token_key("fastest"))  # run out
        wall = clock.wall()
        for coord in (slow, fast):  # one call each, answered; the slow one's first
            await coord.admit(PATCH, limit)
            coord.answered(wall, wall + 0.300)
            await coord._flush()
        scores = sorted(s for _, s in await client.zrange(key, 0, -1,
                                                                         withscores=True))
        # the fast one's as its answer said; the slow one's dated with its own 0.2 s (the
        # key set again), then moved 0.1 s later by the fast one's answer
        assert scores == pytest.approx([wall + 0.300, wall + 0.400])
        assert float(await client.get(slow._token_key("fastest"))) == 0.100
    finally:
        await client.aclose()
        for coord in coords:
            await coord.aclose()
