"""What a load last saw in Pipedrive where the file and the deal differed (x47r8 F2).

`plan update` found deal 601 in stage Proposal Made and the file saying Needs Defined:
no base for the three-way comparison (``jobs.last_written`` records where the file and
the deal agree, or what this folder wrote), so when a colleague moved the deal to
Qualified before `update`, the file's stage went over it with no note. Each load (a
plan's, an update's) now keeps here, per deal and field the row changes and the record
has no base for, the digest of Pipedrive's value it saw (``last_written.digest``, keyed
by ``sealed`` with the state folder's secret: never the value, and not reversible by
trying values — x48r2 F4: unkeyed, amounts, owner and stage ids and currencies came back
by brute force in under a second; a sighting an older pdbulk kept unkeyed is read as none,
never as a change); the next load that finds Pipedrive's value other than that says so on the row
("stage changed in Pipedrive since the plan (Qualified), the file's written"). Not a
base: nothing here was written by this folder, so no field is kept by it, and undo and
the import never read it.

The file: ``plan-seen.sqlite3`` in the state folder (0600 in a 0700 folder, opened as the
record is: ``bulk.state.state_db``), one row per (account — the base URL and the run's
token key, never the token —, deal, field).
Blocking; callers run it off the event loop (``jobs.update_edits``).

A sighting bridges a plan and the run after it, nothing more (f48c: none was ever deleted,
and an undo left them): it is read by the loads of the next ``AGE`` seconds only, and
deleted once it is that old whenever the file is opened — a read, a keep, a forget: one
DELETE on the index of the time column, ``EXPIRE`` (x48r14: one of a job that never ended,
with no load after it, stayed and was read by any caller passing no ``since``); when the
update job that read it finishes (no row pending or in flight: ``jobs.update_job``) —
what the job wrote is the record's base from then on, and a later update's "since the
plan" is that later plan's; and when an undo puts its deal back or deletes it
(``jobs.undo.job.forget_written``). A job cancelled at its prompt keeps its load's
sightings: the user, run again after a look, hears of a change made since the plan they
declined (within ``AGE``).
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from bulk.claims import state_dir
from bulk.state import state_db
from bulk.token_key import token_key

from .last_written import account_of

FILE = "plan-seen.sqlite3"
AGE = 30 * 86_400.0  # seconds a sighting is read (a plan's run a month later: no more)
_VARS = 500  # deals per IN (...) query
KEYED = "k1:"  # a keyed sighting's digest begins so (an older, unkeyed one does not)
_SCHEMA = ("CREATE TABLE IF NOT EXISTS seen (account TEXT NOT NULL, deal INTEGER NOT NULL, "
           "field TEXT NOT NULL, digest TEXT NOT NULL, at REAL NOT NULL, "
           "PRIMARY KEY (account, deal, field)) WITHOUT ROWID",
           "CREATE INDEX IF NOT EXISTS seen_at ON seen (at)")


def _account(base_url: str) -> str:
    key = token_key()
    return account_of(base_url) if key is None else f"{account_of(base_url)} {key}"


def _setup(conn: sqlite3.Connection) -> None:
    for sql in _SCHEMA:
        conn.execute(sql)


EXPIRE = "DELETE FROM seen WHERE at < ?"  # the sightings past ``AGE``, by the index seen_at


def _connect(path: Path, *, now: float | None, create: bool = False) -> sqlite3.Connection:
    """The file, its sightings older than ``AGE`` at ``now`` (Unix seconds; the machine's
    clock when None) deleted first: one indexed look, and the DELETE only when it finds
    one (a reader takes no write lock for nothing)."""
    conn = state_db(path, _setup, create=create)
    try:
        cut = (time.time() if now is None else now) - AGE
        if conn.execute("SELECT 1 FROM seen WHERE at < ? LIMIT 1", (cut,)).fetchone():
            conn.execute(EXPIRE, (cut,))
    except BaseException:
        conn.close()
        raise
    return conn


def sealed(secret: bytes, sign: str) -> str:
    """``sign`` (a ``last_written.digest``) as a sighting keeps it: HMAC-SHA256 keyed with
    ``secret`` (``bulk.token_key.folder_secret``), ``KEYED`` and 16 hex digits."""
    return KEYED + hmac.new(secret, b"plan-seen\0" + sign.encode(), hashlib.sha256
                            ).hexdigest()[:16]


def seen(base_url: str, deal_ids: Iterable[int], *, since: float | None = None,
         now: float | None = None) -> dict[int, dict[str, str]]:
    """{deal: {field: digest of Pipedrive's value the last load saw}} for ``deal_ids`` (a
    page); {} when nothing was kept. ``since`` (Unix seconds): only sightings kept at or
    after it (a load passes its own time less ``AGE``); ``now``: the clock the file's
    sightings past ``AGE`` are dropped by (``_connect``). Raises sqlite3.Error / OSError."""
    path = state_dir() / FILE
    ids = [int(d) for d in deal_ids]
    if not ids or not path.exists():
        return {}
    conn = _connect(path, now=now)
    try:
        out: dict[int, dict[str, str]] = {}
        account = _account(base_url)
        for start in range(0, len(ids), _VARS):
            part = ids[start:start + _VARS]
            rows = conn.execute(
                f"SELECT deal, field, digest FROM seen WHERE account = ? AND at >= ? AND deal "
                f"IN ({', '.join('?' * len(part))})",
                (account, float("-inf") if since is None else since, *part))
            for deal, name, sign in rows:
                if str(sign).startswith(KEYED):  # an unkeyed one: as none (x48r2 F4)
                    out.setdefault(int(deal), {})[str(name)] = str(sign)
        return out
    finally:
        conn.close()


def keep(base_url: str, saw: Iterable[tuple[int, Mapping[str, str]]], *, at: float) -> int:
    """Keep (deal, {field: digest of Pipedrive's value}) a load saw at ``at`` (Unix
    seconds), each replacing the one before; sightings of any account kept before
    ``at - AGE`` are deleted as the file is opened (``_connect``). Returns the fields kept. Raises
    sqlite3.Error / OSError when the state folder cannot be written."""
    rows = [(deal, name, sign) for deal, signs in saw for name, sign in signs.items()]
    if not rows:
        return 0
    conn = _connect(state_dir() / FILE, now=at, create=True)
    try:
        account = _account(base_url)
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT OR REPLACE INTO seen VALUES (?, ?, ?, ?, ?)",
                             [(account, int(d), n, s, at) for d, n, s in rows])
        return len(rows)
    finally:
        conn.close()


def forget(base_url: str, deal_ids: Iterable[int], *, now: float | None = None) -> int:
    """Delete the sightings of ``deal_ids`` on the account at ``base_url``: the update job
    that read them finished, or an undo put the deals back (the module's docstring); those
    of any deal past ``AGE`` at ``now`` go too (``_connect``). Returns the sightings of
    ``deal_ids`` deleted (0 without a file). Raises sqlite3.Error / OSError."""
    path = state_dir() / FILE
    ids = sorted({int(d) for d in deal_ids})
    if not ids or not path.exists():
        return 0
    conn = _connect(path, now=now)
    try:
        account, gone = _account(base_url), 0
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            for start in range(0, len(ids), _VARS):
                part = ids[start:start + _VARS]
                gone += conn.execute(
                    f"DELETE FROM seen WHERE account = ? AND deal IN "
                    f"({', '.join('?' * len(part))})", (account, *part)).rowcount
        return gone
    finally:
        conn.close()


__all__ = ["AGE", "EXPIRE", "FILE", "KEYED", "forget", "keep", "sealed", "seen"]
