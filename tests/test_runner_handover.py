"""The runner hands items to its workers, and their outcomes to its writer, without a trip
through the event loop per item when nothing has to wait (issue 8: engine CPU per call)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bulk.calls import CallContext
from bulk.client import PipedriveClient
from bulk.clock import SystemClock
from bulk.plans import Limits
from bulk.runner import Runner
from bulk.scheduler import Scheduler
from bulk.store import AsyncJobStore, Item, ItemState, JobStore, Outcome
from bulk.transport import MockTransport, Response
from jobs.touch import touch_items

ITEMS = 640


class _Instant:
    """A kind whose items need no call: what is left is the runner's own plumbing."""

    name = "instant"

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        return Outcome(item.id, ItemState.DONE)

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        return [Outcome(i.id, ItemState.PENDING) for i in items]


class _CountingLoop(asyncio.SelectorEventLoop):
    """Counts the callbacks scheduled to run soon: each task step is one."""

    soon = 0

    def call_soon(self, callback: Callable[..., Any], *args: Any,
                  context: Any = None) -> asyncio.Handle:
        type(self).soon += 1
        return super().call_soon(callback, *args, context=context)


def _run(tmp: Path, kind: Any = None) -> tuple[int, dict[ItemState, int]]:
    store = JobStore.create(tmp / "job", job_id="j", kind="instant", config={})
    store.add_items(touch_items(range(1, ITEMS + 1), {}))

    def never(_: Any) -> Response:
        raise AssertionError("no call expected")

    async def go() -> dict[ItemState, int]:
        clock = SystemClock()
        client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(never))
        runner = Runner(AsyncJobStore(store), kind or _Instant(), client,
                        Scheduler(Limits(burst=40), clock=clock), clock=clock)
        async with client:
            result = await runner.run()
        return dict(result.counts)

    _CountingLoop.soon = 0
    try:
        with asyncio.Runner(loop_factory=_CountingLoop) as r:
            counts = r.run(go())
    finally:
        store.close()
    return _CountingLoop.soon, counts


def test_items_and_outcomes_pass_without_a_loop_step_each(tmp_path: Path) -> None:
    """640 items that need no call take at most 4 loop steps each, all told (a worker woken
    for its item, the writer for its outcome, the store's thread hops, the tasks' starts):
    with anyio's send / receive / slot each stepping through the loop first it was 7."""
    steps, counts = _run(tmp_path)
    assert counts.get(ItemState.DONE) == ITEMS
    assert steps <= 4 * ITEMS, f"{steps} loop steps for {ITEMS} items (7 each before)"


class _Trickle(_Instant):
    """A kind whose outcomes come one by one, as answers do (a short wait of its own each)."""

    name = "trickle"

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        await asyncio.sleep(0.0003 * (item.id % 16))
        return Outcome(item.id, ItemState.DONE)


def test_outcomes_that_trickle_reach_the_writer_without_a_loop_step_each(
        tmp_path: Path) -> None:
    """Outcomes arriving one at a time (as answers do at 150 ms latency) are put in the
    writer's batch with no task step of their own: at most 3.75 loop steps per item, all
    told (the item's own wait, its worker's wake-up, the store's hops); through a stream
    to a writer task each outcome also woke the writer via the loop (a checkpoint and an
    Event): 4.0-4.3 steps per item, 3.5 without."""
    steps, counts = _run(tmp_path, _Trickle())
    assert counts.get(ItemState.DONE) == ITEMS
    assert steps <= 3.75 * ITEMS, f"{steps} loop steps for {ITEMS} items ({steps / ITEMS:.2f} each)"


class _Crowd(_Instant):
    """A kind that notes how many tasks the loop holds as each of its items runs."""

    name = "crowd"

    def __init__(self) -> None:
        self.tasks: list[int] = []

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        self.tasks.append(len(asyncio.all_tasks()))
        await asyncio.sleep(0)
        return Outcome(item.id, ItemState.DONE)


def _few(tmp: Path, items: int, max_workers: int, recheck: bool) -> tuple[_Crowd, int, int]:
    """A run of ``items`` instant items at ``max_workers``: the kind (its task counts),
    the items done and the tasks the runner started in all (``anyio``'s task groups)."""
    store = JobStore.create(tmp / f"job-{items}-{max_workers}-{recheck}", job_id="j",
                            kind="crowd", config={})
    store.add_items(touch_items(range(1, items + 1), {}))
    kind = _Crowd()
    if recheck:  # a kind with a re-check: the producer's rendezvous hand-off, not ``Handoff``
        async def none_settled(ctx: CallContext, batch: Sequence[Item]) -> list[Outcome]:
            return []
        kind.recheck = none_settled  # type: ignore[attr-defined]
    started = 0

    async def go() -> int:
        nonlocal started
        loop = asyncio.get_running_loop()
        made = loop.create_task

        def counting(coro: Any, **kw: Any) -> asyncio.Task[Any]:
            nonlocal started
            started += 1
            return made(coro, **kw)

        loop.create_task = counting  # type: ignore[method-assign]
        clock = SystemClock()
        client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(
            lambda _: Response(500, {}, b"")))
        runner = Runner(AsyncJobStore(store), kind, client,
                        Scheduler(Limits(burst=40), clock=clock), clock=clock,
                        max_workers=max_workers)
        async with client:
            result = await runner.run()
        return result.counts.get(ItemState.DONE, 0)

    try:
        done = asyncio.run(go())
    finally:
        store.close()
    return kind, done, started


def test_a_pass_starts_no_more_workers_than_it_has_items(tmp_path: Path) -> None:
    """Workers start as items are handed out, at most ``max_workers`` and never more than
    the pass's items; the run's last pass (nothing pending) starts none. Issue 8: 64
    workers a pass, the last one's for nothing, were ~10 ms of CPU a run (0.1 ms a request
    of a Growth run of 80 rows); 3 items at 64 workers started 140 tasks, now under 20.
    Every item is done either way, with or without a re-check (its rendezvous hand-off),
    and with more items than workers."""
    for recheck in (False, True):
        for items, max_workers in ((3, 64), (1, 64), (150, 8), (70, 64)):
            kind, done, started = _few(tmp_path, items, max_workers, recheck)
            assert done == items, (recheck, items, max_workers)
            assert started <= min(items, max_workers) + 12, (recheck, items, started)
            if items < max_workers:  # (64 idle workers and more before)
                assert max(kind.tasks) <= items + 10, (recheck, items, kind.tasks)
