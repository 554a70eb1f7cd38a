"""A create in flight at a kill whose deal the resume's reconcile finds on the server,
its person (matched by e-mail at the load, named by no other row) merged into another
person while the job was stopped: the re-read finds the person gone with no deal of the
job to name a survivor, and the row's cells find it again at the survivor (its e-mail
moved there). The row's note says so — ``linked to person N (X merged away since: N
found again by its e-mail, the deal followed it there)`` — where before it said nothing,
its person_id silently the survivor's (x50r6 F2: 4 of 4 rows)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from tests.import_support import api_context, forget_killed_run, import_once, resume_job
from tests.test_resume_reconciled_survivor_note import FAST, MAPPING, PERSON

pytestmark = pytest.mark.anyio


async def test_a_reconciled_row_says_its_person_merged_and_found_again(
        tmp_path: Path) -> None:
    """Only k00 names Ann (ann@alder.com, of the account); k00 is left in flight as a
    kill -9 leaves it; a colleague merges Ann into Zoe; the resume's reconcile finds
    k00's deal (at Zoe now): its note names Zoe, Ann's merge and how Zoe was found."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,value,stage,company,contact,email\n"
                        "k00,Deal 0,100,Qualified,Alder Ltd,Ann Alder,ann@alder.com\n"
                        + "".join(f"k{i:02},Deal {i},{100 + i},Qualified,Alder Ltd,"
                                  f"Bob {i},bob{i}@alder.com\n" for i in range(1, 5)))
    mapping.write_text(MAPPING + PERSON)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        async with api_context(sb, tmp_path / "ctx0") as ctx:
            zoe = int((await ctx.call("addPerson", json={
                "name": "Zoe Zed", "emails": [{"value": "zoe@zed.com"}]})).data["id"])
            ann = int((await ctx.call("addPerson", json={
                "name": "Ann Alder", "emails": [{"value": "ann@alder.com"}]})).data["id"])
        first, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        mode="upsert", job_id="killed")
        row = next(i for i in first.items() if i.key == "k00")
        assert (row.result or {}).get("person_id") == ann, row.result
        directory = first.directory
        first.close()
        with sqlite3.connect(directory / "job.sqlite") as db:  # as a kill -9 leaves it
            db.execute("UPDATE items SET state = 'sending', result = NULL, sent_at = ? "
                       "WHERE source_key = 'k00'", (time.time() - 5,))
        db.close()
        forget_killed_run()
        async with api_context(sb, tmp_path / "ctx") as ctx:  # a colleague's merge
            await ctx.call("mergePersons", path={"id": ann}, json={"merge_with_id": zoe})
        resumed, result = await resume_job(sb, directory, reread=True)
        row = next(i for i in resumed.items() if i.key == "k00")
        resumed.close()
        assert not result.stopped
    assert row.state is ItemState.DONE, (row, row.error)
    assert (row.result or {}).get("reconciled") and row.result["person_id"] == zoe, row.result
    assert f"linked to person {zoe} ({ann} merged away since: {zoe} found again by its " \
        "e-mail, the deal followed it there)" in str(row.result.get("note")), row.result
