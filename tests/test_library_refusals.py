"""The library's refusals as a service sees them (x48r9, issue 8): a ``resume_job`` refused
before it sends (a cap that cannot reach the first write, a wrong token) logs the job's
real status ("stopped", resumable), never "failed" (F1); a budget line and
``BudgetExhausted`` name the library's setting beside the flag (F2); ``undo_job`` finds a
job under the ``job_root`` it is given and says a mistyped id as ``InputError`` (F4)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import jobs
from bulk.errors import BudgetExhausted, InputError, Unauthorized
from bulk.sandbox import SandboxConfig, serve
from bulk.scheduler import BudgetPolicy
from bulk.store import JobStore
from tests.import_support import engine_config


def _move() -> jobs.Work:
    return jobs.move_deals("Demo Scheduled",
                           select=jobs.DealQuery(pipeline="Sales", stage="Qualified"))


def _job_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "pdbulk.job"]


@pytest.mark.anyio
async def test_a_refused_resume_logs_the_job_still_stopped(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=60, seed=3)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs", budget=BudgetPolicy(max_tokens=25))
        done = await jobs.run_job(cfg, sb.token, _move())
        assert done.status == "stopped", done
        for token, cap, error in ((sb.token, 3, BudgetExhausted),
                                  ("Wr0ng-token-value-1234567890", 500, Unauthorized)):
            caplog.clear()
            with caplog.at_level(logging.INFO), pytest.raises(error) as caught:
                await jobs.resume_job(done.job_id, token, job_root=cfg.job_root,
                                      max_tokens=cap)
            assert "Wr0ng" not in str(caught.value)
            records = _job_records(caplog)
            assert len(records) == 1, [r.getMessage() for r in records]
            said = records[0].getMessage()
            assert getattr(records[0], "status", None) == "stopped", said
            assert "refused" in said and "still stopped" in said, said
            assert "ended failed" not in said and "Wr0ng" not in said, said
            with JobStore.open(done.directory) as store:
                assert store.status == "stopped"


@pytest.mark.anyio
async def test_the_budget_words_name_the_librarys_setting(tmp_path: Path) -> None:
    """F2: the line before the first write and a refused resume's ``BudgetExhausted`` name
    ``BudgetPolicy.max_tokens`` beside the flag (``bulk.errors.CAP_SETTING``), and no exit
    code but as the CLI's."""
    async with serve(SandboxConfig(time_scale=0.02, deals=60, seed=3)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs", budget=BudgetPolicy(max_tokens=25))
        done = await jobs.run_job(cfg, sb.token, _move())
        budget = [line for line in done.lines if line.startswith("budget:")]
        assert budget and "BudgetPolicy.max_tokens is 25" in budget[0], budget
        assert "BudgetPolicy.max_tokens of at least" in budget[0], budget
        assert "(exit 4)" not in budget[0], budget
        with pytest.raises(BudgetExhausted) as caught:
            await jobs.resume_job(done.job_id, sb.token, job_root=cfg.job_root, max_tokens=3)
        said = str(caught.value)
        assert "BudgetPolicy.max_tokens is 3" in said and "(exit 4)" not in said, said


@pytest.mark.anyio
async def test_undo_job_finds_the_job_under_the_config_root(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # nothing under ./pdbulk-jobs
    async with serve(SandboxConfig(time_scale=0.02, deals=60, seed=3)) as sb:
        cfg = engine_config(sb, tmp_path / "elsewhere")
        done = await jobs.run_job(cfg, sb.token, _move())
        assert done.status == "finished", done
        assert jobs.undo_job(done.job_id, job_root=cfg.job_root).kind == "undo"
        undo = jobs.undo_job(done.job_id)  # no job_root: the one of the cfg it runs under
        planned = await jobs.plan_job(cfg, sb.token, undo)
        assert planned.plan.calls, planned
        back = await jobs.run_job(cfg, sb.token, jobs.undo_job(done.job_id))
        assert back.status == "finished" and back.counts.get("done"), back
        with pytest.raises(InputError) as caught:  # under neither root: said by the door
            await jobs.plan_job(cfg, sb.token, jobs.undo_job("no-such-job"))
        assert "no job 'no-such-job' in" in str(caught.value), caught.value
    with pytest.raises(InputError) as caught:  # a mistyped id: the CLI's usage error
        jobs.undo_job("no-such-job", job_root=cfg.job_root)
    assert "no job 'no-such-job' in" in str(caught.value), caught.value


@pytest.mark.anyio
async def test_a_spent_share_raises_budget_exhausted_as_documented(tmp_path: Path) -> None:
    """F3: the day's share spent before the load: ``plan_job`` and ``run_job`` raise
    ``BudgetExhausted`` (no job kept), as their docstrings and the README say."""
    async with serve(SandboxConfig(time_scale=0.02, deals=60, seed=3)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs", budget=BudgetPolicy(share=0.0001))
        for door in (jobs.plan_job, jobs.run_job):
            with pytest.raises(BudgetExhausted):
                await door(cfg, sb.token, _move())  # type: ignore[operator]
            assert "BudgetExhausted" in (door.__doc__ or ""), door
        assert not any((tmp_path / "jobs").iterdir())
    assert "BudgetExhausted" in (jobs.import_deals.__doc__ or "")
