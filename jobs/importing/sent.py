"""The import's sent journal: ``job.sent`` in the job folder, one JSON line per deal
create, appended right before the create leaves (beside the store's "sent-deal" mark).

Why a file outside job.sqlite: the store's marks live in its -wal until a checkpoint
(every 50 commits / 5 s); a -wal removed after a kill -9 took the marks of the creates
sent since, and their rows' deals, found again by key, were recorded "exists … created
meanwhile by another run", left alive by the job's undo (f25a: 14-39 of 200). An append
to a file reaches the OS before the call is sent, survives a kill -9, and is one syscall,
not a transaction. It proves a send of this job; it never proves the deal found is that
send's (``_Creates._not_ours`` still decides). It never holds a token: keys and item ids.

It is compacted (``compact_sent``: every ``COMPACT_EVERY`` appends of a run, and as the
run ends): a line goes once its item is done or skipped in job.sqlite itself (read, then
a checkpoint that copied the whole -wal), a state no lost -wal can take back and no
transition leaves; in doubt, pending and failed items (``pdbulk retry`` makes those
pending again) keep theirs. Before it a 50,000-row import left 50,000 lines, all read on
each resume and each in-doubt reconcile (f26f 2); now a run's journal holds at most
about ``COMPACT_EVERY`` lines plus its unsettled creates.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Collection
from pathlib import Path

import orjson

from bulk.leaving import rewrite

SENT_FILE = "job.sent"
COMPACT_EVERY = 1000  # appends of a run between two compactions (``compact_sent``)

# appends and compactions of one journal, one at a time (a job's journal has one writing
# process: the job store's lock; within it, the workers' threads)
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()


def _lock(directory: Path) -> threading.Lock:
    name = os.path.abspath(directory)
    with _LOCKS_LOCK:
        return _LOCKS.setdefault(name, threading.Lock())


def append_sent(directory: Path, key: str, item_id: int, at: float | None = None) -> None:
    """Write that this job is sending item ``item_id``'s create of ``key`` at ``at`` (Unix
    seconds, the run's clock; default now) (O_APPEND, 0600: keys are customer data).
    Raises OSError (a full disk: the create is not sent)."""
    line = orjson.dumps({"key": key, "item": item_id,
                         "at": time.time() if at is None else at}) + b"\n"
    with _lock(directory):
        fd = os.open(Path(directory) / SENT_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


def compact_sent(directory: Path, final_in_file: Callable[[Collection[int]], set[int]]
                 ) -> tuple[int, int]:
    """Drop the journal's lines whose item ``final_in_file`` (``JobStore.final_in_file``)
    returns: done or skipped in job.sqlite itself. The rest (and a line cut short by a
    kill: its send may be in doubt) is kept, written to a new file renamed over the old
    one (fsynced first: a crash leaves the old journal or the new, whole). No append
    runs meanwhile. Returns (lines before, lines kept); (n, n) when nothing went.
    Raises OSError, StoreError."""
    path = Path(directory) / SENT_FILE
    with _lock(directory):
        try:
            lines = path.read_bytes().splitlines(keepends=True)
        except FileNotFoundError:
            return 0, 0
        items: list[int | None] = []
        for line in lines:
            try:
                item = orjson.loads(line).get("item")
            except (orjson.JSONDecodeError, AttributeError):
                item = None
            items.append(item if isinstance(item, int) else None)
        final = final_in_file({i for i in items if i is not None})
        if not final:
            return len(lines), len(lines)
        kept = [line for line, item in zip(lines, items, strict=True) if item not in final]
        if not kept:
            path.unlink()
            return len(lines), 0
        rewrite(path, b"".join(kept))
        return len(lines), len(kept)


def sent_times(directory: Path, wanted: Collection[str] | None = None) -> dict[str, float]:
    """The keys (of ``wanted``, else all) whose create the journal says this job sent, each
    with the time of its last send; a line cut short by a kill is skipped. Empty when
    there is no journal."""
    out: dict[str, float] = {}
    with contextlib.suppress(FileNotFoundError), (Path(directory) / SENT_FILE).open("rb") as f:
        for line in f:
            try:
                record = orjson.loads(line)
                key, at = record.get("key"), float(record.get("at") or 0.0)
            except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
                continue
            if isinstance(key, str) and (wanted is None or key in wanted):
                out[key] = max(at, out.get(key, 0.0))
    return out


def sent_keys(directory: Path, wanted: Collection[str] | None = None) -> set[str]:
    """The keys (of ``wanted``, else all) whose create the journal says this job sent."""
    return set(sent_times(directory, wanted))


__all__ = ["COMPACT_EVERY", "SENT_FILE", "append_sent", "compact_sent", "sent_keys", "sent_times"]
