"""Claims across processes: one holder at a time for an opaque name, with a lease.

A job that is about to do something that must happen once across every process
on the machine (the create of a source key) claims a name first. ``acquire``
answers ``Claim`` (you hold it; maybe with the outcome a previous holder left,
or with ``reconcile=True`` when the previous holder died before telling) or
``Held`` (another live holder has it: wait with ``wait_released``, then acquire
again). ``release`` records the outcome (e.g. ``{"deal_id": 12}``) in the
claim, so whoever reaches the name later knows what was done. Names mean
nothing here: this module knows no deal, key or account.

``LocalClaims`` is the default: a SQLite file (WAL) in the per-user state
directory. Calls are group-committed: the acquires and releases queued while a
batch runs go together in the next short ``BEGIN IMMEDIATE`` transaction, in a
worker thread, never on the event loop — so many workers claiming at once cost
one transaction, not one each. A holder is ``host:pid:start``; the
process start time (``/proc/<pid>/stat``) guards against a recycled pid. A
claim whose holder process is gone, or whose lease ran out, is taken over — and
the taker is told to reconcile (look the thing up) before doing it again.
A later issue brings a Redis implementation of the same ``Claims`` protocol.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import socket
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import anyio
import anyio.to_thread

from .clock import Clock, SystemClock

DEFAULT_LEASE = 300.0  # seconds; a create waits at most a burst window plus its retries
STATE_ENV = "PDBULK_STATE_DIR"
RETENTION = 30 * 86400.0  # seconds a released claim (and its outcome) is kept
# seconds after a claims state's birth by which every create sent under a claim lost with
# the old state has been answered (its holder confirmed the claim before the loss; a
# request times out after 30 s): a look-up begun after this sees them all
SETTLED_AFTER_BIRTH = 60.0


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim this process holds on ``name`` until ``expires`` (Unix time).

    ``previous``: the outcome the last holder released it with (None: none, or it
    released without one). ``reconcile``: the last holder died (or its lease ran
    out) while holding it, at ``since`` (Unix time) — what it did is unknown and
    must be looked up before acting. ``born``: the wall time the shared state this
    claim lives in began (a Redis coordinator's claims; None: unknown / local, where it
    is the SQLite file's): whoever learnt about the name before then cannot trust that
    a free name was never claimed (``bulk.claims_redis``, "Lost state")."""

    name: str
    holder: str
    expires: float
    previous: Mapping[str, Any] | None = None
    reconcile: bool = False
    since: float | None = None
    born: float | None = None
    # the tag (e.g. the job id) the previous holder claimed it with, when it never released
    # it (``reconcile``): whose create an in-doubt deal found under the name is
    prev_tag: str | None = None


IN_DOUBT = "in_doubt"  # an outcome's field: the holder's create was sent, its answer lost


def in_doubt_outcome(since: float, job: str | None) -> dict[str, Any]:
    """The outcome a holder releases a claim with when the create it guarded is in doubt
    (sent at or after ``since``, Unix time, its answer lost): ``{"in_doubt": since, "job":
    job}``. Its next holder takes it as taken over from a dead holder (``as_taken``): it
    looks the thing up before acting, and a thing found is ``job``'s create.

    Why release instead of keeping the claim until the holder reconciles: a claim kept
    in doubt blocks every other run that needs the name until the holder's pass ends —
    and two runs each waiting (``CLAIM_WAIT``) on a claim the other keeps in doubt never
    end their passes: both stall and fail rows (issue #9 F3)."""
    return {IN_DOUBT: since, "job": job} if job else {IN_DOUBT: since}


def as_taken(claim: Claim) -> Claim:
    """``claim`` as its new holder must read it: one whose previous holder released it
    in doubt (``in_doubt_outcome``) is ``reconcile`` since then, its ``prev_tag`` the
    job named (when no dead holder since names another), and no ``previous``."""
    prev = claim.previous
    if not isinstance(prev, Mapping) or not isinstance(prev.get(IN_DOUBT), (int, float)):
        return claim
    at = float(prev[IN_DOUBT])
    since = at if not claim.reconcile or claim.since is None else min(at, claim.since)
    job = prev.get("job")
    tag = claim.prev_tag if claim.reconcile and claim.prev_tag else (
        job if isinstance(job, str) else None)
    return replace(claim, previous=None, reconcile=True, since=since, prev_tag=tag)


@dataclass(frozen=True, slots=True)
class Held:
    """``name`` is held by another live ``holder`` (``host:pid:start``) until ``expires``
    (wall time); ``left``: seconds of its lease left when the store answered (None:
    unknown)."""

    name: str
    holder: str
    expires: float
    left: float | None = None


class Claims(Protocol):
    """Claims on opaque names with a lease; see the module docstring."""

    holder: str

    async def acquire_many(self, names: Sequence[str], lease_s: float = DEFAULT_LEASE, *,
                           tag: str | None = None) -> dict[str, Claim | Held]:
        """Claim every free name in one step; each name → ``Claim`` or ``Held``. ``tag``
        (e.g. the job id) is kept with the claim: whoever takes it over from a dead holder
        learns it (``Claim.prev_tag``)."""
        ...

    async def release(self, claim: Claim, outcome: Mapping[str, Any] | None = None) -> None:
        """Give the claim up, leaving ``outcome`` (JSON-able) for the next holder."""
        ...

    def release_soon(self, claim: Claim, outcome: Mapping[str, Any] | None = None) -> None:
        """``release`` without waiting: written with the next ``acquire_many`` or ``flush``
        (one transaction / round trip for many). Until then the claim looks held by this
        live process; if it dies first, the next holder reconciles (see the module doc)."""
        ...

    async def flush(self) -> None:
        """Write every ``release_soon`` queued so far."""
        ...

    async def renew(self, claims: Sequence[Claim], lease_s: float = DEFAULT_LEASE) -> set[str]:
        """Push the lease of claims this process still holds; the names of those still held
        (compare-and-set: a claim taken over meanwhile is not pushed and not named)."""
        ...

    async def wait_released(self, name: str, within_s: float) -> bool:
        """Wait (at most ``within_s`` seconds) until nobody live holds ``name``; True if so."""
        ...

    async def aclose(self) -> None:
        """Close the connection / file (queued ``release_soon`` calls: ``flush`` first)."""
        ...

    async def outcomes(self, names: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        """The outcome each name was last released with, read without taking anything
        (names with none are left out): what a plan prices — the create of a key whose
        claim names a deal reads that deal first."""
        ...


async def acquire(claims: Claims, name: str, lease_s: float = DEFAULT_LEASE, *,
                  tag: str | None = None) -> Claim | Held:
    """One name (``acquire_many`` of one)."""
    return (await claims.acquire_many([name], lease_s, tag=tag))[name]


async def acquire_waiting(claims: Claims, name: str, lease_s: float, *, tag: str | None,
                          wait_s: float, on_wait: Callable[[], Awaitable[None]],
                          until_stopped: Callable[[Awaitable[bool]], Awaitable[bool]],
                          rounds: int = 8) -> Claim | Held:
    """``name``'s claim, waiting while another live run holds it; the last ``Held`` when
    it stayed held through ``rounds`` waits. Each wait lasts ``wait_s`` seconds, or until
    the holder's lease ends when that is later (at most ``2 * lease_s``): a holder that
    froze (SIGSTOP, a stalled VM) renews nothing, so its claim is taken over when its lease
    runs out — the rows behind it wait for that instead of failing at ``wait_s`` (v12r5:
    a row failed every 120 s behind a frozen run). Before each wait ``on_wait`` runs (give
    back the claims taken for rows not sent yet: two runs each waiting on the other's never
    deadlock); each wait goes through ``until_stopped`` (a stop of the run ends it:
    ``bulk.calls.CallContext.until_stopped`` raises Stopped)."""
    got: Claim | Held = await acquire(claims, name, lease_s, tag=tag)
    for _ in range(rounds - 1):
        if isinstance(got, Claim):
            return got
        await on_wait()
        wait = max(wait_s, min((got.left or 0.0) + 1.0, 2 * lease_s))
        if not await until_stopped(claims.wait_released(name, wait)):
            return got
        got = await acquire(claims, name, lease_s, tag=tag)
    return got


class Lease:
    """A claim held by ``kept``: ``confirm()`` proves it still held right before the
    thing it guards is done (see ``kept``)."""

    __slots__ = ("_claims", "_clock", "claim", "lease_s", "lost", "until")

    def __init__(self, claims: Claims, claim: Claim, clock: Clock, lease_s: float) -> None:
        self._claims, self.claim, self._clock, self.lease_s = claims, claim, clock, lease_s
        # clock.now() seconds until which the lease is known to run (from the last renewal
        # that said it is still ours); a wall-time expiry is not trusted across a freeze
        # (clamped: the claims' clock and this one may be different objects in tests)
        self.until = clock.now() + min(lease_s, max(0.0, claim.expires - clock.wall()))
        self.lost = False

    def renewed(self, at: float, held: bool) -> None:
        if held:
            self.until = max(self.until, at + self.lease_s)
        else:
            self.lost = True

    async def confirm(self) -> bool:
        """True if the claim is still held, proved now: the lease is pushed by one
        compare-and-set (``renew``: still ours in the store) — unless it is known lost or
        ran out by this process's clock, then False. Raises what ``renew`` raises
        (CoordinatorLost). False means: do not send; claim again and reconcile."""
        if self.lost:
            return False
        start = self._clock.now()
        if start >= self.until:  # ran out (frozen, or renewals failed): another may have it
            self.lost = True
            return False
        held = self.claim.name in await self._claims.renew([self.claim], self.lease_s)
        self.renewed(start, held)
        return held and self._clock.now() < self.until


async def confirm_or_lost(lease: Lease) -> bool:
    """``lease.confirm()``, where an error (Redis gone) counts as not confirmed."""
    try:
        return await lease.confirm()
    except Exception:
        lease.lost = True
        return False


@asynccontextmanager
async def kept(claims: Claims, claim: Claim, clock: Clock,
               lease_s: float = DEFAULT_LEASE) -> AsyncIterator[Lease]:
    """Hold ``claim`` for as long as the body runs: its lease is renewed every third of
    ``lease_s`` (on ``clock``) until the body ends. Yields a :class:`Lease`: the body
    calls ``await lease.confirm()`` right before it sends what the claim guards, and
    sends only if it says True.

    Why renew: between a claim and its send, a create can wait far longer than any fixed
    lease (a 429 pause, the daily budget with --wait-for-reset, a reconcile scan, a slow
    answer). A lease that ran out while its holder still meant to send would be taken
    over by another run, which looks the key up, finds nothing (nothing was sent yet)
    and creates it — and then the first run sends too. Renewing while the holder is
    live closes that; the lease still runs out soon after the holder stops (frozen or
    killed). A renewal that fails is tried again at the next tick: a lease is not lost
    to one busy moment.

    Why confirm: a holder frozen (SIGSTOP, a suspended VM) past its lease, or whose
    claim vanished with the store's state, may have been overtaken meanwhile; renewal
    alone does not tell it before it sends. ``confirm`` does: the lease by this
    process's own clock (monotonic, or the injected one), then the store's
    compare-and-set."""
    lease = Lease(claims, claim, clock, lease_s)

    async def renew() -> None:
        while True:
            await clock.sleep(lease_s / 3)
            at = clock.now()
            try:
                held = await claims.renew([claim], lease_s)
            except Exception:  # tried again a third of a lease later
                continue
            lease.renewed(at, claim.name in held)

    error: Exception | None = None
    async with anyio.create_task_group() as tg:
        tg.start_soon(renew)
        try:
            yield lease
        except Exception as exc:  # raised as it is, not inside an ExceptionGroup
            error = exc
        finally:
            tg.cancel_scope.cancel()
    if error is not None:
        raise error


def state_dir() -> Path:
    """``$PDBULK_STATE_DIR``, else ``$XDG_STATE_HOME/pdbulk``, else ``~/.local/state/pdbulk``."""
    if os.environ.get(STATE_ENV):
        return Path(os.environ[STATE_ENV])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "pdbulk"


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot ('' where /proc is missing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]


def holder_id(pid: int | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def holder_alive(holder: str) -> bool:
    """Whether the process ``holder`` names still runs (on this host; another host: assumed)."""
    host, _, rest = holder.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname():
        return True
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    return not start or _start_time(pid) == start


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
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32))
    try:
        os.link(tmp, path)  # fails if another process made it first
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
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


class LocalClaims:
    """``Claims`` across the processes of this machine, in one SQLite file."""

    __slots__ = ("_clock", "_conn", "_flushing", "_key", "_lock", "_queue", "holder", "path",
                 "poll", "statistics_")

    def __init__(self, path: Path | None = None, *, clock: Clock | None = None,
                 holder: str | None = None, poll: float = 0.1) -> None:
        self.path = path or state_dir() / "claims.sqlite3"
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.holder = holder or holder_id()
        self.poll = poll
        self._clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None,
                                     check_same_thread=False)
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
        self.statistics_ = {"acquired": 0, "held": 0, "taken_over": 0, "released": 0,
                            "batches": 0}
        self._queue: list[_Op] = []
        self._flushing = False

    def __repr__(self) -> str:
        return f"LocalClaims({str(self.path)!r}, holder={self.holder!r}, {self.statistics_})"

    def close(self) -> None:
        with self._lock:
            self._conn.close()

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
            c.execute("ROLLBACK")
            raise

    # -- blocking parts (run in a worker thread) --------------------------------------------
    def _acquire_tx(self, names: Sequence[str], lease_s: float,
                    now: float, tag: str | None) -> dict[str, Claim | Held]:
        c = self._conn
        out: dict[str, Claim | Held] = {}
        for name in names:
            row = c.execute("SELECT holder, acquired, expires, outcome, tag FROM claims "
                            "WHERE name = ?", (self.digest(name),)).fetchone()
            reconcile, since, previous, prev_tag = False, None, None, None
            if row is not None:
                holder, acquired, expires, outcome, was = row
                if holder is not None and holder != self.holder:
                    if expires > now and holder_alive(holder):
                        out[name] = Held(name, holder, expires, expires - now)
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
                                       since, prev_tag=prev_tag))
            self.statistics_["acquired"] += 1
        return out

    def _release_tx(self, claim: Claim, outcome: Mapping[str, Any] | None) -> None:
        if outcome is None:
            self._conn.execute("UPDATE claims SET holder = NULL WHERE name = ? AND holder = ?",
                               (self.digest(claim.name), self.holder))
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
            except BaseException:
                c.execute("ROLLBACK")
                raise
        self.statistics_["batches"] += 1

    async def _submit(self, op: _Op) -> _Op:
        """Queue ``op``; the first caller with nothing in flight runs the queue in a worker
        thread, batch after batch (shielded: queued callers must not be left waiting)."""
        self._queue.append(op)
        if not self._flushing:
            self._flushing = True
            try:
                with anyio.CancelScope(shield=True):
                    while self._queue:
                        batch, self._queue = self._queue, []
                        try:
                            await anyio.to_thread.run_sync(self._run_batch, batch)
                        except Exception as exc:  # every caller of the batch gets it
                            for queued in batch:
                                queued.error = exc
                        for queued in batch:
                            queued.done.set()
            finally:
                self._flushing = False
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
        return (await self._submit(_Op(names=list(names), lease_s=lease_s, tag=tag))).result

    async def release(self, claim: Claim, outcome: Mapping[str, Any] | None = None) -> None:
        await self._submit(_Op(release=claim, outcome=outcome))

    def release_soon(self, claim: Claim, outcome: Mapping[str, Any] | None = None) -> None:
        self._queue.append(_Op(release=claim, outcome=outcome))

    async def flush(self) -> None:
        if self._queue:
            await self._submit(_Op())

    async def renew(self, claims: Sequence[Claim], lease_s: float = DEFAULT_LEASE) -> set[str]:
        return await anyio.to_thread.run_sync(self._renew_sync, [c.name for c in claims],
                                              lease_s)

    async def aclose(self) -> None:
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
        return await anyio.to_thread.run_sync(self._outcomes_sync, list(names))

    async def wait_released(self, name: str, within_s: float) -> bool:
        deadline = self._clock.now() + max(0.0, within_s)
        while True:
            if await anyio.to_thread.run_sync(self._free_sync, name):
                return True
            if self._clock.now() >= deadline:
                return False
            await self._clock.sleep(min(self.poll, max(0.0, deadline - self._clock.now())))

class DualClaims:
    """Claims held on this machine's ``local`` store *and* on the ``shared`` one (Redis):
    what a coordinated run uses, so that it and an uncoordinated run on the same machine
    exclude each other whichever started first (the uncoordinated one sees only the local
    store), while the shared store excludes the coordinated runs of other machines.

    A name is had only when both stores give it (local first, then shared: two processes
    of this machine meet on the local store before either takes the shared one); when
    the shared store says ``Held``, the local claim is given back at once. The claim
    answered merges both: ``reconcile`` if either previous holder died, the earliest
    ``since``, the local ``previous`` outcome (else the shared one), the shared ``born``;
    two different outcomes (a run of one store did the name again since the other's)
    say ``reconcile`` since the start (None): the taker looks the name up.
    Release, renew (held = held in both) and waits go to both."""

    __slots__ = ("holder", "local", "shared")

    def __init__(self, local: Claims, shared: Claims) -> None:
        self.local, self.shared = local, shared
        self.holder = shared.holder

    def __repr__(self) -> str:
        return f"DualClaims({self.local!r}, {self.shared!r})"

    async def acquire_many(self, names: Sequence[str], lease_s: float = DEFAULT_LEASE, *,
                           tag: str | None = None) -> dict[str, Claim | Held]:
        out = dict(await self.local.acquire_many(names, lease_s, tag=tag))
        mine = [n for n in names if isinstance(out.get(n), Claim)]
        if not mine:
            return out
        try:
            shared = await self.shared.acquire_many(mine, lease_s, tag=tag)
        except BaseException:
            for n in mine:
                self.local.release_soon(out[n])  # type: ignore[arg-type]
            raise
        for n in mine:
            here, there = out[n], shared[n]
            assert isinstance(here, Claim)
            if isinstance(there, Held):
                self.local.release_soon(here)
                out[n] = there
                continue
            sinces = [t for t in (here.since, there.since) if t is not None]
            reconcile = here.reconcile or there.reconcile
            since = min(sinces) if sinces else None
            if here.previous is not None and there.previous is not None \
                    and here.previous != there.previous:
                # the stores disagree (a run of one of them did the name again since): which
                # outcome is the newer is unknown, so the name is looked up, from the start
                reconcile, since = True, None
            out[n] = Claim(n, self.holder, min(here.expires, there.expires),
                           here.previous if here.previous is not None else there.previous,
                           reconcile, since, there.born, there.prev_tag or here.prev_tag)
        return out

    async def release(self, claim: Claim, outcome: Mapping[str, Any] | None = None) -> None:
        self.local.release_soon(claim, outcome)
        await self.shared.release(claim, outcome)
        await self.local.flush()

    def release_soon(self, claim: Claim, outcome: Mapping[str, Any] | None = None) -> None:
        self.local.release_soon(claim, outcome)
        self.shared.release_soon(claim, outcome)

    async def flush(self) -> None:
        await self.local.flush()
        await self.shared.flush()

    async def renew(self, claims: Sequence[Claim], lease_s: float = DEFAULT_LEASE) -> set[str]:
        return (await self.local.renew(claims, lease_s)) & \
            (await self.shared.renew(claims, lease_s))

    async def wait_released(self, name: str, within_s: float) -> bool:
        deadline = time.monotonic() + max(0.0, within_s)
        return (await self.local.wait_released(name, within_s)
                and await self.shared.wait_released(name, max(0.0, deadline - time.monotonic())))

    async def outcomes(self, names: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        """The local outcome, else the shared one (as ``acquire_many`` merges them)."""
        return {**await self.shared.outcomes(names), **await self.local.outcomes(names)}

    async def aclose(self) -> None:
        try:
            await self.local.flush()
        finally:
            await self.local.aclose()
            await self.shared.aclose()


def open_claims(company: str | None = None) -> Claims:
    """The claims a run's creates go through: ``LocalClaims`` (this machine) — and, when a
    shared coordinator is in force (``--coordinator`` / env ``PDBULK_COORDINATOR``), the
    same claims on Redis too (``DualClaims``), so runs on other machines see them and runs
    on this machine without the coordinator see them as well. The caller closes them
    (``aclose``).

    On Redis every key is under the company (``company``, else the one the running
    ``bulk.engine.Engine.open`` bound: ``bulk.coordinator.bound_company``); raises
    RuntimeError when neither is known (a bug: claims opened outside a run)."""
    from .coordinator import bound_company, coordinator_url

    url = coordinator_url()
    if url is None:
        return LocalClaims()
    from .claims_redis import RedisClaims

    company = company or bound_company()
    if company is None:
        raise RuntimeError("claims on the shared coordinator need the company: open them "
                           "inside a run (bulk.engine.Engine.open binds it)")
    return DualClaims(LocalClaims(), RedisClaims(url, company))


__all__ = ["DEFAULT_LEASE", "IN_DOUBT", "SETTLED_AFTER_BIRTH", "STATE_ENV", "Claim", "Claims", "DualClaims",
           "Held", "Lease", "acquire_waiting", "as_taken", "in_doubt_outcome",
           "LocalClaims", "acquire", "confirm_or_lost", "holder_alive", "holder_id", "kept",
           "open_claims", "state_dir"]
