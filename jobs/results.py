"""Result files rebuilt from the job store: succeeded, failed, unprocessed, summary.

The store is the truth; the files are a view of it, written again from scratch
after every run (first run, resume, retry), so they can never disagree with it.
Rows are streamed from the store and written through ``bulk.reports.ReportWriter``
(which neutralises formula cells).

What a job kind puts in its items for this to work (every kind follows it):
- ``item.row`` / ``item.key``: the manifest row number and source key. Items
  without a row (helper items) are not rows and do not appear in the files;
  ``row_ops`` narrows the rows further to some ``item.op`` values.
- ``item.payload["values"]``: the original row as read (copied into failed.csv and
  unprocessed.csv, so those files are manifests again).
- DONE items: ``item.result`` holds the ``success_columns`` cells (``row`` and
  ``key`` come from the item). SKIPPED items: ``item.payload["result"]`` does
  (e.g. an upsert row that changed nothing: ``action = "unchanged"``).
- FAILED items: ``item.error`` is the reason, ``item.status`` the HTTP status,
  and the column is ``item.result["column"]`` or ``item.payload["column"]``;
  ``item.payload["hold"]`` a hold (``bulk.reports``: kept on re-import) and
  ``item.payload["types"]`` the cells' types (``transforms.cell_types``).

Every failed-rows file (a job's failed.csv, plan-failed.csv) is written through
``failed_row`` / ``write_failed``: one shape.
- PENDING / SENDING items are unprocessed (the job stopped before them).
- ``item.payload[ROW_NOTE]``: a note decided with the row before any call (a negative
  deal value: ``negative_value_note``), added to the row's note in succeeded.csv when the
  row wrote its deal (``created`` / ``updated``).

Why ~640 lines: the four files are one view of the store, written and read back together:
what is written (``write_results``), what a killed run left of it (``results_missing``:
none, some, or an earlier run's) and the tokens line read from it share the file names and
the summary's shape.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from bulk.errors import META_STOP, DiskFull, InputError, disk_full
from bulk.ledger import tokens_in_doubt, tokens_unsplit
from bulk.manifest import SourceRow, date_system, detect_format
from bulk.manifest_row import MisalignedRow
from bulk.manifest_xlsx import xlsx_header
from bulk.operations import get_operation
from bulk.reports import (
    FAILED,
    HOLD_DUPLICATE,
    HOLD_MISALIGNED,
    HOLD_TYPED,
    SUCCEEDED,
    SUMMARY,
    TYPED_KEY,
    UNPROCESSED,
    ReportWriter,
    Typed,
    csv_exact,
    hold_column,
)
from bulk.runner import RunStats
from bulk.store import Item, ItemState, JobStore, NewItem

from .keyset import KeySet

# succeeded.csv of a deal job (the import adds its match columns): the engine's writer
# takes the columns from the kind
SUCCESS_COLUMNS = ("row", "key", "deal_id", "action", "person_id", "org_id")


# why a failed-rows file holds a row (bulk.reports: holds); {key}: the row's source key
HOLD_REASONS = {
    HOLD_DUPLICATE: "the run this file came from refused it because {others} of that file "
                    "had the same source key {key!r} (or, in an update, named the same "
                    "deal) and the rows did not write the same: imported or run alone, it "
                    "would write the deal its own way, not the other row's; check which row "
                    "is right",
    HOLD_MISALIGNED: "the file this row came from could not split it into its header's "
                     "columns (a cell missing or one too many, a quote left open), so its "
                     "cells here may sit under other columns than their own; check each "
                     "cell is in its column",
    HOLD_TYPED: "its cells hold numbers, dates or arrays that CSV text cannot carry exactly "
                "(a decimal mark read otherwise, an array read as a name); import the typed "
                "file beside this one instead (failed.jsonl / failed.xlsx)",
}

# the reasons an update's re-run of its failed rows gives (x42r4 L3: "the same source key
# '50' … imported or run alone" of a row naming deal 50)
UPDATE_HOLD_REASONS = {
    HOLD_DUPLICATE: "the run this file came from refused it because {others} of that file "
                    "named the same deal {key!r} and the rows did not write the same: run "
                    "alone, it would write the deal its own way, not the other row's; check "
                    "which row is right",
    HOLD_TYPED: "its cells hold numbers, dates or arrays that CSV text cannot carry exactly "
                "(a decimal mark read otherwise, an array read as a name); run the typed "
                "file beside this one instead (failed.jsonl / failed.xlsx)",
}

# the other rows a duplicate-key reason names (jobs.import_rows, jobs.updating, and this
# module's own reason, for a failed file of a failed file): "row 3 has it too", "rows 6, 7
# and 9 have it too", "also named by row 4 (line 5 of the file)", "row 3 of that file had"
_ROWS = r"rows? \d+(?:(?:, | and )\d+)*(?: and \d+ more)?"
_OTHER_ROWS = re.compile(rf"also named by ({_ROWS})|\b({_ROWS})(?: \(line \d+ of the file\))?"
                         r" (?:has it too|have it too|of that file had)")


def _other_rows(reason: object) -> str | None:
    """The rows a row's duplicate-key ``reason`` (its failed file's reason cell) names as
    having its key too (``rows 6, 7 and 9``), else None (f31a: a held row was told "an
    earlier row" had its key, the first row of a pair too)."""
    found = _OTHER_ROWS.search(reason) if isinstance(reason, str) else None
    return None if found is None else found[1] or found[2]


def held(values: Mapping[str, Any], column: str | None, key: object, *,
         typed_source: bool = False, misaligned: bool = False,
         update: bool = False) -> tuple[str, str] | None:
    """(hold, reason) for a row of a failed-rows file whose hold cell ``column`` is not
    empty, else None. Every command that reads a manifest refuses such a row again, with
    the hold kept in its own failed rows (``payload["hold"]``), until the person empties
    the cell. ``key``: the row's source key or deal reference, for the reason.
    ``typed_source``: the file read carries its cells' types (XLSX, JSON, JSONL), so a
    ``typed-cells`` hold (which asks for such a file instead of failed.csv) holds nothing.
    ``misaligned``: the reader could not split the row into the header's columns
    (``MisalignedRow``), so its "hold" cell may be another column's: never held, it fails
    for its width (x25r2 F4: a mis-edited row of 19 cells for 17 columns was "held (hold =
    Betrag)", and its new failed.csv row had an empty key). ``update``: said in an
    update's words (a deal reference, the row sent), not an import's (x42r4 L3)."""
    if column is None or misaligned:
        return None
    cell = values.get(column)
    hold = cell.strip() if isinstance(cell, str) else None
    if not hold:
        return None
    if hold == HOLD_TYPED and (typed_source or not all(csv_exact(v) for v in values.values())):
        # the typed file's row (failed.xlsx / failed.jsonl carry the hold failed.csv has):
        # its cells are the exact ones the hold asks for, so it does not hold here — even
        # once the person fixed the one typed cell it had (an #N/A now 100)
        return None
    others = _other_rows(values.get(column[:-len("hold")] + "reason")) \
        if hold == HOLD_DUPLICATE else None
    reasons = UPDATE_HOLD_REASONS if update else HOLD_REASONS
    reason = reasons.get(hold, HOLD_REASONS.get(hold, "")).format(
        key=key, others=others or "another row") or "the file this row came from refused it"
    return hold, (f"held ({column} = {hold}): {reason}; empty the {column} cell to "
                  f"{'send' if update else 'import'} the row as it is")


def unheld(rows: Iterable[SourceRow], *, typed_source: bool) -> Iterator[SourceRow]:
    """``rows`` without those a failed-rows file holds (``held``; the hold column read from
    the first row's columns): a held row is refused, so its cells are no evidence of a
    column's decimal mark (v10r14 S1: a held row's ``1.5``, written from an XLSX number,
    made the column "show ." and an unheld ``1.234`` meaning 1234 read as 1.234)."""
    column: str | None = None
    first = True
    for row in rows:
        if first:
            column, first = hold_column(list(row.values)), False
        if column is None or held(row.values, column, None, typed_source=typed_source,
                                  misaligned=isinstance(row.error, MisalignedRow)) is None:
            yield row


def first_of_each(rows: Iterable[SourceRow], name: Callable[[object], str | None],
                  column: str) -> Iterator[SourceRow]:
    """``rows`` without those naming a key (or deal) an earlier row named: a job holds such
    a row (``duplicate-key``) and sends nothing for it, so its cells are no evidence of a
    column's decimal mark either (v10r16 S1: a second ``H2`` row's held ``1,5`` made the
    column "show ," and ``1.500`` of another row imported as 1500). ``name``: the job's
    reading of the cell in ``column`` (None: it names nothing; such rows are kept).
    Memory: 8-16 bytes a name (``KeySet``, as the row planner keeps them: a ``set`` of a
    1,000,000-row file's keys was most of its plan's peak, issue 8)."""
    seen = KeySet()
    for row in rows:
        ref = name(row.values.get(column))
        if ref is None or seen.add(ref):
            yield row


def _values(item: Item | NewItem) -> Mapping[str, Any]:
    values = item.payload.get("values")
    return values if isinstance(values, Mapping) else {}


META_TYPED = "results.typed"  # the job's typed failed-rows file (``typed_for_manifest``)


def typed_for_manifest(manifest: str | os.PathLike[str], *, format: str | None = None,
                       sheet: str | None = None) -> Typed | None:
    """The typed failed-rows file a job of this manifest writes beside failed.csv: JSON /
    JSONL sources failed.jsonl, XLSX failed.xlsx (of the workbook's date system:
    ``"xlsx_1904"`` for a Mac 1904 workbook), CSV none (its cells are text). Every job
    that reads a manifest (import, update, move-stage, merge) writes one: failed.csv alone
    turns an XLSX number 2.375 into the text ``2.375``, which a mapping with ``decimal =
    ","`` reads back as 2375 (v10r12 severe, update)."""
    try:
        kind = detect_format(manifest, format)  # type: ignore[arg-type]
    except InputError:
        return None
    if kind == "xlsx":
        try:
            system = date_system(manifest, format=kind, sheet=sheet)
        except (OSError, InputError, ValueError, KeyError, zipfile.BadZipFile):
            system = None  # the workbook is gone: its date system is unknown
        return "xlsx_1904" if system == 1904 else "xlsx"
    return "jsonl" if kind in ("json", "jsonl") else None


def failed_row(item: Item | NewItem) -> dict[str, Any]:
    """One failed row as every failed-rows file writes it: row, key, reason, status,
    column, hold, and ``values``: the original cells with their types."""
    # here, not at the top: ``pdbulk status`` / ``jobs`` read this module, and the value
    # parsers (e-mail validation among them) are ~0.15 CPU-s of their start (issue 8)
    from .transforms import typed_values

    payload = item.payload
    result = getattr(item, "result", None) or {}
    return {"row": item.row, "key": item.key, "reason": (item.error or "failed") + _made(result),
            "status": getattr(item, "status", None),
            "column": result.get("column") or payload.get("column"),
            # a run's judgement (a row mapped or held again) replaces the load's, none too
            "hold": (result["hold"] if "hold" in result else payload.get("hold")) or None,
            "values": typed_values(_values(item), payload.get("types"))}


def _made(result: Mapping[str, Any]) -> str:
    """What a failed import row's reason adds for the persons / organizations the job made
    for it before its deal was refused (``result["made"]``: "person" / "org" -> id; x43r4
    F3): "" when none."""
    made = result.get("made")
    if not isinstance(made, Mapping) or not made:
        return ""
    said = ", ".join(f"{'organization' if kind == 'org' else 'person'} {rid}"
                     for kind, rid in sorted(made.items(), reverse=True))
    return (f"; made for this row before its deal was refused, left in Pipedrive: {said} "
            "(pdbulk plan undo JOB --contacts shows what an undo would delete)")


def with_failed_columns(stored: Sequence[str], failed: Iterable[Mapping[str, Any]]
                        ) -> list[str]:
    """The manifest's columns plus what only unreadable rows have (cells past the header as
    ``(extra N)``, a JSON line's text as ``(line)``), so that a failed-rows file carries
    every original cell. ``failed``: the rows' values."""
    columns = dict.fromkeys(str(c) for c in stored)
    for values in failed:
        columns.update(dict.fromkeys(k for k in values if k not in columns))
    return list(columns)


def write_failed(path: Path, source_columns: Sequence[str], rows: Iterable[Mapping[str, Any]],
                 *, typed: Typed | None = None) -> dict[str, Path]:
    """A failed-rows file at ``path`` (plan-failed.csv) with the same columns as a job's
    failed.csv, from ``failed_row`` dicts (iterated twice: the columns, then the rows),
    replaced atomically; with ``typed``, the typed
    copy beside it (``path`` with the suffix .jsonl / .xlsx); a typed copy an earlier call
    left there that this one does not write is removed (only a file pdbulk wrote).
    Returns the paths written."""
    with _space(path, None):
        return _write_failed(path, source_columns, rows, typed)


def _write_failed(path: Path, source_columns: Sequence[str], rows: Iterable[Mapping[str, Any]],
                  typed: Typed | None) -> dict[str, Path]:
    columns = with_failed_columns(source_columns, (r["values"] for r in rows))
    with tempfile.TemporaryDirectory(prefix="pdbulk-failed-", dir=path.parent) as tmp:
        with ReportWriter(tmp, source_columns=columns, hold_column=True, typed=typed) as out:
            for r in rows:
                out.failed(**r)
            written = {"failed": path}
            typed_path = out.paths.get("failed_typed")
        if typed_path is not None:
            written["failed_typed"] = path.with_suffix(typed_path.suffix)
            os.replace(typed_path, written["failed_typed"])
        os.replace(Path(tmp) / FAILED, path)
    for suffix in (".jsonl", ".xlsx"):  # a typed copy left by an earlier plan is stale now
        stale = path.with_suffix(suffix)
        if stale not in written.values() and _ours(stale):
            stale.unlink()
    return written


def remove_failed(path: Path) -> None:
    """Remove a failed-rows file pdbulk wrote at ``path`` (plan-failed.csv) and its typed
    copies beside it, so that a plan that stops (exit 1) leaves no file from an earlier
    plan describing another input. A file of that name pdbulk did not write is kept."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            first = next(csv.reader([f.readline(1 << 20)]), [])
        if hold_column(first) is not None:
            path.unlink()
    except (OSError, UnicodeDecodeError, csv.Error):
        pass
    for suffix in (".jsonl", ".xlsx"):
        typed = path.with_suffix(suffix)
        if _ours(typed):
            typed.unlink(missing_ok=True)


def _ours(path: Path) -> bool:
    """Whether ``path`` is a typed failed-rows file pdbulk wrote (never the user's own file
    of that name): failed.jsonl's first record has ``_pdbulk``; failed.xlsx's header
    has the report's own columns."""
    try:
        if path.suffix == ".jsonl":
            with path.open("rb") as f:
                return f'"{TYPED_KEY}"'.encode() in f.readline(1 << 20)
        return path.is_file() and hold_column(xlsx_header(path)) is not None
    except (OSError, InputError, ValueError, KeyError, zipfile.BadZipFile):
        return False


def _columns(store: JobStore, row_ops: Collection[str] | None) -> list[str]:
    """The manifest's columns: as the job stored them, else every key seen in the rows."""
    stored = store.meta_get("source_columns")
    if isinstance(stored, list):
        return with_failed_columns(stored, (_values(i) for i in store.items(ItemState.FAILED)
                                            if i.row is not None))
    seen: dict[str, None] = {}
    for item in store.items():
        if item.row is not None and (row_ops is None or item.op in row_ops):
            seen.update(dict.fromkeys(_values(item)))
    return list(seen)


ROW_NOTE = "row_note"
# a result's word for the run's tally (summary.json's ``actions``, the run's lines) where it
# is truer than its action, which later jobs read: an undo's deal "already deleted" by a
# merge on record is tallied "merged away", as its plan says (x46r12 F7)
TALLY = "tally"
_WROTE = frozenset({"created", "updated"})


def negative_value_note(body: Mapping[str, Any]) -> str | None:
    """The note of a row whose deal body (``body``: an addDeal or updateDeal body) sets a
    negative ``value``: Pipedrive takes one (openapi-v2's ``value`` is a number, no
    minimum), so the row is written as it is, said (x45r1 F4: ``€ -50,00`` was a deal of
    -50 with no word); ``value = { column = ..., min = 0 }`` fails such rows instead. None
    for no value, or one of 0 or more."""
    value = body.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool) or value >= 0:
        return None
    currency = body.get("currency")
    shown = f"{value:g}" + (f" {currency}" if isinstance(currency, str) and currency else "")
    return (f"the deal's value is negative ({shown}): written as it is (Pipedrive takes a "
            "negative value); if it should not be, fix the cell, or fail such rows with "
            "value = { column = ..., min = 0 } in the mapping")


def write_results(store: JobStore, *, success_columns: Sequence[str],
                  source_key_column: str | None = None,
                  source_columns: Sequence[str] | None = None,
                  row_ops: Collection[str] | None = None,
                  rowless_ops: Collection[str] = (),
                  summary: Mapping[str, Any] | None = None,
                  hold_column: bool = False, typed: Typed | None = None,
                  note: Callable[[Mapping[str, Any]], str | None] | None = None,
                  amend: Callable[[dict[str, Any]], None] | None = None,
                  ) -> dict[str, Path]:
    """Write the four result files into the job's directory; returns their paths.

    ``source_key_column``: where the key is found in ``values`` for items stored
    without one. ``summary``: extra entries for summary.json (wall time, 429s,
    a job kind's own counts), merged over the ones computed here. ``hold_column`` /
    ``typed``: failed.csv's hold column, and the typed failed file (``bulk.reports``).
    ``rowless_ops``: item ops with no manifest row (undo's person / organization deletes)
    whose failures go to failed.csv all the same (row empty; not counted as rows).
    ``note``: a succeeded row's further note, from its result (after its own, if any).
    ``amend``: called on a copy of each succeeded row's result before its cells are read.
    """
    with _space(store.directory, store.job_id):
        return _write_results(store, success_columns, source_columns, source_key_column,
                              summary, row_ops, rowless_ops, hold_column, typed, note, amend)


@contextlib.contextmanager
def _space(where: Path, job: str | None) -> Iterator[None]:
    """A result file that found no space (ENOSPC, EFBIG: ``disk_full``) is ``DiskFull``
    naming it, as the job store's writes are (x19r1 F3)."""
    try:
        yield
    except OSError as exc:
        if not disk_full(exc):
            raise
        raise DiskFull(exc.filename or where, job, job_dir=where.parent if job else None) from exc


def _write_results(store: JobStore, success_columns: Sequence[str],
                   source_columns: Sequence[str] | None, source_key_column: str | None,
                   summary: Mapping[str, Any] | None, row_ops: Collection[str] | None,
                   rowless_ops: Collection[str], hold_column: bool,
                   typed: Typed | None,
                   note: Callable[[Mapping[str, Any]], str | None] | None = None,
                   amend: Callable[[dict[str, Any]], None] | None = None,
                   ) -> dict[str, Path]:
    columns = list(source_columns) if source_columns is not None else _columns(store, row_ops)
    counts: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    with ReportWriter(store.directory, source_columns=columns, success_columns=success_columns,
                      hold_column=hold_column, typed=typed) as out:
        for item in store.items():
            if item.row is None or (row_ops is not None and item.op not in row_ops) \
                    or item.state is ItemState.FAILED:
                continue
            values = _values(item)
            key = item.key if item.key is not None else (
                values.get(source_key_column) if source_key_column else None)
            if item.state in (ItemState.DONE, ItemState.SKIPPED):
                result = dict(item.result or {}) if item.state is ItemState.DONE else dict(
                    item.result or item.payload.get("result") or {"action": "skipped"})
                if amend is not None:
                    amend(result)
                cells = {c: result.get(c) for c in success_columns if c in result}
                if note is not None and (more := note(result)):
                    cells["note"] = "; ".join(filter(None, (cells.get("note"), more)))
                if result.get("action") in _WROTE and (said := item.payload.get(ROW_NOTE)):
                    cells["note"] = "; ".join(filter(None, (cells.get("note"), str(said))))
                cells.setdefault("row", item.row)
                cells.setdefault("key", key)
                out.succeeded(**{c: v for c, v in cells.items() if c in success_columns})
                counts["succeeded"] += 1
                actions[str(result.get(TALLY) or result.get("action") or "done")] += 1
            else:
                out.unprocessed(row=item.row, key=key, values=values)
                counts["unprocessed"] += 1
        # failed.csv in the manifest's row order, whatever order the items were added in
        for item in store.items_by_row(ItemState.FAILED):
            if item.row is None and item.op in rowless_ops:
                # no manifest row, but the job failed it: in failed.csv, so an exit 3 is
                # never told by an empty file (v9r13: undo --contacts' conflicts)
                out.failed(**failed_row(item))
                continue
            if item.row is None or (row_ops is not None and item.op not in row_ops):
                continue
            values = _values(item)
            key = item.key if item.key is not None else (
                values.get(source_key_column) if source_key_column else None)
            out.failed(**{**failed_row(item), "key": key})
            counts["failed"] += 1
        paths = dict(out.paths)
        spend = store.spend_by_operation()
        run_spend = store.spend_now()
        doubt = tokens_in_doubt(store)
        data: dict[str, Any] = {
            "job": store.job_id, "kind": store.kind, "status": store.status,
            "message": store.status_message,
            # why its last run stopped ({"cause", "error"}: bulk.errors.STOP_CAUSES), or null
            "stop": store.meta_get(META_STOP) if store.status == "stopped" else None,
            "rows": {"total": sum(counts.values()), "succeeded": counts["succeeded"],
                     "failed": counts["failed"], "unprocessed": counts["unprocessed"]},
            "actions": dict(sorted(actions.items())),
            "items": {s.value: n for s, n in store.counts().items()},
            "tokens": sum(t for t, _ in spend.values()),
            "tokens_by_operation": {op: t for op, (t, _) in spend.items()},
            # the calls charged (a 429 / 5xx refunded is none: ``bulk.runner``)
            "calls_by_operation": {op: c for op, (_, c) in spend.items() if c},
            "tokens_by_day": store.spend_by_day(),
            # ``tokens``: the job's total, every run; these: this run alone (a resume)
            "tokens_this_run": sum(t for t, _ in run_spend.values()),
            "tokens_by_operation_this_run": {op: t for op, (t, _) in run_spend.items()},
            # the part of ``tokens`` whose calls got no answer, charged or not (x32r1 F4):
            # ``tokens - tokens_in_doubt`` were charged for sure (``bulk.ledger``)
            "tokens_in_doubt": sum(doubt.values()),
            "tokens_in_doubt_by_operation": doubt,
            # of ``tokens``, those of runs of an earlier pdbulk that kept no record of what
            # was in doubt: charged or not is not known for them (``bulk.ledger``)
            "tokens_split_unknown": tokens_unsplit(store),
            "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "files": {name: str(path) for name, path in paths.items()},
        }
        data.update(summary or {})
        out.write_summary(data)
    return paths


def rate_limited_why(stats: RunStats | None) -> dict[str, int]:
    """What the run's 429 note was told, for summary.json (x51r9 F5: a script reading it
    could not tell a 429 another client caused from one of the pace): ``others_seen``
    (answers whose rate headers counted another client's calls on the token),
    ``refused_with_room`` (429s while this run's own calls left the window room),
    ``refused_for_budget`` (429s of the company's daily budget) — each 0 without a run."""
    return {"others_seen": stats.others_seen if stats else 0,
            "refused_with_room": stats.refused_with_room if stats else 0,
            "refused_for_budget": stats.refused_for_budget if stats else 0}


def tokens_line(data: Mapping[str, Any], order: Callable[[tuple[str, int]], Any] | None = None
                ) -> str:
    """The ``tokens:`` line of a run's report, from its summary.json ``data``: this run's
    spend, and the job's total when earlier runs spent too (a resume, a retry)."""
    def spent(total: int, by_op: Mapping[str, int]) -> str:
        ops = sorted(by_op.items(), key=order) if order is not None else sorted(by_op.items())
        return f"{total:,}" + (" (" + ", ".join(f"{op} {t:,}" for op, t in ops) + ")"
                               if ops else "")
    total, by_op = int(data["tokens"]), data["tokens_by_operation"]
    this_run = int(data.get("tokens_this_run", total))
    # x32r1 F4: calls whose answer was lost are counted (the safe side) but said apart
    doubt = int(data.get("tokens_in_doubt", 0))
    items = data.get("items") or {}
    settled = isinstance(items, Mapping) and items_settled(items)
    tail = in_doubt_words(total, doubt, int(data.get("tokens_split_unknown", 0)),
                          settled=settled)
    if this_run == total:
        return f"tokens: {spent(total, by_op)}{tail}"
    return (f"tokens: this run {spent(this_run, data['tokens_by_operation_this_run'])}; "
            f"job total {spent(total, by_op)}{tail}")


# the job kinds whose runs end by writing the four result files (``write_results``)
RESULT_KINDS = frozenset({"import", "update", "move-stage", "merge", "undo", "dedupe"})


def results_missing(store: JobStore) -> str | None:
    """Why the result files (succeeded.csv, failed.csv, unprocessed.csv, summary.json) of a
    finished or stopped job do not show it as its store does, in words; None when they do,
    or when the job is of no such status (running, cancelled, failed: none are due) or
    of a kind that writes none (``touch``, the engine's test job).

    A kill between a run's last write and its result files left the job ``finished`` with
    none (x39r5 F1), or with an earlier run's: summary.json missing, unreadable, or of
    another status or other counts by state (``items``) than the store's. ``pdbulk
    resume`` writes them again from the store, with no call. A kill while they were being
    written left some on disk and not the others: the words name both (x40r1 F5: "not
    written" where three of the four were). A CSV deleted or moved after the run wrote
    it, summary.json there, is named too (x40r5 F6)."""
    return results_missing_at(store.directory, store.status, store.kind,
                              {s.value: n for s, n in store.counts().items()})


def results_missing_at(directory: Path, status: str, kind: str,
                       items: Mapping[str, int]) -> str | None:
    """``results_missing`` from what a listing already read of the job (``pdbulk jobs``:
    ``bulk.store.list_jobs``'s status, kind and counts by state name, zero counts
    included as the store counts them), without opening its store again."""
    if status not in ("finished", "stopped") or kind not in RESULT_KINDS:
        return None
    try:
        data = orjson.loads((directory / SUMMARY).read_bytes())
    except FileNotFoundError:
        return _written_in_part(directory)
    except (OSError, orjson.JSONDecodeError):
        return f"{SUMMARY} unreadable"
    if not isinstance(data, dict) or (data.get("status"), data.get("items")) != (
            status, dict(items)):
        return "out of date (an earlier run's: the last one ended before writing them)"
    # each file on disk, not summary.json alone (x40r5 F6: succeeded.csv moved away after
    # a finished run was flagged nowhere, ``results_missing`` null)
    gone = [n for n in (SUCCEEDED, FAILED, UNPROCESSED) if not (directory / n).is_file()]
    if gone:
        return (f"{_listed(gone)} {'is' if len(gone) == 1 else 'are'} missing (deleted or "
                f"moved since the run wrote {'it' if len(gone) == 1 else 'them'}; "
                f"{SUMMARY} is on disk)")
    return None


def _written_in_part(directory: Path) -> str:
    """The words for result files without their summary.json: which are missing, never
    guessing why (a run that ended before or while writing them, or a person who deleted or
    moved them: x41r2, a deleted failed.csv was "the run ended while writing them"), and
    which are on disk (unchecked without summary.json: maybe cut short, or an earlier
    run's)."""
    names = (SUCCEEDED, FAILED, UNPROCESSED)
    present = [n for n in names if (directory / n).is_file()]
    why = "not written, or deleted or moved since"
    if not present:
        return f"missing: none on disk ({why})"
    missing = [n for n in (*names, SUMMARY) if n not in present]
    return (f"{_listed(missing)} missing ({why}); {_listed(present)} on disk, unchecked "
            f"without {SUMMARY} (maybe cut short, or an earlier run's)")


def _listed(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def items_settled(counts: Mapping[str, int]) -> bool:
    """Whether a job's item ``counts`` (``{state value: n}``) hold items and none of them
    pending or in flight (``sending``: in doubt when no run is at work)."""
    return bool(counts) and not any(int(counts.get(state, 0) or 0)
                                    for state in ("pending", "sending"))


def in_doubt_words(total: int, doubt: int, unknown: int = 0, *,
                   settled: bool = False, at_work: bool = False, refused: bool = False) -> str:
    """``"; 1,070 charged + up to 85 in doubt (no answer recorded: charged or not)"``, what
    follows a tokens figure ``total`` of which ``doubt`` has no answer recorded (lost, or
    cut off by a kill, or charged ahead of a call a kill stopped: ``bulk.ledger``); ""
    when none. ``unknown``: of ``total``, the tokens of runs of an earlier pdbulk that kept
    no such record (``bulk.ledger.tokens_unsplit``): said apart, never as charged.
    ``settled``: no item of the job is pending or in flight any more (a resume settled
    them): the figure is then said to be calls without an answer, no row left to settle
    (x38r2 F8: "+ up to 244 in doubt" after every merge was settled read as work left;
    x43r5 F3: ``pdbulk status`` said it so after a resume had settled every row);
    ``items_settled`` tells it from a job's item counts. ``at_work``: a run is at work on
    the job (``pdbulk status`` while it runs): the figure is its calls in flight and the
    credit it charged ahead, no kill's (x44r7 F4: "credit charged ahead that a kill left
    unused … a resume takes that back" of a live run). ``refused``: resume refuses the job
    (``jobs.resume_verdict``: never confirmed, cancelled, undone): no resume takes the
    credit back (x44r10 F4)."""
    unknown = min(max(unknown, 0), total)
    if unknown:
        rest = total - unknown
        known = (f"; of the other {rest:,}, {rest - doubt:,} charged + up to {doubt:,} in "
                 "doubt (no answer recorded: charged or not)" if doubt > 0 else "")
        return (f"; {unknown:,} of them spent by runs of an earlier pdbulk, which kept no "
                "record of what was in doubt: how much the server charged of those is not "
                "known (a run of it killed counted its calls in flight and charged ahead "
                "as charged)" + known)
    if doubt <= 0:
        return ""
    if at_work:
        return (f"; {total - doubt:,} charged + up to {doubt:,} in doubt for now (no answer "
                "recorded yet: the calls of the run at work in flight, and the credit it "
                "charged ahead, which it takes back when it ends)")
    if settled:
        return (f"; {total - doubt:,} charged + up to {doubt:,} in doubt (tokens of calls "
                "whose answer was lost or a kill cut off, charged or not; rows in doubt: 0 — "
                "every row is settled: nothing is left to resume)")
    if refused:
        return (f"; {total - doubt:,} charged + up to {doubt:,} in doubt (no answer "
                "recorded: charged or not; credit charged ahead that a kill left unused is in "
                "it too, and stays so: `pdbulk resume` refuses this job)")
    return (f"; {total - doubt:,} charged + up to {doubt:,} in doubt (no answer recorded: "
            "charged or not; credit charged ahead that a kill left unused is in it too, and "
            "a resume takes that back: the charged figure stays, the doubt shrinks)")


def handed_words(in_doubt: int, doubt_by_op: Mapping[str, int]) -> str | None:
    """What ``pdbulk status`` says of ``in_doubt`` rows left SENDING by a run that ended
    (a kill) when the ledger proves fewer writes may have left: a batch is marked SENDING
    before its rows are handed to the workers (``bulk.runner``: one commit a batch), so a
    kill leaves in doubt rows whose write never left (x44r7 F4: 41 in doubt where the
    server had received 0-14). ``doubt_by_op``: the ledger's tokens with no answer by
    operation (``bulk.ledger``: charged before each call leaves, so an upper bound); the
    write calls among them bound the rows whose write left unanswered. None when that
    bound says nothing (as many such writes as rows in doubt, or none in doubt). Every
    row in doubt stays in doubt: a resume reads each back before it sends anything."""
    if in_doubt <= 0:
        return None
    writes = 0
    for op_id, tokens in doubt_by_op.items():
        try:
            op = get_operation(op_id)
        except ValueError:
            return None  # an operation this version does not know: no bound
        if op.is_write and tokens > 0:
            writes += -(-tokens // max(1, op.token_cost))
    if writes >= in_doubt:
        return None
    return (f"in doubt: {in_doubt:,} row(s) were handed out to the workers (marked by the "
            f"batch); the ledger shows at most {writes:,} write(s) that left with no answer, "
            f"so at least {in_doubt - writes:,} of them were handed out, maybe never sent; "
            "a resume reads every one back before it sends anything again")


__all__ = ["HOLD_REASONS", "ROW_NOTE", "SUCCESS_COLUMNS", "TALLY", "failed_row", "first_of_each",
           "handed_words", "held", "in_doubt_words", "items_settled", "negative_value_note",
           "tokens_line", "with_failed_columns", "write_failed", "write_results"]
