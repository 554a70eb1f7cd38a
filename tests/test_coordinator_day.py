"""The company's day across processes (x21r1 F1): coordinated runs counted the budget per
UTC day and never asked the server whether its day began. Its day is what its headers
say: a run waiting for the reset asks at a minute past each half hour (one call, from one
process), and the shared spend follows a figure of the server's that shows a new day.

Real redis-server, virtual time (FakeClock): no wait here lasts more than a Redis round
trip in real time."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bulk.errors import BudgetExhausted
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.scheduler import Scheduler
from tests.coordinator_support import DAY, FIVE_PM, CoordinatedRuns, spent_on, spent_today
from tests.coordinator_support import day_clock as _clock
from tests.redis_helpers import RedisServer

pytestmark = pytest.mark.anyio
TOKEN = "day-token-0123456789"
ADD, GET = get_operation("addDeal"), get_operation("getDeal")  # 5 tokens, 1
_RUNS = CoordinatedRuns(TOKEN, daily=100, wait=True)
redis_server = _RUNS.redis_fixture()
_process, _spent = _RUNS.process, spent_today


async def test_waiting_runs_ask_the_server_at_the_half_hour_and_follow_its_new_day(
        redis_server: RedisServer, caplog: pytest.LogCaptureFixture) -> None:
    """Two coordinated runs spend the day's 100 tokens and wait for the reset: at 17:31
    one of them (only one) sends a call, the server's answer shows its new day, and the
    other goes on a minute later at most, not at UTC midnight; no clock time is named."""
    clock = _clock()
    a, b = await _process(redis_server.url, clock), await _process(redis_server.url, clock)
    for s in (a, b):
        for _ in range(10):
            await s.acquire(ADD)
        s.observe(ADD, RateHeaders(daily_token_limit=100, daily_token_remaining=0))
    assert await _spent(redis_server.url) == 100

    async def one(s: Scheduler) -> float:
        await s.acquire(ADD)
        return clock.wall()

    with caplog.at_level(logging.WARNING, logger="pdbulk.scheduler"):
        tasks = {asyncio.create_task(one(a)): a, asyncio.create_task(one(b)): b}
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        assert len(done) == 1, "one process asks the server, not both"
        first = done.pop()
        asked = first.result()
        assert FIVE_PM + 1860 <= asked < FIVE_PM + 1920, asked - FIVE_PM  # 17:31, not 00:00
        # the server's new day: the probe's 5 tokens used
        tasks[first].observe(ADD, RateHeaders(daily_token_limit=100, daily_token_remaining=95),
                             sent_at=clock.now())
        other = pending.pop()
        went = await asyncio.wait_for(other, 10)
    assert went - asked <= 61, went - asked
    # the other's call, on the server's day: both processes now count its days (it began
    # by 17:31; labelled by the UTC day it overlaps most; f40d 3); the server's figure (5)
    # is a floor of the count from the next admission of the process that heard it
    assert await spent_on(redis_server.url, DAY + 1) == 5
    await tasks[first].acquire(GET)
    assert await spent_on(redis_server.url, DAY + 1) >= 5 + GET.token_cost
    told = [r.getMessage() for r in caplog.records if "waiting" in r.getMessage()]
    assert told and all("waiting for the company's daily reset" in m for m in told), told
    # no clock time for the reset (its time zone's midnight): only the next check's (x23r3 1)
    assert not any("00:00" in m for m in told), told
    assert all("next check whether its day began at 2026-12-03 17:31 UTC" in m
               for m in told), told


async def test_a_coordinated_wait_for_the_reset_is_said_once_and_is_the_scheduler_s(
        redis_server: RedisServer, caplog: pytest.LogCaptureFixture) -> None:
    """x23r3 1: a run whose calls wait on the shared day (another process spent it), then on
    its own count too (the server's headers said 0 left), printed two waiting lines, and
    its scheduler did not know it waited (status, the progress ETA). One line, naming
    until when, and the scheduler's ``reset_wait`` holds the wait until the budget is back."""
    clock = _clock()
    a, b = await _process(redis_server.url, clock), await _process(redis_server.url, clock)
    for _ in range(20):  # the other process spends the company's day
        await b.acquire(ADD)
    assert await _spent(redis_server.url) == 100
    with caplog.at_level(logging.WARNING, logger="pdbulk.scheduler"):
        first = asyncio.create_task(a.acquire(ADD))  # waits on the shared day
        # polled without sleeping: a real-time sleep lets the FakeClock jump (no task
        # ready) to the probe at 17:31, which admits ``first`` (on a quiet machine it
        # did, 3 of 3; under load it did not); Redis's answer still comes in meanwhile
        for _ in range(200_000):
            if a.reset_wait is not None:
                break
            await asyncio.sleep(0)
        assert a.reset_wait is not None and a.reset_wait.probing, "the scheduler knows"
        a.observe(GET, RateHeaders(daily_token_limit=100, daily_token_remaining=0))
        second = asyncio.create_task(a.acquire(ADD))  # waits on its own count too
        for _ in range(5):  # (its dispatch says it at once; virtual time stays before 17:31)
            await asyncio.sleep(0)
        assert not first.done() and not second.done()
        for t in (first, second):
            t.cancel()
        await asyncio.gather(first, second, return_exceptions=True)
    told = [r.getMessage() for r in caplog.records if "waiting" in r.getMessage()]
    assert len(told) == 1, told
    assert "next check whether its day began at 2026-12-03 17:31 UTC" in told[0], told


async def test_a_fresh_run_follows_the_server_s_figure_after_a_quiet_spell(
        redis_server: RedisServer) -> None:
    """The shared day says 100 of 100 used (the server's previous day); five minutes after
    the last call, a new run whose first answer said 11 used is admitted (the report:
    exit 4 "1804 tokens used by all processes" with the server at 1789 remaining)."""
    clock = _clock()
    a = await _process(redis_server.url, clock, wait=False)
    for _ in range(20):
        await a.acquire(ADD)
    with pytest.raises(BudgetExhausted):
        await a.acquire(ADD)
    await clock.sleep(300)
    c = await _process(redis_server.url, clock, wait=False)
    # its first answer (GET /users/me, before the company is known)
    c.observe(GET, RateHeaders(daily_token_limit=100, daily_token_remaining=89),
              sent_at=clock.now())
    await c.acquire(ADD)
    assert await _spent(redis_server.url) == 16  # the server's 11 and c's call


async def test_a_figure_read_right_after_others_admitted_is_not_taken_for_a_new_day(
        redis_server: RedisServer) -> None:
    """Calls admitted a moment ago may not have reached the server yet: its lower figure
    then is no new day, and the shared spend stays. Without --wait-for-reset the call
    that found it so stops the run at once (x34r3 F2: it went a minute later as one
    probe, whose 429 ended the run all the same)."""
    clock = _clock()
    a = await _process(redis_server.url, clock, wait=False)
    for _ in range(20):
        await a.acquire(ADD)
    c = await _process(redis_server.url, clock, wait=False)
    c.observe(GET, RateHeaders(daily_token_limit=100, daily_token_remaining=89),
              sent_at=clock.now())
    started = clock.wall()
    with pytest.raises(BudgetExhausted):
        await c.acquire(ADD)
    assert clock.wall() - started < 1
    assert await _spent(redis_server.url) == 100
