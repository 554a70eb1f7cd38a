"""A create in flight at a kill whose deal the resume's reconcile finds on the server,
linked since to another organization (person) than the one the row named: that one
merged into it while the job was stopped (the deal followed the survivor). The row's note says so —
``linked to survivor organization N (X merged into it since)`` — where before it said
nothing, its org_id silently the survivor's (x49r8 F3)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
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
[organization]
name = "company"
"""
PERSON = """\
[person]
name = "contact"
email = "email"
"""


@pytest.mark.parametrize("kind", ["org", "person"])
@pytest.mark.parametrize("made", [False, True], ids=["matched", "job-made"])
async def test_a_reconciled_row_says_its_contact_merged_into_the_survivor(
        tmp_path: Path, made: bool, kind: str) -> None:
    """Rows k00-k04 name 'Alder Ltd' and Ann (ann@alder.com): records of the account
    (matched by name, by e-mail), or ``made`` by the job; k00 is left in flight as a kill
    -9 leaves it; a colleague merges Alder into 'Zed Ltd' (``kind`` "org") or Ann into
    Zoe (``kind`` "person"); the resume's reconcile finds k00's deal (at the survivor
    now): its note names the survivor and the merge, its result the survivor's id."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,value,stage,company,contact,email\n" + "".join(
        f"k{i:02},Deal {i},{100 + i},Qualified,Alder Ltd,Ann Alder,ann@alder.com\n"
        for i in range(5)))
    mapping.write_text(MAPPING + PERSON)
    field_, label = ("org_id", "organization") if kind == "org" else ("person_id", "person")
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        async with api_context(sb, tmp_path / "ctx0") as ctx:
            zed = int((await ctx.call("addOrganization", json={"name": "Zed Ltd"})).data["id"])
            zoe = int((await ctx.call("addPerson", json={
                "name": "Zoe Zed", "emails": [{"value": "zoe@zed.com"}]})).data["id"])
            if not made:
                alder = int((await ctx.call("addOrganization",
                                            json={"name": "Alder Ltd"})).data["id"])
                await ctx.call("addPerson", json={
                    "name": "Ann Alder", "org_id": alder,
                    "emails": [{"value": "ann@alder.com"}]})
        first, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        mode="upsert", job_id="killed")
        row = next(i for i in first.items() if i.key == "k00")
        away = int((row.result or {})[field_])
        directory = first.directory
        first.close()
        with sqlite3.connect(directory / "job.sqlite") as db:  # as a kill -9 leaves it
            db.execute("UPDATE items SET state = 'sending', result = NULL, sent_at = ? "
                       "WHERE source_key = 'k00'", (time.time() - 5,))
        db.close()
        forget_killed_run()
        survivor = zed if kind == "org" else zoe
        async with api_context(sb, tmp_path / "ctx") as ctx:  # a colleague's merge
            await ctx.call("mergeOrganizations" if kind == "org" else "mergePersons",
                           path={"id": away}, json={"merge_with_id": survivor})
        resumed, result = await resume_job(sb, directory, reread=True)
        row = next(i for i in resumed.items() if i.key == "k00")
        resumed.close()
        assert not result.stopped
    assert row.state is ItemState.DONE, (row, row.error)
    assert (row.result or {}).get("reconciled") and row.result[field_] == survivor, row.result
    assert f"linked to survivor {label} {survivor} ({away} merged into it since)" in str(
        row.result.get("note")), row.result
