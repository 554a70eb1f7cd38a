"""A number a spreadsheet's General format showed in E-notation lost its digits: refused
in every numeric target, with the row number and the column (x32r4 t14: the CSV cell
``1.23457E+11`` became the deal value 123457000000, and a double field's too, while the
key, text and phone columns already refused it). E-notation General never writes for a
big number (below 10^11, or more digits than it shows) is read as written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bulk.errors import InputError
from jobs import transforms as tf
from jobs.catalog import Catalog
from tests.test_mapping import catalog, mapper, row  # noqa: F401  (the fixture)

CUT = ("1.23457E+11", "1,23457E+11", "-4.5E+12", "1E+12", "1.2346E+100", "1.23457e+11",
       " 9.99999E+14 ")
KEPT = (("1E+06", Decimal(1000000)), ("1.5E+03", Decimal(1500)), ("12e3", Decimal(12000)),
        ("1.234567E+11", Decimal(123456700000)), ("9.5E+10", Decimal(95000000000)))


@pytest.mark.parametrize("cell", CUT)
def test_every_number_parser_refuses_a_cut_number(cell: str) -> None:
    for parse in (tf.parse_money, tf.parse_number, tf.parse_int, tf.parse_probability):
        with pytest.raises(InputError, match="its other digits are lost"):
            parse(cell)


@pytest.mark.parametrize(("cell", "number"), KEPT)
def test_e_notation_general_never_writes_is_read(cell: str, number: Decimal) -> None:
    money = tf.parse_money(cell, default_currency="EUR")
    assert money is not None and money.amount == number
    assert tf.parse_number(cell) == number


@pytest.mark.parametrize("column", ["Amount", "Probability", "Seats", "Contract", "Employees"])
@pytest.mark.parametrize("cell", ["1.23457E+11", "1,23457E+11"])
def test_a_cut_number_fails_its_row_in_every_numeric_field(
        catalog: Catalog, column: str, cell: str) -> None:  # noqa: F811
    """deal.value, probability, a double, a monetary and an int custom field."""
    with pytest.raises(InputError) as info:
        mapper(catalog).map(row(**{column: cell}))
    assert (info.value.row, info.value.column) == (7, column)
    assert f"{cell!r} is a long number as a spreadsheet shows it in scientific notation: " \
           "its other digits are lost" in info.value.reason


def test_an_amount_in_e_notation_below_general_s_range_is_mapped(catalog: Catalog) -> None:  # noqa: F811
    deal = mapper(catalog).map(row(Amount="1E+06")).deal
    assert deal["value"] == 1000000
