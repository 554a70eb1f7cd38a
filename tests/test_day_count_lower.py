"""A process alone on an account (no shared coordinator) follows the server's daily figure
down as well as up: the server's answer says what the company spent as it answered, and
the company spent at most that plus the calls admitted here since (every call reaches the
server within ``HOLD_AT_MOST`` or never). A lower figure is the server's new day (its
midnight is not UTC's: FACTS.md) or charges counted here that it never made. A figure
carried by a call sent before the highest figure's answer may be an older reading: it
lowers nothing. On virtual time."""

from __future__ import annotations

import pytest

from bulk.clock import FakeClock
from bulk.errors import BudgetExhausted
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import Scheduler

PATCH = get_operation("updateDeal")  # 5 tokens


def day(used: int, daily: int = 400) -> RateHeaders:
    """An answer's daily headers: ``used`` of ``daily`` tokens spent today."""
    return RateHeaders(daily_token_limit=daily, daily_token_remaining=daily - used)


async def admitted_until_refused(s: Scheduler, most: int = 200) -> int:
    """How many more PATCHes the day's budget admits (bounded)."""
    for n in range(most):
        try:
            await s.acquire(PATCH)
        except BudgetExhausted:
            return n
    return most


def fresh() -> tuple[Scheduler, FakeClock]:
    clock = FakeClock(start=10.0)  # 2026-01-01 00:00:10 UTC: one UTC day all along
    return Scheduler(Limits(burst=1000, daily_tokens=400), clock=clock), clock


@pytest.mark.anyio
async def test_the_servers_new_day_is_followed_down() -> None:
    """70 PATCHes (350 tokens), the server said 350; two minutes later an answer says 10
    used (the server's day began): the count is 10 + the 5 admitted since, and the day's
    budget admits 77 more, where it used to admit 10 (the count kept at 350)."""
    s, clock = fresh()
    for _ in range(70):
        await s.acquire(PATCH)
    s.observe(PATCH, day(350), sent_at=clock.now())
    clock.advance(120.0)
    await s.acquire(PATCH)  # the call that carries the new day's figure
    sent = clock.now()
    clock.advance(0.2)
    s.observe(PATCH, day(10), sent_at=sent)
    stats = s.statistics()
    assert (stats.tokens_today, stats.server_today) == (15, 10)
    assert await admitted_until_refused(s) == 77


@pytest.mark.anyio
async def test_charges_never_made_are_taken_off_the_count() -> None:
    """75 PATCHes of which the server charged 330 (9 answers lost, never charged), the
    figure carried by a call sent a minute and more later: the count is the server's 330
    and that call's 5, not 380."""
    s, clock = fresh()
    for _ in range(75):
        await s.acquire(PATCH)
    clock.advance(61.0)
    await s.acquire(PATCH)
    sent = clock.now()
    s.observe(PATCH, day(335), sent_at=sent)
    assert s.statistics().tokens_today == 340


@pytest.mark.anyio
async def test_calls_admitted_within_the_last_minute_stay_counted() -> None:
    """The same figure while the 75 PATCHes are recent: they may still reach the server,
    so the count stays this process's 380."""
    s, clock = fresh()
    for _ in range(76):
        await s.acquire(PATCH)
    sent = clock.now()
    clock.advance(0.3)
    s.observe(PATCH, day(335), sent_at=sent)
    assert s.statistics().tokens_today == 380


@pytest.mark.anyio
async def test_an_older_reading_that_comes_late_lowers_nothing() -> None:
    """The server said 350 (a call sent at t=100.1); a call sent before that answer came
    answers late with 300: an older reading, not a new day: the count stays 350."""
    s, clock = fresh()
    for _ in range(70):
        await s.acquire(PATCH)
    clock.advance(90.0)
    s.observe(PATCH, day(350), sent_at=clock.now() - 0.1)
    clock.advance(0.2)
    s.observe(PATCH, day(300), sent_at=clock.now() - 0.5)
    stats = s.statistics()
    assert (stats.tokens_today, stats.server_today) == (350, 350)
