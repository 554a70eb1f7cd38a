"""Update fields of existing deals, sending only what changes.

``pdbulk update MANIFEST --mapping FILE``: each row names a deal by Pipedrive id
or by source key and gives new values through the import's mapping format
(docs/mapping.md: custom fields and options by label, money and dates parsed).
The current deals are read in bulk first (``GET /api/v2/deals?ids=``, 100 per
call, 10 tokens; by key: the list pull of ``index_deals_by_key``), each row is
compared with its deal, and a PATCH goes out only for deals that differ, with
only the differing fields. Unchanged rows cost nothing and are reported as
``unchanged``. The previous value of every field a PATCH changes is stored as a
before-image for ``pdbulk undo``.

Also here, because move-stage, merge and undo share them: before-images and
the bodies that restore them (``before_image``, ``restore_body``), ``PatchJob``
(the job kind that sends one prepared PATCH per item), ``Prepared`` (what a
job's load phase hands to the plan and the store) and the result files.

The diff and the before-images are ``jobs.deals``' (shared with the import's upsert,
move-stage, undo and dedupe); the mapping is the import's, read through ``UpdateMapping``.
"""

from __future__ import annotations

import time
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from bulk.calls import CallContext
from bulk.errors import InputError
from bulk.manifest import SourceRow, date_system, detect_format, read_manifest
from bulk.manifest import header as manifest_header
from bulk.reports import HOLD_DUPLICATE, hold_column
from bulk.runner import RunResult
from bulk.store import AsyncJobStore, BeforeImage, Item, ItemState, JobStore, NewItem, Outcome

from . import transforms as tf
from .account import (
    DealsByKey,
    ensure_key_field,
    index_deals_by_key,
    key_moved,
    key_problem,
    keyed_added_since,
)
from .catalog import Catalog, DealField
from .deals import (
    IDS_PER_CALL,
    Deal,
    batched_calls,
    before_image,
    deal_changes,
    drifted,
    in_flight,
    keys_now_twice,
    read_current,
    read_deals,
    recheck_batch_now,
    redecide_now,
    reread_calls,
    reread_targets,
)
from .import_rows import effective_header
from .mapping import Mapping as ImportMapping
from .mapping import MappingError, MappingFile, RowMapper, _option_problems, read_mapping_text
from .results import held, write_results
from .selection import parse_id

UPDATE_COLUMNS = ("row", "key", "deal_id", "action", "fields")
META_LOADED = "loaded"
META_KEY_FIELD = "key_field_code"  # by source key: the key field's code (a resume's scan)
LOAD_ERROR = "load_error"  # payload key of a row refused at load time
# Stand-ins that let the import mapping compile for updates (see UpdateMapping).
_KEEP_TITLE = "__pdbulk_keep_title__"
_ID_FIELD = "__pdbulk_deal_id__"
MAX_CUSTOM_KEYS = 15  # getDeals' custom_fields parameter takes at most 15 keys


# -- result columns ---------------------------------------------------------------------------
def changed_names(changes: Mapping[str, Any], catalog: Catalog | None = None) -> str:
    """``value; stage_id; Lead source``: what a PATCH changes, for succeeded.csv."""
    names = [k for k in changes if k != "custom_fields"]
    for code in changes.get("custom_fields") or {}:
        try:
            names.append(catalog.field_by_code(code).name if catalog else code)
        except InputError:
            names.append(code)
    return "; ".join(names)


# -- what a load phase produces ---------------------------------------------------------------
@dataclass
class Prepared:
    """A job's items and before-images, and the calls its run will make (for the plan)."""

    kind: str
    items: list[NewItem] = field(default_factory=list)
    images: list[BeforeImage] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)  # the run's calls by operation
    actions: Counter[str] = field(default_factory=Counter)  # rows by what will happen
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)  # kv entries for the job store

    @property
    def rows(self) -> int:
        return sum(1 for i in self.items if i.row is not None)

    @property
    def bad_rows(self) -> int:
        return sum(1 for i in self.items if i.state is ItemState.FAILED)

    def add(self, item: NewItem, action: str) -> None:
        self.items.append(item)
        self.actions[action] += 1

    def fail(self, row: int | None, key: str | None, reason: str, *, op: str,
             values: Mapping[str, Any] | None = None, column: str | None = None,
             action: str = "failed", final: bool = True, **payload: Any) -> None:
        """A row refused at load time; ``final``: `pdbulk retry` refuses it again (the row
        must be fixed in a new job), else the job kind checks it again."""
        extra = {LOAD_ERROR: reason} if final else {}
        self.add(NewItem(row=row, key=key, op=op, state=ItemState.FAILED, error=reason,
                         payload={**payload, **extra, "values": dict(values or {}),
                                  "column": column}), action)

    def skip(self, row: int | None, key: str | None, result: Mapping[str, Any], *, op: str,
             values: Mapping[str, Any] | None = None, **payload: Any) -> None:
        self.add(NewItem(row=row, key=key, op=op, state=ItemState.SKIPPED,
                         payload={**payload, "values": dict(values or {}),
                                  "result": dict(result)}), str(result.get("action")))

    def save(self, store: JobStore) -> None:
        """Write everything into a new job's store (before-images first: they must exist
        before any item can be sent)."""
        store.put_before_images(self.images)
        for key, value in self.meta.items():
            store.meta_put(key, value)
        store.add_items(self.items)
        store.mark_loaded()  # last: a job cut short while loading never runs


# the label of the key field an import's load may create (``sent_while_loading``). Until
# now this line rebound META_KEY_FIELD, so update / move-stage jobs kept their key field's
# code under this name too: ``key_field_code`` reads it there for such jobs
META_KEY_LABEL = "load.key_field"


def key_field_code(store: JobStore) -> str | None:
    """The key field's code of an update / move-stage job by source key (None: not by
    key): meta ``key_field_code``, or where jobs loaded before it existed kept it."""
    for name in (META_KEY_FIELD, META_KEY_LABEL):
        code = store.meta_get(name)
        if isinstance(code, str) and code:
            return code
    return None


def sent_while_loading(store: JobStore) -> str:
    """What a job's load (cut short: a kill -9, a power cut) changed in the account, from
    its spend ledger (charged before each call leaves, so a kill loses none): "nothing was
    sent", "only the key field 'Source key' was created (addDealField 1)", or the writes by
    operation. A refunded call the kill kept from the ledger counts as sent: conservative."""
    from bulk.operations import get_operation

    writes = {op: calls for op, (_, calls) in store.spend_by_operation().items()
              if calls and get_operation(op).is_write}
    if not writes:
        return "nothing was sent"
    sent = ", ".join(f"{op} {n:,}" for op, n in sorted(writes.items()))
    if set(writes) == {"addDealField"}:
        label = store.meta_get(META_KEY_LABEL)
        field = f"the key field {label!r}" if isinstance(label, str) else "the key field"
        return f"only {field} was created ({sent}; it stays: the next import uses it)"
    return f"already sent: {sent}"


def check_loaded(store: JobStore) -> None:
    """InputError for a job whose load was cut short (it would run only part of its rows);
    the message says what the load sent (``sent_while_loading``)."""
    if not store.loaded:
        raise InputError(f"job {store.job_id} was interrupted while it was being loaded; "
                         f"{sent_while_loading(store)}: start it again")


def refused(item: Item) -> Outcome | None:
    """A row refused at load time stays refused when `pdbulk retry` sends it again."""
    reason = item.payload.get(LOAD_ERROR)
    if reason is None:
        return None
    return Outcome(item.id, ItemState.FAILED, error=f"{reason} (refused when the job was "
                                                   "loaded: fix it and start a new job)")


# -- after a run ------------------------------------------------------------------------------
def write_job_results(store: JobStore, result: RunResult | None,
                      columns: Sequence[str], *, extra: Mapping[str, Any] | None = None,
                      lines_extra: Sequence[str] = ()) -> list[str]:
    """Rewrite the job's result files from its store; the lines the CLI prints.
    ``extra``: a kind's own summary.json entries; ``lines_extra``: its own lines."""
    stats = result.stats if result is not None else None
    summary = {"rate_limited": stats.rate_limited if stats else 0,
               "reconciled": stats.reconciled if stats else 0, **(extra or {})}
    paths = write_results(store, success_columns=columns, summary=summary, hold_column=True)
    data = orjson.loads(paths["summary"].read_bytes())
    rows = data["rows"]
    did = ", ".join(f"{n:,} {a}" for a, n in data["actions"].items()) or "nothing done"
    lines = [f"rows: {rows['total']:,} — {did}; {rows['failed']:,} failed; "
             f"{rows['unprocessed']:,} unprocessed", *lines_extra,
             f"tokens: {data['tokens']:,} (" + ", ".join(
                 f"{op} {t:,}" for op, t in sorted(data["tokens_by_operation"].items())) + ")"]
    return lines + [f"{name:>12}: {path}" for name, path in paths.items()]


def _images(store: JobStore | None, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The before-images ``store`` holds for these deals (deal id → before; the first one
    stored wins: the picture taken at load)."""
    if store is None:
        return {}
    wanted = set(ids)
    out: dict[int, dict[str, Any]] = {}
    for image in store.before_images("deal"):
        if image.entity_id in wanted:
            out.setdefault(image.entity_id, image.before)
    return out


# -- the job kind -----------------------------------------------------------------------------
class PatchJob:
    """Sends one prepared PATCH per item (``payload["changes"]``). PATCH is idempotent, but
    an item left in flight is never re-sent blindly: ``reconcile`` decides it against the
    deal as it is now (someone may have changed it while the run was dead).

    ``store``: the job's store (its before-images decide in-flight items); without one
    (a kind built by hand) every in-flight deal not yet as wanted is sent again."""

    name = "patch"
    action = "updated"

    def __init__(self, store: JobStore | None = None) -> None:
        self._store = store

    @classmethod
    def from_store(cls, store: JobStore) -> PatchJob:
        check_loaded(store)
        return cls(store)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        if (again := refused(item)) is not None:
            return again
        deal_id = item.payload["deal_id"]
        res = await ctx.call("updateDeal", path={"id": deal_id}, json=item.payload["changes"])
        data = res.data if isinstance(res.data, Mapping) else {}
        return Outcome(item.id, ItemState.DONE, result={
            "deal_id": deal_id, "action": self.action, "fields": item.payload.get("fields"),
            "update_time": data.get("update_time")})

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """Decide PATCHes left in flight (a run died while they were handed out: the write
        may or may not have applied) against the deals as they are now, read 100 per call
        (``GET /api/v2/deals?ids=``, 10 tokens; rows that unarchive also from the archived
        list) — never re-sent blindly (issue 9, F2). Per item (``jobs.deals.in_flight``):

        - deal as the PATCH wants it, before-image not → the write applied: DONE as a
          normal success (``action`` as sent, ``reconciled``; undo owns it);
        - deal as wanted, before-image too → SKIPPED ``unchanged``;
        - deal gone → FAILED (404), nothing sent;
        - written fields still as the before-image → not applied: the selection is
          checked again (``_unselected``), then back to pending (the attempt the dead run
          counted is given back: kills must not use up a row's attempts);
        - anything else → a *conflict*: FAILED, nothing sent (someone else's value).

        A row refused at load time goes back to pending (``execute`` refuses it again)."""
        checked = [i for i in items
                   if refused(i) is None and isinstance(i.payload.get("changes"), Mapping)]
        out = [Outcome(i.id, ItemState.PENDING, unsent=True) for i in items
               if i not in checked]
        if not checked:
            return out
        ids, archived = reread_targets(checked)
        current = await read_current(ctx, ids, archived)
        images = _images(self._store, ids)
        for item in checked:
            deal_id = int(item.payload["deal_id"])
            deal = current.get(deal_id)
            verdict, drift = in_flight(deal, images.get(deal_id), item.payload["changes"])
            if verdict == "unsent" and deal is not None and self._store is not None:
                why = self._unselected(self._store, deal)
                if why is not None:
                    out.append(Outcome(item.id, ItemState.FAILED, error=(
                        f"not {self.action}: deal {deal_id} no longer matches the selection "
                        f"({why}); it was in flight when the run stopped and was not "
                        "applied; nothing sent")))
                    continue
            out.append(self._settled(item, deal_id, deal, verdict, drift))
        return out

    def _settled(self, item: Item, deal_id: int, deal: Deal | None, verdict: str,
                 drift: str) -> Outcome:
        """The outcome of an in-flight item from its ``in_flight`` verdict."""
        if verdict == "gone":
            return Outcome(item.id, ItemState.FAILED, status=404, error=(
                f"deal {deal_id} no longer exists (deleted or archived while the write was "
                "in flight); nothing sent"))
        if verdict == "conflict":
            return Outcome(item.id, ItemState.FAILED, error=(
                f"conflict: deal {deal_id} changed while the write was in flight ({drift}); "
                "left alone, nothing sent (start a new job to overwrite it)"))
        if verdict == "unsent":
            return Outcome(item.id, ItemState.PENDING, unsent=True)
        assert deal is not None
        fields = item.payload.get("fields")
        if verdict == "unchanged":
            return Outcome(item.id, ItemState.SKIPPED, result={
                "deal_id": deal_id, "action": "unchanged", "fields": fields})
        return Outcome(item.id, ItemState.DONE, result={
            "deal_id": deal_id, "action": self.action, "fields": fields,
            "update_time": deal.get("update_time"), "reconciled": True})

    @staticmethod
    def _rereading(store: JobStore) -> tuple[list[Item], list[int], list[int]]:
        """The pending items a resume re-reads, their deal ids, and the ids of those whose
        PATCH unarchives the deal (read from the archived list as well)."""
        pending = [i for i in store.items(ItemState.PENDING)
                   if refused(i) is None and isinstance(i.payload.get("changes"), Mapping)]
        return (pending, *reread_targets(pending))

    def reread_calls(self, store: JobStore) -> dict[str, int]:
        """The calls ``before_resume`` makes now, by operation (for the plan): the pending
        deals, and for a job by source key the first page of each deals list added since
        the load (``_keys_again``)."""
        pending, ids, archived = self._rereading(store)
        calls = dict(reread_calls(ids, archived))
        if pending and key_field_code(store):
            calls["getDeals"] = calls.get("getDeals", 0) + 1
            calls["getArchivedDeals"] = calls.get("getArchivedDeals", 0) + 1
        return calls

    async def _keys_again(self, ctx: CallContext, store: JobStore,
                          pending: Sequence[Item]) -> list[Outcome]:
        """For a job by source key: the pending items whose key a deal added since the load
        carries too (live or archived), failed naming both (``deals.keys_now_twice``)."""
        code = key_field_code(store)
        keyed = [i for i in pending if i.key and isinstance(i.payload.get("deal_id"), int)]
        if not code or not keyed:
            return []
        from .importing.base import RECONCILE_MARGIN

        found = await keyed_added_since(ctx, (store.created_at or 0.0) - RECONCILE_MARGIN,
                                        str(code))
        return keys_now_twice(keyed, found, verb=self.action)

    def resume_calls(self, store: JobStore) -> dict[str, int]:
        """The calls a resume makes now, by operation: the re-read of the pending deals, the
        reconcile's read of the deals in doubt (``reconcile``), then at most one PATCH
        per pending or in-doubt item (fewer when the reads find some unchanged, gone or
        in conflict; none for a row refused at load time, which stays refused)."""
        calls = Counter(self.reread_calls(store))
        doubt = [i for i in store.items(ItemState.SENDING)
                 if refused(i) is None and isinstance(i.payload.get("changes"), Mapping)]
        if doubt:
            calls.update(reread_calls(*reread_targets(doubt)))
        calls["updateDeal"] += sum(1 for state in (ItemState.PENDING, ItemState.SENDING)
                                   for item in store.items(state) if refused(item) is None)
        return {op: n for op, n in calls.items() if n}

    async def before_resume(self, ctx: CallContext, store: JobStore) -> list[str]:
        """Re-decide the pending items against the deals as they are now (issue 9 §4): a
        resumed job (or one that waited at its prompt, or a retry) must not work from the
        picture taken when it was loaded.

        Reads the deals 100 per call (``GET /api/v2/deals?ids=``, openapi-v2; the deals
        of rows that unarchive also from ``GET /api/v2/deals/archived?ids=``, which is
        where an archived deal is). Per pending item, in this order:

        - a deal that no longer exists (deleted; or archived, for a row that does not
          unarchive: the default list omits it) fails its row with that reason, status
          404, nothing sent;
        - a deal already as the item wants it becomes SKIPPED ``unchanged`` (no PATCH);
        - a deal that no longer matches the job's selection (``_unselected``: move-stage's
          stage / pipeline / status / owner / updated-before filter) fails its row
          ("not moved: no longer matches ..."), nothing sent;
        - a *conflict*: a deal someone changed since the load in a field this job's
          before-image holds (the fields it writes, with their stage/pipeline and status
          companions) fails its row ("conflict: ..."), nothing sent — another user's value
          is never overwritten silently, and the stored before-image, which undo would put
          back, is never older than the deal right before this job's write.

        The rest stay pending as decided. Returns the lines to print."""
        pending, _, _ = self._rereading(store)
        if not pending:
            return []
        everyone = len(pending)
        twice = await self._keys_again(ctx, store, pending)
        if twice:
            await AsyncJobStore(store).record(twice)
            failed = {o.item_id for o in twice}
            pending = [i for i in pending if i.id not in failed]
        decided = await redecide_now(ctx, store, pending, lambda item, deal, image:
                                     self._now(store, item, deal, image,
                                               "since the job was planned"))
        counts = Counter(what for what, _ in decided)
        counts["on two deals"] = len(twice)
        await AsyncJobStore(store).record([outcome for _, outcome in decided])
        settled = sum(counts.values())
        extra = "".join(f", {counts[k]:,} {k}" for k in (
            "no longer selected", "conflicts", "on two deals", "no longer carry their key")
            if counts[k])
        return [f"re-read {everyone:,} pending deal(s): {counts['unchanged']:,} already "
                f"as wanted (unchanged), {counts['gone']:,} gone{extra}, "
                f"{everyone - settled:,} to send"]

    def _now(self, store: JobStore, item: Item, deal: Deal | None,
             image: Mapping[str, Any] | None, since: str) -> tuple[str, Outcome] | None:
        """A pending PATCH decided against its deal as just read (``before_resume``,
        ``recheck``): (what became of it, its outcome), or None to send it as decided.
        ``since``: when the picture was taken, for the messages."""
        deal_id = int(item.payload["deal_id"])
        if deal is None or deal.get("is_deleted"):
            return "gone", Outcome(item.id, ItemState.FAILED, status=404, error=(
                f"deal {deal_id} no longer exists (deleted or archived {since}); "
                "nothing sent"))
        if (moved := key_moved(deal, key_field_code(store), item.key)) is not None:
            return "no longer carry their key", Outcome(item.id, ItemState.FAILED, error=(
                f"deal {deal_id} no longer carries key {item.key} (its key field holds "
                f"{moved} {since}); not {self.action}, nothing sent"))
        if not deal_changes(deal, item.payload["changes"]):
            return "unchanged", Outcome(item.id, ItemState.SKIPPED, result={
                "deal_id": deal_id, "action": "unchanged", "fields": item.payload.get("fields")})
        if (why := self._unselected(store, deal)) is not None:
            return "no longer selected", Outcome(item.id, ItemState.FAILED, error=(
                f"not {self.action}: deal {deal_id} no longer matches the selection "
                f"({why}) {since}; nothing sent"))
        if drift := drifted(deal, image, item.payload["changes"]):
            return "conflicts", Outcome(item.id, ItemState.FAILED, error=(
                f"conflict: deal {deal_id} changed {since} ({drift}); left alone, nothing "
                "sent (start a new job to overwrite it)"))
        return None

    async def recheck(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """The runner's re-check of a batch right before it is sent (``bulk.runner``): the
        batch's deals read now, 100 per ``GET /api/v2/deals?ids=`` (10 tokens; rows that
        unarchive also from ``GET /api/v2/deals/archived?ids=``, 20 tokens), each item
        decided as ``before_resume`` decides it (gone → FAILED 404; already as wanted →
        SKIPPED ``unchanged``; no longer selected → FAILED; a field of its before-image
        someone changed since the load → FAILED conflict): a colleague's change made
        while the job runs is neither overwritten nor, by a later undo, lost. The
        outcomes of the items not to send; the rest are sent, their before-images renewed
        to this read where the deal still holds the image (``image_holds``; a drifted
        deal keeps the load's). Without a store (a kind built by hand): nothing read."""
        if self._store is None:
            return []
        checked = [i for i in items
                   if refused(i) is None and isinstance(i.payload.get("changes"), Mapping)]
        if not checked:
            return []
        store = self._store
        return await recheck_batch_now(ctx, store, checked, lambda item, deal, image:
                                       self._now(store, item, deal, image, "while the job ran"))

    def recheck_calls(self, store: JobStore, size: int,
                      states: Sequence[ItemState] = (ItemState.PENDING,)) -> dict[str, int]:
        """The calls ``recheck`` makes over the items now in ``states`` (in id order,
        ``size`` per batch: ``bulk.runner.recheck_batch``), by operation (for plans)."""
        items = sorted((i for state in states for i in store.items(state)),
                       key=lambda i: i.id)

        def reads(batch: list[Item]) -> dict[str, int]:
            return reread_calls(*reread_targets(
                [i for i in batch if refused(i) is None
                 and isinstance(i.payload.get("changes"), Mapping)]))
        return batched_calls(items, size, reads)

    def _unselected(self, store: JobStore, deal: Deal) -> str | None:
        """Why ``deal`` no longer matches the job's selection (None: it does, or the job
        kind selects by name, not by a filter)."""
        return None

    def after_run(self, store: JobStore, result: RunResult | None) -> list[str]:
        return write_job_results(store, result, UPDATE_COLUMNS)


class UpdateJob(PatchJob):
    name = "update"
    action = "updated"


# -- the mapping, read for updates ------------------------------------------------------------
class UpdateSection(BaseModel):
    """``[update]``: how a row names its deal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id_column: str | None = None
    key_column: str | None = None
    key_field: str = "Import source key"

    @model_validator(mode="after")
    def _one(self) -> UpdateSection:
        if (self.id_column is None) == (self.key_column is None):
            raise ValueError("give either id_column or key_column")
        return self


@dataclass(frozen=True)
class UpdateMapping:
    """An import mapping file (docs/mapping.md) read for updates.

    The deal is named by ``[update] id_column`` (Pipedrive ids) or ``key_column`` +
    ``key_field`` (source keys; an import mapping's ``[import]`` section works as is).
    Every ``[deal]`` target is optional, ``title`` included; an empty cell changes nothing.
    """

    mapping: ImportMapping
    by: Literal["id", "key"]
    column: str
    key_field: str | None

    @classmethod
    def load(cls, path: str | Path) -> UpdateMapping:
        return cls.loads(read_mapping_text(path), source=str(path))

    @classmethod
    def loads(cls, text: str, *, source: str = "mapping") -> UpdateMapping:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise MappingError([("", f"not valid TOML: {exc}")], source=source) from None
        raw = data.pop("update", None)
        if raw is not None:
            try:
                section = UpdateSection.model_validate(raw)
            except ValidationError as exc:
                raise MappingError([(f"update.{'.'.join(map(str, e['loc']))}".rstrip("."),
                                     e["msg"].removeprefix("Value error, "))
                                    for e in exc.errors()], source=source) from None
            data.pop("import", None)
        elif isinstance(data.get("import"), dict) and "key_column" in data["import"]:
            section = UpdateSection(key_column=str(data["import"]["key_column"]),
                                    key_field=str(data["import"].get("key_field",
                                                                     "Import source key")))
        else:
            raise MappingError([("update", "say how rows name their deal: [update] id_column "
                                           "= ... or key_column = ...")], source=source)
        by: Literal["id", "key"] = "id" if section.id_column is not None else "key"
        column = section.id_column or section.key_column or ""
        data["import"] = {"key_column": column,
                          "key_field": _ID_FIELD if by == "id" else section.key_field}
        deal = data.setdefault("deal", {})
        if isinstance(deal, dict):
            deal["title"] = _optional_title(deal.get("title"))
        extra = [name for name in ("person", "organization") if name in data]
        if extra:
            raise MappingError([(name, "updates do not link persons or organizations")
                                for name in extra], source=source)
        try:
            mapping = _checked(MappingFile.model_validate(data), source)
        except ValidationError as exc:
            raise MappingError([(_renamed(".".join(map(str, e["loc"])), section), e["msg"])
                                for e in exc.errors()], source=source) from None
        return cls(mapping, by, column, section.key_field if by == "key" else None)

    def compile(self, catalog: Catalog, *, header: Sequence[str] | None = None) -> RowMapper:
        """Resolve every name against the account (MappingError lists every problem)."""
        if self.by == "id":
            catalog = replace(catalog, deal_fields=(*catalog.deal_fields, DealField(
                _ID_FIELD, _ID_FIELD, "varchar", is_custom=True)))
        try:
            return self.mapping.compile(catalog, header=None if header is None else
                                        effective_header(self.mapping, header))
        except MappingError as exc:
            section = UpdateSection(id_column=self.column) if self.by == "id" else UpdateSection(
                key_column=self.column, key_field=self.key_field or "")
            raise MappingError([(_renamed(k, section), r) for k, r in exc.problems],
                               source=self.mapping.source) from None

    def custom_codes(self, mapper: RowMapper) -> list[str]:
        return [step.name for step in mapper.customs]


def _optional_title(spec: object) -> object:
    """``title`` made optional: a stand-in default that ``wanted_values`` drops again."""
    if spec is None:
        return {"default": _KEEP_TITLE}
    if isinstance(spec, str):
        kind = "template" if tf.Template.is_template(spec) else "column"
        return {kind: spec, "default": _KEEP_TITLE}
    if isinstance(spec, dict) and "default" not in spec:
        return {**spec, "default": _KEEP_TITLE}
    return spec


def _checked(spec: MappingFile, source: str) -> ImportMapping:
    """What ``Mapping.loads`` checks after the schema (the same function, not a copy)."""
    problems = _option_problems(spec)
    if problems:
        raise MappingError(problems, source=source)
    return ImportMapping(spec, source=source)


def _renamed(key: str, section: UpdateSection) -> str:
    """Problems with the stand-in [import] section, named after [update]."""
    if key.startswith("import.key_column"):
        return "update.id_column" if section.id_column else "update.key_column"
    if key.startswith("import.key_field"):
        return "update.key_field"
    return key.replace("import_", "update")


def wanted_values(mapper: RowMapper, row: SourceRow) -> tuple[str, dict[str, Any]]:
    """(the row's deal id or key, the values it wants): InputError for a bad row."""
    mapped = mapper.map(row)
    deal = dict(mapped.deal)
    if deal.get("title") == _KEEP_TITLE:
        del deal["title"]
    custom = dict(deal.pop("custom_fields", {}))
    custom.pop(mapper.key_code, None)  # the id stand-in, or the key the deal already has
    if custom:
        deal["custom_fields"] = custom
    return mapped.key, deal


# -- the load phase ---------------------------------------------------------------------------
async def prepare_update(ctx: CallContext, manifest: str | Path, umap: UpdateMapping,
                         catalog: Catalog, *, now: float | None = None,
                         unarchive: bool = False, encoding: str | None = None,
                         sheet: str | None = None) -> Prepared:
    """Read the manifest and the current deals, and decide each row's PATCH (or none).

    By key, a key two deals carry fails its row; so does a key only an archived deal
    carries, unless ``unarchive`` (its PATCH then also sets ``is_archived: false``)."""
    taken = time.time() if now is None else now
    encoding = encoding or umap.mapping.encoding  # --encoding, [defaults] encoding, detected
    head = manifest_header(manifest, encoding=encoding, sheet=sheet)
    umap.mapping.check_date_system(date_system(manifest, sheet=sheet))
    mapper = umap.compile(catalog, header=head)
    prep = Prepared("update", meta={"source_columns": head, "mapping": umap.mapping.source,
                                    "by": umap.by})
    by_key: dict[str, Deal] = {}
    if umap.by == "key":
        key_code, catalog = await ensure_key_field(ctx, catalog, umap.key_field or "",
                                                   create=False)
        codes = [key_code, *umap.custom_codes(mapper)]
        wanted_codes: object = ",".join(dict.fromkeys(codes)) if len(set(codes)) <= \
            MAX_CUSTOM_KEYS else None
        by_key = await index_deals_by_key(ctx, key_code, params={"custom_fields": wanted_codes})
        prep.meta[META_KEY_FIELD] = key_code  # a resume looks for deals added with the keys
    claimed: dict[int, int] = {}  # deal id -> the row that updates it
    holds = hold_column(head)  # a failed-rows file: its held rows stay refused
    batch: list[tuple[SourceRow, int, dict[str, Any]]] = []

    async def flush() -> None:
        deals = await read_deals(ctx, [deal_id for _, deal_id, _ in batch])
        for source, deal_id, wanted in batch:
            _decide(prep, catalog, source, str(deal_id), deals.get(deal_id), wanted, claimed,
                    taken, what="id")
        batch.clear()

    named: dict[str, int] = {}  # a deal id / key -> the first row naming it, good or bad
    for source in read_manifest(manifest, encoding=encoding, sheet=sheet,
                                columns={umap.column, *umap.mapping.columns()}):
        refusal = held(source.values, holds, source.values.get(umap.column),
                       typed_source=detect_format(manifest) != "csv")
        if refusal is not None:
            prep.fail(source.row, None, refusal[1], op="update", values=source.values,
                      column=holds, hold=refusal[0])
            continue
        named_ref = _named_ref(source.values.get(umap.column), umap.by)
        first = named.setdefault(named_ref, source.row) if named_ref else source.row
        try:
            ref, wanted = wanted_values(mapper, source)
        except InputError as exc:
            if first != source.row:  # fixed and run alone, it would overwrite that row's
                prep.fail(source.row, named_ref, _named_twice(umap.by, named_ref, first)
                          + f"; this row also fails: {exc.reason}", op="update",
                          values=source.values, column=umap.column, hold=HOLD_DUPLICATE)
            else:
                prep.fail(source.row, None, exc.reason, op="update", values=source.values,
                          column=exc.column)
            continue
        if first != source.row:  # whether that row was good or bad: one row per deal
            prep.fail(source.row, ref, _named_twice(umap.by, named_ref, first), op="update",
                      values=source.values, column=umap.column, hold=HOLD_DUPLICATE)
            continue
        if umap.by == "key":
            problem = key_problem(by_key, ref, unarchive=unarchive)
            if problem is not None:
                prep.fail(source.row, ref, problem, op="update", values=source.values,
                          column=umap.column)
                continue
            current = by_key.get(ref)
            if current is None and unarchive and isinstance(by_key, DealsByKey) \
                    and ref in by_key.archived:
                current, wanted = by_key.archived[ref], {**wanted, "is_archived": False}
            _decide(prep, catalog, source, ref, current, wanted, claimed, taken, what="key")
            continue
        try:
            deal_id = parse_id(ref)
        except InputError as exc:
            prep.fail(source.row, ref, exc.reason, op="update", values=source.values,
                      column=umap.column)
            continue
        batch.append((source, deal_id, wanted))
        if len(batch) >= IDS_PER_CALL:
            await flush()
    if batch:
        await flush()
    prep.calls["updateDeal"] += prep.actions["update"]
    return prep


def _named_ref(raw: object, by: str) -> str | None:
    """The deal a row names, as text that two rows naming one deal share (``12`` and
    ``12.0`` alike by id; the cleaned key by key); None when the cell names none."""
    try:
        return str(parse_id(raw)) if by != "key" else tf.source_key(raw)
    except InputError:
        return None


def _named_twice(by: str, ref: str | None, first: int) -> str:
    what = "key" if by == "key" else "id"
    return (f"deal {what} {ref!r} is also named by row {first} (each deal is updated once a "
            "run: fixed and run alone, this row would overwrite that row's update; check "
            "which row is right, then empty this row's hold cell)")


def _decide(prep: Prepared, catalog: Catalog, source: SourceRow, ref: str,
            current: Deal | None, wanted: dict[str, Any], claimed: dict[int, int],
            taken: float, *, what: str) -> None:
    if current is None or current.get("is_deleted"):
        prep.fail(source.row, ref, f"no deal with {what} {ref!r} (missing, deleted or "
                                   "archived)", op="update", values=source.values)
        return
    deal_id = int(current["id"])
    if deal_id in claimed:
        prep.fail(source.row, ref, f"deal {deal_id} is already updated by row "
                                   f"{claimed[deal_id]} (each deal is updated once a run; "
                                   "re-run alone, this row would overwrite that update)",
                  op="update", values=source.values, hold=HOLD_DUPLICATE)
        return
    claimed[deal_id] = source.row
    changes = deal_changes(current, wanted)
    if not changes:
        prep.skip(source.row, ref, {"deal_id": deal_id, "action": "unchanged"}, op="update",
                  values=source.values, deal_id=deal_id)
        return
    names = changed_names(changes, catalog)
    prep.add(NewItem(row=source.row, key=ref, op="update", payload={
        "deal_id": deal_id, "changes": changes, "fields": names, "values": source.values}),
        "update")
    prep.images.append(BeforeImage("deal", deal_id, None, before_image(current, changes), taken))




__all__ = ["LOAD_ERROR", "META_KEY_LABEL", "META_LOADED", "UPDATE_COLUMNS", "key_field_code",
           "PatchJob", "Prepared",
           "UpdateJob", "UpdateMapping", "changed_names", "check_loaded", "drifted", "prepare_update",
           "refused", "wanted_values", "write_job_results"]
