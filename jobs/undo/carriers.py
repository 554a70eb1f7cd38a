"""Who still uses the persons / organizations ``undo --contacts`` deletes, read once per
re-check batch (``jobs.undo``): the deals that carry them and the persons that belong to
an organization, as the plan saw them plus what changed since.

Why not one read per contact: right before each 3-token delete the run read the deals and
the archived deals filtered by that contact (10 + 20 tokens) and an organization's persons
(10): ~90 % of the run's tokens (x23r1: 26,920 tokens for 300 rows). The plan read every
deal (``plan._carried``) and every person of the organizations it deletes; after it, a
contact can gain a deal or a person only by a write, which moves that record's
``update_time``. So the run reads, per batch, only the records changed since its last
read (``updated_since``, RECONCILE_MARGIN s earlier for clock skew; one page per 500),
over what it knows already: the deals this undo meant to delete or restore and did not
(their before-images: their links at the plan) and the persons it meant to delete and did
not (read by id once). Never a contact deleted under a deal or a person someone linked to
it: when in doubt (a stale record, no plan time) it counts as used."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.store import Item, JobStore

from ..account import changed_since
from ..clock_skew import RECONCILE_MARGIN
from ..deals import is_gone
from .targets import META_CONTACT_SINCE, RESTORED_IN_PART

# --force: the persons the plan found in the organizations it deletes, other than those it
# deletes ({person id (text): organization id}): the run's check (``holders``)
# reads only the persons changed since over them, one call a batch, as without --force
META_FORCE_MEMBERS = "undo.force_org_members"
_GONE = ("deleted", "already deleted")  # the actions of a delete that left nothing behind
DEAL_LISTS = ("getDeals", "getArchivedDeals")


def _ref(value: Any) -> int | None:
    """A person / organization id as a list returns it (v2: an int; v1: ``{"value": id}``)."""
    if isinstance(value, Mapping):
        value = value.get("value", value.get("id"))
    return value if isinstance(value, int) else None


def _links(record: Mapping[str, Any]) -> dict[str, int]:
    """The person ("person") and organization ("org") a deal record carries."""
    return {name: rid for name in ("person", "org")
            if (rid := _ref(record.get(f"{name}_id"))) is not None}


class ContactCarriers:
    """The deals and persons that use an undo's contacts now, kept up to date by one read
    of what changed since per call of ``carried`` / ``holders``."""

    __slots__ = ("_deals", "_persons", "_since", "_store")

    def __init__(self, store: JobStore) -> None:
        self._store = store
        self._deals: dict[int, dict[str, int]] | None = None  # deal id -> its links
        self._persons: dict[int, int | None] | None = None  # person id -> its organization
        at = store.meta_get(META_CONTACT_SINCE)  # the plan's pull began then (wall clock)
        since = float(at) - RECONCILE_MARGIN if isinstance(at, (int, float)) else None
        self._since: dict[str, float | None] = {"deals": since, "persons": since}

    def __repr__(self) -> str:
        return (f"ContactCarriers(deals={len(self._deals or ())}, "
                f"persons={len(self._persons or ())}, since={self._since})")

    async def _changed(self, ctx: CallContext, operation: str,
                       since: float | None) -> list[dict[str, Any]]:
        """The records of list ``operation`` changed at or after ``since``; every record
        when no plan time is known (a job planned before it was recorded)."""
        if since is None:
            return [dict(r) for page in await ctx.pages(operation) for r in page.data or ()]
        return await changed_since(ctx, operation, since)

    async def carried(self, ctx: CallContext) -> dict[str, dict[int, int]]:
        """Person ("person") / organization ("org") id -> a deal, live or archived, that
        carries it now. One ``updated_since`` read of each deal list (10 + 20 tokens a
        page of 500). Call it only once this undo's deal writes are all settled."""
        if self._deals is None:
            self._deals = await in_thread(self._deals_left)
        started = ctx.clock.wall()
        for operation in DEAL_LISTS:
            for deal in await self._changed(ctx, operation, self._since["deals"]):
                if is_gone(deal):
                    self._deals.pop(int(deal["id"]), None)
                else:
                    self._deals[int(deal["id"])] = _links(deal)
        self._since["deals"] = started - RECONCILE_MARGIN
        out: dict[str, dict[int, int]] = {"person": {}, "org": {}}
        for deal_id, links in sorted(self._deals.items()):
            for name, rid in links.items():
                out[name].setdefault(rid, deal_id)
        return out

    def _deals_left(self) -> dict[int, dict[str, int]]:
        """The links, as the plan read them, of the deals this undo meant to delete or
        restore and did not (a conflict, a failure): they still carry them. A restore
        done carries what it put back."""
        gone: set[int] = set()
        put_back: dict[int, dict[str, int]] = {}
        for item in self._store.items():
            result = item.result or {}
            if item.op == "delete" and result.get("action") in _GONE:
                gone.add(int(item.payload["deal_id"]))
            elif item.op == "restore" and result.get("action") in ("restored", RESTORED_IN_PART):
                put_back[int(item.payload["deal_id"])] = _links(item.payload.get("changes")
                                                                or {})
        out: dict[int, dict[str, int]] = {}
        for image in self._store.before_images("deal"):
            if image.entity_id in gone:
                continue
            before = image.before
            fields = before.get("fields")  # a restore's image: the fields it changes
            links = _links(fields if isinstance(fields, Mapping) else before)
            links.update(put_back.get(image.entity_id, {}))
            if links:
                out[image.entity_id] = links
        return out

    async def holders(self, ctx: CallContext, orgs: Iterable[int]) -> dict[int, int]:
        """Organization id (of ``orgs``) -> a live person that belongs to it now. The
        persons this undo meant to delete and did not, read by id once (10 tokens per
        100), and one ``updated_since`` read of the persons (10 tokens a page of 500).
        Call it only once this undo's person deletes are all settled. Complete where the
        plan read the organizations' persons (with ``--force`` too: ``META_FORCE_MEMBERS``,
        the persons it found there that this undo does not delete)."""
        wanted = set(orgs)
        if self._persons is None:
            # --force: the persons its plan found in these organizations (not read again:
            # one changed since is in the read below)
            found = self._store.meta_get(META_FORCE_MEMBERS)
            self._persons = {int(p): int(o) for p, o in found.items()} \
                if isinstance(found, Mapping) else {}
            left = sorted(await in_thread(self._persons_left))
            for start in range(0, len(left), 100):
                page = await ctx.call("getPersons", params={"ids": left[start:start + 100],
                                                            "limit": 100})
                self._persons.update((int(p["id"]), _ref(p.get("org_id")))
                                     for p in page.data or ())
        started = ctx.clock.wall()
        self._persons.update((int(p["id"]), _ref(p.get("org_id")))
                             for p in await self._changed(ctx, "getPersons",
                                                          self._since["persons"]))
        self._since["persons"] = started - RECONCILE_MARGIN
        out: dict[int, int] = {}
        for person, org in sorted(self._persons.items()):
            if org in wanted:
                out.setdefault(org, person)
        return out

    def _persons_left(self) -> set[int]:
        """The persons this undo meant to delete that are not gone (kept, failed)."""
        return {contact_id(i, "person") for i in self._store.items()
                if i.op == "delete-person" and (i.result or i.payload.get("result")
                                                or {}).get("action") not in _GONE}


def contact_id(item: Item, name: str) -> int:
    """The person ("person") / organization ("org") id an undo's ``delete-<name>`` item is
    about: its payload's ``<name>_id``, else — a conflict the plan left alone, written
    before that payload carried it — the id its key names (``"person 12"``)."""
    rid = item.payload.get(f"{name}_id")
    if rid is None:
        rid = str(item.key or "").rpartition(" ")[2]
    return int(rid)
