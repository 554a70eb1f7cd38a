"""Day and month order in date patterns: which patterns share an order, and a column's
formats read the other way round, and a 2-digit year written first (``year_first_twin``).
Pure string work on strptime patterns (no reading of cells, but ``year_first_hint``'s one
``strptime``); ``dates`` (hints), ``date_order`` (the column's evidence) and the mapping
spec (patterns listed in both orders) share it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

__all__ = ["date_part", "four_digit_year", "order_family", "reordered", "replacements",
           "swapped_pattern", "year_first_hint", "year_first_twin", "year_twins", "field_order"]

_TIME_DIRECTIVE = re.compile(r"%[HIMSfpzZ]")
_TIME_LEFTOVER = re.compile(r"^[\sT:.,@]+|[\sT:.,@]+$")


def swapped_pattern(pattern: str) -> str | None:
    """``pattern`` with its day and month directives exchanged (``%d/%m/%Y`` →
    ``%m/%d/%Y``), or None when it has not both."""
    if "%d" not in pattern or "%m" not in pattern:
        return None
    return pattern.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


# the field orders of a date with a 2-digit year that the guards tell apart (x51r2 F1)
_YEAR_ORDERS = (("%d", "%m", "%y"), ("%m", "%d", "%y"), ("%y", "%m", "%d"), ("%y", "%d", "%m"))
_ORDER_WORDS = {("%d", "%m", "%y"): "day, month, year", ("%m", "%d", "%y"): "month, day, year",
                ("%y", "%m", "%d"): "year, month, day", ("%y", "%d", "%m"): "year, day, month"}


def year_twins(pattern: str) -> list[str]:
    """``pattern`` with its 2-digit-year date (``%d/%m/%y``, ``%m-%d-%y``, ``%y.%m.%d``;
    separator ``/ - .`` or a space, a time after it kept) in each other field order of
    day first, month first and year first that moves the year (exchanging day and month
    alone is ``swapped_pattern``'s): ``%d/%m/%y`` → ``[%y/%m/%d]``, ``%m/%d/%y`` →
    ``[%y/%m/%d]``, ``%y/%m/%d`` → ``[%d/%m/%y, %m/%d/%y]``; [] for a pattern of no such
    date (x51r2 F1: the guard looked one way only)."""
    for sep in "/-. ":
        for order in _YEAR_ORDERS:
            if (written := sep.join(order)) not in pattern:
                continue
            swapped = swapped_pattern(pattern)
            twins = [pattern.replace(written, sep.join(other), 1) for other in _YEAR_ORDERS[:3]
                     if other != order]
            return [t for t in twins if t != swapped]
    return []


def year_first_twin(pattern: str) -> str | None:
    """``%d/%m/%y`` → ``%y/%m/%d`` (a time after it kept): the reading of a 2-digit year
    written first (``30/02/06`` is 2030-02-06); None for a pattern of no such date."""
    for sep in "/-.":
        if f"%d{sep}%m{sep}%y" in pattern:
            return pattern.replace(f"%d{sep}%m{sep}%y", f"%y{sep}%m{sep}%d", 1)
    return None


def field_order(pattern: str) -> str:
    """The words of ``pattern``'s 2-digit-year field order (``year, month, day``), or ""."""
    for sep in "/-. ":
        for order in _YEAR_ORDERS:
            if sep.join(order) in pattern:
                return _ORDER_WORDS[order]
    return ""


def date_part(fmt: str) -> str:
    """``fmt`` without its time of day (``%d/%m/%Y %H:%M`` → ``%d/%m/%Y``; the
    separators around the time dropped)."""
    return _TIME_LEFTOVER.sub("", _TIME_DIRECTIVE.sub("", fmt))


def four_digit_year(fmt: str) -> str:
    """``fmt`` with a 2-digit year (%y) written as a 4-digit one (%Y)."""
    return fmt.replace("%y", "%Y")


def order_family(pattern: str) -> str:
    """The key of the patterns whose texts share one day/month order: the date part, the
    year as %Y, day and month as one directive (``%d/%m/%y %H:%M`` and ``%m/%d/%Y`` are
    one family, ``%d.%m.%y`` another). The mapping never lists a family in both orders
    (``spec``), and a cell of one family is no evidence of another's order (x23r1: a
    day-first slash date made every day-first dot date "ambiguous", with advice to read
    them month first)."""
    return four_digit_year(date_part(pattern)).replace("%d", "%D").replace("%m", "%D")


def reordered(formats: Sequence[str], family: str) -> list[str]:
    """``formats`` with every pattern of ``family`` read the other way round: the date
    formats a column whose ``family`` dates are written in the other order needs."""
    return [s if order_family(f) == family and (s := swapped_pattern(f)) is not None
            else f for f in formats]


def replacements(formats: Sequence[str], family: str) -> str:
    """``'%d/%m/%Y' instead of '%m/%d/%Y'``: what ``reordered`` changes, in words."""
    pairs = [(s, f) for f, s in zip(formats, reordered(formats, family), strict=True)
             if s != f]
    return ", ".join(f"{s!r} instead of {f!r}" for s, f in pairs)


def year_first_hint(text: str, formats: Sequence[str],
                    read: Callable[[str, str], object] = datetime.strptime) -> str:
    """A hint when ``text`` reads by another field order of a listed 2-digit-year pattern
    (``year_twins``: ``30/02/06``, ``37-04-23`` under ``%d/%m/%y``, x50r8 F2, F3;
    ``38/04/26`` under ``%m/%d/%y``, ``08/10/43`` under ``%y/%m/%d``, x51r2 F1): the column
    may be written that way, and its cells that read both ways would then read wrong.
    ``read``: how a pattern reads ``text`` (under ``date_locale``: its names, y54r2 F4)."""
    for fmt in formats:
        for twin in year_twins(fmt):  # a token has no 2-digit-year date: none
            try:
                read(text, twin)
            except ValueError:
                continue
            what = ("a 2-digit year written first" if twin.startswith("%y")
                    else f"written {field_order(twin)}")
            return (f"; it reads as {twin!r} ({what}): if this column is written that way, "
                    f"list {twin!r} instead of {fmt!r} in its date formats — read "
                    f"{field_order(fmt)}, its other cells come out as wrong dates")
    return ""
