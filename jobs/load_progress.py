"""Where a long load is while it reads and decides a file's rows (x39r3: a 50 MB plan was
five minutes of silence in a cron log, a slow load not to be told from a hung one).

``LoadProgress`` is told, by each pass over the manifest (``watch``), how many rows that
pass has read, every ``STOP_CHECK_ROWS`` rows (``jobs.load_stop.stoppable``'s count, so a
row costs nothing more). Without a terminal it says one plain line every ``EVERY`` seconds
of its clock::

    loading: 120,000 of about 363,684 rows read (pass 3: deciding the rows), 1:30 elapsed

and nothing for a file read in under ``EVERY`` seconds. With a terminal (``live``) the same
line is rewritten in place at most every ``LIVE_EVERY`` seconds, fitted to the terminal's
width (``live_writer``), and cleared before any
other line (``said``) and at the end (``clear``). It writes only through the callables it is
given (the CLI: stderr; never stdout, so ``--json`` keeps stdout one object); it makes no
call and never sleeps; its clock is injected (``now``: seconds, monotonic)."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

EVERY = 30.0  # seconds between two plain lines (a file read faster prints none)
LIVE_EVERY = 1.0  # seconds between two rewrites of the live line on a terminal
TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson")  # a row a line, about

Say = Callable[[str], None]
Watch = Callable[[int], None]  # told a pass's rows read so far (``stoppable``)


def lines_in(path: str | Path) -> int | None:
    """About how many rows a text manifest has: its newline count less the header's (a
    record of several lines counts more; a title line above the header too: "about").
    None for a workbook or a JSON array (no row a line), or an unreadable file. Reads the
    file in 1 MiB chunks (~30 ms for 50 MB); called once, only when a line is said."""
    p = Path(path)
    if p.suffix.lower() not in TEXT_SUFFIXES:
        return None
    lines = 0
    try:
        with p.open("rb") as f:
            while chunk := f.read(1 << 20):
                lines += chunk.count(b"\n")
    except OSError:
        return None
    return max(0, lines - (0 if p.suffix.lower() in (".jsonl", ".ndjson") else 1))


def _elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class LoadProgress:
    """The load's progress line. ``say``: where a plain line goes (one line, no newline at
    its end); ``live``: on a terminal, where the live line goes instead (its text, or ""
    to clear it; the writer rewrites the line in place); ``now``: the clock (seconds,
    monotonic; default ``time.monotonic``); ``every`` / ``live_every``: seconds between two
    lines; ``total``: how the row count is estimated (``lines_in`` of the manifest: called
    once, at the first line; None: "N rows read" alone). ``lines``: the plain lines said."""

    __slots__ = ("_last", "_live", "_live_every", "_now", "_pass", "_say", "_shown", "_started",
                 "_total", "_total_known", "every", "lines")

    def __init__(self, say: Say, *, live: Say | None = None,
                 now: Callable[[], float] = time.monotonic, every: float = EVERY,
                 live_every: float = LIVE_EVERY,
                 total: Callable[[], int | None] | None = None) -> None:
        self._say, self._live, self._now = say, live, now
        self.every, self._live_every = every, live_every
        self._started = self._last = now()
        self._total = total
        self._total_known: int | None = None
        self._pass = 0
        self._shown = False  # the live line is on screen
        self.lines = 0

    def watch(self, what: str) -> Watch:
        """A pass over the whole manifest begins: ``what`` it does ("deciding the rows").
        Returns what its reader tells the rows read so far (``stoppable``'s ``watch``)."""
        self._pass += 1
        number = self._pass

        def seen(rows: int) -> None:
            now = self._now()
            if self._live is not None:
                if now - self._last >= self._live_every:
                    self._last = now
                    self._shown = True
                    self._live(self.line(rows, number, what, now))
            elif now - self._last >= self.every:
                self._last = now
                self.lines += 1
                self._say(self.line(rows, number, what, now))
        return seen

    def line(self, rows: int, number: int, what: str, now: float) -> str:
        """The line: rows read of about how many, the pass, the time since the load began."""
        if self._total is not None:
            self._total_known, self._total = self._total(), None
        total = self._total_known
        of = f" of about {max(total, rows):,}" if total else ""
        return (f"loading: {rows:,}{of} rows read (pass {number}: {what}), "
                f"{_elapsed(now - self._started)} elapsed")

    def said(self, say: Say) -> Say:
        """``say``, clearing the live line first (a line of the load's own: a note)."""
        def said(text: str) -> None:
            self.clear()
            say(text)
        return said

    def clear(self) -> None:
        """Take the live line off the screen (nothing without a terminal)."""
        if self._shown and self._live is not None:
            self._shown = False
            self._live("")

    def __repr__(self) -> str:
        return (f"<LoadProgress pass={self._pass} lines={self.lines} "
                f"live={self._live is not None}>")


def live_writer(write: Callable[[str], object], flush: Callable[[], object],
                columns: Callable[[], int] = lambda: shutil.get_terminal_size().columns) -> Say:
    """The live line's writer for a terminal stream (``write`` / ``flush``: stderr's):
    rewrites the line in place (carriage return, erase to the end of the line), fitted to
    the terminal's width (``columns``: read at each rewrite, a resize follows; ``fit``).
    A line one column too long wraps, and the carriage return then goes back to its second
    row only: each rewrite left a stale first row (x40r1 F4: 113-117 characters at 80)."""
    def shown(text: str) -> None:
        write("\r\x1b[K" + fit(text, columns()))
        flush()
    return shown


def terminal_columns(stream: TextIO) -> int:
    """The width in columns of the terminal ``stream`` writes to (stderr: stdout may be a
    file, ``--json > out.json``), else ``shutil.get_terminal_size``'s (``COLUMNS``, 80)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return shutil.get_terminal_size().columns


_PASS_DETAIL = re.compile(r" \(pass (\d+): [^)]*\)")


def fit(text: str, columns: int) -> str:
    """``text`` in fewer than ``columns`` characters (the last column is left free: a
    character written there makes some terminals wrap): as it is when it fits, else with the
    pass's description dropped (``(pass 1: deciding the rows)`` -> ``(pass 1)``), else cut
    with an ellipsis. ``columns`` under 10 counts as 10."""
    room = max(10, columns) - 1
    if len(text) <= room:
        return text
    short = _PASS_DETAIL.sub(r" (pass \1)", text)
    return short if len(short) <= room else short[:room - 1] + "\u2026"


__all__ = ["EVERY", "LIVE_EVERY", "LoadProgress", "Watch", "fit", "lines_in", "live_writer",
           "terminal_columns"]
