"""Loading an import into its job store, planning it without writes, and its result files.

``load``: pull what the rows are matched against (``RowPlanner.build``), stream
the manifest through ``RowPlanner.decide`` into the store (one item per row, in
row order), then mark the job loaded — nothing is sent before that mark, so an
interrupted load is simply started again. ``plan_import``: the same pulls and
the same decisions, nothing stored, nothing written; the calls counted into a
``Plan``. ``write_import_results``: the result files and summary.json from the
store (rebuilt after every run).

Why ~1930 lines: load and plan are the same pass over the rows (the plan must price what
the load will do, so they share every step but the write), and the result files are
built from what the load stored.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import math
import os
import pickle
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import (
    AsyncIterator,
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

import anyio
import anyio.from_thread

from bulk.calls import CallContext
from bulk.claims import DEFAULT_LEASE, Claims
from bulk.clock import Clock, SystemClock, in_thread
from bulk.contested import ContestedKeys
from bulk.engine import Engine, EngineConfig
from bulk.errors import InputError, Stopped, StoreError
from bulk.limited import by_process, process_id
from bulk.manifest import (
    SourceRow,
    check_has_rows,
    check_misread,
    date_system,
    detect_format,
    header,
    header_note,
    read_manifest,
)
from bulk.manifest_stamp import Stamp, check_unchanged, file_stamp
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.reports import Typed, hold_column
from bulk.runner import JobKind, RunResult, RunStats, recheck_batch
from bulk.scheduler import SchedulerStats
from bulk.state import scratch_dir
from bulk.store import BeforeImage, ItemState, JobStore, NewItem
from bulk.transport import Transport
from bulk.wording import counted, noun

from . import setting_checks as checks
from .account import PAGE, SETTLE_AT_MOST, SETTLE_SPANS, DealsByKey
from .budget_stop import first_write_line
from .clock_skew import META_LEAD, RECONCILE_MARGIN, lead_note
from .deals import META_FIELD_LABELS, META_FIELD_TYPES, META_VALUE_LABELS, before_image
from .deleted_records import Deleted
from .doubles import (
    changed_lately,
    check_calls,
    contact_check_calls,
    contacts_line,
    doubled_deals,
    doubled_note,
    doubles_line,
    doubles_summary,
)
from .import_account_now import catalog_users
from .import_account_now import check_calls as account_check_reads
from .import_checks import (
    META_SETTINGS,
    UnseenPaths,
    stored_settings,
    with_mapping_defaults,
)
from .import_identity import META_IDENTITY, identity
from .import_items import (
    META_DELETED_DEALS,
    META_DELETED_SINCE,
    META_LINKS_NOW,
    META_UNCHECKED,
    PLACEHOLDER_CODE,
    RECREATED,
    deleted_deals,
    deleted_ids,
    deleted_note,
    linked_note,
    linked_now,
    unchecked_counts,
)
from .import_resolve import Resolver, made_contacts
from .import_rows import (
    GIVEN_KEPT,
    MATCH_COLUMNS,
    ImportSettings,
    RowCounts,
    RowPlanner,
    file_sha,
)
from .import_store import (
    META_COUNTS,
    META_KEY_CODE,
    META_MANIFEST,
    META_MARKS,
    META_RUNS,
    META_SENT_MARKS,
    META_SHA,
    PERSON_ORG_AT_LOAD,
    claim_name,
    recheck_reads,
)
from .key_field_holders import SAMPLED_KEYS as HELD_SAMPLED
from .last_written import EDITED, EDITED_KEYS, edited_counts, source_of
from .last_written_runs import caught_up
from .load_progress import LoadProgress, Watch
from .load_stop import LOAD_STOPPED, Stopping, stoppable
from .mapped_spill import MappedSpill
from .mapping import Mapping as ImportMapping
from .mapping import RowMapper, unnamed_persons_note
from .merged_deals import Merge
from .own_export import OwnExport, read_sample
from .own_export import Sample as OwnSample
from .own_export import check as own_check
from .person_key_version import META_PERSON_KEYS, PERSON_KEY_VERSION
from .planning import (
    IMPORT_SECONDS_PER_WRITE,
    RUN_START_SECONDS,
    Plan,
    ReasonTally,
    budget_source,
    end_of_run_seconds,
    estimate,
    host_ticks,
    machine_pace,
    stolen_share,
)
from .prepared import moves_notes_of
from .rechecks import recheck_batches, recheck_calls
from .repeats import RepeatedKeys, rows_named
from .results import (
    SUCCESS_COLUMNS,
    failed_row,
    first_of_each,
    rate_limited_why,
    tokens_line,
    typed_for_manifest,
    unheld,
    write_failed,
    write_results,
)
from .resume_account_now import resume_first_calls
from .survivor_contacts import SurvivorContacts
from .transforms import source_key, storable
from .updating import META_KEY_LABEL

Say = Callable[[str], None]


class LoadedKind(JobKind, Protocol):
    """What ``import_job`` and ``loaded_plan`` need of the job kind they load and run
    (``jobs.importing.ImportJob``, which imports this module: the load never imports the job
    back, issue 8). ``settings``: what the job was started with (``import_job`` settles the
    mapping's defaults into it); ``attach``: given the planner ``load`` returns; the two
    prices by operation ({operation id: calls}) of a resume and of its re-read."""

    settings: ImportSettings

    def attach(self, planner: RowPlanner) -> None: ...

    def resume_calls(self, store: JobStore) -> dict[str, int]: ...

    def reread_calls(self, store: JobStore) -> dict[str, int]: ...

    def use_clock(self, clock: Clock) -> None: ...


_log = logging.getLogger("pdbulk.import")  # a library prints nothing (x14r3: the README's
# import example wrote the load's progress lines on stdout)


def _rows(planner: RowPlanner, settings: ImportSettings,
          stopping: Stopping | None = None, watch: Watch | None = None) -> Iterator[SourceRow]:
    return stoppable(read_manifest(settings.manifest, format=settings.format,
                                       delimiter=settings.delimiter, encoding=settings.encoding,
                                       sheet=settings.sheet, columns=planner.read_columns,
                                       header_row=settings.header_row,
                                       keys=(planner.key_column,)), stopping, watch)


def _watch(progress: LoadProgress | None, what: str) -> Watch | None:
    """What a whole pass over the manifest tells ``progress`` its rows by (None: nothing)."""
    return None if progress is None else progress.watch(what)


def learn_marks(planner: RowPlanner, settings: ImportSettings,
                stopping: Stopping | None = None, *,
                progress: LoadProgress | None = None) -> dict[str, dict[str, str]]:
    """The decimal mark of every ``decimal = "auto"`` numeric column, decided from the whole
    manifest (one extra pass over it, only when the mapping has such a column) before any
    row is decided: no cell's reading depends on the cells before it
    (``RowMapper.learn_marks``). Returns what the job stores under ``META_MARKS``."""
    mapper = planner.mapper
    if not mapper.learns_marks:
        return {}
    rows = unheld(_rows(planner, settings, stopping, _watch(progress, "learning the decimal marks")),
                  typed_source=_typed(settings))
    if not planner.repeats.learned:  # the keys the file repeats, on the way (jobs.repeats)
        rows = planner.repeats.learning(rows, lambda row: planner.raw_key(row.values))
    return mapper.learn_marks(first_of_each(rows, _key_named, planner.key_column))


def learn_contacts(planner: RowPlanner, settings: ImportSettings,
                   stopping: Stopping | None = None, *,
                   progress: LoadProgress | None = None) -> None:
    """Every address the manifest names each organization at, and the e-mails and phones
    it gives each person — those the mapping reads — learned before any row is decided,
    so that which rows share a new organization or person does not depend on their order
    (``RowPlanner.learn_places`` / ``learn_persons``), from one pass over the manifest
    (``RowPlanner.learn_contacts``: issue 8, a pass each read the whole file twice)."""
    places = planner.mapper.reads_org_address
    persons = planner.mapper.reads_person_email_or_phone
    if places or persons or planner.mapper.reads_contact_names:
        rows = unheld(_rows(planner, settings, stopping,
                            _watch(progress, "learning the persons and organizations")),
                      typed_source=_typed(settings))
        if not planner.repeats.learned:  # the keys the file repeats, on the way (no pass
            rows = planner.repeats.learning(  # of their own: ``learn_repeats``)
                rows, lambda row: planner.raw_key(row.values))
        _spilled(planner).learn_contacts(first_of_each(rows, _key_named, planner.key_column),
                                         places=places, persons=persons)


def learn_file(planner: RowPlanner, settings: ImportSettings,
               stopping: Stopping | None = None, *,
               progress: LoadProgress | None = None) -> dict[str, dict[str, str]]:
    """``learn_marks`` then ``learn_contacts``. When both read the file, the marks' pass
    learns the keys the file repeats on its way (issue 8) and which rows are the first of
    their key, by row number (a bit a row: no second set of the file's keys); the contacts
    are learned on a pass of their own, over those rows, once the marks are decided: a row
    the marks make fail lends nothing (``RowPlanner._learnable``, x45r1 F1 — on one pass
    the contacts were learned from rows not yet judged). Returns what ``learn_marks``
    returns; raises what either raises (a contested decimal mark: before the contacts)."""
    mapper = planner.mapper
    places = mapper.reads_org_address
    persons = mapper.reads_person_email_or_phone
    if not mapper.learns_marks or not (places or persons or mapper.reads_contact_names):
        marks = learn_marks(planner, settings, stopping, progress=progress)
        learn_contacts(planner, settings, stopping, progress=progress)
        return marks
    rows = unheld(_rows(planner, settings, stopping, _watch(
        progress, "learning the decimal marks")), typed_source=_typed(settings))
    column = planner.key_column
    # the keys the file repeats, on the way (jobs.repeats), in the set the first of each
    # key is told by: one set of the file's keys, not two at once
    firsts = planner.repeats.learning_firsts(
        rows, lambda row: planner.raw_key(row.values),
        lambda row: _key_named(row.values.get(column))) if not planner.repeats.learned \
        else first_of_each(rows, _key_named, column)
    learning = mapper.marks_learning()
    first_rows = bytearray()  # bit n: row n is the first of its key (or names none)

    def shown(rows: Iterable[SourceRow]) -> Iterator[SourceRow]:
        see = learning.see
        for row in rows:
            at = int(row.row)
            if at >> 3 >= len(first_rows):
                first_rows.extend(bytes((at >> 3) + 1 - len(first_rows)))
            first_rows[at >> 3] |= 1 << (at & 7)
            see(row)
            yield row
    try:
        for _ in shown(firsts):
            pass
    finally:
        learning.stop()
    marks = learning.done()

    def first(row: SourceRow) -> bool:
        at = int(row.row)
        return at >> 3 < len(first_rows) and bool(first_rows[at >> 3] >> (at & 7) & 1)
    _spilled(planner).learn_contacts(filter(first, unheld(_rows(planner, settings, stopping, _watch(
        progress, "learning the persons and organizations")), typed_source=_typed(settings))),
        places=places, persons=persons)
    return marks


def learn_repeats(planner: RowPlanner, settings: ImportSettings,
                  stopping: Stopping | None = None, *,
                  progress: LoadProgress | None = None) -> None:
    """The source keys the manifest gives two rows or more, learned before any row is
    decided (``RowPlanner.learn_repeats``, ``jobs.repeats``): a pass over the rows a hold
    cell does not refuse, unless ``learn_contacts`` learned them on its own pass."""
    if not planner.repeats.learned:
        planner.learn_repeats(unheld(_rows(planner, settings, stopping, _watch(
            progress, "finding the keys given twice")), typed_source=_typed(settings)))


def learn_contests(planner: RowPlanner, settings: ImportSettings,
                   stopping: Stopping | None = None, *,
                   progress: LoadProgress | None = None) -> None:
    """Upsert: the repeated keys a later row gives other cells, learned before any row is
    decided (``RowPlanner.learn_contests``): one more pass over the rows a hold cell does
    not refuse, only when the file repeats a key."""
    if settings.mode == "upsert" and len(planner.repeats):
        planner.learn_contests(unheld(_rows(planner, settings, stopping, _watch(
            progress, "comparing the rows of a repeated key")), typed_source=_typed(settings)))


def _first_rows(planner: RowPlanner, settings: ImportSettings,
                stopping: Stopping | None = None) -> Iterator[Any]:
    """The manifest's rows a learning pass reads: a held row's aside, the first of each
    source key (``first_of_each``), as the load decides them."""
    return first_of_each(unheld(_rows(planner, settings, stopping),
                                typed_source=_typed(settings)), _key_named,
                         planner.key_column)


class _Learner:
    """``RowPlanner.build``'s check before the key field is created: the decimal marks of
    the manifest's columns learned by a preview mapper (DecimalContested: nothing sent),
    and for a JSON manifest the paths no record has (MappingError: nothing sent either;
    v10r30 M2: the key field was created before the load found them).

    ``marks``: what the preview learned (``RowMapper.decimal_marks``), None when it did not
    run or had nothing to learn. It read the rows ``learn_marks`` reads, the same way, so
    the load takes them instead of reading the whole file a third time (issue 8)."""

    def __init__(self, settings: ImportSettings, mapping: ImportMapping,
                 since: Stamp | None = None, stopping: Stopping | None = None,
                 progress: LoadProgress | None = None) -> None:
        self.settings, self.mapping, self.since = settings, mapping, since
        self.stopping = stopping  # its passes over the file stop between chunks of rows
        self.progress = progress  # ... and say where they are
        self.marks: dict[str, dict[str, str]] | None = None
        # the keys the file repeats, learned on the marks' pass (the planner takes them)
        self.repeats = RepeatedKeys()

    def __call__(self, mapper: RowMapper) -> object:
        settings, mapping = self.settings, self.mapping
        # a file still being written since its header was read: refused before the key
        # field is created (x17r3 F5)
        check_unchanged(settings.manifest, self.since)
        if detect_format(settings.manifest, settings.format) in ("json", "jsonl"):
            unseen = UnseenPaths(mapping, manifest_header(settings))
            for row in stoppable(read_manifest(settings.manifest, format=settings.format,
                                                   encoding=settings.encoding), self.stopping):
                if not unseen.waiting:
                    break
                unseen.see(row)
            unseen.check(mapping.source)
        if not mapper.learns_marks:
            return None
        rows = self.repeats.learning(unheld(stoppable(read_manifest(
            settings.manifest, format=settings.format, delimiter=settings.delimiter,
            encoding=settings.encoding, sheet=settings.sheet, columns=set(mapping.columns()),
            header_row=settings.header_row, keys=(mapping.key_column,)), self.stopping,
            _watch(self.progress, "learning the decimal marks")),
            typed_source=_typed(settings)), lambda row: _mapped_key(mapper, row.values))
        self.marks = mapper.learn_marks(first_of_each(rows, _key_named, mapping.key_column))
        return self.marks


def sendable(settings: ImportSettings, mapping: ImportMapping,
             stopping: Stopping | None = None) -> Callable[[RowMapper], bool]:
    """What ``RowPlanner.build`` asks before it indexes the account (``sendable``): whether
    any row not held maps (``RowMapper.map``) — else every row fails before it is matched,
    and neither the load nor its plan reads a person, an organization or a deal (x35r1: a
    plan of a file all of whose rows were bad spent 50 tokens of list reads). Reads the
    file up to its first row that maps (the first, mostly); a file all of whose rows are
    bad is read once more. Numeric cells whose decimal mark the whole file decides
    (``decimal = "auto"``) are read with the marks learned here (another pass, only then),
    which are forgotten again (the load learns them as before). Errors that are not a
    row's (a contested mark, an unreadable file): True, the load says them as before."""
    def read() -> Iterator[SourceRow]:
        return unheld(stoppable(read_manifest(
            settings.manifest, format=settings.format, delimiter=settings.delimiter,
            encoding=settings.encoding, sheet=settings.sheet, columns=set(mapping.columns()),
            header_row=settings.header_row, keys=(mapping.key_column,)), stopping),
            typed_source=_typed(settings))

    def maps(mapper: RowMapper) -> bool:
        for row in read():
            try:
                mapper.map(row, defer_users=True)
            except InputError:
                continue
            return True
        return False

    def check(mapper: RowMapper) -> bool:
        try:
            if maps(mapper):
                return True
            if not mapper.learns_marks:
                return False
            try:
                mapper.learn_marks(read())
                return maps(mapper)
            finally:
                mapper.use_decimal_marks({})
        except (InputError, OSError):
            return True
    return check


NONE_SENDABLE = ("no row of the file maps (each fails for what its cells hold): nothing "
                 "can be written, so no person, organization or deal is indexed (only the "
                 "pipelines, stages and fields the mapping names are read)")


def key_field_unmade(planner: RowPlanner, label: str, missing: bool) -> str | None:
    """The note a load / plan of a file no row of which can be sent (none maps, or every
    one is held) gives when the key field ``label`` is missing: it is not made (x36r3:
    made, and the deals read, for nothing); None when the field exists or will be made
    (``missing``: ``RowPlanner.build``'s)."""
    if missing or planner.key_code != PLACEHOLDER_CODE:
        return None
    return (f"the key field {label!r} is not in the account and is not created: no row "
            "can be sent (it is created by the first run with a row that maps)")


ALL_HELD = ("every row is held (its hold cell is filled): nothing can be written, so no "
            "person, organization or deal is indexed (only the pipelines, stages and fields "
            "the mapping names are read); empty a row's hold cell to import it")


def all_held(settings: ImportSettings, mapping: ImportMapping, header: Sequence[str]) -> bool:
    """Whether no row of the manifest can be written: a failed-rows file (``hold_column``
    of its ``header``) whose every row is held (``results.unheld``), refused again before
    anything is matched. Reads the file up to its first row not held (none for a file with
    no hold column); raises what ``read_manifest`` raises."""
    if hold_column(list(header)) is None:
        return False
    rows = unheld(read_manifest(
        settings.manifest, format=settings.format, delimiter=settings.delimiter,
        encoding=settings.encoding, sheet=settings.sheet, columns=set(mapping.columns()),
        header_row=settings.header_row, keys=(mapping.key_column,)),
        typed_source=_typed(settings))
    return next(rows, None) is None


def _mapped_key(mapper: RowMapper, values: Mapping[str, Any]) -> str | None:
    """A row's source key as ``RowPlanner.raw_key`` reads it, by ``mapper``'s key source."""
    try:
        return source_key(mapper.key(values))
    except InputError:
        return None


def file_keys(settings: ImportSettings, mapping: ImportMapping,
              stopping: Stopping | None = None) -> Callable[[RowMapper], set[str]]:
    """What ``RowPlanner.build`` reads the file's keys with (``file_keys``): the first
    ``SAMPLED_KEYS`` distinct source keys of the rows not held, as ``mapper`` reads them
    (``jobs.key_field_holders``: are they already in another text field?). Reads the file up
    to them; raises what ``read_manifest`` raises."""
    def read(mapper: RowMapper) -> set[str]:
        keys: set[str] = set()
        rows = unheld(stoppable(read_manifest(
            settings.manifest, format=settings.format, delimiter=settings.delimiter,
            encoding=settings.encoding, sheet=settings.sheet, columns=set(mapping.columns()),
            header_row=settings.header_row, keys=(mapping.key_column,)), stopping),
            typed_source=_typed(settings))
        for row in rows:
            key = _mapped_key(mapper, row.values)
            if key is not None:
                keys.add(key)
                if len(keys) >= HELD_SAMPLED:
                    break
        return keys
    return read


def _key_named(cell: object) -> str | None:
    """The source key a key cell names, as the row planner reads it (None: none)."""
    try:
        return source_key(cell)
    except InputError:
        return None


def _typed(settings: ImportSettings) -> bool:
    """Whether the manifest carries its cells' types (XLSX, JSON, JSONL: ``results.held``)."""
    return detect_format(settings.manifest, settings.format) != "csv"


SAMPLED_KEYS = 200  # rows read to estimate a text-less manifest's size (_rows_estimate)
# the share of an insert's own cost (its creates: addDeal, 5 tokens a row) its list of the
# deals that carry a key may take: a 10,000-row file may list 1,250,000 keyed deals, a
# 50-row one 6,000 (review of abb0d41: a 50-row insert must not list a 100,000-deal
# account, 2,000 tokens); ``ImportSettings.look_for_keys`` lifts the bound
KEY_LIST_SHARE = 0.5


def recent_others(planner: RowPlanner, since: float, counted: Any = None) -> int:
    """How many live deals the plan's read of the deals (the upsert's index, the insert's
    key read: ``index_deals_by_key`` with a ``since`` at or before it) saw changed at or
    after ``since`` (Unix time: RECONCILE_MARGIN s before now), less those the rows
    update: the deals an earlier import, a colleague, an update, a move-stage or a merge
    wrote lately that the end-of-run doubles check lists beside this job's own writes
    (``jobs.doubles.check_calls``; x47r3 F1: plan 170, server 180 right after 499 keyed
    deals were imported). ``counted``: the index that counted them, when not the plan's
    deals index (``lately_counted``). 0 when neither counted them."""
    deals = planner.indexes.deals if counted is None else counted
    after = getattr(deals, "changed_ids_after", None)
    if after is None:
        return 0
    return len(after("getDeals", since) - planner.updated_ids)


async def lately_counted(ctx: CallContext, planner: RowPlanner, creates: int, *,
                         young: bool) -> tuple[Any, Counter[str]]:
    """The index that counted the deals changed lately for the plan's pricing of the
    end-of-run doubles check (``recent_others``) and a young claims state's scans
    (``young_scan_calls``, when ``young``): the plan's deals index when it counted them
    from early enough; else, when the run creates (``creates`` > 0), the plan's own read of
    them (``jobs.doubles.changed_lately``: the key field missing, or an insert's key read
    given up; x51r4 F4: the check listed 700 deals, 2 pages, the plan priced 1). Returns
    it (None: nothing to count) and the calls that read made, which the run's load does
    not make (kept out of the load's pulls the plan prices; the plan's own spend has them)."""
    since = ctx.clock.wall() - RECONCILE_MARGIN - (2 * DEFAULT_LEASE if young else 0.0)
    deals = planner.indexes.deals
    after = getattr(deals, "changed_after", None)
    if creates <= 0 or (after is not None and after("getDeals", since) is not None):
        return deals, Counter()
    before = Counter(ctx.stats.calls_by_operation)
    counted = await changed_lately(ctx, since, archived=young)
    return counted, Counter(ctx.stats.calls_by_operation) - before


async def index_keyed_deals(ctx: CallContext, planner: RowPlanner,
                            settings: ImportSettings, titles_of: Collection[int] = ()) -> bool:
    """For an insert into an account that has the key field (an earlier import made it),
    pull the deals that carry a key (``index_deals_by_key``: the key field alone, 10 tokens
    a page of 500 live deals), so that a row whose key a deal carries is ``exists`` at the
    load (``RowPlanner.decide``), nothing read or sent for it, whoever made that deal: this
    machine, another one, a state folder lost since, a person by hand — unless its claim
    names another deal or a create in doubt: that row's create looks first, as the claims
    say (``jobs.importing``), and finds it (x27r1 1: the same
    file imported again with another PDBULK_STATE_DIR created 9,886 duplicate deals, the
    claims of the first run being on the other machine). A key two deals carry fails its
    row (never resolved by picking one).

    The pull costs at most ``KEY_LIST_SHARE`` of the rows' creates (``_rows_estimate``),
    unless ``settings.look_for_keys``; past that it is given up (``TooManyPages``, the
    pages read so far paid, the plan pays them too): ``planner.keys_unlisted`` then holds
    how many deals the pull saw, and the plan says that keys on deals made elsewhere are
    not looked for. ``titles_of``: deal ids whose titles the live pages give are kept
    (``DealsByKey.titles``, ``jobs.own_export``). Returns whether it pulled."""
    from bulk.claims import IN_DOUBT
    from bulk.claims_open import opened_claims

    from .account import TooManyPages, add_archived_keys, index_deals_by_key

    if planner.mode != "insert" or planner.indexes.deals is not None or not planner.key_code:
        return False

    def sample() -> list[str]:
        keys: list[str] = []
        for row in _rows(planner, settings):
            key = planner.raw_key(row.values)
            if key:
                keys.append(key)
            if row.row >= SAMPLED_KEYS:
                break
        return keys

    keys = await in_thread(sample)
    if not keys:
        return False
    pages: int | None = None
    archived_pages: int | None = None
    if not settings.look_for_keys:
        rows = len(keys) if len(keys) < SAMPLED_KEYS else await in_thread(
            partial(_rows_estimate, settings, len(keys)))
        budget = KEY_LIST_SHARE * rows * get_operation("addDeal").token_cost
        pages = max(1, math.floor(budget / get_operation("getDeals").token_cost))
        archived_pages = max(1, math.floor(budget / get_operation("getArchivedDeals").token_cost))
    # the deals changed since the earliest a young claims state's scan reads from (its
    # birth less a lease, less the margin; born at most a lease ago): counted, so the plan
    # prices those scans' pages (``young_scan_calls``)
    recent = ctx.clock.wall() - 2 * DEFAULT_LEASE - RECONCILE_MARGIN
    try:
        deals = await index_deals_by_key(ctx, planner.key_code, archived=False,
                                         max_pages=pages, since=recent, titles_of=titles_of)
    except TooManyPages:
        planner.keys_unlisted = (pages or 0) * PAGE
        # still refused: a key this state folder made a deal for in another spelling (the
        # claims know it; x37r1 F3: 417 beside 000417 created a second deal, exit 0)
        from .claimed_spellings import claimed_spellings

        claims = await opened_claims(clock=ctx.clock)
        try:
            planner.claimed_spellings = await claimed_spellings(
                ctx, planner.key_code,
                lambda: (planner.raw_key(r.values) for r in _rows(planner, settings)),
                claims.outcomes)
        finally:
            await claims.aclose()
        return False
    # the archived deals too (x28r2 F4: getDeals lists no archived deal, so a key only an
    # archived deal carries was created again from another state folder): such a row is
    # `exists`, its note saying the deal is archived; a key a live deal carries too fails
    # its row (two deals). Past its own page bound the archived list is given up alone:
    # the live keys are still looked for, and the plan says which are not
    try:
        await add_archived_keys(ctx, deals, planner.key_code, max_pages=archived_pages,
                                since=recent)
    except TooManyPages:
        planner.archived_unlisted = (archived_pages or 0) * PAGE
    # a listed key's row is `exists` when its claim names that deal, or names nothing (the
    # deal was made elsewhere: another machine, a lost state folder, by hand): never
    # recorded `created` by this job, its claim left as it is. A claim that names another
    # deal, or a create left in doubt, goes the claims way at the send, which settles whose
    # create the deal is and writes it on the claim (tests/test_reconcile_attribution.py).
    # An archived deal its claim names is `exists` at the load too, its note naming the job
    # the claim says made it (x29r3 F7: it went the claims way, a getDeal read and
    # `exists` at the send; the plan counted it a create, one addDeal too many)
    ambiguous = getattr(deals, "ambiguous", {}) or {}
    listed = [k for k in (*deals, *deals.archived) if k not in ambiguous]
    claims = await opened_claims(clock=ctx.clock)  # (its file opened off the loop)
    try:
        for start in range(0, len(listed), 2000):
            chunk = listed[start:start + 2000]
            named = await claims.outcomes([claim_name(planner.key_code, k) for k in chunk])
            for k in chunk:
                outcome = named.get(claim_name(planner.key_code, k))
                deal = deals.get(k) or deals.archived.get(k)
                if outcome is None or (deal is not None and outcome.get("deal_id") == int(
                        deal["id"]) and IN_DOUBT not in outcome):
                    planner.confirmed_keys.add(k)
                    if outcome is not None and k not in deals:  # archived, its maker known
                        job = outcome.get("job")
                        planner.archived_makers[k] = job if isinstance(job, str) else None
    finally:
        await claims.aclose()
    planner.indexes.deals = deals
    planner.indexes.listed["deals with a key"] = len(deals) + len(deals.archived)
    return True


async def own_export_seen(ctx: CallContext, planner: RowPlanner,
                          sample: OwnSample) -> OwnExport | None:
    """``jobs.own_export.check`` of ``sample`` after the load's (or plan's) reads: the
    titles its list of the live deals kept, else one read of its own for a key column
    named as a deal id; the rows whose key a deal carries left out (they create nothing)."""
    deals = planner.indexes.deals
    column = planner.key_column

    def known(cell: object) -> bool:
        key = planner.raw_key({column: cell})
        return key is not None and deals is not None and (
            key in deals or key in getattr(deals, "archived", {}))
    return await own_check(ctx, sample, column, getattr(deals, "titles", None), known)


def refuse_own_export(found: OwnExport | None, settings: ImportSettings,
                      key_column: str) -> None:
    """InputError, before any write, when ``found`` takes the file for this account's own
    export and ``settings.copy_own_deals`` does not ask for the copies."""
    if found is not None and found.refuses and not settings.copy_own_deals:
        raise InputError(found.refusal(key_column))


def young_scan_calls(deals: Mapping[str, Any] | None, born: float,
                     create_batches: Mapping[int, int]) -> dict[str, int]:
    """The calls a young claims state's scans make (``jobs.importing._Creates
    ._find_created``: ``keyed_added_since``), by operation: one ``getDeals`` pull a batch
    of creates (``create_batches``: batch number → its creates) and one
    ``getArchivedDeals`` pull in all, each a page per 500 deals changed since the claims'
    birth ``born`` (Unix time) less a lease and ``RECONCILE_MARGIN`` — as the load's index
    (``deals``, a ``DealsByKey``) counted them, plus, for each scan, the creates of the
    batches before it. An index that did not count them (none pulled, given up past its
    page bound): one page each, as before."""
    since = born - DEFAULT_LEASE - RECONCILE_MARGIN
    changed = getattr(deals, "changed_after", None)
    live = changed("getDeals", since) if changed is not None else None
    archived = changed("getArchivedDeals", since) if changed is not None else None
    if not create_batches:
        return {"getDeals": 0, "getArchivedDeals": 0}
    pages = 0
    made = 0
    for batch in sorted(create_batches):
        pages += max(1, -(-((live or 0) + made) // PAGE)) if live is not None else 1
        made += create_batches[batch]
    return {"getDeals": pages,
            "getArchivedDeals": max(1, -(-(archived or 0) // PAGE))}


async def note_survivors(planner: RowPlanner, base_url: str | None,
                         clock: Clock | None = None) -> None:
    """Upsert: the keys the load's index finds on a deal that a merge made here took the
    key's own deal into — the survivor had no key of its own and took this one (x29r3 F4:
    the row then wrote over it silently, where an insert's row says it) — noted in
    ``planner.survivor_notes`` in the words ``jobs.importing`` ``_into_survivor`` says it
    (succeeded.csv, the plan's count). Reads the claims of such keys only: none when this
    state folder knows no applied merge into a listed deal (``jobs.merged_deals``)."""
    from bulk.claims_open import opened_claims

    from .merged_deals import survivors

    deals = planner.indexes.deals
    if planner.mode != "upsert" or not deals or not base_url or not planner.key_code:
        return
    merges = {m: hit for m, hit in (await in_thread(partial(survivors, base_url))).items()
              if hit.applied}
    into = {hit.survivor for hit in merges.values()}
    on = {k: int(d["id"]) for k, d in (*deals.items(),
                                       *getattr(deals, "archived", {}).items())
          if int(d["id"]) in into}
    if not on:
        return
    claims = await opened_claims(clock=clock)  # (its file opened off the loop)
    try:
        keys = sorted(on)
        for start in range(0, len(keys), 2000):
            chunk = keys[start:start + 2000]
            named = await claims.outcomes([claim_name(planner.key_code, k) for k in chunk])
            for k in chunk:
                away = (named.get(claim_name(planner.key_code, k)) or {}).get("deal_id")
                hit = merges.get(away) if isinstance(away, int) else None
                if hit is not None and isinstance(away, int) and away != on[k] \
                        and hit.survivor == on[k]:
                    planner.survivor_notes[k] = (
                        f"deal {away}, created for this key, was merged away (job {hit.job}) "
                        f"into what is deal {on[k]} now; this row stands for it now")
                    planner.survivor_bases[k] = (away, hit.at)
    finally:
        await claims.aclose()


def keys_unlisted_note(seen: int) -> str:
    """What an insert that gave up listing the deals that carry a key (more than ``seen``)
    does not do, and what to run instead (the plan's note, the load's line)."""
    return (f"insert: the deals that carry a key were not listed (more than {seen:,}: listing "
            f"them would cost over {KEY_LIST_SHARE:.0%} of these creates), so a key on a deal "
            "made elsewhere (another machine or state folder, by hand) is not looked for and "
            "its row creates a second deal (a key this state folder made a deal for is, in "
            "its other spellings too: leading zeros, a Salesforce id's other length); when "
            "the file may be imported already, import with --mode upsert, or with "
            "--look-for-keys to list them anyway; and the end-of-run check for doubles, "
            "which lists the deals changed since 2 minutes before the load, is priced for "
            "this job's own writes alone: each 500 deals others wrote then (an import "
            "right before, a colleague) add a page, 10 tokens, not counted here (f48k: "
            "2,500 written just before, 5 pages)")


def archived_unlisted_note(seen: int) -> str:
    """What an insert that gave up listing the archived deals (more than ``seen``) does not
    do (the plan's note, the load's line)."""
    return (f"insert: the archived deals were not listed (more than {seen:,}: listing them "
            f"would cost over {KEY_LIST_SHARE:.0%} of these creates), so a key only an "
            "archived deal carries is not looked for and its row creates a second deal; "
            "import with --look-for-keys to list them anyway")


def _rows_estimate(settings: ImportSettings, sampled: int) -> int:
    """About how many rows the manifest has: its line count for a text file (a record on
    several lines counts more: an estimate), else ten times the sample."""
    path = Path(settings.manifest)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".json"):
        return 10 * sampled
    lines = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(sampled, lines)


def _items(planner: RowPlanner, settings: ImportSettings,
           stopping: Stopping | None = None, *,
           progress: LoadProgress | None = None) -> Iterator[NewItem]:
    """Each manifest row decided (``RowPlanner.decide``), in row order; the learning pass's
    mappings (``_spilled``) are taken on the way, and their file removed at the end."""
    try:
        for row in _rows(planner, settings, stopping, _watch(progress, "deciding the rows")):
            yield planner.decide(row)
    finally:
        if planner.mapped_spill is not None:
            planner.mapped_spill.close()
            planner.mapped_spill = None


def _spilled(planner: RowPlanner) -> RowPlanner:
    """``planner`` with a fresh ``MappedSpill`` (the one before removed): its learning pass
    over the contacts keeps each row's mapping there for the decide pass (``_items``), which
    then maps only the rows that pass did not (issue 8: every row was mapped twice)."""
    if planner.mapped_spill is not None:
        planner.mapped_spill.close()
    planner.mapped_spill = MappedSpill()
    return planner


def _imaged(items: Iterable[NewItem], planner: RowPlanner,
            images: list[BeforeImage], taken: float,
            placed: dict[int, int] | None = None) -> Iterator[NewItem]:
    """``items``, collecting the before-image of every deal an upsert row updates (what its
    PATCH changes, as the key index read it), so that `pdbulk undo` can put it back.
    ``taken``: when the index was read (Unix seconds, the run's clock). ``placed``: filled
    with each person a row names by id → its organization in the load's persons list (0:
    none; ``PERSON_ORG_AT_LOAD``)."""
    deals = planner.indexes.deals
    persons = planner.indexes.persons
    for item in items:
        payload = item.payload
        person = payload.get("person")
        pid = person.get("id") if isinstance(person, Mapping) else None
        if placed is not None and persons is not None and isinstance(pid, int) \
                and not isinstance(pid, bool) and pid not in placed:
            placed[pid] = persons.org_of.get(pid, 0)
        if deals is not None and item.state is ItemState.PENDING and item.op == "update" \
                and isinstance(payload.get("changes"), Mapping) and item.key is not None:
            existing = deals.get(item.key)
            if existing is None and isinstance(deals, DealsByKey):  # unarchived by the row
                existing = deals.archived.get(item.key)
            if existing is not None and int(existing["id"]) == payload["deal_id"]:
                touched = {**payload["changes"], **{
                    f"{name}_id": None for name in ("person", "org")
                    if payload.get(name) is not None}}
                images.append(BeforeImage("deal", int(existing["id"]), None,
                                          before_image(existing, touched), taken))
        yield item


def manifest_header(settings: ImportSettings, mapping: ImportMapping | None = None
                    ) -> list[str]:
    """The manifest's column names as these settings read it (InputError if unreadable);
    with ``mapping``, also MappingError when its date tokens do not match an XLSX
    workbook's date system (``Mapping.check_date_system``), and InputError when the file
    has no data rows (``check_has_rows``)."""
    columns = header(settings.manifest, format=settings.format, delimiter=settings.delimiter,
                     encoding=settings.encoding, sheet=settings.sheet,
                     header_row=settings.header_row)
    if mapping is not None:  # a load or a plan: a file of no rows reads nothing from the
        # account (x17r3 F8: a header-only upsert pulled 220 tokens of indexes for 0 rows)
        check_has_rows(settings.manifest, format=settings.format,
                       delimiter=settings.delimiter, encoding=settings.encoding,
                       sheet=settings.sheet, header_row=settings.header_row)
        mapping.check_date_system(date_system(settings.manifest, format=settings.format,
                                              sheet=settings.sheet))
    return columns


def contest_prefix(key_code: str) -> str:
    """The contested-key names of one account's key field (``bulk.contested``): the same
    names as the create claims (``jobs.import_store.claim_name``)."""
    return f"deal-key\x1f{key_code}\x1f"


def contest_source(manifest: str) -> str | None:
    """The file a contested key is recorded with (``bulk.contested``): the manifest's
    resolved path; None for standard input ("-") or a path that cannot be resolved."""
    if manifest in ("", "-"):
        return None
    try:
        return str(Path(manifest).resolve())
    except (OSError, RuntimeError):
        return None


def _contested(planner: RowPlanner, settings: ImportSettings,
               wall: Callable[[], float] | None = None) -> ContestedKeys:
    """The per-user contested keys, loaded into ``planner`` for its key field; ``wall``:
    the run's clock, for when a key is recorded (``ContestedKeys``)."""
    contested = ContestedKeys(wall=wall)
    prefix = contest_prefix(planner.key_code)
    source = contest_source(settings.manifest)
    try:
        named = contested.sources(prefix)
        planner.contested = {n[len(prefix):] for n in named}
        # contested by this very file: released by it once it gives the key on one row
        planner.contested_by_file = {n[len(prefix):] for n, at in named.items()
                                  if source is not None and at == source}
    except sqlite3.Error as exc:
        raise InputError(f"cannot read the contested keys in {str(contested.path)!r}: "
                         f"{exc}") from None
    planner.release_held = settings.release_held
    return contested


# what ``RowIndexes.listed`` counts, for a count of one ("listed 1 persons", x26r3 2)
_LISTED_ONE = {"persons": "person", "organizations": "organization",
               "deals with a key": "deal with a key"}


@asynccontextmanager
async def last_written(planner: RowPlanner, settings: ImportSettings, base_url: str | None,
                       say: Callable[[str], None], *, agreed: bool = True
                       ) -> AsyncIterator[None]:
    """An upsert's rows decided against what this state folder last wrote on their deals
    (``jobs.last_written``: the three-way comparison), while in this context; ``agreed``:
    their payloads carry the fields they agree on with Pipedrive (the rows are stored).
    An insert's rows read the record for their contacts alone: a person / organization an
    earlier import linked from the same cells, merged away since, is followed to the
    survivor its deal is linked to now (``RowPlanner._recorded``; x40r5 F3: an insert
    made both organizations a colleague had merged away again). Opened off the loop, what
    runs a kill cut off settled recorded first (``last_written_runs.caught_up``; f47e: a
    killed update's or import's writes were not, and a colleague's edit since was
    overwritten); ``say`` gets its lines (a cut-off run's writes in doubt). The base read
    is what this file's source — imports of the mapping's key field — last wrote
    (``LastWritten.source``; x52r10 F1: an update's correction is a change since)."""
    if settings.mode not in ("upsert", "insert") or not base_url:
        yield
        return
    planner.last_written, caught = await in_thread(lambda: caught_up(base_url))
    if planner.last_written is not None:  # the base: what this file's source last wrote
        planner.last_written.source = source_of("import", planner.mapper.mapping.key_field)
    for line in caught:
        say(line)
    planner.records_agreed = agreed and settings.mode == "upsert"
    try:
        yield
    finally:
        if planner.last_written is not None:
            planner.last_written.close()
        planner.last_written, planner.records_agreed = None, False


def edited_note(counts: Mapping[str, Any]) -> str | None:
    """The plan's and the summary's line on an upsert's three-way comparison (None: no
    field of it was changed in Pipedrive since this state folder wrote it)."""
    kept, rows, both = (int(counts.get(k) or 0) for k in ("edited_kept", "edited_rows",
                                                          "edited_both"))
    parts = []
    unknown = int(counts.get("edited_unknown") or 0)  # x52r5 F2: nobody known to change them
    if kept > unknown:
        parts.append(f"{counted(kept - unknown, 'field')} of {counted(rows, 'deal')} changed in "
                     f"Pipedrive since this state folder's last import or update wrote "
                     f"{'it' if kept - unknown == 1 else 'them'}, not in the file: kept (not sent)")
    if unknown:
        parts.append(f"{counted(unknown, 'field')} whose base is not known (deeper than the "
                     "record keeps: three jobs back, or recorded by an earlier pdbulk): "
                     "Pipedrive's value kept (not sent)")
    if both:
        parts.append(f"{counted(both, 'field')} changed both in Pipedrive and in the file since "
                     "the last import or update: the file's value written (succeeded.csv's note names "
                     "Pipedrive's)")
    if held := int(counts.get("edited_held") or 0):
        parts.append(f"{counted(held, 'field')} changed in the file, not sent: their deal's "
                     "status was changed in Pipedrive since the last import or update, its reason and "
                     "times kept with it (succeeded.csv's note names them)")
    return "; ".join(parts) or None


def _other_contacts(c: RowCounts) -> str:
    """``; 61 of them name another person than the row that writes its deal, not linked:
    ...`` (an insert's duplicates of another contact, ``RowCounts.duplicates_other_contact``),
    or empty. A Pipedrive deal has one ``person_id`` (openapi-v2 ``Deal``); the others
    are its participants, which pdbulk does not write (README, repeated keys)."""
    n = c.duplicates_other_contact
    if not n:
        return ""
    return (f"; {n:,} of them {noun(n, 'names', 'name')} another person than the row that "
            f"writes its deal, not linked: a Pipedrive deal takes one person and pdbulk "
            f"links no second one (add {noun(n, 'it', 'them')} to the deal as a participant "
            "by hand in Pipedrive, or give each a row of its own with another key): "
            f"{rows_named(c.duplicates_other_contact_rows, n)} (succeeded.csv's note names "
            "each person)")


def _listed(what: str, n: int) -> str:
    return f"{n:,} {_LISTED_ONE.get(what, what) if n == 1 else what}"


def _describe(planner: RowPlanner, listed: Mapping[str, int]) -> str:
    c = planner.counts
    # an upsert's moves and reopens, as its plan says them (x51r10 F1, F2: the run said
    # "N to update" of deals it moved to another pipeline)
    said = ", ".join([*([f"{c.moved_pipeline:,} moved to another pipeline"]
                        if c.moved_pipeline else []),
                      *([f"{c.reopened:,} won / lost reopened"] if c.reopened else [])])
    parts = [f"{c.rows:,} rows: {c.create:,} to create",
             f"{c.update:,} to update" + (f" ({said})" if said else ""),
             f"{c.unchanged:,} unchanged", *([f"{c.exists:,} existing"] if c.exists else []),
             *([f"{c.duplicates:,} duplicate" + (
                 f" ({c.duplicates_other_contact:,} of another person, not linked)"
                 if c.duplicates_other_contact else "")] if c.duplicates else []),
             f"{c.bad:,} with errors"]
    found = ", ".join(_listed(what, n) for what, n in listed.items())
    return "; ".join(parts) + (f" | listed {found}" if found else "") + \
        f" | new persons {c.persons_new:,}, new organizations {c.orgs_new:,}"


async def load(ctx: CallContext, store: JobStore, settings: ImportSettings,
               mapping: ImportMapping, *, say: Say | None = None,
               progress: LoadProgress | None = None) -> RowPlanner:
    """Pull, decide every row, store the items; the job is then ready to run. ``say``: where
    its two progress lines go (default: the ``pdbulk.import`` logger at INFO; the CLI
    prints them on stderr); ``progress``: told the rows each whole pass over the manifest
    has read (``jobs.load_progress``: a line every 30 s of a long load; None: none)."""
    say = say or _log.info
    if progress is not None:
        say = progress.said(say)  # a note clears the terminal's live line first

    def stopping() -> bool:  # a stop asked (a signal): the passes over the rows end at once
        return ctx.stopping

    since = file_stamp(settings.manifest)  # every read of the load must see this file

    def started() -> None:  # the store's reads and writes: off the loop, one transaction
        meta: dict[str, Any] = {}
        if store.meta_get(META_INPUTS) is None:  # the files the job was started with (first
            meta[META_INPUTS] = {  # load)
                "manifest": None if since is None else since.to_json(),
                "manifest_sha": None if since is None else manifest_sha(settings),
                "mapping": file_sha(settings.mapping)}
            # what decides which record a row is: a retry / resume refuses a change (F1)
            meta[META_IDENTITY] = identity(mapping)
            # how its person keys are made: a resume by a later version recomputes them
            meta[META_PERSON_KEYS] = PERSON_KEY_VERSION
        # before the key field may be created: a load cut short names it (sent_while_loading)
        store.meta_put_many({**meta, META_KEY_LABEL: mapping.key_field})
    await in_thread(started)
    columns = await in_thread(lambda: manifest_header(settings, mapping))
    # a code page that garbles the text: refused before any write (x26r3; the plan says
    # it too, header_note); the CLI refuses before the job folder (pdbulk.cli_import)
    await in_thread(lambda: check_misread(settings.manifest, settings.encoding,
                                          format=settings.format))
    # a failed-rows file whose rows are all held: no index, only what the mapping needs
    idle = await in_thread(lambda: all_held(settings, mapping, columns))
    if idle:
        say(f"note: {ALL_HELD}")
    else:
        say("pulling pipelines, stages, users and fields; indexing persons, organizations"
            + (" and deals" if settings.mode == "upsert" else "") + " ...")
    learner = _Learner(settings, mapping, since, stopping, progress)
    # this account's own export? (z55r1 F5) its first rows' ids and titles, read before
    # the key field may be created: a file refused so leaves nothing made
    sample = {} if idle else await in_thread(lambda: read_sample(settings, mapping))

    async def before_field() -> None:  # no deal carries a key: the ids read for themselves
        refuse_own_export(await own_check(ctx, sample, mapping.key_column, None),
                          settings, mapping.key_column)
    planner, catalog, missing = await RowPlanner.build(ctx, mapping, columns, mode=settings.mode,
                                                 create_key_field=settings.create_key_field,
                                                 titles_of=sample, before_field=before_field,
                                                 learn=learner, indexes=not idle,
                                                 job_root=store.directory.parent,
                                                 file_keys=file_keys(settings, mapping,
                                                                     stopping),
                                                 sendable=sendable(settings, mapping, stopping))
    planner.use(settings)
    if planner.none_sendable:
        idle = True
        say(f"note: {NONE_SENDABLE}")
    if (unmade := key_field_unmade(planner, mapping.key_field, missing)) is not None:
        say(f"note: {unmade}")
    if learner.repeats.learned:  # (the preview's pass read every key)
        planner.repeats = learner.repeats
    if not missing and not idle and await index_keyed_deals(ctx, planner, settings, sample):
        say(f"insert: listed the deals that carry a key "
            f"({planner.indexes.listed.get('deals with a key', 0):,}); a row whose key one "
            "carries is not created again")
    elif planner.keys_unlisted is not None:
        say("note: " + keys_unlisted_note(planner.keys_unlisted))
    if planner.archived_unlisted is not None:
        say("note: " + archived_unlisted_note(planner.archived_unlisted))
    if planner.key_holders_note is not None:
        say("note: " + planner.key_holders_note)
    if not missing and not idle and not planner.none_sendable:
        own = await own_export_seen(ctx, planner, sample)
        refuse_own_export(own, settings, planner.key_column)
        if own is not None and (line := own.note(planner.key_column)) is not None:
            say("note: " + line)
    base_url = (store.config.get("engine") or {}).get("base_url")
    await note_survivors(planner, base_url, ctx.clock)
    at = ctx.clock.wall()  # when its keys are recorded contested (``finish``, in a thread)
    contested = await in_thread(lambda: _contested(planner, settings, lambda: at))
    if missing and ctx.stats.calls_by_operation.get("addDealField"):
        say(f"created the deal field {mapping.key_field!r} for the source keys")
    elif missing:  # another run created it while this one waited for the claim on it
        say(f"the deal field {mapping.key_field!r} was created meanwhile by another run")
    meta: dict[str, Any] = {  # written in one transaction, off the loop (below)
        "source_columns": columns,
        # a conflict found on resume names a custom field as the account does, not by its
        # key (f19f: as update and undo do; retry may map rows to any of them: all kept)
        META_FIELD_LABELS: {f.code: f.name for f in catalog.deal_fields if f.is_custom},
        # ... and shows the ids its fields hold by what they are called (x26r2 1)
        META_VALUE_LABELS: {code: names for code in
                            {"stage_id", "pipeline_id", "owner_id",
                             *(f.code for f in catalog.deal_fields)}
                            if (names := catalog.value_names(code))},
        META_KEY_CODE: planner.key_code,
        META_FIELD_TYPES: planner.field_types,  # a resume compares as the load
        META_SENT_MARKS: True}  # its creates mark themselves sent (ImportJob)
    if learner.marks is not None:  # the preview read the file for them: not a third time
        planner.mapper.use_decimal_marks(learner.marks)
        meta[META_MARKS] = planner.mapper.decimal_marks()
    else:
        meta[META_MARKS] = await in_thread(lambda: learn_marks(planner, settings, stopping,
                                                               progress=progress))
    await in_thread(lambda: store.meta_put_many({**meta, META_SHA: file_sha(settings.mapping)}))
    await in_thread(lambda: learn_contacts(planner, settings, stopping, progress=progress))
    await in_thread(lambda: learn_repeats(planner, settings, stopping, progress=progress))
    await in_thread(lambda: learn_contests(planner, settings, stopping, progress=progress))
    images: list[BeforeImage] = []
    placed: dict[int, int] = {}  # a person the rows name by id → its organization (0: none)
    taken = ctx.clock.wall()
    async with last_written(planner, settings, base_url, lambda line: say("note: " + line)):
        await in_thread(lambda: store.add_items(_imaged(_items(
            planner, settings, stopping, progress=progress), planner, images, taken, placed)))
    if planner.paths is not None:  # a JSON path no record has: refused before any send
        planner.paths.check(mapping.source)
    # a key a deal carries, or another row gives, in another spelling (x34r1 F3)
    await in_thread(lambda: planner.check_similar_keys(lambda: _rows(
        planner, settings, watch=_watch(progress, "naming the rows of similar keys"))))
    # changed between two of the load's reads (each read checks itself): refused unloaded
    await in_thread(lambda: check_unchanged(settings.manifest, since))
    if stopping():  # asked after the last chunk of rows: still the load's stop (nothing
        raise Stopped(LOAD_STOPPED)  # recorded outside the job yet)

    def finish() -> None:  # bulk writes: off the loop (x25r3)
        store.put_before_images(images)  # before mark_loaded: no update without its image
        store.lookup_put_many(PERSON_ORG_AT_LOAD, ((str(p), o) for p, o in placed.items()))
        prefix = contest_prefix(planner.key_code)
        again = planner.refused_contested  # (they keep the file that contested them)
        contested.add((prefix + k for k in planner.newly_contested - again), store.job_id,
                      contest_source(settings.manifest))
        contested.add((prefix + k for k in planner.newly_contested & again), store.job_id)
        contested.release(prefix + k for k in planner.released - planner.newly_contested)
        store.meta_put_many({META_COUNTS: {**planner.counts.to_json(),
                                           "listed": planner.indexes.listed},
                             **({} if since is None else {META_MANIFEST: since.to_json()})})
        store.mark_loaded()  # the one "loaded" flag; status planned|loading → loaded
    await in_thread(finish)
    say(_describe(planner, planner.indexes.listed))
    # what the plan says of how the cells are read and written (x50r4: the amounts written
    # with more decimals than their currency has were said by `plan import` alone); the
    # plan's other notes are its pulls and prices, or counts the run's summary gives
    for line in planner.mapper.mark_notes():
        say("note: " + line)
    if (starred := planner.mapper.star_note()) is not None:  # the rows "*" placed (x49r11
        say("note: " + starred)  # F2): `plan import` alone said them (f50a)
    if (closed := mapping.closed_stage_note()) is not None:
        say("note: " + closed)
    if (released := planner.released_note()) is not None:  # (f41b 4)
        say("note: " + released)
    if planner.counts.closed_undated:  # the plan's note, for an import run without one
        say("note: " + mapping.undated_note(planner.counts.closed_undated))
    return planner


async def import_job(store: JobStore, kind: LoadedKind,
                     mapping: ImportMapping | dict[str, Any] | str | os.PathLike[str],
                     cfg: EngineConfig, token: str, *, say: Say | None = None,
                     clock: Clock | None = None, transport: Transport | None = None,
                     on_engine: Callable[[Engine], None] | None = None,
                     on_progress: Callable[[RunStats], None] | None = None,
                     around_run: Callable[[Engine], AbstractContextManager[object]] | None = None,
                     progress: LoadProgress | None = None) -> RunResult:
    """Load an import job (pulls, rows → items: ``load``), then run it, on one ``Engine``:
    one scheduler holds the limits across both. The library's way to run an import (the
    CLI's ``pdbulk import`` adds progress and result files around it).

    ``store`` is a job store created for kind ``import`` (``JobStore.create``); ``kind``
    the ``ImportJob`` over it; ``token`` the API token (never stored). ``on_engine`` gets
    the engine before anything is sent (to stop it: ``request_stop``); ``around_run``,
    given the loaded engine, is the context the run happens in (a progress display);
    ``progress``: the load's (``load``).
    The result's stats count the load's calls and the run's. Raises what ``load`` raises
    (InputError for an unusable mapping or manifest, BulkError subclasses for the
    account); the run itself raises nothing but BaseExceptions: its outcome is the
    returned RunResult.

    ``mapping``: a ``Mapping`` (``Mapping.load``), a dict of the mapping file's tables or
    the file's path, each checked as ``Mapping.load`` checks the file (MappingError, before
    any call). A resume of an import cut short while loading reads ``kind.settings.mapping``
    (the file), whatever was given here."""
    checks.instance("import_job", "store", store, JobStore, "a bulk.JobStore (JobStore.create)")
    checks.arguments("import_job", cfg=cfg, token=token)
    try:
        mapping = as_mapping(mapping)
        async with Engine.open(cfg, token, store=store, clock=clock,
                               transport=transport) as engine:
            if on_engine is not None:
                on_engine(engine)
            kind.use_clock(engine.clock)
            if store.status == "planned":  # a load cut short shows as interrupted
                await in_thread(lambda: store.set_status("loading"))
            # the mapping's [defaults] sheet / encoding / header_row, as the CLI reads them
            settled = await in_thread(lambda: with_mapping_defaults(kind.settings, mapping))
            if settled != kind.settings:
                await in_thread(lambda: store.meta_put(META_SETTINGS, settled.to_json()))
                kind.settings = settled
            kind.attach(await load(engine.ctx, store, kind.settings, mapping, say=say,
                                   progress=progress))
            plan = await in_thread(lambda: loaded_plan(engine, store, kind))  # passes over items
            if (stop := first_write_line(
                    plan, waits=engine.config.budget.wait_for_reset)) is not None:
                (say or _log.info)(stop)  # x23r3: said before the first write, as every kind
            with (around_run or (lambda _: nullcontext()))(engine):
                result = await engine.run(kind, on_progress=on_progress)
            return dataclasses.replace(result, stats=engine.stats)  # the load's calls too
    except BaseException as exc:
        end_cut_short(store, exc)
        raise


def end_cut_short(store: JobStore, exc: BaseException) -> None:
    """The status an import ``import_job`` began ends in when ``exc`` ended it before its
    run did (x25r3 F4: a missing manifest, a wrong token, the account unreachable left it
    "loading", listed interrupted forever, where ``run_job`` says "failed"):

    - an error before or during the load (nothing of it sent): "failed", with the reason;
    - a cancelled task, a signal or a stop (``Stopped``) while loading: "loading" as it
      is, so that ``resume_job`` loads it again (README, job lifecycle);
    - cut short once loaded, before its run began (nothing sent): "stopped", resumable.

    A run that began sets its own status (``bulk.runner``). A store that cannot be written
    (a full disk) keeps its status: the first error is the one raised."""
    status = store.status
    cut = isinstance(exc, Stopped | KeyboardInterrupt | SystemExit | GeneratorExit) \
        or isinstance(exc, anyio.get_cancelled_exc_class())
    with contextlib.suppress(StoreError):
        if status == "loaded":
            store.set_status("stopped", f"{_cut_words(exc)} after its load, before its "
                                        "first send (nothing sent): resume it")
        elif status in ("planned", "loading") and not cut:
            store.set_status("failed", f"the load phase failed; no row was sent: "
                                       f"{_cut_words(exc)}")


def _cut_words(exc: BaseException) -> str:
    if isinstance(exc, Stopped):
        return "stopped"
    if isinstance(exc, KeyboardInterrupt | SystemExit):
        return "interrupted"
    if isinstance(exc, anyio.get_cancelled_exc_class()):
        return "cancelled"
    return f"{type(exc).__name__}: {exc}"


def as_mapping(given: object) -> ImportMapping:
    """``import_job``'s mapping as a ``Mapping``: one already loaded, a dict of the file's
    tables, or the file's path (x25r3 F2: a dict ended in AttributeError). Raises
    MappingError (an InputError) naming what is wrong, or what the argument is."""
    if isinstance(given, ImportMapping):
        return given
    if isinstance(given, dict):
        return ImportMapping.loads(given)
    if isinstance(given, str | os.PathLike):
        return ImportMapping.load(os.fspath(given))
    raise InputError(f"import_job(mapping=...) must be a jobs.Mapping, a dict of the mapping "
                     f"file's tables or its path, not {type(given).__name__}")


def loaded_plan(engine: Engine, store: JobStore, kind: LoadedKind) -> Plan:
    """The plan of a loaded import's run, right before its first write: the load's calls
    (spent, and counted against --max-tokens), the writes of its items
    (``resume_calls`` without the re-read a first run does not make) and the re-check
    before each batch, against today's budget as it was before the load. For the line
    every kind says there when the job does not fit (``planning.first_write_line``)."""
    calls = Counter(engine.stats.calls_by_operation)
    calls += Counter(kind.resume_calls(store)) - Counter(kind.reread_calls(store))
    checks = Counter(recheck_calls(store, kind, engine.config.max_workers,
                                   burst=engine.scheduler.limits.burst))
    calls += checks
    sched = engine.scheduler.statistics()
    left = None if (today := engine.tokens_left_today()) is None else today + sched.tokens_spent
    counts = store.counts()
    return estimate("import", calls, engine.scheduler.limits,
                    rows=counts[ItemState.PENDING] + counts[ItemState.SENDING], bad_rows=0,
                    tokens_left_today=left, daily_tokens=sched.daily_limit,
                    max_tokens=engine.config.budget.max_tokens,
                    usable_daily=sched.usable_daily,
                    # what a later resume spends first: its check and its re-read, the
                    # job's own figure (w56r1 F2); only a capped run says it
                    resume_reread=0 if engine.config.budget.max_tokens is None else sum(
                        get_operation(op).token_cost * n
                        for op, n in resume_first_calls(store, kind).items()),
                    budget_source=budget_source(sched), gating=checks,
                    trailing=getattr(kind, "end_of_run_calls", None),
                    batches=recheck_batches(store, engine.config.max_workers,
                                            burst=engine.scheduler.limits.burst))


# the manifest's stamp and the mapping's digest when the job's first load began: a load
# run again (``jobs.importing.load_again``) refuses files that are no longer those (x23r4 F1)
META_INPUTS = "import.inputs"


def manifest_sha(settings: ImportSettings) -> str | None:
    """The SHA-256 of the manifest's bytes, read in chunks (a million-row file is not held
    in memory); None when it is not a regular file that can be read."""
    if file_stamp(settings.manifest) is None:
        return None
    try:
        with open(settings.manifest, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


# what to do about an import whose input changed since it was started (its resume's
# refusal and ``pdbulk status``: ``jobs.resume_verdict``, one wording, x45r4 F4e)
CHANGED_INPUT_FIX = "put the file back as it was to resume it, or import the file again as a new job"


def check_inputs(store: JobStore, settings: ImportSettings) -> None:
    """InputError when the manifest or the mapping of ``store`` is no longer the file its
    first load began on (``changed_inputs``): a load run again would import other rows, or
    map them otherwise, than the job was started with."""
    if changed := changed_inputs(store, settings):
        raise InputError(" and ".join(repr(p) for p in changed) + " changed since the job was "
                         "started: its rows would not be the ones it was started with; "
                         f"{CHANGED_INPUT_FIX}")


def changed_inputs(store: JobStore, settings: ImportSettings) -> list[str]:
    """The paths of the manifest and the mapping of ``store`` that are no longer the file
    its first load began on (another file at that path, or the same one edited); a file
    that cannot be read now is not listed (its load names why). None listed for a job
    loaded before the check existed (no ``META_INPUTS``). ``pdbulk status`` says it
    (``jobs.resume_verdict``), as the resume refuses it."""
    stored = store.meta_get(META_INPUTS)
    if not isinstance(stored, dict):
        return []
    stamp, sha = stored.get("manifest"), stored.get("mapping")
    # the manifest by its content where the job kept it (x23r5: an edit of the same size
    # with its mtime put back passed the stamp; a file restored byte for byte under a new
    # mtime was refused), else by its stamp (a job loaded before the digest was kept)
    content = stored.get("manifest_sha")
    manifest: tuple[str, object, object] = \
        (settings.manifest, manifest_sha(settings), content) if content is not None \
        else (settings.manifest, file_stamp(settings.manifest), stamp)
    return [path for path, now, then in (
        manifest, (settings.mapping, file_sha(settings.mapping), sha))
        if then is not None and now is not None
        and (now.to_json() if isinstance(now, Stamp) else now) != then]


FAILED_ROWS_SHOWN = 1000  # bad rows a plan lists itself (Plan.failed_rows); all go to the file


class _Spill:
    """Failed-row dicts on disk (pickled: their cells keep their types for the typed
    copy), read back in order as often as they are iterated."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(dir=scratch_dir())  # x46r13 F5

    def __enter__(self) -> _Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def add(self, row: dict[str, Any]) -> None:
        pickle.dump(row, self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self._file.flush()
        self._file.seek(0)
        while True:
            try:
                yield pickle.load(self._file)  # our own temporary file, written above
            except EOFError:
                return


class _ClaimedKeys:
    """What the creates of a plan read first because an earlier run left an outcome on
    their key's claim (``jobs.importing`` ``_find_created``): a claim naming a deal → that
    deal is read (``getDeal``, 1 call per key; the load found no live deal with the key,
    so it is gone or re-keyed, and the row is created after the read); a claim left in
    doubt, or still held by a run that died (``Claims.dead_held``: taken over) → the deals
    added since are scanned (``getDeals`` and ``getArchivedDeals``, at least once per
    plan); a person's or organization's claim a dead run holds → one read of that list.
    The claims are read, never taken (``bulk.claims.Claims.outcomes`` / ``dead_held``)."""

    def __init__(self, key_code: str | None, base_url: str | None = None, *,
                 clock: Clock | None = None, claims: Claims | None = None) -> None:
        from bulk.claims_open import open_claims

        self.key_code = key_code
        self.clock = clock or SystemClock()
        self.claims = claims if claims is not None else open_claims(clock=self.clock)
        self.reads: Counter[str] = Counter()
        # the new persons / organizations ("person", "org") whose create never shares a
        # young state's scan of its list: a dead run's claim (looked up alone, below) or a
        # name alone (links to nothing another job made)
        self.unscanned: Counter[str] = Counter()
        self.base_url = base_url
        self._merges: dict[int, Merge] | None = None
        self._deleted: Deleted | None = None  # what pdbulk's undos deleted, read once
        self.survivors: dict[str, int] = {}  # create key -> the survivor a merge took its deal into
        # the reads by id of the survivors' person / organization links a row may keep
        # (jobs.importing _merge_kept: a link to one deleted since is not kept), at most
        self.link_reads: Counter[str] = Counter()
        # ... and -> (the merged deal its claim names, that merge): ``SurvivorContacts``
        self.merged_of: dict[str, tuple[int, Merge]] = {}
        self.young: tuple[float, float] | None = None  # (age, seconds left) of a young state
        self._born_read = False

    async def count(self, keys: list[str]) -> None:
        from bulk.claims import IN_DOUBT

        names = [claim_name(self.key_code, k) for k in keys] if self.key_code else []
        born = None if self._born_read else getattr(self.claims, "born", None)
        self._born_read = True  # a shared coordinator's claims only, once per plan
        if born is not None \
                and (age := (now := self.clock.wall()) - (await born() or now)) < DEFAULT_LEASE:
            # (no birth marker yet: the first claim of this run writes it, a lease begins)
            # the shared claims were lost (Redis emptied) less than a lease ago: every
            # create looks its key up first (jobs.importing _untrusted_since), persons and
            # organizations too — at least one scan of each list (v12r10: not in the plan)
            self.young = (max(0.0, age), DEFAULT_LEASE - max(0.0, age))
            self.reads["getDeals"] = self.reads["getArchivedDeals"] = 1
        key_of = dict(zip(names, keys, strict=True)) if self.key_code else {}
        outcomes = await self.claims.outcomes(names) if self.key_code else {}
        if self._merges is None and self.base_url is not None and any(
                isinstance(o.get("deal_id"), int) for o in outcomes.values()):
            from .merged_deals import survivors

            # read once, off the loop (the shared coordinator's Redis round trips)
            self._merges = await in_thread(partial(survivors, self.base_url))
        gone = (await self.deleted())["deal"] if any(
            isinstance(o.get("deal_id"), int) for o in outcomes.values()) else frozenset()
        for name, outcome in outcomes.items():
            if isinstance(outcome.get("deal_id"), int):
                hit = self._merged(int(outcome["deal_id"]))
                if hit is None and int(outcome["deal_id"]) in gone:
                    continue  # an undo here deleted it: known gone, not read (x42r7 F3)
                self.reads["getDeal"] += 1  # that deal, or the survivor a merge took it into
                if hit is not None:
                    # never created again: it updates its survivor, or is reported "merged"
                    # (jobs.importing _merged_into; x12r3 F1: planned as a create)
                    self.survivors[key_of[name]] = hit.survivor
                    self.merged_of[key_of[name]] = (int(outcome["deal_id"]), hit)
            elif IN_DOUBT in outcome:  # one scan of the deals added since, both lists
                self.reads["getDeals"] = self.reads["getArchivedDeals"] = 1
        # a claim a dead run still holds (killed, never resumed) is taken over and its key
        # looked up among the deals added since, both lists, as one left in doubt — unless
        # a merge here took its deal (above: the survivor, nothing looked up) (x29r2 F2:
        # 30 tokens over the plan after each kill -9 not followed by a resume)
        if self.key_code and any(key_of[name] not in self.survivors
                                 for name in await self.claims.dead_held(names)):
            self.reads["getDeals"] = self.reads["getArchivedDeals"] = 1

    async def deleted(self) -> Deleted:
        """What pdbulk's undos deleted on the account (``jobs.deleted_records``), read once,
        off the loop: a claim naming one of them reads nothing (the run's
        ``jobs.importing`` ``_find_created`` and ``jobs.import_resolve`` skip it too)."""
        if self._deleted is None:
            from .deleted_records import KINDS, deleted

            self._deleted = (await in_thread(partial(deleted, self.base_url))
                             if self.base_url is not None
                             else {kind: frozenset() for kind in KINDS})
        return self._deleted

    def _merged(self, deal_id: int) -> Merge | None:
        """The merge made through this machine that took deal ``deal_id`` away, when its
        job saw it done (``jobs.merged_deals``, read once; believed as ``jobs.importing``
        believes them: one only recorded is not)."""
        if self.base_url is None:
            return None
        if self._merges is None:
            from .merged_deals import survivors

            self._merges = survivors(self.base_url)
        hit = self._merges.get(deal_id)
        return hit if hit is not None and hit.applied else None

    def merged(self, planner: RowPlanner, *, unarchive: bool = False
               ) -> tuple[int, int, int, int]:
        """Of the creates whose key's deal a merge took away, from the load's key index and
        the file's keys, as ``jobs.importing`` ``_merged_into`` / ``_into_survivor`` decide
        from the survivor read then: (reported "merged" beside the survivor's own row,
        nothing sent; each updating its survivor, at most; failing: two or more of them lead
        to one survivor without its own row, or the survivor is archived; ``exists``: an
        insert's, which never updates: nothing sent, f30k: the plan counted them updates).
        A survivor gone from the index (deleted) leaves its keys created again, as planned
        (x12r7 F3).
        """
        if not self.survivors:
            return 0, 0, 0, 0
        deals = planner.indexes.deals or {}
        live = {int(d["id"]): k for k, d in deals.items()}
        archived = {int(d["id"]): k for k, d in getattr(deals, "archived", {}).items()}
        own = failing = 0
        groups: dict[int, int] = {}
        for key, survivor in self.survivors.items():
            k = live.get(survivor, archived.get(survivor))
            if survivor not in live and survivor not in archived:
                continue  # deleted: its row is created again
            if k is not None and k != key and planner.has_key(k):
                own += 1
            elif survivor in archived and not unarchive:
                failing += 1
            else:
                groups[survivor] = groups.get(survivor, 0) + 1
        into = sum(1 for n in groups.values() if n == 1)
        failing += sum(n for n in groups.values() if n > 1)
        if planner.mode == "upsert":  # each survivor's links, read before one is kept
            listed = {int(d["id"]): d for d in (*deals.values(),
                                                *getattr(deals, "archived", {}).values())}
            for survivor in (s for s, n in groups.items() if n == 1):
                deal = listed.get(survivor) or {}
                for field, op, index in (("person_id", "getPerson", planner.indexes.persons),
                                         ("org_id", "getOrganization", planner.indexes.orgs)):
                    if index is not None and isinstance(deal.get(field), int):
                        self.link_reads[op] += 1
        self.reads["getDeal"] -= own  # decided from the load's index: nothing read
        if planner.mode != "upsert":  # an insert's row is `exists` (archived or shared too)
            return own, 0, 0, into + failing
        return own, into, failing, 0

    async def count_contacts(self, kind: str, keys: Iterable[str]) -> None:
        """The persons (``kind`` "person") or organizations ("org") of ``keys`` the plan
        creates whose claim an earlier run released with the id it made: each such create
        reads that record first (``getPerson`` / ``getOrganization``, ``jobs.import_resolve``
        ``_created_meanwhile``; v10r31: a re-import after the persons were deleted read
        149 the plan did not list), and those whose claim a dead run still holds: each
        such create first reads the list of those added since (``getPersons`` /
        ``getOrganizations``, one page)."""
        from .import_resolve import contact_claim_name, list_of, name_only, read_of

        if not self.key_code:
            return
        # a person by name alone reads nothing another job made (a plan is no job)
        def looked_up() -> Iterator[str]:
            for k in keys:
                if name_only(kind, k):
                    self.unscanned[kind] += 1
                else:
                    yield k

        wanted = looked_up()
        while chunk := list(islice(wanted, 2000)):  # never all of them at once (issue 8)
            names = [contact_claim_name(kind, self.key_code, k) for k in chunk]
            for outcome in (await self.claims.outcomes(names)).values():
                if isinstance(outcome.get("id"), int) \
                        and outcome["id"] not in (await self.deleted())[kind]:
                    self.reads[read_of(kind)] += 1  # (one an undo here deleted: not read)
            # a dead run's claim (killed while it created that record): taken over, the
            # record looked for among those added since it was claimed, one list read each
            # (``Resolver._created_meanwhile``; x29r2 F2) — in place of a young state's
            # shared scan (f31c: under Redis the plan counted both)
            dead = len(await self.claims.dead_held(names))
            self.reads[list_of(kind)] += dead
            self.unscanned[kind] += dead

    async def aclose(self) -> None:
        await self.claims.aclose()


def _known_merges(base_url: str) -> tuple[int, int]:
    """(the merges on the account at ``base_url`` that their job saw done: what an import
    believes, of them the ones this state folder recorded; the rest came from the shared
    coordinator) (``jobs.merged_deals.known``)."""
    from .merged_deals import known

    return known(base_url)


def merges_note(known: int, here: int | None = None) -> str:
    """The plan's note for an import that creates rows on an account where ``known`` merges
    are known, ``here`` of them (default all) recorded in this state folder, the rest read
    from the shared coordinator: which merged-away keys it finds, and which it cannot (a
    merge keeps the survivor's key, and Pipedrive links the merged-away deal to nothing:
    x28r2 F5)."""
    here = known if here is None else here
    where = (f"this state folder knows {counted(known, 'merge')} on this account (pdbulk "
             "merge / dedupe, merged-deals.jsonl)" if here == known else
             f"{counted(known, 'merge')} on this account {'is' if known == 1 else 'are'} known "
             f"(pdbulk merge / dedupe): {here:,} recorded in this state folder "
             f"(merged-deals.jsonl), {known - here:,} read from the shared coordinator's Redis "
             "(made through another state folder or machine)")
    return (f"{where}: a key whose deal they merged away is not "
            "created again; a merge made from another state folder or machine that shares "
            "no coordinator with this one, or in Pipedrive's screens, is not known here, and "
            "its merged-away key's row creates that deal again (README, Limits)")


async def plan_import(ctx: CallContext, settings: ImportSettings, mapping: ImportMapping,
                      limits: Limits | Callable[[], Limits], *, stats: RunStats,
                      scheduler: Callable[[], SchedulerStats],
                      failed_csv: Path | None = None,
                      workers: int = 64,
                      max_tokens: int | None = None,
                      base_url: str | None = None,
                      job_root: Path | None = None,
                      progress: LoadProgress | None = None) -> tuple[Plan, RowCounts]:
    """Everything ``load`` decides, counted into a Plan; nothing is sent, and nothing is
    written but ``failed_csv`` (when given, and only when a row is bad: a clean plan
    leaves none): every bad row, same columns as failed.csv.
    ``Plan.reasons`` counts bad rows per ``reason_class``; ``Plan.failed_rows`` lists
    the first ``FAILED_ROWS_SHOWN`` as failed.csv has them (``results.failed_row``: row, key, reason, status,
    column, hold, and the row's cells as ``values``). With a JSON or XLSX manifest the
    typed copy is written beside ``failed_csv`` (plan-failed.jsonl / .xlsx). ``limits``:
    the limits, or how to read them (the scheduler's ``limits``) once the plan's own calls
    were answered: the server's headers correct the configured plan's (f23k: a plan read
    before any call priced a Growth account at --plan ultimate's 120 requests per 2 s,
    11 s for a 35-s run). ``job_root``: whose import jobs' key fields a renamed key field
    is recognised by, as the import's (``RowPlanner.build``). ``progress``: told the rows
    each whole pass over the manifest has read, as the load's (``load``)."""
    since = file_stamp(settings.manifest)  # every read of the plan must see this file
    columns = await in_thread(lambda: manifest_header(settings, mapping))
    # read here, not after the decide: its encoding check's buffers (~4 MB) came on top
    # of a 1,000,000-row plan's peak (issue 8); check_unchanged below covers both reads
    where = await in_thread(lambda: header_note(
        settings.manifest, format=settings.format, sheet=settings.sheet,
        header_row=settings.header_row, encoding=settings.encoding))
    ticks = host_ticks()  # the host's share of the CPU over the whole plan, from here
    paces = [await in_thread(machine_pace)]  # again after the decide: at two moments
    started = ctx.clock.now()  # the reads: the scheduler's waits are the run's clock's
    idle = await in_thread(lambda: all_held(settings, mapping, columns))  # as the load
    sample = {} if idle else await in_thread(lambda: read_sample(settings, mapping))
    planner, _, missing = await RowPlanner.build(ctx, mapping, columns, mode=settings.mode,
                                                 create_key_field=settings.create_key_field,
                                                 titles_of=sample,
                                                 dry_run=True, indexes=not idle,
                                                 job_root=job_root,
                                                 file_keys=file_keys(settings, mapping),
                                                 sendable=sendable(settings, mapping))
    planner.use(settings)
    unsendable = planner.none_sendable  # as the load: nothing indexed
    if not missing:  # the run pulls the same (an insert: the deals that carry a key)
        if not idle and not unsendable:
            await index_keyed_deals(ctx, planner, settings, sample)
        await note_survivors(planner, base_url, ctx.clock)
    # this account's own export? read as the run reads it (z55r1 F5)
    own_export = None if idle or unsendable else await own_export_seen(ctx, planner, sample)
    load_seconds = ctx.clock.now() - started
    limits = limits() if callable(limits) else limits  # as the answers so far left them
    await in_thread(lambda: _contested(planner, settings))  # its file read: off the loop

    reasons = ReasonTally(mapping.spec.defaults.date_locale)  # hints read as the rows were
    failed: list[dict[str, Any]] = []  # the first FAILED_ROWS_SHOWN, for Plan.failed_rows

    def decide_and_write() -> None:
        # every bad row goes to a spill file, not to memory: a file whose mapping is wrong
        # can fail all its million rows (~7 KB each with their cells)
        learn_file(planner, settings, progress=progress)  # marks and contacts: one pass
        learn_repeats(planner, settings, progress=progress)
        learn_contests(planner, settings, progress=progress)
        batch: list[NewItem] = []
        creates: list[str] = []
        with _Spill() as spill:
            for item in _items(planner, settings, progress=progress):
                if item.state is ItemState.PENDING:  # as the run hands them out
                    batch.append(item)
                    if item.op == "create":  # a young claims state's look-ups: one a batch
                        create_batches[batches_seen[0]] += 1
                    if len(batch) >= size:
                        checks.update(recheck_reads(batch))
                        batch = []
                        batches_seen[0] += 1
                    if kept is not None:
                        kept.see(item)
                    if item.op == "create" and item.key and claimed is not None:
                        creates.append(str(item.key))
                        if len(creates) >= 2000:
                            anyio.from_thread.run(claimed.count, creates)
                            creates = []
                            if kept is not None:
                                kept.counted(claimed.merged_of, planner.last_written)
                if item.state is not ItemState.FAILED:
                    continue
                row = failed_row(item)
                reasons.add(row["reason"], row["column"], row.get("key"), row.get("row"),
                            value=(row["values"] or {}).get(row["column"]))
                if len(failed) < FAILED_ROWS_SHOWN:
                    failed.append(row)
                if failed_csv is not None:
                    spill.add(row)
            if failed_csv is not None and reasons.counts:  # a clean plan leaves no file (x9r6)
                write_failed(failed_csv, columns, spill, typed=typed_for(settings))
        checks.update(recheck_reads(batch))
        if creates and claimed is not None:
            anyio.from_thread.run(claimed.count, creates)
        if kept is not None and claimed is not None:
            kept.counted(claimed.merged_of, planner.last_written)
            unmade.update(kept.unmade(planner.indexes.deals))
        if claimed is not None:
            for kind, keys in planner.new_contact_keys().items():
                left = unmade.get(kind) or set()
                anyio.from_thread.run(claimed.count_contacts, kind,
                                      (k for k in keys if k not in left))
    size = recheck_batch(workers, limits.burst)  # the run's re-check of its upsert updates
    checks: Counter[str] = Counter()
    # the run's batches (of ``size``) that hold a create → how many creates each holds
    create_batches: Counter[int] = Counter()
    batches_seen = [0]
    # (the key field still missing: no key has a claim yet, but a young claims state is read)
    from bulk.claims_open import opened_claims

    claimed = _ClaimedKeys(None if missing else planner.key_code, base_url, clock=ctx.clock,
                           claims=await opened_claims(clock=ctx.clock))  # opened off the loop
    # an upsert's new contacts a send-time merge survivor keeps: made by no row (f36a: the
    # plan counted them), followed only where this state folder recorded a merge
    from .merged_deals import survivors

    kept = SurvivorContacts() if settings.mode == "upsert" and base_url is not None \
        and not missing and await in_thread(lambda: bool(survivors(base_url))) else None
    unmade: dict[str, set[str]] = {}
    caught: list[str] = []  # a cut-off run's writes in doubt (``last_written``)
    # this machine's CPU deciding the rows (the run decides them again): real time
    decide_started = time.monotonic()
    try:
        async with last_written(planner, settings, base_url, caught.append,
                                agreed=False):  # nothing stored
            await in_thread(decide_and_write)
    finally:
        if claimed is not None:
            await claimed.aclose()
    # what each date column's listed order alone read: no hint names an order they
    # contradict (x52r6 F4)
    reasons.read_only(planner.mapper.listed_only_dates())
    rechecks = Counter(checks)  # the run's re-check of its updates alone (x12r5 F4: the
    # note named the claims' reads as re-reads of updates)
    own, into, failing, existing = (claimed.merged(planner, unarchive=settings.unarchive)
                                    if claimed is not None else (0, 0, 0, 0))
    # the deals changed lately, when the plan's reads did not count them
    lately, own_read = await lately_counted(
        ctx, planner, planner.counts.create - own - into - failing - existing,
        young=claimed is not None and claimed.young is not None)
    if failing:  # reasons only the run's survivor reads tell (jobs.importing _into_survivor)
        reasons.add("conflict: several rows stand for one merged survivor, or it is archived",
                    None, None, None, failing)
    if claimed is not None:
        checks.update(claimed.reads)
        checks.update(claimed.link_reads)
    if unmade_n := {kind: len(keys) for kind, keys in unmade.items() if keys}:
        planner.counts.persons_new -= unmade_n.get("person", 0)  # as the run makes them
        planner.counts.orgs_new -= unmade_n.get("org", 0)
    decide_seconds = time.monotonic() - decide_started  # the run decides every row again
    if claimed is not None and claimed.young is not None:
        # one deals-list look-up a batch of creates (one counted by claimed.reads), the
        # persons / organizations lists as often (jobs.importing._Creates._fresh; x18r3 F1:
        # one was counted, a second apart were made)
        scans = len(create_batches)
        # each scan reads every deal changed since the claims' birth less a lease (and the
        # margin), the run's own earlier creates too: a page per 500 (x47r4 F1: priced one
        # page, ~2,000 deals made minutes before, getDeals 17 planned, 46 sent)
        born = ctx.clock.wall() - claimed.young[0]
        for op, n in young_scan_calls(lately, born, create_batches).items():
            checks[op] += max(0, n - 1)  # (one of each counted by claimed.reads)
        # a new contact's create shares its batch's scan of its list, unless it looks its
        # key up alone (a dead run's claim) or never looks (a name alone): at most
        checks["getPersons"] += min(scans, max(0, planner.counts.persons_new
                                               - claimed.unscanned["person"]))
        checks["getOrganizations"] += min(scans, max(0, planner.counts.orgs_new
                                                     - claimed.unscanned["org"]))
    if planner.paths is not None:  # a JSON path no record has (the import refuses it too)
        planner.paths.check(mapping.source)
    await in_thread(lambda: planner.check_similar_keys(  # as the import refuses it
        lambda: _rows(planner, settings, watch=_watch(progress,
                                                      "naming the rows of similar keys"))))
    c = planner.counts
    pulls = dict(Counter(stats.calls_by_operation) - own_read)  # the run's load makes these
    if missing:  # the import pulls the fields again under the claim before creating one,
        # and once more after (jobs.account._converged: two runs' fields made one)
        pulls["getDealFields"] = pulls.get("getDealFields", 0) + 2
    # the end-of-run check for deals another run doubled (jobs.doubles), after the last
    # write (a spent budget skips it: the plan's ``trailing``, x51r5 F6)
    end = (Counter(check_calls(c.create - own - into - failing - existing,
                               c.create + c.update, fields=missing,
                               others=recent_others(planner, ctx.clock.wall()
                                                    - RECONCILE_MARGIN, lately)))
           # ... and for persons / organizations (f41b 1)
           + Counter(contact_check_calls(
               c.persons_new, c.orgs_new,
               persons_changed=getattr(planner.indexes.persons, "changed", 0),
               orgs_changed=getattr(planner.indexes.orgs, "changed", 0))))
    calls = dict(Counter({**pulls, "addDealField": int(missing), "addOrganization": c.orgs_new,
                          "addPerson": c.persons_new,
                          "addDeal": c.create - own - into - failing - existing,
                          # a key whose deal a merge took: its survivor's update, at most
                          "updateDeal": c.update + into}) + checks
                  + end)
    sched = scheduler()
    left = sched.usable_today  # less --budget-share's part (x11r2 2)
    spent = sum(stats.tokens_by_operation.values())
    bind = stats.start_tokens  # a shared coordinator's GET /v1/users/me (x47r4 F7: 50 said, 52)
    notes = [f"key problem (row fails): {line}" for line in planner.key_problems[:20]]
    if own_export is not None and (seen := own_export.note(planner.key_column)) is not None:
        notes.insert(0, seen)  # (z55r1 F5: loud, first)
    notes += caught
    if idle:
        notes.append(ALL_HELD)
    elif unsendable:
        notes.append(NONE_SENDABLE)
    if (no_field := key_field_unmade(planner, mapping.key_field, missing)) is not None:
        notes.append(no_field)
    notes += planner.mapper.mark_notes()  # a decimal mark a tie decided (x14r1 F5)
    if (starred := planner.mapper.star_note()) is not None:  # x49r11 F2
        notes.append(starred)
    if (closed := mapping.closed_stage_note()) is not None:  # x18r2 3
        notes.append(closed)
    if c.closed_undated:  # x24r1 1
        notes.append(mapping.undated_note(c.closed_undated))
    notes += moves_notes_of(c.moved_pipeline, c.reopened)  # x51r10 F1, F2
    if len(planner.key_problems) > 20:
        notes.append(f"... and {counted(len(planner.key_problems) - 20, 'more row')} with key "
                     "problems")
    notes += [f"listed {_listed(what, n)}" for what, n in planner.indexes.listed.items()]
    notes += [f"persons: {counted(c.persons_found, 'row')} matched an existing person, "
              f"{counted(c.persons_new, 'new person')} to create"
              + (f"; {counted(c.persons_other_name, 'row')} linked by e-mail to a person of another "
                 "name (succeeded.csv's note names the person)" if c.persons_other_name
                 else "")
              + (f"; {counted(c.persons_same_name, 'new person')} "
                 f"{noun(c.persons_same_name, 'has', 'have')} the name of a person of the "
                 "account (possible duplicates: succeeded.csv's note names them)"
                 if c.persons_same_name else "")
              + (f"; {counted(c.persons_moved, 'deal')} "
                 f"{noun(c.persons_moved, 'moves', 'move')} to a new person, "
                 f"{noun(c.persons_moved, 'its', 'their')} person left as it is: the row's "
                 "person matches no person of the account (persons are told by e-mail, as "
                 "Pipedrive's importer does); succeeded.csv's note names the person left"
                 + (f" ({counted(c.persons_moved_alike, 'deal')}: the row's e-mail "
                    "matches no person; the deal's person (same name and phone) has another "
                    "address: if the address changed, change it on that person in Pipedrive "
                    "first)" if c.persons_moved_alike else "")
                 if c.persons_moved else "")
              + (f"; {counted(c.persons_borrowed, 'row')} "
                 f"{noun(c.persons_borrowed, 'takes', 'take')} an e-mail or phone of "
                 f"{noun(c.persons_borrowed, 'its', 'their')} person from other rows of the "
                 "file (succeeded.csv's note names them)"
                 if c.persons_borrowed else "")
              + (f"; {counted(c.persons_not_added, 'row')} "
                 f"{noun(c.persons_not_added, 'gives its', 'give their')} existing person a "
                 "phone or e-mail that person lacks, not added (the import writes deals, not "
                 "persons; succeeded.csv's note names them: add them in Pipedrive)"
                 if c.persons_not_added else "")
              + (f"; {counted(planner.persons_capped, 'person')} of the file "
                 f"{noun(planner.persons_capped, 'is', 'are')} given more than "
                 f"{GIVEN_KEPT} e-mails or phones by the file: made with the first "
                 f"{GIVEN_KEPT} of each" if planner.persons_capped else ""),
              f"organizations: {counted(c.orgs_found, 'row')} matched an existing "
              f"organization, {counted(c.orgs_new, 'new organization')} to create"
              + (f"; {counted(c.orgs_other_form, 'row')} matched one under another "
                 "spelling of its legal form (Inc. / Corp: succeeded.csv's org_matched_by "
                 "says which)" if c.orgs_other_form else "")
              + (f"; {counted(c.orgs_other_spelling, 'row')} matched one spelled otherwise "
                 "(umlauts, accents or ß: Mueller / Müller), the row's own spelling not in "
                 "Pipedrive (succeeded.csv's org_matched_by names it)"
                 if c.orgs_other_spelling else "")]
    if (unnamed := unnamed_persons_note(mapping, columns, c.persons_new)) is not None:
        notes.append(unnamed)  # x25r2 F9
    if c.duplicates:  # jobs.repeats
        notes.append(f"{counted(c.duplicates, 'row')} "
                     f"{noun(c.duplicates, 'repeats', 'repeat')} an earlier row's key and "
                     "would write the same deal (one record written twice): skipped, "
                     "imported once as that row (succeeded.csv names it)"
                     + _other_contacts(c))
    if settings.mode == "upsert":
        notes.append(f"upsert: {counted(c.update, 'deal')} to update, {c.unchanged:,} unchanged "
                     "(free)")
        if (edited := edited_note(c.to_json())) is not None:
            notes.append(edited)
    elif "deals with a key" in planner.indexes.listed:
        whose = counted(c.exists, "row's deal", "rows' deals")
        notes.append(f"insert: the deals that carry a key were listed, archived ones too "
                     f"(counted above): {whose} {noun(c.exists, 'exists', 'exist')}, whoever "
                     "made them" + (f" ({c.exists_archived:,} archived: left archived, "
                                    "succeeded.csv says so)" if c.exists_archived else "")
                     + f", and {noun(c.exists, 'is', 'are')} not created again (nothing sent)"
                     # x31r1 5: the load does not compare an insert's rows with their deals
                     # (that is the upsert's work): what would apply the rows, said
                     + ("; an insert never updates a deal: `--mode upsert` (mode = \"upsert\" "
                        "in the mapping) writes the rows that differ from their deals, and "
                        "its plan counts them" if c.exists else ""))
    if planner.archived_unlisted is not None:
        notes.append(archived_unlisted_note(planner.archived_unlisted))
    elif planner.keys_unlisted is not None:
        notes.append(keys_unlisted_note(planner.keys_unlisted))
    if planner.key_holders_note is not None:
        notes.append(planner.key_holders_note)
    if (released := planner.released_note()) is not None:
        notes.append(released)
    if c.keys_other_deal:
        rows = ", ".join(map(str, c.keys_other_deal_rows))
        notes.append(f"upsert: {counted(c.keys_other_deal, 'row')} would change the title "
                     "and the organization / person of the deal carrying "
                     f"{noun(c.keys_other_deal, 'its', 'their')} key ("
                     f"{noun(len(c.keys_other_deal_rows), 'row')} {rows}"
                     + (", ..." if c.keys_other_deal > len(c.keys_other_deal_rows) else "")
                     + "): a key shared by two sources (another system's ids in the same key "
                     "field)? Check those deals before importing; another source's rows take "
                     "a key field of their own (key_field in [import])")
    if c.keys_other_case:
        notes.append(f"upsert: {counted(c.keys_other_case, 'row')} to create "
                     f"{noun(c.keys_other_case, 'has', 'have')} a key a deal carries but for "
                     "case (`abc-1`, `ABC-1`): keys keep their case, so each makes a new deal "
                     "(succeeded.csv names the deal)")
    if rechecks:
        notes.append("counts the re-read of the updated deals right before each batch is "
                     f"sent ({', '.join(f'{op} {n:,}' for op, n in sorted(rechecks.items()))}): "
                     "a change someone makes during the run is not overwritten")
    if claimed is not None and claimed.young is not None:
        age, remaining = claimed.young
        notes.append(f"the shared coordinator's claims began {age:.0f} s ago (Redis new, "
                     f"emptied or restarted): for {remaining:.0f} s more each create first looks "
                     "its key (and its person / organization) up among those added since — "
                     f"one read of the deals list (and of the persons / organizations lists) "
                     f"per batch of {size} rows that holds a create ({len(create_batches):,} "
                     "batches, counted above: at most, the reads end a minute after the "
                     "claims began) and one of the archived deals in all")
    if claimed is not None and claimed.reads:
        notes.append("counts the reads an earlier run's claims ask for these keys (a deal "
                     "they name, the deals or contacts added since a dead run's claims) "
                     f"({', '.join(f'{op} {n:,}' for op, n in sorted(claimed.reads.items()))}"
                     "): each such create looks for that deal first, never creating twice")
    if own or into or failing or existing:
        notes.append(f"{own + into + failing + existing:,} of the creates are keys whose deal "
                     "a merge made here took into another deal (merged-deals.jsonl): none is "
                     f"created again; {own:,} reported `merged` (the survivor's own row is in "
                     "this file), " + (
                         f"{into:,} update their survivor (counted as updateDeal, at most: the run "
                         "reads the survivor, and sends only what differs from it"
                         + (", with a read by id of each person / organization the survivor "
                            "links, before its link is kept (a link to one deleted since is "
                            "not: the row's is written): " + ", ".join(
                                f"{op} {n:,}" for op, n in sorted(claimed.link_reads.items()))
                            if claimed is not None and claimed.link_reads else "") + "), "
                         f"{failing:,} fail (several rows for one survivor, or it is archived)"
                         if settings.mode == "upsert" else
                         f"{existing:,} reported `exists` (an insert never updates: nothing "
                         "sent)"))
    if unmade_n:
        named = (counted(n, w) for w, n in (("new person", unmade_n.get("person", 0)),
                                             ("new organization", unmade_n.get("org", 0))) if n)
        notes.append(
            f"{' and '.join(named)} the file names only on rows whose key's deal a merge made here took into a "
            "survivor: not counted to create (the survivor keeps its own, as the row's "
            "cells are those last written beside its link; made only if the survivor is "
            "deleted before the run)")
    if c.survivors:  # x29r3 F4: as the rows say it in succeeded.csv
        notes.append(f"{counted(c.survivors, 'row')}'s key is on a deal a merge made here "
                     "took its deal into (merged-deals.jsonl; that deal had no key of its "
                     "own and took this one): the row updates it, standing for it now"
                     if c.survivors == 1 else
                     f"{c.survivors:,} rows' keys are on deals a merge made here took their "
                     "deals into (merged-deals.jsonl; those deals had no key of their own "
                     "and took these): each row updates its deal, standing for it now")
    if c.create and base_url is not None and (merges := await in_thread(
            lambda: _known_merges(base_url)))[0]:
        notes.append(merges_note(*merges))
    if missing:
        notes.append(f"the key field {mapping.key_field!r} will be created")
    notes.append(f"this plan spent {counted(spent + bind, 'token')} on its own list pulls"
                 + (f" and its GET /v1/users/me ({bind:,})" if bind else "")
                 + "; the import pulls them again")
    if where is not None:
        notes.insert(0, where)
    check_unchanged(settings.manifest, since)  # between two of its reads (x17r3 F5)
    # the pulls run in rounds: the catalog, then the lists side by side, page by page
    rounds = 1 + max((pulls.get(op, 0) for op in ("getDeals", "getPersons",
                                                  "getOrganizations")), default=0)
    # the round trip: measured on the plan's own calls (load_seconds / rounds counts the
    # catalog pulls as one round, and they are several: 2-3 times the latency at 120 ms)
    latency = (stats.answer_seconds / stats.answered if stats.answered
               else load_seconds / max(1, rounds))
    # this process's CPU per write, stretched where this machine is slower now than the
    # reference machine (x15: its figure left runs on a slower or busier one 1.5-2.4 times
    # their plan); never shrunk: below 1.0 a pace is mostly the sample's own noise
    paces.append(await in_thread(machine_pace))
    # and where the host took part of this machine's CPU all along (steal), by that share
    # over the whole plan: a longer look than the samples' 40 ms each
    held = 1 / (1 - stolen_share(ticks, host_ticks()))
    stretch = max(1.0, sum(paces) / len(paces), held)
    local_seconds = IMPORT_SECONDS_PER_WRITE * stretch  # its end priced apart, below
    # round trips made one after another, outside the writes' overlap: the end-of-run
    # check's pages and, creating the key field, its pull, create, settle wait and re-read
    # (jobs.account: the wait is SETTLE_SPANS pull-to-create spans, at most SETTLE_AT_MOST)
    others = recent_others(planner, ctx.clock.wall() - RECONCILE_MARGIN, lately)
    serial = sum(check_calls(c.create - own - into - failing - existing, c.create + c.update,
                             fields=missing, others=others).values())
    settle = min(SETTLE_AT_MOST, SETTLE_SPANS * 2 * latency) if missing else 0.0
    plan = estimate("import", calls, limits, rows=c.rows, bad_rows=c.bad + failing,
                    tokens_left_today=left, notes=notes,
                    # the run's own start before its first call, as its end: paced
                    load_seconds=(load_seconds + settle + (3 * latency if missing else 0.0)
                                  + RUN_START_SECONDS * stretch),
                    gating_reads=serial, latency=latency, workers=workers,
                    decide_seconds=decide_seconds, daily_tokens=sched.daily_limit,
                    max_tokens=max_tokens, usable_daily=sched.usable_daily,
                    local_seconds=local_seconds,
                    resume_reread=_resume_reread(calls, catalog_users(mapping)),
                    budget_source=budget_source(sched), gating=checks, trailing=end,
                    batches=batches_seen[0] + 1,
                    # the check, the record and the result files after the last write (f34d:
                    # 17 % of a 2,000-row run the plan left out)
                    end_seconds=end_of_run_seconds(c.rows, stretch))
    plan = dataclasses.replace(
        plan, reasons=reasons.reasons(), reason_examples=reasons.examples,
        failed_rows=[{**r, "values": storable(r["values"])} for r in failed],
        failed_csv=str(failed_csv) if failed_csv is not None else None,
        changed_fields=dict(sorted(c.fields.items(), key=lambda kv: (-kv[1], kv[0]))),
        own_export=None if own_export is None else own_export.to_json())
    return plan, c


def _created(store: JobStore) -> tuple[dict[str, int], int, Counter[str]]:
    """Persons / orgs this job created (distinct ids, from the store: ``made_contacts``),
    how many rows were settled by reconciliation, and how many rows created their key's
    deal again, by why (``RECREATED``: ``merge_undone``, ``key_gone``) — counted from the
    rows, every run's, a killed one's too."""
    reconciled = 0
    again: Counter[str] = Counter()
    for item in store.items(ItemState.DONE):
        result = item.result or {}
        reconciled += bool(result.get("reconciled"))
        if isinstance(why := result.get(RECREATED), str):
            again[why] += 1
    return {k: len(v) for k, v in made_contacts(store).items()}, reconciled, again


def _edited_settled(store: JobStore, counts: Mapping[str, Any]) -> dict[str, Any]:
    """The load's ``counts`` with its ``edited_*`` (an upsert's three-way comparison:
    ``last_written.edited_counts``) those of the rows that settled (done or skipped: a row
    that failed or was never sent wrote nothing, kept nothing), a row found under its key's
    claim when sent (``_exists``) by what it decided then. Counted at the load alone, a
    row failing later was counted and one found at the send was not (f34h's leftover).
    A job an earlier pdbulk loaded, whose rows carry no such count: its load's figures."""
    settled: list[Mapping[str, Any]] = []
    carried = False
    for item in store.items():
        result, payload = item.result or {}, item.payload or {}
        edits = result.get(EDITED, payload.get(EDITED))
        if isinstance(edits, Mapping):
            carried = True
            if item.state in (ItemState.DONE, ItemState.SKIPPED):
                settled.append(edits)
    if not carried and any(counts.get(k) for k in EDITED_KEYS):
        return dict(counts)
    out = {k: v for k, v in counts.items() if k not in EDITED_KEYS}
    out.update((k, v) for k, v in edited_counts(settled).items() if v)
    return out


def _deals_created(store: JobStore) -> tuple[int, int]:
    """(the deals this job created, of them those merged away since): rows recorded
    ``created``, and rows whose create a merge took away before the row was settled (a
    resume after a kill: ``merged_create``, the row then reads as its survivor's, failed
    or not; with no merge record, a create found deleted while another deal carries its
    key), so the count is the server's (x30r2 M1: 59 created of 60 applied). A create a
    resume's reconcile found this job's and deleted since, no deal carrying its key
    (``deleted_create``: deleted, or merged by hand into a deal with a key of its own), is
    counted created, not merged away: nothing proves a merge (x31r2 3: 59 of 60)."""
    made = merged = 0
    for item in store.items():
        result = item.result or {}
        if isinstance(result.get("merged_create"), int):
            merged += 1
        elif isinstance(result.get("deleted_create"), int) or (
                item.state is ItemState.DONE and result.get("action") == "created"):
            made += 1
    return made + merged, merged


def _settled_this_run(store: JobStore, runs: Sequence[Mapping[str, Any]]) -> int:
    """The rows settled by reconciliation since the runs before (``reconciled`` of a run):
    the store's count (``_created``, summary.json's ``reconciled_rows``) less what earlier
    runs recorded, so the runs add up to the summary's figure. Rows a killed run settled
    are counted by the next one (x22: a run's ``reconciled`` was the runner's count of
    in-doubt rows checked, 25, beside ``reconciled_rows: 0``)."""
    earlier = sum(int(r.get("reconciled") or 0) for r in runs)
    return max(0, _created(store)[1] - earlier)


def _now(store: JobStore) -> str:
    """The store's clock (the run's: ``JobStore.wall``) as an ISO time, UTC."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(store.wall()))


def _ledger_total(spend: Mapping[str, tuple[int, int]]) -> int:
    return sum(tokens for tokens, _ in spend.values())


def start_run(store: JobStore) -> int:
    """A run's entry in the job's history as it starts: ``ended`` and ``outcome``
    "unknown" until ``end_run`` finishes it — a kill -9 leaves it so. Returns its index.

    ``made_before`` (a later run's): the persons / organizations the job had made when it
    started, that the summary says this run's apart from the job's (x46r4 F7).
    ``tokens_before`` is the job's ledger when this run's process opened the job, before
    its reads (an import's load, a resume's re-read of rows in doubt): an earlier entry a
    kill left without ``tokens`` is given what the ledger gained from its start to the
    next one's (``_settle_killed``), so every token the job spent is one run's."""
    runs = list(store.meta_get(META_RUNS) or [])
    opened = _ledger_total(store.spend_by_operation()) - _ledger_total(store.spend_now())
    _settle_killed(runs, opened)
    _settle_killed_limited(runs, store.directory)
    # a second run of one process (no reads of its own before it): what the runs spent
    before = max(opened, sum(int(r["tokens"]) for r in runs))
    entry: dict[str, Any] = {"started": _now(store), "ended": "unknown",
                             "outcome": "unknown", "tokens_before": before,
                             "process": process_id()}
    if runs:  # a resume / retry: the persons / organizations the job made before it
        entry["made_before"] = {k: len(v) for k, v in made_contacts(store).items()}
    runs.append(entry)
    store.meta_put(META_RUNS, runs)
    return len(runs) - 1


def _settle_killed(runs: list[dict[str, Any]], opened: int) -> None:
    """The ``tokens`` of the entries a kill left unfinished (none of their own), in place:
    what the ledger held at the next run's start (``tokens_before``; the last one: at
    ``opened``, this process's) less what the entries before it spent. The ledger is
    written before each call leaves, so a killed run's spend is in it, its credit too
    (``bulk.ledger``)."""
    before = 0
    for i, run in enumerate(runs):
        if "tokens" not in run:
            bound = next((int(r["tokens_before"]) for r in runs[i + 1:]
                          if "tokens_before" in r), opened)
            run["tokens"] = max(0, bound - before)
        before += int(run["tokens"])


def _settle_killed_limited(runs: list[dict[str, Any]], directory: Path) -> None:
    """The ``rate_limited`` of the entries a kill left unfinished (none of their own), in
    place, from the job's 429 journal (``bulk.limited``: a line per 429 as it came): the
    429s of the entry's process less those its process's finished entries counted (a
    killed run is the last of its process). Entries of an earlier pdbulk (no
    ``process``) stay as they are (w57r1 F3: killed runs said ``rate_limited: None``, the
    job 1 where the sandbox sent 8)."""
    killed = [r for r in runs if "rate_limited" not in r and r.get("process")]
    if not killed:
        return
    journal = by_process(directory)
    for run in killed:
        counted = sum(int(r.get("rate_limited") or 0) for r in runs
                      if r is not run and r.get("process") == run["process"])
        run["rate_limited"] = max(0, journal.get(str(run["process"]), 0) - counted)


def end_run(store: JobStore, index: int, result: RunResult | None, stats: RunStats,
            seconds: float, *, claims: Mapping[str, int] | None = None) -> None:
    """Finish the run's entry (``start_run``): when it ended, how (finished, stopped, or
    interrupted: cancelled before its end), its 429s, the rows it settled by
    reconciliation and those in doubt it checked, and its ``tokens``: what the job's ledger
    holds that no other entry does — its reads before sending (an import's load, a
    resume's re-read) as well as its run's calls, so the entries add up to the job's
    ``tokens`` (x23: 701 of 781, the load's pulls left out; ``stats`` counts the run's
    calls alone) — a take-back of the earlier runs' unused credit larger than this run's
    spend is theirs, off the entries before it."""
    runs = list(store.meta_get(META_RUNS) or [])
    if not 0 <= index < len(runs):  # an entry lost (a history rewritten meanwhile)
        runs.append({"started": "unknown"})
        index = len(runs) - 1
    outcome = ("interrupted" if result is None
               else "stopped" if result.stopped else "finished")
    others = [r for i, r in enumerate(runs) if i != index]
    _settle_killed(others, int(runs[index].get("tokens_before", 0)))
    _settle_killed_limited(others, store.directory)
    spent = _ledger_total(store.spend_by_operation()) - sum(int(r["tokens"]) for r in others)
    # a run that took back more of the earlier runs' charges than it spent (credit charged
    # ahead and never used, ``bulk.ledger.take_back_unused``): theirs, off their entries,
    # the latest first, so the entries still add up to the job's tokens (y54r3 F3: 4,675
    # against a job total of 4,660, this run's entry 0, not -15)
    for run in reversed(others[:index]):
        if spent >= 0:
            break
        off = min(-spent, int(run["tokens"]))
        run["tokens"] = int(run["tokens"]) - off
        spent += off
    runs[index] = {
        **runs[index], "ended": _now(store), "outcome": outcome, "seconds": round(seconds, 3),
        "tokens": max(0, spent),
        "rate_limited": stats.rate_limited, **rate_limited_why(stats),
        # rows settled by reconciliation (found applied), as ``reconciled_rows`` counts
        # them; the rows in doubt looked at, settled or sent again, apart
        "reconciled": _settled_this_run(store, others),
        "in_doubt_checked": stats.reconciled,
        "stopped": outcome != "finished", "claims": dict(claims or {}),
        "error": str(result.error) if result is not None and result.error else None}
    store.meta_put(META_RUNS, [*others[:index], runs[index], *others[index:]])


def write_import_results(store: JobStore, result: RunResult | None, *,
                         resolver: Resolver | None = None) -> dict[str, Path]:
    """succeeded.csv, failed.csv, unprocessed.csv and summary.json of an import job."""
    settings = stored_settings(store)
    runs = [dict(r) for r in store.meta_get(META_RUNS) or []]
    _settle_killed_limited(runs, store.directory)  # a killed last run's 429s (w57r1 F3)
    created, reconciled, again = _created(store)
    deals, merged = _deals_created(store)
    counts = _edited_settled(store, store.meta_get(META_COUNTS) or {})
    summary: dict[str, Any] = {
        "mode": settings.mode, "manifest": settings.manifest, "mapping": settings.mapping,
        "deals_created": deals, "deals_created_merged_away": merged,
        "persons_created": created["person"], "organizations_created": created["org"],
        "reconciled_rows": reconciled, "load": counts,
        "keys_recreated": again["key_gone"], "merges_undone": again["merge_undone"],
        "wall_seconds": round(sum(r.get("seconds", 0.0) for r in runs), 3),
        "rate_limited": sum(r.get("rate_limited", 0) for r in runs),
        # seconds Pipedrive's clock is ahead of this machine's, as the job measured it
        # (``jobs.clock_skew``; null: not known), said when large (x52r8 F1-F3)
        "server_clock_lead": store.meta_get(META_LEAD),
        **{why: sum(r.get(why, 0) for r in runs) for why in rate_limited_why(None)},
        "runs": runs,
        **doubles_summary(store),
    }
    doubled = doubled_deals(store)
    gone = deleted_ids(store.meta_get(META_DELETED_SINCE))
    seen = deleted_deals(store.meta_get(META_DELETED_DEALS))
    amend = linked_now(store.meta_get(META_LINKS_NOW) or {}, gone, seen)
    if gone:  # (x49r8 F2)
        summary["rows_linked_deleted"] = _deleted_rows(store, amend, gone, seen)
        summary["deleted_since_stopped"] = {k: sorted(ids) for k, ids in gone.items() if ids}
    if unchecked := unchecked_counts(store.meta_get(META_UNCHECKED)):  # (x50r6 L1)
        summary["deleted_unchecked"] = unchecked

    def note(result: Mapping[str, Any]) -> str | None:  # the doubled deal's note first
        notes = [n for n in (doubled_note(result, doubled), linked_note(result)) if n]
        return "; ".join(notes) or None

    return write_results(store, source_key_column=None, summary=summary,
                         success_columns=(*SUCCESS_COLUMNS, *MATCH_COLUMNS, "note"),
                         hold_column=True, typed=typed_for(settings), note=note,
                         amend=amend)


def _deleted_rows(store: JobStore, amend: Callable[[dict[str, Any]], None],
                  gone: Mapping[str, set[int]], seen: set[int] | None) -> int:
    """How many settled rows' deals still name a person / organization deleted while the
    job was stopped (``META_DELETED_SINCE``; their links as succeeded.csv shows them,
    ``amend``; only the deals seen naming it, ``seen``: x50r6 F3): the run's last line
    counts them (x49r8 F2)."""
    count = 0
    for item in store.items():
        if item.state not in (ItemState.DONE, ItemState.SKIPPED):
            continue
        result = dict(item.result or (item.payload or {}).get("result") or {})
        if isinstance(result.get("deal_id"), int):
            amend(result)
            count += deleted_note(result, gone, seen) is not None
    return count


def typed_for(settings: ImportSettings) -> Typed | None:
    """The typed failed-rows file an import of this manifest writes beside failed.csv
    (``results.typed_for_manifest``)."""
    return typed_for_manifest(settings.manifest, format=settings.format, sheet=settings.sheet)


_KIND_WORD = {"person": "person", "org": "organization"}


def _deleted_named(deleted: Mapping[str, Sequence[int]], most: int = 10) -> str:
    """"person 3; organization 8, 9" for ``deleted`` (kind → ids), ``most`` ids a kind
    (then "and N more")."""
    said = []
    for kind, label in (("person", "person"), ("org", "organization")):
        ids = list(deleted.get(kind) or ())
        if ids:
            more = f" and {len(ids) - most:,} more" if len(ids) > most else ""
            said.append(f"{label} {', '.join(map(str, ids[:most]))}{more}")
    return "; ".join(said) or "a person / organization"


def _vanished_line(runs: Sequence[Mapping[str, Any]]) -> str | None:
    """The run's line on the rows resolved again after a contact vanished mid-run
    (``jobs.importing.vanished``): a cost no plan could price, said with its tokens."""
    def total(name: str) -> int:
        return sum(int((r.get("claims") or {}).get(name, 0)) for r in runs)
    rows, refused, tokens = (total("vanished_rows"), total("vanished_refused"),
                             total("vanished_tokens"))
    priced = total("vanished_priced")
    if not (rows or refused or tokens):
        return None
    planned = (f"; {priced:,} of those tokens, the deals of settled rows naming a person / "
               "organization a resume's re-read found gone, read at the run's end, were in "
               "its plan after the re-read") if priced else ""
    if not (rows or refused) and priced == tokens:
        return (f"{counted(tokens, 'token')} read the deals of settled rows naming a person / "
                "organization a resume's re-read found gone, for succeeded.csv's links (in "
                "its plan after the re-read)")
    if not (rows or refused) and total("vanished_survivor_tokens") == tokens:
        return (f"{counted(tokens, 'token')} read to find where persons / organizations other "
                "runs made for this job's keys went, merged away since (those changed since, "
                "the deals made with them by id): no plan can price what follows a change "
                "made in Pipedrive (the tokens line above includes them)")
    if not (rows or refused):  # 400s naming a contact that was still there
        return (f"{counted(tokens, 'token')} read back the persons / organizations rows refused with a "
                "400 named: none had vanished (the rows failed for their 400)")
    # the rows naming one a resume's re-read found gone, resolved before their send: in its
    # plan after the re-read (x48r3 F1: said "no plan can price" though the note said so)
    ahead = total("vanished_rows_priced")
    if ahead >= rows and not refused:
        return (f"{counted(rows, 'row')} resolved again before their send: a person / "
                "organization they name was merged away or deleted while the job was "
                f"stopped, found by the resume's re-read ({counted(tokens, 'token')} of reads "
                "besides the re-read's; all in its plan after the re-read; the tokens line "
                "above includes them)")
    # a resume's rows may name one deleted before it began (x47r6 F3: deleted ~30 s before
    # the resume, its last line said "during the run"): its re-read finds it, and its plan
    # after the re-read prices those rows (x48r3 F1); a change after it is the run's
    when = "during the run" if len(runs) <= 1 else \
        "since the job was planned (during a run, after its plan)"
    found = (f"; {counted(ahead, 'row')} of them, naming one a resume's re-read found gone, "
             "resolved before their send and in its plan after the re-read") if ahead else ""
    return (f"{counted(rows, 'row')} resolved again: a person / organization merged away or "
            f"deleted after the load ({counted(refused, 'write')} refused for it, "
            f"{counted(tokens, 'token')} of reads; no plan can price what follows a change made "
            f"in Pipedrive {when}{planned}{found}; the tokens line above includes them). "
            "What this run could not know: a person / organization deleted during the run "
            "that no later write named, and the deals it updated before it learnt of a "
            "deletion, keep their links until the next import's load reads the account "
            "again (no read of its own: that would list every contact the run linked)")


def summary_lines(store: JobStore, paths: Mapping[str, Path]) -> list[str]:
    """What a person reads at the end of a run: outcomes, tokens, time, and the files."""
    import orjson

    data = orjson.loads(Path(paths["summary"]).read_bytes())
    rows, actions = data["rows"], data["actions"]
    did = ", ".join(f"{n:,} {a}" for a, n in actions.items()) or "nothing done"
    many = len(data["runs"]) > 1  # (a resume / retry: the job's figures, every run)
    lines = [f"rows: {rows['total']:,} — {did}; {rows['failed']:,} failed; "
             f"{rows['unprocessed']:,} unprocessed" + (" — the job's rows, every run"
                                                       if many else ""),
             f"persons created: {data['persons_created']:,}; organizations created: "
             f"{data['organizations_created']:,}; rows settled by reconciliation: "
             f"{data['reconciled_rows']:,}" + _checked(data["runs"]) + _this_run(data),
             tokens_line(data, order=lambda kv: -kv[1]),
             f"sending took: {data['wall_seconds']:.1f} s (the calls of every run of the job; "
             f"reading the file and writing the reports not counted); 429s: "
             f"{data['rate_limited']}"]
    if data.get("deals_created_merged_away"):
        lines.append(f"deals created: {data['deals_created']:,}, "
                     f"{data['deals_created_merged_away']:,} of them gone since, another deal "
                     "carrying the key now (merged into it; their rows say so, and whether a "
                     "merge record proves it: succeeded.csv / failed.csv)")
    if (doubled := doubles_line(data)) is not None:
        lines.append(doubled)
    if (lead := lead_note(data.get("server_clock_lead"))) is not None:  # (x52r8 F1-F3)
        lines.append(lead)
    if (doubled := contacts_line(data)) is not None:  # (f41b 1)
        lines.append(doubled)
    waited = sum(int((r.get("claims") or {}).get("waited", 0)) for r in data["runs"])
    meanwhile = sum(int((r.get("claims") or {}).get("found_created", 0)) for r in data["runs"])
    if waited or meanwhile:
        lines.append(f"keys created meanwhile (another run, or someone while the job was "
                     f"stopped): {counted(waited, 'row')} waited for another run's create of "
                     f"their key; {counted(meanwhile, 'key')} "
                     f"{noun(meanwhile, 'was', 'were')} already created (updated / skipped, "
                     "never created twice)")
    if (vanished := _vanished_line(data["runs"])) is not None:
        lines.append(vanished)
    if linked_deleted := data.get("rows_linked_deleted"):  # (x49r8 F2)
        lines.append(f"{counted(linked_deleted, 'row')} settled before a stop: "
                     f"{noun(linked_deleted, 'its deal names', 'their deals name')} "
                     f"{_deleted_named(data.get('deleted_since_stopped') or {})}, deleted "
                     "since the deal was created (while the job was stopped) — not re-linked, "
                     "nothing written (theirs to fix; succeeded.csv's notes name each row)")
    if (unchecked := data.get("deleted_unchecked")) and isinstance(unchecked, dict):  # (x50r6 L1)
        lines.append(" / ".join(counted(n, _KIND_WORD.get(str(k), str(k)))
                                for k, n in sorted(unchecked.items(), reverse=True))
                     + " settled rows' deals name not checked for a delete since the stop "
                     "(no room in a page the re-read reads anyway; summary.json "
                     "deleted_unchecked): their rows' notes cannot say one was deleted")
    moved = sum(int((r.get("claims") or {}).get("merge_moved_tokens", 0)) for r in data["runs"])
    if moved:  # f40a: spent, in the tokens line, but named nowhere
        lines.append(f"{counted(moved, 'token')} read by id the persons / organizations that deals "
                     "another run created were linked to, moved off since (getPerson / "
                     "getOrganization, 1 token each): gone, a colleague's merge relinked the "
                     "deal, no edit, so no conflict; no plan can price them (the tokens line "
                     "above includes them)")
    contacts = sum(int((r.get("claims") or {}).get("contacts_waited", 0)) for r in data["runs"])
    if contacts:
        lines.append(f"{contacts:,} person / organization creates waited for another run's "
                     "create of the same record (found, never created twice)")
    unproven = sum(int((r.get("claims") or {}).get("unattributed", 0)) for r in data["runs"])
    if unproven:
        lines.append(f"{unproven:,} rows' creates were in doubt and no claim record shows "
                     "this job held their key throughout (a coordinator that lost its state, "
                     "or a claim's lease that ran out while the answer was awaited): the deal "
                     "found with each key may be this job's or another run's, so it is "
                     "recorded as found, not created (undo leaves it)")
    # counted from the rows (a killed run's included); a job written before: its runs' sum
    undone = data.get("merges_undone", sum(int((r.get("claims") or {}).get("merges_undone", 0))
                                           for r in data["runs"]))
    if undone:  # x12r7 F2: said on each row's note alone, easy to miss in a nightly log
        lines.append(f"{undone:,} rows' keys had deals merged away into a deal deleted since: "
                     "created again (succeeded.csv notes name each merge); a dedupe may "
                     "find them duplicates again")
    again = data.get("keys_recreated", sum(int((r.get("claims") or {}).get("keys_recreated", 0))
                                           for r in data["runs"]))
    if again:  # x32r4: a deal merged or deleted in Pipedrive's screens, made again silently
        lines.append(f"{counted(again, 'row')} created a deal for a key whose earlier deal "
                     "(an import's before, by the claims' record) is gone — deleted (by hand, "
                     "by an undo, by another tool) or merged in Pipedrive's own screens, which "
                     "leaves no record here: created again "
                     "(succeeded.csv notes name each earlier deal); a dedupe may find them "
                     "duplicates again")
    if (edited := edited_note(data.get("load") or {})) is not None:
        lines.append(edited)
    lines += [f"{name:>12}: {path}" for name, path in paths.items()]
    return lines


def _this_run(data: Mapping[str, Any]) -> str:
    """After the persons line of a job of more than one run (a resume, a retry): `` — the
    job's, every run (this run: 0 persons, 0 organizations created)``, as the tokens line
    says ``this run`` / ``job total`` (x46r4 F7: a retry said "persons created: 2" beside
    "tokens: this run 85", having created none). Empty for a job's only run."""
    runs = data["runs"]
    if len(runs) < 2:
        return ""
    before = runs[-1].get("made_before")
    if not isinstance(before, Mapping):  # (a run of an earlier pdbulk kept no count)
        return " — the job's, every run"
    persons = max(0, int(data["persons_created"]) - int(before.get("person", 0)))
    orgs = max(0, int(data["organizations_created"]) - int(before.get("org", 0)))
    return (f" — the job's, every run (this run: {counted(persons, 'person')}, "
            f"{counted(orgs, 'organization')} created)")


def _checked(runs: Sequence[Mapping[str, Any]]) -> str:
    """`` (N rows in doubt checked …)`` after the reconciliation count, when runs checked
    rows in doubt: the rest of them were found not applied and sent again."""
    checked = sum(int(r.get("in_doubt_checked") or 0) for r in runs)
    if not checked:
        return ""
    return (f" ({counted(checked, 'row')} in doubt checked against the account; those not found "
            "applied were sent again)")


def _resume_reread(calls: Mapping[str, int],
                   users: bool | tuple[str, ...] | None = None) -> int:
    """The tokens a resume of the import spends before it writes again, at least, for a
    plan with no job yet (``loaded_plan`` asks the job's own, ``resume_first_calls``):
    ``ImportResume.reread_calls``' first page of the deals added since the load, live and
    archived, with creates; when the rows create persons / organizations, a page of those
    the job knows, still there?, and one of those added since (x21r2 F6); and, ``users``
    given (``catalog_users`` of the mapping), the check of the account every resume makes
    first when its rows write a deal (``jobs.import_account_now.check_calls``: each row's
    key field at least is named; w56r1 F2)."""
    again: Counter[str] = Counter()
    if users is not None and (calls.get("addDeal") or calls.get("updateDeal")):
        again.update(account_check_reads(users))
    if calls.get("addDeal"):
        again.update(("getDeals", "getArchivedDeals"))
    # the contacts the job made or named, still there? and those added since: a page each
    if calls.get("addPerson"):
        again["getPersons"] += 2
    if calls.get("addOrganization"):
        again["getOrganizations"] += 2
    return sum(get_operation(op).token_cost * n for op, n in again.items())


__all__ = ["CHANGED_INPUT_FIX",
           "META_COUNTS", "META_INPUTS", "META_RUNS", "LoadedKind", "changed_inputs", "check_inputs", "end_run",
           "learn_file", "learn_marks", "load", "plan_import", "start_run", "summary_lines",
           "typed_for", "write_import_results"]
