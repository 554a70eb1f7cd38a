"""Deals (v2): strict body validation, create / update / delete, list filters, rendering.

Rules from FACTS.md ("Deals (v2)"): only ``title`` is required; unknown keys
and custom-field keys at the top level are refused; ``stage_id`` decides the
pipeline, ``pipeline_id`` alone means its first stage, neither means the first
stage of the default pipeline; won/lost/close times follow status changes and
``lost_reason`` exists only on lost deals; archived deals are not listed by
``GET /deals`` and refuse edits. Where the docs are silent the sandbox picks:
a ``stage_id`` of another pipeline than a ``pipeline_id`` in the same body
wins silently; ``null`` unlinks a person or organization; editing an
archived deal is a 400 unless the body unarchives it (``is_archived: false``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from .blanks import blank_deal as blank
from .errors import ApiFailure, bad_request, combined, invalid, not_found, open_deals_limit
from .fields import check_custom_value
from .paging import PageQuery, keyset_page
from .state import Account, Record
from .values import (
    format_time,
    id_list,
    query_bool,
    query_int,
    query_list,
    query_time,
    want_bool,
    want_date,
    want_datetime,
    want_int,
    want_int_list,
    want_number,
    want_object,
    want_str,
)

STATUSES = ("open", "won", "lost")
LIST_STATUSES = (*STATUSES, "deleted")
VISIBILITY = (1, 3, 5, 7)
BODY_KEYS = frozenset({
    "title", "owner_id", "person_id", "org_id", "pipeline_id", "stage_id", "value", "currency",
    "status", "lost_reason", "probability", "expected_close_date", "visible_to", "label_ids",
    "is_archived", "archive_time", "is_deleted", "won_time", "lost_time", "close_time",
    "custom_fields",
})
INCLUDE_FIELDS = (
    "next_activity_id", "last_activity_id", "first_won_time", "products_count", "files_count",
    "notes_count", "followers_count", "email_messages_count", "activities_count",
    "done_activities_count", "undone_activities_count", "participants_count",
    "last_incoming_mail_time", "last_outgoing_mail_time", "smart_bcc_email", "source_lead_id",
)
MAX_IDS = 100
MAX_CUSTOM_KEYS = 15


def _ref(kind: str, label: str) -> Callable[[Account, object, str], int | None]:
    def check(acct: Account, value: object, key: str) -> int | None:
        if value is None and kind in ("person", "organization"):
            return None  # unlink
        rid = want_int(value, key)
        if not acct.exists(kind, rid):
            raise bad_request(f"{key}: {label} {rid} not found")
        if kind == "user" and not acct.users[rid].get("active_flag", True):
            # sandbox choice (README.md): a deactivated user cannot own a deal
            raise bad_request(f"{key}: user {rid} is deactivated")
        return rid
    return check


def _labels(acct: Account, value: object, key: str) -> list[int]:
    ids = want_int_list(value, key)
    known = {o["id"] for o in acct.fields["label_ids"].get("options") or []}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise invalid(key, f"unknown label id(s) {', '.join(map(str, unknown))}")
    return list(dict.fromkeys(ids))


def _probability(acct: Account, value: object, key: str) -> Any:
    if value is None:
        return None
    prob = want_number(value, key)
    if not 0 <= prob <= 100:
        raise invalid(key, "must be between 0 and 100")
    return prob


def _visible_to(acct: Account, value: object, key: str) -> int:
    level = want_int(value, key)
    if level not in VISIBILITY:
        raise invalid(key, "must be one of 1, 3, 5, 7")
    return level


def _status(acct: Account, value: object, key: str) -> str:
    status = want_str(value, key)
    if status not in STATUSES:
        raise invalid(key, "must be one of open, won, lost")
    return status


def _nullable(check: Callable[[object, str], Any]) -> Callable[[Account, object, str], Any]:
    return lambda acct, value, key: None if value is None else check(value, key)


def _plain(check: Callable[[object, str], Any]) -> Callable[[Account, object, str], Any]:
    return lambda acct, value, key: check(value, key)


_CHECKS: dict[str, Callable[[Account, object, str], Any]] = {
    "title": lambda acct, v, k: want_str(v, k, nonempty=True),
    "owner_id": _ref("user", "user"),
    "person_id": _ref("person", "person"),
    "org_id": _ref("organization", "organization"),
    "pipeline_id": _ref("pipeline", "pipeline"),
    "stage_id": _ref("stage", "stage"),
    "value": _plain(want_number),
    "currency": lambda acct, v, k: want_str(v, k, nonempty=True),
    "status": _status,
    "lost_reason": _nullable(want_str),
    "probability": _probability,
    "expected_close_date": _nullable(want_date),
    "visible_to": _visible_to,
    "label_ids": _labels,
    "is_archived": _plain(want_bool),
    "archive_time": _nullable(want_datetime),
    "is_deleted": _plain(want_bool),
    "won_time": _nullable(want_datetime),
    "lost_time": _nullable(want_datetime),
    "close_time": _nullable(want_datetime),
}


def check_custom_fields(acct: Account, value: object, key: str = "custom_fields") -> Record:
    obj = want_object(value, key)
    known = {f["field_code"]: f for f in acct.custom_fields()}
    out: Record = {}
    problems: list[ApiFailure] = []
    for code, raw in obj.items():
        field = known.get(code)
        try:
            if field is None:
                raise invalid(f"{key}.{code}", "is not a custom field of this company")
            out[code] = check_custom_value(field, raw, f"{key}.{code}", acct.exists,
                                           acct.company["default_currency"])
        except ApiFailure as exc:
            if exc.status != 400:
                raise
            problems.append(exc)
    if problems:
        raise combined(problems)
    return out


def parse_body(acct: Account, body: object) -> Record:
    """The validated changes of a POST/PATCH body (400 on the first problem)."""
    if not isinstance(body, dict):
        raise invalid("body", "must be object")
    problems: list[ApiFailure] = []
    for key in body:
        if key not in BODY_KEYS:
            if key in acct.fields and acct.fields[key]["is_custom_field"]:
                problems.append(invalid(key, "is not an allowed property (custom fields go "
                                             "inside custom_fields)"))
            else:
                problems.append(invalid(key, "is not an allowed property"))
    changes: Record = {}
    for key, value in body.items():
        if key not in BODY_KEYS:
            continue
        try:
            if key == "custom_fields":
                changes[key] = check_custom_fields(acct, value)
            else:
                changes[key] = _CHECKS[key](acct, value, key)
        except ApiFailure as exc:
            if exc.status != 400:
                raise
            problems.append(exc)
    if problems:
        raise combined(problems)
    return changes


def _place(acct: Account, deal: Record, changes: Record, creating: bool) -> None:
    if changes.get("stage_id") is not None:
        stage = acct.stages[changes["stage_id"]]  # the stage decides the pipeline
    elif changes.get("pipeline_id") is not None:
        if not creating and changes["pipeline_id"] == deal["pipeline_id"]:
            return
        stage = acct.first_stage(changes["pipeline_id"])
    elif creating:
        stage = acct.first_stage(acct.default_pipeline()["id"])
    else:
        return
    if not creating and stage["id"] != deal["stage_id"]:
        deal["stage_change_time"] = acct.now_iso()
    deal["stage_id"], deal["pipeline_id"] = stage["id"], stage["pipeline_id"]


def _status_times(acct: Account, deal: Record, changes: Record, old_status: str | None) -> None:
    status = deal["status"]
    now = acct.now_iso()
    if status != old_status:
        deal["won_time"] = now if status == "won" else None
        deal["lost_time"] = now if status == "lost" else None
        deal["close_time"] = now if status in ("won", "lost") else None
        if status != "lost":
            deal["lost_reason"] = None
    rules = (("lost_reason", ("lost",)), ("won_time", ("won",)), ("lost_time", ("lost",)),
             ("close_time", ("won", "lost")))
    for key, allowed in rules:
        if key not in changes:
            continue
        if changes[key] is not None and status not in allowed:
            raise bad_request(f"{key}: can only be set when status is "
                              f"{' or '.join(allowed)} (status is {status})")
        deal[key] = changes[key]  # null clears


def _open_count(acct: Account) -> int:
    return sum(1 for d in acct.deals.rows.values()
               if d["status"] == "open" and not d["is_deleted"])


def _apply(acct: Account, deal: Record, changes: Record, creating: bool) -> Record:
    old_status = None if creating else deal["status"]
    plain = {k: v for k, v in changes.items()
             if k not in ("stage_id", "pipeline_id", "custom_fields", "lost_reason",
                          "won_time", "lost_time", "close_time", "archive_time")}
    deal.update(plain)
    if "custom_fields" in changes:
        merged = {**deal["custom_fields"], **changes["custom_fields"]}
        deal["custom_fields"] = {k: v for k, v in merged.items() if v is not None}
    _place(acct, deal, changes, creating)
    _status_times(acct, deal, changes, old_status)
    if "is_archived" in changes:
        archived = changes["is_archived"]
        deal["archive_time"] = (changes.get("archive_time") or acct.now_iso()) if archived else None
    elif changes.get("archive_time") is not None:
        if not deal["is_archived"]:
            raise bad_request("archive_time: can only be set on an archived deal")
        deal["archive_time"] = changes["archive_time"]
    limit = acct.config.open_deals_limit
    if (limit is not None and deal["status"] == "open" and old_status != "open"
            and _open_count(acct) >= limit):
        raise open_deals_limit()
    deal["update_time"] = acct.now_iso()
    return deal


def create(acct: Account, body: object) -> Record:
    changes = parse_body(acct, body)
    if "title" not in changes:
        raise invalid("title", "is required")
    deal = _apply(acct, blank(acct, acct.deals.next_id), changes, creating=True)
    deal["id"] = acct.deals.take_id()
    return acct.save("deal", deal)


def update(acct: Account, deal_id: int, body: object) -> Record:
    current = acct.live("deal", deal_id)
    changes = parse_body(acct, body)
    if current["is_archived"] and changes.get("is_archived") is not False:
        raise bad_request("Archived deal cannot be edited (unarchive it with is_archived=false)")
    deal = _apply(acct, {**current, "custom_fields": dict(current["custom_fields"])},
                  changes, creating=False)
    return acct.save("deal", deal)


def delete(acct: Account, deal_id: int) -> int:
    current = acct.live("deal", deal_id)
    acct.save("deal", {**current, "is_deleted": True, "update_time": acct.now_iso()})
    return deal_id


# -- reading ---------------------------------------------------------------

def render(acct: Account, deal: Record, custom_keys: list[str] | None = None,
           include: tuple[str, ...] = (), option_labels: bool = False,
           fields: list[Record] | None = None) -> Record:
    """A deal as v2 shows it: every custom field present (null when empty).
    ``fields``: the custom fields to show, when the caller renders many deals."""
    out = dict(deal)
    if fields is None:
        fields = acct.custom_fields()
        if custom_keys is not None:
            fields = [f for f in fields if f["field_code"] in custom_keys]
    stored = deal["custom_fields"]
    custom: Record = {}
    for field in fields:
        value = stored.get(field["field_code"])
        if option_labels and value is not None and field["field_type"] in ("enum", "set"):
            labels = {o["id"]: o["label"] for o in field["options"] or []}
            ids = value if isinstance(value, list) else [value]
            shown = [{"id": i, "label": labels.get(i)} for i in ids]
            value = shown if isinstance(value, list) else shown[0]
        custom[field["field_code"]] = value
    out["custom_fields"] = custom
    for name in include:
        out[name] = _included(acct, deal, name)
    return out


def _included(acct: Account, deal: Record, name: str) -> Any:
    if name == "first_won_time":
        return deal["won_time"]
    if name == "smart_bcc_email":
        return f"{acct.company['domain']}+deal{deal['id']}@pipedrivemail.com"
    if name == "participants_count":
        return 1 if deal["person_id"] else 0
    if name.endswith("_count"):
        return 0
    return None  # activity ids, mail times, source lead: none in the sandbox


def get(acct: Account, deal_id: int) -> Record:
    return render(acct, acct.lookup("deal", deal_id))


def _filter(acct: Account, query: Mapping[str, str], archived: bool) -> Callable[[Record], bool]:
    owner = query_int(query, "owner_id")
    person = query_int(query, "person_id")
    org = query_int(query, "org_id")
    pipeline = query_int(query, "pipeline_id")
    stage = query_int(query, "stage_id")
    # Stored times are uniform YYYY-MM-DDTHH:MM:SSZ strings with whole seconds, so
    # comparing against the bounds rounded up compares the instants exactly.
    since_t, until_t = query_time(query, "updated_since"), query_time(query, "updated_until")
    since = None if since_t is None else format_time(math.ceil(since_t))
    until = None if until_t is None else format_time(math.ceil(until_t))
    statuses = set(query_list(query, "status"))
    if statuses - set(LIST_STATUSES):
        raise invalid("status", "must be a comma separated list of open, won, lost, deleted")
    live_statuses = statuses - {"deleted"} if statuses else set(STATUSES)

    def keep(deal: Record) -> bool:
        if deal["is_archived"] != archived:
            return False
        if deal["is_deleted"]:
            if "deleted" not in statuses or not acct.recently_deleted(acct.deals, deal["id"]):
                return False
        elif deal["status"] not in live_statuses:
            return False
        if owner is not None and deal["owner_id"] != owner:
            return False
        if person is not None and deal["person_id"] != person:
            return False
        if org is not None and deal["org_id"] != org:
            return False
        if pipeline is not None and deal["pipeline_id"] != pipeline:
            return False
        if stage is not None and deal["stage_id"] != stage:
            return False
        if since is not None and deal["update_time"] < since:
            return False
        return not (until is not None and deal["update_time"] >= until)
    return keep


def list_deals(acct: Account, query: Mapping[str, str],
               archived: bool = False) -> tuple[list[Record], str | None]:
    """``GET /deals`` (not archived) and ``GET /deals/archived`` (archived only)."""
    if query.get("filter_id"):
        raise bad_request("filter_id: saved filters are not supported by the sandbox")
    page = PageQuery.parse(query)
    keep = _filter(acct, query, archived)
    ids = acct.deals.ids
    raw_ids = query_list(query, "ids")
    if raw_ids:
        if len(raw_ids) > MAX_IDS:
            raise invalid("ids", f"at most {MAX_IDS} ids are allowed")
        ids = sorted(i for i in id_list(raw_ids) if i in acct.deals.rows)
    custom_keys = query_list(query, "custom_fields") or None
    if custom_keys is not None:
        if len(custom_keys) > MAX_CUSTOM_KEYS:
            raise invalid("custom_fields", f"at most {MAX_CUSTOM_KEYS} keys are allowed")
        codes = {f["field_code"] for f in acct.custom_fields()}
        unknown = [k for k in custom_keys if k not in codes]
        if unknown:
            raise invalid("custom_fields", f"{unknown[0]} is not a custom field")
    include = tuple(query_list(query, "include_fields"))
    bad = [name for name in include if name not in INCLUDE_FIELDS]
    if bad:
        raise invalid("include_fields", f"{bad[0]} is not an includable field")
    if query_bool(query, "include_labels"):
        raise bad_request("include_labels is not supported by the sandbox")
    labels = query_bool(query, "include_option_labels")
    order = None if raw_ids or page.sort_by == "id" else acct.deals.sorted_keys(page.sort_by)
    rows, cursor = keyset_page(acct.deals.rows, ids, keep, page, order)
    fields = [f for f in acct.custom_fields()
              if custom_keys is None or f["field_code"] in custom_keys]
    return [render(acct, d, include=include, option_labels=labels, fields=fields)
            for d in rows], cursor


def require(acct: Account, deal_id: int) -> Record:
    row = acct.deals.get(deal_id)
    if row is None:
        raise not_found("Deal")
    return row


__all__ = ["BODY_KEYS", "INCLUDE_FIELDS", "STATUSES", "blank", "check_custom_fields", "create",
           "delete", "get", "list_deals", "parse_body", "render", "require", "update"]
