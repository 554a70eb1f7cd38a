"""Two person records that are one person entered twice tie a pair as one record does
(x42r2 F5): same name, same e-mail (or one in capitals) on two person records, one org name
on two records or one org record: the pair was "different person ... two persons: review".
Shared e-mail (case aside), or a shared name with one phone number's digits, read from the
``getPersons`` answers that already read the persons' names (no other read: the plan's
tokens are the run's), kept in the nightly index as digests (no address is stored)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio

import jobs
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.index import DealIndex, compact_row, from_compact_row
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from jobs.dedupe.records import person_keys
from tests.dedupe_job_support import deal, org, seed_account
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)


def _pair(ka: tuple[str, ...], kb: tuple[str, ...], *, org_b: int = 7,
          names: tuple[str, str] = ("Ulf Cirrus", "Ulf Cirrus")) -> list[tuple[str, set[int]]]:
    base = {"status": "open", "org_name": "Cirrus Fleet GmbH", "value": 900.0,
            "currency": "EUR", "pipeline_id": 1, "stage_id": 1, "stage_order": 1, "owner_id": 1}
    deals = [DealRecord(id=1, title="Fleet deal", add_time=NOW, update_time=NOW, org_id=7,  # type: ignore[arg-type]
                        person_id=20, person_keys=ka, person_name=names[0], **base),
             DealRecord(id=2, title="Fleet deal", add_time=NOW + timedelta(minutes=30),  # type: ignore[arg-type]
                        update_time=NOW + timedelta(minutes=30), org_id=org_b, person_id=21,
                        person_keys=kb, person_name=names[1], **base)]
    return [(g.band, set(g.member_ids)) for g in find_duplicates(deals, DedupeConfig.default()).groups]


def test_one_e_mail_case_aside_is_one_person() -> None:
    a = person_keys({"name": "Ulf Cirrus", "emails": [{"value": "ulf@cirrus.de", "primary": True}]})
    b = person_keys({"name": "Ulf Cirrus", "emails": [{"value": " ULF@Cirrus.de"}]})
    assert a == b and a and "cirrus" not in "".join(a)  # a digest, not the address
    assert _pair(a, b) == [("duplicate", {1, 2})]
    assert _pair(a, b, org_b=8) == [("duplicate", {1, 2})]  # one org name, two org records


def test_one_name_and_phone_is_one_person() -> None:
    a = person_keys({"name": "Ulf Cirrus", "phones": [{"value": "+49 30 1234567"}]})
    b = person_keys({"name": "ulf  cirrus", "phones": [{"value": "030 1234567"}]})
    assert _pair(a, b) == [("duplicate", {1, 2})]


def test_other_persons_stay_two() -> None:
    a = person_keys({"name": "Ulf Cirrus", "emails": [{"value": "ulf@cirrus.de"}],
                     "phones": [{"value": "030 1234567"}]})
    b = person_keys({"name": "Ute Cirrus", "emails": [{"value": "ute@cirrus.de"}],
                     "phones": [{"value": "030 1234567"}]})  # one office phone, two persons
    assert _pair(a, b) == [("review", {1, 2})]
    assert _pair((), ()) == [("review", {1, 2})]
    info = person_keys({"name": "x", "emails": [{"value": "info@weber.de"}]})
    assert _pair(info, info, names=("Anna Weber", "Ben Weber")) == [("review", {1, 2})]
    assert _pair(info, info, names=("U. Weber", "Ulf Weber")) == [("duplicate", {1, 2})]


def test_the_index_keeps_the_keys() -> None:
    r = DealRecord(id=5, title="Fleet deal", status="open", person_id=20, person_name="Ulf",
                   person_keys=("e:0123456789abcdef",))
    assert from_compact_row(compact_row(r)).person_keys == r.person_keys
    assert from_compact_row(compact_row(r)[:20]).person_keys == ()
    index = DealIndex({5: r}, None)
    assert index.person_keys() == {20: ("e:0123456789abcdef",)}
    assert index.rekey_persons({20: ("e:fedcba9876543210",)}) == {5}


def _person(sb: Sandbox, name: str, email: str) -> int:
    tpl = dict(sb.state.table("person").rows[1])
    (pid,) = sb.state.load("person", [{k: v for k, v in tpl.items() if k != "id"} | {
        "name": name, "org_id": None, "emails": [{"value": email, "primary": True, "label": "work"}],
        "phones": []}])
    return pid


def test_a_plan_reads_the_e_mails_with_the_names(tmp_path: Path) -> None:
    """Through a sandbox: two ``Ute Nimbus`` records (``ute@nimbus.de``, ``UTE@Nimbus.de``) on
    two ``Nimbus Fleet GmbH`` records merge; the reads are the names' reads, the tokens the
    server counted."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        o1, o2 = org(sb, "Nimbus Fleet GmbH"), org(sb, "Nimbus Fleet GmbH")
        p1, p2 = _person(sb, "Ute Nimbus", "ute@nimbus.de"), _person(sb, "Ute Nimbus", "UTE@Nimbus.de")
        a = deal(sb, "Fleet deal", o1, value=900, add="2026-11-03T10:00:00Z",
                 update="2026-11-03T10:00:00Z", person_id=p1)
        b = deal(sb, "Fleet deal", o2, value=900, add="2026-11-03T10:30:00Z",
                 update="2026-11-03T10:30:00Z", person_id=p2)
        before = sb.stats()["tokens_spent"]
        plan = anyio.run(lambda: jobs.plan_dedupe(engine_config(sb, tmp_path / "j"), sb.token,
                                                  tmp_path / "plan"))
        spent = sb.stats()["tokens_spent"] - before
        assert sum(t for _, t in plan.reads.values()) == spent, (plan.reads, spent)
        groups = {frozenset(g.member_ids): g for g in plan.outcome.result.groups}
        g = groups[frozenset({a, b})]
        assert g.band == "duplicate", g.reasons
        assert any("same person, two person records (same e-mail)" in r for r in g.reasons), g.reasons
