"""`pdbulk merge` of deal A (key K1) into deal B (no key of its own): B takes K1. The next
upsert of the file finds B by K1, saying so in succeeded.csv and the plan, in the words an
insert's row says it (x29r3 F4: the upsert wrote A's fields over B silently). The row's
three-way base is what this state folder last wrote for it — on A, the merged-away deal —
and the merge is a change made after it: B's values the file did not change since are
kept (x33: A's old row was written over them, the merge's result undone); a value the file
changed is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.import_load import plan_import
from jobs.import_rows import ImportSettings
from jobs.mapping import Mapping
from jobs.merged_deals import record
from tests.import_support import api_context, api_engine, engine_config, import_once, read_csv

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
MAPPING = """\
[import]
key_column = "id"
[deal]
title = "title"
value = "value"
pipeline = { default = "Sales" }
[deal.stage]
column = "stage"
"""


async def test_an_upsert_says_a_merge_survivor_took_its_key(tmp_path: Path) -> None:
    """Before: insert's row K1 said "deal A, created for this key, was merged away (job
    merge-1) into what is deal B now; not created again", upsert's said nothing and the
    plan counted a plain update. Now the upsert's row and its plan say it too."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,value,stage\nK1,Deal A,100,Qualified\n"
                        "K2,Deal C,5,Qualified\n")
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="first", mode="insert")
        made = {str(i.key): int(i.result["deal_id"]) for i in store.items()}
        store.close()
        async with api_context(sb, tmp_path / "ctx") as ctx:
            res = await ctx.call("addDeal", json={"title": "Deal B"})
            b = int(res.data["id"])
            await ctx.call("mergeDeals", path={"id": made["K1"]}, json={"merge_with_id": b})
        record(sb.url, [(made["K1"], b)], "merge-1", applied=True)
        said = (f"deal {made['K1']}, created for this key, was merged away (job merge-1) "
                f"into what is deal {b} now")
        async with api_engine(sb, tmp_path / "plan") as engine:
            plan, counts = await plan_import(
                engine.ctx, ImportSettings(str(manifest), str(mapping), "upsert"),
                Mapping.load(mapping), engine_config(sb, tmp_path).limits(),
                stats=engine.stats, scheduler=engine.scheduler.statistics,
                base_url=sb.url)
        assert counts.survivors == 1, counts
        assert any(n.startswith("1 row's key is on a deal a merge made here took its deal "
                                "into") for n in plan.notes), plan.notes
        notes = {}
        for mode in ("insert", "upsert"):
            store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                            job_id=f"again-{mode}", mode=mode)
            notes[mode] = {r["key"]: (r["deal_id"], r["action"], r["note"])
                           for r in read_csv(store.directory / "succeeded.csv")}
            store.close()
        assert notes["insert"]["K1"] == (str(b), "exists", f"{said}; not created again")
        # the file's K1 row is as A was last written: B's title (the merge's result) stays
        deal_id, action, note = notes["upsert"]["K1"]
        assert (deal_id, action) == (str(b), "unchanged"), notes
        assert note.startswith(f"{said}; this row stands for it now; changed in Pipedrive "
                               "since"), note
        assert "title" in note, note
        assert sb.state.deals.rows[b]["title"] == "Deal B"
        assert notes["upsert"]["K2"][1:] == ("unchanged", "")
        # the file changes K1's title: an instruction, written over the survivor's
        manifest.write_text("id,title,value,stage\nK1,Deal A v2,100,Qualified\n"
                            "K2,Deal C,5,Qualified\n")
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="third", mode="upsert")
        rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert rows["K1"]["action"] == "updated", rows["K1"]
        assert rows["K1"]["note"].startswith(f"{said}; this row stands for it now"), rows
        assert sb.state.deals.rows[b]["title"] == "Deal A v2"


async def test_a_row_standing_for_a_survivor_keeps_the_merges_values(tmp_path: Path) -> None:
    """Deals A (K1) and B (K2) imported, B merged into A (A's values win), the file then
    without K1's row: K2's row stands for A. Its base is B's record (what this folder last
    wrote for K2), so K2's unchanged title and amount no longer overwrite A's (was: A's
    title and value became B's, the merge's choice undone); a field K2's row changed since
    (the stage) is written, and the next night the row is unchanged."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,value,stage\nK1,Deal A,100,Qualified\n"
                        "K2,Deal B,5,Qualified\n")
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="first", mode="upsert")
        made = {str(i.key): int(i.result["deal_id"]) for i in store.items()}
        store.close()
        a, b = made["K1"], made["K2"]
        async with api_context(sb, tmp_path / "ctx") as ctx:
            await ctx.call("mergeDeals", path={"id": b}, json={"merge_with_id": a})
        record(sb.url, [(b, a)], "merge-1", applied=True)
        assert (sb.state.deals.rows[a]["title"], sb.state.deals.rows[a]["value"]) == (
            "Deal A", 100)
        manifest.write_text("id,title,value,stage\nK2,Deal B,5,Qualified\n")
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="second", mode="upsert")
        rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert rows["K2"]["deal_id"] == str(a), rows
        assert rows["K2"]["action"] == "unchanged", rows
        assert "survivor's value kept" in rows["K2"]["note"], rows
        assert (sb.state.deals.rows[a]["title"], sb.state.deals.rows[a]["value"]) == (
            "Deal A", 100)
        # the file changes K2's stage: written; its title and amount still kept
        manifest.write_text("id,title,value,stage\nK2,Deal B,5,Proposal Made\n")
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="third", mode="upsert")
        rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert rows["K2"]["action"] == "updated", rows
        deal = sb.state.deals.rows[a]
        assert (deal["title"], deal["value"]) == ("Deal A", 100), deal
        stage = sb.state.stages[deal["stage_id"]]["name"]
        assert stage == "Proposal Made", stage
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="fourth", mode="upsert")
        rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert rows["K2"]["action"] == "unchanged", rows
        assert (sb.state.deals.rows[a]["title"], sb.state.deals.rows[a]["value"]) == (
            "Deal A", 100)
