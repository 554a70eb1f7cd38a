"""An XLSX cell's value as Excel shows it: the number formats that change what a number is.

A whole number under a zeros-only format is its padded text (``007770``); a percentage
is a ``PercentNumber``, the text shown (0.25 under ``0%`` is ``"25%"``, as the CSV save
of the sheet writes it, its number exact: 25); a currency format makes a
``CurrencyNumber`` (``"1234.5 €"``); a date format without a time part makes a
``datetime.date``; a duration (``[h]:mm:ss``) is its text as shown (``37:30:00``); an
Excel error is an ``ExcelError``; a formula with no stored result
is an ``UncachedFormula``. ``_value`` reads one openpyxl cell. Moved out of
``bulk.manifest_xlsx`` (issue 8), which still re-exports every name. It opens no file.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any

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
# ``[$€-407]``: a symbol and a locale id; ``[$€-x-euro1]`` / ``[$€-x-euro2]``: Excel's built-in
# Euro formats, a symbol and a named tag (v10r14 S2: not matched, read as the default)
_BRACKET_SYMBOL = re.compile(r"\[\$([^\]\-]*)(?:-([0-9A-Fa-f]+)|-[A-Za-z][\w-]*)?\]")
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
    # the pound of Arabic - Egypt, Lebanon, Syria (v10r10 M6: [$£-C01] was read as GBP)
    "£": {0xC01: "EGP", 0x3001: "LBP", 0x2801: "SYP"},
    "元": {0x404: "TWD", 0xC04: "HKD", 0x1404: "MOP", 0x804: "CNY"},
    "₩": {0x412: "KRW"},
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
    # ``_X`` shows a space as wide as X, not X: the Comma style of French / German /
    # Spanish Excel pads with ``_€`` and shows no currency (v10r13 S2: read as EUR)
    bare = re.sub(r"_.", " ", bare)
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


class PercentNumber(str):
    """A number cell whose number format is a percentage (``0%``, ``0.0%``), as the text
    Excel shows without rounding, ``"25%"`` for a stored 0.25 — what the CSV save of the
    sheet writes, so the number targets read the two alike (``jobs.transforms.money``:
    a probability or a number field takes the number shown, an amount refuses it;
    x21r3 F6: 0.1 under ``0%`` was the deal value 10 where the CSV's ``10%`` failed).
    ``number`` is the number shown, exact (25; 7.5 for 0.075)."""

    __slots__ = ()

    @property
    def number(self) -> int | float:
        text = self.removesuffix("%")
        return float(text) if any(c in text for c in ".eEn") else int(text)


def _percent(value: int | float) -> PercentNumber:
    """The percentage a percent-formatted cell shows: 0.25 -> ``25%``, 0.075 -> ``7.5%``
    (decimal arithmetic, so 0.07 gives 7, not 7.000000000000001)."""
    if not math.isfinite(value):
        return PercentNumber(f"{value!r}%")
    shown = Decimal(repr(value)) * 100
    if shown == shown.to_integral_value():
        return PercentNumber(f"{int(shown)}%")
    return PercentNumber(f"{float(shown)!r}%")


class ExcelError(str):
    """A cell holding an Excel error value (``#N/A``), as its text."""

    __slots__ = ()


class ExcelZeroDate(str):
    """A date-formatted cell of serial 0 (up to 1: a time of day on day 0), as the text
    Excel shows (``1900-01-00`` under ``yyyy-mm-dd``: ``zero_date_shown``): Excel's empty
    date, no day of the calendar; a date field names it (``jobs.transforms.zero_date``)."""

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


_ZERO_PAD = re.compile(r"0{2,}")
_EXCEL_DIGITS = 10 ** 15


def _padded(value: int | float, number_format: str) -> str | None:
    """The text Excel shows for a whole number under a zero-padding format (7770 under
    ``000000`` is ``007770``: an account number, a zip code), else None."""
    section = number_format.split(";", 1)[0]
    if not _ZERO_PAD.fullmatch(section) or value != int(value):
        return None
    number = int(value)
    return ("-" if number < 0 else "") + str(abs(number)).zfill(len(section))


# a digit pattern's tokens: a digit placeholder, quoted text, an escaped character, or a
# separator Excel shows as it is (``00000-0000``, ``"INV-"0000``, ``(###) ###-####``)
_PATTERN_TOKEN = re.compile(r'(?P<digit>[0#?])|"(?P<quoted>[^"]*)"|\\(?P<escaped>.)'
                            r"|(?P<literal>[-()/: +])")


def _pattern_shown(value: int | float, number_format: str) -> str | None:
    """The text Excel shows for a whole number ``value`` under a digit pattern: digit
    placeholders with separators or text before or between them (Excel's "Zip Code + 4"
    ``00000-0000``: 12345678 is ``01234-5678``; ``"INV-"0000``: 45 is ``INV-0045``;
    ``000-00-0000``; ``(###) ###-####``), as the CSV save of the sheet writes it (x16r2 F3:
    the bare number, its leading zero lost, went into a text field). The digits fill the
    placeholders from the right, the first one taking any left over; ``0`` pads with a
    zero, ``#`` with nothing, ``?`` with a space. None for any other format (a point, a
    comma, a percentage, an exponent, text after the last digit such as ``0" pcs"``: a
    number target reads those as numbers) and for a number with a fraction or below 0."""
    section = number_format.split(";", 1)[0]
    if not isinstance(value, int | float) or value != int(value) or value < 0:
        return None
    tokens: list[tuple[str, str]] = []
    at = 0
    while at < len(section):
        m = _PATTERN_TOKEN.match(section, at)
        if m is None:
            return None  # anything else (".", ",", "%", "E", "@", "[...]", dates): not ours
        kind = m.lastgroup or ""
        tokens.append((kind, m[kind] or ""))
        at = m.end()
    digits = [i for i, (kind, _) in enumerate(tokens) if kind == "digit"]
    if not digits or len(digits) == len(tokens) or digits[-1] != len(tokens) - 1:
        return None  # no placeholder, nothing but placeholders, or text after the digits
    left = str(int(value)) if value else ""  # 0 has no significant digit: "#" shows none
    out: list[str] = []
    for i in range(len(tokens) - 1, -1, -1):
        kind, text = tokens[i]
        if kind != "digit":
            out.append(text)
            continue
        if i == digits[0]:  # the first placeholder takes every digit left
            out.append(left or {"0": "0", "?": " "}.get(text, ""))
            left = ""
        elif left:
            out.append(left[-1])
            left = left[:-1]
        else:
            out.append({"0": "0", "?": " "}.get(text, ""))
    return "".join(reversed(out)).strip() or None


# a number format of "#" placeholders alone (with grouping commas): 0 shows as nothing
_HASHES_ONLY = re.compile(r"[#,]*#")


def _duration(value: dt.timedelta) -> str:
    """A duration cell (``[h]:mm:ss``, ``[mm]:ss``) as Excel shows it: ``37:30:00``."""
    seconds = round(value.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


_SURROGATE = re.compile("[\ud800-\udfff]")


def unescaped(text: str) -> str:
    """A string cell's text as Excel shows it: each ``_xHHHH_`` escape (hex, the way
    OOXML's ST_Xstring writes a character XML cannot hold) is its character, left to
    right, so ``_x000D_`` is a carriage return, ``_x0001_`` the control character U+0001
    (which then fails its row, as in a CSV) and ``_x005F_x000D_`` the typed text
    ``_x000D_`` (x41r3 F1: ``Acme Corp_x000D_`` made a second organization beside ``Acme
    Corp``). openpyxl's ``unescape`` does the decoding; an escaped UTF-16 surrogate pair
    is its one character, a lone surrogate U+FFFD."""
    if "_x" not in text:
        return text
    from openpyxl.utils.escape import unescape

    out = str(unescape(text))
    if _SURROGATE.search(out):
        out = out.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return out


# what ``escaped`` writes as ``_xHHHH_``: the C0 controls XML cannot hold, and CR, which an
# XML reader turns into LF; and the "_" of text that could read as one (``_x000D_``, or
# ``_x0000`` before an escaped character)
_TO_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f]|_(?=x[0-9A-Fa-f]{4})")


def escaped(text: str) -> str:
    """``text`` as Excel writes it into a cell (``unescaped``'s inverse): a control
    character or CR as ``_xHHHH_``, a typed ``_x000D_`` as ``_x005F_x000D_``. openpyxl
    writes a cell's text as given and refuses control characters (IllegalCharacterError),
    so failed.xlsx writes each text cell through this."""
    return _TO_ESCAPE.sub(lambda m: f"_x{ord(m[0]):04X}_", text)


def _value(cell: Any) -> Any:
    value = cell.value
    if isinstance(value, dt.timedelta):  # v10r13 S3: a TypeError ended the whole job
        return _duration(value)
    if isinstance(value, str):
        return ExcelError(value) if getattr(cell, "data_type", None) == "e" \
            else unescaped(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _EXCEL_DIGITS:
        # Excel holds every number as a double and keeps 15 significant digits: a whole
        # number of 16 or more read as an int (a writer stored its exact digits) is the
        # double Excel would hold (v10r28 M3: accepted as a key, where 10^15 and more fails)
        value = float(value)
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
        if value == 0 and _HASHES_ONLY.fullmatch(number_format):
            return None  # Excel shows nothing (and the CSV save writes nothing): blank
        if number_format not in ("General", "0", "@") and math.isfinite(value) \
                and (shown := _pattern_shown(value, number_format)) is not None:
            return shown  # text, as the CSV export of the same sheet writes it
    if isinstance(value, dt.time) and (shown := zero_date_shown(
            str(getattr(cell, "number_format", "") or ""), value)) is not None:
        return ExcelZeroDate(shown)
    if isinstance(value, dt.datetime) and value.time() == dt.time() \
            and not _TIME_TOKENS.search(str(getattr(cell, "number_format", "") or "")):
        return value.date()
    return value


# a number format's parts: a quoted or escaped literal, a [colour] / [$-407] section, or a
# run of one letter (yyyy, mm, d, hh, ss) or AM/PM; anything else is shown as written
_FORMAT_PART = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|AM/PM|A/P|([yYmMdDhHsS])\1*')
_MONTH = ("Jan", "January")
_SATURDAY = ("Sat", "Saturday")  # Excel's weekday of its day 0 (1900-01-00)


def zero_date_shown(number_format: str, time: dt.time) -> str | None:
    """The text Excel shows for a cell of serial 0 up to 1 (``time``: openpyxl reads such a
    cell as a time of day) under ``number_format`` when the format shows a date: day 0 of
    January 1900 (``yyyy-mm-dd``: ``1900-01-00``; ``dd.mm.yyyy``: ``00.01.1900``;
    ``m/d/yyyy``: ``1/0/1900``), with the time where the format shows one. None when the
    format shows no year or day (a time of day: ``hh:mm``). x45r1 F2: it was read as
    ``00:00:00``, a text the user could not find in the sheet; a date field names it
    (``jobs.transforms.zero_date``)."""
    section = number_format.split(";", 1)[0]
    parts = list(_FORMAT_PART.finditer(section))
    if not any(p[1] and p[1] in "yYdD" for p in parts):
        return None
    out, pos, last = [], 0, ""
    hour = time.hour
    twelve = any(p[0] in ("AM/PM", "A/P") for p in parts)
    for n, p in enumerate(parts):
        out.append(section[pos:p.start()])
        pos = p.end()
        text, letter = p[0], (p[1] or "").lower()
        size = len(text)
        if not letter:
            if text.startswith('"'):
                out.append(text[1:-1])
            elif text.startswith("\\"):
                out.append(text[1:])
            elif text in ("AM/PM", "A/P"):
                out.append(("AM" if hour < 12 else "PM")[:size - 3 if text == "A/P" else 2])
            continue  # ([...]: not shown)
        if letter == "m":  # minutes after an hour or before seconds, else the month
            after = next((q[1].lower() for q in parts[n + 1:] if q[1]), "")
            if last == "h" or after == "s":
                out.append(f"{time.minute:0{min(size, 2)}d}")
            else:
                out.append("1" if size == 1 else "01" if size == 2 else _MONTH[size > 3])
        elif letter == "y":
            out.append("1900" if size > 2 else "00")
        elif letter == "d":
            out.append(("0", "00")[size > 1] if size <= 2 else _SATURDAY[size > 3])
        elif letter == "h":
            shown = (hour % 12 or 12) if twelve else hour
            out.append(f"{shown:0{min(size, 2)}d}")
        elif letter == "s":
            out.append(f"{time.second:0{min(size, 2)}d}")
        last = letter
    out.append(section[pos:])
    return "".join(out)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()
                             and not isinstance(value, UncachedFormula))
