"""An amount moves with its currency and is compared only within one (x45r7 F1): the
0-value fill and every field policy write a deal value with its deal's currency, a
monetary custom field whole; ``max`` / ``min`` across two currencies take no side (the
survivor's stays, the drops say ``two currencies: not compared``). Every amount is printed
whole and grouped, one format for reasons, policy, drops and review.html (F2); amounts are
compared as integers of minor units (F3); a whole amount rounded drops places below the
unit (F5); two currencies are never one value (F6)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.amounts import rounding, same_amount, two_amounts, value_conflict
from jobs.dedupe.model import DealRecord, Group
from jobs.dedupe.planfiles import merge_drops, patch_shown, policy_changes, policy_compares
from jobs.dedupe.review import render_review
from jobs.dedupe.scoring import prepare, score_pair
from jobs.field_text import amount_text
from tests.test_dedupe_measures import BASE, CFG, _pair

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
S = DealRecord(id=1, title="Nordwind - Spare parts", status="open", org_id=100, person_id=200,
               value=1000.0, currency="EUR", owner_id=1, add_time=NOW, update_time=NOW)
C = replace(S, id=2, add_time=NOW + timedelta(minutes=1), update_time=NOW + timedelta(hours=1))
G = Group(id="g-1", survivor_id=1, merged_ids=(2,), band="review", score=0.8, reasons=(),
          survivor_reasons=(), differing=())
MONEY = "k_money"


def test_the_zero_value_fill_takes_the_currency_with_the_amount() -> None:
    """0 EUR survivor + 5,000 USD merged: 5,000 USD, never 5,000 EUR."""
    records = {1: replace(S, value=0.0), 2: replace(C, value=5000.0, currency="USD")}
    changes = policy_changes(G, records, {})
    assert (changes["value"], changes.get("currency")) == (5000, "USD")
    assert patch_shown(changes, records[1]) == ["value 5,000.00 USD"]
    assert merge_drops(G, records, changes) == []


@pytest.mark.parametrize("rule", ["max", "min"])
def test_max_and_min_take_no_side_across_two_currencies(rule: str) -> None:
    """1,000 EUR / 1,100 JPY under max (900 JPY under min): the survivor's 1,000 EUR stays,
    and the drops name the other amount as not compared."""
    other = 1100.0 if rule == "max" else 900.0
    records = {1: S, 2: replace(C, value=other, currency="JPY")}
    changes = policy_changes(G, records, {"value": rule})
    assert "value" not in changes and "currency" not in changes
    assert merge_drops(G, records, changes, compared=policy_compares({"value": rule})) == [
        f"value {other:,.0f} JPY (deal 2, two currencies: not compared)"]
    assert merge_drops(G, records, changes) == [f"value {other:,.0f} JPY (deal 2)"]


def test_a_policy_that_moves_a_value_moves_its_currency() -> None:
    """newest-non-empty from a copy in USD: value and currency written together."""
    records = {1: S, 2: replace(C, value=1000.0, currency="USD")}
    changes = policy_changes(G, records, {"value": "newest-non-empty"})
    assert (changes["value"], changes["currency"]) == (1000, "USD")
    assert merge_drops(G, records, changes) == [
        "value 1,000.00 EUR (deal 1, the survivor: overwritten by the field policy)"]


@pytest.mark.parametrize("rule", ["max", "min"])
def test_a_monetary_field_is_compared_only_within_one_currency(rule: str) -> None:
    """Contract value 1,000 EUR / 1,100 JPY under max: the survivor's stays (it was 1,100
    JPY: bare numbers compared); within one currency the larger is taken whole."""
    own, copy = {"value": 1000, "currency": "EUR"}, {"value": 1100, "currency": "JPY"}
    records = {1: replace(S, fields={MONEY: own}), 2: replace(C, fields={MONEY: copy})}
    changes = policy_changes(G, records, {MONEY: rule})
    assert MONEY not in changes.get("custom_fields", {})
    drops = merge_drops(G, records, changes, {MONEY: "Contract value"},
                        compared=policy_compares({MONEY: rule}))
    assert drops == ["Contract value 1,100 JPY (deal 2, two currencies: not compared)"]
    same = {"value": 1100, "currency": "EUR"}
    records[2] = replace(C, fields={MONEY: same})
    changes = policy_changes(G, records, {MONEY: "max"})
    assert changes["custom_fields"][MONEY] == same


def test_the_value_max_within_one_currency_is_unchanged() -> None:
    records = {1: S, 2: replace(C, value=1100.0)}
    changes = policy_changes(G, records, {"value": "max"})
    assert changes == {"value": 1100}


@pytest.mark.parametrize(("v", "code", "shown"), [
    (99999.99, "EUR", "99,999.99 EUR"), (100000.01, "EUR", "100,000.01 EUR"),
    (1234567.5, "EUR", "1,234,567.50 EUR"), (1100, "JPY", "1,100 JPY"),
    (1000000.0, None, "1,000,000"), (1000001.0, None, "1,000,001"),
    (100000000000.1, "EUR", "100,000,000,000.10 EUR"), (0.3, None, "0.3")])
def test_every_amount_is_printed_whole_and_grouped(v: float, code: str | None,
                                                   shown: str) -> None:
    assert amount_text(v, code) == shown


@pytest.mark.parametrize(("ftype", "x", "y", "reason"), [
    ("monetary", {"value": 99999.99, "currency": "EUR"}, {"value": 100000.01, "currency": "EUR"},
     "99,999.99 EUR≠100,000.01 EUR"),
    ("monetary", {"value": 1234567.5, "currency": "EUR"}, {"value": 1234568, "currency": "EUR"},
     "1,234,567.50 EUR≠1,234,568.00 EUR"),
    ("double", 1000000, 1000001, "1,000,000≠1,000,001")])
def test_a_measure_reason_never_shows_two_numbers_alike(ftype: str, x: object, y: object,
                                                        reason: str) -> None:
    _, reasons = _pair(ftype, x, y)
    assert any(r.endswith(reason) for r in reasons), reasons


def test_the_policy_drops_and_review_page_show_money_formatted() -> None:
    own, copy = {"value": 99999.99, "currency": "EUR"}, {"value": 100000.01, "currency": "EUR"}
    records = {1: replace(S, fields={MONEY: own}), 2: replace(C, fields={MONEY: copy})}
    changes = policy_changes(G, records, {MONEY: "max"})
    labels = {MONEY: "Contract value"}
    assert patch_shown(changes, records[1], labels) == ["Contract value 100,000.01 EUR"]
    assert merge_drops(G, records, changes, labels) == [
        "Contract value 99,999.99 EUR (deal 1, the survivor: overwritten by the field policy)"]
    page = render_review([G], records, fields=labels)
    assert "99,999.99 EUR" in page and "{" not in page.split("<body", 1)[-1].split("<style")[0]
    assert "&#x27;value&#x27;" not in page and "'value'" not in page


@pytest.mark.parametrize(("x", "y", "code"), [
    (100_000_000_000.0, 100_000_000_000.10, "EUR"), (1e12, 1e12 + 2, "JPY"),
    (10_000_000_000.0, 10_000_000_000.05, "EUR")])
def test_large_amounts_a_few_units_apart_are_two(x: float, y: float, code: str) -> None:
    """No relative epsilon: minor units compared as integers (x45r7 F3)."""
    assert not same_amount(x, y, code)
    assert same_amount(x, x, code) and same_amount(19999.99, 20000.0, "EUR")
    a, b = replace(S, value=x, currency=code), replace(C, value=y, currency=code)
    assert value_conflict(a, b) is not None
    assert "00006" not in (value_conflict(a, b) or "")


def test_cents_dropped_are_rounded_to_the_unit() -> None:
    """1,000 / 1,000.02: the unit, never tens (x45r7 F5); a tenths place where the round
    amount has one."""
    assert rounding(1000.0, 1000.02, "EUR") == "1,000.02 rounded to the unit"
    assert rounding(1000.5, 1000.52, "EUR") == "1,000.52 rounded to tenths"
    assert rounding(5600.0, 5650.0) == "5,650 rounded to hundreds"


def test_two_currencies_are_never_one_value() -> None:
    """1,000 EUR / 1,000 USD: two amounts, each with its currency (x45r7 F6)."""
    off = replace(CFG, guards=CFG.guards - {"currency"})
    for cfg in (CFG, off):
        a, b = replace(BASE, value=1000.0), replace(BASE, id=2, value=1000.0, currency="USD")
        reasons = score_pair(prepare(a, cfg), prepare(b, cfg), cfg).reasons
        assert "two amounts: 1,000.00 EUR≠1,000.00 USD" in reasons, reasons
        assert not any(r.startswith("same value") for r in reasons), reasons
    assert two_amounts(1000.0, 1100.0, "EUR", "JPY") == "two amounts: 1,000.00 EUR≠1,100 JPY"


def test_a_number_field_in_the_policy_and_drops_is_grouped() -> None:
    records = {1: replace(S, fields={"k_num": 1000000.0}), 2: replace(C, fields={"k_num": 1000001})}
    changes = policy_changes(G, records, {"k_num": "max"})
    labels = {"k_num": "Discount"}
    assert patch_shown(changes, records[1], labels) == ["Discount 1,000,001"]
    assert merge_drops(G, records, changes, labels) == [
        "Discount 1,000,000 (deal 1, the survivor: overwritten by the field policy)"]
