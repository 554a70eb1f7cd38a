"""A row's person / organization that vanished between the load and the send: merged
away or deleted by a colleague after the load linked the row to it (``jobs.importing``).

Pipedrive refuses a deal (``addDeal`` / ``updateDeal``) or a person (``addPerson``) that
names a person / organization no longer there with a 400 (the sandbox: ``person_id:
person 1 not found``); the row failed so (f36a 1). The API gives no way from a
merged-away id to its survivor ("Merge (v1)", pipedrive/FACTS.md), but the survivor
holds the merged person's e-mails (they are united) and the deals that were linked to
the merged-away record, so the row's contact cells, resolved again as the load resolves
them, find it — or, deleted, find no one, and the row's person / organization is made as
a first import makes it.

On such a 400 only (a plan prices none of this: the normal path reads nothing more):

1. the ids the row sent (the deal's ``person_id`` / ``org_id``, a created person's
   ``org_id``) are read back by id (``getPerson`` / ``getOrganization``, 1 token each,
   3 at most; a 404 or a record marked deleted is vanished). None vanished: the 400 is
   the row's failure, as before.
2. The row is decided again (``RowPlanner.decide``, its cells as the load read them) by a
   planner whose indexes are read now, after the 400: the catalog and the persons /
   organizations lists (what the mapping maps), built once for the run and again only
   when its indexes still list a vanished id (at most ``FRESH_READS`` times a run); no
   deal is listed (x36r3: the deals by key and the archived deals were, 107 tokens of
   the tester's 352, 1,000+ on a 50k-deal account): the deals the row's decision reads
   (an update's deal, the deals this folder wrote from the same contact cells) are read
   by id, each once a planner (``deals_for``).
3. The vanished links take that decision's references; the row is sent once more, its
   note saying which record vanished and what it is linked to now. A second refusal is
   the row's failure: a row is resolved again once, never in a loop. A row that cannot
   be resolved again (the fresh reads spent, the mapping unusable, the row decided
   otherwise now) fails — unless it is an update with other changes: those are sent
   without the vanished links, its note saying the link was not written (f37b).

No plan can price this path for a merge or delete during the run: its refused writes and
the tokens of its reads are counted (``Vanished.spent``) and said in the run's last lines
(``import_load.summary_lines``). One made while the job was stopped is found by the
resume's re-read (``_Resume._named_gone``): its rows are resolved before their send, no
write refused, and the plan after the re-read prices them (x48r3 F1).

It never makes a copy of a contact the fresh decision finds, and never forgets a
contact the job created: other rows naming it go through the same steps.

Why ~700 lines: one path — a row refused for a contact gone, resolved again and sent
again (``sent_following``), by its key's survivor (``survivors``) or its cells read anew
(``_again``) — and the fresh reads it shares across rows (``Vanished``)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

import anyio

from bulk.calls import CallContext
from bulk.client import ApiResult
from bulk.clock import in_thread
from bulk.errors import BulkError, Gone, InputError, NotFound, Stopped, ValidationRejected
from bulk.operations import get_operation
from bulk.store import Item, ItemState, JobStore, Outcome

from ..account import OrgIndex
from ..clock_skew import server_since
from ..import_items import (
    BORROWED,
    LINKED,
    MATCH_COLUMNS,
    META_LINKS_NOW,
    NAMESAKES,
    NOT_ADDED,
    STOPPED,
    TITLE_NOT_SENT,
    source_row,
)
from ..import_resolve import DependencyFailed, Ref, Resolver
from ..import_rows import RowPlanner
from ..mapping import Mapping as ImportMapping
from . import members, survivors

_log = logging.getLogger("pdbulk.import")

if TYPE_CHECKING:  # (base builds a Vanished: no import of it at run time)
    from .base import _ImportBase

FRESH_READS = 2  # planners read after a 400 in one run (its indexes: the load's reads)
# a row's sends refused for a vanished contact and resolved again, at most: the record it
# was resolved to can be merged away in turn (a colleague merging a chain: x38r1 F8)
HOPS = 3
_GET = {"person": "getPerson", "org": "getOrganization"}
_LABEL = {"person": "person", "org": "organization"}
# succeeded.csv's columns of a row's match of each link (``import_items.matched_by``)
_MATCHED = {"person": (MATCH_COLUMNS[0], LINKED, NAMESAKES, BORROWED, TITLE_NOT_SENT,
                       NOT_ADDED),
            "org": (MATCH_COLUMNS[1],)}
# deals read by id (getDeal: 1 token) against a page of 100 by ids (getDeals: 10 tokens):
# read together from this many on (FACTS.md, token costs)
_BY_IDS_FROM = 10


def refused(exc: BaseException) -> bool:
    """A row's send refused as a payload naming something Pipedrive does not hold: a 400
    to the deal, or a person / organization create that failed with one."""
    if isinstance(exc, ValidationRejected):
        return exc.status == 400
    return isinstance(exc, DependencyFailed) and exc.status == 400


def _known(job: _ImportBase, ref: Any) -> int | None:
    """The id ``ref`` resolved to in this run, without creating anything."""
    if not isinstance(ref, Mapping):
        return None
    if "id" in ref:
        return int(ref["id"])
    return job.resolver.known(ref)


def linked(job: _ImportBase, payload: Mapping[str, Any], making: bool | None = None
           ) -> dict[str, set[int]]:
    """The ids of the persons ("person") / organizations ("org") the row's send named:
    the deal's links and the organization of a person it creates — only while that person
    is still to make (``making``; None: its key unknown to the resolver in this run;
    ``still_making`` asks the job's lookups too): the organization a person made earlier
    (by another row, with that row's organization) was made with is none of this row's
    (x50r6 F1: its delete was told on every row naming the person)."""
    out: dict[str, set[int]] = {"person": set(), "org": set()}
    person = payload.get("person")
    if making is None:
        making = isinstance(person, Mapping) and "key" in person \
            and job.resolver.known(person) is None
    made_with = person.get("org") if making and isinstance(person, Mapping) else None
    for name, ref in (("person", person), ("org", payload.get("org")), ("org", made_with)):
        rid = _known(job, ref)
        if rid is not None:
            out[name].add(rid)
    return out


async def still_making(job: _ImportBase, payload: Mapping[str, Any]) -> bool:
    """Whether the row's person (by key) is still to make: neither this run nor the job's
    lookups (an earlier run, another row) know its key."""
    person = payload.get("person")
    if not isinstance(person, Mapping) or "key" not in person:
        return False
    return job.resolver.known(person) is None and await job.resolver.store.lookup_get(
        str(person["kind"]), str(person["key"])) is None


async def vanished(ctx: CallContext, ids: Mapping[str, set[int]]) -> dict[str, set[int]]:
    """The ``ids`` no longer in the account: each read by id (1 token; a 404 / 410, or
    the record marked deleted, is vanished: FACTS "Merge (v1)" leaves open which a
    merged-away record answers)."""
    out: dict[str, set[int]] = {}
    for name in ("person", "org"):
        for rid in sorted(ids.get(name, ())):
            try:
                res = await ctx.call(_GET[name], path={"id": rid})
            except (NotFound, Gone):
                out.setdefault(name, set()).add(rid)
                continue
            data = res.data if isinstance(res.data, Mapping) else {}
            if data.get("is_deleted") is True or data.get("active_flag") is False:
                out.setdefault(name, set()).add(rid)
    return out


class _Tally(CallContext):
    """``ctx``, counting the tokens of the calls made through it into ``state.tokens``
    (each call's ``x-token-cost``, bulk.operations): what the refusal path cost."""

    def __init__(self, ctx: CallContext, state: Vanished) -> None:
        super().__init__(ctx._r)
        self._state = state

    def call(self, operation_id: str, *, path: Mapping[str, object] | None = None,
             params: Mapping[str, object] | None = None, json: Any = None,
             guard: Callable[[], Awaitable[bool]] | None = None,
             ) -> Coroutine[Any, Any, ApiResult]:
        self._state.tokens += get_operation(operation_id).token_cost
        return super().call(operation_id, path=path, params=params, json=json, guard=guard)


class Vanished:
    """One run's planner read after a 400 (``fresh``) and what it resolved again."""

    def __init__(self, lock: anyio.Lock) -> None:
        self.lock = lock  # rows refused together wait for one read
        self.planner: RowPlanner | None = None
        self.reads = 0  # planners read in this run
        self.rows = 0  # rows resolved again in this run (``resolved``: each counted once)
        self._resolved: set[int] = set()
        # what this path cost in this run, priced by no plan (the run's last lines say it):
        # the writes refused for a vanished contact, and the tokens of its reads
        self.refused = 0
        self.tokens = 0
        self._deals_read: set[int] = set()  # the deals ``planner`` was given by id
        # the ids found vanished in this run: a later row naming one is resolved again
        # before its send, not after a refused write and a read of its own (x36r3 F0: a
        # person 169 rows named, deleted mid-run, cost 169 refused addDeals + 169 reads)
        self.gone: dict[str, set[int]] = {}
        # of those, the ones a resume's re-read found again by the rows' cells: (kind, id)
        # → (the record found, how: "email" / "name"), for the reconcile's notes (x50r6 F2)
        self.found: dict[tuple[str, int], tuple[int, str]] = {}
        # the vanished records rows named by key (this job's creates): followed to their
        # merge survivor, or made again once (``jobs.importing.survivors``; x37r1 F1)
        self.followed = survivors.Followed()
        # the records a resume's re-read found gone (``survivors.settle_gone``), whose
        # end-of-run read its plan after the re-read counted (``links_now_calls``), and the
        # tokens of that read when the run found nothing more gone (``priced``)
        self.planned_gone: frozenset[tuple[str, int]] = frozenset()
        # every record that re-read found gone (followed to a survivor too): it went while
        # the job was stopped, not during the run (x49r2 F4: succeeded.csv said "during")
        self.stopped_gone: frozenset[tuple[str, int]] = frozenset()
        self.priced = 0
        # the rows naming by id a record that re-read found gone, resolved before their
        # send: priced by that plan (``_Resume._named_gone``), and how many were resolved
        self.planned_rows: frozenset[int] = frozenset()
        self.rows_priced = 0

    def close(self) -> None:
        """Close the record the fresh planner opened (the run's end)."""
        planner = self.planner
        if planner is not None and planner.last_written is not None:
            planner.last_written.close()
            planner.last_written, planner.records_agreed = None, False
        self.planner = None

    def _lists(self, gone: Mapping[str, set[int]]) -> bool:
        planner = self.planner
        if planner is None:
            return True
        for name, ids in gone.items():
            index = planner.indexes.persons if name == "person" else planner.indexes.orgs
            if index is not None and ids & set(index.ids):
                return True
        return False

    async def planner_for(self, job: _ImportBase, ctx: CallContext,
                          gone: Mapping[str, set[int]]) -> RowPlanner | None:
        """A planner whose indexes were read after ``gone`` vanished; None: read
        ``FRESH_READS`` times already in this run. InputError: the mapping is unusable.
        The caller holds ``lock``."""
        if not self._lists(gone):  # (the caller holds ``lock``)
            return self.planner
        if self.reads >= FRESH_READS:
            return None
        return await self._read(job, ctx, gone)

    def spent(self, resolver: Resolver | None = None) -> dict[str, int]:
        """This run's figures of the path (``rows``, ``refused``, ``tokens``; with
        ``resolver``'s reads of the survivors of other runs' creates, ``vanished_tokens``),
        zeroed: the run's entry in the job's history keeps them (``import_load.end_run``)."""
        out = {"vanished_rows": self.rows, "vanished_refused": self.refused,
               "vanished_tokens": self.tokens, "vanished_priced": self.priced,
               "vanished_rows_priced": self.rows_priced}
        if resolver is not None:
            out["vanished_tokens"] += resolver.vanished_tokens
            # of those, the reads finding other runs' records' survivors: said as such
            # when no row was refused (f40a: said "read back … refused with a 400")
            out["vanished_survivor_tokens"] = resolver.vanished_tokens
            resolver.vanished_tokens = 0
        self.rows = self.refused = self.tokens = self.priced = self.rows_priced = 0
        self._resolved.clear()
        return out

    def resolved(self, item: Item) -> None:
        """Count ``item`` among the rows resolved again in this run, once: by its cells
        (``_again``), followed to a survivor or a record made again (``survivors``, before
        its send or after a refusal), or linked to the survivor of another run's create
        (``survivors_told``). x38r3 F7: only the rows resolved from their cells were
        counted, "0 rows resolved again" beside 40 rows followed or made again."""
        if item.id not in self._resolved:
            self._resolved.add(item.id)
            self.rows += 1
            self.rows_priced += item.id in self.planned_rows

    def _orgs_kept(self, job: _ImportBase, gone: Mapping[str, set[int]]) -> OrgIndex | None:
        """The organizations indexed here (the last fresh planner's, else the load's) when
        only persons vanished (a person's merge or delete changes none: not listed again,
        10 tokens a 500; f38a 5); None: listed (an organization vanished, or none here)."""
        if "org" in gone:
            return None
        for planner in (self.planner, job._planner):
            index = planner.indexes.orgs if planner is not None else None
            if index is not None:
                return index
        return None

    async def _read(self, job: _ImportBase, ctx: CallContext,
                    gone: Mapping[str, set[int]]) -> RowPlanner:
        """The catalog, the persons and the organizations (what the mapping maps), read
        now — the organizations only when ``gone`` names one (``_orgs_kept``); no deal
        listed (x36r3: the deals by key and the archived deals were listed again, 107
        tokens in the tester's run, 1,000+ on a 50k-deal account): the deals a row's
        decision reads are read by id before it (``deals_for``)."""
        kept = self._orgs_kept(job, gone)
        self.close()
        self.reads += 1
        self._deals_read = set()
        s = job.settings
        mapping = ImportMapping.load(s.mapping)
        planner, _, _ = await RowPlanner.build(ctx, mapping, job._columns(), mode=s.mode,
                                               create_key_field=False, indexes=False)
        planner.indexes = await RowPlanner.pull_indexes(ctx, mapping, s.mode,
                                                        planner.key_code, deals=False,
                                                        orgs=kept is None)
        if kept is not None and mapping.spec.organization is not None:
            planner.indexes.orgs = kept
        planner.use(s)
        await job._use_marks(planner)
        if planner.key_code != job.key_code:
            raise InputError("the mapping's key field is not the one this job was loaded "
                             "with")
        if s.mode == "upsert":
            job._decide_with_record(planner)
        self.planner = planner
        return planner


async def deals_for(state: Vanished, planner: RowPlanner, ctx: CallContext, op: str,
                    payload: Mapping[str, Any]) -> None:
    """Give ``planner`` (``Vanished._read``'s: no deal listed) the deals deciding the row
    of ``payload`` reads, each read once a planner: an update's deal, and the deals this
    state folder wrote from the row's contact cells (whose links now name a merge
    survivor: ``RowPlanner.recorded_deals``). By id: ``getDeal``, 1 token each, or
    ``getDeals`` by ``ids``, 10 tokens a 100, from ``_BY_IDS_FROM`` on (FACTS.md token
    costs). A deal not found (404 / 410) or deleted is left out."""
    wanted = set(planner.recorded_deals(payload.get("cells") or {}))
    if op == "update" and isinstance(payload.get("deal_id"), int):
        wanted.add(int(payload["deal_id"]))
    ids = sorted(wanted - state._deals_read)
    if not ids:
        return
    found = await _deals_by_id(ctx, ids)
    state._deals_read.update(ids)
    planner.add_deals(found)


async def _deals_by_id(ctx: CallContext, ids: list[int]) -> list[Mapping[str, Any]]:
    """The deals of ``ids`` still there (a 404 / 410, or one deleted, left out): by
    ``getDeal``, 1 token each, or ``getDeals`` by ``ids``, 10 tokens a 100, from
    ``_BY_IDS_FROM`` on (FACTS.md token costs)."""
    found: list[Mapping[str, Any]] = []
    if len(ids) >= _BY_IDS_FROM:
        for start in range(0, len(ids), 100):
            page = await ctx.call("getDeals", params={"ids": ids[start:start + 100],
                                                      "limit": 100})
            found.extend(page.data or ())
    else:
        for rid in ids:
            try:
                found.append((await ctx.call("getDeal", path={"id": rid})).data or {})
            except (NotFound, Gone):
                continue
    return [d for d in found if isinstance(d.get("id"), int)
            and d.get("is_deleted") is not True and d.get("status") != "deleted"]


def _gone_and_moved(state: Vanished) -> tuple[dict[str, set[int]],
                                               dict[tuple[str, int], int]]:
    """What ``links_now`` reads for: the ids the run found vanished (``state.gone``) and
    those it followed and found deleted or untold; and where the records it followed to a
    merge went ((kind, id) → survivor)."""
    gone = {name: set(ids) for name, ids in state.gone.items()}
    for (kind, rid), w in state.followed.went.items():
        # followed and found deleted, or with no merge told: a deal settled before may
        # name it or sit on an untold survivor now (x38r3 F3: succeeded.csv named ids gone)
        if w.survivor is None:
            gone.setdefault(kind, set()).add(rid)
    moved = {key: w.survivor for key, w in state.followed.went.items()
             if w.survivor is not None}
    return gone, moved


def _naming(store: JobStore, gone: Mapping[str, set[int]],
            moved: Mapping[tuple[str, int], int]) -> tuple[list[int], dict[str, dict[str, Any]]]:
    """The deals of the settled rows naming a record of ``gone`` (read by ``links_now``),
    and the links of those naming one ``moved`` told (deal id → its links now, no read)."""
    def end(kind: str, rid: Any) -> Any:  # along a chain of merges followed, bounded
        for _ in range(len(moved)):
            if (kind, rid) not in moved:
                break
            rid = moved[kind, rid]
        return rid

    out: set[int] = set()
    told: dict[str, dict[str, Any]] = {}
    for item in store.items():
        if item.state not in (ItemState.DONE, ItemState.SKIPPED):
            continue
        result = item.result or (item.payload or {}).get("result") or {}
        deal_id = result.get("deal_id")
        if not isinstance(deal_id, int):
            continue
        person, org = result.get("person_id"), result.get("org_id")
        if person in gone.get("person", ()) or org in gone.get("org", ()):
            out.add(deal_id)
        elif (end("person", person), end("org", org)) != (person, org):
            told[str(deal_id)] = {"person_id": end("person", person),
                                  "org_id": end("org", org)}
    return sorted(out), told


def links_now_calls(store: JobStore, state: Vanished) -> dict[str, int]:
    """The calls ``links_now`` makes at the run's end for what ``state`` knows now (a
    resume's re-read found gone: ``survivors.settle_gone``), by operation: the plan after
    a resume's re-read counts them (x38r3: named only in the run's last lines). A record
    found vanished later in the run adds reads no plan can know (said in those lines)."""
    gone, moved = _gone_and_moved(state)
    if not gone:
        return {}
    n = len(_naming(store, gone, moved)[0])
    if n >= _BY_IDS_FROM:
        return {"getDeals": -(-n // 100)}
    return {"getDeal": n} if n else {}


async def links_now(job: _ImportBase, state: Vanished, ctx: CallContext) -> None:
    """At the end of a run that found contacts vanished (``Vanished.gone``): the deals
    of the rows settled naming one (an unchanged row, settled at the load; a row sent
    before the refusal) are read by id (``_deals_by_id``, in the path's tokens) and what
    they are linked to now kept in the job's meta (``META_LINKS_NOW``): succeeded.csv
    shows the person / organization the deal holds (the merge survivor), not the one the
    load listed (x36r3: an unchanged row kept the merged-away ``person_id``). A record
    this run followed to its merge survivor (``survivors.Followed``) moved every deal
    linked to it there: those deals' links are the survivor's, read nothing (x38r1: a row
    sent before the merge named the merged-away organization); one it followed and found
    deleted, or moved with no merge told, is read as the others (x38r3 F3: those rows'
    deals were never read, succeeded.csv named the records gone). A resume's plan after
    its re-read counts these reads (``links_now_calls``)."""
    gone, moved = _gone_and_moved(state)
    if not gone and not moved:
        return
    store = job.store

    def named() -> tuple[list[int], dict[str, dict[str, Any]]]:
        return _naming(store, gone, moved)

    ids, told = await in_thread(named)
    found: list[Mapping[str, Any]] = []
    tokens = state.tokens
    try:
        found = await _deals_by_id(_Tally(ctx, state), ids) if ids else []
        if {(k, rid) for k, rids in gone.items() for rid in rids} <= state.planned_gone:
            state.priced += state.tokens - tokens  # in the resume's plan after its re-read
    except Stopped:
        raise
    except BulkError as exc:  # (a budget spent, the account not answering: as settled)
        _log.warning("the deals of %d rows naming a contact that vanished during the run "
                     "were not read again (%s): succeeded.csv shows their links as the "
                     "rows settled", len(ids), exc)
        ids = []
    if not ids and not told:
        return
    now = dict(store.meta_get(META_LINKS_NOW) or {})
    now.update(told)
    now.update({str(d["id"]): {"person_id": d.get("person_id"), "org_id": d.get("org_id")}
                for d in found})
    if state.stopped_gone:  # their rows settled before the stop: gone since (x49r2 F4)
        was = await in_thread(lambda: _settled_links(store))
        for deal in {*told, *(str(d["id"]) for d in found)}:
            if any((name, rid) in state.stopped_gone for name, rid in was.get(deal, ())):
                now[deal] = {**now[deal], STOPPED: True}
    await in_thread(lambda: store.meta_put(META_LINKS_NOW, now))


def _settled_links(store: JobStore) -> dict[str, list[tuple[str, int]]]:
    """Deal id (str) → the person / organization (kind, id) its settled row's result
    names (as it settled), for the done / skipped rows."""
    out: dict[str, list[tuple[str, int]]] = {}
    for item in store.items():
        if item.state not in (ItemState.DONE, ItemState.SKIPPED):
            continue
        result = item.result or (item.payload or {}).get("result") or {}
        if isinstance(result.get("deal_id"), int):
            out[str(result["deal_id"])] = [
                (name, rid) for name, field in (("person", "person_id"), ("org", "org_id"))
                if isinstance(rid := result.get(field), int)]
    return out


def _said(name: str, rids: set[int], ref: Ref | None) -> str:
    was = f"{_LABEL[name]} {', '.join(str(r) for r in sorted(rids))} merged away or deleted " \
        "after the load"
    if ref is None:
        return f"{was}: resolved again, the deal's own link kept"
    if "id" in ref:
        return f"{was}: resolved again, {_LABEL[name]} {ref['id']} ({ref.get('matched_by')})"
    # nothing named a survivor (no deal of the job, no e-mail, no person moved: x48r10 F1)
    return f"{was}: resolved again, no survivor found; none found, a new {_LABEL[name]} made"


async def resolved_again(job: _ImportBase, state: Vanished, ctx: CallContext, item: Item,
                         op: str, payload: Mapping[str, Any],
                         exc: BaseException) -> tuple[dict[str, Any], str] | None:
    """The payload to send ``item`` with once more after ``exc`` (``refused``), its
    vanished links resolved again, and the note saying so; None: nothing it named
    vanished (the refusal is the row's) — unless another row followed, since this send, a
    record it names by key (``survivors.ahead``): then sent once more to where it went, a
    new person refused for that organization made again (x37r3 F1: it failed for good,
    its neighbours followed). Vanished, but not resolvable again (the fresh
    reads spent for this run, the mapping unusable, the row no longer decided as it
    was): an update is sent without those links, its note saying so (``_unlinked``);
    BulkError (a row failure) for a create, or an update that changed nothing else."""
    ctx = _Tally(ctx, state)
    gone = await vanished(ctx, linked(job, payload, await still_making(job, payload)))
    if not gone:  # sent before another row followed a record it names by key: once more
        moved = survivors.ahead(state.followed, payload, await still_making(job, payload))
        if moved is not None and isinstance(exc, DependencyFailed):
            # its person's create refused for that organization (x37r3 F1: failed for
            # good, the refusal kept by the resolver): made once more, where it went
            person = payload.get("person")
            org = person.get("org") if isinstance(person, Mapping) else None
            if isinstance(person, Mapping) and "key" in person and isinstance(org, Mapping) \
                    and "key" in org and (str(org["kind"]), str(org["key"])) \
                    in state.followed.moved:
                job.resolver.unfail(person)
        return moved
    state.refused += 1
    return await _followed(job, state, ctx, item, op, payload, gone, str(exc))


async def _followed(job: _ImportBase, state: Vanished, ctx: CallContext, item: Item, op: str,
                    payload: Mapping[str, Any], gone: Mapping[str, set[int]],
                    exc: str) -> tuple[dict[str, Any], str]:
    """``_again`` for the ``gone`` ids the row names by a key this run resolved (a contact
    it made): followed to where they went (``survivors``), not resolved from the cells."""
    # an organization no deal told, by the persons at it at the load (x49r2 F2)
    since = server_since(job.store.created_at or 0.0, job._lead)
    handled, notes = await state.followed.follow(
        job.resolver, ctx, payload, gone, partial(
            members.moved_now, ctx, job.store, since=since,
            gone=gone.get("person", set()) | state.gone.get("person", set())))
    person = payload.get("person")
    if "org" in handled and isinstance(person, Mapping) and "key" in person:
        job.resolver.unfail(person)  # its create refused for the vanished organization
    rest = {n: left for n, ids in gone.items() if (left := ids - handled.get(n, set()))}
    # (only these: a row naming a followed one by key resolves to where it went, and one
    # sent while it was followed is refused once, read back and follows it)
    for name, ids in rest.items():
        state.gone.setdefault(name, set()).update(ids)
    moved = survivors.ahead(state.followed, payload, await still_making(job, payload))
    out = moved[0] if moved is not None else dict(payload)
    if rest:
        out, said = await _again(job, state, ctx, item, op, out, rest, exc)
        notes.append(said)
    return out, "; ".join(n for n in notes if n)


def _kept(op: str, payload: Mapping[str, Any]) -> dict[str, int]:
    """An update's links the load kept (the deal had them: not in the PATCH, ``kept``)
    that the row's cells named (``matched``): one this run found vanished is resolved
    again and written, no read made (f38a 3: the deal stayed on the deleted person)."""
    if op != "update":
        return {}
    kept = payload.get("kept") or {}
    matched = payload.get("matched") or {}
    out: dict[str, int] = {}
    for name, field in (("person", "person_id"), ("org", "org_id")):
        rid = kept.get(field)
        if payload.get(name) is None and isinstance(rid, int) \
                and matched.get(_MATCHED[name][0]):
            out[name] = rid
    return out


async def resolved_ahead(job: _ImportBase, state: Vanished, ctx: CallContext, item: Item,
                         op: str, payload: Mapping[str, Any]) -> tuple[dict[str, Any], str] | None:
    """``resolved_again`` before the send, for a row naming an id this run already found
    vanished (``Vanished.gone``) — an update's link kept from the deal too (``_kept``):
    no refused write, no read by id; None when it names none. BulkError as
    ``resolved_again``'s."""
    if not state.gone:
        return None
    named = linked(job, payload, await still_making(job, payload))
    for name, rid in _kept(op, payload).items():
        named[name].add(rid)
    gone = {name: ids & state.gone[name] for name, ids in named.items()
            if ids & state.gone.get(name, set())}
    if not gone:
        return None
    return await _again(job, state, _Tally(ctx, state), item, op, payload, gone, "not sent")


async def _again(job: _ImportBase, state: Vanished, ctx: CallContext, item: Item, op: str,
                 payload: Mapping[str, Any], gone: Mapping[str, set[int]],
                 exc: str) -> tuple[dict[str, Any], str]:
    why = "; ".join(_said(n, ids, None).split(":")[0] for n, ids in sorted(gone.items()))
    names = set(gone)
    own = _known(job, payload.get("org"))
    person = payload.get("person")
    if "org" in gone and isinstance(person, Mapping) and "key" in person:
        names.add("person")  # the person made with the vanished organization
    async with state.lock:  # the planner's deals: added to, read, by one row at a time
        try:
            planner = await state.planner_for(job, ctx, gone)
        except InputError as err:
            return _unlinked(op, payload, names, exc,
                             f"{why}, and the row could not be resolved again ({err})")
        if planner is None:
            return _unlinked(op, payload, names, exc,
                             f"{why}: not resolved again — this run read the account's "
                             f"persons / organizations anew {FRESH_READS} times already, "
                             "the most a run does while someone merges or deletes them")
        await deals_for(state, planner, ctx, op, payload)
        decided = planner.decide(source_row(item.row or 0, item.payload),
                                 check_duplicate=False)
    fresh = decided.payload
    if decided.state is not ItemState.PENDING or decided.op not in ("create", "update"):
        return _unlinked(op, payload, names, exc, f"{why}, and the row, resolved again, is "
                         f"no longer sent as it was loaded ({decided.error or decided.op})")
    out = dict(payload)
    notes: list[str] = []
    for name in sorted(names):
        ref = fresh.get(name)
        if ref is None and op == "create" and payload.get(name) is not None:
            raise BulkError(f"{exc}; {why}, and the row, resolved again, links no "
                            f"{_LABEL[name]}: pdbulk retry sends it again") from None
        if isinstance(ref, Mapping) and "key" in ref:
            w = state.followed.moved.get((str(ref["kind"]), str(ref["key"])))
            if w is not None and w.survivor is not None:
                # its key's record, made by this run, was followed to a merge survivor:
                # the deal goes there, said so (x38r1: "a new organization made", matched
                # ``created``, the deal on an old organization)
                ref = {"id": w.survivor, "matched_by": "kept"}
            else:
                job.resolver.unfail(ref)  # a create refused for the vanished organization
        out[name] = ref
        if name == "org" and own not in gone.get("org", ()):
            # only the organization its new person was to be made with vanished: the
            # row's own organization is as loaded, the note says what became of the
            # person (x50r6 F1: "organization <gone> …: resolved again, <its own>")
            continue
        if name in gone:
            notes.append(_said(name, gone[name], ref))
        elif name == "person" and own not in gone.get("org", ()):
            notes.append(_said("org", gone["org"], None).split(":")[0] + " (the one its "
                         f"new person was to be made with): {_made_again(ref)}")
    return out, "; ".join(notes)


def _made_again(ref: Ref | None) -> str:
    if isinstance(ref, Mapping) and "id" in ref:
        return f"person {ref['id']} ({ref.get('matched_by')}) linked instead"
    return "the person made without it, at the row's own organization"


def _unlinked(op: str, payload: Mapping[str, Any], names: set[str], exc: str,
              why: str) -> tuple[dict[str, Any], str]:
    """An update row whose vanished links (``names``) cannot be resolved again (``why``;
    ``exc``: the refusal): its PATCH without them (and without the row's match of them:
    succeeded.csv shows the link the deal holds, no ``*_matched_by``; x37r3 F5), its other
    changes its own, and the note saying the link was not written (f37b: the whole PATCH
    was lost, the row's fields with it). BulkError (the row fails, ``pdbulk retry`` sends
    it again) for a create — a deal made without the row's contact would be linked to no
    one — or an update whose links were all it changed."""
    if op != "update" or not payload.get("changes"):
        raise BulkError(f"{exc}; {why}: pdbulk retry sends it again") from None
    words = " and ".join(f"{_LABEL[n]} link" for n in sorted(names))
    # the row's match of a link not written is no audit of the deal (x37r3 F5: the
    # deal's old person shown matched by ``email``, the vanished one's match)
    drop = {c for n in names for c in _MATCHED[n]}
    matched = {k: v for k, v in (payload.get("matched") or {}).items() if k not in drop}
    return {**payload, **dict.fromkeys(names), "matched": matched}, (
        f"{why}: the deal's {words} not written (left as the deal has "
        "it), the row's other changes sent; import the row again to link it")


async def sent_following(job: _ImportBase, state: Vanished, ctx: CallContext, item: Item,
                         op: str, payload: dict[str, Any], resolved: str | None,
                         send: Callable[[dict[str, Any]], Awaitable[Outcome]],
                         resent: Callable[[Item, dict[str, Any]], Awaitable[None]]
                         ) -> tuple[Outcome, dict[str, Any], str | None]:
    """``send(payload)`` (the row's person / organization resolved, its deal sent), and,
    refused for a contact that vanished (``refused``), resolved again (``resolved_again``;
    ``resent``: the job told of the payload sent again) and sent once more — again while
    the record it was resolved to is merged away in turn (a chain, ``HOPS`` at most;
    x38r1 F8: before, the second refusal was the row's bare failure). Returns the outcome,
    the payload sent last and the notes (``resolved``: those before the send)."""
    hops = 0
    while True:
        if resolved:  # resolved again before this send, or after a refusal
            state.resolved(item)
        try:
            return await send(payload), payload, resolved
        except (ValidationRejected, DependencyFailed) as exc:
            if not refused(exc):
                raise
            fresh = None if hops >= HOPS else await resolved_again(
                job, state, ctx, item, op, payload, exc)
            if fresh is None:
                if hops:  # the record it was resolved to refused too
                    raise chain_failed(exc, hops, resolved) from None
                raise
            hops += 1
            payload, said = fresh
            resolved = "; ".join(n for n in (resolved, said) if n)
            await resent(item, payload)  # (its new contact creates marked before the send)


def chain_failed(exc: BaseException, hops: int, resolved: str | None) -> BulkError:
    """The failure of a row refused again after ``hops`` resolutions of its vanished
    contacts (``resolved``: their notes): the refusal names the record the row was
    resolved to, not one it named — said so, and that a retry resolves it again (x38r1 F8:
    a bare ``400 org_id: organization 82 not found (addDeal)``, 82 the survivor the row
    was followed to, merged away in turn)."""
    where = f" ({resolved})" if resolved else ""
    return BulkError(f"{exc}: the row's person / organization was merged away or deleted "
                     f"while it was sent, and the record it was resolved to{where} vanished "
                     f"too ({hops} time(s)): someone is merging or deleting these records "
                     "now; pdbulk retry resolves the row again")


def survivors_told(job: _ImportBase, item: Item, payload: Mapping[str, Any],
                   result: dict[str, Any]) -> None:
    """A done row's ``result``, for each to-create reference of ``payload`` the run linked to
    the merge survivor of the record another run made for its key (``Resolver.survived``):
    matched_by ``kept`` and the note saying so, the row counted as resolved again (x38r3
    F1, F4: shown ``created``, no note, though the record is no create of this job)."""
    survived = job.resolver.survived(payload)
    if not survived:
        return
    result.update(with_note(result, "; ".join(survived.values())))
    result.update({_MATCHED[name][0]: "kept" for name in survived})
    job._vanished.resolved(item)


def with_note(result: Mapping[str, Any] | None, note: str) -> dict[str, Any]:
    """``result`` with ``note`` added to its note."""
    out = dict(result or {})
    out["note"] = "; ".join(n for n in (out.get("note"), note) if n)
    return out


__all__ = ["FRESH_READS", "HOPS", "Vanished", "chain_failed", "linked", "links_now",
           "links_now_calls", "refused",
           "resolved_again", "resolved_ahead", "sent_following", "still_making",
           "survivors_told", "vanished", "with_note"]
