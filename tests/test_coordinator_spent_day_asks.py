"""f42e: the company's WHOLE daily budget spent on the Redis coordinator (its day's count =
the budget), and a run started after the server's reset was refused "... tokens used by
all processes ... run again after the reset" until UTC midnight: its first call was
refused by the coordinator's day before any figure from the server was heard, so the
coordinator never learnt the day had begun (Pipedrive's day resets at its server's
midnight, time zone not named: FACTS.md "Rate limits"). A day last heard ``ASK_AFTER``
or more ago (or before the server's recorded midnight) is asked once: one call goes past
the spent count, from one process (the others wait on its answer), and its daily
headers bring the count back where they show a new day.

Real redis-server, virtual time (FakeClock)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bulk.clock import FakeClock
from bulk.coordinator import fingerprint
from bulk.coordinator_redis import RedisCoordinator
from bulk.errors import BudgetExhausted
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import BudgetPolicy, Scheduler
from tests.coordinator_support import COMPANY, DAY, FIVE_PM, CoordinatedRuns, spent_on, spent_today
from tests.coordinator_support import day_clock as _clock
from tests.redis_helpers import RedisServer

pytestmark = pytest.mark.anyio
TOKEN = "spent-day-asks-token-0123456789"
ADD, ME = get_operation("addDeal"), get_operation("getCurrentUser")  # 5 tokens, 2
DAILY = 1000
DAY_S = 86_400.0
_RUNS = CoordinatedRuns(TOKEN, daily=DAILY)
redis_server = _RUNS.redis_fixture()
_process, _spent = _RUNS.process, spent_today


async def _spend_the_day(url: str, clock: object) -> Scheduler:
    """A run spends the company's whole 1,000 tokens, the server saying so at each answer."""
    a = await _process(url, clock)  # type: ignore[arg-type]
    used = 0
    for _ in range(DAILY // ADD.token_cost):
        await a.acquire(ADD)
        used += ADD.token_cost
        a.observe(ADD, RateHeaders(daily_token_limit=DAILY, daily_token_remaining=DAILY - used),
                  sent_at=a._clock.now())
    assert await _spent(url) == DAILY
    return a


def _answer(s: Scheduler, used: int) -> None:
    s.observe(ME, RateHeaders(daily_token_limit=DAILY, daily_token_remaining=DAILY - used),
              sent_at=s._clock.now())


async def test_a_run_begun_after_the_reset_asks_once_and_goes_on(
        redis_server: RedisServer) -> None:
    """The day spent at 17:00 UTC; at 18:00 the server's day has begun. A new run's first
    call goes (one ask, not refused), its answer says 2 used, and the run goes on, the
    shared count the server's (before: BudgetExhausted at the first call)."""
    clock = _clock()
    await _spend_the_day(redis_server.url, clock)
    await clock.sleep(3600)
    c = await _process(redis_server.url, clock)
    await asyncio.wait_for(c.acquire(ME), 30)  # the ask
    _answer(c, 2)
    await asyncio.wait_for(c.acquire(ADD), 30)  # the run goes on
    # (its figure, below the company's last, dated the server's midnight: the new day's
    # key, labelled by the UTC day it overlaps most, holds the ask and the call)
    assert await spent_on(redis_server.url, DAY + 1) == 2 + ADD.token_cost


async def test_a_day_truly_spent_answers_the_ask_with_429_and_the_run_is_refused(
        redis_server: RedisServer) -> None:
    """The server's day is still spent: the ask gets a 429 (not charged) whose daily
    header says 0 left; the run is refused at once, and so is a run begun after it (the
    figure is fresh: no second ask)."""
    clock = _clock()
    await _spend_the_day(redis_server.url, clock)
    await clock.sleep(3600)
    c = await _process(redis_server.url, clock)
    await asyncio.wait_for(c.acquire(ME), 30)  # the ask
    c.rate_limited(ME, RateHeaders(limit=40, remaining=39, reset=2.0, daily_token_limit=DAILY,
                                   daily_token_remaining=0), None, sent_at=clock.now())
    c.refund(ME)
    with pytest.raises(BudgetExhausted):
        await asyncio.wait_for(c.acquire(ME), 30)
    d = await _process(redis_server.url, clock)
    started = clock.wall()
    with pytest.raises(BudgetExhausted):
        await asyncio.wait_for(d.acquire(ME), 30)
    assert clock.wall() - started < 5
    assert await _spent(redis_server.url) == DAILY


async def test_a_day_heard_lately_is_refused_without_an_ask(
        redis_server: RedisServer, caplog: pytest.LogCaptureFixture) -> None:
    """Heard 20 minutes ago (under ``ASK_AFTER``): refused at once, as before; nothing asked."""
    clock = _clock()
    await _spend_the_day(redis_server.url, clock)
    await clock.sleep(1200)
    c = await _process(redis_server.url, clock)
    with caplog.at_level(logging.WARNING, logger="pdbulk.scheduler"), \
            pytest.raises(BudgetExhausted):
        await asyncio.wait_for(c.acquire(ME), 30)
    assert not [r for r in caplog.records if "asks it" in r.getMessage()]
    assert await _spent(redis_server.url) == DAILY


async def test_two_runs_begun_after_the_reset_ask_once_between_them(
        redis_server: RedisServer) -> None:
    """Two runs start together after the reset: one asks, the other waits for its answer
    (not a second ask) and goes on once it showed the new day."""
    clock = _clock()
    await _spend_the_day(redis_server.url, clock)
    await clock.sleep(3600)
    b, c = await _process(redis_server.url, clock), await _process(redis_server.url, clock)
    tasks = {asyncio.create_task(b.acquire(ME)): b, asyncio.create_task(c.acquire(ME)): c}
    done, pending = await asyncio.wait(tasks, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    assert len(done) == 1 and len(pending) == 1, "one run asks, not both"
    asker, (waiting,) = tasks[done.pop()], pending
    await clock.sleep(5)
    assert not waiting.done()  # (it waits for the answer: no second ask)
    _answer(asker, 2)  # the server's new day (its midnight, dated: the ``midnight`` key)
    answered = clock.wall()
    await asyncio.wait_for(waiting, 30)  # the waiting run takes it at its next look
    assert clock.wall() - answered <= 11
    await asker.acquire(ADD)
    assert await spent_on(redis_server.url, DAY + 1) >= 2 + ADD.token_cost
    assert await _spent(redis_server.url) == DAILY + ME.token_cost  # the ask, on the old day


async def _share_process(url: str, clock: FakeClock, *, wait: bool = False) -> Scheduler:
    """A coordinated process with ``--budget-share 0.25`` (250 of the 1,000)."""
    sched = Scheduler(Limits(burst=40, daily_tokens=DAILY), clock=clock,
                      budget=BudgetPolicy(share=0.25, wait_for_reset=wait))
    coord = RedisCoordinator(url, clock=clock)
    _RUNS._open.append(coord)  # (closed by the fixture)
    await coord.start(fingerprint(TOKEN))
    sched.attach(coord)
    coord.bind(COMPANY)
    return sched


async def test_a_spent_share_asks_with_a_run_s_first_call_only(
        redis_server: RedisServer) -> None:
    """A --budget-share spent by the shared day (250 of 1,000 used by 17:00) an hour later:
    a run's first call (GET /users/me, 2 tokens: what a run without a coordinator asks
    with) asks, and the run goes on on the server's new day; a costlier call is never let
    past a share to ask (a share truly spent would be overspent by it)."""
    clock = _clock()
    a = await _share_process(redis_server.url, clock)
    for used in range(5, 255, 5):
        await a.acquire(ADD)
        a.observe(ADD, RateHeaders(daily_token_limit=DAILY, daily_token_remaining=DAILY - used),
                  sent_at=clock.now())
    await clock.sleep(3600)
    b = await _share_process(redis_server.url, clock)
    with pytest.raises(BudgetExhausted):
        await asyncio.wait_for(b.acquire(ADD), 30)
    c = await _share_process(redis_server.url, clock)
    await asyncio.wait_for(c.acquire(ME), 30)  # the ask
    _answer(c, 2)
    await asyncio.wait_for(c.acquire(ADD), 30)
    assert await spent_on(redis_server.url, DAY + 1) == 2 + ADD.token_cost


async def test_a_wait_for_the_whole_budget_ends_at_the_server_s_known_midnight(
        redis_server: RedisServer) -> None:
    """--wait-for-reset with the company's whole budget spent at 16:59:30 UTC, the server's
    midnight known from the day before (17:00:01 at the latest: its figure went down): the
    wait ends at that midnight (before: at the next 10-s look, 10 s after the reset)."""
    clock = _clock()
    clock.advance(-DAY_S + 3600 - 1 - 3600)  # 16:59:59 the day before
    a = await _process(redis_server.url, clock, wait=True)
    _answer(a, 900)
    clock.advance(2)
    _answer(a, 5)  # the server's day began by 17:00:01
    await a.acquire(ME)
    clock.advance(FIVE_PM - 30 - clock.wall())
    _answer(a, DAILY)  # spent at 16:59:30
    await asyncio.wait_for(a.acquire(ME), 30)
    assert FIVE_PM < clock.wall() <= FIVE_PM + 2, clock.wall() - FIVE_PM


async def test_a_wait_begun_after_the_reset_asks_at_once_not_at_the_half_hour(
        redis_server: RedisServer) -> None:
    """--wait-for-reset begun at 18:05 UTC on a day spent and last heard at 17:00: its
    first call asks at once (before: it waited for 18:31, the half-hour ask); a wait under
    way keeps asking at the half hours only (tests/test_coordinator_day.py)."""
    clock = _clock()
    await _spend_the_day(redis_server.url, clock)
    await clock.sleep(3900)
    c = await _process(redis_server.url, clock, wait=True)
    started = clock.wall()
    await asyncio.wait_for(c.acquire(ME), 30)  # the ask
    assert clock.wall() - started < 5, clock.wall() - started
    _answer(c, 2)
    await asyncio.wait_for(c.acquire(ADD), 30)
    assert await spent_on(redis_server.url, DAY + 1) == 2 + ADD.token_cost
