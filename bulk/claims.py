"""Claims across processes: one holder at a time for an opaque name, with a lease.

A job that is about to do something that must happen once across every process
on the machine (the create of a source key) claims a name first. ``acquire``
answers ``Claim`` (you hold it; maybe with the outcome a previous holder left,
or with ``reconcile=True`` when the previous holder died before telling) or
``Held`` (another live holder has it: wait with ``wait_released``, then acquire
again). ``release`` records the outcome (e.g. ``{"deal_id": 12}``) in the
claim, so whoever reaches the name later knows what was done. Names mean
nothing here: this module knows no deal, key or account.

``LocalClaims`` (``bulk.claims_local``) is the default: a SQLite file (WAL) in the
per-user state directory. Calls are group-committed: the acquires and releases queued while a
batch runs go together in the next short ``BEGIN IMMEDIATE`` transaction, in a
worker thread, never on the event loop — so many workers claiming at once cost
one transaction, not one each. A holder is a job's run inside a process,
``run@host:pid:start`` (``new_holder``: ``run`` is drawn afresh for every claims object a
job opens): two jobs of one process exclude each other as two processes do (x20r3 F1: with
``host:pid:start`` alone, every job of a long-running service owned every other's claims
and two imports gathered in one loop created the same deals twice). Liveness is the
process's — the start time (``/proc/<pid>/stat``) guards against a recycled pid — and,
within this process, the run's: a holder of this process whose claims object is closed
(its job ended, was cancelled) is gone. A claim whose holder is gone, or whose lease ran
out, is taken over — and the taker is told to reconcile (look the thing up) before doing
it again.
``RedisClaims`` (``bulk.claims_redis``) is the same protocol on a shared coordinator,
and ``DualClaims`` holds a name in both; ``bulk.claims_open.open_claims`` picks what a
run uses. This module imports none of them (they import it).

Why ~500 lines: the protocol and its values (``Claim``, ``Held``, ``DeadHold``, the in-doubt
outcome) with what every store and every caller shares of it (waiting on a holder, keeping
a lease, who is alive); each store is its own module.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import secrets
import socket
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import anyio.lowlevel

from .clock import Clock

_log = logging.getLogger("pdbulk.claims")  # the CLI prints its warnings on stderr
DEFAULT_LEASE = 300.0  # seconds; a create waits at most a burst window plus its retries
STATE_ENV = "PDBULK_STATE_DIR"
RETENTION = 30 * 86400.0  # seconds a released claim (and its outcome) is kept
# seconds after a claims state's birth by which every create sent under a claim lost with
# the old state has been answered (its holder confirmed the claim before the loss; a
# request times out after 30 s): a look-up begun after this sees them all
SETTLED_AFTER_BIRTH = 60.0
# seconds between two look-ups that only a later claim asks for: the claims had meanwhile
# wait for the next one and share it (one scan per kind per second, not one per claim:
# an import started within a minute of an emptied Redis read the persons added since
# once per person, 2.4x its plan — v12r8)
RESCAN_EVERY = 1.0


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
    # this holder already held the name when it was taken (for another caller of the same
    # run, maybe with a create in flight under it): a cancelled caller never gives it back
    # (``give_back_cancelled``)
    already_ours: bool = False
    # the last outcome released before an in-doubt release took its place (``as_taken``;
    # None: none, or ``previous`` is still it): what the state knew of the name before
    # that holder's send, e.g. the thing an earlier holder made and someone deleted since
    was: Mapping[str, Any] | None = None

    def last_settled(self) -> Mapping[str, Any] | None:
        """The last outcome a holder released the name with other than in doubt:
        ``previous``, else ``was`` (None: none known)."""
        return self.previous if self.previous is not None else self.was


IN_DOUBT = "in_doubt"  # an outcome's field: the holder's create was sent, its answer lost


def in_doubt_outcome(since: float, job: str | None,
                     was: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The outcome a holder releases a claim with when the create it guarded is in doubt
    (sent at or after ``since``, Unix time, its answer lost): ``{"in_doubt": since, "job":
    job, "was": was}``. Its next holder takes it as taken over from a dead holder
    (``as_taken``): it looks the thing up before acting, and a thing found is ``job``'s
    create — unless ``was`` (the claim's ``Claim.last_settled`` outcome, kept as the
    next holder's ``Claim.was``; an in-doubt one is not kept) names it as an earlier
    holder's: a re-import right after an undo found the deal the first import made,
    deleted by the undo, and took it for its own create (x31r1 F-A, 7 of 7 runs).

    Why release instead of keeping the claim until the holder reconciles: a claim kept
    in doubt blocks every other run that needs the name until the holder's pass ends —
    and two runs each waiting (``CLAIM_WAIT``) on a claim the other keeps in doubt never
    end their passes: both stall and fail rows (issue #9 F3)."""
    out: dict[str, Any] = {IN_DOUBT: since, "job": job} if job else {IN_DOUBT: since}
    if isinstance(was, Mapping) and not isinstance(was.get(IN_DOUBT), (int, float)):
        out["was"] = dict(was)
    return out


def as_taken(claim: Claim) -> Claim:
    """``claim`` as its new holder must read it: one whose previous holder released it
    in doubt (``in_doubt_outcome``) is ``reconcile`` since then, its ``prev_tag`` the
    job named (when no dead holder since names another), no ``previous``, and ``was``
    the outcome that release carried (``in_doubt_outcome``)."""
    prev = claim.previous
    if not isinstance(prev, Mapping) or not isinstance(prev.get(IN_DOUBT), (int, float)):
        return claim
    at = float(prev[IN_DOUBT])
    since = at if not claim.reconcile or claim.since is None else min(at, claim.since)
    job = prev.get("job")
    tag = claim.prev_tag if claim.reconcile and claim.prev_tag else (
        job if isinstance(job, str) else None)
    was = prev.get("was")
    return replace(claim, previous=None, reconcile=True, since=since, prev_tag=tag,
                   was=was if isinstance(was, Mapping) else None)


@dataclass(frozen=True, slots=True)
class DeadHold:
    """A name still held by a holder that is gone (``Claims.dead_held``): ``since``, the wall
    time (Unix seconds) it took the name; ``tag``, what it claimed it for (the job id; None:
    unknown). Whoever claims the name next takes it over with ``reconcile``."""

    since: float
    tag: str | None = None


@dataclass(frozen=True, slots=True)
class Held:
    """``name`` is held by another live ``holder`` (``run@host:pid:start``) until ``expires``
    (wall time); ``left``: seconds of its lease left when the store answered (None:
    unknown); ``tag``: what it was claimed for (the job id; None: unknown); ``seen``: when
    the store answered, on the claims' own (injected) clock, ``Clock.wall`` (None: unknown).
    """

    name: str
    holder: str
    expires: float
    left: float | None = None
    tag: str | None = None
    seen: float | None = None

    def who(self) -> str:
        """The holder as a person reads it: "process 123 on host-a, job j-1"."""
        host, pid, _, _ = _parts(self.holder)
        job = f", job {self.tag}" if self.tag else ""
        return f"process {pid} on {host}{job}"


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

    async def dead_held(self, names: Sequence[str]) -> dict[str, DeadHold]:
        """The names still held by a holder that is gone (its process, or its claims
        closed: ``holder_alive``) or whose lease ran out — those an ``acquire_many`` now
        would take over with ``reconcile`` — each → when that holder took it and for what
        (``DeadHold``); read without taking anything (names free, released or held live
        are left out). What a plan prices: a create taken over from a dead holder looks its
        key up first (x29r2 F2: a killed run's claims cost the next import a scan of each
        list its plan did not count); and what a resume settles (its own dead holds)."""
        ...


def give_back_cancelled(claims: Claims, got: Mapping[str, Claim | Held]) -> None:
    """The claims an ``acquire_many`` took for a caller cancelled once its store had them
    (nothing was sent under them), queued for a plain release (``release_soon``: written
    with the next ``flush``, the job's ``finish``): else this live holder kept them,
    outcome-less, and a run after it waited out their lease (f21c F2). A name this holder
    already held for another caller (``Claim.already_ours``: a create in flight under it)
    is left held: released here, it freed that claim under the create (f21i F1)."""
    for claim in got.values():
        if isinstance(claim, Claim) and not claim.already_ours:
            claims.release_soon(claim)


async def acquire(claims: Claims, name: str, lease_s: float = DEFAULT_LEASE, *,
                  tag: str | None = None) -> Claim | Held:
    """One name (``acquire_many`` of one)."""
    return (await claims.acquire_many([name], lease_s, tag=tag))[name]


TOLD_EVERY = 60.0  # seconds: a holder waited on is named again at most this often
_told: dict[str, float] = {}  # holder -> when a wait on it was last told (Held.seen)
# seconds: a run waiting on a claim gives back what it holds for rows not sent yet, and
# writes the releases its other rows queued meanwhile, at least this often (wait_giving_back)
WAIT_SLICE = 1.0


def tell_wait(held: Held, within_s: float, so_far: float = 0.0) -> None:
    """Say (log warning ``pdbulk.claims``) that a run waits, at most ``within_s`` seconds
    more, for the live holder of a claim — which process and job (``Held.who``): a wait on
    another run's create is never silent (x20r3 F2: a resume sent nothing for 293 s
    and said nothing). ``so_far``: seconds already waited (a long wait is told again, at
    most every ``TOLD_EVERY`` seconds: x21r1 F2, one line, then 15 min of silence). Told
    once per holder per ``TOLD_EVERY`` seconds (a wait begun, a wait going on: each its
    own pace); names no key. The pace is read on the clock of the claims that answered
    (``Held.seen``: a FakeClock's virtual seconds in tests); a ``Held`` that does not say
    when it was seen is told each time."""
    key = held.holder if so_far <= 0 else f"{held.holder} still"  # each its own pace
    if held.seen is not None:
        if held.seen - _told.get(key, -math.inf) < TOLD_EVERY:
            return
        _told[key] = held.seen
    still = f"still waiting ({so_far:.0f} s so far) up to" if so_far > 0 else "waiting up to"
    _log.warning("%s %.0f s for another run that holds the claim on a create "
                 "this run needs (%s; its lease runs %.0f s more): it is creating the same "
                 "record", still, within_s, held.who(), max(0.0, held.left or 0.0))


async def wait_giving_back(claims: Claims, name: str, within_s: float,
                           on_wait: Callable[[], Awaitable[None]],
                           slice_s: float = WAIT_SLICE) -> bool:
    """``claims.wait_released(name, within_s)`` in slices of ``slice_s`` seconds; before
    each, ``on_wait`` (the caller gives back the claims it took for rows not sent yet)
    and ``claims.flush()`` (the releases this run's other rows queued meanwhile are
    written). True once nobody live holds ``name``.

    Why every slice, not once before the wait: while a row waits the run goes on — its
    other rows end and queue their releases (``release_soon``, written with the next
    acquire or flush), its next batch's creates are claimed (``prepare``) — and with
    only waiting rows left nothing wrote them: two runs each waited on a claim the other
    had given up in memory only, or had taken meanwhile for a row not sent (x21r1 F2:
    two imports waited on each other ~290 s, 1-2 rows left each). A run's claims are
    held only while a row works under them (a create, which waits on no other claim:
    persons and organizations are resolved before their deal is claimed, an
    organization before its person), never while it waits, so waits form no cycle."""
    left = max(0.0, within_s)
    while True:
        await on_wait()
        await claims.flush()
        step = min(slice_s, left)
        if await claims.wait_released(name, step):
            return True
        left -= step
        if left <= 0.0:
            return False


async def acquire_waiting(claims: Claims, name: str, lease_s: float, *, tag: str | None,
                          wait_s: float, on_wait: Callable[[], Awaitable[None]],
                          until_stopped: Callable[[Awaitable[bool]], Awaitable[bool]],
                          on_held: Callable[[Held, float], None] = tell_wait,
                          slice_s: float = WAIT_SLICE) -> Claim | Held:
    """``name``'s claim, waiting while another live run holds it; the last ``Held`` when
    it is still held after ``wait_s`` seconds by a holder that renewed its lease
    meanwhile (a live run busy with it: the row fails, retryable). A holder that renewed
    nothing since it was first seen (frozen: SIGSTOP, a stalled VM) is waited for until
    its lease ends (at most ``2 * lease_s`` in all), then taken over, to be reconciled
    (v12r5: a row failed every 120 s behind a frozen run). Before x21r1 F2 every wait
    lasted until the holder's lease as last seen ran out — 301 s for a live run, whose
    renewed lease always looks 300 s away — in up to 8 rounds, where the README said
    120 s.

    The wait gives back and writes what this run holds for rows not sent yet every
    ``slice_s`` seconds (``wait_giving_back``: ``on_wait``, then ``claims.flush``): two
    runs waiting on each other's claims never deadlock. ``on_held(held, seconds)`` runs
    once, when the wait begins (default ``tell_wait``: says who is waited for and how
    long at most; a caller counts the wait there); a long wait is told again every
    ``TOLD_EVERY`` seconds. The wait goes through ``until_stopped`` (a stop of the run
    ends it: ``bulk.calls.CallContext.until_stopped`` raises Stopped)."""
    got: Claim | Held = await acquire(claims, name, lease_s, tag=tag)
    if isinstance(got, Claim):
        return got
    first, bound, waited = got, wait_s, 0.0
    on_held(got, wait_s)
    while True:
        step = max(0.0, min(TOLD_EVERY, bound - waited))
        await until_stopped(wait_giving_back(claims, name, step, on_wait, slice_s))
        waited += step
        got = await acquire(claims, name, lease_s, tag=tag)
        if isinstance(got, Claim):
            return got
        if got.holder != first.holder:  # another run took it meanwhile: its lease is new
            if waited >= bound:
                return got
            first = got
        elif waited >= bound:
            if got.expires > first.expires:  # renewed since first seen: live, busy with it
                return got
            # renewed nothing since first seen (frozen): waited for until its lease ends
            bound = max(bound, min(waited + (got.left or 0.0) + 1.0, 2 * lease_s))
            if waited >= bound:
                return got
        tell_wait(got, bound - waited, waited)


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


    async def confirm_then(self, then: Callable[[], None],
                           run: Callable[[Callable[[], bool]], Awaitable[bool]]) -> bool:
        """``confirm()``, then, when it says the claim is held, ``then()`` (blocking: what
        must be written before the guarded thing is sent, e.g. the import's sent marks), in
        ONE hop off the event loop where the claims can renew blocking (``renew_now``:
        ``bulk.claims_local.LocalClaims``): ``run(fn)`` runs ``fn`` there (the job store's
        lane, ``bulk.store.AsyncJobStore.in_lane``). Else (Redis, both stores) ``confirm()``
        awaited, then ``run(then)``. Before issue 8 the two were two thread hops per create
        (the renewal in anyio's worker thread, the marks in the store's).

        Returns as ``confirm_or_lost``: False (``then`` not run) when the lease is known
        lost, ran out by this process's clock, was not renewed by the store's
        compare-and-set, or the renewal raised (counted lost). ``then``'s own errors
        (OSError, StoreError, DiskFull) are raised: the caller must not send. ``then`` may
        have run when this still returns False (the clock ran out past the lease during
        the hop): a mark written for a send that then does not happen, as any mark is
        only an upper bound."""
        if self.lost:
            return False
        start = self._clock.now()
        if start >= self.until:
            self.lost = True
            return False
        renew_now = getattr(self._claims, "renew_now", None)
        if renew_now is None:
            if not await confirm_or_lost(self):
                return False
            await run(_done(then))
            return True
        name, lease_s = self.claim.name, self.lease_s
        failed: list[bool] = []

        def both() -> bool:
            try:
                held = name in renew_now([name], lease_s)
            except Exception:  # counted lost, as confirm_or_lost counts it
                failed.append(True)
                return False
            if held:
                then()
            return held

        held = await run(both)
        if failed:
            self.lost = True
            return False
        self.renewed(start, held)
        return held and self._clock.now() < self.until


def _done(fn: Callable[[], None]) -> Callable[[], bool]:
    def call() -> bool:
        fn()
        return True
    return call


async def confirm_or_lost(lease: Lease) -> bool:
    """``lease.confirm()``, where an error (Redis gone) counts as not confirmed."""
    try:
        return await lease.confirm()
    except Exception:
        lease.lost = True
        return False


class _Renewal:
    """The leases ``kept`` holds at once on one claims object, clock and lease, and the one
    task renewing them (``_renewing``)."""

    __slots__ = ("claims", "clock", "key", "lease_s", "leases", "task")

    def __init__(self, key: tuple[int, int, int, float], claims: Claims, clock: Clock,
                 lease_s: float) -> None:
        self.key, self.claims, self.clock, self.lease_s = key, claims, clock, lease_s
        self.leases: dict[Lease, None] = {}  # (in the order they came)
        self.task: asyncio.Task[None] | None = None


# per event loop, claims object, clock and lease seconds: the leases kept now (an entry
# lives only while one is kept, so its ids name live objects)
_RENEWALS: dict[tuple[int, int, int, float], _Renewal] = {}


async def _renewing(renewal: _Renewal) -> None:
    """Every third of a lease: the leases kept now renewed together (one ``renew``); a
    renewal that fails is tried again a third of a lease later. Cancelled (``kept``) when
    the last lease is let go."""
    claims, clock, lease_s = renewal.claims, renewal.clock, renewal.lease_s
    while True:
        await clock.sleep(lease_s / 3)
        leases = list(renewal.leases)
        if not leases:
            return
        at = clock.now()
        try:
            held = await claims.renew(list({lease.claim.name: lease.claim
                                            for lease in leases}.values()), lease_s)
        except Exception:  # tried again a third of a lease later
            continue
        for lease in leases:
            lease.renewed(at, lease.claim.name in held)


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
    compare-and-set.

    One renewer for all the leases kept at once on one claims object, clock and lease
    (``_Renewal``): each third of a lease it renews them together, in one call; it ends
    as the last of them is let go. Before issue 8 each ``kept`` ran a task group and a
    renew task of its own, started and cancelled for every create (~0.3 ms of CPU a
    write); a lease is still renewed at most a third of a lease after it was taken."""
    lease = Lease(claims, claim, clock, lease_s)
    key = (id(asyncio.get_running_loop()), id(claims), id(clock), lease_s)
    renewal = _RENEWALS.get(key)
    if renewal is None:
        renewal = _RENEWALS[key] = _Renewal(key, claims, clock, lease_s)
    renewal.leases[lease] = None
    if renewal.task is None or renewal.task.done():
        renewal.task = asyncio.ensure_future(_renewing(renewal))
    try:
        yield lease
    finally:
        renewal.leases.pop(lease, None)
        if not renewal.leases:
            if renewal.task is not None:
                renewal.task.cancel()
                renewal.task = None
            if _RENEWALS.get(key) is renewal:
                del _RENEWALS[key]
    # a cancel point at the body's end, as the task group each ``kept`` ran before had (its
    # exit awaited its renewer): a cancel that landed as the body ended is delivered here,
    # before its caller goes on to record the outcome (test_resume_job: the create answered
    # as the cancel lands must be left in doubt and found again as this job's by the resume)
    await anyio.lowlevel.checkpoint()


def state_dir() -> Path:
    """``$PDBULK_STATE_DIR``, else ``$XDG_STATE_HOME/pdbulk``, else ``~/.local/state/pdbulk``."""
    if os.environ.get(STATE_ENV):
        return Path(os.environ[STATE_ENV])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "pdbulk"


def state_dir_words(filename: object) -> str:
    """`` (the state directory: PDBULK_STATE_DIR ...)`` for a path at or under
    ``state_dir()``, else ``""``: what chose the folder, for a message about a file in it
    (x13r1 F10; x41r1 L5: "cannot read the coordination marker ...: Not a directory"
    named no setting)."""
    if not isinstance(filename, str | os.PathLike):
        return ""
    where = state_dir()
    path = Path(os.fspath(filename))
    if path != where and where not in path.parents:
        return ""
    return (f" (the state directory: {STATE_ENV}" + (" is set" if os.environ.get(STATE_ENV)
                                                      else ", XDG_STATE_HOME or ~/.local/state")
            + "; point it at a folder this user can write)")


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot ('' where /proc is missing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]


def holder_id(pid: int | None = None) -> str:
    """The process part of a holder: ``host:pid:start``."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


# the holders (``run@host:pid:start``) of this process's open claims objects, counted (a
# ``DualClaims`` holds one in both its stores): a holder of this process not among them
# is gone (``holder_alive``)
_live: Counter[str] = Counter()


def new_holder() -> str:
    """A fresh holder for one job's claims in this process: ``run@host:pid:start``. The run
    comes first so that a pdbulk of before x20r3 reads it as a live holder of another host
    (its lease decides), never as a dead one of this host (a start time it does not
    know): runs of both versions on one machine still exclude each other."""
    return f"{secrets.token_hex(6)}@{holder_id()}"


def hold_open(holder: str) -> None:
    """``holder`` is in use by an open claims object of this process (until ``let_go``)."""
    _live[holder] += 1


def let_go(holder: str) -> None:
    """The claims object that used ``holder`` is closed: its claims are a dead holder's."""
    _live[holder] -= 1
    if _live[holder] <= 0:
        del _live[holder]


def _parts(holder: str) -> tuple[str, str, str, str]:
    """``host, pid, start, run`` ('' for what an older holder, ``host:pid:start``, lacks)."""
    where, _, rest = holder.partition(":")
    run, at, host = where.rpartition("@")
    pid, _, start = rest.partition(":")
    return (host if at else where), pid, start, run


def holder_alive(holder: str) -> bool:
    """Whether ``holder`` is still live: its process runs (on this host; another host:
    assumed) and, a holder of this very process with a run part, its claims are open."""
    host, pid_text, start, run = _parts(holder)
    if host != socket.gethostname():
        return True
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    if start and _start_time(pid) != start:
        return False
    if run and pid == os.getpid():
        return holder in _live
    return True


__all__ = ["DEFAULT_LEASE", "IN_DOUBT", "RESCAN_EVERY", "SETTLED_AFTER_BIRTH", "STATE_ENV",
           "Claim", "Claims", "DeadHold", "Held", "Lease", "acquire_waiting", "as_taken", "in_doubt_outcome",
           "acquire", "confirm_or_lost", "give_back_cancelled", "hold_open", "holder_alive",
           "holder_id", "kept", "let_go", "new_holder", "state_dir", "tell_wait", "wait_giving_back"]
