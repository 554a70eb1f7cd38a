"""The in-doubt evidence of a job's create survives a plain release of its name by the
same holder (f21i F1: after a cancel and a resume, an import recorded deals its cut run
created as `unchanged`, and its undo left them behind) — and a cancelled acquire leaves no
claim behind but never gives back one another caller of the run holds: on this machine's
claims (LocalClaims), on Redis (RedisClaims) and on both (DualClaims)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import anyio
import anyio.lowlevel
import pytest

from bulk.claims import Claim, Claims, Held, acquire, in_doubt_outcome, new_holder
from bulk.claims_local import LocalClaims
from bulk.claims_open import DualClaims
from bulk.claims_redis import RedisClaims
from tests.redis_helpers import RedisServer, born_long_ago, running_redis

pytestmark = pytest.mark.anyio
NAME = "deal-key\x1fcode\x1fK-1"
CUTS = 60  # cancels, each after one more turn of the loop: some land mid round trip


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    with running_redis() as s:
        born_long_ago(s)
        yield s


@pytest.fixture(params=["local", "redis"])
async def make(request: pytest.FixtureRequest,
               tmp_path: Path) -> AsyncIterator[Callable[[], Claims]]:
    """A maker of claims objects (each its own holder) on one store."""
    opened: list[Claims] = []
    if request.param == "redis":
        srv = request.getfixturevalue("server")
        company = f"c{time.monotonic_ns()}"  # a store of its own on the module's server
        born_long_ago(srv, company)

        def new() -> Claims:
            opened.append(RedisClaims(srv.url, company))
            return opened[-1]
    else:
        def new() -> Claims:
            opened.append(LocalClaims(tmp_path / "claims.sqlite3"))
            return opened[-1]
    yield new
    for claims in opened:
        await claims.aclose()


async def _acquire(claims: Claims, tag: str) -> Claim:
    got = (await claims.acquire_many([NAME], tag=tag))[NAME]
    assert isinstance(got, Claim)
    return got


async def test_an_in_doubt_release_after_a_plain_one_of_the_same_name_is_kept(
        make: Callable[[], Claims]) -> None:
    run = make()
    sending = await _acquire(run, "job-1")  # the create sent under it
    other = await _acquire(run, "job-1")  # the same name, again, for another caller
    assert other.already_ours and not sending.already_ours
    await run.release(other)  # given back plainly (that caller was cancelled)
    await run.release(sending, in_doubt_outcome(time.time(), "job-1"))  # its answer lost
    await run.aclose()
    got = await _acquire(make(), "job-1")
    assert got.reconcile and got.prev_tag == "job-1"  # looked up, and the deal is job-1's


async def test_a_cancelled_acquire_gives_back_no_name_another_caller_holds(
        make: Callable[[], Claims]) -> None:
    run = make()
    sending = await _acquire(run, "job-1")
    with anyio.CancelScope() as scope:
        scope.cancel()  # cancelled once queued: its batch still runs
        await run.acquire_many([NAME], tag="job-1")
    await run.flush()
    held = (await make().acquire_many([NAME], tag="job-2"))[NAME]
    assert not isinstance(held, Claim)  # still the sender's: no other run creates it
    await run.release(sending, in_doubt_outcome(time.time(), "job-1"))


async def test_an_in_doubt_release_never_overwrites_another_run_s_outcome(
        make: Callable[[], Claims]) -> None:
    """The in-doubt outcome is written on a free name only when no other run's outcome
    is there: a run that took the freed name and created the thing owns it (attributed to
    this job, this job's undo would delete another's deal)."""

    mine, other = make(), make()
    sent = await acquire(mine, "deal:K9")
    again = await acquire(mine, "deal:K9")  # a second caller of this run on the name
    assert isinstance(sent, Claim) and isinstance(again, Claim)
    await mine.release(again)  # given back plainly: the name is free
    took = await acquire(other, "deal:K9")
    assert isinstance(took, Claim)
    await other.release(took, {"deal_id": 7, "job": "J-other"})
    await mine.release(sent, in_doubt_outcome(1.0, "J-mine"))  # late: must not overwrite
    got = await acquire(other, "deal:K9")
    assert isinstance(got, Claim) and got.previous == {"deal_id": 7, "job": "J-other"}


async def _cut(claims: Claims, name: str, turns: int, native: bool) -> Claim | Held | None:
    """``acquire_many([name])`` cancelled after ``turns`` turns of the loop (a native
    ``Task.cancel`` or an anyio cancel scope); its answer when it had one first."""
    if native:
        task = asyncio.ensure_future(claims.acquire_many([name], tag="job-1"))
        for _ in range(turns):
            await asyncio.sleep(0)
        task.cancel()
        try:
            return (await task)[name]
        except asyncio.CancelledError:
            return None
    got: Claim | Held | None = None
    with anyio.CancelScope() as scope:
        async def cut() -> None:
            for _ in range(turns):
                await anyio.lowlevel.checkpoint()
            scope.cancel()

        async with anyio.create_task_group() as tg:
            tg.start_soon(cut)
            got = (await claims.acquire_many([name], tag="job-1"))[name]
    return got


@pytest.mark.parametrize("native", [False, True], ids=["anyio-cancel", "task-cancel"])
async def test_a_cancelled_acquire_leaves_no_claim_held(make: Callable[[], Claims],
                                                        native: bool) -> None:
    """Cut at any point of its round trip, an acquire leaves no name held by the live run
    (nothing was sent under it): another run takes each at once, not at lease end."""
    run = make()
    await acquire(run, "deal:warm-up")  # the connection is open: the cuts land mid-call
    names = [f"deal:cut-{k}" for k in range(CUTS)]
    for turns, name in enumerate(names):
        got = await _cut(run, name, turns, native)
        if isinstance(got, Claim):  # answered before the cancel: its caller gives it back
            await run.release(got)
    await run.flush()
    rival = make()
    left = [n for n in names if isinstance(await acquire(rival, n), Held)]
    assert left == [], f"{len(left)} of {CUTS} cut acquires left their claim held"


@pytest.mark.parametrize("native", [False, True], ids=["anyio-cancel", "task-cancel"])
async def test_a_cancelled_dual_acquire_keeps_the_name_another_caller_holds(
        server: RedisServer, tmp_path: Path, native: bool) -> None:
    """DualClaims cut while Redis answers gives back its local claims — never one this run
    held already for a create in flight (freed, a run of this machine took it and created
    the deal again); and no claim taken for the cut caller stays held on either store."""
    company = f"d{time.monotonic_ns()}"
    born_long_ago(server, company)
    path = tmp_path / "claims.sqlite3"
    holder = new_holder()
    run = DualClaims(LocalClaims(path, holder=holder),
                     RedisClaims(server.url, company, holder=holder))
    local, shared = LocalClaims(path), RedisClaims(server.url, company)
    try:
        sending = await acquire(run, NAME, tag="job-1")
        assert isinstance(sending, Claim)
        names = [f"deal:cut-{k}" for k in range(CUTS)]
        for turns, name in enumerate(names):
            await _cut(run, NAME, turns, native)  # the sender's name, for another caller
            got = await _cut(run, name, turns, native)
            if isinstance(got, Claim):
                await run.release(got)
        await run.flush()
        assert isinstance(await acquire(local, NAME), Held)  # still the sender's, here
        assert isinstance(await acquire(shared, NAME), Held)  # and on Redis
        left = [n for n in names if isinstance(await acquire(local, n), Held)
                or isinstance(await acquire(shared, n), Held)]
        assert left == [], f"{len(left)} of {CUTS} cut acquires left their claim held"
    finally:
        for claims in (run, local, shared):
            await claims.aclose()
