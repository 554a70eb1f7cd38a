"""init-mapping's date token (Excel serials, epochs) of a column holding a few numbers far
from the token's band, and how its TODO names them (y55r1 F1: one ``0``, ``60``, ``999``,
``3000`` or ``3289`` among 40 serials of 2023-2028 threw ``"excel"`` away, and the TODO
then said none of the 41 cells reads as a date; F2: in an XLSX with date cells, no
formats and no TODO, and the import refused the 40 serials). A year alone (``2026``,
x53r5 F2) was the first such stray; every number outside the band is one now.

The band of a token: Excel serials of 1970-2099 (``"excel"``; the same days in the 1904
system, ``"excel_1904"``), an epoch unit's magnitudes (``tf.epoch_unit``). The token is
the band holding most of the column's numbers; the others are named in the TODO of the
column's unread cells, with what the import does with them: refused (``0``, Excel's empty
date; ``60``, its 1900-02-29; a year alone), or read as a day long past (``999`` is
1902-09-25 under ``"excel"``, ``0`` is 1904-01-01 under ``"excel_1904"``), which the
person fixes in the file (or deletes the TODO line to keep them).

Pure: the cells are given; nothing is read from a file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from bulk.errors import InputError

from .. import transforms as tf

# Excel serials of 1970-01-01 .. 2099-12-31 (1900 system); the 1904 system's are 1462 less
EXCEL_SPAN = (25569, 73050)
_SHIFT_1904 = 1462  # days from 1900-01-00 to 1904-01-01
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_LEADING_ZERO = re.compile(r"-?0\d")

# a stray's kind: (how it is named, what the person does), its examples between them
ZERO = ("Excel's empty date", "1900-01-00, no date: clear the cells or give the dates")
LEAP = ("Excel's 1900-02-29", "a day that never was: fix the cells")
FAR = ("numbers far from its other dates",
       "fix or clear them in the file, or keep those days")


def serial_token(date_system: int | None) -> str:
    """``"excel_1904"`` for a workbook of the 1904 date system, else ``"excel"``."""
    return "excel_1904" if date_system == 1904 else "excel"


def in_band(value: str, token: str) -> bool:
    """Whether the number ``value`` lies in ``token``'s band (module docstring)."""
    if token in ("excel", "excel_1904"):
        shift = _SHIFT_1904 if token == "excel_1904" else 0
        return tf.epoch_unit(value) is None \
            and EXCEL_SPAN[0] - shift <= float(value) <= EXCEL_SPAN[1] - shift
    return tf.epoch_unit(value) == token


def band_token(values: Sequence[str], date_system: int | None) -> str | None:
    """The token whose band holds most of ``values`` (numbers, as text): an epoch unit when
    one unit's integers are most of them, else the serial token (``serial_token``) when
    serials of 1970-2099 are; None when there are none, when two epoch units are among
    them (a wrong unit would import wrong dates), or when a serial is written with a
    leading zero (``030426``: a date in digits, v10r19 S2). The numbers outside the band
    are the column's strays (``stray_kind``)."""
    if not values:
        return None
    units = {unit for v in values if (unit := tf.epoch_unit(v)) is not None}
    if len(units) > 1:
        return None
    if units:
        token = units.pop()
    else:
        if any(_LEADING_ZERO.match(v) for v in values):
            return None
        token = serial_token(date_system)
    held = sum(1 for v in values if in_band(v, token))
    return token if 2 * held > len(values) else None


def stray_kind(cell: str, formats: Sequence[str]) -> tuple[str, str, str] | None:
    """How the TODO names a number ``cell`` outside the band of the token of ``formats``:
    (its kind's name, what the person does, the note shown beside the cell — the day the
    import writes for a far number, ``""`` for one it refuses), or None for another cell
    (one in the band, a text date, a word: named as before). A cell the import refuses
    for a reason of its own (a year alone, a wrong unit) is named by it."""
    token = next((f for f in formats if f in tf.DATE_TOKENS), None)
    if token is None or not _NUMBER.fullmatch(cell := cell.strip()):
        return None
    try:
        number = Decimal(cell)
    except InvalidOperation:  # pragma: no cover - the pattern is a number's
        return None
    if in_band(cell, token):
        return None
    if token == "excel" and 0 <= number < 1:
        return (*ZERO, "")
    if token == "excel" and int(number) == 60:
        return (*LEAP, "")
    try:
        day = tf.parse_date(cell, formats)
    except InputError:
        return None  # refused (a year alone, a wrong unit): "no date in any form proposed"
    return (*FAR, f"→ {day}") if day is not None else None


__all__ = ["EXCEL_SPAN", "FAR", "LEAP", "ZERO", "band_token", "in_band", "serial_token",
           "stray_kind"]
