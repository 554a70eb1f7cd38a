"""Commands whose reader goes away, and the sandbox on a busy port: no traceback, no noise."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bulk.store import JobStore


def _run_into_closed_pipe(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """``argv`` with stdout a pipe whose reader has already gone (``… | head -0``)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "pdbulk", *argv], stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=60, check=False)
    finally:
        os.close(write)


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_a_reader_gone_ends_the_command_quietly(tmp_path: Path, extra: list[str]) -> None:
    """``pdbulk status J | head -3``: EPIPE on stdout stops the command with no message
    on stderr (not "pdbulk: Broken pipe", not a traceback) and a non-zero exit."""
    JobStore.create(tmp_path / "j1", job_id="j1", kind="touch", config={}, lock=False).close()
    for argv in (["jobs"], ["status", "j1", *extra]):
        res = _run_into_closed_pipe([*argv, "--job-dir", str(tmp_path)])
        assert res.returncode != 0, argv
        assert res.stderr == "", (argv, res.stderr)


def test_the_sandbox_on_a_busy_port_says_so_in_one_line() -> None:
    """``python -m bulk.sandbox --port <busy>``: exit 1 and one line naming the port and
    what to do, no OSError traceback."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = subprocess.run([sys.executable, "-m", "bulk.sandbox", "--port", str(port)],
                             capture_output=True, text=True, timeout=60, check=False)
    assert res.returncode == 1
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert f"port {port} on 127.0.0.1 is already in use" in lines[0], lines
    assert "Traceback" not in res.stderr and res.stdout == ""
