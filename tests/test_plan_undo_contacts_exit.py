"""`pdbulk plan undo J --contacts` exits as the undo would: 3 when persons / organizations
the import made are left as conflicts, though every deal goes through (x40r6 F2: the plan
exited 0 — its conflicts are items of their own, not rows of the source job — while the
run, leaving the same contacts, exited 3: `plan undo && undo` ran on)."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.update_support import cli_args, threaded_sandbox

MAPPING = ('version = 1\n[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n'
           '[person]\nname = "person"\nemail = "email"\n[organization]\nname = "org"\n')


def test_a_plan_whose_only_conflicts_are_contacts_exits_as_the_undo_does(
        tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("id,title,person,email,org\n"
                                     "A-1,First,Pat One,pat@x.example,Org One\n"
                                     "A-2,Second,Sam Two,sam@x.example,Org Two\n")
    (tmp_path / "map.toml").write_text(MAPPING)
    runner = CliRunner()
    with threaded_sandbox(SandboxConfig(time_scale=0.02, deals=0, seed=43)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token,
               "PDBULK_STATE_DIR": str(tmp_path / "state")}
        args = cli_args(sb, tmp_path / "jobs")
        made = runner.invoke(app, ["import", str(tmp_path / "in.csv"), "--mapping",
                                   str(tmp_path / "map.toml"), "--yes", "--create-key-field", *args],
                            env=env)
        assert made.exit_code == 0, made.output
        [job] = [p.name for p in (tmp_path / "jobs").iterdir() if "import" in p.name]
        pat = next(pid for pid, p in sb.state.persons.rows.items() if p["name"] == "Pat One")
        # a colleague edits the person the import made: a conflict the undo leaves alone
        sb.state.save("person", {**sb.state.persons.rows[pat], "name": "Pat (edited)",
                                 "update_time": "2031-01-01T00:00:00Z"})
        plan = runner.invoke(app, ["plan", "undo", job, "--contacts", *args], env=env)
        assert "conflict-person 1" in plan.output, plan.output
        assert plan.exit_code == 3, plan.output  # 0 before
        run = runner.invoke(app, ["undo", job, "--contacts", "--yes", *args], env=env)
        assert run.exit_code == 3, run.output  # as the plan said
        assert not sb.state.persons.rows[pat]["is_deleted"]
