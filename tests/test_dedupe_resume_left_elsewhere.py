"""A dedupe apply, and its job resumed, whose reviewer-decided group another host's live run holds exit 6
(README, Exit codes: held by another live process, try again later), not 3 (x48r14, f48j:
``left to it; nothing sent`` was counted with the decisions refused: "1 reviewer decision =
merge not followed", exit 3 — the code for refused rows, where nothing was refused: the
other run merges it). A real redis-server; the other host is a child process posing as
``host-a``, holding the pair's claims (renewed) until it is killed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.coordinator import ENV_COORDINATOR
from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.dedupe_job_support import seed_account
from tests.redis_helpers import RedisServer, born_long_ago, redis_server
from tests.test_dedupe_messages import _decide_merge
from tests.update_support import cli_args, threaded_sandbox

__all__ = ["redis_server"]

ROOT = Path(__file__).resolve().parents[1]
_HOST_A = """
import socket, sys, anyio
socket.gethostname = lambda: "host-a"          # another host: its lease decides, not its pid
from bulk.coordinator import bind_company
from bulk.store import Item, ItemState
from jobs.dedupe.apply_claims import GroupClaims

async def main() -> None:
    bind_company(sys.argv[1])
    claims = GroupClaims("job-a")
    item = Item(1, 1, "g1", "mergeDeals", {"merge_id": int(sys.argv[2]),
                "survivor_id": int(sys.argv[3])}, ItemState.PENDING, 0, None, None, None, None)
    assert await claims.take(item) is None
    print("taken", flush=True)
    await anyio.sleep(300)   # killed long before

anyio.run(main)
"""


def test_a_resume_whose_decided_group_another_host_holds_exits_6(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-b"))
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        company = str(sb.state.company["id"])
        born_long_ago(redis_server, company)
        ids = seed_account(sb)["ids"]
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = cli_args(sb, tmp_path / "j")
        planned = CliRunner().invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p"),
                                           *args], env=env)
        assert planned.exit_code == 0, planned.output
        _decide_merge(tmp_path / "p" / "groups.csv", ids["web"])
        host_a = subprocess.Popen(
            [sys.executable, "-c", _HOST_A, company, str(ids["web_copy"]), str(ids["web"])],
            env={**env, "PDBULK_STATE_DIR": str(tmp_path / "state-a"),
                 "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        try:
            assert host_a.stdout is not None
            line = host_a.stdout.readline()  # bounded: the child claims at once or dies
            assert line.strip() == "taken", (line, host_a.poll())
            applied = CliRunner().invoke(app, ["dedupe", "apply", str(tmp_path / "p"),
                                               "--yes", *args], env=env)
            (job,) = [p.name for p in (tmp_path / "j").iterdir() if "-dedupe-" in p.name]
            resumed = CliRunner().invoke(app, ["resume", job, "--job-dir",
                                               str(tmp_path / "j"), "--yes"], env=env)
        finally:
            host_a.kill()
            host_a.communicate(timeout=30)
    assert applied.exit_code == 6, (applied.output, applied.stderr)  # the apply, likewise
    (folder,) = [p for p in (tmp_path / "j").iterdir() if "-dedupe-" in p.name]
    assert "being merged by another run (process" in (folder / "succeeded.csv").read_text()
    assert resumed.exit_code == 6, (resumed.output, resumed.stderr)
    assert "not followed" not in resumed.stderr, resumed.stderr
    assert "host-a" in resumed.stderr, resumed.stderr
