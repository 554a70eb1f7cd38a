"""plan import's time estimate held against an actual run at the same limits and latency
(issue 10 section 10)."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from jobs.demo_data import write_demo_export
from jobs.planning import host_ticks, stolen_share
from pdbulk.cli import app
from pdbulk.demo import TOKEN, sandbox_process

STEAL_CHANGE = 0.05  # more of the CPU the host takes during a run than during its plan


def _plan_and_run(tmp_path: Path, latency_ms: float) -> tuple[float, float, float, float]:
    """(estimate, actual) in seconds, and the host's share of this machine's CPU (steal)
    during each: plan import, then import, on a fresh sandbox in its own process (in this
    one, its CPU would slow the run's and not the plan's)."""
    export = write_demo_export(tmp_path, rows=300)
    env = {"PIPEDRIVE_API_TOKEN": TOKEN, "PDBULK_STATE_DIR": str(tmp_path / "state")}
    with sandbox_process(plan="ultimate", oauth=True, latency_ms=latency_ms, jitter_ms=0.0,
                         deals=200, seed=3) as url:
        common = [str(export.manifest), "--mapping", str(export.mapping), "--create-key-field",
                  "--url", url, "--plan", "ultimate", "--oauth"]
        ticks = host_ticks()
        planned = CliRunner().invoke(app, ["plan", "import", *common, "--json",
                                           "--failed-csv", str(tmp_path / "pf.csv")], env=env)
        ticks, plan_stolen = host_ticks(), stolen_share(ticks, host_ticks())
        assert planned.exit_code == 3, planned.output
        estimate = orjson.loads(planned.stdout)["seconds"]
        began = time.perf_counter()
        ran = CliRunner().invoke(app, ["import", *common, "--json", "--job-dir",
                                       str(tmp_path / "jobs")], env=env)
        # the command's wall time, its load included, as the plan prices it (summary.json's
        # wall_seconds counts the runs alone, since runs are entered as they start: x22r2)
        actual = time.perf_counter() - began
        run_stolen = stolen_share(ticks, host_ticks())
        assert ran.exit_code == 3, ran.output
    print(f"plan {estimate:.2f} s, run {actual:.2f} s; stolen by the host: "
          f"{plan_stolen:.0%} during the plan, {run_stolen:.0%} during the run")
    return float(estimate), float(actual), plan_stolen, run_stolen


@pytest.mark.timing
@pytest.mark.parametrize("latency_ms", [10.0, 40.0, 120.0])
def test_plan_time_within_tolerance_of_the_run(tmp_path: Path, latency_ms: float) -> None:
    """Measured on an idle machine: the plan 1-3 % short of the run at 10-120 ms, since it
    prices this process's CPU per write (``jobs.planning.closed_loop_rate``); without it,
    24-92 % short (at 10-40 ms these 300 rows are bound by the CPU, not the account). That
    CPU is stretched by ``machine_pace`` on a slower or busier machine (x15: CI's runs took
    1.5-2.4 times their plan before; with both cores busy with other processes here, the
    plan is now 2-22 % short of the run). The pace of a loaded machine changes from one
    moment to the next: up to three more tries on a fresh sandbox before failing. A try
    during whose run the host (a virtual machine's) took 5 points more of the CPU than
    during its plan does not count (x15: with 10-40 % stolen during the runs, same code,
    they took twice as long as an hour before): four such tries skip the test, naming
    the steal figures."""
    said: list[str] = []
    off: tuple[float, float] | None = None
    for attempt in range(4):
        estimate, actual, plan_stolen, run_stolen = _plan_and_run(tmp_path / str(attempt),
                                                                  latency_ms)
        if run_stolen > plan_stolen + STEAL_CHANGE:
            said.append(f"{plan_stolen:.0%} then {run_stolen:.0%}")
            continue  # the host took more of the CPU during the run than the plan saw
        # short by at most 25 %; long by at most 40 %: on a machine faster than the
        # reference one the plan does not shrink its CPU per write (``machine_pace`` is
        # floored at 1.0: below it a sample is mostly noise), so a CPU-bound run (10 ms)
        # there comes in under its plan (fresh-clone CI, this session: 1.06 s planned,
        # 0.84 s taken) — the side a user can plan with
        if -0.25 * actual <= estimate - actual <= 0.40 * actual:
            return
        off = (estimate, actual)
    if off is not None:
        raise AssertionError(f"plan {off[0]} s vs run {off[1]} s: more than 25 % short or "
                             "40 % long")
    pytest.skip("the host took more of this machine's CPU during each run than during its "
                f"plan (steal: {', '.join(said)}): no run to hold the plan against")
