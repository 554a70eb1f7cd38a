"""Undo names no merge survivor by a value the candidate held before the job: a merge only
fills the survivor's empty fields (FACTS, Merge), so a field the candidate held a value
in after the job's load — the job's own write, or the very value its row named and the
deal already held — is no sign of a merge (x51r7 F2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from tests.test_undo import _updated, deal, someone_edits, undoer
from tests.update_support import load_job


def _row(sb: object, deal_id: int, amount: int, source: str) -> dict[str, object]:
    return {"Deal": deal_id, "Amount": amount, "Title": deal(sb, deal_id)["title"],
            "Status": "open", "Reason": "", "Source": source}


@pytest.mark.anyio
async def test_a_value_the_candidate_held_before_the_job_names_no_merge(
        tmp_path: Path) -> None:
    """x51r7 F2 (repro_f3.py): an update set Lead source Partner on A and the amounts of A
    and B; B already held Partner (not written there). A colleague edited B's amount and
    deleted A in the same second. ``plan undo`` said "deal A was merged into deal B
    (deleted in the second deal B last changed): deal B now holds Lead source the job
    wrote to deal A", tallied "merged away 1". Now: deleted, by whom unknown."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=31)) as sb:
        a, b = [d["id"] for d in sb.state.deals.rows.values() if d["status"] == "open"][:2]
        for i in (a, b):
            sb.state.save("deal", {**deal(sb, i), "custom_fields": {}})
        (tmp_path / "one").mkdir()
        (tmp_path / "two").mkdir()
        earlier = await _updated(sb, tmp_path / "one", [_row(sb, b, 10, "Partner")])
        source = await _updated(sb, tmp_path / "two", [
            _row(sb, a, 11, "Partner"), _row(sb, b, 12, "Partner")])
        (b_row,) = [i for i in source.items() if int(i.payload["deal_id"]) == b]
        assert set(b_row.payload["changes"]) == {"value"}, b_row.payload  # Partner held
        sb.state.save("deal", {**deal(sb, a), "is_deleted": True,
                               "update_time": "2031-01-01T00:00:00Z"})
        someone_edits(sb, b, value=4242)  # the same second
        undo, plan = await load_job(sb, tmp_path / "two", "undo", undoer(source))
        (row,) = [i for i in plan.items if int(i.payload["deal_id"]) == a]
        why = row.error or ""
        assert "merged into deal" not in why, why
        assert why.startswith(f"deal {a} was deleted since the job, by whom unknown"), why
        assert "in a field a merge could have filled" in why, why
        assert plan.actions["merged away"] == 0, plan.actions
        undo.close()
        source.close()
        earlier.close()
