"""The org's name with ``and`` for its ``&`` is the org's name in a title too (x42r2 F7a):
``Harbor & Sons - fleet`` / ``Harbor and Sons - fleet`` at org ``Harbor & Sons LLC`` said
"customer's name on one only: harbor sons" though both titles carry it: the name was taken out
of the first title only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.config import DEFAULT_NOISE_WORDS, DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from jobs.dedupe.normalize import normalize_title

CASES = [("Harbor and Sons - fleet", "Harbor & Sons LLC"), ("Harbor & Sons - fleet", "Harbor and Sons LLC"),
         ("Schmidt und Söhne Wartung", "Schmidt & Söhne"), ("Smith and Jones office move", "Smith & Jones Ltd"),
         ("Öberg och Co - service", "Öberg & Co AB"), ("Haas GmbH und Co KG - Wartung", "Haas GmbH & Co. KG")]


@pytest.mark.parametrize(("title", "org"), CASES)
def test_the_name_with_and_is_taken_out(title: str, org: str) -> None:
    assert normalize_title(title, org, DEFAULT_NOISE_WORDS).text == \
        normalize_title(title.replace(" and ", " & ").replace(" und ", " & "), org,
                        DEFAULT_NOISE_WORDS).text
    assert normalize_title(title, org, DEFAULT_NOISE_WORDS).text in (
        "fleet", "wartung", "office move", "service")


def test_a_name_twice_joined_by_and_is_one_name() -> None:
    assert normalize_title("Johnson and Johnson audit", "Johnson & Johnson").text == "audit"


def test_the_pair_says_no_name_on_one_only() -> None:
    now = datetime(2026, 12, 2, 9, tzinfo=UTC)
    base = {"status": "open", "org_id": 7, "org_name": "Harbor & Sons LLC", "person_id": 9,
            "person_name": "Jim Harbor", "value": 900.0, "currency": "EUR", "pipeline_id": 1,
            "stage_id": 1, "stage_order": 1, "owner_id": 1}
    deals = [DealRecord(id=1, title="Harbor & Sons - fleet", add_time=now, update_time=now,  # type: ignore[arg-type]
                        **base),
             DealRecord(id=2, title="Harbor and Sons - fleet", add_time=now + timedelta(minutes=30),  # type: ignore[arg-type]
                        update_time=now + timedelta(minutes=30), **base)]
    [pair] = find_duplicates(deals, DedupeConfig.default()).pairs
    assert pair.band == "duplicate"
    assert not any(r.startswith("customer's name on one only") for r in pair.reasons), pair.reasons
