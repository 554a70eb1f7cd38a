"""Re-reading the account before a resume and right before each batch is sent (the
runner's re-check), and the prices of both for plans (``jobs.importing``).

Why ~1300 lines: each re-read (pending updates, pending creates, persons / organizations
by key and by id, the deals a batch's found creates name) is priced here too, by the same
rules; split, a plan's count and the read it prices would drift apart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from itertools import islice
from typing import Any

import orjson

from bulk.calls import CallContext
from bulk.claims import (
    DEFAULT_LEASE,
    SETTLED_AFTER_BIRTH,
    Claim,
    Held,
    acquire,
    in_doubt_outcome,
    tell_wait,
    wait_giving_back,
)
from bulk.clock import in_thread
from bulk.errors import InputError
from bulk.store import AsyncJobStore, BeforeImage, Item, ItemState, JobStore, Outcome
from bulk.wording import counted

from .. import doubles
from .. import transforms as tf
from ..account import DealsByKey, key_moved, keyed_added_since, keyed_since_calls
from ..contact_keys import canonical_key
from ..deals import (
    IDS_PER_CALL,
    META_VALUE_LABELS,
    Deal,
    before_image,
    deal_changes,
    drifted,
    is_gone,
    keys_now_twice,
    read_deals,
    recheck_batch_now,
    redecide_now,
    reread_calls,
    stored_types,
)
from ..import_account_now import Named, PutBack, check_calls, check_now, needs_users
from ..import_items import AT_ADDRESS
from ..import_resolve import contact_claim_name, name_only, refs_of
from ..import_rows import matched_by
from ..import_store import recheck_reads
from ..mapping import Mapping as ImportMapping
from ..person_key_version import PERSON_KEY_VERSION
from ..provable_writes import job_lead
from . import linked_since, survivors, vanished
from .base import RECONCILE_MARGIN, _ImportBase, newer_import
from .briefs import Brief, briefs
from .members import members_at_load, moved_with
from .sent import SENT_FILE, sent_times

# what ``_named_now`` reads of each pending item: held, its deal / changes, and of each of
# them the keys whose values name a record of the account (custom fields: a JSON object)
_NAMED_KEYS = ("stage_id", "pipeline_id", "owner_id", "custom_fields")
_NAMED_FACTS: tuple[tuple[str, str], ...] = (
    ("truthy", "$.duplicate"), ("type", "$.deal"), ("type", "$.changes"),
    *(("value", f"$.{body}.{key}") for body in ("deal", "changes") for key in _NAMED_KEYS))

# the actions of a create that found its key's deal through the key's claim (``_exists``)
_FOUND = frozenset({"exists", "updated", "unchanged"})

# more deals than this a batch are read by a list (10 tokens a call of 100) rather than
# one by one (``getDeal``, 1 token each; FACTS "Token costs")
LIST_PAYS = 10


class _Resume(_ImportBase):
    """``ImportJob``'s re-reads: before a resume (``before_resume``) and right before each
    batch is sent (``recheck``), with what they cost (``reread_calls``, ``resume_calls``,
    ``recheck_calls``)."""

    # whether a pending create's claim is held by a dead run (``before_plan``); None: unread
    _taken_over: bool | None = None
    # per kind, the persons / organizations settled rows' deals still name (``before_resume``)
    # settled rows' deals → the persons / organizations they still name (x50r6 F3)
    _settled_named: dict[int, dict[str, int]] = {}  # noqa: RUF012 (replaced, never changed)
    # per kind, the persons / organizations a dead run holds the claims of that the
    # reconcile leaves held (``_contacts_held``); None: unread
    _contacts_taken: Counter[str] | None = None
    # the pending creates whose key's claim names a deal (``before_plan``): each reads it
    # first (``_find_created``, getDeal); None: unread (a first run's plan prices them
    # apart: ``jobs.import_load`` ``_ClaimedKeys``)
    _claims_named: int | None = None
    # whether the shared claims' state began after the job was loaded, less than
    # ``SETTLED_AFTER_BIRTH`` ago (``before_plan``): a create sent now looks its key up
    # first; None: unread
    _young: bool | None = None
    # how many scans of the deals changed since, both lists, a create's look-up may begin,
    # each from an earlier moment than the last (``_young_state``): one where the claims'
    # state began after the job's creation (from it), one where it began less than a
    # claim's lease ago (a fresh key's claim is then untrusted from the birth less the
    # lease); 0: none (this machine's claims, or an old state); None: unread
    _scan_starts: int | None = None
    # per list (``getDeals``, ``getArchivedDeals``), how many deals the re-read listed
    # changed since the job's creation less the margin (``_keyed_since_load``); None: unread
    _since_load_changed: dict[str, int] | None = None
    # ... and the ids of the live keyed deals among them (a pending update of one is listed
    # once by the end-of-run doubles check: ``resume_calls``)
    _since_load_ids: frozenset[int] = frozenset()
    # the persons / organizations (kind, key) the rows naming an id found gone by the
    # re-read will create once resolved again (``_named_gone``): the plan after it prices them
    _again_refs: frozenset[tuple[str, str]] = frozenset()
    # of the ids that re-read found gone with no survivor, those the rows naming them,
    # decided again, link an account record now (kind, id): the resume's line says them
    _found_again: set[tuple[str, int]]
    # the persons the re-read read by id (``_contacts_gone``), id → as listed: those in the
    # rows of an organization gone tell where a merge moved it (``members.moved_with``)
    _persons_now: Mapping[int, Mapping[str, Any]] | None = None

    # the start-up's reads of the store (``_lookup_now``, ``_pending_refs``, ``_targets``):
    # (the store, its ``writes`` then, what → what was read); None once the run starts.
    # Never the items themselves: each reader streams their ``Brief`` s (issue 8)
    _start_reads: tuple[JobStore, int, dict[Any, Any]] | None = None

    # -- resuming ---------------------------------------------------------------------------
    def _memo(self, store: JobStore) -> dict[Any, Any]:
        """What the start-up read from ``store`` since its last write: a resume's plan, its
        re-read and the plan after it ask for the pending rows and their persons' /
        organizations' ids a dozen times each; every ask decoded every payload again and
        looked each reference up alone (x19r3 F4: a resumed 40k-row import spent 2.5
        minutes and 3x the memory of the first run before its first write)."""
        if self._start_reads is None or self._start_reads[0] is not store \
                or self._start_reads[1] != store.writes:
            self._start_reads = (store, store.writes, {})
        return self._start_reads[2]

    def _remaps(self, brief: Brief) -> bool:
        """``_needs_mapping`` of the item ``brief`` is of."""
        return not brief.duplicate and (not brief.mapped or (
            self.mapping_changed and brief.id not in self._as_loaded))

    def _full(self, store: JobStore, ids: Sequence[int]) -> Iterator[Item]:
        """The items ``ids`` names, decoded, in that order, 500 at a time (a reader that
        needs their payloads: rows mapped again, pending updates decided again)."""
        for at in range(0, len(ids), 500):
            part = ids[at:at + 500]
            got = {i.id: i for i in store.items_by_id(part)}
            yield from (got[i] for i in part if i in got)

    def _lookup_now(self, store: JobStore, kind: str, key: str) -> int | None:
        """The id the job's lookups hold for person / organization ``key`` (one query per
        kind and store version, not one per reference)."""
        memo = self._memo(store)
        if ("lookups", kind) not in memo:
            memo["lookups", kind] = store.lookups(kind)
        got: int | None = memo["lookups", kind].get(key)
        return got

    def _ids(self, store: JobStore, brief: Brief) -> tuple[tuple[str, int], ...]:
        """The persons / organizations ``brief`` names by id: its deal's, and the
        organization its person is to be made with while the job knows no such person
        (``Brief.named``; x50r6 F1: a person made earlier blamed its organization's
        delete on every pending row naming it)."""
        return brief.named(lambda key: self._lookup_now(store, "person", key) is None)

    async def before_plan(self, store: JobStore) -> None:
        """Read, before each plan of a resume (``jobs.resuming.resumed``), whether a pending
        create's claim is still held by a run that died (``Claims.dead_held``: read, never
        taken): such a create takes it over and scans the deals added since for its key
        (``_find_created``), which ``resume_calls`` then prices. The creates in doubt are
        not among them: the reconcile takes their claims over and releases them before they
        are sent again (f30h: the plan priced that scan for them, 30 tokens over 4 resumes
        in 5). And how many claims of the pending creates and of those in doubt name a
        deal not known gone (``_claims_named``): each such create reads that deal first
        (``getDeal``, 1 token) — for the creates in doubt at most, the reconcile settles
        those it finds made. No call to Pipedrive."""
        names = (self.claim_name(str(i.key)) for i in self._pending_creates(store)
                 if str(i.key) not in self._found_on_resume)
        # the creates in doubt the reconcile does not find are sent again, and read the
        # deal their claim names first as a pending create does: at most each of them
        # (f43b: getDeal 161 planned, 205 spent, the 44 in doubt)
        doubted = (self.claim_name(str(i.key)) for i in briefs(store, ItemState.SENDING)
                   if i.op == "create" and i.key and not i.duplicate
                   and str(i.key) not in self._found_on_resume)
        taken = False
        named = 0
        for group, pending in ((names, True), (doubted, False)):
            while part := list(islice(group, 2000)):  # never all at once (issue 8)
                if pending and not taken and await self.claims.dead_held(part):
                    taken = True
                # a claim naming a deal (an earlier import's, gone since: the load found
                # no live deal with the key) is read first, as a fresh plan prices it
                # (x38r1 F3: a re-import after an undo, resumed: 270 getDeal unpriced)
                told = [o["deal_id"] for o in (await self.claims.outcomes(part)).values()
                        if isinstance(o.get("deal_id"), int)
                        # a deal this job made for a key in doubt: the reconcile finds it
                        and (pending or o.get("job") != self.store.job_id)]
                # (one an undo here deleted is known gone, not read: x42r7 F3)
                gone = (await self._read_deleted())["deal"] if told else frozenset()
                named += sum(1 for deal_id in told if deal_id not in gone)
        self._taken_over = taken
        self._claims_named = named
        self._young = await self._young_state(store)
        self._contacts_taken = await self._contacts_held(store)

    async def _young_state(self, store: JobStore) -> bool:
        """Whether a create the resume sends (pending, or in doubt and not found by the
        reconcile) scans the deals added since, both lists, before it is sent: the shared
        claims' state (a coordinator's Redis: ``born``, read, nothing taken) began after
        the job was loaded — or has no birth marker yet: this run's first claim writes
        it — less than ``SETTLED_AFTER_BIRTH`` ago (``_untrusted_since``: the reconcile's
        own look, begun before then, does not answer it; x41r6 F2: getDeals and
        getArchivedDeals 1 more than planned, every row left in doubt). False with this
        machine's claims alone (no ``born``).

        Sets ``_scan_starts`` too: past that first minute a create's claim stays untrusted
        while the state began after the job's creation, or (a fresh key's claim, taken
        within a lease of the birth: ``bulk.claims_redis`` ACQUIRE) from the birth less the
        lease; one scan answers each such start, and an earlier start reads the archived
        list again (x50r2 F3: a resume 1-4 minutes after a FLUSHALL, plan 612 / run 672,
        3 archived reads where 1 was priced)."""
        born = getattr(self.claims, "born", None)
        if born is None:
            self._scan_starts = 0
            return False
        at: float | None = await born()
        now = self.clock.wall()
        created = store.created_at or 0.0
        lost = at is None or created < at
        leased = at is None or now - at < float(getattr(self, "lease", DEFAULT_LEASE))
        self._scan_starts = int(lost) + int(leased)
        # (a job created after the birth, within its first minute: its fresh keys' claims
        # are untrusted as a young state's, a scan a batch)
        return (lost or leased) and now - (now if at is None else at) < SETTLED_AFTER_BIRTH

    async def _contacts_held(self, store: JobStore) -> Counter[str]:
        """Per kind ("person" / "org"), the persons / organizations the pending rows and the
        rows in doubt still need (not known yet) whose claim a dead run holds and the
        reconcile will not settle: each such create takes it over and first lists those
        added since (``import_resolve.Resolver._created_meanwhile``). The reconcile
        settles (``Resolver._settle_absent``) the claims of the rows in doubt that this
        job took after those rows were sent; any other (another job's, or a row still
        pending: its person was being created when the run died) stays held."""
        sending = list(briefs(store, ItemState.SENDING))  # (a few batches at most)
        since = min((i.sent_at or 0.0 for i in sending), default=0.0) - RECONCILE_MARGIN
        doubted = {ref for item in sending if not item.duplicate for ref in item.refs}
        refs = set(self._pending_refs(store, sending=True))
        names = {contact_claim_name(kind, self.key_code, canonical_key(kind, key)):
                 (kind, key) for kind, key in refs if self._lookup_now(store, kind, key) is None}
        held: Counter[str] = Counter()
        listed = list(names)
        for at in range(0, len(listed), 2000):  # never all of them at once (issue 8)
            for name, hold in (await self.claims.dead_held(listed[at:at + 2000])).items():
                ref = names[name]
                if ref in doubted and hold.tag == self.store.job_id and hold.since >= since:
                    continue  # settled by the reconcile's look (absent or found)
                held[ref[0]] += 1
        return held

    def forget_start_reads(self) -> None:
        """Drop what the start-up read (called once the run starts: the runner reads its
        batches itself, and the rows' payloads would stay in memory for the whole run)."""
        self._start_reads = None

    def _rereads(self, item: Brief) -> bool:
        """Whether pending ``item`` is an update a resume re-reads (``_updates_again``)."""
        return item.op == "update" and item.patch and not self._remaps(item)

    def _targets(self, store: JobStore) -> tuple[list[int], list[int]]:
        """The deal ids of the pending updates a resume re-reads, and the ids of those that
        unarchive their deal (read from the archived list as well: the default one omits
        archived deals, so without it every such row would read as gone)."""
        got: tuple[list[int], list[int]] = self._census(store)["targets"]
        return got

    def _census(self, store: JobStore) -> dict[str, Any]:
        """What the start-up's readers take of the pending rows and those in flight, in one
        pass over their ``Brief`` s, once per store version: ``targets`` (``_targets``),
        ``refs`` / ``refs+sending`` (``_pending_refs``) and ``keyed`` (``_any_keyed``)."""
        memo = self._memo(store)
        if "census" not in memo:
            ids: list[int] = []
            archived: list[int] = []
            refs: dict[tuple[str, str], None] = {}
            in_flight: dict[tuple[str, str], None] = {}
            by_id: Counter[tuple[str, int]] = Counter()  # (kind, id) → rows naming it
            keyed = False
            remapped: list[tuple[int, str]] = []  # keyed rows mapped again: (id, op)
            for i in briefs(store, ItemState.PENDING, ItemState.SENDING):
                pending = i.state is ItemState.PENDING
                if pending and self._rereads(i):
                    ids.append(int(i.deal_id))
                    if i.unarchive:
                        archived.append(int(i.deal_id))
                if not i.duplicate and not self._remaps(i):
                    (refs if pending else in_flight).update(dict.fromkeys(i.refs))
                    by_id.update(set(self._ids(store, i)))
                if pending and bool(i.key) and not i.duplicate and (
                        i.op == "create" or (i.op == "update" and isinstance(i.deal_id, int))):
                    if self._remaps(i):
                        remapped.append((i.id, i.op))
                    else:
                        keyed = True
            memo["census"] = {"targets": (ids, archived), "refs": list(refs),
                              "refs+sending": list({**refs, **in_flight}), "keyed": keyed,
                              "by id": by_id,
                              "keyed remapped": remapped}
        census: dict[str, Any] = memo["census"]
        return census

    def _named_now(self, store: JobStore
                   ) -> tuple[Named, ImportMapping | None, bool | tuple[str, ...]]:
        """What the rows still to send as stored name in the account (not the rows mapped
        again: their planner compiles the mapping against a fresh catalog), the mapping
        (None: not readable) and whether the check pulls the users; once per store
        version. Read in SQL (``_NAMED_FACTS``), no payload decoded (issue 8)."""
        memo = self._memo(store)
        if "named" not in memo:
            named = Named()
            for r in store.item_facts((ItemState.PENDING, ItemState.SENDING), _NAMED_FACTS):
                duplicate, deal, changes = r[6:9]
                if duplicate or (deal is None and changes is None) or self.mapping_changed:
                    continue  # held, or mapped again (``_needs_mapping``)
                for at in (9, 9 + len(_NAMED_KEYS)):
                    body = dict(zip(_NAMED_KEYS, r[at:at + len(_NAMED_KEYS)], strict=True))
                    if isinstance(custom := body["custom_fields"], str):
                        body["custom_fields"] = orjson.loads(custom)
                    named.add(body)
            try:
                mapping: ImportMapping | None = ImportMapping.load(self.settings.mapping)
            except (InputError, OSError, ValueError):
                mapping = None
            memo["named"] = (named, mapping, needs_users(named, mapping))
        got: tuple[Named, ImportMapping | None, bool | tuple[str, ...]] = memo["named"]
        return got

    def _account_check_calls(self, store: JobStore) -> dict[str, int]:
        """The pulls of ``_account_now`` (none when no row to send names anything, or this
        run already pulled the catalog to map rows again, or loaded the job: a load cut
        short, loaded again, compiled the mapping against the account just now)."""
        if self._loaded is not None:
            return {}
        named, _, users = self._named_now(store)
        return check_calls(users) if named and self._catalog_now is None else {}

    async def _account_now(self, ctx: CallContext, store: JobStore) -> list[str]:
        """InputError before anything is read or sent when the account no longer has a
        field, option, stage, pipeline or active owner the rows to send name, or the mapping
        no longer compiles against it (``jobs.import_account_now``; x43r4 F3). What is gone
        by id but there again by name (``PutBack``) maps the rows again instead: the line
        saying so is returned."""
        if self._loaded is not None:  # loaded in this run: checked by its load
            return []
        named, mapping, users = self._named_now(store)
        if not named:
            return []
        values = store.meta_get(META_VALUE_LABELS)
        try:
            self._catalog_now = await check_now(
                ctx, named, mapping, path=self.settings.mapping, users=users,
                labels=self.field_labels, catalog=self._catalog_now,
                values=values if isinstance(values, Mapping) else {})
        except PutBack as back:
            # deleted and made again under the same name: the rows are mapped again with
            # the mapping as it is, as after an edit of it (x44r4 F2), not refused
            self._catalog_now, self.mapping_changed = back.catalog, True
            self._as_loaded.clear()  # (every row, as after an edit: none as loaded)
            self._mapping_run, self._start_reads = None, None
            return [f"the account changed since this job was loaded ({'; '.join(back.said)})"
                    ", but what is gone is there again under the same name: the rows still "
                    "to send are mapped again with the mapping as it is"]
        return []

    def reread_calls(self, store: JobStore) -> dict[str, int]:
        """The calls ``before_resume`` makes now, by operation (for the plan): the check of
        what the rows name against the account (``_account_now``), the pending updates'
        deals, and with pending creates the first page of the deals added since the load
        (more when over 500 were added)."""
        calls = Counter(reread_calls(*self._targets(store)))
        calls.update(self._account_check_calls(store))
        if self._any_keyed(store):
            # the deals added or changed since the load with their keys, live and archived
            # (_keyed_since_load), 500 a page: this job's own writes are among them
            # (x11r2 4: a capped import's resumes planned 1 page and read 2, 3, 4)
            written = store.counts()[ItemState.DONE]
            calls["getDeals"] += -(-(written + 1) // 500)
            calls["getArchivedDeals"] += 1
        # still there? (_contacts_gone): those known by key and those named by id, 100 a page
        for kind, ids in self._contacts_read(store).items():
            if ids:
                calls["getPersons" if kind == "person" else "getOrganizations"] += \
                    -(-len(ids) // 100)
        for kind in {kind for kind, _ in self._new_pairs(store)}:
            # the persons / organizations added since the load (_contacts_again)
            calls["getPersons" if kind == "person" else "getOrganizations"] += 1
        return dict(calls)

    def resume_first_calls(self, store: JobStore) -> dict[str, int]:
        """The calls a later resume (another run: no catalog pulled yet, nothing loaded)
        makes before it writes again, by operation: its check of the account
        (``_account_now``, ``check_calls``) whenever the rows to send name anything, and its
        re-read (``reread_calls``), as ``jobs.resume_account_now.resume_first_calls`` counts
        every kind's (w56r1 F2: a plan's per-resume figure without the check)."""
        calls = Counter(self.reread_calls(store)) - Counter(self._account_check_calls(store))
        named, _, users = self._named_now(store)
        if named:
            calls.update(check_calls(users))
        return dict(calls)

    def resume_calls(self, store: JobStore) -> dict[str, int]:
        """The calls a resume makes now, by operation: the re-read; one PATCH per pending
        update and one create per pending deal, and per person / organization they still
        need (created once, however many rows name it); for creates in doubt, the first
        page of the deals added since (500 per page), and for persons / organizations of
        rows in doubt that are not known yet, the first page of those added since — once
        for the reconcile, and once more per such person / organization, at most one per
        worker of the job (its create may take over the claim the dead process held, and
        looks again first; a job killed again before those creates ran may send more). Rows
        mapped again (retry of a row that failed its checks, a changed mapping file) count
        their deal's write (a create unless stored as an update); the catalog and indexes
        they pull again and the persons / organizations they may create are not counted
        here (``unpriced`` says how many rows)."""
        calls = Counter(self.reread_calls(store))
        needed: set[tuple[str, str]] = set()
        doubted: set[tuple[str, str]] = set()  # references of rows in doubt
        doubt = False
        unlisted = 0  # updates of a deal the re-read did not list changed (the doubles check)
        for state in (ItemState.PENDING, ItemState.SENDING):
            for item in briefs(store, state):
                if item.duplicate:
                    continue
                unlisted += item.op == "update" and (
                    item.deal_id is None or int(item.deal_id) not in self._since_load_ids)
                if self._remaps(item):
                    # mapped again first (a retried row that failed its checks): its write
                    # is priced (issue 10 F5: the plan said "getDeals 1" and sent 2
                    # addDeal) when the mapping as it is now takes the row — a row it still
                    # refuses sends nothing (x40r2 F3: every failed row was priced a
                    # create, 4,039 tokens planned for 325 spent); its persons /
                    # organizations are not known yet. A key the re-read found on a deal
                    # made since: read, then updated (v9r12: the plan after the re-read
                    # still said addDeal)
                    op = self._sent_again(item.id, item.op)
                    if op is None:
                        continue
                    if op != "update" and item.key in self._found_on_resume:
                        # read: recheck_calls prices it
                        calls["updateDeal"] += self.settings.mode == "upsert"
                    else:
                        calls["updateDeal" if op == "update" else "addDeal"] += 1
                    continue
                if item.op != "update" and item.key in self._found_on_resume:
                    # the deal found by the re-check: read (recheck_calls prices it), then
                    calls["updateDeal"] += self.settings.mode == "upsert"  # maybe patched
                else:
                    calls["updateDeal" if item.op == "update" else "addDeal"] += 1
                doubt = doubt or (state is ItemState.SENDING and item.op != "update")
                needed.update(item.refs)
                if state is ItemState.SENDING:
                    doubted.update(item.refs)
        # the rows mapped again name theirs once the re-read decided them (x40r2 F3)
        needed.update((str(ref["kind"]), str(ref["key"])) for ref in self._remap_refs)
        # ... and the rows naming by id a record the re-read found gone, resolved again
        # before their send (``_named_gone``; x48r3 F1: not priced, 12% over)
        needed.update(self._again_refs)
        missing = {ref for ref in needed if self._lookup_now(store, *ref) is None}
        for kind, _key in missing:
            calls["addPerson" if kind == "person" else "addOrganization"] += 1
        # the deals added since, live and archived: the reconcile's look (it takes the
        # claims of the creates in doubt over and releases them: sent again, they look
        # nothing up), and the look of the pending creates whose claims the killed process
        # still holds (claimed for its batch, not sent: taken over, the deal may have been
        # made meanwhile; v9r6 #5: getDeals 4, planned 2) — unread (``before_plan`` not
        # run): as many as the reconcile, never fewer (f30h: 30 tokens over after a kill)
        calls["getDeal"] += self._claims_named or 0  # read first (``before_plan``)
        taken = doubt if self._taken_over is None else self._taken_over
        # ... and, in a young shared claims' state, the look of every create sent (the
        # same scan: one a batch answers every claim of it; x41r6 F2)
        # (x47r4 F1: each a page per 500 deals changed since the job's creation: its
        # deals-list reads, a batch each, are priced with the re-check's, ``recheck_calls``)
        # (x50r2 F3: past the young minute, within a lease of the birth or on a state begun
        # after the creation, a scan from each start, one a batch no more; the dead run's
        # claims, from their own: each start one more read of both lists, never under)
        young = bool(self._young and calls["addDeal"])
        starts = (self._scan_starts or 0 if calls["addDeal"] else 0) + int(taken)
        pages = self._young_scan_pages(store, 0)
        calls["getDeals"] += (self._reconcile_pages(store) if doubt else 0) + (
            max(0, starts - 1) if young else starts) * pages["getDeals"]
        calls["getArchivedDeals"] += int(doubt) + starts * pages["getArchivedDeals"]
        # reconcile reads the deals of the updates in doubt (F2)
        doubted_updates = [i for i in briefs(store, ItemState.SENDING) if self._rereads(i)]
        calls.update(reread_calls([int(i.deal_id) for i in doubted_updates],
                                  [int(i.deal_id) for i in doubted_updates if i.unarchive]))
        # reconcile looks for the persons / orgs in doubt among those added since (F5); one
        # it does not find is then created under the claim the dead process may still hold
        # (it was creating it when it died): taken over, that create first looks again among
        # those added since (``import_resolve.Resolver._created_meanwhile``), a scan per key
        # (tester v9r5: the plan said getPersons 1, 2-3 were sent). A process has at most
        # one such create in flight per worker
        # — only those the reconcile does not settle: a claim this job took after the row
        # was sent is released absent by its look (``_contacts_held``, read before the plan;
        # unread: every one, f30h: getPersons 12 planned, 2 made)
        workers = max(1, int(store.config.get("engine", {}).get("max_workers", 64)))
        looked = Counter(kind for kind, _ in doubted & missing)
        held = looked if self._contacts_taken is None else self._contacts_taken
        for kind in set(looked) | set(held):
            calls["getPersons" if kind == "person" else "getOrganizations"] += \
                int(kind in looked) + min(held[kind], workers)
        # the end-of-run check for doubles (jobs.doubles): over every deal the job created,
        # the deals written since its load, its earlier runs' too
        created = doubles.created_keys(store)
        made = len(created) + calls["addDeal"]
        written = store.counts()[ItemState.DONE] + calls["addDeal"] + calls["updateDeal"]
        check = {} if not calls["addDeal"] and doubles.checked_over(store, created) else \
            doubles.check_calls(made, written, fields=doubles.created_key_field(store))
        if check:  # at least the pages the re-read found changed since the load
            check["getDeals"] = max(check["getDeals"], getattr(self, "_since_load_pages", 0))
        if check and self._since_load_changed is not None:
            # ... and those deals with the run's writes not among them (x51 loop: 485 deals
            # changed since the load, 1 page of re-read, 30 creates after it: the check read
            # 2 pages, the plan said 1)
            check["getDeals"] = max(check["getDeals"], doubles.check_calls(
                made, calls["addDeal"] + unlisted, fields=False,
                others=self._since_load_changed.get("getDeals", 0))["getDeals"])
        calls.update(check)
        end = Counter(check)  # after the last write, skipped by a spent budget (x51r5 F6)
        # ... and for persons / organizations another run doubled (f41b 1): over every one
        # the job made, unless a check covered them all and none is made now
        made_now = doubles.made_by_key(store)
        adding = {"person": calls["addPerson"], "org": calls["addOrganization"]}
        if any(adding.values()) or (any(made_now.values()) and not
                                    doubles.contacts_checked_over(store, made_now)):
            # ... over the records changed since the load less the margin: those this job
            # made, and others' the re-read listed (f48k: 2,500 persons a colleague added
            # just before a resume, plan 580 / server 630)
            others = {kind: len(self.resolver.changed_seen.get(kind, set())
                                - set(made_now[kind].values())) for kind in ("person", "org")}
            contacts = doubles.contact_check_calls(
                len(set(made_now["person"].values())) + adding["person"],
                len(set(made_now["org"].values())) + adding["org"],
                persons_changed=others["person"], orgs_changed=others["org"])
            calls.update(contacts)
            end.update(contacts)
        self.end_of_run_calls = {op: n for op, n in end.items() if n}
        # the run's end reads the deals of settled rows naming a record the re-read found
        # gone (``vanished.links_now``; before the re-read, none is known: x38r3)
        calls.update(vanished.links_now_calls(store, self._vanished))
        return {op: n for op, n in calls.items() if n}

    def _young_scan_pages(self, store: JobStore, made: int) -> dict[str, int]:
        """The pages, by operation, of one young-claims scan (``creates._Creates
        ._find_created``: ``keyed_added_since`` from the job's creation less
        ``RECONCILE_MARGIN``, on a claims' state born after the job was loaded) once this
        run has written ``made`` deals: one page of each list per 500 deals the resume's
        re-read listed changed since that same moment (``_keyed_since_load``; before it,
        this job's own writes since the load), plus ``made`` on the default list; no
        extra call. The scan lists the deals deleted in that window too, which no read
        before it counts: those add pages unpriced (README "Redis restarted empty")."""
        changed = self._since_load_changed
        if changed is None:
            changed = {"getDeals": store.counts()[ItemState.DONE]}
        return keyed_since_calls({"getDeals": changed.get("getDeals", 0) + made,
                                  "getArchivedDeals": changed.get("getArchivedDeals", 0)})

    def _reconcile_pages(self, store: JobStore) -> int:
        """The pages of ``getDeals`` the reconcile of the creates in doubt lists: every deal
        changed since the first row in doubt was sent (less ``RECONCILE_MARGIN``), 500 a
        page, this job's own writes among them — the rows sent since and those in doubt
        (x38r3 F11: one page planned, 2-4 read after a kill of a fast run; others' writes
        meanwhile still add pages no plan knows)."""
        sending = [i.sent_at for i in briefs(store, ItemState.SENDING)]
        since = min((at or 0.0 for at in sending), default=0.0) - RECONCILE_MARGIN
        written = store.count_sent_since(ItemState.DONE, since) + len(sending)
        return -(-(written + 1) // 500)

    def in_doubt_writes(self, store: JobStore) -> dict[str, int]:
        """Of ``resume_calls``' writes, those of the rows in doubt (left in flight by a
        kill): one ``addDeal`` per create in doubt, one ``updateDeal`` per update row in
        doubt, counted as sent again. The reconcile
        sends none for a create it finds made (its deal carries the key), so the plan is
        over by that much for each: a plan says so (``jobs.resuming.plan_lines``)."""
        doubted = [item for item in briefs(store, ItemState.SENDING) if not item.duplicate]
        n = sum(1 for item in doubted
                if item.op != "update" and item.key not in self._found_on_resume)
        # an upsert's update rows in doubt too: one updateDeal each (x51r13 F4)
        updates = sum(1 for item in doubted if item.op == "update")
        return {op: k for op, k in (("addDeal", n), ("updateDeal", updates)) if k}

    def unpriced(self, store: JobStore) -> int:
        """Pending rows a resume maps again (their pulls are not in ``resume_calls``)."""
        return sum(1 for item in briefs(store, ItemState.PENDING, ItemState.SENDING)
                   if self._remaps(item))

    @property
    def remapped_priced(self) -> bool:
        """Whether the rows mapped again were decided (the re-read): their persons /
        organizations to create are then in ``resume_calls``."""
        return bool(self._remap_sends)

    def unsent(self, store: JobStore) -> int:
        """Of ``unpriced``, the rows the mapping as it is now refuses (or, after the
        re-read, that change nothing): not sent, not priced (``_sent_again``)."""
        return sum(1 for item in briefs(store, ItemState.PENDING, ItemState.SENDING)
                   if self._remaps(item) and self._sent_again(item.id, item.op) is None)

    def _sent_again(self, item_id: int, op: str) -> str | None:
        """The write a row mapped again makes ("create" / "update"; None: none): as the
        re-read decided it (``_remapped_refs``), else — before the re-read — None when the
        mapping as it is now refuses the row (``RowMapper.map`` of the planner the retry
        built: no call, nothing decided), else its stored op (at most: the row may still
        fail on its person, its organization or its key)."""
        if item_id in self._remap_sends:
            return self._remap_sends[item_id]
        foreseen = self._foresee_remapped()
        if item_id in foreseen:
            return foreseen[item_id]
        return "update" if op == "update" else "create"

    def _foresee_remapped(self) -> Mapping[int, str | None]:
        """Before the re-read: the write each pending row mapped again makes, as the run's
        planner decides the rows together, in the order the re-read and the run take them
        (``RowPlanner.decide``: no call; a later row of a key writing what its first row
        writes is that row's duplicate and sends nothing — f41b 5: two rows of one key
        that failed on a stage, fixed, were priced two addDeal, one was sent); {} while
        the planner is not built (the retry builds it before its plan) or unusable."""
        if self._remap_foreseen is not None:
            return self._remap_foreseen
        planner = self._planner
        if planner is None or self._unusable is not None:
            return {}
        from ..import_items import source_row

        foreseen: dict[int, str | None] = {}
        for item in self._full(self.store, self._remapped_ids(self.store)):
            decided = planner.decide(source_row(item.row or 0, item.payload),
                                     check_duplicate=item.key is not None)
            foreseen[item.id] = decided.op if decided.state is ItemState.PENDING else None
        planner.forget_keys()  # (the re-read and the run judge them again, from the first)
        self._remap_foreseen = foreseen
        return foreseen

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

        Before both, the deals added since the load that carry the pending rows' keys are
        listed once (``_keyed_since_load``): a pending update whose key is now also on
        another deal fails (``key K matches deals A, B``; v9r5 finding 3: the original
        deal was written), and pending creates: ``_creates_again``. Returns the lines to
        print. First of all, what the rows name is checked against the account as it is
        now (``_account_now``: InputError, nothing sent)."""
        # the lead the job's answered writes measured (kept): Pipedrive's times judged
        # below (a dead holder's creates, ``_creator``) are converted by it (x52r8)
        self._lead = await in_thread(lambda: job_lead(store, keep=True))
        lines = await self._account_now(ctx, store)
        lines += await self._settle_created(store)
        keyed = await self._keyed_since_load(ctx, store)
        # the settled rows' persons / organizations their deals listed still name: checked
        # for a delete in the room of the pages ``_contacts_gone`` reads anyway (x49r8 F2)
        self._settled_named = await in_thread(partial(linked_since.still_named, store, keyed))
        lines += await self._keys_now_twice(store, keyed)
        lines += await self._updates_again(ctx, store)
        lines += await self._contacts_gone(ctx, store)
        lines += self.redecided_line()  # (counted by the re-read just now: x53r2 F1)
        lines += await self._contacts_again(ctx, store)
        return lines + await self._creates_again(ctx, store, keyed)

    async def _settle_created(self, store: JobStore) -> list[str]:
        """Release the claims a killed run of this job left unwritten: a run killed (kill
        -9) after its store wrote rows done but before its queued releases were written
        (``release_soon``: with the next batch's claims). No call to Pipedrive; the store
        is read in a worker thread. Returns the line to print (none when nothing was left
        unsettled).

        - Rows recorded ``created`` whose claim names no deal: released with the deal this
          job created (deal, job, digest). Else a later import of the same rows could not
          tell the key's deal, e.g. that a merge took it away, and created it again (x29r1
          F1: 29 of 60 merged-away deals). A claim another live run holds, or one released
          with a deal since, is left as it is.
        - Rows whose create found the key's deal (``exists``, ``updated``, ``unchanged``)
          whose claim this job's dead run still holds: released with that deal and the
          outcome it had (its creator's job and digest, when it named that deal). Held,
          the next import that needs the key took it over and scanned the deals added
          since for it. Only claims a dead holder holds for this job are taken: one another
          run holds (live or dead) is left to it."""
        def done() -> tuple[dict[str, Mapping[str, Any]], dict[str, int]]:
            made: dict[str, Mapping[str, Any]] = {}
            found: dict[str, int] = {}
            for state in (ItemState.DONE, ItemState.SKIPPED):
                for i in store.items(state):
                    result = i.result or {}
                    if i.op != "create" or not i.key or not isinstance(
                            result.get("deal_id"), int):
                        continue
                    if result.get("action") == "created":
                        made[self.claim_name(str(i.key))] = result
                    elif result.get("action") in _FOUND:
                        found[self.claim_name(str(i.key))] = int(result["deal_id"])
            return made, found

        made, found = await in_thread(done)
        if not made and not found:
            return []
        told = await self.claims.outcomes(list(made)) if made else {}
        unsettled = [n for n in made if not isinstance(told.get(n, {}).get("deal_id"), int)]
        job = self.store.job_id
        ours = {n for n, hold in (await self.claims.dead_held(list(found)) if found
                                  else {}).items() if hold.tag == job}
        if not unsettled and not ours:
            return []
        got = await self.claims.acquire_many([*unsettled, *ours], self.lease, tag=job)
        settled = 0
        for name, claim in got.items():
            if not isinstance(claim, Claim):
                continue  # another live run holds it: its outcome stands
            if name in ours:
                if not claim.reconcile or claim.prev_tag != job:
                    # taken over since by another run: its hold is not this job's to settle
                    self.claims.release_soon(claim, in_doubt_outcome(
                        claim.since or self.clock.wall(), claim.prev_tag,
                        claim.last_settled())
                        if claim.reconcile else None)
                    continue
                self.claims.release_soon(claim, self._outcome(found[name], claim.previous,
                                                              ours=False))
                settled += 1
                continue
            if claim.previous is not None and isinstance(claim.previous.get("deal_id"), int):
                self.claims.release_soon(claim)  # released with a deal meanwhile: kept
                continue
            digest = made[name].get("digest")
            self.claims.release_soon(claim, self._outcome(
                int(made[name]["deal_id"]), None,
                digest=digest if isinstance(digest, str) else None))
            settled += 1
        await self.claims.flush()
        return [f"recorded the deals of {counted(settled, 'row')} a stopped run had "
                "created or found but not yet recorded as its keys' (a kill -9 before its "
                "last write)"] if settled else []

    def _remapped_ids(self, store: JobStore) -> list[int]:
        """The pending rows mapped again, then those left in flight (mapped again too), by
        id within each: the order the run and the re-read decide them in."""
        return [i.id for state in (ItemState.PENDING, ItemState.SENDING)
                for i in briefs(store, state) if self._remaps(i)]

    def _pending_refs(self, store: JobStore, *,
                      sending: bool = False) -> list[tuple[str, str]]:
        """The references (kind, key) of the pending rows' stored payloads (``sending``: and
        of the rows left in flight, which the run reconciles and may send again), each
        once, in the rows' order."""
        refs: list[tuple[str, str]] = self._census(store)[
            "refs+sending" if sending else "refs"]
        return refs

    def _new_pairs(self, store: JobStore) -> list[tuple[str, str]]:
        """The persons / organizations (kind, key) the pending rows would create (not known
        yet). A plan counts the look among those added since for these only: one for a
        known record found deleted (``_contacts_gone``) is not priced (it cannot be
        foreseen)."""
        return [ref for ref in self._pending_refs(store)
                if self._lookup_now(store, *ref) is None]

    def _new_contacts(self, store: JobStore) -> list[Any]:
        """``_new_pairs``' references as the rows store them (with the body each would
        send: ``Resolver.learn_added``), each once: the pending rows naming one are read
        again, a page at a time."""
        wanted = set(self._new_pairs(store))
        if not wanted:
            return []
        found: dict[tuple[str, str], Any] = {}
        ids = [i.id for i in briefs(store, ItemState.PENDING) if not i.duplicate
               and not self._remaps(i) and not wanted.isdisjoint(i.refs)]
        for item in self._full(store, ids):
            for ref in refs_of(item.payload):
                if (pair := (str(ref["kind"]), str(ref["key"]))) in wanted:
                    found.setdefault(pair, ref)
        return list(found.values())

    async def _remapped_refs(self, ctx: CallContext, store: JobStore) -> list[Any]:
        """The persons / organizations the pending rows that are mapped again (a retry of
        rows that failed their checks) will name: their rows mapped now, nothing sent (the
        planner is the one their run uses). [] when the mapping cannot be used (the run
        says why)."""
        from ..import_items import source_row
        from .base import MappingUnusable

        ids = self._remapped_ids(store)  # in flight at a kill: mapped again too
        self.redecided.clear()
        if not ids:
            return []
        try:
            planner = await self._planner_for(ctx)
        except MappingUnusable:
            return []
        out: list[Any] = []
        images: list[BeforeImage] = []
        taken = self.clock.wall()
        deals = planner.indexes.deals
        for item in self._full(store, ids):
            # judged against the other rows mapped again, as the run judges them (a later
            # row of a key: its duplicate, sending nothing; x40r5 F1)
            decided = planner.decide(source_row(item.row or 0, item.payload),
                                     check_duplicate=item.key is not None)
            self._remap_sends[item.id] = decided.op if decided.state is ItemState.PENDING \
                else None
            if decided.state is not ItemState.PENDING:
                continue
            if self.keys_redecided is not None:
                self._count_redecided(store, item.payload, decided.payload)
            out += refs_of(decided.payload)
            payload = decided.payload
            if decided.op == "update" and deals is not None and item.key is not None \
                    and isinstance(payload.get("changes"), Mapping):
                # the picture its update is decided against, kept now for every row mapped
                # again, not only the ones this run reaches: a run killed before it got to
                # a row, then a colleague's edit, then a resume overwrote the edit (v9r13)
                existing = deals.get(item.key)
                if existing is None and isinstance(deals, DealsByKey):
                    existing = deals.archived.get(item.key)
                if existing is not None and int(existing["id"]) == payload["deal_id"]:
                    touched = {**payload["changes"], **{
                        f"{name}_id": None for name in ("person", "org")
                        if payload.get(name) is not None}}
                    images.append(BeforeImage("deal", int(existing["id"]), item.id,
                                              before_image(existing, touched), taken))
        planner.forget_keys()  # (the run judges them again, from the first)
        if images:
            await AsyncJobStore.of(store).put_before_images(images)
        self._remap_refs = out  # (priced by the plan after the re-read: resume_calls)
        return out

    def _count_redecided(self, store: JobStore, loaded: Mapping[str, Any],
                         now: Mapping[str, Any]) -> None:
        """Count in ``redecided`` a row mapped again after its job's keys were brought up
        to date: the person / organization its load's payload (``loaded``) linked or
        planned to create against the one the keys as they are now decide (``now``): a
        record by id, or one to create by key (a key the job already made: its id)."""
        def link(kind: str, ref: Any) -> tuple[str, object] | None:
            if not isinstance(ref, Mapping):
                return None
            if isinstance(rid := ref.get("id"), int):
                return "id", rid
            if isinstance(key := ref.get("key"), str):
                made = self._lookup_now(store, kind, key)
                return ("id", made) if made is not None else ("key", key)
            return None

        def own(kind: str, was: Any, ref: Any) -> bool:
            # a record the job made, found by the row mapped again (``matched_by``
            # "created"), whose create its load planned under the key its name has now
            # (its answer lost to a kill: no lookup of it): the same decision
            if not isinstance(ref, Mapping) or ref.get("matched_by") != "created" \
                    or not isinstance(was, Mapping) or not isinstance(was.get("key"), str):
                return False
            if kind != "org":
                return True  # (a person's organization part is counted as the org's)
            body = was.get("body")
            try:
                key = tf.org_match_key(body.get("name")) if isinstance(body, Mapping) else None
            except InputError:
                return False
            return key == str(was["key"]).partition(AT_ADDRESS)[0]

        self.redecided["rows"] += 1
        for kind in ("org", "person"):
            was, new = link(kind, loaded.get(kind)), link(kind, now.get(kind))
            if was != new and not own(kind, loaded.get(kind), now.get(kind)):
                self.redecided[kind] += 1
                if new is not None and new[0] == "key":
                    self.redecided[f"{kind} made"] += 1

    def redecided_line(self) -> list[str]:
        """What the re-read of a job planned with older keys decided again (``redecided``,
        counted by ``_remapped_refs``): one line, none for a job of this key version."""
        if self.keys_redecided is None:
            return []
        got = self.redecided
        parts: list[str] = []
        for kind, what in (("org", "organization"), ("person", "person")):
            if got[kind]:
                made = got[f"{kind} made"]
                parts.append(f"{got[kind]:,} " + ("now link another " if not parts else
                                                   "another ") + what
                             + (f" ({made:,} of them one to create)" if made else ""))
        changed = "; ".join(parts) if parts else "none links another organization or person"
        were = "was" if got["rows"] == 1 else "were"
        doubt = (f"; its {counted(len(self._as_loaded), 'row')} in doubt from the older "
                 "run are settled as it sent them, and decided again if found unwritten"
                 if self._as_loaded else "")
        return [f"this job was planned by an older pdbulk (key version {self.keys_redecided}, "
                f"now {PERSON_KEY_VERSION}): its {counted(got['rows'], 'row')} not yet written "
                f"{were} decided again by the keys as they are now, before any write: "
                f"{changed}{doubt}; the rows already written stay as they were"]

    def _known_contacts(self, store: JobStore, also: Sequence[Any] = (), *,
                        sending: bool = True) -> dict[str, dict[int, set[str]]]:
        """The persons ("person") / organizations ("org") the pending rows name (``sending``:
        and the rows left in flight; and the references ``also``) whose id the job knows
        (it created them, or linked them on an earlier run): id → their keys."""
        known: dict[str, dict[int, set[str]]] = {"person": {}, "org": {}}
        for kind, key in [*self._pending_refs(store, sending=sending),
                          *((str(ref["kind"]), str(ref["key"])) for ref in also)]:
            rid = self._lookup_now(store, kind, key)
            if rid is not None:
                known[kind].setdefault(rid, set()).add(key)
        return known

    def _named_by_id(self, store: JobStore) -> Counter[tuple[str, int]]:
        """The persons / organizations the pending rows and those left in flight name by id
        (matched at the load, not this job's: ``_ids``), (kind, id) → how many rows
        (not the rows mapped again: their references are decided anew)."""
        got: Counter[tuple[str, int]] = self._census(store)["by id"]
        return got

    def contacts_reread(self, store: JobStore) -> dict[str, int]:
        """Per kind ("person" / "org"), how many ``_contacts_gone`` reads by id, 100 a page
        (for the plan's note; the rows mapped again add theirs once decided)."""
        return {kind: len(ids) for kind, ids in self._contacts_read(store).items()}

    def _contacts_read(self, store: JobStore, also: Sequence[Any] = ()
                       ) -> dict[str, list[int]]:
        """Per kind, the ids ``_contacts_gone`` reads: those the job knows by key
        (``_known_contacts``) and those the rows name by id (``_named_by_id``), each once,
        sorted."""
        ids = {kind: set(known) for kind, known in self._known_contacts(store, also).items()}
        for kind, rid in self._named_by_id(store):
            ids.setdefault(kind, set()).add(rid)
        return {kind: sorted(got) for kind, got in ids.items()}

    async def _contacts_gone(self, ctx: CallContext, store: JobStore) -> list[str]:
        """The persons / organizations the pending rows name that this job created or
        linked earlier and someone deleted since (a colleague, while the job was stopped
        or its rows failed): forgotten, so that each is found among those added since
        (``_contacts_again``) or created again — the rows' creates named the deleted id and
        failed again on every ``retry`` (v9r9). And those the pending rows name by id (their
        load matched them): ``_named_gone`` (x48r3 F1). Reads them 100 per call (``GET
        /api/v2/persons?ids=`` / ``organizations?ids=``, 10 tokens; "If any of the requested
        entities do not exist or are not visible, they are not included": openapi-v2.yaml,
        GET /persons, ``ids``). In the room those pages leave (no page more), the ones
        settled rows' deals still name (``_settled_named``): one not answered is told
        deleted, never written (``linked_since``; x49r8 F2)."""
        gone: dict[str, dict[int, set[str]]] = {}
        by_id: dict[str, set[int]] = {}  # named by id (matched at the load), gone
        also = await self._remapped_refs(ctx, store)  # v9r12: a retry's rows mapped again
        known = self._known_contacts(store, also)
        named = self._named_by_id(store)
        persons: dict[int, Mapping[str, Any]] = {}
        checked = linked_since.Checked()
        for kind, ids in self._contacts_read(store, also).items():
            # no page more: only the room the pages read anyway leave (x49r8 F2)
            wanted = linked_since.by_kind(self._settled_named).get(kind, set())
            ids = linked_since.filled(ids, wanted)
            checked.unchecked[kind] = len(wanted - set(ids))
            live: set[int] = set()
            for start in range(0, len(ids), 100):
                page = await ctx.call("getPersons" if kind == "person" else "getOrganizations",
                                      params={"ids": ids[start:start + 100], "limit": 100})
                live.update(int(r["id"]) for r in page.data or ())
                if kind == "person":
                    persons.update((int(r["id"]), r) for r in page.data or ())
            # read (the pending rows' own too) and not answered, their settled deals
            # naming them still: deleted (a merge moves the deals)
            checked.deleted[kind] = (wanted & set(ids)) - live
            for rid in set(ids) - live:
                if rid in known[kind]:
                    gone.setdefault(kind, {})[rid] = known[kind][rid]
                if (kind, rid) in named:
                    by_id.setdefault(kind, set()).add(rid)
        # merged away: followed to the survivor the deals this job linked moved to, not
        # made again by name (x37r1 F2); deleted: forgotten (``jobs.importing.survivors``)
        said = await survivors.settle_gone(ctx, self.resolver, self._vanished.followed, gone)
        self._persons_now = persons
        said += await self._named_gone(ctx, store, by_id)
        await linked_since.record(store, checked.deleted, linked_since.naming(
            self._settled_named, checked.deleted))
        await linked_since.record_unchecked(store, checked.unchecked)
        said += linked_since.line(checked)
        # the run's end reads their settled rows' deals: the plan after the re-read counts it
        self._vanished.planned_gone = frozenset(
            key for key, w in self._vanished.followed.went.items() if w.survivor is None
        ) | {(kind, rid) for kind, ids in self._vanished.gone.items() for rid in ids}
        # all it found gone went while the job was stopped: the rows settled before say so
        self._vanished.stopped_gone = frozenset(self._vanished.followed.went) | \
            self._vanished.planned_gone
        return said

    async def _named_gone(self, ctx: CallContext, store: JobStore,
                          gone: Mapping[str, set[int]]) -> list[str]:
        """The persons / organizations pending rows name by id (matched at the load) that
        someone deleted or merged away since (``gone``: kind → ids), settled before any row
        is sent (x48r3 F1: each such row's addDeal was refused first, 400, then resolved
        again — 21-25 writes refused, 12% over the plan after the re-read). Each is
        followed, as the run follows one (``survivors.went_many``: the deals this job
        linked to it, getDeal each; a merge told is followed to its survivor, the rows sent
        there, ``survivors.ahead``); an organization none of whose deals told, by the
        persons the same rows name by id, read by the re-read (``members.moved_with``: a
        merge moves them; x48r10 F1: 10 of 10 rows linked a new 'Birch Foods Ltd'), its
        keys the rows resolved again make bound there too (``_org_keys_followed``); the
        others are kept as vanished, no survivor found (``Vanished.gone``):
        the rows naming them are resolved again from their cells before their send
        (``vanished.resolved_ahead``), by the planner read now (``Vanished.planner_for``:
        the catalog and the persons / organizations lists), each row decided now to learn
        the persons / organizations it will create (``_again_refs``, priced by the plan
        after the re-read: ``resume_calls``). Returns the resume's line (its reads named).
        """
        self._again_refs = frozenset()
        self._found_again = set()
        if not gone:
            return []
        followed, state = self._vanished.followed, self._vanished
        merged: Counter[str] = Counter()
        state.planned_rows = frozenset(
            b.id for b in briefs(store, ItemState.PENDING, ItemState.SENDING)
            if any(rid in gone.get(kind, ()) for kind, rid in self._ids(store, b)))
        for kind, ids in sorted(gone.items()):
            # one known by key too was followed already (``settle_gone``): not read again
            told = {rid: followed.went[kind, rid] for rid in ids if (kind, rid) in followed.went}
            deals = await survivors.linked_deals(self.resolver.store, kind,
                                                 sorted(ids - set(told)))
            told.update(await survivors.went_many(ctx, kind, deals))
            if kind == "org":  # none of its deals told: the persons matched with it may
                members = self._members(store, ids)
                since = (store.created_at or 0.0) - RECONCILE_MARGIN
                told = {rid: moved_with(went, members.get(rid, ()),
                                        self._persons_now or {}, since)
                        for rid, went in told.items()}
            for rid, went in told.items():
                followed.went[kind, rid] = went
                if went.survivor is not None:
                    followed.ids[kind, rid] = went
                    merged[kind] += 1
                else:
                    state.gone.setdefault(kind, set()).add(rid)
        again = await self._decided_again(ctx, store)
        lines = []
        if merged:
            lines.append(f"{merged['person']:,} person(s) and {merged['org']:,} "
                         "organization(s) the pending rows name by id (matched at the load) "
                         "were merged away by someone since: their rows are sent to the "
                         "survivor (the deals this job linked, or the persons its load "
                         "matched with the organization, moved there)")
        lost = {kind: len(ids) for kind, ids in state.gone.items()}
        if lost:
            # x49r2 F3: those the rows' cells find again (a merged person's e-mail at its
            # survivor) were counted "no survivor found"
            found = Counter(kind for kind, _ in self._found_again)
            none = {kind: n - found[kind] for kind, n in lost.items()}
            lines.append(f"{lost.get('person', 0):,} person(s) and {lost.get('org', 0):,} "
                         "organization(s) the pending rows name by id (matched at the load) "
                         "were deleted or merged away by someone since, with no deal of this "
                         "job or person moved with them to name a survivor: the "
                         f"{counted(again, 'row')} naming them are resolved again from their "
                         "cells before they are sent (the persons / organizations lists read "
                         f"again) — found again by their cells (e-mail, name): "
                         f"{found['person']:,} person(s) and {found['org']:,} "
                         f"organization(s); none found: {none.get('person', 0):,} person(s) "
                         f"and {none.get('org', 0):,} organization(s) "
                         f"({len(self._again_refs):,} person(s) / organization(s) to create)")
        return lines

    def _members(self, store: JobStore, orgs: set[int]) -> dict[int, set[int]]:
        """For each organization of ``orgs`` the pending rows (and those left in flight)
        name by id, the persons those same rows name by id (matched at the load) that
        were at it at the load (``members.at_the_load``: x49r2 F1, a person of another
        organization was taken as one)."""
        return members_at_load(store, briefs(store, ItemState.PENDING, ItemState.SENDING),
                               orgs, self._remaps)

    async def _org_keys_followed(self, payload: Mapping[str, Any],
                                 refs: Sequence[Mapping[str, Any]]) -> None:
        """The organization keys a row resolved again will create (``refs``: its person
        made with one, named by the row's cells) bound to the survivor of the organization
        the row named by id at the load, when that one was followed to it (x48r10 F1: a
        person merged away resolved again made 'Birch Foods Ltd' again with it, its
        organization merged into Cedar): the key is the same cell the load matched."""
        org = payload.get("org")
        rid = org.get("id") if isinstance(org, Mapping) else None
        went = self._vanished.followed.ids.get(("org", rid)) if isinstance(rid, int) else None
        if went is None or went.survivor is None:
            return
        keys = {str(ref["key"]) for ref in refs if ref.get("kind") == "org"
                and self.resolver.known(ref) is None}
        if keys:
            await self.resolver.rebind("org", keys, went.survivor)

    async def _decided_again(self, ctx: CallContext, store: JobStore) -> int:
        """The pending rows (and those left in flight) naming an id ``Vanished.gone``
        holds, decided now by the planner read after it vanished (``Vanished.planner_for``,
        its deals read by ``vanished.deals_for``: the run reuses both), as the run's
        ``vanished._again`` decides them: the persons / organizations they will create,
        not known yet, into ``_again_refs``. Returns how many rows; none decided when the
        planner cannot be read (the run says why, and sends none of them)."""
        from ..import_items import source_row

        state = self._vanished
        ids = [b.id for b in briefs(store, ItemState.PENDING, ItemState.SENDING)
               if not b.duplicate and not self._remaps(b)
               and any(rid in state.gone.get(kind, ())
                       for kind, rid in self._ids(store, b))]
        if not ids:
            return 0
        refs: set[tuple[str, str]] = set()
        async with state.lock:
            try:
                planner = await state.planner_for(self, ctx, state.gone)
            except InputError:
                planner = None
            if planner is None:
                return len(ids)
            for item in self._full(store, ids):
                payload = item.payload
                await vanished.deals_for(state, planner, ctx, item.op, payload)
                decided = planner.decide(source_row(item.row or 0, payload),
                                         check_duplicate=False)
                if decided.state is not ItemState.PENDING:
                    continue
                person = payload.get("person")
                making = isinstance(person, Mapping) and "key" in person \
                    and self._lookup_now(store, "person", str(person["key"])) is None
                named = vanished.linked(self, payload, making)
                names = {kind for kind, rid in named.items()
                         if rid & state.gone.get(kind, set())}
                if "org" in names and isinstance(person, Mapping) and "key" in person:
                    names.add("person")
                fresh = {name: decided.payload.get(name) for name in names}
                for name, ref in fresh.items():  # found in the account again (e-mail, name)
                    if isinstance(ref, Mapping) and isinstance(ref.get("id"), int):
                        for rid in named[name] & state.gone.get(name, set()):
                            self._found_again.add((name, rid))
                            # (the reconcile's note of a create in flight: x50r6 F2)
                            state.found[name, rid] = (int(ref["id"]),
                                                      str(ref.get("matched_by") or ""))
                await self._org_keys_followed(item.payload, refs_of(fresh))
                for ref in refs_of(fresh):
                    pair = (str(ref["kind"]), str(ref["key"]))
                    went = state.followed.moved.get(pair)  # followed to a survivor: none
                    if self.resolver.known(ref) is None \
                            and (went is None or went.survivor is None):
                        refs.add(pair)
            planner.forget_keys()
        self._again_refs = frozenset(refs)
        return len(ids)

    async def _contacts_again(self, ctx: CallContext, store: JobStore) -> list[str]:
        """The persons / organizations pending rows would create that someone added since
        the load, and those this job made for other rows that answer them too (x37r1 F6):
        linked, not created again (``Resolver.learn_added``); one line for each."""
        # what follows reads the account as of now: a claim another run settled before it
        # names a record this re-read saw (``Resolver._pictured``)
        self.resolver.reread_at = ctx.clock.wall()
        refs = self._new_contacts(store)
        if not refs:
            return []
        found = await self.resolver.learn_added(
            ctx, refs, (store.created_at or 0.0) - RECONCILE_MARGIN)
        lines: list[str] = []
        if found["person"] or found["org"]:
            lines.append(f"{found['person']:,} person(s) and {found['org']:,} "
                         "organization(s) the pending rows name were added by someone "
                         "since the load (or hold the e-mail / name since: a merge, an "
                         "edit): linked, not created again")
        if found["person-own"] or found["org-own"]:
            # x37r1 F6: the job's own, made for other rows, were said to be someone's
            lines.append(f"{found['person-own']:,} person(s) and {found['org-own']:,} "
                         "organization(s) the pending rows name are ones this job made "
                         "for other rows (merged with theirs, or answering their e-mail "
                         "or name too): linked, counted once, not created again")
        return lines

    def _keyed_updates(self, store: JobStore) -> Iterator[Brief]:
        return (i for i in briefs(store, ItemState.PENDING) if i.op == "update" and i.key
                and isinstance(i.deal_id, int) and not i.duplicate)

    def _any_keyed(self, store: JobStore) -> bool:
        """Whether a pending create or a pending update has a key (``_keyed_since_load``)
        and will send: a row mapped again that the mapping as it is now refuses sends
        nothing, so no deal is read for it (x45r5 F5: a retry whose 4 rows all failed
        again read getDeals + getArchivedDeals, 30 tokens, for none)."""
        census = self._census(store)
        return bool(census["keyed"]) or any(
            self._sent_again(item_id, op) is not None
            for item_id, op in census["keyed remapped"])

    async def _keyed_since_load(self, ctx: CallContext, store: JobStore
                                ) -> dict[str, list[dict[str, Any]]]:
        """The deals added since the job was loaded (live and archived) that carry the key
        of a pending create or update, by key (``account.keyed_added_since``: one page of
        each list per 500 deals added since); {} without such rows (nothing read)."""
        if not self._any_keyed(store):
            return {}
        since = (store.created_at or 0.0) - RECONCILE_MARGIN
        before = ctx.stats.calls_by_operation.get("getDeals", 0)
        changed: dict[str, int] = {}
        keyed = await keyed_added_since(ctx, since, self.key_code, changed=changed)
        self._since_load_changed = changed
        self._since_load_ids = frozenset(int(d["id"]) for deals in keyed.values()
                                         for d in deals if not d.get("is_archived"))
        # the pages of deals changed since the load, others' too: the end-of-run check for
        # doubles reads them again (resume_calls)
        self._since_load_pages = ctx.stats.calls_by_operation.get("getDeals", 0) - before
        return keyed

    async def _keys_now_twice(self, store: JobStore,
                              keyed: Mapping[str, list[dict[str, Any]]]) -> list[str]:
        """Pending updates whose key a deal added since the load carries too: failed,
        naming both deals, nothing sent (never resolved by picking one, issue 9 section 1)."""
        ids = [i.id for i in self._keyed_updates(store) if str(i.key) in keyed]
        outcomes = keys_now_twice(list(self._full(store, ids)), keyed)
        if not outcomes:
            return []
        await AsyncJobStore.of(store).record(outcomes)
        return [f"{len(outcomes):,} pending update(s) failed: their key is now on a second "
                "deal, added since the load"]

    async def _updates_again(self, ctx: CallContext, store: JobStore) -> list[str]:
        pending = list(self._full(store, [i.id for i in briefs(store, ItemState.PENDING)
                                          if self._rereads(i)]))
        if not pending:
            return []
        labels = self.field_labels
        decided = await redecide_now(ctx, store, pending, lambda item, deal, image:
                                     _update_now(item, deal, image, "since the job was loaded",
                                                 self.key_code, labels,
                                                 stored_types(store)))
        counts = Counter(what for what, _ in decided)
        gone, unchanged, conflicts = counts["gone"], counts["unchanged"], counts["conflict"]
        moved = counts["key moved"]
        await AsyncJobStore.of(store).record([outcome for _, outcome in decided])
        extra = (f", {counted(conflicts, 'conflict')}" if conflicts else "") + (
            f", {moved:,} no longer carry their key" if moved else "")
        return [f"re-read {len(pending):,} pending update(s): {unchanged:,} already as wanted "
                f"(unchanged), {gone:,} gone{extra}, "
                f"{len(pending) - unchanged - gone - conflicts - moved:,} to send"]

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
        of the items not to send. Before it, the batch's creates held back (another live
        run held their key: ``_claim_held_back``) are claimed, waiting for their holders
        together, and the persons / organizations its rows were held back for are waited
        for and read together likewise (``Resolver.read_held``)."""
        await self._claim_held_back(ctx, items)
        # the references each row sends: a row held back with others than its stored
        # ones (resolved again after a vanish, mapped again) waits for those (x46r11 F2)
        await self.resolver.read_held(ctx, [ref for i in items for ref in (
            i.payload.get("org"), i.payload.get("person"), *self._held_refs.pop(i.id, ()))])
        await self._read_claimed(ctx, items)
        checked = [i for i in items if self._recheckable(i) and i.id not in self._rechecked]
        if not checked:
            return []
        self._rechecked.update(i.id for i in checked)
        labels, types = self.field_labels, stored_types(self.store)
        return await recheck_batch_now(ctx, self.store, checked, lambda item, deal, image:
                                       _update_now(item, deal, image, "while the job ran",
                                                   self.key_code, labels, types))

    async def _claim_held_back(self, ctx: CallContext, items: Sequence[Item]) -> None:
        """Claim the batch's creates, waiting together (at most ``claim_wait`` s, this
        run's unsent claims given back all along: ``bulk.claims.wait_giving_back``) for
        the live runs that held the keys of those held back earlier in this run
        (``_Creates._claim``): once their holders released them, the claims name the
        deals made, and ``_read_claimed`` reads those together. A key still held after
        the wait is left to its row (``_claim``: what is left of the wait, then as any
        row behind a live run; a frozen one is taken over once its lease ends)."""
        held = [str(i.key) for i in items if i.op == "create" and i.key in self._held_back]
        if not held:
            return
        batch = [str(i.key) for i in items if i.op == "create" and i.key]
        until = self.clock.now() + self.claim_wait
        for key in held:
            self._held_back[key] = self._held_back[key] or until
        told = False
        for _ in range(len(held) + 1):  # each round ends one wait: a release, or time out
            got = await self._claim_keys(batch)
            still = [k for k in held if isinstance(got.get(k), Held)]
            left = until - self.clock.now()
            if not still or left <= 0.0:
                return
            first = got[still[0]]
            assert isinstance(first, Held)
            if not told:  # the rows were counted as they were held back
                tell_wait(first, left)
                told = True
            await ctx.until_stopped(wait_giving_back(self.claims, self.claim_name(still[0]),
                                                     left, self._give_back))

    async def _named_at_start(self) -> set[str]:
        """The job's keys whose claim names a deal as this run begins (read, never taken,
        2,000 at a time): their creates read that deal alone (``getDeal``), as a plan
        prices it (``jobs.import_load`` ``_ClaimedKeys``); a deal a claim names since
        (another run's create, released while this one ran) is read with its batch's
        (``_read_claimed``)."""
        keys = sorted(await in_thread(self.store.source_keys))
        named: set[str] = set()
        for at in range(0, len(keys), 2000):
            names = {self.claim_name(k): k for k in keys[at:at + 2000]}
            for name, outcome in (await self.claims.outcomes(list(names))).items():
                if isinstance(outcome.get("deal_id"), int):
                    named.add(names[name])
        return named

    async def _read_claimed(self, ctx: CallContext, items: Sequence[Item]) -> None:
        """Read, 100 per ``GET /api/v2/deals?ids=`` (10 tokens), the deals the batch's
        claims name for the creates a resume found on a deal (``_creates_again``: their
        claims released with it) and for those whose claim another run released with a
        deal while this one ran (held back, or released before the batch was claimed:
        not named as the run began, ``_named_at_start``), when more than ``LIST_PAYS`` —
        else each create reads its own (``getDeal``, 1 token). Read now, right before the
        batch is sent, as its updates are; each create takes its deal from here once
        (``_read_keyed``: the same checks), one not listed (archived) is read alone.
        x18r3: a resumed upsert read 154 deals one by one (154 tokens, 154 requests; 20
        tokens in 2 requests listed); x31r3 F4: two imports of one file at once, the
        second read the 60 deals the first made one by one."""
        ids = [deal_id for i in items if (deal_id := self._claimed_deal(i)) is not None]
        # the batch before may still be on its way to the sends (this one is read once the
        # last is handed out): its reads are kept one batch more, never older ones
        self._batch_read = [self._batch_read[1], {}]
        if len(ids) > LIST_PAYS:
            self._batch_read[1] = dict(await read_deals(ctx, ids))

    def _claimed_deal(self, item: Item) -> int | None:
        """The deal the claim ``prepare`` took for create ``item`` names, for a key the
        resume found on a deal, or whose claim named no deal as this run began (one merged
        away is deleted: not listed, never taken)."""
        if item.op != "create" or not item.key:
            return None
        if item.key not in self._found_on_resume and (
                self._named_before is None or item.key in self._named_before):
            return None
        pooled = self._pool.get(item.key)
        previous = pooled[0].previous if pooled is not None else None
        named = previous.get("deal_id") if isinstance(previous, Mapping) else None
        return named if isinstance(named, int) else None

    def recheck_calls(self, store: JobStore, size: int,
                      states: Sequence[ItemState] = (ItemState.PENDING,)) -> dict[str, int]:
        """The calls ``recheck`` makes over the items now in ``states`` (in id order,
        ``size`` per batch: ``bulk.runner.recheck_batch``), by operation (for plans): the
        updates' deals, and the deals of the creates a resume found on a deal
        (``_read_claimed``: listed when more than ``LIST_PAYS`` in a batch, else one
        ``getDeal`` each); on a young claims' state (``before_plan``), each batch holding
        a create also lists the deals changed since the job's creation, the run's earlier
        writes among them (``_young_scan_pages``; the archived list once: ``resume_calls``),
        and each batch creating a person / organization lists those added since (one page:
        ``import_resolve.Resolver``), as a first run's plan prices them
        (``jobs.import_load.plan_import``)."""
        def reads(batch: list[Brief]) -> dict[str, int]:
            # ``recheck_reads`` of the batch's ``_recheckable`` items
            patches = [i for i in batch if self._rereads(i) and not i.duplicate]
            out = Counter(reread_calls([int(i.deal_id) for i in patches],
                                       [int(i.deal_id) for i in patches if i.unarchive]))
            found = sum(1 for i in batch if i.op != "update" and i.key in self._found_on_resume
                        and not i.duplicate)
            if found > LIST_PAYS:
                out["getDeals"] += -(-found // IDS_PER_CALL)
            else:
                out["getDeal"] += found
            return dict(out)

        # (``batched_calls`` over the items in id order, streamed)
        total: Counter[str] = Counter()
        page = briefs(store, *states)
        made = 0  # the deals the run's earlier batches wrote
        new: set[tuple[str, str]] = set()  # the persons / organizations they created
        # past the young minute, a state whose creates are still untrusted scans from each
        # start once (``_scan_starts``), the persons and organizations created too (x50r2 F3)
        starts = 0 if self._young else self._scan_starts or 0
        scanned: set[str] = set()
        while batch := list(islice(page, size)):
            total.update(reads(batch))
            if not self._young:
                for kind in {kind for i in batch if starts and not i.duplicate
                             for kind, key in i.refs if kind not in scanned
                             and not name_only(kind, key)
                             and self._lookup_now(store, kind, key) is None}:
                    scanned.add(kind)  # (once per kind: its scans answer the later ones)
                    total["getPersons" if kind == "person" else "getOrganizations"] += starts
                continue
            if any(i.op != "update" and not i.duplicate and i.key not in self._found_on_resume
                   for i in batch):
                total["getDeals"] += self._young_scan_pages(store, made)["getDeals"]
            made += sum(1 for i in batch if not i.duplicate)
            # a person / organization created here shares its batch's scan of its list,
            # unless a name alone (it never looks: ``Resolver._created_meanwhile``)
            created = {ref for i in batch if not i.duplicate for ref in i.refs
                       if ref not in new and not name_only(*ref)
                       and self._lookup_now(store, *ref) is None}
            new |= created
            for kind in {kind for kind, _ in created}:
                total["getPersons" if kind == "person" else "getOrganizations"] += 1
        return {op: n for op, n in total.items() if n}

    def _pending_creates(self, store: JobStore) -> Iterator[Brief]:
        """The keyed pending creates that will send (a row mapped again that the mapping
        refuses is none: it is not re-checked, nor said to be)."""
        return (i for i in briefs(store, ItemState.PENDING)
                if i.op == "create" and i.key and not i.duplicate
                and not (self._remaps(i) and self._sent_again(i.id, i.op) is None))

    async def _creates_again(self, ctx: CallContext, store: JobStore,
                             keyed: Mapping[str, list[dict[str, Any]]]) -> list[str]:
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
        # live and archived: an archived deal keeps its key (v9r5 finding 2: a key on an
        # archived deal added since the load was created again)
        live = {key: ids for key, deals in keyed.items()
                if (ids := [int(d["id"]) for d in deals if not is_gone(d)])}
        # the pending creates are streamed: only those of a key found are kept (issue 8)
        creates: list[Brief] = []
        pending = 0
        for i in self._pending_creates(store):
            pending += 1
            if str(i.key) in live:
                creates.append(i)
        if not pending:
            return []
        wanted = {str(i.key) for i in creates}
        found = {key: ids for key, ids in live.items() if key in wanted}
        deals_by_id = {int(d["id"]): d for deals in keyed.values() for d in deals}
        outcomes: list[Outcome] = []
        newer = 0  # keys on a deal a newer import made: conflicts (newer_import)
        own = 0  # keys on a deal this job wrote for another row of the key (x41r4 F6)
        wrote = {int(r["deal_id"]) for i in store.items(ItemState.DONE)
                 if (r := i.result or {}).get("action") in ("created", "updated")
                 and isinstance(r.get("deal_id"), int)} if found else set()
        # keys this job's sent journal says it sent (``jobs.importing.sent``)
        journal = sent_times(store.directory, {k for k in wanted if found.get(k)})
        lost: dict[float, list[int]] = {}  # pending creates the store lost the send of
        for item in creates:
            ids = sorted(set(found.get(str(item.key)) or ()))
            if len(ids) > 1:
                outcomes.append(Outcome(item.id, ItemState.FAILED, error=(
                    f"key {item.key} matches deals {', '.join(map(str, ids))} (created since "
                    "the job was loaded); not created, not updated: keep one and retry")))
            elif ids:
                got = await acquire(self.claims, self.claim_name(str(item.key)), self.lease,
                                    tag=self.store.job_id)
                sent = journal.get(str(item.key))
                if isinstance(got, Claim) and sent is not None and self._held_since_send(got):
                    # pending in the store, yet this job sent its create and held the key's
                    # claim from then on: the store lost its last writes (its -wal removed
                    # after a kill). In doubt, not pending: reconcile decides it as any
                    # create in doubt, the claim handed back in doubt for this job (f25a:
                    # recorded "exists … created meanwhile by another run", undo left it)
                    await self.claims.release(got, in_doubt_outcome(
                        min(got.since or sent, sent), self.store.job_id, got.last_settled()))
                    lost.setdefault(sent, []).append(item.id)
                    continue
                self._found_on_resume.add(str(item.key))
                own += ids[0] in wrote
                if isinstance(got, Claim) and newer_import(
                        self.store, got.previous, ids[0], item.key, deals_by_id[ids[0]]):
                    # said apart: the row fails as a conflict if it would change that deal
                    # (``_exists``), where the line below said "updated instead" (x12r3 F2)
                    newer += 1
                if isinstance(got, Claim):
                    # the job the outcome names as the deal's creator is kept: releasing
                    # with the bare deal erased it, and a run with the key in doubt then
                    # took that run's deal as its own create (v12r6: two jobs recorded one
                    # deal `created`)
                    # and the job a claim left in doubt (or by a dead holder) was held for
                    # too: released bare, the record no longer named the job whose create
                    # this deal may be, and its resume could not prove it (f22a: recorded
                    # `exists`, its undo left it). Not this job: its pending create never
                    # left (a claim naming a job that only held it proves no send, v12r4)
                    creator = self._creator(got, ids[0], deals_by_id[ids[0]])
                    await self.claims.release(got, self._outcome(
                        ids[0], got.previous, ours=False,
                        creator=None if creator == self.store.job_id else creator))
        await AsyncJobStore.of(store).record(outcomes)
        for at, lost_ids in sorted(lost.items()):
            await in_thread(partial(store.mark_sending, lost_ids, at))
        doubted = sum(map(len, lost.values()))
        said = ([f"{doubted:,} pending create(s) this job's sent journal ({SENT_FILE}) shows "
                 "sent, though its store had lost them: in doubt, reconciled before anything "
                 "is sent"] if doubted else [])
        hits = sum(1 for k in wanted if found.get(k)) - doubted
        if not hits:
            return [*said, f"re-checked {pending:,} pending create(s): no deal carries "
                    "their keys yet"]
        then = "updated instead" if self.settings.mode == "upsert" else "not created again"
        # this job's own deals are no one else's addition: their rows are judged beside
        # the row that wrote them, a duplicate or held (x41r4 F6: "86 key(s) now on a deal
        # added or changed since the load (updated instead)", 0 updated)
        return [*said, f"re-checked {pending:,} pending create(s): "
                f"{hits - len(outcomes) - newer - own:,} key(s) now on a deal added or changed "
                f"since the load ({then}), "
                + (f"{own:,} on a deal this job wrote for another row of the key (judged "
                   "beside that row: its duplicate, or held), " if own else "")
                + f"{len(outcomes):,} on several deals (failed)"
                + (f", {newer:,} on a deal an import loaded after this job created (left "
                   "alone as a conflict where the row would change it; the plan below "
                   "counts their updates at most)" if newer else "")]


def _update_now(item: Item, deal: Deal | None, image: Mapping[str, Any] | None,
                since: str, key_code: str | None = None,
                labels: Mapping[str, str] | None = None,
                types: Mapping[str, str] | None = None) -> tuple[str, Outcome] | None:
    """A pending upsert update decided against its deal as just read (``before_resume``,
    ``recheck``): ("gone" | "key moved" | "unchanged" | "conflict", its outcome), or None
    to send it. ``since``: when the picture was taken, for the messages; ``key_code``:
    the key field, whose value must still be the row's key (``account.key_moved``);
    ``types``: the job's field types (``stored_types``), for the comparison."""
    payload = item.payload
    deal_id = int(payload["deal_id"])
    if is_gone(deal):
        return "gone", Outcome(item.id, ItemState.FAILED, status=404, error=(
            f"deal {deal_id} (key {item.key}) no longer takes writes: deleted, merged "
            f"away or archived {since}; not updated, not re-created"))
    assert deal is not None
    if (moved := key_moved(deal, key_code, item.key)) is not None:
        return "key moved", Outcome(item.id, ItemState.FAILED, error=(
            f"deal {deal_id} no longer carries key {item.key} (its key field holds {moved} "
            f"{since}); not updated, nothing sent"))
    links = [name for name in ("person", "org")
             if isinstance(payload.get(name), Mapping)
             and ("key" in payload[name] or int(payload[name]["id"]) != deal.get(f"{name}_id"))]
    if not deal_changes(deal, payload["changes"], currency_alone=True,
                        types=types) and not links:
        return "unchanged", Outcome(item.id, ItemState.SKIPPED, result={
            "deal_id": deal_id, "action": "unchanged", "person_id": deal.get("person_id"),
            "org_id": deal.get("org_id"), **matched_by(payload)})
    if drift := drifted(deal, image, payload["changes"], labels):
        return "conflict", Outcome(item.id, ItemState.FAILED, error=(
            f"conflict: deal {deal_id} (key {item.key}) changed {since} ({drift}); left "
            "alone, nothing sent (import the row again to overwrite it)"))
    return None


__all__ = ["recheck_reads"]
