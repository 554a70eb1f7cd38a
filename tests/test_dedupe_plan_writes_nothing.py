"""A ``dedupe plan`` writes nothing but its plan folder: not
the machine's coordination marker (``coordinated/``), under a shared coordinator or not
(f41d 5: the plan's engine wrote it; a plan is a read, and the marker refuses later runs
without the coordinator). What the server said of its day (``bulk.day_seen``, ``days/``) is
a cache of the server's answers every command may refresh (f41a: the run after a plan asks
nothing the plan priced), so it is not checked here. The dedupe state folder's own record of its account
and the user's list of state folders (``state_home``) are the plan's documented binding of
its state folder, not checked here. A real redis-server, the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

import jobs
from bulk.coordinator import ENV_COORDINATOR
from bulk.sandbox import SandboxConfig, serve
from tests.dedupe_job_support import seed_pairs
from tests.import_support import engine_config
from tests.redis_helpers import RedisServer, redis_server

__all__ = ["redis_server"]


def _files(root: Path, but: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")
            if p.is_file() and but not in p.parents}


@pytest.mark.anyio
@pytest.mark.parametrize("coordinated", [True, False])
async def test_a_plan_writes_nothing_but_its_plan(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch,
        coordinated: bool) -> None:
    if coordinated:
        monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    else:
        monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    machine = tmp_path / "machine"
    monkeypatch.setenv("PDBULK_STATE_DIR", str(machine))
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=54)) as sb:
        seed_pairs(sb, 2)
        cfg = engine_config(sb, tmp_path / "jobs")
        before = _files(tmp_path, tmp_path / "p")
        plan = await jobs.plan_dedupe(cfg, sb.token, tmp_path / "p")
        assert plan.duplicate_groups == 2
        assert (tmp_path / "p" / "groups.csv").is_file()
        written = _files(tmp_path, tmp_path / "p") - before
        machine_wide = {w for w in written if w.startswith("machine/coordinated/")
                        and not w.endswith(".lock")}  # the run-kind lock's file
        assert machine_wide == set(), written
