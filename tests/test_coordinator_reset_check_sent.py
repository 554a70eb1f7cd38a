"""A coordinated wait for the reset that said "next check whether its day began at 17:31"
sends that check (x50r2 F1): waits begun minutes into the half hour, on one company in
Redis; before, the ``probe`` key was taken at 17:31 and no call went out.

Real redis-server, virtual time (FakeClock)."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.scheduler import Scheduler
from tests.coordinator_support import COMPANY, FIVE_PM, CoordinatedRuns
from tests.coordinator_support import day_clock as _clock
from tests.redis_helpers import RedisServer

pytestmark = pytest.mark.anyio
TOKEN = "reset-check-token-0123456789"
ADD = get_operation("addDeal")  # 5 tokens
_RUNS = CoordinatedRuns(TOKEN, daily=100, wait=True)
redis_server = _RUNS.redis_fixture()
_process = _RUNS.process


async def _spend(a: Scheduler, b: Scheduler) -> None:
    for s in (a, b):
        for _ in range(10):
            await s.acquire(ADD)
        s.observe(ADD, RateHeaders(daily_token_limit=100, daily_token_remaining=0))


@pytest.mark.parametrize("start", [300.0, 1500.0])
async def test_waits_begun_in_the_half_hour_send_one_check_at_its_end(
        redis_server: RedisServer, start: float) -> None:
    """Two processes wait from 17:05 (17:25): at 17:31 exactly one call goes out. Before,
    the one that took the ``probe`` key was admitted past the spent day, but its call,
    admitted here before its wait on Redis, was found lapsed (held more than
    ``HOLD_AT_MOST`` since that local admission): let go, asked again, refused, and no
    call went out until 18:01 — nor then, for the same reason."""
    clock = _clock()
    a, b = await _process(redis_server.url, clock), await _process(redis_server.url, clock)
    await _spend(a, b)
    await clock.sleep(start - (clock.wall() - FIVE_PM))

    async def one(s: Scheduler) -> float:
        while True:  # as a run's call path does (``bulk.engine._tries``, ``bulk.calls``)
            admitted = await s.acquire(ADD, hold=True)
            if not s.lapsed(ADD, admitted):  # (before: lapsed, the check never sent)
                s.leaving(ADD, admitted)
                return clock.wall()
            s.refund(ADD)

    tasks = {asyncio.create_task(one(a)): a, asyncio.create_task(one(b)): b}
    done, pending = await asyncio.wait(tasks, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    assert len(done) == 1, (len(done), clock.wall() - FIVE_PM)
    asked = done.pop().result()
    assert FIVE_PM + 1860 <= asked < FIVE_PM + 1920, asked - FIVE_PM
    for t in pending:
        t.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


async def test_a_claim_whose_call_never_went_is_taken_over(redis_server: RedisServer) -> None:
    """A process took the half hour's ``probe`` key at 17:31:00 and died before its call
    went (its lease: 15 s): another waiting process takes the check over within the
    minute, one call; before, the key held to 18:01 and nobody checked at 17:31."""
    clock = _clock()
    a, b = await _process(redis_server.url, clock), await _process(redis_server.url, clock)
    await _spend(a, b)
    await clock.sleep(300 - (clock.wall() - FIVE_PM))
    client = aioredis.from_url(redis_server.url)
    try:  # the dead process's claim, as ``_take_probe`` writes it
        await client.set(f"pdbulk:c:{COMPANY}:probe", f"dead:1:x@{FIVE_PM + 1875.0!r}",
                         px=3_600_000)
    finally:
        await client.aclose()

    async def one(s: Scheduler) -> float:
        await s.acquire(ADD)
        return clock.wall()

    tasks = [asyncio.create_task(one(a)), asyncio.create_task(one(b))]
    done, pending = await asyncio.wait(tasks, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    assert len(done) == 1, (len(done), clock.wall() - FIVE_PM)
    asked = done.pop().result()
    assert FIVE_PM + 1875 <= asked < FIVE_PM + 1920, asked - FIVE_PM
    for t in pending:
        t.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
