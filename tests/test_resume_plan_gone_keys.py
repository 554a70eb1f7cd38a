"""A resume's plan prices the read of each pending create's earlier deal its key's claim
names (``getDeal``, 1 token: gone since, the row is created after the read), as a fresh
plan does (x38r1 F3: import, undo --yes, import again, kill -9, resume: plan 1,450, run
1,690, the 270 getDeal reads not named)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import anyio
import anyio.to_thread
import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState, JobStore
from jobs import kind_for
from jobs.demo_data import write_demo_export
from tests.import_support import api_context, import_once, loaded_import, resume_job
from tests.test_import import charged

pytestmark = pytest.mark.anyio
ROWS = 24


async def test_the_resume_plan_reads_the_gone_deals_the_claims_name(tmp_path: Path) -> None:
    """Seed import, its deals deleted (as undo does), the file loaded again and stopped
    before its first send: the resume's plan (after ``before_plan``, as ``pdbulk resume``
    runs it) names a getDeal per key, and holds for every operation it sends."""
    export = write_demo_export(tmp_path / "in", rows=ROWS, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=7)) as sb:
        seed, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest,
                                       export.mapping, mode="insert", job_id="seed")
        seed.close()
        async with api_context(sb, tmp_path / "ctx") as ctx:  # as `pdbulk undo` deletes
            for deal in list(sb.state.table("deal").rows.values()):
                if not deal["is_deleted"]:
                    await ctx.call("deleteDeal", path={"id": int(deal["id"])})
        job_id = await anyio.to_thread.run_sync(lambda: loaded_import(
            sb, tmp_path / "jobs", export.manifest, export.mapping, mode="insert",
            job_id="again"))
        directory = tmp_path / "jobs" / job_id
        store = JobStore.open(directory)
        kind = kind_for(store)
        await kind.before_plan(store)  # type: ignore[attr-defined]
        planned = Counter(kind.resume_calls(store))  # type: ignore[attr-defined]
        store.close()
        before = charged(sb)
        store, result = await resume_job(sb, directory, reread=True)
        spent = charged(sb) - before
        store.close()
    assert result.counts[ItemState.DONE] == ROWS
    assert spent["getDeal"] == ROWS, spent
    over = {op: (n, planned[op]) for op, n in spent.items() if n > planned[op]}
    assert not over, f"sent (planned): {over}; plan {dict(planned)}"
