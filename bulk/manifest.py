"""Streaming manifest readers: CSV (any common dialect), JSONL, JSON arrays and XLSX.

Each record comes out as a ``SourceRow``: its source position, the row number
every report shows — the physical line where it starts (so a quoted cell
spanning three lines moves the next row's number by three; the header line and
blank lines count, as in an editor; XLSX: the row number Excel shows; JSON
array: the record's 1-based position) — and its values. A bad record is not an
exception: it comes out as a row with ``error`` set and every original cell
it has in ``values`` (for failed.csv), so one broken line never stops a job. Only a problem with the whole file
(missing, no header, duplicate or empty column names, unknown format, not
UTF-8) raises ``InputError``.

Memory stays flat: one record at a time, never the file. This module must
never hold more than one record, nor know what a deal is.

CSV: UTF-8 with or without BOM, or UTF-16; any other encoding is refused
with the likely one named (``detect_encoding``) unless ``encoding`` is given.
CRLF, LF or CR; quoted cells with embedded newlines and doubled quotes. The
delimiter (comma, semicolon, tab or pipe) is chosen from a 64 KiB sample by
parsing it with each candidate and keeping the one that gives the widest
header every sampled record agrees with — ``csv.Sniffer`` guesses wrong on
quoted cells with newlines, this does not. Excel's ``sep=;`` first line names
the delimiter and is skipped (the header is the next line). Quoting errors never merge or
invent rows (``csv_records``). Cells stay strings, untrimmed. A record whose
cell count differs from the header's is an error row, trailing empty cells
included — unless every data row has the same trailing empty cells (a
file-wide trailing delimiter). A record whose cells are all empty is skipped.

JSONL and JSON: read in the same encodings as CSV, by the same detection
(``open_utf8``: UTF-16 is recoded, anything else refused unless ``encoding`` is
given); one object per record; nested objects become dotted paths
(``manifest_json``); a line that is not JSON, or not an object, is an error
row. ``header()`` of a JSON file is the union of the paths of its first
1,000 records, in order of appearance.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, NamedTuple, TextIO

import orjson

from .csv_records import BadRecord, records
from .errors import InputError
from .manifest_encoding import (
    _BOM,
    _open_text,
    choose_encoding,
    detect_encoding,
    open_utf8,
    without_mapping_hint,
)
from .manifest_json import (
    flatten,
    loads_exact,
    path_problem,
    read_json_array,
    structured,
    wrapped,
)
from .manifest_xlsx import (
    header_row_number,
    read_xlsx,
    unnamed_note,
    unnamed_refusal,
    xlsx_date_system,
    xlsx_header,
    xlsx_unnamed,
)
from .reports import _FORMULA_START as FORMULA_START

Format = Literal["csv", "jsonl", "json", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl", "json", "xlsx")
PathLike = str | os.PathLike[str]

SAMPLE_CHARS = 64 * 1024
_SEP_HINT = re.compile(r"sep=([,;\t|])[ \t]*(?:\r\n|\r|\n)", re.IGNORECASE)
DELIMITERS = (",", ";", "\t", "|")
_SUFFIXES: dict[str, Format] = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".psv": "csv",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl",
    ".json": "json", ".xlsx": "xlsx", ".xlsm": "xlsx",
}
_JSONL_HEADER_SAMPLE = 1000


class SourceRow(NamedTuple):
    """One manifest record: ``row``, its source position — the one row number every
    message, plan, failed file and ``--json`` report shows (see the module docstring):
    CSV, the physical line its record starts on (as an editor shows it); XLSX, the row
    number Excel shows; JSONL, its line; a JSON array, the record's 1-based index.
    ``line`` is the same number (the readers' own messages say "line N"). Rows come
    out in increasing ``row`` order, each number once; blank records and the header
    take numbers but are not rows, so the numbers have gaps.

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


class PathSample(list[str]):
    """The header of a JSON or JSONL manifest: the leaf paths of its first 1,000 records,
    in order of appearance — a sample, not a closed list. A mapping may name any
    well-formed path (``check_paths``); a record without it has an empty value there, and
    only a pass over every record (plan, the import's load) can tell that no record has it.
    Paths where a sampled record holds an object or an array of objects are left out
    (no text target takes one; its leaves are paths of their own)."""

    __slots__ = ()


def check_paths(header: Sequence[str], columns: Collection[str]) -> list[tuple[str, str]]:
    """(column, problem) for each of ``columns`` a manifest with this ``header`` cannot
    have: not in a CSV/XLSX header; not a well-formed path for JSON (``PathSample``)."""
    if isinstance(header, PathSample):
        return [(c, problem) for c in columns if (problem := path_problem(c)) is not None]
    known = set(header)
    return [(c, "no such column in the manifest") for c in columns if c not in known]


def detect_format(path: PathLike, format: Format | None = None) -> Format:
    """The manifest format: ``format`` if given, else from the file suffix."""
    if format is not None:
        if format not in FORMATS:
            raise ValueError(f"unknown manifest format {format!r}")
        return format
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise InputError(f"cannot tell the format of {os.fspath(path)!r} from its suffix; "
                         "use .csv, .jsonl, .json or .xlsx, or name the format")
    return _SUFFIXES[suffix]


def read_manifest(path: PathLike, *, format: Format | None = None,
                  delimiter: str | None = None, encoding: str | None = None,
                  sheet: str | None = None,
                  columns: Collection[str] | None = None,
                  header_row: int | None = None) -> Iterator[SourceRow]:
    """Stream the manifest's records.

    CSV: ``delimiter`` overrides the sniffed one, ``encoding`` the detected one
    (``detect_encoding``). XLSX: ``sheet`` names the worksheet (default: the
    first); ``columns``, the columns the caller reads (None: all): a formula without
    a stored value or an Excel error fails its row only in one of them. CSV and XLSX:
    ``header_row``, the line / Excel row the header is on (None: found, see
    ``header``). Raises ``InputError`` for a problem with the whole file, for ``sheet``
    on a file that is not XLSX and ``header_row`` on a JSON one.
    """
    kind = detect_format(path, format)
    _sheet_only_for_xlsx(kind, sheet)
    _header_row_only_for_tables(kind, header_row)
    if kind == "jsonl":
        return _no_extra_cells(_read_jsonl(path, encoding))
    if kind == "json":
        return _no_extra_cells(read_json_array(path, encoding))
    if kind == "xlsx":
        return _no_extra_cells(read_xlsx(path, sheet, columns, header_row))
    return _no_extra_cells(_read_csv(path, delimiter, encoding, header_row))


_EXTRA = re.compile(r"\(extra \d+\)")


def _no_extra_cells(rows: Iterator[SourceRow]) -> Iterator[SourceRow]:
    """A failed-rows file's ``(extra N)`` columns hold the cells a source row had past its
    header: one that is still filled when the file is imported again fails its row (a
    mapping never reads it, so it would be dropped silently); emptied, it is ignored."""
    for row in rows:
        if row.ok and "(extra 1)" in row.values:
            left = [k for k, v in row.values.items()
                    if _EXTRA.fullmatch(k) and v is not None and str(v).strip()]
            if left:
                yield row._replace(error=InputError(
                    f"line {row.line}: the cell in column {left[0]!r} is still filled: the "
                    "source row had a cell past its header; move it into its column or "
                    "empty it", row=row.row, column=left[0]))
                continue
        yield row


def _sheet_only_for_xlsx(kind: Format, sheet: str | None) -> None:
    if sheet is not None and kind != "xlsx":
        raise InputError(f"--sheet names a worksheet of an XLSX file; this manifest is "
                         f"{kind.upper()} (leave --sheet out)")


def _header_row_only_for_tables(kind: Format, header_row: int | None) -> None:
    if header_row is not None and kind not in ("csv", "xlsx"):
        raise InputError(f"header_row (--header-row) names the header line of a CSV or XLSX "
                         f"file; this manifest is {kind.upper()} (leave it out)")
    if header_row is not None and header_row < 1:
        raise InputError(f"header_row must be 1 or more, not {header_row}")


def header(path: PathLike, *, format: Format | None = None, delimiter: str | None = None,
           encoding: str | None = None, sheet: str | None = None,
           header_row: int | None = None) -> list[str]:
    """The column names (CSV/XLSX: the header row; JSON/JSONL: keys of the first objects).

    For JSON records the names are dotted paths to every leaf of the first
    records (``properties.dealname``), as a mapping refers to them: a ``PathSample``.
    """
    kind = detect_format(path, format)
    _sheet_only_for_xlsx(kind, sheet)
    _header_row_only_for_tables(kind, header_row)
    if kind in ("jsonl", "json"):
        names: dict[str, None] = {}
        nested: set[str] = set()  # paths some sampled record has an object (array) at
        rows = (_read_jsonl(path, encoding) if kind == "jsonl"
                else read_json_array(path, encoding))
        first_error: InputError | None = None
        seen = 0
        for seen, row in enumerate(rows, 1):
            if row.ok:  # an error row's "(line)" is not a column
                names.update(dict.fromkeys(row.values))
                nested.update(k for k, v in row.values.items() if structured(v))
            elif first_error is None:
                first_error = row.error
            if seen >= _JSONL_HEADER_SAMPLE:
                break
        if not names:
            what = "records" if kind == "jsonl" else "elements in its array"
            if not seen:
                raise InputError(f"{os.fspath(path)!r} has no records (no {what}): "
                                 "nothing to read")
            raise InputError(f"{os.fspath(path)!r} has no readable record among its first "
                             f"{seen:,} (the first: {first_error})")
        return PathSample(n for n in names if n not in nested)
    if kind == "xlsx":
        return xlsx_header(path, sheet, header_row)
    with _Csv(path, delimiter, encoding, header_row) as source:
        return [n for n in source.names if n]


def header_note(path: PathLike, *, format: Format | None = None, sheet: str | None = None,
                header_row: int | None = None, encoding: str | None = None) -> str | None:
    """What a reader of the plan should know about the file's layout, else None: which
    row was taken as the header when it was not plain to see (an XLSX row of merged group
    titles above it was skipped); for a CSV whose every row has empty cells past the
    header's last column (a file-wide trailing delimiter), that they are dropped — the
    same bytes come from an unquoted decimal comma in every row, which shifts the columns
    (v10r8 medium 7: imported with exit 0 and no word)."""
    kind = detect_format(path, format)
    if kind == "csv":
        try:
            trailer = _file_wide_trailer(path, None, encoding, header_row)
            with _Csv(path, None, encoding, header_row, scan=False) as source:
                skipped = source.skipped
        except InputError:
            return None
        notes = [unnamed_note(skipped)] if skipped else []
        if trailer:
            notes.append(f"every row has {trailer} empty cell(s) past the header's last "
                         "column (a trailing delimiter): dropped. If the columns look shifted "
                         "(an unquoted decimal comma, 1234,50, splits a cell in two), quote "
                         "those cells")
        return "; ".join(notes) or None
    if kind == "json":
        key = wrapped(path, encoding)
        return None if key is None else (
            f"the records are the array under the top-level key {key!r} (an API "
            "response's wrapper); the object's other keys are not read")
    if kind != "xlsx":
        return None
    above = None if header_row is not None else header_row_number(path, sheet)[1]
    unnamed = xlsx_unnamed(path, sheet, header_row)
    said = [n for n in (above, unnamed_note(unnamed) if unnamed else None) if n]
    return "; ".join(said) or None


def date_system(path: PathLike, *, format: Format | None = None,
                sheet: str | None = None) -> int | None:
    """An XLSX workbook's date system (1900 or 1904); None for other formats."""
    if detect_format(path, format) != "xlsx":
        return None
    return xlsx_date_system(path, sheet)


def count_rows(path: PathLike, *, format: Format | None = None, delimiter: str | None = None,
               encoding: str | None = None, sheet: str | None = None,
               header_row: int | None = None) -> int:
    """How many rows ``read_manifest`` will yield (error rows included), for progress totals."""
    kind = detect_format(path, format)
    if kind == "jsonl":
        with open_utf8(path, encoding) as fb:
            return sum(1 for raw in fb if raw.strip() and raw.strip() != _BOM)
    if kind != "csv":
        return sum(1 for _ in read_manifest(path, format=kind, sheet=sheet, encoding=encoding,
                                            header_row=header_row))
    with _Csv(path, delimiter, encoding, header_row) as source:
        return sum(1 for _ in source)


# ---------------------------------------------------------------- CSV

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
            # newline="": lines end at \r, \n or \r\n, as the reader sees them (Mac
            # Excel's "CSV (Macintosh)" ends lines with \r alone)
            for record in csv.reader(io.StringIO(sample, newline=""), dialect(candidate)):
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


def _dialect_for(f: TextIO, delimiter: str | None,
                 header_row: int | None = None) -> tuple[type[csv.Dialect], bool]:
    """The dialect, and whether the file starts with Excel's ``sep=;`` hint line (which
    then names the delimiter, unless ``delimiter`` is given, and is not the header).
    ``header_row``: the delimiter is sniffed from that line on (title lines above it hold
    one cell under any delimiter)."""
    sample = f.read(SAMPLE_CHARS)
    f.seek(0)
    hint = _SEP_HINT.match(sample)
    if delimiter is None:
        if hint:
            delimiter = hint[1]
        else:
            complete = len(sample) < SAMPLE_CHARS
            if header_row is not None and header_row > 1:
                sample = "".join(sample.splitlines(keepends=True)[header_row - 1:])
            delimiter = sniff_delimiter(sample, complete=complete)
    return dialect(delimiter), hint is not None


def _check_header(cells: list[str], line: int) -> list[str]:
    names = [c.strip() for c in cells]
    while names and not names[-1]:  # a trailing delimiter on the header line
        names.pop()
    seen: set[str] = set()
    for position, name in enumerate(names, 1):
        if not name:  # a column without a name: skipped if no row has a value (_Csv)
            continue
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


def _printable(text: str) -> str:
    """A cell with undecodable bytes shown as ``\\xNN`` (for failed.csv, which is UTF-8)."""
    if _is_utf8(text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class _Csv:
    """One pass over a CSV file: header, then (line, cells or BadRecord) per non-blank record."""

    def __init__(self, path: PathLike, delimiter: str | None, encoding: str | None,
                 header_row: int | None = None, *, scan: bool = True) -> None:
        self._f = _open_text(path, encoding)
        chosen = codecs.lookup(self._f.encoding).name
        self.undecodable = (("not valid UTF-8" if chosen.startswith("utf-8")
                             else f"bytes that are not valid {chosen}")
                            + " (shown as \\xNN; if the file is in another encoding, read "
                              "it with --encoding NAME)")
        try:
            self.dialect, hinted = _dialect_for(self._f, delimiter, header_row)
            self.names: list[str] = []
            self._records = records(self._f, self.dialect, self._fits)
            for line, cells in self._records:
                if hinted and line == 1:  # "sep=;": not a record
                    continue
                if header_row is not None and line != header_row:
                    if line < header_row:  # lines above the named header are not read
                        continue
                    raise InputError(f"line {header_row} (header_row) is empty or inside "
                                     "a quoted cell: the header must start there")
                if isinstance(cells, BadRecord):
                    raise InputError(f"line {line}: the header cannot be read: {cells.reason}")
                if any(c.strip() for c in cells):
                    self.raw_header = cells
                    break
            else:
                raise InputError("the file is empty: a header row is required"
                                 if header_row is None else
                                 f"the file has no line {header_row} (header_row)")
            self.names = _check_header(cells, line)
            # columns with no name: skipped when no row has a value there (a spreadsheet's
            # spacer column), else the file is refused naming the column (v10r9 M6)
            self.skipped = [i for i, name in enumerate(self.names) if not name]
            if self.skipped and scan:
                _check_unnamed(path, delimiter, encoding, header_row, self.skipped, line)
        except BaseException:
            self._f.close()
            raise

    def _fits(self, cells: list[str]) -> bool:
        width = len(self.names)
        return not width or len(cells) == width or (len(cells) > width and not any(cells[width:]))

    def __enter__(self) -> _Csv:
        return self

    def __exit__(self, *exc: object) -> None:
        self._f.close()

    def __iter__(self) -> Iterator[tuple[int, list[str] | BadRecord]]:
        return self._records


def _check_unnamed(path: PathLike, delimiter: str | None, encoding: str | None,
                   header_row: int | None, positions: list[int], header_line: int) -> None:
    """InputError when a data record has a value in a column the header leaves unnamed."""
    with _Csv(path, delimiter, encoding, header_row, scan=False) as source:
        for line, cells in source:
            if isinstance(cells, BadRecord):
                continue
            for p in positions:
                if p < len(cells) and cells[p].strip():
                    raise unnamed_refusal(f"line {header_line}", p + 1, f"line {line}",
                                          cells[p])


def _trailing_empties(cells: list[str], width: int) -> int | None:
    """How many empty cells follow the header's width (None: a non-empty one does)."""
    extra = cells[width:]
    return None if any(extra) else len(extra)


def _file_wide_trailer(path: PathLike, delimiter: str | None, encoding: str | None,
                       header_row: int | None) -> int:
    """The trailing empty cells every data record has (and the header, if it has any), else 0."""
    with _Csv(path, delimiter, encoding, header_row) as source:
        width = len(source.names)
        common = _trailing_empties(source.raw_header, width) or None
        for _, cells in source:
            if isinstance(cells, BadRecord) or len(cells) <= width:
                return 0
            trailer = _trailing_empties(cells, width)
            if trailer is None or (common is not None and trailer != common):
                return 0
            common = trailer
        return common or 0


def _unprefixed(cells: list[str]) -> list[str]:
    """Cells without the spreadsheet text prefix: a ``'`` before a leading ``=``, ``+``,
    ``-``, ``@`` is how a spreadsheet (and ``reports.neutralise``, and many CRM exports
    guarding against formula injection) marks a cell as text, not part of its value. It is
    dropped in every CSV, whatever its columns: whether an untouched ``+49 30 1234567``
    or ``@Acme renewal`` from failed.csv reads as its source had it must not depend on the
    report's own columns still being there (a person may delete them). A cell that began
    with ``'`` before such a character itself was written with one more ``'`` and keeps
    its own."""
    return [c[1:] if c[:1] == "'" and c.lstrip("'")[:1] in FORMULA_START and c.lstrip("'")
            else c for c in cells]


def _read_csv(path: PathLike, delimiter: str | None, encoding: str | None,
              header_row: int | None = None) -> Iterator[SourceRow]:
    with _Csv(path, delimiter, encoding, header_row) as source:
        names = source.names
        width = len(names)
        allowed = width
        first = True
        for line, cells in source:
            number, first_record, first = line, first, False  # the row is its line
            if first_record and not isinstance(cells, BadRecord) and len(cells) > width:
                allowed = width + _file_wide_trailer(path, delimiter, encoding, header_row)
            if isinstance(cells, BadRecord):
                yield _bad(number, line, names, cells.cells, cells.reason)
            elif len(cells) != allowed:
                yield _bad(number, line, names, cells,
                           f"{len(cells)} cells but the header has {width} columns"
                           + (f" (and every row {allowed - width} trailing empty cell(s))"
                              if allowed != width else ""))
            elif not _is_utf8(joined := "".join(cells)):
                yield _bad(number, line, names, cells, source.undecodable)
            else:
                if "'" in joined:  # else no cell has the text prefix
                    cells = _unprefixed(cells)
                row = dict(zip(names, cells[:width], strict=True))
                if source.skipped:
                    row.pop("", None)
                yield SourceRow(number, line, row)


def _bad(number: int, line: int, names: list[str], cells: list[str], reason: str) -> SourceRow:
    """An error row that keeps every original cell (extra ones as ``(extra N)`` columns)."""
    values: dict[str, Any] = {}
    for position, cell in enumerate(cells):
        name = names[position] if position < len(names) else f"(extra {position - len(names) + 1})"
        if name:  # a column with no name (and no value: _Csv) is skipped
            values[name] = _printable(cell)
    return SourceRow(number, line, values, InputError(f"line {line}: {reason}", row=number))


# ---------------------------------------------------------------- JSONL

def _read_jsonl(path: PathLike, encoding: str | None = None) -> Iterator[SourceRow]:
    with open_utf8(path, encoding) as f:
        for line, raw in enumerate(f, 1):
            if line == 1:
                raw = raw.removeprefix(_BOM)
            if not raw.strip():
                continue
            number = line  # the row is its line
            try:
                value = loads_exact(raw)
            except orjson.JSONDecodeError as exc:
                yield SourceRow(number, line, _raw_line(raw), InputError(
                    f"line {line}, column {exc.colno}: not valid JSON ({exc.msg})", row=number))
                continue
            if not isinstance(value, dict):
                yield SourceRow(number, line, _raw_line(raw), InputError(
                    f"line {line}: expected a JSON object, got {_json_kind(value)}", row=number))
                continue
            yield SourceRow(number, line, flatten(value))


def _raw_line(raw: bytes) -> dict[str, Any]:
    """An unreadable JSONL line as it is, for failed.csv (column ``(line)``)."""
    return {"(line)": raw.decode("utf-8", "backslashreplace").rstrip("\r\n")}


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
    "DELIMITERS", "FORMATS", "Format", "PathSample", "SourceRow", "check_paths", "count_rows",
    "choose_encoding", "detect_encoding", "header_note", "detect_format", "dialect", "header",
    "open_utf8", "read_manifest", "sniff_delimiter", "without_mapping_hint",
]
