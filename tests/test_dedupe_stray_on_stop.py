"""x34r2 F4: the field policy PATCHed the survivor (value 0 -> 5000, the copy's), then the
copy's merge kept failing and the run stopped (exit 4): the value stood on two live deals
and the run said nothing (``policy_strays: 0``). A stopped run now says it, naming the
deals, and how it is settled (``pdbulk resume``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import Faults, SandboxConfig, serve
from jobs.dedupe.put_back import policy_strays
from tests.dedupe_job_support import deal, load_apply, org, plan
from tests.test_dedupe_during_apply import MAX_VALUE
from tests.update_support import deal as sb_deal
from tests.update_support import run_job


@pytest.mark.anyio
async def test_a_stop_with_the_policy_value_on_two_live_deals_is_said(tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=7)) as sb:
        sb.state.save("deal", {**sb_deal(sb, 1), "is_deleted": True})
        stray = org(sb, "Stray Co")
        a = deal(sb, "Stray test boiler", stray, value=0, add="2026-11-01T10:00:00Z")
        b = deal(sb, "Stray test boiler", stray, value=5000, add="2026-11-01T10:00:01Z")
        (group,) = (await plan(sb, tmp_path, tmp_path / "p1", MAX_VALUE)).result.groups
        assert {group.survivor_id, *group.merged_ids} == {a, b}
        copy = group.merged_ids[0]
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
        sb.set_faults(Faults(error_rate=1.0, only_operations=frozenset({"mergeDeals"})))
        result = await run_job(sb, store)
        assert result.stopped, result
        assert sb_deal(sb, group.survivor_id)["value"] == 5000  # the PATCH applied
        assert not sb_deal(sb, copy).get("is_deleted")  # and the copy lives
        [line] = policy_strays(store)
        assert line.startswith(f"warning: group {group.id}: survivor {group.survivor_id} holds "
                               f"value 5000"), line
        assert f"(from deal {copy})" in line and "merge has not ended" in line, line
        assert f"pdbulk resume {store.job_id}" in line, line
        store.close()
