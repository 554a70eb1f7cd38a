"""x17r1 L1: a job folder whose creation a kill -9 cut short (its job.sqlite made, the
schema not committed) made `pdbulk resume` print "StoreError: … is not a job store (or its
creation was interrupted)", exit 1, no advice. Now resume, status and jobs say the job
never started, nothing was sent by it, and to delete the folder and start it again."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.errors import StoreError, StoreUnfinished
from bulk.store import JobStore
from pdbulk.cli import app

JOB = "20261203-062611-import-0459"


def cut_short(jobs: Path, name: str = JOB, *, empty: bool = True) -> Path:
    """A job folder as a kill -9 during JobStore.create leaves it."""
    folder = jobs / name
    folder.mkdir(parents=True)
    (folder / "job.creating").write_bytes(b"")  # made first, removed once the schema is in
    path = folder / "job.sqlite"
    if empty:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # made, nothing written
    else:  # the WAL set up, the schema's transaction never committed
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.close()
    return folder


@pytest.mark.parametrize("empty", [True, False])
@pytest.mark.parametrize("cmd", ["resume", "retry", "status"])
def test_resuming_an_unfinished_job_folder_says_what_to_do(
        tmp_path: Path, cmd: str, empty: bool) -> None:
    folder = cut_short(tmp_path / "jobs", empty=empty)
    res = CliRunner().invoke(app, [cmd, JOB, "--job-dir", str(tmp_path / "jobs")],
                             env={"PIPEDRIVE_API_TOKEN": "SECRET-tok"})
    assert res.exit_code == 1, res.output
    lines = [line for line in res.output.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("pdbulk: "), res.output
    assert "StoreError" not in res.output and "Traceback" not in res.output
    for words in ("never started", "nothing was sent", "delete the folder",
                  "start the import again", str(folder)):
        assert words in res.output, res.output


def test_jobs_lists_an_unfinished_folder_with_the_same_advice(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    JobStore.create(jobs / "fine", job_id="fine", kind="update", config={}).close()
    cut_short(jobs)
    res = CliRunner().invoke(app, ["jobs", "--job-dir", str(jobs)])
    assert res.exit_code == 0, res.output
    row = next(line for line in res.output.splitlines() if line.startswith(JOB))
    assert "unfinished" in row and "never started" in row and "delete the folder" in row
    listed = orjson.loads(CliRunner().invoke(app, ["jobs", "--json", "--job-dir",
                                                   str(jobs)]).stdout)["jobs"]
    bad = next(j for j in listed if j["job"] == JOB)
    assert bad["state"] == "unfinished" and bad["kind"] == "import"
    assert "never started" in bad["error"]


def test_another_sqlite_file_is_not_called_unfinished(tmp_path: Path) -> None:
    """A job.sqlite with tables that are not a job's is no job store, not a cut-short one."""
    folder = tmp_path / "x"
    folder.mkdir()
    conn = sqlite3.connect(folder / "job.sqlite")
    conn.execute("CREATE TABLE other (a)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as info:
        JobStore.open(folder)
    assert not isinstance(info.value, StoreUnfinished)
    assert "is empty or not a pdbulk job store" in str(info.value)


def finished_then_emptied(jobs: Path, created: int = 120) -> Path:
    """A finished import's folder (result files, summary.json) whose job.sqlite was then
    emptied (``: > job.sqlite``)."""
    from bulk.store import ItemState, NewItem, Outcome
    from jobs.results import write_results

    folder = jobs / JOB
    with JobStore.create(folder, job_id=JOB, kind="import", config={}) as store:
        store.add_items(NewItem(r, f"k{r}", "create", {"values": {}})
                        for r in range(1, created + 1))
        ids = [item.id for item in store.items()]
        store.mark_sending(ids, 0.0)
        store.record([Outcome(i, ItemState.DONE, {"action": "created", "deal_id": i})
                      for i in ids])
        write_results(store, success_columns=("row", "key", "action", "deal_id"),
                      summary={"actions": {"created": created}})
    (folder / "job.sqlite").write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        (folder / f"job.sqlite{suffix}").unlink(missing_ok=True)
    return folder


@pytest.mark.parametrize("cmd", ["resume", "retry", "status", "undo"])
def test_an_emptied_store_of_a_job_that_ran_is_not_called_never_started(
        tmp_path: Path, cmd: str) -> None:
    """x19r1 F4: a finished import's folder with an emptied job.sqlite was told "nothing was
    sent; delete the folder and start again" (insert mode would double every deal): now it
    names the files that show what the job did, with summary.json's counts."""
    folder = finished_then_emptied(tmp_path / "jobs")
    res = CliRunner().invoke(app, [cmd, JOB, "--job-dir", str(tmp_path / "jobs")],
                             env={"PIPEDRIVE_API_TOKEN": "SECRET-tok"})
    assert res.exit_code == 1, res.output
    lines = [line for line in res.output.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("pdbulk: "), res.output
    assert "Traceback" not in res.output and "SECRET-tok" not in res.output
    assert "nothing was sent" not in res.output and "never started" not in res.output
    for words in ("empty or not a pdbulk job store", str(folder), "summary.json",
                  "succeeded.csv", "120 created", "insert mode it would double them"):
        assert words in res.output, res.output


def test_jobs_does_not_list_an_emptied_store_of_a_job_that_ran_as_unfinished(
        tmp_path: Path) -> None:
    finished_then_emptied(tmp_path / "jobs")
    listed = orjson.loads(CliRunner().invoke(app, ["jobs", "--json", "--job-dir",
                                                   str(tmp_path / "jobs")]).stdout)["jobs"]
    (bad,) = listed
    assert bad["state"] != "unfinished" and "120 created" in bad["error"]
    assert "nothing was sent" not in bad["error"]


def test_a_wal_with_content_shows_the_job_ran(tmp_path: Path) -> None:
    """An empty job.sqlite beside a -wal with frames: the job may have written; not "never
    started" (and the -wal is looked at before SQLite, which deletes it, reads the store)."""
    folder = cut_short(tmp_path / "jobs")
    (folder / "job.sqlite-wal").write_bytes(b"\x37\x7f\x06\x82" + bytes(60))
    with pytest.raises(StoreError) as info:
        JobStore.open(folder, lock=False)
    assert not isinstance(info.value, StoreUnfinished)
    assert "job.sqlite-wal" in str(info.value) and "nothing was sent" not in str(info.value)


def killed_after_sends(jobs: Path, rows: int = 60) -> Path:
    """A job that ran (items added, sent, done) whose process was then killed -9: its
    folder as the kill leaves it (the store not closed, so its -wal not folded in)."""
    import shutil

    from bulk.store import ItemState, NewItem, Outcome

    live = jobs / "live" / JOB
    store = JobStore.create(live, job_id=JOB, kind="import", config={})
    store.add_items(NewItem(r, f"k{r}", "create", {"values": {}}) for r in range(1, rows + 1))
    for item in store.items():  # one commit per send, as a run's small batches
        store.mark_sending([item.id], 0.0)
        store.record([Outcome(item.id, ItemState.DONE, {"action": "created"})])
    folder = jobs / JOB
    shutil.copytree(live, folder)  # a copy taken while the store is open: as kill -9 leaves it
    store.close()
    return folder


def test_a_killed_run_keeps_its_job_in_job_sqlite_itself(tmp_path: Path) -> None:
    """x24r3 1a: after kill -9 the job lived in its -wal (job.sqlite 4,096 bytes): the store
    is checkpointed as it runs, so job.sqlite alone still holds the job and its sent items."""
    folder = killed_after_sends(tmp_path / "jobs")
    (folder / "job.sqlite-wal").unlink()
    (folder / "job.sqlite-shm").unlink(missing_ok=True)
    with JobStore.open(folder, lock=False) as store:
        assert store.job_id == JOB
        assert store.counts().get("done", 0) >= 40, store.counts()  # all but the last few


@pytest.mark.parametrize("cmd", ["resume", "status"])
def test_a_store_without_its_tables_is_not_called_never_started_without_proof(
        tmp_path: Path, cmd: str) -> None:
    """x24r3 1c: a job.sqlite with no tables (its -wal removed after a kill -9) was said to
    have "never started; nothing was sent" though 55 deals were made: that is said only of
    a folder whose creation marker shows the kill came during the create."""
    folder = cut_short(tmp_path / "jobs", empty=False)
    (folder / "job.creating").unlink()
    res = CliRunner().invoke(app, [cmd, JOB, "--job-dir", str(tmp_path / "jobs")],
                             env={"PIPEDRIVE_API_TOKEN": "SECRET-tok"})
    assert res.exit_code == 1, res.output
    assert "nothing was sent" not in res.output and "never started" not in res.output
    assert "may have run" in res.output and "double" in res.output, res.output
    assert "Traceback" not in res.output


def test_an_emptied_store_beside_its_wal_is_never_opened(tmp_path: Path) -> None:
    """x24r3 1b: `: > job.sqlite` after a kill: the first resume warned, but SQLite, reading
    the empty file, deleted job.sqlite-wal (the whole job), and the second resume said
    "never started". Now the -wal is left as it is, and every open says the same."""
    folder = killed_after_sends(tmp_path / "jobs")
    wal = (folder / "job.sqlite-wal").read_bytes()
    (folder / "job.sqlite").write_bytes(b"")
    for _ in range(2):
        res = CliRunner().invoke(app, ["resume", JOB, "--job-dir", str(tmp_path / "jobs")],
                                 env={"PIPEDRIVE_API_TOKEN": "SECRET-tok"})
        assert res.exit_code == 1, res.output
        assert "job.sqlite-wal" in res.output and "never started" not in res.output
    assert (folder / "job.sqlite-wal").read_bytes() == wal


@pytest.mark.parametrize("cmd", ["resume", "status", "undo"])
def test_a_job_whose_store_was_deleted_is_named_not_missing(tmp_path: Path, cmd: str) -> None:
    """x24r3 2: job.sqlite (+ -wal, -shm) deleted during a run: resume / status said "no job
    'X' in DIR" and `pdbulk jobs` "no jobs in DIR", though the folder (job.lock, result
    files) is there. Now it is listed, and named, as a job whose store is gone."""
    from bulk.store import job_folder

    jobs = tmp_path / "jobs"
    folder = finished_then_emptied(jobs)
    for suffix in ("", "-wal", "-shm"):
        (folder / f"job.sqlite{suffix}").unlink(missing_ok=True)
    res = CliRunner().invoke(app, [cmd, JOB, "--job-dir", str(jobs)],
                             env={"PIPEDRIVE_API_TOKEN": "SECRET-tok"})
    assert res.exit_code == 1, res.output
    lines = [line for line in res.output.splitlines() if line]
    assert len(lines) == 1 and "is gone" in lines[0] and "120 created" in lines[0], res.output
    assert "no job" not in res.output and "double" in res.output
    listed = orjson.loads(CliRunner().invoke(app, ["jobs", "--json", "--job-dir",
                                                   str(jobs)]).stdout)["jobs"]
    (lost,) = listed
    assert lost["job"] == JOB and lost["state"] == "store lost" and "is gone" in lost["error"]
    with pytest.raises(StoreError, match="is gone"):
        job_folder(JOB, jobs)


@pytest.mark.parametrize("status", ["loaded", "running"])
def test_a_job_is_in_job_sqlite_itself_before_its_first_send(tmp_path: Path,
                                                             status: str) -> None:
    """x24r5: killed before the first periodic checkpoint, its -wal then removed, a run
    that had written 40-71 deals read as "interrupted while it was being loaded; nothing
    was sent" (job.sqlite held the schema alone). The items and the status a first send
    follows are checkpointed into job.sqlite when the job becomes loaded / running."""
    from bulk.store import NewItem

    folder = tmp_path / "job"
    store = JobStore.create(folder, job_id="j", kind="update", config={})
    try:
        store.add_items([NewItem(row=i, key=str(i), op="update", payload={"deal_id": i})
                         for i in range(1, 41)])
        store.set_status("loading")
        store.set_status("loaded")
        if status == "running":
            store.set_status("running")
        copy = tmp_path / "copy"
        copy.mkdir()
        (copy / "job.sqlite").write_bytes((folder / "job.sqlite").read_bytes())  # no -wal
    finally:
        store.close()
    conn = sqlite3.connect(copy / "job.sqlite")
    try:
        ((found,),) = conn.execute("SELECT status FROM job").fetchall()
        ((items,),) = conn.execute("SELECT count(*) FROM items").fetchall()
    finally:
        conn.close()
    assert (found, items) == (status, 40)


def _killed_in_create(jobs: Path, state: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A job folder as a kill -9 at one point of ``JobStore.create`` leaves it (f38k: a kill
    in an undo's create left ``job.creating`` and a -journal, and `jobs` said "the job ran")."""
    name = "20261205-180411-undo-0a1b"
    if state == "marker":  # killed after the marker, before job.sqlite was made
        (jobs / name).mkdir(parents=True)
        (jobs / name / "job.creating").write_bytes(b"")
        return jobs / name
    if state.startswith("journal"):  # killed in the switch to WAL of the empty job.sqlite
        folder = cut_short(jobs, name)
        (folder / "job.lock").write_bytes(b"4242")
        journal = bytes(12) + b"\x81\xb7\xa4\x68" + bytes(6) + b"\x02" + bytes(2) + b"\x10"
        (folder / "job.sqlite-journal").write_bytes(
            b"" if state == "journal-empty" else journal.ljust(512, b"\x00"))
        return folder
    import shutil

    class Killed(BaseException):
        pass

    def kill(store: JobStore) -> None:  # the schema committed, in the -wal only
        shutil.copytree(store.directory, jobs / name)  # as kill -9 leaves the open store
        raise Killed

    monkeypatch.setattr(JobStore, "checkpoint", kill)
    with pytest.raises(Killed):
        JobStore.create(jobs / "live" / name, job_id=name, kind="undo", config={})
    return jobs / name


@pytest.mark.parametrize("state", ["marker", "journal-empty", "journal", "schema-in-wal"])
def test_a_create_killed_at_any_point_is_never_said_to_have_run(
        tmp_path: Path, state: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kill -9 anywhere in a job store's creation (any kind's: an undo's here) leaves a
    folder that `jobs` and `resume` never call a job that ran; the -journal and the -wal of
    the create are no traces of a run, and the folder is unfinished or a sound new job."""
    jobs = tmp_path / "jobs"
    folder = _killed_in_create(jobs, state, monkeypatch)
    assert (folder / "job.creating").exists()
    listed = orjson.loads(CliRunner().invoke(app, ["jobs", "--json", "--job-dir",
                                                   str(jobs)]).stdout)["jobs"]
    row = next(j for j in listed if j["job"] == folder.name)
    said = str(row.get("error") or "")
    assert "the job ran" not in said and "may have run" not in said, row
    if state != "schema-in-wal":  # (that store is whole: a planned job, listed as such)
        assert row["state"] == "unfinished" and "never started" in said, row
    res = CliRunner().invoke(app, ["resume", folder.name, "--job-dir", str(jobs)],
                             env={"PIPEDRIVE_API_TOKEN": "SECRET-tok"})
    assert "the job ran" not in res.output and "may have run" not in res.output, res.output
    assert "Traceback" not in res.output and "SECRET" not in res.output
