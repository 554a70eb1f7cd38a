"""Streaming manifest readers: CSV (any common dialect), JSONL, JSON arrays and XLSX.

Each record comes out as a ``SourceRow``: its source position, the row number
every report shows — the physical line where it starts (so a quoted cell
spanning three lines moves the next row's number by three; the header line and
blank lines count, as in an editor; XLSX: the row number Excel shows; JSON
array: the record's 1-based position) — and its values. A bad record is not an
exception: it comes out as a row with ``error`` set and every original cell
it has in ``values`` (for failed.csv), so one broken line never stops a job. Only a problem with the whole file
(missing, no header, duplicate or empty column names, unknown format, not
UTF-8, changed while it was read: ``bulk.manifest_stamp``) raises ``InputError``.
XLSX rows hidden in the sheet (a filter, by hand) are read like the others; the
plan's header note names them (``manifest_xlsx.hidden_note``).

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

``SourceRow`` and the shared types are in ``bulk.manifest_row``, the CSV reader in
``bulk.manifest_csv`` (split out of this module, issue 8); both are re-exported here.

Why ~600 lines: this is the one facade every reader goes through (format detection,
header and path checks, counts, the JSONL reader with its per-row refusals: a key
named twice, nesting too deep; ``header_note``, every format's layout notes, which a
plan asks of one function); split further, those shared checks would be spread over
files that each look free to skip one.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Collection, Generator, Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import orjson

from .errors import InputError
from .manifest_csv import (
    DELIMITERS,
    SAMPLE_CHARS,
    _Csv,
    _file_wide_trailer,
    _read_csv,
    _where,
    dialect,
    sniff_delimiter,
)
from .manifest_encoding import (
    _BOM,
    choose_encoding,
    detect_encoding,
    not_a_manifest,
    open_utf8,
    utf8_lines,
    without_mapping_hint,
)
from .manifest_encoding import misread_note as _misread_note
from .manifest_json import (
    NESTED_JSON,
    flatten,
    key_twice,
    loads_exact,
    parent_paths,
    path_problem,
    read_json_array,
    structured,
    wrapped,
)
from .manifest_kind import wrong_content
from .manifest_row import (
    FORMATS,
    Format,
    HeaderLine,
    PathLike,
    PathSample,
    SourceRow,
    line_note,
    where_row,
)
from .manifest_stamp import CHANGED, Stamp, check_unchanged, file_stamp, unchanged_rows
from .manifest_xlsx import (
    header_row_number,
    hidden_note,
    read_xlsx,
    sheet_names,
    twice_problem,
    unlabelled,
    unnamed_note,
    xlsx_date_system,
    xlsx_header,
    xlsx_unnamed,
)
from .table_paths import header_column, names_paths, path_index

_SUFFIXES: dict[str, Format] = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".psv": "csv",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl",
    ".json": "json", ".xlsx": "xlsx", ".xlsm": "xlsx",
}
_JSONL_HEADER_SAMPLE = 1000

def check_paths(header: Sequence[str], columns: Collection[str]) -> list[tuple[str, str]]:
    """(column, problem) for each of ``columns`` a manifest with this ``header`` cannot
    have: not in a CSV/XLSX header (in any spelling of a path the header names:
    ``bulk.table_paths``); not a well-formed path for JSON (``PathSample``)."""
    if isinstance(header, PathSample):
        return [(c, problem) for c in columns if (problem := path_problem(c)) is not None]
    known = set(header)
    index = path_index(known) if names_paths(known) else {}
    return [(c, twice_problem(header, c) or _case_problem(header, c)
             or "no such column in the manifest") for c in columns
            if header_column(known, index, c) is None]


def _case_problem(header: Sequence[str], column: str) -> str | None:
    """The problem of a ``column`` the header has only in another letter case or spacing
    (x52r10 F3: a re-export's ``Deal Owner`` for the mapping's ``Deal owner`` was refused
    "no such column", nothing said of the case), or None. Never matched silently: a
    header may hold both spellings as two columns."""
    def norm(name: str) -> str:
        return " ".join(name.split()).casefold()

    alike = [h for h in header if h != column and norm(h) == norm(column)]
    if not alike:
        return None
    return ("no such column in the manifest, but it has " + " and ".join(map(repr, alike))
            + " (only the letter case or spacing differs): write the column's name in the "
              "mapping as the file does")


def detect_format(path: PathLike, format: Format | None = None) -> Format:
    """The manifest format: ``format`` if given, else from the file suffix. ``NotAManifest``
    (an InputError) for a file whose content is not that format's — an archive, an image, a
    document, a workbook named .csv, text named .xlsx (``bulk.manifest_kind``: by its first
    bytes, whatever its name); InputError for a suffix that names no format."""
    if (refused := not_a_manifest(path)) is not None:
        raise refused
    if format is not None:
        if format not in FORMATS:
            raise ValueError(f"unknown manifest format {format!r}")
        kind = format
    else:
        suffix = Path(path).suffix.lower()
        if suffix not in _SUFFIXES:  # nothing names a format: the suffix is the only way
            hint = (" (an old Excel or OpenDocument sheet: save it as .xlsx or .csv)"
                    if suffix in (".xls", ".ods", ".xlsb", ".numbers") else "")
            raise InputError(f"cannot tell the format of {os.fspath(path)!r} from its suffix"
                             f"{hint}; pdbulk reads .csv, .jsonl, .json and .xlsx files")
        kind = _SUFFIXES[suffix]
    if (refused := wrong_content(path, kind)) is not None:
        raise refused
    return kind


def read_manifest(path: PathLike, *, format: Format | None = None,
                  delimiter: str | None = None, encoding: str | None = None,
                  sheet: str | None = None,
                  columns: Collection[str] | None = None,
                  header_row: int | None = None,
                  keys: Collection[str] = (),
                  since: Stamp | None = None) -> Generator[SourceRow, None, None]:
    """Stream the manifest's records.

    CSV: ``delimiter`` overrides the sniffed one, ``encoding`` the detected one
    (``detect_encoding``). XLSX: ``sheet`` names the worksheet (default: the
    first); ``columns``, the columns the caller reads (None: all): a formula without
    a stored value or an Excel error fails its row only in one of them; ``keys``, the
    source key columns: a number cell there in a format that shows it otherwise than
    its digits fails its row (``read_xlsx``'s ``as_shown``). CSV and XLSX:
    ``header_row``, the row the header is on as a spreadsheet numbers it (CSV: a record
    whose quoted cells span lines is one row; XLSX: Excel's row) (None: found, see
    ``header``). Raises ``InputError`` for a problem with the whole file, for ``sheet``
    on a file that is not XLSX and ``header_row`` on a JSON one.

    A file that changed while it was read (``bulk.manifest_stamp``: still being written)
    raises ``InputError`` once the last record is read, or at the start when it is no
    longer ``since`` (the stamp a caller took before its first read of the file).
    """
    kind = detect_format(path, format)
    _sheet_only_for_xlsx(kind, sheet)
    _header_row_only_for_tables(kind, header_row)
    check_unchanged(path, since)
    before = since or file_stamp(path)  # before any reader opens it
    if kind == "jsonl":
        rows = _no_extra_cells(_read_jsonl(path, encoding))
    elif kind == "json":
        rows = _no_extra_cells(read_json_array(path, encoding))
    elif kind == "xlsx":
        rows = _no_extra_cells(_no_repeated_header(read_xlsx(path, sheet, columns, header_row,
                                                             as_shown=keys)), tabular=True)
    else:
        rows = _no_extra_cells(_no_repeated_header(_read_csv(path, delimiter, encoding,
                                                             header_row)), tabular=True)
    return unchanged_rows(rows, path, before)


def _header_text(value: object) -> str:
    return str(value if value is not None else "").strip().lstrip("\ufeff").strip().casefold()


def _no_repeated_header(rows: Iterator[SourceRow]) -> Iterator[SourceRow]:
    """A record whose cells are the header's names again (any order, any case, a BOM
    before the first: exports joined into one file) fails, naming its line; when it names
    them in another order, every record after it fails too — it was written under that
    other header, and reading it under the first one swaps its cells (v10r16 B: the
    repeated header imported as a deal titled "Company", and the second export's rows with
    title and organization swapped, exit 0)."""
    names: list[str] | None = None
    known: frozenset[str] = frozenset()
    probed: list[str] = []  # the columns _may_be_header looks at, in order
    skip: frozenset[str] = frozenset()  # first characters no header name's can be
    reordered: str | None = None  # where a repeated header in another order is (where_row)
    read: set[str] = set()  # the cell texts read as no header name (``_may_be_header``)
    for row in rows:
        if names is None:
            columns = [k for k in row.values if k and not _EXTRA.fullmatch(k)]
            names = [_header_text(unlabelled(k)) for k in columns]  # Email (column C)
            known = frozenset(names)
            probed = columns[:len(names) // 2 + 1]
            skip = _not_first(known)
        # row.error, not row.ok: a property is a Python call a record (issue 8)
        if len(names) < 2 or row.error is not None or not _may_be_header(
                row.values, known, probed, skip, read):
            if reordered is not None and row.error is None:
                yield row._replace(error=_after_other_header(reordered, row.row))
            else:
                yield row
            continue
        cells = [_header_text(v) for k, v in row.values.items() if k and not _EXTRA.fullmatch(k)]
        if sorted(cells) == sorted(names):
            if cells != names:
                reordered = where_row(row.row, row.line)
            yield row._replace(error=HeaderLine(
                f"{where_row(row.row, row.line)} repeats the header"
                + (" in another order" if cells != names else "")
                + ": files joined into one? Remove that line"
                + (" and split the file there: the records after it are written in its "
                   "column order" if cells != names else ""), row=row.row))
            continue
        if named := _names_in(cells, names):
            # the records after it are written under its columns, which are not ours: none
            # is read under ours (a renamed column may be another one: never silently)
            reordered = where_row(row.row, row.line)
            other = [str(v).strip() for k, v in row.values.items()
                     if k and not _EXTRA.fullmatch(k) and _header_text(v)
                     and _header_text(v) not in named]
            yield row._replace(error=HeaderLine(
                f"{where_row(row.row, row.line)} looks like another header line: its cells "
                f"name "
                f"{len(named)} of the header's {len(names)} columns and "
                + (", ".join(repr(c) for c in other[:3]) + (", ..." if len(other) > 3 else "")
                   if other else "leave others out")
                + ": files joined into one? Split the file there (each part with its own "
                "header) and import each with a mapping for its columns", row=row.row))
            continue
        if reordered is not None:
            yield row._replace(error=_after_other_header(reordered, row.row))
            continue
        yield row


def _after_other_header(where: str, row: int) -> InputError:
    return InputError(f"written under the header on {where}, which has other columns or "
                      "another column order: split the file there (each part with its own "
                      "header) and import each", row=row)


_EXTRA = re.compile(r"\(extra \d+\)")


def _names_in(cells: list[str], names: list[str]) -> dict[str, None]:
    """The header names among a record's cells (in their order), when they are at least
    two and at least half of the header's columns: a header line of another export of the
    same table (a column renamed, added or dropped: v10r25 F1 imported one as a deal keyed
    "Record ID" and an organization "Company name"). Data has a column's own name in a
    cell now and then, never in half of them. Else empty."""
    known = set(names)
    named = dict.fromkeys(c for c in cells if c and c in known)
    return named if len(named) >= 2 and 2 * len(named) >= len(names) else {}


def _not_first(known: frozenset[str]) -> frozenset[str]:
    """The printable ASCII characters a cell starting with cannot be a header name of
    ``known`` (casefolded): not a space, and in no case the first character of one.
    Anything else (a space, a BOM, a letter outside ASCII) is read in full."""
    firsts = {name[:1] for name in known}
    return frozenset(c for c in map(chr, range(33, 127)) if c.casefold() not in firsts)


_READ_LIMIT = 1024  # the cells ``_may_be_header`` remembers as read (bounded: a 1,000,000-row
# plan's peak RSS has no room for more)


def _may_be_header(values: dict[str, Any], known: frozenset[str], probed: list[str],
                   skip: frozenset[str] = frozenset(), read: set[str] | None = None) -> bool:
    """Whether a record may be a header line (``_no_repeated_header``): one of its cells
    in the ``probed`` columns (the first half of the header's named columns, plus one)
    reads as a header name. Necessary for both of its tests (a repeat names every column;
    a header of another export at least half of them, so not all of the first half and
    one can be others), and checked on those cells instead of every cell of every record
    (issue 8: the check was a quarter of the reader's time). A cell that is text is read
    in place (``_header_text`` inlined: a call per cell was a tenth of the planner's), and
    one whose first character is in ``skip`` (``_not_first``) is passed over unread, and
    so is one in ``read``: the texts already read as no header name, which this adds to
    (a column repeats its values — stages, currencies, owners, companies —; issue 8: the
    check was a tenth of the reader's time; at most ``_READ_LIMIT`` texts, then forgotten)."""
    for k in probed:
        v = values.get(k)
        if isinstance(v, str):
            if v[:1] in skip:
                continue
            if read is not None:
                if v in read:
                    continue
                if v.strip().lstrip("\ufeff").strip().casefold() in known:
                    return True
                if len(read) >= _READ_LIMIT:
                    read.clear()
                read.add(v)
                continue
            if v.strip().lstrip("\ufeff").strip().casefold() in known:
                return True
        elif _header_text(v) in known:
            return True
    return False


def _no_extra_cells(rows: Iterator[SourceRow], *, tabular: bool = False,
                    ) -> Iterator[SourceRow]:
    """A failed-rows file's ``(extra N)`` columns hold the cells a source row had past its
    header: one that is still filled when the file is imported again fails its row (a
    mapping never reads it, so it would be dropped silently); emptied, it is ignored.
    ``tabular``: a CSV or XLSX file, whose records messages name by row (``where_row``);
    else by line (JSONL) or index."""
    for row in rows:
        if row.error is None and "(extra 1)" in row.values:
            left = [k for k, v in row.values.items()
                    if _EXTRA.fullmatch(k) and v is not None and str(v).strip()]
            if left:
                yield row._replace(error=InputError(
                    ("" if tabular else f"line {row.line}: ")
                    + f"the cell in column {left[0]!r} is still filled: the "
                    "source row had a cell past its header; move it into its column or "
                    "empty it" + (line_note(row.row, row.line) if tabular else ""),
                    row=row.row, column=left[0]))
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
        # paths that hold an object in a record, and paths holding a value in one: a parent
        # path that is null or empty wherever it is not an object is no column
        parents: set[str] = set()
        valued: set[str] = set()
        rows = (_read_jsonl(path, encoding) if kind == "jsonl"
                else read_json_array(path, encoding))
        first_error: InputError | None = None
        seen = 0
        for seen, row in enumerate(rows, 1):
            if row.ok:  # an error row's "(line)" is not a column
                names.update(dict.fromkeys(row.values))
                nested.update(k for k, v in row.values.items() if structured(v))
                parents.update(parent_paths(row.values))
                valued.update(k for k, v in row.values.items() if v is not None and v != "")
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
        return PathSample(n for n in names if n not in nested
                          and (n not in parents or n in valued))
    if kind == "xlsx":
        return xlsx_header(path, sheet, header_row)
    with _Csv(path, delimiter, encoding, header_row) as source:
        return [n for n in source.names if n]


def check_has_rows(path: PathLike, *, format: Format | None = None,
                   delimiter: str | None = None, encoding: str | None = None,
                   sheet: str | None = None, header_row: int | None = None) -> None:
    """InputError when the manifest has no record (its header alone, or blank lines after
    it): a command then has nothing to do, and reads nothing from the account to say so
    (x17r3 F8: an upsert of a header-only CSV pulled 220 tokens of persons, organizations
    and deals for 0 rows). Reads up to the first record."""
    rows = read_manifest(path, format=format, delimiter=delimiter, encoding=encoding,
                         sheet=sheet, header_row=header_row)
    with closing(rows):  # closes its file
        if next(rows, None) is None:
            raise InputError(f"{os.fspath(path)!r} has no data rows (its header alone): "
                             "nothing to do")


def _mixed_note(path: PathLike, encoding: str | None) -> str | None:
    """For a file read in a single-byte code page: its lines that are UTF-8, read as UTF-8
    (``bulk.manifest_encoding.utf8_lines``), else None."""
    if encoding is None:
        return None
    try:
        chosen = choose_encoding(path, encoding)
    except InputError:
        return None
    count, first = utf8_lines(path, chosen)
    if not count:
        return None
    return (f"{count:,} line(s) of this {chosen} file are UTF-8 (the first is line {first}): "
            "read as UTF-8, the others as " + chosen)


def misread_note(path: PathLike, encoding: str | None, *, format: Format | None = None,
                 mapping: bool = True, run: str = "the import") -> str | None:
    """For a text manifest (CSV, JSON) read in a declared code page that garbles it: the
    one line naming the code page that reads it (``bulk.manifest_encoding.misread_note``),
    and that ``run`` refuses until an encoding is declared; None for XLSX (no encoding of
    its own) and when nothing is said."""
    try:
        if encoding is None or detect_format(path, format) not in ("csv", "json"):
            return None
    except InputError:
        return None
    return _misread_note(path, encoding, mapping=mapping, run=run)


def check_misread(path: PathLike, encoding: str | None, *, format: Format | None = None,
                  mapping: bool = True, run: str = "the import") -> None:
    """Raise InputError with ``misread_note``'s line (and that nothing was sent) when it
    has one: a run refuses before any write to read a file in a code page that garbles
    it (x26r3: an import wrote 5 deals ``Umowa £ódŸ``; re-importing right did not mend
    the persons matched by e-mail). ``--encoding NAME!`` reads it as declared."""
    note = misread_note(path, encoding, format=format, mapping=mapping, run=run)
    if note is not None:
        raise InputError(f"{note}; nothing was sent")


def header_note(path: PathLike, *, format: Format | None = None, sheet: str | None = None,
                header_row: int | None = None, encoding: str | None = None) -> str | None:
    """What a reader of the plan should know about the file's layout, else None: which
    row was taken as the header when it was not plain to see (an XLSX row of merged group
    titles above it was skipped); for a CSV whose every row has empty cells past the
    header's last column (a file-wide trailing delimiter), that they are dropped — the
    same bytes come from an unquoted decimal comma in every row, which shifts the columns
    (v10r8 medium 7: imported with exit 0 and no word); for a CSV or JSON file read in a
    declared code page that garbles its text, the one that reads it (``misread_note``)."""
    kind = detect_format(path, format)
    if kind == "csv":
        try:
            trailer = _file_wide_trailer(path, None, encoding, header_row)
            with _Csv(path, None, encoding, header_row, scan=False) as source:
                skipped = source.skipped
                titles, line = source.titles, source.header_line
        except InputError:
            return None
        notes = [unnamed_note(skipped)] if skipped else []
        if titles:
            shown = ", ".join(repr(t[:40]) for t in titles if t)
            # its spreadsheet row, which header_row = N counts (f27b), and its line where
            # a cell of several lines above it makes the two differ
            notes.insert(0, f"the header is {_where(line)}: "
                            f"the line(s) above it were taken for a report's title and "
                            f"skipped ({shown or 'blank'}); if another row is the header, "
                            "say header_row = N (its row, as a spreadsheet numbers them) in "
                            "the mapping's [defaults] (or --header-row N)")
        if (mixed := _mixed_note(path, encoding)) is not None:
            notes.append(mixed)
        if (misread := misread_note(path, encoding)) is not None:
            notes.insert(0, misread)
        if trailer:
            # the header line ends so too (else no trailer: ``_file_wide_trailer``); said
            # as it is (x29r1 F7: "past the header's last column" read as a header short
            # of the rows when its own line ended in the same empty cells)
            notes.append(f"the header line and every row end in {trailer} empty cell(s) "
                         "(a trailing delimiter): dropped. If the columns look shifted "
                         "(an unquoted decimal comma, 1234,50, splits a cell in two), quote "
                         "those cells")
        return "; ".join(notes) or None
    if kind == "json":
        key = wrapped(path, encoding)
        said = [n for n in (misread_note(path, encoding), _mixed_note(path, encoding),
                            None if key is None else (
            f"the records are the array under the top-level key {key!r} (an API "
            "response's wrapper); the object's other keys are not read")) if n]
        return "; ".join(said) or None
    if kind != "xlsx":
        return None
    above = None if header_row is not None else header_row_number(path, sheet)[1]
    unnamed = xlsx_unnamed(path, sheet, header_row)
    hidden = hidden_note(path, sheet, header_row)  # x18r2 6: rows hidden in the sheet
    return "; ".join(n for n in (above, unnamed_note(unnamed) if unnamed else None, hidden) if n) or None


def date_system(path: PathLike, *, format: Format | None = None,
                sheet: str | None = None) -> int | None:
    """An XLSX workbook's date system (1900 or 1904); None for other formats."""
    if detect_format(path, format) != "xlsx":
        return None
    return xlsx_date_system(path, sheet)


def sheet_tables(path: PathLike, limit: int = 1000) -> list[tuple[str, int, int]]:
    """An XLSX workbook's visible sheets as (name, named columns, rows up to ``limit``), in
    order; a sheet whose header cannot be read (empty, refused) has 0 columns. What
    tells the sheet that holds a table of records from a pivot or a cover sheet."""
    out = []
    for name in sheet_names(path):
        try:
            columns = len(header(path, sheet=name))
            rows = sum(1 for _ in itertools.islice(read_manifest(path, sheet=name), limit))
        except InputError:
            columns = rows = 0
        out.append((name, columns, rows))
    return out


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
                yield _jsonl_row(raw, line)
            except RecursionError:  # x19r1 F6: was "unexpected RecursionError", the job over
                yield SourceRow(number, line, _raw_line(raw), InputError(
                    f"line {line}: {NESTED_JSON}", row=number))


def _jsonl_row(raw: bytes, line: int) -> SourceRow:
    number = line
    try:
        value = loads_exact(raw)
    except orjson.JSONDecodeError as exc:
        if "recursion" in exc.msg:  # orjson's depth limit (1024)
            raise RecursionError from None
        return SourceRow(number, line, _raw_line(raw), InputError(
            f"line {line}, column {exc.colno}: not valid JSON ({exc.msg})", row=number))
    if not isinstance(value, dict):
        return SourceRow(number, line, _raw_line(raw), InputError(
            f"line {line}: expected a JSON object, got {_json_kind(value)}", row=number))
    twice = key_twice(raw, value)
    if twice is not None:
        return SourceRow(number, line, _raw_line(raw), InputError(
            f"line {line}: record names {twice!r} twice", row=number))
    return SourceRow(number, line, flatten(value))


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
    "CHANGED", "DELIMITERS", "FORMATS", "SAMPLE_CHARS", "Format", "HeaderLine", "PathLike",
    "PathSample", "SourceRow", "Stamp",
    "check_has_rows", "check_paths", "check_unchanged", "count_rows", "choose_encoding",
    "check_misread", "detect_encoding", "file_stamp", "header_note", "misread_note",
    "detect_format", "dialect", "header", "open_utf8", "read_manifest", "sniff_delimiter",
    "sheet_tables", "without_mapping_hint",
]
