"""An XLSX sheet read row by row, with what openpyxl's read-only mode does not tell.

``_open_sheet`` (the first visible sheet, or one named case-insensitively), ``_rows``
(each non-empty row's cell values, ``bulk.xlsx_cells._value``, with the formulas that
hold no stored result found in the sheet's XML: ``_unvalued``, ``_has_formulas``) and
the merged ranges (``_merged``, ``_covered``), each a streamed scan of the sheet's XML.
Moved out of ``bulk.manifest_xlsx`` (issue 8). It knows no header and no record.
"""

from __future__ import annotations

import os
import re
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

from .errors import InputError
from .xlsx_cells import UncachedFormula, _empty, _value


def _not_a_workbook(path: str | os.PathLike[str]) -> str | None:
    """What the file is, when it is no XLSX (zip) at all, from its first bytes (x19r1 F8:
    every one read "File is not a zip file"); None otherwise."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return None
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE container: an .xls, or an encrypted .xlsx
        return ("an old .xls workbook or a password-protected one: save it as .xlsx without "
                "a password")
    if not head.startswith(b"PK"):
        return "not an XLSX workbook: its content is not a zip archive (a CSV renamed .xlsx?)"
    return None


class SheetChoiceError(InputError):
    """``--sheet`` names no worksheet of the workbook (none of that name, or a chart
    sheet): a usage error (the CLI's exit 2)."""


_STRICT = b"http://purl.oclc.org/ooxml/spreadsheetml/main"


def _is_strict(path: str | os.PathLike[str]) -> bool:
    """Whether the workbook is Excel's "Strict Open XML Spreadsheet" (openpyxl reads the
    transitional namespaces only)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return _STRICT in archive.read("xl/workbook.xml")[:2000]
    except Exception:
        return False


def unreadable(path: str | os.PathLike[str], exc: BaseException) -> InputError:
    """The one line for any failure of reading a workbook (x21r3 F4: a sheet's XML cut in
    half said "unexpected error (ParseError)", a Strict workbook "(IndexError)")."""
    if isinstance(exc, InputError):
        return exc
    name = os.fspath(path)
    if _is_strict(path):
        return InputError(f"cannot read {name!r}: Strict Open XML is not supported: save it "
                          "as an Excel Workbook (.xlsx)")
    shown = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return InputError(f"cannot read {name!r}: the workbook is damaged ({shown}); open it in "
                      "a spreadsheet program and save it again")


def _raw_strings(source: Any) -> list[str]:
    """The workbook's shared strings as the file holds them: each ``<si>``'s text (its runs
    joined, phonetic runs left out, as openpyxl's ``Text.content``), Excel's ``_xHHHH_``
    escapes kept for ``bulk.xlsx_cells._value`` to decode once, as it does an inline
    string's. openpyxl's own table drops every ``x005F_`` and decodes nothing else, so
    ``_x005F_x000D_`` (Excel's escape for a typed ``_x000D_``) would read as ``_x000D_``,
    the escape of a carriage return (x41r3 F1). Streamed; elements cleared as read."""
    from openpyxl.cell.text import Text
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    tag = f"{{{SHEET_MAIN_NS}}}si"
    out: list[str] = []
    for _, node in iterparse(source):
        if node.tag == tag:
            out.append(Text.from_tree(node).content)
            node.clear()
    return out


def _load_workbook(openpyxl: Any, path: str | os.PathLike[str]) -> Any:
    """``openpyxl.load_workbook(path, read_only=True, data_only=True)``, its shared-string
    table read by ``_raw_strings`` (openpyxl's reader with that one step replaced)."""
    from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader

    class _Reader(ExcelReader):  # type: ignore[misc]
        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.open(part.PartName[1:]) as source:
                    self.shared_strings = _raw_strings(source)

    reader = _Reader(path, read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _open_sheet(path: str | os.PathLike[str], sheet: str | None) -> tuple[Any, Any]:
    try:
        import openpyxl  # the maintained XLSX reader (read-only mode streams the sheet
        # XML); imported here: ~6 MB of RSS a CSV or JSON run never needs

        with warnings.catch_warnings():  # its UserWarnings on odd parts reach no user
            warnings.simplefilter("ignore")
            book = _load_workbook(openpyxl, path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"cannot read {os.fspath(path)!r} as an XLSX workbook "
                         f"({_not_a_workbook(path) or exc})") from None
    except Exception as exc:
        raise unreadable(path, exc) from None
    tables = [ws.title for ws in book.worksheets]  # chart sheets hold no table
    if not tables and _is_strict(path):  # openpyxl finds no sheet in it (x21r3 F4)
        book.close()
        raise unreadable(path, ValueError("Strict Open XML"))
    if sheet is None:  # the first sheet a person sees: hidden ones (lookup tables) are skipped
        visible = [ws for ws in book.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
        if not (visible or book.worksheets):
            book.close()
            raise InputError(f"{os.fspath(path)!r} has no worksheet (only chart sheets)")
        return book, (visible or book.worksheets)[0]
    if sheet not in book.sheetnames:  # Excel's own names are case-insensitive: "data" is "Data"
        folded = [name for name in book.sheetnames if name.casefold() == sheet.casefold()]
        if len(folded) == 1:
            sheet = folded[0]
        else:
            book.close()
            raise SheetChoiceError(f"no sheet {sheet!r} in {os.fspath(path)!r} "
                                   f"(sheets: {', '.join(tables)})")
    if sheet not in tables:  # x21r3 F3: a chart sheet crashed (AttributeError)
        book.close()
        raise SheetChoiceError(f"{sheet!r} is a chart sheet, not a table; sheets with data: "
                               f"{', '.join(tables) or 'none'}")
    return book, book[sheet]


def sheet_names(path: str | os.PathLike[str]) -> list[str]:
    """The workbook's visible sheets' names, in order (InputError if it is no workbook)."""
    book, _ = _open_sheet(path, None)
    try:
        return [ws.title for ws in book.worksheets
                if getattr(ws, "sheet_state", "visible") == "visible"]
    finally:
        book.close()


def hidden_sheet_names(path: str | os.PathLike[str]) -> list[str]:
    """The workbook's hidden (and very hidden) sheets' names, in order: ``--sheet`` reads
    them, an error naming the sheet that holds the mapping's columns names them too
    (x42r5 F9). InputError if it is no workbook."""
    book, _ = _open_sheet(path, None)
    try:
        return [ws.title for ws in book.worksheets
                if getattr(ws, "sheet_state", "visible") != "visible"]
    finally:
        book.close()


def first_visible_sheet(path: str | os.PathLike[str]) -> str:
    """The name of the sheet read when none is named (InputError if it is no workbook)."""
    book, ws = _open_sheet(path, None)
    try:
        return str(ws.title)
    finally:
        book.close()


_CELL_REF = re.compile(r"([A-Z]+)([0-9]+)")


def _unvalued(book: Any, ws: Any) -> dict[tuple[int, int], str] | None:
    """The sheet's formula cells with no ``<v>`` element (no stored result), as
    {(row, column): "=formula"} (1-based; a shared formula's follower, which holds no text
    of its own, as ``=(shared formula)``); None when the sheet's XML cannot be read here
    (the caller then looks cell by cell). A text formula's ``<v></v>`` (``t="str"``: a
    stored empty-text result) is a value; a text formula with no ``<v>`` is not, and
    neither is a number formula's empty ``<v/>`` (openpyxl writes one for every formula).
    Streamed (``iterparse``), elements cleared as read."""
    import xml.etree.ElementTree as ET

    from openpyxl.utils.cell import column_index_from_string

    part = getattr(ws, "_worksheet_path", None)
    archive = getattr(book, "_archive", None)
    if part is None or archive is None:
        return None
    out: dict[tuple[int, int], str] = {}
    with archive.open(part) as stream:
        for _, element in ET.iterparse(stream, events=("end",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "c":
                children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                ref = _CELL_REF.fullmatch(element.get("r") or "")
                value = children.get("v")
                if "f" in children and ref is not None and (value is None or (
                        not value.text and element.get("t") != "str")):
                    text = (children["f"].text or "").strip()
                    out[(int(ref[2]), column_index_from_string(ref[1]))] = \
                        "=" + text if text else "=(shared formula)"
                element.clear()
            elif tag == "row":
                element.clear()
    return out


def _has_formulas(book: Any, ws: Any) -> bool:
    """Whether the sheet's XML holds any ``<f`` element (a streamed byte scan)."""
    part = getattr(ws, "_worksheet_path", None)
    archive = getattr(book, "_archive", None)
    if part is None or archive is None:
        return True  # cannot tell: look cell by cell
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            block = tail + chunk
            if b"<f>" in block or b"<f " in block or b"<f/" in block or b":f>" in block \
                    or b":f " in block:
                return True
            tail = block[-4:]
    return False


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _merged(book: Any, ws: Any) -> dict[int, dict[int, int]]:
    """The sheet's merged ranges that span columns, as {row: {first column: last column}}
    (1-based) for the top row of each. openpyxl's read-only mode does not read them: the
    sheet's XML is scanned for ``<mergeCell ref="A1:C1"/>`` (streamed)."""
    from openpyxl.utils.cell import column_index_from_string

    part = getattr(ws, "_worksheet_path", None)
    archive = getattr(book, "_archive", None)
    out: dict[int, dict[int, int]] = {}
    if part is None or archive is None:
        return out
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            block = tail + chunk
            for found in _MERGE.finditer(block):
                first, last = (column_index_from_string(c.decode()) for c in found.group(1, 3))
                if last > first:
                    out.setdefault(int(found[2]), {})[first] = last
            tail = block[-200:]
    return out


_ROW_TAG = re.compile(rb'<(?:\w+:)?row\s([^>]*?)(/?)>')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_ROW_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')


def _sheet_xml(path: str | os.PathLike[str], sheet: str | None) -> Iterator[bytes]:
    """The sheet's XML, 1 MB at a time, straight from the workbook's zip (streamed:
    openpyxl's read-only mode exposes neither merged ranges nor row flags, and loading
    the whole sheet would cost its size in memory). Nothing when the part is not found."""
    try:
        yield from _read_xml(path, sheet)
    except InputError:
        raise
    except Exception as exc:
        raise unreadable(path, exc) from None


def _read_xml(path: str | os.PathLike[str], sheet: str | None) -> Iterator[bytes]:
    book, ws = _open_sheet(path, sheet)
    try:
        part = getattr(ws, "_worksheet_path", None)
        archive = getattr(book, "_archive", None)
        if part is None or archive is None:
            return
        with archive.open(part) as stream:
            while chunk := stream.read(1 << 20):
                yield chunk
    finally:
        book.close()


def hidden_rows(path: str | os.PathLike[str], sheet: str | None) -> list[int]:
    """The Excel rows hidden in the sheet (by a filter or by hand) that hold cells, in
    order (x18r2 6: imported without a word): ``<row r="12" hidden="1">`` in the sheet's
    XML (``_sheet_xml``)."""
    out: list[int] = []
    tail = b""
    for chunk in _sheet_xml(path, sheet):
        block = tail + chunk
        end = 0
        for found in _ROW_TAG.finditer(block):
            end = found.end()
            if found[2] or not _ROW_HIDDEN.search(found[1]):
                continue  # "<row .../>": no cells
            if (number := _ROW_NUMBER.search(found[1])) is not None:
                out.append(int(number[1]))
        tail = block[max(end, len(block) - 400):]
    return out


def _covered(path: str | os.PathLike[str], sheet: str | None) -> dict[int, dict[int, str]]:
    """The cells merged ranges cover beyond their first (top-left) one, as {Excel row:
    {column (1-based): "C2:C4"}}: Excel shows the first cell's value across the range,
    but the file stores it in the first cell only (``<mergeCell ref=...>`` in the
    sheet's XML, ``_sheet_xml``)."""
    from openpyxl.utils.cell import column_index_from_string

    out: dict[int, dict[int, str]] = {}
    tail = b""
    seen: set[bytes] = set()
    for chunk in _sheet_xml(path, sheet):
        block = tail + chunk
        for found in _MERGE.finditer(block):
            if found[0] in seen:
                continue
            seen.add(found[0])
            c1, c2 = (column_index_from_string(c.decode()) for c in found.group(1, 3))
            r1, r2 = int(found[2]), int(found[4])
            ref = f"{found[1].decode()}{r1}:{found[3].decode()}{r2}"
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        out.setdefault(r, {})[c] = ref
        tail = block[-200:]
    return out


class _Cells(list[Any]):
    """A row's cell values (``_value``), with openpyxl's cells beside them in ``cells``:
    what a reader needs of a cell besides its value (its number format) is read only for
    the cells that need it (``shown_format``)."""

    __slots__ = ("cells",)


_PLAIN_FORMAT = re.compile(r"General|@|#?0+(?:\.0+)?|#", re.IGNORECASE)


def shown_format(values: list[Any], index: int) -> str | None:
    """The number format of the number cell ``values[index]`` of a ``_rows`` row when it
    shows something else than the number's digits (``#,##0``, ``"INV-"0000``, ``0" pcs"``,
    ``000-000``, a currency, a percentage, a scaling ``#,##0,``), else None (General,
    ``0``, ``0.00``, text ``@``; and every other cell, or a row not from ``_rows``)."""
    cells = getattr(values, "cells", None)
    if cells is None or index >= len(cells):
        return None
    # a zero-padded number is its text as shown already (``007770``: a plain format); one
    # under a digit pattern is too (``INV-0045``), but two patterns show two ids for one
    # number: as a key it fails
    raw = cells[index].value
    if not isinstance(raw, int | float) or isinstance(raw, bool):
        return None
    fmt = str(getattr(cells[index], "number_format", "") or "General")
    return None if _PLAIN_FORMAT.fullmatch(fmt) else fmt


def _rows(path: str | os.PathLike[str], sheet: str | None) -> Iterator[tuple[int, list[Any]]]:
    """The sheet's non-empty rows (Excel's number, the cell values); any failure of reading
    the workbook is one clear InputError (``unreadable``)."""
    try:
        yield from _read_rows(path, sheet)
    except InputError:
        raise
    except Exception as exc:
        raise unreadable(path, exc) from None


def _read_rows(path: str | os.PathLike[str], sheet: str | None
               ) -> Iterator[tuple[int, list[Any]]]:
    book, ws = _open_sheet(path, sheet)
    # The stored dimension (A1:D40) bounds read-only iteration, and some writers store a wrong
    # one: rows and columns past it would be lost silently. Read what the sheet holds instead.
    ws.reset_dimensions()
    formulas: Any = None
    try:
        unvalued = _unvalued(book, ws) if _has_formulas(book, ws) else {}
        if unvalued is None:
            # data_only hides whether a blank came from a formula with no stored result:
            # walk the same sheet again with formulas, cell for cell
            import openpyxl

            formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
            fws = formulas[ws.title]
            fws.reset_dimensions()
            formula_rows: Iterator[Any] = fws.iter_rows(min_row=1)
        for number, cells in enumerate(ws.iter_rows(min_row=1), 1):
            values: list[Any] = _Cells(_value(c) for c in cells)
            values.cells = cells  # type: ignore[attr-defined]
            if unvalued:
                for index, cell in enumerate(cells):
                    formula = unvalued.get((number, index + 1))
                    if formula is not None and cell.value is None:
                        values[index] = UncachedFormula(formula)
            elif formulas is not None:
                shown = next(formula_rows, ())
                for index, cell in enumerate(shown[:len(cells)]):
                    if cell.data_type == "f" and cells[index].value is None \
                            and cells[index].data_type != "str":
                        values[index] = UncachedFormula(str(cell.value))
            if not all(_empty(v) for v in values):
                yield number, values
    finally:
        book.close()
        if formulas is not None:
            formulas.close()
