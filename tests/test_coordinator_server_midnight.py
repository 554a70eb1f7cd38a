"""f40d 3: on the Redis coordinator, ``--wait-for-reset`` under a spent ``--budget-share``
waits for the server's midnight where a process saw its day begin, not UTC's, as a
process without Redis does (f39j 2). Pipedrive's daily budget resets at its server's
midnight, in a time zone not named (FACTS.md "Rate limits"); a share is this tool's
count, so no probe asks the server, and the coordinator's days were UTC's: spent at
21:59:30 with the server's day beginning at 22:00 UTC, the wait ran 2 h longer. The
midnight is kept in Redis for the company's processes: the next ones read it at their
start, a running one when its day refuses a call (each look of its wait). Real
redis-server, virtual time (FakeClock)."""

from __future__ import annotations

import asyncio
import math

import pytest

from bulk.clock import FakeClock
from bulk.coordinator import fingerprint
from bulk.coordinator_redis import RedisCoordinator
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import BudgetPolicy, Scheduler
from tests.coordinator_support import COMPANY, CoordinatedRuns, spent_on
from tests.redis_helpers import RedisServer

pytestmark = pytest.mark.anyio
DAY = 86_400.0
DAILY = 400  # tokens; the share (0.25) is 100
MIDNIGHT = DAY * 20_000  # a UTC midnight
GET = get_operation("getStages")  # 5 tokens
_RUNS = CoordinatedRuns("server-midnight-token-0123456789", daily=DAILY, wait=True)
redis_server = _RUNS.redis_fixture()


async def _process(url: str, clock: FakeClock) -> Scheduler:
    """A coordinated process with ``--budget-share 0.25 --wait-for-reset``."""
    sched = Scheduler(Limits(burst=40, daily_tokens=DAILY), clock=clock,
                      budget=BudgetPolicy(share=0.25, wait_for_reset=True))
    coord = RedisCoordinator(url, clock=clock)
    _RUNS._open.append(coord)  # (closed by the fixture)
    await coord.start(fingerprint(_RUNS.token))
    sched.attach(coord)
    coord.bind(COMPANY)
    return sched


def _answer(sched: Scheduler, clock: FakeClock, at: float, spent: int) -> None:
    """An answer at wall ``at`` whose daily headers say the company spent ``spent``."""
    clock.advance(at - clock.wall())
    sched.observe(GET, RateHeaders(daily_token_limit=DAILY, daily_token_remaining=DAILY - spent))


async def test_a_spent_share_waits_for_the_servers_midnight_on_redis(
        redis_server: RedisServer) -> None:
    """One process saw the server's day begin at 22:00 UTC. The next day its share is
    spent at 21:59:30: the wait ends at 22:00, not at UTC's midnight; so does a new
    process's the day after, which learned the midnight from Redis."""
    clock = FakeClock(epoch=MIDNIGHT + 21 * 3600, settle=2000, max_rounds=20_000)
    first = await _process(redis_server.url, clock)
    _answer(first, clock, MIDNIGHT + 22 * 3600 - 1, 97)
    _answer(first, clock, MIDNIGHT + 22 * 3600 + 1, 5)  # the server's day began
    _answer(first, clock, MIDNIGHT + DAY + 22 * 3600 - 30, 100)  # the share spent
    await first.acquire(GET)
    assert MIDNIGHT + DAY + 22 * 3600 < clock.wall() < MIDNIGHT + DAY + 22 * 3600 + 60
    # (before: MIDNIGHT + 2 * DAY, UTC's midnight)

    clock.advance(MIDNIGHT + 2 * DAY + 21 * 3600 - clock.wall())  # a new process, next day
    second = await _process(redis_server.url, clock)
    _answer(second, clock, MIDNIGHT + 2 * DAY + 22 * 3600 - 30, 100)
    await second.acquire(GET)
    assert MIDNIGHT + 2 * DAY + 22 * 3600 < clock.wall() < MIDNIGHT + 2 * DAY + 22 * 3600 + 60


async def test_a_process_waiting_on_its_share_takes_the_midnight_another_saw(
        redis_server: RedisServer) -> None:
    """Two processes run; B's share is spent at 21:59:30 UTC and B waits. A sees the
    server's day begin at 22:00:01: B learns it from Redis at its next look (every 10 s)
    and goes at once on the server's new day, with A on the same day's key (before: B
    waited for UTC's midnight, 2 h more, on another day's key than A's)."""
    clock = FakeClock(epoch=MIDNIGHT + 21 * 3600, settle=2000, max_rounds=20_000)
    a = await _process(redis_server.url, clock)
    b = await _process(redis_server.url, clock)
    _answer(a, clock, MIDNIGHT + 22 * 3600 - 60, 90)
    _answer(b, clock, MIDNIGHT + 22 * 3600 - 30, 100)  # B's share: spent
    waiting = asyncio.ensure_future(b.acquire(GET))
    await clock.sleep(MIDNIGHT + 22 * 3600 + 1 - clock.wall())
    assert not waiting.done()
    _answer(a, clock, MIDNIGHT + 22 * 3600 + 1, 5)  # the server's day began
    await waiting
    assert MIDNIGHT + 22 * 3600 < clock.wall() < MIDNIGHT + 22 * 3600 + 60
    await a.acquire(GET)
    new_day = math.floor((MIDNIGHT + 22 * 3600 + 7200) / DAY)  # the server's day's label
    assert await spent_on(redis_server.url, new_day) >= 2 * GET.token_cost  # one key, both



async def test_a_process_begun_after_the_reset_records_the_midnight(
        redis_server: RedisServer) -> None:
    """x41r6 F1: A answers at 21:59 UTC (90 spent) and no process is alive at the server's
    midnight (22:00 UTC). B starts at 22:00:30 and its first figure is 5: the midnight is
    kept in Redis by that answer (before: B's REALIGN followed the figure but no
    ``midnight`` key was written, so only a process alive across the reset dated it). The
    next day B's spent share waits for 22:00:31, not UTC's midnight; a process begun the
    day after reads it at its start and does the same."""
    clock = FakeClock(epoch=MIDNIGHT + 21 * 3600, settle=2000, max_rounds=20_000)
    a = await _process(redis_server.url, clock)
    _answer(a, clock, MIDNIGHT + 22 * 3600 - 60, 90)
    await a.acquire(GET)  # (A's figure reaches Redis with its next admission's flush)
    clock.advance(MIDNIGHT + 22 * 3600 + 30 - clock.wall())
    b = await _process(redis_server.url, clock)
    _answer(b, clock, MIDNIGHT + 22 * 3600 + 31, 5)  # the server's day began
    await b.acquire(GET)
    _answer(b, clock, MIDNIGHT + DAY + 22 * 3600 - 30, 100)  # the share spent
    await b.acquire(GET)
    assert MIDNIGHT + DAY + 22 * 3600 < clock.wall() < MIDNIGHT + DAY + 22 * 3600 + 60
    # (before: MIDNIGHT + 2 * DAY, UTC's midnight)

    clock.advance(MIDNIGHT + 2 * DAY + 21 * 3600 - clock.wall())  # a new process, next day
    c = await _process(redis_server.url, clock)
    _answer(c, clock, MIDNIGHT + 2 * DAY + 22 * 3600 - 30, 100)
    await c.acquire(GET)
    assert MIDNIGHT + 2 * DAY + 22 * 3600 < clock.wall() < MIDNIGHT + 2 * DAY + 22 * 3600 + 60
