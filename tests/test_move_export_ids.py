"""move-stage's manifest takes Pipedrive's own export's ``Deal - ID`` column as its deal ids
without ``--id-column``, as update's starter mapping does (x43r3 F6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.stages import DealSource, MoveTarget, move_catalog, prepare_move
from tests.import_support import api_context


@pytest.mark.anyio
async def test_the_export_s_deal_id_column_names_the_deals(tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=10, seed=5)) as sb:
        ids = sorted(i for i, d in sb.state.deals.rows.items() if not d["is_deleted"]
                     and not d["is_archived"])[:3]
        manifest = tmp_path / "export.csv"
        manifest.write_text("Deal - ID,Deal - Title\n"
                            + "".join(f"{i},T{i}\n" for i in ids))
        source = DealSource(manifest=manifest)
        for i in ids:  # all in Sales' first stage, so each is a move
            sb.state.save("deal", {**sb.state.deals.rows[i], "stage_id": 1, "pipeline_id": 1})
        async with api_context(sb, tmp_path) as ctx:
            prep = await prepare_move(ctx, source, MoveTarget("Proposal Made", pipeline="Sales"),
                                      await move_catalog(ctx, source))
        assert sorted(int(i.payload["deal_id"]) for i in prep.items) == ids, prep.actions
