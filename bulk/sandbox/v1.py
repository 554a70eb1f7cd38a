"""v1 shapes: users, and the deal / person / organization objects merges answer with.

v1 prints times as ``YYYY-MM-DD HH:MM:SS``, ``visible_to`` as a string and
custom fields at the top level of the object (monetary as ``<key>`` plus
``<key>_currency``, enum as the option id string, set as "1,2").
"""

from __future__ import annotations

from typing import Any

from .state import Account, Record
from .values import v1_time

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def _money(amount: float, currency: str) -> str:
    symbol = _SYMBOLS.get(currency, currency + " ")
    return f"{symbol}{amount:,.0f}" if float(amount).is_integer() else f"{symbol}{amount:,.2f}"


def user(acct: Account, row: Record) -> Record:
    admin = bool(row["is_admin"])
    return {
        "id": row["id"], "name": row["name"], "email": row["email"], "lang": 1,
        "locale": "en_US", "timezone_name": "UTC", "timezone_offset": "+00:00",
        "default_currency": acct.company["default_currency"], "icon_url": None,
        "active_flag": bool(row.get("active_flag", True)), "is_deleted": False,
        "is_admin": int(admin), "role_id": 1,
        "created": v1_time(row["created"]), "modified": v1_time(row["created"]),
        "last_login": v1_time(row["created"]), "has_created_company": row["id"] == acct.me_id,
        "is_you": row["id"] == acct.me_id, "activated": bool(row.get("active_flag", True)),
        "phone": None,
        "access": [{"app": "sales", "admin": admin,
                    "permission_set_id": row["permission_set_id"]},
                   {"app": "global", "admin": admin,
                    "permission_set_id": row["permission_set_id"]}],
    }


def me(acct: Account) -> Record:
    company = acct.company
    return {
        **user(acct, acct.users[acct.me_id]),
        "company_id": company["id"], "company_name": company["name"],
        "company_domain": company["domain"], "company_country": company["country"],
        "company_industry": company["industry"],
        "language": {"language_code": "en", "country_code": "US"},
    }


def _custom_top_level(acct: Account, values: Record) -> Record:
    out: Record = {}
    for field in acct.custom_fields():
        code = field["field_code"]
        value = values.get(code)
        ftype = field["field_type"]
        if ftype == "monetary":
            out[code] = None if value is None else value["value"]
            out[f"{code}_currency"] = None if value is None else value["currency"]
        elif ftype == "enum":
            out[code] = None if value is None else str(value)
        elif ftype == "set":
            out[code] = None if value is None else ",".join(str(v) for v in value)
        else:
            out[code] = value
    return out


def deal(acct: Account, row: Record) -> Record:
    stage = acct.stages.get(row["stage_id"]) or {}
    person = acct.persons.get(row["person_id"]) if row["person_id"] else None
    org = acct.orgs.get(row["org_id"]) if row["org_id"] else None
    owner = acct.users.get(row["owner_id"]) or {"name": ""}
    probability = row["probability"]
    if probability is None:
        probability_for_weight = stage.get("deal_probability", 100)
    else:
        probability_for_weight = probability
    weighted = row["value"] * probability_for_weight / 100
    weighted = int(weighted) if float(weighted).is_integer() else weighted
    out: Record = {
        "id": row["id"], "creator_user_id": row["creator_user_id"], "user_id": row["owner_id"],
        "person_id": row["person_id"], "org_id": row["org_id"], "stage_id": row["stage_id"],
        "title": row["title"], "value": row["value"], "currency": row["currency"],
        "add_time": v1_time(row["add_time"]), "update_time": v1_time(row["update_time"]),
        "stage_change_time": v1_time(row["stage_change_time"]),
        "active": row["status"] == "open" and not row["is_deleted"],
        "deleted": row["is_deleted"], "status": row["status"], "probability": probability,
        "next_activity_date": None, "next_activity_time": None, "next_activity_id": None,
        "last_activity_id": None, "last_activity_date": None, "lost_reason": row["lost_reason"],
        "visible_to": str(row["visible_to"]), "close_time": v1_time(row["close_time"]),
        "pipeline_id": row["pipeline_id"], "won_time": v1_time(row["won_time"]),
        "first_won_time": v1_time(row["won_time"]), "lost_time": v1_time(row["lost_time"]),
        "products_count": 0, "files_count": 0, "notes_count": 0, "followers_count": 1,
        "email_messages_count": 0, "activities_count": 0, "done_activities_count": 0,
        "undone_activities_count": 0, "participants_count": 1 if person else 0,
        "expected_close_date": row["expected_close_date"],
        "last_incoming_mail_time": None, "last_outgoing_mail_time": None,
        "label": ",".join(str(i) for i in row["label_ids"]) or None,
        "stage_order_nr": stage.get("order_nr", 0),
        "person_name": person["name"] if person else None,
        "org_name": org["name"] if org else None, "owner_name": owner["name"],
        "formatted_value": _money(row["value"], row["currency"]),
        "weighted_value": weighted, "weighted_value_currency": row["currency"],
        "formatted_weighted_value": _money(weighted, row["currency"]), "rotten_time": None,
        "cc_email": f"{acct.company['domain']}+deal{row['id']}@pipedrivemail.com",
        "org_hidden": False, "person_hidden": False, "origin": row["origin"],
        "origin_id": row["origin_id"], "channel": row["channel"],
        "channel_id": row["channel_id"], "is_archived": row["is_archived"],
        "acv": None, "arr": None, "mrr": None, "acv_currency": None, "arr_currency": None,
        "mrr_currency": None,
    }
    out.update(_custom_top_level(acct, row["custom_fields"]))
    return out


def _deal_counts(acct: Account, key: str, rid: int) -> Record:
    linked = [d for d in acct.deals.rows.values() if d[key] == rid and not d["is_deleted"]]
    counts = {s: sum(1 for d in linked if d["status"] == s) for s in ("open", "won", "lost")}
    return {"open_deals_count": counts["open"], "won_deals_count": counts["won"],
            "lost_deals_count": counts["lost"],
            "closed_deals_count": counts["won"] + counts["lost"],
            "related_open_deals_count": 0, "related_won_deals_count": 0,
            "related_lost_deals_count": 0, "related_closed_deals_count": 0}


def person(acct: Account, row: Record) -> Record:
    org = acct.orgs.get(row["org_id"]) if row["org_id"] else None
    owner = acct.users.get(row["owner_id"]) or {"name": ""}
    out: Record = {
        "id": row["id"], "company_id": acct.company["id"], "owner_id": row["owner_id"],
        "org_id": row["org_id"], "name": row["name"], "first_name": row["first_name"],
        "last_name": row["last_name"] or None, "email": row["emails"], "phone": row["phones"],
        "add_time": v1_time(row["add_time"]), "update_time": v1_time(row["update_time"]),
        "visible_to": str(row["visible_to"]), "active_flag": not row["is_deleted"],
        "label": row["label_ids"][0] if row["label_ids"] else None,
        "label_ids": row["label_ids"], "org_name": org["name"] if org else None,
        "owner_name": owner["name"], "cc_email": None,
        "first_char": (row["name"][:1] or "").lower(), "picture_id": None,
        "activities_count": 0, "done_activities_count": 0, "undone_activities_count": 0,
        "files_count": 0, "notes_count": 0, "followers_count": 1, "email_messages_count": 0,
        "last_incoming_mail_time": None, "last_outgoing_mail_time": None,
        "last_activity_date": None, "last_activity_id": None, "next_activity_date": None,
        "next_activity_id": None, "next_activity_time": None,
        "participant_open_deals_count": 0, "participant_closed_deals_count": 0,
    }
    out.update(_deal_counts(acct, "person_id", row["id"]))
    return out


def organization(acct: Account, row: Record) -> Record:
    owner = acct.users.get(row["owner_id"]) or {"name": ""}
    address: Any = (row["address"] or {}).get("value")
    out: Record = {
        "id": row["id"], "company_id": acct.company["id"], "owner_id": row["owner_id"],
        "name": row["name"], "address": address, "add_time": v1_time(row["add_time"]),
        "update_time": v1_time(row["update_time"]), "visible_to": str(row["visible_to"]),
        "active_flag": not row["is_deleted"], "label_ids": row["label_ids"],
        "owner_name": owner["name"], "cc_email": None,
        "people_count": sum(1 for p in acct.persons.rows.values()
                            if p["org_id"] == row["id"] and not p["is_deleted"]),
    }
    out.update(_deal_counts(acct, "org_id", row["id"]))
    return out


__all__ = ["deal", "me", "organization", "person", "user"]
