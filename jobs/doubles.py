"""The import's end-of-run check for doubles: a key this job created that another deal
carries too, made at the same time by a run that did not share this one's claims (another
state folder or machine without a shared coordinator). Pipedrive has no conditional create
and no idempotency key, so two such runs cannot be kept from both creating a key; what can
be promised is that no double goes unsaid. Nothing is deleted or merged here.

The check, once every row of a run is settled (``ImportJob.settled``), for a job that
created deals: one read of the deals changed since the job was loaded
(``GET /api/v2/deals?updated_since=``, the key field(s) alone; 10 tokens a page of 500:
its own writes and whatever else changed meanwhile: an import's plan prices its own
writes and the deals its read of the account saw changed in the margin before it,
``check_calls``), grouped by source key. A key one of
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
account is on it. Below ``jobs.importing``; imports no job kind.

The persons and organizations such runs make are doubled the same way, deals doubled or
not (two overlapping files: other keys, the same e-mail addresses; f41b 1: 135 addresses
each on 2 persons, said nowhere), and no claim can stop it without a shared state folder
or coordinator. So a job that created persons / organizations reads those changed since
its load (``GET /api/v2/persons`` / ``organizations`` with ``updated_since``, 10 tokens a
page of 500) and names each one it made that a record *added* since its load by someone
else answers too (the keys its create was claimed under: an e-mail, a name and phone, an
organization's name and address; never a name alone): ``contacts_doubled`` in
summary.json, pairs ``[this job's id, the other's]`` to merge (in Pipedrive, or
``PUT /v1/persons/{id}/merge``: pdbulk merge takes deals only); the run says so and exits
3. The same window argument holds: whichever run checks last sees both. One this job made
that is deleted or merged away by the check (not listed, though made within the window, by
its answer's time: a live one was updated since) is in no pair: nothing left to merge."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.errors import BulkError, Stopped
from bulk.store import ItemState, JobStore

from .account import (
    PAGE,
    DealsByKey,
    changed_since,
    concurrently,
    deal_key,
    key_fields_named,
    org_key,
    parse_time,
)
from .catalog import Catalog
from .clock_skew import server_since
from .contact_keys import canonical_key, person_keys
from .import_items import AT_ADDRESS
from .provable_writes import job_lead
from .transforms import address_match_key

META_DOUBLED = "doubled"  # {"deals": {deal id: {"key", "others"}}, "fields": [codes]} | {"unchecked": why}
# {"person" | "org": {"<id this job made>": [other ids]}, "created": {kind: n}} | {"unchecked": why}
META_CONTACTS = "doubled-contacts"
_MADE = "made-"  # the store's lookups of the persons / organizations a job made (import_resolve)
_CREATED_AT = "created-at-"  # ... and when each create was answered (Unix ms; import_resolve)
_LISTS = {"person": "getPersons", "org": "getOrganizations"}
_WORDS = {"person": ("person", "persons"), "org": ("organization", "organizations")}

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
    # from the job's load on Pipedrive's clock, by the job's measured lead (x52r8 F2: 150-200 s
    # behind, the doubles of the job's lost answers were before the read's since)
    since = server_since(store.created_at or 0.0, await in_thread(lambda: job_lead(store)))
    carriers: dict[str, set[int]] = {}
    for deal in await changed_since(ctx, "getDeals", since,
                                    params={"custom_fields": ",".join(codes)}):
        for code in codes:
            if (key := deal_key(deal, code)) is not None:
                carriers.setdefault(key, set()).add(int(deal["id"]))
    doubled = {str(deal_id): {"key": key, "others": sorted(carriers[key] - {deal_id}),
                              # the others this job created too: no other run's (x41r2)
                              **({"here": True} if all(made.get(o) == key for o in
                                                       carriers[key] - {deal_id}) else {})}
               for deal_id, key in sorted(made.items())
               if carriers.get(key, set()) - {deal_id}}
    return {"deals": doubled, **({"fields": codes} if len(codes) > 1 else {})}


def check_calls(creates: int, deal_writes: int, *, fields: bool,
                others: int = 0) -> dict[str, int]:
    """What ``check_doubles`` costs in a plan: none without a create; else one page of
    ``getDeals`` per 500 deals its window lists, at least one — the deals the run writes
    (``deal_writes``: creates and updates) and ``others``, the deals the plan saw changed
    by others within ``RECONCILE_MARGIN`` s before its read (an earlier import right
    before, a colleague, an update or a merge: ``jobs.import_load.recent_others``; x47r3
    F1: 499 keyed deals imported just before, plan 170 / server 180) — and one
    ``getDealFields`` when the job creates its key field. Deals others change after the
    plan cannot be known ahead (a change of the account: the run may list a page more);
    a deal the plan counted whose change falls out of the window by the time the run
    loads (a run long after its plan) makes the plan a page over, never under."""
    if creates <= 0:
        return {}
    listed = max(0, deal_writes) + max(0, others)
    return {"getDeals": max(1, -(-listed // PAGE)), **({"getDealFields": 1} if fields else {})}


async def changed_lately(ctx: CallContext, since: float, *,
                         archived: bool = False) -> DealsByKey:
    """A plan's own read of the deals changed at or after ``since`` (Unix time), for the
    ``others`` of ``check_calls`` (``jobs.import_load.recent_others``) when its reads of the
    account counted none: the key field missing (``--create-key-field``: no deal carries a
    key yet, yet the check lists every deal changed in its window, keyed or not; x51r4 F4:
    320 deals loaded just before, plan 1,995 / server 2,005) or an insert's read of the
    keyed deals given up (``KEY_LIST_SHARE``). ``archived``: the archived list too (a young
    claims state's scans read it: ``young_scan_calls``). Returns an index holding those
    counts alone (``DealsByKey.changed_ids_after`` / ``changed_after``, no key); 10 tokens
    a page of 500 (20 for the archived list), at least one page a list. Raises what the
    calls raise (BulkError)."""
    out = DealsByKey()
    lists: dict[str, list[dict[str, Any]]] = {}

    async def pull(operation_id: str) -> None:
        lists[operation_id] = await changed_since(ctx, operation_id, since)

    await concurrently(*(partial(pull, op) for op in
                         (("getDeals", "getArchivedDeals") if archived else ("getDeals",))))
    for operation_id, deals in lists.items():
        out.count_changed(operation_id, deals, since)
    return out


def checked_over(store: JobStore, made: Mapping[int, str]) -> bool:
    """Whether a run's check already covered every deal in ``made`` (``created_keys``): its
    record names as many creates and no reason it could not run. A later run that created
    nothing (a resume of a finished job) then checks nothing again: a double made after
    that check is named by the other run's own check (x34r5 F3: each such resume spent a
    list read, 3 pages on a busy account, against a plan of 1)."""
    held = store.meta_get(META_DOUBLED)
    return (isinstance(held, Mapping) and "unchecked" not in held
            and held.get("created") == len(made))


def made_by_key(store: JobStore) -> dict[str, dict[str, int]]:
    """Per kind ("person", "org"), the persons / organizations this job made: the key each
    was claimed under (as a record answers it: ``canonical_key``) → its id."""
    return {kind: {canonical_key(kind, key): int(rid)
                   for key, rid in store.lookups(_MADE + kind).items()} for kind in _LISTS}


def _name_only(kind: str, key: str) -> bool:
    """A person's key of a name alone: no witness of one person (``import_resolve.name_only``:
    a name alone never links a row to a person another job made)."""
    return kind == "person" and key.startswith("n:") and "|p:" not in key and "|o:" not in key


def _answers(kind: str, record: Mapping[str, Any]) -> list[str]:
    """The keys a listed person / organization answers to, as a new one is keyed."""
    if kind == "person":
        return person_keys(record)
    name = org_key(record.get("name")) or ""
    address = record.get("address")
    if isinstance(address, Mapping):
        address = address.get("value") or address.get("formatted_address")
    where = address_match_key(address) if isinstance(address, str) and address else None
    return [name, f"{name}{AT_ADDRESS}{where}"] if where else [name]


async def check_contact_doubles(ctx: CallContext, store: JobStore,
                                made: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
    """The persons / organizations of ``made`` (``made_by_key``) that a record another run
    added since this job's load answers too (module docstring): kept under
    ``META_CONTACTS`` as ``{"person": {"<id>": [other ids]}, "org": {...}, "created":
    {kind: n}}``. One list read per kind made (10 tokens a page of 500 changed since).
    Raises what the calls raise (BulkError)."""
    # from the job's load on Pipedrive's clock, by the job's measured lead (x52r8 F2: 150-200 s
    # behind, the doubles of the job's lost answers were before the read's since)
    since = server_since(store.created_at or 0.0, await in_thread(lambda: job_lead(store)))
    out: dict[str, Any] = {"created": {k: len(set(v.values())) for k, v in made.items()}}
    for kind, keyed in made.items():
        if not keyed:
            continue
        ours = set(keyed.values())
        holders: dict[str, set[int]] = {}
        live: set[int] = set()  # of ours, those listed and not deleted
        for record in await changed_since(ctx, _LISTS[kind], since):
            rid, added = int(record["id"]), parse_time(record.get("add_time"))
            if rid in ours and not record.get("is_deleted"):
                live.add(rid)
            if rid in ours or record.get("is_deleted") or added is None or added < since:
                continue  # ours, gone, or there before this job's load (it would have linked it)
            for key in _answers(kind, record):
                holders.setdefault(key, set()).add(rid)
        # one of ours deleted or merged away since is no double (x47r6 F2: a colleague
        # deleted it, another run of this state folder made it again): made within the
        # window (its answer's time), it was updated since too, so a live one is listed
        made_at = await in_thread(partial(store.lookups, _CREATED_AT + kind))
        gone = {rid for rid in ours if rid not in live
                and made_at.get(str(rid), 0) >= since * 1000}
        doubled: dict[int, set[int]] = {}
        for key, rid in keyed.items():
            if rid not in gone and not _name_only(kind, key) \
                    and (others := holders.get(key, set()) - {rid}):
                doubled.setdefault(rid, set()).update(others)
        out[kind] = {str(rid): sorted(o) for rid, o in sorted(doubled.items())}
    return out


async def keep_contact_doubles(ctx: CallContext, store: JobStore) -> None:
    """The end-of-run contact check (``check_contact_doubles``) of a job that made persons
    / organizations, none since a check that covered them all; what it finds kept in
    ``META_CONTACTS`` — a check the account refuses (a budget spent) as not made, with
    why (the run ends as it would have). Raises ``Stopped`` (kept as not made)."""
    made = await in_thread(partial(made_by_key, store))
    if not any(made.values()) or await in_thread(partial(contacts_checked_over, store, made)):
        return
    try:
        found = await check_contact_doubles(ctx, store, made)
    except Stopped:
        await in_thread(partial(store.meta_put, META_CONTACTS,
                                {"unchecked": "the run was stopped before it"}))
        raise
    except BulkError as exc:
        found = {"unchecked": str(exc)}
    await in_thread(partial(store.meta_put, META_CONTACTS, found))


def contact_check_calls(persons: int, orgs: int, *, persons_changed: int = 0,
                        orgs_changed: int = 0) -> dict[str, int]:
    """What ``check_contact_doubles`` costs in a plan: one page of ``getPersons`` /
    ``getOrganizations`` per 500 its window lists, at least one, for each kind this job
    makes any of: those it makes, and those the plan saw changed within
    ``RECONCILE_MARGIN`` s before its read (``*_changed``: an earlier import's right
    before, a colleague's; as ``check_calls``). Others' changes after the plan cannot be
    known ahead."""
    return {op: max(1, -(-(n + max(0, seen)) // PAGE))
            for op, n, seen in (("getPersons", persons, persons_changed),
                                ("getOrganizations", orgs, orgs_changed)) if n > 0}


def contacts_checked_over(store: JobStore, made: Mapping[str, Mapping[str, int]]) -> bool:
    """Whether a run's contact check already covered every person / organization in
    ``made`` (as ``checked_over`` does for deals)."""
    held = store.meta_get(META_CONTACTS)
    return (isinstance(held, Mapping) and "unchecked" not in held
            and held.get("created") == {k: len(set(v.values())) for k, v in made.items()})


def doubled_contacts(store: JobStore) -> dict[str, list[list[int]]]:
    """The contact check's pairs as recorded: ``{"persons": [[this job's id, other id],
    ...], "organizations": [...]}`` (kinds with none left out); {} when none or not run."""
    held = store.meta_get(META_CONTACTS)
    if not isinstance(held, Mapping):
        return {}
    out: dict[str, list[list[int]]] = {}
    for kind, (_, many) in _WORDS.items():
        found = held.get(kind)
        if isinstance(found, Mapping) and found:
            out[many] = [[int(rid), int(o)] for rid, others in found.items() for o in others]
    return out


def contacts_line(summary: Mapping[str, Any]) -> str | None:
    """The run's line about persons / organizations doubled by another run (None: none),
    from summary.json's ``contacts_doubled``: which (this job's id / the other's), and how
    to merge them."""
    found = summary.get("contacts_doubled") or {}
    counts, pairs = [], []
    for one, many in _WORDS.values():
        if got := found.get(many) or []:
            counts.append(f"{len(got):,} {one if len(got) == 1 else many}")
            pairs.append(f"{many} " + ", ".join(f"{a} / {b}" for a, b in got[:5])
                         + (", ..." if len(got) > 5 else ""))
    if not counts:
        return None
    return (f"doubled: {' and '.join(counts)} this job made another run made too, at the "
            "same time (the same e-mail, name and phone, or organization name and address; "
            "a run that did not share this one's claims: another state folder or machine, no "
            f"shared --coordinator) — this job's id / the other's: {'; '.join(pairs)} (every "
            "pair in summary.json's contacts_doubled); merge each pair in Pipedrive (its "
            "Merge, or PUT /v1/persons/{id}/merge, /v1/organizations/{id}/merge with "
            "merge_with_id; pdbulk merge takes deals only). Nothing was deleted or merged")


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
    if entry.get("here"):
        return (f"doubled: key {entry.get('key')} is on deal {others} too, which this job "
                "created as well (no other run: a fault of pdbulk's, please report it): "
                "merge them (pdbulk dedupe, or pdbulk merge)")
    return (f"doubled: key {entry.get('key')} is on deal {others} too, created at the same "
            "time by a run that did not share this one's claims (another state folder or "
            "machine): merge them (pdbulk dedupe, or pdbulk merge)")


def doubles_summary(store: JobStore) -> dict[str, Any]:
    """summary.json's part: ``deals_doubled`` (this job's creates another deal's key
    doubles), ``doubles_checked`` (False when the check could not run: ``doubles_unchecked``
    says why) and, when two key fields were read, ``key_fields``."""
    held = store.meta_get(META_DOUBLED)
    contacts = doubled_contacts(store)
    extra: dict[str, Any] = {"contacts_doubled": contacts} if contacts else {}
    if isinstance(unchecked := store.meta_get(META_CONTACTS), Mapping) \
            and "unchecked" in unchecked:
        extra["contacts_unchecked"] = str(unchecked["unchecked"])
    if not isinstance(held, Mapping):
        return {"deals_doubled": 0, **extra}
    doubled = doubled_deals(store)
    out: dict[str, Any] = {"deals_doubled": len(doubled), **extra}
    if here := sum(1 for entry in doubled.values() if entry.get("here")):
        out["deals_doubled_here"] = here  # (by this job alone: no other run's)
    if "unchecked" in held:
        out["doubles_checked"] = False
        out["doubles_unchecked"] = str(held["unchecked"])
    if held.get("fields"):
        out["key_fields"] = list(held["fields"])
    return out


def doubles_line(summary: Mapping[str, Any]) -> str | None:
    """The run's line about doubles (None when nothing to say), from summary.json."""
    n = int(summary.get("deals_doubled") or 0)
    here = int(summary.get("deals_doubled_here") or 0)
    fields = summary.get("key_fields") or ()
    if n and here == n:  # this job made every double itself: never blamed on another run
        return (f"doubled: {n:,} {'deal' if n == 1 else 'deals'} this job created "
                f"{'carries a key' if n == 1 else 'carry keys'} another deal this job "
                "created carries too (no other run: a fault of pdbulk's, please report it): "
                "succeeded.csv's note names the other deal; merge them (pdbulk dedupe, or "
                "pdbulk merge). Nothing was deleted or merged")
    if n:
        two = (f" (their keys are in {len(fields)} deal fields of one label, each run "
               "having made its own: delete the one you do not keep once merged)"
               if len(fields) > 1 else "")
        return (f"doubled: {n:,} {'deal' if n == 1 else 'deals'} this job created "
                f"{'carries a key' if n == 1 else 'carry keys'} another deal carries too, "
                "created at the same time by a run that did not share this one's claims "
                f"(another state folder or machine, no shared --coordinator){two}"
                + (f" — {here:,} of them beside a deal this job made too (no other run's: "
                   "a fault of pdbulk's, please report it)" if here else "") + ": "
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


__all__ = ["META_CONTACTS", "META_DOUBLED", "changed_lately", "check_calls", "check_contact_doubles",
           "check_doubles", "checked_over", "contact_check_calls", "contacts_checked_over",
           "contacts_line", "created_key_field", "created_keys", "doubled_contacts",
           "doubled_deals", "doubled_note", "doubles_line", "doubles_summary", "keep_contact_doubles",
           "made_by_key"]
