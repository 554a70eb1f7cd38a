"""bulk.engine.Engine: one object wires a run. Its own calls (a load phase) and a job
kind's run share one client, scheduler and job store, and the job's spend ledger holds
every call exactly once: the load's before the run starts, the calls after the run when
the engine closes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bulk import Engine
from bulk.clock import FakeClock
from bulk.engine import EngineConfig
from bulk.operations import get_operation
from bulk.retry import RetryPolicy
from bulk.sandbox import Faults, Sandbox, SandboxConfig
from bulk.store import AsyncJobStore, Item, ItemState, JobStore
from jobs.touch import TouchJob, touch_items
from tests.sandbox_helpers import ThreadedSandbox

pytestmark = pytest.mark.anyio

SCALE = 0.02
FIELDS = {"probability": 33}
# A 5xx is answered before the sandbox charges: the engine refunds it, so the ledger is
# exact only if each refund is written once. The reads fail now and then (seed 1: in the
# load and after the run), the writes never (their count is then the rows').
SANDBOX = SandboxConfig(deals=30, seed=1, time_scale=SCALE, faults=Faults(
    error_rate=0.3, only_operations=frozenset({"getDeals", "getDeal"})))
RETRY = RetryPolicy(attempts=20, base=0.01, cap=0.05)


def config(sb: Sandbox, root: Path) -> EngineConfig:
    return EngineConfig(base_url=sb.url, plan=sb.config.plan, window=2.0 * SCALE,
                        job_root=root, timeout=5.0)


def sandbox_ledger(sb: Sandbox) -> dict[str, tuple[int, int]]:
    """What the sandbox charged, by operation: (tokens, calls charged) — a 5xx is neither
    (f31c: the job's ledger counted its call)."""
    return {op: (t, t // get_operation(op).token_cost)
            for op, t in sb.stats()["tokens_by_operation"].items() if t}


def requests(sb: Sandbox) -> dict[str, int]:
    """The requests the sandbox answered (a 5xx too), by operation."""
    return dict(sb.stats()["requests_by_operation"])


class _Touch(TouchJob):
    """TouchJob that notes the job's ledger before its first batch is handed out."""

    def __init__(self, store: JobStore) -> None:
        self.store = AsyncJobStore(store)
        self.at_start: dict[str, tuple[int, int]] | None = None

    async def prepare(self, items: Sequence[Item]) -> None:
        if self.at_start is None:
            self.at_start = await self.store.spend_by_operation()


async def test_a_run_through_the_engine_ledgers_the_load_and_the_run_once(
        tmp_path: Path) -> None:
    """Load (list pages + reads), run a touch job, a read after it: the ledger equals what
    the sandbox charged and answered, per operation; at the run's start it held the load's
    calls already; engine.stats counts all of it, the run's result only the run."""
    with ThreadedSandbox(SANDBOX) as sb:
        store = JobStore.create(tmp_path / "job", job_id="job", kind="touch", config={})
        try:
            kind = _Touch(store)
            async with Engine.open(config(sb, tmp_path), sb.token, store=store,
                                   clock=FakeClock()) as engine:
                ids = [deal["id"] async for page in engine.paginate("getDeals", limit=10)
                       for deal in page.data]
                for deal_id in ids[:6]:
                    await engine.call("getDeal", path={"id": deal_id})
                loaded, asked = sandbox_ledger(sb), requests(sb)
                store.add_items(touch_items(ids[:15], FIELDS))
                result = await engine.run(kind, retry=RETRY)
                asked_before_after = requests(sb)
                for deal_id in ids[6:12]:
                    await engine.call("getDeal", path={"id": deal_id})
                stats = engine.stats
            final, asked_final = sandbox_ledger(sb), requests(sb)
            faults = sb.stats()["faults_injected"]
            ledger = store.spend_by_operation()
        finally:
            store.close()
    assert faults["error"] > 0
    # refunds were due in the load and after the run (a read answered 5xx costs nothing)
    assert sum(asked.values()) > 3 + 6
    assert asked_final["getDeal"] - asked_before_after["getDeal"] > 6
    assert loaded["getDeals"][0] == 30 and loaded["getDeal"][0] == 6
    assert kind.at_start == loaded  # the load's calls, refunds included, before the run's
    assert not result.stopped and result.counts[ItemState.DONE] == 15, result.error
    assert ledger == final  # every call once: the load's, the run's, the one after
    assert final["updateDeal"] == (15 * 5, 15) and final["getDeal"][0] == 12
    assert set(result.stats.calls_by_operation) == {"updateDeal"}
    assert stats.calls_by_operation == {op: n for op, (_, n) in final.items()}
    assert all(sb.state.deals.rows[i]["probability"] == 33 for i in ids[:15])


async def test_a_stop_before_the_run_sends_nothing(tmp_path: Path) -> None:
    """request_stop on the engine: the run after it sends nothing and leaves every item
    pending (the job stopped, resumable); a call after it raises Stopped."""
    from bulk.errors import Stopped

    with ThreadedSandbox(SandboxConfig(deals=5, seed=6, time_scale=SCALE)) as sb:
        store = JobStore.create(tmp_path / "job", job_id="job", kind="touch", config={})
        try:
            store.add_items(touch_items([1, 2, 3], FIELDS))
            async with Engine.open(config(sb, tmp_path), sb.token, store=store,
                                   clock=FakeClock()) as engine:
                engine.request_stop()
                result = await engine.run(TouchJob())
                with pytest.raises(Stopped):
                    await engine.call("getDeal", path={"id": 1})
            sent: dict[str, Any] = sb.stats()["requests_by_operation"]
            counts = store.counts()
        finally:
            store.close()
    assert result.stopped and counts[ItemState.PENDING] == 3
    assert not any(sent.values())
