"""``DedupeJob``: the merge job that runs a dedupe apply, with its groups' field-policy PATCH.

A group's first merge carries the survivor's field-policy PATCH (``payload["patch"]``,
``PATCH /api/v2/deals/{id}``, 5 tokens) and sends it before its merge; the group's other
merges (``payload["needs_patch"]``) depend on that PATCH. The dependency, for every way
the first merge can end:

- its PATCH applied (in this run, or in an earlier one: recorded with the PATCH's
  answer in the job, meta ``dedupe.policy.<survivor>`` → ``{"item", "update_time"}``,
  before its merge is sent) → the other merges go on, whatever became of its merge;
- it failed with its PATCH not applied (the PATCH refused; or the item failed before
  the PATCH was sent: changed since the plan or gone, decided by the re-read before a
  resume or by the reconcile of an item in flight) → the other merges fail at once,
  naming that item and its reason;
- it is being worked in this run → they wait (``CallContext.wait``) on an event set
  on every end of its PATCH step, and a stop of the run ends the wait (the merge goes
  back to pending, unsent);
- anything else (its PATCH in doubt, a transient fault, a stop) → they go back to
  pending, unsent; the runner's next sweep (after the reconcile) takes them again, and
  its no-progress guard bounds that.

A merge never waits on an item this run is not working, so a resume always ends.

The update_time the PATCH returned is this job's own last write to the survivor
(``MergeJob._expected``): a survivor changed after it (a colleague renamed it after a
kill, say) is a conflict on resume, retry and the re-read after the prompt — the pair
is left alone. Only when a PATCH may have applied without its answer recorded (a kill
between the two) is a newer survivor taken as this job's own, and then only if it
holds the PATCH's values and differs from the plan's snapshot in nothing else
(``_only_policy``). A first merge found in doubt and not applied is sent again, its
PATCH too unless it is recorded as applied or the reconcile's read of the survivor shows
it applied (``_read_back``: a PATCH whose answer was lost is never sent again).

A merge left undone after its group's PATCH applied (skipped: a colleague changed the
copy; failed) may leave the survivor with a value the PATCH took from that copy alone,
then live in two deals. Once every merge of the run has ended (``DedupeJob.settled``),
such a field is put back to what the policy picks among the survivor and the deals
merged (``jobs.dedupe.put_back``): a compare-and-set on this job's own write, so a colleague's later
value stands (``policy_strays`` warns of it, and of a put-back a stop prevented).

Why ~780 lines: the PATCH's dependency is one state machine over execute, re-check,
reconcile and resume; split, each part would need the others' private state.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import anyio

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.errors import BulkError, InDoubt, InputError, Stopped
from bulk.runner import RunResult, recheck_batch
from bulk.store import Item, ItemState, JobStore, Outcome

from ..deals import IDS_PER_CALL, Deal, batched_calls, deal_changes, is_gone, same
from ..merging import PAIR_READS, MergeJob, _merged, confirm_merges, merge_counts, rows_as_rows
from ..updating import check_loaded, refused, write_job_results
from .apply import (
    DEDUPE_COLUMNS,
    KIND,
    REFUSED,
    STATE_DIR,
    record_confirmed,
    record_separate,
    release_held,
    settle_index,
)
from .apply_claims import GroupClaims, held_reason, left_to_another_run
from .held_groups import gone_reason, held_lines
from .held_now import held_now, names_calls, names_now
from .held_now import wanted_ids as names_now_ids
from .index import StateBusy, load_keep_separate, load_makers
from .interrupted import makers_in_jobs
from .model import DealRecord
from .planfiles import read_records
from .put_back import (
    POLICY_RECORD,
    PUT_BACK,
    PUT_BACK_SENT,
    policy_put_backs,
    policy_strays,
    put_back,
    put_back_tokens,
)

# the fields a person edits on a deal (v2 names): a survivor whose PATCH answer was never
# recorded is this job's own only while none of them moved from the plan's snapshot
_EDITABLE = ("title", "value", "currency", "owner_id", "person_id", "org_id", "pipeline_id",
             "stage_id", "status", "probability", "lost_reason", "visible_to",
             "expected_close_date", "label_ids", "is_archived")


# what a held merge's reason says when an earlier send of it was answered 5xx (or its answer
# lost) and read back not applied: it is not sent again
RESENT_HELD = ("not sent again (its earlier send was answered 5xx or lost, and read back not "
               "applied)")


def policy_left(deal: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """The part of the field-policy PATCH ``patch`` that ``deal`` does not hold yet:
    ``deal_changes`` (an id as its object, a number as its text, currency alone), but text
    compared exactly. A PATCH's text is Pipedrive's own (a copy's value) or a survivor's
    title with its stray spaces cleaned, and ``deal_changes`` reads text as a row's
    cleaning does, spaces collapsed: a survivor titled ``'Annual support '`` "held" the
    PATCH cleaning it, so the PATCH was recorded applied and never sent, while the plan
    priced it and succeeded.csv named it (x53r3 F6: 10 of 10 in a night)."""
    left = deal_changes(deal, patch, currency_alone=True)
    for name, value in patch.items():
        if name == "custom_fields" and isinstance(value, Mapping):
            stored = deal.get("custom_fields") or {}
            texts = {code: v for code, v in value.items()
                     if isinstance(v, str) and isinstance(stored.get(code), str)
                     and stored.get(code) != v}
            if texts:
                left["custom_fields"] = {**left.get("custom_fields", {}), **texts}
        elif isinstance(value, str) and isinstance(deal.get(name), str) \
                and deal.get(name) != value:
            left[name] = value
    return left


class DedupeJob(MergeJob):
    """A merge job whose first merge of a group first PATCHes the survivor (field policy);
    the group's other merges depend on that PATCH (the module docstring says how)."""

    name = KIND
    # its writes (``bulk.ledger.take_back_unused``): the merges, and the field-policy PATCH
    # each first merge sends inside its item (``write_calls``); the put-back PATCHes sent
    # outside any item are bounded apart (``outside_writes``)
    item_writes = frozenset({"mergeDeals", "updateDeal"})

    @staticmethod
    def outside_writes(store: JobStore) -> dict[str, int]:
        """The most calls of its ``item_writes`` the runs may have made outside its items,
        by operation: one put-back PATCH (``updateDeal``) per survivor one was about to
        be sent to (``PUT_BACK_SENT``, written before it leaves; ``settled``'s)."""
        return {"updateDeal": len(store.meta_prefixed(PUT_BACK_SENT))}

    def __init__(self, store: JobStore | None = None) -> None:
        super().__init__(store)
        self._patched: set[int] = set()  # survivors whose PATCH applied
        self._patch_times: dict[int, str] = {}  # survivor → update_time its PATCH returned
        self._broken: dict[int, str] = {}  # survivor → why its PATCH is not applied (final)
        self._policies: dict[int, tuple[str, dict[str, Any]]] = {}  # → (first key, PATCH)
        self._events: dict[int, anyio.Event] = {}  # survivor → its first merge's PATCH step
        self._skipped: dict[int, str] = {}  # survivor → why its group is skipped (a resume)
        # groups a merge of which was handed out (sent or being sent): a change seen later
        # leaves only its pair; and groups left whole by a re-check, with the reason
        self._started: set[str] = set()
        self._left_groups: dict[str, str] = {}
        self._makers: dict[int, str] | None = None  # merged-by.json, read once (``_maker``)
        self._found: dict[int, str] | None = None  # the other jobs' stores' merges, read once
        self._planned: Mapping[int, DealRecord] | None = None  # the plan's records, read once
        self._kept_read: set[frozenset[int]] | None = None  # keep-separate, as last read
        # the pairs' deals claimed on a shared coordinator (x35r2, two hosts: both sent one group)
        self._group_claims = GroupClaims(store.job_id if store is not None else None)

    @classmethod
    def from_store(cls, store: JobStore) -> DedupeJob:
        """The job as its store left it: the PATCHes recorded as applied, and the first
        merges that failed without theirs (their group's other merges fail at once)."""
        check_loaded(store)
        job = cls(store)
        for key, value in store.meta_prefixed(POLICY_RECORD).items():
            survivor = int(key[len(POLICY_RECORD):])
            job._patched.add(survivor)
            if isinstance(value, Mapping) and isinstance(value.get("update_time"), str):
                job._patch_times[survivor] = value["update_time"]
        failed, skipped = [], []
        for item in store.items():
            if not item.payload.get("patch"):
                continue
            survivor = int(item.payload["survivor_id"])
            job._policies[survivor] = (str(item.key), item.payload["patch"])
            if item.state is ItemState.DONE:  # a job from before the PATCH was recorded
                job._patched.add(survivor)
            elif item.state is ItemState.FAILED:
                failed.append(item)
            elif item.state is ItemState.SKIPPED and (item.result or {}).get(
                    "action") == "skipped":
                skipped.append(item)
        job._started = {str(i.payload.get("group_id")) for state in (
            ItemState.DONE, ItemState.SENDING) for i in store.items(state)
            if i.payload.get("group_id") is not None}
        for item in failed:
            job._fail_group(item, item.error or "failed")
        for item in skipped:
            job._skip_group(item, str((item.result or {}).get("reason")))
        return job

    def __repr__(self) -> str:
        waiting = sum(1 for e in self._events.values() if not e.is_set())
        return (f"DedupeJob(patched={len(self._patched)}, broken={len(self._broken)}, "
                f"patching={waiting})")

    # -- the dependency --------------------------------------------------------------------
    def _fail_group(self, first: Item, why: str) -> None:
        """The first merge ``first`` failed (``why``): unless its PATCH applied, the
        group's other merges fail at once with that reason."""
        survivor = int(first.payload["survivor_id"])
        if survivor in self._patched:
            return
        why = why.removeprefix("not merged: ")
        self._broken[survivor] = (
            f"not merged: its group's first merge {first.key} failed ({why}), and with it "
            f"the field-policy PATCH of survivor {survivor} this merge needs: see that row")
        if (event := self._events.get(survivor)) is not None:
            event.set()

    def _skip_group(self, first: Item, why: str) -> None:
        """The first merge ``first`` was skipped (``_left``): unless its PATCH applied, the
        group's other merges that need that PATCH are skipped with it (``_after_policy``),
        as ``_fail_group`` fails them."""
        survivor = int(first.payload["survivor_id"])
        if survivor in self._patched:
            return
        self._skipped[survivor] = (f"its group's first merge {first.key} was skipped ({why}), "
                                   f"and with it the field-policy PATCH of survivor "
                                   f"{survivor} this merge needs")
        if (event := self._events.get(survivor)) is not None:
            event.set()

    def _left(self, item: Item, why: str, status: int | None = None) -> Outcome:
        """A merge whose pair changed, went or was archived since the plan is skipped, as
        the apply skips such a group before it starts (v11r8: a resumed apply failed it,
        exit 3, where an uninterrupted one skipped it, exit 0); a first merge skipped
        before its PATCH applied skips the merges that need it (``_skip_group``)."""
        reason = why.removeprefix("not merged: ")
        merge_id = int(item.payload["merge_id"])
        if f"merged-away deal {merge_id} " in reason and (maker := self._maker(merge_id)):
            # gone because another job (a later night's run) merged it: said as such, as a
            # reconcile says it (x19r4 F3: "no longer exists" for 8 of 20 such merges)
            return Outcome(item.id, ItemState.SKIPPED, result={
                **_merged(item), "action": "already merged",
                "reason": f"already merged by job {maker}; this job did not send it"})
        # by the cause, as the apply says it (x51r6 F3: a deal deleted or merged by hand was
        # "changed since the plan" on a resume's end line, "gone" in the apply's)
        since = "gone since the plan" if gone_reason(reason) else "changed since the plan"
        return Outcome(item.id, ItemState.SKIPPED, result={
            **_merged(item), "action": "skipped", "reason": f"{since}: {reason}"})

    async def before_resume(self, ctx: CallContext, store: JobStore) -> list[str]:
        """``MergeJob.before_resume``, once the claims have said which other run's job
        merged the pending merges' deals away (``GroupClaims.learn``): a pair gone because
        another host's run merged it is ``already merged by job ...``, not "no longer
        exists" (x36r2 F4)."""
        await self._group_claims.learn([int(i.payload["merge_id"])
                                        for i in store.items(ItemState.PENDING)])
        return await super().before_resume(ctx, store)

    async def recheck(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """``MergeJob.recheck``, once the claims have said which other run's job merged the
        batch's deals away (``GroupClaims.learn``, no call to Pipedrive): a pair another
        host's run merged while this one ran is ``already merged by job ...`` (x37r2 F4)."""
        await self._group_claims.learn([int(i.payload["merge_id"]) for i in items])
        return await super().recheck(ctx, items)

    async def _held_now(self, ctx: CallContext, pending: Sequence[Item],
                        items: Sequence[Item], live: Mapping[int, Deal]) -> list[Outcome]:
        """A resume's pending merges, or a batch right before it is sent, judged again on
        what the account holds now (``jobs.dedupe.held_now``: the org / person names of the
        plan's records, read for every ``pending`` merge so ``reread_calls`` and
        ``recheck_calls`` price it exactly, and the state's keep-separate decisions): a pair
        no longer a match is skipped, named (x37r2 F2: a resume of night 1 merged a pair
        whose org was renamed a catch-all since; f38c: an org renamed a catch-all while the
        run merged, or a merge in flight at a kill sent again on resume, was merged; f39c: a
        merge answered 5xx, read back not applied and sent again in the same run, was judged
        at its first batch only)."""
        # off the loop: the plan's file, and a shared coordinator's Redis (f39c)
        planned, kept = await in_thread(lambda: (self._plan_records(), self._kept(share=True)))
        self._kept_read = kept
        if not planned and not kept:
            return []
        orgs, persons = names_now_ids(self._pair_records(pending, planned))
        org_names, person_names = await names_now(ctx, orgs, persons)
        out = []
        for item in items:
            pair = (int(item.payload["survivor_id"]), int(item.payload["merge_id"]))
            if (why := held_now(pair, planned, live, org_names, person_names, kept)):
                if item.id in self._resent:  # its earlier send was answered 5xx or lost
                    self._resent.discard(item.id)
                    why = why.replace("nothing sent", RESENT_HELD)
                out.append(Outcome(item.id, ItemState.SKIPPED, result={
                    **_merged(item), "action": "skipped", "reason": why}))
        return out

    def _plan_records(self) -> Mapping[int, DealRecord]:
        """The plan's records of its deals (deals.jsonl), read once; {} without one."""
        if self._planned is None:
            folder = self._store.meta_get("plan_dir") if self._store is not None else None
            try:
                self._planned = read_records(Path(str(folder))) if folder else {}
            except InputError:  # the plan folder is gone: the names cannot be compared
                self._planned = {}
        return self._planned

    def _kept(self, *, share: bool = False) -> set[frozenset[int]]:
        """The state directory's keep-separate pairs now (empty without one); ``share``:
        a batch about to be merged shares this folder's decisions with the company's
        (``index.load_keep_separate``), a plan's pricing only reads. Blocking (the file, a
        shared coordinator's Redis): the run calls it in a thread (``_held_now``,
        ``before_plan``), a plan prices in one (``api.apply_estimate``)."""
        state = self._store.meta_get(STATE_DIR) if self._store is not None else None
        return load_keep_separate(Path(state), share=share) if state else set()

    def _any_kept(self) -> bool:
        """Whether keep-separate pairs bind the job, for its pricing (``reread_calls``,
        ``recheck_calls``): as last read off the loop (``before_plan``, ``_held_now``),
        else read now (a caller in a worker thread)."""
        if self._kept_read is None:
            self._kept_read = self._kept()
        return bool(self._kept_read)

    async def before_plan(self, store: JobStore) -> None:
        """Before a resume prices its run (``jobs.resuming``): the plan's records and the
        keep-separate pairs its pricing asks about, read in a thread (f39c: the pricing
        read Redis on the event loop)."""
        if store is self._store:
            self._kept_read = await in_thread(
                lambda: (self._plan_records(), self._kept())[1])

    @staticmethod
    def _pair_records(items: Sequence[Item], planned: Mapping[int, DealRecord]
                      ) -> list[DealRecord | None]:
        return [planned.get(int(i.payload[k])) for i in items
                for k in ("merge_id", "survivor_id")]

    def reread_calls(self, store: JobStore) -> dict[str, int]:
        """``MergeJob.reread_calls``, plus the names ``_held_now`` reads for them."""
        calls = dict(super().reread_calls(store))
        planned = self._plan_records() if self._store is store else {}
        pending = self._rereading(store)[0]
        if pending and (planned or self._any_kept()):
            orgs, persons = names_now_ids(self._pair_records(pending, planned))
            for op, n in names_calls(len(orgs), len(persons)).items():
                calls[op] = calls.get(op, 0) + n
        return calls

    def recheck_calls(self, store: JobStore, size: int,
                      states: Sequence[ItemState] = (ItemState.PENDING,)) -> dict[str, int]:
        """``MergeJob.recheck_calls``, plus the names ``_held_now`` reads for each batch."""
        calls = Counter(super().recheck_calls(store, size, states))
        planned = self._plan_records() if self._store is store else {}
        if planned or self._any_kept():
            items = sorted((i for state in states for i in store.items(state)),
                           key=lambda i: i.id)
            calls.update(batched_calls(items, size, lambda batch: names_calls(*map(
                len, names_now_ids(self._pair_records(
                    [i for i in batch if refused(i) is None and not i.payload.get("already")],
                    planned))))))
        return {op: n for op, n in calls.items() if n}

    def _maker(self, merge_id: int) -> str | None:
        """The other job the state directory records as having merged ``merge_id`` away
        (``load_makers``), or None."""
        if self._makers is None:
            self._makers = self._known_makers()
        maker = self._makers.get(merge_id) or self._group_claims.maker(merge_id)
        own = self._store.job_id if self._store is not None else None
        return maker if maker is not None and maker != own else None

    def _alongside(self, items: Sequence[Item], left: Sequence[Outcome]) -> list[Outcome]:
        """A re-checked batch's merges of a group one of whose pairs was left alone (a deal
        a colleague changed, deleted or merged while the job ran) are skipped too when
        none of the group's merges was handed out yet: the group is left whole, its
        field-policy PATCH unsent, as the apply leaves a group changed before it starts
        (x11r3 F2: the other ten copies were merged and the PATCH sent, the edited copy
        left as a stray). A group already begun goes on without that pair (merges are
        final). Marks the groups of the merges that go out as begun."""
        by_id = {i.id: i for i in items}
        for outcome in left:
            item = by_id[outcome.item_id]
            group = item.payload.get("group_id")
            if group is not None and group not in self._started:
                why = str((outcome.result or {}).get("reason") or outcome.error or "")
                self._left_groups.setdefault(str(group), f"its pair {item.key}: {why}")
        settled = {o.item_id for o in left}
        out = []
        for item in items:
            group = item.payload.get("group_id")
            if item.id in settled or group is None:
                continue
            reason = self._left_groups.get(str(group))
            if reason is not None and str(group) not in self._started:
                reason = reason.replace(": changed since the plan: ", ": ", 1)
                out.append(Outcome(item.id, ItemState.SKIPPED, result={
                    **_merged(item), "action": "skipped",
                    "reason": f"its group is left alone: {reason}"}))
            else:
                self._started.add(str(group))
        return out

    def _settled(self, items: Sequence[Item], outcomes: list[Outcome]) -> None:
        by_id = {i.id: i for i in items}
        for outcome in outcomes:
            item = by_id[outcome.item_id]
            if not item.payload.get("patch"):
                continue
            if outcome.state is ItemState.FAILED:
                self._fail_group(item, outcome.error or "failed")
            elif outcome.state is ItemState.SKIPPED and (outcome.result or {}).get(
                    "action") == "skipped":
                self._skip_group(item, str((outcome.result or {}).get("reason")))
            elif outcome.state is ItemState.DONE:  # its merge applied: the PATCH went first
                self._patched.add(int(item.payload["survivor_id"]))

    async def prepare(self, items: Sequence[Item]) -> None:
        """Before a batch is handed out (items in id order, ``JobKind.prepare``): each first
        merge in it opens its PATCH step, so a merge of its group handed out after it
        waits for it even when a worker starts that merge first."""
        for item in items:
            if not item.payload.get("patch"):
                continue
            survivor = int(item.payload["survivor_id"])
            if survivor not in self._patched:
                self._broken.pop(survivor, None)
                self._events[survivor] = anyio.Event()

    async def _after_policy(self, ctx: CallContext, item: Item) -> Outcome | None:
        """None once the survivor's PATCH applied; else this merge's outcome (see the
        module docstring). Raises Stopped when a stop ends the wait."""
        survivor = item.payload["survivor_id"]
        event = self._events.get(survivor)
        if survivor not in self._patched and survivor not in self._broken and event:
            await ctx.wait(event)
        if survivor in self._patched:
            return None
        if (why := self._broken.get(survivor)) is not None:
            return Outcome(item.id, ItemState.FAILED, error=why)
        if (why := self._skipped.get(survivor)) is not None:
            return Outcome(item.id, ItemState.SKIPPED, result={
                **_merged(item), "action": "skipped", "reason": why})
        return Outcome(item.id, ItemState.PENDING, unsent=True)  # its first merge is open

    async def _patch(self, ctx: CallContext, item: Item) -> Outcome | None:
        """The group's PATCH, unless it is recorded as applied or the survivor read right
        before it holds its every value (applied before a kill, its answer or its record
        lost: recorded as applied now, its update_time the survivor's as read, not sent —
        the read is the pair's own, so knowing costs no token; a PATCH is 5); its answer's
        update_time is in the job before this returns (before the merge is sent). Right before it, under
        the survivor's lock, both deals of the pair are read (``_as_planned``): one gone or
        changed since the plan → the pair's outcome, its group skipped, nothing sent (x19r2
        F1: the survivor was not read, and a colleague's edit made after the batch's
        re-check was overwritten by the PATCH)."""
        survivor = int(item.payload["survivor_id"])
        event = self._events.get(survivor)
        if event is None or event.is_set():
            event = self._events[survivor] = anyio.Event()
        try:
            if survivor in self._patched:
                return None
            async with self._locks.setdefault(survivor, anyio.Lock()):
                seen: dict[int, Deal] = {}
                if (left := await self._as_planned(ctx, item, seen)) is not None:
                    self._skip_group(item, str((left.result or {}).get("reason")))
                    return left
                if (now := seen.get(survivor)) is not None and not policy_left(
                        now, item.payload["patch"]):
                    # it holds every value of the PATCH already, changed since the plan in
                    # nothing else (``_as_planned``): this job's own PATCH, applied before a
                    # kill that lost its answer or its record — recorded, never sent again
                    # (x44r8 F6: 60 tokens of PATCHes sent again on a night's resume)
                    await self._applied(item, survivor, now.get("update_time"))
                    return None
                try:
                    res = await ctx.call("updateDeal", path={"id": survivor},
                                         json=item.payload["patch"])
                except BulkError as exc:
                    if not (isinstance(exc, InDoubt | Stopped) or exc.retryable
                            or exc.terminal):  # the row fails: so does its group
                        self._fail_group(item, f"its field-policy PATCH failed: {exc}")
                    raise
                data = res.data if isinstance(res.data, Mapping) else {}
                await self._applied(item, survivor, data.get("update_time"))
            return None
        finally:
            event.set()

    async def _applied(self, item: Item, survivor: int, then: object) -> None:
        """Record the field-policy PATCH of ``survivor`` (sent by first merge ``item``) as
        applied, leaving the survivor at ``then`` (its update_time; None: unknown): in the
        job (meta ``dedupe.policy.<survivor>``) before anything else is sent to it."""
        then = then if isinstance(then, str) else None
        self._patched.add(survivor)
        if then is not None:
            self._patch_times[survivor] = then
        if self._store is not None:
            await in_thread(functools.partial(
                self._store.meta_put, f"{POLICY_RECORD}{survivor}",
                {"item": item.id, "update_time": then}))

    async def _read_back(self, items: Sequence[Item], live: Mapping[int, Deal]) -> None:
        """A first merge in doubt whose field-policy PATCH is not recorded as applied (its
        answer lost, or a kill before it was recorded): the survivor as read now holding
        the PATCH's values and differing from the plan's snapshot in nothing else
        (``_explained``) → the PATCH applied: recorded as this job's own write (its
        update_time the survivor's now), never sent again; the merge is then decided as
        any (x32r1 F1: the PATCH was sent again on every sweep, 75 for 15 groups with
        every answer lost, and no merge went). A survivor not holding them: the PATCH did
        not apply, and is sent again with the merge (idempotent). A resume's re-read does
        the same for the pending first merges (x44r8 F6: a PATCH applied, its first merge
        pending, was sent again): the plan after that re-read counts no such PATCH."""
        for item in items:
            patch = item.payload.get("patch")
            survivor_id = int(item.payload["survivor_id"])
            survivor = live.get(survivor_id)
            if not patch or survivor_id in self._patched or survivor is None \
                    or is_gone(survivor) or survivor.get("is_archived"):
                continue
            self._policies.setdefault(survivor_id, (str(item.key), patch))
            if self._explained(item, survivor):
                await self._applied(item, survivor_id, survivor.get("update_time"))

    def _needs_survivor(self, item: Item) -> bool:
        """A first merge whose field-policy PATCH is not recorded as applied: ``_read_back``
        reads the survivor to tell whether that PATCH applied."""
        return bool(item.payload.get("patch")) \
            and int(item.payload["survivor_id"]) not in self._patched

    # -- the job kind ----------------------------------------------------------------------
    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        try:
            return await self._merge_group(ctx, item)
        finally:
            self._ended(item)

    async def _merge_group(self, ctx: CallContext, item: Item) -> Outcome:
        p = item.payload
        if (again := refused(item)) is not None:
            if p.get("patch"):
                self._fail_group(item, again.error or "refused")
            return again
        if p.get("already"):  # merged by an earlier apply of the plan: nothing to send
            return Outcome(item.id, ItemState.DONE, result=p.get("result"))
        if (held := await self._group_claims.take(item)) is not None:  # another host's run
            left = Outcome(item.id, ItemState.SKIPPED, result={
                **_merged(item), "action": "skipped", "reason": held_reason(held)})
            if p.get("patch"):
                self._skip_group(item, held_reason(held))
            return left
        outcome = await self._claimed(ctx, item)  # in doubt (raised): its claim is kept
        if outcome.state is not ItemState.PENDING:
            self._group_claims.ended(item, outcome.state is ItemState.DONE)
        return outcome

    async def _claimed(self, ctx: CallContext, item: Item) -> Outcome:
        """``_merge_group`` once the pair's deals are claimed (``apply_claims``)."""
        p = item.payload
        if p.get("patch"):
            self._policies.setdefault(int(p["survivor_id"]), (str(item.key), p["patch"]))
            if (left := await self._patch(ctx, item)) is not None:
                return left
        elif p.get("needs_patch") and (held := await self._after_policy(ctx, item)):
            return held
        outcome = await self._merge(ctx, item)
        return self._with_fields(item, Outcome(outcome.item_id, outcome.state, result={
            **(outcome.result or {}), "group_id": p.get("group_id")}))

    def _with_fields(self, item: Item, outcome: Outcome) -> Outcome:
        """``outcome`` of a group's first merge, with the fields its field-policy PATCH set
        (``payload["fields"]``: the report's ``fields`` column) once that PATCH applied
        (or the merge did: the PATCH goes first), whether ``execute`` decided it or
        ``reconcile`` read it back (x32r1 F2: a merge whose answer was lost, settled by
        the read-back, showed none although its PATCH applied); else as it is."""
        survivor = int(item.payload["survivor_id"])
        if not item.payload.get("patch") or outcome.result is None or not (
                outcome.state is ItemState.DONE or survivor in self._patched):
            return outcome
        return Outcome(outcome.item_id, outcome.state, outcome.result | {
            "fields": item.payload.get("fields")}, outcome.error, outcome.status,
            outcome.unsent)

    def _known_makers(self) -> dict[int, str]:
        """Merged-away deal id -> the job that made its merge: merged-by.json
        (``load_makers``), and where it names none, the other dedupe jobs' stores beside
        this one (``makers_in_jobs``: a job killed -9 recorded its merges there only)."""
        if self._store is None:
            return {}
        state = self._store.meta_get(STATE_DIR)
        recorded = load_makers(Path(state)) if state else {}
        if self._found is None:  # the other stores are read once a run
            self._found = makers_in_jobs(self._store.directory.parent, self._store.job_id)
        return {**self._found, **recorded}

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """``MergeJob.reconcile``; a merge it finds done (its merged-away deal gone into
        the survivor) that another job's merge of the same deal was answered for — a
        later night's run, recorded in the state directory (``load_makers``: answered or
        reconciled there, x19r2 F2) — was that
        job's: a merge applies once, so this job's attempt, in flight when it stopped, did
        not (x11r3 F1: both jobs' succeeded.csv said ``merged``, 52 merges for 51 made).
        Reported ``already merged``, naming the job. Another host's run on the shared
        coordinator records nothing here: the claims say which job gave the merged-away
        deal's claim back having merged it (``GroupClaims.learn``, asked before the deals
        are read; x37r2 F3: a merge in flight at host A's kill, never applied, made by host
        B's run once A's lease lapsed, was reported ``merged`` by both jobs)."""
        by_id = {i.id: i for i in items}
        await self._group_claims.learn([int(i.payload["merge_id"]) for i in items])
        outcomes = [self._with_fields(by_id[o.item_id], o)
                    for o in await super().reconcile(ctx, items)]
        makers = {**self._known_makers(), **self._group_claims.makers()}
        if not makers:
            return self._claims_ended(by_id, outcomes)
        own = self._store.job_id if self._store is not None else None
        out = []
        for outcome in outcomes:
            item = by_id[outcome.item_id]
            maker = makers.get(int(item.payload["merge_id"]))
            if outcome.state is ItemState.DONE and (outcome.result or {}).get("reconciled") \
                    and maker is not None and maker != own:
                # with the fields this job's PATCH set, as ``execute`` keeps them for
                # the same case (f32j 2: the rewrite dropped the ``fields`` column)
                outcome = self._with_fields(item, Outcome(item.id, ItemState.SKIPPED, result={
                    **_merged(item), "action": "already merged",
                    "reason": f"already merged by job {maker}; this job's merge of it, in "
                              "flight when it stopped, did not apply"}))
            out.append(outcome)
        return self._claims_ended(by_id, out)

    def _claims_ended(self, by_id: Mapping[int, Item], outcomes: list[Outcome]) -> list[Outcome]:
        """``outcomes`` as they are, once the merged-away deals' claims of those settled are
        given back (``apply_claims``)."""
        for o in outcomes:
            if o.state is not ItemState.PENDING:
                self._group_claims.ended(by_id[o.item_id], o.state is ItemState.DONE)
        return outcomes

    def resume_calls(self, store: JobStore) -> dict[str, int]:
        """``MergeJob.resume_calls``, plus one PATCH (``updateDeal``) per first merge still
        to send (pending or in doubt) whose PATCH is not recorded as applied, with the
        reads of both deals of its pair before it (``getDeal``, ``PAIR_READS``)."""
        calls = dict(super().resume_calls(store))
        patches = sum(1 for state in (ItemState.PENDING, ItemState.SENDING)
                      for i in store.items(state) if i.payload.get("patch")
                      and int(i.payload["survivor_id"]) not in self._patched)
        if patches:
            calls["updateDeal"] = calls.get("updateDeal", 0) + patches
            calls["getDeal"] = calls.get("getDeal", 0) + PAIR_READS * patches
        return calls

    def in_doubt_writes(self, store: JobStore) -> dict[str, int]:
        """``MergeJob.in_doubt_writes``, plus one field-policy PATCH (``updateDeal``) per
        first merge in doubt whose PATCH is not recorded as applied: counted as sent again
        (``resume_calls``), though the reconcile's read of the survivor, before any send,
        finds one applied with its answer lost and sends none (``_read_back``). Only that
        read tells: the job keeps the PATCH and the survivor's before-image, not the answer."""
        calls = dict(super().in_doubt_writes(store))
        if patches := sum(1 for i in store.items(ItemState.SENDING) if i.payload.get("patch")
                          and int(i.payload["survivor_id"]) not in self._patched):
            calls["updateDeal"] = patches
        return calls

    def _own_writes(self) -> Mapping[int, str]:
        return self._patch_times

    def _explained(self, item: Item, survivor: Deal) -> bool:
        """A survivor newer than expected is this job's own PATCH only when that PATCH may
        have applied with its answer unrecorded (none recorded as applied), the survivor
        holds the PATCH's values, and it differs from the plan's snapshot in nothing else."""
        survivor_id = int(item.payload["survivor_id"])
        policy = self._policies.get(survivor_id)
        if survivor_id in self._patched or policy is None:
            return False
        patch = policy[1]
        if policy_left(survivor, patch):
            return False
        image = self._store.before_image("deal", survivor_id) if self._store else None
        return image is None or _only_policy(survivor, image.before, patch)

    async def settled(self, ctx: CallContext) -> None:
        """Once every merge has ended (``JobKind.settled``): a field-policy value taken
        from a deal left unmerged is put back (``jobs.dedupe.put_back``)."""
        if self._store is not None:
            await put_back(ctx, self._store, self._patch_times)

    def after_run(self, store: JobStore, result: RunResult | None) -> list[str]:
        # the plan's groups and the merges they ask for, one deal merged away each (x43r5
        # F4: ``rows: 8 — 8 merged`` for 4 groups, a group of 3+ deals counted per merge)
        lines = [*self.settle(store, result), *policy_strays(store),
                 *policy_put_backs(store), *put_back_tokens(store)]
        groups, merges = merge_counts(store)
        first, *rest = write_job_results(store, result, DEDUPE_COLUMNS, extra={
            "groups": groups, "file_rows": groups, "merges": merges})
        # the groups held because the account moved since the plan, apart from the review
        # band's rows the skipped count lumps them with (x48r5 F3)
        held = held_lines({"group_id": i.payload.get("group_id"),
                           "reason": (i.result or i.payload.get("result") or {}).get("reason")}
                          for i in store.items(ItemState.SKIPPED))
        return [*lines, rows_as_rows(first, groups, merges, unit="groups"), *held, *rest]

    @staticmethod
    def settle(store: JobStore, result: RunResult | None) -> list[str]:
        """What the state directory learns of the job's end (the merges confirmed, the
        nightly index installed unless it stopped), without its result files: all a run
        with nothing to merge keeps (``jobs.dedupe.api``); the index's line, if any. The
        keep-separate decisions are remembered too (``record_separate``: the job went ahead)."""
        record_separate(store)
        release_held(store)  # a decided group the run held: not taken (x52r9 F3)
        record_confirmed(store)
        confirm_merges(store)
        lines: list[str] = []
        if result is None or not result.stopped:
            try:
                if (moved := settle_index(store)) is not None:
                    lines.append(moved)
            except StateBusy as exc:
                lines.append(f"index: left as it was ({exc}): the next --since-last run "
                             "reads what changed since its time")
        return lines


def recheck_reads(groups: Sequence[Any], workers: int, burst: int | None = None,
                  records: Mapping[int, DealRecord] | None = None) -> dict[str, int]:
    """The reads of the runner's re-check of a dedupe's merges right before each batch is
    sent, by operation: both deals of each pair (``MergeJob.recheck``, ``getDeals``, 100 ids
    per call) and, given the plan's ``records``, the names of their orgs and persons
    (``DedupeJob._held_now``: ``names_calls``), for ``groups`` (``PlannedGroup``s, in the
    order the apply makes their items) and a run of ``workers`` on an account of ``burst``
    requests per window: what ``plan dedupe`` prices."""
    pairs = [(m, g.survivor_id) for g in groups for m in g.merged_ids]
    size = recheck_batch(workers, burst)
    out: Counter[str] = Counter()
    for n in range(0, len(pairs), size):
        batch = pairs[n:n + size]
        out["getDeals"] += -(-len({d for pair in batch for d in pair}) // IDS_PER_CALL)
        if records:
            out.update(names_calls(*map(len, names_now_ids(
                records.get(d) for pair in batch for d in pair))))
    return {op: n for op, n in out.items() if n}


def _moved(now: Any, then: Any) -> bool:
    return not same(now, then) and not same(then, now)


def _only_policy(deal: Deal, snapshot: Mapping[str, Any], patch: Mapping[str, Any]) -> bool:
    """Whether ``deal`` differs from its ``snapshot`` (the plan's, a whole deal) in no
    editable field (``_EDITABLE``, custom fields) but those the PATCH ``patch`` sets."""
    skip = set(patch) | ({"currency"} if "value" in patch else set())
    if any(_moved(deal.get(name), snapshot.get(name)) for name in _EDITABLE
           if name in snapshot and name not in skip):
        return False
    wanted = patch.get("custom_fields") or {}
    now, then = deal.get("custom_fields") or {}, snapshot.get("custom_fields") or {}
    return not any(_moved(now.get(code), then.get(code)) for code in set(now) | set(then)
                   if code not in wanted)


def unfollowed_decisions(store: JobStore) -> int:
    """The groups of ``store`` (a dedupe job) whose reviewer's ``decision = merge`` was not
    followed: refused at the load (job meta ``REFUSED``) or held by a run's re-check (a
    skipped item of a decided group) — what the apply exits 3 on, for a resume to exit
    on too (x48r12: a killed apply resumed exited 0). Raises StoreError."""
    return len(unfollowed_groups(store))


def unfollowed_groups(store: JobStore) -> list[dict[str, Any]]:
    """The groups ``unfollowed_decisions`` counts, each ``{"group_id", "row", "reason"}``
    (``row``: of groups.csv, None for a group held by the re-check, whose ``reason`` is its
    skipped item's): refused at the load first, then held. Raises StoreError."""
    out: list[dict[str, Any]] = [
        {"group_id": r.get("group_id"), "row": r.get("row"), "reason": r.get("reason")}
        for r in store.meta_get(REFUSED) or [] if isinstance(r, dict)]
    seen = {r["group_id"] for r in out}
    for item in store.items(ItemState.SKIPPED):
        group = item.payload.get("group_id", item.id)
        # (one another live run holds is left to it, not refused: ``left_to_others``)
        if item.payload.get("decided") and group not in seen \
                and left_to_another_run(item) is None:
            seen.add(group)
            out.append({"group_id": group, "row": None,
                        "reason": (item.result or {}).get("reason") or item.error or "held"})
    return out


def left_to_others(store: JobStore) -> dict[object, str]:
    """The decided groups of ``store`` (a dedupe job) skipped as another live run holds
    them (``apply_claims.held_reason``) -> who holds each: not refused, held elsewhere —
    the apply and a resume exit 6 on them, not 3 (x48r14, f48j). Raises StoreError."""
    out: dict[object, str] = {}
    for i in store.items(ItemState.SKIPPED):
        if i.payload.get("decided") and (who := left_to_another_run(i)) is not None:
            out.setdefault(i.payload.get("group_id", i.id), who)
    return out


def left_line(left: Mapping[object, str]) -> str:
    """The stderr line of exit 6 for ``left`` (``left_to_others``)."""
    holders = ", ".join(dict.fromkeys(left.values()))
    n = len(left)
    return (f"pdbulk: exit 6: {n:,} reviewer-decided group{'' if n == 1 else 's'} left to "
            f"another run that holds {'it' if n == 1 else 'them'} ({holders}): nothing sent "
            "for them here; that run merges them (succeeded.csv names each)")


__all__ = ["POLICY_RECORD", "PUT_BACK", "DedupeJob", "policy_put_backs", "policy_strays",
           "left_line", "left_to_others", "unfollowed_decisions", "unfollowed_groups",
           "recheck_reads"]
