"""A job that ends without a run (nothing selected) settles its ledger first (x45r8 F1):
its load's answered reads are charged, none in doubt, in summary.json, in ``run_job``'s
lines and in ``status`` alike; its ``--json`` is its summary.json (x45r8 F3)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig, serve
from pdbulk.cli import app
from tests.import_support import engine_config
from tests.update_support import cli_args, threaded_sandbox

MOVE = ["move-stage", "--pipeline", "Sales", "--stage", "Qualified", "--status", "open",
        "--to-stage", "Proposal Made", "--yes"]


@pytest.mark.anyio
async def test_a_move_that_selects_no_deal_leaves_nothing_in_doubt(tmp_path: Path) -> None:
    """x45r8 F1: 0 deals selected: summary.json said ``tokens_in_doubt: 10`` (getDeals)
    and the lines "10 charged + up to 10 in doubt" for 2 answered reads; now 0."""
    from jobs import move_deals, run_job
    from jobs.selection import DealQuery

    async with serve(SandboxConfig(time_scale=0.05, deals=0, seed=24)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs")
        done = await run_job(cfg, sb.token, move_deals(
            "Proposal Made", select=DealQuery(pipeline="Sales", stage="Qualified",
                                              status="open")))
    assert done.status == "finished" and done.tokens > 0, done
    summary = orjson.loads((done.directory / "summary.json").read_bytes())
    assert summary["tokens"] == done.tokens, summary
    assert summary["tokens_in_doubt"] == 0, summary
    assert summary["tokens_in_doubt_by_operation"] == {}, summary
    assert not any("in doubt" in line for line in done.lines), done.lines


def test_move_stage_json_with_no_deal_is_its_summary(tmp_path: Path) -> None:
    """x45r8 F3: ``move-stage … --yes --json`` with 0 matches printed only status, job,
    job_dir and a note, no tokens; now its summary.json with job, job_dir, status, and
    ``status --json`` agrees on the tokens in doubt."""
    jobs = tmp_path / "jobs"
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=0, seed=24)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        res = CliRunner().invoke(app, [*MOVE, "--json", *cli_args(sb, jobs)], env=env)
    assert res.exit_code == 0, res.output
    data = orjson.loads(res.stdout)
    (job,) = jobs.iterdir()
    assert data["job"] == job.name and data["job_dir"] == str(job), data
    assert data["status"] == "finished", data
    assert data["tokens"] > 0 and data["tokens_in_doubt"] == 0, data
    assert data["items"]["done"] == 0 and data["note"] == "nothing to send", data
    res = CliRunner().invoke(app, ["status", job.name, "--json", "--job-dir", str(jobs)],
                             env=env)
    assert res.exit_code == 0, res.output
    status = orjson.loads(res.stdout)
    assert status["tokens_in_doubt"] == data["tokens_in_doubt"] == 0, status
