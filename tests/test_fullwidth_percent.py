"""A full-width percentage reads as its plain form (x54r2 F2: a full-width ``12.5%`` in a number
field failed "text beside the number: '%'" where ``12.5%`` read 12.5, 30 of 30
probability cells ``10%`` with a full-width 0 and sign too; in a deal value it said "unknown currency '%'" where
``15%`` says "is a percentage"): every cell's full-width forms (all its characters, or
only the sign) give what the plain cell gives."""

from __future__ import annotations

import itertools

import pytest

from bulk.errors import InputError
from jobs.transforms import parse_money, parse_number
from tests.each_case import cases_of, check_each

# the plain characters a percentage may carry, to their full-width forms (U+FF01-U+FF5E)
_ALL = {ord(c): ord(c) + 0xFEE0 for c in "0123456789.,-+%()"}
_SIGN = {ord("%"): 0xFF05}
_CELLS = ["".join(p) for p in itertools.product(
    ["", "-", "+"], ["12.5", "10", "0", "12,5", "1,234.5", "100"], ["%", " %"])]


def _read(read: object, cell: str) -> object:
    try:
        return read(cell)  # type: ignore[operator]
    except InputError as exc:
        return type(exc)


def _wide_reads_as_plain(cell: str, decimal: str) -> None:
    def read(v: str) -> object:
        return parse_number(v, decimal=decimal)  # type: ignore[arg-type]
    plain = _read(read, cell)
    for fold in (_ALL, _SIGN):
        assert _read(read, cell.translate(fold)) == plain, (cell.translate(fold), plain)
    if decimal == "." and "," not in cell:
        assert plain == parse_number(cell.rstrip("% "), decimal=".")


# one item per decimal mark, every cell looped and each failing one named (issue 8, f57c:
# 108 items before)
@pytest.mark.parametrize("decimal", [".", ",", "auto"])
def test_a_wide_percentage_reads_as_the_plain_one(decimal: str) -> None:
    assert check_each(cases_of([(cell, decimal) for cell in _CELLS], lambda cell, _: repr(cell)),
                      _wide_reads_as_plain) == len(_CELLS)


@pytest.mark.parametrize("cell", _CELLS)
def test_a_wide_percentage_is_no_amount(cell: str) -> None:
    """In a deal value the full-width percentage is refused as a percentage, as ``15%``."""
    for shown in (cell, cell.translate(_ALL), cell.translate(_SIGN)):
        with pytest.raises(InputError) as caught:
            parse_money(shown, default_currency="EUR")
        assert "is a percentage" in str(caught.value), str(caught.value)


def test_the_sign_alone_and_words_still_fail() -> None:
    for cell in ("\uff05", "abc\uff05", "n/a\uff05"):
        with pytest.raises(InputError):
            parse_number(cell)
