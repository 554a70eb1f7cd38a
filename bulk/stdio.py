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

A slow reader gets every byte (f46u: ``pdbulk plan import --json | <slow reader>`` was
cut at 65,544 / 131,080 bytes, exit 3, nothing said). Under ``PYTHONUNBUFFERED=1`` /
``python -u`` Python's binary stdout is the raw ``FileIO``: one write(2) a write, which
on a pipe may take part of what it is given (strace: a blocking 249,191-byte write
returned 73,728, no signal seen; the event loop had used io_uring), and the rest was
dropped; a pipe another process sharing it made non-blocking (O_NONBLOCK is
the open pipe's) failed with ``BlockingIOError`` and lost stdout. A guarded stream
writes text through its binary layer, a ``BufferedWriter`` in both modes (flushed
after each write under ``-u``), each write whole (``write_whole``), waiting on a full
non-blocking pipe as a blocking write would.

Used by every entry point: the console script ``pdbulk`` (``pdbulk.stdout``), ``python -m
bulk.sandbox``, ``python -m pdbulk.demo``, ``python -m benchmarks``. Installed by an entry
point only (``run_main``, ``guard_streams``): in-process callers keep their own streams. Standard
library only: it must be importable before anything else of the program.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import select
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


def _wait_writable(fd: int) -> None:
    """Until ``fd`` takes bytes again (a non-blocking pipe's reader has read some), or
    its reader is gone (the next write fails with EPIPE): as long as a blocking write
    would have waited."""
    with contextlib.suppress(OSError, ValueError):
        select.select([], [fd], [])


def write_whole(stream: Any, data: Any, fd: int | None = None) -> int:
    """Every byte of ``data`` written to the binary ``stream`` (a ``BufferedWriter``, or
    a raw ``FileIO`` such as ``sys.stdout.buffer`` under ``python -u`` /
    ``PYTHONUNBUFFERED``): a raw ``write`` is one write(2) and may take part of what it
    is given (a pipe's 64 KB while its reader lags: f46a's ``--json`` cut at 65,544 /
    131,080 bytes); the rest is written again. A non-blocking ``fd`` (O_NONBLOCK belongs
    to the open pipe, shared with every process that has it) that is full is waited on
    (``_wait_writable``) instead of failing with ``BlockingIOError``. Returns the bytes'
    count; any other ``OSError`` is raised."""
    view = memoryview(data).cast("B")
    done, total = 0, view.nbytes
    while done < total:
        try:
            n = stream.write(view[done:])
        except BlockingIOError as exc:  # (a BufferedWriter took ``characters_written``)
            done += exc.characters_written
            n = 0
        if n is None or n == 0:  # a raw non-blocking write that took nothing
            if fd is None:
                fd = stream.fileno()
            _wait_writable(fd)
        else:
            done += n
    return total


class Guarded:
    """A stream (text, or its binary ``buffer``) on file descriptor ``fd`` (1: stdout,
    2: stderr) whose failed writes and flushes are dropped (``_lose``); everything else
    is the stream's.

    Every byte reaches the fd (f46u): text is encoded here and written through the binary
    layer (``write_whole``), which is a ``BufferedWriter`` also when Python's is the raw
    ``FileIO`` (``python -u`` / ``PYTHONUNBUFFERED=1``, then flushed after each write as
    Python's would be); a full non-blocking fd is waited on, not lost. A text stream
    without a binary layer (an ``io.StringIO``) is written as it is."""

    def __init__(self, stream: Any, fd: int = 1, *, binary: bool = False) -> None:
        self._stream, self._fd = stream, fd
        self._unbuffered = False
        self._binary_guard: Guarded | None = None
        layer = None if binary else getattr(stream, "buffer", None)
        if layer is None:
            return
        with contextlib.suppress(Exception):  # from here on, text passes its own layer by
            stream.flush()
        if isinstance(layer, io.RawIOBase):  # python -u: one write(2) a write, maybe short
            self._unbuffered = True
            layer = io.BufferedWriter(io.FileIO(fd, "wb", closefd=False))
        self._binary_guard = Guarded(layer, fd, binary=True)
        self._binary_guard._unbuffered = self._unbuffered

    def _lost(self) -> bool:
        return bool(_LOST if self._fd == 1 else _LOST_STDERR)

    def write(self, data: Any) -> int:
        if self._lost():
            return len(data)
        whole = self._binary_guard
        try:
            if whole is None and not isinstance(data, str):  # the binary layer itself
                write_whole(self._stream, data, self._fd)
                if self._unbuffered:
                    self._flush_whole()
            elif whole is not None and isinstance(data, str):
                if os.linesep != "\n":
                    data = data.replace("\n", os.linesep)
                whole.write(data.encode(self._stream.encoding or "utf-8",
                                        self._stream.errors or "strict"))
                if self._unbuffered or (getattr(self._stream, "line_buffering", False)
                                        and ("\n" in data or "\r" in data)):
                    whole.flush()
            else:
                return int(self._stream.write(data))
        except BlockingIOError as exc:  # a text layer's own, with no binary one to retry on
            _lose(exc, self._fd)
        except OSError as exc:
            _lose(exc, self._fd)
        return len(data)

    def _flush_whole(self) -> None:
        while True:
            try:
                self._stream.flush()
                return
            except BlockingIOError:  # a non-blocking fd, full: what is held stays held
                _wait_writable(self._fd)

    def flush(self) -> None:
        try:
            self._flush_whole()
            if self._binary_guard is not None:  # (python -u: the layer made here)
                self._binary_guard._flush_whole()
        except OSError as exc:
            _lose(exc, self._fd)
            with contextlib.suppress(OSError, ValueError):  # the fd is /dev/null now
                self._stream.flush()
                if self._binary_guard is not None:
                    self._binary_guard._stream.flush()

    @property
    def buffer(self) -> Guarded:
        if self._binary_guard is not None:
            return self._binary_guard
        return Guarded(self._stream.buffer, self._fd, binary=True)

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
           "run_main", "write_whole"]
