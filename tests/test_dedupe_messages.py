"""What `plan dedupe` and `dedupe apply` say about the groups they leave (tester x48r5):
the plan's headline counted every duplicate group under ``--max-merges`` (F1: "groups to
merge: 44 (48 deals merged away)" over a table of 10 merges) and named none of those left
over the cap; apply's succeeded.csv told a "review at most" group "(or --include-review)",
a flag that leaves it (F2); a group held because a deal changed since the plan was said
only in succeeded.csv, its row counted in "61 skipped" with the review band's (F3)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.dedupe_job_support import seed_account
from tests.update_support import cli_args, threaded_sandbox


def test_plan_dedupe_under_max_merges_counts_and_names_what_the_cap_leaves(
        tmp_path: Path) -> None:
    """Two groups of one merge each, --max-merges 1: the headline counts the one group the
    cap lets through, and the note names the other as `dedupe run` names it, the same group
    (one choice, ``MergeCap``)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = cli_args(sb, tmp_path / "j")
        cost = CliRunner().invoke(app, ["plan", "dedupe", "--max-merges", "1", *args],
                                  env=env)
        assert cost.exit_code == 0, cost.output
        ran = CliRunner().invoke(app, ["dedupe", "run", "--max-merges", "1", "-o",
                                       str(tmp_path / "p"), *args], env=env)
        assert ran.exit_code == 0, ran.output
    assert "groups to merge: 1 (1 deal merged away; --max-merges 1)" in cost.output, cost.output
    notes = [n for out in (cost.output, ran.output) for n in out.splitlines()
             if "skipped over --max-merges" in n]
    assert len(notes) == 2, (cost.output, ran.output)
    assert notes[0] == notes[1], notes
    assert re.search(r"1 group\(s\) \(1 merge\) skipped over --max-merges 1 .*: g-\d+ \(1 merge\)",
                     notes[0]), notes

