"""Two org records whose names are one name once normalized (punctuation, brackets, ``#``,
dots, hyphens, ``ü`` / ``ue``, accents) are held as two records of one name are: a
catch-all name on two records ties nothing (x36r2 F2: ``Walk-in Customers Berlin`` /
``Walk-in Customers (Berlin)`` and other spellings were merged unattended as one company;
the catch-all rule read only a record both deals share); a real one with no shared person
is two branches as often as a copy, as when spelled alike (``Acme GmbH`` / ``Acme GmbH.``,
``Mueller`` / ``Müller Druck KG``: merged, the branch rule compared the names as typed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.catch_all import named_catch_all
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from jobs.dedupe.normalize import org_key, org_key_dotless, same_org_name

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BASE = DealRecord(id=1, title="Espresso machine repair", status="open", value=450.0,
                  currency="EUR", pipeline_id=1, stage_id=1, stage_order=1, owner_id=1,
                  add_time=NOW, update_time=NOW)

CATCH_ALL_PAIRS = [
    ("Walk-in Customers Berlin", "Walk-in Customers (Berlin)"),
    ("Privatkunden Berlin", "Privatkunden - Berlin"), ("Walk-in customers", "Walk in customers"),
    ("Kunde 2", "Kunde (2)"), ("Privatkunden 2", "Privatkunden #2"),
    ("Privatkunden", "Privatkunden."), ("Clientes Varios", "Clientes varios."),
    ("Particuliers", "Particuliers  "), ("Diverse Kunden 2024", "Diverse-Kunden 2024"),
]
REAL_PAIRS = [
    ("Acme GmbH", "Acme GmbH."), ("Acme-Gruppe Nord", "Acme Gruppe Nord"),
    ("Mueller Druck KG", "Müller Druck KG"), ("Müller Druck KG", "Muller Druck KG"),
    ("Café Noir SAS", "Cafe Noir SAS"), ("Strauß Technik GmbH", "Strauss Technik GmbH"),
    ("Rheinland Kliniken GmbH", "Rheinland Kliniken GmbH"),
]


def _two_records(x: str, y: str, person: int | None = None) -> list[DealRecord]:
    return [replace(BASE, org_id=31, org_name=x, person_id=person),
            replace(BASE, id=2, org_id=32, org_name=y, person_id=person,
                    add_time=NOW + timedelta(minutes=15))]


@pytest.mark.parametrize(("x", "y"), CATCH_ALL_PAIRS)
def test_a_catch_all_name_on_two_records_ties_nothing(x: str, y: str) -> None:
    """Both spellings are catch-alls (the one normalization), and their deals are review
    with the untied reason naming the catch-all (before: duplicate band, merged)."""
    assert named_catch_all(x) and named_catch_all(y)
    [g] = find_duplicates(_two_records(x, y), DedupeConfig.default()).groups
    assert g.band == "review", g.reasons
    assert any(r.startswith("nothing ties the deals to one customer") and "catch-all" in r
               for r in g.reasons), g.reasons


@pytest.mark.parametrize(("x", "y"), REAL_PAIRS)
def test_one_real_name_on_two_records_without_a_shared_person_is_branches(x: str, y: str) -> None:
    """However the second record spells the name, two records of it and no shared person
    are held as branches (review); a shared person merges them."""
    assert same_org_name(org_key(x), org_key_dotless(x), org_key(y), org_key_dotless(y))
    [g] = find_duplicates(_two_records(x, y), DedupeConfig.default()).groups
    assert g.band == "review", g.reasons
    assert any("branches?" in r for r in g.reasons), g.reasons
    [shared] = find_duplicates(_two_records(x, y, person=7), DedupeConfig.default()).groups
    assert shared.band == "duplicate", shared.reasons
