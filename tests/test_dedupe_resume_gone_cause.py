"""A resumed dedupe job whose pending merge lost a deal since the plan (deleted, merged or
archived by a colleague) names it "gone since the plan", as ``dedupe apply`` does, and a
changed one "changed since the plan": one wording by the cause (x51r6 F3: a resume said
"N groups held: a deal changed since the plan — plan again" of deleted and merged deals,
its succeeded.csv "no longer exists", the apply "a deal gone since the plan")."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from jobs.dedupe.held_groups import held_cause, held_lines
from tests.test_dedupe_resume import _edit, _resume, _triple

GONE = "a deal gone since the plan (deleted, merged away or archived)"


@pytest.mark.anyio
@pytest.mark.parametrize(("how", "left"), [
    ("deleted", "pending"), ("archived", "pending"), ("archived", "in flight")])
async def test_a_deal_gone_since_the_plan_is_said_gone_on_resume(
        tmp_path: Path, how: str, left: str) -> None:
    """The pair group's merged-away deal gone, the other group's changed: each held under
    its own cause, never a gone deal called changed. (A deleted deal of a merge left in
    flight is the reconcile's: the job's own lost send may have merged it.)"""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        store, g = await _triple(sb, tmp_path)
        if left == "in flight":
            store.mark_sending([i.id for i in store.items(ItemState.PENDING)], 1.0)
        _edit(sb, g["pair"].payload["merge_id"],
              **({"is_deleted": True} if how == "deleted" else {"is_archived": True}))
        _edit(sb, g["first"].payload["merge_id"], value=7777)
        result, _ = await _resume(sb, store)
        assert not result.stopped, result.error
        skipped = {str(i.key): i.result or {} for i in store.items(ItemState.SKIPPED)}
        pair = skipped[str(g["pair"].key)]
        assert held_cause(str(pair.get("reason"))) == GONE, pair
        assert "changed since the plan" not in str(pair.get("reason")), pair
        first = skipped[str(g["first"].key)]
        assert held_cause(str(first.get("reason"))) == "a deal changed since the plan", first
        lines = held_lines(skipped.values())
        assert any(line.startswith(f"1 group held: {GONE}") for line in lines), lines
        assert any(line.startswith("1 group held: a deal changed since the plan")
                   for line in lines), lines
        store.close()
