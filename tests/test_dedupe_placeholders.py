"""Placeholder identifiers (``n/a``, ``-``, ``0``, ``TBD``, ``unknown``...) are no identifier,
and a review group whose deals sit at two companies is never merged by --include-review
without a person's decision, the plan saying so (x33r1 F3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.apply import ApplyOptions, _companies
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.evidence import identifier_value
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from jobs.dedupe.planfiles import PlannedGroup

EXT = "k_ext"
CFG = replace(DedupeConfig.default(), identifier_fields={EXT: "External ID"})
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BASE = DealRecord(id=1, title="Website redesign", status="open", org_id=10, org_name="Acme GmbH",
                  person_id=20, value=1200.0, currency="EUR", pipeline_id=1, stage_id=1,
                  stage_order=1, owner_id=1, add_time=NOW, update_time=NOW)
THREE = [BASE,
         replace(BASE, id=2, title="Cloud hosting", org_id=11, org_name="Beta SA", person_id=21,
                 add_time=NOW + timedelta(minutes=30)),
         replace(BASE, id=3, title="Web hosting", org_id=12, org_name="Gamma Oy", person_id=22,
                 add_time=NOW + timedelta(minutes=60))]


@pytest.mark.parametrize("value", ["n/a", "N/A", "-", "--", "0", "000", "TBD", "unknown", "none",
                                   "?", " ", "k. A.", "keine", "inconnu", "desconocido", "(n/a)",
                                   0, 0.0])
def test_a_placeholder_is_no_identifier(value: object) -> None:
    """A placeholder reads as empty: no equal identifier, no differing one."""
    assert identifier_value(replace(BASE, fields={EXT: value}), EXT) is None


@pytest.mark.parametrize("value", ["PO-4711", "4711", "0815", "A0", 10])
def test_a_real_identifier_is_kept(value: object) -> None:
    assert identifier_value(replace(BASE, fields={EXT: value}), EXT) is not None


def test_placeholders_pull_no_deals_of_three_companies_together() -> None:
    """Three companies' deals with ``n/a`` / ``-`` / ``0`` in External ID form no group."""
    deals = [replace(d, fields={EXT: v}) for d, v in zip(THREE, ("n/a", "n/a", "n/a"), strict=True)]
    assert find_duplicates(deals, CFG).groups == ()


def test_include_review_never_merges_two_companies_without_a_decision() -> None:
    """An equal real identifier lifts two companies' deals to review: the group says ``two
    companies``; --include-review leaves it (plan and apply), decision = merge takes it."""
    deals = [replace(d, fields={EXT: "EXT-1"}) for d in THREE[:2]]
    [g] = find_duplicates(deals, CFG).groups
    assert g.band == "review"
    assert any(r.startswith("two companies: Acme GmbH / Beta SA") for r in g.reasons), g.reasons
    why = ApplyOptions(include_review=True).wants(g, CFG.review_threshold)
    assert why is not None and "two companies" in why
    planned = PlannedGroup(row=2, id=g.id, decision="", band="review", score=g.score,
                           survivor_id=g.survivor_id, merged_ids=g.merged_ids)
    records = {d.id: d for d in deals}
    assert "two companies" in (_companies(planned, records) or "")
    assert _companies(replace(planned, band="duplicate"), records) is None
    one = {d.id: replace(d, org_id=10, org_name="ACME GmbH") for d in deals}
    assert _companies(planned, one) is None
