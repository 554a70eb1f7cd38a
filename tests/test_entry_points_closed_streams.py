"""Every entry point keeps going when its stdout or stderr can no longer be written
(``bulk.stdio``): ``python -m`` of each package with a ``__main__`` (pdbulk, bulk.sandbox,
benchmarks), the demo and the console script. f31e: ``python -m bulk.sandbox | head -1``
(its URL, then the reader gone) stopped the sandbox ("Broken pipe", exit 1) and ``python
-m pdbulk.demo | head`` ended in a BrokenPipeError traceback at its first line, where
``pdbulk sandbox`` served on."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# python -m NAME for each: the packages with a __main__, and the demo (make demo)
ENTRY_POINTS = ["pdbulk", "bulk.sandbox", "benchmarks", "pdbulk.demo"]


def _closed_pipe() -> int:
    """The write end of a pipe whose reader has gone."""
    read, write = os.pipe()
    os.close(read)
    return write


def test_the_list_holds_every_package_with_a_main() -> None:
    """A package given a ``__main__`` later is tested here too."""
    mains = {str(p.parent.relative_to(ROOT)).replace("/", ".")
             for top in ("bulk", "jobs", "pdbulk", "benchmarks")
             for p in (ROOT / top).rglob("__main__.py")}
    assert mains <= set(ENTRY_POINTS), mains


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_help_into_a_closed_pipe_is_no_traceback(module: str) -> None:
    """``python -m X --help | head -0``: no traceback, no "Exception ignored", exit 1 (the
    output was lost, as README's exit codes say for pdbulk)."""
    write = _closed_pipe()
    try:
        done = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT, stdout=write,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                              timeout=60, check=False)
    finally:
        os.close(write)
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert done.returncode == 1, (done.returncode, done.stderr)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.slow
@pytest.mark.parametrize("closed", ["stdout", "stderr"])
def test_the_sandbox_serves_on_with_a_stream_closed(closed: str) -> None:
    """``python -m bulk.sandbox | head -1`` (or ``2>&1 | head -1``): the sandbox answers
    calls after its reader left, and exits 1 on SIGTERM (stdout lost) or 0 (stderr alone
    lost), with no traceback."""
    port = _free_port()
    write = _closed_pipe()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "bulk.sandbox", "--port", str(port),
                                 "--deals", "3", "--token", "t0k"], cwd=ROOT,
                                stdout=write if closed == "stdout" else subprocess.DEVNULL,
                                stderr=write if closed == "stderr" else subprocess.PIPE,
                                stdin=subprocess.DEVNULL, text=True)
    finally:
        os.close(write)
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v2/deals?limit=500",
                                         headers={"x-api-token": "t0k"})
        deadline, answered = time.monotonic() + 20.0, None
        while answered is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(request, timeout=5) as resp:
                    answered = resp.status
            except OSError:
                time.sleep(0.1)
        assert proc.poll() is None, "the sandbox stopped"
        assert answered == 200
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    err = proc.stderr.read() if proc.stderr is not None else ""
    if proc.stderr is not None:
        proc.stderr.close()
    assert "Traceback" not in err and "Broken pipe" not in err, err
    assert code == (1 if closed == "stdout" else 0)


@pytest.mark.slow
def test_the_demo_runs_to_its_end_with_stdout_closed(tmp_path: Path) -> None:
    """``python -m pdbulk.demo | head -1``: the import and the dedupe run, their job folders
    written, exit 1 (the output was lost); no traceback."""
    write = _closed_pipe()
    out = tmp_path / "demo"
    env = {**os.environ, "PDBULK_STATE_DIR": str(tmp_path / "state")}
    try:
        done = subprocess.run([sys.executable, "-m", "pdbulk.demo", "--rows", "20",
                               "--latency-ms", "0", "--jitter-ms", "0", "--out", str(out)],
                              cwd=ROOT, stdout=write, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True, timeout=240, check=False,
                              env=env)
    finally:
        os.close(write)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
    (job,) = (out / "jobs").iterdir()
    assert (job / "succeeded.csv").exists() and (job / "summary.json").exists()
