"""A dedupe run's end (``DedupeJob.settle`` and ``after_run``: the merges confirmed in the
merge record, the state's index installed, the result files written, the job's status
set) does its file and store work off the event loop, and so do its load's writes (the
job's store, the plan's index, the merges intended): none of it runs on a thread with a
running loop. The sandbox, one apply of a plan with two merges."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

import jobs
import jobs.dedupe.api as dedupe_api
import jobs.dedupe.merge_job as merge_job
import jobs.merged_deals as merged_deals
from bulk.sandbox import SandboxConfig
from jobs.prepared import Prepared
from tests.dedupe_job_support import seed_account
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox


def _on_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def test_the_end_of_a_dedupe_run_is_off_the_loop(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Each blocking step of the run's end is called, and never on the loop's thread."""
    seen: dict[str, list[bool]] = {}

    def watched(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            seen.setdefault(name, []).append(_on_loop())
            return fn(*args, **kwargs)
        return call

    for name in ("record_confirmed", "confirm_merges", "settle_index", "write_job_results"):
        monkeypatch.setattr(merge_job, name, watched(name, getattr(merge_job, name)))
    # the merge record's append (its file, and a shared coordinator's Redis)
    monkeypatch.setattr(merged_deals, "record", watched("record", merged_deals.record))
    for name in ("record_intended", "save_plan_index"):  # the load's
        monkeypatch.setattr(dedupe_api, name, watched(name, getattr(dedupe_api, name)))
    monkeypatch.setattr(Prepared, "save", watched("Prepared.save", Prepared.save))
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        cfg = engine_config(sb, tmp_path / "j")
        plan = anyio.run(lambda: jobs.plan_dedupe(cfg, sb.token, tmp_path / "plan"))
        done = anyio.run(lambda: jobs.apply_dedupe(cfg, sb.token, plan.directory,
                                                   confirm=lambda q: True))
    assert done.status == "finished" and done.merged == 2, done
    assert set(seen) >= {"record_confirmed", "confirm_merges", "settle_index",
                         "write_job_results", "record", "record_intended",
                         "save_plan_index", "Prepared.save"}, seen
    assert not any(any(calls) for calls in seen.values()), seen
