"""f32j 1: a command of the CLI run in-process (a script calling the app, the tests) whose
job settled left asyncio's Ctrl-C handler of its finished run installed: ``asyncio.Runner``
takes SIGINT for its run and puts the default back at its end only while its own handler
is still there, but the settled job's hold (``hold_signals``) had put it aside, and
``end_of_command`` put it back after the loop had closed. A later SIGINT then raised
KeyboardInterrupt from that stale handler wherever the process was (the whole suite: from a
Hypothesis gc callback, the summary line lost)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, cast

import pytest

from bulk.engine import Engine
from bulk.loop import run_loop
from pdbulk.options import begin_command, end_of_command, install_stop


@pytest.fixture()
def default_sigint() -> Iterator[None]:
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_settled_command_on_a_loop_leaves_the_default_ctrl_c_handler(
        default_sigint: None) -> None:
    """A CLI command whose job settled inside its loop (the run's ``install_stop`` put
    aside the runner's SIGINT handler): after the command, SIGINT's handler is Python's
    default again, not the closed runner's."""
    settled = SimpleNamespace(store=SimpleNamespace(status="finished"),
                              request_stop=lambda *a, **kw: None)

    async def run() -> Any:
        restore = install_stop(cast(list[Engine], [cast(Any, settled)]))
        restore()  # the job settled: the signals are held to the command's end
        return signal.getsignal(signal.SIGINT)

    begin_command()
    try:
        during = run_loop(run)
    finally:
        end_of_command()
    assert during is not signal.default_int_handler  # held within the command
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_library_run_on_a_loop_leaves_the_default_ctrl_c_handler(
        default_sigint: None) -> None:
    """Outside a command (a library caller): the runner's handler is put back while its
    run is live, and the runner then puts the default back."""
    engine = SimpleNamespace(store=SimpleNamespace(status="running"),
                             request_stop=lambda *a, **kw: None)

    async def run() -> None:
        install_stop(cast(list[Engine], [cast(Any, engine)]))()

    run_loop(run)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
