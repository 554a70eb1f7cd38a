"""Pure value parsers for manifest cells: money, dates, numbers, e-mails, names.

Every parser takes a cell as read from a manifest (a ``str`` from CSV, or any
JSON value from JSONL), returns a clean Python value or ``None`` for an empty
cell, and raises ``InputError(reason)`` with a message a person can act on.
The caller (the row mapper) adds the row number and the column. Nothing here
does I/O, knows about Pipedrive ids, or keeps state.

Money: how the decimal separator is chosen (``decimal="auto"``)
  1. both ``.`` and ``,`` appear: the one that comes last is the decimal mark
     (``1,234.50`` and ``1.234,50``);
  2. only one of them, more than once: it groups thousands (``1,234,567``,
     ``€1.000.000``);
  3. only ``,``, once, followed by exactly three digits: it groups thousands
     (``1,234`` is 1234) — unless the integer part is ``0`` (``0,123``);
     otherwise ``,`` is the decimal mark (``1,5``, ``12,50``);
  4. only ``.``, once: always the decimal mark (``1.234`` is 1.234).
  Spaces (also no-break and thin spaces) and apostrophes (``1'234.50``) always
  group. Groups are checked: after the first group every group has three
  digits (Indian grouping, ``12,34,567``, is accepted too). A file written in
  a decimal-comma locale with integer amounts (``1.234``) needs
  ``decimal=","``, which makes ``.`` a grouping mark (and ``decimal="."`` the
  reverse).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, NamedTuple

from email_validator import EmailNotValidError, validate_email

from bulk.errors import InputError
from bulk.manifest_json import JsonNumber

Decimal_ = Literal["auto", ".", ","]

# Whitespace a spreadsheet may put inside a number or around a cell.
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u2009\u200a]+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# C0/C1 control characters (and DEL) Pipedrive cannot store in a text field; tab,
# CR and LF are whitespace (collapsed, or kept as line breaks in long text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Pipedrive's spec gives no maximum for a deal title (openapi-v2.yaml, POST /deals);
# 255 characters is the limit chosen and documented in docs/mapping.md.
MAX_TITLE = 255


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
    ``int`` (an integer beyond 64 bits), ``float`` (NaN / Infinity). With ``typed_values``
    a stored row is read back as the reader gave it, so that a retry maps the very
    cells the first run mapped (a date cell must not come back as ISO text)."""
    out: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, datetime):
            out[name] = "datetime"
        elif isinstance(value, date):
            out[name] = "date"
        elif isinstance(value, JsonNumber):
            out[name] = "number"
        elif isinstance(value, int) and not isinstance(value, bool) \
                and not _INT64[0] <= value <= _INT64[1]:
            out[name] = "int"
        elif isinstance(value, float) and not math.isfinite(value):
            out[name] = "float"
    return out


_READ_BACK: dict[str, Any] = {"datetime": datetime.fromisoformat, "date": date.fromisoformat,
                              "number": JsonNumber, "int": int, "float": float}


def typed_values(values: Mapping[str, Any], types: Mapping[str, str] | None) -> dict[str, Any]:
    """``values`` as stored (``storable``), with the cells ``cell_types`` named given back
    their type. An unknown tag or unreadable text leaves the cell as stored."""
    out = dict(values)
    for name, tag in (types or {}).items():
        value = out.get(name)
        if isinstance(value, str) and tag in _READ_BACK:
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
                         f"{found.start() + 1} (Pipedrive cannot store it)")
    return text


def _text(value: object, what: str) -> str:
    if isinstance(value, bool) or isinstance(value, dict | list):
        raise InputError(f"expected {what}, got {type(value).__name__} {value!r}")
    return str(value)


# ---------------------------------------------------------------- text

def clean_text(value: object) -> str | None:
    """One line of text: NFC, invisible characters removed, whitespace collapsed."""
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise InputError(f"expected text, got {type(value).__name__}")
    if isinstance(value, bool):
        value = "true" if value else "false"
    text = unicodedata.normalize("NFC", str(value)).translate(_INVISIBLE)
    text = check_control(_SPACES.sub(" ", text).strip())
    return text or None


def clean_multiline(value: object) -> str | None:
    """Long text: keeps line breaks (as ``\\n``), trims each line, drops blank edges."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", _text(value, "text")).translate(_INVISIBLE)
    lines = [re.sub(r"[^\S\n]+", " ", line).strip() for line in re.split(r"\r\n|\r|\n", text)]
    return check_control("\n".join(lines).strip("\n")) or None


def clean_title(value: object, limit: int = MAX_TITLE) -> str | None:
    """A deal title: ``clean_text`` plus at most ``limit`` characters (InputError beyond)."""
    text = clean_text(value)
    if text is not None and len(text) > limit:
        raise InputError(f"the title is {len(text)} characters long; at most {limit} are "
                         "accepted")
    return text


def norm_key(value: str) -> str:
    """Case- and whitespace-insensitive key for matching names and map entries."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip().casefold()


# ---------------------------------------------------------------- money

class Money(NamedTuple):
    amount: Decimal
    currency: str | None


# ISO 4217 codes in current use (plus a few common legacy ones seen in exports).
ISO_CURRENCIES = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SYP THB TJS TMT TND TOP
TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL
""".split())

# Symbols (case-folded) → ISO code. A tuple means ambiguous: the default
# currency wins when it is one of them, otherwise the first is taken (for
# "$": USD) or, when the first is None, the cell is rejected.
_SYMBOLS: dict[str, str | tuple[str | None, ...]] = {
    "$": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD"),
    "us$": "USD", "usd$": "USD", "c$": "CAD", "ca$": "CAD", "cad$": "CAD", "a$": "AUD",
    "au$": "AUD", "nz$": "NZD", "hk$": "HKD", "s$": "SGD", "r$": "BRL", "mx$": "MXN",
    "nt$": "TWD", "€": "EUR", "£": "GBP", "¥": ("JPY", "CNY"), "円": "JPY", "元": "CNY",
    "₹": "INR", "rs": "INR", "rs.": "INR", "₽": "RUB", "₩": "KRW", "₪": "ILS", "₺": "TRY",
    "₴": "UAH", "₫": "VND", "฿": "THB", "₱": "PHP", "₦": "NGN", "₡": "CRC", "₲": "PYG",
    "zł": "PLN", "kč": "CZK", "ft": "HUF", "lei": "RON", "лв": "BGN", "fr.": "CHF", "fr": "CHF",
    "kr": (None, "SEK", "NOK", "DKK", "ISK"), "kr.": (None, "DKK", "SEK", "NOK", "ISK"),
}

_PARTS = re.compile(
    r"(?P<pre>[^\d.,]*?)\s*(?P<num>[.,]?\d(?:[\d.,'\u2019 ]*\d)?)\s*(?P<post>[^\d]*)", re.S)
_SIGNS = "-+\u2212"
_NO_CENTS = re.compile(r"(?<=\d)[.,]-{1,2}(?=[^\d]*$)")
_SCIENTIFIC = re.compile(r"[-+]?\d+(\.\d+)?[eE][+-]?\d+")


def _currency_token(token: str, default: str | None) -> str:
    key = token.casefold()
    if token.upper() in ISO_CURRENCIES:
        return token.upper()
    found = _SYMBOLS.get(key)
    if found is None:
        raise InputError(f"unknown currency {token!r}")
    if isinstance(found, str):
        return found
    if default is not None and default in found:
        return default
    if found[0] is None:
        raise InputError(f"ambiguous currency {token!r}: set a default currency "
                         f"({', '.join(c for c in found if c)})")
    return found[0]


def _split_affix(affix: str, default: str | None) -> tuple[int, str | None]:
    """Signs and currency around the number → (count of minus signs, ISO code)."""
    minus, currency = 0, None
    for token in affix.split():
        while token and token[0] in _SIGNS:
            minus += token[0] != "+"
            token = token[1:]
        tail = ""
        while token and token[-1] in _SIGNS:
            tail += token[-1]
            token = token[:-1]
        minus += sum(c != "+" for c in tail)
        if token:
            code = _currency_token(token, default)
            if currency not in (None, code):
                raise InputError(f"two currencies: {currency} and {code}")
            currency = code
    return minus, currency


def _check_groups(groups: list[str], text: str) -> None:
    first, *rest = groups
    ok = 1 <= len(first) <= 3 and bool(rest) and len(rest[-1]) == 3
    ok = ok and all(len(g) == 3 for g in rest[:-1])
    indian = 1 <= len(first) <= 2 and bool(rest) and len(rest[-1]) == 3 and all(
        len(g) == 2 for g in rest[:-1])
    if not (ok or indian):
        raise InputError(f"not an amount: {text!r} (bad digit grouping)")


def _decimal_mark(num: str, decimal: Decimal_) -> str | None:
    if decimal != "auto":
        return decimal if decimal in num else None
    dot, comma = num.rfind("."), num.rfind(",")
    if dot >= 0 and comma >= 0:
        return "." if dot > comma else ","
    if comma >= 0:
        if num.count(",") > 1:
            return None
        head, _, tail = num.partition(",")
        grouping = len(tail) == 3 and head.strip(" '\u2019").lstrip("0") != ""
        return None if grouping else ","
    if dot >= 0:
        return "." if num.count(".") == 1 else None
    return None


def parse_number(value: object, *, decimal: Decimal_ = "auto") -> Decimal | None:
    """A plain number in any common notation (no currency allowed)."""
    money = parse_money(value, decimal=decimal, allow_currency=False)
    return None if money is None else money.amount


def parse_currency(value: object, *, prefer: str | None = None) -> str | None:
    """An ISO 4217 code from a code or a symbol (``usd``, ``€``, ``US$``)."""
    text = clean_text(value)
    return None if text is None else _currency_token(text, prefer)


def parse_money(value: object, *, default_currency: str | None = None,
                decimal: Decimal_ = "auto", allow_currency: bool = True,
                prefer: str | None = None) -> Money | None:
    """``$1,234.50``, ``1.234,50 €``, ``(12.50)``, ``USD 1,000`` → Money (None if empty).

    Currency: an ISO code or a symbol in the text, else ``default_currency``.
    An ambiguous symbol (``$``, ``¥``, ``kr``) means ``prefer`` (default: the
    default currency) when it is one of its currencies.
    Negative: a leading or trailing minus, or accounting parentheses.
    """
    prefer = prefer or default_currency
    if is_empty(value):
        return None
    if isinstance(value, int | float | Decimal | JsonNumber) and not isinstance(value, bool):
        amount = Decimal(str(value))
        if not amount.is_finite():
            raise InputError(f"not a finite number: {value!r}")
        return Money(check_api_number(amount, value), default_currency)
    text = _SPACES.sub(" ", _text(value, "an amount").translate(_INVISIBLE)).strip()
    if _SCIENTIFIC.fullmatch(text):  # what a spreadsheet writes for big numbers
        return Money(check_api_number(Decimal(text), text), default_currency)
    no_cents = _NO_CENTS.search(text)  # Swiss/German "1'000.-" and "1.000,--"
    if no_cents:  # the mark written before the dash is the decimal mark
        decimal = "." if no_cents[0][0] == "." else ","
        text = text[: no_cents.start()] + text[no_cents.end():]
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    match = _PARTS.fullmatch(text)
    if match is None:
        raise InputError(f"not an amount: {text!r}")
    num = match["num"]
    try:
        minus_pre, cur_pre = _split_affix(match["pre"], prefer)
        minus_post, cur_post = _split_affix(match["post"], prefer)
    except InputError as exc:
        raise InputError(f"not an amount: {text!r} ({exc.reason})") from None
    if cur_pre and cur_post and cur_pre != cur_post:
        raise InputError(f"not an amount: {text!r} (two currencies: {cur_pre} and {cur_post})")
    currency = cur_pre or cur_post
    if currency and not allow_currency:
        raise InputError(f"not a number: {text!r} (has a currency)")
    minus = minus_pre + minus_post + negative
    if minus > 1:
        raise InputError(f"not an amount: {text!r} (more than one minus sign)")
    amount = check_api_number(_parse_digits(num, decimal, text), text)
    return Money(-amount if minus else amount, currency or default_currency)


# Pipedrive stores numbers as JSON numbers (IEEE doubles): integers are exact up
# to 2^53 and a double carries at most 15 significant decimal digits reliably.
MAX_EXACT = 2 ** 53
_MAX_DIGITS = 15


def check_api_number(amount: Decimal, shown: object = None) -> Decimal:
    """``amount`` itself, or InputError when a JSON double cannot hold it exactly:
    NaN/Infinity, magnitude >= 2^53 (``1e20``, 20-digit numbers, 2^63), or more than
    15 significant digits (``0.1234567890123456``)."""
    cell = amount if shown is None else shown
    if not amount.is_finite():
        raise InputError(f"not a finite number: {cell!r}")
    if abs(amount) >= MAX_EXACT:
        raise InputError(f"number too large: {cell!r} (Pipedrive holds numbers exactly only "
                         f"below 2^53 = {MAX_EXACT:,})")
    digits = amount.normalize().as_tuple().digits
    if len(digits) > _MAX_DIGITS and amount != amount.to_integral_value():
        raise InputError(f"too precise: {cell!r} (more than {_MAX_DIGITS} significant digits "
                         "do not survive a JSON number)")
    return amount


def _parse_digits(num: str, decimal: Decimal_, text: str) -> Decimal:
    mark = _decimal_mark(num, decimal)
    whole, frac = (num.rsplit(mark, 1) if mark else (num, ""))
    if mark and (not frac.isdigit() or mark in whole):
        raise InputError(f"not an amount: {text!r}")
    if whole:
        groups = re.split("[.,' \u2019]", whole)
        if any(not g.isdigit() for g in groups) or len(set(re.sub(r"\d", "", whole))) > 1:
            raise InputError(f"not an amount: {text!r}")
        if len(groups) > 1:
            _check_groups(groups, text)
        whole = "".join(groups)
    try:
        return Decimal(f"{whole or '0'}.{frac}" if frac else whole)
    except InvalidOperation:  # pragma: no cover - the regexes above exclude it
        raise InputError(f"not an amount: {text!r}") from None


def json_number(amount: Decimal) -> int | float:
    """A Decimal as the JSON number the v2 API expects: int when integral, else float."""
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


def parse_int(value: object, *, decimal: Decimal_ = "auto") -> int | None:
    """An integer (``1,234`` and ``12.0`` are fine; ``12.5`` is not)."""
    number = parse_number(value, decimal=decimal)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise InputError(f"not a whole number: {value!r}")
    return int(number)


def parse_probability(value: object, *, decimal: Decimal_ = "auto",
                      scale: float = 1) -> int | float | None:
    """0-100, with or without ``%``. A fraction is NOT scaled: ``0.75`` means 0.75 % —
    unless ``scale`` says so (``scale = 100``: HubSpot's 0-1 probabilities)."""
    if isinstance(value, str) and not isinstance(value, JsonNumber):
        value = value.strip().removesuffix("%")
    number = parse_number(value, decimal=decimal)
    if number is None:
        return None
    if scale != 1:
        number *= Decimal(str(scale))
    if not 0 <= number <= 100:
        times = f" (times {scale:g}: {json_number(number)})" if scale != 1 else ""
        raise InputError(f"probability must be between 0 and 100, got {str(value)!r}{times}")
    return json_number(number)


# ---------------------------------------------------------------- dates

DATE_TOKENS = ("unix", "unix_ms", "unix_us", "excel")
DEFAULT_DATE_WINDOW = (1900, 2100)
_ISO_DATE = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_UNIX = re.compile(r"-?\d{1,21}")
_EXCEL = re.compile(r"\d{1,7}(?:\.\d+)?")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 after Excel's 1900-02-29 bug
_EXCEL_MAX = 2958465  # 9999-12-31
# Each epoch unit owns one band of magnitudes |n| (a number in another unit's band
# is refused, naming that unit): seconds 10^8..10^11 (1973-03-03 to year 5138 and
# back to 1966-10-31), milliseconds 10^11..10^14, microseconds 10^14..10^17. Below
# 10^8 a number cannot be told from an Excel serial, a YYYYMMDD date or a count.
_EPOCH_BANDS = {"unix": (10**8, 10**11), "unix_ms": (10**11, 10**14),
                "unix_us": (10**14, 10**17)}
_EPOCH_DIVISOR = {"unix": 1, "unix_ms": 1000, "unix_us": 1_000_000}
_UNIT_NAMES = {"unix": "seconds since 1970", "unix_ms": "milliseconds since 1970",
               "unix_us": "microseconds since 1970", "excel": "an Excel serial day number"}


def _token_date(token: str, number: Decimal) -> date:
    """``number`` read as ``token``, ignoring bands; ValueError/OverflowError/OSError."""
    if token == "excel":
        days = int(number)
        return _EXCEL_EPOCH + timedelta(days=days + (1 if days < 60 else 0))
    seconds = number / _EPOCH_DIVISOR[token]
    return datetime.fromtimestamp(float(seconds), tz=UTC).date()


def _fits(token: str, number: Decimal) -> bool:
    """Whether ``number`` lies in the magnitude band of ``token``."""
    if token == "excel":
        return 1 <= number <= _EXCEL_MAX and number != 60  # 60: Excel's 1900-02-29
    if number != number.to_integral_value():
        return False
    low, high = _EPOCH_BANDS[token]
    return low <= abs(number) < high


def _likely_unit(number: Decimal, window: tuple[int, int]) -> str:
    """A hint naming the unit whose band holds ``number`` (and the date it gives)."""
    candidates: list[str] = []
    if number == number.to_integral_value() and 10**7 <= number <= 99_991_231:
        try:
            day = datetime.strptime(str(int(number)), "%Y%m%d").date()
        except ValueError:
            pass
        else:
            if window[0] <= day.year <= window[1]:
                candidates.append(f'a YYYYMMDD date ("%Y%m%d": {day.isoformat()})')
    for token in ("unix", "unix_ms", "unix_us", "excel"):
        if token == "excel" and candidates:
            continue
        if not _fits(token, number):
            continue
        try:
            day = _token_date(token, number)
        except (OverflowError, ValueError, OSError):
            continue
        if window[0] <= day.year <= window[1]:
            candidates.append(f'{_UNIT_NAMES[token]} ("{token}": {day.isoformat()})')
    if not candidates and 10**17 <= abs(number) < 10**20:
        candidates.append("nanoseconds since 1970 (no token reads them: divide by 10^6 "
                          "upstream and use \"unix_ms\")")
    if not candidates:
        if abs(number) < 10**8 and number == number.to_integral_value():
            return ("it fits no date unit (epoch seconds within 10^8 of 0, i.e. "
                    "1966-10-31 to 1973-03-03, are refused: they cannot be told from a "
                    "serial, a YYYYMMDD date or a count; write such dates as YYYY-MM-DD)")
        return "it fits no date unit"
    return "it looks like " + " or ".join(candidates)


def epoch_unit(value: object) -> str | None:
    """The date token whose magnitude band holds ``value`` (an int or digit text):
    ``"unix"``, ``"unix_ms"``, ``"unix_us"``, or None (outside every band, or not an
    integer). Excel serials are not told here: they overlap every small number."""
    number = _token_number("unix", value)
    if number is None:
        return None
    return next((t for t in _EPOCH_BANDS if _fits(t, number)), None)


def _from_token(token: str, value: object) -> date | None:
    """One of DATE_TOKENS applied to a cell; None when the cell is not in its grammar.

    InputError when the cell is a number of the token's grammar outside the token's
    magnitude band (see ``_EPOCH_BANDS``): e.g. seconds read as ``unix_ms``.
    """
    number = _token_number(token, value)
    if number is None or (token == "excel" and number == 60):
        return None  # 60: Excel's non-existent 1900-02-29
    if not _fits(token, number):
        raise _WrongUnit(token, number)
    try:
        return _token_date(token, number)
    except (OverflowError, ValueError, OSError):
        return None


class _WrongUnit(Exception):
    def __init__(self, token: str, number: Decimal) -> None:
        super().__init__(token)
        self.token = token
        self.number = number


def _token_number(token: str, value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return None
        return Decimal(str(value))
    text = str(value)
    if not (_EXCEL if token == "excel" else _UNIX).fullmatch(text):
        return None
    return Decimal(text)


def _wrong_unit_error(value: object, wrong: list[_WrongUnit],
                      window: tuple[int, int]) -> InputError:
    first = wrong[0]
    tokens = "/".join(f'"{w.token}"' for w in wrong)
    try:
        as_read = f" (as {first.token} it would be {_token_date(first.token, first.number)})"
    except (OverflowError, ValueError, OSError):
        as_read = ""
    return InputError(f"not a date: {value!r} is not in the range of {tokens}{as_read}; "
                      f"{_likely_unit(first.number, window)} — fix date_formats")


def parse_date(value: object, formats: Sequence[str] = (), *,
               window: tuple[int, int] = DEFAULT_DATE_WINDOW) -> str | None:
    """A date as ``YYYY-MM-DD``, read by an explicit grammar only.

    ``formats`` are tried in order: ``strptime`` patterns and the tokens ``"unix"``
    (seconds since 1970-01-01 UTC), ``"unix_ms"`` (milliseconds, UTC), ``"unix_us"``
    (microseconds, UTC) and ``"excel"`` (serial day numbers of the 1900 date system);
    then extended ISO 8601 (``2024-03-01``, ``2024-03-01T10:00:00Z``; the date as
    written). ``date`` and ``datetime`` values (XLSX) are taken as they are. A
    digits-only cell or a JSON/XLSX number is a date only through a token, and only
    when its magnitude fits the token's unit (``|n|`` in 10^8..10^11 for unix,
    10^11..10^14 for unix_ms, 10^14..10^17 for unix_us, 1..2958465 for excel): a
    number of another unit is an InputError naming the likely unit, never a wrong
    date. The year must lie within ``window`` (inclusive). InputError otherwise,
    naming what was tried.
    """
    if is_empty(value):
        return None
    found: date | None = None
    if isinstance(value, datetime):
        found = value.date()
    elif isinstance(value, date):
        found = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        wrong: list[_WrongUnit] = []
        for fmt in formats:
            try:
                got = _from_token(fmt, value) if fmt in DATE_TOKENS else None
            except _WrongUnit as exc:
                wrong.append(exc)
                continue
            if got is not None:
                found = found or got
                if window[0] <= got.year <= window[1]:
                    found = got
                    break
        if found is None and wrong:
            raise _wrong_unit_error(value, wrong, window)
        if found is None:
            hint = (f"; {_likely_unit(Decimal(str(value)), window)}"
                    if math.isfinite(value) else "")
            raise InputError(f"not a date: the number {value!r} (add \"unix\", \"unix_ms\" "
                             f"or \"excel\" to date_formats to read numbers as dates{hint})")
    else:
        found = _date_from_text(_SPACES.sub(" ", _text(value, "a date")).strip(), formats,
                                window)
    if not window[0] <= found.year <= window[1]:
        hint = ""
        if found.year < 100 and any("%Y" in fmt for fmt in formats):
            hint = " (a 2-digit year read by %Y? use %y for 2-digit years)"
        raise InputError(f"date {found.isoformat()} (from {value!r}) is outside "
                         f"{window[0]}-{window[1]}{hint}")
    return found.isoformat()


def _date_from_text(text: str, formats: Sequence[str], window: tuple[int, int]) -> date:
    first: date | None = None
    wrong: list[_WrongUnit] = []
    for fmt in formats:
        try:
            got = (_from_token(fmt, text) if fmt in DATE_TOKENS
                   else datetime.strptime(text, fmt).date())
        except _WrongUnit as exc:
            wrong.append(exc)
            continue
        except ValueError:
            continue
        if got is not None:
            if window[0] <= got.year <= window[1]:
                return got
            first = first or got
    match = _ISO_DATE.fullmatch(text)
    if match:
        try:
            got = date.fromisoformat(match[1])
        except ValueError:
            raise InputError(f"not a date: {text!r} (no such day)") from None
        if window[0] <= got.year <= window[1] or first is None:
            return got
    if wrong:
        raise _wrong_unit_error(text, wrong, window)
    if first is not None:
        return first  # out of the window: the caller says so
    tried = ", ".join([*formats, "ISO (YYYY-MM-DD)"])
    if _UNIX.fullmatch(text) or _EXCEL.fullmatch(text):
        unit = _likely_unit(Decimal(text), window)
        raise InputError(f"not a date: {text!r} is only digits (tried {tried}; {unit}; add "
                         "\"unix\", \"unix_ms\", \"unix_us\" or \"excel\" to date_formats "
                         "for epoch or serial dates)")
    raise InputError(f"not a date: {text!r} (tried {tried}){_two_digit_year_hint(text, formats)}")


def _two_digit_year_hint(text: str, formats: Sequence[str]) -> str:
    """A hint when ``text`` has a 2-digit year that a ``%Y`` pattern refused."""
    for fmt in formats:
        if "%Y" in fmt:
            short = fmt.replace("%Y", "%y")
            try:
                datetime.strptime(text, short)
            except ValueError:
                continue
            return (f"; it has a 2-digit year: {short!r} would read it (00-68 as 20xx, "
                    "69-99 as 19xx)")
    return ""


# ---------------------------------------------------------------- booleans, maps, status

_TRUE = frozenset({"true", "t", "yes", "y", "1", "on", "x"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "off"})


def parse_bool(value: object) -> bool | None:
    """true/false, yes/no, y/n, 1/0, on/off, t/f, x (case-insensitive)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = _text(value, "yes or no").strip().casefold()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"not a yes/no value: {value!r}")


class ValueMap:
    """A case- and whitespace-insensitive map of source values.

    ``"*"`` is the fallback for values that are neither in the map nor usable
    as they are: callers try ``get`` (explicit entries), then the value itself,
    then ``fallback`` — so ``{"*" = "open"}`` never turns a "won" into "open".
    """

    __slots__ = ("_entries", "fallback")

    def __init__(self, entries: Mapping[str, str] | None = None) -> None:
        items = dict(entries or {})
        self.fallback = items.pop("*", None)
        self._entries = {norm_key(k): v for k, v in items.items()}

    def get(self, value: str) -> str | None:
        """The explicit entry for ``value`` (never the fallback)."""
        return self._entries.get(norm_key(value))

    def __repr__(self) -> str:
        return f"ValueMap({len(self._entries)} entries, fallback={self.fallback!r})"


STATUSES = ("open", "won", "lost")
DEFAULT_STATUS_MAP = {
    "open": "open", "won": "won", "lost": "lost", "closed won": "won", "closed lost": "lost",
    "closedwon": "won", "closedlost": "lost", "closed-won": "won", "closed-lost": "lost",
}


def parse_status(value: object, value_map: ValueMap | None = None) -> str | None:
    """A deal status (open|won|lost) through the mapping's map, then the built-in one."""
    text = clean_text(value)
    if text is None:
        return None
    target = value_map.get(text) if value_map else None
    if target is None:
        target = DEFAULT_STATUS_MAP.get(norm_key(text))
    if target is None and value_map is not None:
        target = value_map.fallback
    if target is None:
        raise InputError(f"unknown status {text!r} (expected open, won, lost or a mapped value)")
    if target not in STATUSES:  # pragma: no cover - the mapping validates its targets
        raise InputError(f"status must be open, won or lost, got {target!r}")
    return target


def split_list(value: object, separator: str = ";") -> list[str]:
    """A delimited cell (or a JSON list) → its non-empty, trimmed items, in order, no repeats."""
    if is_empty(value):
        return []
    raw: Iterable[object] = value if isinstance(value, list) else (
        _text(value, "a list").split(separator))
    items: list[str] = []
    for item in raw:
        text = clean_text(item)
        if text and text not in items:
            items.append(text)
    return items


class Template:
    """``"{Company} - {Deal Name}"``: columns in braces, ``{{``/``}}`` for literal braces.

    Empty columns render as nothing; separators left dangling at either end
    (spaces, dashes, ``|``, ``:``, ``/``, ``,``, ``·``) are trimmed, and a template
    whose columns are all empty renders as ``None``.
    """

    __slots__ = ("_parts", "columns", "text")
    _TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]+)\}|[{}]")
    _EDGES = " \t-\u2013\u2014|:/,\u00b7\u2022"

    def __init__(self, text: str) -> None:
        self.text = text
        self._parts: list[tuple[bool, str]] = []  # (is_column, literal or column name)
        position = 0
        for match in self._TOKEN.finditer(text):
            literal = text[position:match.start()]
            position = match.end()
            token = match[0]
            if token in ("{{", "}}"):
                literal += token[0]
            elif match[1] is None:
                raise ValueError(f"unbalanced {token!r} in template {text!r}")
            self._parts.append((False, literal))
            if match[1] is not None:
                self._parts.append((True, match[1].strip()))
        self._parts.append((False, text[position:]))
        self.columns = [name for is_column, name in self._parts if is_column]
        if not self.columns:
            raise ValueError(f"template {text!r} names no column")

    @staticmethod
    def is_template(text: str) -> bool:
        """Whether a mapping string is a template rather than a column name."""
        return bool(re.search(r"\{[^{}]+\}", text))

    def render(self, values: Mapping[str, object]) -> str | None:
        out: list[str] = []
        filled = False
        for is_column, name in self._parts:
            if not is_column:
                out.append(name)
                continue
            cell = clean_text(values.get(name))
            filled = filled or cell is not None
            out.append(cell or "")
        if not filled:
            return None
        return clean_text(_SPACES.sub(" ", "".join(out)).strip(self._EDGES))

    def __repr__(self) -> str:
        return f"Template({self.text!r})"


# ---------------------------------------------------------------- e-mail, phone

_ANGLE = re.compile(r"<([^<>]+)>")


def normalize_email(value: object) -> str | None:
    """Lower-cased, trimmed, ``mailto:`` and ``Name <addr>`` unwrapped; the first of a
    ``;``/``,`` separated list; checked by email-validator (RFC 5321/5322 syntax,
    internationalized addresses such as ``grace.müller@example.com`` accepted, domain
    in Unicode form, no DNS lookup). Lower-casing the local part is deliberate: mail
    systems Pipedrive users meet treat it case-insensitively, and matching needs one
    spelling. InputError("not an e-mail address: ...") otherwise.
    """
    text = clean_text(value)
    if text is None:
        return None
    angle = _ANGLE.search(text)
    first = angle[1] if angle else re.split(r"[;,\s]", text)[0]
    email = first.strip().casefold().removeprefix("mailto:")
    try:
        checked = validate_email(email, check_deliverability=False,
                                 allow_smtputf8=True, allow_quoted_local=False,
                                 test_environment=True)  # ".test" domains (RFC 2606) pass
    except EmailNotValidError as exc:
        raise InputError(f"not an e-mail address: {text!r} ({exc})") from None
    return str(checked.normalized).casefold()


_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|#)\s*(\d{1,6})\s*$", re.I)


def clean_phone(value: object) -> str | None:
    """Digits with a leading ``+`` kept (``00`` becomes ``+``), separators dropped,
    an extension kept as `` ext. 123``. 5 to 15 digits (E.164), else an error.
    """
    if isinstance(value, float) and value.is_integer():  # an XLSX number cell
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = clean_text(value)
    if text is None:
        return None
    ext = _EXTENSION.search(text)
    body = text[: ext.start()] if ext else text
    if re.search(r"[^\d\s+().\-/]", body) or "+" in body.lstrip()[1:]:
        raise InputError(f"not a phone number: {text!r}")
    plus = body.lstrip().startswith("+")
    digits = re.sub(r"\D", "", body)
    if not plus and digits.startswith("00"):
        plus, digits = True, digits[2:]
    if not 5 <= len(digits) <= 15:
        raise InputError(f"not a phone number: {text!r} ({len(digits)} digits)")
    return ("+" if plus else "") + digits + (f" ext. {ext[1]}" if ext else "")


# ---------------------------------------------------------------- organisation names

LEGAL_SUFFIXES = frozenset("""
inc incorporated corp corporation co company llc lllp llp lp ltd limited plc pllc pc
gmbh mbh ag kg ohg ug gbr ev kgaa se sa sas sasu sarl srl sl slu spa sapa scs snc
bv nv vof cv oy oyj ab hb kb as asa aps ks sro doo dd ad ood eood kft zrt nyrt
oü uab sia pty kk gk ooo oao zao pao tov sp spzoo
""".split())
# Legal forms written as several words once punctuation is gone.
_LEGAL_PHRASES = (("sp", "z", "oo"), ("sa", "de", "cv"), ("s", "de", "rl"), ("co", "ltd"))
_CONNECTORS = frozenset({"and", "und", "et", "y", "e"})


# Spellings of one legal form → one canonical word. Different forms stay different.
_LEGAL_CANON = {
    "incorporated": "inc", "corporation": "corp", "company": "co", "limited": "ltd",
    "spzoo": "sp z oo", "sp z oo": "sp z oo", "s de rl": "s de rl", "sa de cv": "sa de cv",
    "co ltd": "co ltd",
}


def org_match_key(name: object) -> str | None:
    """The key two organisation names must share to be the same organisation.

    Accents removed, case-folded, ``&`` read as "and", dots inside abbreviations
    joined (``S.A.`` → ``sa``, ``L.L.C.`` → ``llc``), other punctuation as spaces, a
    leading "the" dropped. Trailing legal-form words (``LEGAL_SUFFIXES``) are kept
    but spelled one way: ``Inc``/``Inc.``/``Incorporated`` → ``inc``, ``Ltd``/``Limited``
    → ``ltd``, ``Corp``/``Corporation`` → ``corp``. So "Northwind Traders Inc." and
    "Northwind Traders Incorporated" share a key, while "Northwind Traders GmbH" and
    "Northwind Traders" (no legal form) each have their own (issue 9 section 7).
    """
    text = clean_text(name)
    if text is None:
        return None
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ").replace("+", " and ")
    text = re.sub(r"(?<=\w)[./](?=\w)", "", text)  # s.a. -> sa., a/s -> as
    text = re.sub(r"[^\w\s]|_", " ", text)
    words = text.split()
    if words[:1] == ["the"] and len(words) > 1:
        words = words[1:]
    forms: list[str] = []
    stripped = True
    while stripped:
        stripped = False
        for phrase in _LEGAL_PHRASES:
            if len(words) > len(phrase) and tuple(words[-len(phrase):]) == phrase:
                del words[-len(phrase):]
                forms.insert(0, _LEGAL_CANON.get(" ".join(phrase), " ".join(phrase)))
                stripped = True
        if len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
            word = words.pop()
            forms.insert(0, _LEGAL_CANON.get(word, word))
            stripped = True
        if stripped and len(words) > 1 and words[-1] in _CONNECTORS:
            words.pop()
    return " ".join(words + forms) or None


def address_match_key(address: object) -> str | None:
    """An address compared loosely: accents, case, punctuation and spacing ignored."""
    text = clean_text(address)
    if text is None:
        return None
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split()) or None


def phone_match_key(phone: object) -> str | None:
    """A phone compared by its last 9 digits (country prefix and formatting ignored)."""
    digits = re.sub(r"\D", "", str(phone or "").split(" ext")[0])
    return digits[-9:] if len(digits) >= 5 else None


__all__ = [
    "DATE_TOKENS", "DEFAULT_DATE_WINDOW", "MAX_EXACT", "epoch_unit", "MAX_TITLE", "check_api_number",
    "address_match_key", "check_control", "clean_title", "phone_match_key", "storable",
    "DEFAULT_STATUS_MAP", "ISO_CURRENCIES", "LEGAL_SUFFIXES", "Money", "STATUSES", "Template",
    "ValueMap", "parse_currency",
    "clean_multiline", "clean_phone", "clean_text", "is_empty", "json_number", "norm_key",
    "normalize_email", "org_match_key", "parse_bool", "parse_date", "parse_int", "parse_money",
    "parse_number", "parse_probability", "parse_status", "split_list",
]
