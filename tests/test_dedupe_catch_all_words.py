"""A catch-all org or person is told by the words of its name, not only by whole names
(x34r2 F1 / F2: ``Einzelkunden``, ``Barkunde``, ``Walk in Customers Store 2``, ``Keine
Firma``, a person ``Laufkunde``... were merged unattended, 28 of 32 orgs); a real name with
one such word stays real."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.catch_all import named_catch_all
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord

CATCH_ALL_ORGS = [
    "Einzelkunde", "Einzelkunden", "Einzelkunde(n)", "Laufkunden", "Barkunde", "Barkunden",
    "Barkunde(n)", "Diverse Privatkunden", "Privatkunden (allgemein)", "Privatkunden Allgemein",
    "Endverbraucher", "Interessenten", "Webshop Kunden", "Online-Shop Kunden", "Sammelkunde",
    "Kunde", "Walk-in", "Walk-ins", "Walk in Customers Store 2", "Private clients", "Retail",
    "Cash", "General public", "Privatkunden", "Unknown", "Anonymous customer",
    "Diverse Kunden Süd", "N.N.", "NN", "Kein Kunde", "- keine -", "Keine Firma", "Privat",
    "Neukunde", "Walk-in Customers (Filiale 12)", "Unbekannter Kunde", "Cash customers",
    "Private Customer(s)", "Clients particuliers", "Onbekende klanten",
]
CATCH_ALL_PERSONS = ["Unbekannt", "Laufkunde", "Walk-in Customer", "Unknown", "Privatkunde",
                     "Barverkauf", "Kunde", "N.N.", "Anonymous", "Unknown customer"]
REAL_NAMES = [
    "Privat Bank AG", "Kunde & Partner GmbH", "Unknown Worlds Entertainment", "Hans Kunde",
    "Retail Solutions GmbH", "Cash Express Logistik", "General Electric", "Public Storage Inc",
    "Walker & Sons", "Privatbrauerei Gaffel", "Kundenservice Schmidt GmbH", "Client Earth",
    "Customer Insight Ltd", "Guest House Alpenblick", "Anonymous Content LLC", "Webshop Meyer",
    "Online Marketing Müller", "Store Nord GmbH", "Bar Centrale", "Diverse Architekten AG",
    "Allgemeine Baugesellschaft", "Interessengemeinschaft Bahn", "Endress + Hauser",
    "Neukunden Akquise Beratung Weber", "Consumer Reports", "The Private Office",
    "Cash & Carry Wuppertal", "Kein & Aber Verlag", "Gast Brauhaus", "Firma Meier",
    "Individual Software GmbH", "Sales Force Consulting", "Nord Privatkunden Bank",
    "Kunde 3 GmbH", "Paula Privat",
]


@pytest.mark.parametrize("name", CATCH_ALL_ORGS)
def test_a_catch_all_org_name_in_any_spelling_is_one(name: str) -> None:
    assert named_catch_all(name, "org"), name


@pytest.mark.parametrize("name", CATCH_ALL_PERSONS)
def test_a_person_named_as_no_one_is_a_catch_all(name: str) -> None:
    assert named_catch_all(name, "person"), name


@pytest.mark.parametrize("name", REAL_NAMES)
def test_a_real_name_with_one_such_word_stays_real(name: str) -> None:
    assert not named_catch_all(name, "org"), name
    assert not named_catch_all(name, "person"), name


def test_the_lists_are_long_enough() -> None:
    assert len(CATCH_ALL_ORGS) + len(CATCH_ALL_PERSONS) >= 30 and len(REAL_NAMES) >= 30


NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BASE = DealRecord(id=1, title="Beratung", status="open", value=100.0, currency="EUR",
                  pipeline_id=1, stage_id=1, stage_order=1, owner_id=1, add_time=NOW,
                  update_time=NOW)


def test_two_deals_on_a_word_catch_all_org_or_person_are_review() -> None:
    """The tester's generator: two ``Beratung`` deals 2 h apart at org ``Einzelkunden`` (or a
    person ``Laufkunde`` with no org): review, the reason naming the record."""
    for field in ({"org_id": 77, "org_name": "Einzelkunden"},
                  {"person_id": 78, "person_name": "Laufkunde"}):
        deals = [replace(BASE, **field),  # type: ignore[arg-type]
                 replace(BASE, id=2, add_time=NOW + timedelta(hours=2), **field)]  # type: ignore[arg-type]
        [group] = [g for g in find_duplicates(deals, DedupeConfig.default()).groups
                   if {1, 2} <= set(g.member_ids)]
        assert group.band == "review", (field, group.reasons)
        assert any("catch-all" in r for r in group.reasons), group.reasons
