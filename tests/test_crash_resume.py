"""Kill -9 in the middle of a job, resume it: the end state is an uninterrupted run's.

Two processes: the sandbox (its own process, so the kill cannot take it
down) and ``python -m pdbulk touch`` (killed with SIGKILL once the sandbox has
applied some of its writes); ``pdbulk resume`` runs in the test's process (no kill cuts
it: a process start-up less, issue 8). The same job is then run uninterrupted (in the
test's process too) against the sandbox reset to the same seeded account, and both end
states are compared: the deals (but for their update_time) and the job stores (every
item done, none failed, pending or in doubt). The sandbox dates its seeded records from
the time it seeds them, so a reset account differs in its ``*_time`` fields: those are
left out of the comparison between the two runs (not of the check that untouched deals
were not written).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson
import pytest

from bulk.store import ItemState, JobStore
from tests.sandbox_helpers import pdbulk_to_the_end

N, SPARE = 360, 40  # deals 1..N touched; N+1..N+SPARE must not change
TOKEN = "crash-test-token"
# Ultimate api_token: 120 calls per 2 s, so the job takes three windows (~4 s); the kill
# lands in the second, with calls in flight (20 ms latency) and a batch marked sending.
SANDBOX_ARGS = ["--plan", "ultimate", "--deals", str(N + SPARE), "--seed", "5",
                "--latency-ms", "20", "--jitter-ms", "5", "--token", TOKEN]
KILL_AFTER_WRITES = 150
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def admin(url: str, path: str, method: str = "GET") -> Any:
    req = urllib.request.Request(url + path, method=method, data=b"{}" if method == "POST" else None)
    with _NO_PROXY.open(req, timeout=10) as resp:
        return orjson.loads(resp.read())


def wait_for(what: str, check: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise TimeoutError(f"waited {timeout} s for {what}")


@pytest.fixture
def sandbox_url(tmp_path: Path) -> Iterator[str]:
    """``python -m bulk.sandbox`` on a free port, stopped (and reaped) whatever happens."""
    out_path = tmp_path / "sandbox.out"
    with out_path.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bulk.sandbox", "--host", "127.0.0.1",
                                 "--port", "0", *SANDBOX_ARGS],
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


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def touch_argv(url: str, ids: Path, job_dir: Path) -> list[str]:
    return ["touch", "--url", url, "--ids", f"@{ids}",
            "--set", "value=777", "--set", "probability=42", "--plan", "ultimate",
            "--job-dir", str(job_dir)]


def cli_env() -> dict[str, str]:
    return {**os.environ, "PIPEDRIVE_API_TOKEN": TOKEN, "NO_COLOR": "1"}


def run_cli(argv: list[str], log: IO[bytes]) -> int:
    """``pdbulk argv`` run to its end in this process (no kill cuts it), its stdout and
    stderr written to ``log``: its exit code."""
    done = pdbulk_to_the_end(argv, cli_env())
    log.write((done.stdout + done.stderr).encode())
    log.flush()
    return done.returncode


def start_cli(argv: list[str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    """``python -m pdbulk argv``, a process of its own (to be killed or interrupted), its
    output to ``log``."""
    return subprocess.Popen([sys.executable, "-m", "pdbulk", *argv], env=cli_env(), stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def writes(url: str) -> int:
    return int(admin(url, "/_sandbox/stats")["writes_applied"].get("updateDeal", 0))


def deals(url: str) -> dict[int, dict[str, Any]]:
    return {d["id"]: d for d in admin(url, "/_sandbox/deals")["data"]}


def timeless(records: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {i: {k: v for k, v in d.items() if not k.endswith("_time")}
            for i, d in records.items()}


def job_state(job_dir: Path) -> tuple[dict[ItemState, int], dict[int, int]]:
    """Counts by state, and deal id -> number of DONE items for it."""
    (directory,) = [p for p in job_dir.iterdir() if p.is_dir()]
    with JobStore.open(directory, lock=False) as store:
        per_deal: dict[int, int] = {}
        for item in store.items(ItemState.DONE):
            assert item.result is not None
            per_deal[item.result["deal_id"]] = per_deal.get(item.result["deal_id"], 0) + 1
        return store.counts(), per_deal


@pytest.mark.slow
def test_sigkill_mid_run_then_resume_equals_an_uninterrupted_run(
        sandbox_url: str, tmp_path: Path) -> None:
    """SIGKILL mid-run, `pdbulk resume`: same deals and same job end state as a clean run."""
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(str(i) for i in range(1, N + 1)) + "\n")
    seeded = deals(sandbox_url)
    crashed, clean = tmp_path / "crashed", tmp_path / "clean"
    log = (tmp_path / "cli.log").open("wb")
    job = start_cli(touch_argv(sandbox_url, ids, crashed), log)
    try:
        wait_for(f"{KILL_AFTER_WRITES} writes", lambda: writes(sandbox_url) >= KILL_AFTER_WRITES
                 or job.poll() is not None, 20)
        assert job.poll() is None, "the job ended before it could be killed"
        job.send_signal(signal.SIGKILL)
        assert job.wait(5) == -signal.SIGKILL
        written_at_kill = writes(sandbox_url)
        assert written_at_kill < N, "the kill came too late to prove anything"
        counts, _ = job_state(crashed)
        assert counts[ItemState.DONE] < N  # the kill really left work behind...
        assert counts[ItemState.SENDING] > 0  # ...some of it in doubt, for resume to reconcile

        (job_id,) = [p.name for p in crashed.iterdir() if p.is_dir()]
        assert run_cli(["resume", job_id,
                        "--job-dir", str(crashed)], log) == 0
        after_resume = deals(sandbox_url)
        resumed_counts, resumed_per_deal = job_state(crashed)

        admin(sandbox_url, "/_sandbox/reset", "POST")  # the same seeded account again
        assert timeless(deals(sandbox_url)) == timeless(seeded)
        assert run_cli(touch_argv(sandbox_url, ids, clean), log) == 0
        uninterrupted = deals(sandbox_url)
        clean_counts, clean_per_deal = job_state(clean)
    finally:
        if job.poll() is None:
            job.kill()
            job.wait(5)
        log.close()

    assert timeless(after_resume) == timeless(uninterrupted)
    assert all(after_resume[i]["value"] == 777 and after_resume[i]["probability"] == 42
               for i in range(1, N + 1))
    assert all(after_resume[i] == seeded[i] for i in range(N + 1, N + SPARE + 1))
    assert resumed_counts == clean_counts == {**dict.fromkeys(ItemState, 0), ItemState.DONE: N}
    assert resumed_per_deal == clean_per_deal == dict.fromkeys(range(1, N + 1), 1)


@pytest.mark.slow
def test_sigint_stops_cleanly_with_a_resume_hint(sandbox_url: str, tmp_path: Path) -> None:
    """Ctrl-C: calls in flight finish, nothing is left in doubt, exit 4 names the resume
    command; `pdbulk resume` then finishes the job with every deal touched once."""
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(str(i) for i in range(1, N + 1)) + "\n")
    out_path = tmp_path / "cli.log"
    with out_path.open("wb") as log:
        job = start_cli(touch_argv(sandbox_url, ids, tmp_path / "jobs"), log)
        try:
            wait_for("100 writes", lambda: writes(sandbox_url) >= 100 or job.poll() is not None, 20)
            assert job.poll() is None, "the job ended before it could be interrupted"
            job.send_signal(signal.SIGINT)
            assert job.wait(15) == 4
        finally:
            if job.poll() is None:
                job.kill()
                job.wait(5)
    output = out_path.read_text()
    assert "resume with: pdbulk resume" in output
    counts, _ = job_state(tmp_path / "jobs")
    assert counts[ItemState.SENDING] == 0 and counts[ItemState.FAILED] == 0
    assert 0 < counts[ItemState.DONE] < N and counts[ItemState.PENDING] > 0
    (job_id,) = [p.name for p in (tmp_path / "jobs").iterdir() if p.is_dir()]
    with (tmp_path / "resume.log").open("wb") as log:
        assert run_cli(["resume", job_id,
                        "--job-dir", str(tmp_path / "jobs")], log) == 0
    counts, per_deal = job_state(tmp_path / "jobs")
    assert counts[ItemState.DONE] == N and per_deal == dict.fromkeys(range(1, N + 1), 1)
