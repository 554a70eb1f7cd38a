"""A dedupe resume after a kill with first merges in flight: their field-policy PATCHes
(answers lost: applied or not) and their merges are in doubt. Whether each applied is
known only from a read of the survivor and the pair (the store keeps the PATCH and the
before-image, not the lost answer), which the resume makes before any send (the
reconcile; the re-read for a pending one). So the plan counts each as sent again and its
line says so, and by how much the tokens are over at most; the run spends within that.
Before (f47i): the line said ``plan: 6 item(s) to settle; calls at most: …`` with no word
that the 6 PATCHes and 6 merges in doubt were counted as sent again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bulk.operations import get_operation
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from jobs import kind_for
from jobs.resuming import resumed
from tests.test_dedupe_resume_patch_held import _planned
from tests.update_support import deal as sb_deal

PLAN = re.compile(r"^plan: (.*); calls at most: .*; tokens: ([\d,]+)$")


@pytest.mark.anyio
async def test_the_resume_plan_says_its_patches_in_doubt_are_counted_as_sent(
        tmp_path: Path) -> None:
    """Every first merge left in flight (the kill), half of their PATCHes applied on the
    server: the plan line names them in doubt (updateDeal and mergeDeals, each counted as
    sent again) and the bound; the run spends no more than the plan, and no less than the
    plan less that bound."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=38)) as sb:
        store, _ = await _planned(sb, tmp_path)
        firsts = [i for i in store.pending(100) if i.payload.get("patch")]
        store.mark_sending([i.id for i in firsts], 0.0)  # the kill -9
        for item in firsts[::2]:  # applied on the server, the answer never recorded
            survivor = int(item.payload["survivor_id"])
            sb.state.save("deal", {**sb_deal(sb, survivor), **item.payload["patch"],
                                   "update_time": "2026-12-01T10:00:00Z"})
        lines: list[str] = []
        before = int(sb.stats()["tokens_spent"])
        result = await resumed(store, sb.token, kind_for(store), show_plan=lines.append,
                               transport=None)
        spent = int(sb.stats()["tokens_spent"]) - before
        assert not result.stopped, result
        assert store.counts()[ItemState.SENDING] == 0
        match = next(m for line in lines if (m := PLAN.match(line)))
        said, planned = match[1], int(match[2].replace(",", ""))
        n = len(firsts)
        bound = n * (get_operation("updateDeal").token_cost
                     + get_operation("mergeDeals").token_cost)
        assert (f", {n} of them in doubt (left in flight; each counted as its mergeDeals / "
                "updateDeal sent again, though the reconcile sends none for those it finds "
                f"made: the tokens below are at most, up to {bound:,} fewer)") in said, lines
        assert planned - bound <= spent <= planned, (spent, planned, lines)
        store.close()
