"""FakeClock: virtual time that jumps once the other tasks have settled, on asyncio's
public API only (no ``loop._ready``), deterministic, bounded."""

from __future__ import annotations

import ast
import asyncio
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
