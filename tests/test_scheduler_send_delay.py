"""A call's window slot is held from its send until its answer: however long a starved
event loop (or a starved server) holds a call between the scheduler's decision and the
server's count, no window on the server holds more than the burst (f23d). On virtual
time: the server counts each call when it arrives, and the delays are drawn per call."""

from __future__ import annotations

import asyncio
import contextlib
import random
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import orjson
import pytest

from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.coordinator import fingerprint
from bulk.coordinator_process import ProcessCoordinator
from bulk.coordinator_redis import RedisCoordinator
from bulk.errors import AnswerLost, BulkError, NotSent
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.runner import Runner
from bulk.scheduler import Scheduler
from bulk.store import AsyncJobStore, JobStore
from bulk.transport import MockTransport, Request, Response
from tests.redis_helpers import RedisServer, running_redis

pytestmark = pytest.mark.anyio

W, BURST = 1.0, 40  # the 1-s window the tests and `PDBULK_WINDOW` runs use
# SEEDS_KEPT: one seed, 1, where there were 2-3 (f46l, test time): with the engine's calls
# not held (``acquire(hold=False)`` in bulk/calls.py) seed 1 gives 2, 2 and 24 overfull
# windows in the three tests that take it, seeds 0 and 2 none in the first two (10 on
# Redis); before f23d's fix every seed gave 4-49. The two engines' test keeps its three.
PATCH_OP = get_operation("updateDeal")


def _overfull(arrivals: list[float], burst: int = BURST, window: float = W) -> int:
    """Spans of ``window`` on the server's clock that hold more than ``burst`` arrivals."""
    arrivals = sorted(arrivals)
    return sum(1 for i in range(len(arrivals) - burst)
               if arrivals[i + burst] - arrivals[i] < window - 1e-9)


def _starved(rng: random.Random, most: float) -> float:
    """A loop delay: none for most calls, up to ``most`` seconds for one in five."""
    return rng.uniform(0, most) if rng.random() < 0.2 else 0.0


async def _run(schedulers: list[Scheduler], clock: FakeClock, rng: random.Random,
               before_send: Callable[[], float], after_send: Callable[[], float],
               calls: int = 400) -> list[float]:
    """``calls`` PATCHes through ``CallPath.call`` of a runner on each scheduler, by 16
    workers each: admission, a wait before the stamp (``before_send``: the call's guard
    here, as a claim's check or a starved loop), ``leaving``, a wait before the bytes
    leave (``after_send``), the way there (20-50 ms), the server's count, the way back
    (1 ms) and the answer. Returns the server's arrival times."""
    arrivals: list[float] = []

    async def server(req: Request) -> Response:
        await clock.sleep(after_send() + rng.uniform(0.02, 0.05))
        arrivals.append(clock.now())
        await clock.sleep(0.001)
        return Response(200, {"content-type": "application/json"},
                        orjson.dumps({"success": True, "data": {"id": 1}}))

    async def guard() -> bool:
        await clock.sleep(before_send())
        return True

    async def worker(runner: Runner, left: list[int]) -> None:
        while left:
            left.pop()
            await runner.ctx.call("updateDeal", path={"id": 1}, json={"value": 1},
                                  guard=guard)

    with tempfile.TemporaryDirectory() as tmp:
        stores, clients, runners = [], [], []
        for n, s in enumerate(schedulers):
            stores.append(JobStore.create(Path(tmp) / f"job{n}", job_id=f"j{n}", kind="touch",
                                          config={}))
            clients.append(PipedriveClient("http://127.0.0.1:9", "tok",
                                           transport=MockTransport(server)))
            runners.append(Runner(AsyncJobStore(stores[-1]), None, clients[-1], s,
                                  clock=clock, seed=n))
        try:
            async with contextlib.AsyncExitStack() as stack:
                for client in clients:
                    await stack.enter_async_context(client)
                async with asyncio.TaskGroup() as tg:
                    for runner in runners:
                        left = list(range(calls))
                        for _ in range(16):
                            tg.create_task(worker(runner, left))
        finally:
            for store in stores:
                store.close()
    return arrivals


@pytest.mark.parametrize("seed", [1])  # see SEEDS_KEPT
async def test_a_send_held_past_the_window_keeps_its_slot_until_the_answer(seed: int) -> None:
    """One call in five is held up to 1.5 windows between its stamp (``leaving``) and its
    bytes leaving. Its slot used to free a window after the stamp, before the server had
    counted it: windows on the server held 41-44."""
    clock, rng = FakeClock(), random.Random(seed)
    s = Scheduler(Limits(burst=BURST, window=W, daily_tokens=10**9), clock=clock)
    arrivals = await _run([s], clock, rng, lambda: 0.0, lambda: _starved(rng, 1.5 * W))
    assert len(arrivals) == 400
    assert _overfull(arrivals) == 0


@pytest.mark.parametrize("seed", [1])  # see SEEDS_KEPT
async def test_a_call_held_past_the_window_before_its_stamp_is_still_counted(seed: int) -> None:
    """One call in five waits up to 1.5 windows between its admission and ``leaving``
    (the ledger, a claim, a starved loop): its admission entry had left the window by then,
    and the call went out counted nowhere."""
    clock, rng = FakeClock(), random.Random(seed)
    s = Scheduler(Limits(burst=BURST, window=W, daily_tokens=10**9), clock=clock)
    arrivals = await _run([s], clock, rng, lambda: _starved(rng, 1.5 * W), lambda: 0.0)
    assert _overfull(arrivals) == 0


@pytest.mark.parametrize("seed", [0, 1, 2])
async def test_engines_of_one_process_hold_a_delayed_send_in_the_shared_window(seed: int) -> None:
    """Two engines' schedulers share one account in this process (``ProcessCoordinator``):
    a call held up to 1.5 windows before its bytes leave kept its shared slot only a window,
    an eighth of one and the fastest round trip past its stamp (``ahead``), and the other
    engine took it: windows on the server over the burst."""
    clock, rng = FakeClock(), random.Random(seed)
    url = f"http://127.0.0.1:9/f23d-{seed}"
    schedulers = [Scheduler(Limits(burst=BURST, window=W, daily_tokens=10**9), clock=clock,
                            coordinator=ProcessCoordinator(url, "tok", clock=clock))
                  for _ in range(2)]
    try:
        arrivals = await _run(schedulers, clock, rng, lambda: 0.0,
                              lambda: _starved(rng, 1.5 * W), calls=300)
    finally:
        for s in schedulers:
            assert s.coordinator is not None
            await s.coordinator.aclose()
    assert len(arrivals) == 600
    assert _overfull(arrivals) == 0


async def test_every_way_a_call_ends_settles_its_held_slot(tmp_path: Path) -> None:
    """``CallPath.call`` holds each call's slot from its admission: every way a call ends
    settles it — answered, 5xx, 429, an answer lost, a guard lost, cancelled in flight —
    or the slot would stay held for ``HOLD_AT_MOST`` (60 s). Burst 2 per 1-s window, the
    endings in turn (a 5xx or a lost answer tried again as a read is): they end within a
    few windows, and a window later nothing is held."""
    clock = FakeClock()
    mode = "ok"

    async def server(req: Request) -> Response:
        nonlocal mode
        if mode == "lost":
            raise AnswerLost("the answer was lost")
        if mode == "stall":
            await clock.sleep(3600)  # cancelled in flight below
        status = {"500": 500, "429": 429}.get(mode, 200)
        mode = "ok" if mode == "429" else mode  # one 429, then its retry goes through
        body = {"success": status == 200, "data": {"id": 1}}
        return Response(status, {"content-type": "application/json"}, orjson.dumps(body))

    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    sched = Scheduler(Limits(burst=2, window=W, daily_tokens=10**9), clock=clock,
                      rng=random.Random(1))
    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(server))
    runner = Runner(AsyncJobStore(store), None, client, sched, clock=clock, seed=1)

    async def unguarded() -> bool:
        return False

    async with client:
        for mode in ("ok", "lost", "ok", "500", "429", "ok", "guard", "stall", "ok", "ok"):
            if mode == "guard":
                with pytest.raises(NotSent):
                    await runner.ctx.call("getDeal", path={"id": 1}, guard=unguarded)
            elif mode == "stall":
                task = asyncio.create_task(runner.ctx.call("getDeal", path={"id": 1}))
                await clock.sleep(0.5)
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            else:
                try:
                    await runner.ctx.call("getDeal", path={"id": 1})
                except BulkError:
                    pass
    store.close()
    assert clock.now() < 30.0, clock.now()
    clock.advance(2 * W)
    stats = sched.statistics()
    assert stats.window_fill == 0, stats


async def test_a_call_dropped_after_its_turn_in_the_shared_window_frees_its_slot(
        tmp_path: Path) -> None:
    """Two engines share one account (burst 2 per 1-s window). Engine B's call waits its
    turn in the shared window behind A's two, then its guard (the claim) is lost: it never
    leaves. Its held shared entry is dated from its admission (it frees a window later),
    not held for ``HOLD_AT_MOST`` (a slot short: one call a window): B's next six calls go
    two a window."""
    clock = FakeClock()

    def server(req: Request) -> Response:
        return Response(200, {"content-type": "application/json"},
                        orjson.dumps({"success": True, "data": {"id": 1}}))

    async def lost() -> bool:
        return False

    url = "http://127.0.0.1:9/f23d-dropped"
    runners, stores = [], []
    for n in range(2):
        stores.append(JobStore.create(tmp_path / f"job{n}", job_id=f"j{n}", kind="touch",
                                      config={}))
        s = Scheduler(Limits(burst=2, window=W, daily_tokens=10**9), clock=clock,
                      coordinator=ProcessCoordinator(url, "tok", clock=clock))
        client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(server))
        runners.append((Runner(AsyncJobStore(stores[-1]), None, client, s, clock=clock,
                               seed=n), client, s))
    (a, a_client, _), (b, b_client, _) = runners
    try:
        async with a_client, b_client:
            for _ in range(2):
                await a.ctx.call("getDeal", path={"id": 1})
            with pytest.raises(NotSent):
                await b.ctx.call("getDeal", path={"id": 1}, guard=lost)
            for _ in range(6):
                await b.ctx.call("getDeal", path={"id": 1})
    finally:
        for _, _, s in runners:
            assert s.coordinator is not None
            await s.coordinator.aclose()
        for store in stores:
            store.close()
    assert clock.now() < 5 * W, clock.now()


@pytest.fixture
async def redis_server() -> AsyncIterator[RedisServer]:
    with running_redis() as server:
        yield server


@pytest.mark.parametrize("seed", [1])  # see SEEDS_KEPT
async def test_processes_on_redis_hold_a_delayed_send_in_the_shared_window(
        redis_server: RedisServer, seed: int) -> None:
    """Two processes on the Redis coordinator: one call in five waits up to 1.5 windows
    between its admission and its send (a claim's check on Redis, the ledger, a loop
    starved by a loaded machine: 0.4 and 1.3 s traced before 429s on the sandbox). Its
    shared entry stayed dated ``admitted + ahead`` until its answer, and left the window
    before the server had counted the call: the other process took the slot (f27c).
    Held now, as a process's own engines hold theirs (f23d): renewed until the answer."""
    clock, rng = FakeClock(), random.Random(seed)
    schedulers = []
    for _ in range(2):
        coord = RedisCoordinator(redis_server.url, clock=clock)
        await coord.start(fingerprint(f"tok-{seed}"))
        coord.bind("42")
        schedulers.append(Scheduler(Limits(burst=BURST, window=W, daily_tokens=10**9),
                                    clock=clock, coordinator=coord))
    try:
        arrivals = await _run(schedulers, clock, rng, lambda: _starved(rng, 1.5 * W),
                              lambda: 0.0, calls=200)
    finally:
        for s in schedulers:
            assert s.coordinator is not None
            await s.coordinator.aclose()
    assert len(arrivals) == 400
    assert _overfull(arrivals) == 0


async def test_a_killed_process_s_held_calls_free_their_slots_within_a_window(
        redis_server: RedisServer) -> None:
    """A process on Redis holds a whole burst of calls (admitted, never answered) for two
    windows (renewed: without it they freed a window and an ``ahead`` after their
    admission), then is killed (its renewals stop): another process on the token gets a
    slot a window and an ``ahead`` after the last renewal (a quarter window before the
    kill at most), not later."""
    clock = FakeClock()
    coords = [RedisCoordinator(redis_server.url, clock=clock) for _ in range(2)]
    for coord in coords:
        await coord.start(fingerprint("tok-killed"))
        coord.bind("42")
    dead, alive = (Scheduler(Limits(burst=BURST, window=W, daily_tokens=10**9), clock=clock,
                             coordinator=coord) for coord in coords)
    try:
        for _ in range(BURST):
            await dead.acquire(PATCH_OP, hold=True)
        await clock.sleep(2 * W)  # held: renewed past the window
        task = coords[0]._renew_task
        assert task is not None and not task.done()
        task.cancel()  # killed: nothing renews its entries any more
        killed = clock.now()
        await alive.acquire(PATCH_OP)
        assert 3 * W / 4 < clock.now() - killed <= W + W / 2
    finally:
        for coord in coords:
            await coord.aclose()
