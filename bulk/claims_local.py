"""``LocalClaims``: the ``bulk.claims.Claims`` of one machine, in one SQLite file (WAL) in
the per-user state directory (``bulk.claims.state_dir``).

Calls are group-committed: the acquires and releases queued while a batch runs go
together in the next short ``BEGIN IMMEDIATE`` transaction, in a worker thread, never on
the event loop — so many workers claiming at once cost one transaction, not one each.
Names are stored as keyed digests (``LocalClaims.digest``), never in clear. Each object
is one holder (``bulk.claims.new_holder``: one job's run in this process) from its
creation until ``close``. A claim whose holder is gone (its process, or its claims object
closed: ``bulk.claims.holder_alive``), or whose lease ran out, is taken over with
``reconcile``. ``close`` closes the SQLite connection (and its -wal / -shm files) whatever
state the object is in; call it (or ``aclose``) on every path.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import anyio

from .claims import (
    DEFAULT_LEASE,
    IN_DOUBT,
    RETENTION,
    Claim,
    DeadHold,
    Held,
    as_taken,
    give_back_cancelled,
    hold_open,
    holder_alive,
    let_go,
    new_holder,
    state_dir,
)
from .clock import Clock, SystemClock, in_thread, to_end
from .errors import BulkError, DiskFull, disk_full
from .state import private_folder, write_private
from .swallowed import went_on

_SCHEMA = """
CREATE TABLE IF NOT EXISTS claims (
    name TEXT PRIMARY KEY,  -- a keyed digest of the name (``LocalClaims.digest``), never it
    holder TEXT,            -- NULL once released
    acquired REAL NOT NULL,
    expires REAL NOT NULL,
    outcome TEXT,           -- JSON left by the last release
    tag TEXT                -- what the holder claimed it for (a job id)
)
"""
SCHEMA_VERSION = 2  # 1: names in clear, no tag; 2: keyed digests, tag
KEY_FILE = "claims.key"  # beside the claims file: the digest's secret (0600)


def _digest_key(directory: Path) -> bytes:
    """The secret the claim names are digested with: 32 random bytes in ``claims.key``
    (0600), made on first use (atomic: the first writer wins, the others read it)."""
    path = directory / KEY_FILE
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError):
        pass
    write_private(path, secrets.token_hex(32).encode(), replace=False)  # the first wins
    return bytes.fromhex(path.read_text().strip())


def _is_digest(name: str) -> bool:
    return len(name) == 32 and all(c in "0123456789abcdef" for c in name)


class _Op:
    """One queued acquire (``names``) or release (``release``) and its answer."""

    __slots__ = ("done", "error", "lease_s", "names", "outcome", "release", "result", "tag")

    def __init__(self, *, names: Sequence[str] = (), lease_s: float = DEFAULT_LEASE,
                 release: Claim | None = None, outcome: Mapping[str, Any] | None = None,
                 tag: str | None = None) -> None:
        self.names, self.lease_s, self.release, self.outcome = names, lease_s, release, outcome
        self.tag = tag
        self.done = anyio.Event()
        self.error: Exception | None = None
        self.result: dict[str, Claim | Held] = {}


async def _to_end(fn: Callable[[], None]) -> BaseException | None:
    """``fn()`` in a worker thread, awaited to its end even through a native asyncio cancel
    of this task (``bulk.clock.to_end``): the batch commits in its thread all the same,
    and the callers queued on it must be answered (x21r4 F2: a resume cut by
    ``asyncio.timeout`` while its task ran the batch left them waiting, shielded, ~400 s).
    Returns that cancel, for the caller to raise once the queue is written; None when
    there was none."""
    return (await to_end(in_thread(fn)))[1]


class LocalClaims:
    """``Claims`` across the processes of this machine, in one SQLite file."""

    __slots__ = ("_clock", "_closed", "_conn", "_flushing", "_key", "_lock", "_queue", "holder",
                 "path", "poll", "statistics_")

    def __init__(self, path: Path | None = None, *, clock: Clock | None = None,
                 holder: str | None = None, poll: float = 0.1) -> None:
        self.path = path or state_dir() / "claims.sqlite3"
        private_folder(self.path.parent)
        self.holder = holder or new_holder()
        self.poll = poll
        self._clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None,
                                     check_same_thread=False)
        try:
            try:  # private to the user whatever the umask (its -wal / -shm files follow it)
                os.chmod(self.path, 0o600)
            except OSError:
                pass
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._key = _digest_key(self.path.parent)
            self._migrate()
            # Released claims keep their outcome for runs that started before it was known;
            # after RETENTION nobody is waiting on them any more.
            self._conn.execute("DELETE FROM claims WHERE holder IS NULL AND acquired < ?",
                               (self._clock.wall() - RETENTION,))
        except BaseException:  # x20r3 F4: the connection (and its -wal / -shm) is not left
            self._conn.close()
            raise
        self._closed = False
        hold_open(self.holder)  # live until close (bulk.claims.holder_alive)
        self.statistics_ = {"acquired": 0, "held": 0, "taken_over": 0, "released": 0,
                            "batches": 0}
        self._queue: list[_Op] = []
        self._flushing = False

    def __repr__(self) -> str:
        return f"LocalClaims({str(self.path)!r}, holder={self.holder!r}, {self.statistics_})"

    def close(self) -> None:
        """Close the connection; this holder's claims still held are a dead holder's from
        now on (taken over with ``reconcile``). Idempotent."""
        with self._lock:
            self._conn.close()
            if not self._closed:
                self._closed = True
                let_go(self.holder)

    def digest(self, name: str) -> str:
        """The row key of ``name``: HMAC-SHA256 keyed with this state dir's secret
        (``claims.key``), 32 hex digits. Names carry source keys, e-mail addresses and
        organization names: the file never holds them in clear, and a known value cannot
        be confirmed without the key (nor across machines, nor with precomputed tables)."""
        return hmac.new(self._key, name.encode(), hashlib.sha256).hexdigest()[:32]

    def _migrate(self) -> None:
        """Create the table, or bring a file of an older version to ``SCHEMA_VERSION``: names
        in clear are replaced by their digest (held claims and outcomes kept), ``tag``
        added. One ``BEGIN IMMEDIATE`` transaction: two processes never migrate at once."""
        c = self._conn
        if c.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
            return
        c.execute("BEGIN IMMEDIATE")
        try:
            if c.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                c.execute(_SCHEMA)
                if "tag" not in {row[1] for row in c.execute("PRAGMA table_info(claims)")}:
                    c.execute("ALTER TABLE claims ADD COLUMN tag TEXT")
                for (name,) in c.execute("SELECT name FROM claims").fetchall():
                    if not _is_digest(name):
                        c.execute("UPDATE OR REPLACE claims SET name = ? WHERE name = ?",
                                  (self.digest(name), name))
                c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            c.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    # -- blocking parts (run in a worker thread) --------------------------------------------
    def _acquire_tx(self, names: Sequence[str], lease_s: float, now: float,
                    tag: str | None) -> dict[str, Claim | Held]:
        c = self._conn
        out: dict[str, Claim | Held] = {}
        for name in names:
            row = c.execute("SELECT holder, acquired, expires, outcome, tag FROM claims "
                            "WHERE name = ?", (self.digest(name),)).fetchone()
            reconcile, since, previous, prev_tag, ours = False, None, None, None, False
            if row is not None:
                holder, acquired, expires, outcome, was = row
                ours = holder == self.holder  # already (another caller of this run)
                if holder is not None and holder != self.holder:
                    if expires > now and holder_alive(holder):
                        out[name] = Held(name, holder, expires, expires - now, was, now)
                        self.statistics_["held"] += 1
                        continue
                    reconcile, since, prev_tag = True, acquired, was
                    self.statistics_["taken_over"] += 1
                previous = json.loads(outcome) if outcome else None
            c.execute("INSERT INTO claims(name, holder, acquired, expires, outcome, tag) "
                      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                      "holder=excluded.holder, acquired=excluded.acquired, "
                      "expires=excluded.expires, tag=excluded.tag",
                      (self.digest(name), self.holder, now, now + lease_s,
                       json.dumps(previous) if previous is not None else None, tag))
            out[name] = as_taken(Claim(name, self.holder, now + lease_s, previous, reconcile,
                                       since, prev_tag=prev_tag, already_ours=ours))
            self.statistics_["acquired"] += 1
        return out

    def _release_tx(self, claim: Claim, outcome: Mapping[str, Any] | None) -> None:
        if outcome is None:
            self._conn.execute("UPDATE claims SET holder = NULL WHERE name = ? AND holder = ?",
                               (self.digest(claim.name), self.holder))
        elif IN_DOUBT in outcome:
            # in doubt: written while the name is this holder's or free. A plain release of
            # the name by this holder (a cancelled caller's claim on it, given back) may have
            # freed it first: the evidence that this job's create may have left must not be
            # dropped with it (f21i F1: after a cancel and a resume, a deal the cut run
            # created was recorded `unchanged`, no claim record naming the job)
            # — but never over another run's outcome written since it was freed (that
            # run created or found the thing: attributed to this job, its undo would
            # delete another's deal)
            digest = self.digest(claim.name)
            row = self._conn.execute("SELECT holder, outcome FROM claims WHERE name = ?",
                                     (digest,)).fetchone()
            if row is not None and (row[0] == self.holder or (row[0] is None and (
                    row[1] is None or json.loads(row[1]).get("job") == outcome.get("job")))):
                self._conn.execute("UPDATE claims SET holder = NULL, outcome = ? "
                                   "WHERE name = ?", (json.dumps(dict(outcome)), digest))
        else:
            self._conn.execute("UPDATE claims SET holder = NULL, outcome = ? "
                               "WHERE name = ? AND holder = ?",
                               (json.dumps(dict(outcome)), self.digest(claim.name),
                                self.holder))
        self.statistics_["released"] += 1

    def _run_batch(self, batch: list[_Op]) -> None:
        """Every queued acquire and release in one short transaction (a group commit)."""
        now = self._clock.wall()
        with self._lock:
            c = self._conn
            c.execute("BEGIN IMMEDIATE")
            try:
                for op in batch:
                    if op.release is not None:
                        self._release_tx(op.release, op.outcome)
                    elif op.names:
                        op.result = self._acquire_tx(op.names, op.lease_s, now, op.tag)
                c.execute("COMMIT")
            except BaseException as exc:
                self._rollback()
                if isinstance(exc, sqlite3.Error | OSError) and disk_full(exc):
                    raise DiskFull(self.path) from exc  # x19r1 F3: was "unexpected ..."
                raise
        self.statistics_["batches"] += 1

    def _rollback(self) -> None:
        """Roll back what is open: SQLite has already rolled back after some errors (a
        full disk), and a second error must not hide the first."""
        if self._conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")

    async def _submit(self, op: _Op) -> _Op:
        """Queue ``op``; the first caller with nothing in flight runs the queue in a worker
        thread, batch after batch (shielded: queued callers must not be left waiting)."""
        self._queue.append(op)
        if not self._flushing:
            self._flushing = True
            cancelled: BaseException | None = None
            try:
                with anyio.CancelScope(shield=True):
                    while self._queue:
                        batch, self._queue = self._queue, []
                        try:
                            cancelled = await _to_end(functools.partial(
                                self._run_batch, batch)) or cancelled
                        except Exception as exc:  # every caller of the batch gets it
                            for queued in batch:
                                queued.error = exc
                        for queued in batch:
                            queued.done.set()
            finally:
                self._flushing = False
            if cancelled is not None:  # every queued caller answered: the cancel goes on
                raise cancelled
        await op.done.wait()
        if op.error is not None:
            raise op.error
        return op

    def _renew_sync(self, names: Sequence[str], lease_s: float) -> set[str]:
        expires = self._clock.wall() + lease_s
        held: set[str] = set()
        with self._lock:
            for n in names:
                cur = self._conn.execute(
                    "UPDATE claims SET expires = ? WHERE name = ? AND holder = ?",
                    (expires, self.digest(n), self.holder))
                if cur.rowcount:
                    held.add(n)
        return held

    def _free_sync(self, name: str) -> bool:
        with self._lock:
            row = self._conn.execute("SELECT holder, expires FROM claims WHERE name = ?",
                                     (self.digest(name),)).fetchone()
        if row is None or row[0] is None or row[0] == self.holder:
            return True
        return bool(row[1] <= self._clock.wall() or not holder_alive(row[0]))

    def release_all(self) -> int:
        """Release (without outcome) every claim this holder still has; how many."""
        with self._lock:
            cur = self._conn.execute("UPDATE claims SET holder = NULL WHERE holder = ?",
                                     (self.holder,))
            return cur.rowcount

    # -- the protocol ---------------------------------------------------------------------
    async def acquire_many(self, names: Sequence[str], lease_s: float = DEFAULT_LEASE, *,
                           tag: str | None = None) -> dict[str, Claim | Held]:
        op = _Op(names=list(names), lease_s=lease_s, tag=tag)
        try:
            return (await self._submit(op)).result
        except anyio.get_cancelled_exc_class():
            # cancelled once queued: its batch still runs (shielded) and may take the names
            # for a caller that is gone, which no one would release — a resume in this
            # live process then waited out their lease (f21c F2: a cancelled import's
            # person creates). Nothing was sent under them: given back plainly, with the
            # next flush (the job's ``finish``) — except a name this holder already held
            # for another caller (a create in flight under it): released here, it freed that
            # claim, and the create's in-doubt outcome then matched no holder (f21i F1)
            with anyio.CancelScope(shield=True):
                await op.done.wait()
            give_back_cancelled(self, op.result)
            raise

    async def release(self, claim: Claim, outcome: Mapping[str, Any] | None = None) -> None:
        await self._submit(_Op(release=claim, outcome=outcome))

    def release_soon(self, claim: Claim, outcome: Mapping[str, Any] | None = None) -> None:
        self._queue.append(_Op(release=claim, outcome=outcome))

    async def flush(self) -> None:
        if self._queue:
            await self._submit(_Op())

    def renew_now(self, names: Sequence[str], lease_s: float = DEFAULT_LEASE) -> set[str]:
        """``renew`` blocking, in the caller's thread (never the event loop's: it may wait
        on the file's lock): the names of ``names`` still this holder's, their lease pushed
        to ``lease_s`` seconds from now (one compare-and-set each). For
        ``bulk.claims.Lease.confirm_then``: the renewal and the marks of a send in one
        thread hop. Raises sqlite3.Error (closed, the file gone)."""
        return self._renew_sync(names, lease_s)

    async def renew(self, claims: Sequence[Claim], lease_s: float = DEFAULT_LEASE) -> set[str]:
        return await in_thread(functools.partial(self._renew_sync,
                                                 [c.name for c in claims], lease_s))

    async def aclose(self) -> None:
        """Write what is queued (an in-doubt outcome among it: f21i F1), then ``close``."""
        try:
            if self._queue and not self._closed:
                with anyio.CancelScope(shield=True), went_on(
                        "writing the claims' queued outcomes as they closed",
                        (BulkError, sqlite3.Error, OSError), consequence=(
                            "those claims stay held until their lease runs out, their "
                            "outcomes unwritten")):
                    await self.flush()
        finally:
            self.close()

    def _outcomes_sync(self, names: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        out: dict[str, Mapping[str, Any]] = {}
        with self._lock:
            for name in names:
                row = self._conn.execute("SELECT outcome FROM claims WHERE name = ?",
                                         (self.digest(name),)).fetchone()
                if row is not None and row[0]:
                    out[name] = json.loads(row[0])
        return out

    async def outcomes(self, names: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        return await in_thread(functools.partial(self._outcomes_sync, list(names)))

    def _dead_held_sync(self, names: Sequence[str]) -> dict[str, DeadHold]:
        now = self._clock.wall()
        out: dict[str, DeadHold] = {}
        with self._lock:
            rows = [(name, self._conn.execute(
                "SELECT holder, acquired, expires, tag FROM claims WHERE name = ?",
                (self.digest(name),)).fetchone()) for name in names]
        for name, row in rows:  # liveness read outside the lock: /proc, not SQLite
            if row is not None and row[0] is not None and row[0] != self.holder \
                    and (row[2] <= now or not holder_alive(row[0])):
                out[name] = DeadHold(float(row[1]), row[3] or None)
        return out

    async def dead_held(self, names: Sequence[str]) -> dict[str, DeadHold]:
        return await in_thread(functools.partial(self._dead_held_sync, list(names)))

    async def wait_released(self, name: str, within_s: float) -> bool:
        deadline = self._clock.now() + max(0.0, within_s)
        while True:
            if await in_thread(functools.partial(self._free_sync, name)):
                return True
            if self._clock.now() >= deadline:
                return False
            await self._clock.sleep(min(self.poll, max(0.0, deadline - self._clock.now())))


__all__ = ["KEY_FILE", "SCHEMA_VERSION", "LocalClaims"]
