"""An upsert's send-time three-way paths never keep a link to a contact deleted since
(f37b): a create that finds its key's deal under the claim (``jobs.importing.creates.
_exists``) and a row standing for a merge survivor (``_merge_kept``) decide the deal's
person / organization on the deal read at send; a link there to a person / organization
deleted in Pipedrive is no value of Pipedrive's to keep — the row's own is written, and
the note says so. Before: "Pipedrive's value kept", the deal left on the deleted record
(the load-time path was fixed by x36r1 F4; these two were not)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from tests.import_support import UPSERT_FAST, api_context, upsert_plan, upserted
from tests.test_upsert_found_meanwhile_links import _night_held
from tests.test_upsert_relinked_links import KEPT, ROWS, _files, _links

pytestmark = pytest.mark.anyio
DELETED = "was deleted in Pipedrive: not kept"


def _reads(sb: Sandbox) -> Counter[str]:
    """The sandbox's answered reads of one person / organization by id."""
    by = sb.stats()["requests_by_operation"]
    return Counter({op: int(by.get(op, 0)) for op in ("getPerson", "getOrganization")})


def _delete(sb: Sandbox, kind: str, rid: int) -> None:
    row = sb.state.table(kind).rows[rid]
    sb.state.save(kind, {**row, "is_deleted": True})


async def test_a_deal_found_under_the_claim_drops_a_link_to_a_deleted_person(
        tmp_path: Path, sleeper: int) -> None:
    """Night 1 makes R1's deal; a colleague relinks it to a person of their own and then
    deletes that person; night 2 (the same file) finds the deal under R1's claim: the
    row's person is written back (before: kept, "Pipedrive's value kept", the deal left
    on the deleted person); the organization, relinked and alive, stays kept."""
    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS)
        first = await upserted(sb, tmp_path, manifest, mapping, "night-1")
        r1, r2 = int(first["R1"]["deal_id"]), int(first["R2"]["deal_id"])
        ours = _links(sb, r1)
        theirs = _links(sb, r2)
        async with api_context(sb, tmp_path / "colleague") as ctx:
            xena = int((await ctx.call("addPerson", json={"name": "Xena Colleague"})).data["id"])
            await ctx.call("updateDeal", path={"id": r1},
                           json={"person_id": xena, "org_id": theirs[1]})
        _delete(sb, "person", xena)
        second = await _night_held(sb, tmp_path, manifest, mapping, "night-2", r1, "R1",
                                   sleeper)
        assert _links(sb, r1) == (ours[0], theirs[1]), second["R1"]
        assert second["R1"]["action"] == "updated", second["R1"]
        note = second["R1"]["note"]
        assert f"the deal's person {xena} {DELETED}" in note, note
        assert KEPT in note and "(organization)" in note, note  # the live relink: kept


async def test_a_row_standing_for_a_survivor_drops_its_link_to_a_deleted_person(
        tmp_path: Path) -> None:
    """Deals A (R1) and B (R2) imported, B merged into A (recorded here), a colleague then
    relinks A to a person of their own and deletes that person; the file without R1's row:
    R2's row stands for A (found through its claim, when sent). A's link to the deleted
    person is not kept: R2's person is written, said in the note; A's organization, the
    merge's and alive, stays kept (before: "the survivor's value kept", A left on the
    deleted person)."""
    from jobs.merged_deals import record

    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS[:2])
        first = await upserted(sb, tmp_path, manifest, mapping, "night-1")
        a, b = int(first["R1"]["deal_id"]), int(first["R2"]["deal_id"])
        ours, r2s = _links(sb, a), _links(sb, b)
        async with api_context(sb, tmp_path / "ctx") as ctx:
            await ctx.call("mergeDeals", path={"id": b}, json={"merge_with_id": a})
            xena = int((await ctx.call("addPerson", json={"name": "Xena Colleague"})).data["id"])
            await ctx.call("updateDeal", path={"id": a}, json={"person_id": xena})
            # (a person after her: the load's listing passed her id, nothing read for it)
            await ctx.call("addPerson", json={"name": "Zed Colleague"})
        record(sb.url, [(b, a)], "merge-1", applied=True)
        _delete(sb, "person", xena)
        manifest, _ = _files(tmp_path, ROWS[1:2], "night2.csv")
        plan, _ = await upsert_plan(sb, tmp_path / "plan", manifest, mapping)
        before = _reads(sb)
        rows = await upserted(sb, tmp_path, manifest, mapping, "night-2")
        # the survivor's two links read by id before either is kept: as the plan said
        assert _reads(sb) - before == Counter(getPerson=1, getOrganization=1), rows["R2"]
        assert {op: plan.calls.get(op) for op in ("getPerson", "getOrganization")} == {
            "getPerson": 1, "getOrganization": 1}, plan.calls
        assert "a read by id of each person / organization the survivor links" in \
            " ".join(plan.notes), plan.notes
        assert rows["R2"]["deal_id"] == str(a), rows
        assert _links(sb, a) == (r2s[0], ours[1]), rows["R2"]
        assert rows["R2"]["action"] == "updated", rows["R2"]
        note = rows["R2"]["note"]
        assert f"the deal's person {xena} {DELETED}" in note, note
        kept = note.split(": the survivor's value kept")[0].rsplit("; ", 1)[1].split(", ")
        assert "organization" in kept and "person" not in kept, note  # the live one: kept
        # night 3: R2's person is the base now, nothing sent
        again = await upserted(sb, tmp_path, manifest, mapping, "night-3")
        assert _links(sb, a) == (r2s[0], ours[1]) and again["R2"]["action"] == "unchanged", \
            again["R2"]


async def test_a_survivors_deleted_link_makes_the_contact_the_row_held_back(
        tmp_path: Path) -> None:
    """As above, and R2's own person deleted too: R2's cells find no one, and as they are
    the cells this folder wrote beside the link, the person is held back until the row
    makes a deal (f34g: the survivor keeps its link, no copy made). The survivor's link is
    to a deleted person, so nothing keeps it: the person is made from R2's cells and
    linked (before: nothing made, A left on the deleted person, "unchanged")."""
    from jobs.merged_deals import record

    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS[:2])
        first = await upserted(sb, tmp_path, manifest, mapping, "night-1")
        a, b = int(first["R1"]["deal_id"]), int(first["R2"]["deal_id"])
        ours, r2s = _links(sb, a), _links(sb, b)
        async with api_context(sb, tmp_path / "ctx") as ctx:
            await ctx.call("mergeDeals", path={"id": b}, json={"merge_with_id": a})
            xena = int((await ctx.call("addPerson", json={"name": "Xena Colleague"})).data["id"])
            await ctx.call("updateDeal", path={"id": a}, json={"person_id": xena})
        record(sb.url, [(b, a)], "merge-1", applied=True)
        _delete(sb, "person", xena)
        _delete(sb, "person", r2s[0])
        manifest, _ = _files(tmp_path, ROWS[1:2], "night2.csv")
        rows = await upserted(sb, tmp_path, manifest, mapping, "night-2")
        made = _links(sb, a)[0]
        assert made not in (xena, r2s[0], ours[0]), rows["R2"]
        person = sb.state.table("person").rows[made]
        assert not person["is_deleted"] and person["emails"][0]["value"] == ROWS[1][4], person
        assert rows["R2"]["action"] == "updated" and rows["R2"]["person_id"] == str(made), \
            rows["R2"]
        assert f"the deal's person {xena} {DELETED}" in rows["R2"]["note"], rows["R2"]
        assert len([p for p in sb.state.table("person").rows.values()
                    if not p["is_deleted"]]) == 2, "one person made, once"


async def test_an_update_whose_new_person_vanished_sends_its_other_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An upsert row renames R1's deal and relinks it to a colleague's person, whom the
    colleague deletes after the load; the run cannot resolve the row again (its fresh
    reads spent: ``FRESH_READS`` 0 stands for a run that already read twice). The title is
    written, the person link is not, and the row's note says so (before: the row failed
    whole, ``400 person_id: person N not found``, the title lost with it); succeeded.csv
    shows the deal's link and no ``person_matched_by`` (x37r3 F5)."""
    from jobs.importing import vanished
    from tests.test_upsert_corrected_contacts import ROWS as CONTACT_ROWS
    from tests.test_upsert_corrected_contacts import _files as contact_files
    from tests.test_upsert_vanished_contacts import _run_with

    monkeypatch.setattr(vanished, "FRESH_READS", 0)
    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        manifest, mapping = contact_files(tmp_path, CONTACT_ROWS[:1])
        first = await upserted(sb, tmp_path, manifest, mapping, "night-1")
        r1 = int(first["R1"]["deal_id"])
        ann = _links(sb, r1)
        async with api_context(sb, tmp_path / "colleague") as ctx:
            bob = int((await ctx.call("addPerson", json={"name": "Bob Roe", "emails": [
                {"value": "bob@ex2.com", "primary": True, "label": "work"}]})).data["id"])
        manifest, _ = contact_files(tmp_path, [("R1", "Deal one renamed", "100", "Bob Roe",
                                                "bob@ex2.com", "Org1 Ltd")], "night2.csv")
        rows = await _run_with(sb, tmp_path, manifest, mapping, "night-2",
                               lambda: _delete(sb, "person", bob))
        assert sb.state.deals.rows[r1]["title"] == "Deal one renamed", rows["R1"]
        assert _links(sb, r1) == ann, rows["R1"]
        assert rows["R1"]["action"] == "updated", rows["R1"]
        note = rows["R1"]["note"]
        assert f"person {bob} merged away or deleted after the load" in note, note
        assert "the deal's person link not written" in note, note
        assert "the row's other changes sent" in note, note
        # succeeded.csv: the link the deal holds, no match for the link not written (x37r3
        # F5: person_matched_by ``email``, the vanished person's match)
        assert rows["R1"]["person_id"] == str(ann[0]), rows["R1"]
        assert not rows["R1"].get("person_matched_by"), rows["R1"]
