"""An import's plan prices the run's work after its last write — the check for deals
another run doubled, the run's record, the result files — at ``END_SECONDS_PER_ROW`` a
row (f34d: 3.3 s of a 19.1 s run of 2,000 rows, 17 %, which the plan of 12.1 s left out),
and says so on its time line."""

from __future__ import annotations

import io
import os
from pathlib import Path

import orjson
import pytest
from rich.console import Console
from typer.testing import CliRunner

from bulk.plans import plan_limits
from bulk.sandbox import SandboxConfig
from jobs.demo_data import write_demo_export
from jobs.planning import END_SECONDS_PER_ROW, Plan, end_of_run_seconds, estimate, render_plan
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox


def test_end_of_run_seconds_scale_with_rows_and_pace_never_below_the_reference() -> None:
    """2,000 rows: 1.6 s on the reference machine, twice that at pace 2, never less."""
    assert end_of_run_seconds(2000) == 2000 * END_SECONDS_PER_ROW
    assert end_of_run_seconds(2000, 2.0) == 2 * end_of_run_seconds(2000)
    assert end_of_run_seconds(2000, 0.5) == end_of_run_seconds(2000)
    assert end_of_run_seconds(0) == 0.0


def test_estimate_adds_the_end_of_run_work_and_says_it() -> None:
    """The same writes, with and without the end-of-run work: the plan is that much
    longer, and its time line names it."""
    limits = plan_limits("ultimate", auth="oauth")
    calls = {"addDeal": 2000, "getDeals": 4}

    def plan(end: float) -> Plan:
        return estimate("import", calls, limits, rows=2000, bad_rows=0,
                        tokens_left_today=None, load_seconds=1.0, latency=0.04,
                        end_seconds=end)

    bare, priced = plan(0.0), plan(end_of_run_seconds(2000))
    assert priced.seconds - bare.seconds == pytest.approx(end_of_run_seconds(2000))
    assert priced.to_json()["end_seconds"] == end_of_run_seconds(2000)
    out = io.StringIO()
    render_plan(priced, console=Console(file=out, width=400))
    assert "then the end-of-run check and the result files)" in out.getvalue()
    out = io.StringIO()
    render_plan(bare, console=Console(file=out, width=400))
    # its own load is in its time (w57r1 F1: it said the reading came "on top"): named
    assert "reading the file and writing the reports come on top" not in out.getvalue()
    assert "reading the account and the file and deciding each row about 1 s" in out.getvalue()


def test_plan_import_prices_the_end_of_run_work(tmp_path: Path) -> None:
    """`plan import` of 300 rows: at least 300 x ``END_SECONDS_PER_ROW`` of its seconds
    are the end-of-run work (more where this machine is slower now)."""
    export = write_demo_export(tmp_path, rows=300)
    with ThreadedSandbox(SandboxConfig(plan="ultimate", deals=20, seed=3)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token,
               "PDBULK_STATE_DIR": str(tmp_path / "state")}
        res = CliRunner().invoke(app, [
            "plan", "import", str(export.manifest), "--mapping", str(export.mapping),
            "--create-key-field", "--url", sb.url, "--plan", "ultimate", "--json",
            "--failed-csv", str(tmp_path / "pf.csv")], env=env)
    assert res.exit_code in (0, 3), res.output
    plan = orjson.loads(res.stdout)
    assert plan["end_seconds"] >= 300 * END_SECONDS_PER_ROW, plan["end_seconds"]
    assert plan["seconds"] > plan["end_seconds"]
