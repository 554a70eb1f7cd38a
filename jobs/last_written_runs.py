"""The runs that write into the state folder's record (``jobs.last_written``) and have not
ended yet: a run killed (kill -9, a power cut) before its end leaves the writes it settled
since its recorder's last batch unrecorded, and the next update of the same file
overwrote a colleague's edit of those deals (x46r6 F1: 10 of 10). ``register`` as a run
starts, ``unregister`` once its end recorded the rest; ``catch_up`` records what each
registered run of the account left — the job's items settled (done, skipped) and not
marked, from its job store, as its own end would have (``last_written.record_job``) —
before anything reads the record.

The one place every kind that writes the record goes through (f47e: the upsert import
read the record without catching up a killed update's writes, and imports were never
registered, so an update or an upsert after a killed upsert compared with the night
before's base: a colleague's title overwritten, said "changed on both sides", 3 runs of
3): ``caught_up`` opens the record for a load (`plan update`, `update`, `plan import`,
`import`: catch up, then open), ``RunRecord`` is a writing run's part (`update`,
`import`, their resumes and retries: registered, the others' killed runs caught up, its
writes recorded as its rows settle, the rest and its unregistering at its end). Move-stage,
merge and dedupe runs write no base (``jobs.last_written`` names its writers); an undo
gives the record back each deal's base as it settles it and unregisters the run it undid
(``jobs.undo.bases``); it is registered too (``UndoJob.run_started``), so that a kill
that leaves its writes in doubt is said by the next load, as an update's (x51r3 F3: the
import after such an undo said nothing of it).

A run's writes in doubt (its items left in flight: sent, no answer stored) are not
recorded as written: whether they applied is known only when a ``pdbulk resume`` of the
job reconciles them (a conflict it finds is recorded for the fields someone changed since:
``last_written.conflicted``). ``catch_up`` counts them and says so, naming the job; the job stays
registered until a run of it ends (its resume). A registered job whose process still
holds its lock is running: left to its own recorder. A job folder gone: forgotten.

Storage: table ``runs`` of ``last-written.sqlite3`` (one row per job: the job id, the
account as the record names it — never the token —, the job's folder, its base URL).
The functions block: call them from a worker thread (``RunRecord``'s methods go there
themselves). Raises sqlite3.Error / OSError when the state folder cannot be read or
written; a job store that cannot be opened is skipped. No API call: the job stores and
the record are local.
"""

from __future__ import annotations

import logging
import sqlite3
from functools import partial
from pathlib import Path

from bulk.clock import in_thread
from bulk.errors import StoreError
from bulk.store import FILENAME, ItemState, JobStore, held_by_live_process

from . import last_written  # through the module: tests cut its ``Recorder`` there
from .last_written import LastWritten, _account, _connect, _path, _writable, record_job

_log = logging.getLogger("pdbulk.update")  # a library prints nothing

# the kinds whose settled items are writes to record (``record_job``); a run of another
# kind registered (an undo's) is caught up for its writes in doubt alone
WRITERS = ("update", "import")

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
                # an undo (``jobs.undo.job``) gives the record each row as it settles:
                # nothing to record, its writes in doubt said (x51r3 F3)
                recorded = record_job(store, str(url)) if store.kind in WRITERS else 0
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


def caught_up(base_url: str) -> tuple[LastWritten | None, list[str]]:
    """The record of the account at ``base_url`` for a load to read (``LastWritten.open``;
    None: nothing recorded yet), what the registered runs a kill cut off settled recorded
    in it first (``catch_up``), and the lines to say (their writes in doubt). Blocking;
    raises as ``catch_up``."""
    notes = catch_up(base_url)
    return LastWritten.open(base_url), notes


class RunRecord:
    """A run's part in the record, for every kind whose writes are the next three-way
    comparison's base (``jobs.update_job``, ``jobs.importing``): ``start`` as the run
    starts — the run registered (``register``), the other runs a kill cut off caught up
    (``catch_up``: a resume or a retry decides rows against the record too), its writes
    recorded as its rows settle (``last_written.Recorder``, which first records what the
    job settled before this run) —; ``settled`` per item; ``close`` at its end, on every
    exit path — the rest recorded (``Recorder.close``), the run unregistered. A kill -9
    skips ``close``: the next load's ``caught_up`` (or the job's resume) records it."""

    __slots__ = ("_store", "recorder")

    def __init__(self, store: JobStore, recorder: last_written.Recorder) -> None:
        self._store, self.recorder = store, recorder

    def __repr__(self) -> str:
        return f"RunRecord({self._store.job_id!r}, {self.recorder!r})"

    @classmethod
    async def start(cls, store: JobStore, *, seconds: float = 30.0) -> RunRecord | None:
        """The run of ``store``'s job registered and its recorder started (batches every
        ``seconds`` or ``last_written._BATCH`` items); None when its config names no base
        URL. A state folder that cannot be written is logged: ``close`` tries again."""
        base_url = (store.config.get("engine") or {}).get("base_url")
        if not base_url:
            return None
        url = str(base_url)
        try:
            await in_thread(partial(register, store, url))
            for note in await in_thread(partial(catch_up, url)):
                _log.info("%s", note)
        except (OSError, sqlite3.Error) as exc:
            _log.warning("the state folder's record of this run could not be written (%s): "
                         "its end records its writes", exc)
        recorder = last_written.Recorder(store, url, seconds=seconds)
        recorder.start()
        return cls(store, recorder)

    def settled(self, item_id: int) -> None:
        """An item the run settled (``Recorder.settled``; never blocks)."""
        self.recorder.settled(item_id)

    async def close(self) -> int:
        """What the run wrote and its batches left recorded (``Recorder.close``), then the
        run unregistered, off the loop. Returns the fields the run recorded. Raises OSError
        / sqlite3.Error when the state folder cannot be written (the run stays registered:
        the next load's ``caught_up`` records it)."""
        recorded = await in_thread(self.recorder.close)
        await in_thread(partial(unregister, self._store.job_id))
        return recorded


__all__ = ["WRITERS", "RunRecord", "catch_up", "caught_up", "register", "unregister"]
