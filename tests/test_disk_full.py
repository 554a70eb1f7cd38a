"""A write that finds the disk full (or the file-size limit reached) says so and what to
do, exit 4, no class name (x19r1 F3: "unexpected OperationalError: cannot rollback - no
transaction is active" / "StoreError: job store: ... disk I/O error")."""

from __future__ import annotations

import resource
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bulk.claims_open import LocalClaims
from bulk.errors import DiskFull, JobBusy
from bulk.store import JobStore, NewItem
from jobs.results import write_results
from pdbulk.options import describe, exit_code_for

pytestmark = pytest.mark.anyio


@contextmanager
def file_size_limit(size: int) -> Iterator[None]:
    """Every file this process writes stops at ``size`` bytes (``ulimit -f``: EFBIG, as a
    full disk gives ENOSPC; Python ignores SIGXFSZ) — the real disk is never filled."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def _items(n: int) -> Iterator[NewItem]:
    return (NewItem(i, f"k{i}", "create", {"title": "x" * 400, "values": {"Title": "x" * 400}})
            for i in range(1, n + 1))


def _says_disk_full(exc: DiskFull, file: Path, then: str) -> None:
    line = describe(exc)
    assert line.startswith("the disk is full or the file-size limit was reached writing "
                           f"{file}: nothing done is lost; {then}"), line
    assert "Error" not in line and exit_code_for(exc) == 4


def test_a_store_write_past_the_limit_is_disk_full(tmp_path: Path) -> None:
    """The job store's writes (a load, a status) that find no space are DiskFull naming the
    file and the resume command; the store stays usable once space is back."""
    store = JobStore.create(tmp_path / "job1", job_id="job1", kind="import", config={})
    with file_size_limit(64 * 1024), pytest.raises(DiskFull) as info:
        store.add_items(_items(2000))
    _says_disk_full(info.value, tmp_path / "job1" / "job.sqlite",
                    f"free space and run `pdbulk resume job1 --job-dir {tmp_path}`")
    store.set_status("loading")
    assert store.status == "loading"
    store.close()


async def test_a_claims_write_past_the_limit_is_disk_full(tmp_path: Path) -> None:
    """The claims file's group commit: DiskFull, never "cannot rollback" (its ROLLBACK
    after SQLite rolled back itself)."""
    claims = LocalClaims(tmp_path / "c.db")
    await claims.acquire_many(["warm"])
    with file_size_limit(32 * 1024), pytest.raises(DiskFull) as info:
        for n in range(200):
            await claims.acquire_many([f"n{n}-{i}-" + "x" * 300 for i in range(50)])
    _says_disk_full(info.value, tmp_path / "c.db", "free space and run the command again")


def test_result_files_past_the_limit_are_disk_full(tmp_path: Path) -> None:
    """failed.csv / succeeded.csv / summary.json: DiskFull naming the file and the job."""
    store = JobStore.create(tmp_path / "job2", job_id="job2", kind="import", config={})
    store.add_items(_items(300))
    with file_size_limit(16 * 1024), pytest.raises(DiskFull) as info:
        write_results(store, success_columns=["row", "key"])
    assert f"free space and run `pdbulk resume job2 --job-dir {tmp_path}`" in describe(info.value)
    assert str(tmp_path / "job2") in describe(info.value) and exit_code_for(info.value) == 4
    store.close()


class _QuickStore(JobStore):
    busy_timeout = 0.2  # the lock below is never let go: wait little


def test_a_job_store_locked_by_another_process_is_busy(tmp_path: Path) -> None:
    """x19r1 F5: a ``BEGIN EXCLUSIVE`` held elsewhere on job.sqlite was "StoreError: job
    store: open ...: database is locked", exit 1; now the job lock's busy line, exit 6."""
    import sqlite3

    JobStore.create(tmp_path / "job3", job_id="job3", kind="import", config={}).close()
    other = sqlite3.connect(tmp_path / "job3" / "job.sqlite", isolation_level=None)
    other.execute("PRAGMA journal_mode = DELETE")  # a rollback journal: readers wait too
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(JobBusy) as info:
            _QuickStore.open(tmp_path / "job3")
    finally:
        other.execute("ROLLBACK")
        other.close()
    line = describe(info.value)
    assert line == ("job 'job3' is already open (in this process or another); try again when it has "
                    "finished") and exit_code_for(info.value) == 6
    _QuickStore.open(tmp_path / "job3").close()  # and not left locked by the refusal
