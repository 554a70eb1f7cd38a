"""Every entry point started with fd 0, 1 or 2 closed (``<&-``, ``>&-``, ``2>&-``: Python
sets that ``sys`` stream to None), and the library with no stderr (x31r2 1-2). A closed
stderr changes nothing but the lines dropped; a closed stdout is stdout that cannot be
written: exit 1, one line on stderr. Before: ``python -m pdbulk.demo 2>&-`` stopped its
import ("AttributeError: 'NoneType' object has no attribute 'isatty'") and exited 1 with no
reason; ``>&-`` exited 0 with no line."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from bulk.progress import ProgressView
from bulk.runner import RunStats

ROOT = Path(__file__).resolve().parent.parent
LOST = "stdout cannot be written (closed at start)"


def _run(argv: list[str], closing: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    """``python argv`` with the fds ``closing`` (a shell redirection) closed; stdout and
    stderr read when open."""
    cmd = shlex.join([sys.executable, *argv])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PDBULK_STATE_DIR": str(tmp / "state"),
           "PIPEDRIVE_API_TOKEN": "sandbox-token"}
    return subprocess.run(["/bin/sh", "-c", f"exec {cmd} {closing}"], capture_output=True,
                          text=True, timeout=120, check=False, env=env, cwd=tmp)


ENTRIES = [["-m", "pdbulk", "jobs", "--job-dir", "jobs"], ["-m", "pdbulk.demo", "--help"],
           ["-m", "bulk.sandbox", "--help"], ["-m", "benchmarks", "--help"]]


@pytest.mark.parametrize("argv", ENTRIES, ids=lambda a: a[1])
@pytest.mark.parametrize("closing", ["<&-", "2>&-", ">&-", "<&- >&- 2>&-"])
def test_each_entry_point_with_a_standard_fd_closed(tmp_path: Path, argv: list[str],
                                                    closing: str) -> None:
    """stdin or stderr closed: exit 0, no traceback; stdout closed: exit 1 and one line on
    stderr saying so (none when stderr is closed too)."""
    res = _run(argv, closing, tmp_path)
    assert "Traceback" not in res.stderr, res.stderr
    if ">&-" in closing.split():
        assert res.returncode == 1, (res.returncode, res.stderr)
        said = [line for line in res.stderr.splitlines() if LOST in line]
        assert len(said) == (0 if "2>&-" in closing.split() else 1), res.stderr
    else:
        assert res.returncode == 0, (res.returncode, res.stderr)
        assert res.stdout.strip(), res.stdout
    if closing == "2>&-" or closing == "<&-":
        assert LOST not in res.stderr, res.stderr


def test_the_demo_with_stderr_closed_imports_and_dedupes(tmp_path: Path) -> None:
    """``python -m pdbulk.demo 2>&-``: the import runs, the dedupe too, exit 0 (before:
    exit 1, the import stopped before its first write on an AttributeError)."""
    res = _run(["-m", "pdbulk.demo", "--rows", "20", "--latency-ms", "0", "--jitter-ms", "0",
                "--out", str(tmp_path / "d")], "2>&-", tmp_path)
    assert res.returncode == 0, res.stdout[-2000:]
    assert "dedupe review page:" in res.stdout, res.stdout[-2000:]
    assert "exit code 1" not in res.stdout, res.stdout[-2000:]


def test_a_progress_view_with_no_stderr_shows_nothing(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    """A program embedding the engine started with ``2>&-`` (``sys.stderr`` None): the
    progress view neither fails nor writes anywhere else."""
    monkeypatch.setattr(sys, "stderr", None)
    with ProgressView(3, label="import") as view:
        view.update(RunStats(), final=False)
        view.update(RunStats(), final=True)
    assert capsys.readouterr().out == ""
