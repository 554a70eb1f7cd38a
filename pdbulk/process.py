"""What the console script's entry (``pdbulk.entry``) and the commands (``pdbulk.options``)
share about this process: the standard fds found closed at start, the terminal let go
after a hang-up, and whether the process ends with the command (``HOLD_TO_EXIT``).

Below both (issue 8: ``pdbulk.options`` imported ``pdbulk.entry``, which imports the
command line): the entry loads it before the command line, so it imports the standard
library only and must stay cheap to import."""

from __future__ import annotations

import contextlib
import os
import sys

# the standard fds found closed at start (``fill_standard_fds``), before /dev/null filled them
CLOSED_AT_START: set[int] = set()
# set by ``pdbulk.entry.main`` while it runs the command: the process ends with the command,
# so a settled job's command holds the signals to the exit (``pdbulk.options.end_of_command``)
HOLD_TO_EXIT: list[bool] = []


def detach_terminal() -> None:
    """Point stdout / stderr that are a terminal at /dev/null (after a hang-up, what is
    written to the terminal fails with EIO; the job's files keep the outcome)."""
    for fd in (1, 2):
        with contextlib.suppress(OSError):
            if os.isatty(fd):
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, fd)
                os.close(null)


def fill_standard_fds() -> None:
    """Any of fds 0, 1, 2 that is closed (``pdbulk … <&- >&-`` from a cron line or a
    supervisor) gets /dev/null, as a daemon does, before any loop, socket or pipe exists:
    else the first socket or pipe takes fd 0 and uvloop aborts the process when it closes
    it (x24r4 3: exit 134, ``uv__close: Assertion 'fd > STDERR_FILENO' failed``, no JSON
    line, 5 of 5). A stream Python found closed at start (``sys.stdout`` None) is opened on
    its fd again so that a line written to it is dropped, never an AttributeError."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            CLOSED_AT_START.add(fd)  # the prompt still says "stdin is closed", not "end of input"
            null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if null != fd:  # (the lowest free fd: this one, unless a lower one was closed too)
                os.dup2(null, fd)
                os.close(null)
    for name, fd, mode in (("stdin", 0, "r"), ("stdout", 1, "w"), ("stderr", 2, "w")):
        if getattr(sys, name) is None:
            with contextlib.suppress(OSError, ValueError):
                setattr(sys, name, open(fd, mode, closefd=False, encoding="utf-8",
                                        errors="replace"))


__all__ = ["CLOSED_AT_START", "HOLD_TO_EXIT", "detach_terminal", "fill_standard_fds"]
