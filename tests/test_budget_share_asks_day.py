"""x40r1 F3: a ``--budget-share`` spent by the day kept in the state folder
(``bulk.day_seen``) refused every run after the server's daily reset, until a record
showed the new day: no call, so no header, ever said it (the server's midnight is its time
zone's, not named: FACTS.md "Rate limits"). A kept day that leaves the share less than one
call's worth and was heard half an hour or more ago is checked first: one
``GET /v1/users/me`` (getCurrentUser, 2 tokens, openapi-v1.yaml), in the run's stats, so
in its plan. A fresh record still refuses the run before it sends anything (f38k 2)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import anyio
import pytest

from bulk import day_seen
from bulk.engine import ASK_AFTER, Engine
from bulk.errors import META_FIRST_WRITE_CAP, BudgetExhausted
from bulk.sandbox import SandboxConfig
from bulk.scheduler import BudgetPolicy
from bulk.store import JobStore
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox

DAILY = 400  # tokens; a share of 0.25 is 100


async def _reads(cfg: object, token: str, folder: Path, n: int) -> tuple[int, dict[str, int]]:
    """Up to ``n`` getStages (5 tokens each) on one engine: how many were sent before the
    budget refused one, and the engine's calls by operation."""
    store = JobStore.create(folder, job_id=folder.name, kind="none", config={})
    sent, calls = 0, {}
    try:
        async with Engine.open(cfg, token, store=store) as engine:  # type: ignore[arg-type]
            calls = engine.stats.calls_by_operation
            for _ in range(n):
                await engine.call("getStages")
                sent += 1
    except BudgetExhausted:
        pass
    finally:
        store.close()
    return sent, dict(calls)


def _age_records(by: float) -> None:
    """The kept days as if heard ``by`` seconds earlier."""
    for path in (day_seen.state_dir() / day_seen.FOLDER).glob("*.json"):
        record = json.loads(path.read_text())
        if isinstance(record.get("heard"), float | int):
            record["heard"] -= by
            path.write_text(json.dumps(record))


def _me(sb: object) -> int:
    return int(sb.stats()["tokens_by_operation"].get("getCurrentUser", 0))  # type: ignore[attr-defined]


@pytest.mark.parametrize("reset", [True, False])
def test_a_share_spent_by_an_old_record_asks_the_server_once(
        tmp_path: Path, reset: bool) -> None:
    """The share spent to the token (95 by another integration, 5 by the run); the server's
    day then ends (``reset``) or not, and the record is 31 minutes old: the next run asks
    the server once (2 tokens) and goes on the new day (before: refused, nothing sent), or
    is refused as before; the call is in the engine's stats (the plan's calls)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=7,
                                        daily_tokens=DAILY)) as sb:
        sb.runtime.limiter.budget.spend(95, time.time())
        cfg = engine_config(sb, tmp_path / "j", budget=BudgetPolicy(share=0.25))
        assert anyio.run(_reads, cfg, sb.token, tmp_path / "first", 5)[0] == 1  # 100 of 100
        if reset:
            sb.runtime.limiter.budget.end_day(time.time())
        _age_records(ASK_AFTER + 60)
        sent, calls = anyio.run(_reads, cfg, sb.token, tmp_path / "next", 3)
        assert _me(sb) == 2 and calls.get("getCurrentUser") == 1
        assert sent == (3 if reset else 0)


def test_a_fresh_record_refuses_without_asking(tmp_path: Path) -> None:
    """Heard under half an hour ago, the kept day refuses the run before it sends anything,
    even after the server's reset (the run waits for a record, or the half hour)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=7,
                                        daily_tokens=DAILY)) as sb:
        sb.runtime.limiter.budget.spend(95, time.time())
        cfg = engine_config(sb, tmp_path / "j", budget=BudgetPolicy(share=0.25))
        assert anyio.run(_reads, cfg, sb.token, tmp_path / "first", 5)[0] == 1
        sb.runtime.limiter.budget.end_day(time.time())
        _age_records(ASK_AFTER - 120)
        assert anyio.run(_reads, cfg, sb.token, tmp_path / "next", 3) == (0, {})
        assert _me(sb) == 0


def test_plan_import_then_import_after_the_reset_price_what_they_spend(tmp_path: Path) -> None:
    """``plan import`` with an old record asks the server (its own call, not the run's: the
    record it refreshes lets the run ask nothing) and says the run's tokens; ``import`` then
    spends exactly those. Before: both refused, "budget spent"."""
    from typer.testing import CliRunner

    from pdbulk.cli import app

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=7,
                                        daily_tokens=2 * DAILY)) as sb:
        sb.runtime.limiter.budget.spend(195, time.time())  # the share: 200, room for the job
        cfg = engine_config(sb, tmp_path / "j", budget=BudgetPolicy(share=0.25))
        assert anyio.run(_reads, cfg, sb.token, tmp_path / "first", 5)[0] == 1
        sb.runtime.limiter.budget.end_day(time.time())
        _age_records(ASK_AFTER + 60)
        rows = tmp_path / "a.csv"
        rows.write_text("key,title\n" + "".join(f"k{i},Deal {i}\n" for i in range(3)))
        mapping = tmp_path / "m.toml"
        mapping.write_text('[import]\nkey_column = "key"\n[deal]\ntitle = "title"\n')
        env = {"PIPEDRIVE_API_TOKEN": sb.token}
        common = [str(rows), "-m", str(mapping), "--create-key-field", "--url", sb.url,
                  "--budget-share", "0.25"]
        planned = CliRunner().invoke(app, ["plan", "import", *common, "--json",
                                           "--failed-csv", str(tmp_path / "f.csv")], env=env)
        assert planned.exit_code == 0, planned.output
        assert _me(sb) == 2  # the plan's own ask
        before = int(sb.stats()["tokens_spent"])
        ran = CliRunner().invoke(app, ["import", *common, "--job-dir", str(tmp_path / "jobs")],
                                 env=env)
        assert ran.exit_code == 0, ran.output
        assert _me(sb) == 2  # the run asked nothing: the plan's answer was kept
        plan = json.loads(planned.stdout)
        assert int(sb.stats()["tokens_spent"]) - before == plan["tokens"], plan


@pytest.mark.parametrize("reset", [True, False])
def test_the_whole_budget_spent_by_an_old_record_asks_the_server_once(
        tmp_path: Path, reset: bool) -> None:
    """x41r6 F4: no share, the whole daily budget spent (400 of 400); the server's day then
    ends (``reset``) or not, and the record is 31 minutes old: the next run asks the server
    once (2 tokens) and goes on the new day (before: refused without asking, "400 tokens
    used"), or its ask is refused (429, the day truly spent) and the run is refused as
    before, nothing more sent."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=7,
                                        daily_tokens=DAILY)) as sb:
        sb.runtime.limiter.budget.spend(DAILY - 5, time.time())
        cfg = engine_config(sb, tmp_path / "j")
        assert anyio.run(_reads, cfg, sb.token, tmp_path / "first", 5)[0] == 1  # 400 of 400
        if reset:
            sb.runtime.limiter.budget.end_day(time.time())
        _age_records(ASK_AFTER + 60)
        sent, calls = anyio.run(_reads, cfg, sb.token, tmp_path / "next", 3)
        assert _me(sb) == (2 if reset else 0)  # (a 429 is not charged)
        assert sent == (3 if reset else 0)
        assert calls.get("getCurrentUser") == (1 if reset else None)  # (refused: no engine)


async def _resumed_reads(cfg: object, token: str, folder: Path,
                         n: int) -> tuple[int, dict[str, int]]:
    """``_reads`` on an engine opened as a resume or retry opens it (``ask_day``)."""
    store = JobStore.create(folder, job_id=folder.name, kind="none", config={})
    sent, calls = 0, {}
    try:
        async with Engine.open(cfg, token, store=store,  # type: ignore[arg-type]
                               ask_day=True) as engine:
            calls = engine.stats.calls_by_operation
            for _ in range(n):
                await engine.call("getStages")
                sent += 1
    except BudgetExhausted:
        pass
    finally:
        store.close()
    return sent, dict(calls)


@pytest.mark.parametrize("share", [0.25, None])
def test_a_resume_asks_a_fresh_spent_record_at_once(tmp_path: Path,
                                                    share: float | None) -> None:
    """x44r7 F3: a resume right after the server's reset was refused by the day kept a
    minute ago ("0 are left today") until the record was half an hour old; a resume or
    retry asks the server at once (2 tokens, in its stats) and goes on the new day."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=7,
                                        daily_tokens=DAILY)) as sb:
        spend = 95 if share else DAILY - 5
        sb.runtime.limiter.budget.spend(spend, time.time())
        cfg = engine_config(sb, tmp_path / "j", budget=BudgetPolicy(share=share))
        assert anyio.run(_reads, cfg, sb.token, tmp_path / "first", 5)[0] == 1
        sb.runtime.limiter.budget.end_day(time.time())
        _age_records(60)
        sent, calls = anyio.run(_resumed_reads, cfg, sb.token, tmp_path / "next", 3)
        assert _me(sb) == 2 and calls.get("getCurrentUser") == 1
        assert sent == 3


async def _resumed_job_reads(cfg: object, token: str, folder: Path, n: int,
                             first_write: int | None) -> tuple[int, dict[str, int]]:
    """``_resumed_reads`` of a job whose plan priced its first write at ``first_write``
    tokens (meta ``first_write_cap``, as a stopped job's store keeps it)."""
    store = JobStore.create(folder, job_id=folder.name, kind="none", config={})
    if first_write is not None:
        store.meta_put(META_FIRST_WRITE_CAP, first_write)
    sent, calls = 0, {}
    try:
        async with Engine.open(cfg, token, store=store,  # type: ignore[arg-type]
                               ask_day=True) as engine:
            calls = engine.stats.calls_by_operation
            for _ in range(n):
                await engine.call("getStages")
                sent += 1
    except BudgetExhausted:
        pass
    finally:
        store.close()
    return sent, dict(calls)


@pytest.mark.parametrize(("first_write", "asks"), [(81, True), (30, False), (None, False)])
def test_a_resume_asks_when_the_kept_share_cannot_reach_its_first_write(
        tmp_path: Path, first_write: int | None, asks: bool) -> None:
    """x48r4 F3: 50 tokens of the share kept, the job's first write needing 81: a resume
    after the reset was refused without asking (only under 40 left did it ask); it asks
    now whenever the kept figure is under the job's first write (2 tokens, in its stats),
    and not when that figure reaches it (nor, with no figure kept, from 40 up)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=7,
                                        daily_tokens=DAILY)) as sb:
        sb.runtime.limiter.budget.spend(45, time.time())  # 50 of the share of 100 left
        cfg = engine_config(sb, tmp_path / "j", budget=BudgetPolicy(share=0.25))
        assert anyio.run(_reads, cfg, sb.token, tmp_path / "first", 1)[0] == 1
        sb.runtime.limiter.budget.end_day(time.time())
        _age_records(60)
        _, calls = anyio.run(_resumed_job_reads, cfg, sb.token, tmp_path / "next", 1,
                             first_write)
        assert (calls.get("getCurrentUser") == 1) is asks, calls
        assert _me(sb) == (2 if asks else 0)
