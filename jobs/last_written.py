"""What this state folder last wrote on each deal's fields: the base of an upsert's
three-way comparison, so that a nightly import never puts back an edit made in Pipedrive
between two nights (x31r1 F1).

Why ~1400 lines: one concept — the record — whose rules (``three_way``, ``agreed``,
``met``, ``written``) and whose storage (the packed layout, its move from the first one,
the writes as a run goes — ``Recorder`` —, its jobs' sources and the forgets) serve each
other and nobody else.

A colleague renames deal R1 and moves its stage in Pipedrive; the next import of the same,
unchanged export found the title and the stage "different" and PATCHed them back, reported
as ``updated``. Per field, an upsert now compares three values: the value this folder last
wrote (the *base*), the deal's value now (Pipedrive) and the row's (the source):

- source = base, Pipedrive ≠ base: edited in Pipedrive since, the source unchanged: the
  field is not sent (Pipedrive's value kept), said on the row and counted;
- source ≠ base, Pipedrive ≠ base and ≠ source: changed on both sides: the source's value
  is written (the file changed it after the last import: an instruction), said on the row
  and counted;
- no base (a deal this folder never wrote, a field it never wrote, the first import by
  this folder): written as before;
- a group of fields (``deals.FIELD_GROUPS``: an amount with its currency, a status with its
  reason and times, a stage with its pipeline — as undo judges them) is decided whole
  (x34r1 F1: the file's new amount and a colleague's new currency made USD 1500 of the
  file's EUR 1500): changed on both sides, each in any of its fields, the source's whole
  group is written; a status changed in Pipedrive alone keeps its whole group (the
  source's new close date or lost reason is not sent, and said so: x34r1 F2).

Whose write is the base (x52r10 F1: import, ``pdbulk update`` corrected 20 titles, the
same unchanged file wrote its old titles back over all 20, unsaid — the update's write was
the base, so the file read as changed): the record notes each job's source (``source_of``:
an import's with its key field's label; an update's; ``OBSERVED``; an undo's), and an
import's load reads the record for its own (``LastWritten.source``): per field, the newest
write of an import of the same key field (``same_source``), found behind the later writes
of other jobs through the priors ``DEPTH`` deep. A later write of another job is a change
made in Pipedrive since — kept, said naming the job (``LastWritten.later``) —; a file that
changed the field too writes its value, "changed both"; a file that now says what such a
job wrote met it there (``met``: that write is the base); the import's write past the
depth: ``UNKNOWN`` (Pipedrive's value kept, said); none behind: ``LEFT_THEIRS``. An
update's load reads the last write of any job, as before. A job is undone for the walk
only once its undo is done (``undone``), and an undone update's write is the base only
as the field's newest write while Pipedrive still holds it (``held_undone``), never
behind a later write (x53r1 F1: a stopped undo made the unchanged file write over a later
update's and a colleague's values on the deals it had not reached, 54 of 80).

A deal's links — ``person_id`` / ``org_id``, the ids its row resolved them to — are
fields like the others (x33r2 F1: a colleague's relink was put back by the unchanged file):
recorded as the run sent them (``written``: from the row's result), kept or written by
the same rule; a person or organization the row is to create has no id yet: written.
Beside each link the record holds the digest of the row's cells that named it (``CELLS``:
the person's name, e-mails and phones, the organization's name and address, as mapped):
while the file's cells are the ones that wrote or agreed on the link, the deal's link
stays as Pipedrive has it and nothing is looked up or created for it (x34r1 F6: a
colleague corrected the person's e-mail or renamed the organization, and the unchanged
file created a copy and moved the deal onto it); cells the file changed are resolved
again, as before.

A row whose key's deal a merge made here took into a survivor (``jobs.merged_deals``)
is compared with what this folder last wrote for that row — on the merged-away deal — and
what it wrote on the survivor since the merge (``LastWritten.merged_base``): the merge is a
change made after the row's last write, so the survivor's values the file did not change
since are kept (before, the survivor's own record, or none, was the base, and the file's
old row undid the merge's choice).

The record: ``last-written.sqlite3`` in the state folder (``bulk.claims.state_dir``, 0600
in a 0700 folder), one row per (account — the base URL and the run's token key, never
the token —, deal id), its fields packed (``_pack``): per field a digest (16 hex digits of
SHA-256, stored as 8 bytes) of the value written as the row mapped it, never the value
itself, when, by which job, and the base that write replaced when another job's (its
digest and job: the *prior*, f50q — what an undo of the job gives back, ``rebase`` —, and
the base that one replaced in turn, ``DEPTH`` deep: x51r12 F1, a second undo in a row,
newest first, found the older job's base without its prior and left ``UNKNOWN``);
accounts, jobs and fields are named once each, in tables of their own (the first layout,
a row per field with the account and the job as text on each, took ~180 MB per 200,000
deals of 10 fields; the packed one ~34 MB; with priors +0.8 MB after a first import,
+32 MB for each job after it that replaced every field, at most +96 MB (``DEPTH``) — a
record of the first layout is moved on its first open, ``_upgrade``; a deal packed before
priors, ``_FORMAT_1``, reads with its priors not known, one packed with one prior a
field, ``_FORMAT_2``, with each prior's own not known; each is packed again in this
format at its next write).
Set from a job's store as its
rows settle (``Recorder``: ``_BATCH`` items at a time, in a worker thread of its own)
and at the end of each of its runs (``record_job``: the
creates and updates it saw done since the last run's end, each item once — marked in the
job store; a write older than the one recorded leaves it), and from the fields a matched
row held as Pipedrive did (``agreed``: the value both sides agreed on is a common
ancestor too, so the first change made in Pipedrive after a night that found the deal
unchanged is kept, not reverted the next night) — and the same agreements found by an
update's load, a ``plan update``'s too (``observe``; ``jobs.update_edits``: an update
compares three ways by these rules, and its run's writes are recorded as an import's, by
a ``Recorder``; ``jobs.last_written_runs``: what a killed run — an update's, an import's —
left, by the next plan, update or import) —, dropped for the deals an undo deleted and, for
those it restored, the fields the undone job recorded (``forget``: what is there then is no
write of this folder's, and the next import writes them as before; the other fields keep
the base earlier imports set) — but first the fields an undo put back, found as before or
left get back the base the record held before the undone job wrote, its prior
(``rebase``, ``jobs.undo.bases``; x50r5 F1: the undone update's value stayed the base,
and the unchanged import file wrote over the colleague's value the undo kept, "changed
on both sides"; x50r10 F1: the job's before-image as the base — a colleague's value this
folder never wrote — let the same import file write over it); a prior not known holds
``UNKNOWN``: Pipedrive's value is kept. Read one deal at a time, only for the deals an
upsert found
(``LastWritten.of``): its memory does not grow with the file. A write made from another
state folder is not known: such a field has no base (as before); what a run killed before
its end had settled since its last batch is recorded by the next.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import re
import sqlite3
import struct
import time
from collections.abc import Collection, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from itertools import chain, islice
from pathlib import Path
from typing import Any

import orjson

from bulk.claims import state_dir
from bulk.state import state_db
from bulk.store import Item, ItemState, JobStore
from bulk.token_key import token_key

from .deals import _ALLOWED_WITH, _canonical, field_group

_log = logging.getLogger("pdbulk.import")  # the import's logger: a library prints nothing

FILE = "last-written.sqlite3"
MARKS = "last_written"  # the job store's lookup kind: the items ``record_job`` recorded
KEY_LABEL = "load.key_field"  # an import's job meta: its key field's label (jobs.prepared's)
_BATCH = 1000  # items per record transaction
CUSTOM = "custom_fields."  # a custom field's name in the record: this, then its code
LINKS = ("person_id", "org_id")  # a deal's links, in the order a note names them
CELLS = ".cells"  # a link's name, then this: the digest of the row's cells that named it
_VARS = 500  # deals per IN (...) query
# a base whose value is not known (``rebase``: an undo put back a field whose base before
# the undone job was recorded before priors were kept): the next comparison reads the source as
# unchanged and Pipedrive as changed — Pipedrive's value kept, never "changed on both
# sides". 16 zero hex digits: no value's digest in practice (SHA-256, 2^-64)
UNKNOWN = "0" * 16
# a base no write of this folder stands behind (``rebase``: the undone job wrote the field
# first, and the undo left a colleague's value there): the next comparison reads both
# sides as changed — the source's value sent where it differs from Pipedrive's, said
# "changed both" (x51r3 F2: the same update file re-run wrote a field the import wrote
# first over the colleague's, "changed both", and kept the colleague's on one the update
# wrote first, unsaid). 16 f's: no value's digest in practice
LEFT_THEIRS = "f" * 16
_VERSION = 2  # PRAGMA user_version of this layout (0: the first one, ``written``)
_FORMAT = b"\x03"  # the first byte of a deal's packed fields (``_pack``)
_FORMAT_2 = b"\x02"  # one prior a field (f50q): read, each prior's own prior not known
_FORMAT_1 = b"\x01"  # the packed fields before priors (f50q): read, priors not known
_DIGEST_BYTES = 8  # a digest's 16 hex digits, stored as bytes
# one row per deal, its fields packed (``_pack``); account, job and field names once each
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS fields (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
    """CREATE TABLE IF NOT EXISTS bases (account INTEGER NOT NULL, deal INTEGER NOT NULL,
    fields BLOB NOT NULL, PRIMARY KEY (account, deal)) WITHOUT ROWID""",
)


def account_of(base_url: str) -> str:
    """The account a base URL names, as ``jobs.merged_deals`` names it."""
    return base_url.strip().rstrip("/").lower()


def _account(base_url: str) -> str:
    """The record's account: the base URL and, when a run bound its API token, the token's
    key in this state folder (``bulk.token_key``: never the token). Every company's URL is
    ``https://api.pipedrive.com`` and deal ids are per company, so the URL alone let one
    company's base hide a change the file made on another's deal of the same id (f32c).
    Another token of the same company is another account here: its writes set no base
    (the file's value is written, as before the record existed), never a wrong one.
    Blocking (reads the state folder's secret); raises OSError when it cannot."""
    key = token_key()
    return account_of(base_url) if key is None else f"{account_of(base_url)} {key}"


def digest(value: Any) -> str:
    """16 hex digits naming ``value`` in one shape whoever rendered it (``10.0`` as ``10``,
    ids out of ``{id, name}``, lists in any order, empty as absent)."""
    return sealed(_canonical(value))


def sealed(canon: Any) -> str:
    """``digest`` of a value already in its one shape (``jobs.deals._canonical``'s)."""
    if canon in ("", [], {}):
        canon = None
    return hashlib.sha256(orjson.dumps(canon, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def fields_of(deal: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """(field, value) of a deal body: its own fields by key, each custom field as
    ``custom_fields.<code>``."""
    for name, value in deal.items():
        if name == "custom_fields" and isinstance(value, Mapping):
            for code, one in value.items():
                yield f"{CUSTOM}{code}", one
        else:
            yield name, value


# asked for by a flag of the run, not by the file's cells: always sent (--unarchive)
_ASKED = frozenset({"is_archived"})
# how a note names a group of fields decided as one (``deals.FIELD_GROUPS``)
GROUP_NAMES = {field_group("value"): "an amount with its currency",
               field_group("status"): "a status with its reason and times",
               field_group("stage_id"): "a stage with its pipeline"}


@dataclass(frozen=True, slots=True)
class ThreeWay:
    """An upsert row's PATCH after the three-way comparison: ``changes`` to send, the
    fields ``kept`` (edited in Pipedrive since this folder wrote them, the source not:
    Pipedrive's value stays), those changed on ``both`` sides (the source's value is sent)
    and those ``held`` (changed in the source, not sent: a colleague changed the status of
    their group, which its reason and times follow), each as (field, Pipedrive's value now,
    the source's). A group of fields (``deals.FIELD_GROUPS``) is in one of these whole."""

    changes: dict[str, Any]
    kept: tuple[tuple[str, Any, Any], ...] = ()
    both: tuple[tuple[str, Any, Any], ...] = ()
    held: tuple[tuple[str, Any, Any], ...] = ()
    # the fields of the ``kept`` / ``held`` groups Pipedrive changed (record names): what
    # a note names (x46r6 F3: "kept lost_reason, status" when only the reason changed)
    moved: frozenset[str] = frozenset()
    # the ``kept`` fields of the groups kept only because their base is ``UNKNOWN``
    # (deeper than the record keeps, or a record of an older layout): nobody is known to
    # have changed them, and a note says so (x52r5 F2: "changed in Pipedrive since" when
    # nobody had)
    unknown: frozenset[str] = frozenset()
    # the ``kept`` / ``both`` fields whose Pipedrive value another job of this folder wrote
    # since the source's last write (``LastWritten.later``): (field, who — "pdbulk update
    # <job id>" —, whether the source's last write is known: False past the record's depth)
    by: tuple[tuple[str, str, bool], ...] = ()

    @property
    def unsent(self) -> frozenset[str]:
        """The fields (record names, ``fields_of``) the source changes and the PATCH leaves
        out: ``kept`` and ``held``."""
        return frozenset(name for name, _, _ in (*self.kept, *self.held))

    def kept_part(self, *, unknown: bool) -> ThreeWay:
        """This with ``kept`` narrowed to the fields whose base is not known (``unknown``)
        or to the others: what each of a row's notes names."""
        return replace(self, kept=tuple(k for k in self.kept
                                        if (k[0] in self.unknown) == unknown))

    def counts(self) -> dict[str, int]:
        """{"kept" / "both" / "held": how many fields} (those not 0): the row's share of
        an import's ``edited_*`` (``edited_counts``), stored with the row as it settles."""
        return {name: n for name, n in (("kept", len(self.kept)), ("both", len(self.both)),
                                        ("held", len(self.held)),
                                        ("unknown", len(self.unknown))) if n}


BASE_NOT_KNOWN = "deeper than the record keeps: three jobs back, or recorded by an earlier pdbulk"
"""Why a ``ThreeWay.unknown`` field's base is not known, so it is kept: a row's note says
it ("base not known (…)"), not "changed in Pipedrive since" (x52r5 F2: nobody had)."""

EDITED = "edited"  # an import row's payload / result key: its ``ThreeWay.counts()``
EDITED_KEYS = ("edited_kept", "edited_rows", "edited_both", "edited_held")  # an import's counts
# of ``edited_kept``, those kept only because their base is not known (``ThreeWay.unknown``)
EDITED_UNKNOWN = "edited_unknown"


def edited_counts(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """An import's ``edited_kept``, ``edited_rows`` (rows with a field kept),
    ``edited_both`` and ``edited_held`` over ``rows`` (each a ``ThreeWay.counts()``)."""
    out = dict.fromkeys(EDITED_KEYS, 0)
    for row in rows:
        kept = int(row.get("kept") or 0)
        out["edited_kept"] += kept
        if unknown := int(row.get("unknown") or 0):  # only when some: summaries as before
            out[EDITED_UNKNOWN] = out.get(EDITED_UNKNOWN, 0) + unknown
        out["edited_rows"] += kept > 0
        out["edited_both"] += int(row.get("both") or 0)
        out["edited_held"] += int(row.get("held") or 0)
    return out


def group_of(name: str) -> str:
    """The group (``deals.field_group``) of a record field name (``fields_of``)."""
    return name if name.startswith(CUSTOM) else field_group(name)


def three_way(existing: Mapping[str, Any], changes: Mapping[str, Any],
              base: Mapping[str, str]) -> ThreeWay:
    """Decide ``changes`` (``deals.deal_changes``: the row's fields that differ from the
    deal ``existing`` as Pipedrive has it now) against ``base`` (``LastWritten.of``: field
    -> digest of the value this folder last wrote), a group of fields at a time
    (``deals.FIELD_GROUPS``: an amount with its currency, a status with its reason and
    times, a stage with its pipeline; any other field alone). The source changed none of
    the group's fields: kept whole. Pipedrive changed none of them: the source's sent.
    Both changed one (not necessarily the same: x34r1 F1, the file's amount and a
    colleague's currency made USD 1500 of EUR 1500): the source's whole group is sent, as
    for one field changed on both sides — unless Pipedrive's status is a change the source
    did not make: the group is kept whole (its reason and times follow the status; the
    source's are ``held``). A member the source's new status empties (``dropped``: a
    won_time on a reopen or a loss, a lost reason on a win) that Pipedrive changed makes the
    group changed on both sides: said in ``both`` with None as the source's value, not sent
    (x34r4 F3). See the module docstring."""
    if not base:
        return ThreeWay(dict(changes))
    stored = existing.get("custom_fields") or {}
    groups: dict[str, list[tuple[str, Any, Any, str | None]]] = {}
    for name, value in fields_of(changes):
        code = name[len(CUSTOM):] if name.startswith(CUSTOM) else None
        now = stored.get(code) if code is not None else existing.get(name)
        was = None if name in _ASKED else base.get(name)
        groups.setdefault(group_of(name), []).append((name, now, value, was))
    send: dict[str, Any] = {}
    kept: list[tuple[str, Any, Any]] = []
    both: list[tuple[str, Any, Any]] = []
    held: list[tuple[str, Any, Any]] = []
    moved: set[str] = set()
    unknown: set[str] = set()
    for members in groups.values():
        # ``UNKNOWN``: the source's value reads as unchanged, Pipedrive's as changed (kept)
        ours = {name for name, _, value, was in members
                if was is None or (was != UNKNOWN and digest(value) != was)}
        theirs = {name for name, now, _, was in members
                  if was is not None and (was == UNKNOWN or digest(now) != was)}
        if not ours or "status" in theirs - ours:  # kept: Pipedrive alone changed the status
            moved |= theirs
            if not ours and theirs and all(was == UNKNOWN for name, _, _, was in members
                                           if name in theirs):
                unknown |= {name for name, _, _, _ in members}  # nobody known to change it
            for name, now, value, _ in members:
                (held if name in ours else kept).append((name, now, value))
            continue
        # the members the source's new status clears (``dropped``) that Pipedrive changed
        # are changed on both sides too (x34r4 F3: a colleague's won_time, the file's
        # reopen, went with no note)
        cleared = [(name, now, None) for name, now in dropped(existing, members, base)]
        theirs |= {name for name, _, _ in cleared}
        for name, now, value, _ in members:
            if theirs:
                both.append((name, now, value))
            if name.startswith(CUSTOM):
                send.setdefault("custom_fields", {})[name[len(CUSTOM):]] = value
            else:
                send[name] = value
        both.extend(cleared)  # said, not sent: the status change empties them
    return ThreeWay(send, tuple(kept), tuple(both), tuple(held), frozenset(moved),
                    frozenset(unknown))


def cleared_by(body: Mapping[str, Any]) -> tuple[str, ...]:
    """The reason and times a write of ``body`` (a deal body or PATCH) clears without
    naming them: those its ``status`` does not take (``open``: all four; ``won``:
    ``lost_reason``, ``lost_time``; ``lost``: ``won_time``), minus those it names; ()
    when it sets no status. Pipedrive empties them on the status change."""
    status = body.get("status")
    if status not in ("open", "won", "lost"):
        return ()
    return tuple(name for name, allowed in _ALLOWED_WITH.items()
                 if status not in allowed and name not in body)


def dropped(existing: Mapping[str, Any], members: Iterable[tuple[str, Any, Any, str | None]],
            base: Mapping[str, str]) -> list[tuple[str, Any]]:
    """(field, Pipedrive's value now) of the status group's members (``three_way``'s
    ``members``: name, now, the source's value, base digest) that the source's new status
    clears (``cleared_by``) and that Pipedrive holds, other than this folder last wrote
    (one it holds empty already is as the status leaves it); [] when the members set no
    status."""
    body = {name: value for name, _, value, _ in members}
    empty = digest(None)
    return [(name, existing.get(name)) for name in cleared_by(body)
            if name in base and digest(existing.get(name)) not in (base[name], empty)]


def agreed(deal: Mapping[str, Any], changes: Mapping[str, Any],
           base: Mapping[str, str]) -> dict[str, str]:
    """{field: digest} of the fields of ``deal`` (a row's mapped body) that Pipedrive holds
    as the row does (not in ``changes``: ``deals.deal_changes``, before ``three_way``) and
    whose digest ``base`` (``LastWritten.of``) does not hold yet: the value both sides
    agree on is the common ancestor of the next comparison (the standard three-way rule),
    so a deal the file matched, never written, keeps a colleague's later edit. A currency
    without an amount was not compared (``deal_changes``): not agreed."""
    differ = {name for name, _ in fields_of(changes)}
    out: dict[str, str] = {}
    for name, value in fields_of(deal):
        if name in differ or name in _ASKED or (name == "currency" and "value" not in deal):
            continue
        if base.get(name) != (sign := digest(value)):
            out[name] = sign
    return out


def _path() -> Path:
    return state_dir() / FILE


def _setup(conn: sqlite3.Connection) -> None:
    if conn.execute("PRAGMA user_version").fetchone()[0] < _VERSION:
        _upgrade(conn)


def _connect(path: Path) -> sqlite3.Connection:
    # one thread at a time (the load decides in a worker thread): not shared concurrently
    return state_db(path, _setup)


def _upgrade(conn: sqlite3.Connection) -> None:
    """Make the tables of this layout, moving a record of the first layout (one row per
    field, ``written``) into them: a user's record keeps working. One transaction (a kill
    leaves the old layout, moved again at the next open), then VACUUM: the old rows' pages
    go back to the disk. Another process opening meanwhile waits (busy timeout)."""
    moved = False
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        if conn.execute("PRAGMA user_version").fetchone()[0] >= _VERSION:
            return  # another process did it while this one waited
        for sql in _SCHEMA:
            conn.execute(sql)
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                        "AND name = 'written'").fetchone():
            _move_first_layout(conn)
            conn.execute("DROP TABLE written")
            moved = True
        conn.execute(f"PRAGMA user_version = {_VERSION}")
    if moved:
        conn.execute("VACUUM")


def _move_first_layout(conn: sqlite3.Connection) -> None:
    """The first layout's rows (account, deal, field, hex digest, at, job: account and job
    as text on every field) as one packed row per deal. A digest not of 16 hex digits is
    dropped (the field has no base: written as before)."""
    names = _Names(conn)
    rows = conn.execute("SELECT account, deal, field, digest, at, job FROM written "
                        "ORDER BY account, deal")
    batch: list[tuple[int, int, bytes]] = []
    key: tuple[str, int] | None = None
    fields: dict[int, _Entry] = {}

    def flush() -> None:
        conn.executemany("INSERT OR REPLACE INTO bases VALUES (?, ?, ?)", batch)
        batch.clear()

    for account, deal, field, sign, at, job in rows:
        if (account, deal) != key:
            if key is not None and fields:
                batch.append((names.id("accounts", key[0]), key[1], _pack(fields)))
            key, fields = (account, deal), {}
            if len(batch) >= _BATCH:
                flush()
        try:
            raw = bytes.fromhex(sign)
        except (TypeError, ValueError):
            continue
        if len(raw) == _DIGEST_BYTES:
            fields[names.id("fields", field)] = (raw, float(at), names.id("jobs", job), None)
    if key is not None and fields:
        batch.append((names.id("accounts", key[0]), key[1], _pack(fields)))
    flush()


# the base a job's write replaced (``_put``): (digest, 8 bytes; the id of the job that
# wrote it; that base's own prior, the same way: what an undo of that job gives back in
# turn) — ``NO_PRIOR``: the record held none (b"", 0, None) —, None: not known (a base
# recorded before priors were kept, f50q, or one deeper than ``DEPTH``); what ``rebase``
# gives back when that job is undone, its own prior with it (x51r12 F1: one level kept,
# the second of two stacked undos left ``UNKNOWN`` and the older job's file wrote nothing)
_Prior = tuple[bytes, int, "_Prior"] | None
NO_PRIOR: tuple[bytes, int, None] = (b"", 0, None)
# the bases kept behind a write: as many undos in a row, newest first, give back each
# base exactly; one more finds it not known (``UNKNOWN``: Pipedrive's value kept). Each
# level 16 bytes a field: at most +96 MB per 200,000 deals of 10 fields (+32 MB a level)
DEPTH = 3
# one field's base: (digest, 8 bytes; when written, epoch seconds; the job's id; prior)
_Entry = tuple[bytes, float, int, _Prior]
_GROUP_1 = struct.Struct("<IdI")  # format 1: a group's job id, when, its field count
_GROUP = struct.Struct("<IdII")  # a group's job id, when, field count, priors listed
_PRIOR = struct.Struct("<II")  # a listed prior level: its field's id, the id of its job
_UNKNOWN_JOB = 0xFFFFFFFF  # a listed prior's job: the prior is not known
_ALL_UNKNOWN = 0xFFFFFFFF  # a group's priors listed: none, every one not known


def _pack(fields: Mapping[int, _Entry]) -> bytes:
    """One deal's bases as bytes: ``_FORMAT``, then per (job, when) a group: ``_GROUP``,
    its fields' ids (uint32 each), their digests (8 bytes each), then the levels of its
    priors other than ``NO_PRIOR``, newest first (``_PRIOR`` and 8 bytes each; a field not
    listed had none; a chain whose end is not ``NO_PRIOR`` ends with a level of job
    ``_UNKNOWN_JOB``; every prior not known: none listed, ``_ALL_UNKNOWN``). The job and
    the time are written once per deal and write, not once per field; a first write (no
    prior) costs 4 bytes a deal, each base kept behind a field's write 16 more."""
    groups: dict[tuple[int, float], list[tuple[int, bytes, _Prior]]] = {}
    for field, (raw, at, job, prior) in fields.items():
        groups.setdefault((job, at), []).append((field, raw, prior))
    out = [_FORMAT]
    for (job, at), members in groups.items():
        unknown = all(prior is None for _, _, prior in members)
        listed = [] if unknown else [(f, level) for f, _, p in members
                                     for level in _levels(p)]
        out.append(_GROUP.pack(job, at, len(members),
                               _ALL_UNKNOWN if unknown else len(listed)))
        out.append(struct.pack(f"<{len(members)}I", *(f for f, _, _ in members)))
        out.extend(raw for _, raw, _ in members)
        for field, (raw, was) in listed:
            out.append(_PRIOR.pack(field, was))
            out.append(raw)
    return b"".join(out)


def _levels(prior: _Prior) -> Iterator[tuple[bytes, int]]:
    """``_pack``: a prior's chain as (digest, job) levels, newest first; a chain not known
    past a level ends with (zeros, ``_UNKNOWN_JOB``); ``NO_PRIOR`` ends it unsaid."""
    while prior != NO_PRIOR:
        if prior is None:
            yield b"\0" * _DIGEST_BYTES, _UNKNOWN_JOB
            return
        yield prior[0], prior[1]
        prior = prior[2]


def _chained(prior: _Prior, depth: int = DEPTH) -> _Prior:
    """``prior`` kept ``depth`` levels deep: a level past them is not known (None)."""
    if prior is None or prior == NO_PRIOR:
        return prior
    if depth <= 0:
        return None
    return (prior[0], prior[1], _chained(prior[2], depth - 1))


def _unpack(blob: bytes) -> dict[int, _Entry]:
    """``_pack``'s bytes back as {field id: entry}; a record of format 1 (before priors)
    with every prior not known (None), of format 2 (one prior a field) with each prior's
    own not known; {} for bytes of another format or cut short."""
    if blob[:1] == _FORMAT_1:
        return _unpack_1(blob)
    if blob[:1] not in (_FORMAT, _FORMAT_2):
        return {}
    end_of_chain: _Prior = NO_PRIOR if blob[:1] == _FORMAT else None
    out: dict[int, _Entry] = {}
    at_, end = 1, len(blob)
    try:
        while at_ + _GROUP.size <= end:
            job, when, n, m = _GROUP.unpack_from(blob, at_)
            at_ += _GROUP.size
            ids = struct.unpack_from(f"<{n}I", blob, at_)
            at_ += 4 * n
            if at_ + n * _DIGEST_BYTES > end:
                return {}  # cut short (a damaged file): no base, as for a deal never written
            prior: _Prior = None if m == _ALL_UNKNOWN else NO_PRIOR
            for field in ids:
                out[field] = (blob[at_:at_ + _DIGEST_BYTES], when, job, prior)
                at_ += _DIGEST_BYTES
            chains: dict[int, list[tuple[bytes, int]]] = {}
            for _ in range(0 if m == _ALL_UNKNOWN else m):
                field, was = _PRIOR.unpack_from(blob, at_)
                raw = blob[at_ + _PRIOR.size:at_ + _PRIOR.size + _DIGEST_BYTES]
                at_ += _PRIOR.size + _DIGEST_BYTES
                if len(raw) != _DIGEST_BYTES or field not in out:
                    return {}
                chains.setdefault(field, []).append((raw, was))
            for field, levels in chains.items():
                prior = end_of_chain
                for raw, was in reversed(levels):
                    prior = None if was == _UNKNOWN_JOB else (raw, was, prior)
                out[field] = (*out[field][:3], prior)
    except struct.error:
        return {}
    return out


def _unpack_1(blob: bytes) -> dict[int, _Entry]:
    """Format 1's bytes (no priors) as entries whose prior is not known."""
    out: dict[int, _Entry] = {}
    at_, end = 1, len(blob)
    try:
        while at_ + _GROUP_1.size <= end:
            job, when, n = _GROUP_1.unpack_from(blob, at_)
            at_ += _GROUP_1.size
            ids = struct.unpack_from(f"<{n}I", blob, at_)
            at_ += 4 * n
            if at_ + n * _DIGEST_BYTES > end:
                return {}
            for field in ids:
                out[field] = (blob[at_:at_ + _DIGEST_BYTES], when, job, None)
                at_ += _DIGEST_BYTES
    except struct.error:
        return {}
    return out


class _Names:
    """Text <-> integer id of the record's accounts, jobs and fields (each its own table),
    cached: a name is stored once, every deal's row holds its id."""

    __slots__ = ("_conn", "_ids", "_names")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._ids: dict[str, dict[str, int]] = {}  # table -> name -> id (those asked for)
        self._names: dict[str, dict[int, str]] = {}  # table -> id -> name (all, once read)

    def ids(self, table: str) -> dict[str, int]:
        """The cache of ``table``'s ids by name (those found or added so far): a fast path
        for ``id``, which fills it."""
        return self._ids.setdefault(table, {})

    def find(self, table: str, name: str) -> int | None:
        """The id of ``name`` in ``table`` (accounts, jobs, fields); None: none."""
        known = self.ids(table)
        if name not in known:
            row = self._conn.execute(f"SELECT id FROM {table} WHERE name = ?",
                                     (name,)).fetchone()
            if row is None:
                return None
            known[name] = int(row[0])
        return known[name]

    def id(self, table: str, name: str) -> int:
        """The id of ``name`` in ``table``, added when new (in the caller's transaction)."""
        found = self.find(table, name)
        if found is None:
            found = int(self._conn.execute(
                f"INSERT INTO {table} (name) VALUES (?) RETURNING id", (name,)).fetchone()[0])
            self.ids(table)[name] = found
        return found

    def name(self, table: str, id_: int) -> str:
        """The name with ``id_`` in ``table`` (all of the table read once, again on a miss)."""
        names = self._names.setdefault(table, {})
        if id_ not in names:
            names.update((int(i), str(n)) for i, n in self._conn.execute(
                f"SELECT id, name FROM {table}"))
        return names.get(id_, "")


def _dump(conn: sqlite3.Connection) -> Iterator[tuple[str, int, str, str, float, str]]:
    """Every base the record holds as (account, deal, field, digest, when, job), by
    account id and deal: the first layout's row, for a check or a look by hand."""
    names = _Names(conn)
    for account, deal, blob in conn.execute(
            "SELECT account, deal, fields FROM bases ORDER BY account, deal").fetchall():
        for field, (raw, at, job, _) in sorted(_unpack(blob).items()):
            yield (names.name("accounts", account), int(deal), names.name("fields", field),
                   raw.hex(), at, names.name("jobs", job))


# ``LastWritten.later``'s per field: (digests other jobs wrote since the source's last
# write, newest first; how a note names the newest's job, None: not a write; whether the
# source's last write is known behind them)
Later = tuple[tuple[str, ...], str | None, bool]


def met(base: Mapping[str, str], later: Mapping[str, Later],
        changes: Mapping[str, Any]) -> dict[str, str]:
    """``base`` (``LastWritten.of`` for a source) with, for each field of ``changes`` (the
    row's values that differ from the deal's now) whose value another job wrote since the
    source's last write (``later``), that write's digest: the file and Pipedrive met there
    — the newest common ancestor of the three-way comparison —, so a colleague's edit
    after it is kept (an update wrote "Written", a colleague then renamed, the file now
    says "Written": before, the file's was written over the colleague's, "changed
    both")."""
    out = dict(base)
    for name, value in fields_of(changes):
        if name in later and (sign := digest(value)) in later[name][0]:
            out[name] = sign
    return out


def held_undone(base: Mapping[str, str], held: Mapping[str, str],
                existing: Mapping[str, Any]) -> dict[str, str]:
    """``base`` (``LastWritten.of`` for a source: per field the source's own write, found
    behind the later ones) with, for each field of ``held`` (``LastWritten.undone_held``:
    the newest write is a job a finished undo undid and refused to put back here) whose
    value in Pipedrive (``existing``, the deal as read: custom fields under
    ``custom_fields``) is still that write, that write's digest: the deal holds what the
    undo disowned, and the file's value is written over it, as the undo would have (x51r3
    F1). A value someone changed since is a change made in Pipedrive: the source's base
    stays, so an unchanged file keeps it (x53r1: the undone write as the base read a
    colleague's later edit as "changed both" and wrote the file over it)."""
    if not held:
        return dict(base)
    out = dict(base)
    stored = existing.get("custom_fields") or {}
    for name, sign in held.items():
        now = stored.get(name[len(CUSTOM):]) if name.startswith(CUSTOM) else existing.get(name)
        if digest(now) == sign:
            out[name] = sign
    return out


def _writable() -> sqlite3.Connection:
    return state_db(_path(), _setup, create=True)


# which source each job's writes are (``source_of``), by the record's job id: made by the
# first writer that names one (no layout version: a record without it reads its jobs' by
# their ids, ``_named_source``)
_SOURCES = "CREATE TABLE IF NOT EXISTS sources (job INTEGER PRIMARY KEY, source TEXT NOT NULL)"
IMPORT_SOURCE = "import "  # an import's source: this, then its key field's label
UNDO_SOURCE = "undo"  # an undo's bases (``rebase``): they stand for the base it gave back
UNDONE = "undone "  # an undone job's source (``rebase``): this, then the job's own
# a job id as ``bulk.engine.new_job_id`` makes it: its kind
_JOB_ID = re.compile(r"\d{8}-\d{6}-([a-z-]+)-[0-9a-f]{4}")


def source_of(kind: str, key_label: object = None) -> str:
    """The source a job of ``kind`` writes from, as the record notes it: an import's is
    ``IMPORT_SOURCE`` and its key field's label (``key_label``: the mapping's
    ``key_field``; "" when not known: any import's), any other kind its name."""
    if kind == "import":
        return IMPORT_SOURCE + (key_label if isinstance(key_label, str) else "")
    return kind


def _note_source(conn: sqlite3.Connection, job: int, source: str) -> None:
    """Note ``source`` as job ``job``'s (in the caller's transaction or its own)."""
    conn.execute(_SOURCES)
    conn.execute("INSERT OR IGNORE INTO sources VALUES (?, ?)", (job, source))


def _note_undone(conn: sqlite3.Connection, job: int, name: str) -> None:
    """Note job ``job`` (named ``name``) as undone (``UNDONE``, before its source): what
    it wrote on the deals its undo refused, where nothing wrote since, stands as their
    base for every source (x51r3 F1), not as a correction to keep (``same_source``).
    Only once the undo is done (``undone``; x53r1 F1)."""
    conn.execute(_SOURCES)
    found = conn.execute("SELECT source FROM sources WHERE job = ?", (job,)).fetchone()
    was = str(found[0]) if found is not None else (_named_source(name) or "")
    if not was.startswith(UNDONE):
        conn.execute("INSERT OR REPLACE INTO sources VALUES (?, ?)", (job, UNDONE + was))


def _named_source(job: str) -> str | None:
    """The source of a job the ``sources`` table does not name, by its id: ``new_job_id``'s
    kind (an import's: any import's), ``OBSERVED``'s; None: not known."""
    if job == OBSERVED:
        return OBSERVED
    found = _JOB_ID.fullmatch(job)
    return None if found is None else source_of(found.group(1))


def same_source(theirs: str | None, mine: str, *, newest: bool = True) -> bool:
    """Whether a write from source ``theirs`` (``source_of``) is the base of a file read as
    source ``mine``: an import of the same key field (labels compared casefolded; either
    not known: any import), an undo's (it gave back, or could not find, the base before
    the job it undid), and a write whose source is not known (a job of a record older than
    sources: read as before, the last write); not an update's, nor the agreements an
    update's load found (``OBSERVED``), nor an import of another key field: those are
    changes made since, as a colleague's. A job a finished undo undid (``UNDONE``): an
    import's writes it still holds are the base, as before; an update's only as the
    field's ``newest`` write — what the deal still holds of it (the deals its undo
    refused) is the base, so the same import file writes over the undone update's values
    there (x51r3 F1) —, not behind a later job's write: that one is a change made since
    the import's write, kept when the file did not change (x53r1 F1: an update's write
    is never the base the walk finds behind a later one)."""
    if theirs is None or theirs == UNDO_SOURCE:
        return True
    if theirs.startswith(UNDONE):
        was = theirs[len(UNDONE):]
        return newest or not was or was.startswith(IMPORT_SOURCE)
    if not theirs.startswith(IMPORT_SOURCE) or not mine.startswith(IMPORT_SOURCE):
        return theirs == mine
    a, b = theirs[len(IMPORT_SOURCE):].casefold(), mine[len(IMPORT_SOURCE):].casefold()
    return not a or not b or a == b


def _who(source: str | None, job: str) -> str | None:
    """How a note names a write of ``job`` (source ``source``): "pdbulk update <job>";
    None for agreements found (``OBSERVED``: no write of this folder's)."""
    if source is None or source == OBSERVED:
        return None
    source = source.removeprefix(UNDONE)
    kind = (source[:len(IMPORT_SOURCE) - 1] if source.startswith(IMPORT_SOURCE)
            else source) or "job"
    return f"pdbulk {kind} {job}"


class LastWritten:
    """The record, read for one account: ``of(deal_id)`` -> {field: digest}. Open with
    ``LastWritten.open`` (None when this state folder never recorded a write); ``close``
    when done."""

    __slots__ = ("_account", "_conn", "_held", "_later", "_names", "_sources", "account",
                 "looked", "source")

    def __init__(self, account: str, conn: sqlite3.Connection) -> None:
        self.account, self._conn = account, conn
        self._names = _Names(conn)
        self._account: int | None = None
        self.looked = 0  # deals looked up (statistics)
        # the source whose writes are the base (``source_of``; an import's load sets it):
        # None, the last write of any job (an update's load)
        self.source: str | None = None
        self._sources: dict[int, str] | None = None  # job id -> source (read once)
        self._later: tuple[int, dict[str, Later]] = (0, {})  # ``later``'s, of the last deal
        self._held: tuple[int, dict[str, str]] = (0, {})  # ``undone_held``'s, of the last deal

    def __repr__(self) -> str:
        return f"LastWritten({self.account!r}, looked={self.looked})"

    @classmethod
    def open(cls, base_url: str) -> LastWritten | None:
        """The record of the account at ``base_url``; None when there is none. Raises
        nothing for a missing record; sqlite3.Error for an unreadable one. The first open
        of a record of the first layout moves it to this one (``_upgrade``)."""
        path = _path()
        if not path.exists():
            return None
        return cls(_account(base_url), _connect(path))

    def of(self, deal_id: int, *, since: float | None = None) -> dict[str, str]:
        """{field: digest of the value this folder last wrote there} for one deal ({}: none);
        ``since`` (Unix seconds): only the fields written at or after it."""
        self.looked += 1
        if self._account is None:  # an account recorded after the open is found then
            self._account = self._names.find("accounts", self.account)
            if self._account is None:
                return {}
        row = self._conn.execute("SELECT fields FROM bases WHERE account = ? AND deal = ?",
                                 (self._account, int(deal_id))).fetchone()
        if row is None:
            self._later, self._held = (int(deal_id), {}), (int(deal_id), {})
            return {}
        if self.source is not None:
            return self._of_source(int(deal_id), _unpack(row[0]), since)
        return {self._names.name("fields", field): raw.hex()
                for field, (raw, at, _, _) in _unpack(row[0]).items()
                if since is None or at >= since}

    def _source(self, job: int) -> str | None:
        """The source of the record's job ``job`` (``source_of``; None: not known)."""
        if self._sources is None:
            self._sources = {}
            if self._conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                  "AND name = 'sources'").fetchone():
                self._sources.update((int(j), str(s)) for j, s in self._conn.execute(
                    "SELECT job, source FROM sources"))
        found = self._sources.get(job)
        return found if found is not None else _named_source(self._names.name("jobs", job))

    def _of_source(self, deal_id: int, fields: Mapping[int, _Entry], since: float | None
                   ) -> dict[str, str]:
        """``of`` for a file of source ``self.source``: per field, the newest write of
        that source (``same_source``), walking the bases each later write replaced (its
        priors, ``DEPTH`` deep); a field another job wrote since is noted (``later``). The
        walk past the record's depth: ``UNKNOWN`` (the source's value not known: the
        comparison keeps Pipedrive's); to a field no write of the source stands behind
        (the record held none before the other job's): ``LEFT_THEIRS`` (the file's value
        is a change on both sides, written and said). ``since``: a field whose newest
        write is older is left out, as is one whose source's write is a prior (its time
        not kept)."""
        assert self.source is not None
        out: dict[str, str] = {}
        later: dict[str, Later] = {}
        held: dict[str, str] = {}
        for field, (raw, at, job, prior) in fields.items():
            if since is not None and at < since:
                continue
            name = self._names.name("fields", field)
            source = self._source(job)
            if same_source(source, self.source, newest=False):
                out[name] = raw.hex()
                continue
            if same_source(source, self.source):  # an undone update's, still the newest
                held[name] = raw.hex()
            level, base, seen = prior, None, [raw.hex()]
            while base is None:
                if level is None:
                    base = UNKNOWN
                elif level == NO_PRIOR:
                    base = LEFT_THEIRS
                elif same_source(self._source(level[1]), self.source, newest=False):
                    base = level[0].hex()
                else:
                    seen.append(level[0].hex())
                    level = level[2]
            later[name] = (tuple(seen), _who(source, self._names.name("jobs", job)),
                           base != UNKNOWN)
            if since is None:
                out[name] = base
        self._later = (deal_id, later)
        self._held = (deal_id, held)
        return out

    def undone_held(self, deal_id: int) -> dict[str, str]:
        """{field: digest} of deal ``deal_id``'s fields whose newest write is a job a
        finished undo undid (``same_source``'s ``UNDONE``; the deals its undo refused), as
        the last ``of`` of that deal found them: ``held_undone`` makes each the base
        where Pipedrive still holds it. {} for another deal, or without a ``source``."""
        deal, found = self._held
        return found if deal == int(deal_id) else {}

    def later(self, deal_id: int) -> dict[str, Later]:
        """{field: (digests, who, known)} of deal ``deal_id``'s fields whose newest write
        is another job's than the source's (``source``: an update's correction after the
        import), as the last ``of`` of that deal found them: the digests those jobs wrote
        since the source's last write, newest first; how a note names the newest one
        ("pdbulk update <job id>"; None: agreements an update's load found, ``OBSERVED``);
        whether the source's own last write was found behind them (False: past the
        record's depth). {} for another deal, or without a ``source``."""
        deal, found = self._later
        return found if deal == int(deal_id) else {}

    def links_by_cells(self) -> dict[str, dict[str, list[tuple[int, str]]]]:
        """{link (``person_id`` / ``org_id``): {digest of the cells that named it
        (``CELLS``): [(deal id, digest of the link's id), ...]}} over every deal this
        folder wrote of the account: which contact each row's cells were linked to. One
        read of the account's record (sqlite3.Error for an unreadable one)."""
        out: dict[str, dict[str, list[tuple[int, str]]]] = {name: {} for name in LINKS}
        if self._account is None:
            self._account = self._names.find("accounts", self.account)
            if self._account is None:
                return out
        wanted: dict[str, tuple[int, int]] = {}
        for name in LINKS:
            link, cells = (self._names.find("fields", name),
                           self._names.find("fields", name + CELLS))
            if link is not None and cells is not None:
                wanted[name] = (link, cells)
        if not wanted:
            return out
        for deal, blob in self._conn.execute("SELECT deal, fields FROM bases WHERE "
                                             "account = ?", (self._account,)):
            fields = _unpack(blob)
            for name, (link, cells) in wanted.items():
                if link in fields and cells in fields:
                    out[name].setdefault(fields[cells][0].hex(), []).append(
                        (int(deal), fields[link][0].hex()))
        return out

    def merged_base(self, survivor: int, merged: int, merged_at: float) -> dict[str, str]:
        """The base of a row whose key's deal ``merged`` a merge (recorded at ``merged_at``,
        Unix seconds: ``jobs.merged_deals.Merge.at``) took into ``survivor``: what this
        folder last wrote for that row is on the merged-away deal, and the merge is a change
        made after it — so a field the merge (or anyone since) changed on the survivor is
        Pipedrive's newer value, kept when the file did not change it (``three_way``). A
        field this folder wrote on the survivor after the merge (the row standing for it,
        a later night) is that write's. {field: digest}; {} when neither is recorded."""
        return {**self.of(merged), **self.of(survivor, since=merged_at)}

    def close(self) -> None:
        self._conn.close()


def written(payload: Mapping[str, Any], action: object,
            result: Mapping[str, Any] | None = None) -> dict[str, str]:
    """{field: digest} an import row's ``payload`` sets as the base once its item settled
    as ``action``: the deal ``created``, the changes ``updated``, the links it sent
    (``person_id`` / ``org_id``: the ids its ``result`` names, as the row resolved them,
    for the ``person`` / ``org`` its payload sends) and the fields the row agreed on with
    Pipedrive (``agreed``: ``updated`` and ``unchanged``); {}: none. A link sent takes the
    digest of the cells that named it (``cells``: link -> digest) beside it (``CELLS``)."""
    body = payload.get("deal") if action == "created" else (
        payload.get("changes") if action == "updated" else None)
    out = {name: digest(value) for name, value in fields_of(body)} \
        if isinstance(body, Mapping) else {}
    if isinstance(body, Mapping):  # a status written empties the reason and times it drops
        out.update((name, digest(None)) for name in cleared_by(body))
    if action in ("created", "updated") and result is not None:
        cells = payload.get("cells")
        for ref, name in (("person", "person_id"), ("org", "org_id")):
            if payload.get(ref) is not None and isinstance(rid := result.get(name), int):
                out[name] = digest(rid)
                if isinstance(cells, Mapping) and isinstance(sign := cells.get(name), str):
                    out[name + CELLS] = sign
    same = payload.get("agreed")
    if action in ("updated", "unchanged") and isinstance(same, Mapping):
        out.update((str(name), str(sign)) for name, sign in same.items()
                   if str(name) not in out)
    return out


def conflicted(changes: Mapping[str, Any], held: Collection[str]) -> dict[str, str]:
    """{field: digest} a PATCH ``changes`` left in flight sets as the base once a resume's
    reconcile settled it as a conflict (someone changed the deal after the send: whether
    it applied is not known): the written fields (``written``) but the groups of those
    still at their before-image (``held``: ``deals.held_before``'s names) — the write did
    not reach them, and the next update must still write the file's value there. The
    others count as this job's write, so the next update's three-way compare reads the
    colleague's value as Pipedrive's newer one and keeps it, noted (x46r10 F1: nothing
    was recorded, and the next update wrote the file's title over the colleague's)."""
    custom = changes.get("custom_fields")
    custom = custom if isinstance(custom, Mapping) else {}
    kept = {CUSTOM + name if name in custom and name not in changes else group_of(name)
            for name in held}
    return {name: sign for name, sign in written({"changes": changes}, "updated").items()
            if group_of(name) not in kept}


def _writes(item: Item, loaded: float) -> Iterator[tuple[int, str, str, float]]:
    """(deal id, field, digest, when) of the base ``item`` sets, settled: what its result
    says it wrote (``written``: a row mapped again in the run, whose stored payload is the
    load's), else what its payload holds (``written``); when: its send, else the job's
    load ``loaded``. A failed item: only the ``written`` its result names (``conflicted``)."""
    payload = item.payload
    result = item.result or payload.get("result") or {}  # skipped at load: in its payload
    if item.state is ItemState.FAILED and not _settled_write(item):
        return
    deal_id = result.get("deal_id")
    if not isinstance(deal_id, int) or isinstance(deal_id, bool):
        return
    signs = result.get("written")
    if not isinstance(signs, Mapping):
        signs = written(payload, result.get("action"), result)
    at = float(item.sent_at or loaded)
    for name, sign in signs.items():
        yield deal_id, str(name), str(sign), at


def _settled_write(item: Item) -> bool:
    """Whether ``item`` is one the record takes: done, skipped, or failed as a conflict
    whose result names what it counts as written (``conflicted``). Other failed items are
    neither recorded nor marked: a ``pdbulk retry`` may still settle them done."""
    if item.state in (ItemState.DONE, ItemState.SKIPPED):
        return True
    return item.state is ItemState.FAILED and isinstance(
        (item.result or {}).get("written"), Mapping)


_RECORDED = (ItemState.DONE, ItemState.SKIPPED, ItemState.FAILED)


def record_job(store: JobStore, base_url: str) -> int:
    """Record the writes ``store``'s job saw done on the account at ``base_url`` since the
    last call (a field recorded by a later write keeps that one): only the items settled
    since then are read and written, ``_BATCH`` per transaction, each marked in the job
    store (lookup ``MARKS``) once recorded — a resume of a 1M-row job no longer writes its
    ~10M fields again, and items settled by a run killed before its end are recorded by
    the next. Memory: one batch. Returns the fields recorded or updated. Raises
    sqlite3.Error / OSError when the state folder cannot be written, StoreError when the
    job store cannot."""
    writer = _Writer(store, base_url)
    try:
        return writer.unmarked()
    finally:
        writer.close()


class _Writer:
    """The record open for one job's writes on one account: ``write`` items, then
    ``close``. Blocking; one thread at a time. Raises as ``record_job``."""

    __slots__ = ("_account", "_conn", "_job", "_names", "_store")

    def __init__(self, store: JobStore, base_url: str) -> None:
        self._store, self._job = store, store.job_id
        self._account = _account(base_url)
        self._conn = _writable()
        self._names = _Names(self._conn)
        with self._conn:  # which source its writes are (``same_source``)
            _note_source(self._conn, self._names.id("jobs", self._job), source_of(
                store.kind, store.meta_get(KEY_LABEL) if store.kind == "import" else None))

    def unmarked(self) -> int:
        """Record every item of the job settled and not marked yet."""
        return self.write(i for i in self._store.items_unmarked(_RECORDED, MARKS)
                          if _settled_write(i))

    def write(self, items: Iterable[Item]) -> int:
        """Record ``items`` (settled, none marked yet), ``_BATCH`` per transaction, and
        mark them. Returns the fields recorded or updated."""
        conn, names, store, recorded = self._conn, self._names, self._store, 0
        items = iter(items)
        loaded = float(store.created_at or 0.0)
        while batch := list(islice(items, _BATCH)):
            with conn:  # the record first, then its marks: a kill between records again
                conn.execute("BEGIN IMMEDIATE")
                recorded += _merge(conn, names, names.id("accounts", self._account),
                                   names.id("jobs", self._job), batch, loaded)
            store.lookup_put_many(MARKS, ((str(item.id), item.id) for item in batch))
        return recorded

    def close(self) -> None:
        self._conn.close()


def _merge(conn: sqlite3.Connection, names: _Names, account: int, job: int,
           batch: Iterable[Item], loaded: float) -> int:
    """Set the bases ``batch``'s items wrote on ``account``'s deals, a field's later write
    kept over an earlier one (in the caller's transaction). Returns the fields set."""
    return _put(conn, names, account, job,
                (write for item in batch for write in _writes(item, loaded)))


def _put(conn: sqlite3.Connection, names: _Names, account: int, job: int,
         writes: Iterable[tuple[int, str, str, float]]) -> int:
    """Set the bases ``writes`` name ((deal, field, digest, when)), a field's later base
    kept over an earlier one (in the caller's transaction). Returns the fields set."""
    new: dict[int, dict[int, _Entry]] = {}
    ids = names.ids("fields")
    for deal, name, sign, at in writes:
        try:
            raw = bytes.fromhex(sign)
        except ValueError:
            continue
        if len(raw) != _DIGEST_BYTES:
            continue
        if (fields := new.get(deal)) is None:
            new[deal] = fields = {}
        if (field := ids.get(name)) is None:
            field = names.id("fields", name)
        if field not in fields or at >= fields[field][1]:
            fields[field] = (raw, at, job, NO_PRIOR)
    if not new:
        return 0
    deals = sorted(new)
    old: dict[int, dict[int, _Entry]] = {}
    for n in range(0, len(deals), _VARS):
        part = deals[n:n + _VARS]
        old.update((int(deal), _unpack(blob)) for deal, blob in conn.execute(
            f"SELECT deal, fields FROM bases WHERE account = ? AND deal IN "
            f"({','.join('?' * len(part))})", (account, *part)))
    recorded, rows = 0, []
    for deal in deals:
        fields = old.get(deal, {})
        for field, entry in new[deal].items():
            if field not in fields:
                fields[field] = entry
                recorded += 1
            elif entry[1] >= (was := fields[field])[1]:
                # the base before this job's write: kept across its own later writes
                # (x51r12 F1), the bases before it kept ``DEPTH`` deep
                fields[field] = (*entry[:3], was[3] if was[2] == job
                                 else _chained((was[0], was[2], was[3])))
                recorded += 1
        rows.append((account, deal, _pack(fields)))
    conn.executemany("INSERT OR REPLACE INTO bases VALUES (?, ?, ?)", rows)
    return recorded


class Recorder:
    """A run's writes recorded as its items settle, not all at its end: a first run's end
    adds little, and a kill -9 leaves unrecorded only what settled since the last batch
    (recorded by the resume: every item is marked once recorded, ``record_job``).

    ``start()`` as the run starts: what settled before it (rows skipped at load, a killed
    run's) is recorded. ``settled(item_id)`` for each item the run settles: every
    ``every`` items, or ``seconds`` after the first of them, those are recorded. Each in
    one worker thread of its own, one batch at a time (never on the event loop, never two
    at once: a batch that comes while one is written waits for the next). ``close()`` at
    the run's end (blocking): waits for the batch being written, then records what is
    left (``record_job``: the items no batch reached — reconciled, re-check skipped —
    too). A batch that fails is logged once and left to ``close``. Memory: the ids noted
    since the last batch."""

    __slots__ = ("_base_url", "_due", "_error", "_noted", "_pool", "_running", "_store",
                 "_writer", "at_end", "busy", "every", "recorded", "seconds")

    def __init__(self, store: JobStore, base_url: str, *, every: int | None = None,
                 seconds: float = 30.0) -> None:
        self._store, self._base_url = store, base_url
        self.every, self.seconds = every or _BATCH, seconds
        self._noted: set[int] = set()  # the items settled since the last batch
        self._due: float | None = None  # monotonic time the noted ids are due
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="last-written")
        self._running: Future[set[int]] | None = None
        self._error: BaseException | None = None
        self._writer: _Writer | None = None  # the record, open in the thread's batches
        self.recorded = 0  # fields recorded or updated (statistics)
        self.at_end = 0  # of those, by ``close`` (statistics)
        self.busy = 0.0  # CPU seconds its thread spent on the run's batches (statistics)

    def __repr__(self) -> str:
        busy = self._running is not None and not self._running.done()
        return (f"Recorder({self._store.job_id!r}, noted={len(self._noted)}, "
                f"recorded={self.recorded}, busy={self.busy:.2f}s, "
                f"{'writing' if busy else 'idle'})")

    def start(self) -> None:
        """Record what settled before this run (in the worker thread)."""
        self._submit(set(), everything=True)

    def settled(self, item_id: int) -> None:
        """Note an item the run settled (its outcome stored now or soon); records the noted
        ones when ``every`` are noted or ``seconds`` passed, unless a batch is being
        written. Never blocks."""
        if self._error is not None:  # a batch failed: the run's end records the rest
            return
        self._noted.add(item_id)
        now = time.monotonic()
        if self._due is None:
            self._due = now + self.seconds
        if len(self._noted) < self.every and now < self._due:
            return
        if not self._idle():
            return
        noted, self._noted, self._due = self._noted, set(), None
        self._submit(noted)

    def _idle(self) -> bool:
        """No batch being written; a finished one's ids not stored yet are noted again."""
        running = self._running
        if running is None:
            return True
        if not running.done():
            return False
        self._running = None
        if (exc := running.exception()) is not None:
            self._error = exc
            _log.warning("the state folder's record of what this job wrote could not be "
                         "written as the run went (%s): it is written at the run's end", exc)
            return False
        self._noted |= running.result()  # their outcomes stored by now, or soon
        return True

    def _submit(self, noted: set[int], *, everything: bool = False) -> None:
        # in this context: the run's bound token names the record's account (``_account``)
        self._running = self._pool.submit(contextvars.copy_context().run, self._record,
                                          noted, everything)

    def _record(self, noted: set[int], everything: bool) -> set[int]:
        """The worker thread's batch: ``noted`` items settled in the job store and not
        marked yet are recorded (``everything``: every such item). Returns the noted ids
        whose outcome the run has not stored yet (it stores them a batch at a time, or
        ``Runner.flush_seconds`` after: noted again, for the next batch; at most those
        the runner holds)."""
        started = time.thread_time()
        try:
            return self._record_noted(noted, everything)
        finally:
            self.busy += time.thread_time() - started

    def _record_noted(self, noted: set[int], everything: bool) -> set[int]:
        store = self._store
        if self._writer is None:
            self._writer = _Writer(store, self._base_url)
        if everything:
            self.recorded += self._writer.unmarked()
            return set()
        marked = store.lookup_get_many(MARKS, (str(i) for i in noted))
        ready, later = [], set()
        # read together, 500 ids a query: one query an item cost a quarter of the
        # recorder's CPU (benchmarks/bench_last_written, 200k rows: 10.6 -> 8.7 s, f34f)
        for item in store.items_by_id(i for i in noted if str(i) not in marked):
            if _settled_write(item):
                ready.append(item)
            elif item.state is ItemState.SENDING:
                later.add(item.id)
        if ready:
            self.recorded += self._writer.write(ready)
        return later

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the batch being written, if any (blocking: a test's or a benchmark's
        pacing; a run never waits). Raises TimeoutError past ``timeout`` seconds; its error
        is the run end's (``close``)."""
        if (running := self._running) is not None:
            with contextlib.suppress(Exception):
                running.result(timeout)
            if not running.done():
                raise TimeoutError(f"the record's batch is still being written after "
                                   f"{timeout} s")

    def close(self) -> int:
        """Wait for the batch being written, then record what is left (``record_job``).
        Blocking: from a worker thread. Returns the fields recorded or updated by the whole
        run. Raises what ``record_job`` raises."""
        failed = self._error
        try:
            if (running := self._running) is not None:
                try:
                    running.result()
                except Exception as exc:  # its items are recorded below
                    failed = exc
        finally:
            self._pool.shutdown(wait=True)
        self._noted.clear()
        writer, self._writer = self._writer, None
        if writer is not None and failed is not None:  # opened again (a batch failed)
            writer.close()
            writer = None
        writer = writer or _Writer(self._store, self._base_url)
        try:
            self.at_end = writer.unmarked()
        finally:
            writer.close()
        self.recorded += self.at_end
        return self.recorded


OBSERVED = "observed"  # the record's job name for agreements a load observed (``observe``)


def observe(base_url: str, agreements: Iterable[tuple[int, Mapping[str, str]]], *,
            at: float, job: str = OBSERVED) -> int:
    """Record ``agreements`` — (deal id, {field: digest} where the row and the deal agreed:
    ``agreed``) — found at ``at`` (Unix seconds) by a load that writes nothing itself (a
    ``plan update`` or an update's load): the value both sides held is the base of the next
    three-way comparison, so a colleague's edit made between the plan and the run is kept
    (x46r3 F1). A field recorded later keeps its base. ``_BATCH`` deals per transaction;
    memory: one batch. Returns the fields recorded. Raises sqlite3.Error / OSError when
    the state folder cannot be written."""
    agreements = iter(agreements)
    first = next(agreements, None)
    if first is None:
        return 0
    account = _account(base_url)
    conn = _writable()
    names = _Names(conn)
    recorded = 0
    try:
        rest = chain((first,), agreements)
        while batch := list(islice(rest, _BATCH)):
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                _note_source(conn, names.id("jobs", job), OBSERVED)
                recorded += _put(conn, names, names.id("accounts", account),
                                 names.id("jobs", job),
                                 ((int(deal), str(name), str(sign), at)
                                  for deal, signs in batch for name, sign in signs.items()))
        return recorded
    finally:
        conn.close()


def forget(base_url: str, deal_ids: Iterable[int], *, job: str | None = None,
           only: Mapping[int, Collection[str]] | None = None) -> int:
    """Drop what this folder recorded for ``deal_ids`` on the account at ``base_url``: every
    field (an undo deleted them), or with ``job`` the fields that job recorded only (an undo
    of ``job`` restored them: the fields earlier imports wrote, untouched by it, keep their
    base). ``only`` narrows a deal to the named fields (record names, ``fields_of``): an
    undo that put a deal back in part keeps the base of the groups it left, so the next
    upsert still reads the colleague's value there as Pipedrive's newer one. Returns the
    fields dropped. Raises sqlite3.Error / OSError."""
    ids = sorted({int(i) for i in deal_ids})
    dropped = 0
    with _writing(base_url, ids) as opened:
        if opened is not None:
            conn, names, account = opened
            undone = names.find("jobs", job) if job is not None else None
            if job is not None and undone is None:
                return 0
            for deal, fields in _deals(conn, account, ids):
                named = only.get(deal) if only is not None else None
                # a link put back forgets the cells that named it too
                named = None if named is None else {
                    *named, *(n + CELLS for n in LINKS if n in named)}
                wanted = (None if named is None else
                          {i for n in named if (i := names.find("fields", n)) is not None})
                kept = {f: e for f, e in fields.items()
                        if (undone is not None and e[2] != undone)
                        or (wanted is not None and f not in wanted)}
                dropped += len(fields) - len(kept)
                if len(kept) < len(fields):
                    _store(conn, account, deal, kept)
    return dropped


def rebase(base_url: str, bases: Mapping[int, Mapping[str, str | None]], *, undone: str,
           job: str, at: float, left: Mapping[int, Collection[str]] | None = None) -> int:
    """After an undo (``job``) of the job ``undone``: each field of ``bases`` — deal id ->
    {field (record name, ``fields_of``): digest of its before-image value, None when the
    before-image does not hold it} — whose base on the account at ``base_url`` is
    ``undone``'s write gets back the base the record held before that write (its prior,
    ``_put``): that digest and job, at ``at`` (Unix seconds); none then: dropped (a
    first write's field is written again as a first import would) — but a field of
    ``left`` (deal id -> fields the undo left as a colleague changed them) takes
    ``LEFT_THEIRS`` (no write of this folder stands there: the next file's value is a
    change on both sides, written and said, as on a field whose base is given back; x51r3
    F2; a link's cells dropped). A prior not known (a base recorded before priors were
    kept): the before-image's digest when it is the undone write's own (the job changed
    nothing there), else ``UNKNOWN`` (Pipedrive's value kept), written by ``job``. A base
    a later job wrote, or none, is left. A link's cells (``CELLS``) follow the link the
    same way (not known: dropped).

    x50r10 F1: import (Gold), a colleague (Bronze), update (Silver), undo (Bronze back):
    the before-image Bronze as the base read the same import file's Gold as "changed in
    the file only", written over the colleague's Bronze (14 of 14 fields); the prior, the
    import's Gold, reads it as unchanged. x50r5 F1: the undone update's Silver stayed the
    base of a Tier the undo left as a colleague set it. Returns the fields set or dropped.
    Raises sqlite3.Error / OSError."""
    ids = sorted(int(i) for i in bases)
    changed = 0
    with _writing(base_url, ids) as opened:
        if opened is not None:
            conn, names, account = opened
            source = names.find("jobs", undone)
            if source is None:
                return 0
            mine = names.id("jobs", job)
            _note_source(conn, mine, UNDO_SOURCE)
            for deal, fields in _deals(conn, account, ids):
                kept = (left or {}).get(deal) or ()
                for name, sign in bases[deal].items():
                    field = names.find("fields", name)
                    if field is None or field not in fields or fields[field][2] != source:
                        continue
                    cells = names.find("fields", name + CELLS) if name in LINKS else None
                    if name in kept and fields[field][3] == NO_PRIOR:
                        fields[field] = (bytes.fromhex(LEFT_THEIRS), at, mine, NO_PRIOR)
                        changed += 1
                        if cells is not None and cells in fields and fields[cells][2] == source:
                            del fields[cells]  # the row's cells are matched again
                        continue
                    changed += _give_back(fields, field, sign, at, mine)
                    if cells is not None and cells in fields and fields[cells][2] == source:
                        changed += _give_back(fields, cells, None, at, mine)
                _store(conn, account, deal, fields)
    return changed


def undone(job: str) -> bool:
    """Note the job ``job`` (its id) undone (``UNDONE``): once an undo of it is done —
    every row of the undo settled (``jobs.undo.bases.settle_written``) —, what it still
    holds on a deal where nothing wrote since (the deals its undo refused) is the base of
    the next import's comparison, its value written over as the undo would have (x51r3
    F1). Not before: an undo stopped at its cap, killed or in doubt leaves the deals it has
    not reached as the job wrote them — a change made in Pipedrive since the import, kept
    and named (x53r1 F1-F3: the undone job's write stood as the base of every deal the
    undo had not reached, and the unchanged file wrote over a later update's and a
    colleague's values there, "changed both", 54 of 80). Returns whether the record knows
    the job (False: no record, or no write of it recorded). Raises sqlite3.Error /
    OSError."""
    path = _path()
    if not path.exists():
        return False
    conn = _connect(path)
    try:
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            found = _Names(conn).find("jobs", job)
            if found is None:
                return False
            _note_undone(conn, found, job)
            return True
    finally:
        conn.close()


@contextlib.contextmanager
def _writing(base_url: str, ids: list[int]
             ) -> Iterator[tuple[sqlite3.Connection, _Names, int] | None]:
    """``forget`` / ``rebase``'s one write transaction on the record: (the connection, its
    names, the account's id), ``BEGIN IMMEDIATE`` taken and committed on leaving (rolled
    back on an error), the connection closed after; None (nothing opened or nothing to
    change) without ``ids``, a record file, or the account in it."""
    path = _path()
    if not ids or not path.exists():
        yield None
        return
    account_name = _account(base_url)
    conn = _connect(path)
    try:
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            names = _Names(conn)
            account = names.find("accounts", account_name)
            yield None if account is None else (conn, names, account)
    finally:
        conn.close()


def _deals(conn: sqlite3.Connection, account: int, ids: list[int]
           ) -> Iterator[tuple[int, dict[int, _Entry]]]:
    """``forget`` / ``rebase``: each recorded deal of ``ids`` on ``account`` with its
    unpacked fields, read ``_VARS`` ids a query."""
    for n in range(0, len(ids), _VARS):
        part = ids[n:n + _VARS]
        for deal, blob in conn.execute(
                f"SELECT deal, fields FROM bases WHERE account = ? AND deal IN "
                f"({','.join('?' * len(part))})", (account, *part)).fetchall():
            yield int(deal), _unpack(blob)


def _store(conn: sqlite3.Connection, account: int, deal: int,
           fields: Mapping[int, _Entry]) -> None:
    """A deal's ``fields`` written back: its row deleted when none is left."""
    if fields:
        conn.execute("UPDATE bases SET fields = ? WHERE account = ? AND deal = ?",
                     (_pack(fields), account, deal))
    else:
        conn.execute("DELETE FROM bases WHERE account = ? AND deal = ?", (account, deal))


def _give_back(fields: dict[int, _Entry], field: int, sign: str | None, at: float,
               mine: int) -> int:
    """``rebase`` of one field of a deal's ``fields``; returns 1."""
    raw, _, _, prior = fields[field]
    if prior == NO_PRIOR:
        del fields[field]
    elif prior is not None:  # its own prior with it: an undo of that job gives it back
        fields[field] = (prior[0], at, prior[1], prior[2])
    elif sign is not None and sign == raw.hex():
        fields[field] = (raw, at, mine, None)
    else:
        fields[field] = (bytes.fromhex(UNKNOWN), at, mine, None)
    return 1


__all__ = ["BASE_NOT_KNOWN", "CELLS", "CUSTOM", "DEPTH", "EDITED_UNKNOWN", "FILE", "GROUP_NAMES",
           "IMPORT_SOURCE", "KEY_LABEL", "LINKS", "LEFT_THEIRS", "MARKS", "NO_PRIOR", "OBSERVED",
           "UNDO_SOURCE", "UNKNOWN", "LastWritten", "Recorder", "ThreeWay", "account_of",
           "agreed", "cleared_by", "conflicted", "digest", "dropped", "fields_of", "forget",
           "group_of", "held_undone", "Later", "met", "observe", "rebase", "record_job", "same_source",
           "source_of", "three_way", "undone", "written"]
