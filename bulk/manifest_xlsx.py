"""XLSX manifests, streamed with openpyxl's read-only mode.

The first visible worksheet, or the one named by ``sheet``. The header is the first
row with two or more cells (single-cell title lines above it are skipped; a
one-column sheet's header is its first row); each later non-empty row is a record whose ``line``
is the row number Excel shows. Cells keep the type Excel stores: text as
``str``, numbers as ``int``/``float``, dates as ``datetime.date`` (a date
format without a time part) or ``datetime.datetime``, booleans as ``bool``.
A whole number formatted with zeros only (``000000``, ``00000``) is the text Excel
shows (7770 is ``007770``: account numbers, zip codes keep their zeros), and so is one
under a digit pattern (``00000-0000``, ``"INV-"0000``: ``01234-5678``, ``INV-0045``).
A number formatted as a percentage is the text Excel shows, a ``PercentNumber``: a
cell that stores 0.25 and shows ``25%`` is ``"25%"``, as a CSV cell ``25%`` (a
probability reads it as 25). A number
formatted as a currency (``[$€-407]#,##0.00``, ``"$"#,##0``) is a ``CurrencyNumber``
(``"1234.5 €"``): its amount carries the currency, as a text cell ``1.234,50 €`` does.
A cell to the right of the header's last column that is not empty makes the
row an error row (every cell kept for failed.csv), and so does a cell holding
an Excel error (``#N/A``, ``#DIV/0!``, ``#REF!``: a formula that failed in the
export), which would otherwise reach the API as a title or a name, and so does a
formula cell with no stored result (files written by scripts, never opened in a
spreadsheet program): openpyxl reads it as blank, which would import as blank.
A formula whose stored result is the empty text is blank, as Excel shows it.

The cells (``bulk.xlsx_cells``: number formats, currencies, Excel errors, formulas with
no stored result) and the sheet's rows and merged ranges (``bulk.xlsx_sheet``) were
split out of this module (issue 8); it keeps the header and the records, and re-exports
every name that was importable from here.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from typing import Any, NamedTuple

from .errors import InputError
from .manifest_row import SourceRow, group_header, report_footer, totals_line, unguarded
from .table_paths import TableRow, header_column, names_paths, path_index
from .xlsx_cells import (
    DOLLAR_OF_LOCALE,
    CurrencyNumber,
    ExcelError,
    ExcelZeroDate,
    PercentNumber,
    UncachedFormula,
    _empty,
    currency_format,
    format_currency,
)
from .xlsx_sheet import (
    _covered,
    _merged,
    _open_sheet,
    _rows,
    first_visible_sheet,
    hidden_rows,
    hidden_sheet_names,
    sheet_names,
    shown_format,
)


def _names(cells: list[Any], number: int) -> list[str]:
    for position, v in enumerate(cells, 1):
        if isinstance(v, UncachedFormula):
            raise InputError(f"the header's column {position} is a formula without a stored "
                             f"value ({v}) — open and save the file in Excel/LibreOffice")
    names = ["" if v is None else str(v).strip() for v in cells]
    while names and not names[-1]:
        names.pop()
    return label_twice(names)


_TITLE_ROWS = 20  # single-cell rows above the header looked through (a report's title lines)


def _group_titles(cells: list[Any], merges: dict[int, int]) -> bool:
    """Whether a row is a grouped header's titles: every filled cell starts a merged range
    over several columns ("Deal information" over A1:C1, "Contact" over D1:E1)."""
    filled = [i for i, v in enumerate(cells, 1) if not _empty(v)]
    return bool(filled) and all(i in merges for i in filled)


def header_row_number(path: str | os.PathLike[str], sheet: str | None = None,
                      header_row: int | None = None) -> tuple[int, str | None]:
    """The Excel row the header is read from, and why when it was not plain to see (a row
    of merged group titles above it was skipped), for the plan's notes."""
    skipped: list[tuple[int, list[Any]]] = []
    titles: list[tuple[int, list[Any]]] = []
    for number, _ in _headed(path, sheet, header_row, skipped=skipped, titles=titles):
        if titles:  # as the CSV plan says it (x18r2 7: the XLSX plan skipped them silently)
            shown = ", ".join(repr(str(v)[:40]) for _, cells in titles for v in cells
                              if not _empty(v))
            rows = ", ".join(str(n) for n, _ in titles)
            return number, (f"the header is Excel row {number}: the row(s) above it ({rows}) "
                            f"were taken for a report's title and skipped ({shown})"
                            + (f", and row {skipped[-1][0]} holds merged group titles"
                               if skipped else "")
                            + "; if another row is the header, say header_row = N in the "
                              "mapping's [defaults] (or --header-row N)")
        if not skipped:
            return number, None
        groups = ", ".join(repr(str(v)) for v in skipped[-1][1] if not _empty(v))
        return number, (f"the header is Excel row {number}: row {skipped[-1][0]} holds merged "
                        f"group titles ({groups}) and was skipped; say header_row = N (or "
                        "--header-row N) if another row is the header")
    raise InputError("the sheet is empty: a header row is required")


def _headed(path: str | os.PathLike[str], sheet: str | None, header_row: int | None = None,
            *, skipped: list[tuple[int, list[Any]]] | None = None,
            titles: list[tuple[int, list[Any]]] | None = None
            ) -> Iterator[tuple[int, list[Any]]]:
    """The sheet's non-empty rows from its header on. ``header_row`` (Excel's number) names
    the header; else it is the first row with two or more cells: a report export's title
    and filter lines above it ("Opportunity Report", "Filtered By: ...", one cell each)
    are skipped, and so is a row of merged group titles above the real header ("Deal
    information" over A1:C1; appended to ``skipped``; the title lines to ``titles``). A
    sheet whose first rows all hold one cell is a one-column sheet: its first row is the
    header."""
    rows = _rows(path, sheet)
    if header_row is not None:
        for row in rows:
            if row[0] > header_row:
                raise InputError(f"header row {header_row} of the sheet is empty")
            if row[0] == header_row:
                yield row
                yield from rows
                return
        raise InputError(f"the sheet has no row {header_row} (header_row)")
    merges: dict[int, dict[int, int]] | None = None
    above: list[tuple[int, list[Any]]] = []
    for row in rows:
        if sum(not _empty(v) for v in row[1]) >= 2:
            if merges is None:
                book, ws = _open_sheet(path, sheet)
                try:
                    merges = _merged(book, ws)
                finally:
                    book.close()
            if row[0] in merges and _group_titles(row[1], merges[row[0]]):
                if skipped is not None:
                    skipped.append(row)
                continue
            if titles is not None:
                titles.extend(above)
            yield row
            break
        above.append(row)
        if len(above) >= _TITLE_ROWS:
            yield from above
            above = []
            break
    else:
        yield from above
        return
    yield from rows


def xlsx_date_system(path: str | os.PathLike[str], sheet: str | None = None) -> int:
    """The workbook's date system: 1900 (Windows Excel, the default) or 1904 (a workbook
    made in Mac Excel with ``date1904`` set). Date-formatted cells are read right either
    way; a number read as a date by a mapping's ``"excel"`` token must use the system."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book, _ = _open_sheet(path, sheet)
    try:
        return 1904 if getattr(book, "epoch", None) == CALENDAR_MAC_1904 else 1900
    finally:
        book.close()


_TWICE = re.compile(r"(.*) \(column ([A-Z]+)\)")


def label_twice(names: list[str]) -> list[str]:
    """The header's names, each one the header has more than once labelled with its
    column (``Email (column C)``, ``Email (column G)``): a file is refused for such a
    name only when it is read (``twice_problem``), not when a column nobody reads is
    named twice (x25r2 F7: ``Email,Email`` refused a file whose mapping read neither)."""
    counts = Counter(n for n in names if n)
    return [f"{n} (column {column_letter(p)})" if n and counts[n] > 1 else n
            for p, n in enumerate(names, 1)]


def unlabelled(name: str) -> str:
    """A header name as the file writes it (``label_twice``'s label taken off)."""
    found = _TWICE.fullmatch(name)
    return found[1] if found is not None else name


def twice_problem(header: Sequence[str], column: str) -> str | None:
    """Why ``column`` cannot be read when ``header`` (as ``label_twice`` wrote it) names it
    more than once: "columns 3 (C) and 7 (G) are both 'Email'"; None otherwise."""
    if column in header:
        return None
    letters = [found[2] for h in header
               if (found := _TWICE.fullmatch(h)) is not None and found[1] == column]
    if len(letters) < 2:
        return None
    shown = [f"{column_number(letter)} ({letter})" for letter in letters]
    labels = " or ".join(repr(f"{column} (column {letter})") for letter in letters)
    return (f"columns {', '.join(shown[:-1])} and {shown[-1]} are both {column!r} in the "
            f"header: rename one of them in the file, or read the one meant as {labels}")


def column_number(letters: str) -> int:
    """The 1-based position of a spreadsheet column's ``letters`` (A -> 1, AB -> 28)."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letter(position: int) -> str:
    """A spreadsheet's letter for the 1-based column ``position`` (1 -> A, 28 -> AB)."""
    letters = ""
    while position > 0:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def unnamed_refusal(where: str, position: int, row: str, value: object) -> InputError:
    """The refusal of a column with no name in the header that has a value in a row."""
    return InputError(f"the header ({where}) has no name for column {position} "
                      f"({column_letter(position)}), but {row} has a value there "
                      f"({str(value)[:40]!r}): name the column in the header; if the header "
                      "is another row, say header_row = N in the mapping's [defaults] (or "
                      "--header-row N)")


def unnamed_note(positions: Sequence[int]) -> str:
    """The plan's note on the skipped columns (0-based ``positions``)."""
    shown = ", ".join(f"{p + 1} ({column_letter(p + 1)})" for p in positions)
    return (f"column{'s' if len(positions) > 1 else ''} {shown} of the header "
            f"{'have' if len(positions) > 1 else 'has'} no name and no value in any row: "
            "skipped")


def hidden_note(path: str | os.PathLike[str], sheet: str | None = None,
                header_row: int | None = None) -> str | None:
    """The plan's note on the data rows hidden in the sheet (a filter, or by hand): they
    are imported, as the file holds them, but never without a word (x18r2 6)."""
    number = header_row_number(path, sheet, header_row)[0]
    rows = [r for r in hidden_rows(path, sheet) if r > number]
    if not rows:
        return None
    shown = ", ".join(str(r) for r in rows[:10]) + (", ..." if len(rows) > 10 else "")
    return (f"{len(rows):,} row(s) are hidden in the sheet (rows {shown}) and are imported: "
            "a filter or a hidden row in Excel does not leave them out; delete them from "
            "the file to leave them out")


def xlsx_unnamed(path: str | os.PathLike[str], sheet: str | None = None,
                 header_row: int | None = None) -> list[int]:
    """The 0-based positions of the header's columns with no name, each empty in every
    row (a report layout's empty column A): they are skipped. InputError naming the
    column when a row has a value in one. One pass over the sheet when there are any."""
    rows = _headed(path, sheet, header_row)
    for number, cells in rows:
        names = _names(cells, number)
        # a header cell merged over the columns right of it ("Amount" over C1:D1): those
        # have no name, the last ones not even an empty one (x25r2 F6: every row failed
        # "a value right of the header's last column", the merge never named)
        merged = {c - 1: ref for c, ref in _covered(path, sheet).get(number, {}).items()}
        positions = [i for i, name in enumerate(names) if not name]
        positions += sorted(p for p in merged if p >= len(names))
        for excel_row, values in rows if positions else ():
            for p in positions:
                if p < len(values) and not _empty(values[p]):
                    if p in merged:
                        raise merged_header_refusal(number, names, p + 1, merged[p],
                                                    excel_row, values[p])
                    raise unnamed_refusal(f"Excel row {number}", p + 1,
                                          f"Excel row {excel_row}", values[p])
        return positions
    return []


def merged_header_refusal(number: int, names: Sequence[str], position: int, ref: str,
                          excel_row: int, value: object) -> InputError:
    """The refusal of a column with no name because the header cell left of it is merged
    over it (``ref``), when a row has a value there."""
    first = column_number("".join(ch for ch in ref.split(":")[0] if ch.isalpha()))
    named = names[first - 1] if 0 < first <= len(names) else ""
    letter = column_letter(position)
    cell = f"the header cell {named!r}" if named else "a cell"
    return InputError(f"{cell} (Excel row {number}) is merged over {ref}: "
                      f"column {position} ({letter}) has no name, but Excel row {excel_row} "
                      f"has a value there ({str(value)[:40]!r}): unmerge the header cells "
                      f"and name column {letter}")


def xlsx_header(path: str | os.PathLike[str], sheet: str | None = None,
                header_row: int | None = None) -> list[str]:
    """The header row's column names (a column with no name, and no value in any row, is
    left out: ``xlsx_unnamed``)."""
    xlsx_unnamed(path, sheet, header_row)
    for number, cells in _headed(path, sheet, header_row):
        return [n for n in _names(cells, number) if n]
    raise InputError("the sheet is empty: a header row is required")


def _unguarded(value: Any) -> Any:
    """A text cell without the ``'`` a failed-rows file puts before a leading ``=``, ``+``,
    ``-``, ``@`` or text a spreadsheet reads as a value (``bulk.reports.neutralise``,
    ``manifest_row.unguarded``): a failed.csv opened in a spreadsheet and
    saved as XLSX keeps it as text, and every import drops it, as the CSV reader does
    (v10r21: titles stored as ``'=Opp 18``, phones refused as ``'+1 (555) …``)."""
    if type(value) is str and value[:1] == "'":
        return unguarded(value)
    return value


def read_xlsx(path: str | os.PathLike[str], sheet: str | None = None,
              columns: Collection[str] | None = None,
              header_row: int | None = None, *,
              as_shown: Collection[str] = ()) -> Iterator[Any]:
    """Stream the sheet's records as ``SourceRow`` (``line`` = Excel's row number).
    ``columns``: the columns the caller reads (None: all); a formula without a stored
    value or an Excel error fails the row only in one of those (elsewhere the cell is
    kept, a formula without a value as blank). ``as_shown``: columns whose number cells
    must show their digits (a source key): one in a format that shows them otherwise
    (``#,##0``, ``"INV-"0000``, a currency, a percentage) fails its row — the CSV save of
    the sheet says what it shows, this cell the number, and ``"INV-"0000`` and
    ``"PO-"0000`` show two ids for one number (v10r27 F1, F2: deals doubled, or one
    record's update written onto another's deal)."""
    rows = _headed(path, sheet, header_row)
    names: list[str] | None = None
    index: dict[tuple[str, ...], str | None] | None = None
    covered: dict[int, dict[int, str]] = {}
    footer_seen = False  # a report's footer row came: the rows after it are its own
    for excel_row, cells in rows:
        if names is None:
            names = _names(cells, excel_row)
            covered = _covered(path, sheet)
            if "" in names or covered.get(excel_row):  # a header cell merged over others
                xlsx_unnamed(path, sheet, header_row)  # refused when a row has a value there
            index = path_index(names) if names_paths(names) else None
            if index is not None and columns is not None:  # as the header spells them
                columns = {header_column(names, index, c) or c for c in columns}
            continue
        number = excel_row  # the row is the one Excel shows
        width = len(names)
        extra = [v for v in cells[width:] if not _empty(v)]
        values = {n: ("" if v is None else _unguarded(v))
                  for n, v in zip(names, cells, strict=False) if n}
        values.update({n: "" for n in names[len(cells):] if n})
        if extra:
            for position, v in enumerate(cells[width:], 1):
                values[f"(extra {position})"] = "" if v is None else v
            yield SourceRow(number, excel_row, values, InputError(
                f"a value right of the header's last column "
                f"({width} columns)", row=number))
            continue
        if cells and isinstance(cells[0], str) and cells[0].rstrip().endswith(")") and (
                group := group_header(cells, f"row {excel_row}")) is not None:
            yield SourceRow(number, excel_row, values, InputError(group, row=number))
            continue
        if (footer := report_footer(cells, f"row {excel_row}", after_footer=footer_seen)
                or totals_line(cells, f"row {excel_row}")) is not None:
            footer_seen = True
            yield SourceRow(number, excel_row, values, InputError(footer, row=number))
            continue
        merged = [(names[c - 1], ref) for c, ref in sorted(covered.get(excel_row, {}).items())
                  if c <= width and (columns is None or names[c - 1] in columns)]
        if merged:
            name, ref = merged[0]
            yield SourceRow(number, excel_row, values, InputError(
                f"column {name!r} is inside the merged cells {ref}, whose "
                "value the file stores in their first cell only (Excel shows it across) — "
                "unmerge them and fill each row's cell", row=number, column=name))
            continue
        uncached = [n for n, v in zip(names, cells, strict=False)
                    if isinstance(v, UncachedFormula)]
        if columns is not None:
            uncached = [n for n in uncached if n in columns]
        if uncached:
            yield SourceRow(number, excel_row, values, InputError(
                f"column {uncached[0]!r} is a formula without a stored value "
                f"({cells[names.index(uncached[0])].formula!r}) — open and save the file in "
                "Excel/LibreOffice so the results are stored", row=number, column=uncached[0]))
            continue
        shown = [(n, f) for n in as_shown if n in names
                 and (f := shown_format(cells, names.index(n))) is not None]
        if shown:
            name, fmt = shown[0]
            yield SourceRow(number, excel_row, values, InputError(
                f"column {name!r} holds the number "
                f"{values[name]!r} in the format {fmt!r}, which shows it otherwise: as a "
                "source key it would read differently in each export of the sheet (its CSV "
                "save says what Excel shows); format the column as Text and type the ids "
                "as they should read", row=number, column=name))
            continue
        failed = [n for n, v in zip(names, cells, strict=False) if isinstance(v, ExcelError)
                  and (columns is None or n in columns)]
        if failed:
            yield SourceRow(number, excel_row, values, InputError(
                f"the Excel error {str(values[failed[0]])!r} in column "
                f"{failed[0]!r} (a formula that failed; fix it in the workbook)",
                row=number, column=failed[0]))
            continue
        yield SourceRow(number, excel_row,
                        values if index is None else TableRow(values.items(), index))
    if names is None:
        raise InputError("the sheet is empty: a header row is required")


MERGED_REFS_KEPT = 5  # the ranges of a column ``merged_data_cells`` names


class MergedCells(NamedTuple):
    """A column's merged ranges below the header (``merged_data_cells``): how many ranges,
    how many rows they refuse (the rows whose cell of the column a range covers, not
    being its first, top-left, cell), and the first
    ``MERGED_REFS_KEPT`` ranges (``"A2:A4"``), in sheet order. ``beside``: of those rows,
    the ones whose cell is in its range's first row, right of the first cell (``E25`` of
    ``D25:E25``), not below it."""

    ranges: int
    rows: int
    refs: tuple[str, ...]
    beside: int = 0


def merged_data_cells(path: str | os.PathLike[str], sheet: str | None = None,
                      header_row: int | None = None) -> dict[str, MergedCells]:
    """Per named column, the merged ranges of the data rows (below the header the reader
    finds, as ``read_xlsx`` does): each row a range covers but its first is refused when
    the mapping reads the column (docs/mapping.md, "Merged cells in data rows"), so
    ``init-mapping`` says it ahead (x49r5 F2). Empty when the sheet has none, or no
    header. Raises ``InputError`` as the header's reading does."""
    first = next(iter(_headed(path, sheet, header_row)), None)
    if first is None:
        return {}
    number, cells = first
    names = _names(cells, number)
    refs: dict[str, dict[str, None]] = {}
    rows: Counter[str] = Counter()
    beside: Counter[str] = Counter()
    for excel_row, columns in sorted(_covered(path, sheet).items()):
        if excel_row <= number:
            continue
        for column, ref in sorted(columns.items()):
            if column <= len(names) and (name := names[column - 1]):
                rows[name] += 1
                refs.setdefault(name, {})[ref] = None
                if int(ref.partition(":")[0].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) == excel_row:
                    beside[name] += 1  # in the range's first row: right of its first cell
    return {name: MergedCells(len(found), rows[name], tuple(list(found)[:MERGED_REFS_KEPT]),
                              beside[name])
            for name, found in refs.items()}


__all__ = ["DOLLAR_OF_LOCALE", "MERGED_REFS_KEPT", "CurrencyNumber", "ExcelError", "ExcelZeroDate",
           "MergedCells", "PercentNumber",
           "UncachedFormula",
           "column_letter",
           "currency_format", "first_visible_sheet", "format_currency", "header_row_number",
           "read_xlsx", "sheet_names", "hidden_sheet_names",
           "hidden_note", "unnamed_note", "unnamed_refusal", "xlsx_unnamed",
           "xlsx_date_system",
           "xlsx_header"]
