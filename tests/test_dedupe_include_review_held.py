"""--include-review takes the review band's pairs that are there by their score alone (a
customer's name mistyped in one title), never one a "review at most" rule holds — the
README's "never merged unattended": contradicting evidence, a repeat days apart, two persons
with two amounts (x34r2 F3: it merged a pair whose own reason said "contradicting evidence:
different person, different value, one open, one won"; precision 0.66 / 0.20 on its sets)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.apply import ApplyOptions, _companies
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from jobs.dedupe.planfiles import PlannedGroup

CFG = DedupeConfig.default()
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
B = DealRecord(id=1, title="Training course", status="open", org_id=10, org_name="Acme GmbH",
               value=5000.0, currency="EUR", pipeline_id=1, stage_id=1, stage_order=1,
               owner_id=1, add_time=NOW, update_time=NOW)
LATER = NOW + timedelta(hours=1)
HELD = {
    "contradicting": ([replace(B, person_id=5, value=7000.0, status="won",
                               close_time=NOW + timedelta(hours=3)),
                       replace(B, id=2, person_id=6, value=4500.0, add_time=LATER)],
                      "contradicting evidence"),
    "weekly order": ([replace(B, title="Coffee order"),
                      replace(B, id=2, title="Coffee order", add_time=NOW + timedelta(days=7))],
                     "added days apart"),
    "two persons": ([replace(B, person_id=5, value=2400.0),
                     replace(B, id=2, person_id=6, value=1900.0, add_time=LATER)],
                    "two persons"),
}




@pytest.mark.parametrize("case", sorted(HELD))
def test_include_review_leaves_a_pair_a_review_at_most_rule_holds(case: str) -> None:
    deals, rule = HELD[case]
    result = find_duplicates(deals, CFG)
    [g] = result.groups
    assert g.band == "review"
    assert any("--include-review does not merge it" in r for r in g.reasons), g.reasons
    why = ApplyOptions(include_review=True).wants(g, CFG.review_threshold)
    assert why is not None and rule in why, why
    # at apply, pairs.csv's reasons say it too (a reviewer-edited group is judged pair by pair)
    planned = PlannedGroup(row=2, id=g.id, decision="", band="review", score=g.score,
                           survivor_id=g.survivor_id, merged_ids=g.merged_ids)
    reasons = {frozenset((p.a, p.b)): p.reasons for p in result.pairs}
    why = _companies(planned, {d.id: d for d in deals}, reasons)
    assert why is not None and "review at most" in why and rule in why, why
    # a person's decision = merge still takes it
    decided = replace(planned, decision="merge")
    assert ApplyOptions(include_review=True).wants(decided, CFG.review_threshold) is None


def test_include_review_takes_a_review_pair_there_by_its_score_alone() -> None:
    """The customer's name mistyped in one title, one org, person and value, a day apart:
    review by score, no rule holds it; --include-review takes it, without it it waits."""
    deals = [replace(B, title="Mobile app integration - Lumbel LLC phase 2", org_name="Lumbel LLC",
                     person_id=7, value=3000.0),
             replace(B, id=2, title="Mobile app integration - Luubel LLC phase 2",
                     org_name="Lumbel LLC", person_id=7, value=3000.0,
                     add_time=NOW + timedelta(hours=25))]
    result = find_duplicates(deals, CFG)
    [g] = result.groups
    assert g.band == "review"
    assert not any(r.startswith("review at most") for p in result.pairs for r in p.reasons)
    assert ApplyOptions(include_review=True).wants(g, CFG.review_threshold) is None
    assert ApplyOptions().wants(g, CFG.review_threshold) is not None
