"""What a dedupe run pays before it knows the day's budget (x26r1 4): its first read is
the cheapest one it needs (``getCurrentUser``, 2 tokens: the company its state directory
belongs to, x38r2 F3; before it ``getStages``, 5), so a nightly run that
``--budget-share`` refuses pays 2 tokens a night, not ``getDealFields``' 10; and the stages
are read once a plan (their order and, for the groups, their names: a second
``getStages`` of 5 tokens before)."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
import pytest

import jobs
from bulk.errors import BudgetExhausted
from bulk.sandbox import SandboxConfig
from bulk.scheduler import BudgetPolicy
from tests.dedupe_job_support import seed_account
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox


def _spent(sb: object) -> dict[str, int]:
    return dict(sb.stats()["tokens_by_operation"])  # type: ignore[attr-defined]


def test_a_run_refused_for_budget_pays_one_company_read(tmp_path: Path) -> None:
    daily = 400
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43,
                                        daily_tokens=daily)) as sb:
        seed_account(sb)
        # another integration spent most of the day: 40 of 400 left; this run's share is 25 %
        sb.runtime.limiter.budget.spend(daily - 40, time.time())
        before = _spent(sb)
        cfg = engine_config(sb, tmp_path / "j", budget=BudgetPolicy(share=0.25))
        with pytest.raises(BudgetExhausted):
            anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        after = _spent(sb)
        paid = {op: n - before.get(op, 0) for op, n in after.items() if n != before.get(op, 0)}
        assert paid == {"getCurrentUser": 2}


def test_a_plan_reads_the_stages_once(tmp_path: Path) -> None:
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        before = sb.stats()["requests_by_operation"].get("getStages", 0)
        cfg = engine_config(sb, tmp_path / "j")
        plan = anyio.run(lambda: jobs.plan_dedupe(cfg, sb.token, tmp_path / "plan"))
        assert plan.duplicate_groups == 2  # groups: their stages are named (review.html)
        assert sb.stats()["requests_by_operation"]["getStages"] - before == 1
        named = (plan.directory / "review.html").read_text()
        stages = {d["stage_id"] for d in sb.state.deals.rows.values() if not d["is_deleted"]}
        assert all(sb.state.stages[s]["name"] in named for s in stages)
