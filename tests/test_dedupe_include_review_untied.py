"""--include-review leaves every review group whose own reasons say nothing ties its deals to
one customer (a catch-all org with different persons, two companies...): only decision =
merge takes it (x33r3 F1: 8 "Küchenberatung" deals of 8 persons at org "Privatkunden" merged
7 into 1)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from jobs.dedupe.apply import ApplyOptions, _companies
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from jobs.dedupe.planfiles import PlannedGroup

CFG = DedupeConfig.default()
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BASE = DealRecord(id=7033, title="Küchenberatung", status="open", org_id=5017,
                  org_name="Privatkunden", person_id=9000, value=None, currency="EUR",
                  pipeline_id=1, stage_id=1, stage_order=1, owner_id=1, add_time=NOW,
                  update_time=NOW)
EIGHT = [replace(BASE, id=BASE.id + n, person_id=9000 + n, add_time=NOW + timedelta(hours=2 * n))
         for n in range(8)]


def test_include_review_leaves_a_catch_all_group_of_different_persons() -> None:
    groups = find_duplicates(EIGHT, CFG).groups
    assert groups, "the eight deals form a review group"
    for g in groups:
        assert g.band == "review"
        assert any("--include-review does not merge it" in r for r in g.reasons), g.reasons
        why = ApplyOptions(include_review=True).wants(g, CFG.review_threshold)
        assert why is not None and "nothing ties the deals to one customer" in why, why
        decided = PlannedGroup(row=2, id=g.id, decision="merge", band="review", score=g.score,
                               survivor_id=g.survivor_id, merged_ids=g.merged_ids)
        assert ApplyOptions(include_review=True).wants(decided, CFG.review_threshold) is None


def test_apply_reads_the_pairs_reasons_not_only_org_records() -> None:
    """At apply, a group whose pair says in pairs.csv nothing ties it is left, even when its
    org records are one company (the catch-all)."""
    result = find_duplicates(EIGHT[:2], CFG)
    [g] = result.groups
    planned = PlannedGroup(row=2, id=g.id, decision="", band="review", score=g.score,
                           survivor_id=g.survivor_id, merged_ids=g.merged_ids)
    records = {d.id: d for d in EIGHT[:2]}
    reasons = {frozenset((p.a, p.b)): p.reasons for p in result.pairs}
    assert _companies(planned, records) is None  # one org record: no two companies
    why = _companies(planned, records, reasons)
    assert why is not None and "nothing ties the deals to one customer" in why, why
    assert _companies(replace(planned, band="duplicate"), records, reasons) is None


def test_a_repeat_of_one_customer_is_left_too() -> None:
    """A review group of one customer's deals (same org, same person) added 3 days apart is
    a repeat? (review at most): --include-review leaves it as well (x34r2 F3; a review
    group of one customer it takes: test_dedupe_include_review_held)."""
    deals = [replace(BASE, org_id=10, org_name="Acme GmbH", person_id=20),
             replace(BASE, id=BASE.id + 1, org_id=10, org_name="Acme GmbH", person_id=20,
                     add_time=NOW + timedelta(days=3))]
    [g] = find_duplicates(deals, CFG).groups
    assert g.band == "review"
    why = ApplyOptions(include_review=True).wants(g, CFG.review_threshold)
    assert why is not None and "added days apart" in why, why
