"""A resumed dedupe job names the other host's job that merged its pairs meanwhile (x36r2 F4:
host 1 killed, host 2 merged the rest under one Redis coordinator; host 1's resume said
``merged-away deal N no longer exists (deleted, archived or merged ...)`` where the README
promises ``already merged by job <other job>``): the re-read asks the claims who merged each
gone deal. A real redis-server, the sandbox."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from bulk.coordinator import ENV_COORDINATOR
from bulk.engine import Engine, EngineConfig
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from jobs.kinds import kind_for
from tests.dedupe_job_support import deal, load_apply, org, plan
from tests.redis_helpers import RedisServer, redis_server
from tests.update_support import run_job

__all__ = ["redis_server"]

GROUPS = 3


@pytest.mark.anyio
async def test_a_resume_names_the_other_hosts_job_that_merged_its_pairs(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=44)) as sb:
        for g in range(GROUPS):
            company = org(sb, f"Firma {g} GmbH")
            for i in range(2):
                deal(sb, f"Projekt {g} Anlage", company, value=1000 + g,
                     add=f"2026-11-2{g}T12:0{i}:00Z", update=f"2026-11-2{g}T12:0{i}:00Z")
        sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
        await plan(sb, tmp_path / "a", tmp_path / "p1")
        stores = []
        for host in ("a", "b"):
            monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / f"state-{host}"))
            store, _ = await load_apply(sb, tmp_path / host, tmp_path / "p1",
                                        job_id=f"dedupe-{host}")
            stores.append(store)
        a, b = stores
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-b"))
        await run_job(sb, b)  # host b merges every pair; host a never ran (killed first)
        assert sum(1 for _ in b.items(ItemState.DONE)) == GROUPS
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-a"))
        config = EngineConfig.from_json(a.config["engine"])
        kind = kind_for(a)
        with anyio.fail_after(60):
            async with Engine.open(config, sb.token, store=a) as eng:
                await kind.before_resume(eng.ctx, a)  # type: ignore[attr-defined]
                await eng.run(kind)
        reasons = [str((i.result or {}).get("reason")) for i in a.items()]
        assert len(reasons) == GROUPS
        assert all(r.startswith("already merged by job dedupe-b") for r in reasons), reasons
        for s in stores:
            s.close()
