"""Excel's zero date: the day serial 0 shows under a date format, ``1900-01-00`` — no day
of the calendar, what an empty date cell holding 0 becomes (a formula ``=A1`` of an empty
cell, a date column of a database export with no date). Written as text it takes the
cell's format (``00.01.1900``, ``00/01/1900``, ``1/0/1900``, ``0/0/1900``), and other
tools write serial 0 as ``1899-12-30`` (openpyxl's and LibreOffice's epoch) or
``1899-12-31`` (serial 1 less one day). x45r1 F2: init-mapping asked for a pattern that
would read ``1900-01-00`` (none can) and an XLSX cell of it failed as ``'00:00:00'``.

It is named, never read as a date: a row giving it fails (strict parsing; an empty date
is an empty cell, which the user can make it), with ``ZERO_DATE``. Pure text checks."""

from __future__ import annotations

import re
from datetime import date, datetime

ZERO_DATE = "Excel's empty date (1900-01-00): no date — clear the cell or give the date"

# the date part: year first (1900-01-00, 1900/1/0, 1899-12-30) or last (00.01.1900,
# 1/0/1900, 0/0/1900, 30/12/1899, 12/31/1899); then an optional time of day that is
# midnight (serial 0 under a date and time format)
_YEAR_FIRST = re.compile(r"(1900|1899)([-./])(\d{1,2})\2(\d{1,2})")
_YEAR_LAST = re.compile(r"(\d{1,2})([-./])(\d{1,2})\2(1900|1899)")
_MIDNIGHT = re.compile(r"(?:[ T]0?0:00(?::00(?:\.0+)?)?(?: ?[AaPp][Mm])?)?")
_OPENPYXL_ZERO = (date(1899, 12, 30), date(1899, 12, 31))


def _zero_parts(year: str, a: str, b: str, year_first: bool) -> bool:
    """Whether the year and the two other numbers of a date (``a``, ``b`` in the order
    written) are serial 0: 1900 with day 0 (and month 1 or 0), or 1899-12-30 / -31."""
    x, y = int(a), int(b)
    if year == "1900":
        return 0 in (x, y) and {x, y} <= {0, 1}
    # 1899: the month 12 and the day 30 or 31, in either order (year first: month first)
    if year_first:
        return x == 12 and y in (30, 31)
    return (x == 12 and y in (30, 31)) or (y == 12 and x in (30, 31))


def is_zero_date_text(text: str) -> bool:
    """Whether ``text`` (spaces trimmed) is Excel's zero date as some tool writes it."""
    text = text.strip()
    if not text[:1].isdigit():
        return False
    for pattern, year_first in ((_YEAR_FIRST, True), (_YEAR_LAST, False)):
        found = pattern.match(text)
        if found is None or not _MIDNIGHT.fullmatch(text, found.end()):
            continue
        if year_first:
            year, _, a, b = found.groups()
        else:
            a, _, b, year = found.groups()
        if _zero_parts(year, a, b, year_first):
            return True
    return False


def is_zero_date(value: date) -> bool:
    """Whether a date value (XLSX, JSON) is serial 0 as openpyxl or LibreOffice give it
    (1899-12-30) or as serial 1 less a day (1899-12-31): no date anyone means."""
    return (value.date() if isinstance(value, datetime) else value) in _OPENPYXL_ZERO


def zero_date_reason(shown: str) -> str:
    """A row's reason for a cell showing ``shown``, Excel's zero date."""
    return f"not a date: {shown!r} is {ZERO_DATE}"


__all__ = ["ZERO_DATE", "is_zero_date", "is_zero_date_text", "zero_date_reason"]
