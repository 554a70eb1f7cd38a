"""A copy with no org whose title names the other deal's org, under a second person record
of the same person (same name and e-mail, case aside), is read as at that org as with one
record (x44r2 F2: ``Torlisu - Network upgrade`` with no org under a second ``Clara Vogt``
record was in no band of pairs.csv, 12 of 22 labelled pairs; with one record: merged)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from jobs.dedupe.records import person_keys

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)
CLARA = person_keys({"name": "Clara Vogt", "emails": [{"value": "clara.vogt@torlisu.de"}]})


def _bands(person_b: int, keys_b: tuple[str, ...], name_b: str = "Clara Vogt",
           title_b: str = "Torlisu - Network upgrade") -> list[tuple[str, set[int]]]:
    base = {"status": "open", "value": 700.0, "currency": "EUR", "pipeline_id": 1,
            "stage_id": 1, "stage_order": 1, "owner_id": 1}
    deals = [DealRecord(id=1, title="Torlisu - Network upgrade", add_time=NOW,  # type: ignore[arg-type]
                        update_time=NOW, org_id=7, org_name="Torlisu Ltd", person_id=20,
                        person_keys=CLARA, person_name="Clara Vogt", **base),
             DealRecord(id=2, title=title_b, add_time=NOW + timedelta(hours=11),  # type: ignore[arg-type]
                        update_time=NOW + timedelta(hours=11), org_id=None, org_name=None,
                        person_id=person_b, person_keys=keys_b, person_name=name_b, **base)]
    return [(g.band, set(g.member_ids)) for g in find_duplicates(deals, DedupeConfig.default()).groups]


@pytest.mark.parametrize("mail", ["clara.vogt@torlisu.de", "Clara.Vogt@Torlisu.De"])
def test_a_second_record_of_the_person_ties_the_no_org_copy(mail: str) -> None:
    keys = person_keys({"name": "Clara Vogt", "emails": [{"value": mail}]})
    assert _bands(21, keys) == [("duplicate", {1, 2})]


def test_the_copy_titled_otherwise_too() -> None:
    """``Network upgrade (Torlisu)`` under the second record: read at the org as well."""
    assert _bands(21, CLARA, title_b="Network upgrade (Torlisu)") == [("duplicate", {1, 2})]


def test_one_record_as_before() -> None:
    assert _bands(20, CLARA) == [("duplicate", {1, 2})]


def test_another_person_of_that_name_is_no_tie() -> None:
    """Same name, another e-mail: nothing says one person, so the org's name in a title
    says nothing of whose deal it is (not merged)."""
    other = person_keys({"name": "Clara Vogt", "emails": [{"value": "c.vogt@elsewhere.de"}]})
    assert all(band != "duplicate" for band, _ in _bands(21, other))


def test_a_shared_mailbox_of_two_names_is_no_tie() -> None:
    """``info@`` of Clara Vogt and of Ben Weber: two persons (``evidence.one_person``)."""
    info = person_keys({"name": "x", "emails": [{"value": "clara.vogt@torlisu.de"}]})
    assert all(band != "duplicate" for band, _ in _bands(21, info, name_b="Ben Weber"))
