"""The edge's block after too many 429s (FACTS.md "Rate limits": API-token integrations
that keep calling after 429s get a 403 with an HTML, Cloudflare, page), x32r3 2: the
sandbox's ``block_after`` fault models it, the client reads it as ``Blocked``, and a run
it stops says to wait, then try again, exit 4 (resumable), not 5 ("fix the token")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.errors import BLOCKED_ADVICE, Blocked
from bulk.sandbox import Faults, SandboxConfig
from jobs.demo_data import write_demo_export
from pdbulk.cli import parse_faults
from pdbulk.options import EXIT_STOPPED, describe, exit_code_for
from tests.sandbox_helpers import pdbulk_to_the_end, running

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "tok-f32n-blocked-0001"


@pytest.mark.anyio
async def test_block_after_n_429s_answers_403_html_then_lifts() -> None:
    clock = FakeClock()
    faults = Faults(storm_every=10.0, storm_length=2.0, block_after=2, block_seconds=30.0)
    async with running(SandboxConfig(faults=faults, clock=clock)) as (sb, api):
        assert (await api.get("/api/v2/pipelines")).status == 200
        clock.advance(8.5)  # into the storm: two 429s, then the block
        assert [(await api.get("/api/v2/pipelines")).status for _ in range(2)] == [429, 429]
        clock.advance(2.0)  # the storm is over, the block is not
        url = f"{sb.url}/api/v2/pipelines"
        async with api.session.get(url, headers=api.headers) as reply:
            page = await reply.text()
            assert reply.status == 403 and reply.content_type == "text/html"
            assert "<title>Attention Required! | Cloudflare</title>" in page
        async with PipedriveClient(sb.url, sb.token) as client:  # read as the edge's block
            with pytest.raises(Blocked) as info:
                await client.call("getPipelines")
        assert "Cloudflare" in str(info.value) and sb.token not in str(info.value)
        assert exit_code_for(info.value) == EXIT_STOPPED
        assert BLOCKED_ADVICE in describe(info.value) and "permission" not in describe(info.value)
        clock.advance(30.0)  # the block lifted
        assert (await api.get("/api/v2/pipelines")).status == 200
        assert sb.stats()["faults_injected"] == {"storm": 2, "block": 2}


def test_parse_faults_block() -> None:
    assert parse_faults("block=20:60") == {"block_after": 20, "block_seconds": 60.0}
    assert parse_faults("block=5") == {"block_after": 5}
    with pytest.raises(ValueError, match="block_after"):
        Faults(**parse_faults("block=0"))


def test_cli_run_blocked_over_http_exits_4_and_says_to_wait(tmp_path: Path) -> None:
    """A sandbox whose every call is a 429 (a storm all period long) and that blocks the
    token after 2: `pdbulk import` stops with the wait line, exit 4, no traceback."""
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "pdbulk", "sandbox", "--port", "0", "--token", TOKEN,
         "--faults", "storm=1:1,block=2:600"],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True)
    try:
        assert sandbox.stdout is not None
        line = sandbox.stdout.readline()
        assert "listening on" in line, line
        url = line.split("listening on", 1)[1].strip()
        export = write_demo_export(tmp_path / "in", rows=5, broken=0, unknown_stage=0)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": TOKEN, "PYTHONPATH": str(ROOT),
               "PDBULK_STATE_DIR": str(tmp_path / "state")}
        env.pop("PDBULK_COORDINATOR", None)
        env.pop("PDBULK_WINDOW", None)
        out = pdbulk_to_the_end(  # in this process (issue 8: a start-up less)
            ["import", str(export.manifest), "--mapping",
             str(export.mapping), "--url", url, "--job-dir", str(tmp_path / "jobs"),
             "--create-key-field"], env)
    finally:
        sandbox.terminate()
        sandbox.wait(10)
        if sandbox.stdout is not None:
            sandbox.stdout.close()
    assert out.returncode == EXIT_STOPPED, out.stderr
    assert "Traceback" not in out.stderr and "permission denied" not in out.stderr
    assert "Attention Required! | Cloudflare" in out.stderr and BLOCKED_ADVICE in out.stderr
    assert TOKEN not in out.stderr + out.stdout
