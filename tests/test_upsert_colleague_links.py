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
from tests.import_support import api_context, import_once, read_csv

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "deals": 0, "seed": 5}
MAPPING = """
version = 1
[import]
key_column = "Key"
mode = "upsert"
[defaults]
currency = "EUR"
[deal]
title = "Title"
value = "Amount"
[person]
name = "Contact"
email = "Email"
[organization]
name = "Company"
"""
HEADER = "Key,Title,Amount,Contact,Email,Company\n"
ROWS = [("R1", "Deal one", "100", "Ann Lee", "ann@ex1.com", "Org1 Ltd"),
        ("R2", "Deal two", "200", "Bob Roe", "bob@ex2.com", "Org2 Ltd"),
        ("R3", "Deal three", "300", "Cy Doe", "cy@ex3.com", "Org3 Ltd")]


def _files(tmp: Path, rows: list[tuple[str, ...]], name: str) -> tuple[Path, Path]:
    manifest, mapping = tmp / name, tmp / "m.toml"
    manifest.write_text(HEADER + "".join(",".join(r) + "\n" for r in rows))
    mapping.write_text(MAPPING)
    return manifest, mapping


async def _import(sb: Sandbox, tmp: Path, manifest: Path, mapping: Path,
                  job_id: str) -> tuple[dict[str, dict[str, str]], dict[str, Any]]:
    store, _, _ = await import_once(sb, tmp / "jobs", manifest, mapping, job_id=job_id,
                                    mode="upsert")
    try:
        rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        load = orjson.loads((store.directory / "summary.json").read_bytes())["load"]
        return rows, dict(load)
    finally:
        store.close()


def _links(sb: Sandbox, deal_id: int) -> tuple[Any, Any]:
    deal = sb.state.deals.rows[deal_id]
    return deal["person_id"], deal["org_id"]


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
        assert "person_id" in note and f"person {theirs}" in note, note
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
