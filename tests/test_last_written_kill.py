"""Kill -9 in the middle of an upsert, resume it: every update the job made, those settled
by the killed run too, is in the three-way record at the resume's end (its end records
only the items not recorded yet: f32c 1), and the record's base keeps a colleague's edit
made after it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from jobs import last_written
from tests.sandbox_helpers import pdbulk_to_the_end
from tests.test_crash_resume import TOKEN, admin, stop, wait_for

N = 120
ARGS = ["--plan", "ultimate", "--deals", "0", "--seed", "5", "--latency-ms", "20",
        "--jitter-ms", "5", "--token", TOKEN]
MAPPING = """
version = 1
[import]
key_column = "ID"
mode = "upsert"
[defaults]
currency = "EUR"
[deal]
title = "Title"
value = "Amount"
"""


@pytest.fixture
def sandbox_url(tmp_path: Path) -> Iterator[str]:
    """``python -m bulk.sandbox`` (an empty Ultimate account) on a free port."""
    out_path = tmp_path / "sandbox.out"
    with out_path.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bulk.sandbox", "--host", "127.0.0.1",
                                 "--port", "0", *ARGS],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            def url() -> str | None:
                assert proc.poll() is None, out_path.read_text()
                for line in out_path.read_text().splitlines():
                    if "listening on " in line:
                        return line.rsplit(" ", 1)[-1]
                return None

            yield wait_for("the sandbox to start", url, 20)
        finally:
            stop(proc)


def _env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "PIPEDRIVE_API_TOKEN": TOKEN, "NO_COLOR": "1",
            "PDBULK_STATE_DIR": str(tmp / "state")}


def _argv(url: str, tmp: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pdbulk", *args, "--url", url, "--plan", "ultimate",
            "--job-dir", str(tmp / "jobs")]


def _manifest(tmp: Path, name: str, amount: int) -> Path:
    path = tmp / name
    path.write_text("ID,Title,Amount\n" + "".join(f"K{i},Deal {i},{amount + i}\n"
                                                 for i in range(N)))
    return path


def _updates(url: str) -> int:
    return int(admin(url, "/_sandbox/stats")["writes_applied"].get("updateDeal", 0))


@pytest.mark.slow
def test_a_killed_runs_updates_are_recorded_by_the_resume(sandbox_url: str,
                                                          tmp_path: Path) -> None:
    """Night 1 creates N deals; night 2 changes every amount and is killed (SIGKILL) after
    some updates; `pdbulk resume` finishes it: the record holds night 2's amount on all N
    deals (those the killed run settled too), once each."""
    (tmp_path / "m.toml").write_text(MAPPING)
    env, log = _env(tmp_path), (tmp_path / "cli.log").open("wb")
    with log:
        night1 = _argv(sandbox_url, tmp_path, "import", str(_manifest(tmp_path, "n1.csv", 100)),
                       "-m", str(tmp_path / "m.toml"), "--create-key-field")
        assert subprocess.run(night1, env=env, stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=60).returncode == 0
        before = _updates(sandbox_url)
        jobs = {p.name for p in (tmp_path / "jobs").iterdir()}
        night2 = _argv(sandbox_url, tmp_path, "import", str(_manifest(tmp_path, "n2.csv", 500)),
                       "-m", str(tmp_path / "m.toml"))
        job = subprocess.Popen(night2, env=env, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
        try:
            wait_for("some updates", lambda: _updates(sandbox_url) - before >= N // 3, 30)
            assert job.poll() is None, "the job ended before it could be killed"
            job.send_signal(signal.SIGKILL)
            assert job.wait(5) == -signal.SIGKILL
        finally:
            if job.poll() is None:
                job.kill()
                job.wait(5)
        assert _updates(sandbox_url) - before < N, "the kill came too late to prove anything"
        (killed,) = {p.name for p in (tmp_path / "jobs").iterdir()} - jobs
        # the resume, no kill cutting it, in this process (issue 8: a start-up less)
        resume = pdbulk_to_the_end(["resume", killed, "--job-dir", str(tmp_path / "jobs")],
                                   env)
        log.write((resume.stdout + resume.stderr).encode())
        log.flush()
        assert resume.returncode == 0, (tmp_path / "cli.log").read_text()[-3000:]
    conn = sqlite3.connect(tmp_path / "state" / "last-written.sqlite3")
    try:
        deals = [deal for _, deal, field, _, _, job in last_written._dump(conn)
                 if field == "value" and job == killed]
        values = (len(deals), len(set(deals)))
    finally:
        conn.close()
    assert tuple(values) == (N, N), (values, (tmp_path / "cli.log").read_text()[-2000:])
