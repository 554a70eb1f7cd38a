"""What an import job stores about itself and its rows, apart from deciding them.

``ImportSettings`` (what the job was started with), ``RowCounts`` (what the rows come
to: the plan and the summary), ``Indexes`` (what the rows are matched against),
``stored_row`` / ``source_row`` (an item keeps its manifest row so a retry rebuilds it
exactly) and ``matched_by`` (succeeded.csv's audit of each link). Moved out of
``jobs.import_rows`` (issue 8), which still re-exports every name. It reads no account.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from bulk.errors import ConfigError, InputError
from bulk.manifest import Format, SourceRow
from bulk.manifest_json import PathRow
from bulk.manifest_row import MisalignedRow
from bulk.manifest_stamp import absolute

from . import setting_checks as checks
from . import transforms as tf
from .account import OrgIndex, PersonIndex

Mode = Literal["insert", "upsert"]
PLACEHOLDER_CODE = "0" * 40  # the key field's code in a plan, when the import would create it
# a failed row's ``payload["own"]``: why the row failed on its own cells, so that a retry
# with the same mapping knows, reading nothing, that it fails again (x44r7 F2): OWN_CELL,
# the mapping's reading of a cell refused it (an amount, a date, an ambiguous number: any
# reason, judged with the column's readers); OWN_ROW, the row itself was refused before any
# field was read (more or fewer cells than the header, a header line, a byte shown \\xNN)
OWN_CELL = "cell"
OWN_ROW = "row"
# OWN_VALUE: a cell refused by fields that all parse it without the account (a custom number
# field's 'abc', a bad e-mail), judged at the load with the catalog's types (jobs.own_cells)
OWN_VALUE = "value"


@dataclass(frozen=True)
class ImportSettings:
    """What an import job is started with (stored in the job's config, read by a resume).

    ``manifest`` / ``mapping``: the files (stored absolute); ``mode``: "insert" (a row
    whose source key a deal carries is left alone: "exists") or "upsert" (that deal is
    updated); ``create_key_field``: create the source-key deal field when the account
    lacks it; ``format`` ("csv", "jsonl", "json", "xlsx"; None: from the file),
    ``delimiter`` (one character; None: sniffed), ``encoding`` (None: detected),
    ``sheet`` (XLSX; None: the first), ``header_row`` (1 or more; None: found);
    ``unarchive`` (upsert: a key on an archived deal unarchives and updates it);
    ``release_held`` (rows with a contested key are imported); ``look_for_keys`` (insert:
    the deals that carry a key are listed whatever the account's size, not only within
    ``import_load.KEY_LIST_SHARE`` of the job's creates); ``keys_as_given`` (every key is
    the record it names: a row to create whose key a deal carries, or another row gives, in
    another spelling — leading zeros, a Salesforce id's other length — is created, not
    refused: ``jobs.similar_keys``); ``copy_own_deals`` (a file that looks like this
    account's own export, its ids naming live deals of the same titles, is imported all
    the same, a copy of each deal made: ``jobs.own_export``; else refused). Raises ``ConfigError``
    (an ``InputError``) naming the field and what it takes when built with a value
    outside these (x25r3 F1: ``mode="UPSERT"`` updated nothing)."""

    manifest: str
    mapping: str
    mode: Mode
    create_key_field: bool = False
    format: Format | None = None
    delimiter: str | None = None
    encoding: str | None = None  # None: detected (bulk.manifest.detect_encoding)
    sheet: str | None = None  # XLSX: None is the first sheet
    header_row: int | None = None  # CSV / XLSX: the header's line or Excel row (None: found)
    unarchive: bool = False  # upsert: a key on an archived deal unarchives and updates it
    release_held: bool = False  # rows with a contested key (bulk.contested) are imported
    look_for_keys: bool = False  # insert: list the keyed deals however many there are
    keys_as_given: bool = False  # another spelling of a key is another record (not refused)
    copy_own_deals: bool = False  # this account's own export imported all the same (copies)

    def __post_init__(self) -> None:
        owner = "ImportSettings"
        for name in ("manifest", "mapping"):
            if not isinstance(getattr(self, name), str | os.PathLike):
                raise ConfigError(f"{owner}({name}=...) must be a path, not "
                                  f"{getattr(self, name)!r}")
        checks.one_of(owner, "mode", self.mode, get_args(Mode))
        checks.one_of(owner, "format", self.format, get_args(Format), optional=True)
        for name in ("create_key_field", "unarchive", "release_held", "look_for_keys",
                     "keys_as_given", "copy_own_deals"):
            checks.flag(owner, name, getattr(self, name))
        for name in ("delimiter", "encoding", "sheet"):
            checks.text(owner, name, getattr(self, name))
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise ConfigError(f"{owner}(delimiter=...) must be one character or None, "
                              f"not {self.delimiter!r}")
        checks.whole(owner, "header_row", self.header_row, least=1, optional=True)
        # stored absolute whatever the caller gave (x23r4 F1: a library job made with
        # "deals.csv" and resumed from another folder read that folder's deals.csv)
        object.__setattr__(self, "manifest", absolute(self.manifest))
        object.__setattr__(self, "mapping", absolute(self.mapping))

    def to_json(self) -> dict[str, Any]:
        """The settings as the job's config stores them (``from_json`` reads them back)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ImportSettings:
        return cls(**data)  # (a job stored before look_for_keys: its default)


def file_sha(path: str | Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass
class RowCounts:
    """What the rows come to (the plan and the summary read these)."""

    rows: int = 0
    bad: int = 0
    create: int = 0
    update: int = 0
    unchanged: int = 0
    exists: int = 0  # insert rows whose key a deal carries (a re-import: never created)
    exists_archived: int = 0  # of those, rows whose key only an archived deal carries
    # rows with an earlier row's key, writing the same deal: skipped (``jobs.repeats``)
    duplicates: int = 0
    # ... of them, an insert's rows that name another person than the row writing the deal
    # (a second contact of one deal: not linked), and the first few of their rows (x49r5
    # F1: the plan counted them with the copies, the persons' fate in succeeded.csv only)
    duplicates_other_contact: int = 0
    duplicates_other_contact_rows: list[int] = field(default_factory=list)
    persons_new: int = 0
    orgs_new: int = 0
    persons_found: int = 0  # rows whose person was found in the account
    # rows linked by e-mail to a person (existing, or an earlier row's new one) whose name
    # is not the row's (x20r1 S4: succeeded.csv said "created", hiding it)
    persons_other_name: int = 0
    # new persons a person of the account has the name of (x24r1 F6: possible duplicates)
    persons_same_name: int = 0
    # rows whose person takes an e-mail or phone from other rows of the file (learn_persons'
    # one person of a contact): succeeded.csv's note names them (f29h 5)
    persons_borrowed: int = 0
    # rows linked to an existing person who lacks an e-mail or phone the row gives: not
    # added (the import writes deals, not persons); the row's note names them (x47r3 F3)
    persons_not_added: int = 0
    # upsert deals moving to a new person: the row's e-mail matches no person, the deal's
    # person has the row's name and phone and another address (x40r5 F4: the plan said
    # only "person_id"; the plan and succeeded.csv's note say it)
    persons_moved: int = 0
    # ... of them, those whose person had the row's name and phone (x41r2: every move is
    # said, the address change where it is likely)
    persons_moved_alike: int = 0
    # upsert deals moved to another pipeline, and won / lost deals reopened: the plan says
    # how many, as an update's does (x51r10 F1, F2: 7 deals moved, the plan said nothing)
    moved_pipeline: int = 0
    reopened: int = 0
    orgs_found: int = 0
    # rows whose organization was found under another legal form (``Inc.`` / ``Corp``): the
    # plan counts them, succeeded.csv's org_matched_by says it (f29h 6)
    orgs_other_form: int = 0
    # rows whose organization was found only under another spelling folded alike
    # (``Mueller`` / ``Müller``: OrgIndex.spelling_rank): counted and said the same way
    orgs_other_spelling: int = 0
    # upsert creates whose key a listed deal carries but for case (keys keep their case):
    # the plan counts them, succeeded.csv's note names the deal
    keys_other_case: int = 0
    # upsert updates whose title and every contact (organization, person) the row gives
    # would change: another source's record of the same key? The plan names the first
    # rows (x42r1 F2)
    keys_other_deal: int = 0
    keys_other_deal_rows: list[int] = field(default_factory=list)
    bad_examples: list[str] = field(default_factory=list)
    # deals made (or set) won / lost with no won / lost / close time: Pipedrive dates them
    # the moment they are sent (x24r1 1; the plan says so)
    closed_undated: int = 0
    # upsert rows whose key is on a deal a merge made here took the key's own deal into (it
    # had no key of its own and took this one): the row writes that survivor, said on the
    # row and in the plan (``RowPlanner.survivor_notes``; x29r3 F4)
    survivors: int = 0
    # deals per field an upsert's update gives a new value, custom fields by name, the
    # relinked person / organization as person_id / org_id (the plan's; x20r2 F6)
    fields: Counter[str] = field(default_factory=Counter)
    # upsert: the fields changed in Pipedrive since this state folder last wrote them, the
    # file not: kept, not sent (and the rows having one); the fields changed on both sides:
    # the file's written (``jobs.last_written``; x31r1 F1); the fields the file changed and
    # that were not sent, their group's status changed in Pipedrive (x34r1 F2)
    edited_kept: int = 0
    edited_rows: int = 0
    edited_both: int = 0
    edited_held: int = 0
    # of ``edited_kept``, those kept only because their base is not known (deeper than
    # the record keeps: ``last_written.ThreeWay.unknown``; x52r5 F2)
    edited_unknown: int = 0

    def to_json(self) -> dict[str, Any]:
        """The counts summary.json's ``load`` shows (the three-way's ``edited_*`` when not 0)."""
        return {k: v for k, v in asdict(self).items() if k not in (
            "bad_examples", "fields", "closed_undated", "persons_borrowed", "persons_moved",
            "persons_moved_alike", "moved_pipeline", "reopened", "orgs_other_form", "orgs_other_spelling",
            "survivors", "keys_other_case", "keys_other_deal", "keys_other_deal_rows",
            "duplicates_other_contact_rows")
            and not ((k.startswith("edited_") or k in ("persons_not_added",
                                                        "duplicates_other_contact")) and not v)}


@dataclass
class Indexes:
    persons: PersonIndex | None = None
    orgs: OrgIndex | None = None
    deals: dict[str, dict[str, Any]] | None = None
    listed: dict[str, int] = field(default_factory=dict)  # what was listed: deals, persons...


MATCH_COLUMNS = ("person_matched_by", "org_matched_by")
# the name of the person a row is linked to by e-mail when it is not the row's (the ref's
# ``linked``): succeeded.csv's note names it (``linked_note``)
LINKED = "linked_person"
# a new person's name and the ids of the account's persons of that name ("Ann Lee|12"):
# succeeded.csv's note says it may be a duplicate (x24r1 F6)
NAMESAKES = "namesake_persons"
# the e-mails and phones a row's person takes from other rows of the file, as written
# ("m2@a.com, +13787593700"): succeeded.csv's note names them (f29h 5)
BORROWED = "borrowed_contacts"
# the job title the row's name cell gives after a comma (``Jane Roe, VP Sales``), sent
# nowhere: Pipedrive's API v2 addPerson / updatePerson take no job title (openapi-v2.yaml:
# ``job_title`` is only read, with contact sync on); succeeded.csv's note names it (f47f)
TITLE_NOT_SENT = "job_title_not_sent"
# the id of the person a deal leaves for a new person of the row's e-mail (x40r5 F4,
# x41r2): succeeded.csv's note says it; and whether that person has the row's name and
# phone and another address (an address change likely)
MOVED = "moved_from_person"
# the e-mails and phones a row gives that the existing person it is linked to lacks, not
# added ("phone +44 20 7946 0958"): succeeded.csv's note names them (x47r3 F3)
NOT_ADDED = "contacts_not_added"
MOVED_ALIKE = "moved_alike"
# a new organization's key when the file names its name at a second address: the name's
# match key, this, and the address's match key (match keys have no "@": punctuation is
# dropped); ``import_resolve`` answers it with an organization of that name and address
AT_ADDRESS = " @ "


def matched_by(payload: Mapping[str, Any]) -> dict[str, str]:
    """succeeded.csv's audit of each link: ``email``, ``name+deal``, ``name+phone``, ``name+org``,
    ``name+address``, ``name``, ``name+person`` (an existing record) or ``created`` (by this import)."""
    out: dict[str, str] = {}
    for name, column in (("person", "person_matched_by"), ("org", "org_matched_by")):
        ref = payload.get(name)
        if isinstance(ref, Mapping):
            out[column] = str(ref.get("matched_by") or "") if "id" in ref else "created"
            if name == "org" and ref.get("form"):
                out[column] += f", legal form differs ({ref['form']})"
            if name == "org" and ref.get("spelled"):
                out[column] += f", spelled {ref['spelled']} in Pipedrive"
            if name == "person" and ref.get("linked"):
                out[LINKED] = str(ref["linked"])
            if name == "person" and ref.get("borrowed"):
                out[BORROWED] = ", ".join(map(str, ref["borrowed"]))
            if name == "person" and "id" in ref and ref.get("not_added"):
                out[NOT_ADDED] = ", ".join(map(str, ref["not_added"]))
            if name == "person" and ref.get("title"):
                out[TITLE_NOT_SENT] = str(ref["title"])
            if name == "person" and "id" not in ref and ref.get("moved_from"):
                out[MOVED] = str(ref["moved_from"])
                if ref.get("moved_alike"):
                    out[MOVED_ALIKE] = "yes"
            if name == "person" and "id" not in ref and ref.get("namesakes"):
                out[NAMESAKES] = f"{ref['body'].get('name')}|" + ",".join(
                    map(str, ref["namesakes"]))
    # an update's link that stays as it is is not in its payload's refs: the row's match
    # is kept beside them (x9r1: updated rows showed no match, unchanged ones did)
    kept = payload.get("matched")
    if isinstance(kept, Mapping):
        out = {**{k: str(v) for k, v in kept.items()
                  if k in (*MATCH_COLUMNS, LINKED, NAMESAKES, BORROWED, MOVED, MOVED_ALIKE,
                           TITLE_NOT_SENT, NOT_ADDED)},
               **out}
    return out


def linked_note(result: Mapping[str, Any]) -> str | None:
    """succeeded.csv's note for a row linked by e-mail to a person of another name (its
    result's ``LINKED``), naming that person and its id (the deal's ``person_id``); and
    for a row whose new person has the name of persons of the account (``NAMESAKES``); and
    for a row whose person takes e-mails or phones from other rows (``BORROWED``); and for
    an upsert's deal moving to a new person from one of the row's name and phone
    (``MOVED``); and for a job title the row's name cell gives, sent nowhere
    (``TITLE_NOT_SENT``); and for e-mails or phones the row gives that the existing person
    it is linked to lacks, not added (``NOT_ADDED``)."""
    notes = []
    if name := result.get(LINKED):
        pid = result.get("person_id")
        notes.append(f"linked by e-mail to person {name!r}"
                     + (f" (id {pid})" if pid else ""))
    if (moved := result.get(MOVED)) and result.get(MOVED_ALIKE):
        notes.append(f"the deal moves to a new person from person {moved} (same name and "
                     "phone, another address): the row's e-mail matches no person, and "
                     "persons are told by e-mail; if the address changed, change it on "
                     f"person {moved} in Pipedrive and import again")
    elif moved:
        notes.append(f"the deal moves to a new person from person {moved}, left as it is: "
                     "the row's person matches no person of the account (persons are told "
                     "by e-mail); if it is that person, correct it in Pipedrive and import "
                     "again")
    if namesakes := result.get(NAMESAKES):
        name, _, ids = str(namesakes).rpartition("|")
        notes.append(f"created a second person named {name!r} (the account's "
                     f"{'person' if ',' not in ids else 'persons'} id {ids.replace(',', ', ')} "
                     "of that name); possible duplicate")
    if borrowed := result.get(BORROWED):
        notes.append(f"the person takes {borrowed} from other rows of this file (one contact: "
                     "rows giving its e-mails or phone together)")
    if lacking := result.get(NOT_ADDED):
        pid, how = result.get("person_id"), result.get("person_matched_by")
        notes.append(f"{lacking} not added to the existing person"
                     + (f" {pid}" if pid else "") + (f" (matched by {how})" if how else "")
                     + ": the import writes deals, not persons; add it in Pipedrive")
    if (title := result.get(TITLE_NOT_SENT)) and tf.no_title(str(title)):
        # (a web address, "n/a" beside the name: x48r11 F1, said to be a job title; a
        # place or second surname after a dash, "Jane Roe - Berlin": x48r11)
        notes.append(f"{title!r} not sent (written beside the person's name; the person "
                     "is named without it)")
    elif title:
        notes.append(f"job title {title!r} not sent (the person is named without it; "
                     "Pipedrive's API takes no job title for a person)")
    return "; ".join(notes) or None


_TEXT_TYPES = frozenset({str, type(None)})  # a CSV row's cells: stored as they are


def stored_row(row: SourceRow) -> dict[str, Any]:
    """What an item keeps of its manifest row, so that a retry can rebuild the row exactly
    as the reader gave it (``source_row``): ``values`` (JSON-safe), ``types`` (cells whose
    type JSON would lose: ``tf.cell_types``) and ``source_error`` (the reader's own
    refusal of the record: reason and column)."""
    values = row.values
    out: dict[str, Any]
    if type(values) is dict and _TEXT_TYPES.issuperset(map(type, values.values())):
        out = {"values": dict(values)}  # a CSV row: what storable gives, and no typed cell
    else:
        out = {"values": tf.storable(values)}
        types = tf.cell_types(values)
        if types:
            out["types"] = types
    if isinstance(values, PathRow):  # a JSON record: how its paths read (manifest_json)
        out["paths"] = {"roots": sorted(values.roots), "ambiguous": values.ambiguous}
    if row.error is not None:
        out["source_error"] = {"reason": row.error.reason, "column": row.error.column,
                               **({"misaligned": True}
                                  if isinstance(row.error, MisalignedRow) else {})}
    return out


def source_row(row: int, payload: Mapping[str, Any]) -> SourceRow:
    """The manifest row an item was stored from (``stored_row``), as the reader gave it."""
    values = payload.get("values")
    typed = tf.typed_values(values if isinstance(values, Mapping) else {},
                            payload.get("types"))
    paths = payload.get("paths")
    if isinstance(paths, Mapping):
        typed = PathRow(typed, roots=paths.get("roots") or (),
                        ambiguous=paths.get("ambiguous") or {})
    error = payload.get("source_error")
    if not isinstance(error, Mapping):
        return SourceRow(row, 0, typed)
    kind = MisalignedRow if error.get("misaligned") else InputError
    return SourceRow(row, 0, typed, kind(str(error.get("reason")), row=row,
                                         column=error.get("column")))


# a row's note on a deal link whose person / organization was deleted in Pipedrive: the
# row's own written instead (the load: ``import_rows``; a deal read when its row is sent:
# ``jobs.importing.creates``); formatted with (the dead link shown, the link written)
DELETED_LINK_NOTE = ("the deal's {} was deleted in Pipedrive: not kept, the row's "
                     "contact cells resolved again and written: {}")

# a created row's result field: why its key's deal was created again ("merge_undone": its
# deal merged away into one deleted since; "key_gone": its earlier deal is gone); the
# summary counts the rows (jobs.import_load, a killed run's too: x37r1 F4)
RECREATED = "recreated"

# str(deal id) -> {"person_id", "org_id"}: the deals a run read again at its end after a
# contact of theirs vanished (jobs.importing.vanished.links_now), for succeeded.csv
META_LINKS_NOW = "import.links_now"
# a ``META_LINKS_NOW`` entry's flag: the record its row named went while the job was
# stopped (a resume's re-read found it), not during a run (x49r2 F4)
STOPPED = "since_stopped"
# kind ("person" / "org") -> ids: the persons / organizations settled rows' deals still
# name that a resume's re-read found deleted (jobs.importing.linked_since; x49r8 F2)
META_DELETED_SINCE = "import.deleted_since_stopped"
# the settled rows' deals seen (listed by the re-read) still naming one of those: only
# their rows are told (a deal deleted since names nothing; x50r6 F3: 5 rows told, 3 true)
META_DELETED_DEALS = "import.deleted_since_deals"
# kind -> how many persons / organizations settled rows' deals name that the last
# resume's re-read had no room to check for a delete (x50r6 L1: said once, mid-output)
META_UNCHECKED = "import.deleted_unchecked"


def unchecked_counts(meta: Any) -> dict[str, int]:
    """``META_UNCHECKED`` as kind ("person" / "org") → count, zeros left out ({}: none,
    or a job recorded before it)."""
    if not isinstance(meta, Mapping):
        return {}
    return {str(k): n for k, n in meta.items()
            if isinstance(n, int) and not isinstance(n, bool) and n > 0}


def linked_now(links: Mapping[str, Any], deleted: Mapping[str, set[int]] | None = None,
               deals: set[int] | None = None) -> Callable[[dict[str, Any]], None]:
    """What succeeded.csv's writer does to a row's result (``links``: ``META_LINKS_NOW``):
    a ``person_id`` / ``org_id`` the deal no longer holds becomes the one it holds, and
    the note says so (``jobs.importing.vanished.links_now`` reads them) — ``merged into
    organization N`` when the deal names another now (a merge moved it), its
    ``*_matched_by`` then ``merged`` (x50r6 L2, L3); one the deal
    still holds that was deleted while the job was stopped (``deleted``:
    ``deleted_ids`` of ``META_DELETED_SINCE``) is kept, and the note says so
    (``deleted_note``) — only for the deals seen naming it (``deals``:
    ``META_DELETED_DEALS``; None, a job recorded before it: every deal)."""
    gone = deleted or {}

    def amend(result: dict[str, Any]) -> None:
        now = links.get(str(result.get("deal_id")))
        if not isinstance(now, Mapping):
            if note := deleted_note(result, gone, deals):
                result["note"] = "; ".join(filter(None, (result.get("note"), note)))
            return
        said = []
        for link, name in (("person_id", "person"), ("org_id", "organization")):
            was, new = result.get(link), now.get(link)
            if was is None or was == new:
                continue
            result[link] = new
            when = "since the job stopped" if now.get(STOPPED) else "during the run"
            if new is None:
                said.append(f"{name} {was} merged away or deleted {when}: the deal has no "
                            f"{name} now")
                continue
            # the deal moved off a record gone: a merge moves it (x50r6 L2: "merged away
            # or deleted"), and the row's match was of the record merged away, not of
            # the survivor (L3: ``created`` beside the survivor's id)
            said.append(f"{name} {was} merged into {name} {new} {when}: the deal "
                        "followed it there")
            matched = f"{'org' if link == 'org_id' else 'person'}_matched_by"
            if result.get(matched):
                result[matched] = "merged"
        if told := deleted_note(result, gone, deals):
            said.append(told)
        if said:
            result["note"] = "; ".join(filter(None, (result.get("note"), *said)))
    return amend


def deleted_ids(meta: Mapping[str, Any] | None) -> dict[str, set[int]]:
    """``META_DELETED_SINCE`` as kind → set of ids ({} for none)."""
    return {kind: {i for i in ids if isinstance(i, int)}
            for kind, ids in (meta or {}).items() if isinstance(ids, list)}


def deleted_deals(meta: Any) -> set[int] | None:
    """``META_DELETED_DEALS`` as a set of deal ids (None: a job recorded before it)."""
    return None if not isinstance(meta, list) else {d for d in meta if isinstance(d, int)}


def deleted_note(result: Mapping[str, Any], deleted: Mapping[str, set[int]],
                 deals: set[int] | None = None) -> str | None:
    """The note of a settled row whose deal still names a person / organization someone
    deleted while the job was stopped (``deleted``: kind → ids, ``META_DELETED_SINCE``):
    the deal is not re-linked (x49r8 F2). None: none such, or the row's deal is not one
    seen naming it (``deals``, when given: a deal deleted since names nothing, x50r6 F3)."""
    if deals is not None and result.get("deal_id") not in deals:
        return None
    said = []
    for kind, link, name in (("person", "person_id", "person"),
                             ("org", "org_id", "organization")):
        rid = result.get(link)
        if isinstance(rid, int) and rid in deleted.get(kind, ()):
            made = "created" if result.get("action") == "created" else "linked"
            said.append(f"{name} {rid} was deleted since the deal was {made}: the deal "
                        "still names it; nothing written (re-link it by hand)")
    return "; ".join(said) or None
