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


@pytest.mark.anyio
async def test_a_stop_after_every_item_settled_finishes_the_job(tmp_path: Path,
                                                               capsys: Any) -> None:
    """x19r1 F9: a signal once every item has settled (the kind's ``finish``, then while
    the result files are written) leaves nothing to resume: the job ends "finished", not
    "stopped", and its result lines are all written."""
    from bulk.engine import Engine
    from bulk.store import ItemState, JobStore
    from jobs.touch import TouchJob, touch_items
    from pdbulk.options import execute_async
    from tests.import_support import engine_config

    async with serve(SandboxConfig(deals=5, time_scale=0.02, seed=7)) as sb:
        store = JobStore.create(tmp_path / "J", job_id="J", kind="touch", config={})
        store.add_items(touch_items([1, 2, 3], {"probability": 7}))
        engine_box: list[Engine] = []

        class LateSignal(TouchJob):
            async def finish(self) -> None:  # every item settled: a Ctrl-C now
                engine_box[0].request_stop(reason="stopped by SIGINT")

            def after_run(self, store: JobStore, result: Any) -> list[str]:
                os.kill(os.getpid(), signal.SIGINT)  # and one while the files are written
                return ["first line", "last line"]

        try:
            async with Engine.open(engine_config(sb, tmp_path), sb.token, store=store) as s:
                engine_box.append(s)
                result = await execute_async(s, LateSignal(), label="touch")
            assert not result.stopped and store.status == "finished", store.status_message
            assert result.counts.get(ItemState.DONE) == 3
            out = capsys.readouterr().out
            assert "first line" in out and "last line" in out, out
        finally:
            store.close()
