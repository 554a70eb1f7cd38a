"""What a run goes on past is said, not swallowed (f26f 1): a store error parking the items
that wait for the daily reset, or flushing the ledger meanwhile, is logged once (a
``pdbulk.*`` warning, no token) and named in the run's result (``RunStats.warnings``);
the run still ends with every item sent once. Errors nobody expects there (a bug) are no
longer dropped: they stop the run at its boundary."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import anyio
import orjson
import pytest

from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.errors import StoreError, Unexpected
from bulk.plans import Limits
from bulk.runner import Runner, RunResult
from bulk.scheduler import BudgetPolicy, Scheduler
from bulk.store import AsyncJobStore, ItemState, JobStore, Outcome
from bulk.transport import MockTransport, Request, Response
from jobs.touch import TouchJob, touch_items
from tests.eventually import eventually

HEADERS = {"content-type": "application/json"}
TOKEN = "tok-secret-f26f"


class Failing(AsyncJobStore):
    """A job store whose parks (pending, unsent outcomes only) or ledger-only writes made
    while the run waits for the reset fail ``times`` times with ``error``."""

    def __init__(self, store: JobStore, what: str, error: Exception, times: int) -> None:
        super().__init__(store)
        self.what, self.error, self.left, self.failed = what, error, times, 0
        self.waiting = False  # the run waits for the reset (only the ticker writes then)

    async def record(self, outcomes: Sequence[Outcome],
                     spend: Sequence[tuple[str, str, int, int]] = (),
                     meta: Mapping[str, Any] | None = None) -> None:
        park = bool(outcomes) and all(o.state is ItemState.PENDING and o.unsent
                                      for o in outcomes)
        ledger = not outcomes and bool(spend) and self.waiting
        if self.left and ((self.what == "park" and park) or (self.what == "ledger" and ledger)):
            self.left -= 1
            self.failed += 1
            raise self.error
        await super().record(outcomes, spend, meta)


def _run(tmp_path: Path, what: str, error: Exception, times: int) -> tuple[
        RunResult, JobStore, Counter[int], Failing]:
    """160 touches on a 600-token day at 5 tokens a call: the run waits for the reset
    after 120, then finishes the next day."""
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    store.add_items(touch_items(range(1, 161), {"x": 1}))
    received: Counter[int] = Counter()
    failing = Failing(store, what, error, times)

    class Waiting(FakeClock):
        async def sleep(self, seconds: float) -> None:
            if seconds > 600:
                failing.waiting = True
                # the runner's ticker (real time) parks the items or flushes the ledger:
                # its writes refused as asked (twice at most) waited for, not guessed
                await eventually(lambda: failing.failed, lambda n: n >= min(times, 2))
                failing.waiting = False
            await super().sleep(seconds)

    async def answer(req: Request) -> Response:
        received[int(str(req.url).rsplit("/", 1)[-1].split("?")[0])] += 1
        body = {"id": 1, "update_time": "2026-01-01 00:00:00"}
        return Response(200, HEADERS, orjson.dumps({"success": True, "data": body}))

    async def go() -> RunResult:
        clock = Waiting(epoch=1_767_225_600.0 + 3600)
        client = PipedriveClient("http://127.0.0.1:9", TOKEN, transport=MockTransport(answer))
        sched = Scheduler(Limits(burst=40, daily_tokens=600), clock=clock,
                          budget=BudgetPolicy(wait_for_reset=True))
        runner = Runner(failing, TouchJob(), client, sched, clock=clock, max_workers=8,
                        seed=1, flush_seconds=0.05)
        async with client:
            with anyio.fail_after(30):
                return await runner.run()

    return anyio.run(go), store, received, failing


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "pdbulk.run" and r.levelno == logging.WARNING]


def test_a_park_refused_by_the_store_is_said_once_and_named_in_the_result(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Every park during the wait refused (disk full): one warning, logged and in the
    result, saying the items read as sending and a kill leaves them in doubt; the run
    still finishes, each item sent once, nothing left sending."""
    caplog.set_level(logging.WARNING, logger="pdbulk")
    result, store, received, failing = _run(
        tmp_path, "park", StoreError("job store: record: database or disk is full"), 10**6)
    try:
        assert failing.failed >= 2, "the test never refused a park twice"
        said = _warnings(caplog)
        assert len(said) == 1, said
        assert "back to pending failed (StoreError: job store: record: database or disk " \
               "is full)" in said[0] and "in doubt" in said[0], said
        assert TOKEN not in said[0]
        assert result.stats.warnings == said
        assert result.error is None and result.counts[ItemState.DONE] == 160
        assert sorted(received) == list(range(1, 161)) and set(received.values()) == {1}
        assert store.counts()[ItemState.SENDING] == 0
    finally:
        store.close()


def test_a_ledger_flush_refused_during_the_wait_is_said_and_written_later(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The ticker's ledger write refused once: said once, its rows kept and written with
    a later flush (the ledger ends within the day's 600 + the next day's 200 tokens)."""
    caplog.set_level(logging.WARNING, logger="pdbulk")
    result, store, _received, failing = _run(
        tmp_path, "ledger", StoreError("job store: record: disk I/O error"), 1)
    try:
        assert failing.failed == 1
        said = _warnings(caplog)
        assert len(said) == 1 and "the ledger's flush failed (StoreError" in said[0], said
        assert result.stats.warnings == said
        spent = sum(t for t, _ in store.spend_by_operation().values())
        assert spent == 160 * 5, spent
    finally:
        store.close()


def test_an_error_nobody_expects_in_a_park_stops_the_run(tmp_path: Path) -> None:
    """A park failing with an error the store never raises (a bug) is not dropped: the
    run stops at its boundary with ``Unexpected``, nothing lost (what is left is
    pending or in doubt, for a resume)."""
    result, store, received, _failing = _run(tmp_path, "park", KeyError("bug"), 1)
    try:
        assert result.stopped and isinstance(result.error, Unexpected), result.error
        counts = store.counts()
        assert counts[ItemState.DONE] + counts[ItemState.PENDING] \
            + counts[ItemState.SENDING] == 160, counts
        assert set(received.values()) == {1}
    finally:
        store.close()


def test_a_kinds_finish_failing_after_a_cancel_is_said(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A run cancelled (a second Ctrl-C): the kind's ``finish`` then failing is logged,
    not dropped without a word."""
    caplog.set_level(logging.WARNING, logger="pdbulk")
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    store.add_items(touch_items(range(1, 11), {"x": 1}))

    class Breaking(TouchJob):
        async def finish(self) -> None:
            raise OSError("claims file gone")

    async def answer(req: Request) -> Response:
        await anyio.sleep(10)  # cancelled before it answers
        raise AssertionError("unreachable")

    async def go() -> Any:
        clock = FakeClock(epoch=1_767_225_600.0)
        client = PipedriveClient("http://127.0.0.1:9", TOKEN, transport=MockTransport(answer))
        sched = Scheduler(Limits(burst=40, daily_tokens=600), clock=clock)
        runner = Runner(AsyncJobStore(store), Breaking(), client, sched, clock=clock,
                        max_workers=2, seed=1)
        async with client:
            with anyio.move_on_after(0.5):
                await runner.run()
        return runner

    try:
        runner = anyio.run(go)
        said = _warnings(caplog)
        assert any("the job kind's finish failed (OSError: claims file gone)" in s
                   for s in said), said
        assert runner.stats.warnings == said
        assert all(TOKEN not in s for s in said)
    finally:
        store.close()
