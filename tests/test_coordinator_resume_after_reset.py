"""x50r2 F4: a coordinated ``pdbulk resume`` right after the server's day began was
refused "run again after the reset" with nothing sent, while the same job uncoordinated
asked the server at once (one GET /users/me, 2 tokens) and finished. A resume or retry
(``Engine.open(ask_day=True)``: a person asking to go on) asks the server's day at once on
the Redis coordinator too: its first call goes past the shared spend once, and the
sandbox's headers bring the shared count back.

A real redis-server and a sandbox served from a thread (system clock)."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import anyio
import pytest
import redis.asyncio as aioredis

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


def _job(root: Path, name: str, settings: EngineConfig, first: int) -> JobStore:
    store = JobStore.create(root / name, job_id=name, kind="touch",
                            config={"engine": settings.to_json()})
    store.add_items(touch_items(range(first, first + 10), {"value": 7}))
    return store


async def _end_day(url: str) -> None:
    async with aiohttp.ClientSession() as http, \
            http.post(f"{url}/_sandbox/day/end") as answer:
        assert answer.status == 200


@pytest.mark.parametrize(("resume", "flush"), [(True, False), (False, False), (True, True)])
async def test_a_coordinated_resume_right_after_the_reset_asks_at_once(
        redis_server: RedisServer, tmp_path: Path, resume: bool, flush: bool) -> None:
    """Run 1 spends the day's 37 tokens; the day ends at once; run 2 (a resume:
    ``ask_day``) touches 7 deals on the new day, its first call the ask — Redis emptied
    between them too (``flush``: the state folder lends the spent day, which the ask's
    answer replaces; before, its 2 used were counted on top of the kept 37). A run that
    is not a resume is refused as before (the day was heard seconds ago)."""
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
        await _end_day(sb.url)
        # (a person's resume comes seconds later: the shared count follows the server's
        # figure past the calls answered in a whole second before the ask's: REALIGN)
        await anyio.sleep(2)
        if flush:
            client = aioredis.from_url(redis_server.url)
            try:
                await client.flushall()
            finally:
                await client.aclose()
        second = _job(tmp_path, "second", settings, 11)
        try:
            with anyio.fail_after(60):
                if resume:
                    async with Engine.open(settings, sb.token, store=second, ask_day=True,
                                           coordinator=RedisCoordinator(redis_server.url)
                                           ) as e:
                        left = e.tokens_left_today()  # what its plan is judged on
                        result = await e.run(TouchJob())
                else:
                    with pytest.raises(BudgetExhausted, match="getCurrentUser needs 2"):
                        async with Engine.open(settings, sb.token, store=second,
                                               coordinator=RedisCoordinator(redis_server.url)):
                            pass
                    return
        finally:
            second.close()
    assert left == DAILY - 2, left  # the ask's answer: 2 used (not 2 on top of the kept 37)
    assert result.stats.done == 7, result  # the new day's 37: 2 + 7 x 5 (then spent again)
