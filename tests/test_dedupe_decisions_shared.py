"""A reviewer's keep-separate decisions bind every host of the company on one shared
coordinator (x38r2 F2: host A kept 3 groups apart and applied; host B's ``dedupe run
--since-last`` merged 3 of 3), and a pair taken out of the deciding host's
``keep-separate.json`` is forgotten on every host. Without a coordinator they stay the
state directory's. A real redis-server, the sandbox."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

import jobs
from bulk.coordinator import ENV_COORDINATOR
from bulk.sandbox import SandboxConfig, serve
from tests.dedupe_job_support import keep_separate, seed_pairs
from tests.import_support import engine_config
from tests.redis_helpers import RedisServer, redis_server

__all__ = ["redis_server"]

GROUPS = 3



@pytest.mark.anyio
async def test_host_bs_night_holds_the_groups_host_a_kept_apart(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=46)) as sb:
        seed_pairs(sb, GROUPS)
        a, b = engine_config(sb, tmp_path / "a"), engine_config(sb, tmp_path / "b")
        state_a, state_b = tmp_path / "a" / "dedupe-state", tmp_path / "b" / "dedupe-state"
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "machine-a"))
        plan = await jobs.plan_dedupe(a, sb.token, tmp_path / "p")
        assert plan.duplicate_groups == GROUPS
        keep_separate(tmp_path / "p")
        kept = await jobs.apply_dedupe(a, sb.token, tmp_path / "p")
        assert kept.merged == 0
        assert len(orjson.loads((state_a / "keep-separate.json").read_bytes())) == GROUPS

        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "machine-b"))
        night = await jobs.run_dedupe(b, sb.token, since_last=True)
        assert night.merged == 0, night.lines  # 3 before the fix
        assert night.plan is not None and night.plan.duplicate_groups == 0
        assert night.plan.summary["keep_separate_pairs"] == GROUPS

        # host A's reviewer takes one pair out of its file: forgotten on host B too
        pairs = orjson.loads((state_a / "keep-separate.json").read_bytes())
        (state_a / "keep-separate.json").write_bytes(orjson.dumps(pairs[1:]))
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "machine-a"))
        # A's next run shares the forget (its plan half; a plan alone writes no shared
        # state, f39c), merging nothing here
        quiet = await jobs.run_dedupe(a, sb.token, max_merges=0)
        assert quiet.merged == 0, quiet.lines
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "machine-b"))
        again = await jobs.run_dedupe(b, sb.token)
        assert again.merged == 1, again.lines
        assert not (state_b / "keep-separate.json").exists()  # B decided nothing itself


@pytest.mark.anyio
async def test_without_a_coordinator_decisions_stay_the_state_directorys(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No coordinator joins the hosts: another state directory does not see them (README,
    "Two hosts"), and nothing is written beside the file."""
    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=46)) as sb:
        seed_pairs(sb, GROUPS)
        a, b = engine_config(sb, tmp_path / "a"), engine_config(sb, tmp_path / "b")
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "machine-a"))
        await jobs.plan_dedupe(a, sb.token, tmp_path / "p")
        keep_separate(tmp_path / "p")
        await jobs.apply_dedupe(a, sb.token, tmp_path / "p")
        assert not (tmp_path / "a" / "dedupe-state" / "keep-separate-shared.json").exists()
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "machine-b"))
        night = await jobs.run_dedupe(b, sb.token, since_last=True)
        assert night.merged == GROUPS
