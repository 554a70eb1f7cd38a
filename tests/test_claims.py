"""bulk.claims: one holder per name across processes, outcomes handed on, dead holders taken over."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bulk.claims import Claim, Held, acquire, holder_alive, holder_id
from bulk.claims_open import LocalClaims
from bulk.clock import FakeClock

pytestmark = pytest.mark.anyio


def _dead_holder() -> str:
    """The holder id of a process that has exited."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(10)
    return holder_id(proc.pid) if Path(f"/proc/{proc.pid}").exists() else \
        f"{holder_id().split(':')[0]}:{proc.pid}:gone"


@pytest.fixture
def other_process() -> Iterator[str]:
    """The holder id of another live process (a sleeping child)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield holder_id(proc.pid)
    finally:
        proc.kill()
        proc.wait(10)


async def test_second_holder_is_told_held_then_gets_the_outcome(tmp_path: Path,
                                                               other_process: str) -> None:
    """A live holder blocks another; after release the next holder gets the outcome."""
    a = LocalClaims(tmp_path / "c.db", holder=other_process)
    b = LocalClaims(tmp_path / "c.db")
    got = await acquire(a, "k1")
    assert isinstance(got, Claim) and got.previous is None and not got.reconcile
    other = await acquire(b, "k1")
    assert isinstance(other, Held)
    await a.release(got, {"deal_id": 12})
    again = await acquire(b, "k1")
    assert isinstance(again, Claim) and again.previous == {"deal_id": 12} and not again.reconcile


async def test_outcomes_are_read_without_taking_anything(tmp_path: Path,
                                                         other_process: str) -> None:
    """``outcomes``: the outcome each name was released with (names with none left out);
    nothing is taken — a held name stays held."""
    a = LocalClaims(tmp_path / "c.db", holder=other_process)
    b = LocalClaims(tmp_path / "c.db")
    got = await a.acquire_many(["k1", "k2", "k3"])
    await a.release(got["k1"], {"deal_id": 12})  # type: ignore[arg-type]
    await a.release(got["k2"])  # type: ignore[arg-type]
    assert await b.outcomes(["k1", "k2", "k3", "k9"]) == {"k1": {"deal_id": 12}}
    assert isinstance(await acquire(b, "k3"), Held)


async def test_a_row_behind_a_frozen_holder_waits_for_its_lease_not_the_wait_bound(
        tmp_path: Path, other_process: str) -> None:
    """v12r5: a run frozen (SIGSTOP) while holding a claim renews nothing; a row waiting on
    it failed at the 120 s wait bound, every 120 s. ``acquire_waiting`` waits until the
    frozen holder's lease ends (fake time) and takes the claim over, to be reconciled."""
    from bulk.claims import acquire_waiting

    clock = FakeClock()
    frozen = LocalClaims(tmp_path / "c.db", holder=other_process, clock=clock)
    me = LocalClaims(tmp_path / "c.db", clock=clock)
    assert isinstance(await acquire(frozen, "k", lease_s=300.0), Claim)
    waits: list[float] = []

    async def on_wait() -> None:
        waits.append(clock.now())

    async def until_stopped(awaitable: Any) -> Any:
        return await awaitable

    started = clock.now()
    got = await acquire_waiting(me, "k", 300.0, tag="J", wait_s=120.0, on_wait=on_wait,
                                until_stopped=until_stopped)
    assert isinstance(got, Claim) and got.reconcile
    # given back all along (x21r1 F2: once only, the claims its batch took since stayed)
    assert len(waits) > 100 and 299.0 <= clock.now() - started <= 310.0


async def test_dead_or_expired_holder_is_taken_over_with_reconcile(tmp_path: Path,
                                                                  other_process: str) -> None:
    """A holder whose process is gone, or whose lease ran out, loses the claim; the taker
    must reconcile (and learns since when)."""
    clock = FakeClock()
    dead = LocalClaims(tmp_path / "c.db", holder=_dead_holder(), clock=clock)
    assert not holder_alive(dead.holder)
    held = await acquire(dead, "k")
    assert isinstance(held, Claim)
    me = LocalClaims(tmp_path / "c.db", clock=clock)
    taken = await acquire(me, "k")
    assert isinstance(taken, Claim) and taken.reconcile and taken.since == held.expires - 300.0

    live = LocalClaims(tmp_path / "c.db", holder=other_process, clock=clock)
    first = await acquire(live, "lease", lease_s=5.0)
    assert isinstance(first, Claim)
    assert isinstance(await acquire(me, "lease"), Held)
    await clock.sleep(6.0)
    late = await acquire(me, "lease")
    assert isinstance(late, Claim) and late.reconcile


async def test_wait_released_is_bounded_and_wakes_on_release(tmp_path: Path,
                                                             other_process: str) -> None:
    """wait_released gives up after its bound (fake time) and returns True once released."""
    clock = FakeClock()
    other = LocalClaims(tmp_path / "c.db", holder=other_process, clock=clock)
    me = LocalClaims(tmp_path / "c.db", clock=clock)
    claim = await acquire(other, "k")
    assert isinstance(claim, Claim)
    start = clock.now()
    assert await me.wait_released("k", 3.0) is False
    assert 3.0 <= clock.now() - start < 3.5
    await other.release(claim)
    assert await me.wait_released("k", 3.0) is True


@pytest.mark.timing
async def test_different_names_do_not_block_and_claims_are_cheap(tmp_path: Path) -> None:
    """Two holders on disjoint names both get all of theirs; a claim + release costs well
    under the time of one API call (measured: printed)."""
    a = LocalClaims(tmp_path / "c.db")
    b = LocalClaims(tmp_path / "c.db", holder=holder_id() + "-b")  # a dead-looking holder
    n = 300
    started = time.perf_counter()
    for i in range(n):
        ca = await acquire(a, f"a{i}")
        cb = await acquire(b, f"b{i}")
        assert isinstance(ca, Claim) and isinstance(cb, Claim)
        await a.release(ca, {"deal_id": i})
        await b.release(cb, {"deal_id": i})
    per_row_ms = (time.perf_counter() - started) / (2 * n) * 1000
    print(f"claim+release per row: {per_row_ms:.2f} ms")
    assert per_row_ms < 20.0
    many = await a.acquire_many([f"m{i}" for i in range(100)])
    assert all(isinstance(c, Claim) for c in many.values())
    assert a.release_all() == 100


@pytest.mark.anyio
async def test_a_kept_claim_outlives_its_lease_until_the_body_ends(tmp_path: Path,
                                                                   other_process: str) -> None:
    """While ``kept`` runs its body, the claim is renewed: another process reaching the name
    after twice the lease finds it held (not taken over); once the body is done, the lease
    runs out again and the claim is taken over with reconcile. Exceptions leave as they are."""
    import anyio

    from bulk.claims import kept
    from bulk.clock import SystemClock

    lease = 0.3
    mine = LocalClaims(tmp_path / "c.db", holder=other_process)  # a live holder
    theirs = LocalClaims(tmp_path / "c.db", holder=holder_id() + "-b")
    claim = await acquire(mine, "k", lease_s=lease)
    assert isinstance(claim, Claim)
    with pytest.raises(KeyError):
        async with kept(mine, claim, SystemClock(), lease):
            await anyio.sleep(2 * lease)  # a create waiting (a 429 pause) past its lease
            assert isinstance(await acquire(theirs, "k"), Held)
            raise KeyError("not an ExceptionGroup")
    await anyio.sleep(1.5 * lease)
    taken = await acquire(theirs, "k")
    assert isinstance(taken, Claim) and taken.reconcile


@pytest.mark.anyio
async def test_a_kept_claim_outlives_its_lease_on_the_shared_coordinator(tmp_path: Path) -> None:
    """The same with the Redis claims (across machines a holder's liveness cannot be checked:
    only the lease tells, so the renewal is what keeps a waiting create's claim)."""
    import anyio
    from redis_helpers import born_long_ago, running_redis

    from bulk.claims import kept
    from bulk.claims_redis import RedisClaims
    from bulk.clock import SystemClock

    lease = 0.3
    with running_redis() as server:
        born_long_ago(server)
        mine = RedisClaims(server.url, "42", holder="host-a:1:1")
        theirs = RedisClaims(server.url, "42", holder="host-b:2:2")
        try:
            claim = await acquire(mine, "k", lease_s=lease)
            assert isinstance(claim, Claim)
            async with kept(mine, claim, SystemClock(), lease):
                await anyio.sleep(2 * lease)
                assert isinstance(await acquire(theirs, "k"), Held)
            await anyio.sleep(1.5 * lease)
            taken = await acquire(theirs, "k")
            assert isinstance(taken, Claim) and taken.reconcile
        finally:
            await mine.aclose()
            await theirs.aclose()
