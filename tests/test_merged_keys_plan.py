"""A plan of an import that creates rows says how many merges its state folder knows on
the account: a key they merged away is not created again, one merged from elsewhere is
(Pipedrive's merge keeps no link to it: README, x28r2 F5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from tests.import_support import api_engine, engine_config, import_once, read_csv

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
MAPPING = """\
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
pipeline = { default = "Sales" }
stage = { default = "Qualified" }
"""


async def _plan(sb: Any, tmp: Path, manifest: Path, mapping: Path,
                mode: str = "upsert") -> Any:
    from jobs.import_load import plan_import
    from jobs.import_rows import ImportSettings
    from jobs.mapping import Mapping

    settings = ImportSettings(str(manifest), str(mapping), mode)
    async with api_engine(sb, tmp) as runner:
        plan, _ = await plan_import(runner.ctx, settings, Mapping.load(mapping),
                                    engine_config(sb, tmp).limits(), stats=runner.stats,
                                    scheduler=runner.scheduler.statistics, base_url=sb.url)
    return plan


async def test_the_plan_says_which_merges_its_state_folder_knows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """m1's deal merged into m2's by this state folder: its plan creates nothing for m1 and
    names the merge it knows; another state folder's plan creates m1 again (the documented
    limit) and has no such note."""
    from jobs.merged_deals import record

    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title\nm1,Merge A\nm2,Merge B\n")
    mapping.write_text(MAPPING)
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-a"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        first, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id="a")
        ids = {r["key"]: int(r["deal_id"]) for r in read_csv(first.directory / "succeeded.csv")}
        first.close()
        # the merge as Pipedrive leaves it: the other deal deleted, m2's key on the survivor
        sb.state.deals.rows[ids["m1"]]["is_deleted"] = True
        record(sb.url, [(ids["m1"], ids["m2"])], "merge-job", applied=True)
        again = tmp_path / "again.csv"
        again.write_text("id,title\nm1,Merge A\nm3,New\n")
        here = await _plan(sb, tmp_path / "p1", again, mapping)
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-b"))
        elsewhere = await _plan(sb, tmp_path / "p2", again, mapping)
    assert here.calls.get("addDeal") == 1  # m3 alone
    assert any(n.startswith("this state folder knows 1 merge on this account")
               for n in here.notes), here.notes
    assert elsewhere.calls.get("addDeal") == 2  # m1 again: the documented limit
    assert not any("this state folder knows" in n for n in elsewhere.notes)


async def test_an_insert_plan_counts_a_merged_away_key_as_the_insert_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """f30k (x30r2): m1's deal merged into m2's, an insert of m1 and m3: the insert reports
    m1 ``exists`` and sends nothing for it; its plan said "1 update their survivor (counted
    as updateDeal)" with updateDeal 1. It now counts no update, one addDeal (m3), and says
    the row is ``exists``."""
    from jobs.merged_deals import record

    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title\nm1,Merge A\nm2,Merge B\n")
    mapping.write_text(MAPPING)
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-a"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        first, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id="a")
        ids = {r["key"]: int(r["deal_id"]) for r in read_csv(first.directory / "succeeded.csv")}
        first.close()
        sb.state.deals.rows[ids["m1"]]["is_deleted"] = True
        record(sb.url, [(ids["m1"], ids["m2"])], "merge-job", applied=True)
        again, insert = tmp_path / "again.csv", tmp_path / "insert.toml"
        again.write_text("id,title\nm1,Merge A again\nm3,New\n")
        insert.write_text(MAPPING.replace('mode = "upsert"', 'mode = "insert"'))
        plan = await _plan(sb, tmp_path / "p", again, insert, "insert")
        run, _, _ = await import_once(sb, tmp_path / "jobs", again, insert, job_id="b",
                                      mode="insert")
        done = {r["key"]: r for r in read_csv(run.directory / "succeeded.csv")}
        run.close()
        survivor = sb.state.deals.rows[ids["m2"]]["title"]
    assert done["m1"]["action"] == "exists" and survivor == "Merge B", done
    assert not plan.calls.get("updateDeal"), plan.calls  # before: 1
    assert plan.calls.get("addDeal") == 1  # m3 alone
    (note,) = [n for n in plan.notes if "of the creates are keys" in n]
    assert "1 reported `exists`" in note and "update their survivor" not in note, note
