"""Digits: decimal marks and thousands grouping, one column's decimal mark, exact API numbers.

The one-cell rules (``_decimal_mark``, ``_check_groups``, ``_parse_digits``: see the
package docstring), ``decimal_evidence`` and ``ColumnDecimal`` (the decimal mark of a
column, decided from the whole file), and what a JSON double holds exactly
(``check_api_number``, ``json_number``). Moved out of ``jobs.transforms.money``
(issue 8), which still re-exports every name. It knows no currency.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingABC
from decimal import Decimal, InvalidOperation
from typing import Literal

from bulk.errors import InputError

from .text import quoted_cell

Decimal_ = Literal["auto", ".", ","]  # the decimal mark: learned per column, or fixed

_PARTS = re.compile(
    r"(?P<pre>(?:[^\d.,]|\.(?=\s))*?)\s*(?P<num>[.,]?\d(?:[\d.,'\u2019 ]*\d)?)\s*(?P<post>[^\d]*)", re.S)


def _check_groups(groups: list[str], text: str, *, indian: bool = True) -> None:
    """Thousands groups as written: a first group of 1-3 digits (not starting with 0:
    ``0,125`` and ``00,500`` are no grouping) then groups of 3 (or, when ``indian``, the
    lakh grouping: 2s, then 3 — ``12,34,567``)."""
    first, *rest = groups
    if first.startswith("0"):
        raise InputError(f"not an amount: {text!r} (bad digit grouping: a group after a "
                         "leading 0; a decimal mark? set decimal for this field)")
    ok = 1 <= len(first) <= 3 and bool(rest) and len(rest[-1]) == 3
    ok = ok and all(len(g) == 3 for g in rest[:-1])
    indian = indian and 1 <= len(first) <= 2 and bool(rest) and len(rest[-1]) == 3 and all(
        len(g) == 2 for g in rest[:-1])
    if not (ok or indian):
        raise InputError(f"not an amount: {text!r} (bad digit grouping)")


def _decimal_mark(num: str, decimal: Decimal_) -> str | None:
    if decimal != "auto":
        return decimal if decimal in num else None
    dot, comma = num.rfind("."), num.rfind(",")
    if dot >= 0 and comma >= 0:
        return "." if dot > comma else ","
    if comma >= 0:
        if num.count(",") > 1:
            return None
        head, _, tail = num.partition(",")
        grouping = len(tail) == 3 and head.strip(" '\u2019").lstrip("0") != ""
        return None if grouping else ","
    if dot >= 0:
        return "." if num.count(".") == 1 else None
    return None


# how a failed-rows file writes a typed fraction (``bulk.reports.cell``: at least four
# decimals, the last a 0: 2.375 as ``2.3750``, 12.5 as ``12.5000``): it reads as that
# number under "." or "auto" (under "," it does not read), but it is no evidence of the
# mark of the column's text cells, as the typed cell was none in its source (v10r28 S2:
# an XLSX source's failed.csv, holds emptied, read the text 1.500 as 1.5 where the
# source column wrote decimal commas; a typed 12.5 did the same)
_GUARDED = re.compile(r"-?[0-9]+\.[0-9]{3,}0")


_FOUR_DIGITS_END = re.compile(r"[0-9]{4}$")
_LONG_THREE = re.compile(r"-?[0-9]*[0-9]{4},[0-9]{3}")


def decimal_evidence(num: str) -> tuple[str | None, bool]:
    """(the decimal mark ``num`` shows unambiguously or None, whether it is ambiguous).

    Ambiguous: one separator, once, followed by exactly three digits, with a non-zero
    integer part (``1.234``, ``1,234``): a thousands group or a decimal mark. Evidence:
    both marks (the last is decimal), one mark repeated (the other is decimal: ``1.234.567``
    shows ``,``), one mark not followed by three digits or after a zero (``12,5``,
    ``0.125``)."""
    dot, comma = num.count("."), num.count(",")
    if dot and comma:
        return ("." if num.rfind(".") > num.rfind(",") else ","), False
    if dot > 1 or comma > 1:
        return ("," if dot else "."), False
    if not (dot or comma):
        return None, False
    mark = "." if dot else ","
    head, _, tail = num.partition(mark)
    if len(tail) == 3 and head.strip(" '\u2019").lstrip("0") != "":
        if _FOUR_DIGITS_END.search(head):
            # 1500.000, 2500,000: no thousands group follows four digits, so the mark is
            # the decimal mark (v10r29 F2: refused as "1500 or nothing")
            return mark, False
        return None, True
    return mark, False


class ColumnDecimal:
    """The decimal mark of one column's text cells under ``decimal = "auto"``, decided from
    the whole file (a mapper keeps one per numeric target).

    A cell that shows its mark (``1.234,56``, ``12,5``, ``1,234.50``, ``0.125``) is read by
    it wherever it stands. An ambiguous cell (``1.500``, ``1,500``: a thousands group or a
    decimal mark) is read with the one mark the column's other cells show — all of them,
    the whole file: the load (and plan) read the file once to ``learn`` before any row is
    mapped, and the job stores the decision (``evidence`` / ``restore``) so that a resume
    or retry reads the same way. A column that shows no mark, or both, makes an ambiguous
    cell an InputError naming ``decimal``: never a guess, never an answer that depends on
    which cells came first. A record nobody taught (``learn`` never called) has no
    evidence: its ambiguous cells are errors."""

    __slots__ = ("_pending", "ambiguous", "at", "learning", "seen", "shown")

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}  # decimal mark → the first cell that showed it
        self.learning = False  # between start() and decide(): cells are recorded, not judged
        self.at: int | None = None  # the row being learned (for ``contest``'s message)
        # while learning: decimal mark → [cells showing it, the row of the first]; and the
        # ambiguous cells by their one separator → [count, the first cell, its row]
        self.shown: dict[str, list[int | None]] = {}
        self.ambiguous: dict[str, tuple[int, str, int | None]] = {}
        # while learning: the last cell shown, recorded by ``commit`` once the whole cell
        # reads (v10r17 A: ``1.23.456``, refused, made the column show ",", and ``2.500``
        # of another row imported as 2500)
        self._pending: tuple[str, str | None, str, str] | None = None

    def __repr__(self) -> str:
        state = "learning" if self.learning else f"mark={self.mark!r}"
        return f"ColumnDecimal({state}, seen={self.seen!r})"

    @property
    def mark(self) -> str | None:
        """The column's decimal mark: the one its cells show, else None (none, or both)."""
        return next(iter(self.seen)) if len(self.seen) == 1 else None

    def start(self) -> None:
        """Forget what was seen and record every cell until ``decide``."""
        self.seen, self.learning = {}, True
        self.shown, self.ambiguous = {}, {}
        self._pending = None

    def commit(self) -> None:
        """While learning: record the cell last shown (``see``/``note``), now that the whole
        cell read as an amount. A cell that does not read (bad grouping, an unknown
        currency) is never committed: it is no evidence of the column's mark."""
        pending, self._pending = self._pending, None
        if pending is None or not self.learning:
            return
        kind, mark, num, text = pending
        if kind == "shows" and mark is not None:
            self.seen.setdefault(mark, text)
            tally = self.shown.setdefault(mark, [0, self.at])
            tally[0] = int(tally[0] or 0) + 1
        elif kind == "ambiguous":
            sep = "," if "," in num else "."
            count, first, row = self.ambiguous.get(sep, (0, text, self.at))
            self.ambiguous[sep] = (count + 1, first, row)

    def contest(self) -> str | None:
        """After learning: why the column's decimal mark is contested, else None.

        Contested (v10r9 S4: twenty ``1,000`` … ``20,000`` and one ``0,5`` read as 1 … 20):
        the mark the column shows would read its ambiguous cells that write that same mark
        with three decimals (``1,000`` as 1), and those cells outnumber the cells that agree
        with the mark (those showing it, and the ambiguous ones it reads as thousands). As
        many agreeing cells as such cells keep the mark: ``1'000.-`` and ``1.500`` (1.5),
        ``1.500``, ``1,500`` and ``1.234,56`` (1500, 1.5) are read as before."""
        mark = self.mark
        if mark is None or mark not in self.ambiguous:
            return None
        threes, cell, row = self.ambiguous[mark]
        mine: Decimal_ = "," if mark == "," else "."
        other: Decimal_ = "," if mark == "." else "."
        count, first_row = self.shown.get(mark, [0, None])
        support = int(count or 0) + self.ambiguous.get(other, (0, "", None))[0]
        if threes <= support:
            return None
        num = _PARTS.fullmatch(cell)
        digits = num["num"] if num else cell
        # both readings named, neither preferred (v10r28 M4: a US file's 55.316 was
        # called the suspicious one and decimal = "," offered first)
        return (f"{self.seen[mark]!r}{_at(first_row)} shows {mark!r} as the decimal "
                f"mark, and {threes} cell{'s' if threes > 1 else ''} such as {cell!r}"
                f"{_at(row)} read as {_reading(digits, mine, cell)} by it or as "
                f"{_reading(digits, other, cell)} by {other!r}: too few cells agree to "
                f"decide; say which on this field: decimal = \"{mark}\" if {cell!r} is "
                f"{_reading(digits, mine, cell)}, decimal = \"{other}\" if it is "
                f"{_reading(digits, other, cell)} ({{ column = ..., decimal = ... }})")

    def tie(self, *, money: bool = False) -> str | None:
        """After learning: the reading a tie decided, else None. As many cells agree with
        the column's mark as it would read with three decimals (``$1,200`` beside ``1 234,50``:
        1.2), so the mark stands (``contest``), but a person should see which reading was
        taken (x14r1 F5: 1,200 dollars updated to 1.2, no note). ``money``: an amount's
        column, where three decimals are read only in a currency that has them (BHD, KWD):
        a row in any other fails as ambiguous (x21r3 F1), so the note says that, never
        a reading those rows do not get."""
        mark = self.mark
        if mark is None or mark not in self.ambiguous:
            return None
        threes, cell, row = self.ambiguous[mark]
        other: Decimal_ = "," if mark == "." else "."
        count, first_row = self.shown.get(mark, [0, None])
        if threes != int(count or 0) + self.ambiguous.get(other, (0, "", None))[0]:
            return None
        num = _PARTS.fullmatch(cell)
        digits = num["num"] if num else cell
        mine: Decimal_ = "," if mark == "," else "."
        if money:
            return (f"{cell!r}{_at(row)} reads {_reading(digits, mine, cell)} with the "
                    f"column's decimal mark {mark!r} ({self.seen[mark]!r}{_at(first_row)}): "
                    "3 decimals, so a row whose currency has fewer (USD, EUR: 2) fails as "
                    f"ambiguous ({_reading(digits, mine, cell)} or "
                    f"{_reading(digits, other, cell)}); if it is "
                    f"{_reading(digits, other, cell)}, set decimal = \"{other}\" on this field")
        return (f"{cell!r}{_at(row)} is read as {_reading(digits, mine, cell)}: the column "
                f"writes {mark!r} as its decimal mark ({self.seen[mark]!r}{_at(first_row)}); "
                f"if it is {_reading(digits, other, cell)}, set decimal = \"{other}\" on "
                "this field")

    def decide(self) -> None:
        """Stop learning: from now on ambiguous cells are judged by what was seen."""
        self.learning = False

    def evidence(self) -> dict[str, str]:
        """What the column showed, JSON-safe (decimal mark → the first cell showing it)."""
        return dict(self.seen)

    def restore(self, evidence: MappingABC[str, str]) -> None:
        """The decision of an earlier pass over the file (``evidence``), judged from now on."""
        self.seen = {m: str(c) for m, c in evidence.items() if m in (".", ",")}
        self.learning = False

    def note(self, mark: str, text: str) -> None:
        """Show a cell that shows ``mark`` by another sign (``1.000,--``): recorded by
        ``commit`` once it reads."""
        if self.learning:
            self._pending = ("shows", mark, "", text)

    def see(self, num: str, text: str) -> Decimal_:
        """The decimal mark to read ``num`` (the digits of the cell ``text``) with: ``auto``
        for a cell that shows its own; for an ambiguous one the column's mark, or
        InputError. While learning, the cell is only shown (``commit`` records it once
        the whole cell reads) and ``auto`` returned: ``parse_money`` reads it by its own
        marks, then returns None."""
        mark, ambiguous = decimal_evidence(num)
        # 2500,000: its mark can only be decimal, which the per-cell reading ("auto",
        # where 1,500 is 1500) does not know (v10r29 F2)
        own: Decimal_ = "," if mark == "," and _LONG_THREE.fullmatch(num) else "auto"
        if self.learning:
            if mark == "." and _GUARDED.fullmatch(num):
                mark = None  # a failed-rows file's typed number, no text's convention
            self._pending = (("shows" if mark is not None else "ambiguous" if ambiguous
                              else "none"), mark, num, text)
            return own
        if not ambiguous:
            return own
        if self.mark is not None:
            return "," if self.mark == "," else "."
        readings = f"it may mean {_reading(num, '.', text)} or {_reading(num, ',', text)}"
        if self.seen:
            raise InputError(self._mixed(num, text, readings))
        raise InputError(f"ambiguous number {text!r}: set decimal = \",\" or \".\" on this "
                         f"field ({{ column = ..., decimal = \",\" }}; [defaults] decimal "
                         f"would apply to every column) ({readings}; no cell of this column "
                         "shows its decimal mark)")


    def _mixed(self, num: str, text: str, readings: str) -> str:
        """Why an ambiguous cell of a column that writes both marks is refused, and what
        can fix it: no ``decimal`` setting reads such a column (x40r2 L1: following the
        advice "set decimal on this field" refused 134 more rows than it fixed, those
        writing the other mark), so the cell itself must read one way."""
        def shown(mark: str) -> str:
            # (the first cell showing each mark is known; how many do is not: a column is
            # read no more once it showed both, ``rowmapper``'s learning)
            first = self.shown.get(mark, [0, None])[1]
            where = f" in row {first}" if first is not None else ""
            return f"{mark!r} ({self.seen[mark]!r}{where})"
        marks = " and ".join(shown(m) for m in sorted(self.seen))
        sep: Decimal_ = "," if "," in num else "."
        other: Decimal_ = "." if sep == "," else ","
        head, _, tail = num.partition(sep)
        head = re.sub(r"[^\d]", "", head)
        # (the mark groups thousands under the other mark, is decimal under its own)
        grouped, decimal = _reading(num, other, text), _reading(num, sep, text)
        fix = ", ".join(f"{spelled} if it is {value}" for value, spelled in (
            (grouped, f"{head}{tail} (no thousands mark)"),
            (decimal, f"{head}.{tail}0 (four decimals)")) if value != "nothing")
        return (f"ambiguous number {text!r} ({readings}): this column writes both {marks} "
                "as the decimal mark, so no decimal setting reads all its rows (decimal = "
                "\",\" would refuse those writing '.', and \".\" those writing ','): write "
                f"this cell in the file so it reads one way — {fix}")


def _at(row: int | None) -> str:
    return f" (row {row})" if row is not None else ""


def _reading(num: str, mark: Decimal_, text: str) -> str:
    """``num`` read with ``mark`` as the decimal mark, as plain digits (for messages)."""
    try:
        return format(_parse_digits(num, mark, text).normalize(), "f")
    except InputError:
        return "nothing"



# Pipedrive stores numbers as JSON numbers (IEEE doubles): integers are exact up
# to 2^53 and a double carries at most 15 significant decimal digits reliably.
MAX_EXACT = 2 ** 53
_MAX_DIGITS = 15


def check_api_number(amount: Decimal, shown: object = None) -> Decimal:
    """``amount`` itself, or InputError when a JSON double cannot hold it exactly:
    NaN/Infinity, magnitude >= 2^53 (``1e20``, 20-digit numbers, 2^63), a non-zero
    number a double holds as 0 (``1e-400``), or more than 15 significant digits
    (``0.1234567890123456``)."""
    cell = quoted_cell(amount if shown is None else shown)
    if not amount.is_finite():
        raise InputError(f"not a finite number: {cell}")
    if abs(amount) >= MAX_EXACT:
        raise InputError(f"number too large: {cell} (Pipedrive holds numbers exactly only "
                         f"below 2^53 = {MAX_EXACT:,})")
    if amount and not float(amount):  # 1e-400: a JSON double holds it as 0
        raise InputError(f"number too small: {cell} (a JSON number would hold it as 0)")
    digits = amount.normalize().as_tuple().digits
    if len(digits) > _MAX_DIGITS and amount != amount.to_integral_value():
        raise InputError(f"too precise: {cell} (more than {_MAX_DIGITS} significant digits "
                         "do not survive a JSON number)")
    return amount


_GROUP_MARKS = re.compile("[.,' \u2019]")
_DIGITS = re.compile(r"\d")


def _parse_digits(num: str, decimal: Decimal_, text: str, *, no_cents: bool = False) -> Decimal:
    """``num`` read with ``decimal``; ``no_cents`` (a "no cents" amount, ``1.000.-``): no
    decimal mark, every mark groups (InputError when the groups are not thousands). A
    number refused under a fixed mark that the other mark reads says so (x13r5 F4: a
    column mixing ``$62,353.94`` and ``€ 62.202,19`` under decimal = "." said only "not an
    amount")."""
    try:
        return _read_digits(num, decimal, text, no_cents=no_cents)
    except InputError as exc:
        if decimal == "auto" or no_cents:
            raise
        other: Decimal_ = "," if decimal == "." else "."
        try:
            _read_digits(num, other, text)
        except InputError:
            raise exc from None
        raise InputError(f"{exc.reason} (read with decimal = \"{decimal}\", this field's "
                         f"setting; with \"{other}\" as the decimal mark it is a number: "
                         "does the column mix both? decimal = \"auto\" reads each cell by "
                         "its own marks where they tell)") from None


def other_reading(num: str, decimal: Decimal_, text: str) -> tuple[str, Decimal] | None:
    """(the decimal mark, the reading with it as thousands grouping) when ``num`` read
    with ``decimal`` has a decimal mark that could as well group thousands — three
    digits after it, and the digits read with the other mark (``5,000``: 5 or 5000;
    ``1.234,500`` and ``0,125`` read one way only) —, else None."""
    if len(num) < 4 or num[-4] not in ".,":  # no mark three digits from the end (the
        return None  # usual amount: issue 8), so none with three digits after it
    mark = _decimal_mark(num, decimal)
    if mark is None or len(num.rsplit(mark, 1)[1]) != 3:
        return None
    try:
        return mark, _read_digits(num, "," if mark == "." else ".", text)
    except InputError:
        return None


# the common shapes of a number's digits (issue 8: an amount cell's digits were a third of
# its reading): ASCII digits, optionally grouped by threes with one mark, then a decimal
# mark with one or two digits — read by ``_common_digits``, whatever else by the full rules
_COMMON = re.compile(r"(?:([0-9]+)|([1-9][0-9]{0,2})((?:([.,' \u2019])[0-9]{3})"
                     r"(?:\4[0-9]{3})*))([.,])([0-9]{1,2})")


def _common_digits(num: str, decimal: Decimal_) -> Decimal | None:
    """``_read_digits(num, decimal, ...)`` of a number in one of the common shapes, else
    None (the full rules read it): ``1234`` (digits alone: no mark under any ``decimal``),
    and under ``decimal = "auto"`` or that mark, ``1234.5``, ``1234,56``, ``1,234.56``,
    ``1.234,56``, ``1 234,56``, ``1'234.56`` — a first group of 1-3 digits (not 0) and
    groups of 3 by one mark that is not the decimal mark, then the decimal mark and 1-2
    digits. Their readings are one each: no mark of them could group thousands
    (``other_reading`` is None), and the groups are thousands as ``_check_groups`` asks."""
    if num.isdigit() and num.isascii():
        return Decimal(num)
    match = _COMMON.fullmatch(num)
    if match is None:
        return None
    plain, first, groups, sep, mark, frac = match.groups()
    if (decimal != "auto" and decimal != mark) or sep == mark:
        return None
    if plain is not None:
        return Decimal(f"{plain}.{frac}")
    return Decimal(f"{first}{groups.replace(sep, '')}.{frac}")


def _read_digits(num: str, decimal: Decimal_, text: str, *, no_cents: bool = False) -> Decimal:
    """``_parse_digits`` without its hint."""
    if not no_cents and (common := _common_digits(num, decimal)) is not None:
        return common
    mark = None if no_cents else _decimal_mark(num, decimal)
    whole, frac = (num.rsplit(mark, 1) if mark else (num, ""))
    if mark and mark in whole and frac.isdigit():
        # 1.250.000 under decimal = ".": the mark twice (x10r1: no reason was given)
        raise InputError(f"not an amount: {text!r} ({mark!r} is this field's decimal mark "
                         + (f"(decimal = \"{decimal}\") " if decimal != "auto" else "")
                         + "and stands more than once: if the file writes it between "
                         "thousands, set decimal for this field to the other mark)")
    if mark and (not frac.isdigit() or mark in whole):
        raise InputError(f"not an amount: {text!r}")
    if whole:
        groups = _GROUP_MARKS.split(whole)
        if any(not g.isdigit() for g in groups) or len(set(_DIGITS.sub("", whole))) > 1:
            raise InputError(f"not an amount: {text!r}")
        if len(groups) > 1:
            # lakh grouping is written with commas only (12,34,567): 1.23.456 is no number
            # of any locale, not 123456 (v10r15 note)
            _check_groups(groups, text, indian=set(_DIGITS.sub("", whole)) <= {","})
        whole = "".join(groups)
    try:
        return Decimal(f"{whole or '0'}.{frac}" if frac else whole)
    except InvalidOperation:  # pragma: no cover - the regexes above exclude it
        raise InputError(f"not an amount: {text!r}") from None


def json_number(amount: Decimal) -> int | float:
    """A Decimal as the JSON number the v2 API expects: int when integral, else float."""
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)
