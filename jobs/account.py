"""The account's metadata and indexes, pulled once per job by list calls (never searches).

Every function here goes through ``CallContext`` (scheduled, retried, accounted),
so it costs what the operation table says and nothing more: pipelines and stages
5 tokens a page, deal fields, deals, persons and organizations 10 tokens per page
of 500, users 20 per v1 page. A search costs 20 tokens *per row* and has its own
tight window: this module never searches.

Used by the import (catalog, key field, indexes, reconciliation) and by the other
job kinds (update / move-stage / merge / undo) that resolve names or find deals by
their source key.

Why ~1200 lines: every list read the jobs make lives here, each priced beside its pull,
so that a plan and the calls it prices cannot drift apart.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import math
import time
import unicodedata
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import anyio

from bulk.calls import CallContext
from bulk.claims import Claim, Claims, acquire, confirm_or_lost, kept
from bulk.claims_open import opened_claims
from bulk.clock import parse_time
from bulk.errors import AmbiguousName, BulkError, InDoubt, InputError, NotFound

from .catalog import Catalog, DealField
from .key_field_record import check_not_renamed, remember_key_field, used_key_fields
from .transforms import (
    PhoneKey,
    address_match_key,
    clean_text,
    email_key,
    name_match_keys,
    norm_key,
    normalize_email,
    org_key_parts,
    org_match_key,
    org_spelled_keys,
    phone_key,
    phones_agree,
    whole_key,
)
from .transforms.legal_forms import split_forms

PAGE = 500  # the largest page every list operation allows
KEY_FIELD_TYPES = ("varchar", "varchar_auto", "text")


async def _all_items(ctx: CallContext, operation_id: str,
                  params: Mapping[str, object] | None = None) -> list[dict[str, Any]]:
    """Every item of a list operation's pages (v2 by cursor, v1 by start: ``ctx.pages``)."""
    return [item for page in await ctx.pages(operation_id, params=params, limit=PAGE)
            for item in page.data or ()]


async def all_users(ctx: CallContext) -> list[dict[str, Any]]:
    """GET /v1/users, every page (v1 pages by start/limit: the one pagination loop,
    ``bulk.client.paginate``, which raises MalformedResponse on a page that does not
    advance rather than return a partial list as this loop of its own did: x28r1 8)."""
    return await _all_items(ctx, "getUsers")


def _first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The error to raise for a group: a terminal one if any, else the first."""
    leaves: list[BaseException] = []

    def walk(exc: BaseException) -> None:
        if isinstance(exc, BaseExceptionGroup):
            for inner in exc.exceptions:
                walk(inner)
        else:
            leaves.append(exc)
    walk(group)
    terminal = [e for e in leaves if isinstance(e, BulkError) and e.terminal]
    return (terminal or leaves)[0]


async def concurrently(*calls: Callable[[], Awaitable[object]]) -> None:
    """Run ``calls`` at once (each still scheduled by the engine); the first error comes
    out as itself (``Stopped``, ``InDoubt``, an ApiError), never as an ExceptionGroup the
    runner would not recognise."""
    async def run(call: Callable[[], Awaitable[object]]) -> None:
        await call()

    try:
        async with anyio.create_task_group() as tg:
            for call in calls:
                tg.start_soon(run, call)
    except BaseExceptionGroup as group:
        raise _first_error(group) from None


async def load_catalog(ctx: CallContext, *, users: bool | Collection[str] = True,
                       deal_fields: bool = True, stages: bool = True,
                       pipelines: bool = True) -> Catalog:
    """Pipelines, stages, users and deal fields (all pages), pulled concurrently.

    ``users=False`` / ``deal_fields=False`` skip those pulls (20 and 10 tokens a page)
    for a job that names no user or field (e.g. a stage move by pipeline and stage);
    ``stages=False`` / ``pipelines=False`` skip those (5 tokens a page: a resume's check of
    bodies naming none, ``jobs.resume_account_now``).
    ``users`` may also be the custom fields a mapping names (labels or codes): users are
    then pulled, after the deal fields, only when one of them is a user field (x14r2
    F2: an import with no owner column pulled none, and every row of a user-type custom
    field failed as "no user named ...")."""
    got: dict[str, list[dict[str, Any]]] = {"users": [], "deal_fields": []}

    async def pull(name: str, operation_id: str) -> None:
        got[name] = await _all_items(ctx, operation_id)

    async def pull_users() -> None:
        got["users"] = await all_users(ctx)

    got.update(pipelines=[], stages=[])
    await concurrently(*([lambda: pull("pipelines", "getPipelines")] if pipelines else []),
                       *([lambda: pull("stages", "getStages")] if stages else []),
                       *([lambda: pull("deal_fields", "getDealFields")] if deal_fields else []),
                       *([pull_users] if users is True else []))
    catalog = Catalog.from_api(pipelines=got["pipelines"], stages=got["stages"],
                               users=got["users"], deal_fields=got["deal_fields"])
    if not isinstance(users, bool) and _names_a_user_field(catalog, users):
        await pull_users()
        catalog = Catalog.from_api(pipelines=got["pipelines"], stages=got["stages"],
                                   users=got["users"], deal_fields=got["deal_fields"])
    return catalog


def _names_a_user_field(catalog: Catalog, names: Collection[str]) -> bool:
    """Whether one of the custom fields ``names`` (labels or codes) is a user field; a
    name that is no field (or two) is the mapping's compile error to report, not this."""
    for name in names:
        try:
            if catalog.field(name, custom=True).type == "user":
                return True
        except InputError:
            continue
    return False


def _find_key_field(catalog: Catalog, label: str) -> DealField | None:
    try:
        found = catalog.field(label, custom=True)
    except AmbiguousName:
        raise  # two fields of that label: never "missing" (x12r1 F3: "create it")
    except InputError:
        return None
    if found.type not in KEY_FIELD_TYPES:
        raise InputError(f"the key field {label!r} is a {found.type} field; it must be a text "
                         f"field ({', '.join(KEY_FIELD_TYPES)})")
    return found


def _with_field(catalog: Catalog, raw: Mapping[str, Any]) -> Catalog:
    extra = Catalog.from_api(deal_fields=[raw]).deal_fields
    return dataclasses.replace(catalog, deal_fields=catalog.deal_fields + extra)


# what a job that only reads the key field (update, move-stage by key) says when it is
# missing: they have no --create-key-field (x24r5: move-stage advised it)
READ_ONLY_KEY_ADVICE = ("check its name: the deal field an import wrote the source keys into "
                        "(--key-field, or the mapping's key_field)")


async def ensure_key_field(ctx: CallContext, catalog: Catalog, label: str, *,
                           create: bool, claims: Claims | None = None,
                           missing: str = "create it (a text field) or pass --create-key-field",
                           used: Mapping[str, set[str]] | None = None,
                           ) -> tuple[str, Catalog]:
    """The field code of the external-id custom field ``label``, and the catalog with it.

    Missing: created as a varchar field (``addDealField``, 5 tokens) when ``create``,
    else ``InputError`` ending with ``missing`` (the advice: the import's by default).
    The create is claimed across processes (``claims``, default ``opened_claims()``): two
    imports started at once never create two fields of one label; under the claim the
    fields are pulled again (10 tokens) and the field another run created is used. A
    create whose answer is lost is checked by pulling the fields again before it is ever
    sent a second time.

    A field code this state folder used as the key field ``label`` (``used``, default the
    state folder's record: ``jobs.key_field_record.used_key_fields``) that the account
    has under another name: ``InputError`` naming both names and the code, nothing
    created (x32r4 t13: the renamed key field was created again and every deal with it).
    The code returned is recorded in the state folder.
    """
    check_not_renamed(catalog, label, used_key_fields() if used is None else used)
    found = _find_key_field(catalog, label)
    if found is not None:
        remember_key_field(found.code, label)
        return found.code, catalog
    if not create:
        raise InputError(f"the account has no deal field {label!r} for the source keys; "
                         f"{missing}")
    if claims is not None:
        code, catalog = await _ensure_claimed(ctx, catalog, label, claims)
    else:
        opened = await opened_claims(clock=ctx.clock)  # under the run's company
        try:
            code, catalog = await _ensure_claimed(ctx, catalog, label, opened)
        finally:
            with anyio.CancelScope(shield=True):
                await opened.aclose()
    remember_key_field(code, label)
    return code, catalog


async def _ensure_claimed(ctx: CallContext, catalog: Catalog, label: str,
                          claims: Claims) -> tuple[str, Catalog]:
    """``ensure_key_field``'s create, under the claim ``deal-field/label`` (the claims
    are the company's: the name needs no account in it). The claim is proved held right
    before the create (``Lease.confirm``); lost, the fields are pulled again under a
    new claim."""
    name = f"deal-field\x1f{label}"
    for _ in range(3):
        for _ in range(8):
            got = await acquire(claims, name)
            if isinstance(got, Claim):
                break
            await claims.wait_released(name, 60.0)
        else:
            raise InputError(f"another run has been creating the deal field {label!r} for "
                             "8 minutes; try again later")
        code: str | None = None
        lost = False
        try:
            async with kept(claims, got, ctx.clock) as lease:  # renewed while it waits
                pulled = ctx.clock.now()  # _converged waits on this pull-to-create span
                fields = await _all_items(ctx, "getDealFields")
                catalog = dataclasses.replace(catalog, deal_fields=Catalog.from_api(
                    deal_fields=fields).deal_fields)
                found = _find_key_field(catalog, label)
                if found is not None:
                    code = found.code
                    return found.code, catalog
                if not await confirm_or_lost(lease):
                    lost = True
                    continue
                code, catalog = await _create_key_field(ctx, catalog, label)
                await ctx.clock.sleep(min(SETTLE_AT_MOST, max(
                    0.0, SETTLE_SPANS * (ctx.clock.now() - pulled))))
                code, catalog = await _converged(ctx, catalog, label, code)
                return code, catalog
        finally:
            if not lost:
                with anyio.CancelScope(shield=True):
                    await claims.release(got, {"field_code": code} if code else None)
    raise InputError(f"the claim on creating the deal field {label!r} was lost three times "
                     "before the create (other runs took it over); try again")


def key_fields_named(catalog: Catalog, label: str) -> list[DealField]:
    """The custom text fields labelled ``label`` (as ``Catalog.field`` reads labels: in any
    case), lowest ``field_code`` first: two runs that each created the key field at the
    same instant (two state folders, no shared claims) leave two."""
    want = norm_key(label)
    return sorted((f for f in catalog.deal_fields if f.is_custom and norm_key(f.name) == want
                   and f.type in KEY_FIELD_TYPES), key=lambda f: f.code)


# How long a run that just created the key field waits before reading the fields again
# (``_converged``), in spans of its own pull-then-create: another run's create, whose pull
# came before this create landed, has landed too unless that run took more than this many
# times as long between its pull and its create (a 429 pause, a stalled machine).
SETTLE_SPANS = 2.0
# ... at most this long (seconds; the plan counts it, jobs.import_load): the span
# includes the run's own waits for rate-limit slots, and uncapped (~1 s at 120 ms
# latency) it put a first import's sending 60 % over its plan (tests/test_plan_time.py);
# the end-of-run check for doubles (``jobs.doubles``) reads every field of the label
# whatever the race left
SETTLE_AT_MOST = 0.5


async def _converged(ctx: CallContext, catalog: Catalog, label: str, code: str
                     ) -> tuple[str, Catalog]:
    """The key field every run that created one at the same instant ends up with, right
    after this run created ``code``: the fields are pulled again (getDealFields, 10 tokens)
    and, where two or more custom text fields carry ``label``, the one with the lowest
    ``field_code`` wins (a v2 deal field has no id or add_time to order by; its code is
    what every run reads alike). A run whose own field lost deletes it
    (``deleteDealField``, 3 tokens) — it has written nothing to it yet: this runs before
    the load, so no deal holds a value there — and uses the winner.

    Why every run converges: runs A and B create fields a and b, each then reads the list.
    Whichever reads last reads after both creates (A's create < A's read, B's create <
    B's read, so the later read follows both creates), sees a and b and takes the lowest
    code. The other run either read both too (the same choice) or read before the second
    create, saw its own field alone and kept it: then its field was created first, and
    when it is not the lowest code the two runs keep two fields. No rule over reads,
    creates and deletes settles that case for sure (they cannot reach consensus:
    Herlihy's consensus number 1); the caller's wait before this read
    (``SETTLE_SPANS`` times its own pull-to-create span) makes it need the other run to
    take that much longer between its pull and its create, and the end-of-run check for
    doubles reads every field of the label (``jobs.doubles``). Lists are assumed to show
    a write answered before the read (FACTS.md states nothing either way; the sandbox
    does)."""
    fields = await _all_items(ctx, "getDealFields")
    catalog = dataclasses.replace(catalog, deal_fields=Catalog.from_api(
        deal_fields=fields).deal_fields)
    named = key_fields_named(catalog, label)
    if len(named) < 2 or named[0].code == code:
        return code, _one_key_field(catalog, label, code)
    winner = named[0].code
    try:
        await ctx.call("deleteDealField", path={"field_code": code})
    except NotFound:
        pass  # deleted already (an answer lost, sent again by the retry)
    return winner, _one_key_field(catalog, label, winner)


def _one_key_field(catalog: Catalog, label: str, code: str) -> Catalog:
    """``catalog`` with the other fields labelled ``label`` left out: the run finds its
    key field by its label (``Catalog.field``), which two fields of it would make
    ambiguous (the other run's loser, until that run deletes it)."""
    others = {f.code for f in key_fields_named(catalog, label)} - {code}
    return dataclasses.replace(catalog, deal_fields=tuple(
        f for f in catalog.deal_fields if f.code not in others))


async def _create_key_field(ctx: CallContext, catalog: Catalog, label: str
                            ) -> tuple[str, Catalog]:
    for _ in range(3):
        try:
            res = await ctx.call("addDealField",
                                 json={"field_name": label, "field_type": "varchar"})
        except InDoubt:
            fields = await _all_items(ctx, "getDealFields")
            catalog = dataclasses.replace(catalog, deal_fields=Catalog.from_api(
                deal_fields=fields).deal_fields)
            found = _find_key_field(catalog, label)
            if found is not None:
                return found.code, catalog
            continue
        raw = dict(res.data)
        raw.setdefault("is_custom_field", True)
        return str(raw["field_code"]), _with_field(catalog, raw)
    raise InputError(f"could not create the key field {label!r}: its creation stayed in "
                     "doubt three times")


def deal_key(deal: Mapping[str, Any], key_code: str) -> str | None:
    """The source key a deal carries in the key field (None when empty)."""
    custom = deal.get("custom_fields") or {}
    value = custom.get(key_code) if isinstance(custom, Mapping) else None
    if isinstance(value, Mapping):  # defensive: some shapes wrap text in {"value": ...}
        value = value.get("value")
    if value is None:
        return None
    text = str(value).strip()
    return (whole_key(text) or None) if text else None  # as a row's key reads (source_key)


def key_moved(deal: Mapping[str, Any], key_code: str | None, key: str | None) -> str | None:
    """What deal ``deal`` (just read) holds in the key field ``key_code`` when that is no
    longer ``key``, the source key its row found it by: ``'K2'``, or ``nothing``; None
    when it still is, there is no key, or the answer does not carry the field (nothing to
    tell). Someone who changed or cleared the key since meant another record: writing
    the row to it anyway is silently wrong (v9r6)."""
    custom = deal.get("custom_fields")
    if not key_code or not key or not isinstance(custom, Mapping) or key_code not in custom:
        return None
    now = deal_key(deal, key_code)
    if now == str(key).strip():
        return None
    return "nothing" if now is None else repr(now)


class DealsByKey(dict[str, dict[str, Any]]):
    """Source key → the (not archived) deal carrying it, plus what makes a key unusable.

    ``ambiguous``: keys two or more deals carry (archived ones included) → their ids,
    ascending; the mapping still holds the lowest id, but no job may pick it.
    ``archived``: keys only an archived deal carries → that deal (not in the mapping).
    ``key_problem`` says why a key cannot be used.
    ``changed``: per list (``getDeals``, ``getArchivedDeals``), the deals, keyed or not,
    whose ``update_time`` is at or after the ``since`` the index was pulled with (what a
    ``keyed_added_since(since)`` then reads: ``keyed_since_calls``); empty without one.
    ``changed_ids``: the same deals' ids, per list, each with its ``update_time``
    (``changed_ids_after``: an import's plan counts those of the doubles check's margin,
    less those it writes itself: ``jobs.doubles.check_calls``).
    ``changed_times``: per list, those deals' ``update_time`` s (Unix times, ascending),
    for ``changed_after`` — the deals a pull from a later moment reads.
    ``titles``: live deal id -> title of the ids the pull was asked for (``titles_of``).
    """

    def __init__(self) -> None:
        super().__init__()
        self.ambiguous: dict[str, list[int]] = {}
        self.archived: dict[str, dict[str, Any]] = {}
        self.changed: dict[str, int] = {}
        self.changed_ids: dict[str, dict[int, float]] = {}
        self.changed_times: dict[str, list[float]] = {}
        # live deal id -> its title, of the ids ``index_deals_by_key`` was asked for
        # (``titles_of``); None: not asked, or not every live deal was listed
        self.titles: dict[int, object] | None = None

    def count_changed(self, operation_id: str, deals: Iterable[Mapping[str, Any]],
                      since: float) -> None:
        """Record (``changed``, ``changed_times``, ``changed_ids``) the deals of list
        ``operation_id``
        (``getDeals`` / ``getArchivedDeals``) changed at or after ``since`` (Unix time)."""
        times = sorted(_or_inf(parse_time(d.get("update_time"))) for d in deals
                       if _changed_at_or_after(d, since))
        self.changed[operation_id] = len(times)
        self.changed_times[operation_id] = times
        self.changed_ids[operation_id] = {
            int(d["id"]): _or_inf(parse_time(d.get("update_time"))) for d in deals
            if d.get("id") is not None and _changed_at_or_after(d, since)}

    def changed_ids_after(self, operation_id: str, since: float) -> set[int]:
        """The ids of the deals of list ``operation_id`` changed at or after ``since``
        (Unix time; at or after the ``since`` they were counted from: ``count_changed``)."""
        cut = math.floor(max(0.0, since))
        return {i for i, at in self.changed_ids.get(operation_id, {}).items() if at >= cut}

    def changed_after(self, operation_id: str, since: float) -> int | None:
        """How many deals of list ``operation_id`` an ``updated_since`` pull of ``since``
        (Unix time) lists, as this index read them; None when the index did not count
        that list from ``since`` or earlier (``count_changed``)."""
        times = self.changed_times.get(operation_id)
        if times is None:
            return None
        cut = math.floor(max(0.0, since))
        return len(times) - bisect.bisect_left(times, cut)

    def _ids(self, key: str) -> list[int]:
        held = self.get(key) or self.archived.get(key)
        return [int(held["id"])] if held is not None else []

    def add(self, key: str, deal: dict[str, Any], *, archived: bool = False) -> None:
        ids = self.ambiguous.get(key) or self._ids(key)
        if ids:
            self.ambiguous[key] = sorted({*ids, int(deal["id"])})
        if archived:
            if key not in self and (key not in self.archived
                                    or int(deal["id"]) < int(self.archived[key]["id"])):
                self.archived[key] = deal
            return
        self.archived.pop(key, None)
        held = self.get(key)
        if held is None or int(deal["id"]) < int(held["id"]):
            self[key] = deal


UNARCHIVE_HINT = "pass --unarchive to unarchive and update it"


def key_problem(index: Mapping[str, Any], key: str, *, unarchive: bool = False,
                hint: str = UNARCHIVE_HINT) -> str | None:
    """Why the deal ``index`` has for ``key`` must not be used (None: it may).

    A key two or more deals carry is never resolved by picking one of them. A key
    only an archived deal carries cannot be written (archived deals cannot be edited:
    FACTS.md, Deals) unless ``unarchive``; ``hint`` says what the user can do then (a
    command without ``--unarchive`` passes its own, issue 9 F5).
    """
    ambiguous = getattr(index, "ambiguous", None)
    if ambiguous and key in ambiguous:
        return f"key {key} matches deals {', '.join(map(str, ambiguous[key]))}"
    archived = getattr(index, "archived", None)
    if archived and key in archived and not unarchive:
        return (f"key {key} belongs to archived deal {archived[key]['id']}; archived deals "
                f"cannot be edited ({hint})")
    return None


class TooManyPages(Exception):
    """A pull capped at ``max_pages`` pages had more (``index_deals_by_key``)."""


async def _capped_v2(ctx: CallContext, operation_id: str, params: Mapping[str, object],
                     max_pages: int) -> list[dict[str, Any]]:
    """``_all_items`` that stops paying after ``max_pages`` pages: TooManyPages then."""
    out: list[dict[str, Any]] = []
    pages = 0
    async for page in ctx.paginate(operation_id, params=params, limit=PAGE):
        out.extend(page.data or ())
        pages += 1
        if pages >= max_pages and page.next_cursor is not None:
            raise TooManyPages(operation_id)
    return out


async def index_deals_by_key(ctx: CallContext, key_code: str, *,
                             params: dict[str, object] | None = None,
                             archived: bool = True, since: float | None = None,
                             max_pages: int | None = None,
                             titles_of: Collection[int] = ()) -> DealsByKey:
    """Every deal's source key → the deal; 10 tokens per 500 deals, plus (``archived``)
    20 tokens per 500 archived deals (``getArchivedDeals``, GET /api/v2/deals/archived:
    getDeals "Returns data about all not archived deals", openapi-v2.yaml).

    By default only the key field is included among the custom fields (smaller
    pages); ``params`` overrides or adds filters (``{"custom_fields": None}``
    asks for all custom fields, ``{"status": "open"}`` narrows the pull). Keys two
    deals carry, and keys only an archived deal carries, are recorded (see
    ``DealsByKey`` and ``key_problem``). ``since`` (Unix time): also count, per list, the
    deals changed at or after it (``DealsByKey.changed``), for the plan of a later
    ``keyed_added_since(since)``. ``max_pages``: stop paying after that many pages of a
    list; raises TooManyPages when the list had more (the pull was not worth it).
    ``titles_of``: deal ids whose titles the live pages give are kept, keyed or not
    (``DealsByKey.titles``, for ``jobs.own_export``: no call of its own).
    """
    query: dict[str, object] = {"custom_fields": key_code, **(params or {})}
    query = {k: v for k, v in query.items() if v is not None}
    out = DealsByKey()
    pulls: dict[str, list[dict[str, Any]]] = {}

    async def pull(operation_id: str) -> None:
        pulls[operation_id] = (await _all_items(ctx, operation_id, query) if max_pages is None
                               else await _capped_v2(ctx, operation_id, query, max_pages))

    await concurrently(lambda: pull("getDeals"),
                       *([lambda: pull("getArchivedDeals")] if archived else []))
    for operation_id in ("getDeals", "getArchivedDeals"):
        for deal in pulls.get(operation_id, ()):
            key = deal_key(deal, key_code)
            if key is not None:
                out.add(key, deal, archived=operation_id == "getArchivedDeals")
    if titles_of and not query.get("status"):  # (every live deal was listed)
        wanted = set(titles_of)
        out.titles = {int(d["id"]): d.get("title") for d in pulls.get("getDeals", ())
                      if d.get("id") in wanted}
    if since is not None:
        for op, deals in pulls.items():
            out.count_changed(op, deals, since)
    return out


async def add_archived_keys(ctx: CallContext, index: DealsByKey, key_code: str, *,
                            max_pages: int | None = None, since: float | None = None) -> int:
    """Add to ``index`` (a pull of the live deals: ``index_deals_by_key(archived=False)``)
    the keys the archived deals carry (``getArchivedDeals``, the key field alone, 20 tokens
    per 500 archived deals): a key only an archived deal carries goes to ``index.archived``,
    one a live deal carries too to ``index.ambiguous``. Returns how many archived deals
    were read. ``max_pages``: as ``index_deals_by_key``'s (TooManyPages past it; ``index``
    is then left as it was). ``since``: as ``index_deals_by_key``'s (``count_changed``)."""
    query = {"custom_fields": key_code}
    deals = (await _all_items(ctx, "getArchivedDeals", query) if max_pages is None
             else await _capped_v2(ctx, "getArchivedDeals", query, max_pages))
    if since is not None:
        index.count_changed("getArchivedDeals", deals, since)
    for deal in deals:
        key = deal_key(deal, key_code)
        if key is not None:
            index.add(key, deal, archived=True)
    return len(deals)


def _or_inf(moment: float | None) -> float:
    """``moment``, or infinity when unreadable: a deal without a readable ``update_time``
    counts as changed from any time (``_changed_at_or_after``)."""
    return math.inf if moment is None else moment


def _changed_at_or_after(deal: Mapping[str, Any], since: float) -> bool:
    """Whether ``updated_since`` of ``since`` lists ``deal`` (``changed_since`` sends the
    second ``since`` falls in; a deal without a readable ``update_time`` counts)."""
    changed = parse_time(deal.get("update_time"))
    return changed is None or changed >= math.floor(max(0.0, since))


listed_since = _changed_at_or_after  # public: what a plan counts of a later changed_since


def phone_advice(wanted: PhoneKey | None, theirs: Iterable[PhoneKey]) -> str:
    """What a row of a phone that several persons' phones agree with (``theirs``) could
    add to tell them apart (the caller adds " to the row"): the country code and
    extension only when the row's phone lacks one of them that could tell (x45r3 F6: a
    row of ``+49 30 1234567``, two persons of that very number, was told to write its
    country code and extension)."""
    if wanted is not None and wanted.country is not None and (
            wanted.ext is not None or not any(k.ext for k in theirs)):
        return "add an e-mail or the organization of the person"
    return ("write the phone with its country code and extension, or add an e-mail or the "
            "organization of the person")


@dataclass
class PersonIndex:
    """Persons by normalised e-mail (every address they have) and by name, with the
    phones and organization of each, for matching rules at least as strict as
    Pipedrive's importer (issue 9 section 7; docs/mapping.md "Matching"). An address is
    held and looked up by its ``email_key`` (x19r4 F1: ``σοφιασ`` / ``σοφιας``)."""

    by_email: dict[str, int] = field(default_factory=dict)  # email_key → lowest id
    # each key of a name (``name_match_keys``) → [(id, phone keys, org_id)], lowest id first
    by_name: dict[str, list[tuple[int, frozenset[PhoneKey], int | None]]] = field(
        default_factory=dict)
    count: int = 0
    # an address several persons have (info@): their ids, for ``match`` to take the one of
    # the row's name (x9r6: "Ann Leigh" was linked to "Ann Lee", the lower id)
    shared: dict[str, set[int]] = field(default_factory=dict)
    # the persons with at least one readable address: a row's e-mail no one has may still
    # be the person it names when that person has none (``match``)
    emailed: set[int] = field(default_factory=set)
    org_of: dict[int, int] = field(default_factory=dict)  # person id → its organization's
    ids: set[int] = field(default_factory=set)  # every person listed (deleted ones are not)
    # person id → its name as Pipedrive holds it (cleaned): a note names the person so, not
    # by its case-folded ``by_name`` key (x35r1 5: "person 'person 4'" for "Person 4")
    names: dict[int, str] = field(default_factory=dict)
    # the ids of the persons an import job made itself, when a run of it maps rows again
    # (``index_persons``' ``own``): matched as any other, a row's link to one is its create
    own: set[int] = field(default_factory=set)
    # how many listed persons changed at or after ``index_persons``' ``since`` (the import's
    # plan: its contact check's pages, ``jobs.doubles.contact_check_calls``)
    changed: int = 0
    # person id → the match keys of its phones (a person with none is not in it): a row
    # linked to it whose phone it lacks says the phone is not added (x47r3 F3)
    phones_of: dict[int, frozenset[PhoneKey]] = field(default_factory=dict)

    def add(self, person: Mapping[str, Any]) -> None:
        pid = int(person["id"])
        self.count += 1
        self.ids.add(pid)
        at = person.get("org_id")
        at = at.get("value") if isinstance(at, Mapping) else at
        if isinstance(at, int):
            self.org_of[pid] = at
        for entry in person.get("emails") or ():
            raw = entry.get("value") if isinstance(entry, Mapping) else entry
            try:
                written = normalize_email(raw)
            except InputError:
                continue
            email = email_key(written) if written else None
            if email:
                self.emailed.add(pid)
            if email and email in self.by_email and self.by_email[email] != pid:
                self.shared.setdefault(email, {self.by_email[email]}).add(pid)
            if email and (email not in self.by_email or pid < self.by_email[email]):
                self.by_email[email] = pid
        try:
            name = clean_text(person.get("name"))
        except InputError:
            name = None
        if name:
            self.names[pid] = name
            values = [entry.get("value") if isinstance(entry, Mapping) else entry
                      for entry in person.get("phones") or ()]
            # each read by the parse a row's phone is (x20r1 S3: phones_agree)
            phones = frozenset(k for k in map(phone_key, values) if k)
            if phones:
                self.phones_of[pid] = phones
            org = person.get("org_id")
            org_id = org.get("value") if isinstance(org, Mapping) else org
            # under each key of its name: a name with umlauts is found as German writes it
            # without them too (x44r1 F3: ``Juergen Mueller`` made a second ``Jürgen Müller``)
            for key in name_match_keys(name):
                entries = self.by_name.setdefault(key, [])
                entries.append((pid, phones, int(org_id) if isinstance(org_id, int) else None))
                entries.sort(key=lambda e: e[0])

    def lacks(self, pid: int, emails: Iterable[str | None],
              phones: Iterable[str | None]) -> list[str]:
        """The ``emails`` no person has and the ``phones`` person ``pid`` has none of
        (``phones_agree``), as written: what a row linked to ``pid`` gives that the
        import does not add (it writes deals, not persons; x47r3 F3)."""
        have = self.phones_of.get(pid, frozenset())
        out = [e for e in emails if e and self.owner_of(e) is None]
        return out + [p for p in phones if p and (key := phone_key(p)) is not None
                      and not phones_agree(key, have)]

    def named(self, name: str) -> list[tuple[int, frozenset[PhoneKey], int | None]]:
        """The persons of ``name`` as ``by_name`` holds them, lowest id first: those under
        any key of it (``name_match_keys``: ``Jürgen Müller`` finds ``Juergen Mueller`` and
        ``Jurgen Muller``), each once."""
        keys = name_match_keys(name)
        if len(keys) == 1:
            return self.by_name.get(keys[0], [])
        seen: dict[int, tuple[int, frozenset[PhoneKey], int | None]] = {}
        for key in keys:
            for entry in self.by_name.get(key, ()):
                seen.setdefault(entry[0], entry)
        return sorted(seen.values(), key=lambda e: e[0])

    def match(self, email: str | None, name: str | None, phone: str | None = None,
              org_id: int | None = None, *, prefer: int | None = None,
              no_org: bool = False) -> tuple[int, str] | None:
        """(person id, matched_by) or None. A row with an e-mail matches by e-mail; without
        one, by name plus phone (``name+phone``), else name plus the row's existing
        organization (``name+org``) — the person the deal is linked to (``prefer``, an
        upsert) when it is one of those found —, else that person when it has the row's
        name (``name+deal``; x10r3: a re-import of the same file made a new person each
        time; x10r4: the row's phone or organization, pointing at another person of the
        name, lost to it). A name alone never links to another existing person.

        An e-mail no person has still finds, by ``name+phone`` or ``name+deal``, a person
        who has no address at all (x10r4 F5: a newer export giving a person her e-mail
        made her again and moved the deal to the copy); a person with another address is
        never reached that way.

        A row of a name alone (no e-mail, no phone, ``no_org``: no organization) finds the
        one person of that name who has nothing else either — no address, no phone, no
        organization: the person such a row makes (``name``; x24r1 F4: one file's rows of
        "Jane Roe" alone shared one person, each later file of the migration made another;
        the same rule now in one file and across files). Nothing of the record can differ
        from the row; a person with anything more is never reached by a name.

        InputError (nothing sent for the row): several persons of the row's name at its
        organization and none of them the deal's, with no phone telling them apart
        (x10r4 F9: the lowest id was taken, with no note); several persons of the row's
        name alone, none of them the deal's."""
        if email:
            found = self.owner_of(email)
            if found is not None and email_key(email) in self.shared:
                found = self._owner(email, name, prefer)
            if found is not None or not name:
                return None if found is None else (found, "email")
        if not name:
            return None
        candidates = self.named(name)
        if email:  # an address no one has: only a person without one may be the row's
            candidates = [c for c in candidates if c[0] not in self.emailed]
        if not candidates:  # no one of the name: the phone is never read (issue 8: most
            return None  # rows, a new person's, parsed their phone for nothing)
        wanted = phone_key(phone) if phone else None
        for how, pids in (
                ("name+phone", [pid for pid, phones, _ in candidates
                                if phones_agree(wanted, phones)]
                 if wanted else []),
                # (not a person whose phones all differ from the row's: two persons of one
                # name at one company, x14r4 F1)
                ("name+org", [pid for pid, phones, person_org in candidates
                              if person_org == org_id and (
                                  not wanted or not phones
                                  or phones_agree(wanted, phones))]
                 if org_id is not None and not email else []),
                ("name+deal", [pid for pid, _, _ in candidates if pid == prefer]),
                ("name", [pid for pid, phones, person_org in candidates
                          if pid not in self.emailed and not phones and person_org is None]
                 if no_org and not email and not wanted else [])):
            if not pids:
                continue
            if prefer is not None and prefer in pids:
                return prefer, how
            if len(pids) > 1:  # the row's own spelling first, as organizations (x42r1 F1)
                pids = [p for p in pids if _spelling(self.names.get(p, "")) == _spelling(
                    name)] or pids
            if how == "name+phone" and len(pids) > 1 and org_id is not None:
                pids = [pid for pid, _, person_org in candidates
                        if pid in pids and person_org == org_id] or pids
            if how == "name+org" and len(pids) > 1:
                # (no apostrophe: the plan's count by reason reads quotes as values)
                raise InputError(
                    f"{len(pids)} persons named {name!r} are at the organization of the row "
                    f"(ids {', '.join(map(str, pids[:5]))}"
                    f"{', ...' if len(pids) > 5 else ''}) and the row does not say which: "
                    + ("add an e-mail of the person to the row (its phone tells none of "
                       "them)" if wanted else
                       "add an e-mail or phone of the person to the row"))
            if how == "name" and len(pids) > 1:
                raise InputError(
                    f"{len(pids)} persons named {name!r} have no e-mail, phone or "
                    f"organization (ids {', '.join(map(str, pids[:5]))}"
                    f"{', ...' if len(pids) > 5 else ''}) and the row does not say which: "
                    "add an e-mail or phone of the person to the row")
            if how == "name+phone" and len(pids) > 1:
                # the lowest id was taken, with no note (x14r5: a national number both a
                # +1 and a +44 person of the name have went to the older one)
                raise InputError(
                    f"{len(pids)} persons named {name!r} have the row's phone (ids "
                    f"{', '.join(map(str, pids[:5]))}{', ...' if len(pids) > 5 else ''}) "
                    "and the row does not say which: " + phone_advice(wanted, (
                        k for pid, phones, _ in candidates if pid in pids for k in phones))
                    + " to the row")
            return pids[0], how
        return None

    def fits(self, pid: int, emails: Iterable[str | None], name: str | None,
             phone: str | None) -> str | None:
        """How person ``pid`` fits a row of these e-mails, name and phone by one of its
        identities: ``email`` (it has one of the addresses), ``name+phone`` (the row's name
        and a phone agreeing with the row's: ``phones_agree``), else None. An upsert keeps
        the deal's person when it fits (x27r1 2: a re-import of an unchanged file moved
        deals between two persons its rows both fit)."""
        for address in emails:
            if address and (key := email_key(address)) and (
                    self.by_email.get(key) == pid or pid in self.shared.get(key, ())):
                return "email"
        wanted = phone_key(phone) if name and phone else None
        if name and wanted is not None and any(
                p == pid and phones_agree(wanted, phones)
                for p, phones, _ in self.named(name)):
            return "name+phone"
        return None

    def orgs_of(self, email: str | None, name: str | None,
                phone: str | None = None) -> set[int]:
        """The organizations of the persons the row proves it is: by its e-mail (the one
        of its name among those sharing it), else by its name **and** phone
        (``phones_agree``) — a hint to which of several organizations of one name, at
        different addresses, the row means (``OrgIndex.match``). A name alone proves no
        one: "Ann Lee" at one branch of "Nordwind GmbH" says nothing of a row "Ann Lee"
        with no e-mail, phone or address (x24r5 F10: the branch was taken by her name, then
        the person by that branch, a link by name only)."""
        if email and (one := self.owner_of(email)) is not None:
            pids: set[int] = self.shared.get(email_key(email), {one})
            if len(pids) > 1 and name:  # the one of the row's name (x13r6 F2)
                pids = pids & self._named(name) or pids
        elif name and not email and phone and (wanted := phone_key(phone)) is not None:
            pids = {pid for pid, phones, _ in self.named(name)
                    if phones_agree(wanted, phones)}
        else:
            return set()
        return {self.org_of[pid] for pid in pids if pid in self.org_of}

    def named_orgs(self, name: str | None) -> set[int]:
        """The organizations of the persons of ``name``: which copy of one organization
        entered twice (no two addresses) a row means — the same company either way, so a
        name only picks the copy, never a branch (``OrgIndex.match``)."""
        if not name:
            return set()
        return {self.org_of[pid] for pid in self._named(name) if pid in self.org_of}

    def _owner(self, email: str, name: str | None, prefer: int | None) -> int:
        """Which of the persons sharing ``email`` (info@) the row is: the one of its name
        (the lowest id of several), the deal's own person among those (``prefer``).
        InputError when none has its name, or the row has none: the address names no one
        person (x13r2 F2: a row of "Chris Doe" was linked to "Shared Box One", the lower
        id, with no note; Pipedrive's importer would have taken it too)."""
        owners = self.shared[email_key(email)]
        if name is not None and "@" in name:  # a row without a name is named by its address
            name = None
        named = owners & self._named(name) if name else owners
        if prefer is not None and prefer in named:
            return prefer
        if len(named) != 1:
            # none of the row's name, no name, or several of it (x13r6 F1: two "Tom Hahn"
            # on office@ — the lowest id was taken): the row tells no one person
            ids = sorted(named or owners)
            raise InputError(
                f"the e-mail {email} belongs to {len(owners)} persons and "
                + (f"none of them is named {name!r}" if name and not named else
                   f"{len(named)} of them are named {name!r}" if name else
                   "the row gives no name")
                + f" (ids {', '.join(map(str, ids[:5]))}{', ...' if len(ids) > 5 else ''}): "
                "the address tells no one person; give the row the name of one of them, or "
                "an address of its own")
        return next(iter(named))

    def owner_of(self, email: str) -> int | None:
        """The person (the lowest id) with ``email`` in any case spelling (``email_key``),
        else None."""
        return self.by_email.get(email_key(email))

    def _named(self, name: str) -> set[int]:
        """The persons of ``name`` (``named``: case, spaces, accents and umlauts aside)."""
        return {pid for pid, _, _ in self.named(name)}

    def find(self, email: str | None, name: str | None, phone: str | None = None,
             org_id: int | None = None) -> int | None:
        """The id ``match`` finds, or None."""
        found = self.match(email, name, phone, org_id)
        return None if found is None else found[0]


# kind ("person" / "org") and every record a list pulled → the ids of those records an import
# job made itself, found again when a run of it maps rows again
# (``jobs.importing.own_records``): matched as any record, a row's link to one is its create
Own = Callable[[str, list[dict[str, Any]]], Awaitable[Collection[int]]]


async def index_persons(ctx: CallContext, own: Own | None = None, *,
                        since: float | None = None) -> PersonIndex:
    """Every person, indexed by e-mail and name; 10 tokens per 500 persons. ``own``: the
    ids of those an import job made itself (kept in ``PersonIndex.own``; matched as any
    other: x44r9, a retry that never matched them made a second person). ``since`` (Unix
    time): count those changed at or after it (``PersonIndex.changed``)."""
    index = PersonIndex()
    persons = await _all_items(ctx, "getPersons")
    for person in persons:
        index.add(person)
    if since is not None:
        index.changed = sum(1 for p in persons if _changed_at_or_after(p, since))
    if own is not None:
        index.own.update(await own("person", persons))
    return index


def org_key(name: object) -> str | None:
    """The key two organisation names must share to be one organisation."""
    return org_match_key(name)


class OrgIndex(dict[str, int]):
    """Organisations by ``org_match_key`` (the lowest id per key), a name with German
    umlauts or Nordic letters also by ``org_spelled_keys`` (``Müller`` under ``muller`` and
    ``mueller``, ``Øster`` under ``oster`` and ``oester``), with
    each one's address for ``match``."""

    def __init__(self) -> None:
        super().__init__()
        self.candidates: dict[str, list[tuple[int, str | None]]] = {}
        self.formed: dict[int, str] = {}  # the names that end in a legal form, by org id
        self.ids: set[int] = set()  # every organization listed (deleted ones are not)
        # the name of each organization found under a key, as Pipedrive holds it: which of
        # several a row means by its spelling (``spelling_rank``)
        self.names: dict[int, str] = {}
        self.own: set[int] = set()  # those an import job made itself (``index_orgs``' own)
        self.changed = 0  # listed organizations changed at or after ``index_orgs``' since

    def add(self, org: Mapping[str, Any]) -> None:
        self.ids.add(int(org["id"]))
        try:
            key = org_key(org.get("name"))
        except InputError:
            return
        if not key:
            return
        oid = int(org["id"])
        self.names[oid] = str(org.get("name"))
        if (parts := org_key_parts(org.get("name"))) is not None and parts[1]:
            self.formed[oid] = str(org.get("name"))  # (``Øster Ås`` has none: f52b)
        address = org.get("address")
        if isinstance(address, Mapping):
            address = address.get("value") or address.get("formatted_address")
        try:
            where = address_match_key(address)
        except InputError:
            where = None
        try:  # a name with umlauts or Nordic letters is found as written without them
            also = org_spelled_keys(org.get("name"))  # too (x24r1 F3, x52r9 F2)
        except InputError:
            also = ()
        for each in (key, *also):
            self.candidates.setdefault(each, []).append((oid, where))
            self.candidates[each].sort(key=lambda c: c[0])
            if each not in self or oid < self[each]:
                self[each] = oid

    def match(self, key: str, address: str | None = None, *,
              prefer: int | None = None, name: str = "",
              people: Callable[[], set[int]] = set,
              named: Callable[[], set[int]] = set) -> tuple[int, str] | None:
        """(org id, matched_by) or None: the same name key and, when the row and the
        organization both have an address, the same address (``name+address``);
        ``name`` when either has none. Different addresses never match. ``prefer``: the
        organization the deal is linked to now, taken when it is one of several that
        match by name alone (an upsert does not move a deal between branches of one name:
        x9r5).

        A row with no address, of a name several organizations at two or more addresses
        have (a company's branches): the one its person is at (``people``: the orgs of
        the persons the row's e-mail, or its name and phone, find: ``PersonIndex.orgs_of``;
        ``name+person``), else InputError naming them (``name``: the row's, for it) — never
        by the person's name alone (x24r5 F10); of a name several organizations have at
        no two addresses (one entered twice), the one its person is at (``people``, else
        ``named``: the persons of its name), else the lowest id. Before, the lowest id was taken with no
        note (x13r2 F3: "Pat Lee" at "Twin Co" went to the Leeds branch, and a second Pat
        Lee was made there, though the existing one is at the York branch)."""
        candidates = self.candidates.get(key, ())
        if name and len(candidates) > 1:  # the row's own spelling first (x42r1 F1)
            candidates = self._spelled(candidates, name, whole=address is not None)
        if prefer is not None and address is None \
                and any(oid == prefer for oid, _ in candidates):
            return prefer, "name"
        where = address_match_key(address) if address else None
        if where is not None:
            for oid, theirs in candidates:
                if theirs == where:
                    return oid, "name+address"
            for oid, theirs in candidates:
                if theirs is None:
                    return oid, "name"
            return None
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0][0], "name"
        ids = [oid for oid, _ in candidates]
        at = [oid for oid in ids if oid in people()]
        if len({theirs for _, theirs in candidates if theirs is not None}) < 2:
            # one organization entered twice, as likely: the one the row's person is at
            # (x17r1 M1: the lowest id was taken though the person, found by e-mail, was
            # at the other, and a row of the person without one made a second person)
            at = at or [oid for oid in ids if oid in named()]
            return (at[0], "name+person") if len(at) == 1 else (candidates[0][0], "name")
        if len(at) == 1:
            return at[0], "name+person"
        raise InputError(
            f"{len(ids)} organizations are named {name or key!r}, at different addresses "
            f"(ids {', '.join(map(str, ids[:5]))}{', ...' if len(ids) > 5 else ''}), and the "
            "row gives no address"
            + (" (its person is at several of them)" if at else unproven_note(ids, named))
            + ": add the organization address to the row")


    def _spelled(self, candidates: Iterable[tuple[int, str | None]], name: str, *,
                 whole: bool) -> list[tuple[int, str | None]]:
        """``candidates`` best spelled first (``spelling_rank``, then id); only those of the
        best rank unless ``whole`` (a row with an address compares every one's address)."""
        ranked = sorted((self.spelling_rank(oid, name), oid, where)
                        for oid, where in candidates)
        return [(oid, where) for rank, oid, where in ranked if whole or rank == ranked[0][0]]

    def spelling_rank(self, oid: int, name: str) -> int:
        """How organization ``oid``'s name is spelled against a row's ``name`` of its key:
        0 the same name but for case and spacing, 1 the same letters (punctuation or the
        legal form's spelling aside: ``Müller & Söhne AG`` / ``Müller und Söhne
        Aktiengesellschaft``), 2 only folded alike (``Mueller`` / ``Müller`` / ``Muller``,
        ``ß`` / ``ss``, accents). Two organizations spelled so are two records: a row
        names the one of its own spelling (x42r1 F1: ``Mueller & Soehne AG`` rows were
        linked to the account's ``Müller & Söhne AG``, the lower id, though the account
        has ``Mueller & Soehne AG`` too; in one file the two were already two)."""
        theirs = self.names.get(oid)
        if theirs is None:
            return 0
        if _spelling(theirs) == _spelling(name):
            return 0
        if _marked(theirs) == _marked(name) and org_key(theirs) == org_key(name):
            return 1
        return 2

    def other_spelling(self, oid: int, name: str) -> str | None:
        """The account's name of organization ``oid`` when a row's ``name`` found it only
        folded alike (``spelling_rank`` 2: the row ``Mueller & Soehne AG``, the account's
        ``Müller & Söhne AG``), else None: the plan counts such rows, succeeded.csv's
        org_matched_by names the account's spelling."""
        return self.names.get(oid) if self.spelling_rank(oid, name) == 2 else None

    def other_form(self, oid: int, name: str) -> str | None:
        """``"Inc. / Corp"`` (the row's form, the account's) when the account's organization
        ``oid``, found by the row's name ``name``, ends in another spelling of its legal
        form than the row's (``Oscorp Inc.`` / ``Oscorp Corp``: one key, as Pipedrive's
        importer and dedupe read US forms, but not the same words); None when either has
        no form or they are one (``Inc`` / ``Incorporated``, ``Ltd.`` / ``Ltd``)."""
        theirs = self.formed.get(oid)
        if theirs is None:
            return None
        mine, other = _form_written(name), _form_written(theirs)
        if mine is None or other is None or _form_words(mine) == _form_words(other):
            return None
        return f"{mine} / {other}"


@functools.lru_cache(maxsize=4096)  # a file names each company in many rows
def _spelling(name: str) -> str:
    """A name as written but for case and spacing (NFC: one form of each accented letter;
    ``lower``, not ``casefold``: ``ß`` stays itself)."""
    return " ".join(unicodedata.normalize("NFC", name).lower().split())


@functools.lru_cache(maxsize=4096)
def _marked(name: str) -> str:
    """The letters of ``name`` a fold changes (umlauts, accents, ``ß``), in order: two
    names of one key with the same ones are spelled alike (``spelling_rank``)."""
    return "".join(c for c in _spelling(name) if c.isalpha() and not c.isascii())


# the spellings of one canonical form that are other words all the same (``Inc`` /
# ``Corp``: one form to the key, two legal words to a reader); any other is its canonical
_OTHER_WORDS = {"corp": "corp", "corporation": "corp"}


@functools.lru_cache(maxsize=4096)  # a file names each company in many rows
def _form_written(name: str) -> str | None:
    """The legal form at the end of ``name`` as written (``Oscorp Inc.`` -> ``Inc.``)."""
    words = (clean_text(name) or "").split()
    try:
        parts = org_key_parts(name)
    except InputError:
        return None
    if parts is None or not parts[1]:
        return None
    for n in range(1, len(words)):
        try:
            if (org_match_key(" ".join(words[:n])) or "").split() == parts[0]:
                return " ".join(words[n:]).strip(" ,") or None
        except InputError:
            return None
    return None


def _form_words(written: str) -> str:
    """A written form as compared: case and dots aside, its canonical form, but ``Corp``
    (``_OTHER_WORDS``)."""
    words = "".join(c if c.isalnum() else " " for c in written.casefold().replace(".", "")).split()
    joined = " ".join(words)
    if joined in _OTHER_WORDS:
        return _OTHER_WORDS[joined]
    return " ".join(split_forms(["x", *words])[1]) or joined


def unproven_note(ids: Collection[int], named: Callable[[], set[int]]) -> str:
    """Why a person of the row's name at one of the organizations ``ids`` did not decide
    (a name alone is no proof: x24r5 F10), for the row's error; empty when none is."""
    at = [oid for oid in ids if oid in named()]
    if not at:
        return ""
    # (no apostrophe: the plan's count by reason reads quotes as values)
    return (f" (a person of that name is at {'id' if len(at) == 1 else 'ids'} "
            f"{', '.join(map(str, at[:5]))}, but a name alone does not prove it is the "
            "same person: an e-mail or phone of the person in the row would)")


async def index_orgs(ctx: CallContext, own: Own | None = None, *,
                     since: float | None = None) -> tuple[OrgIndex, int]:
    """Organisations by normalised name (``org_match_key``; the lowest id wins) with
    their addresses, and how many were listed; 10 tokens per 500 organisations.
    ``own``: the ids of those an import job made itself (kept in ``OrgIndex.own``; matched
    as any other). ``since`` (Unix time): count those changed at or after it
    (``OrgIndex.changed``)."""
    out = OrgIndex()
    orgs = await _all_items(ctx, "getOrganizations")
    for org in orgs:
        out.add(org)
    if since is not None:
        out.changed = sum(1 for o in orgs if _changed_at_or_after(o, since))
    if own is not None:
        out.own.update(await own("org", orgs))
    return out, len(orgs)


async def added_since(ctx: CallContext, operation_id: str, since: float, *,
                      params: Mapping[str, object] | None = None,
                      ) -> list[dict[str, Any]]:
    """Records of a v2 list added at or after ``since`` (Unix time), newest first.

    Pages are pulled sorted by ``add_time`` descending and the pull stops at the
    first page that reaches older records: the cost is one page per 500 records
    added since then (and at least one page).
    """
    query: dict[str, object] = {**(params or {}), "sort_by": "add_time",
                                "sort_direction": "desc"}
    found: list[dict[str, Any]] = []
    async for page in ctx.paginate(operation_id, params=query, limit=PAGE):
        for record in page.data or ():
            added = parse_time(record.get("add_time"))
            if added is not None and added < since:
                return found  # the pages after reach only older records
            found.append(record)
    return found


async def changed_since(ctx: CallContext, operation_id: str, since: float, *,
                        params: Mapping[str, object] | None = None) -> list[dict[str, Any]]:
    """Records of a v2 list whose ``update_time`` is at or after ``since`` (Unix time):
    ``updated_since`` (openapi-v2, GET /deals: "only deals with an update_time later than
    or equal to this time"). A record added since was updated since too (its update_time
    is at least its add_time). One page per 500 such records (at least one)."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(max(0.0, since)))
    found: list[dict[str, Any]] = []
    async for page in ctx.paginate(operation_id, params={**(params or {}),
                                                         "updated_since": stamp},
                                   limit=PAGE):
        found.extend(page.data or ())
    return found


async def keyed_added_since(ctx: CallContext, since: float, key_code: str, *,
                            deleted: bool = False, archived: bool = True,
                            changed: dict[str, int] | None = None
                            ) -> dict[str, list[dict[str, Any]]]:
    """Deals added *or changed* at or after ``since`` (Unix time) that carry a source key
    in the key field ``key_code``, by key (in id order): an older deal someone gave a key
    since carries it as surely as a new one (v9r16 S2: a resume created the key again,
    one key on two deals, since only deals *added* since were read). The default list
    *and* the archived one (``GET /api/v2/deals`` and ``GET /api/v2/deals/archived`` with
    ``updated_since`` and the key field; openapi-v2), pulled at once — an archived deal
    still carries its key (issue 9 section 2). ``deleted``: also the deals deleted since
    (``status=open,won,lost,deleted``: the last 30 days, FACTS), marked by
    ``is_deleted``/``status`` (``jobs.deals.is_gone``). Costs one page of each list per
    500 deals changed since (10 + 20 tokens at least). ``archived=False``: the default
    list only (10 tokens a page), for a caller that already holds the archived one.
    ``changed``: filled with how many deals each list pulled listed, keyed or not (by
    operation id; what ``keyed_since_calls`` prices a later pull of the same ``since``
    from)."""
    params: dict[str, object] = {"custom_fields": key_code}
    if deleted:
        params["status"] = "open,won,lost,deleted"
    found: dict[str, list[dict[str, Any]]] = {}
    lists: dict[str, list[dict[str, Any]]] = {}

    async def pull(operation_id: str) -> None:
        lists[operation_id] = await changed_since(ctx, operation_id, since, params=params)

    ops = ("getDeals", "getArchivedDeals") if archived else ("getDeals",)
    await concurrently(*(partial(pull, op) for op in ops))
    if changed is not None:
        changed.update({op: len(lists[op]) for op in ops})
    seen: set[int] = set()
    for deal in sorted((d for op in ops for d in lists[op]),
                       key=lambda d: int(d["id"])):
        key = deal_key(deal, key_code)
        if key is None or int(deal["id"]) in seen:
            continue
        seen.add(int(deal["id"]))
        found.setdefault(key, []).append(deal)
    return found


def keyed_since_calls(changed: Mapping[str, int]) -> dict[str, int]:
    """The calls ``keyed_added_since`` makes, by operation, when ``changed`` deals of each
    list (``getDeals``, ``getArchivedDeals``) changed since: the ``updated_since`` pull
    of each list, one page per 500 deals changed since, keyed or not (``custom_fields``
    only picks the fields returned), at least one."""
    return {op: max(1, -(-max(0, int(changed.get(op, 0))) // PAGE))
            for op in ("getDeals", "getArchivedDeals")}


__all__ = ["KEY_FIELD_TYPES", "PAGE", "DealsByKey", "OrgIndex", "PersonIndex", "add_archived_keys",
           "added_since", "all_users",
           "changed_since",
           "keyed_added_since", "keyed_since_calls", "listed_since",
           "concurrently", "deal_key", "key_moved", "key_problem",
           "ensure_key_field", "index_deals_by_key", "key_fields_named", "index_orgs", "index_persons",
           "Own",
           "load_catalog", "org_key", "parse_time"]
