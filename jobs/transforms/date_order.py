"""Day/month order of one date column, decided from the whole file (v10r18 F3).

A date column read by a pattern with both a day and a month (``%d/%m/%Y``) may hold
dates written the other way round (an export from a US system). A cell only that other
order reads (``04/13/2026``) fails alone; the danger is its neighbours that read both
ways (``03/04/2026``): read by the pattern, each would be a date a month or more off,
silently. So the import (and the plan, and update) read the column once before any row
is mapped — the same pass that decides ``decimal = "auto"`` columns
(``RowMapper.learn_marks``) — and remember the first cell that reads only the other
way. From then on a cell that reads both ways, to two different dates, is an error
naming that cell; one that reads one way only is read as before. A 2-digit year written
first is the other way of a day-first pattern (``%d/%m/%y``): a cell only ``%y/%m/%d``
reads (``30/02/06``: no 30 February) makes its neighbours that read both ways errors too
(x50r8 F2: ``["%d/%m/%y"]`` kept for a yy/mm/dd column wrote 284 of 300 wrong, 9 failed).

``DateOrder`` has the interface of ``tf.ColumnDecimal`` that the learning pass uses
(``start``, ``at``, ``learning``, ``seen``, ``decide``, ``contest``, ``evidence``,
``restore``), so a date step rides the same pass, and a resume or retry reads the same
way from the stored evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bulk.errors import InputError

from .date_patterns import (
    date_part,
    four_digit_year,
    order_family,
    reordered,
    replacements,
    swapped_pattern,
    year_twins,
)
from .dates import DATE_TOKENS
from .day_reader import read_day

__all__ = ["LISTED_ONLY_KEPT", "DateOrder", "OrderConflict", "swapped_pattern"]

LISTED_ONLY_KEPT = 5  # the cells only a column's listed order reads, kept for plan hints
LISTED_ONLY_LOOKED = 20_000  # of the first cells its listed order reads

_YEAR = "year first:"  # the keys of ``DateOrder.others`` for a cell read by a year twin only


def _year_key(pattern: str, twin: str) -> str:
    """The ``DateOrder.others`` key of a cell only ``twin`` (a ``year_twins`` reading of
    ``pattern``) reads: the date parts, a time of day aside."""
    return f"{_YEAR}{date_part(pattern)}>{date_part(twin)}"


def _widths(pattern: str) -> list[str]:
    """``pattern`` and, for a 2-digit year, its 4-digit form: a column's field order is
    one fact whatever its year's width (x51r11 F1: ``2024/05/06`` showed nothing of the
    order of a ``["%d/%m/%y"]`` column's ``05/06/07``; 140 of 150 were written wrong)."""
    return [pattern, four_digit_year(pattern)] if "%y" in pattern else [pattern]


def _read(text: str, patterns: Sequence[str]) -> tuple[str, date] | None:
    for pattern in patterns:
        try:
            return pattern, read_day(text, pattern)
        except ValueError:
            continue
    return None


@dataclass(frozen=True, slots=True)
class OrderConflict:
    """A cell that reads both ways in a column whose cells of its family showed the other
    order: ``pattern`` reads ``text`` as ``mine``; ``cell`` (of ``row``), which only
    ``reader`` reads, shows the order by which it is ``theirs``; ``advice`` is the
    column's date formats in that order (it reads both ``text`` and ``cell``)."""

    text: str
    pattern: str
    mine: date
    cell: str
    row: int | None
    reader: str
    theirs: date
    advice: tuple[str, ...]
    change: str
    # cells (and rows) of the column only ``pattern``'s order reads: they contradict the
    # order of ``cell``, so no change of order is advised (x53r5 F7)
    contra: tuple[tuple[str, int | None], ...] = ()

    def error(self) -> InputError:
        where = f" (row {self.row})" if self.row is not None else ""
        head = (f"ambiguous date {self.text!r}: {self.pattern!r} reads it as "
                f"{self.mine.isoformat()}, but this column also has {self.cell!r}{where}, which "
                f"only {self.reader!r} reads — by that order it is {self.theirs.isoformat()}. ")
        if self.contra:
            return InputError(head + both_orders(self.cell, self.row, self.reader,
                                                 self.pattern, self.contra))
        return InputError(
            head + f"If the column is written that way, list {self.change} in its date "
            "formats (one file, one order); else fix the cells written the other way")


def both_orders(cell: str, row: int | None, reader: str, pattern: str,
                contra: Sequence[tuple[str, int | None]]) -> str:
    """The advice for a column whose cells show both orders: ``cell`` (of ``row``), read
    only by ``reader``, against ``contra``, read only by the listed ``pattern`` — no order
    reads them all, so none is advised (x53r5 F7: 15 month-first cells and one
    ``25/4/2026`` were told to list ``'%d/%m/%Y'``)."""
    where = f" (row {row})" if row is not None else ""
    shown = ", ".join(f"{c!r}" + (f" (row {r})" if r is not None else "")
                      for c, r in contra[:3])
    return (f"The column shows both orders: {shown}{', …' if len(contra) > 3 else ''} "
            f"read only as {pattern!r}, {cell!r}{where} only as {reader!r} — no one order "
            f"reads them all: fix the cells written the other way in the file (is "
            f"{cell!r}{where} a typo?)")


class DateOrder:
    """The day/month order record of one date column (module docstring), kept per
    pattern family (``order_family``)."""

    __slots__ = ("_families", "_looked", "_own_widths", "_twins", "_year_keys", "at", "date_cells",
                 "formats", "late_day", "learning", "listed_only", "others",
                 "own", "patterns", "swapped", "years")

    def __init__(self, formats: Sequence[str]) -> None:
        self.formats = list(formats)
        self.patterns = [f for f in formats if f not in DATE_TOKENS and swapped_pattern(f)]
        self.swapped = [s for f in self.patterns if (s := swapped_pattern(f)) is not None]
        # a 2-digit-year pattern -> its readings in the other field orders that move the
        # year (``year_twins``: day first, month first, year first; x51r2 F1)
        self.years = {f: t for f in self.patterns if (t := year_twins(f))}
        # the ``others`` keys a cell read only by one of those fills (``seen``)
        self._year_keys = frozenset(_year_key(f, t) for f, ts in self.years.items() for t in ts)
        # read for every row of the learning pass (``seen``): its patterns never change,
        # so their families are worked out once, not by regex per row (issue 8)
        self._families = frozenset(order_family(p) for p in self.patterns)
        # the listed patterns in both year widths: a cell they read is of the listed order
        self._own_widths = [w for p in self.patterns for w in _widths(p)]
        # every other order of them (day and month exchanged, the year moved), both widths
        self._twins = [w for p in [*self.swapped, *(t for ts in self.years.values()
                                                  for t in ts)] for w in _widths(p)]
        # the first cells (and rows) only the listed order reads: a plan's hint of another
        # order is contradicted by them (x52r6 F4: one typo hinted "%d/%m/%y")
        self.listed_only: list[tuple[str, int | None]] = []
        self._looked = 0  # the cells looked at for it
        # per family: the first cell read only swapped, its row, and the pattern reading it
        self.others: dict[str, tuple[str, int | None, str]] = {}
        # the first text read only our way, its row, and the pattern reading it
        self.own: tuple[str, int | None, str] | None = None
        self.date_cells = 0  # XLSX date cells seen while learning
        self.late_day = False  # one of them has a day past 12
        self.at: int | None = None  # the row being learned
        self.learning = False

    @property
    def applies(self) -> bool:
        """Whether the column's patterns have a day and a month to confuse."""
        return bool(self.patterns)

    @property
    def families(self) -> frozenset[str]:
        return self._families

    @property
    def seen(self) -> dict[str, str]:
        """Two entries once the decision is final, every family having shown the other
        order and every other field order of a 2-digit year shown too, and a cell only the
        listed order reads found (the advice names it: x53r5 F7; the pass may stop
        reading for it)."""
        return {".": "", ",": ""} if sum(not k.startswith(_YEAR) for k in self.others) \
            == len(self.families) and self._year_keys <= self.others.keys() \
            and self.listed_only else {}

    def start(self) -> None:
        self.others, self.learning, self.listed_only, self._looked = {}, True, [], 0
        self.own, self.date_cells, self.late_day = None, 0, False

    def decide(self) -> None:
        self.learning = False

    def contest(self) -> str | None:
        return None

    def evidence(self) -> dict[str, str]:
        """JSON-safe: the cells read only the other way (one per family), and their rows;
        the first as ``other_order`` and ``row`` (what earlier versions stored)."""
        out: dict[str, str] = {}
        for n, (cell, row, _) in enumerate(self.others.values()):
            tail = f"_{n}" if n else ""
            out[f"other_order{tail}"] = cell
            out[f"row{tail}"] = "" if row is None else str(row)
        if self.swapped_cells is not None:
            cell, row = self.swapped_cells
            out.update(text_date=cell, text_row="" if row is None else str(row))
        if self.others:  # the cells that contradict them, for the advice (x53r5 F7)
            for n, (cell, row) in enumerate(self.listed_only):
                out[f"listed_only_{n}"] = cell
                out[f"listed_row_{n}"] = "" if row is None else str(row)
        return out

    def restore(self, evidence: Mapping[str, str]) -> None:
        self.others = {}
        for n in range(len(evidence)):
            tail = f"_{n}" if n else ""
            cell, row = evidence.get(f"other_order{tail}"), evidence.get(f"row{tail}")
            if not cell:
                break
            self._other(str(cell), int(row) if row and str(row).isdigit() else None)
        self.listed_only = []
        for n in range(LISTED_ONLY_KEPT):
            if not (cell := evidence.get(f"listed_only_{n}")):
                break
            row = evidence.get(f"listed_row_{n}")
            self.listed_only.append((str(cell), int(row) if row and str(row).isdigit()
                                     else None))
        text, at = evidence.get("text_date"), evidence.get("text_row")
        mine = _read(str(text), self.patterns) if text else None
        self.own = (str(text), int(at) if at and str(at).isdigit() else None,
                    mine[0] if mine else self.patterns[0]) if text else None
        self.date_cells, self.late_day = (1, False) if text else (0, False)
        self.learning = False

    def _other(self, text: str, row: int | None) -> None:
        """Remember ``text`` (of ``row``) as its family's first cell only the other order
        reads, and as the first cell only each other field order of a 2-digit year reads
        (``30/02/06`` under ``%d/%m/%y``; ``38/04/26`` under ``%m/%d/%y``; ``08/10/43``
        under ``%y/%m/%d``: x50r8 F2, x51r2 F1), when it is one — its year written with 4
        digits as well (``2024/05/06`` under ``%d/%m/%y``, ``06/25/2024`` under
        ``%y/%m/%d``: x51r11 F1, ``_widths``)."""
        if _read(text, self._own_widths) is not None:  # read by the listed order in
            return  # either width: evidence of no other (x52r6 F2: '2025-05-06' under
        # '%y-%m-%d' was "only '%Y-%d-%m'"; 20 of 100 valid rows refused as ambiguous)
        if (found := _read(text, [w for p in self.swapped for w in _widths(p)])) is not None:
            self.others.setdefault(order_family(found[0]), (text, row, found[0]))
        for mine, twins in self.years.items():
            for twin in twins:
                if (found := _read(text, _widths(twin))) is not None:
                    self.others.setdefault(_year_key(mine, twin), (text, row, found[0]))

    @property
    def swapped_cells(self) -> tuple[str, int | None] | None:
        """The text date (and its row) that shows the column's XLSX date cells may have
        their day and month exchanged, or None. The symptom of a CSV opened in a
        spreadsheet set to the other order (x16r2 F6: a UK export in a US Excel): the
        dates it could read that way became date cells, day and month exchanged, every
        one with a day of 12 or less; those it could not (``25/04/2025``) stayed text, in
        this column's order. So: text that only this column's order reads, date cells,
        none with a day past 12, and no text in the other order."""
        if self.own is None or not self.date_cells or self.late_day or self.others:
            return None
        return self.own[:2]

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
        reader = self.own[2] if self.own is not None else self.patterns[0]
        where = f" (row {row})" if row is not None else ""
        day = value.date() if isinstance(value, datetime) else value
        raise InputError(
            f"the date cell {day.isoformat()} may have its day and month exchanged: this "
            f"column's dates that are text, such as {cell!r}{where}, read only as "
            f"{reader!r}, and none of its date cells has a day past 12 — a file "
            "opened in a spreadsheet set to the other date order turns the dates it can "
            "read into date cells, day and month exchanged. Check the dates in the source "
            "and type the column's dates as text, or export it again")

    def see(self, text: str) -> None:
        """While learning: remember ``text`` if only the swapped patterns read it (the
        first such of its family), or (the first such) if only the column's own patterns
        read it; and the first few (``LISTED_ONLY_KEPT``) no other order reads
        (``listed_only``)."""
        mine, theirs = _read(text, self.patterns), _read(text, self.swapped)
        if mine is None and (theirs is not None or self.years):
            self._other(text, self.at)
            return
        if self.own is None and mine is not None and theirs is None:
            self.own = (text, self.at, mine[0])
        if mine is not None and len(self.listed_only) < LISTED_ONLY_KEPT \
                and self._looked < LISTED_ONLY_LOOKED:
            self._looked += 1  # bounded: a column of cells all read two ways costs
            if _read(text, self._twins) is None:  # ~1 µs a cell more while it is looked at
                self.listed_only.append((text, self.at))

    def conflict(self, text: str) -> OrderConflict | None:
        """After learning: the conflict when ``text`` reads both ways, to two different
        dates, and the cells of its pattern's family showed the other order — day and
        month exchanged first, then another field order of a 2-digit year (a cell that
        only ``13/02/01`` shows may be day first or year first: either contradicts)."""
        if not self.others or (mine := _read(text, self.patterns)) is None:
            return None
        pattern, day = mine
        family = order_family(pattern)
        if (shown := self.others.get(family)) is None:
            return self._year_conflict(text, pattern, day)
        other = swapped_pattern(pattern)
        try:
            theirs = read_day(text, other) if other else None
        except ValueError:
            theirs = None
        if theirs is None or theirs == day:  # day and month alike: another field order?
            return self._year_conflict(text, pattern, day)
        cell, row, reader = shown
        return OrderConflict(text, pattern, day, cell, row, reader, theirs,
                             tuple(reordered(self.formats, family)),
                             replacements(self.formats, family), self._contra(family))

    def _contra(self, family: str) -> tuple[tuple[str, int | None], ...]:
        """The kept cells (``listed_only``) of ``family`` only the listed order reads."""
        return tuple((c, r) for c, r in self.listed_only
                     if (m := _read(c, self.patterns)) and order_family(m[0]) == family)

    def _year_conflict(self, text: str, pattern: str, day: date) -> OrderConflict | None:
        """The conflict of ``text``, read by the 2-digit-year ``pattern`` as ``day``, when
        a cell of the column read only by another field order of it (``year_twins``)
        and that order reads ``text`` as another date."""
        for twin in self.years.get(pattern, ()):
            if (shown := self.others.get(_year_key(pattern, twin))) is None:
                continue
            try:
                theirs = read_day(text, twin)
            except ValueError:
                continue
            if theirs == day:
                continue
            cell, row, reader = shown
            advice = tuple(twin if f == pattern else f for f in self.formats)
            return OrderConflict(text, pattern, day, cell, row, reader, theirs, advice,
                                 f"{twin!r} instead of {pattern!r}")
        return None

    def check(self, text: str) -> None:
        """After learning: InputError for a ``conflict``, and for a cell only the other
        order reads in a column whose other cells read only the listed one (x53r5 F7: its
        refusal would advise the order those cells contradict)."""
        if (found := self.conflict(text)) is not None:
            raise found.error()
        if self.listed_only and _read(text, self.patterns) is None and (
                theirs := _read(text, self.swapped)) is not None:
            family = order_family(theirs[0])
            mine = next((p for p in self.patterns if order_family(p) == family), None)
            if mine is not None and (contra := self._contra(family)):
                raise InputError(
                    f"not a date: {text!r} reads as {theirs[0]!r} only "
                    f"({theirs[1].isoformat()}), not as the listed {mine!r}. "
                    + both_orders(text, None, theirs[0], mine, contra))
