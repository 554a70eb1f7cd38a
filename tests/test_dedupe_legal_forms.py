"""Legal forms: all common forms leave titles and org keys; two different forms are two companies."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.model import DealRecord
from jobs.dedupe.normalize import legal_form, normalize_title, org_key, other_legal_entity
from jobs.dedupe.scoring import prepare, score_pair

CFG = DedupeConfig.default()
T = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
BASE = DealRecord(id=1, title="Office 365 licences", status="open", org_id=10,
                  org_name="Tessera0 Group GmbH", person_id=5, value=4800.0, currency="EUR",
                  pipeline_id=1, stage_id=2, stage_order=2, owner_id=3, add_time=T, update_time=T)


@pytest.mark.parametrize("form", ["SE", "KGaA", "OHG", "eG", "PLC", "LLP", "S.p.A.", "Oy", "AB", "AS",
                                  "A/S", "ApS", "NV", "N.V.", "BV", "Sp. z o.o.", "Sp. z.o.o.", "SAS",
                                  "S.r.l.", "GmbH & Co. KG", "AB (publ)", "Pty Ltd", "Kft.", "s.r.o."])
def test_a_legal_form_leaves_the_title_with_the_org_name(form: str) -> None:
    """``Acme Foods \u2013 Data warehouse migration`` at org ``Acme Foods SE`` is the title without
    the org name, for every common legal form (F5: SE, KGaA, OHG, eG were missing)."""
    org = f"Acme Foods {form}"
    assert org_key(org) == "acme foods"
    for title in ("Acme Foods \u2013 Data warehouse migration", f"Acme Foods {form} - Data warehouse migration",
                  "Data warehouse migration - Acme Foods"):
        assert normalize_title(title, org).text == "data warehouse migration", title


@pytest.mark.parametrize(("x", "y", "two"), [
    ("Tessera0 Group GmbH", "Tessera0 Group Inc", True), ("Acme Ltd", "Acme SE", True),
    ("Acme AB", "Acme Oy", True), ("Acme Ltd", "Acme PLC", True), ("Acme GmbH", "Acme GmbH & Co. KG", True),
    ("Acme GmbH", "Acme G.m.b.H.", False), ("Acme Inc", "Acme Incorporated", False),
    ("Acme Inc.", "ACME Corp", False), ("Acme Ltd", "Acme Limited", False), ("Acme", "Acme GmbH", False),
    ("Acme S.p.A.", "ACME SPA", False), ("Acme & Co", "Acme Inc", True),
    ("Quellon Co", "Quellon Inc", True), ("Quellon Company", "Quellon Co", False),
    ("Quellon Corp", "Quellon Co", True), ("Marvik LLC", "Marvik Ltd", True),
    # written out in full (v11r8: Yota AG / Yota Aktiengesellschaft were not even compared)
    ("Yota AG", "Yota Aktiengesellschaft", False),
    ("Omega GmbH", "Omega Gesellschaft mit beschränkter Haftung", False),
    ("Marvik LLC", "Marvik Limited Liability Company", False),
    ("Yota Aktiengesellschaft", "Yota GmbH", True),
])
def test_two_legal_forms_are_two_legal_entities(x: str, y: str, two: bool) -> None:
    """Different legal forms (spelling variants of one form aside) name two legal entities;
    a name without a form may be either."""
    assert other_legal_entity(x, y) is two
    assert other_legal_entity(y, x) is two


def test_group_and_holding_are_part_of_the_name() -> None:
    """``group`` / ``holding`` are not legal forms: a holding is not its operating company."""
    assert org_key("Acme Holding GmbH") == "acme holding"
    assert org_key("Tessera0 Group Inc") == "tessera0 group"
    assert legal_form("Acme Holding") == ()
    assert org_key("AS Roma") == "as roma"  # a name's first word is never its form


def test_deals_at_two_legal_entities_reach_review_at_most() -> None:
    """F2: the same title and value at ``... GmbH`` and ``... Inc`` (each its own person),
    a day apart, is not a duplicate (was 0.92); even a double submit is review at most."""
    other = replace(BASE, id=2, org_id=11, org_name="Tessera0 Group Inc", person_id=6,
                    add_time=T + timedelta(days=1))
    sp = score_pair(prepare(BASE, CFG), prepare(other, CFG), CFG)
    assert sp.band != "duplicate" and sp.score <= 0.80, sp
    assert any(r.startswith("two legal entities") for r in sp.reasons)
    twin = replace(other, person_id=5, add_time=T + timedelta(minutes=3))
    sp = score_pair(prepare(BASE, CFG), prepare(twin, CFG), CFG)
    assert sp.band != "duplicate" and sp.score <= 0.80, sp
    # the same company typed twice (one form, or a form on one side only) still merges
    for name in ("Tessera0 Group G.m.b.H.", "TESSERA0 GROUP"):
        same = replace(other, org_name=name, person_id=5)
        assert score_pair(prepare(BASE, CFG), prepare(same, CFG), CFG).band == "duplicate", name
