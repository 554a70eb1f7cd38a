"""What an import's rows still to send name in the account — custom fields, their options,
stages, pipelines, owners — checked against the account as it is now before a resume or a
retry sends anything.

The load resolved every name once (``jobs.mapping.compiler.compile_mapping``) and stored
the ids in each row's deal; an admin may delete a field, an option, a stage or a pipeline,
or deactivate a user, before the job is resumed. Sent as stored, every such row then made
its person and organization and failed ``addDeal`` 400 (x43r4 F3: 46 orphan pairs, 648
tokens). So a resume runs the load's own check again — the mapping compiled against a
fresh catalog (the same ``load_catalog`` pulls) — and checks the ids the rows hold
against it; anything gone refuses the resume in one line (``InputError``, exit 1), before
any write, the job left as it was. The pulls are priced by ``check_calls`` (the resume's
plan). No other I/O; never writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bulk.calls import CallContext
from bulk.errors import InputError

from .account import load_catalog
from .catalog import Catalog
from .mapping import Mapping as ImportMapping

# the built-in deal fields whose values are ids of the catalog's records
_IDS = {"stage_id": "stage", "pipeline_id": "pipeline", "owner_id": "owner"}


@dataclass
class Named:
    """What the rows still to send name (each with how many rows): ``fields`` by code,
    ``options`` (code, option / user id), ``ids`` ("stage" / "pipeline" / "owner", id)."""

    fields: Counter[str] = field(default_factory=Counter)
    # (code, a whole number it holds): an option's or a user's id when the field is so
    options: Counter[tuple[str, int]] = field(default_factory=Counter)
    ids: Counter[tuple[str, int]] = field(default_factory=Counter)

    def add(self, body: Mapping[str, Any]) -> None:
        """Count what one row's deal (or changes) ``body`` names (its custom fields' ids are
        judged by the fields' types as the account has them now: ``gone``)."""
        for key, what in _IDS.items():
            if isinstance(value := body.get(key), int) and _is_id(value):
                self.ids[what, value] += 1
        custom = body.get("custom_fields")
        if not isinstance(custom, Mapping):
            return
        for code, value in custom.items():
            self.fields[code] += 1
            for one in value if isinstance(value, list) else [value]:
                if isinstance(one, int) and _is_id(one):
                    self.options[code, one] += 1

    def __bool__(self) -> bool:
        return bool(self.fields or self.ids)


def catalog_users(mapping: ImportMapping) -> bool | tuple[str, ...]:
    """``load_catalog``'s ``users`` for ``mapping``, as the load pulls them: for an owner
    column, else only when one of its custom fields is a user field (x13r3 F3)."""
    return mapping.spec.deal.owner is not None or tuple(mapping.spec.custom_fields)


def needs_users(named: Named, mapping: ImportMapping | None) -> bool | tuple[str, ...]:
    """``load_catalog``'s ``users`` for the check: a row names an owner, else as the load
    (``catalog_users``). A user field alone pulls them after the deal fields, a page the
    first plan does not price (``check_calls``; the plan after the re-read counts it)."""
    if any(what == "owner" for what, _ in named.ids):
        return True
    return False if mapping is None else catalog_users(mapping)


def check_calls(users: bool | tuple[str, ...]) -> dict[str, int]:
    """The calls ``check_now`` makes, by operation (a page of each list: 500 a page)."""
    calls = {"getPipelines": 1, "getStages": 1, "getDealFields": 1}
    if users is True:
        calls["getUsers"] = 1
    return calls


async def check_now(ctx: CallContext, named: Named, mapping: ImportMapping | None, *,
                    path: str, users: bool | tuple[str, ...], labels: Mapping[str, str],
                    values: Mapping[str, Mapping[str, str]],
                    catalog: Catalog | None = None) -> Catalog:
    """Pull the catalog (unless ``catalog``: already pulled by this run) and raise
    ``InputError`` — one line naming each thing gone and how many rows name it — when the
    mapping (the file at ``path``; None: not readable, its rows go as stored) no longer
    compiles against it or a row names something it no longer has. ``labels`` /
    ``values``: the names the load kept for field codes and ids (``META_FIELD_LABELS``,
    ``META_VALUE_LABELS``). Returns the catalog."""
    if catalog is None:
        catalog = await load_catalog(ctx, users=users)
    said: list[str] = []
    if mapping is not None:
        from .mapping.compiler import compile_mapping  # loaded when used (the CLI's start-up)

        try:
            compile_mapping(mapping, catalog)
        except InputError as exc:
            said.append(exc.reason)
    missing = gone(catalog, named, labels, values)
    moved = renamed(catalog, named, labels)
    if missing and not said and mapping is not None and put_back(catalog, named, values):
        raise PutBack(catalog, missing)
    said += missing
    if said:
        fix = "Fix the mapping (or put back what was deleted in Pipedrive)" if missing \
            else "Fix the mapping"
        raise InputError(
            "the account changed since this job was loaded: " + "; ".join(said + moved)
            + f". Nothing was sent. {fix} and resume: with a changed mapping the rows are "
            "mapped again")
    return catalog


class PutBack(InputError):
    """What the rows to send name is gone by id but there again by name (an option or a
    stage deleted and made again: a new id, the same label), and the mapping compiles:
    the rows are to be mapped again, as after an edited mapping (x44r4 F2: the resume
    refused "option 'Website' … no longer exists … put back what was deleted" after it was
    put back). ``catalog``: the one pulled; ``said``: what was gone."""

    def __init__(self, catalog: Catalog, said: list[str]) -> None:
        super().__init__("; ".join(said))
        self.catalog, self.said = catalog, said


def put_back(catalog: Catalog, named: Named,
             values: Mapping[str, Mapping[str, str]]) -> bool:
    """Whether each option, stage and pipeline ``named`` names that ``catalog`` no longer
    has by id has its load-time name (``values``) there again — an option of the same
    field, a stage or pipeline of that name — and no field is gone, no owner inactive
    (pure)."""
    fields = {f.code: f for f in catalog.deal_fields}
    if any(code not in fields for code in named.fields):
        return False
    active = {u.id for u in catalog.users if u.active}
    for code, rid in named.options:
        now = fields[code]
        if now.type == "user" and catalog.users and rid not in active:
            return False
        if now.type not in ("enum", "set") or rid in {o.id for o in now.options}:
            continue
        label = values.get(code, {}).get(str(rid))
        if not label or label not in {o.label for o in now.options}:
            return False
    have = {"stage": {s.id: s.name for s in catalog.stages},
            "pipeline": {p.id: p.name for p in catalog.pipelines}}
    for what, rid in named.ids:
        if what == "owner" and rid not in active:
            return False
        if what not in have or rid in have[what]:
            continue
        label = values.get(f"{what}_id", {}).get(str(rid))
        if not label or label not in set(have[what].values()):
            return False
    return True


def renamed(catalog: Catalog, named: Named, labels: Mapping[str, str]) -> list[str]:
    """The custom fields ``named`` names that are still there under another name than the
    load knew them by (``labels``: code -> the load's name), one phrase each (pure): a
    mapping naming the old one no longer compiles, and nothing was deleted (x44r4 F6: the
    refusal said "or put back what was deleted" for a renamed field)."""
    fields = {f.code: f for f in catalog.deal_fields}
    out: list[str] = []
    for code, rows in sorted(named.fields.items()):
        was, now = labels.get(code), fields.get(code)
        if was and now is not None and now.name != was:
            out.append(f"deal field {was!r} was renamed {now.name!r} in Pipedrive "
                       f"({_rows(rows)} set it): name it so in the mapping")
    return out


def gone(catalog: Catalog, named: Named, labels: Mapping[str, str],
         values: Mapping[str, Mapping[str, str]]) -> list[str]:
    """What ``named`` names that ``catalog`` no longer has, one phrase each (pure)."""
    fields = {f.code: f for f in catalog.deal_fields}
    out: list[str] = []
    for code, rows in sorted(named.fields.items()):
        if code not in fields:
            out.append(f"deal field {_name(labels.get(code), code)} no longer exists "
                       f"({_rows(rows)} set it)")
    active = {u.id for u in catalog.users if u.active}
    for (code, rid), rows in sorted(named.options.items()):
        now = fields.get(code)
        shown = _name(values.get(code, {}).get(str(rid)), rid)
        if now is not None and now.type in ("enum", "set") and \
                rid not in {o.id for o in now.options}:
            out.append(f"option {shown} of {_name(labels.get(code), code)} no longer "
                       f"exists ({_rows(rows)})")
        elif now is not None and now.type == "user" and catalog.users and rid not in active:
            out.append(f"user {shown} of {_name(labels.get(code), code)} is deactivated "
                       f"or gone ({_rows(rows)})")
    have = {"stage": {s.id for s in catalog.stages},
            "pipeline": {p.id for p in catalog.pipelines}}
    for (what, rid), rows in sorted(named.ids.items()):
        key = {"stage": "stage_id", "pipeline": "pipeline_id"}.get(what, "owner_id")
        shown = _name(values.get(key, {}).get(str(rid)), rid)
        if what in have and rid not in have[what]:
            out.append(f"{what} {shown} no longer exists ({_rows(rows)})")
        elif what == "owner" and rid not in active:
            out.append(f"user {shown} is deactivated or gone ({_rows(rows)} name them)")
    return out


def named_in(bodies: Iterable[Mapping[str, Any]]) -> Named:
    """``Named`` of ``bodies`` (each row's deal or changes)."""
    named = Named()
    for body in bodies:
        named.add(body)
    return named


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _name(name: str | None, ref: object) -> str:
    return repr(name) if name else str(ref)


def _rows(n: int) -> str:
    return f"{n:,} row{'s' if n != 1 else ''} to send"


__all__ = ["Named", "PutBack", "catalog_users", "check_calls", "check_now", "gone", "named_in",
           "needs_users", "put_back", "renamed"]
