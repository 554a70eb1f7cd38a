"""init-mapping's patterns for dates written in digits alone (x52r6 F7): ``28102022``
(ddmmyyyy), ``20221028`` (yyyymmdd), ``281022`` (ddmmyy) got ``date_formats = []`` and no
TODO, and the plan failed every row "is only digits" with only epoch and serial tokens to
try. A column whose numbers are most of its cells, all of one length (6 or 8 digits) and
read by no token, is proposed the one pattern of digits (``%d%m%Y``, ``%m%d%Y``,
``%Y%m%d``; ``%d%m%y``, ``%m%d%y``, ``%y%m%d``) that reads every one of them as a day of
the calendar; when two or more do (every day and month 12 or less), both orders are
listed under a TODO (a pair the schema refuses until one is deleted), never a guess.

Pure: strptime only. A length fixes each field's width (2-2-4 of 8 digits, 2-2-2 of 6),
so strptime cannot split a cell two ways.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

_PATTERNS = {8: ("%d%m%Y", "%m%d%Y", "%Y%m%d"), 6: ("%d%m%y", "%m%d%y", "%y%m%d")}
_DIGITS = re.compile(r"\d+")
_WORDS = {"%d%m%Y": "day, month, year", "%m%d%Y": "month, day, year",
          "%Y%m%d": "year, month, day", "%d%m%y": "day, month, year",
          "%m%d%y": "month, day, year", "%y%m%d": "year, month, day"}


def _reads(value: str, pattern: str) -> bool:
    try:
        datetime.strptime(value, pattern)
    except ValueError:
        return False
    return True


def digit_date_patterns(values: Sequence[str]) -> list[str]:
    """The patterns of digits that read every digits-only cell of ``values`` (a column's
    sampled cells, blanks left out) but a typo or two (fewer than 3, and than 2 %: the
    starter's ``_real_share``), when those cells are most of ``values`` and all of one
    length, 6 or 8; [] otherwise. One pattern: the column's order; more: its cells cannot
    tell (``digit_dates_todo``)."""
    digits = [v for v in values if _DIGITS.fullmatch(v)]
    lengths = {len(v) for v in digits}
    if not digits or 2 * len(digits) <= len(values) or len(lengths) != 1 \
            or (length := lengths.pop()) not in _PATTERNS:
        return []
    misses = {p: sum(not _reads(v, p) for v in digits) for p in _PATTERNS[length]}
    fewest = min(misses.values())
    if fewest >= 3 or (fewest == 2 and 50 * fewest >= len(digits)):  # a real share
        return []  # of the cells read by no pattern (the starter's ``_real_share``)
    # a typo or two of another order read by none: named by the TODO of unread cells
    return [p for p, n in misses.items() if n == fewest]


def digit_dates_todo(column: str, patterns: Sequence[str], example: str) -> str | None:
    """The TODO line above a column listed ``patterns`` (``digit_date_patterns``) when they
    are two or more: each choice as the mapping writes it; None for one."""
    if len(patterns) < 2 or any(p not in _WORDS for p in patterns):
        return None
    choices = ", or ".join(f'[\"{p}\"] if written {_WORDS[p]}' for p in patterns[1:])
    return (f"# TODO: cannot tell the order of {column!r}'s dates written in digits: its "
            f"sampled cells (like {example!r}) all read {len(patterns)} ways — keep formats "
            f'= ["{patterns[0]}"] if {column} is written {_WORDS[patterns[0]]}, or '
            f"{choices} (all are listed below until you choose, and the plan refuses them), "
            "then delete this line")


__all__ = ["digit_date_patterns", "digit_dates_todo"]
