"""`pdbulk undo` of a job an earlier undo put back wholly says so and exits 0, making no
job and no call (x43r4 F6: each such undo made a new, empty undo job, `undone: 0 deals;
skipped 2 (unchanged 2)`, and read the deals again); an undo that left a conflict still
lets a new undo (`--force`) put back the rest."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.update_support import cli_args, deal, delta, requests, threaded_sandbox

MAPPING = 'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n'


def _updated(runner: CliRunner, env: dict[str, str], args: list[str], tmp: Path) -> str:
    """An update renaming deals 1 and 2, run: its job id."""
    (tmp / "u.csv").write_text("Deal,Title\n1,Renamed one\n2,Renamed two\n")
    (tmp / "m.toml").write_text(MAPPING)
    ran = runner.invoke(app, ["update", str(tmp / "u.csv"), "-m", str(tmp / "m.toml"), *args],
                        env=env)
    assert ran.exit_code == 0, ran.output
    (job,) = (p.name for p in (tmp / "jobs").iterdir())
    return job


def test_undo_of_a_job_undone_wholly_makes_no_job(tmp_path: Path) -> None:
    """Undo, then undo (and `plan undo`, and `undo --json`) again: the second says which
    job undid it, exit 0; no new folder, no token spent."""
    runner = CliRunner()
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=3, seed=7)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = cli_args(sb, tmp_path / "jobs")
        job = _updated(runner, env, args, tmp_path)
        first = runner.invoke(app, ["undo", job, "--yes", *args], env=env)
        assert first.exit_code == 0, first.output
        folders = sorted(p.name for p in (tmp_path / "jobs").iterdir())
        (undo,) = (f for f in folders if f != job)
        before = requests(sb)
        again = runner.invoke(app, ["undo", job, "--yes", *args], env=env)
        planned = runner.invoke(app, ["plan", "undo", job, *args], env=env)
        as_json = runner.invoke(app, ["undo", job, "--yes", "--json", *args], env=env)
        assert delta(before, requests(sb)) == {}  # no call at all
    said = f"nothing to undo: job {job} was undone by job {undo} (2 deal(s) put back)"
    for ran in (again, planned):
        assert ran.exit_code == 0 and said in ran.output, ran.output
    out = orjson.loads(as_json.stdout)
    assert as_json.exit_code == 0 and out["status"] == "nothing to undo", as_json.output
    assert out["job"] is None and out["note"] == said, out
    assert sorted(p.name for p in (tmp_path / "jobs").iterdir()) == folders


def test_an_undo_that_left_a_conflict_lets_a_new_undo_put_back_the_rest(
        tmp_path: Path) -> None:
    """A colleague renamed deal 1 after the update: the undo puts back deal 2 alone (deal 1
    a conflict, exit 3); `undo --force` is a new job that puts deal 1 back; a third undo
    then has nothing to do."""
    runner = CliRunner()
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=3, seed=7)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = cli_args(sb, tmp_path / "jobs")
        job = _updated(runner, env, args, tmp_path)
        sb.state.save("deal", {**deal(sb, 1), "title": "Theirs",
                               "update_time": "2031-01-01T00:00:00Z"})
        first = runner.invoke(app, ["undo", job, "--yes", *args], env=env)
        assert first.exit_code == 3, first.output
        forced = runner.invoke(app, ["undo", job, "--yes", "--force", *args], env=env)
        assert forced.exit_code == 0, forced.output
        assert "nothing to undo" not in forced.output, forced.output
        assert deal(sb, 1)["title"] != "Theirs"
        third = runner.invoke(app, ["undo", job, "--yes", *args], env=env)
    assert third.exit_code == 0 and "nothing to undo" in third.output, third.output
    assert len(list((tmp_path / "jobs").iterdir())) == 3  # the job and its two undos
