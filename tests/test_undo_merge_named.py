"""An import's undo names the merge a created deal took since, where a record has it: a
merge / dedupe job of the same job folder, or this machine's merge record
(merged-deals.jsonl) — not "one may have been merged into it" (x31r1 3: 10 of 11 survivors
of a dedupe job said so, though the merge record had their merges)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import ItemState, JobStore, NewItem, Outcome
from jobs.merged_deals import record
from tests.import_support import api_context
from tests.test_undo import _imported, undoer
from tests.update_support import load_job


async def _merge_in_sandbox(sb: Sandbox, tmp: Path, into: list[int]) -> tuple[
        list[tuple[int, int]], str]:
    """A deal typed by hand merged into each of ``into`` (Pipedrive's merges): the pairs
    (merged away, survivor) and the survivors' update_time after them."""
    pairs = []
    async with api_context(sb, tmp / "ctx") as ctx:
        for survivor in into:
            res = await ctx.call("addDeal", json={"title": "by hand"})
            pairs.append((int(res.data["id"]), survivor))
        for away, survivor in pairs:
            await ctx.call("mergeDeals", path={"id": away}, json={"merge_with_id": survivor})
    return pairs, str(sb.state.deals.rows[into[-1]]["update_time"])


def _merge_job(jobs: Path, pairs: list[tuple[int, int]], when: str) -> None:
    """A merge job of the folder that made ``pairs``, done."""
    store = JobStore.create(jobs / "zz-merge", job_id="zz-merge", kind="merge", config={})
    try:
        store.add_items([NewItem(row=n, key=f"{a}->{b}", op="merge", payload={})
                         for n, (a, b) in enumerate(pairs, 1)])
        items = list(store.items(ItemState.PENDING))
        store.mark_sending([i.id for i in items], time.time())
        store.record([Outcome(i.id, ItemState.DONE, {"deal_id": b, "action": "merged",
                                                     "merged_id": a, "update_time": when})
                      for i, (a, b) in zip(items, pairs, strict=True)])
    finally:
        store.close()


@pytest.mark.anyio
@pytest.mark.parametrize("where", ["job folder", "merge record"])
async def test_undo_names_the_merge_a_survivor_took(tmp_path: Path, where: str) -> None:
    """Two creates each absorbed a deal typed by hand: each survivor's reason names the
    deal it absorbed and the job, from the folder's merge job or from merged-deals.jsonl."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=33)) as sb:
        source, rows = await _imported(sb, tmp_path, "A-1,One\nA-2,Two\n")
        pairs, when = await _merge_in_sandbox(sb, tmp_path, [rows["A-1"], rows["A-2"]])
        if where == "job folder":
            _merge_job(tmp_path / "jobs", pairs, when)
        else:
            base_url = str(source.config["engine"]["base_url"])
            record(base_url, pairs, "dedupe-elsewhere", applied=True)
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        reasons = {i.payload.get("deal_id"): i.error or "" for i in plan.items
                   if i.state is ItemState.FAILED}
        assert set(reasons) == {rows["A-1"], rows["A-2"]}, (reasons, plan.actions)
        job = "zz-merge" if where == "job folder" else "dedupe-elsewhere"
        for away, into in pairs:
            assert "may have been merged" not in reasons[into], reasons
            assert "absorbed deal" in reasons[into] and str(away) in reasons[into], reasons
            # x42r4 L2: not "was merge survivor"
            assert f"deal {into} was a merge survivor: it absorbed" in reasons[into], reasons
            assert f"job {job}" in reasons[into], reasons
        undo.close()
        source.close()
