"""One manifest record as every reader yields it (``SourceRow``), and what the readers share.

``SourceRow`` (a record's row number, line, values and, for a bad record, its error),
``PathSample`` (a JSON manifest's header: a sample of its paths), the formats and the
path type. Moved out of ``bulk.manifest`` (issue 8), which still re-exports every name,
so that ``bulk.manifest_csv`` can build rows without importing the module that imports
it. It reads no file.
"""

from __future__ import annotations

import os
from typing import Any, Literal, NamedTuple

from .errors import InputError

# what a spreadsheet runs as a formula at a cell's start (or their full-width forms): a
# report guards such a cell with a leading "'" (``bulk.reports.neutralise``), and every
# reader drops it again (``bulk.manifest_csv``, ``bulk.manifest_xlsx``)
FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")

Format = Literal["csv", "jsonl", "json", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl", "json", "xlsx")
PathLike = str | os.PathLike[str]


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
