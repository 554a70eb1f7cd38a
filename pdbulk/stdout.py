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

stderr is guarded the same way (x30r2 M3: ``pdbulk import … 2>&1 | head -1`` stopped
the job, "unexpected error (BrokenPipeError)", or removed its folder, nothing sent): its
first failed write points fd 2 at /dev/null, silently (there is nowhere left to say
it), and the command goes on; the progress, notes, warnings and logging lines after it
are dropped. It alone never changes the exit code: the command's outcome is on stdout
and in the job's folder.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from typing import Any

_LOST: list[OSError] = []  # stdout's first failed write in this process, once it failed
_LOST_STDERR: list[OSError] = []  # the same for stderr


def lost() -> OSError | None:
    """The error stdout failed with, or None while it writes."""
    return _LOST[0] if _LOST else None


def _to_null(fd: int) -> None:
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)


def _lose(exc: OSError, fd: int = 1) -> None:
    lost_here = _LOST if fd == 1 else _LOST_STDERR
    if lost_here:
        return
    lost_here.append(exc)
    _to_null(fd)
    if fd == 1 and exc.errno != errno.EPIPE:
        with contextlib.suppress(Exception):
            sys.stderr.write(f"pdbulk: stdout cannot be written ({os.strerror(exc.errno or 0)}"
                             "): the rest of the output is dropped; a job goes on, its "
                             "outcome in its folder (pdbulk status JOB)\n")
            sys.stderr.flush()


class Guarded:
    """A stream (text, or its binary ``buffer``) on file descriptor ``fd`` (1: stdout,
    2: stderr) whose failed writes and flushes are dropped (``_lose``); everything else
    is the stream's."""

    def __init__(self, stream: Any, fd: int = 1) -> None:
        self._stream, self._fd = stream, fd

    def write(self, data: Any) -> int:
        if _LOST if self._fd == 1 else _LOST_STDERR:
            return len(data)
        try:
            return int(self._stream.write(data))
        except OSError as exc:
            _lose(exc, self._fd)
            return len(data)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            _lose(exc, self._fd)
            with contextlib.suppress(OSError):  # the fd is /dev/null now: what was held goes
                self._stream.flush()

    @property
    def buffer(self) -> Guarded:
        return Guarded(self._stream.buffer, self._fd)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guard_stdout() -> None:
    """``sys.stdout`` and ``sys.stderr`` guarded (once each)."""
    if sys.stdout is not None and not isinstance(sys.stdout, Guarded):
        sys.stdout = Guarded(sys.stdout)
    if sys.stderr is not None and not isinstance(sys.stderr, Guarded):
        sys.stderr = Guarded(sys.stderr, 2)


def exit_code(code: int) -> int:
    """The process's exit code for a command that ended with ``code``: 1 instead of 0
    when its output was lost."""
    return 1 if code == 0 and _LOST else code


__all__ = ["Guarded", "exit_code", "guard_stdout", "lost"]
