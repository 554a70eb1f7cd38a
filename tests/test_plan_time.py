"""plan import's time estimate held against an actual run at the same limits and latency
(issue 10 section 10)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from jobs.demo_data import write_demo_export
from pdbulk.cli import app
from pdbulk.demo import TOKEN, sandbox_process


def _plan_and_run(tmp_path: Path, latency_ms: float) -> tuple[float, float]:
    """(estimate, actual) in seconds: plan import, then import, on a fresh sandbox in its
    own process (in this one, its CPU would slow the run's and not the plan's)."""
    export = write_demo_export(tmp_path, rows=300)
    env = {"PIPEDRIVE_API_TOKEN": TOKEN, "PDBULK_STATE_DIR": str(tmp_path / "state")}
    with sandbox_process(plan="ultimate", oauth=True, latency_ms=latency_ms, jitter_ms=0.0,
                         deals=200, seed=3) as url:
        common = [str(export.manifest), "--mapping", str(export.mapping), "--create-key-field",
                  "--url", url, "--plan", "ultimate", "--oauth"]
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
@pytest.mark.parametrize("latency_ms", [10.0, 40.0, 120.0])
def test_plan_time_within_tolerance_of_the_run(tmp_path: Path, latency_ms: float) -> None:
    """Measured on an idle machine: the plan 1-3 % short of the run at 10-120 ms, since it
    prices this process's CPU per write (``jobs.planning.closed_loop_rate``); without it,
    24-92 % short (at 10-40 ms these 300 rows are bound by the CPU, not the account). That
    CPU is stretched by ``machine_pace`` on a slower or busier machine (x15: CI's runs took
    1.5-2.4 times their plan before; with both cores busy with other processes here, the
    plan is now 2-22 % short of the run). The pace of a loaded machine changes from one
    moment to the next: up to two more tries on a fresh sandbox before failing."""
    for attempt in range(3):
        estimate, actual = _plan_and_run(tmp_path / str(attempt), latency_ms)
        if abs(estimate - actual) <= 0.25 * actual:
            return
    raise AssertionError(f"plan {estimate} s vs run {actual} s: off by more than 25 %")
