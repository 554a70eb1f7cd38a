"""Streaming manifest readers: CSV (any common dialect) and JSONL, row by row.

Each record comes out as a ``SourceRow``: its 1-based data row number (the
header and blank records don't count), the physical line where it starts (so
a quoted cell spanning three lines moves the next row's line by three), and
its values. A bad record is not an exception: it comes out as a row with
``error`` set, so one broken line never stops a job. Only a problem with the
whole file (missing, no header, duplicate or empty column names, unknown
format) raises ``InputError``.

Memory stays flat: one record at a time, never the file. This module must
never hold more than one record, nor know what a deal is.

CSV: UTF-8 with or without BOM; CRLF, LF or CR; quoted cells with embedded
newlines and doubled quotes. The delimiter (comma, semicolon, tab or pipe) is
chosen from a 64 KiB sample by parsing it with each candidate and keeping the
one that gives the widest header every sampled record agrees with —
``csv.Sniffer`` guesses wrong on quoted cells with newlines, this does not.
Cells stay strings, untrimmed. A record with fewer cells than the header gets
``""`` for the missing ones; more cells is an error unless the extra ones are
empty (a trailing delimiter). A record whose cells are all empty is skipped.
Bytes that are not UTF-8 make that row an error row, not the file.

JSONL: one JSON object per line; blank lines skipped; a line that is not JSON,
or not an object, is an error row. ``header()`` of a JSONL file is the union of
the keys of its first 1,000 objects, in order of appearance.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, NamedTuple, TextIO

import orjson

from .errors import InputError

Format = Literal["csv", "jsonl"]
PathLike = str | os.PathLike[str]

SAMPLE_CHARS = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
_SUFFIXES: dict[str, Format] = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".psv": "csv",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl",
}
_BOM = b"\xef\xbb\xbf"
_JSONL_HEADER_SAMPLE = 1000


class SourceRow(NamedTuple):
    """One manifest record: ``row`` (1-based data row), ``line`` (where it starts).

    A NamedTuple rather than a frozen dataclass: a million of them are built per
    job, and a tuple is built several times faster.
    """

    row: int
    line: int
    values: dict[str, Any]
    error: InputError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def detect_format(path: PathLike, format: Format | None = None) -> Format:
    """The manifest format: ``format`` if given, else from the file suffix."""
    if format is not None:
        if format not in ("csv", "jsonl"):
            raise ValueError(f"unknown manifest format {format!r}")
        return format
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise InputError(f"cannot tell the format of {os.fspath(path)!r} from its suffix; "
                         "use .csv or .jsonl, or name the format")
    return _SUFFIXES[suffix]


def read_manifest(path: PathLike, *, format: Format | None = None,
                  delimiter: str | None = None) -> Iterator[SourceRow]:
    """Stream the manifest's records (CSV: ``delimiter`` overrides the sniffed one)."""
    if detect_format(path, format) == "jsonl":
        return _read_jsonl(path)
    return _read_csv(path, delimiter)


def header(path: PathLike, *, format: Format | None = None,
           delimiter: str | None = None) -> list[str]:
    """The column names (CSV: the header row; JSONL: keys of the first objects)."""
    if detect_format(path, format) == "jsonl":
        names: dict[str, None] = {}
        for seen, row in enumerate(_read_jsonl(path)):
            if seen >= _JSONL_HEADER_SAMPLE:
                break
            names.update(dict.fromkeys(row.values))
        return list(names)
    with _open_text(path) as f:
        dialect = _dialect_for(f, delimiter)
        return _read_header(csv.reader(f, dialect))


def count_rows(path: PathLike, *, format: Format | None = None,
               delimiter: str | None = None) -> int:
    """How many rows ``read_manifest`` will yield (error rows included), for progress totals."""
    if detect_format(path, format) == "jsonl":
        with _open_binary(path) as fb:
            return sum(1 for raw in fb if raw.strip() and raw.strip() != _BOM)
    with _open_text(path) as f:
        reader = csv.reader(f, _dialect_for(f, delimiter))
        _read_header(reader)
        return sum(1 for _ in _records(reader))


# ---------------------------------------------------------------- CSV

def _open_text(path: PathLike) -> TextIO:
    try:
        # surrogateescape: a bad byte fails its own row (checked per row), not the file
        return open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as exc:
        raise InputError(f"cannot read {os.fspath(path)!r}: {exc.strerror}") from None


def _open_binary(path: PathLike) -> io.BufferedReader:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InputError(f"cannot read {os.fspath(path)!r}: {exc.strerror}") from None


class _Dialect(csv.Dialect):
    delimiter = ","
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL
    strict = False


def dialect(delimiter: str) -> type[csv.Dialect]:
    """The CSV dialect the readers use, with this delimiter."""
    return type("ManifestDialect", (_Dialect,), {"delimiter": delimiter})


def sniff_delimiter(sample: str, *, complete: bool = False) -> str:
    """The candidate delimiter that gives the widest header every sampled record matches.

    ``complete``: the sample is the whole file (else its last record may be cut).
    """
    best, best_score = ",", (0.0, 1)
    for candidate in DELIMITERS:
        width = total = fit = last_fit = 0
        try:
            for record in csv.reader(io.StringIO(sample), dialect(candidate)):
                if not record:
                    continue
                width = width or len(record)
                last_fit = len(record) == width
                total, fit = total + 1, fit + last_fit
        except csv.Error:
            continue
        if not complete and total > 1:  # the sample's last record may be cut short
            total, fit = total - 1, fit - last_fit
        if width >= 2 and (fit / total, width) > best_score:
            best, best_score = candidate, (fit / total, width)
    return best


def _dialect_for(f: TextIO, delimiter: str | None) -> type[csv.Dialect]:
    if delimiter is None:
        sample = f.read(SAMPLE_CHARS)
        delimiter = sniff_delimiter(sample, complete=len(sample) < SAMPLE_CHARS)
        f.seek(0)
    return dialect(delimiter)


def _read_header(reader: Any) -> list[str]:
    for cells in reader:
        if any(c.strip() for c in cells):
            break
    else:
        raise InputError("the file is empty: a header row is required")
    names = [c.strip() for c in cells]
    while names and not names[-1]:  # a trailing delimiter on the header line
        names.pop()
    seen: set[str] = set()
    for position, name in enumerate(names, 1):
        if not name:
            raise InputError(f"the header has an empty column name (column {position})")
        if not _is_utf8(name):
            raise InputError(f"the header is not valid UTF-8 (column {position})")
        if name in seen:
            raise InputError(f"the header names column {name!r} twice", column=name)
        seen.add(name)
    return names


def _is_utf8(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _records(reader: Any) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """(start line, cells or the parse error) per non-blank record."""
    start = reader.line_num + 1
    while True:
        try:
            for cells in reader:  # a for loop: much faster than next() per record
                line, start = start, reader.line_num + 1
                joined = "".join(cells)
                if joined and not joined.isspace():
                    yield line, cells
            return
        except csv.Error as exc:
            line, start = start, reader.line_num + 1
            yield line, exc


def _read_csv(path: PathLike, delimiter: str | None) -> Iterator[SourceRow]:
    with _open_text(path) as f:
        reader = csv.reader(f, _dialect_for(f, delimiter))
        names = _read_header(reader)
        width = len(names)
        number = 0
        for line, cells in _records(reader):
            number += 1
            if isinstance(cells, csv.Error):
                yield SourceRow(number, line, {}, InputError(
                    f"line {line}: unreadable CSV record ({cells})", row=number))
            elif len(cells) != width:
                yield _uneven(number, line, names, cells)
            elif not _is_utf8("".join(cells)):
                yield SourceRow(number, line, {}, InputError(
                    f"line {line}: not valid UTF-8", row=number))
            else:
                yield SourceRow(number, line, dict(zip(names, cells, strict=True)))


def _uneven(number: int, line: int, names: list[str], cells: list[str]) -> SourceRow:
    width = len(names)
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        return SourceRow(number, line, dict(zip(names, cells, strict=False)), InputError(
            f"line {line}: {len(cells)} cells but the header has {width} columns", row=number))
    if not _is_utf8("".join(cells)):
        return SourceRow(number, line, {}, InputError(f"line {line}: not valid UTF-8", row=number))
    cells = cells[:width] + [""] * (width - len(cells))
    return SourceRow(number, line, dict(zip(names, cells, strict=True)))


# ---------------------------------------------------------------- JSONL

def _read_jsonl(path: PathLike) -> Iterator[SourceRow]:
    with _open_binary(path) as f:
        number = 0
        for line, raw in enumerate(f, 1):
            if line == 1:
                raw = raw.removeprefix(_BOM)
            if not raw.strip():
                continue
            number += 1
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                yield SourceRow(number, line, {}, InputError(
                    f"line {line}, column {exc.colno}: not valid JSON ({exc.msg})", row=number))
                continue
            if not isinstance(value, dict):
                yield SourceRow(number, line, {}, InputError(
                    f"line {line}: expected a JSON object, got {_json_kind(value)}", row=number))
                continue
            yield SourceRow(number, line, value)


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


__all__ = [
    "DELIMITERS", "Format", "SourceRow", "count_rows", "detect_format", "dialect", "header",
    "read_manifest", "sniff_delimiter",
]
