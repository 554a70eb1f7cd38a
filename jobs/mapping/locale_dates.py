"""init-mapping's ``date_locale`` (y54r2 F6; f54c left it a TODO): the language a date
column's month and weekday names are written in, told from its sampled cells.

``name_formats``: the patterns of ``LOCALE_PATTERNS`` (``%d de %B de %Y``, a weekday
before the date ...) that read a column's cells under one locale, the majority first and
a minor form only when it reads a real share (y55r1 F5) — init-mapping's proposal per CLDR
locale of ``COMMON_LOCALES`` and the plan's ``date_formats`` hint alike (y55r1 F4).
``locale_choice``: the one locale that reads the most of them — and every sampled cell
that names a month in some language but English — or, when several read as many, their
names for the user to pick. Never a guess: a proposal reads every such cell; cells no
pattern of it reads (an English ``30 January 2026`` in a French column) are named.

Pure: Babel's CLDR data (``transforms.month_locale``) and strptime.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date, get_date_format, get_month_names

from bulk.errors import InputError

from ..transforms import parse_date
from ..transforms.month_locale import COMMON_LOCALES, OTHER_SCRIPT_LOCALES, has_month_name, locale_readings

__all__ = ["LOCALE_PATTERNS", "LocaleChoice", "cldr_patterns", "locale_choice", "locale_dates",
           "name_formats", "named_in"]

# how dates with a month's name are written (``%B`` reads abbreviations too under a locale)
LOCALE_PATTERNS = ("%d %B %Y", "%d. %B %Y", "%d de %B de %Y", "%d %B, %Y", "%B %d, %Y",
                   "%d-%B-%Y", "%A %d %B %Y", "%A, %d %B %Y", "%A %d. %B %Y",
                   "%A, %d. %B %Y", "%A %d de %B de %Y", "%A, %d de %B de %Y",
                   "%A, %B %d, %Y", "%d %B %Y %H:%M", "%Y年%B%d日", "%Y. %B %d.")
_WINDOW = (1900, 2100)


# a CLDR date pattern's parts: a quoted literal, a run of one field letter, any other char
_CLDR_TOKEN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|.", re.S)
# CLDR fields as strptime reads them under a locale (%B reads abbreviations, %A them too)
_CLDR_FIELDS = {"y": "%Y", "yyyy": "%Y", "d": "%d", "dd": "%d", "MMMM": "%B", "MMM": "%B",
                "LLLL": "%B", "LLL": "%B", "EEEE": "%A", "EEE": "%A", "EE": "%A", "E": "%A",
                "cccc": "%A", "ccc": "%A"}


def _cldr_strptime(pattern: str, locale: str) -> str | None:
    """The strptime pattern of the CLDR date ``pattern`` of ``locale`` (``y年M月d日EEEE``
    -> ``%Y年%B%d日%A``): a numeric month before the literal every month name of
    ``locale`` ends with (``M月``, the names being ``一月``, ``7月``) is the name; an era
    (``G``) the literal CLDR writes for this era. None when a field has no such reading
    (a numeric month of no name: ``y/MM/dd`` is read without any locale)."""
    names = [n for width in ("wide", "abbreviated")
             for n in get_month_names(width, "format", locale).values()]
    tokens = [t[0] for t in _CLDR_TOKEN.finditer(pattern)]
    out: list[str] = []
    skip = False
    for i, text in enumerate(tokens):
        if skip:
            skip = False
            continue
        if text.startswith("'"):
            out.append((text[1:-1].replace("''", "'") if len(text) > 2 else "'")
                       .replace("%", "%%"))
        elif text[0].isascii() and text[0].isalpha():
            field = _CLDR_FIELDS.get(text)
            if text in ("M", "MM", "L", "LL") and i + 1 < len(tokens) and len(
                    after := tokens[i + 1]) == 1 and all(n.endswith(after) for n in names):
                field, skip = "%B", True
            elif text[0] == "G":
                field = format_date(date(2026, 1, 1), text, locale=locale).replace("%", "%%")
            if field is None:
                return None
            out.append(field)
        else:
            out.append(text.replace("%", "%%"))
    return "".join(out)


# a field with the pattern's own text of another script than Latin glued to it (``%Y년``)
_GLUED = re.compile(r"[^\s\x00-\x7f]%[A-Za-z]|%[A-Za-z][^\s\x00-\x7f]")


@functools.lru_cache(maxsize=128)
def cldr_patterns(locale: str) -> tuple[str, ...]:
    """The strptime patterns of ``locale``'s own CLDR date patterns (Babel's
    ``get_date_format`` full, long and medium) with a month's name (v56r1 F4: ``y년 MMMM
    d일`` under ``ko``, ``སྤྱི་ལོ་y MMMMའི་ཚེས་d`` under ``bo``; ``LOCALE_PATTERNS`` had
    none of them, and init-mapping proposed nothing for such a column). Where the pattern
    writes its own text glued to a field (``년`` after ``y``), the same pattern with its
    spaces left out is listed after it: ``2026년7월2일`` by ``%Y년%B%d일``."""
    out: dict[str, None] = {}
    for width in ("full", "long", "medium"):
        fmt = _cldr_strptime(get_date_format(width, locale).pattern, locale)
        if fmt is None or "%B" not in fmt:
            continue
        out[fmt] = None
        if _GLUED.search(fmt) and re.search(r"\s", fmt):
            out[re.sub(r"\s+", "", fmt)] = None
    return tuple(out)


def _patterns(locale: str | None) -> tuple[str, ...]:
    """The patterns tried on a column's month-name dates under ``locale``:
    ``LOCALE_PATTERNS`` first, then the locale's own (``cldr_patterns``)."""
    if locale is None:
        return LOCALE_PATTERNS
    return tuple(dict.fromkeys([*LOCALE_PATTERNS, *cldr_patterns(locale)]))


def _reads(cell: str, pattern: str, locale: str | None) -> bool:
    try:
        return parse_date(cell, [pattern], window=_WINDOW, locale=locale) is not None
    except InputError:
        return False


def named_in(cell: str, locale: str) -> bool:
    """Whether ``cell`` has a month name of ``locale`` (a cheap test before the patterns):
    at the edges of its words, or where a pattern tried under ``locale`` bounds it with its
    own text (``2026年七月2日``: v56r1 F4)."""
    return has_month_name(cell, locale, _patterns(locale))


@dataclass(frozen=True, slots=True)
class LocaleChoice:
    """What the sampled month names of date columns tell of ``date_locale``."""

    locale: str | None  # the one that reads them; None when several do (``tied``)
    tied: tuple[str, ...]  # the locales reading as many cells (several: the user picks)
    formats: dict[str, list[str]]  # column -> the patterns that read its cells under it
    unread: dict[str, list[str]]  # column -> its cells with a name no pattern reads


def _real_share(part: int, whole: int) -> bool:
    """A form read by ``part`` of ``whole`` cells is listed beside the majority's: 3 cells
    or more, or 2 that are 2 % of them (``starter._real_share``'s rule, README)."""
    return part >= 3 or (part >= 2 and 50 * part >= whole)


def name_formats(cells: Sequence[str], locale: str | None) -> tuple[list[str], list[str]]:
    """The patterns of ``LOCALE_PATTERNS`` and of ``locale``'s own CLDR date patterns
    (``cldr_patterns``, v56r1 F4) that read ``cells`` (a column's dates with a month's
    name) under ``locale`` (None: English, as strptime reads it) — init-mapping's
    proposal and the plan's hint alike (y55r1 F4) — and the cells none of them reads.

    The cells each pattern reads are counted first; a cell two patterns read counts for the
    one that reads more of the column. The patterns are listed the majority first, and
    beside it only one reading a real share of the cells (3, or 2 that are 2 %): one cell
    of another form (German ``7. Mai 2026``, French ``mai`` too, among 30 French weekday
    dates) is named among the unread cells, never proposed, let alone first (y55r1 F5)."""
    tried = _patterns(locale)
    used: list[str] = []
    readers: dict[str, list[str]] = {}
    for cell in cells:
        if locale is not None and not named_in(cell, locale):
            continue
        # the first pattern reading each cell (cheap: most cells are read by the first
        # tried), then every pattern so found is tried on every cell, to count them
        pattern = next((p for p in [*used, *tried] if _reads(cell, p, locale)),
                       None)
        if pattern is not None:
            readers[cell] = [pattern]
            if pattern not in used:
                used.append(pattern)
    if len(used) > 1:
        for cell, read in readers.items():
            read += [p for p in used if p not in read and _reads(cell, p, locale)]
    reads = Counter(p for read in readers.values() for p in read)

    def rank(pattern: str) -> tuple[int, int]:
        return -reads[pattern], tried.index(pattern)

    counted = Counter(min(read, key=rank) for read in readers.values())
    ordered = sorted(counted, key=lambda p: (-counted[p], tried.index(p)))
    kept = [p for i, p in enumerate(ordered)
            if i == 0 or _real_share(counted[p], len(cells))]
    unread = [c for c in cells if not any(p in kept for p in readers.get(c, ()))]
    return kept, unread


def locale_choice(columns: Mapping[str, Sequence[str]]) -> LocaleChoice | None:
    """The ``date_locale`` of ``columns`` (column -> its sampled cells that name a month in
    no English way: strptime's %B left them unread); None when no common locale reads a
    cell of them. The locale whose patterns read the most cells is chosen when no other
    reads as many; the cells it leaves unread are named, for the user to fix. The
    languages of ``OTHER_SCRIPT_LOCALES`` (Tibetan, Khmer, Lao ...: v56r1 F4) are tried
    when no common one reads every cell."""
    cells = {c: [v for v in dict.fromkeys(vs) if v.strip()] for c, vs in columns.items()}
    scores: dict[str, tuple[int, dict[str, list[str]], dict[str, list[str]]]] = {}
    total = sum(len(vs) for vs in cells.values())
    for locale in (*COMMON_LOCALES, *OTHER_SCRIPT_LOCALES):
        if locale in OTHER_SCRIPT_LOCALES and scores and max(
                s[0] for s in scores.values()) == total:
            break  # (the languages of other scripts: when no common one reads them all)
        if locale == "en" or not any(named_in(v, locale) for vs in cells.values()
                                     for v in vs):
            continue
        formats: dict[str, list[str]] = {}
        unread: dict[str, list[str]] = {}
        read = 0
        for column, values in cells.items():
            formats[column], unread[column] = name_formats(values, locale)
            read += len(values) - len(unread[column])
        if read:
            scores[locale] = (read, formats, unread)
    if not scores:
        return None
    best = max(s[0] for s in scores.values())
    tied = tuple(loc for loc, s in scores.items() if s[0] == best)
    if len({loc.split("_")[0] for loc in tied}) == 1:  # pt and pt_PT: one language, its
        tied = (min(tied, key=len),)  # names the same for these cells: the language's code
    _, formats, unread = scores[tied[0]]
    return LocaleChoice(tied[0] if len(tied) == 1 else None, tied,
                        {c: f for c, f in formats.items() if f},
                        {c: u for c, u in unread.items() if u})


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _quoted(values: Sequence[str]) -> str:
    return ", ".join(repr(v) for v in values[:3]) + (", …" if len(values) > 3 else "")


def locale_dates(named: Mapping[str, Sequence[str]], others: Mapping[str, Sequence[str]]
                 ) -> tuple[list[str], dict[str, str], str | None, dict[str, list[str]]]:
    """init-mapping's ``date_locale`` for the date columns ``named`` (column -> its sampled
    cells, most of them a month's name of another language than English): the
    ``[defaults]`` lines, a TODO per column when several locales read its cells alike
    (no pattern proposed), the locale proposed (or None) and each column's own formats
    under it. ``others``: the other date columns' cells; one with an English month name
    the locale does not read keeps it from being proposed (``date_locale`` is the whole
    mapping's), and each named column gets a TODO instead."""
    if not named or (choice := locale_choice(dict(named))) is None:
        return [], {}, None, {}
    columns = ", ".join(repr(c) for c in named)
    if choice.locale is None:
        picks = " or ".join(f'"{loc}"' for loc in choice.tied)
        todos = {c: (f"the month names of {c!r} ({_quoted(list(named[c]))}) read under "
                     f"date_locale {picks} alike: set date_locale under [defaults] to the "
                     f"language they are written in, and give its line its own formats = "
                     f"[{', '.join(map(_toml, choice.formats.get(c, [])))}] (their "
                     "rows fail as \"not a date\" until then)") for c in named}
        return [], todos, None, {}
    locale = choice.locale
    english = next((v for vs in others.values() for v in vs
                    if locale_readings(v, "%B", "en") and not locale_readings(v, "%B", locale)),
                   None)
    if english is not None:
        todos = {c: (f"the month names of {c!r} ({_quoted(list(named[c]))}) read under "
                     f'date_locale "{locale}", but another date column has English ones '
                     f"({english!r}) that it would no longer read (one date_locale reads "
                     "one language for the whole mapping): write one of the columns' "
                     "months as numbers in the file, or import them apart (their rows fail "
                     "as \"not a date\" until then)") for c in named}
        return [], todos, None, {}
    lines = [f'date_locale = "{locale}"  # the month / weekday names of {columns} are CLDR '
             f'"{locale}" ones (init-mapping read every sampled one under it): %B, %b, %A '
             "and %a read that language's names only"]
    return lines, {}, locale, {c: f for c, f in choice.formats.items() if c in named}
