"""A merge survivor is guessed only from values that identify a deal: an empty value the
job wrote (a lost deal's ``won_time`` None) or a value every deal holds (its status,
stage, pipeline) is in every other deal too, and a merge never copies it (FACTS, Merge:
only the survivor's empty fields are filled) — x44r3 F2: "deal 2951 was merged into deal
2991 …: deal 2991 now holds won_time the job wrote to deal 2951", a plain deletion and an
unrelated open deal retitled in its second."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from tests.test_undo import _updated, someone_edits, undoer
from tests.update_support import deal, load_job


@pytest.mark.anyio
async def test_a_deal_deleted_in_the_second_an_unrelated_deal_changed_is_no_merge(
        tmp_path: Path) -> None:
    """The job marked A and B lost (won_time None, as every open deal holds); a colleague
    deleted A and retitled C, an open deal outside the job, in the same second: A was
    deleted, by whom unknown — C is named nowhere."""
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=31)) as sb:
        a, b, c = [d["id"] for d in sb.state.deals.rows.values()
                   if d["status"] == "open" and d["won_time"] is None][:3]
        source = await _updated(sb, tmp_path, [
            {"Deal": i, "Amount": 4242, "Title": deal(sb, i)["title"], "Status": "lost",
             "Reason": "Repro", "Source": ""} for i in (a, b)])
        assert deal(sb, a)["status"] == "lost" and deal(sb, c)["won_time"] is None
        sb.state.save("deal", {**deal(sb, a), "is_deleted": True,
                               "update_time": "2031-01-01T00:00:00Z"})
        someone_edits(sb, c, title="Unrelated edit")  # the same second
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        (row,) = [i for i in plan.items if int(i.payload["deal_id"]) == a]
        why = row.error or ""
        assert "merged into deal" not in why and f"deal {c}" not in why, why
        assert why.startswith(f"deal {a} was deleted since the job, by whom unknown"), why
        assert plan.actions["merged away"] == 0, plan.actions
        undo.close()
        source.close()
