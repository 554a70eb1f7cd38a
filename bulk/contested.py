"""Contested source keys: keys that two rows of one source file shared.

An import refuses the second row with a key (``hold = duplicate-key`` in failed.csv).
That hold lives in the file, and files get edited: the report columns deleted "to get
back to the original format", or the other row fixed and imported first. So the
import also records the key here, per account and key field (the name is the key
field's code, a random hash per company, plus the key: ``jobs.importing.claim_name``),
and a later import of a row with a contested key is refused until the user releases
it: by emptying the hold cell of a row that was refused as held, or with
``--release-held`` (``docs/mapping.md``, "Duplicate keys").

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
                   "at REAL)")
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

    def add(self, names: Iterable[str], job: str) -> None:
        """Record ``names`` as contested by job ``job``."""
        at = self.wall()
        wanted = [(n, job, at) for n in names]
        if not wanted:
            return
        db = self._connect(create=True)
        assert db is not None
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO contested VALUES (?, ?, ?)", wanted)
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
