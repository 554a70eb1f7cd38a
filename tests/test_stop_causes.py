"""f31o / f32d 2: every way a run stops leaves a status, a ``pdbulk status`` label, an exit
code (README's table) and a ``--json`` that agree on what happened. Before: a disk that
stayed full stopped the job "interrupted" (the ledger's last flush refused, the message
lost), and ``pdbulk status`` called every message "last error" — a stop by SIGTERM too."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anyio
import orjson
import pytest
import typer
from typer.testing import CliRunner

from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.errors import (
    META_STOP,
    STOP_CAUSES,
    Blocked,
    BudgetExhausted,
    CoordinatorLost,
    DiskFull,
    PaymentRequired,
    PlanLimit,
    StoreLost,
    Unauthorized,
    stop_cause,
)
from bulk.plans import Limits
from bulk.runner import Runner, RunResult
from bulk.scheduler import BudgetPolicy, Scheduler
from bulk.store import AsyncJobStore, JobStore, Outcome
from bulk.transport import MockTransport, Request, Response
from jobs.touch import TouchJob, touch_items
from pdbulk.cli import app
from pdbulk.options import exit_code_for, finish

JSON = {"content-type": "application/json"}
OK = orjson.dumps({"success": True, "data": {"id": 1, "update_time": "2026-01-01 00:00:00"}})


class _FullAfter(AsyncJobStore):
    """A job store whose outcome / ledger writes fail from the ``after``-th on, for good
    (a disk that stays full): ``error``."""

    def __init__(self, store: JobStore, error: Exception, after: int) -> None:
        super().__init__(store)
        self.error, self.after, self.n = error, after, 0

    async def record(self, outcomes: Sequence[Outcome],
                     spend: Sequence[tuple[str, str, int, int]] = (),
                     meta: Any = None) -> None:
        self.n += 1
        if self.n >= self.after:
            raise self.error
        await super().record(outcomes, spend, meta)


def _run(tmp_path: Path, *, answer: Callable[[int], Response] | None = None,
         daily: int = 60_000, cap: int | None = None, stop_at: int | None = None,
         fail: Exception | None = None) -> tuple[RunResult | BaseException, Path]:
    """A 60-item touch job (5 tokens a call) on a mock account: ``answer(n)`` the n-th
    answer, ``daily`` / ``cap`` the budget, ``stop_at`` a stop asked (SIGTERM's reason) at
    the n-th call, ``fail`` the store's error from its 3rd write. The run's result, or what
    it raised; the job's folder (closed)."""
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    store.add_items(touch_items(range(1, 61), {"x": 1}))
    calls = [0]
    box: list[Runner] = []

    async def handler(req: Request) -> Response:
        calls[0] += 1
        if stop_at is not None and calls[0] == stop_at:
            box[0].request_stop(reason="stopped by SIGTERM")
        return answer(calls[0]) if answer is not None else Response(200, JSON, OK)

    async def go() -> RunResult:
        clock = FakeClock(epoch=1_767_225_600.0 + 3600)
        client = PipedriveClient("http://127.0.0.1:9", "tok-f32d-stop",
                                 transport=MockTransport(handler))
        sched = Scheduler(Limits(burst=40, daily_tokens=daily), clock=clock,
                          budget=BudgetPolicy(max_tokens=cap))
        aio = _FullAfter(store, fail, 3) if fail is not None else AsyncJobStore(store)
        runner = Runner(aio, TouchJob(), client, sched, clock=clock, max_workers=4, seed=1,
                        flush_seconds=0.05)
        box.append(runner)
        async with client:
            with anyio.fail_after(30):
                return await runner.run()

    try:
        out: RunResult | BaseException = anyio.run(go)
    except Exception as exc:  # the disk stayed full: the run raised it
        out = exc
    finally:
        store.close()
    return out, tmp_path / "job"


def _exit_code(out: RunResult | BaseException, directory: Path) -> int:
    """The command's exit code: ``finish``'s for a run that returned, else the error's."""
    if isinstance(out, BaseException):
        return exit_code_for(out)
    store = JobStore.open(directory, lock=False)
    try:
        finish(store, out)
    except typer.Exit as exc:
        return exc.exit_code
    finally:
        store.close()
    return 0


def _html_403(n: int) -> Response:
    return Response(403, {"content-type": "text/html"},
                    b"<html><head><title>Access denied</title></head></html>")


def _401(n: int) -> Response:
    if n < 5:
        return Response(200, JSON, OK)
    return Response(401, JSON, orjson.dumps({"success": False, "error": "unauthorized access",
                                             "errorCode": 401}))


CASES: dict[str, dict[str, Any]] = {
    "requested": {"stop_at": 5},
    "budget": {"daily": 100},
    "max_tokens": {"cap": 60},
    "disk_full": {"fail": DiskFull("/jobs/j/job.sqlite", "j", job_dir="/jobs")},
    "store_lost": {"fail": StoreLost("job store: /jobs/j/job.sqlite was deleted")},
    "blocked": {"answer": _html_403},
    "unauthorized": {"answer": _401},
}
# README "Exit codes": 4 stopped checkpointed (a signal, the budget, the cap, the disk, the
# store, the edge's block after 429s: x32r3 2), 5 the token or a permission refused
EXITS = {"requested": 4, "budget": 4, "max_tokens": 4, "disk_full": 4, "store_lost": 4,
         "blocked": 4, "unauthorized": 5}


@pytest.mark.parametrize("cause", sorted(CASES))
def test_each_stop_says_what_happened_everywhere(cause: str, tmp_path: Path) -> None:
    """The status word, ``pdbulk status``'s label and ``--json``'s ``stop``, summary-free
    (the store's own), and the exit code, for one cause of a stop."""
    out, directory = _run(tmp_path, **CASES[cause])
    store = JobStore.open(directory, lock=False)
    try:
        assert store.status == "stopped", (cause, store.status, store.status_message)
        assert store.status_message and store.status_message != "interrupted", cause
        stop = store.meta_get(META_STOP)
    finally:
        store.close()
    words, error = STOP_CAUSES[cause]
    assert stop == {"cause": cause, "error": error}
    shown = CliRunner().invoke(app, ["status", str(directory)])
    assert shown.exit_code == 0, shown.output
    label = f"stopped by an error ({words}): " if error else f"why it stopped ({words}): "
    assert label in shown.output and "last error" not in shown.output, shown.output
    as_json = orjson.loads(CliRunner().invoke(app, ["status", str(directory), "--json"]).stdout)
    assert as_json["status"] == "stopped" and as_json["stop"] == stop
    assert _exit_code(out, directory) == EXITS[cause], (cause, out)
    if cause == "disk_full":  # which file, and what to do
        assert "writing /jobs/j/job.sqlite" in as_json["message"], as_json["message"]


def test_every_error_class_has_its_cause() -> None:
    """``stop_cause`` for what the runner cannot be made to meet here."""
    assert stop_cause(None) == "requested"
    assert stop_cause(KeyboardInterrupt()) == "cancelled"
    assert stop_cause(BudgetExhausted("cap", cap=10)) == "max_tokens"
    assert stop_cause(BudgetExhausted("day")) == "budget"
    assert stop_cause(CoordinatorLost("redis gone")) == "coordinator_lost"
    assert stop_cause(PaymentRequired(402, "payment required")) == "payment_required"
    assert stop_cause(PlanLimit(403, "deals limit")) == "plan_limit"
    assert stop_cause(Blocked(403, "Access denied")) == "blocked"
    assert stop_cause(Unauthorized(401, "unauthorized access")) == "unauthorized"
