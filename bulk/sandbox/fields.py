"""Deal fields: the standard catalogue, custom fields, their options and value rules.

Custom field keys are random 40-hex-char codes; values go inside
``custom_fields`` in the v2 formats of FACTS.md ("Custom fields"), and each
is checked against its field's type. ``null`` clears; an empty set is refused.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Mapping
from typing import Any

from .errors import invalid
from .values import (
    reject_unknown,
    want_clock_time,
    want_date,
    want_int,
    want_number,
    want_object,
    want_str,
)

Record = dict[str, Any]

CREATABLE_TYPES = ("varchar", "text", "double", "phone", "date", "daterange", "time",
                   "timerange", "set", "enum", "varchar_auto", "address", "monetary", "org",
                   "people", "user")
OPTION_TYPES = ("enum", "set")
# Types whose values search looks into (FACTS.md, "Custom fields").
SEARCHABLE_TYPES = frozenset({"address", "varchar", "text", "varchar_auto", "double",
                              "monetary", "phone"})
FIELD_EXTRAS = ("ui_visibility", "important_fields", "required_fields")
_ADDRESS_PARTS = frozenset({"value", "subpremise", "street_number", "route", "sublocality",
                            "locality", "admin_area_level_1", "admin_area_level_2", "country",
                            "postal_code", "formatted_address"})

# The standard deal fields: (field_code, field_name, field_type, description).
STANDARD_DEAL_FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("id", "ID", "int", "The ID of the deal"),
    ("title", "Title", "varchar", "The title of the deal"),
    ("creator_user_id", "Creator", "user", "The user who created the deal"),
    ("owner_id", "Owner", "user", "The user who owns the deal"),
    ("value", "Value", "monetary", "The monetary value of the deal"),
    ("person_id", "Contact person", "people", "The person linked to the deal"),
    ("org_id", "Organization", "org", "The organization linked to the deal"),
    ("pipeline_id", "Pipeline", "int", "The pipeline of the deal"),
    ("stage_id", "Stage", "stage", "The stage of the deal"),
    ("status", "Status", "status", "open, won or lost"),
    ("probability", "Probability", "double", "The success probability percentage"),
    ("lost_reason", "Lost reason", "varchar_options", "The reason for losing the deal"),
    ("visible_to", "Visible to", "visible_to", "The visibility of the deal"),
    ("expected_close_date", "Expected close date", "date", "When the deal should close"),
    ("label_ids", "Label", "set", "The labels of the deal"),
    ("add_time", "Deal created", "date", "The creation time of the deal"),
    ("update_time", "Update time", "date", "The last update time of the deal"),
    ("stage_change_time", "Last stage change", "date", "When the stage last changed"),
    ("close_time", "Deal closed on", "date", "When the deal was won or lost"),
    ("won_time", "Won time", "date", "When the deal was won"),
    ("lost_time", "Lost time", "date", "When the deal was lost"),
)


def _extras() -> Record:
    return {
        "ui_visibility": {"add_visible_flag": True, "details_visible_flag": True,
                          "projects_detail_visible_flag": False,
                          "show_in_pipelines": {"pipeline_ids": [], "show_in_all": True}},
        "important_fields": {"enabled": False, "stage_ids": []},
        "required_fields": {"enabled": False, "stage_ids": [], "statuses": {}},
    }


def standard_fields() -> list[Record]:
    out = []
    for code, name, ftype, description in STANDARD_DEAL_FIELDS:
        field: Record = {
            "field_code": code, "field_name": name, "field_type": ftype,
            "description": description, "is_custom_field": False,
            "is_optional_response_field": False, "options": None, "subfields": None,
        }
        if code == "value":
            field["subfields"] = [
                {"field_code": "value", "field_name": "Amount of Value", "field_type": "double"},
                {"field_code": "currency", "field_name": "Currency of Value",
                 "field_type": "varchar"}]
        field.update(_extras())
        out.append(field)
    return out


def seed_company(seed: int) -> int:
    """The company id a sandbox plays when none is given: the seed's."""
    return 7_700_000 + seed % 100_000


def new_field_code(rng: random.Random, company: int = 0) -> str:
    """A custom field's 40-hex key, drawn from the account's ``rng`` and mixed with its
    ``company`` id (0, or the seed's own company: the key as the seed alone gave it
    before company ids were set): one seed, other companies, other keys."""
    bits = rng.getrandbits(160)
    if company:
        bits ^= int.from_bytes(hashlib.sha1(f"pdbulk sandbox company {company}".encode()).digest(),
                               "big")
    return f"{bits:040x}"


def code_salt(company_id: object, seed: int) -> int:
    """What ``new_field_code`` mixes in for an account of ``company_id`` seeded ``seed``."""
    return 0 if not isinstance(company_id, int) or company_id == seed_company(seed) \
        else company_id


def custom_field(code: str, name: str, ftype: str, options: list[Record] | None,
                 description: str = "", extras: Mapping[str, Any] | None = None) -> Record:
    field: Record = {
        "field_code": code, "field_name": name, "field_type": ftype,
        "description": description, "is_custom_field": True,
        "is_optional_response_field": False,
        "options": options if ftype in OPTION_TYPES else None,
        "subfields": None,
    }
    if ftype == "monetary":
        field["subfields"] = [
            {"field_code": code, "field_name": f"Amount of {name}", "field_type": "double"},
            {"field_code": f"{code}_currency", "field_name": f"Currency of {name}",
             "field_type": "varchar"}]
    field.update(_extras())
    for key, value in (extras or {}).items():
        field[key] = {**field[key], **value}
    return field


def render_field(field: Record, include: list[str]) -> Record:
    """A field as the API shows it: the extra objects only when asked for."""
    return {k: v for k, v in field.items() if k not in FIELD_EXTRAS or k in include}


def option_ids(field: Record) -> set[int]:
    return {opt["id"] for opt in field.get("options") or []}


Exists = Callable[[str, int], bool]  # (entity kind, id) -> exists and not deleted


def check_custom_value(field: Record, value: object, key: str, exists: Exists,
                       default_currency: str) -> Any:
    """One custom field value in its v2 format, normalised; raises a 400 otherwise."""
    if value is None:
        return None
    ftype = field["field_type"]
    if ftype in ("varchar", "text", "varchar_auto", "phone"):
        return want_str(value, key)
    if ftype in ("double", "int"):
        return want_number(value, key)
    if ftype == "monetary":
        obj = want_object(value, key)
        reject_unknown(obj, frozenset({"value", "currency"}), f"{key}.")
        if "value" not in obj:
            raise invalid(f"{key}.value", "is required")
        amount = None if obj["value"] is None else want_number(obj["value"], f"{key}.value")
        currency = want_str(obj.get("currency", default_currency), f"{key}.currency",
                            nonempty=True)
        return {"value": amount, "currency": currency}
    if ftype == "enum":
        option = want_int(value, key)
        if option not in option_ids(field):
            raise invalid(key, f"option {option} does not exist")
        return option
    if ftype == "set":
        if not isinstance(value, list):
            raise invalid(key, "must be array of option ids")
        if not value:
            raise invalid(key, "must not be an empty array (use null to clear)")
        chosen = [want_int(item, f"{key}[{i}]") for i, item in enumerate(value)]
        missing = [o for o in chosen if o not in option_ids(field)]
        if missing:
            raise invalid(key, f"option {missing[0]} does not exist")
        return list(dict.fromkeys(chosen))
    if ftype == "date":
        return want_date(value, key)
    if ftype in ("daterange", "timerange"):
        obj = want_object(value, key)
        allowed = {"value", "until"} | ({"timezone_name"} if ftype == "timerange" else set())
        reject_unknown(obj, frozenset(allowed), f"{key}.")
        check = want_date if ftype == "daterange" else want_clock_time
        out = {"value": check(obj.get("value"), f"{key}.value"),
               "until": check(obj.get("until"), f"{key}.until")}
        if "timezone_name" in obj:
            out["timezone_name"] = want_str(obj["timezone_name"], f"{key}.timezone_name")
        return out
    if ftype == "time":
        obj = want_object(value, key)
        reject_unknown(obj, frozenset({"value", "timezone_name"}), f"{key}.")
        out = {"value": want_clock_time(obj.get("value"), f"{key}.value")}
        if "timezone_name" in obj:
            out["timezone_name"] = want_str(obj["timezone_name"], f"{key}.timezone_name")
        return out
    if ftype == "address":
        obj = want_object(value, key)
        reject_unknown(obj, _ADDRESS_PARTS, f"{key}.")
        return {k: want_str(v, f"{key}.{k}") for k, v in obj.items() if v is not None}
    if ftype in ("user", "org", "people"):
        ref = want_int(value, key)
        if not exists(ftype, ref):
            raise invalid(key, f"{ftype} {ref} does not exist")
        return ref
    raise invalid(key, f"fields of type {ftype} cannot be set through the API")


def searchable_text(field: Record, value: Any) -> str | None:
    """The text search matches for a custom value, or None if the type is not searched."""
    if value is None or field["field_type"] not in SEARCHABLE_TYPES:
        return None
    if isinstance(value, dict):
        inner = value.get("value")
        return None if inner is None else str(inner)
    return str(value)


__all__ = ["CREATABLE_TYPES", "FIELD_EXTRAS", "OPTION_TYPES", "SEARCHABLE_TYPES",
           "STANDARD_DEAL_FIELDS", "check_custom_value", "custom_field", "new_field_code",
           "option_ids", "render_field", "searchable_text", "standard_fields"]
