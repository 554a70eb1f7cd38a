"""A reviewer's decisions written in a nightly run's groups.csv are taken by the next night:
keep-separate recorded at once, merge carried into the night's plan (and merged) when its
deals did not change, else named with the `dedupe apply` command; never called "undecided";
retention keeps a folder whose decisions nothing took (x42r2 F1: every later night said
"undecided", and the tenth removed the folder, decisions and all, without a word)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import anyio
import orjson
from typer.testing import CliRunner

import jobs
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.dedupe.earlier_decisions import pending, taken
from jobs.dedupe.index import load_keep_separate
from jobs.dedupe.retention import prune_plans, run_plans
from pdbulk.cli import app
from tests.dedupe_job_support import deal, org
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox
from tests.update_support import cli_args
from tests.update_support import deal as sb_deal

DAY = ("2026-10-01T09:00:00Z", "2026-10-01T09:20:00Z")


def _seed(sb: Sandbox) -> dict[str, tuple[int, int]]:
    """Two review groups (a customer's name mistyped in one title)."""
    sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
    kello, brio = org(sb, "Kello B.V."), org(sb, "Brightline Oy")
    return {"linz": (deal(sb, "Rollout Linz", kello, value=5000, add=DAY[0], update=DAY[0]),
                     deal(sb, "Rollout Lienz", kello, value=5000, add=DAY[1], update=DAY[1])),
            "crm": (deal(sb, "CRM roll-out Oulu", brio, value=900, add=DAY[0], update=DAY[0]),
                    deal(sb, "CRM roll-out Oulo", brio, value=900, add=DAY[1], update=DAY[1]))}


def _first_night(sb: Sandbox, jobs_dir: Path
                 ) -> tuple[dict[str, tuple[int, int]], list[str], dict[str, str], CliRunner,
                            list[str], Path]:
    """The account seeded (``_seed``) and a first ``dedupe run --since-last --json`` (exit
    0): (ids, the engine's CLI args, the env with the token, the runner, the night's
    command, the plan folder it wrote)."""
    ids = _seed(sb)
    args = cli_args(sb, jobs_dir)
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
    runner = CliRunner()
    night = ["dedupe", "run", "--since-last", "--json", *args]
    first = runner.invoke(app, night, env=env)
    assert first.exit_code == 0, first.output
    return ids, args, env, runner, night, Path(orjson.loads(first.stdout)["plan_dir"])


def _decide(plan_dir: Path, decisions: dict[frozenset[int], str]) -> None:
    """Write decisions into groups.csv as a reviewer does (by the group's deals)."""
    with (plan_dir / "groups.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        ids = frozenset({int(r["survivor_id"]), *(int(i) for i in r["merged_ids"].split(";"))})
        r["decision"] = decisions.get(ids, "")
    with (plan_dir / "groups.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _members(plan_dir: Path) -> list[set[int]]:
    with (plan_dir / "groups.csv").open(encoding="utf-8") as f:
        return [{int(g["survivor_id"]), *(int(i) for i in g["merged_ids"].split(";") if i)}
                for g in csv.DictReader(f)]


def test_the_next_night_takes_the_decisions_of_an_earlier_nights_groups_csv(
        tmp_path: Path) -> None:
    """Night 1 proposes two review groups; the reviewer writes keep-separate on one and
    merge on the other in that night's groups.csv. Night 2 records the keep-separate, merges
    the decided group (its deals unchanged), calls neither undecided; night 3 proposes
    nothing and says nothing of them; `pdbulk plan dedupe` before night 2 priced its merge."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=44)) as sb:
        ids = _seed(sb)
        cfg = engine_config(sb, tmp_path / "j")
        state = tmp_path / "j" / "dedupe-state"
        first = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        assert sorted(map(sorted, _members(first.plan_dir))) == sorted(
            map(sorted, ids.values())), first.lines
        _decide(first.plan_dir, {frozenset(ids["linz"]): "keep-separate",
                                 frozenset(ids["crm"]): "merge"})
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        cost = CliRunner().invoke(app, ["plan", "dedupe", "--since-last", "--json",
                                        *cli_args(sb, tmp_path / "j")], env=env)
        assert cost.exit_code == 0, cost.output
        priced = orjson.loads(cost.stdout)
        assert priced["tokens_by_operation"].get("mergeDeals") == 40, priced
        assert "decision = merge carried into this plan's group" in cost.stderr, cost.stderr
        second = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        assert second.tokens == priced["tokens"], (second.tokens, priced)  # plan = run
        assert not any("undecided" in line for line in second.lines), second.lines
        assert frozenset(ids["linz"]) in load_keep_separate(state), second.lines
        assert second.merged == 1, second.lines
        assert sum(sb_deal(sb, i)["is_deleted"] for i in ids["crm"]) == 1
        assert not any(sb_deal(sb, i)["is_deleted"] for i in ids["linz"])
        assert any("carried into this plan's group" in line for line in second.lines)
        assert pending(run_plans(state / "plans")).decided == []  # all taken
        third = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        assert _members(third.plan_dir) == [], third.lines
        assert not any("undecided" in line or "groups.csv" in line
                       for line in third.lines), third.lines


def test_a_merge_decision_on_changed_deals_is_named_and_its_folder_kept(
        tmp_path: Path) -> None:
    """A merge decision whose deals changed since its plan is not carried: each night names
    it with the newest plan's group to decide it again in (x42r6 F4: not its own folder's
    apply, which refuses it), retention keeps its folder past the newest plans and says so;
    an apply of that folder refuses it and leaves it untaken (x52r9 F3), so the folder stays
    until a night settles it (a deal of it gone), then retention removes it."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=45)) as sb:
        ids = _seed(sb)
        cfg = engine_config(sb, tmp_path / "j")
        state = tmp_path / "j" / "dedupe-state"
        first = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        _decide(first.plan_dir, {frozenset(ids["crm"]): "merge"})
        a = ids["crm"][0]
        sb.state.save("deal", {**sb_deal(sb, a), "value": 950,
                               "update_time": sb.state.now_iso()})
        second = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        assert second.merged == 0, second.lines
        named = [line for line in second.lines if "decision = merge not taken" in line]
        assert named and f"deal {a} changed since that plan" in named[0], second.lines
        assert f"{second.plan_dir / 'groups.csv'}, group g-{min(ids['crm'])}" in named[0]
        said: list[str] = []
        gone = prune_plans(state / "plans", cfg.job_root, keep=1, say=said.append)
        assert gone == [] and first.plan_dir.is_dir(), said
        assert said and str(first.plan_dir) in said[0] and "kept past the newest 1" in said[0]
        applied = anyio.run(lambda: jobs.apply_dedupe(cfg, sb.token, first.plan_dir,
                                                      confirm=None))
        assert applied.refused_decisions == 1  # changed since its plan: refused, named
        # refused, not taken (x52r9 F3): the folder stays for it until something settles it
        assert prune_plans(state / "plans", cfg.job_root, keep=1) == []
        sb.state.save("deal", {**sb_deal(sb, a), "is_deleted": True})  # never takeable now
        third = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        assert any("can never be taken" in line for line in third.lines), third.lines
        assert first.plan_dir in prune_plans(state / "plans", cfg.job_root, keep=1)


def _folder(plans: Path, name: str, decision: str, carried_from: Path | None = None,
            named: bool = False) -> Path:
    """A run's plan folder holding one group of deals 11 and 12 with ``decision``
    (``named``: its plan named an earlier decision on them as not taken)."""
    folder = plans / name
    folder.mkdir(parents=True)
    (folder / "groups.csv").write_text(
        "group_id,decision,band,score,survivor_id,merged_ids\n"
        f"g-11,{decision},review,0.800,11,12\n", encoding="utf-8")
    carried = [] if carried_from is None else [
        {"group_id": "g-11", "from": str(carried_from), "origin_group": "g-11", "row": 1,
         "decision": decision}]
    (folder / "summary.json").write_bytes(orjson.dumps(
        {"carried_decisions": carried, **({"decisions_named": [[11, 12]]} if named else {})}))
    return folder


def test_a_decision_carried_twice_is_taken_back_to_the_folder_a_person_wrote_it_in(
        tmp_path: Path) -> None:
    """A merge written in night 1's folder, carried into night 2's plan (whose run stopped
    before it went ahead) and from there into night 3's: night 3's go-ahead takes it in all
    three folders, so no later night names it again and retention may remove them; a
    decision nothing took is pending, once, by the newest folder holding it."""
    from jobs.dedupe.earlier_decisions import mark_plan_taken

    plans = tmp_path / "plans"
    one = _folder(plans, "20261201T020000.000Z", "merge")
    two = _folder(plans, "20261202T020000.000Z", "merge", carried_from=one)
    three = _folder(plans, "20261203T020000.000Z", "merge", carried_from=two)
    waiting = pending(run_plans(plans), skip=three)
    assert [(d.plan, d.group.id) for d in waiting.decided] == [(two, "g-11")]
    mark_plan_taken(three)
    assert pending(run_plans(plans)).decided == []
    assert prune_plans(plans, tmp_path / "jobs", keep=0) == [three, two, one]


def test_a_group_decided_again_in_a_later_folder_is_taken_in_both(tmp_path: Path) -> None:
    """A reviewer wrote merge on the same deals in night 1's and night 2's folder (the group
    was proposed again): taking night 2's takes night 1's too, else night 1's would come back
    the night after, named as not taken though its deals are merged; so does a keep-separate
    a run records."""
    from jobs.dedupe.earlier_decisions import mark_plan_taken, record_kept

    plans = tmp_path / "state" / "plans"
    one = _folder(plans, "20261201T020000.000Z", "merge")
    two = _folder(plans, "20261202T020000.000Z", "merge")
    assert [d.plan for d in pending(run_plans(plans)).decided] == [two]
    mark_plan_taken(two, plans)
    assert pending(run_plans(plans)).decided == [], one
    three = _folder(plans, "20261203T020000.000Z", "keep-separate")
    four = _folder(plans, "20261204T020000.000Z", "keep-separate")
    waiting = pending(run_plans(plans))
    assert [d.plan for d in waiting.decided] == [four]
    assert record_kept(waiting, tmp_path / "state", {11, 12}) == (1, 0)
    assert pending(run_plans(plans)).decided == [], three


def test_a_later_decision_on_the_same_deals_replaces_an_earlier_one(tmp_path: Path) -> None:
    """Night 1's merge was not taken (its deals changed; night 2 named it); the reviewer kept
    the group apart in night 2's folder instead, as the line advised: the run that records
    it takes night 1's merge too, which is never named again; an explicit apply of an older
    folder takes no newer decision."""
    from jobs.dedupe.earlier_decisions import mark_plan_taken, record_kept

    plans = tmp_path / "state" / "plans"
    _folder(plans, "20261201T020000.000Z", "merge")
    _folder(plans, "20261202T020000.000Z", "keep-separate", named=True)
    waiting = pending(run_plans(plans))
    assert [d.group.decision for d in waiting.decided] == ["keep-separate"]
    record_kept(waiting, tmp_path / "state", {11, 12})
    assert pending(run_plans(plans)).decided == []
    old = _folder(plans, "20261203T020000.000Z", "merge")
    new = _folder(plans, "20261204T020000.000Z", "keep-separate", named=True)
    mark_plan_taken(old, plans)
    assert [d.plan for d in pending(run_plans(plans)).decided] == [new]


def test_a_keep_separate_and_a_later_merge_on_the_same_deals_take_neither(
        tmp_path: Path) -> None:
    """x42r6 F3: keep-separate written in night 1's groups.csv, merge on the same deals in
    night 2's: night 3 merged them (merges are final), the keep-separate unmentioned and the
    overridden one listed as taken. Now night 3 keeps them apart (review band, no decision),
    names the conflict with both folders and the newest plan's group, takes neither; a
    decision written in night 3's groups.csv settles it and night 4 takes it."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=46)) as sb:
        ids = _seed(sb)
        cfg = engine_config(sb, tmp_path / "j")
        state = tmp_path / "j" / "dedupe-state"
        first = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        second = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        crm = frozenset(ids["crm"])
        assert crm in map(frozenset, _members(second.plan_dir)), second.lines
        _decide(first.plan_dir, {crm: "keep-separate"})
        _decide(second.plan_dir, {crm: "merge", frozenset(ids["linz"]): "keep-separate"})
        third = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        assert third.merged == 0, third.lines
        assert not any(sb_deal(sb, i)["is_deleted"] for i in ids["crm"])
        assert crm not in load_keep_separate(state), third.lines
        said = [line for line in third.lines if "disagree on deals" in line]
        assert len(said) == 1, third.lines
        assert str(first.plan_dir) in said[0] and str(second.plan_dir) in said[0], said
        assert f"{third.plan_dir / 'groups.csv'}, group g-{min(crm)}" in said[0], said
        assert not any("undecided" in line for line in third.lines), third.lines
        for folder in (first.plan_dir, second.plan_dir):  # neither marked taken
            assert not any(set(m) & crm for *_, m in taken(folder)), taken(folder)
        with (third.plan_dir / "groups.csv").open(encoding="utf-8") as f:
            row = next(r for r in csv.DictReader(f) if int(r["survivor_id"]) in crm)
        assert (row["band"], row["decision"]) == ("review", ""), row
        _decide(third.plan_dir, {crm: "merge"})  # settled where the line said
        fourth = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        assert fourth.merged == 1, fourth.lines
        assert not any("disagree" in line for line in fourth.lines), fourth.lines
        assert pending(run_plans(state / "plans")).decided == []
        assert pending(run_plans(state / "plans")).conflicts == []


def test_decisions_that_disagree_across_folders_are_a_conflict(tmp_path: Path) -> None:
    """A merge against a keep-separate (either order) or two merges naming different
    survivors, none written in a plan that named the other: neither pending, a conflict;
    the same decision twice counts once, by the newest folder."""
    plans = tmp_path / "state" / "plans"
    _folder(plans, "20261201T020000.000Z", "merge")
    two = _folder(plans, "20261202T020000.000Z", "keep-separate")
    waiting = pending(run_plans(plans))
    assert waiting.decided == [] and [(c.newer.plan, c.older.group.decision)
                                      for c in waiting.conflicts] == [(two, "merge")]
    assert waiting.deals() == {11, 12}  # decided: never "undecided"
    other = tmp_path / "other" / "plans"
    _folder(other, "20261201T020000.000Z", "merge")
    swapped = _folder(other, "20261202T020000.000Z", "merge")
    (swapped / "groups.csv").write_text(
        "group_id,decision,band,score,survivor_id,merged_ids\n"
        "g-11,merge,review,0.800,12,11\n", encoding="utf-8")
    assert len(pending(run_plans(other)).conflicts) == 1
    (swapped / "summary.json").write_bytes(orjson.dumps({"decisions_named": [[11, 12]]}))
    settled = pending(run_plans(other))  # written where a plan named the older one
    assert settled.conflicts == [] and [d.plan for d in settled.decided] == [swapped]


def test_a_merge_on_changed_deals_is_named_for_the_newest_plan_never_undecided(
        tmp_path: Path) -> None:
    """x42r6 F4: a merge decision whose deals changed since its plan was named with `dedupe
    apply OLD` "judged against the deals as they are now", which refuses it again (changed
    since the plan), and its group was counted "proposed again, undecided". Now each night
    says to decide it again in the newest plan (its groups.csv, the group id there), and
    counts it decided, not taken."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=47)) as sb:
        ids = _seed(sb)
        cfg = engine_config(sb, tmp_path / "j")
        first = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        _decide(first.plan_dir, {frozenset(ids["crm"]): "merge",
                                 frozenset(ids["linz"]): "keep-separate"})
        a = ids["crm"][0]
        sb.state.save("deal", {**sb_deal(sb, a), "value": 950,
                               "update_time": sb.state.now_iso()})
        for night in range(2):
            run = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
            assert run.merged == 0, run.lines
            assert not any("undecided" in line for line in run.lines), (night, run.lines)
            named = [line for line in run.lines if "decision = merge not taken" in line]
            assert len(named) == 1, run.lines
            assert "dedupe apply" not in named[0], named
            assert f"{run.plan_dir / 'groups.csv'}, group g-{min(ids['crm'])}" in named[0]
            assert any("decided, not taken" in line for line in run.lines), run.lines


def test_an_old_plans_undecided_group_merged_since_says_so_in_its_apply(
        tmp_path: Path) -> None:
    """x42r6 F4: an apply of an old night's folder said "skipped, review band" for a group
    a later night had merged; now its row names the merge (merges.json, no call)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=48)) as sb:
        ids = _seed(sb)
        cfg = engine_config(sb, tmp_path / "j")
        first = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        second = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        crm, linz = frozenset(ids["crm"]), frozenset(ids["linz"])
        _decide(second.plan_dir, {crm: "merge"})
        third = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        assert third.merged == 1, third.lines
        _decide(first.plan_dir, {linz: "merge"})
        applied = anyio.run(lambda: jobs.apply_dedupe(cfg, sb.token, first.plan_dir,
                                                      confirm=None))
        assert applied.directory is not None, applied
        with (applied.directory / "succeeded.csv").open(encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if r["group_id"] == f"g-{min(crm)}"]
        assert rows and rows[0]["action"] == "skipped", rows
        assert f"already merged: deal {max(crm)} into deal {min(crm)}" in rows[0]["reason"]
