"""A survivor's title with stray spaces (leading, trailing, doubled) takes the clean form a
merged copy writes, and the plan's drops say so (x33r1 L1: the messy title was kept)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.dedupe.model import DealRecord, Group
from jobs.dedupe.planfiles import merge_drops, policy_changes
from tests.dedupe_job_support import deal, load_apply, org, plan
from tests.update_support import deal as sb_deal
from tests.update_support import run_job

GROUP = Group(id="g-1", survivor_id=1, merged_ids=(2,), band="duplicate", score=1.0,
              reasons=(), survivor_reasons=(), differing=("title",))


def test_a_messy_survivor_title_takes_the_copys_clean_form_and_says_it() -> None:
    """``  Website  redesign `` survives, ``Website redesign`` is merged: PATCH the clean one."""
    records = {1: DealRecord(id=1, title="  Website  redesign ", status="open"),
               2: DealRecord(id=2, title="Website redesign", status="open")}
    changes = policy_changes(GROUP, records, {})
    assert changes == {"title": "Website redesign"}
    drops = merge_drops(GROUP, records, changes)
    assert drops == ["title '  Website  redesign ' (deal 1, the survivor: its stray spaces "
                     "cleaned to 'Website redesign')"], drops


def test_a_clean_survivor_title_is_left_alone() -> None:
    """The survivor written cleanly, the copy with stray spaces: no PATCH, nothing dropped."""
    records = {1: DealRecord(id=1, title="Website redesign", status="open"),
               2: DealRecord(id=2, title=" Website redesign  ", status="open")}
    changes = policy_changes(GROUP, records, {})
    assert changes == {} and merge_drops(GROUP, records, changes) == []


@pytest.mark.anyio
@pytest.mark.parametrize("messy", ["Annual support ", "  Annual  support", "Annual\u00a0 support",
                                   "Annual\tsupport"])
async def test_the_clean_title_the_plan_prices_is_sent(tmp_path: Path, messy: str) -> None:
    """x53r3 F6: the plan set the survivor's title to its clean form, priced the PATCH
    (5 tokens) and succeeded.csv named ``title``, but the PATCH was never sent: the read
    right before it took the messy title as already holding the clean one (text compared as
    a row's cleaning reads it), so the survivor kept its stray spaces. Sent now, as planned:
    the survivor reads the clean title, one updateDeal applied."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=43)) as sb:
        company = org(sb, "Spaces Test GmbH")
        survivor = deal(sb, messy, company, value=5000, add="2026-11-20T12:00:00Z",
                        update="2026-11-20T12:00:00Z")
        copy = deal(sb, "Annual support", company, value=5000, add="2026-11-20T12:07:00Z",
                    update="2026-11-20T12:07:00Z")
        sb.state.save("deal", {**sb_deal(sb, 1), "is_deleted": True})
        await plan(sb, tmp_path, tmp_path / "p1")
        store, prep = await load_apply(sb, tmp_path, tmp_path / "p1")
        assert prep.actions["merge"] == 1, prep.actions
        result = await run_job(sb, store)
        assert not result.stopped, result
        assert sb_deal(sb, copy)["is_deleted"] and not sb_deal(sb, survivor)["is_deleted"]
        assert sb_deal(sb, survivor)["title"] == "Annual support", sb_deal(sb, survivor)
        assert sb.stats()["writes_applied"].get("updateDeal") == 1, sb.stats()
        store.close()
