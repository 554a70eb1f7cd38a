"""init-mapping's date columns no proposed pattern reads a cell of (x52r12 F3): 11 of 48
date columns (a weekday before the date ``Tue 10/17/2028``, ``Monday 10 February 2020``;
spaces around the separators ``05 / 01 / 2030``; a trailing dot ``20.11.2028.``;
ordinals ``6th May 2023``; French month names ``7 juillet 2026``; an ISO week
``2028-W25-3``) were mapped with no formats and no TODO, and the plan failed 60 of 60
rows ``not a date ... (tried ISO)`` with no hint.

``spelled_pattern``: the one pattern of ``SPELLED`` that reads every sampled cell of a
column, proposed as its ``formats`` (none when no pattern or two orders read them all:
never a guess). ``silent_dates_todo``: the TODO of a column whose sampled cells none
reads, naming it and a cell, when no other TODO named them.

Pure: strptime only (its %a / %A / %B read English names, as the import's parse_date).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

# spelled forms no other proposal reads: one pattern each, both orders where the numbers
# may be either (``_one_reading`` refuses a column two of them read)
SPELLED = ("%a %m/%d/%Y", "%a %d/%m/%Y", "%a %m-%d-%Y", "%a %d-%m-%Y", "%a %d.%m.%Y",
           "%A %d %B %Y", "%A, %d %B %Y", "%A %B %d, %Y", "%A, %B %d, %Y", "%a, %b %d, %Y",
           "%d / %m / %Y", "%m / %d / %Y", "%d - %m - %Y", "%m - %d - %Y", "%d . %m . %Y",
           "%d.%m.%Y.")


def _read(value: str, pattern: str) -> datetime | None:
    try:
        return datetime.strptime(value.strip(), pattern)
    except ValueError:
        return None


def spelled_fits(values: Sequence[str]) -> list[str]:
    """The patterns of ``SPELLED`` that read every one of ``values`` (a column's sampled
    cells, blanks left out); [] when there is no value."""
    cells = [v for v in values if v.strip()]
    return [p for p in SPELLED if cells and all(_read(v, p) is not None for v in cells)]


def spelled_pattern(values: Sequence[str]) -> str | None:
    """The pattern of ``SPELLED`` that reads every one of ``values``, or None: none reads
    them all, or two that read one cell as two dates do (``Tue 01/02/2026``: day or month
    first, the cells not telling; ``silent_dates_todo`` names both)."""
    fits = spelled_fits(values)
    if not fits or any(_read(v, p) != _read(v, fits[0]) for p in fits[1:] for v in values
                       if v.strip()):
        return None
    return fits[0]


def silent_dates_todo(column: str, cells: Sequence[str], count: int,
                      foreign: bool = False) -> str:
    """The TODO of date column ``column`` none of whose ``count`` sampled cells (``cells``:
    the distinct ones) any proposed pattern reads (ISO 8601 included): the patterns of
    ``SPELLED`` that read them all when the cells cannot tell their order; ``foreign``:
    they name the month in another language (no pattern reads them)."""
    shown = ", ".join(repr(v) for v in cells[:3]) + (", …" if len(cells) > 3 else "")
    fits = spelled_fits(cells)
    if len(fits) > 1:
        how = (f"keep the one of {' or '.join(repr(f) for f in fits)} they are written in "
               "(the sampled cells cannot tell day first from month first) as `formats` of "
               "its line")
    elif foreign:
        how = ("they name the month in another language (strptime's %B and %b read "
               "English names only): set date_locale = \"fr\" (their language's CLDR "
               "code) under [defaults] and add `formats` with a pattern that reads them "
               "(e.g. '%d %B %Y')")
    else:
        how = ("add `formats` to its line with a strptime pattern that reads them (e.g. "
               "'%a %d/%m/%Y' for 'Tue 17/10/2028')")
    return (f"no date pattern was found that reads the sampled values of {column!r} "
            f"({shown}: none of its {count:,} sampled cells reads as a date): {how}, or "
            "write them in the file as YYYY-MM-DD (their rows fail as \"not a date\" "
            "until then)")
