"""The burst window on Redis is the token's on one account URL, as the company record is
(x48r13 F3): one token on two companies' accounts (a sandbox's default token on two
sandboxes; one token on a sandbox and on the real account) had one shared window, so a
run on one account waited for the other's calls."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest
import redis.asyncio as aioredis

from bulk.clock import SystemClock
from bulk.coordinator import account_key, fingerprint
from bulk.coordinator_redis import RedisCoordinator, snapshot
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import Scheduler
from tests.redis_helpers import RedisServer, redis_server

__all__ = ["redis_server"]

pytestmark = pytest.mark.anyio
TOKEN = "one-token-two-accounts-0123"
WINDOW, BURST = 10.0, 4  # a window no test waits for: a call it would hold fails at once
GET = get_operation("getDeals")


@pytest.fixture
async def coordinators(redis_server: RedisServer) -> AsyncIterator[list[RedisCoordinator]]:
    made: list[RedisCoordinator] = []
    yield made
    for coord in made:
        await coord.aclose()


async def _process(url: str, account: str, company: str,
                   made: list[RedisCoordinator]) -> Scheduler:
    clock = SystemClock()
    sched = Scheduler(Limits(burst=BURST, search=2, window=WINDOW, daily_tokens=10**6),
                      clock=clock, safety=0.0)
    coord = RedisCoordinator(url, clock=clock)
    made.append(coord)
    await coord.start(fingerprint(TOKEN), account=account_key(account, ""))
    sched.attach(coord)
    coord.bind(company)
    return sched


async def test_one_token_on_two_accounts_has_a_window_on_each(
        redis_server: RedisServer, coordinators: list[RedisCoordinator]) -> None:
    """Account A's process fills the window; B's, on the same token, admits at once."""
    a = await _process(redis_server.url, "http://127.0.0.1:30962", "1001", coordinators)
    b = await _process(redis_server.url, "http://127.0.0.1:30963", "2002", coordinators)
    with anyio.fail_after(2):
        for _ in range(BURST):
            await a.acquire(GET)
    with anyio.fail_after(2):  # before: held until A's calls left the window (10 s)
        for _ in range(BURST):
            await b.acquire(GET)
    client = aioredis.from_url(redis_server.url)
    try:
        bursts = [k.decode() async for k in client.scan_iter("pdbulk:t:*:burst")]
        assert len(bursts) == 2, bursts
        assert [await client.zcard(k) for k in bursts] == [BURST, BURST]
    finally:
        await client.aclose()
    seen = await snapshot(redis_server.url, wall=SystemClock().wall(), window=WINDOW)
    assert seen["tokens"] == {fingerprint(TOKEN): {"window_fill": BURST}}
