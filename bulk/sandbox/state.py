"""The in-memory Pipedrive account: records, ids, lookups, snapshots.

Pure: no HTTP, no rate limits, no faults. The entity rules live beside it
(``deals``, ``contacts``, ``merge``) as functions over an ``Account``.
Records are v2-shaped dicts that are *replaced*, never mutated, on every
write, so the search index can keep old versions by reference.
"""

from __future__ import annotations

import random
from bisect import insort
from collections.abc import Iterable, Mapping
from typing import Any

from ..clock import Clock
from .config import SandboxConfig
from .errors import not_found
from .fields import code_salt, new_field_code
from .paging import SortKey, sorted_keys
from .search import SearchIndex
from .seed import populate
from .values import format_time

Record = dict[str, Any]
SNAPSHOT_VERSION = 1
PURGE_AFTER = 30 * 86400.0  # deleted records stay listable with status=deleted this long


class Table:
    """One kind of record with sorted ids and soft deletes."""

    __slots__ = ("_orders", "_version", "deleted_at", "ids", "kind", "next_id", "rows")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.rows: dict[int, Record] = {}
        self.ids: list[int] = []  # sorted, for O(page) pagination by id
        self.next_id = 1
        self.deleted_at: dict[int, float] = {}  # wall time of the deletion
        self._version = 0
        self._orders: dict[str, tuple[int, list[SortKey]]] = {}

    def sorted_keys(self, sort_by: str) -> list[SortKey]:
        """Rows ordered by (``sort_by``, id), cached until the next write: a client
        paging by update_time through 100k rows sorts once, not once per page."""
        cached = self._orders.get(sort_by)
        if cached is None or cached[0] != self._version:
            cached = (self._version, sorted_keys(self.rows, sort_by))
            self._orders[sort_by] = cached
        return cached[1]

    def take_id(self) -> int:
        rid = self.next_id
        self.next_id += 1
        return rid

    def put(self, record: Record) -> None:
        rid = record["id"]
        if rid not in self.rows:
            if not self.ids or rid > self.ids[-1]:
                self.ids.append(rid)
            else:
                insort(self.ids, rid)
            self.next_id = max(self.next_id, rid + 1)
        self.rows[rid] = record
        self._version += 1

    def get(self, rid: int) -> Record | None:
        return self.rows.get(rid)

    def live(self, rid: int) -> Record | None:
        row = self.rows.get(rid)
        return None if row is None or row.get("is_deleted") else row

    def __len__(self) -> int:
        return len(self.rows)

    def dump(self) -> dict[str, Any]:
        return {"next_id": self.next_id, "rows": list(self.rows.values()),
                "deleted_at": {str(k): v for k, v in self.deleted_at.items()}}

    def restore(self, data: Mapping[str, Any]) -> None:
        self.rows.clear()
        self.ids.clear()
        self._version += 1
        for row in sorted(data["rows"], key=lambda r: r["id"]):
            self.put(row)
        self.next_id = max(self.next_id, int(data["next_id"]))
        self.deleted_at = {int(k): float(v) for k, v in data["deleted_at"].items()}


class Account:
    """One company: users, pipelines, stages, deal fields, deals, persons, organizations."""

    def __init__(self, config: SandboxConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.search = SearchIndex()
        self.search_lag = 0.0  # set by the server from the faults in force
        self.rng = random.Random()
        self.company: Record = {}
        self.users: dict[int, Record] = {}
        self.me_id = 1
        self.pipelines: dict[int, Record] = {}
        self.stages: dict[int, Record] = {}
        self.fields: dict[str, Record] = {}  # field_code -> field, standard first
        self.next_option_id = 1
        self.deals = Table("deal")
        self.persons = Table("person")
        self.orgs = Table("organization")
        # every custom field code this account ever gave, across resets (``new_code``)
        self.issued_codes: set[str] = set()
        self.reset()

    # -- lifecycle -----------------------------------------------------------

    def reset(self) -> None:
        """Back to the seeded account (same seed, same data: the seeded records keep their
        ids, the seeded fields their codes). What the API made before is gone for good, as
        a new account: no later create takes one of its ids (deal, person, organization,
        field option) nor a field its code (``new_code``) — Pipedrive never gives a
        record's id, nor a field's key, to another (a reset that did made a state folder's
        claims of the records gone name the new ones: x45r3 F5)."""
        kept = {t.kind: t.next_id for t in (self.deals, self.persons, self.orgs)}
        options = self.next_option_id
        self.rng = random.Random(f"pipedrive-sandbox-data-{self.config.seed}")
        self.search.clear()
        self.users.clear()
        self.pipelines.clear()
        self.stages.clear()
        self.fields.clear()
        self.next_option_id = 1
        self.deals = Table("deal")
        self.persons = Table("person")
        self.orgs = Table("organization")
        populate(self)
        for table in (self.deals, self.persons, self.orgs):
            table.next_id = max(table.next_id, kept.get(table.kind, 1))
        self.next_option_id = max(self.next_option_id, options)
        self.issued_codes.update(self.fields)

    def new_code(self) -> str:
        """A new custom field's 40-hex key (``fields.new_field_code``, from the account's
        rng): one no field of this account had before, a reset's included."""
        while True:
            code = new_field_code(self.rng, code_salt(self.company.get("id"), self.config.seed))
            if code not in self.issued_codes and code not in self.fields:
                self.issued_codes.add(code)
                return code

    # -- time ----------------------------------------------------------------

    def now_iso(self) -> str:
        return format_time(self.clock.wall())

    # -- lookups -------------------------------------------------------------

    def table(self, kind: str) -> Table:
        return {"deal": self.deals, "person": self.persons, "organization": self.orgs}[kind]

    def exists(self, kind: str, rid: int) -> bool:
        """Does a live record of ``kind`` (user, people/person, org/organization, ...) exist?"""
        if kind == "user":
            return rid in self.users
        if kind == "stage":
            return rid in self.stages
        if kind == "pipeline":
            return rid in self.pipelines
        name = {"people": "person", "org": "organization"}.get(kind, kind)
        return self.table(name).live(rid) is not None

    def lookup(self, kind: str, rid: int) -> Record:
        """A record for GET by id: deleted ones answer per ``config.deleted_lookup``."""
        row = self.table(kind).get(rid)
        if row is None or (row.get("is_deleted") and self.config.deleted_lookup == "not_found"):
            raise not_found(kind.capitalize())
        return row

    def live(self, kind: str, rid: int) -> Record:
        row = self.table(kind).live(rid)
        if row is None:
            raise not_found(kind.capitalize())
        return row

    def custom_fields(self) -> list[Record]:
        return [f for f in self.fields.values() if f["is_custom_field"]]

    def first_stage(self, pipeline_id: int) -> Record:
        stages = [s for s in self.stages.values() if s["pipeline_id"] == pipeline_id]
        return min(stages, key=lambda s: (s["order_nr"], s["id"]))

    def default_pipeline(self) -> Record:
        return min(self.pipelines.values(), key=lambda p: (p["order_nr"], p["id"]))

    def recently_deleted(self, table: Table, rid: int) -> bool:
        at = table.deleted_at.get(rid)
        return at is not None and self.clock.wall() - at <= PURGE_AFTER

    # -- writes --------------------------------------------------------------

    def save(self, kind: str, record: Record) -> Record:
        """Store a new version of a record and index it for search."""
        table = self.table(kind)
        if record.get("is_deleted") and record["id"] not in table.deleted_at:
            table.deleted_at[record["id"]] = self.clock.wall()
        table.put(record)
        self.search.record(kind, record["id"], None if record.get("is_deleted") else record,
                           self.clock.now())
        return record

    def take_option_ids(self, count: int) -> list[int]:
        first = self.next_option_id
        self.next_option_id += count
        return list(range(first, first + count))

    # -- snapshots -----------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {
            "version": SNAPSHOT_VERSION, "company": self.company, "me_id": self.me_id,
            "users": list(self.users.values()), "pipelines": list(self.pipelines.values()),
            "stages": list(self.stages.values()), "fields": list(self.fields.values()),
            "next_option_id": self.next_option_id, "deals": self.deals.dump(),
            "persons": self.persons.dump(), "organizations": self.orgs.dump(),
        }

    def restore(self, data: Mapping[str, Any]) -> None:
        if data.get("version") != SNAPSHOT_VERSION:
            raise ValueError("unsupported sandbox state file version")
        self.company = dict(data["company"])
        self.me_id = int(data["me_id"])
        self.users = {u["id"]: u for u in data["users"]}
        self.pipelines = {p["id"]: p for p in data["pipelines"]}
        self.stages = {s["id"]: s for s in data["stages"]}
        self.fields = {f["field_code"]: f for f in data["fields"]}
        self.next_option_id = int(data["next_option_id"])
        self.search.clear()
        for kind, key in (("deal", "deals"), ("person", "persons"),
                          ("organization", "organizations")):
            table = self.table(kind)
            table.restore(data[key])
            self._reindex(kind, table.rows.values())

    def _reindex(self, kind: str, rows: Iterable[Record]) -> None:
        # Restored and loaded records are searchable at once (no lag).
        for row in rows:
            self.search.settle(kind, row["id"], None if row.get("is_deleted") else row)

    def load(self, kind: str, records: Iterable[Record]) -> list[int]:
        """Insert or replace whole records (the admin API); returns their ids."""
        table = self.table(kind)
        ids = []
        for record in records:
            row = dict(record)
            if "id" not in row:
                row["id"] = table.take_id()
            if row.get("is_deleted"):
                table.deleted_at.setdefault(row["id"], self.clock.wall())
            table.put(row)
            ids.append(row["id"])
        self._reindex(kind, (table.rows[i] for i in ids))
        return ids


__all__ = ["PURGE_AFTER", "Account", "Record", "Table"]
