"""Two copies that mistype one common word two ways (``warehose`` / ``warheouse``) are one deal."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from jobs.dedupe.scoring import prepare, score_pair
from jobs.dedupe.title_diff import mistyped_alike

CFG = DedupeConfig.default()
T = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
BASE = DealRecord(id=1, title="Data warehouse maintenance 2024", status="open", org_id=10,
                  org_name="Corpra AG", person_id=5, value=12000.0, currency="EUR", pipeline_id=1,
                  stage_id=2, stage_order=2, owner_id=3, add_time=T, update_time=T)


def _deal(i: int, title: str, hours: int) -> DealRecord:
    return replace(BASE, id=i, title=title, add_time=T + timedelta(hours=hours))


@pytest.mark.parametrize(("orig", "c1", "c2"), [
    ("Data warehouse maintenance 2024", "DATA WAREHOSE MAINTENANCE 2024", "Data warheouse maintenance 2024"),
    ("Data warehouse rollout", "Data wrehouse rollout", "Data warthouse rollout"),
    ("Translation upgrade phase 1", "Traslation upgrade phase 1", "Trtnslation upgrade phase 1"),
    ("ERP expansion", "ERP expanson", "ERP expnsion"),
])
def test_two_typos_of_one_word_merge_with_the_original(orig: str, c1: str, c2: str) -> None:
    """f36e 1: each copy was a typo of the original, but the two copies were ``different words``
    (0.75-0.79), so the three deals went to review; now the copies' pair reads as one word
    mistyped twice and the three are one duplicate group (seed 12: 12 true pairs more)."""
    a, b = prepare(_deal(2, c1, 4), CFG), prepare(_deal(3, c2, 14), CFG)
    sp = score_pair(a, b, CFG)
    assert sp.band == "duplicate", (sp.score, sp.reasons)
    assert any(r.startswith("typo:") for r in sp.reasons), sp.reasons
    result = find_duplicates([_deal(1, orig, 0), _deal(2, c1, 4), _deal(3, c2, 14)], CFG)
    assert [(g.band, sorted(g.member_ids)) for g in result.groups] == [("duplicate", [1, 2, 3])]


@pytest.mark.parametrize(("x", "y"), [
    ("brevo", "brava"),              # bravo is one edit from each, but no finger slips e/a
    ("onboarding", "offboarding"),   # no common word between them
    ("kaspr", "kaspar"),             # kasper: the vowel before the last, as brands drop it
    ("trial", "triel"),              # trial is a word: one of two words, never a typo of a third
    ("linz", "lanz"),                # short, names
    ("heilbronn", "heilbrunm"),      # not a common English word
])
def test_no_common_word_mistyped_both_ways_is_no_typo(x: str, y: str) -> None:
    """Only a common word each spelling mistypes (a typo alone, ``word_pair`` ``TYPO``) joins
    them: brands, names and towns stay apart."""
    assert mistyped_alike(x, y) == ""
