"""A merge decision of an earlier night's folder that can never be taken (a deal of it
merged away or deleted since, a pair of it kept separate since) is named once with the
reason `dedupe apply` gives, then settled: no later night names it, retention may remove
its folder (x43r2 F3: "deal 1193 changed since that plan" of a pair a colleague merged by
hand, where apply says "deal 1194 is gone"; "decide it again" of a pair kept separate
since, which no plan proposes again; one such decision was named on 25 nights)."""

from __future__ import annotations

from pathlib import Path

import anyio

import jobs
from bulk.sandbox import SandboxConfig
from jobs.dedupe.earlier_decisions import pending
from jobs.dedupe.index import remember_keep_separate
from jobs.dedupe.retention import prune_plans, run_plans
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox
from tests.test_dedupe_earlier_decisions import _decide, _seed
from tests.update_support import deal as sb_deal


def test_a_merge_that_can_never_be_taken_is_named_once_with_applys_reason(
        tmp_path: Path) -> None:
    """Merge on both groups of night 1; then a colleague merges one pair by hand (its
    survivor changes with it) and the other pair is recorded keep-separate: night 2 names
    the kept pair once as never taken, with apply's words, and the merged one done by hand
    (x51r14 F4: it was "never taken" too); night 3 names neither; the folder goes."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=81)) as sb:
        ids = _seed(sb)
        cfg = engine_config(sb, tmp_path / "j")
        state = tmp_path / "j" / "dedupe-state"
        first = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        crm, linz = sorted(ids["crm"]), sorted(ids["linz"])
        _decide(first.plan_dir, {frozenset(crm): "merge", frozenset(linz): "merge"})
        sb.state.save("deal", {**sb_deal(sb, crm[1]), "is_deleted": True,
                               "update_time": sb.state.now_iso()})
        sb.state.save("deal", {**sb_deal(sb, crm[0]), "update_time": sb.state.now_iso()})
        remember_keep_separate(state, [linz])
        second = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        named = [line for line in second.lines if "decision = merge not taken" in line]
        assert len(named) == 1, second.lines
        # the pair merged by hand as decided is taken, not "can never be taken" (x51r14 F4)
        hand = [line for line in second.lines if "decision = merge done by hand" in line]
        assert len(hand) == 1 and f"the other deal {crm[1]} is gone" in hand[0], second.lines
        assert second.not_taken == second.never == 1 and second.by_hand == 1, second
        kept = [line for line in named if f"deals {linz[0]} and {linz[1]} were marked "
                "keep-separate" in line]
        assert len(kept) == 1, named
        for line in kept:
            assert "can never be taken" in line and "said this once" in line, line
            assert "changed since" not in line and "named every night" not in line, line
        third = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        assert not any("not taken" in line for line in third.lines), third.lines
        assert pending(run_plans(state / "plans")).decided == []
        assert first.plan_dir in prune_plans(state / "plans", cfg.job_root, keep=0,
                                             spare=third.plan_dir)


def test_a_deal_the_plan_never_read_is_said_as_apply_says_it() -> None:
    """A survivor a reviewer typed from outside the group: not "changed since that plan"
    (nothing changed) but apply's reason; it may still be corrected, so not never."""
    from jobs.dedupe.earlier_decisions import blocked

    why = blocked([1001, 7, 8], {}, {})
    assert why is not None and why[0].startswith("deal 1001 is in none of the plan's pairs")
    assert why[1] is False
