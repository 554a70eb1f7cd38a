"""stdout that can no longer be written — its reader gone (EPIPE: ``pdbulk jobs | head
-1``), a full disk (ENOSPC: ``> /dev/full``), a hung-up terminal (EIO) — never ends or
harms a command: the first failed write points fd 1 at /dev/null (so no later write,
nor the interpreter's own flush at exit, fails again), says so in one line on stderr
(none for a closed pipe, as any Unix tool), and the command goes on; a job keeps
running and writes its result files. x23r4 F3: ``pdbulk update … > /dev/full`` exited
120 with repeated "No space left on device" and Python's "Exception ignored … OSError",
and left the update job interrupted.

The command's exit code stands when it is not 0; a command that would exit 0 exits 1
(its output was lost: ``lost``). Installed by the console script only
(``pdbulk.cli.main``): in-process callers keep their own stdout.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from typing import Any

_LOST: list[OSError] = []  # the first failed write of this process, once it failed


def lost() -> OSError | None:
    """The error stdout failed with, or None while it writes."""
    return _LOST[0] if _LOST else None


def _lose(exc: OSError) -> None:
    if _LOST:
        return
    _LOST.append(exc)
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    if exc.errno != errno.EPIPE:
        with contextlib.suppress(Exception):
            sys.stderr.write(f"pdbulk: stdout cannot be written ({os.strerror(exc.errno or 0)}"
                             "): the rest of the output is dropped; a job goes on, its "
                             "outcome in its folder (pdbulk status JOB)\n")
            sys.stderr.flush()


class Guarded:
    """A stream (text, or its binary ``buffer``) whose failed writes and flushes are
    dropped (``_lose``); everything else is the stream's."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, data: Any) -> int:
        if _LOST:
            return len(data)
        try:
            return int(self._stream.write(data))
        except OSError as exc:
            _lose(exc)
            return len(data)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            _lose(exc)
            with contextlib.suppress(OSError):  # fd 1 is /dev/null now: what was held goes
                self._stream.flush()

    @property
    def buffer(self) -> Guarded:
        return Guarded(self._stream.buffer)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guard_stdout() -> None:
    """``sys.stdout`` guarded (once)."""
    if sys.stdout is not None and not isinstance(sys.stdout, Guarded):
        sys.stdout = Guarded(sys.stdout)


def exit_code(code: int) -> int:
    """The process's exit code for a command that ended with ``code``: 1 instead of 0
    when its output was lost."""
    return 1 if code == 0 and _LOST else code


__all__ = ["Guarded", "exit_code", "guard_stdout", "lost"]
