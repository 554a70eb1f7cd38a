"""One call's path through the engine stays cheap (issue 8): a touch run on virtual time
(``FakeClock``, a mock transport: no aiohttp, no sockets) costs a bounded number of Python
calls per request — counted (``sys.setprofile``: frames entered, a coroutine's resumes
included), not timed, so the figure holds on a loaded machine. What it counts is what the
engine costs: runner, call path, scheduler, ledger, client, store hops, and the library
code they call (anyio's cancel scopes, limiters, streams and thread hops; asyncio's
futures and events), as the bench's ``profile_engine --calls`` does: a primitive that
cheapens the engine's own frames by calling a costlier library's is no gain. Left out:
the fake clock's driver (its looks while a store write is in its thread depend on the
thread's timing) and asyncio's event loop itself (the CLI and the bench run uvloop, C)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import anyio
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.coordinator_process import ProcessCoordinator
from bulk.headers import LowerHeaders, RateHeaders, _whole
from bulk.plans import Limits
from bulk.runner import Runner
from bulk.scheduler import Scheduler
from bulk.store import AsyncJobStore, ItemState, JobStore
from bulk.transport import MockTransport, Request, Response
from jobs.touch import TouchJob, touch_items

ITEMS = 400
# the fake clock's frames and what its driver calls: how often it looks while a store
# write is in its thread depends on the thread's timing
CLOCK = str(Path("bulk", "clock.py"))
# asyncio's event loop (a loop turn, a callback's handle): uvloop's C in the CLI and bench
LOOP = (*(str(Path("asyncio", name)) for name in (
    "base_events.py", "events.py", "selector_events.py", "unix_events.py")), "/selectors.py")


def _run(tmp_path: Path, items: int, *, shared: bool = False) -> int:
    """Python calls of a touch run of ``items`` PATCHes at 480 per 2-s window; ``shared``:
    the scheduler shares this process's coordinator, as ``Engine.open`` attaches it."""
    clock = FakeClock(epoch=1_767_225_600.0)
    store = JobStore.create(tmp_path / f"job{items}", job_id="j", kind="touch", config={})
    store.add_items(touch_items(range(1, items + 1), {"x": 1}))
    body = orjson.dumps({"success": True, "data": {"id": 1, "update_time": "2026-01-01"}})
    headers = {"content-type": "application/json", "x-ratelimit-limit": "480",
               "x-ratelimit-remaining": "400", "x-ratelimit-reset": "2"}

    async def answer(req: Request) -> Response:
        await clock.sleep(0.15)
        return Response(200, headers, body)

    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(answer))
    scheduler = Scheduler(Limits(burst=480), clock=clock)
    runner = Runner(AsyncJobStore(store), TouchJob(), client, scheduler, clock=clock, seed=3)

    async def go() -> Any:
        if shared:  # (made on the loop: its account is the loop's)
            scheduler.attach(ProcessCoordinator("http://127.0.0.1:9", "tok", clock=clock))
        async with client:
            return await runner.run()

    n = 0

    def count(frame: FrameType, event: str, _arg: Any) -> None:
        nonlocal n
        if event != "call" or frame.f_code.co_filename.endswith(LOOP):
            return
        up: FrameType | None = frame
        while up is not None:  # (the clock's driver, and what it calls)
            if up.f_code.co_filename.endswith(CLOCK):
                return
            up = up.f_back
        n += 1

    threading.setprofile(count)
    sys.setprofile(count)
    try:
        result = anyio.run(go)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
    try:
        assert result.counts[ItemState.DONE] == items
    finally:
        store.close()
    return n


def test_python_calls_per_request_stay_bounded(tmp_path: Path) -> None:
    """The marginal calls per request, over 100 vs ITEMS requests (the start-up drops out).
    Counted over the engine's own frames (bulk/, jobs/) alone: 107.8 before the rate
    headers' numbers were read inline, the path values mapped with no comprehension, a
    call's ``is_write`` read once and its credit spent inline; 97.8. Counted over every
    frame (the library code the engine calls too): 190.3 with anyio's limiter and memory
    stream in the worker pool; 153 with ``bulk.pool``'s; 136 with the stop ending the
    scheduler's waiter, not a cancel scope per admission; 132 with the scheduler's day
    limit, burst share, day roll and way there and back figured as they change, not read
    on every admission and answer; 125 with the kind's ``execute`` awaited by the worker
    through two frames fewer (``CallContext.call`` returns the call path's coroutine, the
    ledger's hold and the hand-out's hook set inline): each of a call's waits resumes
    every frame of the await chain; 110 with a call waiting for its charge's commit (nearly
    every call of a burst: ``bulk.ledger._Ahead.charge``) on an asyncio future, not an
    ``anyio.Event`` (made, awaited, set and read through anyio's and asyncio's frames);
    101 with the store's calls through its one lane thread (``bulk.clock.Lane``), not
    anyio's thread pool and limiter (130 Python calls a store call on the loop, 42 now);
    94 with the operation read from its table inline (``PipedriveClient.call``), the
    version prefix and ``is_write`` inline, the worker target figured inline on each
    answer, the day roll's test inline, the way there and back an attribute, and a stored
    item's state a dict read, not ``ItemState(s)`` (f44d); 97.3 with an item write's mark
    before it is handed to the transport (``bulk.leaving``, f51l: a row whose write never
    left is never the job's) and the pool's ``Scheduler.alone`` check (f51a)."""
    _run(tmp_path, 20)  # first-use costs (imports, caches) out of the figure
    few, many = _run(tmp_path, 100), _run(tmp_path, ITEMS)
    per_request = (many - few) / (ITEMS - 100)
    assert per_request <= 99, per_request


def test_python_calls_per_request_stay_bounded_with_the_process_coordinator(
        tmp_path: Path) -> None:
    """The same with this process's coordinator attached (an engine alone on its account,
    as every ``Engine`` is unless Redis is named): its share per request stays bounded.
    29 more than without before the shared limit (``Scheduler._shared_limit``) was one
    object while its parts held, read as they change; 24; 27 with the shared state asked on
    each answer whether it judges another client (f36f 1: this process's engines on one
    account); 19 with the engines on the account a count, not a WeakSet's len (4 a
    request), and the lone admission's day check inline (4)."""
    (tmp_path / "alone").mkdir()
    _run(tmp_path, 20, shared=True)
    few, many = _run(tmp_path, 100, shared=True), _run(tmp_path, ITEMS, shared=True)
    alone = (_run(tmp_path / "alone", ITEMS) - _run(tmp_path / "alone", 100)) / (ITEMS - 100)
    per_request = (many - few) / (ITEMS - 100)
    assert per_request - alone <= 20, (per_request, alone)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=12), st.integers(min_value=-10, max_value=10**30).map(str),
                 st.text(alphabet="0123456789٣²⁵ +-_.e", max_size=8)))
def test_a_whole_header_reads_as_before(raw: str) -> None:
    """The rate headers' whole numbers read inline (``RateHeaders.parse``) read as
    ``_whole`` reads them, whatever the text."""
    rate = RateHeaders.parse(LowerHeaders({"x-ratelimit-limit": raw,
                                           "x-daily-ratelimit-token-remaining": raw}))
    assert rate.limit == _whole(raw) and rate.daily_token_remaining == _whole(raw)


def test_the_system_clock_is_read_with_no_python_frame() -> None:
    """``SystemClock.now()`` / ``wall()`` are ``time.monotonic`` / ``time.time`` themselves:
    the engine reads the clock ~20 times a request, each a Python frame before."""
    from bulk.clock import SystemClock

    clock, frames = SystemClock(), []
    sys.setprofile(lambda frame, event, _arg: frames.append(event) if event == "call" else None)
    try:
        for _ in range(10):
            clock.now()
            clock.wall()
    finally:
        sys.setprofile(None)
    assert frames.count("call") <= 1  # (the setprofile's own return frame at most)
    assert 0 < clock.now() < clock.wall()
