"""Every CLDR month and weekday name reads under its own locale (y54r2 F3: pt's
``segunda-feira 26 de abril de 2027`` failed as ``'segunda', 'feira' are no month or
weekday name``). The grid is built from Babel's data — every month / weekday form (wide
and abbreviated, format and stand-alone) x three cases x accents dropped, with the names'
own hyphens, dots, spaces, apostrophes and digits — for 50 common locales in full and a
seeded sample of all the others; each cell's date is built from the month number (and the
weekday) Babel keys the name by, never read back through the code under test."""

from __future__ import annotations

import calendar
import random
import unicodedata
from datetime import date, timedelta

import pytest
from babel import localedata
from babel.dates import get_day_names, get_month_names

from bulk.errors import InputError
from jobs.transforms import parse_date, parse_datetime

COMMON = ("en", "fr", "es", "de", "it", "pt", "pt_PT", "nl", "pl", "sv", "da", "nb", "fi",
          "tr", "ru", "uk", "cs", "sk", "hu", "ro", "el", "bg", "hr", "sr", "sl", "lt", "lv",
          "et", "ca", "eu", "gl", "ga", "cy", "sw", "id", "ms", "vi", "fil", "zh", "ja", "ko",
          "th", "he", "ar", "fa", "hi", "bn", "ta", "af", "is")
FORMS = [(w, c) for w in ("wide", "abbreviated") for c in ("format", "stand-alone")]
CASES = (str.lower, str.upper, str.title)


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name.casefold().strip().rstrip("."))


def _bare(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", _fold(name).replace("\u0131", "i"))
                   if not unicodedata.combining(c))


def _cells(locale: str) -> list[tuple[str, str, date]]:
    """(pattern, cell, its date) for each name of ``locale`` that names one month (or one
    weekday) of it; its form without accents where no other name is written so."""
    months: dict[str, int] = {}
    days: dict[str, int] = {}
    for width, context in FORMS:
        for number, name in get_month_names(width, context, locale).items():
            months.setdefault(name.strip(), number)
        for number, name in get_day_names(width, context, locale).items():
            days.setdefault(name.strip(), number)
    month_keys: dict[str, set[int]] = {}
    day_keys: dict[str, set[int]] = {}
    for name, number in months.items():
        month_keys.setdefault(_fold(name), set()).add(number)
    for name, number in days.items():
        day_keys.setdefault(_fold(name), set()).add(number)
    taken = set(month_keys) | set(day_keys)
    bares: dict[str, set[tuple[str, int]]] = {}
    for kind, keys in (("m", month_keys), ("d", day_keys)):
        for key, numbers in keys.items():
            bares.setdefault(_bare(key), set()).update((kind, n) for n in numbers)

    def forms(name: str) -> list[str]:
        bare = _bare(name)
        alone = bare != _fold(name) and bare not in taken and len(bares[bare]) == 1
        return [case(form) for form in ([name, bare] if alone else [name]) for case in CASES]

    out = []
    for name, number in months.items():
        if len(month_keys[_fold(name)]) == 1:  # (a form of two months names none)
            day = date(2026, number, 1 + (3 * number + len(name)) % 28)
            out += [("%d %B %Y", f"{day.day} {form} {day.year}", day) for form in forms(name)]
    wide = get_month_names("wide", "format", locale)
    for name, number in days.items():
        key = _fold(name)
        # 2026-01-05 is a Monday, Babel's weekday 0 (calendar.MONDAY)
        day = date(2026, 1, 5) + timedelta(days=number + 7 * (len(name) % 40))
        month = _fold(wide[day.month])
        if len(day_keys[key]) > 1 or key in month_keys or len(month_keys[month]) > 1 \
                or month in day_keys:
            continue
        assert calendar.day_name[day.weekday()] == calendar.day_name[number]
        out += [("%A %d %B %Y", f"{form} {day.day} {wide[day.month]} {day.year}", day)
                for form in forms(name)]
    return out


def _wrong(locales: list[str] | tuple[str, ...]) -> list[tuple[str, str, str]]:
    wrong = []
    for locale in locales:
        for pattern, text, day in _cells(locale):
            try:
                got = parse_date(text, [pattern], locale=locale)
            except InputError as exc:
                got = exc.reason
            if got != day.isoformat():
                wrong.append((locale, text, got))
    return wrong


def test_every_name_of_50_common_locales_reads_to_its_date() -> None:
    cells = sum(len(_cells(loc)) for loc in COMMON)
    assert cells > 50 * 100
    wrong = _wrong(COMMON)
    assert not wrong, (len(wrong), wrong[:5])


def test_a_seeded_sample_of_every_other_babel_locale_reads_to_its_date() -> None:
    others = sorted(set(localedata.locale_identifiers()) - set(COMMON))
    assert len(others) > 700
    wrong = _wrong(random.Random(55).sample(others, 80))
    assert not wrong, (len(wrong), wrong[:5])


@pytest.mark.parametrize(("locale", "pattern", "text", "want"), [
    ("pt", "%A %d de %B de %Y", "segunda-feira 26 de abril de 2027", "2027-04-26"),
    ("pt", "%A %d de %B de %Y", "SEXTA-FEIRA 3 de abril de 2026", "2026-04-03"),
    ("pt", "%A %d de %B de %Y", "terca feira 7 de abril de 2026", "2026-04-07"),
    ("pt", "%A, %d de %B de %Y", "sábado, 4 de abril de 2026", "2026-04-04"),
    ("ca", "%d de %B de %Y", "5 de gener de 2026", "2026-01-05"),
    ("ca", "%d %B de %Y", "5 d\u2019abril de 2026", "2026-04-05"),
    ("ca", "%d %B de %Y", "5 d'abril de 2026", "2026-04-05"),
    ("vi", "%d %B %Y", "5 tháng 11 2026", "2026-11-05"),
    ("vi", "%d %B %Y", "5 thang 1 2026", "2026-01-05"),
    ("zh", "%Y年%B%d日", "2026年11月5日", "2026-11-05"),
    ("ja", "%Y年%B%d日", "2026年1月15日", "2026-01-15"),
    ("fr", "%A %d/%m/%Y", "mardi 26/01/2027", "2027-01-26"),
    ("de", "%a., %d. %b %Y", "Do., 3. Dez. 2026", "2026-12-03"),
    ("fr", "%d-%b-%Y", "05-janv.-2026", "2026-01-05"),
])
def test_names_of_several_words_and_punctuation(locale: str, pattern: str, text: str,
                                                 want: str) -> None:
    assert parse_date(text, [pattern], locale=locale) == want
    assert parse_datetime(text, [pattern], locale=locale) == f"{want}T00:00:00Z"


@pytest.mark.parametrize(("locale", "pattern", "text"), [
    ("fr", "%d %B %Y", "5 marsupial 2026"),  # a name inside a longer word is none
    ("zh", "%d %B %Y", "5 21月 2026"),  # nor 1月 after a digit
    ("pt", "%A %d de %B de %Y", "segunda 26 de abril de 2027"),  # no CLDR form
    ("pt", "%A %d de %B de %Y", "Monday 26 de abril de 2027"),  # never English
    ("fr", "%A %d/%m/%Y", "Tuesday 26/01/2027"),
    ("fr", "%d %B %Y", "5 March 2026"),
    ("es", "%a %d %b %Y", "mar 5 mar 2026"),  # marzo and martes: never guessed
])
def test_what_no_name_of_the_locale_reads_fails(locale: str, pattern: str, text: str) -> None:
    with pytest.raises(InputError):
        parse_date(text, [pattern], locale=locale)


def test_the_refusal_names_the_words_no_name_covers() -> None:
    with pytest.raises(InputError) as info:
        parse_date("Monday 26 de abril de 2027", ["%A %d de %B de %Y"], locale="pt")
    assert "'Monday' is no month or weekday name of date_locale 'pt'" in info.value.reason
