"""The import's sent journal: ``job.sent`` in the job folder, one JSON line per deal
create, appended right before the create leaves (beside the store's "sent-deal" mark).

Why a file outside job.sqlite: the store's marks live in its -wal until a checkpoint
(every 50 commits / 5 s); a -wal removed after a kill -9 took the marks of the creates
sent since, and their rows' deals, found again by key, were recorded "exists … created
meanwhile by another run", left alive by the job's undo (f25a: 14-39 of 200). An append
to a file reaches the OS before the call is sent, survives a kill -9, and is one syscall,
not a transaction. It proves a send of this job; it never proves the deal found is that
send's (``_Creates._not_ours`` still decides). It never holds a token: keys and item ids.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Collection
from pathlib import Path

import orjson

SENT_FILE = "job.sent"


def append_sent(directory: Path, key: str, item_id: int) -> None:
    """Write that this job is sending item ``item_id``'s create of ``key`` (O_APPEND,
    0600: keys are customer data). Raises OSError (a full disk: the create is not sent)."""
    line = orjson.dumps({"key": key, "item": item_id, "at": time.time()}) + b"\n"
    fd = os.open(Path(directory) / SENT_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


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


__all__ = ["SENT_FILE", "append_sent", "sent_keys", "sent_times"]
