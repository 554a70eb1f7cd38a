"""CSV records from physical lines, without ever merging or inventing rows.

The rule (docs/mapping.md, "CSV quoting"): a record is well formed when every
quoted cell is closed by a quote followed by the delimiter, the line end or
the end of the file. A quote inside an unquoted cell (``5" screen``) is an
ordinary character. A record that is not well formed (an unclosed quote, text
after a closing quote, a quote left open at the end of the file) is reported
at the physical line where it starts, and reading restarts at the **next
physical line** — so the rows after a quoting error are read exactly once and
nothing is swallowed into one cell. A well-formed record with a cell longer
than the csv module's field-size limit (131,072 characters) is one row error,
and reading goes on after the whole record: it never desynchronises.

``csv.reader`` alone cannot give this: with ``strict=False`` it reads an
unclosed quote up to the end of the file as one cell, and after a field-limit
error it restarts in the middle of the cell. Here the record boundaries are
found first (a regular expression per line that has a quote), then the
record's text goes through ``csv.reader`` for its cells.

Memory: one record at a time; a malformed record keeps its lines until it is
known to be malformed (at worst up to the end of the file).
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

_EOL = re.compile(r"(?:\r\n|\r|\n)?\Z")


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A record that could not be read: why, and its first physical line's cells (lenient)."""

    reason: str
    cells: list[str]


class _Grammar:
    """The per-delimiter regular expressions of a well-formed record."""

    __slots__ = ("cont", "delimiter", "tail")

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        d = re.escape(delimiter)
        unquoted = f'[^"{d}\\r\\n][^{d}\\r\\n]*'
        quoted = '"(?:[^"]|"")*"'
        field = f"(?:{quoted}|{unquoted})?"
        # a line segment at a field start: fields, then either the line end or an open quote
        self.tail = re.compile(
            f'(?:{field}{d})*(?:{field}(?:\\r\\n|\\r|\\n)?|(?P<open>"(?:[^"]|"")*))\\Z')
        # inside an open quoted cell: up to its closing quote (a lone quote)
        self.cont = re.compile('(?:[^"]|"")*"(?!")')


class _Lines:
    """Physical lines with their numbers, and a pushback for re-reading after a bad record."""

    __slots__ = ("_back", "_it", "number")

    def __init__(self, lines: Iterable[str]) -> None:
        self._it = iter(lines)
        self._back: deque[tuple[int, str]] = deque()
        self.number = 0

    def next(self) -> tuple[int, str] | None:
        if self._back:
            return self._back.popleft()
        line = next(self._it, None)
        if line is None:
            return None
        self.number += 1
        return self.number, line

    def push_back(self, lines: list[tuple[int, str]]) -> None:
        self._back.extendleft(reversed(lines))


class _Feed:
    """An endless iterator over one string: ``csv.reader`` reads exactly one record from it."""

    __slots__ = ("text",)

    def __init__(self) -> None:
        self.text = ""

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        return self.text


def records(lines: Iterable[str], dialect: type[csv.Dialect]) -> Iterator[tuple[int, list[str] | BadRecord]]:
    """(first physical line, cells or ``BadRecord``) per record, blank lines included as ``[]``.

    ``lines``: the file's physical lines, line ends kept (open with ``newline=""``).
    """
    delimiter = str(dialect.delimiter)
    grammar = _Grammar(delimiter)
    source = _Lines(lines)
    feed = _Feed()
    reader: Any = csv.reader(feed, dialect)
    while (first := source.next()) is not None:
        start, line = first
        if '"' not in line:
            stripped = line.rstrip("\r\n")
            yield start, stripped.split(delimiter) if stripped else []
            continue
        taken = [first]
        state = _state(grammar, line, opened=False)
        while state == "open":
            more = source.next()
            if more is None:
                state = "eof"
                break
            taken.append(more)
            state = _state(grammar, more[1], opened=True)
        if state == "done":
            feed.text = "".join(text for _, text in taken)
            try:
                yield start, next(reader)
            except csv.Error as exc:
                yield start, BadRecord(_why(exc, len(taken)), _lenient(line, dialect))
            continue
        source.push_back(taken[1:])  # re-read what the bad record would have swallowed
        reason = ("a quoted cell is never closed" if state == "eof"
                  else "text after a closing quote (a quote that should be doubled?)")
        yield start, BadRecord(f"quoting error: {reason}", _lenient(line, dialect))


def _state(grammar: _Grammar, line: str, *, opened: bool) -> str:
    """"done" (the record ends on this line), "open" (a quoted cell goes on) or "bad"."""
    if opened:
        m = grammar.cont.match(line)
        if m is None:
            return "open"  # the whole line is inside the quoted cell
        rest = line[m.end():]
        if _EOL.fullmatch(rest):
            return "done"
        if not rest.startswith(grammar.delimiter):
            return "bad"
        line = rest[1:]
    m = grammar.tail.fullmatch(line)
    if m is None:
        return "bad"
    return "open" if m.group("open") is not None else "done"


def _why(exc: csv.Error, lines: int) -> str:
    if "field larger than field limit" in str(exc):
        return (f"a cell is longer than {csv.field_size_limit():,} characters "
                f"(the CSV field-size limit; the record spans {lines} line(s))")
    return f"unreadable CSV record ({exc})"


def _lenient(line: str, dialect: type[csv.Dialect]) -> list[str]:
    """The cells of one physical line as a lenient reader sees them (for failed.csv)."""
    text = line.rstrip("\r\n")
    try:
        return next(csv.reader([text], dialect), [])
    except csv.Error:
        return [text]


__all__ = ["BadRecord", "records"]
