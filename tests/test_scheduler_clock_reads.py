"""How often the scheduler reads the clock for one call (issue 8, engine CPU): an answer
converts its send and its answer to the wall clock with one offset, not a pair of reads
each. Virtual time (FakeClock), no sleep."""

from __future__ import annotations

import pytest

from bulk.clock import FakeClock
from bulk.coordinator import fingerprint
from bulk.coordinator_process import ProcessCoordinator
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import Scheduler

pytestmark = pytest.mark.anyio


class CountingClock(FakeClock):
    """A FakeClock that counts the reads of ``now`` and ``wall``."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def now(self) -> float:
        self.reads += 1
        return super().now()

    def wall(self) -> float:
        self.reads += 1
        return super().wall()


async def test_one_call_reads_the_clock_15_times_at_most() -> None:
    """acquire (held), leaving and observe with window and daily headers, the engine alone
    on its account (its ProcessCoordinator): 15 reads a call (before: 20, each of the
    answer's four conversions to the wall clock reading it twice)."""
    clock = CountingClock()
    coord = ProcessCoordinator("http://127.0.0.1:9/clock-reads", "tok", clock=clock)
    await coord.start(fingerprint("tok"))
    coord.bind("1")
    sched = Scheduler(Limits(burst=10**6, window=2.0, daily_tokens=10**12), clock=clock,
                      coordinator=coord)
    op = get_operation("updateDeal")
    rate = RateHeaders(limit=10**6, remaining=10**6 - 10, reset=2.0,
                       daily_token_limit=10**12, daily_token_remaining=10**11)
    try:
        for calls in (20, 200):  # the first ones learn the fastest round trip
            clock.reads = 0
            for _ in range(calls):
                admitted = await sched.acquire(op, hold=True)
                sched.leaving(op, admitted)
                sent = clock.reads, clock.now()
                clock.reads = sent[0]  # (the test's own read)
                sched.observe(op, rate, sent_at=sent[1])
        assert clock.reads / 200 <= 15, clock.reads / 200
    finally:
        await coord.aclose()
