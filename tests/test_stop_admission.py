"""A run's stop ends every wait for admission (issue 8's cheaper admission: the stop fails
the scheduler's waiter, no cancel scope per call): the calls waiting for a slot, and one
waiting on the engines' shared window of this process, end with ``Stopped``, nothing sent,
charged or held; a call admitted as the stop came is dropped and refunded."""

from __future__ import annotations

import asyncio
from pathlib import Path

import anyio
import pytest

from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.coordinator_process import ProcessCoordinator
from bulk.errors import Stopped
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.runner import Runner
from bulk.scheduler import Cancellable, Scheduler
from bulk.store import AsyncJobStore, JobStore
from bulk.transport import MockTransport, Request, Response

pytestmark = pytest.mark.anyio

OP = get_operation("updateDeal")
BODY = b'{"success": true, "data": {"id": 1}}'


async def test_a_stop_ends_the_waits_for_a_slot_with_nothing_charged() -> None:
    """Calls queued behind a full window end with ``Stopped`` at the stop (in virtual time,
    before the window frees a slot); their tokens and slots are not kept."""
    clock = FakeClock()
    sched = Scheduler(Limits(burst=2), clock=clock)
    waiting: set[Cancellable] = set()
    for _ in range(2):
        await sched.acquire(OP, waiting=waiting)
    ends: list[object] = []

    async def queued() -> None:
        try:
            ends.append(await sched.acquire(OP, hold=True, waiting=waiting))
        except Stopped as exc:
            ends.append(exc)

    async with anyio.create_task_group() as tg:
        for _ in range(3):
            tg.start_soon(queued)
        await asyncio.sleep(0)
        assert len(waiting) == 3 and sched.statistics().waiting == 3
        began = clock.now()
        for wait in list(waiting):
            wait.cancel()
    assert [type(e) for e in ends] == [Stopped] * 3 and clock.now() == began
    stats = sched.statistics()
    assert (stats.waiting, stats.admitted, stats.tokens_spent) == (0, 2, 2 * OP.token_cost)
    assert not waiting


async def test_a_stop_ends_a_wait_on_the_shared_window_and_gives_the_slot_back() -> None:
    """With two engines on one account, a call admitted by its scheduler and queued on the
    shared window (another engine filled it) ends with ``Stopped`` at the stop: its local
    slot and tokens go back."""
    clock = FakeClock()
    one = Scheduler(Limits(burst=2), clock=clock)
    two = Scheduler(Limits(burst=2), clock=clock)
    one.attach(ProcessCoordinator("http://127.0.0.1:9", "tok", clock=clock))
    two.attach(ProcessCoordinator("http://127.0.0.1:9", "tok", clock=clock))
    for _ in range(2):
        await one.acquire(OP)  # the account's window is full
    waiting: set[Cancellable] = set()
    ended: list[BaseException] = []

    async def queued() -> None:
        try:
            await two.acquire(OP, hold=True, waiting=waiting)
        except Stopped as exc:
            ended.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(queued)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert len(waiting) == 1  # the shared wait's scope, the local one is over
        for wait in list(waiting):
            wait.cancel()
    assert len(ended) == 1 and not waiting
    stats = two.statistics()
    assert (stats.admitted, stats.tokens_spent, stats.window_fill) == (0, 0, 0)


async def test_a_runner_stop_ends_its_calls_waiting_for_admission(tmp_path: Path) -> None:
    """``request_stop`` ends every call of the run still waiting for its admission: each
    raises ``Stopped``; only the admitted ones were sent."""
    clock = FakeClock()
    sent: list[str] = []

    async def answer(req: Request) -> Response:
        sent.append(req.url)
        await clock.sleep(0.1)
        return Response(200, {"content-type": "application/json"}, BODY)

    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(answer))
    runner = Runner(AsyncJobStore(store), None, client, Scheduler(Limits(burst=3), clock=clock),
                    clock=clock, seed=1)
    ends: list[str] = []

    async def one(deal: int) -> None:
        try:
            await runner.ctx.call("updateDeal", path={"id": deal}, json={"value": 1})
            ends.append("sent")
        except Stopped:
            ends.append("stopped")

    try:
        async with client, anyio.create_task_group() as tg:
            for deal in range(1, 9):
                tg.start_soon(one, deal)
            await clock.sleep(0.5)  # three answered; five wait for the window (2 s)
            runner.request_stop(reason="test")
    finally:
        store.close()
    assert sorted(ends) == ["sent"] * 3 + ["stopped"] * 5 and len(sent) == 3
    assert runner.stats.calls == 3 and clock.now() < 2.0
