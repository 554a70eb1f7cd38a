"""New records with every field at its default: what a create starts from
(``contacts.create_person`` / ``create_org``, ``deals.create``), what the seed fills in
(``seed.populate``) and what a snapshot's missing fields default to (``admin``).

Below the entity modules and the seed (issue 8: the seed took these from ``contacts`` and
``deals``, which import ``state``, while ``state`` seeds every new account): a record's
shape needs only the account's clock, its user and its currency."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: state imports the seed, which imports this module
    from .state import Account, Record


def blank_person(acct: Account, rid: int) -> Record:
    """Person ``rid`` with no name, no contacts, owned by the account's user."""
    now = acct.now_iso()
    return {"id": rid, "name": "", "first_name": "", "last_name": "", "owner_id": acct.me_id,
            "org_id": None, "emails": [], "phones": [], "label_ids": [], "visible_to": 3,
            "add_time": now, "update_time": now, "is_deleted": False, "custom_fields": {}}


def blank_org(acct: Account, rid: int) -> Record:
    """Organization ``rid`` with no name and no address, owned by the account's user."""
    now = acct.now_iso()
    return {"id": rid, "name": "", "owner_id": acct.me_id, "address": None, "label_ids": [],
            "visible_to": 3, "add_time": now, "update_time": now, "is_deleted": False,
            "custom_fields": {}}


def blank_deal(acct: Account, deal_id: int, now: str | None = None) -> Record:
    """A deal with every field at its default (the stage is set by ``deals._place``);
    ``now``: its add and update time (ISO text; None: the account's clock)."""
    now = now or acct.now_iso()
    return {
        "id": deal_id, "title": "", "creator_user_id": acct.me_id, "owner_id": acct.me_id,
        "value": 0, "currency": acct.company["default_currency"], "person_id": None,
        "org_id": None, "pipeline_id": None, "stage_id": None, "status": "open",
        "probability": None, "lost_reason": None, "visible_to": 3, "close_time": None,
        "won_time": None, "lost_time": None, "stage_change_time": None,
        "expected_close_date": None, "add_time": now, "update_time": now,
        "archive_time": None, "is_archived": False, "is_deleted": False, "label_ids": [],
        "origin": "API", "origin_id": None, "channel": None, "channel_id": None,
        "custom_fields": {},
    }


__all__ = ["blank_deal", "blank_org", "blank_person"]
