"""A reviewer's ``decision = merge`` that a colleague carried out by hand, as decided, is
taken: said "done by hand", no exit 3 for it; one whose deal was deleted can never be taken:
said once, that night exits 3 (the README's exit 3), the next exits 0 (x51r14 F4: the
hand-merged pair was named "it can never be taken … said this once" beside a closing line
"named every night until taken", refused_decisions 2, exit 3)."""

from __future__ import annotations

import csv
from pathlib import Path

import orjson

from bulk.sandbox import SandboxConfig
from bulk.sandbox.merge import merge
from pdbulk.cli import app
from tests.sandbox_helpers import threaded_sandbox
from tests.test_dedupe_earlier_decisions import _decide, _first_night


def _survivors(plan: Path) -> dict[frozenset[int], tuple[int, list[int]]]:
    with (plan / "groups.csv").open(encoding="utf-8") as f:
        return {frozenset({int(g["survivor_id"]), *(int(i) for i in g["merged_ids"].split(";"))}):
                (int(g["survivor_id"]), [int(i) for i in g["merged_ids"].split(";")])
                for g in csv.DictReader(f)}


def test_a_decision_merged_by_hand_is_taken_one_deleted_is_said_once(tmp_path: Path) -> None:
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=45)) as sb:
        ids, _args, env, runner, night, plan = _first_night(sb, tmp_path / "j")
        crm, linz = frozenset(ids["crm"]), frozenset(ids["linz"])
        _decide(plan, {crm: "merge", linz: "merge"})
        groups = _survivors(plan)
        (s_crm, [m_crm]), (_, [m_linz]) = groups[crm], groups[linz]
        merge(sb.state, "deal", m_crm, {"merge_with_id": s_crm})  # by hand, as decided
        sb.state.save("deal", {**sb.state.deals.rows[m_linz], "is_deleted": True})  # deleted
        res = runner.invoke(app, night, env=env)
        assert res.exit_code == 3, res.output
        got = orjson.loads(res.stdout)
        assert (got["decisions_done_by_hand"], got["decisions_never_takeable"],
                got["decisions_not_taken"], got["refused_decisions"]) == (1, 1, 1, 1), got
        assert "decision = merge done by hand" in res.stderr, res.stderr
        hand = [s for s in res.stderr.splitlines() if "done by hand" in s]
        assert len(hand) == 1 and f"survivor {s_crm}" in hand[0], hand
        never = [s for s in res.stderr.splitlines() if "can never be taken" in s]
        assert any(f"deal {m_linz} is gone" in s for s in never), res.stderr
        assert not any(f"deal {m_crm}" in s for s in never), never
        assert "every night until taken" not in res.stderr.splitlines()[-1], res.stderr
        assert "1 reviewer decision = merge that can never be taken" in res.stderr
        assert sb.token not in res.output
        again = runner.invoke(app, night, env=env)  # both settled: nothing named
        assert again.exit_code == 0, again.output
        assert "done by hand" not in again.stderr and "never be taken" not in again.stderr


def test_apply_of_the_folder_takes_a_decision_done_by_hand_as_the_night_does(
        tmp_path: Path) -> None:
    """x52r4 F3: a reviewer's decision = merge a colleague carried out by hand; the night
    said "done by hand" (exit 0) and `dedupe apply` of the same folder "decision = merge not
    followed: deal N is gone" (exit 3). One rule: the apply takes it, says it, exits 0.
    N1: a colleague who edited the survivor and deleted the other deal (no merge) is told
    what the account shows, never "as a merge into it changes it"."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=52)) as sb:
        ids, args, env, runner, night, plan = _first_night(sb, tmp_path / "j")
        crm, linz = frozenset(ids["crm"]), frozenset(ids["linz"])
        _decide(plan, {crm: "merge", linz: "merge"})
        groups = _survivors(plan)
        (s_crm, [m_crm]), (s_linz, [m_linz]) = groups[crm], groups[linz]
        merge(sb.state, "deal", m_crm, {"merge_with_id": s_crm})  # by hand, as decided
        sb.state.save("deal", {**sb.state.deals.rows[s_linz], "value": 5100,  # edited, and
                               "update_time": sb.state.now_iso()})
        sb.state.save("deal", {**sb.state.deals.rows[m_linz], "is_deleted": True})  # deleted
        night = runner.invoke(app, ["dedupe", "run", "--since-last", "--json", *args], env=env)
        assert night.exit_code == 0, night.output  # the night's rule
        got = orjson.loads(night.stdout)
        assert (got["decisions_done_by_hand"], got["refused_decisions"]) == (2, 0), got
        lines = [s for s in night.stderr.splitlines() if "decision = merge done by hand" in s]
        assert len(lines) == 2 and not any("as a merge into it" in s for s in lines), lines
        applied = runner.invoke(app, ["dedupe", "apply", str(plan), "--yes", *args], env=env)
        said = applied.stdout + applied.stderr
        assert applied.exit_code == 0, said
        assert "not followed" not in said, said
        hand = [s for s in said.splitlines() if "decision = merge done by hand" in s]
        assert len(hand) == 2, said  # the same rule, the same words
        assert "2 done by hand" in said, said
        assert any(f"deal {m_crm} is gone and the survivor {s_crm} changed" in s for s in hand)
        assert any(f"deal {m_linz} is gone and the survivor {s_linz} changed" in s for s in hand)
        assert not any("as a merge into it" in s for s in hand), hand
        assert sb.token not in said


def test_a_decision_merged_by_hand_the_other_way_is_taken_and_said_so(tmp_path: Path) -> None:
    """x52r9 N1: a colleague merged the pair the other way (the plan's survivor into the other
    deal): the night said "deal N is gone … plan again", exit 3. The account shows the pair
    one deal now, the other deal carrying both: taken as done by hand (the reviewer's merge
    is made; which deal survived is the colleague's), said so, exit 0, by the night and by
    an apply of the folder alike."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=47)) as sb:
        ids, args, env, runner, night, plan = _first_night(sb, tmp_path / "j")
        crm = frozenset(ids["crm"])
        _decide(plan, {crm: "merge"})
        s_crm, [m_crm] = _survivors(plan)[crm]
        merge(sb.state, "deal", s_crm, {"merge_with_id": m_crm})  # by hand, the other way
        res = runner.invoke(app, night, env=env)
        assert res.exit_code == 0, res.output
        got = orjson.loads(res.stdout)
        assert (got["decisions_done_by_hand"], got["refused_decisions"]) == (1, 0), got
        hand = [s for s in res.stderr.splitlines() if "decision = merge done by hand" in s]
        assert len(hand) == 1, res.stderr
        assert f"the survivor {s_crm} is gone and deal {m_crm} changed" in hand[0], hand
        assert "the other way" in hand[0], hand
        assert "plan again" not in res.stderr, res.stderr
        applied = runner.invoke(app, ["dedupe", "apply", str(plan), "--yes", *args], env=env)
        said = applied.stdout + applied.stderr
        assert applied.exit_code == 0, said
        assert "not followed" not in said, said
        assert any(f"the survivor {s_crm} is gone and deal {m_crm} changed" in s
                   for s in said.splitlines()), said
        assert sb.token not in said + res.output
