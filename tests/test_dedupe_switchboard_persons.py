"""Two person records at one phone (a switchboard) whose e-mails are both there and share
none are two persons, however their names read (x44r5 F2: ``Thomas Paul`` / ``Paul
Thomas``, ``Anna Maria Weber`` / ``Maria Anna Weber`` and two ``Thomas Paul`` records, each
with an e-mail of their own, were tied as one person and their deals merged). A name and
a phone still tie two records when one has no e-mail or they share one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.evidence import one_person
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from jobs.dedupe.records import person_keys
from jobs.dedupe.scoring import prepare

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)
PHONE = [{"value": "+49 89 7770100"}]


def _deals(a: tuple[str, str | None], b: tuple[str, str | None]) -> list[DealRecord]:
    base = {"status": "open", "org_name": "Cedarline Dental GmbH", "value": 2000.0,
            "currency": "EUR", "pipeline_id": 1, "stage_id": 1, "stage_order": 1,
            "owner_id": 1, "org_id": 3}
    out = []
    for i, (name, mail) in enumerate((a, b), start=1):
        person = {"name": name, "phones": PHONE,
                  "emails": [{"value": mail}] if mail else []}
        out.append(DealRecord(id=i, title="Cedarline Dental - Fleet leasing",  # type: ignore[arg-type]
                              add_time=NOW + timedelta(minutes=2 * i), update_time=NOW,
                              person_id=10 + i, person_name=name,
                              person_keys=person_keys(person), **base))
    return out


TWO = [(("Thomas Paul", "thomas.paul@cedar.example"), ("Paul Thomas", "paul.thomas@cedar.example")),
       (("Anna Maria Weber", "anna@cedar.example"), ("Maria Anna Weber", "maria@cedar.example")),
       (("Thomas Paul", "thomas.paul@cedar.example"), ("Thomas Paul", "tp@other.example"))]
ONE = [(("Thomas Paul", "thomas.paul@cedar.example"), ("Paul Thomas", None)),
       (("Thomas Paul", None), ("Thomas Paul", None)),
       (("Thomas Paul", "TP@cedar.example"), ("Paul Thomas", "tp@cedar.example"))]


@pytest.mark.parametrize(("a", "b"), TWO)
def test_own_emails_at_one_phone_are_two_persons(a: tuple[str, str], b: tuple[str, str]) -> None:
    deals = _deals(a, b)
    p, q = (prepare(d, DedupeConfig.default()) for d in deals)
    assert one_person(p, q) is None
    assert all(g.band != "duplicate" for g in find_duplicates(deals, DedupeConfig.default()).groups)


@pytest.mark.parametrize(("a", "b"), ONE)
def test_name_and_phone_tie_where_emails_do_not_disagree(a: tuple[str, str | None],
                                                         b: tuple[str, str | None]) -> None:
    p, q = (prepare(d, DedupeConfig.default()) for d in _deals(a, b))
    assert one_person(p, q) is not None
