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

- linked to another id now, and a second witness agrees: merged into it — the keys
  resolve to that survivor from now on (``Resolver.rebind``), not counted as this job's
  create for these rows. A deal's link alone is no proof: a colleague may have relinked
  that one deal by hand (f38a: every later row then followed an unrelated organization).
  A merge moves every deal and person linked to the record and unites a person's
  e-mails and phones in the survivor ("Merge (v1)", FACTS.md; ``bulk.sandbox.merge``),
  so the witness is a second deal this job linked, moved to the same record, or — one
  deal only — the survivor read by id (``getPerson``, 1 token) holding an e-mail / phone
  this job gave the person, or, for an organization, the person this job made with it
  (read by id, 1 token) moved to the same organization;
- still linked to the vanished id, or to none: deleted — the keys are forgotten
  (``Resolver.forget``) and the next row that needs one creates it, once (the key's
  single-flight and claim), recorded as this job's create;
- linked elsewhere with no witness (two deals on two records, or one deal and nothing
  agreeing): not told, a relink as likely as a merge — made again as a deleted one is,
  never a stranger followed, and said so;
- no deal of this job left to read (none linked yet, or all gone): taken as deleted, and
  said so.

Each record is followed once a run (``Followed``); the rows after it resolve to where it
went before their send, their note saying so. The record a key resolved to since — made
again, or the survivor it was followed to — that vanishes in turn is followed the same way
(x39r4 F1: made again as 20, 20 deleted too, and every later row sent 20 again).
Nothing of this runs on the normal path (a plan prices none of it); its reads are named
in the row's note or the resume's line, and counted in the run's token figures. Never
reads or writes a deal's fields, only its link.

Why ~570 lines: one decision — where a vanished record went — told by its deals, a
witness, or the record holding its key now (``by_key``), then kept for the run and
followed along a chain of merges (``Followed``, ``ahead``); split, each part would need
the others' state."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Collection, Iterable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

import anyio

from bulk.calls import CallContext
from bulk.errors import Gone, NotFound
from bulk.operations import get_operation
from bulk.store import AsyncJobStore, Item, ItemState

from ..deals import is_gone, read_deals
from ..import_resolve import name_only, refs_of

if TYPE_CHECKING:
    from ..import_resolve import Resolver

READS = 2  # deals read at most to follow one vanished person / organization (+1 witness)
LIST_PAYS = 10  # more deals than this are read by a list (10 tokens a call of 100)
_LABEL = {"person": "person", "org": "organization"}
_FIELD = {"person": "person_id", "org": "org_id"}
_LIST = {"person": "getPersons", "org": "getOrganizations"}


@dataclass(frozen=True, slots=True)
class Seen:
    """A deal this job linked to a person / organization, and what its row tells of that
    record: ``marks`` (a person's e-mails, lower case, and phones, digits only, as this
    job sent them) and ``member`` (for an organization: the person this job made with it
    on that row, None when it made none)."""

    deal: int
    marks: frozenset[str] = frozenset()
    member: int | None = None


@dataclass(frozen=True, slots=True)
class Went:
    """Where a vanished person / organization went: ``survivor`` (merged into it) or None
    (deleted, not told, or nothing left to tell: ``why`` says which; ``untold``: linked
    elsewhere with no witness of a merge, made again); ``reads``: getDeal calls made;
    ``vouched``: getPerson calls made for a witness (0 or 1)."""

    kind: str
    rid: int
    survivor: int | None
    why: str
    reads: int
    vouched: int = 0
    untold: bool = False
    deleted: bool = False  # a deal the job linked still names it, or none: no merge
    listed: int = 0  # pages of the persons / organizations changed since read (``by_key``)
    # untold: the one record the deal this job linked names now (no second witness yet)
    moved_to: int | None = None
    # the survivor told by the persons at it at the load alone (``members.moved_with``): a
    # merge moves them, and so does a colleague relinking each by hand before deleting it
    by_members: bool = False

    def _read(self) -> str:
        done = [f"{n} {op}" for op, n in (("getDeal", self.reads),
                                          ("getPerson", self.vouched),
                                          (_LIST[self.kind], self.listed)) if n]
        return ", ".join(done) or "no deal read"

    def said(self) -> str:
        """The note of the row that found it (its reads named)."""
        was = f"{_LABEL[self.kind]} {self.rid}"
        if self.survivor is not None and self.by_members:  # (x49r8 F1: no merge told)
            return (f"{was} gone since (merged away, or deleted once its persons were "
                    f"moved): linked to {_LABEL[self.kind]} {self.survivor}, where its "
                    f"persons are now ({self.why}; {self._read()})")
        if self.survivor is not None:
            return (f"{was} merged away since: linked to its survivor {_LABEL[self.kind]} "
                    f"{self.survivor} ({self.why}; {self._read()})")
        if self.untold:
            return (f"{was} merged away or deleted since ({self.why}; {self._read()}): "
                    "made again, once")
        return f"{was} {self._gone_how()} since ({self.why}; {self._read()}): made again, once"

    def _gone_how(self) -> str:
        """"deleted" when a deal this job linked tells so (a merge moves every deal: one
        still naming it, or naming none); else "deleted or merged away": nothing told
        which (x39r2 F4: 4 of 4 merged organizations called deleted)."""
        return "deleted" if self.deleted else "deleted or merged away"

    def later(self) -> str:
        """The note of a later row naming it (nothing read for that row)."""
        if self.survivor is not None:
            return (f"{_LABEL[self.kind]} {self.rid} merged away since: linked to its "
                    f"survivor {_LABEL[self.kind]} {self.survivor}")
        if self.untold:
            return (f"{_LABEL[self.kind]} {self.rid} merged away or deleted since, no merge "
                    "told: made again, once")
        return f"{_LABEL[self.kind]} {self.rid} {self._gone_how()} since: made again, once"


def _marks(person: Mapping[str, Any]) -> frozenset[str]:
    """A person's e-mails (lower case) and phones (digits only): what a merge unites."""
    out: set[str] = set()
    for entry in person.get("emails") or ():
        value = entry.get("value") if isinstance(entry, Mapping) else entry
        if isinstance(value, str) and value.strip():
            out.add("e:" + value.strip().lower())
    for entry in person.get("phones") or ():
        value = entry.get("value") if isinstance(entry, Mapping) else entry
        digits = "".join(c for c in value if c.isdigit()) if isinstance(value, str) else ""
        if digits:
            out.add("p:" + digits)
    return frozenset(out)


def seen_of(kind: str, payload: Mapping[str, Any], result: Mapping[str, Any]) -> Seen | None:
    """What a done row (``payload``, ``result``) tells of the ``kind`` record it linked its
    deal to (None: no deal): the person's e-mails / phones it sent; the person it made
    with the organization (its reference names the deal's organization reference)."""
    deal = result.get("deal_id")
    if not isinstance(deal, int):
        return None
    ref = payload.get("person")
    person: Mapping[str, Any] = ref if isinstance(ref, Mapping) else {}
    if kind == "person":
        return Seen(deal, _marks(person.get("body") or {}) if "key" in person else frozenset())
    org, with_org = payload.get("org"), person.get("org")
    member = result.get("person_id")
    made_with = isinstance(org, Mapping) and isinstance(with_org, Mapping) \
        and "key" in org and with_org.get("key") == org.get("key")
    return Seen(deal, member=member if made_with and isinstance(member, int) else None)


def _link(deal: Mapping[str, Any], kind: str) -> int | None:
    value = deal.get(_FIELD[kind])
    if isinstance(value, Mapping):  # a v1 shape ({"value": id, ...})
        value = value.get("value")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def linked_deals(store: AsyncJobStore, kind: str, ids: Collection[int],
                       most: int = READS) -> dict[int, list[Seen]]:
    """For each id of ``kind`` ("person" / "org") in ``ids``, the deals (at most ``most``,
    in row order, with what their rows tell: ``seen_of``) this job's done rows linked to
    it: one pass over the done items, ended once each id has ``most``. Sends nothing."""
    field = _FIELD[kind]
    out: dict[int, list[Seen]] = {rid: [] for rid in ids}
    want = set(ids)
    if not want:
        return out
    rows = cast("AsyncGenerator[Item, None]", store.items(ItemState.DONE))
    async with aclosing(rows) as items:  # closed when ended early
        async for item in items:
            result = item.result or {}
            rid = result.get(field)
            if rid not in want:
                continue
            seen = seen_of(kind, item.payload or {}, result)
            if seen is not None and all(s.deal != seen.deal for s in out[rid]):
                out[rid].append(seen)
                if len(out[rid]) >= most:
                    want.discard(rid)
                    if not want:
                        break
    return out


async def _vouch(ctx: CallContext, kind: str, survivor: int, seen: Seen) -> tuple[bool, int]:
    """Whether a second witness ties ``survivor`` to the vanished record of the one deal
    ``seen`` moved there (and the getPerson calls made: 0 or 1): a person survivor holding
    an e-mail / phone this job gave the vanished person (a merge unites them), or the
    person this job made with a vanished organization moved to ``survivor`` too (a merge
    moves the organization's persons)."""
    rid = survivor if kind == "person" else seen.member
    if rid is None or (kind == "person" and not seen.marks):
        return False, 0
    person = await _person(ctx, rid)
    if person is None:
        return False, 1
    if kind == "person":
        return bool(_marks(person) & seen.marks), 1
    return _link(person, "org") == survivor, 1


async def _person(ctx: CallContext, rid: int) -> Mapping[str, Any] | None:
    """Person ``rid`` read by id (``getPerson``, 1 token); None: gone."""
    try:
        res = await ctx.call("getPerson", path={"id": rid})
    except (NotFound, Gone):
        return None
    person = res.data if isinstance(res.data, Mapping) else {}
    return None if person.get("is_deleted") is True else person


async def went(ctx: CallContext, kind: str, rid: int, seen: Iterable[Seen],
               read: Mapping[int, Mapping[str, Any]] | None = None) -> Went:
    """Where ``rid`` (a vanished ``kind``) went, told by the deals this job linked to it
    (``seen``, ``READS`` at most), each read by id (``getDeal``, 1 token) or taken from
    ``read`` (listed already; a deal missing from it is gone), and, when one deal alone
    moved, a witness (``_vouch``: ``getPerson``, 1 token)."""
    reads = 0
    moved: list[tuple[Seen, int]] = []
    for one in list(seen)[:READS]:
        if read is None:
            reads += 1
            try:
                res = await ctx.call("getDeal", path={"id": one.deal})
            except (NotFound, Gone):
                continue
            deal = dict(res.data) if isinstance(res.data, Mapping) else None
        else:
            deal = dict(read[one.deal]) if one.deal in read else None
        if deal is None or is_gone(deal):
            continue
        now = _link(deal, kind)
        if now is None or now == rid:  # a merge moves every deal: deleted
            return Went(kind, rid, None, f"deal {one.deal}, linked to it by this job, "
                        f"{'still names it' if now == rid else 'names none now'}", reads,
                        deleted=True)
        moved.append((one, now))
    if not moved:
        return Went(kind, rid, None, "no deal this job linked to it is left to tell a "
                    "merge", reads)
    deals = " and ".join(f"deal {one.deal}" for one, _ in moved)
    targets = sorted({now for _, now in moved})
    if len(targets) > 1:  # a merge moves them all to one survivor: relinked by hand
        return Went(kind, rid, None, f"{deals}, linked to it by this job, now name "
                    f"{_LABEL[kind]}s {', '.join(map(str, targets))}: relinked by hand, "
                    "not a merge", reads, untold=True)
    survivor = targets[0]
    if len(moved) > 1:
        return Went(kind, rid, survivor, f"{deals}, linked to it by this job, both moved "
                    "there", reads)
    vouched, asked = await _vouch(ctx, kind, survivor, moved[0][0])
    if vouched:
        witness = ("it holds an e-mail / phone this job gave the person" if kind == "person"
                   else f"person {moved[0][0].member}, made with it by this job, too")
        return Went(kind, rid, survivor, f"{deals}, linked to it by this job, moved there; "
                    f"{witness}", reads, asked)
    return Went(kind, rid, None, f"{deals}, linked to it by this job, now names "
                f"{_LABEL[kind]} {survivor}, and nothing else ties that one to it (a merge "
                "moves its other deals and persons, and unites a person's e-mails): maybe "
                "relinked by hand, not followed", reads, asked, untold=True, moved_to=survivor)


async def by_key(ctx: CallContext, resolver: Resolver, gone: Went, keys: Iterable[str],
                 held: tuple[dict[str, int], int] | None = None) -> Went:
    """``gone`` with no survivor (no deal of this job left to tell, still naming it, or
    relinked): the live record that answers every key this job named it by (not a name
    alone; a person's name and phone by the phone alone, held by that one record:
    ``Resolver.held_by``), among those changed since the job was created (``Resolver.held_by``: one
    list read), taken as its survivor, as a fresh import would link it (x38r1 F1: a
    person the job made, merged before its first deal into one of another name that
    holds its e-mail now, was made again, the copy holding the same e-mail, and the note
    said "deleted"). Unchanged when none, or two, answer. ``held``: that read made already
    for several records (``settle_gone``), its pages counted by the first."""
    if gone.survivor is not None or gone.deleted:  # (a merge moves every deal)
        return gone
    keys = set(keys) | resolver.keys_of(gone.kind, gone.rid)
    found, pages = held if held is not None else \
        await resolver.held_by(ctx, gone.kind, keys, (gone.rid,))
    if held is None and not found and not pages:
        return gone
    ids = {found.get(key) for key in keys if not name_only(gone.kind, key)}
    if len(ids) != 1 or None in ids or gone.rid in ids:
        if gone.kind == "org":
            return await _by_member(ctx, resolver, replace(gone, listed=pages), keys)
        return replace(gone, listed=pages)
    (survivor,) = cast("set[int]", ids)
    what = held_what(gone.kind, keys)
    return replace(gone, survivor=survivor, untold=False, listed=pages, why=(
        f"{gone.why}; {_LABEL[gone.kind]} {survivor} holds the {what} this job gave it now "
        "(a merge unites them), as a fresh import would link it"))


def held_what(kind: str, keys: Iterable[str]) -> str:
    """What a survivor holds of ``keys`` (``witness_key``): "e-mail", "phone" (a person
    of a name and phone) or, for an organization, "name"."""
    if kind != "person":
        return "name"
    return "e-mail" if any(k.startswith("e:") for k in keys) else "phone"


async def _member(store: AsyncJobStore, keys: Collection[str]) -> int | None:
    """A person this job made with an organization of ``keys`` (a row's person reference
    naming one of them as its organization), found in the job's lookups; None: none."""
    rows = cast("AsyncGenerator[Item, None]", store.items())
    async with aclosing(rows) as items:
        async for item in items:
            person = (item.payload or {}).get("person")
            if not isinstance(person, Mapping) or "key" not in person:
                continue
            org = person.get("org")
            if isinstance(org, Mapping) and org.get("key") in keys:
                rid = await store.lookup_get("made-person", str(person["key"]))
                if rid is not None:
                    return int(rid)
    return None


async def _by_member(ctx: CallContext, resolver: Resolver, gone: Went,
                     keys: Collection[str]) -> Went:
    """``by_key`` for a vanished organization no record answers by name (merged into one
    of another name before any deal of this job linked it): the person this job made
    with it (``_member``), read by id (``getPerson``, 1 token), linked to another live
    organization now — a merge moves the organization's persons there ("Merge (v1)",
    FACTS.md) — tells the survivor. Unchanged when there is no such person or it tells
    nothing."""
    member = await _member(resolver.store, keys)
    if member is None:
        return gone
    person = await _person(ctx, member)
    now = _link(person, "org") if person is not None else None
    if now is None or now == gone.rid:
        return replace(gone, vouched=gone.vouched + 1)
    return replace(gone, survivor=now, untold=False, vouched=gone.vouched + 1,
                   why=f"{gone.why}; person {member}, made with it by this job, is at "
                   f"organization {now} now (a merge moves its persons)")


async def apply(resolver: Resolver, kind: str, keys: Iterable[str], gone: Went,
                wall: float) -> set[str]:
    """Resolve ``keys`` (of ``kind``, named ``gone.rid``), and the others this process
    resolved to it, to where it went: rebound to the survivor, its claims naming it for
    the other runs (``Resolver.pass_on``; ``wall``: now, Unix time), or forgotten (made
    again by the next row that needs it, under its claim). Returns the keys."""
    keys = set(keys) | resolver.keys_of(kind, gone.rid)
    if gone.survivor is not None:
        await resolver.rebind(kind, keys, gone.survivor)
        # the other runs making these keys (the claim names the dead id) follow it too
        await resolver.pass_on(kind, keys, gone.rid, gone.survivor, wall)
    else:
        await resolver.forget(kind, keys, gone.rid)
    return keys


async def went_many(ctx: CallContext, kind: str,
                    deals: Mapping[int, list[Seen]]) -> dict[int, Went]:
    """``went`` for several vanished records of ``kind`` (id → the deals this job linked
    to it): more deals than ``LIST_PAYS`` are read 100 a call (``GET /api/v2/deals?ids=``,
    10 tokens; "Token costs", FACTS.md), else one ``getDeal`` each; witnesses one
    ``getPerson`` each."""
    wanted = [s.deal for seen in deals.values() for s in seen[:READS]]
    if len(wanted) <= LIST_PAYS:
        return {rid: await went(ctx, kind, rid, seen) for rid, seen in deals.items()}
    read = await read_deals(ctx, wanted)
    return {rid: await went(ctx, kind, rid, seen, read) for rid, seen in deals.items()}


class Followed:
    """One run's vanished records followed (``follow``): (kind, id) → where it went, and the
    first deals the run linked to each record it resolved by a key (``saw``; ``READS`` a
    record, the resolver holds as many records)."""

    __slots__ = ("_first", "ids", "lock", "moved", "went")

    def __init__(self) -> None:
        self.lock = anyio.Lock()  # rows refused together follow a record once
        self.went: dict[tuple[str, int], Went] = {}
        # (kind, key) → where the record it named went: later rows, before their send
        self.moved: dict[tuple[str, str], Went] = {}
        # (kind, id) → the merge a record rows name by id (found at the load, not made
        # here) was followed to: later rows, before their send
        self.ids: dict[tuple[str, int], Went] = {}
        self._first: dict[tuple[str, int], list[Seen]] = {}

    def __repr__(self) -> str:
        return f"Followed(went={len(self.went)}, keys={len(self.moved)})"

    def saw(self, payload: Mapping[str, Any], result: Mapping[str, Any] | None) -> None:
        """Keep the deal of a done row (``result``), with what it tells (``seen_of``), among
        the first ``READS`` linked to each person / organization its payload names by key."""
        if not result or not isinstance(result.get("deal_id"), int):
            return
        for name in ("person", "org"):
            ref = payload.get(name)
            rid = result.get(_FIELD[name])
            if isinstance(ref, Mapping) and ("key" in ref or "id" in ref) \
                    and isinstance(rid, int):
                first = self._first.setdefault((name, rid), [])
                seen = seen_of(name, payload, result)
                if len(first) < READS and seen is not None \
                        and all(s.deal != seen.deal for s in first):
                    first.append(seen)

    def named(self, payload: Mapping[str, Any], making: bool = True) -> list[Went]:
        """Where the records went that ``payload``'s keys, or its references by id, named,
        followed in this run — the organization its person was to be made with only while
        that person is still to make (``making``; ``vanished.still_making``): one made
        earlier, by another row with its organization, is none of this row's (x50r6 F1)."""
        person = payload.get("person")
        if not making and isinstance(person, Mapping) and "org" in person:
            payload = {**payload, "person": {k: v for k, v in person.items() if k != "org"}}
        seen = {id(w): w for ref in refs_of(payload)
                if (w := self.moved.get((str(ref["kind"]), str(ref["key"])))) is not None}
        seen.update({id(w): w for kind, rid in _id_refs(payload)
                     if (w := self.ids.get((kind, rid))) is not None})
        return list(seen.values())

    async def follow(self, resolver: Resolver, ctx: CallContext, payload: Mapping[str, Any],
                     gone: Mapping[str, set[int]],
                     members: Callable[[Went], Awaitable[Went]] | None = None,
                     ) -> tuple[dict[str, set[int]], list[str]]:
        """Of ``gone`` (ids the row sent, found vanished), those ``payload`` names by a key:
        each followed (``went``) and its keys resolved to where it went (``apply``), once a
        run; and those it names by id (found at the load) that ``went`` tells were merged —
        or, an organization no deal told, ``members`` (the persons at it at the load, moved
        with a merge: ``members.moved_with``; x49r2 F2) —: later rows naming them are sent
        to the survivor (``ahead``), the others are left to the row's cells
        (``vanished``). Returns those handled and the row's notes."""
        named: dict[tuple[str, int], set[str]] = {}
        for ref in refs_of(payload):
            kind, key = str(ref["kind"]), str(ref["key"])
            moved = self.moved.get((kind, key))
            # followed by another row since this one's send (workers race): its id then;
            # or the survivor it was followed to, merged away in turn (a chain, x38r1 F8)
            for rid in (moved.rid if moved is not None else None, resolver.known(ref)):
                if rid is not None and rid in gone.get(kind, ()):
                    named.setdefault((kind, rid), set()).add(key)
                    break
        for kind in ("person", "org"):  # a link sent to a survivor followed to before
            link = payload.get(kind)
            rid = link.get("id") if isinstance(link, Mapping) else None
            if isinstance(rid, int) and rid in gone.get(kind, ()):
                keys = {key for (k, key), w in self.moved.items()
                        if k == kind and w.survivor == rid}
                if keys:
                    named.setdefault((kind, rid), set()).update(keys)
        for kind, rid in _id_refs(payload):  # found at the load: followed to a merge only
            if rid in gone.get(kind, ()):
                named.setdefault((kind, rid), set())
        handled: dict[str, set[int]] = {}
        notes: list[str] = []
        for (kind, rid), keys in sorted(named.items()):
            async with self.lock:
                done = self.went.get((kind, rid))
                if done is None:
                    deals = list(self._first.get((kind, rid)) or ())
                    if len(deals) < READS:  # linked by an earlier process of the job too
                        stored = (await linked_deals(resolver.store, kind, (rid,)))[rid]
                        deals += [d for d in stored if all(d.deal != s.deal for s in deals)]
                    done = await by_key(ctx, resolver, await went(ctx, kind, rid, deals),
                                        keys)
                    if kind == "org" and not keys and members is not None:
                        done = await members(done)
                    self.went[kind, rid] = done
                    if done.survivor is not None:
                        # the deals that moved there tell where it goes next, merged away
                        # in turn (a chain: x38r1 F8)
                        first = self._first.setdefault((kind, done.survivor), [])
                        for seen in deals:
                            if len(first) < READS and all(s.deal != seen.deal for s in first):
                                first.append(seen)
                    notes.append(done.said())
                else:
                    notes.append(done.later())
                # a key is applied while it still resolves to the one gone now: never
                # twice for one vanishing (forgotten again, the record made again
                # meanwhile would be made a second time), but again when the record it
                # resolved to since — made again, or the survivor it was followed to —
                # vanished in turn (a chain; x39r4 F1: made again as 20, 20 deleted too,
                # and every later row sent 20, refused 3 times, failed)
                fresh = {key for key in keys if resolver.known_key(kind, key) == rid}
                applied = await apply(resolver, kind, fresh, done, ctx.clock.wall()) \
                    if fresh else set()
                for key in applied:
                    self.moved[kind, key] = done
                if not keys:  # by id alone: followed to a merge, else resolved again
                    if done.survivor is None:
                        notes.pop()
                        continue
                    self.ids[kind, rid] = done
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
    untold: dict[str, int] = {}
    unknown: dict[str, int] = {}  # gone, no deal of this job left to tell how
    calls: dict[str, int] = {}
    for kind, ids in sorted(lost.items()):
        if not ids:
            continue
        deals = await linked_deals(resolver.store, kind, sorted(ids))
        wanted = sum(len(d[:READS]) for d in deals.values())
        if wanted > LIST_PAYS:
            calls["getDeals"] = calls.get("getDeals", 0) + -(-wanted // 100)
        where = await went_many(ctx, kind, deals)
        # one list read for all those no deal tells: their keys held by a survivor
        asked = set().union(*(set(keys) | resolver.keys_of(kind, rid)
                              for rid, keys in ids.items()
                              if where[rid].survivor is None and not where[rid].deleted))
        held = await resolver.held_by(ctx, kind, asked, ids) if asked else ({}, 0)
        first = True
        for rid, keys in sorted(ids.items()):
            if where[rid].survivor is None and not where[rid].deleted and held[1]:
                where[rid] = await by_key(ctx, resolver, where[rid], keys,
                                          (held[0], held[1] if first else 0))
                first = False
            gone = where[rid]
            calls["getDeal"] = calls.get("getDeal", 0) + gone.reads
            calls["getPerson"] = calls.get("getPerson", 0) + gone.vouched
            calls[_LIST[kind]] = calls.get(_LIST[kind], 0) + gone.listed
            state.went[kind, rid] = gone
            for key in await apply(resolver, kind, keys, gone, ctx.clock.wall()):
                state.moved[kind, key] = gone
            bucket = merged if gone.survivor is not None else untold if gone.untold \
                else deleted if gone.deleted else unknown
            bucket[kind] = bucket.get(kind, 0) + 1
    # no plan's reads: the run's line on the rows resolved again counts them (x39r2 F5:
    # "0 tokens of reads" under "read: getDeal 4, getPersons 1")
    resolver.vanished_tokens += sum(n * get_operation(op).token_cost
                                    for op, n in calls.items())
    if not merged and not deleted and not untold and not unknown:
        return []
    read = ", ".join(f"{op} {n}" for op, n in sorted(calls.items()) if n) or "nothing"

    def of(counts: Mapping[str, int]) -> str:
        return (f"{counts.get('person', 0):,} person(s) and {counts.get('org', 0):,} "
                "organization(s)")
    lines = []
    if merged:
        lines.append(f"{of(merged)} the pending rows name were merged away by someone "
                     "since: their rows follow the survivor (the deal this job linked "
                     "moved there, or it holds the e-mail this job gave it), none made "
                     "again")
    if deleted:
        lines.append(f"{of(deleted)} the pending rows name were deleted by someone since: "
                     "found again or created again")
    if unknown:  # x39r2 F4: merged ones were said "deleted"
        lines.append(f"{of(unknown)} the pending rows name were deleted or merged away by "
                     "someone since (no deal this job linked to them is left to tell "
                     "which): found again or created again")
    if untold:
        lines.append(f"{of(untold)} the pending rows name were merged away or deleted by "
                     "someone since, and a deal this job linked names another record now, "
                     "with nothing else to tell a merge from a relink by hand: not "
                     "followed there, found again or created again")
    lines[-1] += f" (read: {read})"
    return lines


def _id_refs(payload: Mapping[str, Any]) -> list[tuple[str, int]]:
    """The persons / organizations ``payload`` names by id (found at the load): the deal's
    links and the organization of a person it makes."""
    out: list[tuple[str, int]] = []
    person = payload.get("person")
    for name, ref in (("person", person), ("org", payload.get("org")),
                      ("org", person.get("org") if isinstance(person, Mapping) else None)):
        if isinstance(ref, Mapping) and isinstance(ref.get("id"), int):
            out.append((name, int(ref["id"])))
    return out


def ahead(state: Followed, payload: Mapping[str, Any], making: bool = True
          ) -> tuple[dict[str, Any], str] | None:
    """A row naming by key (or by id) a record this run followed (``Followed.named``;
    ``making``: its person is still to make, as ``named`` takes it), before its send: its
    deal-level link to a merge survivor taken as the survivor's reference (matched_by
    ``kept``, as a link an earlier row's deal now has: not this job's create), and the
    note; None when it names none."""
    moved = state.named(payload, making)
    out: dict[str, Any] | None = None
    for name in ("person", "org"):
        ref = payload.get(name)
        if isinstance(ref, Mapping) and "key" in ref:
            w = state.moved.get((str(ref["kind"]), str(ref["key"])))
            if w is not None and w.survivor is not None:
                out = dict(payload) if out is None else out
                out[name] = {"id": w.survivor, "matched_by": "kept"}
        elif isinstance(ref, Mapping) and isinstance(rid := ref.get("id"), int):
            # found at the load by id and followed to a merge (f38a 4), or a survivor it was
            # sent to; either merged away in turn since: the chain's end (x38r1 F8; bounded:
            # each link a merge this run followed)
            w = state.ids.get((name, rid))
            start = w.survivor if w is not None and w.survivor is not None else (
                rid if ref.get("matched_by") == "kept" else None)
            if start is None:
                continue
            now, steps = start, 0
            while (w := state.went.get((name, now))) is not None and w.survivor is not None \
                    and steps < len(state.went):
                if w not in moved:
                    moved.append(w)
                now, steps = w.survivor, steps + 1
            if now != rid:
                out = dict(payload) if out is None else out
                out[name] = {**ref, "id": now, "matched_by": "kept"}
    person = (out or payload).get("person")
    org = person.get("org") if isinstance(person, Mapping) and "key" in person else None
    if isinstance(person, Mapping) and isinstance(org, Mapping) and "id" in org \
            and (w := state.ids.get(("org", int(org["id"])))) is not None \
            and w.survivor is not None:  # a person to make at it: made at the survivor
        out = dict(payload) if out is None else out
        out["person"] = {**person, "org": {**org, "id": w.survivor}}
    if not moved:
        return None
    # made again: the payload itself (its key resolves to the new record; nothing kept)
    if out is None:
        out = payload if isinstance(payload, dict) else dict(payload)
    return out, "; ".join(w.later() for w in moved)


__all__ = ["LIST_PAYS", "READS", "Followed", "Seen", "Went", "ahead", "apply", "by_key",
           "linked_deals",
           "seen_of", "settle_gone", "went", "went_many"]
