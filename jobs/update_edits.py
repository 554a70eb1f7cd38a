"""An update's three-way comparison: a colleague's edit made before the update read the
deals is kept, as the upsert import keeps one (``jobs.last_written``; x46r3 F1).

A full export carries every column, the user changes one (Value), and `pdbulk update` sent
the export's stale title and owner over a colleague's edit made between `plan update` and
`update` (5 of 5). Edits made after the update's load are guarded already (conflicts:
``jobs.patch_job``); this covers the time before it. Per deal and field the manifest maps,
the load compares three values, by the upsert's rule (``last_written.three_way``): the
*base* — what this state folder last wrote there (an import, an update) or last found the
row and the deal agreeing on (a `plan update`, an update's load, an import) —, the deal
now and the row:

- the row as the base, the deal not: changed in Pipedrive since, not in the file: not
  sent, said on the row (``kept``), the plan counting it as not changed;
- the row and the deal both other than the base: changed on both sides: the file's value
  is written (an instruction), its note naming Pipedrive's value it replaced;
- groups of fields (an amount with its currency, a status with its reason and times, a
  stage with its pipeline) decided whole, as the upsert decides them;
- no base (no plan, import or update of this state folder saw the deal's field): the
  file's value is written, as before.

Each load (a plan's too: a fact about the account and the file, nothing written to
Pipedrive) records the fields where the row and the deal agree (``last_written.observe``);
an update's run records what it wrote as its rows settle (``UpdateJob``:
``last_written.Recorder``), so its undo forgets them as an import's (``jobs.undo``); what
a run killed before its end settled — an update's, an import's (f47e) — is recorded as
the next load opens the record (``last_written_runs.caught_up``, x46r6 F1), its writes in
doubt said, not recorded.
Never imports ``jobs.updating``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bulk.clock import in_thread
from bulk.store import Item, ItemState
from bulk.token_key import folder_secret
from bulk.wording import counted

from .catalog import Catalog
from .deals import label, shown, value_key
from .last_written import (
    BASE_NOT_KNOWN,
    CUSTOM,
    EDITED,
    EDITED_UNKNOWN,
    GROUP_NAMES,
    LastWritten,
    ThreeWay,
    agreed,
    digest,
    edited_counts,
    fields_of,
    group_of,
    observe,
    three_way,
)
from .last_written_runs import caught_up
from .plan_seen import AGE, keep, sealed, seen

SINCE = "since this state folder's last plan, update or import found or wrote the file's value"


@dataclass(frozen=True, slots=True)
class Ruled:
    """A row's PATCH after the comparison: ``changes`` to send, its ``note`` (None: none),
    its ``counts`` (``ThreeWay.counts()``) and the fields it ``agreed`` on with the deal
    ({field: digest}, for the record)."""

    changes: dict[str, Any]
    note: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    agreed: dict[str, str] = field(default_factory=dict)


def row_note(decided: ThreeWay, labels: Mapping[str, str]) -> str | None:
    """A row's note on the fields ``decided`` kept, wrote over a change made in Pipedrive,
    or held with their group; custom fields by their ``labels`` (code -> name); None: none."""
    def name(f: str) -> str:  # "owner" as the changed-since note says it (x48r2 F5)
        return field_word(f, labels)

    def pairs(fields: Iterable[tuple[str, Any, Any]]) -> str:
        return ", ".join(f"{name(f)}: {shown(f, now, labels)} in Pipedrive, "
                         f"{shown(f, value, labels)} in the file" for f, now, value in fields)
    notes = []
    if (known := decided.kept_part(unknown=False)).kept:
        notes.append(f"kept Pipedrive's {kept_names(known, name, labels)}: "
                     f"changed in Pipedrive {SINCE}, not in the file: not sent")
    if (unknown := decided.kept_part(unknown=True)).kept:  # x52r5 F2
        notes.append(f"kept Pipedrive's {kept_names(unknown, name, labels)}, not sent: "
                     f"base not known ({BASE_NOT_KNOWN})")
    if decided.both:
        whole = [GROUP_NAMES[g] for g in dict.fromkeys(group_of(f) for f, _, _ in
                                                       decided.both) if g in GROUP_NAMES]
        notes.append(f"changed both in Pipedrive and in the file {SINCE}: the file's value "
                     f"written over Pipedrive's ({pairs(decided.both)}"
                     + (f"; written whole: {', '.join(whole)}" if whole else "") + ")")
    if decided.held:
        notes.append(f"changed in the file, not sent: the status was changed in Pipedrive "
                     f"{SINCE}, and its reason and times go with it, kept whole "
                     f"({pairs(decided.held)})")
    return "; ".join(notes) or None


# a status's members as a kept group's note names them (``kept_names``)
_STATUS_WORDS = {"lost_reason": "lost reason", "won_time": "won time",
                 "lost_time": "lost time", "close_time": "close time"}


def kept_names(decided: ThreeWay, name: Callable[[str], str],
               labels: Mapping[str, str] | None = None) -> str:
    """The fields ``decided`` kept, a group of fields (``deals.FIELD_GROUPS``) named as a
    group, as undo names groups, by what Pipedrive changed in it (``ThreeWay.moved``),
    after "kept Pipedrive's": "status with its lost reason" (only the reason moved; before,
    "lost_reason, status": the status untouched named too), "status with its reason and
    times" (the status moved), "stage with its pipeline" (before, "stage_id" alone when
    the deal moved pipeline; "stage (Sales U+203A Won)" when ``labels`` name the stage Pipedrive
    holds, x48r2 F5), "amount with its currency"; any other field by ``name``."""
    out: list[str] = []
    for group in dict.fromkeys(group_of(f) for f, _, _ in decided.kept):
        members = [f for f, _, _ in decided.kept if group_of(f) == group]
        if group == "status":
            moved = [w for f, w in _STATUS_WORDS.items() if f in decided.moved]
            out.append("status with its reason and times" if "status" in decided.moved
                       or not moved else f"status with its {' and '.join(moved)}")
        elif group == "value":
            out.append("amount with its currency")
        elif group == "stage_id":
            now = next((v for f, v, _ in decided.kept if f == "stage_id"), None)
            called = (labels or {}).get(value_key("stage_id", now))
            out.append(f"stage ({called})" if called else "stage with its pipeline")
        else:
            out.extend(name(f) for f in members)
    return ", ".join(out)


class UpdateRecord:
    """The state folder's record (``jobs.last_written``) as an update's load reads it: the
    base of each deal (``base``), each row's comparison (``rule``), the agreements found
    (written by ``finish``). ``open`` it (None without a base URL), ``close`` when done.
    An unreadable record: every differing field is sent, as before, and said (``notes``)."""

    __slots__ = ("_agreed", "_base_url", "_bases", "_counts", "_labels", "_record", "_saw",
                 "_secret", "_seen", "_seen_since", "notes", "unsent")

    def __init__(self, base_url: str, record: LastWritten | None, *,
                 at: float | None = None) -> None:
        self._base_url, self._record = base_url, record
        # the sightings read: those of the last ``plan_seen.AGE`` before the load (``at``)
        self._seen_since = None if at is None else at - AGE
        self._bases: dict[int, dict[str, str]] = {}  # read ahead (``read``), each used once
        self._agreed: list[tuple[int, dict[str, str]]] = []  # (deal, agreement) found
        self._counts = {"kept": 0, "kept_deals": 0, "both": 0, "held": 0, "unknown": 0}
        self._labels: dict[str, str] | None = None  # custom fields, code -> name
        # Pipedrive's values a load before saw where the file differed, read ahead as the
        # bases; and this load's, kept by ``finish`` (``jobs.plan_seen``: x47r8 F2)
        self._seen: dict[int, dict[str, str]] = {}
        self._saw: list[tuple[int, dict[str, str]]] = []
        self._secret: bytes | None = None  # the sightings' key (``bulk.token_key``)
        self.notes: list[str] = []
        # the fields ``rule`` kept or held (not sent) of each deal of the page, for the
        # foreign-ids tally (``jobs.foreign_ids``: a colleague's change is not the row's)
        self.unsent: dict[int, frozenset[str]] = {}

    def __repr__(self) -> str:
        return f"UpdateRecord(agreed={len(self._agreed)}, counts={self._counts})"

    @classmethod
    async def open(cls, base_url: str | None, *, at: float | None = None
                   ) -> UpdateRecord | None:
        """The record of the account at ``base_url`` (opened off the loop: the token's key
        reads the state folder's secret); None when ``base_url`` is None. ``at``: the load's
        time (Unix seconds; None: every sighting kept is read, whatever its age)."""
        if not base_url:
            return None
        try:  # first what a run killed before its end left unrecorded (x46r6 F1)
            record, caught = await in_thread(lambda: caught_up(base_url))
            made = cls(base_url, record, at=at)
        except (OSError, sqlite3.Error) as exc:
            made = cls(base_url, None, at=at)
            made.notes.append(f"the state folder's record of what this machine wrote or found "
                              f"could not be read ({exc}): every differing field is sent")
            return made
        made.notes.extend(caught)
        return made

    async def read(self, deal_ids: Iterable[int]) -> None:
        """The bases of ``deal_ids`` (a page of deals: ``IDS_PER_CALL`` at most; those of
        the page before dropped, so memory holds one page) read ahead in one worker thread
        (``bulk.clock.in_thread``: a primary-key read each, ~10 µs, off the event loop —
        STYLE 5), for ``rule`` to take. Raises what the record's reads raise
        (sqlite3.Error), as ``rule`` would have."""
        record, self._bases = self._record, {}  # the page before's: rows that failed first
        self.unsent = {}
        ids = list(dict.fromkeys(deal_ids))
        if record is not None and ids:
            self._bases = await in_thread(lambda: {d: record.of(d) for d in ids})
        if ids:
            url, since, self._seen = self._base_url, self._seen_since, {}
            self._seen = {d: {} for d in ids} | await in_thread(
                lambda: seen(url, ids, since=since))
            if self._secret is None:
                self._secret = await in_thread(folder_secret)

    def base(self, deal_id: int) -> Mapping[str, str]:
        """The base of ``deal_id`` (field -> digest; {}: none), as ``rule`` will take it:
        read ahead by ``read``, else read here (on the caller's thread: ~10 µs) and kept
        for ``rule``."""
        base = self._bases.get(deal_id)
        if base is None:
            base = self._record.of(deal_id) if self._record is not None else {}
            self._bases[deal_id] = base
        return base

    def rule(self, deal_id: int, current: Mapping[str, Any], wanted: Mapping[str, Any],
             changes: dict[str, Any], catalog: Catalog) -> Ruled:
        """``changes`` (``deals.deal_changes`` of ``wanted`` against the deal ``current``)
        decided against the deal's base (read ahead by ``read``; a deal not read ahead is
        read here, on the caller's thread: ~10 µs); the agreement kept for ``finish``; a
        note names custom fields by ``catalog``'s names."""
        base = self._bases.pop(deal_id, None)
        if base is None:
            base = self._record.of(deal_id) if self._record is not None else {}
        before = self._seen.pop(deal_id, None)
        if before is None:
            before = seen(self._base_url, (deal_id,), since=self._seen_since).get(deal_id, {})
        same = agreed(wanted, changes, base)
        if same:
            self._agreed.append((deal_id, same))
        # Pipedrive's values where the file differs and no base is: kept for the next load;
        # one other than the last load saw was changed there since (x47r8 F2)
        now = {name: value for name, value in _values_now(current, changes)
               if name not in base}
        if now and self._secret is None:  # (a deal not read ahead: on this thread)
            self._secret = folder_secret()
        if saw := {name: sealed(self._secret or b"", digest(value))
                   for name, value in now.items()}:
            self._saw.append((deal_id, saw))
        if (not base or not changes) and not (set(before) & set(saw)):
            return Ruled(changes, agreed=same)
        decided = three_way(current, changes, base)
        if decided.unsent:
            self.unsent[deal_id] = decided.unsent
        sent = {name for name, _ in fields_of(decided.changes)}
        moved = [(name, now[name]) for name in saw
                 if name in sent and before.get(name, saw[name]) != saw[name]]
        counts = decided.counts()
        if moved:
            counts["both"] = counts.get("both", 0) + len(moved)
        for what, n in counts.items():
            self._counts[what] += n
        self._counts["kept_deals"] += bool(decided.kept)
        if self._labels is None:
            self._labels = note_labels(catalog)
        note = "; ".join(filter(None, (row_note(decided, self._labels),
                                       _moved_note(moved, self._labels))))
        return Ruled(decided.changes, note or None, counts, same)

    def plan_note(self) -> str | None:
        """The plan's line on the fields kept, written over Pipedrive's or held (None:
        none)."""
        c = self._counts
        parts = []
        if known := c["kept"] - c["unknown"]:
            parts.append(f"{counted(known, 'field')} of {counted(c['kept_deals'], 'deal')} "
                         f"changed in Pipedrive {SINCE}, not in the file: kept (not sent; "
                         "succeeded.csv's note names them)")
        if c["unknown"]:  # x52r5 F2: nobody is known to have changed them
            parts.append(f"{counted(c['unknown'], 'field')} whose base is not known "
                         f"({BASE_NOT_KNOWN}): kept (not sent; succeeded.csv's note names "
                         "them)")
        if c["both"]:
            parts.append(f"{counted(c['both'], 'field')} changed both in Pipedrive and in the "
                         f"file {SINCE}: the file's value written (succeeded.csv's note names "
                         "Pipedrive's)")
        if c["held"]:
            parts.append(f"{counted(c['held'], 'field')} changed in the file, not sent: their "
                         "deal's status was changed in Pipedrive, its reason and times kept "
                         "with it")
        return "; ".join(parts) or None

    async def finish(self, at: float) -> None:
        """Record the agreements found (``last_written.observe``, off the loop; ``at``: the
        load's time). A record that cannot be written is said in ``notes``."""
        saw, self._saw = self._saw, []
        if saw:
            try:
                await in_thread(lambda: keep(self._base_url, saw, at=at))
            except (OSError, sqlite3.Error) as exc:
                self.notes.append(f"the state folder's record of the values the plan saw in "
                                  f"Pipedrive could not be written ({exc}): a change made "
                                  "there before the update is not said")
        agreements, self._agreed = self._agreed, []
        if not agreements:
            return
        try:
            await in_thread(lambda: observe(self._base_url, agreements, at=at))
        except (OSError, sqlite3.Error) as exc:
            self.notes.append(f"the state folder's record of the fields the file and the "
                              f"deals agree on could not be written ({exc}): a later update "
                              "sends every differing field")

    def close(self) -> None:
        if self._record is not None:
            self._record.close()
            self._record = None


def note_labels(catalog: Catalog) -> dict[str, str]:
    """What a row's note calls things: custom field code -> its name, and
    ``value_key(field, id)`` -> what the id is called."""
    labels = {f.code: f.name for f in catalog.deal_fields if f.is_custom}
    labels |= {value_key(code, i): name for code in _NAMED
               for i, name in catalog.value_names(code).items()}
    # an option field's value by its label, as the note names the field (x48r2 F5:
    # "Lead source changed in Pipedrive since the plan (4)")
    labels |= {value_key(CUSTOM + f.code if f.is_custom else f.code, o.id): o.label
               for f in catalog.deal_fields for o in f.options}
    return labels


# fields whose ids a note names by what they are called (``Catalog.value_names``)
_NAMED = ("stage_id", "pipeline_id", "owner_id")
_WORDS = {"stage_id": "stage", "pipeline_id": "pipeline", "owner_id": "owner",
          "value": "amount", "person_id": "person", "org_id": "organization"}


def field_word(name: str, labels: Mapping[str, str]) -> str:
    """What a row's note calls field ``name`` (a record name: ``value``, ``stage_id``,
    ``custom_fields.<code>``): ``amount``, ``stage``, ``owner``, ``person``,
    ``organization``, a custom field (its code, bare or so prefixed) by its name in
    ``labels`` (code -> name; its code when not there); any other field by its key
    (``title``, ``expected_close_date``)."""
    if name.startswith(CUSTOM):
        return label(name[len(CUSTOM):], labels)
    return _WORDS.get(name) or label(name, labels)


def _values_now(current: Mapping[str, Any], changes: Mapping[str, Any]
                ) -> list[tuple[str, Any]]:
    """(field, Pipedrive's value now) of each field ``changes`` sends (record names)."""
    stored = current.get("custom_fields") or {}
    return [(name, stored.get(name[len(CUSTOM):]) if name.startswith(CUSTOM)
             else current.get(name)) for name, _ in fields_of(changes)]


def _moved_note(moved: list[tuple[str, Any]], labels: Mapping[str, str]) -> str | None:
    """A row's note on the fields Pipedrive changed since the last load saw them, the
    file's value written: "stage changed in Pipedrive since the plan (Qualified), the
    file's written" (None: none)."""
    if not moved:
        return None
    def name(f: str) -> str:
        return (label(f[len(CUSTOM):], labels) if f.startswith(CUSTOM)
                else _WORDS.get(f, f))
    return "; ".join(f"{name(f)} changed in Pipedrive since the plan "
                     f"({shown(f, now, labels)}), the file's written" for f, now in moved)


def settled_edits(items: Iterable[Item]) -> dict[str, int]:
    """An update's ``edited_kept``, ``edited_rows``, ``edited_both``, ``edited_held``
    (``last_written.edited_counts``, as the upsert import's summary has them under
    ``load``) over its rows that settled (done, skipped: a row failed or never sent kept
    nothing), each row's counts as its load stored them (``EDITED``: in its payload, or
    in the result a row skipped at load carries there)."""
    settled: list[Mapping[str, Any]] = []
    for item in items:
        if item.state not in (ItemState.DONE, ItemState.SKIPPED):
            continue
        payload = item.payload or {}
        edits = payload.get(EDITED, (payload.get("result") or {}).get(EDITED))
        if isinstance(edits, Mapping):
            settled.append(edits)
    return edited_counts(settled)


def edited_words(counts: Mapping[str, int]) -> str:
    """The end line's words on ``settled_edits``: "; 3 fields kept from Pipedrive, 1 written
    over a change made there" ("" when none)."""
    parts = []
    if kept := counts.get("edited_kept", 0):
        unknown = counts.get(EDITED_UNKNOWN, 0)
        whose = ("its base" if kept == 1 else "all of them with their base" if unknown == kept
                 else f"{unknown:,} of them with their base")
        parts.append(f"{counted(kept, 'field')} kept from Pipedrive" + (
            f" ({whose} not known: deeper than the record keeps)" if unknown else ""))
    if both := counts.get("edited_both", 0):
        parts.append(f"{counted(both, 'field')} written over a change made there too")
    if held := counts.get("edited_held", 0):
        parts.append(f"{counted(held, 'field')} held with a status changed there")
    return "".join(f"; {p}" for p in parts)


__all__ = ["SINCE", "Ruled", "UpdateRecord", "edited_words", "kept_names", "row_note",
           "settled_edits"]
