"""The undo plan: each target decided against the deal as it is now (restore, delete,
conflict, unchanged), and the persons / organizations ``--contacts`` may delete
(``jobs.undo``).

Why ~1750 lines: every verdict on a target (what it wrote, what changed since, who else
made or moved it) reads the same deal picture and the same before-images; split, each
part would pass that picture around and the verdicts' order would be spread out.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.errors import CoordinatorLost, InputError
from bulk.store import (
    BeforeImage,
    ItemState,
    JobStore,
    NewItem,
)

from ..account import listed_since, parse_time
from ..clock_skew import RECONCILE_MARGIN
from ..deals import (
    CUSTOM_GROUP,
    EDITABLE,
    META_FIELD_LABELS,
    META_VALUE_LABELS,
    Deal,
    before_image,
    blank,
    contact_digest,
    deleted_since,
    editable_digest,
    field_group,
    groups_moved,
    image_part,
    is_gone,
    label,
    read_archived,
    read_deals,
    restore_body,
    same,
    shown,
    unrestorable,
    value_key,
    write_groups,
    write_part,
)
from ..dedupe.records import deal_fields, field_names
from ..import_resolve import made_digests
from ..load_stop import checked
from ..merged_deals import Merge, survivors
from ..provable_writes import NOT_OURS, job_lead
from ..results import TALLY
from ..updating import HELD_AT_LOAD, Prepared, changed_names
from .carriers import META_FORCE_MEMBERS
from .dead_links import leave_dead_links, merged_away
from .targets import (
    _CARRIER_OPS,
    CHANGED_GROUPS,
    IN_PART,
    META_CONTACT_CHANGED,
    META_CONTACT_PAGES,
    META_CONTACT_SINCE,
    META_KEPT_AT_PLAN,
    META_SOURCE_NOT_OURS,
    META_SOURCE_PENDING,
    PARTLY,
    RESTORED_IN_PART,
    UNDID,
    Target,
    _undone_by,
    _wrote,
    check_source,
    contacts_deleted_by_undos,
    created_contacts,
    export_snapshots,
    in_part,
    later,
    not_created_here,
    other_creators,
    partly_note,
    pending_line,
    plan_action,
    record_found_as_before,
    snapshots_words,
    targets,
)
from .undone import further_undo_idle, left_of, put_back


async def _contacts(ctx: CallContext, prep: Prepared, source: JobStore, delete: bool,
                    force: bool = False) -> None:
    """The persons / organizations the import created that carry no deal but the ones this
    undo deletes: listed in the plan; deleted too when ``delete`` (``--contacts``).
    One list pull of the deals (10 tokens per 500) and of the archived deals (20 per 500)
    decides which still carry deals. Persons linked to a kept organization do not keep
    it: only deals do."""
    created = created_contacts(source)
    if not created["person"] and not created["org"]:
        return
    going = {int(i.payload["deal_id"]) for i in prep.items
             if i.op == "delete" and i.state is ItemState.PENDING}
    # deals this undo restores to another person / organization carry theirs after it
    # (v9r17 L4: a person an upsert linked to an older deal was "kept" for that deal,
    # and left with no deal once the restore put the deal's own person back)
    moving = {int(i.payload["deal_id"]): {name: i.payload["changes"][f"{name}_id"]
                                          for name in ("person", "org")
                                          if f"{name}_id" in i.payload["changes"]}
              for i in prep.items if i.op == "restore" and i.state is ItemState.PENDING
              and isinstance(i.payload.get("changes"), Mapping)}
    at = prep.meta[META_CONTACT_SINCE] = ctx.clock.wall()  # the run reads what changed since
    listed: dict[str, set[int]] = {}
    carried, pages = await _carried(ctx, going, {d: m for d, m in moving.items() if m},
                                    changed=listed, since=at - RECONCILE_MARGIN)
    prep.meta[META_CONTACT_PAGES] = pages
    # what each re-check batch's read of the deals changed since lists (f48k): those the
    # pull saw changed in the margin (a colleague's, an earlier job's), and the deals this
    # undo restores (its write changes them); none it deletes (a deleted deal is not listed)
    listed["getDeals"] = listed.get("getDeals", set()) | {
        int(i.payload["deal_id"]) for i in prep.items
        if i.op == "restore" and i.state is ItemState.PENDING}
    free = {name: sorted(created[name] - set(carried[name])) for name in ("person", "org")}
    kept = {name: len(created[name]) - len(free[name]) for name in ("person", "org")}
    if not delete:
        if free["person"] or free["org"]:
            # not read without --contacts (its reads cost tokens): some may be gone since,
            # which --contacts finds and says (x45r8 F5: "40 person(s) … --contacts deletes
            # them too" of persons an earlier undo had deleted; with it, "gone")
            prep.notes.append(f"{len(free['person'])} person(s) and {len(free['org'])} "
                              "organization(s) the import created carry no other deals: "
                              "--contacts deletes them too, those that still exist (they "
                              "are not read without it: some may be gone since; those "
                              "changed since are left)")
        return
    holding = {"person": 0, "org": 0}  # kept: they hold a person this undo keeps (no deal)
    called: dict[tuple[str, int], str] = {}  # their names, as the reads found them
    seen: dict[tuple[str, int], dict[str, Any]] = {}  # what the run's re-check compares
    # --force deletes what changed since: the records read only to know which are gone
    changed = (await _changed_contacts(ctx, free, created["person"], called,
                                       made_digests(source), seen, _linked(source),
                                       changed=listed, since=at - RECONCILE_MARGIN)
               if not force else {})
    # gone since (deleted, or merged away: its survivor is no contact of the import's):
    # no delete and no read before one at the run, which would find it gone (an
    # organization merged away was priced, 3 + 1 tokens over the run's count). With
    # --force too (x44r4 F7: its plan counted the persons a colleague or an earlier undo
    # deleted as deletes, its run as "already gone": 10 planned, 1 deleted + 9 gone)
    _already_gone(prep, free, seen if not force else {
        k: {} for k in await _read_contacts(ctx, free, called)},
        await in_thread(lambda: contacts_deleted_by_undos(source)))
    if force and free["org"]:
        # the organizations' persons now (the cheaper of one list read and one read each,
        # as without --force), so the run reads only those changed since: one call a
        # batch, which the plan prices exactly (x35r1: it priced one per organization,
        # and the run's choice between the two could not be known at the plan)
        going = set(free["person"])
        members = await _members(ctx, free["org"], changed=listed,
                                 since=at - RECONCILE_MARGIN)
        others = {str(p["id"]): org for org, persons in members.items()
                  for p in persons if int(p["id"]) not in going}
        prep.meta[META_FORCE_MEMBERS] = others
        # one holding a person now is kept, as the run would keep it (never deleted under
        # a person, --force or not): said at the plan, its delete not priced
        changed = {("org", org): f"holds a person, {_KEEPS}" for org in set(others.values())}
    for name in ("person", "org"):
        for rid in [r for r in free[name] if (name, r) in changed]:
            why = changed[(name, rid)]
            # its id in the payload, as a delete's: the run and a resume read it there
            # (x34r1 F4: KeyError 'person_id', the organization deletes never ran)
            ids: dict[str, Any] = {f"{name}_id": rid}
            if why.endswith(_KEEPS):
                # an organization of a person this undo keeps: kept with it, as the run's
                # re-check keeps it (v9r18: a conflict at the plan, exit 3, and "kept" for
                # the same case found later)
                kept[name] += 1
                holding[name] += 1
                continue
            when = "" if why.startswith("holds") else " since the import created it"
            prep.fail(None, f"{name} {rid}", f"conflict: {_LABEL[name]} "
                      f"{_named(called, name, rid)} {why}{when}; "
                      "left alone (--force deletes it)", op=f"delete-{name}",
                      # apart from the deals' "conflict" (x38r3 F8: "rows: … 27 conflicts"
                      # beside "conflict 28" in the rows by action)
                      action=f"conflict-{name}", final=False, **ids)
        free[name] = [rid for rid in free[name] if (name, rid) not in changed]
    for name, op, operation in (("person", "delete-person", "deletePerson"),
                                ("org", "delete-org", "deleteOrganization")):
        for rid in free[name]:
            # as the plan read it: the run's re-check right before the delete leaves one
            # edited since (x34r4 F2)
            prep.add(NewItem(row=None, key=f"{name} {rid}", op=op,
                             payload={f"{name}_id": rid, **seen.get((name, rid), {})}), op)
        prep.calls[operation] += len(free[name])
    # the re-check of each batch of them (F2) is the run's ``recheck``: UndoJob.recheck_calls
    # (its reads of what changed since: as many pages as the plan's pulls saw changed in the
    # margin; the persons this undo deletes are not listed then, deleted)
    if "getPersons" in listed:
        listed["getPersons"] -= set(free["person"])
    elif free["org"]:
        # the persons were read by organization, not listed: those others changed lately
        # cannot be counted without a call
        prep.notes.append("the check before the organization deletes lists the persons "
                          "changed in the 2 minutes before it: priced at one page (10 "
                          "tokens) a batch; each 500 persons others changed then add a "
                          "page (not counted: this plan read the organizations' persons "
                          "one organization at a time)")
    prep.meta[META_CONTACT_CHANGED] = {op: len(ids) for op, ids in listed.items()}
    if free["person"] or free["org"]:
        prep.notes.append(f"{len(free['person'])} person(s) and {len(free['org'])} "
                          "organization(s) the import created carry no other deals: deleted "
                          "too (--contacts)")
    if kept["person"] or kept["org"]:
        prep.meta[META_KEPT_AT_PLAN] = dict(kept)
        # x34r4 F5a: an organization kept for a person it holds was said to carry deals
        carry = {name: kept[name] - holding[name] for name in kept}
        if carry["person"] or carry["org"]:
            prep.notes.append(f"{carry['person']} person(s) and {carry['org']} "
                              "organization(s) the import created still carry other deals: "
                              "kept")
        if holding["org"]:
            prep.notes.append(f"{holding['org']} organization(s) the import created hold a "
                              "person this undo keeps: kept with it")


_LABEL = {"person": "person", "org": "organization"}
# the plan's tally of an import's person / organization found gone: deleted or merged away
# (the result's action stays "already deleted", as the run's; ``_already_gone``)
_GONE_ACTION = "already gone"


def _already_gone(prep: Prepared, free: dict[str, list[int]],
                  seen: Mapping[tuple[str, int], Any],
                  by_undo: Mapping[tuple[str, int], str] | None = None) -> None:
    """The persons / organizations of ``free`` the plan's read by id did not find live
    (``seen``: those it read): taken out of ``free``, each a skipped delete, ``already
    deleted`` (its result's action, as the run's delete that finds one gone: counted
    "already gone" by ``contact_counts``), and a plan note. The plan's rows by action
    count them ``already gone-person`` / ``already gone-org``: Pipedrive answers a record
    merged away as it answers one deleted ("Merge (v1)", FACTS.md), and the plan's tally
    said "already deleted" of persons a colleague had merged (x40r6 F4). ``by_undo``: those
    an earlier undo of the import deleted (``contacts_deleted_by_undos``), said so by its
    id (x45r9 F4: "gone since … by someone" of the persons the first undo deleted)."""
    gone = {name: [rid for rid in free[name] if (name, rid) not in seen]
            for name in ("person", "org")}
    undos = by_undo or {}
    for name, rids in gone.items():
        for rid in rids:
            ids: dict[str, Any] = {f"{name}_id": rid}  # read there, as a delete's (x34r1 F4)
            by = {DELETED_BY: undos[name, rid]} if (name, rid) in undos else {}
            prep.skip(None, f"{name} {rid}", {**ids, "action": "already deleted", **by},
                      op=f"delete-{name}", **ids)
            prep.actions["already deleted"] -= 1
            prep.actions[f"{_GONE_ACTION}-{name}"] += 1
        free[name] = [rid for rid in free[name] if rid not in rids]
    prep.actions += Counter()  # (no "already deleted: 0" left)
    ours = {name: [r for r in rids if (name, r) in undos] for name, rids in gone.items()}
    for job in sorted({undos[name, r] for name, rids in ours.items() for r in rids}):
        counts = {name: sum(undos[name, r] == job for r in rids)
                  for name, rids in ours.items()}
        prep.notes.append(f"{counts['person']} person(s) and {counts['org']} "
                          "organization(s) the import created were deleted by undo job "
                          f"{job}: nothing to delete")
    rest = {name: len(rids) - len(ours[name]) for name, rids in gone.items()}
    if rest["person"] or rest["org"]:
        prep.notes.append(f"{rest['person']} person(s) and {rest['org']} "
                          "organization(s) the import created are gone since (deleted, or "
                          "merged into another by someone): nothing to delete")
_KEEPS = "which this undo keeps"
# a person / organization found gone that an earlier undo of the import deleted: that
# undo's job id, in its skipped delete's result (``jobs.undo.job``'s line says so)
DELETED_BY = "deleted_by"


def _named(called: Mapping[tuple[str, int], str], name: str, rid: int) -> str:
    """A person / organization as the output names it (``linked by e-mail to person
    'Ann Lee'``), with its id: ``'Ann Lee' (12)``; its id alone when its name was not
    read. Quoted, so that the plan counts such conflicts under one reason
    (``jobs.plan_reasons.reason_class`` elides quoted names)."""
    known = called.get((name, rid))
    return f"{known!r} ({rid})" if known else str(rid)


async def _changed_contacts(ctx: CallContext, free: Mapping[str, list[int]],
                            created_persons: set[int],
                            called: dict[tuple[str, int], str] | None = None,
                            digests: Mapping[tuple[str, int], int] | None = None,
                            seen: dict[tuple[str, int], dict[str, Any]] | None = None,
                            linked: Mapping[int, set[int]] | None = None, *,
                            changed: dict[str, set[int]] | None = None,
                            since: float | None = None,
                            ) -> dict[tuple[str, int], str]:
    """Of the persons / organizations undo --contacts would delete, those someone else
    touched since the import created them, id → what: changed since (``update_time``
    past ``add_time`` by more than a second: an edit, or a merge survivor — a merge
    writes the survivor), or an organization that now holds a person the import did not
    create. Deleting them deleted a colleague's edits, a merged-in contact, or left a
    person pointing at a deleted organization (v9r10, 3 of 3). Reads the records 100
    per call (``GET /api/v2/persons?ids=`` / ``organizations?ids=``, 10 tokens) and the
    persons of those organizations (``_members``). ``called``: filled with the names of
    the records read, (kind, id) -> name, for the messages. ``digests``: (kind, id) ->
    ``jobs.deals.contact_digest`` of the create's answer
    (``jobs.import_resolve.made_digests``); a record that no longer gives it was edited
    even when its ``update_time`` still equals its ``add_time`` (an edit, or an
    automation, within the second of the create: x34r1 F5, 4 of 4 deleted). ``seen``:
    filled with each record as read, (kind, id) -> ``{"expected_update_time": str,
    "digest": int}`` (``contact_seen``), for the run's re-check. ``linked``: person id ->
    the organizations the job's rows linked it with (``_linked``). ``changed`` / ``since``:
    as ``_members``'."""
    out: dict[tuple[str, int], str] = {}
    called = called if called is not None else {}
    read = await _read_contacts(ctx, free, called, seen)
    for (name, rid), record in read.items():
        added, now = (parse_time(record.get("add_time")),
                      parse_time(record.get("update_time")))
        was = (digests or {}).get((name, rid))
        if ((added is not None and now is not None and now > added + 1.0)
                or (was is not None and contact_digest(record) != was)):
            out[(name, rid)] = "changed (edited, or another merged into it)"
    await _moved_by_org_merge(ctx, out, read, free["org"], digests or {}, linked or {})
    # the persons this undo deletes: an organization holding any other person is kept (a
    # person of the import's that is kept — it carries a deal, or changed — pointed at a
    # deleted organization: v9r11 severe, 3 of 3)
    going = {p for p in free["person"] if ("person", p) not in out}
    orgs = [org for org in free["org"] if ("org", org) not in out]
    members = await _members(ctx, orgs, changed=changed, since=since)
    for org in orgs:
        held = [p for p in members[org] if int(p["id"]) not in going]
        called.update({("person", int(p["id"])): str(p["name"]) for p in held if p.get("name")})
        others = [int(p["id"]) for p in held]
        if others:
            whose = ("which the import did not create" if others[0] not in created_persons
                     else _KEEPS)
            out[("org", org)] = f"holds person {_named(called, 'person', others[0])}, {whose}"
    return out


async def _read_contacts(ctx: CallContext, free: Mapping[str, list[int]],
                         called: dict[tuple[str, int], str] | None = None,
                         seen: dict[tuple[str, int], dict[str, Any]] | None = None,
                         ) -> dict[tuple[str, int], Mapping[str, Any]]:
    """The persons / organizations of ``free`` as they are now, (kind, id) -> record; one
    deleted or merged away since is not listed (``_already_gone``). 100 per call
    (``GET /api/v2/persons?ids=`` / ``organizations?ids=``, 10 tokens). ``called``: filled
    with their names; ``seen``: with ``contact_seen`` of each, for the run's re-check."""
    read: dict[tuple[str, int], Mapping[str, Any]] = {}
    for name, operation in (("person", "getPersons"), ("org", "getOrganizations")):
        ids = list(free[name])
        for start in range(0, len(ids), 100):
            page = await ctx.call(operation, params={"ids": ids[start:start + 100],
                                                     "limit": 100})
            for record in page.data or ():
                read[(name, int(record["id"]))] = record
                if record.get("name") and called is not None:
                    called[(name, int(record["id"]))] = str(record["name"])
                if seen is not None:
                    seen[(name, int(record["id"]))] = contact_seen(record)
    return read


async def _moved_by_org_merge(ctx: CallContext, out: dict[tuple[str, int], str],
                              read: Mapping[tuple[str, int], Mapping[str, Any]],
                              orgs: Sequence[int], digests: Mapping[tuple[str, int], int],
                              linked: Mapping[int, set[int]] | None = None) -> None:
    """Take out of ``out`` (``_changed_contacts``' changed contacts) the persons the import
    made that only a merge moved: their organization, made by the import too, merged away
    since into the one they belong to now — Pipedrive moved them there, no edit of theirs
    (x38r1 F7 class; they were left "changed since the import created it"). Known when the
    person's ``contact_digest`` with the merged-away organization in place of the survivor
    is the create's (``digests``), so an edit besides still counts. The import's
    organizations the plan's read (``read``) did not find live are traced
    (``dead_links.merged_away``: by id, 1 token each, and the trace's reads), only when
    such a person is there; so are the organizations the job's rows linked such a person
    with (``linked``: person id -> them; a colleague's organization the import found by
    name, merged into another since, moved the import's person too: f40j), 1 token each."""
    flagged = [key for key in out if key[0] == "person" and key in digests and key in read
               and isinstance(read[key].get("org_id"), int)]
    theirs = {org for key in flagged for org in (linked or {}).get(key[1], ())
              if org != read[key].get("org_id")}
    gone = sorted({org for org in orgs if ("org", org) not in read}
                  | (theirs - {org for kind, org in read if kind == "org"}))
    if not gone or not flagged:
        return
    members: dict[int, list[int]] = {}  # (two merges in one second: traced by them)
    for key in flagged:
        for old in gone:
            if contact_digest({**read[key], "org_id": old}) == digests[key]:
                members.setdefault(old, []).append(key[1])
    into = await merged_away(ctx, "org", gone, members=members)
    for key in flagged:
        record = read[key]
        if any(survivor == record.get("org_id")
               and contact_digest({**record, "org_id": old}) == digests[key]
               for old, survivor in into.items()):
            del out[key]


def _linked(source: JobStore) -> dict[int, set[int]]:
    """Person id -> the organizations import job ``source``'s done rows wrote with it
    (``person_id`` / ``org_id`` of what each row sent)."""
    out: dict[int, set[int]] = {}
    for item in source.items(ItemState.DONE):
        wrote = _wrote(item, item.result or {}) or {}
        person, org = wrote.get("person_id"), wrote.get("org_id")
        if isinstance(person, int) and isinstance(org, int):
            out.setdefault(person, set()).add(org)
    return out


async def _members(ctx: CallContext, orgs: Sequence[int], *,
                   changed: dict[str, set[int]] | None = None, since: float | None = None,
                   ) -> dict[int, list[dict[str, Any]]]:
    """Organization id (each of ``orgs``) -> its live persons' records, every one: the
    run's check (``carriers.ContactCarriers.holders``) reads only the persons changed
    since, so a person left out here would be missed there. One list read of every person
    (``GET /api/v2/persons``, 10 tokens a page of 500) where that takes fewer pages than
    one read per organization (``GET /api/v2/persons?org_id=``, 10 tokens a page of 500
    each): x34r4 F4, 1,000 organizations took ~10,000 tokens. The list is read up to as
    many pages as there are organizations; one longer is left there, and each
    organization read on its own (at most twice the cheaper way). ``changed`` (with
    ``since``, Unix time): where the whole list was read, its ``"getPersons"`` is the ids
    of the live persons an ``updated_since`` of ``since`` lists (the run's check reads
    those: ``UndoJob.recheck_calls``); left out otherwise."""
    out: dict[int, list[dict[str, Any]]] = {org: [] for org in orgs}
    if len(orgs) > 1:
        pages = 0
        recent: set[int] = set()
        async for page in ctx.paginate("getPersons"):  # stop iterating to stop paying
            pages += 1
            for person in page.data or ():
                if since is not None and not person.get("is_deleted") \
                        and listed_since(person, since):
                    recent.add(int(person["id"]))
                org = person.get("org_id")
                if isinstance(org, Mapping):  # v1: {"value": id}
                    org = org.get("value", org.get("id"))
                if org in out and not person.get("is_deleted"):
                    out[org].append(dict(person))
            if page.next_cursor is None:
                if changed is not None and since is not None:
                    changed["getPersons"] = recent
                return out
            if pages >= len(orgs):
                break  # per organization is cheaper than the rest of the list
        out = {org: [] for org in orgs}
    for org in orgs:
        out[org] = [dict(p) for page in await ctx.pages("getPersons", params={"org_id": org})
                    for p in page.data or ()]
    return out


def contact_seen(record: Mapping[str, Any]) -> dict[str, Any]:
    """What an undo's plan saw of a person / organization record it deletes, kept in the
    delete's payload: ``{"expected_update_time": its update_time (str, or None),
    "digest": jobs.deals.contact_digest (int)}``, and a person's organization then
    (``"seen_org_id"``: an organization merged away after the plan moves it, which is no
    edit of the person: ``moved.person_org_merged``)."""
    seen: dict[str, Any] = {"expected_update_time": record.get("update_time"),
                            "digest": contact_digest(record)}
    org = record.get("org_id")
    if isinstance(org, Mapping):  # v1: {"value": id}
        org = org.get("value", org.get("id"))
    if isinstance(org, int) and not isinstance(org, bool):
        seen["seen_org_id"] = org
    return seen


def contact_edited(payload: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Whether a person / organization ``record`` (as read now) was edited since an undo's
    plan read it: its ``update_time`` or ``contact_digest`` no longer what the plan saw
    (``payload``: a delete's, ``contact_seen``). A delete planned before that was kept:
    edited when its ``update_time`` is past its ``add_time`` by more than a second."""
    if "expected_update_time" not in payload:
        added, now = (parse_time(record.get("add_time")),
                      parse_time(record.get("update_time")))
        return added is not None and now is not None and now > added + 1.0
    return (record.get("update_time") != payload.get("expected_update_time")
            or (payload.get("digest") is not None
                and contact_digest(record) != payload.get("digest")))


async def holds_person(ctx: CallContext, org: int) -> int | None:
    """A live person of organization ``org`` now (None: none): the check right before an
    organization delete, after this undo's person deletes, so that no person — a
    colleague's, or one of the import's this undo kept — is left pointing at a deleted
    organization. ``GET /api/v2/persons?org_id=`` (10 tokens), openapi-v2.yaml."""
    page = await ctx.call("getPersons", params={"org_id": org, "limit": 1})
    for person in page.data or ():
        return int(person["id"])
    return None


async def _carried(ctx: CallContext, going: set[int],
                   moving: Mapping[int, Mapping[str, Any]] | None = None, *,
                   changed: dict[str, set[int]] | None = None, since: float | None = None,
                   ) -> tuple[dict[str, dict[int, int]], dict[str, int]]:
    """Which persons ("person") and organizations ("org") carry a deal that is not in
    ``going`` (the deals this undo deletes): id → one such deal's id; and the pages read
    by operation. ``moving``: deal id → the person / organization its restore puts back
    (it carries that one, not its current one). One list pull of the deals (``GET
    /api/v2/deals``, 10 tokens per 500) and of the archived deals (``GET
    /api/v2/deals/archived``, 20 tokens per 500). ``changed`` (with ``since``, Unix
    time): filled, by operation, with the ids of the deals not in ``going`` that an
    ``updated_since`` of ``since`` would list (``account.listed_since``)."""
    moving = moving or {}
    carried: dict[str, dict[int, int]] = {"person": {}, "org": {}}
    pages: dict[str, int] = {}
    for operation in ("getDeals", "getArchivedDeals"):
        listed = await ctx.pages(operation)
        pages[operation] = len(listed)
        for page in listed:
            for deal in page.data or ():
                if int(deal["id"]) in going:
                    continue
                if changed is not None and since is not None and listed_since(deal, since):
                    changed.setdefault(operation, set()).add(int(deal["id"]))
                after = moving.get(int(deal["id"]), {})
                for name in ("person", "org"):
                    rid = after[name] if name in after else deal.get(f"{name}_id")
                    if isinstance(rid, Mapping):
                        rid = rid.get("value", rid.get("id"))
                    if isinstance(rid, int):
                        carried[name].setdefault(rid, int(deal["id"]))
    return carried, pages


async def _carrier(ctx: CallContext, name: str, rid: int) -> int | None:
    """A deal that carries person (``name`` "person") / organization ("org") ``rid`` now,
    live or archived (None: none): the check right before a contact delete, so that a deal
    this undo left alone (a conflict decided at plan, on resume or in flight) never loses
    its person / organization (issue 9, F2). ``GET /api/v2/deals?person_id=|org_id=`` (10
    tokens) and ``GET /api/v2/deals/archived`` with the same filter (20 tokens),
    openapi-v2.yaml."""
    for operation in _CARRIER_OPS:
        page = await ctx.call(operation, params={f"{name}_id": rid, "limit": 1})
        for deal in page.data or ():
            if not is_gone(deal):
                return int(deal["id"])
    return None


def _same_company(source: JobStore) -> None:
    """InputError when the account this run is on (``bulk.coordinator.bound_company``) is
    provably not the one ``source`` ran on (its meta ``company``): deal ids are per
    company, so another company's same ids are other deals (v9r6)."""
    from bulk.coordinator import bound_company
    from bulk.engine import META_COMPANY

    theirs, mine = source.meta_get(META_COMPANY), bound_company()
    if isinstance(theirs, str) and mine is not None and str(mine) != theirs:
        raise InputError(f"job {source.job_id} ran on company {theirs}; this token's account "
                         f"is company {mine}: undo refused (the same deal ids there are "
                         "other deals)")


def not_ours_line(job_id: str, n: int) -> str:
    """What an undo's plan and run say of the ``n`` rows of job ``job_id`` its resume
    found as their write wants, not provably by it (``NOT_OURS``): left as they are."""
    return (f"{n:,} row(s) of job {job_id} left as they are: its resume found their deals "
            f"already as the rows want but not provably by this job ('{NOT_OURS}'; someone "
            f"else's write, or one of its own it cannot prove), so nothing of them is put "
            f"back; their notes in job {job_id}'s succeeded.csv say why")


async def prepare_undo(ctx: CallContext, source: JobStore, *, force: bool = False,
                       now: float | None = None, contacts: bool = False) -> Prepared:
    """Read the deals the source job touched and decide, per deal, what puts it back.

    Undo of an import also lists the persons and organizations it created that carry no
    other deals, and with ``contacts`` deletes them (deletePerson / deleteOrganization,
    3 tokens each, openapi-v2.yaml)."""
    check_source(source)
    _same_company(source)
    taken = ctx.clock.wall() if now is None else now
    # a further undo: only what the earlier undo(s) did not put back (x45r4 F2); a deal
    # they put back wholly is done, neither read nor judged
    undid = put_back(source)
    todo, done = [], []
    for whole in targets(source):
        (todo.append(narrowed) if (narrowed := left_of(whole, undid)) is not None
         else done.append(whole))
    prep = Prepared("undo", meta={"source_job": source.job_id, "source_kind": source.kind,
                                  "source_dir": str(source.directory), "force": force})
    source_columns = source.meta_get("source_columns")
    if isinstance(source_columns, list):
        prep.meta["source_columns"] = source_columns
    labels, fields = await _field_labels(ctx, todo)
    if labels:  # the run's own messages (a re-check, a write in flight) name them too
        prep.meta[META_FIELD_LABELS] = labels
    named = source.meta_get(META_VALUE_LABELS)
    if isinstance(named, Mapping) and named:
        # what the ids of the fields the source wrote are called (option labels, stages
        # and pipelines, users), as the source job read them: a conflict of this undo's
        # run names them as the source's own conflicts do, not "owner_id: 3 then, 5 now"
        # (f27d 2); no read. A source stored before they were kept: ids, as before
        prep.meta[META_VALUE_LABELS] = dict(named)
        # ... and so does this plan's (x28r2 F6: "stage_id: job's 3, now 4")
        labels = {**labels, **{value_key(str(name), i): str(n) for name, ids in named.items()
                               if isinstance(ids, Mapping) for i, n in ids.items()}}
    current = await read_deals(ctx, [t.deal_id for t in todo])
    # a deal missing from the default list may be archived, not deleted (issue 9, v9 F4):
    # someone archived it since, so it is theirs to decide — a conflict, never "already
    # deleted" and never deleted without --force
    archived = await read_archived(ctx, [t.deal_id for t in todo
                                         if is_gone(current.get(t.deal_id))])
    current.update(archived)
    since = later(source)
    vanished = [t.deal_id for t in todo if is_gone(current.get(t.deal_id))]
    merged = await _merged_into(ctx, vanished, since.merges,
                                {t.deal_id: t.written for t in todo},
                                _held_after(source, {t.deal_id: t.wrote for t in todo
                                                     if t.wrote}) if vanished else {})
    creators = other_creators(source) if source.kind == "import" else {}
    lead = await in_thread(lambda: job_lead(source)) if source.kind == "import" else None
    # a person / organization the job wrote merged away since: Pipedrive moved the deal to
    # the survivor, which is no one's edit of it (x38r1 F7)
    lost: dict[int, str] = {}
    made = created_contacts(source) if source.kind == "import" else {}
    moved = await _links_merged(ctx, todo, current, lost, made)
    absorbed = await _deleted_by_second(ctx, source, todo) if not force else {}
    unchecked = 0
    journal: dict[int, Merge] | None = None  # the merge record, read at its first use
    seen = _archived_seen(source, [(t, current[t.deal_id]) for t in todo
                                   if t.deal_id in archived and t.op != "delete"
                                   and not is_gone(current.get(t.deal_id))])
    by = _undone_by(source) if done else ""  # once: it reads every undo's store
    for target in done:
        prep.skip(target.item.row, target.item.key, {
            "deal_id": target.deal_id,
            "action": "already deleted" if target.op == "delete" else "unchanged",
            "note": f"put back by {by}: what it holds now is no longer the job's"},
            op=target.op, deal_id=target.deal_id, values=target.item.payload.get("values") or {})
    async for target in checked(ctx, todo):  # a stop lands in the pass (f25b)
        deal = current.get(target.deal_id)
        target, merge_note = _as_merged(target, deal, moved.get(target.deal_id, ()), made)
        first = len(prep.items)
        if target.op == "delete" and not is_gone(deal) \
                and (foreign := not_created_here(target, deal, creators, lead)):
            # never deleted, not even with --force: it is someone else's work
            _conflict(prep, target, f"conflict: deal {target.deal_id} is not provably this "
                                    f"job's create ({foreign}); left alone", recheck=False)
            continue
        if target.deal_id in archived and target.op != "delete" and not is_gone(deal):
            # not "is deleted: nothing to restore" (v9r11: an archived deal is not deleted);
            # a conflict in every line — the rows line, `rows by action`, the "left alone"
            # note and the run's "N conflicts (of the failed)" (x50r4 F4: 3 in two, 2 in
            # two), as the run's own re-check calls a deal archived since the plan
            prep.fail(target.item.row, target.item.key, (
                f"conflict: deal {target.deal_id} was archived since the job changed it: "
                "nothing restored, not even with --force (archived deals cannot be edited; "
                "unarchive it, then run pdbulk undo again)"), op=target.op, action="conflict",
                values=target.item.payload.get("values") or {}, deal_id=target.deal_id)
            continue
        if target.deal_id in archived and not force and not is_gone(deal):
            _conflict(prep, target, f"conflict: deal {target.deal_id} was archived since the "
                                    "job created it; left alone (--force deletes it)",
                      recheck=False)
            continue
        if (stamp := since.undone.get(target.deal_id)) is not None:
            # every later write to it was undone: as this job left it, as of that undo
            target = replace(target, written=stamp)
        if target.op == "delete" and target.written is None and target.deal_id not in since.writes:
            unchecked += 1
        # a later job's record first: it names the merge a survivor took (x31r1 3: 10 of
        # 11 survivors of a dedupe job of the folder said "one may have been merged")
        why = since.writes.get(target.deal_id)
        theirs = since.groups.get(target.deal_id)
        if why is not None and target.op == "restore" and target.wrote and theirs is not None \
                and not theirs & set(write_groups(target.wrote)):
            # the later writes still on it set other field groups than this job's: no one's
            # value is overwritten by putting this job's back (x42r4 F2: a stage after a
            # later status write found as before, or put back in part, was "moved by job B")
            why = None
        if why is not None and not force and not is_gone(deal):
            _conflict(prep, target, f"conflict: deal {target.deal_id} was {why} since; "
                                    "left alone", recheck=False)
            continue
        seconds = parse_time((deal or {}).get("update_time"))
        if target.op == "delete" and not is_gone(deal) and seconds is not None \
                and (gone := absorbed.get(int(seconds))) and not _edited(target, deal):
            if journal is None:
                journal = await _merge_record(source)
            _conflict(prep, target, _absorbed_reason(target.deal_id, gone, journal),
                      recheck=False)
            continue
        _decide(prep, target, deal, force, taken, merged.get(target.deal_id, ()), labels,
                round_trip=_round_trip(target, deal, seen),
                later_write=(why, since.by.get(target.deal_id, ""))
                if why is not None and force and not is_gone(deal) else None)
        _noted(prep, first, "; ".join(filter(None, (merge_note, lost.get(target.deal_id)))))
    if moved:
        prep.notes.append(f"{len(moved):,} deal(s) carry a person / organization the job "
                          "wrote merged into another since: Pipedrive moved the deal to "
                          "its survivor, which is no one's edit of it, so that alone is no "
                          "conflict (each said in its row's note)")
    # a restore that would put back a link to a record gone since: that link left, the
    # rest sent (x36r1 F3: a whole-row 400, 20 of 20, after a plan that said "valid")
    prep.notes.extend(await leave_dead_links(ctx, prep, fields, labels))
    if unchecked:
        prep.notes.append(f"{unchecked} created deal(s) could not be checked for later edits "
                          "(the import recorded no update_time): they are deleted as they are")
    prep.calls["updateDeal"] += prep.actions["restore"] + prep.actions[IN_PART]
    prep.calls["deleteDeal"] += prep.actions["delete"]
    deal_conflicts = prep.actions["conflict"]
    if source.kind == "import":
        await _contacts(ctx, prep, source, contacts, force)
    elif contacts:  # said, not refused: the deals are undone as without it
        prep.notes.append(f"--contacts deletes the persons and organizations an import "
                          f"created; job {source.job_id} is {_a(source.kind)} job, which "
                          "creates none")
    if not prep.items and source.kind != "dedupe":
        prep.notes.append(f"job {source.job_id} ({source.kind}) changed no deal: its rows "
                          "failed or were skipped, so there is nothing to put back")
    if source.kind == "dedupe":
        prep.notes.append("merges are final in Pipedrive and cannot be undone; "
                          f"{snapshots_words(export_snapshots(source))}; undo of a dedupe job "
                          "puts back its field-policy PATCHes only"
                          + ("" if todo else " and this job made none: nothing to undo"))
        prep.notes.extend(_values_of_merged_deals(prep, source, force))
    if n := sum(1 for i in source.items(ItemState.SKIPPED)
                if (i.result or {}).get(TALLY) == NOT_OURS):
        # x52r8 F5: an undo said only "undone: 114 deals" of a 120-row job, the 6 deals its
        # resume found as wanted, not provably by it, still holding those values
        prep.meta[META_SOURCE_NOT_OURS] = n
        prep.notes.append(not_ours_line(source.job_id, n))
    if (left := pending_line(source)) is not None:
        # x17r2 3: the undo said "18 restored" of a stopped job, nothing of the 42 rows
        # still pending, and a resume afterwards sent them over it
        prep.meta[META_SOURCE_PENDING] = left
        prep.notes.append(f"job {source.job_id} stopped with {left} still pending (never "
                          "sent): this undo puts back only what the job did; once it runs, "
                          f"`pdbulk resume` / `retry` of job {source.job_id} are refused "
                          "(they would send those rows over the undo)")
    # a deal put back in part (``_restore_held``): one row, said apart, not "left alone"
    partly = [i for i in prep.items
              if i.op == "restore" and i.state is ItemState.PENDING and in_part(i.payload)]
    if partly:
        each = "; ".join(f"deal {i.payload['deal_id']} {partly_note(i.payload)}"
                         for i in partly[:_EACH_PART])
        more = f"; and {len(partly) - _EACH_PART:,} more" if len(partly) > _EACH_PART else ""
        prep.notes.append(f"{len(partly):,} deal(s) to restore in part: the field groups "
                          "changed since the job wrote them are kept as they are now, the "
                          "groups still as the job wrote them are restored — one row each, "
                          f"`{RESTORED_IN_PART}` in succeeded.csv naming what it kept "
                          f"({_force_keeps(partly)}): {each}{more}")
    if unproven := sum(t.in_flight and bool(t.unproven) for t in todo):
        prep.notes.append(f"{unproven:,} deal(s) whose write failed in job {source.job_id} "
                          "as a conflict that may have applied, its resume finding it not "
                          "provably the job's (its write never left, or more such rows than "
                          "writes that may have left: another job or a person may have set "
                          "the same values): left as they are, none of their fields put "
                          "back, even with --force (x51r13 F2)")
    if flights := sum(t.in_flight and not t.unproven for t in todo):
        prep.notes.append(f"{flights:,} deal(s) whose write failed in job {source.job_id} as "
                          "a conflict that may have applied (in flight when a run stopped, "
                          "changed since): the field groups still as the job wrote them are "
                          "put back, the others kept as they are, even with --force (not "
                          "provably the job's)")
    if deal_conflicts:
        # left even by --force: said so, a deal not provably this job's create, or any
        # conflict left when --force was given (x13r1 F6: "--force overwrites them" under
        # --force, for deals that had not changed)
        failed = [(m[1], "leaves" if force or "even with --force" in (i.error or "")
                   or "not provably this job's" in (i.error or "")
                   else "overwrites" if i.op == "restore" else "deletes") for i in prep.items
                  if i.state is ItemState.FAILED
                  and (m := re.match(r"conflict: deal (\d+)", i.error or ""))]
        ids = [deal for deal, _ in failed]
        if ids:  # (an archived deal's conflict has its own words: "0 deal(s) left alone ()")
            # a further undo with nothing to send makes no job, so no failed.csv (f45e)
            where = ("is in failed.csv" if further_undo_idle(source, prep) is None else
                     "is under `bad rows by reason` above (no job is made, so no failed.csv; "
                     f"`pdbulk plan undo {source.job_id} --failed-csv FILE` writes them to a "
                     "file)")
            prep.notes.append(f"{len(ids):,} deal(s) left alone ({_ids_named(ids)}): changed "
                              "since the job wrote them, or not provably its own; each reason "
                              f"{where} ({_force_does_to(failed)})")
    if force and (line := overwritten_line(prep.items, planned=True)) is not None:
        prep.notes.append(line)
    if (contact_conflicts := prep.actions["conflict-person"] + prep.actions["conflict-org"]):
        prep.notes.append(f"{contact_conflicts:,} person(s) / "
                          "organization(s) changed or holding others since the import made "
                          "them: left alone, each with its reason in failed.csv (--force "
                          "deletes them)")
    if undid:  # a further undo: what it found as before the job is put back (x45r9 F2)
        found = [int(i.payload["deal_id"]) for i in prep.items
                 if i.state is ItemState.SKIPPED and i.op == "restore"
                 and isinstance(i.payload.get("deal_id"), int)
                 and (i.payload.get("result") or {}).get("action") == "unchanged"]
        if found:
            await in_thread(lambda: record_found_as_before(source, found))
    return prep


# a deal's link the job wrote that a merge moved: (field, the job's id, the survivor's)
Moved = tuple[str, int, int]
_LINKS = {"person_id": "person", "org_id": "org"}


async def _links_merged(ctx: CallContext, todo: Sequence[Target], current: Mapping[int, Deal],
                        lost: dict[int, str] | None = None,
                        made: Mapping[str, set[int]] | None = None) -> dict[int, list[Moved]]:
    """The deals whose person / organization the job wrote (``person_id`` / ``org_id`` of
    its ``wrote``) was merged since into the one the deal carries now, deal id -> what
    moved. Pipedrive's merge moves the deals of the merged-away record to the survivor
    ("Merge (v1)", FACTS.md; ``bulk.sandbox.merge``): that is no edit of the deal (x38r1
    F7: an import's created deal left as a conflict, "person_id: job's person 49, now
    person 41", 13 of 200 creates). The job's records that differ from the deal's are
    read by id and traced (``dead_links.merged_away``: 1 token each below 10, else 10
    per 100, and the trace's list reads); only a survivor that is the deal's link now
    counts. In the plan: its reads are the plan's, the run re-checks against the
    survivor. ``lost``: gets, per deal, why a link the job wrote, gone since with no
    survivor found, is not followed to the one the deal names now (``_untraced``).
    ``made``: "person" / "org" -> the ids the import created (the others it wrote are a
    colleague's: named so, not "the job's")."""
    pairs: dict[int, list[Moved]] = {}
    for t in todo:
        deal = current.get(t.deal_id)
        if is_gone(deal) or not t.wrote:
            continue
        assert deal is not None
        for name in _LINKS:
            old, now = t.wrote.get(name), deal.get(name)
            if isinstance(old, int) and isinstance(now, int) and old != now:
                pairs.setdefault(t.deal_id, []).append((name, old, now))
    into: dict[str, dict[int, int]] = {}
    gone: dict[str, set[int]] = {}
    went: dict[str, dict[int, str]] = {}  # the second each gone one went in
    for name, kind in _LINKS.items():
        carried: dict[int, list[int]] = {}
        for deal_id, moves in pairs.items():
            for f, old, _ in moves:
                if f == name:
                    carried.setdefault(old, []).append(deal_id)
        gone[name], went[name] = set(), {}
        into[name] = await merged_away(ctx, kind, carried, carried=carried,
                                       untraced=gone[name], seconds=went[name]
                                       ) if carried else {}
    out: dict[int, list[Moved]] = {}
    for deal_id, moves in pairs.items():
        traced = [m for m in moves if into[m[0]].get(m[1]) == m[2]]
        if traced:
            out[deal_id] = traced
        if lost is not None:
            for f, old, now in moves:
                if old in gone[f]:
                    lost[deal_id] = "; ".join(filter(None, (lost.get(deal_id), _untraced(
                        (f, old, now), current[deal_id], traced, went, made))))
    return out


# a link the job wrote to a record gone since that no trace follows to the deal's link now
# (``_links_merged``). Pipedrive's answers name no survivor (FACTS.md: "Merge (v1)"), so a
# merge is traced by what it moved in its second (``jobs.undo.merged``); when the deal
# changed again after that second, the second no longer shows it. What changed it is said
# when it is known — another of its links merged away then (x40r6 F1: a person merged,
# then its deal's organization a second later, was worded as an A→B→C chain that never
# happened) — else the two causes that can be (f39b left it; f40b): deleted, or merged
# into a record merged again since (A into B, then B into C: the second merge moved it all
# again, and no answer names B). A deal not changed since that second rules out a chain.
_UNTRACED = ("its {word} {old} ({whose}) is gone since and nothing ties it to {word} {now} "
             "the deal names now: deleted, or merged into a record merged again since (A "
             "into B, then B into C), which leaves no trace of where it went — so that link "
             "counts as a change")
_MOVED_AGAIN = ("its {word} {old} ({whose}) is gone since {at} (deleted, or merged away: "
                "Pipedrive's answers do not say which), and the deal changed again at {then}, "
                "when its {other} {other_old} was merged into {other} {other_now}: that move "
                "leaves nothing in the second {word} {old} went that names where the deal "
                "went, so nothing ties {word} {old} to {word} {now} the deal names now — that "
                "link counts as a change")
_NOT_SINCE = ("its {word} {old} ({whose}) is gone since {at} and nothing ties it to {word} "
              "{now} the deal names now: deleted, or merged away with no one survivor the "
              "lists name (the deal has not changed since that second, so no later merge "
              "moved it) — so that link counts as a change")
_WORD = {"person_id": "person", "org_id": "organization"}


def _whose(name: str, rid: int, made: Mapping[str, set[int]] | None) -> str:
    """How a link the job wrote is named: ``the job's`` (a record the import created,
    ``made``), else ``a colleague's, which the job linked`` (x40r6 F4: a colleague's
    organization the import found by name was called "(the job's)"; an update / move-stage
    job creates none)."""
    return "the job's" if rid in (made or {}).get(_LINKS[name], ()) \
        else "a colleague's, which the job linked"


def _untraced(move: Moved, deal: Deal, traced: Sequence[Moved],
              went: Mapping[str, Mapping[int, str]],
              made: Mapping[str, set[int]] | None) -> str:
    """Why ``move`` (a link the job wrote, gone since, no survivor found) is not followed
    to the deal's link now, in the words of what is known (``_UNTRACED``): the deal's
    ``update_time`` against the second the record went in (``went``: link -> id -> RFC
    3339), and the deal's other links ``traced`` to a survivor in that later second."""
    name, old, now = move
    word, whose = _WORD[name], _whose(name, old, made)
    at = went.get(name, {}).get(old)
    then, gone_at = parse_time(deal.get("update_time")), parse_time(at)
    if at is None or then is None or gone_at is None:
        return _UNTRACED.format(word=word, old=old, now=now, whose=whose)
    if then < gone_at + 1.0:  # not changed after the second it went in
        return _NOT_SINCE.format(word=word, old=old, now=now, whose=whose, at=at)
    for other, other_old, other_now in traced:
        moved_at = parse_time(went.get(other, {}).get(other_old))
        if other != name and moved_at is not None and int(moved_at) == int(then):
            return _MOVED_AGAIN.format(
                word=word, old=old, now=now, whose=whose, at=at,
                then=deal.get("update_time"), other=_WORD[other], other_old=other_old,
                other_now=other_now)
    return _UNTRACED.format(word=word, old=old, now=now, whose=whose)


def _as_merged(t: Target, deal: Deal | None, moves: Sequence[Moved],
               made: Mapping[str, set[int]] | None = None) -> tuple[Target, str]:
    """``t`` judged as if the job had written the survivors of ``moves`` (``_links_merged``):
    its ``wrote`` names them, so the merge is no field "changed since"; a create whose
    fields a person can edit are, but for those links, as created (its digest) has its
    ``update_time`` and digest taken as of now — the merge moved them, not an edit
    (an edit besides is still a conflict). And the row's note: ``its person 49 (the
    job's) was merged into person 41 since: ...`` (``_whose``: a colleague's record the
    job linked is not "the job's"; ``made``: the import's records)."""
    if not moves or deal is None:
        return t, ""
    wrote = {**(t.wrote or {}), **{name: now for name, _, now in moves}}
    t = replace(t, wrote=wrote)
    if t.digest is not None and t.op == "delete" \
            and editable_digest({**deal, **{n: old for n, old, _ in moves}}) == t.digest:
        t = replace(t, written=deal.get("update_time"), digest=editable_digest(deal))
    return t, "; ".join(f"its {_WORD[n]} {old} ({_whose(n, old, made)}) was merged into "
                        f"{_WORD[n]} {now} since: Pipedrive moved the deal there with it, no "
                        "edit of the deal" for n, old, now in moves)


def _noted(prep: Prepared, first: int, note: str) -> None:
    """``note`` added to the row's pending writes the plan made from ``first`` on (their
    payload's ``note``: succeeded.csv), and to its conflicts' reasons (failed.csv: what
    moved the link was a merge; the conflict is another change)."""
    if not note:
        return
    for n in range(first, len(prep.items)):
        item = prep.items[n]
        if item.state is ItemState.PENDING and item.op in ("delete", "restore"):
            prep.items[n] = replace(item, payload={**item.payload, "note": "; ".join(
                filter(None, (item.payload.get("note"), note)))})
        elif item.state is ItemState.FAILED and item.error:
            prep.items[n] = replace(item, error=f"{item.error}; {note}")


_EACH_PART = 5  # deals restored in part the plan's note names with what each keeps


def _ids_named(ids: Sequence[str]) -> str:
    return ", ".join(ids[:10]) + (f" and {len(ids) - 10:,} more" if len(ids) > 10 else "")


# what --force does to each group of the deals a plan leaves alone: an upsert's undo holds
# restores (overwritten) and the import's creates (deleted) at once (x31r1 1: "--force
# deletes them" of restores); x11r1: a deal --force leaves too is never said overwritten
_FORCE_GROUPS = {"overwrites": "with their values from before the job",
                 "deletes": "the job's create", "leaves": "as well"}


def _force_does_to(failed: Sequence[tuple[str, str]]) -> str:
    """``(deal id, what --force does: overwrites | deletes | leaves)`` -> the words, e.g.
    ``--force overwrites them``, or per group ``--force overwrites 2 of them (48, 49) with
    their values from before the job and deletes 1 (183), the job's create``."""
    groups: dict[str, list[str]] = {}
    for deal, does in failed:
        groups.setdefault(does, []).append(deal)
    if len(groups) == 1:
        (does,) = groups
        return f"--force {does} them" + (" too" if does == "leaves" else "")
    parts: list[str] = []
    for does, tail in _FORCE_GROUPS.items():
        if ids := groups.get(does):
            tail = tail + ("s" if does == "deletes" and len(ids) > 1 else "")
            of = " of them" if not parts else ""
            ids.sort(key=int)
            parts.append(f"{does} {len(ids):,}{of} ({_ids_named(ids)})"
                         + (", " if does == "deletes" else " ") + tail)
    return "--force " + ", ".join(parts[:-1]) + " and " + parts[-1]


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


async def _field_labels(ctx: CallContext, todo: Sequence[Target]
                        ) -> tuple[dict[str, str], list[dict[str, Any]] | None]:
    """The names of the custom fields the source job wrote or imaged (key -> name), so that
    undo's messages name them as the account does (x18r1 7: "a3f9…: …" by the 40-character
    key), and the deal fields read for them (None: not read; ``dead_links`` reads its
    options). One ``getDealFields`` read (10 tokens; priced in the plan, which counts its
    own reads), only when a target holds a custom field; a field deleted since keeps its
    key."""
    codes: set[str] = set()
    for t in todo:
        for held in (t.before, t.wrote):
            codes.update((held or {}).get("custom_fields") or {})
    if not codes:
        return {}, None
    fields = await deal_fields(ctx)
    names = field_names(fields)
    return {code: names[code] for code in sorted(codes) if code in names}, fields


async def _deleted_by_second(ctx: CallContext, source: JobStore,
                             todo: list[Target]) -> dict[int, list[int]]:
    """For an import's undo: the deals someone deleted since the import began — a merge
    deletes the merged deal — by the second (Unix time) of their deletion, those of this
    job left out. A deal this job created that last changed in such a second may have
    absorbed one: a merge in the create's own second leaves its ``update_time`` and its
    fields as the create set them (v9r9: 60 of 60 such survivors deleted by undo, the
    colleagues' deals with them). One list read (``jobs.deals.deleted_since``)."""
    if source.kind != "import" or not any(t.op == "delete" for t in todo):
        return {}
    ours = {t.deal_id for t in todo}
    out: dict[int, list[int]] = {}
    for gone in await deleted_since(ctx, (source.created_at or 0.0) - 120.0):
        at = parse_time(gone.get("update_time"))
        if at is not None and int(gone["id"]) not in ours:
            out.setdefault(int(at), []).append(int(gone["id"]))
    return out


async def _merge_record(source: JobStore) -> dict[int, Merge]:
    """The merges this machine's merge / dedupe jobs recorded on ``source``'s account
    (``jobs.merged_deals``: merged-away deal id -> Merge); {} when it cannot be read (the
    reason then says "may have been merged", as before)."""
    base_url = str((source.config.get("engine") or {}).get("base_url") or "")
    try:
        return await in_thread(lambda: survivors(base_url)) if base_url else {}
    except (OSError, CoordinatorLost):
        return {}


def _absorbed_reason(deal_id: int, gone: Sequence[int], journal: Mapping[int, Merge]) -> str:
    """Why a create that last changed in the second deals ``gone`` were deleted is left
    alone: the merges the merge record names into it (x31r1 3: a dedupe job's merges,
    recorded, said "one may have been merged into it"), else that one may have been."""
    into = [m for m in gone if (hit := journal.get(m)) is not None and hit.survivor == deal_id]
    if into:
        jobs = sorted({journal[m].job for m in into})
        return (f"conflict: deal {deal_id} was a merge survivor: it absorbed deal(s) "
                f"{', '.join(map(str, into[:5]))}{' and more' if len(into) > 5 else ''} "
                f"(job {', '.join(jobs)}; the merge record, merged-deals.jsonl) since; "
                "left alone (--force deletes it)")
    return (f"conflict: deal {deal_id} last changed in the same second as deal(s) "
            f"{', '.join(map(str, gone[:5]))} were deleted: one may have been merged into it "
            "(a merge in the create's own second changes nothing else undo can see); left "
            "alone (--force deletes it)")


def _conflict(prep: Prepared, t: Target, reason: str, *, recheck: bool = True) -> None:
    """A deal someone changed since the source job wrote it: reported, left alone.
    ``recheck=False``: a later job's record says so, and `pdbulk retry` must not take an
    unchanged update_time (1-second resolution) as proof of the opposite."""
    values = t.item.payload.get("values") or {}
    prep.fail(t.item.row, t.item.key, reason, op=t.op, action="conflict", final=False,
              deal_id=t.deal_id, expected_update_time=t.written if recheck else None,
              values=values, before=t.before, conflict=True)


def _edited(t: Target, deal: Deal | None) -> bool:
    """Whether ``deal`` shows an edit since the job wrote it in its fields (what the write
    set, or the fields a person can edit): ``_decide`` then names that edit — the reason
    "a deal was deleted in the same second" is kept for a deal whose fields tell nothing
    (v9r10 cosmetic: it was shown for a deal edited in that second)."""
    if deal is None:
        return False
    return bool((t.wrote is not None and _changed_since(deal, t.wrote))
                or (t.digest is not None and editable_digest(deal) != t.digest))


def _archived_seen(source: JobStore, found: Sequence[tuple[Target, Deal]]) -> dict[str, str]:
    """The deals of ``source`` an undo found archived (deal id -> ``editable_digest`` of the
    deal as found, archived or not alike), with ``found`` (the targets archived now) added
    and kept in the source job (``META_ARCHIVED_SEEN``): its advice "unarchive it, then run
    pdbulk undo again" must work, and the unarchive changes the deal's ``update_time``
    (x24r2 1: the next undo called it a conflict)."""
    seen = source.meta_get(META_ARCHIVED_SEEN)
    seen = dict(seen) if isinstance(seen, Mapping) else {}
    fresh = {str(t.deal_id): _unarchived_digest(deal) for t, deal in found}
    if fresh and any(seen.get(k) != v for k, v in fresh.items()):
        seen.update(fresh)
        source.meta_put(META_ARCHIVED_SEEN, seen)
    return seen


META_ARCHIVED_SEEN = "undo.archived_seen"


def _unarchived_digest(deal: Deal) -> str:
    return editable_digest({**deal, "is_archived": False})


def _round_trip(t: Target, deal: Deal | None, seen: Mapping[str, str]) -> bool:
    """Whether the one change to ``deal`` an undo can see since the job is the archive /
    unarchive round trip an earlier undo advised: it found the deal archived, and the deal
    is now live and unarchived with every field a person can edit as it was then (and the
    fields the job wrote still as it wrote them: ``_decide`` checks those first)."""
    return (t.op == "restore" and deal is not None and not is_gone(deal)
            and not deal.get("is_archived") and str(t.deal_id) in seen
            and _unarchived_digest(deal) == seen[str(t.deal_id)])


def _decide(prep: Prepared, t: Target, deal: Deal | None, force: bool, taken: float,
            merged: Sequence[Survivor] = (), labels: Mapping[str, str] | None = None,
            round_trip: bool = False, later_write: tuple[str, str] | None = None) -> None:
    """What puts ``t``'s deal back: a restore, a delete, a skip or a refusal (a conflict:
    changed since). ``later_write``: with ``force``, (what, the job's id) of a later job's
    write the deal still holds (``targets.later``), which --force overwrites and the plan
    names."""
    row, key = t.item.row, t.item.key
    values = t.item.payload.get("values") or {}
    base: dict[str, Any] = {"deal_id": t.deal_id, "expected_update_time": t.written,
                            "values": values, "wrote": dict(t.wrote or {})}
    if t.in_flight:  # its restore in part keeps the other groups even with --force
        base[IN_FLIGHT] = True
    if round_trip and deal is not None:  # the unarchive is the change: from it on
        base["expected_update_time"] = deal.get("update_time")
    if is_gone(deal):
        why = _merged_reason(t, merged, labels)
        if t.op == "delete":
            merge = why is not None and f"deal {t.deal_id} was merged into deal " in why
            prep.skip(row, key, {"deal_id": t.deal_id, "action": "already deleted",
                                 **({"note": why} if why else {}),
                                 **({TALLY: "merged away"} if merge else {})},
                      op=t.op, values=values, deal_id=t.deal_id)
            if merge:
                # the tally names the merge a merge job recorded (x46r7 F6: "already deleted
                # 6" of an import's deals a dedupe merged away); the result's action stays
                # "already deleted" (later jobs read it), as ``_already_gone``'s; the run
                # tallies it so too (``TALLY``; x46r12 F7: it said "already deleted")
                prep.actions["already deleted"] -= 1
                prep.actions["merged away"] += 1
                prep.actions += Counter()  # (no "already deleted: 0" left)
        elif why is not None:
            # "merged away" only where the merge is known (a merge job's record, or the one
            # deal holding what the job wrote); else it was deleted, possibly merged: the
            # API keeps no link from a merged deal to its survivor (x24r2 4: a plain
            # DELETE was counted "merged away")
            known = f"deal {t.deal_id} was merged into deal " in why
            prep.fail(row, key, why, op=t.op, values=values, deal_id=t.deal_id,
                      action="merged away" if known else "deleted or merged away")
        else:
            prep.fail(row, key, f"deal {t.deal_id} is deleted: nothing to restore", op=t.op,
                      values=values, deal_id=t.deal_id)
        return
    assert deal is not None
    if t.op == "restore" and t.before is None:
        prep.fail(row, key, f"deal {t.deal_id}: the job stored no before-image of it, so "
                            "what it changed cannot be put back", op=t.op, action="no image",
                  values=values, deal_id=t.deal_id)
        return
    now_time = deal.get("update_time")
    changes = restore_body(deal, t.before) if t.before is not None else {}
    if (t.doubt or t.in_flight) and not changes:  # as before the PATCH: it never applied
        # (or was put back)
        what = "its field-policy PATCH was" if t.doubt else "its write was in flight and"
        prep.skip(row, key, {"deal_id": t.deal_id, "action": "unchanged",
                             "note": f"{what} in doubt; the deal holds the values from "
                                     "before it"},
                  op=t.op, values=values, deal_id=t.deal_id)
        return
    if t.doubt and t.wrote is not None and (moved := _changed_since(deal, t.wrote, labels)):
        # never proven sent, and the deal does not hold what it would have set: nothing
        # here is provably this job's, so even --force leaves it (v9r17 S1: --force put
        # the plan's value over a colleague's on a survivor the job never wrote)
        prep.fail(row, key, f"conflict: deal {t.deal_id}: its field-policy PATCH was in "
                            "doubt (a run stopped around it) and the deal does not hold what "
                            f"it would have set ({moved}): it may never have applied, so "
                            "nothing here is this job's to put back; left alone, even with "
                            "--force", op=t.op, action="conflict", **base, before=t.before)
        return
    if t.op == "restore" and not changes:
        # every field the job wrote holds its value from before the job again (an earlier
        # undo of it put them back: x10r2 listed such deals as "changed since ... (--force
        # overwrites them)"): nothing to put back, nobody's value to keep
        # the groups named (x45r9 F3: "already as before the job" named none)
        written = t.wrote or t.before or {}
        words = ", ".join(_group_words(g, labels) for g in write_groups(written))
        prep.skip(row, key, {"deal_id": t.deal_id, "action": "unchanged",
                             "note": "already as before the job"
                                     + (f" ({words})" if words else "")},
                  op=t.op, values=values, deal_id=t.deal_id)
        return
    if t.op == "restore" and t.wrote is not None and t.before is not None:
        # a group already as before the job (an earlier undo of it put it back) is done:
        # neither put back again nor a change since to keep (x42r4 F2: a second undo named
        # the title the first one put back a conflict, "--force puts it back", over a
        # colleague's amount it did not name)
        left = [g for g in write_groups(t.wrote) if g in set(write_groups(changes))]
        t = replace(t, wrote=write_part(t.wrote, left), before=image_part(t.before, left))
        base["wrote"] = dict(t.wrote or {})
    if t.in_flight and t.unproven:
        # the same rule as the resume's (``jobs.provable_writes``): a group as the write
        # wanted may be another's same value; nothing of it is provably this job's
        # (x51r13 F2: "restored in part" moved another job's stage back on 29 deals)
        # (a skip, not a conflict: nothing here is the job's to put back, so nothing
        # waits on the user; x51r13 F5: an undo of a job that wrote nothing exited 3)
        prep.skip(row, key, {"deal_id": t.deal_id, "action": "unchanged", TALLY: NOT_OURS,
                             "note": f"the job's write to deal {t.deal_id} was in flight when "
                                     "its run stopped and its resume found it not provably "
                                     f"this job's ({t.unproven}): no field of it is put back, "
                                     "not even those still as it wrote them; left as it is, "
                                     "even with --force"},
                  op=t.op, values=values, deal_id=t.deal_id)
        return
    if t.in_flight and t.wrote is not None and t.before is not None \
            and (moves := groups_moved(deal, t.wrote, t.before)):
        # a write that may have applied is this job's only in the groups holding what it
        # wrote: those are put back, the others kept, even with --force (x44r3 F1)
        _restore_held(prep, t, deal, moves, base, labels, taken)
        return
    if t.wrote is not None and not force and t.op == "restore" and t.before is not None \
            and (moves := groups_moved(deal, t.wrote, t.before, written=t.written)):
        # per field group (``jobs.deals.FIELD_GROUPS``): the groups a colleague changed
        # since are left, the others put back (f32k: the whole deal was left for one field)
        _restore_held(prep, t, deal, moves, base, labels, taken)
        return
    if t.wrote is not None and not force and (moved := _changed_since(deal, t.wrote, labels)):
        kept = _still_written(deal, t.wrote, labels)
        # what --force does to it, by what undo does (x24r2 6: "--force puts it back" of an
        # import's create, which --force deletes)
        prep.fail(row, key, f"conflict: deal {t.deal_id} changed since the job wrote it "
                            f"({moved}); left alone"
                            + (f": {', '.join(kept)} too, still as the job wrote "
                               f"{'it' if len(kept) == 1 else 'them'} (a deal is deleted "
                               "whole or not at all; --force deletes it)"
                               if kept else " (--force deletes it)"),
                  op=t.op, action="conflict", **base, before=t.before)
        return
    if t.digest is not None and not force and editable_digest(deal) != t.digest:
        # an edit in the create's own second (an automation) leaves update_time as the
        # create set it: the fields a person can edit tell (issue 9, v9r4 F4)
        _conflict(prep, t, f"conflict: deal {t.deal_id} was edited since the job created "
                           f"it (a field a person can edit — {', '.join(EDITABLE[:-1])} or "
                           "a custom field — is no longer as created); left alone")
        return
    if t.written is not None and now_time != t.written and not force and not round_trip \
            and not (t.op == "restore" and t.wrote is not None):
        # (a restore compares each field the job wrote, and writes no other: a change of
        # another field since is no one's value it overwrites — ``_overwrites``)
        _conflict(prep, t, f"conflict: deal {t.deal_id} changed since the job wrote it "
                           f"(update_time {t.written} then, {now_time} now); left alone")
        return
    if force and (over := _overwrites(t, deal, later_write, labels, round_trip)):
        base[OVERWRITES] = over  # a conflict without --force: named, never silent (x27r3 2)
    if t.op == "delete":
        prep.add(NewItem(row=row, key=key, op="delete", payload=base), "delete")
        prep.images.append(BeforeImage("deal", t.deal_id, None, dict(deal), taken))
        return
    if not changes:
        prep.skip(row, key, {"deal_id": t.deal_id, "action": "unchanged"}, op=t.op,
                  values=values, deal_id=t.deal_id)
        return
    if (why := unrestorable(changes, labels)) is not None:
        # no PATCH puts it back exactly: said at the plan, never a valid row that fails at
        # its write (x27r3 1: "valid" at the plan, then 400, the deal left as the job left
        # it); a deal is put back whole or not at all
        prep.fail(row, key, f"deal {t.deal_id} cannot be put back: {why}; nothing restored "
                            "(put that field back by hand)", op=t.op,
                  action="cannot restore", values=values, deal_id=t.deal_id)
        return
    prep.add(NewItem(row=row, key=key, op="restore", payload={
        **base, "changes": changes, "fields": changed_names(changes, labels=labels)}),
        "restore")
    prep.images.append(BeforeImage("deal", t.deal_id, None, before_image(deal, changes), taken))


# a restore's payload: the source's write may have applied (``Target.in_flight``)
IN_FLIGHT = "in_flight"


def _force_keeps(partly: Sequence[Any]) -> str:
    """What --force does to the groups restores in part (``partly``, items) keep: restores
    them, but for a write that may have applied (``IN_FLIGHT``), not provably the job's."""
    doubted = sum(bool(i.payload.get(IN_FLIGHT)) for i in partly)
    if not doubted:
        return "--force restores those kept too"
    if doubted == len(partly):
        return "even --force keeps them: the job's write to these deals may never have applied"
    return (f"--force restores those kept too, but for the {doubted:,} whose write may have "
            "applied")


# a group of fields as a conflict names it (``jobs.deals.FIELD_GROUPS``)
_GROUP_WORDS = {"value": "the amount with its currency",
                "status": "the status with its reason and times",
                "stage_id": "the stage with its pipeline"}


def _group_words(group: str, labels: Mapping[str, str] | None) -> str:
    if group.startswith(CUSTOM_GROUP):
        return label(group[len(CUSTOM_GROUP):], labels)
    return _GROUP_WORDS.get(group, group)


def _moves_shown(moves: Mapping[str, Sequence[tuple[str, Any, Any]]], wrote: Mapping[str, Any],
                 labels: Mapping[str, str] | None) -> str:
    """``groups_moved``'s fields with both values, as ``_changed_since`` shows them: ``value:
    job's 1500, now 444``; a field of the group the job did not write: ``currency: 'USD'
    at the job's write, now 'EUR'``."""
    custom = wrote.get("custom_fields") or {}
    out = []
    for group, fields in moves.items():
        for name, then, now in fields:
            code = group.startswith(CUSTOM_GROUP)
            named = label(name, labels) if code else name
            if name in (custom if code else wrote):
                out.append(f"{named}: job's {shown(name, then, labels)}, "
                           f"now {shown(name, now, labels)}")
            else:
                out.append(f"{named}: {shown(name, then, labels)} at the job's write, "
                           f"now {shown(name, now, labels)}")
    return "; ".join(out)


def _restore_held(prep: Prepared, t: Target, deal: Deal, moves: Mapping[str, Any],
                  base: Mapping[str, Any], labels: Mapping[str, str] | None,
                  taken: float) -> None:
    """A restore some of whose field groups someone changed since the job (``moves``:
    ``groups_moved``): those groups are kept as they are now and the groups that still
    hold what the job wrote are put back — one item, one row, ``IN_PART`` (its payload's
    ``PARTLY`` names the groups kept and each changed field; x39r5: a restore and a
    conflict of one row counted it twice). With nothing left to put back it is a conflict.
    A group is never split: its fields are restored together or not at all."""
    assert t.wrote is not None and t.before is not None
    row, key = t.item.row, t.item.key
    left = list(moves)
    held = [g for g in write_groups(t.wrote) if g not in moves]
    changes = restore_body(deal, image_part(t.before, held)) if held else {}
    if changes and unrestorable(changes, labels) is not None:
        changes = {}  # no PATCH puts it back exactly: left with the rest (``_decide``)
    moved = _moves_shown(moves, t.wrote, labels)
    words = ", ".join(_group_words(g, labels) for g in left)
    if not changes and t.in_flight:
        prep.fail(row, key, f"conflict: deal {t.deal_id}: the job's write to it was in flight "
                            "when its run stopped and may have applied, but the deal holds "
                            f"nothing it wrote now ({moved}): nothing here is provably "
                            "this job's to put back; left alone, even with --force",
                  op=t.op, action="conflict", **base, before=t.before)
        return
    if not changes:
        kept = _still_written(deal, write_part(t.wrote, left), labels)
        changed: dict[str, Any] = {CHANGED_GROUPS: left}  # each left as it is now
        prep.fail(row, key, f"conflict: deal {t.deal_id} changed since the job wrote it "
                            f"({moved}); left alone"
                            + (f": {', '.join(kept)} too, still as the job wrote "
                               f"{'it' if len(kept) == 1 else 'them'}" if kept else "")
                            + " (fields that go together — an amount and its currency, a "
                            "status and its times, a stage and its pipeline — are put back "
                            "together or not at all; --force puts it back)",
                  op=t.op, action="conflict", **base, before=t.before, **changed)
        return
    fields = changed_names(changes, labels=labels)
    payload = {**base, "wrote": write_part(t.wrote, held), "changes": changes,
               "fields": fields,
               # "kept": the groups left, by name: a further undo works on those alone
               # (``jobs.undo.undone.put_back``)
               PARTLY: {"groups": words, "fields": moved, "kept": left}}
    prep.add(NewItem(row=row, key=key, op="restore", payload=payload), plan_action(payload))
    prep.images.append(BeforeImage("deal", t.deal_id, None, before_image(deal, changes), taken))


# what a write --force sends overwrites, in its payload: {"by": "job B" | OTHERS, "what":
# the change}; the plan's note and the run's summary count and name them (x27r3 2)
OVERWRITES = "overwrites"
# a --force write's result: the change since the plan it was sent over, found by the
# re-check right before it (``jobs.undo.job``; x36r2 F1), {by, what} as ``OVERWRITES``
OVERWROTE = "overwrote"


def overwrote(item: Any) -> Mapping[str, Any] | None:
    """The change since the job a --force write of ``item`` was sent over: the one the
    plan named (``OVERWRITES`` in its payload) or the one its re-check found (``OVERWROTE``
    in its result); None: none."""
    over = (item.result or {}).get(OVERWROTE) if item.result else None
    if not isinstance(over, Mapping):
        over = item.payload.get(OVERWRITES)
    return over if isinstance(over, Mapping) else None
OTHERS = "changes made since by others"


def _overwrites(t: Target, deal: Deal, later_write: tuple[str, str] | None,
                labels: Mapping[str, str] | None, round_trip: bool) -> dict[str, str] | None:
    """The change since the job that the write of ``t`` overwrites under --force — each one
    a conflict without it — None when the deal is as the job left it: a later job's write
    (``later_write``, by that job), else someone else's: a field the job wrote no longer as
    it wrote it, a field a person can edit no longer as created, the deal archived, or its
    ``update_time`` moved (a deletion's; a restore whose written fields all hold what the
    job wrote overwrites nothing of anyone's)."""
    if later_write is not None:
        what, job_id = later_write
        return {"by": f"job {job_id}" if job_id else "a later job", "what": what}
    now = deal.get("update_time")
    if t.op == "restore" and t.wrote is not None and t.before is not None \
            and (moves := groups_moved(deal, t.wrote, t.before, written=t.written)):
        what = _moves_shown(moves, t.wrote, labels)
    elif t.wrote is not None and (moved := _changed_since(deal, t.wrote, labels)):
        what = moved
    elif t.digest is not None and editable_digest(deal) != t.digest:
        what = "a field a person can edit is no longer as created"
    elif deal.get("is_archived"):
        what = "archived since the job"
    elif t.op == "restore" and t.wrote is not None:
        # every field the job wrote still holds what it wrote: the restore puts back those
        # fields alone, over nobody's change (x28r2 F7: a colleague's new person and
        # organization, left as they were, was counted "overwrote" by its update_time)
        return None
    elif t.written is not None and now != t.written and not round_trip:
        what = f"update_time {t.written} then, {now} now"
    else:
        return None
    return {"by": OTHERS, "what": what}


def overwritten_line(items: Iterable[Any], *, planned: bool) -> str | None:
    """The line that counts and names the writes of an undo --force that overwrite a change
    since the job (``OVERWRITES`` in their payload): ``5 overwrite a later change (job B:
    4, changes made since by others: 1; deals 12, 13, ...)``; None when none does.
    ``items``: the plan's pending writes (``planned``), or the run's done ones."""
    by: Counter[str] = Counter()
    ids: list[str] = []
    for item in items:
        over = item.payload.get(OVERWRITES) if planned else overwrote(item)
        if not isinstance(over, Mapping):
            continue
        if planned and item.state is not ItemState.PENDING:
            continue
        if not planned and (item.result or {}).get("action") not in UNDID:
            continue
        by[str(over.get("by"))] += 1
        ids.append(str(item.payload.get("deal_id")))
    if not ids:
        return None
    named = ", ".join(ids[:10]) + (f" and {len(ids) - 10:,} more" if len(ids) > 10 else "")
    whose = ", ".join(f"{who}: {n:,}" for who, n in sorted(by.items()))
    verb = "overwrite" if planned else "overwrote"
    return (f"--force: {len(ids):,} of the deal writes {verb} a change made since the job "
            f"({whose}; deals {named}), each a conflict without --force"
            + ("; to keep a later job's writes, undo that job first (newest first)"
               if planned and any(w != OTHERS for w in by) else ""))


# a deal a gone target may have been merged into: its id, the deal as read now (None:
# not read), and how it is known (a merge job of this job directory; None: inferred)
Survivor = tuple[int, Deal | None, str | None]


async def _merged_into(ctx: CallContext, gone: Sequence[int], later: Mapping[int, str],
                       written: Mapping[int, str | None],
                       own: Mapping[int, Mapping[str, Any]] | None = None
                       ) -> dict[int, list[Survivor]]:
    """The deals each gone target (``gone``) may have been merged into. Pipedrive keeps no
    link from a merged-away deal to its survivor: the merged deal reads as deleted (FACTS,
    Merge), and the merge changes both deals in the same second. So: a merge job in this
    job directory that records it (``Later.merges``: "merged into deal N (job J)", whatever
    later job wrote the deal first: x46r3 F3), else the deals
    (live) whose ``update_time`` is the second of its deletion. One read of the deleted
    deals (``GET /api/v2/deals?ids=&status=deleted``, 10 tokens per 100), one of the deals
    changed in each such second (``updated_since`` / ``updated_until``, 10 tokens), and
    one of the survivors a merge job names (x17r2 2: "deal 353 is deleted: nothing to
    restore" of a deal a colleague merged into 354, which held the job's values).
    ``written``: the update_time the job's write returned, by deal: a deal of the job's
    still at it changed in that second by the job's own write, so it is named only when
    no other deal changed then. ``own``: what each of the job's deals held once the job was
    done with it (``_held_after``): a deal of that second is shown (to ``_merged_reason``)
    without those fields, as a merge fills only empty ones and holding them is no sign of
    one (x42r4 F3: a Renewal date the job wrote to every even deal named deal 214 the
    survivor of deal 212, which a colleague deleted in the second they retitled 214; x51r7
    F2: a Lead source deal 51 held before the job named it the survivor of deal 2)."""
    if not gone:
        return {}
    out: dict[int, list[Survivor]] = {}
    named: dict[int, tuple[int, str]] = {}
    for deal_id in gone:
        record = re.match(r"merged into deal (\d+) \((job .+)\)$", later.get(deal_id, ""))
        if record:
            named[deal_id] = (int(record[1]), record[2])
    read = await read_deals(ctx, [y for y, _ in named.values()]) if named else {}
    for deal_id, (survivor, how) in named.items():
        out[deal_id] = [(survivor, read.get(survivor), how)]
    deleted = await read_deals(ctx, [d for d in gone if d not in named], deleted=True)
    by_second: dict[int, list[int]] = {}
    for deal_id, gone_deal in deleted.items():
        at = parse_time(gone_deal.get("update_time"))
        if at is not None:
            by_second.setdefault(int(at), []).append(deal_id)
    for second, ids in by_second.items():
        params = {"updated_since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second)),
                  "updated_until": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                 time.gmtime(second + 1))}
        changed: list[Deal] = []
        async for page in ctx.paginate("getDeals", params=params, limit=500):
            changed.extend(d for d in page.data or () if not is_gone(d))
        for deal_id in ids:
            then = [d for d in changed if int(d["id"]) != deal_id
                    and int(parse_time(d.get("update_time")) or -1) == second]
            others = [d for d in then if d.get("update_time") != written.get(int(d["id"]))]
            out[deal_id] = [(int(d["id"]), _without_own(d, (own or {}).get(int(d["id"]))),
                             None) for d in others or then]
    return out


def _held_after(source: JobStore, wrote: Mapping[int, Mapping[str, Any]]
                ) -> dict[int, dict[str, Any]]:
    """Deal id → what ``source`` knows the deal held once the job was done with it: what it
    wrote there (``wrote``, by deal) over what its rows named and the deal already held
    (``HELD_AT_LOAD``, an update's items, skipped ones too). x51r7 F2."""
    out: dict[int, dict[str, Any]] = {}
    for item in source.items():
        held = item.payload.get(HELD_AT_LOAD)
        deal_id = item.payload.get("deal_id")
        if isinstance(held, Mapping) and isinstance(deal_id, int):
            out[deal_id] = dict(held)
    for deal_id, body in wrote.items():
        mine = out.setdefault(deal_id, {})
        custom = {**(mine.get("custom_fields") or {}), **(body.get("custom_fields") or {})}
        mine.update(body)
        if custom:
            mine["custom_fields"] = custom
    return out


def _without_own(deal: Deal, held: Mapping[str, Any] | None) -> Deal:
    """``deal`` with each field the job knows it held a value in once the job was done with
    it (``held``: ``_held_after``'s) emptied (None), and each that holds what the job
    wrote there: a merge fills only a survivor's empty fields (FACTS, Merge), so such a
    value came from no deal merged into it (x42r4 F3: the job's own write; x51r7 F2: a
    Lead source the deal held before the job)."""
    if not held:
        return deal

    def mine(value: Any, known: Mapping[str, Any], name: str) -> bool:
        return name in known and (not blank(known[name]) or same(value, known[name]))

    out = {k: None if k != "custom_fields" and mine(v, held, k) else v
           for k, v in deal.items()}
    custom, known = deal.get("custom_fields"), held.get("custom_fields")
    if isinstance(custom, Mapping) and isinstance(known, Mapping):
        out["custom_fields"] = {k: None if mine(v, known, k) else v
                                for k, v in custom.items()}
    return out


# fields every deal holds a value in: a merge never fills them (FACTS, Merge: only the
# survivor's empty fields are filled from the merged deal), so a deal holding the value
# the job wrote to one is no sign of a merge
_ALWAYS_HELD = frozenset({"status", "stage_id", "pipeline_id", "currency", "user_id",
                          "owner_id", "visible_to", "is_archived", "is_deleted"})


def _identifying(wrote: Mapping[str, Any]) -> dict[str, Any]:
    """What the job wrote (``wrote``, a write body) that can show a merge moved it to
    another deal: no empty value (None, "", [], a structured value with every part empty:
    a lost deal's ``won_time``, which every open deal holds too — x44r3 F2 named an
    unrelated deal the survivor by it) and no field every deal holds (``_ALWAYS_HELD``)."""
    out: dict[str, Any] = {k: v for k, v in wrote.items()
                           if k != "custom_fields" and k not in _ALWAYS_HELD and not blank(v)}
    custom = {k: v for k, v in (wrote.get("custom_fields") or {}).items() if not blank(v)}
    if custom:
        out["custom_fields"] = custom
    return out


def _merged_reason(t: Target, merged: Sequence[Survivor],
                   labels: Mapping[str, str] | None = None) -> str | None:
    """Why a gone target's deal is not put back when it was merged into another deal (None:
    no sign of a merge). The survivor is someone else's merge: never written; the row says
    which of the fields the job wrote the survivor now holds (a custom field by its name in
    ``labels``, key -> name: x30r1 L3 named it by its 40-character key).

    A merge is named only where it is known: a merge job of this job directory records
    it, or of the deals changed in the second of the deletion exactly one holds what the
    job wrote to the deleted deal and not to that deal itself (a merge fills the
    survivor's empty fields from the merged deal; ``_merged_into`` empties what the job
    wrote to the candidate: x42r4 F3). Else the row says "deleted since the job, by whom
    unknown", never "merged into". Where
    several of them hold it, or none does, which deal (if any) took it
    cannot be told — Pipedrive keeps no link from a merged deal to its survivor, and its
    histories (``/deals/{id}/changelog``, 20 tokens, ``/flow``, 40, a deal each) name no
    merge — so the row says what is known: deleted since the job, by whom unknown,
    possibly merged (f22d F5: "merged into deal 7 or 10 or 22", three merges guessed
    from a busy second)."""
    if not merged:
        return None
    wrote = _identifying(t.wrote or {})
    held = [(y, _still_written(d, wrote, labels) if d is not None else [], how)
            for y, d, how in merged]
    holders = [(y, fields, how) for y, fields, how in held if fields]
    verb = "restored" if t.op == "restore" else "deleted"
    known = len(held) == 1 and held[0][2] is not None
    if holders and (known or len(holders) == 1):
        y, fields, how = holders[0]
        whence = f" ({how})" if how is not None else f" (deleted in the second deal {y} last changed)"
        return (f"deal {t.deal_id} was merged into deal {y}{whence}: deal {y} now holds "
                f"{', '.join(fields)} the job wrote to deal {t.deal_id}; not {verb}: nothing "
                f"of deal {t.deal_id}'s is written to another deal")
    if known:
        y, _, how = held[0]
        return (f"deal {t.deal_id} was merged into deal {y} ({how}), which holds none of "
                f"the values the job wrote to deal {t.deal_id}: nothing to put back")
    others = (f"{len(held)} other deals changed in the second it was deleted"
              if len(held) > 1 else "another deal changed in the second it was deleted")
    if holders:
        return (f"deal {t.deal_id} was deleted since the job, by whom unknown (possibly "
                f"merged into another deal: {others}, {len(holders)} of them holding values "
                f"the job wrote to it, and Pipedrive keeps no link from a merged deal to its "
                f"survivor); not {verb}: nothing of deal {t.deal_id}'s is written to another "
                "deal")
    # x42r4 F3: a value the job wrote to that deal too is no sign, nor one it held before
    # the job (x51r7 F2): a merge fills only empty fields (``_without_own``)
    return (f"deal {t.deal_id} was deleted since the job, by whom unknown (possibly merged "
            f"into another deal, but nothing shows it: {others}, none holding a value the "
            f"job wrote to deal {t.deal_id} in a field a merge could have filled — not one "
            "the job wrote a value to there too, nor one it held as the job's row named "
            "it — and Pipedrive keeps no link from a merged deal to its survivor): nothing "
            "to put back")


def _values_of_merged_deals(prep: Prepared, source: JobStore, force: bool = False) -> list[str]:
    """A dedupe undo's restores that would take from a survivor a value one of the deals
    merged into it had: that value is in no live deal once put back (merges are final;
    the merged deal's snapshot is in the dedupe job). By default such a field (with its
    group: an amount with its currency) is left as it is and the rest put back — the
    restore narrowed, or skipped when nothing else is left —, each said in a note and in
    the row's result (x34r2 F5: a won deal's 8,800 went back to 0, External ID ``CAMP-19``
    back to ``-``, a title back to its typo); with ``force`` it is put back, said in a note
    (x11r1 M4). Returns the notes."""
    merged: dict[int, list[tuple[int, list[Any]]]] = {}
    for item in source.items(ItemState.DONE):
        record = item.payload.get("record")
        if item.op == "merge" and isinstance(record, list) and len(record) >= 17:
            merged.setdefault(int(item.payload["survivor_id"]), []).append(
                (int(item.payload["merge_id"]), record))
    now = {b.entity_id: b.before for b in prep.images}
    out: list[str] = []
    said_of: list[tuple[int, str]] = []  # (deal, what came from a deal merged away)
    for n, restore in enumerate(list(prep.items)):
        if restore.op != "restore" or restore.state is not ItemState.PENDING:
            continue
        deal_id = int(restore.payload["deal_id"])
        held = now.get(deal_id) or {}
        changes = restore.payload["changes"]
        came: dict[str, tuple[str, int]] = {}  # group -> (what the note says, merged deal)
        for name, custom in [*((k, False) for k in changes if k != "custom_fields"),
                             *((k, True) for k in changes.get("custom_fields") or {})]:
            value = (held.get("fields") or {}).get(
                name, (held.get("custom_fields") or {}).get(name))
            if value is None or value == "":  # 0 is a value (x11r4 F4: min's 0 went unnamed)
                continue
            for merge_id, record in merged.get(deal_id, ()):
                theirs = {"value": record[6], "expected_close_date": record[14],
                          "org_id": record[3], "person_id": record[5], "owner_id": record[11],
                          "title": record[1]}.get(name, (record[16] or {}).get(name))
                if theirs is not None and same(theirs, value):
                    named = label(name, prep.meta.get(META_FIELD_LABELS))
                    came.setdefault(field_group(name, custom=custom),
                                    (f"its {named} {_shown(prep, name, value)}", merge_id))
                    break
        if not came:
            continue
        said = "; ".join(f"{what} came from deal {merge_id}, merged away" for what, merge_id
                         in came.values())
        said_of.append((deal_id, said))
        if force:
            forced = (f"{said}: put back (--force), that value is now in no live deal "
                      f"(merges are final; the merged deal's snapshot is in job "
                      f"{source.job_id})")
            out.append(f"deal {deal_id}: {forced}")
            prep.items[n] = replace(restore, payload={  # the row's note says it too
                **restore.payload, "note": "; ".join(filter(None, (
                    restore.payload.get("note"), forced)))})
            continue
        rest = [g for g in write_groups(changes) if g not in came]
        left = (f"{said}; putting it back would lose it (in no live deal then: merges are "
                f"final), so it is left; --force puts it back")
        out.append(f"deal {deal_id}: {left}")
        if not rest:
            prep.items[n] = NewItem(row=restore.row, key=restore.key, op=restore.op,
                                    state=ItemState.SKIPPED, payload={
                                        **restore.payload, "result": {
                                            "deal_id": deal_id, "action": "kept merged value",
                                            "note": "; ".join(filter(None, (
                                                left, partly_note(restore.payload))))}})
            prep.actions[plan_action(restore.payload)] -= 1
            prep.actions["kept merged value"] += 1
            prep.calls["updateDeal"] -= 1
            prep.actions += Counter()  # (no "restore: 0" left in the plan's counts)
            prep.calls += Counter()
            continue
        kept = write_part(changes, rest)
        prep.items[n] = replace(restore, payload={
            **restore.payload, "changes": kept, "wrote": write_part(
                restore.payload.get("wrote") or {}, rest),
            "fields": changed_names(kept, labels=prep.meta.get(META_FIELD_LABELS)),
            "note": left})
    return out if len(out) <= _EACH else [_merged_values_note(said_of, force, source.job_id)]


_EACH = 3  # merged-away values a dedupe undo's plan names one note each; more: one note


def _merged_values_note(said_of: Sequence[tuple[int, str]], force: bool, job: str) -> str:
    """One note for the survivors holding a value that came from a deal merged into them
    (``_values_of_merged_deals``), the first ``_EACH`` named, the rest counted — each row's
    note (succeeded.csv) names its own (f38b: a nightly dedupe of 19 groups with a value
    policy printed 19 such notes, one a survivor: thousands for a big one)."""
    shown = "; ".join(f"deal {deal}: {said}" for deal, said in said_of[:_EACH])
    more = len(said_of) - _EACH
    head = f"{len(said_of):,} survivor(s) hold a value that came from a deal merged into them"
    what = (": put back (--force), those values are now in no live deal (merges are final; "
            f"the merged deals' snapshots are in job {job})" if force else
            ": putting it back would lose it (in no live deal then: merges are final), so "
            "it is left and the rest put back; --force puts it back")
    return (f"{head}{what} — {shown}; and {more:,} more (each said in its row's note in "
            "succeeded.csv)")


def _shown(prep: Prepared, name: str, value: Any) -> str:
    """A value of field ``name`` as a note shows it (``jobs.deals.shown``): an option,
    stage, pipeline or user by the name the source job read (``META_VALUE_LABELS``), a
    person / organization as such; any other value as it is."""
    names = prep.meta.get(META_VALUE_LABELS) or {}
    labels = {value_key(name, i): str(n) for i, n in (names.get(name) or {}).items()}
    text = shown(name, value, labels)
    return str(value) if text == repr(value) else text


def _still_written(deal: Deal, wrote: Mapping[str, Any],
                   labels: Mapping[str, str] | None = None) -> list[str]:
    """The fields (of those the job wrote) that still hold what it wrote: what a conflict
    on another of them leaves as the job wrote it (x15r1 F1: not said). ``labels``:
    custom field key -> name."""
    custom = deal.get("custom_fields") or {}
    return ([k for k, v in wrote.items() if k != "custom_fields" and same(deal.get(k), v)]
            + [label(k, labels) for k, v in (wrote.get("custom_fields") or {}).items()
               if same(custom.get(k), v)])


def _changed_since(deal: Deal, wrote: Mapping[str, Any],
                   labels: Mapping[str, str] | None = None) -> str:
    """The fields (of those the job wrote) whose values are no longer what it wrote, each
    with both values as the run's conflicts show them (``shown``): ``value: job's 4242, now
    5000; Lead source: job's Partner, now Cold call`` ("" when none moved)."""
    custom = deal.get("custom_fields") or {}
    moved = [(k, k, v, deal.get(k)) for k, v in wrote.items()
             if k != "custom_fields" and not same(deal.get(k), v)]
    moved += [(label(k, labels), k, v, custom.get(k))
              for k, v in (wrote.get("custom_fields") or {}).items()
              if not same(custom.get(k), v)]
    return "; ".join(f"{name}: job's {shown(key, then, labels)}, now {shown(key, now, labels)}"
                     for name, key, then, now in moved)
