"""f38k 2: without Redis, a run knew neither the company's daily budget nor its spend
before its first answer, so a resume or a new run under a spent ``--budget-share`` sent
its first call past the share (its plan's assumed budget made the share look far from
spent). The day as the last run on the account heard it is kept in the state folder
(``bulk.day_seen``): the next run is refused before it sends anything."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import anyio
import pytest

from bulk import day_seen
from bulk.engine import Engine
from bulk.errors import BudgetExhausted
from bulk.sandbox import SandboxConfig
from bulk.scheduler import BudgetPolicy
from bulk.store import JobStore
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox

DAILY = 400  # tokens; a share of 0.25 is 100


async def _reads(cfg: object, token: str, folder: Path, n: int) -> int:
    """Up to ``n`` getStages (5 tokens each) on one engine; how many were sent before the
    budget refused one."""
    store = JobStore.create(folder, job_id=folder.name, kind="none", config={})
    sent = 0
    try:
        async with Engine.open(cfg, token, store=store) as engine:  # type: ignore[arg-type]
            for _ in range(n):
                await engine.call("getStages")
                sent += 1
    except BudgetExhausted:
        return sent
    finally:
        store.close()
    return sent


@pytest.mark.parametrize("assumed", [DAILY, 10 * DAILY])
def test_a_run_under_a_spent_share_sends_nothing_whatever_its_plan_assumed(
        tmp_path: Path, assumed: int) -> None:
    """The share spent to the token by the run before (another integration spent 95 of
    the 100): the next run (a plan assuming the company's budget, or ten times it) is
    refused before its first call; the server's count stays at the share."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=7,
                                        daily_tokens=DAILY)) as sb:
        sb.runtime.limiter.budget.spend(95, time.time())
        cfg = engine_config(sb, tmp_path / "j", budget=BudgetPolicy(share=0.25))
        assert anyio.run(_reads, cfg, sb.token, tmp_path / "first", 5) == 1  # 100 of 100
        used = sb.stats()["tokens_by_operation"]["getStages"]
        later = replace(cfg, daily_tokens=assumed)
        with pytest.raises(BudgetExhausted, match="may use 100 of") as info:
            anyio.run(_refused, later, sb.token, tmp_path / "next")
        assert sb.stats()["tokens_by_operation"]["getStages"] == used  # before: +5
        assert "last run on this account" in str(info.value), info.value


async def _refused(cfg: object, token: str, folder: Path) -> None:
    store = JobStore.create(folder, job_id=folder.name, kind="none", config={})
    try:
        async with Engine.open(cfg, token, store=store) as engine:  # type: ignore[arg-type]
            await engine.call("getStages")
    finally:
        store.close()


def test_a_record_of_another_day_gives_the_budget_not_the_spend(tmp_path: Path) -> None:
    """A day kept from yesterday: its budget still holds, its spend does not (a fresh
    day's run is never refused on it); an unreadable record is none."""
    from bulk.clock import FakeClock
    from bulk.plans import Limits
    from bulk.scheduler import Scheduler

    clock = FakeClock(epoch=86_400.0 * 20_000 + 3_600)
    day_seen.remember("k", 86_400.0, (19_999, DAILY, DAILY))
    sched = Scheduler(Limits(burst=40, daily_tokens=10 * DAILY), clock=clock,
                      budget=BudgetPolicy(share=0.25))
    sched.recall_day(*day_seen.recall("k", 86_400.0) or (0, 0, 0))
    stats = sched.statistics()
    assert stats.tokens_today == 0 and stats.daily_limit == DAILY, stats
    assert day_seen.recall("k", 3_600.0) is None  # other days: not this scheduler's
    (day_seen.state_dir() / day_seen.FOLDER / "account-k.json").write_bytes(b"{")
    assert day_seen.recall("k", 86_400.0) is None


def test_a_plan_says_its_budget_is_the_last_runs(tmp_path: Path) -> None:
    """Before its first answer a scheduler given the last run's day says where its
    figures come from (``jobs.planning.budget_source``), not "the plan's daily budget"."""
    from bulk.clock import FakeClock
    from bulk.plans import Limits
    from bulk.scheduler import Scheduler
    from jobs.planning import budget_source

    clock = FakeClock(epoch=86_400.0 * 20_000 + 3_600)
    sched = Scheduler(Limits(burst=40, daily_tokens=10 * DAILY), clock=clock)
    assert "plan's daily budget" in budget_source(sched.statistics())
    sched.recall_day(20_000, DAILY, 120)
    stats = sched.statistics()
    assert (stats.daily_limit, stats.tokens_today) == (DAILY, 120), stats
    assert budget_source(stats) == "by the server's headers to the last run on this account"


async def _me_then_reads(cfg: object, token: str, folder: Path, n: int) -> int:
    """``GET /v1/users/me`` (its company), then up to ``n`` getStages on one engine: how
    many getStages were sent before the budget refused one."""
    store = JobStore.create(folder, job_id=folder.name, kind="none", config={})
    sent = 0
    try:
        async with Engine.open(cfg, token, store=store) as engine:  # type: ignore[arg-type]
            await engine.call("getCurrentUser")
            for _ in range(n):
                await engine.call("getStages")
                sent += 1
    except BudgetExhausted:
        return sent
    finally:
        store.close()
    return sent


def test_two_users_tokens_of_one_company_keep_one_day(tmp_path: Path) -> None:
    """f39d 1: the daily budget is the company's, but the kept day was the token's: a
    second user's token (here the company's OAuth token), whose earlier run had heard a
    day far from spent, took the whole share again and sent its first call past it. Once
    each token's ``GET /v1/users/me`` named the company, the day is the company's: the
    second token's next run is refused before it sends anything."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=7, daily_tokens=DAILY,
                                        oauth_token="sandbox-oauth-token-f39d")) as sb:
        api = engine_config(sb, tmp_path / "j", budget=BudgetPolicy(share=0.25))
        oauth = replace(api, auth="oauth")
        other = "sandbox-oauth-token-f39d"
        # the second user's run: its company learned, the day heard far from spent
        assert anyio.run(_me_then_reads, oauth, other, tmp_path / "b1", 1) == 1
        # the first user's spends the share to the token (another 95 spent elsewhere)
        sb.runtime.limiter.budget.spend(95 - 2 - 5, time.time())
        assert anyio.run(_me_then_reads, api, sb.token, tmp_path / "a1", 5) == 0
        used = sb.stats()["tokens_by_operation"].get("getStages", 0)
        with pytest.raises(BudgetExhausted, match="may use 100 of"):
            anyio.run(_refused, oauth, other, tmp_path / "b2")
        assert sb.stats()["tokens_by_operation"].get("getStages", 0) == used  # before: +5
