"""The job's spend ledger counts calls that bring no outcome yet (reconcile pulls, persons
and organizations created while rows wait): a run killed before its next outcome batch
must not leave them out of `pdbulk status`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import anyio
import pytest

from bulk.calls import CallContext
from bulk.engine import Engine
from bulk.runner import Runner
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
            async with Engine.open(engine_config(sb, tmp_path), sb.token,
                                   store=store) as engine:
                kind = _PullsThenWaits(AsyncJobStore(store))
                runner = Runner(AsyncJobStore(store), kind, engine.client, engine.scheduler,
                                clock=engine.clock, flush_seconds=0.05)
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
    from bulk.retry import RetryPolicy
    from bulk.sandbox.config import Faults

    config = SandboxConfig(time_scale=0.02, deals=3, seed=48, faults=Faults(error_rate=0.3))
    async with serve(config) as sb:
        store = JobStore.create(tmp_path / "job", job_id="job", kind="reads", config={})
        store.add_items([NewItem(row=n, key=str(n), op="read", payload={}) for n in range(30)])
        try:
            async with Engine.open(engine_config(sb, tmp_path), sb.token,
                                   store=store) as engine:
                result = await engine.run(_Reads(), retry=RetryPolicy(base=0.001, cap=0.01,
                                                                      attempts=20))
            stats = sb.stats()
            assert result.counts[ItemState.DONE] == 30
            assert stats["faults_injected"]["error"] > 0  # some reads really failed
            assert store.spend_by_operation()["getDeals"][0] == stats["tokens_spent"] == 300
        finally:
            store.close()


@pytest.mark.anyio
async def test_reads_answered_200_unreadable_are_sent_again_and_charged(tmp_path: Path) -> None:
    """Under 30 % 2xx answers cut off (``bad_json_rate``: done and charged), each read is
    sent again until it reads, and the ledger equals the tokens the sandbox charged, the
    unreadable answers included (x42r5 F2: they were refunded as if 5xx)."""
    from bulk.retry import RetryPolicy
    from bulk.sandbox.config import Faults

    config = SandboxConfig(time_scale=0.02, deals=3, seed=48, faults=Faults(bad_json_rate=0.3))
    async with serve(config) as sb:
        store = JobStore.create(tmp_path / "job", job_id="job", kind="reads", config={})
        store.add_items([NewItem(row=n, key=str(n), op="read", payload={}) for n in range(30)])
        try:
            async with Engine.open(engine_config(sb, tmp_path), sb.token,
                                   store=store) as engine:
                result = await engine.run(_Reads(), retry=RetryPolicy(base=0.001, cap=0.01,
                                                                      attempts=20))
            stats = sb.stats()
            bad = stats["faults_injected"]["bad_json"]
            assert result.counts[ItemState.DONE] == 30 and bad > 0
            assert store.spend_by_operation()["getDeals"] == (stats["tokens_spent"],
                                                              30 + bad)
            assert stats["tokens_spent"] == 10 * (30 + bad)
        finally:
            store.close()


@pytest.mark.anyio
async def test_each_call_is_in_the_ledger_before_it_leaves(tmp_path: Path) -> None:
    """When a request reaches the server its charge is already in the job's store (a kill
    -9 with calls in flight lost their tokens from summary and status: issue 9); a 429
    is refunded afterwards."""
    from bulk.client import PipedriveClient
    from bulk.clock import FakeClock
    from bulk.plans import Limits
    from bulk.scheduler import Scheduler
    from bulk.transport import MockTransport, Request, Response
    from jobs.touch import TouchJob, touch_items
    from tests.test_runner import FakePipedrive

    clock = FakeClock()
    fake = FakePipedrive()
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    store.add_items(touch_items(range(1, 41), {"x": 1}))
    at_send: list[int] = []
    limited = False

    async def server(req: Request) -> Response:
        nonlocal limited
        at_send.append(store.spend_by_operation().get("updateDeal", (0, 0))[1])
        await clock.sleep(0.1)
        if not limited:
            limited = True
            return Response(429, {"x-ratelimit-reset": "1"}, b'{"success": false}')
        return fake(req)

    try:
        client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(server))
        runner = Runner(AsyncJobStore(store), TouchJob(), client,
                        Scheduler(Limits(burst=40), clock=clock), clock=clock, seed=1)
        async with client:
            result = await runner.run()
        assert result.counts[ItemState.DONE] == 40
        # the n-th request seen found at least n calls in the ledger (its own included),
        # less the 429 refunded before it (the first request)
        assert at_send[0] >= 1, at_send
        assert all(seen >= n - 1 for n, seen in enumerate(at_send[1:], 2)), at_send
        # the 429: neither tokens nor a call (what the server charged; f31c: it was 41)
        assert store.spend_by_operation() == {"updateDeal": (200, 40)}
    finally:
        store.close()


def test_a_resume_reports_its_own_spend_and_the_job_total(tmp_path: Path) -> None:
    """An update stopped by --max-tokens, then resumed: the resume's `tokens:` line and
    its --json give this run's spend and, labelled, the job's total over its runs
    (x19r2: it gave the whole ledger as the run's spend)."""
    import os
    import re

    import orjson
    from typer.testing import CliRunner

    from pdbulk.cli import app
    from tests.test_update import write_csv
    from tests.update_support import cli_args, threaded_sandbox

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=30, seed=36)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        jobs = tmp_path / "jobs"
        ids = sorted(i for i, d in sb.state.deals.rows.items()
                     if d["status"] == "open" and not d["is_deleted"]
                     and not d.get("is_archived"))[:20]
        manifest = write_csv(tmp_path / "rows.csv", [{"deal_id": i, "amount": 100 * n + 7}
                                                     for n, i in enumerate(ids)])
        mapping = tmp_path / "m.toml"
        mapping.write_text('[update]\nid_column = "deal_id"\n[defaults]\ncurrency = "USD"\n'
                           '[deal]\nvalue = "amount"\n')
        first = CliRunner().invoke(app, ["update", str(manifest), "-m", str(mapping), "--yes",
                                         "--max-tokens", "40", *cli_args(sb, jobs)], env=env)
        assert first.exit_code == 4, first.output
        (job,) = [p.name for p in jobs.iterdir()]
        with JobStore.open(jobs / job, lock=False) as store:
            earlier = sum(t for t, _ in store.spend_by_operation().values())
        assert re.search(rf"^tokens: {earlier} \(", first.output, re.M), first.output
        before = int(sb.stats()["tokens_spent"])
        again = CliRunner().invoke(app, ["resume", job, "--job-dir", str(jobs), "--json"],
                                   env=env)
        spent = int(sb.stats()["tokens_spent"]) - before
        assert again.exit_code in (0, 4), again.output
        out = orjson.loads(again.stdout)
        assert out["tokens_this_run"] == spent > 0, (out, spent)
        assert out["tokens"] == earlier + spent
        assert sum(out["tokens_by_operation_this_run"].values()) == spent
        lines = [ln for ln in again.output.splitlines() if ln.startswith("tokens: this run")]
        assert lines and lines[-1].startswith(f"tokens: this run {spent} ("), again.output
        assert f"; job total {earlier + spent} (" in lines[-1], lines
