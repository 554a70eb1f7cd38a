"""Month names of scripts written without spaces between words (y55r1 F3: ``2026年七月2日``
read with ``%Y年%B%d日`` under ``date_locale = "zh"`` failed as ``'年七月' is no month or
weekday name``, 19 of 34 rows, while ``2 七月 2026`` read): a name the pattern's own literal
text bounds (``年`` before it, ``འི་`` after it, ``ที่`` after a weekday) is found where the
pattern puts it — the word-edge rule (``1月`` not inside ``11月``) holds only against the
cell's own text.

The grid: every CLDR locale whose script writes no spaces between words (Han, Japanese,
Korean, Thai, Lao, Khmer, Myanmar, Tibetan, Yi) x wide / abbreviated month names x the
layouts of that locale's own CLDR date patterns (Babel's ``get_date_format`` full, long
and medium; a numeric month followed by the literal every name ends with, ``M月``, is
written as the name, ``MMMM``). Each cell is written by Babel from a date built from the
month number — the oracle — and read back through ``parse_date``."""

from __future__ import annotations

import functools
import re
from datetime import date

import pytest
from babel import Locale, localedata
from babel.core import get_global
from babel.dates import format_date, get_date_format, get_day_names, get_month_names

from bulk.errors import InputError
from jobs.plan_reasons import ReasonTally
from jobs.transforms import parse_date

UNSPACED = {"Hani", "Hans", "Hant", "Jpan", "Kore", "Thai", "Laoo", "Khmr", "Mymr", "Tibt",
            "Yiii"}
_TOKEN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|.", re.S)


def _script(locale: str) -> str | None:
    parsed = Locale.parse(locale)
    likely = str(get_global("likely_subtags").get(parsed.language, parsed.language))
    return parsed.script or next((p for p in likely.split("_") if len(p) == 4), None)


def _locales() -> list[str]:
    return sorted(loc for loc in localedata.locale_identifiers() if _script(loc) in UNSPACED)


def _named(pattern: str, width: str, locale: str) -> str | None:
    """``pattern`` with its month written by name (``MMMM`` wide, ``MMM`` abbreviated): a
    numeric month before the literal every name of that width ends with (``M月``) written
    as the name; None when the pattern has a numeric month and no such literal."""
    letters = "MMMM" if width == "wide" else "MMM"
    if re.search(r"(?<!M)M{3,}(?!M)", pattern):
        return re.sub(r"(?<!M)M{3,}(?!M)", letters, pattern)
    names = list(get_month_names(width, "format", locale).values())
    found = re.search(r"(?<![A-Za-z])M{1,2}(?![A-Za-z])(\S)", pattern)
    if found is None or not all(n.endswith(found[1]) for n in names):
        return None
    return pattern[:found.start()] + letters + pattern[found.end():]


def _strptime(pattern: str, day: date, locale: str) -> str | None:
    """The strptime pattern of the CLDR ``pattern`` (None: a field strptime has no
    directive for); an era (``G``) is the literal Babel writes for it."""
    out = []
    for token in _TOKEN.finditer(pattern):
        text = token[0]
        if text.startswith("'"):
            out.append((text[1:-1].replace("''", "'") if len(text) > 2 else "'")
                       .replace("%", "%%"))
        elif text[0].isascii() and text[0].isalpha():
            field = {"y": "%Y", "yyyy": "%Y", "MMMM": "%B", "MMM": "%b", "d": "%d",
                     "dd": "%d", "EEEE": "%A", "E": "%a", "EE": "%a", "EEE": "%a"}.get(text)
            if text[0] == "G":
                field = format_date(day, text, locale=locale).replace("%", "%%")
            if field is None:
                return None
            out.append(field)
        else:
            out.append(text.replace("%", "%%"))
    return "".join(out)


def _unique(locale: str, width: str) -> set[int]:
    """The months whose name of ``width`` names that month alone (and no weekday)."""
    months = get_month_names(width, "format", locale)
    days = {n.casefold() for w in ("wide", "abbreviated") for c in ("format", "stand-alone")
            for n in get_day_names(w, c, locale).values()}
    every = [n.casefold().rstrip(".") for w in ("wide", "abbreviated")
             for c in ("format", "stand-alone") for n in get_month_names(w, c, locale).values()]
    return {m for m, n in months.items()
            if n.casefold() not in days
            and {k for w in ("wide", "abbreviated") for c in ("format", "stand-alone")
                 for k, o in get_month_names(w, c, locale).items()
                 if o.casefold().rstrip(".") == n.casefold().rstrip(".")} == {m}
            and every.count(n.casefold().rstrip(".")) >= 1}


def _grid() -> list[tuple[str, str, str, date]]:
    """(locale, strptime pattern, cell, its date)."""
    out: list[tuple[str, str, str, date]] = []
    for locale in _locales():
        layouts = dict.fromkeys(get_date_format(w, locale).pattern
                                for w in ("full", "long", "medium"))
        for width in ("wide", "abbreviated"):
            months = _unique(locale, width)
            for layout in layouts:
                if (named := _named(layout, width, locale)) is None:
                    continue
                for month in sorted(months):
                    day = date(2026, month, 1 + (5 * month + 3) % 28)
                    pattern = _strptime(named, day, locale)
                    if pattern is None:
                        continue
                    out.append((locale, pattern, format_date(day, named, locale=locale),
                                day))
    return out


@functools.cache
def _the_grid() -> list[tuple[str, str, str, date]]:
    """The grid, built once, by the first test that reads it (built at import it was ~0.4
    CPU s of Babel every xdist worker paid collecting this file, run or not: issue 8)."""
    return _grid()


def test_the_grid_covers_every_unspaced_script_and_both_widths() -> None:
    grid = _the_grid()
    locales = {loc for loc, *_ in grid}
    assert {"zh", "zh_Hant", "ja", "ko", "th", "lo", "km", "my", "bo", "dz", "yue"} <= locales
    assert len(grid) > 1500
    # the reported layout is in it: a written-out month bounded by 年 and a digit
    assert ("zh", "%Y年%B%d日", "2026年七月11日", date(2026, 7, 11)) in grid
    assert any(p.startswith("%Aที่") for loc, p, *_ in grid if loc == "th")


def test_every_cell_reads_to_the_date_it_was_written_from() -> None:
    grid = _the_grid()
    wrong = []
    for locale, pattern, cell, day in grid:
        try:
            got = parse_date(cell, [pattern], locale=locale)
        except InputError as exc:
            got = exc.reason
        if got != day.isoformat():
            wrong.append((locale, pattern, cell, got))
    assert not wrong, (len(wrong), len(grid), wrong[:5])


@pytest.mark.parametrize(("locale", "pattern", "text", "want"), [
    ("zh", "%Y年%B%d日", "2026年七月2日", "2026-07-02"),
    ("zh", "%Y年%B%d日", "2026年十二月2日", "2026-12-02"),
    ("zh", "%Y年%B%d日", "2026年十一月12日", "2026-11-12"),
    ("zh", "%Y年%B%d日", "2026年一月31日", "2026-01-31"),
    ("zh", "%Y年%B%d日", "2026年7月2日", "2026-07-02"),
    ("zh", "%Y年%B%d日%A", "2026年七月2日星期四", "2026-07-02"),
    ("ja", "%Y年%B%d日", "2026年7月2日", "2026-07-02"),
    ("ko", "%Y년 %B %d일", "2026년 7월 2일", "2026-07-02"),
    ("ko", "%Y년%B%d일", "2026년7월2일", "2026-07-02"),
])
def test_the_reported_forms(locale: str, pattern: str, text: str, want: str) -> None:
    assert parse_date(text, [pattern], locale=locale) == want


@pytest.mark.parametrize(("locale", "pattern", "text"), [
    ("zh", "%Y年%B%d日", "2026年二月2日x"),  # the pattern's text, not any text
    ("zh", "%Y年%B%d日", "2026年十二二月2日"),  # 二月 inside another word: no month
    ("zh", "%Y年%B%d日", "2026月七月2日"),  # 月 is not the pattern's 年
    ("zh", "%d %B %Y", "5 21月 2026"),  # 1月 after a digit: still none
    ("zh", "%Y年%B%d日", "2026年July2日"),  # never English
])
def test_the_pattern_literal_bounds_a_name_only_where_it_stands(locale: str, pattern: str,
                                                                text: str) -> None:
    with pytest.raises(InputError):
        parse_date(text, [pattern], locale=locale)


def test_a_refusal_names_the_word_without_the_pattern_literal_and_says_one_thing() -> None:
    with pytest.raises(InputError) as info:
        parse_date("2026年July2日", ["%Y年%B%d日"], locale="zh")
    assert "'July' is no month or weekday name of date_locale 'zh'" in info.value.reason
    assert "'年July'" not in info.value.reason


def test_the_plan_hint_names_the_word_once_and_does_not_contradict_itself() -> None:
    """The plan's advice on a word that is no name of date_locale nor of another common
    language: one statement (y55r1 F3: "no month or weekday name of 'zh', not of
    date_locale 'zh'"), the word without the pattern's own 年."""
    cell = "2026年Julio2日"
    with pytest.raises(InputError) as info:
        parse_date(cell, ["%Y年%B%d日"], locale="zh")
    tally = ReasonTally("zh")
    tally.add(info.value.reason, "Close", "Z1", 2, value=cell)
    (example,) = tally.examples.values()
    hint = example["hint"]
    assert hint.startswith(f"fix {cell!r} in the file: 'Julio' is a month or weekday name "
                           "of "), hint
    assert "not of date_locale 'zh'" in hint and "'zh', not" not in hint
    cell = "2026年Xyzzy2日"
    with pytest.raises(InputError) as info:
        parse_date(cell, ["%Y年%B%d日"], locale="zh")
    tally = ReasonTally("zh")
    tally.add(info.value.reason, "Close", "Z1", 2, value=cell)
    (example,) = tally.examples.values()
    assert example["hint"].startswith(f"fix {cell!r} in the file: 'Xyzzy' is no month or "
                                      "weekday name of date_locale 'zh', whose names alone "
                                      "its date formats read"), example["hint"]
    assert example["hint"].count("'zh'") == 2  # date_locale 'zh', and how to write it
