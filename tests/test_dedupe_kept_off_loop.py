"""A dedupe job reads its keep-separate decisions (``index.load_keep_separate``: the state
directory's file and, under a shared coordinator, Redis) off the event loop: at each
batch's re-check (``DedupeJob._held_now``), when an apply or its dry run prices the job
(``api.apply_estimate``) and when a resume prices it (``DedupeJob.before_plan``) — f39c:
``merge_job._kept()`` was a blocking call on the loop. A plan's pricing only reads (a
dry run shares nothing). The sandbox, a plan with two merges."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

import jobs
import jobs.dedupe.apply as dedupe_apply
import jobs.dedupe.merge_job as merge_job
from bulk.sandbox import SandboxConfig
from tests.dedupe_job_support import load_apply, seed_account
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox


def _on_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _watch(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, bool]]:
    seen: list[tuple[bool, bool]] = []  # (on the loop, shared)
    real: Callable[..., Any] = merge_job.load_keep_separate

    def call(state: Path, *, share: bool = False) -> Any:
        seen.append((_on_loop(), share))
        return real(state, share=share)
    for module in (merge_job, dedupe_apply):
        monkeypatch.setattr(module, "load_keep_separate", call)
    return seen


def test_an_apply_and_its_dry_run_read_the_decisions_off_the_loop(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _watch(monkeypatch)
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        cfg = engine_config(sb, tmp_path / "j")
        plan = anyio.run(lambda: jobs.plan_dedupe(cfg, sb.token, tmp_path / "plan"))
        dry = anyio.run(lambda: jobs.apply_dedupe(cfg, sb.token, plan.directory, dry_run=True))
        assert dry.status == "dry-run"
        priced = list(seen)
        assert priced and not any(shared for _, shared in priced), priced  # a plan: reads
        done = anyio.run(lambda: jobs.apply_dedupe(cfg, sb.token, plan.directory,
                                                   confirm=lambda q: True))
    assert done.status == "finished" and done.merged == 2, done
    assert len(seen) > len(priced) and any(shared for _, shared in seen), seen
    assert not any(on_loop for on_loop, _ in seen), seen  # on the loop before the fix


def test_a_resume_prices_the_decisions_off_the_loop(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _watch(monkeypatch)
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)

        async def main() -> Any:
            from tests.dedupe_job_support import plan
            await plan(sb, tmp_path, tmp_path / "plan")
            store, _ = await load_apply(sb, tmp_path, tmp_path / "plan")
            (tmp_path / "plan" / "deals.jsonl").unlink()  # pricing then asks the decisions
            directory = store.directory
            store.close()
            return await jobs.resume_job(directory, sb.token)
        done = anyio.run(main)
    assert done is not None
    assert seen and not any(on_loop for on_loop, _ in seen), seen
