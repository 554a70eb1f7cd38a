"""A further `pdbulk undo` after a partial one (its first undo left a deal a conflict) is
judged by the deals as they are now, read, against the job's after- and before-images
(x44r6 F4: each further undo made a job that did nothing, 35-40 tokens): a deal the job
holds again is put back; a colleague's later value is a conflict, named, that `--force`
overwrites (named in its plan); nothing left makes no job, `nothing to undo`, exit 0."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.update_support import cli_args, deal, threaded_sandbox

MAPPING = 'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n'


class _Partly:
    """An update renaming deals 1 and 2, a colleague's rename of deal 1, and its first undo
    (deal 2 put back, deal 1 a conflict, exit 3)."""

    def __init__(self, sb: Sandbox, tmp: Path) -> None:
        self.sb, self.tmp, self.runner = sb, tmp, CliRunner()
        self.env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        self.args = cli_args(sb, tmp / "jobs")
        self.original = deal(sb, 1)["title"]
        (tmp / "u.csv").write_text("Deal,Title\n1,Renamed one\n2,Renamed two\n")
        (tmp / "m.toml").write_text(MAPPING)
        ran = self.cli("update", str(tmp / "u.csv"), "-m", str(tmp / "m.toml"))
        assert ran.exit_code == 0, ran.output
        (self.job,) = self.folders()
        self.colleague("Theirs")
        first = self.cli("undo", self.job, "--yes")
        assert first.exit_code == 3, first.output
        assert deal(sb, 1)["title"] == "Theirs"

    def cli(self, *argv: str) -> Any:
        return self.runner.invoke(app, [*argv, *self.args], env=self.env)

    def folders(self) -> list[str]:
        return sorted(p.name for p in (self.tmp / "jobs").iterdir())

    def colleague(self, title: str) -> None:
        self.sb.state.save("deal", {**deal(self.sb, 1), "title": title,
                                    "update_time": self.sb.state.now_iso()})


def test_a_deal_the_job_holds_again_is_put_back(tmp_path: Path) -> None:
    """(a) The colleague set deal 1's title back to the job's: the second undo puts it
    back (a new job, exit 0), deal 2 untouched."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=3, seed=7)) as sb:
        p = _Partly(sb, tmp_path)
        p.colleague("Renamed one")
        before = p.folders()
        again = p.cli("undo", p.job, "--yes")
        assert again.exit_code == 0, again.output
        assert "nothing to undo" not in again.output, again.output
        assert len(p.folders()) == len(before) + 1
        assert deal(sb, 1)["title"] == p.original


def test_a_colleagues_later_value_is_a_named_conflict_force_overwrites(
        tmp_path: Path) -> None:
    """(b) Deal 1 still holds the colleague's title: `plan undo` and `undo` name it (exit
    3) and `undo` makes no job that sends nothing; `plan undo --force` names it as
    overwritten, and `undo --force` puts it back."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=3, seed=7)) as sb:
        p = _Partly(sb, tmp_path)
        before = p.folders()
        planned = p.cli("plan", "undo", p.job)
        again = p.cli("undo", p.job, "--yes")
        assert p.folders() == before, again.output  # no job that sends nothing
        as_json = p.cli("undo", p.job, "--yes", "--json")
        assert p.folders() == before, as_json.output
        forced_plan = p.cli("plan", "undo", p.job, "--force")
        assert deal(sb, 1)["title"] == "Theirs"
        forced = p.cli("undo", p.job, "--yes", "--force")
        assert deal(sb, 1)["title"] == p.original
    for ran in (planned, again):
        assert ran.exit_code == 3 and "Theirs" in ran.output, ran.output
        assert "nothing to undo" not in ran.output, ran.output
    out = orjson.loads(as_json.stdout)
    assert as_json.exit_code == 3 and out["job"] is None, as_json.output
    assert "Theirs" in as_json.stdout, as_json.stdout
    assert forced_plan.exit_code == 0 and "--force: 1 of the deal writes overwrite" in \
        forced_plan.output, forced_plan.output
    assert forced.exit_code == 0 and "nothing to undo" not in forced.output, forced.output


def test_nothing_left_makes_no_job(tmp_path: Path) -> None:
    """(c) The colleague put deal 1's title back as it was before the job: the second undo
    (and `plan undo`, and `--json`) reads the deals, finds nothing of the job left, says
    `nothing to undo`, exit 0, and makes no job."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=3, seed=7)) as sb:
        p = _Partly(sb, tmp_path)
        p.colleague(p.original)
        before = p.folders()
        again = p.cli("undo", p.job, "--yes")
        planned = p.cli("plan", "undo", p.job)
        as_json = p.cli("undo", p.job, "--yes", "--json")
        assert p.folders() == before, again.output
    for ran in (again, planned):
        assert ran.exit_code == 0 and "nothing to undo" in ran.output, ran.output
    out = orjson.loads(as_json.stdout)
    assert as_json.exit_code == 0 and out["status"] == "nothing to undo", as_json.output
    assert out["job"] is None, out
