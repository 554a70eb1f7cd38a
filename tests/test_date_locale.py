"""Month names of another language (x53r5 F6): ``[defaults] date_locale`` names the CLDR
locale whose month (and weekday) names ``%B`` / ``%b`` read, through Babel. A grid of 10
languages x full / abbreviated names (with and without the abbreviation's dot) x three
cases x three patterns, each cell's date known before it is read; a month word of another
language fails its row, never guessed."""

from __future__ import annotations

from datetime import date

import pytest
from babel.dates import get_month_names

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog
from jobs.mapping import Mapping, MappingError
from jobs.transforms import parse_date, parse_datetime
from tests.test_mapping import catalog  # noqa: F401  (fixture)
from tests.test_mapping_rules import BASE, mapper

LOCALES = ("fr", "es", "de", "it", "pt", "nl", "sw", "pl", "sv", "tr")
# the pattern, and how a date is written by it with the month word ``{m}``
PATTERNS = {"%d %B %Y": "{d} {m} {y}", "%d. %B %Y": "{d}. {m} {y}",
            "%d de %B de %Y": "{d} de {m} de {y}"}
DAYS = [date(2026, month, 1 + (7 * month) % 28) for month in range(1, 13)]


def _grid() -> list[tuple[str, str, str, date]]:
    out = []
    for locale in LOCALES:
        for width in ("wide", "abbreviated"):
            names = get_month_names(width, "format", locale)
            for day in DAYS:
                word = names[day.month]
                forms = {word, word.rstrip(".")}
                for form in forms:
                    for case in (str.lower, str.upper, str.title):
                        for pattern, shape in PATTERNS.items():
                            text = shape.format(d=day.day, m=case(form), y=day.year)
                            out.append((locale, pattern, text, day))
    return out


GRID = _grid()


def test_the_grid_reads_every_cell_to_its_date() -> None:
    wrong = [(loc, p, t) for loc, p, t, day in GRID
             if parse_date(t, [p], locale=loc) != day.isoformat()
             or parse_datetime(t, [p], locale=loc) != f"{day.isoformat()}T00:00:00Z"]
    assert len(GRID) > 8 * 2 * 3 * 3 * 12
    assert not wrong, (len(wrong), wrong[:5])


def test_without_a_locale_only_english_names_read() -> None:
    """The grid's cells without ``date_locale``: none but those spelled as English reads."""
    english = {n.lower() for n in get_month_names("wide", "format", "en").values()}
    english |= {n.lower() for n in get_month_names("abbreviated", "format", "en").values()}
    for loc, p, t, day in GRID[::7]:
        try:
            got = parse_date(t, [p])
        except InputError:
            continue
        assert got == day.isoformat() and any(w in t.lower().split() for w in english), (loc, t)


@pytest.mark.parametrize(("locale", "text"), [
    ("fr", "5 March 2026"), ("fr", "5 mayo 2026"), ("es", "5 mars 2026"),
    ("de", "5 décembre 2026"), ("sw", "5 Dezember 2026"), ("it", "5 January 2026")])
def test_a_month_of_another_language_fails_naming_the_word(locale: str, text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_date(text, ["%d %B %Y"], locale=locale)
    word = text.split()[1]
    assert f"{word!r} is no month or weekday name of date_locale {locale!r}" \
        in info.value.reason


@pytest.mark.parametrize(("locale", "text", "want"), [
    ("fr", "5 fevrier 2026", "2026-02-05"), ("fr", "15 aout 2026", "2026-08-15"),
    ("de", "3. Marz 2026", "2026-03-03"), ("fr", "5 janv 2026", "2026-01-05"),
    ("de", "31. Dez 2026", "2026-12-31"), ("fr", "lundi 2 mars 2026", "2026-03-02"),
    ("en", "25th of June 2027", "2027-06-25")])
def test_accents_dots_and_weekdays(locale: str, text: str, want: str) -> None:
    pattern = "%A %d %B %Y" if text.startswith("lundi") else (
        "%d. %B %Y" if ". " in text else "%d %B %Y")
    assert parse_date(text, [pattern], locale=locale) == want


def test_no_such_day_fails() -> None:
    with pytest.raises(InputError, match="no such day"):
        parse_date("30 février 2026", ["%d %B %Y"], locale="fr")


def test_the_mapping_reads_a_column_by_its_locale_and_fails_a_row_of_another(
        catalog: Catalog) -> None:  # noqa: F811
    m = mapper(catalog, 'expected_close_date = "Close"',
               'date_formats = ["%d de %B de %Y"]\ndate_locale = "es"')
    row = SourceRow(7, 8, {"id": "k1", "t": "Deal", "Close": "19 de mayo de 2025"})
    assert m.map(row).deal["expected_close_date"] == "2025-05-19"
    with pytest.raises(InputError) as info:
        m.map(SourceRow(9, 10, {"id": "k2", "t": "Deal", "Close": "19 de June de 2025"}))
    assert info.value.row == 9 and "'June' is no month" in info.value.reason


def test_an_unknown_locale_is_a_mapping_error() -> None:
    with pytest.raises((MappingError, InputError, ValueError)) as info:
        Mapping.loads(BASE.format(deal="", defaults='date_locale = "xx_QQ"'))
    assert "no locale the Unicode CLDR knows" in str(info.value)
