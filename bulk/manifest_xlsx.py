"""XLSX manifests, streamed with openpyxl's read-only mode.

The first visible worksheet, or the one named by ``sheet``. The header is the first
row with two or more cells (single-cell title lines above it are skipped; a
one-column sheet's header is its first row); each later non-empty row is a record whose ``line``
is the row number Excel shows. Cells keep the type Excel stores: text as
``str``, numbers as ``int``/``float``, dates as ``datetime.date`` (a date
format without a time part) or ``datetime.datetime``, booleans as ``bool``.
A whole number formatted with zeros only (``000000``, ``00000``) is the text Excel
shows (7770 is ``007770``: account numbers, zip codes keep their zeros).
A number formatted as a percentage is the number Excel shows: a cell that
stores 0.25 and shows ``25%`` is 25 (a probability column is in percent). A number
formatted as a currency (``[$€-407]#,##0.00``, ``"$"#,##0``) is a ``CurrencyNumber``
(``"1234.5 €"``): its amount carries the currency, as a text cell ``1.234,50 €`` does.
A cell to the right of the header's last column that is not empty makes the
row an error row (every cell kept for failed.csv), and so does a cell holding
an Excel error (``#N/A``, ``#DIV/0!``, ``#REF!``: a formula that failed in the
export), which would otherwise reach the API as a title or a name, and so does a
formula cell with no stored result (files written by scripts, never opened in a
spreadsheet program): openpyxl reads it as blank, which would import as blank.
A formula whose stored result is the empty text is blank, as Excel shows it.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import zipfile
from collections.abc import Collection, Iterator, Sequence
from decimal import Decimal
from typing import Any

from .errors import InputError

_TIME_TOKENS = re.compile(r"[hs]|AM/PM", re.IGNORECASE)
# a % outside quotes and brackets: the cell shows its value times 100 ("0.0%", not '"%"0')
_PERCENT = re.compile(r'^(?:[^"\[\\%]|"[^"]*"|\[[^\]]*\]|\\.)*%')


class CurrencyNumber(str):
    """A number cell whose number format shows a currency (``[$€-407]#,##0.00``,
    ``"$"#,##0``, ``€#,##0``), as ``"<number> <symbol>"`` (``"1234.5 €"``): the amount
    parsers read the number exactly (never through ``decimal``) and the symbol as the
    cell's currency, as they read a text cell ``1.234,50 €``."""

    __slots__ = ()

    @property
    def number(self) -> int | float:
        text = self.split(" ", 1)[0]
        return float(text) if any(c in text for c in ".eE") else int(text)

    @property
    def symbol(self) -> str:
        return self.split(" ", 1)[1]


# [$€-407] / [$EUR] / [$-409] (a locale tag, no symbol); quoted text; a symbol as a literal
_BRACKET_SYMBOL = re.compile(r"\[\$([^\]\-]*)(?:-([0-9A-Fa-f]+))?\]")
# the currency a "$" means under a Windows locale id (LCID, hex, as the format's tag writes
# it): [$$-C09] is an Australian dollar. A "$" tagged with a locale not listed here is
# refused as ambiguous (``DOLLAR_OF_LOCALE``), never read as a US dollar.
_DOLLAR_LOCALES = {
    0x409: "USD", 0x540A: "USD", 0x500A: "USD", 0x440A: "USD", 0x300A: "USD",  # US, PR, SV, EC
    0xC09: "AUD", 0x1009: "CAD", 0xC0C: "CAD", 0x1409: "NZD", 0x481: "NZD",  # mi-NZ
    0x1004: "SGD", 0x3C09: "HKD", 0xC04: "HKD", 0x1404: "MOP", 0x404: "TWD",
    0x80A: "MXN", 0x2C0A: "ARS", 0x340A: "CLP", 0x240A: "COP", 0x1C0A: "DOP",
    0x380A: "UYU", 0x2809: "BZD", 0x2009: "JMD", 0x2C09: "TTD", 0x3409: "PHP",
}
DOLLAR_OF_LOCALE = "$-"  # format_currency's "$-2409": a "$" of a locale not known here
# other symbols several currencies share, by the locale the tag names (v10r8: [$¥-804], a
# Chinese yuan, was read as yen; [$kr-41D] was refused though the tag says Swedish)
_SYMBOL_LOCALES: dict[str, dict[int, str]] = {
    "¥": {0x804: "CNY", 0x411: "JPY"},
    "￥": {0x804: "CNY", 0x411: "JPY"},
    "kr": {0x41D: "SEK", 0x81D: "SEK", 0x414: "NOK", 0x814: "NOK", 0x406: "DKK",
           0x40F: "ISK", 0x438: "DKK"},
    "kr.": {0x406: "DKK", 0x438: "DKK", 0x40F: "ISK"},
    "r": {0x1C09: "ZAR", 0x436: "ZAR", 0x435: "ZAR"},
    "rs": {0x420: "PKR", 0x45B: "LKR", 0x461: "NPR"},
    "rs.": {0x420: "PKR", 0x45B: "LKR", 0x461: "NPR"},
}
# the currency of a Windows locale (LCID, its low 16 bits), read only for a tagged symbol
# not known as a currency (v10r9 M4: [$лв.-402], [$RM-43E], [$S/-280A] were "unknown
# currency"); from Microsoft's [MS-LCID] locale list and each country's ISO 4217 currency
_LOCALE_CURRENCY: dict[int, str] = {
    0x401: "SAR", 0x402: "BGN", 0x403: "EUR", 0x404: "TWD", 0x405: "CZK", 0x406: "DKK",
    0x407: "EUR", 0x408: "EUR", 0x409: "USD", 0x40A: "EUR", 0x40B: "EUR", 0x40C: "EUR",
    0x40D: "ILS", 0x40E: "HUF", 0x40F: "ISK", 0x410: "EUR", 0x411: "JPY", 0x412: "KRW",
    0x413: "EUR", 0x414: "NOK", 0x415: "PLN", 0x416: "BRL", 0x418: "RON", 0x419: "RUB",
    0x41A: "EUR", 0x41B: "EUR", 0x41C: "ALL", 0x41D: "SEK", 0x41E: "THB", 0x41F: "TRY",
    0x420: "PKR", 0x421: "IDR", 0x422: "UAH", 0x423: "BYN", 0x424: "EUR", 0x425: "EUR",
    0x426: "EUR", 0x427: "EUR", 0x429: "IRR", 0x42A: "VND", 0x42B: "AMD", 0x42C: "AZN",
    0x42D: "EUR", 0x42F: "MKD", 0x436: "ZAR", 0x437: "GEL", 0x438: "DKK", 0x439: "INR",
    0x43E: "MYR", 0x43F: "KZT", 0x440: "KGS", 0x441: "KES", 0x443: "UZS", 0x445: "INR",
    0x446: "INR", 0x447: "INR", 0x449: "INR", 0x44A: "INR", 0x44B: "INR", 0x44E: "INR",
    0x450: "MNT", 0x456: "EUR", 0x45B: "LKR", 0x461: "NPR", 0x464: "PHP", 0x468: "NGN",
    0x46A: "NGN", 0x470: "NGN", 0x801: "IQD", 0x804: "CNY", 0x807: "CHF", 0x809: "GBP",
    0x80A: "MXN", 0x80C: "EUR", 0x810: "CHF", 0x813: "EUR", 0x814: "NOK", 0x816: "EUR",
    0x818: "MDL", 0x819: "MDL", 0x81D: "EUR", 0x83E: "BND", 0x845: "BDT", 0xC01: "EGP",
    0xC04: "HKD", 0xC07: "EUR", 0xC09: "AUD", 0xC0A: "EUR", 0xC0C: "CAD", 0x1001: "LYD",
    0x1004: "SGD", 0x1007: "EUR", 0x1009: "CAD", 0x100A: "GTQ", 0x100C: "CHF",
    0x101A: "BAM", 0x1401: "DZD", 0x1404: "MOP", 0x1409: "NZD", 0x140A: "CRC",
    0x140C: "EUR", 0x141A: "BAM", 0x1801: "MAD", 0x1809: "EUR", 0x180A: "PAB",
    0x1C01: "TND", 0x1C09: "ZAR", 0x1C0A: "DOP", 0x2001: "OMR", 0x2009: "JMD",
    0x200A: "VES", 0x2401: "YER", 0x240A: "COP", 0x241A: "RSD", 0x2801: "SYP",
    0x2809: "BZD", 0x280A: "PEN", 0x281A: "RSD", 0x2C01: "JOD", 0x2C09: "TTD",
    0x2C0A: "ARS", 0x2C1A: "EUR", 0x3001: "LBP", 0x300A: "USD", 0x3401: "KWD",
    0x3409: "PHP", 0x340A: "CLP", 0x3801: "AED", 0x380A: "UYU", 0x3C01: "BHD",
    0x3C09: "HKD", 0x3C0A: "PYG", 0x4001: "QAR", 0x4009: "INR", 0x400A: "BOB",
    0x4409: "MYR", 0x440A: "USD", 0x4809: "SGD", 0x480A: "HNL", 0x4C0A: "NIO",
    0x500A: "USD", 0x540A: "USD",
}
_QUOTED = re.compile(r'"([^"]*)"')
_LITERAL_SYMBOLS = "$\u20ac\u00a3\u00a5\u20b9\u20bd\u20a9\u20aa\u20ba\u20b4\u20ab\u0e3f\u20b1\u20a6\u20a1\u20b2"


def format_currency(number_format: str) -> str | None:
    """The currency symbol or code a number format shows (``€``, ``EUR``, ``$``), or None.
    Only the first section (positive numbers) is read. A ``$`` tagged with a locale is
    that locale's dollar as an ISO code (``[$$-C09]`` → ``AUD``, ``[$$-409]`` → ``USD``),
    and so are ¥, kr, R and Rs of a listed locale (``[$¥-804]`` → ``CNY``, ``[$kr-41D]`` →
    ``SEK``), and a symbol not known as a currency is its locale's currency (``[$RM-43E]``
    → ``MYR``); a ``$`` is ``"$-<LCID>"`` for a locale not known here (``DOLLAR_OF_LOCALE``: the amount
    parsers refuse it as ambiguous)."""
    section = number_format.split(";", 1)[0]
    found = _BRACKET_SYMBOL.search(section)
    if found and found[1].strip():
        symbol = found[1].strip()
        if found[2]:
            locale = int(found[2], 16) & 0xFFFF  # the low 16 bits: the language and region
            if symbol == "$":  # a dollar of the tagged locale
                return _DOLLAR_LOCALES.get(locale, f"{DOLLAR_OF_LOCALE}{locale:X}")
            code = _SYMBOL_LOCALES.get(symbol.lower(), {}).get(locale)
            if code is not None:  # ¥ of zh-CN is a yuan, kr of sv-SE a Swedish krona
                return code
            if not _is_currency(symbol) and locale in _LOCALE_CURRENCY:
                return _LOCALE_CURRENCY[locale]  # [$RM-43E]: the ringgit of ms-MY
        return symbol
    for quoted in _QUOTED.findall(section):
        if quoted.strip() and _is_currency(quoted.strip()):
            return str(quoted).strip()
    bare = _QUOTED.sub("", re.sub(r"\[[^\]]*\]", "", section))
    for position, char in enumerate(bare):
        if char in _LITERAL_SYMBOLS and (char != "$" or position == 0
                                         or bare[position - 1] in "\\ #0?"):
            return char
    return None


def currency_format(symbol: str, number: int | float) -> str | None:
    """A number format showing ``symbol`` that ``format_currency`` reads back as
    ``symbol`` (``[$€]#,##0.00``), with as many decimals as ``number`` has (none, or 2 to 15:
    cents stay shown), so a
    ``CurrencyNumber`` written back to a workbook is the same cell again; None when no
    format carries it back."""
    exponent = Decimal(repr(number)).as_tuple().exponent
    places = min(15, -exponent) if isinstance(exponent, int) and exponent < 0 else 0
    places = max(places, 2) if places else 0  # 1234.5 shows cents, as 1,234.50 € did
    digits = "#,##0" + ("." + "0" * places if places else "")
    for shown in (f"[${symbol}]{digits}", f'"{symbol}"{digits}'):
        if format_currency(shown) == symbol:
            return shown
    return None


_WORD_SYMBOLS = frozenset({"kr", "kr.", "zł", "kč", "ft", "fr.", "fr", "lei", "лв", "rs",
                           "rs.", "us$", "ca$", "a$", "au$", "nz$", "hk$", "s$", "r$", "c$"})


def _is_currency(token: str) -> bool:
    """A quoted format text that names a currency: a symbol, an ISO-like code (``EUR``; an
    unknown code fails the row when read, never silently)."""
    return (all(c in _LITERAL_SYMBOLS for c in token) or bool(re.fullmatch(r"[A-Z]{3}", token))
            or token.casefold() in _WORD_SYMBOLS)


def _percent(value: int | float) -> int | float:
    """The number a percent-formatted cell shows: 0.25 -> 25, 0.075 -> 7.5 (decimal
    arithmetic, so 0.07 gives 7, not 7.000000000000001)."""
    shown = Decimal(repr(value)) * 100
    if shown == shown.to_integral_value():
        return int(shown)
    return float(shown)


def _open_sheet(path: str | os.PathLike[str], sheet: str | None) -> tuple[Any, Any]:
    try:
        import openpyxl  # the maintained XLSX reader (read-only mode streams the sheet
        # XML); imported here: ~6 MB of RSS a CSV or JSON run never needs

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"cannot read {os.fspath(path)!r} as an XLSX workbook ({exc})") from None
    if sheet is None:  # the first sheet a person sees: hidden ones (lookup tables) are skipped
        visible = [ws for ws in book.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
        return book, (visible or book.worksheets)[0]
    if sheet not in book.sheetnames:  # Excel's own names are case-insensitive: "data" is "Data"
        folded = [name for name in book.sheetnames if name.casefold() == sheet.casefold()]
        if len(folded) == 1:
            return book, book[folded[0]]
        book.close()
        raise InputError(f"no sheet {sheet!r} in {os.fspath(path)!r} "
                         f"(sheets: {', '.join(book.sheetnames)})")
    return book, book[sheet]


class ExcelError(str):
    """A cell holding an Excel error value (``#N/A``), as its text."""

    __slots__ = ()


class UncachedFormula(str):
    """A formula cell with no stored result (no ``<v>`` element): blank text, as the file
    holds no value, with the formula in ``formula`` (``=B2+C2``) so that failed.xlsx
    writes it back as the same formula without a value (a row that fails again)."""

    formula: str

    def __new__(cls, formula: str) -> UncachedFormula:
        out = super().__new__(cls, "")
        out.formula = formula
        return out

    def __reduce__(self) -> tuple[Any, ...]:
        return (UncachedFormula, (self.formula,))


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


# a format of zeros only (000000, 00000): Excel shows a whole number padded to its width
_ZERO_PAD = re.compile(r"0{2,}")


def _padded(value: int | float, number_format: str) -> str | None:
    """The text Excel shows for a whole number under a zero-padding format (7770 under
    ``000000`` is ``007770``: an account number, a zip code), else None."""
    section = number_format.split(";", 1)[0]
    if not _ZERO_PAD.fullmatch(section) or value != int(value):
        return None
    number = int(value)
    return ("-" if number < 0 else "") + str(abs(number)).zfill(len(section))


def _value(cell: Any) -> Any:
    value = cell.value
    if isinstance(value, str):
        return ExcelError(value) if getattr(cell, "data_type", None) == "e" else value
    if isinstance(value, int | float) and not isinstance(value, bool):
        number_format = str(getattr(cell, "number_format", "") or "")
        if number_format.startswith("00") and math.isfinite(value) \
                and (shown := _padded(value, number_format)) is not None:
            return shown  # text, as the CSV export of the same sheet writes it
        if _PERCENT.search(number_format):
            return _percent(value)
        symbol = format_currency(number_format) if number_format != "General" else None
        if symbol is not None:
            return CurrencyNumber(f"{value!r} {symbol}")
    if isinstance(value, dt.datetime) and value.time() == dt.time() \
            and not _TIME_TOKENS.search(str(getattr(cell, "number_format", "") or "")):
        return value.date()
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()
                             and not isinstance(value, UncachedFormula))


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


def _covered(path: str | os.PathLike[str], sheet: str | None) -> dict[int, dict[int, str]]:
    """The cells merged ranges cover beyond their first (top-left) one, as {Excel row:
    {column (1-based): "C2:C4"}}: Excel shows the first cell's value across the range,
    but the file stores it in the first cell only."""
    from openpyxl.utils.cell import column_index_from_string

    book, ws = _open_sheet(path, sheet)
    out: dict[int, dict[int, str]] = {}
    try:
        part = getattr(ws, "_worksheet_path", None)
        archive = getattr(book, "_archive", None)
        if part is None or archive is None:
            return out
        tail = b""
        seen: set[bytes] = set()
        with archive.open(part) as stream:
            while chunk := stream.read(1 << 20):
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
    finally:
        book.close()
    return out


def _rows(path: str | os.PathLike[str], sheet: str | None) -> Iterator[tuple[int, list[Any]]]:
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
            values = [_value(c) for c in cells]
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


def _names(cells: list[Any], number: int) -> list[str]:
    for position, v in enumerate(cells, 1):
        if isinstance(v, UncachedFormula):
            raise InputError(f"the header's column {position} is a formula without a stored "
                             f"value ({v}) — open and save the file in Excel/LibreOffice")
    names = ["" if v is None else str(v).strip() for v in cells]
    while names and not names[-1]:
        names.pop()
    seen: set[str] = set()
    for name in names:
        if not name:  # no name: skipped when no row has a value there (xlsx_unnamed)
            continue
        if name in seen:
            raise InputError(f"the header (Excel row {number}) names column {name!r} twice",
                             column=name)
        seen.add(name)
    return names


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
    for number, _ in _headed(path, sheet, header_row, skipped=skipped):
        if not skipped:
            return number, None
        titles = ", ".join(repr(str(v)) for v in skipped[-1][1] if not _empty(v))
        return number, (f"the header is Excel row {number}: row {skipped[-1][0]} holds merged "
                        f"group titles ({titles}) and was skipped; say header_row = N (or "
                        "--header-row N) if another row is the header")
    raise InputError("the sheet is empty: a header row is required")


def _headed(path: str | os.PathLike[str], sheet: str | None, header_row: int | None = None,
            *, skipped: list[tuple[int, list[Any]]] | None = None
            ) -> Iterator[tuple[int, list[Any]]]:
    """The sheet's non-empty rows from its header on. ``header_row`` (Excel's number) names
    the header; else it is the first row with two or more cells: a report export's title
    and filter lines above it ("Opportunity Report", "Filtered By: ...", one cell each)
    are skipped, and so is a row of merged group titles above the real header ("Deal
    information" over A1:C1; appended to ``skipped``). A sheet whose first rows all hold
    one cell is a one-column sheet: its first row is the header."""
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


def xlsx_unnamed(path: str | os.PathLike[str], sheet: str | None = None,
                 header_row: int | None = None) -> list[int]:
    """The 0-based positions of the header's columns with no name, each empty in every
    row (a report layout's empty column A): they are skipped. InputError naming the
    column when a row has a value in one. One pass over the sheet when there are any."""
    rows = _headed(path, sheet, header_row)
    for number, cells in rows:
        positions = [i for i, name in enumerate(_names(cells, number)) if not name]
        for excel_row, values in rows if positions else ():
            for p in positions:
                if p < len(values) and not _empty(values[p]):
                    raise unnamed_refusal(f"Excel row {number}", p + 1,
                                          f"Excel row {excel_row}", values[p])
        return positions
    return []


def xlsx_header(path: str | os.PathLike[str], sheet: str | None = None,
                header_row: int | None = None) -> list[str]:
    """The header row's column names (a column with no name, and no value in any row, is
    left out: ``xlsx_unnamed``)."""
    xlsx_unnamed(path, sheet, header_row)
    for number, cells in _headed(path, sheet, header_row):
        return [n for n in _names(cells, number) if n]
    raise InputError("the sheet is empty: a header row is required")


def read_xlsx(path: str | os.PathLike[str], sheet: str | None = None,
              columns: Collection[str] | None = None,
              header_row: int | None = None) -> Iterator[Any]:
    """Stream the sheet's records as ``SourceRow`` (``line`` = Excel's row number).
    ``columns``: the columns the caller reads (None: all); a formula without a stored
    value or an Excel error fails the row only in one of those (elsewhere the cell is
    kept, a formula without a value as blank)."""
    from .manifest import SourceRow

    rows = _headed(path, sheet, header_row)
    names: list[str] | None = None
    covered: dict[int, dict[int, str]] = {}
    for excel_row, cells in rows:
        if names is None:
            names = _names(cells, excel_row)
            if "" in names:
                xlsx_unnamed(path, sheet, header_row)  # refused when a row has a value there
            covered = _covered(path, sheet)
            continue
        number = excel_row  # the row is the one Excel shows
        width = len(names)
        extra = [v for v in cells[width:] if not _empty(v)]
        values = {n: ("" if v is None else v) for n, v in zip(names, cells, strict=False) if n}
        values.update({n: "" for n in names[len(cells):] if n})
        if extra:
            for position, v in enumerate(cells[width:], 1):
                values[f"(extra {position})"] = "" if v is None else v
            yield SourceRow(number, excel_row, values, InputError(
                f"line {excel_row}: a value right of the header's last column "
                f"({width} columns)", row=number))
            continue
        merged = [(names[c - 1], ref) for c, ref in sorted(covered.get(excel_row, {}).items())
                  if c <= width and (columns is None or names[c - 1] in columns)]
        if merged:
            name, ref = merged[0]
            yield SourceRow(number, excel_row, values, InputError(
                f"line {excel_row}: column {name!r} is inside the merged cells {ref}, whose "
                "value the file stores in their first cell only (Excel shows it across) — "
                "unmerge them and fill each row's cell", row=number, column=name))
            continue
        uncached = [n for n, v in zip(names, cells, strict=False)
                    if isinstance(v, UncachedFormula)]
        if columns is not None:
            uncached = [n for n in uncached if n in columns]
        if uncached:
            yield SourceRow(number, excel_row, values, InputError(
                f"line {excel_row}: column {uncached[0]!r} is a formula without a stored value "
                f"({cells[names.index(uncached[0])].formula}) — open and save the file in "
                "Excel/LibreOffice so the results are stored", row=number, column=uncached[0]))
            continue
        failed = [n for n, v in zip(names, cells, strict=False) if isinstance(v, ExcelError)
                  and (columns is None or n in columns)]
        if failed:
            yield SourceRow(number, excel_row, values, InputError(
                f"line {excel_row}: the Excel error {str(values[failed[0]])!r} in column "
                f"{failed[0]!r} (a formula that failed; fix it in the workbook)",
                row=number, column=failed[0]))
            continue
        yield SourceRow(number, excel_row, values)
    if names is None:
        raise InputError("the sheet is empty: a header row is required")


__all__ = ["DOLLAR_OF_LOCALE", "CurrencyNumber", "ExcelError", "UncachedFormula", "column_letter",
           "currency_format", "format_currency", "header_row_number", "read_xlsx",
           "unnamed_note", "unnamed_refusal", "xlsx_unnamed",
           "xlsx_date_system",
           "xlsx_header"]
