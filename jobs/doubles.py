"""The import's end-of-run check for doubles: a key this job created that another deal
carries too, made at the same time by a run that did not share this one's claims (another
state folder or machine without a shared coordinator). Pipedrive has no conditional create
and no idempotency key, so two such runs cannot be kept from both creating a key; what can
be promised is that no double goes unsaid. Nothing is deleted or merged here.

The check, once every row of a run is settled (``ImportJob.settled``), for a job that
created deals: one read of the deals changed since the job was loaded
(``GET /api/v2/deals?updated_since=``, the key field(s) alone; 10 tokens a page of 500:
its own writes and whatever else changed meanwhile), grouped by source key. A key one of
this job's creates carries and another deal carries too is a double: the row's
succeeded.csv note names the other deal(s), summary.json counts ``deals_doubled``, the
run says so on stderr and exits 3.

Why it finds every double, without Pipedrive's ids growing with time: runs A and B both
create key K, each after reading the account's keys at its load (at ``load_A`` /
``load_B``) and before its check (``check_A`` / ``check_B``). Say A checks last:
``check_A >= check_B``. B's create of K came before ``check_B``, so before ``check_A``;
and after ``load_A`` — else A's load would have read K and A would not have created it.
So B's deal was added (its ``update_time`` at or after its ``add_time``) within A's
window, from its load (the job's ``created_at``, less ``RECONCILE_MARGIN`` for the clocks)
to its check, and A's read lists it beside A's own. Whichever run checks last sees both.
This rests on a list read showing every write answered before it (FACTS.md says nothing
either way for lists; only search is said to be undocumented) and reads every deal changed
in that window, paged, never a search. A double already merged or deleted by the time of
the check is not listed: nothing left to say.

Two runs that each created the key field (``--create-key-field``) and kept their own
(``jobs.account._converged``: a race no rule settles) write their keys into two fields: a
job that created its key field reads the deal fields again (10 tokens) and reads the keys
of every text field of its label, so those doubles are found too (and the second field
named).

A run on a shared coordinator checks as well: it cannot know that every other run on the
account is on it. Below ``jobs.importing``; imports no job kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bulk.calls import CallContext
from bulk.store import ItemState, JobStore

from .account import PAGE, changed_since, deal_key, key_fields_named
from .catalog import Catalog
from .clock_skew import RECONCILE_MARGIN

META_DOUBLED = "doubled"  # {"deals": {deal id: {"key", "others"}}, "fields": [codes]} | {"unchecked": why}

def created_keys(store: JobStore) -> dict[int, str]:
    """The deals this job created (rows DONE ``created``, a reconciled create too): deal
    id → its source key."""
    out: dict[int, str] = {}
    for item in store.items(ItemState.DONE):
        result = item.result or {}
        if result.get("action") == "created" and isinstance(result.get("deal_id"), int) \
                and item.key:
            out[int(result["deal_id"])] = str(item.key)
    return out


def created_key_field(store: JobStore) -> bool:
    """Whether this job created its key field (its ledger holds an ``addDealField``)."""
    return "addDealField" in store.spend_by_operation()


async def check_doubles(ctx: CallContext, store: JobStore, made: Mapping[int, str],
                        key_code: str, label: str | None, *,
                        fields: bool) -> dict[str, Any]:
    """The check (module docstring) of this job's creates ``made`` (deal id → key) whose
    keys are in ``key_code``; ``fields``: the job created its key field, so every text
    field labelled ``label`` is read too (getDealFields, 10 tokens). Returns the record
    kept under ``META_DOUBLED``: ``{"deals": {"<id>": {"key": K, "others": [ids]}},
    "fields": [codes]}`` (``fields``: the codes read when more than one). Raises what the
    calls raise (BulkError: a budget spent, the account not answering)."""
    codes = [key_code]
    if fields and label:
        pages = await ctx.pages("getDealFields", limit=PAGE)
        catalog = Catalog.from_api(deal_fields=[f for page in pages for f in page.data or ()])
        codes += [f.code for f in key_fields_named(catalog, label) if f.code != key_code]
    since = (store.created_at or 0.0) - RECONCILE_MARGIN
    carriers: dict[str, set[int]] = {}
    for deal in await changed_since(ctx, "getDeals", since,
                                    params={"custom_fields": ",".join(codes)}):
        for code in codes:
            if (key := deal_key(deal, code)) is not None:
                carriers.setdefault(key, set()).add(int(deal["id"]))
    doubled = {str(deal_id): {"key": key, "others": sorted(carriers[key] - {deal_id})}
               for deal_id, key in sorted(made.items())
               if carriers.get(key, set()) - {deal_id}}
    return {"deals": doubled, **({"fields": codes} if len(codes) > 1 else {})}


def check_calls(creates: int, deal_writes: int, *, fields: bool) -> dict[str, int]:
    """What ``check_doubles`` costs in a plan: none without a create; else one page of
    ``getDeals`` per 500 deals the run writes (``deal_writes``: creates and updates; the
    deals others change meanwhile cannot be known ahead), at least one, and one
    ``getDealFields`` when the job creates its key field."""
    if creates <= 0:
        return {}
    return {"getDeals": max(1, -(-deal_writes // PAGE)), **({"getDealFields": 1} if fields else {})}


def checked_over(store: JobStore, made: Mapping[int, str]) -> bool:
    """Whether a run's check already covered every deal in ``made`` (``created_keys``): its
    record names as many creates and no reason it could not run. A later run that created
    nothing (a resume of a finished job) then checks nothing again: a double made after
    that check is named by the other run's own check (x34r5 F3: each such resume spent a
    list read, 3 pages on a busy account, against a plan of 1)."""
    held = store.meta_get(META_DOUBLED)
    return (isinstance(held, Mapping) and "unchecked" not in held
            and held.get("created") == len(made))


def doubled_deals(store: JobStore) -> dict[str, dict[str, Any]]:
    """The check's doubles as recorded (deal id as text → ``{"key", "others"}``); {} when
    none, or when the check did not run."""
    held = store.meta_get(META_DOUBLED)
    deals = held.get("deals") if isinstance(held, Mapping) else None
    return dict(deals) if isinstance(deals, Mapping) else {}


def doubled_note(result: Mapping[str, Any], doubled: Mapping[str, Mapping[str, Any]]
                 ) -> str | None:
    """succeeded.csv's note for a row whose created deal is doubled: the other deal(s)."""
    entry = doubled.get(str(result.get("deal_id")))
    if entry is None:
        return None
    others = ", ".join(str(i) for i in entry.get("others") or ())
    return (f"doubled: key {entry.get('key')} is on deal {others} too, created at the same "
            "time by a run that did not share this one's claims (another state folder or "
            "machine): merge them (pdbulk dedupe, or pdbulk merge)")


def doubles_summary(store: JobStore) -> dict[str, Any]:
    """summary.json's part: ``deals_doubled`` (this job's creates another deal's key
    doubles), ``doubles_checked`` (False when the check could not run: ``doubles_unchecked``
    says why) and, when two key fields were read, ``key_fields``."""
    held = store.meta_get(META_DOUBLED)
    if not isinstance(held, Mapping):
        return {"deals_doubled": 0}
    out: dict[str, Any] = {"deals_doubled": len(doubled_deals(store))}
    if "unchecked" in held:
        out["doubles_checked"] = False
        out["doubles_unchecked"] = str(held["unchecked"])
    if held.get("fields"):
        out["key_fields"] = list(held["fields"])
    return out


def doubles_line(summary: Mapping[str, Any]) -> str | None:
    """The run's line about doubles (None when nothing to say), from summary.json."""
    n = int(summary.get("deals_doubled") or 0)
    fields = summary.get("key_fields") or ()
    if n:
        two = (f" (their keys are in {len(fields)} deal fields of one label, each run "
               "having made its own: delete the one you do not keep once merged)"
               if len(fields) > 1 else "")
        return (f"doubled: {n:,} {'deal' if n == 1 else 'deals'} this job created "
                f"{'carries a key' if n == 1 else 'carry keys'} another deal carries too, "
                "created at the same time by a run that did not share this one's claims "
                f"(another state folder or machine, no shared --coordinator){two}: "
                "succeeded.csv's note names the other deal; merge them (pdbulk dedupe, or "
                "pdbulk merge). Nothing was deleted or merged. This run checked as it "
                "ended: a double the other run made after that is named by that run's own "
                "check (its summary.json, if it ended later) and found by pdbulk dedupe")
    if summary.get("doubles_checked") is False:
        return (f"the end-of-run check for deals doubled by another run could not be made "
                f"({summary.get('doubles_unchecked')}): `pdbulk plan import` of the same "
                "file lists a key two deals carry (`key K matches deals ...`)")
    if len(fields) > 1:
        return (f"{len(fields)} deal fields carry the key field's label (another run made "
                "its own at the same time): no key is on two deals; keep one field")
    return None


__all__ = ["META_DOUBLED", "check_calls", "check_doubles", "checked_over", "created_key_field",
           "created_keys",
           "doubled_deals", "doubled_note", "doubles_line", "doubles_summary"]
