"""The three v2 search endpoints over the lagging index.

Results are ``{"result_score", "item"}`` ordered by score then id; in items
``custom_fields`` and ``notes`` are the matched values, not keyed objects
(FACTS.md, "Envelopes"). The sandbox keeps no notes, so ``notes`` never match.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import invalid
from .fields import SEARCHABLE_TYPES, searchable_text
from .paging import offset_page
from .search import Term, search_fields
from .state import Account, Record
from .values import query_bool, query_int, query_list

Found = tuple[list[Record], str | None]


def _term(query: Mapping[str, str]) -> Term:
    return Term.parse(query.get("term"), query_bool(query, "exact_match"))


def _includes(query: Mapping[str, str], allowed: str) -> bool:
    wanted = query_list(query, "include_fields")
    if any(w != allowed for w in wanted):
        raise invalid("include_fields", f"must be {allowed}")
    return bool(wanted)


def _page(scored: list[tuple[float, int, Record]], query: Mapping[str, str]) -> Found:
    scored.sort(key=lambda t: (-t[0], t[1]))
    items = [{"result_score": score, "item": item} for score, _, item in scored]
    return offset_page(items, query)


def _custom_hits(fields: list[Record], term: Term,
                 values: Mapping[str, Any]) -> tuple[float, list[str]]:
    texts = []
    for field in fields:
        value = values.get(field["field_code"])
        if value is not None:
            text = searchable_text(field, value)
            if text is not None:
                texts.append(text)
    return term.best(texts)


def _named(acct: Account, kind: str, rid: int | None) -> Record | None:
    row = None if rid is None else acct.table(kind).live(rid)
    return None if row is None else {"id": row["id"], "name": row["name"]}


def search_deals(acct: Account, query: Mapping[str, str], lag: float) -> Found:
    term = _term(query)
    cc_email = _includes(query, "deal.cc_email")
    where = search_fields(query.get("fields"), ("custom_fields", "notes", "title"))
    person = query_int(query, "person_id")
    org = query_int(query, "organization_id")
    status = query.get("status")
    if status and status not in ("open", "won", "lost"):
        raise invalid("status", "must be one of open, won, lost")
    fields = [f for f in acct.custom_fields() if f["field_type"] in SEARCHABLE_TYPES]
    scored = []
    for deal in acct.search.visible("deal", acct.clock.now(), lag):
        if person is not None and deal["person_id"] != person:
            continue
        if org is not None and deal["org_id"] != org:
            continue
        if status and deal["status"] != status:
            continue
        score = term.score(deal["title"]) if "title" in where else 0.0
        custom_score, custom_hits = (_custom_hits(fields, term, deal["custom_fields"])
                                     if "custom_fields" in where else (0.0, []))
        score = max(score, custom_score)
        if not score:
            continue
        stage = acct.stages.get(deal["stage_id"]) or {"id": deal["stage_id"], "name": ""}
        item = {
            "id": deal["id"], "type": "deal", "title": deal["title"], "value": deal["value"],
            "currency": deal["currency"], "status": deal["status"],
            "visible_to": deal["visible_to"], "owner": {"id": deal["owner_id"]},
            "stage": {"id": stage["id"], "name": stage["name"]},
            "person": _named(acct, "person", deal["person_id"]),
            "organization": _named(acct, "organization", deal["org_id"]),
            "custom_fields": custom_hits, "notes": [], "is_archived": deal["is_archived"],
        }
        if cc_email:
            item["cc_email"] = f"{acct.company['domain']}+deal{deal['id']}@pipedrivemail.com"
        scored.append((score, deal["id"], item))
    return _page(scored, query)


def search_persons(acct: Account, query: Mapping[str, str], lag: float) -> Found:
    term = _term(query)
    picture = _includes(query, "person.picture")
    where = search_fields(query.get("fields"),
                          ("custom_fields", "email", "notes", "phone", "name"))
    org = query_int(query, "organization_id")
    scored = []
    for person in acct.search.visible("person", acct.clock.now(), lag):
        if org is not None and person["org_id"] != org:
            continue
        emails = [e["value"] for e in person["emails"]]
        phones = [p["value"] for p in person["phones"]]
        score = max(
            term.score(person["name"]) if "name" in where else 0.0,
            term.best(emails)[0] if "email" in where else 0.0,
            term.best(phones)[0] if "phone" in where else 0.0,
        )
        if not score:
            continue
        item = {
            "id": person["id"], "type": "person", "name": person["name"], "phones": phones,
            "emails": emails, "visible_to": person["visible_to"],
            "owner": {"id": person["owner_id"]},
            "organization": _named(acct, "organization", person["org_id"]),
            "custom_fields": [], "notes": [],
        }
        if picture:
            item["picture"] = None  # the sandbox stores no pictures
        scored.append((score, person["id"], item))
    return _page(scored, query)


def search_orgs(acct: Account, query: Mapping[str, str], lag: float) -> Found:
    term = _term(query)
    where = search_fields(query.get("fields"), ("address", "custom_fields", "notes", "name"))
    scored = []
    for org in acct.search.visible("organization", acct.clock.now(), lag):
        address = (org["address"] or {}).get("value")
        score = max(term.score(org["name"]) if "name" in where else 0.0,
                    term.score(address) if "address" in where else 0.0)
        if not score:
            continue
        item = {
            "id": org["id"], "type": "organization", "name": org["name"], "address": address,
            "visible_to": org["visible_to"], "owner": {"id": org["owner_id"]},
            "custom_fields": [], "notes": [],
        }
        scored.append((score, org["id"], item))
    return _page(scored, query)


__all__ = ["search_deals", "search_orgs", "search_persons"]
