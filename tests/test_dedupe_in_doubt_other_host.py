"""A merge left in doubt by a killed host, then made by another host's run, is that run's
(x37r2 F3: two hosts on one Redis coordinator; host A killed with a merge in flight that
never applied, host B's run merged the pair ~33 s later, and A's resume reported it
``merged``, ``"reconciled": true``, with B's merge time, while B's job reported it
``merged`` too — one merge on the server, two reports). The reconcile asks the claims who
settled the pair: ``already merged by job B``. A real redis-server, the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.coordinator import ENV_COORDINATOR
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from tests.dedupe_job_support import resume, seed_pairs, two_hosts
from tests.redis_helpers import RedisServer, redis_server
from tests.update_support import run_job

__all__ = ["redis_server"]

GROUPS = 3


@pytest.mark.anyio
async def test_an_in_doubt_merge_the_other_host_made_is_reported_as_its(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=45)) as sb:
        seed_pairs(sb, GROUPS)
        a, b = await two_hosts(sb, tmp_path, monkeypatch)
        stores = [a, b]
        # host A was killed with its first merge in flight (sent, never applied)
        first = min(i.id for i in a.items(ItemState.PENDING))
        a.mark_sending([first], now=a.wall())
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-b"))
        await run_job(sb, b)  # host B merges every pair
        assert sum(1 for _ in b.items(ItemState.DONE)) == GROUPS
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-a"))
        await resume(sb, a)
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
