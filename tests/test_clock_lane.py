"""``bulk.clock.Lane``: the job store's one thread (issue 8). Its work runs one piece at a
time in the order it came, as anyio's threads behind a ``CapacityLimiter(1)`` did; a
cancelled scope raises before the work starts, an anyio cancel during it waits for its end;
fake time holds still meanwhile; the thread ends when idle; and a store call costs the
event loop a fraction of the Python calls anyio's thread hop did."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

import anyio
import pytest

import bulk.clock
from bulk.clock import FakeClock, Lane, in_thread
from bulk.loop import run_loop
from bulk.store import AsyncJobStore, JobStore


@pytest.mark.anyio
async def test_work_runs_one_at_a_time_in_the_order_it_came() -> None:
    """Ten pieces handed at once: one thread runs them, never two at a time, in order."""
    lane, order, busy, most, threads = Lane(), [], [0], [0], set()

    def piece(i: int) -> int:
        busy[0] += 1
        most[0] = max(most[0], busy[0])
        threads.add(threading.get_ident())
        time.sleep(0.002)
        order.append(i)
        busy[0] -= 1
        return i * i

    results: dict[int, int] = {}

    async def one(i: int) -> None:
        results[i] = await in_thread(lambda: piece(i), lane=lane)

    async with anyio.create_task_group() as tg:
        for i in range(10):
            tg.start_soon(one, i)
    assert order == list(range(10)) and most[0] == 1 and len(threads) == 1
    assert results == {i: i * i for i in range(10)}
    assert threading.get_ident() not in threads


@pytest.mark.anyio
async def test_an_error_in_the_work_is_raised_to_its_caller() -> None:
    """The work's exception reaches the caller; the lane goes on with the next piece."""
    lane = Lane()

    def boom() -> None:
        raise KeyError("gone")

    with pytest.raises(KeyError, match="gone"):
        await in_thread(boom, lane=lane)
    assert await in_thread(lambda: 7, lane=lane) == 7


@pytest.mark.anyio
async def test_a_cancelled_scope_raises_before_the_work_starts() -> None:
    """As anyio's ``run_sync``: in a scope cancelled already, the work never runs."""
    lane, ran = Lane(), []
    with anyio.CancelScope() as scope:
        scope.cancel()
        await in_thread(lambda: ran.append(1), lane=lane)
    assert scope.cancelled_caught and ran == []


@pytest.mark.anyio
async def test_a_cancel_during_the_work_waits_for_its_end() -> None:
    """An anyio cancel while the work runs: the caller waits for it to end (a batch is
    all or nothing, and known), then the cancel takes effect."""
    lane, started, ended = Lane(), threading.Event(), []

    def slow() -> str:
        started.set()
        time.sleep(0.1)
        ended.append(time.monotonic())
        return "done"

    got: list[str] = []
    with anyio.CancelScope() as scope:
        async def cancel_soon() -> None:
            for _ in range(5000):  # (5 s at most)
                if started.is_set():
                    break
                await anyio.sleep(0.001)
            scope.cancel()

        async with anyio.create_task_group() as tg:
            tg.start_soon(cancel_soon)
            got.append(await in_thread(slow, lane=lane))
            await anyio.sleep(1)  # the cancel lands here, the work's answer taken
    assert got == ["done"] and len(ended) == 1 and scope.cancelled_caught


@pytest.mark.anyio
async def test_fake_time_holds_still_while_the_work_runs() -> None:
    """A sleeper on a FakeClock does not jump while a lane's work is in its thread."""
    clock, lane, seen = FakeClock(), Lane(), []

    def work() -> None:
        time.sleep(0.05)
        seen.append(clock.now())

    async def sleeper() -> None:
        await clock.sleep(5.0)

    async with anyio.create_task_group() as tg:
        tg.start_soon(sleeper)
        await in_thread(work, lane=lane)
    assert seen == [0.0]


def test_the_thread_ends_when_idle_and_the_next_piece_starts_another(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """After ``IDLE`` seconds with no work the thread ends (a store left open keeps no
    thread); work handed after that runs on a new one."""
    monkeypatch.setattr(bulk.clock, "IDLE", 0.05)
    lane = Lane()

    async def go() -> tuple[int, int]:
        first = await in_thread(threading.get_ident, lane=lane)
        for _ in range(500):  # (5 s at most)
            if lane._thread is None:
                break
            await anyio.sleep(0.01)
        assert lane._thread is None
        return first, await in_thread(threading.get_ident, lane=lane)

    first, second = anyio.run(go)
    assert first != threading.get_ident() and second != threading.get_ident()


def test_a_store_call_costs_the_loop_few_python_calls(tmp_path: Path) -> None:
    """One ``AsyncJobStore`` call, counted on the event loop's thread (frames entered, the
    store's own method in its thread left out): 130 through anyio's ``to_thread`` and its
    limiter (~0.5 store calls a request at Growth and Ultimate-OAuth), 42 through the
    store's lane (anyio's cancel scope and ``checkpoint_if_cancelled``, ``off_loop``)."""
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    twin = AsyncJobStore(store)
    loop_thread = threading.get_ident()
    n = 0

    def count(frame: FrameType, event: str, _arg: Any) -> None:
        nonlocal n
        if event == "call" and threading.get_ident() == loop_thread:
            n += 1

    async def go() -> None:
        for _ in range(5):  # first-use costs out of the figure
            await twin.meta_get("x")
        sys.setprofile(count)
        try:
            for _ in range(100):
                await twin.meta_get("x")
        finally:
            sys.setprofile(None)

    try:
        run_loop(go)
    finally:
        store.close()
    assert n / 100 <= 50, n / 100
