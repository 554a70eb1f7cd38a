"""pdbulk processes sharing a Redis coordinator, end to end against the sandbox (another
process, counting per token) and a real redis-server.

The sandbox runs at time_scale 0.5 (1 s windows); latency, 150 ± 50 ms, is not scaled.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.bench_coordinator import cli_env, import_argv, key_counts, prepare, run_fleet, write_manifest
from benchmarks.harness import SandboxProcess
from tests.redis_helpers import RedisServer, redis_server
from tests.sandbox_helpers import pdbulk_to_the_end

__all__ = ["redis_server"]

pytestmark = pytest.mark.slow
SCALE = 0.5


@pytest.fixture
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


@pytest.fixture(scope="module")
def growth() -> Iterator[tuple[SandboxProcess, Path, Path]]:
    """One sandbox (Growth, 150 ± 50 ms) with the key field, shared by the tests that
    each import their own source keys: (sandbox, its work dir, the mapping file)."""
    with tempfile.TemporaryDirectory() as tmp, SandboxProcess(
            plan="growth", latency_ms=150, jitter_ms=50, time_scale=SCALE, seats=20) as sb:
        yield sb, Path(tmp), prepare(sb, Path(tmp), SCALE)


@pytest.mark.timing
def test_four_imports_on_one_token_share_the_window(
        redis_server: RedisServer, growth: tuple[SandboxProcess, Path, Path]) -> None:
    sb, workdir, mapping = growth
    time.sleep(2 * SCALE)  # another test's calls leave the server's window
    r = run_fleet(sb, workdir, mapping, scale=SCALE, rows=25, coordinator=redis_server.url,
                  tag="shared", timeout=60)
    assert r.exit_codes == [0, 0, 0, 0], r.outputs
    assert r.r429 == 0
    assert r.doubled == 0 and r.missing == 0
    # 1 s windows leave 150 ± 50 ms of latency more weight than Pipedrive's 2 s do
    # (make bench: the 2 s figure); 2 shared cores make it noisier still.
    assert r.of_allowed >= 0.75, r.of_allowed


def test_two_processes_with_half_the_budget_spend_half_between_them(
        redis_server: RedisServer, workdir: Path) -> None:
    daily = 1200
    with SandboxProcess(plan="growth", time_scale=SCALE,
                        extra=("--daily-tokens", str(daily))) as sb:
        mapping = prepare(sb, workdir, SCALE)  # the key field (5 tokens): the company's spend
        r = run_fleet(sb, workdir, mapping, scale=SCALE, rows=150, processes=2,
                      coordinator=redis_server.url, tag="half",
                      extra=("--budget-share", "0.5"), timeout=60)
        spent = sb.stats()["tokens_spent"]  # the whole day: seed import included
    assert spent <= daily // 2, (spent, r.outputs)
    assert spent >= daily // 2 - 60  # they did use their half (not stopped at once)
    assert r.exit_codes == [4, 4], r.outputs  # budget spent: stopped checkpointed
    assert all("budget" in out for out in r.outputs)
    assert r.doubled == 0


@pytest.mark.timing  # two processes must both be mid-run when Redis stops: under parallel
# load one finished its 40 rows first (exit 0, not 4) — the serial pass runs it
def test_redis_stopped_mid_run_stops_every_process_then_resume_finishes(
        redis_server: RedisServer, growth: tuple[SandboxProcess, Path, Path]) -> None:
    rows, n = 40, 2
    sb, workdir, mapping = growth
    env = cli_env(sb, SCALE, redis_server.url)
    manifests = [write_manifest(workdir / f"lost-{p}.csv", f"LOST-{p}", rows)
                 for p in range(n)]
    logs = [tempfile.TemporaryFile() for _ in range(n)]
    procs = [subprocess.Popen(import_argv(sb, m, mapping, workdir / f"lost-jobs-{p}",
                                          "--workers", "2"),  # slow: Redis stops mid-run
                              env=env, stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL)
             for p, (m, log) in enumerate(zip(manifests, logs, strict=True))]
    try:
        deadline = time.monotonic() + 30
        while not all(sum(1 for k in key_counts(sb) if k.startswith(f"LOST-{p}-")) >= 5
                      for p in range(n)):  # both mid-run (past their load phase)
            assert time.monotonic() < deadline, "the imports never got going"
            assert all(p.poll() is None for p in procs), "finished before Redis stopped"
            time.sleep(0.05)
        redis_server.stop()
        codes = [p.wait(30) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)
    outputs = []
    for log in logs:
        log.seek(0)
        outputs.append(log.read().decode(errors="replace"))
        log.close()
    assert codes == [4, 4], outputs
    assert all("does not answer" in out and "resume" in out for out in outputs), outputs
    counts = key_counts(sb)
    assert sum(1 for p in range(n) for i in range(rows) if f"LOST-{p}-{i}" in counts) < n * rows

    redis_server.start()  # back, empty: nothing it held was needed
    resumes, errs = [], [tempfile.TemporaryFile() for _ in range(n)]
    for p in range(n):  # at once, as the processes ran: they share the window again
        (job,) = [d.name for d in (workdir / f"lost-jobs-{p}").iterdir() if d.is_dir()]
        resumes.append(subprocess.Popen([sys.executable, "-m", "pdbulk", "resume", job, "--job-dir",
                                         str(workdir / f"lost-jobs-{p}")], env=env,
                                        stdout=subprocess.DEVNULL, stderr=errs[p],
                                        stdin=subprocess.DEVNULL))
    try:
        codes = [r.wait(60) for r in resumes]
    finally:
        for r in resumes:
            if r.poll() is None:
                r.kill()
                r.wait(10)
    for err in errs:
        err.seek(0)
        outputs.append(err.read().decode(errors="replace"))
        err.close()
    assert codes == [0, 0], outputs[n:]
    counts = key_counts(sb)
    wanted = [f"LOST-{p}-{i}" for p in range(n) for i in range(rows)]
    assert [k for k in wanted if counts.get(k, 0) != 1] == []  # nothing lost, nothing doubled


def test_unreachable_coordinator_at_start_is_exit_1(
        growth: tuple[SandboxProcess, Path, Path]) -> None:
    from tests.redis_helpers import free_port

    sb, workdir, mapping = growth
    manifest = write_manifest(workdir / "x.csv", "X", 3)
    env = cli_env(sb, SCALE, None)
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"  # the option after the command
    before = sum(sb.stats()["requests_by_operation"].values())
    done = pdbulk_to_the_end([*import_argv(sb, manifest, mapping, workdir / "x-jobs")[3:],
                              "--coordinator", url], env)  # in this process (issue 8)
    requests = sum(sb.stats()["requests_by_operation"].values()) - before
    err = done.stderr
    assert done.returncode == 1, err
    assert "does not answer" in err and "Traceback" not in err
    assert "hunter2" not in err
    assert requests == 0  # nothing was sent
    assert not (workdir / "x-jobs").exists() or not any((workdir / "x-jobs").iterdir())


@pytest.mark.timing  # no 429 among 4 processes paced in wall time: 1 429 under parallel load
def test_kill_9_one_of_four_the_others_go_on_and_resume_reconciles(
        redis_server: RedisServer, growth: tuple[SandboxProcess, Path, Path]) -> None:
    rows, n = 30, 4
    sb, workdir, mapping = growth
    time.sleep(2 * SCALE)  # another test's calls leave the server's window
    env = cli_env(sb, SCALE, redis_server.url)
    # an unexpected error's traceback in the logs below, not only its line (a fresh-clone CI
    # saw the first process exit 1 at its start once; not reproduced in 56 tries under load)
    env["PDBULK_DEBUG"] = "1"
    manifests = [write_manifest(workdir / f"kill-{p}.csv", f"KILL-{p}", rows)
                 for p in range(n)]
    r429 = sb.stats()["rate_limited"]
    logs = [workdir / f"kill-{p}.err" for p in range(n)]  # said when a survivor fails
    errs = [log.open("wb") for log in logs]
    procs = [subprocess.Popen(import_argv(sb, m, mapping, workdir / f"kill-jobs-{p}"), env=env,
                              stdout=err, stderr=err, stdin=subprocess.DEVNULL)
             for p, (m, err) in enumerate(zip(manifests, errs, strict=True))]
    try:
        deadline = time.monotonic() + 40
        while sum(1 for k in key_counts(sb) if k.startswith("KILL-0-")) < 5:
            # what it said, when it ended early (a fresh-clone CI saw exit 1 within ~3 s, once)
            assert time.monotonic() < deadline and procs[0].poll() is None, logs[0].read_text()
            time.sleep(0.05)
        procs[0].kill()  # kill -9, calls in flight, window slots held
        codes = [p.wait(60) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)
        for err in errs:
            err.close()
    assert codes[1:] == [0, 0, 0] and codes[0] == -9, "\n".join(
        f"process {p} exit {code}: {logs[p].read_text(errors='replace')[-1500:]}"
        for p, code in enumerate(codes) if p and code)
    # the others go on without 429s — at most one, the window scaled down and four
    # processes on two cores: 1 in ~10 serial runs (x21r1 F3, left open: coordinated runs
    # got 1-4 429s in 7 of ~20 on a loaded machine); before the coordinator, dozens
    assert sb.stats()["rate_limited"] - r429 <= 1
    (job,) = [d.name for d in (workdir / "kill-jobs-0").iterdir() if d.is_dir()]
    done = subprocess.run([sys.executable, "-m", "pdbulk", "resume", job, "--job-dir",
                           str(workdir / "kill-jobs-0")], env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    counts = key_counts(sb)
    wanted = [f"KILL-{p}-{i}" for p in range(n) for i in range(rows)]
    assert [k for k in wanted if counts.get(k, 0) != 1] == []  # 0 duplicates, 0 missing


def test_two_imports_of_one_manifest_on_a_shared_coordinator_double_nothing(
        redis_server: RedisServer, growth: tuple[SandboxProcess, Path, Path]) -> None:
    """The per-key create claims go through Redis when a coordinator is shared: two
    processes importing the same keys create each deal once."""
    import redis

    sb, workdir, mapping = growth
    r = run_fleet(sb, workdir, mapping, scale=SCALE, rows=20, processes=2,
                  coordinator=redis_server.url, tag="same", same_manifest=True, timeout=60)
    assert r.doubled == 0 and r.missing == 0, r.outputs
    assert all(code in (0, 3) for code in r.exit_codes), r.outputs
    client = redis.Redis.from_url(redis_server.url)
    try:
        claimed = list(client.scan_iter("pdbulk:c:*:claim:*", count=1000))  # per company
    finally:
        client.close()
    assert len(claimed) >= 20  # one claim per source key (and its person/org) in Redis
