"""x42r6 F5: `pdbulk status` / `pdbulk jobs` of a merge job count its file's rows and the
merges they ask for, as the run's ``rows: R; merges: M`` line does (text and ``--json``:
``file_rows``, ``merges``, beside the item counts kept as they were); a 5-row groups file
with a chain showed only ``items: … total 10``, which the user could not match to it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.update_support import cli_args, threaded_sandbox


def test_merge_status_and_jobs_say_rows_and_merges(tmp_path: Path) -> None:
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=30, seed=24)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        path = tmp_path / "groups.csv"  # 5 rows, 10 merges; 3,12 chains into 1 (3 -> 1)
        path.write_text("survivor_id,merge_ids\n1,2;3\n4,5;6;99999\n7,8;9\n10,10;11\n3,12\n")
        runner = CliRunner()
        done = runner.invoke(app, ["merge", str(path), "--yes", *cli_args(sb, tmp_path / "j")],
                             env=env)
        assert "rows: 5; merges: 10 — 8 merged; 2 failed" in done.output, done.output
        (job,) = (tmp_path / "j").iterdir()
        at = ["--job-dir", str(tmp_path / "j")]
        shown = runner.invoke(app, ["status", job.name, *at], env=env)
        assert "rows: 5; merges: 10 — done 8 (merged 8), failed 2" in shown.output, shown.output
        data = json.loads(runner.invoke(app, ["status", job.name, "--json", *at],
                                        env=env).stdout)
        assert (data["file_rows"], data["merges"]) == (5, 10), data
        assert data["counts"]["done"] == 8  # kept as it was
        listed = runner.invoke(app, ["jobs", *at], env=env)
        assert "rows 5, merges 10: done 8, failed 2; by action: merged 8" in listed.output, listed.output
        (row,) = json.loads(runner.invoke(app, ["jobs", "--json", *at], env=env).stdout)["jobs"]
        assert (row["file_rows"], row["merges"], row["counts"]) == (5, 10,
                                                                   {"done": 8, "failed": 2})
