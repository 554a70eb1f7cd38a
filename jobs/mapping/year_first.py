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


@dataclass(frozen=True)
class YearFirst:
    """A column whose ``count`` sampled cells of the pattern ``day_first`` (``%d/%m/%y``;
    ``example`` one of them, its first number above 12) all read year first too."""

    column: str
    count: int
    example: str
    day_first: str
    decided: bool = False  # ``example`` reads year first only: no choice left

    def formats(self) -> list[str]:
        """Both readings, refused by the schema until one is deleted; the year-first one
        alone when ``decided``."""
        if self.decided:
            return [year_first_pattern(self.day_first)]
        return [self.day_first, year_first_pattern(self.day_first)]

    def todo(self, tokens: Sequence[str] = ()) -> str | None:
        """The TODO line above the column's field: both choices as the mapping writes them,
        each with the ``tokens`` its serials or epochs read by; None when ``decided``."""
        if self.decided:
            return None
        more = "".join(f', "{t}"' for t in tokens)
        first = int(self.example[:2])
        return (f"# TODO: cannot tell day first from year first in {self.column!r}: its "
                f"{self.count:,} sampled cells written so (like {self.example!r}) all read "
                f"both ways (a first number {first} may be the day or the year) — keep "
                f"formats = [\"{self.day_first}\"{more}] if {self.column} is written day, month, "
                f"year, or [\"{year_first_pattern(self.day_first)}\"{more}] if year, month, day "
                "(both are listed below until you choose, and the plan refuses both), then "
                "delete this line")


def _a_share(part: int, whole: int) -> bool:
    """3 cells or more, or 2 that are 2 % of ``whole`` or more: the starter's share of a
    column's own form (``starter._real_share``); fewer are typos, named, never proposed."""
    return part >= 3 or (part >= 2 and 50 * part >= whole)


def year_first_columns(cells: MappingABC[str, Iterable[str]], fields_of: CellFields
                       ) -> dict[str, YearFirst]:
    """The columns of ``cells`` (a date column -> its sampled cells, blanks allowed) with
    a 2-digit-year pattern whose cells show a first number above 12 (taken for a day)
    while every one of them reads as a date year first too (middle a month, last a day
    of it): nothing in the column tells day first from year first. A column of a pattern
    some of whose cells read year first only (neither day first nor month first), none
    day first only, is ``decided`` (its ``example`` one of those cells) when they are a
    share of it (``_a_share``: x51r2 F4, one typo ``30/02/06`` in 300 dd/mm/yy cells
    decided year first and 273 of 299 were written wrong); fewer decide nothing."""
    out: dict[str, YearFirst] = {}
    for column, column_cells in cells.items():
        counts: dict[str, int] = {}
        examples: dict[str, str] = {}
        only: dict[str, str] = {}  # pattern -> its first cell read year first only
        odd: dict[str, int] = {}  # pattern -> how many cells read year first only
        both: dict[str, bool] = {}
        for raw in column_cells:
            if not (cell := raw.strip()) or (found := fields_of(cell)) is None:
                continue
            pattern, first, second, last = found
            counts[pattern] = counts.get(pattern, 0) + 1
            both[pattern] = both.get(pattern, True) and real_ymd(first, second, last)
            if first > 12 and real_ymd(last, second, first):  # read day first, a real day
                examples.setdefault(pattern, cell)
            if real_ymd(first, second, last) and not real_ymd(last, second, first) \
                    and not real_ymd(last, first, second):
                only.setdefault(pattern, cell)
                odd[pattern] = odd.get(pattern, 0) + 1
        only = {p: c for p, c in only.items() if _a_share(odd[p], counts[p])}
        for pattern in dict.fromkeys([*only, *examples]):
            if both[pattern]:
                out[column] = YearFirst(column, counts[pattern],
                                        only.get(pattern) or examples[pattern], pattern,
                                        decided=pattern in only)
                break
    return out


__all__ = ["CellFields", "YearFirst", "real_ymd", "year_first_columns", "year_first_pattern"]
