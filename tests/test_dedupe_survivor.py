"""Survivor rules: applied in the configured order, the deciding rule recorded, ties to the smallest id."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.model import DealRecord
from jobs.dedupe.survivor import RULES, rank

T = datetime(2025, 1, 1, tzinfo=UTC)
A = DealRecord(id=1, title="x", status="open", value=100.0, stage_order=2, owner_id=1,
               add_time=T, update_time=T)


@pytest.mark.parametrize(("rule", "b_changes", "winner", "why"), [
    ("open_first", {"status": "won"}, 1, "open before closed"),
    ("open_first", {"status": "open"}, 1, "tie"),
    ("most_advanced_stage", {"stage_order": 3}, 2, "most advanced stage"),
    ("most_advanced_stage", {"stage_order": None}, 1, "most advanced stage"),
    ("most_recently_updated", {"update_time": T + timedelta(days=1)}, 2, "most recently updated"),
    ("least_recently_updated", {"update_time": T + timedelta(days=1)}, 1, "least recently updated"),
    ("oldest", {"add_time": T - timedelta(minutes=5)}, 2, "oldest"),
    ("newest", {"add_time": T - timedelta(minutes=5)}, 1, "newest"),
    ("highest_value", {"value": 0.0}, 1, "highest value"),
    ("highest_value", {"value": 500.0}, 2, "highest value"),
    ("lowest_value", {"value": 50.0}, 2, "lowest value"),
    ("lowest_value", {"value": 0.0}, 1, "lowest value"),  # 0 means "no value", not the lowest
    ("has_owner", {"owner_id": None}, 1, "has an owner"),
])
def test_each_rule(rule: str, b_changes: dict[str, object], winner: int, why: str) -> None:
    """Each rule picks the expected deal and says so (or falls back to the smallest id)."""
    b = replace(A, id=2, **b_changes)  # type: ignore[arg-type]
    for deals in ([A, b], [b, A]):
        ordered, reasons = rank(deals, (rule,))
        assert ordered[0].id == winner
        assert why in reasons[0]


def test_order_of_rules_matters() -> None:
    """The first rule that separates the deals decides; reordering the rules changes the survivor."""
    won_big = replace(A, id=2, status="won", value=900.0)
    assert rank([A, won_big], ("open_first", "highest_value"))[0][0].id == 1
    ordered, why = rank([A, won_big], ("highest_value", "open_first"))
    assert ordered[0].id == 2 and why == ("highest_value: highest value",)


def test_merge_order_follows_the_rules() -> None:
    """The others come best first: the merge order."""
    deals = [replace(A, id=i, value=v) for i, v in ((5, 10.0), (3, 30.0), (9, 20.0))]
    assert [d.id for d in rank(deals, ("highest_value",))[0]] == [3, 9, 5]


def test_all_rules_known() -> None:
    """The config's known rules all exist here."""
    from jobs.dedupe.config import KNOWN_SURVIVOR_RULES
    assert set(RULES) == KNOWN_SURVIVOR_RULES
