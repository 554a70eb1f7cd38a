"""f39j 2: ``--wait-for-reset`` under a spent ``--budget-share`` (no coordinator) waits
for the server's midnight where a run saw when its day begins, not UTC's. Pipedrive's
daily budget resets at its server's midnight, in a time zone not named (FACTS.md "Rate
limits"); a share is this tool's count, so no probe asks the server, and the wait was
until the next UTC midnight: east of UTC 2 h too long, or (spent after the server's
midnight) a call let through at UTC midnight past the share and a wait of a day more."""

from __future__ import annotations

import asyncio

import pytest

from bulk import day_seen
from bulk.clock import FakeClock
from bulk.coordinator_process import ProcessCoordinator
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import BudgetPolicy, Scheduler

pytestmark = pytest.mark.anyio
DAY = 86_400.0
DAILY = 400  # tokens; the share (0.25) is 100
MIDNIGHT = DAY * 20_000  # a UTC midnight
GET = get_operation("getStages")


def _scheduler(clock: FakeClock) -> Scheduler:
    return Scheduler(Limits(burst=40, daily_tokens=DAILY), clock=clock,
                     budget=BudgetPolicy(share=0.25, wait_for_reset=True))


def _answer(sched: Scheduler, clock: FakeClock, at: float, spent: int) -> None:
    """An answer at wall ``at`` whose daily headers say the company spent ``spent``."""
    clock.advance(at - clock.wall())
    sched.observe(GET, RateHeaders(daily_token_limit=DAILY, daily_token_remaining=DAILY - spent))


def _midnight_at_22(sched: Scheduler, clock: FakeClock) -> None:
    """The server's day begins at 22:00 UTC: its figure went down between two answers."""
    _answer(sched, clock, MIDNIGHT + 22 * 3600 - 1, 97)
    _answer(sched, clock, MIDNIGHT + 22 * 3600 + 1, 5)


async def test_a_share_spent_after_the_servers_midnight_waits_for_its_next() -> None:
    """Spent at 23:00 UTC, an hour into the server's day: no call at UTC midnight (before:
    one went past the share, then a wait to the next UTC midnight), the next call at the
    server's next midnight (22:00 UTC, the later bound of when it was seen)."""
    clock = FakeClock(epoch=MIDNIGHT)
    sched = _scheduler(clock)
    _midnight_at_22(sched, clock)
    _answer(sched, clock, MIDNIGHT + 23 * 3600, 100)
    waiter = asyncio.ensure_future(sched.acquire(GET))
    clock.advance(MIDNIGHT + DAY + 60 - clock.wall())  # past UTC midnight
    sched.refund(GET)  # (anything that wakes the dispatcher: the day is not the server's)
    assert not waiter.done() and sched.statistics().tokens_today == 100
    await waiter
    assert clock.wall() == MIDNIGHT + DAY + 22 * 3600 + 1  # before: MIDNIGHT + DAY
    assert sched.statistics().tokens_today == GET.token_cost  # the server's new day


async def test_a_share_spent_before_the_servers_midnight_waits_for_it() -> None:
    """The next day, spent at 21:00 UTC: the wait ends at 22:00 UTC, not 2 h later."""
    clock = FakeClock(epoch=MIDNIGHT)
    sched = _scheduler(clock)
    _midnight_at_22(sched, clock)
    _answer(sched, clock, MIDNIGHT + DAY + 21 * 3600, 100)
    await sched.acquire(GET)
    assert clock.wall() == MIDNIGHT + DAY + 22 * 3600 + 1  # before: MIDNIGHT + 2 * DAY


async def test_the_kept_days_midnight_times_the_next_runs_wait() -> None:
    """A run that did not see the server's day begin takes its midnight from the kept
    day (``bulk.day_seen``): spent at 21:00, it waits to 22:00, not UTC midnight."""
    clock = FakeClock(epoch=MIDNIGHT)
    sched = _scheduler(clock)
    _midnight_at_22(sched, clock)
    day_seen.remember("k", DAY, sched.day_heard(), server=sched.server_day())
    clock.advance(MIDNIGHT + DAY + 20 * 3600 - clock.wall())  # the next run
    sched = _scheduler(clock)
    sched.recall_midnight(day_seen.midnight("k", DAY))
    _answer(sched, clock, MIDNIGHT + DAY + 21 * 3600, 100)
    await sched.acquire(GET)
    assert clock.wall() == MIDNIGHT + DAY + 22 * 3600 + 1  # before: MIDNIGHT + 2 * DAY


async def test_without_a_midnight_seen_the_share_waits_for_utcs() -> None:
    """No run saw the server's day begin: UTC's midnight, as FACTS.md assumes."""
    clock = FakeClock(epoch=MIDNIGHT)
    sched = _scheduler(clock)
    sched.recall_midnight(day_seen.midnight("k", DAY))
    _answer(sched, clock, MIDNIGHT + 21 * 3600, 100)
    await sched.acquire(GET)
    assert clock.wall() == MIDNIGHT + DAY


async def test_the_process_coordinator_counts_the_servers_day_too() -> None:
    """Through this process's coordinator (every engine without Redis has one): its day is
    the scheduler's (``Limit.day`` / ``day_ends``), so it holds the share to 22:00 too."""
    clock = FakeClock(epoch=MIDNIGHT)
    sched = _scheduler(clock)
    sched.attach(ProcessCoordinator("http://127.0.0.1:9", "t", clock=clock))
    _midnight_at_22(sched, clock)
    _answer(sched, clock, MIDNIGHT + 23 * 3600, 100)
    await sched.acquire(GET)
    assert clock.wall() == MIDNIGHT + DAY + 22 * 3600 + 1  # before: MIDNIGHT + DAY
