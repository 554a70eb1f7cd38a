"""While a run waits for the daily reset nothing is in flight: ``pdbulk status`` reads 0
sending (f25h 1: an update of 100 rows on a 300-token day showed ``sending 28`` during
the wait: its batch, marked SENDING before it waited for tokens). The items of the
batches handed out go back to pending while it waits (``bulk.handed``), are marked
SENDING again as their write leaves after the reset, and each is sent once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
import orjson
import pytest

from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.plans import Limits
from bulk.runner import CallContext, Runner
from bulk.scheduler import BudgetPolicy, Scheduler
from bulk.store import AsyncJobStore, Item, ItemState, JobStore, Outcome
from bulk.transport import MockTransport, Request, Response
from jobs.touch import TouchJob, touch_items
from tests.eventually import eventually

HEADERS = {"content-type": "application/json"}


class RecheckedTouch(TouchJob):
    """A kind with a re-check (batches of ``recheck_batch``, handed out one by one), as
    an update's: the re-check settles nothing."""

    async def recheck(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        return []


@pytest.mark.parametrize("kind", [TouchJob, RecheckedTouch])
def test_nothing_reads_sending_while_the_run_waits_for_the_reset(
        tmp_path: Path, kind: type[TouchJob]) -> None:
    """A 600-token day at 5 tokens a call, 160 items: during the reset wait the job reads
    0 sending and 120 done (what left), its ledger within the budget; the run then
    finishes the next day with every item sent exactly once."""
    job = tmp_path / "job"
    store = JobStore.create(job, job_id="j", kind="touch", config={})
    store.add_items(touch_items(range(1, 161), {"x": 1}))
    received: Counter[int] = Counter()
    seen: list[tuple[int, dict[ItemState, int], int]] = []

    class Watching(FakeClock):
        """Reads the job's counts as a long wait (the reset) begins."""

        async def sleep(self, seconds: float) -> None:
            if seconds > 600 and not seen:
                # the runner's ticker (real time) parks the items and takes the credit
                # charged ahead back: waited for, bounded, not guessed (0.3 s)
                seen.append(await eventually(during, parked))
            await super().sleep(seconds)

    def during() -> tuple[int, dict[ItemState, int], int]:
        with JobStore.open(job, lock=False) as look:
            spent = sum(t for t, _ in look.spend_by_operation().values())
            return sum(received.values()), look.counts(), spent

    def parked(now: tuple[int, dict[ItemState, int], int]) -> bool:
        return now[1][ItemState.SENDING] == 0 and now[2] <= 600

    async def answer(req: Request) -> Response:
        received[int(str(req.url).rsplit("/", 1)[-1].split("?")[0])] += 1
        body = {"id": 1, "update_time": "2026-01-01 00:00:00"}
        return Response(200, HEADERS, orjson.dumps({"success": True, "data": body}))

    async def go() -> Any:
        clock = Watching(epoch=1_767_225_600.0 + 3600)
        client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(answer))
        sched = Scheduler(Limits(burst=40, daily_tokens=600), clock=clock,
                          budget=BudgetPolicy(wait_for_reset=True))
        runner = Runner(AsyncJobStore(store), kind(), client, sched, clock=clock,
                        max_workers=8, seed=1, flush_seconds=0.05)
        async with client:
            with anyio.fail_after(30):
                return await runner.run()

    try:
        result = anyio.run(go)
        assert seen, "the run never waited for the reset"
        sent, counts, spent = seen[0]
        assert counts[ItemState.SENDING] == 0, counts
        assert counts[ItemState.DONE] == sent == 120, (counts, sent)
        assert counts[ItemState.PENDING] == 40, counts
        assert spent <= 600, spent
        assert result.counts[ItemState.DONE] == 160
        assert sorted(received) == list(range(1, 161)) and set(received.values()) == {1}
        assert store.counts()[ItemState.SENDING] == 0
    finally:
        store.close()


@pytest.mark.parametrize("kind", [TouchJob, RecheckedTouch])
def test_a_stop_during_the_reset_wait_leaves_the_rest_pending(
        tmp_path: Path, kind: type[TouchJob]) -> None:
    """A stop (Ctrl-C) while the run waits for the reset: the items put back to pending
    stay so, with no error (a first cut recorded pending -> pending and ended the run
    with "illegal transition"); nothing is in doubt, and nothing is sent after it."""
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    store.add_items(touch_items(range(1, 161), {"x": 1}))
    sent = 0
    holder: list[Runner] = []

    def sending() -> int:
        with JobStore.open(tmp_path / "job", lock=False) as look:
            return look.counts()[ItemState.SENDING]

    class Stopping(FakeClock):
        async def sleep(self, seconds: float) -> None:
            if seconds > 600:
                # the runner's ticker (real time) parks the items: waited for, not guessed
                await eventually(sending, lambda n: n == 0)
                holder[0].request_stop(reason="test over")
            await super().sleep(seconds)

    async def answer(req: Request) -> Response:
        nonlocal sent
        sent += 1
        body = {"id": 1, "update_time": "2026-01-01 00:00:00"}
        return Response(200, HEADERS, orjson.dumps({"success": True, "data": body}))

    async def go() -> Any:
        clock = Stopping(epoch=1_767_225_600.0 + 3600)
        client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(answer))
        sched = Scheduler(Limits(burst=40, daily_tokens=600), clock=clock,
                          budget=BudgetPolicy(wait_for_reset=True))
        holder.append(Runner(AsyncJobStore(store), kind(), client, sched, clock=clock,
                             max_workers=8, seed=1, flush_seconds=0.05))
        async with client:
            with anyio.fail_after(30):
                return await holder[0].run()

    try:
        result = anyio.run(go)
        assert result.stopped and result.error is None, result.error
        counts = store.counts()
        assert (counts[ItemState.DONE], counts[ItemState.PENDING], counts[ItemState.SENDING],
                sent) == (120, 40, 0, 120), (counts, sent)
    finally:
        store.close()
