"""A copy that names its customer in one title only is compared and scored as the customer's
name (x40r3 F4): the org record's name mistyped (``Orio Textiles - Security audit`` /
``Orion Textiles - Security audit`` at org ``Orion Textiles``), and a copy with no org naming
the other's org (``Office move (Gustav Motoren)`` / ``Gustav Motoren - Office move``, one
person). Before, the name alone put the titles under the comparison's cutoff: never compared.
What a name cannot lift stays apart: two companies of near names, a phase number, another
person, another org's name, a name beside other words."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord

CFG = DedupeConfig.default()
T0 = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
B = DealRecord(id=1, title="", status="open", org_id=4, org_name="Orion Textiles", person_id=7,
               value=12500.0, currency="EUR", pipeline_id=2, stage_id=7, stage_order=1,
               owner_id=1, add_time=T0, update_time=T0)


def _bands(*titles: str, **kw: Any) -> tuple[list[tuple[str, tuple[int, ...]]], tuple[str, ...]]:
    """The groups (band, members) of deals 1.. titled ``titles``, 2 h apart; ``kw``: fields of
    deal 2 and on (``b_`` prefix) or of every deal."""
    later = {k.removeprefix("b_"): v for k, v in kw.items() if k.startswith("b_")}
    every = {k: v for k, v in kw.items() if not k.startswith("b_")}
    deals = [replace(B, id=i + 1, title=t, add_time=T0 + timedelta(hours=2 * i),
                     **{**every, **(later if i else {})}) for i, t in enumerate(titles)]
    result = find_duplicates(deals, CFG)
    return ([(g.band, tuple(sorted(g.member_ids))) for g in result.groups],
            tuple(r for p in (*result.pairs, *result.held) for r in p.reasons))


@pytest.mark.parametrize(("one", "other", "org"), [
    ("Orion Textiles - Security audit", "Orio Textiles - Security audit", "Orion Textiles"),
    ("Granite Peak Outdoor - Fleet leasing", "Granite Peak Outodor - Fleet leasing",
     "Granite Peak Outdoor"),
    ("Harbor & Finch - Solar roof", "Harbor & iFnch - Solar roof", "Harbor & Finch"),
    ("Fennel & Sage - Catering contract", "Fenne & Sage - Catering contract", "Fennel & Sage"),
    ("Mistral Yachts - Fleet leasing", "Mistral Yacht - Fleet leasing", "Mistral Yachts"),
    ("Hazel Nursery - CRM rollout", "Haze Nursery - CRM rollout", "Hazel Nursery"),
    ("Orion - Audit", "Orio - Audit", "Orion"),
])
def test_the_org_name_mistyped_in_one_title_is_the_customers_name(one: str, other: str,
                                                                   org: str) -> None:
    groups, reasons = _bands(one, other, org_name=org)
    assert groups == [("duplicate", (1, 2))], reasons
    assert any(r.startswith("customer's name on one only") for r in reasons), reasons


def test_a_triple_with_the_name_mistyped_and_lower_case_is_one_group() -> None:
    groups, reasons = _bands("Orion Textiles - Security audit", "Orio Textiles - Security audit",
                             "orion textiles - security audit")
    assert groups == [("duplicate", (1, 2, 3))], reasons


def test_a_copy_with_no_org_naming_the_others_org_is_compared() -> None:
    groups, reasons = _bands("Gustav Motoren - Office move", "Office move (Gustav Motoren)",
                             org_name="Gustav Motoren", b_org_id=None, b_org_name=None)
    assert groups == [("duplicate", (1, 2))], reasons
    assert any(r.startswith("customer's name on one only: gustav motoren (the org of deal 1")
               for r in reasons), reasons


@pytest.mark.parametrize("kw", [
    {"b_person_id": 8},  # another person: nothing ties the no-org copy to the org
    {"b_person_id": None},
    {"b_title": "Office move (Gustav Motor)"},  # the name not spelled: no reading at the org
    {"b_value": 31000.0},  # two values: review at most
])
def test_a_copy_with_no_org_is_not_merged_on_thin_evidence(kw: dict[str, Any]) -> None:
    title = kw.pop("b_title", "Office move (Gustav Motoren)")
    groups, reasons = _bands("Gustav Motoren - Office move", title, org_name="Gustav Motoren",
                             b_org_id=None, b_org_name=None, **kw)
    assert all(band != "duplicate" for band, _ in groups), (groups, reasons)


@pytest.mark.parametrize(("titles", "kw"), [
    # two real companies of near names: two org records, two persons (a hard negative)
    (("Orion Textiles - Security audit", "Orio Textiles - Security audit"),
     {"b_org_id": 5, "b_org_name": "Orio Textiles", "b_person_id": 8}),
    # ... and one person at both (a consultant): still two org records
    (("Orion Textiles - Security audit", "Orio Textiles - Security audit"),
     {"b_org_id": 5, "b_org_name": "Orio Textiles"}),
    # a phase apart, the name mistyped on one
    (("Orion Textiles - Rollout phase 1", "Orio Textiles - Rollout phase 2"), {}),
    (("Orion Textiles - Rollout Phase 1", "Rollout Phase 2 (Orion Textiles)"),
     {"b_org_id": None, "b_org_name": None}),
    # the mistyped name beside another word of its part: whose name is not said
    (("Orion Textiles - Security audit", "Orio Textiles Lyon - Security audit"), {}),
    # the name mistyped, another person: the copy rule needs org, person and value to agree
    (("Orion Textiles - Security audit", "Orio Textiles - Security audit"), {"b_person_id": 8}),
])
def test_near_names_and_numbers_stay_apart(titles: tuple[str, ...], kw: dict[str, Any]) -> None:
    groups, reasons = _bands(*titles, **kw)
    assert all(band != "duplicate" for band, _ in groups), (groups, reasons)
