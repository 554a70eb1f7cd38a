"""x34r3 F3: under the Redis coordinator, the end-of-run note blamed "another client's
calls on this token" (and named --window-share 0.8) for the peers' own calls: each
process judged the server's window count against its own calls alone. The coordinator
counts every process's calls; only calls beyond those are another client's.

Real redis-server, virtual time (FakeClock)."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator

import pytest

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
