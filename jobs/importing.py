"""The import job kind: create (insert) or update (upsert) deals with their persons and orgs.

One item per manifest row, loaded by ``load`` (in ``import_load``): ``create``
items carry the addDeal body, ``update`` items the PATCH of the fields that
differ, unchanged rows are SKIPPED and bad rows FAILED at load time (never
sent). ``execute`` resolves the row's organization and person (created once
each: ``import_resolve``), then sends the deal.

Exactly once. addDeal has no idempotency key: a create whose answer is lost
(timeout, reset, 5xx, a crash) is in doubt, and ``reconcile`` settles it before
it is ever sent again — first the persons / organizations those rows may have
created, then the deals, by listing the deals added since the rows were sent
(newest first, with the key field) and matching their source keys. Found: DONE
with that deal's id. Not found: back to pending, sent again. Updates are PATCHes
and simply sent again.

Retry (``pdbulk retry``): failed rows go back to pending; a row that failed at
load time, or any pending row when the mapping file changed since the load, is
mapped again — with the mapping file as it is now and the account as it is now
(one catalog pull per run). Rows refused for a duplicate source key stay
refused.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import anyio

from bulk.errors import BulkError, InputError
from bulk.manifest import SourceRow
from bulk.runner import CallContext, RunResult
from bulk.store import AsyncJobStore, Item, ItemState, JobStore, Outcome

from .account import added_since, deal_key
from .import_resolve import Deferred, Resolver, refs_of
from .import_rows import ImportSettings, RowPlanner, file_sha, matched_by
from .mapping import Mapping as ImportMapping

# Clock skew allowed between this machine's send times and Pipedrive's add_time.
RECONCILE_MARGIN = 120.0
META_LOADED, META_KEY_CODE, META_SHA = "import.loaded", "import.key_code", "import.mapping_sha"


class MappingUnusable(BulkError):
    """Rows must be mapped again (retry) but the mapping file no longer compiles against the
    account: the job stops checkpointed; fix the mapping and resume."""

    terminal = True


class ImportJob:
    """The ``import`` job kind (see the module docstring)."""

    name = "import"

    def __init__(self, store: JobStore, settings: ImportSettings, key_code: str, *,
                 planner: RowPlanner | None = None, mapping_sha: str | None = None) -> None:
        self.store = store
        self.settings = settings
        self.key_code = key_code
        self.resolver = Resolver(AsyncJobStore(store))
        self._planner = planner
        self._planner_lock = anyio.Lock()
        self._unusable: MappingUnusable | None = None
        self.started = time.monotonic()
        current = file_sha(settings.mapping)
        self.mapping_changed = mapping_sha is not None and current is not None and \
            current != mapping_sha

    def __repr__(self) -> str:
        return (f"ImportJob({self.store.job_id!r}, mode={self.settings.mode}, "
                f"mapping_changed={self.mapping_changed}, {self.resolver!r})")

    @classmethod
    def from_store(cls, store: JobStore) -> ImportJob:
        """Rebuild the job kind for ``resume`` / ``retry``."""
        if not store.meta_get(META_LOADED):
            raise InputError(f"job {store.job_id} was interrupted while its manifest was being "
                             "loaded; nothing was sent yet: start the import again")
        settings = ImportSettings.from_json(store.config["import"])
        return cls(store, settings, str(store.meta_get(META_KEY_CODE)),
                   mapping_sha=store.meta_get(META_SHA))

    # -- mapping rows again (retry) ---------------------------------------------------------
    def _needs_mapping(self, item: Item) -> bool:
        payload = item.payload
        if payload.get("duplicate"):
            return False
        if "deal" not in payload and "changes" not in payload:
            return True
        return self.mapping_changed

    async def _planner_for(self, ctx: CallContext) -> RowPlanner:
        async with self._planner_lock:
            if self._unusable is not None:
                raise self._unusable
            if self._planner is None:
                s = self.settings
                try:
                    mapping = ImportMapping.load(s.mapping)
                    planner, _, _ = await RowPlanner.build(ctx, mapping, self._columns(),
                                                           mode=s.mode, create_key_field=False)
                except InputError as exc:
                    self._unusable = MappingUnusable(f"rows need mapping again, but: {exc}")
                    raise self._unusable from None
                if planner.key_code != self.key_code:
                    self._unusable = MappingUnusable(
                        "the mapping's key field is not the one this job was loaded with; "
                        "start a new import instead")
                    raise self._unusable
                self._planner = planner
            return self._planner

    def _columns(self) -> list[str]:
        stored = self.store.meta_get("source_columns")
        return [str(c) for c in stored] if isinstance(stored, list) else []

    async def _mapped_again(self, ctx: CallContext,
                            item: Item) -> tuple[str, dict[str, Any]] | Outcome:
        planner = await self._planner_for(ctx)
        values = item.payload.get("values") or {}
        decided = planner.decide(SourceRow(item.row or 0, 0, dict(values)), check_duplicate=False)
        if decided.state is ItemState.FAILED:
            return Outcome(item.id, ItemState.FAILED, error=decided.error,
                           result={"column": decided.payload.get("column")})
        if decided.state is ItemState.SKIPPED:
            return Outcome(item.id, ItemState.DONE, result=decided.payload["result"])
        return decided.op, decided.payload

    # -- one row ----------------------------------------------------------------------------
    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        op, payload = item.op, item.payload
        if self._needs_mapping(item):
            again = await self._mapped_again(ctx, item)
            if isinstance(again, Outcome):
                return again
            op, payload = again
        elif payload.get("duplicate"):
            return Outcome(item.id, ItemState.FAILED, error=str(payload["duplicate"]),
                           result={"column": payload.get("column")})
        try:
            org_id = await self.resolver.resolve(ctx, payload.get("org"))
            person_id = await self.resolver.resolve(ctx, payload.get("person"))
        except Deferred:
            return Outcome(item.id, ItemState.PENDING)
        if op == "update":
            return await self._update(ctx, item, payload, person_id, org_id)
        body = dict(payload["deal"])
        if person_id is not None:
            body["person_id"] = person_id
        if org_id is not None:
            body["org_id"] = org_id
        res = await ctx.call("addDeal", json=body)
        return Outcome(item.id, ItemState.DONE, result={
            "deal_id": res.data["id"], "action": "created", "person_id": person_id,
            "org_id": org_id, **matched_by(payload)})

    async def _update(self, ctx: CallContext, item: Item, payload: Mapping[str, Any],
                      person_id: int | None, org_id: int | None) -> Outcome:
        body = dict(payload["changes"])
        kept = payload.get("kept") or {}
        if payload.get("person") is not None:
            body["person_id"] = person_id
        if payload.get("org") is not None:
            body["org_id"] = org_id
        deal_id = payload["deal_id"]
        await ctx.call("updateDeal", path={"id": deal_id}, json=body)
        return Outcome(item.id, ItemState.DONE, result={
            "deal_id": deal_id, "action": "updated",
            "person_id": person_id if payload.get("person") is not None else kept.get("person_id"),
            "org_id": org_id if payload.get("org") is not None else kept.get("org_id"),
            **matched_by(payload)})

    # -- in doubt ---------------------------------------------------------------------------
    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """Persons / orgs first, then deals: each found is DONE, the rest goes back to pending."""
        if not items:
            return []
        since = min(i.sent_at or 0.0 for i in items) - RECONCILE_MARGIN
        refs = [ref for item in items for ref in refs_of(item.payload)]
        await self.resolver.reconcile(ctx, refs, since)
        creates = [i for i in items if i.op == "create" and i.key]
        found: dict[str, Mapping[str, Any]] = {}
        if creates:
            wanted = {i.key for i in creates}
            for deal in await added_since(ctx, "getDeals", since,
                                          params={"custom_fields": self.key_code}):
                key = deal_key(deal, self.key_code)
                if key is not None and key in wanted and (key not in found or deal["id"] < found[key]["id"]):
                    found[key] = deal
        out = []
        for item in items:
            hit = found.get(item.key or "") if item.op == "create" else None
            if hit is None:
                out.append(Outcome(item.id, ItemState.PENDING))
                continue
            out.append(Outcome(item.id, ItemState.DONE, result={
                "deal_id": hit["id"], "action": "created", "person_id": hit.get("person_id"),
                "org_id": hit.get("org_id"), "reconciled": True, **matched_by(item.payload)}))
        return out

    # -- after a run ------------------------------------------------------------------------
    def attach(self, planner: RowPlanner) -> None:
        """After ``load`` in this process: its planner (indexes) serves any re-mapping."""
        self.key_code = planner.key_code
        self._planner = planner
        self.mapping_changed = False

    def after_run(self, store: JobStore, result: RunResult | None) -> list[str]:
        """Rewrite the result files from the store; the lines the CLI prints."""
        from .import_load import record_run, summary_lines, write_import_results

        record_run(store, result, time.monotonic() - self.started)
        self.started = time.monotonic()
        paths = write_import_results(store, result)
        return summary_lines(store, paths)


__all__ = ["META_KEY_CODE", "META_LOADED", "META_SHA", "RECONCILE_MARGIN", "ImportJob",
           "MappingUnusable"]
