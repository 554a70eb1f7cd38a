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


def no_job_row(jobs: Path, name: str = "myjob") -> Path:
    """A job store of this schema version whose job table is gone (it opens, then fails)."""
    folder = jobs / name
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / "job.sqlite")
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    return folder


@pytest.mark.parametrize("make", [empty_store, other_sqlite, no_job_row])
@pytest.mark.parametrize("cmd", [["resume", "myjob"], ["retry", "myjob"],
                                 ["undo", "myjob", "--url", "http://127.0.0.1:9"]])
def test_a_refused_command_that_locks_leaves_no_lock_behind(
        tmp_path: Path, cmd: list[str], make: object) -> None:
    """resume, retry and undo take the job's lock: refused, they leave the folder as it was."""
    jobs = tmp_path / "jobs"
    folder = make(jobs)  # type: ignore[operator]
    before = snapshot(folder)
    res = CliRunner().invoke(app, [*cmd, "--job-dir", str(jobs)], env=TOKEN)
    assert res.exit_code == 1, res.output
    assert len([line for line in res.output.splitlines() if line]) == 1, res.output
    assert not (folder / "job.lock").exists()
    assert snapshot(folder).keys() == before.keys()
    if make is not no_job_row:  # (that one is a job store's file: its journal mode is set)
        assert snapshot(folder) == before


def test_no_message_shows_an_exception_class_name(tmp_path: Path) -> None:
    """A refused job store reads as what happened, not "StoreError: ..." (x18r4 6c)."""
    jobs = tmp_path / "jobs"
    other_sqlite(jobs)
    for cmd in (["status", "myjob"], ["resume", "myjob"], ["status", "myjob", "--json"]):
        res = CliRunner().invoke(app, [*cmd, "--job-dir", str(jobs)], env=TOKEN)
        assert res.exit_code == 1, res.output
        assert "StoreError" not in res.output and "Error:" not in res.output, res.output


def test_describe_names_no_class() -> None:
    """Every error class the CLI's boundary turns into a line, without its class's name."""
    from bulk.errors import (
        Forbidden,
        NotFound,
        RequestNotSent,
        ServerError,
        StoreError,
        Unauthorized,
        Unexpected,
        ValidationRejected,
    )
    from pdbulk.options import describe

    errors: list[BaseException] = [
        StoreError("job store: read job: disk I/O error"),
        NotFound(404, "Unknown method .", operation="getPipelines"),
        NotFound(404, "Deal not found", operation="getDeal"),
        ServerError(503, "Service unavailable", operation="getDeals"),
        Unauthorized(401, "unauthorized access"), Forbidden(403, "no scope"),
        ValidationRejected(400, "bad field"), RequestNotSent("connect refused"),
    ]
    for exc in errors:
        line = describe(exc)
        assert type(exc).__name__ not in line, line
        assert "Error:" not in line, line
    # an unexpected error is a bug: its class is named, for the report, never as "KeyError:"
    for exc in (Unexpected(KeyError("x")), KeyError("x")):
        line = describe(exc)
        assert line.startswith("unexpected error (KeyError): 'x'") and "Error:" not in line, line


def _job(jobs: Path, name: str, *statuses: str) -> None:
    from bulk.store import JobStore

    with JobStore.create(jobs / name, job_id=name, kind="update", config={}) as store:
        for status in statuses:
            store.set_status(status)


@pytest.mark.parametrize("cmd", ["resume", "retry"])
def test_the_job_is_reported_before_the_token(tmp_path: Path, cmd: str) -> None:
    """Without a token: a missing job, a cancelled one, and (resume) a finished one are
    reported as such, not as "no API token" (x18r4 6d)."""
    jobs = tmp_path / "jobs"
    _job(jobs, "gone", "cancelled")
    _job(jobs, "done", "loaded", "finished")
    no_token = {"PIPEDRIVE_API_TOKEN": ""}
    res = CliRunner().invoke(app, [cmd, "nope", "--job-dir", str(jobs)], env=no_token)
    assert res.exit_code == 2 and "no job 'nope'" in res.output, res.output
    res = CliRunner().invoke(app, [cmd, "gone", "--job-dir", str(jobs)], env=no_token)
    assert res.exit_code == 1 and "is cancelled" in res.output, res.output
    assert "token" not in res.output, res.output
    if cmd == "resume":
        res = CliRunner().invoke(app, [cmd, "done", "--job-dir", str(jobs)], env=no_token)
        assert res.exit_code == 1, res.output
        assert "job done is finished: nothing is left to resume" in res.output, res.output


def test_a_spent_budget_names_only_what_can_be_raised() -> None:
    """x19r4 F5: a spent company budget said "raise the cap" with no --max-tokens given;
    a --budget-share limit says to give a larger share."""
    from bulk.errors import BudgetExhausted
    from pdbulk.options import describe

    company = describe(BudgetExhausted("daily token budget: 60000 of 60000 used"))
    assert "cap" not in company and "--wait-for-reset" in company
    assert "--budget-share" not in company
    shared = describe(BudgetExhausted("daily token budget: this job may use 100 of today's "
                                      "60000 tokens (--budget-share / the reserve)"))
    assert "larger --budget-share" in shared
    # x21r1: the reset check does not apply while a share is what is spent (README)
    assert "--wait-for-reset" not in shared, shared
    capped = describe(BudgetExhausted("this run's cap of 10 tokens (--max-tokens) is spent",
                                      cap=10))
    assert "higher --max-tokens" in capped


@pytest.mark.parametrize("code", ["EROFS", "EACCES"])
def test_a_read_only_job_folder_is_one_clear_line(tmp_path: Path, code: str) -> None:
    """x24r3 5: resume of a job in a read-only folder said "job store: open …: [Errno 30]
    Read-only file system: '…/job.lock'": now it says what is wrong and what to do."""
    import errno

    from bulk.errors import StoreError
    from bulk.store.sqlite import _translated

    path = tmp_path / "job1" / "job.sqlite"
    with pytest.raises(StoreError) as info, _translated(f"open {path}", path, "job1"):
        raise OSError(getattr(errno, code), "Read-only file system", str(path.parent / "job.lock"))
    said = str(info.value)
    assert "Errno" not in said and "cannot be written" in said and str(path.parent) in said
