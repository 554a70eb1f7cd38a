"""A row whose key's earlier deal is gone (an undo of the same file) and whose create of
it again is left in doubt, then settled by the reconcile (found applied), counts among
``keys_recreated`` and says so (x38r1 F4: after a kill -9, 294 said of 300 re-created:
the rows settled by the reconcile carried no ``recreated`` mark)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.config import Faults
from bulk.store import ItemState
from jobs.demo_data import write_demo_export
from jobs.import_items import RECREATED
from tests.import_support import api_context, import_once, resume_job, sandbox_deals

pytestmark = pytest.mark.anyio
ROWS = 20


@pytest.mark.parametrize("lost", [0.5, 1.0], ids=["in-run", "resumed"])
async def test_creates_again_settled_in_doubt_are_counted(tmp_path: Path, lost: float) -> None:
    """Seed import, its deals deleted (as undo does), the file imported again while half
    the addDeal answers are lost (applied, in doubt), or all of them (the run stops, and
    a resume — a new process, as after a kill -9 — reconciles them by the claims alone):
    every row is created again, and every one — the reconciled ones too — is counted and
    noted as created again."""
    export = write_demo_export(tmp_path / "in", rows=ROWS, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=11)) as sb:
        seed, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest,
                                       export.mapping, mode="insert", job_id="seed")
        seed.close()
        async with api_context(sb, tmp_path / "ctx") as ctx:  # as `pdbulk undo` deletes
            for deal in sandbox_deals(sb):
                await ctx.call("deleteDeal", path={"id": int(deal["id"])})
        sb.set_faults(Faults(lost_response_rate=lost, only_operations=frozenset({"addDeal"})))
        store, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest,
                                        export.mapping, mode="insert",
                                        create_key_field=False, job_id="again")
        sb.set_faults(Faults())
        if store.counts()[ItemState.DONE] < ROWS:
            directory = store.directory
            store.close()
            store, _ = await resume_job(sb, directory)
        done = list(store.items(ItemState.DONE))
        directory = store.directory
        store.close()
    reconciled = [i for i in done if (i.result or {}).get("reconciled")]
    assert len(done) == ROWS and reconciled, [i.result for i in done]
    assert [i.key for i in done if (i.result or {}).get(RECREATED) != "key_gone"] == []
    assert all("earlier deal" in str((i.result or {}).get("note")) for i in reconciled)
    summary = json.loads((directory / "summary.json").read_text())
    assert summary["keys_recreated"] == ROWS
