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

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bulk.errors import InputError

from ..transforms import parse_date
from ..transforms.month_locale import COMMON_LOCALES, locale_readings

__all__ = ["LOCALE_PATTERNS", "LocaleChoice", "locale_choice", "locale_dates", "name_formats",
           "named_in"]

# how dates with a month's name are written (``%B`` reads abbreviations too under a locale)
LOCALE_PATTERNS = ("%d %B %Y", "%d. %B %Y", "%d de %B de %Y", "%d %B, %Y", "%B %d, %Y",
                   "%d-%B-%Y", "%A %d %B %Y", "%A, %d %B %Y", "%A %d. %B %Y",
                   "%A, %d. %B %Y", "%A %d de %B de %Y", "%A, %d de %B de %Y",
                   "%A, %B %d, %Y", "%d %B %Y %H:%M", "%Y年%B%d日", "%Y. %B %d.")
_WINDOW = (1900, 2100)


def _reads(cell: str, pattern: str, locale: str | None) -> bool:
    try:
        return parse_date(cell, [pattern], window=_WINDOW, locale=locale) is not None
    except InputError:
        return False


def named_in(cell: str, locale: str) -> bool:
    """Whether ``cell`` has a month name of ``locale`` (a cheap test before the patterns)."""
    return bool(locale_readings(cell, "%B", locale))


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
    """The patterns of ``LOCALE_PATTERNS`` that read ``cells`` (a column's dates with a
    month's name) under ``locale`` (None: English, as strptime reads it) — init-mapping's
    proposal and the plan's hint alike (y55r1 F4) — and the cells none of them reads.

    The cells each pattern reads are counted first; a cell two patterns read counts for the
    one that reads more of the column. The patterns are listed the majority first, and
    beside it only one reading a real share of the cells (3, or 2 that are 2 %): one cell
    of another form (German ``7. Mai 2026``, French ``mai`` too, among 30 French weekday
    dates) is named among the unread cells, never proposed, let alone first (y55r1 F5)."""
    used: list[str] = []
    readers: dict[str, list[str]] = {}
    for cell in cells:
        if locale is not None and not named_in(cell, locale):
            continue
        # the first pattern reading each cell (cheap: most cells are read by the first
        # tried), then every pattern so found is tried on every cell, to count them
        pattern = next((p for p in [*used, *LOCALE_PATTERNS] if _reads(cell, p, locale)),
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
        return -reads[pattern], LOCALE_PATTERNS.index(pattern)

    counted = Counter(min(read, key=rank) for read in readers.values())
    ordered = sorted(counted, key=lambda p: (-counted[p], LOCALE_PATTERNS.index(p)))
    kept = [p for i, p in enumerate(ordered)
            if i == 0 or _real_share(counted[p], len(cells))]
    unread = [c for c in cells if not any(p in kept for p in readers.get(c, ()))]
    return kept, unread


def locale_choice(columns: Mapping[str, Sequence[str]]) -> LocaleChoice | None:
    """The ``date_locale`` of ``columns`` (column -> its sampled cells that name a month in
    no English way: strptime's %B left them unread); None when no common locale reads a
    cell of them. The locale whose patterns read the most cells is chosen when no other
    reads as many; the cells it leaves unread are named, for the user to fix."""
    cells = {c: [v for v in dict.fromkeys(vs) if v.strip()] for c, vs in columns.items()}
    scores: dict[str, tuple[int, dict[str, list[str]], dict[str, list[str]]]] = {}
    for locale in COMMON_LOCALES:
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
