"""Day/month order of one date column, decided from the whole file (v10r18 F3).

A date column read by a pattern with both a day and a month (``%d/%m/%Y``) may hold
dates written the other way round (an export from a US system). A cell only that other
order reads (``04/13/2026``) fails alone; the danger is its neighbours that read both
ways (``03/04/2026``): read by the pattern, each would be a date a month or more off,
silently. So the import (and the plan, and update) read the column once before any row
is mapped — the same pass that decides ``decimal = "auto"`` columns
(``RowMapper.learn_marks``) — and remember the first cell that reads only the other
way. From then on a cell that reads both ways, to two different dates, is an error
naming that cell; one that reads one way only is read as before.

``DateOrder`` has the interface of ``tf.ColumnDecimal`` that the learning pass uses
(``start``, ``at``, ``learning``, ``seen``, ``decide``, ``contest``, ``evidence``,
``restore``), so a date step rides the same pass, and a resume or retry reads the same
way from the stored evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from bulk.errors import InputError

from .dates import DATE_TOKENS

__all__ = ["DateOrder", "swapped_pattern"]


def swapped_pattern(pattern: str) -> str | None:
    """``pattern`` with its day and month directives exchanged (``%d/%m/%Y`` →
    ``%m/%d/%Y``), or None when it has not both."""
    if "%d" not in pattern or "%m" not in pattern:
        return None
    return pattern.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


def _read(text: str, patterns: Sequence[str]) -> tuple[str, date] | None:
    for pattern in patterns:
        try:
            return pattern, datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


class DateOrder:
    """The day/month order record of one date column (module docstring)."""

    __slots__ = ("at", "learning", "other", "patterns", "swapped")

    def __init__(self, formats: Sequence[str]) -> None:
        self.patterns = [f for f in formats if f not in DATE_TOKENS and swapped_pattern(f)]
        self.swapped = [s for f in self.patterns if (s := swapped_pattern(f)) is not None]
        self.other: tuple[str, int | None] | None = None  # the first cell read only swapped
        self.at: int | None = None  # the row being learned
        self.learning = False

    @property
    def applies(self) -> bool:
        """Whether the column's patterns have a day and a month to confuse."""
        return bool(self.patterns)

    @property
    def seen(self) -> dict[str, str]:
        """Two entries once the decision is final (the pass may stop reading for it)."""
        return {".": "", ",": ""} if self.other is not None else {}

    def start(self) -> None:
        self.other, self.learning = None, True

    def decide(self) -> None:
        self.learning = False

    def contest(self) -> str | None:
        return None

    def evidence(self) -> dict[str, str]:
        """JSON-safe: the cell read only the other way, and its row."""
        if self.other is None:
            return {}
        cell, row = self.other
        return {"other_order": cell, "row": "" if row is None else str(row)}

    def restore(self, evidence: Mapping[str, str]) -> None:
        cell = evidence.get("other_order")
        row = evidence.get("row")
        self.other = (str(cell), int(row) if row and str(row).isdigit() else None) \
            if cell else None
        self.learning = False

    def see(self, text: str) -> None:
        """While learning: remember ``text`` if only the swapped patterns read it."""
        if self.other is None and _read(text, self.patterns) is None \
                and _read(text, self.swapped) is not None:
            self.other = (text, self.at)

    def check(self, text: str) -> None:
        """After learning: InputError when the column showed the other order and ``text``
        reads both ways, to two different dates."""
        if self.other is None:
            return
        mine, theirs = _read(text, self.patterns), _read(text, self.swapped)
        if mine is None or theirs is None or mine[1] == theirs[1]:
            return
        cell, row = self.other
        where = f" (row {row})" if row is not None else ""
        raise InputError(
            f"ambiguous date {text!r}: {mine[0]!r} reads it as {mine[1].isoformat()}, but "
            f"this column also has {cell!r}{where}, which only {theirs[0]!r} reads — by "
            f"that order it is {theirs[1].isoformat()}. Set date_formats to the column's "
            "order (one file, one order), or fix the cells written the other way")
