"""init-mapping's day / month order decided per date column (x49r3 F1): a column whose
numeric dates never show the order (every day and month 12 or less: ``3/7/2026``) read by
the file-wide ``[defaults] date_formats`` another column taught (``Close Date``, day first
by its ``25/03/2026``) — no TODO, the plan "300 valid", the import wrote 150 of 300
renewal dates day / month swapped. Such a column gets its own ``formats`` listing both
orders (a pair the mapping's schema refuses: ``spec._check_formats``) under a TODO naming
the column that told, so nothing is read on a guess until a person keeps one. A column
of another year width tells as well (``%m/%d/%Y`` for a ``%d/%m/%y`` column, x50r3 F2).

Pure: the evidence of each cell (``orders_of``) is given (the starter's reading).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass

from ..transforms.date_patterns import date_part, order_family, swapped_pattern

# a cell's day-first pattern (``%d/%m/%Y``), the orders it shows ("dm", "md": none
# when day and month are both 12 or less) and the time written after it (`` %H:%M``; ""
# for none); None for a cell of no such shape
CellOrders = Callable[[str], "tuple[str, frozenset[str], str] | None"]


def _order(fmt: str) -> str:
    """``"dm"`` for a pattern with its day before its month, else ``"md"``."""
    return "dm" if fmt.index("%d") < fmt.index("%m") else "md"


@dataclass(frozen=True)
class Untold:
    """A column whose ``count`` sampled cells of the pattern family ``day_first``
    (``%d/%m/%Y``; ``example`` one of them) cannot tell the order, while each of
    ``tellers`` (column, one of its cells, the order "dm" / "md" its cells show) tells one;
    ``order``: the one ``[defaults]`` reads the family in, None when it reads neither (the
    tellers disagree: x49r12 F1); ``times``: the times its cells are written with (``""``,
    `` %H:%M``), in the order first seen."""

    column: str
    count: int
    example: str
    day_first: str
    tellers: tuple[tuple[str, str, str], ...]
    order: str | None
    times: tuple[str, ...] = ("",)
    year_first: bool = False  # its 2-digit-year cells all read year first too (10/09/25)

    def formats(self, defaults: Sequence[str]) -> list[str]:
        """``defaults`` with each pattern of the family followed by its swapped twin, or
        both orders of the family after them when they read it in neither: both orders
        listed, which the schema refuses until one is deleted. A pattern of ``defaults``
        of the family's orders with the other year width (``%m/%d/%Y`` for ``%d/%m/%y``)
        is left out: it reads none of the column's cells."""
        out: list[str] = []
        family = (self.day_first, swapped_pattern(self.day_first))
        for fmt in defaults:
            if order_family(fmt) == order_family(self.day_first) \
                    and date_part(fmt) not in family:
                continue  # the other year width's order: none of its cells (x50r3 F2)
            out.append(fmt)
            if date_part(fmt) in family and (twin := swapped_pattern(fmt)) is not None:
                out.append(twin)
        if not any(date_part(f) in family for f in defaults):
            out += [f for f in family if f is not None and f not in out]
        for time in self.times:  # each time the column's cells are written with, in both
            # orders (x49r12 F2: '03/12/2027 09:30' beside a [defaults] of no time)
            out += [f + time for f in family if f is not None and f + time not in out]
        return out

    def kept(self, formats: Sequence[str], order: str) -> list[str]:
        """``formats`` (``self.formats``) without the family's patterns of the order other
        than ``order`` ("dm" / "md"), whatever the year's width: the list to keep when the
        column is written in ``order``, its times and other forms with it."""
        family = order_family(self.day_first)
        return [f for f in formats if order_family(f) != family or _order(f) == order]

    def todo(self, formats: Sequence[str]) -> str:
        """The TODO line above the column's field listing ``formats`` (``self.formats``):
        both choices as the mapping writes them, each ``formats`` but the other order (its
        times and other forms kept: x49r12 F2, a bare ``["%m/%d/%Y"]`` failed every
        ``03/12/2027 09:30``)."""
        told = "; ".join(f"{c!r} of this file is {'day' if o == 'dm' else 'month'} first "
                         f"({cell!r})" for c, cell, o in self.tellers)
        day, month = (_listed(self.kept(formats, o)) for o in ("dm", "md"))
        # the cells read year first too (x51r2 F7: either of two choices wrote ~290 of 300
        # wrong): that order offered as a third, the field's own
        year = (f", or give the field formats = {_listed(_year_first(self.kept(formats, 'dm')))}"
                f" if {self.column} is written year first" if self.year_first else "")
        tell = ("day first from month first, nor either from year first" if self.year_first
                else "day first from month first")
        if self.order is None or len({o for *_, o in self.tellers}) > 1:  # the tellers
            # disagree: neither is the column's by default
            choice = (f"keep formats = {day} if {self.column} is written day first, or "
                      f"{month} if month first")
        else:
            same, other = (day, month) if self.order == "dm" else (month, day)
            choice = (f"if {self.column} is written the same, keep formats = {same}; "
                      f"else give the field formats = {other}")
        return (f"# TODO: cannot tell {tell} in {self.column!r}: its "
                f"{self.count:,} sampled cells written so (like {self.example!r}) all have day "
                f"and month ≤ 12; {told} — {choice}{year} (both are listed below until you choose, "
                "and the plan refuses both), then delete this line")


def _year_first(formats: Sequence[str]) -> list[str]:
    """``formats`` with each day-first 2-digit-year pattern written year first."""
    out: list[str] = []
    for fmt in formats:
        for sep in "/-.":
            fmt = fmt.replace(f"%d{sep}%m{sep}%y", f"%y{sep}%m{sep}%d", 1)
        out.append(fmt)
    return out


def _listed(formats: Sequence[str]) -> str:
    """``formats`` as a TOML list (``["%d/%m/%Y", "%d/%m/%Y %H:%M"]``)."""
    return "[" + ", ".join(json.dumps(f) for f in formats) + "]"


def untold_columns(cells: MappingABC[str, Iterable[str]], defaults: Sequence[str],
                   orders_of: CellOrders, judged: Collection[str] | None = None,
                   year_first: Callable[[str], bool] | None = None) -> dict[str, Untold]:
    """The columns of ``cells`` (a date column -> one cell per sampled row, blanks
    allowed) whose cells of a pattern family show no order while another column's cells
    show one: whatever ``defaults`` (the proposed ``[defaults] date_formats``) read —
    that order, or none when columns tell opposite orders (x49r12 F1: ``Renewal date``
    left to whichever order ``[defaults]`` was then given, 279 of 300 written swapped).
    Only the columns of ``judged`` (all by default; those read by ``[defaults]``) may be
    untold; every column of ``cells`` that tells is named, whatever its order and formats
    (x50r3 F6: a column of its own formats telling month first was left out).
    ``year_first``: whether a cell reads year first too (``10/09/25``): a column all of
    whose 2-digit-year cells do is offered that order too (x51r2 F7)."""
    ymd: dict[tuple[str, str], bool] = {}
    shown: dict[str, dict[str, set[str]]] = {}  # column -> family -> orders
    counts: dict[tuple[str, str], int] = {}
    examples: dict[tuple[str, str, str], str] = {}
    times: dict[tuple[str, str], dict[str, None]] = {}
    for column, column_cells in cells.items():
        for raw in column_cells:
            if not (cell := raw.strip()) or (found := orders_of(cell)) is None:
                continue
            family, orders, time = found
            times.setdefault((column, family), {})[time] = None
            shown.setdefault(column, {}).setdefault(family, set()).update(orders)
            counts[(column, family)] = counts.get((column, family), 0) + 1
            ymd[(column, family)] = ymd.get((column, family), True) and family.endswith(
                "%y") and year_first is not None and year_first(cell)
            for shows in orders or ("?",):
                examples.setdefault((column, family, shows), cell)
    # a family's order is told by any width of its year (x50r3 F2: ``Kickoff`` dd/mm/yy
    # beside ``Close Date``'s mm/dd/yyyy was left to [defaults], then read month first)
    read = {order_family(f): _order(f) for f in reversed(defaults) if "%d" in f
            and "%m" in f}
    out: dict[str, Untold] = {}
    for column, families in shown.items():
        if judged is not None and column not in judged:
            continue
        for family, seen in families.items():
            key = order_family(family)
            if seen or any(o for f, os in families.items() if order_family(f) == key
                           for o in os):
                continue  # its own cells of another year width tell the order
            order = read.get(key)
            tellers: list[tuple[str, str, str]] = []
            for c, fs in shown.items():
                told = {o: f for f, os in fs.items() if order_family(f) == key for o in os}
                if c != column and len(told) == 1:
                    (o, f), = told.items()
                    tellers.append((c, examples[(c, f, o)], o))
            if not tellers:
                continue
            out[column] = Untold(column, counts[(column, family)],
                                 examples[(column, family, "?")], family, tuple(tellers),
                                 order, tuple(times[(column, family)]),
                                 ymd[(column, family)])
    return out


__all__ = ["CellOrders", "Untold", "untold_columns"]
