"""groups.csv, pairs.csv and review.html name the records a reason names (x: `record
differs: owner 1≠2`, `guard: pipeline 1≠2`, a user-type custom field `7≠9`): users,
pipelines, stages, persons and organizations by their names in the account, as the drops
and review.html do, with the id in brackets where a name does not tell two apart."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bulk.sandbox import Sandbox, SandboxConfig
from bulk.sandbox.fields import custom_field
from jobs.dedupe.reason_names import ReasonNames
from tests.dedupe_job_support import deal, load_apply, org, plan
from tests.update_support import threaded_sandbox

MANAGER = "f" * 40  # a user-type custom field "Account manager"


def _reasons(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [row["reasons"] for row in csv.DictReader(f)]


def _account(sb: Sandbox) -> None:
    sb.state.fields[MANAGER] = custom_field(MANAGER, "Account manager", "user", [])
    users = {u["id"]: u["name"] for u in sb.state.users.values()}
    assert len(set(users.values())) == 3, users
    acme, globex, initech = org(sb, "Acme Corp"), org(sb, "Globex GmbH"), org(sb, "Initech")
    stage2 = next(s["id"] for s in sb.state.stages.values() if s["pipeline_id"] == 2)
    deal(sb, "Website redesign", acme, owner_id=1, add="2026-11-01T10:00:00Z")
    deal(sb, "Website redesign", acme, owner_id=2, add="2026-11-01T10:04:00Z")
    deal(sb, "Cloud migration", globex, pipeline_id=1, add="2026-11-01T10:00:00Z")
    deal(sb, "Cloud migration", globex, pipeline_id=2, stage_id=stage2,
         add="2026-11-01T10:04:00Z")
    deal(sb, "Support renewal", initech, owner_id=1, custom_fields={MANAGER: 1},
         add="2026-11-01T10:00:00Z")
    deal(sb, "Support renewal", initech, owner_id=1, custom_fields={MANAGER: 3},
         add="2026-11-01T10:04:00Z")
    sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})


@pytest.mark.anyio
async def test_plan_files_name_owners_pipelines_and_user_fields(tmp_path: Path) -> None:
    """Owners 1 / 2, pipelines 1 / 2 and an Account manager 1 / 3 are written by name in
    groups.csv, pairs.csv and review.html; no reason keeps their bare ids."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=61)) as sb:
        _account(sb)
        users = {u["id"]: u["name"] for u in sb.state.users.values()}
        pipes = {p["id"]: p["name"] for p in sb.state.pipelines.values()}
        out = await plan(sb, tmp_path, tmp_path / "plan")
    groups = " | ".join(_reasons(out.directory / "groups.csv"))
    pairs = " | ".join(_reasons(out.directory / "pairs.csv"))
    page = (out.directory / "review.html").read_text(encoding="utf-8")
    owner = f"record differs: owner {users[1]}≠{users[2]}"
    manager = f"different Account manager {users[1]}≠{users[3]}"
    pipeline = f"guard: pipeline {pipes[1]}≠{pipes[2]}"
    assert owner in groups and owner in pairs, (groups, pairs)
    assert manager in groups and manager in pairs, (groups, pairs)
    assert pipeline in pairs, pairs
    assert owner in page and manager in page
    for raw in ("owner 1≠2", "pipeline 1≠2", "manager 1≠3"):
        assert raw not in groups + pairs + page, raw
    # what the plan counts by guard reads the reasons as scored: unchanged
    assert out.summary["pairs_held_by"] == {"pipeline": 1}, out.summary["pairs_held_by"]


def test_a_name_that_does_not_tell_two_apart_keeps_the_id() -> None:
    """Two stages `Qualified` (two pipelines), two users of one name, an unknown user:
    the id in brackets; no name known: the reason as scored."""
    names = ReasonNames.of({"k" * 40: "stage"}, {"k" * 40: "Stage at intake"})
    names = names.with_entities({
        "owner": {1: "Anna Berg", 2: "Anna Berg", 3: "Ben Cole"},
        "stage": {4: "Qualified", 9: "Qualified", 5: "Won"}})
    assert names("record differs: owner 1≠2") == \
        "record differs: owner Anna Berg [1]≠Anna Berg [2]"
    assert names("record differs: owner 3≠7") == "record differs: owner Ben Cole≠[7]"
    assert names("different Stage at intake 4≠5") == \
        "different Stage at intake Qualified [4]≠Won"
    assert names("record differs: owner 7≠8") == "record differs: owner 7≠8"
    assert names("different Products of interest CRM≠Analytics") == \
        "different Products of interest CRM≠Analytics"


def test_two_options_of_one_label_keep_their_ids() -> None:
    """An option field whose two options share a label: `Gold [3]≠Gold [4]`, not
    `Gold≠Gold`; a label of its own stays bare."""
    from jobs.dedupe.evidence import category_conflicts
    from jobs.dedupe.model import DealRecord

    key = "t" * 40
    a = DealRecord(id=1, title="x", status="open", fields={key: 3})
    b = DealRecord(id=2, title="x", status="open", fields={key: 4})
    c = DealRecord(id=3, title="x", status="open", fields={key: 5})
    labels = {key: {3: "Gold", 4: "gold", 5: "Silver"}}
    assert category_conflicts(a, b, {key: "Tier"}, labels) == ["different Tier Gold [3]≠gold [4]"]
    assert category_conflicts(a, c, {key: "Tier"}, labels) == ["different Tier Gold [3]≠Silver"]


RELATED = "d" * 40  # a deal-type custom field "Related deal"


@pytest.mark.anyio
async def test_a_deal_field_is_named_by_the_deals_titles(tmp_path: Path) -> None:
    """A deal-type custom field's two deals (`different Related deal 5≠6` before) are
    written by their titles, read with the plan's deals (no call)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=62)) as sb:
        sb.state.fields[RELATED] = custom_field(RELATED, "Related deal", "deal", [])
        initech = org(sb, "Initech")
        m25 = deal(sb, "Master contract 2025", None, add="2025-01-01T10:00:00Z")
        m26 = deal(sb, "Frame agreement 2026", None, add="2026-01-01T10:00:00Z")
        for related, add in ((m25, "2026-11-01T10:00:00Z"), (m26, "2026-11-01T10:04:00Z")):
            deal(sb, "Support renewal", initech, custom_fields={RELATED: related}, add=add)
        sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
        out = await plan(sb, tmp_path, tmp_path / "plan")
    pairs = " | ".join(_reasons(out.directory / "pairs.csv"))
    assert "different Related deal Master contract 2025≠Frame agreement 2026" in pairs, pairs
    assert f"{m25}≠{m26}" not in pairs, pairs


def _join_two_groups(path: Path) -> None:
    """A reviewer's edit: the second group's deals added to the first, decision = merge."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2, rows
    rows[0]["decision"] = "merge"
    rows[0]["merged_ids"] += f";{rows[1]['survivor_id']};{rows[1]['merged_ids']}"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows[:1])


@pytest.mark.anyio
async def test_apply_names_the_pipelines_of_a_refused_decision(tmp_path: Path) -> None:
    """A reviewer joins a pair of pipeline Partnerships to a group of pipeline Sales,
    decision = merge: apply refuses it by the guard, naming the pipelines as the plan's
    files do (`guard: pipeline 1≠2` before)."""
    from jobs.dedupe.apply import REFUSED

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=63)) as sb:
        pipes = {p["id"]: p["name"] for p in sb.state.pipelines.values()}
        stage2 = next(s["id"] for s in sb.state.stages.values() if s["pipeline_id"] == 2)
        acme, globex = org(sb, "Acme Corp"), org(sb, "Globex GmbH")
        deal(sb, "Website redesign", acme, pipeline_id=1, add="2026-11-01T10:00:00Z")
        deal(sb, "Website redesign", acme, pipeline_id=1, add="2026-11-01T10:04:00Z")
        deal(sb, "Data warehouse", globex, pipeline_id=2, stage_id=stage2,
             add="2026-11-01T10:00:00Z")
        deal(sb, "Data warehouse", globex, pipeline_id=2, stage_id=stage2,
             add="2026-11-01T10:04:00Z")
        sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
        out = await plan(sb, tmp_path, tmp_path / "plan")
        _join_two_groups(out.directory / "groups.csv")
        store, prep = await load_apply(sb, tmp_path, out.directory)
        store.close()
    (refused,) = prep.meta[REFUSED]
    assert f"guard: pipeline {pipes[1]}≠{pipes[2]}" in refused["reason"], refused
