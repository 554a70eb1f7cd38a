"""The console script's entry (``pdbulk``, ``python -m pdbulk``): a signal while the
command line starts up — the imports take most of a second — ends it with one line
(one JSON object with ``--json``) and exit code 1, nothing sent, instead of a
``KeyboardInterrupt`` traceback (SIGINT) or a silent exit 143 (SIGTERM; x11r3 F4).
SIGTERM and SIGHUP (the terminal closed) are interrupts (like SIGINT) from then on, until
a command installs its own handler (``pdbulk.options.install_stop``, before anything is
sent): a resume or retry that re-reads its deals then stops checkpointed, exit 4 (x17r3
F1: SIGHUP in that window killed it silently, shell code 129). Once the command has
ended (its outcome written), a signal changes nothing: the exit code stays the command's
(``_quiet_exit``, and a signal while it exits: x18r3 F4); once a command's job has
settled, signals are held to the exit (``pdbulk.options.hold_signals``, f21c F1). A signal
while the interpreter, shutting down, waits for a thread left running (which comes before
the ``atexit`` hooks) ends the process at once with the command's exit code, no traceback
(``_at_shutdown``; x21r1 F4: "Exception ignored in: <module 'threading'> …
KeyboardInterrupt", exit 1)."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import sys
import threading
from typing import Any

from .process import CLOSED_AT_START, HOLD_TO_EXIT, detach_terminal, fill_standard_fds

INTERRUPTED = "interrupted while starting, before anything was sent: nothing was changed"


def _interrupt(signum: int, frame: Any) -> None:
    if signum == getattr(signal, "SIGHUP", None):
        detach_terminal()  # it is gone: the line saying so would fail with EIO
    raise KeyboardInterrupt


def _take_signals() -> None:
    """SIGTERM and SIGHUP (not on Windows) raise KeyboardInterrupt, as SIGINT does."""
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, _interrupt)


def _quiet_exit() -> None:
    """At exit, after every other atexit hook (registered first, it runs last): the
    signals are ignored from here on. The interpreter, shutting down, puts back the default
    action of each signal a handler of ours took and then frees its modules (tens of ms):
    a SIGTERM there ended a refused command, its JSON (exit_code 1) already written, with
    exit 143 (x18r3 F4, 1 of 7 at 1.6 s); an ignored signal is not put back."""
    for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            with contextlib.suppress(OSError, ValueError):
                signal.signal(sig, signal.SIG_IGN)


_exit_code: list[int] = [1]  # the command's, once it has ended


def _at_shutdown() -> None:
    """When the interpreter starts to shut down (before it joins the threads left
    running, and so before the atexit hooks): a signal from here on ends the process with
    the command's exit code, its outcome written."""

    def handler(signum: int, frame: Any) -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(_exit_code[0])

    for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            with contextlib.suppress(OSError, ValueError):
                signal.signal(sig, handler)


def _code(exc: SystemExit) -> int:
    return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1


_registered: list[bool] = []


def main() -> None:
    """Fill the closed standard fds, install the start-up handler, import the command
    line, run it."""
    fill_standard_fds()
    _take_signals()  # SIGINT raises KeyboardInterrupt already
    if not _registered:  # once a process (tests call main in-process)
        _registered.append(True)
        atexit.register(_quiet_exit)
        # run by threading._shutdown before it joins the threads (CPython 3.9+; the hook
        # concurrent.futures uses); absent elsewhere: the atexit hook alone, as before
        early = getattr(threading, "_register_atexit", None)
        if early is not None:
            with contextlib.suppress(RuntimeError):
                early(_at_shutdown)
    try:
        # SIGTERM / SIGHUP stay interrupts until a command installs its own handler (the job
        # commands do before they plan, load or send; the sandbox stops on it): building
        # the command line and opening the job folder come first (x11r4 F3: a silent
        # exit 143 in that window, 6 of 23 signals; a traceback from typer's set-up). The
        # command line is imported here, not at the top, for that: the only import of this
        # module that waits, and nothing it loads imports this module back (issue 8)
        from .cli import main as run

        # a job that settled holds the signals until the process exits, past click's own
        # interrupt handling (exit 130) once the command returned (f21c F1)
        HOLD_TO_EXIT[:] = [True]
        try:
            run()
        finally:
            HOLD_TO_EXIT.clear()  # (tests call main in-process)
        _exit_code[0] = 0
    except SystemExit as exc:
        _exit_code[0] = _code(exc)
        raise
    except KeyboardInterrupt as exc:
        if isinstance(exc.__context__, SystemExit):
            # the command had ended (its outcome written, exiting) when the signal came:
            # its exit code, not a second outcome (x18r3 F4)
            _exit_code[0] = _code(exc.__context__)
            raise exc.__context__ from None
        _exit_code[0] = 1
        if "--json" in sys.argv[1:]:
            sys.stdout.write(json.dumps({"status": "error", "exit_code": 1,
                                         "error": INTERRUPTED}) + "\n")
        sys.stderr.write(f"pdbulk: {INTERRUPTED}\n")
        sys.exit(1)


__all__ = ["CLOSED_AT_START", "HOLD_TO_EXIT", "detach_terminal", "fill_standard_fds", "main"]
