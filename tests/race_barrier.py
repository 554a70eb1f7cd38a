"""``python -m tests.race_barrier FOLDER PARTIES pdbulk-args...``: `pdbulk` whose import,
once loaded (``ImportJob.attach``: the account's keys read, nothing created yet), waits
until PARTIES such processes have loaded (a file each in FOLDER; at most 60 s, then it
goes on): two imports started together then both create every key the other creates —
the race ``test_doubles_two_state_folders`` asserts is said, produced every time, not
only when the machine happens to start both runs within one load of each other (f39e)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

LIMIT_S = 60.0


def barrier(folder: Path, parties: int) -> None:
    """Say this process has loaded; wait (bounded) until ``parties`` have."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / str(os.getpid())).touch()
    deadline = time.monotonic() + LIMIT_S
    while len(list(folder.iterdir())) < parties and time.monotonic() < deadline:
        time.sleep(0.01)


def main() -> None:
    from jobs.importing import ImportJob
    from pdbulk.entry import main as pdbulk

    folder, parties = Path(sys.argv[1]), int(sys.argv[2])
    loaded = ImportJob.attach

    def attach(self: ImportJob, planner: Any) -> None:
        loaded(self, planner)
        barrier(folder, parties)

    ImportJob.attach = attach  # type: ignore[method-assign]
    sys.argv = ["pdbulk", *sys.argv[3:]]
    pdbulk()


if __name__ == "__main__":
    main()
