"""A row failed for its deal id / key or its lost reason names that column in failed.csv
(x20r2 F5: ``no deal with id '99999'`` and the lost-reason error left it empty)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.account import load_catalog
from jobs.prepared import Prepared
from jobs.selection import Ref
from jobs.stages import _match
from jobs.updating import UpdateMapping, prepare_update
from tests.import_support import read_csv
from tests.update_support import load_job, run_job


@pytest.mark.anyio
async def test_an_updates_failed_rows_name_the_id_and_lost_reason_columns(
        tmp_path: Path) -> None:
    """A missing deal names the id column; a lost reason for a deal that is not lost,
    the row leaving its status, names the reason's column."""
    async with serve(SandboxConfig(time_scale=0.02, deals=40, seed=5)) as sb:
        open_ = next(i for i, d in sb.state.deals.rows.items() if d["status"] == "open")
        manifest = tmp_path / "rows.csv"
        manifest.write_text(f"Deal,Status,Reason\n99999,,x\n{open_},,Too pricey\n")
        (tmp_path / "map.toml").write_text(
            '[update]\nid_column = "Deal"\n[deal]\nstatus = "Status"\nlost_reason = "Reason"\n')
        umap = UpdateMapping.load(tmp_path / "map.toml")

        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))
        store, _ = await load_job(sb, tmp_path, "update", build)
        await run_job(sb, store)
        rows = {r["key"]: r for r in read_csv(store.directory / "failed.csv")}
        store.close()
    assert rows["99999"]["reason"].startswith("no deal with id '99999'"), rows
    assert rows["99999"]["column"] == "Deal"
    assert rows[str(open_)]["reason"].startswith("a lost reason is given"), rows
    assert rows[str(open_)]["column"] == "Reason"


def test_a_move_stages_row_naming_no_deal_names_its_column() -> None:
    """move-stage: a row naming no deal names the id column; a deal named again is the
    same move, skipped as a duplicate (f29e), with no column to name."""
    prep = Prepared("move-stage")
    refs = [Ref(2, 5, "5", {"Deal": "5"}), Ref(3, 6, "6", {"Deal": "6"}),
            Ref(4, 5, "5", {"Deal": "5"})]
    seen: dict[int, int] = {}
    for ref in refs:
        _match(ref, {"5": {"id": 5, "stage_id": 1}}, prep, "Deal", seen)
    assert [(i.row, i.payload.get("column")) for i in prep.items] == [(3, "Deal"), (4, None)]
    assert prep.items[1].payload["result"]["action"] == "duplicate"
