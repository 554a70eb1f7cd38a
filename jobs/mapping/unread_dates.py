"""init-mapping's TODO beside a date column proposed with its own ``formats`` (an Excel
serial or epoch token) when a few of its cells read by none of them (x48r4 F1: 10
``31/02/2026`` among 590 Excel serials threw the ``"excel"`` token away, and the plan then
failed the 590 serials "not a date"). The majority form is kept; the cells no form reads are
counted here, so that the person fixes them in the file before a plan fails their rows.

Pure: the reading and the "no day of the calendar" judgement are given (the starter's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


def unread_dates_todo(column: str, cells: Iterable[str], reads: Callable[[str], bool],
                      impossible: Callable[[str], bool], unit: str = "rows") -> list[str]:
    """The TODO line (none when every cell reads) naming how many of ``cells`` (one per
    sampled row, or per distinct sampled value: ``unit``; blanks not counted) ``reads``
    rejects, with up to 3 examples as written and whether they are impossible dates (no day
    of the calendar: ``impossible``) or no date at all."""
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
    shown = ", ".join(repr(v) for v in list(unread)[:3]) + (", …" if len(unread) > 3 else "")
    kinds = {"an impossible date (no such day or month)" if impossible(v)
             else "no date in any form proposed" for v in unread}
    why = " or ".join(sorted(kinds))
    return [f"# TODO: {count} of the {total} sampled {unit} have a {column} that is {why} "
            f"({shown}): no pattern can read them, and the import fails those rows as \"not "
            "a date\": fix them in the file (the proposed formats read the others), then "
            "delete this line"]


__all__ = ["unread_dates_todo"]
