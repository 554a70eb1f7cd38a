"""A nightly upsert after a colleague's edits to a deal's contacts (x35r1): a relinked
person the file's changed contact cells replace is a change on both sides, said in the
row's note and counted (``edited_both``); a deal whose person or organization a colleague
deleted is not kept on the deleted record: the row's cells are resolved again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from tests.import_support import (
    UPSERT_CONTACTS_HEADER,
    UPSERT_FAST,
    api_context,
    deal_links,
    upsert_contacts_mapping,
    upsert_files,
    upserted,
)

pytestmark = pytest.mark.anyio
FAST = UPSERT_FAST
MAPPING = upsert_contacts_mapping()
HEADER = UPSERT_CONTACTS_HEADER
ROWS = [("R1", "Deal one", "100", "Ann Lee", "ann@ex1.com", "Org1 Ltd"),
        ("R2", "Deal two", "200", "Bob Roe", "bob@ex2.com", "Org2 Ltd"),
        ("R3", "Deal three", "300", "Cy Doe", "cy@ex3.com", "Org3 Ltd")]


def _files(tmp: Path, rows: list[tuple[str, ...]], name: str) -> tuple[Path, Path]:
    return upsert_files(tmp, HEADER, rows, MAPPING, name)


async def _import(sb: Sandbox, tmp: Path, manifest: Path, mapping: Path,
                  job_id: str) -> tuple[dict[str, dict[str, str]], dict[str, Any]]:
    rows = await upserted(sb, tmp, manifest, mapping, job_id)
    load = orjson.loads((tmp / "jobs" / job_id / "summary.json").read_bytes())["load"]
    return rows, dict(load)


_links = deal_links


async def test_a_relinked_person_the_file_changes_is_changed_on_both_sides(
        tmp_path: Path) -> None:
    """The tester's L3: a colleague relinks R1's deal to a person of their own, the file
    changes R1's e-mail: the file's person is linked, and the row's note says the person
    was changed on both sides, naming the colleague's person it replaced; edited_both 1
    (before: only "created", edited_both 0). A title changed on both sides (R2) as
    before."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS, "n1.csv")
        first, _ = await _import(sb, tmp_path, manifest, mapping, "night-1")
        r1 = int(first["R1"]["deal_id"])
        async with api_context(sb, tmp_path / "colleague") as ctx:
            res = await ctx.call("addPerson", json={"name": "Colleague Pick"})
            theirs = int(res.data["id"])
            await ctx.call("updateDeal", path={"id": r1}, json={"person_id": theirs})
        changed = [("R1", "Deal one", "100", "Ann Lee", "ann.new@ex1.com", "Org1 Ltd"),
                   *ROWS[1:]]
        manifest, _ = _files(tmp_path, changed, "n2.csv")
        rows, load = await _import(sb, tmp_path, manifest, mapping, "night-2")
        person = _links(sb, r1)[0]
        assert person not in (theirs, int(first["R1"]["person_id"])), rows["R1"]
        note = rows["R1"].get("note") or ""
        assert "changed both in Pipedrive and in the file" in note, rows["R1"]
        assert "(person: " in note and f"person {theirs}" in note, note
        assert load.get("edited_both") == 1, load


@pytest.mark.parametrize("link", ["person", "org"])
async def test_a_deleted_contact_is_not_kept(tmp_path: Path, link: str) -> None:
    """The tester's L4 / L5: a colleague deletes R1's person (or organization), the file
    is unchanged: the row's cells are resolved again (the contact created anew, the deal
    relinked to it), the row's note says the deleted one was replaced (before: the deal
    kept its link to the deleted record, "unchanged", matched_by "kept")."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS, "n1.csv")
        first, _ = await _import(sb, tmp_path, manifest, mapping, "night-1")
        r1 = int(first["R1"]["deal_id"])
        gone = int(first["R1"][f"{link}_id"])
        async with api_context(sb, tmp_path / "colleague") as ctx:
            await ctx.call("deletePerson" if link == "person" else "deleteOrganization",
                           path={"id": gone})
        rows, _ = await _import(sb, tmp_path, manifest, mapping, "night-2")
        now = _links(sb, r1)[0 if link == "person" else 1]
        assert now != gone and isinstance(now, int), (now, rows["R1"])
        assert rows["R1"]["action"] == "updated", rows["R1"]
        assert rows["R1"][f"{link}_matched_by"] == "created", rows["R1"]
        assert "deleted" in (rows["R1"].get("note") or ""), rows["R1"]
        assert {rows[k]["action"] for k in ("R2", "R3")} == {"unchanged"}, rows


async def test_a_new_row_with_a_corrected_contacts_cells_finds_it(tmp_path: Path) -> None:
    """The tester's e1e: night 1 R1 names Ann / Org1; a colleague corrects Ann's e-mail
    and renames Org1; night 2 adds R4 with R1's contact cells: R4's deal is linked to
    Ann and Org1 as R1's is, nothing created (before: a copy of each, R4 on the copies);
    a third night's new row too."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS[:1], "n1.csv")
        first, _ = await _import(sb, tmp_path, manifest, mapping, "night-1")
        r1 = int(first["R1"]["deal_id"])
        ann, org1 = _links(sb, r1)
        async with api_context(sb, tmp_path / "colleague") as ctx:
            await ctx.call("updatePerson", path={"id": ann}, json={"emails": [
                {"value": "ann.lee@ex1.com", "primary": True, "label": "work"}]})
            await ctx.call("updateOrganization", path={"id": org1},
                           json={"name": "Org1 Renamed GmbH"})
        persons, orgs = len(sb.state.persons.rows), len(sb.state.orgs.rows)
        rows = [*ROWS[:1], ("R4", "Deal four", "400", *ROWS[0][3:])]
        for night in ("night-2", "night-3"):
            manifest, _ = _files(tmp_path, rows, f"{night}.csv")
            got, _ = await _import(sb, tmp_path, manifest, mapping, night)
            new = got[rows[-1][0]]
            assert new["action"] == "created", new
            assert (int(new["person_id"]), int(new["org_id"])) == (ann, org1), new
            rows.append((f"R{len(rows) + 4}", "Deal more", "500", *ROWS[0][3:]))
        assert (len(sb.state.persons.rows), len(sb.state.orgs.rows)) \
            == (persons, orgs)
        assert _links(sb, r1) == (ann, org1)


async def test_a_new_row_finds_the_merge_survivor_of_its_cells_contact(
        tmp_path: Path) -> None:
    """Ann (R1's) merged into a colleague's person whose e-mail stays theirs alone, Org1
    into a colleague's organization of another name: a new row with R1's contact cells is
    linked to the survivors, R1's deal's links now (before: a copy of each)."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS[:1], "n1.csv")
        first, _ = await _import(sb, tmp_path, manifest, mapping, "night-1")
        ann, org1 = _links(sb, int(first["R1"]["deal_id"]))
        mail = [{"value": "a.lee@ex1.com", "primary": True, "label": "work"}]
        async with api_context(sb, tmp_path / "colleague") as ctx:
            person = int((await ctx.call("addPerson", json={
                "name": "Ann Lee-Smith", "emails": mail})).data["id"])
            org = int((await ctx.call("addOrganization", json={
                "name": "Lee Holding GmbH"})).data["id"])
            await ctx.call("mergePersons", path={"id": ann}, json={"merge_with_id": person})
            await ctx.call("mergeOrganizations", path={"id": org1},
                           json={"merge_with_id": org})
            await ctx.call("updatePerson", path={"id": person}, json={"emails": mail})
        persons, orgs = len(sb.state.persons.rows), len(sb.state.orgs.rows)
        rows = [*ROWS[:1], ("R4", "Deal four", "400", *ROWS[0][3:])]
        manifest, _ = _files(tmp_path, rows, "n2.csv")
        got, _ = await _import(sb, tmp_path, manifest, mapping, "night-2")
        assert (int(got["R4"]["person_id"]), int(got["R4"]["org_id"])) == (person, org), got
        assert (len(sb.state.persons.rows), len(sb.state.orgs.rows)) == (persons, orgs)


@pytest.mark.parametrize("how", ["relinked", "merged"])
@pytest.mark.parametrize("link", ["person", "org"])
async def test_a_relinked_contact_deleted_since_is_replaced_by_the_rows(
        tmp_path: Path, link: str, how: str) -> None:
    """The tester's F4 (x36r1): a colleague relinks R1's deal to R2's contact (or to a
    contact of their own, merged into another), then deletes the contact the deal names
    now; the file is unchanged: the deal is linked to the row's own contact again (R1's
    first one, still in the account), the row ``updated``, its note naming the deleted
    contact and the one written; the night after, ``unchanged`` (before: ``unchanged``
    each night, the deal left on the deleted record, the note saying "Pipedrive's value
    kept")."""
    field, at = f"{link}_id", 0 if link == "person" else 1
    noun = "person" if link == "person" else "organization"
    adding, deleting, merging = ("addPerson", "deletePerson", "mergePersons") \
        if link == "person" else ("addOrganization", "deleteOrganization",
                                  "mergeOrganizations")
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS, "n1.csv")
        first, _ = await _import(sb, tmp_path, manifest, mapping, "night-1")
        r1, mine = int(first["R1"]["deal_id"]), int(first["R1"][field])
        async with api_context(sb, tmp_path / "colleague") as ctx:
            if how == "relinked":
                dead = int(first["R2"][field])
                await ctx.call("updateDeal", path={"id": r1}, json={field: dead})
            else:  # relinked to their own contact, merged into another: the deal follows
                pick = int((await ctx.call(adding, json={"name": "Pick Ltd"})).data["id"])
                dead = int((await ctx.call(adding, json={"name": "Keep Ltd"})).data["id"])
                await ctx.call("updateDeal", path={"id": r1}, json={field: pick})
                await ctx.call(merging, path={"id": pick}, json={"merge_with_id": dead})
                assert _links(sb, r1)[at] == dead
            await ctx.call(deleting, path={"id": dead})
        rows, _ = await _import(sb, tmp_path, manifest, mapping, "night-2")
        assert _links(sb, r1)[at] == mine, rows["R1"]
        assert rows["R1"]["action"] == "updated", rows["R1"]
        assert int(rows["R1"][field]) == mine, rows["R1"]
        note = rows["R1"].get("note") or ""
        assert f"{noun} {dead} was deleted" in note, note
        assert f"{noun} {mine}" in note and "Pipedrive's value kept" not in note, note
        rows, _ = await _import(sb, tmp_path, manifest, mapping, "night-3")
        assert rows["R1"]["action"] == "unchanged", rows["R1"]
        assert _links(sb, r1)[at] == mine, rows["R1"]
