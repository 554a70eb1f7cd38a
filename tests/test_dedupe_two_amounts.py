"""Two non-zero amounts, rounded or not, are two orders until a person says otherwise: review
at most, never an unattended merge, whatever the gap (x45r2 F1); the other record signals
against one deal hold too (x24r4 1)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.model import DealRecord
from jobs.dedupe.scoring import prepare, score_pair

CFG = DedupeConfig.default()
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ORDER = DealRecord(id=1, title="Toner order", status="open", org_id=1000, org_name="Nordwind",
                   person_id=2000, value=480.0, currency="EUR", pipeline_id=1, stage_id=1,
                   stage_order=1, add_time=NOW, update_time=NOW)

# (first value, second value, days apart, what a person labelled the pair)
LABELLED = [
    (480.0, 530.0, 7, "two orders"), (300.0, 310.0, 1, "two orders"),
    (1240.0, 860.0, 20, "two orders"), (480.0, 530.0, 0, "two orders"),
    (990.0, 1090.0, 3, "two orders"), (7000.0, 7300.0, 14, "two orders"),
    (5100.0, 5200.0, 0, "two orders"), (12000.0, 5000.0, 0, "two orders"),
    (7000.0, 7300.0, 0, "one deal"), (7300.0, 7000.0, 0, "one deal"),
    # (a copy is entered within 2 days: later, with no sign of a copy, a repeat: f33h S1)
    (480.0, 480.0, 1, "one deal"), (480.0, 0.0, 1, "one deal"), (1000.0, 1004.0, 1, "one deal"),
]


@pytest.mark.parametrize(("v1", "v2", "days", "label"), LABELLED)
def test_labelled_pairs_of_amounts(v1: float, v2: float, days: int, label: str) -> None:
    """Every pair a person calls two orders stays out of the duplicate band (review at most,
    ``two amounts`` said); one deal retyped at one amount, or valued on one side only, is
    merged; one deal whose amounts differ (rounded: 7,000 / 7,300; 1,000 / 1,004) is review
    too, ``maybe … rounded`` said: a merge keeps one amount, and x45r2 F1 labelled 20,000 /
    20,150 a minute apart two orders, so the rounding is a person's call (merged before)."""
    b = replace(ORDER, id=2, value=v2, add_time=NOW + timedelta(days=days, minutes=3))
    sp = score_pair(prepare(replace(ORDER, value=v1), CFG), prepare(b, CFG), CFG)
    if label == "two orders":
        assert sp.band == "review" and sp.score <= 0.80, sp
        assert any(r.startswith("two amounts:") for r in sp.reasons), sp.reasons
    elif v2 and v1 != v2:
        assert sp.band == "review" and sp.score <= 0.80, sp
        assert any(r.startswith("two amounts:") and "(maybe " in r and " rounded to " in r
                   for r in sp.reasons), sp.reasons
    else:
        assert sp.band == "duplicate", sp


def test_rounded_is_one_amount_the_other_rounded_within_five_percent() -> None:
    """7,300 / 7,000 is a rounding; 480 / 530, 1,240 / 860, 5,100 / 5,200 and 140 / 100 are not."""
    from jobs.dedupe.amounts import rounded
    assert rounded(7300, 7000) and rounded(7000, 7300) and rounded(300, 310)
    assert not any(rounded(x, y) for x, y in ((480, 530), (1240, 860), (5100, 5200), (140, 100)))


@pytest.mark.parametrize("changes", [{"currency": "USD"}, {"pipeline_id": 2}])
def test_a_field_whose_guard_is_off_still_holds_the_pair_at_review(
        changes: dict[str, object]) -> None:
    """With its guard taken out of the config, a currency or pipeline that differs is still
    evidence of two deals: review at most (never an unattended merge)."""
    cfg = replace(CFG, guards=CFG.guards - {"currency", "pipeline"})
    b = replace(ORDER, id=2, add_time=NOW + timedelta(minutes=3), **changes)  # type: ignore[arg-type]
    sp = score_pair(prepare(ORDER, cfg), prepare(b, cfg), cfg)
    assert sp.band == "review" and any(r.startswith("record differs:") for r in sp.reasons), sp
