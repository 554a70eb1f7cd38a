"""Month and weekday names of one named language (``[defaults] date_locale = "fr"``), read
from the Unicode CLDR through Babel (x53r5 F6: ``5 mars 2026``, ``19 de mayo de 2025``,
``5 Disemba 2027``, ``31. Dezember 2026`` failed 40 of 40 rows; strptime's ``%B`` / ``%b``
read English names only, whatever the process locale).

Under a locale, ``%B`` and ``%b`` read that language's month names — wide and abbreviated,
format (the genitive a date writes: ``marca``, ``joulukuuta``) and stand-alone forms
(Babel's ``get_month_names``) — and ``%A`` / ``%a`` its weekday names, full or
abbreviated alike (``févr`` under ``%B``, ``février`` under ``%b``: one month either way):

- case is ignored (``MARS``, ``Mars``, ``mars``);
- an abbreviation's dot may be written or not (``janv.``, ``janv``, ``Dez.``, ``Dez``);
- a word written without its accents (``fevrier``, ``aout``, ``Marz``) is the month only
  when no other month or weekday of the language reads so;
- a word that names a month and a weekday (Spanish ``mar``: marzo, martes) is the month
  under a pattern with no weekday, and neither under one with ``%a`` / ``%A``;
- a month word of another language, English included (``March`` under ``fr``), is no
  month: the cell fails its row, never guessed.

Pure but for Babel's locale data, loaded once per locale.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from collections.abc import Mapping

from babel import Locale, UnknownLocaleError
from babel.dates import get_day_names, get_month_names

__all__ = ["locale_name", "locale_readings", "month_number", "month_words",
           "unknown_month_words"]

_WORD = re.compile(r"[^\W\d_]+\.?")
_MONTH_DIRECTIVES = re.compile(r"%[bB]")
_DAY_DIRECTIVES = re.compile(r"%[aA]")


def _folded(word: str) -> str:
    return unicodedata.normalize("NFC", word.rstrip(".").casefold())


def _bare(word: str) -> str:
    # Turkish dotless i (U+0131): 'MAYIS' case-folds to 'mayis', CLDR writes it dotless
    return "".join(c for c in unicodedata.normalize("NFD", word.replace("\u0131", "i"))
                   if not unicodedata.combining(c))


def locale_name(name: str) -> str:
    """``name`` (``"fr"``, ``"pt_BR"``, ``"de-AT"``) as Babel names the CLDR locale;
    ValueError naming it when CLDR has no such locale."""
    try:
        return str(Locale.parse(name.strip().replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise ValueError(f"{name!r} is no locale the Unicode CLDR knows (name the language "
                         "of the month names as 'fr', 'es', 'de', 'pt_BR' ...)") from exc


@functools.lru_cache(maxsize=32)
def _words(locale: str) -> tuple[Mapping[str, int], Mapping[str, str]]:
    """(month word -> 1-12, weekday word -> its English name) of ``locale``: every CLDR
    form, case-folded, its final dot dropped; the forms without accents added where they
    read one word only."""
    months: dict[str, int] = {}
    days: dict[str, str] = {}
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in get_month_names(width, context, locale).items():
                months[_folded(name)] = number
            for number, name in get_day_names(width, context, locale).items():
                days[_folded(name)] = calendar.day_name[number]
    taken = set(months) | set(days)
    bare_months: dict[str, set[int]] = {}
    bare_days: dict[str, set[str]] = {}
    for key, month in months.items():
        bare_months.setdefault(_bare(key), set()).add(month)
    for key, day in days.items():
        bare_days.setdefault(_bare(key), set()).add(day)
    for key, meant in bare_months.items():
        if key not in taken and len(meant) == 1 and key not in bare_days:
            months[key] = next(iter(meant))
    for key, named in bare_days.items():
        if key not in taken and len(named) == 1 and key not in bare_months:
            days[key] = next(iter(named))
    return months, days


def month_number(word: str, locale: str) -> int | None:
    """The month (1-12) ``word`` names in ``locale``, or None."""
    return _words(locale)[0].get(_bare_key(word, locale))


def _bare_key(word: str, locale: str) -> str:
    key = _folded(word)
    months, days = _words(locale)
    return key if key in months or key in days else _bare(key)


def month_words(locale: str) -> list[str]:
    """``locale``'s wide month names as a date writes them (for messages)."""
    return list(get_month_names("wide", "format", locale).values())


def locale_readings(text: str, fmt: str, locale: str) -> list[tuple[str, str]]:
    """The (text, pattern) pairs strptime reads ``text`` by as ``fmt`` under ``locale``:
    each month word of ``locale`` written as its number and ``%B`` / ``%b`` as ``%m``,
    each weekday word as its English name and ``%a`` as ``%A``; an abbreviation's dot
    taken with its word, or left to the pattern (``%d. %b. %Y``). [] when ``fmt`` names
    no month."""
    if not _MONTH_DIRECTIVES.search(fmt):
        return []
    months, days = _words(locale)
    if _DAY_DIRECTIVES.search(fmt):  # a word of both (Spanish 'mar': marzo, martes) is
        days = {k: v for k, v in days.items() if k not in months}  # neither: never guessed
        months = {k: v for k, v in months.items() if k not in days and k not in _words(
            locale)[1]}
    else:
        days = {}  # no weekday in the pattern: its words are months only
    pattern = _DAY_DIRECTIVES.sub("%A", _MONTH_DIRECTIVES.sub("%m", fmt))
    out: list[tuple[str, str]] = []
    for keep_dot in (False, True):
        def swap(m: re.Match[str], keep: bool = keep_dot) -> str:
            word = m[0]
            dot = "." if keep and word.endswith(".") else ""
            key = _folded(word)
            if key not in months and key not in days:
                key = _bare(key)
            if key in months:
                return f"{months[key]}{dot}"
            if key in days:
                return f"{days[key]}{dot}"
            return word
        read = _WORD.sub(swap, text)
        if (read, pattern) not in out:
            out.append((read, pattern))
    return out


def unknown_month_words(text: str, locale: str) -> list[str]:
    """The words of ``text`` of three letters or more that are no month or weekday of
    ``locale`` (``March`` under ``fr``): for a refusal's message."""
    months, days = _words(locale)
    return [w.rstrip(".") for w in _WORD.findall(text)
            if len(w.rstrip(".")) >= 3 and _folded(w) not in months
            and _folded(w) not in days and _bare(_folded(w)) not in months
            and _bare(_folded(w)) not in days]
