"""An import's run history (``runs`` in summary.json and ``pdbulk status --json``): every
run is listed — cancelled, stopped, killed or finished — with its start, end, outcome,
tokens and the rows it settled by reconciliation."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import anyio
import orjson
import pytest
from typer.testing import CliRunner

from bulk.engine import Engine, EngineConfig
from bulk.runner import RunStats
from bulk.sandbox import Faults, SandboxConfig, serve
from bulk.store import JobStore
from jobs import kind_for
from jobs.demo_data import write_demo_export
from jobs.import_load import META_RUNS
from pdbulk.cli import app
from tests.import_support import import_stopped_before_sending, resume_job

pytestmark = pytest.mark.anyio


async def test_a_cancelled_run_is_listed_with_its_outcome_and_tokens(tmp_path: Path) -> None:
    """A run stopped before its first send, one cancelled by its library caller mid-run
    (as a second Ctrl-C cancels it) and the resume that finishes: three entries, each with
    start, end, outcome and its own tokens (x22r2: only runs ``after_run`` saw were listed,
    without start, outcome or tokens)."""
    export = write_demo_export(tmp_path / "in", rows=60)
    async with serve(SandboxConfig(time_scale=0.02, seed=7)) as sb:
        store, _ = await import_stopped_before_sending(
            sb, tmp_path / "jobs", export.manifest, export.mapping, mode="insert")
        directory = store.directory
        kind = kind_for(store)
        # two workers, 100 ms a deal: the cancel comes with most rows still to send
        config = dataclasses.replace(EngineConfig.from_json(store.config["engine"]),
                                     max_workers=2)
        sb.set_faults(Faults(latency_ms=100.0, only_operations=frozenset({"addDeal"})))
        async with Engine.open(config, sb.token, store=store) as engine:
            with anyio.CancelScope() as scope:

                def cancel(stats: RunStats) -> None:
                    if stats.done:  # some rows sent: the caller cancels the run
                        scope.cancel()

                await engine.run(kind, on_progress=cancel)
        assert scope.cancelled_caught
        sb.set_faults(Faults())
        runs: list[dict[str, Any]] = store.meta_get(META_RUNS) or []
        store.close()
        assert [r["outcome"] for r in runs] == ["stopped", "interrupted"], runs
        assert runs[1]["tokens"] > 0 and runs[1]["ended"] != "unknown"
        store, result = await resume_job(sb, directory)
        try:
            assert not result.stopped
            summary = orjson.loads((directory / "summary.json").read_bytes())
            runs = summary["runs"]
            assert [r["outcome"] for r in runs] == ["stopped", "interrupted", "finished"]
            assert all(r["started"] <= r["ended"] for r in runs)
            # the first run stopped before its first send: its load's pulls are its tokens
            assert runs[2]["tokens"] > 0 and runs[0]["tokens"] > 0
            assert sum(r["tokens"] for r in runs) == summary["tokens"], (runs, summary["tokens"])
            assert sum(r["reconciled"] for r in runs) == summary["reconciled_rows"]
        finally:
            store.close()
        shown = CliRunner().invoke(app, ["status", directory.name, "--job-dir",
                                         str(directory.parent), "--json"])
        assert shown.exit_code == 0, shown.output
        assert orjson.loads(shown.stdout)["runs"] == runs


async def test_the_runs_tokens_add_up_to_the_job_and_the_sandbox(tmp_path: Path) -> None:
    """Every token the job spent is one run's: a load stopped before its first send, a run
    killed mid-way (its entry never finished, rows left in doubt, responses lost) and a
    resume that re-reads before it sends — the entries' ``tokens`` add up to the job's
    ``tokens`` and to what the sandbox charged (x23: 701 of 781, the load's pulls and the
    resume's re-read in no entry)."""
    export = write_demo_export(tmp_path / "in", rows=60)
    async with serve(SandboxConfig(time_scale=0.02, seed=7)) as sb:
        store, _ = await import_stopped_before_sending(
            sb, tmp_path / "jobs", export.manifest, export.mapping, mode="insert")
        directory = store.directory
        kind = kind_for(store)

        async def killed(*args: Any) -> None:  # a kill -9: the entry is never finished
            return None

        kind.run_ended = killed  # type: ignore[method-assign]
        config = dataclasses.replace(EngineConfig.from_json(store.config["engine"]),
                                     max_workers=2)
        sb.set_faults(Faults(latency_ms=50.0, lost_response_rate=0.3,
                             only_operations=frozenset({"addDeal"})))
        async with Engine.open(config, sb.token, store=store) as engine:
            with anyio.CancelScope() as scope:

                def cancel(stats: RunStats) -> None:
                    if stats.done >= 10:
                        scope.cancel()

                await engine.run(kind, on_progress=cancel)
        sb.set_faults(Faults())
        store.mark_sending([i.id for i in store.pending(5)], 0.0)  # in flight at the kill
        store.close()
        store, result = await resume_job(sb, directory, reread=True)
        try:
            assert not result.stopped and result.stats.reconciled >= 5
            summary = orjson.loads((directory / "summary.json").read_bytes())
            runs = summary["runs"]
            assert [r["outcome"] for r in runs] == ["stopped", "unknown", "finished"], runs
            assert all(r.get("tokens", 0) > 0 for r in runs), runs
            charged = sb.stats()["tokens_spent"]
            assert sum(r["tokens"] for r in runs) == summary["tokens"] == charged, (
                runs, summary["tokens"], charged)
            assert runs[2]["tokens"] == summary["tokens_this_run"]
        finally:
            store.close()


def test_a_run_that_never_ended_says_so(tmp_path: Path) -> None:
    """A run's entry is written as it starts: one that never finished it (a kill -9)
    stays ``ended: unknown``, and the next run's entry is added after it."""
    from jobs.import_load import end_run, start_run

    store = JobStore.create(tmp_path / "j", job_id="j", kind="import", config={})
    try:
        killed = start_run(store)
        index = start_run(store)
        end_run(store, index, None, RunStats(), 1.5)
        runs = store.meta_get(META_RUNS)
        assert (killed, index) == (0, 1)
        assert runs[0]["ended"] == "unknown" and runs[0]["outcome"] == "unknown"
        assert runs[1]["outcome"] == "interrupted" and runs[1]["seconds"] == 1.5
    finally:
        store.close()


def test_a_take_back_larger_than_the_run_s_spend_comes_off_the_runs_before(
        tmp_path: Path) -> None:
    """y54r3 F3 (s2): a resume that only took back what the run before it charged ahead
    and never used (``bulk.ledger.take_back_unused``: the ledger lowered by 15) had its
    entry clamped at 0, so the runs' tokens summed to 4,675 against a job total of 4,660.
    The take-back is the earlier runs': off their entries, the latest first."""
    from jobs.import_load import end_run, start_run

    store = JobStore.create(tmp_path / "j", job_id="j", kind="import", config={})
    try:
        for earlier in (100, 40):
            index = start_run(store)
            store.record([], [("2026-01-01", "addDeal", earlier, earlier // 5)], None)
            end_run(store, index, None, RunStats(), 1.0)
        index = start_run(store)
        store.correct_earlier([("2026-01-01", "addDeal", -55, -11)], {})
        end_run(store, index, None, RunStats(), 1.0)
        runs = store.meta_get(META_RUNS)
        total = sum(t for t, _ in store.spend_by_operation().values())
        assert total == 85
        assert [r["tokens"] for r in runs] == [85, 0, 0]
        assert sum(r["tokens"] for r in runs) == total
    finally:
        store.close()
