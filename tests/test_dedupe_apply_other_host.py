"""A dedupe apply whose pairs another host's run merged after the plan read them names that
run's job (x37r2 F4: host B's run planned while host A merged; B's succeeded.csv said
``deal 7315 changed since the plan (update_time ... then, ... now): plan again`` for 30
pairs A had merged — the survivor is read first, and A's merge moved it). The deals gone
are looked at before the ones changed, and the claims (or the state directory) name the job
that merged them: ``already merged by job A``. A real redis-server, the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.coordinator import ENV_COORDINATOR
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from tests.dedupe_job_support import load_apply, plan, seed_pairs, two_hosts
from tests.redis_helpers import RedisServer, redis_server
from tests.update_support import run_job

__all__ = ["redis_server"]

GROUPS = 3


@pytest.mark.anyio
async def test_an_apply_names_the_other_hosts_job_that_merged_its_pairs_since_the_plan(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=46)) as sb:
        seed_pairs(sb, GROUPS)
        await plan(sb, tmp_path / "b", tmp_path / "p-b")  # host B's plan, read first
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-a"))
        await plan(sb, tmp_path / "a", tmp_path / "p-a")
        a, _ = await load_apply(sb, tmp_path / "a", tmp_path / "p-a", job_id="dedupe-a")
        await run_job(sb, a)  # host A merges every pair
        assert sum(1 for _ in a.items(ItemState.DONE)) == GROUPS
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-b"))
        b, prep = await load_apply(sb, tmp_path / "b", tmp_path / "p-b", job_id="dedupe-b")
        results = [i.result or i.payload.get("result") or {} for i in b.items()]
        assert len(results) == GROUPS
        assert all(r.get("action") == "already merged" for r in results), results
        assert all(str(r.get("reason")).startswith("already merged by job dedupe-a")
                   for r in results), results
        assert not prep.actions["merge"]
        for s in (a, b):
            s.close()


@pytest.mark.anyio
async def test_a_run_names_the_other_hosts_job_that_merged_its_pairs_while_it_ran(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Host B loaded its job before host A merged the pairs: B's re-check of the batch finds
    the merged-away deals gone and names A's job (not "changed while the job ran")."""
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=47)) as sb:
        seed_pairs(sb, GROUPS)
        a, b = await two_hosts(sb, tmp_path, monkeypatch)
        stores = [a, b]
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-a"))
        await run_job(sb, a)
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-b"))
        await run_job(sb, b)
        results = [i.result or {} for i in b.items()]
        assert len(results) == GROUPS
        assert all(r.get("action") == "already merged" for r in results), results
        assert all(str(r.get("reason")).startswith("already merged by job dedupe-a")
                   for r in results), results
        for s in stores:
            s.close()
