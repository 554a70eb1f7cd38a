"""An identifier field holding what a form is filled with for none (``o.A.``, ``(leer)``,
``123456789``, ``9999``, ``DE000000000``, ``Kundennr.: n/a``) is no identifier: it neither
ties deals of different companies together nor tells two copies apart (f41d 2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.evidence import identifier_value
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord

EXT = "k_vat"
CFG = replace(DedupeConfig.default(), identifier_fields={EXT: "VAT id"})
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BASE = DealRecord(id=1, title="Website redesign", status="open", org_id=10, org_name="Acme GmbH",
                  person_id=20, value=1200.0, currency="EUR", pipeline_id=1, stage_id=1,
                  stage_order=1, owner_id=1, add_time=NOW, update_time=NOW)
THREE = [BASE,
         replace(BASE, id=2, title="Cloud hosting", org_id=11, org_name="Beta SA", person_id=21,
                 add_time=NOW + timedelta(minutes=30)),
         replace(BASE, id=3, title="Web hosting", org_id=12, org_name="Gamma Oy", person_id=22,
                 add_time=NOW + timedelta(minutes=60))]

FILLERS = ["o.A.", "O. A.", "(leer)", "leer", "vide", "leeg", "N.N.", "folgt", "123456789",
           "1234567890", "12345", "987654321", "9999", "99999999", "1111111", "xxxx",
           "dummy", "DE000000000", "DE123456789", "PO-000", "PO-TBD", "Kundennr.: n/a",
           "VAT: -", 123456789, 99999]
REAL = ["PO-4711", "4711", "0815", "A0", "A-0", "N/A-17", "TBD-1", "1234", "12346",
        "DE811234567", "20240101", 10, 4711]


@pytest.mark.parametrize("value", FILLERS)
def test_a_filler_is_no_identifier(value: object) -> None:
    assert identifier_value(replace(BASE, fields={EXT: value}), EXT) is None


@pytest.mark.parametrize("value", REAL)
def test_a_real_identifier_is_kept(value: object) -> None:
    assert identifier_value(replace(BASE, fields={EXT: value}), EXT) is not None


@pytest.mark.parametrize("value", FILLERS)
def test_a_shared_filler_pulls_no_companies_together(value: object) -> None:
    """Three companies' deals with one filler in VAT id form no group (a real shared id
    lifts them to review: the control below)."""
    deals = [replace(d, fields={EXT: value}) for d in THREE]
    assert find_duplicates(deals, CFG).groups == ()


def test_a_shared_real_identifier_does_pull_them_to_review() -> None:
    deals = [replace(d, fields={EXT: "DE811234567"}) for d in THREE[:2]]
    [g] = find_duplicates(deals, CFG).groups
    assert g.band == "review"


@pytest.mark.parametrize("value", ["o.A.", "(leer)", "xxxx", "n/a"])
def test_a_filler_beside_a_real_id_is_no_difference(value: object) -> None:
    """A copy whose VAT id says none is not told apart from the deal with the real id (a
    filler of digits, ``9999``, may be a real number: review at most,
    ``test_dedupe_identifier_filler_differs.py``)."""
    copy = replace(BASE, id=2, add_time=NOW + timedelta(minutes=5), fields={EXT: value})
    found = find_duplicates([replace(BASE, fields={EXT: "DE811234567"}), copy], CFG)
    [g] = found.groups
    assert g.band == "duplicate" and not any("guard" in r for r in g.reasons), g.reasons
