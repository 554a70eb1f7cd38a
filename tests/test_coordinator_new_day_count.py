"""After waiting through the reset, the process's own count is the server's new day's
(x51r5 F5): a coordinated resume whose first call was answered 429 (the day spent) marked
the day spent on its own count; the server's new day came through the shared probe, not
its own, so that mark stayed, and its plan said "needs 302 tokens but 0 are left today
(… the server said 4 used, this process counts 297): the job stops checkpointed before its
first write" — then it created 40 deals. An answer whose figure shows the server's new day
ends the mark, as the scheduler's own probe's answer does.

Real redis-server, virtual time (FakeClock)."""

from __future__ import annotations

import pytest

from bulk.clock import FakeClock
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from tests.coordinator_support import DAY, CoordinatedRuns
from tests.redis_helpers import RedisServer

pytestmark = pytest.mark.anyio
TOKEN = "new-day-count-token-0123456789"
ADD, ME = get_operation("addDeal"), get_operation("getCurrentUser")  # 5 tokens, 2
_RUNS = CoordinatedRuns(TOKEN, daily=100, wait=True)
redis_server = _RUNS.redis_fixture()


async def test_a_figure_of_the_servers_new_day_ends_the_spent_mark_of_a_429(
        redis_server: RedisServer) -> None:
    # 03:00 UTC: a server's day that begins at 03:30 is labelled as the UTC day it overlaps
    # most, the one this process counted (the report's: 04:01)
    clock = FakeClock(epoch=DAY * 86400.0 + 3 * 3600.0, settle=2000, max_rounds=20_000)
    s = await _RUNS.process(redis_server.url, clock)
    for _ in range(20):
        await s.acquire(ADD)
    s.observe(ADD, RateHeaders(daily_token_limit=100, daily_token_remaining=0),
              sent_at=clock.now())
    await clock.sleep(5)
    # the resume's ask, answered 429: the day is spent (not charged)
    s.rate_limited(ME, RateHeaders(daily_token_limit=100, daily_token_remaining=0), None,
                   sent_at=clock.now())
    assert s.statistics().tokens_today == 100
    await clock.sleep(1800)
    # another process's probe found the new day; this process's next answer says 4 used
    sent = clock.now()
    await clock.sleep(0.2)
    s.observe(ME, RateHeaders(daily_token_limit=100, daily_token_remaining=96), sent_at=sent)
    stats = s.statistics()
    assert stats.server_today == 4, stats
    assert stats.tokens_today == 4, stats  # (before: 100, "this process counts 297")
    assert stats.usable_today == 96, stats
    assert stats.own_today == 0, stats  # (before: 100, its count of the day that ended)
