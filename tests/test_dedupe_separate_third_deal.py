"""A keep-separate pair one of whose deals another host's dedupe job merged into a THIRD
deal (not into its pair) says what happened — ``deal 12 was merged into deal 40 by job
dedupe-a`` — not that the decision "came too late" (nobody merged the pair), and nothing is
kept separate for it (f41d 5). The claims' outcome carries the deal merged into. A real
redis-server, the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.coordinator import ENV_COORDINATOR
from bulk.engine import Engine
from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.sandbox.merge import merge
from bulk.store import Item, ItemState, JobStore
from jobs.dedupe.apply_claims import GroupClaims
from tests.dedupe_job_support import keep_separate, load_apply, plan, seed_pairs
from tests.import_support import engine_config
from tests.redis_helpers import RedisServer, redis_server

__all__ = ["redis_server"]



async def _host_a_merges(sb: Sandbox, root: Path, away: int, into: int) -> None:
    """Host A's dedupe job ``dedupe-a`` claims and merges ``away`` into ``into``, then gives
    the claim back as a run does (``GroupClaims.ended``)."""
    store = JobStore.create(root / "host-a", job_id="dedupe-a", kind="dedupe", config={})
    try:
        async with Engine.open(engine_config(sb, root / "jobs-a"), sb.token, store=store):
            claims = GroupClaims("dedupe-a")
            item = Item(1, 1, f"{away}->{into}", "mergeDeals",
                        {"merge_id": away, "survivor_id": into}, ItemState.PENDING, 0, None,
                        None, None, None)
            try:
                assert await claims.take(item) is None
                merge(sb.state, "deal", away, {"merge_with_id": into})
                claims.ended(item, True)
            finally:
                await claims.close()
    finally:
        store.close()


@pytest.mark.anyio
async def test_a_pair_deal_another_host_merged_into_a_third_deal_says_so(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=53)) as sb:
        seed_pairs(sb, 3)
        out = await plan(sb, tmp_path / "b", tmp_path / "p-b")
        g1, g2, g3 = sorted(out.result.groups, key=lambda g: g.survivor_id)
        away = g1.merged_ids[0]
        await _host_a_merges(sb, tmp_path, away, g3.survivor_id)
        keep_separate(tmp_path / "p-b")
        store, prep = await load_apply(sb, tmp_path / "b", tmp_path / "p-b", job_id="dedupe-b")
        try:
            rows = {str(r["group_id"]): r for r in (
                dict(i.result or i.payload.get("result") or {}) for i in store.items())}
            why = str(rows[g1.id]["reason"])
            assert f"deal {away} was merged into deal {g3.survivor_id} by job dedupe-a" in why, why
            assert "too late" not in why and "does not say which" not in why, why
            assert rows[g1.id]["action"] == "skipped"
            assert rows[g2.id]["action"] == "kept separate"
            assert not prep.actions["merge"]
        finally:
            store.close()
