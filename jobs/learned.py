"""``SpilledTable``: what a whole-file learning pass found, keyed by a 64-bit hash, held in a
private temporary SQLite database instead of a dict once it is large; ``SpilledDict``: the
same for a table the decide fills (the file's new persons), read and written there.

The row planner's person pass (``RowPlanner.learn_persons``) learns one entry per person
the file names (the e-mails and phones each name and phone is given): for a 1,000,000-row
file, ~150,000 persons, ~45 MB as dicts of tuples held until the last row is decided
(issue 8: a plan's peak RSS). Those tables are read-only once learned and read far less
often than rows are decided (a row that lacks an e-mail, a new person), so they are moved
to disk: SQLite's page cache (``CACHE_KIB``) is what stays in memory.

Values are tuples of texts (or texts) encoded with ``marshal``: this process writes and
reads them back, nothing else does. The database is SQLite's private temporary file (an
empty file name: deleted when the connection closes; ``close``, or when the table is
collected). Never used for anything that must survive the process.
"""

from __future__ import annotations

import marshal
import sqlite3
import weakref
from collections.abc import Iterator
from itertools import islice
from typing import Any, Generic, TypeVar, cast, overload

V = TypeVar("V")
T = TypeVar("T")

SPILL_AT = 20_000  # entries from which a table goes to disk (below: the dict itself)
CACHE_KIB = 2048  # SQLite's page cache of one table, in KiB (its share of the RSS)
_CHUNK = 5000  # entries inserted per executemany while spilling


def _temporary(owner: SpilledTable[Any] | SpilledDict) -> sqlite3.Connection:
    """A private temporary database (SQLite deletes its file when it closes), closed when
    ``owner`` is collected or closes it."""
    # check_same_thread off: the load learns in one worker thread and decides in another,
    # never both at once
    db = sqlite3.connect("", check_same_thread=False, isolation_level=None)
    owner._close = weakref.finalize(owner, db.close)
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    return db


class SpilledTable(Generic[V]):
    """A read-only mapping of int keys (hashes, 64-bit) to values made of ``str``, ``int``,
    ``None`` and tuples of them, as a dict while small and in a temporary SQLite database
    from ``spill_at`` entries (``of``). ``get``, ``in``, ``len`` and truth behave as the
    dict's did; ``close`` frees the database early (else it goes with the table)."""

    __slots__ = ("__weakref__", "_close", "_db", "_dict", "_len")

    def __init__(self) -> None:
        self._dict: dict[int, V] | None = {}
        self._db: sqlite3.Connection | None = None
        self._len = 0
        self._close: weakref.finalize[..., object] | None = None

    @classmethod
    def of(cls, entries: dict[int, V], *, spill_at: int | None = None) -> SpilledTable[V]:
        """A table of ``entries``: the dict itself below ``spill_at`` entries (default
        ``SPILL_AT``, read at the call); from there
        they are moved to disk and ``entries`` is emptied as they go (never held twice).
        Raises sqlite3.Error when the temporary database cannot be written (a full disk)."""
        table = cls()
        if len(entries) < (SPILL_AT if spill_at is None else spill_at):
            table._dict = entries
            return table
        db = _temporary(table)
        db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)")
        table._len = len(entries)
        db.execute("BEGIN")
        while entries:
            chunk = list(islice(entries, _CHUNK))
            db.executemany("INSERT INTO t VALUES (?, ?)",
                           ((k, marshal.dumps(cast(Any, entries.pop(k)))) for k in chunk))
        db.execute("COMMIT")
        table._dict, table._db = None, db
        return table

    @overload
    def get(self, key: int) -> V | None: ...
    @overload
    def get(self, key: int, default: T) -> V | T: ...

    def get(self, key: int, default: Any = None) -> Any:
        if self._dict is not None:
            return self._dict.get(key, default)
        assert self._db is not None
        found = self._db.execute("SELECT v FROM t WHERE k = ?", (key,)).fetchone()
        return default if found is None else marshal.loads(found[0])

    def __contains__(self, key: object) -> bool:
        if self._dict is not None:
            return key in self._dict
        assert self._db is not None
        return isinstance(key, int) and self._db.execute(
            "SELECT 1 FROM t WHERE k = ?", (key,)).fetchone() is not None

    def __len__(self) -> int:
        return len(self._dict) if self._dict is not None else self._len

    def __bool__(self) -> bool:
        return len(self) > 0

    @property
    def spilled(self) -> bool:
        """Whether the entries are on disk (``of`` found ``spill_at`` or more)."""
        return self._db is not None

    def close(self) -> None:
        """Free the database now (the table is then empty)."""
        if self._close is not None:
            self._close()
        self._db, self._dict, self._len = None, {}, 0

    def __repr__(self) -> str:
        return (f"SpilledTable(entries={len(self)}, "
                f"{'on disk' if self._db is not None else 'in memory'})")


class SpilledDict:
    """An insert-mostly ``str`` -> value mapping (values as ``SpilledTable``'s) that is a
    dict while small and moves to a temporary SQLite database once it holds ``spill_at``
    entries (default ``SPILL_AT``, read when it is made), reading and writing there from
    then on. ``in``, ``[]`` (KeyError when missing), ``[]=``, ``len`` and iteration (keys in
    the order first set, as a dict's) behave as the dict's did; every read from disk is a
    new copy of the value (equal, not the same object). Raises sqlite3.Error when the
    database cannot be written (a full disk)."""

    __slots__ = ("__weakref__", "_close", "_db", "_dict", "_len", "_spill_at")

    def __init__(self, *, spill_at: int | None = None) -> None:
        self._dict: dict[str, Any] | None = {}
        self._db: sqlite3.Connection | None = None
        self._len = 0
        self._close: weakref.finalize[..., object] | None = None
        self._spill_at = SPILL_AT if spill_at is None else spill_at

    def __contains__(self, key: object) -> bool:
        if self._dict is not None:
            return key in self._dict
        assert self._db is not None
        return isinstance(key, str) and self._db.execute(
            "SELECT 1 FROM t WHERE k = ?", (key,)).fetchone() is not None

    def __getitem__(self, key: str) -> Any:
        if self._dict is not None:
            return self._dict[key]
        assert self._db is not None
        found = self._db.execute("SELECT v FROM t WHERE k = ?", (key,)).fetchone()
        if found is None:
            raise KeyError(key)
        return marshal.loads(found[0])

    def get(self, key: str, default: Any = None) -> Any:
        """``self[key]``, or ``default`` when missing: one look-up (``in`` then ``[]`` were
        two — two SQLite queries once spilled)."""
        if self._dict is not None:
            return self._dict.get(key, default)
        assert self._db is not None
        found = self._db.execute("SELECT v FROM t WHERE k = ?", (key,)).fetchone()
        return default if found is None else marshal.loads(found[0])

    def __setitem__(self, key: str, value: Any) -> None:
        if self._dict is not None:
            self._dict[key] = value
            if len(self._dict) >= self._spill_at:
                self._spill()
            return
        assert self._db is not None
        if key in self:
            self._db.execute("UPDATE t SET v = ? WHERE k = ?", (marshal.dumps(value), key))
        else:
            self._db.execute("INSERT INTO t (k, v) VALUES (?, ?)", (key, marshal.dumps(value)))
            self._len += 1

    def __len__(self) -> int:
        return len(self._dict) if self._dict is not None else self._len

    def __iter__(self) -> Iterator[str]:
        if self._dict is not None:
            return iter(self._dict)
        assert self._db is not None
        return (k for (k,) in self._db.execute("SELECT k FROM t ORDER BY n"))

    @property
    def spilled(self) -> bool:
        """Whether the entries are on disk."""
        return self._db is not None

    def _spill(self) -> None:
        entries = self._dict
        assert entries is not None
        self._db = db = _temporary(self)
        db.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, k TEXT NOT NULL UNIQUE, "
                   "v BLOB NOT NULL)")
        self._len = len(entries)
        db.execute("BEGIN")
        while entries:
            chunk = list(islice(entries, _CHUNK))
            db.executemany("INSERT INTO t (k, v) VALUES (?, ?)",
                           ((k, marshal.dumps(entries.pop(k))) for k in chunk))
        db.execute("COMMIT")
        self._dict = None

    def __repr__(self) -> str:
        return (f"SpilledDict(entries={len(self)}, "
                f"{'on disk' if self._db is not None else 'in memory'})")


__all__ = ["CACHE_KIB", "SPILL_AT", "SpilledDict", "SpilledTable"]
