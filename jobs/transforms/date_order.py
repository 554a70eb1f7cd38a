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

    __slots__ = ("at", "date_cells", "late_day", "learning", "other", "own", "patterns",
                 "swapped")

    def __init__(self, formats: Sequence[str]) -> None:
        self.patterns = [f for f in formats if f not in DATE_TOKENS and swapped_pattern(f)]
        self.swapped = [s for f in self.patterns if (s := swapped_pattern(f)) is not None]
        self.other: tuple[str, int | None] | None = None  # the first cell read only swapped
        self.own: tuple[str, int | None] | None = None  # the first text read only our way
        self.date_cells = 0  # XLSX date cells seen while learning
        self.late_day = False  # one of them has a day past 12
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
        self.own, self.date_cells, self.late_day = None, 0, False

    def decide(self) -> None:
        self.learning = False

    def contest(self) -> str | None:
        return None

    def evidence(self) -> dict[str, str]:
        """JSON-safe: the cell read only the other way, and its row."""
        out: dict[str, str] = {}
        if self.other is not None:
            cell, row = self.other
            out = {"other_order": cell, "row": "" if row is None else str(row)}
        if self.swapped_cells is not None:
            cell, row = self.swapped_cells
            out.update(text_date=cell, text_row="" if row is None else str(row))
        return out

    def restore(self, evidence: Mapping[str, str]) -> None:
        cell = evidence.get("other_order")
        row = evidence.get("row")
        self.other = (str(cell), int(row) if row and str(row).isdigit() else None) \
            if cell else None
        text, at = evidence.get("text_date"), evidence.get("text_row")
        self.own = (str(text), int(at) if at and str(at).isdigit() else None) \
            if text else None
        self.date_cells, self.late_day = (1, False) if text else (0, False)
        self.learning = False

    @property
    def swapped_cells(self) -> tuple[str, int | None] | None:
        """The text date (and its row) that shows the column's XLSX date cells may have
        their day and month exchanged, or None. The symptom of a CSV opened in a
        spreadsheet set to the other order (x16r2 F6: a UK export in a US Excel): the
        dates it could read that way became date cells, day and month exchanged, every
        one with a day of 12 or less; those it could not (``25/04/2025``) stayed text, in
        this column's order. So: text that only this column's order reads, date cells,
        none with a day past 12, and no text in the other order."""
        if self.own is None or not self.date_cells or self.late_day or self.other is not None:
            return None
        return self.own

    def see_date(self, value: date) -> None:
        """While learning: an XLSX date cell of the column."""
        self.date_cells += 1
        self.late_day = self.late_day or value.day > 12

    def check_date(self, value: date) -> None:
        """After learning: InputError for an XLSX date cell of a column whose date cells
        may have their day and month exchanged (``swapped_cells``)."""
        if (found := self.swapped_cells) is None:
            return
        cell, row = found
        where = f" (row {row})" if row is not None else ""
        day = value.date() if isinstance(value, datetime) else value
        raise InputError(
            f"the date cell {day.isoformat()} may have its day and month exchanged: this "
            f"column's dates that are text, such as {cell!r}{where}, read only as "
            f"{self.patterns[0]!r}, and none of its date cells has a day past 12 — a file "
            "opened in a spreadsheet set to the other date order turns the dates it can "
            "read into date cells, day and month exchanged. Check the dates in the source "
            "and type the column's dates as text, or export it again")

    def see(self, text: str) -> None:
        """While learning: remember ``text`` if only the swapped patterns read it, or (the
        first such) if only the column's own patterns read it."""
        mine, theirs = _read(text, self.patterns), _read(text, self.swapped)
        if self.other is None and mine is None and theirs is not None:
            self.other = (text, self.at)
        elif self.own is None and mine is not None and theirs is None:
            self.own = (text, self.at)

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
