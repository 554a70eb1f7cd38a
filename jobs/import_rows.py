"""From manifest rows to import items: map, check, match persons and organizations, diff.

A ``RowPlanner`` is a mapping resolved against one account plus the indexes an
import matches against (persons by e-mail then name, organizations by their
normalised name, and — in upsert mode — the existing deals by source key), all
built from list pulls by ``RowPlanner.build``. ``decide(row)`` turns one row
into the item the job stores: a create, an update (only the fields that
differ), an unchanged row (SKIPPED, costs nothing) or a failed row (never sent).

References to persons / organizations in an item's payload are either
``{"id": n}`` (found in the account) or ``{"kind", "key", "body"}`` (to be created
once, by whichever row gets there first: see ``import_resolve``). The plan
counts every unique reference to create once.

Split out of this module (issue 8), and re-exported here so every name is importable
from where it was: ``jobs.import_items`` (``ImportSettings``, ``RowCounts``, ``Indexes``,
``stored_row`` / ``source_row``, ``matched_by``) and ``jobs.import_checks``
(``check_columns``, ``effective_header``, ``UnseenPaths``, ``KeySet``).

Memory: one 64-bit hash per row (to refuse a source key seen twice), the unique
persons and organizations to create, and, for upsert, the account's deals.

Why ~2700 lines: the planner's one pass decides a row whole — refusals, the key's
checks, the currency rules, and the person and organization links of a file (which
rows share a new person or organization) — and the links' rules read each other.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import sqlite3
from array import array
from collections.abc import Awaitable, Callable, Collection, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any, TypeVar

from bulk.calls import CallContext
from bulk.claims import DEFAULT_LEASE
from bulk.clock import in_thread
from bulk.errors import AmbiguousName, Gone, InputError, NotFound
from bulk.manifest import HeaderLine, SourceRow, detect_format
from bulk.manifest_row import MisalignedRow, at_line, where_row
from bulk.reports import HOLD_DUPLICATE, HOLD_MISALIGNED, hold_column
from bulk.store import ItemState, NewItem
from bulk.wording import counted

from . import transforms as tf
from .account import (
    DealsByKey,
    OrgIndex,
    Own,
    PersonIndex,
    concurrently,
    deal_key,
    ensure_key_field,
    index_deals_by_key,
    index_orgs,
    index_persons,
    key_problem,
    load_catalog,
    phone_advice,
    unproven_note,
)
from .catalog import Catalog, DealField
from .clock_skew import RECONCILE_MARGIN
from .contact_keys import person_email_key, person_key_at
from .deal_currency import defaulted_currency, without_defaults
from .deals import (
    changed_fields,
    deal_changes,
    field_types,
    set_to_deactivated,
    shown,
    with_status_times,
)
from .file_names import FileNames, Forms, most_given, unnamed
from .import_account_now import catalog_users
from .import_checks import KeySet, UnseenPaths, check_columns, effective_header
from .import_items import (
    AT_ADDRESS,
    DELETED_LINK_NOTE,
    MATCH_COLUMNS,
    OWN_CELL,
    OWN_ROW,
    OWN_VALUE,
    PLACEHOLDER_CODE,
    ImportSettings,
    Indexes,
    Mode,
    RowCounts,
    file_sha,
    matched_by,
    source_row,
    stored_row,
)
from .key_field_holders import refuse_keys_held_elsewhere
from .key_field_record import check_not_renamed, used_key_fields
from .keyset import Numbering
from .last_written import (
    BASE_NOT_KNOWN,
    CELLS,
    EDITED,
    GROUP_NAMES,
    LINKS,
    LastWritten,
    Later,
    ThreeWay,
    agreed,
    digest,
    group_of,
    held_undone,
    met,
    sealed,
    three_way,
)
from .learned import SpilledDict, SpilledTable
from .mapped_spill import MappedSpill
from .mapping import MappedRow, OrgRef, PersonRef, RowMapper
from .mapping import Mapping as ImportMapping
from .mapping.rowmapper import InDealPipeline, latest_time, placed_reason, section_title
from .own_cells import value_columns
from .prepared import moves_pipeline, reopens
from .repeats import (
    Repeat,
    RepeatedKeys,
    Written,
    differing_note,
    field_columns,
    how_differs,
    partial_writes,
    rows_named,
    unlinked_contact,
    written,
)
from .results import ROW_NOTE, held, negative_value_note
from .similar_keys import SimilarKeys
from .update_edits import field_word, kept_names, note_labels

_ROWS_NAMED = 7  # the rows of a repeated key kept to name in a reason (``rows_named``)
# succeeded.csv's note on an insert row whose key only an archived deal carries
ARCHIVED_EXISTS_NOTE = ("an archived deal carries its key; not created again (to bring it "
                        "back: unarchive it in Pipedrive, or import the row with --mode "
                        "upsert --unarchive)")


# the rows of an upsert whose title and contacts would all change the plan names
_OTHER_DEAL_ROWS = 5
# the rows of another contact of a deal's first row kept for the plan to name (x49r5 F1)
OTHER_CONTACT_ROWS_KEPT = 5


class Unsettled(InputError):
    """A row refused once its key's deal, or none, is known (``RowPlanner.settled``: an
    upsert's stage cell read for that deal or a create, its lost reason and times judged
    by the status placed): refused as the mapping's refusal is, but judged against the
    account, never its own cells alone (a retry maps it again: not ``OWN_CELL``).
    ``together``: the other columns read with the failing one — a found deal's stage cell
    is placed in the pipeline its Pipeline cell names, so a stage refused there fails on
    both cells, whatever the Pipeline cell holds (``jobs.repeats.partial_writes`` leaves
    out both: x53r6 F1, a Pipeline cell other than the writing row's held the row
    ``duplicate-key`` and contested its key); so does a create's stage cell, read in the
    pipeline named, unless blank (x54r3 F1: a new key's ``Bogus`` + ``Sales`` was held)."""

    def __init__(self, reason: str, *, row: int | None = None, column: str | None = None,
                 together: tuple[str, ...] = ()) -> None:
        super().__init__(reason, row=row, column=column)
        self.together = together


def _count_create(marker: InDealPipeline) -> None:
    """Count a row that creates its deal in the stage's tally of rows "*" placed, when
    its create's reading was "*"'s (``InDealPipeline.count_create``): a found deal's row
    is counted by its own placing only, as ``pdbulk update`` counts it (x53r6 F3)."""
    if marker.count_create is not None:
        marker.count_create()


def _link_id(value: object) -> int | None:
    """A deal's ``person_id`` / ``org_id`` as an id (v1 lists nest it: ``{"value": 3}``)."""
    value = value.get("value") if isinstance(value, Mapping) else value
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _contacts_differ(mapped: MappedRow, org: bool, person: bool) -> bool:
    """Whether every contact the row gives (its organization, its person: at least one)
    is another than its deal's (``org`` / ``person``): with its title, nothing of the
    deal is the row's (``RowPlanner._other_record``)."""
    given = [(mapped.org is not None, org), (mapped.person is not None, person)]
    return any(g for g, _ in given) and all(differs for g, differs in given if g)


def _ref_id(ref: Mapping[str, Any] | None) -> int | None:
    return int(ref["id"]) if ref is not None and "id" in ref else None


def _cells(mapped: MappedRow) -> dict[str, str]:
    """{link: digest of the row's cells naming it} (``jobs.last_written.CELLS``): the
    person's name, e-mails and phones, the organization's name and address, as mapped."""
    return {name: _ref_digest(ref) for name, ref in (("person_id", mapped.person),
                                                     ("org_id", mapped.org))
            if ref is not None}


# a file repeats its organizations and persons (issue 8: 6 % of a plan); a person's rows
# lie far apart in the file (the demo's: ~2,900 persons in 20,000 rows), and 1,024 kept
# half of them as misses (f55h: 20,893 of 39,400); 8,192 refs are ~3 MB
_REF_DIGESTS = 8192


@functools.lru_cache(maxsize=_REF_DIGESTS, typed=True)
def _ref_digest(ref: PersonRef | OrgRef) -> str:
    """``digest(ref._asdict())``, its shape built here for fields of text and tuples of
    text (a person's, an organization's: issue 8, the general walk was ~5 us a row):
    None left out, a tuple as its texts sorted by repr, an empty one left out."""
    canon: dict[str, Any] = {}
    for name, value in zip(ref._fields, ref, strict=True):
        if value is None or name == "title":  # (a job title is sent nowhere: no change)
            continue
        if type(value) is str:
            canon[name] = value
        elif type(value) is tuple and all(type(v) is str for v in value):
            if value:
                canon[name] = sorted(value, key=repr)
        else:  # pragma: no cover - a ref holds text; anything else by the general walk
            return digest(ref._asdict())
    return sealed(canon)


def _own_ref(ref: dict[str, Any] | None, index: PersonIndex | OrgIndex | None
             ) -> dict[str, Any] | None:
    """``ref``, or when it names a record found in ``index`` that an import job made
    itself (``PersonIndex.own`` / ``OrgIndex.own``: a run of it mapping rows again), the
    same link said ``created`` (succeeded.csv's ``matched_by``); a link the deal keeps
    (``kept``) stays as it is."""
    if ref is None or index is None or "id" not in ref or ref.get("matched_by") == "kept" \
            or ref["id"] not in index.own:
        return ref
    return {**ref, "matched_by": "created"}


def _kept_links(cells: Mapping[str, str], base: Mapping[str, str] | None) -> set[str]:
    """The links (``person_id`` / ``org_id``) whose cells are the ones this state folder
    last wrote or agreed on the deal with (``base``: ``LastWritten.of``): the file did not
    change them, so the deal's link stays as Pipedrive has it — a colleague may have
    corrected the person's e-mail or renamed the organization since, and resolving the
    cells again would find no one and create a copy (x34r1 F6)."""
    if not base:
        return set()
    return {name for name, sign in cells.items()
            if name in base and base.get(name + CELLS) == sign}


def _made_over(links: Mapping[str, Any], existing: Mapping[str, Any],
               base: Mapping[str, str], kept: set[str],
               gone: Callable[[str, str], bool]) -> tuple[tuple[str, Any, Any], ...]:
    """The links (``person_id`` / ``org_id``) a row sends as a contact to create (its
    contact cells changed, and find no one) where Pipedrive's link is no longer the one
    this state folder last wrote (``base``: a colleague relinked the deal since): each as
    ``ThreeWay.both`` has it, (field, Pipedrive's id now, the name the file gives). A
    link resolved to an existing record is decided by ``three_way`` itself. A link whose
    written contact is gone (``gone(field, digest)``: merged away or deleted) moved with
    it — a merge relinks the deals to its survivor — not by a colleague's choice: the
    file's changed cells are decided as with the link unchanged (f36a 2: a merged-away
    person and a changed e-mail were said "changed both in Pipedrive and in the file")."""
    out = []
    for name, ref in links.items():
        field = f"{name}_id"
        if field in kept or _ref_id(ref) is not None or field not in base \
                or digest(existing.get(field)) == base[field] or gone(field, base[field]):
            continue
        out.append((field, existing.get(field), (ref.get("body") or {}).get("name")))
    return tuple(out)


# a row's note on a link kept for a record older than the cells' digests (_unrecorded_kept)
_UNRECORDED_NOTE = ("the deal's {} kept, not created: this state folder's record of the "
                    "deal is older than its record of the cells that named the link, the "
                    "deal still has the link it last wrote, and the row's cells find no "
                    "record of the account (corrected in Pipedrive since?); to link "
                    "another, name it by cells that find it, or link it in Pipedrive")
_LINK_WORDS = {"person_id": "person", "org_id": "organization"}

# how failed.csv shows an undecodable byte (bulk.manifest._printable: backslashreplace
# writes lower-case hex, and only bytes 80-ff can fail to decode)
_SHOWN_BYTE = re.compile(r"\\x[89a-f][0-9a-f]")
# a failed.csv reason for a byte its source could not decode (bulk.manifest_csv), as
# written now ("failed.csv shows it as \x81") and before ("shown as \xNN")
_SAYS_SHOWN = re.compile(r"shown as \\xNN|shows it as \\x[89a-f][0-9a-f]")


def written_since(decided: ThreeWay, existing: Mapping[str, Any],
                  later: Mapping[str, Later]) -> ThreeWay:
    """``decided`` with its ``by``: the ``kept`` / ``both`` fields whose value in Pipedrive
    (``existing``) is the one another job of this folder wrote since the file's source
    last wrote them (``later``: ``LastWritten.later``) — a correction made with ``pdbulk
    update`` after the import, x52r10 F1 — each group (``group_of``) named by one of its
    fields. A value someone changed after that job's write is a colleague's: not named."""
    if not later:
        return decided
    by: dict[str, tuple[str, str, bool]] = {}
    for field, now, _ in (*decided.kept, *decided.both):
        if field in later and (who := later[field][1]) is not None \
                and digest(now) == later[field][0][0]:
            by.setdefault(group_of(field), (group_of(field), who, later[field][2]))
    return dataclasses.replace(decided, by=tuple(by.values())) if by else decided


def _by_job(decided: ThreeWay, fields: tuple[tuple[str, Any, Any], ...]
            ) -> list[tuple[str, bool, tuple[tuple[str, Any, Any], ...]]]:
    """(who, known, the fields of ``fields`` whose group ``decided.by`` names) per job."""
    out: dict[tuple[str, bool], list[tuple[str, Any, Any]]] = {}
    by = {group: (who, known) for group, who, known in decided.by}
    for one in fields:
        if (named := by.get(group_of(one[0]))) is not None:
            out.setdefault(named, []).append(one)
    return [(who, known, tuple(part)) for (who, known), part in out.items()]


def edited_note(decided: ThreeWay, labels: Mapping[str, str]) -> str | None:
    """A row's note on the fields the three-way comparison (``jobs.last_written``) kept
    from Pipedrive, wrote over a change made there, or held back with their group (the
    status a colleague changed), each field called as the update's notes call it
    (``update_edits.field_word``, groups by ``update_edits.kept_names``: x50r10 F5, the
    upsert said ``value, stage_id, person_id``), custom fields by their ``labels`` (code
    -> name) and option ids by their labels (``value_key`` keys); None: none."""
    def name(field: str) -> str:
        return field_word(field, labels)

    def pairs(fields: Iterable[tuple[str, Any, Any]]) -> str:
        return ", ".join(f"{name(f)}: {shown(f, now, labels)} in Pipedrive, "
                         f"{shown(f, value, labels)} in the file" for f, now, value in fields)
    notes = []
    for who, found, kept in _by_job(decided, decided.kept):  # another job's write since
        part = dataclasses.replace(decided, kept=kept)
        notes.append(f"changed since by {who}, not in the file: kept, not sent "
                     f"({kept_names(part, name, labels)})" if found else
                     f"changed since by {who}, what this file's source last wrote there "
                     f"not known ({BASE_NOT_KNOWN}): Pipedrive's value kept, not sent "
                     f"({kept_names(part, name, labels)})")
    for who, _, both in _by_job(decided, decided.both):
        notes.append(f"changed both by {who} and in the file: the file's value written "
                     f"over it ({pairs(both)})")
    by = {f for f, _, _ in decided.by}
    decided = dataclasses.replace(decided, kept=tuple(k for k in decided.kept
                                                      if group_of(k[0]) not in by),
                                  both=tuple(b for b in decided.both
                                             if group_of(b[0]) not in by))
    if (known := decided.kept_part(unknown=False)).kept:
        notes.append(f"changed in Pipedrive since this state folder's last import or update wrote "
                     f"{'it' if len(known.kept) == 1 else 'them'}, not in the file: "
                     f"Pipedrive's value kept, not sent ({kept_names(known, name, labels)})")
    if (unknown := decided.kept_part(unknown=True)).kept:  # x52r5 F2
        notes.append(f"base not known ({BASE_NOT_KNOWN}): Pipedrive's value kept, not sent "
                     f"({kept_names(unknown, name, labels)})")
    if decided.both:
        whole = [GROUP_NAMES[g] for g in dict.fromkeys(group_of(f) for f, _, _ in
                                                       decided.both) if g in GROUP_NAMES]
        notes.append("changed both in Pipedrive and in the file since this state folder's "
                     f"last import or update: the file's value written over Pipedrive's "
                     f"({pairs(decided.both)}"
                     + (f"; written whole: {', '.join(whole)}" if whole else "") + ")")
    if decided.held:
        notes.append("changed in the file, not sent: the status was changed in Pipedrive "
                     "since this state folder's last import or update wrote it, and its reason and "
                     f"times go with it, kept whole ({pairs(decided.held)})")
    return "; ".join(notes) or None


def _custom_type(catalog: Catalog, label: str) -> str | None:
    """The type of the custom field the mapping names ``label``; None when none is."""
    try:
        return catalog.field(label, custom=True).type
    except InputError:
        return None


class RowPlanner:
    """Decides, row by row, what an import does; see the module docstring."""

    def __init__(self, mapper: RowMapper, key_code: str, mode: Mode, indexes: Indexes,
                 *, key_column: str, hold_column: str | None = None) -> None:
        self.mapper, self.key_code, self.mode = mapper, key_code, mode
        self.indexes = indexes
        self.key_column = key_column
        # a failed-rows file pdbulk wrote: its hold column (bulk.reports.hold_column)
        self.hold_column = hold_column
        # the columns refused on the cell alone, whatever the account holds (set by whoever
        # builds it: ``jobs.own_cells.value_columns``): their rows fail OWN_VALUE
        self.value_columns: frozenset[str] = frozenset()
        self.unarchive = False  # set from ImportSettings.unarchive by whoever builds it
        # ImportSettings.keys_as_given: a key another spelling of which a deal carries or
        # another row gives is a record of its own (``jobs.similar_keys`` not asked)
        self.keys_as_given = False
        # a manifest whose cells carry their types (XLSX, JSON, JSONL): a typed-cells hold
        # (failed.csv's) does not hold there (set by ``use``)
        self.typed_source = False
        # keys an earlier import found twice in its file (bulk.contested; loaded by whoever
        # builds it), those this file contests anew, and those a row releases
        self.contested: set[str] = set()
        # ... of them those this very file contested (its path: ``bulk.contested``): the
        # file giving such a key on one row now is the user's fix, released by itself
        self.contested_by_file: set[str] = set()
        self.released_by_file: set[str] = set()  # (said by the load and the plan)
        # contested keys refused again (recorded again keeping the file that contested them)
        self.refused_contested: set[str] = set()
        self.release_held = False  # ImportSettings.release_held
        self.read_columns: set[str] | None = None  # the mapping's columns (None: all)
        # the deal fields' types a comparison reads (``deals.field_types``; set by ``build``)
        self.field_types: dict[str, str] = {}
        self.field_labels: dict[str, str] = {}  # custom field key -> name (set by ``build``)
        # what a row's note calls things (``update_edits.note_labels``: the fields, and the
        # options, stages and users by name, as the update's notes; x50r5 F3)
        self.note_labels: dict[str, str] = {}
        self.stage_pipelines: dict[int, int] = {}  # stage id -> its pipeline id (``build``)
        # other text fields holding some of the file's keys, too few to refuse the key
        # field's creation (``jobs.key_field_holders``; set by ``build``): said, not refused
        self.key_holders_note: str | None = None
        # no row of the file maps: nothing indexed (``build``'s ``sendable``)
        self.none_sendable = False
        self.newly_contested: set[str] = set()
        self.released: set[str] = set()
        self.counts = RowCounts()
        # the deals the rows update (ids): the plan prices the end-of-run doubles check's
        # read of the deals others changed lately without them (``jobs.doubles.check_calls``)
        self.updated_ids: set[int] = set()
        # upsert: what this state folder last wrote on each deal (``jobs.last_written``),
        # set by whoever builds it (None: no record, every differing field is sent)
        self.last_written: LastWritten | None = None
        # upsert: each matched row's fields both sides agree on go in its payload
        # (``agreed``): the base of the next three-way comparison (set with ``last_written``)
        self.records_agreed = False
        self.paths: UnseenPaths | None = None  # set by build: a JSON manifest's mapped paths
        # the learning pass's mappings, for the decide pass not to map those rows again
        # (``jobs.mapped_spill``: set by the pass's caller, closed after the decide's)
        self.mapped_spill: MappedSpill | None = None
        self.key_problems: list[str] = []  # rows whose key the account cannot resolve
        # rows to create whose key a deal carries, or an earlier row to create gives, in
        # another spelling (x34r1 F3: the zeros a spreadsheet dropped), upsert and insert
        # alike; the load and the plan refuse them (``check_similar_keys``)
        self.similar_keys = SimilarKeys()
        self._seen = KeySet()  # the source keys of the rows decided so far
        # the keys the file repeats, and the first row of each (``learn_repeats``)
        self.repeats = RepeatedKeys()
        self.repeat_fields: dict[str, tuple[str, ...]] | None = None  # ``field_columns``
        # the keys whose first row failed: insert mode contests only these (a key whose
        # first row makes its deal can never be overwritten by an insert: x15r2 1)
        self._first_failed: set[str] = set()
        # what ``_again`` told of the row being decided: the key's first row (None: a
        # later one), and a row judged the same as a first row that failed (key, row,
        # writes, failed fields), which the key's deal is written from if it is decided so
        self._first_here: int | None = None
        self._took_over: tuple[str, SourceRow, Written | None, tuple[str, ...]] | None = None
        # the keys no row of which has written yet, their first failing on its own cells: a
        # row that fails so lends nothing (x45r10 F2), the key's first row that writes is
        # the one the others are judged beside, whatever the failed rows' values
        self._unwritten: set[str] = set()
        # upsert: the first row that writes of each key whose first row fails on its own
        # cells (``learn_contests``): a failing row before it is judged beside it
        self._writers = RepeatedKeys(every=True)
        # upsert: the repeated keys a row of the file fails on its own cells in
        # (``learn_contests``): the keys ``_writers_agree`` may let a row write
        self._failing_rows: set[str] = set()
        # the keys whose first row that writes was refused as contested alone (the file's
        # rows differ, or an earlier import contested the key): a later copy of it is its
        # duplicate, held with it (x46r4 F3/F4: held or not as a failing row stood)
        self._held_first: set[str] = set()
        self._held_here: int | None = None  # the row ``decide`` decides, so refused
        # upsert: a row -> the first earlier row of its key that writes and that it copies
        # exactly, when that row is not the key's first that writes (``learn_contests``)
        self._copies: dict[int, tuple[int, int]] = {}
        self._made_before: list[SourceRow] = []  # (``made_before``)
        # a retry's rows whose deal an earlier run of the job wrote (``made_before``): row ->
        # (its deal's id, None when not kept; the action: created, updated, ...)
        self._written_rows: dict[int, tuple[int | None, str]] = {}
        # a retry's upsert keys -> what each row held beside the key's first row writes ->
        # the first such row (row, line): a later row writing exactly that is its duplicate,
        # held with it, as a fresh import's ``_copies`` (y54r3 F2); emptied by ``forget_keys``
        self._held_variants: dict[str, dict[Written, tuple[int, int]]] = {}
        self._rejudging = False  # (a retry's or resume's planner: ``made_before`` called)
        # a retry's keys whose deal this job wrote or found -> the deal as the load found
        # it: None (this job created it) or the fields the job changed, as they were (its
        # before-image's): the repeats are judged against it (``judge_as_loaded``)
        self._as_loaded: dict[str, Mapping[str, Any] | None] = {}
        # upsert: the repeated keys a later row gives other cells (``learn_contests``) ->
        # that row, its differing cells as the first row sees them ("there" is that row's)
        self._file_contests: dict[str, Repeat] = {}
        # upsert: each repeated key's row count and first rows (``learn_contests``; on disk
        # once large), that a reason names every other row of the key
        self._key_rows = SpilledDict()
        # insert: the keys one deal of the index carries (import_load index_keyed_deals):
        # `exists` at the load, whoever made the deal
        self.confirmed_keys: set[str] = set()
        # upsert: key -> why the deal carrying it is a merge survivor that took the key from
        # the deal made for it (import_load note_survivors): said on the row
        self.survivor_notes: dict[str, str] = {}
        # upsert: folded key -> the listed key, for the listed keys that case folding
        # changes (``_other_case``; built at the first create that needs it)
        self._cased_keys: dict[str, str] | None = None
        # upsert: which contact each recorded row's cells were linked to
        # (``LastWritten.links_by_cells``), read once when a row first asks (``_recorded``)
        self._by_cells: dict[str, dict[str, list[tuple[int, str]]]] | None = None
        self._listed_deals: dict[int, Mapping[str, Any]] | None = None
        self._id_digests: dict[str, dict[str, int]] = {}  # link -> digest(id) -> id
        # ... and key -> (that merged-away deal, when the merge was recorded): the row's
        # three-way base is the merged-away deal's record (``LastWritten.merged_base``)
        self.survivor_bases: dict[str, tuple[int, float]] = {}
        # insert: the keyed deals were not listed, the account holding more than this many
        # (import_load index_keyed_deals gave up): None when listed, or not an insert
        self.keys_unlisted: int | None = None
        # ... and then the deals this state folder's claims say it made under another
        # spelling of a row's key, read back (``jobs.claimed_spellings``; None: none)
        self.claimed_spellings: DealsByKey | None = None
        # insert: the confirmed keys only an archived deal carries whose claim names that
        # deal → the job the claim says made it (None: not said): its row's note names it
        self.archived_makers: dict[str, str | None] = {}
        # insert: the archived deals were not listed, more than this many (None: listed)
        self.archived_unlisted: int | None = None
        # new persons by match key: (name, phone, org ref) of the row that named the person
        # first (the e-mail is the key's, "e:" + its email_key, or none)
        # a new person's key -> (name, phone, org ref, its cell's other addresses, its
        # cell's other phones)
        self._persons = _NewPersons()
        self._person_alias: dict[str, str] = {}  # "e:" + another address -> its person's key
        # a new person's "e:" key -> its first row's address, when the key (its email_key)
        # is not that address as written (x19r4 F1: ``σοφιας.b@``, key ``e:σοφιασ.b@``)
        self._spelled: dict[str, str] = {}
        # (name key, phone key) -> the keys of this file's new persons of that name with a
        # number of that key: a later row finds one by name+phone, as it finds a person of
        # the account (the candidates checked against ``_persons``: _phone_persons)
        self._person_phone = _HashedIndex()
        # (name key, its organization: ("id", id) or ("key", new org's key)) -> the keys of
        # this file's new persons of that name there: a row without an e-mail finds the
        # one by name+org, as it finds one of the account (x14r4 F1 a; checked: _made_at)
        self._person_at = _HashedIndex()
        # an address no person has, whose row was linked to an existing person without one
        # (``PersonIndex.match``): that person for every later row giving the address
        self._address_of_found: dict[tuple[str, str], tuple[int, str]] = {}
        # person id -> the e-mail keys and phone keys a row already said it lacks, not
        # added (``_not_added``: each value said once)
        self._not_added_said: dict[int, tuple[set[str], list[tf.PhoneKey]]] = {}
        # the file's persons, learned before any row is decided (``learn_persons``): the
        # connected components of the rows' identities (each address of an e-mail cell; a
        # name with a phone, by its last 9 digits), for a component no row gives whole:
        # the file's persons whose rows give more than GIVEN_KEPT e-mails (or phones): made
        # with the first GIVEN_KEPT of each (the plan says so; ``learn_persons``)
        self.persons_capped = 0
        # hash(identity) -> (its e-mails, its phones), in file order, GIVEN_KEPT of each at most.
        # Held by hash (issue 8); a row's phone is checked against the component's
        # (``tf.phones_agree``) before it takes the component's identities. Once learned, a
        # large table is on disk (``SpilledTable``: ~45 MB of a 1,000,000-row plan's peak)
        self._file_persons: _Learned[tuple[tuple[str, ...], tuple[str, ...]]] = {}
        # hash(a name with a phone) -> the addresses of the persons the file gives it beside
        # (two or more): a row of that name and phone alone fails naming them (``_joined``)
        self._contested: dict[int, tuple[str, ...]] = {}
        # hash((name key, organization match key)) -> the e-mails and the phones the file's
        # rows of that name at that organization give (a few distinct ones at most): a row
        # of the name and organization alone is the one person they make (``learn_persons``)
        self._file_at: _Learned[tuple[tuple[str, ...], tuple[str, ...]]] = {}
        # the name the file gives an address its first row gives bare (x44r9 F6: a person
        # named ``jane@roe.com`` while later rows name her ``Jane Roe``; ``learn_persons``)
        self._file_names = FileNames()
        # an identity (``_identities``' hash) of a group of rows of several names joined
        # by an address each gives alone -> the group's name (``_learn_persons``)
        self._group_names: dict[int, str] = {}
        # the hash of a name key the file spells two ways or more -> its spelling
        # (``FileNames.proper_names``: the most rows', a tie to the fullest, then mixed case)
        # (a learned table: on disk from ``jobs.learned.SPILL_AT`` names, as the others)
        self._spellings: _Learned[str] = {}
        # hash(an organization's match key) -> the spelling most of the rows naming it write
        # (``learn_contacts``, ``Forms``: only where they write it two ways or more)
        self._org_spellings: _Learned[str] = {}
        self._persons_learned = False  # (``_learn_persons`` ran: the file's persons known)
        self._orgs: dict[str, dict[str, Any]] = {}
        # organization match key -> {address match key: the address as first written}: every
        # address the file names the organization at (``learn_places``; None: not learned)
        self._places: dict[str, dict[str, str]] | None = None
        self._new_at: dict[str, dict[str, str]] = {}  # ``_new_places``, once per name
        self._found_orgs: dict[tuple[Any, Any], dict[str, Any]] = {}  # ``_one_org``

    def __repr__(self) -> str:
        c = self.counts
        return (f"RowPlanner(mode={self.mode}, rows={c.rows}, bad={c.bad}, create={c.create}, "
                f"update={c.update}, unchanged={c.unchanged}, persons_new={c.persons_new}, "
                f"orgs_new={c.orgs_new})")

    def has_key(self, key: str) -> bool:
        """Whether a row decided so far has source key ``key``."""
        return key in self._seen

    def contested_in_file(self, key: str) -> bool:
        """Whether ``learn_contests`` found rows of ``key`` that write other values (the
        file contests it: a fresh import holds every row of it, none written)."""
        return key in self._file_contests

    # -- building ------------------------------------------------------------------------
    @classmethod
    async def build(cls, ctx: CallContext, mapping: ImportMapping, header: list[str], *,
                    mode: Mode, create_key_field: bool, dry_run: bool = False,
                    learn: Callable[[RowMapper], object] | None = None,
                    indexes: bool = True, job_root: Path | None = None,
                    file_keys: Callable[[RowMapper], AbstractSet[str]] | None = None,
                    sendable: Callable[[RowMapper], bool] | None = None,
                    own: Own | None = None, titles_of: Collection[int] = (),
                    before_field: Callable[[], Awaitable[None]] | None = None,
                    ) -> tuple[RowPlanner, Catalog, bool]:
        """Pull the account's metadata and indexes; returns the planner, the catalog and
        whether the key field is missing (created unless ``dry_run``; False, the key field
        neither made nor read, when no row maps, ``sendable``, or none is to be matched,
        ``indexes`` False, for a load or a plan: ``key_code`` the placeholder
        ``PLACEHOLDER_CODE``). ``learn``: a check
        of the mapping against the manifest (the decimal marks: ``DecimalContested``)
        run before the key field is created, so that its InputError sends nothing.
        ``indexes`` False: no index is pulled (persons, organizations, deals: empty), for
        a file none of whose rows is matched (``jobs.import_load.all_held``).
        ``job_root``: whose import jobs' key fields, with the state folder's record,
        are the codes a renamed key field is recognised by (``InputError`` before any
        write: ``jobs.key_field_record.check_not_renamed``). ``file_keys``: the file's
        first source keys (``jobs.key_field_holders.SAMPLED_KEYS`` at most) as a mapper
        reads them; given, a run that would create the key field first reads the deals'
        custom text fields for them (``jobs.key_field_holders``: ``InputError`` when
        another field holds them, before any write; a plan reads the same). ``sendable``:
        whether any row maps (``jobs.import_load.sendable``); False: no index is pulled,
        as for ``indexes`` False, and ``none_sendable`` is set. ``own``: which persons /
        organizations the indexes list an import job made itself (``pull_indexes``).
        ``titles_of``: deal ids whose titles an upsert's list of the deals keeps
        (``jobs.own_export``); ``before_field``: awaited right before a missing key field
        is created (its InputError sends nothing)."""
        from .mapping.compiler import compile_mapping  # loaded when used (the CLI's start-up)

        # users only for an owner column (x13r3 F3: 20 tokens a page for nothing)
        catalog = await load_catalog(ctx, users=catalog_users(mapping))
        used = await in_thread(lambda: used_key_fields(job_root))
        check_not_renamed(catalog, mapping.key_field, used)  # x32r4 t13, dry runs too
        missing = False
        held_note: str | None = None
        none_sendable: bool | None = None  # (asked below: before the key field is made)
        latest = latest_time(ctx.clock.wall())
        try:
            catalog.field(mapping.key_field, custom=True)
        except AmbiguousName as exc:  # x12r1 F3: it was taken for a missing field
            raise InputError(f"key_field: {exc.reason} as key_field in [import]") from None
        except InputError:
            missing = True
        if missing and (dry_run or learn is not None):
            if not create_key_field:
                raise InputError(f"the account has no deal field {mapping.key_field!r} for the "
                                 "source keys; create it (a text field) or pass "
                                 "--create-key-field")
            placeholder = dataclasses.replace(catalog, deal_fields=(
                *catalog.deal_fields, DealField(PLACEHOLDER_CODE, mapping.key_field, "varchar",
                                                is_custom=True)))
            if learn is not None or file_keys is not None or sendable is not None:
                preview = compile_mapping(mapping, placeholder, header=effective_header(mapping, header))
            if not dry_run and learn is not None:
                await in_thread(lambda: learn(preview))
            if indexes and sendable is not None:  # x36r3: no row maps, no field made
                dated = dataclasses.replace(preview, latest=latest)
                none_sendable = not await in_thread(lambda: sendable(dated))
            if file_keys is not None and indexes and not none_sendable:  # x33: renamed
                held_note = await refuse_keys_held_elsewhere(ctx, catalog, mapping.key_field,
                                                             lambda: file_keys(preview))
        if missing and (dry_run or none_sendable or not indexes):
            # no row maps, or every row is held: nothing will be sent, so the key field is
            # not made (x36r3 F2)
            missing = not (none_sendable or not indexes)
            catalog, key_code = placeholder, PLACEHOLDER_CODE
        else:
            if missing and before_field is not None:
                await before_field()
            key_code, catalog = await ensure_key_field(ctx, catalog, mapping.key_field,
                                                       create=create_key_field, used=used)
        mapper = compile_mapping(mapping, catalog, header=effective_header(mapping, header),
                                 upsert=mode == "upsert")
        # a won / lost / close time past a day after the run's clock is refused (x35r1); an
        # upsert's row reads its stage cell in the deal it finds, as an update (f51c, x52r2)
        mapper = dataclasses.replace(mapper, latest=latest, defers_stage=mode == "upsert")
        if none_sendable is None:
            none_sendable = indexes and sendable is not None and \
                not await in_thread(lambda: sendable(mapper))
        # a key field that did not exist is on no deal: nothing to index (and no tokens)
        pulled = await cls.pull_indexes(ctx, mapping, mode, key_code, deals=not missing,
                                        own=own, titles_of=titles_of) \
            if indexes and not none_sendable else Indexes()
        planner = cls(mapper, key_code, mode, pulled, key_column=mapping.key_column,
                      hold_column=hold_column(header))
        planner.none_sendable = none_sendable
        planner.read_columns = set(mapping.columns())
        planner.key_holders_note = held_note
        planner.field_types = field_types(catalog.deal_fields)
        planner.field_labels = {f.code: f.name for f in catalog.deal_fields if f.is_custom}
        planner.note_labels = note_labels(catalog)
        planner.stage_pipelines = {s.id: s.pipeline_id for s in catalog.stages}
        planner.value_columns = value_columns(mapping.spec, lambda label: _custom_type(
            catalog, label))
        planner.paths = UnseenPaths(mapping, header)
        return planner, catalog, missing

    @staticmethod
    async def pull_indexes(ctx: CallContext, mapping: ImportMapping, mode: Mode, key_code: str,
                           *, deals: bool = True, orgs: bool = True,
                           own: Own | None = None,
                           titles_of: Collection[int] = ()) -> Indexes:
        """Only what the mapping needs: persons and orgs if it maps them (orgs unless
        ``orgs`` is False: the caller has them), deals if upsert. ``own``: which
        persons / organizations listed an import job made itself (``account.index_persons``),
        when a run of it maps rows again: matched as any other, a row linked to one says
        ``created`` (``_own_ref``)."""
        out = Indexes()
        spec = mapping.spec

        async def persons() -> None:
            out.persons = await index_persons(
                ctx, own, since=ctx.clock.wall() - RECONCILE_MARGIN)
            out.listed["persons"] = out.persons.count

        async def list_orgs() -> None:
            out.orgs, out.listed["organizations"] = await index_orgs(
                ctx, own, since=ctx.clock.wall() - RECONCILE_MARGIN)

        async def existing() -> None:
            # the deals changed lately counted: the doubles check's pages (``recent_others``,
            # its margin) and a young claims state's scans (``young_scan_calls``: since its
            # birth, at most a lease ago, less a lease and the margin; f47m's leftover, an
            # upsert's scans were priced one page each)
            out.deals = await index_deals_by_key(
                ctx, key_code, params={"custom_fields": None},
                since=ctx.clock.wall() - 2 * DEFAULT_LEASE - RECONCILE_MARGIN,
                titles_of=titles_of)
            out.listed["deals with a key"] = len(out.deals)

        await concurrently(*([persons] if spec.person is not None else []),
                           *([list_orgs] if spec.organization is not None and orgs
                             else []),
                           *([existing] if mode == "upsert" and deals else []))
        if mode == "upsert" and out.deals is None:
            out.deals = {}
        await listed_since(ctx, out)
        return out

    # -- rows ------------------------------------------------------------------------------
    def use(self, settings: ImportSettings) -> None:
        """Take the run's settings that decide rows: unarchive, and the manifest's format."""
        self.unarchive = settings.unarchive
        self.keys_as_given = settings.keys_as_given
        self.typed_source = detect_format(settings.manifest, settings.format) != "csv"

    def check_similar_keys(self, rows: Callable[[], Iterable[SourceRow]]) -> None:
        """InputError, before any write, when a row to create gives a key a deal carries, or
        an earlier row to create gives, in another spelling (``jobs.similar_keys``); ``rows``:
        the manifest's rows again, read only then, to name each earlier row."""
        self.similar_keys.check(lambda: ((r.row, self._raw_key(r.values)) for r in rows()))

    def raw_key(self, values: Mapping[str, Any]) -> str | None:
        """The source key of a row's cells, or None (no key, or one the mapping refuses)."""
        return self._raw_key(values)

    def _raw_key(self, values: Mapping[str, Any]) -> str | None:
        try:  # through the mapping's key source: an empty_values marker is no key
            return tf.source_key(self.mapper.key(values))
        except InputError:
            return None

    def _bad(self, row: SourceRow, reason: str, column: str | None,
             **extra: Any) -> NewItem:
        self.counts.bad += 1
        # the row is named by the reports' row column; its line, where a cell of several
        # lines above it makes the two differ, by the reason, as the reader's own refusals
        # say it (x26r3 1: "not an amount: '7x00'" named row 9 only, the file's line 13)
        reason = at_line(reason, row.row, row.line)
        if len(self.counts.bad_examples) < 10:
            where = f"row {row.row}" + (f", column {column!r}" if column else "")
            self.counts.bad_examples.append(f"{where}: {reason}")
        return NewItem(row=row.row, key=self._raw_key(row.values), op="create",
                       payload={**stored_row(row), "column": column, **extra},
                       state=ItemState.FAILED, error=reason)

    def _held(self, row: SourceRow) -> NewItem | None:
        """A row of a failed-rows file whose hold cell is not empty: refused again, with the
        hold kept (bulk.reports: holds), until the person empties the cell."""
        if self.hold_column is None:  # not a failed-rows file: nothing is held
            return None
        found = held(row.values, self.hold_column, self._raw_key(row.values),
                     typed_source=self.typed_source,
                     misaligned=isinstance(row.error, MisalignedRow))
        if found is None:
            return None
        hold, reason = found
        return self._bad(row, reason, self.hold_column, duplicate=reason, hold=hold)

    def _undecoded(self, row: SourceRow) -> NewItem | None:
        """The refusal of a row whose cell shows an undecodable byte (``_undecoded_cell``);
        None when none does."""
        found = self._undecoded_cell(row)
        if found is None:
            return None
        shown, column = found
        return self._bad(row, f"the cell holds the text {shown}, how failed.csv shows byte "
                              f"0x{shown[2:]} its source could not decode: type the "
                              "character it stands for (or read the source again with "
                              "--encoding NAME)", column, own=OWN_ROW)

    def _undecoded_cell(self, row: SourceRow) -> tuple[str, str] | None:
        """(the text, its column) of a row that shows ``\\xNN`` as pdbulk's failed.csv writes
        a byte its source could not decode (``\\x`` and two lower-case hex digits 80-ff: an
        undecodable byte is never ASCII) in a column the mapping reads: refused, never imported as the text
        ``\\xe4`` (fresh tester v10r5 finding 5), whatever columns the file has (v10r6 s7:
        the report columns deleted). A row of failed.csv whose reason says "shown as
        \\xNN" is checked in every column. Literal text of that form is refused too: it
        cannot be told from the marker (docs/mapping.md)."""
        reason_column = None if self.hold_column is None else (
            self.hold_column[:-len("hold")] + "reason")
        reason = row.values.get(reason_column) if reason_column else None
        read: Iterable[str] = row.values
        if not (isinstance(reason, str) and _SAYS_SHOWN.search(reason)) \
                and self.read_columns is not None:
            read = self.read_columns
        # most rows have no "\\x" in any cell: one C-level join and search of all of them
        # says so (issue 8: the per-column search was a tenth of the planner's time); a
        # row with a cell that is not text (XLSX, JSON) is searched in its text cells
        cells = dict.values(row.values)
        try:
            joined = "\0".join(cells)
        except TypeError:
            joined = "\0".join(cell for cell in cells if isinstance(cell, str))
        if "\\x" not in joined:
            return None
        # one search over the read text cells joined by NUL (no match spans it: the marker
        # is "\\x" and two hex digits) finds whether any of them shows one
        if _SHOWN_BYTE.search("\0".join(
                cell for c in read if isinstance(cell := dict.get(row.values, c), str))) is None:
            return None
        for column in [c for c in row.values if c in read]:  # the first in the row's order
            cell = dict.get(row.values, column)  # as stored: never AmbiguousPath here
            found = _SHOWN_BYTE.search(cell) if isinstance(cell, str) else None
            if found is not None and column != reason_column:
                return found[0], column
        return None

    def _fixed_by_file(self, key: str) -> bool:
        """Whether ``key``, contested by an earlier import of this same file, is on one row
        of it now (every row's key read: ``RepeatedKeys.learned``): the user deleted the
        other row, or the export no longer writes it — the key is released by the file
        itself (f41b 4: it stayed contested until one import with --release-held). Another
        file (failed.csv, a row copied out) releases nothing: the other row may still be
        where it was."""
        return (key in self.contested_by_file and self.repeats.learned
                and key not in self.repeats)

    def _writers_agree(self, key: str) -> bool:
        """Whether ``key``, contested by an earlier import of this same file, is written by
        one record of it now: an upsert whose rows that write agree (``learn_contests``),
        the others failing on their own cells (held again beside the row that writes, the
        key contested again). x45r10 F2: the row a failed row was held beside is written
        on the next import as on the first, whatever the failed row's values."""
        return (self.mode == "upsert" and key in self.contested_by_file
                and self.repeats.learned and key in self._failing_rows
                and key not in self._file_contests)

    def released_note(self) -> str | None:
        """The line a load or a plan says for the keys this file released by itself
        (``_fixed_by_file``); None when none."""
        n = len(self.released_by_file)
        if not n:
            return None
        shown = ", ".join(repr(k) for k in sorted(self.released_by_file)[:3])
        return (f"{counted(n, 'source key')} an earlier import of this file found contested "
                f"({shown}{', ...' if n > 3 else ''}) {'is' if n == 1 else 'are'} on one row "
                "of it now: released, imported as that row")

    def _released_here(self, row: SourceRow) -> bool:
        """Whether the user released this row: a row of a failed-rows file that was refused
        as held or contested (its reason cell says so) and whose hold cell is now empty."""
        if self.hold_column is None:
            return False
        reason = row.values.get(self.hold_column[:-len("hold")] + "reason")
        return isinstance(reason, str) and reason.startswith(
            ("held (", "duplicate source key", "source key"))

    def forget_keys(self) -> None:
        """Forget the keys decided so far, each key's first row kept (``RepeatedKeys(every=
        True)``): rows mapped again are judged against each other as the load judges them,
        by a plan's pass first, then by the run's, alike (x40r5 F1)."""
        self._seen = KeySet()
        self._first_failed = set()
        self._unwritten = set()
        self._held_first = set()
        self._held_variants = {}
        self.repeats = RepeatedKeys(every=True)
        for row in self._made_before:
            if key := self._raw_key(row.values):
                writes, failed = self._writes(row)
                self._seen.add(key)
                self.repeats.first(key, row, self.read_columns, writes, failed)

    def judge_as_loaded(self, deals: Mapping[str, Mapping[str, Any] | None]) -> None:
        """A retry's (or resume's) rows of the keys in ``deals`` are judged beside each
        other and beside the rows whose deal the job wrote (``made_before``, ``_again``)
        against the account as the load found it, never as the job left it: ``deals``
        maps a key to None when this job created its deal (the rows are read as creates),
        else to the fields the job changed on it as they were before (a before-image's
        ``fields`` and ``custom_fields``; ``jobs.deals.before_image``), laid over the deal
        as it is now. Call before ``made_before``. x53r6 F2: after a status-map fix, a
        retried ``Done`` row was held as writing more than the row that made its deal —
        the made row read as a found deal's (the deal's own status left), the fresh import
        of the fixed file reading it as a create (status open) and calling the pair
        ``duplicate``. The decide itself still reads the deal as it is now."""
        self._as_loaded = dict(deals)

    def _loaded_deal(self, key: str) -> tuple[bool, Mapping[str, Any] | None]:
        """(whether ``key`` is judged as loaded, the deal the load found for it: None, a
        create); see ``judge_as_loaded``."""
        if key not in self._as_loaded:
            return False, None
        before = self._as_loaded[key]
        if before is None:
            return True, None
        deals = self.indexes.deals
        now = deals.get(key) if deals is not None else None
        if now is None and isinstance(deals, DealsByKey):
            now = deals.archived.get(key)
        if now is None:
            return False, None
        fields = before.get("fields")
        custom = before.get("custom_fields")
        deal = {**now, **(fields if isinstance(fields, Mapping) else {})}
        if isinstance(custom, Mapping) and custom:
            deal["custom_fields"] = {**(now.get("custom_fields") or {}), **custom}
        return True, deal

    def made_before(self, rows: Iterable[SourceRow],
                    written: Mapping[int, tuple[int | None, str]] | None = None) -> None:
        """Rows mapped again are judged beside ``rows``: the rows of their keys whose deal
        an earlier run of the job wrote or found (created, updated, unchanged, exists),
        each its key's first row, mapped as the rows mapped again are, and kept across
        ``forget_keys``. x41r2 F-retry: a row retried after a mapping fix was its key's
        first in the retry and overwrote the stage the other row gave the deal; a first
        run would have held it (another stage) or found it that row's duplicate.
        ``written``: row -> (the deal's id or None, the action) of those rows: a row held
        beside one says that row is written and its deal carries its values
        (``_written_advice``, y54r3 F1), never that the upsert writes neither row."""
        self._made_before = list(rows)
        self._written_rows = dict(written or {})
        self._rejudging = True
        self.forget_keys()

    def decide(self, row: SourceRow, *, check_duplicate: bool = True) -> NewItem:
        """The item for one manifest row (see the module docstring)."""
        self._first_here, self._took_over, self._held_here = None, None, None
        item = self._decide(row, check_duplicate=check_duplicate)
        key = item.key
        if key and item.state is ItemState.FAILED and self._held_here == row.row:
            # the key's first row that writes, refused as contested alone: the rows after it
            # are judged beside it, a copy of it its duplicate held with it (x46r4 F3)
            self._take_over(key)
            self._held_first.add(key)
        if key and item.state is ItemState.FAILED and self._first_here == row.row:
            # the key's first row only: a later row that fails its own check (a bad
            # e-mail between two copies of the first) left the third row to be decided
            # as a first, and one job made two deals of the key (x41r2 F-dbl); a first
            # row refused as contested too (its payload a duplicate's: x45r6 F2, the
            # later rows were reported its duplicates, "imported once, as row 2")
            self._first_failed.add(key)  # (a later row of its cells fails as it does)
            if not item.payload.get("duplicate") and key in self.repeats:
                self._unwritten.add(key)  # (on its own cells, after its mapping)
        if not key or item.payload.get("duplicate") \
                or (item.payload.get("result") or {}).get("action") == "duplicate":
            return item
        if item.state is ItemState.FAILED:
            return item
        if self._took_over is not None and self._took_over[0] == key:
            # the first row failed and this one writes the key's deal: every later row is
            # judged beside this one (a copy of it is its duplicate, other values held),
            # never decided again as a first (x41r2 F-dbl)
            self._take_over(key)
        return item

    def _take_over(self, key: str) -> None:
        """The row ``_again`` found writing ``key``'s deal after its first row failed
        (``_took_over``) is the key's first from now on: the rows after it are judged
        beside it."""
        if self._took_over is None or self._took_over[0] != key:
            return
        _, source, writes, failed = self._took_over
        self.repeats.first(key, source, self.read_columns, writes, failed)
        self._first_failed.discard(key)
        self._unwritten.discard(key)
        self._took_over = None

    def _refused_first(self, row: SourceRow) -> None:
        """Note ``row``, refused as contested alone, for ``decide`` when it is its key's
        first row that writes (the first row, or the row that took over from rows that
        failed on their own cells; never a row decided as a refused first row was)."""
        key = self._took_over[0] if self._took_over is not None else None
        if self._first_here == row.row or (self._took_over is not None and key is not None
                                           and self._took_over[1].row == row.row
                                           and key in self._unwritten):
            self._held_here = row.row

    def _held_copy(self, key: str, row: SourceRow, at: int, line: int,
                   partial: str = "") -> NewItem:
        """``row``, the same record as row ``at`` (``line``) of ``key``, an earlier row that
        writes held as contested: its duplicate (skipped), held with it. x46r4 F3/F4: such a
        copy was held as contested or reported a duplicate as a failing row of the key
        stood before or after it; a copy says nothing the other row does not."""
        self.counts.duplicates += 1
        where = where_row(at, line)
        return NewItem(row=row.row, key=key, op="create", state=ItemState.SKIPPED,
                       payload={**stored_row(row), "result": {
                           "action": "duplicate",
                           "note": f"the same deal as {where} " + (
                               "(this row gives part of its fields, the same; its other "
                               "cells are empty)" if partial else "(one record written twice)")
                           + f", which is held: source key {key!r} is contested (that row's "
                           "reason says why); imported once, as that row, when it is "
                           "imported"}})

    def _first_writer(self, key: str) -> tuple[int, int] | None:
        """(row, line) of the row the rows of ``key`` are judged beside: its first row that
        writes (known ahead by an upsert's ``learn_contests`` while every row decided so far
        failed on its own cells), else its first row."""
        if key in self._unwritten and (ahead := self._writers.first_row(key)) is not None:
            return ahead
        return self.repeats.first_row(key)

    def _contest(self, key: str) -> None:
        """A key a second row of the file has: contested for later imports (bulk.contested)
        unless this is an insert whose first row with the key makes its deal: a later
        insert of either row finds that deal and writes nothing (x15r2 1: the same file
        imported again failed the row whose deal the first run made, "contested")."""
        if self.mode != "insert" or key in self._first_failed:
            self.newly_contested.add(key)

    def _again(self, key: str, row: SourceRow, failing: str | None = None,
               mapped: MappedRow | None = None,
               error: InputError | None = None) -> NewItem | None:
        """None when ``row`` is the first with ``key`` (what it writes kept when the file
        repeats the key: ``jobs.repeats``); else its item: the same writes as the first row
        (``mapped``: the mapping's row; None, refused: the same cells), skipped as its
        duplicate (nothing sent, the key not contested); other writes, held as a duplicate
        naming that row and the fields that differ, the key contested. ``failing``: why
        this row also fails (the reason says both; ``error``: the mapping's refusal, whose
        row is judged on the fields it could map: ``jobs.repeats.partial_writes``)."""
        repeated = key in self.repeats  # (asked once a row: issue 8)
        writes, failed, blank = (None, (), False) if not repeated else (
            (written(mapped, self.field_labels, self.key_code), (), False)
            if mapped is not None and key not in self._as_loaded
            else (*self._writes(row), False) if mapped is not None  # (as the load read it)
            else self._partial(row, error))  # (a digest for repeated keys only)
        if self._seen.add(key) or ((first := self.repeats.first_row(key)) is not None
                                   and first[0] == row.row):  # (mapped again twice: its own)
            if repeated:  # (``Repeats.first`` keeps the cells of a repeated key alone)
                self.repeats.first(key, row, self.read_columns, writes, failed)
            self._first_here = row.row
            if failing is None or not repeated:
                return None
            self._unwritten.add(key)
        judge = self.repeats
        if key in self._unwritten:
            # every row of the key so far failed on its own cells: they lend nothing (x45r10
            # F2: a later row equal to the failed first one wrote the deal, the row between
            # them held). A row that writes is the key's first that writes (``decide``); a
            # failing one is judged beside the key's first row that writes, when an upsert's
            # ``learn_contests`` knows it, else fails on its own cells alone
            if failing is None:
                self._took_over = (key, row, writes, failed)
                return None
            if self._writers.first_row(key) is None:
                return None
            judge = self._writers
        if failing is None and (copied := self._copies.get(row.row)) is not None:
            return self._held_copy(key, row, *copied)
        if self.repeat_fields is None:
            self.repeat_fields = field_columns(self.mapper, self.field_labels)
        repeat = judge.again(key, row, self.read_columns, writes, self.repeat_fields, failed)
        if repeat is not None and repeat.same and failing is None and judge is self.repeats \
                and key in self._held_first:
            return self._held_copy(key, row, repeat.row, repeat.line, repeat.partial)
        if repeat is not None and (repeat.same or (repeat.contact and self.mode == "insert"
                                                   and key in self._first_failed)) \
                and (failing is not None or key in self._first_failed) \
                and (not blank or key in self._first_failed):
            # (x45r6 F4: a row of another contact than a first row that failed is the
            # deal's first that writes, as a copy is: an insert's contact-only duplicate
            # is judged beside the row that writes the deal, never one that failed)
            # (a row failing on empty cells alone gives a part of the first row's record,
            # as an empty cell writes nothing: its duplicate when that row did not fail)
            # this row fails its own check (it writes nothing), or the first row failed:
            # this one, the same cells, is decided as it was (x29r3 F5: "imported once, as
            # that row", nothing was); if it writes the deal, the later rows are judged
            # beside it (``decide``)
            if failing is None:
                self._took_over = (key, row, writes, failed)
            return None
        if repeat is not None and repeat.same:
            self.counts.duplicates += 1
            return NewItem(row=row.row, key=key, op="create", state=ItemState.SKIPPED,
                           payload={**stored_row(row), "result": {
                               "action": "duplicate",
                               "note": f"the same deal as {where_row(repeat.row, repeat.line)} "
                                       + ("(this row gives part of its fields, the same; "
                                          "its other cells are empty)" if repeat.partial
                                          else "(one record written twice)")
                                       + ": imported once, as that row"}})
        if repeat is not None and repeat.contact and self.mode == "insert" \
                and failing is None and key not in self._first_failed:
            # x45r1 F4: another contact of the first row's deal (a joined Deals + Contacts
            # export): an insert makes the deal of the first row and never changes it, so
            # this row is its duplicate, its contact said not linked (an upsert holds both:
            # rows in another order would change the deal's person each import)
            self.counts.duplicates += 1
            self.counts.duplicates_other_contact += 1  # (x49r5 F1: counted apart)
            if len(self.counts.duplicates_other_contact_rows) < OTHER_CONTACT_ROWS_KEPT:
                self.counts.duplicates_other_contact_rows.append(row.row)
            return NewItem(row=row.row, key=key, op="create", state=ItemState.SKIPPED,
                           payload={**stored_row(row), "result": {
                               "action": "duplicate", "note": unlinked_contact(repeat)}})
        if repeat is not None and failing is None and writes is not None \
                and judge is self.repeats and self.mode == "upsert" \
                and self._rejudging and key not in self._file_contests:
            # a retry's row held beside its key's first row: a later row writing exactly
            # what it writes is its duplicate, held with it, as a fresh import of the file
            # judges it (``learn_contests``' ``_copies``; y54r3 F2: `BOGUS` after `Bogus`,
            # both fixed, was held beside the written row, the equal held row named nowhere)
            variants = self._held_variants.setdefault(key, {})
            if (copied := variants.get(writes)) is not None:
                return self._held_copy(key, row, *copied)
            variants[writes] = (row.row, row.line)
        self._contest(key)  # (upsert: a held row fixed alone must not overwrite the deal)
        if repeat is None:
            reason = f"duplicate source key {key!r}: an earlier row has it (each key is " \
                     "imported once)"
        else:
            reason = f"duplicate source key {key!r}: " + self._also(key, row.row, repeat)
            if repeat.row in self._written_rows and self.mode != "insert":
                reason += self._written_advice(repeat)
            elif key in self._file_contests or self.mode != "insert":
                # (an upsert: ``learn_contests``; or a retry's, which learns none: its
                # advice is an upsert's all the same, x53r6 F2 — "import with --mode
                # upsert" was told of an upsert's row)
                reason += self._upsert_advice(key, repeat)
            elif repeat.partial:  # an insert wrote (or found) the first row's deal
                at = where_row(repeat.row, repeat.line)
                reason += (f" (each key is imported once, as {at}: an insert writes none of "
                           "this row's other fields; to write them, " + (
                               f"delete {at}" if repeat.partial == "here" else
                               "put the fields on one row") + " and import with --mode "
                           "upsert)")
            else:
                reason += " (each key is imported once" + (
                    "; check which row is right)" if repeat.differing else ")")
        if failing is not None:
            reason += f"; this row also fails: {failing}"
        return self._bad(row, reason, self.key_column, duplicate=reason, hold=HOLD_DUPLICATE)

    def _also(self, key: str, at: int, repeat: Repeat) -> str:
        """``row 5 has it too, writing other values (...)``: the other rows of ``key`` than
        row ``at`` (all of them when ``learn_contests`` counted them, else the one
        ``repeat`` names), and how ``repeat``'s row differs."""
        count, rows = self._key_rows[key] if key in self._key_rows else (0, ())
        others = [r for r in rows if r != at]
        if len(others) < 2:
            return f"{where_row(repeat.row, repeat.line)} has it too{how_differs(repeat)}"
        named = f"{rows_named(others, count - 1)} have it too; "
        first = self._first_writer(key)
        if repeat.row == at or first is None or first[0] in (at, repeat.row):
            return named + f"beside {where_row(repeat.row, repeat.line)}{how_differs(repeat)}"
        # this row is neither of the two that differ: say how those two do (``repeat``, as
        # the first row sees the later one)
        verb = {"both": "sets other fields than", "there": "writes more than",
                "here": "writes part of what"}.get(repeat.partial, "writes other values than")
        said = f"{where_row(repeat.row, repeat.line)} {verb} {where_row(*first)}" + (
            " writes" if repeat.partial == "here" else "")
        return named + said + (f" ({differing_note(repeat, f'in row {repeat.row}', f'in row {first[0]}')})"
                               if repeat.differing else "")

    def _written_advice(self, repeat: Repeat) -> str:
        """What a retry says of a row it holds beside ``repeat``'s row, a row an earlier run
        of the job wrote (``made_before``'s ``written``): that row is written and its deal
        carries its values, a retry never writes over it, and how to write this row instead
        (y54r3 F1: "an upsert writes neither row while the file holds both" was said of a
        key whose other row the import had written before the mapping fix)."""
        deal_id, action = self._written_rows[repeat.row]
        other = where_row(repeat.row, repeat.line)
        deal = f"deal {deal_id}" if deal_id is not None else "its deal"
        return (f"; {other} is written ({action} by this job before this retry: {deal} "
                f"carries its values now), and a retry never writes over a row the job "
                f"wrote: keep the row that is right — to write this row instead, empty its "
                f"hold cell in failed.csv and import that file, or import a file with this "
                f"row and not {other} with --release-held")

    def _upsert_advice(self, key: str, repeat: Repeat) -> str:
        """What a person does with an upsert's rows of ``key`` that it writes none of, told
        in the terms of the file imported (a failed-rows file has hold cells; a plain file
        has none, and its key is contested for the next import: ``--release-held``);
        ``repeat``: the other row beside this one."""
        many = key in self._key_rows and self._key_rows[key][0] > 2

        def drop(rows: str, plural: bool = False) -> str:
            if self.hold_column:
                return f"delete {rows} or fill {'their' if plural else 'its'} hold cell"
            return f"delete {rows} from your file and import it with --release-held"
        head = "; an upsert writes " + ("no row of the key while the file holds every row"
                                        if many else "neither row while the file holds both")
        if repeat.partial in ("here", "there") and not many:
            other = where_row(repeat.row, repeat.line)
            whole, part = ("this row", other) if repeat.partial == "here" else (other,
                                                                                 "this row")
            return f"{head}: {drop(part)} ({whole} writes all of it, and more)"
        if repeat.partial and many:  # (which row gives the whole record is not known)
            return (f"{head}: keep one row that gives every field (put them on one row if "
                    f"none does) and {drop('the others', True)}")
        if repeat.partial:
            return (f"{head}, as neither is the whole record: put the fields on one row and "
                    + drop("the other"))
        other = "the other rows" if many else "the other row"
        if repeat.contact:  # (x45r1 F4: a joined Deals + Contacts export)
            # the upsert contests the key: a plain insert after it fails every row of the
            # key as contested (x45r6 F2), so the advice names what releases it
            insert = ("empty their hold cells and import them with --mode insert"
                      if self.hold_column else "import the file with --mode insert "
                      "--release-held")
            return (f"{head}: a Pipedrive deal takes one person: keep the row whose contact "
                    f"is the deal's person ({drop(other, many)}) and add the other contacts "
                    f"to the deal as participants by hand, or {insert} (the contact of the "
                    "first row that writes the deal is linked, the others named as not "
                    "linked)")
        return f"{head}: keep the row that is right ({drop(other, many)})"

    def learn_contests(self, rows: Iterable[SourceRow]) -> None:
        """Upsert: learn, before any row is decided and after ``learn_repeats``, which
        repeated keys a later row gives other cells (as ``_again`` tells them). Every row of
        such a key that is not held as a duplicate (the first, and those of its cells) is
        then refused too, on the first import as on every later one: neither row is written
        before the person decides which is right (x29r3 F2: the first import wrote the first
        row, every later one refused both as contested). Insert needs none of it: a key whose
        first row makes its deal is never overwritten by a later insert (``_contest``)."""
        if self.mode != "upsert" or not (len(self.repeats) or self._rejudging):
            return  # (a retry's keys are not learned: ``made_before`` keeps every first)
        seen = KeySet()  # the keys whose first row that writes was met
        refused_first: set[str] = set()  # keys a row the mapping refuses comes first in
        # the rows that write of each key that differ from its first that writes, by what
        # they write: the first of each (a later exact copy is its duplicate: ``_copies``)
        others: dict[str, dict[Written, tuple[int, int]]] = {}
        for row in rows:
            key = self._raw_key(row.values)
            if not key or (self.key_column and key.casefold() == self.key_column.casefold()):
                continue  # no key; a header line again (never a duplicate: ``_decide``)
            if key not in self.repeats:
                continue  # a key the file gives once: no contest
            writes, failed = self._writes(row)  # judged as ``_again`` judges it (x29r3 F3)
            count, firsts = self._key_rows[key] if key in self._key_rows else (0, ())
            self._key_rows[key] = (count + 1, (*firsts, row.row)[:_ROWS_NAMED])
            if writes is None or failed:
                # a row failing on its own cells lends nothing: it neither chooses the row
                # that writes nor contests the key (x45r10 F2: the failed first row's
                # values held the rows that differed from it, and wrote none)
                if key not in seen:
                    refused_first.add(key)
                self._failing_rows.add(key)
                continue
            if seen.add(key):  # the key's first row that writes (as ``decide`` takes it)
                self.repeats.first(key, row, self.read_columns, writes, failed)
                if key in refused_first:  # a failing row before it is judged beside it
                    self._writers.first(key, row, self.read_columns, writes, failed)
            else:
                if self.repeat_fields is None:
                    self.repeat_fields = field_columns(self.mapper, self.field_labels)
                repeat = self.repeats.again(key, row, self.read_columns, writes,
                                            self.repeat_fields, failed)
                if repeat is None or repeat.same or writes is None:
                    continue
                if key not in self._file_contests:
                    self._file_contests[key] = repeat.swapped(row.row, row.line)
                variants = others.setdefault(key, {})
                if (copied := variants.get(writes)) is not None:
                    self._copies[row.row] = copied
                elif len(variants) < _ROWS_NAMED:
                    variants[writes] = (row.row, row.line)

    def settled(self, mapped: MappedRow, *, as_loaded: bool = False) -> MappedRow:
        """``mapped`` as ``_decide`` writes it: an upsert's stage cell (``InDealPipeline``)
        read for the deal its key finds (``_found``) as ``pdbulk update`` reads it,
        whatever the Pipeline cell holds (``RowMapper.found_place``: x52r2 F1, F2), or for
        a create as the import reads it (the marker's ``create``); then its lost reason and
        won / lost / close times judged by the status placed, else the found deal's own
        (open for a create: ``RowMapper.judge_found``, x52r12 F2). The one reading of the
        row for every judgement of it — the repeats and contests (``learn_contests``,
        ``_again``, ``_partial``), the learning pass, the decide: a row this refuses is a
        refused row everywhere, as the mapping's refusal is (f53a: a create's unknown stage
        mapped as a marker wrote its key's other rows as a contest, the row not failing).
        A row of a key with a problem (``key_problem``: two deals, an archived one) is
        left as it is: refused for that. ``as_loaded``: read against the deal as the load
        found it, where a retry knows it (``judge_as_loaded``: the repeats' judgement).
        Raises ``Unsettled`` (row and column named)."""
        deal = mapped.deal
        marker = deal.get("stage_id")
        if not isinstance(marker, InDealPipeline) \
                and not (self.mapper.defers_stage and "status" not in deal):
            return mapped
        deals = self.indexes.deals
        existing: Mapping[str, Any] | None = None
        if deals is not None and self.mode != "insert":
            if key_problem(deals, mapped.key, unarchive=self.unarchive) is not None:
                # (compared with its key's other rows as the cell reads, not as spelled)
                if not isinstance(marker, InDealPipeline) or marker.create is None:
                    return mapped
                _count_create(marker)
                return mapped._replace(deal={**deal, "stage_id": marker.create})
            existing = deals.get(mapped.key)
            if existing is None and self.unarchive and isinstance(deals, DealsByKey):
                existing = deals.archived.get(mapped.key)
            if as_loaded:
                known, loaded = self._loaded_deal(mapped.key)
                if known:
                    existing = loaded
        if isinstance(marker, InDealPipeline):
            if existing is None:
                if marker.create is None:
                    # a create's stage cell is read in the pipeline its Pipeline cell
                    # names: refused, it fails on both cells, as a found deal's does (x54r3
                    # F1: `Bogus` + `Sales` after a row that writes was held duplicate-key
                    # and its key contested; a blank cell fails on itself alone, a part)
                    raise Unsettled(marker.reason, row=mapped.row, column=marker.column,
                                    together=self._placing if marker.cell else ())
                _count_create(marker)
                deal = {**deal, "stage_id": marker.create}
            elif "stage_id" in mapped.defaulted:  # (a default fills new deals only)
                deal = {k: v for k, v in deal.items() if k != "stage_id"}
            else:
                try:
                    placed = marker.place(int(existing["pipeline_id"]))
                except InputError as exc:
                    raise Unsettled(placed_reason(marker, exc, existing["id"]), row=mapped.row,
                                    column=exc.column, together=self._placing) from None
                deal = {k: v for k, v in {**deal, **placed}.items()  # None: the deal's own
                        if not (k in ("stage_id", "status") and v is None)}
        try:
            deal = self.mapper.judge_found(mapped.row, deal, existing or {})
        except InputError as exc:
            raise Unsettled(exc.reason, row=mapped.row, column=exc.column) from None
        return mapped._replace(deal=deal)

    @functools.cached_property
    def _placing(self) -> tuple[str, ...]:
        """The columns a found deal's stage is placed by: the stage's and the pipeline's
        (``Unsettled.together``)."""
        steps = (self.mapper.stage, self.mapper.pipeline)
        return tuple(dict.fromkeys(c for step in steps if step is not None
                                   for c in step.source.columns))

    def _map(self, row: SourceRow) -> MappedRow:
        """``row`` mapped and ``settled``, as the decide reads it (InputError)."""
        return self.settled(self.mapper.map(row, defer_users=True), as_loaded=True)

    def _writes(self, row: SourceRow) -> tuple[Written | None, tuple[str, ...]]:
        """What ``row`` would write (``jobs.repeats.written``), as the decide maps it, and
        the fields its mapping failed on (``_partial``); None when the mapping refuses it
        and no field can be told apart (then judged on its cells)."""
        try:
            mapped = self._map(row)
        except InputError as exc:
            return self._partial(row, exc)[:2]
        return written(mapped, self.field_labels, self.key_code), ()

    def _partial(self, row: SourceRow, error: InputError | None
                 ) -> tuple[Written | None, tuple[str, ...], bool]:
        """A refused row's writes in the fields it could map, the fields it failed on, and
        whether each cell it failed on is empty (``jobs.repeats.partial_writes``); (None,
        (), False) when not told: a header line, a row whose cells sit in other columns,
        a row the reader refused."""
        if error is None or isinstance(error, HeaderLine | MisalignedRow) \
                or row.error is not None:
            return None, (), False
        if self.repeat_fields is None:
            self.repeat_fields = field_columns(self.mapper, self.field_labels)
        told = partial_writes(self.mapper, row, error, self.repeat_fields, self.field_labels,
                              self.key_code, self.key_column,
                              settle=functools.partial(self.settled, as_loaded=True))
        return told if told is not None else (None, (), False)

    def _contested_here(self, key: str, row: SourceRow,
                        failing: str | None = None) -> NewItem | None:
        """The refusal of a row of ``key`` that ``_again`` did not hold, when a later row of
        the file that no hold cell refuses gives the key other values (``learn_contests``);
        else None. No release lifts it (x30r2 S1: --release-held, or both rows' hold cells
        emptied, wrote the first row, which nobody chose): while the file holds both rows,
        neither is written; the person keeps the right one (deletes the other row, or leaves
        its hold cell filled) and that one is imported."""
        other = self._file_contests.get(key)
        if other is None:
            return None
        if failing is None:
            self._refused_first(row)
        self._first_failed.add(key)  # a later row of its cells fails as it does (``_again``)
        # a row that would write the deal but for the contest is the key's first that
        # writes all the same: the rows after it are judged beside it (``_take_over``)
        self._take_over(key)
        self.newly_contested.add(key)
        reason = f"source key {key!r} is contested: " + self._also(key, row.row, other) \
            + self._upsert_advice(key, other)
        if failing is not None:  # (x30r2 low 3: it said only this, its hold empty)
            reason += f"; this row also fails: {failing}"
        return self._bad(row, reason, self.key_column, duplicate=reason, hold=HOLD_DUPLICATE)

    def _decide(self, row: SourceRow, *, check_duplicate: bool) -> NewItem:
        self.counts.rows += 1
        if self.paths is not None:
            self.paths.see(row)
        # a row the reader refused keeps its own reason (a byte its source could not
        # decode is shown in its cells as failed.csv will show it: x25r2 F4)
        refusal = self._held(row) or (self._undecoded(row) if row.error is None else None)
        if refusal is not None:
            return refusal
        try:
            # a row the learning pass mapped is not mapped again (``mapped_spill``)
            spill = self.mapped_spill
            mapped = spill.take(row) if spill is not None else None
            if mapped is None:
                # a deactivated user fails only a row that sets it (x20r2 F4): checked below
                mapped = self.mapper.map(row, defer_users=True)
            # an upsert's stage cell read for the deal its key finds, or for a create; a
            # row it refuses is refused as the mapping's refusal is (``settled``)
            if self._as_loaded and mapped.key in self._as_loaded:
                # a retry's row of a key whose deal the job wrote: refused where the load's
                # reading refuses it (a blank-Pipeline stage read in the pipeline the deal
                # was in, not the one another row of the key moved it to), as a fresh
                # import of the fixed file refuses it (x53r6 F2)
                self.settled(mapped, as_loaded=True)
            mapped = self.settled(mapped)
        except HeaderLine as exc:
            # its "key" is the key column's name: no record's, never a duplicate nor
            # contested (x13r5 F3: "duplicate source key 'Item ID'" on a repeated header)
            return self._bad(row, exc.reason, exc.column, own=OWN_ROW)
        except InputError as exc:
            raw = self._raw_key(row.values)
            misaligned = HOLD_MISALIGNED if isinstance(exc, MisalignedRow) else None
            if raw and self.key_column and raw.casefold() == self.key_column.casefold():
                # the key column's own name: a header line the reader could not take for
                # one (a cell more or less: x13r6 F6), never a duplicate or contested key
                said = exc.reason if "header line" in exc.reason else (
                    f"{exc.reason} (its key cell is {raw!r}, the key column's name: a "
                    "header line? Remove that line)")  # (x13r7 F2: said twice)
                return self._bad(row, said, exc.column, hold=misaligned, own=OWN_ROW)
            if misaligned is not None:
                # more or fewer cells than the header: said first, and its key cell (maybe
                # another column's: an unquoted "5.000,00") is no key, never a duplicate or
                # contested one (x44r1 L2: "duplicate source key '50%'" came first)
                return self._bad(row, exc.reason + section_title(row.values), exc.column,
                                 hold=HOLD_MISALIGNED, own=OWN_ROW)
            # a later row with its key is contested all the same; and this row, when an
            # earlier row has its key, is held as that row's duplicate whatever else is
            # wrong with it: fixed and imported again, it would overwrite the other's deal
            if check_duplicate and raw and (again := self._again(raw, row, exc.reason,
                                                                 error=exc)):
                return again
            if check_duplicate and raw and (
                    refused := self._contested_here(raw, row, exc.reason)) is not None:
                return refused
            # refused by the mapping's reading of the row's cells (``OWN_CELL``): a retry
            # with the same mapping refuses it again when the column is read only by
            # fields parsed on their own (``fail_again_offline``)
            if isinstance(exc, Unsettled):  # (judged against the account: mapped again)
                return self._bad(row, exc.reason, exc.column)
            return self._bad(row, exc.reason, exc.column, own=OWN_VALUE
                             if exc.column in self.value_columns else OWN_CELL)
        if check_duplicate:
            if again := self._again(mapped.key, row, mapped=mapped):
                return again
            if (refused := self._contested_here(mapped.key, row)) is not None:
                return refused
            if mapped.key in self.contested:
                if self._fixed_by_file(mapped.key):
                    self.released_by_file.add(mapped.key)
                elif not (self.release_held or self._released_here(row)
                          or self._writers_agree(mapped.key)):
                    release = ("empty this row's hold cell or import with --release-held"
                               if self.hold_column else "delete or fix the other row in your "
                               "file if it is still there, and import it with --release-held"
                               " (the file that contested it, imported again with the key "
                               "on one row, releases it by itself)")
                    reason = (f"source key {mapped.key!r} is contested: an earlier import found "
                              "it on two rows of one file that did not write the one deal of "
                              "that key (there now, or made by whichever row goes first) the "
                              "same: this row could write it otherwise than the other would; "
                              f"check which row is right, then {release}")
                    self.newly_contested.add(mapped.key)
                    self.refused_contested.add(mapped.key)
                    self._refused_first(row)
                    return self._bad(row, reason, self.key_column, duplicate=reason,
                                     hold=HOLD_DUPLICATE)
                self.released.add(mapped.key)
        if self.indexes.deals is not None and (
                self.mode != "insert" or mapped.key in getattr(self.indexes.deals, "ambiguous",
                                                               ())):
            problem = key_problem(self.indexes.deals, mapped.key, unarchive=self.unarchive)
            if problem is not None:
                self.key_problems.append(f"row {row.row}: {problem}")
                return self._bad(row, problem, self.key_column)
        deals = self.indexes.deals
        existing = deals.get(mapped.key) if deals is not None and (
            self.mode != "insert" or mapped.key in self.confirmed_keys) else None
        deal: Mapping[str, Any] = mapped.deal
        if existing is not None and self.mode == "insert":
            # an insert's list of the deals that carry a key (import_load
            # index_keyed_deals): a deal carries the key, never created again — unless
            # nothing of it is the row's: another source's record of the same id
            if (other := self._other_record(existing, mapped)) is not None:
                return self._bad(row, other, self.key_column)
            self.counts.exists += 1
            return NewItem(row=row.row, key=mapped.key, op="create", state=ItemState.SKIPPED,
                           payload={**stored_row(row), "result": {
                               "action": "exists", "deal_id": existing["id"],
                               "person_id": existing.get("person_id"),
                               "org_id": existing.get("org_id"),
                               "note": "a deal carries its key (imported before); not "
                                       "created again"}})
        if existing is None and self.mode == "insert" and mapped.key in self.confirmed_keys \
                and isinstance(deals, DealsByKey) \
                and (archived := deals.archived.get(mapped.key)) is not None:
            # only an archived deal carries the key (x28r2 F4: it was created again): the
            # record is there, put away by someone; an insert never makes it twice, nor
            # unarchives it (upsert --unarchive does), and the row says so
            self.counts.exists += 1
            self.counts.exists_archived += 1
            maker = self.archived_makers.get(mapped.key)
            return NewItem(row=row.row, key=mapped.key, op="create", state=ItemState.SKIPPED,
                           payload={**stored_row(row), "result": {
                               "action": "exists", "deal_id": archived["id"],
                               "person_id": archived.get("person_id"),
                               "org_id": archived.get("org_id"),
                               "note": ARCHIVED_EXISTS_NOTE if maker is None else (
                                   f"made by job {maker} (archived since); not created "
                                   "again" + ARCHIVED_EXISTS_NOTE.partition(
                                       "not created again")[2])}})
        if existing is None and self.unarchive and isinstance(deals, DealsByKey):
            existing = deals.archived.get(mapped.key)
            if existing is not None:  # archived deals take no edit but the one unarchiving
                deal = {**deal, "is_archived": False}
        if existing is None and mapped.deactivated:  # a create sets every value it has
            first = next(iter(mapped.deactivated.values()))
            return self._bad(row, first.reason, first.column)
        if existing is not None and mapped.defaulted:  # a default fills new deals only
            deal = without_defaults(deal, mapped.defaulted)
        opened = mapped.currency_open
        if existing is not None and opened:
            try:  # a blank currency leaves the deal's own (before any contact is counted)
                deal = defaulted_currency(
                    existing, deal, opened, self.mapper.currency_columns,
                    self._base(int(existing["id"]), mapped.key)
                    if self.last_written is not None else None)
            except InputError as exc:
                return self._bad(row, exc.reason, exc.column)
        elif existing is None and mapped.undecided:  # "kr" under EUR: no deal decides it
            first = mapped.undecided[0]
            return self._bad(row, first.reason, first.column)
        cells = _cells(mapped)
        # the base is read before the links are resolved: a link whose cells the file did
        # not change since this folder wrote it stays as Pipedrive has it (x34r1 F6)
        base = self._base(int(existing["id"]), mapped.key) \
            if existing is not None and self.last_written is not None and cells else None
        kept = _kept_links(cells, base)
        # a record older than the cells' digests: kept when nothing says the cells changed
        unrecorded = self._unrecorded_kept(existing, cells, base, mapped) \
            if existing is not None and base else set()
        kept |= unrecorded
        # a link to a contact deleted in Pipedrive is never kept: the row's cells are
        # resolved again, found or created (x35r1 3: "unchanged", matched_by "kept"), and
        # written whatever this folder last wrote (x36r1 F4: a colleague's relink deleted
        # since was "Pipedrive's value kept", the deal left on the deleted record)
        dead = self._deleted(existing, LINKS) if existing is not None else set()
        gone = kept & dead
        kept -= gone
        unrecorded -= gone
        try:
            org = self._kept_ref(existing, "org_id", mapped) if "org_id" in kept else (
                self._recorded("org_id", cells, mapped) or self._org_ref(
                    mapped.org, existing.get("org_id") if existing else None, mapped.person))
        except InputError as exc:  # which of several organizations: nothing sent for it
            return self._bad(row, exc.reason, self.mapper.org_column)
        try:
            person = self._kept_ref(existing, "person_id", mapped) if "person_id" in kept \
                else (self._recorded("person_id", cells, mapped) or self._person_ref(
                    mapped.person, org, existing.get("person_id") if existing else None,
                    mapped.org))
        except InputError as exc:  # which of several persons: nothing sent for the row
            return self._bad(row, exc.reason, self.mapper.person_column)
        # a person / organization the job made itself, found again by a row mapped again
        # (by e-mail, name, ...: never made twice, x44r9): linked as its create
        org = _own_ref(org, self.indexes.orgs)
        person = _own_ref(person, self.indexes.persons)
        if org is not None and "id" in org:
            self.counts.orgs_found += 1
            orgs = self.indexes.orgs
            if mapped.org is not None and orgs is not None and org.get("matched_by") != "kept" \
                    and (form := orgs.other_form(org["id"], mapped.org.name)) is not None:
                self.counts.orgs_other_form += 1  # said, not refused (f29h 6)
                org = {**org, "form": form}
            if mapped.org is not None and orgs is not None and org.get("matched_by") != "kept" \
                    and (theirs := orgs.other_spelling(org["id"], mapped.org.name)) is not None:
                self.counts.orgs_other_spelling += 1  # the row's own spelling is not there
                org = {**org, "spelled": theirs}
        values = stored_row(row)
        spelled = deals if deals is not None else self.claimed_spellings
        if existing is None and not self.keys_as_given and (spelled is None or self.similar_keys.see(
                row.row, mapped.key, spelled, getattr(spelled, "archived", None)) is None):
            self.similar_keys.see_in_file(row.row, mapped.key)  # 417 and 000417 in one file
        if existing is None:
            self.counts.create += 1
            if deal.get("status") in ("won", "lost") and "close_time" not in deal:
                self.counts.closed_undated += 1
            if self.mode == "upsert" and (cased := self._other_case(mapped.key)) is not None:
                self.counts.keys_other_case += 1
                values["key_case_note"] = (
                    f"deal {cased[1]['id']} carries key {cased[0]!r}, this row's key but for "
                    "case: keys keep their case (ids such as Salesforce's differ by case "
                    "alone), so this row makes a new deal; if only the source's spelling of "
                    "the key changed, give the row that deal's key")
            # the payload in the order it always had, built in place (``values`` is this
            # row's own: no dict merged per optional key, issue 8)
            payload = values
            # (``deal``: the mapped deal, an upsert's deferred stage read for a create)
            payload["deal"], payload["person"], payload["org"] = deal, person, org
            if cells:
                payload["cells"] = cells
            if minus := negative_value_note(deal):
                payload[ROW_NOTE] = minus
            if mapped.currency_defaulted:
                payload["currency_defaulted"] = True
            if mapped.defaulted:
                payload["defaulted"] = list(mapped.defaulted)
            if mapped.currency_choices:
                payload["currency_choices"] = list(mapped.currency_choices)
            if mapped.custom_currency_open:
                payload["custom_currency_open"] = {
                    code: list(c) for code, c in mapped.custom_currency_open.items()}
            return NewItem(row=row.row, key=mapped.key, op="create", payload=payload)
        # the currency the row names is a change of its own, its amount blank or not (x9r4:
        # "NOK" beside a blank amount was "unchanged"); a default alone was settled above
        # a status change takes the row's times with it, even unchanged ones (x34r4 F1)
        changes = with_status_times(existing, deal, deal_changes(
            existing, deal, currency_alone=True, types=self.field_types))
        if (user := set_to_deactivated(changes, mapped.deactivated)) is not None:
            return self._bad(row, user.reason, user.column)
        links: dict[str, Any] = {}
        # the links the row resolved to a record that exists: decided with the fields, by
        # the same three-way rule (x33r2 F1: a colleague's relinked person / organization
        # was put back by the next import of the unchanged file)
        resolved: dict[str, int] = {}
        for name, ref in (("person", person), ("org", org)):
            rid = _ref_id(ref)
            if rid is not None and f"{name}_id" not in kept:
                resolved[f"{name}_id"] = rid
            if ref is not None and (rid is None or rid != existing.get(f"{name}_id")):
                links[name] = ref
        relinks = {f"{name}_id": resolved[f"{name}_id"] for name in links
                   if f"{name}_id" in resolved}
        if "person" in links and (left := self._moved_person(existing, links["person"],
                                                             mapped)) is not None:
            self.counts.persons_moved += 1  # said in the plan and the row's note (x40r5 F4)
            self.counts.persons_moved_alike += left[1]
            links["person"] = person = {**links["person"], "moved_from": left[0],
                                        **({"moved_alike": True} if left[1] else {})}
        edited = None  # the three-way comparison with what this state folder last wrote
        edits: dict[str, int] = {}  # its ``ThreeWay.counts()``: the summary counts them
        if base is None:
            base = self._base(int(existing["id"]), mapped.key) if self.last_written is not None \
                and (changes or relinks or self.records_agreed) else {}
        same = agreed({**deal, **resolved}, {**changes, **relinks}, base) \
            if self.records_agreed else {}
        if self.records_agreed:  # a link agreed on: the cells that named it with it
            same.update((f + CELLS, cells[f]) for f in resolved if f not in relinks
                        and f in cells and base.get(f + CELLS) != cells[f])
        # a link to a deleted contact is no value of Pipedrive's to keep: not compared
        ruled_links = {f: v for f, v in relinks.items() if f not in dead}
        later = self.last_written.later(int(existing["id"])) \
            if self.last_written is not None and base else {}
        if base and self.last_written is not None:  # a finished undo's refused deal (x53r1)
            base = held_undone(base, self.last_written.undone_held(int(existing["id"])),
                               existing)
        if later:  # the file agrees with a later job's write: their common ancestor
            base = met(base, later, {**changes, **ruled_links})
        decided = three_way(existing, {**changes, **ruled_links}, base) \
            if base and (changes or ruled_links) else ThreeWay({**changes, **ruled_links})
        if later and (decided.kept or decided.both):
            decided = written_since(decided, existing, later)
        changes = {k: v for k, v in decided.changes.items() if k not in relinks}
        for field in ruled_links:
            if field not in decided.changes:
                links.pop(field[:-len("_id")])  # Pipedrive's link kept, not sent
        # a link kept for its unchanged cells that someone changed in Pipedrive: said —
        # not one that moved with a merge of the record written (x39r2 F5: 224 links a
        # merge chain moved counted in edited_kept; undo judges them so too)
        moved = {f for f in LINKS if f in base and self._written_gone(f, base[f])}
        relinked = tuple((f, existing.get(f), None) for f in LINKS
                         if f in kept and f not in moved
                         and digest(existing.get(f)) != base.get(f))
        if moved and decided.kept:
            decided = dataclasses.replace(decided, kept=tuple(
                k for k in decided.kept if k[0] not in moved))
        # a link the row's changed cells make a new contact for, that someone changed in
        # Pipedrive since: changed on both sides, the file's sent (x35r1 1: a colleague's
        # relinked person was replaced with no note, edited_both 0)
        made = _made_over(links, existing, base, kept | dead, self._written_gone)
        if decided.kept or decided.both or decided.held or relinked or made:
            ruled = ThreeWay(decided.changes, (*decided.kept, *relinked),
                             (*decided.both, *made), decided.held, by=decided.by)
            edited, edits = self._edited_note(ruled), ruled.counts()
        if unrecorded:
            edited = "; ".join(filter(None, (_UNRECORDED_NOTE.format(" and ".join(
                _LINK_WORDS[f] for f in LINKS if f in unrecorded)), edited)))
        if replaced := [f for f in LINKS if f in dead and f[:-len("_id")] in links]:
            edited = "; ".join(filter(None, (*(DELETED_LINK_NOTE.format(
                shown(f, existing.get(f), None), self._written(f, links[f[:-len("_id")]]))
                for f in replaced), edited)))
        if same:
            values["agreed"] = same
        note = self.survivor_notes.get(mapped.key)
        self.counts.survivors += bool(note)
        noted = {"note": "; ".join(n for n in (note, edited) if n)} if note or edited else {}
        if not changes and not links:
            self.counts.unchanged += 1
            return NewItem(row=row.row, key=mapped.key, op="update", state=ItemState.SKIPPED,
                           payload={**values, "result": {
                               "action": "unchanged", "deal_id": existing["id"],
                               "person_id": existing.get("person_id"),
                               "org_id": existing.get("org_id"),
                               **matched_by({"person": person, "org": org}), **noted},
                               **({EDITED: edits} if edits else {})})
        self.counts.update += 1
        self.updated_ids.add(int(existing["id"]))
        if "title" in changes and _contacts_differ(  # (a link the deal has, changed)
                mapped, *("org" in links and _link_id(existing.get("org_id")) is not None,
                          "person" in links and _link_id(existing.get("person_id")) is not None)):
            self.counts.keys_other_deal += 1  # the plan names them (x42r1 F2)
            if len(self.counts.keys_other_deal_rows) < _OTHER_DEAL_ROWS:
                self.counts.keys_other_deal_rows.append(row.row)
        if changes.get("status") in ("won", "lost") and "close_time" not in changes \
                and changes["status"] != existing.get("status"):  # (only a change re-dates)
            self.counts.closed_undated += 1
        # the plan says the moves and the reopens, as an update's (x51r10 F1, F2)
        self.counts.moved_pipeline += moves_pipeline(self.stage_pipelines, existing, changes)
        self.counts.reopened += reopens(existing, changes)
        self.counts.fields.update([*changed_fields(changes, self.field_labels, existing),
                                   *(("person_id",) if "person" in links else ()),
                                   *(("org_id",) if "org" in links else ())])
        return NewItem(row=row.row, key=mapped.key, op="update",
                       payload={**values, "deal_id": existing["id"], "changes": changes,
                                "person": links.get("person"), "org": links.get("org"),
                                "kept": {"person_id": existing.get("person_id"),
                                         "org_id": existing.get("org_id")},
                                "matched": matched_by({"person": person, "org": org}),
                                **({"cells": cells} if cells else {}),
                                **({"survivor_note": note} if note else {}),
                                **({"edited_note": edited} if edited else {}),
                                **({ROW_NOTE: minus} if (minus := negative_value_note(
                                    changes)) else {}),
                                **({EDITED: edits} if edits else {})})

    def _other_record(self, existing: Mapping[str, Any], mapped: MappedRow) -> str | None:
        """The reason an insert's row is not the deal ``existing`` that carries its key: its
        title differs (case and spacing aside) and so does each contact it gives — its
        organization and its person find none of the account, or another than the deal's
        (which the deal has: a contact added to a deal with none is no other record)
        (x42r1 F2: another CRM's deal of the same numeric id was skipped as ``exists``,
        exit 0, succeeded.csv showing the other deal's ids). None: the row may be the
        deal (a title edited in Pipedrive since, one contact the same)."""
        theirs, mine = existing.get("title"), mapped.deal.get("title")
        if not isinstance(theirs, str) or not isinstance(mine, str) \
                or tf.norm_key(theirs) == tf.norm_key(mine):
            return None
        org, person = mapped.org, mapped.person
        orgs, persons = self.indexes.orgs, self.indexes.persons
        if (org is not None and orgs is None) or (person is not None and persons is None):
            return None  # a contact not listed: nothing to compare it with
        org_id, person_id = (_link_id(existing.get(f)) for f in LINKS[::-1])
        try:
            found = orgs.match(org.match_key, org.address, prefer=org_id, name=org.name) \
                if org is not None and orgs is not None and org.match_key else None
            other_org = org is not None and org_id is not None and (
                found is None or found[0] != org_id)
            one = persons.match(person.email, person.name, person.phone,
                                found[0] if found is not None else None, prefer=person_id,
                                ) if person is not None and persons is not None else None
            other_person = person is not None and person_id is not None and (
                one is None or one[0] != person_id)
        except InputError:  # several records fit: nothing tells the row is another's
            return None
        if not _contacts_differ(mapped, other_org, other_person):
            return None
        what = " and ".join(w for w, differs in (("organization", other_org),
                                                   ("person", other_person)) if differs)
        return (f"key {mapped.key} belongs to deal {existing['id']} titled {theirs!r}, which "
                f"differs from this row in its title and {what}: a key shared by two "
                "sources (another system's ids in the same key field)? Import this source "
                "into a key field of its own (key_field in [import]); the deal is left as "
                "it is")

    def _moved_person(self, existing: Mapping[str, Any], ref: Mapping[str, Any] | None,
                      mapped: MappedRow) -> tuple[int, bool] | None:
        """(the id of the deal ``existing``'s person, alike) when the row moves the deal
        from that person to a new one (``ref`` has no id: its e-mail, or its name, matches
        no person); ``alike``: that person has the row's name (as names are matched) and
        phone and an address of its own, most likely the same person whose address changed
        (x40r5 F4). None otherwise. x41r2: a move was said only when alike (30 deals moved
        unsaid without a phone column). Nothing is changed: persons are told by e-mail, as
        Pipedrive's importer does."""
        persons, person = self.indexes.persons, mapped.person
        old = existing.get("person_id")
        old = old.get("value") if isinstance(old, Mapping) else old
        if ref is None or "id" in ref or not isinstance(old, int):
            return None
        phone = tf.phone_key(person.phone) if person is not None and person.phone else None
        if persons is None or person is None or not person.email or phone is None \
                or old not in persons.emailed:
            return old, False
        return old, any(pid == old and phone in phones for pid, phones, _ in
                        persons.named(person.name))

    def _unrecorded_kept(self, existing: Mapping[str, Any], cells: Mapping[str, str],
                         base: Mapping[str, str], mapped: MappedRow) -> set[str]:
        """The links (``person_id`` / ``org_id``) kept for a record written before it kept
        the digest of the cells beside each link (an earlier pdbulk's: the link's digest
        and no ``CELLS``), read the safe way: the deal's link is still the one this state
        folder last wrote or agreed on (nobody relinked it since), and the row's cells find
        no person / organization of the account (``match``), so resolving them would create
        one — a copy, when a colleague corrected the e-mail or renamed the organization
        since (x34r1 F6, for the deals written before the digests). A row whose cells find
        another record of the account is resolved (and relinked) as before; nothing is
        created for a link kept here, and nothing is recorded for it (a later night that
        agrees on the link, or writes it, records its cells)."""
        out: set[str] = set()
        for name in cells:
            rid = existing.get(name)
            if name not in base or name + CELLS in base or not isinstance(rid, int) \
                    or digest(rid) != base[name]:
                continue
            person, org = mapped.person, mapped.org
            persons, orgs = self.indexes.persons, self.indexes.orgs
            try:
                if name == "person_id" and person is not None and persons is not None:
                    found = persons.match(person.email, person.name, person.phone, prefer=rid)
                elif name == "org_id" and org is not None and orgs is not None:
                    found = orgs.match(org.match_key, org.address, prefer=rid, name=org.name)
                else:
                    continue
            except InputError:  # several records fit: resolved (and said) as before
                continue
            if found is None:
                out.add(name)
        return out

    def _recorded(self, field: str, cells: Mapping[str, str],
                  mapped: MappedRow) -> dict[str, Any] | None:
        """The reference (``matched_by`` ``kept``) of the contact an earlier row's link
        ``field`` (``person_id`` / ``org_id``) was made from cells equal to this row's
        (``cells``: ``_cells``), by this state folder's record: that person /
        organization while the account still lists it, else (merged away or deleted) the
        one the earlier row's deal is linked to now, when the account lists it. None: no
        record, no such row, a person the row names by name alone (a name alone links to
        no person an earlier import made: x10r1 S3), or rows whose links tell different
        contacts — the cells are resolved as on a first import. A colleague's correction
        of the contact since (an e-mail, a name) no longer makes a new row of the same
        cells create a copy (x35r1 2). An insert follows only a contact gone since (merged
        away: its deal is linked to the survivor now; x40r5 F3: both organizations were
        made again); one the account still lists is found by the cells, as before."""
        sign = cells.get(field)
        index = self.indexes.persons if field == "person_id" else self.indexes.orgs
        if sign is None or self.last_written is None or index is None:
            return None
        person = mapped.person
        if field == "person_id" and (person is None or not (
                person.email or person.also or person.phone)):
            return None
        if self._by_cells is None:
            try:
                self._by_cells = self.last_written.links_by_cells()
            except sqlite3.Error:
                self._by_cells = {}
        earlier = self._by_cells.get(field, {}).get(sign)
        if not earlier:
            return None
        if self._listed_deals is None:
            self._listed_deals = {int(d["id"]): d for d in (self.indexes.deals or {}).values()}
        ids = self._id_digests.get(field)
        if ids is None:
            ids = self._id_digests[field] = {digest(i): i for i in index.ids}
        found = set()
        for deal_id, link in earlier:
            rid = ids.get(link)
            if rid is not None and self.mode == "insert":
                return None  # listed: the cells find it (an insert's links, as before)
            if rid is None:  # merged away or deleted: the earlier deal's link now
                now = (self._listed_deals.get(deal_id) or {}).get(field)
                rid = now if isinstance(now, int) and now in index.ids else None
            if rid is not None:
                found.add(rid)
        if len(found) != 1:
            return None
        if field == "person_id":
            self.counts.persons_found += 1  # a person of the account, as ``_found_ref``
        return {"id": found.pop(), "matched_by": "kept"}

    def recorded_deals(self, cells: Mapping[str, str]) -> set[int]:
        """The deals ``_recorded`` reads the links of for a row whose cells are ``cells``
        (``_cells``): those this state folder wrote from equal cells (empty without a
        record). For a planner whose deals were not listed (``add_deals``)."""
        if self.last_written is None:
            return set()
        if self._by_cells is None:
            try:
                self._by_cells = self.last_written.links_by_cells()
            except sqlite3.Error:
                self._by_cells = {}
        return {deal_id for field, sign in cells.items()
                for deal_id, _ in self._by_cells.get(field, {}).get(sign, ())}

    def add_deals(self, deals: Iterable[Mapping[str, Any]]) -> None:
        """Deals read by id after the indexes were built (``jobs.importing.vanished``: the
        deals were not listed), each indexed by the source key it carries, if any, and
        seen by ``_recorded``."""
        index = self.indexes.deals
        if not isinstance(index, DealsByKey):
            index = self.indexes.deals = DealsByKey()
        if self._listed_deals is None:
            self._listed_deals = {int(d["id"]): d for d in index.values()}
        for deal in deals:
            if (key := deal_key(deal, self.key_code)) is not None:
                index.add(key, dict(deal))
            self._listed_deals[int(deal["id"])] = deal

    def _written_gone(self, field: str, written: str) -> bool:
        """Whether the person / organization (``field``) whose id's digest this state
        folder wrote (``written``) is no record the account lists now: merged away or
        deleted. False when its index was not read."""
        index = self.indexes.persons if field == "person_id" else self.indexes.orgs
        if index is None:
            return False
        ids = self._id_digests.get(field)
        if ids is None:
            ids = self._id_digests[field] = {digest(i): i for i in index.ids}
        return written not in ids

    def _deleted(self, existing: Mapping[str, Any], links: Iterable[str]) -> set[str]:
        """The ``links`` (``person_id`` / ``org_id``) whose record the deal ``existing``
        names is no person / organization of the account (the indexes list every one but
        the deleted: Pipedrive marks a deleted contact deleted, and the deal may still name
        it); a link whose index this import did not read is never said deleted."""
        out = set()
        for name in links:
            rid = existing.get(name)
            index = self.indexes.persons if name == "person_id" else self.indexes.orgs
            if isinstance(rid, int) and index is not None and rid not in index.ids:
                out.add(name)
        return out

    def _written(self, field: str, ref: Mapping[str, Any]) -> str:
        """How a note names the contact a row writes to link ``field`` (``person_id`` /
        ``org_id``) by its reference ``ref``: ``person 4 (Ann Lee)`` (a person of the
        account, named as Pipedrive holds it), ``organization 3``, or ``a new person
        'Ann Lee'`` (made from the row's cells)."""
        rid = _ref_id(ref)
        if rid is None:
            return f"a new {_LINK_WORDS[field]} {(ref.get('body') or {}).get('name')!r}"
        persons = self.indexes.persons
        if field == "person_id" and persons is not None and rid in persons.names:
            return f"person {rid} ({self._account_name(persons, rid)})"
        return shown(field, rid, None)

    def _kept_ref(self, existing: Mapping[str, Any] | None, field: str,
                  mapped: MappedRow) -> dict[str, Any] | None:
        """The reference of the deal's own link ``field`` (``person_id`` / ``org_id``; None:
        it has none), kept for the row's unchanged cells (``_kept_links``): matched by how
        it still fits them (``email``, ``name+phone``, ``name``, ...), else ``kept`` (it
        fits them no more: corrected or renamed in Pipedrive since). Looks nothing up that
        could create."""
        rid = existing.get(field) if existing is not None else None
        if not isinstance(rid, int):
            return None
        person, org = mapped.person, mapped.org
        persons, orgs = self.indexes.persons, self.indexes.orgs
        if field == "person_id" and person is not None and persons is not None and (
                how := persons.fits(rid, (person.email, *person.also), person.name,
                                    person.phone)) is not None:
            return self._not_added(self._found_ref(persons, person, (rid, how)), person)
        if field == "person_id" and person is not None and persons is not None and any(
                pid == rid for pid, _, _ in persons.named(person.name)):
            return self._not_added(  # as ``match``
                self._found_ref(persons, person, (rid, "name+deal")), person)
        found = None
        if field == "org_id" and org is not None and orgs is not None:
            try:
                found = orgs.match(org.match_key, org.address, prefer=rid, name=org.name)
            except InputError:  # several of its name: it is the deal's, kept
                found = None
        if found is not None and found[0] == rid:
            return {"id": rid, "matched_by": found[1]}
        if field == "person_id":
            self.counts.persons_found += 1  # a person of the account, as ``_found_ref``
        return {"id": rid, "matched_by": "kept"}

    def _base(self, deal_id: int, key: str) -> dict[str, str]:
        """The three-way base of the row of ``key`` on deal ``deal_id``: what this folder
        last wrote there, or, for a merge survivor that took the key from the deal made for
        it (``survivor_bases``), what it last wrote on that deal and on the survivor since
        the merge (``LastWritten.merged_base``)."""
        assert self.last_written is not None
        away = self.survivor_bases.get(key)
        if away is not None and away[0] != deal_id:
            return self.last_written.merged_base(deal_id, *away)
        return self.last_written.of(deal_id)

    def _other_case(self, key: str) -> tuple[str, Mapping[str, Any]] | None:
        """(the key, the deal) of a listed deal whose key is ``key`` but for case (a key
        not found as it is: keys keep their case); None: none. The first call indexes
        the listed keys that case folding changes (the others are found by the folded
        key itself)."""
        deals = self.indexes.deals
        if not deals:
            return None
        folded = key.casefold()
        if folded != key and (deal := deals.get(folded)) is not None:
            return folded, deal
        if self._cased_keys is None:
            self._cased_keys = {f: k for k in deals if (f := k.casefold()) != k}
        other = self._cased_keys.get(folded)
        if other is None or other == key or (deal := deals.get(other)) is None:
            return None
        return other, deal

    def _edited_note(self, decided: ThreeWay) -> str | None:
        """The row's note on the fields the three-way comparison kept from Pipedrive or
        wrote over a change made there, a group whole, or held back with their group
        (``edited_note``): what the PATCH sends and leaves out, exactly; counted."""
        if decided.kept:
            self.counts.edited_kept += len(decided.kept)
            self.counts.edited_rows += 1
            self.counts.edited_unknown += len(decided.kept_part(unknown=True).kept)
        self.counts.edited_both += len(decided.both)
        self.counts.edited_held += len(decided.held)
        return edited_note(decided, self.note_labels or self.field_labels)

    def _org_ref(self, org: OrgRef | None, linked: object = None,
                 person: PersonRef | None = None) -> dict[str, Any] | None:
        """``linked``: the organization id the deal has now (an upsert's), kept when the
        row's organization matches it and another by name alone. ``person``: the row's,
        telling which of several branches of one name it means (``OrgIndex.match``).
        InputError: which of several it is cannot be told."""
        if org is None:
            return None
        key = org.match_key
        persons = self.indexes.persons

        def people() -> set[int]:
            return persons.orgs_of(person.email, person.name, person.phone) \
                if persons is not None and person is not None else set()

        def named() -> set[int]:
            return persons.named_orgs(person.name) \
                if persons is not None and person is not None else set()
        if self._places is not None:
            at = self._org_at(org, key, linked, people, named)
            if at is not None:
                return at
        found = self.indexes.orgs.match(key, org.address, prefer=linked if isinstance(
            linked, int) else None, name=org.name, people=people, named=named) \
            if self.indexes.orgs is not None else None
        if found is not None:
            return {"id": found[0], "matched_by": found[1]}
        ref = self._orgs.get(key)
        if ref is not None and org.address:
            # the file's first organization of this name is at another address: another
            # organization, as OrgIndex.match reads two existing ones (x9r5: a company's
            # branches in Hamburg and München became one organization, "created")
            theirs = ((ref["body"].get("address") or {}).get("value"))
            if theirs and tf.address_match_key(theirs) != tf.address_match_key(org.address):
                key = f"{key}{AT_ADDRESS}{tf.address_match_key(org.address)}"
                ref = self._orgs.get(key)
        if ref is None:
            body: dict[str, Any] = {"name": self._org_spelling(org.name)}
            if org.address:
                body["address"] = {"value": self._new_places(org.match_key).get(
                    tf.address_match_key(org.address) or "", org.address)
                    if self._places else org.address}
            ref = {"kind": "org", "key": key, "body": body}
            self._orgs[key] = ref
            self.counts.orgs_new += 1
        return ref

    def _org_spelling(self, name: str) -> str:
        """A new organization's name as most of the file's rows naming it spell it
        (``learn_contacts``: a tie to the fullest, then mixed case, then the least in code
        point order), else as given (f57f)."""
        if not self._org_spellings:
            return name
        return self._org_spellings.get(hash(tf.org_match_key(name) or name.casefold()),
                                       name)

    def learn_places(self, rows: Iterable[SourceRow]) -> None:
        """Learn, before any row is decided, every address the file names each organization
        at: a file's new organizations of one name then come out the same in any row order
        (x24r1: `Sigma AG` with no address, then at two addresses, made one organization
        with none, both addresses lost; with the address rows first, two)."""
        self.learn_contacts(rows, persons=False)

    def learn_repeats(self, rows: Iterable[SourceRow]) -> None:
        """Learn, before any row is decided, which source keys the file gives two rows or
        more (``jobs.repeats``): a later row of such a key is then told apart as the same
        record written twice (skipped) or another (held)."""
        self.repeats.learn(self._raw_key(row.values) for row in rows)

    def learn_contacts(self, rows: Iterable[SourceRow], *, places: bool = True,
                       persons: bool = True) -> None:
        """``learn_places`` and ``learn_persons`` (those asked) from one read of ``rows``
        (issue 8: a pass each read and mapped the whole manifest again, a third of a
        load's time). On the same pass, how the rows spell each organization's name and
        address (``Forms``), and each person's name where no e-mail or phone is read: a new
        one is named by the spelling of most rows, never by its first row's (f57f: 27 of 46
        new organizations were ``ACME GmbH`` or ``Acme GmbH`` by the rows' order)."""
        found: dict[str, dict[str, str]] = {}
        org_names, org_places = Forms(), Forms()
        person_names = FileNames() if not persons else None

        def placed(rows: Iterable[SourceRow]) -> Iterator[tuple[PersonRef, OrgRef | None]]:
            for mapped in self._learnable(rows):  # each row mapped once (issue 8: twice)
                org = mapped.org
                if org is not None:
                    org_names.see(org.name, hash(key := org.match_key))
                if places and org is not None and org.address:
                    try:
                        where = tf.address_match_key(org.address)
                    except InputError:
                        where = None
                    if where:
                        found.setdefault(key, {}).setdefault(where, org.address)
                        org_places.see(org.address, hash((key, where)))
                if (person := mapped.person) is None:
                    continue
                if persons:
                    yield person, org
                elif person_names is not None:
                    person_names.spell(person.name, tf.name_match_key(person.name))
        if persons:
            self._learn_persons(placed(rows))
        else:
            for _ in placed(rows):
                pass
            if person_names is not None:
                self._spellings = SpilledTable.of(person_names.proper_names()[0])
        self._org_spellings = SpilledTable.of(org_names.proper())
        if places:
            respelled = org_places.proper()
            for key, wheres in found.items():
                for where in wheres:
                    if (proper := respelled.get(hash((key, where)))) is not None:
                        wheres[where] = proper
            self._places = found

    def learn_persons(self, rows: Iterable[SourceRow]) -> None:
        """``_learn_persons`` of each row's person (one it has) and organization, of the
        rows that do not fail on their own (``_learnable``)."""
        self._learn_persons((mapped.person, mapped.org) for mapped in self._learnable(rows)
                            if mapped.person is not None)

    def _learnable(self, rows: Iterable[SourceRow]) -> Iterator[MappedRow]:
        """``rows`` mapped as the decide maps them, without those that fail on their own
        and so send nothing (``_fails_alone``): a learning pass takes no e-mail, phone,
        name or organization address from them, for another row to send (x45r1 F1: a row
        failed on ``31/02/2026`` and the person another row made took its phone). The
        decimal marks must be decided (``learn_marks``) before: a row is mapped here, and
        kept for the decide pass in ``mapped_spill`` when one is set (a row whose mapping
        holds errors, a deactivated user or an undecided currency, is mapped again)."""
        mapper, spill = self.mapper, self.mapped_spill
        for row in rows:
            if self._undecoded_cell(row) is not None:
                continue
            try:
                mapped = mapper.map(row, defer_users=True)
                self.settled(mapped)  # (refused once its stage is read: fails on its own)
            except InputError:
                continue
            if spill is not None and not (mapped.deactivated or mapped.undecided):
                spill.put(row, mapped)
            if not self._fails_alone(row, mapped):
                yield mapped

    def _fails_alone(self, row: SourceRow, mapped: MappedRow) -> bool:
        """Whether ``_decide`` fails ``row``, which the mapping reads (``mapped``), before
        any person or organization is resolved, for what its own cells say against the
        account as indexed: a hold cell; a key an earlier import found contested (unless
        released: when only the whole file can tell, it is taken as not released); a key
        the file contests (an upsert's ``learn_contests``, once learned); a key two deals
        carry or only an archived one does (``key_problem``); a create naming a
        deactivated user or a currency no deal decides. A later row of a key is not asked
        (the learning passes read the first of each: ``results.first_of_each``)."""
        if self.hold_column is not None and held(
                row.values, self.hold_column, self._raw_key(row.values),
                typed_source=self.typed_source,
                misaligned=isinstance(row.error, MisalignedRow)) is not None:
            return True
        key = mapped.key
        if key in self._file_contests or (
                key in self.contested and not (self._fixed_by_file(key) or self.release_held
                                              or self._released_here(row))):
            return True
        deals = self.indexes.deals
        # (a stage of several pipelines on a row of no pipeline: no deal, no reading)
        marker = mapped.deal.get("stage_id")
        deferred = isinstance(marker, InDealPipeline) and marker.create is None
        if deals is None:
            return bool(mapped.deactivated or mapped.undecided or deferred)
        if (self.mode != "insert" or key in getattr(deals, "ambiguous", ())) \
                and key_problem(deals, key, unarchive=self.unarchive) is not None:
            return True
        existing = deals.get(key) if self.mode != "insert" or key in self.confirmed_keys \
            else None
        if existing is None and self.unarchive and isinstance(deals, DealsByKey):
            existing = deals.archived.get(key)
        return existing is None and bool(mapped.deactivated or mapped.undecided or deferred)

    def _learn_persons(self, contacts: Iterable[tuple[PersonRef, OrgRef | None]]) -> None:
        """Learn, before any row is decided, which e-mails and phones the file gives each
        person: the file's persons are the connected components of the rows' identities —
        every address of an e-mail cell, and a name with a phone (its last 9 digits) —
        linked by the rows giving them together, whatever their order (x27r1 1; x28r2 F1:
        ``omar@a`` alone, then ``omar.h@b; omar@a`` with a phone, then the name and phone
        made two persons, the second with no e-mail and the phone lost). A component is
        one person: a row takes the identities the file's other rows give it
        (``_file_identity``), and the person is created once, at its first row, with its
        e-mails and phones (a few of each, ``_GIVEN_SHOWN``). Held (``_file_persons``) for
        a component no single row gives whole only.

        The pass's working memory is ints (a union-find over the identities' hashes, in
        arrays) and the texts of the rows giving two identities or more, freed once
        learned."""
        # the union-find, by each identity's number (first seen first): arrays of ints,
        # 8 bytes an entry where a dict of ints took ~100 (a 1,000,000-row plan's peak);
        # the numbers themselves in a ``Numbering`` (~14 bytes an identity where a dict of
        # hash -> number took ~108: ~26 MB of a 1,000,000-row plan's peak, issue 8)
        number = Numbering()  # identity (hash) -> its number
        hashes, parent = number.keys, array("q")  # number -> its hash; its parent (a root: itself)
        given, members = array("q"), array("q")  # number -> its rows; a root's component's
        # number -> its text as first written (linked only), on disk once large (issue 8:
        # ~50 MB of a 1,000,000-row plan's peak as a dict); ``keep`` / ``text_of``
        texts = SpilledDict()

        def keep(n: int, text: str) -> None:
            if (k := str(n)) not in texts:
                texts[k] = text

        def text_of(n: int) -> str | None:
            return texts[k] if (k := str(n)) in texts else None
        at: dict[int, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}
        named_at: set[int] = set()  # the (name, organization) slots of rows giving neither
        # an address -> the first name giving it; the addresses rows of two names give (a
        # shared one, or a cell listing another's first: x14r4 F1 b) are no one's to take.
        # By the address's number: ~22 bytes an address where a dict of hash -> hash took
        # ~110 (~15 MB of a 1,000,000-row plan's peak, issue 8)
        addresses = Numbering()  # an address (its key's hash) -> its number
        named = array("q")  # the number -> the hash of the first name giving it
        shared: set[int] = set()
        # an address's number -> 1: given in a cell of several, 2: by two names or more;
        # both, no one's to take (``shared``, once the file is read: any row order)
        given_how = bytearray()
        # an address given alone -> the first identity giving it so (-1: none): the rows
        # giving one address alone are one person whatever their names (one address, one
        # person, as the account matches it: x46r4 F2), named after grouping by their most
        # frequent name (``_group_name``): the name of that first row (by the address's
        # number; on disk once many), and each identity of a row of another name giving
        # it alone -> (that first identity, its row's name), joined once every row is read
        alone = array("q")
        alone_named = SpilledDict()
        crossed: dict[int, tuple[int, str]] = {}
        names = FileNames()  # the names the file gives an address first given bare

        def root(x: int) -> int:
            while (up := parent[x]) != x:
                parent[x] = x = parent[up]  # (path halving)
            return x

        def union(a: int, b: int) -> int:
            a, b = root(a), root(b)
            if a != b:
                parent[b] = a
                members[a] += members[b]
            return a

        # a name with a phone, given beside an address: the first address's number (-1:
        # none), and the other (phone, address) pairs — joined once the file is read, and
        # only to the one person an address makes (``_join_phones``)
        attached = array("q")
        more_attached: set[tuple[int, int]] = set()

        def attach(phone: int, address: int) -> None:
            if attached[phone] < 0:
                attached[phone] = address
            elif attached[phone] != address:
                more_attached.add((phone, address))

        def numbered(h: int) -> int:
            n = number.number(h)
            if n == len(parent):  # (a new identity)
                parent.append(n)
                given.append(0)
                members.append(0)
                attached.append(-1)
            return n

        def take(person: PersonRef, org_key: str | None, named_row: bool = True) -> None:
            email = person.email
            name = tf.name_match_key(person.name)  # (once a row: issue 8, it was thrice)
            if named_row:  # its spelling tallied (a bare row writes none: ``FileNames``)
                names.spell(person.name, name)
            if not (email or person.phone):
                if org_key is not None:
                    named_at.add(hash((name, org_key)))
                return
            if org_key is not None:
                slot = hash((name, org_key))
                _, mails, numbers = at.get(slot, (name, (), ()))
                if email and len(mails) < _GIVEN_SHOWN and (not mails or tf.email_key(
                        email) not in [tf.email_key(a) for a in mails]):
                    mails = (*mails, email)
                elif not email and person.phone and len(numbers) < _GIVEN_SHOWN \
                        and person.phone not in numbers:
                    numbers = (*numbers, person.phone)
                at[slot] = (name, mails, numbers)
            ids = [(numbered(h), text) for h, text in _identities(person, name)]
            if not ids:
                return
            lone = -1
            if email:
                name_hash = hash(name)
                for a, _ in map(address_number, (email, *person.also)):
                    if named_row:  # (a bare row: named by them, ``FileNames``)
                        names.see(a, person.name, name)
                    if a == len(named):
                        named.append(name_hash)
                        given_how.append(0)
                    elif named[a] != name_hash:
                        given_how[a] |= 2
                    if person.also:
                        given_how[a] |= 1
                    elif lone < 0:
                        lone = a
            for n, _ in ids:
                given[n] += 1
            first = ids[0][0]  # (its e-mails come first)
            if lone >= 0:
                if len(alone) <= lone:  # (grown for an address given alone only)
                    alone.extend(array("q", [-1]) * (lone + 1 - len(alone)))
                if (other := alone[lone]) < 0:
                    alone[lone] = first
                    alone_named[str(lone)] = person.name
                elif other != first and first not in crossed:  # (another name's row)
                    keep(other, email or "")
                    keep(first, email or "")
                    crossed[first] = (other, person.name)
                    crossed.setdefault(other, (other, alone_named[str(lone)]))
            for n, _ in ids[1:]:
                if email and hashes[n] & 1:  # a phone given with an address: joined below
                    attach(n, first)
                else:
                    first = union(first, n)
            members[root(first)] += 1
            if len(ids) > 1:
                for n, text in ids:
                    keep(n, text)

        def address_number(address: str) -> tuple[int, int]:
            k = hash(tf.email_key(address))
            return addresses.number(k), k

        # a bare row (an address, no name: ``unnamed``) waits for every named row: it is
        # then learned under the name the file gives its cell (``FileNames``), as a row
        # naming it so — one person whatever the rows' order (x45r3 F1-F3). Kept aside as
        # plain tuples, on disk once many
        bare = SpilledDict()
        for person, org in contacts:
            org_key = org.match_key if org is not None else None
            if unnamed(person.name, person.email):
                bare[str(len(bare))] = ((person.name, person.email, person.phone,
                                         tuple(person.also), tuple(person.more_phones),
                                         person.title, tuple(person.phone_labels)), org_key)
                continue
            take(person, org_key)
        # a name the rows spell two ways or more -> its spelling (the most rows', ...): a
        # new person is named by it, never by its first row's (z55r1 F1)
        proper, respelled = names.proper_names()
        self._spellings = SpilledTable.of(proper)
        if bare:
            names.name_cells(lambda: (tuple(a for a in (fields[1], *fields[3]) if a)
                                      for fields, _ in map(bare.__getitem__, bare)),
                             lambda address: addresses.get(hash(tf.email_key(address))))
        for k in bare:
            fields, org_key = bare[k]
            person = PersonRef(*fields)
            if (file_name := names.name_for((person.email, *person.also))) is not None:
                person = person._replace(name=file_name)
            elif names.split_for((person.email, *person.also)) is not None:
                continue  # (the row fails: it lends its addresses and phone to no one)
            take(person, org_key, named_row=False)
        bare = SpilledDict()  # (the bare rows freed, on disk or not)
        shared.update(addresses.keys[a] for a, how in enumerate(given_how) if how == 3)
        addresses.clear()
        del named[:], alone[:], given_how[:]
        alone_named = SpilledDict()
        names.done()
        self._file_names = names
        contested = self._join_phones(attached, more_attached, root, union, text_of, hashes)
        # a contested phone is still the phone of each person whose address a row gives it
        # beside: kept with that address's component below (``beside``), whichever row
        # comes first (a person was made with it only when its first row gave it)
        beside = [(address, n) for n, address in itertools.chain(
            enumerate(attached), more_attached)
            if address >= 0 and root(n) in contested] if contested else []
        del attached[:]
        more_attached.clear()
        # a name at one organization given by the file with one e-mail and a phone of rows
        # without one, neither component holding the other kind: one person, as the
        # account's name+org takes a person without a phone for a row of its name and a
        # phone — whichever row comes first, made with both
        kinds = bytearray(len(hashes))  # a root -> its identities' kinds (1: phone, 2: e-mail)
        for n, h in enumerate(hashes):
            kinds[root(n)] |= 1 if h & 1 else 2
        for name, mails, numbers in at.values():
            if len(mails) != 1 or len(numbers) != 1:
                continue
            (mail, *_), phone = _identities(PersonRef(name, mails[0])), _identities(
                PersonRef(name, phone=numbers[0]))
            if not phone or (of_mail := number.get(mail[0])) is None \
                    or (of_phone := number.get(phone[0][0])) is None:
                continue
            a, b = root(of_mail), root(of_phone)
            if a == b or kinds[a] != 2 or kinds[b] != 1 or b in contested:
                continue
            keep(a, mail[1])
            keep(b, phone[0][1])
            kinds[union(a, b)] = 3
        # a name alone at an organization takes an e-mail or phone the file gives it there
        # (``_at_identity``): a row of that identity's component, giving nothing else
        for slot in named_at & at.keys():
            name, mails, numbers = at[slot]
            for h, _ in (*(_identities(PersonRef(name, m))[0] for m in mails),
                         *(i for n in numbers for i in _identities(PersonRef(name, phone=n)))):
                if (of_h := number.get(h)) is not None:
                    members[root(of_h)] += 1
        group_of = self._join_names(crossed, root, union, members,
                                    lambda name: respelled.get(name, name))
        respelled.clear()
        # read-only from here: a large table goes to disk (SpilledTable), emptied as it goes
        file_at = {slot: (mails, numbers) for slot, (_, mails, numbers) in at.items()}
        at.clear()  # (closures hold it: emptied, not unbound)
        named_at.clear()
        del kinds
        self._file_at = SpilledTable.of(file_at)
        # the components no row gives whole: one of their identities is given by fewer
        # rows than the component has
        whole = bytearray(b"\x01") * len(hashes)  # a root -> whether every row gives it whole
        for n, rows_of_n in enumerate(given):
            if rows_of_n != members[r := root(n)]:
                whole[r] = 0
        for address, _ in beside:  # (its rows without that phone take it)
            whole[root(address)] = 0
        del given[:], members[:]  # (freed now: the arrays stay bound to the closures)
        found: dict[int, tuple[list[str], list[str]]] = {}
        capped: set[int] = set()  # the components giving more than GIVEN_KEPT of a kind
        for n, h in enumerate(hashes):  # (first seen first: the file's order)
            if not whole[r := root(n)] and (written := text_of(n)) is not None \
                    and (h & 1 or hash(tf.email_key(written)) not in shared):
                kept = found.setdefault(r, ([], []))[h & 1]
                if group_of and not h & 1 \
                        and tf.email_key(written) in map(tf.email_key, kept):
                    continue  # (one address under two names' identities: once)
                if len(kept) < GIVEN_KEPT:
                    kept.append(written)
                elif r not in capped:
                    capped.add(r)
        for address, given_phone in beside:  # (after the component's own phones)
            if (written := text_of(given_phone)) is None \
                    or (r := root(address)) not in found:
                continue
            phones_of_r = found[r][1]
            if tf.phone_key(written) in map(tf.phone_key, phones_of_r):
                continue
            if len(phones_of_r) < GIVEN_KEPT:
                phones_of_r.append(written)
            elif r not in capped:
                capped.add(r)
        del whole, beside  # (texts: on disk, gone with this call)
        shared.clear()
        self.persons_capped = len(capped)
        number.clear()  # (its tables; ``hashes``, its old keys, is read below)
        held = {r: (tuple(mails), tuple(phones)) for r, (mails, phones) in found.items()}
        del found
        persons = {h: held[r] for n, h in enumerate(hashes) if (r := root(n)) in held}
        self._group_names = {h: group for n, h in enumerate(hashes)
                             if (group := group_of.get(root(n))) is not None} \
            if group_of else {}
        self._persons_learned = True
        del held, hashes[:], parent[:]
        self._file_persons = SpilledTable.of(persons)

    @staticmethod
    def _join_names(crossed: Mapping[int, tuple[int, str]], root: Callable[[int], int],
                    union: Callable[[int, int], int], members: array[int],
                    spelled: Callable[[str], str] = str) -> dict[int, str]:
        """Join the rows of several names that give one address alone (``crossed``: an
        identity -> the first identity giving that address alone, and its row's name):
        one person, whatever the names (one address, one person, as the account matches
        it). Returns each such group's root -> its name: the most frequent of its rows
        (each name's rows: its own component's, before this join), a tie to the fullest
        spelling, then the least (``most_given``) — of the set of rows, never of their
        order (x46r4 F2: the first row's name was taken, "J. Roe" of one row over "Jane
        Roe" of two). Each name as the file spells it (``spelled``: ``_spelling``, z55r1
        F1), not as its first row does."""
        if not crossed:
            return {}
        rows = {root(n): (members[root(n)], spelled(name)) for n, (_, name) in crossed.items()}
        for n, (other, _) in crossed.items():
            union(other, n)
        tallies: dict[int, dict[str, int]] = {}
        for r, (count, name) in rows.items():
            tally = tallies.setdefault(root(r), {})
            tally[name] = tally.get(name, 0) + count
        return {r: most_given(tally) for r, tally in tallies.items()}

    def _join_phones(self, attached: array[int], more: AbstractSet[tuple[int, int]],
                     root: Callable[[int], int], union: Callable[[int, int], int],
                     text_of: Callable[[int], str | None], hashes: array[int]) -> set[int]:
        """Join each name with a phone (``learn_persons``' phones' components) to the one
        person the addresses given beside it make; a phone given beside the addresses of
        two or more persons (an e-mail cell linking none of them) joins none: Pipedrive's
        importer tells persons by e-mail, and imported one by one such a row makes a person
        of its own (never one with another address: x40r2 F2, a changed address, two people
        at one switchboard number). Those phones' identities are kept with the addresses
        (``_contested``): a row giving the name and phone alone cannot tell which person it
        is. Returns the roots of those phones' components: each is still the phone of every
        person a row gives it beside, its rows without a phone too, whatever the rows'
        order (``_learn_persons``' ``beside``; f47f: jane@a.com's person had it only when
        the row giving it came first)."""
        # a phones' root -> the first address given beside it (-1: none), in an array (8
        # bytes an identity: a 1,000,000-row file gives most rows both; the addresses'
        # components are final here, their roots stay roots below); the phones given beside
        # several persons' addresses: address root -> an address of it
        first = array("q", [-1]) * len(attached)
        several: dict[int, dict[int, int]] = {}

        def see(phone: int, address: int) -> None:
            phones, mail = root(phone), root(address)
            if (had := first[phones]) < 0:
                first[phones] = address
            elif (was := root(had)) != mail:
                several.setdefault(phones, {was: had}).setdefault(mail, address)
        for phone, address in enumerate(attached):
            if address >= 0:
                see(phone, address)
        for phone, address in more:
            see(phone, address)
        for phones, address in enumerate(first):
            if address >= 0 and phones not in several:
                union(root(address), phones)
        contested = set(several)
        shown = {phones: tuple(t for a in list(of.values())[:GIVEN_KEPT]
                               if (t := text_of(a)) is not None)
                 for phones, of in several.items()}
        self._contested = {h: shown[r] for n, h in enumerate(hashes)
                           if h & 1 and (r := root(n)) in contested}
        return contested

    def _mailed_at(self, name_key: str, org: OrgRef) -> bool:
        """Whether the file gives the name an e-mail at that organization
        (``learn_persons``)."""
        return bool(self._file_at.get(hash((name_key, org.match_key)), ((),))[0])

    def _others_at(self, name: str, org_id: object, mails: Iterable[str],
                   numbers: Iterable[str]) -> list[int]:
        """The account's persons of ``name`` at organization ``org_id`` who have none of
        ``mails`` and none of ``numbers``."""
        index = self.indexes.persons
        if index is None or not isinstance(org_id, int):
            return []
        owners = {index.owner_of(a) for a in mails}
        keys = [k for k in map(tf.phone_key, numbers) if k is not None]
        return [pid for pid, phones, at in index.named(name)
                if at == org_id and pid not in owners
                and not any(tf.phones_agree(k, phones) for k in keys)]

    def _file_identity(self, person: PersonRef, org: OrgRef | None,
                       org_id: object = None) -> PersonRef:
        """``person`` as the file's rows give it (``learn_persons``): with the e-mail or
        phone the file gives its name at its organization when the row gives neither
        (``_at_identity``), then with every e-mail and phone of its component
        (``_joined``). InputError when those leave the row several persons to be."""
        if not person.email and not person.phone and org is not None and self._file_at:
            person = self._at_identity(person, org, org_id)
        return self._joined(person, org is not None, org_id, org)

    def _joined(self, person: PersonRef, at_org: bool = False,
                org_id: object = None, org: OrgRef | None = None) -> PersonRef:
        """``person`` with the e-mails and phones of its component (``learn_persons``), when
        no row gives the component whole: its own addresses first, then the component's
        others as ``also`` — a row without one takes the component's first the account
        gives a person of its name, else the file's first —; its own phone, else the
        component's first (the first whatever its own when the component has no e-mail:
        its key), the others as ``more_phones``. Every row of the component then names
        one person, found by any of its identities or created once with them all.
        ``person`` itself when the file gives it nothing more, or its only link is a phone
        that does not agree with the component's (another extension or country:
        ``tf.phones_agree``). InputError when a row without an e-mail would take
        addresses of several persons of the account of its name, or fits one of another
        address by its name and phone (``_check_switchboard``; ``at_org``: the row names
        an organization, ``org_id`` its id when the account has it)."""
        skipped: set[int] = set()  # a contested phone of a row with an e-mail: no link
        if self._contested:
            for h, _ in _identities(person):
                if (given := self._contested.get(h)) is None:
                    continue
                if person.email:  # (its own address tells it; the phone joins no one)
                    skipped.add(h)
                    continue
                raise InputError(
                    f"other rows of this file give the person {person.name!r} with this "
                    f"phone beside {len(given)} addresses of different persons "
                    f"({', '.join(given[:_GIVEN_SHOWN])}{', ...' if len(given) > _GIVEN_SHOWN else ''})"
                    " and the row gives no e-mail: add the e-mail of the person to the row")
        if not self._file_persons:
            return person
        learned = hit = None
        for hit, _ in _identities(person):
            if hit not in skipped and (learned := self._file_persons.get(hit)) is not None:
                break
        if learned is None or hit is None:
            return person
        mails, phones = learned
        if hit & 1:  # by its name and phone: only a phone that agrees with the component's
            mine = tf.phone_key(person.phone) if person.phone else None
            theirs = [k for k in map(tf.phone_key, phones) if k is not None]
            if mine is None or not tf.phones_agree(mine, theirs):
                return person
        index = self.indexes.persons
        if not person.email and mails and index is not None:
            named = {pid for pid, _, _ in index.named(person.name)}
            owned = {a: pid for a in mails if (pid := index.owner_of(a)) in named}
            if len(set(owned.values())) > 1:
                raise InputError(
                    f"other rows of this file give the person {person.name!r} e-mails of "
                    f"{len(set(owned.values()))} persons of the account of that name (ids "
                    f"{', '.join(map(str, sorted(set(owned.values()))[:5]))}) and the row "
                    "gives none: add the e-mail of the person to the row")
            if owned:
                first = next(iter(owned))
                mails = (first, *(a for a in mails if a != first))
            if org is not None and isinstance(org_id, int) and not self._mailed_at(
                    tf.name_match_key(person.name), org) and _namesake_at(
                    index, person, mails, org_id):
                # the account's person of the name and phone at the row's organization,
                # where the file gives the name no address: that person, as the row
                # imported alone finds it (``PersonIndex.match`` narrows the persons of one
                # phone by the row's organization; x45r3 F4: it failed "two persons at one
                # number" beside the file's address at another organization)
                return person
            self._check_switchboard(index, person, mails, org_id if at_org else _NO_ORG)
        own = [a for a in (person.email, *person.also) if a]
        known = {tf.email_key(a) for a in own}
        addresses = [*own, *(a for a in mails if tf.email_key(a) not in known)]
        numbers = [p for p in (person.phone, *person.more_phones) if p]
        if numbers and phones:  # (the row's own phone, written otherwise: once, its own)
            own_keys = [k for k in map(tf.phone_key, numbers) if k is not None]
            phones = tuple(p for p in phones if not _written_otherwise(p, own_keys))
        numbers = [*numbers, *phones] if mails or not numbers else [*phones, *numbers]
        distinct: dict[object, str] = {}  # (one phone written twice: once)
        for number in numbers:
            distinct.setdefault(tf.phone_key(number) or number, number)
        numbers = list(distinct.values())
        return person._replace(email=addresses[0] if addresses else None,
                               also=tuple(addresses[1:]),
                               phone=numbers[0] if numbers else None,
                               more_phones=tuple(numbers[1:]))

    @staticmethod
    def _check_switchboard(index: PersonIndex, person: PersonRef, mails: tuple[str, ...],
                           org_id: object) -> None:
        """InputError when a row of a name and phone and no e-mail, to which the file's
        other rows give ``mails``, fits by that name and phone a person of the account who
        has addresses, none of them ``mails``: two persons at one number (a switchboard),
        as ``jobs.dedupe.evidence`` tells them since x44r5 F2 and as the row imported alone
        fits both (``PersonIndex.match``: several persons have the row's phone). f44m's
        note: the row took the file's address and was linked to its person. A row naming an
        organization (``org_id``: its id, None when new in the file) is told apart from a
        person of the account at another, as ``match`` narrows the persons of one phone by
        the row's organization (x27r1 3)."""
        wanted = tf.phone_key(person.phone) if person.phone else None
        if wanted is None:
            return
        theirs: set[int] = set()  # the persons any of ``mails`` is an address of
        for address in mails:
            if (pid := index.owner_of(address)) is not None:
                theirs |= index.shared.get(tf.email_key(address), {pid})
        others = sorted(pid for pid, phones, at in index.named(person.name)
                        if pid in index.emailed and pid not in theirs
                        and tf.phones_agree(wanted, phones)
                        and (org_id is _NO_ORG or (isinstance(org_id, int) and at == org_id)))
        if others:
            raise InputError(
                f"other rows of this file give the person {person.name!r} with this phone "
                f"the address {mails[0]}{' (and more)' if len(mails) > 1 else ''}, and "
                f"{counted(len(others), 'person')} of the account of that name "
                f"{'has' if len(others) == 1 else 'have'} the phone with another address "
                f"({'id' if len(others) == 1 else 'ids'} "
                f"{', '.join(map(str, others[:5]))}): two persons at one number, and the row "
                "gives no e-mail: add the e-mail of the person to the row"
                + (", or give the person's organization" if org_id is _NO_ORG else ""))

    def _at_identity(self, person: PersonRef, org: OrgRef, org_id: object) -> PersonRef:
        """``person`` (a row with neither an e-mail nor a phone) with the e-mail or phone the
        file's rows give its name at its organization (``learn_persons``); InputError when
        they give several."""
        mails, numbers = self._file_at.get(
            hash((tf.name_match_key(person.name), org.match_key)), ((), ()))
        if not mails:  # no e-mail for the name there: the rules of a name alone (below;
            return person  # a file and its parts imported one by one agree: x24r1)
        # the phones of the name there that no e-mail of the file covers: persons too
        ones = [*mails, *(n for n in numbers
                          if not self._joined(person._replace(phone=n), True, org_id).email)]
        # the account's persons of the name at that organization that none of those is:
        # imported one by one, the row would fit them too (x14r5)
        theirs = self._others_at(person.name, org_id, mails, numbers) if ones else []
        if theirs:
            # (x28r2 F8: "several persons ... (ids 23), some made by earlier rows" of one
            # person of the account and the one a later row gives an e-mail)
            raise InputError(
                f"{counted(len(theirs), 'person')} of the account named {person.name!r} "
                f"{'is' if len(theirs) == 1 else 'are'} at the organization of the row "
                f"({'id' if len(theirs) == 1 else 'ids'} "
                + ", ".join(map(str, theirs[:5])) + "), beside the one other rows of this "
                "file give an e-mail or phone there, and the row does not say which: add an "
                "e-mail or phone of the person to the row")
        if len(ones) > 1:
            raise InputError(
                f"other rows of this file give the person {person.name!r} at this "
                f"organization {len(ones)} e-mails or phones ({', '.join(ones)}"
                f"{', ...' if len(mails) >= _GIVEN_SHOWN or len(numbers) >= _GIVEN_SHOWN else ''})"
                " and the row gives neither: add the e-mail or phone of the person to "
                "the row")
        if ones:
            return person._replace(email=ones[0]) if ones[0] in mails \
                else person._replace(phone=ones[0])
        return person

    def _new_places(self, key: str) -> dict[str, str]:
        """The addresses (match key -> as written) at which the file names organization
        ``key`` and no organization of the account matches (``OrgIndex.match``): each one is
        a new organization of this file."""
        known = self._new_at.get(key)
        if known is None:
            places = (self._places or {}).get(key, {})
            orgs = self.indexes.orgs
            known = self._new_at[key] = {where: text for where, text in places.items()
                                         if orgs is None or orgs.match(key, text) is None}
        return known

    def _org_at(self, org: OrgRef, key: str, linked: object, people: Callable[[], set[int]],
                named: Callable[[], set[int]] = set) -> dict[str, Any] | None:
        """The organization a row is at when the file makes one or more of its name (at
        addresses no organization of the account has: ``learn_places``), decided from every
        address the file names, the same in any row order; None: the account's decides
        (``OrgIndex.match``). A row with such an address: that address's new organization,
        under the name's key alone when it is the file's only new address. A row without
        an address: the one new organization when the account has none of the name; else
        the account's the deal is linked to (an upsert) or the row's person is at, as a row
        imported after the others finds it; else InputError naming them all, as a later
        file's row fails (x24r1: the file's first organization was taken silently)."""
        new = self._new_places(key)
        if not new:
            return None
        if org.address:
            where = tf.address_match_key(org.address)
            if where not in new:
                return None
            return self._new_org(org.name, key if len(new) < 2 else
                                 f"{key}{AT_ADDRESS}{where}", new[where])
        orgs = self.indexes.orgs
        ids = [oid for oid, _ in orgs.candidates.get(key, ())] if orgs is not None else []
        if not ids and len(new) == 1:
            return self._new_org(org.name, key, next(iter(new.values())))
        if isinstance(linked, int) and linked in ids:
            return {"id": linked, "matched_by": "name"}
        at = [oid for oid in ids if oid in people()] if ids else []
        if len(at) == 1:
            return {"id": at[0], "matched_by": "name+person"}
        addresses = list(new.values())
        raise InputError(
            f"{len(ids) + len(addresses)} organizations are named {org.name!r}, at different "
            "addresses ("
            + (f"ids {', '.join(map(str, ids[:5]))}{', ...' if len(ids) > 5 else ''}; "
               if ids else "")
            + "new in this file at " + ", ".join(repr(a) for a in addresses[:5])
            + (", ..." if len(addresses) > 5 else "")
            + ")" + ("" if not ids else unproven_note(ids, named))
            + ", and the row gives no address: add the organization address to the row")

    def _new_org(self, name: str, key: str, address: str | None) -> dict[str, Any]:
        """The file's new organization of ``key`` (made once, by its first row)."""
        ref = self._orgs.get(key)
        if ref is None:
            body: dict[str, Any] = {"name": self._org_spelling(name)}
            if address:
                body["address"] = {"value": address}
            ref = {"kind": "org", "key": key, "body": body}
            self._orgs[key] = ref
            self.counts.orgs_new += 1
        return ref

    def new_contact_keys(self) -> dict[str, Iterator[str]]:
        """The match keys of the persons and organizations the decided rows create, by
        kind ("person", "org"): what their claims are named by. Iterators over the
        planner's own tables (a list of a 1,000,000-row plan's new persons' keys was
        ~5 MB on top of its peak RSS, issue 8): read them before any other row is decided."""
        return {"person": iter(self._persons), "org": iter(self._orgs)}

    def _one_org(self, org: dict[str, Any] | None) -> dict[str, Any] | None:
        """``org`` as the new persons keep it: a found organization's ref is one dict per
        (id, matched_by), equal to the row's (a 1,000,000-row plan kept a fresh one per new
        person: ~30 MB of its peak, issue 8); a new organization's is one per key already."""
        if org is None or "id" not in org:
            return org
        return self._found_orgs.setdefault((org["id"], org.get("matched_by")), org)

    def _phone_persons(self, phone: tf.PhoneKey, person: PersonRef) -> list[str]:
        """This file's new persons of the row's name (any of its keys: ``tf.names_agree``,
        ``Müller`` = ``Mueller``) whose phone agrees with the row's (``tf.phones_agree``,
        each of their phones alone), as ``PersonIndex.match`` finds the account's by
        name+phone: for a row with an e-mail, only those without one."""
        def agrees(key: str) -> bool:
            name, number, _, _, more, _ = self._persons[key]
            return tf.names_agree(name, person.name) and any(
                tf.phones_agree(phone, (k,)) for k in map(tf.phone_key, (number, *more))
                if k)

        found = [k for name_key in tf.name_match_keys(person.name)
                 for k in self._person_phone.get((name_key, phone.last9))]
        return [k for k in dict.fromkeys(found)
                if (not person.email or k.startswith("n:")) and agrees(k)]

    def _made_at(self, name: str, at: tuple[str, object]) -> list[str]:
        """This file's new persons of ``name`` (any of its keys) made at organization
        ``at`` (``_org_ident``)."""
        found = [k for name_key in tf.name_match_keys(name)
                 for k in self._person_at.get((name_key, *at))]
        return [k for k in dict.fromkeys(found)
                if tf.names_agree(self._persons[k][0], name)
                and _org_ident(self._persons[k][2]) == at]

    def _also_made(self, person: PersonRef, org: Mapping[str, Any] | None,
                   how: str, found_at_org: bool = False) -> bool:
        """Whether an earlier row of this file made a person the account's match ``how``
        (name+phone, name+org) would find beside the one it found: imported row by row,
        the account would hold both, and the row would name neither (x14r5: a file linked
        "Jim Beam" at Acme to the existing one, where one import per row failed it)."""
        phone_key = tf.phone_key(person.phone) if person.phone else None
        if how == "name+phone" and phone_key:
            made = self._phone_persons(phone_key, person)
            if made and found_at_org and org is not None and isinstance(org.get("id"), int):
                # the account's person is at the row's organization: as ``match`` narrows
                # the persons of one phone by it, only the file's persons there count
                # (x45r3 F4; imported row by row the account would hold both)
                made = [k for k in made if (made_at := self._persons[k][2]) is not None
                        and made_at.get("id") == org["id"]]
            return bool(made)
        at = _org_ident(org)
        if how == "name+org" and at is not None:
            return any(not phone_key or self._phones_agree(k, phone_key)
                       for k in self._made_at(person.name, at))
        return False

    def _phones_agree(self, key: str, phone_key: tf.PhoneKey) -> bool:
        """Whether this file's new person ``key`` has no phone, or one a row's phone
        agrees with (``tf.phones_agree``)."""
        _, phone, _, _, more, _ = self._persons[key]
        theirs = [k for k in map(tf.phone_key, (phone, *more)) if k]
        return not theirs or tf.phones_agree(phone_key, theirs)

    def _email_key(self, person: PersonRef) -> str:
        """The key of a new person with an e-mail: its first address's, unless an earlier
        row's new person of this name has that address or one of the cell's others, as
        its own first or among its others (the export lists them in another order, or one
        alone: x9r3, x9r4 F3): then that one's; else, when its first address is among an
        earlier new person's others, that person's whatever its name, as a person of the
        account is found by any of its addresses (x14r2 F1: "Ann Lee" with
        ann@work.com; ann@home.com, then "Ann L." with ann@home.com, made two persons
        holding ann@home.com)."""
        key = person_email_key(person.email or "")  # (called for a row with one)
        name_of, alias = self._persons.name_of, self._person_alias
        key_made = False
        for candidate in (key, *map(person_email_key, person.also)):
            target: str | None = candidate
            name = name_of(candidate)  # (one look-up a key: issue 8)
            if candidate is key:
                key_made = name is not None
            if name is None and (target := alias.get(candidate)) is not None:
                name = name_of(target)
            if name is not None and tf.names_agree(name, person.name):
                return target  # type: ignore[return-value]
        # (a first address of a person of another name, with another address of the
        # cell this name's, goes to this name's first, as in the account: x14r4 F1 b)
        return key if key_made else alias.get(key, key)

    def _person_ref(self, person: PersonRef | None, org: dict[str, Any] | None,
                    linked: object = None,
                    mapped_org: OrgRef | None = None) -> dict[str, Any] | None:
        """``linked``: the person id the deal (upsert) is linked to now. The reference says
        (``borrowed``) the e-mails and phones the row's person takes from other rows of the
        file (``_file_identity``): succeeded.csv's note names them (f29h 5)."""
        if person is None:
            return None
        if unnamed(person.name, person.email) and self._file_names:
            cell = (person.email, *person.also)
            if file_name := self._file_names.name_for(cell):
                # a bare row is decided as a row naming its cell so (``FileNames``: learned
                # so), a name it did not give itself: no "of another name" note
                # (``_named_otherwise``)
                person = person._replace(name=_FileGiven(file_name))
            elif (why := self._file_names.split_for(cell)) is not None:
                raise InputError(why)  # (its addresses: two persons of the file, x45r10 F1)
        org_id = org.get("id") if org is not None else None
        joined = self._file_identity(person, mapped_org, org_id)
        ref = self._joined_ref(joined, org, linked, mapped_org)
        if ref is not None and "id" in ref:
            ref = self._not_added(ref, person)  # its own cells: not those of other rows
        # a new person is made with what other rows give (said); an account's person gets
        # nothing written (x48r6 F3: a linked row said its person "takes" another row's
        # phone, which that row's own note said was not added)
        if ref is not None and "id" not in ref and joined is not person \
                and (borrowed := _borrowed(person, joined)):  # itself: nothing borrowed
            self.counts.persons_borrowed += 1
            ref = {**ref, "borrowed": borrowed}
        if ref is not None and person.title:  # (never sent: the row's note names it)
            ref = {**ref, "title": person.title}
        return ref

    def _joined_ref(self, person: PersonRef, org: dict[str, Any] | None, linked: object,
                    mapped_org: OrgRef | None) -> dict[str, Any] | None:
        """``_person_ref`` of ``person`` as the file's rows give it."""
        index = self.indexes.persons
        org_id = org.get("id") if org is not None else None
        # the deal's own person, when it still fits the row by one of its identities (an
        # e-mail of the row, or its name and phone): kept, whatever else the row would find
        # (x27r1 2: a re-import of an unchanged file moved 22 of 10,000 deals between two
        # persons their rows both fit, each an updateDeal of person_id alone)
        kept = index.fits(linked, (person.email, *person.also), person.name, person.phone) \
            if index is not None and isinstance(linked, int) else None
        if kept == "name+phone" and person.email and index is not None \
                and linked in index.emailed:
            # the row's own address is not the deal's person's, who has another: the address
            # tells the person, as Pipedrive's importer does (x40r2 F2: 131 deals of rows
            # whose e-mail changed stayed on the person of the old address) — matched by it,
            # else a new person, never one with another address
            kept = None
        if kept is not None and isinstance(linked, int) and index is not None:
            if person.email and kept != "email" and linked not in index.emailed \
                    and index.owner_of(person.email) is None \
                    and self._email_key(person) not in self._persons:
                # an address no one has, on a person without one: hers for every later
                # row giving it, as when ``match`` links it (x10r4 F5)
                self._address_of_found.setdefault(
                    (tf.email_key(person.email), tf.name_match_key(person.name)),
                    (linked, kept))
            return self._found_ref(index, person, (linked, kept))
        if index is not None and person.also:
            _one_account_person(index, person)
        # the name without its title first, then the whole cell an older version named the
        # person with (x47r5 F5: an unchanged file upserted again moved its deal from
        # ``Bob Poe, VP Sales`` to a new ``Bob Poe``); the deal's person keeps it
        names = [person.name]
        if index is not None and person.title and not person.email:
            whole = [w for w in _whole_cells(person) if index.named(w)]
            mine = [w for w in whole if linked in {p for p, _, _ in index.named(w)}]
            names = [*mine, person.name, *whole]
        found = None
        if index is not None:
            for named_as in dict.fromkeys(names):
                found = index.match(person.email, named_as, person.phone,
                                    org_id if isinstance(org_id, int) else None,
                                    prefer=linked if isinstance(linked, int) else None,
                                    no_org=org is None)
                if found is not None:
                    break
        if found is not None and found[1] in ("name+phone", "name+org") \
                and found[0] != linked and self._also_made(
                    person, org, found[1], index is not None and isinstance(org_id, int)
                    and _namesake_at(index, person, (), org_id, found[0])):
            raise _which_person(person.name, "fit the row by name and "
                                + ("phone" if found[1] == "name+phone" else "organization"),
                                _settles(person))
        if found is not None and index is not None and person.email and found[1] != "email":
            # an address no one has, linked by name to a person without one: unless an
            # earlier row of this file made its address's person, or another address of
            # the cell is a person's of this name; the same for every row giving it
            if self._email_key(person) in self._persons:
                found = None
            else:
                found = self._address_of_found.setdefault(
                    (tf.email_key(person.email), tf.name_match_key(person.name)),
                    _by_other_address(index, person) or found)
        elif found is None and person.email:
            found = self._address_of_found.get((tf.email_key(person.email),
                                                tf.name_match_key(person.name)))
        if found is not None and index is not None and person.also and found[1] == "email" \
                and found[0] not in {pid for pid, _, _ in index.named(person.name)}:
            # its first address is a person's of another name, and one of its others may
            # be this name's (x10r4 F4: Carl Diaz's row listing Bob Stone's address first
            # went to Bob): that one, existing or new in this file, else the first's
            same = _by_other_address(index, person)
            if same is not None or \
                    self._email_key(person) != person_email_key(person.email or ""):
                found = same
        if found is None and index is not None:
            found = _by_other_address(index, person)
        if found is not None and index is not None:
            return self._found_ref(index, person, found)
        # one person per e-mail; without one, per name plus phone (or name alone when the
        # row has neither): never an e-mail person reached by name only (issue 9 section 7)
        name_key = tf.name_match_key(person.name)
        phone_key = tf.phone_key(person.phone) if person.phone else None
        at = _org_ident(org)
        if person.email:
            key = self._email_key(person)
        elif phone_key:
            # a number with its country code names its person by it: the same last 9
            # digits in another country are another phone (x14r2 F6), in this file and in
            # the claims other runs read; another extension is another line (x20r1 S2)
            key = f"n:{name_key}|p:{tf.phone_claim(phone_key)}"
        else:  # a name, at its organization when it has one (x17r1 S2)
            key = person_key_at(name_key, at) if at is not None else f"n:{name_key}"
        if phone_key and name_key and not (person.email and self._persons_learned) \
                and key not in self._persons:
            # an earlier row's new person of this name and phone, as PersonIndex.match finds
            # one of the account: any such person for a row without an e-mail; one without
            # an address for a row whose address no one has (x14r2 F1: "Lu Ma" with e-mail
            # and phone, then "Lu Ma" with the phone alone, made two persons). A row with an
            # e-mail of a file learned (``learn_persons``) is the person its address makes:
            # the learning joined the rows of its name and phone to it when they are one; a
            # person of the phone an earlier row made is of the row order (x46r4 F2); so
            # is a person with an address for a row without one (the learning joined them
            # when they are one: then the row has the address)
            earlier = [k for k in self._phone_persons(phone_key, person)
                       if not self._persons_learned or k.startswith("n:")]
            if len(earlier) > 1:
                raise _which_person(person.name, "have the row's phone", phone_advice(
                    phone_key, (k for e in earlier for k in map(tf.phone_key, (
                        self._persons[e][1], *self._persons[e][4])) if k is not None)))
            if earlier:
                key = earlier[0]
        if not person.email and name_key and at is not None and key not in self._persons \
                and not (phone_key and mapped_org is not None and self._mailed_at(
                    name_key, mapped_org)):
            # (a row with a phone, of a name the file gives an e-mail at that organization:
            # its earlier namesakes there are linked by what the file gives, learned from
            # every row, not by which came first: ``learn_persons``)
            there = [k for k in self._made_at(person.name, at)
                     if not phone_key or self._phones_agree(k, phone_key)]
            if len(there) > 1:
                raise _which_person(person.name, "are made at the organization of the row",
                                    _settles(person))
            if there:
                key = there[0]
        first = self._persons.get(key)
        made = first is None
        if first is None:
            # the phone the file gives beside its e-mail, when this row gives none
            # (``learn_persons``): made with it, whichever of its rows comes first
            number = person.phone
            # the first row's person is the one created; kept as a tuple, not as its body
            # (a 1,000,000-row file can name 150,000 new persons: ~1 KB each as dicts).
            # Its other addresses but those a person of the account or of this file
            # already has (x10r1 M3: two persons then held one address)
            also = tuple(a for a in person.also
                         if (index is None or index.owner_of(a) is None)
                         and person_email_key(a) not in self._persons
                         and person_email_key(a) not in self._person_alias)
            # (a row naming its person by its address alone has the name the file's rows
            # give its cell by now: ``_person_ref``, ``FileNames``, x44r9 F6)
            first = self._persons[key] = (
                self._group_name(person) or self._spelling(person.name), number,
                self._one_org(org), also, person.more_phones, tuple(person.phone_labels))
            for alt in also:  # its other addresses name it too, in this file
                self._person_alias.setdefault(person_email_key(alt), key)
            if person.email and key == person_email_key(person.email) \
                    and key[2:] != person.email:  # the key is no spelling of it (x19r4 F1)
                self._spelled[key] = person.email
            # its organization and its phones find it too, with its name under each of
            # its keys (``tf.name_match_keys``: x44r1 F3, ``Jürgen Müller`` then
            # ``Juergen Mueller`` of one phone made two persons)
            for each_key in tf.name_match_keys(person.name) if name_key else ():
                if at is not None:
                    self._person_at.add((each_key, *at), key)
                for each in (number, *person.more_phones):
                    if each and (pk := tf.phone_match_key(each)):
                        self._person_phone.add((each_key, pk), key)
            self.counts.persons_new += 1
        name, phone, first_org, also, more_phones, phone_labels = first
        labels = dict(phone_labels)
        # the first row's e-mail, as it wrote it ("e:" + its email_key)
        email = self._spelled.get(key, key[2:]) if key.startswith("e:") else None
        linked = None
        if email and self._named_otherwise(person) and _other_names(name, person.name):
            # an earlier row's new person, by an address of its cell (x20r1 S4)
            self.counts.persons_other_name += 1
            linked = name
        body: dict[str, Any] = {"name": name}
        if email:
            # every address its cell gave: a later export listing them in another order,
            # or one of them alone, finds it by e-mail (x9r4 F3)
            body["emails"] = [{"value": email, "primary": True, "label": "work"},
                              *({"value": a, "primary": False, "label": "work"} for a in also)]
        if phone:
            # each with the label its cell wrote (``PersonRef.phone_labels``: work, home,
            # mobile or other, openapi-v1.yaml addPerson; z55r1 F2), else ``work``
            body["phones"] = [{"value": phone, "primary": True,
                               "label": labels.get(phone, "work")},
                              *({"value": p, "primary": False, "label": labels.get(p, "work")}
                                for p in more_phones)]
        # a person of the account has this name: created all the same (no evidence links
        # them), and said (x24r1 F6: a second "Ann Lee" at Ann Lee's organization, silent)
        namesakes = [pid for pid, _, _ in index.named(
            name if unnamed(person.name, person.email) else person.name)][:3] \
            if index is not None and name_key else []
        if namesakes and made:
            self.counts.persons_same_name += 1
        return {"kind": "person", "key": key, "body": body, "org": first_org,
                **({"linked": linked} if linked else {}),
                **({"namesakes": namesakes} if namesakes else {})}

    def _spelling(self, name: str) -> str:
        """``name`` as the file spells it (``_spellings``: the spelling most of the rows of
        its name key write, a tie to the fullest, then mixed case, then the least), else
        as given: a new person's name is a function of the set of the file's rows, never
        of their order (z55r1 F1: the first row's ``rosa moreau`` over 7 rows' ``Rosa
        Moreau``)."""
        if not self._spellings:
            return name
        return self._spellings.get(hash(tf.name_match_key(name)), name)

    def _group_name(self, person: PersonRef) -> str | None:
        """The name of the file's group of rows of several names ``person`` (as the file
        gives it: ``_joined``) is one of (``_learn_persons``), else None; None too when it
        is the row's own name (then as the row spells it: ``ANN  LEE`` of ``Ann Lee``)."""
        if not self._group_names:
            return None
        for h, _ in _identities(person):
            if (name := self._group_names.get(h)) is not None:
                return None if tf.names_agree(name, person.name) else name
        return None

    def _found_ref(self, index: PersonIndex, person: PersonRef,
                   found: tuple[int, str]) -> dict[str, Any]:
        """The reference to the account's person ``found`` (id, matched_by), noted when it
        is linked by e-mail under another name."""
        self.counts.persons_found += 1
        ref: dict[str, Any] = {"id": found[0], "matched_by": found[1]}
        if self._named_otherwise(person) \
                and found[0] not in {p for p, _, _ in index.named(person.name)} \
                and _other_names(self._account_name(index, found[0]), person.name):
            self.counts.persons_other_name += 1
            ref["linked"] = self._account_name(index, found[0])
        return ref

    def _not_added(self, ref: dict[str, Any], own: PersonRef) -> dict[str, Any]:
        """``ref`` (to the account's person ``ref["id"]``) with ``not_added``: the e-mails
        no person has and the phones that person has none of (``PersonIndex.lacks``: an
        address in any case, a phone by its digits, ``tf.phones_agree``) among the row's own
        cells ``own`` — not those it takes from other rows of the file (``_borrowed``) —,
        each value once a person: the first row giving it says it (x47r3 F3: a later file's
        phone for a person an earlier file made with an e-mail alone was dropped, unsaid;
        x47r10 F4: 4 rows said so where 2 gave a value the person lacked). The import writes
        deals, not persons, so none is added; the row is counted
        (``persons_not_added``)."""
        index, pid = self.indexes.persons, ref.get("id")
        if index is None or not isinstance(pid, int):
            return ref
        said_emails, said_phones = self._not_added_said.setdefault(pid, (set(), []))
        lacking = []
        for email in index.lacks(pid, (own.email, *own.also), ()):
            if (key := tf.email_key(email)) not in said_emails:
                said_emails.add(key)
                lacking.append(f"e-mail {email}")
        for phone in index.lacks(pid, (), (own.phone, *own.more_phones)):
            number = tf.phone_key(phone)
            if number is not None and not tf.phones_agree(number, said_phones):
                said_phones.append(number)
                lacking.append(f"phone {phone}")
        if not lacking:
            return ref
        self.counts.persons_not_added += 1
        return {**ref, "not_added": lacking}

    @staticmethod
    def _named_otherwise(person: PersonRef) -> bool:
        """Whether the row gives its person a name of its own (not its e-mail, as a row
        with no name and no display name is named) and an e-mail: a person of another
        name linked by that e-mail is then noted (x20r1 S4: ``Bob Roe`` linked to the new
        ``Ann Lee`` by her second address said ``created``)."""
        return bool(person.email) and bool(person.name) and person.name != person.email \
            and not isinstance(person.name, _FileGiven)

    def _account_name(self, index: PersonIndex, pid: int) -> str:
        """The name of the account's person ``pid`` as Pipedrive holds it
        (``PersonIndex.names``; x35r1 5: the case-folded ``by_name`` key was shown),
        "(no name)" when it has none."""
        return index.names.get(pid) or "(no name)"


def _whole_cells(person: PersonRef) -> list[str]:
    """The name cells a person whose job title was cut (``tf.name_and_title``) was
    written as, which an older version took whole for its name: ``Bob Poe, VP Sales``,
    ``Bob Poe / VP Sales``, ``田中太郎、営業部長`` (its spacing aside: ``name_match_key``)."""
    if not person.title:
        return []
    return [f"{person.name}{mark}{person.title}" for mark in (", ", " / ", "\u3001")]


class _FileGiven(str):
    """The name other rows of the file give a bare row's address (``FileNames``): the row
    is decided under it, but it named no one itself, so it is never "linked by e-mail to a
    person of another name" (x45r10: a bare ``cy@x.com`` of the account's ``Cy Ode`` was
    counted so under the file's ``Cyril Ray``)."""

    __slots__ = ()


# a pure function of two names, asked for nearly every row that names a person: remembered
# (issue 8: ~10 µs a row, the same few pairs again and again)
@functools.lru_cache(maxsize=4096)
def _other_names(theirs: str, mine: str | None) -> bool:
    """Whether a linked person's name and a row's name are other names: neither is the
    other or a short form of it (``_name_words``: each word of the shorter is a word of
    the longer, or its initial or a beginning of it, in any order). ``Zoë`` or ``Z. Smith``
    linked to ``Zoë Smith``, ``Ra, Lou`` to ``Dr. Lou Ra`` are one name written two ways,
    not worth a note on every such row (the demo's export has hundreds); ``Kim Two``
    linked to ``Kim One`` is another (x23r1 F2: a shared first name hid it, in the account
    and in the file alike)."""
    if not mine:
        return False
    a, b = _name_words(theirs), _name_words(mine)
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    left = list(long)
    for exact in (True, False):
        for word in list(short):
            hit = next((w for w in left if w == word or (
                not exact and (w.startswith(word) or word.startswith(w)))), None)
            if hit is not None:
                left.remove(hit)
                short.remove(word)
    return bool(short)


# titles and suffixes written beside a name: not words of it when two names are compared
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "herr", "frau",
                     "mme", "mlle", "jr", "sr"})
_WORD = re.compile(r"\w+(?:'\w+)*")


def _written_otherwise(phone: str, own: Iterable[tf.PhoneKey]) -> bool:
    """Whether ``phone`` is one of ``own`` written otherwise: the same last 9 digits and
    extension, no two country codes that differ (``030 / 5047199`` of ``+49 30 5047199``)."""
    key = tf.phone_key(phone)
    return key is not None and any(
        k.last9 == key.last9 and k.ext == key.ext
        and (k.country is None or key.country is None or k.country == key.country)
        for k in own)


def _borrowed(own: PersonRef, joined: PersonRef) -> list[str]:
    """The e-mails and phones of ``joined`` (the row's person as the file gives it) that the
    row's own cells (``own``) do not give, as written."""
    mine = {tf.email_key(a) for a in (own.email, *own.also) if a}
    numbers = {tf.phone_key(p) or p for p in (own.phone, *own.more_phones) if p}
    return [*(a for a in (joined.email, *joined.also) if a and tf.email_key(a) not in mine),
            *(p for p in (joined.phone, *joined.more_phones)
              if p and (tf.phone_key(p) or p) not in numbers)]


def _name_words(name: str) -> list[str]:
    """The words of a name's match key, punctuation, titles and suffixes aside."""
    return [w for w in _WORD.findall(tf.name_match_key(name)) if w not in _TITLES]


_V = TypeVar("_V")
_Learned = dict[int, _V] | SpilledTable[_V]  # a learning pass's table (``learn_persons``)
_GIVEN_SHOWN = 3  # the distinct e-mails (and phones) of a name at an organization named
# the e-mails (and phones) a person of the file is made with, at most (learn_persons): ours,
# not Pipedrive's (addPerson's emails and phones have no maxItems, openapi-v2); beyond, the
# plan says so (``RowPlanner.persons_capped``). Before f29h 5 it was _GIVEN_SHOWN: a 4th
# address of a person's rows was dropped, unsaid
GIVEN_KEPT = 20
_NewPerson = tuple[str, str | None, dict[str, Any] | None, tuple[str, ...], tuple[str, ...],
                   tuple[tuple[str, str], ...]]
_FIELD, _ITEM, _PAIR = "\x1f", "\x1e", "\x1d"  # control characters no cleaned cell keeps


def _label_pair(packed: str) -> tuple[str, str]:
    phone, _, label = packed.partition(_PAIR)
    return phone, label


class _NewPersons:
    """This file's new persons by key: (name, phone, org ref, its cell's other addresses,
    its other phones, the labels its phone cell wrote: ``PersonRef.phone_labels``) as the
    first row that named each gave them — held as one string of
    the five texts (with the org ref beside it in a pair when there is one), unpacked on
    each read. A tuple of five with two more strings was ~200 bytes a person; packed, ~130
    (~10 MB of a 1,000,000-row plan's ~150,000 new persons, issue 8). A text holding a
    separator is kept as the tuple itself. From ``learned.SPILL_AT`` persons they are held
    on disk (``SpilledDict``: ~25 MB of that plan's peak); an org ref read from there is
    an equal copy."""

    __slots__ = ("_d", "_last")

    def __init__(self) -> None:
        self._d = SpilledDict()
        # the last key read and what it held: a row reads its person's key twice
        # (``_email_key``, then its entry), one look-up (a SQLite query once spilled)
        self._last: tuple[str, Any] | None = None

    def __contains__(self, key: object) -> bool:
        return key in self._d

    def __iter__(self) -> Iterator[str]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __setitem__(self, key: str, person: _NewPerson) -> None:
        self._last = None
        name, phone, org, also, more, labels = person
        texts = (name, phone or "", _ITEM.join(also), _ITEM.join(more),
                 _ITEM.join(_PAIR.join(pair) for pair in labels))
        if any(_FIELD in t or _ITEM in t for t in texts[:4]) \
                or any(_PAIR in t or _ITEM in t or _FIELD in t for pair in labels for t in pair) \
                or (phone is not None and not phone) \
                or "" in also or "" in more:  # (an empty text would not read back)
            self._d[key] = person
            return
        packed = _FIELD.join(texts).rstrip(_FIELD)
        self._d[key] = packed if org is None else (packed, org)

    def _held(self, key: str) -> Any:
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        held = self._d.get(key)
        self._last = (key, held)
        return held

    def __getitem__(self, key: str) -> _NewPerson:
        return self._unpacked(self._d[key])

    @staticmethod
    def _unpacked(held: Any) -> _NewPerson:
        if type(held) is str:
            packed, org = held, None
        elif len(held) == 2:
            packed, org = held
        else:
            return held  # type: ignore[no-any-return]
        name, phone, also, more, labels = (*packed.split(_FIELD), "", "", "", "")[:5]
        return (name, phone or None, org, tuple(also.split(_ITEM)) if also else (),
                tuple(more.split(_ITEM)) if more else (),
                tuple(_label_pair(pair) for pair in labels.split(_ITEM)) if labels else ())

    def get(self, key: str) -> _NewPerson | None:
        held = self._held(key)  # (one look-up: a SQLite query once spilled)
        return None if held is None else self._unpacked(held)

    def name_of(self, key: str) -> str | None:
        """The name of the person of ``key`` (None: no such person), the rest not unpacked."""
        held = self._held(key)
        if held is None:
            return None
        if type(held) is str:
            return held.partition(_FIELD)[0]
        return held[0].partition(_FIELD)[0] if len(held) == 2 else held[0]  # type: ignore[no-any-return]


class _HashedIndex:
    """This file's new persons' keys by a few text parts, held by the parts' hash alone:
    ``get`` returns every key added under parts of that hash, and the caller checks each
    against what ``_persons`` holds (a collision costs a check, never a match). A single
    key is held as itself, a list only from the second.

    Joined into strings, the parts were ~90 bytes a person in each of two such indexes,
    with a (key, country) tuple beside each phone: ~20 MB of a 1,000,000-row plan's peak
    (~150,000 new persons, issue 8); a small int is 28 bytes."""

    __slots__ = ("_d",)

    def __init__(self) -> None:
        self._d: dict[int, str | list[str]] = {}

    @staticmethod
    def slot(parts: tuple[object, ...]) -> int:
        """The dict key of ``parts``: their hash below 2**30 (Python's smallest int)."""
        return hash(parts) & 0x3FFF_FFFF

    def add(self, parts: tuple[object, ...], key: str) -> None:
        h = self.slot(parts)
        had = self._d.get(h)
        if had is None:
            self._d[h] = key
        elif type(had) is list:
            if key not in had:
                had.append(key)
        elif had != key:
            self._d[h] = [had, key]  # type: ignore[list-item]

    def get(self, parts: tuple[object, ...]) -> list[str]:
        had = self._d.get(self.slot(parts))
        if had is None:
            return []
        return list(had) if type(had) is list else [had]  # type: ignore[list-item]


def _identities(person: PersonRef, name: str | None = None) -> list[tuple[int, str]]:
    """A row's person's identities as ``learn_persons`` links them, each (its hash, its
    text), distinct, in the row's order: its name with every address of its e-mail cell
    (an even hash), then its name with each phone (an odd hash; by the phone's last 9
    digits; none without a name). An address links the rows of its name only: a cell
    listing a person of another name's address keeps the rules of ``_email_key``
    (x10r4 F4, x14r2 F1). ``name``: the person's ``name_match_key``, when the caller has it."""
    ids: dict[int, str] = {}
    if name is None:
        name = tf.name_match_key(person.name)
    for address in (person.email, *person.also):
        if address:
            ids.setdefault(hash(("e", name, tf.email_key(address))) & ~1, address)
    for phone in (person.phone, *person.more_phones) if name else ():
        if phone and (key := tf.phone_key(phone)) is not None:
            ids.setdefault(hash(("p", name, key.last9)) | 1, phone)
    return list(ids.items())


_NO_ORG = object()  # (``_check_switchboard``: the row names no organization)


def _namesake_at(index: PersonIndex, person: PersonRef, mails: Iterable[str], org_id: int,
                 pid: int | None = None) -> bool:
    """Whether the account has a person of the row's name at organization ``org_id``
    whose phone agrees with the row's (``pid``: that one), who has none of ``mails``."""
    wanted = tf.phone_key(person.phone) if person.phone else None
    if wanted is None:
        return False
    owners = {index.owner_of(a) for a in mails}
    return any(at == org_id and p not in owners and (pid is None or p == pid)
               and tf.phones_agree(wanted, phones)
               for p, phones, at in index.named(person.name))


def _which_person(name: str, where: str, fix: str) -> InputError:
    """A row that fits several persons of ``name`` some of whom this file makes."""
    return InputError(f"several persons named {name!r} {where}, some made by other rows "
                      f"of this file, and the row does not say which: {fix} to the row")


def _settles(person: PersonRef) -> str:
    """What the row could add to tell which of several persons it is: what it lacks (an
    e-mail; a phone too when it has none), never what it already has (x27r1 3: a row with
    the phone was told to add one)."""
    return "add an e-mail of the person" if person.phone \
        else "add an e-mail or phone of the person"


def _org_ident(org: Mapping[str, Any] | None) -> tuple[str, object] | None:
    """A row's organization as ``_person_at`` names it: its id when found, its key when
    this file makes it; None without one."""
    if org is None:
        return None
    if isinstance(org.get("id"), int):
        return ("id", org["id"])
    return ("key", org["key"]) if org.get("key") is not None else None


def _one_account_person(index: PersonIndex, person: PersonRef) -> None:
    """InputError (nothing sent for the row) when the row's addresses are two or more
    different persons' of the account and its name is not one of theirs alone: which is
    it? (x46r4 F1: a bare ``jane@roe.com; jr@new.com`` the import failed by the file's
    names went to jane@roe.com's person on ``retry``, which reads no file.) The same in
    an import, a retry and a resume: the lookups the index holds, no call. A row whose
    other addresses are no one's, or a shared one (info@: ``PersonIndex._owner``), is
    left to ``PersonIndex.match``; a named row whose name is one of the persons' alone
    is that person (x10r4 F4)."""
    owners: dict[int, str] = {}  # person id → the first of the row's addresses it has
    for address in (person.email, *person.also):
        if address and tf.email_key(address) not in index.shared \
                and (pid := index.owner_of(address)) is not None:
            owners.setdefault(pid, address)
    if len(owners) < 2:
        return
    named = set() if unnamed(person.name, person.email) else \
        {pid for pid, _, _ in index.named(person.name)} & owners.keys()
    if len(named) == 1:
        return
    them = "; ".join(f"{address} is person {pid} {index.names.get(pid) or '(no name)'!r}"
                     for pid, address in owners.items())
    said = "the row gives no name" if unnamed(person.name, person.email) else \
        f"none of them is named {person.name!r}" if not named else \
        f"{len(named)} of them are named {person.name!r}"
    raise InputError(f"the row's addresses are {len(owners)} different persons' of the "
                     f"account and {said} ({them}): which is it? Give the row its "
                     "person's name, or that person's addresses alone")


def _by_other_address(index: PersonIndex, person: PersonRef) -> tuple[int, str] | None:
    """The existing person one of the row's other addresses (``PersonRef.also``) belongs
    to, when that person has the row's name too: an export that lists a person's
    addresses in another order finds the person its first import created (x9r3: a
    second "Dana Fox"). A shared address (info@) of a person of another name links
    nothing."""
    if not person.also:  # no other address (most rows): no name key, no look-up (issue 8)
        return None
    named = {pid for pid, _, _ in index.named(person.name)}
    for alt in person.also:
        pid = index.owner_of(alt)
        if pid is not None and pid in named:
            return pid, "email"
    return None



# a person / organization read by id (getPerson: 1 token) against a list of 100 by ids
# (getPersons?ids=: 10 tokens): read together from this many on (FACTS.md, token costs)
_BY_IDS_FROM = 10


async def listed_since(ctx: CallContext, indexes: Indexes) -> None:
    """The persons / organizations the indexed deals link to that the person /
    organization index does not list and whose ids are above every id it lists: created
    after its listing had passed them (a colleague who adds a person and links a deal to
    it while the import reads the account; the deals are read alongside), read by id and
    added to the index when live — they are not deleted contacts (``_deleted``: the row's
    cells resolved again, the colleague's new link overwritten; f36a 5). A deleted
    contact's id is below the ids listed after it, so a deal that still names one costs
    nothing here; the rare one above them costs 1 token (``getPerson`` /
    ``getOrganization``; 10 a 100 by ``ids`` from ``_BY_IDS_FROM`` on). A 404, or a record
    marked deleted, stays unlisted."""
    deals = indexes.deals
    if not deals:
        return
    linked = [*deals.values(), *getattr(deals, "archived", {}).values()]
    for field, index, one, many in (
            ("person_id", indexes.persons, "getPerson", "getPersons"),
            ("org_id", indexes.orgs, "getOrganization", "getOrganizations")):
        if index is None:
            continue
        top = max(index.ids, default=0)
        ids = sorted({rid for deal in linked if isinstance(rid := deal.get(field), int)
                      and rid > top and rid not in index.ids})
        found: list[Mapping[str, Any]] = []
        if len(ids) >= _BY_IDS_FROM:
            for start in range(0, len(ids), 100):
                page = await ctx.call(many, params={"ids": ids[start:start + 100],
                                                    "limit": 100})
                found.extend(page.data or ())
        else:
            for rid in ids:
                try:
                    found.append((await ctx.call(one, path={"id": rid})).data or {})
                except (NotFound, Gone):
                    continue
        for record in found:
            if isinstance(record.get("id"), int) and record.get("is_deleted") is not True \
                    and record.get("active_flag") is not False:
                index.add(record)


__all__ = ["MATCH_COLUMNS", "PLACEHOLDER_CODE", "ImportSettings", "Indexes", "KeySet", "Mode",
           "RowCounts", "RowPlanner", "UnseenPaths", "check_columns", "effective_header",
           "file_sha", "matched_by", "source_row", "stored_row"]
