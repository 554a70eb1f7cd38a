"""The half hour's reset probe on Redis when its holder dies with its call out (x51r5 F3):
the ``probe`` key said ``proc@inf`` from the call's admission to the next half hour, so a
holder killed -9 while its call was in flight left every other waiting process asking
nothing for half an hour (13 minutes with nothing sent while the server's new day had 295
tokens). Now the claim of a call out is held ``HOLD_AT_MOST`` s past its admission (the
answer marks it answered, held to the next half hour): another process asks within two
minutes (README); an answered probe still keeps it one per company and half hour.

Real redis-server, virtual time (FakeClock)."""

from __future__ import annotations

import asyncio

import pytest

from bulk.clock import FakeClock
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.scheduler import Scheduler
from tests.coordinator_support import FIVE_PM, CoordinatedRuns, spent_today
from tests.coordinator_support import day_clock as _clock
from tests.redis_helpers import RedisServer

pytestmark = pytest.mark.anyio
TOKEN = "probe-killed-token-0123456789"
ADD = get_operation("addDeal")  # 5 tokens
_RUNS = CoordinatedRuns(TOKEN, daily=100, wait=True)
redis_server = _RUNS.redis_fixture()
_process = _RUNS.process


async def _spent_and_waiting(url: str) -> tuple[dict[asyncio.Task[float], Scheduler],
                                               FakeClock]:
    clock = _clock()
    a, b = await _process(url, clock), await _process(url, clock)
    for s in (a, b):
        for _ in range(10):
            await s.acquire(ADD)
        s.observe(ADD, RateHeaders(daily_token_limit=100, daily_token_remaining=0))
    assert await spent_today(url) == 100

    async def one(s: Scheduler) -> float:
        await s.acquire(ADD)
        return clock.wall()

    return {asyncio.create_task(one(a)): a, asyncio.create_task(one(b)): b}, clock


async def test_a_probe_holder_killed_with_its_call_out_is_taken_over_within_two_minutes(
        redis_server: RedisServer) -> None:
    """At 17:31 one process's call goes as the probe and is never answered (its process
    killed -9); the other asks within two minutes (before: at 18:01)."""
    tasks, _ = await _spent_and_waiting(redis_server.url)
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    assert len(done) == 1, "one process asks the server, not both"
    asked = done.pop().result()
    assert FIVE_PM + 1860 <= asked < FIVE_PM + 1920, asked - FIVE_PM
    went = await asyncio.wait_for(pending.pop(), 20)
    assert went - asked <= 120, went - asked  # (before: 1,800, the next half hour)


async def test_an_answered_probe_keeps_the_half_hour_to_one_check(
        redis_server: RedisServer) -> None:
    """The probe at 17:31 is answered 429 (the day still spent): nobody asks again before
    18:01, however long the answer's holder lives on."""
    tasks, clock = await _spent_and_waiting(redis_server.url)
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    first = done.pop()
    asked = first.result()
    tasks[first].rate_limited(ADD, RateHeaders(daily_token_limit=100, daily_token_remaining=0),
                              None, sent_at=clock.now())
    other = pending.pop()
    await clock.sleep(300)
    assert not other.done(), other.result() - asked  # (the next check: at 18:01)
    other.cancel()
    await asyncio.gather(other, return_exceptions=True)
