"""x39r4 F3: ``--budget-share 0.25`` of a company's 4,000 tokens (1,000), two users' tokens
of one company: user A spent 900, user B stopped at the share; the server's day ended
(``POST /_sandbox/day/end``); A's next run spent 830 of the new day; B was refused before
any call, 3 of 3, "1000 are used today (by the server's headers to the last run on this
account, kept in the state folder)" — it was after the reset. Two kept records of one UTC
day (the token's, the company's) kept the higher spend, and none had seen the server's
day begin inside a run. A lower spend heard later is the server's next day: the record
that heard it wins (``bulk.day_seen``), the token's own and the company's alike."""

from __future__ import annotations

from bulk import day_seen
from bulk.clock import FakeClock
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import BudgetPolicy, Scheduler

DAY = 86_400.0
DAILY = 4_000  # tokens; the share (0.25) is 1,000
NOON = DAY * 20_000 + 12 * 3_600  # 12:00 UTC
URLS = "sandbox-class"


def _run(clock: FakeClock, token: str, spends: list[int], *, company: str | None) -> int:
    """A run of ``token`` from now: the spend it recalls before its first answer (tokens),
    then one answer a second for each figure of ``spends``; its day kept at its close."""
    sched = Scheduler(Limits(burst=40, daily_tokens=DAILY), clock=clock,
                      budget=BudgetPolicy(share=0.25))
    urls = URLS if company is not None else None
    if (seen := day_seen.recall(token, DAY, urls=urls, now=clock.wall())) is not None:
        sched.recall_day(*seen)
    recalled = sched.statistics().tokens_today
    for spent in spends:
        clock.advance(1.0)
        sched.observe(get_operation("getStages"),
                      RateHeaders(daily_token_limit=DAILY, daily_token_remaining=DAILY - spent))
    day_seen.remember(token, DAY, sched.day_heard(), urls=urls, company=company,
                      server=sched.server_day())
    return recalled


def test_the_second_tokens_old_day_gives_way_to_the_companys_new_one() -> None:
    """The tester's run: B's next runs recall the new day's 830, not the old day's 1,000
    (before: 1,000, refused until UTC's midnight); A's own record follows too."""
    clock = FakeClock(epoch=NOON)
    _run(clock, "a", [100, 500, 900], company="5504")
    clock.advance(5.0)
    _run(clock, "b", [985, 1000], company="5504")  # its company learned at its close
    clock.advance(300.0)  # the server's day ends (POST /_sandbox/day/end)
    assert _run(clock, "a", [80, 480, 830], company="5504") == 1000  # its first answer: 80
    clock.advance(120.0)
    assert _run(clock, "b", [], company="5504") == 830  # before: 1000 (share spent)
    assert _run(clock, "a", [], company="5504") == 830
    assert day_seen.recall("b", DAY, urls=URLS, now=clock.wall()) == (20_000, DAILY, 830)


def test_a_tokens_own_record_follows_the_servers_new_day() -> None:
    """No company known (no ``GET /v1/users/me``): one token's runs either side of the
    server's midnight keep the new day's 20, not the old day's 990 (before: 990, the next
    run refused at 1,000 with 990 of the new day's share unspent)."""
    clock = FakeClock(epoch=NOON)
    _run(clock, "c", [400, 990], company=None)
    clock.advance(600.0)
    assert _run(clock, "c", [5, 20], company=None) == 990
    clock.advance(60.0)
    assert _run(clock, "c", [], company=None) == 20  # before: 990


def test_a_lower_figure_heard_within_a_request_of_the_other_is_no_new_day() -> None:
    """Two records heard seconds apart (two tokens' runs closing together): the lower may
    be an answer counted earlier and heard later; the higher spend stays, a floor."""
    clock = FakeClock(epoch=NOON)
    _run(clock, "a", [100, 900], company="5504")
    clock.advance(10.0)
    _run(clock, "b", [850], company="5504")
    assert _run(clock, "b", [], company="5504") == 900
