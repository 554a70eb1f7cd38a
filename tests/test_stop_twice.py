"""x31r3 1: GNU ``timeout`` (cron) sends SIGTERM to pdbulk and then to its process group,
so a run got two SIGTERMs milliseconds apart and took the second for "a second signal
aborts": `--json` said only ``{"error": "aborted"}``, no result files, no summary. A
repeated SIGTERM / SIGHUP is now the same stop; only a later Ctrl-C aborts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, cast

import orjson
import pytest

from bulk.engine import Engine
from bulk.sandbox import SandboxConfig
from pdbulk import options
from pdbulk.options import install_stop
from tests.sandbox_helpers import threaded_sandbox


class _Engine:
    def __init__(self) -> None:
        self.reasons: list[str | None] = []

    def request_stop(self, error: object = None, *, reason: str | None = None) -> None:
        self.reasons.append(reason)


def test_a_repeated_sigterm_is_the_same_stop_only_a_later_ctrl_c_aborts(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two SIGTERMs and a SIGHUP: one stop, no abort; a Ctrl-C within ``ABORT_AFTER``
    of the first signal: nothing more; a Ctrl-C after it: KeyboardInterrupt (the abort)."""
    engine = _Engine()
    restore = install_stop(cast(list[Engine], [cast(Any, engine)]))
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGTERM)
        if hasattr(signal, "SIGHUP"):
            os.kill(os.getpid(), signal.SIGHUP)
        os.kill(os.getpid(), signal.SIGINT)  # within the second: the same stop
        assert engine.reasons == ["stopped by SIGTERM"]
        monkeypatch.setattr(options, "ABORT_AFTER", 0.0)
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    finally:
        restore()


ROWS = 400


def test_timeouts_two_sigterms_stop_the_import_cleanly(tmp_path: Path) -> None:
    """`pdbulk import --json` sent SIGTERM twice 2 ms apart mid-run (as GNU timeout does):
    exit 4, the JSON carries the job id and folder, summary.json and the result files are
    written, no "aborted"; stderr's closing line says "stopped by SIGTERM"."""
    manifest, mapping, jobs = tmp_path / "d.csv", tmp_path / "m.toml", tmp_path / "jobs"
    manifest.write_text("Record ID,Deal Name,Amount\n" + "".join(
        f"R{i},Deal {i},{100 + i}\n" for i in range(ROWS)), encoding="utf-8")
    mapping.write_text('version = 1\n[import]\nkey_column = "Record ID"\n'
                       'key_field = "Import source key"\nmode = "insert"\n'
                       '[deal]\ntitle = "Deal Name"\nvalue = "Amount"\n', encoding="utf-8")
    with threaded_sandbox(SandboxConfig(time_scale=0.25, burst=10, seed=3)) as sb:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pdbulk", "import", str(manifest), "-m", str(mapping),
             "--create-key-field", "--json", "--url", sb.url, "--job-dir", str(jobs)],
            env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token,
                 "PDBULK_STATE_DIR": str(tmp_path / "state")},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        lines: list[str] = []
        running = threading.Event()

        def read() -> None:
            assert proc.stderr is not None
            for raw in proc.stderr:
                lines.append(raw.decode(errors="replace").rstrip("\n"))
                if "new persons" in lines[-1]:
                    running.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            assert running.wait(60), lines
            time.sleep(0.5)
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.002)
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
            assert proc.stdout is not None
            out = proc.stdout.read()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
            reader.join(5)
            for pipe in (proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()
    said = "\n".join(lines)
    assert proc.returncode == 4, said
    data = orjson.loads(out)
    assert data.get("job") and data.get("job_dir"), sorted(data)
    job_dir = Path(data["job_dir"])
    assert (job_dir / "summary.json").exists() and (job_dir / "unprocessed.csv").exists()
    assert "aborted" not in said and "Traceback" not in said, said
    # x31r3 2: one wording everywhere — stderr's closing line is the job's status message
    summary = orjson.loads((job_dir / "summary.json").read_bytes())
    stopped = [line for line in lines if line.startswith("stopped")]
    assert stopped == [summary["message"]], (stopped, summary.get("message"))
    assert stopped[0].startswith("stopped by SIGTERM before it finished"), stopped


def test_a_ctrl_c_soon_after_the_runs_stop_is_that_stop_for_the_loads_handler_too(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """x52r8 F4: a Ctrl-C, the run stopped and its handler put back the load's (no engine):
    a second Ctrl-C 0.3 s after the first was a first signal there and raised
    KeyboardInterrupt wherever the command was (a WeakSet callback: "Exception ignored
    ... raise KeyboardInterrupt"). It is the same stop now; only a Ctrl-C after
    ``ABORT_AFTER`` aborts."""
    engine = _Engine()
    outer = install_stop([])  # the load's, until the run's own
    try:
        inner = install_stop(cast(list[Engine], [cast(Any, engine)]))
        try:
            os.kill(os.getpid(), signal.SIGINT)
        finally:
            inner()
        assert engine.reasons == ["stopped by SIGINT"]
        os.kill(os.getpid(), signal.SIGINT)  # within the second: nothing raised
        monkeypatch.setattr(options, "ABORT_AFTER", 0.0)
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    finally:
        outer()
