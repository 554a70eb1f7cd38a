"""An upsert whose file names a deal's person / organization as it did when this state
folder last wrote the row keeps the deal's link, and creates nothing: a colleague who
corrects the person's e-mail (or name) or renames the organization in Pipedrive between
two imports of the same file no longer gets a copy of it, with the deal moved onto the
copy (x34r1 F6: ``persons created: 1; organizations created: 1``, exit 0). A file whose
contact cells changed is resolved as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from jobs.merged_deals import record
from tests.import_support import (
    UPSERT_CONTACTS_HEADER,
    UPSERT_FAST,
    api_context,
    deal_links,
    merged_into_copy,
    upsert_contacts_mapping,
    upsert_files,
    upsert_plan,
    upserted,
)

pytestmark = pytest.mark.anyio
FAST = UPSERT_FAST
HEADER = UPSERT_CONTACTS_HEADER
ROWS = [("R1", "Deal one", "100", "Ann Lee", "ann@ex1.com", "Org1 Ltd"),
        ("R2", "Deal two", "200", "Bob Roe", "bob@ex2.com", "Org2 Ltd"),
        ("R3", "Deal three", "300", "Ann Lee", "ann@ex1.com", "Org1 Ltd")]


def _files(tmp: Path, rows: list[tuple[str, ...]], name: str = "night.csv", *,
           email: bool = True) -> tuple[Path, Path]:
    return upsert_files(tmp, HEADER, rows, upsert_contacts_mapping(email), name)


# (the names other tests import from here)
_import, _plan, _links = upserted, upsert_plan, deal_links


def _calls(sb: Sandbox, *ops: str) -> dict[str, int]:
    seen = sb.stats()["requests_by_operation"]
    return {op: int(seen.get(op, 0)) for op in ops}


WRITES = ("addPerson", "addOrganization", "updateDeal", "addDeal")


async def _correct(sb: Sandbox, tmp: Path, person: int | None = None,
                   org: int | None = None, *, email: str | None = None,
                   name: str | None = None, org_name: str | None = None) -> None:
    """A colleague's corrections in Pipedrive (over HTTP)."""
    async with api_context(sb, tmp / "colleague") as ctx:
        body: dict[str, Any] = {}
        if email is not None:
            body["emails"] = [{"value": email, "primary": True, "label": "work"}]
        if name is not None:
            body["name"] = name
        if body:
            await ctx.call("updatePerson", path={"id": person}, json=body)
        if org_name is not None:
            await ctx.call("updateOrganization", path={"id": org}, json={"name": org_name})


async def test_a_corrected_email_and_a_renamed_org_create_no_copy(tmp_path: Path) -> None:
    """The tester's repro: Ann's e-mail corrected and Org1 renamed in Pipedrive, the same
    file again: no person or organization created, no deal relinked, nothing sent (before:
    1 person and 1 organization created, R1 and R3 moved onto them); the plan counts none
    to create; a shared person / organization (R1 and R3) likewise; a third night too."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS)
        first = await upserted(sb, tmp_path, manifest, mapping, "night-1")
        r1, r3 = int(first["R1"]["deal_id"]), int(first["R3"]["deal_id"])
        before = _links(sb, r1)
        assert _links(sb, r3) == before
        await _correct(sb, tmp_path, *before, email="ann.lee@ex1.com",
                       org_name="Org1 Renamed GmbH")
        _, counts = await _plan(sb, tmp_path / "plan", manifest, mapping)
        assert (counts.persons_new, counts.orgs_new, counts.update) == (0, 0, 0), counts
        sent = _calls(sb, *WRITES)
        for night in ("night-2", "night-3"):
            rows = await upserted(sb, tmp_path, manifest, mapping, night)
            assert _calls(sb, *WRITES) == sent, night
            assert _links(sb, r1) == before and _links(sb, r3) == before, night
            assert {rows[k]["action"] for k in ("R1", "R2", "R3")} == {"unchanged"}, rows
            assert rows["R1"]["person_id"] == str(before[0]), rows["R1"]
            # the deal's person has the row's name still; the organization fits no more
            assert rows["R1"]["person_matched_by"] == "name+deal", rows["R1"]
            assert rows["R1"]["org_matched_by"] == "kept", rows["R1"]


async def test_a_corrected_name_creates_no_copy(tmp_path: Path) -> None:
    """Persons matched by name (no e-mail column): a colleague corrects Bob's name, the
    same file again links no new Bob (before: a person created, R2 moved onto it)."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS[1:2], email=False)
        first = await upserted(sb, tmp_path, manifest, mapping, "night-1")
        r2 = int(first["R2"]["deal_id"])
        before = _links(sb, r2)
        await _correct(sb, tmp_path, before[0], name="Robert Roe")
        sent = _calls(sb, *WRITES)
        rows = await upserted(sb, tmp_path, manifest, mapping, "night-2")
        assert _calls(sb, *WRITES) == sent
        assert _links(sb, r2) == before and rows["R2"]["action"] == "unchanged", rows


async def test_changed_contact_cells_are_resolved_as_before(tmp_path: Path) -> None:
    """The file now names another e-mail and organization for R1: resolved as before (a
    new person and organization, the deal linked to them); R3, unchanged, keeps Ann."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS)
        first = await upserted(sb, tmp_path, manifest, mapping, "night-1")
        r1, r3 = int(first["R1"]["deal_id"]), int(first["R3"]["deal_id"])
        before = _links(sb, r1)
        await _correct(sb, tmp_path, *before, email="ann.lee@ex1.com")
        manifest, _ = _files(tmp_path, [("R1", "Deal one", "100", "Cy Doe", "cy@ex9.com",
                                         "Org9 Ltd"), *ROWS[1:]], "night2.csv")
        sent = _calls(sb, *WRITES)
        rows = await upserted(sb, tmp_path, manifest, mapping, "night-2")
        now = _calls(sb, *WRITES)
        assert (now["addPerson"] - sent["addPerson"], now["addOrganization"]
                - sent["addOrganization"], now["updateDeal"] - sent["updateDeal"]) == (1, 1, 1)
        assert rows["R1"]["person_matched_by"] == "created", rows["R1"]
        assert _links(sb, r1) != before and _links(sb, r3) == before


async def test_a_merge_survivor_found_by_key_creates_no_copy(tmp_path: Path) -> None:
    """Deal A (R1) merged into deal B (B takes A's key); Ann's e-mail corrected and Org1
    renamed: the unchanged file keeps B's links and creates nothing (before: a copy of
    Ann and of Org1, B linked to them)."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS[:2])
        first = await upserted(sb, tmp_path, manifest, mapping, "night-1")
        a, r2 = int(first["R1"]["deal_id"]), int(first["R2"]["deal_id"])
        ann = _links(sb, a)
        theirs = _links(sb, r2)
        b = await merged_into_copy(sb, tmp_path, a, theirs)
        await _correct(sb, tmp_path, *ann, email="ann.lee@ex1.com", org_name="Org1 Renamed")
        sent = _calls(sb, *WRITES)
        rows = await upserted(sb, tmp_path, manifest, mapping, "night-2")
        assert _calls(sb, *WRITES) == sent
        assert rows["R1"]["deal_id"] == str(b) and _links(sb, b) == theirs, rows


async def test_a_row_standing_for_a_survivor_keeps_its_links(tmp_path: Path) -> None:
    """Deals A (R1) and B (R2) imported, B merged into A, the file then without R1's row:
    R2's row stands for A (found through its claim, when sent). Bob's e-mail corrected
    and Org2 renamed: A's links are not moved onto what the unchanged row resolves to
    (before: A linked to a new Bob and a new Org2). The row is a create until it is sent;
    its person and organization, which A keeps, are not made either
    (tests/test_upsert_survivor_no_copy.py)."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS[:2])
        first = await upserted(sb, tmp_path, manifest, mapping, "night-1")
        a, b = int(first["R1"]["deal_id"]), int(first["R2"]["deal_id"])
        ours, bob = _links(sb, a), _links(sb, b)
        async with api_context(sb, tmp_path / "ctx") as ctx:
            await ctx.call("mergeDeals", path={"id": b}, json={"merge_with_id": a})
        record(sb.url, [(b, a)], "merge-1", applied=True)
        await _correct(sb, tmp_path, *bob, email="robert@ex2.com", org_name="Org2 Renamed")
        manifest, _ = _files(tmp_path, ROWS[1:2], "night2.csv")
        sent = _calls(sb, "updateDeal")
        rows = await upserted(sb, tmp_path, manifest, mapping, "night-2")
        assert rows["R2"]["deal_id"] == str(a), rows
        assert _links(sb, a) == ours and _calls(sb, "updateDeal") == sent, rows


async def test_no_record_resolves_and_relinks_as_before(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """From a state folder with no record (another machine), a colleague's relink of R1
    to Bob is written over by the file's Ann, as a first import writes every link."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS)
        first = await upserted(sb, tmp_path, manifest, mapping, "night-1")
        r1, r2 = int(first["R1"]["deal_id"]), int(first["R2"]["deal_id"])
        ann, bob = _links(sb, r1), _links(sb, r2)
        async with api_context(sb, tmp_path / "colleague") as ctx:
            await ctx.call("updateDeal", path={"id": r1},
                           json={"person_id": bob[0], "org_id": bob[1]})
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "elsewhere"))
        rows = await upserted(sb, tmp_path / "elsewhere", manifest, mapping, "night-2")
        assert _links(sb, r1) == ann and rows["R1"]["action"] == "updated", rows["R1"]
        assert rows["R1"]["person_matched_by"] == "email", rows["R1"]
