"""The server's headers correct the configured plan both ways (f23k): a --plan other than
the account's prices the time at the account's burst, and says the two disagree."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from jobs.demo_data import write_demo_export
from pdbulk.cli import app
from pdbulk.demo import TOKEN, sandbox_process


def test_a_plan_with_the_wrong_plan_prices_the_accounts_burst(tmp_path: Path) -> None:
    """Sandbox Growth (x-ratelimit-limit: 40), `plan import --plan ultimate` and `--plan
    lite`: the plan's time is at 40 requests per 2 s (it said 120 with ultimate: 11 s for a
    35-s run), and a line says the account allows 40, not the plan's figure."""
    export = write_demo_export(tmp_path, rows=60)
    env = {"PIPEDRIVE_API_TOKEN": TOKEN, "PDBULK_STATE_DIR": str(tmp_path / "state")}
    with sandbox_process(plan="growth", oauth=False, latency_ms=0.0, jitter_ms=0.0,
                         deals=20, seed=3) as url:
        for plan, burst in (("ultimate", 120), ("lite", 20), ("growth", 40)):
            out = CliRunner().invoke(app, [
                "plan", "import", str(export.manifest), "--mapping", str(export.mapping),
                "--create-key-field", "--url", url, "--plan", plan, "--json",
                "--failed-csv", str(tmp_path / "pf.csv")], env=env)
            assert out.exit_code in (0, 3), out.output
            planned = orjson.loads(out.stdout)
            assert planned["burst"] == 40, (plan, planned["burst"])
            said = "the account allows 40 requests per 2 s" in out.stderr
            assert said is (plan != "growth"), out.stderr
            if said:
                assert f"not the {burst} of the configured plan" in out.stderr
                assert "--plan" in out.stderr
