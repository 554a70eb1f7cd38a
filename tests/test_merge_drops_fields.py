"""A merge's ``drops`` and a group's ``differing`` cover every deal field a merge can lose
(x18r1 2: labels and probability went without a word, the plan's lists were a hand list of
fields): every field of the sandbox's deal model is either a system field (ids, times,
counters, merge bookkeeping) or named when a merged-away deal holds another non-empty
value than the survivor ends with. A field added to the deal model fails this test until
it is classified."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.fields import STANDARD_DEAL_FIELDS
from jobs.dedupe.matching import differing
from jobs.dedupe.model import Group
from jobs.dedupe.planfiles import STANDARD_LABELS, merge_drops
from jobs.dedupe.records import to_record
from tests.dedupe_job_support import deal, plan, seed_account

# fields a merge loses that the plan reports another way: a copy's title differs by
# definition (not a loss), a merged deal's status is named as "status won (deal N)", a
# currency is a guard (a dedupe never groups two currencies; `pdbulk merge` names it)
REPORTED_APART = {"title", "currency"}


def _values(name: str, sample: object) -> tuple[object, object]:
    """Two different non-empty values of field ``name`` (``sample``: its value in a deal)."""
    if name == "status":
        return "open", "won"
    if name.endswith("_date"):
        return "2026-01-01", "2026-02-01"
    if isinstance(sample, list):
        return [11], [12]
    if isinstance(sample, str) and not sample.isdigit():
        return "first value", "second value"
    return 11, 12


def _label(name: str) -> str:
    """How the drops name a standard field (x24r4 2: by its label, never its API key)."""
    return STANDARD_LABELS.get(name) or name.replace("_", " ")


@pytest.mark.anyio
async def test_every_deal_field_is_system_or_named_when_a_merge_drops_it() -> None:
    from jobs.dedupe.records import merge_losable

    async with serve(SandboxConfig(deals=2, seed=7)) as sb:
        row = dict(sb.state.deals.rows[1])
    names = sorted(({code for code, *_ in STANDARD_DEAL_FIELDS} | set(row))
                   - {"custom_fields"} - REPORTED_APART)
    missed = []
    for name in names:
        if not merge_losable(name):
            continue
        kept, lost = _values(name, row.get(name))
        survivor = to_record({**row, "id": 1, name: kept}, stage_order={}, org_names={})
        away = to_record({**row, "id": 2, name: lost}, stage_order={}, org_names={})
        drops = merge_drops(Group("g-1", 1, (2,), "duplicate", 1.0, (), (), ()),
                            {1: survivor, 2: away}, {})
        if not any(d.startswith(f"{_label(name)} ") and d.endswith("(deal 2)") for d in drops) \
                or name not in differing([survivor, away]):
            missed.append(name)
    assert not missed, f"fields a merge loses without the plan saying so: {missed}"
    # the system ones stay few and are what they say: ids, times, counters, bookkeeping
    system = {n for n in names if not merge_losable(n)}
    assert {"label_ids", "probability", "visible_to", "lost_reason"}.isdisjoint(system)
    assert system <= {"id", "creator_user_id", "add_time", "update_time", "stage_change_time",
                      "close_time", "won_time", "lost_time", "archive_time", "is_deleted",
                      "is_archived", "origin", "origin_id"}, system


def test_same_labels_in_another_order_are_no_drop() -> None:
    base: dict[str, Any] = {"title": "T", "status": "open", "label_ids": [1, 2]}
    a = to_record({**base, "id": 1}, stage_order={}, org_names={})
    b = to_record({**base, "id": 2, "label_ids": [2, 1]}, stage_order={}, org_names={})
    assert merge_drops(Group("g-1", 1, (2,), "duplicate", 1.0, (), (), ()), {1: a, 2: b},
                       {}) == []


def test_a_title_the_survivor_does_not_keep_is_named_unless_case_or_spacing() -> None:
    """x19r2 4a: the survivor kept its misspelt title and the merged deal's right one was
    lost unnamed; a title differing only in case or spacing is no drop."""
    base: dict[str, Any] = {"status": "open"}
    a = to_record({**base, "id": 1, "title": "Webiste redesign"}, stage_order={}, org_names={})
    b = to_record({**base, "id": 2, "title": "Website redesign"}, stage_order={}, org_names={})
    c = to_record({**base, "id": 3, "title": " webiste  REDESIGN"}, stage_order={},
                  org_names={})
    group = Group("g-1", 1, (2, 3), "duplicate", 1.0, (), (), ())
    assert merge_drops(group, {1: a, 2: b, 3: c}, {}) == ["title 'Website redesign' (deal 2)"]


@pytest.mark.anyio
async def test_the_plan_names_a_dropped_label_and_probability(tmp_path: Path) -> None:
    """Two copies, same org and value: labels [1] / [2] and probability 20 / 80. groups.csv
    names both in ``differing`` and ``drops`` (they used to be empty)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=40)) as sb:
        org_id = seed_account(sb)["orgs"]["initech"]
        a = deal(sb, "Fleet leasing", org_id, value=700, add="2026-11-03T10:00:00Z",
                 label_ids=[1], probability=20)
        b = deal(sb, "Fleet leasing", org_id, value=700, add="2026-11-03T10:02:00Z",
                 label_ids=[2], probability=80)
        await plan(sb, tmp_path, tmp_path / "p1")
        text = (tmp_path / "p1" / "groups.csv").read_text(encoding="utf-8")
        (row,) = [r for r in csv.DictReader(text.splitlines()) if {a, b} == {
            int(r["survivor_id"]), *map(int, r["merged_ids"].split(";"))}]
        merged = int(row["merged_ids"])
        assert {"label_ids", "probability"} <= set(row["differing"].split("; ")), row
        assert f"probability {80 if merged == b else 20} (deal {merged})" in row["drops"], row
        assert f"(deal {merged})" in row["drops"] and "labels" in row["drops"], row


@pytest.mark.anyio
@pytest.mark.parametrize("survivor_status", ["open", "lost"])
async def test_drops_name_exactly_what_the_sandbox_merge_leaves_in_no_live_deal(
        survivor_status: str) -> None:
    """x18r4 1: the survivor's empty field was taken as filled by the merge for every field,
    but a merge fills only some (a lost reason only into a lost survivor): for each field a
    merge can lose, a survivor without a value and a merged deal with one, ``drops`` names
    the value exactly when the sandbox's merge leaves it out of the survivor."""
    from bulk.sandbox.merge import _combine
    from jobs.dedupe.records import merge_losable

    async with serve(SandboxConfig(deals=2, seed=7)) as sb:
        row = dict(sb.state.deals.rows[1])
        names = sorted(({code for code, *_ in STANDARD_DEAL_FIELDS} | set(row))
                       - {"custom_fields", "status"} - REPORTED_APART)
        wrong = []
        for name in (n for n in names if merge_losable(n)):
            _, lost = _values(name, row.get(name))
            empty: object = [] if isinstance(lost, list) else None
            base = {k: v for k, v in row.items() if k != "id"} | {"is_deleted": False}
            s_id, m_id = sb.state.load("deal", [
                {**base, "status": survivor_status, name: empty},
                {**base, "status": "lost", name: lost}])
            records = {i: to_record(dict(sb.state.deals.rows[i]), stage_order={},
                                    org_names={}) for i in (s_id, m_id)}
            drops = merge_drops(Group(f"g-{s_id}", s_id, (m_id,), "duplicate", 1.0, (), (),
                                      ()), records, {})
            named = any(d.startswith(f"{_label(name)} ") and d.endswith(f"(deal {m_id})")
                        for d in drops)
            rows = sb.state.deals.rows
            kept = _combine(sb.state, "deal", rows[s_id], rows[m_id]).get(name) == lost
            if named == kept:
                wrong.append((name, "named" if named else "not named", "kept" if kept
                              else "lost"))
    assert not wrong, f"drops disagree with the sandbox's merge: {wrong}"


@pytest.mark.anyio
async def test_a_lost_deal_merged_into_an_open_one_names_its_lost_reason(
        tmp_path: Path) -> None:
    """x18r4 1 repro: a lost copy ("Too expensive") and an open one; the open one survives
    and the plan's drops name the lost reason, which the merge leaves in no live deal."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=40)) as sb:
        org_id = seed_account(sb)["orgs"]["initech"]
        lost = deal(sb, "Pendant lost book deal", org_id, value=700,
                    add="2026-11-03T10:00:00Z", status="lost", lost_reason="Too expensive")
        open_ = deal(sb, "Pendant lost book deal", org_id, value=700,
                     add="2026-11-03T10:02:00Z")
        await plan(sb, tmp_path, tmp_path / "p1")
        text = (tmp_path / "p1" / "groups.csv").read_text(encoding="utf-8")
        (row,) = [r for r in csv.DictReader(text.splitlines())
                  if int(r["survivor_id"]) in (lost, open_)]
        assert (int(row["survivor_id"]), row["merged_ids"]) == (open_, str(lost)), row
        assert f"lost reason Too expensive (deal {lost})" in row["drops"], row
        assert f"status lost (deal {lost})" in row["drops"], row
