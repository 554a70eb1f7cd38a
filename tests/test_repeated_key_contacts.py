"""A joined Deals + Contacts export (Zoho's) writes a deal with two contacts as two rows of
one key that differ only in the contact's cells: both rows are right, and a Pipedrive deal
takes one person. An insert takes the later row for the first row's duplicate (skipped,
not held, the key not contested), its note naming the contact that was not linked (x45r1
F4: it failed "duplicate source key ... check which row is right"); an upsert holds both
(in another order the rows would change the deal's person each import), saying why;
rows that differ elsewhere too stay held as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from tests.import_support import import_once, read_csv, sandbox_deals

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
MAPPING = """\
[import]
key_column = "Record Id"
mode = "{mode}"
[deal]
title = "Deal Name"
pipeline = {{ default = "Sales" }}
[deal.stage]
column = "Stage"
[person]
name = "Contact Name"
email = "Email"
"""
SOURCE = ("Record Id,Deal Name,Stage,Contact Name,Email\n"
          "j1,Join deal,Qualified,Ola Nord,ola@nord.example\n"
          "j1,Join deal,Qualified,Kari Nord,kari@nord.example\n"
          "j2,Other deal,Qualified,Ola Nord,ola@nord.example\n"
          "j2,Other deal B,Qualified,Kari Nord,kari@nord.example\n")


async def test_a_second_contact_of_one_deal_is_named_not_linked(tmp_path: Path) -> None:
    """Row 3 (j1's second contact) is a duplicate of row 2 whose note names 'Kari Nord'
    as not linked; j1 is one deal; j2's rows (another title too) stay held as before."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text(SOURCE)
    mapping.write_text(MAPPING.format(mode="insert"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="run", mode="insert")
        failed = read_csv(store.directory / "failed.csv")
        done = {r["row"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert [r["row"] for r in failed if r["key"] == "j1"] == [], failed
        assert done["2"]["action"] == "created", done
        assert done["3"]["action"] == "duplicate", done
        note = done["3"]["note"]
        assert "a Pipedrive deal takes one person: this row's contact 'Kari Nord'" in note, note
        assert "was not linked" in note and "participant" in note, note
        held = [r for r in failed if r["row"] == "5"]
        assert len(held) == 1 and held[0]["hold"] == "duplicate-key", failed
        assert "duplicate source key 'j2': row 4 has it too" in held[0]["reason"], held
        j1 = [d for d in sandbox_deals(sb) if d.get("title") == "Join deal"]
        assert len(j1) == 1, j1


async def test_an_upsert_holds_both_contacts_saying_why(tmp_path: Path) -> None:
    """Upsert: j1's two rows are held (as before: neither written), the reason saying a
    Pipedrive deal takes one person and what to do, not "check which row is right"."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text(SOURCE)
    mapping.write_text(MAPPING.format(mode="upsert"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="run", mode="upsert")
        failed = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
        store.close()
        assert sorted(failed) == ["2", "3", "4", "5"], failed
        for row in ("2", "3"):
            reason = failed[row]["reason"]
            assert "a Pipedrive deal takes one person" in reason, reason
            assert "participants" in reason and "--mode insert" in reason, reason
        assert "a Pipedrive deal takes one person" not in failed["5"]["reason"], failed


async def test_the_plan_and_the_load_count_the_other_contacts_apart(tmp_path: Path) -> None:
    """x49r5 F1: a Salesforce report of 160 repeated rows, 61 of them another contact role
    of one opportunity: the plan said "160 rows repeat an earlier row's key and would write
    the same deal (one record written twice): skipped", the 61 persons neither made nor
    linked said only in succeeded.csv's notes. The plan's note, the load's line and
    summary.json's ``load`` now count them apart, naming the rows and the advice."""
    from jobs.import_load import plan_import
    from jobs.import_rows import ImportSettings
    from jobs.mapping import Mapping
    from tests.import_support import api_engine, engine_config

    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text(SOURCE + "j1,Join deal,Qualified,Ola Nord,ola@nord.example\n")
    mapping.write_text(MAPPING.format(mode="insert"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        async with api_engine(sb, tmp_path / "plan") as runner:
            plan, counts = await plan_import(
                runner.ctx, ImportSettings(str(manifest), str(mapping), "insert",
                                           create_key_field=True),
                Mapping.load(mapping), engine_config(sb, tmp_path / "plan").limits(),
                stats=runner.stats, scheduler=runner.scheduler.statistics, base_url=sb.url)
        assert (counts.duplicates, counts.duplicates_other_contact) == (2, 1), counts
        note = next(n for n in plan.notes if "repeat an earlier row's key" in n)
        assert "2 rows repeat" in note, note
        assert "1 of them names another person than the row that writes its deal" in note
        assert "not linked" in note and "participant by hand" in note and "row 3" in note
        said: list[str] = []
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="run", mode="insert", say=said.append)
        summary = store.directory / "summary.json"
        store.close()
        assert any("2 duplicate (1 of another person, not linked)" in s for s in said), said
        import json
        load = json.loads(summary.read_text())["load"]
        assert load["duplicates_other_contact"] == 1, load
