"""Creating a deal under a claim on its source key, exactly once across runs, and
attributing a deal found by key to the job that created it (``jobs.importing``).

Why ~1000 lines: one guarantee, a create sent at most once per key however runs die
and overlap, and every branch of it (claimed, held by a live run, in doubt, found
created meanwhile, found changed since) decides on the same claim and deal picture;
split, each half would need the other's state."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from bulk.calls import CallContext
from bulk.claims import (
    RESCAN_EVERY,
    SETTLED_AFTER_BIRTH,
    Claim,
    Held,
    Lease,
    acquire,
    acquire_waiting,
    confirm_or_lost,
    in_doubt_outcome,
    kept,
    wait_giving_back,
)
from bulk.clock import in_thread
from bulk.errors import (
    BulkError,
    DiskFull,
    InDoubt,
    InputError,
    NotFound,
    NotSent,
    StoreError,
    disk_full,
)
from bulk.operations import get_operation
from bulk.store import BeforeImage, Item, ItemState, Outcome
from bulk.swallowed import went_on

from .. import clock_skew as skew
from .. import last_written
from ..account import deal_key, keyed_added_since, parse_time
from ..deal_currency import defaulted_currency, without_defaults
from ..deals import (
    applied,
    before_image,
    deal_changes,
    editable_digest,
    gone_when_sent,
    in_flight,
    is_gone,
    label,
    same,
    shown,
    stored_types,
    with_status_times,
)
from ..import_items import DELETED_LINK_NOTE, RECREATED
from ..import_resolve import Deferred
from ..import_rows import edited_note, matched_by
from ..merged_deals import Merge
from ..update_edits import field_word
from .base import (
    LINKS,
    LOST_CLAIM_TRIES,
    SENT_DEAL,
    UNPROVEN,
    _ImportBase,
    _update_time,
    link_id,
    newer_import,
)
from .sent import COMPACT_EVERY, SENT_FILE, append_sent, compact_sent, sent_keys
from .vanished import vanished


async def merge_moved(ctx: CallContext, deal: Mapping[str, Any], made: Mapping[str, Any],
                      recorded: str) -> tuple[bool, int]:
    """Whether ``deal`` (read now) differs from what its create left (``made``: the key's
    claim outcome, its ``recorded`` digest and ``LINKS``) only by a ``person_id`` /
    ``org_id`` moved off a record no longer in the account — a colleague's merge moves
    the merged-away record's deals to its survivor ("Merge (v1)", pipedrive/FACTS.md):
    no edit of the deal, as the upsert judges its own writes (``RowPlanner._written_gone``)
    and undo the job's (``jobs.undo.moved``). Each moved-off record is read by id
    (``getPerson`` / ``getOrganization``, 1 token; a 404 / 410 or marked deleted: gone),
    only when the links put back give ``recorded``. False: no links recorded (an older
    claim), another field changed too, or the record is still there (a relink by hand).
    Returns (moved?, the tokens of those reads: 0 when none was made), the tokens said in
    the run's last lines (``claims.merge_moved_tokens``; f40a: spent, never named)."""
    links = made.get(LINKS)
    if not isinstance(links, Mapping):
        return False, 0
    moved = {f: rid for f in ("person_id", "org_id")
             if isinstance(rid := links.get(f), int) and link_id(deal.get(f)) != rid}
    if not moved or editable_digest({**deal, **moved}) != recorded:
        return False, 0
    tokens = sum(get_operation(_READ_BY_ID[f]).token_cost for f in moved)
    gone = await vanished(ctx, {_LINK_NAME[f]: {rid} for f, rid in moved.items()})
    return all(rid in gone.get(_LINK_NAME[f], set()) for f, rid in moved.items()), tokens


class _Ambiguous(Exception):
    """Two or more deals carry the key a create looked up: the row fails, naming them."""

    def __init__(self, key: str, ids: Sequence[int]) -> None:
        super().__init__(f"key {key} matches deals {', '.join(map(str, ids))} (found while "
                         "checking whether it was created meanwhile); neither is updated nor "
                         "another created: keep one of them, then pdbulk retry")



SURVIVOR_WRITER = "survivor-writer"  # lookups: merged survivor id -> the item writing it


def _gone_keyed_note(deal_id: int, job: object) -> str:
    """The note of a row whose key is created again: deal ``deal_id``, which the key's claim
    names (made by ``job``, when the claim says), no longer exists with the key."""
    by = f" (job {job})" if isinstance(job, str) and job else ""
    return (f"the key's earlier deal {deal_id}{by} is gone (deleted — by hand, by an undo, "
            "by another tool —, or merged in Pipedrive's own screens, which leaves no record "
            "here; or its key was changed): created again")


_LINK_NAME = {"person_id": "person", "org_id": "org"}  # (``vanished.vanished``'s names)
_READ_BY_ID = {"person_id": "getPerson", "org_id": "getOrganization"}  # (``vanished``'s reads)


def _dead_notes(deal: Mapping[str, Any], body: Mapping[str, Any],
                dead: Iterable[str]) -> list[str]:
    """The notes of the ``dead`` links of ``deal`` a row writes over (``body``: what it
    sends), as the load says them (``import_items.DELETED_LINK_NOTE``)."""
    out = []
    for field in sorted(dead):
        sent = body.get(field)
        out.append(DELETED_LINK_NOTE.format(shown(field, deal.get(field), None),
                                        shown(field, sent, None) if sent is not None
                                        else "none"))
    return out


class _MergedAway(Exception):
    """The deal a key's claim names was merged away (``jobs.merged_deals``) into a live
    survivor ``survivor`` (as just read). ``own``: the survivor's own row (its key) is in
    this job too, and that row writes it; else this row stands for the survivor now."""

    def __init__(self, merged: int, survivor: Mapping[str, Any], job: str, *,
                 own: str | None) -> None:
        super().__init__(merged, survivor, job)
        self.merged, self.survivor, self.job, self.own = merged, survivor, job, own


class _Creates(_ImportBase):
    """``ImportJob``'s creates: each under a claim on its key (``bulk.claims``), looking
    first for a deal the claim's previous holder may have created, and saying whose
    create a deal found by key is (``_creator``, ``_not_ours``, ``_settle_claim``)."""

    # -- creating under a claim -------------------------------------------------------------
    async def _claim(self, ctx: CallContext, key: str) -> tuple[Claim, float] | str | None:
        """The claim on ``key``'s create (and when it was had); None: another live run holds
        it and the row is held back (once a run: it goes back to pending, nothing sent,
        and comes round in the next pass: ``_Resume._claim_held_back``); a string says why
        it could not be had. A claim ``prepare`` took is used while more than half its
        lease is left. A row held back once waits (bounded) for the holder, what is left
        of the wait its batch began.

        Why hold back rather than wait: a row waiting on another run's create held its
        worker until that run released the key, then read the deal the claim names alone
        (``getDeal``) — one read a row, as the holder releases its keys one by one (x31r3
        F4: two imports of one file, the second read 60 deals one by one). Held back, the
        run goes on with its other rows, and the held rows' deals are read together
        (``_Resume._read_claimed``: 100 a list call) when they come round."""
        pooled = self._pool.pop(key, None)
        if pooled is not None and pooled[0].expires - self.clock.wall() > self.lease / 2:
            return pooled
        name = self.claim_name(key)
        if key not in self._held_back:
            first = await acquire(self.claims, name, self.lease, tag=self.store.job_id)
            if isinstance(first, Claim):
                if not self._named_since(key, first):
                    return first, self.clock.wall()
                # another run released it with its deal meanwhile (this row's batch claim
                # was given back while the row waited for its person): given back plainly,
                # its outcome kept, and read with the held rows' deals (x31r3 F4)
                self.claims.release_soon(first)
                self._held_back[key] = None
                return None
            self._held_back[key] = None
            self._held_up(first, self.claim_wait)  # told and counted once a row
            return None
        until = self._held_back[key]
        wait_s = self.claim_wait if until is None else max(0.0, until - self.clock.now())
        got = await acquire_waiting(self.claims, name, self.lease,
                                    tag=self.store.job_id, wait_s=wait_s,
                                    on_wait=self._give_back, on_held=lambda _h, _s: None,
                                    until_stopped=ctx.until_stopped)
        if isinstance(got, Claim):
            return got, self.clock.wall()
        return (f"key {key!r} is being created by another run ({got.who()}) that did not "
                f"finish within {self.claim_wait:.0f} s; not created here (pdbulk retry sends "
                "it again)")

    def _named_since(self, key: str, claim: Claim) -> bool:
        """Whether ``claim`` names a deal its key's claim did not name as this run began
        (another run's create, released while this one ran): its row is held back, and
        the deal read with its batch's (``_Resume._read_claimed``), not alone."""
        named = (claim.previous or {}).get("deal_id")
        return (isinstance(named, int) and self._named_before is not None
                and key not in self._named_before and not claim.reconcile
                and not any(named in read for read in self._batch_read))

    async def _read_keyed(self, ctx: CallContext, deal_id: int, key: str) -> dict[str, Any] | None:
        """Deal ``deal_id`` if it still exists and still carries ``key``: as its batch's
        re-check listed it (``_Resume._read_claimed``), else read alone (1 token)."""
        listed = self._batch_read[1].pop(deal_id, None) or self._batch_read[0].pop(deal_id, None)
        if listed is not None:
            deal: dict[str, Any] | None = dict(listed)
        else:
            try:
                res = await ctx.call("getDeal", path={"id": deal_id})
            except NotFound:
                return None
            deal = dict(res.data) if isinstance(res.data, Mapping) else None
        if deal is None or is_gone(deal):
            return None
        return deal if deal_key(deal, self.key_code) == key else None

    def _merged(self, deal_id: int) -> Merge | None:
        """The merge made here that took deal ``deal_id`` away, when its job saw it done
        (``jobs.merged_deals``, read once a process): merges are final, it never returns.
        A merge only recorded before it was sent (it failed, or its run was killed and
        never resumed) is not believed, whatever the deal is now: a deal gone since may
        have been deleted by someone, and believing the merge wrote the row onto another
        deal (x15r3 F1; x16r3 1: a failed merge, its deal deleted by hand, and the next
        import wrote K1's row over K2's deal). At worst the key's deal is made again."""
        if self._merges is None:  # read off the loop first (``_read_merges``) where it can
            self._merges = self._merges_now()
        hit = self._merges.get(deal_id)
        return hit if hit is not None and hit.applied else None

    def _merges_now(self) -> dict[int, Merge]:
        from jobs.merged_deals import survivors

        return survivors(str((self.store.config.get("engine") or {}).get("base_url") or ""))

    async def _read_merges(self) -> None:
        """Read the merge record once (``_merged``), in a thread: the shared coordinator's
        Redis round trips (and the local file) never block the loop, the other rows go on
        meanwhile. Raises CoordinatorLost, OSError."""
        async with self._merges_lock:
            if self._merges is None:
                self._merges = await in_thread(self._merges_now)

    async def _merged_read(self, deal_id: int) -> Merge | None:
        """``_merged``, the record read off the loop when not yet read."""
        await self._read_merges()
        return self._merged(deal_id)

    async def _merged_into(self, ctx: CallContext, deal_id: int, key: str) -> None:
        """Raise _MergedAway when deal ``deal_id``, which ``key``'s claim names, was merged
        by a merge made here into a survivor still live (1 token, ``getDeal``; none for the
        merged-away deal: merges are final). x12r1 F1: the next import of the same file
        created it again and the next dedupe merged it again; x12r5 F1: with the source's
        other record of that deal gone, the row's changes were then never written."""
        hit = await self._merged_read(deal_id)
        if hit is None:
            return
        listed = self._listed(hit[0])
        own = deal_key(listed, self.key_code) if listed is not None else None
        if listed is not None and own is not None and own != key and await self._in_job(own):
            # live at the load and its own row in this job, which writes it: no read
            # (x12r5 F3: two reads a merged key on every import, growing night by night)
            raise _MergedAway(deal_id, listed, hit[1], own=own)
        try:
            res = await ctx.call("getDeal", path={"id": hit[0]})
        except NotFound:
            res = None
        deal = dict(res.data) if res is not None and isinstance(res.data, Mapping) else None
        if deal is None or is_gone(deal):
            # created again: said on the row (x12r7 F2: the merge was undone with no word)
            self._gone_survivor[key] = (f"deal {deal_id}, created for this key, was merged "
                                        f"away (job {hit[1]}) into deal {hit[0]}, which is "
                                        "deleted now: created again")
            return
        own = deal_key(deal, self.key_code)
        if own is None or own == key or not await self._in_job(own):
            own = None
        raise _MergedAway(deal_id, deal, hit[1], own=own)

    def _listed(self, deal_id: int) -> dict[str, Any] | None:
        """Deal ``deal_id`` as this process's load listed it by key (live then), if it did."""
        planner = self._planner
        deals = planner.indexes.deals if planner is not None else None
        if deals is None:
            return None
        if self._listed_ids is None:
            self._listed_ids = {int(d["id"]): d for d in deals.values()}
        return self._listed_ids.get(deal_id)

    async def _in_job(self, key: str) -> bool:
        """Whether a row of this job has source key ``key``: the load's own key set when
        this process loaded the job, else the job's keys read from its store once."""
        if self._loaded is not None:
            return self._loaded.has_key(key)
        if self._keys is None:
            self._keys = await in_thread(self.store.source_keys)
        return key in self._keys

    def _untrusted_since(self, claim: Claim, had: float) -> tuple[float, float] | None:
        """Why a claim's silence (no previous outcome) cannot be trusted: (since when to
        look for a deal with its key, the time a scan must have begun after to answer it);
        None when it can be trusted.

        - ``reconcile``: its previous holder died holding it (since it claimed).
        - ``born`` after this job was created: the claims' shared state was lost and
          began again (Redis restarted empty; bulk.claims_redis "Lost state") after
          this job loaded its rows; any outcome recorded before is gone, so the deals
          added since the job was created are looked at. A scan begun
          ``SETTLED_AFTER_BIRTH`` after the new birth answers every such claim (the
          creates sent under the lost claims are answered by then; later ones are
          claimed in the new state, with their outcomes)."""
        born = claim.born
        if claim.reconcile:
            since = skew.server_since(claim.since or 0.0, self._lead)
            if born is not None and claim.since is not None and claim.since < born:
                # untrusted only because the claims' state is young (its previous holder
                # did not die: it was lost): a scan begun once the creates sent before
                # the loss are answered sees them all
                return since, min(self._fresh(had), born + SETTLED_AFTER_BIRTH)
            return since, had
        created = self.store.created_at
        if born is not None and created and created < born:
            return (skew.server_since(created, self._lead),
                    min(self._fresh(had), born + SETTLED_AFTER_BIRTH))
        return None

    def _fresh(self, had: float) -> float:
        """The time a look-up for a claim had at ``had`` must have begun after, when its
        silence is untrusted only because the claims' state is young: the start of the
        batch its create is sent in (``prepare``), if earlier. What such a look-up guards
        against is a create another run sent under a claim lost with the old state and
        answered later; a scan per batch keeps it close to the sends, as one per claim
        did, for one list call a batch instead of one a second (x18r3 F1: ~60 of each
        list in the minute after a FLUSHALL, +65 % tokens)."""
        return min(had, self._batch_at) if self._batch_at is not None else had

    async def _find_created(self, ctx: CallContext, claim: Claim, had: float, key: str,
                            *, lost_since: float | None = None) -> dict[str, Any] | None:
        """What the previous holder of ``claim`` (had at Unix time ``had``) did with
        ``key``: its recorded deal, or — when its silence cannot be trusted (it died
        holding the claim, the claims' state was lost, or this run lost the claim at
        ``lost_since`` and claimed again) — the deal with the key added since.

        A dead run leaves a batch of claims behind; one scan of the deals added since
        the earliest of them answers every claim that was had before the scan began
        (its holder was dead by then, so it added nothing after)."""
        previous = claim.previous or {}
        untrusted = self._untrusted_since(claim, had)
        if lost_since is not None:
            since = skew.server_since(lost_since, self._lead)
            born = claim.born
            # lost with the claims' state (born since): what another run sent under the
            # lost claims is looked for as in a young state, a scan a batch (x18r3 F1: a
            # restart made every later create claim again and rescan, one a second);
            # lost otherwise (a freeze past the lease): looked for from now
            after = (min(self._fresh(had), born + SETTLED_AFTER_BIRTH)
                     if born is not None and born >= lost_since else had)
            untrusted = ((min(since, untrusted[0]), max(after, untrusted[1])) if untrusted
                         else (since, after))
        if isinstance(previous.get("deal_id"), int):
            named = int(previous["deal_id"])
            if await self._merged_read(named) is not None:  # merged away: never back
                await self._merged_into(ctx, named, key)
                found = None
            elif named in (await self._read_deleted())["deal"]:
                # an undo here deleted it: gone for good, not read (x42r7 F3)
                found = None
                self._gone_keyed[key] = _gone_keyed_note(named, previous.get("job"))
            else:
                found = await self._read_keyed(ctx, named, key)
                if found is None:  # said on the row if it is created again
                    self._gone_keyed[key] = _gone_keyed_note(named, previous.get("job"))
            if found is not None or untrusted is None:
                return found
        if untrusted is None:
            return None
        since, after = untrusted
        looked = self._looked_up.get(key)
        if looked is not None and looked[0] <= since and looked[1] >= after:
            # this run's reconcile already looked further back, late enough, and found none.
            # A look begun before ``after`` proves nothing: a create sent since (another
            # run's in doubt, its claim released) was not there yet (v12r4 F1/trial_redel:
            # one key, two deals, each recorded `created` by another job)
            return None
        async with self._scan_lock:  # the rows of a batch wait for one scan, not one each
            scan = self._scan
            if scan is None or scan[0] > since or scan[1] < after:
                dead = [c.since for c, _ in self._pool.values() if c.reconcile and c.since]
                start = min([since, *(skew.server_since(d, self._lead) for d in dead)])
                again = scan is not None and scan[0] <= start
                if scan is not None and again:
                    # only begun too early: the claims had meanwhile share the next scan
                    await self.clock.sleep(max(0.0, scan[1] + RESCAN_EVERY - self.clock.wall()))
                    start = scan[0]
                started = self.clock.wall()
                # archived deals too: one a dead run created and someone archived since
                # still carries the key (it is found, never created twice). Read once per
                # ``since``: a scan only begun too early is repeated on the default list,
                # its archived hits kept (a create answered since the last scan and
                # archived before this one is the case left open; README "Redis restarted
                # empty"; x18r3 F1: 20 tokens a rescan)
                # deleted ones too (same lists, ``status`` with deleted): a dead run's
                # create that a merge made here took away since is that merge's survivor's
                # now, never created again (x29r2 F1: a killed import not resumed, 27 of 78
                # merged-away keys created again by the next import of the file)
                keyed = await keyed_added_since(ctx, start, self.key_code,
                                                archived=not again, deleted=True)
                for k, deals in keyed.items():
                    for d in deals:
                        if is_gone(d):
                            self._scan_gone.setdefault(k, set()).add(int(d["id"]))
                ids = {k: [int(d["id"]) for d in deals if not is_gone(d)]
                       for k, deals in keyed.items()}
                ids = {k: v for k, v in ids.items() if v}
                if scan is not None and again:
                    for k, old in scan[2].items():
                        ids[k] = sorted({*old, *ids.get(k, ())})
                scan = self._scan = (start, started, ids)
        hits = scan[2].get(key)
        if not hits:
            for gone in sorted(self._scan_gone.get(key, ())):
                await self._merged_into(ctx, gone, key)  # raises _MergedAway if merged here
            return None
        if len(set(hits)) > 1:  # never resolved by picking one (issue 9 section 1)
            raise _Ambiguous(key, sorted(set(hits)))
        return await self._read_keyed(ctx, min(hits), key)

    async def kept_at_send(self, item: Item, payload: Mapping[str, Any]) -> frozenset[str]:
        """The references (``person`` / ``org``) a create row would have made that the
        survivor of its key's deal will keep instead: an upsert's row whose key's deal was
        merged here into a survivor (its claim names the merged deal: ``_sharing``'s one
        read of the job's claims), found only when it is sent, whose person / organization
        cells (``cells``) are those this state folder's record holds beside that deal's link
        (``merged_base``: ``last_written.CELLS``). The survivor's link then stays
        (``_merge_kept``), so such a reference is resolved only if the row makes a deal
        after all (``_create``'s ``deferred``). Before, it was made first and left
        unlinked: a copy of the person / organization a colleague corrected (f34g's limit).
        No call; nothing read when no merge was made here; empty for an insert or a row
        with nothing to make."""
        cells = payload.get("cells")
        if self.settings.mode != "upsert" or not item.key or not isinstance(cells, Mapping):
            return frozenset()
        refs = [name for name in ("person", "org")
                if isinstance(ref := payload.get(name), Mapping) and "id" not in ref
                and isinstance(cells.get(f"{name}_id"), str)]
        if not refs:
            return frozenset()
        await self._read_merges()
        if not self._merges:  # no merge made here: no survivor to find (nothing read)
            return frozenset()
        await self._sharing(0)  # the job's keys whose claims name a merged deal, read once
        deal_id = self._merged_keys.get(item.key)
        hit = self._merged(deal_id) if deal_id is not None else None
        if deal_id is None or hit is None:
            return frozenset()
        base = await self._record_base(
            lambda record: record.merged_base(hit.survivor, deal_id, hit.at))
        return frozenset(ref for ref in refs if f"{ref}_id" in base and base.get(
            f"{ref}_id{last_written.CELLS}") == cells[f"{ref}_id"])

    async def _create(self, ctx: CallContext, item: Item, payload: Mapping[str, Any],
                      person_id: int | None, org_id: int | None, *,
                      deferred: Mapping[str, Mapping[str, Any]] | None = None) -> Outcome:
        """``deferred``: references (``person`` / ``org``) not resolved yet
        (``kept_at_send``): resolved (made, when new) only when the row makes its deal;
        a reference another row is making meanwhile leaves the row pending, unsent."""
        key = item.key or ""
        lost_since: float | None = None
        for _ in range(LOST_CLAIM_TRIES):
            claimed = await self._claim(ctx, key)
            if claimed is None:  # held back: sent in a later pass, nothing sent now
                return Outcome(item.id, ItemState.PENDING, unsent=True)
            if isinstance(claimed, str):
                return Outcome(item.id, ItemState.FAILED, error=claimed)
            claim, had = claimed
            outcome: Mapping[str, Any] | None = None
            keep = False
            lost = False
            try:
                # the lease is renewed until the create is answered: the lookup and the
                # send may wait (a 429 pause, the budget) longer than any lease
                async with kept(self.claims, claim, ctx.clock, self.lease) as lease:
                    try:
                        existing = await self._find_created(ctx, claim, had, key,
                                                            lost_since=lost_since)
                    except _Ambiguous as exc:
                        return Outcome(item.id, ItemState.FAILED, error=str(exc))
                    except _MergedAway as away:
                        outcome = claim.previous  # still names the merged-away deal
                        # this job's own create (its claim names the deal with this job:
                        # a resume's row whose create landed before a kill, merged since)
                        ours = self._creator(claim, away.merged) == self.store.job_id
                        return await self._into_survivor(ctx, item, payload, away,
                                                         person_id, org_id, ours=ours,
                                                         deferred=deferred)
                    if existing is None and deferred:  # the row makes its deal after all
                        try:
                            made = {name: await self.resolver.resolve(ctx, ref)
                                    for name, ref in deferred.items()}
                        except Deferred:  # another row is making it: the claim as it was
                            outcome = claim.previous
                            return Outcome(item.id, ItemState.PENDING, unsent=True)
                        person_id = made.get("person", person_id)
                        org_id = made.get("org", org_id)
                        payload, deferred = {**payload, **deferred}, None
                    if existing is None:
                        body = dict(payload["deal"])
                        if person_id is not None:
                            body["person_id"] = person_id
                        if org_id is not None:
                            body["org_id"] = org_id
                        # proved still held right before the send, after its admission
                        # (a freeze past the lease, a lost Redis, a wait for its turn
                        # longer than the lease): else claim again and look again
                        self._deal_unsent.discard(item.id)  # from here it may be applied
                        # from here the create may have left: until its answer names the
                        # deal (or says it was not made), every way out — a cancel in the
                        # call (x20r3 F2) or after its answer, before this row's outcome is
                        # returned (f23c: at ``kept``'s exit; 2 of 30 deals this job made
                        # were recorded `unchanged`, another's, after the resume), a bug —
                        # releases the claim in doubt for this job (the ``finally`` below;
                        # the job's ``finish`` writes it), never as if nothing was sent
                        outcome = in_doubt_outcome(had, self.store.job_id,
                                                   claim.last_settled())
                        try:
                            # the claim proved held and the sent marks written (a later
                            # reconcile knows) right before it leaves, in one thread hop
                            res = await ctx.call("addDeal", json=body, guard=partial(
                                self._confirm_marked, lease, key, item.id)
                                if self._marks else partial(confirm_or_lost, lease))
                        except NotSent:
                            lost, lost_since = True, min(had, lost_since or had)
                            self.claims_lost += 1
                            continue
                        except InDoubt:
                            self._answered_at[item.id] = self.clock.wall()
                            # released at once, in doubt: whoever claims the key next (this
                            # run's reconcile, or another run now) looks it up first, and a
                            # deal found is this job's (bulk.claims.in_doubt_outcome)
                            keep = True
                            self.claims.release_soon(claim, outcome)
                            try:  # written now: a run waiting on the key wakes at once
                                await self.claims.flush()
                            except Exception:  # Redis gone: the next acquire / flush says so
                                pass
                            raise
                        except BulkError:
                            # answered with an error, never sent, or stopped before a retry
                            # (ctx.call turns every answer lost to a write into InDoubt):
                            # nothing was made, the claim is given back plainly
                            outcome = None
                            raise
                        # answered: the claim names the deal, this job's, before anything
                        # else is awaited (a cancel from here on must not lose it)
                        digest = editable_digest(res.data)
                        outcome = self._outcome(int(res.data["id"]), None, digest=digest,
                                                links=res.data)
                if existing is not None:
                    # found after all: not created again — unless it is this job's own
                    # create of it again, below
                    was_gone = self._gone_keyed.pop(key, None)
                    deal_id = int(existing["id"])
                    creator = self._creator(claim, deal_id, existing)
                    if creator == self.store.job_id and key in self._reconciled \
                            and (not self._marks or await self._was_sent(key)):
                        # this job's own create, sent by an earlier process of it that died
                        # in doubt (its claim names it, and this job had the row in doubt:
                        # a claim naming a job that only held it proves no send, v12r4 F1):
                        # recorded created, by this job only
                        outcome = self._outcome(deal_id, None)
                        self._doubted.discard(item.id)
                        return Outcome(item.id, ItemState.DONE, result={
                            "deal_id": deal_id, "action": "created",
                            "person_id": existing.get("person_id"),
                            "org_id": existing.get("org_id"), "reconciled": True,
                            "update_time": existing.get("update_time"), **matched_by(payload),
                            **self._again_gone(key, was_gone)})
                    self.found_created += 1
                    outcome = self._outcome(deal_id, claim.previous, ours=False, creator=(
                        None if creator == self.store.job_id else creator))
                    return self._said_gone(key, deal_id, await self._exists(
                        ctx, item, payload, existing, person_id, org_id,
                        created=claim.previous, creator=creator))
                gone = self._gone_survivor.pop(key, None)
                self.merges_undone += gone is not None
                again = "merge_undone" if gone is not None else None
                if gone is None and (gone := self._gone_keyed.pop(key, None)) is not None:
                    self.keys_recreated += 1
                    again = "key_gone"
                # a listed deal carrying the key but for case (RowPlanner._other_case)
                if said := "; ".join(filter(None, (gone, payload.get("key_case_note")))):
                    gone = said
                return Outcome(item.id, ItemState.DONE, result={
                    **({"note": gone} if gone else {}),
                    # the summary counts these from the rows (a killed run's counters are
                    # lost with it: x37r1 F4, 27 said of 39)
                    **({RECREATED: again} if again else {}),
                    "deal_id": res.data["id"], "action": "created", "person_id": person_id,
                    "org_id": org_id, "update_time": res.data.get("update_time"),
                    # undo: the editable fields as created (an edit in the create's own
                    # second leaves update_time as it was; issue 9, v9r4 F4). Not for a
                    # create found by a lookup: its list read may carry fewer fields
                    "digest": digest, **matched_by(payload)})
            finally:
                if not keep and not lost:  # written with the next batch's claims (or at finish)
                    self.claims.release_soon(claim, outcome)
        return Outcome(item.id, ItemState.FAILED, error=(
            f"key {key!r}: the claim on its create was lost {LOST_CLAIM_TRIES} times before "
            "the send (another run took it over); not created here (pdbulk retry sends it "
            "again)"))

    def _again_gone(self, key: str, note: str | None = None) -> dict[str, str]:
        """What a row whose create settled in doubt (found applied: this job's) adds to its
        result when its key's earlier deal was gone (``_gone_keyed``: ``note``, or this
        process's record of it, taken): the note and ``RECREATED`` ("key_gone"), which the
        summary's ``keys_recreated`` counts (x38r1 F4: the rows settled by the reconcile
        after a kill -9 carried none, 294 said of 300)."""
        note = note or self._gone_keyed.pop(key, None)
        if note is None:
            return {}
        self.keys_recreated += 1
        return {"note": note, RECREATED: "key_gone"}

    def _said_gone(self, key: str, deal_id: int, outcome: Outcome) -> Outcome:
        """``outcome`` of a row whose create (this job's, before a kill) a reconcile found
        deleted while deal ``deal_id`` carries its key now (``_gone_create``): its note or
        reason says so first, and its result keeps the deal as ``merged_create`` (the
        summary's count of the deals this job created). Not proven a merge: none made
        here records it."""
        made = self._gone_create.pop(key, None)
        if made is None or made == deal_id:
            return outcome
        said = (f"deal {made}, which this job created for this key, is deleted since, and "
                f"deal {deal_id} carries the key now (a merge made outside pdbulk leaves "
                "just that; none made here records it)")
        if outcome.state is ItemState.FAILED:
            return dataclasses.replace(outcome, error=f"{said}; {outcome.error}", result={
                **(outcome.result or {}), "merged_create": made})
        result = dict(outcome.result or {})
        result["note"] = "; ".join(filter(None, (said, result.get("note"))))
        return dataclasses.replace(outcome, result={**result, "merged_create": made})

    async def _into_survivor(self, ctx: CallContext, item: Item, payload: Mapping[str, Any],
                             away: _MergedAway, person_id: int | None,
                             org_id: int | None, *, ours: bool = False,
                             deferred: Mapping[str, Mapping[str, Any]] | None = None
                             ) -> Outcome:
        """A row whose key's deal a merge took into ``away.survivor``. The survivor's own row
        in this job writes it: this one is reported ``merged``, nothing sent. Else the row
        stands for the survivor (the source dropped the other record of that deal, or this
        file has only this one): it upserts the survivor as any row its deal, its key field
        left as the survivor has it (a later file may name the survivor by that key).

        ``ours``: the merged-away deal is this job's own create (a resume's row whose
        create landed before a kill): the row's note or reason says so, and its result
        keeps the deal as ``merged_create`` (its id), failed or not, so that the summary
        counts it among the deals this job created (x30r2 M1: a survivor in another
        currency failed the row on a currency reason alone, and the summary said 59
        created of the 60 the server shows).

        ``deferred``: the references held back for the survivor's link (``kept_at_send``):
        made only when that link is to a person / organization deleted since."""
        survivor = away.survivor
        made = "which this job created" if ours else "created"
        merged = (f"deal {away.merged}, {made} for this key, was merged away (job "
                  f"{away.job}) into what is deal {survivor['id']} now")
        outcome = await self._survivor_row(ctx, item, payload, away, merged, person_id, org_id,
                                           deferred or {})
        if outcome.state is ItemState.FAILED and merged not in str(outcome.error):
            # the survivor's own obstacle (its currency, archived, changed since): said
            # after what happened to the row's deal, never alone
            outcome = dataclasses.replace(outcome, error=f"{merged}; {outcome.error}")
        if not ours:
            return outcome
        return dataclasses.replace(outcome, result={**(outcome.result or {}),
                                                    "merged_create": away.merged})

    async def _survivor_row(self, ctx: CallContext, item: Item, payload: Mapping[str, Any],
                            away: _MergedAway, merged: str, person_id: int | None,
                            org_id: int | None,
                            deferred: Mapping[str, Mapping[str, Any]]) -> Outcome:
        """``_into_survivor``'s outcome, ``merged`` the words naming the merge."""
        survivor = away.survivor
        if away.own is not None:
            return Outcome(item.id, ItemState.SKIPPED, result={
                "deal_id": int(survivor["id"]), "action": "merged",
                "person_id": survivor.get("person_id"), "org_id": survivor.get("org_id"),
                "note": f"{merged}; the row of its own key {away.own} writes it: not created "
                        "again, nothing sent"})
        if self.settings.mode != "upsert":
            return Outcome(item.id, ItemState.DONE, result={
                "deal_id": int(survivor["id"]), "action": "exists",
                "person_id": survivor.get("person_id"), "org_id": survivor.get("org_id"),
                "note": f"{merged}; not created again"})
        shared = await self._sharing(int(survivor["id"]))
        if len(shared) > 1:
            # several records of the source stand for one deal since the merge, and none is
            # its own: whichever the file lists first would write it, each night another
            # one if the order changes (x12r7 F1: the survivor flipped on every swap).
            # None is written; the source decides
            return Outcome(item.id, ItemState.FAILED, error=(
                f"conflict: {merged}; the rows of keys {', '.join(shared)} all stand for deal "
                f"{survivor['id']} now (their deals were merged into it), and none is its "
                "own row: nothing written. Keep one of those records in the source, or give "
                "the deal's own key a row"))
        first = await self._survivor_writer(int(survivor["id"]), item)
        if first is not None:
            # another row of this job, whose key a merge also took into this survivor,
            # writes it: one row a deal, as update's rule (x12r6 F1: three such rows wrote
            # it in turn, its value flipping night after night, one reported "unchanged")
            return Outcome(item.id, ItemState.SKIPPED, result={
                "deal_id": int(survivor["id"]), "action": "merged",
                "person_id": survivor.get("person_id"), "org_id": survivor.get("org_id"),
                "note": f"{merged}; row {first.row} (key {first.key}), merged into it too, "
                        "writes it: nothing sent"})
        deal = dict(payload["deal"])
        custom = {k: v for k, v in (deal.get("custom_fields") or {}).items()
                  if k != self.key_code}
        deal.pop("custom_fields", None)
        if custom:
            deal["custom_fields"] = custom
        said = payload.get("cells")
        cells: Mapping[str, Any] = said if isinstance(said, Mapping) else {}
        # a reference held back for the survivor's link: made when that link is to a
        # contact deleted since (nothing keeps it; f37b)
        gone = await self._dead_links(ctx, survivor, (f"{n}_id" for n in sorted(deferred)))
        if gone:
            wanted = {n: ref for n, ref in deferred.items() if f"{n}_id" in gone}
            try:
                made = {n: await self.resolver.resolve(ctx, ref) for n, ref in wanted.items()}
            except Deferred:  # another row is making it: sent once it is made
                return Outcome(item.id, ItemState.PENDING, unsent=True)
            person_id, org_id = made.get("person", person_id), made.get("org", org_id)
            payload = {**payload, **wanted}
        deal, kept, dead = await self._merge_kept(ctx, away, deal, {"person_id": person_id,
                                                                    "org_id": org_id}, cells,
                                                  gone)
        # a link kept from the survivor is not sent, as a field (x33r2 F1)
        person_id = None if "person_id" in kept else person_id
        org_id = None if "org_id" in kept else org_id
        outcome = await self._exists(ctx, item, {**payload, "deal": deal}, survivor,
                                     person_id, org_id, survivor=True)
        if outcome.result is None:
            return outcome
        note = f"{merged}; this row stands for it now"
        if dead:  # the survivor's link to a contact deleted since: the row's written (f37b)
            note = "; ".join((note, *_dead_notes(survivor, {
                "person_id": person_id, "org_id": org_id}, dead)))
        edits = {last_written.EDITED: {"kept": len(kept)}} if kept else {}
        if kept:
            note += (f"; {', '.join(field_word(k, self.field_labels) for k in kept)}: the "
                     "survivor's value kept (the merge's, or changed since; the file did not "
                     "change it since this state folder last wrote the row, or it goes with "
                     "the survivor's status, changed since), not sent")
        # what was written (its key field left out): undo compares the deal with it
        # (x12r6 F3: every such row was a conflict on the key field it never wrote); and
        # the base of the next upsert of the row, now on the survivor (jobs.last_written)
        return dataclasses.replace(outcome, result={
            **outcome.result, "wrote": deal, "note": note, **edits,
            "written": {**{name: last_written.digest(value) for name, value in (
                *last_written.fields_of(deal),
                *((n, v) for n, v in (("person_id", person_id), ("org_id", org_id))
                  if v is not None))},
                **{n + last_written.CELLS: str(cells[n]) for n, v in (
                    ("person_id", person_id), ("org_id", org_id)) if v is not None
                   and n in cells}}})

    async def _merge_kept(self, ctx: CallContext, away: _MergedAway, deal: dict[str, Any],
                          links: Mapping[str, int | None], cells: Mapping[str, Any],
                          known: Collection[str] = ()
                          ) -> tuple[dict[str, Any], tuple[str, ...], set[str]]:
        """``deal`` (a row standing for ``away.survivor``) without the fields the three-way
        comparison keeps from the survivor or holds with its status (``jobs.last_written``:
        ``ThreeWay.unsent``), and their names (custom
        ones by code); ``links`` (``person_id`` / ``org_id`` -> the id the row resolved,
        None: none, or one to create) are decided alike, their names among those kept when
        the survivor's link stays (not sent) — as when the row's cells naming the link
        (``cells``: link -> digest, ``last_written.CELLS``) are those the base recorded
        with it (x34r1 F6: a person whose e-mail a colleague corrected was created again
        and linked): the row's base is what this state folder last wrote on the
        merged-away deal, and on the survivor since the merge (``merged_base``). A merge is
        a change made after that write, so a field the file did not change since is
        Pipedrive's newer value: the merge's (its survivor's values win) or an edit made
        since. Before, every field of the row that differed was written over the survivor
        (the source's old record undid the merge's choice). No record, or one that cannot
        be read: ``deal`` whole, as without one. The third item: the links the survivor
        would keep whose person / organization is deleted since (``_dead_links``, read by
        id only for a link about to be kept; ``known``: found so already, not read again):
        no value to keep, the row's is sent (f37b)."""
        hit = self._merged(away.merged)
        if hit is None:
            return deal, (), set(known)
        survivor = away.survivor
        base = await self._record_base(
            lambda record: record.merged_base(int(survivor["id"]), away.merged, hit.at))
        if not base:
            return deal, (), set(known)
        changes = deal_changes(survivor, deal, currency_alone=True,
                               types=stored_types(self.store))
        changes.update((name, rid) for name, rid in links.items()
                       if rid is not None and rid != survivor.get(name))
        names = set(last_written.three_way(survivor, changes, base).unsent)
        names.update(name for name in last_written.LINKS if name in changes and name in base
                     and base.get(name + last_written.CELLS) == cells.get(name))
        dead = set(known) | await self._dead_links(ctx, survivor, (
            n for n in sorted(names) if n in last_written.LINKS and n not in known))
        names -= dead
        if not names:
            return deal, (), dead
        out = {k: v for k, v in deal.items() if k not in names and k != "custom_fields"}
        kept_custom = {c: v for c, v in (deal.get("custom_fields") or {}).items()
                       if last_written.CUSTOM + c not in names}
        if kept_custom:
            out["custom_fields"] = kept_custom
        return out, tuple(sorted(n[len(last_written.CUSTOM):]
                                 if n.startswith(last_written.CUSTOM) else n
                                 for n in names)), dead

    async def _sharing(self, survivor_id: int) -> list[str]:
        """The keys of this job's rows whose key's claim names a deal a merge made here
        took into ``survivor_id``, sorted (the job's claims read once, when first needed)."""
        async with self._survivor_lock:
            if self._by_survivor is None:
                keys = sorted(await in_thread(self.store.source_keys))
                by: dict[int, list[str]] = {}
                await self._read_merges()
                for start in range(0, len(keys), 2000):
                    chunk = keys[start:start + 2000]
                    names = {self.claim_name(k): k for k in chunk}
                    for name, outcome in (await self.claims.outcomes(list(names))).items():
                        named = outcome.get("deal_id")
                        if isinstance(named, int) and (hit := self._merged(named)):
                            by.setdefault(hit[0], []).append(names[name])
                            self._merged_keys[names[name]] = named
                self._by_survivor = by
        return sorted(self._by_survivor.get(survivor_id, []))

    async def _survivor_writer(self, survivor_id: int, item: Item) -> Item | None:
        """The row of this job that writes merged survivor ``survivor_id`` when it is not
        ``item``: the first to claim it (kept in the job's store, so a resume keeps it);
        None: ``item`` writes it."""
        name = str(survivor_id)
        async with self._survivor_lock:
            first = await self.astore.lookup_get(SURVIVOR_WRITER, name)
            if first is None:
                await self.astore.lookup_put_many(SURVIVOR_WRITER, [(name, item.id)])
                return None
        if first == item.id:
            return None
        return await in_thread(partial(self.store.item, first))

    async def _exists(self, ctx: CallContext, item: Item, payload: Mapping[str, Any],
                      existing: Mapping[str, Any], person_id: int | None,
                      org_id: int | None, *, created: Mapping[str, Any] | None = None,
                      creator: str | None = None, survivor: bool = False) -> Outcome:
        """The key got its deal from another run meanwhile: upsert updates it, insert skips.
        ``created``: the outcome the key's claim was released with (``_outcome``): when it
        names this deal with the digest its create left, a deal whose editable fields no
        longer give that digest was changed since its creation — a conflict, whatever
        its times say (v9r16 S1: a colleague's edit in the create's own second was
        overwritten by "updated instead")."""
        deal_id = int(existing["id"])
        if self.settings.mode != "upsert":
            # who made it, when the claim says (x15r3 F5: a deal an earlier import made and
            # someone archived since was "created meanwhile by another run")
            added = parse_time(existing.get("add_time"))
            if creator and creator != self.store.job_id:
                maker = f"made by job {creator}"
            elif added is not None \
                    and skew.earlier(added, self.store.created_at or 0.0, self._lead):
                # there before this job was loaded, its maker unknown: a deal that took the
                # key since (a merge by hand into it), not "another run" (x30r2 low 2)
                maker = (f"carries this key now, though added before this job was loaded "
                         f"({existing.get('add_time')}; no import run is known to have "
                         "made it)")
            else:
                maker = "created meanwhile by another run"
            archived = " (archived since)" if existing.get("is_archived") else ""
            return Outcome(item.id, ItemState.DONE, result={
                "deal_id": deal_id, "action": "exists", "person_id": existing.get("person_id"),
                "org_id": existing.get("org_id"),
                "note": f"{maker}{archived}; not created again"})
        # a default fills a new deal only (x41r3 F2)
        wanted = without_defaults(payload["deal"], payload.get("defaulted") or ())
        opened = {code: tuple(c) for code, c in
                  (payload.get("custom_currency_open") or {}).items()}
        if payload.get("currency_defaulted") or payload.get("currency_choices"):
            opened["currency"] = tuple(payload.get("currency_choices") or ())
        if opened:  # a blank currency: the deal's own
            try:
                wanted = defaulted_currency(existing, wanted, opened)
            except InputError as exc:
                return Outcome(item.id, ItemState.FAILED, error=exc.reason)
        # a status change takes the row's times with it, even unchanged ones (x34r4 F1)
        body = with_status_times(existing, wanted, deal_changes(
            existing, wanted, currency_alone=True, types=stored_types(self.store)))
        if existing.get("is_archived"):
            if not self.settings.unarchive:
                return Outcome(item.id, ItemState.FAILED, error=(
                    f"key {item.key} belongs to archived deal {deal_id}; archived deals cannot "
                    "be edited (pass --unarchive to unarchive and update it)"))
            body["is_archived"] = False
        for name, rid in (("person_id", person_id), ("org_id", org_id)):
            if rid is not None and rid != existing.get(name):
                body[name] = rid
        store = self.astore
        earlier = await store.before_image("deal", deal_id)
        if earlier is not None and earlier.item_id == item.id:
            # this row's update of that deal was sent before (a run that died, an answer
            # lost): decided against the picture taken then, never over a colleague's edit
            decided = self._sent_before(item, payload, existing, earlier.before, body,
                                        person_id, org_id)
            if decided is not None:
                return decided
        else:
            added, changed = (parse_time(existing.get("add_time")),
                              parse_time(existing.get("update_time")))
            made = created or {}
            recorded = made.get("digest") if made.get("deal_id") == deal_id else None
            # a merge survivor is no deal "another run created meanwhile": its times tell
            # nothing of this row (x12r6 F2: a survivor made minutes before the load was a
            # false "created after this job was loaded" conflict)
            after_load = bool(body) and added is not None and not survivor \
                and not skew.earlier(added, self.store.created_at or 0.0, self._lead)
            if after_load and (why := newer_import(self.store, {
                    **made, "job": creator} if creator else made, deal_id, item.key, existing)):
                return Outcome(item.id, ItemState.FAILED, error=why)
            edited = False
            if after_load and isinstance(recorded, str):
                edited = editable_digest(existing) != recorded
                if edited:  # a link a colleague's merge moved is no edit (x39r4 F5)
                    moved, tokens = await merge_moved(ctx, existing, made, recorded)
                    self.merge_moved_tokens += tokens
                    edited = not moved
            elif after_load:
                edited = changed is not None and added is not None and changed > added + 1.0
            if edited:
                # a deal another run (or someone) created with the key after this job was
                # loaded, and someone changed after it was created: its values are theirs, not
                # a picture this job decided from — whichever way the row got here (pending on
                # resume, in flight at a kill, waiting on the other run's claim). v9r13, v9r14:
                # a colleague's edits overwritten by "updated instead", 5-16 of 20
                return Outcome(item.id, ItemState.FAILED, error=(
                    f"conflict: deal {deal_id} carries key {item.key}; it was created after "
                    f"this job was loaded and changed after that (update_time "
                    f"{existing.get('update_time')}); left alone, nothing sent (import the row "
                    "again to overwrite it)"))
        note = None
        edits: dict[str, int] = {}  # counted in the summary's edited_* (x34 f34h leftover)
        if body and not survivor:  # a survivor's row decided its fields (``_merge_kept``)
            # by the plain upsert's rule, its links too (f34f: a colleague's relink was put
            # back by a row that found its key's deal under the claim)
            base = await self._record_base(lambda record: record.of(deal_id))
            ruled = last_written.three_way(existing, body, base)
            # a link to a contact deleted since is no value of Pipedrive's to keep: the
            # row's is written (f37b; the load's rule, x36r1 F4)
            dead = await self._dead_links(ctx, existing, (
                f for f, _, _ in ruled.kept if f in last_written.LINKS))
            if dead:
                ruled = last_written.three_way(existing, {
                    k: v for k, v in body.items() if k not in dead}, base)
                ruled = dataclasses.replace(ruled, changes={
                    **ruled.changes, **{f: body[f] for f in sorted(dead)}})
            body, note, edits = ruled.changes, edited_note(ruled, self.note_labels), \
                ruled.counts()
            if dead:
                note = "; ".join(filter(None, (*_dead_notes(existing, body, dead), note)))
        noted: dict[str, Any] = {"note": note} if note else {}
        if edits:
            noted[last_written.EDITED] = edits
        if not body:
            return Outcome(item.id, ItemState.SKIPPED, result={
                "deal_id": deal_id, "action": "unchanged", "person_id": existing.get("person_id"),
                "org_id": existing.get("org_id"), **noted})
        # its previous values first, so that `pdbulk undo` can put them back
        await store.put_before_images([BeforeImage(
            "deal", deal_id, item.id, before_image(dict(existing), body), self.clock.wall())])
        try:
            res = await ctx.call("updateDeal", path={"id": deal_id}, json=body)
        except NotFound:
            return gone_when_sent(item.id, deal_id, item.key)
        return Outcome(item.id, ItemState.DONE, result={
            "deal_id": deal_id, "action": "updated",
            "person_id": body.get("person_id", existing.get("person_id")),
            "org_id": body.get("org_id", existing.get("org_id")),
            "update_time": _update_time(res.data), **noted, **matched_by(payload),
            # the base of the next upsert of the row (``jobs.last_written``): what was sent
            # (the row's payload is a create's, whose "deal" was not all written)
            "written": {name: last_written.digest(value)
                        for name, value in last_written.fields_of(body)}})

    @staticmethod
    async def _dead_links(ctx: CallContext, deal: Mapping[str, Any],
                          fields: Iterable[str]) -> set[str]:
        """The link ``fields`` (``person_id`` / ``org_id``) of ``deal`` (read at send) whose
        person / organization is no longer in the account, each read by id
        (``getPerson`` / ``getOrganization``, 1 token; a 404 / 410 or a record marked
        deleted: ``vanished.vanished``). Asked only of a link about to be kept as
        Pipedrive's value (a colleague's relink, a merge survivor's): nothing read when
        none is."""
        named = {f: rid for f in fields if isinstance(rid := deal.get(f), int)
                 and not isinstance(rid, bool)}
        if not named:
            return set()
        gone = await vanished(ctx, {_LINK_NAME[f]: {rid} for f, rid in named.items()})
        return {f for f, rid in named.items() if rid in gone.get(_LINK_NAME[f], set())}

    async def _record_base(self, of: Callable[[last_written.LastWritten], dict[str, str]]
                           ) -> dict[str, str]:
        """A three-way base read from this state folder's record of the job's account, in a
        thread: ``of(record)`` (``LastWritten.of`` / ``merged_base``); {}: nothing written,
        no record, or one that cannot be read (written as without one)."""
        base_url = (self.store.config.get("engine") or {}).get("base_url")
        if not base_url:
            return {}

        def read() -> dict[str, str]:
            record = last_written.LastWritten.open(str(base_url))
            if record is None:
                return {}
            try:
                return of(record)
            finally:
                record.close()
        try:
            return await in_thread(read)
        except (OSError, sqlite3.Error):
            return {}

    def _sent_before(self, item: Item, payload: Mapping[str, Any], existing: Mapping[str, Any],
                     image: Mapping[str, Any], body: Mapping[str, Any], person_id: int | None,
                     org_id: int | None) -> Outcome | None:
        """A row whose key another run created, and whose update of that deal this job
        already sent once (``image``: the before-image stored then; ``body``: what differs
        now): ``jobs.deals.in_flight`` decides. Applied → DONE ``updated``; a field the
        update wrote that holds another value now, or one it did not write (as wanted then)
        that differs now → a conflict, nothing sent; else None (send ``body``; the first
        image stays the one undo restores)."""
        deal_id = int(existing["id"])
        wanted = dict(payload["deal"])
        for name, rid in (("person_id", person_id), ("org_id", org_id)):
            if rid is not None:
                wanted[name] = rid
        labels = self.field_labels
        verdict, drift = in_flight(dict(existing), image, wanted, labels=labels)
        written = {*(image.get("fields") or {}), *(image.get("custom_fields") or {})}
        unwritten = sorted(({k for k in body if k != "custom_fields"}
                            | set(body.get("custom_fields") or {})) - written - {"is_archived"})
        if verdict == "unsent" and unwritten:
            custom = existing.get("custom_fields") or {}
            verdict, drift = "conflict", "; ".join(
                f"{label(k, labels)}: "
                f"{wanted.get(k, (wanted.get('custom_fields') or {}).get(k))!r} then, "
                f"{existing.get(k, custom.get(k))!r} now" for k in unwritten)
        if verdict == "conflict":
            return Outcome(item.id, ItemState.FAILED, error=(
                f"conflict: deal {deal_id} (key {item.key}) changed since this job's update of "
                f"it was sent ({drift}); left alone, nothing sent (import the row again to "
                "overwrite it)"))
        if verdict in ("applied", "unchanged"):
            return Outcome(item.id, ItemState.DONE, result={
                "deal_id": deal_id, "action": "updated", "reconciled": True,
                "person_id": existing.get("person_id"), "org_id": existing.get("org_id"),
                **matched_by(payload), **applied(existing)})
        return None

    # -- the marks of a send ----------------------------------------------------------------
    async def _confirm_marked(self, lease: Lease, key: str, item_id: int) -> bool:
        """The guard of the create of ``key`` (item ``item_id``), right before it leaves:
        its claim proved held (``Lease.confirm``), then the sent marks written
        (``_mark_sent_now``) — in one hop to the job store's thread where the claims are
        this machine's (``Lease.confirm_then``; before issue 8: three hops a create, the
        renewal, the journal and the store's lookup, ~3.5 ms of CPU a write with the
        rest). False: not held (the marks not written; claim again, as before). Raises
        DiskFull / StoreError when a mark cannot be written: nothing is sent."""
        held = await lease.confirm_then(partial(self._mark_sent_now, key, item_id),
                                        self.astore.in_lane)
        if held:
            self._sent_since += 1
            if self._sent_since >= COMPACT_EVERY:
                await self._compact_sent()
        return held

    def _mark_sent_now(self, key: str, item_id: int) -> None:
        """Write, before the create of ``key`` leaves, that this job sends it: in the job
        folder's sent journal (``jobs.importing.sent``), which a -wal removed after a kill
        does not take with it (f25a), and in the store (the "sent-deal" lookup). Blocking:
        in the store's thread (``_confirm_marked``). Raises DiskFull, StoreError."""
        directory = self.store.directory
        try:
            append_sent(directory, key, item_id, self.clock.wall())
        except OSError as exc:
            if disk_full(exc):
                raise DiskFull(directory / SENT_FILE, self.store.job_id,
                               job_dir=directory.parent) from exc
            raise StoreError(f"job folder {directory}: cannot write {SENT_FILE} ({exc}); "
                             "nothing was sent for this row") from None
        self.store.lookup_put_many(SENT_DEAL, [(key, item_id)])

    async def _compact_sent(self) -> None:
        """The sent journal less the lines of creates settled for good (``compact_sent``):
        every ``COMPACT_EVERY`` sends and as the run ends. A failure is said and the
        journal kept whole (it only grows: safe), tried again ``COMPACT_EVERY`` sends on."""
        self._sent_since = 0
        store = self.store
        with went_on(f"compacting the sent journal {SENT_FILE}", (OSError, BulkError),
                     consequence="it is kept whole (larger, still right)"):
            await in_thread(partial(compact_sent, store.directory, store.final_in_file))

    async def _was_sent(self, key: str) -> bool:
        """Whether some process of this job marked the create of ``key`` sent (the store's
        mark, else the sent journal: the store may have lost its last writes)."""
        if await self.astore.lookup_get(SENT_DEAL, key) is not None:
            return True
        return bool(await in_thread(partial(sent_keys, self.store.directory, (key,))))

    # -- whose create (attribution) ---------------------------------------------------------
    def _not_ours(self, item: Item, hit: Mapping[str, Any],
                  previous: Mapping[str, Any] | None,
                  body: Mapping[str, Any] | None = None, *, proven: bool = True,
                  before_edit: Mapping[str, Any] | None = None) -> str | None:
        """Why deal ``hit``, found by the key of in-doubt create ``item``, cannot be this
        job's create (None: it can be): the claim's ``previous`` outcome names that deal
        as created by another job; the deal was added before the row was last sent (its
        ``add_time`` earlier than ``item.sent_at`` by more than RECONCILE_MARGIN s); or,
        with ``body`` (the addDeal body this row sends), its title or value is not the one
        this row sends — a deal someone else created with the key (by hand, another tool)
        while the row was in flight, which no claim knows about; last, with ``proven``
        False, that no claim record shows this job held the key from its send until now
        (the shared coordinator lost its state meanwhile: another run may have created the
        key in that gap, and a 5xx create cannot be told from it by time alone).
        ``before_edit``: the addDeal body the row was loaded with, when the mapping was
        edited since and ``body`` is the row mapped again: the run that sent the create
        before the edit sent that one, so a deal of its title and value is this row's too
        (x46r8 F3: 2 of 80 such creates failed "its title is not this row's")."""
        if self._sent_keys is not None and item.key not in self._sent_keys:
            # no process of this job wrote that it was sending this row's create: it never
            # left, so a deal carrying the key is another's (v12r8: after Redis lost the
            # claims, a resumed job recorded another host's deals `created`, 86 of 400)
            return "this job never sent its create"
        if item.id in self._deal_unsent:
            # this process handed the row out and never sent its deal's create (its person
            # or organization was in doubt, something failed first): a deal another run
            # created meanwhile, its claim's outcome naming no job (lost with Redis' state),
            # was recorded `created` by both jobs (v12r6, v12r7)
            return "this run never sent its create"
        # the evidence that the deal is another's comes first: with it the row goes on as
        # for a deal another run made (upsert updates it); the title / value check last,
        # for a deal nothing else explains — then the row is a conflict (``reconcile``):
        # this job's create edited since, or a deal no claim knows about (v9r6)
        prev = previous or {}
        job = prev.get("job")
        if prev.get("deal_id") == int(hit["id"]) and isinstance(job, str) \
                and job != self.store.job_id:
            return f"created by job {job}"
        # Pipedrive's add_time on our clock by the job's measured lead (x52r8 F1: 30 s
        # ahead, 14 of 80 lost answers' own creates "added after ... failed", doubled)
        added = parse_time(hit.get("add_time"))
        if added is not None and item.sent_at is not None \
                and skew.earlier(added, item.sent_at, self._lead):
            return "added before this row was sent"
        failed = self._answered_at.get(item.id)
        if added is not None and failed is not None \
                and skew.later(added, failed, self._lead, skew.ANSWERED_MARGIN):
            return "added after this run's create had failed"
        if body and (off := _not_as_sent(hit, body)) is not None \
                and (not before_edit or _not_as_sent(hit, before_edit) is not None):
            return off
        if not proven:
            # v12r8: after FLUSHALL, four hosts on the same keys: a create answered 5xx (not
            # applied) and another host's create of the key a second later were both taken
            # as made here — 8 of 400 deals recorded `created` by two jobs, so an undo of
            # either would delete the other's deal. Unproven, the deal is not this job's:
            # the row goes on as for a deal another run made (undo leaves it alone)
            return UNPROVEN
        return None

    async def _settle_claim(self, item: Item, hit: Mapping[str, Any] | None,
                            body: Mapping[str, Any] | None = None,
                            before_edit: Mapping[str, Any] | None = None) -> str | None:
        """Release the claim on ``item``'s key with what reconcile found (nothing when not
        found: the row is sent again under a fresh claim): a dead holder's, taken over.
        This run's own claim, taken for the row's batch (``prepare``) before the row was
        in doubt for its person or organization, is released with the deal found, else
        kept for the row's next send. Returns why ``hit`` is not this job's create
        (``_not_ours``; also when a live run holds the claim: it is settling the key
        now), None when it can be or nothing was found. ``before_edit``: ``_not_ours``'.

        This run's own claim is released as itself, never re-acquired and released by
        name behind the pool's back: that freed it while the pool still held it, so
        another run took the key, found nothing and created it while this run, trusting
        its pooled claim, created it too (2 of 300 keys doubled, two imports at once
        under faults)."""
        key = item.key or ""
        if key in self._pool:  # ours: kept for the row's next send, or released as found
            if hit is None:
                return None
            claim = self._pool.pop(key)[0]
            if self.claim_name(key) in await self.claims.renew([claim], self.lease):
                # held since prepare, and still: no other pdbulk run could create the key
                known = claim.last_settled()
                why = self._not_ours(item, hit, known, body, before_edit=before_edit)
                await self._gone_named(key, hit, known, why)
                await self.claims.release(claim, self._outcome(int(hit["id"]), known,
                                                               ours=why is None))
                return why
            # lost (its lease ran out while this run was frozen, another run took it over):
            # it proves nothing; the claim is had again and its outcome read (F1, v12r4)
        got = await self._claim_to_settle(key)
        if not isinstance(got, Claim):  # a live run holds it past the wait: it settles it
            return None if hit is None else f"being settled by another run ({got.who()})"
        # the outcome before an in-doubt release (``Claim.was``): the deal an earlier job
        # made with the key, deleted since (an undo), is never this job's create (x31r1)
        known = got.last_settled()
        why = self._not_ours(item, hit, known, body, proven=self._held_since_send(
            got), before_edit=before_edit) if hit is not None else None
        await self._gone_named(key, hit, known, why)
        await self.claims.release(got, None if hit is None else self._outcome(
            int(hit["id"]), known, ours=why is None))
        return why

    async def _gone_named(self, key: str, hit: Mapping[str, Any] | None,
                          known: Mapping[str, Any] | None, why: str | None) -> None:
        """Keep (``_gone_keyed``) that ``key``'s earlier deal is gone when a reconcile
        finds this job's create of it (``hit``, ``why`` None) while the claim's last
        settled outcome (``known``) names another deal: the run that sent it (this
        process, or one killed since) created it again because that one was gone — not
        one a merge made here took away (a merge undone: ``_gone_survivor``)."""
        named = (known or {}).get("deal_id")
        if hit is not None and why is None and isinstance(named, int) \
                and named != int(hit["id"]) and key not in self._gone_keyed \
                and key not in self._gone_survivor and await self._merged_read(named) is None:
            self._gone_keyed[key] = _gone_keyed_note(named, (known or {}).get("job"))

    async def _claim_to_settle(self, key: str) -> Claim | Held:
        """The claim on ``key`` for a reconcile to read its outcome: when another live run
        holds it, that run is waited for (once, at most ``claim_wait`` s, this run's pooled
        claims given back all along: ``bulk.claims.wait_giving_back``, no deadlock) and
        the claim asked again. Why wait: the holder may be a run that only found the deal
        (a resume's re-check, a row that skipped it as ``unchanged``); leaving the row to
        it made no job own a deal this job sent in doubt (v12r4 F2: Redis restarted
        empty, three resumes at once)."""
        name = self.claim_name(key)
        got = await acquire(self.claims, name, self.lease, tag=self.store.job_id)
        if isinstance(got, Held):
            self._held_up(got, self.claim_wait)
            if await wait_giving_back(self.claims, name, self.claim_wait, self._give_back):
                got = await acquire(self.claims, name, self.lease, tag=self.store.job_id)
        return got


def _not_as_sent(hit: Mapping[str, Any], body: Mapping[str, Any]) -> str | None:
    """Why deal ``hit`` is not what addDeal ``body`` made: its title or value differs
    (``its title is not this row's ('…')``); None when both are the body's."""
    for name in ("title", "value"):
        if name in body and not same(hit.get(name), body[name]):
            return f"its {name} is not this row's ({hit.get(name)!r})"
    return None


__all__: list[str] = []  # internal: jobs.importing.ImportJob
