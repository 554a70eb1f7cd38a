"""A field the file changes and Pipedrive changed since the plan read it (x47r8 F2): the
plan found file and deal differing, so no base was recorded (``jobs.last_written``), and
`update` wrote the file's stage over a colleague's move with no note (5 of 5), while the
title kept in the same run was said. The file still wins (the user asked for it); the row
says what it replaced, counted among the fields changed on both sides; nothing is
recorded as written by the plan."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.test_update_three_way import _http, _succeeded
from tests.update_support import cli_args, threaded_sandbox

MAPPING = """
version = 1
[update]
id_column = "Deal ID"
[deal]
title = "Title"
[deal.stage]
column = "Stage"
"""


def _cli(sb: Sandbox, tmp_path: Path, *args: str) -> object:
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
    return CliRunner().invoke(app, [*args, "--mapping", str(tmp_path / "map.toml"),
                                    *cli_args(sb, tmp_path / "jobs")], env=env)


def test_a_stage_moved_in_pipedrive_since_the_plan_is_written_over_and_said(
        tmp_path: Path) -> None:
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        (tmp_path / "map.toml").write_text(MAPPING)
        deal = _http(sb, "GET", 3)
        pipeline = [s for s in sorted(sb.state.stages)
                    if sb.state.stages[s]["pipeline_id"] == deal["pipeline_id"]]
        wanted, moved = [s for s in pipeline if s != deal["stage_id"]][:2]
        name = str(sb.state.stages[wanted]["name"])
        (tmp_path / "f.csv").write_text(
            f'Deal ID,Title,Stage\n3,"{deal["title"]}",'
            f'"{sb.state.pipelines[deal["pipeline_id"]]["name"]} > {name}"\n')
        planned = _cli(sb, tmp_path, "plan", "update", str(tmp_path / "f.csv"))
        assert planned.exit_code == 0, planned.output  # type: ignore[attr-defined]
        _http(sb, "PATCH", 3, {"stage_id": moved})  # a colleague, between plan and run
        done = _cli(sb, tmp_path, "update", str(tmp_path / "f.csv"), "--yes")
        assert done.exit_code == 0, done.output  # type: ignore[attr-defined]
        assert _http(sb, "GET", 3)["stage_id"] == wanted  # the file wins
        note = _succeeded(tmp_path)["3"]["note"]
        moved_name = str(sb.state.stages[moved]["name"])
        pipe = sb.state.pipelines[deal["pipeline_id"]]["name"]  # named with its pipeline
        assert (f"stage changed in Pipedrive since the plan ({pipe} \u203a {moved_name}), "
                "the file's written") in note, note
        job = max((tmp_path / "jobs").iterdir(), key=lambda p: p.stat().st_mtime)
        load = orjson.loads((job / "summary.json").read_bytes())["load"]
        assert load["edited_both"] == 1, load
        said = done.output  # type: ignore[attr-defined]
        assert "1 field written over a change made there too" in said, said
