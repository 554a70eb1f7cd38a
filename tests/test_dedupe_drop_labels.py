"""The "the merge drops" notes of apply / run name fields by their labels and ids by their
kind (x24r4 2: ``owner_id 1``, ``org_id 1000``, ``expected_close_date …`` while
groups.csv / review.html said ``owner Maria Jensen``), never with a call of their own."""

from __future__ import annotations

from datetime import UTC, date, datetime

from jobs.dedupe.model import DealRecord, Group
from jobs.dedupe.planfiles import merge_drops

T = datetime(2026, 1, 5, tzinfo=UTC)
GROUP = Group("g-1", 1, (2,), "duplicate", 0.9, (), (), ())


def _pair() -> dict[int, DealRecord]:
    """A survivor with everything set, and a merged deal that differs in each (as apply's
    fresh records are: read from the deals list, no names of owners or organizations)."""
    survivor = DealRecord(id=1, title="Fleet", status="open", value=100.0, currency="EUR",
                          owner_id=1, org_id=1000, person_id=2000, stage_id=1, pipeline_id=1,
                          expected_close_date=date(2026, 3, 1), add_time=T, update_time=T,
                          more={"probability": 50, "lost_reason": None},
                          fields={"a" * 40: "keep"})
    merged = DealRecord(id=2, title="Fleet", status="open", value=100.0, currency="EUR",
                        owner_id=2, org_id=1001, person_id=2020, stage_id=1, pipeline_id=1,
                        expected_close_date=date(2026, 4, 1), add_time=T, update_time=T,
                        more={"probability": 80}, fields={"a" * 40: "other"})
    return {1: survivor, 2: merged}


def test_apply_s_drops_name_standard_fields_by_label_and_ids_by_kind() -> None:
    """Without names (apply reads fresh deals): ``owner 2``, ``organization 1001``,
    ``person 2020``, ``expected close date …``, ``probability 80``; no raw key is shown;
    a custom field keeps its name from the plan's catalog (``field_names``)."""
    drops = merge_drops(GROUP, _pair(), {}, {"a" * 40: "PO number"})
    text = "; ".join(drops)
    for raw in ("owner_id", "org_id", "person_id", "expected_close_date", "_"):
        assert raw not in text, drops
    assert "owner 2 (deal 2)" in drops and "organization 1001 (deal 2)" in drops
    assert "person 2020 (deal 2)" in drops and "probability 80 (deal 2)" in drops
    assert "expected close date 2026-04-01 (deal 2)" in drops, drops
    assert "PO number other (deal 2)" in drops, drops


def test_an_organization_named_in_the_plan_is_named_in_apply_s_drops() -> None:
    """The plan's snapshots hold organization names: apply passes them (``entities``) and
    the note says ``organization Nordwind Logistik GmbH``, as groups.csv does."""
    drops = merge_drops(GROUP, _pair(), {},
                        entities={"organization": {1001: "Nordwind Logistik GmbH"},
                                  "owner": {2: "Maria Jensen"}})
    assert "organization Nordwind Logistik GmbH (deal 2)" in drops, drops
    assert "owner Maria Jensen (deal 2)" in drops, drops
