"""A stop asked (``request_stop``) while undo, dedupe (its plan's read of the deals and its
apply's load) or merge (its planning after the pairs were read) loads lands within the
load: ``Stopped``, fewer rows loaded than there are, nothing stored (f25b: these passes
never yielded to the loop, so a stop landed only once every row was loaded). As
tests/test_load_stop.py: the other task asks once every read of the load has answered, so
it can only run where the load's pass over its rows yields (``jobs.load_stop.checked``)."""

from __future__ import annotations

import csv
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.engine import Engine
from bulk.errors import Stopped
from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import BeforeImage, ItemState, JobStore, NewItem, Outcome
from jobs.api import Work, load, merge_deals, new_store, undo_job
from jobs.dedupe.apply import ApplyOptions, prepare_apply
from jobs.dedupe.records import read_records
from tests.dedupe_job_support import deal, plan, seed_account
from tests.import_support import engine_config
from tests.test_load_stop import Watch

ROWS = 2_000  # more than a few STOP_CHECK_ROWS: a pass that checks stops well before the end


async def _counted(sb: Sandbox, tmp: Path, step: Callable[[Engine], Awaitable[Any]]) -> int:
    """The calls ``step`` makes on an engine of its own (all its reads)."""
    cfg = engine_config(sb, tmp / "count")
    store = JobStore.create(tmp / "count-job", job_id="count", kind="none", config={})
    try:
        async with Engine.open(cfg, sb.token, store=store) as s:
            await step(s)
            return sum(s.stats.calls_by_operation.values())
    finally:
        store.close()


async def _stopped(sb: Sandbox, tmp: Path, step: Callable[[Engine], Awaitable[Any]]) -> str:
    """``step`` run again, a stop asked by another task once its reads answered: the
    outcome ("loaded" or the Stopped text)."""
    watch = Watch(await _counted(sb, tmp, step))
    cfg = engine_config(sb, tmp / "jobs")
    store = JobStore.create(tmp / "run-job", job_id="run", kind="none", config={})

    async def stop(engine: Engine) -> None:
        await watch.read.wait()
        engine.request_stop()

    outcome = "loaded"
    try:
        with anyio.fail_after(60):
            async with Engine.open(cfg, sb.token, store=store, transport=watch) as s, \
                    anyio.create_task_group() as tg:
                tg.start_soon(stop, s)
                try:
                    await step(s)
                except Stopped as exc:
                    outcome = str(exc)
                tg.cancel_scope.cancel()
    finally:
        store.close()
    return outcome


def _loads(work: Work) -> tuple[Callable[[Engine], Awaitable[Any]], list[JobStore]]:
    """A step loading ``work`` into a new job store each time, and those stores."""
    stores: list[JobStore] = []

    async def step(s: Engine) -> None:
        stores.append(new_store(s.config, work))
        await load(s, work, stores[-1], asks=False)
    return step, stores


def _source(tmp: Path, deals: list[int]) -> JobStore:
    """A finished update job that set the value of ``deals`` (before-image value 1)."""
    source = JobStore.create(tmp / "src", job_id="src", kind="update", config={})
    source.add_items([NewItem(row=n + 1, key=str(d), op="update",
                              payload={"deal_id": d, "changes": {"value": 2}})
                      for n, d in enumerate(deals)])
    items = list(source.items())
    source.mark_sending([i.id for i in items], 0.0)
    source.record([Outcome(i.id, ItemState.DONE, result={
        "deal_id": i.payload["deal_id"], "action": "updated"}) for i in items])
    source.put_before_images([BeforeImage("deal", d, None, {"value": 1}, 0.0) for d in deals])
    return source


@pytest.mark.anyio
async def test_a_stop_while_an_undo_loads_ends_its_load(tmp_path: Path) -> None:
    """Undo of a job of 2,000 deals: the stop lands in its pass over the deals (without the
    check all 2,000 were decided and stored)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=ROWS, seed=3)) as sb:
        source = _source(tmp_path, sorted(sb.state.deals.rows)[:ROWS])
        step, stores = _loads(undo_job(source))
        outcome = await _stopped(sb, tmp_path, step)
        assert outcome == "stopped while the job was loading"
        assert [sum(s.counts().values()) for s in stores] == [ROWS, 0]  # 0 < ROWS
        for store in stores:
            store.close()
        source.close()


@pytest.mark.anyio
async def test_a_stop_while_a_merge_plans_ends_its_load(tmp_path: Path) -> None:
    """1,000 valid pairs: once their deals are read, the stop lands in the planning's
    passes (its items and snapshots), not after them."""
    async with serve(SandboxConfig(time_scale=0.02, deals=ROWS, seed=3)) as sb:
        ids = sorted(sb.state.deals.rows)[:ROWS]
        path = tmp_path / "pairs.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["merge_id", "survivor_id"])
            w.writerows([ids[i], ids[i + 1]] for i in range(0, ROWS, 2))
        step, stores = _loads(merge_deals(path))
        outcome = await _stopped(sb, tmp_path, step)
        assert outcome == "stopped while the job was loading"
        assert [sum(s.counts().values()) for s in stores] == [ROWS // 2, 0]  # 0 < 1,000
        for store in stores:
            store.close()


@pytest.mark.anyio
async def test_a_stop_while_dedupe_reads_the_deals_ends_the_read(tmp_path: Path) -> None:
    """The dedupe plan's read of 2,000 deals (``read_records``): once the lists answered,
    the stop lands in the pass that makes them records."""
    async with serve(SandboxConfig(time_scale=0.02, deals=ROWS, seed=3)) as sb:
        got: list[int] = []

        async def step(s: Engine) -> None:
            got.append(len(await read_records(s.ctx)))

        assert await _stopped(sb, tmp_path, step) == "stopped while the job was loading"
        assert got == [ROWS]  # the count's own read, not the stopped one
        assert len(got) == 1


@pytest.mark.anyio
async def test_a_stop_while_a_dedupe_apply_loads_ends_its_load(tmp_path: Path) -> None:
    """A plan of 300 duplicate groups: once the apply's re-read of their deals answered,
    the stop lands in its pass over the groups (without the check every group was
    decided)."""
    groups = 300
    async with serve(SandboxConfig(time_scale=0.02, deals=5, seed=3)) as sb:
        ids = seed_account(sb)
        for i in range(groups):
            title = f"Rollout {i:04d} {'abcdefghij'[i % 10]}"
            deal(sb, title, ids["orgs"]["acme"], value=float(i))
            deal(sb, title, ids["orgs"]["acme"], value=float(i))
        out = await plan(sb, tmp_path / "p", tmp_path / "plan")
        assert len(out.result.groups) > groups
        decided: list[int] = []

        async def step(s: Engine) -> None:
            prep = await prepare_apply(s.ctx, tmp_path / "plan", ApplyOptions(),
                                       state_dir=None)
            decided.append(len(prep.items))

        assert await _stopped(sb, tmp_path, step) == "stopped while the job was loading"
        assert len(decided) == 1 and decided[0] > groups  # the count's own load only
