"""Two amounts a cent or more apart are never merged unattended (x45r2 F1/F2): "same value" is
equal to the currency's minor unit (a cent off at most), not 0.5 % (75,030 / 75,080 EUR merged
at 1.000 and one order was lost); a rounding is half up or half down at the finest power of ten
that makes it (5,650 -> 5,600 or 5,700) and only says "maybe rounded" in the review reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.amounts import rounding, same_amount, value_conflict
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord

CFG = DedupeConfig.default()
T = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
ORDER = DealRecord(id=1, title="Firm0 GmbH - Spare parts order", status="open", org_id=1,
                   org_name="Firm0 GmbH", person_id=100, value=75030.0, currency="EUR",
                   pipeline_id=1, stage_id=1, stage_order=1, add_time=T, update_time=T)

# the tester's pairs (x45r2 F1/F2): one customer's two orders, entered a minute apart
TWO_ORDERS = [(75030.0, 75080.0), (11050.0, 11100.0), (50530.0, 50580.0), (20000.0, 20150.0),
              (5600.0, 5650.0), (5700.0, 5650.0), (33560.0, 34260.0)]


@pytest.mark.parametrize(("x", "y"), TWO_ORDERS)
def test_two_orders_a_minute_apart_go_to_review(x: float, y: float) -> None:
    """Same title, org and person, 1 min apart, values 50-700 EUR apart: review, never a
    duplicate group (before: 1.000, merged, one order lost under ``value = "max"``)."""
    b = replace(ORDER, id=2, value=y, add_time=T + timedelta(minutes=1))
    [g] = find_duplicates([replace(ORDER, value=x), b], CFG).groups
    assert g.band == "review" and g.score <= 0.80, g
    assert any(r.startswith("two amounts:") for r in g.reasons), g.reasons
    assert not any(r.startswith("same value") for r in g.reasons), g.reasons


def test_a_cent_off_is_one_amount_and_more_is_two() -> None:
    """Equal to the minor unit: a cent (EUR), a yen (JPY, no minor unit), a fils (BHD, 3)."""
    assert same_amount(19999.99, 20000.0, "EUR") and same_amount(0.1 + 0.2, 0.3, "EUR")
    assert same_amount(1000.0, 1000.01) and not same_amount(1000.0, 1000.02)
    assert not same_amount(75030.0, 75080.0, "EUR") and not same_amount(1120.0, 1121.0, "EUR")
    assert same_amount(1000.0, 1001.0, "JPY") and not same_amount(1000.0, 1002.0, "jpy")
    assert same_amount(1.234, 1.235, "BHD") and not same_amount(1.234, 1.236, "BHD")


def test_a_rounding_is_half_up_or_half_down_at_the_finest_place() -> None:
    """5,650 -> 5,600 and -> 5,700 both (a person rounds half either way; before, Python's
    half-even took only 5,600); 20,150 -> 20,000 is thousands, never ten thousands; two
    amounts at one place (5,100 / 5,200), further than half a place or 5 % apart are none."""
    assert rounding(5600.0, 5650.0) == "5,650 rounded to hundreds"
    assert rounding(5700.0, 5650.0) == "5,650 rounded to hundreds"
    assert rounding(20000.0, 20150.0) == "20,150 rounded to thousands"
    assert rounding(7300.0, 7000.0) == "7,300 rounded to thousands"
    # a whole amount drops every place below the unit: the unit, not tens (x45r7 F5)
    assert rounding(19999.5, 20000.0) == "19,999.5 rounded to the unit"
    for x, y in ((75030.0, 75080.0), (5100.0, 5200.0), (480.0, 530.0), (140.0, 100.0),
                 (1240.0, 860.0), (20000.0, 21100.0), (5000.0, 5600.0)):
        assert rounding(x, y) is None and rounding(y, x) is None, (x, y)


def test_the_reason_says_both_amounts_and_maybe_rounded() -> None:
    """``two amounts: 5,600≠5,650 (maybe 5,650 rounded to hundreds)``; a pair that is no
    rounding says the two amounts only."""
    b = replace(ORDER, id=2, value=5650.0, add_time=T + timedelta(minutes=1))
    assert value_conflict(replace(ORDER, value=5600.0), b) == \
        "two amounts: 5,600≠5,650 (maybe 5,650 rounded to hundreds)"
    assert value_conflict(ORDER, replace(b, value=75080.0)) == "two amounts: 75,030≠75,080"
    assert value_conflict(ORDER, replace(b, value=75030.0)) is None
    assert value_conflict(ORDER, replace(b, value=0.0)) is None
