"""Under one shared coordinator the dedupe config binds every host of the company, as the
keep-separate decisions do (f39c: ``--config`` was per state directory, so host A's run
given a field policy merged under it and host B's night, given none, merged without it).
A run's ``--config`` is shared; a host given none takes the company's latest, says so, and
keeps it as its copy; a plan only reads it (nothing written). A real redis-server, the
sandbox."""

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

GROUPS = 3
STRICT = "[field_policy]\nvalue = \"max\"\n"  # a survivor takes the group's highest value


@pytest.mark.anyio
async def test_host_bs_night_runs_with_the_config_host_a_was_given(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=46)) as sb:
        seed_pairs(sb, GROUPS)
        a, b = engine_config(sb, tmp_path / "a"), engine_config(sb, tmp_path / "b")
        state_b = tmp_path / "b" / "dedupe-state"
        (tmp_path / "strict.toml").write_text(STRICT, encoding="utf-8")

        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "machine-b"))
        loose = await jobs.plan_dedupe(b, sb.token, tmp_path / "p0")
        assert loose.summary["field_policy"] == {}  # B's defaults

        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "machine-a"))
        first = await jobs.run_dedupe(a, sb.token, config=tmp_path / "strict.toml",
                                      max_merges=0)
        assert first.merged == 0 and first.plan is not None
        assert first.plan.summary["field_policy"] == {"value": "max"}, first.lines

        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "machine-b"))
        notes: list[str] = []
        plan = await jobs.plan_dedupe(b, sb.token, tmp_path / "p1", note=notes.append)
        assert plan.summary["field_policy"] == {"value": "max"}, notes  # the company's, read
        assert any("another host" in n for n in notes), notes
        assert not (state_b / "config.toml").exists()  # a plan writes nothing

        night = await jobs.run_dedupe(b, sb.token, since_last=True)
        assert night.plan is not None and night.merged == GROUPS, night.lines
        assert night.plan.summary["field_policy"] == {"value": "max"}  # {} before the fix
        assert (state_b / "config.toml").read_text(encoding="utf-8") == STRICT
