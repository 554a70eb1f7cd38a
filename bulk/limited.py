"""The job's 429 journal: one line per 429 a call of the job got, appended as it comes, so
a run killed -9 leaves its 429s counted (w57r1 F3: the sandbox sent 8 to a job killed
twice; its summary said 1, the killed runs' entries ``rate_limited: None``).

The file is ``job.limited`` in the job folder, outside job.sqlite for the leaving marks'
reason (``bulk.leaving``: an append reaches the OS at once, survives a kill -9, is one
syscall, no transaction, no thread). A line: ``<process> <wall seconds>``, ``process`` the
id of the pdbulk process that got it (``process_id``: pid and start time, never reused), so a
job's history gives a killed run — the last of its process — the 429s of its process that
no finished run of that process counted (``jobs.import_load``). It never holds a token, a
key or a value; a few lines a run (a 429 is rare: the scheduler paces below the limit).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

LIMITED_FILE = "job.limited"
_PROCESS: list[tuple[int, str]] = []


def process_id() -> str:
    """This process's id in the journal: its pid and when it first asked, in ms (a pid
    alone is reused); a forked child gets its own (a fork server's children share none)."""
    pid = os.getpid()
    if not _PROCESS or _PROCESS[0][0] != pid:
        _PROCESS[:] = [(pid, f"{pid}.{int(time.time() * 1000)}")]
    return _PROCESS[0][1]


def note(directory: Path | str, wall: float) -> None:
    """Append that a call of the job in ``directory`` got a 429 at ``wall`` (Unix
    seconds). An OSError is swallowed: the 429 is still counted by the run's stats, only a
    kill after it would lose it."""
    with contextlib.suppress(OSError):
        fd = os.open(Path(directory) / LIMITED_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                     0o600)
        try:
            os.write(fd, b"%s %.3f\n" % (process_id().encode(), wall))
        finally:
            os.close(fd)


def by_process(directory: Path | str) -> dict[str, int]:
    """The 429s the journal of the job in ``directory`` holds, by process id (``process_id``);
    empty without a journal. Lines a kill cut short are skipped."""
    counts: dict[str, int] = {}
    with contextlib.suppress(FileNotFoundError), \
            (Path(directory) / LIMITED_FILE).open("rb") as f:
        for line in f:
            words = line.split()
            if len(words) == 2 and line.endswith(b"\n"):
                key = words[0].decode("ascii", "replace")
                counts[key] = counts.get(key, 0) + 1
    return counts


__all__ = ["LIMITED_FILE", "by_process", "note", "process_id"]
