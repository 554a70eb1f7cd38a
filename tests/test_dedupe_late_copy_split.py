"""A late copy (added 2-20 days after the first deal, within 2 days of a second copy) no
longer drags its group to review: the group's copies alike pair by pair are merged, and
only the late one waits, left out with a reason that names it (the bench: 6 such groups on
seed 12, their same-day pairs at review). A group held at review by anything but the
repeat rule (two persons, two legal entities...) stays whole."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord

CFG = DedupeConfig.default()
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
B = DealRecord(id=1, title="Firewall renewal", status="open", org_id=10, org_name="Kello B.V.",
               person_id=5, value=30200.0, currency="EUR", pipeline_id=1, stage_id=1,
               stage_order=1, owner_id=1, add_time=T0, update_time=T0)


def test_the_late_copy_waits_and_the_others_merge() -> None:
    deals = [B, replace(B, id=2, add_time=T0 + timedelta(hours=27)),
             replace(B, id=3, add_time=T0 + timedelta(hours=63))]  # 63 h after 1, 36 after 2
    result = find_duplicates(deals, CFG)
    [g] = result.groups
    assert g.band == "duplicate", g
    assert set(g.member_ids) == {1, 2}, g
    assert any("deal 3 left out" in r and "added days apart" in r for r in g.reasons), g.reasons


def test_the_latest_added_waits_whatever_its_id() -> None:
    """The late copy holds the lowest id: it is still the one left out."""
    deals = [replace(B, add_time=T0 + timedelta(hours=63)),
             replace(B, id=2), replace(B, id=3, add_time=T0 + timedelta(hours=27))]
    [g] = find_duplicates(deals, CFG).groups
    assert g.band == "duplicate" and set(g.member_ids) == {2, 3}, g
    assert any(r.startswith("deal 1 left out: added days apart from deal 2") for r in g.reasons)


def test_a_group_held_by_another_rule_stays_whole_at_review() -> None:
    """The third deal at another person as well as days later: not only its timing."""
    deals = [B, replace(B, id=2, add_time=T0 + timedelta(hours=27)),
             replace(B, id=3, person_id=6, value=9900.0, add_time=T0 + timedelta(hours=63))]
    groups = find_duplicates(deals, CFG).groups
    assert not any(g.band == "duplicate" and 3 in g.member_ids for g in groups), groups
