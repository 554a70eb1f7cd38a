"""``UndoJob``: the undo run, its re-checks right before each write and its resume
(``jobs.undo``).

Why ~1470 lines: the run, its re-check right before each write and its resume judge the
same before-images against the same deal, so they share the helpers at the bottom; the
plan, the contacts, who still uses them (``carriers``) and the result files are their
own modules in ``jobs.undo``."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.errors import NotFound, StoreError, ValidationRejected
from bulk.runner import RunResult, recheck_batch
from bulk.store import (
    AsyncJobStore,
    Item,
    ItemState,
    JobStore,
    Outcome,
)
from bulk.wording import counted, noun

from .. import last_written_runs
from ..account import PAGE
from ..catalog import Catalog
from ..deals import (
    Deal,
    applied,
    batched_calls,
    drifted,
    editable_digest,
    image_part,
    in_flight,
    is_gone,
    read_archived,
    read_current,
    read_deals,
    reread_calls,
    restore_body,
    stored_labels,
    unrestorable,
    write_groups,
)
from ..later_jobs import later_steps
from ..provable_writes import not_ours, provable
from ..resume_account_now import stop_advice
from ..updating import changed_names, check_loaded, refused, write_job_results
from .bases import (
    REBASED_KINDS,
    restore_targets,
    settle_done,
    settle_row,
    settle_written,
    settled_at,
)
from .carriers import DEAL_LISTS, ContactCarriers, contact_id
from .dead_links import (
    LEFT,
    UNPLANNED,
    Refusal,
    after_refusal,
    narrowed,
    refusal_of,
    refusals,
    refused_now,
    remember,
    unplanned,
    unplanned_line,
)
from .gone_now import GONE_AT_CHECK, leave_gone
from .later_since import as_before_later, later_conflicts
from .moved import (
    MOVED_PERSON,
    after_plan,
    after_plan_line,
    after_write_note,
    entries,
    merge_moved,
    merged_after_write,
    person_org_merged,
    with_moved,
)
from .plan import (
    DELETED_BY,
    OTHERS,
    OVERWRITES,
    OVERWROTE,
    _carried,
    _carrier,
    _changed_since,
    contact_edited,
    holds_person,
    not_ours_line,
    overwritten_line,
    overwrote,
)
from .since_plan import (
    KEPT_SINCE,
    held_in_flight,
    moved_since_plan,
    narrowed_since,
    with_kept,
)
from .targets import (
    _CONTACT_OPS,
    _WRITE_OPS,
    META_CONTACT_CHANGED,
    META_CONTACT_PAGES,
    META_KEPT_AT_PLAN,
    META_SOURCE_NOT_OURS,
    META_SOURCE_PENDING,
    RESTORED_IN_PART,
    UNDID,
    UNDO_COLUMNS,
    partly_note,
    restored,
)

_log = logging.getLogger("pdbulk.undo")


class UndoJob:
    """Restores (PATCH) or deletes one deal per item. Both are idempotent, but an item left
    in doubt is decided against the deal as it is now before anything is sent again
    (``reconcile``); a delete that finds the deal gone is done."""

    name = "undo"
    # what works after a stop on writes refused alike (``bulk.repeated``; x45r4 F1)
    after_refusals = stop_advice("undo")

    def __init__(self, store: JobStore | None = None) -> None:
        self._store = store
        self._field_labels: dict[str, str] | None = None  # _labels, read once
        # contact deletes: what the pass's first batch found open (``_contacts_checked``:
        # a contact is checked only in a pass that began with the writes before it
        # settled, so the checks fall in as many batches as the plan prices), the id of
        # the last item re-checked (a lower one begins a pass), the deletes the check let
        # through, and what it reads (once per batch, not per contact: f24a 1)
        self._pass_open: set[str] = set()
        self._last_id = -1
        self._sized = False  # _pass_open read by ``recheck_size`` for the pass beginning
        self._cleared: set[int] = set()
        self._carriers = ContactCarriers(store) if store is not None else None
        self._force: bool | None = None  # the store's "force", read once (_forced)
        self._source: Any = None  # the job undone (``_source_job``)
        # --force: the writes whose deal changed after the plan read it, found by the
        # re-check right before their batch (item id -> ``OVERWRITES``' {by, what}); the
        # write goes out and its result says so (x36r2 F1: a colleague's edit made at the
        # prompt was overwritten and no report named it)
        self._overwrites: dict[int, dict[str, str]] = {}
        # restores refused at the run for a record gone since the plan (``dead_links``
        # ``remember``), by item id: read once (``_refused``); those refused by this run
        self._refusals: dict[int, Refusal] | None = None
        self._refused_here: set[int] = set()
        # deals only a merge moved after the plan (``moved``): item id -> its entry, read
        # once from the store and added to by the re-checks
        self._moved: dict[int, dict[str, Any]] | None = None
        # organizations merged away after the plan, to their survivors (None: no trace):
        # a person's move there is no edit (``moved.person_org_merged``; x40r1 F2)
        self._org_traced: dict[int, int | None] = {}
        # restores the re-check right before their batch narrowed to the groups nobody
        # changed since the plan (``since_plan``), by item id (None: sent as planned)
        self._kept: dict[int, dict[str, Any] | None] = {}
        # what the undone job wrote, by deal (``run_started``): None until read
        self._wanted: dict[int, Any] | None = None
        # (base URL, undone job) the per-row settle writes for, read once a run
        self._settle_at: tuple[str, str] | None = None

    async def _moved_entries(self) -> dict[int, dict[str, Any]]:
        """The deals only a merge moved after the plan, by item id (``moved.entries``:
        read once)."""
        if self._moved is None:
            self._moved = await entries(self._store) if self._store is not None else {}
        return self._moved

    async def _merge_moved(self, ctx: CallContext, store: JobStore,
                           checks: Sequence[tuple[Item, Deal | None, Mapping[str, Any] | None]]
                           ) -> dict[int, dict[str, Any]]:
        """``moved.merge_moved`` of ``checks``, its entries kept here too; every entry."""
        known = await self._moved_entries()
        known.update(await merge_moved(ctx, store, checks, known))
        return known

    def _forced(self) -> bool:
        """Whether this undo runs with ``--force`` (read once: ``execute`` asks per item)."""
        if self._force is None:
            self._force = bool(self._store is not None and self._store.meta_get("force"))
        return self._force

    async def _refused(self, fresh: bool = False) -> dict[int, Refusal]:
        """The restores refused at a run for a record gone since the plan, by item id (read
        once, or again when ``fresh``: a reconcile)."""
        if self._refusals is None or fresh:
            kept = await refusals(self._store) if self._store is not None else {}
            self._refusals = {**kept, **(self._refusals or {})}
        return self._refusals

    def _source_job(self) -> Any:
        """The job this undo undoes (its store's ``source_job``; read once)."""
        if self._source is None and self._store is not None:
            self._source = self._store.meta_get("source_job")
        return self._source

    def _labels(self) -> dict[str, str]:
        """The custom fields' names the plan read (``META_FIELD_LABELS``), key -> name."""
        if self._field_labels is None:
            self._field_labels = stored_labels(self._store) if self._store is not None else {}
        return self._field_labels

    @classmethod
    def from_store(cls, store: JobStore) -> UndoJob:
        check_loaded(store)
        return cls(store)

    def __repr__(self) -> str:
        return "UndoJob()"

    @staticmethod
    def leave_gone(store: JobStore, catalog: Catalog, *, retry: bool = False) -> list[str]:
        """The resume's / retry's account check found something the restores still to
        send name gone (``jobs.resume_account_now.check_account``'s hook): those groups
        dropped from them, the rest put back (``gone_now.leave_gone``; x46r5 F2: refused
        for good, with no other command to finish the undo). Blocks (the store)."""
        return leave_gone(store, catalog, retry=retry)

    async def _execute(self, ctx: CallContext, item: Item) -> Outcome:
        if (again := refused(item)) is not None:
            return again
        deal_id = item.payload.get("deal_id")
        changes = item.payload.get("changes")
        extra: dict[str, int] = {}  # calls an earlier refusal of it made (UNPLANNED)
        if item.payload.get("conflict"):  # a conflict sent again by `pdbulk retry`
            checked = await self._recheck(ctx, item)
            if isinstance(checked, Outcome):
                return checked
            changes = checked
        elif item.op == "restore" and (kept := (await self._refused()).get(item.id)):
            # refused by an earlier attempt (a run killed after it): its narrowed body, not
            # the refused one again
            item = narrowed(item, kept)
            changes = item.payload.get("changes")
            if not changes:
                return Outcome(item.id, ItemState.SKIPPED, result={
                    "deal_id": deal_id, "action": LEFT, **_forced(item)})
            extra = dict(kept.calls)  # (its PATCH now: in the resume's plan)
        elif item.op == "restore" and (since := self._kept.get(item.id)):
            # groups someone changed after the plan: kept, the rest put back (x43r3 F3)
            item = replace(item, payload=with_kept(item.payload, since))
            changes = item.payload.get("changes")
        if item.op in _CONTACT_OPS:
            name, operation = _CONTACT_OPS[item.op]
            rid = contact_id(item, name)
            said: dict[str, Any] = {}
            if self._store is not None:
                if item.id not in self._cleared:
                    # not checked by its batch's ``recheck``: this undo's deal writes (for
                    # an organization: its person deletes) were not all settled when the
                    # pass began; after them (a later pass)
                    return Outcome(item.id, ItemState.PENDING, unsent=True)
                self._cleared.discard(item.id)
                if not self._forced():
                    # read right before its delete (1 token): Pipedrive has no conditional
                    # delete, so this is the narrowest window there is (f35f 1: the batch's
                    # read by id came up to a batch of deletes earlier)
                    record = await _contact_now(ctx, name, rid)
                    if record is None:
                        return Outcome(item.id, ItemState.DONE, result={
                            f"{name}_id": rid, "action": "already deleted"})
                    if contact_edited(item.payload, record):
                        # only its organization moved, by a merge after the plan: no edit
                        if (merged := await self._org_merged(ctx, item, record)) is None:
                            return _edited(item, name, rid, record)
                        said = {"note": merged, MOVED_PERSON: True}
            else:  # no store, no batch check: each one read right before its delete
                if (carrier := await _carrier(ctx, name, rid)) is not None:
                    return _kept(name, rid, carrier, None, item.id)
                if name == "org" and (person := await holds_person(ctx, rid)) is not None:
                    return _kept(name, rid, None, person, item.id)
            try:
                await ctx.call(operation, path={"id": rid})
            except NotFound:
                return Outcome(item.id, ItemState.DONE, result={
                    f"{name}_id": rid, "action": "already deleted"})
            return Outcome(item.id, ItemState.DONE, result={f"{name}_id": rid,
                                                            "action": "deleted", **said})
        if item.op in ("delete", "restore"):  # a merge moved it after the plan: its note
            item = with_moved(item, (await self._moved_entries()).get(item.id))
        if item.op == "delete":
            try:
                await ctx.call("deleteDeal", path={"id": deal_id})
            except NotFound:  # (a lost answer to its own delete is reconciled, never resent)
                return Outcome(item.id, ItemState.DONE,
                               result={"deal_id": deal_id, "action": "already deleted"})
            return Outcome(item.id, ItemState.DONE,
                           result={"deal_id": deal_id, "action": "deleted",
                                   **_forced(item, self._overwrites.pop(item.id, None))})
        if not changes:
            return Outcome(item.id, ItemState.DONE,
                           result={"deal_id": deal_id, "action": "unchanged"})
        noted = _forced(item, self._overwrites.pop(item.id, None))
        if extra:
            noted[UNPLANNED] = extra
        try:
            res = await ctx.call("updateDeal", path={"id": deal_id}, json=changes)
        except ValidationRejected as exc:  # a record it names deleted since the plan?
            if (after := await after_refusal(ctx, changes, exc, self._labels())) is None:
                raise
            if self._store is not None:  # kept before the PATCH that follows it leaves
                await remember(self._store, item.id, after)
                self._refused_here.add(item.id)
                self._refusals = {**(self._refusals or {}), item.id: after}
            changes = after.changes  # (x36r1 F3) left as the plan leaves one, sent once more
            noted = {**noted, "note": "; ".join(filter(None, (noted.get("note"), after.note))),
                     UNPLANNED: after.unplanned()}
            if not changes:
                return Outcome(item.id, ItemState.SKIPPED, result={
                    "deal_id": deal_id, "action": LEFT, **noted})
            res = await ctx.call("updateDeal", path={"id": deal_id}, json=changes)
        data = res.data if isinstance(res.data, Mapping) else {}
        return Outcome(item.id, ItemState.DONE, result={
            "deal_id": deal_id, "action": restored(item.payload),
            "fields": changed_names(changes, labels=self._labels()),
            "update_time": data.get("update_time"), **noted})

    async def _org_merged(self, ctx: CallContext, item: Item,
                          record: Mapping[str, Any]) -> str | None:
        """``moved.person_org_merged`` of ``item`` (a person whose ``record`` changed since
        the plan): the row's note when only a merge moved its organization, else None."""
        if self._store is None:
            return None
        return await person_org_merged(ctx, self._store, item, record, self._org_traced)

    async def _recheck(self, ctx: CallContext, item: Item) -> Outcome | dict[str, Any]:
        """A conflict, checked again (1 token): the restoring changes if the deal is back as
        the job left it, else the conflict again."""
        res = await ctx.call("getDeal", path={"id": item.payload["deal_id"]})
        deal = res.data if isinstance(res.data, Mapping) else None
        now_time = deal.get("update_time") if deal is not None else None
        if (deal is not None and not is_gone(dict(deal))
                and now_time == item.payload.get("expected_update_time")):
            before = item.payload.get("before")
            body = restore_body(dict(deal), before) if before is not None else {}
            if (why := unrestorable(body, self._labels())) is not None:
                return Outcome(item.id, ItemState.FAILED, error=(
                    f"deal {item.payload['deal_id']} cannot be put back: {why}; nothing "
                    "restored (put that field back by hand)"))
            return body
        return Outcome(item.id, ItemState.FAILED, error=_still_differs(item, now_time))

    # the writes it makes inside its items alone (``bulk.ledger.take_back_unused``)
    item_writes = frozenset(_WRITE_OPS.values())

    def write_calls(self, item: Item) -> dict[str, int]:
        """The most calls of each write an item left SENDING may have charged: its one
        PATCH or DELETE (``_WRITE_OPS``); two PATCHes for a restore refused in that attempt
        and sent once more (``dead_links.remember`` kept it before the second left; f37c:
        one was counted, and the take-back after a kill took a charged 400 back). Blocks
        (the store): ``bulk.ledger.take_back_unused`` calls it in a thread."""
        op = _WRITE_OPS.get(item.op)
        if op is None:
            return {}
        twice = item.op == "restore" and self._store is not None \
            and refused_now(item, refusal_of(self._store, item))
        return {op: 2 if twice else 1}

    def landed_calls(self, item: Item, outcome: Outcome) -> dict[str, int]:
        """The writes of an item in doubt a reconcile proves charged, no longer in doubt
        (``bulk.runner.JobKind``'s hook, ``bulk.ledger``): the write it found applied
        (``reconciled`` in its DONE result: a restore applied, a deal / person /
        organization gone), and a killed run's PATCH refused with a 400 before the item's
        narrowed one (answered, so charged; this run's own came off with its answer)."""
        calls: Counter[str] = Counter()
        if (outcome.result or {}).get("reconciled") is True:
            calls.update(self.write_calls(item) if item.op != "restore"
                         else {"updateDeal": 1})
        if item.op == "restore" and item.id not in self._refused_here \
                and refused_now(item, (self._refusals or {}).get(item.id)):
            calls["updateDeal"] += 1
        return dict(calls)

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
        one each) and the contacts left by id, 100 per call (not with ``--force``)."""
        calls = Counter(reread_calls(int(i.payload["deal_id"]) for i in self._rereading(store)))
        calls.update(reread_calls(int(i.payload["deal_id"])  # _settle_again's read
                                  for i in self._conflicts_again(store)))
        if (left := self._contacts_left(store)):
            pages = store.meta_get(META_CONTACT_PAGES)
            pages = pages if isinstance(pages, Mapping) else {}
            for operation in ("getDeals", "getArchivedDeals"):
                calls[operation] += max(1, int(pages.get(operation) or 0))
            if not store.meta_get("force"):  # _contacts_edited: by id, 100 per call
                for op, (name, _) in _CONTACT_OPS.items():
                    n = len({contact_id(i, name) for i in left if i.op == op})
                    calls["getPersons" if name == "person" else "getOrganizations"] += \
                        -(-n // 100)
        return {op: n for op, n in calls.items() if n}

    def resume_calls(self, store: JobStore) -> dict[str, int]:
        """The calls a resume makes now, by operation: the re-read, the reconcile's read of
        the deals in doubt (100 per call), a 1-token re-check of each conflict sent again,
        then at most one write per pending or in-doubt item."""
        calls = Counter(self.reread_calls(store))
        doubt = [int(i.payload["deal_id"]) for i in store.items(ItemState.SENDING)
                 if i.op in ("restore", "delete") and refused(i) is None
                 and not i.payload.get("conflict")]
        calls.update(reread_calls(doubt, doubt))  # the reconcile's read (F2), archived too
        for contact_op, (name, _) in _CONTACT_OPS.items():  # ... and the contacts in flight
            n = len({contact_id(i, name) for i in store.items(ItemState.SENDING)
                     if i.op == contact_op})
            if n:
                read = "getPersons" if name == "person" else "getOrganizations"
                calls[read] += -(-n // 100)
        for state in (ItemState.PENDING, ItemState.SENDING):
            for item in store.items(state):
                if refused(item) is not None:
                    continue
                if item.payload.get("conflict"):
                    calls["getDeal"] += 1
                op = _WRITE_OPS.get(item.op)
                if op is not None:
                    calls[op] += 1
        return {op: n for op, n in calls.items() if n}

    def in_doubt_writes(self, store: JobStore) -> dict[str, int]:
        """Of ``resume_calls``' writes, those of the rows in doubt (left in flight by a
        kill): one write each, counted as sent again, though the reconcile sends none for
        one it finds applied, gone or in conflict: a plan says so
        (``jobs.resuming.in_doubt_bound``; x52r3 F4: an undo's resume priced 610 tokens,
        spent 500, with no word of its 27 rows in doubt)."""
        calls: Counter[str] = Counter()
        for item in store.items(ItemState.SENDING):
            if refused(item) is None and (op := _WRITE_OPS.get(item.op)) is not None:
                calls[op] += 1
        return dict(calls)

    async def before_resume(self, ctx: CallContext, store: JobStore) -> list[str]:
        """Re-check the pending restores / deletes against the deals as they are now: an
        undo resumed later (after Ctrl-C, a crash, a spent budget) must not delete or
        overwrite a deal someone changed after the undo was planned.

        Reads the deals 100 per call (``GET /api/v2/deals?ids=``). A delete whose deal's
        ``update_time`` is no longer the one the undo read when it was planned is a
        conflict: failed, left alone (unless the undo was started with ``--force``); a
        restore is judged group by group (``since_plan``: another field's change is kept
        and it is sent; some of its groups changed → those kept, the rest put back; all of
        them → the conflict, naming each field: x43r3 F3). A deal
        the default list omits is looked up (a ``getDeal`` each, or the archived list by
        ids above ``ARCHIVED_READ_IDS`` of them): archived since → a conflict, counted with
        the changed ones; gone → a delete is done, a restore fails (f25b: these were left
        to the run, which said "archived while this undo ran" after a "0 changed" line).
        Returns the lines to print."""
        lines = await self._settle_again(ctx, store)
        pending = self._rereading(store)
        lines += await self._deals_again(ctx, store, pending) if pending else []
        return lines + await self._contacts_again(ctx, store)

    @staticmethod
    def _conflicts_again(store: JobStore) -> list[Item]:
        """The conflicts `pdbulk retry` put back to pending (each re-checked in ``execute``
        too, right before its write)."""
        return [i for i in store.items(ItemState.PENDING) if i.payload.get("conflict")
                and i.op in ("restore", "delete") and refused(i) is None]

    async def _settle_again(self, ctx: CallContext, store: JobStore) -> list[str]:
        """What a retry settles before its plan line, without a write (x24r2 7: "plan after
        the re-read: 30 item(s) … updateDeal 16", then none sent, 26 tokens): the rows
        refused when the undo was planned (failed again, no call) and the conflicts sent
        again, read 100 per call — still not as the job left them: failed again; back as
        it left them: left to send (``execute`` re-checks each right before its write)."""
        outcomes = [o for i in store.items(ItemState.PENDING) if (o := refused(i)) is not None]
        lines = ([f"{len(outcomes):,} item(s) refused when the undo was planned (each "
                  "reason in failed.csv): failed again, without a call"] if outcomes else [])
        conflicts = self._conflicts_again(store)
        if conflicts:
            current = await read_deals(ctx, [int(i.payload["deal_id"]) for i in conflicts])
            still = []
            for item in conflicts:
                deal = current.get(int(item.payload["deal_id"]))
                if deal is None:  # archived or deleted: execute's own read tells which
                    continue
                if deal.get("update_time") != item.payload.get("expected_update_time"):
                    still.append(Outcome(item.id, ItemState.FAILED, error=_still_differs(
                        item, deal.get("update_time"))))
            outcomes += still
            lines.append(f"re-read {len(conflicts):,} conflict(s) sent again: {len(still):,} "
                         "still not as the job left them (left alone, without a write), "
                         f"{len(conflicts) - len(still):,} to re-check right before their "
                         "write")
        await AsyncJobStore.of(store).record(outcomes)
        return lines

    async def _deals_again(self, ctx: CallContext, store: JobStore,
                           pending: list[Item]) -> list[str]:
        then = {b.entity_id: b.before.get("update_time") for b in store.before_images("deal")}
        current = await read_deals(ctx, [int(i.payload["deal_id"]) for i in pending])
        # f25b: a deal the default list omits was skipped here, so a deal archived while
        # the undo was stopped counted "0 changed" and failed at its write "archived while
        # this undo ran": it is looked up now (archived or gone), as the run's re-check does
        missing = [deal_id for i in pending if (deal_id := int(i.payload["deal_id"])) in then
                   and is_gone(current.get(deal_id))]
        current.update(await _missing_now(ctx, missing))
        outcomes: list[Outcome] = []
        gone = 0
        source = store.meta_get("source_job")
        images = {b.entity_id: b.before for b in store.before_images("deal")}
        # a deal only a merge moved since the plan is judged as the plan would (f39b)
        by_merge = await self._merge_moved(ctx, store, [
            (i, current.get(int(i.payload["deal_id"])), images.get(int(i.payload["deal_id"])))
            for i in pending])
        if by_merge:  # their images, refreshed to the deal a merge moved
            then = {b.entity_id: b.before.get("update_time")
                    for b in store.before_images("deal")}
            images = {b.entity_id: b.before for b in store.before_images("deal")}
        partly = 0  # restores a change since narrows (``since_plan``): sent in part
        for item in pending:
            deal_id = int(item.payload["deal_id"])
            deal = current.get(deal_id)
            if deal_id not in then:
                continue
            item = with_moved(item, by_merge.get(item.id))
            if is_gone(deal):
                gone += 1
                outcomes.append(_gone_outcome(item, deal_id))
                continue
            assert deal is not None
            if deal.get("is_archived"):
                outcomes.append(Outcome(item.id, ItemState.FAILED, error=(
                    f"conflict: deal {deal_id} was archived since this undo was planned; "
                    + (_left_alone(item.op, source) if item.op == "delete"
                       else _ARCHIVED_LEFT))))
                continue
            if item.op == "restore" and deal_id in images:  # group by group (x43r3 F3)
                since = moved_since_plan(item.payload, deal, images[deal_id], self._labels())
                if since and narrowed_since(item.payload, since, self._labels()) is None:
                    outcomes.append(Outcome(item.id, ItemState.FAILED, error=(
                        f"conflict: deal {deal_id} changed since this undo was planned "
                        f"({'; '.join(since.values())}); " + _left_alone(item.op, source))))
                else:
                    partly += bool(since)
                continue
            moved = _changed_since(deal, item.payload.get("wrote") or {})
            if deal.get("update_time") != then[deal_id] or moved:
                outcomes.append(Outcome(item.id, ItemState.FAILED, error=(
                    f"conflict: deal {deal_id} changed since this undo was planned "
                    f"(update_time {then[deal_id]} then, {deal.get('update_time')} now); "
                    + _left_alone(item.op, source))))
        await AsyncJobStore.of(store).record(outcomes)
        changed = len(outcomes) - gone
        return [f"re-read {len(pending):,} pending deal(s): {changed:,} changed since "
                f"the undo was planned (conflicts, left alone), "
                + (f"{gone:,} deleted since (nothing to put back), " if gone else "")
                + (f"{partly:,} changed in part since (that part kept, the rest to put "
                   "back), " if partly else "")
                + f"{len(pending) - len(outcomes):,} to send"]

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

        - a delete: ``update_time`` no longer the one this undo read when it was planned,
          or a field the source job wrote no longer as it wrote it, or a field a person can
          edit no longer as the undo read it (``editable_digest``: an edit in the same
          second) → FAILED conflict, left alone;
        - a restore: each group it puts back (``since_plan``) someone changed since the
          plan → FAILED conflict naming the fields; some of them → sent narrowed to the
          rest (``_narrow``: ``restored in part``, the kept ones named); none (a change of
          other fields) → sent as planned;
        - missing from the default list: one ``GET /api/v2/deals/{id}`` (1 token) tells
          archived (→ conflict: someone archived it, theirs to decide) from deleted (a
          delete → SKIPPED ``already deleted``; a restore → FAILED 404).

        With ``--force`` the deals are read alike, and a change since the plan is sent
        over rather than left: recorded for the write's result (``OVERWROTE``), counted and
        named after the run (x36r2 F1: an edit made at the prompt was overwritten
        unsaid). Returns the outcomes of the items not to send."""
        if self._store is None:
            return []
        out = await self._contacts_checked(ctx, items)
        checked = self._checks(items)
        if not checked:
            return out
        ids = [int(i.payload["deal_id"]) for i in checked]
        current = await read_deals(ctx, ids)
        images = {i: b.before for i, b in
                  (await AsyncJobStore.of(self._store).before_images_of("deal", ids)).items()}
        gone = [i for i in checked if is_gone(current.get(int(i.payload["deal_id"])))]
        for item in gone:  # missing from the list: archived, or deleted?
            deal_id = int(item.payload["deal_id"])
            if (one := await _one_deal(ctx, deal_id)) is not None:
                current[deal_id] = one
            else:
                current.pop(deal_id, None)
        # a deal only a merge moved since the plan is judged as the plan would (f39b)
        by_merge = await self._merge_moved(ctx, self._store, [
            (i, current.get(int(i.payload["deal_id"])), images.get(int(i.payload["deal_id"])))
            for i in checked])
        if by_merge:
            images = {i: b.before for i, b in (await AsyncJobStore.of(
                self._store).before_images_of("deal", ids)).items()}
        for item in checked:
            deal_id = int(item.payload["deal_id"])
            deal = current.get(deal_id)
            item = with_moved(item, by_merge.get(item.id))
            decided = _during_run(item, deal_id, deal, images.get(deal_id), self._labels(),
                                  self._source_job())
            if decided is not None and self._forced() and decided.state is ItemState.FAILED \
                    and deal is not None and not is_gone(deal) \
                    and (item.op == "delete" or not deal.get("is_archived")):
                # (an archived deal can be deleted, not edited: --force deletes it as
                # before, and a restore of one is left, as the plan leaves one)
                # --force sends it over the change, and says so (its result's ``overwrote``)
                seen = _overwrite_seen(item, deal, images.get(deal_id), self._labels())
                if seen is not None:
                    self._overwrites[item.id] = seen
                continue
            if decided is not None:
                out.append(decided)
            elif item.op == "restore" and not self._forced():
                await self._narrow(item, deal, images.get(deal_id))
        return out

    async def _narrow(self, item: Item, deal: Deal | None,
                      image: Mapping[str, Any] | None) -> None:
        """Keep what a restore about to be sent leaves of its groups someone changed since
        the plan (``since_plan``; ``_during_run`` let it through): in ``_kept`` for its
        write, and in the store (``KEPT_SINCE``) for a reconcile of it after a kill."""
        kept = None
        if deal is not None and image is not None:
            moved = moved_since_plan(item.payload, deal, image, self._labels())
            kept = narrowed_since(item.payload, moved, self._labels()) if moved else None
        if self._store is not None and (kept or self._kept.get(item.id)):
            await AsyncJobStore.of(self._store).meta_put(f"{KEPT_SINCE}{item.id}", kept or {})
        self._kept[item.id] = kept

    async def _contacts_checked(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """The person / organization deletes of a batch, checked before it is sent: one
        that carries a deal this undo does not delete (live or archived), or an
        organization a person still belongs to — a colleague's, or one of the import's
        this undo kept — is kept (SKIPPED, ``action: kept``); the rest may be sent
        (``_cleared``). One read of what changed since for the whole batch
        (``carriers.ContactCarriers``: getDeals + getArchivedDeals, and getPersons when it
        holds organizations, ``--force`` or not), not one per contact (f24a 1: 2 of every 3 reads
        of a run).

        Checked only in a pass that began with this undo's deal writes settled (an
        organization: its person deletes too): their deletes may free a contact, and
        their restores move one; the others wait for the next pass, unread."""
        assert self._store is not None and self._carriers is not None
        self._cleared.difference_update(i.id for i in items)  # each hand-out checked anew
        if not items:
            return []
        if self._sized:  # read as the pass began (``recheck_size``)
            self._sized = False
        elif self._last_id < 0 or items[0].id <= self._last_id:
            # a new pass (the runner began again from the lowest pending id): what is open
            # now decides for the whole pass (one store read a pass, f23i)
            self._pass_open = await in_thread(self._store.open_ops)
        self._last_id = items[-1].id
        if {"delete", "restore"} & self._pass_open:
            return []
        ready = [i for i in items if refused(i) is None and (
            i.op == "delete-person" or (i.op == "delete-org"
                                        and "delete-person" not in self._pass_open))]
        if not ready:
            return []
        out: list[Outcome] = []
        carried = await self._carriers.carried(ctx)
        orgs = sorted({contact_id(i, "org") for i in ready if i.op == "delete-org"})
        # (with --force too: its plan read their persons, META_FORCE_MEMBERS)
        held = await self._carriers.holders(ctx, orgs) if orgs else {}
        for item in ready:
            name, _ = _CONTACT_OPS[item.op]
            rid = contact_id(item, name)
            deal_id = carried[name].get(rid)
            person = held.get(rid) if deal_id is None else None
            if deal_id is not None or person is not None:
                out.append(_kept(name, rid, deal_id, person, item.id))
            else:
                self._cleared.add(item.id)
        return out

    async def recheck_size(self, size: int, burst: int | None) -> int:
        """The runner's batch size for the pass beginning now (``bulk.runner.JobKind``):
        ``size`` (``recheck_batch`` of the run's workers) while a deal restore / delete is
        open; else, for the person / organization deletes, ``contact_batch(burst)``
        whatever the workers — their check reads 30 tokens a batch (the deals and archived
        deals changed since), so batches that shrank with the workers cost ~25 % more a
        contact at 1-2 workers than at the default (x35r1 F6). Reads the open items' ops
        once (the pass's ``_pass_open``)."""
        if self._store is None:
            return size
        self._pass_open = await in_thread(self._store.open_ops)
        self._sized = True
        return contact_pass_size(self._pass_open, size, burst)

    def recheck_calls(self, store: JobStore, size: int,
                      states: Sequence[ItemState] = (ItemState.PENDING,), *,
                      burst: int | None = None) -> dict[str, int]:
        """The calls ``recheck`` makes over the items now in ``states`` (in id order,
        ``size`` per batch: ``bulk.runner.recheck_batch``; the person / organization
        deletes ``contact_batch(burst)`` per batch, as ``recheck_size`` sizes their
        passes), by operation (for plans), ``--force`` too. A deal found missing then
        costs one ``getDeal`` (1 token) more, in place of its write."""
        items = sorted((i for state in states for i in store.items(state)),
                       key=lambda i: i.id)
        calls = Counter(self._contact_checks(store, items, contact_batch(burst)))
        # --force reads them too: a change since the plan is sent over, and named (x36r2 F1)
        calls.update(batched_calls(items, size, lambda batch: reread_calls(
            int(i.payload["deal_id"]) for i in self._checks(batch))))
        return {op: n for op, n in calls.items() if n}

    @staticmethod
    def _contact_checks(store: JobStore, items: Sequence[Item], size: int) -> dict[str, int]:
        """The reads of ``_contacts_checked`` over ``items``: the person deletes are checked
        in one pass, ``size`` per batch, the organization deletes in the next: per batch
        one page of each deal list changed since (``carriers.DEAL_LISTS``) and, of
        organizations, one of the persons changed since (``--force`` too: its plan read
        the organizations' persons, ``META_FORCE_MEMBERS``). A deal list's read takes a
        page per 500 deals its plan's pull saw changed in the margin before it, or this
        undo restores (``META_CONTACT_CHANGED``; f48k: 2,500 deals a colleague wrote just
        before, plan 600 / server 720); more where others change deals after the plan.
        And each contact read by id right before its delete (``execute``: getPerson /
        getOrganization, 1 token; none with ``--force``)."""
        persons = sum(1 for i in items if i.op == "delete-person" and refused(i) is None)
        orgs = sum(1 for i in items if i.op == "delete-org" and refused(i) is None)
        batches = -(-persons // size) + -(-orgs // size)
        seen = store.meta_get(META_CONTACT_CHANGED)
        seen = seen if isinstance(seen, Mapping) else {}
        calls = {op: batches * max(1, -(-int(seen.get(op) or 0) // PAGE))
                 for op in DEAL_LISTS}
        force = bool(store.meta_get("force"))
        # the persons changed since: a page per 500 its plan's read of every person saw
        # changed in the margin (none made: one, ``contact_persons_note``)
        calls["getPersons"] = -(-orgs // size) * max(1, -(-int(seen.get("getPersons") or 0)
                                                          // PAGE))
        if orgs:
            # the persons this undo meant to delete and does not (its plan's conflicts),
            # read by id once before the organizations' check (``ContactCarriers.holders``:
            # 10 tokens per 100; unpriced, a plan of a merged-into person came 10 short)
            left = sum(1 for i in store.items(ItemState.FAILED) if i.op == "delete-person")
            calls["getPersons"] += -(-left // 100)
        if not force:
            calls["getPerson"] = persons
            calls["getOrganization"] = orgs
        return calls

    async def _contacts_again(self, ctx: CallContext, store: JobStore) -> list[str]:
        """Re-check the person / organization deletes left (``--contacts``): one edited
        since the plan read it (``plan.contact_edited``; not with ``--force``) is a
        conflict, FAILED, left alone, as the run's re-check leaves one (f35f 1: a resume
        read only the deals, and its "to delete" counted the edited ones); one that
        carries a deal this undo does not delete (it gained one after the plan, or kept
        one whose delete turned out a conflict) is kept — SKIPPED (DONE when it was in
        doubt) with ``action: kept`` and the deal it carries — never deleted under a
        deal. The contacts by id (``_contacts_edited``, 10 tokens per 100) and one list
        pull of the deals and archived deals (``_carried``)."""
        left = self._contacts_left(store)
        if not left:
            return []
        outcomes: list[Outcome] = []
        if not store.meta_get("force"):
            outcomes, left = await _contacts_edited(ctx, left, self._org_merged)
        edited = len(outcomes)
        going = {int(i.payload["deal_id"]) for i in store.items() if i.op == "delete"
                 and i.state in (ItemState.PENDING, ItemState.SENDING, ItemState.DONE)}
        carried, _ = await _carried(ctx, going)
        for item in left:
            name, _operation = _CONTACT_OPS[item.op]
            rid = contact_id(item, name)
            deal_id = carried[name].get(rid)
            if deal_id is None:
                continue
            state = ItemState.SKIPPED if item.state is ItemState.PENDING else ItemState.DONE
            outcomes.append(Outcome(item.id, state, result={
                f"{name}_id": rid, "action": "kept", "carries_deal": deal_id,
                "note": f"not deleted: it carries deal {deal_id}, which this undo keeps"}))
        await AsyncJobStore.of(store).record(outcomes)
        kept = len(outcomes) - edited
        return [f"re-checked {len(left) + edited:,} person / organization delete(s): "
                + (f"{edited:,} changed since the undo was planned (conflicts, left alone), "
                   if edited else "")
                + f"{kept:,} now carry a deal this undo keeps (kept, not deleted), "
                f"{len(left) - kept:,} to delete"]

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """Decide restores / deletes left in flight (a run died while they were handed out)
        against the deals as they are now, read 100 per call (``GET /api/v2/deals?ids=``,
        10 tokens) — never re-sent blindly over a change someone made meanwhile (issue 9,
        F2). Restores (``jobs.deals.in_flight`` against this undo's before-image):
        applied → DONE ``restored``; already as the image wanted → ``unchanged``; gone →
        failed; another value, or only some of the fields as restored → conflict, nothing
        sent; not applied → sent again, but only while no group it puts back changed since
        the undo was planned (``since_plan``; one the re-check narrowed, ``KEPT_SINCE``, is
        judged as what it sent), nor while a job of the job directory created after this
        undo wrote the deal since in a group it puts back (``later_since``: a conflict,
        left alone — x52r5 F1, the same update file run again after the kill was put
        back). Deletes: gone → DONE ``deleted``;
        ``update_time`` unchanged → sent again; changed → conflict. ``--force`` sends what
        is not applied whatever changed.
        Person / organization deletes and conflicts sent again by ``pdbulk retry`` (which
        re-check in ``execute``) go back to pending: the attempt the dead run counted is
        given back."""
        force = bool(self._store is not None and self._store.meta_get("force"))
        deals = [i for i in items if i.op in ("restore", "delete") and refused(i) is None
                 and not i.payload.get("conflict")]
        contacts = [i for i in items if i.op in _CONTACT_OPS]
        out = [Outcome(i.id, ItemState.PENDING, unsent=True) for i in items
               if i not in deals and i not in contacts]
        out.extend(await _contacts_in_flight(ctx, contacts))
        if not deals:
            return out
        ids = [int(i.payload["deal_id"]) for i in deals]
        # the archived list too: a restore that applied before a colleague archived the
        # deal is done, not "deleted: nothing to restore" (v9r15 S1)
        current = await read_current(ctx, ids, ids)
        wanted = set(ids)
        images = {b.entity_id: b.before for b in (self._store.before_images("deal")
                                                  if self._store is not None else ())
                  if b.entity_id in wanted}
        kept = await self._refused(fresh=True)
        narrowing = {int(k[len(KEPT_SINCE):]): v for k, v in (await AsyncJobStore.of(
            self._store).meta_prefixed(KEPT_SINCE)).items() if isinstance(v, Mapping) and v} \
            if self._store is not None else {}
        moved: list[tuple[Item, Deal | None, Mapping[str, Any] | None]] = []
        # restores sent again narrowed to the groups nobody changed since (``_in_flight``):
        # judged by those groups alone against the later jobs' writes (x54r1 F1)
        judged: dict[int, Item] = {}
        for item in deals:
            deal_id = int(item.payload["deal_id"])
            refusal = kept.get(item.id) if item.op == "restore" else None
            image = images.get(deal_id)
            if image and item.op == "restore" and item.payload.get(GONE_AT_CHECK):
                # narrowed by the resume's account check (``gone_now``): the groups it
                # dropped are no change of anyone's (x46r5 F2: "Discount: 19 then, None
                # now", a conflict)
                image = image_part(image, write_groups(item.payload.get("changes") or {}))
                images[deal_id] = image
            if refusal is None:
                if item.op == "restore" and (since := narrowing.get(item.id)) and image:
                    # sent narrowed (``_narrow``): judged as what it sent
                    item = replace(item, payload=with_kept(item.payload, since))
                    image = image_part(image, write_groups(since["changes"]))
                out.append(_in_flight(item, deal_id, current.get(deal_id),
                                      image, force, self._labels(),
                                      self._source_job()))
                if item.op == "restore" and out[-1].state is ItemState.PENDING and image \
                        and (deal := current.get(deal_id)) is not None and (part := (
                            held_in_flight(item.payload, deal, image, self._labels()))):
                    judged[item.id] = replace(item, payload=with_kept(item.payload, part))
                if item.op == "restore" and out[-1].state is ItemState.FAILED \
                        and out[-1].status is None and self._store is not None:
                    moved.append((item, current.get(deal_id), images.get(deal_id)))
                continue
            out.append(_refused_in_flight(narrowed(item, refusal), refusal, deal_id,
                                          current.get(deal_id), images.get(deal_id), force,
                                          self._labels(), self._source_job()))
        if moved and self._store is not None:
            # applied, then a merge moved the person / organization it put back: done
            found = await merged_after_write(ctx, self._store, moved)
            for item, deal, _ in moved:
                if (moves := found.get(item.id)) is not None and deal is not None:
                    out = [o for o in out if o.item_id != item.id]
                    out.append(_applied_then_merged(item, deal, moves, self._labels()))
        if not force:  # a later job's write since is a conflict, never sent over (x52r5 F1)
            out = await later_conflicts(self._store, [judged.get(i.id, i) for i in deals],
                                        out, current, narrowed=judged.keys())
        return await self._provably_restored(deals, out, current)

    async def _provably_restored(self, deals: Sequence[Item], out: list[Outcome],
                                 current: Mapping[int, Deal | None]) -> list[Outcome]:
        """``out`` with each restore found applied (DONE, ``reconciled``) judged as the
        resume of any kind judges its rows found as wanted (``jobs.provable_writes``: its
        write never left, more found so than the ledger's bound, or the deal changed after
        the write could have landed): one not provably this undo's is SKIPPED
        ``unchanged``, tallied "as wanted, not by this job" (x52r3 F3: a colleague's same
        restore after the kill counted as this undo's "restored"). Raises StoreError."""
        done = {o.item_id for o in out if o.state is ItemState.DONE
                and (o.result or {}).get("reconciled")}
        claimed = [i for i in deals if i.op == "restore" and i.id in done]
        if not claimed:
            return out
        proof = await provable(self._store, claimed, {"updateDeal"})
        by_id = {i.id: i for i in claimed}
        store = self._store
        steps = await in_thread(lambda: later_steps(store, {
            int(i.payload["deal_id"]) for i in claimed})) if store is not None else {}
        judged = []
        for o in out:
            if (item := by_id.get(o.item_id)) is not None:
                deal_id = int(item.payload["deal_id"])
                # a later job's write of other groups since is no change of the restore's
                # (y54r4 F1): the deal judged as dated before it
                deal, _ = as_before_later(current.get(deal_id), steps.get(deal_id, ()),
                                          write_groups(item.payload.get("changes") or {}))
                if why := proof.why(item, deal):
                    o = not_ours(item, deal_id, why, "restored",
                                 {"fields": (o.result or {}).get("fields")})
            judged.append(o)
        return judged

    async def run_started(self) -> None:
        """What the undo settled before this run (its plan: conflicts, deals found as
        before; a killed run's rows) given to the state folder's record
        (``bases.settle_written``), and what the undone job wrote read for ``execute``'s
        per-row share (``bases.restore_targets``; x51r3 F3). A store or record that cannot
        be read is logged: the run's end settles it all."""
        store = self._store
        if store is None or store.meta_get("source_kind") not in REBASED_KINDS:
            return
        await in_thread(partial(settle_written, store))
        url = (store.config.get("engine") or {}).get("base_url")
        try:  # its writes in doubt at a kill said by the next load (``catch_up``)
            if url:
                await in_thread(partial(last_written_runs.register, store, str(url)))
        except (OSError, sqlite3.Error) as exc:
            _log.warning("the state folder's record of this undo could not be written (%s)",
                         exc)
        folder = store.meta_get("source_dir")
        if not isinstance(folder, str):
            return
        try:
            self._wanted = await in_thread(partial(_targets_of, Path(folder)))
            self._settle_at = await in_thread(partial(settled_at, store))
        except (OSError, StoreError, sqlite3.Error) as exc:
            _log.warning("job %s could not be read (%s): the state folder's record is given "
                         "what this undo put back at its end", store.meta_get("source_job"),
                         exc)

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        outcome = await self._execute(ctx, item)
        if self._wanted is not None and self._store is not None and self._settle_at \
                and item.op in ("restore", "delete") and outcome.item_id == item.id \
                and outcome.state in (ItemState.DONE, ItemState.SKIPPED, ItemState.FAILED):
            # the deal's share of the record, before the runner stores the outcome (x51r3
            # F3: a kill before the undo's end left every deal it put back unsettled)
            view = replace(item, state=outcome.state, result=outcome.result,
                           error=outcome.error)
            await in_thread(partial(settle_row, self._store, view, self._wanted,
                                    self._kept.get(item.id), at=self._settle_at))
        return outcome

    def after_run(self, store: JobStore, result: RunResult | None) -> list[str]:
        forget_written(store)
        # the undone job disowned once every row is settled, not before (x53r1 F1)
        settle_done(store, result.counts if result is not None else None,
                    self._settle_at[1] if self._settle_at is not None else None)
        record_deleted(store)
        contacts = contact_counts(store)
        undone = undone_counts(store, contacts)
        by_undo = _gone_by_undo(store)
        lines = [undone_line(undone, in_part_count(store)), *[f"{name}: {c['deleted']:,} deleted"
                 + (f", {c['already gone']:,} already gone ("
                    + _gone_words(c["already gone"], by_undo[name]) + ")"
                    if c["already gone"] else "")
                 + f", {c['kept']:,} kept, {c['failed']:,} failed, "
                 f"{c['unprocessed']:,} unprocessed"
                 for name, c in contacts.items() if any(c.values())]]
        failed = [i for i in store.items(ItemState.FAILED)
                  if (i.error or "").startswith("conflict:")]
        conflicts = sum(1 for i in failed if i.op not in _CONTACT_OPS)
        if conflicts:  # of the failed, as plan undo counts them (x26r3 4)
            lines.append(f"{counted(conflicts, 'conflict')} (of the failed): left alone; "
                         f"{noun(conflicts, 'its reason is', 'their reasons are')} in "
                         "failed.csv")
        if contacts_left := len(failed) - conflicts:
            # f38b: "failed 24" beside "23 conflicts", the person edited since named nowhere
            lines.append(f"{counted(contacts_left, 'person / organization conflict')} (of the "
                         f"failed): changed since the import made {noun(contacts_left, 'it', 'them')}"
                         f" or since this undo's plan read {noun(contacts_left, 'it', 'them')}, "
                         f"left alone (--force deletes {noun(contacts_left, 'it', 'them')}); "
                         f"{noun(contacts_left, 'its reason is', 'their reasons are')} in "
                         "failed.csv")
        if (forced := overwritten_line(store.items(ItemState.DONE), planned=False)):
            lines.append(forced)  # x27r3 2: --force's overwrites said after the run too
        if (beyond := unplanned(i.result for i in store.items())) is not None:
            lines.append(unplanned_line(beyond))  # f37c: the refusals' reads and PATCHes
        if (merged := after_plan(store)) is not None:
            lines.append(after_plan_line(merged))  # f39b: a merge after the plan, traced
        if isinstance(mine := store.meta_get(META_SOURCE_NOT_OURS), int) and mine:
            lines.append(not_ours_line(str(store.meta_get("source_job")), mine))  # x52r8 F5
        if isinstance(left := store.meta_get(META_SOURCE_PENDING), str):
            source = store.meta_get("source_job")
            lines.append(f"job {source} still has {left} pending: not sent, so not undone; "
                         f"`pdbulk resume` / `retry` of job {source} are refused now (they "
                         "would send them over this undo)")
        return write_job_results(store, result, UNDO_COLUMNS,
                                 extra={"contacts": contacts, "undone": undone,
                                        "overwrote": overwritten_counts(store),
                                        "refused_after_plan": beyond,
                                        "merged_after_plan": merged},
                                 lines_extra=lines, rowless_ops=tuple(_CONTACT_OPS))


def contact_batch(burst: int | None) -> int:
    """Person / organization deletes per re-check batch of an undo ``--contacts``: one
    window's burst, 16 to 100 (40 on Growth) — the size ``bulk.runner.recheck_batch``
    gives the default workers — at any ``--workers``: the batch's check reads the deals
    changed since (30 tokens a batch) while each contact is read right before its own
    delete (1 token), so the batch sets the tokens, not the window on the contact."""
    return recheck_batch(64, burst)


def contact_pass_size(open_ops: set[str], size: int, burst: int | None) -> int:
    """A pass's batch size (``UndoJob.recheck_size``): ``size`` while a deal restore /
    delete is among ``open_ops`` (those passes check deals, not contacts), else
    ``contact_batch(burst)``."""
    return size if {"delete", "restore"} & open_ops else contact_batch(burst)


def forget_written(store: JobStore) -> None:
    """At the undo's end: all it settled given to the state folder's record
    (``bases.settle_written``; its rows were given as they settled: ``execute``)."""
    settle_written(store)
    with contextlib.suppress(OSError, sqlite3.Error):
        last_written_runs.unregister(store.job_id)


def _targets_of(folder: Path) -> dict[int, Any]:
    """``bases.restore_targets`` of the job stored in ``folder`` (read, not locked)."""
    with JobStore.open(folder, lock=False) as source:
        return restore_targets(source)


def record_deleted(store: JobStore) -> None:
    """The deals, persons and organizations this undo left deleted (deleted, or found gone
    right before its delete) go to the state folder's record of what pdbulk deleted
    (``jobs.deleted_records``): a later import whose key claims still name them does not
    read them by id (x42r7 F3: an upsert after ``undo --contacts`` read every one, 454 of
    2,939 tokens). Best effort."""
    from jobs.deleted_records import record

    base_url = (store.config.get("engine") or {}).get("base_url")
    if not base_url:
        return
    ids: dict[str, list[int]] = {"deal": [], "person": [], "org": []}
    for i in store.items(ItemState.DONE):
        result = i.result or {}
        if result.get("action") not in ("deleted", "already deleted"):
            continue
        kind = {"delete": "deal", "delete-person": "person", "delete-org": "org"}.get(i.op)
        rid = result.get(f"{kind}_id") if kind else None
        if kind is not None and isinstance(rid, int) and not isinstance(rid, bool):
            ids[kind].append(rid)
    company = store.meta_get("company")
    record(str(base_url), ids, store.job_id, at=store.wall(),
           company=company if isinstance(company, str) else None)


async def _contacts_in_flight(ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
    """Person / organization deletes left in flight (a kill): one gone now is this undo's
    delete (it was in flight; v9r18: counted "already gone, deleted by someone"), done;
    one still there goes back to pending (its attempt given back), re-checked in
    ``execute`` before it is sent. Reads them 100 per call (``GET /api/v2/persons?ids=`` /
    ``organizations?ids=``, 10 tokens)."""
    out: list[Outcome] = []
    for op, (name, _) in _CONTACT_OPS.items():
        mine = [i for i in items if i.op == op]
        ids = sorted({contact_id(i, name) for i in mine})
        live: set[int] = set()
        for start in range(0, len(ids), 100):
            page = await ctx.call("getPersons" if name == "person" else "getOrganizations",
                                  params={"ids": ids[start:start + 100], "limit": 100})
            live.update(int(r["id"]) for r in page.data or () if not r.get("is_deleted"))
        for item in mine:
            rid = contact_id(item, name)
            out.append(Outcome(item.id, ItemState.PENDING, unsent=True) if rid in live
                       else Outcome(item.id, ItemState.DONE, result={
                           f"{name}_id": rid, "action": "deleted", "reconciled": True}))
    return out


async def _contacts_edited(ctx: CallContext, items: Sequence[Item],
                           merged: Callable[[CallContext, Item, Mapping[str, Any]],
                                            Awaitable[str | None]] | None = None,
                           ) -> tuple[list[Outcome], list[Item]]:
    """The person / organization deletes of a re-check batch whose record someone edited
    since the undo's plan read it (``plan.contact_edited``: its ``update_time`` or digest
    no longer the plan's; x34r4 F2, 3 of 3 deleted a colleague's rename): FAILED
    conflicts, left alone as the plan leaves them; and the items still to check. Reads
    them 100 per call (``GET /api/v2/persons?ids=`` / ``organizations?ids=``, 10
    tokens). One not listed (deleted since) is left to its delete (``already
    deleted``). ``merged``: says whether a merge alone moved it (its note; None: not so),
    such a one is not edited (x40r1 F2: ``moved.person_org_merged``)."""
    out: list[Outcome] = []
    edited: set[int] = set()
    for op, (name, _) in _CONTACT_OPS.items():
        mine = [i for i in items if i.op == op]
        ids = sorted({contact_id(i, name) for i in mine})
        now: dict[int, Mapping[str, Any]] = {}
        for start in range(0, len(ids), 100):
            page = await ctx.call("getPersons" if name == "person" else "getOrganizations",
                                  params={"ids": ids[start:start + 100], "limit": 100})
            now.update((int(r["id"]), r) for r in page.data or () if not r.get("is_deleted"))
        for item in mine:
            rid = contact_id(item, name)
            record = now.get(rid)
            if record is None or not contact_edited(item.payload, record) or (
                    merged is not None and await merged(ctx, item, record) is not None):
                continue
            edited.add(item.id)
            out.append(_edited(item, name, rid, record))
    return out, [i for i in items if i.id not in edited]


async def _contact_now(ctx: CallContext, name: str, rid: int) -> Mapping[str, Any] | None:
    """Person ("person") / organization ("org") ``rid`` as it is now (None: deleted).
    ``GET /api/v2/persons/{id}`` / ``organizations/{id}`` (1 token)."""
    try:
        res = await ctx.call("getPerson" if name == "person" else "getOrganization",
                             path={"id": rid})
    except NotFound:
        return None
    record = res.data if isinstance(res.data, Mapping) else None
    return None if record is None or record.get("is_deleted") else record


def _edited(item: Item, name: str, rid: int, record: Mapping[str, Any]) -> Outcome:
    """The conflict of a person / organization delete whose ``record`` someone edited
    since the undo's plan read it: FAILED, left alone (``--force`` deletes it)."""
    label = "person" if name == "person" else "organization"
    called = f"{str(record['name'])!r} ({rid})" if record.get("name") else str(rid)
    return Outcome(item.id, ItemState.FAILED, error=(
        f"conflict: {label} {called} changed since this undo was planned "
        + (f"(update_time {item.payload['expected_update_time']} then, "
           if "expected_update_time" in item.payload else "(update_time ")
        + f"{record.get('update_time')} now); left alone (--force deletes it)"))


# a restore's deal gone after the plan: a merge is told at the plan only (x17r2 2), so the
# run says it may be one, and how to see which deal holds the job's values
_GONE_NOW = ("deal {0} is deleted (or merged into another deal) since this undo was "
             "planned: nothing restored; `pdbulk plan undo` of the job names a deal it was "
             "merged into")


ARCHIVED_READ_IDS = 20  # above this many deals, one archived-list read (20 tokens per 100)
# is cheaper than a getDeal each (1 token; openapi-v2.yaml x-token-cost)


async def _missing_now(ctx: CallContext, ids: Sequence[int]) -> dict[int, Deal]:
    """The deals of ``ids`` (missing from the default list) that are archived; the others
    are gone. A ``getDeal`` each, or the archived list by ids when that costs less."""
    if len(ids) > ARCHIVED_READ_IDS:
        return await read_archived(ctx, ids)
    found = {}
    for deal_id in ids:
        if (deal := await _one_deal(ctx, deal_id)) is not None and not is_gone(deal):
            found[deal_id] = deal
    return found


def _gone_outcome(item: Item, deal_id: int) -> Outcome:
    """A restore / delete whose deal is gone: a delete is already done, a restore fails.
    A delete this undo sent before (``sent_at``: a run died with it in flight, and its
    reconcile read the deal still there while the server was yet to apply it) is this
    undo's own delete landed late: done, ``deleted``, as the reconcile counts one it finds
    gone — not "already deleted" by someone (a kill test's 199 of 200 done)."""
    if item.op == "delete" and item.sent_at is not None:
        return Outcome(item.id, ItemState.DONE, result={
            "deal_id": deal_id, "action": "deleted",
            "note": "its delete was in flight when a run stopped; the deal is gone now"})
    if item.op == "delete":
        return Outcome(item.id, ItemState.SKIPPED, result={"deal_id": deal_id,
                                                           "action": "already deleted"})
    return Outcome(item.id, ItemState.FAILED, status=404, error=_GONE_NOW.format(deal_id))


async def _one_deal(ctx: CallContext, deal_id: int) -> Deal | None:
    """Deal ``deal_id`` as it is, archived too (``GET /api/v2/deals/{id}``, 1 token); None
    when it is gone."""
    try:
        res = await ctx.call("getDeal", path={"id": deal_id})
    except NotFound:
        return None
    return dict(res.data) if isinstance(res.data, Mapping) else None


def _during_run(item: Item, deal_id: int, deal: Deal | None,
                image: Mapping[str, Any] | None,
                labels: Mapping[str, str] | None = None,
                source: Any = None) -> Outcome | None:
    """A restore / delete decided right before it is sent (``UndoJob.recheck``); None: send
    it. ``image``: this undo's before-image of the deal (its picture at the plan);
    ``source``: the job this undo undoes (named in the conflict's advice)."""
    if is_gone(deal):
        return _gone_outcome(item, deal_id)
    assert deal is not None
    left = _left_alone(item.op, source)
    if deal.get("is_archived"):
        return Outcome(item.id, ItemState.FAILED, error=(
            f"conflict: deal {deal_id} was archived while this undo ran; "
            + (left if item.op == "delete" else _ARCHIVED_LEFT)))
    if image is None:
        return None
    if item.op == "restore":  # judged group by group (x43r3 F3: ``since_plan``)
        groups = moved_since_plan(item.payload, deal, image, labels)
        if groups and narrowed_since(item.payload, groups, labels) is None:
            return Outcome(item.id, ItemState.FAILED, error=(
                f"conflict: deal {deal_id} changed while this undo ran "
                f"({'; '.join(groups.values())}); {left}"))
        return None  # a change of other fields is kept; of some groups, narrowed
    then = image.get("update_time")
    if deal.get("update_time") != then:
        return Outcome(item.id, ItemState.FAILED, error=(
            f"conflict: deal {deal_id} changed while this undo ran (update_time {then} when "
            f"it was planned, {deal.get('update_time')} now); {left}"))
    moved = _changed_since(deal, item.payload.get("wrote") or {}, labels)
    if not moved and item.op == "delete" and editable_digest(deal) != editable_digest(image):
        moved = "a field a person can edit is no longer as the undo read it"
    if moved:
        return Outcome(item.id, ItemState.FAILED, error=(
            f"conflict: deal {deal_id} changed while this undo ran ({moved}); {left}"))
    return None


# what a new undo with --force does to a deal a conflict left (x24r2 6: "to overwrite it"
# of an import's create, which --force deletes)
def _still_differs(item: Item, now_time: Any) -> str:
    """A conflict sent again by `pdbulk retry` that is still one."""
    return (f"conflict: deal {item.payload['deal_id']} still differs from what the job wrote "
            f"(update_time {now_time}); run `pdbulk undo` with --force to "
            f"{_force_does(item.op)} it")


def _force_does(op: str) -> str:
    return "overwrite" if op == "restore" else "delete"


def _advice(op: str, source: Any) -> str:
    """What to do about a deal changed after the undo's plan. A restore: a new undo of the
    job, once this one is done, is planned against the deal as it is then — it puts back
    the field groups still as the job wrote them and keeps the change (f38b: the advice
    was only "start the undo again with --force to overwrite it", which overwrote the
    colleague's change the re-check had just kept). A delete (an import's create): only
    --force deletes a create changed since."""
    if op != "restore":
        return f"start the undo again with --force to {_force_does(op)} it"
    job = f"`pdbulk undo {source}`" if source else "a new `pdbulk undo` of the job"
    return (f"once this undo is done, {job} puts back what is still as the job wrote it and "
            "keeps this change (its plan says which; --force there would overwrite the "
            "change)")


def _left_alone(op: str, source: Any) -> str:
    """``left alone`` with ``_advice``."""
    advice = _advice(op, source)
    return f"left alone: {advice}" if op == "restore" else f"left alone ({advice})"


# an archived deal cannot be edited, not even with --force (x24r2 1: advice that, followed,
# is refused); the unarchive is a change since the job, which only --force overwrites
# (x24r5: "puts back what the job wrote" read as the job's own values, and --force is for
# every deal of the undo, not this one alone: a colleague's later edit was overwritten)
_ARCHIVED_LEFT = ("left alone (archived deals cannot be edited: unarchive it, then start the "
                  "undo again with --force, which puts back the values from before the job "
                  "over any change since on every deal of the undo: check `pdbulk plan undo` "
                  "for the others first)")


def _in_flight(item: Item, deal_id: int, deal: Deal | None, image: Mapping[str, Any] | None,
               force: bool, labels: Mapping[str, str] | None = None,
               source: Any = None) -> Outcome:
    """The outcome of an undo's restore / delete left in flight (``UndoJob.reconcile``);
    ``source``: the job this undo undoes (named in a conflict's advice)."""
    then = (image or {}).get("update_time")
    # a restore: a change since the plan counts in the groups it puts back only (x43r3 F3)
    changed = (deal is not None and not force and (
        (then is not None and deal.get("update_time") != then
         and (item.op != "restore" or image is None
              or bool(moved_since_plan(item.payload, deal, image, labels))))
        or bool(_changed_since(deal, item.payload.get("wrote") or {}))))
    advice = _advice(item.op, source)
    conflict = (f"conflict: deal {deal_id} changed while this undo's write was in flight "
                f"(update_time {then} then, {(deal or {}).get('update_time')} now{{}}); left "
                "alone, not sent again — the write may have applied before that change"
                + (f"; {advice}" if item.op == "restore" else f" ({advice})"))
    if item.op == "delete":
        if is_gone(deal):
            return Outcome(item.id, ItemState.DONE, result={  # ``note`` as ``execute``'s
                "deal_id": deal_id, "action": "deleted", "reconciled": True, **_forced(item)})
        if changed:
            return Outcome(item.id, ItemState.FAILED, error=conflict.format(""))
        return Outcome(item.id, ItemState.PENDING, unsent=True)
    changes = item.payload.get("changes") or {}
    verdict, drift = in_flight(deal, image, changes, labels=labels)
    if verdict == "gone":
        return Outcome(item.id, ItemState.FAILED, status=404, error=(
            _GONE_NOW.format(deal_id)))
    if deal is not None and deal.get("is_archived") and verdict in ("unsent", "conflict"):
        return Outcome(item.id, ItemState.FAILED, error=(
            f"conflict: deal {deal_id} was archived while this undo's write was in flight, "
            "and the write had not applied; left alone, nothing sent"))
    if verdict == "applied":
        assert deal is not None
        return Outcome(item.id, ItemState.DONE, result={
            "deal_id": deal_id, "action": restored(item.payload),
            "fields": changed_names(changes, labels=labels), "reconciled": True,
            **applied(deal), **_forced(item)})
    if verdict == "unchanged":
        return Outcome(item.id, ItemState.SKIPPED, result={"deal_id": deal_id,
                                                           "action": "unchanged"})
    if verdict == "conflict" and not force:
        if deal is not None and image is not None \
                and held_in_flight(item.payload, deal, image, labels) is not None:
            # some groups changed since, the rest as the plan read them (or as put back):
            # sent again narrowed, as a settled restore is (x54r1 F1; the re-check right
            # before the write narrows it, ``_narrow``)
            return Outcome(item.id, ItemState.PENDING, unsent=True)
        return Outcome(item.id, ItemState.FAILED, error=conflict.format(f"; {drift}"))
    if changed:
        return Outcome(item.id, ItemState.FAILED, error=conflict.format(""))
    return Outcome(item.id, ItemState.PENDING, unsent=True)


def _applied_then_merged(item: Item, deal: Deal, moves: Sequence[Sequence[Any]],
                         labels: Mapping[str, str] | None) -> Outcome:
    """The outcome of a restore in flight whose write had applied, then a merge moved a
    link it put back (``moved.merged_after_write``): done, as ``_in_flight``'s applied
    one, its note saying so."""
    said = after_write_note(moves)
    item = replace(item, payload={**item.payload, "note": "; ".join(
        filter(None, (item.payload.get("note"), said)))})
    changes = item.payload.get("changes") or {}
    return Outcome(item.id, ItemState.DONE, result={
        "deal_id": int(item.payload["deal_id"]), "action": restored(item.payload),
        "fields": changed_names(changes, labels=labels), "reconciled": True,
        **applied(deal), **_forced(item)})


def _refused_in_flight(item: Item, refusal: Refusal, deal_id: int, deal: Deal | None,
                       image: Mapping[str, Any] | None, force: bool,
                       labels: Mapping[str, str] | None, source: Any = None) -> Outcome:
    """``_in_flight`` of a restore refused for a record gone since the plan (``item``
    narrowed to what was sent after it: ``dead_links.narrowed``): nothing else to put back
    is ``LEFT``; what its attempt in flight made beyond the plan, settled, is in its
    result (``UNPLANNED``)."""
    if not item.payload.get("changes"):
        return Outcome(item.id, ItemState.SKIPPED, result={
            "deal_id": deal_id, "action": LEFT, **_forced(item),
            **({UNPLANNED: refusal.calls} if refused_now(item, refusal) else {})})
    outcome = _in_flight(item, deal_id, deal, image, force, labels, source)
    if outcome.result is None or not refused_now(item, refusal):
        return outcome
    return Outcome(item.id, outcome.state, result={**outcome.result,
                                                   UNPLANNED: refusal.unplanned()})


def _kept(name: str, rid: int, deal_id: int | None, person: int | None,
          item_id: int) -> Outcome:
    """A person / organization delete not sent: it carries ``deal_id``, or ``person``
    still belongs to it (an organization)."""
    if deal_id is not None:
        return Outcome(item_id, ItemState.SKIPPED, result={
            f"{name}_id": rid, "action": "kept", "carries_deal": deal_id,
            "note": f"not deleted: it carries deal {deal_id}, which this undo keeps"})
    return Outcome(item_id, ItemState.SKIPPED, result={
        f"{name}_id": rid, "action": "kept", "holds_person": person,
        "note": f"not deleted: person {person} still belongs to it"})


def _overwrite_seen(item: Item, deal: Deal, image: Mapping[str, Any] | None,
                    labels: Mapping[str, str] | None = None) -> dict[str, str] | None:
    """``OVERWRITES``' {by, what} of a --force write whose deal changed after the plan read
    it (``UndoJob.recheck``), or None when the write goes over none of it (a restore of
    fields nobody changed since: a colleague's new person on the deal is not overwritten,
    x28r2 F7). The plan's own when it named one already (a later job's); else a change by
    others: the fields a restore puts back that moved since the plan, or for a delete
    anything since (it takes the whole deal)."""
    planned = item.payload.get(OVERWRITES)
    if isinstance(planned, Mapping):
        return {"by": str(planned.get("by")), "what": str(planned.get("what"))}
    if item.op == "restore":
        moved = drifted(deal, image, item.payload.get("changes") or {}, labels)
        return {"by": OTHERS, "what": f"changed after the plan ({moved})"} if moved else None
    then = (image or {}).get("update_time")
    return {"by": OTHERS, "what": f"changed after the plan (update_time {then} then, "
                                  f"{deal.get('update_time')} when sent)"}


def _forced(item: Item, seen: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The note of a write for succeeded.csv: one --force sent over a change since the job
    (``OVERWRITES``: ``overwrote a change of job B (--force): ...``), or a restore in part
    (``targets.partly_note``: ``kept as changed since the job: the amount with its
    currency (value: job's 1500, now 444)``), or a dedupe's restore narrowed by the plan (the
    payload's ``note``: ``its value 1040 came from deal 3, merged away; ... it is left``,
    f35f 2: the row said nothing); {} for any other."""
    notes = [str(item.payload["note"])] if item.payload.get("note") else []
    if (partly := partly_note(item.payload)) is not None:
        notes.append(partly)
    over = seen if seen is not None else item.payload.get(OVERWRITES)
    if isinstance(over, Mapping):
        who = "" if over.get("by") == OTHERS else f" of {over.get('by')}"
        notes.append(f"overwrote a change{who} made since the job (--force): "
                     f"{over.get('what')}")
    out: dict[str, Any] = {"note": "; ".join(notes)} if notes else {}
    if seen is not None:  # found right before the write: counted from the result
        out[OVERWROTE] = dict(seen)
    return out


def overwritten_counts(store: JobStore) -> dict[str, int]:
    """The deal writes this undo's --force sent over a change since the job, by whose
    (``job B``, or ``OTHERS``): ``summary.json``'s ``overwrote``."""
    out: Counter[str] = Counter()
    for item in store.items(ItemState.DONE):
        over = overwrote(item)
        if over is not None and (item.result or {}).get("action") in UNDID:
            out[str(over.get("by"))] += 1
    return dict(out)


def undone_counts(store: JobStore,
                  contacts: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
    """What this undo undid, by kind (x18r2 5: one "N done" added deals, persons and
    organizations): deals restored (in whole or in part) or deleted by it, persons /
    organizations it deleted."""
    deals = sum(1 for i in store.items(ItemState.DONE) if i.op not in _CONTACT_OPS
                and (i.result or {}).get("action") in UNDID)
    return {"deals": deals,
            "persons": int(contacts["persons"]["deleted"]),
            "organizations": int(contacts["organizations"]["deleted"])}


def undone_line(undone: Mapping[str, int], in_part: int = 0) -> str:
    """``undone: 120 deals (10 of them restored in part), 40 persons, 12 organizations``
    (the kinds that count; ``in_part``: the deals ``RESTORED_IN_PART``)."""
    parts = [f"{n:,} {kind}" + (f" ({in_part:,} of them {RESTORED_IN_PART}: what they kept "
                                "is in succeeded.csv)" if kind == "deals" and in_part else "")
             for kind, n in undone.items() if n or kind == "deals"]
    return "undone: " + ", ".join(parts)


def in_part_count(store: JobStore) -> int:
    """The deals this undo restored in part (``RESTORED_IN_PART``)."""
    return sum(1 for i in store.items(ItemState.DONE)
               if (i.result or {}).get("action") == RESTORED_IN_PART)


def _gone_by_undo(store: JobStore) -> dict[str, Counter[str]]:
    """Of the persons / organizations the plan found gone, those an earlier undo of the
    import deleted ("persons" / "organizations" → undo job id → how many)."""
    out = {"persons": Counter[str](), "organizations": Counter[str]()}
    for item in store.items(ItemState.SKIPPED):
        if item.op in _CONTACT_OPS and isinstance(
                job := (item.payload.get("result") or {}).get(DELETED_BY), str):
            out["persons" if item.op == "delete-person" else "organizations"][job] += 1
    return out


def _gone_words(gone: int, by_undo: Counter[str]) -> str:
    """Who made ``gone`` contacts gone: the earlier undo jobs that deleted them, by id, and
    the rest "deleted or merged by someone" (x45r9 F4: all were said by someone)."""
    said = [f"{n:,} deleted by undo job {job}" for job, n in sorted(by_undo.items())]
    rest = gone - sum(by_undo.values())
    if not said:
        return "deleted or merged by someone"
    return "; ".join(said + [f"{rest:,} deleted or merged by someone"] * (rest > 0))


def contact_counts(store: JobStore) -> dict[str, dict[str, int]]:
    """The persons / organizations an undo job deletes (``--contacts``; they are not rows of
    the source manifest, so the row counts leave them out): deleted by this undo, already
    gone (its DELETE found it deleted or merged away by someone: v9r15 M2, counted as
    deleted by this undo), kept (they carry a deal this undo keeps: found by the re-check
    after the prompt or on resume), failed, not yet done."""
    out = {"persons": Counter[str](), "organizations": Counter[str]()}
    at_plan = store.meta_get(META_KEPT_AT_PLAN)  # kept by the plan: they are no items
    if isinstance(at_plan, Mapping):  # (v9r14: 2 of 30 persons in no count)
        out["persons"]["kept"] += int(at_plan.get("person") or 0)
        out["organizations"]["kept"] += int(at_plan.get("org") or 0)
    for item in store.items():
        if item.op not in _CONTACT_OPS:
            continue
        bucket = out["persons" if item.op == "delete-person" else "organizations"]
        # (one the plan found gone is skipped at load: its result in its payload)
        action = (item.result or item.payload.get("result") or {}).get("action")
        if action == "kept":
            bucket["kept"] += 1
        elif action == "already deleted":
            bucket["already gone"] += 1
        elif item.state in (ItemState.DONE, ItemState.SKIPPED):
            bucket["deleted"] += 1
        elif item.state is ItemState.FAILED:
            bucket["failed"] += 1
        else:
            bucket["unprocessed"] += 1
    return {name: {k: c[k] for k in ("deleted", "already gone", "kept", "failed",
                                     "unprocessed")}
            for name, c in out.items()}
