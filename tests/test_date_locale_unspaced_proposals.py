"""init-mapping's proposal and the plan's hint for month names of scripts written without
spaces (v56r1 F4: a column of ``2026年七月2日`` got the TODO "none of its 72 sampled cells
reads as a date", ``2026년7월2일`` too, and under ``date_locale = "zh"`` with no formats the
plan told the user to fix 72 valid rows, "'年一月' is no month or weekday name"; f56d had
made the reader read them with ``%Y年%B%d日``, not the proposal nor the hint).

The grid is f56d's (``tests.test_date_locale_unspaced._the_grid``: 43 CLDR locales of unspaced
scripts x wide / abbreviated month names x each locale's own CLDR patterns, every cell
written by Babel from its date). Each (locale, pattern) is one column:

- init-mapping proposes a ``date_locale`` and formats under which every cell of it reads
  to the date it was written from (before: 151 of 186 columns not);
- the plan's hint under the grid's locale (no formats given) names formats that read
  every cell so (before: 131 of 186 columns not).

And a column mixing ``2026年七月2日`` with ``2026年7月2日`` (seeded shares) gets both
patterns, the majority first (before: ``%Y年%m月%d日`` alone and a TODO naming the others
as read by no pattern)."""

from __future__ import annotations

import random
import re
import tomllib
from collections import defaultdict
from datetime import date, timedelta

import pytest

from bulk.errors import InputError
from jobs import transforms as tf
from jobs.plan_reasons import ReasonTally
from tests.test_date_locale_unspaced import _the_grid
from tests.test_starter_date_locale import _starter

_COLUMNS: dict[tuple[str, str], dict[str, date]] = defaultdict(dict)
for _locale, _pattern, _cell, _day in _the_grid():  # parametrizes this file: built at collection
    _COLUMNS[(_locale, _pattern)][_cell] = _day
# the columns whose cells differ (regional variants write the same cells): init-mapping
# reads cells, not the locale they were written under
_DISTINCT = list({tuple(sorted(c.items())): key for key, c in _COLUMNS.items()}.values())


def _misread(cells: dict[str, date], formats: list[str], locale: str | None) -> list[str]:
    wrong = []
    for cell, day in cells.items():
        try:
            got = tf.parse_date(cell, formats, locale=locale)
        except InputError as exc:
            got = exc.reason
        if got != day.isoformat():
            wrong.append(f"{cell!r}: {got}")
    return wrong


def _proposal(text: str) -> tuple[str | None, list[str]]:
    spec = tomllib.loads(text)
    field = spec["deal"]["expected_close_date"]
    formats = field.get("formats", []) if isinstance(field, dict) else []
    return spec.get("defaults", {}).get("date_locale"), formats or spec.get(
        "defaults", {}).get("date_formats", [])


def test_the_grid_has_its_columns() -> None:
    assert len(_COLUMNS) > 150 and len(_DISTINCT) > 30
    assert {loc.split("_")[0] for loc, _ in _DISTINCT} >= {
        "zh", "ja", "ko", "th", "lo", "km", "my", "bo", "dz", "ii", "shn"}


@pytest.mark.parametrize(("locale", "pattern"), _DISTINCT)
def test_init_mapping_proposes_a_locale_and_formats_that_read_every_cell(
        locale: str, pattern: str) -> None:
    cells = _COLUMNS[(locale, pattern)]
    text = _starter(list(cells))
    proposed, formats = _proposal(text)
    assert formats, text
    assert not _misread(cells, formats, proposed), (proposed, formats, _misread(
        cells, formats, proposed)[:3])
    assert "TODO" not in text.split("[deal]")[1].split("expected_close_date")[0], text


def test_the_plan_hint_names_formats_that_read_every_cell() -> None:
    wrong = []
    for (locale, pattern), cells in _COLUMNS.items():
        tally = ReasonTally(locale)
        for row, cell in enumerate(cells, 2):
            with pytest.raises(InputError) as info:
                tf.parse_date(cell, [], locale=locale)
            tally.add(info.value.reason, "Close", f"K{row}", row, value=cell)
        hints = [e.get("hint") or "" for e in tally.examples.values()]
        found = re.fullmatch(r"add date_formats = \[([^\]]*)\] under \[defaults\] in the "
                             r"mapping", hints[0]) if len(hints) == 1 else None
        formats = re.findall(r'"([^"]+)"', found[1]) if found else []
        if not formats or _misread(cells, formats, locale):
            wrong.append((locale, pattern, hints))
    assert not wrong, (len(wrong), len(_COLUMNS), wrong[:3])


@pytest.mark.parametrize(("locale", "cells", "formats"), [
    ("zh", ["2026年一月1日", "2026年七月2日", "2026年十二月21日"], ["%Y年%B%d日"]),
    ("ko", ["2026년1월1일", "2026년7월2일", "2026년12월21일"], ["%Y년%B%d일"]),
])
def test_the_reported_columns(locale: str, cells: list[str], formats: list[str]) -> None:
    text = _starter(cells)
    assert _proposal(text) == (locale, formats), text
    tally = ReasonTally(locale)
    for row, cell in enumerate(cells, 2):
        with pytest.raises(InputError) as info:
            tf.parse_date(cell, [], locale=locale)
        tally.add(info.value.reason, "Close", f"K{row}", row, value=cell)
    (example,) = tally.examples.values()
    listed = ", ".join(f'"{f}"' for f in formats)
    assert example["hint"] == f"add date_formats = [{listed}] under [defaults] in the mapping"


_ZH = ("一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月",
       "十一月", "十二月")


@pytest.mark.parametrize("seed", range(6))
def test_a_column_mixing_names_and_digit_months_gets_both_patterns_majority_first(
        seed: int) -> None:
    rng = random.Random(seed)
    size = rng.randint(20, 60)
    names = rng.randint(2, size - 2)
    cells: dict[str, date] = {}
    while len(cells) < size:
        day = date(2026, 1, 1) + timedelta(days=rng.randint(0, 700))
        named = sum(1 for c in cells if "年" in c and not c.split("年")[1][0].isdigit())
        cell = (f"{day.year}年{_ZH[day.month - 1]}{day.day}日" if named < names
                else f"{day.year}年{day.month}月{day.day}日")
        cells.setdefault(cell, day)
    text = _starter(list(cells))
    locale, formats = _proposal(text)
    assert locale == "zh", text
    first = "%Y年%B%d日" if 2 * names >= size else "%Y年%m月%d日"
    assert formats[0] == first and set(formats) == {"%Y年%B%d日", "%Y年%m月%d日"}, (
        names, size, formats)
    assert not _misread(cells, formats, locale)
    assert "TODO" not in text.split("[deal]")[1].split("expected_close_date")[0], text


def test_one_name_among_digit_months_is_named_with_the_language_that_reads_it() -> None:
    cells = ["2026年七月2日"] + [f"2027年{i % 12 + 1}月{i % 28 + 1}日" for i in range(39)]
    text = _starter(cells)
    assert '["%Y年%m月%d日"]' in text
    todo = next(line for line in text.splitlines() if "'2026年七月2日'" in line)
    assert 'set date_locale = "zh"' in todo and "'%Y年%B%d日'" in todo, todo


def test_digit_months_of_han_dates_keep_their_pattern_and_no_locale() -> None:
    text = _starter(["2026年7月2日", "2026年12月11日", "2027年1月31日"])
    assert _proposal(text) == (None, ["%Y年%m月%d日"]), text
