"""An upsert decides a deal's links — its person (``person_id``) and organization
(``org_id``) — by the same three-way rule as its fields (``jobs.last_written``): a
colleague who relinks a deal in Pipedrive between two imports of the same file keeps the
link (x33r2 F1: the next import PATCHed the file's person and organization back, 6 of 6,
on a merge survivor too, under a note saying Pipedrive's values were kept); a link the
file changed is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from jobs.merged_deals import record
from tests.import_support import (
    UPSERT_FAST,
    UPSERT_MAPPING_HEAD,
    api_context,
    deal_links,
    merged_into_copy,
    upsert_files,
    upsert_plan,
    upserted,
)

pytestmark = pytest.mark.anyio
FAST = UPSERT_FAST
MAPPING = UPSERT_MAPPING_HEAD + """pipeline = { default = "Sales" }
[person]
email = "Email"
[organization]
name = "Company"
"""
ROWS = [("R1", "Deal one", "100", "Org1 Ltd", "p1@ex1.com"),
        ("R2", "Deal two", "200", "Org2 Ltd", "p2@ex2.com"),
        ("R3", "Deal three", "300", "Org3 Ltd", "p3@ex3.com")]
KEPT = "changed in Pipedrive since this state folder's last import or update wrote"
BOTH = "changed both in Pipedrive and in the file"


def _files(tmp: Path, rows: list[tuple[str, ...]], name: str = "night.csv"
           ) -> tuple[Path, Path]:
    return upsert_files(tmp, "Key,Title,Amount,Company,Email\n", rows, MAPPING, name)


# (the names other tests import from here)
_import, _plan, _links = upserted, upsert_plan, deal_links


async def _relinked(sb: Sandbox, tmp: Path) -> tuple[Path, Path, int, tuple[Any, Any]]:
    """Night 1 (``ROWS``, job "night-1") makes the deals; a colleague then relinks R1's deal
    to R2's person and organization: (manifest, mapping, R1's deal id, those links)."""
    manifest, mapping = _files(tmp, ROWS)
    first = await upserted(sb, tmp, manifest, mapping, "night-1")
    r1, r2 = int(first["R1"]["deal_id"]), int(first["R2"]["deal_id"])
    theirs = _links(sb, r2)
    async with api_context(sb, tmp / "colleague") as ctx:
        await ctx.call("updateDeal", path={"id": r1},
                       json={"person_id": theirs[0], "org_id": theirs[1]})
    return manifest, mapping, r1, theirs


def _patches(sb: Sandbox) -> int:
    return int(sb.stats()["requests_by_operation"].get("updateDeal", 0))


async def test_a_colleagues_relink_is_kept_by_the_unchanged_file(tmp_path: Path) -> None:
    """The tester's repro over HTTP: 3 rows imported; a colleague sets R1's person and
    organization to R2's (PATCH /api/v2/deals/{id}); the same file again: no updateDeal
    (before: 1, putting R1's back), the row's note names both links, the plan counts them
    kept and changes no field."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping, r1, theirs = await _relinked(sb, tmp_path)
        plan, counts = await _plan(sb, tmp_path / "plan", manifest, mapping)
        assert plan.changed_fields == {}, plan.changed_fields
        assert (counts.update, counts.edited_kept, counts.edited_rows) == (0, 2, 1), counts
        sent = _patches(sb)
        second = await _import(sb, tmp_path, manifest, mapping, "night-2")
        assert _patches(sb) == sent  # nothing sent
        assert _links(sb, r1) == theirs
        assert second["R1"]["action"] == "unchanged", second["R1"]
        assert KEPT in second["R1"]["note"] and "(person, organization)" in second["R1"]["note"]
        # the record still holds the links: a third night keeps them too
        third = await _import(sb, tmp_path, manifest, mapping, "night-3")
        assert _patches(sb) == sent and _links(sb, r1) == theirs
        assert third["R1"]["action"] == "unchanged", third["R1"]


async def test_a_link_the_file_changed_is_written(tmp_path: Path) -> None:
    """The colleague relinked R1 to R2's person and organization, and the file now names
    R3's: the file changed them after the last import, so they are written, the note
    naming Pipedrive's values they replaced."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS)
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        r1, r2, r3 = (int(first[k]["deal_id"]) for k in ("R1", "R2", "R3"))
        theirs = _links(sb, r2)
        async with api_context(sb, tmp_path / "colleague") as ctx:
            await ctx.call("updateDeal", path={"id": r1},
                           json={"person_id": theirs[0], "org_id": theirs[1]})
        manifest, _ = _files(tmp_path, [("R1", "Deal one", "100", "Org3 Ltd", "p3@ex3.com"),
                                        *ROWS[1:]], "night2.csv")
        second = await _import(sb, tmp_path, manifest, mapping, "night-2")
        assert _links(sb, r1) == _links(sb, r3)
        assert second["R1"]["action"] == "updated", second["R1"]
        assert BOTH in second["R1"]["note"], second["R1"]


async def test_a_merge_survivor_keeps_its_person_and_organization(tmp_path: Path) -> None:
    """Deal A (key R1) merged into deal B, which has R2's person and organization: the
    unchanged file keeps B's links as it keeps B's title (before: the note said title and
    value were kept, and the same call wrote A's person and organization over B's)."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS)
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        a, r2 = int(first["R1"]["deal_id"]), int(first["R2"]["deal_id"])
        theirs = _links(sb, r2)
        b = await merged_into_copy(sb, tmp_path, a, theirs)
        sent = _patches(sb)
        second = await _import(sb, tmp_path, manifest, mapping, "night-2")
        assert _links(sb, b) == theirs
        assert _patches(sb) == sent
        assert second["R1"]["deal_id"] == str(b) and second["R1"]["action"] == "unchanged"
        assert "person, organization" in second["R1"]["note"], second["R1"]["note"]


async def test_a_row_standing_for_a_survivor_keeps_its_links(tmp_path: Path) -> None:
    """Deals A (R1) and B (R2) imported, B merged into A, the file then without R1's row:
    R2's row stands for A (found through its claim, when it is sent). A's person and
    organization — the merge's — are kept like its title (before: R2's were written over
    them, the merge's choice undone); the next night too."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS[:2])
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        a, b = int(first["R1"]["deal_id"]), int(first["R2"]["deal_id"])
        ours = _links(sb, a)
        async with api_context(sb, tmp_path / "ctx") as ctx:
            await ctx.call("mergeDeals", path={"id": b}, json={"merge_with_id": a})
        record(sb.url, [(b, a)], "merge-1", applied=True)
        manifest, _ = _files(tmp_path, ROWS[1:2], "night2.csv")
        for night in ("night-2", "night-3"):
            rows = await _import(sb, tmp_path, manifest, mapping, night)
            assert rows["R2"]["deal_id"] == str(a), rows
            assert _links(sb, a) == ours, night
            assert rows["R2"]["action"] == "unchanged", rows
            kept = rows["R2"]["note"].split(": the survivor's value kept")[0].rsplit("; ", 1)[1]
            assert {"person", "organization"} <= set(kept.split(", ")), rows


async def test_a_link_to_a_person_and_organization_the_row_created_is_a_base(
        tmp_path: Path) -> None:
    """Night 2's file names a new person and organization for R1: the row creates them and
    links the deal (updated). A colleague then relinks the deal to R2's; night 3 (the same
    file, the two now found by e-mail / name) keeps the colleague's links: what night 2
    linked is the base, as any write (checked for f34f's brief: no fault, kept as a guard)."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS)
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        r1, r2 = int(first["R1"]["deal_id"]), int(first["R2"]["deal_id"])
        manifest, _ = _files(tmp_path, [("R1", "Deal one", "100", "New Ltd", "new@exn.com"),
                                        *ROWS[1:]], "night2.csv")
        second = await _import(sb, tmp_path, manifest, mapping, "night-2")
        assert second["R1"]["action"] == "updated", second["R1"]
        assert (second["R1"]["person_matched_by"], second["R1"]["org_matched_by"]) \
            == ("created", "created"), second["R1"]
        theirs = _links(sb, r2)
        async with api_context(sb, tmp_path / "colleague") as ctx:
            await ctx.call("updateDeal", path={"id": r1},
                           json={"person_id": theirs[0], "org_id": theirs[1]})
        sent = _patches(sb)
        third = await _import(sb, tmp_path, manifest, mapping, "night-3")
        assert _links(sb, r1) == theirs and _patches(sb) == sent, third["R1"]
        assert KEPT in third["R1"]["note"] and "(person, organization)" in third["R1"]["note"]
