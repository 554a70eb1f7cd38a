"""A refused amount says what can fix it and quotes its cell as written: in a column that
writes both decimal marks no ``decimal`` setting reads every row, so the reason says so
(both marks, each with the first cell and row writing it) and how to write the cell so it reads one
way (x40r2 L1: "set decimal on this field" refused 134 more rows than it fixed); the cell
``(1,234)`` is quoted with its parentheses, the sign they give (x40r2 L2)."""

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


def test_a_column_of_both_marks_advises_what_reads_the_cell() -> None:
    """'12,5' (row 2) and '$40,966.41' (row 4): '1,234' and '1.234' are refused naming both
    marks, where each is first written, and the spellings that read one way — never "set
    decimal"."""
    column = _learned(["12,5", "7,25", "$40,966.41", "1,234"])
    for cell, whole, part in (("1,234", "1234", "1.234"), ("1.234", "1234", "1.234")):
        with pytest.raises(InputError) as caught:
            parse_money(cell, default_currency="USD", column=column)
        reason = caught.value.reason
        assert "set decimal" not in reason, reason
        assert "both ',' ('12,5' in row 2) and '.' ('$40,966.41' in row 4)" in reason, reason
        assert "no decimal setting reads all its rows" in reason, reason
        assert f"{whole} (no thousands mark) if it is {whole}" in reason, reason
        assert f"{part}0 (four decimals) if it is {part}" in reason, reason
        # the spellings it advises do read one way, in this column
        assert parse_money(whole, default_currency="USD", column=column).amount == 1234
        assert str(parse_money(f"{part}0", default_currency="USD",
                               column=column).amount) == "1.2340"


@pytest.mark.parametrize(("cell", "shown"), [
    ("(1,234)", "'(1,234)'"), ("($ 1,234)", "'($ 1,234)'"), ("(12abc)", "'(12abc)'"),
    ("(1,2,3)", "'(1,2,3)'"), ("1.23.4,-", "'1.23.4,-'")])
def test_a_reason_quotes_the_cell_as_written(cell: str, shown: str) -> None:
    """The parentheses (its sign) and a no-cents dash stay in the quoted cell."""
    column = _learned(["12,5", "$40,966.41"])
    with pytest.raises(InputError) as caught:
        parse_money(cell, default_currency="USD", column=column)
    assert f"{shown}" in caught.value.reason, caught.value.reason
