"""The learning pass's mappings, kept on disk for the decide pass (issue 8).

An import's learning pass (``RowPlanner.learn_contacts``, before any row is decided)
maps the first row of each key to tell which rows fail on their own cells; the decide
pass then mapped each of those rows again: ~30 of a row's ~210 µs. ``MappedSpill`` keeps
each mapping the learning pass made (``put``) in an anonymous temporary file and gives
it back to the decide pass (``take``) by row number, so that row is not mapped again.

In memory a mapped row is ~1.3 KB (a 1,000,000-row plan's peak RSS target is 150 MB):
on disk, pickled, ~720 bytes a row, read back in row order, one row in memory at a time.

It is a cache and nothing else: a row it does not give back (never put, put out of
order, the file unwritable or closed) is mapped again by the caller, as before; the file
has no name (``tempfile.TemporaryFile``): nothing is left behind by a crash, and a
resume of an interrupted load learns and maps from scratch. What it must never do: give
a row another row's mapping (``take`` checks the row number and line) or a mapping made
under other decimal marks (its owner drops it whenever the mapper learns marks again).
"""

from __future__ import annotations

import pickle
import tempfile
from typing import IO

from bulk.manifest import SourceRow

from .mapping import MappedRow


class MappedSpill:
    """``put`` the learning pass's mapped rows (in increasing row order), then ``take``
    them back in the same order (rows the learning pass did not map in between: None).
    Disk: ~720 bytes a row, until ``close``. Raises nothing: an ``OSError`` of the
    temporary file turns the spill off (every later ``take`` is None)."""

    __slots__ = ("_file", "_next", "_off", "_reading", "put_rows", "taken_rows")

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._reading = self._off = False
        self._next: tuple[int, int, MappedRow] | None = None  # read ahead, not taken yet
        self.put_rows = 0
        self.taken_rows = 0

    def __repr__(self) -> str:
        state = "closed" if self._off else "reading" if self._reading else "writing"
        return f"<MappedSpill {state}: {self.put_rows:,} put, {self.taken_rows:,} taken>"

    def put(self, row: SourceRow, mapped: MappedRow) -> None:
        """Keep ``mapped``, ``row``'s mapping (rows put in increasing row order)."""
        if self._reading or self._off:
            return
        try:
            if self._file is None:
                self._file = tempfile.TemporaryFile(prefix="pdbulk-mapped-")
            self._file.write(pickle.dumps((int(row.row), int(row.line), mapped),
                                          protocol=pickle.HIGHEST_PROTOCOL))
            self.put_rows += 1
        except OSError:
            self.close()

    def take(self, row: SourceRow) -> MappedRow | None:
        """``row``'s mapping as ``put`` kept it, or None (not put, or the spill is off).
        The rows are asked in increasing row order; the ones put before ``row`` and never
        asked are passed over."""
        if self._file is None:
            return None
        try:
            if not self._reading:
                self._file.flush()
                self._file.seek(0)
                self._reading = True
            while True:
                if self._next is None:
                    try:  # our own temporary file, written above
                        self._next = pickle.load(self._file)
                    except EOFError:
                        self.close()
                        return None
                at, line, mapped = self._next
                if at > row.row:
                    return None
                self._next = None
                if at == row.row:
                    if line != row.line:
                        return None
                    self.taken_rows += 1
                    return mapped
        except (OSError, pickle.UnpicklingError):
            self.close()
            return None

    def __del__(self) -> None:  # a planner dropped before its decide pass (a test's, a
        self.close()  # stopped load's): the file closed, not left to a ResourceWarning

    def close(self) -> None:
        """Remove the file (nothing more is put or taken)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._next, self._off = None, True


__all__ = ["MappedSpill"]
