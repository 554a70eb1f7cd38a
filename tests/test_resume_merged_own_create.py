"""A create in flight at a kill, its deal merged since (a merge made here) into a keyless deal
in another currency: the resumed row says this job created the deal that was merged away, the
survivor's currency as the obstacle after it, and the summary counts that deal among those
the job created (x30r2 M1)."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from jobs.merged_deals import record
from tests.import_support import api_context, forget_killed_run, import_once, resume_job

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
MAPPING = """\
[import]
key_column = "id"
[defaults]
currency = "EUR"
[deal]
title = "title"
value = "value"
pipeline = { default = "Sales" }
[deal.stage]
column = "stage"
"""


@pytest.mark.parametrize(("recorded", "fresh"), [(True, False), (False, False),
                                                (False, True)])
@pytest.mark.parametrize(("mode", "currency"), [("upsert", "USD"), ("upsert", "EUR"),
                                                ("insert", "USD")])
async def test_a_resumed_create_merged_into_another_currency_says_whose_it_was(
        tmp_path: Path, mode: str, currency: str, recorded: bool, fresh: bool) -> None:
    """Before: upsert on a USD survivor failed the row on the currency alone ("the row names
    no currency for its amount, and deal 1 has it in USD"), and summary.json's actions said
    9 created of the 10 deals the job made. Now the reason names the merge of this job's
    create first, and ``deals_created`` is 10 (1 merged away). Merged by hand (over HTTP,
    no record here): the row says this job's create is deleted since and which deal
    carries the key now (before: "created meanwhile by another run", or the currency
    reason alone), never that it was merged. A survivor typed just before the import
    (``fresh``: added after the row was sent, as the clock margin reads it) is not "maybe
    this job's create" (before: a conflict saying so, which `undo --force` deleted): the
    row fails naming this job's create, nothing written, no deal of the row's."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,value,stage\n" + "".join(
        f"k{i:02},Deal {i},{100 + i},Qualified\n" for i in range(10)))
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        async with api_context(sb, tmp_path / "ctx0") as ctx:  # a colleague's keyless deal
            res = await ctx.call("addDeal", json={"title": "by hand", "value": 5,
                                                  "currency": currency})
            survivor = int(res.data["id"])
        if not fresh:
            sb.state.deals.rows[survivor]["add_time"] = "2026-01-05T10:00:00Z"
        first, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, mode=mode,
                                        job_id="killed")
        away = next(int(i.result["deal_id"]) for i in first.items() if i.key == "k00"
                    and i.result)
        directory = first.directory
        first.close()
        with sqlite3.connect(directory / "job.sqlite") as db:  # as a kill -9 leaves it
            db.execute("UPDATE items SET state = 'sending', result = NULL, sent_at = ? "
                       "WHERE source_key = 'k00'", (time.time() - 5,))
        db.close()
        forget_killed_run()  # ... and the state folder's record: its run never ended
        async with api_context(sb, tmp_path / "ctx") as ctx:  # as `pdbulk merge` does
            await ctx.call("mergeDeals", path={"id": away}, json={"merge_with_id": survivor})
        if recorded:
            record(sb.url, [(away, survivor)], "merge-1", applied=True)
        resumed, result = await resume_job(sb, directory, reread=True)
        row = next(i for i in resumed.items() if i.key == "k00")
        resumed.close()
        assert not result.stopped
    said = (f"deal {away}, which this job created for this key, was merged away (job "
            f"merge-1) into what is deal {survivor} now") if recorded else (
            f"deal {away}, which this job created for this key, is deleted since, and deal "
            f"{survivor} carries the key now")
    if fresh:  # the survivor's title is not the row's: its own row's conflict
        assert row.state is ItemState.FAILED, row
        assert str(row.error).startswith(f"conflict: {said}"), row.error
        assert "title is not this row's ('by hand')" in str(row.error), row.error
        assert row.result == {"merged_create": away}, row.result  # undo lists no deal
    elif mode == "upsert" and currency == "USD":  # the survivor's currency: the obstacle
        assert row.state is ItemState.FAILED, row
        assert str(row.error).startswith(said), row.error
        assert "; the row names no currency for its amount" in str(row.error), row.error
    else:
        assert row.state is ItemState.DONE, (row, row.error)
        assert said in str((row.result or {}).get("note")), row.result
    summary = json.loads((directory / "summary.json").read_text())
    assert (summary["deals_created"], summary["deals_created_merged_away"]) == (10, 1)
