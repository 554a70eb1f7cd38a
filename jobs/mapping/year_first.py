"""init-mapping's year-first question for 2-digit years (x50r3 F3): ``24/08/25`` is the
24th of August 2025 read day first, and the 25th of August 2024 read year first
(``yy/mm/dd``, ``yy-mm-dd``). A first number above 12 was taken for a day: the column of
``yy/mm/dd`` dates got ``date_formats = ["%d/%m/%y"]``, no TODO, and 283 of 300 were
written wrong. A column whose 2-digit-year cells all read both ways (the first number a
day or a year, the middle a month, the last 31 or less) cannot tell: its field gets its
own ``formats`` listing both (a pair the mapping's schema refuses: ``spec._check_formats``)
under a TODO, as ``untold_orders`` does for day / month, so nothing is read on a guess.
A cell that reads year first only (``30/02/06``: no 30 February; ``37-04-23``: no day or
month 37) decides year first for its column when no cell reads day first only (x50r8 F2:
the TODO said "all 300 read both ways" beside 9 such cells, and its first choice wrote
284 of 300 wrong; F3: ``37-04-23`` was called an impossible date): its own ``formats``
are the year-first pattern, no TODO.

Pure: the numbers of each cell (``fields_of``) are given (the starter's reading).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from datetime import date

# a cell's day-first pattern with a 2-digit year (``%d/%m/%y``, a time after it kept) and
# its three numbers as written; None for a cell of no such shape
CellFields = Callable[[str], "tuple[str, int, int, int] | None"]


def year_first_pattern(day_first: str) -> str:
    """``%d/%m/%y`` → ``%y/%m/%d`` (a time after the date kept)."""
    sep = day_first[2]
    return day_first.replace(f"%d{sep}%m{sep}%y", f"%y{sep}%m{sep}%d", 1)


def real_ymd(year: int, month: int, day: int) -> bool:
    """Whether a 2-digit ``year``, ``month`` and ``day`` name a day of the calendar."""
    try:  # a 2-digit year as strptime reads it: 00-68 as 20xx, 69-99 as 19xx
        date(year + (1900 if year >= 69 else 2000), month, day)
    except ValueError:
        return False
    return True


# a numeric date with a 4-digit year (``2024/05/06``, ``06/05/2024``): its separator,
# whether it is written year first, and the pattern that reads it (None: ISO 8601, read
# always, or not year first); None for another cell or no day of the calendar
WideFields = Callable[[str], "tuple[str, bool, str | None] | None"]


@dataclass(frozen=True)
class YearFirst:
    """A column whose ``count`` sampled cells of the pattern ``day_first`` (``%d/%m/%y``;
    ``example`` one of them, its first number above 12) all read year first too;
    ``times``: the times after the date its 2-digit cells are written with (``""``, ``
    %H:%M``), and ``wide``: the patterns of its 4-digit cells written year first
    (``%Y/%m/%d``): forms of the column, listed with it (x52r6 F1, F3: its cells of those
    forms were "no date in any form proposed" / "an impossible date")."""

    column: str
    count: int
    example: str
    day_first: str
    decided: bool = False  # ``example`` reads year first only: no choice left
    times: tuple[str, ...] = ("",)
    wide: tuple[str, ...] = ()

    def _base(self) -> str:
        """``day_first`` without its time."""
        return self.day_first[:8]

    def formats(self) -> list[str]:
        """Both readings (each with every time), refused by the schema until one is
        deleted; the year-first ones alone (with the 4-digit forms) when ``decided``."""
        year = [year_first_pattern(self._base()) + t for t in self.times]
        if self.decided:
            return [*year, *(w for w in self.wide if w not in year)]
        return [*(self._base() + t for t in self.times), *year]

    def todo(self, tokens: Sequence[str] = ()) -> str | None:
        """The TODO line above the column's field: both choices as the mapping writes them,
        each with the ``tokens`` its serials or epochs read by; None when ``decided``."""
        if self.decided:
            return None
        more = "".join(f', "{t}"' for t in tokens)
        first = int(self.example[:2])
        day = ", ".join(f'"{self._base() + t}"' for t in self.times)
        year = ", ".join(f'"{year_first_pattern(self._base()) + t}"' for t in self.times)
        return (f"# TODO: cannot tell day first from year first in {self.column!r}: its "
                f"{self.count:,} sampled cells written so (like {self.example!r}) all read "
                f"both ways (a first number {first} may be the day or the year) — keep "
                f"formats = [{day}{more}] if {self.column} is written day, month, "
                f"year, or [{year}{more}] if year, month, day "
                "(both are listed below until you choose, and the plan refuses both), then "
                "delete this line")


def _a_share(part: int, whole: int) -> bool:
    """3 cells or more, or 2 that are 2 % of ``whole`` or more: the starter's share of a
    column's own form (``starter._real_share``); fewer are typos, named, never proposed."""
    return part >= 3 or (part >= 2 and 50 * part >= whole)


@dataclass
class _Shape:
    """A column's 2-digit-year cells of one separator (any time after them) and its
    4-digit ones of that separator."""

    count: int = 0
    both: bool = True  # every cell reads year first too
    odd: int = 0  # cells read year first only
    only: str | None = None  # the first of them
    example: str | None = None  # the first whose first number, above 12, reads as a day
    times: dict[str, None] | None = None  # day-first pattern -> None, in the order seen
    wide_first: int = 0  # 4-digit cells written year first
    wide_other: int = 0  # 4-digit cells written day or month first
    wide: dict[str, None] | None = None  # the patterns of the year-first ones


def year_first_columns(cells: MappingABC[str, Iterable[str]], fields_of: CellFields,
                       wide_of: WideFields = lambda _: None) -> dict[str, YearFirst]:
    """The columns of ``cells`` (a date column -> its sampled cells, blanks allowed) with
    a 2-digit-year pattern whose cells show a first number above 12 (taken for a day)
    while every one of them reads as a date year first too (middle a month, last a day
    of it): nothing in the column tells day first from year first. A column of a pattern
    some of whose cells read year first only (neither day first nor month first), none
    day first only, is ``decided`` (its ``example`` one of those cells) when they are a
    share of it (``_a_share``: x51r2 F4, one typo ``30/02/06`` in 300 dd/mm/yy cells
    decided year first and 273 of 299 were written wrong); fewer decide nothing. Its
    4-digit cells (``wide_of``) tell too: a share of them written year first (``2024/05/06``,
    ISO 8601), none other, decide year first (x52r6 F1: beside them ``33/08/25`` was asked
    "day first or year first" and the 4-digit cells called "no date"); a share written day
    or month first leave the column to the day / month judgement. Cells of a time after
    the date are one shape with those of none (x52r6 F3)."""
    out: dict[str, YearFirst] = {}
    for column, column_cells in cells.items():
        shapes: dict[str, _Shape] = {}  # separator -> its cells
        total = 0
        for raw in column_cells:
            if not (cell := raw.strip()):
                continue
            total += 1
            if (wide := wide_of(cell)) is not None:
                sep, first_year, pattern = wide
                shape = shapes.setdefault(sep, _Shape())
                if first_year:
                    shape.wide_first += 1
                    if pattern is not None:
                        shape.wide = {**(shape.wide or {}), pattern: None}
                else:
                    shape.wide_other += 1
                continue
            if (found := fields_of(cell)) is None:
                continue
            pattern, first, second, last = found
            shape = shapes.setdefault(pattern[2], _Shape())
            shape.count += 1
            shape.times = {**(shape.times or {}), pattern: None}
            shape.both = shape.both and real_ymd(first, second, last)
            if first > 12 and real_ymd(last, second, first) and shape.example is None:
                shape.example = cell  # read day first, a real day
            if real_ymd(first, second, last) and not real_ymd(last, second, first) \
                    and not real_ymd(last, first, second):
                shape.only = shape.only or cell
                shape.odd += 1
        for shape in shapes.values():
            if not shape.count or not shape.both or not shape.times \
                    or _a_share(shape.wide_other, total):
                continue
            told = _a_share(shape.wide_first, total)
            decided = told or (shape.only is not None and _a_share(shape.odd, shape.count))
            example = (shape.only if shape.only is not None and _a_share(shape.odd, shape.count)
                       else shape.example)
            if example is None and not told:
                continue
            day_first = next(iter(shape.times))
            out[column] = YearFirst(
                column, shape.count, example or day_first, day_first, decided=decided,
                times=tuple(dict.fromkeys(p[8:] for p in shape.times)),
                wide=tuple(shape.wide or ()))
            break
    return out


__all__ = ["CellFields", "WideFields", "YearFirst", "real_ymd", "year_first_columns", "year_first_pattern"]
