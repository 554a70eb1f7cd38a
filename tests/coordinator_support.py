"""Coordinated processes on one token for the day-budget tests: each a ``Scheduler`` with
its own ``RedisCoordinator`` on a real redis-server, bound to company 42, on a shared
``FakeClock`` that starts at 17:00 UTC (the hour the server's day began in these tests).

Used by tests/test_coordinator_day.py, test_coordinator_day_follow.py and
test_coordinator_new_day.py, which each once carried their own copy of these helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis

from bulk.clock import FakeClock
from bulk.coordinator import fingerprint
from bulk.coordinator_redis import RedisCoordinator
from bulk.plans import Limits
from bulk.scheduler import BudgetPolicy, Scheduler
from tests.redis_helpers import RedisServer, running_redis

COMPANY = "42"
FIVE_PM = 1_796_317_200.0  # 2026-12-03 17:00:00 UTC: the server's day began then
DAY = int(FIVE_PM // 86400)


def day_clock() -> FakeClock:
    """Virtual time at 17:00 UTC with a wide settle: a Redis round trip is real time, and
    virtual time must not jump under it."""
    return FakeClock(epoch=FIVE_PM, settle=2000, max_rounds=20_000)


class CoordinatedRuns:
    """Opens coordinated processes for one token and a daily budget of ``daily`` tokens
    (burst 40 tokens a window); ``redis_fixture()`` gives the test module a ``redis_server``
    fixture that closes every process it opened."""

    def __init__(self, token: str, *, daily: int, wait: bool = False) -> None:
        self.token, self.daily, self.wait = token, daily, wait
        self._open: list[RedisCoordinator] = []

    async def process(self, url: str, clock: FakeClock, *, wait: bool | None = None,
                      reserve: int = 0) -> Scheduler:
        """One process's scheduler, attached and bound (``wait``: wait for the day's reset
        at the budget instead of stopping; ``reserve``: tokens held back, as
        ``--budget-reserve``)."""
        policy = BudgetPolicy(wait_for_reset=self.wait if wait is None else wait,
                              reserve_tokens=reserve)
        sched = Scheduler(Limits(burst=40, daily_tokens=self.daily), clock=clock, budget=policy)
        coord = RedisCoordinator(url, clock=clock)
        self._open.append(coord)
        await coord.start(fingerprint(self.token))
        sched.attach(coord)
        coord.bind(COMPANY)
        return sched

    def redis_fixture(self) -> Callable[..., Any]:
        async def redis_server() -> AsyncIterator[RedisServer]:
            with running_redis() as server:
                yield server
                while self._open:
                    await self._open.pop().aclose()
        return pytest.fixture(redis_server)


async def spent_today(url: str) -> int:
    """The shared daily count Redis holds for company 42 on the test's day (tokens)."""
    return await spent_on(url, DAY)


async def spent_on(url: str, day: int) -> int:
    """The shared daily count Redis holds for company 42 on day ``day`` (tokens)."""
    client = aioredis.from_url(url)
    try:
        return int(float(await client.get(f"pdbulk:c:{COMPANY}:day:{day}") or 0))
    finally:
        await client.aclose()
