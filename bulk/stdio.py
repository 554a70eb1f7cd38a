"""stdout and stderr that can no longer be written never end or harm a program: its
reader gone (EPIPE: ``… | head -1``), a full disk (ENOSPC: ``> /dev/full``), a hung-up
terminal (EIO). The first failed write of a stream points its file descriptor at
/dev/null (so no later write, nor the interpreter's own flush at exit, fails again) and
the program goes on. For stdout, one line on stderr says so (the caller's ``note``; none
for a closed pipe, as any Unix tool); for stderr, nothing (there is nowhere left to say
it). ``exit_code`` turns a 0 into 1 once stdout was lost (its output was lost).

A standard fd closed at start (``<&-``, ``>&-``, ``2>&-``: Python then sets its ``sys``
stream to None) gets /dev/null, and its stream is opened on it again (``fill_standard_fds``),
so nothing the program opens lands on fd 0-2 and no write meets None. A stdout closed at
start is stdout that cannot be written: lost from the start, said on stderr, exit 1
(x31r2 1-2: ``python -m pdbulk.demo 2>&-`` stopped its import on an AttributeError,
``>&-`` exited 0 saying nothing). A stderr closed at start changes nothing but the lines
dropped.

Used by every entry point: the console script ``pdbulk`` (``pdbulk.stdout``), ``python -m
bulk.sandbox``, ``python -m pdbulk.demo``, ``python -m benchmarks``. Installed by an entry
point only (``run_main``, ``guard_streams``): in-process callers keep their own streams. Standard
library only: it must be importable before anything else of the program.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

CLOSED_AT_START: set[int] = set()  # the standard fds found closed (``fill_standard_fds``)
_LOST: list[OSError] = []  # stdout's first failed write in this process, once it failed
_LOST_STDERR: list[OSError] = []  # the same for stderr
_NOTE: list[str] = []  # the line said on stderr when stdout is lost (``guard_streams``)


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
    if fd == 1 and exc.errno != errno.EPIPE and _NOTE and sys.stderr is not None:
        reason = exc.strerror or os.strerror(exc.errno or 0)
        with contextlib.suppress(Exception):
            sys.stderr.write(_NOTE[0].format(reason=reason) + "\n")
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


def fill_standard_fds() -> set[int]:
    """Any of fds 0, 1, 2 that is closed gets /dev/null, as a daemon does, and its ``sys``
    stream (None when Python found the fd closed at start) is opened on it, so a line
    written to it is dropped, never an AttributeError. Returns the fds found closed, in
    this call or an earlier one (``CLOSED_AT_START``)."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            CLOSED_AT_START.add(fd)
            with contextlib.suppress(OSError):
                null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
                if null != fd:  # (the lowest free fd: this one, unless a lower one was too)
                    os.dup2(null, fd)
                    os.close(null)
    for name, fd, mode in (("stdin", 0, "r"), ("stdout", 1, "w"), ("stderr", 2, "w")):
        if getattr(sys, name) is None:
            with contextlib.suppress(OSError, ValueError):
                setattr(sys, name, open(fd, mode, closefd=False, encoding="utf-8",
                                        errors="replace"))
    return CLOSED_AT_START


def guard_streams(note: str | None = None, closed: Iterable[int] = ()) -> None:
    """The closed standard fds filled (``fill_standard_fds``), then ``sys.stdout`` and
    ``sys.stderr`` guarded (once each). ``note``: the line said on stderr when stdout is
    lost, ``{reason}`` standing for why (e.g. "No space left on device"); None: nothing
    said. ``closed``: fds the caller found closed at start and filled itself (before this
    call); a stdout closed at start is lost from here (``exit_code`` 1, ``note`` said)."""
    if note is not None:
        _NOTE[:] = [note]
    if 1 in {*fill_standard_fds(), *closed}:
        _lose(OSError(errno.EBADF, "closed at start"))
    if sys.stdout is not None and not isinstance(sys.stdout, Guarded):
        sys.stdout = Guarded(sys.stdout)
    if sys.stderr is not None and not isinstance(sys.stderr, Guarded):
        sys.stderr = Guarded(sys.stderr, 2)


def exit_code(code: int) -> int:
    """The process's exit code for a program that ended with ``code``: 1 instead of 0
    when its output was lost."""
    return 1 if code == 0 and _LOST else code


def run_main(main: Callable[[], int | None], note: str | None = None) -> NoReturn:
    """An entry point (``if __name__ == "__main__"``): ``main`` run with both streams
    guarded (``guard_streams(note)``), then the process exits with its code — returned, or
    a ``SystemExit``'s (argparse's ``--help``, a usage error) — once stdout is flushed, 1
    instead of 0 when the output was lost (``exit_code``). A ``SystemExit`` carrying a
    message (``sys.exit("prog: why")``) goes on as it is: Python says it and exits 1."""
    guard_streams(note)
    try:
        code = main()
    except SystemExit as exc:
        if exc.code is not None and not isinstance(exc.code, int):
            raise
        code = exc.code
    with contextlib.suppress(Exception):
        sys.stdout.flush()  # output still buffered is lost here, or never
    sys.exit(exit_code(code or 0))


__all__ = ["CLOSED_AT_START", "Guarded", "exit_code", "fill_standard_fds", "guard_streams", "lost",
           "run_main"]
