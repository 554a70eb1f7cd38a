"""FakeClock: virtual time that jumps once the other tasks have settled, on asyncio's
public API only (no ``loop._ready``), deterministic, bounded."""

from __future__ import annotations

import ast
import asyncio
import time
from pathlib import Path

import pytest

import bulk.clock
from bulk.clock import FakeClock

pytestmark = pytest.mark.anyio


def test_fake_clock_touches_no_private_asyncio_state() -> None:
    """No attribute or ``getattr`` name starting with ``_`` on anything but ``self``: the
    clock works on any event loop, whatever its internals (it read ``loop._ready``)."""
    tree = ast.parse(Path(bulk.clock.__file__).read_text(encoding="utf-8"))
    private = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id == "self")):
            private.append(f"line {node.lineno}: .{node.attr}")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr") and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and str(node.args[1].value).startswith("_")):
            private.append(f"line {node.lineno}: getattr {node.args[1].value}")
    assert private == []


async def _scenario(clock: FakeClock) -> list[tuple[str, float]]:
    seen: list[tuple[str, float]] = []

    async def sleeper(name: str, every: float, times: int) -> None:
        for _ in range(times):
            await clock.sleep(every)
            seen.append((name, clock.now()))

    async def busy() -> None:  # a chain of clock-free steps, shorter than ``settle``
        for _ in range(10):
            await asyncio.sleep(0)
        seen.append(("busy", clock.now()))

    await asyncio.gather(sleeper("a", 0.7, 3), sleeper("b", 1.0, 2), busy())
    return seen


async def test_time_jumps_to_each_deadline_in_order_and_runs_the_same_twice() -> None:
    """Sleepers wake at exactly their deadlines, in deadline order; work that needs a few
    loop steps without reading the clock finishes before time moves; a second run of the
    same program gives the same trace."""
    first = await _scenario(FakeClock())
    assert [(name, round(t, 9)) for name, t in first] == [
        ("busy", 0.0), ("a", 0.7), ("b", 1.0), ("a", 1.4), ("b", 2.0), ("a", 2.1)]
    assert await _scenario(FakeClock()) == first


async def test_a_task_polling_the_clock_cannot_hold_time_still() -> None:
    """A task spinning on ``now()`` keeps the clock "busy"; the jump still comes, after at
    most ``max_rounds`` loop steps."""
    clock = FakeClock(settle=4, max_rounds=200)
    woke: list[float] = []

    async def spinner() -> None:
        while clock.now() < 1.0:  # noqa: ASYNC110 - the busy poll is the point
            await asyncio.sleep(0)

    async def sleeper() -> None:
        await clock.sleep(1.0)
        woke.append(clock.now())

    await asyncio.wait_for(asyncio.gather(spinner(), sleeper()), timeout=10)
    assert woke == [1.0]


async def test_a_cancelled_sleeper_does_not_move_time() -> None:
    """Cancelling a sleep leaves no deadline behind: time moves to the next live one."""
    clock = FakeClock()
    early = asyncio.ensure_future(clock.sleep(5.0))
    await asyncio.sleep(0)
    early.cancel()
    await clock.sleep(10.0)
    assert clock.now() == 10.0


def test_settle_must_be_positive() -> None:
    with pytest.raises(ValueError):
        FakeClock(settle=0)


@pytest.mark.parametrize("first", ["thread", "sleep"])
async def test_time_holds_still_while_work_runs_off_the_loop(first: str) -> None:
    """A store write in a worker thread leaves the loop idle; fake time must not jump to
    another task's deadline meanwhile, whether the work started before or after anything
    slept on the clock. Before, a fresh run's first SQLite calls (made before the first
    sleep) let time jump 2 s to the scheduler's wake-up, and the retries after it ran late
    (``test_refused_tries_hold_no_window_slot`` failed alone and, under load, in CI)."""
    clock = FakeClock()
    order: list[tuple[str, float]] = []
    started = asyncio.Event()

    async def writer() -> None:
        if first == "sleep":
            await started.wait()
        # longer than any count of loop iterations the clock waits for quiet
        await bulk.clock.in_thread(lambda: time.sleep(0.05))
        order.append(("written", clock.now()))
        await clock.sleep(0.5)
        order.append(("writer woke", clock.now()))

    async def sleeper() -> None:
        started.set()
        await clock.sleep(1.0)
        order.append(("sleeper woke", clock.now()))

    await asyncio.gather(writer(), sleeper())
    assert order == [("written", 0.0), ("writer woke", 0.5), ("sleeper woke", 1.0)]


def test_the_engine_leaves_the_loop_only_through_in_thread() -> None:
    """Every piece of blocking work the engine and the jobs hand to a thread goes through
    ``bulk.clock.in_thread``, so a test's fake time holds still while it runs (the class of
    flaky timings fixed with it: a lease renewed, a retry late)."""
    root = Path(bulk.clock.__file__).parents[1]
    found = []
    for package in ("bulk", "jobs", "pdbulk"):
        for path in sorted((root / package).rglob("*.py")):
            if path.name == "clock.py" and path.parent.name == "bulk":
                continue
            text = path.read_text(encoding="utf-8")
            for needle in ("to_thread", "run_in_executor", "threading.Thread("):
                if needle in text:
                    found.append(f"{path.relative_to(root)}: {needle}")
    assert found == []
