"""x50r2 F1 over HTTP: two coordinated runs waiting for the reset (``--wait-for-reset``) on
a spent company day said "next check whether its day began at HH:31" and sent nothing
then: the one that took the ``probe`` key had its call admitted past the spent day, found
it lapsed (dated at its admission before the wait) right before it left, refunded it and
was refused again. The sandbox's day ended before the check: the check goes out at the
half hour, from one run, and both runs finish on the new day.

A real redis-server and a sandbox served from a thread; the runs' clock runs 20 times
faster than real time, its wall set to 17:29:30 UTC (the check at 17:31: 4.5 s later)."""

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
from bulk.scheduler import BudgetPolicy
from bulk.store import JobStore
from jobs.touch import TouchJob, touch_items
from tests.redis_helpers import RedisServer, redis_server
from tests.sandbox_helpers import threaded_sandbox

__all__ = ["redis_server"]

pytestmark = pytest.mark.anyio
DAILY = 37  # tokens: GET /users/me (2) and 7 touches (5 each), the whole day
HALF_PAST_FIVE = 1_796_319_000.0  # 2026-12-03 17:30:00 UTC


class _Fast:
    """Real time 20 times faster, the wall from 17:29:30 UTC."""

    def __init__(self) -> None:
        self.m0 = time.monotonic()

    def now(self) -> float:
        return self.m0 + (time.monotonic() - self.m0) * 20

    def wall(self) -> float:
        return HALF_PAST_FIVE - 30 + (time.monotonic() - self.m0) * 20

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / 20)


def _job(root: Path, name: str, settings: EngineConfig, first: int) -> JobStore:
    store = JobStore.create(root / name, job_id=name, kind="touch",
                            config={"engine": settings.to_json()})
    store.add_items(touch_items(range(first, first + 3), {"value": 7}))
    return store


async def test_two_waiting_runs_check_at_the_half_hour_and_go_on(
        redis_server: RedisServer, tmp_path: Path) -> None:
    with threaded_sandbox(SandboxConfig(daily_tokens=DAILY, deals=30, seats=10)) as sb:
        settings = EngineConfig(base_url=sb.url, job_root=tmp_path)
        first = _job(tmp_path, "first", settings, 1)
        first.add_items(touch_items(range(21, 26), {"value": 7}))
        try:
            with anyio.fail_after(60):
                async with Engine.open(settings, sb.token, store=first,
                                       coordinator=RedisCoordinator(redis_server.url)) as e:
                    spent = await e.run(TouchJob())
            assert isinstance(spent.error, BudgetExhausted) and spent.stats.done == 7
        finally:
            first.close()
        waiting = EngineConfig(base_url=sb.url, job_root=tmp_path,
                               budget=BudgetPolicy(wait_for_reset=True))
        clock = _Fast()

        async def run(name: str, first_id: int) -> int:
            store = _job(tmp_path, name, waiting, first_id)
            try:
                async with Engine.open(waiting, sb.token, store=store, clock=clock,
                                       coordinator=RedisCoordinator(redis_server.url,
                                                                    clock=clock)) as e:
                    return (await e.run(TouchJob())).stats.done
            finally:
                store.close()

        async def day_ends() -> None:  # while both wait (their first call, or a write)
            await clock.sleep(40)
            async with aiohttp.ClientSession() as http, \
                    http.post(f"{sb.url}/_sandbox/day/end") as answer:
                assert answer.status == 200

        with anyio.fail_after(40):  # (17:31 is 4.5 s away; 18:01, 94.5 s)
            done = await asyncio.gather(run("a", 11), run("b", 14), day_ends())
    assert done[:2] == [3, 3], done
    assert clock.wall() < HALF_PAST_FIVE + 120, clock.wall() - HALF_PAST_FIVE
