"""The "the merge drops" notes of apply / run name fields by their labels and ids by their
kind (x24r4 2: ``owner_id 1``, ``org_id 1000``, ``expected_close_date …`` while
groups.csv / review.html said ``owner Maria Jensen``), never with a call of their own."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.dedupe.apply import ApplyOptions
from jobs.dedupe.model import DealRecord, Group
from jobs.dedupe.planfiles import merge_drops
from tests.dedupe_job_support import deal, load_apply, plan, seed_account

T = datetime(2026, 1, 5, tzinfo=UTC)
GROUP = Group("g-1", 1, (2,), "duplicate", 0.9, (), (), ())


def _pair() -> dict[int, DealRecord]:
    """A survivor with everything set, and a merged deal that differs in each (as apply's
    fresh records are: read from the deals list, no names of owners or organizations)."""
    survivor = DealRecord(id=1, title="Fleet", status="open", value=100.0, currency="EUR",
                          owner_id=1, org_id=1000, person_id=2000, stage_id=1, pipeline_id=1,
                          expected_close_date=date(2026, 3, 1), add_time=T, update_time=T,
                          more={"probability": 50, "lost_reason": None},
                          fields={"a" * 40: "keep"})
    merged = DealRecord(id=2, title="Fleet", status="open", value=100.0, currency="EUR",
                        owner_id=2, org_id=1001, person_id=2020, stage_id=1, pipeline_id=1,
                        expected_close_date=date(2026, 4, 1), add_time=T, update_time=T,
                        more={"probability": 80}, fields={"a" * 40: "other"})
    return {1: survivor, 2: merged}


def test_apply_s_drops_name_standard_fields_by_label_and_ids_by_kind() -> None:
    """Without names (apply reads fresh deals): ``owner 2``, ``organization 1001``,
    ``person 2020``, ``expected close date …``, ``probability 80``; no raw key is shown;
    a custom field keeps its name from the plan's catalog (``field_names``)."""
    drops = merge_drops(GROUP, _pair(), {}, {"a" * 40: "PO number"})
    text = "; ".join(drops)
    for raw in ("owner_id", "org_id", "person_id", "expected_close_date", "_"):
        assert raw not in text, drops
    assert "owner 2 (deal 2)" in drops and "organization 1001 (deal 2)" in drops
    assert "person 2020 (deal 2)" in drops and "probability 80 (deal 2)" in drops
    assert "expected close date 2026-04-01 (deal 2)" in drops, drops
    assert "PO number other (deal 2)" in drops, drops


def test_an_organization_named_in_the_plan_is_named_in_apply_s_drops() -> None:
    """The plan's snapshots hold organization names: apply passes them (``entities``) and
    the note says ``organization Nordwind Logistik GmbH``, as groups.csv does."""
    drops = merge_drops(GROUP, _pair(), {},
                        entities={"organization": {1001: "Nordwind Logistik GmbH"},
                                  "owner": {2: "Maria Jensen"}})
    assert "organization Nordwind Logistik GmbH (deal 2)" in drops, drops
    assert "owner Maria Jensen (deal 2)" in drops, drops


@pytest.mark.anyio
async def test_apply_names_what_a_merge_drops_as_groups_csv_does(tmp_path: Path) -> None:
    """x26r1 3: apply's note said ``stage 1 (deal 10016)``, ``owner 1`` while groups.csv said
    ``stage Qualified``, ``owner Maria Jensen``: the plan keeps the names it wrote (stages,
    owners, persons, organizations, option labels) and apply names every drop by them."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=40)) as sb:
        field = next(f for f in sb.state.custom_fields()
                     if f["field_name"] == "Products of interest")
        key, labels = field["field_code"], {o["id"]: o["label"] for o in field["options"]}
        one, two = sorted(labels)[:2]
        stages = sorted(sb.state.stages.values(), key=lambda s: (s["pipeline_id"], s["order_nr"]))
        users = sorted(sb.state.users.values(), key=lambda u: u["id"])
        org_id = seed_account(sb)["orgs"]["initech"]
        a = deal(sb, "Rahmenvertrag 2", org_id, value=5000, add="2026-11-03T10:00:00Z",
                 stage_id=stages[1]["id"], pipeline_id=stages[1]["pipeline_id"],
                 owner_id=users[0]["id"], custom_fields={key: [one]})
        b = deal(sb, "Rahmenvertrag 2", org_id, value=5000, add="2026-11-03T10:04:00Z",
                 stage_id=stages[0]["id"], pipeline_id=stages[0]["pipeline_id"],
                 owner_id=users[1]["id"], custom_fields={key: [two]})
        await plan(sb, tmp_path, tmp_path / "p1")
        path = tmp_path / "p1" / "groups.csv"
        rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
        row = next(r for r in rows
                   if {a, b} <= {int(r["survivor_id"]), *map(int, r["merged_ids"].split(";"))})
        # two categories: review at most, which --include-review leaves (x34r2 F3)
        row["decision"] = "merge"
        with open(path, "w", newline="", encoding="utf-8") as f:  # noqa: ASYNC230 (test setup)
            w = csv.DictWriter(f, fieldnames=list(row))
            w.writeheader()
            w.writerows(rows)
        store, prep = await load_apply(sb, tmp_path, tmp_path / "p1", ApplyOptions())
        store.close()
        merged = int(row["merged_ids"])
        notes = [n for n in prep.notes if "the merge drops" in n and f"(deal {merged})" in n]
        assert len(notes) == 1, prep.notes
        lost = sb.state.deals.rows[merged]
        stage = sb.state.stages[lost["stage_id"]]["name"]
        owner = sb.state.users[lost["owner_id"]]["name"]
        option = labels[lost["custom_fields"][key][0]]
        for shown in (f"stage {stage} (deal {merged})", f"owner {owner} (deal {merged})",
                      f"Products of interest {option} (deal {merged})"):
            assert shown in row["drops"], row["drops"]
            assert shown in notes[0], notes[0]
