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

The mechanism is ``bulk.stdio``'s (every entry point's: the sandbox's and the demo's
too); this module gives it pdbulk's words.
"""

from __future__ import annotations

from bulk.stdio import Guarded, exit_code, guard_streams, lost

NOTE = ("pdbulk: stdout cannot be written ({reason}): the rest of the output is dropped; a "
        "job goes on, its outcome in its folder (pdbulk status JOB)")


def guard_stdout() -> None:
    """``sys.stdout`` and ``sys.stderr`` guarded (once each), with pdbulk's ``NOTE``; a
    stdout the entry found closed at start (``pdbulk … >&-``) is lost: exit 1, one line."""
    from .process import CLOSED_AT_START

    guard_streams(NOTE, closed=CLOSED_AT_START)


__all__ = ["NOTE", "Guarded", "exit_code", "guard_stdout", "lost"]
