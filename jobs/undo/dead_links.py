"""The values an undo's restore would put back that name a record gone since (x36r1 F3).

A restore body (``jobs.deals.restore_body``) puts back the job's before-image; a value
of it that names a record may name one deleted since: a person or organization
(``person_id``, ``org_id``, a person / organization custom field), an owner deactivated
(``owner_id``) or a user gone (a user custom field), a stage or pipeline, a label or an
option of a single / multiple option field, a custom field itself. The sandbox refuses
such a PATCH whole (``bulk/sandbox/deals.py`` ``_ref``, ``fields.py`` ``check_value``:
``400 org_id: organization 12 not found``, ``owner_id: user 5 is deactivated``, ``option
7 does not exist``); FACTS.md and the specs say nothing of it, and x36r1 saw an undo's run
fail 20 rows so, their other fields not restored, 100 tokens of 400s after a plan that
said "valid". So the plan reads the records its restores name (``leave_dead_links``:
counted in the plan, as every plan read is) and leaves each such value — with its group
(``jobs.deals.FIELD_GROUPS``: a stage with its pipeline) — as the deal has it now; the
rest of the restore is sent, the row's note and a plan note say what was left and why. A
restore with nothing else left is skipped (``LEFT``). A record deleted after the plan is
found at the run, by the 400 itself (``after_refusal``: read again, left the same way, the
rest sent once more; those calls are in no plan, so each row counts them, ``UNPLANNED``, and
the run's last lines name them: ``unplanned_line``). The narrowed restore is kept in the
job's store before it is sent (``remember``: ``REFUSED`` + the item's id), so a run killed
after it is settled by what it sent: the reconcile compares the deal with the narrowed
body, the ledger's take-back counts the item's two PATCHes (``refused_calls``; f37c: it
counted one, and took a charged 400 back, 5 tokens under the server's count), and a
resume sends the narrowed body, never the refused one again. Never writes to Pipedrive;
reads only what the restores name.

A person or organization merged away since is followed to its survivor
(``jobs.undo.merged``: traced by the merge's second) and the link put back to it; one
Pipedrive answers 404 for is said to be gone, deleted or merged, not "deleted" (f38b).

Why ~530 lines: the plan's reads, the run's refusal and what a kill leaves of it judge the
same restore bodies with the same rules and words (``_gone``, ``_left``: a dead link left,
a value of several options trimmed, a merged person or organization followed to its
survivor); split, the plan and the run would say one dead link two ways.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bulk.calls import CallContext
from bulk.errors import NotFound, ValidationRejected
from bulk.operations import get_operation
from bulk.store import AsyncJobStore, Item, ItemState, JobStore, NewItem
from bulk.wording import counted

from ..account import PAGE
from ..deals import (
    META_FIELD_LABELS,
    field_group,
    label,
    shown,
    write_groups,
    write_part,
)
from ..updating import Prepared, changed_names
from .merged import merged_orgs, merged_persons
from .targets import partly_note, plan_action

# a restore's field that names a record, and what a note calls that record
REFS = {"person_id": "person", "org_id": "organization", "owner_id": "owner",
        "stage_id": "stage", "pipeline_id": "pipeline"}
LEFT = "link left"  # a restore's action when a gone record was all it would put back
_BY_ID = {"person": ("getPerson", "getPersons"), "org": ("getOrganization", "getOrganizations")}
_REF_KIND = {"person_id": "person", "org_id": "org", "people": "person", "org": "org"}
_OPTIONS = ("enum", "set")
_PAGE = 100  # ids per list call (``GET /api/v2/persons?ids=``: at most 100)
REFUSED = "undo_refused:"  # meta key prefix (+ item id): a restore refused at the run
UNPLANNED = "unplanned_calls"  # a row's result: the calls its refusal made, by operation


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ints(value: Any) -> list[int]:
    return [v for v in value if _int(v) is not None] if isinstance(value, list) else []


@dataclass
class _Account:
    """What is there now of the records the restores name (``_read``)."""

    gone: dict[str, set[int]] = field(default_factory=dict)  # "person" / "org" -> ids gone
    # "person" / "org" -> {merged away: survivor} (``jobs.undo.merged``)
    into: dict[str, dict[int, int]] = field(default_factory=dict)
    missing: set[tuple[str, int]] = field(default_factory=set)  # ("person" / "org", id): 404
    users: dict[int, bool] | None = None  # user id -> active (None: not read)
    stages: set[int] | None = None
    pipelines: set[int] | None = None
    fields: dict[str, Mapping[str, Any]] | None = None  # field code -> deal field
    calls: Counter[str] = field(default_factory=Counter)  # the reads made, by operation


async def _listed(ctx: CallContext, operation: str, calls: Counter[str]) -> list[Any]:
    """Every item of list ``operation`` (``ctx.pages``, 500 a page), its pages counted in
    ``calls``."""
    pages = await ctx.pages(operation, limit=PAGE)
    calls[operation] += len(pages)
    return [r for page in pages for r in page.data or ()]


async def _live(ctx: CallContext, kind: str, ids: Sequence[int], calls: Counter[str],
                deleted: dict[int, Mapping[str, Any]], missing: set[tuple[str, int]]
                ) -> set[int]:
    """Of person ("person") / organization ("org") ``ids``, those not deleted: by id
    (``GET /api/v2/persons/{id}``, 1 token each) below 10 of them, else 100 per list call
    (``?ids=``, 10 tokens) — whichever costs less; a deleted one is not listed, or is
    marked ``is_deleted``, and is then read by id (1 token) for the second it went in
    (``jobs.undo.merged``). A deleted record Pipedrive still answers goes in ``deleted``,
    a 404 in ``missing`` (it says neither deleted nor merged: FACTS.md leaves open which
    one Pipedrive answers). The calls are counted in ``calls``."""
    one, many = _BY_ID[kind]
    live: set[int] = set()
    if len(ids) >= 10:
        for start in range(0, len(ids), _PAGE):
            calls[many] += 1
            page = await ctx.call(many, params={"ids": list(ids[start:start + _PAGE]),
                                                "limit": _PAGE})
            live.update(int(r["id"]) for r in page.data or () if not r.get("is_deleted"))
    for rid in (rid for rid in ids if rid not in live) if len(ids) >= 10 else ids:
        calls[one] += 1
        try:
            res = await ctx.call(one, path={"id": rid})
        except NotFound:
            missing.add((kind, rid))
            continue
        if isinstance(res.data, Mapping) and not res.data.get("is_deleted"):
            live.add(rid)
        elif isinstance(res.data, Mapping):
            deleted[rid] = res.data
    return live


async def _read(ctx: CallContext, bodies: Sequence[Mapping[str, Any]],
                fields: Sequence[Mapping[str, Any]] | None) -> _Account:
    """Read what ``bodies`` (restore bodies) name, each read only when one names it: the
    deal fields (``GET /api/v2/dealFields``, 10 tokens a page; not again when ``fields``,
    the plan's own read, is given) for labels and custom fields; the persons /
    organizations by id (``_live``); the users (``GET /v1/users``, 20 tokens a page) for
    an owner or a user field; the stages / pipelines lists (5 tokens a page)."""
    out = _Account()
    if any(b.get("label_ids") is not None or b.get("custom_fields") for b in bodies):
        listed = fields if fields is not None else await _listed(ctx, "getDealFields",
                                                                 out.calls)
        out.fields = {str(f["field_code"]): f for f in listed if f.get("field_code")}
    ids: dict[str, set[int]] = {}
    users = False
    for body in bodies:
        named = [(name, body.get(name)) for name in _REF_KIND if name in body]
        for code, value in (body.get("custom_fields") or {}).items():
            ftype = str(((out.fields or {}).get(code) or {}).get("field_type"))
            named.append((ftype, value))
            users |= ftype == "user" and _int(value) is not None
        for name, value in named:
            if name in _REF_KIND and (rid := _int(value)) is not None:
                ids.setdefault(_REF_KIND[name], set()).add(rid)
        users |= _int(body.get("owner_id")) is not None
    for kind, wanted in ids.items():
        deleted: dict[int, Mapping[str, Any]] = {}
        if gone := wanted - await _live(ctx, kind, sorted(wanted), out.calls, deleted,
                                        out.missing):
            out.gone[kind] = gone
        if deleted:  # merged away, and where to? (``jobs.undo.merged``)
            trace = merged_persons if kind == "person" else merged_orgs
            out.into[kind] = await trace(ctx, deleted, out.calls)
    if users:
        out.users = {int(u["id"]): u.get("active_flag", True) is not False
                     for u in await _listed(ctx, "getUsers", out.calls)}
    for name, operation in (("stages", "getStages"), ("pipelines", "getPipelines")):
        if any(_int(b.get(name[:-1] + "_id")) is not None for b in bodies):
            setattr(out, name, {int(r["id"]) for r in await _listed(ctx, operation,
                                                                    out.calls)})
    return out


async def merged_away(ctx: CallContext, kind: str, ids: Iterable[int],
                      calls: Counter[str] | None = None,
                      carried: Mapping[int, Iterable[int]] | None = None,
                      untraced: set[int] | None = None,
                      members: Mapping[int, Iterable[int]] | None = None,
                      seconds: dict[int, str] | None = None) -> dict[int, int]:
    """Of person ("person") / organization ("org") ``ids``, those merged away since, each
    with its survivor (``jobs.undo.merged``): read as a restore's links are (``_live``:
    by id, 1 token each, below 10 of them, else 100 a list call, 10 tokens; the trace's
    reads, counted in ``calls`` when given). A live one, one deleted with no trace, or a
    404: not listed. ``carried``: record id -> the deals whose link moved off it (a person
    with a name alone is traced only through one of them: ``merged.merged_persons``; an
    organization deleted in the second another was, through them or ``members``, organization
    id -> the import's persons that were on it: ``merged.merged_orgs``).
    ``untraced``: gets the ids gone (deleted, merged away, a 404) with no survivor found.
    ``seconds``: gets, of those Pipedrive still answers deleted, the second each went in
    (its ``update_time``, RFC 3339), read with them (no call more).
    Raises the API's errors of the reads."""
    deleted: dict[int, Mapping[str, Any]] = {}
    calls = Counter() if calls is None else calls
    wanted = sorted(set(ids))
    live = await _live(ctx, kind, wanted, calls, deleted, set())
    into = {} if not deleted else await merged_persons(ctx, deleted, calls, carried) \
        if kind == "person" else await merged_orgs(ctx, deleted, calls, carried, members)
    if untraced is not None:
        untraced.update(set(wanted) - live - set(into))
    if seconds is not None:
        seconds.update((rid, when) for rid, record in deleted.items()
                       if isinstance(when := record.get("update_time"), str))
    return into


@dataclass(frozen=True)
class _Merged:
    """A person / organization (``word``) merged away since the job (``gone``) and the
    survivor Pipedrive moved its deals to (``into``): the link is put back to the survivor
    (f37c, x36r3 F6: a person; f38b: an organization — each said "deleted since" and left
    as the job wrote it). The deal's person / organization before the job lives on as the
    survivor — Pipedrive moved every deal still linked to it there at the merge, as it
    would have moved this one had the job not changed it — so linking the survivor is what
    putting the deal back means."""

    gone: int
    into: int
    word: str


@dataclass(frozen=True)
class _Missing:
    """A person / organization Pipedrive answers 404 for: deleted or merged away, its
    answer does not say which (FACTS.md), and no second to trace a merge by (f38b: said
    "deleted since" either way)."""

    rid: int


@dataclass(frozen=True)
class _Trim:
    """Of a value of several options (a multiple option custom field, the labels): those
    deleted since (``lost``) and those still there (``kept``, never empty): the value is
    put back without the lost ones, not left whole (f37c: a set of three options, one
    deleted since, was left as the job wrote it)."""

    lost: list[int]
    kept: list[int]


def _several(chosen: list[int], known: set[int]) -> list[int] | _Trim:
    """Of the options ``chosen``, those not ``known`` (gone), or a ``_Trim`` when some of
    them are still there."""
    lost = [i for i in chosen if i not in known]
    kept = [i for i in chosen if i in known]
    return _Trim(lost, kept) if lost and kept else lost


def _gone(body: Mapping[str, Any], now: _Account) -> list[tuple[str, str, Any]]:
    """The values of restore ``body`` that name a record gone (``now``), each as (its
    group, field, value); a custom field's field is its code. A value of several options
    some of which are still there says so (``_Trim``)."""
    out: list[tuple[str, str, Any]] = []
    for name in ("person_id", "org_id"):
        kind = _REF_KIND[name]
        if (rid := _int(body.get(name))) is not None and rid in now.gone.get(kind, ()):
            survivor = now.into.get(kind, {}).get(rid)
            out.append((field_group(name), name, _Missing(rid) if (kind, rid) in now.missing
                        else rid if survivor is None else _Merged(rid, survivor, REFS[name])))
    if (rid := _int(body.get("owner_id"))) is not None and now.users is not None \
            and not now.users.get(rid, False):
        out.append((field_group("owner_id"), "owner_id", rid))
    for name, listed in (("stage_id", now.stages), ("pipeline_id", now.pipelines)):
        if (rid := _int(body.get(name))) is not None and listed is not None \
                and rid not in listed:
            out.append((field_group(name), name, rid))
    fields = now.fields or {}
    labels = _option_ids(fields.get("label_ids"))
    if labels is not None and (unknown := _several(_ints(body.get("label_ids")), labels)):
        out.append((field_group("label_ids"), "label_ids", unknown))
    for code, value in (body.get("custom_fields") or {}).items():
        if now.fields is None:
            continue
        spec = fields.get(code)
        if value is None and spec is not None:
            continue  # (a field deleted refuses an empty value too: f46p, x46r5 F2)
        ftype = (spec or {}).get("field_type")
        options = _option_ids(spec) if ftype in _OPTIONS else None
        if spec is None:
            lost: Any = "field"
        elif options is not None:
            lost = _several(_ints(value), options) if isinstance(value, list) else [
                v for v in (_int(value),) if v is not None and v not in options]
        elif ftype in ("people", "org") and (rid := _int(value)) is not None:
            kind = _REF_KIND[str(ftype)]
            survivor = now.into.get(kind, {}).get(rid)
            if rid in now.gone.get(kind, ()) and survivor is not None \
                    and (kind, rid) not in now.missing:
                # merged away: the field is put back to its survivor, as a deal's own
                # person / organization is (f39b: it was left as the job wrote it)
                out.append((field_group(code, custom=True), code, _Merged(
                    rid, survivor, "person" if kind == "person" else "organization")))
                continue
            lost = [] if rid not in now.gone.get(kind, ()) else [
                _Missing(rid) if (kind, rid) in now.missing else rid]
        elif ftype == "user" and (rid := _int(value)) is not None and now.users is not None:
            lost = [] if rid in now.users else [rid]
        else:
            continue
        if lost:
            word = "option" if options is not None else {"people": "person", "org": (
                "organization")}.get(str(ftype), str(ftype))
            out.append((field_group(code, custom=True), code,
                        lost if lost == "field" else (word, lost)))
    return out


def _option_ids(spec: Mapping[str, Any] | None) -> set[int] | None:
    if spec is None:
        return None
    return {int(o["id"]) for o in spec.get("options") or () if _int(o.get("id")) is not None}


def _left(changes: Mapping[str, Any], gone: Sequence[tuple[str, str, Any]],
          labels: Mapping[str, str] | None) -> tuple[dict[str, Any], str]:
    """Restore ``changes`` without the groups of its ``gone`` values (``_gone``), and the
    words that say what was left: ``its organization 12 before the job was deleted since:
    no write takes it, so it is left as the deal has it now``. ``labels``: field key ->
    name, and what values are called under ``value_key`` (``stored_labels``' shape)."""
    trims = {f: trim for _, f, v in gone if (trim := _trimmed(v)) is not None}
    moved = {f: v for _, f, v in gone if isinstance(v, _Merged)}
    groups = {g for g, f, _ in gone if f not in trims and f not in moved}
    body = write_part(changes, [g for g in write_groups(changes) if g not in groups])
    for name, trim in trims.items():  # put back with the options still there
        if name == "label_ids":
            body[name] = trim.kept
        else:
            body["custom_fields"] = {**(body.get("custom_fields") or {}), name: trim.kept}
    for name, merge in moved.items():  # put back to the survivor
        if name in REFS:
            body[name] = merge.into
        else:  # a person / organization custom field's code
            body["custom_fields"] = {**(body.get("custom_fields") or {}), name: merge.into}
    left = [_what(f, v, labels or {}) for _, f, v in gone if f not in trims and f not in moved]
    words = [f"{'; '.join(left)}: no write takes it, so it is left as the deal has it now"
             + (" (a stage with its pipeline)" if "stage_id" in groups else "")] if left else []
    words += [f"{_what(f, v, labels or {})}: the rest of it is put back without it "
              f"({shown(f, trims[f].kept, labels or {})})" for _, f, v in gone if f in trims]
    words += [f"its {m.word} {m.gone} before the job was merged into {m.word} {m.into} "
              f"since: the link is put back to {m.word} {m.into}, where Pipedrive moved "
              f"the deals of {m.word} {m.gone}" if f in REFS else
              f"its {label(f, labels or {})} {m.word} {m.gone} before the job was merged into "
              f"{m.word} {m.into} since: the field is put back to {m.word} {m.into}, which "
              f"{m.word} {m.gone} lives on as" for f, m in moved.items()]
    return body, "; ".join(words)


def _trimmed(value: Any) -> _Trim | None:
    """The ``_Trim`` of a ``_gone`` value (a custom field's is its second part)."""
    if isinstance(value, tuple) and len(value) == 2:
        value = value[1]
    return value if isinstance(value, _Trim) else None


@dataclass(frozen=True)
class Refusal:
    """A restore refused at the run for a record gone since the plan (``after_refusal``):
    the body to send in its place (possibly empty: nothing else to put back), the row's
    note, the reads it took (operation -> calls) and when (``at``: the run's wall clock,
    seconds; after the item was marked SENDING, so a later attempt is told apart)."""

    changes: dict[str, Any]
    note: str
    calls: dict[str, int]
    at: float

    def unplanned(self) -> dict[str, int]:
        """The calls no plan priced: the reads, and the second PATCH when one is sent."""
        return {**self.calls, **({"updateDeal": 1} if self.changes else {})}


async def after_refusal(ctx: CallContext, changes: Mapping[str, Any], exc: BaseException,
                        labels: Mapping[str, str] | None) -> Refusal | None:
    """A restore's PATCH ``changes`` refused by a 400 (``exc``) at the run: what it names
    read again now (``_read``: persons / organizations by id, 1 token each; a list only
    when it names an owner, a stage, a label or a custom field), the values gone since
    the plan (deleted between the plan and the send: a prompt, a resume hours later) left
    out as the plan leaves them (``Refusal``: the narrowed body, possibly empty, the row's
    note, the reads). None: nothing it names is gone — the 400 is the row's failure, as
    before."""
    if not isinstance(exc, ValidationRejected) or exc.status != 400 \
            or not _names_a_record(changes):
        return None
    now = await _read(ctx, [changes], None)
    gone = _gone(changes, now)
    if not gone:
        return None
    body, left = _left(changes, gone, labels)
    return Refusal(body, (f"{left} (gone since this undo was planned; its first write was "
                          "refused)" + ("; the rest put back" if body
                                        else "; nothing else to put back")),
                   dict(now.calls), ctx.clock.wall())


async def remember(store: JobStore, item_id: int, refusal: Refusal) -> None:
    """Keep ``refusal`` of item ``item_id`` in the job's store (``REFUSED``), before its
    narrowed body is sent: a run killed after it is settled by it (``refusal_of``)."""
    await AsyncJobStore.of(store).meta_put(f"{REFUSED}{item_id}", {
        "changes": refusal.changes, "note": refusal.note, "calls": refusal.calls,
        "at": refusal.at})


def _parsed(value: Any) -> Refusal | None:
    if not isinstance(value, Mapping):
        return None
    return Refusal(dict(value.get("changes") or {}), str(value.get("note") or ""),
                   {str(k): int(v) for k, v in (value.get("calls") or {}).items()},
                   float(value.get("at") or 0.0))


async def refusals(store: JobStore) -> dict[int, Refusal]:
    """Every refusal ``remember`` kept, by item id."""
    return {int(key[len(REFUSED):]): found
            for key, value in (await AsyncJobStore.of(store).meta_prefixed(REFUSED)).items()
            if key[len(REFUSED):].isdigit() and (found := _parsed(value)) is not None}


def refusal_of(store: JobStore, item: Item) -> Refusal | None:
    """The refusal ``remember`` kept of ``item``, or None (blocks: the store)."""
    return _parsed(store.meta_get(f"{REFUSED}{item.id}"))


def refused_now(item: Item, refusal: Refusal | None) -> bool:
    """Whether ``refusal``'s 400 came in ``item``'s attempt in flight now (an item left
    SENDING: its ``sent_at``), not in an earlier one already settled."""
    return refusal is not None and item.sent_at is not None and refusal.at >= item.sent_at


def narrowed(item: Item, refusal: Refusal) -> Item:
    """``item`` with ``refusal``'s body in place of its restore's: its ``changes``, the
    fields it writes (``wrote``) and its ``note``."""
    payload = item.payload
    return replace(item, payload={
        **payload, "changes": refusal.changes,
        "wrote": write_part(payload.get("wrote") or {}, write_groups(refusal.changes)),
        "note": "; ".join(filter(None, (payload.get("note"), refusal.note)))})


def unplanned(results: Iterable[Mapping[str, Any] | None]) -> dict[str, Any] | None:
    """What the refusals cost that no plan priced (``UNPLANNED`` of each row's result):
    ``{"rows": 3, "calls": {operation: calls}, "tokens": 13}`` (``summary.json``'s
    ``refused_after_plan``); None when there were none."""
    calls: Counter[str] = Counter()
    rows = 0
    for result in results:
        made = (result or {}).get(UNPLANNED)
        if isinstance(made, Mapping) and made:
            rows += 1
            calls.update({str(op): int(n) for op, n in made.items()})
    if not rows:
        return None
    return {"rows": rows, "calls": dict(sorted(calls.items())),
            "tokens": sum(n * get_operation(op).token_cost for op, n in calls.items())}


def unplanned_line(found: Mapping[str, Any]) -> str:
    """The run's line of ``unplanned``'s figure: ``3 restore(s) refused for a record
    deleted since the plan (Pipedrive answered 400): what they name read again and the
    rest sent once more — 13 tokens the plan did not count (getOrganization 1, getPerson 2,
    updateDeal 10)``."""
    tokens = {op: n * get_operation(op).token_cost for op, n in found["calls"].items()}
    return (f"{found['rows']:,} restore(s) refused for a record deleted since the plan "
            "(Pipedrive answered 400): what they name read again and the rest sent once "
            f"more — {counted(found['tokens'], 'token')} the plan did not count ("
            + ", ".join(f"{op} {t:,}" for op, t in tokens.items()) + ")")


async def leave_dead_links(ctx: CallContext, prep: Prepared,
                           fields: Sequence[Mapping[str, Any]] | None = None,
                           labels: Mapping[str, str] | None = None) -> list[str]:
    """Narrow ``prep``'s pending restores (``jobs.undo.plan``) that would put back a value
    naming a record gone since (``_gone``): that value's group is left as the deal has it
    now, the rest sent, the row's payload ``note`` saying so (succeeded.csv); a restore
    left with nothing is skipped, action ``LEFT``. ``fields``: the deal fields the plan
    read already (None: read here if a restore needs them); ``labels``: the plan's field
    and value names (``_left``). Adjusts ``prep.actions`` (not
    ``prep.calls``: run before the restores are priced). Returns the plan's note (none
    when no restore names a gone record). Raises the API's errors of the reads."""
    restores = [(n, item) for n, item in enumerate(prep.items)
                if item.op == "restore" and item.state is ItemState.PENDING]
    bodies = [item.payload.get("changes") or {} for _, item in restores]
    if not any(_names_a_record(b) for b in bodies):
        return []
    now = await _read(ctx, bodies, fields)
    names = prep.meta.get(META_FIELD_LABELS)
    narrowed = skipped = followed = dead = untraced = 0
    unknown: set[tuple[str, int]] = set()  # (field, id) Pipedrive answers 404 for
    kinds: Counter[str] = Counter()
    for (n, item), changes in zip(restores, bodies, strict=True):
        gone = _gone(changes, now)
        if not gone:
            continue
        kinds.update(REFS.get(f, "label" if f == "label_ids" else "custom field value")
                     for _, f, v in gone if not isinstance(v, _Merged))
        followed += any(isinstance(v, _Merged) for _, _, v in gone)
        untraced += any(f in ("person_id", "org_id") and isinstance(v, int) for _, f, v in gone)
        unknown.update((f, m.rid) for _, f, v in gone if (m := _missing(v)) is not None)
        dead += not all(isinstance(v, _Merged) for _, _, v in gone)
        kept, left = _left(changes, gone, labels)
        note = "; ".join(filter(None, (item.payload.get("note"), left)))
        deal_id = item.payload["deal_id"]
        if not kept:
            skipped += 1
            prep.items[n] = NewItem(row=item.row, key=item.key, op=item.op,
                                    state=ItemState.SKIPPED, payload={
                                        **item.payload, "result": {
                                            "deal_id": deal_id, "action": LEFT,
                                            "note": "; ".join(filter(None, (
                                                note + "; nothing else to put back",
                                                partly_note(item.payload))))}})
            prep.actions[plan_action(item.payload)] -= 1
            prep.actions[LEFT] += 1
            prep.actions += Counter()  # (no "restore: 0" left in the plan's counts)
            continue
        narrowed += 1
        prep.items[n] = replace(item, payload={
            **item.payload, "changes": kept,
            "wrote": write_part(item.payload.get("wrote") or {}, write_groups(kept)),
            "fields": changed_names(kept, labels=names),
            "note": note + "; the rest put back"})
    notes = [f"{followed:,} deal(s) would get back a person or organization merged into "
             "another since the job: the link is put back to its survivor, where Pipedrive "
             "moved its deals (each said in its row's note)"] if followed else []
    if not kinds:
        return notes
    what = ", ".join(f"{k} ({n:,})" for k, n in kinds.most_common())
    said = (f"; {len(unknown):,} of those persons / organizations Pipedrive answers 404 for: "
            "deleted or merged away, it does not say which") if unknown else ""
    if untraced:
        said += ("; a person / organization found deleted with no trace of a merge may "
                 "also have been merged into a record merged again since (A into B, then B "
                 "into C): nothing left shows where, so no survivor is followed")
    return [f"{dead:,} deal(s) would get back a record deleted (a user: "
            f"deactivated) since the job — {what}{said}: Pipedrive refuses such a write "
            "whole, so that value is left as the deal has it now"
            + (f", the rest of {narrowed:,} put back" if narrowed else "")
            + (f"; {skipped:,} with nothing else to put back are left as they are"
               if skipped else "") + " (each said in its row's note)", *notes]


def _names_a_record(body: Mapping[str, Any]) -> bool:
    return any(_int(body.get(f)) is not None for f in REFS) \
        or bool(_ints(body.get("label_ids"))) or bool(body.get("custom_fields"))


def _what(name: str, value: Any, labels: Mapping[str, str]) -> str:
    """``its organization 12 before the job was deleted since``; a stage, pipeline, owner,
    label or option by the name the source job read, a custom field by its name
    (``labels``: ``_left``)."""
    if name == "label_ids":
        value = value.lost if isinstance(value, _Trim) else value
        one = value[0] if len(value) == 1 else value
        return (f"its label{'s' if len(value) > 1 else ''} {shown(name, one, labels)} before "
                f"the job {'were' if len(value) > 1 else 'was'} deleted since")
    if name not in REFS:  # a custom field's code: ("field") or (what it names, ids)
        called = label(name, labels)
        if value == "field":
            return f"its field {called} was deleted since the job"
        word, lost = value
        lost = lost.lost if isinstance(lost, _Trim) else lost
        if (unknown := _missing(value)) is not None:
            return f"its {called} {word} {unknown.rid} before the job {_GONE_404}"
        return (f"its {called} {word} {shown(name, lost if len(lost) > 1 else lost[0], labels)}"
                f" before the job was deleted since")
    if isinstance(value, _Missing):
        return f"its {REFS[name]} {value.rid} before the job {_GONE_404}"
    text = shown(name, value, labels)
    text = f"{REFS[name]} {value}" if text == repr(value) else (
        text if name in ("person_id", "org_id") else f"{REFS[name]} {text} ({value})")
    gone = "deactivated" if name == "owner_id" else "deleted"
    return f"its {text} before the job was {gone} since" + (
        f" {_UNTRACED}" if name in ("person_id", "org_id") else "")


# a person / organization deleted since with no trace of a merge (``jobs.undo.merged``): a
# merge into one merged again since (A into B, then B into C) leaves none — the second
# merge moves again everything the first moved, so nothing changed in A's second is left
# to name B, and B's id is in no answer (bulk.sandbox.merge; FACTS.md: a merge names no
# survivor) — so it is said, never guessed (f39b, f40b)
_UNTRACED = ("(or merged into a record merged again since: nothing changed in the second it "
             "went still shows where, so no survivor is followed)")


# a person / organization read by id answered 404: deleted or merged (f38b)
_GONE_404 = ("is gone since (Pipedrive answers 404 for it: deleted or merged into another, "
             "it does not say which)")


def _missing(value: Any) -> _Missing | None:
    """The ``_Missing`` of a ``_gone`` value (a custom field's is the one id it lost)."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], list) \
            and len(value[1]) == 1:
        value = value[1][0]
    return value if isinstance(value, _Missing) else None


__all__ = ["LEFT", "REFS", "REFUSED", "UNPLANNED", "Refusal", "after_refusal", "leave_dead_links",
           "merged_away", "narrowed", "refusal_of", "refusals", "refused_now", "remember", "unplanned",
           "unplanned_line"]
