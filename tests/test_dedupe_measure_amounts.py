"""A measured amount (monetary custom field) compares as the deal value does: equal to its
currency's minor unit is one amount, so `1000` / `1000.0` / `"1000.00"`, a float's rounding
and a cent off never hold a pair at review; a number (double, int) is equal but for a float's
rounding (x45r2 F1: within 0.5 % before, so 1,000 / 1,005 EUR were one); a currency compares by its code, case
and spaces aside. Two amounts further apart are still two records."""

from __future__ import annotations

import pytest

from jobs.dedupe.amounts import same_amount
from tests.test_dedupe_measures import _pair

ONE: list[tuple[str, object, object]] = [
    ("monetary", {"value": 1000, "currency": "EUR"}, {"value": "1000.00", "currency": "EUR"}),
    ("monetary", {"value": 0.1 + 0.2, "currency": "EUR"}, {"value": 0.3, "currency": "EUR"}),
    ("monetary", {"value": 1000, "currency": " eur "}, {"value": 1000.0, "currency": "EUR"}),
    ("monetary", {"value": 19999.99, "currency": "EUR"}, {"value": 20000, "currency": "EUR"}),
    ("double", 1000, "1000.00"),
    ("double", 0.1 + 0.2, 0.3),
    ("double", 12.499999999, 12.5),
    ("int", 1000, 1000.0000001),
]
TWO: list[tuple[str, object, object]] = [
    ("monetary", {"value": 1000, "currency": "EUR"}, {"value": 1100, "currency": "EUR"}),
    ("monetary", {"value": 1000, "currency": "EUR"}, {"value": 1000, "currency": "USD"}),
    ("double", 100, 101),
    ("monetary", {"value": 1000, "currency": "EUR"}, {"value": 1005, "currency": "EUR"}),
    ("monetary", {"value": 1000, "currency": "EUR"}, {"value": 1000.02, "currency": "eur"}),
    ("double", 100, 100.4),
    ("int", 0, 15),
]


@pytest.mark.parametrize(("ftype", "x", "y"), ONE)
def test_one_amount_written_otherwise_is_merged(ftype: str, x: object, y: object) -> None:
    """The same amount as a float, a string, a float's rounding or a cent off: no
    `different …` reason, the copy in the duplicate band (before: review, 0.80)."""
    band, reasons = _pair(ftype, x, y)
    assert band == "duplicate", (ftype, x, y, reasons)
    assert not any(r.startswith("different ") for r in reasons), reasons


@pytest.mark.parametrize(("ftype", "x", "y"), TWO)
def test_two_amounts_are_still_two_records(ftype: str, x: object, y: object) -> None:
    band, reasons = _pair(ftype, x, y)
    assert band == "review", (ftype, x, y, reasons)
    assert any(r.startswith("different ") for r in reasons), reasons


def test_the_deal_value_and_a_measure_share_one_tolerance() -> None:
    """`same_amount` is the deal value's test: the currency's minor unit (a cent by default)."""
    assert same_amount(1000.0, 1000.01) and not same_amount(1000.0, 1000.02)
    assert not same_amount(1000.0, 1005.0) and same_amount(1000.0, 1001.0, "JPY")
    assert same_amount(0.0, 0.0) and not same_amount(0.0, 1.0)


# an amount a person typed as text, in either decimal convention (the import's
# ``parse_number`` rules: the last of two marks is the decimal one)
WRITTEN_ONE: list[tuple[str, object, object]] = [
    ("monetary", {"value": "1.000,50", "currency": "EUR"}, {"value": 1000.5, "currency": "EUR"}),
    ("monetary", {"value": "1,000.50", "currency": "EUR"}, {"value": "1.000,50", "currency": "EUR"}),
    ("double", "1.000,50", 1000.5),
    ("double", "1 000,50", "1000.50"),
    ("double", "12,5", 12.5),
    ("int", "1.234.567", 1234567),
    ("double", "1.000", "1.000"),  # the same ambiguous text on both sides
]
# ``1.000`` is 1 or 1000: never taken for one reading of it (held at review, both shown)
AMBIGUOUS: list[tuple[str, object, object]] = [
    ("double", "1.000", 1000),
    ("double", "1,000", 1),
    ("monetary", {"value": "2.500", "currency": "EUR"}, {"value": 2.5, "currency": "EUR"}),
]


@pytest.mark.parametrize(("ftype", "x", "y"), WRITTEN_ONE)
def test_an_amount_written_in_either_convention_is_one(ftype: str, x: object,
                                                       y: object) -> None:
    """`1.000,50` is 1,000.50 (before: 1.0005, the pair held at review)."""
    band, reasons = _pair(ftype, x, y)
    assert band == "duplicate", (ftype, x, y, reasons)
    assert not any(r.startswith("different ") for r in reasons), reasons


@pytest.mark.parametrize(("ftype", "x", "y"), AMBIGUOUS)
def test_an_ambiguous_amount_is_not_compared_as_one_reading(ftype: str, x: object,
                                                            y: object) -> None:
    """`1.000` against 1000 (or `1,000` against 1): review, the reason showing both
    readings (before: `1.000` read 1, `1,000` read 1000, one of each merged)."""
    band, reasons = _pair(ftype, x, y)
    assert band == "review", (ftype, x, y, reasons)
    (said,) = [r for r in reasons if r.startswith("different ")]
    assert " or " in said, said
