"""Undo names no merge survivor for a plain deletion: a value the job wrote to the candidate
itself is no sign of a merge (x42r4 F3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from tests.test_undo import _updated, deal, someone_edits, undoer
from tests.update_support import load_job


@pytest.mark.anyio
async def test_a_deal_deleted_in_the_second_another_job_deal_changed_is_no_merge(
        tmp_path: Path) -> None:
    """x42r4 F3: the job wrote one value (Amount 4242, Lead source Partner) to deals A and
    B; a colleague deleted A and retitled B in the same second, no merge anywhere. ``plan
    undo`` said "deal A was merged into deal B … deal B now holds value the job wrote to
    deal A". B holds those values by the job's own write: nothing proves a merge, so the
    row says A was deleted, by whom unknown, and names no survivor; B is restored."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=31)) as sb:
        a, b = [d["id"] for d in sb.state.deals.rows.values() if d["status"] == "open"][:2]
        for i in (a, b):  # the job writes its Lead source to both
            sb.state.save("deal", {**deal(sb, i), "custom_fields": {}})
        source = await _updated(sb, tmp_path, [
            {"Deal": i, "Amount": 4242, "Title": deal(sb, i)["title"], "Status": "open",
             "Reason": "", "Source": "Partner"} for i in (a, b)])
        sb.state.save("deal", {**deal(sb, a), "is_deleted": True,
                               "update_time": "2031-01-01T00:00:00Z"})
        someone_edits(sb, b, title="Retitled by a colleague")  # the same second
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        (row,) = [i for i in plan.items if int(i.payload["deal_id"]) == a]
        why = row.error or ""
        assert "merged into deal" not in why and f"deal {b}" not in why, why
        assert why.startswith(f"deal {a} was deleted since the job, by whom unknown"), why
        assert why.endswith("nothing to put back"), why
        assert plan.actions["merged away"] == 0, plan.actions
        assert plan.actions["deleted or merged away"] == 1, plan.actions
        (other,) = [i for i in plan.items if int(i.payload["deal_id"]) == b]
        assert other.state is ItemState.PENDING, other  # B: restored in part (its title kept)
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_a_real_merge_still_names_its_survivor_by_a_value_only_the_deal_had(
        tmp_path: Path) -> None:
    """The other side of x42r4 F3: a colleague merged A into C (C not in the job, its
    Lead source empty): C holds the job's value for A, which the job did not write to C —
    the merge is still named."""
    from bulk.sandbox.merge import merge

    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=31)) as sb:
        a, b, c = [d["id"] for d in sb.state.deals.rows.values() if d["status"] == "open"][:3]
        source = await _updated(sb, tmp_path, [
            {"Deal": i, "Amount": deal(sb, i)["value"], "Title": deal(sb, i)["title"],
             "Status": "open", "Reason": "", "Source": "Partner"} for i in (a, b)])
        sb.state.save("deal", {**deal(sb, c), "custom_fields": {}})
        merge(sb.state, "deal", a, {"merge_with_id": c})
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        (row,) = [i for i in plan.items if int(i.payload["deal_id"]) == a]
        assert (row.error or "").startswith(f"deal {a} was merged into deal {c} "), row.error
        undo.close()
        source.close()
