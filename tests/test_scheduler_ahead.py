"""A call acquired with ``ahead`` (a re-check read, issue 8) goes before the calls queued
ahead of it only when each of them still has a slot within that many seconds, and the
budget holds it beside them; otherwise it keeps its place (``Scheduler._leads_now``)."""

from __future__ import annotations

import asyncio

import pytest

from bulk.clock import FakeClock
from bulk.errors import BudgetExhausted
from bulk.operations import get_operation
from bulk.plans import plan_limits
from bulk.scheduler import BudgetPolicy, Scheduler

READ = get_operation("getDeals")  # 10 tokens
PATCH = get_operation("updateDeal")  # 5 tokens


async def _queue(s: Scheduler, clock: FakeClock, ahead: float,
                 ) -> tuple[list[tuple[float, str]], BaseException | None]:
    """A full window from t = 1.0 (one call each 0.05 s: slots free from 3.0 on, one each
    0.05 s), then at 2.9 five PATCHes queued and a read behind them with ``ahead``:
    (admission time, "w" / "r") in admission order, and what the read raised."""
    for _ in range(40):
        await clock.sleep(0.05 if clock.now() >= 1.0 else 1.0)
        await s.acquire(PATCH)
    await clock.sleep(2.9 - clock.now())
    out: list[tuple[float, str]] = []
    raised: list[BaseException] = []

    async def one(what: str) -> None:
        try:
            await s.acquire(READ if what == "r" else PATCH,
                            ahead=ahead if what == "r" else None)
        except BudgetExhausted as exc:
            raised.append(exc)
            return
        out.append((round(clock.now(), 3), what))

    async with asyncio.TaskGroup() as tg:
        for what in "wwwwwr":
            tg.create_task(one(what))
            await asyncio.sleep(0)  # (each in the queue in this order)
    return out, raised[0] if raised else None


@pytest.mark.anyio
async def test_a_read_goes_before_the_writes_one_round_trip_admits() -> None:
    """The slots free at 3.0, 3.05, ... 3.25: a read with 0.16 s ahead goes at 3.10, the
    three writes it overtook at 3.15-3.25 (each within 0.16 s of it); in order it would
    have gone at 3.25, its round trip then in front of the writes behind it."""
    clock = FakeClock()
    s = Scheduler(plan_limits("growth"), clock=clock, safety=0)
    out, raised = await _queue(s, clock, 0.16)
    assert raised is None
    assert out == [(3.0, "w"), (3.05, "w"), (3.1, "r"), (3.15, "w"), (3.2, "w"), (3.25, "w")]


@pytest.mark.anyio
async def test_a_read_keeps_its_place_when_the_writes_would_wait_longer() -> None:
    """With 0.04 s ahead no write ahead of it has its slot within that of the read's:
    it keeps its place, last (never earlier than one round trip before the writes)."""
    clock = FakeClock()
    s = Scheduler(plan_limits("growth"), clock=clock, safety=0)
    out, raised = await _queue(s, clock, 0.04)
    assert raised is None
    assert [w for _, w in out] == list("wwwwwr")
    assert out[-1] == (3.25, "r")


@pytest.mark.anyio
async def test_a_read_never_takes_budget_the_writes_ahead_of_it_need() -> None:
    """A run's cap with room for the five writes and not for the read as well: the read
    does not overtake them (its 10 tokens would leave a write without), the writes all
    go and the read is the call refused."""
    clock = FakeClock()
    s = Scheduler(plan_limits("growth"), clock=clock, safety=0,
                  budget=BudgetPolicy(max_tokens=45 * 5 + 5))
    out, raised = await _queue(s, clock, 0.16)
    assert [w for _, w in out] == list("wwwww")
    assert isinstance(raised, BudgetExhausted)


@pytest.mark.anyio
async def test_a_read_cancelled_while_it_waits_leaves_the_writes_in_order() -> None:
    """The read ahead cancelled while it waits: the writes go in order and the next call
    acquired with ``ahead`` may go ahead in its turn."""
    clock = FakeClock()
    s = Scheduler(plan_limits("growth"), clock=clock, safety=0)
    for _ in range(40):
        await s.acquire(PATCH)
    times: list[float] = []

    async def write() -> None:
        await s.acquire(PATCH)
        times.append(clock.now())

    async with asyncio.TaskGroup() as tg:
        writes = [tg.create_task(write()) for _ in range(3)]
        await asyncio.sleep(0)
        read = tg.create_task(s.acquire(READ, ahead=5.0))
        await asyncio.sleep(0)
        read.cancel()
    assert all(w.done() for w in writes) and read.cancelled()
    assert times == [2.0, 2.0, 2.0]
    await clock.sleep(3.0 - clock.now())
    assert await s.acquire(READ, ahead=0.1) == 3.0
