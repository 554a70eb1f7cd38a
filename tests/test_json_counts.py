"""Every count in a ``--json`` summary is a number, never null or missing, whichever way
the command ended (x18r1 6: a stopped `dedupe run --json`, exit 4, had no
``policy_strays`` / ``policy_put_back``: null to jq)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.retry import RetryPolicy
from bulk.sandbox import Faults, SandboxConfig
from pdbulk.cli import app
from pdbulk.options import EXIT_STOPPED
from tests.dedupe_job_support import seed_account
from tests.update_support import cli_args, threaded_sandbox

# nulls that are no counts: no coordinator, no error, no result file missing, a time not
# reached
NOT_COUNTS = (".coordinator", ".error", ".last_error", ".message", ".results_missing", "_at",
              "_time")
COUNTS = ("merged", "failed", "skipped", "skipped_for_review", "tokens", "policy_strays",
          "policy_put_back")


def _nulls(value: Any, path: str = "") -> list[str]:
    """Where ``value`` (a parsed JSON object) holds a null."""
    if value is None:
        return [path or "."]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nulls(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for n, v in enumerate(value) for p in _nulls(v, f"{path}[{n}]")]
    return []


@pytest.fixture(autouse=True)
def no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """The retries' backoff made instant: what is tested is the end, not the wait."""
    monkeypatch.setattr(RetryPolicy, "backoff", lambda self, attempt, rng: 0.0)


def test_a_stopped_dedupe_run_counts_are_numbers(tmp_path: Path) -> None:
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=41)) as sb:
        seed_account(sb)
        sb.set_faults(Faults(error_rate=1.0, only_operations=frozenset({"mergeDeals"})))
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        ran = runner.invoke(app, ["dedupe", "run", "--json", *args], env=env)
        out = orjson.loads(ran.stdout)
        assert ran.exit_code == out["exit_code"] == EXIT_STOPPED, ran.output
        assert out["status"] == "stopped", out
        for key in COUNTS:
            assert isinstance(out.get(key), int), (key, out)
        job = next(d.name for d in (tmp_path / "j").iterdir() if "-dedupe-" in d.name)
        for command in (["status", job, "--json"], ["jobs", "--json"]):
            res = runner.invoke(app, [*command, "--job-dir", str(tmp_path / "j")], env=env)
            assert res.exit_code == 0, res.output
            nulls = [p for p in _nulls(orjson.loads(res.stdout))
                     if not p.endswith(NOT_COUNTS)]
            assert not nulls, (command, nulls, res.stdout)
        nulls = [p for p in _nulls(out) if not p.endswith(NOT_COUNTS)]
        assert not nulls, (nulls, out)
        again = runner.invoke(app, ["resume", job, "--json", "--job-dir", str(tmp_path / "j")],
                              env=env)  # still every merge 5xx: stopped again
        assert again.exit_code == EXIT_STOPPED, again.output
        nulls = [p for p in _nulls(orjson.loads(again.stdout)) if not p.endswith(NOT_COUNTS)]
        assert not nulls, (nulls, again.stdout)
