"""``request_stop`` (the engine's and the runner's) refuses arguments of the wrong type with
a clear TypeError (x20r3 F2: ``engine.request_stop("shutting down")`` took the text for the
error the job stopped on)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.store import JobStore


@pytest.mark.anyio
async def test_request_stop_refuses_a_wrong_type(tmp_path: Path) -> None:
    """``Engine.request_stop("why")`` raises a TypeError naming ``reason=``; a reason that
    is no str and an error that is no BulkError are refused too; nothing is stopped."""
    from bulk.engine import Engine, EngineConfig
    from bulk.transport import MockTransport

    cfg = EngineConfig(base_url="http://127.0.0.1:9", plan="growth")
    store = JobStore.create(tmp_path / "j", job_id="j", kind="touch", config={})
    async with Engine.open(cfg, "tok", store=store,
                           transport=MockTransport(lambda request: None)) as engine:
        with pytest.raises(TypeError, match=r"not str \(a reason is text: request_stop"):
            engine.request_stop("shutting down")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="reason must be a str or None, not int"):
            engine.request_stop(reason=3)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="error must be a BulkError"):
            engine.request_stop(ValueError("x"))  # type: ignore[arg-type]
        assert not engine.stopping
        engine.request_stop(reason="shutting down")
        assert engine.stopping
    store.close()
