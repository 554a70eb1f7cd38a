"""Two dedupe runs of one account on two hosts (one Redis coordinator) never both send one
group's merges (x35r2, two hosts: both reported 6 merges as their own, 2,760 merge tokens for 55
merges against ~2,200 with one host).

With a shared coordinator (``--coordinator`` / ``PDBULK_COORDINATOR``) each merge claims
its pair's deals (``bulk.claims``: a name per deal, ``dedupe-deal:<id>``, kept on Redis as
an HMAC digest under the account's company, never the token) before anything of it is
sent (its field-policy PATCH, its merge). A pair a live run of another process holds is
skipped, naming that run (``Held.who``: its host, process and job); the merged-away
deal's claim is given back once its merge has ended (done, skipped or failed; a merge in
doubt keeps it until the run ends), with the job and what became of it,
so a later run finding that deal gone says which job merged it (``maker``; a resume's
re-read asks before it claims anything, ``learn``); the
survivors' claims are given back when the run ends (``GroupClaims.close``). Without a
coordinator nothing is claimed: two hosts must not run the nightly dedupe of one account at
once (README, "dedupe").

A claim lives as long as its run: taken with a short lease (``LEASE``, 30 s) that a task of
the run renews every third of it while the run holds claims (each renewal bounded to that
third: a Redis that does not answer is asked again at the next tick, and a claim another
run took over meanwhile is renewed no more). A run killed (``kill -9``, a reboot) stops
renewing, so another host's run takes its pairs within a lease — before, they were
blocked for the claims' default 300-s lease (f36e 4); on the same host a dead holder's
claims are taken over at once, as always.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import anyio

from bulk.claims import Claim, Claims, Held
from bulk.claims_open import close_with_engine, opened_claims
from bulk.clock import Clock, SystemClock
from bulk.coordinator_urls import coordinator_url
from bulk.errors import BulkError
from bulk.store import Item

PREFIX = "dedupe-deal:"
LEASE = 30.0  # seconds a claim outlives its run's last renewal (renewed every third of it)


class GroupClaims:
    """The claims a dedupe job's merges take on their deals (module docstring); one per
    job run, opened at the first ``take`` and closed with the engine."""

    def __init__(self, job_id: str | None, clock: Clock | None = None, *,
                 lease_s: float = LEASE) -> None:
        self._job = job_id
        self._clock = clock
        self.lease_s = lease_s
        self._renewer: asyncio.Task[None] | None = None
        self._claims: Claims | None = None
        self._opening = anyio.Lock()
        self._survivors: dict[int, Claim] = {}
        self._away: dict[int, Claim] = {}  # merged-away deal → its claim, until its merge ends
        self._makers: dict[int, str] = {}  # merged-away deal → the job that released it merged
        self._into: dict[int, int] = {}  # merged-away deal → the deal that job merged it into

    @staticmethod
    def wanted() -> bool:
        """Whether merges are claimed: a shared coordinator is in force."""
        return coordinator_url() is not None

    async def _opened(self) -> Claims:
        if self._claims is None:
            self._claims = await opened_claims(clock=self._clock)
            close_with_engine(self.close)
        return self._claims

    async def take(self, item: Item) -> Held | None:
        """Claim both deals of merge ``item`` (``payload["merge_id"]``, ``["survivor_id"]``)
        for this run; the ``Held`` another live run holds one by (then nothing is kept), or
        None (taken, or no coordinator). Raises ``CoordinatorLost`` when Redis does not
        answer."""
        if not self.wanted():
            return None
        async with self._opening:  # one holder a run: its merges may start together
            claims = await self._opened()
        merge_id, survivor = int(item.payload["merge_id"]), int(item.payload["survivor_id"])
        got: dict[str, Claim | Held] = {}
        # one deal at a time, the lower id first: two runs wanting one pair never hold one
        # deal of it each (both would skip it)
        for deal_id in sorted((merge_id, survivor)):
            name = f"{PREFIX}{deal_id}"
            got[name] = (await claims.acquire_many([name], self.lease_s, tag=self._job))[name]
            if isinstance(held := got[name], Held):
                for g in got.values():
                    if isinstance(g, Claim) and not g.already_ours:
                        claims.release_soon(g)
                return held
        away, kept = got[f"{PREFIX}{merge_id}"], got[f"{PREFIX}{survivor}"]
        assert isinstance(away, Claim) and isinstance(kept, Claim)
        previous = away.last_settled() or {}
        self._learned(merge_id, previous)
        self._survivors.setdefault(survivor, kept)
        self._away[merge_id] = away
        if self._renewer is None or self._renewer.done():
            self._renewer = asyncio.get_running_loop().create_task(self._renew(claims))
        return None

    def _held(self) -> list[Claim]:
        return [*self._survivors.values(), *self._away.values()]

    async def _renew(self, claims: Claims) -> None:
        """Push the lease of every claim this run holds, every third of ``lease_s``, while
        it holds any (module docstring); a claim the store says is no longer ours (taken
        over after a freeze) is dropped: renewed no more."""
        clock = self._clock or SystemClock()
        every = self.lease_s / 3
        while self._claims is claims and (held := self._held()):
            await clock.sleep(every)
            if self._claims is not claims:
                return
            with anyio.move_on_after(every):
                try:
                    ours = await claims.renew(held, self.lease_s)
                except Exception:  # Redis not answering: asked again at the next tick
                    continue
                for kept in (self._survivors, self._away):
                    for deal_id, claim in list(kept.items()):
                        if claim in held and claim.name not in ours:
                            del kept[deal_id]

    def ended(self, item: Item, merged: bool) -> None:
        """Merge ``item`` has ended (``merged``: done, by this job): its merged-away deal's
        claim is given back, with this job and whether it merged it."""
        away = self._away.pop(int(item.payload["merge_id"]), None)
        if away is not None and self._claims is not None:
            outcome: Mapping[str, Any] = {"job": self._job, "merged": merged,
                                          "into": int(item.payload["survivor_id"])}
            self._claims.release_soon(away, outcome)

    async def learn(self, merge_ids: Sequence[int]) -> None:
        """Read, without taking anything, which other run's job last gave back each of
        ``merge_ids``' claims having merged that deal away, for ``maker``: a resume's
        re-read finds such deals gone before any merge of it claims them (x36r2 F4: "no
        longer exists" for 50 merges host 2 made). Nothing without a coordinator; a
        coordinator that does not answer leaves them unnamed (the run's first claim will
        say it is lost)."""
        if not self.wanted() or not merge_ids:
            return
        try:
            async with self._opening:
                claims = await self._opened()
            found = await claims.outcomes([f"{PREFIX}{m}" for m in merge_ids])
        except BulkError:
            return
        for m in merge_ids:
            self._learned(m, found.get(f"{PREFIX}{m}") or {})

    def _learned(self, merge_id: int, outcome: Mapping[str, Any]) -> None:
        """Note which other run's job merged ``merge_id`` away, and into which deal, from
        the outcome its claim was given back with (``ended``; ``into`` since f41d 5)."""
        if outcome.get("merged") and isinstance(job := outcome.get("job"), str) \
                and job != self._job:
            self._makers[merge_id] = job
            if isinstance(into := outcome.get("into"), int):
                self._into[merge_id] = into

    def makers(self) -> dict[int, str]:
        """Merged-away deal -> the job (another run's) the claims say merged it away."""
        return dict(self._makers)

    def into(self) -> dict[int, int]:
        """Merged-away deal -> the deal another run's job merged it into (its survivor),
        where its claim's outcome says (f41d 5: a pair's deal merged into a THIRD deal)."""
        return dict(self._into)

    def maker(self, merge_id: int) -> str | None:
        """The job (another run's) that the claims say merged ``merge_id`` away, or None."""
        return self._makers.get(merge_id)

    async def close(self) -> None:
        """Give back the survivors' claims and close (idempotent)."""
        claims, self._claims = self._claims, None
        renewer, self._renewer = self._renewer, None
        if renewer is not None:
            renewer.cancel()
            await asyncio.wait([renewer])  # ended; a cancel of this caller still propagates
        if claims is None:
            return
        try:
            for claim in self._survivors.values():
                claims.release_soon(claim)
            self._survivors.clear()
            await claims.flush()
        finally:
            await claims.aclose()


async def merged_by_others(deal_ids: Sequence[int]) -> tuple[dict[int, str], dict[int, int]]:
    """(deal id -> the job whose run gave its claim back having merged it away, deal id ->
    the deal it merged it into where the outcome says) for those of ``deal_ids`` the shared
    coordinator's claims say so of (``GroupClaims.learn``: read only, nothing taken); ({},
    {}) without a coordinator or when it does not answer."""
    if not deal_ids or not GroupClaims.wanted():
        return {}, {}
    claims = GroupClaims(None)
    try:
        await claims.learn(deal_ids)
    finally:
        await claims.close()
    return claims.makers(), claims.into()


LEFT_TO = "its group is being merged by another run"  # what ``held_reason`` says first


def held_reason(held: Held) -> str:
    """The skip reason of a pair another run holds."""
    return f"{LEFT_TO} ({held.who()}): left to it; nothing sent"


def left_to_another_run(item: Item) -> str | None:
    """Who holds ``item``'s group when it was skipped as left to another live run (its
    ``held_reason``, or that of its group's first merge), else None: not refused — that
    run merges the group (x48r14, f48j: counted "not followed", exit 3)."""
    reason = str((item.result or {}).get("reason") or "")
    at = reason.find(LEFT_TO + " (")
    if at < 0:
        return None
    who = reason[at + len(LEFT_TO) + 2:]
    return who[:who.find("): left to it")] if "): left to it" in who else who


__all__ = ["LEASE", "LEFT_TO", "GroupClaims", "held_reason", "left_to_another_run",
           "merged_by_others"]
