"""A job run with --yes asks nothing, so its plan says nothing of a prompt (x31r1: `undo
--yes` printed "note: with the prompt (no --yes), the deals are read again after the
answer: 40 tokens more"); `pdbulk plan X` still names that re-read, and a run that asks
counts it."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.update_support import cli_args, threaded_sandbox

PROMPT_NOTE = "with the prompt (no --yes)"


def test_commands_run_with_yes_say_nothing_of_a_prompt(tmp_path: Path) -> None:
    """move-stage --yes and undo --yes: no note of the prompt's re-read; their plans name it."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=30, seed=35)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        jobs = tmp_path / "jobs"
        move = ["move-stage", "--stage", "Demo Scheduled", "--pipeline", "Sales",
                "--to-stage", "Qualified", *cli_args(sb, jobs)]
        planned = runner.invoke(app, ["plan", *move], env=env)
        assert planned.exit_code == 0, planned.output
        assert PROMPT_NOTE in " ".join(planned.output.split()), planned.output
        moved = runner.invoke(app, [*move, "--yes"], env=env)
        assert moved.exit_code == 0, moved.output
        assert PROMPT_NOTE not in " ".join(moved.output.split()), moved.output
        (job,) = jobs.iterdir()
        plan = runner.invoke(app, ["plan", "undo", job.name, *cli_args(sb, jobs)], env=env)
        assert PROMPT_NOTE in " ".join(plan.output.split()), plan.output
        undone = runner.invoke(app, ["undo", job.name, "--yes", *cli_args(sb, jobs)], env=env)
        assert undone.exit_code == 0, undone.output
        assert PROMPT_NOTE not in " ".join(undone.output.split()), undone.output
