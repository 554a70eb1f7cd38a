"""The spend ledger charged ahead in credit (``bulk.ledger``, issue 8's engine CPU): at
every moment a call reaches the server its charge is in the ledger already; the ledger
is ahead by at most ``CREDIT_CALLS`` calls of an operation; a run that ends (finished
or stopped) leaves it exact; it takes fewer commits than calls; and a day that turns
mid-run is charged with its own calls."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.ledger import CREDIT_CALLS, _Ahead
from bulk.plans import Limits
from bulk.runner import Runner
from bulk.scheduler import Scheduler
from bulk.store import AsyncJobStore, ItemState, JobStore
from bulk.transport import MockTransport, Request, Response
from jobs.touch import TouchJob, touch_items

HEADERS = {"content-type": "application/json"}
COST = 5  # updateDeal (v2): bulk.operations_data


def ok(body: Any) -> Response:
    return Response(200, HEADERS, orjson.dumps({"success": True, "data": body}))


class Commits(AsyncJobStore):
    """Counts the ledger's commits (``record`` with spend rows and no outcomes)."""

    __slots__ = ("ledger_writes",)

    def __init__(self, store: JobStore) -> None:
        super().__init__(store)
        self.ledger_writes = 0

    async def record(self, outcomes: Any, spend: Any = (),  # type: ignore[override]
                     meta: Any = None) -> None:
        self.ledger_writes += bool(spend) and not outcomes
        await super().record(outcomes, spend, meta)


def run_touch(tmp_path: Path, items: int, server: Any, *, stop_after: int | None = None,
              cancel_after: int | None = None,
              epoch: float = 1_767_225_600.0) -> tuple[JobStore, Commits, Runner, Any]:
    import anyio

    clock = FakeClock(epoch=epoch)
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    store.add_items(touch_items(range(1, items + 1), {"x": 1}))
    astore = Commits(store)
    sched = Scheduler(Limits(burst=40), clock=clock)
    runner: Runner
    scopes: list[anyio.CancelScope] = []

    async def slow(req: Request) -> Response:
        answer = server(req, store, runner)  # it arrived: counted as it is sent
        await clock.sleep(0.15)
        if stop_after is not None and server.seen >= stop_after:
            runner.request_stop()
        if cancel_after is not None and server.seen >= cancel_after:
            scopes[0].cancel()  # from outside the run: a second Ctrl-C, a caller's timeout
        return answer

    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(slow))
    runner = Runner(astore, TouchJob(), client, sched, clock=clock, seed=3)

    async def go() -> Any:
        scopes.append(anyio.CancelScope())
        async with client:
            with scopes[0]:
                return await runner.run()
        return None

    result = anyio.run(go)
    return store, astore, runner, result


class Server:
    """Answers every PATCH; at each arrival, checks the ledger against the calls that
    arrived so far (the ledger is read as a kill -9 would leave it)."""

    def __init__(self) -> None:
        self.seen = 0
        self.ahead: list[int] = []

    def __call__(self, req: Request, store: JobStore, runner: Runner) -> Response:
        self.seen += 1
        assert re.search(r"/deals/\d+$", req.url)
        tokens, calls = store.spend_by_operation().get("updateDeal", (0, 0))
        assert calls >= self.seen and tokens >= COST * self.seen  # never under-counts
        self.ahead.append(calls - self.seen)
        return ok({"id": 1, "update_time": "2026-01-01 00:00:00"})


def test_every_call_is_charged_before_it_arrives_and_the_end_is_exact(
        tmp_path: Path) -> None:
    server = Server()
    store, astore, _, result = run_touch(tmp_path, 200, server)
    try:
        assert result.counts[ItemState.DONE] == 200
        assert server.seen == 200
        # ahead by at most the credit, plus the calls in flight whose charge is written
        assert max(server.ahead) <= CREDIT_CALLS + 40, server.ahead
        assert max(server.ahead) >= 1  # credit was charged ahead: the thing under test
        assert store.spend_by_operation() == {"updateDeal": (COST * 200, 200)}  # exact
        # one commit per call before the credit; now several calls share one
        assert astore.ledger_writes <= 200 / 3, astore.ledger_writes
    finally:
        store.close()


def test_a_stopped_run_takes_its_unspent_credit_back(tmp_path: Path) -> None:
    server = Server()
    store, _, _, result = run_touch(tmp_path, 300, server, stop_after=60)
    try:
        assert result.stopped
        sent = server.seen
        assert 60 <= sent < 300
        assert store.spend_by_operation() == {"updateDeal": (COST * sent, sent)}
    finally:
        store.close()


def test_a_cancelled_run_takes_its_unspent_credit_back_too(tmp_path: Path) -> None:
    """Cancelled from outside (not a clean stop): every call that left is charged, and
    the credit charged ahead is taken back on the way out."""
    server = Server()
    store, _, _, result = run_touch(tmp_path, 300, server, cancel_after=60)
    try:
        assert result is None  # cancelled: no result
        sent = server.seen
        assert 60 <= sent < 300
        tokens, calls = store.spend_by_operation()["updateDeal"]
        assert (tokens, calls) == (COST * sent, sent)
    finally:
        store.close()


def test_a_day_that_turns_mid_run_has_its_own_calls(tmp_path: Path) -> None:
    """The run starts 3 s before midnight (UTC); at 40 calls per 2 s the 200 calls span
    it. The credit of the old day is taken back there, the new day charged its own."""
    server = Server()
    midnight = 1_767_225_600.0  # 2026-01-01T00:00:00Z
    store, _, _, result = run_touch(tmp_path, 200, server, epoch=midnight - 3.0)
    try:
        assert result.counts[ItemState.DONE] == 200
        by_day = store.spend_by_day()
        assert set(by_day) == {"2025-12-31", "2026-01-01"}, by_day
        assert sum(by_day.values()) == COST * 200
        assert 0 < by_day["2025-12-31"] < COST * 200
    finally:
        store.close()


@pytest.mark.anyio
async def test_calls_outside_a_runs_items_are_charged_exactly(tmp_path: Path) -> None:
    """A load's writes are read back by ``sent_while_loading`` after a kill: the engine's
    own runner charges no credit ahead, so the ledger holds exactly the calls that left."""
    clock = FakeClock()
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    seen = 0

    async def answer(req: Request) -> Response:
        nonlocal seen
        seen += 1
        assert store.spend_by_operation()["updateDeal"] == (COST * seen, seen)
        await clock.sleep(0.01)
        return ok({"id": 1})

    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(answer))
    runner = Runner(AsyncJobStore(store), None, client, Scheduler(Limits(burst=40),
                                                                   clock=clock), clock=clock)
    try:
        async with client:
            for n in range(12):
                await runner.ctx.call("updateDeal", path={"id": n + 1}, json={"x": 1})
        assert seen == 12
    finally:
        store.close()


@pytest.mark.anyio
async def test_credit_grows_to_its_cap_and_a_failed_write_charges_nothing(
        tmp_path: Path) -> None:
    """Quick refills double the credit up to CREDIT_CALLS; a refill whose write fails
    raises to its callers and leaves no credit to spend."""
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    astore = AsyncJobStore(store)
    ahead = _Ahead(astore, lambda: "2026-01-01", FakeClock())
    try:
        for _ in range(40):
            await ahead.charge("updateDeal", COST)
        tokens, calls = store.spend_by_operation()["updateDeal"]
        assert 40 <= calls <= 40 + CREDIT_CALLS and tokens == COST * calls
        store.record([], ahead.take_back())
        assert store.spend_by_operation()["updateDeal"] == (COST * 40, 40)
        assert ahead.take_back() == []  # nothing left to take back twice

        class Broken(AsyncJobStore):
            __slots__ = ()

            async def record(self, *a: Any, **k: Any) -> None:  # type: ignore[override]
                raise OSError("disk full")

        broken = _Ahead(Broken(store), lambda: "2026-01-01", FakeClock())
        with pytest.raises(OSError):
            await broken.charge("updateDeal", COST)
        assert broken.take_back() == []
    finally:
        store.close()


@pytest.mark.anyio
async def test_a_call_cancelled_while_its_charge_is_written_is_not_charged(
        tmp_path: Path) -> None:
    """Calls waiting on another call's refill (a group commit) and cancelled as it ends
    (served from the new credit, or written in its batch) never leave: the run's end takes
    their charges back, so the ledger counts only the calls that went on. Before, a
    cancelled run's ledger stayed up to ``CREDIT_CALLS`` calls over the server's count."""
    import anyio

    from bulk.ledger import _Ahead

    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    ahead = _Ahead(AsyncJobStore.of(store), lambda: "2026-01-01", FakeClock())
    went = 0

    async def one(cancelled: bool) -> None:
        nonlocal went
        with anyio.CancelScope() as scope:
            if cancelled:
                scope.cancel()  # lands at its first wait: the refill under way
            await ahead.charge("updateDeal", COST)
            went += 1

    try:
        for _ in range(3):  # each round: one call writes, three wait on it, two cancelled
            async with anyio.create_task_group() as tg:
                tg.start_soon(one, False)
                for cancelled in (False, True, True):
                    tg.start_soon(one, cancelled)
        await ahead.write([], ahead.take_back())
        assert store.spend_by_operation()["updateDeal"] == (COST * went, went)
        assert went < 12  # (some were cancelled: a call served from credit has no wait)
    finally:
        store.close()
