"""A deal a merge moved after the undo's plan: its person / organization merged into
another at the prompt, while the undo ran, or between a kill and its resume (f39b).

The plan takes a link the job wrote that a merge moved for no edit of the deal
(``plan._links_merged``, x38r1 F7), but the run's re-checks (``UndoJob._deals_again``
after the prompt and on a resume, ``UndoJob.recheck`` right before each batch) compared
the deal's ``update_time`` with the plan's: Pipedrive's merge moves the deals of the
merged-away record to its survivor and changes them in that second ("Merge (v1)",
FACTS.md; ``bulk.sandbox.merge``), so such a deal was a conflict, left alone, where the
plan would have put it back. Here a deal whose ``update_time`` moved is judged as the
plan would judge it: when its ``person_id`` / ``org_id`` went from the record the plan
saw (the undo's before-image, else what the job wrote) to that record's survivor
(``dead_links.merged_away``: traced by the merge's second) and nothing else the image
records changed (a delete's image: every field a person can edit, ``editable_digest``;
a restore's: the fields it puts back, ``image_holds``), the merge is no edit: the image
is refreshed to the deal as it is now, the job's write of the merged record is taken as
a write of its survivor (``wrote``, kept in the store under ``MOVED`` + the item's id, so
a resume judges alike) and the row's note says so. The reads (1 token a record by id
below 10, else 10 per 100, and the trace's list reads) are in no plan: summed under
``MERGE_READS``, named in the run's last lines and ``summary.json``'s
``merged_after_plan`` (``after_plan``).

The same holds for a person `undo --contacts` deletes whose organization a merge moved
after the plan (x40r1 F2: left as "changed since this undo was planned"; the same merge
before the plan let it go): ``person_org_merged`` traces the organization the plan saw it
in (``seen_org_id``) and lets the delete through when the person is otherwise as the plan
saw it (its result marked ``MOVED_PERSON``, counted by ``after_plan``).

And for a restore in flight at a kill whose write had applied, then a merge moved the
person / organization it put back (``merged_after_write``): done at the resume, not a
conflict.

Never writes to Pipedrive; reads only the records the moved links named.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.operations import get_operation
from bulk.store import AsyncJobStore, BeforeImage, Item, JobStore
from bulk.wording import counted

from ..deals import (
    Deal,
    contact_digest,
    editable_digest,
    image_holds,
    in_flight,
    is_gone,
    refreshed_image,
)
from .carriers import contact_id
from .dead_links import merged_away

MOVED = "undo_moved:"  # meta key prefix (+ item id): the links a merge moved after the plan
# a person delete's result key: only a merge after the plan moved its organization
MOVED_PERSON = "org_merged_after_plan"
MERGE_READS = "undo_merge_reads"  # meta key: the trace's reads no plan priced, by operation
_LINKS = {"person_id": ("person", "person"), "org_id": ("org", "organization")}

# a link a merge moved: (field, the id the plan saw, its survivor's)
Move = tuple[str, int, int]


def _id(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _seen(image: Mapping[str, Any], wrote: Mapping[str, Any], name: str) -> int | None:
    """The link ``name`` as the plan saw it: a delete's image holds the deal whole, a
    restore's the fields it puts back (``fields``); else what the job wrote (the plan
    left a deal whose written link differs as a conflict, so it was that)."""
    if name in image:
        return _id(image.get(name))
    fields = image.get("fields")
    if isinstance(fields, Mapping) and name in fields:
        return _id(fields.get(name))
    return _id(wrote.get(name))


def candidates(item: Item, deal: Deal | None, image: Mapping[str, Any] | None) -> list[Move]:
    """The links of ``deal`` that moved since the plan's ``image`` with nothing else the
    image records: [] when the deal is gone, archived, not changed since, or changed
    otherwise."""
    if image is None or is_gone(deal) or deal is None or deal.get("is_archived") \
            or deal.get("update_time") == image.get("update_time"):
        return []
    wrote = item.payload.get("wrote") or {}
    moves = [(name, old, now) for name in _LINKS
             if (old := _seen(image, wrote, name)) is not None
             and (now := _id(deal.get(name))) is not None and old != now]
    if not moves:
        return []
    then = {**deal, **{name: old for name, old, _ in moves}}
    full = "fields" not in image
    if (editable_digest(then) != editable_digest(image)) if full \
            else not image_holds(then, image):
        return []
    return moves


def note(moves: Sequence[Sequence[Any]]) -> str:
    """The row's note: ``its person 49 was merged into person 41 after this undo was
    planned: Pipedrive moved the deal there with it, no edit of the deal``."""
    return "; ".join(f"its {_LINKS[str(name)][1]} {old} was merged into "
                     f"{_LINKS[str(name)][1]} {now} after this undo was planned: Pipedrive "
                     "moved the deal there with it, no edit of the deal"
                     for name, old, now in moves)


def with_moved(item: Item, entry: Mapping[str, Any] | None) -> Item:
    """``item`` judged as if the job had written the survivors of ``entry``'s moves (its
    ``wrote``), its note saying so; ``item`` itself when there is no entry."""
    if not entry:
        return item
    wrote = dict(item.payload.get("wrote") or {})
    for name, old, now in entry.get("moves") or ():
        if _id(wrote.get(name)) == old:
            wrote[name] = now
    return replace(item, payload={**item.payload, "wrote": wrote, "note": "; ".join(
        filter(None, (item.payload.get("note"), note(entry.get("moves") or ()))))})


async def entries(store: JobStore) -> dict[int, dict[str, Any]]:
    """Every entry ``merge_moved`` kept, by item id."""
    return {int(key[len(MOVED):]): dict(value)
            for key, value in (await AsyncJobStore.of(store).meta_prefixed(MOVED)).items()
            if key[len(MOVED):].isdigit() and isinstance(value, Mapping)}


async def merge_moved(ctx: CallContext, store: JobStore,
                      checks: Sequence[tuple[Item, Deal | None, Mapping[str, Any] | None]],
                      known: Mapping[int, Mapping[str, Any]]) -> dict[int, dict[str, Any]]:
    """Of ``checks`` (an item, its deal now, the undo's before-image of it), the items
    whose deal only a merge moved since the plan, each with its entry (``{"moves":
    [[field, old, now]]}``, added to the one in ``known``); their images refreshed and
    entries kept in ``store``, the trace's reads added to ``MERGE_READS``. Raises the
    API's errors of the reads."""
    wanted = {item.id: (item, deal, image, moves) for item, deal, image in checks
              if (moves := candidates(item, deal, image))}
    if not wanted:
        return {}
    calls: Counter[str] = Counter()
    into: dict[str, dict[int, int]] = {}
    for name, (kind, _) in _LINKS.items():
        carried: dict[int, list[int]] = {}
        for item, *_, moves in wanted.values():
            for n, old, _ in moves:
                if n == name:
                    carried.setdefault(old, []).append(int(item.payload["deal_id"]))
        into[name] = await merged_away(ctx, kind, carried, calls, carried) if carried else {}
    found: dict[int, dict[str, Any]] = {}
    fresh: list[BeforeImage] = []
    taken = ctx.clock.wall()
    for item_id, (item, deal, image, moves) in wanted.items():
        assert deal is not None and image is not None
        if all(into[name].get(old) == now for name, old, now in moves):
            before = (known.get(item_id) or {}).get("moves") or []
            found[item_id] = {"moves": [*before, *([n, o, w] for n, o, w in moves)]}
            fresh.append(BeforeImage(
                "deal", int(item.payload["deal_id"]), None,
                dict(deal) if "fields" not in image else refreshed_image(deal, image), taken))
    astore = AsyncJobStore.of(store)
    if fresh:
        await astore.refresh_before_images(fresh)
    meta: dict[str, Any] = {f"{MOVED}{i}": e for i, e in found.items()}
    if calls:
        meta[MERGE_READS] = await _reads_so_far(astore, calls)
    if meta:
        await astore.meta_put_many(meta)
    return found


async def _reads_so_far(astore: AsyncJobStore, calls: Counter[str]) -> dict[str, int]:
    """``MERGE_READS`` with ``calls`` added (operation -> calls)."""
    so_far = await astore.meta_get(MERGE_READS)
    return dict(Counter({str(k): int(v) for k, v in (
        so_far.items() if isinstance(so_far, Mapping) else ())}) + calls)


async def person_org_merged(ctx: CallContext, store: JobStore, item: Item,
                            record: Mapping[str, Any], traced: dict[int, int | None]
                            ) -> str | None:
    """Whether the only change to a person an undo deletes (``item``, a ``delete-person``;
    ``record``: the person now, its ``update_time`` no longer the plan's) is its
    organization moved by a merge after the plan (x40r1 F2: an organization merged at the
    prompt or before a resume left its persons "changed since this undo was planned",
    undeleted, where the plan, had the merge come first, deleted them): the organization
    the plan saw it in (``seen_org_id``; a plan made before that was kept: any of the
    job's organizations) merged into the one it is in now (``dead_links.merged_away``,
    traced by the import's persons on it too, were two merged in one second) and nothing
    else it records changed (``contact_digest`` with that organization back is the
    plan's). Returns the row's note, else None. ``traced``: organization id -> its
    survivor (None: none), filled once per organization for the run; the reads (1 token by
    id, the trace's list reads) are added to ``MERGE_READS``. Raises the API's errors."""
    now = _id(record.get("org_id"))
    digest = item.payload.get("digest")
    if item.op != "delete-person" or now is None or digest is None:
        return None
    seen = _id(item.payload.get("seen_org_id"))
    mine: dict[int | None, set[int]] | None = None  # the store read only when needed
    if seen is None:
        mine = await in_thread(lambda: _persons_by_org(store))
    olds = [seen] if seen is not None else sorted((mine or {}).get(None, ()))
    rid = contact_id(item, "person")
    for old in olds:
        if old == now or contact_digest({**record, "org_id": old}) != digest:
            continue
        if old not in traced:
            if mine is None:
                mine = await in_thread(lambda: _persons_by_org(store))
            calls: Counter[str] = Counter()
            into = await merged_away(ctx, "org", [old], calls,
                                     members={old: sorted({*mine.get(old, ()), rid})})
            traced[old] = into.get(old)
            if calls:
                astore = AsyncJobStore.of(store)
                await astore.meta_put_many({MERGE_READS: await _reads_so_far(astore, calls)})
        if traced[old] == now:
            return (f"its organization {old} was merged into organization {now} after this "
                    "undo was planned: Pipedrive moved the person there with it, no edit of "
                    "the person")
    return None


async def merged_after_write(ctx: CallContext, store: JobStore,
                             checks: Sequence[tuple[Item, Deal | None, Mapping[str, Any] | None]]
                             ) -> dict[int, list[Move]]:
    """Of ``checks`` (a restore left in flight that ``jobs.deals.in_flight`` found not as it
    wants, its deal now, this undo's before-image of it), those whose write had applied
    and whose person / organization it put back a merge moved since: by item id, the moves
    (field, the id the write put back, its survivor). Such a deal is as the write wants it
    but for those links, each now the survivor of the record the write put there
    (``dead_links.merged_away``: traced by the merge's second, the deal being one moved in
    it). The write had applied: before it the deal was on the image's record, which no
    merge of the restored one moves (``in_flight`` with the survivors in place says
    ``applied``: the image is not as the write wants it). A colleague's edit of the deal
    besides is no trace: it stays a conflict (x40r6: an applied write, then merged, ended a
    conflict at the resume). The trace's reads are added to ``MERGE_READS`` and each found
    kept as a ``MOVED`` entry (``after_plan`` counts it). Raises the API's errors."""
    wanted: dict[int, tuple[Item, list[Move]]] = {}
    for item, deal, image in checks:
        if deal is None or is_gone(deal) or item.op != "restore":
            continue
        changes = item.payload.get("changes") or {}
        moves = [(name, put, now) for name in _LINKS
                 if (put := _id(changes.get(name))) is not None
                 and (now := _id(deal.get(name))) is not None and put != now]
        if moves and in_flight(deal, image, {**changes, **{n: w for n, _, w in moves}}
                               )[0] == "applied":
            wanted[item.id] = (item, moves)
    if not wanted:
        return {}
    calls: Counter[str] = Counter()
    into: dict[str, dict[int, int]] = {}
    for name, (kind, _) in _LINKS.items():
        carried: dict[int, list[int]] = {}
        for item, moves in wanted.values():
            for n, put, _ in moves:
                if n == name:
                    carried.setdefault(put, []).append(int(item.payload["deal_id"]))
        into[name] = await merged_away(ctx, kind, carried, calls, carried) if carried else {}
    found = {item_id: moves for item_id, (_, moves) in wanted.items()
             if all(into[n].get(put) == now for n, put, now in moves)}
    astore = AsyncJobStore.of(store)
    meta: dict[str, Any] = {f"{MOVED}{i}": {"moves": [list(m) for m in moves]}
                            for i, moves in found.items()}
    if calls:
        meta[MERGE_READS] = await _reads_so_far(astore, calls)
    if meta:
        await astore.meta_put_many(meta)
    return found


def after_write_note(moves: Sequence[Sequence[Any]]) -> str:
    """The row's note of ``merged_after_write``: ``its person 49, which this undo's write
    put back, was merged into person 41 after the write applied: ...``."""
    return "; ".join(f"its {_LINKS[str(name)][1]} {put}, which this undo's write put back, "
                     f"was merged into {_LINKS[str(name)][1]} {now} after the write "
                     "applied: Pipedrive moved the deal there with it, no edit of the deal"
                     for name, put, now in moves)


def _persons_by_org(store: JobStore) -> dict[int | None, set[int]]:
    """The persons this undo deletes by the organization its plan saw each in
    (``seen_org_id``); under None, the organizations it deletes (for a plan made before
    ``seen_org_id`` was kept)."""
    out: dict[int | None, set[int]] = {None: set()}
    for item in store.items():
        if item.op == "delete-person" and (org := _id(item.payload.get("seen_org_id"))):
            out.setdefault(org, set()).add(contact_id(item, "person"))
        elif item.op == "delete-org" and (org := _id(item.payload.get("org_id"))):
            out[None].add(org)
    return out


def after_plan(store: JobStore) -> dict[str, Any] | None:
    """What the merges after the plan cost: ``{"rows": 2, "persons": 1, "calls":
    {operation: calls}, "tokens": 11}`` (``summary.json``'s ``merged_after_plan``; rows:
    the deals, persons: the person deletes ``person_org_merged`` let through); None when
    none was traced (blocks: the store)."""
    rows = len(store.meta_prefixed(MOVED))
    persons = sum(1 for i in store.items() if i.op == "delete-person"
                  and (i.result or {}).get(MOVED_PERSON))
    reads = store.meta_get(MERGE_READS)
    calls = {str(op): int(n) for op, n in (reads.items() if isinstance(reads, Mapping) else ())}
    if not rows and not persons and not calls:
        return None
    return {"rows": rows, "persons": persons, "calls": dict(sorted(calls.items())),
            "tokens": sum(n * get_operation(op).token_cost for op, n in calls.items())}


def after_plan_line(found: Mapping[str, Any]) -> str:
    """The run's line of ``after_plan``'s figure."""
    persons = found.get("persons") or 0
    return (f"{found['rows']:,} deal(s) "
            + (f"and {persons:,} person(s) " if persons else "")
            + "whose person / organization was merged into another "
            "after this undo was planned: Pipedrive moved the deal with it, no edit, so it "
            f"was judged as the plan judged it — {counted(found['tokens'], 'token')} the plan did not "
            "count (" + ", ".join(f"{op} {n * get_operation(op).token_cost:,}"
                                  for op, n in found["calls"].items()) + ")")


__all__ = ["MERGE_READS", "MOVED", "MOVED_PERSON", "after_plan", "after_plan_line",
           "after_write_note", "candidates", "entries", "merge_moved", "merged_after_write",
           "note", "person_org_merged", "with_moved"]
