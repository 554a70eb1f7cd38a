"""`pdbulk status` of a live job waiting for the daily reset (`--wait-for-reset`) says it
waits, since when and until when (f23b 3: it showed the stored status, "running")."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
from typer.testing import CliRunner

from bulk.engine import Engine, EngineConfig
from bulk.sandbox import SandboxConfig
from bulk.scheduler import BudgetPolicy
from bulk.store import JobStore
from jobs.touch import TouchJob, touch_items
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox


def test_status_says_a_job_waits_for_the_daily_reset(tmp_path: Path) -> None:
    """A job whose budget ran out under --wait-for-reset: status (text and --json) reads
    "waiting for the daily reset" with the next check, not "running"; once the run
    ends the wait is gone from the job."""
    with ThreadedSandbox(SandboxConfig(plan="growth", deals=20, seed=1, daily_tokens=30,
                                       time_scale=0.02)) as sb:
        cfg = EngineConfig(base_url=sb.url, plan="growth", window=0.04, job_root=tmp_path,
                           daily_tokens=30, budget=BudgetPolicy(wait_for_reset=True),
                           timeout=5.0)
        store = JobStore.create(tmp_path / "waits", job_id="waits", kind="touch",
                                config={"engine": cfg.to_json()})
        store.add_items(touch_items(range(1, 21), {"probability": 42}))
        seen: dict[str, object] = {}

        async def main() -> None:
            async with Engine.open(cfg, sb.token, store=store) as engine:
                async def watch() -> None:
                    with anyio.fail_after(20):
                        # the budget spent, a call waiting, and the reset wait begun: its
                        # meta written (Engine.open's on_reset_wait), which status reads
                        for _ in range(1000):
                            stats = engine.scheduler.statistics()
                            began = engine.scheduler.reset_wait is not None
                            if stats.waiting and stats.usable_today == 0 and began:
                                break
                            await anyio.sleep(0.02)
                    runner = CliRunner()
                    text = await anyio.to_thread.run_sync(lambda: runner.invoke(
                        app, ["status", "waits", "--job-dir", str(tmp_path)]))
                    as_json = await anyio.to_thread.run_sync(lambda: runner.invoke(
                        app, ["status", "waits", "--job-dir", str(tmp_path), "--json"]))
                    seen["text"], seen["json"] = text.output, as_json.output
                    engine.request_stop(reason="test over")

                async with anyio.create_task_group() as tg:
                    tg.start_soon(watch)
                    await engine.run(TouchJob())
        anyio.run(main)
    text = str(seen["text"])
    assert "(touch): waiting for the daily reset" in text, text
    assert "next check whether its day began at" in text and "UTC" in text, text
    info = json.loads(str(seen["json"]))
    assert info["state"] == "waiting for the daily reset", info
    assert info["status"] == "running"
    assert info["waiting"]["next_check"] > info["waiting"]["since"] > 0, info
    assert "daily" in info["waiting"]["reason"], info
    store.close()
    with JobStore.open(tmp_path / "waits", lock=False) as after:
        assert after.meta_get("run.reset_wait") is None  # the run ended: it waits no more
        assert after.liveness() == "stopped"


def test_a_resume_waiting_in_its_reread_is_waiting_not_stopped(tmp_path: Path) -> None:
    """x24r5 F3: `pdbulk resume J --wait-for-reset` of a stopped job waited for the reset
    in its re-read (before the job runs again); status said "stopped" with the old run's
    error. A live process holding the job and a wait written: waiting. Its process gone
    (the wait written, no lock held): the stored status again."""
    from bulk.store import RESET_WAIT_META

    holder = JobStore.create(tmp_path / "j", job_id="j", kind="touch", config={})
    for status in ("running", "stopped"):
        holder.set_status(status)
    holder.meta_put(RESET_WAIT_META, {"since": 1.0, "until": 2.0, "probing": True,
                                      "reason": "the daily budget is spent"})
    with JobStore.open(tmp_path / "j", lock=False) as look:
        assert look.liveness() == "waiting for the daily reset"
    holder.close()
    with JobStore.open(tmp_path / "j", lock=False) as look:
        assert look.liveness() == "stopped"
