"""Claims on a real redis-server: one holder per name, leases, outcomes, take-over."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from bulk.claims_redis import Claim, Held, RedisClaims, born_key, holder_id
from bulk.clock import FakeClock
from bulk.errors import CoordinatorLost
from tests.redis_helpers import RedisServer, born_long_ago, redis_server

__all__ = ["redis_server"]

pytestmark = pytest.mark.anyio
_OPEN: list[RedisClaims] = []


@pytest.fixture(autouse=True)
async def _close() -> AsyncIterator[None]:
    yield
    while _OPEN:
        await _OPEN.pop().aclose()


def claims(server: RedisServer, holder: str, **kw: Any) -> RedisClaims:
    born_long_ago(server)
    c = RedisClaims(server.url, "42", holder=holder, **kw)
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


def hands() -> FakeClock:
    """A clock moved by hand (``advance``), shared by a test's claimants: a lease runs out
    when the test says, not when a loaded machine's scheduler lets 0.2 s pass between two
    calls (the lease is the claimants' clock's: ``RedisClaims`` sends ``wall()`` to Redis;
    its keys live ``retain_s`` longer in real time)."""
    return FakeClock(epoch=time.time())


async def test_an_expired_lease_is_taken_over_with_reconcile(redis_server: RedisServer) -> None:
    clock = hands()
    dead = claims(redis_server, "far:1:a", clock=clock)
    next_ = claims(redis_server, "far:2:b", clock=clock)
    await dead.acquire_many(["deal:K"], lease_s=0.2)  # then it dies (other host: lease only)
    clock.advance(0.19)
    assert isinstance((await next_.acquire_many(["deal:K"]))["deal:K"], Held)
    clock.advance(0.02)
    took = (await next_.acquire_many(["deal:K"]))["deal:K"]
    assert isinstance(took, Claim) and took.reconcile and took.since is not None
    stale = Claim("deal:K", "far:1:a", 0.0)
    await dead.release(stale, {"deal_id": 99})  # compare-and-set: the old holder changes nothing
    again = (await claims(redis_server, "far:3:c").acquire_many(["deal:K"]))["deal:K"]
    assert isinstance(again, Held) and again.holder == "far:2:b"


async def test_renew_keeps_the_claim(redis_server: RedisServer) -> None:
    clock = hands()
    a, b = claims(redis_server, "far:1:a", clock=clock), claims(redis_server, "far:2:b", clock=clock)
    got = (await a.acquire_many(["deal:R"], lease_s=0.2))["deal:R"]
    assert isinstance(got, Claim)
    clock.advance(0.1)
    assert await a.renew([got], lease_s=0.5) == {"deal:R"}
    clock.advance(0.15)  # past the first lease, within the renewed one
    assert isinstance((await b.acquire_many(["deal:R"]))["deal:R"], Held)
    clock.advance(0.36)  # past the renewed lease: nothing renews it any more
    took = (await b.acquire_many(["deal:R"]))["deal:R"]
    assert isinstance(took, Claim) and took.reconcile


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


@pytest.mark.timing
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
        keys = [k.decode() for k in await client.keys("*") if k != born_key("42").encode()]
        dumped = [str(await client.hgetall(k)) for k in keys]
    finally:
        await client.aclose()
    assert len(keys) == 2 and all(k.startswith("pdbulk:c:42:claim:") for k in keys)
    blob = " ".join(keys + dumped)
    assert "alice" not in blob and "hidden" not in blob and "example.org" not in blob


# -- lost state, frozen holders, namespaces, scripts ----------------------------------------
class HandClock:
    """Time that moves only by ``advance`` (a FakeClock jumps while a Redis round trip is in
    flight); a sleeper (the lease renewer) waits until then."""

    def __init__(self, wall: float = 1_767_225_600.0) -> None:
        self._now, self._epoch = 0.0, wall
        self._due: list[tuple[float, asyncio.Future[None]]] = []

    def now(self) -> float:
        return self._now

    def wall(self) -> float:
        return self._epoch + self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds
        for at, fut in list(self._due):
            if at <= self._now and not fut.done():
                fut.set_result(None)

    async def sleep(self, seconds: float) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._due.append((self._now + seconds, fut))
        await fut


async def test_claims_after_redis_lost_its_state_say_reconcile(redis_server: RedisServer) -> None:
    """Redis restarted empty (here: FLUSHALL) while A held K: B's claim on K is not trusted on
    its own (reconcile, looking back a lease before the new birth) for one lease after the
    state's birth; A learns that its claim is gone (renew / confirm); after a lease, claims
    are trusted again. Injected clock: no sleeps."""
    import redis.asyncio as aioredis

    from bulk.claims import kept

    clock = HandClock()
    lease = 300.0
    a = claims(redis_server, "far:1:a", clock=clock)
    b = claims(redis_server, "far:2:b", clock=clock)
    k = (await a.acquire_many(["deal:K"], lease))["deal:K"]
    assert isinstance(k, Claim) and not k.reconcile and k.born == 0.0
    client = aioredis.from_url(redis_server.url)
    try:
        await client.flushall()
    finally:
        await client.aclose()
    clock.advance(5)
    got = (await b.acquire_many(["deal:K"], lease))["deal:K"]
    assert isinstance(got, Claim) and got.reconcile
    assert got.born == clock.wall() and got.since == clock.wall() - lease
    async with kept(a, k, clock, lease) as held:
        assert not await held.confirm()  # A must not send: B holds K now
    assert await a.renew([k], lease) == set()
    # A's next acquire sees the new epoch: it noticed the loss
    await a.acquire_many(["deal:OTHER"], lease)
    assert a.statistics_["state_lost"] == 1
    clock.advance(lease)
    later = (await b.acquire_many(["deal:L"], lease))["deal:L"]
    assert isinstance(later, Claim) and not later.reconcile


async def test_a_holder_frozen_past_its_lease_does_not_send(redis_server: RedisServer) -> None:
    """A claims K, is frozen (SIGSTOP) past its lease: by its own clock the lease ran out, so
    ``confirm`` says no — whether or not B took K over meanwhile. While the lease runs,
    ``confirm`` checks Redis: B having taken K (another clock) is seen there too."""
    from bulk.claims import kept

    clock = HandClock()
    a = claims(redis_server, "far:1:a", clock=clock)
    b = claims(redis_server, "far:2:b", clock=HandClock(clock.wall() + 11))
    k = (await a.acquire_many(["deal:F"], 10.0))["deal:F"]
    assert isinstance(k, Claim)
    async with kept(a, k, clock, 10.0) as lease:
        assert await lease.confirm()
        # A is frozen past its lease between claim and send; B (11 s later) takes K over
        took = (await b.acquire_many(["deal:F"], 10.0))["deal:F"]
        assert isinstance(took, Claim) and took.reconcile
        clock.advance(11)  # A continues
        assert not await lease.confirm()
    # nobody took it, but the lease ran out by the holder's clock: still not sent
    k2 = (await a.acquire_many(["deal:G"], 10.0))["deal:G"]
    assert isinstance(k2, Claim)
    async with kept(a, k2, clock, 10.0) as lease:
        clock.advance(10.5)
        assert not await lease.confirm()
    # the lease still runs by the holder's clock, but Redis says another holds it
    ahead = HandClock(clock.wall() + 100.0)
    c = claims(redis_server, "far:3:c", clock=ahead)
    k3 = (await a.acquire_many(["deal:H"], 10.0))["deal:H"]
    assert isinstance(k3, Claim)
    async with kept(a, k3, clock, 10.0) as lease:
        assert isinstance((await c.acquire_many(["deal:H"], 10.0))["deal:H"], Claim)
        assert not await lease.confirm()


async def test_two_companies_share_no_key(redis_server: RedisServer) -> None:
    """Every key claims write is under its company: the same claim names (the deal-field
    claim has no account in its name) taken by two companies on one Redis never collide."""
    import redis.asyncio as aioredis

    one = RedisClaims(redis_server.url, "1001", holder="far:1:a")
    two = RedisClaims(redis_server.url, "2002", holder="far:2:b")
    client = aioredis.from_url(redis_server.url)
    try:
        names = ["deal-field\x1fImport source key", "deal-key\x1fcode\x1fK1"]
        got1 = await one.acquire_many(names)
        keys1 = {k.decode() for k in await client.keys("*")}
        got2 = await two.acquire_many(names)  # not Held: another company's claims
        assert all(isinstance(c, Claim) for c in [*got1.values(), *got2.values()])
        keys2 = {k.decode() for k in await client.keys("*")} - keys1
        assert len(keys1) == len(keys2) == 3 and not keys1 & keys2
        assert all(k.startswith("pdbulk:c:1001:") for k in keys1)
        assert all(k.startswith("pdbulk:c:2002:") for k in keys2)
    finally:
        await client.aclose()
        await one.aclose()
        await two.aclose()
    with pytest.raises(ValueError, match="company"):
        RedisClaims(redis_server.url, "")


async def test_scripts_go_by_evalsha_and_survive_a_restart(redis_server: RedisServer) -> None:
    """The scripts are sent by EVALSHA (not their source every time); a restarted Redis
    (empty script cache) answers NOSCRIPT and gets them again, and the connection is closed
    with the context manager."""
    import redis.asyncio as aioredis

    async with RedisClaims(redis_server.url, "42", holder="far:1:a") as a:
        got = (await a.acquire_many(["deal:E"]))["deal:E"]
        assert isinstance(got, Claim)
        a.release_soon(got, {"id": 1})
        await a.flush()
        client = aioredis.from_url(redis_server.url)
        try:
            stats = await client.info("commandstats")
        finally:
            await client.aclose()
        assert "cmdstat_eval" not in stats and stats["cmdstat_evalsha"]["calls"] >= 2
        redis_server.stop()
        redis_server.start()
        again = (await a.acquire_many(["deal:E2"]))["deal:E2"]
        assert isinstance(again, Claim)
        a.release_soon(again)
        await a.flush()  # the pipeline loads the release script again
        assert await a.renew([again]) == set()
    client = aioredis.from_url(redis_server.url)
    try:
        assert len(await client.client_list()) == 1  # only this one: the claims' is closed
    finally:
        await client.aclose()


async def test_claim_keys_are_salted_with_the_company() -> None:
    """F7: a claim's key is no plain SHA-256 of its name (a known e-mail address could be
    confirmed by hashing it), and one name gives different keys in two companies."""
    import hashlib

    from bulk.claims_redis import claim_key

    name = "person\x1fcode\x1fe:alice@example.com"
    a, b = claim_key("1", name), claim_key("2", name)
    assert a.split(":")[-1] != b.split(":")[-1]
    assert hashlib.sha256(name.encode()).hexdigest()[:32] not in (a, b)
    assert "alice" not in a and claim_key("1", name) == a


async def test_outcomes_are_read_without_taking_anything(redis_server: RedisServer) -> None:
    """``outcomes`` (what a plan prices): the outcome each name was released with, names
    with none left out; a held name stays held by its holder."""
    a, b = claims(redis_server, "h:1:a"), claims(redis_server, "h:2:b")
    got = await a.acquire_many(["deal:K1", "deal:K2", "deal:K3"])
    k1, k2 = got["deal:K1"], got["deal:K2"]
    assert isinstance(k1, Claim) and isinstance(k2, Claim)
    await a.release(k1, {"deal_id": 12, "job": "J"})
    await a.release(k2)  # no outcome
    assert await b.outcomes(["deal:K1", "deal:K2", "deal:K3", "deal:K9"]) == {
        "deal:K1": {"deal_id": 12, "job": "J"}}
    assert isinstance((await b.acquire_many(["deal:K3"]))["deal:K3"], Held)


@pytest.mark.parametrize("state_lost", [False, True])
async def test_a_local_dead_holders_tag_is_no_proof_once_the_shared_state_was_lost(
        redis_server: RedisServer, tmp_path: Any, state_lost: bool) -> None:
    """v12r7: job J's process died holding a claim on this machine; Redis then lost its
    state (FLUSHALL) and another host created the thing. J's resume counted it as made by J:
    the merged claim named J (the local dead holder's tag). A shared state born after the
    local claim was taken vouches for nobody: no tag then; with Redis intact, J's tag."""
    import redis

    from bulk.claims_open import DualClaims, LocalClaims
    from bulk.claims_redis import born_key

    dead = LocalClaims(tmp_path / "c.db", holder=f"{holder_id().split(':')[0]}:999999:gone")
    assert isinstance((await dead.acquire_many(["org:K"], tag="J"))["org:K"], Claim)
    dead.close()
    client = redis.Redis.from_url(redis_server.url)
    client.delete(born_key("42"))
    if not state_lost:
        client.hset(born_key("42"), mapping={"epoch": "old", "at": "0"})
    client.close()
    local = LocalClaims(tmp_path / "c.db")
    shared = RedisClaims(redis_server.url, "42", holder=holder_id())
    _OPEN.append(shared)
    got = (await DualClaims(local, shared).acquire_many(["org:K"], tag="R"))["org:K"]
    local.close()
    assert isinstance(got, Claim) and got.reconcile
    assert got.prev_tag == (None if state_lost else "J")


async def test_a_release_answered_noscript_is_sent_again(redis_server: RedisServer,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """v12r9: Redis restarted (empty) between a pipeline's script check and its EVALSHAs:
    "No matching script" stopped the run with exit 4. The releases are sent again (the
    next pipeline loads the scripts) and the claim is free with its outcome."""
    from redis.asyncio.client import Pipeline
    from redis.exceptions import ResponseError

    a, b = claims(redis_server, "h:1:a"), claims(redis_server, "h:2:b")
    got = (await a.acquire_many(["deal:NS"]))["deal:NS"]
    assert isinstance(got, Claim)
    real = Pipeline.execute
    failed: list[bool] = []

    async def once(self: Pipeline, raise_on_error: bool = True) -> Any:
        if not failed:
            failed.append(True)
            raise ResponseError("Command # 1 (EVALSHA 7c02) of pipeline caused error: "
                                "No matching script. Please use EVAL.")
        return await real(self, raise_on_error)

    monkeypatch.setattr(Pipeline, "execute", once)
    a.release_soon(got, {"deal_id": 7, "job": "A"})
    await a.flush()  # before: CoordinatorLost ("refused the request")
    assert failed and a.statistics_["released"] == 1
    again = (await b.acquire_many(["deal:NS"]))["deal:NS"]
    assert isinstance(again, Claim) and again.previous == {"deal_id": 7, "job": "A"}


async def test_dead_held_names_what_an_acquire_would_take_over(
        redis_server: RedisServer, tmp_path: Any) -> None:
    """``dead_held`` (what a plan prices, x29r2 F2): the names a gone holder (a dead pid on
    this host) or a lease run out holds, each with when it was taken; names held live,
    released or free are left out; nothing is taken. Locally, on Redis and in both."""
    from bulk.claims_open import DualClaims, LocalClaims

    gone = f"{holder_id().split(':')[0]}:999999:gone"
    dead_local = LocalClaims(tmp_path / "c.db", holder=gone)
    await dead_local.acquire_many(["deal:L"], tag="J")
    dead_local.close()
    dead = claims(redis_server, gone)
    await dead.acquire_many(["deal:R"], tag="K")
    late = claims(redis_server, "far:1:a")
    await late.acquire_many(["deal:E"], lease_s=0.2)  # another host: its lease decides
    live = claims(redis_server, "far:2:b")
    got = await live.acquire_many(["deal:H", "deal:F"])
    f = got["deal:F"]
    assert isinstance(f, Claim)
    await live.release(f, {"deal_id": 3})
    await asyncio.sleep(0.25)
    names = ["deal:L", "deal:R", "deal:E", "deal:H", "deal:F", "deal:N"]
    reader = claims(redis_server, "far:3:c")
    assert {n: h.tag for n, h in (await reader.dead_held(names)).items()} == {
        "deal:R": "K", "deal:E": None}
    local = LocalClaims(tmp_path / "c.db")
    try:
        assert [h.tag for h in (await local.dead_held(names)).values()] == ["J"]
        both = await DualClaims(local, reader).dead_held(names)
        assert set(both) == {"deal:L", "deal:R", "deal:E"}
        assert all(h.since <= time.time() for h in both.values())
        assert set(await reader.dead_held(names)) == {"deal:R", "deal:E"}  # nothing taken
        assert isinstance((await reader.acquire_many(["deal:H"]))["deal:H"], Held)
    finally:
        local.close()
