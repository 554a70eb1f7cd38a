"""What a load last saw in Pipedrive where the file and the deal differed (x47r8 F2).

`plan update` found deal 601 in stage Proposal Made and the file saying Needs Defined:
no base for the three-way comparison (``jobs.last_written`` records where the file and
the deal agree, or what this folder wrote), so when a colleague moved the deal to
Qualified before `update`, the file's stage went over it with no note. Each load (a
plan's, an update's) now keeps here, per deal and field the row changes and the record
has no base for, the digest of Pipedrive's value it saw (``last_written.digest``: never
the value); the next load that finds Pipedrive's value other than that says so on the row
("stage changed in Pipedrive since the plan (Qualified), the file's written"). Not a
base: nothing here was written by this folder, so no field is kept by it, and undo and
the import never read it.

The file: ``plan-seen.sqlite3`` in the state folder (0600 in a 0700 folder), one row per
(account — the base URL and the run's token key, never the token —, deal, field).
Blocking; callers run it off the event loop (``jobs.update_edits``).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

from bulk.claims import state_dir
from bulk.state import private_folder
from bulk.token_key import token_key

from .last_written import account_of

FILE = "plan-seen.sqlite3"
_SCHEMA = ("CREATE TABLE IF NOT EXISTS seen (account TEXT NOT NULL, deal INTEGER NOT NULL, "
           "field TEXT NOT NULL, digest TEXT NOT NULL, at REAL NOT NULL, "
           "PRIMARY KEY (account, deal, field)) WITHOUT ROWID")


def _account(base_url: str) -> str:
    key = token_key()
    return account_of(base_url) if key is None else f"{account_of(base_url)} {key}"


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30.0, check_same_thread=False, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(_SCHEMA)
    except BaseException:
        conn.close()
        raise
    return conn


def seen(base_url: str, deal_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """{deal: {field: digest of Pipedrive's value the last load saw}} for ``deal_ids`` (a
    page); {} when nothing was kept. Raises sqlite3.Error / OSError."""
    path = state_dir() / FILE
    ids = [int(d) for d in deal_ids]
    if not ids or not path.exists():
        return {}
    conn = _connect(path)
    try:
        out: dict[int, dict[str, str]] = {}
        account = _account(base_url)
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            rows = conn.execute(
                f"SELECT deal, field, digest FROM seen WHERE account = ? AND deal IN "
                f"({', '.join('?' * len(part))})", (account, *part))
            for deal, name, sign in rows:
                out.setdefault(int(deal), {})[str(name)] = str(sign)
        return out
    finally:
        conn.close()


def keep(base_url: str, saw: Iterable[tuple[int, Mapping[str, str]]], *, at: float) -> int:
    """Keep (deal, {field: digest of Pipedrive's value}) a load saw at ``at`` (Unix
    seconds), each replacing the one before. Returns the fields kept. Raises
    sqlite3.Error / OSError when the state folder cannot be written."""
    rows = [(deal, name, sign) for deal, signs in saw for name, sign in signs.items()]
    if not rows:
        return 0
    path = state_dir() / FILE
    private_folder(path.parent)
    made = not path.exists()
    conn = _connect(path)
    if made:
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)
    try:
        account = _account(base_url)
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT OR REPLACE INTO seen VALUES (?, ?, ?, ?, ?)",
                             [(account, int(d), n, s, at) for d, n, s in rows])
        return len(rows)
    finally:
        conn.close()


__all__ = ["FILE", "keep", "seen"]
