"""A resumed dedupe job names the other host's job that merged its pairs meanwhile (x36r2 F4:
host 1 killed, host 2 merged the rest under one Redis coordinator; host 1's resume said
``merged-away deal N no longer exists (deleted, archived or merged ...)`` where the README
promises ``already merged by job <other job>``): the re-read asks the claims who merged each
gone deal. A real redis-server, the sandbox."""

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
async def test_a_resume_names_the_other_hosts_job_that_merged_its_pairs(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=44)) as sb:
        seed_pairs(sb, GROUPS)
        a, b = await two_hosts(sb, tmp_path, monkeypatch)
        stores = [a, b]
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-b"))
        await run_job(sb, b)  # host b merges every pair; host a never ran (killed first)
        assert sum(1 for _ in b.items(ItemState.DONE)) == GROUPS
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-a"))
        await resume(sb, a)
        reasons = [str((i.result or {}).get("reason")) for i in a.items()]
        assert len(reasons) == GROUPS
        assert all(r.startswith("already merged by job dedupe-b") for r in reasons), reasons
        for s in stores:
            s.close()
