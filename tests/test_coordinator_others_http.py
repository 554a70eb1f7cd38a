"""x35r2 F4, over HTTP: coordinated runs against the sandbox and a real redis-server, alone
on the token and three at once, never count "another client's calls on this token"
(before: 1-34 answers a run, alone or not, so every coordinated run ended with that note
and the advice --window-share 0.8); a client beside them that goes through no
coordinator is still counted (its calls sent in step with the run's, not on a timer
thread: under load that thread sent 0-4 of its calls a window and the run counted 0-4
answers, 1 in 6 runs at ``-n 2``, f39d 4).

Each run is an engine with a coordinator of its own (as a process has), in this process;
the sandbox serves from a thread. Its windows are scaled (time_scale 0.25: 0.5 s), no
latency added: what is left is the machine's own (a loaded loop reads an answer later
after the server counted it than the one before)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from bulk.coordinator_redis import RedisCoordinator
from bulk.engine import Engine, EngineConfig
from bulk.errors import TransportError
from bulk.retry import RetryPolicy
from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import JobStore
from bulk.transport import DEPARTURE, AiohttpTransport, Request, Response
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


class _Beside:
    """The run's transport, with another client on the token beside it: before every
    ``every``-th request of the run, that client's own read (``GET /api/v2/pipelines``,
    on a connection of its own, through no scheduler or coordinator; it reads no rate
    headers, and a 429 is its loss) is sent and answered. In step with the run's calls,
    not on a timer thread: the server counts it in the window of the run's next call
    whatever the machine's load."""

    def __init__(self, sb: Sandbox, every: int) -> None:
        self._run, self._other = AiohttpTransport(), AiohttpTransport()
        self._read = Request("GET", f"{sb.url}/api/v2/pipelines", {"x-api-token": sb.token},
                             None, "getPipelines", timeout=5.0)
        self._every, self._sent = every, 0
        self.others = 0  # that client's calls sent

    async def send(self, request: Request) -> Response:
        self._sent += 1
        if self._sent % self._every == 0:
            departure = DEPARTURE.set(None)  # the run's call has not left
            try:
                await self._other.send(self._read)
                self.others += 1
            except TransportError:
                pass
            finally:
                DEPARTURE.reset(departure)
        return await self._run.send(request)

    async def aclose(self) -> None:
        await self._other.aclose()
        await self._run.aclose()


async def _run(sb: Sandbox, url: str, root: Path, first: int, value: int, *,
               beside: int | None = None) -> int:
    """One coordinated run touching deals ``first``.. (``CALLS`` of them): its
    ``others_seen`` (answers whose headers counted another client's calls). ``beside``:
    another client's read before every ``beside``-th request of the run (``_Beside``)."""
    settings = EngineConfig(base_url=sb.url, job_root=root, window=2.0 * sb.config.time_scale)
    store = JobStore.create(root / f"job-{first}-{value}", job_id=f"t{first}-{value}",
                            kind="touch", config={"engine": settings.to_json()})
    store.add_items(touch_items(range(first, first + CALLS), {"value": value}))
    try:
        with anyio.fail_after(60):
            async with Engine.open(settings, sb.token, store=store,
                                   transport=None if beside is None else _Beside(sb, beside),
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
        redis_server: RedisServer, tmp_path: Path) -> None:
    """A client reading beside a coordinated run (it reads no rate headers), once for
    every 5 of the run's requests (8 a window at the run's full speed, 40): the run
    counts its calls in many answers. On a sandbox of its own with 2-s windows: an answer
    read later than a window after its call was counted proves nothing (WINDOW's
    ``pruned``), and a loaded machine's loop lags that much behind a 0.5-s window."""
    with threaded_sandbox(SandboxConfig(time_scale=1.0, deals=CALLS, seats=10)) as sb:
        seen = [await _run(sb, redis_server.url, tmp_path, 1, value, beside=5)
                for value in (8, 9)]
    assert min(seen) >= 5, seen
