"""``pdbulk.options.install_stop``: SIGINT, SIGTERM and SIGHUP all stop a run cleanly."""

from __future__ import annotations

import os
import signal
from typing import Any, cast

import pytest

from bulk.engine import Engine
from pdbulk.options import install_stop


class _Engine:
    def __init__(self) -> None:
        self.stops = 0

    def request_stop(self, error: object = None, *, reason: str | None = None) -> None:
        self.stops += 1


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
@pytest.mark.parametrize("name", ["SIGHUP", "SIGTERM"])
def test_hangup_stops_the_run_checkpointed_like_sigterm(name: str) -> None:
    """A closed terminal (SIGHUP) asks the engine to stop, as SIGTERM does; it used to
    kill the run at once (exit 129, the job left ``interrupted``: tester v9r5)."""
    sig = getattr(signal, name)
    seen: list[int] = []
    # a handler of our own underneath: the old code left SIGHUP to it (never the default,
    # which would kill the test process)
    before = signal.signal(sig, lambda signum, frame: seen.append(signum))
    engine = _Engine()
    try:
        restore = install_stop(cast(list[Engine], [cast(Any, engine)]))
        try:
            os.kill(os.getpid(), sig)
        finally:
            restore()
        assert engine.stops == 1 and seen == []
        os.kill(os.getpid(), sig)  # the handler underneath is back
        assert seen == [sig]
    finally:
        signal.signal(sig, before)
