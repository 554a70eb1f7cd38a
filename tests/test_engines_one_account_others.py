"""x36r1: the engines of one process on one account (no Redis) are no other client to each
other. Each engine's scheduler judged the server's window count against its own calls
alone, so every job ended with "another client's calls on this token" (48-79 answers of
each of three jobs); the shared in-process state (bulk.coordinator_process) now judges
while another engine is open, and two windows after one closed — when the one left also
waits for the gone engine's calls still in the server's window (before: admitted past
them alone, its last calls got 429s). A client beside them is still seen."""

from __future__ import annotations

import asyncio
from collections import deque
from pathlib import Path

import anyio
import pytest

from bulk.clock import FakeClock
from bulk.coordinator import Limit
from bulk.coordinator_process import ProcessCoordinator
from bulk.engine import Engine, EngineConfig
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.retry import RetryPolicy
from bulk.sandbox import SandboxConfig
from bulk.scheduler import Scheduler
from bulk.store import JobStore
from jobs.touch import TouchJob, touch_items
from tests.inproc_sandbox import InProcessSandbox, Loaded

pytestmark = pytest.mark.anyio
PATCH = get_operation("updateDeal")
WIDTH, BURST = 2.0, 40


async def _engines(url: str, other_every: float | None, engines: int = 2) -> list[int]:
    """``engines`` schedulers of one process on one account send 60 calls each, one after
    another 50 ms apart; the server counts each on arrival (and, ``other_every`` s apart,
    another client's). Each one's ``others_seen``. Virtual time."""
    clock = FakeClock()
    window: deque[float] = deque()
    scheds = [Scheduler(Limits(burst=BURST, window=WIDTH, daily_tokens=10**9), clock=clock,
                        coordinator=ProcessCoordinator(url, "tok", clock=clock))
              for _ in range(engines)]
    next_other = 0.0
    try:
        for _ in range(60):
            for s in scheds:
                await s.acquire(PATCH)
                sent = clock.now()
                while other_every is not None and next_other <= sent:
                    window.append(next_other)
                    next_other += other_every
                window.append(sent)
                while window and window[0] + WIDTH <= sent:
                    window.popleft()
                await clock.sleep(0.05)
                s.observe(PATCH, RateHeaders(limit=BURST, remaining=max(0, BURST - len(window)),
                                             reset=window[0] + WIDTH - sent), sent_at=sent)
        return [s.others_seen for s in scheds]
    finally:
        for s in scheds:
            assert s.coordinator is not None
            await s.coordinator.aclose()


@pytest.mark.parametrize("engines", [2, 3])
async def test_the_engines_calls_are_no_other_client_s(engines: int) -> None:
    """Alone on the token, no engine counts another client (before: each counted its
    siblings' calls in most of its answers)."""
    assert await _engines("http://127.0.0.1:7", None, engines) == [0] * engines


async def test_a_client_beside_the_engines_is_still_seen() -> None:
    """A client beside them, 10 calls a window, is seen by both."""
    seen = await _engines("http://127.0.0.1:8", WIDTH / 10)
    assert min(seen) > 0, seen


async def test_the_one_left_waits_for_a_closed_engine_s_calls_in_the_window() -> None:
    """An engine fills the account's burst window and closes: the one left is alone, but
    the server's window still holds those calls; its next call waits for the oldest of
    them to leave, and it judges no "another client" on their count (before: admitted at
    once, a 429; and the count blamed on another client)."""
    clock = FakeClock()
    a = ProcessCoordinator("http://127.0.0.1:9", "tok", clock=clock)
    b = ProcessCoordinator("http://127.0.0.1:9", "tok", clock=clock)
    limit = Limit(width=WIDTH, burst=BURST, search=10, day_limit=10**9, day=0,
                  day_ends=10.0**10)
    for _ in range(BURST):
        await b.admit(PATCH, limit)
        b.leaving(clock.wall())
        await clock.sleep(0.01)
        b.answered(clock.wall() - 0.01, clock.wall())
    await b.aclose()
    assert a.judges_others  # b's calls are in the window: still judged here
    start = clock.now()
    await a.admit(PATCH, limit)
    assert clock.now() - start == pytest.approx(WIDTH - BURST * 0.01 + 0.01, abs=0.02)
    a.window_seen(0, clock.wall() + 0.5, BURST, search=False,
                  span=(clock.wall() - WIDTH, clock.wall()))
    assert a.others_answers == 0
    await clock.sleep(2 * WIDTH)
    assert not a.judges_others  # alone now: its scheduler is exact again
    await a.aclose()


async def _touch(sb: InProcessSandbox, load: Loaded, root: Path, first: int, calls: int,
                 value: int) -> tuple[int, int]:
    settings = EngineConfig(base_url=sb.url, job_root=root, window=2.0 * 0.25)
    store = JobStore.create(root / f"job-{first}-{value}", job_id=f"t{first}-{value}",
                            kind="touch", config={"engine": settings.to_json()})
    store.add_items(touch_items(range(first, first + calls), {"value": value}))
    try:
        with anyio.fail_after(60):
            async with Engine.open(settings, sb.token, store=store, clock=sb.runtime.clock,
                                   transport=load.transport) as engine:
                result = await engine.run(TouchJob(), retry=RetryPolicy(
                    attempts=10, base=0.002, cap=0.02, rate_limited_attempts=60))
        assert result.stats.done == calls, result.stats
        return result.stats.others_seen, result.stats.rate_limited
    finally:
        store.close()


@pytest.mark.parametrize("there", [0.0, 0.3])
async def test_three_jobs_of_one_process_against_the_sandbox_see_no_other_client(
        tmp_path: Path, there: float) -> None:
    """Three touch jobs of one process on one account (the sandbox, a 0.5-s window), twice:
    none of them counts another client's calls in any answer (before: 48-79 answers each,
    and the end-of-run note blamed another client), the machine loaded or not. The
    sandbox is answered in process on the engines' FakeClock (``Loaded``: up to ``there``
    s on one call's way there or back in five): on real time (a threaded sandbox over
    HTTP) the whole suite on a loaded machine failed it now and then (f47a)."""
    calls = 80
    sb = InProcessSandbox(SandboxConfig(time_scale=0.25, deals=3 * calls, seats=10,
                                        clock=FakeClock()))
    load = Loaded(sb, 2, there=there, back=there)
    for value in range(2):
        await sb.runtime.clock.sleep(1.0)  # the last round's calls leave the server's window
        out = await asyncio.gather(*(_touch(sb, load, tmp_path, 1 + i * calls, calls, value)
                                     for i in range(3)))
        assert [seen for seen, _ in out] == [0, 0, 0], out


@pytest.mark.parametrize("there", [0.0, 0.3])
async def test_a_client_beside_the_jobs_against_the_sandbox_is_still_seen(
        tmp_path: Path, there: float) -> None:
    """The same three jobs with another client reading beside them (once for every 5 of
    their requests, through no scheduler): they count its calls (3-16 answers each)."""
    calls = 80
    sb = InProcessSandbox(SandboxConfig(time_scale=0.25, deals=3 * calls, seats=10,
                                        clock=FakeClock()))
    load = Loaded(sb, 2, there=there, back=there, beside=5)
    out = await asyncio.gather(*(_touch(sb, load, tmp_path, 1 + i * calls, calls, 0)
                                 for i in range(3)))
    assert sum(seen for seen, _ in out) >= 5, out
