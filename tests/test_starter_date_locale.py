"""init-mapping tells ``date_locale`` from a date column's month names (y54r2 F6; f54c
left a TODO naming the option): one language reads the sampled cells — its CLDR code is
proposed under ``[defaults]`` and the column gets the patterns that read them under it
(``de`` / ``de`` literal words, a weekday first); several read them alike — they are
named and the user picks; English cells among them are named as cells to fix. A seeded
grid of nine languages; each proposal is read back: the mapping the starter writes reads
every sampled cell of the language to the date built for it."""

from __future__ import annotations

import random
import tomllib
from datetime import date

import pytest
from babel.dates import get_day_names, get_month_names

from jobs import transforms as tf
from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping, init_mapping
from tests.test_mapping import RAW_FIELDS

HEADER = ["Record ID", "Deal Name", "Closing Date"]
SHAPES = {"fr": "{d} {m} {y}", "es": "{d} de {m} de {y}", "pt": "{d} de {m} de {y}",
          "de": "{d}. {m} {y}", "it": "{d} {m} {y}", "nl": "{d} {m} {y}",
          "pl": "{d} {m} {y}", "tr": "{d} {m} {y}", "sv": "{d} {m} {y}"}


def _column(locale: str, seed: int, weekdays: bool) -> dict[str, date]:
    rng = random.Random(seed)
    months = get_month_names("wide", "format", locale)
    days = get_day_names("wide", "format", locale)
    out = {}
    for _ in range(30):
        day = date(rng.choice([2026, 2027]), rng.randint(1, 12), rng.randint(1, 28))
        cell = SHAPES[locale].format(d=day.day, m=months[day.month], y=day.year)
        if weekdays and rng.random() < 0.4:
            cell = f"{days[day.weekday()]} {cell}"
        out[cell] = day
    return out


def _starter(cells: list[str]) -> str:
    catalog = Catalog.from_api(pipelines=[{"id": 1, "name": "Sales"}], stages=[], users=[],
                               deal_fields=RAW_FIELDS)
    samples = {"Record ID": ["1"], "Deal Name": ["A"], "Closing Date": cells}
    return init_mapping(HEADER, catalog, samples=samples)


@pytest.mark.parametrize("weekdays", [False, True])
@pytest.mark.parametrize("locale", sorted(SHAPES))
def test_the_language_is_proposed_and_reads_every_cell(locale: str, weekdays: bool) -> None:
    column = _column(locale, 55, weekdays)
    text = _starter(list(column))
    spec = tomllib.loads(text)
    assert spec["defaults"].get("date_locale") == locale, text
    field = spec["deal"]["expected_close_date"]
    formats = field["formats"]
    assert ("%A" in " ".join(formats)) == (weekdays and any(
        not c[0].isdigit() for c in column)), formats
    got = {c: tf.parse_date(c, formats, locale=locale) for c in column}
    assert got == {c: d.isoformat() for c, d in column.items()}, text
    assert "TODO" not in text.split("[deal]")[1].split("expected_close_date")[0], text
    compile_mapping(Mapping.loads(text), Catalog.from_api(
        pipelines=[{"id": 1, "name": "Sales"}], stages=[], users=[], deal_fields=RAW_FIELDS))


def test_english_cells_among_them_are_named_to_fix() -> None:
    column = _column("fr", 7, True)
    text = _starter([*column, "30 January 2026", "3 March 2027"])
    assert 'date_locale = "fr"' in text
    assert "'30 January 2026'" in text and "fix them in the file" in text, text


def test_several_languages_alike_are_named_and_none_is_guessed() -> None:
    """``mayo`` and ``abril`` are Spanish and Filipino month names alike."""
    text = _starter(["5 mayo 2026", "6 abril 2027", "7 mayo 2027"])
    assert "date_locale" not in tomllib.loads(text)["defaults"]
    assert 'read under date_locale "es" or "fil" alike' in text, text
    assert 'formats = ["%d %B %Y"]' in text


def test_the_todos_of_f6_are_gone() -> None:
    """y54r2 F6: 'e.g. with %H:%M for a time' for weekday prefixes; '%a %d/%m/%Y' and no
    date_locale for '7 de noviembre de 2027'."""
    for cells in (list(_column("fr", 3, True)), list(_column("es", 4, False))):
        text = _starter(cells)
        assert "%H:%M for a time" not in text and "%a %d/%m/%Y" not in text, text
        assert "date_locale = " in text
