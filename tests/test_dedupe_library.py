"""Issue 8 (x23r4): dedupe from Python — ``jobs.plan_dedupe``, ``jobs.apply_dedupe`` and
``jobs.run_dedupe`` plan, apply (asking ``confirm``, or dry-run) and run the nightly dedupe
as ``pdbulk dedupe`` does, on the same code: the CLI assembles none of it itself."""

from __future__ import annotations

import ast
from pathlib import Path

import anyio
import pytest

import jobs
from bulk.errors import InputError
from bulk.sandbox import SandboxConfig
from bulk.store import JobStore
from tests.dedupe_job_support import seed_account
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox

ROOT = Path(__file__).resolve().parents[1]


def _live(sb: object) -> int:
    return sum(not d["is_deleted"] for d in sb.state.deals.rows.values())  # type: ignore[attr-defined]


def test_the_library_exports_dedupe() -> None:
    """``jobs`` names the three dedupe calls and their result types."""
    for name in ("plan_dedupe", "apply_dedupe", "run_dedupe", "DedupePlan", "DedupeRun"):
        assert name in jobs.__all__ and callable(getattr(jobs, name)), name


def test_plan_then_dry_run_then_declined_then_applied(tmp_path: Path) -> None:
    """A plan is returned with its groups, bands and reasons and writes nothing to the
    account; a dry run of its apply decides and prices it, leaving no job; ``confirm``
    answering no cancels the job (nothing merged); answering yes merges its groups."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        cfg = engine_config(sb, tmp_path / "j")
        live = _live(sb)
        plan = anyio.run(lambda: jobs.plan_dedupe(cfg, sb.token, tmp_path / "plan"))
        assert isinstance(plan, jobs.DedupePlan)
        assert plan.directory == tmp_path / "plan" and (plan.directory / "groups.csv").is_file()
        assert plan.duplicate_groups == 2 and len(plan.groups) >= 2
        assert {g.band for g in plan.groups} <= {"duplicate", "review"}
        assert all(g.reasons and 0 <= g.score <= 1 for g in plan.groups)
        assert plan.deals_to_merge_away == 2 and plan.tokens == 80  # the apply's cost
        # the plan's own (x46r7 F4): its reads, as `dedupe plan`'s "reads for this plan"
        assert plan.read_tokens == sum(t for _, t in plan.reads.values()) > 0
        assert _live(sb) == live

        dry = anyio.run(lambda: jobs.apply_dedupe(cfg, sb.token, plan.directory,
                                                  dry_run=True))
        assert dry.status == "dry-run" and dry.job_id is None and dry.actions["merge"] == 2
        assert dry.estimate is not None and dry.estimate.tokens >= 80
        assert _live(sb) == live and not [p for p in (tmp_path / "j").glob("*")
                                          if p.name != "dedupe-state"]

        asked: list[str] = []

        def no(question: str) -> bool:
            asked.append(question)
            return False
        declined = anyio.run(lambda: jobs.apply_dedupe(cfg, sb.token, plan.directory,
                                                       confirm=no))
        assert declined.status == "cancelled" and declined.merged == 0, declined
        # its items by state, as run_job's cancelled Finished says them (x48r9 F8: {})
        assert declined.counts == {"pending": 2}, declined.counts
        assert asked == ["Merges are final in Pipedrive. Merge 2 deals away?"]
        assert _live(sb) == live

        done = anyio.run(lambda: jobs.apply_dedupe(cfg, sb.token, plan.directory,
                                                   confirm=lambda q: True))
        assert done.status == "finished" and done.merged == 2 and done.failed == 0, done
        assert done.directory is not None and (done.directory / "succeeded.csv").is_file()
        assert any("succeeded.csv" in line for line in done.lines), done.lines
        assert _live(sb) == live - 2
        assert sb.token not in repr(done) and sb.token not in str(done.to_json())


def test_the_nightly_run_names_interrupted_jobs_and_caps_merges(tmp_path: Path) -> None:
    """``run_dedupe`` names an earlier dedupe job that did not end, merges at most
    ``max_merges`` deals away and returns the summary ``dedupe run --json`` prints."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        cfg = engine_config(sb, tmp_path / "j")
        with JobStore.create(tmp_path / "j" / "old-dedupe", job_id="old-dedupe", kind="dedupe",
                             config={}) as old:
            for status in ("loading", "loaded", "running", "stopped"):
                old.set_status(status)
        live = _live(sb)
        night = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True,
                                                  max_merges=1))
        assert isinstance(night, jobs.DedupeRun)
        assert [j.job_id for j in night.interrupted_jobs] == ["old-dedupe"]
        assert any("old-dedupe" in line for line in night.lines)
        assert night.status == "finished" and night.merged == 1 and _live(sb) == live - 1
        assert night.plan is not None and night.plan.duplicate_groups == 2
        summary = night.to_json()
        assert summary["merged"] == 1 and summary["interrupted_jobs"][0]["job"] == "old-dedupe"
        assert summary["plan_dir"].startswith(str(tmp_path / "j" / "dedupe-state" / "plans"))
        with pytest.raises(InputError, match="below the duplicate threshold"):
            anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, auto_apply_above=0.5))


def test_the_cli_assembles_no_dedupe_job_itself() -> None:
    """``pdbulk/cli_dedupe.py`` calls the library for plan, apply and run: none of the
    pieces a job is assembled from is named there (x23r4: only the CLI could apply a plan)."""
    tree = ast.parse((ROOT / "pdbulk" / "cli_dedupe.py").read_text(encoding="utf-8"))
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    assembling = {"prepare_apply", "state_lock", "record_intended",
                  "save_plan_index", "unfinished_jobs", "abandoned_jobs", "unfinished_apply",
                  "remember_config", "forget_merged"}
    assert not names & assembling, names & assembling
