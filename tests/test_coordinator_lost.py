"""Shared state lost under a running fleet (F5): a ``FLUSHALL`` (or a Redis restarted
without persistence) empties the coordinator while Pipedrive's window still holds the
fleet's recent calls and its day still counts their tokens. Admission stays conservative
for one window after the loss (0 429s) and the day's spend is not restarted from 0.

Real redis-server; short windows (0.2 s), no sleeps to wait on a rate limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bulk.clock import SystemClock
from bulk.coordinator import fingerprint
from bulk.coordinator_redis import RedisCoordinator
from bulk.engine import Engine
from bulk.errors import RateLimited
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.sandbox import Faults, SandboxConfig, serve
from bulk.scheduler import Scheduler
from bulk.store import JobStore
from tests.import_support import engine_config
from tests.redis_helpers import RedisServer, redis_server

__all__ = ["redis_server"]

pytestmark = pytest.mark.anyio
TOKEN = "lost-state-token-0123456789"
WINDOW, BURST = 0.2, 5
FLUSH_AT = 40
GET, ADD = get_operation("getDeal"), get_operation("addDeal")
_OPEN: list[RedisCoordinator] = []


@pytest.fixture(autouse=True)
async def _close_coordinators() -> AsyncIterator[None]:
    yield
    while _OPEN:
        await _OPEN.pop().aclose()


async def _process(url: str) -> tuple[Scheduler, RedisCoordinator]:
    clock = SystemClock()
    sched = Scheduler(Limits(burst=BURST, search=2, window=WINDOW, daily_tokens=10**6),
                      clock=clock, safety=0.0)
    coord = RedisCoordinator(url, clock=clock)
    _OPEN.append(coord)
    await coord.start(fingerprint(TOKEN))
    sched.attach(coord)
    coord.bind("42")
    return sched, coord


async def _flushall(url: str) -> None:
    client = aioredis.from_url(url)
    try:
        await client.flushall()
    finally:
        await client.aclose()


@pytest.mark.timing
async def test_after_a_flush_the_window_is_held_and_the_day_is_not_restarted(
        redis_server: RedisServer) -> None:
    """A and B fill the token's window, Redis is flushed: B's next call waits until a
    window has passed since the loss (the server still counts the fleet's calls), and the
    company's spend today is re-seeded from what the processes knew, not 0."""
    (a, coord_a), (b, coord_b) = [await _process(redis_server.url) for _ in range(2)]
    for _ in range(2):
        await a.acquire(ADD)  # 5 tokens each
    for _ in range(3):
        await b.acquire(ADD)
    assert coord_b.statistics() is not None and coord_b.statistics().tokens_today == 25  # type: ignore[union-attr]
    a.observe(ADD, RateHeaders(daily_token_limit=10**6, daily_token_remaining=10**6 - 40))
    await _flushall(redis_server.url)
    lost_at = time.monotonic()
    await b.acquire(GET)
    waited = time.monotonic() - lost_at
    assert waited >= WINDOW * 0.9, waited  # held a window, not admitted into "empty" state
    assert waited <= 2 * WINDOW + 0.3, waited  # and not much longer
    assert coord_b.losses == 1
    after = coord_b.statistics()
    assert after is not None and after.tokens_today >= 25 + GET.token_cost, after
    await a.acquire(GET)  # A learns too, and brings what it saw (the server's 40)
    stats = coord_a.statistics()
    assert coord_a.losses == 1 and stats is not None and stats.tokens_today >= 40, stats


@pytest.mark.timing
async def test_a_process_new_to_the_state_is_not_held(redis_server: RedisServer) -> None:
    """A first start (no epoch known) is not a loss: no hold (its engine probes instead)."""
    a, coord = await _process(redis_server.url)
    start = time.monotonic()
    for _ in range(BURST):
        await a.acquire(GET)
    assert time.monotonic() - start < WINDOW / 2 and coord.losses == 0


# timing: its 0.2-s windows are paced in wall time, and the parallel pass starves it of CPU
# (2 of 4 CI runs this session: 3-7 429s; 0 in 23 runs alone): it runs in `make test`'s
# serial pass, like test_coordinator's shared-window test
@pytest.mark.timing
async def test_flushall_mid_run_against_the_sandbox_brings_no_429(
        redis_server: RedisServer, tmp_path: Path) -> None:
    """Two processes (own client, scheduler, coordinator each) read deals as fast as the
    token's window allows; Redis is flushed mid-run. The sandbox (counting per token)
    answers 0 429s. Bounded: 2 x 40 calls, 20 s at most."""
    scale = 0.1  # 0.2 s windows of 10 calls: 8 workers a process keep them full
    async with serve(SandboxConfig(deals=3, time_scale=scale, seed=3, burst=10, faults=Faults(
            latency_ms=20, latency_jitter_ms=10))) as sb:
        cfg = engine_config(sb, tmp_path / "jobs", burst=10)
        flushed = asyncio.Event()
        done = [0]

        async def process(name: str) -> None:
            store = JobStore.create(tmp_path / "jobs" / name, job_id=name, kind="reads",
                                    config={})
            try:
                async with Engine.open(cfg, sb.token, coordinator=redis_server.url,
                                       store=store) as engine:
                    client, sched, clock = engine.client, engine.scheduler, engine.clock

                    async def worker(n: int) -> None:
                        for _ in range(n):
                            await sched.acquire(GET)
                            sent = clock.now()
                            try:
                                res = await client.call("getDeal", path={"id": 1})
                            except RateLimited as exc:
                                sched.rate_limited(GET, exc.rate, exc.reset_after)
                                sched.refund(GET)
                                continue
                            sched.observe(GET, res.rate, sent_at=sent)
                            done[0] += 1
                            if done[0] == FLUSH_AT and not flushed.is_set():
                                flushed.set()
                                await _flushall(redis_server.url)

                    await asyncio.gather(*(worker(5) for _ in range(8)))
            finally:
                store.close()

        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("PDBULK_STATE_DIR", str(tmp_path / "state"))
            await asyncio.wait_for(asyncio.gather(process("p0"), process("p1")), 20)
        stats = sb.stats()
        assert stats["rate_limited"] == 0, stats
        assert flushed.is_set()
        assert stats["requests_by_operation"]["getDeal"] == 80
