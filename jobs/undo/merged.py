"""Where a person / organization a restore would put back went, when it was merged away
since the job (``jobs.undo.dead_links``' trace; f37c persons, f38b organizations).

Pipedrive's answers name no survivor ("Merge (v1)", pipedrive/FACTS.md): a merged-away
record is deleted like any other (read by id: a deleted record or a 404, FACTS leaves it
open). What a merge leaves is its second: the record merged away is marked deleted in it,
and so is what the merge changed — the survivor, and everything Pipedrive moved to it
(the sandbox: ``bulk.sandbox.merge``):

- a person: the survivor holds the e-mails of both persons, so the survivor is the one
  live person changed in the deletion's second that holds every e-mail of the deleted
  one (``merged_persons``: ``GET /api/v2/persons?updated_since=&updated_until=``, 10
  tokens a page, one read a second);
- an organization has no such mark of its own, but its deals and persons are moved to the
  survivor in that second: the survivor is the one live organization changed in that
  second that a person — else a deal — changed in that second now names (each of them
  added before that second: what a merge moves existed before it)
  (``merged_orgs``: ``getOrganizations`` of the second, 10 tokens; then ``getPersons``,
  else ``getDeals``, of it, 10 tokens each, read only while no trace is found).

No trace (a deleted record with no e-mail, no such survivor, two of them, two of the
restores' records deleted in one second, a 404 that gives no second) is no guess: the
record is taken as deleted, as before. A colleague's edits in the very second of a
deletion can only make a trace ambiguous (two candidates), never name a survivor without
a record moved to it. Never writes; reads only the seconds of the deletions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bulk.calls import CallContext

from ..account import PAGE, parse_time


def emails(person: Mapping[str, Any]) -> set[str]:
    """A person's e-mail addresses, case-folded."""
    return {str(e["value"]).strip().casefold() for e in person.get("emails") or ()
            if isinstance(e, Mapping) and e.get("value")}


def _window(when: str) -> dict[str, str] | None:
    """The list filter of the second ``when`` (an RFC 3339 time): ``updated_since`` it,
    ``updated_until`` one second later; None when it does not read."""
    try:
        start = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return None
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
            and not (older and start is not None
                     and (parse_time(r.get("add_time")) or start) >= start)]


def _seconds(deleted: Mapping[int, Mapping[str, Any]]) -> dict[str, list[int]]:
    """The deleted records' ids by the second they were deleted (their ``update_time``)."""
    out: dict[str, list[int]] = {}
    for rid, record in deleted.items():
        if isinstance(when := record.get("update_time"), str):
            out.setdefault(when, []).append(rid)
    return out


async def merged_persons(ctx: CallContext, deleted: Mapping[int, Mapping[str, Any]],
                         calls: Counter[str]) -> dict[int, int]:
    """Of persons ``deleted`` (their records as Pipedrive still answers them), those merged
    away, each with its survivor: the one live person changed in the second of the
    deletion that holds every e-mail of the deleted one (a person with no e-mail: none)."""
    into: dict[int, int] = {}
    for when, rids in sorted(_seconds({r: p for r, p in deleted.items()
                                       if emails(p)}).items()):
        if (window := _window(when)) is None:
            continue
        changed = await _changed(ctx, "getPersons", window, calls)
        for rid in rids:
            holders = [r for r in changed if emails(deleted[rid]) <= emails(r)]
            if len(holders) == 1:
                into[rid] = int(holders[0]["id"])
    return into


async def merged_orgs(ctx: CallContext, deleted: Mapping[int, Mapping[str, Any]],
                      calls: Counter[str]) -> dict[int, int]:
    """Of organizations ``deleted`` (their records as Pipedrive still answers them), those
    merged away, each with its survivor: the one live organization changed in the second
    of the deletion that a person (else a deal) changed in that second now names — where
    Pipedrive moved them. One of two deleted in one second: none (which went where cannot
    be told)."""
    into: dict[int, int] = {}
    for when, rids in sorted(_seconds(deleted).items()):
        if len(rids) != 1 or (window := _window(when)) is None:
            continue
        candidates = {int(r["id"]) for r in await _changed(
            ctx, "getOrganizations", window, calls, older=True)} - set(rids)
        named: set[int] = set()
        for operation in ("getPersons", "getDeals"):
            if not candidates:
                break
            named = {r["org_id"] for r in await _changed(ctx, operation, window, calls,
                                                         older=True)
                     if r.get("org_id") in candidates}
            if named:
                break
        if len(named) == 1:
            into[rids[0]] = int(next(iter(named)))
    return into


__all__ = ["emails", "merged_orgs", "merged_persons"]
