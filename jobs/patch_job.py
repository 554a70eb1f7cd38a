"""``PatchJob``: the job kind that sends one prepared PATCH per item.

Shared by update and move-stage (``jobs.stages.MoveStageJob`` is a ``PatchJob``): the
send, the reconcile of PATCHes left in flight, the re-read before a resume and the
runner's re-check right before a batch is sent, each deciding an item against the deal
as it is now (gone, unchanged, no longer selected, in conflict) — never re-sent
blindly. Moved out of ``jobs.updating`` (issue 8), which still re-exports every name;
``UpdateJob`` is in ``jobs.update_job``.

Why ~500 lines: one kind's send and its reconcile's verdicts, which read each other.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar, cast

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.errors import NotFound
from bulk.runner import RunResult
from bulk.store import AsyncJobStore, Item, ItemState, JobStore, Outcome

from . import last_written
from .account import key_moved, keyed_added_since, keyed_since_calls
from .clock_skew import server_since
from .deals import (
    MAY_HAVE_APPLIED,
    Deal,
    applied,
    batched_calls,
    deal_changes,
    drifted,
    gone_when_sent,
    held_before,
    in_flight,
    keys_now_twice,
    not_landed,
    read_current,
    recheck_batch_now,
    redecide_now,
    reread_calls,
    reread_targets,
    status_left,
    stored_labels,
    stored_types,
)
from .later_jobs import later_conflicts, written_later
from .prepared import (
    META_KEY_CHANGED,
    check_loaded,
    key_field_code,
    refused,
    write_job_results,
)
from .provable_writes import doubted_conflicts, job_lead, not_ours, provable
from .resume_account_now import stop_advice

UPDATE_COLUMNS = ("row", "key", "deal_id", "action", "fields", "note")
_log = logging.getLogger("pdbulk.update")  # a library prints nothing


def _images(store: JobStore | None, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The before-images ``store`` holds for these deals (deal id → before; the first one
    stored wins: the picture taken at load)."""
    if store is None:
        return {}
    wanted = set(ids)
    out: dict[int, dict[str, Any]] = {}
    for image in store.before_images("deal"):
        if image.entity_id in wanted:
            out.setdefault(image.entity_id, image.before)
    return out


def _changed_at_load(store: JobStore) -> dict[str, int]:
    """The deals per list that had changed since the start of the scan ``_keys_again``
    makes, as the load counted them (``META_KEY_CHANGED``; none for a job loaded before
    it was stored)."""
    changed = store.meta_get(META_KEY_CHANGED)
    if not isinstance(changed, Mapping):
        return {}
    return {str(op): int(n) for op, n in changed.items() if isinstance(n, int)}


# -- the job kind -----------------------------------------------------------------------------
def conflict(item: Item, deal_id: int, since: str, drift: str) -> Outcome:
    """The outcome of a pending PATCH whose deal someone changed ``since`` (the words for
    when the picture was taken) in a field its before-image holds (``drift``, as
    ``jobs.deals.drifted`` says it): failed, nothing sent."""
    return Outcome(item.id, ItemState.FAILED, error=(
        f"conflict: deal {deal_id} changed {since} ({drift}); left alone, nothing "
        "sent (start a new job to overwrite it)"))


T = TypeVar("T")



def _conflicted(deal_id: int, deal: Deal | None, image: Mapping[str, Any] | None,
                changes: Mapping[str, Any]) -> dict[str, Any]:
    """The result of a write in flight a reconcile failed as a conflict: the deal, and the
    fields the state folder's record counts as this job's write (``written``:
    ``last_written.conflicted`` — all but those still at their before-image), so the next
    update keeps the colleague's value there (x46r10 F1)."""
    return {"deal_id": deal_id, "written": last_written.conflicted(
        changes, held_before(deal, image, changes))}

class PatchJob:
    """Sends one prepared PATCH per item (``payload["changes"]``). PATCH is idempotent, but
    an item left in flight is never re-sent blindly: ``reconcile`` decides it against the
    deal as it is now (someone may have changed it while the run was dead).

    ``store``: the job's store (its before-images decide in-flight items); without one
    (a kind built by hand) every in-flight deal not yet as wanted is sent again."""

    name = "patch"
    action = "updated"
    # a batch's re-check reads its own deals only, and no write of another batch changes
    # them (a deal two rows name is held or decided at load: ``jobs.updating``): the read
    # may go ahead of the last writes of the batch before (``bulk.runner``; issue 8)
    recheck_ahead = True

    @property
    def after_refusals(self) -> str:
        """What works after a stop on writes refused alike (``bulk.repeated``; x45r4 F1)."""
        return stop_advice(self.name)

    def __init__(self, store: JobStore | None = None) -> None:
        self._store = store
        # a resume's scan of the deals added since the load that carry a row's key, by key
        # (``_keys_again``): the in-flight rows the run then reconciles are held to it too
        self._keyed_since: dict[str, list[dict[str, Any]]] | None = None
        self._read: dict[tuple[int, str], Any] = {}  # ``once``'s

    def once(self, store: JobStore, what: str, read: Callable[[JobStore], T]) -> T:
        """``read(store)``, read once per store: meta its load wrote that nothing changes
        after (the key field's code, the selection). The re-check of each pending item asked
        SQLite for them again, on the event loop (x28r1 2: a move-stage of 96 deals made
        611 queries there)."""
        key = (id(store), what)
        if key not in self._read:
            self._read[key] = read(store)
        return cast(T, self._read[key])

    @classmethod
    def from_store(cls, store: JobStore) -> PatchJob:
        check_loaded(store)
        return cls(store)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        if (again := refused(item)) is not None:
            return again
        deal_id = item.payload["deal_id"]
        try:
            res = await ctx.call("updateDeal", path={"id": deal_id},
                                 json=item.payload["changes"])
        except NotFound:
            return gone_when_sent(item.id, int(deal_id))
        data = res.data if isinstance(res.data, Mapping) else {}
        return Outcome(item.id, ItemState.DONE, result={
            "deal_id": deal_id, "action": self.action, "fields": item.payload.get("fields"),
            "update_time": data.get("update_time"),
            **status_left(item.payload["changes"], data)})

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """Decide PATCHes left in flight (a run died while they were handed out: the write
        may or may not have applied) against the deals as they are now, read 100 per call
        (``GET /api/v2/deals?ids=``, 10 tokens; rows that unarchive also from the archived
        list) — never re-sent blindly (issue 9, F2). Per item (``jobs.deals.in_flight``):

        - deal as the PATCH wants it, before-image not → the write applied: DONE as a
          normal success (``action`` as sent, ``reconciled``; undo owns it) — unless more
          rows read so than the ledger shows writes that may have left: then none is
          provably this job's, each SKIPPED ``unchanged`` (``jobs.provable_writes``;
          x51r7 F1: another job's same move was owned, and undone);
        - deal as wanted, before-image too → SKIPPED ``unchanged``;
        - deal gone → FAILED (404), nothing sent; archived (both lists are read) and the
          write not applied → FAILED, nothing sent; archived and applied → DONE (ours);
        - written fields still as the before-image → not applied: the selection is
          checked again (``_unselected``), then back to pending (the attempt the dead run
          counted is given back: kills must not use up a row's attempts) — unless a later
          job of the job directory wrote the deal since, in a group the row writes: a
          conflict, never sent over that write (``jobs.later_jobs``; x52r5 F1's class);
        - anything else (someone else's value, or only some written fields as the PATCH
          wants them: that proves neither way) → a *conflict*: FAILED, nothing sent; its
          result names the fields the state folder's record counts as this job's write
          (``_conflicted``: those no longer at their before-image), so the next update
          keeps the colleague's value there (x46r10 F1).

        A row refused at load time goes back to pending (``execute`` refuses it again)."""
        checked = [i for i in items
                   if refused(i) is None and isinstance(i.payload.get("changes"), Mapping)]
        out = [Outcome(i.id, ItemState.PENDING, unsent=True) for i in items
               if i not in checked]
        if not checked:
            return out
        ids, _ = reread_targets(checked)
        # the archived list too: a write that applied before a colleague archived the deal
        # is ours, and undo must own it (v9r15 S1: reported "no longer exists; nothing sent")
        current = await read_current(ctx, ids, ids)
        images = _images(self._store, ids)
        labels = stored_labels(self._store) if self._store is not None else {}
        verdicts = {item.id: in_flight(current.get(int(item.payload["deal_id"])),
                                       images.get(int(item.payload["deal_id"])),
                                       item.payload["changes"], labels=labels)
                    for item in checked}
        claimed = [item for item in checked if verdicts[item.id][0] == "applied"]
        proof = await provable(self._store, claimed, self.item_writes)
        for item in checked:
            deal_id = int(item.payload["deal_id"])
            deal = current.get(deal_id)
            verdict, drift = verdicts[item.id]
            if verdict == "applied" and (why := proof.why(item, deal)):
                out.append(not_ours(item, deal_id, why, self.action,  # x51r7 F1
                                    {"fields": item.payload.get("fields")}))
                continue
            if verdict == "unsent" and self._keyed_since is not None:
                # not applied, and its key now on a second deal too (added while the job was
                # stopped): never resolved by picking one (v9r9: the resume wrote it)
                twice = keys_now_twice([item], self._keyed_since, verb=self.action)
                if twice:
                    out.extend(twice)
                    continue
            if verdict == "unsent" and deal is not None and self._store is not None:
                why = self._unselected(self._store, deal)
                if why is not None:
                    out.append(Outcome(item.id, ItemState.FAILED, error=(
                        f"not {self.action}: deal {deal_id} no longer matches the selection "
                        f"({why}); it was in flight when the run stopped and was not "
                        "applied; nothing sent")))
                    continue
            if deal is not None and deal.get("is_archived") and verdict in (
                    "unsent", "conflict") and item.payload["changes"].get("is_archived") \
                    is not False:
                if verdict == "conflict" and not not_landed(
                        deal, images.get(deal_id), item.payload["changes"], labels):
                    # some of it as the write wanted: it may have applied, and undo must
                    # name it (x44r3 F1's class: "had not applied" hid it from undo)
                    out.append(Outcome(item.id, ItemState.FAILED, error=(
                        f"conflict: deal {deal_id} was archived while the write was in "
                        f"flight ({drift}); left alone, not sent again — the write "
                        f"{MAY_HAVE_APPLIED} (unarchive it and start a new job to overwrite "
                        "it)"), result=_conflicted(deal_id, deal, images.get(deal_id),
                                                   item.payload["changes"])))
                    continue
                out.append(Outcome(item.id, ItemState.FAILED, error=(
                    f"not {self.action}: deal {deal_id} was archived while the write was in "
                    "flight, and the write had not applied; nothing sent")))
                continue
            before = "" if verdict != "conflict" else not_landed(
                deal, images.get(deal_id), item.payload["changes"], labels)
            settled = self._settled(item, deal_id, deal, verdict, drift, before)
            if verdict == "conflict":
                settled = replace(settled, result=_conflicted(
                    deal_id, deal, images.get(deal_id), item.payload["changes"]))
            out.append(settled)
        deals = {item.id: current.get(int(item.payload["deal_id"])) for item in checked}
        out = await later_conflicts(self._store, checked, out, written_later)  # x52r5 F1
        return await doubted_conflicts(self._store, checked, out, deals,  # x51r13 F2
                                       self.item_writes)

    def _settled(self, item: Item, deal_id: int, deal: Deal | None, verdict: str,
                 drift: str, before: str = "") -> Outcome:
        """The outcome of an in-flight item from its ``in_flight`` verdict; ``before``: the
        written fields still at their before-image when the write did not land
        (``not_landed``)."""
        if verdict == "gone":
            return Outcome(item.id, ItemState.FAILED, status=404, error=(
                f"deal {deal_id} no longer exists (deleted or archived while the write was "
                "in flight); nothing sent"))
        if verdict == "conflict":
            if before:  # it did not land: sent now, it would overwrite that change, as
                # a change since the load is left alone before any send (x32r1 F11)
                return Outcome(item.id, ItemState.FAILED, error=(
                    f"conflict: deal {deal_id} changed while the write was in flight "
                    f"({drift}); the write did not apply ({before} still as before it); left "
                    "alone, not sent: it would overwrite that change (start a new job to "
                    "overwrite it)"))
            return Outcome(item.id, ItemState.FAILED, error=(
                f"conflict: deal {deal_id} changed while the write was in flight ({drift}); "
                f"left alone, not sent again — the write {MAY_HAVE_APPLIED} (start a new job "
                "to overwrite it)"))
        if verdict == "unsent":
            return Outcome(item.id, ItemState.PENDING, unsent=True)
        assert deal is not None
        fields = item.payload.get("fields")
        if verdict == "unchanged":
            return Outcome(item.id, ItemState.SKIPPED, result={
                "deal_id": deal_id, "action": "unchanged", "fields": fields})
        return Outcome(item.id, ItemState.DONE, result={
            "deal_id": deal_id, "action": self.action, "fields": fields, "reconciled": True,
            **applied(deal), **status_left(item.payload.get("changes") or {}, deal)})

    # the writes it makes inside its items alone (``bulk.ledger.take_back_unused``)
    item_writes = frozenset({"updateDeal"})

    @staticmethod
    def write_calls(item: Item) -> dict[str, int]:
        """The most calls of each write an item left SENDING may have charged: its PATCH."""
        return {"updateDeal": 1}

    @staticmethod
    def landed_calls(item: Item, outcome: Outcome) -> dict[str, int]:
        """The PATCH a reconcile found applied (``reconciled`` in its DONE result): charged,
        no longer in doubt (``bulk.runner.JobKind``'s hook, ``bulk.ledger``)."""
        result = outcome.result or {}
        return {"updateDeal": 1} if result.get("reconciled") is True else {}

    @staticmethod
    def _rereading(store: JobStore) -> tuple[list[Item], list[int], list[int]]:
        """The pending items a resume re-reads, their deal ids, and the ids of those whose
        PATCH unarchives the deal (read from the archived list as well)."""
        pending = [i for i in store.items(ItemState.PENDING)
                   if refused(i) is None and isinstance(i.payload.get("changes"), Mapping)]
        return (pending, *reread_targets(pending))

    def reread_calls(self, store: JobStore) -> dict[str, int]:
        """The calls ``before_resume`` makes now, by operation (for the plan): the pending
        deals, and for a job by source key the pull of each deals list changed since the
        job's creation less the margin (``_keys_again``): one page per 500 deals changed
        since, keyed or not — those the load counted (``META_KEY_CHANGED``) and those this
        job wrote since. Pricing it as one page left a move-stage by key answered at its
        prompt one ``getDeals`` over its plan when 500+ deals had changed (an import just
        before)."""
        pending, ids, archived = self._rereading(store)
        calls = Counter(reread_calls(ids, archived))
        if (pending or self._keyed_in_flight(store)) and key_field_code(store):
            # every deal changed since the job's creation (less the margin), keyed or not:
            # those the load saw, and those this job wrote since (a resume)
            changed = Counter(_changed_at_load(store))
            changed["getDeals"] += sum(1 for state in (ItemState.DONE, ItemState.SENDING)
                                       for _ in store.items(state))
            calls.update(keyed_since_calls(changed))
        return dict(calls)

    async def _keys_again(self, ctx: CallContext, store: JobStore,
                          pending: Sequence[Item]) -> list[Outcome]:
        """For a job by source key: the pending items whose key a deal added since the load
        carries too (live or archived), failed naming both (``deals.keys_now_twice``)."""
        code = key_field_code(store)
        keyed = [i for i in pending if i.key and isinstance(i.payload.get("deal_id"), int)]
        if not code or not (keyed or self._keyed_in_flight(store)):
            return []
        lead = await in_thread(lambda: job_lead(store))  # on Pipedrive's clock (x52r8)
        found = await keyed_added_since(ctx, server_since(store.created_at or 0.0, lead),
                                        str(code))
        self._keyed_since = found
        return keys_now_twice(keyed, found, verb=self.action)

    @staticmethod
    def _keyed_in_flight(store: JobStore) -> bool:
        """Whether a run left a PATCH by source key in flight (the resume reconciles it)."""
        return any(i.key and isinstance(i.payload.get("deal_id"), int)
                   for i in store.items(ItemState.SENDING))

    def in_doubt_writes(self, store: JobStore) -> dict[str, int]:
        """Of ``resume_calls``' writes, those of the rows in doubt: one ``updateDeal`` each,
        counted as sent again, though the reconcile sends none for one it finds applied,
        unchanged, gone or in conflict: a plan says so (``jobs.resuming.plan_lines``;
        x51r13 F4: update_b priced 130 where the server charged 60, no note)."""
        n = sum(1 for item in store.items(ItemState.SENDING) if refused(item) is None
                and isinstance(item.payload.get("changes"), Mapping))
        return {"updateDeal": n} if n else {}

    def resume_calls(self, store: JobStore) -> dict[str, int]:
        """The calls a resume makes now, by operation: the re-read of the pending deals, the
        reconcile's read of the deals in doubt (``reconcile``), then at most one PATCH
        per pending or in-doubt item (fewer when the reads find some unchanged, gone or
        in conflict; none for a row refused at load time, which stays refused)."""
        calls = Counter(self.reread_calls(store))
        doubt = [i for i in store.items(ItemState.SENDING)
                 if refused(i) is None and isinstance(i.payload.get("changes"), Mapping)]
        if doubt:
            ids, _ = reread_targets(doubt)
            calls.update(reread_calls(ids, ids))  # the reconcile reads the archived list too
        calls["updateDeal"] += sum(1 for state in (ItemState.PENDING, ItemState.SENDING)
                                   for item in store.items(state) if refused(item) is None)
        return {op: n for op, n in calls.items() if n}

    async def before_resume(self, ctx: CallContext, store: JobStore) -> list[str]:
        """Re-decide the pending items against the deals as they are now (issue 9 §4): a
        resumed job (or one that waited at its prompt, or a retry) must not work from the
        picture taken when it was loaded.

        Reads the deals 100 per call (``GET /api/v2/deals?ids=``, openapi-v2; the deals
        of rows that unarchive also from ``GET /api/v2/deals/archived?ids=``, which is
        where an archived deal is). Per pending item, in this order:

        - a deal that no longer exists (deleted; or archived, for a row that does not
          unarchive: the default list omits it) fails its row with that reason, status
          404, nothing sent;
        - a deal already as the item wants it becomes SKIPPED ``unchanged`` (no PATCH);
        - a deal that no longer matches the job's selection (``_unselected``: move-stage's
          stage / pipeline / status / owner / updated-before filter) fails its row
          ("not moved: no longer matches ..."), nothing sent;
        - a *conflict*: a deal someone changed since the load in a field this job's
          before-image holds (the fields it writes, with their stage/pipeline and status
          companions) fails its row ("conflict: ..."), nothing sent — another user's value
          is never overwritten silently, and the stored before-image, which undo would put
          back, is never older than the deal right before this job's write.

        The rest stay pending as decided. Returns the lines to print."""
        pending, _, _ = await in_thread(lambda: self._rereading(store))  # off the loop
        if not pending:
            await self._keys_again(ctx, store, pending)  # for the rows left in flight
            return []
        everyone = len(pending)
        twice = await self._keys_again(ctx, store, pending)
        if twice:
            await AsyncJobStore.of(store).record(twice)
            failed = {o.item_id for o in twice}
            pending = [i for i in pending if i.id not in failed]
        labels, types = stored_labels(store), stored_types(store)
        decided = await redecide_now(ctx, store, pending, lambda item, deal, image:
                                     self._now(store, item, deal, image,
                                               "since the job was planned", labels, types))
        counts = Counter(what for what, _ in decided)
        counts["on two deals"] = len(twice)
        await AsyncJobStore.of(store).record([outcome for _, outcome in decided])
        settled = sum(counts.values())
        extra = "".join(f", {counts[k]:,} {k}" for k in (
            "no longer selected", "conflicts", "on two deals", "no longer carry their key")
            if counts[k])
        return [f"re-read {everyone:,} pending deal(s): {counts['unchanged']:,} already "
                f"as wanted (unchanged), {counts['gone']:,} gone{extra}, "
                f"{everyone - settled:,} to send"]

    def _now(self, store: JobStore, item: Item, deal: Deal | None,
             image: Mapping[str, Any] | None, since: str,
             labels: Mapping[str, str] | None = None,
             types: Mapping[str, str] | None = None) -> tuple[str, Outcome] | None:
        """A pending PATCH decided against its deal as just read (``before_resume``,
        ``recheck``): (what became of it, its outcome), or None to send it as decided.
        ``since``: when the picture was taken, for the messages; ``types``: the job's
        field types (``stored_types``), for the comparison."""
        deal_id = int(item.payload["deal_id"])
        if deal is None or deal.get("is_deleted"):
            return "gone", Outcome(item.id, ItemState.FAILED, status=404, error=(
                f"deal {deal_id} no longer exists (deleted or archived {since}); "
                "nothing sent"))
        if (moved := key_moved(deal, self.once(store, "key_field_code", key_field_code),
                               item.key)) is not None:
            return "no longer carry their key", Outcome(item.id, ItemState.FAILED, error=(
                f"deal {deal_id} no longer carries key {item.key} (its key field holds "
                f"{moved} {since}); not {self.action}, nothing sent"))
        if not deal_changes(deal, item.payload["changes"], currency_alone=True, types=types):
            return "unchanged", Outcome(item.id, ItemState.SKIPPED, result={
                "deal_id": deal_id, "action": "unchanged", "fields": item.payload.get("fields")})
        if (why := self._unselected(store, deal)) is not None:
            return "no longer selected", Outcome(item.id, ItemState.FAILED, error=(
                f"not {self.action}: deal {deal_id} no longer matches the selection "
                f"({why}) {since}; nothing sent"))
        if drift := drifted(deal, image, item.payload["changes"], labels):
            return "conflicts", conflict(item, deal_id, since, drift)
        return None

    async def recheck(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """The runner's re-check of a batch right before it is sent (``bulk.runner``): the
        batch's deals read now, 100 per ``GET /api/v2/deals?ids=`` (10 tokens; rows that
        unarchive also from ``GET /api/v2/deals/archived?ids=``, 20 tokens), each item
        decided as ``before_resume`` decides it (gone → FAILED 404; already as wanted →
        SKIPPED ``unchanged``; no longer selected → FAILED; a field of its before-image
        someone changed since the load → FAILED conflict): a colleague's change made
        while the job runs is neither overwritten nor, by a later undo, lost. The
        outcomes of the items not to send; the rest are sent, their before-images renewed
        to this read where the deal still holds the image (``image_holds``; a drifted
        deal keeps the load's). Without a store (a kind built by hand): nothing read."""
        if self._store is None:
            return []
        checked = [i for i in items
                   if refused(i) is None and isinstance(i.payload.get("changes"), Mapping)]
        if not checked:
            return []
        store = self._store
        labels, types = stored_labels(store), stored_types(store)
        return await recheck_batch_now(ctx, store, checked, lambda item, deal, image:
                                       self._now(store, item, deal, image, "while the job ran",
                                                 labels, types))

    def recheck_calls(self, store: JobStore, size: int,
                      states: Sequence[ItemState] = (ItemState.PENDING,)) -> dict[str, int]:
        """The calls ``recheck`` makes over the items now in ``states`` (in id order,
        ``size`` per batch: ``bulk.runner.recheck_batch``), by operation (for plans)."""
        items = sorted((i for state in states for i in store.items(state)),
                       key=lambda i: i.id)

        def reads(batch: list[Item]) -> dict[str, int]:
            return reread_calls(*reread_targets(
                [i for i in batch if refused(i) is None
                 and isinstance(i.payload.get("changes"), Mapping)]))
        return batched_calls(items, size, reads)

    def _unselected(self, store: JobStore, deal: Deal) -> str | None:
        """Why ``deal`` no longer matches the job's selection (None: it does, or the job
        kind selects by name, not by a filter)."""
        return None

    def after_run(self, store: JobStore, result: RunResult | None) -> list[str]:
        return write_job_results(store, result, UPDATE_COLUMNS)
