"""``pdbulk dedupe plan`` and ``pdbulk dedupe run`` given no ``--config`` take the company's
newer config under a shared coordinator, as the library does (f40c): the CLI read the
folder's copy (or the defaults) itself and passed it down as a config *given*, so host B's
plan showed, and its night merged under, its own old config while host A had shared a
field policy (the README: "a host given no --config takes the company's latest"); the
night only wrote A's config over B's copy for the next night. A real redis-server, the
sandbox."""

from __future__ import annotations

from pathlib import Path

import anyio
import orjson
import pytest
from typer.testing import CliRunner

import jobs
from bulk.coordinator import ENV_COORDINATOR
from bulk.sandbox import SandboxConfig
from tests.dedupe_job_support import seed_pairs
from tests.import_support import engine_config
from tests.redis_helpers import RedisServer, redis_server
from tests.sandbox_helpers import threaded_sandbox

__all__ = ["redis_server"]

GROUPS = 2
STRICT = "[field_policy]\nvalue = \"max\"\n"


def test_host_bs_cli_plan_and_night_take_the_companys_config(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from pdbulk.cli import app

    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    (tmp_path / "strict.toml").write_text(STRICT, encoding="utf-8")
    with threaded_sandbox(SandboxConfig(time_scale=0.02, deals=1, seed=46)) as sb:
        seed_pairs(sb, GROUPS)
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "machine-a"))
        a = engine_config(sb, tmp_path / "a")
        first = anyio.run(lambda: jobs.run_dedupe(a, sb.token, config=tmp_path / "strict.toml",
                                                  max_merges=0))
        assert first.plan is not None and first.plan.summary["field_policy"] == {"value": "max"}

        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "machine-b"))
        monkeypatch.setenv("PIPEDRIVE_API_TOKEN", sb.token)
        common = ["--url", sb.url, "--job-dir", str(tmp_path / "b")]
        plan = CliRunner().invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p1"), *common])
        assert plan.exit_code == 0, plan.output
        summary = orjson.loads((tmp_path / "p1" / "summary.json").read_bytes())
        assert summary["field_policy"] == {"value": "max"}, plan.output  # {} before the fix
        assert "another host" in plan.output

        night = CliRunner().invoke(app, ["dedupe", "run", "-o", str(tmp_path / "n1"), *common])
        assert night.exit_code == 0, night.output
        summary = orjson.loads((tmp_path / "n1" / "summary.json").read_bytes())
        assert summary["field_policy"] == {"value": "max"}, night.output  # {} before the fix
