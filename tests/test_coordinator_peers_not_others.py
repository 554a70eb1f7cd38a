"""x34r3 F3: under the Redis coordinator, the end-of-run note blamed "another client's
calls on this token" (and named --window-share 0.8) for the peers' own calls: each
process judged the server's window count against its own calls alone. The coordinator
counts every process's calls; only calls beyond those are another client's.

Real redis-server, virtual time (FakeClock)."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator

import pytest
import redis.asyncio

from bulk.clock import FakeClock
from bulk.coordinator import fingerprint
from bulk.coordinator_redis import RedisCoordinator
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import Scheduler
from tests.redis_helpers import RedisServer, running_redis

pytestmark = pytest.mark.anyio
PATCH = get_operation("updateDeal")
WIDTH, BURST = 2.0, 40


@pytest.fixture
async def redis_server() -> AsyncIterator[RedisServer]:
    with running_redis() as server:
        yield server


async def _peers(url: str, token: str, other_every: float | None) -> list[int]:
    """Two coordinated processes send 60 calls each, 10 a second between them; the
    server counts each on arrival (and, ``other_every`` s apart, another client's).
    Each process's ``others_seen``."""
    clock = FakeClock()
    window: deque[float] = deque()
    coords = [RedisCoordinator(url, clock=clock) for _ in range(2)]
    scheds = []
    for coord in coords:
        await coord.start(fingerprint(token))
        coord.bind("42")
        scheds.append(Scheduler(Limits(burst=BURST, window=WIDTH, daily_tokens=10**9),
                                clock=clock, coordinator=coord))
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
                s.observe(PATCH, RateHeaders(limit=BURST, remaining=BURST - len(window),
                                             reset=window[0] + WIDTH - sent), sent_at=sent)
        await clock.sleep(1)  # the last answers' feedback reaches Redis
        return [s.others_seen for s in scheds]
    finally:
        for coord in coords:
            await coord.aclose()


async def test_the_peers_calls_are_no_other_client_s(redis_server: RedisServer) -> None:
    """Alone on the token, the two processes see no other client (before: each counted
    the other's calls as another client's in most answers)."""
    assert await _peers(redis_server.url, "peers-alone", None) == [0, 0]


async def test_another_client_beside_the_peers_is_still_seen(redis_server: RedisServer) -> None:
    """A client beside them, 10 calls a window, is seen by both."""
    seen = await _peers(redis_server.url, "peers-beside", WIDTH / 10)
    assert min(seen) > 0, seen


class _LateFeedback(RedisCoordinator):
    """A process whose window feedback (the WINDOW script) reaches Redis ``late`` seconds
    after its answer, as a loaded machine's feedback pipeline did (1.3-1.5 s at a 0.5-s
    window): the other processes have admitted, and pruned the window, meanwhile."""

    late = 2.5 * WIDTH

    def __init__(self, url: str, *, clock: FakeClock) -> None:
        super().__init__(url, clock=clock)
        self.held: deque[tuple[float, tuple[str, tuple[object, ...]]]] = deque()

    def window_seen(self, remaining: int, until: float, cap: int, *, search: bool,
                    seen: float | None = None,
                    span: tuple[float, float] | None = None) -> None:
        super().window_seen(remaining, until, cap, search=search, seen=seen, span=span)
        if self._pending and self._pending[-1][0] == "window":
            self.held.append((self._clock.wall() + self.late, self._pending.pop()))

    def release(self) -> None:
        """Hand the feedback due by now to the pipeline."""
        while self.held and self.held[0][0] <= self._clock.wall():
            self._pending.append(self.held.popleft()[1])
        self._kick()


async def test_feedback_that_reaches_redis_after_later_admissions_is_no_evidence(
        redis_server: RedisServer) -> None:
    """f36f 2: a process's window feedback ran 1.3-1.5 s after its answer under load; the
    peers' admissions meanwhile had pruned the entries of the calls the server counted,
    and those looked like another client's (1-25 answers in 4 of 90 runs). Feedback that
    comes after the window it speaks of was pruned proves nothing."""
    clock = FakeClock()
    window: deque[float] = deque()
    coords = [_LateFeedback(redis_server.url, clock=clock) for _ in range(2)]
    scheds = []
    for coord in coords:
        await coord.start(fingerprint("peers-late"))
        coord.bind("42")
        scheds.append(Scheduler(Limits(burst=BURST, window=WIDTH, daily_tokens=10**9),
                                clock=clock, coordinator=coord))
    try:
        for _ in range(60):
            for s in scheds:
                await s.acquire(PATCH)
                sent = clock.now()
                window.append(sent)
                while window and window[0] + WIDTH <= sent:
                    window.popleft()
                await clock.sleep(0.05)
                s.observe(PATCH, RateHeaders(limit=BURST, remaining=BURST - len(window),
                                             reset=window[0] + WIDTH - sent), sent_at=sent)
                for coord in coords:
                    coord.release()
        await clock.sleep(_LateFeedback.late + 1)
        for coord in coords:
            coord.release()
        await clock.sleep(1)
        assert [s.others_seen for s in scheds] == [0, 0]
    finally:
        for coord in coords:
            await coord.aclose()


async def test_an_answer_read_after_redis_was_emptied_blames_no_other_client(
        redis_server: RedisServer) -> None:
    """x50r2 F5: one process alone; Redis emptied (FLUSHALL) between a call's admission and
    its answer, whose window script ran before any admission re-created the birth marker
    (``born``): the server's count of the calls made before the loss was judged another
    client's (5 of 10 flushed runs: the guard for calls before the state began needs
    ``born``). A missing marker is Redis's lost state: unknown, no evidence."""
    clock = FakeClock()
    window: deque[float] = deque()
    coord = RedisCoordinator(redis_server.url, clock=clock)
    await coord.start(fingerprint("alone-flushed"))
    coord.bind("42")
    sched = Scheduler(Limits(burst=BURST, window=WIDTH, daily_tokens=10**9), clock=clock,
                      coordinator=coord)
    try:
        for n in range(20):
            await sched.acquire(PATCH)
            sent = clock.now()
            window.append(sent)
            while window and window[0] + WIDTH <= sent:
                window.popleft()
            if n == 15:  # emptied while the call is out
                flusher = redis.asyncio.Redis.from_url(redis_server.url)
                await flusher.flushall()
                await flusher.aclose()
            await clock.sleep(0.05)
            sched.observe(PATCH, RateHeaders(limit=BURST, remaining=BURST - len(window),
                                             reset=window[0] + WIDTH - sent), sent_at=sent)
            if n == 15:  # the answer's feedback reaches Redis before the next admission
                await clock.sleep(0.5)
        await clock.sleep(1)
        assert sched.others_seen == 0
    finally:
        await coord.aclose()
