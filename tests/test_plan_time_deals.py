"""The plans of update, move-stage, merge and undo price the round trip as the import's
does: the load measured, then the writes at the latency its answers took."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from bulk.sandbox.config import Faults
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

LATENCY = 0.3


@pytest.mark.timing
def test_plan_move_stage_counts_the_round_trips(tmp_path: Path) -> None:
    """f22d F4: at 300 ± 100 ms `plan move-stage` said 4.2 s (the burst window, one round
    trip on top) for a run of 6.5 s. Here at 300 ms flat: the plan counts the load it
    measured (pipelines, stages, the deals' pages: one round trip each at least), the
    re-check read before each batch and a round trip of writes; the burst window alone
    said 0.3 s."""
    config = SandboxConfig(plan="ultimate", deals=60, seed=15,
                           faults=Faults(latency_ms=LATENCY * 1000))
    with ThreadedSandbox(config) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        res = CliRunner().invoke(app, [
            "plan", "move-stage", "--status", "open", "--to-stage", "Qualified", "--json",
            "--url", sb.url, "--plan", "ultimate", "--job-dir", str(tmp_path / "jobs")],
            env=env)
    assert res.exit_code == 0, res.output
    plan = orjson.loads(res.stdout)
    assert plan["calls"].get("updateDeal", 0) > 0, plan
    # getPipelines, getStages and one getDeals page, in sequence; a re-check; the writes
    assert plan["seconds"] >= 5 * LATENCY, plan["seconds"]
