"""A folder given as a job says what it is (x42r5 F6): a dedupe plan's folder is not a job
whose store is gone ("the job ran or began ... double what it already did") but a plan to
apply with `pdbulk dedupe apply`; a folder holding someone's summary.json is no job's
folder; a job folder whose store was deleted still gets the lost-store warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.errors import StoreError
from bulk.store.listing import job_folder, list_jobs
from pdbulk.cli import app

ENV = {"PIPEDRIVE_API_TOKEN": "tok", "COLUMNS": "200"}


def _plan(folder: Path) -> Path:
    folder.mkdir()
    (folder / "groups.csv").write_text("group,deal_id,decision\n1,7,survivor\n")
    (folder / "pairs.csv").write_text("a,b\n7,8\n")
    (folder / "review.html").write_text("<html></html>")
    (folder / "summary.json").write_text('{"groups": 1, "pairs": 1, "tokens": {}}')
    return folder


@pytest.mark.parametrize("command", [["undo"], ["status"], ["resume"], ["retry"]])
def test_a_dedupe_plan_folder_is_named_so(tmp_path: Path, command: list[str]) -> None:
    """Exit 2, the folder named a dedupe plan with the command that applies it; no word of
    a lost store or of doubling."""
    plan = _plan(tmp_path / "plan")
    res = CliRunner().invoke(app, [*command, str(plan), "--job-dir", str(tmp_path / "jobs")],
                             env=ENV)
    assert res.exit_code == 2, res.output
    assert "is a dedupe plan folder" in res.output and "pdbulk dedupe apply" in res.output
    assert "gone" not in res.output and "double" not in res.output, res.output


def test_a_folder_of_another_summary_is_no_job_folder(tmp_path: Path) -> None:
    """A summary.json naming no job: "not a job's folder", exit 2, no lost-store warning;
    `pdbulk jobs` lists neither it nor a plan folder as a job whose store was lost."""
    other = tmp_path / "jobs" / "other"
    other.mkdir(parents=True)
    (other / "summary.json").write_text('{"a": 1}')
    _plan(tmp_path / "jobs" / "plan")
    res = CliRunner().invoke(app, ["status", str(other)], env=ENV)
    assert res.exit_code == 2 and "not a job's folder" in res.output, res.output
    assert "gone" not in res.output
    assert list_jobs(tmp_path / "jobs") == []
    with pytest.raises(StoreError, match="is a dedupe plan folder"):
        job_folder(tmp_path / "jobs" / "plan")


def test_a_job_folder_whose_store_is_gone_still_warns(tmp_path: Path) -> None:
    """Its summary.json names a job (and its lock is there): the lost store's warning."""
    job = tmp_path / "20261206-051303-import-5699"
    job.mkdir()
    (job / "job.lock").write_text("")
    (job / "summary.json").write_text('{"job": "x", "kind": "import"}')
    res = CliRunner().invoke(app, ["status", str(job)], env=ENV)
    assert "is gone" in res.output and "double" in res.output, res.output
