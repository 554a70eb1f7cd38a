"""A signal that escapes a job command after its run began says the job's state, never
"nothing was changed" (x52r3 F2: a second Ctrl-C / SIGTERM during the graceful stop's last
lines ended with `pdbulk: interrupted before anything was sent: nothing was changed`,
exit 1, after 37 deals were moved). The second signal is simulated by the command's last
lines raising KeyboardInterrupt (no real signal, no real waiting)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import JobStore
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_inflight_conflicts import SALES_OPEN, cli, load_move


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(time_scale=0.05, deals=30, seed=41)) as box:
        yield box


def cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """The resume's last lines (``finish``) are cut short by a second signal."""
    import pdbulk.cli as cli_module

    def finish(store: JobStore, result: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "finish", finish)


def test_a_signal_after_a_stopped_run_says_the_job_and_exit_4(
        sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A resume stopped by its --max-tokens with moves done and rows left, its last lines
    cut by a signal: `pdbulk: stopped: job mv: done 1 (moved 1), pending 2 — ...; resume
    with: ...`, exit 4 (was "nothing was changed", exit 1)."""
    jobs = tmp_path / "jobs"
    load_move(sb, tmp_path, jobs, SALES_OPEN, "Negotiations Started", "open")
    cut(monkeypatch)
    res = cli(sb, "resume", "mv", "--job-dir", str(jobs), "--max-tokens", "32")
    assert res.exit_code == 4, res.output
    assert "nothing was changed" not in res.output, res.output
    last = res.output.strip().splitlines()[-1]
    assert re.match(r"pdbulk: stopped: job mv: done [12] \(moved [12]\), pending [12] ", last), last
    assert f"resume with: pdbulk resume mv --job-dir {jobs}" in last, last


def test_a_signal_after_a_finished_run_says_its_outcome(
        sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every row settled, the last lines cut by a signal: the job's outcome line and code."""
    jobs = tmp_path / "jobs"
    load_move(sb, tmp_path, jobs, SALES_OPEN, "Negotiations Started", "open")
    cut(monkeypatch)
    res = cli(sb, "resume", "mv", "--job-dir", str(jobs))
    assert res.exit_code == 0, res.output
    assert "nothing was changed" not in res.output, res.output
    assert res.output.strip().splitlines()[-1].startswith("job mv: done 3 (moved 3)"), \
        res.output
