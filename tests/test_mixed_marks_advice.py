"""A refused amount quotes its cell as written: ``(1,234)`` with its parentheses, the sign
they give (x40r2 L2: quoted '1,234'), a no-cents dash with its dash."""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from jobs.transforms.decimals import ColumnDecimal
from jobs.transforms.money import parse_money


def _learned(cells: list[str]) -> ColumnDecimal:
    column = ColumnDecimal()
    column.start()
    for n, cell in enumerate(cells, start=2):
        column.at = n
        parse_money(cell, default_currency="USD", column=column)
    column.decide()
    return column


@pytest.mark.parametrize(("cell", "shown"), [
    ("(1,234)", "'(1,234)'"), ("($ 1,234)", "'($ 1,234)'"), ("(12abc)", "'(12abc)'"),
    ("(1,2,3)", "'(1,2,3)'"), ("1.23.4,-", "'1.23.4,-'")])
def test_a_reason_quotes_the_cell_as_written(cell: str, shown: str) -> None:
    """The parentheses (its sign) and a no-cents dash stay in the quoted cell."""
    column = _learned(["12,5", "$40,966.41"])
    with pytest.raises(InputError) as caught:
        parse_money(cell, default_currency="USD", column=column)
    assert f"{shown}" in caught.value.reason, caught.value.reason
