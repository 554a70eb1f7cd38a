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

This module holds the load phase (``prepare_update``). Split out of it (issue 8), and
re-exported here so every name is importable from where it was: ``jobs.prepared``
(``Prepared``, the load's checks, the result files: shared by move-stage, merge, undo
and dedupe), ``jobs.patch_job`` (``PatchJob``, the kind shared with move-stage, and
``UpdateJob``) and ``jobs.update_mapping`` (``UpdateMapping``, ``wanted_values``).

The diff and the before-images are ``jobs.deals``' (shared with the import's upsert,
move-stage, undo and dedupe); the mapping is the import's, read through ``UpdateMapping``.

Each changed field is decided three ways against this state folder's record
(``jobs.update_edits``: a colleague's edit made since a plan, an update or an import found
the file's value there is kept, not sent; x46r3 F1).

Why ~700 lines: ``prepare_update`` is one pass deciding each row (held, repeated,
contested, by id or by key, its deal's checks in ``_decide``), and its helpers read only
that pass's state; split further, each piece would take a dozen of its locals.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.errors import InputError
from bulk.manifest import SourceRow, check_has_rows, date_system, detect_format, misread_note, read_manifest
from bulk.manifest import header as manifest_header
from bulk.manifest_row import MisalignedRow, where_row
from bulk.manifest_stamp import file_stamp
from bulk.reports import HOLD_DUPLICATE, HOLD_MISALIGNED, hold_column
from bulk.store import BeforeImage, ItemState, NewItem

from . import transforms as tf
from .account import READ_ONLY_KEY_ADVICE, DealsByKey, ensure_key_field, index_deals_by_key, key_problem
from .catalog import Catalog
from .deal_currency import defaulted_currency
from .deals import (
    IDS_PER_CALL,
    Deal,
    before_image,
    blank,
    deal_changes,
    drifted,
    field_types,
    read_deals,
    set_to_deactivated,
    with_status_times,
)
from .foreign_ids import ForeignIds
from .import_checks import mapping_defaults
from .keyset import KeySet
from .last_written import EDITED
from .learned import SpilledDict
from .load_progress import LoadProgress, Watch
from .load_stop import checked, stoppable
from .mapping import RowMapper
from .mapping.rowmapper import InDealPipeline, latest_time, placed_reason
from .merged_deals import Merge
from .patch_job import UPDATE_COLUMNS, PatchJob
from .prepared import (
    LOAD_ERROR,
    META_KEY_CHANGED,
    META_KEY_FIELD,
    META_KEY_LABEL,
    META_LOADED,
    Prepared,
    changed_names,
    check_loaded,
    key_field_code,
    keys_scan_since,
    moves_notes_of,
    moves_pipeline,
    refused,
    remember_labels,
    reopens,
    row_values,
    sent_while_loading,
    write_job_results,
)
from .repeats import (
    Repeat,
    RepeatedKeys,
    Written,
    field_columns,
    named_twice,
    rows_named,
    wanted_written,
)
from .results import (
    META_TYPED,
    ROW_NOTE,
    first_of_each,
    held,
    negative_value_note,
    typed_for_manifest,
    unheld,
)
from .selection import parse_id
from .similar_keys import SimilarKeys
from .update_edits import UpdateRecord
from .update_job import UpdateJob
from .update_mapping import UpdateMapping, UpdateSection, wanted_values

MAX_CUSTOM_KEYS = 15  # getDeals' custom_fields parameter takes at most 15 keys
_ROWS_NAMED = 7  # the rows of a deal named again kept to name in a reason (``rows_named``)


# -- the load phase ---------------------------------------------------------------------------
async def prepare_update(ctx: CallContext, manifest: str | Path, umap: UpdateMapping,
                         catalog: Catalog, *, now: float | None = None,
                         unarchive: bool = False, encoding: str | None = None,
                         sheet: str | None = None, base_url: str | None = None,
                         progress: LoadProgress | None = None,
                         header_row: int | None = None, foreign_ids: bool = False) -> Prepared:
    """Read the manifest and the current deals, and decide each row's PATCH (or none).
    ``header_row``: the header's row, as a spreadsheet numbers it (None: the mapping's, else
    found).

    Two rows not held naming one deal with other changes are both held
    (``duplicate-key``): nothing is sent for it (``_contests``; the reason:
    ``jobs.repeats.named_twice``). By key, a key two deals carry fails its row; so does a
    key only an archived deal carries, unless ``unarchive`` (its PATCH then also sets
    ``is_archived: false``). ``progress``: told the rows each whole pass over the manifest
    has read (``jobs.load_progress``: a line every 30 s of a long load). With ``base_url``
    each field is decided three ways against this state folder's record
    (``jobs.update_edits``: a colleague's edit made since a plan, an update or an import
    found the file's value there is kept), and the fields where the row and the deal
    agree are recorded (a plan's load too: no call is added). By id, when most rows name a
    deal of an unrelated title and another amount / stage / owner / contact, or (no title)
    three of them, a field the plan keeps aside (``jobs.foreign_ids``: another account's
    export?) the plan warns first; when they look like a whole export of another account
    (``ForeignIds.refuses``) the run is refused (``Prepared.refusal``) unless
    ``foreign_ids`` (``--yes``)."""
    taken = ctx.clock.wall() if now is None else now
    record = await UpdateRecord.open(base_url, at=taken)
    try:
        foreign = ForeignIds()
        prep = await _prepare(ctx, manifest, umap, catalog, taken, unarchive=unarchive,
                              encoding=encoding, sheet=sheet, base_url=base_url,
                              progress=progress, record=record, header_row=header_row,
                              foreign=foreign)
        if umap.by == "id":  # the plan's ``foreign_ids`` (x48r7 F4)
            prep.foreign_ids = {"warns": foreign.stands, "refuses": foreign.refuses,
                                 **foreign.to_json()}
        if (warning := foreign.warning()) is not None:  # first: it is loud (x47r3 F5)
            prep.notes.insert(0, warning)
            if not foreign_ids and prep.refusal is None:
                prep.refusal = foreign.refusal()
        if record is not None:
            await record.finish(taken)
            prep.notes.extend(filter(None, (*record.notes, record.plan_note())))
        return prep
    finally:
        if record is not None:
            record.close()


async def _prepare(ctx: CallContext, manifest: str | Path, umap: UpdateMapping,
                   catalog: Catalog, taken: float, *, unarchive: bool, encoding: str | None,
                   sheet: str | None, base_url: str | None, progress: LoadProgress | None,
                   record: UpdateRecord | None, header_row: int | None,
                   foreign: ForeignIds | None = None) -> Prepared:
    """``prepare_update``'s load, ``record`` deciding each changed field three ways."""

    def watch(what: str) -> Watch | None:
        return None if progress is None else progress.watch(what)
    # --encoding / --sheet, else the mapping's [defaults] (x14r4 F3: header_row ignored
    # here), by the rule every entry point reads them with (f27b)
    encoding, sheet, header_row = mapping_defaults(manifest, umap.mapping, encoding=encoding,
                                                   sheet=sheet, header_row=header_row)
    since = file_stamp(manifest)  # each read must see this file (x17r3 F5: still written)
    # once, not per row: each call reads the file's first bytes (15,000 rows: ~0.2 CPU s a
    # pass); ``since`` holds every read to this same file
    typed = detect_format(manifest) != "csv"
    head = manifest_header(manifest, encoding=encoding, sheet=sheet, header_row=header_row)
    check_has_rows(manifest, encoding=encoding, sheet=sheet, header_row=header_row)
    umap.mapping.check_date_system(date_system(manifest, sheet=sheet))
    # a won / lost / close time after a day past the run's clock is refused (x35r1)
    mapper = dataclasses.replace(umap.compile(catalog, header=head), latest=latest_time(taken))
    # the deals the file names twice or more, learned on the marks' pass where it runs
    # (else on a pass of the key column alone): ``_contests`` maps only their rows
    repeated = RepeatedKeys()

    def ref_of(row: SourceRow) -> str | None:
        return _named_ref(row.values.get(umap.column), umap.by)
    if mapper.learns_marks:  # decimal = "auto": each column's mark from the whole file, as
        # an import decides it — before anything is sent (v10r13 M1: 2.375 beside 12.5 and
        # 0.5 failed as ambiguous; DecimalContested for a column showing both marks)
        # in a worker thread, as an import's: a stop or a cancel lands within it (f24o)
        await in_thread(lambda: mapper.learn_marks(first_of_each(repeated.learning(unheld(
            stoppable(read_manifest(manifest, encoding=encoding, sheet=sheet,
                                    header_row=header_row,
                                    columns={umap.column, *umap.mapping.columns()},
                                    keys=(umap.column,) if umap.by == "key" else (),
                                    since=since),
                      lambda: ctx.stopping, watch("learning the decimal marks")),
                      typed_source=typed),
            ref_of), lambda cell: _named_ref(cell, umap.by), umap.column)))
    marks_said = mapper.mark_notes()  # a decimal mark a tie decided (x14r1 F5)
    labels = {f.code: f.name for f in catalog.deal_fields if f.is_custom}
    read = {umap.column, *umap.mapping.columns()}
    fields = field_columns(mapper, labels)

    def unheld_rows(what: str) -> Iterator[SourceRow]:
        return unheld(stoppable(read_manifest(
            manifest, encoding=encoding, sheet=sheet, header_row=header_row,
            columns={umap.column} if not repeated.learned else read,
            keys=(umap.column,) if umap.by == "key" else (), since=since),
            lambda: ctx.stopping, watch(what)), typed_source=typed)
    if not repeated.learned:  # (the marks' pass did not run, or stopped short)
        await in_thread(lambda: repeated.learn(
            ref_of(row) for row in unheld_rows("finding the deals named twice")))
    # the deals two unheld rows give other changes: neither row is written (f30k)
    rows_of = SpilledDict()  # a repeated deal's rows, that a reason names them all
    leaders = SpilledDict()  # a deal whose later row gives every change of its rows
    contests = {} if not len(repeated) else await in_thread(lambda: _contests(
        unheld_rows("comparing the rows of a deal named twice"), umap, mapper, labels, read,
        fields, repeated, rows_of, leaders))

    def contested(source: SourceRow, named_ref: str | None,
                  repeat: Repeat | None) -> str | None:
        """The reason of a row of a deal two rows give other changes (``contests``),
        naming every other row of it; ``repeat``: this row beside the deal's first row
        (None: this is the first row). None when the deal is not contested."""
        other = contests.get(named_ref) if named_ref else None
        if other is None or named_ref is None:
            return None
        count, some = rows_of[named_ref] if named_ref in rows_of else (0, ())
        rest = [r for r in some if r != source.row]
        others = rows_named(rest, count - 1) if len(rest) > 1 else None
        at = named[named_ref]
        if at[0] == source.row:
            return named_twice(umap.by, named_ref, other[:2], other[2], others=others)
        if (repeat is not None and not repeat.same) or other[0] == source.row:
            return named_twice(umap.by, named_ref, at, repeat, others=others)
        return named_twice(umap.by, named_ref, at, other[2], others=others or where_row(*at),
                            between=other[:2])
    prep = Prepared("update", meta={"source_columns": head, "mapping": umap.mapping.source,
                                    META_TYPED: typed_for_manifest(manifest, sheet=sheet),
                                    "by": umap.by})
    prep.notes.extend(marks_said)
    prep.date_read_only = mapper.listed_only_dates()
    prep.date_locale = umap.mapping.spec.defaults.date_locale
    if (misread := misread_note(manifest, encoding, run="the update")) is not None:
        prep.notes.insert(0, misread)  # x25r2: cp1250 as cp1252; the run refuses (x26r3)
        prep.refusal = misread
    by_key: dict[str, Deal] = {}
    if umap.by == "key":
        key_code, catalog = await ensure_key_field(ctx, catalog, umap.key_field or "",
                                                   create=False, missing=READ_ONLY_KEY_ADVICE)
        codes = [key_code, *umap.custom_codes(mapper)]
        wanted_codes: object = ",".join(dict.fromkeys(codes)) if len(set(codes)) <= \
            MAX_CUSTOM_KEYS else None
        by_key = await index_deals_by_key(ctx, key_code, params={"custom_fields": wanted_codes},
                                          since=keys_scan_since(ctx.clock.wall()))
        prep.meta[META_KEY_FIELD] = key_code  # a resume looks for deals added with the keys
        prep.meta[META_KEY_CHANGED] = by_key.changed  # ... and its plan prices that scan
    claimed: dict[int, tuple[int, int]] = {}  # deal id -> (row, line) that updates it
    similar = SimilarKeys()  # a key no deal carries: the deal's key in another spelling
    holds = hold_column(head)  # a failed-rows file: its held rows stay refused
    were_conflicts: set[int] = set()  # its rows an earlier job left as conflicts
    batch: list[tuple[SourceRow, int, dict[str, Any], dict[str, tuple[str, ...]] | None]] = []
    users: dict[int, dict[str, InputError]] = {}  # by row: targets set to deactivated users

    merges: dict[int, Merge] | None = None  # this state folder's merges, read when needed

    async def flush() -> None:
        nonlocal merges
        deals = await read_deals(ctx, [deal_id for _, deal_id, _, _ in batch])
        if merges is None and base_url and any(
                (deals.get(d) or {"is_deleted": True}).get("is_deleted") for _, d, _, _ in batch):
            from .merged_deals import survivors  # a missing deal: merged here?

            merges = await in_thread(partial(survivors, base_url))
        if record is not None:  # the page's bases, off the loop (STYLE 5)
            await record.read(d for _, d, _, _ in batch if d in deals)
        for source, deal_id, wanted, defaulted in batch:
            placed = _in_deal_pipeline(prep, source, str(deal_id), deals.get(deal_id), wanted)
            if placed is None:
                users.pop(source.row, None)
                continue
            _decide(prep, catalog, source, str(deal_id), deals.get(deal_id), placed, claimed,
                    taken, what="id", currency_open=defaulted, merged=_applied(merges, deal_id),
                    columns=mapper.currency_columns, judge=mapper.judge_found,
                    deactivated=users.pop(source.row, None), ref_column=umap.column,
                    record=record)
            if foreign is not None:  # a field the plan keeps is not the row's (x48r2 F3)
                foreign.see(source.row, deals.get(deal_id), placed, kept=frozenset()
                            if record is None else record.unsent.pop(deal_id, frozenset()))
        batch.clear()

    # by key: rows decided a page at a time too, their deals' bases read off the loop first
    keyed: list[tuple[SourceRow, str, Deal | None, dict[str, Any],
                      dict[str, tuple[str, ...]] | None, dict[str, InputError], str | None]] = []

    async def decide_keyed() -> None:
        if record is not None:
            await record.read(int(c["id"]) for _, _, c, _, _, _, _ in keyed if c is not None)
        for source, ref, current, wanted, defaulted, row_users, spelled in keyed:
            placed = _in_deal_pipeline(prep, source, ref, current, wanted)
            if placed is None:
                continue
            _decide(prep, catalog, source, ref, current, placed, claimed, taken, what="key",
                    currency_open=defaulted, columns=mapper.currency_columns,
                    judge=mapper.judge_found, deactivated=row_users,
                    ref_column=umap.column, record=record, spelled=spelled)
        keyed.clear()

    # a deal id / key -> (row, line) of the first row naming it, good or bad
    named: dict[str, tuple[int, int]] = {}
    # ... and its cells and what it wants: a later row wanting the same is one row written
    # twice (``jobs.repeats``), decided once the first row is (``_duplicates``)
    firsts = RepeatedKeys(every=True)
    twins: list[tuple[SourceRow, str, Repeat]] = []
    # checked: by key no row awaits, so a stop or a cancel lands only here (f24o)
    async for source in checked(ctx, read_manifest(
            manifest, encoding=encoding, sheet=sheet, header_row=header_row,
            columns={umap.column, *umap.mapping.columns()},
            keys=(umap.column,) if umap.by == "key" else (), since=since),
            watch("deciding the rows")):
        refusal = held(source.values, holds, source.values.get(umap.column),
                       typed_source=typed,
                       misaligned=isinstance(source.error, MisalignedRow), update=True)
        if holds is not None and str(source.values.get(
                holds[:-len("hold")] + "reason") or "").startswith("conflict:"):
            were_conflicts.add(source.row)
        if refusal is not None:  # named by its key / id (v10r13, v10r14: the cell was empty)
            prep.fail(source.row, _named_ref(source.values.get(umap.column), umap.by),
                      refusal[1], op="update", values=source.values, column=holds,
                      hold=refusal[0], line=source.line)
            continue
        named_ref = _named_ref(source.values.get(umap.column), umap.by)
        first = (named.setdefault(named_ref, (source.row, source.line)) if named_ref
                 else (source.row, source.line))
        try:
            row_users: dict[str, InputError] = {}
            ref, wanted, defaulted = wanted_values(mapper, source, deactivated=row_users,
                                                    clear=umap.clear)
        except InputError as exc:
            repeat = firsts.again(named_ref, source, read) if named_ref and \
                first[0] != source.row else None
            if named_ref and first[0] == source.row:
                firsts.first(named_ref, source, read)
            if (why := contested(source, named_ref, repeat)) is not None:
                # a row of a deal two rows give other changes, failing too: held as every
                # row of it is, naming them all (x30r3 M1; f31a: a repeat of its cells lost
                # the hold and the other rows)
                prep.fail(source.row, named_ref, why + f"; this row also fails: {exc.reason}",
                          op="update", values=source.values, column=umap.column,
                          hold=HOLD_DUPLICATE, line=source.line)
                continue
            if first[0] != source.row and not (repeat is not None and repeat.same):
                # fixed and run alone, it would overwrite that row's
                prep.fail(source.row, named_ref, named_twice(umap.by, named_ref, first, repeat)
                          + f"; this row also fails: {exc.reason}", op="update",
                          values=source.values, column=umap.column, hold=HOLD_DUPLICATE, line=source.line)
            else:  # the key column is read as the row names it (v10r12: it was empty); a
                # repeat of a failing row's cells fails as that row does (not held); a bad
                # deal id as the cell gives it (x46r3 F5: parse_id refuses it in the mapping)
                cell = source.values.get(umap.column) if umap.by == "id" else None
                prep.fail(source.row, named_ref or (str(cell) if cell else None), exc.reason,
                          op="update",
                          values=source.values, column=exc.column,
                          hold=HOLD_MISALIGNED if isinstance(exc, MisalignedRow) else None, line=source.line)
            continue
        writes = wanted_written(wanted, defaulted, row_users, labels)
        lead = leaders[named_ref] if named_ref and named_ref in leaders else None
        if lead is not None and lead[0] != source.row:  # a part of a later row's changes:
            # its duplicate, as a part after the whole is (w56r1 F1: it held both)
            twins.append((source, ref, Repeat(int(lead[0]), int(lead[1]), True, (), True,
                                              "" if dict(writes) == dict(lead[2]) else "there")))
            continue
        if first[0] != source.row and lead is None:  # good or bad: one row per deal
            repeat = firsts.again(named_ref or ref, source, read, writes, fields)
            if (why := contested(source, named_ref, repeat)) is not None:
                prep.fail(source.row, ref, why, op="update", values=source.values,
                          column=umap.column, hold=HOLD_DUPLICATE, line=source.line)
                continue
            if repeat is not None and repeat.same:  # the same changes: one row written twice
                twins.append((source, ref, repeat))
                continue
            prep.fail(source.row, ref, named_twice(umap.by, named_ref, first, repeat),
                      op="update", values=source.values, column=umap.column,
                      hold=HOLD_DUPLICATE, line=source.line)
            continue
        if named_ref:
            firsts.first(named_ref, source, read, writes)
            if (why := contested(source, named_ref, None)) is not None:  # a later row differs
                prep.fail(source.row, ref, why, op="update", values=source.values,
                          column=umap.column, hold=HOLD_DUPLICATE, line=source.line)
                continue
        if umap.by == "key":
            problem = key_problem(by_key, ref, unarchive=unarchive)
            if problem is not None:
                prep.fail(source.row, ref, problem, op="update", values=source.values,
                          column=umap.column, line=source.line)
                continue
            current = by_key.get(ref)
            if current is None and unarchive and isinstance(by_key, DealsByKey) \
                    and ref in by_key.archived:
                current, wanted = by_key.archived[ref], {**wanted, "is_archived": False}
            keyed.append((source, ref, current, wanted, defaulted, row_users,
                          _spelled(similar, ref, by_key) if current is None else None))
            if len(keyed) >= IDS_PER_CALL:
                await decide_keyed()
            continue
        try:  # the cell as written: the mapped key is NFKC-folded, which reads full-width
            # or superscript digits as 33 (x35r1 F1: a full-width id wrote deal 33 past the hold on 33's rows)
            deal_id = parse_id(source.values.get(umap.column))
        except InputError as exc:
            prep.fail(source.row, str(source.values.get(umap.column) or ref), exc.reason,
                      op="update", values=source.values, column=umap.column, line=source.line)
            continue
        batch.append((source, deal_id, wanted, defaulted))
        if row_users:
            users[source.row] = row_users
        if len(batch) >= IDS_PER_CALL:
            await flush()
    if batch:
        await flush()
    if keyed:
        await decide_keyed()
    _duplicates(prep, twins)
    if (note := _conflicts_again(prep, were_conflicts)) is not None:
        prep.notes.append(note)
    if (starred := mapper.star_note()) is not None:  # the rows "*" placed (x49r11 F2)
        prep.notes.append(starred)
    if prep.closed_undated:  # x35r1 2: the import's plan said it, the update's did not
        prep.notes.append(umap.mapping.undated_note(prep.closed_undated))
    prep.notes.extend(moves_notes(prep))
    prep.calls["updateDeal"] += prep.actions["update"]
    return prep


def _count_moves(prep: Prepared, catalog: Catalog, current: Deal,
                 changes: Mapping[str, Any]) -> None:
    """Counts an update that moves its deal to another pipeline (a ``stage_id`` of another
    pipeline, or a ``pipeline_id``) and one that reopens a won / lost deal (x51r4 F1, F2)."""
    if moves_pipeline({s.id: s.pipeline_id for s in catalog.stages}, current, changes):
        prep.moved_pipeline += 1
    if reopens(current, changes):
        prep.reopened += 1


def moves_notes(prep: Prepared) -> list[str]:
    """The plan's notes on the deals an update moves to another pipeline and the won / lost
    deals it reopens (``Prepared.moved_pipeline``, ``reopened``), [] when none."""
    return moves_notes_of(prep.moved_pipeline, prep.reopened)


def _conflicts_again(prep: Prepared, rows: set[int]) -> str | None:
    """The plan's note on the rows of a failed-rows file an earlier job left as conflicts
    (``rows``: their reason cell begins ``conflict:`` — a colleague changed the deal after
    that job read it) that this run writes: sent, each overwrites that change (x42r4 L3:
    they went through with no word). None when none is written."""
    sent = sorted(item.row for item in prep.items
                  if item.row in rows and item.state is ItemState.PENDING)
    if not sent:
        return None
    named = ", ".join(map(str, sent[:10])) + (f" and {len(sent) - 10:,} more"
                                               if len(sent) > 10 else "")
    return (f"{len(sent):,} row(s) of this file were conflicts of an earlier job (rows "
            f"{named}: someone changed the deal after that job read it): running it writes "
            "over those changes; remove those rows, or empty their values, to keep them")


def _duplicates(prep: Prepared, twins: list[tuple[SourceRow, str, Repeat]]) -> None:
    """Decide the rows that want what an earlier row of their deal wants (``twins``:
    the row, its ref, the earlier row), once every first row is decided: skipped as
    ``duplicate`` naming that row (nothing sent twice), or, that row failing, failed
    with its reason (f29e: they were held as a contest)."""
    if not twins:
        return
    wanted = {repeat.row for _, _, repeat in twins}
    decided = {item.row: item for item in prep.items if item.row in wanted}
    for source, ref, repeat in twins:
        at = where_row(repeat.row, repeat.line)
        item = decided.get(repeat.row)
        if item is None or item.state is ItemState.FAILED:
            why = (item.error or "") if item is not None else "not decided"
            prep.fail(source.row, ref, f"the same changes as {at}, which fails: {why}",
                      op="update", values=source.values,
                      column=item.payload.get("column") if item is not None else None,
                      line=source.line)
            continue
        deal_id = item.payload.get("deal_id") or (item.payload.get("result") or {}).get(
            "deal_id")
        prep.skip(source.row, ref, {
            "deal_id": deal_id, "action": "duplicate",
            "note": f"the same changes as {at} " + (
                "(this row gives part of them, the same; its other cells are empty)"
                if repeat.partial else "(one row written twice)") + ": sent once, as that "
                "row"}, op="update", values=source.values, deal_id=deal_id)


def _named_ref(raw: object, by: str) -> str | None:
    """The deal a row names, as text that two rows naming one deal share (``12`` and
    ``12.0`` alike by id; the cleaned key by key); None when the cell names none."""
    try:
        return str(parse_id(raw)) if by != "key" else tf.source_key(raw)
    except InputError:
        return None


def _contests(rows: Iterable[SourceRow], umap: UpdateMapping, mapper: RowMapper,
              labels: Mapping[str, str], read: Collection[str],
              fields: Mapping[str, Collection[str]], repeated: RepeatedKeys,
              rows_of: SpilledDict | None = None, leaders: SpilledDict | None = None
              ) -> dict[str, tuple[int, int, Repeat]]:
    """The deals (by ``_named_ref``) that two of ``rows`` (the rows not held) give other
    changes (or, refused by the mapping, other cells), each with the (row, line) of the
    first later row that differs and that row beside the first, its cells swapped (as the
    first row's reason shows them: there, the later row's; here, the first's). Either row
    would overwrite the other, so neither is written, on every run, until the person keeps
    one (as an upsert import's contested key: x29r3 F2); a held row is no contest. Rows
    giving the same changes are one row written twice (``duplicate``): no contest; so is
    a row giving a part of another row's changes (its other cells empty), whichever comes
    first: a deal is contested when no one of its rows gives every change its rows give,
    or two give one field other values — a verdict on the set of its rows, never their
    order (w56r1 F1: a part before the whole held both, after it was a duplicate).
    ``leaders``: filled with each deal not contested whose rows' changes a later row than
    its first gives whole: (row, line) of the first such row and what it writes
    (``Written``); the deal's other rows are its duplicates.
    Only the rows of deals the file names again (``repeated``, learned) are mapped.
    ``rows_of``: filled with each such deal's row count and first ``_ROWS_NAMED`` rows (a
    reason names them all). Memory: as the load's own ``RepeatedKeys(every=True)``."""
    firsts = RepeatedKeys(every=True)
    seen = KeySet()
    out: dict[str, tuple[int, int, Repeat]] = {}
    differ: dict[str, tuple[int, int, Repeat]] = {}  # the first later row not a part of the first
    whole = SpilledDict()  # by deal: ``_grown`` of its rows so far
    for source in rows:
        ref = _named_ref(source.values.get(umap.column), umap.by)
        if ref is None or ref not in repeated:
            continue
        if rows_of is not None:
            count, some = rows_of[ref] if ref in rows_of else (0, ())
            rows_of[ref] = (count + 1, (*some, source.row)[:_ROWS_NAMED])
        try:
            users: dict[str, InputError] = {}
            _, wanted, defaulted = wanted_values(mapper, source, deactivated=users,
                                                 clear=umap.clear)
            writes: Written | None = wanted_written(wanted, defaulted, users, labels)
        except InputError:
            writes = None
        if seen.add(ref):
            firsts.first(ref, source, read, writes)
        elif ref not in differ:
            repeat = firsts.again(ref, source, read, writes, fields)
            if repeat is not None and not repeat.same:
                differ[ref] = (source.row, source.line, repeat.swapped(source.row, source.line))
        whole[ref] = _grown(whole[ref] if ref in whole else None, source, writes)
    for ref in differ:  # a deal some row of which is not a part of its first row
        union, row, line, bad = whole[ref]
        if bad or not row:  # other values in a field, or no row gives every change
            out[ref] = differ[ref]
        elif leaders is not None:  # a later row gives them all: it writes (w56r1 F1)
            leaders[ref] = (row, line, union)
    return out


def _grown(had: tuple[Written, int, int, int] | None, source: SourceRow,
           writes: Written | None) -> tuple[Written, int, int, int]:
    """A deal's rows so far (``had``: what they write together, the (row, line) of the
    first row writing all of it, 0 when none does, and 1 when two rows set one field
    otherwise or a row is refused) with ``source`` (``writes``: None when refused) added.
    The verdict is a function of the set of rows, never their order (w56r1 F1)."""
    if writes is None:
        return (had[0] if had else (), 0, 0, 1)
    if had is None:
        return (tuple(writes), source.row, source.line, 0)
    union, row, line, bad = had
    together = dict(union)
    if bad or any(together.get(f, d) != d for f, d in writes):
        return (union, 0, 0, 1)
    grew = any(f not in together for f, _ in writes)
    together.update(writes)
    if grew or not row:
        row, line = ((source.row, source.line) if dict(writes) == together else (0, 0))
    return (tuple(sorted(together.items())), row, line, 0)


def _spelled(similar: SimilarKeys, key: str, by_key: Mapping[str, Deal]) -> str | None:
    """What a row whose ``key`` no deal of ``by_key`` carries is told of the deal whose key
    is ``key`` in another spelling (``417`` / ``000417``, a Salesforce id's other length:
    ``jobs.similar_keys``), None when none is: the key to give, not a guess to write."""
    archived: Mapping[str, Deal] | None = getattr(by_key, "archived", None)
    found = similar.spelled_otherwise(key, by_key, archived)
    if found is None:
        return None
    theirs, why = found
    deal = by_key.get(theirs) or (archived or {}).get(theirs) or {}
    return (f"deal {deal.get('id', '?')} carries key {theirs!r}, this key {why}: give the key "
            "as the deal carries it")


def _applied(merges: Mapping[int, Merge] | None, deal_id: int) -> Merge | None:
    """The merge made here that took deal ``deal_id`` away, when its job saw it done (an
    unconfirmed one may have failed: the deal may have been deleted by hand)."""
    hit = (merges or {}).get(deal_id)
    return hit if hit is not None and hit.applied else None


def _in_deal_pipeline(prep: Prepared, source: SourceRow, ref: str, current: Deal | None,
                      wanted: dict[str, Any]) -> dict[str, Any] | None:
    """``wanted`` with a stage cell of a row that names no pipeline (``InDealPipeline``)
    read in the deal's own pipeline (x50r9 F1: ``won\u200b`` on a won US deal moved it to
    EU U+203A Won, open); None when that fails the row (failed here, naming its column).
    A deal missing or deleted is left to ``_decide``, which fails its row."""
    marker = wanted.get("stage_id")
    if not isinstance(marker, InDealPipeline) or current is None or current.get("is_deleted"):
        return wanted
    try:
        placed = {**wanted, **marker.place(int(current["pipeline_id"]))}
    except InputError as exc:
        # worded as the upsert's found deal's (``RowPlanner.settled``: x53r6 F4)
        prep.fail(source.row, ref, placed_reason(marker, exc, current["id"]),
                  op="update", values=source.values,
                  column=exc.column, line=source.line)
        return None
    for name in ("status", "stage_id"):  # its cell says none, the deal keeps its own
        if name in placed and placed[name] is None:  # (x51r4 F2)
            del placed[name]
    return placed


def _decide(prep: Prepared, catalog: Catalog, source: SourceRow, ref: str,
            current: Deal | None, wanted: dict[str, Any],
            claimed: dict[int, tuple[int, int]],
            taken: float, *, what: str,
            currency_open: Mapping[str, tuple[str, ...]] | None = None,
            columns: Mapping[str, str] | None = None,
            judge: Callable[[int, dict[str, Any], Mapping[str, Any]], dict[str, Any]],
            deactivated: Mapping[str, InputError] | None = None,
            ref_column: str | None = None, merged: Merge | None = None,
            spelled: str | None = None, record: UpdateRecord | None = None) -> None:
    """``ref_column``: the id / key column, named by a row failed for it; ``judge``: the
    mapper's ``RowMapper.judge_found`` (its lost reason and won / lost / close times by
    the status placed, its error naming their column: x20r2 F5). ``merged``: the merge made here that took the
    deal away (``jobs.merged_deals``), named when the deal is gone; ``spelled``: the deal
    whose key is ``ref`` in another spelling, said when none carries ``ref``; ``record``:
    the changes decided three ways (``jobs.update_edits``), a kept field not sent."""
    if current is None or current.get("is_deleted"):
        why = f"no deal with {what} {ref!r} (missing, deleted or archived)"
        if spelled is not None:  # x35r1 3: '417' failed, deal 000417 unnamed
            why += f"; {spelled}"
        if merged is not None:  # x32r4: "no deal with id '10'" for a deal pdbulk merged
            why = (f"no deal with {what} {ref!r}: a merge made here (job {merged.job}) took "
                   f"it into deal {merged.survivor}; name that deal to update it")
        prep.fail(source.row, ref, why, op="update", values=source.values,
                  column=ref_column, line=source.line)
        return
    deal_id = int(current["id"])
    if deal_id in claimed:
        prep.fail(source.row, ref, f"deal {deal_id} is already updated by "
                                   f"{where_row(*claimed[deal_id])} (each deal is updated once a run; "
                                   "re-run alone, this row would overwrite that update)",
                  op="update", values=source.values, column=ref_column, hold=HOLD_DUPLICATE, line=source.line)
        return
    if currency_open is not None:  # a blank currency leaves the deal's own
        try:
            wanted = dict(defaulted_currency(
                current, wanted, currency_open, columns,
                record.base(deal_id) if record is not None else None))
        except InputError as exc:
            prep.fail(source.row, ref, exc.reason, op="update", values=source.values,
                      column=exc.column, line=source.line)
            return
    try:  # its lost reason and times by the status placed, else the deal's own, as an
        # upsert's found row (one rule: x14r1 F3; f52n, a row placed won sent its reason)
        wanted = judge(source.row, wanted, current)
    except InputError as exc:
        prep.fail(source.row, ref, exc.reason, op="update", values=source.values,
                  column=exc.column, line=source.line)
        return
    claimed[deal_id] = (source.row, source.line)
    # the currency the row names is a change of its own, its amount blank or not (x9r4)
    # a status change takes the row's times with it, even unchanged ones (x34r4 F1)
    changes = with_status_times(current, wanted, deal_changes(
        current, wanted, currency_alone=True, types=field_types(catalog.deal_fields)))
    edited = None  # a field kept from Pipedrive or written over a change made there
    counts: dict[str, int] = {}  # its ``ThreeWay.counts()``: the summary's ``load.edited_*``
    if record is not None:  # (before the owner's check: a kept owner is not sent)
        ruled = record.rule(deal_id, current, wanted, changes, catalog)
        changes, edited, counts = ruled.changes, ruled.note, ruled.counts
    if (user := set_to_deactivated(changes, deactivated)) is not None:
        prep.fail(source.row, ref, user.reason, op="update", values=source.values,
                  column=user.column, line=source.line)
        return
    held = _held_at_load(current, wanted, changes)
    if not changes:
        prep.skip(source.row, ref, {"deal_id": deal_id, "action": "unchanged",
                                    **({"note": edited} if edited else {}),
                                    **({EDITED: counts} if counts else {})}, op="update",
                  values=source.values, deal_id=deal_id,
                  **({HELD_AT_LOAD: held} if held else {}))
        return
    names = changed_names(changes, catalog)
    remember_labels(prep, changes, catalog)
    prep.count_fields(changes, catalog, current)
    if changes.get("status") in ("won", "lost") and "close_time" not in changes \
            and changes["status"] != current.get("status"):  # only a change re-dates
        prep.closed_undated += 1
    _count_moves(prep, catalog, current, changes)
    said = "; ".join(filter(None, (negative_value_note(changes),  # (as an import: x45r1 F4)
                                   edited)))
    prep.add(NewItem(row=source.row, key=ref, op="update", payload={
        "deal_id": deal_id, "changes": changes, "fields": names, **row_values(source.values),
        **({ROW_NOTE: said} if said else {}), **({EDITED: counts} if counts else {}),
        **({HELD_AT_LOAD: held} if held else {})}), "update")
    prep.images.append(BeforeImage("deal", deal_id, None, before_image(current, changes), taken))


HELD_AT_LOAD = "held_at_load"
"""An update item's payload key: the values its row named that the deal already held at
the load (so not in its ``changes``), non-empty ones alone, ``deal_changes``' shape. A
merge fills only a survivor's empty fields (FACTS, Merge): undo's merge guess takes no
such value for a sign (``jobs.undo.plan._merged_into``; x51r7 F2)."""


def _held_at_load(current: Deal, wanted: Mapping[str, Any], changes: Mapping[str, Any]
                  ) -> dict[str, Any]:
    """``HELD_AT_LOAD``'s value for a deal read as ``current``, its row wanting ``wanted``
    and changing ``changes``."""
    out: dict[str, Any] = {k: current.get(k) for k in wanted
                           if k != "custom_fields" and k not in changes
                           and not blank(current.get(k))}
    now = current.get("custom_fields") or {}
    sent = changes.get("custom_fields") or {}
    custom = {code: now.get(code) for code in wanted.get("custom_fields") or {}
              if code not in sent and not blank(now.get(code))}
    if custom:
        out["custom_fields"] = custom
    return out


__all__ = ["HELD_AT_LOAD", "LOAD_ERROR", "MAX_CUSTOM_KEYS", "META_KEY_FIELD", "META_KEY_LABEL", "META_LOADED",
           "UPDATE_COLUMNS", "PatchJob", "Prepared", "UpdateJob", "UpdateMapping",
           "UpdateSection", "changed_names", "check_loaded", "drifted", "key_field_code",
           "prepare_update", "refused", "sent_while_loading", "wanted_values",
           "write_job_results"]
