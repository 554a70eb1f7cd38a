"""`pdbulk dedupe run` given no --config plans with the config another host shared on the
coordinator and says so (x40r3 F3: host B's run, started 1.5 s after host A shared value =
max, planned with the old ``field_policy {}`` and then wrote A's config over its copy
without a word — the command line passed the copy as if given); a run says which config it
used; an apply whose plan's field policy the config in force no longer has says it keeps
the plan's. A real redis-server, the sandbox."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

import jobs
from bulk.coordinator import ENV_COORDINATOR
from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.dedupe_job_support import seed_pairs
from tests.import_support import engine_config
from tests.redis_helpers import RedisServer, redis_server
from tests.sandbox_helpers import threaded_sandbox
from tests.update_support import cli_args

__all__ = ["redis_server"]

GROUPS = 2
STRICT = "[field_policy]\nvalue = \"max\"\n"


def test_a_cli_run_given_no_config_takes_the_shared_one_and_says_so(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    with threaded_sandbox(SandboxConfig(time_scale=0.02, deals=1, seed=51)) as sb:
        seed_pairs(sb, GROUPS)
        (tmp_path / "strict.toml").write_text(STRICT, encoding="utf-8")
        runner = CliRunner()
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token, ENV_COORDINATOR: redis_server.url}
        env_a = {**env, "PDBULK_STATE_DIR": str(tmp_path / "machine-a")}
        env_b = {**env, "PDBULK_STATE_DIR": str(tmp_path / "machine-b")}
        first = runner.invoke(app, ["dedupe", "run", "--max-merges", "0", "--config",
                                    str(tmp_path / "strict.toml"), "--json",
                                    *cli_args(sb, tmp_path / "a")], env=env_a)
        assert first.exit_code == 0, first.output
        assert "dedupe config: as given, kept" in first.stderr, first.stderr
        night = runner.invoke(app, ["dedupe", "run", "--max-merges", "0", "--json",
                                    *cli_args(sb, tmp_path / "b")], env=env_b)
        assert night.exit_code == 0, night.output
        summary = orjson.loads(night.stdout.strip().splitlines()[-1])
        assert summary["plan"]["field_policy"] == {"value": "max"}, night.stderr  # {} before
        assert "another host of this company" in night.stderr, night.stderr
        copy = tmp_path / "b" / "dedupe-state" / "config.toml"
        assert copy.read_text(encoding="utf-8") == STRICT


@pytest.mark.anyio
async def test_an_apply_says_it_keeps_the_plans_policy_when_the_config_changed(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Host B planned under the defaults; host A then shared value = max: B's apply of the
    plan keeps the plan's policy (none), and a note says so."""
    from bulk.sandbox import serve

    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=52)) as sb:
        seed_pairs(sb, GROUPS)
        a, b = engine_config(sb, tmp_path / "a"), engine_config(sb, tmp_path / "b")
        (tmp_path / "strict.toml").write_text(STRICT, encoding="utf-8")
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "machine-b"))
        await jobs.plan_dedupe(b, sb.token, tmp_path / "p-b")
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "machine-a"))
        await jobs.run_dedupe(a, sb.token, config=tmp_path / "strict.toml", max_merges=0)
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "machine-b"))
        run = await jobs.apply_dedupe(b, sb.token, tmp_path / "p-b")
        said = [line for line in run.lines if "config in force changed" in line]
        assert len(said) == 1, run.lines
        assert "value = max" in said[0] and "keeps the plan's, none" in said[0], said


def test_a_host_whose_copy_another_host_replaced_says_one_note_the_true_one(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """x40r4 F5: host C keeps its own copy (value = min), host B then shares value = max;
    C's plan and run given no --config said "using the dedupe config the last run was
    given" and then "another host's is in force", and used B's: now only the second. And
    the run's ``dedupe config:`` line is on stderr without --json too (it was on stdout)."""
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    with threaded_sandbox(SandboxConfig(time_scale=0.02, deals=1, seed=53)) as sb:
        seed_pairs(sb, GROUPS)
        (tmp_path / "strict.toml").write_text(STRICT, encoding="utf-8")
        (tmp_path / "other.toml").write_text("[field_policy]\nvalue = \"min\"\n",
                                             encoding="utf-8")
        runner = CliRunner()
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token, ENV_COORDINATOR: redis_server.url}
        env_b = {**env, "PDBULK_STATE_DIR": str(tmp_path / "machine-b")}
        env_c = {**env, "PDBULK_STATE_DIR": str(tmp_path / "machine-c")}

        def run(env: dict[str, str], folder: str, *more: str) -> Any:
            done = runner.invoke(app, ["dedupe", "run", "--max-merges", "0", *more,
                                       *cli_args(sb, tmp_path / folder)], env=env)
            assert done.exit_code == 0, done.output
            return done
        run(env_c, "c", "--config", str(tmp_path / "other.toml"), "--json")
        given = run(env_b, "b", "--config", str(tmp_path / "strict.toml"))
        assert "dedupe config: as given, kept" in given.stderr, given.stderr
        assert "dedupe config:" not in given.stdout, given.stdout
        planned = runner.invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p-c"),
                                      *cli_args(sb, tmp_path / "c")], env=env_c)
        assert planned.exit_code == 0, planned.output
        ran = run(env_c, "c")
        for done in (planned, ran):
            assert "another host of this company" in done.stderr, done.stderr
            assert "last run was given" not in done.output, done.output  # said before
        assert "dedupe config:" not in ran.stdout, ran.stdout
