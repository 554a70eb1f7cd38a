"""The learning pass's mappings, kept on disk for the decide pass (issue 8).

An import's learning pass (``RowPlanner.learn_contacts``, before any row is decided)
maps the first row of each key to tell which rows fail on their own cells; the decide
pass then mapped each of those rows again: ~30 of a row's ~210 µs. ``MappedSpill`` keeps
each mapping the learning pass made (``put``) in an anonymous temporary file and gives
it back to the decide pass (``take``) by row number, so that row is not mapped again.

In memory a mapped row is ~1.3 KB (a 1,000,000-row plan's peak RSS target is 150 MB):
on disk instead (``marshal``, each record after its size: ~640 bytes a row — ~640 MB of
temporary disk for 1,000,000 rows until the decide pass ends — and ~10 µs to write and
read back, pickle's ~17), read back in row order, one row in memory at a time.

It is a cache and nothing else: a row it does not give back (never put, put out of
order, the file unwritable or closed) is mapped again by the caller, as before; the file
has no name (``tempfile.TemporaryFile``): nothing is left behind by a crash, and a
resume of an interrupted load learns and maps from scratch. What it must never do: give
a row another row's mapping (``take`` checks the row number and line) or a mapping made
under other decimal marks (a fresh spill for each learning pass, made once the marks are
decided: ``jobs.import_load._spilled``).
"""

from __future__ import annotations

import marshal
import struct
import tempfile
from typing import IO, Any

from bulk.manifest import SourceRow

from .mapping import MappedRow, OrgRef, PersonRef

_SEQUENCES = (tuple, list)  # what marshal gives back as it was
_SIZE = struct.Struct("<I")  # a record's size, before it


def _dumps(row: SourceRow, mapped: MappedRow) -> bytes:
    """``mapped`` as marshal writes it (twice as fast as pickle both ways, and exact: a
    subclass of a built-in type, an ``array`` or a ``Decimal`` is refused, ValueError,
    never written as its base type); ValueError too for a mapping it must not keep (an
    error of a deactivated user, an undecided currency: the caller maps those again)."""
    person, org = mapped.person, mapped.org
    if mapped.deactivated or mapped.undecided or mapped.row != row.row or (
            person is not None and not (type(person.also) in _SEQUENCES
                                        and type(person.more_phones) in _SEQUENCES)):
        # (marshal writes an ``array`` of addresses as bytes; the deal is a JSON body, as
        # the job store keeps it: no buffer there)
        raise ValueError("not kept")
    return marshal.dumps((int(row.row), int(row.line), mapped.key, mapped.deal,
                          None if person is None else tuple(person),
                          None if org is None else tuple(org), mapped.currency_defaulted,
                          mapped.currency_choices, mapped.custom_currency_open,
                          mapped.defaulted))


def _loads(data: Any) -> tuple[int, int, MappedRow]:
    """Row number, line and mapped row of what ``_dumps`` wrote."""
    at, line, key, deal, person, org, defaulted_currency, choices, opened, defaulted = data
    return at, line, MappedRow(at, key, deal, None if person is None else PersonRef(*person),
                               None if org is None else OrgRef(*org), defaulted_currency,
                               choices, opened, (), None, defaulted)


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
            data = _dumps(row, mapped)
            self._file.write(_SIZE.pack(len(data)))
            self._file.write(data)
            self.put_rows += 1
        except ValueError:  # a value of another type than marshal's own: mapped again
            pass
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
                    # our own temporary file, written above: each record after its size
                    # (marshal.load of the file itself reads it a field at a time: 3x slower)
                    head = self._file.read(_SIZE.size)
                    if len(head) < _SIZE.size:
                        self.close()
                        return None
                    (size,) = _SIZE.unpack(head)
                    self._next = _loads(marshal.loads(self._file.read(size)))
                at, line, mapped = self._next
                if at > row.row:
                    return None
                self._next = None
                if at == row.row:
                    if line != row.line:
                        return None
                    self.taken_rows += 1
                    return mapped
        except (OSError, EOFError, ValueError, TypeError, struct.error):
            self.close()
            return None

    def __del__(self) -> None:  # a planner dropped before its decide pass (a test's, a
        self.close()  # stopped load's): the file closed, not left to a ResourceWarning

    def close(self) -> None:
        """Remove the file (nothing more is put or taken). Raises nothing: closing flushes
        what is buffered, which fails again on a full disk (x46r11 F1: ``put``'s handler
        closed the file and the second ENOSPC ended the import, exit 1)."""
        spilled, self._file = self._file, None
        self._next, self._off = None, True
        if spilled is not None:
            try:
                spilled.close()
            except OSError:
                pass


__all__ = ["MappedSpill"]
