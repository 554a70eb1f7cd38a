"""A review group at a catch-all org or person is split by the deals' org and person, one
actionable set each, and groups.csv says so (x35r2: one 46-48-deal group mixed several
catch-all persons' deals; a reviewer could neither merge nor keep it apart whole)."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from jobs.dedupe.planfiles import write_plan

CFG = DedupeConfig.default()
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BASE = DealRecord(id=1, title="Küchenmontage", status="open", value=0.0, currency="EUR",
                  pipeline_id=1, stage_id=1, stage_order=1, owner_id=1, add_time=NOW,
                  update_time=NOW, org_id=70, org_name="Privatkunden")


def _account() -> list[DealRecord]:
    """Org ``Privatkunden``: 16 deals of person ``Unbekannt``, 16 of ``Laufkunde``, 14 with
    no person, and one deal each of three named persons: one title, minutes apart."""
    deals: list[DealRecord] = []
    who = [(900, "Unbekannt")] * 16 + [(901, "Laufkunde")] * 16 + [(None, None)] * 14 \
        + [(300 + k, f"Erika Beispiel {k}") for k in range(3)]
    for n, (pid, name) in enumerate(who, start=1):
        deals.append(replace(BASE, id=n, person_id=pid, person_name=name,
                             add_time=NOW + timedelta(minutes=3 * n)))
    return deals


def test_a_catch_alls_review_group_is_one_group_per_org_and_person(tmp_path: Path) -> None:
    """Before: one review group of 49 deals. Now: Unbekannt's 16, Laufkunde's 16, the 14 with
    no person, and the three persons' deals (each alone with theirs): four groups, each
    naming the others in its reasons and in groups.csv."""
    deals = _account()
    result = find_duplicates(deals, CFG)
    groups = {g.id: g for g in result.groups}
    assert sorted(sorted(g.member_ids) for g in groups.values()) == [
        list(range(1, 17)), list(range(17, 33)), list(range(33, 47)), [47, 48, 49]]
    assert all(g.band == "review" for g in groups.values())
    for gid, g in groups.items():
        [said] = [r for r in g.reasons if r.startswith("split from a review group of 49 deals")]
        assert all(other in said for other in groups if other != gid), said
    write_plan(tmp_path, result, {d.id: d for d in deals}, {})
    with open(tmp_path / "groups.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4
    assert all("split from a review group of 49 deals at a catch-all" in r["reasons"] for r in rows)


def test_a_group_of_different_persons_only_stays_whole() -> None:
    """Deals of a catch-all org that share no person with each other (nothing to split by)
    stay one review group, as before (test_dedupe_include_review_untied)."""
    deals = [replace(BASE, id=n, person_id=300 + n, add_time=NOW + timedelta(hours=n))
             for n in range(1, 5)]
    [g] = find_duplicates(deals, CFG).groups
    assert sorted(g.member_ids) == [1, 2, 3, 4] and g.band == "review"
    assert not any(r.startswith("split from") for r in g.reasons)


def test_a_review_group_without_a_catch_all_is_not_split() -> None:
    """A real org's review group (one title days apart, two persons) is left as it is."""
    real = replace(BASE, org_id=10, org_name="Acme GmbH", value=5000.0)
    deals = [replace(real, id=1, person_id=1), replace(real, id=2, person_id=1,
                                                        add_time=NOW + timedelta(days=3)),
             replace(real, id=3, person_id=2, add_time=NOW + timedelta(days=3, hours=1))]
    groups = find_duplicates(deals, CFG).groups
    assert all(not any(r.startswith("split from") for r in g.reasons) for g in groups)
