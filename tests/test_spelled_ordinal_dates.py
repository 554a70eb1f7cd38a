"""English ordinal days in spelled dates are read by the pattern init-mapping proposes
for them (x53r5 F6: ``25th of June 2027``, ``1st July 2026``, ``May 11th, 2027`` failed
40 of 40 rows each, no pattern proposed): every day 1-31 with its own suffix, with and
without ``of``, month names wide and short, whatever the suffix (``2th``)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from bulk.errors import InputError
from jobs.mapping.starter import date_formats_for
from jobs.transforms import parse_date
from jobs.transforms.date_times import parse_datetime


def _nth(day: int) -> str:
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


_FORMS = {
    "day of month": lambda d, m: f"{_nth(d.day)} of {m} {d.year}",
    "day month": lambda d, m: f"{_nth(d.day)} {m} {d.year}",
    "month day,": lambda d, m: f"{m} {_nth(d.day)}, {d.year}",
}


@pytest.mark.parametrize("wide", [True, False])
@pytest.mark.parametrize("form", sorted(_FORMS))
def test_a_column_of_ordinals_is_proposed_and_read(form: str, wide: bool) -> None:
    rng = random.Random(f"{form}{wide}")
    days = [date(2025, 1, 1) + timedelta(days=rng.randrange(1100)) for _ in range(40)]
    days += [date(2026, 1, d) for d in range(1, 32)]  # every suffix
    cells = [_FORMS[form](d, d.strftime("%B" if wide else "%b")) for d in days]
    formats = date_formats_for(cells)
    assert formats, cells[:3]
    for cell, day in zip(cells, days, strict=True):
        assert parse_date(cell, formats) == day.isoformat(), (cell, formats)
        assert parse_datetime(cell + " 10:30", [f + " %H:%M" for f in formats]) \
            == f"{day.isoformat()}T10:30:00Z"


@pytest.mark.parametrize(("cell", "day"), [("2th July 2026", "2026-07-02"),
                                         ("22th July 2026", "2026-07-22"),
                                         ("1th of July 2026", "2026-07-01")])
def test_any_suffix_is_the_day(cell: str, day: str) -> None:
    """An export writing every day ``{day}th`` (``1th``, ``22th``): the day is its number."""
    assert parse_date(cell, ["%d %B %Y"]) == day


@pytest.mark.parametrize("cell", ["32nd July 2026", "0th July 2026", "25thx July 2026"])
def test_no_day_stays_refused(cell: str) -> None:
    with pytest.raises(InputError):
        parse_date(cell, ["%d %B %Y"])


def test_numeric_patterns_are_untouched() -> None:
    """Only patterns with a month's name read ordinals: ``%d/%m/%Y`` does not."""
    with pytest.raises(InputError):
        parse_date("1st/07/2026", ["%d/%m/%Y"])
