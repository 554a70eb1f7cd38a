"""x39r2 F3: a deal another import created after this job was loaded is "a newer export's"
only when that job read another file: two jobs loaded from the same file ms apart (two state
folders on one Redis) are one picture of the source, whichever was loaded first."""

from __future__ import annotations

from pathlib import Path

from bulk.store import JobStore
from jobs.import_load import META_INPUTS
from jobs.import_rows import ImportSettings
from jobs.importing import ImportJob
from jobs.importing.base import EXPORT, newer_import

SHA = "ab" * 32


def _store(tmp_path: Path, name: str, sha: str) -> JobStore:
    store = JobStore.create(tmp_path / name, job_id=name, kind="import", config={})
    store.meta_put_many({META_INPUTS: {"manifest": None, "manifest_sha": sha, "mapping": None}})
    return store


def test_a_deal_made_by_a_job_that_read_the_same_file_is_no_newer_export(
        tmp_path: Path) -> None:
    """Job B (this one) and job C read one file; C, loaded 5 ms after B, created the deal:
    its outcome names C's file, so B finds no newer export (before: a conflict, the row
    failed). One read from another file still is."""
    b = _store(tmp_path, "b", SHA)
    c = _store(tmp_path, "c", SHA)
    deal = {"id": 7, "add_time": "2026-12-05T20:00:00Z"}
    made = ImportJob(c, ImportSettings("f.csv", "m.toml", "upsert"), "")._outcome(7, None)
    assert made[EXPORT] == SHA[:16]
    made["loaded"] = (b.created_at or 0.0) + 0.005
    assert newer_import(b, made, 7, "K1", deal) is None
    other = {**made, EXPORT: "cd" * 8}
    why = newer_import(b, other, 7, "K1", deal)
    assert why is not None and "newer export" in why
    b.close()
    c.close()
