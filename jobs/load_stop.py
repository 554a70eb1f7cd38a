"""A job's load, stoppable: its passes over the rows check for a stop every
``STOP_CHECK_ROWS`` rows and end with ``Stopped`` (nothing sent, and the caller removes the
half-made job), whether they run in a worker thread (``stoppable``) or on the event loop
(``checked``, ``collected``: these also yield to the loop there, so a ``request_stop``
from another task, or a cancellation, lands within the load instead of after it).

The loads of every kind go through here (f24o: update's loop by key and its decimal-marks
pass, move-stage's read of its manifest and its matching, merge's read of its pairs; f25b:
undo's pass over its source job's deals, dedupe's ``read_records`` and its apply's passes
over the plan's groups, merge's planning after its pairs are read): none of them awaited,
so neither a stop nor a cancel landed until the load of 20,000 rows was over. It makes no
call and never sleeps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Protocol, TypeVar

import anyio.lowlevel

from bulk.errors import Stopped

T = TypeVar("T")
Stopping = Callable[[], bool]  # whether a stop was asked (``CallContext.stopping``)
STOP_CHECK_ROWS = 256  # rows read between two checks for a stop (a load stops within ~1 s)
LOAD_STOPPED = "stopped while the job was loading"


class HasStop(Protocol):
    """What can be asked for a stop: ``bulk.calls.CallContext``, ``bulk.engine.Engine``."""

    @property
    def stopping(self) -> bool: ...


def stoppable(rows: Iterable[T], stopping: Stopping | None,
              watch: Callable[[int], None] | None = None) -> Iterator[T]:
    """``rows``, checking ``stopping`` before the first and every ``STOP_CHECK_ROWS``
    rows: raises ``Stopped`` once a stop was asked. For a pass in a worker thread that
    makes no call (x22r2: the load of 30,000 rows went on 5 to 7 s after a Ctrl-C, then
    its run stopped at once, leaving a stopped job of 30,000 pending rows and exit 4).
    ``watch``: told the rows read so far at the same checks (``jobs.load_progress``)."""
    if stopping is None and watch is None:
        yield from rows
        return
    for n, row in enumerate(rows):
        if n % STOP_CHECK_ROWS == 0:
            if stopping is not None and stopping():
                raise Stopped(LOAD_STOPPED)
            if watch is not None:
                watch(n)
        yield row


async def checked(ctx: HasStop, rows: Iterable[T],
                  watch: Callable[[int], None] | None = None) -> AsyncIterator[T]:
    """``rows`` for a pass on the event loop: every ``STOP_CHECK_ROWS`` rows it yields to
    the loop (a cancellation lands there, another task runs) and then checks ``ctx``'s
    stop (``Stopped``, as ``stoppable``); ``watch``: told the rows read so far there."""
    for n, row in enumerate(rows):
        if n % STOP_CHECK_ROWS == 0:
            await anyio.lowlevel.checkpoint()
            if ctx.stopping:
                raise Stopped(LOAD_STOPPED)
            if watch is not None:
                watch(n)
        yield row


async def collected(ctx: HasStop, rows: Iterable[T]) -> list[T]:
    """``rows`` read into a list by ``checked``: a stop or a cancel lands while reading."""
    return [row async for row in checked(ctx, rows)]


__all__ = ["LOAD_STOPPED", "STOP_CHECK_ROWS", "HasStop", "Stopping", "checked", "collected",
           "stoppable"]
