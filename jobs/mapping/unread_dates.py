"""init-mapping's TODO beside a date column proposed with its own ``formats`` (an Excel
serial or epoch token) when a few of its cells read by none of them (x48r4 F1: 10
``31/02/2026`` among 590 Excel serials threw the ``"excel"`` token away, and the plan then
failed the 590 serials "not a date"). The majority form is kept; the cells no form reads are
counted here, so that the person fixes them in the file before a plan fails their rows.

Pure: the reading and the "no day of the calendar" judgement are given (the starter's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..transforms.date_patterns import swapped_pattern


def unread_dates_todo(column: str, cells: Iterable[str], reads: Callable[[str], bool],
                      impossible: Callable[[str], bool], unit: str = "rows",
                      order_of: Callable[[str], tuple[str, str] | None] = lambda _: None,
                      kind_of: Callable[[str], tuple[str, str, str] | None] = lambda _: None
                      ) -> list[str]:
    """The TODO line (none when every cell reads) naming how many of ``cells`` (one per
    sampled row, or per distinct sampled value: ``unit``; blanks not counted) ``reads``
    rejects, with up to 3 examples as written and whether they are impossible dates (no day
    of the calendar: ``impossible``) or no date at all. A numeric date's ``order_of`` (its
    day-first pattern, ``%d/%m/%Y``, and ``"dm"`` / ``"md"`` for the order it shows, ``""``
    when day and month are both 12 or less) sorts the others: those that cannot tell are
    told to choose an order (x49r3 F5: "no pattern can read them"), those of one order to
    add its pattern, and two orders in one column are counted each (x49r3 F4). ``kind_of``
    gives a cell's kind, what to do with it and a note shown beside it — the day the
    import writes it as, when it does (``serial_strays.stray_kind``: Excel's empty date, a
    serial far from the column's others): counted apart, each kind in its own part."""
    total = 0
    unread: dict[str, int] = {}
    for raw in cells:
        if not (cell := raw.strip()):
            continue
        total += 1
        if not reads(cell):
            unread[cell] = unread.get(cell, 0) + 1
    if not unread:
        return []
    count = sum(unread.values())
    shown: dict[str, dict[str, dict[str, int]]] = {}  # family -> order -> cell -> rows
    rest: dict[str, int] = {}
    kinds: dict[tuple[str, str], dict[str, int]] = {}  # kind -> cell (with its note) -> rows
    written = 0  # rows the import writes a day for (a note given)
    for cell, n in unread.items():
        if (stray := kind_of(cell)) is not None:
            kinds.setdefault(stray[:2], {})[f"{cell!r} {stray[2]}" if stray[2] else repr(cell)] = n
            written += n if stray[2] else 0
        elif (found := order_of(cell)) is None:
            rest[cell] = n
        else:
            shown.setdefault(found[0], {}).setdefault(found[1], {})[cell] = n
    parts: list[str] = []
    for family, orders in shown.items():
        day_first, month_first = family, swapped_pattern(family) or family
        told = {o: c for o, c in orders.items() if o}
        if len(told) == 2:
            parts.append(f"{sum(told['dm'].values())} day first ({_shown(told['dm'])}) and "
                         f"{sum(told['md'].values())} month first ({_shown(told['md'])}) "
                         "conflict: one column holds both orders, and no list may read "
                         f"both (\"{day_first}\" / \"{month_first}\"): fix the cells of one "
                         "order in the file, then add the other's pattern to its formats")
        elif told:
            (order, cells_told), = told.items()
            fmt = day_first if order == "dm" else month_first
            parts.append(f"{sum(cells_told.values())} are written \"{fmt}\" "
                         f"({_shown(cells_told)}): add \"{fmt}\" to its formats")
        if "" in orders:
            parts.append(f"{sum(orders[''].values())} cannot tell day first from month first "
                         f"({_shown(orders[''])}: day and month both 12 or less): add "
                         f"\"{day_first}\" or \"{month_first}\" to its formats, the order "
                         "the file writes them in")
    for (name, advice), noted in kinds.items():
        listed = list(noted)
        parts.append(f"{sum(noted.values())} are {name} ("
                     + ", ".join(listed[:3]) + (", …" if len(listed) > 3 else "")
                     + f"): {advice}")
    if rest:
        named = {"an impossible date (no such day or month)" if impossible(v)
                 else "no date in any form proposed" for v in rest}
        why = " or ".join(sorted(named))
        parts.append(f"{sum(rest.values())} are {why} ({_shown(rest)}): no pattern can read "
                     "them: fix them in the file")
    if not written:
        return [f"# TODO: {count} of the {total} sampled {unit} with a value have a {column} "
                f"the proposed formats do not read: {'; '.join(parts)} (the import fails "
                "those rows as \"not a date\" until then), then delete this line"]
    fails = "" if written == count else " and fails the others as \"not a date\""
    return [f"# TODO: {count} of the {total} sampled {unit} with a value have a {column} "
            f"the proposed formats do not read as a date beside its others: "
            f"{'; '.join(parts)} (the import writes the days shown{fails}), then delete "
            "this line"]


def _shown(values: Iterable[str]) -> str:
    listed = list(values)
    return ", ".join(repr(v) for v in listed[:3]) + (", …" if len(listed) > 3 else "")


__all__ = ["unread_dates_todo"]
