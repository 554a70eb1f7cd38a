"""No field policy takes a placeholder (``-``, ``?``, ``n/a``, ``geen``, ``N.N.``,
``0000``, ``xxxx``...) as a value: the survivor keeps its real id, and a placeholder
survivor takes the copies' real one (x44r5 F1: ``newest-non-empty`` wrote ``-`` over
``PO-49148``, ``max`` wrote ``n/a``, ``min`` wrote ``0000``; the night after, a second
order was merged into the survivor whose id then read as none)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.evidence import no_value
from jobs.dedupe.model import DealRecord, Group
from jobs.dedupe.planfiles import merge_drops, policy_changes

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
EXT = "k_ext"
GROUP = Group(id="g-1", survivor_id=1, merged_ids=(2,), band="duplicate", score=1.0,
              reasons=(), survivor_reasons=(), differing=(EXT,))
NONE = ["-", "?", "geen", "—", "N.N.", "n.a.", "ZZZZ", "n/a", "xxxx", "0000", "brak", "нет"]
RULES = ["newest-non-empty", "max", "min", "latest", "earliest"]


def _records(own: object, copy: object) -> dict[int, DealRecord]:
    return {1: DealRecord(id=1, title="Annual support", status="open", update_time=NOW,
                          fields={EXT: own}),
            2: DealRecord(id=2, title="Annual support", status="open",
                          update_time=NOW + timedelta(minutes=1), fields={EXT: copy})}


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("copy", NONE)
def test_no_policy_writes_a_placeholder_over_a_real_id(rule: str, copy: str) -> None:
    records = _records("PO-49148", copy)
    changes = policy_changes(GROUP, records, {EXT: rule})
    assert changes == {}, changes
    assert merge_drops(GROUP, records, changes) == []


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("own", NONE)
def test_a_placeholder_survivor_takes_the_real_id_under_any_policy(rule: str, own: str) -> None:
    assert policy_changes(GROUP, _records(own, "PO-49149"), {EXT: rule}) \
        == {"custom_fields": {EXT: "PO-49149"}}


def test_the_policy_still_chooses_among_real_values() -> None:
    assert policy_changes(GROUP, _records("PO-1", "PO-2"), {EXT: "max"}) \
        == {"custom_fields": {EXT: "PO-2"}}
    assert policy_changes(GROUP, _records("PO-1", "PO-2"), {EXT: "min"}) == {}


@pytest.mark.parametrize(("v", "none"), [(None, True), ("", True), ([], True), ({}, True),
                                         (" - ", True), ("n/a", True), ("keine Angabe", True),
                                         (0, False), ("PO-1111", False), ("0042", False),
                                         ({"value": "n/a"}, True), ("Acme", False)])
def test_one_reading_of_none(v: object, none: bool) -> None:
    assert no_value(v) is none
