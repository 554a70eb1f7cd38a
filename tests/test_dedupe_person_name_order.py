"""One person on two records with the name's words in another order (``Hugo Kessler`` /
``Kessler Hugo`` / ``Kessler, Hugo``) and one phone is one person, as with one e-mail
(x44r2 F3: "different person ... review at most" with the phone; the e-mail's name check
already read the words in any order). Another first name at that phone stays two persons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from jobs.dedupe.records import person_keys

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)
PHONE = {"phones": [{"value": "+49 30 1234567"}]}


def _bands(name_b: str, contact_b: dict[str, object]) -> list[str]:
    base = {"status": "open", "org_name": "Kessler Bau GmbH", "value": 900.0, "currency": "EUR",
            "pipeline_id": 1, "stage_id": 1, "stage_order": 1, "owner_id": 1, "org_id": 7}
    deals = [DealRecord(id=1, title="Roof repair", add_time=NOW, update_time=NOW,  # type: ignore[arg-type]
                        person_id=20, person_name="Hugo Kessler",
                        person_keys=person_keys({"name": "Hugo Kessler", **PHONE}), **base),
             DealRecord(id=2, title="Roof repair", add_time=NOW + timedelta(minutes=30),  # type: ignore[arg-type]
                        update_time=NOW, person_id=21, person_name=name_b,
                        person_keys=person_keys({"name": name_b, **contact_b}), **base)]
    return [g.band for g in find_duplicates(deals, DedupeConfig.default()).groups]


@pytest.mark.parametrize("name", ["Kessler Hugo", "Kessler, Hugo", "KESSLER,  hugo"])
def test_the_name_in_another_order_and_one_phone_is_one_person(name: str) -> None:
    assert _bands(name, PHONE) == ["duplicate"]


@pytest.mark.parametrize("name", ["Hanna Kessler", "Kessler Hanna", "Kessler"])
def test_another_name_at_that_phone_stays_two(name: str) -> None:
    assert _bands(name, PHONE) == ["review"]


def test_another_phone_stays_two() -> None:
    assert _bands("Kessler, Hugo", {"phones": [{"value": "+49 30 7654321"}]}) == ["review"]
