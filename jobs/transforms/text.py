"""Cells as text: emptiness, control characters, titles, keys, and the stored form of
a row's cells (``storable`` / ``typed_values``).

Why ~500 lines: each reading of a cell as text refuses the spreadsheet cells that are not
text (dates, serial 0, lost digits, error cells) with its own reason; they share one
table of what a typed cell shows as, which split modules would each import back."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from bulk.errors import InputError
from bulk.manifest_json import JsonNumber
from bulk.manifest_xlsx import CurrencyNumber, ExcelError, ExcelZeroDate, PercentNumber, UncachedFormula

# Whitespace a spreadsheet may put inside a number or around a cell.
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u2009\u200a]+")
# Invisible format characters (Unicode category Cf) a copy from a web page, a PDF or a
# right-to-left editor leaves in a cell: zero-width space / non-joiner / joiner, direction
# marks and embeddings, word joiner and invisible operators, isolates, soft hyphen, Arabic
# letter mark, Mongolian vowel separator, byte-order mark, interlinear annotation marks.
# Removed from every text cell: a key "\u200eK01" is the key "K01" (x16r2 F1: one key, three
# deals). (The Cf characters that show, Arabic number signs, and emoji tags are kept.)
_INVISIBLE = dict.fromkeys(
    [0x00AD, 0x061C, 0x180E, *range(0x200B, 0x2010), *range(0x202A, 0x202F),
     *range(0x2060, 0x2065), *range(0x2066, 0x2070), 0xFEFF, *range(0xFFF9, 0xFFFC)], None)
# What a match key drops beyond that (``norm_key``; a cell keeps them as written): the
# other invisible Cf characters (Egyptian hieroglyph, shorthand and musical format controls,
# the language tag) and the variation selectors (standard, Mongolian, ideographic), so a map
# key and a cell that look alike are one key (x49r1 F1: a key "Gone\u200b" beside "Gone"
# was no twin, and its cell took the other key's target).
_KEY_INVISIBLE = {
    **_INVISIBLE, **dict.fromkeys(
        [*range(0x13430, 0x13440), *range(0x1BCA0, 0x1BCA4), *range(0x1D173, 0x1D17B),
         0xE0001, *range(0x180B, 0x180E), 0x180F, *range(0xFE00, 0xFE10),
         *range(0xE0100, 0xE01F0)], None)}
# C0/C1 control characters (and DEL) Pipedrive cannot store in a text field; tab,
# CR and LF are whitespace (collapsed in one line, kept as written in long text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Pipedrive's spec gives no maximum for a deal title (openapi-v2.yaml, POST /deals);
# 255 characters is the limit chosen and documented in docs/mapping.md.
MAX_TITLE = 255
# a person cell longer than this is no name with its contacts: it fails its row before any
# cell reader runs (x49r7 F4: the readers' cost grows faster than the cell's length)
MAX_PERSON_CELL = 2 * MAX_TITLE


def is_empty(value: object) -> bool:
    """True for a missing cell: None, '', whitespace, or a JSON empty string."""
    return value is None or (isinstance(value, str) and not value.strip())


_INT64 = (-(2 ** 63), 2 ** 64 - 1)


def storable(value: Any) -> Any:
    """A manifest value the job store can keep as JSON, with nothing lost: integers
    beyond 64 bits and NaN/Infinity floats become their text (so failed.csv still
    shows the original cell); dicts and lists are converted item by item."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if _INT64[0] <= value <= _INT64[1] else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {k: storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


def cell_types(values: Mapping[str, Any]) -> dict[str, str]:
    """The cells of a row whose type the job store's JSON would lose, by column: ``date``,
    ``datetime`` (XLSX), ``number`` (a JSON number kept as text: ``JsonNumber``),
    ``currency`` (an XLSX number in a currency format: ``CurrencyNumber``), ``percent``
    (one in a percentage format: ``PercentNumber``), ``excel-error`` (an XLSX error cell,
    ``#N/A``: ``ExcelError``), ``zero-date`` (an XLSX date cell of serial 0: ``ExcelZeroDate``),
    ``formula:=B2*2`` (an XLSX formula with no stored result: ``UncachedFormula``, its
    formula in the tag), ``int`` (an integer beyond 64 bits), ``float`` (NaN / Infinity).
    With ``typed_values`` a stored row is read back as the reader gave it, so that a retry
    maps the very cells the first run mapped (a date cell must not come back as ISO text)."""
    out: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, datetime):
            out[name] = "datetime"
        elif isinstance(value, date):
            out[name] = "date"
        elif isinstance(value, JsonNumber):
            out[name] = "number"
        elif isinstance(value, CurrencyNumber):
            out[name] = "currency"
        elif isinstance(value, PercentNumber):
            out[name] = "percent"
        elif isinstance(value, ExcelError):
            out[name] = "excel-error"
        elif isinstance(value, ExcelZeroDate):
            out[name] = "zero-date"
        elif isinstance(value, UncachedFormula):
            out[name] = "formula:" + value.formula
        elif isinstance(value, int) and not isinstance(value, bool) \
                and not _INT64[0] <= value <= _INT64[1]:
            out[name] = "int"
        elif isinstance(value, float) and not math.isfinite(value):
            out[name] = "float"
    return out


_READ_BACK: dict[str, Any] = {"datetime": datetime.fromisoformat, "date": date.fromisoformat,
                              "number": JsonNumber, "int": int, "float": float,
                              "currency": CurrencyNumber, "percent": PercentNumber,
                              "excel-error": ExcelError, "zero-date": ExcelZeroDate}


def typed_values(values: Mapping[str, Any], types: Mapping[str, str] | None) -> dict[str, Any]:
    """``values`` as stored (``storable``), with the cells ``cell_types`` named given back
    their type. An unknown tag or unreadable text leaves the cell as stored."""
    out = dict(values)
    for name, tag in (types or {}).items():
        value = out.get(name)
        if isinstance(value, str) and tag.startswith("formula:"):
            out[name] = UncachedFormula(tag.removeprefix("formula:"))
        elif isinstance(value, str) and tag in _READ_BACK:
            try:
                out[name] = _READ_BACK[tag](value)
            except ValueError:
                pass
    return out


def check_control(text: str) -> str:
    """``text`` itself, or InputError naming the first control character (NUL, ESC, ...)."""
    found = _CONTROL.search(text)
    if found:
        raise InputError(f"control character U+{ord(found[0]):04X} at position "
                         f"{found.start() + 1} (Pipedrive cannot store it)"
                         + _cp1252_hint(found[0]))
    return text


def _cp1252_hint(char: str) -> str:
    """For a C1 control character (U+0080-U+009F) that cp1252 reads as a character: the
    hint that the file looks like cp1252 read as latin-1 (x25r2: rows of a cp1252 file
    declared latin-1 failed "control character U+0096", its en dash, with no word why)."""
    if not "\x80" <= char <= "\x9f":
        return ""
    try:
        meant = char.encode("latin-1").decode("cp1252")
    except UnicodeDecodeError:  # one of the five bytes cp1252 leaves undefined
        return ""
    return (f"; cp1252 reads that byte as «{meant}»: the file looks like cp1252, read as "
            "latin-1 (declare encoding = \"cp1252\", or --encoding cp1252)")


def json_kind(value: object) -> str:
    """A cell's JSON type as a person reads it: ``an object``, ``an array``, ``a boolean``,
    ``a number``, ``text`` (for messages: "expected an amount, got an object")."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "text"


def _text(value: object, what: str) -> str:
    if isinstance(value, bool) or isinstance(value, dict | list):
        raise InputError(f"expected {what}, got {json_kind(value)} ({_shown(value)})")
    return _as_shown(value) if isinstance(value, bytes) else str(value)


def _shown(value: object, limit: int = 60) -> str:
    text = shown_cell(value)
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


# Excel keeps 15 significant digits: a number cell of 16 digits or more lost the others
_MAX_EXACT_KEY = 10 ** 15
# how Excel's General format shows a number of 12 digits or more: "1.23457E+15", "1E+12"
# (one digit, at most 14 more after the decimal mark, "E+", two or more digits); a
# decimal-comma locale writes "1,23457E+15" (x9r1: accepted as a key, so a second
# record whose id Excel showed alike overwrote the first one's deal)
_EXCEL_SCIENTIFIC = re.compile(r"-?[0-9](?:[.,][0-9]{1,14})?E\+[0-9]{2,3}")
# a number a spreadsheet showed with thousands separators: "1,001" ("Comma Style"
# #,##0), and as other locales group it, "1.001", "1 001", "1'001" (one separator
# throughout, groups of three)
_GROUPED = re.compile(r"-?[0-9]{1,3}(?:,[0-9]{3})+|-?[1-9][0-9]{0,2}(?:\.[0-9]{3})+"
                      r"|-?[1-9][0-9]{0,2}(?:[ \u00a0\u202f][0-9]{3})+"
                      r"|-?[1-9][0-9]{0,2}(?:['\u2019][0-9]{3})+")  # 0.001 groups nothing
# what a spreadsheet's CSV save writes for an error cell: every such row would share it.
# The one list, for every column and the key (x21r3 F2: Google Sheets' #ERROR! and
# LibreOffice's Err:502 were imported as data): Excel's (with the dynamic-array, data-type
# and Python ones), Google Sheets' (#ERROR!, #LOADING...), LibreOffice's (the same #
# names, and Err:NNN, ``_LIBREOFFICE_ERROR``)
_EXCEL_ERRORS = frozenset({"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?",
                           "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!",
                           "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!",
                           "#TIMEOUT!", "#EXTERNAL!", "#ERROR!", "#LOADING...",
                           "#LOADING…"})
_LIBREOFFICE_ERROR = re.compile(r"ERR:[0-9]{3}")


def is_spreadsheet_error(text: str) -> bool:
    """Whether the cell text ``text`` (cleaned) is a spreadsheet's error value (``#N/A``,
    ``#ERROR!``, ``Err:502``)."""
    upper = text.upper()
    return upper in _EXCEL_ERRORS or bool(_LIBREOFFICE_ERROR.fullmatch(upper))
# an integer id written by a tool that held it as a float ("1001.0": pandas, a JSON double)
_WHOLE_AS_FLOAT = re.compile(r"(-?[0-9]+)\.0+")
# the first characters of a stripped ASCII key that ``source_key`` reads in full: where
# _EXCEL_SCIENTIFIC, _GROUPED, _WHOLE_AS_FLOAT, an Excel error value or LibreOffice's
# Err:NNN may begin ("" too: a blank key is None)
_KEY_RECHECKED = frozenset("-0123456789#Ee") | {""}


def whole_key(text: str) -> str:
    """``text`` as a key: its compatibility form (NFKC: 4010 typed in full-width digits, as
    a Japanese or Chinese export may, is ``4010``, as Unicode compares identifiers), and a
    whole number with a zero fraction (``1001.0``) the integer's text (``1001``), as the
    number cell 1001.0 reads; so every export of a record gives one key, and a deal that
    carries ``1001.0`` or full-width digits in its key field is found by the plain key
    (v10r31: a full-width key made a second deal)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).strip()
    whole = _WHOLE_AS_FLOAT.fullmatch(text)
    return text if whole is None else whole[1]


def source_key(value: object) -> str | None:
    """A source key as exact text (None when empty), InputError when the cell cannot be one.

    Text is cleaned like ``clean_text``; an integer (any size: JSON integers are exact) is
    its decimal text; a float or JSON number that is an integer below 10^15 is the integer's
    text (``9001.0`` and ``1e3`` are ``"9001"`` and ``"1000"``, as a file with integer ids
    writes them). Refused: a boolean, an object or array, a number with a fraction, and a
    float of magnitude 10^15 or more (an XLSX number cell holding a 16-digit id: Excel
    keeps 15 significant digits, so two ids can read the same — store keys as text), and text
    in the form Excel's General format shows a long number in (``1.23457E+15``, in a
    decimal-comma locale ``1,23457E+15``: a CSV saved from Excel keeps only those six
    digits, so different ids read the same). Text
    that is a whole number with a zero fraction (``1001.0``: an id a tool held as a float,
    pandas' CSV of an id column with a blank) is the integer's text, as the number cell
    ``1001.0`` is, so every export of the record gives one key. Text a spreadsheet
    shows for a number with thousands separators (``1,001``, ``1.001``, ``1 001``,
    ``1'001``) or for a failed formula
    (``#N/A``) fails. An XLSX number in a
    currency format is its number (``123``, as the JSON export says; with a fraction it
    fails); an XLSX date, date-time or time cell fails (an id Excel took for a date)."""
    if value is None:
        return None
    if type(value) is str and value.isascii() and value.isprintable() and "  " not in value:
        # most keys (``HS-100042``, ``0061x00000AbCdE``): ``clean_text``'s reading of
        # printable ASCII; none of the refusals nor ``whole_key`` reads text that starts
        # with neither a digit, a minus, "#" nor "E" (issue 8: a key is read on every pass)
        key = value.strip()
        if key[:1] not in _KEY_RECHECKED:
            return key
    if isinstance(value, CurrencyNumber):
        # v10r26 S1: an id column in a currency format gave the key "123 $"; the JSON
        # export of the record says 123: the number is the key (a fraction fails below)
        value = value.number
    elif isinstance(value, date | time | ExcelZeroDate):  # (serial 0 too: x45r6 F1)
        # v10r26 S2: an id Excel took for a date ("2-Jan") or a time is no key: the CSV
        # save of the sheet says "2-Jan", this cell 2026-01-02: no export agrees
        raise InputError(f"an XLSX date or time cell ({_as_shown(value)}) cannot be an id: "
                         "Excel reads ids like 2-Jan or 10:30 as dates and times; format "
                         "the key column as Text and type those ids again")
    if type(value) is str:
        text = clean_text(value)
        if text is not None and not text.isascii():  # the checks below see ASCII digits
            text = unicodedata.normalize("NFKC", text).strip() or None
        if text is not None and _EXCEL_SCIENTIFIC.fullmatch(text):
            raise InputError(f"{text!r} is a long number as Excel shows it in scientific "
                             "notation: its other digits are lost, so different ids read "
                             "the same; re-export with the key column formatted as Text")
        if text is not None and _GROUPED.fullmatch(text):
            # v10r27 F1: the CSV save of an id column in "Comma Style" (#,##0); the
            # workbook itself says 1001, a scaled format (#,##0,) shows fewer digits
            raise InputError(f"{text!r} is a number as a spreadsheet shows it with "
                             "thousands separators, not an id as its other exports write "
                             "it; format the key column as Text or General and save again")
        if text is not None and is_spreadsheet_error(text):
            # v10r27 F5: every row whose key cell failed in the workbook shared the key
            raise InputError(f"{text!r} is the error value of a spreadsheet formula that "
                             "failed, not an id; fix it in the workbook and save again")
        return text if text is None else whole_key(text)
    if isinstance(value, bool) or isinstance(value, dict | list):
        raise InputError(f"expected text or a whole number, got {json_kind(value)} "
                         f"({_shown(value)})")
    if isinstance(value, int):
        return str(value)
    number: Decimal | None = None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"not a usable key: {quoted_cell(value)}")
        if abs(value) >= _MAX_EXACT_KEY:  # as typed, as Excel shows it: never 1234.0 (x21r3 F8b)
            raise InputError(f"the number {_as_shown(value)} is too large to be an exact key (a "
                             "spreadsheet number keeps about 15 digits: two ids can read "
                             "the same); store the keys as text (format the column as Text "
                             "in Excel, or quote them in JSON)")
        number = Decimal(repr(value))
    elif isinstance(value, JsonNumber):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
    if number is not None:
        if not number.is_finite() or number != number.to_integral_value():
            raise InputError(f"the number {_as_shown(value)!r} is not a whole number: a source key "
                             "must be an id (write it as text if it is one)")
        return str(int(number))
    return clean_text(value)


# ---------------------------------------------------------------- text

def excel_number_text(value: float) -> str:
    """A number cell (an XLSX number, a JSON fraction) as text, the way a person reads it
    in a wide Excel column: 15 significant digits (what Excel keeps), no exponent between
    1e-7 and 1e21 (``123456789012345678`` → ``123456789012346000``, ``0.000001234``,
    ``1234.0`` → ``1234``; a whole number a double holds exactly, as stored), else
    ``1E+21`` — never Python's ``1.234567890123457e+17``
    (v10r10 M5: an id typed into a number cell landed in a text field so)."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))  # exact: 1234.0 is 1234, a 16-digit id stays as stored
    number = Decimal(format(value, ".15g"))
    if -7 < number.adjusted() < 21:
        text = format(number, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return format(number.normalize(), "E")


def _plain_exponent(value: JsonNumber) -> str:
    """A JSON number written with an exponent, as text the way ``excel_number_text`` writes
    a number: ``1e3`` → ``1000``, ``2.5E-3`` → ``0.0025`` (exact: its digits as written);
    beyond 1e21 or below 1e-7 as written (``1e400``)."""
    try:
        number = Decimal(value)
    except InvalidOperation:
        return str(value)
    if not number.is_finite() or not -7 < number.adjusted() < 21:
        return str(value)
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def shown_cell(value: object) -> str:
    """A cell as the person who wrote it sees it, for a reason, a note or a plan line —
    never a Python repr (x31r1 1: ``datetime.date(2026, 7, 20)`` in a plan): an XLSX date
    ``2026-07-20`` (a date-time with its time, a time ``09:30:00``), a number as Excel
    shows it (``45000``, not ``45000.0``), a boolean ``true`` / ``false``, a JSON array
    or object as JSON (``[1, "x"]``), a Decimal in plain digits, bytes as text with
    ``\\xNN`` for what is not UTF-8, None as ``""``; text (a JSON number's too) as it is."""
    if value is None:
        return ""
    if isinstance(value, str):  # a JSON number as written (1e20), an XLSX 12.5%: as is
        return str(value)
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=shown_cell)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    if isinstance(value, time):
        return value.isoformat("seconds")
    return _as_shown(value)


def quoted_cell(value: object) -> str:
    """``shown_cell`` quoted as a reason quotes a text cell: ``'2026-07-20'``."""
    return repr(shown_cell(value))


def said_cell(raw: object, text: str) -> str:
    """``text`` (a cell as cleaned) quoted for a reason, or the cell as it was, quoted by
    repr, where cleaning took more than spacing from it: its invisible characters shown
    (x49r11 F4: ``won\\u200b`` was quoted ``'won'``, ``Demo\\u200bbooked`` as
    ``'Demobooked'``)."""
    if isinstance(raw, str) and " ".join(raw.split()) != text:
        return repr(raw.strip())
    return repr(text)


def _as_shown(value: object) -> str:
    """A typed cell as the text a person reads it as (``clean_text`` and
    ``clean_multiline`` alike; v10r19: a long-text field got ``1.234567890123457e+17``
    where a title got ``123456789012346000``): a boolean ``true``/``false``, an XLSX
    date as its date (with its time only when it has one), a number as Excel shows it
    (``excel_number_text``), a JSON number without an exponent (``_plain_exponent``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):  # never Python's b'...' (no reader gives bytes today)
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, datetime):  # an XLSX date cell as text: as a person reads it
        return (value.date().isoformat() if value.time() == time()
                else value.isoformat(" ", "seconds"))
    if isinstance(value, float) and math.isfinite(value):
        return excel_number_text(value)
    if isinstance(value, JsonNumber) and "e" in value.lower():
        return _plain_exponent(value)
    return str(value)


def clean_text(value: object) -> str | None:
    """One line of text: NFC, invisible characters removed, whitespace collapsed."""
    if value is None:
        return None
    if type(value) is str and value.isascii() and value.isprintable():
        # most cells: NFC, the invisible and the control characters change nothing in
        # printable ASCII, and its only whitespace is " " (the result is the same)
        text = value.strip()
        if "  " in text:
            text = _SPACES.sub(" ", text)
        return text or None
    if isinstance(value, dict | list):
        raise InputError(f"expected text, got {json_kind(value)}")
    text = unicodedata.normalize("NFC", _as_shown(value)).translate(_INVISIBLE)
    text = check_control(_SPACES.sub(" ", text).strip())
    return text or None


# what a spreadsheet shows, and its CSV save writes, for a date or number too wide for its
# column: the value itself is lost
_HASHES = re.compile(r"#{3,}")


def digits_kept(value: object, *, name: bool = False) -> None:
    """InputError when a cell read as text is a date or time cell (``not_date_cell``, with
    ``name``), or shows a number whose digits a spreadsheet lost:
    an XLSX number cell of 10^15 or more (Excel keeps 15 significant digits: the 18-digit
    id 123456789012345678 is 123456789012346000 there) or the text Excel's General format
    shows for one (``1.23457E+15``, ``1,23457E+15``: what a CSV save writes). The key
    column refuses both already (``source_key``); a text field took them with invented or
    lost digits and no word (x16r2 F4)."""
    not_date_cell(value, name=name)
    if isinstance(value, float) and math.isfinite(value) and abs(value) >= 1e15 \
            and value == int(value):
        raise InputError(f"the number cell holds {value:.15g}: a spreadsheet keeps 15 "
                         "significant digits, so this number's other digits are lost; "
                         "format the column as Text in the workbook and type them again")
    if isinstance(value, str) and "E+" in value[:12].upper():
        text = clean_text(value) or ""
        if _EXCEL_SCIENTIFIC.fullmatch(text.upper()):
            raise InputError(f"{text!r} is a long number as a spreadsheet shows it in "
                             "scientific notation: its other digits are lost; re-export "
                             "with the column formatted as Text")


def not_date_cell(value: object, *, name: bool = False) -> None:
    """InputError when a cell read as text is a spreadsheet's date, date-time or time cell
    (an XLSX reader's ``date`` / ``datetime`` / ``time``): Excel turns text typed as
    ``1-Mar``, ``3/1`` or ``Mar 1`` into a date, and the text was written as the ISO date
    (x42r1 F6: a title ``1-Mar`` became ``2026-03-01``, silently), or a date cell of
    serial 0 (``ExcelZeroDate``). ``name``: a title or a person / organization name, which
    a boolean cell (TRUE / FALSE) never is either. A template (``{Company} - {Close
    Date}``) writes a date as text on purpose and is not checked."""
    if isinstance(value, datetime | date | time):
        what = ("a time" if isinstance(value, time) else "a date" if not isinstance(
            value, datetime) or value.time() == time() else "a date and time")
        raise InputError(f"the cell is {what} in the workbook ({shown_cell(value)}), not "
                         "text: a spreadsheet turns text typed as 1-Mar or 3/1 into a date; "
                         "format the column as Text in the workbook and type the value again")
    if isinstance(value, ExcelZeroDate):  # a date cell of serial 0 (x45r6 F1: was text)
        raise InputError(f"the cell is a date in the workbook (Excel's empty date, {value}), "
                         "not text: format the column as Text and type the value again")
    if name and isinstance(value, bool):
        raise InputError(f"the cell is a TRUE / FALSE value ({shown_cell(value)}), not a "
                         "name: format the column as Text in the workbook and type the "
                         "value again")


def not_excel_error(value: object) -> None:
    """InputError when a cell ``value`` is a spreadsheet's error value (``#N/A``, ``#REF!``,
    ``#VALUE!`` ... as a CSV save writes an error cell) or the ``####`` of a value too wide
    for its column: the cell's value is lost, and every row sharing it would share one
    organization, person or title (x16r2 F2: deals of different companies linked to one
    organization "#N/A"). The mapping checks every cell it reads
    (``jobs.mapping.steps``); XLSX error cells fail as ``bulk.manifest_xlsx.ExcelError``."""
    if not isinstance(value, str) or ("#" not in value[:8] and "RR:" not in value[:8].upper()):
        return
    text = clean_text(value) or ""
    if is_spreadsheet_error(text):
        raise InputError(f"{text!r} is the error value of a spreadsheet formula that failed, "
                         "not data; fix the formula or empty the cell, and save again")
    if _HASHES.fullmatch(text):
        raise InputError(f"{text!r} is what a spreadsheet shows for a value too wide for its "
                         "column: the value is lost; widen the column (or format it as "
                         "Text) and save again")


def clean_multiline(value: object) -> str | None:
    """Long text (a ``text`` custom field): its layout kept — indentation, runs of spaces,
    tabs and blank lines inside stay exactly as written; line breaks are written ``\\n``
    (CRLF and CR become LF); NFC, invisible characters removed (as in every text cell);
    only the cell's leading and trailing whitespace, line breaks included, is trimmed
    (x18r2 1: each line was trimmed and its spaces collapsed, silently)."""
    if value is None:
        return None
    if isinstance(value, dict | list):
        _text(value, "text")  # InputError: expected text, got an object / array
    text = unicodedata.normalize("NFC", _as_shown(value)).translate(_INVISIBLE)
    return check_control(_LINE_BREAK.sub("\n", text).strip()) or None


# a line break as Windows, old Mac and Unix write it
_LINE_BREAK = re.compile(r"\r\n?")


def clean_title(value: object, limit: int = MAX_TITLE) -> str | None:
    """A deal title: ``clean_text`` plus at most ``limit`` characters (InputError beyond)."""
    text = clean_text(value)
    if text is not None and len(text) > limit:
        raise InputError(f"the title is {len(text)} characters long; at most {limit} are "
                         "accepted")
    return text


def shown_key(value: str) -> str:
    """A map key or a name quoted for a message so that two keys that look alike read apart:
    ``repr`` with every character that does not show (invisible, a combining mark of an NFD
    spelling, a variation selector, any whitespace but a space) escaped as ``\\uXXXX``:
    ``'Gone\\u200b'``, ``'Cafe\\u0301'`` beside ``'Café'`` (x49r1 F1, F6)."""
    if value.isascii() and value.isprintable():
        return repr(value)
    out = []
    for char in value:
        if char == " " or (char.isprintable() and ord(char) not in _KEY_INVISIBLE
                           and unicodedata.category(char)[0] not in "MZ"):
            out.append("\\'" if char == "'" else "\\\\" if char == "\\" else char)
        else:
            out.append(f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}")
    return "'" + "".join(out) + "'"


def how_alike(names: Sequence[str]) -> str:
    """What ``names`` (one key under ``norm_key``) differ by, for a message: ``"case"``,
    ``"spacing"``, ``"invisible characters"``, ``"accents written as one character or two
    (NFC / NFD)"``, or several of them joined (``"spacing and case"``): each way is one the
    names still differ by once every other way is folded out."""
    folds: dict[str, Callable[[str], str]] = {
        "invisible characters": lambda n: n.translate(_KEY_INVISIBLE),
        "accents written as one character or two (NFC / NFD)":
            lambda n: unicodedata.normalize("NFC", n),
        "spacing": lambda n: _SPACES.sub(" ", n).strip(),
        "case": str.casefold}
    ways = []
    for way in folds:
        seen = set()
        for name in names:
            for other, fold in folds.items():
                name = name if other == way else fold(name)
            seen.add(name)
        if len(seen) > 1:
            ways.append(way)
    return " and ".join(ways) or "nothing"


def norm_key(value: str) -> str:
    """The one key a name, a map key and a cell are matched by: case, spacing (each run one
    space, none at the ends), NFC / NFD and invisible characters (``_KEY_INVISIBLE``: every
    invisible Cf character a cell loses in ``clean_text``, and variation selectors) aside,
    so a map key matches the cell it looks like (x49r1 F1)."""
    if value.isascii() and value.isprintable() and "  " not in value:
        return value.strip().casefold()  # the same key: nothing to normalise or collapse
    text = unicodedata.normalize("NFC", value.translate(_KEY_INVISIBLE))
    return _SPACES.sub(" ", text).strip().casefold()
