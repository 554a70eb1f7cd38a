"""The state folder's own folders and files, private: ``private_folder``, ``write_private``.

The state folder (``bulk.claims.state_dir``) holds claims, their secret, the coordinator's
markers and the merges made: data of the user's accounts. Every writer makes its folder
here, so that the state folder and every folder in it are 0700 whatever the umask and
whichever writes first. ``write_private`` writes one file whole (0600) through a temporary
file of its own: two writers in one process (threads, two stores of one test) once shared
``<name>.<pid>.tmp`` and one deleted the other's (f33b: ``FileNotFoundError`` on
``claims.<pid>.tmp``). ``scratch_dir`` is where a plan keeps its throwaway job store and
spill files: TMPDIR, or the state folder's ``scratch/`` when TMPDIR cannot take them.
``state_db`` opens one of the state folder's SQLite files (``jobs.last_written``,
``jobs.plan_seen``) one way.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from .claims import STATE_ENV, state_dir


def private_folder(path: Path) -> Path:
    """``path`` made (with its missing parents) for state that holds the user's data:
    every folder made here from the state folder down, and the state folder itself, is
    0700 whatever the umask (x23 4: ``mkdir(parents=True, mode=0o700)`` gave the leaf
    0700 but the state folder, made as a parent of ``coordinated/``, 0755). A state folder
    an older version left readable to others is made private too, when it is the default
    one (``$XDG_STATE_HOME/pdbulk``, ``~/.local/state/pdbulk``) and the user's own; a
    ``$PDBULK_STATE_DIR`` that exists is left as its owner made it. Returns ``path``."""
    top = state_dir()
    made = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    for folder in made:
        if folder in (path, top) or top in folder.parents:
            os.chmod(folder, 0o700)
    if top not in made and (top == path or top in path.parents) \
            and not os.environ.get(STATE_ENV):
        with contextlib.suppress(OSError):
            st = top.stat()
            if st.st_uid == os.getuid() and st.st_mode & 0o077:
                os.chmod(top, 0o700)
    return path


def state_db(path: Path, setup: Callable[[sqlite3.Connection], None], *,
             create: bool = False) -> sqlite3.Connection:
    """A connection to the state folder's SQLite file ``path``: autocommit (a writer opens
    its own ``BEGIN IMMEDIATE``), WAL, a 30 s busy timeout for another process's write,
    used by one thread at a time but not only the one that opened it (a load decides in a
    worker thread: ``check_same_thread=False``), ``setup(conn)`` run first (its tables, a
    layout upgrade). ``create``: its folder made private (``private_folder``) and a file
    made here 0600. The connection is closed when ``setup`` raises. Raises sqlite3.Error /
    OSError (f48c: ``jobs.last_written`` and ``jobs.plan_seen`` each had a copy)."""
    made = False
    if create:
        private_folder(path.parent)
        made = not path.exists()
    conn = sqlite3.connect(path, timeout=30.0, check_same_thread=False, isolation_level=None)
    try:
        if made:
            with contextlib.suppress(OSError):
                os.chmod(path, 0o600)
        conn.execute("PRAGMA journal_mode=WAL")
        setup(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def write_private(path: Path, data: bytes, *, replace: bool = True) -> bool:
    """Write ``data`` as ``path`` whole, 0600: into a temporary file unique to this call in
    the same folder, then renamed over ``path`` (``replace``), or linked as ``path`` only if
    there is none (``replace=False``: the first writer wins; False when another was first).
    Raises OSError (the temporary file removed)."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if replace:
            os.replace(name, path)
            return True
        try:
            os.link(name, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


# free space TMPDIR must have for a plan's scratch files: a plan's throwaway job store is
# ~100-200 KB (schema, -wal, -shm: a 64 KB TMPDIR could not hold it, x46r13 F5), and its
# bad-row spill ~7 KB a bad row
SCRATCH_ROOM = 16 * 1024 * 1024


def scratch_dir() -> str:
    """The folder for a plan's temporary files (its throwaway job store, its spills):
    TMPDIR (``tempfile.gettempdir()``) when it is a folder this user can write with
    ``SCRATCH_ROOM`` bytes free, else ``<state folder>/scratch`` (made, 0700: the files
    hold the account's data) — x46r13 F5: with a 64 KB TMPDIR `plan import` ended exit 4
    "the disk is full", where `import` works. What a plan puts there it removes as it
    ends; the empty folder stays (another plan may be using it: removing it could pull it
    from under that one). Raises OSError only when TMPDIR is unusable and the state
    folder's cannot be made: its text names TMPDIR, its ``filename`` the state folder's
    (x47r6 F5: the message named PDBULK_STATE_DIR alone)."""
    tmp = os.environ.get("TMPDIR") or "the system's temporary folder"
    try:
        tmp = tempfile.gettempdir()  # FileNotFoundError: no usable temporary folder at all
        got = os.statvfs(tmp)
        if os.path.isdir(tmp) and os.access(tmp, os.W_OK | os.X_OK) \
                and got.f_bavail * got.f_frsize >= SCRATCH_ROOM:
            return tmp
    except OSError:
        pass
    folder = state_dir() / "scratch"
    try:
        return str(private_folder(folder))
    except OSError as exc:
        raise OSError(exc.errno, f"no folder for a plan's temporary files: TMPDIR ({tmp}) is "
                      f"not a writable folder with {SCRATCH_ROOM // 2**20} MB free (set TMPDIR "
                      f"to one), and the state folder's scratch/ cannot be made "
                      f"({exc.strerror or exc})", str(folder)) from None


__all__ = ["SCRATCH_ROOM", "private_folder", "scratch_dir", "state_db", "write_private"]
