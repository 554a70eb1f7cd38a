"""x21r2 F3: `dedupe apply` prints the plan table (calls, tokens, time) before its prompt,
as merge / move-stage / undo do, computed from the reviewed decisions."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.dedupe_job_support import seed_account
from tests.update_support import at_terminal, cli_args, threaded_sandbox
from tests.update_support import deal as sb_deal


def _keep_first_separate(path: Path) -> None:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[0]["decision"] = "keep-separate"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_apply_shows_the_cost_of_the_reviewed_plan_before_asking(tmp_path: Path) -> None:
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=81)) as sb:
        ids = seed_account(sb)["ids"]
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        made = runner.invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p"), *args], env=env)
        assert made.exit_code == 0, made.output
        _keep_first_separate(tmp_path / "p" / "groups.csv")  # 2 groups planned, 1 left
        with at_terminal():
            res = runner.invoke(app, ["dedupe", "apply", str(tmp_path / "p"), *args], env=env,
                                input="n\n")
        assert res.exit_code == 1, res.output  # declined
        table, _ = res.output.split("Merge 1 deal away?")
        assert "mergeDeals" in table and "tokens" in table, res.output
        merge_line = next(line for line in table.splitlines() if "mergeDeals" in line)
        assert "40" in merge_line and "80" not in merge_line, merge_line
        assert "merges to send: 1 (1 group(s))" in table and "failed.csv" not in table
        assert sb.token not in res.output
        assert not any(sb_deal(sb, i)["is_deleted"] for i in ids.values())
