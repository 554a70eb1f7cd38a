"""init-mapping proposes a pattern for every date form the reader reads: CJK dates
(``2025年4月15日``) and date-times with a UTC offset after a space (``2027-08-20 18:30:00
+0100``) had "no date pattern was found" while ``%Y年%m月%d日`` and ``%Y-%m-%d %H:%M:%S
%z`` read them (x53r5 F5: 40 of 40 rows refused per column); full-width digits are
read as their plain forms (x53r5 F3)."""

from __future__ import annotations

import random
import zlib
from datetime import date, datetime, timedelta, timezone

import pytest

from bulk.errors import InputError
from jobs.mapping.starter import _OTHER_DATES, _OTHER_TIMES, date_formats_for
from jobs.transforms import parse_date
from jobs.transforms.wide_forms import fold_wide

# each of "0123456789,-/:" and its full-width form (U+FF10.. U+FF19, U+FF0C, U+FF0D, ...)
_WIDE = {ord(c): 0xFEE0 + ord(c) for c in "0123456789,-/:"}


def _cells(pattern: str, seed: int, n: int = 40) -> list[tuple[str, date]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        day = date(2020, 1, 1) + timedelta(days=rng.randrange(3000))
        hours = rng.choice([-5, 0, 1, 9, 5.5])
        when = datetime(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60),
                        tzinfo=timezone(timedelta(hours=hours)))
        out.append((when.strftime(pattern), day))
    return out


def _reads_alone(cell: str) -> bool:
    try:
        return parse_date(cell, []) is not None
    except InputError:
        return False


@pytest.mark.parametrize("time", _OTHER_TIMES)
@pytest.mark.parametrize("pattern", _OTHER_DATES)
def test_every_form_the_reader_reads_is_proposed(pattern: str, time: str) -> None:
    """Each date form of the proposer's list, with each time after it: the proposal
    reads every cell it was made from, as the date written."""
    cells = _cells(pattern + time, zlib.crc32((pattern + time).encode()))
    values = [c for c, _ in cells]
    if all(_reads_alone(c) for c in values):  # ISO 8601: read with no pattern at all
        return
    formats = date_formats_for(values)
    assert formats, (pattern + time, values[:3])
    for cell, day in cells:
        if "%y" in pattern and not (2000 <= day.year < 2069):  # pragma: no cover
            continue
        assert parse_date(cell, formats) == day.isoformat(), (cell, formats)


@pytest.mark.parametrize("cell", ["2025年4月15日", "2027-08-20 18:30:00 +0100",
                                  "2027-08-20 18:30 -05:00", "2026/03/04 10:00 +0900"])
def test_the_reported_forms(cell: str) -> None:
    formats = date_formats_for([cell])
    assert formats and parse_date(cell, formats) == cell[:10].replace("/", "-") \
        if "年" not in cell else parse_date(cell, formats or []) == "2025-04-15"


def test_iso_dates_still_need_no_pattern() -> None:
    """Plain ISO 8601 (with ``T``, ``Z`` or an offset written onto the time) reads
    without a pattern: none is proposed for it."""
    assert date_formats_for(["2026-03-04", "2026-03-04T10:00:00+01:00"]) in (None, [])


@pytest.mark.parametrize("seed", range(5))
def test_full_width_dates_and_amounts(seed: int) -> None:
    """Full-width digits and separators read as the plain ones, by the reader and by
    the proposer (``2026年3月5日`` in full-width digits)."""
    from jobs.transforms import parse_money
    rng = random.Random(seed)
    for _ in range(40):
        day = date(2020, 1, 1) + timedelta(days=rng.randrange(3000))
        plain = f"{day.year}年{day.month}月{day.day}日"
        wide = plain.translate(_WIDE)
        assert parse_date(wide, ["%Y年%m月%d日"]) == day.isoformat()
        assert date_formats_for([wide]) == ["%Y年%m月%d日"]
        amount = rng.randrange(1, 10**9)
        text = f"{amount:,}".translate(_WIDE)
        assert parse_money(text, default_currency="JPY").amount == amount
        assert parse_money("\uffe5" + text).amount == amount  # the full-width yen sign
        assert fold_wide(text) == f"{amount:,}"


def test_other_compatibility_forms_are_not_folded() -> None:
    """Only full-width forms fold: ``½`` or ``²`` are no digits, and stay refused."""
    assert fold_wide("½") == "½"
    assert fold_wide("2²") == "2²"
