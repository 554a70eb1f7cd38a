"""A job stopped on request (a signal) before it finished says why in its status message
(``pdbulk status``'s ``message``), not null (x18r3)."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.demo_data import write_demo_export


@pytest.mark.anyio
@pytest.mark.parametrize("reason", ["stopped by SIGTERM", None])
async def test_a_job_stopped_before_any_write_says_why(tmp_path: Path,
                                                       reason: str | None) -> None:
    """Stopped right after its load (nothing sent): status stopped, and the message names
    the signal (or says it was asked to stop) and that pdbulk resume sends the rest."""
    from tests.import_support import import_stopped_before_sending

    export = write_demo_export(tmp_path / "in", rows=5, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=7)) as sb:
        # loaded: a signal before the first send
        store, result = await import_stopped_before_sending(
            sb, tmp_path / "jobs", export.manifest, export.mapping, mode="insert", job_id="J",
            reason=reason)
        assert result.stopped and store.status == "stopped"
        message = store.status_message
        assert message is not None, message
        assert (reason or "stopped on request") in message and "pdbulk resume" in message
        assert sb.stats()["requests_by_operation"].get("addDeal", 0) == 0
        store.close()


def test_the_cli_stop_handler_names_the_signal() -> None:
    """SIGTERM to a command with a run under way (``install_stop``): the engine is asked to
    stop with the reason "stopped by SIGTERM"."""
    from pdbulk.options import install_stop

    asked: list[Any] = []

    class Engine:
        def request_stop(self, error: Any = None, *, reason: str | None = None) -> None:
            asked.append(reason)

    restore = install_stop([Engine()])  # type: ignore[list-item]
    try:
        os.kill(os.getpid(), signal.SIGTERM)
    finally:
        restore()
    assert asked == ["stopped by SIGTERM"]
