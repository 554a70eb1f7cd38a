"""An organization pending rows name by id (matched at the load) that vanished before
any deal of the job was linked to it, followed to its survivor by the persons the load
matched with it (``jobs.importing.resume``'s re-read; x48r10 F1) — only those that were
AT it at the load (``members_at_load``: the load's persons list, kept as the job's
``PERSON_ORG_AT_LOAD`` lookups; x49r2 F1).

A merge moves every person linked to the merged-away organization to the survivor
("Merge (v1)", pipedrive/FACTS.md; the sandbox's ``bulk.sandbox.merge`` relinks them and
stamps their ``update_time``); a delete moves none. The re-read reads by id the persons
the pending rows name (``GET /api/v2/persons?ids=``, already priced), so those in the
same rows as the vanished organization are read for nothing more. Before, with no deal of
the job left to tell a merge (``survivors.went``), the organization was taken as
deleted and made again from the cells: 10 of 10 rows linked a new 'Birch Foods Ltd'
while their person was at the survivor. Then any person the same rows named counted, one
who worked elsewhere all along too: rows "Ann Roe, ann@roe.com, Alpha Ltd", Ann at Wolf,
Alpha merged into Zed (or deleted) and Ann given a phone: 10 of 10 deals linked to Wolf
(x49r2 F1). A job loaded before those lookups has no member: the organization is taken as
deleted, its rows resolved again from their cells, as before x48r10. The same evidence
follows one merged away while the run sends (``moved_now``, on the refusal of a row naming
it: x49r2 F2). Sends nothing; only ``moved_now`` reads the account."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.errors import Gone, NotFound
from bulk.store import ItemState, JobStore

from ..import_store import PERSON_ORG_AT_LOAD
from .briefs import Brief, briefs
from .survivors import Went

# persons read by id (getPerson: 1 token) against a page of 100 by ids (getPersons: 10
# tokens): read together from this many on (FACTS.md, token costs)
_BY_IDS_FROM = 10


def _stamp(value: Any) -> float | None:
    """An ISO 8601 ``update_time`` ("2026-12-06T21:30:03Z") as Unix seconds; None: none."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _org_of(person: Mapping[str, Any]) -> int | None:
    value = person.get("org_id")
    if isinstance(value, Mapping):  # a v1 shape ({"value": id, ...})
        value = value.get("value")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def members_at_load(store: JobStore, items: Iterable[Brief], orgs: Iterable[int],
                    remaps: Callable[[Brief], bool] = lambda b: False
                    ) -> dict[int, set[int]]:
    """For each organization of ``orgs`` that ``items`` (not a duplicate, not mapped
    again: ``remaps``) name by id, the persons those same items name by id that the load's
    persons list showed linked to it (``PERSON_ORG_AT_LOAD``; one read of the store per
    999 persons). A person at another organization then, or at none, or of a job loaded
    before those lookups, is no member: a merge of this one never moved it (x49r2 F1)."""
    wanted = set(orgs)
    named: dict[int, set[int]] = {}
    for b in items:
        if b.duplicate or remaps(b):
            continue
        people = {rid for kind, rid in b.ids if kind == "person"}
        for kind, rid in b.ids:
            if kind == "org" and rid in wanted:
                named.setdefault(rid, set()).update(people)
    everyone = sorted({str(p) for people in named.values() for p in people})
    placed = store.lookup_get_many(PERSON_ORG_AT_LOAD, everyone) if everyone else {}
    return {org: {p for p in people if placed.get(str(p)) == org}
            for org, people in named.items()}


def moved_with(went: Went, members: Iterable[int],
               persons: Mapping[int, Mapping[str, Any]], since: float) -> Went:
    """``went`` (an organization no deal of the job told about, or the one deal it
    linked moved with no second witness: ``Went.moved_to``, which must agree) followed to the
    organization its ``members`` — persons the load matched in the same rows, linked to it
    at the load (``members_at_load``), read now
    (``persons``: id → the person as listed; missing: gone) — are linked to, when every
    one of them changed since ``since`` (Unix seconds: the load, less the clock margin)
    is linked to that same other organization (a merge moves them all and touches them)
    and none is still linked to it. Unchanged otherwise: a member still at the
    vanished organization tells a delete, two organizations tell a relink by hand, and
    a member not changed since the load may have been elsewhere all along."""
    if went.survivor is not None or went.deleted or (went.untold and went.moved_to is None):
        return went
    at: dict[int, list[int]] = {}
    for pid in sorted(set(members)):
        person = persons.get(pid)
        if person is None:
            continue
        now = _org_of(person)
        if now == went.rid:  # a merge moves every person: deleted
            return went
        changed = _stamp(person.get("update_time"))
        if now is not None and changed is not None and changed >= since:
            at.setdefault(now, []).append(pid)
    if len(at) != 1:
        return went
    ((survivor, who),) = at.items()
    if went.untold and went.moved_to != survivor:  # the deal went elsewhere: no merge
        return went
    names = ", ".join(map(str, who))
    told = went.why if not went.untold else \
        f"the deal this job linked to it is at organization {survivor} now"
    return replace(went, survivor=survivor, untold=False, by_members=True, why=(
        f"{told}; person(s) {names}, matched with it at the load, are at "
        f"organization {survivor} now (a merge moves its persons)"))


async def moved_now(ctx: CallContext, store: JobStore, went: Went, *, since: float,
                    gone: Collection[int] = ()) -> Went:
    """``moved_with`` while the run sends (``survivors.Followed.follow``; x49r2 F2: an
    organization merged away during a resume's send, before any deal linked it, was made
    again from the cells — 5 rows on a new 'Org079 Ltd', their persons at the survivor):
    its members are those the pending / in-flight rows name by id that were at it at the
    load (``members_at_load``), read now by id — ``getPerson`` each (1 token), or
    ``getPersons`` by ``ids`` (10 tokens a 100) from 10 on (FACTS.md token costs); one
    not found is gone, and those of ``gone`` (persons found vanished already) are not read
    again. Unchanged ``went`` when it has none. Errors of the reads raise."""
    if went.survivor is not None or went.deleted or (went.untold and went.moved_to is None):
        return went

    def named() -> list[int]:
        found = members_at_load(store, briefs(store, ItemState.PENDING, ItemState.SENDING),
                                (went.rid,))
        return sorted(found.get(went.rid, ()))

    ids = [pid for pid in await in_thread(named) if pid not in gone]
    persons: dict[int, Mapping[str, Any]] = {}
    if len(ids) >= _BY_IDS_FROM:
        for start in range(0, len(ids), 100):
            page = await ctx.call("getPersons", params={"ids": ids[start:start + 100],
                                                        "limit": 100})
            persons.update((int(r["id"]), r) for r in page.data or ())
    else:
        for pid in ids:
            try:
                data = (await ctx.call("getPerson", path={"id": pid})).data
            except (NotFound, Gone):
                continue
            if isinstance(data, Mapping) and data.get("is_deleted") is not True:
                persons[pid] = data
    return moved_with(went, ids, persons, since)


__all__ = ["members_at_load", "moved_now", "moved_with"]
