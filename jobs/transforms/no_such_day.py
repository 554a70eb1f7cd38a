"""Why a date that reads by its pattern names no day: ``29/02/2025`` is a day of no year
2025 has (x27r3 6: it said only "not a date ... (tried %d/%m/%Y)", as for a cell that is
no date at all). Only the standard library's own parsing, never a guess at the day."""

from __future__ import annotations

import calendar
import re
from datetime import datetime

# strptime's word for a day its month does not have (a day of 29, 30 or 31)
OUT_OF_RANGE = "day is out of range for month"
_LONG_DAY = re.compile(r"(?<!\d)(?:29|30|31)(?!\d)")


def no_such_day(text: str, fmt: str) -> str | None:
    """Why ``text``, which matches ``fmt``'s shape but names a day its month does not
    have, is no date: ``'29/02/2025' (no such day: 2025 is not a leap year, February has
    28 days then)`` or ``'31/04/2025' (no such day: April has 30 days, not 31)``; None
    when that is not why (another
    fault, or the day cannot be told). Each 29, 30 or 31 in ``text`` standing alone is
    tried as the day: the one that read as day 28 gives the month and the year."""
    for found in _LONG_DAY.finditer(text):
        probe = f"{text[:found.start()]}28{text[found.end():]}"
        try:
            got = datetime.strptime(probe, fmt).date()
        except ValueError:
            continue
        if got.day != 28:
            continue  # the 29 was not the day (a year 2029, a two-digit year)
        day, month = int(found.group()), calendar.month_name[got.month]
        days = calendar.monthrange(got.year, got.month)[1]
        if got.month == 2 and day == 29:
            return (f"{text!r} (no such day: {got.year} is not a leap year, February has "
                    f"{days} days then)")
        return f"{text!r} (no such day: {month} has {days} days, not {day})"
    return None


__all__ = ["OUT_OF_RANGE", "no_such_day"]
