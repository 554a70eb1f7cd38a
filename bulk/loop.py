"""Which event loop a job runs on: uvloop where it is installed, asyncio's own elsewhere.

The one place that chooses it (the CLI and the benchmarks run through ``run_loop``).
uvloop runs the same asyncio code at a fraction of the loop's CPU per request (issue 8);
it is a dependency on every platform but Windows, where it does not exist, and a
missing or broken uvloop falls back to asyncio silently: the loop changes the CPU
spent, never what a job does. ``PDBULK_EVENT_LOOP=asyncio`` keeps asyncio's loop
(to rule uvloop out when something looks wrong).

It must never: be used by tests that drive a ``FakeClock`` by hand on the default loop
(they pick their loop through anyio's pytest plugin, not here).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, TypeVarTuple

import anyio

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

ENV = "PDBULK_EVENT_LOOP"  # "asyncio": asyncio's own loop even where uvloop is installed


def loop_factory() -> Callable[[], Any] | None:
    """``uvloop.new_event_loop``, or None (asyncio's default loop) when uvloop cannot be
    imported or ``PDBULK_EVENT_LOOP`` is ``asyncio``. Never raises."""
    if os.environ.get(ENV, "").strip().lower() == "asyncio":
        return None
    try:
        import uvloop
    except Exception:  # not installed (Windows), or a wheel that does not load here
        return None
    factory: Callable[[], Any] = uvloop.new_event_loop
    return factory


def quiet_interrupts(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The loop's exception handler: a KeyboardInterrupt a signal raised inside a transport
    callback is the command's to report (one line), not the loop's to log with a traceback
    (x13r1 F2: "Fatal error on transport ... raise KeyboardInterrupt" before the right
    line, 1 of 19 SIGTERMs); anything else as asyncio's default handler logs it."""
    if isinstance(context.get("exception"), KeyboardInterrupt | SystemExit):
        return
    loop.default_exception_handler(context)


def run_loop(func: Callable[[*Ts], Awaitable[T]], *args: *Ts) -> T:
    """``anyio.run(func, *args)`` on the loop ``loop_factory`` picks (with
    ``quiet_interrupts``); returns what ``func`` returns and raises what it raises (a
    KeyboardInterrupt included: one a signal raised inside a task of a task group, which
    anyio wraps in a ``BaseExceptionGroup``, comes out as the KeyboardInterrupt it is, so
    the command's one line says it, not a traceback)."""
    factory = loop_factory() or asyncio.new_event_loop

    def make() -> Any:
        loop = factory()
        loop.set_exception_handler(quiet_interrupts)
        return loop
    try:
        return anyio.run(func, *args, backend="asyncio",
                         backend_options={"loop_factory": make})
    except BaseExceptionGroup as group:
        interrupts, rest = group.split(KeyboardInterrupt)
        if interrupts is not None and rest is None:
            raise KeyboardInterrupt from group
        raise


__all__ = ["ENV", "loop_factory", "quiet_interrupts", "run_loop"]
