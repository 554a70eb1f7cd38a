"""Undo a finished (or stopped) run, as a new job: ``pdbulk undo JOB``.

What can be undone, and how:
- ``update`` and ``move-stage``: every deal the job changed gets its before-image
  back (only the fields that differ now), the stage with its pipeline, a status
  with its lost reason and close times;
- ``import``: the deals it created are deleted (and deals an upsert updated get
  their before-images back, when the import stored them).
A deal that changed since the job wrote it (its ``update_time`` is no longer
the one the job's PATCH returned) is a *conflict*: it is reported as a failed
row and left alone — unless ``--force``. The current deals are read 100 per
call (10 tokens) to decide this before the plan is shown.

Merges are final in Pipedrive: undo refuses, and points at the snapshots the
merge job stored (exported to ``merge-snapshots.jsonl`` in its directory).
A ``dedupe`` job's merges are final too; undo puts back what its field-policy
PATCHes changed on the survivors (their ``deal-policy`` before-images; the
merges changed the survivors' ``update_time``, so a conflict is a field the
PATCH set whose value is no longer the one it set) and exports the snapshots
the same way. Every PATCH the job sent or may have sent is in the plan, whatever
became of its group's merge (``_policy_targets``): a PATCH in doubt whose survivor
holds the values from before it is ``unchanged``, never skipped unsaid.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.to_thread
import orjson

from bulk.calls import CallContext
from bulk.errors import InputError, NotFound, StoreError
from bulk.runner import RunResult
from bulk.store import (
    AsyncJobStore,
    BeforeImage,
    Item,
    ItemState,
    JobStore,
    NewItem,
    Outcome,
    list_jobs,
)

from .deals import (
    EDITABLE,
    Deal,
    batched_calls,
    before_image,
    editable_digest,
    in_flight,
    is_gone,
    read_archived,
    read_deals,
    reread_calls,
    restore_body,
    same,
)
from .dedupe.merge_job import POLICY_RECORD
from .import_resolve import made_contacts
from .updating import Prepared, changed_names, check_loaded, refused, write_job_results

UNDOABLE = ("update", "move-stage", "import", "dedupe")
POLICY_IMAGE = "deal-policy"  # a dedupe job's before-images of its survivor PATCHes
UNDO_COLUMNS = ("row", "key", "deal_id", "action", "fields")
SNAPSHOTS = "merge-snapshots.jsonl"
META_CONTACT_PAGES = "contact_pages"  # the list pages the plan's contacts check read
_RESTORED_ACTIONS = ("updated", "moved")
_CONTACT_OPS = {"delete-person": ("person", "deletePerson"),
                "delete-org": ("org", "deleteOrganization")}
_CARRIER_OPS = ("getDeals", "getArchivedDeals")  # the re-check before a contact delete
_WRITE_OPS = {"restore": "updateDeal", "delete": "deleteDeal",
              **{op: operation for op, (_, operation) in _CONTACT_OPS.items()}}


def export_snapshots(store: JobStore) -> Path:
    """A merge job's before-images as JSON lines (deal id, when taken, the whole deal)."""
    path = store.directory / SNAPSHOTS
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        for image in store.before_images("deal"):
            f.write(orjson.dumps({"deal_id": image.entity_id, "taken_at": image.taken_at,
                                  "deal": image.before}) + b"\n")
    tmp.chmod(0o600)  # the deals' data: private to the user
    tmp.replace(path)
    return path


@dataclass(frozen=True, slots=True)
class Target:
    """One deal of the source job to put back: restore its before-image, or delete it."""

    op: str  # "restore" | "delete"
    item: Item
    deal_id: int
    written: str | None  # the update_time the source job's write returned
    before: Mapping[str, Any] | None
    wrote: Mapping[str, Any] | None = None  # the body the job sent (dedupe: field by field)
    digest: str | None = None  # an import's create: its editable fields as created
    doubt: bool = False  # dedupe: a PATCH that may have applied (sent, its answer unrecorded)


def check_source(store: JobStore) -> None:
    """InputError unless ``store`` is a job that can be undone now."""
    if store.kind == "merge":
        path = export_snapshots(store)
        raise InputError(f"merges are final in Pipedrive and cannot be undone; the full "
                         f"snapshot of both deals of every merge is in {path}")
    if store.kind not in UNDOABLE:
        raise InputError(f"a {store.kind} job cannot be undone (undo handles "
                         f"{', '.join(UNDOABLE)})")
    in_doubt = store.counts()[ItemState.SENDING]
    if in_doubt:
        from bulk.coordinator import coordinator_flag, coordinator_id, coordinator_url
        from bulk.engine import META_COORDINATOR

        ran_on = store.meta_get(META_COORDINATOR)  # coordinator_id: never a password
        flag, note = "", ""
        if isinstance(ran_on, str):
            url = coordinator_url()
            if url and coordinator_id(url) == ran_on:  # the URL in force: its password known
                flag, note = coordinator_flag(url)
            else:
                flag, note = f" --coordinator {ran_on}", " (with its password, if it has one)"
        raise InputError(f"job {store.job_id} has {in_doubt} item(s) in doubt: run "
                         f"`pdbulk resume {store.job_id} --job-dir {store.directory.parent}"
                         f"{flag}`{note} first, so that what it sent is known")


_WRITES = {"updated": "changed", "moved": "moved", "restored": "restored", "created": None}


def _company(store: JobStore) -> str | None:
    from bulk.engine import META_COMPANY

    company = store.meta_get(META_COMPANY)
    return company if isinstance(company, str) else None


def other_company(source: JobStore, other: JobStore) -> bool:
    """Whether ``other`` provably worked on another company than ``source`` (both record
    their company id, meta ``company``, and the ids differ). Deal ids are per company: a
    deal id another company's job names is another deal. Unknown on either side: the
    same company is assumed (the safe direction: undo leaves a deal alone)."""
    mine, theirs = _company(source), _company(other)
    return mine is not None and theirs is not None and mine != theirs


def later_writes(source: JobStore) -> dict[int, str]:
    """Deals that other jobs in ``source``'s job directory wrote after it was created:
    deal id → what happened (the first such record). Merge jobs name their survivors
    (a deal that absorbed another) and the deals they merged away; update, move-stage,
    import and undo jobs the deals they changed. Unreadable jobs and jobs of another
    company (``other_company``) are skipped."""
    out: dict[int, str] = {}
    for job in list_jobs(source.directory.parent):
        if (job.directory.resolve() == source.directory.resolve() or job.error is not None
                or (job.created_at or 0.0) < source.created_at):
            continue
        try:
            with JobStore.open(job.directory, lock=False) as other:
                if other_company(source, other):
                    continue
                for item in other.items(ItemState.DONE):
                    result = item.result or {}
                    deal_id, action = result.get("deal_id"), result.get("action")
                    if not isinstance(deal_id, int):
                        continue
                    if action == "merged":
                        out.setdefault(deal_id, f"merge survivor: it absorbed deal "
                                                f"{result.get('merged_id')} (job {job.job_id})")
                        merged = result.get("merged_id")
                        if isinstance(merged, int):
                            out.setdefault(merged, f"merged into deal {deal_id} (job {job.job_id})")
                    elif action in _WRITES and _WRITES[action] is not None:
                        out.setdefault(deal_id, f"{_WRITES[action]} by job {job.job_id} "
                                                f"({job.kind})")
        except StoreError:
            continue
    return out


def other_creators(source: JobStore) -> dict[int, str]:
    """Deals that other import jobs in ``source``'s job directory record as created by
    them (whenever they ran): deal id → that job's id. Unreadable jobs and jobs of another
    company (``other_company``: several accounts may share one ``--job-dir``) are skipped."""
    out: dict[int, str] = {}
    for job in list_jobs(source.directory.parent):
        if (job.directory.resolve() == source.directory.resolve() or job.error is not None
                or job.kind != "import"):
            continue
        try:
            with JobStore.open(job.directory, lock=False) as other:
                if other_company(source, other):
                    continue
                for item in other.items(ItemState.DONE):
                    result = item.result or {}
                    deal_id = result.get("deal_id")
                    if isinstance(deal_id, int) and result.get("action") == "created":
                        out.setdefault(deal_id, job.job_id)
        except StoreError:
            continue
    return out


def not_created_here(target: Target, deal: Deal | None, creators: Mapping[int, str]) -> str | None:
    """Why the deal of an import's ``created`` record is provably not that job's create
    (None: nothing says so): another job records it as created too, or Pipedrive's
    ``add_time`` of it is earlier than the row's send (by more than the clock margin,
    RECONCILE_MARGIN s)."""
    from .account import parse_time
    from .importing import RECONCILE_MARGIN

    other = creators.get(target.deal_id)
    if other is not None:
        return f"job {other} records it as created by that job"
    added = parse_time((deal or {}).get("add_time"))
    sent = target.item.sent_at
    if added is not None and sent is not None and added < sent - RECONCILE_MARGIN:
        return "it was added before this job sent its row"
    return None


def targets(store: JobStore) -> list[Target]:
    """What the source job did that undo puts back (its done items, newest state first;
    a dedupe job: every field-policy PATCH it sent or may have sent, ``_policy_targets``)."""
    if store.kind == "dedupe":
        export_snapshots(store)
        return _policy_targets(store)
    images = {b.entity_id: b.before for b in store.before_images("deal")}
    out = []
    for item in store.items(ItemState.DONE):
        result = item.result or {}
        deal_id, action = result.get("deal_id"), result.get("action")
        if not isinstance(deal_id, int):
            continue
        written = result.get("update_time")
        wrote = _wrote(item, result)
        if store.kind == "import" and action == "created":
            digest = result.get("digest")
            out.append(Target("delete", item, deal_id, written, None, wrote,
                              digest if isinstance(digest, str) else None))
        elif action in _RESTORED_ACTIONS or (store.kind == "import" and action == "updated"):
            before = images.get(deal_id)
            out.append(Target("restore", item, deal_id, written, before, wrote))
    return out


def _policy_targets(store: JobStore) -> list[Target]:
    """A dedupe job's field-policy PATCHes to put back: each first merge (``payload["patch"]``)
    whose PATCH applied — its merge done, or the PATCH's answer recorded (meta
    ``dedupe.policy.<survivor>``), whatever became of the merge after it (failed as changed
    since the plan, left pending by a stop) — and, marked ``doubt``, each one handed out
    at least once (``sent_at``) without that proof: a run killed between the PATCH and its
    record may have applied it. Never an item whose PATCH was provably never sent."""
    recorded = {int(k.rsplit(".", 1)[1]) for k in store.meta_prefixed(POLICY_RECORD)}
    policy = {b.entity_id: b.before for b in store.before_images(POLICY_IMAGE)}
    out = []
    for item in store.items():
        if not item.payload.get("patch") or item.payload.get("already"):
            continue
        survivor = int(item.payload["survivor_id"])
        proven = item.state is ItemState.DONE or survivor in recorded
        if not proven and item.sent_at is None:
            continue
        out.append(Target("restore", item, survivor, None, policy.get(survivor),
                          item.payload["patch"], doubt=not proven))
    return out


def _wrote(item: Item, result: Mapping[str, Any]) -> dict[str, Any] | None:
    """What the source job's write set on the deal, field by field: an update's PATCH
    (``payload["changes"]``), an import's create / upsert body (``payload["deal"]``) with
    the person / organization its result links. Undo compares the deal's current values
    with it: ``update_time`` has 1-second resolution, so an edit in the same second as the
    write is seen only this way (issue 9, F1). None: nothing recorded."""
    body = item.payload.get("changes")
    if not isinstance(body, Mapping):
        body = item.payload.get("deal")
    if not isinstance(body, Mapping):
        return None
    wrote = dict(body)
    for name in ("person_id", "org_id"):
        if isinstance(result.get(name), int) and item.payload.get(name[:-3]) is not None:
            wrote[name] = result[name]
    return wrote


def created_contacts(source: JobStore) -> dict[str, set[int]]:
    """Persons ("person") and organizations ("org") an import job created
    (``jobs.import_resolve.made_contacts``: its made- lookups, whatever became of the rows
    that needed them, and its done rows' own records)."""
    return made_contacts(source)


async def _contacts(ctx: CallContext, prep: Prepared, source: JobStore, delete: bool) -> None:
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
    carried, pages = await _carried(ctx, going)
    prep.meta[META_CONTACT_PAGES] = pages
    free = {name: sorted(created[name] - set(carried[name])) for name in ("person", "org")}
    kept = {name: len(created[name]) - len(free[name]) for name in ("person", "org")}
    if not delete:
        if free["person"] or free["org"]:
            prep.notes.append(f"{len(free['person'])} person(s) and {len(free['org'])} "
                              "organization(s) the import created carry no other deals: "
                              "--contacts deletes them too")
        return
    for name, op, operation in (("person", "delete-person", "deletePerson"),
                                ("org", "delete-org", "deleteOrganization")):
        for rid in free[name]:
            prep.add(NewItem(row=None, key=f"{name} {rid}", op=op,
                             payload={f"{name}_id": rid}), op)
        prep.calls[operation] += len(free[name])
        for check in _CARRIER_OPS:  # the re-check right before each delete (F2)
            prep.calls[check] += len(free[name])
    if free["person"] or free["org"]:
        prep.notes.append(f"{len(free['person'])} person(s) and {len(free['org'])} "
                          "organization(s) the import created carry no other deals: deleted "
                          "too (--contacts)")
    if kept["person"] or kept["org"]:
        prep.notes.append(f"{kept['person']} person(s) and {kept['org']} organization(s) the "
                          "import created still carry other deals: kept")


async def _carried(ctx: CallContext, going: set[int]
                   ) -> tuple[dict[str, dict[int, int]], dict[str, int]]:
    """Which persons ("person") and organizations ("org") carry a deal that is not in
    ``going`` (the deals this undo deletes): id → one such deal's id; and the pages read
    by operation. One list pull of the deals (``GET /api/v2/deals``, 10 tokens per 500)
    and of the archived deals (``GET /api/v2/deals/archived``, 20 tokens per 500)."""
    carried: dict[str, dict[int, int]] = {"person": {}, "org": {}}
    pages: dict[str, int] = {}
    for operation in ("getDeals", "getArchivedDeals"):
        listed = await ctx.pages(operation)
        pages[operation] = len(listed)
        for page in listed:
            for deal in page.data or ():
                if int(deal["id"]) in going:
                    continue
                for name in ("person", "org"):
                    rid = deal.get(f"{name}_id")
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


async def prepare_undo(ctx: CallContext, source: JobStore, *, force: bool = False,
                       now: float | None = None, contacts: bool = False) -> Prepared:
    """Read the deals the source job touched and decide, per deal, what puts it back.

    Undo of an import also lists the persons and organizations it created that carry no
    other deals, and with ``contacts`` deletes them (deletePerson / deleteOrganization,
    3 tokens each, openapi-v2.yaml)."""
    check_source(source)
    taken = time.time() if now is None else now
    todo = targets(source)
    prep = Prepared("undo", meta={"source_job": source.job_id, "source_kind": source.kind,
                                  "source_dir": str(source.directory), "force": force})
    source_columns = source.meta_get("source_columns")
    if isinstance(source_columns, list):
        prep.meta["source_columns"] = source_columns
    current = await read_deals(ctx, [t.deal_id for t in todo])
    # a deal missing from the default list may be archived, not deleted (issue 9, v9 F4):
    # someone archived it since, so it is theirs to decide — a conflict, never "already
    # deleted" and never deleted without --force
    archived = await read_archived(ctx, [t.deal_id for t in todo if t.op == "delete"
                                         and is_gone(current.get(t.deal_id))])
    current.update(archived)
    later = later_writes(source)
    creators = other_creators(source) if source.kind == "import" else {}
    unchecked = 0
    for target in todo:
        deal = current.get(target.deal_id)
        if target.op == "delete" and not is_gone(deal) \
                and (foreign := not_created_here(target, deal, creators)):
            # never deleted, not even with --force: it is someone else's work
            _conflict(prep, target, f"conflict: deal {target.deal_id} is not provably this "
                                    f"job's create ({foreign}); left alone", recheck=False)
            continue
        if target.deal_id in archived and not force and not is_gone(deal):
            _conflict(prep, target, f"conflict: deal {target.deal_id} was archived since the "
                                    "job created it; left alone (--force deletes it)",
                      recheck=False)
            continue
        if target.op == "delete" and target.written is None and target.deal_id not in later:
            unchecked += 1
        why = later.get(target.deal_id)
        if why is not None and not force and not is_gone(deal):
            _conflict(prep, target, f"conflict: deal {target.deal_id} was {why} since; "
                                    "left alone", recheck=False)
            continue
        _decide(prep, target, deal, force, taken)
    if unchecked:
        prep.notes.append(f"{unchecked} created deal(s) could not be checked for later edits "
                          "(the import recorded no update_time): they are deleted as they are")
    prep.calls["updateDeal"] += prep.actions["restore"]
    prep.calls["deleteDeal"] += prep.actions["delete"]
    if source.kind == "import":
        await _contacts(ctx, prep, source, contacts)
    if source.kind == "dedupe":
        prep.notes.append("merges are final: undo of a dedupe job puts back its field-policy "
                          "PATCHes only" + ("" if todo else " and this job made none: nothing "
                                            "to undo (the merged deals' snapshots are in "
                                            f"{source.directory})"))
    if prep.actions["conflict"]:
        prep.notes.append(f"{prep.actions['conflict']} deal(s) changed since the job wrote "
                          "them: reported in failed.csv, left alone (--force overwrites them)")
    return prep


def _conflict(prep: Prepared, t: Target, reason: str, *, recheck: bool = True) -> None:
    """A deal someone changed since the source job wrote it: reported, left alone.
    ``recheck=False``: a later job's record says so, and `pdbulk retry` must not take an
    unchanged update_time (1-second resolution) as proof of the opposite."""
    values = t.item.payload.get("values") or {}
    prep.fail(t.item.row, t.item.key, reason, op=t.op, action="conflict", final=False,
              deal_id=t.deal_id, expected_update_time=t.written if recheck else None,
              values=values, before=t.before, conflict=True)


def _decide(prep: Prepared, t: Target, deal: Deal | None, force: bool, taken: float) -> None:
    row, key = t.item.row, t.item.key
    values = t.item.payload.get("values") or {}
    base: dict[str, Any] = {"deal_id": t.deal_id, "expected_update_time": t.written,
                            "values": values, "wrote": dict(t.wrote or {})}
    if is_gone(deal):
        if t.op == "delete":
            prep.skip(row, key, {"deal_id": t.deal_id, "action": "already deleted"},
                      op=t.op, values=values, deal_id=t.deal_id)
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
    if t.doubt and not changes:  # as before the PATCH: it never applied (or was put back)
        prep.skip(row, key, {"deal_id": t.deal_id, "action": "unchanged",
                             "note": "its field-policy PATCH was in doubt; the deal holds "
                                     "the values from before it"},
                  op=t.op, values=values, deal_id=t.deal_id)
        return
    if t.wrote is not None and not force and (moved := _changed_since(deal, t.wrote)):
        prep.fail(row, key, f"conflict: deal {t.deal_id} changed since the job wrote it "
                            f"({moved}); left alone", op=t.op, action="conflict",
                  **base, before=t.before)
        return
    if t.digest is not None and not force and editable_digest(deal) != t.digest:
        # an edit in the create's own second (an automation) leaves update_time as the
        # create set it: the fields a person can edit tell (issue 9, v9r4 F4)
        _conflict(prep, t, f"conflict: deal {t.deal_id} was edited since the job created "
                           f"it (a field a person can edit — {', '.join(EDITABLE[:-1])} or "
                           "a custom field — is no longer as created); left alone")
        return
    if t.written is not None and now_time != t.written and not force:
        _conflict(prep, t, f"conflict: deal {t.deal_id} changed since the job wrote it "
                           f"(update_time {t.written} then, {now_time} now); left alone")
        return
    if t.op == "delete":
        prep.add(NewItem(row=row, key=key, op="delete", payload=base), "delete")
        prep.images.append(BeforeImage("deal", t.deal_id, None, dict(deal), taken))
        return
    if not changes:
        prep.skip(row, key, {"deal_id": t.deal_id, "action": "unchanged"}, op=t.op,
                  values=values, deal_id=t.deal_id)
        return
    prep.add(NewItem(row=row, key=key, op="restore", payload={
        **base, "changes": changes, "fields": changed_names(changes)}), "restore")
    prep.images.append(BeforeImage("deal", t.deal_id, None, before_image(deal, changes), taken))


def _changed_since(deal: Deal, wrote: Mapping[str, Any]) -> str:
    """The fields (of those the job wrote) whose values are no longer what it wrote."""
    custom = deal.get("custom_fields") or {}
    moved = [k for k, v in wrote.items() if k != "custom_fields" and not same(deal.get(k), v)]
    moved += [k for k, v in (wrote.get("custom_fields") or {}).items()
              if not same(custom.get(k), v)]
    return ", ".join(f"{k} is no longer the value it wrote" for k in moved)


class UndoJob:
    """Restores (PATCH) or deletes one deal per item. Both are idempotent, but an item left
    in doubt is decided against the deal as it is now before anything is sent again
    (``reconcile``); a delete that finds the deal gone is done."""

    name = "undo"

    def __init__(self, store: JobStore | None = None) -> None:
        self._store = store
        self._deals_settled = store is None  # every deal delete recorded (contacts may go)

    @classmethod
    def from_store(cls, store: JobStore) -> UndoJob:
        check_loaded(store)
        return cls(store)

    def __repr__(self) -> str:
        return "UndoJob()"

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        if (again := refused(item)) is not None:
            return again
        deal_id = item.payload.get("deal_id")
        changes = item.payload.get("changes")
        if item.payload.get("conflict"):  # a conflict sent again by `pdbulk retry`
            checked = await self._recheck(ctx, item)
            if isinstance(checked, Outcome):
                return checked
            changes = checked
        if item.op in _CONTACT_OPS:
            if not await self._deals_done():
                # a deal delete still to send or in flight: its person / org still carries
                # it, so the carrier check would keep it; after them (the next pass)
                return Outcome(item.id, ItemState.PENDING, unsent=True)
            name, operation = _CONTACT_OPS[item.op]
            rid = item.payload[f"{name}_id"]
            if (carrier := await _carrier(ctx, name, rid)) is not None:
                return Outcome(item.id, ItemState.SKIPPED, result={
                    f"{name}_id": rid, "action": "kept", "carries_deal": carrier,
                    "note": f"not deleted: it carries deal {carrier}, which this undo keeps"})
            try:
                await ctx.call(operation, path={"id": rid})
            except NotFound:
                return Outcome(item.id, ItemState.DONE,
                               result={f"{name}_id": rid, "action": "already deleted"})
            return Outcome(item.id, ItemState.DONE, result={f"{name}_id": rid,
                                                            "action": "deleted"})
        if item.op == "delete":
            try:
                await ctx.call("deleteDeal", path={"id": deal_id})
            except NotFound:
                return Outcome(item.id, ItemState.DONE,
                               result={"deal_id": deal_id, "action": "already deleted"})
            return Outcome(item.id, ItemState.DONE,
                           result={"deal_id": deal_id, "action": "deleted"})
        if not changes:
            return Outcome(item.id, ItemState.DONE,
                           result={"deal_id": deal_id, "action": "unchanged"})
        res = await ctx.call("updateDeal", path={"id": deal_id}, json=changes)
        data = res.data if isinstance(res.data, Mapping) else {}
        return Outcome(item.id, ItemState.DONE, result={
            "deal_id": deal_id, "action": "restored", "fields": changed_names(changes),
            "update_time": data.get("update_time")})

    async def _deals_done(self) -> bool:
        """Whether no deal delete of this undo is pending or in flight any more (the person
        / organization deletes wait for them: ``--contacts``)."""
        if not self._deals_settled and self._store is not None:
            store = self._store

            def left() -> bool:
                return any(i.op == "delete" for state in (ItemState.PENDING, ItemState.SENDING)
                           for i in store.items(state))
            self._deals_settled = not await anyio.to_thread.run_sync(left)
        return self._deals_settled

    async def _recheck(self, ctx: CallContext, item: Item) -> Outcome | dict[str, Any]:
        """A conflict, checked again (1 token): the restoring changes if the deal is back as
        the job left it, else the conflict again."""
        res = await ctx.call("getDeal", path={"id": item.payload["deal_id"]})
        deal = res.data if isinstance(res.data, Mapping) else None
        now_time = deal.get("update_time") if deal is not None else None
        if (deal is not None and not is_gone(dict(deal))
                and now_time == item.payload.get("expected_update_time")):
            before = item.payload.get("before")
            return restore_body(dict(deal), before) if before is not None else {}
        return Outcome(item.id, ItemState.FAILED, error=(
            f"conflict: deal {item.payload['deal_id']} still differs from what the job wrote "
            f"(update_time {now_time}); run `pdbulk undo` with --force to overwrite it"))

    @staticmethod
    def _rereading(store: JobStore) -> list[Item]:
        """The pending restores / deletes a resume re-checks (none with ``--force``)."""
        if store.meta_get("force"):
            return []
        return [i for i in store.items(ItemState.PENDING)
                if i.op in ("delete", "restore") and refused(i) is None
                and not i.payload.get("conflict")]

    @staticmethod
    def _contacts_left(store: JobStore) -> list[Item]:
        """The person / organization deletes (``--contacts``) not yet done: pending, or in
        doubt (a run died while they were handed out)."""
        return [i for state in (ItemState.PENDING, ItemState.SENDING)
                for i in store.items(state) if i.op in _CONTACT_OPS and refused(i) is None]

    def reread_calls(self, store: JobStore) -> dict[str, int]:
        """The calls ``before_resume`` makes now, by operation (for the plan): the pending
        deals, 100 per call; with person / organization deletes left, the list pull of the
        deals and archived deals again (as many pages as the plan's pull read, at least
        one each)."""
        calls = Counter(reread_calls(int(i.payload["deal_id"]) for i in self._rereading(store)))
        if self._contacts_left(store):
            pages = store.meta_get(META_CONTACT_PAGES)
            pages = pages if isinstance(pages, Mapping) else {}
            for operation in ("getDeals", "getArchivedDeals"):
                calls[operation] += max(1, int(pages.get(operation) or 0))
        return dict(calls)

    def resume_calls(self, store: JobStore) -> dict[str, int]:
        """The calls a resume makes now, by operation: the re-read, the reconcile's read of
        the deals in doubt (100 per call), a 1-token re-check of each conflict sent again,
        then at most one write per pending or in-doubt item."""
        calls = Counter(self.reread_calls(store))
        calls.update(reread_calls(int(i.payload["deal_id"])  # the reconcile's read (F2)
                                  for i in store.items(ItemState.SENDING)
                                  if i.op in ("restore", "delete") and refused(i) is None
                                  and not i.payload.get("conflict")))
        for state in (ItemState.PENDING, ItemState.SENDING):
            for item in store.items(state):
                if refused(item) is not None:
                    continue
                if item.payload.get("conflict"):
                    calls["getDeal"] += 1
                op = _WRITE_OPS.get(item.op)
                if op is not None:
                    calls[op] += 1
                if item.op in _CONTACT_OPS:
                    calls.update(_CARRIER_OPS)
        return {op: n for op, n in calls.items() if n}

    async def before_resume(self, ctx: CallContext, store: JobStore) -> list[str]:
        """Re-check the pending restores / deletes against the deals as they are now: an
        undo resumed later (after Ctrl-C, a crash, a spent budget) must not delete or
        overwrite a deal someone changed after the undo was planned.

        Reads the deals 100 per call (``GET /api/v2/deals?ids=``). A deal whose
        ``update_time`` is no longer the one the undo read when it was planned is a
        conflict: failed, left alone (unless the undo was started with ``--force``). A deal
        the default list omits (deleted, archived) is sent as decided (a delete that finds
        it gone is done). Returns the lines to print."""
        pending = self._rereading(store)
        lines = await self._deals_again(ctx, store, pending) if pending else []
        return lines + await self._contacts_again(ctx, store)

    async def _deals_again(self, ctx: CallContext, store: JobStore,
                           pending: list[Item]) -> list[str]:
        then = {b.entity_id: b.before.get("update_time") for b in store.before_images("deal")}
        current = await read_deals(ctx, [int(i.payload["deal_id"]) for i in pending])
        outcomes: list[Outcome] = []
        for item in pending:
            deal_id = int(item.payload["deal_id"])
            deal = current.get(deal_id)
            if deal is None or is_gone(deal) or deal_id not in then:
                continue
            moved = _changed_since(deal, item.payload.get("wrote") or {})
            if deal.get("update_time") != then[deal_id] or moved:
                outcomes.append(Outcome(item.id, ItemState.FAILED, error=(
                    f"conflict: deal {deal_id} changed since this undo was planned "
                    f"(update_time {then[deal_id]} then, {deal.get('update_time')} now); "
                    "left alone (start the undo again with --force to overwrite it)")))
        await AsyncJobStore(store).record(outcomes)
        return [f"re-read {len(pending):,} pending deal(s): {len(outcomes):,} changed since "
                f"the undo was planned (conflicts, left alone), "
                f"{len(pending) - len(outcomes):,} to send"]

    @staticmethod
    def _checks(items: Sequence[Item]) -> list[Item]:
        """The restores / deletes of ``items`` a re-check reads (not the conflicts `pdbulk
        retry` sends again: ``execute`` checks those itself, nor rows refused at load)."""
        return [i for i in items if i.op in ("restore", "delete") and refused(i) is None
                and not i.payload.get("conflict")]

    async def recheck(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """The runner's re-check of a batch right before it is sent (``bulk.runner``): an
        undo must not delete or overwrite a deal someone changed while it ran. The batch's
        deals are read now, 100 per ``GET /api/v2/deals?ids=`` (10 tokens); per restore /
        delete:

        - ``update_time`` no longer the one this undo read when it was planned, or a field
          the source job wrote no longer as it wrote it, or (a delete) a field a person can
          edit no longer as the undo read it (``editable_digest``: an edit in the same
          second) → FAILED conflict, left alone;
        - missing from the default list: one ``GET /api/v2/deals/{id}`` (1 token) tells
          archived (→ conflict: someone archived it, theirs to decide) from deleted (a
          delete → SKIPPED ``already deleted``; a restore → FAILED 404).

        Nothing is read with ``--force`` (it overwrites whatever changed). Returns the
        outcomes of the items not to send."""
        if self._store is None or self._store.meta_get("force"):
            return []
        checked = self._checks(items)
        if not checked:
            return []
        ids = [int(i.payload["deal_id"]) for i in checked]
        current = await read_deals(ctx, ids)
        images = {i: b.before for i, b in
                  (await AsyncJobStore(self._store).before_images_of("deal", ids)).items()}
        out: list[Outcome] = []
        for item in checked:
            deal_id = int(item.payload["deal_id"])
            deal = current.get(deal_id)
            if is_gone(deal):
                deal = await _one_deal(ctx, deal_id)
            decided = _during_run(item, deal_id, deal, images.get(deal_id))
            if decided is not None:
                out.append(decided)
        return out

    def recheck_calls(self, store: JobStore, size: int,
                      states: Sequence[ItemState] = (ItemState.PENDING,)) -> dict[str, int]:
        """The calls ``recheck`` makes over the items now in ``states`` (in id order,
        ``size`` per batch: ``bulk.runner.recheck_batch``), by operation (for plans);
        none with ``--force``. A deal found missing then costs one ``getDeal`` (1 token)
        more, in place of its write."""
        if store.meta_get("force"):
            return {}
        items = sorted((i for state in states for i in store.items(state)),
                       key=lambda i: i.id)
        return batched_calls(items, size, lambda batch: reread_calls(
            int(i.payload["deal_id"]) for i in self._checks(batch)))

    async def _contacts_again(self, ctx: CallContext, store: JobStore) -> list[str]:
        """Re-check the person / organization deletes left (``--contacts``): one that
        carries a deal this undo does not delete (it gained one after the plan, or kept
        one whose delete turned out a conflict) is kept — SKIPPED (DONE when it was in
        doubt) with ``action: kept`` and the deal it carries — never deleted under a
        deal. One list pull of the deals and archived deals (``_carried``)."""
        left = self._contacts_left(store)
        if not left:
            return []
        going = {int(i.payload["deal_id"]) for i in store.items() if i.op == "delete"
                 and i.state in (ItemState.PENDING, ItemState.SENDING, ItemState.DONE)}
        carried, _ = await _carried(ctx, going)
        outcomes: list[Outcome] = []
        for item in left:
            name, _operation = _CONTACT_OPS[item.op]
            rid = int(item.payload[f"{name}_id"])
            deal_id = carried[name].get(rid)
            if deal_id is None:
                continue
            state = ItemState.SKIPPED if item.state is ItemState.PENDING else ItemState.DONE
            outcomes.append(Outcome(item.id, state, result={
                f"{name}_id": rid, "action": "kept", "carries_deal": deal_id,
                "note": f"not deleted: it carries deal {deal_id}, which this undo keeps"}))
        await AsyncJobStore(store).record(outcomes)
        return [f"re-checked {len(left):,} person / organization delete(s): {len(outcomes):,} "
                f"now carry a deal this undo keeps (kept, not deleted), "
                f"{len(left) - len(outcomes):,} to delete"]

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """Decide restores / deletes left in flight (a run died while they were handed out)
        against the deals as they are now, read 100 per call (``GET /api/v2/deals?ids=``,
        10 tokens) — never re-sent blindly over a change someone made meanwhile (issue 9,
        F2). Restores (``jobs.deals.in_flight`` against this undo's before-image):
        applied → DONE ``restored``; already as the image wanted → ``unchanged``; gone →
        failed; another value → conflict, nothing sent; not applied → sent again, but only
        while the deal's ``update_time`` is still the one the undo read when it was planned
        (the rule ``before_resume`` applies to pending items: any change since is a
        conflict). Deletes: gone → DONE ``deleted``; ``update_time`` unchanged → sent
        again; changed → conflict. ``--force`` sends what is not applied whatever changed.
        Person / organization deletes and conflicts sent again by ``pdbulk retry`` (which
        re-check in ``execute``) go back to pending: the attempt the dead run counted is
        given back."""
        force = bool(self._store is not None and self._store.meta_get("force"))
        deals = [i for i in items if i.op in ("restore", "delete") and refused(i) is None
                 and not i.payload.get("conflict")]
        out = [Outcome(i.id, ItemState.PENDING, unsent=True) for i in items if i not in deals]
        if not deals:
            return out
        current = await read_deals(ctx, [int(i.payload["deal_id"]) for i in deals])
        wanted = {int(i.payload["deal_id"]) for i in deals}
        images = {b.entity_id: b.before for b in (self._store.before_images("deal")
                                                  if self._store is not None else ())
                  if b.entity_id in wanted}
        for item in deals:
            deal_id = int(item.payload["deal_id"])
            out.append(_in_flight(item, deal_id, current.get(deal_id), images.get(deal_id),
                                  force))
        return out

    def after_run(self, store: JobStore, result: RunResult | None) -> list[str]:
        contacts = contact_counts(store)
        lines = [f"{name}: {c['deleted']:,} deleted, {c['kept']:,} kept, {c['failed']:,} failed, "
                 f"{c['unprocessed']:,} unprocessed"
                 for name, c in contacts.items() if any(c.values())]
        return write_job_results(store, result, UNDO_COLUMNS, extra={"contacts": contacts},
                                 lines_extra=lines)


async def _one_deal(ctx: CallContext, deal_id: int) -> Deal | None:
    """Deal ``deal_id`` as it is, archived too (``GET /api/v2/deals/{id}``, 1 token); None
    when it is gone."""
    try:
        res = await ctx.call("getDeal", path={"id": deal_id})
    except NotFound:
        return None
    return dict(res.data) if isinstance(res.data, Mapping) else None


def _during_run(item: Item, deal_id: int, deal: Deal | None,
                image: Mapping[str, Any] | None) -> Outcome | None:
    """A restore / delete decided right before it is sent (``UndoJob.recheck``); None: send
    it. ``image``: this undo's before-image of the deal (its picture at the plan)."""
    if is_gone(deal):
        if item.op == "delete":
            return Outcome(item.id, ItemState.SKIPPED, result={"deal_id": deal_id,
                                                               "action": "already deleted"})
        return Outcome(item.id, ItemState.FAILED, status=404, error=(
            f"deal {deal_id} is deleted: nothing to restore"))
    assert deal is not None
    left = "left alone (start the undo again with --force to overwrite it)"
    if deal.get("is_archived"):
        return Outcome(item.id, ItemState.FAILED, error=(
            f"conflict: deal {deal_id} was archived while this undo ran; {left}"))
    if image is None:
        return None
    then = image.get("update_time")
    if deal.get("update_time") != then:
        return Outcome(item.id, ItemState.FAILED, error=(
            f"conflict: deal {deal_id} changed while this undo ran (update_time {then} when "
            f"it was planned, {deal.get('update_time')} now); {left}"))
    moved = _changed_since(deal, item.payload.get("wrote") or {})
    if not moved and item.op == "delete" and editable_digest(deal) != editable_digest(image):
        moved = "a field a person can edit is no longer as the undo read it"
    if moved:
        return Outcome(item.id, ItemState.FAILED, error=(
            f"conflict: deal {deal_id} changed while this undo ran ({moved}); {left}"))
    return None


def _in_flight(item: Item, deal_id: int, deal: Deal | None, image: Mapping[str, Any] | None,
               force: bool) -> Outcome:
    """The outcome of an undo's restore / delete left in flight (``UndoJob.reconcile``)."""
    then = (image or {}).get("update_time")
    changed = (deal is not None and not force and (
        (then is not None and deal.get("update_time") != then)
        or bool(_changed_since(deal, item.payload.get("wrote") or {}))))
    conflict = (f"conflict: deal {deal_id} changed while this undo's write was in flight "
                f"(update_time {then} then, {(deal or {}).get('update_time')} now{{}}); left "
                "alone, nothing sent (start the undo again with --force to overwrite it)")
    if item.op == "delete":
        if is_gone(deal):
            return Outcome(item.id, ItemState.DONE, result={"deal_id": deal_id,
                                                            "action": "deleted",
                                                            "reconciled": True})
        if changed:
            return Outcome(item.id, ItemState.FAILED, error=conflict.format(""))
        return Outcome(item.id, ItemState.PENDING, unsent=True)
    changes = item.payload.get("changes") or {}
    verdict, drift = in_flight(deal, image, changes)
    if verdict == "gone":
        return Outcome(item.id, ItemState.FAILED, status=404, error=(
            f"deal {deal_id} is deleted: nothing to restore"))
    if verdict == "applied":
        assert deal is not None
        return Outcome(item.id, ItemState.DONE, result={
            "deal_id": deal_id, "action": "restored", "fields": changed_names(changes),
            "update_time": deal.get("update_time"), "reconciled": True})
    if verdict == "unchanged":
        return Outcome(item.id, ItemState.SKIPPED, result={"deal_id": deal_id,
                                                           "action": "unchanged"})
    if verdict == "conflict" and not force:
        return Outcome(item.id, ItemState.FAILED, error=conflict.format(f"; {drift}"))
    if changed:
        return Outcome(item.id, ItemState.FAILED, error=conflict.format(""))
    return Outcome(item.id, ItemState.PENDING, unsent=True)


def contact_counts(store: JobStore) -> dict[str, dict[str, int]]:
    """The persons / organizations an undo job deletes (``--contacts``; they are not rows of
    the source manifest, so the row counts leave them out): deleted (or found already
    deleted), kept (they carry a deal this undo keeps: found by the re-check after the
    prompt or on resume), failed, not yet done."""
    out = {"persons": Counter[str](), "organizations": Counter[str]()}
    for item in store.items():
        if item.op not in _CONTACT_OPS:
            continue
        bucket = out["persons" if item.op == "delete-person" else "organizations"]
        if (item.result or {}).get("action") == "kept":
            bucket["kept"] += 1
        elif item.state in (ItemState.DONE, ItemState.SKIPPED):
            bucket["deleted"] += 1
        elif item.state is ItemState.FAILED:
            bucket["failed"] += 1
        else:
            bucket["unprocessed"] += 1
    return {name: {k: c[k] for k in ("deleted", "kept", "failed", "unprocessed")}
            for name, c in out.items()}


__all__ = ["SNAPSHOTS", "UNDOABLE", "UNDO_COLUMNS", "UndoJob", "check_source",
           "contact_counts", "created_contacts", "export_snapshots", "later_writes",
           "not_created_here", "other_company", "other_creators", "prepare_undo", "targets"]
