"""When one side of a pair is a catch-all, the other side's "same" must be real evidence (x43r2
F1: with an org bucket read as a catch-all and a person no list holds, ``same org (a
catch-all); same person`` scored 1.00 and 13 of 46 two-customer pairs merged unattended): a
person of one word with no e-mail and no phone at a catch-all org is a placeholder too
(``Reisender``, ``Zimmer``), and an org whose name ends in its catch-all person's word
(``Pensionsgäste`` / ``Gast``) is a bucket. A person with an e-mail or a phone (``Madonna``
with one) or a surname stays a person, and a real org stays one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import anyio
import pytest

import jobs
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.dedupe.catch_all import catch_alls
from jobs.dedupe.model import DealRecord
from tests.dedupe_job_support import deal, org, seed_account
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox

NOW = datetime(2026, 12, 3, 9, tzinfo=UTC)


def _weak(org_name: str, person: str, keys: tuple[str, ...] = ()) -> set[tuple[str, int]]:
    d = DealRecord(id=1, title="Zimmer", add_time=NOW, update_time=NOW, status="open",  # type: ignore[arg-type]
                   org_id=7, org_name=org_name, person_id=9, person_name=person,
                   person_keys=keys, value=120.0, currency="EUR", pipeline_id=1, stage_id=1,
                   stage_order=1, owner_id=1)
    return set(catch_alls([(d, "zimmer")]))


@pytest.mark.parametrize("person", ["Reisender", "Zimmergast2", "Urlauber", "Frühstück"])
def test_a_one_word_person_without_contact_at_a_catch_all_org_is_a_placeholder(person: str) -> None:
    assert _weak("Hotelgäste", person) == {("org", 7), ("person", 9)}


@pytest.mark.parametrize(("person", "keys"), [("Madonna", ("e:0123456789abcdef",)),
                                              ("Madonna", ("p:0123456789abcdef",)),
                                              ("Anna Berg", ())])
def test_a_person_with_an_e_mail_phone_or_surname_stays_a_person(person: str,
                                                                 keys: tuple[str, ...]) -> None:
    assert _weak("Hotelgäste", person, keys) == {("org", 7)}


@pytest.mark.parametrize(("org_name", "person"), [("Pensionsgäste", "Gast"),
                                                  ("Ferienwohnungsgäste", "Gast"),
                                                  ("Webclients", "Client")])
def test_an_org_ending_in_its_catch_all_persons_word_is_a_bucket(org_name: str, person: str) -> None:
    assert ("org", 7) in _weak(org_name, person)


@pytest.mark.parametrize("org_name", ["Pensionsgäste", "Gastronomie Müller", "Kundenservice Nord"])
def test_a_real_person_leaves_the_org_as_it_is(org_name: str) -> None:
    assert _weak(org_name, "Anna Berg") == set()
    assert ("org", 7) not in _weak("Gastronomie Müller", "Gast")


def test_a_sale_bucket_at_its_counter_is_a_catch_all() -> None:
    """``Barverkäufe Laden`` (cash sales, the shop's counter): a channel beside a sale word."""
    assert ("org", 7) in _weak("Barverkäufe Laden", "")


def _person(sb: Sandbox, name: str) -> int:
    tpl = dict(sb.state.table("person").rows[1])
    (pid,) = sb.state.load("person", [{k: v for k, v in tpl.items() if k != "id"} | {
        "name": name, "org_id": None, "emails": [], "phones": []}])
    return pid


def test_a_run_does_not_merge_two_guests_of_a_bucket(tmp_path: Path) -> None:
    """Through a sandbox: two guests' ``Zimmerbuchung`` deals at ``Hotelgäste`` with person
    ``Reisender`` (no e-mail, no phone), and at ``Pensionsgäste`` with person ``Gast``, 45
    minutes apart, were one duplicate group each (1.00); now each is review at most and the
    plan's tokens are the server's."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        pairs = []
        for org_name, person in (("Hotelgäste", "Reisender"), ("Pensionsgäste", "Gast")):
            o, p = org(sb, org_name), _person(sb, person)
            pairs.append(frozenset(
                deal(sb, "Zimmerbuchung Doppelzimmer", o, value=120, add=f"2026-11-03T10:{m}:00Z",
                     update=f"2026-11-03T10:{m}:00Z", person_id=p) for m in ("00", "45")))
        before = sb.stats()["tokens_spent"]
        plan = anyio.run(lambda: jobs.plan_dedupe(engine_config(sb, tmp_path / "j"), sb.token,
                                                  tmp_path / "plan"))
        spent = sb.stats()["tokens_spent"] - before
        assert sum(t for _, t in plan.reads.values()) == spent, (plan.reads, spent)
        bands = {frozenset(g.member_ids): (g.band, g.reasons) for g in plan.outcome.result.groups}
        for pair in pairs:
            assert bands.get(pair, ("none",))[0] != "duplicate", bands.get(pair)
