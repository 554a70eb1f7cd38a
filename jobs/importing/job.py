"""``ImportJob``, the ``import`` job kind: one row sent (``execute``), the claims of a
batch (``prepare`` / ``finish``) and the result files after a run; its other parts are
the classes it is built from (``jobs.importing``, the package docstring). ``load_again``:
the resume of an import whose load was cut short (it builds the ``ImportJob``, so it lives
above the load, ``jobs.import_load``, which never imports this package).

Why ~530 lines: one row's path (mapped again, followed, sent, refused) reads as one."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.engine import Engine
from bulk.errors import ApiError, BulkError, InDoubt, InputError, NotFound, Stopped
from bulk.runner import RunResult, RunStats
from bulk.store import BeforeImage, Item, ItemState, JobStore, Outcome

from .. import doubles, import_load, last_written  # called through the module: tests patch its functions there
from ..account import DealsByKey, parse_time
from ..deals import applied, before_image, gone_when_sent, in_flight, label
from ..import_checks import META_SETTINGS, stored_settings, with_mapping_defaults
from ..import_resolve import CREATING_ITEM, Deferred, refs_of
from ..import_rows import RowPlanner, matched_by
from ..last_written_runs import RunRecord
from ..mapping import Mapping as ImportMapping
from ..person_key_version import forget_redecided
from ..provable_writes import job_lead
from ..resume_account_now import stop_advice
from ..updating import sent_while_loading
from . import creating, survivors, vanished
from .base import (
    META_KEY_CODE,
    META_SHA,
    _update_time,
    newer_import,
    survivor_noted,
)
from .reconcile import _Reconcile, as_sent, rows_write_calls
from .resume import _Resume

_log = logging.getLogger("pdbulk.import")  # the load's logger: a library prints nothing


class ImportJob(_Reconcile, _Resume):
    """The ``import`` job kind over one job store: ``ImportJob(store, settings,
    key_code="")`` — ``store`` a job store of kind "import" (``JobStore.create``),
    ``settings`` its ``ImportSettings``, ``key_code`` the deal field key holding the source
    keys ("" for a new job: the load finds or creates the field and sets it). Run it with
    ``jobs.import_job`` (load, then run, on one engine); ``after_run(store, result)``
    writes succeeded.csv, failed.csv, summary.json and returns their lines. Exactly once,
    in-doubt creates reconciled before any resend: see the package docstring
    (``jobs.importing``)."""

    name = "import"
    # what works after a stop on writes refused alike (``bulk.repeated``; x45r4 F1)
    after_refusals = stop_advice("import")
    # a run's writes recorded as its rows settle (``jobs.last_written``): from
    # ``run_started`` to ``run_ended``
    _record: RunRecord | None = None

    # the writes it makes inside its rows alone (``bulk.ledger.take_back_unused``)
    item_writes = frozenset({"addDeal", "updateDeal", "addPerson", "addOrganization"})

    @staticmethod
    def write_calls(item: Item) -> dict[str, int]:
        """The most calls of each write a row left SENDING may have charged: its create or
        update, and the persons / organizations it names to create (``refs_of``: the
        person's organization too); a row mapped only as it is sent, at most a person and
        two organizations."""
        calls = {"addDeal" if item.op == "create" else "updateDeal": 1}
        payload = item.payload
        if "deal" not in payload and "changes" not in payload:
            return {**calls, "addPerson": 1, "addOrganization": 2}
        refs = {(str(r["kind"]), str(r["key"])) for r in refs_of(payload)}
        for kind, op in (("person", "addPerson"), ("org", "addOrganization")):
            if (n := sum(1 for k, _ in refs if k == kind)):
                calls[op] = n
        return calls

    @staticmethod
    def write_calls_in(store: JobStore) -> Callable[[Item], dict[str, int]]:
        """``write_calls`` with the person / organization creates each row left SENDING
        had answered beyond what its payload names (``reconcile.rows_write_calls``: a
        contact that vanished, made again); ``bulk.ledger.take_back_unused`` calls it in
        a thread. Raises StoreError."""
        return rows_write_calls(store, ImportJob.write_calls)

    def landed_calls(self, item: Item, outcome: Outcome) -> dict[str, int]:
        """The writes of a row in doubt a reconcile found applied, so charged, no longer in
        doubt (``bulk.runner.JobKind``'s hook, ``bulk.ledger``): its deal create / update
        (``reconciled`` in its DONE result), and the person / organization creates the
        resolver found made by this job, counted on the first row in doubt naming each
        (``_contacts_landed``), whatever the row's outcome (its deal may not have gone)."""
        calls = dict(self.landed.pop(item.id, {}))
        result = outcome.result or {}
        if outcome.state is ItemState.DONE and result.get("reconciled") is True:
            op = "addDeal" if result.get("action") == "created" else "updateDeal"
            calls[op] = calls.get(op, 0) + 1
        return calls

    def __repr__(self) -> str:
        return (f"ImportJob({self.store.job_id!r}, mode={self.settings.mode}, "
                f"mapping_changed={self.mapping_changed}, {self.resolver!r})")

    @classmethod
    def from_store(cls, store: JobStore) -> ImportJob:
        """Rebuild the job kind for ``resume`` / ``retry``."""
        if not store.loaded:  # what it sent: its spend ledger (the key field, maybe)
            raise InputError(f"job {store.job_id} was interrupted while its manifest was being "
                             f"loaded; {sent_while_loading(store)}: start the import again")
        settings = stored_settings(store)
        return cls(store, settings, str(store.meta_get(META_KEY_CODE)),
                   mapping_sha=store.meta_get(META_SHA))

    # -- one row ----------------------------------------------------------------------------
    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        token = CREATING_ITEM.set(item.id)  # its contact creates say which row made them
        try:
            outcome = await self._execute(ctx, item)
        finally:
            CREATING_ITEM.reset(token)
        if outcome.state is ItemState.DONE and self._record is not None:
            self._record.settled(item.id)  # its base recorded as the run goes
        return outcome

    async def _execute(self, ctx: CallContext, item: Item) -> Outcome:
        op, payload = item.op, item.payload
        if self._needs_mapping(item) or await self._redecide_at_send(item):
            again = await self._mapped_again(ctx, item)
            if isinstance(again, Outcome):
                return await self._owned(item, again)
            op, payload = again
            self._remapped[item.id] = payload
            if op == "update" and "deal" not in item.payload and "changes" not in item.payload \
                    and (newer := await self._changed_since_load(ctx, item, payload)):
                return await self._owned(item, Outcome(item.id, ItemState.FAILED, error=newer))
            if op == "update":
                await self._image_remapped(ctx, item, payload)
        elif payload.get("duplicate"):  # held: judged again where the run maps rows
            return await self.held_again(ctx, item)
        resolved: str | None = None
        followed = self._vanished.followed  # (nothing followed: no look-up per row)
        if (followed.went or followed.moved or followed.ids) and (moved := survivors.ahead(
                followed, payload, await vanished.still_making(self, payload))) is not None:
            # a record it names by key that an earlier row followed to its merge survivor
            # (or made again): resolved there before the send (x37r1 F1)
            payload, resolved = moved
        if (ahead := await vanished.resolved_ahead(self, self._vanished, ctx, item, op,
                                                    payload)) is not None:
            # a contact an earlier row found vanished in this run: resolved before the send
            payload, resolved = ahead
            await self._resent(item, payload)
        self._deal_unsent.add(item.id)  # until _create sends its deal (or never)
        try:
            # a person / organization the load linked, merged away or deleted since: the
            # row resolved again (jobs.importing.vanished; f36a 1, x38r1 F8: a chain)
            outcome, payload, resolved = await vanished.sent_following(
                self, self._vanished, ctx, item, op, payload, resolved,
                partial(self._send_row, ctx, item, op), self._resent)
        except InDoubt:
            self._doubted.add(item.id)  # the mark stays for its reconcile
            raise
        except ApiError as exc:  # refused for good: its row names what was made for it
            self._deal_unsent.discard(item.id)
            if exc.terminal or exc.retryable or not (made := self._made_for(payload)):
                raise
            return Outcome(item.id, ItemState.FAILED, error=str(exc), status=exc.status,
                           result={"made": made})
        except BaseException:
            self._deal_unsent.discard(item.id)  # settled or pending: nothing to reconcile
            raise
        self._deal_unsent.discard(item.id)  # kept only for rows left in doubt (memory)
        if resolved and outcome.state is ItemState.DONE:
            outcome = dataclasses.replace(outcome, result=vanished.with_note(outcome.result,
                                                                             resolved))
        if outcome.state is ItemState.DONE and outcome.result is not None:
            # the deal that tells where a record it linked by key went (x37r1 F1)
            self._vanished.followed.saw(payload, outcome.result)
            # the references this job created for the row: its record of what it created
            # (summary, undo --contacts) must not depend on the load's payload
            outcome.result.setdefault("new", self._new(payload))
            vanished.survivors_told(self, item, payload, outcome.result)  # (x38r3 F1, F4)
            # mapped again: what it sent is what the job wrote (undo, the record's base)
            outcome = as_sent(outcome, item, payload)
        return outcome

    async def _resent(self, item: Item, payload: dict[str, Any]) -> None:
        """``item`` sent now as ``payload`` (its contact that vanished resolved again): its
        reconcile settles these refs, and the creates they need beyond its stored payload's
        are marked before they leave (``creating``: a kill -9 cutting one off before its
        answer left no trace of it, its tokens taken back as credit never used)."""
        self._remapped[item.id] = payload
        self._deal_unsent.add(item.id)
        refs = [r for r in creating.beyond(refs_of(payload), item.payload)
                if self.resolver.known(r) is None]
        await creating.mark(self.astore, item, refs, int(self.clock.wall() * 1000))

    async def _send_row(self, ctx: CallContext, item: Item, op: str,
                        payload: Mapping[str, Any]) -> Outcome:
        """Resolve the row's person / organization and send its deal (``_update`` /
        ``_create``); PENDING, unsent, when a person / organization it needs is deferred —
        the references it was held back with kept for its batch's re-check when they are
        not the stored payload's (``_held_refs``)."""
        outcome = await self._resolve_and_send(ctx, item, op, payload)
        if outcome.state is ItemState.PENDING and outcome.unsent:
            refs = (payload.get("org"), payload.get("person"))
            if refs != (item.payload.get("org"), item.payload.get("person")):
                self._held_refs[item.id] = refs
        return outcome

    async def _resolve_and_send(self, ctx: CallContext, item: Item, op: str,
                                payload: Mapping[str, Any]) -> Outcome:
        # a create's person / organization the deal its key's claim names keeps: made
        # only if the row makes its deal after all (f34g: made, then left unlinked)
        later = await self.kept_at_send(item, payload) if op == "create" else frozenset()
        try:
            org_id = None if "org" in later else \
                await self.resolver.resolve(ctx, payload.get("org"))
            person_id = None if "person" in later else \
                await self.resolver.resolve(ctx, payload.get("person"))
        except Deferred:  # only waited for its person/org: not an attempt
            self._deal_unsent.discard(item.id)
            return Outcome(item.id, ItemState.PENDING, unsent=True)
        if op == "update":
            return await self._update(ctx, item, payload, person_id, org_id)
        return await self._create(ctx, item, {**payload, **dict.fromkeys(later)}, person_id,
                                  org_id, deferred={n: payload[n] for n in later})

    async def _owned(self, item: Item, outcome: Outcome) -> Outcome:
        """A row mapped again found its deal already as it wants it (``unchanged``): when
        this job stored the deal's before-image for that row (an earlier run readied or
        sent its update, then died), the deal is as wanted because that write applied —
        DONE ``updated``, which undo owns (v9r13: such rows were recorded ``unchanged`` and
        undo left the job's values on them)."""
        result = outcome.result or {}
        if outcome.state is not ItemState.DONE or result.get("action") != "unchanged" \
                or not isinstance(result.get("deal_id"), int):
            return outcome
        earlier = await self.astore.before_image("deal", result["deal_id"])
        if earlier is None or earlier.item_id != item.id:
            return outcome
        return Outcome(item.id, ItemState.DONE, result={**result, "action": "updated",
                                                        "reconciled": True})

    async def _indexed(self, ctx: CallContext, item: Item,
                       payload: Mapping[str, Any]) -> dict[str, Any] | None:
        """The deal a row mapped again now updates (``payload["deal_id"]``), as the key
        index this process read for the mapping holds it (archived too: unarchived by the
        row); None when the index does not hold it under the row's key."""
        planner = await self._planner_for(ctx)
        deals = planner.indexes.deals
        if deals is None or item.key is None:
            return None
        existing = deals.get(item.key)
        if existing is None and isinstance(deals, DealsByKey):
            existing = deals.archived.get(item.key)
        if existing is None or int(existing["id"]) != payload.get("deal_id"):
            return None
        return existing

    async def _changed_since_load(self, ctx: CallContext, item: Item,
                                  payload: Mapping[str, Any]) -> str | None:
        """Why a row the load refused, mapped again now as an update of its key's deal
        (``pdbulk retry``), must not be sent: the deal was created or changed after this
        job was loaded — by a newer import (named when its key's claim says so), a
        colleague, an automation — so its values are newer than this row, read from the
        file then (x12r2 F1: a retry PATCHed 24 deals a newer export had made back to the
        old values; x12r5 F2: a key on an archived deal at load, unarchived since, wiped a
        newer import's 3000 and a colleague's 7777). None: the deal is as old as the job."""
        existing = await self._indexed(ctx, item, payload)
        if existing is None or item.key is None:
            return None
        deal_id, name = int(existing["id"]), self.claim_name(item.key)
        made = (await self.claims.outcomes([name])).get(name) or {}
        if (newer := newer_import(self.store, made, deal_id, item.key, existing)) is not None:
            return newer  # (its load time tells, even within the second of this one's)
        # update_time is to the second: a change in the load's own second may be after it
        loaded = int(self.store.created_at or 0.0)
        changed = parse_time(existing.get("update_time")) or parse_time(existing.get("add_time"))
        if changed is None or changed < loaded:
            return None
        colliding = self._unsettled(await self._planner_for(ctx), existing, payload)
        if not colliding:
            return None
        names = ", ".join(colliding)
        return (f"conflict: deal {deal_id} (key {item.key}) changed after this job was loaded "
                f"(update_time {existing.get('update_time')}) and this row writes "
                f"{'a field' if len(colliding) == 1 else 'fields'} this state folder's last "
                f"import did not leave as Pipedrive has {'it' if len(colliding) == 1 else 'them'}"
                f" now ({names}): Pipedrive's values may be newer than this row, read from the "
                "file then. Left alone, nothing sent (import the row again, in a new job, to "
                "overwrite them)")

    def _unsettled(self, planner: RowPlanner, existing: Mapping[str, Any],
                   payload: Mapping[str, Any]) -> list[str]:
        """The fields (names as the row's notes give them) of a row mapped again that the
        three-way comparison (``jobs.last_written``) cannot settle on a deal changed after
        the job's load: those the row sends whose value in Pipedrive is not the one this
        state folder last wrote (or agreed on) there — a change made since then, perhaps
        after the load, that the row (the file as read then) would overwrite — or that it
        never wrote (no base). The fields Pipedrive changed and the file did not were
        left out of ``payload["changes"]`` by the row's decision (Pipedrive's value kept),
        so a colleague's edit of another field no longer refuses the row (x32r2 night 1:
        "changed after this job was loaded" for a title edit when the retry wrote only
        the stage). [] when every field it sends is settled."""
        record = planner.last_written
        base = record.of(int(existing["id"])) if record is not None else {}
        stored = existing.get("custom_fields") or {}
        changes = payload.get("changes")
        out: list[str] = []
        for name, _ in last_written.fields_of(changes if isinstance(changes, Mapping) else {}):
            code = name[len(last_written.CUSTOM):] if name.startswith(last_written.CUSTOM) \
                else None
            now = stored.get(code) if code is not None else existing.get(name)
            was = base.get(name)
            if was is None or last_written.digest(now) != was:
                out.append(label(code, self.field_labels) if code is not None else name)
        for link in ("person", "org"):  # a relink: its base is the deal's link as written
            was = base.get(f"{link}_id")
            if payload.get(link) is not None and (
                    was is None or last_written.digest(existing.get(f"{link}_id")) != was):
                out.append(f"{link}_id")
        return out

    async def _image_remapped(self, ctx: CallContext, item: Item,
                              payload: Mapping[str, Any]) -> None:
        """The before-image of the deal a row mapped again (``pdbulk retry``, a changed
        mapping) now updates, from the key index this process read for the mapping — as
        the load keeps one for each update it decides — so that `pdbulk undo` can put
        the deal back (v9r11 severe: a retried upsert overwrote a colleague's deal and
        undo said "no before-image"). An image kept earlier for the deal stays (the first
        one is the state before the job touched it)."""
        if not isinstance(payload.get("changes"), Mapping):
            return
        existing = await self._indexed(ctx, item, payload)
        if existing is None:
            return
        store = self.astore
        earlier = await store.before_image("deal", int(existing["id"]))
        if earlier is not None and earlier.item_id == item.id:
            # this row's update was handed out by an earlier run of the job (a retry killed
            # with it in flight): decided against the picture taken then, never over an edit
            # made since (v9r12 severe: a colleague's values overwritten, then lost to undo)
            self._prior[item.id] = (existing, earlier.before)
            return
        touched = {**payload["changes"], **{f"{name}_id": None for name in ("person", "org")
                                             if payload.get(name) is not None}}
        await store.put_before_images([BeforeImage(
            "deal", int(existing["id"]), item.id, before_image(existing, touched), self.clock.wall())])

    async def _update(self, ctx: CallContext, item: Item, payload: Mapping[str, Any],
                      person_id: int | None, org_id: int | None) -> Outcome:
        body = dict(payload["changes"])
        kept = payload.get("kept") or {}
        if payload.get("person") is not None:
            body["person_id"] = person_id
        if payload.get("org") is not None:
            body["org_id"] = org_id
        deal_id = payload["deal_id"]
        prior = self._prior.pop(item.id, None)
        if prior is not None:
            existing, image = prior
            verdict, drift = in_flight(dict(existing), image, body,
                                       labels=self.field_labels)
            if verdict == "conflict":
                return Outcome(item.id, ItemState.FAILED, error=(
                    f"conflict: deal {deal_id} (key {item.key}) changed since this job's "
                    f"earlier run sent or readied its update ({drift}); left alone, nothing "
                    "sent (import the row again to overwrite it)"))
            if verdict in ("applied", "unchanged", "gone"):
                if verdict == "gone":
                    return Outcome(item.id, ItemState.FAILED, status=404, error=(
                        f"deal {deal_id} no longer exists (deleted or archived since); "
                        "nothing sent"))
                return Outcome(item.id, ItemState.DONE, result={
                    "deal_id": deal_id, "action": "updated", "reconciled": True,
                    "person_id": existing.get("person_id"), "org_id": existing.get("org_id"),
                    **matched_by(payload), **applied(existing), **survivor_noted(payload)})
        try:
            res = await ctx.call("updateDeal", path={"id": deal_id}, json=body)
        except NotFound:
            return gone_when_sent(item.id, int(deal_id), item.key)
        now = {**kept, **(res.data or {})}  # a kept link as the deal holds it now (x36r3)
        return Outcome(item.id, ItemState.DONE, result={
            "deal_id": deal_id, "action": "updated",
            "person_id": person_id if payload.get("person") is not None else now.get("person_id"),
            "org_id": org_id if payload.get("org") is not None else now.get("org_id"),
            # undo: a deal whose update_time is no longer this one changed since
            "update_time": _update_time(res.data), **matched_by(payload), **survivor_noted(payload)})

    # -- the claims of a batch --------------------------------------------------------------
    async def prepare(self, items: Sequence[Item]) -> None:
        """Claim the creates of a batch about to be sent in one step (one transaction
        locally, one round trip on Redis) instead of one each; the releases of the
        creates done so far are written in the same step. A key another live run
        holds is left to ``_claim`` when its row comes (held back: ``_Creates._claim``).
        The run's first batch first reads which keys' claims name a deal already
        (``_named_at_start``)."""
        self.forget_start_reads()  # the run has started: the start-up's reads go
        # a young claims state's look-ups are shared by the batch (_Creates._fresh)
        self._batch_at = self.resolver.batch_at = self.clock.wall()
        if self.resolver.started is None:  # contacts released since are read together
            self.resolver.started = self._batch_at
        if self._named_before is None:
            self._named_before = await self._named_at_start()
        await self._claim_keys([i.key for i in items if i.op == "create" and i.key])

    async def finish(self) -> None:
        """At the end of the run: give back the claims of rows never sent, write every
        release still queued, and close the claims this job opened (a later run opens
        them again), then compact the sent journal (``jobs.importing.sent``): the creates
        this run settled leave it."""
        await self._close_claims()
        await self._compact_sent()

    async def settled(self, ctx: CallContext) -> None:
        """Once every row of the run is settled (not on a stop): the end-of-run checks for
        deals (and persons / organizations: f41b 1) another run doubled (``jobs.doubles``);
        what they find is kept in the job's meta (``META_DOUBLED``, ``META_CONTACTS``) for
        the result files and the exit code. A check the account refuses (a budget spent, the
        account not answering) is kept as not made, with why; the run ends as it would."""
        await vanished.links_now(self, self._vanished, ctx)  # succeeded.csv's links
        await doubles.keep_contact_doubles(ctx, store := self.store)
        made = await in_thread(partial(doubles.created_keys, store))
        if not made or await in_thread(partial(doubles.checked_over, store, made)):
            return  # no create, or none since a check that covered them all
        fields = await in_thread(partial(doubles.created_key_field, store))
        label = self.field_labels.get(self.key_code)
        try:
            found = await doubles.check_doubles(ctx, store, made, self.key_code, label,
                                                fields=fields)
        except Stopped:
            await in_thread(partial(store.meta_put, doubles.META_DOUBLED,
                                    {"unchecked": "the run was stopped before it"}))
            raise
        except BulkError as exc:
            found = {"unchecked": str(exc)}
        if "unchecked" not in found:
            found = {**found, "created": len(made)}  # what it covered (checked_over)
        await in_thread(partial(store.meta_put, doubles.META_DOUBLED, found))

    # -- after a run ------------------------------------------------------------------------
    def attach(self, planner: RowPlanner) -> None:
        """After ``load`` in this process: its planner (indexes) serves any re-mapping."""
        self.key_code = planner.key_code
        self._planner = self._loaded = planner
        self.mapping_changed = False
        self._marks = True  # the load just set META_SENT_MARKS (no read on the loop)

    async def run_started(self) -> None:
        """The run's entry in the job's history (``import_load.start_run``), written as
        it starts: a run cancelled or killed is listed too. Its writes, the base of the
        next upsert's or update's three-way comparison, recorded as rows settle, its run
        registered so that a kill leaves none of them unknown to the next load
        (``RunRecord``; f47e: an import was not registered)."""
        self.started, self.run_began = self.clock.now(), self.clock.wall()
        self._run_index = await in_thread(partial(import_load.start_run, self.store))
        self._record = await RunRecord.start(self.store)

    async def run_ended(self, result: RunResult | None, stats: RunStats) -> None:
        """The run's entry finished, on every exit path (``Runner``'s ``finally``)."""
        self.close_record()  # what rows mapped again read (``_decide_with_record``)
        index, self._run_index = self._run_index, None
        if index is None:
            return
        try:
            # the lead the run's answered writes measured, kept for a resume / undo and
            # said once in the summary when large (``jobs.clock_skew``; x52r8 F1-F3)
            self._lead = await in_thread(lambda: job_lead(self.store, keep=True,
                                                          measured=stats.server_lead))
            await in_thread(partial(
                import_load.end_run, self.store, index, result, stats,
                self.clock.now() - self.started,
                claims={"waited": self.claim_waits, "contacts_waited": self.contact_waits,
                        "found_created": self.found_created, "unattributed": self.unattributed,
                        "merges_undone": self.merges_undone,
                        "keys_recreated": self.keys_recreated,
                        **({"merge_moved_tokens": n} if (n := self.merge_moved_tokens) else {}),
                        **{k: n for k, n in self._vanished.spent(self.resolver).items()
                           if n}}))
        finally:
            await self._close_recorder()

    async def _close_recorder(self) -> None:
        """The rest of the next upsert's three-way base (``RunRecord``:
        what its batches left), its thread and file closed, the run unregistered."""
        if (record := self._record) is not None:
            self._record = None
            try:
                await record.close()
            except (OSError, sqlite3.Error) as exc:
                _log.warning("the state folder's record of what this job wrote could not be "
                             "written (%s): the next upsert sends every differing field", exc)

    def after_run(self, store: JobStore, result: RunResult | None) -> list[str]:
        """Rewrite the result files from the store; the lines the CLI prints (the run is
        in the job's history already: ``run_started`` / ``run_ended``)."""
        paths = import_load.write_import_results(store, result)
        return import_load.summary_lines(store, paths)


async def load_again(engine: Engine, store: JobStore, *, say: import_load.Say | None = None) -> ImportJob:
    """The resume of an import whose load was cut short (a signal, a cancelled task, a
    kill -9 before ``mark_loaded``): no row of it was sent, so what the load stored is
    dropped and the load runs again from the job's manifest and mapping (a key field it
    created is found and used). Returns the loaded ``ImportJob``. Raises what ``load``
    raises (InputError: the manifest or the mapping is gone or no longer usable; the job
    stays resumable once it is fixed), and InputError when either file changed since the
    job was started (``check_inputs``: its rows would be another file's)."""
    say = say or _log.info
    settings = stored_settings(store)
    try:  # a changed file: its message says the one thing to do (x24r3 6: it was followed by
        import_load.check_inputs(store, settings)  # "fix that and resume it again, or start a new import")
    except InputError as exc:  # (before the "loading it again" line: x45r4 F4e)
        raise InputError(f"job {store.job_id} could not be loaded again (nothing of it was "
                         f"sent): {exc}") from None
    say(f"job {store.job_id} was interrupted while its manifest was being loaded "
        f"({sent_while_loading(store)}): loading it again")
    try:
        mapping = await in_thread(lambda: ImportMapping.load(settings.mapping))
        store.discard_load()
        if store.status == "planned":
            store.set_status("loading")
        settings = await in_thread(lambda: with_mapping_defaults(settings, mapping))
        store.meta_put(META_SETTINGS, settings.to_json())
        kind = ImportJob(store, settings, clock=engine.clock)
        kind.attach(await import_load.load(engine.ctx, store, settings, mapping, say=say))
        # every row mapped just now by this code's keys: none is left to decide again
        kind.keys_redecided = None
        forget_redecided(store)
    except InputError as exc:
        raise InputError(f"job {store.job_id} could not be loaded again: {exc} (nothing of "
                         "it was sent: fix that and resume it again)"
                         ) from None
    return kind


__all__ = ["ImportJob", "load_again"]
