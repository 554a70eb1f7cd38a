"""The crowded rule of ``catch_all`` (an org with more than 25 open deals and 10x the
account's median, spread as a catch-all's) counts an org's open deals by its normalized
name, as the title rule does (f37d 4): a shop filing walk-ins under its own name, entered
twice (``Radladen Nord`` / ``Radladen Nord GmbH``), held 20 + 20 open deals with no person,
no catch-all on either record, so a same-day pair there merged unattended. Two customers'
names alike but not one stay customers; the account's median stays per record."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.catch_all import catch_alls
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from tests.test_dedupe_catch_all_title_by_name import ONE_NAME, TWO_NAMES

CFG = DedupeConfig.default()
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BASE = DealRecord(id=1, title="x", status="open", org_id=1, org_name="x", value=90.0,
                  currency="EUR", pipeline_id=1, stage_id=1, stage_order=1, owner_id=1,
                  add_time=NOW, update_time=NOW)


def _account(a: str, b: str, each: int = 20) -> list[DealRecord]:
    """``each`` open deals with no person and their own titles at org 10 (``a``) and at org
    11 (``b``), and 40 customers with one or two deals each (median 2 a record)."""
    out = [replace(BASE, id=100 + k, title=f"Auftrag {k}", org_id=10 + k % 2,
                   org_name=(a, b)[k % 2], add_time=NOW - timedelta(days=k))
           for k in range(2 * each)]
    out += [replace(BASE, id=1000 + k, title=f"Projekt {k}", org_id=500 + k // 2,
                    org_name=f"Kunde {k // 2} GmbH", person_id=5000 + k) for k in range(80)]
    return out


def _crowded(deals: list[DealRecord]) -> set[int]:
    return {rid for (kind, rid) in catch_alls((d, d.title.lower()) for d in deals)
            if kind == "org" and rid in (10, 11)}


@pytest.mark.parametrize(("a", "b"), ONE_NAME)
def test_one_names_records_are_crowded_together(a: str, b: str) -> None:
    assert _crowded(_account(a, b)) == {10, 11}, (a, b)


@pytest.mark.parametrize(("a", "b"), TWO_NAMES)
def test_two_names_records_count_apart(a: str, b: str) -> None:
    assert _crowded(_account(a, b)) == set(), (a, b)


def test_precision_and_recall_on_the_labelled_accounts() -> None:
    found = sum(_crowded(_account(a, b)) == {10, 11} for a, b in ONE_NAME)
    wrong = sum(bool(_crowded(_account(a, b))) for a, b in TWO_NAMES)
    assert (found, wrong) == (len(ONE_NAME), 0), (found, wrong)


def test_a_same_day_pair_at_one_record_goes_to_review() -> None:
    """Two ``Fahrradreparatur`` deals at ``Radladen Nord`` an hour apart: review, the reason
    naming the other record's name; at a customer's own org they merge."""
    pair = [replace(BASE, id=2, title="Fahrradreparatur", org_id=10, org_name="Radladen Nord"),
            replace(BASE, id=3, title="Fahrradreparatur", org_id=10, org_name="Radladen Nord",
                    add_time=NOW + timedelta(hours=1))]
    deals = [*_account("Radladen Nord", "Radladen Nord GmbH"), *pair]
    [g] = [g for g in find_duplicates(deals, CFG).groups if {2, 3} <= set(g.member_ids)]
    assert g.band == "review", g
    assert any("other records named" in r for r in g.reasons), g.reasons
    own = [replace(d, org_id=777, org_name="Velo Müller GmbH") for d in pair]
    deals = [*_account("Radladen Nord", "Radladen Nord GmbH"), *own]
    [g] = [g for g in find_duplicates(deals, CFG).groups if {2, 3} <= set(g.member_ids)]
    assert g.band == "duplicate", g


@pytest.mark.parametrize(("a", "b"), [("Müller GmbH", "Müller AG"), ("Schmidt KG", "Schmidt GmbH"),
                                      ("Rossi S.r.l.", "Rossi S.p.A."), ("Acme Inc.", "Acme Ltd")])
def test_two_legal_forms_are_two_companies(a: str, b: str) -> None:
    """x37r3 F3: two records of one name but two legal forms are two customers, the import
    keeps them apart: 20 + 20 open deals are no crowd, and one title on 2 + 2 days no
    catch-all (each pooled into a catch-all before)."""
    assert _crowded(_account(a, b)) == set(), (a, b)
    deals = [replace(BASE, id=3000 + d, title="Service call", org_id=10 + d % 2,
                     org_name=(a, b)[d % 2], add_time=NOW - timedelta(days=d)) for d in range(4)]
    found = catch_alls((d, d.title.lower()) for d in [*deals, *_account("Kunde A", "Kunde B", 1)])
    assert not any(kind == "org:service call" for kind, _ in found), found


def test_the_reason_names_the_other_records() -> None:
    """The crowd's reason names the records counted with this one, not its own name again."""
    found = catch_alls((d, d.title.lower())
                       for d in _account("Radladen Nord", "Radladen Nord GmbH"))
    assert "with the other records named 'Radladen Nord GmbH'" in found[("org", 10)], found
    assert "with the other records named 'Radladen Nord'" in found[("org", 11)], found
