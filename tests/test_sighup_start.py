"""x17r3 F1: SIGHUP (the terminal closed) 1-3 s after `pdbulk resume J` started, while it
re-read its deals (before the run's own handler), killed the process silently (shell
code 129), where SIGTERM / SIGINT gave the "checkpointed" line and exit 4. SIGHUP is
taken from the very start of every command, as SIGTERM is (``pdbulk.entry``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bulk.store import JobStore

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP here")


@pytest.fixture()
def not_taken() -> Iterator[list[int]]:
    """A SIGHUP handler standing in for the default (which would kill the test process):
    it records the signal and returns, as if nobody had taken SIGHUP."""
    seen: list[int] = []
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGHUP, signal.SIGTERM)}
    signal.signal(signal.SIGHUP, lambda signum, frame: seen.append(signum))
    try:
        yield seen
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


@pytest.mark.parametrize("cmd", ["resume", "retry"])
def test_sighup_while_a_resume_re_reads_is_exit_4_checkpointed(
        tmp_path: Path, cmd: str, not_taken: list[int], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Through the real entry point: SIGHUP during the re-read (before the run's handler)
    ends in the "checkpointed" line and exit 4, as SIGTERM does."""
    import pdbulk.cli as cli
    from pdbulk import entry

    JobStore.create(tmp_path / "old", job_id="old", kind="update", config={}).close()

    def re_reading(*args: Any, **kw: Any) -> Any:
        os.kill(os.getpid(), signal.SIGHUP)
        time.sleep(0.05)  # the handler runs at the next bytecode boundary
        raise AssertionError(f"SIGHUP was not taken (seen by the stand-in: {not_taken})")

    monkeypatch.setattr(cli, "preflight", lambda token, store: None)
    monkeypatch.setattr(cli, "_kind_of", lambda store: object())
    monkeypatch.setattr(cli, "run_loop", re_reading)
    monkeypatch.setattr(sys, "argv", ["pdbulk", cmd, "old", "--job-dir", str(tmp_path)])
    monkeypatch.setenv("PIPEDRIVE_API_TOKEN", "tok")
    with pytest.raises(SystemExit) as exit_info:
        entry.main()
    assert exit_info.value.code == 4
    err = capsys.readouterr().err
    assert "pdbulk: interrupted; job old is checkpointed" in err and "Traceback" not in err


@pytest.mark.parametrize("sig", ["SIGHUP", "SIGTERM"])
def test_a_signal_while_a_plan_reads_the_account_is_one_line(tmp_path: Path, sig: str) -> None:
    """A real process (`python -m pdbulk plan move-stage`) hung up (or terminated) while
    its first read waits for the account: one line, exit 1, nothing sent — not a death
    by SIGHUP, nor typer's silent exit 130."""
    asked = threading.Event()
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.set()
            release.wait(30)
            self.send_response(500)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pdbulk", "plan", "move-stage", "--to-stage", "Won",
         "--stage", "Lead In", "--url", url, "--job-dir", str(tmp_path / "jobs")],
        env={**os.environ, "PIPEDRIVE_API_TOKEN": "tok", "PDBULK_STATE_DIR":
             str(tmp_path / "state")},
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert asked.wait(30), "the command never read the account"
        proc.send_signal(getattr(signal, sig))
        out, err = proc.communicate(timeout=30)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        server.shutdown()
        server.server_close()
    assert proc.returncode == 1, (proc.returncode, out, err)
    assert err.count("pdbulk: ") == 1 and "nothing" in err and "Traceback" not in err, err
