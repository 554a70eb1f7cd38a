"""A deal an undo restores in part (a colleague changed one field group the job wrote, the
others still as it wrote them) is one row with its own action: ``restore in part`` in the
plan's counts, ``restored in part`` in succeeded.csv (its note naming what it kept) and in
``summary.json``'s actions, nothing in failed.csv, so the plan's rows are the run's rows
(x39r5: 10 such deals were a restore and a conflict each, 4,970 rows run against the plan's
4,960, all called "undone")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.account import load_catalog
from jobs.undo import prepare_undo
from jobs.undo.job import UndoJob
from jobs.updating import UpdateMapping, prepare_update
from pdbulk.options import finish
from tests.import_support import read_csv
from tests.test_undo_colleague_http import _colleague
from tests.test_update import write_csv
from tests.update_support import deal, load_job, run_job

MAPPING = """
version = 1
[defaults]
currency = "USD"
[update]
id_column = "Deal"
[deal]
title = "Title"
value = "Amount"
"""


@pytest.mark.anyio
async def test_a_deal_restored_in_part_is_one_row_in_plan_run_files_and_summary(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Six deals retitled and given an amount; a colleague then changes the amount of two:
    the plan counts 4 restores and 2 restores in part (6 rows, as many as the job's), the
    run writes 6 rows in succeeded.csv, none in failed.csv, summary.json says 6 rows and
    ``restored in part: 2``, 6 deals undone, the two keeping the colleague's amount and
    getting their titles back (before: 8 rows run, 2 conflicts in failed.csv)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=40, seed=7)) as sb:
        free = sorted(d["id"] for d in sb.state.deals.rows.values()
                      if not d["is_deleted"] and not d["is_archived"])[:6]
        for deal_id in free:
            sb.state.save("deal", {**deal(sb, deal_id), "value": 10, "currency": "USD",
                                   "title": f"Old {deal_id}"})
        manifest = write_csv(tmp_path / "rows.csv", [
            {"Deal": str(d), "Title": f"New {d}", "Amount": "1500"} for d in free])
        (tmp_path / "map.toml").write_text(MAPPING)
        umap = UpdateMapping.load(tmp_path / "map.toml")

        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))
        source, _ = await load_job(sb, tmp_path, "update", build)
        await run_job(sb, source)
        edited = free[:2]
        async with aiohttp.ClientSession() as session:
            for deal_id in edited:
                await _colleague(sb, session, deal_id, {"value": 444})

        async def undo_it(s: Any) -> Any:
            return await prepare_undo(s.ctx, source)
        undo, prep = await load_job(sb, tmp_path, "undo", undo_it)
        assert prep.actions == {"restore": 4, "restore in part": 2}, [
            (i.key, i.error) for i in prep.items]
        assert prep.rows == len(free) and prep.calls["updateDeal"] == len(free), prep.calls
        assert any(n.startswith("2 deal(s) to restore in part") for n in prep.notes), prep.notes
        result = await run_job(sb, undo)
        done = {int(r["deal_id"]): r for r in read_csv(undo.directory / "succeeded.csv")}
        assert read_csv(undo.directory / "failed.csv") == []
        summary = orjson.loads((undo.directory / "summary.json").read_bytes())
        assert summary["rows"]["total"] == prep.rows == len(done), summary["rows"]
        assert summary["actions"] == {"restored": 4, "restored in part": 2}, summary["actions"]
        assert summary["undone"]["deals"] == len(free), summary["undone"]
        for deal_id in free:
            now = deal(sb, deal_id)
            assert now["title"] == f"Old {deal_id}", now
            if deal_id in edited:
                assert (now["value"], now["currency"]) == (444, "USD"), now
                row = done[deal_id]
                assert row["action"] == "restored in part" and row["fields"] == "title", row
                assert ("kept as changed since the job: the amount with its currency "
                        "(value: job's 1500, now 444)") in row["note"], row
            else:
                assert (now["value"], done[deal_id]["action"]) == (10, "restored"), now
        lines = UndoJob(undo).after_run(undo, None)
        assert any(ln.startswith("undone: 6 deals (2 of them restored in part") for ln in lines), lines
        # the outcome line (``pdbulk.options.finish``) says it too, as the last lines do
        finish(undo, result)
        assert f"job {undo.job_id}: undone: 6 deals (2 of them restored in part" in \
            capsys.readouterr().out
        undo.close()
        source.close()
