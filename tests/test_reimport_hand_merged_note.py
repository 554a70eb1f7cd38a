"""An upsert that creates a key again whose earlier deal is gone says so (x32r4): a deal
merged away in Pipedrive's own screens (no merge record here) or deleted leaves its key on
a deleted deal; the next upsert created the key's deal again with no word. The key's claim
names the earlier deal (read already, as the plan counts): the row's note names it, and the
run's summary counts the rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.import_load import META_RUNS, summary_lines, write_import_results
from tests.import_support import api_context, import_once

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
MAPPING = ('[import]\nkey_column = "id"\nmode = "upsert"\n[deal]\ntitle = "title"\n'
           'value = "value"\ncurrency = "currency"\n')


async def test_a_key_whose_deal_was_merged_by_hand_is_created_again_with_a_note(
        tmp_path: Path) -> None:
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,value,currency\n" + "".join(
        f"k{i:02},Deal {i},{100 + i},EUR\n" for i in range(4)))
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        first, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="first")
        made = {i.key: int(i.result["deal_id"]) for i in first.items() if i.result}
        first.close()
        async with api_context(sb, tmp_path / "ctx") as ctx:  # a user's merge, no record
            await ctx.call("mergeDeals", path={"id": made["k00"]},
                           json={"merge_with_id": made["k01"]})
            await ctx.call("deleteDeal", path={"id": made["k02"]})  # and a deal deleted
        again, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="again", create_key_field=False)
        rows = {i.key: i for i in again.items()}
        lines = summary_lines(again, {"summary": again.directory / "summary.json"})
        # a run killed before its end records no counters: the rows still count (x37r1 F4:
        # 27 said where succeeded.csv had 39)
        runs = again.meta_get(META_RUNS)
        again.meta_put(META_RUNS, [{**r, "claims": {}} for r in runs])
        after_kill = summary_lines(again, write_import_results(again, None))
        again.close()
    for key in ("k00", "k02"):
        result = rows[key].result or {}
        assert result.get("action") == "created" and result["deal_id"] != made[key], result
        assert f"the key's earlier deal {made[key]} (job first) is gone (deleted — by hand, " \
               "by an undo" in str(result.get("note")), result
        assert "created again" in str(result.get("note"))
    for key in ("k01", "k03"):
        assert "note" not in (rows[key].result or {}) or not rows[key].result["note"]
    for said in (lines, after_kill):
        assert any(line.startswith("2 rows created a deal for a key whose earlier deal")
                   for line in said), said
