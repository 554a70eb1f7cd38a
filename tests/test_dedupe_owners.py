"""Two deals of two owners are never merged unattended: a merge removes one salesperson's
deal, and which one keeps it is a person's choice (x26r1 2: same title, org, person and value,
owner 1 / owner 2, added 4 min apart, 45 of 45 pairs merged at 1.000, the owner only in
``differing`` / ``drops``). At one owner, or an owner on one side only, the copy is merged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.model import DealRecord
from jobs.dedupe.scoring import prepare, score_pair

CFG = DedupeConfig.default()
T = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
BASE = DealRecord(id=1, title="Cloud migration Aarhus", status="open", org_id=10,
                  org_name="Becker Nordsoftware GmbH", person_id=5, value=9900.0, currency="EUR",
                  pipeline_id=1, stage_id=2, stage_order=2, owner_id=1, add_time=T, update_time=T)


@pytest.mark.parametrize(("owner", "band"), [(2, "review"), (1, "duplicate"), (None, "duplicate")])
def test_two_owners_hold_the_pair_at_review(owner: int | None, band: str) -> None:
    copy = replace(BASE, id=2, owner_id=owner, add_time=T + timedelta(minutes=4))
    sp = score_pair(prepare(BASE, CFG), prepare(copy, CFG), CFG)
    assert sp.band == band, sp
    if band == "review":
        assert "record differs: owner 1≠2" in sp.reasons, sp.reasons


def test_two_owners_hold_at_review_whatever_the_thresholds() -> None:
    """A duplicate threshold at 0.70 still leaves two owners' deals to a person."""
    low = replace(CFG, duplicate_threshold=0.70, review_threshold=0.60)
    copy = replace(BASE, id=2, owner_id=2, add_time=T + timedelta(minutes=4))
    assert score_pair(prepare(BASE, low), prepare(copy, low), low).band == "review"
