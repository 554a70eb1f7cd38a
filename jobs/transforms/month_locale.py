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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from babel.dates import get_day_names, get_month_names

__all__ = ["COMMON_LOCALES", "OTHER_SCRIPT_LOCALES", "has_month_name", "locale_name",
           "locale_readings", "locales_naming", "month_number", "month_words",
           "unknown_month_words"]

# the languages a word of no date_locale is looked up in, and init-mapping tries for a
# column of month names (50 of the world's most written; CLDR codes)
COMMON_LOCALES = ("en", "fr", "es", "de", "it", "pt", "nl", "pl", "sv", "da", "nb", "fi",
                  "tr", "ru", "uk", "cs", "sk", "hu", "ro", "el", "bg", "hr", "sr", "sl",
                  "lt", "lv", "et", "ca", "eu", "gl", "ga", "cy", "sw", "id", "ms", "vi",
                  "fil", "zh", "ja", "ko", "th", "he", "ar", "fa", "hi", "bn", "ta", "af",
                  "is", "pt_PT")
# the languages of scripts written without spaces between words that COMMON_LOCALES leaves
# out (v56r1 F4; with zh, ja, ko, th they read every CLDR locale of those scripts: Han as
# Traditional Chinese and Cantonese write it, Tibetan, Yi, Khmer, Lao, Myanmar, Shan):
# init-mapping tries them when no common locale reads every sampled month name
OTHER_SCRIPT_LOCALES = ("zh_Hant", "yue", "bo", "dz", "ii", "km", "lo", "my", "shn")

_WORD = re.compile(r"[^\W\d_]+\.?")
_MONTH_DIRECTIVES = re.compile(r"%[bB]")
_DAY_DIRECTIVES = re.compile(r"%[aA]")
_NAME_DIRECTIVES = re.compile(r"%[aAbB]")
# a name's parts as a cell may join them: hyphens and spaces alike (``segunda-feira``,
# ``segunda feira``, ``tháng 1``), apostrophes of either shape (U+2019 or ``'``: ``d'abril``)
_JOINS = str.maketrans({"-": " ", "\u2010": " ", "\u2011": " ", "\u00a0": " ",
                        "\u202f": " ", "\u2009": " ", "\u2019": "'", "\u02bc": "'",
                        "\u2018": "'", "\u200c": "", "\u200d": "", "\u180e": ""})
_JOINERS = "\u200c\u200d\u180e"  # zero-width: dropped from names and cells alike
READINGS_TRIED = 48  # (month, weekday) choices one cell is read by, at most


@functools.lru_cache(maxsize=4096)  # a cell is matched against every locale tried
def _form(text: str, *, bare: bool) -> tuple[str, tuple[int, ...]]:
    """``text`` as names are matched (case-folded, decomposed, joins as one space; ``bare``:
    its accents dropped too) and, per character of it, the index in ``text`` it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, char in enumerate(text):
        folded = unicodedata.normalize("NFD", char.translate(_JOINS).casefold())
        if bare:
            folded = "".join(c for c in folded.replace("\u0131", "i")
                             if not unicodedata.combining(c))
        if folded == " " and out and out[-1] == " ":
            continue
        out.extend(folded)
        where.extend([i] * len(folded))
    return "".join(out), tuple(where)


def _key(name: str, *, bare: bool = False) -> str:
    return _form(name.strip().rstrip("."), bare=bare)[0].strip()


def _inside(char: str) -> str:
    """What a character is to a name's edge: ``"a"`` (a letter or a mark), ``"0"`` (a
    digit), ``""`` (anything else)."""
    cat = unicodedata.category(char)
    return "a" if cat[0] in "LM" else "0" if cat == "Nd" else ""


def locale_name(name: str) -> str:
    """``name`` (``"fr"``, ``"pt_BR"``, ``"de-AT"``) as Babel names the CLDR locale;
    ValueError naming it when CLDR has no such locale."""
    try:
        return str(Locale.parse(name.strip().replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise ValueError(f"{name!r} is no locale the Unicode CLDR knows (name the language "
                         "of the month names as 'fr', 'es', 'de', 'pt_BR' ...)") from exc


@dataclass(frozen=True, slots=True)
class _Names:
    """One locale's month and weekday names as cells are matched against them."""

    months: Mapping[str, int]  # key -> 1-12: every CLDR form, and its form without accents
    days: Mapping[str, str]  # key -> the weekday's English name (strptime's %A)
    both: frozenset[str]  # keys of a month and of a weekday (Spanish 'mar')
    exact: re.Pattern[str]  # finds the keys as written, longest first
    bare: re.Pattern[str]  # finds those written without accents


@dataclass(frozen=True, slots=True)
class _Found:
    start: int  # the name's span in the cell (its abbreviation's dot in or out)
    end: int
    month: int | None
    day: str | None
    key: str


def _finder(keys: set[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(k) for k in sorted(keys, key=lambda k: (-len(k), k)))
    return re.compile(f"(?=({alternatives}))" if alternatives else "(?!)")


@functools.lru_cache(maxsize=64)  # COMMON_LOCALES all held (init-mapping tries them)
def _names(locale: str) -> _Names:
    """``locale``'s names: every CLDR month form (wide and abbreviated, format and
    stand-alone) and weekday form, case-folded, its final dot dropped; the forms without
    accents where they name one month or weekday only and no form of another name is
    written so."""
    months: dict[str, set[int]] = {}
    days: dict[str, set[str]] = {}
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in get_month_names(width, context, locale).items():
                months.setdefault(_key(name), set()).add(number)
            for number, name in get_day_names(width, context, locale).items():
                days.setdefault(_key(name), set()).add(calendar.day_name[number])
    months.pop("", None)
    days.pop("", None)
    taken = set(months) | set(days)
    bare_months: dict[str, set[int]] = {}
    bare_days: dict[str, set[str]] = {}
    for key, meant in months.items():
        bare_months.setdefault(_key(key, bare=True), set()).update(meant)
    for key, named in days.items():
        bare_days.setdefault(_key(key, bare=True), set()).update(named)
    # a form naming two months (or two weekdays) of its language names none
    month_of = {k: next(iter(v)) for k, v in months.items() if len(v) == 1}
    day_of = {k: next(iter(v)) for k, v in days.items() if len(v) == 1}
    bare = {k for k, v in bare_months.items()
            if k not in taken and len(v) == 1 and k not in bare_days}
    bare |= {k for k, v in bare_days.items()
             if k not in taken and len(v) == 1 and k not in bare_months}
    month_of.update({k: next(iter(bare_months[k])) for k in bare if k in bare_months})
    day_of.update({k: next(iter(bare_days[k])) for k in bare if k in bare_days})
    return _Names(months=month_of, days=day_of, both=frozenset(set(months) & set(days)),
                  exact=_finder(taken), bare=_finder(bare))


# a strptime directive (``%%`` a literal percent sign)
_DIRECTIVE = re.compile(r"%(?:-?[a-zA-Z]|%)")


@dataclass(frozen=True, slots=True)
class _Glued:
    """A pattern's own literal text right before (``before``) and right after (``after``)
    its name directives, as far as no space parts it from them (``年`` in ``%Y年%B%d日``,
    ``འི་ཚེས་`` in ``%Bའི་ཚེས་%d``, ``ที่`` in ``%Aที่ %d``)."""

    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


_NOTHING_GLUED = _Glued()


@functools.lru_cache(maxsize=256)
def _glued(fmt: str) -> _Glued:
    """``fmt``'s literal text that bounds a name directive (``_Glued``): a name is found
    there though a letter of it touches the name (y55r1 F3: ``2026年七月2日`` by
    ``%Y年%B%d日`` failed as ``'年七月' is no month``)."""
    parts: list[str] = []  # literal, directive, literal, directive, ... literal
    last = 0
    for match in _DIRECTIVE.finditer(fmt):
        if match[0] == "%%":
            continue
        parts += [fmt[last:match.start()].replace("%%", "%"), match[0]]
        last = match.end()
    parts.append(fmt[last:].replace("%%", "%"))
    before: list[str] = []
    after: list[str] = []
    for i in range(1, len(parts), 2):
        if not _NAME_DIRECTIVES.fullmatch(parts[i]):
            continue
        if (lead := re.split(r"\s", parts[i - 1])[-1]) and lead not in before:
            before.append(lead)
        if (tail := re.split(r"\s", parts[i + 1])[0]) and tail not in after:
            after.append(tail)
    return _Glued(tuple(before), tuple(after))


def _found(text: str, names: _Names, glued: _Glued = _NOTHING_GLUED) -> list[_Found]:
    """Every month or weekday name of ``names`` in ``text``, at edges of words (``mars``
    not in ``marsupial``, ``1月`` not in ``11月``) — or where ``glued``, the pattern's own
    literal text, bounds it (``年七月`` by ``%Y年%B``: the pattern puts the name right
    after its ``年``; ``十二月`` is still no ``二月``): each with its abbreviation's dot,
    when one follows, and without it."""
    out: dict[tuple[int, int], _Found] = {}
    for bare, finder in ((False, names.exact), (True, names.bare)):
        form, where = _form(text, bare=bare)
        before = [_form(b, bare=bare)[0] for b in glued.before]
        after = [_form(a, bare=bare)[0] for a in glued.after]
        for match in finder.finditer(form):
            key = match[1]
            start, end = match.start(), match.start() + len(key)
            if (start and _inside(form[start - 1]) == _inside(key[0]) != ""
                    and not any(b and form.endswith(b, 0, start) for b in before)) or (
                    end < len(form) and _inside(form[end]) == _inside(key[-1]) != ""
                    and not any(a and form.startswith(a, end) for a in after)):
                continue
            first, last = where[start], where[end - 1] + 1
            while first and text[first - 1] in _JOINERS:  # a name's own (mni '\u200c…')
                first -= 1
            while last < len(text) and text[last] in _JOINERS:
                last += 1
            ends = (last, last + 1) if text[last:last + 1] == "." else (last,)
            for stop in ends:
                out.setdefault((first, stop), _Found(first, stop, names.months.get(key),
                                                     names.days.get(key), key))
    return list(out.values())


def month_number(word: str, locale: str) -> int | None:
    """The month (1-12) ``word`` names in ``locale``, or None."""
    names = _names(locale)
    return next((f.month for f in _found(word.strip(), names)
                 if f.month and f.start == 0 and f.end >= len(word.strip().rstrip("."))),
                None)


def has_month_name(text: str, locale: str, formats: Sequence[str] = ()) -> bool:
    """Whether ``text`` has a month name of ``locale`` at the edges of its words, or where
    the literal text of one of ``formats`` bounds it (``七月`` in ``2026年七月2日`` by
    ``%Y年%B%d日``, v56r1 F4: a word-edge test alone found none, and init-mapping proposed
    nothing for such a column)."""
    return any(f.month for f in _found(text, _names(locale), _all_glued(tuple(formats))))


@functools.lru_cache(maxsize=256)
def _all_glued(formats: tuple[str, ...]) -> _Glued:
    """The literal text every one of ``formats`` glues to its month directives, as one
    (a cheap test: where it finds a name, the patterns themselves are read after it)."""
    glues = [_glued(f) for f in formats if _MONTH_DIRECTIVES.search(f)]
    return _Glued(tuple(dict.fromkeys(b for g in glues for b in g.before)),
                  tuple(dict.fromkeys(a for g in glues for a in g.after)))


def month_words(locale: str) -> list[str]:
    """``locale``'s wide month names as a date writes them (for messages)."""
    return list(get_month_names("wide", "format", locale).values())


def locale_readings(text: str, fmt: str, locale: str) -> list[tuple[str, str]]:
    """The (text, pattern) pairs strptime reads ``text`` by as ``fmt`` under ``locale``:
    one month name of ``locale`` written as its number and ``%B`` / ``%b`` as ``%m``, one
    weekday name as its English name and ``%a`` as ``%A``; the longest names first (a
    name of several words, ``segunda-feira``, ``tháng 1``, before a word of it), an
    abbreviation's dot taken with its word or left to the pattern (``%d. %b. %Y``), the
    name's other words left to the pattern's own (``de``). At most ``READINGS_TRIED``;
    [] when ``fmt`` names no month or weekday, or ``text`` has none of ``locale`` where
    ``fmt`` has one (an English name is never read under another locale)."""
    if not _NAME_DIRECTIVES.search(fmt):
        return []
    names = _names(locale)
    with_month = _MONTH_DIRECTIVES.search(fmt) is not None
    with_day = _DAY_DIRECTIVES.search(fmt) is not None
    found = [f for f in _found(text, names, _glued(fmt))
             if not (with_month and with_day and f.key in names.both)]  # never guessed
    by_size = sorted(found, key=lambda f: (f.start - f.end, f.start))
    months: list[_Found | None] = [f for f in by_size if f.month] if with_month else [None]
    days: list[_Found | None] = [f for f in by_size if f.day] if with_day else [None]
    pattern = _DAY_DIRECTIVES.sub("%A", _MONTH_DIRECTIVES.sub("%m", fmt))
    out: list[tuple[str, str]] = []
    for month in months:  # none: no reading (strptime's %A would read English names)
        for day in days:
            if month and day and month.start < day.end and day.start < month.end:
                continue
            swaps = sorted(((f.start, f.end, f"{f.month:02d}" if f is month else str(f.day))
                            for f in (month, day) if f is not None), reverse=True)
            read = text
            for start, end, word in swaps:
                read = read[:start] + word + read[end:]
            if (read, pattern) not in out:
                out.append((read, pattern))
            if len(out) >= READINGS_TRIED:
                return out
    return out


def unknown_month_words(text: str, locale: str, formats: Sequence[str] = ()) -> list[str]:
    """The words of ``text`` of three letters or more that are no month or weekday name of
    ``locale``, nor part of one (``March`` under ``fr``): for a refusal's message. The
    literal text ``formats`` write beside their names is no part of a word (``July``, not
    ``年July``, in ``2026年July2日`` by ``%Y年%B%d日``: y55r1 F3)."""
    glued = [_glued(f) for f in formats if _NAME_DIRECTIVES.search(f)]
    spans = [(f.start, f.end) for g in glued or [_NOTHING_GLUED]
             for f in _found(text, _names(locale), g)]
    literals = sorted({lit for g in glued for lit in (*g.before, *g.after) if lit.strip()},
                      key=len, reverse=True)
    words = []
    for match in _WORD.finditer(text):
        start, end = match.start(), match.end()
        trimmed = True
        while trimmed:  # the patterns' own text at either end of the word
            trimmed = False
            for lit in literals:
                if text.startswith(lit, start) and start + len(lit) < end:
                    start, trimmed = start + len(lit), True
                if text.endswith(lit, start, end) and end - len(lit) > start:
                    end, trimmed = end - len(lit), True
        word = text[start:end].rstrip(".")
        if len(word) >= 3 and not any(s < end and start < e for s, e in spans):
            words.append(word)
    return words


def locales_naming(word: str, among: tuple[str, ...] = COMMON_LOCALES) -> list[str]:
    """The locales of ``among`` of which ``word`` (``January``, ``segunda-feira``) is a
    month or weekday name, whole: for the advice on a word of another language."""
    text = word.strip()
    return [loc for loc in among if any(
        f.start == 0 and f.end >= len(text.rstrip(".")) for f in _found(text, _names(loc)))]
