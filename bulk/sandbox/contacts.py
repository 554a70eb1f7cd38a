"""Persons and organizations (v2): strict bodies, create / update, lists.

The sandbox defines no person or organization custom fields, so their
``custom_fields`` object must be empty. ``name`` is required on create (the
official spec marks ``title`` as required for organizations: a spec error).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from .blanks import blank_org, blank_person
from .errors import bad_request, invalid
from .paging import PageQuery, keyset_page
from .state import Account, Record
from .values import (
    format_time,
    id_list,
    query_int,
    query_list,
    query_time,
    reject_unknown,
    want_bool,
    want_datetime,
    want_int,
    want_int_list,
    want_object,
    want_str,
)

PERSON_KEYS = frozenset({"name", "owner_id", "org_id", "emails", "phones", "label_ids",
                         "visible_to", "marketing_status", "add_time", "update_time",
                         "custom_fields"})
ORG_KEYS = frozenset({"name", "owner_id", "address", "label_ids", "visible_to", "add_time",
                      "update_time", "custom_fields"})
MARKETING = ("no_consent", "unsubscribed", "subscribed", "archived")
ADDRESS_PARTS = frozenset({"value", "subpremise", "street_number", "route", "sublocality",
                           "locality", "admin_area_level_1", "admin_area_level_2", "country",
                           "postal_code"})


def _contact_list(value: object, key: str) -> list[Record]:
    """emails / phones: [{value, primary, label}]; exactly one primary after this."""
    if not isinstance(value, list):
        raise invalid(key, "must be array")
    out: list[Record] = []
    for i, item in enumerate(value):
        where = f"{key}[{i}]"
        obj = want_object(item, where)
        reject_unknown(obj, frozenset({"value", "primary", "label"}), f"{where}.")
        if "value" not in obj:
            raise invalid(f"{where}.value", "is required")
        out.append({"value": want_str(obj["value"], f"{where}.value"),
                    "primary": want_bool(obj.get("primary", False), f"{where}.primary"),
                    "label": want_str(obj.get("label", "work"), f"{where}.label")})
    if out and not any(e["primary"] for e in out):
        out[0]["primary"] = True
    return out


def _check(acct: Account, key: str, value: object) -> Any:
    if key == "name":
        return want_str(value, key, nonempty=True)
    if key == "owner_id":
        rid = want_int(value, key)
        if not acct.exists("user", rid):
            raise bad_request(f"owner_id: user {rid} not found")
        return rid
    if key == "org_id":
        if value is None:
            return None
        rid = want_int(value, key)
        if not acct.exists("organization", rid):
            raise bad_request(f"org_id: organization {rid} not found")
        return rid
    if key in ("emails", "phones"):
        return _contact_list(value, key)
    if key == "label_ids":
        return want_int_list(value, key)
    if key == "visible_to":
        level = want_int(value, key)
        if level not in (1, 3, 5, 7):
            raise invalid(key, "must be one of 1, 3, 5, 7")
        return level
    if key == "marketing_status":
        status = want_str(value, key)
        if status not in MARKETING:
            raise invalid(key, f"must be one of {', '.join(MARKETING)}")
        return status
    if key in ("add_time", "update_time"):
        return want_datetime(value, key)
    if key == "address":
        if value is None:
            return None
        obj = want_object(value, key)
        reject_unknown(obj, ADDRESS_PARTS, "address.")
        return {k: want_str(v, f"address.{k}") for k, v in obj.items() if v is not None}
    if key == "custom_fields":
        for code in want_object(value, key):
            raise invalid(f"custom_fields.{code}", "is not a custom field of this company")
        return {}
    raise invalid(key, "is not an allowed property")


def parse_body(acct: Account, body: object, allowed: frozenset[str]) -> Record:
    if not isinstance(body, dict):
        raise invalid("body", "must be object")
    reject_unknown(body, allowed)
    return {key: _check(acct, key, value) for key, value in body.items()}


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first, last.strip()


def _write(acct: Account, kind: str, record: Record, changes: Record) -> Record:
    record.update(changes)
    if "name" in changes and kind == "person":
        record["first_name"], record["last_name"] = _split_name(changes["name"])
    if "update_time" not in changes:
        record["update_time"] = acct.now_iso()
    return acct.save(kind, record)


def create_person(acct: Account, body: object) -> Record:
    changes = parse_body(acct, body, PERSON_KEYS)
    if "name" not in changes:
        raise invalid("name", "is required")
    return _write(acct, "person", blank_person(acct, acct.persons.take_id()), changes)


def update_person(acct: Account, rid: int, body: object) -> Record:
    current = acct.live("person", rid)
    return _write(acct, "person", dict(current), parse_body(acct, body, PERSON_KEYS))


def create_org(acct: Account, body: object) -> Record:
    changes = parse_body(acct, body, ORG_KEYS)
    if "name" not in changes:
        raise invalid("name", "is required")
    return _write(acct, "organization", blank_org(acct, acct.orgs.take_id()), changes)


def update_org(acct: Account, rid: int, body: object) -> Record:
    current = acct.live("organization", rid)
    return _write(acct, "organization", dict(current), parse_body(acct, body, ORG_KEYS))


def _filter(acct: Account, query: Mapping[str, str], kind: str) -> Callable[[Record], bool]:
    owner = query_int(query, "owner_id")
    org = query_int(query, "org_id") if kind == "person" else None
    deal_id = query_int(query, "deal_id") if kind == "person" else None
    linked = None
    if deal_id is not None:
        deal = acct.deals.get(deal_id)
        linked = deal["person_id"] if deal else None
    since_t, until_t = query_time(query, "updated_since"), query_time(query, "updated_until")
    since = None if since_t is None else format_time(math.ceil(since_t))
    until = None if until_t is None else format_time(math.ceil(until_t))

    def keep(row: Record) -> bool:
        if row["is_deleted"]:
            return False
        if owner is not None and row["owner_id"] != owner:
            return False
        if org is not None and row["org_id"] != org:
            return False
        if deal_id is not None and row["id"] != linked:
            return False
        if since is not None and row["update_time"] < since:
            return False
        return not (until is not None and row["update_time"] >= until)
    return keep


def list_contacts(acct: Account, kind: str,
                  query: Mapping[str, str]) -> tuple[list[Record], str | None]:
    """``GET /persons`` and ``GET /organizations``: live records, keyset pages."""
    for unsupported in ("filter_id", "include_fields", "custom_fields"):
        if query.get(unsupported):
            raise bad_request(f"{unsupported} is not supported by the sandbox for {kind}s")
    page = PageQuery.parse(query)
    table = acct.table(kind)
    ids = table.ids
    raw_ids = query_list(query, "ids")
    if raw_ids:
        if len(raw_ids) > 100:
            raise invalid("ids", "at most 100 ids are allowed")
        ids = sorted(i for i in id_list(raw_ids) if i in table.rows)
    order = None if raw_ids or page.sort_by == "id" else table.sorted_keys(page.sort_by)
    return keyset_page(table.rows, ids, _filter(acct, query, kind), page, order)


__all__ = ["ORG_KEYS", "PERSON_KEYS", "blank_org", "blank_person", "create_org",
           "create_person", "list_contacts", "update_org", "update_person"]
