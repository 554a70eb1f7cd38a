"""The runs that write into the state folder's record (``jobs.last_written``) and have not
ended yet: a run killed (kill -9, a power cut) before its end leaves the writes it settled
since its recorder's last batch unrecorded, and the next update of the same file
overwrote a colleague's edit of those deals (x46r6 F1: 10 of 10). ``register`` as a run
starts, ``unregister`` once its end recorded the rest; ``catch_up``, as a `plan update` /
`update` opens the record, records what each registered run of the account left — the
job's items settled (done, skipped) and not marked, from its job store, as its own end
would have (``last_written.record_job``) — before anything reads the record.

A run's writes in doubt (its items left in flight: sent, no answer stored) are not
recorded as written: whether they applied is known only when a ``pdbulk resume`` of the
job reconciles them (a conflict it finds is recorded for the fields someone changed since:
``last_written.conflicted``). ``catch_up`` counts them and says so, naming the job; the job stays
registered until a run of it ends (its resume). A registered job whose process still
holds its lock is running: left to its own recorder. A job folder gone: forgotten.

Storage: table ``runs`` of ``last-written.sqlite3`` (one row per job: the job id, the
account as the record names it — never the token —, the job's folder, its base URL).
Blocking throughout: call from a worker thread. Raises sqlite3.Error / OSError when the
state folder cannot be read or written; a job store that cannot be opened is skipped.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bulk.errors import StoreError
from bulk.store import FILENAME, ItemState, JobStore, held_by_live_process

from .last_written import _account, _connect, _path, _writable, record_job

_log = logging.getLogger("pdbulk.update")  # a library prints nothing

_TABLE = ("CREATE TABLE IF NOT EXISTS runs (job TEXT PRIMARY KEY, account TEXT NOT NULL, "
          "folder TEXT NOT NULL, base_url TEXT NOT NULL)")


def register(store: JobStore, base_url: str) -> None:
    """Note ``store``'s job as a run writing on the account at ``base_url`` (as it starts)."""
    conn = _writable()
    try:
        with conn:
            conn.execute(_TABLE)
            conn.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?)",
                         (store.job_id, _account(base_url), str(Path(store.directory).resolve()),
                          base_url))
    finally:
        conn.close()


def unregister(job_id: str) -> None:
    """Forget ``job_id``'s run (its end recorded what it settled)."""
    path = _path()
    if not path.exists():
        return
    conn = _connect(path)
    try:
        with conn:
            conn.execute(_TABLE)
            conn.execute("DELETE FROM runs WHERE job = ?", (job_id,))
    finally:
        conn.close()


def catch_up(base_url: str) -> list[str]:
    """Record what the registered runs on the account at ``base_url`` settled and left
    unrecorded (a kill before their end); returns the lines to say (a job with writes in
    doubt, not taken as written). Memory: one batch of items (``record_job``)."""
    path = _path()
    if not path.exists():
        return []
    account = _account(base_url)
    conn = _connect(path)
    try:
        with conn:
            conn.execute(_TABLE)
        runs = conn.execute("SELECT job, folder, base_url FROM runs WHERE account = ?",
                            (account,)).fetchall()
    finally:
        conn.close()
    notes: list[str] = []
    for job, folder, url in runs:
        directory = Path(folder)
        if not (directory / FILENAME).is_file():
            unregister(str(job))
            continue
        if held_by_live_process(directory):
            continue  # running: its recorder records it
        try:
            with JobStore.open(directory) as store:
                recorded = record_job(store, str(url))
                doubt = int(store.counts().get(ItemState.SENDING, 0))
        except StoreError as exc:  # busy, unreadable: its resume records it
            _log.warning("job %s's writes could not be read for the record (%s)", job, exc)
            continue
        if recorded:
            _log.info("recorded %d field(s) job %s wrote before it was cut off", recorded, job)
        if doubt:
            notes.append(
                f"job {job} was cut off with {doubt:,} write(s) in doubt (in flight: whether "
                "each applied is not known), not taken as written: a colleague's edit of "
                f"those deals since is not told from the file's; `pdbulk resume {job}` "
                "reconciles them first")
        else:
            unregister(str(job))
    return notes


__all__ = ["catch_up", "register", "unregister"]
