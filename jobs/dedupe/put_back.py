"""The put-back of a field-policy value a survivor took from a deal left unmerged.

A dedupe group's survivor is PATCHed (field policy) before its merges
(``jobs.dedupe.merge_job``). When a merge of the group is then skipped (a colleague changed
that copy) or fails, and the PATCH had taken a value from that copy alone, the value stands
in two live deals: x13r4 F1, a copy at 9,000 skipped mid-apply and the survivor PATCHed to
9,000 before, counted twice in the pipeline. Once every merge of the run has ended, such a
field is put back (``put_back``) to what the policy picks among the survivor and the deals
merged — a compare-and-set on the job's own write — and the run's lines say what was put
back (``policy_put_backs``) and what could not be (``policy_strays``: exit 3).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.errors import BulkError, NotFound
from bulk.operations import get_operation
from bulk.store import Item, ItemState, JobStore
from bulk.wording import counted

from ..deals import is_gone
from .index import from_compact_row
from .model import DealRecord
from .planfiles import PATCHABLE, PlannedGroup, comparable_value, holds, policy_changes, read_summary
from .records import to_record

FIELD_POLICY = "dedupe.field_policy"  # job meta: the plan's [field_policy], as applied
POLICY_IMAGE = "deal-policy"  # before-images of the survivors' field-policy PATCHes
POLICY_RECORD = "dedupe.policy."  # job meta: + survivor id → what its PATCH returned
PUT_BACK = "dedupe.put_back."  # job meta: + survivor id → its put-back (``put_back``)
# job meta: + survivor id → a put-back PATCH about to be sent (its body, the reads before it)
PUT_BACK_SENT = "dedupe.put_back_sent."


async def put_back(ctx: CallContext, store: JobStore, own_writes: dict[int, str]) -> None:
    """Once every merge of the run has ended (``DedupeJob.settled``): each survivor whose
    field-policy PATCH gave it a value taken from a deal left unmerged (``strays``)
    gets that field put back to what the policy chooses among the deals that were
    merged (its own value when none has one): one read (``getDeal``) and, unless it
    holds that already, one PATCH (``updateDeal``) per such survivor, recorded in the
    job (meta ``dedupe.put_back.<survivor>``); the PATCH's answer's update_time goes into
    ``own_writes`` (survivor → the job's last write). A field changed since this job wrote
    it (a colleague's edit) is left as it is, and said (``policy_strays``). Before,
    the value stood in two live deals until an undo (x13r4 F1).

    A put-back PATCH sent (meta ``dedupe.put_back_sent.<survivor>``, written before it)
    whose answer was lost (the run stopped in doubt) and whose values the survivor holds
    when read again is recorded as applied, its update_time the survivor's as read, and
    not sent again (f32j 4: it was recorded as no put-back, and undo then took its values
    for a colleague's edit and left the survivor alone as a conflict)."""
    for stray in await in_thread(functools.partial(strays, store)):
        if stray.put_back is not None:
            continue
        sent = await in_thread(functools.partial(
            store.meta_get, f"{PUT_BACK_SENT}{stray.survivor}"))
        sent = sent if isinstance(sent, Mapping) else {}
        times: dict[int, str | None] = {}
        live = {d: await _live(ctx, d, times) for d in {stray.survivor, *stray.deals.values()}}
        body: dict[str, Any] = {}
        applied: dict[str, Any] = {}  # the fields a put-back sent before set (its answer lost)
        left: list[str] = []
        gone = [n for n, d in stray.deals.items() if live[d] is None]
        now = live[stray.survivor]
        if now is None:  # the survivor itself went since: nothing stands twice
            gone = list(stray.fields)
        for name, (wrote, target) in stray.fields.items():
            if name in gone or now is None:
                continue  # its deal went since: the value stands in one deal only
            current = comparable_value(now, name)
            if current == comparable_value(target):
                if _holds_sent(sent.get("body"), name, target):
                    _put(applied, name, _sent_value(sent.get("body"), name))
                continue
            if current != comparable_value(wrote):
                # changed since this job wrote it, or (in doubt) never written by it
                (gone if stray.doubt else left).append(name)
            else:
                _put(body, name, 0 if target is None and name == "value" else target)
        then = None
        reads = len(live) + int(sent.get("reads") or 0)  # and those before a lost answer
        if body:
            await in_thread(functools.partial(
                store.meta_put, f"{PUT_BACK_SENT}{stray.survivor}",
                {"body": body, "reads": reads}))
            answer = await ctx.call("updateDeal", path={"id": stray.survivor}, json=body)
            then = answer.data.get("update_time") if isinstance(answer.data, Mapping) \
                else None
        elif applied:  # sent before, its answer lost: the survivor read now is its write
            then = times.get(stray.survivor)
        if isinstance(then, str):
            own_writes[stray.survivor] = then
        wrote = {**applied, **body, **({"custom_fields": {
            **(applied.get("custom_fields") or {}), **(body.get("custom_fields") or {})}}
            if "custom_fields" in applied or "custom_fields" in body else {})}
        await in_thread(functools.partial(
            store.meta_put, f"{PUT_BACK}{stray.survivor}",
            {"body": wrote, "left": left, "gone": gone, "update_time": then,
             "reads": reads, "patches": int(bool(body or applied))}))  # ``put_back_spend``


def _put(body: dict[str, Any], name: str, value: Any) -> None:
    """Set field ``name`` (a v2 deal field, or a custom field's key) in a PATCH body."""
    if name in PATCHABLE:
        body[name] = value
    else:
        body.setdefault("custom_fields", {})[name] = value


def _sent_value(body: object, name: str) -> Any:
    """Field ``name``'s value in a PATCH body recorded as sent (``_put``'s shape)."""
    if not isinstance(body, Mapping):
        return None
    if name in PATCHABLE:
        return body.get(name)
    custom = body.get("custom_fields")
    return custom.get(name) if isinstance(custom, Mapping) else None


def _holds_sent(body: object, name: str, target: Any) -> bool:
    """A put-back sent before (``body``) set field ``name`` to ``target``."""
    if not isinstance(body, Mapping):
        return False
    present = name in body if name in PATCHABLE else isinstance(
        body.get("custom_fields"), Mapping) and name in body["custom_fields"]
    value = _sent_value(body, name)
    return bool(present) and (comparable_value(value) == comparable_value(target) or (
        target is None and name == "value" and value == 0))


@dataclass(frozen=True, slots=True)
class Stray:
    """A survivor whose field-policy PATCH applied and gave it values taken only from
    deals its group left unmerged: ``fields``: name → (the value the PATCH wrote, the
    value to put back), ``deals``: name → the unmerged deal it came from, ``put_back``:
    the put-back recorded in the job (``{"body", "left", "gone", "update_time"}``: the
    fields PATCHed back, those left as a colleague changed them, those whose value stands
    in one deal only) or None; ``doubt``: the PATCH may have applied (sent, its answer
    not recorded: a kill), so a field that does not hold its value is not this job's."""

    group: str
    survivor: int
    fields: dict[str, tuple[Any, Any]]
    deals: dict[str, int]
    put_back: Mapping[str, Any] | None
    doubt: bool = False
    # the deal it came from is one whose merge has not ended (the run stopped): a resume
    # merges it, or puts the value back if the merge fails for good (``strays(waiting=True)``)
    waiting: bool = False


def strays(store: JobStore, waiting: bool = False) -> list[Stray]:
    """The job's survivors whose field-policy PATCH applied and took a value from a merge
    left undone (skipped, failed) and from no deal merged: that value stands in two live
    deals (x13r4 F1: a copy at 9,000 changed by a colleague mid-apply was skipped, and
    the survivor, PATCHed to 9,000 before, counted it a second time in the pipeline).
    The value to put back is the job's policy (meta ``dedupe.field_policy``, else the
    plan's summary) over the survivor as the apply read it and the deals merged, or the
    survivor's own value when the policy picks none of theirs. ``waiting``: a merge not
    ended yet (pending, or sent in doubt: the run stopped) counts as left undone too, the
    stray then ``waiting`` (x34r2 F4: a stop with the merge failing left the PATCHed
    value on two live deals and said nothing)."""
    groups: dict[str, list[Item]] = {}
    for item in store.items():
        if item.op == "merge" and item.payload.get("group_id") is not None:
            groups.setdefault(str(item.payload["group_id"]), []).append(item)
    out = []
    policy: Mapping[str, str] | None = None
    for group, items in groups.items():
        first = next((i for i in items if i.payload.get("patch")), None)
        if first is None:
            continue
        survivor = int(first.payload["survivor_id"])
        doubt = first.state is not ItemState.DONE \
            and store.meta_get(f"{POLICY_RECORD}{survivor}") is None
        if doubt and first.sent_at is None:
            continue  # the PATCH was never sent
        patch = first.payload["patch"]
        wrote = {**{k: v for k, v in patch.items() if k != "custom_fields"},
                 **(patch.get("custom_fields") or {})}
        done = [i for i in items if i.state is ItemState.DONE and "record" in i.payload]
        merged = [from_compact_row(i.payload["record"]) for i in done]
        took: dict[str, int] = {}
        unended = False
        for item in items:
            left = item.state in (ItemState.SKIPPED, ItemState.FAILED)
            if not (left or (waiting and item.state in (ItemState.PENDING, ItemState.SENDING))) \
                    or (item.result or {}).get("action") == "already merged":
                continue
            record = from_compact_row(item.payload["record"])
            for name, value in wrote.items():
                if name not in took and holds(record, name, value) \
                        and not any(holds(m, name, value) for m in merged):
                    took[name] = int(item.payload["merge_id"])
                    unended = unended or not left
        if not took:
            continue
        if policy is None:
            policy = _policy(store)
        targets = _targets(store, survivor, merged, policy)
        out.append(Stray(group, survivor, {n: (wrote[n], targets.get(n)) for n in took},
                         took, store.meta_get(f"{PUT_BACK}{survivor}"), doubt, unended))
    return out


async def _live(ctx: CallContext, deal_id: int,
                times: dict[int, str | None]) -> DealRecord | None:
    """The deal as it is now (``GET /api/v2/deals/{id}``, 1 token), or None when it is gone
    (not found, deleted or merged away); its ``update_time`` (the API's string) goes into
    ``times``."""
    try:
        res = await ctx.call("getDeal", path={"id": deal_id})
    except NotFound:
        return None
    deal = dict(res.data) if isinstance(res.data, Mapping) else {}
    if not deal or is_gone(deal):
        return None
    then = deal.get("update_time")
    times[deal_id] = then if isinstance(then, str) else None
    return to_record({**deal, "id": deal_id}, stage_order={}, org_names={})


def _policy(store: JobStore) -> Mapping[str, str]:
    policy = store.meta_get(FIELD_POLICY)
    if isinstance(policy, Mapping):
        return policy
    plan_dir = store.meta_get("plan_dir")  # a job applied before the policy was kept in it
    try:
        policy = read_summary(Path(plan_dir)).get("field_policy") if plan_dir else None
    except BulkError:
        policy = None
    return policy if isinstance(policy, Mapping) else {}


def _targets(store: JobStore, survivor: int, merged: Sequence[DealRecord],
             policy: Mapping[str, str]) -> dict[str, Any]:
    """The values ``policy`` gives the survivor among itself (as the apply read it) and
    the deals ``merged`` into it (name → value; custom fields by key); for the fields
    it leaves, the survivor's own values from before the PATCH."""
    image = store.before_image(POLICY_IMAGE, survivor)
    before = image.before if image is not None and isinstance(image.before, Mapping) else {}
    out: dict[str, Any] = {**(before.get("fields") or {}), **(before.get("custom_fields") or {})}
    whole = store.before_image("deal", survivor)
    if whole is None or not isinstance(whole.before, Mapping):
        return out
    records = {survivor: to_record(whole.before, stage_order={}, org_names={}),
               **{m.id: m for m in merged}}
    group = PlannedGroup(row=0, id="", decision="", band="", score=0.0, survivor_id=survivor,
                         merged_ids=tuple(m.id for m in merged))
    body = policy_changes(group, records, policy)
    return {**out, **{k: v for k, v in body.items() if k != "custom_fields"},
            **(body.get("custom_fields") or {})}


def policy_strays(store: JobStore) -> list[str]:
    """One ``warning:`` line per survivor left holding a value its field-policy PATCH took
    from a deal left unmerged (``strays``) and not put back by ``DedupeJob.settled``: the
    run stopped before it, or someone changed the field since (it is left as it is).
    A stopped run's survivor whose value came from a deal whose merge has not ended is
    said too, with the way to settle it (``pdbulk resume JOB``: x34r2 F4).
    The CLI exits 3 on any (4 on a stop). Undo puts the survivor's values back, told per
    line."""
    lines = []
    for stray in strays(store, waiting=True):
        put = stray.put_back
        if put is None and stray.doubt:
            continue  # its PATCH may never have applied: undo's doubt covers it
        names = list(stray.fields) if put is None else [
            n for n in stray.fields if n in (put.get("left") or ())
            and n not in (put.get("gone") or ())]
        if not names:
            continue
        took = ", ".join(f"{n} {_shown(stray.fields[n][0])} (from deal {stray.deals[n]})"
                         for n in names)
        if put is None and stray.waiting:
            lines.append(
                f"warning: group {stray.group}: survivor {stray.survivor} holds {took}, which "
                "its field-policy PATCH took; that deal's merge has not ended (the run "
                "stopped), so both deals are live with it until `pdbulk resume "
                f"{store.job_id}` merges it (or, if the merge fails for good, puts the "
                "survivor's value back)")
            continue
        if put is None:
            said = (f"survivor {stray.survivor} holds {took}, which its field-policy PATCH "
                    "took; that deal was not merged and stays live with it")
        else:
            said = (f"its field-policy PATCH gave survivor {stray.survivor} {took}, a deal "
                    "that was not merged; the field changed since this job wrote it, so it "
                    "was not put back")
        lines.append(f"warning: group {stray.group}: {said}: check both deals "
                     f"(pdbulk undo {store.job_id} puts the survivor's values back)")
    return lines


def policy_put_backs(store: JobStore) -> list[str]:
    """One line per survivor whose field-policy value, taken from a deal left unmerged,
    was put back after its group's merges (``DedupeJob.settled``)."""
    lines = []
    for stray in strays(store):
        put = stray.put_back
        if put is None:
            continue
        names = [n for n in stray.fields if n not in (put.get("left") or ())
                 and n not in (put.get("gone") or ())]
        if names:
            back = ", ".join(f"{n} {_shown(stray.fields[n][0])} → {_shown(stray.fields[n][1])}"
                             for n in names)
            lines.append(f"group {stray.group}: survivor {stray.survivor}: put back {back} "
                         f"(its field-policy PATCH took the value from a deal that was not "
                         f"merged)")
    return lines


def put_back_note(groups: int, reads: int) -> str:
    """The plan's note for ``groups`` groups whose survivor gets a field-policy PATCH
    (x24r4 F6: the put-back's calls were in neither the token table nor a note): what a
    put-back costs if a merge of one of them is skipped or fails, ``reads`` at most."""
    get, patch = get_operation("getDeal").token_cost, get_operation("updateDeal").token_cost
    most = reads * get + groups * patch
    return (f"if a merge of the {groups:,} group(s) whose survivor gets a field-policy PATCH "
            "is skipped or fails, the value it took is put back once the merges have ended: "
            f"a read of the survivor and of each deal left unmerged (getDeal, {get} token(s) "
            f"each) and a PATCH (updateDeal, {counted(patch, 'token')}): at most {reads:,} read(s) and "
            f"{groups:,} PATCH(es), {counted(most, 'token')}; those come on top")


def put_back_spend(store: JobStore) -> tuple[int, int, int]:
    """What the job's put-backs cost: (reads, PATCHes, tokens), from their records."""
    reads = patches = 0
    for record in store.meta_prefixed(PUT_BACK).values():
        if isinstance(record, Mapping):
            reads += int(record.get("reads") or 0)
            patches += int(record.get("patches") or 0)
    tokens = (reads * get_operation("getDeal").token_cost
              + patches * get_operation("updateDeal").token_cost)
    return reads, patches, tokens


def put_back_tokens(store: JobStore) -> list[str]:
    """The line naming the put-backs' share of the job's tokens (none made: no line)."""
    reads, patches, tokens = put_back_spend(store)
    if not reads and not patches:
        return []
    return [f"put-backs: {reads:,} read(s) (getDeal) and {patches:,} PATCH(es) (updateDeal), "
            f"{counted(tokens, 'token')} of the job's (merges skipped or failed after their "
            "group's field-policy PATCH)"]


def _shown(value: object) -> object:
    """A value as a person reads it: ``1003`` for the API's ``1003.0``."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


__all__ = ["POLICY_RECORD", "PUT_BACK", "PUT_BACK_SENT", "Stray", "policy_put_backs",
           "policy_strays", "put_back", "put_back_note", "put_back_spend", "put_back_tokens",
           "strays"]
