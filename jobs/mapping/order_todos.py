"""init-mapping's ``[defaults] date_formats`` TODOs for a group of numeric dates (one
separator, either year width) whose order the file does not settle: columns of opposite
orders, or cells that never tell theirs. Each column is named with the forms it needs —
every time it is written with and its other forms — so a TODO followed as written reads
every row (x49r12 F2; the generator of f50b: a second day-first column was not named and
read month first, 40 of 40 rows failed; a month-first list without its ``%H:%M`` form
failed 20 of 40; two untold columns under one "list" took one order, 33 of 40 swapped).

Pure: the cells were read by the starter (``_proposed_dates``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

# a column's formats of other families that read its cells ('31-Mar-2026' beside '3/7/2026')
OtherForms = Callable[[str], "list[str]"]


@dataclass
class DateGroup:
    """The numeric dates of one separator, either year width (``/``): per column, the
    orders its cells show (``"dm"`` / ``"md"``), its day-first patterns with the times
    written after them (``{"%d/%m/%Y": {"": None, " %H:%M": None}}``) and its first cell
    per order (``"?"``: any)."""

    orders: dict[str, set[str]] = field(default_factory=dict)
    times: dict[str, dict[str, dict[str, None]]] = field(default_factory=dict)
    examples: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, column: str, value: str, day_first: str, time: str,
            shown: Sequence[str]) -> None:
        """One cell ``value`` of ``column``, of the pattern ``day_first`` in that order,
        with its ``time`` pattern and the orders it shows."""
        self.orders.setdefault(column, set()).update(shown)
        self.times.setdefault(column, {}).setdefault(day_first, {})[time] = None
        self.examples.setdefault((column, "?"), value)
        for order in shown:
            self.examples.setdefault((column, order), value)

    def columns(self, order: str) -> list[str]:
        """The columns whose cells show ``order`` and only it."""
        return [c for c, o in self.orders.items() if o == {order}]

    def forms(self, order: str, columns: Sequence[str],
              widths: Collection[str] = ("%Y", "%y")) -> list[str]:
        """The patterns of ``order`` ("dm" / "md"; "ym": a 2-digit year first, its
        ``%Y`` forms left out) ``columns`` are written in (of the years ``widths``,
        ``%Y`` / ``%y``), each with every time they have (``%d/%m/%Y``,
        ``%d/%m/%Y %H:%M``)."""
        out: dict[str, None] = {}
        for column in columns:
            for base, times in self.times[column].items():
                if base[-2:] in widths and (order != "ym" or base.endswith("%y")):
                    for time in times:
                        out[_in_order(base, order) + time] = None
        return list(out)


def _in_order(day_first: str, order: str) -> str:
    """``%d/%m/%y`` in ``order``: "dm" itself, "md" ``%m/%d/%y``, "ym" ``%y/%m/%d``."""
    if order == "dm":
        return day_first
    if order == "md":
        return _swapped(day_first)
    sep = day_first[2]
    return f"%y{sep}%m{sep}%d"


def _swapped(pattern: str) -> str:
    return pattern.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


def _quoted(formats: Sequence[str]) -> str:
    return ", ".join(repr(f) for f in formats)


def _listed(formats: Sequence[str]) -> str:
    return ", ".join(f'"{f}"' for f in formats)


def _columns(columns: Sequence[str]) -> str:
    return ("column " if len(columns) == 1 else "columns ") + ", ".join(map(repr, columns))


def opposite_todo(group: DateGroup, others: OtherForms) -> str:
    """The TODO of a group whose columns tell opposite orders (whatever their years'
    widths): each day-first column its own formats (its forms, times and other forms), the
    month-first forms listed under [defaults]. Columns that show both orders are left to
    the TODO of their own."""
    dm, md = group.columns("dm"), group.columns("md")
    own = "; ".join(f"formats = [{_listed([*group.forms('dm', [c]), *others(c)])}] on "
                    f"{c!r}'s field" for c in dm)
    return (f"{_columns(dm)} {'has its' if len(dm) == 1 else 'have their'} dates day first "
            f"({group.examples[(dm[0], 'dm')]!r}), {_columns(md)} month first "
            f"({group.examples[(md[0], 'md')]!r}): give "
            f"{'one of them its' if len(dm) == 1 else 'each of the day-first ones its'} own "
            f"patterns ({own}, as in docs/mapping.md, Dates) and list the other's here "
            f"({_quoted(group.forms('md', md))})")


def untold_todos(group: DateGroup, columns: Sequence[str], widths: Collection[str],
                 same: str | None, others: OtherForms, alone: bool = False,
                 year_first: bool = False) -> list[str]:
    """The TODOs of ``columns`` of ``group`` none of whose cells of the years ``widths``
    (``%Y``, ``%y``: either width, one separator: both orders across widths are refused)
    tells their order: beside ``same`` (a listed pattern of the family: ``%d/%m/%Y`` for
    ``07/03/27``), one per column: list its forms of that order here, or give its field the
    other order's; with no ``same``, a column alone is told to list either order, and two
    or more (or one whose family ``[defaults]`` cannot list: ``alone``) each to take the
    order it is written in as its own formats (one list holds one order; each column may be
    written its own way). ``year_first``: their 2-digit-year cells all read year first too
    (``10/09/25``): that order is offered as well (x51r2 F7: either of the two offered
    wrote ~290 of 300 wrong)."""
    three = year_first and "%y" in widths
    tell = ("day first from month first, nor either from year first" if three
            else "day first from month first")
    if same is None and len(columns) == 1 and not alone:
        (column,) = columns
        also = (f" or {_quoted(group.forms('ym', columns, widths))} (year first)"
                if three else "")
        return [f"the sampled dates (like {group.examples[(column, '?')]!r}) cannot tell "
                f"{tell}: list {_quoted(group.forms('dm', columns, widths))} or "
                f"{_quoted(group.forms('md', columns, widths))}{also}"]
    out: list[str] = []
    for column in columns:
        head = (f"the sampled dates of column {column!r} (like "
                f"{group.examples[(column, '?')]!r}) cannot tell {tell}")
        year = ([*group.forms("ym", [column], widths), *others(column)] if three else [])
        also = f", or [{_listed(year)}] if year first" if year else ""
        if same is None:
            rest = [c for c in columns if c != column]
            nor = (f", nor do those of {_columns(rest)} (each may be written its own way)"
                   if rest else ", and [defaults] lists neither order (other columns of the file tell both)")
            day, month = ([*group.forms(o, [column], widths), *others(column)]
                          for o in ("dm", "md"))
            out.append(f"{head}{nor}: give its field its own formats = [{_listed(day)}] if "
                       f"written day first, or [{_listed(month)}] if month first{also} (as "
                       "in docs/mapping.md, Dates)")
            continue
        # one list never holds both orders, whatever the year's width (spec: x49r12 F5:
        # "list '%d/%m/%y' or '%m/%d/%y'" beside "%d/%m/%Y", the second then refused)
        kept, other = ("dm", "md") if same.index("%d") < same.index("%m") else ("md", "dm")
        own = [*group.forms(other, [column], widths), *others(column)]
        out.append(f"{head}: if written in the order of {same!r}, list "
                   f"{_quoted(group.forms(kept, [column], widths))} here; else give its field "
                   f"its own formats = [{_listed(own)}]{also} (as in docs/mapping.md, "
                   "Dates), not this list, which refuses both orders")
    return out


__all__ = ["DateGroup", "OtherForms", "opposite_todo", "untold_todos"]
