"""A call whose held slot lapsed between its admission and its send is admitted again, not
sent on it (f48d). On Redis the slot is an entry renewed every quarter window while the
process's event loop runs; a loop blocked past a window and an eighth (a GC pause, SQLite
on the loop, a transport's set-up: f47n traced 0.6-2.5 s on a starting process) renewed
nothing, the entry left the shared window, another process's call took the slot and the
server's window held burst + 1 (a 429). Here (``HOLD_AT_MOST``) a held slot lapses after a
minute. Virtual time (FakeClock), a real redis-server for the shared window; no real
sleeps."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.client import PipedriveClient
from bulk.clock import Clock, FakeClock
from bulk.coordinator import HOLD_AT_MOST, fingerprint
from bulk.coordinator_redis import RedisCoordinator
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.runner import Runner
from bulk.scheduler import Scheduler
from bulk.store import AsyncJobStore, JobStore
from bulk.transport import MockTransport, Request, Response
from tests.redis_helpers import RedisServer, running_redis

pytestmark = pytest.mark.anyio
W = 1.0


class _Stallable:
    """One process's clock (a FakeClock's time) whose timers wait while it is stalled: its
    event loop blocked, its coordinator's renewals do not run, while other processes do."""

    def __init__(self, inner: FakeClock) -> None:
        self.inner = inner
        self._go: asyncio.Event | None = None

    def now(self) -> float:
        return self.inner.now()

    def wall(self) -> float:
        return self.inner.wall()

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
        while self._go is not None:
            await self._go.wait()

    async def stall(self, seconds: float) -> None:
        """This process blocked for ``seconds`` of the others' time."""
        self._go = asyncio.Event()
        try:
            await self.inner.sleep(seconds)
        finally:
            go, self._go = self._go, None
            go.set()


def _overfull(arrivals: list[float], burst: int, window: float = W) -> list[float]:
    """Spans of ``window`` on the server's clock that hold more than ``burst`` arrivals."""
    arrivals = sorted(arrivals)
    return [arrivals[i] for i in range(len(arrivals) - burst)
            if arrivals[i + burst] - arrivals[i] < window - 1e-9]


async def _calls(tmp: Path, plans: list[tuple[Scheduler, Clock, int,
                                              Callable[[], Awaitable[bool]] | None]],
                 clock: FakeClock) -> tuple[list[float], list[Runner]]:
    """Each plan's ``n`` PATCHes through ``CallPath.call`` of a runner on its scheduler
    (clock), by 8 workers (one for a guarded plan, its guard before each send); returns
    the server's arrival times (each call 20 ms on its way there) and the runners."""
    arrivals: list[float] = []

    async def server(req: Request) -> Response:
        await clock.sleep(0.02)
        arrivals.append(clock.now())
        return Response(200, {"content-type": "application/json"},
                        orjson.dumps({"success": True, "data": {"id": 1}}))

    async def worker(runner: Runner, left: list[int],
                     guard: Callable[[], Awaitable[bool]] | None) -> None:
        while left:
            left.pop()
            await runner.ctx.call("updateDeal", path={"id": 1}, json={"value": 1},
                                  guard=guard)

    stores, clients, runners = [], [], []
    try:
        async with contextlib.AsyncExitStack() as stack:
            for n, (sched, own_clock, _, _) in enumerate(plans):
                stores.append(JobStore.create(tmp / f"job{n}", job_id=f"j{n}", kind="touch",
                                              config={}))
                clients.append(await stack.enter_async_context(PipedriveClient(
                    "http://127.0.0.1:9", "tok", transport=MockTransport(server))))
                runners.append(Runner(AsyncJobStore(stores[-1]), None, clients[-1], sched,
                                      clock=own_clock, seed=n))
            async with asyncio.timeout(120):  # real seconds: Redis round trips
                async with asyncio.TaskGroup() as tg:
                    for runner, (_, _, n, guard) in zip(runners, plans, strict=True):
                        left = list(range(n))
                        for _ in range(1 if guard else 8):
                            tg.create_task(worker(runner, left, guard))
    finally:
        for store in stores:
            store.close()
    return arrivals, runners


@pytest.fixture
async def redis_server() -> AsyncIterator[RedisServer]:
    with running_redis() as server:
        yield server


class _Watched(RedisCoordinator):
    """A's coordinator: says when a renewal of its held entries reached Redis."""

    def __init__(self, url: str, *, clock: Clock) -> None:
        super().__init__(url, clock=clock)
        self.renewal = asyncio.Event()

    def _renewed(self, pending: list[tuple[str, tuple[Any, ...]]]) -> None:
        super()._renewed(pending)
        if any(cmd == "renew" for cmd, _ in pending):
            self.renewal.set()


@pytest.mark.parametrize("renewed_first", [False, True])
async def test_a_call_whose_process_blocked_past_its_shared_slot_is_admitted_again(
        redis_server: RedisServer, tmp_path: Path, renewed_first: bool) -> None:
    """Process A's call is admitted on Redis, then A blocks 1.3 windows before it leaves
    (nothing of A runs, its renewals neither) while process B sends at the full rate. A's
    entry left the shared window a window and an eighth after its admission and B took
    the slot: before, A's call went out on it and a window on the server held 41 of 40.
    Now A sees the lapse before it sends and is admitted again: no window over the burst,
    every call sent once. ``renewed_first``: once A runs again its renewal reaches Redis
    before the call goes on (the entry, still in the sorted set, dated again): a renewal
    applied after the entry may have left the window proves nothing, the call is still
    admitted again."""
    burst = 40
    clock = FakeClock()
    a_clock = _Stallable(clock)
    clocks: tuple[Clock, Clock] = (a_clock, clock)
    coords = [_Watched(redis_server.url, clock=c) for c in clocks]
    scheds = []
    for coord, c in zip(coords, clocks, strict=True):
        await coord.start(fingerprint("lapse-token-0123456789"))
        coord.bind("42")
        scheds.append(Scheduler(Limits(burst=burst, window=W, daily_tokens=10**9),
                                clock=c, coordinator=coord))
    stalls = [1.3 * W]

    async def blocked() -> bool:  # A's first call: its loop blocked after its admission
        if stalls:
            await a_clock.stall(stalls.pop())
            if renewed_first:
                coords[0].renewal.clear()
                async with asyncio.timeout(30):  # real seconds: a Redis round trip
                    await coords[0].renewal.wait()
        return True

    try:
        arrivals, (a, _) = await _calls(tmp_path, [(scheds[0], a_clock, 1, blocked),
                                                   (scheds[1], clock, 3 * burst, None)],
                                        clock)
    finally:
        for coord in coords:
            await coord.aclose()
    assert len(arrivals) == 1 + 3 * burst
    assert _overfull(arrivals, burst) == [], sorted(arrivals)
    assert a.stats.calls == 1 and a.stats.calls_by_operation == {"updateDeal": 1}
    assert a.stats.tokens_by_operation == {"updateDeal": get_operation("updateDeal").token_cost}


async def test_a_call_held_past_hold_at_most_before_its_send_is_admitted_again(
        tmp_path: Path) -> None:
    """One process alone (no coordinator): a call's guard keeps it HOLD_AT_MOST and a
    second between its admission and its send while other calls go at the full rate. Its
    held slot lapsed at HOLD_AT_MOST (another call took it); sent on it, a window on the
    server held burst + 1. Now it is admitted again."""
    burst = 4
    clock = FakeClock()
    sched = Scheduler(Limits(burst=burst, window=W, daily_tokens=10**9), clock=clock)
    waits = [HOLD_AT_MOST + 1.0]

    async def slow() -> bool:
        if waits:
            await clock.sleep(waits.pop())
        return True

    n = int((HOLD_AT_MOST + 3) * burst / W)
    arrivals, (held, _) = await _calls(tmp_path, [(sched, clock, 1, slow),
                                                  (sched, clock, n, None)], clock)
    assert len(arrivals) == 1 + n
    assert _overfull(arrivals, burst) == [], sorted(arrivals)
    assert held.stats.calls == 1
