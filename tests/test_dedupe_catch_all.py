"""A catch-all org or person (one record many customers share: ``Privatkunden``, ``Walk-in
customers``, a person with dozens of open deals) ties no pair to one customer: two deals on
it with one title are review at most, the reason naming the rule (x33r1 F2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from jobs.dedupe.catch_all import CROWDED_FLOOR, catch_alls
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord

CFG = DedupeConfig.default()
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BASE = DealRecord(id=1, title="Küchenmontage", status="open", org_id=9980, org_name="Privatkunden",
                  value=0.0, currency="EUR", pipeline_id=1, stage_id=1, stage_order=1, owner_id=1,
                  add_time=NOW, update_time=NOW)


def _bands(deals: list[DealRecord], ids: set[int]) -> list[tuple[str, tuple[str, ...]]]:
    r = find_duplicates(deals, CFG)
    return [(g.band, g.reasons) for g in r.groups if ids <= set(g.member_ids)]


def _account(n_other: int = 40) -> list[DealRecord]:
    """A few real customers with 1-3 deals each (the account's median)."""
    out = []
    for k in range(n_other):
        out.append(replace(BASE, id=1000 + k, title=f"Projekt {k}", org_id=100 + k // 2,
                           org_name=f"Kunde {k // 2} GmbH", person_id=500 + k))
    return out


def test_a_catch_all_named_org_with_one_title_twice_is_review() -> None:
    """Two kitchen installations at org ``Privatkunden`` an hour apart: review, the reason names it."""
    deals = [*_account(), BASE, replace(BASE, id=2, add_time=NOW + timedelta(hours=1))]
    [(band, reasons)] = _bands(deals, {1, 2})
    assert band == "review"
    assert any("catch-all" in r and "Privatkunden" in r for r in reasons), reasons


def test_a_crowded_org_is_a_catch_all_by_the_accounts_own_counts() -> None:
    """An org carrying more open deals than 25 and 10x the median per org is weak evidence: two
    ``Bike repair`` deals on it go to review; the same pair at a customer's own org merges."""
    shop = [replace(BASE, id=10 + k, title=f"Auftrag {k}", org_id=9981, org_name="Radladen Nord",
                    add_time=NOW - timedelta(days=k)) for k in range(CROWDED_FLOOR + 5)]
    pair = [replace(BASE, id=2, title="Bike repair", org_id=9981, org_name="Radladen Nord",
                    value=90.0),
            replace(BASE, id=3, title="Bike repair", org_id=9981, org_name="Radladen Nord",
                    value=90.0, add_time=NOW + timedelta(hours=2))]
    [(band, reasons)] = _bands([*_account(), *shop, *pair], {2, 3})
    assert band == "review"
    assert any("carries 32 open deals" in r for r in reasons), reasons
    own = [replace(d, org_id=777, org_name="Velo Müller GmbH") for d in pair]
    assert [b for b, _ in _bands([*_account(), *shop, *own], {2, 3})] == ["duplicate"]


def test_a_person_with_one_title_many_times_is_a_catch_all_for_that_title() -> None:
    """``Website inquiry`` on one person (no org) on four different days: a catch-all for that
    title; twelve copies of one deal entered in one day (an import run again) are none."""
    mk = [replace(BASE, id=20 + k, title="Website inquiry", org_id=None, org_name=None,
                  person_id=9985, add_time=NOW - timedelta(days=3 * k)) for k in range(4)]
    pair = [replace(mk[0], id=2, add_time=NOW + timedelta(minutes=40))]
    [(band, reasons)] = _bands([*_account(), *mk, *pair], {2, 20})
    assert band == "review"
    assert any("titled 'website inquiry' added on 4 different days" in r for r in reasons), reasons
    again = [replace(mk[0], id=40 + k, add_time=NOW + timedelta(minutes=k)) for k in range(12)]
    assert catch_alls((d, "website inquiry") for d in again) == {}


def test_a_copy_and_a_copy_of_a_copy_are_no_catch_all() -> None:
    """Three deals of one title on one org (a deal and two copies) leave the org a customer's."""
    deals = [replace(BASE, id=k, org_id=55, org_name="Nordwind AG", person_id=9,
                     add_time=NOW + timedelta(minutes=k)) for k in (1, 2, 3)]
    assert catch_alls((d, "kuchenmontage") for d in deals) == {}
    assert [b for b, _ in _bands([*_account(), *deals], {1, 2, 3})] == ["duplicate"]


def _key_account(persons: int = 1, titles: int = 46) -> list[DealRecord]:
    """Org 4200 with 46 open deals (the account's median is 1-2): ``persons`` named contacts,
    ``titles`` different real titles, added on many days."""
    return [replace(BASE, id=3000 + k, title=f"Rollout Standort {k % titles}", org_id=4200,
                    org_name="Brenner Logistik GmbH", person_id=7700 + k % persons,
                    add_time=NOW - timedelta(days=1 + k)) for k in range(46)]


def test_a_same_day_copy_at_a_key_account_merges() -> None:
    """46 open deals at one org, one named contact, varied titles (f34e 1: held at review as a
    catch-all's org and person): a same-day exact copy there merges; neither is a catch-all."""
    pair = [replace(BASE, id=2, title="Wartungsvertrag Lager Nord", org_id=4200,
                    org_name="Brenner Logistik GmbH", person_id=7700, value=12000.0),
            replace(BASE, id=3, title="Wartungsvertrag Lager Nord", org_id=4200,
                    org_name="Brenner Logistik GmbH", person_id=7700, value=12000.0,
                    add_time=NOW + timedelta(hours=3))]
    deals = [*_account(), *_key_account(), *pair]
    assert [b for b, _ in _bands(deals, {2, 3})] == ["duplicate"]
    assert catch_alls((d, d.title.casefold()) for d in deals) == {}
    three = [*_account(), *_key_account(persons=3), *pair]  # a few contacts: still a key account
    assert [b for b, _ in _bands(three, {2, 3})] == ["duplicate"]


def test_a_crowded_record_spread_as_a_catch_alls_stays_one() -> None:
    """Crowded records spread as a catch-all's are stay catch-alls: an org whose deals name
    46 persons, an org whose deals carry few titles, a person whose deals sit at no org."""
    pair = [replace(BASE, id=2, title="Bike repair", org_id=4200, org_name="Brenner Logistik GmbH",
                    person_id=7700, value=90.0),
            replace(BASE, id=3, title="Bike repair", org_id=4200, org_name="Brenner Logistik GmbH",
                    person_id=7700, value=90.0, add_time=NOW + timedelta(hours=3))]
    many = _key_account(persons=46)
    found = catch_alls((d, d.title.casefold()) for d in [*_account(), *many])
    assert "spread over 46 persons" in found[("org", 4200)]
    few = [replace(d, title=f"Auftrag {d.id % 4}") for d in _key_account()]
    found = catch_alls((d, d.title.casefold()) for d in [*_account(), *few, *pair])
    assert "under only 5 different titles" in found[("org", 4200)], found
    [(band, _)] = _bands([*_account(), *few, *pair], {2, 3})
    assert band == "review"
    loose = [replace(d, org_id=None, org_name=None) for d in _key_account()]
    found = catch_alls((d, d.title.casefold()) for d in [*_account(), *loose])
    assert "46 of them with no org" in found[("person", 7700)], found
    private = [replace(d, org_id=9980, org_name="Privatkunden") for d in _key_account()]
    found = catch_alls((d, d.title.casefold()) for d in [*_account(), *private])
    assert "with no org (or a catch-all one)" in found[("person", 7700)], found


def test_a_person_named_as_no_one_is_a_catch_all() -> None:
    """Two same-title deals the same day on a person named ``Walk-in customer`` / ``Unknown``
    / ``Kunde`` with no org (f34e 2: merged, person names were not read), and the 2-deal
    ``Unknown contact`` pair exactly 48 h apart: review, the reason naming the person; a
    person with a name of their own still ties the pair."""
    for name, gap in (("Walk-in customer", timedelta(hours=2)), ("Unknown", timedelta(hours=5)),
                      ("Kunde", timedelta(minutes=30)), ("Unknown contact", timedelta(hours=48)),
                      ("Onbekend", timedelta(hours=1)), ("Cliente anónimo", timedelta(hours=1))):
        pair = [replace(BASE, id=2, title="Fahrradreparatur", org_id=None, org_name=None,
                        person_id=8800, person_name=name, value=90.0),
                replace(BASE, id=3, title="Fahrradreparatur", org_id=None, org_name=None,
                        person_id=8800, person_name=name, value=90.0, add_time=NOW + gap)]
        [(band, reasons)] = _bands([*_account(), *pair], {2, 3})
        assert band == "review", (name, reasons)
        assert any("catch-all" in r and repr(name) in r for r in reasons), reasons
        own = [replace(d, person_name="Anna Berg") for d in pair]
        assert [b for b, _ in _bands([*_account(), *own], {2, 3})] == ["duplicate"], name
