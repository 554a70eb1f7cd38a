"""Two dedupe runs of one account on two hosts (two state folders, one Redis coordinator)
never both send one group's merges, and never both report one merge as their own (x35r2
two hosts: 6 merges `merged` in both jobs' succeeded.csv, 2,760 merge tokens for 55 merges). A
real redis-server, the sandbox."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from bulk.coordinator import ENV_COORDINATOR
from bulk.sandbox import Faults, SandboxConfig, serve
from bulk.store import ItemState
from tests.dedupe_job_support import deal, load_apply, org, plan
from tests.redis_helpers import RedisServer, redis_server
from tests.update_support import requests, run_job

__all__ = ["redis_server"]

GROUPS = 6

@pytest.mark.anyio
@pytest.mark.parametrize("faults", [
    Faults(lost_response_rate=1.0, only_operations=frozenset({"mergeDeals"})),
    Faults(lost_response_rate=0.3, error_rate=0.3, latency_ms=30.0, latency_jitter_ms=25.0,
           only_operations=frozenset({"mergeDeals"}))], ids=["lost", "mixed"])
async def test_two_hosts_never_send_one_group(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch,
        faults: Faults) -> None:
    """Both hosts load the same night's plan and run at once, every merge answer lost: each
    merge is sent by one run only, the merges the server made are each reported `merged`
    by one job, and the other job names the run that holds or made it."""
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=43)) as sb:
        for g in range(GROUPS):
            company = org(sb, f"Firma {g} GmbH")
            for i in range(3):
                deal(sb, f"Projekt {g} Anlage", company, value=1000 + g,
                     add=f"2026-11-2{g}T12:0{i}:00Z", update=f"2026-11-2{g}T12:0{i}:00Z")
        sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
        await plan(sb, tmp_path / "a", tmp_path / "p1")
        stores = []
        for host in ("a", "b"):
            monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / f"state-{host}"))
            store, prep = await load_apply(sb, tmp_path / host, tmp_path / "p1",
                                           job_id=f"dedupe-{host}")
            assert prep.actions["merge"] == 2 * GROUPS, prep.actions
            stores.append(store)
        sb.set_faults(faults)
        before = requests(sb).get("mergeDeals", 0)
        async with anyio.create_task_group() as tg:
            for store in stores:
                tg.start_soon(run_job, sb, store)
        sent = requests(sb).get("mergeDeals", 0) - before
        made = sb.stats()["writes_applied"]["mergeDeals"]
        merged = [[int(i.payload["merge_id"]) for i in s.items(ItemState.DONE)
                   if (i.result or {}).get("action") == "merged"] for s in stores]
        assert made == 2 * GROUPS
        assert not set(merged[0]) & set(merged[1]), merged
        assert len(merged[0]) + len(merged[1]) == made, merged
        # each merge sent by one run (a 5xx's resend is the same run's)
        assert sent <= made + sb.stats()["faults_injected"].get("error", 0), (sent, made)
        for s in stores:
            for i in s.items(ItemState.SKIPPED):
                why = str((i.result or {}).get("reason"))
                assert "another run" in why or "already merged by job" in why, why
            s.close()
