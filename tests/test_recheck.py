"""A job re-reads each batch of deals right before sending it (the runner's ``recheck``
hook): a change a colleague makes *while the job runs* is never overwritten or deleted —
update, move-stage, undo (deletes and restores) and the import's upsert updates — and
undo of an import leaves a deal an automation edited in the create's own second.

The colleague acts deterministically: while the first item of the run is being sent
(the job kind's ``execute``, wrapped), on deals of a later batch; every batch is re-read
only once the one before it is all handed out (``bulk.runner.recheck_batch``: 16 items
at 2 workers)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bulk.engine import Engine, EngineConfig
from bulk.runner import RunResult, recheck_batch
from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import ItemState, JobStore
from jobs import kind_for
from jobs.account import load_catalog
from jobs.deals import editable_digest
from jobs.selection import DealQuery
from jobs.stages import DealSource, MoveTarget, move_catalog, prepare_move
from jobs.undo import prepare_undo
from jobs.updating import UpdateMapping, prepare_update
from tests.import_support import import_once, read_csv
from tests.update_support import deal, load_job

WORKERS = 2  # recheck_batch(2) == 16: the colleague's deals are in the 2nd or 3rd batch
FAST = {"time_scale": 0.02, "seed": 5}
UPDATE_MAPPING = """[update]
id_column = "deal_id"
[defaults]
currency = "USD"
[deal]
value = "amount"
"""
IMPORT_MAPPING = """version = 1
[import]
key_column = "id"
[defaults]
currency = "USD"
[deal]
title = "title"
value = "amount"
"""


def colleague(sb: Sandbox, deal_id: int, **fields: Any) -> None:
    """Someone else changes the deal now (its update_time moves on)."""
    sb.state.save("deal", {**deal(sb, deal_id), **fields, "update_time": "2031-01-01T00:00:00Z"})


async def run_with(sb: Sandbox, store: JobStore, act: Callable[[], None]) -> RunResult:
    """The job's run (as `pdbulk` runs it, 2 workers), ``act`` done while its first item is
    being sent: after the first batch was re-read, before any later one is."""
    config = EngineConfig.from_json(store.config["engine"])
    kind = kind_for(store)
    execute = kind.execute
    acted: list[bool] = []

    async def execute_and_act(ctx: Any, item: Any) -> Any:
        if not acted:
            acted.append(True)
            act()
        return await execute(ctx, item)
    kind.execute = execute_and_act  # type: ignore[method-assign]
    async with Engine.open(config, sb.token, store=store) as engine:
        result = await engine.run(kind)
    store.set_status("stopped" if result.stopped else "finished")
    kind.after_run(store, result)  # type: ignore[attr-defined]
    assert acted
    return result


async def imported(sb: Sandbox, tmp: Path, n: int, *, job_id: str = "imp") -> list[int]:
    """``n`` deals created by an import (insert; keys k0..), ids in row order."""
    (tmp / "i.toml").write_text(IMPORT_MAPPING)
    manifest = tmp / "i.csv"
    manifest.write_text("id,title,amount\n" + "".join(f"k{n},Deal {n},{10 * n}\n"
                                                     for n in range(n)))
    store, _, _ = await import_once(sb, tmp / "jobs", manifest, tmp / "i.toml", job_id=job_id,
                                    max_workers=WORKERS)
    ids = [int(r["deal_id"]) for r in read_csv(store.directory / "succeeded.csv")]
    store.close()
    assert len(ids) == n
    return ids


def failed(store: JobStore) -> dict[int, str]:
    return {int(i.payload["deal_id"]): i.error or "" for i in store.items(ItemState.FAILED)}


def test_batches_are_small_for_few_workers_and_100_at_most() -> None:
    """The re-check reads 8 items per worker per batch, 16 at least, 100 (one read) at most."""
    assert [recheck_batch(n) for n in (1, 2, 4, 13, 64)] == [16, 16, 32, 100, 100]


def test_a_batch_is_one_window_of_the_account_at_most() -> None:
    """x14r1 F2: at the default 64 workers a batch of 100 on a 40-per-2-s account was sent
    over 5 s after its read, and a colleague's edit in that time was overwritten. A batch
    is at most the account's burst (sent within about one window of its read), 16 at
    least; the plans price the re-check with the same size."""
    from bulk.plans import plan_limits

    growth, lite = plan_limits("growth").burst, plan_limits("lite").burst
    assert recheck_batch(64, growth) == growth < 100
    assert recheck_batch(64, plan_limits("ultimate", auth="oauth").burst) == 100
    assert recheck_batch(2, growth) == 16 and recheck_batch(64, 8) == 16
    assert recheck_batch(64, lite) == max(16, min(100, lite))


@pytest.mark.anyio
async def test_update_leaves_a_deal_a_colleague_changes_during_the_run(tmp_path: Path) -> None:
    """40 deals updated with 2 workers; while the first is sent a colleague sets 4242 on 6
    deals of later batches. Those 6 fail as conflicts and keep 4242 (they were
    overwritten, then undo of the update restored the load's value); the 34 others are
    updated, and undo of the update puts back exactly those."""
    async with serve(SandboxConfig(deals=60, **FAST)) as sb:
        ids = sorted(d["id"] for d in sb.state.deals.rows.values()
                     if not d["is_deleted"] and not d["is_archived"])[:40]
        (tmp_path / "u.toml").write_text(UPDATE_MAPPING)
        manifest = tmp_path / "u.csv"
        manifest.write_text("deal_id,amount\n" + "".join(f"{i},{7000 + i}\n" for i in ids))
        before = {i: deal(sb, i)["value"] for i in ids}

        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, UpdateMapping.load(tmp_path / "u.toml"),
                                        await load_catalog(s.ctx))
        store, prep = await load_job(sb, tmp_path / "jobs", "update", build, job_id="upd",
                                     max_workers=WORKERS)
        assert prep.actions["update"] == 40
        theirs = ids[20:26]
        await run_with(sb, store, lambda: [colleague(sb, i, value=4242) for i in theirs])
        assert set(failed(store)) == set(theirs)
        assert all("conflict" in e and "while the job ran" in e for e in failed(store).values())
        assert all(deal(sb, i)["value"] == 4242 for i in theirs)
        assert all(deal(sb, i)["value"] == 7000 + i for i in ids if i not in theirs)

        async def undo_build(s: Any) -> Any:
            return await prepare_undo(s.ctx, store)
        undo, plan = await load_job(sb, tmp_path / "jobs", "undo", undo_build, job_id="undo",
                                    max_workers=WORKERS)
        assert plan.actions == {"restore": 34}
        await run_with(sb, undo, lambda: None)
        assert all(deal(sb, i)["value"] == 4242 for i in theirs)
        assert all(deal(sb, i)["value"] == before[i] for i in ids if i not in theirs)
        undo.close()
        store.close()


@pytest.mark.anyio
async def test_move_stage_leaves_deals_moved_or_closed_during_the_run(tmp_path: Path) -> None:
    """move-stage of the open deals of a stage (2 workers): while the first is sent a
    colleague moves 3 deals of a later batch elsewhere, marks 3 lost and edits the value
    of 2. The 6 are not moved (no longer selected); the 2 whose value changed are (a
    field move-stage does not write)."""
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        ids = await imported(sb, tmp_path, 40)
        assert all(deal(sb, i)["stage_id"] == 1 and deal(sb, i)["status"] == "open" for i in ids)
        query = DealSource(query=DealQuery(pipeline="Sales", stage="Qualified", status="open"))

        async def build(s: Any) -> Any:
            return await prepare_move(s.ctx, query, MoveTarget("Contact Made"),
                                      await move_catalog(s.ctx, query))
        store, prep = await load_job(sb, tmp_path / "jobs", "move-stage", build, job_id="mv",
                                     max_workers=WORKERS)
        assert prep.actions["move"] == 40
        moved, lost, valued = ids[20:23], ids[23:26], ids[26:28]

        def act() -> None:
            for i in moved:
                colleague(sb, i, stage_id=4)
            for i in lost:
                colleague(sb, i, status="lost")
            for i in valued:
                colleague(sb, i, value=4242)
        await run_with(sb, store, act)
        assert set(failed(store)) == set(moved) | set(lost)
        assert all("no longer matches the selection" in e for e in failed(store).values())
        assert all(deal(sb, i)["stage_id"] == 4 for i in moved)
        assert all(deal(sb, i)["stage_id"] == 1 and deal(sb, i)["status"] == "lost"
                   for i in lost)
        assert all(deal(sb, i)["stage_id"] == 2 for i in ids if i not in moved + lost)
        store.close()


@pytest.mark.anyio
async def test_undo_of_an_import_leaves_deals_edited_or_archived_during_the_run(
        tmp_path: Path) -> None:
    """Undo of an import of 40 deals (2 workers); while its first delete is sent a colleague
    sets a value on 3 deals of a later batch and archives 2. The 5 are conflicts, left
    alone (all were deleted); the 35 others are deleted. An undo with --force then
    deletes the 5 too."""
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        ids = await imported(sb, tmp_path, 40)
        with JobStore.open(tmp_path / "jobs" / "imp", lock=False) as source:
            async def build(s: Any) -> Any:
                return await prepare_undo(s.ctx, source)
            undo, plan = await load_job(sb, tmp_path / "jobs", "undo", build, job_id="undo",
                                        max_workers=WORKERS)
            assert plan.actions == {"delete": 40}
            edited, archived = ids[20:23], ids[30:32]

            def act() -> None:
                for i in edited:
                    colleague(sb, i, value=4242)
                for i in archived:
                    colleague(sb, i, is_archived=True)
            await run_with(sb, undo, act)
            assert set(failed(undo)) == set(edited) | set(archived)
            assert all("conflict" in e for e in failed(undo).values())
            assert all(not deal(sb, i)["is_deleted"] for i in edited + archived)
            assert all(deal(sb, i)["is_deleted"] for i in ids if i not in edited + archived)
            undo.close()

            async def forced(s: Any) -> Any:
                return await prepare_undo(s.ctx, source, force=True)
            again, plan = await load_job(sb, tmp_path / "jobs", "undo", forced, job_id="force",
                                         max_workers=WORKERS)
            assert plan.actions["delete"] == 5, plan.actions
            await run_with(sb, again, lambda: None)
            assert all(deal(sb, i)["is_deleted"] for i in ids)
            again.close()


@pytest.mark.anyio
async def test_upsert_leaves_a_deal_a_colleague_changes_during_the_run(tmp_path: Path) -> None:
    """An upsert updating the values of 40 imported deals (2 workers); while its first
    PATCH is sent a colleague sets 4242 on 3 deals of a later batch: conflicts, 4242 kept;
    the 37 others are updated."""
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        ids = await imported(sb, tmp_path, 40)
        manifest = tmp_path / "up.csv"
        manifest.write_text("id,title,amount\n" + "".join(f"k{n},Deal {n},{5000 + n}\n"
                                                        for n in range(40)))
        theirs = ids[20:23]
        from jobs.import_load import import_job
        from jobs.import_rows import ImportSettings
        from jobs.importing import ImportJob
        from jobs.mapping import Mapping
        from tests.import_support import engine_config

        settings = ImportSettings(manifest=str(manifest), mapping=str(tmp_path / "i.toml"),
                                  mode="upsert")
        config = engine_config(sb, tmp_path / "jobs", max_workers=WORKERS)
        store = JobStore.create(tmp_path / "jobs" / "up", job_id="up", kind="import",
                                config={"engine": config.to_json(),
                                        "import": settings.to_json()})
        kind = ImportJob(store, settings, "")
        execute = kind.execute
        acted: list[bool] = []

        async def execute_and_act(ctx: Any, item: Any) -> Any:
            if not acted:
                acted.append(True)
                for i in theirs:
                    colleague(sb, i, value=4242)
            return await execute(ctx, item)
        kind.execute = execute_and_act  # type: ignore[method-assign]
        await import_job(store, kind, Mapping.load(tmp_path / "i.toml"), config, sb.token,
                         say=lambda line: None)
        assert acted
        assert set(failed(store)) == set(theirs)
        assert all("conflict" in e for e in failed(store).values())
        assert all(deal(sb, i)["value"] == 4242 for i in theirs)
        assert all(deal(sb, i)["value"] == 5000 + n for n, i in enumerate(ids)
                   if i not in theirs)
        store.close()


@pytest.mark.anyio
async def test_undo_of_an_import_leaves_a_deal_edited_in_the_create_s_second(
        tmp_path: Path) -> None:
    """An automation sets probability 77 on 4 of 10 imported deals in the second of their
    create (update_time unchanged, a field the import does not write): undo of the import
    reports them as conflicts and deletes the 6 others (it deleted all 10)."""
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        ids = await imported(sb, tmp_path, 10)
        with JobStore.open(tmp_path / "jobs" / "imp", lock=False) as source:
            digests = {int((i.result or {})["deal_id"]): (i.result or {}).get("digest")
                       for i in source.items(ItemState.DONE)}
            assert all(digests[i] == editable_digest(deal(sb, i)) for i in ids)
            for i in ids[:4]:
                sb.state.deals.rows[i]["probability"] = 77  # same update_time
            async def build(s: Any) -> Any:
                return await prepare_undo(s.ctx, source)
            undo, plan = await load_job(sb, tmp_path / "jobs", "undo", build, job_id="undo")
            assert plan.actions == {"delete": 6, "conflict": 4}, plan.actions
            await run_with(sb, undo, lambda: None)
            assert all(not deal(sb, i)["is_deleted"] for i in ids[:4])
            assert all(deal(sb, i)["is_deleted"] for i in ids[4:])
            undo.close()
