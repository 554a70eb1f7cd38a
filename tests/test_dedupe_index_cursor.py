"""The nightly index's time (``updated_since``) never passes the time the run started, and
a full plan rebuilds the index (x24r4 5: a deal updated in the future froze the cursor)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.dedupe.index import DealIndex
from tests.dedupe_job_support import PAST, deal, org, plan

FUTURE = "2099-01-01T00:00:00Z"


def wall_stamp(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


@pytest.mark.anyio
async def test_a_deal_updated_in_the_future_never_moves_the_index_past_the_present(
        tmp_path: Path) -> None:
    """A deal whose update_time is in 2099: the --since-last plan's index stops at the run's
    start; an index already past the present (written before the fix) is read whole again,
    and a plan without --since-last rebuilds the index from the account."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        acme = org(sb, "Acme Corp")
        ids = [deal(sb, f"Deal {n}", acme, add=PAST, update=PAST) for n in range(3)]
        deal(sb, "Loaded record", acme, add=PAST, update=FUTURE)
        sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
        now = wall_stamp(time.time() + 1)
        out = await plan(sb, tmp_path, tmp_path / "p1", since_last=True)
        assert out.index is not None and out.index.updated_since is not None
        assert out.index.updated_since <= now, out.index.updated_since
        # an index already past the present: its deals merged away stay in it (pending
        # every night, 12 of 12): read whole again, the gone deal is no longer in it
        stale = DealIndex({i: out.index.deals[i] for i in out.index.deals}, FUTURE)
        stale.save(tmp_path / "state")
        sb.state.save("deal", {**sb.state.deals.rows[ids[0]], "is_deleted": True})
        again = await plan(sb, tmp_path, tmp_path / "p2", since_last=True)
        assert again.index is not None and again.index.updated_since is not None
        assert again.index.updated_since <= wall_stamp(time.time() + 1)
        assert ids[0] not in again.index.deals and ids[1] in again.index.deals
        full = await plan(sb, tmp_path, tmp_path / "p3")
        assert full.index is not None, "a full plan rebuilds the index"
        assert set(full.index.deals) == set(again.index.deals)
        assert full.index.updated_since is not None
        assert full.index.updated_since <= wall_stamp(time.time() + 1)


def test_refresh_stops_at_the_ceiling_and_keeps_the_future_deal_to_read_again() -> None:
    """``refresh(ceiling=…)``: the time stops at the ceiling, and the future deal is not
    taken as seen (the next pull's copy of it is compared again)."""
    from datetime import UTC, datetime

    from jobs.dedupe.model import DealRecord
    r = DealRecord(id=7, title="x", status="open",
                   update_time=datetime(2099, 1, 1, tzinfo=UTC))
    index = DealIndex({}, None)
    index.refresh([r], ceiling="2026-12-04T00:00:00Z")
    assert index.updated_since == "2026-12-04T00:00:00Z" and not index.seen(r)
