"""Where a person / organization a restore would put back went, when it was merged away
since the job (``jobs.undo.dead_links``' trace; f37c persons, f38b organizations).

Pipedrive's answers name no survivor ("Merge (v1)", pipedrive/FACTS.md): a merged-away
record is deleted like any other (read by id: a deleted record or a 404, FACTS leaves it
open). What a merge leaves is its second: the record merged away is marked deleted in it,
and so is what the merge changed — the survivor, and everything Pipedrive moved to it
(the sandbox: ``bulk.sandbox.merge``):

- a person: the survivor holds the e-mails and the phones of both persons, so the
  survivor is the one live person changed at or after the deletion's second that holds
  every e-mail of the deleted one — of one with no e-mail, every phone (x39r4 F4: a
  person with a phone only had no witness, its deals were conflicts)
  (``merged_persons``: ``GET /api/v2/persons`` of each deletion's second, 10 tokens, when
  they fall in at most three seconds; else, and for those not found so, one read of
  those changed since the earliest deletion, 10 tokens a page); a person with neither (a
  name alone) is traced as an organization is, by the deals the merge moved in its
  second (a name is never a witness: two persons share one), and only where one of them
  is a deal known to have been on it (``carried``: the job's deal whose link moved off
  it; f39m: a person with no deals deleted in the second another merge moved deals to
  one person is, on the lists, that merge's twin);
- an organization has no such mark of its own, but its deals and persons are moved to the
  survivor in that second: the survivor is the one live organization changed at or after
  that second that a person — else a deal — changed in that second now names (each of
  them added before that second: what a merge moves existed before it)
  (``merged_orgs``: ``getOrganizations`` from the earliest deletion on, 10 tokens a page;
  then ``getPersons``, else ``getDeals``, of the second, 10 tokens each, read only while
  no trace is found).

A survivor is read from the merge's second on, not in it alone: another merge into it, a
colleague's edit or an automation moves its ``update_time`` past that second (x38r1 F6: a
survivor renamed 2 s after, or 4 of 5 persons merged into one a second apart, were said
"deleted since", their links left).

No trace (a deleted person with no e-mail, phone or deal moved, no such survivor, two of them, two of the
restores' records deleted in one second, a 404 that gives no second) is no guess: the
record is taken as deleted, as before. A colleague's edits in the very second of a
deletion can only make a trace ambiguous (two candidates), never name a survivor without
a record moved to it (a person: holding its e-mails, else its phones, else its deals).
Never writes; reads only what changed from the deletions on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from bulk.calls import CallContext

from ..account import PAGE, parse_time


def emails(person: Mapping[str, Any]) -> set[str]:
    """A person's e-mail addresses, case-folded."""
    return {str(e["value"]).strip().casefold() for e in person.get("emails") or ()
            if isinstance(e, Mapping) and e.get("value")}


def phones(person: Mapping[str, Any]) -> set[str]:
    """A person's phone numbers (``phones``, API v2), their digits only (a merge copies
    them as they are; ``+49 89 1`` and ``+49891`` are one number); none without a digit."""
    return {digits for p in person.get("phones") or () if isinstance(p, Mapping)
            and (digits := "".join(c for c in str(p.get("value") or "") if c.isdigit()))}


def _witness(person: Mapping[str, Any]) -> tuple[str, set[str]]:
    """What a merge leaves of ``person`` on its survivor: its e-mails, else its phones
    (("emails" / "phones", the values)); ("", set()): neither (traced by its deals)."""
    if held := emails(person):
        return "emails", held
    return ("phones", held) if (held := phones(person)) else ("", set())


def _holds(person: Mapping[str, Any], kind: str, held: set[str]) -> bool:
    """Whether ``person`` holds every one of ``held`` (``_witness``'s ``kind``)."""
    return bool(held) and held <= (emails(person) if kind == "emails" else phones(person))


def _window(when: str, *, since: bool = False) -> dict[str, str] | None:
    """The list filter of the second ``when`` (an RFC 3339 time): ``updated_since`` it,
    ``updated_until`` one second later (``since``: no end — it and every second after);
    None when it does not read."""
    try:
        start = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return None
    if since:
        return {"updated_since": when}
    return {"updated_since": when,
            "updated_until": (start + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}


async def _changed(ctx: CallContext, operation: str, window: Mapping[str, str],
                   calls: Counter[str], *, older: bool = False) -> list[Mapping[str, Any]]:
    """The live records list ``operation`` holds changed in ``window``, its pages (10
    tokens each) counted in ``calls``; ``older``: only those added before its second (a
    record a merge moved, or its survivor, existed before it: one made in that second is
    no trace — nor, were a deleted record's ``update_time`` its last edit rather than its
    deletion, would the records made with it be)."""
    pages = await ctx.pages(operation, params=dict(window), limit=PAGE)
    calls[operation] += len(pages)
    start = parse_time(window["updated_since"])
    return [r for page in pages for r in page.data or () if not r.get("is_deleted")
            and not (older and not _before(r, start))]


def _before(record: Mapping[str, Any], second: float | None) -> bool:
    """Whether ``record`` was added before ``second`` (Unix time; None: unknown, no)."""
    added = parse_time(record.get("add_time"))
    return second is not None and added is not None and added < second


def _since(record: Mapping[str, Any], second: float | None) -> bool:
    """Whether ``record`` last changed at or after ``second`` (a merge's survivor did in
    its second, and may again in any later one)."""
    now = parse_time(record.get("update_time"))
    return second is not None and now is not None and now >= second


def _seconds(deleted: Mapping[int, Mapping[str, Any]]) -> dict[str, list[int]]:
    """The deleted records' ids by the second they were deleted (their ``update_time``)."""
    out: dict[str, list[int]] = {}
    for rid, record in deleted.items():
        if isinstance(when := record.get("update_time"), str):
            out.setdefault(when, []).append(rid)
    return out


async def _changed_from(ctx: CallContext, operation: str, seconds: Iterable[str],
                        calls: Counter[str]) -> list[Mapping[str, Any]]:
    """The live records of list ``operation`` changed at or after the earliest of
    ``seconds`` (one read for them all: each later second's records are in it), its
    pages counted in ``calls``; none read when no second reads."""
    windows = [(at, w) for when in seconds
               if (w := _window(when, since=True)) is not None
               and (at := parse_time(when)) is not None]
    if not windows:
        return []
    return await _changed(ctx, operation, min(windows, key=lambda w: w[0])[1], calls)


async def merged_persons(ctx: CallContext, deleted: Mapping[int, Mapping[str, Any]],
                         calls: Counter[str], carried: Mapping[int, Iterable[int]] | None = None
                         ) -> dict[int, int]:
    """Of persons ``deleted`` (their records as Pipedrive still answers them), those merged
    away, each with its survivor: the one live person changed at or after the second of
    the deletion — in it, by the merge, or later, by another merge into it or an edit
    (x38r1 F6: only that second was read, and a survivor renamed since was not found) —
    that holds every e-mail of the deleted one (of one with no e-mail: every phone; x39r4
    F4); of several, the one added before that second. Deletions in at most
    ``_FEW_SECONDS`` seconds:
    each second read alone first (``getPersons?updated_since=&updated_until=``, 10 tokens,
    one page but on a busy second — f39b: the read since the earliest deletion was every
    person changed since, pages of them on a busy account, for merges days apart); those
    not traced so (a survivor changed again since), and every deletion past that many
    seconds, by one read since the earliest of their seconds (10 tokens a page of 500).
    A person with neither e-mail nor phone: by the deals the merge moved in its second,
    only where one of them is a deal ``carried`` names as having carried it (person id ->
    deal ids: the job's deals whose link moved off it; ``_by_deals``)."""
    seconds = _seconds({r: p for r, p in deleted.items() if _witness(p)[1]})
    into: dict[int, int] = {}
    if len(seconds) <= _FEW_SECONDS:  # each second alone first (f39b: read less)
        for when, rids in sorted(seconds.items()):
            if (window := _window(when)) is not None:
                into.update(_holders(await _changed(ctx, "getPersons", window, calls),
                                     {when: rids}, deleted))
    left = {w: rest for w, rids in seconds.items() if (rest := [r for r in rids
                                                                if r not in into])}
    if left:
        changed = await _changed_from(ctx, "getPersons", left, calls)
        into.update(_holders(changed, left, deleted))
    bare = {r: p for r, p in deleted.items() if not _witness(p)[1]}
    if bare and carried:
        into.update(await _by_deals(ctx, bare, deleted, calls, carried))
    return into


async def _by_deals(ctx: CallContext, bare: Mapping[int, Mapping[str, Any]],
                    deleted: Mapping[int, Mapping[str, Any]], calls: Counter[str],
                    carried: Mapping[int, Iterable[int]]) -> dict[int, int]:
    """Of persons ``bare`` (no e-mail, no phone: nothing of theirs a survivor holds), each
    with the one live person changed at or after its deletion's second, added before it,
    that the deals changed in that second (added before it) now name — where Pipedrive
    moved them (x39r4 F4: every deal the job linked to person 14 was on person 2, moved in
    the second 14 was deleted). None when no deal moved, they name two, or none of them is
    one of the deals ``carried`` says it carried (f39m: a person with no deals deleted in the
    second another merge moved deals to one person is no merge into that person; without
    a deal known to have been on it, the two cannot be told apart). Another of ``deleted``
    gone in that same second, or the deals it moved naming two (two merges at once: which
    went where the lists cannot tell; x40r1 F1, 4 deals left as conflicts): a person is
    traced where the deals ``carried`` names of it, changed in that second, all name one
    survivor (``_own``); else none. The persons are read once from the earliest such second on
    (``getPersons?updated_since=``, 10 tokens a page), the deals of each second alone
    (``getDeals``, 10 tokens), only where a candidate is."""
    everyone = _seconds(deleted)
    ours = {rid: {int(d) for d in deals} for rid, deals in carried.items()}
    seconds = {w: mine for w, rids in _seconds(bare).items()
               if (mine := [r for r in rids if ours.get(r)])}
    persons = await _changed_from(ctx, "getPersons", seconds, calls) if seconds else []
    into: dict[int, int] = {}
    for when, rids in sorted(seconds.items()):
        second = parse_time(when)
        candidates = {int(r["id"]) for r in persons if _since(r, second)
                      and _before(r, second)} - set(everyone[when])
        if not candidates or (window := _window(when)) is None:
            continue
        deals = await _changed(ctx, "getDeals", window, calls, older=True)
        if len(everyone[when]) == 1:
            moved = [r for r in deals if r.get("person_id") in candidates]
            named = {r["person_id"] for r in moved}
            if len(named) == 1 and any(int(r["id"]) in ours[rids[0]] for r in moved):
                into[rids[0]] = int(next(iter(named)))
                continue
        # several gone in this second (or another merge moved deals in it too): each by
        # its own deals
        into.update((rid, survivor) for rid in rids if (survivor := _own(
            deals, ours[rid], candidates, "person_id")) is not None)
    return into


def _own(records: Sequence[Mapping[str, Any]], ours: Iterable[int], candidates: set[int],
         field: str) -> int | None:
    """The survivor that the records of ``ours`` (ids: those known to have been on a record
    merged away — the job's deals whose link moved off it, the import's persons of its
    organization) among ``records`` (changed in the merge's second) name in ``field`` now:
    the one of ``candidates`` they all name; None when none of them is there, they name
    two, or one names no candidate (x40r1 F1: two merges in one second; Pipedrive moves
    every deal / person of the merged-away record to its survivor, so the records known to
    have been on it, moved in its second, say where it went — what stays ambiguous is no
    trace, never a guess)."""
    wanted = set(ours)
    named = {r.get(field) for r in records if int(r["id"]) in wanted}
    if len(named) != 1:
        return None
    survivor = next(iter(named))
    return int(survivor) if isinstance(survivor, int) and survivor in candidates else None


# at most this many seconds of deletions are read one by one (10 tokens each, one page
# unless 500 persons changed in that very second) before one read of all since the earliest
_FEW_SECONDS = 3


def _holders(changed: Sequence[Mapping[str, Any]], seconds: Mapping[str, list[int]],
             deleted: Mapping[int, Mapping[str, Any]]) -> dict[int, int]:
    """Of the persons deleted in ``seconds`` (second -> ids), each with the one person of
    ``changed`` changed at or after its second that holds every e-mail of it, else every
    phone (``_witness``; of several, the one added before that second)."""
    into: dict[int, int] = {}
    for when, rids in sorted(seconds.items()):
        second = parse_time(when)
        for rid in rids:
            kind, held = _witness(deleted[rid])
            holders = [r for r in changed if _since(r, second) and _holds(r, kind, held)]
            if len(holders) > 1:
                holders = [r for r in holders if _before(r, second)]
            if len(holders) == 1:
                into[rid] = int(holders[0]["id"])
    return into


async def merged_orgs(ctx: CallContext, deleted: Mapping[int, Mapping[str, Any]],
                      calls: Counter[str], carried: Mapping[int, Iterable[int]] | None = None,
                      members: Mapping[int, Iterable[int]] | None = None) -> dict[int, int]:
    """Of organizations ``deleted`` (their records as Pipedrive still answers them), those
    merged away, each with its survivor: the one live organization changed at or after the
    second of the deletion (in it, by the merge, or later: x38r1 F6, a survivor renamed
    since was not found) that a person (else a deal) changed in that second now names —
    where Pipedrive moved them. Two or more deleted in one second, or the records moved
    in it naming two (x40r1 F1: two merges at once left 8 of 12 deals conflicts; which
    went where the lists alone cannot tell):
    each by the records known to have been on it — ``members`` (organization id -> the
    persons the import made on it), else ``carried`` (organization id -> the job's deals
    whose link moved off it) — that changed in that second: traced where they all name one
    survivor (``_own``); none without them, or where they name two. The organizations are
    read once from the earliest deletion on (``getOrganizations?updated_since=``, 10
    tokens a page); the persons, else the deals, of each second alone (10 tokens each),
    only while no trace is found."""
    into: dict[int, int] = {}
    known = {"getPersons": {r: {int(i) for i in ids} for r, ids in (members or {}).items()},
             "getDeals": {r: {int(i) for i in ids} for r, ids in (carried or {}).items()}}
    seconds = {w: r for w, r in _seconds(deleted).items() if len(r) == 1
               or any(known[op].get(rid) for op in known for rid in r)}
    orgs = await _changed_from(ctx, "getOrganizations", seconds, calls)
    for when, rids in sorted(seconds.items()):
        second = parse_time(when)
        if (window := _window(when)) is None:
            continue
        candidates = {int(r["id"]) for r in orgs if _since(r, second)
                      and _before(r, second)} - set(rids)
        read: dict[str, list[Mapping[str, Any]]] = {}  # the second's records, read once
        if len(rids) == 1:
            named: set[int] = set()
            for operation in ("getPersons", "getDeals"):
                if not candidates:
                    break
                read[operation] = await _changed(ctx, operation, window, calls, older=True)
                named = {r["org_id"] for r in read[operation] if r.get("org_id") in candidates}
                if named:
                    break
            if len(named) == 1:
                into[rids[0]] = int(next(iter(named)))
                continue
        # several deleted in that second (or one of those given here, and another merge's
        # records moved in it too, x40r1 F2): each by its own records
        left = [rid for rid in rids if any(known[op].get(rid) for op in known)]
        for operation in ("getPersons", "getDeals"):
            asked = [rid for rid in left if known[operation].get(rid)]
            if not candidates or not asked:
                continue
            if operation not in read:
                read[operation] = await _changed(ctx, operation, window, calls, older=True)
            for rid in asked:
                if (survivor := _own(read[operation], known[operation][rid], candidates,
                                     "org_id")) is not None:
                    into[rid] = survivor
            left = [rid for rid in left if rid not in into]
    return into


__all__ = ["emails", "merged_orgs", "merged_persons", "phones"]
