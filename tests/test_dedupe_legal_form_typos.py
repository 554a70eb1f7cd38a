"""A legal form typed with a slip (``GmHb``, ``GbmH``, ``Gmbg``, ``Gmb``, ``Ldt``, ``Icn``,
``Sral``, ``Copr``) is that form: two records of one company are one, a catch-all with a
typo'd form stays a catch-all; punctuation around a form (``Gmbh.``, ``L.T.D``,
``S.A.R.L``, ``Inc,``) was read so already. A word of the lexicon one key off a form
(``Ink``, ``Crop``, ``Lid``) or a name's own word (``TLD``, ``SLR``) stays the name's (f41d 3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.catch_all import named_catch_all
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from jobs.dedupe.normalize import legal_form, org_key, other_legal_entity

TYPOS = [("Acme GmHb", "gmbh"), ("Acme GbmH", "gmbh"), ("Acme Gmbg", "gmbh"),
         ("Acme Gmb", "gmbh"), ("Acme Gmbhh", "gmbh"), ("Acme GmnH", "gmbh"),
         ("Acme Ldt", "ltd"), ("Acme Icn", "inc"), ("Acme Lcl", "llc"), ("Acme Sral", "sarl"),
         ("Acme Copr", "inc"), ("Acme GmHb & Co. KG", "gmbh"), ("Acme Gmbh.", "gmbh"),
         ("Acme L.T.D", "ltd"), ("Acme S.A.R.L", "sarl"), ("Acme Inc,", "inc"),
         # x41r5 F2: a slip in a long form (README: one slip of a form of 4+ letters)
         ("Acme Limtied", "ltd"), ("Acme Lmited", "ltd"), ("Acme Limitd", "ltd"),
         ("Acme Coporation", "inc"), ("Acme Incorporaetd", "inc")]
WORDS = ["Acme Ink", "Acme Crop", "Acme Lid", "Acme TLD", "Acme SLR", "Acme Inv", "Acme Spa Resort",
         "Acme Limit", "Acme Corporations"]


@pytest.mark.parametrize(("name", "form"), TYPOS)
def test_a_typo_of_a_form_is_the_form(name: str, form: str) -> None:
    assert org_key(name) == "acme", name
    assert legal_form(name)[0] == form, name
    assert not other_legal_entity(name, name.replace(name.split()[1], form))


@pytest.mark.parametrize("name", WORDS)
def test_a_word_near_a_form_is_the_names(name: str) -> None:
    assert org_key(name) != "acme", name


@pytest.mark.parametrize("name", ["Privatkunden GmHb", "Privatkunden Gmbh.", "Private Customers Ldt",
                                  "Clients divers Sral", "Private Customers Limtied",
                                  "Private customers Coporation"])
def test_a_catch_all_with_a_typod_form_stays_one(name: str) -> None:
    assert named_catch_all(name), name


@pytest.mark.parametrize("typed", ["Acme GmHb", "Acme Ldt", "Acme Sral"])
def test_two_records_of_one_company_one_typod_pair_as_spelt_right(typed: str) -> None:
    """One title, minutes apart; org ``Acme GmbH`` and org ``Acme GmHb``: one company's two
    records, as ``Acme GmbH`` twice is (before: two companies, no group)."""
    t = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    a = DealRecord(id=1, title="Website relaunch", status="open", org_id=10, org_name="Acme GmbH",
                   person_id=None, value=4800.0, currency="EUR", pipeline_id=1, stage_id=2,
                   stage_order=2, owner_id=3, add_time=t, update_time=t)
    right = replace(a, org_name=typed.replace(typed.split()[1], legal_form(typed)[0].upper()))
    b = replace(a, id=2, org_id=11, org_name=typed, add_time=t + timedelta(minutes=3))
    [g] = find_duplicates([right, b], DedupeConfig.default()).groups
    [want] = find_duplicates([right, replace(b, org_name=right.org_name)],
                             DedupeConfig.default()).groups
    assert (g.band, g.score) == (want.band, want.score), g.reasons
    assert "same org name, two org records" in g.reasons, g.reasons
