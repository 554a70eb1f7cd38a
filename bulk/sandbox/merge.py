"""Merges (v1): ``PUT /v1/{deals|persons|organizations}/{id}/merge {"merge_with_id": S}``.

The record in ``merge_with_id`` survives; the one in the path is merged away
and becomes deleted. Where both have a value the survivor's wins; the
survivor's empty fields (null, "", [], {}) are filled from the other. A deal
``value`` of 0 is a value, not empty. Person e-mails and phones are united.
Deals (and persons) pointing at a merged-away person or organization move to
the survivor. Answers: self-merge 400, a missing record 404, a deleted one 400.
"""

from __future__ import annotations

from typing import Any

from . import v1
from .errors import bad_request, not_found
from .state import Account, Record

ENTITY = {"deal": "Deal", "person": "Person", "organization": "Organization"}
FILLED: dict[str, tuple[str, ...]] = {
    "deal": ("title", "person_id", "org_id", "expected_close_date", "probability",
             "label_ids"),
    "person": ("org_id", "label_ids"),
    "organization": ("address", "label_ids"),
}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def merge_with_id(body: object) -> int:
    """v1 is lenient: ``merge_with_id`` may be a number or a numeric string."""
    if not isinstance(body, dict) or "merge_with_id" not in body:
        raise bad_request("merge_with_id is required")
    raw = body["merge_with_id"]
    if isinstance(raw, bool):
        raise bad_request("merge_with_id must be an integer")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.isdigit():
        return int(raw)
    raise bad_request("merge_with_id must be an integer")


def _union(first: list[Record], second: list[Record]) -> list[Record]:
    seen = {item["value"].lower() for item in first}
    extra = [{**item, "primary": False} for item in second if item["value"].lower() not in seen]
    return [*first, *extra]


def _combine(acct: Account, kind: str, survivor: Record, other: Record) -> Record:
    merged = {**survivor}
    for key in FILLED[kind]:
        if _empty(merged.get(key)) and not _empty(other.get(key)):
            merged[key] = other[key]
    if kind == "deal" and merged["status"] == "lost" and _empty(merged["lost_reason"]):
        merged["lost_reason"] = other["lost_reason"]
    custom = dict(survivor["custom_fields"])
    for code, value in other["custom_fields"].items():
        if _empty(custom.get(code)):
            custom[code] = value
    merged["custom_fields"] = custom
    if kind == "person":
        merged["emails"] = _union(survivor["emails"], other["emails"])
        merged["phones"] = _union(survivor["phones"], other["phones"])
    merged["update_time"] = acct.now_iso()
    return merged


def _relink(acct: Account, key: str, kinds: tuple[str, ...], old: int, new: int) -> None:
    for kind in kinds:
        for row in list(acct.table(kind).rows.values()):
            if row.get(key) == old and not row["is_deleted"]:
                acct.save(kind, {**row, key: new, "update_time": acct.now_iso()})


def merge(acct: Account, kind: str, path_id: int, body: object) -> Record:
    """Merge ``path_id`` into ``body.merge_with_id``; the survivor in v1 shape."""
    survivor_id = merge_with_id(body)
    entity = ENTITY[kind]
    if survivor_id == path_id:
        raise bad_request(f"Cannot merge a {kind} with itself")
    table = acct.table(kind)
    other, survivor = table.get(path_id), table.get(survivor_id)
    if other is None or survivor is None:
        raise not_found(entity)
    for row in (other, survivor):
        if row["is_deleted"]:
            raise bad_request(f"{entity} {row['id']} is deleted and cannot be merged")
    merged = acct.save(kind, _combine(acct, kind, survivor, other))
    acct.save(kind, {**other, "is_deleted": True, "update_time": acct.now_iso()})
    if kind == "person":
        _relink(acct, "person_id", ("deal",), path_id, survivor_id)
    elif kind == "organization":
        _relink(acct, "org_id", ("deal", "person"), path_id, survivor_id)
    shape = {"deal": v1.deal, "person": v1.person, "organization": v1.organization}[kind]
    return {**shape(acct, acct.table(kind).rows[merged["id"]]), "merge_what_id": path_id}


__all__ = ["ENTITY", "merge", "merge_with_id"]
