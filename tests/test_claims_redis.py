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


async def test_release_soon_waits_for_flush_or_the_next_acquire(redis_server: RedisServer) -> None:
    """release_soon writes nothing by itself; flush (one pipeline) or the next acquire_many
    sends it, with its outcome, and a claim taken over meanwhile is left alone."""
    a, b = claims(redis_server, "far:1:a"), claims(redis_server, "far:2:b")
    got = await a.acquire_many(["deal:S1", "deal:S2", "deal:S3"])
    s1, s2, s3 = (got[n] for n in ("deal:S1", "deal:S2", "deal:S3"))
    assert isinstance(s1, Claim) and isinstance(s2, Claim) and isinstance(s3, Claim)
    a.release_soon(s1, {"id": 1})
    a.release_soon(s2)
    assert isinstance((await b.acquire_many(["deal:S1"]))["deal:S1"], Held)  # not sent yet
    await a.flush()
    assert a.statistics_["released"] == 2
    took = (await b.acquire_many(["deal:S1", "deal:S2"]))
    assert isinstance(took["deal:S1"], Claim) and took["deal:S1"].previous == {"id": 1}
    assert isinstance(took["deal:S2"], Claim) and took["deal:S2"].previous is None
    await a.flush()  # nothing queued: no round trip, no count
    assert a.statistics_["released"] == 2

    a.release_soon(s3, {"id": 3})
    await a.acquire_many(["deal:S4"])  # sends the queued release first
    s3_next = (await b.acquire_many(["deal:S3"]))["deal:S3"]
    assert isinstance(s3_next, Claim) and s3_next.previous == {"id": 3}
    stale = took["deal:S1"]
    assert isinstance(stale, Claim)
    a.release_soon(Claim("deal:S1", a.holder, stale.expires), {"id": 99})  # no longer a's
    await a.flush()
    held = (await claims(redis_server, "far:3:c").acquire_many(["deal:S1"]))["deal:S1"]
    assert isinstance(held, Held) and held.holder == "far:2:b"  # b's claim untouched


async def test_lost_redis_at_flush_is_coordinator_lost(redis_server: RedisServer) -> None:
    a = claims(redis_server, "far:1:a")
    got = (await a.acquire_many(["deal:F"]))["deal:F"]
    assert isinstance(got, Claim)
    a.release_soon(got)
    redis_server.stop()
    with pytest.raises(CoordinatorLost, match="does not answer"):
        await a.flush()


async def test_no_customer_data_in_redis(redis_server: RedisServer) -> None:
    """Claim names carry e-mails and organization names: Redis holds only their digests."""
    import redis.asyncio as aioredis

    a = claims(redis_server, "far:1:a")
    names = ["person\x1fcode\x1fe:alice.private@example.org", "org\x1fcode\x1fhidden corp"]
    got = await a.acquire_many(names)
    for c in got.values():
        assert isinstance(c, Claim)
        a.release_soon(c, {"id": 7})
    await a.flush()
    client = aioredis.from_url(redis_server.url)
    try:
        keys = [k.decode() for k in await client.keys("*")]
        dumped = [str(await client.hgetall(k)) for k in keys]
    finally:
        await client.aclose()
    assert len(keys) == 2 and all(k.startswith("pdbulk:c:42:claim:") for k in keys)
    blob = " ".join(keys + dumped)
    assert "alice" not in blob and "hidden" not in blob and "example.org" not in blob
