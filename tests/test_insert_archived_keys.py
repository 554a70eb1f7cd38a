"""An insert from another state folder finds a key only an archived deal carries: the row is
`exists` (nothing sent, the deal left archived), its note says so and how to bring it back;
the plan counts the archived list and says how many such rows there are."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.import_rows import ARCHIVED_EXISTS_NOTE
from tests.import_support import import_once, read_csv, sandbox_deals

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
MAPPING = """\
[import]
key_column = "id"
mode = "insert"
[deal]
title = "title"
pipeline = { default = "Sales" }
stage = { default = "Qualified" }
"""


def _carrying(sb: object, key: str) -> list[dict[str, object]]:
    return [d for d in sandbox_deals(sb)  # type: ignore[arg-type]
            if key in {str(v) for v in (d.get("custom_fields") or {}).values()}]


@pytest.mark.parametrize("rows", [5, 2000])
async def test_an_insert_elsewhere_does_not_create_a_key_an_archived_deal_carries(
        tmp_path: Path, rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """x28r2 F4: k1's deal archived, the file imported again with --mode insert from
    another PDBULK_STATE_DIR created a second k1 deal (getDeals lists no archived deal).
    Now the archived list is read too (20 tokens a page): k1 is `exists`, nothing made."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title\n" + "".join(f"k{i},Deal {i}\n" for i in range(1, rows + 1)))
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(deals=0, daily_tokens=10**6, **FAST)) as sb:
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-a"))
        first, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id="a")
        first.close()
        (deal,) = _carrying(sb, "k1")
        deal["is_archived"] = True
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-b"))
        before = Counter(sb.stats()["tokens_by_operation"])
        again, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id="b")
        done = {r["row"]: r for r in read_csv(again.directory / "succeeded.csv")}
        again.close()
        spent = Counter(sb.stats()["tokens_by_operation"]) - before
        assert len(_carrying(sb, "k1")) == 1  # before: 2
        assert done["2"]["action"] == "exists" and done["2"]["deal_id"] == str(deal["id"])
        assert done["2"]["note"] == ARCHIVED_EXISTS_NOTE
        assert all(r["action"] == "exists" for r in done.values()) and len(done) == rows
        # the lists: 5 rows, 10 + 20 tokens (before: 10, and a second k1 deal, 5);
        # 2,000 rows, 40 + 20 (before: 40, and 5)
        assert spent["getArchivedDeals"] == 20 and not spent["addDeal"], spent
        assert spent["getDeals"] == 10 * -(-rows // 500), spent


async def test_the_plan_of_an_insert_names_the_archived_rows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan (from another state folder) lists the archived deals (one
    getArchivedDeals page, counted) and says how many rows' deals exist archived."""
    from jobs.import_load import plan_import
    from jobs.import_rows import ImportSettings
    from jobs.mapping import Mapping
    from tests.import_support import api_engine, engine_config

    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title\nk1,One\nk2,Two\nk3,Three\n")
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        first, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id="a")
        first.close()
        _carrying(sb, "k2")[0]["is_archived"] = True
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "elsewhere"))
        settings = ImportSettings(str(manifest), str(mapping), "insert")
        async with api_engine(sb, tmp_path / "plan") as runner:
            plan, counts = await plan_import(
                runner.ctx, settings, Mapping.load(mapping),
                engine_config(sb, tmp_path).limits(), stats=runner.stats,
                scheduler=runner.scheduler.statistics)
    assert plan.calls.get("getArchivedDeals") == 1 and not plan.calls.get("addDeal"), plan.calls
    assert (counts.exists, counts.exists_archived) == (3, 1)
    assert any("(1 archived: left archived" in n for n in plan.notes), plan.notes


async def test_the_plan_of_an_insert_from_the_folder_that_made_the_archived_deals(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """x29r3 F7: from the state folder whose claims name the archived deals, the plan
    counted each as a create (a getDeal read and an addDeal) and the run read it and
    reported it `exists` at the send (`done`, the others `skipped`). Now such a row is
    `exists` at the load, as from any other folder, its note naming the job that made it:
    the plan's calls are the run's, and every row is skipped."""
    from jobs.import_load import plan_import
    from jobs.import_rows import ImportSettings
    from jobs.mapping import Mapping
    from tests.import_support import api_engine, engine_config

    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title\n" + "".join(f"k{i},Deal {i}\n" for i in range(1, 6)))
    mapping.write_text(MAPPING)
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        first, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id="a")
        first.close()
        for key in ("k1", "k2"):
            _carrying(sb, key)[0]["is_archived"] = True
        settings = ImportSettings(str(manifest), str(mapping), "insert")
        async with api_engine(sb, tmp_path / "plan") as runner:
            plan, counts = await plan_import(
                runner.ctx, settings, Mapping.load(mapping),
                engine_config(sb, tmp_path).limits(), stats=runner.stats,
                scheduler=runner.scheduler.statistics, base_url=sb.url)
        before = Counter(sb.stats()["requests_by_operation"])
        again, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id="b")
        made = Counter(sb.stats()["requests_by_operation"]) - before
        actions = again.actions()
        notes = {r["key"]: r["note"] for r in read_csv(again.directory / "succeeded.csv")}
        again.close()
    assert plan.calls == dict(made), (plan.calls, dict(made))  # before: getDeal 2, addDeal 2
    assert not made["getDeal"] and not made["addDeal"], made
    assert (counts.exists, counts.exists_archived) == (5, 2)
    assert actions == {"skipped": {"exists": 5}}, actions  # before: done 2, skipped 3
    assert notes["k1"].startswith("made by job a (archived since); not created again (to bring")
