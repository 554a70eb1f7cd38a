"""The scheduler's one timer: it wakes the dispatcher when the next slot frees, counted
from when it starts (not from when it was made: a busy loop would make every slot late)
and it is not torn down and rebuilt when the next slot only moves later; the limits the
runner reads after each answer are not rebuilt either."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest

from bulk.clock import FakeClock, SystemClock
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import Scheduler

GET = get_operation("getDeal")


@pytest.mark.anyio
async def test_a_timer_started_late_still_wakes_when_the_slot_frees() -> None:
    """The loop is busy 1 s between the timer's creation and its start: the waiting call
    is still admitted at 2.0 (it was admitted at 3.0, one busy second late)."""
    clock = FakeClock()
    s = Scheduler(Limits(burst=1), clock=clock, safety=0)
    await s.acquire(GET)
    second = asyncio.ensure_future(s.acquire(GET))
    await asyncio.sleep(0)  # it waits; the timer task is made, not yet started
    clock.advance(1.0)  # a busy loop: a second passes before the timer task runs
    assert await second == 2.0
    assert clock.now() == 2.0


@pytest.mark.anyio
async def test_a_slot_moved_later_keeps_the_timer_task() -> None:
    """An answer that re-dates the only window entry later moves the wake-up; the timer
    task stays the same one, and the waiter is admitted exactly a window after the entry."""
    clock = FakeClock()
    s = Scheduler(Limits(burst=1), clock=clock, safety=0)
    await s.acquire(GET)
    second = asyncio.ensure_future(s.acquire(GET))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    timer = s._timer
    assert timer is not None
    await clock.sleep(0.3)
    s.observe(GET, None, sent_at=0.0)  # answered at 0.3: the entry moves to 0.3
    assert s._timer is timer
    assert await second == pytest.approx(2.3)


def test_limits_are_rebuilt_only_when_a_header_changed_them() -> None:
    """The runner reads ``limits`` after every answer: the same object until a header
    lowers the burst, then the new figure (no dataclass ``replace`` per answer)."""
    from bulk.headers import RateHeaders

    s = Scheduler(Limits(burst=40), clock=FakeClock(), safety=0)
    first = s.limits
    assert s.limits is first and first.burst == 40
    s._apply(GET, RateHeaders(limit=30, remaining=29, reset=2.0), 0.0, windows=False)
    assert s.limits.burst == 30 and s.limits is s.limits and s.limits is not first


class _TaskCountingLoop(asyncio.SelectorEventLoop):
    """Counts the tasks made on it."""

    tasks = 0

    def create_task(self, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        type(self).tasks += 1
        return super().create_task(coro, **kwargs)


def test_on_the_system_clock_the_timer_is_no_task() -> None:
    """Ten calls at one per 20 ms on the system's clock: each waits for the dispatcher's
    timer, a loop timer that makes no task (one sleeping task per wake-up before: 9 for
    10 calls), and each is still admitted no sooner than its slot frees."""
    clock = SystemClock()
    s = Scheduler(Limits(burst=1, window=0.02), clock=clock, safety=0)

    async def go() -> list[float]:
        _TaskCountingLoop.tasks = 0
        return [await s.acquire(GET) for _ in range(10)]

    with asyncio.Runner(loop_factory=_TaskCountingLoop) as runner:
        times = runner.run(go())
        tasks = _TaskCountingLoop.tasks  # counted from inside go()
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.02 - 1e-6, gaps
    assert tasks == 0, f"{tasks} tasks for 9 timer wake-ups"


class _RingCounting(Scheduler):
    """Counts the loop timer's callbacks."""

    __slots__ = ("rings",)

    def _ring(self) -> None:
        self.rings += 1
        super()._ring()


def test_on_uvloop_a_wake_up_is_a_callback_or_two_not_a_spin() -> None:
    """uvloop fires a timer up to 1 ms early (whole milliseconds, truncated): the timer
    sleeps on for at least 1 ms, so ten wake-ups 20.3 ms apart take a callback or two each
    (the rest of the ms re-armed as is spun: 526 callbacks for the 9), and each call is
    still admitted no sooner than its slot frees."""
    uvloop = pytest.importorskip("uvloop")
    s = _RingCounting(Limits(burst=1, window=0.0203), clock=SystemClock(), safety=0)
    s.rings = 0

    async def go() -> list[float]:
        return [await s.acquire(GET) for _ in range(10)]

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        times = runner.run(go())
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.0203 - 1e-6, gaps
    assert s.rings <= 2 * 9 + 2, f"{s.rings} timer callbacks for 9 wake-ups"
