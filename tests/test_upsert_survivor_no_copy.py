"""A create row whose key's deal was merged here into a survivor, found only when the row
is sent, makes no person or organization its survivor keeps: while the row's contact cells
are those this state folder last wrote beside the link, the survivor's link stays, so the
row's person / organization is not resolved (before: made, then left unlinked — a copy of
the person a colleague corrected, and of the organization renamed). A row that makes its
deal after all (the survivor deleted since) links them (found by the record of the cells
that named them: x35r1 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.merged_deals import record
from tests.import_support import api_context, upsert_plan
from tests.test_upsert_corrected_contacts import (
    FAST,
    ROWS,
    _calls,
    _correct,
    _files,
    _import,
    _links,
)

pytestmark = pytest.mark.anyio
MADE = ("addPerson", "addOrganization")


async def _merged_night(sb: object, tmp: Path) -> tuple[int, int, tuple[object, object],
                                                       tuple[object, object], Path, Path]:
    """Night 1 makes A (R1) and B (R2); B is merged into A (recorded here); Bob's e-mail is
    corrected and Org2 renamed; the next file has R2's row alone."""
    manifest, mapping = _files(tmp, ROWS[:2])
    first = await _import(sb, tmp, manifest, mapping, "night-1")  # type: ignore[arg-type]
    a, b = int(first["R1"]["deal_id"]), int(first["R2"]["deal_id"])
    ours, bob = _links(sb, a), _links(sb, b)  # type: ignore[arg-type]
    async with api_context(sb, tmp / "ctx") as ctx:  # type: ignore[arg-type]
        await ctx.call("mergeDeals", path={"id": b}, json={"merge_with_id": a})
    record(sb.url, [(b, a)], "merge-1", applied=True)  # type: ignore[attr-defined]
    await _correct(sb, tmp, *bob, email="robert@ex2.com",  # type: ignore[arg-type]
                   org_name="Org2 Renamed")
    manifest, _ = _files(tmp, ROWS[1:2], "night2.csv")
    return a, b, ours, bob, manifest, mapping


async def test_a_survivor_found_when_sent_makes_no_copy(tmp_path: Path) -> None:
    """R2's row stands for A when sent: no person or organization made (before: 1 and 1,
    left unlinked), A's links as they were, nothing sent to A."""
    async with serve(SandboxConfig(**FAST)) as sb:
        a, _, ours, _, manifest, mapping = await _merged_night(sb, tmp_path)
        sent = _calls(sb, *MADE, "updateDeal")
        rows = await _import(sb, tmp_path, manifest, mapping, "night-2")
        assert rows["R2"]["deal_id"] == str(a), rows
        assert _calls(sb, *MADE, "updateDeal") == sent, rows
        assert _links(sb, a) == ours


async def test_a_row_making_its_deal_after_all_finds_its_contacts(tmp_path: Path) -> None:
    """The survivor A is deleted too: R2's deal is made again, linked to the person and
    organization R2's cells were linked to before (Bob and Org2, corrected and renamed
    since: found by this state folder's record of those cells, x35r1 2), none made."""
    async with serve(SandboxConfig(**FAST)) as sb:
        a, _, _, bob, manifest, mapping = await _merged_night(sb, tmp_path)
        async with api_context(sb, tmp_path / "ctx2") as ctx:
            await ctx.call("deleteDeal", path={"id": a})
        sent = _calls(sb, *MADE, "addDeal")
        rows = await _import(sb, tmp_path, manifest, mapping, "night-2")
        now = _calls(sb, *MADE, "addDeal")
        assert {op: now[op] - sent[op] for op in now} == {
            "addPerson": 0, "addOrganization": 0, "addDeal": 1}, rows
        made = int(rows["R2"]["deal_id"])
        assert _links(sb, made) == bob, rows
        assert rows["R2"]["person_matched_by"] == "kept", rows


async def test_the_plan_counts_no_contact_the_survivor_keeps(tmp_path: Path) -> None:
    """f36a / x36r3: Bob and Org2 deleted too, R2's cells find no contact: the plan
    counted a person and an organization to create (and a read of each one's claim),
    which the run never makes (88 planned, 71 spent). Now the plan counts neither; its
    one figure above the run's is the survivor's update, said to be at most."""
    async with serve(SandboxConfig(**FAST)) as sb:
        _, _, _, bob, manifest, mapping = await _merged_night(sb, tmp_path)
        async with api_context(sb, tmp_path / "ctx2") as ctx:
            await ctx.call("deletePerson", path={"id": bob[0]})
            await ctx.call("deleteOrganization", path={"id": bob[1]})
        plan, counts = await upsert_plan(sb, tmp_path / "plan", manifest, mapping)
        assert (counts.persons_new, counts.orgs_new) == (0, 0), counts
        assert not {"addPerson", "addOrganization"} & set(plan.calls), plan.calls
        # the one read of each the survivor's kept links get before they are kept (f37b: a
        # link to a contact deleted since is not kept), named in the plan's note; no claim
        # read of a contact the plan no longer counts (it was one more of each)
        assert (plan.calls.get("getPerson"), plan.calls.get("getOrganization")) == (1, 1), \
            plan.calls
        assert any("getOrganization 1, getPerson 1" in n for n in plan.notes), plan.notes
        assert any("not counted to create" in n for n in plan.notes), plan.notes
        also, _ = _files(tmp_path, [ROWS[1], ("R9", "Deal nine", "900", *ROWS[1][3:])],
                         "also.csv")  # R9, a new deal, makes Bob and Org2: counted
        _, both = await upsert_plan(sb, tmp_path / "plan2", also, mapping)
        assert (both.persons_new, both.orgs_new) == (1, 1), both
        before, sent = int(sb.stats()["tokens_spent"]), _calls(sb, *MADE, "updateDeal")
        await _import(sb, tmp_path, manifest, mapping, "night-2")
        assert _calls(sb, *MADE, "updateDeal") == sent
        assert plan.tokens - 5 == int(sb.stats()["tokens_spent"]) - before  # updateDeal, at most
