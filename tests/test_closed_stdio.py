"""A command started with stdin (and stdout) closed, as from cron with ``<&- >&-``: the
closed fds get /dev/null at start, so no socket or pipe takes fd 0-2 and uvloop never
aborts (x24r4 3: exit 134, ``uv__close: Assertion 'fd > STDERR_FILENO' failed``)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulk.sandbox import Sandbox, SandboxConfig
from tests.sandbox_helpers import threaded_sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with threaded_sandbox(SandboxConfig(deals=30, seed=7, time_scale=0.02)) as sb:
        yield sb


def _run(sb: Sandbox, argv: list[str], closing: str) -> subprocess.CompletedProcess[str]:
    """``pdbulk argv`` with the fds ``closing`` (a shell redirection such as ``<&-``) closed."""
    cmd = shlex.join([sys.executable, "-m", "pdbulk", *argv])
    return subprocess.run(["/bin/sh", "-c", f"exec {cmd} {closing}"], capture_output=True,
                          text=True, timeout=120, check=False,
                          env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})


@pytest.mark.parametrize("closing", ["<&-", "<&- >&-"])
def test_networked_commands_run_with_stdin_and_stdout_closed(
        sandbox: Sandbox, tmp_path: Path, closing: str) -> None:
    """``dedupe run --since-last --json``, ``dedupe plan``, ``plan dedupe`` and ``jobs`` with
    stdin closed (and stdout closed): exit 0 (1 with stdout closed, one line saying so), no
    abort, no traceback; the JSON line is written when stdout is open."""
    common = ["--url", sandbox.url, "--job-dir", str(tmp_path / "jobs")]
    for argv in (["dedupe", "run", "--since-last", "--json", *common],
                 ["dedupe", "plan", "-o", str(tmp_path / "plan"), *common],
                 ["plan", "dedupe", *common]):
        res = _run(sandbox, argv, closing)
        # a stdout closed at start is stdout that cannot be written: exit 1, one line
        # (x31r2 2: exit 0, nothing said)
        lost = ">&-" in closing.split()
        assert res.returncode == (1 if lost else 0), (argv, res.returncode, res.stderr)
        assert res.stderr.count("stdout cannot be written (closed at start)") == lost, \
            (argv, res.stderr)
        for wrong in ("Assertion", "Traceback", "uv__close"):
            assert wrong not in res.stderr, (argv, res.stderr)
        if argv[1] == "run" and ">&-" not in closing:
            assert json.loads(res.stdout.splitlines()[-1])["exit_code"] == 0, res.stdout
