"""A person / organization rows name by its key (one this job created, or linked by its
key) that a colleague merged away or deleted — while the run sends, or between a kill and
the resume — followed to where it went, never resolved to the dead id again nor made
again by name (x37r1 F1, F2).

The job's resolver (``jobs.import_resolve``) and its lookups hold the id each key
resolved to. Once that record is gone, the row's cells cannot find a merge's survivor of
another name (organizations match by name; persons without an e-mail by name / phone):
before, the key resolved to the dead id again, every later row naming it was refused
(``400 org_id: organization N not found``: 17-21 rows of 200, 12 tokens each), and a
resume made a copy of the merged-away organization.

Pipedrive moves a merged-away record's deals to the survivor ("Merge (v1)",
pipedrive/FACTS.md; the sandbox's ``bulk.sandbox.merge``) and leaves a deleted record's
deals linked to it (or unlinked; ``bulk.sandbox.handlers``, "as in Pipedrive"); no API
answer names a merged-away id's survivor (FACTS leaves open whether its read is a 404 or
a deleted record). So a deal this job linked to the vanished id, read now (``getDeal``, 1
token; at most ``READS`` a record, the first deals linked), tells which:

- linked to another id now: merged into it — the keys resolve to that survivor from now
  on (``Resolver.rebind``), not counted as this job's create for these rows;
- still linked to the vanished id, or to none: deleted — the keys are forgotten
  (``Resolver.forget``) and the next row that needs one creates it, once (the key's
  single-flight and claim), recorded as this job's create;
- no deal of this job left to read (none linked yet, or all gone): taken as deleted, and
  said so.

Each record is followed once a run (``Followed``); the rows after it resolve to where it
went before their send, their note saying so. Nothing of this runs on the normal path (a
plan prices none of it); its reads are named in the row's note or the resume's line, and
counted in the run's token figures. Never reads or writes a deal's fields, only its
link."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Collection, Iterable, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import anyio

from bulk.calls import CallContext
from bulk.errors import Gone, NotFound
from bulk.store import AsyncJobStore, Item, ItemState

from ..deals import is_gone, read_deals
from ..import_resolve import refs_of

if TYPE_CHECKING:
    from ..import_resolve import Resolver

READS = 2  # deals read at most to follow one vanished person / organization
LIST_PAYS = 10  # more deals than this are read by a list (10 tokens a call of 100)
_LABEL = {"person": "person", "org": "organization"}
_FIELD = {"person": "person_id", "org": "org_id"}


@dataclass(frozen=True, slots=True)
class Went:
    """Where a vanished person / organization went: ``survivor`` (merged into it) or None
    (deleted, or nothing left to tell: ``why`` says which); ``reads``: getDeal calls made."""

    kind: str
    rid: int
    survivor: int | None
    why: str
    reads: int

    def said(self) -> str:
        """The note of the row that found it (its reads named)."""
        was = f"{_LABEL[self.kind]} {self.rid}"
        read = f"{self.reads} getDeal" if self.reads else "no deal read"
        if self.survivor is not None:
            return (f"{was} merged away since: linked to its survivor {_LABEL[self.kind]} "
                    f"{self.survivor} ({self.why}; {read})")
        return f"{was} deleted since ({self.why}; {read}): made again, once"

    def later(self) -> str:
        """The note of a later row naming it (nothing read for that row)."""
        if self.survivor is not None:
            return (f"{_LABEL[self.kind]} {self.rid} merged away since: linked to its "
                    f"survivor {_LABEL[self.kind]} {self.survivor}")
        return f"{_LABEL[self.kind]} {self.rid} deleted since: made again, once"


def _link(deal: Mapping[str, Any], kind: str) -> int | None:
    value = deal.get(_FIELD[kind])
    if isinstance(value, Mapping):  # a v1 shape ({"value": id, ...})
        value = value.get("value")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def linked_deals(store: AsyncJobStore, kind: str, ids: Collection[int],
                       most: int = READS) -> dict[int, list[int]]:
    """For each id of ``kind`` ("person" / "org") in ``ids``, the deals (ids, at most
    ``most``, in row order) this job's done rows linked to it: one pass over the done
    items (their results), ended once each id has ``most``. Sends nothing."""
    field = _FIELD[kind]
    out: dict[int, list[int]] = {rid: [] for rid in ids}
    want = set(ids)
    if not want:
        return out
    rows = cast("AsyncGenerator[Item, None]", store.items(ItemState.DONE))
    async with aclosing(rows) as items:  # closed when ended early
        async for item in items:
            result = item.result or {}
            rid, deal = result.get(field), result.get("deal_id")
            if rid in want and isinstance(deal, int) and deal not in out[rid]:
                out[rid].append(deal)
                if len(out[rid]) >= most:
                    want.discard(rid)
                    if not want:
                        break
    return out


async def went(ctx: CallContext, kind: str, rid: int, deals: Iterable[int]) -> Went:
    """Where ``rid`` (a vanished ``kind``) went, told by the first of ``deals`` (deals this
    job linked to it) still live: read by id (``getDeal``, 1 token each, ``READS`` at
    most)."""
    reads = 0
    for deal_id in list(deals)[:READS]:
        reads += 1
        try:
            res = await ctx.call("getDeal", path={"id": deal_id})
        except (NotFound, Gone):
            continue
        deal = res.data if isinstance(res.data, Mapping) else None
        if deal is None or is_gone(dict(deal)):
            continue
        now = _link(deal, kind)
        if now is not None and now != rid:
            return Went(kind, rid, now, f"deal {deal_id}, linked to it by this job, moved "
                        "there", reads)
        return Went(kind, rid, None, f"deal {deal_id}, linked to it by this job, "
                    f"{'still names it' if now == rid else 'names none now'}", reads)
    return Went(kind, rid, None, "no deal this job linked to it is left to tell a merge",
                reads)


async def apply(resolver: Resolver, kind: str, keys: Iterable[str], gone: Went) -> set[str]:
    """Resolve ``keys`` (of ``kind``, named ``gone.rid``), and the others this process
    resolved to it, to where it went: rebound to the survivor, or forgotten (made again by
    the next row that needs it). Returns the keys."""
    keys = set(keys) | resolver.keys_of(kind, gone.rid)
    if gone.survivor is not None:
        await resolver.rebind(kind, keys, gone.survivor)
    else:
        await resolver.forget(kind, keys)
    return keys


async def went_many(ctx: CallContext, kind: str,
                    deals: Mapping[int, list[int]]) -> dict[int, Went]:
    """``went`` for several vanished records of ``kind`` (id → the deals this job linked
    to it): more deals than ``LIST_PAYS`` are read 100 a call (``GET /api/v2/deals?ids=``,
    10 tokens; "Token costs", FACTS.md), else one ``getDeal`` each."""
    wanted = [d for ids in deals.values() for d in ids[:READS]]
    if len(wanted) <= LIST_PAYS:
        return {rid: await went(ctx, kind, rid, ids) for rid, ids in deals.items()}
    read = await read_deals(ctx, wanted)
    out: dict[int, Went] = {}
    for rid, ids in deals.items():
        out[rid] = Went(kind, rid, None, "no deal this job linked to it is left to tell a "
                        "merge", 0)
        for deal_id in ids[:READS]:
            deal = read.get(deal_id)
            if deal is None or is_gone(deal):
                continue
            now = _link(deal, kind)
            out[rid] = Went(kind, rid, now, f"deal {deal_id}, linked to it by this job, "
                            "moved there", 0) if now is not None and now != rid else Went(
                kind, rid, None, f"deal {deal_id}, linked to it by this job, "
                f"{'still names it' if now == rid else 'names none now'}", 0)
            break
    return out


class Followed:
    """One run's vanished records followed (``follow``): (kind, id) → where it went, and the
    first deal the run linked to each record it resolved by a key (``saw``; one int a
    record, the resolver holds as many)."""

    __slots__ = ("_first", "lock", "moved", "went")

    def __init__(self) -> None:
        self.lock = anyio.Lock()  # rows refused together follow a record once
        self.went: dict[tuple[str, int], Went] = {}
        # (kind, key) → where the record it named went: later rows, before their send
        self.moved: dict[tuple[str, str], Went] = {}
        self._first: dict[tuple[str, int], int] = {}

    def __repr__(self) -> str:
        return f"Followed(went={len(self.went)}, keys={len(self.moved)})"

    def saw(self, payload: Mapping[str, Any], result: Mapping[str, Any] | None) -> None:
        """Keep the deal of a done row (``result``) as the first linked to each person /
        organization its payload names by key."""
        if not result or not isinstance(result.get("deal_id"), int):
            return
        for name in ("person", "org"):
            ref = payload.get(name)
            rid = result.get(_FIELD[name])
            if isinstance(ref, Mapping) and "key" in ref and isinstance(rid, int):
                self._first.setdefault((name, rid), int(result["deal_id"]))

    def named(self, payload: Mapping[str, Any]) -> list[Went]:
        """Where the records went that ``payload``'s keys named, followed in this run."""
        seen = {id(w): w for ref in refs_of(payload)
                if (w := self.moved.get((str(ref["kind"]), str(ref["key"])))) is not None}
        return list(seen.values())

    async def follow(self, resolver: Resolver, ctx: CallContext, payload: Mapping[str, Any],
                     gone: Mapping[str, set[int]]) -> tuple[dict[str, set[int]], list[str]]:
        """Of ``gone`` (ids the row sent, found vanished), those ``payload`` names by a key:
        each followed (``went``) and its keys resolved to where it went (``apply``), once a
        run. Returns them and the row's notes."""
        named: dict[tuple[str, int], set[str]] = {}
        for ref in refs_of(payload):
            kind, key = str(ref["kind"]), str(ref["key"])
            moved = self.moved.get((kind, key))
            # followed by another row since this one's send (workers race): its id then
            rid = moved.rid if moved is not None else resolver.known(ref)
            if rid is not None and rid in gone.get(kind, ()):
                named.setdefault((kind, rid), set()).add(key)
        handled: dict[str, set[int]] = {}
        notes: list[str] = []
        for (kind, rid), keys in sorted(named.items()):
            async with self.lock:
                done = self.went.get((kind, rid))
                if done is None:
                    deals = [d for d in (self._first.get((kind, rid)),) if d is not None]
                    if not deals:  # made by an earlier process of the job: its rows
                        deals = (await linked_deals(resolver.store, kind, (rid,)))[rid]
                    done = self.went[kind, rid] = await went(ctx, kind, rid, deals)
                    notes.append(done.said())
                else:
                    notes.append(done.later())
                # a key already followed is never applied twice: forgotten again, the
                # record made again meanwhile would be made a second time
                fresh = {key for key in keys if (kind, key) not in self.moved}
                for key in await apply(resolver, kind, fresh, done) if fresh else ():
                    self.moved[kind, key] = done
            handled.setdefault(kind, set()).add(rid)
        return handled, notes


async def settle_gone(ctx: CallContext, resolver: Resolver, state: Followed,
                     lost: Mapping[str, Mapping[int, set[str]]]) -> list[str]:
    """Before a resume: the persons / organizations the pending rows name by key that are
    gone (``lost``: kind → id → keys; ``_Resume._contacts_gone``) followed — merged: the
    keys rebound to the survivor; deleted: forgotten, found among those added since or
    made again. Returns the resume's line (its reads named); later rows' notes from
    ``state``."""
    merged: dict[str, int] = {}
    deleted: dict[str, int] = {}
    calls: dict[str, int] = {}
    for kind, ids in sorted(lost.items()):
        if not ids:
            continue
        deals = await linked_deals(resolver.store, kind, sorted(ids))
        wanted = sum(len(d[:READS]) for d in deals.values())
        if wanted > LIST_PAYS:
            calls["getDeals"] = calls.get("getDeals", 0) + -(-wanted // 100)
        where = await went_many(ctx, kind, deals)
        for rid, keys in sorted(ids.items()):
            gone = where[rid]
            calls["getDeal"] = calls.get("getDeal", 0) + gone.reads
            state.went[kind, rid] = gone
            for key in await apply(resolver, kind, keys, gone):
                state.moved[kind, key] = gone
            bucket = merged if gone.survivor is not None else deleted
            bucket[kind] = bucket.get(kind, 0) + 1
    if not merged and not deleted:
        return []
    read = ", ".join(f"{op} {n}" for op, n in sorted(calls.items()) if n) or "nothing"

    def of(counts: Mapping[str, int]) -> str:
        return (f"{counts.get('person', 0):,} person(s) and {counts.get('org', 0):,} "
                "organization(s)")
    lines = []
    if merged:
        lines.append(f"{of(merged)} the pending rows name were merged away by someone "
                     "since: their rows follow the survivor (the deal this job linked "
                     "moved there), none made again")
    if deleted:
        lines.append(f"{of(deleted)} the pending rows name were deleted by someone since: "
                     "found again or created again")
    lines[-1] += f" (read: {read})"
    return lines


def ahead(state: Followed, payload: Mapping[str, Any]) -> tuple[dict[str, Any], str] | None:
    """A row naming by key a record this run followed (``Followed.named``), before its
    send: its deal-level link to a merge survivor taken as the survivor's reference
    (matched_by ``kept``, as a link an earlier row's deal now has: not this job's
    create), and the note; None when it names none."""
    moved = state.named(payload)
    if not moved:
        return None
    out: dict[str, Any] | None = None
    for name in ("person", "org"):
        ref = payload.get(name)
        if isinstance(ref, Mapping) and "key" in ref:
            w = state.moved.get((str(ref["kind"]), str(ref["key"])))
            if w is not None and w.survivor is not None:
                out = dict(payload) if out is None else out
                out[name] = {"id": w.survivor, "matched_by": "kept"}
    # made again: the payload itself (its key resolves to the new record; nothing kept)
    if out is None:
        out = payload if isinstance(payload, dict) else dict(payload)
    return out, "; ".join(w.later() for w in moved)


__all__ = ["LIST_PAYS", "READS", "Followed", "Went", "ahead", "apply", "linked_deals",
           "settle_gone", "went", "went_many"]
