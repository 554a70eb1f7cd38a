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
columns keep their names.

Formula injection: a spreadsheet runs a cell that starts with ``=``, ``+``,
``-``, ``@`` (or a tab or CR, or their full-width forms) as a formula. Every
*string* cell that starts with one of them gets a leading ``'`` — except a
plain number (only a sign, digits, ``.`` and ``,``: ``-12.50``, ``+1,000``),
which cannot be a formula and must survive a round trip. Numbers the engine
writes itself (row, ids, HTTP status) are passed as ``int`` and never touched.
The ``'`` stays in the file: a value fixed in a spreadsheet and re-imported
loses it only if the person removes it, which is the point.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import orjson

SUCCEEDED = "succeeded.csv"
FAILED = "failed.csv"
UNPROCESSED = "unprocessed.csv"
SUMMARY = "summary.json"

ROW_COLUMNS = ("row", "key")  # succeeded.csv of a kind that names no columns of its own
FAILED_COLUMNS = ("row", "key", "reason", "status", "column")
UNPROCESSED_COLUMNS = ("row", "key")

_FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?[\d.,]*\d[\d.,]*")
_FLUSH_EVERY = 1000


def neutralise(text: str) -> str:
    """``text`` made safe to open in a spreadsheet (see the module docstring)."""
    if text[:1] in _FORMULA_START and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def cell(value: object) -> str:
    """One CSV cell: numbers as written, strings neutralised, JSON values as JSON text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return neutralise(orjson.dumps(value).decode())
    return neutralise(str(value))


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
    of starting them again. Use as a context manager, or call ``close()``.
    """

    def __init__(self, directory: str | os.PathLike[str], *,
                 source_columns: Sequence[str] = (),
                 success_columns: Sequence[str] = ROW_COLUMNS,
                 extra_column: str | None = None, append: bool = False) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.source_columns = list(source_columns)
        self.success_columns = list(success_columns)
        self.extra_column = extra_column
        tail = self.source_columns + ([extra_column] if extra_column else [])
        self._succeeded = _CsvFile(self.directory / SUCCEEDED, self.success_columns, append)
        self._failed = _CsvFile(self.directory / FAILED,
                                _own_columns(FAILED_COLUMNS, tail) + tail, append)
        self._unprocessed = _CsvFile(self.directory / UNPROCESSED,
                                     _own_columns(UNPROCESSED_COLUMNS, tail) + tail, append)
        self._known = set(self.source_columns)

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
        """Create the three CSV files with their headers (so empty reports exist too)."""
        for report in (self._succeeded, self._failed, self._unprocessed):
            report.open()

    def close(self) -> None:
        for report in (self._succeeded, self._failed, self._unprocessed):
            report.close()

    def statistics(self) -> ReportStats:
        return ReportStats(self._succeeded.count, self._failed.count, self._unprocessed.count)

    @property
    def paths(self) -> dict[str, Path]:
        return {"succeeded": self._succeeded.path, "failed": self._failed.path,
                "unprocessed": self._unprocessed.path, "summary": self.directory / SUMMARY}

    def succeeded(self, **cells: object) -> None:
        """One row of succeeded.csv, by column name (missing columns stay empty)."""
        unknown = set(cells) - set(self.success_columns)
        if unknown:
            raise ValueError(f"not a succeeded.csv column: {', '.join(sorted(unknown))}")
        self._succeeded.write([cell(cells.get(name)) for name in self.success_columns])

    def failed(self, *, row: int | None, key: str | None, reason: str,
               status: int | None = None, column: str | None = None,
               values: Mapping[str, Any] | None = None) -> None:
        """One row of failed.csv: why, then the original row as it was read."""
        self._failed.write([cell(row), cell(key), cell(reason), cell(status), cell(column),
                            *self._source(values or {})])

    def unprocessed(self, *, row: int | None, key: str | None,
                    values: Mapping[str, Any] | None = None) -> None:
        """One row of unprocessed.csv: a row the job did not get to."""
        self._unprocessed.write([cell(row), cell(key), *self._source(values or {})])

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


def _json_default(value: object) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} to summary.json")


__all__ = [
    "FAILED", "FAILED_COLUMNS", "ReportStats", "ReportWriter", "ROW_COLUMNS", "SUCCEEDED",
    "SUMMARY", "UNPROCESSED", "UNPROCESSED_COLUMNS", "cell", "neutralise",
]
