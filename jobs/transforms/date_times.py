"""Date-times (a deal's won, lost and close time): ``parse_date``'s grammar with the
time of day kept, as Pipedrive takes them (RFC 3339 in UTC, ``YYYY-MM-DDTHH:MM:SSZ``).

The grammar, its errors and the year window are ``parse_date``'s: this module only finds
the time of day of a cell that already read as a date, and never reads a cell
``parse_date`` refuses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from bulk.errors import InputError

from .dates import (
    _EPOCH_DIVISOR,
    _ISO_DATE,
    DATE_TOKENS,
    DEFAULT_DATE_WINDOW,
    _fits,
    _token_number,
    _WrongUnit,
    moment_by_pattern,
    parse_date,
)
from .text import _SPACES
from .wide_forms import fold_wide

_RFC3339 = "%Y-%m-%dT%H:%M:%SZ"


def parse_datetime(value: object, formats: Sequence[str] = (), *,
                   window: tuple[int, int] = DEFAULT_DATE_WINDOW,
                   locale: str | None = None) -> str | None:
    """A date-time as ``YYYY-MM-DDTHH:MM:SSZ``: the cell read by ``parse_date`` (the same
    formats, tokens, ISO 8601 and errors), with its time of day when it has one
    (``2025-03-01 10:00:00``, ``%d.%m.%Y %H:%M``, a unix epoch, an Excel serial's
    fraction, an XLSX date-time), else midnight. A time with a UTC offset is moved to UTC;
    one without is taken as UTC. Fractions of a second are dropped."""
    day_text = parse_date(value, formats, window=window, locale=locale)
    if day_text is None:
        return None
    day = date.fromisoformat(day_text)
    return _moment(value, formats, day, locale).strftime(_RFC3339)


def _moment(value: object, formats: Sequence[str], day: date,
            locale: str | None = None) -> datetime:
    """The UTC moment of a cell ``parse_date`` read as ``day``."""
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, date):
        return datetime.combine(value, time(), UTC)
    text = value if isinstance(value, int | float) else _SPACES.sub(
        " ", fold_wide(str(value))).strip()  # as parse_date reads it (x53r5 F3)
    for fmt in formats:
        if fmt in DATE_TOKENS:
            found = _token_moment(fmt, text, day)
        elif isinstance(text, str):
            try:
                got = moment_by_pattern(text, fmt, locale)  # as parse_date (x53r5 F6)
            except ValueError:
                continue
            found = _utc(got) if got.date() == day else None
        else:
            continue
        if found is not None:
            return found
    if isinstance(text, str) and _ISO_DATE.fullmatch(text):
        try:
            return _utc(datetime.fromisoformat(text))
        except ValueError:  # 9 digits of a second's fraction, a leap second: its day
            pass
    return datetime.combine(day, time(), UTC)


def _token_moment(token: str, value: object, day: date) -> datetime | None:
    """``value`` read by a date token as a moment on ``day`` (the day ``parse_date``
    gave it), or None when the token does not read it so."""
    try:
        number = _token_number(token, value)
    except InputError:  # an ambiguous serial: parse_date refused it already
        return None
    if number is None or not _fits(token, number):
        return None
    try:
        if token in _EPOCH_DIVISOR:
            moment = datetime.fromtimestamp(float(number / _EPOCH_DIVISOR[token]), tz=UTC)
            return moment if moment.date() == day else None
        # an Excel serial: the whole days are parse_date's, the fraction the time of day
        fraction = number - int(number)
        return datetime.combine(day, time(), UTC) + timedelta(
            seconds=int(fraction * Decimal(86400)))
    except (OverflowError, ValueError, OSError, _WrongUnit):
        return None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


__all__ = ["parse_datetime"]
