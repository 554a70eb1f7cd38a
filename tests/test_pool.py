"""The worker pool's primitives (``bulk.pool``): slots FIFO and bounded by a total that may
change, a hand-off that never loses or reorders an item, both safe under cancellation."""

from __future__ import annotations

import asyncio

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulk.pool import Handoff, Slots

pytestmark = pytest.mark.anyio


async def test_slots_are_taken_in_order_and_never_above_the_total() -> None:
    """Waiters get their slots first come, first served; never more held than ``total``."""
    slots, order, most = Slots(2), [], [0]

    async def worker(n: int) -> None:
        await slots.take()
        most[0] = max(most[0], slots.taken)
        order.append(n)
        await asyncio.sleep(0.001)
        slots.release()

    async with anyio.create_task_group() as tg:
        for n in range(8):
            tg.start_soon(worker, n)
            await asyncio.sleep(0)  # started in order
    assert order == list(range(8)) and most[0] == 2 and slots.taken == 0


async def test_a_higher_total_wakes_waiters_a_lower_one_takes_nothing_back() -> None:
    """Raising ``total`` admits waiters at once; lowering it lets the held slots finish."""
    slots = Slots(1)
    await slots.take()
    got: list[int] = []

    async def waiter(n: int) -> None:
        await slots.take()
        got.append(n)

    async with anyio.create_task_group() as tg:
        for n in range(3):
            tg.start_soon(waiter, n)
        await asyncio.sleep(0.01)
        assert got == []
        slots.total = 3
        await asyncio.sleep(0.01)
        assert got == [0, 1] and slots.taken == 3
        slots.total = 1
        slots.release()
        slots.release()
        await asyncio.sleep(0.01)
        assert got == [0, 1]  # 1 held, total 1: the third waits
        slots.release()
    assert got == [0, 1, 2] and slots.taken == 1


async def test_a_cancelled_waiter_passes_a_slot_it_was_handed_on() -> None:
    """A waiter cancelled as its slot came gives it to the next: none is leaked."""
    slots = Slots(1)
    await slots.take()
    got: list[str] = []

    async def wait(name: str) -> None:
        await slots.take()
        got.append(name)

    async with anyio.create_task_group() as tg:
        first = asyncio.get_running_loop().create_task(wait("first"))
        tg.start_soon(wait, "second")
        await asyncio.sleep(0.01)
        slots.release()  # handed to "first"...
        first.cancel()  # ...cancelled before it ran
        with pytest.raises(asyncio.CancelledError):
            await first
    assert got == ["second"] and slots.taken == 1


async def test_handoff_keeps_every_item_in_order_and_wakes_the_producer_at_half() -> None:
    """Every item put is taken once, in order; a full buffer's producer waits until the
    takers took it down to half (one wake-up per half buffer, not one per item)."""
    box: Handoff[int] = Handoff(8)
    taken: list[int] = []
    wakes = 0

    async def produce() -> None:
        nonlocal wakes
        for n in range(100):
            if not box.put_nowait(n):
                wakes += 1
                await box.put(n)
        box.close()

    async def take() -> None:
        while True:
            try:
                taken.append(await box.take())
            except anyio.EndOfStream:
                return
            await asyncio.sleep(0)

    async with anyio.create_task_group() as tg:
        tg.start_soon(produce)
        for _ in range(3):
            tg.start_soon(take)
    assert taken == list(range(100))
    assert wakes <= 100 // 4 + 1


async def test_an_item_handed_to_a_cancelled_taker_goes_back_first_in_line() -> None:
    """A taker cancelled after the item was handed to it puts it back, first: no item a pass
    marked SENDING is dropped by a cancel."""
    box: Handoff[str] = Handoff(4)
    task = asyncio.get_running_loop().create_task(box.take())
    await asyncio.sleep(0)
    assert box.put_nowait("a")  # handed straight to the waiting taker
    box.put_nowait("b")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [await box.take(), await box.take()] == ["a", "b"]


async def test_close_ends_the_waiting_takers_after_the_items() -> None:
    """``close`` ends waiting takers with EndOfStream; buffered items are taken first."""
    box: Handoff[int] = Handoff(4)
    box.put_nowait(1)
    box.close()
    assert await box.take() == 1
    with pytest.raises(anyio.EndOfStream):
        await box.take()
    with pytest.raises(anyio.ClosedResourceError):
        box.put_nowait(2)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.lists(st.integers(1, 5), min_size=1, max_size=30))
def test_slots_never_hold_more_than_the_total_as_it_changes(start: int,
                                                             totals: list[int]) -> None:
    """Whatever the changes of ``total``, the slots held never pass the highest total set
    (a lowered one takes none back), and every waiter ends with its slot."""
    async def go() -> None:
        slots, over = Slots(start), []

        async def worker() -> None:
            await slots.take()
            if slots.taken > max(start, *totals):
                over.append(slots.taken)
            await asyncio.sleep(0)
            slots.release()

        async with anyio.create_task_group() as tg:
            for total in totals:
                tg.start_soon(worker)
                tg.start_soon(worker)
                slots.total = total
                await asyncio.sleep(0)
        assert over == [] and slots.taken == 0

    asyncio.run(go())


def test_bad_sizes_are_refused() -> None:
    """A total or size under 1 is a ValueError, not a pool that never admits."""
    with pytest.raises(ValueError):
        Slots(0)
    with pytest.raises(ValueError):
        Handoff(0)
    slots = Slots(1)
    with pytest.raises(ValueError):
        slots.total = 0
    with pytest.raises(RuntimeError):
        slots.release()
