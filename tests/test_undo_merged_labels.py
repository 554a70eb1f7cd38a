"""Undo's note on a deal merged into another names the custom fields the survivor holds by
their labels, never their 40-character keys (x30r1 L3)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from jobs.undo.plan import _merged_reason

KEY = "cf768c0bfe810125a519c287867179ca0ed21410"


def test_a_merged_deals_note_names_a_custom_field_by_its_label() -> None:
    """x30r1 L3: 'deal 650 now holds cf768c0b… the job wrote to deal 651'."""
    target: Any = SimpleNamespace(deal_id=651, op="restore",
                                  wrote={"custom_fields": {KEY: "Partner"}})
    survivor = {"id": 650, "custom_fields": {KEY: "Partner"}}
    why = _merged_reason(target, [(650, survivor, "job 20261204-x")], {KEY: "Lead source"})
    assert why is not None and "deal 650 now holds Lead source the job wrote" in why, why
    assert KEY not in why
