"""A stop signal before the command's engine is opened (an ``import --wait-for-reset`` waiting
for the company's reset in its opening call, the engine not yet handed to the handler):
the first signal ends the load (KeyboardInterrupt: "interrupted while loading"), a repeated
SIGTERM (GNU ``timeout`` signals the process, then its group) is the same stop and lets the
loop's clean-up finish (x51r5 F2: the second one raised inside asyncio's cancellation of the
pending tasks: an anyio ``KeyError`` traceback, "Task was destroyed but it is pending!",
"Unclosed client session")."""

from __future__ import annotations

import os
import signal
from typing import Any

import anyio
import pytest

from bulk.engine import Engine
from bulk.loop import run_loop
from pdbulk.options import install_stop


def test_a_repeated_sigterm_before_the_engine_opens_lets_the_clean_up_finish() -> None:
    cleaned: list[str] = []

    async def waiting() -> None:  # the opening call waiting for the reset, then cut short
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(anyio.sleep, 30)
                os.kill(os.getpid(), signal.SIGTERM)  # timeout's signal to the process
                await anyio.sleep(30)
        finally:
            with anyio.CancelScope(shield=True):
                os.kill(os.getpid(), signal.SIGTERM)  # ... and to its group, at once
                await anyio.sleep(0.05)  # the clean-up's awaits (Redis, the HTTP session)
                cleaned.append("closed")

    box: list[Engine] = []
    before = signal.getsignal(signal.SIGTERM)
    restore = install_stop(box)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_loop(waiting)
    finally:
        restore()
        signal.signal(signal.SIGTERM, before)
    assert cleaned == ["closed"]


def test_a_ctrl_c_a_second_after_the_first_signal_still_aborts(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The abort stays: a Ctrl-C ``ABORT_AFTER`` seconds after the first stop raises again."""
    import time

    import pdbulk.options as options

    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    box: list[Engine] = []
    restore = install_stop(box)
    try:
        handler: Any = signal.getsignal(signal.SIGINT)
        with pytest.raises(KeyboardInterrupt):
            handler(signal.SIGTERM, None)
        handler(signal.SIGTERM, None)  # the same stop: nothing raised
        handler(signal.SIGINT, None)  # within the second: the same stop
        now[0] += options.ABORT_AFTER
        with pytest.raises(KeyboardInterrupt):
            handler(signal.SIGINT, None)
    finally:
        restore()
