"""A ``dedupe apply`` that does not carry out a reviewer's ``decision = merge`` (refused: a
deal of it changed since the plan; or put off by ``--max-merges``) leaves it untaken: every
later night names it, exits 3, counts it (x52r9 F3: after an apply of the old folder refused
it, nights 3 and 4 exited 0 with decisions_not_taken 0, both deals live, the decision never
taken). Only a deal gone, a pair kept separate, or the merge done settles a decision."""

from __future__ import annotations

from pathlib import Path

import orjson

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.sandbox_helpers import threaded_sandbox
from tests.test_dedupe_earlier_decisions import _decide, _first_night, _seed
from tests.update_support import deal as sb_deal


def test_an_apply_that_refuses_a_decision_leaves_it_named_every_night(tmp_path: Path) -> None:
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=45)) as sb:
        ids, args, env, runner, night, plan = _first_night(sb, tmp_path / "j")
        _decide(plan, {frozenset(ids["crm"]): "merge"})
        a = ids["crm"][1]
        sb.state.save("deal", {**sb_deal(sb, a), "value": 950,
                               "update_time": sb.state.now_iso()})
        applied = runner.invoke(app, ["dedupe", "apply", str(plan), "--yes", *args], env=env)
        assert applied.exit_code == 3, applied.output
        assert "changed since the plan" in applied.stderr, applied.stderr
        for _ in range(2):  # refused, not taken: named every night until taken
            res = runner.invoke(app, night, env=env)
            assert res.exit_code == 3, res.output
            got = orjson.loads(res.stdout)
            assert (got["decisions_not_taken"], got["refused_decisions"]) == (1, 1), got
            assert f"deal {a} changed since that plan" in res.stderr, res.stderr
            assert sb.token not in res.output
        assert all(not sb_deal(sb, i).get("is_deleted") for i in ids["crm"])


def test_an_apply_that_puts_a_decision_off_leaves_it_for_the_night(tmp_path: Path) -> None:
    """A decision = merge the apply put off (``--max-merges 0``: nothing sent) is not taken:
    the next night carries it and merges it."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=46)) as sb:
        ids, args, env, runner, night, plan = _first_night(sb, tmp_path / "j")
        _decide(plan, {frozenset(ids["crm"]): "merge"})
        applied = runner.invoke(app, ["dedupe", "apply", str(plan), "--yes", "--max-merges",
                                      "0", *args], env=env)
        assert applied.exit_code in (0, 3), applied.output
        assert all(not sb_deal(sb, i).get("is_deleted") for i in ids["crm"])
        res = runner.invoke(app, night, env=env)
        got = orjson.loads(res.stdout)
        assert res.exit_code == 0, res.output
        assert sum(1 for i in ids["crm"] if sb_deal(sb, i).get("is_deleted")) == 1, got


def test_a_decision_the_run_holds_after_the_go_ahead_stays_untaken(tmp_path: Path) -> None:
    """A deal of a decided group edited between the apply's load and its merge (the run's
    re-check holds the group, exit 3): the decision, taken at the go-ahead, is left untaken
    again, so the next night names it."""
    import anyio

    import jobs
    from tests.import_support import engine_config

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=48)) as sb:
        ids = _seed(sb)
        cfg = engine_config(sb, tmp_path / "j")
        first = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        _decide(first.plan_dir, {frozenset(ids["crm"]): "merge"})
        a = ids["crm"][1]

        def edit_then_yes(_question: str) -> bool:  # a colleague edits while it is asked
            sb.state.save("deal", {**sb_deal(sb, a), "value": 990,
                                   "update_time": sb.state.now_iso()})
            return True

        applied = anyio.run(lambda: jobs.apply_dedupe(cfg, sb.token, first.plan_dir,
                                                      confirm=edit_then_yes))
        assert applied.merged == 0, applied.lines
        assert all(not sb_deal(sb, i).get("is_deleted") for i in ids["crm"])
        night = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        named = [s for s in night.lines if "decision = merge not taken" in s]
        assert named and f"deal {a} changed since that plan" in named[0], night.lines
