"""plan import's time estimate held against an actual run at the same limits and latency
(issue 10 section 10)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Faults, SandboxConfig
from jobs.demo_data import write_demo_export
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "plan-time-token"


def _plan_and_run(tmp_path: Path, latency_ms: float) -> tuple[float, float]:
    """(estimate, actual) in seconds: plan import, then import, on a fresh sandbox."""
    export = write_demo_export(tmp_path, rows=300)
    env = {"PIPEDRIVE_API_TOKEN": TOKEN, "PDBULK_STATE_DIR": str(tmp_path / "state")}
    config = SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=200, seed=3,
                           faults=Faults(latency_ms=latency_ms))
    with ThreadedSandbox(config) as sb:
        common = [str(export.manifest), "--mapping", str(export.mapping),
                  "--create-key-field", "--url", sb.url, "--plan", "ultimate", "--oauth"]
        planned = CliRunner().invoke(app, ["plan", "import", *common, "--json",
                                           "--failed-csv", str(tmp_path / "pf.csv")], env=env)
        assert planned.exit_code == 3, planned.output
        estimate = orjson.loads(planned.stdout)["seconds"]
        ran = CliRunner().invoke(app, ["import", *common, "--json", "--job-dir",
                                       str(tmp_path / "jobs")], env=env)
        assert ran.exit_code == 3, ran.output
        job = next(d for d in (tmp_path / "jobs").iterdir() if d.is_dir())
        actual = orjson.loads((job / "summary.json").read_bytes())["wall_seconds"]
    print(f"plan {estimate:.2f} s, run {actual:.2f} s")
    return float(estimate), float(actual)


@pytest.mark.timing
@pytest.mark.parametrize("latency_ms", [40.0, 120.0])  # at 10 ms local CPU dominates: see bench
def test_plan_time_within_tolerance_of_the_run(tmp_path: Path, latency_ms: float) -> None:
    """Measured on an idle machine: the run within 5-16 % of the plan at 10-120 ms. The
    run's local work (mapping, the job store, claims) is CPU time the plan does not price,
    so a loaded machine (CI) stretches it: up to two more tries on a fresh sandbox before
    failing (at 40 ms the run sits 10-21 % over the plan on this machine, so two tries
    both past 25 % failed about 1 fresh-clone CI run in 10, old and new code alike)."""
    for attempt in range(3):
        estimate, actual = _plan_and_run(tmp_path / str(attempt), latency_ms)
        if abs(estimate - actual) <= 0.25 * actual:
            return
    raise AssertionError(f"plan {estimate} s vs run {actual} s: off by more than 25 %")
