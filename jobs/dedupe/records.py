"""Reading the account for dedupe: deals as ``DealRecord``s, stage order, organization names.

Only list endpoints are used, never a search and never a GET per deal:
``GET /api/v2/deals`` (cursor pages of 500, 10 tokens each; ``updated_since``
for nightly runs; every custom field, so the plan's ``differing``/``drops`` and
review.html show the custom values a merge would lose — spec: openapi-v2.yaml
``getDeals``), ``GET /api/v2/stages``
(``order_nr``, 5 tokens per page), ``GET /api/v2/dealFields`` (the custom fields'
names: identifier fields are named there, and the plan shows names, not 40-character
keys; 10 tokens per page of 500), ``GET /api/v2/organizations?ids=`` (names
of the organizations the deals name, 100 per call, 10 tokens; up to 9 of them read by id
instead, ``GET /api/v2/organizations/{id}``, 1 token each: ``names_by_ids``; above 500
organizations the whole list is pulled instead, 500 per page) and ``GET
/api/v2/persons?ids=`` likewise (the persons' names: a person named as no one,
``Unknown``, ``Walk-in customer``, is a catch-all; ``catch_all``). The plan's reads line
counts these calls with the others.

Why ~500 lines: one reading of the account, its pages and its by-id reads and the person
keys made from what it reads, kept together so one module says what a plan costs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from bulk.calls import CallContext
from bulk.errors import BulkError, Forbidden, Gone, InputError, NotFound
from bulk.operations import get_operation

from ..deals import Deal, editable_digest
from ..load_stop import collected
from ..selection import PAGE
from .config import POLICY_FIELDS
from .letters import SPELLED_OUT
from .model import DealRecord
from .org_names import fold
from .phones import national_number

MAX_CUSTOM_KEYS = 15  # getDeals' custom_fields parameter takes at most 15 keys
RECORD_FIELDS = frozenset(DealRecord.__slots__)

# Deal fields no merge can be said to lose: ids, times, counters, state and merge
# bookkeeping the account keeps itself (x18r1 2: every other field is compared, so a
# field Pipedrive adds is named when a merge drops it, never silently left out)
SYSTEM_FIELDS = frozenset({
    "id", "creator_user_id", "user_id", "add_time", "update_time", "stage_change_time",
    "close_time", "won_time", "lost_time", "first_won_time", "archive_time", "rotten_time",
    "is_deleted", "deleted", "active", "is_archived", "origin", "origin_id", "merge_what_id",
    "weighted_value", "weighted_value_currency", "formatted_value", "formatted_weighted_value",
    "label", "stage_order_nr", "cc_email", "custom_fields"})
_SYSTEM_PREFIXES = ("next_activity", "last_activity", "last_incoming", "last_outgoing")


def merge_losable(name: str) -> bool:
    """Whether deal field ``name`` (an API name) holds a value a merge can lose: every field
    but the system ones (``SYSTEM_FIELDS``, counters ``*_count``, times ``*_time``, the
    activity and mail bookkeeping)."""
    return not (name in SYSTEM_FIELDS or name.endswith(("_count", "_time"))
                or name.startswith(_SYSTEM_PREFIXES))


def _more(deal: Deal) -> dict[str, object]:
    """The non-empty standard fields of ``deal`` a merge can lose that the record has no
    slot of its own for (``DealRecord.more``)."""
    return {k: v for k, v in deal.items() if k not in RECORD_FIELDS and merge_losable(k)
            and v is not None and v != "" and v != [] and v != {}}


def parse_time(raw: object) -> datetime | None:
    """An API timestamp (``2024-01-31T12:00:00Z`` or ``2024-01-31 12:00:00``) as aware UTC."""
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def parse_day(raw: object) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(str(raw)[:10])
    except ValueError:
        return None


def _id(raw: object) -> int | None:
    if isinstance(raw, Mapping):
        raw = raw.get("id") if "value" not in raw else raw.get("value")
    return int(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) and raw else None


def to_record(deal: Deal, *, stage_order: Mapping[int, int], org_names: Mapping[int, str],
              custom: Collection[str] | None = None,
              person_names: Mapping[int, str] | None = None,
              person_keys: Mapping[int, tuple[str, ...]] | None = None) -> DealRecord:
    """A v2 deal object as the compact record matching needs; ``custom``: the custom field
    keys to keep (None: all); empty custom values (None, "", []) are left out;
    ``person_names``: person id -> name (a person not in it has no name in the record)."""
    status = "deleted" if deal.get("is_deleted") else str(deal.get("status") or "open")
    org_id, stage_id = _id(deal.get("org_id")), _id(deal.get("stage_id"))
    person_id = _id(deal.get("person_id"))
    value = deal.get("value")
    return DealRecord(
        id=int(deal["id"]), title=str(deal.get("title") or ""), status=status,
        org_id=org_id, org_name=org_names.get(org_id) if org_id else None,
        person_id=person_id,
        person_name=(person_names or {}).get(person_id) if person_id else None,
        person_keys=(person_keys or {}).get(person_id, ()) if person_id else (),
        value=float(value) if isinstance(value, int | float) and not isinstance(value, bool)
        else None,
        currency=deal.get("currency") or None, pipeline_id=_id(deal.get("pipeline_id")),
        stage_id=stage_id, stage_order=stage_order.get(stage_id) if stage_id else None,
        owner_id=_id(deal.get("owner_id")), add_time=parse_time(deal.get("add_time")),
        update_time=parse_time(deal.get("update_time")), close_time=closed_at(deal, status),
        expected_close_date=parse_day(deal.get("expected_close_date")),
        is_archived=bool(deal.get("is_archived")),
        fields={k: v for k, v in (deal.get("custom_fields") or {}).items()
                if (custom is None or k in custom) and v is not None and v != "" and v != []},
        more=_more(deal),
        digest=editable_digest({**deal, "custom_fields": None}))


def closed_at(deal: Deal, status: str) -> datetime | None:
    """When a won / lost deal was closed: ``won_time`` of a won deal, ``lost_time`` of a
    lost one, else ``close_time`` (Pipedrive's "Deal closed on"); None for any other status
    or when none is readable. Not ``update_time``: any later edit moves it."""
    if status not in ("won", "lost"):
        return None
    return parse_time(deal.get("won_time" if status == "won" else "lost_time")) \
        or parse_time(deal.get("close_time"))


def custom_keys(policy: Mapping[str, str]) -> list[str]:
    """The custom field keys a field policy names (fields that are not DealRecord fields)."""
    keys = [k for k in policy if k not in RECORD_FIELDS and k not in POLICY_FIELDS]
    if len(keys) > MAX_CUSTOM_KEYS:
        raise InputError(f"[field_policy] names {len(keys)} custom fields; at most "
                         f"{MAX_CUSTOM_KEYS} can be read with the deals list")
    return keys


async def list_deal_pages(ctx: CallContext, *, since: str | None = None,
                          custom: Collection[str] = ()) -> list[Deal]:
    """Every open/won/lost deal (v2 ``getDeals``, 500 per page), or those updated since."""
    query: dict[str, object] = {}
    if since:
        query["updated_since"] = since
    if custom:
        query["custom_fields"] = ",".join(custom)
    return [deal for page in await ctx.pages("getDeals", params=query, limit=PAGE)
            for deal in page.data or ()]


async def deleted_since(ctx: CallContext, since: str) -> list[int]:
    """Ids of deals deleted (or merged away) since ``since``: ``getDeals?status=deleted``
    with ``updated_since`` (deletion sets ``update_time``; v2 lists deleted deals for 30
    days — openapi-v2.yaml ``getDeals``, FACTS.md)."""
    pages = await ctx.pages("getDeals", params={"status": "deleted", "updated_since": since},
                            limit=PAGE)
    return [int(d["id"]) for page in pages for d in page.data or ()]


async def archived_since(ctx: CallContext, since: str) -> list[int]:
    """Ids of the archived deals updated since ``since``: ``getArchivedDeals`` with
    ``updated_since`` (archiving sets ``update_time``; the v2 deals list never lists an
    archived deal, so a nightly index learns of one only here: x33r1 M2). 20 tokens a page
    of 500."""
    pages = await ctx.pages("getArchivedDeals", params={"updated_since": since}, limit=PAGE)
    return [int(d["id"]) for page in pages for d in page.data or ()]


async def deal_fields(ctx: CallContext) -> list[dict[str, Any]]:
    """The account's deal fields, as v2 ``getDealFields`` gives them (``field_code``,
    ``field_name``, ``is_custom_field``, ...; all pages of 500)."""
    return [dict(f) for page in await ctx.pages("getDealFields", limit=PAGE)
            for f in page.data or ()]


def field_names(fields: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Custom field key -> its name (``field_name``), from ``deal_fields``."""
    return {str(f["field_code"]): str(f.get("field_name") or f["field_code"])
            for f in fields if f.get("is_custom_field") and f.get("field_code")}


async def stages(ctx: CallContext) -> list[dict[str, Any]]:
    """The account's stages as v2 ``getStages`` lists them (``id``, ``name``,
    ``order_nr``, ...): read once per plan, for the stage order and the stage names."""
    return [dict(stage) for page in await ctx.pages("getStages", limit=PAGE)
            for stage in page.data or ()]


def orders_of(listed: Iterable[Mapping[str, Any]]) -> dict[int, int]:
    """Stage id -> ``order_nr``, of ``stages``' list."""
    return {int(stage["id"]): int(stage.get("order_nr") or 0) for stage in listed}


def names_of(listed: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """Stage id -> its name, of ``stages``' list (``review_names``' ``known["stage"]``)."""
    return {int(stage["id"]): str(stage.get("name") or "") for stage in listed}


def field_types(fields: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Custom field key -> its ``field_type``, from ``deal_fields``."""
    return {str(f["field_code"]): str(f.get("field_type") or "")
            for f in fields if f.get("is_custom_field") and f.get("field_code")}


async def stage_orders(ctx: CallContext) -> dict[int, int]:
    """Stage id -> ``order_nr`` (v2 ``getStages``)."""
    return orders_of(await stages(ctx))


async def organization_names(ctx: CallContext, ids: Iterable[int]) -> dict[int, str]:
    """Names of these organizations: by ids (100 per call) or, above 500, the whole list."""
    return await _names(ctx, ids, "getOrganizations")


async def person_names(ctx: CallContext, ids: Iterable[int],
                       keys: dict[int, tuple[str, ...]] | None = None) -> dict[int, str]:
    """Names of these persons (v2 ``getPersons``): by ids (100 per call, 10 tokens) or,
    above 500, the whole list (500 per page); ``keys`` (when given) gets each person's
    ``person_keys`` from the same answers (no other read)."""
    return await _names(ctx, ids, "getPersons", keys)


def person_keys(person: Mapping[str, Any]) -> tuple[str, ...]:
    """What tells a v2 person object apart as a person, as short SHA-256 digests (no e-mail
    or phone number is kept): ``e:`` + each e-mail's, case and spaces aside, and ``p:`` + its
    name's (case and spacing aside; with accents, also folded: ``_readings``) with each
    phone number's last 9 digits and its national number (``phones.national_number``), 7
    digits at least: ``+49 30 1234567`` = ``030 1234567``), and with the name's words in
    any order (``Kessler, Hugo`` = ``Hugo Kessler``). Two records sharing one are one person
    twice (x42r2 F5). v2 ``emails`` / ``phones``: ``{value, primary, label}`` lists."""
    out: set[str] = set()
    for e in person.get("emails") or ():
        v = str((e.get("value") if isinstance(e, Mapping) else e) or "").strip().casefold()
        if "@" in v:
            out.add("e:" + _digest(v))
    name = " ".join(str(person.get("name") or "").casefold().split())
    for ph in person.get("phones") or () if name else ():
        text = str((ph.get("value") if isinstance(ph, Mapping) else ph) or "")
        digits = "".join(c for c in text if c.isdigit())  # last 9, national number: x44r8 F5
        for num in {d for d in (digits[-9:], national_number(text)) if len(d) >= 7}:
            out.update("p:" + _digest(f"{reading}|{num}") for reading in _readings(name))
            out.update("p:" + _digest(f"~{r}|{num}") for r in _any_order(name))  # x44r2 F3
    return tuple(sorted(out))


def _any_order(name: str) -> set[str]:
    """``_readings`` of a name of 2+ words with its words sorted (``kessler, hugo``)."""
    return {" ".join(sorted(ws)) for r in _readings(name) if len(ws := re.findall(r"\w+", r)) >= 2}


def _readings(name: str) -> set[str]:
    """A person's ``name`` (casefolded) as typed and, with accents, folded with its umlauts
    (and ``ø`` / ``å`` / ``æ``: ``SPELLED_OUT``) as ``ae`` / ``oe`` / ``ue`` / ``aa`` and with
    their dots dropped (``björn öberg`` -> also ``bjoern oeberg``, ``bjorn oberg``): a name
    typed with and without its accents shares a key (x43r2 F4, x53r3 F7)."""
    if name.isascii():
        return {name}
    german = name.translate(_UMLAUTS)
    return {name, fold(german), fold(name)}


_UMLAUTS = str.maketrans(SPELLED_OUT)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


async def persons_since(ctx: CallContext, since: str,
                        keys: dict[int, tuple[str, ...]] | None = None) -> dict[int, str]:
    """Person id -> name now, of the persons changed since ``since`` (RFC 3339):
    ``GET /api/v2/persons?updated_since=`` (500 a page, 10 tokens). A rename changes no deal,
    so a nightly plan reads it here, or the index's name stands until a full plan. {} for a
    user who may not read persons (the counts still judge). ``keys``: as ``person_names``'."""
    return await _renamed(ctx, "getPersons", since, keys)


async def orgs_since(ctx: CallContext, since: str) -> dict[int, str]:
    """Organization id -> name now, of the organizations changed since ``since`` (RFC
    3339): ``GET /api/v2/organizations?updated_since=`` (spec: openapi-v2.yaml
    ``getOrganizations``; 500 a page, 10 tokens). As ``persons_since``: a rename changes no
    deal, so without this read the index's name stood until a full plan (f36e 3: an org
    renamed to ``Privatkunden`` still tied its deals, one renamed to its customer's name
    still read as a catch-all). {} for a user who may not read organizations."""
    return await _renamed(ctx, "getOrganizations", since)


async def _renamed(ctx: CallContext, operation: str, since: str,
                   keys: dict[int, tuple[str, ...]] | None = None) -> dict[int, str]:
    try:
        pages = await ctx.pages(operation, params={"updated_since": since}, limit=PAGE)
    except Forbidden:
        return {}
    return _named([o for page in pages for o in page.data or ()], keys)


def _named(listed: Iterable[Mapping[str, Any]], keys: dict[int, tuple[str, ...]] | None
           ) -> dict[int, str]:
    """Id -> name of the records ``listed``; each one's ``person_keys`` into ``keys``."""
    out: dict[int, str] = {}
    for o in listed:
        out[int(o["id"])] = str(o.get("name") or "")
        if keys is not None:
            keys[int(o["id"])] = person_keys(o)
    return out


async def _names(ctx: CallContext, ids: Iterable[int], operation: str,
                 keys: dict[int, tuple[str, ...]] | None = None) -> dict[int, str]:
    wanted = sorted(set(ids))
    if len(wanted) > 500:
        return _named([o for page in await ctx.pages(operation, limit=PAGE)
                       for o in page.data or ()], keys)
    return await names_by_ids(ctx, operation, wanted, keys)


# a list read by ``ids`` -> the read of one record by id (openapi-v2.yaml)
BY_ID = {"getOrganizations": "getOrganization", "getPersons": "getPerson"}
IDS_PER_CALL = 100  # ``ids`` a v2 list read takes at once


def one_by_one(operation: str, n: int) -> bool:
    """Whether ``n`` records cost fewer tokens read by id (``BY_ID[operation]``) than listed
    by ``ids`` with ``operation``, 100 a call: the operations' ``x-token-cost``
    (``bulk.operations``; Pipedrive's 1 a record against 10 a call: up to 9 records)."""
    one, many = (get_operation(op).token_cost for op in (BY_ID[operation], operation))
    return 0 < n and n * one < -(-n // IDS_PER_CALL) * many


def names_calls_of(operation: str, n: int) -> dict[str, int]:
    """The calls ``names_by_ids`` makes for ``n`` ids of list ``operation``, by operation."""
    if n <= 0:
        return {}
    if one_by_one(operation, n):
        return {BY_ID[operation]: n}
    return {operation: -(-n // IDS_PER_CALL)}


async def names_by_ids(ctx: CallContext, operation: str, ids: Iterable[int],
                       keys: dict[int, tuple[str, ...]] | None = None) -> dict[int, str]:
    """Id -> name of the organizations or persons ``ids`` (``operation``:
    ``getOrganizations`` / ``getPersons``), read the cheaper way (``one_by_one``): by id
    one by one, or listed by ``ids``, 100 a call. An id missing from the answer is deleted
    (read by id: a 404 / 410, or the record marked deleted — FACTS leaves open which a
    merged-away record answers). Raises what the reads raise (``Forbidden``: 403). ``keys``
    (when given) gets each person's ``person_keys`` from the same answers."""
    wanted = sorted(set(ids))
    out: dict[int, str] = {}
    if one_by_one(operation, len(wanted)):
        for rid in wanted:
            try:
                res = await ctx.call(BY_ID[operation], path={"id": rid})
            except (NotFound, Gone):
                continue
            data = res.data if isinstance(res.data, Mapping) else {}
            if data.get("is_deleted") is not True and data.get("active_flag") is not False:
                out.update(_named([data], keys))
        return out
    for start in range(0, len(wanted), IDS_PER_CALL):
        part = wanted[start:start + IDS_PER_CALL]
        page = await ctx.call(operation, params={"ids": part, "limit": IDS_PER_CALL})
        out.update(_named(page.data or (), keys))
    return out


async def read_records(ctx: CallContext, *, since: str | None = None,
                       policy: Mapping[str, str] | None = None,
                       known_orgs: Mapping[int, str] | None = None,
                       orders: Mapping[int, int] | None = None,
                       known_persons: Mapping[int, str] | None = None,
                       known_person_keys: Mapping[int, tuple[str, ...]] | None = None
                       ) -> list[DealRecord]:
    """The account's deals (or those updated since ``since``) as records, with stage order
    (``orders``, ``stage_orders``'s; read here when None), organization and person names
    (``known_orgs`` / ``known_persons`` are not read again) and every non-empty custom
    field; each person's ``person_keys`` from the answers that read its name
    (``known_person_keys`` for the ``known_persons``). InputError when ``policy`` names more
    than 15 custom fields."""
    custom_keys(policy or {})  # validates the policy's keys; every custom field is read
    deals = await list_deal_pages(ctx, since=since)
    orders = await stage_orders(ctx) if orders is None else orders
    names = dict(known_orgs or {})
    missing = {i for d in deals if (i := _id(d.get("org_id"))) and i not in names}
    names.update(await organization_names(ctx, missing))
    persons = dict(known_persons or {})
    keys = dict(known_person_keys or {})
    missing = {i for d in deals if (i := _id(d.get("person_id"))) and i not in persons}
    try:
        persons.update(await person_names(ctx, missing, keys))
    except Forbidden:  # a user who may not read persons: no names (the counts still judge)
        pass
    # a stop lands in the pass (f25b: 20,000 deals were made records whatever was asked)
    return await collected(ctx, (to_record(d, stage_order=orders, org_names=names,
                                           person_names=persons, person_keys=keys)
                                 for d in deals))


async def review_names(ctx: CallContext, records: Iterable[DealRecord],
                       refs: Mapping[str, Iterable[int]] | None = None,
                       known_orgs: Mapping[int, str] | None = None, *,
                       known: Mapping[str, Mapping[int, str]] | None = None,
                       known_persons: Mapping[int, str] | None = None,
                       ) -> dict[str, dict[int, str]]:
    """Names for review.html of the persons, owners, stages and pipelines of these records
    (the groups' deals): ``{"person": {id: name}, "owner": ..., "stage": ..., "pipeline":
    ...}``, and of the records the plan's reasons name (``refs``: kind -> ids, from
    ``reason_names.ReasonNames.wanted``; ``organization`` too, by ``known_orgs`` first).
    Persons by ids (v2 ``getPersons``, 100 per call), users (v1 ``getUsers``), stages
    and pipelines (v2 lists), organizations by ids: a few calls, made only when there are
    groups or such reasons; a kind ``known`` holds (the stages the plan already listed) is
    not read again, nor a person in ``known_persons`` (the names the plan read). A read the
    token may not make (a ``BulkError``) leaves that kind out: the page shows ids."""
    recs = list(records)
    refs = refs or {}
    out: dict[str, dict[int, str]] = {}
    if not recs and not any(refs.values()):
        return out
    persons = sorted({r.person_id for r in recs if r.person_id is not None}
                     | set(refs.get("person") or ()))
    orgs = {i: (known_orgs or {}).get(i) or "" for i in refs.get("organization") or ()}

    async def by_ids() -> dict[int, str]:
        had = known_persons or {}
        got: dict[int, str] = {i: had[i] for i in persons if i in had}
        got.update(await names_by_ids(ctx, "getPersons", (i for i in persons if i not in had)))
        return got

    async def listed(operation: str) -> dict[int, str]:
        got: dict[int, str] = {}
        for page in await ctx.pages(operation, params={}, limit=PAGE):
            got.update({int(x["id"]): str(x.get("name") or "") for x in page.data or ()})
        return got

    async def users() -> dict[int, str]:  # every page (x12r1: the first one only)
        from ..account import all_users

        return {int(u["id"]): str(u.get("name") or "") for u in await all_users(ctx)}

    async def organizations() -> dict[int, str]:
        missing = [i for i, n in orgs.items() if not n]
        return {**orgs, **(await organization_names(ctx, missing) if missing else {})}

    wanted = (("person", by_ids, bool(persons)),
              ("owner", users, any(r.owner_id is not None for r in recs)
               or bool(refs.get("owner"))),
              ("stage", lambda: listed("getStages"), any(r.stage_id is not None for r in recs)
               or bool(refs.get("stage"))),
              ("pipeline", lambda: listed("getPipelines"),
               any(r.pipeline_id is not None for r in recs) or bool(refs.get("pipeline"))),
              ("organization", organizations, bool(orgs)))
    for kind, read, needed in wanted:
        if not needed:
            continue
        if known is not None and kind in known:
            out[kind] = dict(known[kind])
            continue
        try:
            out[kind] = await read()
        except BulkError:
            continue
    return out


def record_json(r: DealRecord) -> dict[str, Any]:
    """A record as JSON (times as RFC 3339, dates as ISO)."""
    out: dict[str, Any] = {}
    for name in DealRecord.__slots__:
        v = getattr(r, name)
        if isinstance(v, datetime):
            v = v.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        elif isinstance(v, date):
            v = v.isoformat()
        elif isinstance(v, Mapping):
            v = dict(v)
        out[name] = v
    return out


def record_from_json(d: Mapping[str, Any]) -> DealRecord:
    return DealRecord(**{**d, "add_time": parse_time(d.get("add_time")),
                         "update_time": parse_time(d.get("update_time")),
                         "close_time": parse_time(d.get("close_time")),
                         "expected_close_date": parse_day(d.get("expected_close_date")),
                         "fields": dict(d.get("fields") or {}),
                         "more": dict(d.get("more") or {})})


__all__ = ["SYSTEM_FIELDS", "archived_since", "closed_at", "custom_keys", "deal_fields",
           "deleted_since", "field_names",
           "field_types",
           "merge_losable", "organization_names", "orgs_since", "parse_time", "person_keys", "person_names",
           "persons_since",
           "read_records",
           "record_from_json", "record_json", "review_names", "stage_orders", "stages", "to_record"]
