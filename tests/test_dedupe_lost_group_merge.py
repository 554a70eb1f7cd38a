"""A group of three or more deals whose first merge's answer is lost (x35r2 F2): the merge
read back as applied is the job's own write to the survivor, so the group's other merges
go ahead; a colleague's edit to the survivor still stops them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import Faults, SandboxConfig, serve
from bulk.store import ItemState
from tests.dedupe_job_support import deal, load_apply, org, plan
from tests.update_support import deal as sb_deal
from tests.update_support import run_job


def _seed(sb: object) -> list[list[int]]:
    """Two groups (of 3 and 4 copies) as the tester's triple.json has them."""
    alpen, nord = org(sb, "Alpen Logistik GmbH"), org(sb, "Nordwind Energie AG")  # type: ignore[arg-type]
    groups = [[deal(sb, "Photovoltaik Anlage", alpen, value=1200,  # type: ignore[arg-type]
                    add=f"2026-11-20T12:0{i}:00Z", update=f"2026-11-20T12:0{i}:00Z")
               for i in range(3)],
              [deal(sb, "Cloud Migration", nord, value=5000,  # type: ignore[arg-type]
                    add=f"2026-11-21T09:{i}0:00Z", update=f"2026-11-21T09:{i}0:00Z")
               for i in range(4)]]
    sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})  # type: ignore[attr-defined]
    return groups


@pytest.mark.anyio
@pytest.mark.parametrize("rate", [1.0, 0.5])
async def test_a_group_goes_on_after_its_first_merge_is_read_back(
        tmp_path: Path, rate: float) -> None:
    """Every (or half the) merge answers lost: each merge read back as applied leaves the
    survivor at a time that is the job's own, and the group's next merge is sent (x35r2
    F2: 2 of 2 groups stopped after their first merge, "survivor changed while the job
    ran")."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=41)) as sb:
        groups = _seed(sb)
        await plan(sb, tmp_path, tmp_path / "p1")
        store, prep = await load_apply(sb, tmp_path, tmp_path / "p1")
        assert prep.actions["merge"] == 5, prep.actions
        sb.set_faults(Faults(lost_response_rate=rate, only_operations=frozenset({"mergeDeals"})))
        result = await run_job(sb, store)
        assert not result.stopped, result
        skipped = [i.result for i in store.items(ItemState.SKIPPED)]
        assert not skipped, skipped
        assert result.counts[ItemState.DONE] == 5
        for ids in groups:
            assert sum(not sb_deal(sb, i)["is_deleted"] for i in ids) == 1
        assert sb.stats()["writes_applied"]["mergeDeals"] == 5
        store.close()


@pytest.mark.anyio
async def test_a_colleague_edit_after_a_read_back_still_stops_the_group(
        tmp_path: Path) -> None:
    """The first merge read back, then a colleague renames the survivor before the next
    merge: that merge is left alone (the job's own merge re-baselines the survivor, not a
    later edit)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=42)) as sb:
        groups = _seed(sb)
        await plan(sb, tmp_path, tmp_path / "p1")
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
        sb.set_faults(Faults(lost_response_rate=1.0, only_operations=frozenset({"mergeDeals"})))
        from jobs.dedupe.merge_job import DedupeJob

        renamed: list[int] = []

        class Edited(DedupeJob):
            async def reconcile(self, ctx, items):  # type: ignore[no-untyped-def]
                out = await super().reconcile(ctx, items)
                for o in out:  # a colleague's rename, a second after the read-back
                    survivor = int((o.result or {}).get("deal_id", 0))
                    if o.state is ItemState.DONE and survivor in groups[0] and not renamed:
                        renamed.append(survivor)
                        sb.state.save("deal", {**sb_deal(sb, survivor), "title": "Renamed",
                                               "update_time": "2030-01-01T00:00:00Z"})
                return out

        result = await run_job(sb, store, kind=Edited.from_store(store))
        assert not result.stopped, result
        left = [i for i in store.items(ItemState.SKIPPED)
                if int(i.payload["survivor_id"]) in renamed]
        assert len(left) == 1 and "changed" in str(left[0].result), left
        store.close()
