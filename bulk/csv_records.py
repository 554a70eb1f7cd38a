"""CSV records from physical lines, without ever merging or inventing rows.

The rule (docs/mapping.md, "Manifests / CSV"): a record is well formed when every
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
error it restarts in the middle of the cell. Here it runs in strict mode (so
every malformed record raises) over a line source that remembers the lines
the current record took and can push them back; a record over the field-size
limit is followed to its end with a small per-line grammar.

Memory: one record at a time; a malformed record keeps its lines until it is
known to be malformed — at most the field-size limit, then ``MAX_RECORD_LINES``
lines or ``MAX_RECORD_CHARS`` characters (past those, a quoted cell is taken
for an unclosed quote and reading restarts at its record's second line).
"""

from __future__ import annotations

import csv
import functools
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

_EOL = re.compile(r"(?:\r\n|\r|\n)?\Z")
# A quoted cell running on past these is taken for an unclosed quote (memory stays bounded).
MAX_RECORD_LINES = 100_000
MAX_RECORD_CHARS = 16 * 1024 * 1024


class Line(int):
    """A record's first physical line (the int: what the reader's own messages call
    "line N"), with its spreadsheet ``row``: where Excel and LibreOffice show it, every
    record one row however many lines its quoted cells span (x25r2 F4: after a notes cell
    of three lines, "row 12" was the 14th row of the sheet)."""

    row: int

    def __new__(cls, line: int, row: int) -> Line:
        self = super().__new__(cls, line)
        self.row = row
        return self


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A record that could not be read: why, and its first physical line's cells (lenient)."""

    reason: str
    cells: list[str]


class _Grammar:
    """The per-delimiter regular expressions of a well-formed record (``_grammar``: one
    per delimiter, compiled once)."""

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


@functools.lru_cache(maxsize=16)
def _grammar(delimiter: str) -> _Grammar:
    """The ``_Grammar`` of ``delimiter``, compiled once (issue 8: built per record that
    spans lines, its patterns were a tenth of the reader's time on the demo's export)."""
    return _Grammar(delimiter)


@functools.lru_cache(maxsize=16)
def _lenient_patterns(delimiter: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """``_lenient``'s (quoted, messy) cell patterns for ``delimiter``, compiled once."""
    d = re.escape(delimiter)
    return (re.compile('"((?:[^"]|"")*)"(?=' + d + "|$)"),
            re.compile('"(?:[^"]|"")*"[^' + d + "]*"))


class _Lines:
    """The reader's input: physical lines, a pushback for re-reading after a bad record, and
    the lines the current record has taken (``csv.reader`` pulls them one by one).

    A class, not a generator: after the end of the file it must serve pushed-back lines.
    """

    __slots__ = ("_back", "_blank", "_it", "fresh", "number", "taken")

    def __init__(self, lines: Iterable[str], delimiter: str = ",") -> None:
        self._it = iter(lines)
        self._back: deque[tuple[int, str]] = deque()
        self.number = 0
        self.taken: list[tuple[int, str]] = []
        # a record starts with the next line: lines of only blanks and delimiters there are
        # blank records, skipped here, not one csv.reader record and one loop turn each
        # (x43r4 F4: 2 MB of empty lines after 5 rows took 17.6 s, 20 MB 85 s)
        self.fresh = False
        self._blank = " \t\r\n" + delimiter

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        # only a record's first line may be skipped: a pushed-back one served first ends it
        fresh, self.fresh = self.fresh, False
        if self._back:
            item = self._back.popleft()
        else:
            line = next(self._it)  # StopIteration: the end of the file
            self.number += 1
            if fresh:
                blank = self._blank
                while not line.strip(blank):  # (never inside a record: a quoted cell's)
                    line = next(self._it)
                    self.number += 1
            item = (self.number, line)
        self.taken.append(item)
        return item[1]

    def push_back(self, lines: list[tuple[int, str]]) -> None:
        self._back.extendleft(reversed(lines))


def records(lines: Iterable[str], dialect: type[csv.Dialect],
            fits: Callable[[list[str]], bool | None] | None = None, *, hidden: int = 0,
            ) -> Iterator[tuple[Line, list[str] | BadRecord]]:
    """(first physical line, cells or ``BadRecord``) per record; blank records are skipped.
    The ``Line`` carries the record's spreadsheet row: its line less the line breaks
    inside the quoted cells of the records above it (none for a record read as malformed:
    its lines are read again, each a row), less ``hidden`` (Excel's ``sep=;`` line, which
    it does not show).

    ``lines``: the file's physical lines, line ends kept (open with ``newline=""``).
    ``fits(cells)``: whether a record that spans several lines has a plausible
    width; one that does not is taken for an unclosed quote that met a quote
    followed by a delimiter on a later line, and is treated as malformed (so
    the lines it would have swallowed are read again as rows). None (or ``fits``
    answering None): no width is known yet (a title line, a header, above the header):
    a record spanning lines is read as RFC 4180 reads it — "each of its lines alone
    is a whole row" cannot be judged without a width (x18r2 2: a data row's
    multi-line cell read before a header below a title line was known failed, and
    the header was not found).

    ``csv.reader`` in strict mode does the parsing (in C) and raises on each
    malformed record; spans, errors and the field-size limit are handled here.
    """
    strict: type[csv.Dialect] = type("StrictDialect", (dialect,), {"strict": True})
    source = _Lines(lines, str(dialect.delimiter))
    reader: Any = csv.reader(source, strict)
    taken = source.taken
    closing: dict[int, int] = {}  # a line whose quote closed a span that did not fit -> its start
    joined = hidden  # the line breaks inside the records read so far, and the hidden line

    def at(number: int) -> Line:
        return Line(number, number - joined)

    while True:
        taken.clear()
        source.fresh = True
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if not taken:
                return
            start, bad, spanned = _failed(source, dialect, exc)
            yield at(start), bad
            joined += spanned - 1
            continue
        opened = closing.pop(taken[0][0], None) if closing else None
        if opened is not None and taken[0][1].count(str(dialect.quotechar)) % 2:
            # the line a quote opened on line ``opened`` closed on, with a quote of its own
            # left unpaired: that record's own last line (a cell spanning lines in a
            # record of the wrong width), never a row of its own (x10r3: its text after
            # the quote became a deal). A line whose quotes pair up is a row whose opening
            # quote the unclosed one took, read as it is
            source.push_back(taken[1:])
            yield at(taken[0][0]), BadRecord(
                f"quoting error: a quote opened on line {opened} closes on this line, in a "
                "record of the wrong number of cells: this line is that record's end, or "
                "a row an unclosed quote there ran into; check both lines",
                _lenient(taken[0][1], dialect))
            continue
        if len(taken) == 1:  # the common record, on one line: nothing to judge (issue 8)
            text = "".join(cells)
            if text and not text.isspace():  # else a blank record: skipped
                starts = _new_int(Line, taken[0][0])  # Line(): a Python call more a record
                starts.row = starts - joined
                yield starts, cells
            continue
        # None: no width known yet, the record is read as RFC 4180 reads it
        fit = fits(cells) if fits is not None else True
        if fit and fits is not None and _each_a_row(taken, dialect, fits):
            # RFC 4180 reads these lines as one record; a quote left open on its first
            # line that an ordinary quote on a later one "closes" reads the same bytes
            # as several rows (x10r4 F2: k6 took k7's amount, organization and person,
            # and k7 was in no report). Neither reading is taken: every line fails
            start, last = taken[0][0], taken[-1][0]
            for number, line in taken:
                yield at(number), BadRecord(
                    f"quoting error: a quoted cell opens on line {start} and closes on line "
                    f"{last}, and each of those lines alone is a whole row: a quote left "
                    "open that ran into the rows after it, or one cell over several "
                    f"lines? Close or double the quote on line {start} (or put the cell's "
                    "text on one line) and import these lines again",
                    _lenient(line, dialect))
            continue
        if fit is not False:
            text = "".join(cells)
            first_line, spanned = taken[0][0], len(taken)
            if text and not text.isspace():
                yield at(first_line), cells
            joined += spanned - 1
            continue
        start, first = taken[0]
        closing[taken[-1][0]] = start
        source.push_back(taken[1:])
        yield at(start), BadRecord("quoting error: a quoted cell spans lines and the record has the "
                               "wrong number of cells (an unclosed quote?)",
                               _lenient(first, dialect))


_new_int = int.__new__


def _each_a_row(taken: list[tuple[int, str]], dialect: type[csv.Dialect],
                fits: Callable[[list[str]], bool | None]) -> bool:
    """Whether every physical line of a record that spans lines is, read alone, a whole
    row (``fits``): the quote that opens the spanning cell on the first line, and the one
    that closes it on the last, taken as ordinary characters; the lines in between read
    as they are. Only a record with one cell spanning lines is judged (else False): the
    cells before its opening quote and after its closing one are well formed (the csv
    module read the record), and a line in between holds no lone quote.

    The last line is judged first: it is the cheapest (its closing quote is found by a
    short match, the first line's opening one by the whole record's grammar), and in a
    file of notes over several lines it is the one that is no row alone ("Follow up in
    Q3." is one cell), so the answer is mostly known from it (issue 8: the first line's
    grammar, run on every such record first, was a quarter of the CSV reader's time)."""
    q = str(dialect.quotechar)
    grammar = _grammar(str(dialect.delimiter))
    last = taken[-1][1].rstrip("\r\n")
    m = grammar.cont.match(last)
    if m is None:
        return False
    if not fits(next(csv.reader([last[:m.end() - 1] + "\x00" + last[m.end():]], dialect),
                     [])):
        return False
    middle = [line.rstrip("\r\n") for _, line in taken[1:-1]]
    if any(q in text.replace(q * 2, "") for text in middle):
        return False  # a lone quote between: more than one cell spans lines
    first = taken[0][1].rstrip("\r\n")
    m = grammar.tail.fullmatch(first)
    if m is None or m.group("open") is None:
        return False
    first = first[:m.start("open")] + "\x00" + first[m.start("open") + 1:]
    return all(fits(next(csv.reader([text], dialect), [])) for text in [first, *middle])


def _failed(source: _Lines, dialect: type[csv.Dialect], exc: csv.Error,
            ) -> tuple[int, BadRecord, int]:
    """The error of the record that began at ``source.taken[0]``, and the lines it took:
    the input is left after it (a well-formed record over the field-size limit: all its
    lines) or at its second line (malformed: one)."""
    taken = list(source.taken)
    start, first = taken[0]
    message = str(exc)
    if "field larger than field limit" in message:
        state = _skip_rest(source, taken, _grammar(str(dialect.delimiter)))
        if state == "done":
            return start, BadRecord(
                f"a cell is longer than {csv.field_size_limit():,} characters (the CSV "
                f"field-size limit; the record spans {len(taken)} line(s))",
                _lenient(first, dialect)), len(taken)
    else:
        state = "eof" if "unexpected end of data" in message else "bad"
    source.push_back(taken[1:])  # re-read what the bad record would have swallowed
    text = {"eof": "a quoted cell is never closed",
            "long": f"a quoted cell runs on for more than {MAX_RECORD_LINES:,} lines or "
                    f"{MAX_RECORD_CHARS // 2**20} MiB (an unclosed quote?)",
            }.get(state, "text after a closing quote (a quote that should be doubled?)"
                  if len(taken) == 1 else
                  f"a quote opened on line {start} is not closed on it (an unclosed "
                  f"quote?): the quote that closes it on line {taken[-1][0]} has text "
                  "after it")
    return start, BadRecord(f"quoting error: {text}", _lenient(first, dialect)), 1


def _skip_rest(source: _Lines, taken: list[tuple[int, str]], grammar: _Grammar) -> str:
    """Read on to the end of a record the csv module gave up on: "done", "bad", "eof" or
    "long" (past ``MAX_RECORD_LINES`` / ``MAX_RECORD_CHARS``).

    ``taken`` grows with the lines read (the caller pushes them back if it is malformed)."""
    state, opened = "open", False
    for _, line in taken:
        state = _state(grammar, line, opened=opened)
        opened = True
        if state != "open":
            return state
    chars = sum(len(line) for _, line in taken)
    while state == "open":
        if len(taken) >= MAX_RECORD_LINES or chars >= MAX_RECORD_CHARS:
            return "long"
        source.taken.clear()
        try:
            next(source)
        except StopIteration:
            return "eof"
        taken.append(source.taken[0])
        chars += len(taken[-1][1])
        state = _state(grammar, taken[-1][1], opened=True)
    return state


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


def _lenient(line: str, dialect: type[csv.Dialect]) -> list[str]:
    """The cells of one physical line of a malformed record, for failed.csv: a well-quoted
    cell unquoted, any other cell as its raw text (``"5" screen`` stays ``"5" screen``,
    not ``5 screen``; a quote left open takes the rest of the line), so the person
    fixing the row sees what the file holds."""
    text = line.rstrip("\r\n")
    d = str(dialect.delimiter)
    quoted, messy = _lenient_patterns(d)
    cells: list[str] = []
    at = 0
    while True:
        if text.startswith('"', at):
            m = quoted.match(text, at)
            if m is not None:
                cells.append(m.group(1).replace('""', '"'))
                at = m.end()
            else:
                m = messy.match(text, at)
                if m is None:  # never closed on this line: the rest is the cell
                    cells.append(text[at:])
                    return cells
                cells.append(m.group(0))
                at = m.end()
        else:
            end = text.find(d, at)
            end = len(text) if end < 0 else end
            cells.append(text[at:end])
            at = end
        if at >= len(text):
            return cells
        at += len(d)  # the delimiter
        if at == len(text):
            cells.append("")
            return cells


__all__ = ["BadRecord", "records"]
