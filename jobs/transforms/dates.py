"""Dates: formats, ISO, epoch seconds / ms / µs and Excel serials (each token takes
only numbers of its own size: a wrong unit is refused naming the likely one).

Why ~530 lines: one reader for every date a cell may hold, its refusals naming the other
readings (a serial or a year, a wrong epoch unit, an order no cell decides) beside it; the
patterns' helpers live in ``date_patterns``, ``day_reader``, ``ordinal_dates``."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from bulk.errors import InputError
from bulk.manifest_xlsx import ExcelZeroDate

from .date_patterns import order_family, replacements, swapped_pattern, year_first_hint
from .day_reader import read_day
from .month_locale import locale_readings, unknown_month_words
from .no_such_day import OUT_OF_RANGE, no_such_day
from .ordinal_dates import plain_ordinals
from .text import _SPACES, _text, is_empty, quoted_cell, shown_cell
from .wide_forms import fold_wide
from .zero_date import is_zero_date, is_zero_date_text, zero_date_reason

# ---------------------------------------------------------------- dates

DATE_TOKENS = ("unix", "unix_ms", "unix_us", "excel", "excel_1904")
DEFAULT_DATE_WINDOW = (1900, 2100)
_ISO_DATE = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?"
    r"(?:Z|[+-](\d{2}):?(\d{2}))?)?")
# the time part's limits: hour, minute, second (60: a leap second), offset hours, minutes
_ISO_LIMITS = (23, 59, 60, 23, 59)
_UNIX = re.compile(r"-?\d{1,21}")
_EXCEL = re.compile(r"\d{1,7}(?:\.\d+)?")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 after Excel's 1900-02-29 bug
_EXCEL_MAX = 2958465  # 9999-12-31
_EXCEL_1904_EPOCH = date(1904, 1, 1)  # the 1904 date system (Mac Excel): serial 0
_EXCEL_1904_MAX = _EXCEL_MAX - 1462
# Each epoch unit owns one band of magnitudes |n| (a number in another unit's band
# is refused, naming that unit): seconds 10^8..10^11 (1973-03-03 to year 5138 and
# back to 1966-10-31), milliseconds 10^11..10^14, microseconds 10^14..10^17. Below
# 10^8 a number cannot be told from an Excel serial, a YYYYMMDD date or a count.
_EPOCH_BANDS = {"unix": (10**8, 10**11), "unix_ms": (10**11, 10**14),
                "unix_us": (10**14, 10**17)}
_EPOCH_DIVISOR = {"unix": 1, "unix_ms": 1000, "unix_us": 1_000_000}
_UNIT_NAMES = {"unix": "seconds since 1970", "unix_ms": "milliseconds since 1970",
               "unix_us": "microseconds since 1970", "excel": "an Excel serial day number",
               "excel_1904": "an Excel serial day number of the 1904 date system"}


def _token_date(token: str, number: Decimal) -> date:
    """``number`` read as ``token``, ignoring bands; ValueError/OverflowError/OSError."""
    if token == "excel":
        days = int(number)
        return _EXCEL_EPOCH + timedelta(days=days + (1 if days < 60 else 0))
    if token == "excel_1904":
        return _EXCEL_1904_EPOCH + timedelta(days=int(number))
    seconds = number / _EPOCH_DIVISOR[token]
    return datetime.fromtimestamp(float(seconds), tz=UTC).date()


def _fits(token: str, number: Decimal) -> bool:
    """Whether ``number`` lies in the magnitude band of ``token``."""
    if token == "excel":
        return 1 <= number <= _EXCEL_MAX and number != 60  # 60: Excel's 1900-02-29
    if token == "excel_1904":
        return 0 <= number <= _EXCEL_1904_MAX
    if number != number.to_integral_value():
        return False
    low, high = _EPOCH_BANDS[token]
    return low <= abs(number) < high


def _likely_unit(number: Decimal, window: tuple[int, int]) -> str:
    """A hint naming the unit whose band holds ``number`` (and the date it gives)."""
    candidates: list[str] = []
    if (digits := _digit_date_time(number)) is not None:
        pattern, name, when = digits
        candidates.append(f'a {name} date-time ("{pattern}": {when:%Y-%m-%d %H:%M})')
    if number == number.to_integral_value() and 10**7 <= number <= 99_991_231:
        try:
            day = datetime.strptime(str(int(number)), "%Y%m%d").date()
        except ValueError:
            pass
        else:
            if window[0] <= day.year <= window[1]:
                candidates.append(f'a YYYYMMDD date ("%Y%m%d": {day.isoformat()})')
    if year_alone(number) is not None:  # never "excel" for a year (x53r5 F1, x54r2 F1)
        candidates.append(f"{_year_words(number)} ({number}: no date — as a serial it "
                          f"would be {_token_date('excel', number).isoformat()})")
    for token in ("unix", "unix_ms", "unix_us", "excel"):
        if token == "excel" and candidates:
            continue
        if not _fits(token, number):
            continue
        try:
            day = _token_date(token, number)
        except (OverflowError, ValueError, OSError):
            continue
        if token == "excel" and day.year < _SERIAL_ADVISED_FROM:
            # never advised (x54r2 F1: '2026.5' was, and 5 of 5 rows were written 1905;
            # y54r2 F1: nor a small serial, whose "excel_1904" reading shown beside
            # lands in 1904-1909: '500' was advised with a Mac day of 1905-05-15)
            candidates.append(f"a number that is no date ({number} as a serial would be {day.isoformat()}, "
                              f"and no CRM writes days before {_SERIAL_ADVISED_FROM} as serials)")
            continue
        if window[0] <= day.year <= window[1]:
            also = ""
            if token == "excel":  # the workbook may be Mac Excel's: both readings shown
                mac = _token_date("excel_1904", number)
                also = f'; "excel_1904" in a Mac 1904 workbook: {mac.isoformat()}'
            candidates.append(f'{_UNIT_NAMES[token]} ("{token}": {day.isoformat()}{also})')
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
    ``"unix"``, ``"unix_ms"``, ``"unix_us"``, or None (outside every band, not an
    integer, or also a date-time written in digits: ``202603041530``). Excel serials are
    not told here: they overlap every small number."""
    number = _token_number("unix", value)
    if number is None or _digit_date_time(number) is not None:
        return None  # also a date-time in digits (v10r18 F1): no unit to propose
    return next((t for t in _EPOCH_BANDS if _fits(t, number)), None)


def _from_token(token: str, value: object) -> date | None:
    """One of DATE_TOKENS applied to a cell; None when the cell is not in its grammar.

    InputError when the cell is a number of the token's grammar outside the token's
    magnitude band (see ``_EPOCH_BANDS``): e.g. seconds read as ``unix_ms``.
    """
    number = _token_number(token, value)
    if number is None or (token == "excel" and number == 60):
        return None  # 60: Excel's non-existent 1900-02-29
    if token == "excel" and 0 <= number < 1:  # 0, 0.0, '0.5': day 0, Excel's empty date
        # 1900-01-00 (a time on it), not a serial of another unit (y55r1 F6: told to "fix
        # date_formats"); in the 1904 system 0 is the day 1904-01-01, read so (README)
        raise InputError(zero_date_reason(shown_cell(value)))
    if token.startswith("excel") and (year := year_alone(number)) is not None:
        raise InputError(_year_serial_reason(token, value, number, year))
    if not _fits(token, number):
        raise _WrongUnit(token, number)
    if token in _EPOCH_BANDS and (digits := _digit_date_time(number)) is not None:
        raise _WrongUnit(token, number, digits)
    try:
        return _token_date(token, number)
    except (OverflowError, ValueError, OSError):
        return None


# no advice proposes a serial token for a day before this year: a year's number read as a
# serial (YEAR_ALONE) lands in 1902-1912, and a smaller serial's "excel_1904" reading in
# 1904-1909 (the reader still reads a serial outside YEAR_ALONE when told to: 45.5, 3289)
_SERIAL_ADVISED_FROM = 1910
# the whole parts a number reads as a year by: four digits, the first 1 or 2 — every year
# of the second and third millennium as a person writes it (a founding year 1850, a
# year 2026, 2101). x53r5 F1 ('2025': 12 of 12 written 1905-07-17), x54r2 F1 ('2026.5'),
# y54r2 F1 ('1899', '1899.5', '1850', '2101', '2150': 12 of 12 written as days of
# 1905-1909 while the band was 1900-2100). As serials these numbers are days of
# 1902-09-26 .. 1908-03-18 ("excel") and 1906-09-27 .. 1912-03-19 ("excel_1904"), which
# no CRM export holds; the band stops short of the small serials still read (45.5, 59,
# 61 around Excel's 1900-02-29, 0 in a 1904 workbook) and of 3000 up (3289: 1909-01-02).
YEAR_ALONE = (1000, 2999)


def year_alone(number: Decimal | int | float) -> int | None:
    """The year (an int) a number whose whole part is 1000-2999 (``YEAR_ALONE``: four
    digits, the first 1 or 2) reads as — a whole number (``2026``, ``1850``) or one with
    a fraction (``2026.5``, ``1899.5``: a decimal year) — else None (a bool, NaN /
    infinity, any other number: ``999``, ``3000``, ``45292``).

    Read as an Excel serial (``"excel"``, ``"excel_1904"``) such a number is a day of
    1902-1912 (2025 is 1905-07-17, 1899 is 1905-03-13, 2101 is 1905-10-01): a year in a
    column of serials is no date, and no CRM export writes days of those years as
    serials (x53r5 F1: 12 of 12 year-only cells were written as 1905 dates; x54r2 F1: 5
    of 5 ``2026.5``; y54r2 F1: 12 of 12 ``1899`` / ``1850`` / ``2101.5`` / ``2150``)."""
    if isinstance(number, bool):
        return None
    value = Decimal(str(number)) if not isinstance(number, Decimal) else number
    if not value.is_finite():
        return None
    year = int(value)  # the whole part (toward zero)
    return year if YEAR_ALONE[0] <= year <= YEAR_ALONE[1] else None


def _year_words(number: Decimal) -> str:
    """How a year-alone number is named: "a year alone", or with its fraction."""
    return ("a year alone" if number == number.to_integral_value()
            else "a year with a fraction")


def _year_serial_reason(token: str, value: object, number: Decimal, year: int) -> str:
    """Why a year-alone cell ``value`` (read as ``number``: ``year_alone``) is refused
    under a serial token: both readings named."""
    day = _token_date(token, number)
    read = (f"the year {year} alone" if number == number.to_integral_value()
            else f"the year {year} with a fraction (a decimal year, no day)")
    return (f"not a date: {quoted_cell(value)} reads as {read}, or as "
            f"{_UNIT_NAMES[token]} (\"{token}\": {day.isoformat()}): a year is not a date, "
            f"and a serial of {day.year} among a CRM's dates is not one either — give the "
            "whole date (YYYY-MM-DD or a serial)")


# date-times written as digits only, by their length: an epoch number of the same length
# cannot be told from them (v10r18 F1: 202603041530, 2026-03-04 15:30, read as
# milliseconds gave 1976-06-02; 2026030415 as seconds gave 2034-03-15)
_DIGIT_DATE_TIMES = {10: ("%Y%m%d%H", "YYYYMMDDHH"), 12: ("%Y%m%d%H%M", "YYYYMMDDHHMM"),
                     14: ("%Y%m%d%H%M%S", "YYYYMMDDHHMMSS")}


def _digit_date_time(number: Decimal) -> tuple[str, str, datetime] | None:
    """(its pattern, the pattern's name, the date-time) when the whole number ``number``
    also reads as a date-time written in digits (``YYYYMMDDHH[MM[SS]]``) of a year
    1900-2100, else None."""
    if number <= 0 or number != number.to_integral_value():
        return None
    text = str(int(number))
    found = _DIGIT_DATE_TIMES.get(len(text))
    if found is None or text[:2] not in ("19", "20", "21"):
        return None
    try:
        when = datetime.strptime(text, found[0])
    except ValueError:
        return None
    return (found[0], found[1], when) if 1900 <= when.year <= 2100 else None


class _WrongUnit(Exception):
    """A number of a token's grammar it must not read: outside its unit's band, or
    (``digits``) also a date-time written in digits."""

    def __init__(self, token: str, number: Decimal,
                 digits: tuple[str, str, datetime] | None = None) -> None:
        super().__init__(token)
        self.token = token
        self.number = number
        self.digits = digits


def _token_number(token: str, value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return None
        return Decimal(str(value))
    text = str(value)
    if not (_EXCEL if token.startswith("excel") else _UNIX).fullmatch(text):
        return None
    if _LEADING_ZERO.match(text):
        # no program writes a serial or an epoch with a leading zero: "030426" is a date
        # written in digits (MMDDYY, DDMMYY), never serial 30426 = 1983 (v10r19 S2)
        return None
    if token.startswith("excel") and _GROUPED_SERIAL.fullmatch(text):
        raise _ambiguous_serial(token, text)
    return Decimal(text)


_LEADING_ZERO = re.compile(r"-?0\d")
# one dot before exactly three digits after 1-3 digits: a serial with a fraction (45.292)
# or a whole serial with a thousands dot (45.292 = 45292), as money reads 1.500 (v10r7 M6)
_GROUPED_SERIAL = re.compile(r"[1-9]\d{0,2}\.\d{3}")


def _ambiguous_serial(token: str, text: str) -> InputError:
    readings = []
    for number in (Decimal(text), Decimal(text.replace(".", ""))):
        try:
            readings.append(f"{number} ({_token_date(token, number).isoformat()})")
        except (OverflowError, ValueError, OSError):  # pragma: no cover - within range
            readings.append(str(number))
    return InputError(f"ambiguous Excel serial {text!r}: it may be {readings[0]} or, with a "
                      f"thousands mark, {readings[1]}; write serials without a thousands "
                      "mark (or the dates as YYYY-MM-DD)")


def _wrong_unit_error(value: object, wrong: list[_WrongUnit],
                      window: tuple[int, int]) -> InputError:
    first = wrong[0]
    if first.digits is not None:
        pattern, name, when = first.digits
        epoch = _token_date(first.token, first.number)
        return InputError(
            f"not a date: {quoted_cell(value)} reads as {_UNIT_NAMES[first.token]} ({epoch}) and as a "
            f"{name} date-time ({when:%Y-%m-%d %H:%M}): which one cannot be told, so it is "
            f"refused — if it is {name}, put \"{pattern}\" in date_formats instead of "
            f"\"{first.token}\" (or write the dates as YYYY-MM-DD)")
    tokens = "/".join(f'"{w.token}"' for w in wrong)
    try:
        as_read = f" (as {first.token} it would be {_token_date(first.token, first.number)})"
    except (OverflowError, ValueError, OSError):
        as_read = ""
    return InputError(f"not a date: {quoted_cell(value)} is not in the range of {tokens}{as_read}; "
                      f"{_likely_unit(first.number, window)} — fix date_formats")


def parse_date(value: object, formats: Sequence[str] = (), *,
               window: tuple[int, int] = DEFAULT_DATE_WINDOW,
               locale: str | None = None) -> str | None:
    """A date as ``YYYY-MM-DD``, read by an explicit grammar only.

    ``formats`` are tried in order: ``strptime`` patterns and the tokens ``"unix"``
    (seconds since 1970-01-01 UTC), ``"unix_ms"`` (milliseconds, UTC), ``"unix_us"``
    (microseconds, UTC), ``"excel"`` (serial day numbers of the 1900 date system) and
    ``"excel_1904"`` (of the 1904 date system: Mac Excel, ``0`` is 1904-01-01);
    then extended ISO 8601 (``2024-03-01``, ``2024-03-01T10:00:00Z``; the date as
    written). ``date`` and ``datetime`` values (XLSX) are taken as they are. A
    digits-only cell or a JSON/XLSX number is a date only through a token (or, for a
    whole number, a pattern of digits only: ``20260305`` by ``%Y%m%d``), and only
    when its magnitude fits the token's unit (``|n|`` in 10^8..10^11 for unix,
    10^11..10^14 for unix_ms, 10^14..10^17 for unix_us, 1..2958465 for excel): a
    number of another unit is an InputError naming the likely unit, never a wrong
    date. The year must lie within ``window`` (inclusive). ``locale`` (a CLDR locale,
    ``"fr"``; ``[defaults] date_locale``): ``%B`` / ``%b`` (and ``%A`` / ``%a``) read that
    language's names instead of English ones (``month_locale``). InputError otherwise,
    naming what was tried.
    """
    if is_empty(value):
        return None
    if isinstance(value, ExcelZeroDate):  # an XLSX date cell of serial 0 (x45r1 F2)
        raise InputError(zero_date_reason(str(value)))
    found: date | None = None
    if isinstance(value, datetime):
        found = value.date()
    elif isinstance(value, date):
        found = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        wrong: list[_WrongUnit] = []
        for fmt in formats:
            try:
                got = (_from_token(fmt, value) if fmt in DATE_TOKENS
                       else _number_by_pattern(value, fmt))
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
            if value == 60 and "excel" in formats:
                raise InputError("not a date: 60 is Excel's 1900-02-29, a day that never was "
                                 "(Excel's 1900 leap-year bug); fix the cell")
            whole = str(int(value)) if math.isfinite(value) and value == int(value) else None
            short = next((why for fmt in formats if whole is not None and fmt not in DATE_TOKENS
                          and (why := _short_digits(whole, fmt)) is not None), None)
            if short is not None:  # v10r8: the hint named epoch units, not the pattern
                raise InputError(f"not a date: the number {shown_cell(value)}: {short} (a number cell "
                                 "loses leading zeros: store such dates as text)")
            hint = (f"; {_likely_unit(Decimal(str(value)), window)}"
                    if math.isfinite(value) else "")
            add = _add_tokens(formats, "to read numbers as dates")
            raise InputError(f"not a date: the number {shown_cell(value)} ("
                             + (f"{add}{hint}" if add else hint.lstrip("; ")) + ")")
    else:
        found = _date_from_text(_SPACES.sub(" ", fold_wide(_text(value, "a date"))).strip(), formats,
                                window, locale)
    if not window[0] <= found.year <= window[1]:
        if is_zero_date(found):  # serial 0 as some tools write it (x45r1 F2)
            raise InputError(zero_date_reason(
                value.isoformat() if isinstance(value, date) else str(value)))
        hint = ""
        if found.year < 100 and any("%Y" in fmt for fmt in formats):
            hint = " (a 2-digit year read by %Y? use %y for 2-digit years)"
        raise InputError(f"date {found.isoformat()} (from {quoted_cell(value)}) is outside "
                         f"{window[0]}-{window[1]}{hint}")
    return found.isoformat()


_NAMED = re.compile(r"%[aAbB]")  # a pattern of month or weekday names
_RUN_TOGETHER = re.compile(r"(?:%[YmdyHMSj])+")


def _number_by_pattern(value: int | float, fmt: str) -> date | None:
    """A whole number read by a pattern of digits only (``20260305`` by ``%Y%m%d``, as
    the same text cell is), or None: another pattern, not a whole number, or digits
    not exactly as long as the pattern needs (``4032025`` by ``%d%m%Y``: a leading zero
    the number lost)."""
    if (not _RUN_TOGETHER.fullmatch(fmt) or not math.isfinite(value) or value < 0
            or value != math.floor(value)):
        return None
    text = str(int(value))
    try:
        got = datetime.strptime(text, fmt).date()
    except ValueError:
        return None
    return None if _short_digits(text, fmt) is not None else got


# digits each numeric strptime directive reads at most (strptime reads fewer too)
_WIDTHS = {"Y": 4, "m": 2, "d": 2, "H": 2, "I": 2, "M": 2, "S": 2, "y": 2, "j": 3}
_DIRECTIVE = re.compile(r"%(.)")
_DIGIT_RUN = re.compile(r"\d+")


@functools.lru_cache(maxsize=256)
def _digit_runs(fmt: str) -> tuple[tuple[int, int], ...] | None:
    """The runs of two or more numeric directives with nothing between them in ``fmt``
    (``%Y%m%d``: digits only strptime splits by width) as (index among the pattern's
    digit runs, the digits the run needs); None when the pattern has other digits (a
    literal digit, ``%f``, ``%z``) and the runs cannot be told apart."""
    groups: list[list[int]] = []  # each digit run: its directives' widths
    pos, adjacent = 0, False
    for m in _DIRECTIVE.finditer(fmt):
        between, code, pos = fmt[pos:m.start()], m[1], m.end()
        if any(c.isdigit() for c in between) or code in "fzGuVUWw":  # digits of their own
            return None
        width = _WIDTHS.get(code)
        if width is None:  # %b, %p, %%: no digits
            adjacent = False
            continue
        if adjacent and not between:
            groups[-1].append(width)
        else:
            groups.append([width])
        adjacent = True
    if any(c.isdigit() for c in fmt[pos:]):
        return None
    return tuple((i, sum(g)) for i, g in enumerate(groups) if len(g) > 1)


def _short_digits(text: str, fmt: str) -> str | None:
    """Why ``text``, which strptime read by ``fmt``, is not a date by it: a run of digits
    that is not exactly as long as the directives that split it need (``%Y%m%d`` reads
    ``202411`` as 2024-01-01); None when it is."""
    runs = _digit_runs(fmt)
    if not runs:
        return None
    found = _DIGIT_RUN.findall(text)
    for index, need in runs:
        if index < len(found) and len(found[index]) != need:
            return (f"{fmt!r} needs {need} digits where {text!r} has "
                    f"{len(found[index])}")
    return None


def _by_pattern(text: str, fmt: str, locale: str | None) -> date:
    """``text`` read by the strptime pattern ``fmt``: an English ordinal day as its
    number with a month's name (x53r5 F6), under ``locale`` the month and weekday names
    of that language only (``month_locale``); strptime's ValueError when none reads."""
    if "%b" not in fmt and "%B" not in fmt and (locale is None or not _NAMED.search(fmt)):
        return read_day(text, fmt)
    plain = plain_ordinals(text)  # '25th of June 2027' (x53r5 F6)
    if locale is None:
        return read_day(plain, fmt)
    error: ValueError | None = None
    for read, pattern in locale_readings(plain, fmt, locale):
        try:
            return read_day(read, pattern)
        except ValueError as exc:
            if error is None or str(exc) == OUT_OF_RANGE:
                error = exc
    raise error or ValueError(f"time data {text!r} does not match format {fmt!r}")


def moment_by_pattern(text: str, fmt: str, locale: str | None) -> datetime:
    """``_by_pattern``'s reading of ``text`` with its time of day (``date_times``)."""
    if "%b" not in fmt and "%B" not in fmt and (locale is None or not _NAMED.search(fmt)):
        return datetime.strptime(text, fmt)
    plain = plain_ordinals(text)
    if locale is None:
        return datetime.strptime(plain, fmt)
    for read, pattern in locale_readings(plain, fmt, locale):
        try:
            return datetime.strptime(read, pattern)
        except ValueError:
            continue
    raise ValueError(f"time data {text!r} does not match format {fmt!r}")


def _date_from_text(text: str, formats: Sequence[str], window: tuple[int, int],
                    locale: str | None = None) -> date:
    first: date | None = None
    wrong: list[_WrongUnit] = []
    short: str | None = None
    no_day: str | None = None  # a day its month does not have (x27r3 6)
    for fmt in formats:
        try:
            got = (_from_token(fmt, text) if fmt in DATE_TOKENS
                   else _by_pattern(text, fmt, locale))
        except _WrongUnit as exc:
            wrong.append(exc)
            continue
        except ValueError as exc:
            if str(exc) == OUT_OF_RANGE and no_day is None:
                no_day = no_such_day(text, fmt) or (
                    f"{text!r} (no such day in its month)" if locale else None)
            continue
        if fmt not in DATE_TOKENS and (why := _short_digits(text, fmt)) is not None:
            short = short or why
            continue
        if got is not None:
            if window[0] <= got.year <= window[1]:
                return got
            first = first or got
    def read(cell: str, fmt: str) -> datetime:  # a hint's pattern, read as the formats
        return moment_by_pattern(cell, fmt, locale)  # are: never English under a locale

    if is_zero_date_text(text):  # no pattern reads it, nor should (x45r1 F2)
        raise InputError(zero_date_reason(text))
    match = _ISO_DATE.fullmatch(text)
    if match and any(part is not None and int(part) > limit
                     for part, limit in zip(match.groups()[1:], _ISO_LIMITS, strict=True)):
        raise InputError(f"not a date: {text!r} (no such time of day or UTC offset)")
    if match:
        try:
            got = date.fromisoformat(match[1])
        except ValueError:
            why = no_such_day(match[1], "%Y-%m-%d")
            raise InputError(f"not a date: {why or f'{text!r} (no such day)'}") from None
        if window[0] <= got.year <= window[1] or first is None:
            return got
    if wrong:
        raise _wrong_unit_error(text, wrong, window)
    if first is not None:
        return first  # out of the window: the caller says so
    if short is not None:
        raise InputError(f"not a date: {short}")
    if no_day is not None:
        raise InputError(f"not a date: {no_day}{year_first_hint(text, formats, read)}")
    tried = ", ".join([*formats, "ISO (YYYY-MM-DD)"])
    if text == "60" and "excel" in formats:  # as a number cell says it (v10r24)
        raise InputError("not a date: 60 is Excel's 1900-02-29, a day that never was "
                         "(Excel's 1900 leap-year bug); fix the cell")
    if _LEADING_ZERO.match(text) and text.lstrip("-").isdigit():
        raise InputError(f"not a date: {text!r} is only digits with a leading zero (tried "
                         f"{tried}): no serial or epoch is written so — a date written in "
                         "digits? Give its pattern in date_formats (\"%m%d%y\" for MMDDYY, "
                         "\"%d%m%y\" for DDMMYY, \"%Y%m%d\" ...)")
    if _UNIX.fullmatch(text) or _EXCEL.fullmatch(text):
        unit = _likely_unit(Decimal(text), window)
        add = _add_tokens(formats, "for epoch or serial dates")
        # "only digits" is wrong for 45.292 or -45 (x21r3 F8a): those are numbers
        shape = "only digits" if text.isdigit() else "a number"
        raise InputError(f"not a date: {text!r} is {shape} (tried {tried}; {unit}"
                         + (f"; {add})" if add else ")"))
    raise InputError(f"not a date: {text!r} (tried {tried}){_locale_hint(text, formats, locale)}"
                     f"{_two_digit_year_hint(text, formats, read)}"
                     f"{_other_order_hint(text, formats, read)}"
                     f"{year_first_hint(text, formats, read)}")


def _locale_hint(text: str, formats: Sequence[str], locale: str | None) -> str:
    """Under ``date_locale``, the words of ``text`` that are no month of it (``March``
    under ``fr``: never read as English, x53r5 F6)."""
    if locale is None or not any(_NAMED.search(f) for f in formats):
        return ""
    words = unknown_month_words(text, locale, formats)
    named = ", ".join(repr(w) for w in words[:3])
    return (f"; {named} {'is' if len(words) == 1 else 'are'} no month or weekday name of "
            f"date_locale {locale!r} (its %B and %b read that language's names only)"
            if words else f"; date_locale {locale!r}: %B and %b read that language's names")


def _other_order_hint(text: str, formats: Sequence[str],
                      read: Callable[[str, str], object] = datetime.strptime) -> str:
    """A hint when ``text`` reads by one of ``formats`` with day and month exchanged
    (``04/13/2026`` under ``%d/%m/%Y``): the column may be written the other way round,
    and its days up to 12 would then read wrong (v10r18 F3). It names every pattern of
    that family to exchange, so that the formats it gives are still one order each."""
    for fmt in formats:
        if fmt in DATE_TOKENS or (other := swapped_pattern(fmt)) is None:
            continue
        try:
            read(text, other)
        except ValueError:
            continue
        return (f"; it reads as {other!r}: if this column is written that way, list "
                f"{replacements(formats, order_family(fmt))} in its date formats — read by "
                "the other order, its days up to 12 come out as the wrong month")
    return ""


def _add_tokens(formats: Sequence[str], why: str) -> str:
    """``add "unix", ... or "excel" to date_formats <why>``, naming only the tokens
    ``formats`` does not list yet ("" when it lists them all)."""
    missing = [f'"{t}"' for t in ("unix", "unix_ms", "unix_us", "excel") if t not in formats]
    if not missing:
        return ""
    names = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " or " + missing[-1]
    return f"add {names} to date_formats {why}"


def _two_digit_year_hint(text: str, formats: Sequence[str],
                         read: Callable[[str, str], object] = datetime.strptime) -> str:
    """A hint when ``text`` has a 2-digit year that a ``%Y`` pattern refused (each pattern
    read by ``read``: under ``date_locale``, its names, y54r2 F4)."""
    for fmt in formats:
        if "%Y" in fmt:
            short = fmt.replace("%Y", "%y")
            try:
                read(text, short)
            except ValueError:
                continue
            twin = swapped_pattern(short)
            try:  # a cell that cannot tell day from month: both orders named (x50r3 F2:
                # "'%m/%d/%y' would read it", followed, 365 of 400 Kickoff dates swapped)
                untold = twin is not None and read(text, twin) != read(text, short)
            except ValueError:
                untold = False
            if untold:
                return (f"; it has a 2-digit year, day and month both 12 or less: {short!r} "
                        f"and {twin!r} read it as two different dates (00-68 as 20xx, 69-99 "
                        "as 19xx): list the order its column is written in, which its cells "
                        "up to the 12th cannot tell")
            return (f"; it has a 2-digit year: {short!r} would read it (00-68 as 20xx, "
                    "69-99 as 19xx)")
    return ""
