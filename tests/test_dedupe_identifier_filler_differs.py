"""A real identifier that reads as a filler (``PO-1111``, ``12345``, ``A-4444``) loses only
the evidence its equality gives: two deals whose identifiers differ, one or both such a
value, are never merged unattended (review at most), and the field policy never writes
over it unsaid (x44r2 F1: two orders ``PO-1111`` / ``PO-1112`` of one customer merged at
1.000, the PATCH wrote ``PO-1112`` onto the survivor, ``PO-1111`` in no live deal and
``drops`` empty; 4 of 4 such pairs)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord, Group
from jobs.dedupe.planfiles import merge_drops, policy_changes
from jobs.dedupe.scoring import held_rules, prepare

EXT = "k_ext"
CFG = replace(DedupeConfig.default(), identifier_fields={EXT: "External ID"})
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ORDER = DealRecord(id=1, title="Order Customer Ax - Spare parts order", status="open",
                   org_id=100, org_name="Order Customer Ax GmbH", person_id=200, value=700.0,
                   currency="EUR", pipeline_id=1, stage_id=1, stage_order=1, owner_id=1,
                   add_time=NOW, update_time=NOW)


def _pair(a: object, b: object) -> list[DealRecord]:
    return [replace(ORDER, fields={EXT: a}),
            replace(ORDER, id=2, fields={EXT: b}, add_time=NOW + timedelta(seconds=1))]


@pytest.mark.parametrize(("a", "b"), [("PO-1111", "PO-1112"), ("PO-2222", "PO-2223"),
                                      ("12345", "12346"), ("A-4444", "A-4445"),
                                      ("9999", "DE811234567"), ("12345", "99999"),
                                      (12345, 12346)])
def test_two_orders_whose_ids_differ_are_never_merged_unattended(a: object, b: object) -> None:
    [g] = find_duplicates(_pair(a, b), CFG).groups
    assert g.band == "review", g.reasons
    assert any(r.startswith("different identifier, one read as a filler") for r in g.reasons)


def test_two_real_ids_that_differ_stay_a_guard() -> None:
    """The control: ``PO-4711`` / ``PO-4712`` are held apart by the guard."""
    found = find_duplicates(_pair("PO-4711", "PO-4712"), CFG)
    assert found.groups == ()


@pytest.mark.parametrize("blank", [None, "", "n/a", "-", "TBD", "xxxx", "keine Angabe", "0"])
@pytest.mark.parametrize("real", ["PO-1111", "12345", "PO-4711"])
def test_a_value_that_says_none_tells_nothing(blank: object, real: str) -> None:
    """An empty field or a word for none beside an id is as no value: one deal retyped."""
    [g] = find_duplicates(_pair(real, blank), CFG).groups
    assert g.band == "duplicate", g.reasons


def test_an_equal_filler_is_still_no_evidence() -> None:
    """``12345`` on both: no ``same identifier`` reason, no guard (the filler's one loss)."""
    [g] = find_duplicates(_pair("12345", "12345"), CFG).groups
    assert g.band == "duplicate" and not any("identifier" in r for r in g.reasons), g.reasons


def test_the_review_hold_needs_a_persons_decision() -> None:
    """The cap is a "review at most" rule: --include-review alone does not merge it."""
    a, b = _pair("PO-1111", "PO-1112")
    assert "different identifier, one read as a filler" in held_rules(prepare(a, CFG), prepare(b, CFG), CFG)


GROUP = Group(id="g-1", survivor_id=1, merged_ids=(2,), band="review", score=0.8,
              reasons=(), survivor_reasons=(), differing=(EXT,))


@pytest.mark.parametrize(("own", "copy"), [("PO-1111", "PO-1112"), ("12345", "12346"),
                                           ("A-4444", "A-4445")])
def test_the_policy_never_writes_over_a_filler_looking_id(own: str, copy: str) -> None:
    """A survivor's ``PO-1111`` is no placeholder to fill: the merge keeps it and ``drops``
    names the merged deal's ``PO-1112``."""
    records = {1: replace(ORDER, fields={EXT: own}), 2: replace(ORDER, id=2, fields={EXT: copy})}
    changes = policy_changes(GROUP, records, {})
    assert changes == {}
    assert merge_drops(GROUP, records, changes, {EXT: "External ID"}) == [
        f"External ID {copy} (deal 2)"]


def test_drops_name_a_value_the_policy_writes_over() -> None:
    """Every field the PATCH sets: the survivor's own value it replaces is named."""
    records = {1: replace(ORDER, value=500.0, owner_id=1, fields={EXT: "PO-1111"}),
               2: replace(ORDER, id=2, value=700.0, owner_id=2, fields={EXT: "PO-7000"})}
    changes = policy_changes(GROUP, records, {"value": "max", EXT: "max", "owner": "max"})
    assert changes == {"value": 700, "owner_id": 2, "custom_fields": {EXT: "PO-7000"}}
    drops = merge_drops(GROUP, records, changes, {EXT: "External ID"})
    note = "deal 1, the survivor: overwritten by the field policy"
    assert f"value 500.00 EUR ({note})" in drops, drops
    assert f"External ID PO-1111 ({note})" in drops, drops
    assert f"owner 1 ({note})" in drops, drops


def test_drops_name_a_title_the_policy_writes_over() -> None:
    records = {1: replace(ORDER, title="Spare parts"),
               2: replace(ORDER, id=2, title="Pump repair", update_time=NOW + timedelta(1))}
    changes = policy_changes(GROUP, records, {"title": "newest-non-empty"})
    assert changes == {"title": "Pump repair"}
    assert merge_drops(GROUP, records, changes, policy_title=True) == [
        "title 'Spare parts' (deal 1, the survivor: overwritten by the field policy)"]


def test_a_zero_written_over_is_no_drop_a_placeholder_text_is_named() -> None:
    """A value of 0 is no value (FACTS.md); the survivor's text the PATCH replaces is named,
    a placeholder too (x44r8 F2: "Nothing is lost unsaid", a code read as none, ``NA``,
    was overwritten unsaid)."""
    records = {1: replace(ORDER, value=0.0, fields={EXT: "n/a"}),
               2: replace(ORDER, id=2, value=700.0, fields={EXT: "PO-7000"})}
    changes = policy_changes(GROUP, records, {})
    assert changes == {"value": 700, "custom_fields": {EXT: "PO-7000"}}
    assert merge_drops(GROUP, records, changes, {EXT: "External ID"}) \
        == ["External ID n/a (deal 1, the survivor: overwritten by the field policy)"]
