"""Claims on a real redis-server: one holder per name, leases, outcomes, take-over."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from bulk.claims_redis import Claim, Held, RedisClaims, holder_id
from bulk.errors import CoordinatorLost
from tests.redis_helpers import RedisServer, redis_server

__all__ = ["redis_server"]

pytestmark = pytest.mark.anyio
_OPEN: list[RedisClaims] = []


@pytest.fixture(autouse=True)
async def _close() -> AsyncIterator[None]:
    yield
    while _OPEN:
        await _OPEN.pop().aclose()


def claims(server: RedisServer, holder: str, **kw: float) -> RedisClaims:
    c = RedisClaims(server.url, "42", holder=holder, **kw)  # type: ignore[arg-type]
    _OPEN.append(c)
    return c


async def test_one_holder_per_name_and_the_outcome_passes_on(redis_server: RedisServer) -> None:
    a, b = claims(redis_server, "h:1:a"), claims(redis_server, "h:2:b")
    got = await a.acquire_many(["deal:K1", "deal:K2"])
    assert all(isinstance(c, Claim) and not c.reconcile for c in got.values())
    held = (await b.acquire_many(["deal:K1"]))["deal:K1"]
    assert isinstance(held, Held) and held.holder == "h:1:a"
    k1 = got["deal:K1"]
    assert isinstance(k1, Claim)
    await a.release(k1, {"deal_id": 12})
    again = (await b.acquire_many(["deal:K1"]))["deal:K1"]
    assert isinstance(again, Claim) and again.previous == {"deal_id": 12}
    assert not again.reconcile


async def test_racing_claimants_get_one_claim(redis_server: RedisServer) -> None:
    racers = [claims(redis_server, f"h:{i}:x") for i in range(8)]
    results = await asyncio.gather(*(r.acquire_many(["deal:RACE"]) for r in racers))
    winners = [r["deal:RACE"] for r in results if isinstance(r["deal:RACE"], Claim)]
    assert len(winners) == 1


async def test_an_expired_lease_is_taken_over_with_reconcile(redis_server: RedisServer) -> None:
    dead, next_ = claims(redis_server, "far:1:a"), claims(redis_server, "far:2:b")
    await dead.acquire_many(["deal:K"], lease_s=0.2)  # then it dies (other host: lease only)
    assert isinstance((await next_.acquire_many(["deal:K"]))["deal:K"], Held)
    await asyncio.sleep(0.25)
    took = (await next_.acquire_many(["deal:K"]))["deal:K"]
    assert isinstance(took, Claim) and took.reconcile and took.since is not None
    stale = Claim("deal:K", "far:1:a", 0.0)
    await dead.release(stale, {"deal_id": 99})  # compare-and-set: the old holder changes nothing
    again = (await claims(redis_server, "far:3:c").acquire_many(["deal:K"]))["deal:K"]
    assert isinstance(again, Held) and again.holder == "far:2:b"


async def test_renew_keeps_the_claim(redis_server: RedisServer) -> None:
    a, b = claims(redis_server, "far:1:a"), claims(redis_server, "far:2:b")
    got = (await a.acquire_many(["deal:R"], lease_s=0.2))["deal:R"]
    assert isinstance(got, Claim)
    await asyncio.sleep(0.1)
    await a.renew([got], lease_s=0.5)
    await asyncio.sleep(0.15)
    assert isinstance((await b.acquire_many(["deal:R"]))["deal:R"], Held)


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


async def test_a_killed_holder_on_this_host_is_taken_over_at_once(
        redis_server: RedisServer, sleeper: subprocess.Popen[bytes]) -> None:
    victim = claims(redis_server, holder_id(sleeper.pid))
    await victim.acquire_many(["deal:KILL"], lease_s=60)
    sleeper.kill()  # kill -9
    await asyncio.to_thread(sleeper.wait, 5)
    start = time.monotonic()
    assert await claims(redis_server, holder_id()).wait_released("deal:KILL", 5)
    took = (await claims(redis_server, holder_id()).acquire_many(["deal:KILL"]))["deal:KILL"]
    assert isinstance(took, Claim) and took.reconcile  # look it up before creating
    assert time.monotonic() - start < 1


async def test_wait_released_is_bounded(redis_server: RedisServer) -> None:
    a, b = claims(redis_server, "far:1:a"), claims(redis_server, "far:2:b", poll=0.02)
    got = (await a.acquire_many(["deal:W"]))["deal:W"]
    assert isinstance(got, Claim)
    assert not await b.wait_released("deal:W", 0.1)

    async def release_soon() -> None:
        await asyncio.sleep(0.05)
        await a.release(got)

    task = asyncio.create_task(release_soon())
    assert await b.wait_released("deal:W", 2)
    await task


async def test_lost_redis_is_coordinator_lost(redis_server: RedisServer) -> None:
    a = claims(redis_server, "far:1:a")
    redis_server.stop()
    with pytest.raises(CoordinatorLost):
        await a.acquire_many(["deal:X"])
