"""The import job kind: create (insert) or update (upsert) deals with their persons and orgs.

One item per manifest row, loaded by ``load`` (in ``import_load``): ``create``
items carry the addDeal body, ``update`` items the PATCH of the fields that
differ, unchanged rows are SKIPPED and bad rows FAILED at load time (never
sent). ``execute`` resolves the row's organization and person (created once
each: ``import_resolve``), then sends the deal.

Exactly once. addDeal has no idempotency key: a create whose answer is lost
(timeout, reset, 5xx, a crash) is in doubt, and ``reconcile`` settles it before
it is ever sent again — first the persons / organizations those rows may have
created, then the deals, by listing the deals added since the rows were sent
(newest first, with the key field) and matching their source keys. Found: DONE
with that deal's id. Not found: back to pending, sent again. Updates (PATCHes) in
doubt are decided against the deal as it is now (``_updates_in_flight``): applied,
unchanged, a conflict (never overwritten), gone, or sent again.

Retry (``pdbulk retry``): failed rows go back to pending; a row that failed at
load time, or any pending row when the mapping file changed since the load, is
mapped again — with the mapping file as it is now and the account as it is now
(one catalog pull per run). Rows refused for a duplicate source key stay
refused.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import anyio

from bulk.claims import (
    DEFAULT_LEASE,
    SETTLED_AFTER_BIRTH,
    Claim,
    Claims,
    Held,
    acquire,
    confirm_or_lost,
    in_doubt_outcome,
    kept,
    open_claims,
)
from bulk.errors import BulkError, InputError, NotFound, NotSent
from bulk.runner import CallContext, InDoubt, RunResult
from bulk.store import AsyncJobStore, BeforeImage, Item, ItemState, JobStore, NewItem, Outcome

from .account import added_since, deal_key, parse_time
from .deals import (
    Deal,
    batched_calls,
    before_image,
    deal_changes,
    drifted,
    editable_digest,
    image_holds,
    in_flight,
    is_gone,
    read_current,
    refreshed_image,
    reread_calls,
    reread_targets,
    reread_with_images,
    same,
)
from .import_resolve import Deferred, Resolver, refs_of, to_create
from .import_rows import ImportSettings, RowPlanner, file_sha, matched_by, source_row
from .mapping import Mapping as ImportMapping

# Clock skew allowed between this machine's send times and Pipedrive's add_time.
RECONCILE_MARGIN = 120.0
# How long a row waits for another process's create of its key before it fails (retryable).
CLAIM_WAIT = 120.0
# How many times a create claims its key again after losing the claim before the send.
LOST_CLAIM_TRIES = 3
META_LOADED, META_KEY_CODE, META_SHA = "import.loaded", "import.key_code", "import.mapping_sha"
# the decimal mark each decimal = "auto" column showed in the whole manifest (load decides it)
META_MARKS = "import.decimal_marks"


class _Ambiguous(Exception):
    """Two or more deals carry the key a create looked up: the row fails, naming them."""

    def __init__(self, key: str, ids: Sequence[int]) -> None:
        super().__init__(f"key {key} matches deals {', '.join(map(str, ids))} (found while "
                         "checking whether it was created meanwhile); neither is updated nor "
                         "another created: keep one of them, then pdbulk retry")


def claim_name(key_code: str, key: str) -> str:
    """The claim a create of source key ``key`` takes: one per (account, key field, key).
    The key field's code is a random 40-char hash per company (Pipedrive docs:
    core-api-concepts-custom-fields), so it names the account as well as the field."""
    return f"deal-key\x1f{key_code}\x1f{key}"


class MappingUnusable(BulkError):
    """Rows must be mapped again (retry) but the mapping file no longer compiles against the
    account: the job stops checkpointed; fix the mapping and resume."""

    terminal = True


class ImportJob:
    """The ``import`` job kind (see the module docstring)."""

    name = "import"

    def __init__(self, store: JobStore, settings: ImportSettings, key_code: str, *,
                 planner: RowPlanner | None = None, mapping_sha: str | None = None,
                 claims: Claims | None = None, claim_wait: float = CLAIM_WAIT,
                 lease: float = DEFAULT_LEASE) -> None:
        self.store = store
        self._claims = claims
        self._owns_claims = False  # opened here (open_claims): closed by finish
        self.claim_wait = claim_wait
        self.lease = lease  # seconds; renewed while a create waits (bulk.claims.kept)
        self._pool: dict[str, tuple[Claim, float]] = {}  # key → claim taken by prepare, when
        # reconcile scans shared by the claims a dead run left: (since, started, key → ids)
        self._scan: tuple[float, float, dict[str, list[int]]] | None = None
        self._scan_lock = anyio.Lock()
        # key → (since when reconcile looked for it, when that look began)
        self._looked_up: dict[str, tuple[float, float]] = {}
        # keys of creates this job had in doubt (handed to reconcile): only for those can a
        # deal found under a claim that names this job be its own create
        self._reconciled: set[str] = set()
        # keys of pending creates the resume's re-check found on a deal (before_resume)
        self._found_on_resume: set[str] = set()
        # upsert updates the runner's re-check read in this process (a row that waited for
        # its person / org comes round again: read once, as the plan prices it)
        self._rechecked: set[int] = set()
        # item id → the payload a retry mapped it to (the stored one is the load's): reconcile
        # must settle the persons / orgs of *that* payload
        self._remapped: dict[int, Mapping[str, Any]] = {}
        # items whose send (deal, person or org) was in doubt in this process; items in doubt
        # only because a run died while they were handed out are not among them
        self._doubted: set[int] = set()
        self.claim_waits = 0  # rows that waited for another run's create of their key
        self.found_created = 0  # rows whose key another run (or a dead one) had created
        self.claims_lost = 0  # creates not sent because their claim was lost before the send
        self.settings = settings
        self.key_code = key_code
        self.resolver = Resolver(AsyncJobStore(store), claims=lambda: self.claims,
                                 scope=lambda: self.key_code, lease=lease,
                                 loaded=lambda: self.store.created_at,
                                 on_wait=self._give_back, job_id=store.job_id)
        self._planner = planner
        self._planner_lock = anyio.Lock()
        self._unusable: MappingUnusable | None = None
        self.started = time.monotonic()
        current = file_sha(settings.mapping)
        self.mapping_changed = mapping_sha is not None and current is not None and \
            current != mapping_sha

    def __repr__(self) -> str:
        return (f"ImportJob({self.store.job_id!r}, mode={self.settings.mode}, "
                f"mapping_changed={self.mapping_changed}, {self.resolver!r})")

    @classmethod
    def from_store(cls, store: JobStore) -> ImportJob:
        """Rebuild the job kind for ``resume`` / ``retry``."""
        if not store.loaded:
            raise InputError(f"job {store.job_id} was interrupted while its manifest was being "
                             "loaded; nothing was sent yet: start the import again")
        settings = ImportSettings.from_json(store.config["import"])
        return cls(store, settings, str(store.meta_get(META_KEY_CODE)),
                   mapping_sha=store.meta_get(META_SHA))

    # -- mapping rows again (retry) ---------------------------------------------------------
    def check_retry(self, store: JobStore) -> None:
        """Before ``pdbulk retry`` puts the failed rows back: when some must be mapped again,
        the mapping must load (InputError / MappingError otherwise: exit 1, the job left
        as it was; before, the run stopped on it with exit 4 and the job 'stopped')."""
        if any(self._needs_mapping(i) for i in store.items(ItemState.FAILED)):
            ImportMapping.load(self.settings.mapping)

    def _needs_mapping(self, item: Item) -> bool:
        payload = item.payload
        if payload.get("duplicate"):
            return False
        if "deal" not in payload and "changes" not in payload:
            return True
        return self.mapping_changed

    async def _planner_for(self, ctx: CallContext) -> RowPlanner:
        async with self._planner_lock:
            if self._unusable is not None:
                raise self._unusable
            if self._planner is None:
                s = self.settings
                try:
                    mapping = ImportMapping.load(s.mapping)
                    planner, _, _ = await RowPlanner.build(ctx, mapping, self._columns(),
                                                           mode=s.mode, create_key_field=False)
                except InputError as exc:
                    self._unusable = MappingUnusable(f"rows need mapping again, but: {exc}")
                    raise self._unusable from None
                planner.use(s)
                await self._use_marks(planner)
                if planner.key_code != self.key_code:
                    self._unusable = MappingUnusable(
                        "the mapping's key field is not the one this job was loaded with; "
                        "start a new import instead")
                    raise self._unusable
                self._planner = planner
            return self._planner

    async def _use_marks(self, planner: RowPlanner) -> None:
        """Rows mapped again read their numbers as the load decided from the whole file
        (``META_MARKS``); a job loaded before that was stored learns them from the
        manifest again, if it is still there (else ambiguous cells are row errors)."""
        marks = self.store.meta_get(META_MARKS)
        if isinstance(marks, Mapping):
            planner.mapper.use_decimal_marks(marks)
            return
        from .import_load import learn_marks

        try:
            await anyio.to_thread.run_sync(lambda: learn_marks(planner, self.settings))
        except (InputError, OSError):
            planner.mapper.use_decimal_marks({})

    def _columns(self) -> list[str]:
        stored = self.store.meta_get("source_columns")
        return [str(c) for c in stored] if isinstance(stored, list) else []

    async def _mapped_again(self, ctx: CallContext,
                            item: Item) -> tuple[str, dict[str, Any]] | Outcome:
        planner = await self._planner_for(ctx)
        # the row exactly as the first run read it: its cells' types and the reader's own
        # refusal too (a record the reader refused must keep that reason, not become a row
        # whose key is empty)
        decided = planner.decide(source_row(item.row or 0, item.payload), check_duplicate=False)
        if decided.state is ItemState.FAILED:
            return Outcome(item.id, ItemState.FAILED, error=decided.error,
                           result={"column": decided.payload.get("column")})
        if decided.state is ItemState.SKIPPED:
            return Outcome(item.id, ItemState.DONE, result=decided.payload["result"])
        return decided.op, decided.payload

    # -- one row ----------------------------------------------------------------------------
    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        op, payload = item.op, item.payload
        if self._needs_mapping(item):
            again = await self._mapped_again(ctx, item)
            if isinstance(again, Outcome):
                return again
            op, payload = again
            self._remapped[item.id] = payload
        elif payload.get("duplicate"):
            return Outcome(item.id, ItemState.FAILED, error=str(payload["duplicate"]),
                           result={"column": payload.get("column")})
        try:
            try:
                org_id = await self.resolver.resolve(ctx, payload.get("org"))
                person_id = await self.resolver.resolve(ctx, payload.get("person"))
            except Deferred:  # only waited for its person/org: not an attempt
                return Outcome(item.id, ItemState.PENDING, unsent=True)
            if op == "update":
                outcome = await self._update(ctx, item, payload, person_id, org_id)
            else:
                outcome = await self._create(ctx, item, payload, person_id, org_id)
        except InDoubt:
            self._doubted.add(item.id)
            raise
        if outcome.state is ItemState.DONE and outcome.result is not None:
            # the references this job created for the row: its record of what it created
            # (summary, undo --contacts) must not depend on the load's payload
            outcome.result.setdefault("new", self._new(payload))
        return outcome

    # -- creating under a claim ---------------------------------------------------------------
    @property
    def claims(self) -> Claims:
        """The claims the creates go through: the one injected, else ``open_claims()``
        (Redis on a shared coordinator, else local)."""
        if self._claims is None:
            self._claims = open_claims()
            self._owns_claims = True
        return self._claims

    def claim_name(self, key: str) -> str:
        return claim_name(self.key_code, key)

    async def prepare(self, items: Sequence[Item]) -> None:
        """Claim the creates of a batch about to be sent in one step (one transaction
        locally, one round trip on Redis) instead of one each; the releases of the
        creates done so far are written in the same step. A key another live run
        holds is left to ``_claim`` when its row comes."""
        keys = [i.key for i in items if i.op == "create" and i.key and i.key not in self._pool]
        got = await self.claims.acquire_many([self.claim_name(k) for k in keys], self.lease,
                                             tag=self.store.job_id)
        now = time.time()
        for key in keys:
            claim = got.get(self.claim_name(key))
            if isinstance(claim, Claim):
                self._pool[key] = (claim, now)

    async def finish(self) -> None:
        """At the end of the run: give back the claims of rows never sent, write every
        release still queued, and close the claims this job opened (a later run opens
        them again)."""
        if self._claims is None:
            return
        try:
            await self._give_back()
        finally:
            if self._owns_claims:
                claims, self._claims, self._owns_claims = self._claims, None, False
                await claims.aclose()

    async def _give_back(self) -> None:
        """Release the claims ``prepare`` took for rows not sent yet (and the queue)."""
        for claim, _ in self._pool.values():
            self.claims.release_soon(claim)
        self._pool.clear()
        await self.claims.flush()

    async def _claim(self, key: str) -> tuple[Claim, float] | str:
        """The claim on ``key``'s create (and when it was had), waiting (bounded) for
        another live holder; a string says why it could not be had. A claim ``prepare``
        took is used while more than half its lease is left."""
        pooled = self._pool.pop(key, None)
        if pooled is not None and pooled[0].expires - time.time() > self.lease / 2:
            return pooled
        name = self.claim_name(key)
        held: Held | None = None
        for _ in range(8):
            got = await acquire(self.claims, name, self.lease, tag=self.store.job_id)
            if isinstance(got, Claim):
                return got, time.time()
            held = got
            self.claim_waits += 1
            await self._give_back()  # never hold claims while waiting: no deadlock
            if not await self.claims.wait_released(name, self.claim_wait):
                break
        who = held.holder if held is not None else "another run"
        return (f"key {key!r} is being created by another run ({who}) that did not finish "
                f"within {self.claim_wait:.0f} s; not created here (pdbulk retry sends it again)")

    async def _read_keyed(self, ctx: CallContext, deal_id: int, key: str) -> dict[str, Any] | None:
        """Deal ``deal_id`` if it still exists and still carries ``key`` (1 token)."""
        try:
            res = await ctx.call("getDeal", path={"id": deal_id})
        except NotFound:
            return None
        deal = dict(res.data) if isinstance(res.data, Mapping) else None
        if deal is None or deal.get("is_deleted") or deal.get("status") == "deleted":
            return None
        return deal if deal_key(deal, self.key_code) == key else None

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
            since = (claim.since or 0.0) - RECONCILE_MARGIN
            if born is not None and claim.since is not None and claim.since < born:
                # untrusted only because the claims' state is young (its previous holder
                # did not die: it was lost): a scan begun once the creates sent before
                # the loss are answered sees them all
                return since, min(had, born + SETTLED_AFTER_BIRTH)
            return since, had
        created = self.store.created_at
        if born is not None and created and created < born:
            return created - RECONCILE_MARGIN, min(had, born + SETTLED_AFTER_BIRTH)
        return None

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
            since = lost_since - RECONCILE_MARGIN
            untrusted = (min(since, untrusted[0]) if untrusted else since, had)
        if isinstance(previous.get("deal_id"), int):
            found = await self._read_keyed(ctx, int(previous["deal_id"]), key)
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
                start = min([since, *(d - RECONCILE_MARGIN for d in dead)])
                started = time.time()
                ids: dict[str, list[int]] = {}
                for deal in await added_since(ctx, "getDeals", start,
                                              params={"custom_fields": self.key_code}):
                    k = deal_key(deal, self.key_code)
                    if k is not None:
                        ids.setdefault(k, []).append(int(deal["id"]))
                scan = self._scan = (start, started, ids)
        hits = scan[2].get(key)
        if not hits:
            return None
        if len(set(hits)) > 1:  # never resolved by picking one (issue 9 section 1)
            raise _Ambiguous(key, sorted(set(hits)))
        return await self._read_keyed(ctx, min(hits), key)

    async def _create(self, ctx: CallContext, item: Item, payload: Mapping[str, Any],
                      person_id: int | None, org_id: int | None) -> Outcome:
        key = item.key or ""
        lost_since: float | None = None
        for _ in range(LOST_CLAIM_TRIES):
            claimed = await self._claim(key)
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
                    if existing is None:
                        body = dict(payload["deal"])
                        if person_id is not None:
                            body["person_id"] = person_id
                        if org_id is not None:
                            body["org_id"] = org_id
                        # proved still held right before the send, after its admission
                        # (a freeze past the lease, a lost Redis, a wait for its turn
                        # longer than the lease): else claim again and look again
                        try:
                            res = await ctx.call("addDeal", json=body,
                                                 guard=partial(confirm_or_lost, lease))
                        except NotSent:
                            lost, lost_since = True, min(had, lost_since or had)
                            self.claims_lost += 1
                            continue
                        except InDoubt:
                            # released at once, in doubt: whoever claims the key next (this
                            # run's reconcile, or another run now) looks it up first, and a
                            # deal found is this job's (bulk.claims.in_doubt_outcome)
                            keep = True
                            self.claims.release_soon(claim, in_doubt_outcome(
                                had, self.store.job_id))
                            try:  # written now: a run waiting on the key wakes at once
                                await self.claims.flush()
                            except Exception:  # Redis gone: the next acquire / flush says so
                                pass
                            raise
                if existing is not None:
                    deal_id = int(existing["id"])
                    creator = self._creator(claim, deal_id)
                    if creator == self.store.job_id and key in self._reconciled:
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
                            "update_time": existing.get("update_time"), **matched_by(payload)})
                    self.found_created += 1
                    outcome = self._outcome(deal_id, claim.previous, ours=False, creator=(
                        None if creator == self.store.job_id else creator))
                    return await self._exists(ctx, item, payload, existing, person_id, org_id)
                outcome = self._outcome(int(res.data["id"]), None)
                return Outcome(item.id, ItemState.DONE, result={
                    "deal_id": res.data["id"], "action": "created", "person_id": person_id,
                    "org_id": org_id, "update_time": res.data.get("update_time"),
                    # undo: the editable fields as created (an edit in the create's own
                    # second leaves update_time as it was; issue 9, v9r4 F4). Not for a
                    # create found by a lookup: its list read may carry fewer fields
                    "digest": editable_digest(res.data), **matched_by(payload)})
            finally:
                if not keep and not lost:  # written with the next batch's claims (or at finish)
                    self.claims.release_soon(claim, outcome)
        return Outcome(item.id, ItemState.FAILED, error=(
            f"key {key!r}: the claim on its create was lost {LOST_CLAIM_TRIES} times before "
            "the send (another run took it over); not created here (pdbulk retry sends it "
            "again)"))

    async def _exists(self, ctx: CallContext, item: Item, payload: Mapping[str, Any],
                      existing: Mapping[str, Any], person_id: int | None,
                      org_id: int | None) -> Outcome:
        """The key got its deal from another run meanwhile: upsert updates it, insert skips."""
        deal_id = int(existing["id"])
        if self.settings.mode != "upsert":
            return Outcome(item.id, ItemState.DONE, result={
                "deal_id": deal_id, "action": "exists", "person_id": existing.get("person_id"),
                "org_id": existing.get("org_id"),
                "note": "created meanwhile by another run; not created again"})
        body = deal_changes(existing, payload["deal"])
        if existing.get("is_archived"):
            if not self.settings.unarchive:
                return Outcome(item.id, ItemState.FAILED, error=(
                    f"key {item.key} belongs to archived deal {deal_id}; archived deals cannot "
                    "be edited (pass --unarchive to unarchive and update it)"))
            body["is_archived"] = False
        for name, rid in (("person_id", person_id), ("org_id", org_id)):
            if rid is not None and rid != existing.get(name):
                body[name] = rid
        store = AsyncJobStore(self.store)
        earlier = await store.before_image("deal", deal_id)
        if earlier is not None and earlier.item_id == item.id:
            # this row's update of that deal was sent before (a run that died, an answer
            # lost): decided against the picture taken then, never over a colleague's edit
            decided = self._sent_before(item, payload, existing, earlier.before, body,
                                        person_id, org_id)
            if decided is not None:
                return decided
        if not body:
            return Outcome(item.id, ItemState.SKIPPED, result={
                "deal_id": deal_id, "action": "unchanged", "person_id": existing.get("person_id"),
                "org_id": existing.get("org_id")})
        # its previous values first, so that `pdbulk undo` can put them back
        await store.put_before_images([BeforeImage(
            "deal", deal_id, item.id, before_image(dict(existing), body), time.time())])
        res = await ctx.call("updateDeal", path={"id": deal_id}, json=body)
        return Outcome(item.id, ItemState.DONE, result={
            "deal_id": deal_id, "action": "updated",
            "person_id": person_id if person_id is not None else existing.get("person_id"),
            "org_id": org_id if org_id is not None else existing.get("org_id"),
            "update_time": _update_time(res.data), **matched_by(payload)})

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
        verdict, drift = in_flight(dict(existing), image, wanted)
        written = {*(image.get("fields") or {}), *(image.get("custom_fields") or {})}
        unwritten = sorted(({k for k in body if k != "custom_fields"}
                            | set(body.get("custom_fields") or {})) - written - {"is_archived"})
        if verdict == "unsent" and unwritten:
            custom = existing.get("custom_fields") or {}
            verdict, drift = "conflict", "; ".join(
                f"{k}: {wanted.get(k, (wanted.get('custom_fields') or {}).get(k))!r} then, "
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
                "update_time": existing.get("update_time"), **matched_by(payload)})
        return None

    async def _update(self, ctx: CallContext, item: Item, payload: Mapping[str, Any],
                      person_id: int | None, org_id: int | None) -> Outcome:
        body = dict(payload["changes"])
        kept = payload.get("kept") or {}
        if payload.get("person") is not None:
            body["person_id"] = person_id
        if payload.get("org") is not None:
            body["org_id"] = org_id
        deal_id = payload["deal_id"]
        res = await ctx.call("updateDeal", path={"id": deal_id}, json=body)
        return Outcome(item.id, ItemState.DONE, result={
            "deal_id": deal_id, "action": "updated",
            "person_id": person_id if payload.get("person") is not None else kept.get("person_id"),
            "org_id": org_id if payload.get("org") is not None else kept.get("org_id"),
            # undo: a deal whose update_time is no longer this one changed since
            "update_time": _update_time(res.data), **matched_by(payload)})

    # -- in doubt ---------------------------------------------------------------------------
    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """Persons / orgs first, then deals: each create found is DONE, the rest goes back to
        pending; updates are decided against the deals as they are now
        (``_updates_in_flight``)."""
        if not items:
            return []
        since = min(i.sent_at or 0.0 for i in items) - RECONCILE_MARGIN
        looked_at = time.time()  # the scan below begins after this
        payloads = {i.id: await self._sent_payload(ctx, i) for i in items}
        refs = [ref for item in items for ref in refs_of(payloads[item.id])]
        await self.resolver.reconcile(ctx, refs, since)
        creates = [i for i in items if i.op == "create" and i.key]
        self._reconciled.update(str(i.key) for i in creates)
        found: dict[str, Mapping[str, Any]] = {}
        twice: dict[str, set[int]] = {}  # keys two or more deals added since carry
        if creates:
            wanted = {i.key for i in creates}
            for deal in await added_since(ctx, "getDeals", since,
                                          params={"custom_fields": self.key_code}):
                key = deal_key(deal, self.key_code)
                if key is None or key not in wanted:
                    continue
                if key in found and found[key]["id"] != deal["id"]:
                    twice.setdefault(key, {int(found[key]["id"])}).add(int(deal["id"]))
                if key not in found or deal["id"] < found[key]["id"]:
                    found[key] = deal
        # The claims of these creates (ours, or a dead run's: e.g. this job's own process
        # before a kill -9) are settled too, so a later run learns the outcome for free.
        # A deal found by key is this job's create only when it can be: not when the claim
        # says another job created it, nor when it was added before the row was sent (a run
        # that started after this one died may have created the key: attributing its deal
        # to this job would make `pdbulk undo` of this job delete it).
        foreign: dict[int, str] = {}
        for i in creates:
            if not i.key:
                continue
            if i.key in twice:  # neither is taken for this row's create: the row fails
                await self._settle_claim(i, None, payloads[i.id].get("deal"))
                continue
            why = await self._settle_claim(i, found.get(i.key), payloads[i.id].get("deal"))
            if why is not None:
                foreign[i.id] = why
        updates = await self._updates_in_flight(
            ctx, [i for i in items if i.op == "update"
                  and isinstance(payloads[i.id].get("changes"), Mapping)], payloads)
        out = []
        for item in items:
            if item.id in updates:
                self._doubted.discard(item.id)
                out.append(updates[item.id])
                continue
            key = item.key or ""
            if item.op == "create" and key in twice:
                self._doubted.discard(item.id)
                out.append(Outcome(item.id, ItemState.FAILED, error=str(
                    _Ambiguous(key, sorted(twice[key])))))
                continue
            hit = found.get(key) if item.op == "create" else None
            if item.op == "create":
                self._looked_up[key] = (since, looked_at)
            if hit is not None and item.id in foreign:
                # another run's deal: not created here. The row goes back to pending and its
                # create path finds the deal through the claim's outcome (settled above, or by
                # the live run holding it): upsert updates it, insert reports it `exists`.
                self._doubted.discard(item.id)
                out.append(Outcome(item.id, ItemState.PENDING, unsent=True))
                continue
            if hit is None:
                # Not applied. Sent and lost in this process: an attempt (the runner stops
                # the job when the account keeps losing answers). Left in flight by a run
                # that died (kill -9, a crash) while the row waited its turn or its
                # person/org: no evidence of lost answers, and the attempt is given back —
                # or every kill would use up an attempt of every row handed out.
                out.append(Outcome(item.id, ItemState.PENDING,
                                   unsent=item.id not in self._doubted))
                self._doubted.discard(item.id)
                continue
            self._doubted.discard(item.id)
            payload = payloads[item.id]
            out.append(Outcome(item.id, ItemState.DONE, result={
                "deal_id": hit["id"], "action": "created", "person_id": hit.get("person_id"),
                "org_id": hit.get("org_id"), "reconciled": True,
                "update_time": hit.get("update_time"), "new": self._new(payload),
                **matched_by(payload)}))
        return out

    async def _updates_in_flight(self, ctx: CallContext, items: Sequence[Item],
                                 payloads: Mapping[int, Mapping[str, Any]]
                                 ) -> dict[int, Outcome]:
        """Upsert updates left in flight (issue 9, F2), decided against the deals as they are
        now — read 100 per call (``GET /api/v2/deals?ids=``; rows that unarchive also from
        the archived list) after the persons / organizations in doubt were settled — with
        ``jobs.deals.in_flight`` on the PATCH body as sent (the changed fields, and the
        person / organization links, whose before-values are the ``kept`` ids): applied →
        DONE ``updated``; as wanted before → SKIPPED ``unchanged``; gone → failed (404);
        another value → conflict, failed, nothing sent; not applied → pending (sent
        again; an attempt only when this process lost the answer). A link to a person /
        organization not created yet is never taken as applied."""
        if not items:
            return {}
        ids = [int(payloads[i.id]["deal_id"]) for i in items]
        archived = [int(payloads[i.id]["deal_id"]) for i in items
                    if payloads[i.id]["changes"].get("is_archived") is False]
        current = await read_current(ctx, ids, archived)
        wanted_ids = set(ids)
        images = {b.entity_id: b.before for b in self.store.before_images("deal")
                  if b.entity_id in wanted_ids}
        out: dict[int, Outcome] = {}
        for item in items:
            payload = payloads[item.id]
            deal_id = int(payload["deal_id"])
            body = dict(payload["changes"])
            image = dict(images.get(deal_id) or {"fields": {}, "custom_fields": {}})
            fields = dict(image.get("fields") or {})
            kept = payload.get("kept") or {}
            reached = True
            for name in ("person", "org"):
                ref = payload.get(name)
                if not isinstance(ref, Mapping):
                    continue
                rid = ref.get("id") if "id" in ref else self.store.lookup_get(
                    str(ref["kind"]), str(ref["key"]))
                reached = reached and rid is not None
                body[f"{name}_id"] = rid
                fields[f"{name}_id"] = kept.get(f"{name}_id")
            image["fields"] = fields
            deal = current.get(deal_id)
            verdict, drift = in_flight(deal, image, body, reached=reached)
            if verdict == "gone":
                out[item.id] = Outcome(item.id, ItemState.FAILED, status=404, error=(
                    f"deal {deal_id} (key {item.key}) no longer takes writes (deleted, merged "
                    "away or archived while the update was in flight); not updated, not "
                    "re-created"))
            elif verdict == "conflict":
                out[item.id] = Outcome(item.id, ItemState.FAILED, error=(
                    f"conflict: deal {deal_id} (key {item.key}) changed while the update was "
                    f"in flight ({drift}); left alone, nothing sent (import the row again to "
                    "overwrite it)"))
            elif verdict == "unsent":
                out[item.id] = Outcome(item.id, ItemState.PENDING,
                                       unsent=item.id not in self._doubted)
            else:
                assert deal is not None
                result = {"deal_id": deal_id, "person_id": deal.get("person_id"),
                          "org_id": deal.get("org_id"), **matched_by(payload)}
                out[item.id] = (
                    Outcome(item.id, ItemState.SKIPPED, result={**result, "action": "unchanged"})
                    if verdict == "unchanged" else
                    Outcome(item.id, ItemState.DONE, result={
                        **result, "action": "updated", "reconciled": True,
                        "update_time": deal.get("update_time"), "new": self._new(payload)}))
        return out

    def _new(self, payload: Mapping[str, Any]) -> list[str]:
        """The row's references this job created (not those another run created)."""
        return [name for name in to_create(payload) if self.resolver.made(payload[name])]

    async def _sent_payload(self, ctx: CallContext, item: Item) -> Mapping[str, Any]:
        """The payload ``item`` was sent with: the one a retry mapped it to (remembered, or
        mapped again the same way after a crash), else the stored one."""
        if item.id in self._remapped:
            return self._remapped[item.id]
        if self._needs_mapping(item):
            again = await self._mapped_again(ctx, item)
            if not isinstance(again, Outcome):
                self._remapped[item.id] = again[1]
                return again[1]
        return item.payload

    def _outcome(self, deal_id: int, previous: Mapping[str, Any] | None,
                 *, ours: bool = True, creator: str | None = None) -> dict[str, Any]:
        """The outcome a claim on a key is released with: ``{"deal_id": id, "job": creator}``.
        ``job`` names the job that created the deal: this one when ``ours``, else the one
        the previous outcome named for that same deal (kept as it is passed on), else
        ``creator`` (the job a dead holder claimed it for: ``_creator``), else absent
        (unknown)."""
        if ours:
            return {"deal_id": deal_id, "job": self.store.job_id}
        prev = previous or {}
        job = prev.get("job")
        if prev.get("deal_id") == deal_id and isinstance(job, str):
            return {"deal_id": deal_id, "job": job}
        return {"deal_id": deal_id, "job": creator} if creator else {"deal_id": deal_id}

    @staticmethod
    def _creator(claim: Claim, deal_id: int) -> str | None:
        """The job that created deal ``deal_id``, found under ``claim`` by its key: the one
        its previous outcome names for that deal; else, when the previous holder died
        holding the claim (``reconcile``), the job it held it for (``prev_tag``): a deal
        found with the key then was sent under that claim (claims exclude every other
        pdbulk run); None: unknown."""
        prev = claim.previous or {}
        if prev.get("deal_id") == deal_id and isinstance(prev.get("job"), str):
            return str(prev["job"])
        if claim.reconcile and claim.prev_tag:  # an older outcome names another deal: gone
            return claim.prev_tag
        return None

    def _not_ours(self, item: Item, hit: Mapping[str, Any],
                  previous: Mapping[str, Any] | None,
                  body: Mapping[str, Any] | None = None) -> str | None:
        """Why deal ``hit``, found by the key of in-doubt create ``item``, cannot be this
        job's create (None: it can be): the claim's ``previous`` outcome names that deal
        as created by another job; the deal was added before the row was last sent (its
        ``add_time`` earlier than ``item.sent_at`` by more than RECONCILE_MARGIN s); or,
        with ``body`` (the addDeal body this row sends), its title or value is not the one
        this row sends — a deal someone else created with the key (by hand, another tool)
        while the row was in flight, which no claim knows about."""
        if body:
            for name in ("title", "value"):
                if name in body and not same(hit.get(name), body[name]):
                    return f"its {name} is not this row's ({hit.get(name)!r})"
        prev = previous or {}
        job = prev.get("job")
        if prev.get("deal_id") == int(hit["id"]) and isinstance(job, str) \
                and job != self.store.job_id:
            return f"created by job {job}"
        added = parse_time(hit.get("add_time"))
        if added is not None and item.sent_at is not None \
                and added < item.sent_at - RECONCILE_MARGIN:
            return "added before this row was sent"
        return None

    async def _settle_claim(self, item: Item, hit: Mapping[str, Any] | None,
                            body: Mapping[str, Any] | None = None) -> str | None:
        """Release the claim on ``item``'s key with what reconcile found (nothing when not
        found: the row is sent again under a fresh claim): a dead holder's, taken over.
        This run's own claim, taken for the row's batch (``prepare``) before the row was
        in doubt for its person or organization, is released with the deal found, else
        kept for the row's next send. Returns why ``hit`` is not this job's create
        (``_not_ours``; also when a live run holds the claim: it is settling the key
        now), None when it can be or nothing was found.

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
                why = self._not_ours(item, hit, claim.previous, body)
                await self.claims.release(claim, self._outcome(int(hit["id"]), claim.previous,
                                                               ours=why is None))
                return why
            # lost (its lease ran out while this run was frozen, another run took it over):
            # it proves nothing; the claim is had again and its outcome read (F1, v12r4)
        got = await self._claim_to_settle(key)
        if not isinstance(got, Claim):  # a live run holds it past the wait: it settles it
            return None if hit is None else f"being settled by another run ({got.holder})"
        why = self._not_ours(item, hit, got.previous, body) if hit is not None else None
        await self.claims.release(got, None if hit is None else self._outcome(
            int(hit["id"]), got.previous, ours=why is None))
        return why

    async def _claim_to_settle(self, key: str) -> Claim | Held:
        """The claim on ``key`` for a reconcile to read its outcome: when another live run
        holds it, that run is waited for (once, at most ``claim_wait`` s, this run's pooled
        claims given back first: no deadlock) and the claim asked again. Why wait: the
        holder may be a run that only found the deal (a resume's re-check, a row that
        skipped it as ``unchanged``); leaving the row to it made no job own a deal this
        job sent in doubt (v12r4 F2: Redis restarted empty, three resumes at once)."""
        name = self.claim_name(key)
        got = await acquire(self.claims, name, self.lease, tag=self.store.job_id)
        if isinstance(got, Held):
            await self._give_back()
            if await self.claims.wait_released(name, self.claim_wait):
                got = await acquire(self.claims, name, self.lease, tag=self.store.job_id)
        return got

    # -- resuming -----------------------------------------------------------------------------
    def _rereading(self, store: JobStore) -> tuple[list[Item], list[int], list[int]]:
        """The pending updates a resume re-reads, their deal ids, and the ids of those that
        unarchive their deal (read from the archived list as well: the default one omits
        archived deals, so without it every such row would read as gone)."""
        pending = [i for i in store.items(ItemState.PENDING)
                   if i.op == "update" and isinstance(i.payload.get("changes"), Mapping)
                   and not self._needs_mapping(i)]
        return (pending, *reread_targets(pending))

    def reread_calls(self, store: JobStore) -> dict[str, int]:
        """The calls ``before_resume`` makes now, by operation (for the plan): the pending
        updates' deals, and with pending creates the first page of the deals added since
        the load (more when over 500 were added)."""
        _, ids, archived = self._rereading(store)
        calls = Counter(reread_calls(ids, archived))
        if self._pending_creates(store):
            calls["getDeals"] += 1
        return dict(calls)

    def resume_calls(self, store: JobStore) -> dict[str, int]:
        """The calls a resume makes now, by operation: the re-read; one PATCH per pending
        update and one create per pending deal, and per person / organization they still
        need (created once, however many rows name it); for creates in doubt, the first
        page of the deals added since (500 per page), and for persons / organizations of
        rows in doubt that are not known yet, the first page of those added since. Rows
        mapped again (retry of a row that failed its checks, a changed mapping file) count
        their deal's write (a create unless stored as an update); the catalog and indexes
        they pull again and the persons / organizations they may create are not counted
        here (``unpriced`` says how many rows)."""
        calls = Counter(self.reread_calls(store))
        needed: set[tuple[str, str]] = set()
        doubted: set[tuple[str, str]] = set()  # references of rows in doubt
        doubt = False
        for state in (ItemState.PENDING, ItemState.SENDING):
            for item in store.items(state):
                if item.payload.get("duplicate"):
                    continue
                if self._needs_mapping(item):
                    # mapped again first (a retried row that failed its checks): its write
                    # is sent all the same — priced (issue 10 F5: the plan said "getDeals
                    # 1" and sent 2 addDeal); its persons / organizations are not known yet
                    calls["updateDeal" if item.op == "update" else "addDeal"] += 1
                    continue
                if item.op != "update" and item.key in self._found_on_resume:
                    calls["getDeal"] += 1  # the deal found by the re-check: read, then
                    calls["updateDeal"] += self.settings.mode == "upsert"  # maybe patched
                else:
                    calls["updateDeal" if item.op == "update" else "addDeal"] += 1
                doubt = doubt or (state is ItemState.SENDING and item.op != "update")
                for ref in refs_of(item.payload):
                    needed.add((str(ref["kind"]), str(ref["key"])))
                    if state is ItemState.SENDING:
                        doubted.add((str(ref["kind"]), str(ref["key"])))
        missing = {ref for ref in needed if store.lookup_get(*ref) is None}
        for kind, _key in missing:
            calls["addPerson" if kind == "person" else "addOrganization"] += 1
        calls["getDeals"] += int(doubt)
        # reconcile reads the deals of the updates in doubt (F2)
        calls.update(reread_calls(*reread_targets(
            i for i in store.items(ItemState.SENDING) if i.op == "update"
            and isinstance(i.payload.get("changes"), Mapping) and not self._needs_mapping(i))))
        # reconcile looks for the persons / orgs in doubt among those added since (F5)
        for kind in {kind for kind, _ in doubted & missing}:
            calls["getPersons" if kind == "person" else "getOrganizations"] += 1
        return {op: n for op, n in calls.items() if n}

    def unpriced(self, store: JobStore) -> int:
        """Pending rows a resume maps again (their pulls are not in ``resume_calls``)."""
        return sum(1 for state in (ItemState.PENDING, ItemState.SENDING)
                   for item in store.items(state) if self._needs_mapping(item))

    async def before_resume(self, ctx: CallContext, store: JobStore) -> list[str]:
        """Re-decide the pending rows against the account as it is now: a job resumed
        later (or retried) must not work from the picture its load took.

        Pending updates (upsert): the deals are read 100 per call (``GET
        /api/v2/deals?ids=``, 10 tokens; the deals of rows that unarchive also from ``GET
        /api/v2/deals/archived?ids=``, 20 tokens). A deal that no longer takes writes
        (deleted, merged away, or archived since, for a row that does not unarchive it)
        fails its row with that reason, nothing sent — it is not re-created either
        (someone removed it on purpose; import the row again to create it). A deal
        already as the row wants it (fields and links) is ``unchanged``, no PATCH. A deal
        someone changed since the load in a field of its before-image (what the PATCH
        writes) is a *conflict*: failed, nothing sent (``jobs.updating.drifted``). The
        rest is sent as decided.

        Pending creates: ``_creates_again``. Returns the lines to print."""
        lines = await self._updates_again(ctx, store)
        return lines + await self._creates_again(ctx, store)

    async def _updates_again(self, ctx: CallContext, store: JobStore) -> list[str]:
        pending, ids, archived = self._rereading(store)
        if not pending:
            return []
        current, images = await reread_with_images(ctx, store, ids, archived)
        outcomes: list[Outcome] = []
        counts: Counter[str] = Counter()
        for item in pending:
            deal_id = int(item.payload["deal_id"])
            decided = _update_now(item, current.get(deal_id), images.get(deal_id),
                                  "since the job was loaded")
            if decided is not None:
                counts[decided[0]] += 1
                outcomes.append(decided[1])
        gone, unchanged, conflicts = counts["gone"], counts["unchanged"], counts["conflict"]
        await AsyncJobStore(store).record(outcomes)
        return [f"re-read {len(pending):,} pending update(s): {unchanged:,} already as wanted "
                f"(unchanged), {gone:,} gone" + (f", {conflicts:,} conflicts" if conflicts
                                                  else "") + ", "
                f"{len(pending) - unchanged - gone - conflicts:,} to send"]

    def _recheckable(self, item: Item) -> bool:
        return (item.op == "update" and isinstance(item.payload.get("changes"), Mapping)
                and not item.payload.get("duplicate") and not self._needs_mapping(item))

    async def recheck(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """The runner's re-check of a batch right before it is sent (``bulk.runner``), for
        its upsert updates (creates are guarded by their claims): their deals read now,
        100 per ``GET /api/v2/deals?ids=`` (10 tokens; rows that unarchive also from the
        archived list, 20), each decided as ``before_resume`` decides it — gone → FAILED
        (not re-created), already as wanted → SKIPPED ``unchanged``, a field of its
        before-image changed since the load → FAILED conflict, nothing sent; the rest
        are sent, their before-images renewed to this read where the deal still holds
        them (``image_holds``). Each row is read once per process. Returns the outcomes
        of the items not to send."""
        checked = [i for i in items if self._recheckable(i) and i.id not in self._rechecked]
        if not checked:
            return []
        self._rechecked.update(i.id for i in checked)
        ids, archived = reread_targets(checked)
        current = await read_current(ctx, ids, archived)
        astore = AsyncJobStore(self.store)
        images = {i: b.before for i, b in (await astore.before_images_of("deal", ids)).items()}
        out: list[Outcome] = []
        fresh: list[BeforeImage] = []
        taken = time.time()
        for item in checked:
            deal_id = int(item.payload["deal_id"])
            deal, image = current.get(deal_id), images.get(deal_id)
            decided = _update_now(item, deal, image, "while the job ran")
            if decided is not None:
                out.append(decided[1])
            elif deal is not None and image is not None and image_holds(deal, image) \
                    and deal.get("update_time") != image.get("update_time"):
                fresh.append(BeforeImage("deal", deal_id, None,
                                         refreshed_image(deal, image), taken))
        if fresh:
            await astore.refresh_before_images(fresh)
        return out

    def recheck_calls(self, store: JobStore, size: int,
                      states: Sequence[ItemState] = (ItemState.PENDING,)) -> dict[str, int]:
        """The calls ``recheck`` makes over the items now in ``states`` (in id order,
        ``size`` per batch: ``bulk.runner.recheck_batch``), by operation (for plans)."""
        items = sorted((i for state in states for i in store.items(state)),
                       key=lambda i: i.id)
        return batched_calls(items, size, lambda batch: recheck_reads(
            [i for i in batch if self._recheckable(i)]))

    @staticmethod
    def _pending_creates(store: JobStore) -> list[Item]:
        return [i for i in store.items(ItemState.PENDING)
                if i.op == "create" and i.key and not i.payload.get("duplicate")]

    async def _creates_again(self, ctx: CallContext, store: JobStore) -> list[str]:
        """Look for deals created since the job was loaded that carry the keys of its
        pending creates (another user, another tool, a run that did not claim): one list
        scan of the deals added since (``GET /api/v2/deals`` newest first with the key
        field, 10 tokens per 500; ``resume_calls`` prices its first page).

        A key on exactly one such deal: its claim is released with that deal as the
        outcome, so the row's create finds it (1 token, ``getDeal``) and never adds a
        second deal: upsert updates it (only what differs, before-image first), insert
        reports it as ``exists`` (insert does not look for keys the account had at load
        time, but a deal that appeared while the job was stopped is not doubled either).
        A key on two or more such deals fails its row (``key K matches deals 12, 14``),
        nothing sent. A key another live run holds is left to that run's outcome."""
        creates = self._pending_creates(store)
        if not creates:
            return []
        wanted = {str(i.key) for i in creates}
        since = (store.created_at or 0.0) - RECONCILE_MARGIN
        found: dict[str, list[int]] = {}
        for deal in await added_since(ctx, "getDeals", since,
                                      params={"custom_fields": self.key_code}):
            key = deal_key(deal, self.key_code)
            if key is not None and key in wanted and not is_gone(deal):
                found.setdefault(key, []).append(int(deal["id"]))
        outcomes: list[Outcome] = []
        for item in creates:
            ids = sorted(set(found.get(str(item.key)) or ()))
            if len(ids) > 1:
                outcomes.append(Outcome(item.id, ItemState.FAILED, error=(
                    f"key {item.key} matches deals {', '.join(map(str, ids))} (created since "
                    "the job was loaded); not created, not updated: keep one and retry")))
            elif ids:
                self._found_on_resume.add(str(item.key))
                got = await acquire(self.claims, self.claim_name(str(item.key)), self.lease,
                                    tag=self.store.job_id)
                if isinstance(got, Claim):
                    await self.claims.release(got, {"deal_id": ids[0]})
        await AsyncJobStore(store).record(outcomes)
        hits = sum(1 for k in wanted if found.get(k))
        if not hits:
            return [f"re-checked {len(creates):,} pending create(s): no deal carries their "
                    "keys yet"]
        then = "updated instead" if self.settings.mode == "upsert" else "not created again"
        return [f"re-checked {len(creates):,} pending create(s): {hits - len(outcomes):,} "
                f"key(s) now on a deal created since the load ({then}), {len(outcomes):,} "
                "on several deals (failed)"]

    # -- after a run ------------------------------------------------------------------------
    def attach(self, planner: RowPlanner) -> None:
        """After ``load`` in this process: its planner (indexes) serves any re-mapping."""
        self.key_code = planner.key_code
        self._planner = planner
        self.mapping_changed = False

    def after_run(self, store: JobStore, result: RunResult | None) -> list[str]:
        """Rewrite the result files from the store; the lines the CLI prints."""
        from .import_load import record_run, summary_lines, write_import_results

        record_run(store, result, time.monotonic() - self.started,
                   claims={"waited": self.claim_waits, "found_created": self.found_created})
        self.started = time.monotonic()
        paths = write_import_results(store, result)
        return summary_lines(store, paths)


def recheck_reads(batch: Sequence[Item | NewItem]) -> dict[str, int]:
    """What the run's re-check reads for one batch (``ImportJob.recheck``): the deals of
    its upsert updates, 100 per call (those that unarchive also from the archived list).
    ``plan import`` prices it over the items as the load decides them."""
    return reread_calls(*reread_targets(
        [i for i in batch if i.op == "update" and isinstance(i.payload.get("changes"), Mapping)
         and not i.payload.get("duplicate")]))


def _update_now(item: Item, deal: Deal | None, image: Mapping[str, Any] | None,
                since: str) -> tuple[str, Outcome] | None:
    """A pending upsert update decided against its deal as just read (``before_resume``,
    ``recheck``): ("gone" | "unchanged" | "conflict", its outcome), or None to send it.
    ``since``: when the picture was taken, for the messages."""
    payload = item.payload
    deal_id = int(payload["deal_id"])
    if is_gone(deal):
        return "gone", Outcome(item.id, ItemState.FAILED, status=404, error=(
            f"deal {deal_id} (key {item.key}) no longer takes writes: deleted, merged "
            f"away or archived {since}; not updated, not re-created"))
    assert deal is not None
    links = [name for name in ("person", "org")
             if isinstance(payload.get(name), Mapping)
             and ("key" in payload[name] or int(payload[name]["id"]) != deal.get(f"{name}_id"))]
    if not deal_changes(deal, payload["changes"]) and not links:
        return "unchanged", Outcome(item.id, ItemState.SKIPPED, result={
            "deal_id": deal_id, "action": "unchanged", "person_id": deal.get("person_id"),
            "org_id": deal.get("org_id"), **matched_by(payload)})
    if drift := drifted(deal, image, payload["changes"]):
        return "conflict", Outcome(item.id, ItemState.FAILED, error=(
            f"conflict: deal {deal_id} (key {item.key}) changed {since} ({drift}); left "
            "alone, nothing sent (import the row again to overwrite it)"))
    return None


def _update_time(data: Any) -> Any:
    return data.get("update_time") if isinstance(data, Mapping) else None


__all__ = ["CLAIM_WAIT", "META_KEY_CODE", "META_LOADED", "META_SHA", "RECONCILE_MARGIN",
           "ImportJob", "MappingUnusable", "claim_name", "recheck_reads"]
