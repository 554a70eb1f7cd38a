"""bulk.loop: a job runs end to end on uvloop (what the CLI runs it on), and the choice
falls back to asyncio's loop when uvloop cannot be imported or is switched off."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from bulk.engine import Engine, EngineConfig
from bulk.loop import ENV, loop_factory, run_loop
from bulk.retry import RetryPolicy
from bulk.runner import RunResult
from bulk.sandbox import Faults, SandboxConfig
from bulk.store import ItemState, JobStore
from jobs.touch import TouchJob, touch_items
from tests.sandbox_helpers import threaded_sandbox

N = 120
FIELDS = {"value": 31337}
FAST_RETRY = RetryPolicy(attempts=10, base=0.002, cap=0.02, rate_limited_attempts=60)


def _loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__


def test_touch_job_runs_end_to_end_on_uvloop(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """120 PATCHes through 5xx, dropped connections and lost answers, on uvloop over real
    HTTP: every item DONE once, every deal written, no other loop involved."""
    pytest.importorskip("uvloop")
    monkeypatch.delenv(ENV, raising=False)
    faults = Faults(error_rate=0.05, drop_rate=0.03, lost_response_rate=0.05)
    config_sb = SandboxConfig(time_scale=0.02, deals=N + 5, seed=21, faults=faults)
    with threaded_sandbox(config_sb) as sb:
        config = EngineConfig(base_url=sb.url, plan="growth", window=0.04, job_root=tmp_path,
                              timeout=5.0)
        store = JobStore.create(tmp_path / "job", job_id="uvloop", kind="touch",
                                config={"engine": config.to_json()})
        store.add_items(touch_items(range(1, N + 1), FIELDS))
        seen: list[str] = []

        async def go() -> RunResult:
            seen.append(_loop_module())
            with anyio.fail_after(60):
                async with Engine.open(config, sb.token, store=store) as engine:
                    return await engine.run(TouchJob(), retry=FAST_RETRY)

        try:
            result = run_loop(go)
            assert seen == ["uvloop"]
            assert not result.stopped, result.error
            assert store.counts()[ItemState.DONE] == N
            deal_ids = sorted(item.result["deal_id"] for item in store.items(ItemState.DONE)
                              if item.result)
            assert deal_ids == list(range(1, N + 1))
        finally:
            store.close()
        rows = sb.state.deals.rows
        assert all(rows[i]["value"] == 31337 for i in range(1, N + 1))
        assert all(rows[i]["value"] != 31337 for i in range(N + 1, N + 6))
        injected: dict[str, Any] = sb.stats()["faults_injected"]
        assert injected.get("error", 0) + injected.get("drop", 0) > 0  # the faults were met


def test_falls_back_to_asyncio_without_uvloop(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvloop not importable (Windows): asyncio's own loop, silently."""
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setitem(sys.modules, "uvloop", None)  # ``import uvloop`` raises ImportError
    assert loop_factory() is None

    async def which() -> str:
        return _loop_module()

    assert run_loop(which).startswith("asyncio")


def test_environment_keeps_asyncio(monkeypatch: pytest.MonkeyPatch) -> None:
    """PDBULK_EVENT_LOOP=asyncio keeps asyncio's loop even where uvloop is installed."""
    pytest.importorskip("uvloop")
    monkeypatch.setenv(ENV, "asyncio")
    assert loop_factory() is None
    monkeypatch.setenv(ENV, "")
    assert loop_factory() is not None


def test_run_loop_returns_and_raises_what_the_function_does(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The value comes back; an exception comes out as itself."""
    monkeypatch.delenv(ENV, raising=False)

    async def add(a: int, b: int) -> int:
        await anyio.lowlevel.checkpoint()
        return a + b

    async def boom() -> None:
        raise LookupError("boom")

    assert run_loop(add, 2, 3) == 5
    with pytest.raises(LookupError, match="boom"):
        run_loop(boom)


def test_an_interrupt_inside_a_transport_callback_is_not_logged(
        caplog: pytest.LogCaptureFixture) -> None:
    """x13r1 F2: a SIGTERM whose KeyboardInterrupt was raised inside uvloop's
    ``data_received`` was logged by the loop ("Fatal error on transport", a traceback)
    before the command's own line. The loop a command runs on leaves interrupts to the
    command; any other error it logs as before."""
    import asyncio

    async def report() -> None:
        loop = asyncio.get_running_loop()
        loop.call_exception_handler({"message": "Fatal error on transport",
                                     "exception": KeyboardInterrupt()})
        loop.call_exception_handler({"message": "something else", "exception": ValueError("x")})

    with caplog.at_level("ERROR", logger="asyncio"):
        run_loop(report)
    messages = [r.getMessage() for r in caplog.records]
    assert not any("Fatal error on transport" in m for m in messages), messages
    assert any("something else" in m for m in messages), messages
