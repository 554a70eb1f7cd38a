"""An update's undo names the merge a deal took in a later merge job of the folder even when
a move-stage job moved that deal before the merge (x46r3 F3: the move-stage's record came
first and hid the merge's: 14 of 15 such deals said "deleted since the job, by whom unknown",
while their survivors' rows named the merge)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from jobs.account import load_catalog
from jobs.merging import prepare_merge, read_pairs
from jobs.stages import DealSource, MoveTarget, prepare_move
from jobs.updating import UpdateMapping, prepare_update
from tests.test_undo import undoer
from tests.test_update import write_csv
from tests.update_support import deal, load_job, run_job


@pytest.mark.anyio
async def test_a_deal_moved_then_merged_away_is_named_merged(tmp_path: Path) -> None:
    """Update 4 deals; move-stage 2 of them; merge those 2 into the other 2: each merged-away
    deal's undo row says "merged into deal N (job merge-job)", none "by whom unknown"."""
    async with serve(SandboxConfig(time_scale=0.02, deals=40, seed=46)) as sb:
        a, b, c, d = [x["id"] for x in sb.state.deals.rows.values()
                      if x["status"] == "open" and x["pipeline_id"] == 1][:4]
        manifest = write_csv(tmp_path / "rows.csv", [
            {"Deal": str(i), "Amount": str(int(deal(sb, i)["value"] or 0) + 3)}
            for i in (a, b, c, d)])
        (tmp_path / "map.toml").write_text(
            'version = 1\n[update]\nid_column = "Deal"\n[deal]\nvalue = "Amount"\n')
        umap = UpdateMapping.load(tmp_path / "map.toml")

        async def update(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))
        source, _ = await load_job(sb, tmp_path, "update", update)
        await run_job(sb, source)

        moving = tmp_path / "move.csv"
        moving.write_text(f"deal_id\n{a}\n{c}\n")

        async def move(s: Any) -> Any:
            return await prepare_move(s.ctx, DealSource(manifest=moving),
                                      MoveTarget("Lead In", pipeline="Partnerships"),
                                      await load_catalog(s.ctx))
        moved, _ = await load_job(sb, tmp_path, "move-stage", move)
        result = await run_job(sb, moved)
        assert result.counts[ItemState.DONE] == 2, result.counts

        pairs = tmp_path / "pairs.csv"
        pairs.write_text(f"merge_id,survivor_id\n{a},{b}\n{c},{d}\n")

        async def merge(s: Any) -> Any:
            return await prepare_merge(s.ctx, read_pairs(pairs))
        merged, _ = await load_job(sb, tmp_path, "merge", merge)
        result = await run_job(sb, merged)
        assert result.counts[ItemState.DONE] == 2, result.counts

        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        reasons = {i.payload.get("deal_id"): i.error or "" for i in plan.items
                   if i.state is ItemState.FAILED}
        for away, into in ((a, b), (c, d)):
            assert f"deal {away} was merged into deal {into}" in reasons[away], reasons[away]
            assert "merge-job" in reasons[away], reasons[away]
            assert "by whom unknown" not in reasons[away], reasons[away]
        for x in (undo, merged, moved, source):
            x.close()
