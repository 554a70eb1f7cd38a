"""One function per Pipedrive operation: request parts in, (status, envelope) out.

Handlers run after authentication, faults and rate limits (``app``); they
only read and change the account, and raise ``ApiFailure`` for error answers.
The table ``HANDLERS`` is keyed by operationId, the same ids as
``bulk.operations.OPERATIONS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import contacts, deals, finders, merge, v1
from .errors import bad_request, invalid, not_found
from .fields import (
    CREATABLE_TYPES,
    FIELD_EXTRAS,
    OPTION_TYPES,
    custom_field,
    render_field,
)
from .paging import PageQuery, keyset_page, offset_page
from .state import Account, Record
from .values import query_int, query_list, reject_unknown, want_object, want_str

Reply = tuple[int, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Call:
    """The parts of one request a handler may look at."""

    query: Mapping[str, str]
    params: Mapping[str, str]  # path parameters
    body: object  # parsed JSON (None when there is no body)
    search_lag: float = 0.0

    def id(self, name: str = "id") -> int:
        raw = self.params[name]
        if not raw.isdigit():
            raise invalid(name, "must be integer")
        return int(raw)


Handler = Callable[[Account, Call], Reply]


def ok(data: Any) -> Reply:
    return 200, {"success": True, "data": data}


def listed(items: list[Any], cursor: str | None) -> Reply:
    return 200, {"success": True, "data": items, "additional_data": {"next_cursor": cursor}}


def found(found_items: tuple[list[Record], str | None]) -> Reply:
    items, cursor = found_items
    return 200, {"success": True, "data": {"items": items},
                 "additional_data": {"next_cursor": cursor}}


# -- deals -------------------------------------------------------------------

def get_deals(acct: Account, call: Call) -> Reply:
    return listed(*deals.list_deals(acct, call.query))


def get_archived_deals(acct: Account, call: Call) -> Reply:
    return listed(*deals.list_deals(acct, call.query, archived=True))


def get_deal(acct: Account, call: Call) -> Reply:
    return ok(deals.get(acct, call.id()))


def add_deal(acct: Account, call: Call) -> Reply:
    return ok(deals.render(acct, deals.create(acct, call.body)))


def update_deal(acct: Account, call: Call) -> Reply:
    return ok(deals.render(acct, deals.update(acct, call.id(), call.body)))


def delete_deal(acct: Account, call: Call) -> Reply:
    return ok({"id": deals.delete(acct, call.id())})


def search_deals(acct: Account, call: Call) -> Reply:
    return found(finders.search_deals(acct, call.query, call.search_lag))


# -- deal fields -------------------------------------------------------------

def _extras_wanted(query: Mapping[str, str]) -> list[str]:
    wanted = query_list(query, "include_fields")
    bad = [w for w in wanted if w not in FIELD_EXTRAS]
    if bad:
        raise invalid("include_fields", f"must be among {', '.join(FIELD_EXTRAS)}")
    return wanted


def get_deal_fields(acct: Account, call: Call) -> Reply:
    wanted = _extras_wanted(call.query)
    rows = [render_field(f, wanted) for f in acct.fields.values()]
    return listed(*offset_page(rows, call.query))


def _field(acct: Account, code: str) -> Record:
    field = acct.fields.get(code)
    if field is None:
        raise not_found("Field")
    return field


def get_deal_field(acct: Account, call: Call) -> Reply:
    return ok(render_field(_field(acct, call.params["field_code"]),
                           _extras_wanted(call.query)))


def _labels(value: object, key: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise invalid(key, "must be a non-empty array of {label}")
    labels = []
    for i, item in enumerate(value):
        obj = want_object(item, f"{key}[{i}]")
        reject_unknown(obj, frozenset({"label"}), f"{key}[{i}].")
        labels.append(want_str(obj.get("label"), f"{key}[{i}].label", nonempty=True))
    if len({label.lower() for label in labels}) != len(labels):
        raise bad_request(f"{key}: option labels must be unique")
    return labels


def add_deal_field(acct: Account, call: Call) -> Reply:
    body = want_object(call.body, "body")
    reject_unknown(body, frozenset({"field_name", "field_type", "options", "description",
                                    *FIELD_EXTRAS}))
    name = want_str(body.get("field_name"), "field_name", nonempty=True)
    ftype = want_str(body.get("field_type"), "field_type")
    if ftype not in CREATABLE_TYPES:
        raise invalid("field_type", f"must be one of {', '.join(CREATABLE_TYPES)}")
    options: list[Record] | None = None
    if ftype in OPTION_TYPES:
        labels = _labels(body.get("options"), "options")
        options = [{"id": oid, "label": label}
                   for oid, label in zip(acct.take_option_ids(len(labels)), labels, strict=True)]
    elif "options" in body:
        raise bad_request("options: only enum and set fields have options")
    description = body.get("description")
    extras = {k: dict(want_object(body[k], k)) for k in FIELD_EXTRAS if k in body}
    code = acct.new_code()
    acct.fields[code] = custom_field(
        code, name, ftype, options,
        "" if description is None else want_str(description, "description"), extras)
    return ok(render_field(acct.fields[code], list(FIELD_EXTRAS)))


def update_deal_field(acct: Account, call: Call) -> Reply:
    """Renames or redescribes a custom field (openapi-v2 updateDealField): ``field_name``,
    ``description`` and the extra objects (merged); ``field_code`` and ``field_type``
    never change, so the values deals hold in it stay. 400 for a standard field, an
    empty body or an unknown key; 404 for an unknown code."""
    field = _field(acct, call.params["field_code"])
    body = want_object(call.body, "body")
    reject_unknown(body, frozenset({"field_name", "description", *FIELD_EXTRAS}))
    if not body:
        raise bad_request("At least one field must be provided in the request body")
    if not field["is_custom_field"]:
        raise bad_request("Only custom fields can be updated")
    if "field_name" in body:
        name = want_str(body["field_name"], "field_name", nonempty=True)
        if len(name) > 255:
            raise invalid("field_name", "must be at most 255 characters")
        field["field_name"] = name
    if "description" in body:
        description = body["description"]
        field["description"] = "" if description is None else want_str(description,
                                                                        "description")
    for key in FIELD_EXTRAS:
        if key in body:
            field[key] = {**field[key], **want_object(body[key], key)}
    return ok(render_field(field, list(FIELD_EXTRAS)))


def delete_deal_field(acct: Account, call: Call) -> Reply:
    """Marks a custom field as deleted (openapi-v2 deleteDealField): gone from the field
    list; the values deals held in it are no longer shown (dropped here)."""
    field = _field(acct, call.params["field_code"])
    if not field["is_custom_field"]:
        raise bad_request("Only custom fields can be deleted")
    code = field["field_code"]
    del acct.fields[code]
    for deal in acct.deals.rows.values():
        (deal.get("custom_fields") or {}).pop(code, None)
    return ok(render_field(field, []))


def add_deal_field_options(acct: Account, call: Call) -> Reply:
    field = _field(acct, call.params["field_code"])
    if not field["is_custom_field"] or field["field_type"] not in OPTION_TYPES:
        raise bad_request("Only enum and set custom fields have options")
    labels = _labels(call.body, "body")
    existing = {o["label"].lower() for o in field["options"] or []}
    clash = [label for label in labels if label.lower() in existing]
    if clash:
        raise bad_request(f"Option {clash[0]!r} already exists")
    added = [{"id": oid, "label": label}
             for oid, label in zip(acct.take_option_ids(len(labels)), labels, strict=True)]
    acct.fields[field["field_code"]] = {**field, "options": [*field["options"], *added]}
    return 200, {"success": True, "data": added, "additional_data": None}


# -- pipelines and stages ------------------------------------------------------

def get_pipelines(acct: Account, call: Call) -> Reply:
    page = PageQuery.parse(call.query)
    return listed(*keyset_page(acct.pipelines, sorted(acct.pipelines), lambda p: True, page))


def get_pipeline(acct: Account, call: Call) -> Reply:
    pipeline = acct.pipelines.get(call.id())
    if pipeline is None:
        raise not_found("Pipeline")
    return ok(pipeline)


def get_stages(acct: Account, call: Call) -> Reply:
    page = PageQuery.parse(call.query, ("id", "update_time", "add_time", "order_nr"))
    pipeline = query_int(call.query, "pipeline_id")
    return listed(*keyset_page(
        acct.stages, sorted(acct.stages),
        lambda s: pipeline is None or s["pipeline_id"] == pipeline, page))


def get_stage(acct: Account, call: Call) -> Reply:
    stage = acct.stages.get(call.id())
    if stage is None:
        raise not_found("Stage")
    return ok(stage)


# -- persons and organizations -----------------------------------------------

def get_persons(acct: Account, call: Call) -> Reply:
    return listed(*contacts.list_contacts(acct, "person", call.query))


def get_person(acct: Account, call: Call) -> Reply:
    return ok(acct.lookup("person", call.id()))


def add_person(acct: Account, call: Call) -> Reply:
    return ok(contacts.create_person(acct, call.body))


def update_person(acct: Account, call: Call) -> Reply:
    return ok(contacts.update_person(acct, call.id(), call.body))


def search_persons(acct: Account, call: Call) -> Reply:
    return found(finders.search_persons(acct, call.query, call.search_lag))


def get_organizations(acct: Account, call: Call) -> Reply:
    return listed(*contacts.list_contacts(acct, "organization", call.query))


def _deleter(kind: str) -> Handler:
    """DELETE /api/v2/persons/{id}, /organizations/{id}: marks the record deleted (purged after
    30 days, openapi-v2.yaml); its deals keep their link, as in Pipedrive."""
    def delete(acct: Account, call: Call) -> Reply:
        current = acct.live(kind, call.id())
        acct.save(kind, {**current, "is_deleted": True, "update_time": acct.now_iso()})
        return ok({"id": call.id()})
    return delete


def get_organization(acct: Account, call: Call) -> Reply:
    return ok(acct.lookup("organization", call.id()))


def add_organization(acct: Account, call: Call) -> Reply:
    return ok(contacts.create_org(acct, call.body))


def update_organization(acct: Account, call: Call) -> Reply:
    return ok(contacts.update_org(acct, call.id(), call.body))


def search_organizations(acct: Account, call: Call) -> Reply:
    return found(finders.search_orgs(acct, call.query, call.search_lag))


# -- v1 ------------------------------------------------------------------------

def _merger(kind: str) -> Handler:
    def handler(acct: Account, call: Call) -> Reply:
        return ok(merge.merge(acct, kind, call.id(), call.body))
    return handler


def get_current_user(acct: Account, call: Call) -> Reply:
    return ok(v1.me(acct))


def get_users(acct: Account, call: Call) -> Reply:
    """v1 ``GET /users``, paged by ``start`` / ``limit`` (default 100, at most 500) as v1
    lists are: ``additional_data.pagination`` with ``next_start`` while more remain."""
    users = [v1.user(acct, u) for u in acct.users.values()]
    try:
        start = max(0, int(call.query.get("start") or 0))
        limit = min(500, max(1, int(call.query.get("limit") or 100)))
    except ValueError:
        return 400, {"success": False, "error": "start and limit must be whole numbers"}
    page = users[start:start + limit]
    more = start + limit < len(users)
    pagination: dict[str, Any] = {"start": start, "limit": limit,
                                  "more_items_in_collection": more}
    if more:
        pagination["next_start"] = start + limit
    return 200, {"success": True, "data": page, "additional_data": {"pagination": pagination}}


HANDLERS: dict[str, Handler] = {
    "getDeals": get_deals, "getDeal": get_deal, "addDeal": add_deal,
    "updateDeal": update_deal, "deleteDeal": delete_deal, "searchDeals": search_deals,
    "getArchivedDeals": get_archived_deals, "getDealFields": get_deal_fields,
    "getDealField": get_deal_field, "addDealField": add_deal_field,
    "updateDealField": update_deal_field, "deleteDealField": delete_deal_field,
    "addDealFieldOptions": add_deal_field_options, "getPipelines": get_pipelines,
    "getPipeline": get_pipeline, "getStages": get_stages, "getStage": get_stage,
    "getPersons": get_persons, "getPerson": get_person, "addPerson": add_person,
    "updatePerson": update_person, "searchPersons": search_persons,
    "deletePerson": _deleter("person"), "deleteOrganization": _deleter("organization"),
    "getOrganizations": get_organizations, "getOrganization": get_organization,
    "addOrganization": add_organization, "updateOrganization": update_organization,
    "searchOrganization": search_organizations, "mergeDeals": _merger("deal"),
    "mergePersons": _merger("person"), "mergeOrganizations": _merger("organization"),
    "getCurrentUser": get_current_user, "getUsers": get_users,
}

__all__ = ["HANDLERS", "Call", "Handler", "Reply"]
