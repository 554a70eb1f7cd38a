"""The job's spend ledger counts calls that bring no outcome yet (reconcile pulls, persons
and organizations created while rows wait): a run killed before its next outcome batch
must not leave them out of `pdbulk status`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import anyio
import pytest

from bulk.clock import SystemClock
from bulk.engine import connect
from bulk.runner import CallContext, Runner
from bulk.sandbox import SandboxConfig, serve
from bulk.store import AsyncJobStore, Item, ItemState, JobStore, NewItem, Outcome
from tests.import_support import engine_config


class _PullsThenWaits:
    """One item: three list pulls, then a wait (rows waiting for their person / org), then
    a look at the ledger — where a kill -9 would have struck — and done."""

    name = "pulls"

    def __init__(self, store: AsyncJobStore) -> None:
        self.store = store
        self.seen: dict[str, tuple[int, int]] = {}

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        for _ in range(3):
            await ctx.call("getDeals", params={"limit": 1})
        await anyio.sleep(0.3)  # a few flush intervals; no outcome meanwhile
        self.seen = await self.store.spend_by_operation()
        return Outcome(item.id, ItemState.DONE, result={})

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        return []


@pytest.mark.anyio
async def test_calls_without_outcomes_reach_the_ledger_while_the_run_goes_on(
        tmp_path: Path) -> None:
    """Three list pulls and no outcome for a while: the ledger already holds them (it
    held nothing until the next outcome batch, so a kill -9 then left them out)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=3, seed=47)) as sb:
        store = JobStore.create(tmp_path / "job", job_id="job", kind="pulls", config={})
        store.add_items([NewItem(row=1, key="a", op="pull", payload={})])
        try:
            async with connect(engine_config(sb, tmp_path), sb.token) as (client, scheduler):
                kind = _PullsThenWaits(AsyncJobStore(store))
                runner = Runner(AsyncJobStore(store), kind, client, scheduler,
                                clock=SystemClock(), flush_seconds=0.05)
                result = await runner.run()
            assert result.counts[ItemState.DONE] == 1
            assert kind.seen == {"getDeals": (30, 3)}
            assert store.spend_by_operation() == {"getDeals": (30, 3)}
        finally:
            store.close()


class _Reads:
    """Each item: one list read (retried on 5xx by the runner)."""

    name = "reads"

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        await ctx.call("getDeals", params={"limit": 1})
        return Outcome(item.id, ItemState.DONE, result={})

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        return []


@pytest.mark.anyio
async def test_the_ledger_counts_what_the_account_was_charged_not_5xx(tmp_path: Path) -> None:
    """Under 30 % injected 500/503 (answered before the sandbox charges anything), the
    job's ledger equals the tokens the sandbox charged (it also counted each 5xx: 10
    tokens per failed read)."""
    from bulk.runner import RetryPolicy
    from bulk.sandbox.config import Faults

    config = SandboxConfig(time_scale=0.02, deals=3, seed=48, faults=Faults(error_rate=0.3))
    async with serve(config) as sb:
        store = JobStore.create(tmp_path / "job", job_id="job", kind="reads", config={})
        store.add_items([NewItem(row=n, key=str(n), op="read", payload={}) for n in range(30)])
        try:
            async with connect(engine_config(sb, tmp_path), sb.token) as (client, scheduler):
                runner = Runner(AsyncJobStore(store), _Reads(), client, scheduler,
                                clock=SystemClock(), retry=RetryPolicy(base=0.001, cap=0.01,
                                                                       attempts=20))
                result = await runner.run()
            stats = sb.stats()
            assert result.counts[ItemState.DONE] == 30
            assert stats["faults_injected"]["error"] > 0  # some reads really failed
            assert store.spend_by_operation()["getDeals"][0] == stats["tokens_spent"] == 300
        finally:
            store.close()
