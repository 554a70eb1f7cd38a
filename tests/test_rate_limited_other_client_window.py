"""A 429 whose window another client using this token spent (the server's headers counted
its calls) while this run's own calls were within the limit is said to be that client's:
"another client using this token used the window", never the run's pace (x48r10 F2: with two
engines in one process a 429 was judged by a window count holding the client's calls and
told "... the other 1 as the pace neared the limits", as if the run had overspent; alone,
in one process or on Redis the note opened on "another process uses ..."). Virtual time."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import pytest

from bulk.clock import FakeClock
from bulk.coordinator import Coordinator, fingerprint
from bulk.coordinator_process import ProcessCoordinator
from bulk.coordinator_redis import RedisCoordinator
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import Scheduler
from pdbulk.options import rate_limited_note
from tests.redis_helpers import redis_server

__all__ = ["redis_server"]

pytestmark = pytest.mark.anyio
PATCH = get_operation("updateDeal")
WIDTH, BURST = 2.0, 40


async def _beside_a_client(make: Callable[[FakeClock], Coordinator | None],
                           other_per_window: int, engines: int = 2) -> list[Scheduler]:
    """``engines`` schedulers of one process on one account send a call each 100 ms in turn
    (a few a window: far within 40) beside a client sending ``other_per_window`` calls a
    window; the server counts each on arrival and answers 429 to a call that finds its
    window full. Returns the schedulers, their statistics as the run's."""
    clock = FakeClock()
    window: deque[float] = deque()
    coords = [make(clock) for _ in range(engines)]
    for coord in coords:
        if coord is not None:
            await coord.start(fingerprint("tok"))
            coord.bind("42")
    scheds = [Scheduler(Limits(burst=BURST, window=WIDTH, daily_tokens=10**9), clock=clock,
                        coordinator=coord) for coord in coords]
    next_other, every = 0.0, WIDTH / other_per_window
    try:
        for _ in range(40):
            for s in scheds:
                await s.acquire(PATCH)
                sent = clock.now()
                while next_other <= sent:
                    while window and window[0] + WIDTH <= next_other:
                        window.popleft()
                    if len(window) < BURST:
                        window.append(next_other)
                    next_other += every
                while window and window[0] + WIDTH <= sent:
                    window.popleft()
                await clock.sleep(0.1)
                if len(window) >= BURST:
                    s.rate_limited(PATCH, RateHeaders(limit=BURST, remaining=0,
                                                      reset=window[0] + WIDTH - sent),
                                   None, sent_at=sent)
                    continue
                window.append(sent)
                s.observe(PATCH, RateHeaders(limit=BURST, remaining=BURST - len(window),
                                             reset=window[0] + WIDTH - sent), sent_at=sent)
        return scheds
    finally:
        for coord in coords:
            if coord is not None:
                await coord.aclose()


@pytest.mark.parametrize("where", ["alone", "one process", "redis"])
async def test_429s_in_a_window_another_client_spent_are_its_not_the_pace(
        where: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("redis_server").url if where == "redis" else None

    def make(clock: FakeClock) -> Coordinator | None:
        if url is not None:
            return RedisCoordinator(url, clock=clock)
        if where == "one process":
            return ProcessCoordinator("http://127.0.0.1:9", "tok", clock=clock)
        return None
    scheds = await _beside_a_client(make, other_per_window=60,
                                    engines=1 if where == "alone" else 2)
    limited = sum(s.statistics().rate_limited for s in scheds)
    assert limited > 0  # the client's calls filled the window: some of ours were refused
    for s in scheds:
        stats = s.statistics()
        if not stats.rate_limited:
            continue
        assert stats.others_seen > 0, stats
        assert stats.refused_with_room == stats.rate_limited, stats
        note = rate_limited_note(stats.rate_limited, url,
                                 others=stats.others_seen,
                                 room=stats.refused_with_room)
        assert note is not None
        assert "another client using this token used the window" in note, note
        assert "pace" not in note, note
