"""`dedupe plan` and `plan dedupe` say what their own reads cost (calls, tokens by operation):
a plan is not free, and the nightly budget should see it (x33r1 L6)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.coordinator import ENV_COORDINATOR
from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.dedupe_job_support import seed_account
from tests.redis_helpers import RedisServer, redis_server
from tests.update_support import cli_args, threaded_sandbox

__all__ = ["redis_server"]


def test_both_plans_print_the_cost_of_their_reads(tmp_path: Path) -> None:
    """Each prints ``reads for this plan: N call(s), T tokens (getStages 5, ...)``, and the
    tokens add up over the operations named."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = cli_args(sb, tmp_path / "j")
        for command in (["dedupe", "plan", "-o", str(tmp_path / "p")], ["plan", "dedupe"]):
            res = CliRunner().invoke(app, [*command, *args], env=env)
            assert res.exit_code == 0, res.output
            line = next((x for x in res.output.splitlines()
                         if x.startswith("reads for this plan: ")), "")
            m = re.match(r"reads for this plan: (\d+) call\(s\), (\d+) tokens \((.*?)\)(, spent|$)",
                         line)
            assert m is not None, res.output
            assert int(m.group(1)) >= 3 and "getStages 5" in m.group(3), line
            parts = re.findall(r"(\w+) (\d+)(?: \(\d+ calls\))?", m.group(3))
            assert sum(int(t) for _, t in parts) == int(m.group(2)), line


@pytest.mark.parametrize("shared", [False, True])
def test_dedupe_plan_line_counts_every_token_the_server_charged(
        tmp_path: Path, shared: bool, request: pytest.FixtureRequest,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The line's tokens are the server's for the whole command, GET /v1/users/me's 2 too,
    the one a shared coordinator's bind makes (x41r6 F5a: the line said 55, the server
    counted 57)."""
    if shared:
        server: RedisServer = request.getfixturevalue("redis_server")
        monkeypatch.setenv(ENV_COORDINATOR, server.url)
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = cli_args(sb, tmp_path / "j")
        before = dict(sb.stats()["tokens_by_operation"])  # type: ignore[attr-defined]
        res = CliRunner().invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p"), *args],
                                 env=env)
        assert res.exit_code == 0, res.output
        after = dict(sb.stats()["tokens_by_operation"])  # type: ignore[attr-defined]
        spent = {op: t - before.get(op, 0) for op, t in after.items() if t - before.get(op, 0)}
        line = next(x for x in res.output.splitlines() if x.startswith("reads for this plan: "))
        m = re.match(r"reads for this plan: \d+ call\(s\), (\d+) tokens", line)
        assert m is not None, line
        assert int(m.group(1)) == sum(spent.values()), (line, spent)
        assert "getCurrentUser" in line or "getCurrentUser" not in spent, (line, spent)
