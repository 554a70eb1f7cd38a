"""A row whose person a colleague merged away and whose e-mail the file changed is decided
as the same row with its person still there (f36a 2, x35r1): the file's changed cells are
matched again as on a first import (f35j's rule for changed cells; the record's link is
followed only for unchanged ones), so a new e-mail no one has makes a person, said a
possible duplicate of the one of that name — the merge survivor. The merge moved the
deal's link, no colleague chose another: not "changed both in Pipedrive and in the file"
(before: said so, and counted in edited_both)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.merge import merge
from tests.import_support import api_context
from tests.test_upsert_corrected_contacts import FAST, ROWS, _files, _import, _links

pytestmark = pytest.mark.anyio
CHANGED = ("R1", "Deal one", "100", "Ann Lee", "ann.new@ex1.com", "Org1 Ltd")


def _fresh(tmp: Path, name: str) -> Path:
    (tmp / name).mkdir()
    return tmp / name


async def _night_two(tmp: Path, merged: bool) -> tuple[dict[str, str], int, int]:
    """(R1's row on night 2, the survivor or Ann's id, R1's person after it)."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp, ROWS[:2])
        first = await _import(sb, tmp, manifest, mapping, "night-1")
        deal = int(first["R1"]["deal_id"])
        ann = _links(sb, deal)[0]
        if merged:
            async with api_context(sb, tmp / "colleague") as ctx:
                survivor = (await ctx.call("addPerson", json={"name": "Ann Lee", "emails": [
                    {"value": "ann.lee@crm.com", "primary": True, "label": "work"}]})).data
            merge(sb.state, "person", ann, {"merge_with_id": survivor["id"]})
            ann = int(survivor["id"])
        manifest, _ = _files(tmp, [CHANGED, ROWS[1]], "night2.csv")
        rows = await _import(sb, tmp, manifest, mapping, "night-2")
        return rows["R1"], ann, _links(sb, deal)[0]


async def test_a_merged_person_and_a_changed_email_are_decided_as_unmerged(
        tmp_path: Path) -> None:
    plain, ann, now = await _night_two(_fresh(tmp_path, "plain"), merged=False)
    assert (plain["action"], plain["person_matched_by"]) == ("updated", "created"), plain
    assert now != ann and f"person id {ann} of that name" in plain["note"], plain
    merged, survivor, now = await _night_two(_fresh(tmp_path, "merged"), merged=True)
    assert (merged["action"], merged["person_matched_by"]) == ("updated", "created"), merged
    assert now != survivor and f"person id {survivor} of that name" in merged["note"], merged
    assert "changed both" not in merged["note"], merged
