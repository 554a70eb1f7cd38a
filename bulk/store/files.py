"""A job folder on disk: the file names, the one-process lock, private permissions."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from ..errors import JobBusy

FILENAME = "job.sqlite"
LOCKNAME = "job.lock"
# written before job.sqlite is made and removed once its schema is committed and
# checkpointed into it: only a folder holding it can be said to have sent nothing (x24r3 1)
CREATING = "job.creating"

def _take_lock(directory: Path) -> int | None:
    """One process per job: two runners of one job could send a create twice.

    Raises JobBusy when another live process holds the job (the OS drops a dead
    process's flock, so a ``kill -9`` never leaves a job locked)."""
    if sys.platform == "win32":  # no flock; one runner per job is then up to the user
        return None
    import fcntl

    fd = os.open(directory / LOCKNAME, os.O_RDWR | os.O_CREAT, 0o600)
    os.fchmod(fd, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        try:  # the holder's process id, as it wrote it on taking the lock (x31r3 3)
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        except OSError:
            holder = ""
        os.close(fd)
        raise JobBusy(busy_message(directory, holder if holder.isdigit() else None)
                      ) from None
    try:  # who holds it, for the refusal of a second one (best effort: a full disk
        os.ftruncate(fd, 0)  # leaves it empty, and the refusal names no process)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
    except OSError:
        pass
    return fd


def busy_message(directory: Path, holder: str | None = None) -> str:
    """What JobBusy says: the job lock held, or its SQLite file locked — by another process,
    or by this one (a second open of a job this process has open: f24c F3, it said "in
    another process"; the lock cannot tell which). ``holder``: the process id the job
    lock's holder wrote in it, named when known (x31r3 3: exit 6 named no process)."""
    by = f" (its lock is held by process {holder})" if holder else ""
    return (f"job {directory.name!r} is already open (in this process or another); try "
            f"again when it has finished{by}")


def held_by_live_process(directory: Path) -> bool:
    """Whether a live process holds the job's lock right now (a probe; takes nothing)."""
    if sys.platform == "win32" or not (Path(directory) / LOCKNAME).exists():
        return False
    try:
        fd = _take_lock(Path(directory))
    except JobBusy:
        return True
    except OSError:
        return False
    if fd is not None:
        os.close(fd)
    return False


def make_private(path: Path) -> None:
    """0700 for a directory, 0600 for a file, whatever the umask: job folders hold
    names, e-mails and phones of customers."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, 0o700 if Path(path).is_dir() else 0o600)


def private_tree(directory: Path) -> None:
    """``make_private`` on a job folder and everything in it."""
    directory = Path(directory)
    make_private(directory)
    if directory.is_dir():
        for child in directory.rglob("*"):
            make_private(child)


def _remove(directory: Path) -> None:
    """Undo a failed create: a half-made job file would only confuse ``open``."""
    for suffix in ("", "-wal", "-shm"):
        (directory / (FILENAME + suffix)).unlink(missing_ok=True)
    (directory / CREATING).unlink(missing_ok=True)
