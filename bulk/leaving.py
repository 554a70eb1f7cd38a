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

The longest answer: a line ``a <seconds>`` each time a write of the job is answered
later after its mark than any before (``Marks.answered``; a few lines a run, the longest
kept by ``compact``), so a resume knows when a write marked at ``t`` could have landed at
the latest: about ``t`` + that (``jobs.provable_writes``; x52r3 F1: a write marked, then cut off by
the kill before its body arrived, and a colleague's same change 1-5 s later were read as
the job's, and the undo reverted the colleague's work).

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

from .clock import parse_time
from .errors import StoreError
from .store import ItemState

LEAVING_FILE = "job.leaving"
META_SINCE = "leaving_marks_since"
"""The job's meta key: the wall time (Unix seconds) from which its runs mark each write of
an item as it leaves (``Marks``); absent for a job no run of which kept marks."""


ANSWER = b"a"
"""The first word of a line that records the longest answer time (``Marks.answered``)."""


class Marks:
    """A run's appender of leaving marks (``mark``) and of the longest answer time of the
    job's writes (``answered``); the file opens at the first line. ``longest``: the
    longest answer time kept so far (seconds; 0.0 none): the caller's cheap check. ``left``:
    item id → the wall time (Unix seconds) its first write left (a bound from a later
    write would be too tight for a result an earlier write made), for the caller to pop as
    the item settles (``lead_bound``: the server's clock lead measured from the send, not
    from the row's hand-out; w57r1 F2)."""

    __slots__ = ("_fd", "_path", "_wall", "left", "longest")

    def __init__(self, directory: Path, wall: Callable[[], float],
                 longest: float = 0.0) -> None:
        self._path, self._wall = Path(directory) / LEAVING_FILE, wall
        self._fd: int | None = None
        self.longest = longest
        self.left: dict[int, float] = {}

    def __repr__(self) -> str:
        return f"Marks({str(self._path)!r}, open={self._fd is not None})"

    def mark(self, item_id: int) -> None:
        """Append that a write of ``item_id`` is leaving now (O_APPEND, 0600). Raises
        OSError (a full disk: the caller must not send)."""
        if self._fd is None:
            self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        at = self._wall()
        os.write(self._fd, b"%d %.3f\n" % (item_id, at))
        self.left.setdefault(item_id, at)  # the first: a later write's is no bound

    def answered(self, seconds: float) -> None:
        """A write was answered ``seconds`` after its mark, longer than ``longest``: kept
        (``a <seconds>``), so a resume bounds when a write cut off could have landed
        (``jobs.provable_writes``). An OSError is swallowed: the write was sent and answered, and a
        resume without the line judges by the rules before it."""
        self.longest = seconds
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.write(self._fd, b"%s %.3f\n" % (ANSWER, seconds))
        except OSError:
            pass

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)


def lead_bound(result: Mapping[str, Any] | None, left: float | None) -> float | None:
    """The most the server's clock can be ahead of ours (seconds; negative: behind) that
    one answered write proves: it left at ``left`` (our wall clock, its leaving mark) and
    was applied after that, at its ``result``'s ``update_time`` (Pipedrive's clock, whole
    seconds: RFC 3339 or ``YYYY-MM-DD HH:MM:SS`` UTC, FACTS.md), so ahead <
    ``update_time`` + 1 - ``left``. Measured from the send, a wait in this process before
    it (the scheduler's queue, the budget) widens nothing (w57r1 F2: 0.39-3.5 s against a
    sandbox on our own clock, measured from the row's hand-out). None without a leaving
    time, an ``update_time`` or with a ``reconciled`` result (read back, not answered)."""
    if left is None or not result or result.get("reconciled"):
        return None
    applied = parse_time(result.get("update_time"))
    return None if applied is None else applied + 1.0 - left


def _read(directory: Path, answers: list[float] | None = None
          ) -> list[tuple[int, float, bytes]]:
    """The file's whole mark lines; the answer times go to ``answers`` when given."""
    out: list[tuple[int, float, bytes]] = []
    with contextlib.suppress(FileNotFoundError), (Path(directory) / LEAVING_FILE).open("rb") as f:
        for line in f:
            parts = line.split()
            if len(parts) != 2 or not line.endswith(b"\n"):
                continue  # cut short by a kill: its send never began (written before it)
            try:
                if parts[0] == ANSWER:
                    if answers is not None:
                        answers.append(float(parts[1]))
                    continue
                out.append((int(parts[0]), float(parts[1]), line))
            except ValueError:
                continue
    return out


def longest_answer(directory: Path) -> float | None:
    """The longest time (seconds) a write of the job was answered after its mark, as the
    file keeps it (``Marks.answered``); None when none was kept (no write answered since
    marks were kept, or a job of an earlier pdbulk)."""
    answers: list[float] = []
    _read(directory, answers)
    return max(answers) if answers else None


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
    answers: list[float] = []
    lines = _read(directory, answers)
    if not lines and not path.exists():
        return
    keep = set(sending)
    kept = [line for item_id, _, line in lines if item_id in keep]
    if kept and answers:  # the longest answer, for the rows still in doubt
        kept.insert(0, b"%s %.3f\n" % (ANSWER, max(answers)))
    if len(kept) == len(lines) + len(answers) and path.stat().st_size == sum(map(len, kept)):
        return
    if not kept:
        path.unlink(missing_ok=True)
        return
    rewrite(path, b"".join(kept))


def rewrite(path: Path, data: bytes) -> None:
    """``path``'s content replaced by ``data`` (0600, fsynced) through a sibling
    ``<name>.new`` renamed over it: a kill leaves the old file or the new one, never half
    of either (the leaving marks' and the import's sent journal's compaction). Raises
    OSError."""
    fresh = path.with_name(path.name + ".new")
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
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
    return Marks(store.directory, wall, longest_answer(store.directory) or 0.0)


def settle(store: Any) -> None:
    """As a run ends: the file compacted to the lines of the items left SENDING (a finished
    job keeps none). ``store``: a ``JobStore``. Raises StoreError, OSError."""
    compact(store.directory, [item.id for item in store.items(ItemState.SENDING)])


__all__ = ["ANSWER", "LEAVING_FILE", "META_SINCE", "Marks", "begin", "compact", "last_marks", "rewrite",
           "lead_bound", "longest_answer", "never_left", "settle"]
