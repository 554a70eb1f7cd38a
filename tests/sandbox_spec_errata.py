"""Where the official Pipedrive specs are wrong, and how the spec test corrects them.

Each erratum adds ``nullable: true`` to properties of the named operations'
200 responses (one widens ``integer`` to ``number`` instead). The sandbox
sends ``null`` there because Pipedrive does (a deal without a person has no
``person_id``, an open deal has no ``won_time``, the last page has no
``next_cursor``), and the spec itself says
so in descriptions or in sibling schemas. Nothing else is relaxed: a wrong
type, a missing required key or a bad enum value still fails the test.

Also wrong, but outside what the test validates (request bodies):
``addOrganization`` requires ``title``; an organization has a ``name``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

DEAL_OPS = ("getDeals", "getDeal", "addDeal", "updateDeal", "getArchivedDeals")
LIST_OPS = ("getDeals", "getArchivedDeals", "searchDeals", "getPipelines", "getStages",
            "getPersons", "searchPersons", "getOrganizations", "searchOrganization")
PERSON_OPS = ("getPersons", "getPerson", "addPerson", "updatePerson")
ORG_OPS = ("getOrganizations", "getOrganization", "addOrganization", "updateOrganization")


@dataclass(frozen=True)
class Erratum:
    version: str  # "v1" | "v2"
    operations: tuple[str, ...]
    properties: tuple[str, ...]
    reason: str
    type: str | None = None  # replaces the declared type when set


ERRATA: tuple[Erratum, ...] = (
    Erratum("v2", LIST_OPS, ("next_cursor",),
            "the description says next_cursor is null on the last page; getDealFields "
            "declares it nullable, the other lists forgot"),
    Erratum("v2", DEAL_OPS, ("won_time", "lost_time", "stage_change_time",
                             "expected_close_date", "person_id", "org_id"),
            "won_time only exists on won deals, lost_time on lost ones (close_time, their "
            "sibling, is nullable); a deal need not have a person, an organization, an "
            "expected close date or a stage change yet"),
    Erratum("v2", ("searchDeals",), ("value",),
            "a deal value is a number everywhere else in the spec (e.g. 10.5), not an integer",
            type="number"),
    Erratum("v2", PERSON_OPS, ("org_id",), "a person need not belong to an organization"),
    Erratum("v2", ("searchPersons",), ("organization",),
            "a person need not belong to an organization; searchDeals declares the same "
            "object nullable"),
    Erratum("v2", ORG_OPS, ("address",), "an organization need not have an address"),
    Erratum("v2", ("searchOrganization",), ("address",),
            "an organization need not have an address"),
    Erratum("v1", ("mergeDeals",),
            ("won_time", "lost_time", "first_won_time", "expected_close_date", "label",
             "next_activity_date", "next_activity_time", "last_incoming_mail_time",
             "last_outgoing_mail_time", "person_id", "org_id", "person_name", "org_name"),
            "v1 sends null for a deal's absent dates, label, activity and mail times, "
            "person and organization; sibling fields (close_time, last_activity_date, "
            "rotten_time) are declared nullable"),
)


def _operations(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {op["operationId"]: op for item in spec["paths"].values()
            for op in item.values() if isinstance(op, dict) and "operationId" in op}


def _relax(schema: Any, erratum: Erratum, hits: set[str]) -> None:
    """Apply ``erratum`` to every property it names, at any depth."""
    if isinstance(schema, dict):
        for name, sub in (schema.get("properties") or {}).items():
            if name in erratum.properties and isinstance(sub, dict):
                if erratum.type is None:
                    sub["nullable"] = True
                else:
                    sub["type"] = erratum.type
                hits.add(name)
        for value in schema.values():
            _relax(value, erratum, hits)
    elif isinstance(schema, list):
        for value in schema:
            _relax(value, erratum, hits)


def corrected(spec: dict[str, Any], version: str) -> tuple[dict[str, Any], list[str]]:
    """A copy of ``spec`` with the errata applied, and the errata that matched nothing."""
    spec = copy.deepcopy(spec)
    ops = _operations(spec)
    stale = []
    for erratum in (e for e in ERRATA if e.version == version):
        for op_id in erratum.operations:
            hits: set[str] = set()
            _relax(ops[op_id]["responses"]["200"], erratum, hits)
            for name in set(erratum.properties) - hits:
                stale.append(f"{op_id}.{name}")
    return spec, stale
