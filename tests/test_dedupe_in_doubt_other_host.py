"""A merge left in doubt by a killed host, then made by another host's run, is that run's
(x37r2 F3: two hosts on one Redis coordinator; host A killed with a merge in flight that
never applied, host B's run merged the pair ~33 s later, and A's resume reported it
``merged``, ``"reconciled": true``, with B's merge time, while B's job reported it
``merged`` too — one merge on the server, two reports). The reconcile asks the claims who
settled the pair: ``already merged by job B``. A real redis-server, the sandbox."""

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
async def test_an_in_doubt_merge_the_other_host_made_is_reported_as_its(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=45)) as sb:
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
        # host A was killed with its first merge in flight (sent, never applied)
        first = min(i.id for i in a.items(ItemState.PENDING))
        a.mark_sending([first], now=a.wall())
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-b"))
        await run_job(sb, b)  # host B merges every pair
        assert sum(1 for _ in b.items(ItemState.DONE)) == GROUPS
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-a"))
        config = EngineConfig.from_json(a.config["engine"])
        kind = kind_for(a)
        with anyio.fail_after(60):
            async with Engine.open(config, sb.token, store=a) as eng:
                await kind.before_resume(eng.ctx, a)  # type: ignore[attr-defined]
                await eng.run(kind)
        doubted = a.item(first)
        assert doubted is not None
        result = doubted.result or {}
        assert result.get("action") == "already merged", result
        assert str(result.get("reason")).startswith("already merged by job dedupe-b"), result
        assert not result.get("reconciled"), result
        assert not any((i.result or {}).get("action") == "merged" for i in a.items()), [
            i.result for i in a.items()]
        for s in stores:
            s.close()
