"""A create in flight at a kill, its deal merged since over HTTP (no merge record here) into
another deal of this job that carries its own key: no deal carries the row's key now, the
resume finds this job's create deleted, and summary.json counts it among the deals the job
created (x31r2 3: ``deals_created`` 59 while the server holds the 60 the job made)."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from tests.import_support import api_context, import_once, resume_job
from tests.test_resume_merged_own_create import FAST, MAPPING

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("mode", ["insert", "upsert"])
async def test_a_resumed_create_merged_by_hand_into_a_keyed_deal_is_counted_created(
        tmp_path: Path, mode: str) -> None:
    """Before: the row failed "deal X (key k00), this job's create, was deleted by someone
    else since it was sent" (true) and ``deals_created`` said 9 of the 10 deals the job
    made. Now 10 (none of them said merged away: no record proves a merge)."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,value,stage\n" + "".join(
        f"k{i:02},Deal {i},{100 + i},Qualified\n" for i in range(10)))
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        first, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, mode=mode,
                                        job_id="killed")
        deal_of = {i.key: int(i.result["deal_id"]) for i in first.items() if i.result}
        directory = first.directory
        first.close()
        with sqlite3.connect(directory / "job.sqlite") as db:  # as a kill -9 leaves it
            db.execute("UPDATE items SET state = 'sending', result = NULL, sent_at = ? "
                       "WHERE source_key = 'k00'", (time.time() - 5,))
        async with api_context(sb, tmp_path / "ctx") as ctx:  # a merge made over HTTP
            await ctx.call("mergeDeals", path={"id": deal_of["k00"]},
                           json={"merge_with_id": deal_of["k01"]})
        resumed, result = await resume_job(sb, directory, reread=True)
        row = next(i for i in resumed.items() if i.key == "k00")
        resumed.close()
        assert not result.stopped
    assert row.state is ItemState.FAILED, row
    assert f"deal {deal_of['k00']} (key k00), this job's create, was deleted" in str(
        row.error), row.error
    summary = json.loads((directory / "summary.json").read_text())
    assert (summary["deals_created"], summary["deals_created_merged_away"]) == (10, 0)
