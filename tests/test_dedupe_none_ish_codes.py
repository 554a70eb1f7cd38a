"""A bare short code that is a word for none somewhere (``NA``, ``NO``, ``SEM``, ``SIN``,
``NIL``, ``KA``, ``INGEN``) is no evidence when equal but, when it differs from the other
deal's id, keeps the pair at review at most; a word is never read as 1-3 letters before a
placeholder (``CONTEST`` is not CON+test); and a plan names every survivor text a PATCH
writes over (x44r8 F2: ``NA`` / ``EU``, ``CONTEST`` / ``PROTEST`` merged unattended at 1.00,
the survivor's code overwritten with no word in ``drops``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.evidence import no_value, placeholder
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord, Group
from jobs.dedupe.planfiles import merge_drops, policy_changes

EXT = "k_ext"
CFG = replace(DedupeConfig.default(), identifier_fields={EXT: "Order ID"})
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ORDER = DealRecord(id=1, title="Nordwind Technik - Spare parts order", status="open",
                   org_id=100, org_name="Nordwind Technik GmbH", person_id=200, value=700.0,
                   currency="EUR", pipeline_id=1, stage_id=1, stage_order=1, owner_id=1,
                   add_time=NOW, update_time=NOW)
GROUP = Group(id="g-1", survivor_id=1, merged_ids=(2,), band="duplicate", score=1.0,
              reasons=(), survivor_reasons=(), differing=())


def _pair(a: object, b: object) -> list[DealRecord]:
    return [replace(ORDER, fields={EXT: a}),
            replace(ORDER, id=2, fields={EXT: b}, add_time=NOW + timedelta(seconds=30),
                    update_time=NOW + timedelta(hours=1))]


@pytest.mark.parametrize(("a", "b"), [
    ("NA", "EU"), ("SEM", "SEO"), ("NO", "SE"), ("NV", "AZ"), ("SIN", "FRA"), ("KA", "KB"),
    ("NB", "NS"), ("ND", "SD"), ("NIL", "EGY"), ("INGEN", "INGE"), ("NA", "PO-4711"),
    ("CONTEST", "PROTEST"), ("SAUNA", "DIANA"), ("USANA", "GRANA"), ("ARENA", "CHINA"),
    ("ABCTEST", "ABCPROD"), ("CANNON", "CANON")])
def test_codes_that_read_as_none_are_never_merged_unattended(a: str, b: str) -> None:
    assert "duplicate" not in [g.band for g in find_duplicates(_pair(a, b), CFG).groups]


@pytest.mark.parametrize("word", ["CONTEST", "PROTEST", "ARENA", "CHINA", "DIANA", "SAUNA",
                                  "USANA", "CANNON", "ABCTEST"])
def test_a_word_is_no_prefix_before_a_placeholder(word: str) -> None:
    assert not placeholder(word.casefold())
    assert not no_value(word)


@pytest.mark.parametrize("text", ["PO-TBD", "PO n/a", "DE000000000", "n/a", "k.A."])
def test_placeholders_with_a_separator_stay_placeholders(text: str) -> None:
    assert no_value(text)


@pytest.mark.parametrize("none", ["n/a", "-", "keine Angabe", "PO-TBD"])
def test_a_plain_placeholder_still_gives_way_to_the_real_id(none: str) -> None:
    assert [g.band for g in find_duplicates(_pair("PO-4711", none), CFG).groups] \
        == ["duplicate"]


@pytest.mark.parametrize("code", ["NA", "SEM", "n/a"])
def test_a_survivor_text_the_policy_writes_over_is_named(code: str) -> None:
    records = {r.id: r for r in _pair(code, "PO-4711")}
    changes = policy_changes(GROUP, records, {EXT: "newest-non-empty"})
    assert changes["custom_fields"][EXT] == "PO-4711"
    drops = merge_drops(GROUP, records, changes)
    assert any(d.startswith(f"{EXT} {code} (deal 1") for d in drops), drops


def test_a_merged_code_read_as_none_is_named_when_lost() -> None:
    records = {r.id: r for r in _pair("PO-4711", "NA")}
    drops = merge_drops(GROUP, records, {})
    assert any(d.startswith(f"{EXT} NA (deal 2)") for d in drops), drops
