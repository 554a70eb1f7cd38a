"""x35r2 F4, over HTTP: coordinated runs against the sandbox and a real redis-server, alone
on the token and three at once, never count "another client's calls on this token"
(before: 1-34 answers a run, alone or not, so every coordinated run ended with that note
and the advice --window-share 0.8); a client beside them that goes through no
coordinator is still counted.

Each run is an engine with a coordinator of its own (as a process has), in this process;
the sandbox serves from a thread. Its windows are scaled (time_scale 0.25: 0.5 s), no
latency added: what is left is the machine's own (a loaded loop reads an answer later
after the server counted it than the one before)."""

from __future__ import annotations

import asyncio
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from bulk.coordinator_redis import RedisCoordinator
from bulk.engine import Engine, EngineConfig
from bulk.retry import RetryPolicy
from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import JobStore
from jobs.touch import TouchJob, touch_items
from tests.redis_helpers import RedisServer, redis_server
from tests.sandbox_helpers import threaded_sandbox

__all__ = ["redis_server"]

pytestmark = pytest.mark.anyio
SCALE = 0.25
CALLS = 80  # a run's touches: four windows at full speed


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with threaded_sandbox(SandboxConfig(time_scale=SCALE, deals=3 * CALLS, seats=10)) as sb:
        yield sb


async def _run(sb: Sandbox, url: str, root: Path, first: int, value: int) -> int:
    """One coordinated run touching deals ``first``.. (``CALLS`` of them): its
    ``others_seen`` (answers whose headers counted another client's calls)."""
    settings = EngineConfig(base_url=sb.url, job_root=root, window=2.0 * SCALE)
    store = JobStore.create(root / f"job-{first}-{value}", job_id=f"t{first}-{value}",
                            kind="touch", config={"engine": settings.to_json()})
    store.add_items(touch_items(range(first, first + CALLS), {"value": value}))
    try:
        with anyio.fail_after(60):
            async with Engine.open(settings, sb.token, store=store,
                                   coordinator=RedisCoordinator(url)) as engine:
                result = await engine.run(TouchJob(), retry=RetryPolicy(
                    attempts=10, base=0.002, cap=0.02, rate_limited_attempts=60))
        assert result.stats.done == CALLS, result.stats
        return result.stats.others_seen
    finally:
        store.close()


async def _round(sb: Sandbox, url: str, root: Path, runs: int, value: int) -> list[int]:
    return list(await asyncio.gather(*(_run(sb, url, root, 1 + i * CALLS, value)
                                       for i in range(runs))))


@pytest.mark.parametrize("runs", [1, 3])
async def test_coordinated_runs_alone_or_with_peers_count_no_other_client(
        redis_server: RedisServer, sandbox: Sandbox, tmp_path: Path, runs: int) -> None:
    """5 rounds of ``runs`` coordinated runs at once, nothing else on the token: no answer
    counts another client's calls alone; with three peers, at most 2 answers over the 15
    runs and 1 in any run (under load f35i saw 1 in 1 of 15; before the fix 2-8 in each)."""
    await anyio.sleep(2 * 2.0 * SCALE)  # another test's calls leave the server's window
    seen = [await _round(sandbox, redis_server.url, tmp_path, runs, value)
            for value in range(5)]
    if runs == 1:
        assert seen == [[0]] * 5
    else:  # a loaded machine (the whole suite) still left 1 answer in 1 of 15 runs (f35i):
        # said in note 35; before the fix every run counted 2-8
        assert sum(map(sum, seen)) <= 2 and max(map(max, seen)) <= 1, seen


async def test_a_client_beside_them_through_no_coordinator_is_still_counted(
        redis_server: RedisServer, sandbox: Sandbox, tmp_path: Path) -> None:
    """A client reading 8 times a window beside a coordinated run (it reads no rate
    headers): the run counts its calls in many answers."""
    stop = threading.Event()

    def other() -> None:
        request = urllib.request.Request(f"{sandbox.url}/api/v2/pipelines",
                                         headers={"x-api-token": sandbox.token})
        while not stop.wait(2.0 * SCALE / 8):  # bounded: stopped below
            try:
                urllib.request.urlopen(request, timeout=5).read()
            except OSError:
                pass  # refused as over the limit: it goes on

    await anyio.sleep(2 * 2.0 * SCALE)
    thread = threading.Thread(target=other, daemon=True)
    thread.start()
    try:
        seen = [await _run(sandbox, redis_server.url, tmp_path, 1, value) for value in (8, 9)]
    finally:
        stop.set()
        thread.join(10)
    assert min(seen) >= 5, seen
