"""An import killed with creates in flight and resumed to finished: ``pdbulk status`` says
no row is in doubt (x43r5 F3: it said "+ up to 50 in doubt ... a resume takes that back",
read as rows left to resume, while the job's last line said every row was settled). The
tokens in doubt stay (calls whose answer a kill cut off, charged or not: ``bulk.ledger``);
the words say they are tokens and that 0 rows are in doubt, in ``status`` as in the run's
own line, and ``status --json`` has ``in_doubt`` 0."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from bulk.sandbox.config import Faults
from bulk.store import ItemState, JobStore
from jobs.demo_data import write_demo_export
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox, kill_mid_run

SETTLED = "rows in doubt: 0 — every row is settled: nothing is left to resume"


def test_status_after_a_resume_that_settled_every_row_says_no_row_is_in_doubt(
        tmp_path: Path) -> None:
    """Killed once 4 creates were applied (some dropped unapplied, some answers lost), resumed to finished:
    the resume's ``tokens:`` line, ``status`` and ``status --json`` agree: 0 rows in doubt,
    the tokens in doubt said as tokens of calls, not as work left."""
    export = write_demo_export(tmp_path / "in", rows=20, broken=0, unknown_stage=0)
    config = SandboxConfig(plan="ultimate", seed=5, faults=Faults(
        latency_ms=150.0, drop_rate=0.3, lost_response_rate=0.3, only_operations=frozenset({"addDeal"})))
    jobs = tmp_path / "jobs"
    with ThreadedSandbox(config) as sb:
        kill_mid_run(sb, ["import", str(export.manifest), "-m", str(export.mapping),
                          "--url", sb.url, "--plan", "ultimate", "--job-dir", str(jobs),
                          "--create-key-field"],
                     operation="addDeal", applied=4, poll=0.01)
        (job,) = [p for p in jobs.iterdir() if p.is_dir()]
        with JobStore.open(job, lock=False) as store:
            assert store.counts()[ItemState.SENDING] > 0  # rows in doubt at the kill
        sb.set_faults(Faults())
        res = CliRunner().invoke(app, ["resume", job.name, "--job-dir", str(jobs)],
                                 env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
    assert res.exit_code == 0, res.output
    summary = orjson.loads((job / "summary.json").read_bytes())
    assert summary["tokens_in_doubt"] > 0, summary  # the kill's calls: charged or not
    status = CliRunner().invoke(app, ["status", job.name, "--job-dir", str(jobs)])
    assert status.exit_code == 0, status.output
    assert SETTLED in status.output, status.output
    assert "a resume takes that back" not in status.output, status.output
    assert SETTLED in res.output, res.output
    info = orjson.loads(CliRunner().invoke(
        app, ["status", job.name, "--json", "--job-dir", str(jobs)]).stdout)
    assert info["in_doubt"] == 0 and info["status"] == "finished", info
    assert info["tokens_in_doubt"] == summary["tokens_in_doubt"]
