"""Keys keep their case (``abc-1`` and ``ABC-1`` are two keys, as Salesforce's ids differ by
case alone; Pipedrive's own importer matches no deal by any key): an upsert whose key a
deal carries but for case creates a deal, and says so — in the plan's notes and on the
row — instead of making it silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from tests.test_upsert_relinked_links import _files, _import, _plan

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "deals": 0, "seed": 5}


async def test_a_key_another_deal_carries_but_for_case_is_said(tmp_path: Path) -> None:
    """Night 1 imports key abc-1; night 2's file spells it ABC-1 (and keeps R2 as it was):
    the plan counts 1 such row, the run creates a deal for ABC-1 (keys keep their case)
    and its note names abc-1's deal; R2 is unchanged, without a note."""
    async with serve(SandboxConfig(**FAST)) as sb:
        rows = [("R2", "Deal two", "200", "Org2 Ltd", "p2@ex2.com")]
        manifest, mapping = _files(tmp_path, [("abc-1", "Deal one", "100", "Org1 Ltd",
                                               "p1@ex1.com"), *rows])
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        manifest, _ = _files(tmp_path, [("ABC-1", "Deal one", "100", "Org1 Ltd",
                                         "p1@ex1.com"), *rows], "night2.csv")
        plan, counts = await _plan(sb, tmp_path / "plan", manifest, mapping)
        assert counts.keys_other_case == 1 and counts.create == 1, counts
        assert any("but for case" in note for note in plan.notes), plan.notes
        second = await _import(sb, tmp_path, manifest, mapping, "night-2")
        assert second["ABC-1"]["action"] == "created", second["ABC-1"]
        note = second["ABC-1"]["note"]
        assert f"deal {first['abc-1']['deal_id']} carries key 'abc-1'" in note, note
        assert second["R2"]["action"] == "unchanged" and not second["R2"]["note"]
