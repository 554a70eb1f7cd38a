"""f42e over HTTP: the company's whole daily budget spent by a coordinated run against
the sandbox, the server's day ended since (``POST /_sandbox/day/end``); the next
coordinated run, an hour later (its clock's wall an hour on), goes on — its
first call (GET /users/me) asks and the sandbox's headers bring the shared count back —
where it was refused "... tokens used by all processes ..." until UTC's midnight. The
ask is the run's own first call: nothing is added to the run (or to its plan).

A real redis-server and a sandbox served from a thread (system clock)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import anyio
import pytest

from bulk.coordinator_redis import RedisCoordinator
from bulk.engine import Engine, EngineConfig
from bulk.errors import BudgetExhausted
from bulk.sandbox import SandboxConfig
from bulk.store import JobStore
from jobs.touch import TouchJob, touch_items
from tests.redis_helpers import RedisServer, redis_server
from tests.sandbox_helpers import threaded_sandbox

__all__ = ["redis_server"]

pytestmark = pytest.mark.anyio
DAILY = 37  # tokens: GET /users/me (2) and 7 touches (5 each), the whole day


class _HourLater:
    """Real time an hour on (``wall``): the run after the first by an hour."""

    now = staticmethod(time.monotonic)

    @staticmethod
    def wall() -> float:
        return time.time() + 3600.0

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


def _job(root: Path, name: str, settings: EngineConfig, first: int) -> JobStore:
    store = JobStore.create(root / name, job_id=name, kind="touch",
                            config={"engine": settings.to_json()})
    store.add_items(touch_items(range(first, first + 10), {"value": 7}))
    return store


async def test_a_run_after_the_servers_reset_goes_on_when_the_whole_day_was_spent(
        redis_server: RedisServer, tmp_path: Path) -> None:
    """Run 1 spends the day's 37 tokens and is refused; the day ends; run 2, an hour
    later, touches 7 deals on the new day (before: refused at its GET /users/me)."""
    with threaded_sandbox(SandboxConfig(daily_tokens=DAILY, deals=30, seats=10)) as sb:
        settings = EngineConfig(base_url=sb.url, job_root=tmp_path)
        first = _job(tmp_path, "first", settings, 1)
        try:
            with anyio.fail_after(60):
                async with Engine.open(settings, sb.token, store=first,
                                       coordinator=RedisCoordinator(redis_server.url)) as e:
                    spent = await e.run(TouchJob())
            assert isinstance(spent.error, BudgetExhausted) and spent.stats.done == 7
        finally:
            first.close()
        async with aiohttp.ClientSession() as http:  # the server's day ends
            async with http.post(f"{sb.url}/_sandbox/day/end") as answer:
                assert answer.status == 200
        second = _job(tmp_path, "second", settings, 11)
        try:  # an hour later
            with anyio.fail_after(60):
                async with Engine.open(settings, sb.token, store=second, clock=_HourLater(),
                                       coordinator=RedisCoordinator(redis_server.url,
                                                                    clock=_HourLater())) as e:
                    result = await e.run(TouchJob())
        finally:
            second.close()
    assert result.stats.done == 7, result  # the new day's 37: 2 + 7 x 5
