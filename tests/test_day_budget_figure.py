"""The day's spend a line quotes ("N of M used", the progress line's "today N/M", a plan's
"L left today (by …)") says what it rests on: the server's headers, or this process's own
count and why that is above the server's figure (x32r1 / f33c: "376 of 400 used" where the
server said 330). On virtual time."""

from __future__ import annotations

import io

import pytest

from bulk.clock import FakeClock
from bulk.errors import BudgetExhausted
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.progress import ProgressView
from bulk.runner import RunStats
from bulk.scheduler import Scheduler
from jobs.planning import budget_source

GET = get_operation("getDeal")  # 1 token
PATCH = get_operation("updateDeal")  # 5 tokens


def day(used: int, daily: int = 400) -> RateHeaders:
    """An answer's daily headers: ``used`` of ``daily`` tokens spent today."""
    return RateHeaders(daily_token_limit=daily, daily_token_remaining=daily - used)


async def refused(s: Scheduler) -> str:
    """The message of the first call the day's budget refuses."""
    with pytest.raises(BudgetExhausted) as info:
        for _ in range(100):
            await s.acquire(PATCH)
    return str(info.value)


@pytest.mark.anyio
async def test_a_count_above_the_servers_figure_says_it_is_this_processs() -> None:
    """75 PATCHes and a GET (376 tokens) of which the server charged 330 (9 answers lost,
    never charged): "376 of 400 used" is this process's count, and the line says so and
    names the server's 330; the plan's words too."""
    s = Scheduler(Limits(burst=1000, daily_tokens=400), clock=FakeClock())
    await s.acquire(GET)
    for _ in range(75):
        await s.acquire(PATCH)
    s.observe(PATCH, day(330), sent_at=0.0)
    stats = s.statistics()
    assert (stats.tokens_today, stats.server_today, stats.own_today) == (376, 330, 376)
    assert s.today_basis() == (
        "by this process's count: the server's headers said 330, and 46 more are counted "
        "here: calls the server had not counted when it answered (in flight, or sent since) "
        "or never charged (calls whose answer was lost)")
    assert "the server said 330 used, this process counts 376" in budget_source(stats)
    message = await refused(s)  # 4 more PATCHes, then the line
    assert "396 of 400 used (by this process's count: the server's headers said 330, and " \
           "66 more are counted here" in message


@pytest.mark.anyio
async def test_another_clients_spend_is_the_servers_figure_and_this_processs_part_said() -> None:
    """Another client on the token spent some: the server's 376 is the day's spend, 100 of
    it this process's; the line rests on the headers."""
    s = Scheduler(Limits(burst=1000, daily_tokens=400), clock=FakeClock())
    for _ in range(20):
        await s.acquire(PATCH)
    s.observe(PATCH, day(376), sent_at=0.0)
    stats = s.statistics()
    assert (stats.tokens_today, stats.server_today, stats.own_today) == (376, 376, 100)
    assert budget_source(stats) == "by the server's headers"
    assert s.today_basis() == "by the server's headers; 100 of them this process's"
    message = await refused(s)  # 4 more PATCHes, sent since the answer
    assert "396 of 400 used (by this process's count: the server's headers said 376, and " \
           "20 more are counted here" in message


@pytest.mark.anyio
async def test_a_lagging_header_and_then_one_that_caught_up() -> None:
    """10 PATCHes in flight when the server answered with 20 used: the count (50) is this
    process's, above the server's 20; once an answer counts them all, the headers'."""
    s = Scheduler(Limits(burst=1000, daily_tokens=400), clock=FakeClock())
    for _ in range(10):
        await s.acquire(PATCH)
    s.observe(PATCH, day(20), sent_at=0.0)
    assert s.statistics().tokens_today == 50
    assert s.today_basis().startswith("by this process's count: the server's headers said "
                                      "20, and 30 more are counted here")
    s.observe(PATCH, day(50), sent_at=0.0)
    assert s.statistics().server_today == 50
    assert s.today_basis() == "by the server's headers; 50 of them this process's"


@pytest.mark.anyio
async def test_a_figure_given_at_the_start_and_no_header_say_so() -> None:
    """A restart the same day given the day's spend so far (the library's
    ``tokens_spent_today``), no answer with the daily headers yet: the line says it is
    this process's count, what was given, and that the server has not said."""
    s = Scheduler(Limits(burst=1000, daily_tokens=400), clock=FakeClock(),
                  tokens_spent_today=300)
    for _ in range(15):
        await s.acquire(PATCH)
    stats = s.statistics()
    assert (stats.tokens_today, stats.server_today) == (375, None)
    message = await refused(s)
    assert ("400 of 400 used (by this process's count (100 of its own calls, 300 given at "
            "the start): no answer has carried the server's daily figure yet)") in message


@pytest.mark.anyio
async def test_the_progress_line_says_whose_count_it_shows() -> None:
    """The progress line read "today 376/400 (server)" where the server said 330: it now
    says the figure is counted here and what the server said; the server's own, "(server)"."""
    s = Scheduler(Limits(burst=1000, daily_tokens=400), clock=FakeClock())
    for _ in range(10):
        await s.acquire(PATCH)
    s.observe(PATCH, day(20), sent_at=0.0)
    out = io.StringIO()
    with ProgressView(10, label="update", stream=out, interval=0.0) as view:
        view.scheduler = s
        view.update(RunStats())
        s.observe(PATCH, day(50), sent_at=0.0)
        view.update(RunStats(), final=True)
    first, last = out.getvalue().splitlines()
    assert "today 50/400 (counted here; server said 20)" in first, first
    assert "today 50/400 (server)" in last, last
