"""``await eventually(read, done)``: a state another actor brings about (the runner's
real-time ticker parking the items that wait for the daily reset, or writing the credit
charged ahead back to the ledger) waited for until it holds, bounded, instead of a guess
of real time (``anyio.sleep(0.3)``) that a loaded machine outlasts: the test then read
the job before the ticker's write and failed (f40e: each reset-wait test failed with the
ticker's park 0.5 s late)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

import anyio

T = TypeVar("T")


async def eventually(read: Callable[[], T], done: Callable[[T], bool], *,
                     within_s: float = 30.0, every_s: float = 0.02) -> T:
    """``read()`` every ``every_s`` s of real time until ``done`` says its value is the
    one waited for, ``within_s / every_s`` reads at most: the last value read (one not
    done when the bound ran out: the caller's assertion shows what was seen)."""
    for _ in range(max(1, math.ceil(within_s / every_s))):
        if done(value := read()):
            return value
        await anyio.sleep(every_s)
    return read()
