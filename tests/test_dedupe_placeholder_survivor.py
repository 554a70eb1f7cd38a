"""A placeholder on the survivor is no value: the survivor takes the copy's real value,
shown in the plan's PATCH values, and the copy's value is no longer dropped (x33r3 F3:
survivor ``n/a``, copy ``PO-1``: the survivor kept ``n/a``, ``PO-1`` said only in drops)."""

from __future__ import annotations

import pytest

from jobs.dedupe.model import DealRecord, Group
from jobs.dedupe.planfiles import merge_drops, patch_shown, policy_changes

PO = "k_po"
GROUP = Group(id="g-1", survivor_id=1, merged_ids=(2, 3), band="duplicate", score=1.0,
              reasons=(), survivor_reasons=(), differing=(PO,))


def _records(own: object, *copies: object) -> dict[int, DealRecord]:
    return {i: DealRecord(id=i, title="Toner delivery", status="open", fields={PO: v})
            for i, v in enumerate((own, *copies), start=1)}


@pytest.mark.parametrize("own", ["n/a", "N / A", "-", "TBD", "keine Angabe", "k. A"])
def test_a_placeholder_survivor_takes_the_copys_real_value(own: str) -> None:
    records = _records(own, "n/a", "PO-1")
    changes = policy_changes(GROUP, records, {})
    assert changes == {"custom_fields": {PO: "PO-1"}}, changes
    assert patch_shown(changes, records[1], {PO: "PO number"}) == ["PO number PO-1"]
    # the survivor's text is named though it says none (x44r8 F2: nothing lost unsaid)
    assert merge_drops(GROUP, records, changes, {PO: "PO number"}) \
        == [f"PO number {own} (deal 1, the survivor: overwritten by the field policy)"]


@pytest.mark.parametrize(("own", "copy"), [("PO-7", "PO-1"), ("n/a", "n/a"), ("n/a", None),
                                           ("0042", "PO-1"), ("n/a", 17)])
def test_a_real_survivor_value_or_no_real_copy_is_left_to_the_merge(own: object,
                                                                    copy: object) -> None:
    assert policy_changes(GROUP, _records(own, copy), {}) == {}


def test_a_field_policy_still_decides() -> None:
    """A field the policy names is the policy's (here: the survivor's own)."""
    assert policy_changes(GROUP, _records("n/a", "PO-1"), {PO: "survivor"}) == {}
