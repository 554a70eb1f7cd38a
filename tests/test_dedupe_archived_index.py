"""A --since-last plan drops from the nightly index the deals archived since its time (the
v2 deals list never lists an archived deal): an archived deal is never proposed as open
(x33r1 M2), and apply's refusal of a gone deal says no more than it knows."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from tests.dedupe_job_support import deal, org, plan


@pytest.mark.anyio
async def test_a_deal_archived_after_the_index_is_dropped_from_the_next_plan(
        tmp_path: Path) -> None:
    """Night 1 indexes a deal and its copy; the copy is archived; night 2 (--since-last)
    reads the archived list since the index's time: the copy leaves the index, no group."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=33)) as sb:
        acme = org(sb, "Acme Corp")
        a = deal(sb, "Website redesign", acme, add="2026-11-01T10:00:00Z")
        b = deal(sb, "Website redesign", acme, add="2026-11-01T10:04:00Z")
        sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
        first = await plan(sb, tmp_path, tmp_path / "p1", since_last=True)
        assert [set(g.member_ids) for g in first.result.groups] == [{a, b}]
        assert first.index is not None
        first.index.save(tmp_path / "state")
        sb.state.save("deal", {**sb.state.deals.rows[b], "is_archived": True,
                               "archive_time": sb.state.now_iso(),
                               "update_time": sb.state.now_iso()})
        second = await plan(sb, tmp_path, tmp_path / "p2", since_last=True)
        assert second.index is not None and b not in second.index.deals
        assert a in second.index.deals
        assert second.result.groups == ()
