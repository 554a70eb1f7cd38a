"""A group's reasons say each rule once (x35r2 2: groups.csv read ``review at most: added days
apart; review at most: added days apart (deals 1027~1028): --include-review does not merge
it ...`` on every repeat group): the hint that --include-review leaves the group to a person
rides on the weakest pair's own reason, and names the pair only when it is another one."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.evidence import NOT_INCLUDED, not_included
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BASE = DealRecord(id=1027, title="Website relaunch", status="open", value=500.0, currency="EUR",
                  pipeline_id=1, stage_id=1, stage_order=1, owner_id=1, add_time=NOW,
                  update_time=NOW, org_id=5, org_name="Acme GmbH", person_id=6)


def _said_once(reasons: tuple[str, ...], rule: str) -> None:
    assert sum(r.count(rule) for r in reasons) == 1, reasons
    assert all(n == 1 for n in Counter(reasons).values()), reasons


def test_a_repeat_group_says_its_rule_once_with_the_hint() -> None:
    """Two deals of one title 5 days apart: ``review at most: added days apart: --include-review
    does not merge it ...``, one reason; apply still reads it as a rule that holds."""
    deals = [BASE, replace(BASE, id=1028, add_time=NOW + timedelta(days=5))]
    [group] = find_duplicates(deals, DedupeConfig.default()).groups
    assert group.band == "review"
    _said_once(group.reasons, "review at most: added days apart")
    assert f"review at most: added days apart: {NOT_INCLUDED}" in group.reasons
    assert "(deals 1027~1028)" not in "; ".join(group.reasons)
    assert not_included(group.reasons) is not None


def test_a_catch_all_group_says_nothing_ties_once() -> None:
    """Two deals of one title at org ``Privatkunden``: the untied reason once, with the hint."""
    deals = [replace(d, org_name="Privatkunden", person_id=None)
             for d in (BASE, replace(BASE, id=1028, add_time=NOW + timedelta(hours=2)))]
    [group] = find_duplicates(deals, DedupeConfig.default()).groups
    assert group.band == "review"
    _said_once(group.reasons, "the shared org is a catch-all")
    assert any(r.endswith(NOT_INCLUDED) and "catch-all" in r for r in group.reasons), group.reasons
    assert "(deals 1027~1028)" not in "; ".join(group.reasons)
