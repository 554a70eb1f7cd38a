"""A backslash before an amount is the yen (cp932) or won (cp949) sign Windows shows for
byte 0x5C: read as one of them, decided by the default currency or the row's currency
column, never "unknown currency" (x53r5 F4: 6 of 25 rows of a Shift-JIS export failed
with nothing pointing to why)."""

from __future__ import annotations

import random

import pytest

from bulk.errors import InputError
from jobs.transforms import parse_money
from jobs.transforms.currency import currency_choices


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("default", ["JPY", "KRW"])
def test_the_default_currency_decides(seed: int, default: str) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        amount = rng.randrange(1, 10**9)
        for cell in (f"\\{amount:,}", f"\\{amount}", f"-\\{amount:,}", f"\\ {amount:,}"):
            money = parse_money(cell, default_currency=default)
            assert money is not None
            assert abs(money.amount) == amount and money.currency == default, cell
            assert currency_choices(money) == ("JPY", "KRW")


@pytest.mark.parametrize("default", [None, "EUR", "USD"])
def test_undecided_says_why_a_backslash_is_a_currency(default: str | None) -> None:
    with pytest.raises(InputError) as caught:
        parse_money("\\6,169,720", default_currency=default)
    reason = str(caught.value)
    assert "JPY, KRW" in reason and "cp932" in reason, reason
    assert "unknown currency" not in reason, reason


def test_undecided_is_left_to_the_currency_column() -> None:
    money = parse_money("\\6,169,720", undecided=True)
    assert money is not None and money.currency is None
    assert currency_choices(money) == ("JPY", "KRW")
