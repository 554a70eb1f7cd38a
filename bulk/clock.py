"""Time, injected: the scheduler, backoff, budget reset and progress read it.

``SystemClock`` is real time. ``FakeClock`` is virtual time for tests: its
``sleep`` returns as soon as the other tasks have settled, with ``now()`` advanced
to the sleeper's deadline, so "600 calls at 40 per 2 s" runs in milliseconds
and ends at exactly t == 30.0. It uses asyncio's public API only.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import queue
import threading
import time
import weakref
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import anyio
import anyio.lowlevel
import anyio.to_thread

T = TypeVar("T")


class Clock(Protocol):
    def now(self) -> float:
        """Monotonic seconds (for windows and durations)."""

    def wall(self) -> float:
        """Unix epoch seconds (for the daily budget reset and reports)."""

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """Real time: ``now()`` is ``time.monotonic()``, ``wall()`` is ``time.time()``, both
    the C functions themselves (no Python frame: the engine reads the clock ~20 times a
    request, issue 8)."""

    __slots__ = ()

    now = staticmethod(time.monotonic)
    wall = staticmethod(time.time)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemClock()"


HOLD_LIMIT = 30.0  # real seconds a FakeClock holds still for one piece of work off the loop


class FakeClock:
    """Virtual time that jumps to the next deadline once the other tasks have settled.

    No asyncio internals: a driver task yields to the loop (``asyncio.sleep(0)``, one
    loop iteration each) until ``settle`` iterations in a row passed without any task
    touching the clock (``now``, ``wall``, ``sleep``), then moves ``now()`` to the
    earliest sleeper's deadline and wakes it — trio's ``MockClock(autojump_threshold=0)``
    in spirit, with "idle" read from the clock's own traffic instead of the run loop's.
    One jump waits at most ``max_rounds`` iterations (a task polling ``now()`` in a loop
    cannot hold time still forever). Without threads or sockets in play the order of
    wake-ups is a pure function of the program: the same test runs the same way each
    time. ``settle``: iterations, >= 1; a chain of more than ``settle`` loop steps that
    never reads the clock may see time jump under it (the engine's paths read it at
    every admission, so the default has a wide margin; see tests/test_clock.py).
    """

    __slots__ = ("_activity", "_busy", "_driver", "_epoch", "_max_rounds", "_now", "_seq",
                 "_settle", "_sleepers")

    def __init__(self, start: float = 0.0, epoch: float = 1_767_225_600.0, *,
                 settle: int = 64, max_rounds: int = 10_000) -> None:
        if settle < 1 or max_rounds < settle:
            raise ValueError("need 1 <= settle <= max_rounds")
        self._now = start
        self._epoch = epoch - start  # wall() == epoch at now() == start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._driver: asyncio.Task[None] | None = None
        self._settle = settle
        self._max_rounds = max_rounds
        self._activity = 0  # bumped by every read of and sleep on the clock
        self._busy = 0  # work off the loop in progress (``busy``): time holds still

    def now(self) -> float:
        self._activity += 1
        return self._now

    def wall(self) -> float:
        self._activity += 1
        return self._epoch + self._now

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        """Hold time still while work off the loop runs (a store write in a thread, which
        the loop sees as idle): no jump while inside, up to ``max_rounds`` iterations."""
        self._busy += 1
        try:
            yield
        finally:
            self._busy -= 1
            self._activity += 1

    def advance(self, seconds: float) -> None:
        """Move time forward by hand (for synchronous tests); wakes due sleepers."""
        self._now += seconds
        self._wake_due()

    async def sleep(self, seconds: float) -> None:
        self._activity += 1
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._seq), fut))
        if self._driver is None or self._driver.done():
            self._driver = loop.create_task(self._drive())
        await fut  # cancellation leaves a cancelled future the driver skips

    def _wake_due(self) -> None:
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, fut = heapq.heappop(self._sleepers)
            if not fut.done():
                fut.set_result(None)

    async def _settled(self) -> None:
        """Yield to the loop until ``settle`` iterations in a row left the clock alone
        (or ``max_rounds`` passed). Work off the loop (``busy``) is waited out whatever
        it takes: a thread's SQLite write on a loaded machine can outlast any count of
        loop iterations, and time that jumped under it moved the run's other deadlines."""
        quiet = rounds = 0
        seen = self._activity
        loop = asyncio.get_running_loop()
        held_since: float | None = None
        while rounds < self._max_rounds:
            await asyncio.sleep(0)
            if self._busy or _OFF_LOOP.get(loop):
                # real seconds, bounded: a thread that waits on this clock would hang the
                # test forever; past HOLD_LIMIT it fails (time moves) instead
                held_since = held_since if held_since is not None else time.monotonic()
                if time.monotonic() - held_since < HOLD_LIMIT:
                    seen, quiet, rounds = self._activity, 0, 0
                    continue
            else:
                held_since = None
            rounds += 1
            if self._activity != seen:
                seen, quiet = self._activity, 0
            else:
                quiet += 1
                if quiet >= self._settle:
                    return

    async def _drive(self) -> None:
        while self._sleepers:
            await self._settled()
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)
            if not self._sleepers:
                break
            self._now = max(self._now, self._sleepers[0][0])
            self._wake_due()

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now:.3f}, sleepers={len(self._sleepers)})"


# per event loop: how many pieces of work off the loop (``off_loop``) are in progress
_OFF_LOOP: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, int] = (
    weakref.WeakKeyDictionary())


@contextlib.contextmanager
def off_loop() -> Iterator[None]:
    """Work off the event loop runs (a thread): no ``FakeClock`` driven on this loop jumps
    until it ends, whenever that clock was made or first slept on. Real time (or no
    running loop): nothing to hold."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        yield
        return
    _OFF_LOOP[loop] = _OFF_LOOP.get(loop, 0) + 1
    try:
        yield
    finally:
        _OFF_LOOP[loop] -= 1


# seconds a Lane's thread waits for work before it ends (the next call starts another),
# as anyio's worker threads do: a store left open keeps no thread for good
IDLE = 10.0
_Work = tuple[Callable[[], Any], "asyncio.Future[Any]", asyncio.AbstractEventLoop]


class Lane:
    """One thread that runs the work handed to it (``in_thread(fn, lane=...)``) one piece
    at a time, in the order it came: a ``queue.SimpleQueue`` feeds it and each answer
    comes back through its caller's future (``call_soon_threadsafe``). The job store's
    (``bulk.store.AsyncJobStore``): it stands where ``anyio.to_thread.run_sync`` behind a
    ``CapacityLimiter(1)`` stood, for what that cost per call (issue 8: ~130 Python calls a
    store call, the limiter's and anyio's thread pool's; ~34 here; ~0.5 store calls a
    request at Growth and Ultimate-OAuth). Started at the first piece, ended after
    ``IDLE`` seconds with none. Each piece runs in the thread's own context (not a copy
    of its caller's context variables, as anyio's did: the store reads none)."""

    __slots__ = ("_lock", "_queue", "_thread")

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Work] = queue.SimpleQueue()
        self._lock = threading.Lock()  # the thread's start and end, against a late call
        self._thread: threading.Thread | None = None

    def submit(self, work: _Work) -> None:
        self._queue.put(work)
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="pdbulk-store",
                                                daemon=True)
                self._thread.start()

    def _work(self) -> None:
        take = self._queue.get
        while True:
            try:
                fn, fut, loop = take(timeout=IDLE)
            except queue.Empty:
                with self._lock:  # (a call put since is taken: this thread goes on)
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            try:
                result, error = fn(), None
            except BaseException as exc:  # (the caller's to raise, as anyio's thread did)
                result, error = None, exc
            try:
                loop.call_soon_threadsafe(_settle, fut, result, error)
            except RuntimeError:
                pass  # the loop closed meanwhile: nobody waits for it
            del fn, fut, loop, result, error


def _settle(fut: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    """On the loop: the answer of a store call to its caller (gone already after a native
    asyncio cancel, which cancelled the future: the call ran all the same)."""
    if fut.cancelled():
        return
    if error is not None:
        fut.set_exception(error)
    else:
        fut.set_result(result)


async def in_thread(fn: Callable[[], T], *, limiter: anyio.CapacityLimiter | None = None,
                    lane: Lane | None = None) -> T:
    """``fn()`` in a worker thread (``anyio.to_thread.run_sync``; ``lane``: that lane's
    one thread, after the work handed to it before), fake time held still meanwhile
    (``off_loop``). The one door the engine's blocking work (SQLite, reading a manifest)
    takes off the loop: a test's virtual time never jumps while a store write is in a
    thread. ``fn`` must not wait on a fake clock (through ``anyio.from_thread``): time
    would hold still under it for ``HOLD_LIMIT`` real seconds. Either way as anyio's
    ``run_sync`` does: a cancelled scope raises before the work starts; once started, the
    work ends and its caller waits for it through anyio's cancels (not through a native
    asyncio cancel: ``to_end``)."""
    if lane is None:
        with off_loop():
            return await anyio.to_thread.run_sync(fn, limiter=limiter)
    await anyio.lowlevel.checkpoint_if_cancelled()
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[T] = loop.create_future()
    with off_loop(), anyio.CancelScope(shield=True):
        lane.submit((fn, fut, loop))
        result = await fut
    return result


async def to_end(work: Coroutine[Any, Any, T]) -> tuple[T, BaseException | None]:
    """``work`` run in its own task and awaited to its end even through a native asyncio
    cancel of this one (``asyncio.timeout``, ``Task.cancel``), which anyio's shield does
    not hold (x21r4 F2): what a store did (a batch committed, a script run) is known and
    answered. Returns its result and that cancel (None: none), for the caller to raise
    once it has dealt with the result. Wrap it in a shielded ``anyio.CancelScope`` for
    anyio's own cancels."""
    task = asyncio.ensure_future(work)
    cancelled: BaseException | None = None
    while True:
        try:
            return await asyncio.shield(task), cancelled
        except asyncio.CancelledError as exc:
            if task.cancelled():
                raise
            # the work may have ended as the cancel came (the shield's wake-up lost to it):
            # its result is still taken, and its callers answered (awaited again: at once)
            cancelled = exc


def parse_time(text: object) -> float | None:
    """A Pipedrive timestamp (``2024-01-02T03:04:05Z`` or ``2024-01-02 03:04:05``, UTC:
    FACTS.md) → Unix time (seconds); None for anything else (not a string, empty, not a
    time)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T").replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


__all__ = ["Clock", "FakeClock", "Lane", "SystemClock", "in_thread", "off_loop", "parse_time", "to_end"]
