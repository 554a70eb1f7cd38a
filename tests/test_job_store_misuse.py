"""x18r4 6: a job store misused. A read-only command never creates or changes a job
store (a 0-byte job.sqlite was given a WAL header by `status`); a refused command leaves
nothing behind (no job.lock); no message shows an exception's class name; `resume`
reports a missing or finished job before it asks for the token."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pdbulk.cli import app

TOKEN = {"PIPEDRIVE_API_TOKEN": "SECRET-tok"}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def empty_store(jobs: Path, name: str = "myjob") -> Path:
    folder = jobs / name
    folder.mkdir(parents=True)
    (folder / "job.sqlite").touch()
    return folder


def other_sqlite(jobs: Path, name: str = "myjob") -> Path:
    folder = jobs / name
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / "job.sqlite")
    conn.execute("CREATE TABLE other (a)")
    conn.execute("INSERT INTO other VALUES (1)")
    conn.commit()
    conn.close()
    return folder


READ_ONLY = [["status", "myjob"], ["status", "myjob", "--json"],
             ["plan", "undo", "myjob", "--url", "http://127.0.0.1:9"]]


@pytest.mark.parametrize("make", [empty_store, other_sqlite])
@pytest.mark.parametrize("cmd", READ_ONLY)
def test_a_read_only_command_leaves_a_store_that_is_none_as_it_was(
        tmp_path: Path, cmd: list[str], make: object) -> None:
    """status (--json) and plan undo refuse, one line, exit 1, and change no byte."""
    jobs = tmp_path / "jobs"
    folder = make(jobs)  # type: ignore[operator]
    before = snapshot(folder)
    res = CliRunner().invoke(app, [*cmd, "--job-dir", str(jobs)], env=TOKEN)
    assert res.exit_code == 1, res.output
    assert "myjob's job store is empty or not a pdbulk job store" in res.output, res.output
    assert "Traceback" not in res.output, res.output
    assert snapshot(folder) == before


@pytest.mark.parametrize("make", [empty_store, other_sqlite])
def test_the_job_list_leaves_a_store_that_is_none_as_it_was(tmp_path: Path, make: object) -> None:
    jobs = tmp_path / "jobs"
    folder = make(jobs)  # type: ignore[operator]
    before = snapshot(folder)
    for extra in ([], ["--json"]):
        res = CliRunner().invoke(app, ["jobs", "--job-dir", str(jobs), *extra])
        assert res.exit_code == 0, res.output
        assert "not a pdbulk job store" in res.output, res.output
    assert snapshot(folder) == before
