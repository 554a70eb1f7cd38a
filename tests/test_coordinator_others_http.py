"""x35r2 F4: coordinated runs on the sandbox and a real redis-server, alone on the token and
three at once, never count "another client's calls on this token" (before: 1-34 answers a
run, alone or not, so every coordinated run ended with that note and the advice
--window-share 0.8); a client beside them that goes through no coordinator is still
counted (its calls sent in step with the run's).

Each run is an engine with a coordinator of its own (as a process has), in this process.
The sandbox is answered in process on one ``FakeClock`` with the engines and Redis' round
trips (``tests.inproc_sandbox``): its 0.5-s windows are virtual, and the loaded machine is
the transport's (``Loaded``: one call in five held up to 0.3 s on its way there, one in five
on its way back, seeded). On real time (a threaded sandbox over HTTP) the whole suite on a
loaded machine failed them now and then (f47a: 1 of 6 runs of this file beside CPU burners,
a lone run 5 answers in a round) and stalling the whole process or Redis made it fail in
none of 20 rounds; on the FakeClock the span's admitted-by bound (the answer less the
fastest round trip, on the wall clock) put the fastest call's own admission after it by
an ulp, and a lone run counted its own calls in 5 answers of a round, three runs 2
(``Scheduler._apply``'s ``span``, now with the wall clock's tolerance)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import anyio
import pytest

from bulk.clock import FakeClock
from bulk.coordinator_redis import RedisCoordinator
from bulk.engine import Engine, EngineConfig
from bulk.retry import RetryPolicy
from bulk.sandbox import SandboxConfig
from bulk.store import JobStore
from jobs.touch import TouchJob, touch_items
from tests.inproc_sandbox import InProcessSandbox, Loaded
from tests.redis_helpers import RedisServer, redis_server

__all__ = ["redis_server"]

pytestmark = pytest.mark.anyio
SCALE = 0.25
CALLS = 80  # a run's touches: four windows at full speed


async def _run(sb: InProcessSandbox, load: Loaded, url: str, root: Path, first: int,
               value: int) -> int:
    """One coordinated run touching deals ``first``.. (``CALLS`` of them) through ``load``:
    its ``others_seen`` (answers whose headers counted another client's calls)."""
    clock = sb.runtime.clock
    settings = EngineConfig(base_url=sb.url, job_root=root, window=2.0 * SCALE)
    store = JobStore.create(root / f"job-{first}-{value}", job_id=f"t{first}-{value}",
                            kind="touch", config={"engine": settings.to_json()})
    store.add_items(touch_items(range(first, first + CALLS), {"value": value}))
    try:
        with anyio.fail_after(60):
            async with Engine.open(settings, sb.token, store=store, clock=clock,
                                   transport=load.transport,
                                   coordinator=RedisCoordinator(url, clock=clock)) as engine:
                result = await engine.run(TouchJob(), retry=RetryPolicy(
                    attempts=10, base=0.002, cap=0.02, rate_limited_attempts=60))
        assert result.stats.done == CALLS, result.stats
        return result.stats.others_seen
    finally:
        store.close()


def _sandbox(runs: int, clock: FakeClock | None = None) -> InProcessSandbox:
    return InProcessSandbox(SandboxConfig(time_scale=SCALE, deals=runs * CALLS, seats=10,
                                          clock=clock or FakeClock()))


@pytest.mark.parametrize("runs", [1, 3])
async def test_coordinated_runs_alone_or_with_peers_count_no_other_client(
        redis_server: RedisServer, tmp_path: Path, runs: int) -> None:
    """5 rounds of ``runs`` coordinated runs at once, one after another, nothing else on
    the token, on a loaded machine (``Loaded``): no answer counts another client's calls
    (before the fix: a lone run 5 answers in its third round, three runs 2 in theirs)."""
    sb = _sandbox(runs)
    load = Loaded(sb, 2)
    seen = []
    for value in range(5):
        seen.append(list(await asyncio.gather(*(
            _run(sb, load, redis_server.url, tmp_path, 1 + i * CALLS, value)
            for i in range(runs)))))
    assert seen == [[0] * runs] * 5, seen


async def test_a_client_beside_them_through_no_coordinator_is_still_counted(
        redis_server: RedisServer, tmp_path: Path) -> None:
    """A client reading beside a coordinated run (it reads no rate headers), once for
    every 5 of the run's requests (8 a window at the run's full speed, 40): the run
    counts its calls in many answers, the machine loaded or not (f47a: 10-30 answers a run
    unloaded, 12-20 loaded)."""
    seen: dict[float, list[int]] = {}
    # one clock for both sandboxes: Redis keeps the first runs' entries a while, and a new
    # clock at the same epoch put the second's calls among them (0 answers under load, f47a)
    clock = FakeClock()
    for there in (0.0, 0.3):
        await clock.sleep(1.0)  # the last run's calls leave the server's window
        sb = _sandbox(1, clock)
        load = Loaded(sb, 2, there=there, back=there, beside=5)
        seen[there] = [await _run(sb, load, redis_server.url, tmp_path / str(there), 1, value)
                       for value in (8, 9)]
        assert load.others >= 2 * CALLS // 5
    assert min(seen[0.0] + seen[0.3]) >= 5, seen
