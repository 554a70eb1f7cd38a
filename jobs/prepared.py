"""What a job's load phase produces, and what every job kind checks of it.

``Prepared`` (the items, before-images and planned calls a load hands to the plan and
the store), the load's own checks (``check_loaded``, ``sent_while_loading``, ``refused``:
a row refused at load time stays refused), the key field's code of a job by source key,
and the result files written after a run (``write_job_results``, ``changed_names``).
Shared by update, move-stage, merge, undo and dedupe; moved out of ``jobs.updating``
(issue 8), which still re-exports every name. It sends nothing.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from bulk.errors import InputError
from bulk.manifest_row import at_line
from bulk.runner import RunResult
from bulk.store import BeforeImage, Item, ItemState, JobStore, NewItem, Outcome

from . import transforms as tf
from .catalog import Catalog
from .clock_skew import RECONCILE_MARGIN
from .deals import (
    META_FIELD_LABELS,
    META_FIELD_TYPES,
    META_VALUE_LABELS,
    changed_fields,
    field_types,
    label,
)
from .results import META_TYPED, rate_limited_why, tokens_line, write_results

META_LOADED = "loaded"
META_KEY_FIELD = "key_field_code"  # by source key: the key field's code (a resume's scan)
# by source key: per list, the deals changed since the scan's start as the load saw them
# (``DealsByKey.changed``): the pages of that scan its plan counts (``PatchJob.reread_calls``)
META_KEY_CHANGED = "key_changed_since"
LOAD_ERROR = "load_error"  # payload key of a row refused at load time


# -- result columns ---------------------------------------------------------------------------
def changed_names(changes: Mapping[str, Any], catalog: Catalog | None = None,
                  labels: Mapping[str, str] | None = None) -> str:
    """``value; stage_id; Lead source``: what a PATCH changes, for succeeded.csv. A custom
    field is named from ``catalog`` or ``labels`` (key -> name), by its key when neither
    knows it (a field deleted since)."""
    names = [k for k in changes if k != "custom_fields"]
    for code in changes.get("custom_fields") or {}:
        try:
            names.append(catalog.field_by_code(code).name if catalog else label(code, labels))
        except InputError:
            names.append(label(code, labels))
    return "; ".join(names)


def remember_labels(prep: Prepared, changes: Mapping[str, Any], catalog: Catalog) -> None:
    """Keep the names of the custom fields ``changes`` writes in the job
    (``META_FIELD_LABELS``): a conflict found on resume names them, not their keys; and
    the types of those a comparison reads by type (``META_FIELD_TYPES``: a re-check
    compares a phone or long text as the load did); and what the ids of the fields its
    before-image holds are called (``META_VALUE_LABELS``: option labels, stage, pipeline
    and user names), which a conflict shows instead of the ids."""
    named: dict[str, dict[str, str]] = prep.meta.setdefault(META_VALUE_LABELS, {})
    written = {k for k in changes if k != "custom_fields"}
    if written & {"stage_id", "pipeline_id"}:  # the image holds both (``before_image``)
        written |= {"stage_id", "pipeline_id"}
    for name in [*sorted(written), *(changes.get("custom_fields") or {})]:
        if name not in named:  # {} too: a field whose values are no ids is asked once
            named[name] = catalog.value_names(name)
    for code in changes.get("custom_fields") or {}:
        held: dict[str, str] = prep.meta.setdefault(META_FIELD_LABELS, {})
        if code not in held:
            with contextlib.suppress(InputError):
                field = catalog.field_by_code(code)
                held[code] = field.name
                if typed := field_types([field]):
                    prep.meta.setdefault(META_FIELD_TYPES, {}).update(typed)


def moves_pipeline(stage_pipelines: Mapping[int, int], current: Mapping[str, Any],
                   changes: Mapping[str, Any]) -> bool:
    """Whether ``changes`` (a PATCH body) move the deal ``current`` to another pipeline: a
    ``pipeline_id``, or a ``stage_id`` of another pipeline (``stage_pipelines``: stage id
    -> its pipeline id) than the deal's (x51r4 F1; an upsert's too, x51r10 F1)."""
    to = changes.get("pipeline_id")
    if to is None and changes.get("stage_id") is not None:
        to = stage_pipelines.get(int(changes["stage_id"]))
    return to is not None and current.get("pipeline_id") is not None \
        and int(to) != int(current["pipeline_id"])


def reopens(current: Mapping[str, Any], changes: Mapping[str, Any]) -> bool:
    """Whether ``changes`` set the won / lost deal ``current`` open (x51r4 F2)."""
    return changes.get("status") == "open" and current.get("status") in ("won", "lost")


def moves_notes_of(moved: int, reopened: int) -> list[str]:
    """The plan's notes on the deals an update or an upsert moves to another pipeline
    (``moved``) and on the won / lost deals it reopens (``reopened``); [] when neither."""
    out = []
    if moved:
        out.append(f"moves {moved:,} deal(s) to another pipeline: their rows name a stage "
                   "of another pipeline than the deal's (a row of no pipeline reads its "
                   "stage cell in the deal's own pipeline first)")
    if reopened:
        out.append(f"reopens {reopened:,} won / lost deal(s): their rows set the status "
                   "open (a status cell saying open, or a status map's \"*\" = \"open\" for "
                   "every cell no entry names)")
    return out


def row_values(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """What an item keeps of its manifest row: ``values`` (JSON-safe: ``storable``) and,
    for an XLSX / JSON row, ``types`` (the cells whose type JSON would lose:
    ``cell_types``), so that its failed-rows files write each cell as the reader gave it
    (``results.failed_row``) — a number cell as a number, never the text a mapping reads
    back otherwise (v10r12 severe: an update's failed.csv gave 2.375 back as 2375)."""
    cells = dict(values or {})
    types = tf.cell_types(cells)
    out: dict[str, Any] = {"values": tf.storable(cells)}
    if types:
        out["types"] = types
    return out


# -- what a load phase produces ---------------------------------------------------------------
@dataclass
class Prepared:
    """A job's items and before-images, and the calls its run will make (for the plan)."""

    kind: str
    items: list[NewItem] = field(default_factory=list)
    images: list[BeforeImage] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)  # the run's calls by operation
    actions: Counter[str] = field(default_factory=Counter)  # rows by what will happen
    # deals per field their write gives a new value (custom fields by name; x20r2 F6)
    fields: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    # updates that make a deal won / lost with no close time: Pipedrive dates each the
    # moment it is sent (the plan says how many, as an import's does: x35r1 2)
    closed_undated: int = 0
    # updates that move a deal to another pipeline, and that reopen a won / lost deal: the
    # plan says how many (x51r4 F1, F2: 160 deals moved and 60 reopened, the plan listed
    # only "stage_id" and "status")
    moved_pipeline: int = 0
    reopened: int = 0
    meta: dict[str, Any] = field(default_factory=dict)  # kv entries for the job store
    # why the run must not start though the plan may be shown (a declared code page that
    # garbles the text, x26r3): the run raises InputError with it before any write
    refusal: str | None = None
    # an update by id's foreign-ids tally (``jobs.foreign_ids.ForeignIds.to_json`` and
    # ``warns``), the plan's ``foreign_ids``; None for other loads
    foreign_ids: dict[str, Any] | None = None
    # per date column, the first cells only its listed order reads
    # (``RowMapper.listed_only_dates``): a plan's date hint reads them too (x52r6 F4)
    date_read_only: dict[str, list[str]] = field(default_factory=dict)
    # the mapping's [defaults] date_locale: a plan's date hint reads its cells under it
    date_locale: str | None = None

    @property
    def rows(self) -> int:
        """The manifest rows (a merge's group row holds several items: one row, x22r3)."""
        return len({i.row for i in self.items if i.row is not None})

    @property
    def bad_rows(self) -> int:
        """Rows refused at load time: rows with a failed item (an undo's person /
        organization conflicts are items, not rows: v9r11 counted them)."""
        return len({i.row for i in self.items
                    if i.state is ItemState.FAILED and i.row is not None})

    def count_fields(self, changes: Mapping[str, Any], catalog: Catalog,
                     deal: Mapping[str, Any] | None = None) -> None:
        """Count the fields one deal's write (``deal_changes``) gives a new value; ``deal``:
        the deal as read (a status it has already is not counted: ``changed_fields``)."""
        labels: dict[str, str] = {}
        for code in changes.get("custom_fields") or {}:
            with contextlib.suppress(InputError):  # a field deleted since: by its key
                labels[code] = catalog.field_by_code(code).name
        self.fields.update(changed_fields(changes, labels, deal))

    def add(self, item: NewItem, action: str) -> None:
        self.items.append(item)
        self.actions[action] += 1

    def fail(self, row: int | None, key: str | None, reason: str, *, op: str,
             values: Mapping[str, Any] | None = None, column: str | None = None,
             action: str = "failed", final: bool = True, line: int = 0,
             **payload: Any) -> None:
        """A row refused at load time; ``final``: `pdbulk retry` refuses it again (the row
        must be fixed in a new job), else the job kind checks it again. ``line``: the
        file's line the row starts on (``SourceRow.line``; 0: not from a file), which the
        reason names where it differs from the row (``bulk.manifest_row.at_line``)."""
        reason = at_line(reason, row, line)
        extra = {LOAD_ERROR: reason} if final else {}
        self.add(NewItem(row=row, key=key, op=op, state=ItemState.FAILED, error=reason,
                         payload={**payload, **extra, **row_values(values),
                                  "column": column}), action)

    def skip(self, row: int | None, key: str | None, result: Mapping[str, Any], *, op: str,
             values: Mapping[str, Any] | None = None, **payload: Any) -> None:
        self.add(NewItem(row=row, key=key, op=op, state=ItemState.SKIPPED,
                         payload={**payload, **row_values(values),
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


def keys_scan_since(now: float | None = None) -> float:
    """Where the scan a job by source key makes before a resume or after its prompt starts
    (``PatchJob._keys_again``: the job's creation less ``RECONCILE_MARGIN``), as its load
    sees it (``now``, default the clock: the job was created moments before)."""
    return (time.time() if now is None else now) - RECONCILE_MARGIN


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


def retry_split(store: JobStore) -> tuple[list[int], list[Item]]:
    """``pdbulk retry``'s failed items in two: the ids it puts back to pending, and the
    rows refused at load time (``refused``: the job kind would fail them again without a
    call), which stay failed with their reasons (x46r7 F1: "2 failed items back to
    pending", a plan of no call, "2 failed", exit 3, and never why). Both in the file's
    row order (x46r12 F9: the refused rows were listed as the load added them)."""
    again: list[int] = []
    kept: list[Item] = []
    for item in store.items_by_row(ItemState.FAILED):
        if item.payload.get(LOAD_ERROR) is None:
            again.append(item.id)
        else:
            kept.append(item)
    return again, kept


def refused_line(store: JobStore, kept: Sequence[Item]) -> str:
    """The line a retry prints for ``kept`` (``retry_split``): the rows refused at the
    load, the first three with their reasons, not sent again, and what to do."""
    shown = "; ".join(f"row {i.row}: {i.payload.get(LOAD_ERROR)}" if i.row is not None
                      else f"{i.key or i.id}: {i.payload.get(LOAD_ERROR)}"
                      for i in kept[:3]) + ("; …" if len(kept) > 3 else "")
    return (f"{len(kept):,} failed row(s) were refused when the job was loaded ({shown}) "
            f"and are not sent again: fix them (each reason in "
            f"{store.directory / 'failed.csv'}) and start a new {store.kind} job")


# -- after a run ------------------------------------------------------------------------------
def write_job_results(store: JobStore, result: RunResult | None,
                      columns: Sequence[str], *, extra: Mapping[str, Any] | None = None,
                      lines_extra: Sequence[str] = (),
                      rowless_ops: Sequence[str] = (), rows_extra: str = "") -> list[str]:
    """Rewrite the job's result files from its store; the lines the CLI prints.
    ``extra``: a kind's own summary.json entries; ``lines_extra``: its own lines;
    ``rows_extra``: its words after the rows line's actions ("; 3 fields kept ...")."""
    stats = result.stats if result is not None else None
    summary = {"rate_limited": stats.rate_limited if stats else 0,
               **rate_limited_why(stats),
               "reconciled": stats.reconciled if stats else 0, **(extra or {})}
    typed = store.meta_get(META_TYPED)
    paths = write_results(store, success_columns=columns, summary=summary, hold_column=True,
                          rowless_ops=rowless_ops,
                          typed=typed if isinstance(typed, str) else None)  # type: ignore[arg-type]
    data = orjson.loads(paths["summary"].read_bytes())
    rows = data["rows"]
    did = ", ".join(f"{n:,} {a}" for a, n in data["actions"].items()) or "nothing done"
    lines = [f"rows: {rows['total']:,} — {did}{rows_extra}; {rows['failed']:,} failed; "
             f"{rows['unprocessed']:,} unprocessed", *lines_extra,
             tokens_line(data)]
    return lines + [f"{name:>12}: {path}" for name, path in paths.items()]
