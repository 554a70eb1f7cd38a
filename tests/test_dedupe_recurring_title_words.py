"""One title on a record's deals added on 4 or more days is said as what it is, a recurring
deal, not "a catch-all" (x42r2 F7b: ``Müller GmbH``, a real firm with a yearly
``Wartungsvertrag``, was "same org (a catch-all)"); a bucket named as no one still is one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)


def _reasons(org: str) -> str:
    base = {"status": "open", "org_id": 7, "org_name": org, "value": 900.0, "currency": "EUR",
            "pipeline_id": 1, "stage_id": 1, "stage_order": 1, "owner_id": 1}
    days = (0, 0, 40, 80, 120)
    deals = [DealRecord(id=i + 1, title="Wartungsvertrag", add_time=NOW + timedelta(days=d, hours=i),  # type: ignore[arg-type]
                        update_time=NOW + timedelta(days=d, hours=i), person_id=9, **base)
             for i, d in enumerate(days)]
    res = find_duplicates(deals, DedupeConfig.default())
    return " | ".join("; ".join(p.reasons) for p in (*res.pairs, *res.held))


def test_a_title_on_four_days_is_a_recurring_deal() -> None:
    said = _reasons("Müller GmbH")
    assert "same org (the same title on 4 days at this org: a recurring deal)" in said, said
    assert "a catch-all" not in said, said


def test_a_bucket_is_still_a_catch_all() -> None:
    assert "same org (a catch-all)" in _reasons("Privatkunden")
