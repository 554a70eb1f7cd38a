"""A resumed dedupe job exits as its apply does: 3 when a reviewer's decision = merge was
not followed, held included (README, Dedupe; x48r12: a killed ``dedupe apply`` resumed
exited 0 where the apply without a kill exits 3 — the resume's exit looked at failed rows
and field-policy strays only)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.dedupe_job_support import seed_account
from tests.test_dedupe_messages import _decide_merge
from tests.update_support import cli_args, threaded_sandbox
from tests.update_support import deal as sb_deal


def _held_then_resumed(tmp_path: Path, *more: str) -> Any:
    """A dedupe plan whose reviewer-decided group's deal a colleague edits before the
    apply (held: exit 3), then ``pdbulk resume`` of that job with ``more`` options."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        ids = seed_account(sb)["ids"]
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = cli_args(sb, tmp_path / "j")
        planned = CliRunner().invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p"),
                                           *args], env=env)
        assert planned.exit_code == 0, planned.output
        _decide_merge(tmp_path / "p" / "groups.csv", ids["web"])
        sb.state.save("deal", {**sb_deal(sb, ids["web"]), "value": 7777,
                               "update_time": sb.state.now_iso()})
        applied = CliRunner().invoke(app, ["dedupe", "apply", str(tmp_path / "p"), "--yes",
                                           *args], env=env)
        assert applied.exit_code == 3, applied.output
        (job,) = [p.name for p in (tmp_path / "j").iterdir() if "-dedupe-" in p.name]
        return CliRunner().invoke(app, ["resume", job, "--job-dir", str(tmp_path / "j"),
                                        "--yes", *more], env=env)


def test_a_resume_of_a_job_whose_reviewers_merge_was_held_exits_3(tmp_path: Path) -> None:
    resumed = _held_then_resumed(tmp_path)
    assert resumed.exit_code == 3, resumed.output
    assert "1 reviewer decision = merge not followed" in resumed.stderr, resumed.stderr


def test_a_resumes_json_carries_the_decisions_not_followed(tmp_path: Path) -> None:
    """x49r3 F9: ``pdbulk resume J --json`` of a dedupe job that exits 3 carried no
    ``refused_decisions`` nor which groups: the apply's ``--json`` fields, and the group
    named on stderr."""
    import json

    resumed = _held_then_resumed(tmp_path, "--json")
    assert resumed.exit_code == 3, resumed.output
    got = json.loads(resumed.stdout[:resumed.stdout.rindex("}") + 1])
    assert got["refused_decisions"] == 1, got
    (group,) = got["refused_decision_groups"]
    assert f"group {group}" in resumed.stderr, resumed.stderr
