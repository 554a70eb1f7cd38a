"""Result files of a job: succeeded.csv, failed.csv, unprocessed.csv, summary.json.

Rows are written as they become known (streaming; nothing is held in memory).
CSV files are UTF-8 with a header row, RFC 4180 quoting and CRLF line ends.
The column sets are parameters, so every job kind reuses the writer:
``succeeded.csv`` has ``success_columns``, given by the job kind (the engine
knows rows and keys, not what a job creates); ``failed.csv`` has row, key, reason, status,
column, then the manifest's own columns; ``unprocessed.csv`` has row, key, then
the manifest's columns. So failed.csv and unprocessed.csv are themselves
manifests: fix the cells and import them again with the same mapping. If the
manifest has a column with the same name as one of the report's own (say
``reason``), the report's column is renamed ``_reason`` — the manifest's
columns keep their names. A manifest that is itself a failed-rows file (failed.csv /
failed.xlsx / failed.jsonl of an earlier run: ``report_columns``) has its report
columns replaced by this run's, not kept beside them: a failed file of a failed file
has the columns of the first, through any number of rounds.

Formula injection: a spreadsheet runs a cell that starts with ``=``, ``+``,
``-``, ``@`` (or a tab or CR, or their full-width forms) as a formula. Every
*string* cell that starts with one of them gets a leading ``'`` — except a
plain negative number (a minus, digits without a leading zero, ``.`` and ``,``:
``-12.50``, ``-1,000``), which cannot be a formula and which a spreadsheet writes back
as it read it. A plus sign or a leading zero is guarded too (``'+49 30…``,
``'+00123``): a spreadsheet reads those as numbers and writes ``4930…``, ``123``. So is
every other text a spreadsheet reads as a number, date or time and saves otherwise
(``bulk.manifest_row.read_as_value``: ``'00000123``, ``'123456789012`` — 12 digits or
more —, ``'1E5``, ``'1-2``, ``'3/4``, ``'2024-01-02``, ``'10:30``; x25r2 F2: a key
``00000123`` saved by Excel as ``123`` made a second deal). Numbers the engine
writes itself (row, ids, HTTP status) are passed as ``int`` and never touched.
Every CSV and XLSX read drops one ``'`` before such text — the
spreadsheet's text prefix — so a failed.csv re-imported gives back its source's cells,
with or without the report's own columns The cells of a row the reader could not split
(a misaligned or undecodable record) are the cells as read too (``="00123"`` as
``00123``, x25r2 F1), so a fixed row's key is its source's.

Holds (``hold_column=True``, the import's failed rows): failed.csv gets a sixth own
column, ``hold``, after ``column``. A non-empty ``hold`` is a machine-readable refusal
that a re-import of the file honours: the row is refused again, with the same
reason, until the person empties the cell. A row the reader could not split into the
header's columns (a cell too many or missing) is never held — its hold cell may be another
column's —: it fails for its width (x25r2 F4). ``duplicate-key``: the row was refused
because an earlier row of the file had its source key (re-importing it alone in
upsert mode would overwrite the deal of the row that was kept). ``typed-cells``:
the source was JSON or XLSX and a cell of the row is a number, date, array or
boolean whose CSV text reads back as something else under a mapping (``0.125``
under ``decimal = ","`` is 125; ``["Umbrella"]`` is a name); the exact copy is in
the typed file beside it. ``misaligned-cells``: the reader could not split the
record into the header's columns (a cell missing or one too many, a quote left
open: ``bulk.manifest_row.MisalignedRow``), so its cells as written here may sit
under other columns than their own.

Typed sources (``typed="jsonl"`` for JSON/JSONL manifests, ``"xlsx"`` for XLSX,
``"xlsx_1904"`` for an XLSX workbook of Mac Excel's 1904 date system): the failed rows
are also written in the source's own kind of file, cells with their types —
``failed.jsonl``: one object per row, nested again as the source record was
(``manifest_json.unflatten``: a bracket path or a path into an array of objects reads it
as it read the source) and the report's own fields under ``"_pdbulk"``; a record that
was not JSON is written back as its own text. ``failed.xlsx``: the failed.csv columns,
numbers as numbers (a number in a currency format in one that shows the same currency),
dates as dates, text as text (never a formula), Excel errors as errors, a formula
without a stored value as the error ``#REF!`` (its references would point into this
file); a 1904 source gives a 1904 failed.xlsx, so a serial number a mapping reads with
``"excel_1904"`` still reads the same date (and the mapping's date-system check still
passes). Re-imported with the same mapping, they give back exactly the cells the source
gave (those rows fail again).

Why ~580 lines: the three writers (CSV, JSONL, XLSX) share one row model, one guard
and one column plan; about 70 lines are this docstring: the promise that a failed file
reads back as its source is the contract the readers test against.
"""

from __future__ import annotations

import csv
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TextIO

import orjson

from .manifest_json import JsonNumber
from .manifest_row import FORMULA_START, read_as_value, spreadsheet_changes
from .manifest_xlsx import CurrencyNumber, ExcelError, PercentNumber, UncachedFormula, currency_format
from .xlsx_cells import escaped

SUCCEEDED = "succeeded.csv"
FAILED = "failed.csv"
UNPROCESSED = "unprocessed.csv"
SUMMARY = "summary.json"

ROW_COLUMNS = ("row", "key")  # succeeded.csv of a kind that names no columns of its own
FAILED_COLUMNS = ("row", "key", "reason", "status", "column")
HOLD_COLUMN = "hold"  # failed.csv's sixth own column, with hold_column=True
HOLD_DUPLICATE = "duplicate-key"
HOLD_TYPED = "typed-cells"
HOLD_MISALIGNED = "misaligned-cells"
TYPED_KEY = "_pdbulk"  # failed.jsonl: the report's own fields of a row
RAW_TEXT = ("(line)", "(record)")  # an unreadable JSON record's own text
Typed = Literal["jsonl", "xlsx", "xlsx_1904"]
UNPROCESSED_COLUMNS = ("row", "key")


# a negative number a spreadsheet writes back as it read it: no plus sign (``+49…`` and
# ``+00123`` came back as 49… and 123, v10r18 F4) and no leading zero
_PLAIN_NUMBER = re.compile(r"-(?:0|[1-9][\d.,]*)(?:[.,]\d+)?")
_FLUSH_EVERY = 1000


def neutralise(text: str) -> str:
    """``text`` made safe to open in a spreadsheet (see the module docstring)."""
    if (text[:1] in FORMULA_START and not _PLAIN_NUMBER.fullmatch(text)) or read_as_value(text):
        return "'" + text
    if text[:1] == "'" and spreadsheet_changes(text.lstrip("'")):
        return "'" + text  # a cell that already reads "'=x": the reader strips one "'"
    return text


# a fraction a decimal-comma reading takes for a thousands group: 2.375, -12.500, 999.125
_GROUP_LIKE = re.compile(r"-?\d{1,3}\.\d{3}")


def cell(value: object) -> str:
    """One CSV cell: numbers as written, strings neutralised, JSON values as JSON text.

    A fraction whose text could read as a thousands group (one to three digits, a point,
    three digits: ``2.375``) gets a fourth decimal (``2.3750``): the same number, which a
    mapping reading ``,`` as the decimal mark refuses ("bad digit grouping") where it read
    ``2.375`` as 2375 — whatever hold the row had, or after the user emptied it (v10r12,
    v10r13: an XLSX 2.375 re-run from failed.csv became 2375); so does the number of an
    XLSX currency cell (``2.3750 €``) and a JSON number kept as written (``1.5000``).
    Every typed fraction is so written, at least four decimals and the last a 0
    (``12.5000``): under ``decimal = "auto"`` that form is no evidence of its column's
    mark."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | Decimal):
        return _typed_fraction(str(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict | list):
        return neutralise(orjson.dumps(value).decode())
    if isinstance(value, JsonNumber):
        # a JSON number kept as written (1.500, 12.500: more digits than its double shows)
        # gets the guard too (v10r28 S1: re-imported under decimal ",", 1.500 became 1500)
        return neutralise(_typed_fraction(value))
    if isinstance(value, CurrencyNumber):  # "2.375 €": the same guard as a bare 2.375
        # (v10r27 F3: re-imported under decimal = ",", 7 of 7 currencies became 2375)
        number, symbol = str(value).split(" ", 1)
        return neutralise(f"{_typed_fraction(number)} {symbol}")
    if isinstance(value, PercentNumber):  # "7.5%", as the CSV save of the sheet writes it
        return neutralise(f"{_typed_fraction(value.removesuffix('%'))}%")
    return neutralise(str(value))


_FRACTION = re.compile(r"-?[0-9]+\.([0-9]+)")


def _fraction_of(value: PercentNumber) -> float:
    """The number a percentage cell stores (``7.5%``: 0.075), for failed.xlsx."""
    try:
        return float(Decimal(value.removesuffix("%")) / 100)
    except ArithmeticError:
        return float(value.number) / 100


def _typed_fraction(text: str) -> str:
    """A typed fraction's text with at least four decimals, the last a 0 (``2.375`` →
    ``2.3750``, ``12.5`` → ``12.5000``, ``1500.000`` → ``1500.0000``): the same number,
    which ``decimal = ","`` refuses ("bad digit grouping") and ``decimal = "auto"`` reads
    but takes as no evidence of its column's mark (``jobs.transforms.decimals``: the typed
    cell was none in its source); other text (a whole number, ``1e-05``) as it is."""
    m = _FRACTION.fullmatch(text)
    if m is None:
        return text
    text += "0" * max(0, 4 - len(m[1]))
    return text if text.endswith("0") else text + "0"


def csv_exact(value: object) -> bool:
    """Whether ``cell(value)`` reads back, under any mapping, as the cell ``value`` was:
    text, whole numbers and empty cells do; fractions (a decimal mark a mapping may read
    otherwise), dates, booleans, arrays and objects do not."""
    return value is None or type(value) is str or (
        isinstance(value, int) and not isinstance(value, bool))


def hold_column(names: Sequence[str]) -> str | None:
    """The name of the hold column in a header read from one of pdbulk's failed-rows
    files (failed.csv / failed.xlsx: ``hold`` or ``_hold`` after row, key, reason,
    status, column; failed.jsonl: ``_pdbulk.hold``), else None."""
    head = [n.lstrip("_") for n in names[:len(FAILED_COLUMNS) + 1]]
    if head == [*FAILED_COLUMNS, HOLD_COLUMN]:
        return names[len(FAILED_COLUMNS)]
    typed = f"{TYPED_KEY}.{HOLD_COLUMN}"
    return typed if typed in names else None


def report_columns(names: Sequence[str]) -> frozenset[str]:
    """The columns of a header read from one of pdbulk's own failed-rows files that are the
    report's, not the source's: failed.csv / failed.xlsx's leading row, key, reason,
    status, column, hold (``_``-prefixed when the source had such a column), and every
    ``_pdbulk`` path of failed.jsonl. A failed-rows file written from such a source
    replaces them with its own (never ``_row, ..., row, ...``: a failed file of a failed
    file has the same columns, through any number of rounds)."""
    out = {n for n in names if is_typed_report_path(n)}
    own = len(FAILED_COLUMNS) + 1
    if len(names) >= own and hold_column(names) == names[own - 1]:
        out.update(names[:own])
    return frozenset(out)


def is_typed_report_path(name: str) -> bool:
    """Whether ``name`` is failed.jsonl's report field (``_pdbulk`` or a path under it)."""
    return name == TYPED_KEY or name.startswith((TYPED_KEY + ".", TYPED_KEY + "["))


@dataclass(frozen=True, slots=True)
class ReportStats:
    succeeded: int
    failed: int
    unprocessed: int


class _CsvFile:
    """One CSV report, opened on first write (or by ReportWriter.open)."""

    __slots__ = ("_file", "_writer", "append", "columns", "count", "path")

    def __init__(self, path: Path, columns: Sequence[str], append: bool) -> None:
        self.path, self.columns, self.append = path, list(columns), append
        self._file: TextIO | None = None
        self._writer: Any = None
        self.count = 0

    def open(self) -> None:
        if self._file is not None:
            return
        exists = self.append and self.path.exists() and self.path.stat().st_size > 0
        # 0600 whatever the umask: result files hold customers' names, e-mails, phones
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if exists else os.O_TRUNC),
                     0o600)
        os.fchmod(fd, 0o600)
        self._file = open(fd, "a" if exists else "w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file)
        if not exists:
            self._writer.writerow(self.columns)

    def write(self, cells: Sequence[str]) -> None:
        self.open()
        self._writer.writerow(cells)
        self.count += 1
        if self.count % _FLUSH_EVERY == 0 and self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _own_columns(own: Sequence[str], source: Sequence[str]) -> list[str]:
    taken = set(source)
    out = []
    for name in own:
        while name in taken:
            name = "_" + name
        taken.add(name)
        out.append(name)
    return out


class ReportWriter:
    """Writes a job's result files into ``directory`` (created if missing).

    ``source_columns``: the manifest's columns, copied into failed / unprocessed
    rows. ``extra_column``: where values under other keys go, as a JSON object
    (for JSONL manifests whose later objects have new keys); without it they
    are left out. ``append``: continue existing files (a resumed job) instead
    of starting them again. ``hold_column``: failed.csv has the ``hold`` column;
    ``typed``: also write failed.jsonl / failed.xlsx beside failed.csv (see the
    module docstring). Use as a context manager, or call ``close()``.
    """

    def __init__(self, directory: str | os.PathLike[str], *,
                 source_columns: Sequence[str] = (),
                 success_columns: Sequence[str] = ROW_COLUMNS,
                 extra_column: str | None = None, append: bool = False,
                 hold_column: bool = False, typed: Typed | None = None) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        # a failed-rows file as the source: its report columns are replaced, not kept
        self._report = report_columns(source_columns)
        self.source_columns = [c for c in source_columns if c not in self._report]
        self.success_columns = list(success_columns)
        self.extra_column = extra_column
        self.hold = hold_column
        tail = self.source_columns + ([extra_column] if extra_column else [])
        own = (*FAILED_COLUMNS, HOLD_COLUMN) if hold_column else FAILED_COLUMNS
        failed_csv = self.directory / FAILED
        self._succeeded = _CsvFile(self.directory / SUCCEEDED, self.success_columns, append)
        self._failed = _CsvFile(failed_csv, _own_columns(own, tail) + tail, append)
        self._typed: _JsonlFile | _XlsxFile | None = None
        if typed == "jsonl":
            self._typed = _JsonlFile(failed_csv.with_suffix(".jsonl"))
        elif typed in ("xlsx", "xlsx_1904"):
            self._typed = _XlsxFile(failed_csv.with_suffix(".xlsx"),
                                    _own_columns(own, tail) + tail,
                                    date1904=typed == "xlsx_1904")
        self._unprocessed = _CsvFile(self.directory / UNPROCESSED,
                                     _own_columns(UNPROCESSED_COLUMNS, tail) + tail, append)
        self._known = set(self.source_columns) | self._report

    def __enter__(self) -> ReportWriter:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        s = self.statistics()
        return (f"ReportWriter({str(self.directory)!r}, succeeded={s.succeeded}, "
                f"failed={s.failed}, unprocessed={s.unprocessed})")

    def open(self) -> None:
        """Create the three CSV files with their headers (so empty reports exist too), and
        the typed failed file."""
        for report in (self._succeeded, self._failed, self._unprocessed):
            report.open()
        if self._typed is not None:
            self._typed.open()

    def close(self) -> None:
        for report in (self._succeeded, self._failed, self._unprocessed):
            report.close()
        if self._typed is not None:
            self._typed.close()

    def statistics(self) -> ReportStats:
        return ReportStats(self._succeeded.count, self._failed.count, self._unprocessed.count)

    @property
    def paths(self) -> dict[str, Path]:
        out = {"succeeded": self._succeeded.path, "failed": self._failed.path,
               "unprocessed": self._unprocessed.path, "summary": self.directory / SUMMARY}
        if self._typed is not None:
            out["failed_typed"] = self._typed.path
        return out

    def succeeded(self, **cells: object) -> None:
        """One row of succeeded.csv, by column name (missing columns stay empty)."""
        unknown = set(cells) - set(self.success_columns)
        if unknown:
            raise ValueError(f"not a succeeded.csv column: {', '.join(sorted(unknown))}")
        self._succeeded.write([cell(cells.get(name)) for name in self.success_columns])

    def failed(self, *, row: int | None, key: str | None, reason: str,
               status: int | None = None, column: str | None = None,
               values: Mapping[str, Any] | None = None, hold: str | None = None) -> None:
        """One row of failed.csv (and of the typed file): why, then the original row as it
        was read (``values`` with their types: the typed file keeps them). ``hold``: the
        row's hold (module docstring); with a typed file, a row with a cell whose CSV text
        would read back otherwise is held ``typed-cells`` in failed.csv."""
        values = self._without_report(values or {})
        own = [cell(row), cell(key), cell(reason), cell(status), cell(column)]
        csv_hold = hold
        if self.hold:
            if csv_hold is None and self._typed is not None \
                    and (not all(csv_exact(v) for v in values.values())
                         or self._object_read(values)):
                csv_hold = HOLD_TYPED
            own.append(cell(csv_hold))
        self._failed.write([*own, *self._source(values)])
        if self._typed is not None:
            # the same hold as failed.csv (a re-import of the typed file voids typed-cells:
            # its cells are the exact ones, jobs.results.held)
            self._typed.write({"row": row, "key": key, "reason": reason, "status": status,
                               "column": column, HOLD_COLUMN: csv_hold if self.hold else hold},
                              values,
                              [values.get(name) for name in self.source_columns])

    def _object_read(self, values: Mapping[str, Any]) -> bool:
        """Whether a column the mapping reads holds an object in this JSON row (its leaves
        are flat paths, the column itself absent): failed.csv can write only the leaves,
        and the column, read back empty, imported the row without that value (v10r11:
        ``"amount": {"value": 5000, ...}`` re-imported as a deal with no value)."""
        from .manifest_json import object_at

        return any(name not in values and object_at(values, name)
                   for name in self.source_columns)

    def unprocessed(self, *, row: int | None, key: str | None,
                    values: Mapping[str, Any] | None = None) -> None:
        """One row of unprocessed.csv: a row the job did not get to."""
        self._unprocessed.write([cell(row), cell(key), *self._source(values or {})])

    def _without_report(self, values: Mapping[str, Any]) -> Mapping[str, Any]:
        """``values`` without the cells of a failed-rows source's own report columns."""
        if not self._report and not any(map(is_typed_report_path, values)):
            return values
        return {k: v for k, v in values.items()
                if k not in self._report and not is_typed_report_path(k)}

    def _source(self, values: Mapping[str, Any]) -> list[str]:
        cells = [cell(values.get(name)) for name in self.source_columns]
        if self.extra_column is not None:
            extra = {k: v for k, v in values.items() if k not in self._known}
            cells.append(cell(extra) if extra else "")
        return cells

    def write_summary(self, summary: Mapping[str, Any]) -> Path:
        """summary.json (pretty, keys sorted), replaced atomically."""
        path = self.directory / SUMMARY
        tmp = path.with_suffix(".json.tmp")
        tmp.write_bytes(orjson.dumps(
            dict(summary), default=_json_default,
            option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
            | orjson.OPT_APPEND_NEWLINE))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        return path


class _JsonlFile:
    """failed.jsonl: one object per failed row (module docstring), opened on first write."""

    __slots__ = ("_file", "path")

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: Any = None

    def open(self) -> None:
        if self._file is None:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)
            self._file = open(fd, "wb")

    def write(self, own: Mapping[str, Any], values: Mapping[str, Any],
              cells: Sequence[Any]) -> None:
        self.open()
        raw = next((values[k] for k in RAW_TEXT if isinstance(values.get(k), str)), None)
        if raw is not None:  # not JSON (or not an object): its own text, refused again
            self._file.write(raw.encode("utf-8", "surrogateescape") + b"\n")
            return
        from .manifest_json import unflatten

        self._file.write(json_record({TYPED_KEY: dict(own), **unflatten(values)}) + b"\n")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def json_record(record: Mapping[str, Any]) -> bytes:
    """``record`` as one line of JSON, a JSON number kept as text (``JsonNumber``: any
    ``str`` subclass named so) written back as that number, not as a string."""
    texts: dict[str, str] = {}
    nonce = secrets.token_hex(8)

    def swap(value: Any) -> Any:
        if type(value).__name__ == "JsonNumber":
            marker = f"@@{nonce}:{len(texts)}@@"
            texts[marker] = str(value)
            return marker
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [swap(v) for v in value]
        return value

    out = orjson.dumps(swap(dict(record)), default=_json_default)
    for marker, text in texts.items():
        out = out.replace(f'"{marker}"'.encode(), text.encode())
    return out


class _XlsxFile:
    """failed.xlsx: the failed.csv columns with typed cells (module docstring)."""

    __slots__ = ("_book", "_sheet", "columns", "date1904", "path")

    def __init__(self, path: Path, columns: Sequence[str], *, date1904: bool = False) -> None:
        self.path, self.columns, self.date1904 = path, list(columns), date1904
        self._book: Any = None
        self._sheet: Any = None

    def open(self) -> None:
        if self._book is None:
            import openpyxl

            self._book = openpyxl.Workbook(write_only=True)
            if self.date1904:  # the source's date system: its serial numbers keep their dates
                from openpyxl.utils.datetime import CALENDAR_MAC_1904

                self._book.epoch = CALENDAR_MAC_1904
            self._sheet = self._book.create_sheet("failed")
            self._sheet.append([self._text(c) for c in self.columns])

    def _text(self, value: str) -> Any:
        from openpyxl.cell import WriteOnlyCell

        # Excel's escapes: a control character or a typed "_x000D_" reads back as itself
        out = WriteOnlyCell(self._sheet, value=escaped(value))
        out.data_type = "s"  # never a formula, whatever it starts with
        return out

    def write(self, own: Mapping[str, Any], values: Mapping[str, Any],
              cells: Sequence[Any]) -> None:
        from openpyxl.cell import WriteOnlyCell

        self.open()
        own_cells = [own["row"], own["key"], own["reason"], own["status"], own["column"],
                     own[HOLD_COLUMN]][:len(self.columns) - len(cells)]
        line: list[Any] = [self._text(v) if isinstance(v, str) else v for v in own_cells]
        for value in cells:
            if isinstance(value, ExcelError):
                out = WriteOnlyCell(self._sheet, value=str(value))
                out.data_type = "e"
                line.append(out)
            elif isinstance(value, UncachedFormula):
                # never the live formula: its references (A2) would point at this file's
                # own cells (the report columns come first), and a spreadsheet that saves
                # it computes a wrong value; an error cell fails the row again on re-import
                # (the reason names the formula)
                out = WriteOnlyCell(self._sheet, value="#REF!")
                out.data_type = "e"
                line.append(out)
            elif isinstance(value, CurrencyNumber) and (
                    shown := currency_format(value.symbol, value.number)) is not None:
                # a number in a currency format stays one (its text would be read through
                # the mapping's decimal mark: "1234.5 €" under decimal = "," fails)
                out = WriteOnlyCell(self._sheet, value=value.number)
                out.number_format = shown
                line.append(out)
            elif isinstance(value, PercentNumber):
                # the number in a percentage format, read back as the same percentage
                out = WriteOnlyCell(self._sheet, value=_fraction_of(value))
                out.number_format = "0%" if "." not in value else "0.0###############%"
                line.append(out)
            elif isinstance(value, str):
                line.append(self._text(value))
            elif isinstance(value, dict | list):
                line.append(self._text(orjson.dumps(value).decode()))
            else:
                line.append(value)
        self._sheet.append(line)

    def close(self) -> None:
        if self._sheet is False:  # saved already
            return
        self.open()
        tmp = self.path.with_suffix(".xlsx.tmp")
        self._book.save(tmp)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
        self._book, self._sheet = None, False


def _json_default(value: object) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} to summary.json")


__all__ = [
    "FAILED", "FAILED_COLUMNS", "HOLD_COLUMN", "HOLD_DUPLICATE", "HOLD_MISALIGNED",
    "HOLD_TYPED", "TYPED_KEY",
    "Typed", "csv_exact", "hold_column", "is_typed_report_path", "json_record",
    "report_columns", "ReportStats", "ReportWriter",
    "ROW_COLUMNS", "SUCCEEDED", "SUMMARY", "UNPROCESSED", "UNPROCESSED_COLUMNS", "cell", "neutralise",
]
