"""The import job kind's shared part: its constants, its state and its claims, and
rows mapped again (``pdbulk retry``); ``jobs.importing`` (the package docstring) says
how the parts fit.

Why ~950 lines: the state every part shares is set up in one place, with the helpers
they all call (rows mapped again, held rows judged again, the claims)."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncGenerator, Collection, Mapping, Sequence
from contextlib import aclosing
from functools import partial
from typing import Any, cast

import anyio

from bulk.calls import CallContext
from bulk.claims import DEFAULT_LEASE, Claim, Claims, Held, tell_wait
from bulk.claims_open import close_with_engine, open_claims
from bulk.clock import Clock, SystemClock, in_thread
from bulk.errors import BulkError, InputError
from bulk.manifest import SourceRow
from bulk.manifest_stamp import file_stamp
from bulk.reports import HOLD_DUPLICATE
from bulk.store import AsyncJobStore, Item, ItemState, JobStore, Outcome

from .. import import_load, last_written  # through the module: tests patch its functions there
from ..account import parse_time
from ..catalog import Catalog
from ..clock_skew import ANSWERED_MARGIN, RECONCILE_MARGIN, earlier  # the parts take them here
from ..deals import record_labels, stored_labels
from ..deleted_records import Deleted
from ..import_identity import META_IDENTITY, check_identity
from ..import_items import OWN_CELL, OWN_ROW, OWN_VALUE, PLACEHOLDER_CODE
from ..import_resolve import Resolver, refs_of, to_create
from ..import_rows import ImportSettings, RowPlanner, file_sha, source_row
from ..import_store import (  # what the load stores for the job: its parts take them here
    META_KEY_CODE,
    META_LOADED,
    META_MANIFEST,
    META_MARKS,
    META_SENT_MARKS,
    META_SHA,
    claim_name,
)
from ..keyset import KeySet
from ..mapping import Mapping as ImportMapping
from ..merged_deals import Merge
from ..own_cells import OWN_CELL_FIELDS, column_readers
from ..person_key_version import claimed_as, redecided_from, sent_again, sent_as_loaded
from .own_records import own_records, record_own
from .vanished import Vanished

# How long a row waits for another process's create of its key before it fails (retryable).
CLAIM_WAIT = 120.0
# How many times a create claims its key again after losing the claim before the send.
LOST_CLAIM_TRIES = 3
SENT_DEAL = "sent-deal"  # the lookup each deal create writes right before it leaves
# why a deal found for an in-doubt create is not taken as its own when the claim's record
# of this job was lost with the shared coordinator's state (``_Creates._not_ours``)
# the actions of a row whose run wrote or found its key's deal (``_rows_made``)
_MADE = frozenset({"created", "updated", "unchanged", "exists"})
_ALSO = "; this row also fails: "  # a held row's own failure (``RowPlanner._again``)
UNPROVEN = "no claim record shows this job held the key since its send"
_log = logging.getLogger("pdbulk.import")  # the load's logger, as ImportJob's

class MappingUnusable(BulkError):
    """Rows must be mapped again (retry) but the mapping file no longer compiles against the
    account: the job stops checkpointed; fix the mapping and resume."""

    terminal = True


class _ImportBase:
    """What every part of ``ImportJob`` uses: the job's state (set here, ``__init__``),
    the claims its creates go through, and rows mapped again (``pdbulk retry``, a changed
    mapping file).

    ``store``: the job's store (kind ``import``); ``settings``: what it was started with
    (the same as ``store.config["import"]``); ``key_code``: the deal field key that holds
    the source keys — leave it "" for a new job (``jobs.import_load.load`` finds or
    creates the field and sets it, ``ImportJob.attach``), a resume's comes from the store
    (``ImportJob.from_store``); ``clock``: the run's clock (default ``SystemClock``;
    ``use_clock``)."""

    def __init__(self, store: JobStore, settings: ImportSettings, key_code: str = "", *,
                 planner: RowPlanner | None = None, mapping_sha: str | None = None,
                 claims: Claims | None = None, claim_wait: float = CLAIM_WAIT,
                 lease: float = DEFAULT_LEASE, clock: Clock | None = None) -> None:
        # the run's clock (``use_clock``): leases, waits, the times kept and compared with
        # the server's add_time / update_time (``wall``), run durations (``now``)
        self.clock: Clock = clock or SystemClock()
        self.store = store
        # the calls the run makes after its last write, as ``resume_calls`` last priced
        # them (the end-of-run checks for doubles: a spent budget skips them): the plan's
        # ``trailing`` (x51r5 F6)
        self.end_of_run_calls: dict[str, int] = {}
        self._claims = claims
        self._owns_claims = False  # opened here (open_claims): closed by finish
        self._export: object = _UNREAD  # ``export_of`` the store, read with the first outcome
        self.claim_wait = claim_wait
        self.lease = lease  # seconds; renewed while a create waits (bulk.claims.kept)
        self._pool: dict[str, tuple[Claim, float]] = {}  # key → claim taken by prepare, when
        # reconcile scans shared by the claims a dead run left: (since, started, key → ids)
        self._scan: tuple[float, float, dict[str, list[int]]] | None = None
        # key → the deals carrying it that the scans found deleted (merged away, maybe)
        self._scan_gone: dict[str, set[int]] = {}
        self._scan_lock = anyio.Lock()
        self._batch_at: float | None = None  # when the batch being sent was prepared
        # deal id → the deal as a batch's re-check listed it (creates whose claims name it,
        # _Resume._read_claimed), for the batch before and this one: taken once by
        # _read_keyed
        self._batch_read: list[dict[int, Mapping[str, Any]]] = [{}, {}]
        # keys of creates held back in this run: another live run held their claim when
        # the row came (``_Creates._claim``), so the row went back to pending and comes
        # round in the next pass, its claim waited for with its batch's and the deals the
        # released claims name read together (``_Resume._claim_held_back``, x31r3 F4: one
        # getDeal a row) → the ``clock.now()`` that wait ends by, once begun (None: not yet)
        self._held_back: dict[str, float | None] = {}
        # keys whose claim named a deal when this run began (``_Resume._named_at_start``):
        # a plan priced that deal's read (``getDeal``) for their creates; None: not read yet
        self._named_before: set[str] | None = None
        # key → (since when reconcile looked for it, when that look began)
        self._looked_up: dict[str, tuple[float, float]] = {}
        # merged-away deal -> (its survivor, the merging job): jobs.merged_deals, read once
        self._merges: dict[int, Merge] | None = None
        self._merges_lock = anyio.Lock()  # one read of it at a time (``_read_merges``)
        # kind -> the ids pdbulk's undos deleted (jobs.deleted_records), read once a run
        # (``_read_deleted``): a claim naming one is known gone, never read by id
        self._deleted: Deleted | None = None
        self._deleted_lock = anyio.Lock()  # one read of it: the rows wait for its answer
        self._keys: set[str] | None = None  # the job's source keys, read when needed
        self._loaded: RowPlanner | None = None  # the planner that read the whole file here
        self._survivor_lock = anyio.Lock()  # one row of a job writes a merged survivor
        self._by_survivor: dict[int, list[str]] | None = None  # survivor -> the job's keys
        # ... and each of those keys -> the merged-away deal its claim names (``_sharing``)
        self._merged_keys: dict[str, int] = {}
        self._gone_survivor: dict[str, str] = {}  # key -> why its create is a merge undone
        # key -> why its create makes the key's deal again: the deal its claim named (this
        # state folder's or the coordinator's record of an earlier create) is gone, deleted
        # or merged in Pipedrive's own screens, with no merge recorded here (x32r4)
        self._gone_keyed: dict[str, str] = {}
        # key -> this job's create of it, found deleted by a reconcile while another deal
        # (there before the row was sent) carries the key now: a merge made by hand, with
        # no record here (``_Reconcile``); said on the row, counted as this job's create
        self._gone_create: dict[str, int] = {}
        self._listed_ids: dict[int, dict[str, Any]] | None = None  # the load's deals by id
        # keys of creates this job had in doubt (handed to reconcile): only for those can a
        # deal found under a claim that names this job be its own create
        self._reconciled: set[str] = set()
        # item id -> the person / organization creates in doubt its reconcile found made
        # by this job (``_contacts_landed``): given to the ledger by ``landed_calls``
        self.landed: dict[int, dict[str, int]] = {}
        # keys of pending creates the resume's re-check found on a deal (before_resume)
        self._found_on_resume: set[str] = set()
        # upsert updates the runner's re-check read in this process (a row that waited for
        # its person / org comes round again: read once, as the plan prices it)
        self._rechecked: set[int] = set()
        # item id → the payload a retry mapped it to (the stored one is the load's): reconcile
        # must settle the persons / orgs of *that* payload
        self._remapped: dict[int, Mapping[str, Any]] = {}
        # item id -> the person / organization references of the payload a row was held
        # back with (``Deferred``: sent once they are made), when that payload is not the
        # stored one — resolved again after a vanish, followed to a survivor, mapped again:
        # its batch's re-check waits for those (``Resolver.read_held``), else a key another
        # run held stayed held back for good (x46r11 F2: "no progress in 5 sweeps")
        self._held_refs: dict[int, tuple[Any, ...]] = {}
        # item id -> the write a row mapped again makes as the re-read decided it ("create",
        # "update"; None: none, the mapping as it is now refuses it or it changes nothing):
        # what the plan after the re-read prices (``resume_calls``; x40r2 F3)
        self._remap_sends: dict[int, str | None] = {}
        # ... and as the plan before the re-read foresees it: the rows decided together
        # as the run decides them, no call (a later row of a key its first row's duplicate)
        self._remap_foreseen: dict[int, str | None] | None = None
        # ... and the persons / organizations those rows would create (``refs_of``)
        self._remap_refs: list[Any] = []
        # rows mapped again whose update an earlier run handed out: (the deal now, the
        # before-image stored then), decided in ``_update`` (``ImportJob._image_remapped``)
        self._prior: dict[int, tuple[Mapping[str, Any], Mapping[str, Any]]] = {}
        # items whose send (deal, person or org) was in doubt in this process; items in doubt
        # only because a run died while they were handed out are not among them
        self._doubted: set[int] = set()
        # rows this process handed out whose deal create it has not sent (their person /
        # organization was in doubt, an error came first): left in doubt, a deal found by
        # their key is not theirs (v12r6, v12r7: one deal `created` by two jobs)
        self._deal_unsent: set[int] = set()
        # row → when this process saw its deal create fail in doubt (a 5xx, a lost answer):
        # a deal added after that (ANSWERED_MARGIN aside) is not that create (v12r7: after
        # a FLUSHALL another run created the key; both recorded it `created`)
        self._answered_at: dict[int, float] = {}
        # the job's measured lead (``jobs.provable_writes.job_lead``: seconds Pipedrive's
        # clock is ahead of ours; None: unknown), read again at each reconcile: every
        # add_time this kind compares with a time of ours is converted by it (x52r8 F1)
        self._lead: float | None = None
        # keys of the rows in doubt whose create this job wrote it was sending (any process
        # of it: the "sent-deal" lookups), read by reconcile; None: the job keeps no marks
        self._sent_keys: set[str] | None = None
        self._marks = bool(store.meta_get(META_SENT_MARKS))
        self._sent_since = 0  # sent-journal appends since its last compaction (``.sent``)
        self.claim_waits = 0  # rows that waited for another run's create of their key
        # person / organization creates that waited for another run's create of the same one
        self.contact_waits = 0
        self.found_created = 0  # rows whose key another run (or a dead one) had created
        self.claims_lost = 0  # creates not sent because their claim was lost before the send
        self.unattributed = 0  # in-doubt creates whose deal found could be another run's
        self.merges_undone = 0  # merged-away keys created again: their survivor is deleted
        self.keys_recreated = 0  # keys created again: the deal their claim named is gone
        # tokens read by id of the records another run's deals were linked to as created,
        # moved since (``creates.merge_moved``): named in the run's last lines (f40a)
        self.merge_moved_tokens = 0
        self.settings = settings
        self.key_code = key_code
        self.astore = AsyncJobStore.of(store)  # the import's one async twin of its store
        self.resolver = Resolver(self.astore, claims=lambda: self.claims,
                                 scope=lambda: self.key_code, lease=lease,
                                 loaded=lambda: self.store.created_at,
                                 on_wait=self._give_back, on_held=self._contact_held_up,
                                 job_id=store.job_id, deals_of=self._claimed_deals,
                                 deleted=self._read_deleted,
                                 claimed_as=claimed_as(store))
        self._planner = planner
        self._planner_lock = anyio.Lock()
        # the planner read after a send named a person / organization vanished since the
        # load (``jobs.importing.vanished``): one a run, built under the planner lock
        self._vanished = Vanished(self._planner_lock)
        self._unusable: MappingUnusable | None = None
        # the catalog this run pulled (to map rows again, or to check what the rows to send
        # name: ``_Resume._account_now``); None: not pulled
        self._catalog_now: Catalog | None = None
        self._mapping_run: bool | None = None  # ``_maps_again``, once a run
        self.started = self.clock.now()
        # the wall time (Unix s) this run began (``run_started``): a row marked SENDING at
        # or after it was marked by this run, whose write answers this run's ledger writer
        # holds (``_Reconcile._contacts_landed``); None: no run begun in this process
        self.run_began: float | None = None
        self._run_index: int | None = None  # this run's entry in the job's history
        current = file_sha(settings.mapping)
        # the key version the job was planned with, when older than this code's: its rows
        # not yet written are mapped again (``_needs_mapping``) and the org / person links
        # of the old keys decided anew (x53r2 F1; ``jobs.person_key_version``)
        self.keys_redecided = redecided_from(store)
        edited = mapping_sha is not None and current is not None and current != mapping_sha
        self.mapping_changed = edited or self.keys_redecided is not None
        # ... but for the rows in doubt at that upgrade, an older process's sends: settled
        # as it sent them, mapped again only when sent again (``_redecide_at_send``); after
        # an edit of the mapping, mapped again as every row is
        self._as_loaded: set[int] = set() if edited or self.keys_redecided is None \
            else sent_as_loaded(store)
        # rows mapped again whose links the keys now decide otherwise, counted by the
        # re-read (``_Resume._remapped_refs``): "org", "person", "org made", "rows"
        self.redecided: Counter[str] = Counter()
        self._mapping_same = mapping_sha is not None and current == mapping_sha  # known so

    def use_clock(self, clock: Clock) -> None:
        """Take the run's clock (``bulk.engine.Engine.run`` hands it over; the load and a
        resume's load do too): every time the job keeps or waits on is read from it."""
        self.clock = clock

    def _new(self, payload: Mapping[str, Any]) -> list[str]:
        """The row's references this job created (not those another run created)."""
        return [name for name in to_create(payload) if self.resolver.made(payload[name])]

    def _made_for(self, payload: Mapping[str, Any]) -> dict[str, int]:
        """The persons / organizations this job created for the row (``_new``), by
        reference ("person" / "org") -> id."""
        made: dict[str, int] = {}
        for name in self._new(payload):
            if (rid := self.resolver.known(payload[name])) is not None:
                made[name] = rid
        return made

    def manifest_note(self, store: JobStore) -> str | None:
        """What a resume or retry says when the manifest is no longer the file the load read
        (changed, or still being written then): its rows go as the load stored them, the
        file is not read again. None when it is the same, or gone (a removed export is no
        news), or the load stored no stamp (a job loaded before x17r3)."""
        stored = store.meta_get(META_MANIFEST)
        now = file_stamp(self.settings.manifest)
        if not isinstance(stored, list) or now is None or now.to_json() == stored:
            return None
        return (f"{self.settings.manifest!r} changed since this job was loaded: its rows are "
                "sent as the load read them (the file is not read again); for the changes, "
                "import the file again as a new job")

    # -- mapping rows again (retry) ---------------------------------------------------------
    def check_retry(self, store: JobStore) -> None:
        """Before ``pdbulk retry`` puts the failed rows back: when some must be mapped again,
        the mapping must load (InputError / MappingError otherwise: exit 1, the job left
        as it was; before, the run stopped on it with exit 4 and the job 'stopped')."""
        if any(self._needs_mapping(i) for i in store.items(ItemState.FAILED)):
            self.check_identity(store, ImportMapping.load(self.settings.mapping))

    def check_identity(self, store: JobStore, mapping: ImportMapping | None = None) -> None:
        """InputError when the mapping changed, since the job's first load, a setting that
        decides which record a row is (``jobs.import_identity``: key column / field, mode,
        person and organization matching): a resume or retry would write rows mapped with
        it as other records than the done ones (x43r4 F1). ``mapping``: already loaded;
        else read when the file changed (an unreadable one is left to the run's own
        refusal). Reads no account."""
        if self._mapping_same:
            return
        if mapping is None:
            try:
                mapping = ImportMapping.load(self.settings.mapping)
            except (InputError, OSError, ValueError):
                return
        check_identity(store.meta_get(META_IDENTITY), mapping, path=self.settings.mapping)

    async def check_retry_account(self, ctx: CallContext, store: JobStore) -> None:
        """Before ``pdbulk retry`` puts the failed rows back, on the account: when some must
        be mapped again, the mapping must compile against the account (its stages, custom
        fields, options, users) and the manifest's columns — InputError otherwise (exit 1,
        the job left as it was; before, the run stopped on it with exit 4, the job
        'stopped' and its failed rows pending: v10r6 s9). The planner built here is the
        one the run maps the rows with (no second pull)."""
        if not any(self._needs_mapping(i) for i in store.items(ItemState.FAILED)):
            return
        try:
            await self._planner_for(ctx)
        except MappingUnusable as exc:
            raise InputError(str(exc)) from None

    def fail_again_offline(self, store: JobStore) -> list[Item] | None:
        """The failed rows a retry would map again when each of them fails on its own cells
        again, whatever the account holds: the mapping file is the one they were mapped
        with (its sha), a retry maps the row's stored cells (the file is not read again),
        and the column it failed on is read only by standard deal fields parsed on their
        own (an amount, a number, a date: ``OWN_CELL_FIELDS``), which refused it for any
        reason ("not an amount: 'bad'", "ambiguous number '$3,000'": ``_fails_again``), or
        the row was refused before its fields were read (its cells against the header).
        None when any row might map now, or none is mapped again: the
        retry then pulls what it needs. Reads nothing (x42r5 F5: such a retry spent 140
        tokens on the account's lists and a re-read, to fail its 3 rows again)."""
        again = [i for i in store.items(ItemState.FAILED) if self._needs_mapping(i)]
        if not again or not self._mapping_same:
            return None
        try:
            readers = column_readers(ImportMapping.load(self.settings.mapping).spec)
        except (InputError, OSError, ValueError):
            return None
        for item in again:
            if not _fails_again(item, readers):
                return None
        return again

    def remap_why(self, store: JobStore) -> str:
        """Why a retry reads the account before mapping its failed rows again, said in its
        plan's note (x44r10 F6): how many failed on a name the account lacked at the load
        (a stage, pipeline, owner, a custom field's option: by the fields reading the
        row's column), which may exist now; "" when none did or the mapping does not load.
        Rows failed on their own cells alone never get here (``fail_again_offline``)."""
        try:
            readers = column_readers(ImportMapping.load(self.settings.mapping).spec)
        except (InputError, OSError, ValueError):
            return ""
        named: Counter[str] = Counter()
        for item in store.items(ItemState.FAILED):
            column = item.payload.get("column")
            if not self._needs_mapping(item) or not isinstance(column, str):
                continue
            targets = readers.get(column, set())
            kinds = sorted({_ACCOUNT_NAMES.get(t, "option") for t in targets
                            if t in _ACCOUNT_NAMES or t.startswith("custom_fields.")})
            if kinds and item.payload.get("own") != OWN_VALUE:
                named[" or ".join(kinds)] += 1
        if not named:
            return ""
        n = sum(named.values())
        return (f"; {n:,} row(s) failed on a name the account lacked at the load ("
                + ", ".join(f"{kind} {count:,}" for kind, count in sorted(named.items()))
                + "), which may exist now: they are mapped again against the account's "
                "stages, pipelines, users and fields as they are now")

    def retry_pulls(self, store: JobStore) -> dict[str, int]:
        """The fewest calls ``check_retry_account`` makes, by operation, before a retry can
        write: when failed rows must be mapped again, a page of each list
        ``RowPlanner.build`` pulls (the catalog; the persons / organizations / deals
        indexes the mapping needs; more pages when the account has more) and, for rows with
        a key, the first page of the re-read of the deals added since; {} when none is
        mapped again, or the mapping does not load (``check_retry`` says so). Reads nothing
        (x41r4 F3: a cap below them spent itself on them, no write)."""
        again = [i for i in store.items(ItemState.FAILED) if self._needs_mapping(i)]
        if not again:
            return {}
        try:
            spec = ImportMapping.load(self.settings.mapping).spec
        except (InputError, OSError, ValueError):
            return {}
        calls = {"getPipelines": 1, "getStages": 1, "getDealFields": 1}
        keyed = any(i.key and not i.payload.get("duplicate") for i in again)
        for op, needed in (("getUsers", spec.deal.owner is not None),
                           ("getPersons", spec.person is not None),
                           ("getOrganizations", spec.organization is not None),
                           # the index of an upsert; else (a row with a key) the re-read
                           # of the deals added since the load (``reread_calls``)
                           ("getDeals", self.settings.mode == "upsert" or keyed),
                           ("getArchivedDeals", self.settings.mode == "upsert" or keyed)):
            if needed:
                calls[op] = 1
        return calls

    def _rejudged(self, item: Item) -> bool:
        """Whether ``item`` is a row the file's own judgement held (another row of its key
        writes other values: ``duplicate-key``) that a run mapping rows again judges anew
        (``held_again``); a hold cell of a failed-rows file (``held (hold = …)``) is the
        person's, kept until they empty it."""
        payload = item.payload
        return (payload.get("hold") == HOLD_DUPLICATE and bool(payload.get("duplicate"))
                and not str(payload["duplicate"]).startswith("held (") and bool(item.key)
                and "deal" not in payload and "changes" not in payload)

    def _maps_again(self, store: JobStore) -> bool:
        """Whether this run maps rows again (its planner is built, and priced, anyway):
        scanned once a run."""
        if self._mapping_run is None:
            self._mapping_run = any(self._needs_mapping(i) for state in (
                ItemState.PENDING, ItemState.SENDING) for i in store.items(state))
        return self._mapping_run

    async def held_again(self, ctx: CallContext, item: Item) -> Outcome:
        """A held row's outcome as this run judges it (x41r4 F5: a retry after a mapping fix
        kept a held row's "this row also fails: no stage named 'zz'", cured, in failed.csv
        and ``status``). In a run that maps rows again, the row is judged beside its key's
        first row as the load judged it: held anew (the reason as it is now), failing on
        its own check, or that row's duplicate (done, out of the failed files). Never sent:
        a judgement that would send it (the key's first row is not mapped in this run, or
        would now be this one) keeps the hold, its own failure judged again. Otherwise (no
        mapping this run, a hold cell) the stored reason stands."""
        payload = item.payload
        stored = str(payload["duplicate"])
        kept = Outcome(item.id, ItemState.FAILED, error=stored,
                       result={"column": payload.get("column"), "hold": payload.get("hold")})
        if not self._rejudged(item) or not self._maps_again(self.store):
            return kept
        try:
            planner = await self._planner_for(ctx)
        except MappingUnusable:
            return kept
        row = source_row(item.row or 0, payload)
        # judged where a row of its key was decided this run, or where its key's rows were
        # learned contested (a key the load held whole, none mapped again: f55d, a failed
        # row the fix made a copy of the held first row stayed held, where a fresh import
        # calls it that row's duplicate) — in file order, as the fresh import judges them
        if item.key is not None and (planner.has_key(item.key)
                                     or planner.contested_in_file(item.key)):
            decided = planner.decide(row)
            if decided.state is ItemState.FAILED:
                return Outcome(item.id, ItemState.FAILED, error=decided.error,
                               result={"column": decided.payload.get("column"),
                                       "hold": decided.payload.get("hold")})
            if decided.state is ItemState.SKIPPED:
                return Outcome(item.id, ItemState.DONE, result=decided.payload["result"])
        base, also, _ = stored.partition(_ALSO)
        if not also:
            return kept
        try:
            planner.mapper.map(row, defer_users=True)
        except InputError as exc:
            return dataclasses.replace(kept, error=base + _ALSO + exc.reason)
        return dataclasses.replace(kept, error=base)

    def _needs_mapping(self, item: Item) -> bool:
        payload = item.payload
        if payload.get("duplicate"):
            return False
        if "deal" not in payload and "changes" not in payload:
            return True
        return self.mapping_changed and item.id not in self._as_loaded

    async def _redecide_at_send(self, item: Item) -> bool:
        """Whether ``item``, in doubt when its job's keys were upgraded and found unwritten
        by its reconcile, is mapped again now that it is sent again (x53r2 F1): dropped
        from the rows settled as loaded first, in the store too, so a reconcile after a
        kill reads it as this run sends it."""
        if item.id not in self._as_loaded or item.payload.get("duplicate"):
            return False
        self._as_loaded.discard(item.id)
        await in_thread(partial(sent_again, self.store, [item.id]))
        return True

    async def _planner_for(self, ctx: CallContext) -> RowPlanner:
        async with self._planner_lock:
            if self._unusable is not None:
                raise self._unusable
            if self._planner is None:
                s = self.settings
                try:
                    mapping = ImportMapping.load(s.mapping)
                    self.check_identity(self.store, mapping)
                    unmade = self.key_code == PLACEHOLDER_CODE  # no row sendable: no field
                    # the job's own persons / organizations are matched as any other, a
                    # row linked to one says created (x44r1), never a copy made (x44r9)
                    planner, self._catalog_now, _ = await RowPlanner.build(
                        ctx, mapping, self._columns(), mode=s.mode,
                        create_key_field=unmade and s.create_key_field,
                        own=self._own_records)
                except InputError as exc:
                    self._unusable = MappingUnusable(f"rows need mapping again, but: {exc}")
                    raise self._unusable from None
                planner.use(s)
                # rows of one key mapped again in one run are judged against each other
                # as the load judges them (x40r5 F1: two rows of a key that both failed on
                # a stage, fixed, made two deals): the first row of each key is kept
                planner.forget_keys()
                await self._use_marks(planner)
                # ... and beside the rows of their keys whose deal a run wrote (x41r2)
                again = self._keys_judged_again()  # (one scan for both passes below)
                made, as_loaded, written = self._rows_made(again)  # (as ``_items_now``)
                planner.judge_as_loaded(as_loaded)  # (x53r6 F2: as a fresh import would)
                planner.made_before(made, written)  # (y54r3 F1: a hold names the written row)
                # ... and the keys no run wrote a row of: their rows that differ contest the
                # key, as a fresh import's pass learns it (y54r3 F2)
                planner.learn_contests(self._rows_unwritten(again))
                if unmade:  # (x36r3 F2) made now, as that load would have
                    self.key_code = planner.key_code
                    self.store.meta_put(META_KEY_CODE, self.key_code)
                if planner.key_code != self.key_code:
                    self._unusable = MappingUnusable(
                        "the mapping's key field is not the one this job was loaded with; "
                        "start a new import instead")
                    raise self._unusable
                self._planner = planner
            return self._planner

    async def _own_records(self, kind: str, records: list[dict[str, Any]]) -> Collection[int]:
        """The ids of ``records`` (``kind`` "person" / "org") this job made
        (``own_records``); those only its claims prove written to its made- lookups."""
        ours = await own_records(self.astore, self.claims, scope=self.key_code,
                                 job_id=self.store.job_id, loaded=self.store.created_at,
                                 kind=kind, records=records)
        await record_own(self.astore, kind, ours)
        return ours.keys()

    def _keys_judged_again(self) -> KeySet:
        """The keys of the rows still to send (failed, pending, in flight) that are mapped
        again or, held, judged again: what ``_rows_made`` and ``_rows_unwritten`` read
        their keys' other rows for (one judging, f55d). Memory: a ``KeySet`` of them."""
        keys = KeySet()
        for state in (ItemState.FAILED, ItemState.PENDING, ItemState.SENDING):
            for i in self.store.items(state):
                if i.key and (self._needs_mapping(i) or self._rejudged(i)):
                    keys.add(i.key)
        return keys

    def _rows_made(self, keys: KeySet) -> tuple[
            list[SourceRow], dict[str, Mapping[str, Any] | None],
            dict[int, tuple[int | None, str]]]:
        """The rows whose deal a run of this job wrote or found (``RowPlanner.made_before``)
        of ``keys`` (``_keys_judged_again``: the keys a row to map again has), and each such
        key's deal as the load found it
        (``RowPlanner.judge_as_loaded``: None where a row created it, else the before-image
        of what the job changed on it, empty when nothing); none when no row is mapped
        again; and each such row's deal id and action (``RowPlanner.made_before``'s
        ``written``). Memory: a ``KeySet`` of those keys (a changed mapping maps every pending row
        again), and the rows of the keys a done row shares with one: the keys the file
        repeats."""
        if not len(keys):
            return [], {}, {}
        made = [i for i in self.store.items(ItemState.DONE)
                if i.key in keys and (i.result or {}).get("action") in _MADE]
        created = {i.key for i in made if i.key and (i.result or {}).get("action") == "created"}
        ids = {i.key: int(deal_id) for i in made if i.key and i.key not in created
               and isinstance(deal_id := (i.result or {}).get("deal_id"), int)}
        images = self.store.before_images_of("deal", ids.values()) if ids else {}
        as_loaded: dict[str, Mapping[str, Any] | None] = {key: None for key in created}
        for key, deal_id in ids.items():
            image = images.get(deal_id)
            as_loaded[key] = image.before if image is not None \
                and isinstance(image.before, Mapping) else {}
        written = {i.row or 0: (deal_id if isinstance(deal_id := (i.result or {}).get("deal_id"),
                                                      int) else None,
                                str((i.result or {}).get("action")))
                   for i in made}
        return [source_row(i.row or 0, i.payload) for i in made], as_loaded, written

    def _rows_unwritten(self, keys: KeySet) -> list[SourceRow]:
        """Every row, in file order, of ``keys`` (``_keys_judged_again``: the keys a row
        mapped again or a held row judged again has) that no run of this job wrote or found a
        deal of: what ``RowPlanner.learn_contests`` learns those keys' contests from, as a
        fresh import of the file with the mapping as it is now does (y54r3 F2: `Bogus,
        Partnerships` / `Bogus,sales`, both failed at the load, were written by a retry in
        row order, the first writing, where a fresh import holds both rows). Memory: a
        ``KeySet`` of them, one of those repeated, and the rows of the repeated ones."""
        if not len(keys):
            return []
        seen, repeated = KeySet(), KeySet()  # (the keys of one row contest nothing)
        made: set[str] = set()
        for state in ItemState:
            for i in self.store.items(state):
                if i.key and i.key in keys:
                    if not seen.add(i.key):
                        repeated.add(i.key)
                    if state is ItemState.DONE and (i.result or {}).get("action") in _MADE:
                        made.add(i.key)
        if not len(repeated):
            return []
        rows = sorted((i for state in ItemState for i in self.store.items(state)
                       if i.key and i.key in repeated and i.key not in made),
                      key=lambda i: i.row or 0)
        return [source_row(i.row or 0, i.payload) for i in rows]

    async def _use_marks(self, planner: RowPlanner) -> None:
        """Rows mapped again read their numbers as the load decided from the whole file
        (``META_MARKS``); a job loaded before that was stored learns them from the
        manifest again, if it is still there (else ambiguous cells are row errors)."""
        marks = self.store.meta_get(META_MARKS)
        if isinstance(marks, Mapping):
            planner.mapper.use_decimal_marks(marks)
            return
        try:
            await in_thread(lambda: import_load.learn_marks(planner, self.settings))
        except (InputError, OSError):
            planner.mapper.use_decimal_marks({})

    def _columns(self) -> list[str]:
        stored = self.store.meta_get("source_columns")
        return [str(c) for c in stored] if isinstance(stored, list) else []

    async def _mapped_again(self, ctx: CallContext,
                            item: Item) -> tuple[str, dict[str, Any]] | Outcome:
        planner = await self._planner_for(ctx)
        if not planner.records_agreed and self.settings.mode == "upsert":
            self._decide_with_record(planner)
        # the row exactly as the first run read it: its cells' types and the reader's own
        # refusal too (a record the reader refused must keep that reason, not become a row
        # whose key is empty)
        # a later row of a key another row of this run mapped again is its duplicate (the
        # same deal) or held, never a second create
        decided = planner.decide(source_row(item.row or 0, item.payload),
                                 check_duplicate=item.key is not None)
        if decided.state is ItemState.FAILED:
            hold = decided.payload.get("hold")  # (failed.csv's hold cell: a duplicate's)
            return Outcome(item.id, ItemState.FAILED, error=decided.error,
                           result={"column": decided.payload.get("column"), "hold": hold})
        if decided.state is ItemState.SKIPPED:
            result = decided.payload["result"]
            if same := last_written.written(decided.payload, "unchanged"):
                result = {**result, "written": same}  # the stored payload is the load's
            return Outcome(item.id, ItemState.DONE, result=result)
        return decided.op, decided.payload

    def _decide_with_record(self, planner: RowPlanner) -> None:
        """Rows mapped again in a run (a retry, a changed mapping) are decided as the load
        decides them: against what this state folder last wrote (``jobs.last_written``),
        their agreed fields kept for the record (f32c 3: they were decided without it, and
        a colleague's edit was put back). Open until ``close_record``; an unreadable record:
        every differing field is sent, as without one."""
        planner.records_agreed = True
        if base_url := (self.store.config.get("engine") or {}).get("base_url"):
            try:
                planner.last_written = last_written.LastWritten.open(str(base_url))
            except (OSError, sqlite3.Error) as exc:
                _log.warning("the state folder's record of what imports wrote could not be "
                             "read (%s): rows mapped again send every differing field", exc)

    def close_record(self) -> None:
        """Close what ``_decide_with_record`` opened (the run's end)."""
        self._vanished.close()
        planner = self._planner
        if planner is not None and planner.records_agreed:
            if planner.last_written is not None:
                planner.last_written.close()
            planner.last_written, planner.records_agreed = None, False

    @property
    def field_labels(self) -> dict[str, str]:
        """The job's custom field names, key -> name (kept by its load), for conflicts."""
        return stored_labels(self.store)

    @property
    def note_labels(self) -> dict[str, str]:
        """``field_labels`` with option labels keyed as a row note's comparison names
        custom fields (``deals.record_labels``): what a run-time upsert note says."""
        return record_labels(self.store)

    # -- the claims -------------------------------------------------------------------------
    @property
    def claims(self) -> Claims:
        """The claims the creates go through: the one injected, else ``open_claims()``
        (Redis on a shared coordinator, else local), closed by ``finish`` — at the run's
        end, or when the engine they were opened under closes, whatever ended it (a cancel
        in ``before_resume``, before the run: x20r3 F4)."""
        if self._claims is None:
            self._claims = open_claims(clock=self.clock)
            self._owns_claims = True
            close_with_engine(self._close_claims)
        return self._claims

    def claim_name(self, key: str) -> str:
        return claim_name(self.key_code, key)

    async def _read_deleted(self) -> Deleted:
        """What pdbulk's undos deleted on the job's account (``jobs.deleted_records``),
        read once a run, off the loop, when a claim first names a record (a run that meets
        none opens no journal: a shared coordinator's round trips); the resolver learns the
        persons and organizations among them as gone (``Resolver.known_gone``): a claim
        naming one reads nothing."""
        async with self._deleted_lock:  # rows ask at once: none goes on before the answer
            if self._deleted is None:
                from ..deleted_records import deleted

                base_url = str((self.store.config.get("engine") or {}).get("base_url") or "")
                found = await in_thread(lambda: deleted(base_url))
                self.resolver.known_gone({k: v for k, v in found.items() if k != "deal"})
                self._deleted = found
            return self._deleted

    async def _claimed_deals(self, k: tuple[str, str], rid: int) -> list[int]:
        """The deals made linked to person / organization ``rid`` for the keys of this job's
        rows naming ``k`` (("person" | "org", key)), known by id: each key's deal claim
        keeps its deal and the links its create gave it (``_outcome``'s ``LINKS``; another
        run's create too), sorted. The rows are read from the store (at most
        ``_WITNESS_ROWS`` naming ``k``); no call to Pipedrive."""
        claims = self.claims
        if claims is None:
            return []
        keys: list[str] = []
        for state in ItemState:
            rows = cast("AsyncGenerator[Item, None]", self.astore.items(state))
            async with aclosing(rows) as items:
                async for item in items:
                    if item.key and any((str(r["kind"]), str(r["key"])) == k
                                        for r in refs_of(item.payload or {})):
                        keys.append(str(item.key))
                        if len(keys) >= _WITNESS_ROWS:
                            break
            if len(keys) >= _WITNESS_ROWS:
                break
        field = "org_id" if k[0] == "org" else "person_id"
        out: set[int] = set()
        for outcome in (await claims.outcomes([self.claim_name(key) for key in keys])).values():
            links, deal = outcome.get(LINKS), outcome.get("deal_id")
            if isinstance(deal, int) and isinstance(links, Mapping) and links.get(field) == rid:
                out.add(deal)
        return sorted(out)

    def _outcome(self, deal_id: int, previous: Mapping[str, Any] | None,
                 *, ours: bool = True, creator: str | None = None,
                 digest: str | None = None,
                 links: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The outcome a claim on a key is released with: ``{"deal_id": id, "job": creator,
        "digest": ...}``. ``job`` names the job that created the deal: this one when
        ``ours``, else the one the previous outcome named for that same deal (kept as it
        is passed on), else ``creator`` (the job a dead holder claimed it for:
        ``_creator``), else absent (unknown). ``digest``: the deal's editable fields as its
        create left them (``jobs.deals.editable_digest`` of the create's answer), passed on
        with the deal: a run that finds the key on it later tells "as created" from
        "changed since", even within the create's own second (``_exists``). ``links``: the
        deal's ``person_id`` / ``org_id`` as its create left them (kept with the digest, as
        ids or None: ``LINKS``), so that run tells a link a merge moved since from an edit
        (``creates.merge_moved``; x39r4 F5)."""
        if ours:
            out: dict[str, Any] = {"deal_id": deal_id, "job": self.store.job_id}
            if self.store.created_at:  # when its rows were read: newer_import
                out["loaded"] = self.store.created_at
            if self._export is _UNREAD:  # which file (newer_import), read once
                self._export = export_of(self.store)
            if isinstance(self._export, str):
                out[EXPORT] = self._export
            if digest is not None:
                out["digest"] = digest
                if links is not None:
                    out[LINKS] = {f: link_id(links.get(f)) for f in ("person_id", "org_id")}
            return out
        prev = previous or {}
        job = prev.get("job")
        if prev.get("deal_id") == deal_id and isinstance(job, str):
            kept = {"deal_id": deal_id, "job": job}
            for name in ("digest", "loaded", EXPORT):
                if isinstance(prev.get(name), str | float | int):
                    kept[name] = prev[name]
            if isinstance(prev.get(LINKS), Mapping):
                kept[LINKS] = dict(prev[LINKS])
            return kept
        return {"deal_id": deal_id, "job": creator} if creator else {"deal_id": deal_id}

    def _held_since_send(self, claim: Claim) -> bool:
        """Whether ``claim``'s record shows this job held its name from the row's send until
        now: its last holder released it in doubt for this job, or died holding it for this
        job (``prev_tag``), or its outcome names this job. A claim with no record of this
        job (the shared coordinator's state was lost since: FLUSHALL, a restart without
        persistence) proves nothing: another run may have held and created it meanwhile."""
        job = self.store.job_id
        return claim.prev_tag == job or (claim.previous or {}).get("job") == job

    def _creator(self, claim: Claim, deal_id: int,
                 deal: Mapping[str, Any] | None = None) -> str | None:
        """The job that created deal ``deal_id``, found under ``claim`` by its key: the one
        its previous outcome names for that deal; else, when the previous holder died
        holding the claim (``reconcile``), the job it held it for (``prev_tag``): a deal
        found with the key then was sent under that claim (claims exclude every other
        pdbulk run) — an in-doubt release names it so too (``bulk.claims.as_taken``);
        None: unknown. What ``_outcome(..., ours=False, creator=...)`` must keep: written
        without it, the claim no longer names that job, whose reconcile then cannot prove
        its create (f22a: ``_creates_again``). ``deal``: the deal as read, when
        known: one added before that holder claimed the key (by more than
        RECONCILE_MARGIN s, its add_time converted by the job's measured lead) was not sent
        under that claim, and its maker is unknown (x30r2
        low 2: a deal a user made by hand, which took the key in a merge over HTTP, was
        "made by job" the import killed holding the claim)"""
        prev = claim.previous or {}
        if prev.get("deal_id") == deal_id and isinstance(prev.get("job"), str):
            return str(prev["job"])
        if claim.reconcile and claim.prev_tag:  # an older outcome names another deal: gone
            added = parse_time((deal or {}).get("add_time"))
            if added is not None and claim.since is not None \
                    and earlier(added, claim.since, self._lead):  # (x52r8: by the lead)
                return None  # there before that holder claimed: not sent under its claim
            return claim.prev_tag
        return None

    def _held_up(self, held: Held, within_s: float) -> None:
        """A create of this job waits (at most ``within_s`` s) for another live run's claim:
        told (``bulk.claims.tell_wait``: which process and job) and counted (the summary's
        ``claims.waited``; x20r3 F2: a resume waited 293 s saying nothing, counting 0)."""
        self.claim_waits += 1
        tell_wait(held, within_s)

    def _contact_held_up(self, held: Held, within_s: float) -> None:
        """``_held_up`` for a person / organization create (``claims.contacts_waited``)."""
        self.contact_waits += 1
        tell_wait(held, within_s)

    async def _close_claims(self) -> None:
        """Give back the claims of rows never sent, write every release still queued, and
        close the claims this job opened (a later run opens them again). Idempotent."""
        if self._claims is None:
            return
        try:
            await self._give_back()
        finally:
            if self._owns_claims:
                claims, self._claims, self._owns_claims = self._claims, None, False
                await claims.aclose()

    async def _claim_keys(self, keys: Sequence[str]) -> dict[str, Claim | Held]:
        """Claim the creates of ``keys`` not pooled yet in one step (``acquire_many``: one
        transaction locally, one round trip on Redis; the releases queued so far are
        written with it) and pool those had; each key → ``Claim`` or ``Held``."""
        keys = [k for k in dict.fromkeys(keys) if k not in self._pool]
        if not keys:
            return {}
        got = await self.claims.acquire_many([self.claim_name(k) for k in keys], self.lease,
                                             tag=self.store.job_id)
        now = self.clock.wall()
        out: dict[str, Claim | Held] = {}
        for key in keys:
            claim = got.get(self.claim_name(key))
            if claim is None:
                continue
            out[key] = claim
            if isinstance(claim, Claim):
                self._pool[key] = (claim, now)
        return out

    async def _give_back(self) -> None:
        """Release the claims ``prepare`` took for rows not sent yet (and the queue)."""
        for claim, _ in self._pool.values():
            self.claims.release_soon(claim)
        self._pool.clear()
        await self.claims.flush()


def survivor_noted(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The note the load gave an upsert update's row (its key on a merge survivor that took
    it: ``RowPlanner.survivor_notes``; the fields kept from Pipedrive or written over an edit
    made there: ``jobs.last_written``), for the row's result."""
    note = "; ".join(n for n in (payload.get("survivor_note"), payload.get("edited_note")) if n)
    return {"note": note} if note else {}


def _update_time(data: Any) -> Any:
    return data.get("update_time") if isinstance(data, Mapping) else None



# a deal claim's outcome: the manifest the creating job read (``export_of``)
EXPORT = "export"
# rows naming a vanished record whose deal claims ``_claimed_deals`` reads, at most
_WITNESS_ROWS = 50
# ... and the deal's person / organization links as created (``_outcome``; x39r4 F5)
LINKS = "links"


def link_id(value: Any) -> int | None:
    """A deal's ``person_id`` / ``org_id`` as an id (a v1 ``{"value": id}`` too); None:
    no link."""
    if isinstance(value, Mapping):
        value = value.get("value")
    return value if isinstance(value, int) and not isinstance(value, bool) else None
_UNREAD = object()


def export_of(store: JobStore) -> str | None:
    """The first 16 hex digits of the SHA-256 of the manifest ``store``'s job was loaded
    from (``import_load.META_INPUTS``); None: not known (a job loaded before it was kept,
    or a manifest that could not be read)."""
    inputs = store.meta_get(import_load.META_INPUTS)
    sha = inputs.get("manifest_sha") if isinstance(inputs, Mapping) else None
    return sha[:16] if isinstance(sha, str) else None


def newer_import(store: JobStore, made: Mapping[str, Any] | None, deal_id: int,
                 key: str | None, deal: Mapping[str, Any]) -> str | None:
    """Why this job must not write deal ``deal_id`` (key ``key``), which another import
    created after this job was loaded: that job was itself loaded after this job, so its
    rows are a newer picture of the source than this job's (x12r2 F1: a retry of an older
    import PATCHed 24 deals a newer export had made back to the old values, won and lost
    deals reopened). None: the creator is this job, unknown (a colleague, another tool:
    the row updates it, as upsert does), or loaded before this job (its picture is older).
    ``made``: the outcome the key's claim names the deal with (``_outcome``: the
    creator's ``job`` and its ``loaded`` time, Unix seconds; an older outcome without it:
    the time in the job's id, ``bulk.engine.new_job_id``, local time to the second; its
    ``export``: the manifest that job read — the same file as this job's is no newer
    picture, however the loads were ordered)."""
    creator = made.get("job") if made and made.get("deal_id") == deal_id else None
    if not isinstance(creator, str) or creator == store.job_id:
        return None
    export = made.get(EXPORT) if made else None
    if isinstance(export, str) and export == export_of(store):
        # both jobs read the same file (by its bytes): no newer picture of the source,
        # whichever was loaded first (x39r2 F3: two loads ms apart, 11 rows failed as
        # "a newer export's")
        return None
    loaded = made.get("loaded") if made else None
    if not isinstance(loaded, int | float):
        try:
            loaded = time.mktime(time.strptime(creator[:15], "%Y%m%d-%H%M%S"))
        except ValueError:
            return None
    if loaded <= (store.created_at or 0.0):
        return None
    return (f"conflict: deal {deal_id} carries key {key}; job {creator}, loaded after this "
            f"job, created it (add_time {deal.get('add_time')}): its values are a newer "
            "export's than this job's row. Left alone, nothing sent (import the row again "
            "to overwrite it)")


# the fields whose cell is a name the account's catalog resolves (a retry's plan says so)
_ACCOUNT_NAMES = {"deal.stage": "stage", "deal.pipeline": "pipeline", "deal.owner": "owner"}


__all__ = ["ANSWERED_MARGIN", "CLAIM_WAIT", "LINKS", "LOST_CLAIM_TRIES", "META_KEY_CODE",
           "META_LOADED", "link_id",
           "META_MARKS",
           "META_SENT_MARKS", "SENT_DEAL", "UNPROVEN",
           "META_MANIFEST", "META_SHA", "RECONCILE_MARGIN", "MappingUnusable", "claim_name", "newer_import",
           "survivor_noted"]


# the deal fields whose cell is judged on its own: parsed as an amount, a number, a date,
# with nothing of the account (stages, fields, options, users) in the judgement


def _fails_again(item: Item, readers: Mapping[str, set[str]]) -> bool:
    """Whether a failed row mapped again with its load's mapping fails again whatever the
    account holds: refused before any field was read (``OWN_ROW``: its cells against the
    header), or a cell the mapping's reading refused (``OWN_CELL``: any reason — not an
    amount, an ambiguous number, a date out of range) in a column only fields parsed on
    their own read. A row stored before the mark (x44r7 F2) is judged by its reason: "not
    a…" (an amount, a number, a date). A row that failed after its cells were read (a
    currency the deal decides, a stage, a user) is not: the account may change that."""
    payload = item.payload
    if item.status or "deal" in payload or "changes" in payload:
        return False
    own = payload.get("own")
    if own in (OWN_ROW, OWN_VALUE):  # OWN_VALUE: judged at the load (jobs.own_cells)
        return True
    column = payload.get("column")
    if not isinstance(column, str) or not column or not readers.get(column) \
            or not readers[column] <= OWN_CELL_FIELDS:
        return False
    return own == OWN_CELL or (own is None and str(item.error or "").startswith("not a"))
