"""``plan update`` says how many deals will be dated today, as ``plan import`` does: a row
that makes a deal won / lost with no close time is dated by Pipedrive the moment it is sent
(x35r1 2: Q1 to won and Q2 to lost, empty time cells, were dated at run time, the plan
said nothing). A deal already lost, given a new reason only, changes no status and is
neither counted as a status change nor dated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.account import load_catalog
from jobs.updating import UpdateMapping, prepare_update
from tests.import_support import api_context

pytestmark = pytest.mark.anyio
CONFIG = SandboxConfig(deals=4, time_scale=0.02, seed=5)
MAPPING = """version = 1
[update]
id_column = "Id"
[deal]
status = "Status"
lost_reason = { column = "Reason", when_not_lost = "drop" }
won_time = "Won"
lost_time = "Lost"
close_time = "Closed"
"""


async def test_plan_update_counts_the_deals_dated_today(tmp_path: Path) -> None:
    """Deals 1, 2, 4 open, 3 lost: 1 to won and 2 to lost with empty time cells (dated
    today), 3 a new lost reason (no status change), 4 to won with its won time (not dated
    today). The plan: status 3 (not 4), 2 dated today (before: no note)."""
    async with serve(CONFIG) as sb:
        for deal_id in (1, 2, 3, 4):
            row: dict[str, Any] = sb.state.deals.rows[deal_id]
            row.update(status="open", lost_reason=None, won_time=None, lost_time=None,
                       close_time=None)
        sb.state.deals.rows[3].update(status="lost", lost_reason="old",
                                      lost_time="2025-01-01T00:00:00Z",
                                      close_time="2025-01-01T00:00:00Z")
        manifest = tmp_path / "rows.csv"
        manifest.write_text("Id,Status,Reason,Won,Lost,Closed\n1,won,,,,\n2,lost,,,,\n"
                            "3,lost,new reason,,,\n4,won,,2025-02-01 12:00,,\n")
        (tmp_path / "map.toml").write_text(MAPPING)
        umap = UpdateMapping.load(tmp_path / "map.toml")
        async with api_context(sb, tmp_path / "ctx") as ctx:
            prep = await prepare_update(ctx, manifest, umap, await load_catalog(ctx))
        assert prep.actions == {"update": 4}, prep.actions
        assert prep.fields["status"] == 3, prep.fields
        assert prep.closed_undated == 2
        dated = [n for n in prep.notes if "dated today" in n]
        assert len(dated) == 1 and dated[0].startswith("2 won / lost deals will be dated today"), \
            prep.notes
