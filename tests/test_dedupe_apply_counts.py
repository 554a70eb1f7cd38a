"""`dedupe apply` says its plan's groups, the merges they ask for and the deals merged
away, for groups of 2, 3 and 5 deals alike: `groups: 4; merges: 8 — 8 merged`, and
`status` / `jobs` / `dedupe run --json` give `groups`, `file_rows` and `merges` (x43r5 F4:
`rows: 8 — 8 merged` for 4 groups, and `file_rows` / `merges` absent from a dedupe job's
`status --json`, read as null)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.dedupe_job_support import deal, org, seed_account
from tests.update_support import cli_args, threaded_sandbox


def _groups_of_three_and_five(sb: Sandbox) -> None:
    """Beside the seeded account's two 2-deal groups, one of 3 deals and one of 5."""
    seed_account(sb)
    umbrella, hooli = org(sb, "Umbrella Ltd"), org(sb, "Hooli Inc")
    for i in range(3):
        deal(sb, "Umbrella - Security audit", umbrella, value=500,
             add=f"2026-11-03T10:0{i}:00Z")
    for i in range(5):
        deal(sb, "Hooli - Data migration", hooli, value=700, add=f"2026-11-04T10:0{i}:00Z")


def test_apply_says_groups_merges_and_deals_merged_away(tmp_path: Path) -> None:
    """4 groups (2, 2, 3 and 5 deals) are 8 merges, 8 deals merged away: the run's line,
    summary.json, `status` and `jobs` (text and --json) all say so."""
    runner = CliRunner()
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        _groups_of_three_and_five(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = cli_args(sb, tmp_path / "j")
        planned = runner.invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p"), *args],
                                env=env)
        assert "groups: 4 (4 duplicate, 0 review); deals to merge away: 8" in planned.output
        ran = runner.invoke(app, ["dedupe", "apply", str(tmp_path / "p"), "--yes", *args],
                            env=env)
        assert ran.exit_code == 0, ran.output
    assert "groups: 4; merges: 8 — 8 merged; 0 failed; 0 unprocessed" in ran.output, ran.output
    assert "rows: 8" not in ran.output, ran.output
    listed = runner.invoke(app, ["jobs", "--json", "--job-dir", str(tmp_path / "j")])
    (job,) = orjson.loads(listed.stdout)["jobs"]
    assert (job["groups"], job["file_rows"], job["merges"]) == (4, 4, 8), job
    summary = orjson.loads((Path(job["directory"]) / "summary.json").read_bytes())
    assert (summary["groups"], summary["file_rows"], summary["merges"]) == (4, 4, 8), summary
    shown = runner.invoke(app, ["status", job["job"], "--json", "--job-dir",
                                str(tmp_path / "j")])
    info = orjson.loads(shown.stdout)
    assert (info["groups"], info["file_rows"], info["merges"]) == (4, 4, 8), info
    said = runner.invoke(app, ["status", job["job"], "--job-dir", str(tmp_path / "j")])
    assert "groups: 4; merges: 8 — done 8 (merged 8)" in said.output, said.output
    plain = runner.invoke(app, ["jobs", "--job-dir", str(tmp_path / "j")])
    assert "groups 4, merges 8: done 8" in plain.output, plain.output


def test_run_json_says_groups_and_merges(tmp_path: Path) -> None:
    """`dedupe run --json`: groups 4, merges 8, deals merged away 8 (groups of 2, 2, 3, 5)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        _groups_of_three_and_five(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        ran = CliRunner().invoke(app, ["dedupe", "run", "--json", "-o", str(tmp_path / "p"),
                                       *cli_args(sb, tmp_path / "j")], env=env)
        assert ran.exit_code == 0, ran.output
    out = orjson.loads(ran.stdout)
    assert (out["groups"], out["file_rows"], out["merges"]) == (4, 4, 8), out
    assert (out["merged"], out["deals_merged_away"]) == (8, 8), out
