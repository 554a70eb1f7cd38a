"""Which claims a run's creates go through: ``open_claims`` (this machine's
``LocalClaims``, and with a shared coordinator ``DualClaims``, the same names on Redis
too). Above ``bulk.claims`` (the protocol) and its implementations, so none of them
imports another back."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

import anyio

from .claims import DEFAULT_LEASE, Claim, Claims, DeadHold, Held, give_back_cancelled, new_holder
from .claims_local import LocalClaims
from .clock import Clock, SystemClock, in_thread
from .swallowed import went_on


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
    Release, renew (held = held in both) and waits go to both; ``clock``: the run's, the
    one both stores wait on (a wait's bound is counted on it; default ``SystemClock``)."""

    __slots__ = ("clock", "holder", "local", "shared")

    def __init__(self, local: Claims, shared: Claims, *, clock: Clock | None = None) -> None:
        self.local, self.shared = local, shared
        self.holder = shared.holder
        self.clock: Clock = clock or SystemClock()

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
            # given back, but never a name this holder already held here for another caller
            # (a create in flight under it: freed, its in-doubt outcome had no holder left)
            give_back_cancelled(self.local, out)
            raise
        for n in mine:
            here, there = out[n], shared[n]
            assert isinstance(here, Claim)
            if isinstance(there, Held):
                if not here.already_ours:
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
            # this machine's record of a dead holder (``here.prev_tag``) proves its job held
            # the name only while the shared state lived: one born after the local claim
            # was taken (Redis restarted empty, FLUSHALL) excluded nobody on other machines
            # meanwhile, so the tag says nothing of who created the thing (v12r7: a person
            # made by another host was counted made by the resumed job too)
            lost = there.born is not None and (here.since is None or there.born > here.since)
            tag = there.prev_tag or (None if lost else here.prev_tag)
            out[n] = Claim(n, self.holder, min(here.expires, there.expires),
                           here.previous if here.previous is not None else there.previous,
                           reconcile, since, there.born, tag,
                           already_ours=here.already_ours or there.already_ours)
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
        """Wait (at most ``within_s`` seconds of ``clock``, both stores together) until
        nobody live holds ``name`` in either; True if so."""
        deadline = self.clock.now() + max(0.0, within_s)
        return (await self.local.wait_released(name, within_s)
                and await self.shared.wait_released(name, max(0.0, deadline - self.clock.now())))

    async def outcomes(self, names: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        """The local outcome, else the shared one (as ``acquire_many`` merges them)."""
        return {**await self.shared.outcomes(names), **await self.local.outcomes(names)}

    async def dead_held(self, names: Sequence[str]) -> dict[str, DeadHold]:
        """The names a dead holder holds in either store (``acquire_many`` takes them over
        with ``reconcile``): the earlier hold of the two (the shared one's tag when both
        name one, as ``acquire_many`` merges them)."""
        local, shared = await self.local.dead_held(names), await self.shared.dead_held(names)
        out = {**local, **shared}
        for n in set(local) & set(shared):
            out[n] = DeadHold(min(local[n].since, shared[n].since),
                              shared[n].tag or local[n].tag)
        return out

    async def born(self) -> float | None:
        """When the shared claims' state began (``RedisClaims.born``)."""
        born = getattr(self.shared, "born", None)
        return await born() if born is not None else None

    async def aclose(self) -> None:
        try:
            await self.local.flush()
        finally:
            try:
                await self.local.aclose()
            finally:
                await self.shared.aclose()


_CLOSERS: ContextVar[list[Callable[[], Awaitable[None]]] | None] = ContextVar(
    "pdbulk_claims_closers", default=None)


def close_with_engine(closer: Callable[[], Awaitable[None]]) -> None:
    """Have ``closer`` (a job kind's: gives back and closes the claims it opened; must be
    safe to call twice) awaited when the running engine closes (``closed_with_engine``);
    outside an engine, nothing: the opener closes them."""
    closers = _CLOSERS.get()
    if closers is not None:
        closers.append(closer)


@contextlib.asynccontextmanager
async def closed_with_engine() -> AsyncIterator[None]:
    """The scope of an engine (``bulk.engine.Engine.open``): every ``close_with_engine``
    closer registered inside it is awaited at its exit, shielded, on every exit path (a
    closer's error is dropped: the body's is the one that leaves)."""
    closers: list[Callable[[], Awaitable[None]]] = []
    token = _CLOSERS.set(closers)
    try:
        yield
    finally:
        with anyio.CancelScope(shield=True):
            for closer in closers:  # a kind's: any error, said (``bulk.swallowed``)
                with went_on("closing a run's claims as the engine closed", (Exception,),
                             consequence="those claims are free once their lease runs out"):
                    await closer()
        with contextlib.suppress(ValueError):  # exited in another context: left as it is
            _CLOSERS.reset(token)


def open_claims(company: str | None = None, *, clock: Clock | None = None) -> Claims:
    """The claims a run's creates go through: ``LocalClaims`` (this machine) — and, when a
    shared coordinator is in force (``--coordinator`` / env ``PDBULK_COORDINATOR``), the
    same claims on Redis too (``DualClaims``), so runs on other machines see them and runs
    on this machine without the coordinator see them as well. The caller closes them
    (``aclose``).

    On Redis every key is under the company (``company``, else the one the running
    ``bulk.engine.Engine.open`` bound: ``bulk.coordinator.bound_company``); raises
    RuntimeError when neither is known (a bug: claims opened outside a run). ``clock``: the
    run's (leases, waits and claim times; default ``SystemClock``)."""
    from .coordinator import bound_company, coordinator_url

    url = coordinator_url()
    if url is None:
        return LocalClaims(clock=clock)
    from .claims_redis import RedisClaims

    company = company or bound_company()
    if company is None:
        raise RuntimeError("claims on the shared coordinator need the company: open them "
                           "inside a run (bulk.engine.Engine.open binds it)")
    holder = new_holder()  # one job's run: the same holder in both stores
    local = LocalClaims(holder=holder, clock=clock)
    try:
        return DualClaims(local, RedisClaims(url, company, holder=holder, clock=clock),
                          clock=clock)
    except BaseException:
        local.close()
        raise


async def opened_claims(company: str | None = None, *, clock: Clock | None = None) -> Claims:
    """``open_claims`` in a worker thread: opening the local claims file (connect, WAL,
    schema check, the retention delete: 11 SQLite statements) stays off the event loop.
    Raises what ``open_claims`` raises."""
    return await in_thread(lambda: open_claims(company, clock=clock))


__all__ = ["DualClaims", "LocalClaims", "close_with_engine", "closed_with_engine", "open_claims",
           "opened_claims"]
