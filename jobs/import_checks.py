"""The import's checks of a manifest's columns and keys, before and while its rows are read.

``effective_header`` / ``check_columns``: the columns a mapping may name, and the
ones it names that the manifest lacks (before any job folder or call);
``UnseenPaths``: the paths into a JSON manifest no record has had; ``KeySet``: the
source keys seen so far, in constant memory per key. Moved out of ``jobs.import_rows``
(issue 8), which still re-exports every name. It reads no account.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Sequence
from typing import Any

from bulk.errors import InputError
from bulk.manifest import PathSample, SourceRow, check_paths, detect_format
from bulk.manifest import header as read_header
from bulk.manifest_json import object_at
from bulk.manifest_row import PathLike
from bulk.manifest_xlsx import (
    first_visible_sheet,
    hidden_sheet_names,
    sheet_names,
)
from bulk.reports import HOLD_COLUMN, TYPED_KEY, hold_column

from .alike_columns import alike_problem as alike_problem  # re-exported: it lived here
from .import_items import ImportSettings
from .keyset import KeySet as KeySet  # re-exported: it lived here
from .mapping import Mapping as ImportMapping
from .mapping import MappingError


def effective_header(mapping: ImportMapping, header: Sequence[str]) -> list[str]:
    """The columns a mapping may name in this manifest: its header, plus — for a typed
    failed-rows file (failed.jsonl: ``_pdbulk.hold``), which writes only the paths each
    failed row has — every column the mapping reads: there a path no record has is an
    absent (empty) cell, as it was in the source that the mapping was checked against."""
    if isinstance(header, PathSample):  # any well-formed path may be named (check_paths)
        return header
    names = list(header)
    if hold_column(names) == f"{TYPED_KEY}.{HOLD_COLUMN}":
        names += [c for c in mapping.columns() if c not in set(names)]
    return names


def mapped_sheet(manifest: PathLike, sheet: str | None, mapping: ImportMapping) -> str | None:
    """The worksheet to read: ``sheet`` (--sheet) when given, else the mapping's ``[defaults]
    sheet`` for an XLSX manifest (x25r2 F10: init-mapping's sheet was not remembered, and
    its printed next step read another) — unless the workbook lacks it and has one sheet
    only (a failed-rows workbook of the job, re-imported with the same mapping)."""
    if sheet is not None or mapping.sheet is None or detect_format(manifest) != "xlsx":
        return sheet
    names = sheet_names(manifest)
    if mapping.sheet not in names and len(names) == 1:
        return None
    return mapping.sheet


def own_failed_file(manifest: PathLike, encoding: str | None, sheet: str | None) -> bool:
    """Whether ``manifest`` is one of pdbulk's own failed-rows files (failed.csv /
    failed.xlsx, by their report columns on row 1): its header is row 1 whatever the
    source's ``header_row`` was, as its encoding is UTF-8 whatever the source's was."""
    try:
        if detect_format(manifest) not in ("csv", "xlsx"):
            return False
        return hold_column(read_header(manifest, encoding=encoding, sheet=sheet,
                                       header_row=1)) is not None
    except InputError:
        return False


def mapping_defaults(manifest: PathLike, mapping: ImportMapping, *,
                     encoding: str | None = None, sheet: str | None = None,
                     header_row: int | None = None) -> tuple[str | None, str | None, int | None]:
    """(encoding, sheet, header_row) to read ``manifest`` with: each as given, or where it
    is None, from the mapping's ``[defaults]``: ``encoding``, ``sheet`` (``mapped_sheet``)
    and ``header_row`` (not for one of pdbulk's own failed-rows files, whose header is row
    1). The one place every entry point reads these defaults — import and update, CLI and
    library (f27b: ``ImportSettings`` built by a library user read the workbook's first
    sheet and detected the encoding where ``pdbulk import`` with the same mapping read the
    mapping's; an update of its own failed.csv under a mapping with ``header_row = 3``
    took that file's row 3 for its header). Raises InputError (``SheetChoiceError``) when
    the workbook cannot be listed."""
    encoding = encoding or mapping.encoding
    sheet = mapped_sheet(manifest, sheet, mapping)
    if header_row is None and mapping.header_row not in (None, 1) \
            and not own_failed_file(manifest, encoding, sheet):
        header_row = mapping.header_row
    return encoding, sheet, header_row


def with_mapping_defaults(settings: ImportSettings, mapping: ImportMapping) -> ImportSettings:
    """``settings`` with what they leave open (None) taken from the mapping's
    ``[defaults]`` (``mapping_defaults``), for the CLI and the library alike."""
    encoding, sheet, header_row = mapping_defaults(
        settings.manifest, mapping, encoding=settings.encoding, sheet=settings.sheet,
        header_row=settings.header_row)
    return dataclasses.replace(settings, encoding=encoding, sheet=sheet, header_row=header_row)


# where an import job keeps its settings once the mapping's defaults filled them in (the
# job's config holds them as they were given; ``stored_settings`` reads this first)
META_SETTINGS = "import.settings"


def stored_settings(store: Any) -> ImportSettings:
    """An import job's settings (``JobStore``): as ``with_mapping_defaults`` completed them
    when the job was loaded, else as its config holds them."""
    completed = store.meta_get(META_SETTINGS)
    return ImportSettings.from_json(completed if isinstance(completed, dict)
                                    else store.config["import"])


def check_columns(mapping: ImportMapping, header: Sequence[str], *,
                  workbook: PathLike | None = None, sheet: str | None = None,
                  header_row: int | None = None) -> None:
    """InputError naming every column the mapping reads that the manifest lacks (for a
    JSON manifest: every path that is not well formed, ``bulk.manifest.check_paths``), or
    one of two header names alike but for case and spaces (``alike_problem``) —
    before any job folder or call (the same check compiling the mapping makes).
    ``workbook``: the XLSX manifest ``header`` was read from (its ``sheet``, None: the
    first visible one): the error then names the other sheets whose header has every
    column the mapping reads (v10r24: a wrong sheet got the header_row advice only)."""
    problems = check_paths(effective_header(mapping, header), mapping.columns())
    if not problems:
        if (alike := alike_problem(effective_header(mapping, header), mapping.columns(),
                                   header_row)) is not None:  # x43r4 F7
            raise InputError(alike)
        return
    twice = [(c, why) for c, why in problems if why != "no such column in the manifest"]
    if isinstance(header, PathSample) or twice:  # a name the header has twice (x25r2 F7)
        raise InputError("; ".join(f"the mapping reads {c!r}: {why}"
                                   for c, why in problems))
    others = _sheets_with(workbook, sheet, header_row, mapping) if workbook is not None else []
    raise InputError("the mapping reads " + ", ".join(repr(c) for c, _ in problems)
                     + ": no such column in the manifest (its columns: "
                     + ", ".join(map(_short, header[:30])) + (" ..." if len(header) > 30 else "")
                     + ")" + _invisible_note(header)
                     + (f"; sheet {others[0]!r}{_hidden(workbook, others[0])} has every "
                        f"column the mapping reads: say --sheet {_shell_word(others[0])}"
                        + (f" (so do {', '.join(map(repr, others[1:]))})"
                           if len(others) > 1 else "") if others
                        else _TITLE_HINT if len(problems) > 1 and (
                            len(header) <= 2 or len(problems) == len(set(mapping.columns())))
                        else ""))


def _hidden(workbook: PathLike | None, sheet: str) -> str:
    """`` (hidden in the workbook)`` for a hidden sheet of ``workbook``, else ""."""
    try:
        hidden = workbook is not None and sheet in hidden_sheet_names(workbook)
    except InputError:
        return ""
    return " (hidden in the workbook)" if hidden else ""


def _short(name: str, most: int = 60) -> str:
    """A header name as the error lists it: at most ``most`` characters (a 4,000-character
    header cell was echoed whole, x34r5); an invisible mark in it shown by its name
    (``_INVISIBLE``)."""
    for mark, shown in _INVISIBLE.items():
        name = name.replace(mark, shown)
    return name if len(name) <= most else name[:most - 1] + "…"


# characters a header can carry that no one sees (x41r1 L2: a file saved with two
# byte-order marks listed "\ufeffKey" beside a mapping reading "Key": they looked the same)
_INVISIBLE = {"\ufeff": "[byte-order mark]", "\u200b": "[zero-width space]",
              "\u00a0": "[no-break space]"}


def _invisible_note(header: Sequence[str]) -> str:
    """``; column ... holds an invisible ...`` for the first header name holding a mark of
    ``_INVISIBLE``, else ``""``."""
    for name in header:
        for mark, shown in _INVISIBLE.items():
            if mark in name:
                clean = name.replace(mark, "")
                return (f"; column {_short(name)} holds an invisible {shown[1:-1]} "
                        f"(U+{ord(mark):04X}) beside {clean!r}: remove it from the file's "
                        "header"
                        + (" (a file saved with two byte-order marks starts so)"
                           if mark == "\ufeff" and name.startswith(mark) else ""))
    return ""


def _shell_word(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _sheets_with(workbook: PathLike, sheet: str | None, header_row: int | None,
                 mapping: ImportMapping) -> list[str]:
    """The workbook's other sheets (not ``sheet``) whose header has every column the
    mapping reads; [] when it is no XLSX or cannot say."""
    try:
        if detect_format(workbook) != "xlsx":
            return []
        names = sheet_names(workbook)
        used = sheet if sheet is not None else first_visible_sheet(workbook)
    except InputError:
        return []
    found: list[str] = []
    with contextlib.suppress(InputError):  # a hidden sheet, named so (x42r5 F9)
        names = names + hidden_sheet_names(workbook)
    for name in names:
        if name.casefold() == (used or "").casefold():
            continue
        try:
            columns = read_header(workbook, sheet=name, header_row=header_row)
        except InputError:
            continue
        if not check_paths(effective_header(mapping, columns), mapping.columns()):
            found.append(name)
    return found


# a report's title line read as a one-column header (v10r12 M4: a Salesforce report CSV)
_TITLE_HINT = ("; a header of one or two columns, or one with none of the mapping's, is "
               "often a title line above the table (\"Exported on: ...\"): if the header is "
               "a later line, say header_row = N in the mapping's [defaults] (or, for "
               "an import, --header-row N)")


class UnseenPaths:
    """The paths a mapping names into a JSON manifest that no record has had yet.

    A JSON header is a sample (``PathSample``): a path may first appear in record 5,000,
    so it is not checked against the header; the one pass that reads every record (a
    plan, an import's load) tells a path no record has — a typo, or the wrong export —
    by ``see``-ing each row, then ``check``. A CSV/XLSX header is complete: nothing to do.
    A typed failed-rows file (failed.jsonl) writes only the paths its rows have: a path
    none of them has was checked against the source, so it is not asked for there."""

    __slots__ = ("_waiting", "records")

    def __init__(self, mapping: ImportMapping, header: Sequence[str]) -> None:
        self.records = 0  # readable records seen
        self._waiting: dict[str, list[str]] = {}  # path -> the mapping keys that read it
        if not isinstance(header, PathSample) \
                or hold_column(header) == f"{TYPED_KEY}.{HOLD_COLUMN}":
            return
        for key, path in mapping.readers():
            self._waiting.setdefault(path, []).append(key)

    @property
    def waiting(self) -> bool:
        """Whether a path the mapping reads has been in no record seen so far."""
        return bool(self._waiting)

    def see(self, row: SourceRow) -> None:
        if not self._waiting or not row.ok:
            return
        self.records += 1
        values = row.values
        for path in [p for p in self._waiting if p in values or object_at(values, p)]:
            del self._waiting[path]

    def check(self, source: str) -> None:
        """MappingError naming each path no record had (every one at once)."""
        if self._waiting:
            raise MappingError([(key, f"no record has the path {path!r} (of the "
                                      f"{self.records:,} records read); check its spelling "
                                      "against the file (init-mapping lists the paths)")
                                for path, keys in self._waiting.items() for key in keys],
                               source=source)
