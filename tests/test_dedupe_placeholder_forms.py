"""Placeholder identifiers are matched folded (case, spaces and punctuation aside) and the
missing words are known: ``keine Angabe``, ``k. A``, ``N / A``, ``n.b.``, ``nb``, ``S/N``
counted as a real "same identifier" and lifted repeat orders 6 days apart to a merge
(x33r3 F2). Real ids that look like them stay real."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.evidence import identifier_value
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord

EXT = "k_ext"
CFG = replace(DedupeConfig.default(), identifier_fields={EXT: "External ID"})
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BASE = DealRecord(id=1, title="Toner delivery", status="open", org_id=10, org_name="Acme GmbH",
                  person_id=20, value=1200.0, currency="EUR", pipeline_id=1, stage_id=1,
                  stage_order=1, owner_id=1, add_time=NOW, update_time=NOW)
MISSED = ["keine Angabe", "Keine  Angabe.", "k. A", "k.A.", "KA", "N / A", "n / a", "n.b.", "nb",
          "N.B", "S/N", "s / n", "nein", "non", "-1", " -1 "]
REAL = ["0042", "A-0", "N/A-17", "TBD-1", "PO-1", "KA-7", "NB1", "1", "-12"]


@pytest.mark.parametrize("value", MISSED)
def test_a_folded_placeholder_is_no_identifier(value: str) -> None:
    assert identifier_value(replace(BASE, fields={EXT: value}), EXT) is None


@pytest.mark.parametrize("value", REAL)
def test_a_real_identifier_that_looks_like_one_is_kept(value: str) -> None:
    assert identifier_value(replace(BASE, fields={EXT: value}), EXT) is not None


def _pair(value: str) -> list[DealRecord]:
    return [replace(BASE, fields={EXT: value}),
            replace(BASE, id=2, fields={EXT: value}, add_time=NOW + timedelta(days=6))]


@pytest.mark.parametrize("value", MISSED)
def test_a_placeholder_lifts_no_repeat_order_to_a_merge(value: str) -> None:
    """Repeat orders 6 days apart with the same placeholder: review at most."""
    assert all(g.band != "duplicate" for g in find_duplicates(_pair(value), CFG).groups)


def test_a_same_real_identifier_still_lifts_the_pair() -> None:
    [g] = find_duplicates(_pair("PO-4711"), CFG).groups
    assert g.band == "duplicate"
