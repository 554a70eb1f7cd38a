"""No hint proposes a format under which its cell still fails, under ``date_locale``
(y54r2 F4: English ``30 January 2026`` under ``fr`` was hinted the very ``["%d %B %Y"]``
it had failed by, and again once that was followed, 2 of 2 runs). A seeded grid of month
words of other languages (and 2-digit years, other orders) under nine locales: every
pattern a reason or a plan's hint names is read back by the mapping's own reading before
the test accepts it; a word of another language gets the advice to fix the cell, naming
the language whose word it is."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest
from babel.dates import get_month_names

from bulk.errors import InputError
from jobs.plan_reasons import ReasonTally
from jobs.transforms import parse_date
from jobs.transforms.month_locale import unknown_month_words

LOCALES = ("fr", "es", "de", "pt", "it", "nl", "pl", "tr", "sw")
OTHERS = ("en", "fr", "es", "de", "it")
SHAPES = {"%d %B %Y": "{d} {m} {y}", "%d de %B de %Y": "{d} de {m} de {y}",
          "%B %d, %Y": "{m} {d}, {y}"}


def _grid(seed: int = 55) -> list[tuple[str, str, str]]:
    """(locale, pattern, cell) with a month word of another language, its year of four
    digits or two."""
    rng = random.Random(seed)
    out = []
    for locale in LOCALES:
        for _ in range(14):
            other = rng.choice([o for o in OTHERS if o != locale])
            day = date(2026, rng.randint(1, 12), rng.randint(1, 28))
            word = get_month_names("wide", "format", other)[day.month]
            if not unknown_month_words(word, locale):
                continue  # also a name of the locale (nl 'april'): it reads, rightly
            pattern = rng.choice(list(SHAPES))
            year = rng.choice([str(day.year), f"{day.year % 100:02d}"])
            out.append((locale, pattern, SHAPES[pattern].format(d=day.day, m=word, y=year)))
    return out


GRID = _grid()
_QUOTED = re.compile(r"'(%[^']*)'")
_LISTED = re.compile(r"formats = \[([^\]]*)\]")


def _reason(cell: str, pattern: str, locale: str) -> str:
    with pytest.raises(InputError) as info:
        parse_date(cell, [pattern], locale=locale)
    return info.value.reason


def test_the_grid_is_large_and_fails_every_cell() -> None:
    assert len(GRID) >= 90
    for locale, pattern, cell in GRID:
        _reason(cell, pattern, locale)


def test_no_pattern_a_reason_names_leaves_its_cell_unread() -> None:
    proposed = 0
    for locale, pattern, cell in GRID:
        reason = _reason(cell, pattern, locale)
        for named in _QUOTED.findall(reason):
            if named == pattern:
                continue
            proposed += 1
            assert parse_date(cell, [named], locale=locale), (locale, cell, reason)
    assert proposed == 0  # a word of another language: no pattern reads it


def test_no_plan_hint_proposes_formats_its_cells_fail_by() -> None:
    advised = 0
    for locale, pattern, cell in GRID:
        tally = ReasonTally(locale)
        tally.add(_reason(cell, pattern, locale), "Close", "k", 4, value=cell)
        for example in tally.examples.values():
            hint = example.get("hint", "")
            for listed in _LISTED.findall(hint):
                formats = [f.strip().strip('"') for f in listed.split(",")]
                assert parse_date(cell, formats, locale=locale), (locale, cell, hint)
            if hint.startswith("fix "):
                advised += 1
                word = unknown_month_words(cell, locale)[0]
                assert f"{word!r} is a month or weekday name of" in hint, hint
    assert advised == len(GRID)


def test_the_reported_case_is_told_to_fix_the_cell() -> None:
    tally = ReasonTally("fr")
    cell = "30 January 2026"
    tally.add(_reason(cell, "%d %B %Y", "fr"), "Close", "F3", 4, value=cell)
    (example,) = tally.examples.values()
    assert example["hint"].startswith("fix '30 January 2026' in the file: 'January' is a "
                                      "month or weekday name of 'en', not of date_locale "
                                      "'fr'"), example["hint"]
    assert "formats = [" not in example["hint"]


def test_without_a_locale_the_english_hint_stays() -> None:
    """The older guard: with no date_locale, English month names read, and the hint that
    reads them is still given."""
    tally = ReasonTally()
    cell = "30 January 2026"
    tally.add(_reason(cell, "%d/%m/%Y", "fr").replace("; date_locale", "; x"), "Close",
              "k", 4, value=cell)
    hints = [e.get("hint", "") for e in tally.examples.values()]
    assert any('"%d %B %Y"' in h for h in hints), hints


def test_a_two_digit_year_under_a_locale_is_hinted_only_when_it_reads() -> None:
    reason = _reason("5 mars 26", "%d %B %Y", "fr")
    assert "'%d %B %y' would read it" in reason
    assert parse_date("5 mars 26", ["%d %B %y"], locale="fr") == "2026-03-05"
    assert "would read it" not in _reason("5 March 26", "%d %B %Y", "fr")
