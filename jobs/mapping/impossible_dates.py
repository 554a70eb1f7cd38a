"""Whether a sampled date cell is written as a date but names no day of the calendar, in
the forms ``init-mapping`` reads besides day / month first (``31/02/2026``: the starter's
``_no_date``): ISO 8601 and year first (``2024-13-01``, ``2026/02/30``, ``2026.00.10``,
with a time after it or not) and a month by its English name (``30-Feb-2026``, ``Feb 30,
2026``, ``32 Mar 2026``). No pattern reads such a cell and the import fails its row as
"not a date"; ``init-mapping`` names it in a TODO (x46r12 F8: ``2024-13-01`` got none
where ``31/02/2026`` did: ISO dates were passed over as "always read").

A pure reader: it never says a real date is impossible (the calendar decides, leap years
included), nor a cell of another shape (a number, a word) is one.
"""

from __future__ import annotations

import calendar
import re

_YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[T ].*)?")
# 30-Feb-2026, 30 Feb 2026, 30/Feb/2026, 30.Feb.2026, 30. February 2026
_DAY_THEN_NAME = re.compile(r"(\d{1,2})\.?[-/. ]\s*([A-Za-z]{3,9})\.?[-/. ]\s*(\d{4}|\d{2})"
                            r"(?:[T ].*)?")
# Feb 30, 2026, February 30 2026, Feb-30-2026, Mon, Feb 30 2026
_NAME_THEN_DAY = re.compile(r"(?:[A-Za-z]{3,9},? )?([A-Za-z]{3,9})\.?[- ](\d{1,2}),?[- ](\d{4})"
                            r"(?: .*)?")
# the English month names and their three-letter forms (``Sept`` too): January is 1
_MONTHS = {name: number for number, full in enumerate(
    ("january february march april may june july august september october november "
     "december").split(), start=1) for name in (full, full[:3], *(("sept",) if number == 9
                                                                 else ()))}


def _no_day(year: int, month: int, day: int) -> bool:
    """Whether ``year-month-day`` is no day of the calendar (month 13, day 0, 30 Feb)."""
    return not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]


def _year(text: str) -> int:
    """A four-digit year as written; a two-digit one as strptime's ``%y`` reads it."""
    number = int(text)
    return number if len(text) == 4 else number + (2000 if number < 69 else 1900)


def impossible_date(value: str) -> bool:
    """Whether ``value`` is written year first (ISO 8601 among them) or with its month's
    English name, and reads as no day of the calendar (``2024-13-01``, ``2026/02/30``,
    ``Feb 30, 2026``). False for a real date and for anything not written so."""
    if (found := _YEAR_FIRST.fullmatch(value)) is not None:
        return _no_day(int(found[1]), int(found[3]), int(found[4]))
    if (found := _DAY_THEN_NAME.fullmatch(value)) is not None:
        day, month, year = found[1], _MONTHS.get(found[2].casefold()), found[3]
    elif (found := _NAME_THEN_DAY.fullmatch(value)) is not None:
        month, day, year = _MONTHS.get(found[1].casefold()), found[2], found[3]
    else:
        return False
    return month is not None and _no_day(_year(year), month, int(day))


__all__ = ["impossible_date"]
