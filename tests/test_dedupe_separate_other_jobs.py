"""A keep-separate pair one of whose deals a job of another kind in the job folder took away
since the plan says which job and what it did, as for a dedupe job (f41k 1, x41r5 F3): a
``pdbulk merge`` job that merged it into a third deal (``deal 12 was merged into deal 13 by
job J``) or into its pair (``already merged by job J … came too late``), an undo of the
import that created it (``deal N was deleted by job J``) — before, all three read "deal N
is gone since the plan (… Pipedrive does not say which …)". The sandbox, the library's
jobs (``jobs.api``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import JobStore
from jobs.api import merge_deals, run_job
from jobs.dedupe.apply import ApplyOptions, prepare_apply
from tests.dedupe_job_support import keep_separate, plan, seed_pairs
from tests.import_support import engine_config
from tests.update_support import load_job


async def _apply_rows(sb: Any, root: Path, plan_dir: Path) -> tuple[dict[str, dict[str, Any]], Any]:
    async def build(s: Any) -> Any:
        return await prepare_apply(s.ctx, plan_dir, ApplyOptions(), state_dir=root / "state",
                                   job_roots=(root / "jobs",))
    store, prep = await load_job(sb, root / "jobs", "dedupe", build, job_id="zz-dedupe")
    try:
        return {str(r["group_id"]): r for r in (
            dict(i.result or i.payload.get("result") or {}) for i in store.items())}, prep
    finally:
        store.close()


@pytest.mark.anyio
async def test_a_pair_a_merge_job_took_a_deal_of_names_that_job(tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=61)) as sb:
        seed_pairs(sb, 3)
        root = tmp_path / "b"
        out = await plan(sb, root, tmp_path / "p")
        g1, g2, g3 = sorted(out.result.groups, key=lambda g: g.survivor_id)
        keep_separate(tmp_path / "p")
        (a1,), (a2,) = g1.merged_ids, g2.merged_ids
        pairs = tmp_path / "pairs.csv"
        pairs.write_text(f"merge_id,survivor_id\n{a1},{g3.survivor_id}\n{a2},{g2.survivor_id}\n")
        done = await run_job(engine_config(sb, root / "jobs"), sb.token, merge_deals(pairs))
        assert done.status == "finished" and done.counts == {"done": 2}, done
        job = done.job_id
        rows, prep = await _apply_rows(sb, root, tmp_path / "p")
        third, pair = str(rows[g1.id]["reason"]), str(rows[g2.id]["reason"])
        assert f"deal {a1} was merged into deal {g3.survivor_id} by job {job}" in third, third
        assert "does not say which" not in third and rows[g1.id]["action"] == "skipped"
        assert f"already merged by job {job}" in pair and "came too late" in pair, pair
        assert rows[g2.id]["action"] == "already merged"
        assert rows[g3.id]["action"] == "kept separate"
        assert not prep.actions["merge"]


def _undo_deleted(root: Path, job_id: str, deal_id: int) -> None:
    """An undo job's folder whose delete of ``deal_id`` is done (as an undo of the import
    that created it leaves it; its store written as the runner writes a done item)."""
    store = JobStore.create(root / job_id, job_id=job_id, kind="undo", config={})
    path = store.directory / "job.sqlite"
    store.close()
    conn = sqlite3.connect(path)
    try:
        conn.execute("INSERT INTO items (source_row, source_key, op, payload, state, result) "
                     "VALUES (2, ?, 'delete', ?, 'done', ?)",
                     (str(deal_id), orjson.dumps({"deal_id": deal_id}).decode(),
                      orjson.dumps({"deal_id": deal_id, "action": "deleted"}).decode()))
        conn.commit()
    finally:
        conn.close()


@pytest.mark.anyio
async def test_a_pair_an_undo_deleted_a_deal_of_names_that_job(tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=62)) as sb:
        seed_pairs(sb, 2)
        root = tmp_path / "b"
        out = await plan(sb, root, tmp_path / "p")
        g1, g2 = sorted(out.result.groups, key=lambda g: g.survivor_id)
        keep_separate(tmp_path / "p")
        (gone,) = g1.merged_ids
        sb.state.save("deal", {**sb.state.deals.rows[gone], "is_deleted": True})
        _undo_deleted(root / "jobs", "undo-1", gone)
        rows, _ = await _apply_rows(sb, root, tmp_path / "p")
        why = str(rows[g1.id]["reason"])
        assert f"deal {gone} was deleted by job undo-1 since the plan" in why, why
        assert "does not say which" not in why and "too late" not in why, why
        assert rows[g2.id]["action"] == "kept separate"
