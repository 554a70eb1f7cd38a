"""f39d 2: the company's daily budget resets at its server's midnight, in a time zone not
named (FACTS.md "Rate limits"), and the day kept for the next run (``bulk.day_seen``)
was UTC's: a spent ``--budget-share`` kept before the server's midnight refused the next
run until UTC's (a server east of UTC), and one kept before UTC's midnight was dropped
at it while the server's day went on (west of UTC: the next run's first call went past
the share). Where a run saw the server's figure go down (its day began) the kept day is
the server's."""

from __future__ import annotations

from bulk import day_seen
from bulk.clock import FakeClock
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import BudgetPolicy, Scheduler

DAY = 86_400.0
DAILY = 400  # tokens; the share (0.25) is 100
MIDNIGHT = DAY * 20_000  # a UTC midnight


def _scheduler(clock: FakeClock) -> Scheduler:
    return Scheduler(Limits(burst=40, daily_tokens=DAILY), clock=clock,
                     budget=BudgetPolicy(share=0.25))


def _answer(sched: Scheduler, clock: FakeClock, at: float, spent: int) -> None:
    """An answer at wall ``at`` whose daily headers say the company spent ``spent``."""
    clock.advance(at - clock.wall())
    sched.observe(get_operation("getStages"),
                  RateHeaders(daily_token_limit=DAILY, daily_token_remaining=DAILY - spent))


def _close(sched: Scheduler) -> None:
    day_seen.remember("k", DAY, sched.day_heard(), server=sched.server_day())


def _next_run_spent(clock: FakeClock, at: float) -> int:
    """The company's spend today a run started at wall ``at`` takes from the kept day."""
    clock.advance(at - clock.wall())
    sched = _scheduler(clock)
    sched.recall_day(*day_seen.recall("k", DAY, now=clock.wall()) or (0, DAILY, 0))
    return sched.statistics().tokens_today


def _seen_midnight_at(clock: FakeClock, hour: float) -> None:
    """A run that saw the server's day begin at ``hour`` UTC (of the day before)."""
    sched = _scheduler(clock)
    _answer(sched, clock, MIDNIGHT + hour * 3600 - 3600, 90)
    _answer(sched, clock, MIDNIGHT + hour * 3600 - 1, 97)
    _answer(sched, clock, MIDNIGHT + hour * 3600 + 1, 5)  # the server's new day
    _close(sched)


def test_a_server_east_of_utc_gives_the_share_back_at_its_midnight() -> None:
    """A server whose day begins at 22:00 UTC: the share spent at 21:00 refuses a run at
    21:30, not one at 22:30 (before: until UTC midnight, 1.5 h more)."""
    clock = FakeClock(epoch=MIDNIGHT)
    _seen_midnight_at(clock, 22)
    sched = _scheduler(clock)
    _answer(sched, clock, MIDNIGHT + DAY + 21 * 3600, 100)  # the next day: share spent
    _close(sched)
    assert _next_run_spent(clock, MIDNIGHT + DAY + 21.5 * 3600) == 100
    assert _next_run_spent(clock, MIDNIGHT + DAY + 22.5 * 3600) == 0  # before: 100


def test_a_server_west_of_utc_keeps_its_day_past_utc_midnight() -> None:
    """A server whose day begins at 05:00 UTC: the share spent at 23:50 UTC still refuses
    a run at 00:10 UTC (before: its spend dropped, its first call past the share), and no
    longer one at 05:10."""
    clock = FakeClock(epoch=MIDNIGHT)
    _seen_midnight_at(clock, 5)
    sched = _scheduler(clock)
    _answer(sched, clock, MIDNIGHT + 23.8 * 3600, 100)
    _close(sched)
    assert _next_run_spent(clock, MIDNIGHT + DAY + 600) == 100  # before: 0
    assert _next_run_spent(clock, MIDNIGHT + DAY + 5 * 3600 + 600) == 0


def test_without_a_midnight_seen_the_day_is_utcs() -> None:
    """No run saw the server's day begin: UTC's midnight, as FACTS.md assumes."""
    clock = FakeClock(epoch=MIDNIGHT)
    sched = _scheduler(clock)
    _answer(sched, clock, MIDNIGHT + 21 * 3600, 100)
    _close(sched)
    assert _next_run_spent(clock, MIDNIGHT + 23.5 * 3600) == 100
    assert _next_run_spent(clock, MIDNIGHT + DAY + 60) == 0


def test_a_spend_of_the_servers_last_day_does_not_outweigh_its_new_one() -> None:
    """Two runs of one UTC day either side of the server's midnight: the later server
    day's smaller spend is kept, not the larger of UTC's day."""
    clock = FakeClock(epoch=MIDNIGHT)
    _seen_midnight_at(clock, 22)  # its last answer: 5 of the new server day, at 22:00
    sched = _scheduler(clock)
    _answer(sched, clock, MIDNIGHT + DAY + 21 * 3600, 97)
    _close(sched)
    sched = _scheduler(clock)
    _answer(sched, clock, MIDNIGHT + DAY + 22.5 * 3600, 8)  # the server's next day
    _close(sched)
    assert _next_run_spent(clock, MIDNIGHT + DAY + 23 * 3600) == 8
