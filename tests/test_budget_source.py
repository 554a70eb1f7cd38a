"""Every message quoting the day's budget reads it from one source — the server's headers
once heard, else the plan preset's — and says which (x23r1 F2: a resumed undo's note said
"60,000 are left today" by the preset while its progress line showed the server's
"today 93,030/210,000")."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bulk.clock import FakeClock
from bulk.engine import Engine, EngineConfig
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import plan_limits
from bulk.sandbox import SandboxConfig, serve
from bulk.scheduler import Scheduler
from bulk.store import JobStore
from jobs.demo_data import write_demo_export
from jobs.planning import budget_source, estimate
from tests.import_support import import_stopped_before_sending


def test_a_plan_note_names_where_its_days_figures_come_from() -> None:
    """The preset's figures until a daily header is heard, then the server's: the note
    and the scheduler's statistics say the same."""
    sched = Scheduler(plan_limits("growth"), clock=FakeClock())
    assert budget_source(sched.statistics()).startswith("by the plan's daily budget")
    sched.observe(get_operation("getDeals"), RateHeaders(daily_token_limit=210_000,
                                                         daily_token_remaining=116_970))
    stats = sched.statistics()
    assert stats.daily_heard and stats.daily_limit == 210_000
    plan = estimate("undo (resume)", {"updateDeal": 100_000}, plan_limits("growth"), rows=1,
                    bad_rows=0, tokens_left_today=stats.usable_today,
                    daily_tokens=stats.daily_limit, budget_source=budget_source(stats))
    (note,) = [n for n in plan.notes if "left today" in n]
    assert "but 116,970 are left today (by the server's headers)" in note, note


@pytest.mark.anyio
async def test_a_resumes_budget_note_says_it_is_the_presets_until_the_server_tells(
        tmp_path: Path) -> None:
    """Before its first call a resume knows only the preset (here 60,000 less a reserve of
    59,900: 100 tokens): its note says so; after the re-read its plan is priced by the
    server's 210,000 and says that, as the progress line does."""
    import dataclasses

    from jobs import kind_for
    from jobs.resuming import plan_lines, resume_plan

    export = write_demo_export(tmp_path / "in", rows=20, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=7,
                                   daily_tokens=210_000)) as sb:
        store, _ = await import_stopped_before_sending(sb, tmp_path / "jobs", export.manifest,
                                                       export.mapping, mode="insert")
        store.set_status("stopped")
        store.close()
        import shutil

        from bulk import day_seen
        from bulk.claims import state_dir

        # a resume that knows nothing of the day (no earlier run's figures kept: f38k 2)
        shutil.rmtree(state_dir() / day_seen.FOLDER, ignore_errors=True)
        store = JobStore.open(tmp_path / "jobs" / "B")
        try:
            kind = kind_for(store)
            cfg = EngineConfig.from_json(store.config["engine"])
            cfg = dataclasses.replace(cfg, daily_tokens=None, seats=1, budget=dataclasses.replace(
                cfg.budget, reserve_tokens=59_900))
            async with Engine.open(cfg, sb.token, store=store) as eng:
                made = Counter(eng.stats.calls_by_operation)
                lines = plan_lines(store, kind, eng)
                (note,) = [li for li in lines if "left today" in li]
                assert ("but 100 are left today of this job's share (100 a day of the daily "
                        "budget 60,000: --budget-share or the reserve keeps the rest, by the "
                        "plan's daily budget") in note, note
                await kind.before_resume(eng.ctx, store)
                after = resume_plan(store, kind, eng, after_reread=dict(
                    Counter(eng.stats.calls_by_operation) - made))
                assert after.budget_source == "by the server's headers"
                assert after.daily_tokens == 210_000 and after.days == 1
        finally:
            store.close()
