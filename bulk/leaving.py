"""The leaving marks: one line per write of an item, appended as its request is handed to
the transport (after its charge and its admission, right before its bytes may leave).

Why: the ledger charges a call before it leaves, and ahead in credit (``bulk.ledger``),
so after a kill -9 its "at most N writes left with no answer" counts credit never used
and calls charged that never left: it read as many writes as rows in doubt, and a resume
then claimed others' same changes as its own (x51r13 F1: 13 deals of others' work
reverted by the undo in 4 of 12 runs, each time at most 1 PATCH had arrived). A mark is
per item, so the reconcile knows which rows' writes may have arrived at all: a row left
SENDING with no mark at or after its ``sent_at`` never sent its write
(``jobs.provable_writes``).

The file is ``job.leaving`` in the job folder, outside job.sqlite for the reason the
import's sent journal is (``jobs.importing.sent``: a -wal lost after a kill takes its last
commits; an append reaches the OS before the send, survives a kill -9, and is one
syscall: no transaction, no thread). A line: ``<item id> <wall seconds>``. It never holds
a token, a key or a value. A mark proves only that the write may have left (a request cut
off before the server read it has one too): an upper bound, never a proof of arrival.

Which items the marks speak for: those marked SENDING at or after ``META_SINCE`` (the
wall time of the first run that kept marks, written before it marks anything); items of
a run of an earlier pdbulk have no marks and are judged as before. The file is compacted
as each run begins (``compact``): only the lines of items still SENDING matter, since a
row sent again is marked SENDING anew, later than any older mark of it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

from .errors import StoreError
from .store import ItemState

LEAVING_FILE = "job.leaving"
META_SINCE = "leaving_marks_since"
"""The job's meta key: the wall time (Unix seconds) from which its runs mark each write of
an item as it leaves (``Marks``); absent for a job no run of which kept marks."""


class Marks:
    """A run's appender of leaving marks (``mark``); the file opens at the first mark."""

    __slots__ = ("_fd", "_path", "_wall")

    def __init__(self, directory: Path, wall: Callable[[], float]) -> None:
        self._path, self._wall = Path(directory) / LEAVING_FILE, wall
        self._fd: int | None = None

    def __repr__(self) -> str:
        return f"Marks({str(self._path)!r}, open={self._fd is not None})"

    def mark(self, item_id: int) -> None:
        """Append that a write of ``item_id`` is leaving now (O_APPEND, 0600). Raises
        OSError (a full disk: the caller must not send)."""
        if self._fd is None:
            self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.write(self._fd, b"%d %.3f\n" % (item_id, self._wall()))

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)


def _read(directory: Path) -> list[tuple[int, float, bytes]]:
    out: list[tuple[int, float, bytes]] = []
    with contextlib.suppress(FileNotFoundError), (Path(directory) / LEAVING_FILE).open("rb") as f:
        for line in f:
            parts = line.split()
            if len(parts) != 2 or not line.endswith(b"\n"):
                continue  # cut short by a kill: its send never began (written before it)
            try:
                out.append((int(parts[0]), float(parts[1]), line))
            except ValueError:
                continue
    return out


def last_marks(directory: Path, ids: Collection[int]) -> dict[int, float]:
    """The latest mark (wall seconds) of each of ``ids`` that has one."""
    wanted = set(ids)
    out: dict[int, float] = {}
    for item_id, at, _ in _read(directory):
        if item_id in wanted:
            out[item_id] = max(at, out.get(item_id, at))
    return out


def never_left(directory: Path, since: object, sent: Mapping[int, float | None]) -> set[int]:
    """Of the items ``sent`` (item id → its ``sent_at``, left SENDING), those whose write
    surely never left: marked SENDING at or after ``since`` (``META_SINCE``) with no mark
    at or after their ``sent_at``. Empty when no run kept marks (``since`` not a number),
    for items marked before it or of unknown ``sent_at``."""
    if not isinstance(since, int | float) or isinstance(since, bool):
        return set()
    judged = {i: at for i, at in sent.items() if at is not None and at >= since}
    if not judged:
        return set()
    marks = last_marks(directory, judged)
    return {i for i, at in judged.items() if marks.get(i, -1.0) < at}


def compact(directory: Path, sending: Collection[int]) -> None:
    """Keep only the lines of items in ``sending`` (those left SENDING): written to a new
    file, fsynced, renamed over the old one (a crash leaves one whole file). Nothing when
    there is no file or nothing goes. Raises OSError."""
    path = Path(directory) / LEAVING_FILE
    lines = _read(directory)
    if not lines and not path.exists():
        return
    keep = set(sending)
    kept = [line for item_id, _, line in lines if item_id in keep]
    if len(kept) == len(lines) and path.stat().st_size == sum(map(len, kept)):
        return
    if not kept:
        path.unlink(missing_ok=True)
        return
    fresh = path.with_name(LEAVING_FILE + ".new")
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, b"".join(kept))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(fresh, path)


def begin(store: Any, wall: Callable[[], float]) -> Marks:
    """Before a run works its items: ``META_SINCE`` put if no run put it yet, the file
    compacted to the lines of the items left SENDING, and the run's ``Marks``.
    ``store``: a ``JobStore`` (blocking: call it in a thread). Raises StoreError, OSError."""
    if store.meta_get(META_SINCE) is None:
        store.meta_put(META_SINCE, round(wall(), 3) - 0.001)  # (marks round to the ms)
    try:
        compact(store.directory, [item.id for item in store.items(ItemState.SENDING)])
    except OSError as exc:
        raise StoreError(f"job folder {store.directory}: cannot compact {LEAVING_FILE} "
                         f"({exc}); nothing was sent") from None
    return Marks(store.directory, wall)


def settle(store: Any) -> None:
    """As a run ends: the file compacted to the lines of the items left SENDING (a finished
    job keeps none). ``store``: a ``JobStore``. Raises StoreError, OSError."""
    compact(store.directory, [item.id for item in store.items(ItemState.SENDING)])


__all__ = ["LEAVING_FILE", "META_SINCE", "Marks", "begin", "compact", "last_marks",
           "never_left", "settle"]
