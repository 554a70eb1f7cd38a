"""A word on one title only, one letter off the org's name, beside other words of its title
part while the other title names the org itself (``Support - Kunde Kaul`` / ``Support -
Kunde Kaulx`` at org ``Kaul SRL``): two names — whose, the words beside them say — not the
customer's name mistyped. Held at review (``review at most: word only on one``), so
--include-review leaves it to a person (the bench's ``name`` hard negatives: 1 pair taken
on seeds 11 and 12 each). The customer's name mistyped as a part of its own, beside numbers
only, or with its legal form after it stays what it was."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.apply import ApplyOptions
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord

CFG = DedupeConfig.default()
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
B = DealRecord(id=1, title="", status="open", org_id=10, org_name="Kaul SRL", person_id=5,
               value=5000.0, currency="EUR", pipeline_id=1, stage_id=1, stage_order=1,
               owner_id=1, add_time=NOW, update_time=NOW)


@pytest.mark.parametrize(("one", "other"), [
    ("Support - Kunde Kaul", "Support - Kunde Kaulx"),
    ("Schulung Kaul - Berlin", "Schulung Kaulx - Berlin"),
    ("Support - Kunde Corfen", "Support - Kunde Cofen"),
])
def test_a_name_beside_words_one_letter_off_is_held_from_include_review(
        one: str, other: str) -> None:
    org = "Corfen SRL" if "Corfen" in one else "Kaul SRL"
    deals = [replace(B, title=one, org_name=org),
             replace(B, id=2, title=other, org_name=org, add_time=NOW + timedelta(minutes=9))]
    result = find_duplicates(deals, CFG)
    [g] = result.groups
    assert g.band == "review", g
    [pair] = result.pairs
    assert "review at most: word only on one" in pair.reasons, pair.reasons
    why = ApplyOptions(include_review=True).wants(g, CFG.review_threshold)
    assert why is not None and "word only on one" in why, why


@pytest.mark.parametrize(("one", "other", "org"), [
    ("Fenbri - Data warehouse integration", "Fenbsi - Data warehouse integration",
     "Fenbri PLC"),  # the name as a part of its own
    ("Q3 Kaost - Staff training", "Q3 Kasot - Staff training", "Kaost Ltd"),  # beside a number
    ("Mobile app integration - Lumbel LLC phase 2",
     "Mobile app integration - Luubel LLC phase 2", "Lumbel LLC"),  # its legal form after it
])
def test_the_customers_name_mistyped_is_not_held(one: str, other: str, org: str) -> None:
    deals = [replace(B, title=one, org_name=org),
             replace(B, id=2, title=other, org_name=org, add_time=NOW + timedelta(hours=25))]
    result = find_duplicates(deals, CFG)
    [g] = result.groups
    assert not any(r.startswith("review at most") for p in result.pairs for r in p.reasons), \
        result.pairs
    assert ApplyOptions(include_review=True).wants(g, CFG.review_threshold) is None
