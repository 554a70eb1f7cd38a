"""The console script's entry (``pdbulk``, ``python -m pdbulk``): a signal while the
command line starts up — the imports take most of a second — ends it with one line
(one JSON object with ``--json``) and exit code 1, nothing sent, instead of a
``KeyboardInterrupt`` traceback (SIGINT) or a silent exit 143 (SIGTERM; x11r3 F4).
SIGTERM and SIGHUP (the terminal closed) are interrupts (like SIGINT) from then on, until
a command installs its own handler (``pdbulk.options.install_stop``, before anything is
sent): a resume or retry that re-reads its deals then stops checkpointed, exit 4 (x17r3
F1: SIGHUP in that window killed it silently, shell code 129)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from typing import Any

INTERRUPTED = "interrupted while starting, before anything was sent: nothing was changed"


def _interrupt(signum: int, frame: Any) -> None:
    if signum == getattr(signal, "SIGHUP", None):
        detach_terminal()  # it is gone: the line saying so would fail with EIO
    raise KeyboardInterrupt


def detach_terminal() -> None:
    """Point stdout / stderr that are a terminal at /dev/null (after a hang-up, what is
    written to the terminal fails with EIO; the job's files keep the outcome). Here, not
    in ``pdbulk.options``: this runs before the command line is imported."""
    for fd in (1, 2):
        with contextlib.suppress(OSError):
            if os.isatty(fd):
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, fd)
                os.close(null)


def _take_signals() -> None:
    """SIGTERM and SIGHUP (not on Windows) raise KeyboardInterrupt, as SIGINT does."""
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, _interrupt)


def main() -> None:
    """Install the start-up handler, import the command line, run it."""
    _take_signals()  # SIGINT raises KeyboardInterrupt already
    try:
        from .cli import main as run

        # SIGTERM / SIGHUP stay interrupts until a command installs its own handler (the job
        # commands do before they plan, load or send; the sandbox stops on it): building
        # the command line and opening the job folder come first (x11r4 F3: a silent
        # exit 143 in that window, 6 of 23 signals; a traceback from typer's set-up)
        run()
    except KeyboardInterrupt:
        if "--json" in sys.argv[1:]:
            sys.stdout.write(json.dumps({"status": "error", "exit_code": 1,
                                         "error": INTERRUPTED}) + "\n")
        sys.stderr.write(f"pdbulk: {INTERRUPTED}\n")
        sys.exit(1)


__all__ = ["detach_terminal", "main"]
