"""`dedupe run --json` names each count by what it counts: `skipped` counts rows (one a deal
merged away, as the `rows:` line and succeeded.csv do) and `skipped_for_review` groups, so it
also says `skipped_rows`, `skipped_for_review_groups` and `skipped_for_review_rows` (x42r2
F7c: 56 skipped beside 54 skipped for review, rows beside groups, with nothing to tell)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.dedupe_job_support import deal, seed_account
from tests.update_support import cli_args, threaded_sandbox


def test_run_json_names_rows_and_groups_apart(tmp_path: Path) -> None:
    """Groups left below --auto-apply-above, one of three deals: its two rows and one group
    are told apart."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seeded = seed_account(sb)
        # a copy with a typo, no value, 10 h later: a duplicate below 1.0 (the web pair scored
        # 0.92 for its two values before x45r2 F1; two amounts are review now)
        deal(sb, "Acme Corp - website redesing", seeded["orgs"]["acme"], value=0,
             add="2026-11-01T20:05:00Z")
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        ran = CliRunner().invoke(app, ["dedupe", "run", "--json", "--auto-apply-above", "1.0",
                                       "-o", str(tmp_path / "p"),
                                       *cli_args(sb, tmp_path / "j")], env=env)
        assert ran.exit_code == 0, ran.output
    out = orjson.loads(ran.stdout)
    groups, rows = out["skipped_for_review_groups"], out["skipped_for_review_rows"]
    assert out["skipped_rows"] == out["skipped"] and groups == out["skipped_for_review"], out
    assert rows == out["skipped_rows"] and groups < rows, out
    assert (groups, rows, out["merged"]) == (1, 2, 1), out  # the web group left; renewal merged
