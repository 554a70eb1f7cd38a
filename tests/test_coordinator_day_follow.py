"""The shared daily count follows the server's new day on a real clock (x34r3 F1): every
read of a real wall clock gives a later time, and the figure's call was found only when
the answer and its headers were read at the same instant (a frozen FakeClock), so on a
real one the shared count never came down: a coordinated resume after the company's
reset let one call through a minute and stopped "budget spent" with nearly the whole
budget free on the server.

Real redis-server, virtual time (FakeClock whose wall clock moves on each read)."""

from __future__ import annotations

import pytest

from bulk.clock import FakeClock
from bulk.errors import BudgetExhausted
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from tests.coordinator_support import FIVE_PM, CoordinatedRuns, spent_today
from tests.redis_helpers import RedisServer

pytestmark = pytest.mark.anyio
TOKEN = "day-follow-token-0123456789"
ADD, GET = get_operation("addDeal"), get_operation("getDeal")  # 5 tokens, 1
DAILY = 400
_RUNS = CoordinatedRuns(TOKEN, daily=DAILY)
redis_server = _RUNS.redis_fixture()
_process, _spent = _RUNS.process, spent_today


class _TickingClock(FakeClock):
    """A FakeClock whose wall clock, like a real one, is a little later at each read."""

    def __init__(self) -> None:
        super().__init__(epoch=FIVE_PM, settle=2000, max_rounds=20_000)
        self._ticks = 0

    def wall(self) -> float:
        self._ticks += 1
        return super().wall() + self._ticks * 1e-6


async def test_a_resume_after_the_company_s_reset_follows_the_server_s_new_day(
        redis_server: RedisServer) -> None:
    """A run spends the day's 400 tokens (80 calls); ten minutes later the server's day
    has begun and a resume's calls go through: its 60 calls (300 tokens) all admitted,
    the shared count the server's figure and the last minute's calls, not 400 + more."""
    clock = _TickingClock()
    a = await _process(redis_server.url, clock)
    used = 0
    for _ in range(80):
        await a.acquire(ADD)
        sent = clock.now()
        used += ADD.token_cost
        a.observe(ADD, RateHeaders(daily_token_limit=DAILY, daily_token_remaining=DAILY - used),
                  sent_at=sent)
        await clock.sleep(0.5)
    await clock.sleep(600)  # the server's midnight passed meanwhile
    used = 0
    b = await _process(redis_server.url, clock)  # the resume: its first answer (/users/me)
    used = 1
    b.observe(GET, RateHeaders(daily_token_limit=DAILY, daily_token_remaining=DAILY - used),
              sent_at=clock.now())
    started = clock.wall()
    for _ in range(60):
        await clock.sleep(2)
        await b.acquire(ADD)
        sent = clock.now()
        used += ADD.token_cost
        b.observe(ADD, RateHeaders(daily_token_limit=DAILY, daily_token_remaining=DAILY - used),
                  sent_at=sent)
    assert used == 301
    assert clock.wall() - started < 130  # 2 s a call: no minute's wait for a probe
    assert await _spent(redis_server.url) <= used + 5 * 32  # a minute's calls at most


async def test_a_spent_day_stops_a_run_without_wait_for_reset_at_once(
        redis_server: RedisServer) -> None:
    """x34r3 F2: the shared day spent, the server's last figure lower only by the calls
    still on their way (admitted after that figure's call): no --wait-for-reset, so the
    run stops at once, as one without a coordinator does; it waited a minute for "one
    call asks it" and then stopped anyway (60-120 s)."""
    clock = _TickingClock()
    a = await _process(redis_server.url, clock)
    sent: list[float] = []
    with pytest.raises(BudgetExhausted):
        for i in range(100):
            await a.acquire(ADD)
            last = clock.wall()
            sent.append(clock.now())
            if i >= 2:  # two calls on their way: the server counted up to call i - 2
                a.observe(ADD, RateHeaders(daily_token_limit=DAILY,
                                           daily_token_remaining=DAILY - 5 * (i - 1)),
                          sent_at=sent[i - 2])
            await clock.sleep(0.2)
    assert len(sent) == DAILY // ADD.token_cost
    assert clock.wall() - last < 5, clock.wall() - last
