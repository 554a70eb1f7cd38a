"""Contested source keys: keys that two rows of one source file shared.

An import refuses the second row with a key (``hold = duplicate-key`` in failed.csv).
That hold lives in the file, and files get edited: the report columns deleted "to get
back to the original format", or the other row fixed and imported first. So the
import also records the key here, per account and key field (the name is the key
field's code, a random hash per company, plus the key: ``jobs.importing.claim_name``),
and a later import of a row with a contested key is refused until the user releases
it: by emptying the hold cell of a row that was refused as held, or with
``--release-held`` (``docs/mapping.md``, "Duplicate keys"). Each name keeps the file that
contested it (``source``: its resolved path): an import of that same file that gives the
key on one row now is the user's fix, and releases it by itself (f41b 4); another file
(a failed.csv, one row copied out) does not.

A SQLite file ``contested.sqlite`` in the per-user state directory
(``bulk.claims.state_dir``), private to the user (0600). Names are opaque here.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from .claims import state_dir
from .state import private_folder

FILE = "contested.sqlite"


class ContestedKeys:
    """The contested names of one machine's user. ``path``: the SQLite file (default
    ``state_dir() / FILE``, created on first write). Raises ``sqlite3.Error`` on an
    unreadable file. ``wall``: when a name was recorded (Unix seconds; default
    ``time.time``, an import passes its run's ``Clock.wall``)."""

    def __init__(self, path: Path | None = None, *,
                 wall: Callable[[], float] | None = None) -> None:
        self.path = path or state_dir() / FILE
        self.wall = wall or time.time

    def __repr__(self) -> str:
        return f"ContestedKeys({str(self.path)!r})"

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if not create and not self.path.exists():
            return None
        private_folder(self.path.parent)
        fresh = not self.path.exists()
        db = sqlite3.connect(self.path, timeout=30)
        if fresh:
            os.chmod(self.path, 0o600)
        db.execute("CREATE TABLE IF NOT EXISTS contested (name TEXT PRIMARY KEY, job TEXT, "
                   "at REAL, source TEXT)")
        if "source" not in {r[1] for r in db.execute("PRAGMA table_info(contested)")}:
            with db:  # a file an earlier pdbulk wrote: its names keep no source (NULL)
                db.execute("ALTER TABLE contested ADD COLUMN source TEXT")
        return db

    def names(self, prefix: str) -> set[str]:
        """Every contested name that starts with ``prefix`` (one account's key field)."""
        db = self._connect(create=False)
        if db is None:
            return set()
        try:
            rows = db.execute("SELECT name FROM contested WHERE substr(name, 1, ?) = ?",
                              (len(prefix), prefix)).fetchall()
        finally:
            db.close()
        return {r[0] for r in rows}

    def sources(self, prefix: str) -> dict[str, str | None]:
        """Every contested name that starts with ``prefix``, with the file that contested
        it (its resolved path; None: recorded before sources were kept, or no file)."""
        db = self._connect(create=False)
        if db is None:
            return {}
        try:
            rows = db.execute("SELECT name, source FROM contested "
                              "WHERE substr(name, 1, ?) = ?", (len(prefix), prefix)).fetchall()
        finally:
            db.close()
        return {r[0]: r[1] for r in rows}

    def add(self, names: Iterable[str], job: str, source: str | None = None) -> None:
        """Record ``names`` as contested by job ``job`` importing the file ``source`` (its
        resolved path; None: none — standard input, or a name refused again as contested,
        which keeps the file it was recorded with)."""
        at = self.wall()
        wanted = [(n, job, at, source) for n in names]
        if not wanted:
            return
        db = self._connect(create=True)
        assert db is not None
        try:
            with db:
                db.executemany("INSERT INTO contested (name, job, at, source) VALUES "
                               "(?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET job = "
                               "excluded.job, at = excluded.at, source = "
                               "COALESCE(excluded.source, contested.source)", wanted)
        finally:
            db.close()

    def release(self, names: Iterable[str]) -> None:
        """Forget ``names``: the user said which row is right."""
        gone = [(n,) for n in names]
        db = self._connect(create=False) if gone else None
        if db is None:
            return
        try:
            with db:
                db.executemany("DELETE FROM contested WHERE name = ?", gone)
        finally:
            db.close()


__all__ = ["FILE", "ContestedKeys"]
