"""Persons and organizations an import creates: each exactly once, however many rows need it.

A row's reference is ``{"id": n}`` (already in the account) or
``{"kind", "key", "body"}`` (to create). ``Resolver.resolve`` turns a reference
into an id: from memory, else from the job store's lookups (a previous run
created it), else by creating it — one creation per key in flight (a
single-flight: the other rows that need it wait for it), its id written to the
lookups as soon as the 2xx arrives.

Exactly once. A create whose answer is lost raises ``InDoubt`` for the row that
sent it (the runner leaves that row SENDING and reconciles it), and marks the key
in doubt: every other row that needs it in this pass is deferred (back to
pending) instead of creating it a second time. ``Resolver.reconcile`` settles
keys in doubt — after the pass, or after a crash on resume, for the rows left
SENDING — by listing the records added since those rows were sent
(``added_since``: newest first, one page per 500 added) and matching them by
e-mail / name / normalised organization name. A key not found there was never
created, and the next attempt creates it: its claim, left in doubt by the lost send, is
released saying so (``ABSENT``), so that attempt lists nothing again (f24a 2). Nothing
here sleeps or searches.

The keys persons are matched by (``person_keys``, ``person_email_key``, ...) live below
this module and the row planner, in ``jobs.contact_keys``; re-exported here.

Why ~1350 lines: one decision — which id a row's person / organization is — taken under
a claim (``_create``, with the survivor of another run's record merged since:
``_survivor_of``), in doubt (``reconcile``), after a stop (``learn_added``,
``forget``); splitting it would spread one state machine (``_ids``, ``_doubt``,
``_flights``, ``_made``) over modules that all need it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any

import anyio

from bulk.calls import CallContext
from bulk.claims import (
    DEFAULT_LEASE,
    IN_DOUBT,
    RESCAN_EVERY,
    SETTLED_AFTER_BIRTH,
    Claim,
    Claims,
    Held,
    acquire,
    acquire_waiting,
    confirm_or_lost,
    in_doubt_outcome,
    kept,
    tell_wait,
    wait_giving_back,
)
from bulk.errors import ApiError, BulkError, Gone, InDoubt, NotFound, NotSent
from bulk.operations import get_operation
from bulk.store import AsyncJobStore, ItemState, JobStore

from .account import added_since, changed_since, org_key
from .clock_skew import ANSWERED_MARGIN, RECONCILE_MARGIN
from .contact_keys import canonical_key, person_email_key, person_key_at, person_keys
from .deals import contact_digest, is_gone
from .import_items import AT_ADDRESS
from .transforms import address_match_key

Ref = Mapping[str, Any]
_CREATE = {"person": "addPerson", "org": "addOrganization"}
_LIST = {"person": "getPersons", "org": "getOrganizations"}
_LABEL = {"person": "person", "org": "organization"}
_GET = {"person": "getPerson", "org": "getOrganization"}
CLAIM_WAIT = 120.0  # seconds a row waits for another run's create of the same person / org
# records a list read by ids replaces (GET /api/v2/persons?ids=, 100 a call, 10 tokens,
# against 1 a getPerson; a search costs 20 a record): read together when more (FACTS.md)
LIST_PAYS = 10
IDS_PER_LIST = 100
_MADE = "made-"  # lookups kind prefix: the persons / orgs this job created
# lookups kind prefix: a created person / org's id (as text) -> ``jobs.deals.contact_digest``
# of the create's answer, which tells undo --contacts an edit made within the second of
# the create (its ``update_time`` then equals ``add_time``)
MADE_DIGEST = "made-digest-"
# lookups kind prefixes: a created person / org's id (as text) -> the row (item id) whose
# send created it, and when its answer came (Unix ms): a row a kill left in doubt whose
# create was answered after it was marked held that answer in the ledger's figure in
# doubt (``jobs.importing.reconcile``: charged, taken off)
CREATOR = "creator-"
CREATED_AT = "created-at-"
# the import row whose ``execute`` runs now (``ImportJob.execute``): its creates' CREATOR
CREATING_ITEM: ContextVar[int | None] = ContextVar("pdbulk_creating_item", default=None)
# a contact claim's outcome once this job's reconcile found its create in doubt never made
# ({"absent": when the scan began, "job": ...}; no "id"): nothing to look up before the
# next create (``Resolver._settle_absent``)
ABSENT = "absent"
# a made- lookup's key suffix (then the id) for a record this job made that someone deleted
# since (``Resolver.forget``): still counted as made, no row's key resolves to it
GONE = "#gone:"


class Deferred(BulkError):
    """A person / organization this row needs is in doubt: send the row after reconciling."""


class HeldBack(Deferred):
    """Another live run holds the claim on creating a person / organization this row
    needs: the row goes back to pending, nothing sent, and comes round in a later pass,
    its claim waited for with its batch's and the record read with theirs
    (``Resolver.read_held``)."""


class DependencyFailed(BulkError):
    """The person / organization of this row could not be created; the row fails."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _org_key_of(person_key: str) -> str | None:
    """The new organization's key a person key names (``n:<name>|o:key:<key>``), else
    None."""
    at = person_key.find("|o:key:")
    return person_key[at + 7:] if person_key.startswith("n:") and at >= 0 else None


def refs_of(payload: Mapping[str, Any]) -> list[Ref]:
    """Every to-create reference in an item payload (the person's organization too)."""
    out: list[Ref] = []
    for name in ("org", "person"):
        ref = payload.get(name)
        if isinstance(ref, Mapping) and "key" in ref:
            org = ref.get("org")
            if isinstance(org, Mapping) and "key" in org:
                out.append(org)
            out.append(ref)
    return out


def to_create(payload: Mapping[str, Any]) -> list[str]:
    """Which of the row's deal-level references ("person", "org") were to be created (not
    already in the account when the row was mapped). Jobs loaded before results carried
    ``new`` are read this way (``contact_ids``)."""
    return [name for name in ("person", "org")
            if isinstance(payload.get(name), Mapping) and "key" in payload[name]]


def contact_ids(items: Iterable[Any]) -> dict[str, set[int]]:
    """Persons ("person") and organizations ("org") a job created, from its done import
    items (``bulk.store.Item``): the result's ``new`` list (the references the job itself
    created, ``Resolver.made``; rows mapped again by a retry included), else — results
    written before ``new`` existed — the stored payload's to-create references."""
    ids: dict[str, set[int]] = {"person": set(), "org": set()}
    for item in items:
        result = item.result or {}
        new = result.get("new")
        names = new if isinstance(new, list) else to_create(item.payload)
        for name in names:
            rid = result.get(f"{name}_id")
            if name in ids and isinstance(rid, int):
                ids[name].add(rid)
    return ids


def made_contacts(store: JobStore) -> dict[str, set[int]]:
    """Persons ("person") and organizations ("org") import job ``store`` created, from its
    durable records: every "made-person" / "made-org" lookup (written with the create's id,
    whatever became of the rows that needed it: done, failed, still pending, by whichever
    process of the job), plus ``contact_ids`` of its done items (jobs written before those
    lookups existed). What the summary counts and what undo --contacts may delete; never a
    process's own counters, which a kill -9 or a resume loses."""
    ids = contact_ids(store.items(ItemState.DONE))
    for name in ("person", "org"):
        ids[name].update(store.lookups(_MADE + name).values())
    return ids


def made_digests(store: JobStore) -> dict[tuple[str, int], int]:
    """(kind, id) -> ``jobs.deals.contact_digest`` of the create's answer, for the persons
    ("person") and organizations ("org") import job ``store`` created and recorded one for
    (none for a create a kill left in doubt, nor for jobs written before digests)."""
    return {(name, int(rid)): digest for name in ("person", "org")
            for rid, digest in store.lookups(MADE_DIGEST + name).items()}


async def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True)
class Survived:
    """A record another run made for a key (``rid``, of ``kind``), merged away before this
    run linked it, and the survivor this run linked instead; ``why``: how it was told."""

    kind: str
    rid: int | None  # None: this job's own create in doubt, its answer (its id) lost
    survivor: int
    why: str

    def note(self, *, first: bool = True) -> str:
        """The row's note (``first``: with how it was told and its reads)."""
        label = _LABEL[self.kind]
        said = f" ({self.why})" if first else ""
        was = f"{label} {self.rid}" if self.rid is not None else \
            f"the {label} this row's create in doubt made"
        return f"{was} merged away since: linked to its survivor {label} {self.survivor}{said}"


class _Flight:
    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = anyio.Event()


class Resolver:
    """Ids of the persons and organizations rows refer to; see the module docstring."""

    def __init__(self, store: AsyncJobStore, *,
                 claims: Callable[[], Claims | None] | None = None,
                 scope: Callable[[], str] | None = None,
                 lease: float = DEFAULT_LEASE, loaded: Callable[[], float] | None = None,
                 on_wait: Callable[[], Awaitable[None]] | None = None,
                 on_held: Callable[[Held, float], None] = tell_wait,
                 job_id: str | None = None,
                 deals_of: Callable[[tuple[str, str], int], Awaitable[list[int]]]
                 | None = None,
                 deleted: Callable[[], Awaitable[object]] | None = None,
                 claimed_as: Mapping[str, str] | None = None) -> None:
        self.store = store
        # person keys recomputed from an older job's (``jobs.person_key_version``) -> the
        # key its process named their claims by: the claims of the creates then in doubt
        self._claimed_as = dict(claimed_as or {})
        # awaited once, before the first claim naming a record is looked at: the job
        # tells ``known_gone`` what pdbulk's undos deleted (``jobs.deleted_records``)
        self._deleted_hook = deleted
        # (kind, key), id → the deals known by id that were made linked to that record
        # (another run's, by its key's deal claim: ``_ImportBase._claimed_deals``): a merge
        # moves them all, so two moved to one record witness it (``_moved_with``)
        self._deals_of = deals_of
        # the job these creates are for: kept with each claim (its tag) and in each outcome
        # ("job"), so whoever finds a person / org under a claim knows which job made it
        self.job_id = job_id
        # Unix time the job was created (its indexes are no older): a claim born after it
        # cannot vouch that nobody created the key since (see _created_meanwhile)
        self._loaded = loaded or (lambda: 0.0)
        self._scans: dict[str, tuple[float, float, dict[str, int]]] = {}
        # (kind, id) this run read gone (deleted, merged away) or forgot as gone: never
        # handed out again by a look-up made before (a shared scan: x39r2 F2), nor read by
        # id again by a claim naming it (a resume's plan after its re-read prices no such
        # read: f39a)
        self._gone: set[tuple[str, int]] = set()
        # kind → (when ``held_by`` last read, id → the keys each record listed answers)
        self._held: dict[str, tuple[float, dict[int, set[str]]]] = {}
        self._scan_lock = anyio.Lock()
        # when the job's batch being sent was prepared (its ``prepare``): a young claims
        # state's look-ups are shared by a batch (jobs.importing._Creates._fresh)
        self.batch_at: float | None = None
        # called before waiting for another run's create: the job gives back the claims it
        # took for rows not sent yet, so two runs waiting on each other's person / deal
        # claims never deadlock (each would wait out CLAIM_WAIT and fail rows)
        self._on_wait = on_wait or _nothing
        # called with the holder and the bound of every wait for another live run's claim:
        # told and counted (bulk.claims.tell_wait; the job's summary "claims.waited")
        self._on_held = on_held
        self.lease = lease  # seconds; renewed while a create waits (bulk.claims.kept)
        self._claims = claims or (lambda: None)
        self._scope = scope or (lambda: "")
        self._ids: dict[tuple[str, str], int] = {}
        # an organization's id -> the keys this job's rows name it by (``_know``): a
        # person of the file's new organization answers its key (``person_keys``)
        self._org_keys: dict[int, set[str]] = {}
        self._flights: dict[tuple[str, str], _Flight] = {}
        self._doubt: set[tuple[str, str]] = set()
        # key → when this process saw its create fail in doubt: a record added later than
        # that (ANSWERED_MARGIN aside) is another run's (v12r7: after a FLUSHALL a person or
        # organization counted as made by two jobs)
        self._answered_at: dict[tuple[str, str], float] = {}
        self._failed: dict[tuple[str, str], DependencyFailed] = {}
        # keys this job created (not found in the account, nor created by another run):
        # kept in the job's lookups as "made-person" / "made-org" too, for later processes
        self._made: set[tuple[str, str]] = set()
        # created by this process: its visible state (repr) only; what the job created is
        # read from the store (``made_contacts``), never from this counter
        self.created: Counter[str] = Counter()
        self.found_on_reconcile: Counter[str] = Counter()
        self.claims_lost = 0  # creates not sent: their claim was lost before the send
        # a key whose create's claim another live run held when a row first needed it →
        # the ``clock.now()`` the wait for its holder ends by, once a batch began it
        # (``read_held``; None: not yet): until then its rows are held back (``HeldBack``),
        # so the records the released claims name are read together, not one getPerson /
        # getOrganization a row (f33i 3)
        self._held_back: dict[tuple[str, str], float | None] = {}
        # (kind, id) → the record ``read_held`` read with its batch's: taken once
        self._read_ahead: dict[tuple[str, int], Mapping[str, Any]] = {}
        # the wall time this run began sending (the job's first batch; None: not yet): a
        # claim another job released with a record at or after it is held back like a
        # held one, its record read with its batch's (``_named_since``); one released
        # before is read alone, as a plan prices it (``jobs.import_load`` count_contacts)
        self.started: float | None = None
        # key → the record another run made for it, vanished, and the survivor this run
        # linked instead (``_survivor_of``, ``survived``); the keys whose reads a row named
        self._survived: dict[tuple[str, str], Survived] = {}
        self._told: set[tuple[str, str]] = set()
        # tokens of the reads finding those survivors (no plan's: the run's last lines)
        self.vanished_tokens = 0
        # the wall time a resume's re-read listed the persons / organizations changed since
        # the load (``learn_added``, its ``before_resume``); None: no re-read in this
        # process (a fresh job, or a library user's ``Engine.run`` of a stopped job): what
        # the job knows of the account is then no newer than its load (``_pictured``)
        self.reread_at: float | None = None
        # per kind, the ids of the records ``learn_added`` listed changed since its
        # ``since`` (the job's load less RECONCILE_MARGIN, the end-of-run contact check's
        # window too): what a resume's plan prices that check's pages from
        self.changed_seen: dict[str, set[int]] = {}

    def __repr__(self) -> str:
        return (f"Resolver(known={len(self._ids)}, in_flight={len(self._flights)}, "
                f"in_doubt={len(self._doubt)}, failed={len(self._failed)}, "
                f"created={dict(self.created)})")

    def in_doubt(self) -> int:
        return len(self._doubt)

    async def resolve(self, ctx: CallContext, ref: Ref | None) -> int | None:
        if ref is None:
            return None
        if "id" in ref:
            return int(ref["id"])
        k = (str(ref["kind"]), str(ref["key"]))
        while True:
            if k in self._ids:
                return self._ids[k]
            if k in self._failed:
                raise self._failed[k]
            if k in self._doubt:
                raise Deferred(f"{_LABEL[k[0]]} {ref['body'].get('name')!r} is in doubt")
            flight = self._flights.get(k)
            if flight is None:
                break
            await flight.done.wait()
        flight = self._flights[k] = _Flight()
        try:
            rid = await self.store.lookup_get(k[0], k[1])
            if rid is None:
                rid = await self._create(ctx, k, ref)
            elif await self.store.lookup_get(_MADE + k[0], k[1]) == rid:
                # an earlier process of this job created it (not a survivor the key was
                # rebound to since: ``rebind``)
                self._made.add(k)
            self._know(k, rid)
            return rid
        finally:
            del self._flights[k]
            flight.done.set()

    async def _create(self, ctx: CallContext, k: tuple[str, str], ref: Ref) -> int:
        body = dict(ref["body"])
        if k[0] == "person":
            try:
                org_id = await self.resolve(ctx, ref.get("org"))
            except HeldBack:
                # the run making its organization makes the person too: its claim is
                # waited for and its record read with the organization's (``read_held``)
                self._held_back.setdefault(k, None)
                raise
            if org_id is not None:
                body["org_id"] = org_id
        claims = self._claims()
        if claims is None:
            return await self._send(ctx, k, body)
        lost_since: float | None = None
        for _ in range(3):
            claim = await self._claim(ctx, claims, k)
            had = ctx.clock.wall()
            rid: int | None = None
            creator: str | None = None
            keep = lost = False
            try:
                async with kept(claims, claim, ctx.clock, self.lease) as lease:  # renewed
                    rid = await self._created_meanwhile(ctx, claim, k, body, lost_since, had)
                    if rid is not None:
                        told = self._survived.get(k)
                        # a survivor of another's record is no create of anyone's here
                        creator = None if told is not None and told.survivor == rid \
                            else _creator(claim, rid)
                        # made by an earlier process of this job (it died in doubt): its
                        # lookup and its made- lookup in one transaction
                        await self._put(k[0], {k[1]: rid},
                                        made=creator is not None and creator == self.job_id)
                    else:
                        creator = self.job_id
                        # proved still held right before the send, after its admission
                        # (the call may wait its turn past the lease: a 429 pause, a
                        # freeze); lost (a freeze past the lease, a lost Redis): claim
                        # again and look again
                        # the record's id as soon as the answer names it, before its
                        # lookups are written: whatever ends the row after that (a cancel,
                        # a store error) releases the claim naming it as this job's (f23c)
                        answer: list[int] = []
                        try:
                            rid = await self._send(ctx, k, body, guard=partial(
                                confirm_or_lost, lease), answered=answer.append)
                        except NotSent:
                            lost, lost_since = True, min(had, lost_since or had)
                            self.claims_lost += 1
                            continue
                        except InDoubt:
                            # released at once, in doubt: whoever claims it next (this run
                            # after its pass, or another run now) looks it up first, and a
                            # record found is this job's (bulk.claims.in_doubt_outcome)
                            keep = True
                            claims.release_soon(claim, in_doubt_outcome(had, self.job_id))
                            await _flush(claims)
                            raise
                        except BaseException as exc:
                            rid = answer[0] if answer else None
                            if rid is None and not isinstance(exc, BulkError):
                                # cancelled while the create may have left (x20r3 F2), or a
                                # bug in the call: released in doubt (written by the job's
                                # ``finish``), never bare. A BulkError before an answer: not
                                # sent, or answered with an error — nothing was made
                                keep = True
                                claims.release_soon(claim, in_doubt_outcome(had, self.job_id))
                            raise
                return rid
            finally:
                if not keep and not lost:  # written with the next claims (or at the end)
                    out = _outcome(rid, creator, ctx.clock.wall())
                    told = self._survived.get(k)
                    if out is not None and told is not None and told.survivor == rid:
                        out[FOLLOWED] = told.rid  # the next run links it as this one did
                    claims.release_soon(claim, out)
        raise DependencyFailed(f"{_LABEL[k[0]]} {k[1]!r}: the claim on its create was lost "
                               "three times before the send; pdbulk retry sends the row again")

    async def _claim(self, ctx: CallContext, claims: Claims, k: tuple[str, str]) -> Claim:
        """The claim on creating ``k`` in this account. Held by another live run when a
        row first needs it: ``HeldBack`` (told and counted once), as every row of ``k``
        until a batch waited for the holder (``read_held``); after that, waiting (bounded,
        ended by a stop of the run) for a live holder."""
        wait_s = CLAIM_WAIT
        if k in self._held_back:
            until = self._held_back[k]
            if until is None:
                raise HeldBack(f"{_LABEL[k[0]]} {k[1]!r} is being created by another run")
            wait_s = max(0.0, until - ctx.clock.now())  # what is left of the batch's wait
        else:
            first = await acquire(claims, self._name(k), self.lease, tag=self.job_id)
            if isinstance(first, Claim):
                if not self._named_since(k, first):
                    return first
                # another run made it and released it after this one began, before any
                # row of it came here: given back plainly (its outcome kept), the row held
                # back and the record read with its batch's (f34f: one getPerson /
                # getOrganization a record, 40 for the 25 + 15 another run made)
                claims.release_soon(first)
                self._held_back[k] = None
                raise HeldBack(f"{_LABEL[k[0]]} {k[1]!r} was created by another run "
                               "meanwhile")
            self._held_back[k] = None
            self._on_held(first, CLAIM_WAIT)
            raise HeldBack(f"{_LABEL[k[0]]} {k[1]!r} is being created by another run")
        got = await acquire_waiting(claims, self._name(k), self.lease, tag=self.job_id,
                                    wait_s=wait_s, on_wait=self._on_wait,
                                    on_held=lambda _held, _s: None,  # told as held back
                                    until_stopped=ctx.until_stopped)
        if isinstance(got, Claim):
            return got
        raise DependencyFailed(f"{_LABEL[k[0]]} {k[1]!r} is being created by another run that "
                               f"did not finish within {CLAIM_WAIT:.0f} s; pdbulk retry sends "
                               "the row again")

    def _named_since(self, k: tuple[str, str], claim: Claim) -> bool:
        """Whether ``claim`` (just had) names a record another job released it with since
        this run began (``started``; its outcome's ``at``), not read yet: its rows are held
        back and the record read with its batch's (``read_held``), not alone."""
        previous = claim.previous or {}
        rid, at = previous.get("id"), previous.get("at")
        return (self.started is not None and isinstance(rid, int)
                and isinstance(at, (int, float)) and at >= self.started
                and not claim.reconcile and previous.get("job") != self.job_id
                and not name_only(*k) and (k[0], rid) not in self._read_ahead)

    async def read_held(self, ctx: CallContext, refs: Iterable[Ref | None]) -> None:
        """Before a batch is sent (the import's re-check), for the persons / organizations
        its rows (``refs``: their ``person`` / ``org`` references) were held back for
        (``HeldBack``): wait for their holders together (at most ``CLAIM_WAIT`` s in all,
        this run's unsent claims given back all along, a stop ends it), then read the
        records the released claims name, ``IDS_PER_LIST`` per list call by ids
        (``getPersons`` / ``getOrganizations``, 10 tokens) when more than ``LIST_PAYS`` of
        a kind — else each create reads its own (1 token). Each create takes its record
        from here once, with the same checks (``_created_meanwhile``); a key still held
        after the wait is left to its row's bounded wait, what is left of this one (f33i 3:
        two imports at once, the second read each record the first made alone)."""
        claims = self._claims()
        keys: list[tuple[str, str]] = []
        persons: list[tuple[str, str]] = []  # of an organization held back
        for ref in refs:
            for one in (ref, ref.get("org") if ref is not None else None):
                if one is not None and "id" not in one:
                    k = (str(one["kind"]), str(one["key"]))
                    if k in self._held_back and self._held_back[k] is None \
                            and k not in keys:
                        keys.append(k)
            org = ref.get("org") if ref is not None and "id" not in ref else None
            held = (str(org["kind"]), str(org["key"])) if org is not None and "id" not in org \
                else None
            if ref is not None and held in self._held_back and self._held_back[held] is None:
                # the run making the organization makes its person too (the row's
                # organization is resolved first: the person's claim was never met)
                persons.append((str(ref["kind"]), str(ref["key"])))
        if persons:
            made = await self.store.lookup_get_many("person", [k[1] for k in persons])
            for k in persons:
                if k not in self._ids and k[1] not in made and k not in keys \
                        and k not in self._held_back:
                    self._held_back[k] = None
                    keys.append(k)
        if claims is None or not keys:
            return
        until = ctx.clock.now() + CLAIM_WAIT
        for k in keys:
            left = until - ctx.clock.now()
            if left <= 0.0:
                break
            await ctx.until_stopped(wait_giving_back(claims, self._name(k), left,
                                                     self._on_wait))
        for k in keys:
            self._held_back[k] = until
        named = await claims.outcomes([self._name(k) for k in keys])
        if any(isinstance(o.get("id"), int) for o in named.values()):
            await self._learn_deleted()
        ids: dict[str, list[int]] = {}
        for k in keys:
            rid = named.get(self._name(k), {}).get("id")
            # (a person by name alone is never linked to another job's: not read)
            if isinstance(rid, int) and k not in self._ids and not name_only(*k) \
                    and (k[0], rid) not in self._gone:  # (read gone, or an undo's)
                ids.setdefault(k[0], []).append(rid)
        for kind, listed in ids.items():
            wanted = list(dict.fromkeys(listed))
            if len(wanted) <= LIST_PAYS:
                continue
            for at in range(0, len(wanted), IDS_PER_LIST):
                part = wanted[at:at + IDS_PER_LIST]
                page = await ctx.call(_LIST[kind], params={"ids": part, "limit": IDS_PER_LIST})
                for record in page.data or ():
                    if isinstance(record, Mapping) and record.get("id") in part:
                        self._read_ahead[(kind, int(record["id"]))] = record

    def _name(self, k: tuple[str, str]) -> str:
        key = self._claimed_as.get(k[1], k[1]) if k[0] in ("person", "org") else k[1]
        return contact_claim_name(k[0], self._scope(), canonical_key(k[0], key))

    def _know(self, k: tuple[str, str], rid: int) -> None:
        """Record that the person / organization of key ``k`` is ``rid``."""
        self._ids[k] = rid
        if k[0] == "org":
            self._org_keys.setdefault(rid, set()).add(k[1])

    async def _know_orgs_of(self, person_keys_: Iterable[str]) -> None:
        """Learn, from this job's lookups, the ids of the new organizations these person
        keys name (``n:<name>|o:key:<key>``), so the persons made there answer them."""
        wanted = {org for key in person_keys_ if (org := _org_key_of(key)) is not None
                  and ("org", org) not in self._ids}
        if wanted:
            for key, rid in (await self.store.lookup_get_many("org", sorted(wanted))).items():
                self._know(("org", key), rid)

    def _answers(self, kind: str, record: Mapping[str, Any]) -> list[str]:
        return record_keys(kind, record, self._org_keys)

    async def _created_meanwhile(self, ctx: CallContext, claim: Claim,
                                 k: tuple[str, str], body: Mapping[str, Any],
                                 lost_since: float | None = None,
                                 had: float | None = None) -> int | None:
        """The id another run (the claim's previous holder) created ``k`` under, if any.

        An organization another run created under the same name but at another address
        is not this one (``OrgIndex.match``: different addresses never match)."""
        previous = claim.previous or {}
        if name_only(k[0], k[1]) and self.job_id is not None \
                and not _claimed_for(claim, self.job_id):
            # a name alone never links a row to a person another job made, as it links to
            # none that was there before (docs/mapping.md; x10r1 S3: a later import's "John
            # Smith" at another company was linked to the one an earlier import created)
            return None
        if isinstance(previous.get("id"), int):
            await self._learn_deleted()
            record = self._read_ahead.pop((k[0], previous["id"]), None)
            if (k[0], previous["id"]) in self._gone:
                record = None  # read gone already: not read again
            elif record is None:
                try:
                    res = await ctx.call(_GET[k[0]], path={"id": previous["id"]})
                except (NotFound, Gone):
                    res = None
                record = res.data if res is not None and isinstance(res.data, Mapping) \
                    else None
            live = record is not None and not record.get("is_deleted")
            if not live:
                self._gone.add((k[0], int(previous["id"])))
            if live and record is not None and (
                    isinstance(previous.get(FOLLOWED), int)  # another job's merge survivor
                    or (canonical_key(*k) in self._answers(k[0], record)
                        and (k[0] != "org" or _same_address(body, record)))):
                if isinstance(previous.get(FOLLOWED), int):  # said so, not "created"
                    self._survived[k] = Survived(k[0], int(previous[FOLLOWED]),
                                                 int(record["id"]), "another run followed it "
                                                 "there")
                return int(record["id"])
            at = previous.get("at")
            settled_before = self.started is not None and isinstance(at, (int, float)) \
                and at < min(self.started, self._pictured())
            if not live and not name_only(*k) and not settled_before and (
                    survivor := await self._survivor_of(ctx, k, int(previous["id"]))
            ) is not None:
                # the record another run made under this claim while this one ran vanished
                # before this run linked it, and that run has not followed it (x38r3 F1: a
                # silent copy with the same e-mail): the live record holding its key now;
                # none, the look-ups below as before (a dead holder's create, a lost
                # state). A claim settled before this run began names a record the plan
                # read gone and priced made again: no unplanned read for it (the CI: a
                # re-import after a colleague deleted the deals and persons, 4 getPersons
                # more than its plan) — settled before the job's picture of the account
                # (its load, or a resume's re-read, which links such a survivor itself):
                # one settled after it is looked for all the same (f40a: a resume with no
                # re-read made a copy of another run's person merged while it was stopped)
                return survivor
        born = claim.born
        young = (claim.reconcile and born is not None and claim.since is not None
                 and claim.since < born)
        since = [(claim.since or 0.0) - 120.0] if claim.reconcile and not young else []
        # this run lost its claim: another may have created it. Lost with the claims'
        # state (born since): as a young state's, below (x18r3 F1: one scan a create)
        lost_with_state = lost_since is not None and born is not None and born >= lost_since
        if lost_since is not None and not lost_with_state:
            since.append(lost_since - 120.0)
        if since:
            found = await self._find_added(ctx, k[0], {k[1]}, min(since))
            return self._not_gone(k[0], found.get(k[1]))
        loaded = self._loaded()
        if born is not None and (young or lost_with_state or (loaded and loaded < born)):
            # the claims' state was lost (bulk.claims_redis, "Lost state"): the claim is
            # young, or this job loaded (or had its claim) before it: what other runs
            # created is unknown. One scan per kind, valid once begun after the creates
            # sent under the lost claims were answered (SETTLED_AFTER_BIRTH)
            start = min((claim.since or born) if young else born, loaded or born,
                        lost_since if lost_since is not None else born) - 120.0
            fresh = had or ctx.clock.wall()
            if self.batch_at is not None:
                fresh = min(fresh, self.batch_at)
            # a scan begun before this run read the record gone still lists it (x39r2 F2:
            # a waiting run sent its rows to organization 158, merged into 115, 3 times)
            return self._not_gone(k[0], (await self._lost_scan(
                ctx, k[0], start, min(fresh, born + SETTLED_AFTER_BIRTH))).get(canonical_key(*k)))
        return None

    async def _learn_deleted(self) -> None:
        """Await the ``deleted`` hook (its ``known_gone``) before a claim naming a record
        is looked at: memoised under a lock, so rows asking at once all wait for the one
        read (they read by id what the undo deleted otherwise)."""
        if self._deleted_hook is not None:  # each caller awaits it: the first reads, the
            await self._deleted_hook()  # others wait for that answer (it is memoised)

    def known_gone(self, ids: Mapping[str, Iterable[int]]) -> None:
        """Learn records known gone without a read: ``ids`` kind ("person" / "org") → ids
        pdbulk's undos deleted (``jobs.deleted_records``). A claim naming one is not read
        by id (``_created_meanwhile``, ``_learn_survivors``): its key is made again, as
        after a read that found it gone (x42r7 F3)."""
        for kind, rids in ids.items():
            self._gone.update((kind, int(rid)) for rid in rids)

    def _pictured(self) -> float:
        """Unix time of the newest read this job holds of the persons / organizations in the
        account: a resume's re-read (``reread_at``), else the job's load (``_loaded``; 0.0
        unknown). A record another run's claim names, released before it, was seen there
        (its survivor too); one released after it was not."""
        return self.reread_at if self.reread_at is not None else self._loaded()

    def _not_gone(self, kind: str, rid: int | None) -> int | None:
        """``rid``, unless this run has read that ``kind`` record gone (``_gone``)."""
        return None if rid is None or (kind, rid) in self._gone else rid

    async def _survivor_of(self, ctx: CallContext, k: tuple[str, str], rid: int,
                           held: tuple[dict[str, int], int] | None = None) -> int | None:
        """The merge survivor of ``rid`` — the record another run made for key ``k`` (its
        claim names it), merged away or deleted since, before this run linked it — found
        as ``held_by`` finds one: the live record answering ``k`` among those changed
        since (a merge unites a person's e-mails in the survivor: "Merge (v1)",
        FACTS.md), as a fresh import would link it; None (deleted, or merged into one of
        another name with nothing of the key left): made again under the claim. Its
        reads (``getPersons`` / ``getOrganizations``, 10 tokens a page) are no plan's:
        counted in ``vanished_tokens`` (the run's last lines). ``held``: what one
        ``held_by`` read for many such keys at once found (key → id, its pages, counted by
        its caller): no list read here (``_learn_survivors``)."""
        if held is None:
            found, pages = await self.held_by(ctx, k[0], (k[1],), (rid,))
            self.vanished_tokens += pages * get_operation(_LIST[k[0]]).token_cost
        else:
            found, pages = held
        survivor = found.get(k[1])
        if survivor is None or survivor == rid:
            # merged into one of another name (an organization matches by name alone): the
            # deals made with it, known by id, moved there together (f40a)
            survivor, deals = await self._moved_with(ctx, k, rid)
            if survivor is None:
                return None
            self._survived[k] = Survived(
                k[0], rid, survivor, f"made by another run under this key's claim; deals "
                f"{deals[0]} and {deals[1]}, made with it, both moved there, as a merge moves "
                f"them; {pages} {_LIST[k[0]]}, {len(deals)} getDeal")
            return survivor
        what = "name" if k[0] == "org" else "phone" if "|p:" in k[1] else "e-mail"
        self._survived[k] = Survived(
            k[0], rid, survivor, f"made by another run under this key's claim; "
            f"{_LABEL[k[0]]} {survivor} holds the {what} this row gives it now, a merge "
            f"unites them; {pages} {_LIST[k[0]]}")
        return survivor

    async def _moved_with(self, ctx: CallContext, k: tuple[str, str],
                          rid: int) -> tuple[int | None, list[int]]:
        """The record two deals made linked to ``rid`` (``deals_of``: known by id, never
        found by a name) both link now — a merge moves every deal of the merged-away
        record to its survivor ("Merge (v1)", pipedrive/FACTS.md) — and those deals;
        (None, []) when fewer than two such deals are known or left, or they part (one
        relinked by hand is no merge: a stranger is never followed), or one still names
        ``rid`` (deleted, not merged). Reads 2 deals by id at most (``getDeal``, 1 token
        each; counted in ``vanished_tokens``)."""
        deals = (await self._deals_of(k, rid))[:2] if self._deals_of is not None else []
        if len(deals) < 2:
            return None, []
        now: set[int | None] = set()
        for deal_id in deals:
            self.vanished_tokens += get_operation("getDeal").token_cost
            try:
                res = await ctx.call("getDeal", path={"id": deal_id})
            except (NotFound, Gone):
                return None, []
            deal = res.data if isinstance(res.data, Mapping) else {}
            if is_gone(dict(deal)):
                return None, []
            link = deal.get("org_id" if k[0] == "org" else "person_id")
            if isinstance(link, Mapping):  # a v1 shape
                link = link.get("value")
            now.add(link if isinstance(link, int) and not isinstance(link, bool) else None)
        (survivor,) = now if len(now) == 1 else (None,)
        if survivor is None or survivor == rid or (k[0], survivor) in self._gone:
            return None, []
        return survivor, deals

    def survived(self, payload: Mapping[str, Any]) -> dict[str, str]:
        """Of ``payload``'s to-create references ("person" / "org"), those this run linked
        to the merge survivor of the record another run made for their key
        (``_survivor_of``, or a survivor that run passed on: ``pass_on``) → the note (the
        reads named once, on the first row)."""
        out: dict[str, str] = {}
        for name in to_create(payload):
            k = (str(payload[name]["kind"]), str(payload[name]["key"]))
            told = self._survived.get(k)
            if told is None or self._ids.get(k) != told.survivor:
                continue
            out[name] = told.note(first=k not in self._told)
            self._told.add(k)
        return out

    async def _lost_scan(self, ctx: CallContext, kind: str, since: float,
                         after: float) -> dict[str, int]:
        """Every ``kind`` added since ``since`` by key (lowest id), from a scan begun at or
        after ``after`` (Unix times), shared by the creates that need one."""
        async with self._scan_lock:
            scan = self._scans.get(kind)
            if scan is None or scan[0] > since or scan[1] < after:
                if scan is not None and scan[0] <= since:
                    # only begun too early: the claims had meanwhile share the next scan
                    await ctx.clock.sleep(max(0.0, scan[1] + RESCAN_EVERY - ctx.clock.wall()))
                started = ctx.clock.wall()
                found: dict[str, int] = {}
                for record in await added_since(ctx, _LIST[kind], since):
                    rid = int(record["id"])
                    for key in self._answers(kind, record):
                        if key and (key not in found or rid < found[key]):
                            found[key] = rid
                scan = self._scans[kind] = (since, started, found)
        return scan[2]

    async def _send(self, ctx: CallContext, k: tuple[str, str], body: Mapping[str, Any],
                    guard: Callable[[], Awaitable[bool]] | None = None,
                    answered: Callable[[int], None] | None = None) -> int:
        """Create ``k`` (its lookups written); ``answered(id)`` as soon as the answer names
        the record, before anything is awaited."""
        try:
            res = await ctx.call(_CREATE[k[0]], json=body, guard=guard)
        except InDoubt:
            self._doubt.add(k)
            self._answered_at[k] = ctx.clock.wall()
            raise
        except ApiError as exc:
            if exc.terminal or exc.retryable:
                raise
            failed = DependencyFailed(f"{_LABEL[k[0]]} {body.get('name')!r} could not be "
                                      f"created: {exc}", status=exc.status)
            self._failed[k] = failed
            raise failed from None
        rid = int(res.data["id"])
        if answered is not None:
            answered(rid)
        # the digest in the made- lookup's own transaction: one commit per created contact
        # (and which row made it, when: its answer's tokens in doubt, ``CREATOR``)
        item = CREATING_ITEM.get()
        await self._put(k[0], {k[1]: rid}, made=True,
                        digest=(MADE_DIGEST + k[0], str(rid), contact_digest(res.data)),
                        rows=() if item is None else (
                            (CREATOR + k[0], str(rid), item),
                            (CREATED_AT + k[0], str(rid), int(ctx.clock.wall() * 1000))))
        self.created[k[0]] += 1
        return rid

    async def _put(self, kind: str, ids: Mapping[str, int], *, made: bool,
                   digest: tuple[str, str, int] | None = None,
                   rows: Iterable[tuple[str, str, int]] = ()) -> None:
        """Write the lookups key → id of ``kind``; ``made``: this job created them, kept as
        "made-<kind>" lookups too, in the same transaction (a kill between the two writes
        left a person / org this job created that no later process counted or undid);
        ``digest``: a create's "made-digest-<kind>" row (id → digest), in it too."""
        await self.store.lookup_put_many(kind, sorted(ids.items()),
                                         also=(_MADE + kind,) if made else (),
                                         extra=((digest,) if digest is not None else ())
                                         + tuple(rows))
        if made:
            self._made.update((kind, key) for key in ids)

    def known(self, ref: Ref) -> int | None:
        """The id this run resolved the to-create ``ref`` to (None: not yet); looks nothing
        up."""
        return self._ids.get((str(ref["kind"]), str(ref["key"])))

    def known_key(self, kind: str, key: str) -> int | None:
        """``known`` of the ``kind`` ("person" / "org") record of ``key``."""
        return self._ids.get((kind, key))

    def unfail(self, ref: Ref) -> None:
        """Forget the failed create of ``ref`` (refused for an organization that vanished
        since the load: ``jobs.importing.vanished``): the next resolve creates it with the
        organization the row resolved again."""
        self._failed.pop((str(ref["kind"]), str(ref["key"])), None)

    def made(self, ref: Ref | None) -> bool:
        """Whether this job created the person / organization ``ref`` names (not found in
        the account, nor created meanwhile by another run): what its summary counts and
        what undo --contacts may delete."""
        return isinstance(ref, Mapping) and "key" in ref and \
            (str(ref["kind"]), str(ref["key"])) in self._made

    async def reconcile(self, ctx: CallContext, refs: Iterable[Ref],
                        since: float) -> set[tuple[str, str]]:
        """Settle every to-create reference not yet known: find it among the records
        added since ``since`` (Unix time), or learn that it was never created. Returns the
        references found made by this job now ((kind, key)): creates in doubt that landed,
        so charged (``ImportJob.landed_calls``, ``bulk.ledger``)."""
        landed: set[tuple[str, str]] = set()
        # organizations first: a person made at a new one answers its key by its id
        wanted: dict[str, set[str]] = {"org": set(), "person": set()}
        sent = _bodies(refs)
        for k in sent:
            if k not in self._ids:
                wanted[k[0]].add(k[1])
        for kind, keys in wanted.items():
            if not keys:
                continue
            bodies = {key: body for (kd, key), body in sent.items() if kd == kind}
            stored = await self.store.lookup_get_many(kind, sorted(keys))
            for key, rid in stored.items():
                self._know((kind, key), rid)
            if kind == "person":
                await self._know_orgs_of(keys)
            made = await self.store.lookup_get_many(_MADE + kind, sorted(stored))
            self._made.update((kind, key) for key, rid in made.items()
                              if stored.get(key) == rid)  # not a survivor (``rebind``)
            missing = keys - set(stored)
            claims = self._claims()
            if missing:
                added: dict[str, float] = {}
                records: dict[str, Mapping[str, Any]] = {}
                looked = ctx.clock.wall()  # the scan below begins after this
                # changed since, not only added: a create in doubt merged since into an
                # older record of another name left its key on that survivor alone (x39r2
                # F1: made again, a copy holding the same e-mail)
                from .account import parse_time

                every: dict[str, list[Mapping[str, Any]]] = {}
                found = await self._find_added(ctx, kind, missing, since, added,
                                               records=records, changed=True, every=every)
                if found:
                    # made by this job only when its claim says so (``_made_here``), the
                    # record can be the create's, and it was not added after this process
                    # saw its create fail: one another run made is linked, never counted
                    # ours (undo --contacts). Of several answering the key, the one the
                    # create can have made (f41j F1: not the lowest id, another run's)
                    mine: dict[str, int] = {}
                    for key, rid in found.items():
                        if self._after_failure((kind, key), added.get(key)):
                            continue
                        own = await self._made_here(
                            claims, (kind, key), rid, records.get(key), bodies.get(key),
                            others=[r for r in every.get(key, ())
                                    if not self._after_failure(
                                        (kind, key), parse_time(r.get("add_time")))])
                        if own is not None:
                            mine[key] = found[key] = own
                    # a name alone never links to a person someone else made (x17r1 S1):
                    # not ours, the row's person is made
                    found = {key: rid for key, rid in found.items()
                             if key in mine or not name_only(kind, key)}
                    await self._put(kind, mine, made=True)
                    landed.update((kind, key) for key in mine)
                    await self._put(kind, {k_: r for k_, r in found.items() if k_ not in mine},
                                    made=False)
                for key, rid in found.items():
                    self._know((kind, key), rid)
                self.found_on_reconcile[kind] += len(found)
                if claims is not None:
                    await self._settle_absent(claims, kind, missing - set(found), since,
                                              looked)
            for key in keys:
                self._doubt.discard((kind, key))
        return landed

    async def _settle_absent(self, claims: Claims, kind: str, keys: Iterable[str],
                             since: float, looked: float) -> None:
        """The claims of ``keys``, whose creates this job sent in doubt and the scan begun
        at ``looked`` found never made (nothing of theirs added since ``since``), released
        saying so (``{ABSENT: looked}``, no id): the next create of each is sent without
        looking again. Left in doubt, each next create took its claim as a dead holder's
        and listed every record added since its first send (``_created_meanwhile``; f24a
        2: 247 getPersons and 265 getOrganizations pages for 299 doubtful creates of
        3,000). Only a claim still as this job left it (in doubt since after ``since``:
        inside the scan) is settled; one another run made since keeps its outcome, one
        another job left in doubt stays in doubt, one held now is left to its holder.
        One acquire and one write for all (``release_soon``)."""
        names = {self._name((kind, key)): key for key in sorted(keys)}
        if not names:
            return
        got = await claims.acquire_many(list(names), self.lease, tag=self.job_id)
        for claim in got.values():
            if not isinstance(claim, Claim) or claim.already_ours:
                continue  # held by another live run (or caller): its outcome will say
            if not claim.reconcile:  # as the last holder left it (made by another run)
                claims.release_soon(claim, claim.previous)
            elif (claim.prev_tag == self.job_id and claim.since is not None
                    and claim.since >= since):
                # (a release with no outcome would keep the old one: in doubt)
                claims.release_soon(claim, {ABSENT: looked, "job": self.job_id})
            else:  # in doubt before the scan's start, or another job's: still in doubt
                claims.release_soon(claim, in_doubt_outcome(claim.since or 0.0,
                                                            claim.prev_tag))
        await claims.flush()

    async def forget(self, kind: str, keys: Iterable[str], dead: int | None = None) -> None:
        """Forget the ids of these keys of ``kind`` (records someone deleted since): the
        next row that needs one finds it among those added since, or creates it again. A
        deleted one this job made stays counted as made (its made- lookup kept under a key
        no row names, ``GONE``: the create of it again writes the key's own). ``dead``: the
        id found gone, never read by id again in this run (a claim naming it)."""
        keys = list(keys)
        if dead is not None:
            self._gone.add((kind, dead))
        forgotten = set(keys)
        self._gone.update((kind, rid) for (k, key), rid in self._ids.items()
                          if k == kind and key in forgotten)
        made = await self.store.lookup_get_many(_MADE + kind, keys)
        if made:
            await self.store.lookup_put_many(
                _MADE + kind, [(f"{key}{GONE}{rid}", rid) for key, rid in made.items()])
        await self.store.lookup_delete_many(kind, keys)
        for key in keys:
            self._ids.pop((kind, key), None)
            self._made.discard((kind, key))

    def keys_of(self, kind: str, rid: int) -> set[str]:
        """The keys of ``kind`` this process resolved to ``rid``."""
        return {key for (k, key), i in self._ids.items() if k == kind and i == rid}

    async def rebind(self, kind: str, keys: Iterable[str], survivor: int) -> None:
        """These keys of ``kind`` resolve to ``survivor`` from now on: the person /
        organization they named (this job's create, or one it linked) was merged into it
        since (``jobs.importing.survivors``). The key is no create of this job any more:
        its made- lookup keeps the merged-away id (counted, undone), and ``resolve`` counts
        a key made only while it names that id — undo --contacts never deletes the
        survivor for these rows (a colleague's, or this job's by its own key)."""
        keys = sorted(set(keys))
        await self.store.lookup_put_many(kind, [(key, survivor) for key in keys])
        for key in keys:
            self._made.discard((kind, key))
            self._know((kind, key), survivor)

    async def pass_on(self, kind: str, keys: Iterable[str], rid: int, survivor: int,
                      at: float) -> None:
        """Tell the other runs of the account that ``keys`` (of ``kind``), whose record
        ``rid`` was merged into ``survivor`` (``jobs.importing.survivors``), resolve there:
        each key's claim released naming the survivor (``{"id": survivor, "followed":
        rid, "at": at}``, no job: it is no run's create), so another job making the key
        (a concurrent import, a later one) links the survivor — its read of the claim's
        record (``_created_meanwhile``) — not a copy of the merged-away record (before:
        the claim still named ``rid``, dead, and that job made it again). Only a claim
        whose last outcome names ``rid`` or nothing is written: one another run made again
        since is left; a claim held by a live run, or this run's own in flight, is not
        touched, nor a name alone (never linked to another job's record); a dead holder's
        is given back in doubt, as it was."""
        claims = self._claims()
        if claims is None:
            return
        for key in sorted(set(keys)):
            k = (kind, key)
            if name_only(*k):
                continue
            got = await acquire(claims, self._name(k), self.lease, tag=self.job_id)
            if not isinstance(got, Claim) or got.already_ours:
                continue
            previous = got.previous or {}
            if got.reconcile:  # a dead holder's create may have left: its evidence kept
                claims.release_soon(got, in_doubt_outcome(got.since or at, got.prev_tag,
                                                          got.last_settled()))
            elif previous.get("id") in (rid, None) and IN_DOUBT not in previous:
                claims.release_soon(got, {"id": survivor, FOLLOWED: rid, "at": at})
            else:
                claims.release_soon(got)
        await _flush(claims)

    async def held_by(self, ctx: CallContext, kind: str, keys: Iterable[str],
                      dead: Iterable[int] = ()) -> tuple[dict[str, int], int]:
        """Key → the live record of ``kind`` that answers it now (the lowest id), among
        those changed since this job was created (less ``RECONCILE_MARGIN``; after a
        first read, those changed since it, kept with it): one
        ``updated_since`` read of the list (``GET /api/v2/persons`` / ``organizations``,
        10 tokens a page of 500; openapi-v2: "only ... with an update_time later than or
        equal to this time"). A merge writes the survivor's update_time and unites the
        merged-away person's e-mails in it ("Merge (v1)", FACTS.md; ``bulk.sandbox.merge``),
        so the survivor of a record this job made or linked since answers its e-mail key,
        as it would answer a fresh import's. A person's key by name and phone
        (``n:<name>|p:<phone>``) is answered by the phone alone (``witness_key``): a merge
        into a person of another name unites the phones too, and the name is the one
        thing the survivor does not keep; answered so only by the one live record holding
        that phone (a line two persons share tells no survivor). Names alone are not
        asked (never linked to another's record); ``dead``: ids known gone (kept from an
        earlier read, never listed again). Returns the found ids and the pages read."""
        wanted: dict[str, list[str]] = {}
        for key in keys:
            if not name_only(kind, key):
                wanted.setdefault(witness_key(kind, key), []).append(key)
        if not wanted:
            return {}, 0
        # read again only since the last read (a run following many vanished records
        # pays a page each, not the job's every create again)
        at, answers = self._held.get(kind, (self._loaded(), {}))
        started = ctx.clock.wall()
        records = await changed_since(ctx, _LIST[kind], at - RECONCILE_MARGIN)
        for record in records:
            rid = int(record["id"])
            answers[rid] = set() if record.get("is_deleted") else {
                witness_key(kind, a) for a in self._answers(kind, record)}
        for rid in dead:
            answers.pop(rid, None)
        self._held[kind] = (started, answers)
        found: dict[str, int] = {}
        shared: set[str] = set()  # a phone two live records hold: no witness
        for rid, said in sorted(answers.items()):
            for answer in said:
                for key in wanted.get(answer, ()):
                    if key in found and found[key] != rid and answer.startswith("p:"):
                        shared.add(key)
                    found.setdefault(key, rid)  # the lowest id
        for key in shared:
            del found[key]
        return found, max(1, -(-len(records) // 500))

    async def learn_added(self, ctx: CallContext, refs: Iterable[Ref],
                          since: float) -> Counter[str]:
        """Before a resume: the persons / organizations the pending rows would create that
        someone added since ``since`` (Unix time; a colleague, another tool, while the job
        was stopped) are found among those added since (one list read per kind, 10 tokens
        per 500 added) and linked — never created a second time, never counted as made
        here (undo --contacts leaves them) — unless the claim of one names this job (an
        earlier process of it created it and died before the answer was written): that one
        is this job's, counted and undone as its own. One the job made for another row's
        key (its "made-<kind>" lookup) that answers this key too (x37r1 F6: merged with
        the one made for this key) is linked, counted once already, never someone's.
        v9r9: two live persons with one e-mail, 3 of 3. Returns how many of each kind
        ("person" / "org") someone else added, and ("person-own" / "org-own") how many
        were this job's made for other rows."""
        # organizations first: a person made at a new one answers its key by its id
        wanted: dict[str, set[str]] = {"org": set(), "person": set()}
        sent = _bodies(refs)
        for k in sent:
            if k not in self._ids:
                wanted[k[0]].add(k[1])
        learnt: Counter[str] = Counter()
        for kind, keys in wanted.items():
            if not keys:
                continue
            stored = await self.store.lookup_get_many(kind, sorted(keys))
            missing = keys - set(stored)
            if not missing:
                continue
            if kind == "person":
                await self._know_orgs_of(missing)
            records: dict[str, Mapping[str, Any]] = {}
            every: dict[str, list[Mapping[str, Any]]] = {}
            # changed since: an older record someone merged the key's record into holds
            # the key now (x39r2 F1), as a fresh import would find it
            seen = self.changed_seen.setdefault(kind, set())
            found = await self._find_added(ctx, kind, missing, since, records=records,
                                           changed=True, every=every, seen=seen)
            # one this job made for another row's key (its "made-" lookup), that answers
            # this key too (merged with the one made for it, or sharing an e-mail), is
            # its own already: linked, counted and undone once, under the key it was made
            # for (x37r1 F6: credited to "someone" — its claim names the merged-away id)
            made_ids = set((await self.store.lookups(_MADE + kind)).values()) \
                if found else set()
            already = {key: rid for key, rid in found.items() if rid in made_ids}
            # one this job created, its answer lost to a kill -9, is its own: the claim
            # its dead process held names it (v9r17 M2: credited to "someone", never
            # counted, left behind by undo --contacts, 3 of 8 kills)
            claims = self._claims()
            ours: dict[str, int] = {}
            for key, rid in found.items():
                if key in already or claims is None:
                    continue
                own = await self._made_here(claims, (kind, key), rid, records.get(key),
                                            sent.get((kind, key)), others=every.get(key, ()))
                if own is not None:  # of several answering the key, its create's (f41j F1)
                    ours[key] = found[key] = own
            # someone else's person found by a name alone is never linked (x17r1 S1: a
            # colleague's "Grace Hopper" with an e-mail took every "Grace Hopper" row)
            found = {key: rid for key, rid in found.items()
                     if key in ours or key in already or not name_only(kind, key)}
            theirs = {key: rid for key, rid in found.items()
                      if key not in ours and key not in already}
            await self._put(kind, theirs, made=False)
            await self._put(kind, already, made=False)
            await self._put(kind, ours, made=True)
            self.created[kind] += len(ours)
            for key, rid in found.items():
                self._know((kind, key), rid)
            learnt[kind] += len(theirs)
            learnt[f"{kind}-own"] += len(already)
            learnt[kind] += await self._learn_survivors(ctx, kind, missing - set(found))
        return learnt

    async def _learn_survivors(self, ctx: CallContext, kind: str, keys: Iterable[str]) -> int:
        """Of ``keys`` (a resume's re-read found no record for them), those whose claim
        names a record another run made that is gone now — read by id, 1 token each — and
        that ``_survivor_of`` follows to its merge survivor (the one holding the key, or
        the one the deals made with it moved to): linked now, so the run makes no copy
        (f40a: a claim settled before the re-read is not looked at again by the run, and
        an organization merged into one of another name was made again). Their survivors
        are looked for together: one ``held_by`` read of the list for all of them (x43r1
        F1: a page each, 243 getPersons and 125 getOrganizations for one-page lists after
        an undo this folder did not record). Part of the re-read: the plan after it
        prices these reads. Returns how many were linked."""
        claims = self._claims()
        wanted = {self._name((kind, key)): key for key in keys if not name_only(kind, key)}
        if claims is None or not wanted:
            return 0
        linked = 0
        gone: dict[str, int] = {}  # key -> the gone record its claim names
        told = await claims.outcomes(sorted(wanted))
        if any(isinstance(o.get("id"), int) for o in told.values()):
            await self._learn_deleted()
        for name, previous in told.items():
            rid, k = previous.get("id"), (kind, wanted[name])
            if not isinstance(rid, int) or previous.get("job") == self.job_id \
                    or isinstance(previous.get(FOLLOWED), int) or k in self._ids \
                    or (kind, rid) in self._gone:  # (an undo here deleted it: no survivor)
                continue
            try:
                res = await ctx.call(_GET[kind], path={"id": rid})
                live = isinstance(res.data, Mapping) and not res.data.get("is_deleted")
            except (NotFound, Gone):
                live = False
            if live:
                continue  # the run's claim takes it as it is (``_created_meanwhile``)
            self._gone.add((kind, rid))
            gone[k[1]] = rid
        if not gone:
            return 0
        held = await self.held_by(ctx, kind, gone, gone.values())
        self.vanished_tokens += held[1] * get_operation(_LIST[kind]).token_cost
        for key, rid in gone.items():
            k = (kind, key)
            if (survivor := await self._survivor_of(ctx, k, rid, held)) is not None:
                await self._put(kind, {k[1]: survivor}, made=False)
                self._know(k, survivor)
                linked += 1
        return linked

    async def _made_here(self, claims: Claims | None, k: tuple[str, str], rid: int,
                         record: Mapping[str, Any] | None = None,
                         body: Mapping[str, Any] | None = None,
                         others: Iterable[Mapping[str, Any]] = ()) -> int | None:
        """The id of this job's create among person / org ``rid`` (``record`` as listed),
        found by key ``k`` after a create in doubt, and ``others`` (the rest answering
        ``k``, as listed); None: none is. Its claim names this job — its outcome for that
        record, or, taken over from a dead holder, the job it was held for (an earlier
        process of this job) when ``record`` can be what that holder's create ``body``
        made (``_could_be_made``: not added before the holder took the claim, the name
        sent). One that cannot while one of ``others`` can: that other is the create's,
        ``rid`` another run's (a colleague's, another state folder's) added since the
        load — a double the end-of-run check names (``jobs.doubles``; f41j F1: taken for
        the survivor the create "merged away" into, the job's own person left with no
        deal). None of them can: ``rid`` is the record the key's create was merged into
        since (x39r2 F1: "Quinn22 Row17" merged into "Zed11 Person0", recorded as this
        job's create, which undo --contacts would delete): linked, its note says so
        (``survived``). A claim that says nothing, or another job, or is still held by
        another live run after a bounded wait: not ours (a record that is not ours is
        never deleted by undo)."""
        if claims is None:
            return rid  # no claims (tests of the resolver alone): the old rule
        name = self._name(k)
        for _ in range(2):
            got = await acquire(claims, name, self.lease, tag=self.job_id)
            if isinstance(got, Claim):
                creator = _creator(got, rid)
                named = (got.previous or {}).get("id") == rid  # its outcome says so
                if creator == self.job_id and not named and record is not None \
                        and not _could_be_made(k[0], record, body, got.since):
                    own = next((int(other["id"]) for other in others
                                if int(other["id"]) != rid
                                and _could_be_made(k[0], other, body, got.since)), None)
                    if own is not None:
                        await claims.release(got, _outcome(own, creator))
                        return own
                    creator = None
                    self._survived[k] = Survived(
                        k[0], None, rid, f"{_LABEL[k[0]]} {rid} holds the "
                        f"{'e-mail' if k[0] == 'person' else 'name'} the row gives it but "
                        "was there before the create was sent, under another name: the "
                        "create's record merged into it (or the key given to it) since")
                await claims.release(got, _outcome(rid, creator))
                return rid if creator is not None and creator == self.job_id else None
            self._on_held(got, CLAIM_WAIT)
            if not await wait_giving_back(claims, name, CLAIM_WAIT, self._on_wait):
                break
        return None

    def _after_failure(self, k: tuple[str, str], added: float | None) -> bool:
        """Whether a record of key ``k`` added at ``added`` (Unix time) came after this
        process saw its own create of ``k`` fail in doubt (ANSWERED_MARGIN aside)."""
        failed = self._answered_at.get(k)
        return failed is not None and added is not None and added > failed + ANSWERED_MARGIN

    async def _find_added(self, ctx: CallContext, kind: str, keys: set[str],
                          since: float, added: dict[str, float] | None = None, *,
                          records: dict[str, Mapping[str, Any]] | None = None,
                          changed: bool = False,
                          every: dict[str, list[Mapping[str, Any]]] | None = None,
                          seen: set[int] | None = None,
                          ) -> dict[str, int]:
        """Key → the id of the record of ``kind`` added since ``since`` that answers it (the
        lowest id); ``changed``: added *or changed* since (``changed_since``: a merge
        writes the survivor's update_time and unites the merged-away person's e-mails in
        it, "Merge (v1)", FACTS.md; a page per 500 either way). ``added`` (when given)
        gets each one's add_time (Unix time), ``records`` each one as listed, ``every``
        every record answering each key (as listed, by id), ``seen`` the id of every
        live record listed."""
        from .account import parse_time

        wanted: dict[str, list[str]] = {}  # as records answer them -> as the items hold them
        for key in keys:
            wanted.setdefault(canonical_key(kind, key), []).append(key)
        found: dict[str, int] = {}
        listed = await (changed_since if changed else added_since)(ctx, _LIST[kind], since)
        for record in listed:
            if record.get("is_deleted"):
                continue
            rid = int(record["id"])
            if seen is not None:
                seen.add(rid)
            for answer in self._answers(kind, record):
                for key in wanted.get(answer, ()):
                    if every is not None and all(int(r["id"]) != rid
                                                 for r in every.get(key, ())):
                        every.setdefault(key, []).append(record)
                        every[key].sort(key=lambda r: int(r["id"]))
                    if key not in found or rid < found[key]:
                        found[key] = rid
                        when = parse_time(record.get("add_time"))
                        if added is not None and when is not None:
                            added[key] = when
                        if records is not None:
                            records[key] = record
        return found


async def _flush(claims: Claims) -> None:
    """Write the queued releases now (a claim released in doubt wakes its waiters at
    once); a failure (Redis gone) is left to the next acquire / flush to raise."""
    try:
        await claims.flush()
    except Exception:
        pass


def witness_key(kind: str, key: str) -> str:
    """``key`` as a merge survivor of another name still answers it (``held_by``): a
    person's ``n:<name>|p:<phone>`` as ``p:<phone>`` (a merge unites the merged-away
    person's phones in the survivor, keeping the survivor's name: "Merge (v1)",
    pipedrive/FACTS.md; ``bulk.sandbox.merge``); an e-mail key as ``canonical_key``; any
    other key as it is (a name, a name at an organization: no witness of a merge)."""
    if kind == "person" and key.startswith("n:") and "|p:" in key:
        return "p:" + key.split("|p:", 1)[1]
    return canonical_key(kind, key)


def name_only(kind: str, key: str) -> bool:
    """Whether ``key`` is a person's by name alone (no e-mail, no phone: ``n:<name>``),
    which links to no person another job made (``Resolver._created_meanwhile``)."""
    return kind == "person" and key.startswith("n:") and "|p:" not in key \
        and "|o:" not in key


def _claimed_for(claim: Claim, job: str) -> bool:
    """Whether the record under ``claim``, if one was made, was made by ``job``: its
    previous holder released it naming ``job``, or held it for ``job`` and died."""
    prev = claim.previous or {}
    if isinstance(prev.get("id"), int):
        return prev.get("job") == job
    return bool(claim.reconcile and claim.prev_tag == job)


def _creator(claim: Claim, rid: int) -> str | None:
    """The job that created record ``rid`` found under ``claim``: the one its previous
    outcome names for it, else — its previous holder died holding it — the job that
    holder claimed it for (``prev_tag``); None: unknown."""
    prev = claim.previous or {}
    if prev.get("id") == rid and isinstance(prev.get("job"), str):
        return str(prev["job"])
    if claim.reconcile and claim.prev_tag:  # an older outcome names another record
        return claim.prev_tag
    return None


def record_keys(kind: str, record: Mapping[str, Any],
                org_keys: Mapping[int, Iterable[str]]) -> list[str]:
    """The keys a listed ``kind`` ("person" / "org") ``record`` answers, as the claims on
    creating it are named by (``contact_claim_name``): a person's ``person_keys`` (with
    ``org_keys``, organization id → the keys this job's new organizations of that id were
    made under), an organization's normalised name (and with its address: a file may
    name one at two addresses, ``AT_ADDRESS``)."""
    if kind != "org":
        org = record.get("org_id")
        if isinstance(org, Mapping):
            org = org.get("value")
        return person_keys(record, org_keys.get(org, ()) if isinstance(org, int) else ())
    name = org_key(record.get("name")) or ""
    where = _where(record)
    return [name, f"{name}{AT_ADDRESS}{where}"] if where else [name]


def contact_claim_name(kind: str, scope: str, key: str) -> str:
    """The claim on creating the person (``kind`` "person") or organization ("org") of
    match key ``key`` in the key field ``scope``; released with ``{"id": ...}`` once made,
    which a later create of it reads first (``getPerson`` / ``getOrganization``)."""
    return f"{kind}\x1f{scope}\x1f{key}"


def read_of(kind: str) -> str:
    """The operation that reads one ``kind`` ("person" / "org") record by id."""
    return _GET[kind]


def list_of(kind: str) -> str:
    """The operation that lists ``kind`` ("person" / "org") records (one page: a look-up
    of those added since, ``Resolver._find_added``)."""
    return _LIST[kind]


# a contact claim's outcome naming a merge survivor its key's record was merged into
# (``Resolver.pass_on``): the merged-away id
FOLLOWED = "followed"


def _outcome(rid: int | None, creator: str | None,
             at: float | None = None) -> dict[str, Any] | None:
    """What a claim on a person / org is released with: ``{"id": rid, "job": creator,
    "at": at}`` (``at``: the wall time of the release, when known: a run that began
    before it reads the record with its batch's, ``Resolver._named_since``)."""
    if rid is None:
        return None
    out: dict[str, Any] = {"id": rid}
    if creator:
        out["job"] = creator
    if at is not None:
        out["at"] = at
    return out


def _bodies(refs: Iterable[Ref]) -> dict[tuple[str, str], Mapping[str, Any] | None]:
    """(kind, key) → the body each to-create reference would send (None: none given)."""
    out: dict[tuple[str, str], Mapping[str, Any] | None] = {}
    for ref in refs:
        body = ref.get("body")
        out.setdefault((str(ref["kind"]), str(ref["key"])),
                       body if isinstance(body, Mapping) else None)
    return out


def _could_be_made(kind: str, record: Mapping[str, Any], body: Mapping[str, Any] | None,
                   claimed: float | None) -> bool:
    """Whether ``record`` (a person / organization as listed) can be what a create of
    ``body`` sent under a claim taken at ``claimed`` (Unix time, this machine's clock)
    made: not added before the claim (``ANSWERED_MARGIN`` of clock skew aside), and
    named as sent (a merge keeps the survivor's name: "Merge (v1)", FACTS.md). Unknown
    times or names do not rule it out."""
    from .account import parse_time

    added = parse_time(record.get("add_time"))
    if claimed is not None and added is not None and added < claimed - ANSWERED_MARGIN:
        return False
    sent = body.get("name") if body is not None else None
    have = record.get("name")
    if not isinstance(sent, str) or not isinstance(have, str):
        return True
    if kind == "org":
        return org_key(sent) == org_key(have)
    return " ".join(sent.split()).casefold() == " ".join(have.split()).casefold()


def _where(org: Mapping[str, Any]) -> str | None:
    """An organization's address match key (None: it has none)."""
    address = org.get("address")
    if isinstance(address, Mapping):
        address = address.get("value") or address.get("formatted_address")
    return address_match_key(address) if isinstance(address, str) and address else None


def _same_address(body: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Both organizations at one address, or at least one without an address."""
    want, have = _where(body), _where(record)
    return want is None or have is None or want == have


__all__ = ["Deferred", "DependencyFailed", "HeldBack", "Resolver", "Survived", "contact_ids",
           "made_contacts",
           "canonical_key", "name_only", "person_email_key", "person_key_at", "person_keys",
           "witness_key",
           "record_keys", "refs_of", "to_create"]
