"""`plan merge` / `merge` at their edges (x32r1 F7, F8): a pair given twice is counted as
the one merge it is, and the plan's counts agree with what is sent."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.update_support import cli_args, threaded_sandbox


def test_plan_merge_counts_a_repeated_pair_apart_from_the_valid_merges(tmp_path: Path) -> None:
    """Five pairs, one of them twice, one a self-merge: "merges: 6 (4 valid, 1 repeats an
    earlier row's pair ..., 1 with errors", as many mergeDeals calls as valid merges, and
    rows by action "duplicate 1, failed 1, merge 4" (x32r1 F7: the repeat was counted
    valid, "34 valid" beside 33 merges sent); --json says it as repeated_merges."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=12, seed=24)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,1\n4,3\n4,3\n6,5\n8,7\n9,9\n")
        runner = CliRunner()
        args = ["plan", "merge", str(path), *cli_args(sb, tmp_path / "j")]
        shown = runner.invoke(app, args, env=env)
        text = " ".join(shown.output.split())
        assert "rows: 6; merges: 6 (4 valid, 1 repeats an earlier row's pair: merged once, " \
               "as that row; 1 with errors" in text, text
        assert re.search(r"│ mergeDeals\s+│\s+4 │", shown.output), shown.output
        assert "rows by action: duplicate 1, failed 1, merge 4" in text, text
        data = json.loads(runner.invoke(app, [*args, "--json"], env=env).output)
        assert (data["merges"], data["bad_merges"], data["repeated_merges"]) == (6, 1, 1)


@pytest.mark.parametrize("command", ["merge", "plan merge"])
def test_a_header_only_pairs_file_is_refused_as_update_refuses_one(
        tmp_path: Path, command: str) -> None:
    """A pairs file with its header alone: exit 1, one line saying it has no data rows, no
    job folder, not a token spent — as `update` and `move-stage` refuse one (x32r1 F8: a
    job folder and exit 0 "nothing to send")."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=12, seed=24)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n")
        jobs = tmp_path / "j"
        before = sb.stats()["tokens_spent"]
        res = CliRunner().invoke(app, [*command.split(), str(path), "--yes",
                                       *cli_args(sb, jobs)], env=env)
        assert res.exit_code == 1, res.output
        said = [line for line in res.output.splitlines() if "no data rows" in line]
        assert len(said) == 1 and "pairs.csv" in said[0], res.output
        assert "Traceback" not in res.output
        assert not jobs.exists() or not any(jobs.iterdir()), list(jobs.iterdir())
        assert sb.stats()["tokens_spent"] == before


def test_undo_and_plan_undo_of_a_merge_job_refuse_with_exit_1(tmp_path: Path) -> None:
    """x32r1 F9: `undo` / `plan undo` of a merge job print the "pdbulk: merges are final"
    line: a refusal, so exit 1 (the README's code for it), text and --json alike."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=10, seed=24)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,1\n")
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        assert runner.invoke(app, ["merge", str(path), "--yes", *args], env=env).exit_code == 0
        (job,) = (tmp_path / "j").iterdir()
        for command in (["undo", job.name, "--yes"], ["plan", "undo", job.name]):
            for extra in ([], ["--json"]):
                res = runner.invoke(app, [*command, *extra, *args], env=env)
                assert res.exit_code == 1, (command, extra, res.output)
                assert "merges are final in Pipedrive and cannot be undone" in res.output
        assert [p.name for p in (tmp_path / "j").iterdir()] == [job.name]  # no undo job
