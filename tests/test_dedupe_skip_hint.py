"""A skipped review group that --include-review would leave too does not send the reader to
--include-review (x34r2 F7: a catch-all group said "needs decision = merge (or
--include-review)"); one it would take still names it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from jobs.dedupe.apply import NOT_TAKEN, ApplyOptions, _at_review
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from jobs.dedupe.planfiles import PlannedGroup

CFG = DedupeConfig.default()
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
B = DealRecord(id=1, title="Beratung", status="open", org_id=10, org_name="Privatkunden",
               value=100.0, currency="EUR", pipeline_id=1, stage_id=1, stage_order=1,
               owner_id=1, add_time=NOW, update_time=NOW)


def test_a_catch_all_group_skipped_without_include_review_says_it_would_not_take_it() -> None:
    result = find_duplicates([B, replace(B, id=2, add_time=NOW + timedelta(hours=2))], CFG)
    [g] = result.groups
    why = ApplyOptions().wants(g, CFG.review_threshold)
    assert why is not None and NOT_TAKEN in why and "(or --include-review)" not in why, why
    assert "catch-all" in why, why
    # a row a reviewer marked duplicate: pairs.csv's reasons say it
    planned = PlannedGroup(row=2, id=g.id, decision="", band="duplicate", score=g.score,
                           survivor_id=g.survivor_id, merged_ids=g.merged_ids)
    bands = {frozenset((p.a, p.b)): p.band for p in result.pairs}
    reasons = {frozenset((p.a, p.b)): p.reasons for p in result.pairs}
    for include in (False, True):
        why = _at_review(planned, bands, reasons, include)
        assert why is not None and NOT_TAKEN in why, why


def test_a_review_group_include_review_takes_still_names_it() -> None:
    deals = [replace(B, title="Mobile app integration - Lumbel LLC phase 2", org_name="Lumbel LLC",
                     person_id=7, value=3000.0),
             replace(B, id=2, title="Mobile app integration - Luubel LLC phase 2",
                     org_name="Lumbel LLC", person_id=7, value=3000.0,
                     add_time=NOW + timedelta(hours=25))]
    [g] = find_duplicates(deals, CFG).groups
    assert ApplyOptions().wants(g, CFG.review_threshold) == (
        "review band: needs decision = merge (or --include-review)")
