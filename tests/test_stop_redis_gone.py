"""x21r1 F4: a coordinated import stopping while Redis went away stayed alive > 20 s after
"interrupted while loading", and a second signal printed "Exception ignored in: <module
'threading'> … KeyboardInterrupt" and exited 1. Closing a coordinator whose Redis does not
answer is bounded; a signal while the interpreter waits for a thread on its way out ends
the process at once with the command's exit code, no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bulk.clock import SystemClock
from bulk.coordinator import fingerprint
from bulk.coordinator_redis import RedisCoordinator
from tests.redis_helpers import running_redis

_ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timing  # a real-time bound: asserted in the serial pass (f39e)
@pytest.mark.anyio
@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
async def test_closing_a_coordinator_whose_redis_froze_is_bounded() -> None:
    """Redis stopped answering (frozen: no refusal, no answer) as the process closes:
    aclose gives up within about a second (it waited out 5-s socket timeouts and retries)."""
    with running_redis() as server:
        coord = RedisCoordinator(server.url, clock=SystemClock())
        await coord.start(fingerprint("close-token-0123456789"))
        coord.bind("42")
        assert server.proc is not None
        os.kill(server.proc.pid, signal.SIGSTOP)
        try:
            start = time.monotonic()
            await coord.aclose()
            took = time.monotonic() - start
        finally:
            os.kill(server.proc.pid, signal.SIGCONT)
        assert took < 2.0, took


_STUCK = """
import sys, threading, time, types
stub = types.ModuleType("pdbulk.cli")
def run():
    # a thread still running when the command ends: the interpreter joins it on its way out
    threading.Thread(target=time.sleep, args=(30,)).start()
    sys.stderr.write("pdbulk: interrupted while loading; nothing was sent\\n")
    sys.stderr.flush()
    sys.exit(2)
stub.main = run
sys.modules["pdbulk.cli"] = stub
from pdbulk.entry import main
main()
"""


@pytest.mark.timing  # a real-time bound: asserted in the serial pass (f39e)
@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_a_signal_while_the_process_waits_for_a_thread_at_exit_ends_it_cleanly() -> None:
    """The command said its outcome (exit 2); a SIGTERM while the interpreter waits for a
    thread left running ends the process at once: exit 2, no traceback."""
    proc = subprocess.Popen([sys.executable, "-c", _STUCK], cwd=_ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with proc:
        try:
            assert proc.stderr is not None
            assert "interrupted while loading" in proc.stderr.readline()
            time.sleep(0.5)  # (not a rate limit) the interpreter reaches its thread join
            start = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            rc = proc.wait(10)
            took = time.monotonic() - start
            err = proc.stderr.read()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    assert rc == 2, (rc, err)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert took < 5, took
