"""The dedupe plan on disk: ``groups.csv``, ``pairs.csv``, ``summary.json``, ``deals.jsonl``.

``groups.csv`` is for people: one row per group (``group_id``, ``decision``
— blank, ``merge`` or ``keep-separate`` (any case; ``keep separate`` and ``keep_separate``
too; nothing else: ``yes``, ``no``, ``keep`` are refused), edited by a reviewer —, ``band``,
``score``, ``survivor_id``, ``merged_ids`` (``;``-separated, merge order),
``survivor_title``, ``reasons``, ``survivor_reasons``, ``differing`` and
``differing_keys``, ``policy_fields`` (each field the field-policy PATCH sets, with the
survivor's new value: ``value 1,200.00 EUR``) and ``policy_field_keys``, ``drops``: what the merge
will lose, see ``merge_drops``). Custom fields are named by their names in the account
(``dealFields``), not their 40-character keys; the ``*_keys`` columns beside them keep the
keys (``;``-separated) for a script that reads the plan back.
``pairs.csv`` lists every scored pair in the review or duplicate band, every
pair inside a group, and (band ``distinct``) the pairs that would reach review
but a guard or a keep-separate decision holds apart, the guard in ``reasons``.
``summary.json`` counts groups, deals to merge away, review groups and the
tokens the merges (40 each, v1 ``mergeDeals``) and field-policy PATCHes (5 each,
v2 ``updateDeal``) will cost (FACTS.md, token table).
``deals.jsonl`` keeps the records the plan was made from: ``apply`` compares
their ``update_time`` with the deals it re-reads, and review.html shows them.

``read_groups`` reads ``groups.csv`` back; a bad row is an ``InputError``
naming its data row (1-based, the header not counted, as in every manifest).

Why ~960 lines: the four files are one format, written and read back here together
(with the field-policy PATCH and the drops each group's row states), so that a change to
a column is made in one place; the review page is its own module.
"""

from __future__ import annotations

import csv
import hashlib
import math
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from bulk.errors import InputError
from bulk.manifest import header as manifest_header
from bulk.manifest import read_manifest

from ..alike_columns import refuse_alike
from ..field_text import amount_text, field_text, whole
from ..selection import parse_id
from .amounts import two_currencies
from .evidence import no_value, none_ish
from .model import DealRecord, Group, MatchResult
from .records import record_from_json, record_json
from .titles import group_title

GROUPS, PAIRS, SUMMARY, DEALS = "groups.csv", "pairs.csv", "summary.json", "deals.jsonl"
# the columns of groups.csv the apply reads (``read_groups``)
_READ = ("group_id", "decision", "survivor_id", "merged_ids", "band", "score")
GROUP_COLUMNS = ("group_id", "decision", "band", "score", "survivor_id", "merged_ids",
                 "survivor_title", "reasons", "survivor_reasons", "differing", "differing_keys",
                 "policy_fields", "policy_field_keys", "drops")
PAIR_COLUMNS = ("a", "b", "band", "score", "reasons")
DECISIONS = ("", "merge", "keep-separate")
MERGE_TOKENS, PATCH_TOKENS = 40, 5  # mergeDeals (v1), updateDeal (v2): FACTS.md token table
_ALIASES = {"owner": "owner_id", "org": "org_id", "person": "person_id",
            "organization": "org_id"}
# ``currency`` is never a policy's (config.UNSET_FIELDS): it is written with the value it
# denominates, as one amount (x45r7 F1)
_PATCHABLE = ("title", "value", "currency", "expected_close_date", "owner_id", "org_id",
              "person_id")
PATCHABLE = frozenset(_PATCHABLE)  # the v2 deal fields a policy PATCH writes by name


# -- field policy -------------------------------------------------------------------------------

def held_by(held: Iterable[Any], names: Iterable[str] = ()) -> dict[str, int]:
    """How many held pairs each guard held (its reason without the two values: ``guard:
    different External ID 1002≠006a002`` is ``different External ID``), most first.
    ``names``: the identifier fields' names, read first, so a value with a space in it
    stays out of the kind (x44r5 F5: ``different PO number ikke: 1`` for ``ikke
    oplyst≠PO-1``)."""
    counts: Counter[str] = Counter()
    longest = sorted({f"different {n} " for n in names}, key=len, reverse=True)
    for pair in held:
        reason = next((r for r in pair.reasons if r.startswith("guard: ")), None)
        if reason is not None:
            kind = reason[len("guard: "):]
            named = next((n for n in longest if kind.startswith(n) and "≠" in kind[len(n):]),
                         None)
            counts[named[:-1] if named else kind.rsplit(" ", 1)[0]
                   if "≠" in kind.rsplit(" ", 1)[-1] else kind] += 1
        elif pair.reasons and (kind := pair.reasons[-1].split(": ", 1)[0]) in _HELD_APART:
            counts[kind] += 1  # x11r1 M6: such pairs were in pairs_held only (x34r2 F8: the
            # absorbed deal and the guard follow the kind: "...: deal 9635 (merged into 9634)")
    return dict(counts.most_common())


# why a pair no guard of its own holds is held (``matching.find_duplicates``)
_HELD_APART = frozenset({"keep-separate (a person's decision)",
                         "held apart through a deal merged into one of them"})

def _empty(v: object) -> bool:
    return v is None or v == "" or v == [] or v == {}


def _comparable(v: object) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, Mapping):
        return v.get("value", v.get("id"))
    return v


def _value(r: DealRecord, name: str) -> object:
    """A deal's value of a record field (``value``, ``stage_id``...) or custom field key."""
    return getattr(r, name) if name in _PATCHABLE or name in _RECORD_ONLY else r.fields.get(name)


def comparable_value(v: object, name: str | None = None) -> Any:
    """A value as field-policy rules compare it; with ``name``, ``v`` is a deal record and
    the value is its field ``name`` (a record field, v2 name, or custom field key).
    Empty values (None, "", [], {}) are all None."""
    if name is not None:
        v = _value(v, name)  # type: ignore[arg-type]
    return None if _empty(v) else _comparable(v)


def holds(r: DealRecord, name: str, value: object) -> bool:
    """Whether deal ``r`` has ``value`` (not empty) in field ``name`` (a record field, v2
    name, or custom field key), as a field-policy PATCH body writes it."""
    return not _empty(value) and _comparable(_value(r, name)) == _comparable(value)


def policy_changes(group: Group | PlannedGroup, records: Mapping[int, DealRecord],
                   policy: Mapping[str, str]) -> dict[str, Any]:
    """The PATCH body that gives the survivor the values ``policy`` chooses (v2 deal
    fields; custom fields under ``custom_fields``), only where they differ from the
    survivor's. ``survivor`` is Pipedrive's own merge rule: no PATCH. Without a ``value``
    policy, a survivor whose value is 0 or none gets the value of the first merged deal
    (merge order) that has one: Pipedrive would keep the 0; likewise a custom field's
    placeholder text on the survivor (``n/a``, ``-``, ``TBD``: no value) takes the first
    merged deal's real text in a field no policy names. Without a ``title`` policy, a
    survivor whose title is a "(copy)", misspelt or lower-case form of another title of the
    group gets that cleaner title (``titles.group_title``). Empty: no PATCH."""
    members = [records[i] for i in group.member_ids if i in records]
    survivor = records.get(group.survivor_id)
    if survivor is None:
        return {}
    body: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for raw_name, rule in policy.items():
        name = _ALIASES.get(raw_name, raw_name)
        if rule == "survivor":
            continue
        # a placeholder (``-``, ``n/a``, ``N.N.``, ``0000``: ``no_value``) is no candidate
        # under any rule (x44r5 F1: newest-non-empty wrote ``-`` over ``PO-49148``, max
        # ``n/a``, min ``0000``; nor a deal value or amount of 0 or less, a sentinel date,
        # an owner id 0: x44r8 F3, ``value = "min"`` set 32 of 32 survivors' value to 0)
        values = [(r, v) for r in members if not no_value(v := _value(r, name), name)]
        if not values or (rule != "newest-non-empty"
                          and len({c for r, v in values if (c := _currency(r, name, v))}) > 1):
            continue  # amounts in two currencies are not compared: the survivor's stays
            # (x45r7 F1: ``max`` kept 1,100 JPY over 1,000 EUR, bare numbers compared)
        try:
            if rule in ("max", "latest"):
                source, chosen = max(values, key=lambda rv: _comparable(rv[1]))
            elif rule in ("min", "earliest"):
                source, chosen = min(values, key=lambda rv: _comparable(rv[1]))
            else:  # newest-non-empty: from the most recently updated deal that has one
                source, chosen = max(values, key=lambda rv: (rv[0].update_time is not None,
                                                             rv[0].update_time or 0, rv[0].id))
        except TypeError:
            continue  # values of mixed types: leave the field to the merge
        if _comparable(chosen) == _comparable(_value(survivor, name)) \
                and not two_currencies(_currency(source, name, chosen),
                                       _currency(survivor, name, _value(survivor, name))):
            continue
        chosen = as_written(chosen)
        if name == "value":
            _set_value(body, survivor, source)
        elif name in _PATCHABLE:
            body[name] = chosen
        else:
            custom[name] = chosen  # a monetary field's value whole: amount and currency
    ruled = {_ALIASES.get(n, n) for n in policy}
    for key, own in sorted(survivor.fields.items()):
        # a placeholder is no value (``n/a``, ``-``, ``TBD``...: evidence.blank_identifier), but
        # Pipedrive keeps it over a merged deal's real one: without a policy for the field
        # the survivor takes the first merged deal's real value (x33r3 F3: n/a kept, PO-1
        # lost), as a title with stray spaces takes the copy's clean form
        if key in ruled or key in custom or not _placeholder_text(own):
            continue
        real = next((v for r in members if r.id != survivor.id
                     if isinstance(v := r.fields.get(key), str) and v.strip()
                     and not _placeholder_text(v)), None)
        if real is not None:
            custom[key] = real
    if custom:
        body["custom_fields"] = custom
    if not any(_ALIASES.get(n, n) == "title" for n in policy) \
            and (clean := group_title(members, survivor)) is not None:
        # the survivor rules choose a deal, not its title: without a title policy the group
        # keeps its cleanest title (``titles``: not a "(copy)", spelt, in its case), not the
        # re-entry's that most_recently_updated often picks (x23r2 2)
        body["title"] = clean[0]
    if not any(_ALIASES.get(n, n) == "value" for n in policy) and not survivor.value:
        # Pipedrive keeps a survivor's 0 (it is not empty there): give it the value of the
        # best-ranked merged deal that has one, or that value is lost
        given = next((r for r in members[1:] if r.value), None)
        if given is not None:  # with its currency (x45r7 F1: 5,000 USD was written as EUR)
            _set_value(body, survivor, given)
    return body


def _currency(r: DealRecord, name: str, v: object) -> str | None:
    """The currency an amount ``v`` of deal ``r``'s field ``name`` is in (the deal value's:
    the deal's currency; a monetary custom field's: its own), upper-case; None: no amount
    or no currency."""
    code = r.currency if name == "value" else v.get("currency") if isinstance(v, Mapping) \
        and "currency" in v else None
    return str(code).strip().upper() or None if code else None


def _set_value(body: dict[str, Any], survivor: DealRecord, source: DealRecord) -> None:
    """Give the PATCH ``body`` deal ``source``'s value as one amount: its currency with it
    where the survivor's differs (x45r7 F1: 0 EUR filled from 5,000 USD became 5,000 EUR)."""
    body["value"] = as_written(source.value)
    if source.currency and two_currencies(source.currency, survivor.currency):
        body["currency"] = source.currency


def policy_compares(policy: Mapping[str, str]) -> frozenset[str]:
    """The fields (deal field names, custom field keys) whose ``policy`` rule compares values
    (``max``, ``min``, ``latest``, ``earliest``): across two currencies it takes no side."""
    return frozenset(_ALIASES.get(n, n) for n, rule in policy.items()
                     if rule in ("max", "min", "latest", "earliest"))


def policy_sets_title(policy: Mapping[str, str]) -> bool:
    """Whether the field ``policy`` (field -> rule) has a ``title`` rule other than
    ``survivor``: its PATCH may write another deal's title over the survivor's."""
    return any(_ALIASES.get(n, n) == "title" and rule != "survivor" for n, rule in policy.items())


def as_written(v: object) -> object:
    """A chosen value in the field's own type, as Pipedrive shows it: a date as ISO text, a
    whole number as an int (a deal's value is read as a float, ``DealRecord.value``: a
    policy wrote 3000.0, and an undo's conflict said "job's 3000.0" for 3000: f38k)."""
    if isinstance(v, date | datetime):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer() and abs(v) < 2 ** 53:
        return int(v)
    return v


# fields with a DealRecord slot whose loss a plan names (title variants of copies are not
# listed: a copy's title differs by definition; currency is a guard); every other
# standard field a merge can lose is in ``DealRecord.more`` and named too
_KEPT_FIELDS = ("value", "expected_close_date", "owner_id", "org_id", "person_id", "stage_id",
                "pipeline_id")
_RECORD_ONLY = frozenset({"stage_id", "pipeline_id"})  # record fields no policy PATCH sets
# the standard fields a merge fills where the survivor's is empty (custom fields are filled
# too; lost_reason only into a lost survivor: an open or won deal has none). Every other
# field keeps the survivor's, empty or not (x18r4 1: a lost deal's lost_reason merged into an
# open survivor was counted as kept; it is in no live deal after the merge)
MERGE_FILLS = frozenset({"title", "person_id", "org_id", "expected_close_date", "probability",
                         "label_ids"})


def _placeholder_text(v: object) -> bool:
    """A custom field's text that says no value (``n/a``, ``-``, ``keine Angabe``:
    ``evidence.no_value``); a number (``0``) or an empty field is not one, nor a
    filler of digits (``PO-1111``, ``12345``: a real id as often, x44r2 F1 — the policy
    wrote ``PO-1112`` over it and no ``drops`` named it)."""
    return isinstance(v, str) and bool(v.strip()) and no_value(v)


def merge_fills(name: str, survivor: DealRecord, *, custom: bool = False) -> bool:
    """Whether a merge fills deal field ``name`` (an API name; ``custom``: a custom field
    key) of ``survivor`` from a merged deal where the survivor's is empty (bulk.sandbox.merge)."""
    if name == "lost_reason":
        return survivor.status == "lost"
    return custom or name in MERGE_FILLS


def merge_drops(group: Group | PlannedGroup, records: Mapping[int, DealRecord],
                changes: Mapping[str, Any], labels: Mapping[str, str] | None = None,
                options: Mapping[str, Mapping[int, str]] | None = None,
                entities: Mapping[str, Mapping[int, str]] | None = None, *,
                policy_title: bool = False, compared: Iterable[str] = ()) -> list[str]:
    """What merging the group loses: each non-empty value of a merged-away deal that the
    survivor will not have after the field-policy PATCH ``changes`` and Pipedrive's merge
    (the survivor's non-empty values win, its empty ones are filled from the merged deals
    in merge order; FACTS.md, Merge — only custom fields and ``merge_fills``' standard ones,
    a lost reason only into a lost survivor) — stage and pipeline too —, and a merged deal's status
    (won, open, lost) the survivor does not have (it goes with the merged deal).
    ``["value 5000 (deal 12)", "stage_id 2 (deal 12)", "status won (deal 13)", ...]``;
    a custom field is named by ``labels`` (key -> the field's name; ``PO number 4711 (deal
    12)``), its key when it has none there; an option field's value by its options' labels
    (``options``: key -> option id -> label; ``Products of interest Analytics (deal 12)``),
    an option id where its label is unknown; the value as money in its deal's currency
    (``value 31,000.00 EUR``); a stage, pipeline, owner or person by its name where
    ``entities`` (kind -> id -> name: ``records.review_names``) has it (``stage Won``, ``stage
    Won in pipeline Sales`` when stages of two pipelines have that name), an organization
    by the name the deal holds (``dropped_value``); and a merged deal added before the
    survivor: its id and add time (``older_drop``) go with it; and each non-empty value of
    the survivor's own that the PATCH ``changes`` writes over (``value 500.00 EUR (deal 31,
    the survivor: overwritten by the field policy)``; its 0 value and, unless
    ``policy_title`` (the user's ``title`` policy wrote it), the survivor's title the
    group's cleaner one replaces is named so (``title 'cafe cloud' (deal 31, the survivor: the
    group's cleaner title written over it, 'Café Cloud')``, x51r14 F1); its text that says
    none — ``n/a``, ``NA`` — is named too; x44r2 F1: ``PO-1111`` written over and named
    nowhere; x44r8 F2: ``NA``); a merged deal's ``n/a`` is no value to lose, its ``NA``
    (``evidence.none_ish``) is; an amount in another currency than the survivor's in a
    field a comparing policy names
    (``compared``: ``policy_compares``) is said not compared (``value 1,100 JPY (deal 12,
    two currencies: not compared)``, x45r7 F1); empty: nothing is lost."""
    survivor = records.get(group.survivor_id)
    if survivor is None:
        return []
    merged = [records[i] for i in group.merged_ids if i in records]
    out: list[str] = []
    custom = changes.get("custom_fields") or {}
    more = sorted({k for r in (survivor, *merged) for k in r.more})
    names = [*_KEPT_FIELDS, *more, *sorted({k for r in (survivor, *merged) for k in r.fields})]
    standard = {*_KEPT_FIELDS, *more}

    def value(r: DealRecord, name: str) -> Any:
        if name in _KEPT_FIELDS:
            return _value(r, name)
        return r.more.get(name) if name in standard else r.fields.get(name)

    final_currency = changes.get("currency") or survivor.currency
    comparing = frozenset(compared)

    def key(r: DealRecord | None, name: str, v: Any) -> Any:
        # an amount is compared with its currency: 1,000 USD is not 1,000 EUR (x45r7 F1)
        if name != "value":
            return whole(v)
        code = final_currency if r is None else r.currency
        return whole(v), str(code).strip().upper() if code else None

    for name in names:
        if name in changes or name in custom:
            final = changes[name] if name in changes else custom[name]
            own = value(survivor, name)  # the PATCH writes over the survivor's own value
            # any text of the survivor's the PATCH replaces is named, a placeholder
            # too (x44r8 F2: a code read as none, ``NA``, was written over unsaid)
            if not (_empty(own) or (name == "value" and not own)) \
                    and key(survivor, name, own) != key(None, name, final):
                out.append(f"{dropped_value(name, own, survivor, labels, options, entities)} "
                           f"(deal {survivor.id}, {OVERWRITTEN})")
        else:
            final = value(survivor, name)
            if _empty(final) and merge_fills(name, survivor, custom=name not in standard):
                final = next((v for r in merged if not _empty(v := value(r, name))), None)
        for r in merged:
            v = value(r, name)
            if _empty(v) or (name == "value" and not v) or (
                    name not in standard and _placeholder_text(v) and not none_ish(str(v))):
                continue  # a custom field's placeholder (n/a, -) is no value to lose; a code
                # read as none (``NA``, ``SEM``: ``evidence.none_ish``) may be one
            final_key = key(None if name in changes else survivor, name, final)
            if key(r, name, v) != final_key:  # every part: 500 GBP is not 500 EUR (x27r3 5)
                apart = name in comparing and two_currencies(_currency(r, name, v), (
                    final_currency if name == "value" else _currency(r, name, final))) \
                    and not _empty(final) and not (name == "value" and not final)
                out.append(f"{dropped_value(name, v, r, labels, options, entities)} "
                           f"(deal {r.id}" + (f", {NOT_COMPARED})" if apart else ")"))
    # a title the survivor does not keep (x19r2 4a: a survivor's misspelt title stayed and
    # the right one went unnamed); one differing in case or spacing only is the same title
    final_title = str(changes.get("title") or survivor.title or "")
    if policy_title and changes.get("title") and survivor.title \
            and _title_key(survivor.title) != _title_key(final_title):
        # a ``title`` policy wrote another deal's title over the survivor's (the cleaner
        # form of the group's own title, no policy, loses nothing: ``titles.group_title``)
        out.append(f"title {survivor.title!r} (deal {survivor.id}, {OVERWRITTEN})")
    elif changes.get("title") and survivor.title \
            and _title_key(survivor.title) != _title_key(final_title):
        # the group's cleaner title written over the survivor's is said, not silent (x51r14
        # F1: the note named the stage it drops but not the title it changed)
        out.append(f"title {survivor.title!r} (deal {survivor.id}, {CLEANER} {final_title!r})")
    out.extend(f"title {r.title!r} (deal {r.id})" for r in merged
               if r.title and _title_key(r.title) != _title_key(final_title))
    if changes.get("title") and survivor.title and survivor.title != final_title \
            and " ".join(survivor.title.split()) == final_title:  # x33r1 L1: said, not silent
        out.append(f"title {survivor.title!r} (deal {survivor.id}, the survivor: its stray "
                   f"spaces cleaned to {final_title!r})")
    # a status the survivor does not have is gone with its deal (won: booked revenue; open: the
    # live opportunity; lost: the loss on record)
    out.extend(f"status {r.status} (deal {r.id})" for r in merged
               if r.status in ("won", "open", "lost") and r.status != survivor.status)
    # a deal added before the survivor takes its id (what other systems reference) and its
    # add time (the deal's age) with it, whichever rule chose the survivor (x30r1 M1)
    out.extend(older_drop(r) for r in merged if added_before(r, survivor))
    return out


OVERWRITTEN = "the survivor: overwritten by the field policy"  # a drop's note
CLEANER = "the survivor: the group's cleaner title written over it,"  # a drop's note
# a drop's note: an amount in another currency than the survivor's, which no policy compares
NOT_COMPARED = "two currencies: not compared"


def added_before(r: DealRecord, survivor: DealRecord) -> bool:
    """Whether deal ``r`` was added before ``survivor`` (both add times known)."""
    return r.add_time is not None and survivor.add_time is not None \
        and r.add_time < survivor.add_time


def older_drop(r: DealRecord) -> str:
    """What a merge loses with a deal added before its survivor: ``id and add time
    2025-01-01 09:30:00 UTC of the older deal (deal 12)``."""
    added = r.add_time.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if r.add_time else "?"
    return f"id and add time {added} of the older deal (deal {r.id})"


def drops_note(subject: str, drops: Sequence[str]) -> str:
    """The one way a plan note says what merging loses (``merge_drops``' list), for a
    dedupe's group and a ``pdbulk merge`` survivor alike: ``group g-12 (survivor 12): the
    merge drops value 500.00 EUR (deal 13); status won (deal 14)``."""
    return f"{subject}: the merge drops " + "; ".join(drops)


def final_note(*, policy: bool) -> str:
    """The one "merges are final" note of a job that merges (dedupe apply / run, ``pdbulk
    merge``), said only when it has merges to send; ``policy``: the job may also PATCH
    survivors (a dedupe's field policy), which undo puts back."""
    undo = ("puts back the field-policy changes and exports the snapshots" if policy
            else "exports the snapshots")
    return ("merges are final in Pipedrive: a snapshot of the fields of every deal of every "
            "merge is kept in the job (its activities, notes, files, products and followers "
            f"move to the survivor and are not in it; `pdbulk undo JOB` {undo})")


_ENTITY_KINDS = {"stage_id": "stage", "pipeline_id": "pipeline", "owner_id": "owner",
                 "person_id": "person"}


def patch_shown(changes: Mapping[str, Any], survivor: DealRecord,
                labels: Mapping[str, str] | None = None,
                options: Mapping[str, Mapping[int, str]] | None = None,
                entities: Mapping[str, Mapping[int, str]] | None = None) -> list[str]:
    """The field-policy PATCH ``changes`` (``policy_changes``) as people read it: each field
    with the survivor's new value (``value 1,200.00 EUR``, ``title Website redesign``,
    ``Renewal date 2026-12-31``), worded as ``dropped_value`` words a value."""
    custom = changes.get("custom_fields") or {}
    items = [*((k, v) for k, v in changes.items() if k not in ("custom_fields", "currency")
               or (k == "currency" and "value" not in changes)), *custom.items()]
    with_custom = replace(survivor, fields={**survivor.fields, **custom},
                          currency=changes.get("currency") or survivor.currency)
    return [dropped_value(k, v, with_custom, labels, options, entities) for k, v in items]


def dropped_value(name: str, v: object, r: DealRecord, labels: Mapping[str, str] | None,
                  options: Mapping[str, Mapping[int, str]] | None,
                  entities: Mapping[str, Mapping[int, str]] | None) -> str:
    """A lost field and value as people read them, as review.html shows them (x19r2: the
    drops said ``stage_id 3`` and ``value 31000.0``): money with its currency, a stage /
    pipeline / owner / person / organization by its name (by its kind and id when the name
    is not known: ``owner 1``, ``organization 1000``; x24r4 2), a custom field by its name,
    a standard one by its label (``expected close date``) and options by labels."""
    if name == "value" and isinstance(v, int | float):  # one format of every amount
        return f"value {amount_text(v, r.currency or None)}"
    if name == "org_id" and r.org_name:
        return f"organization {r.org_name}"
    if name == "org_id" and isinstance(v, int):  # its name known, else its id: never a call
        return f"organization {((entities or {}).get('organization') or {}).get(v) or v}"
    kind = _ENTITY_KINDS.get(name)
    known = (entities or {}).get(kind or "") or {}
    if kind is not None and isinstance(v, int) and known.get(v):
        text = f"{kind} {known[v]}"
        if kind == "stage" and sum(n == known[v] for n in known.values()) > 1:
            pipes = (entities or {}).get("pipeline") or {}
            pipe = r.pipeline_id
            text += f" in pipeline {pipes.get(pipe) or f'#{pipe}'}" if pipe is not None else ""
        return text
    if kind is not None and isinstance(v, int):
        return f"{kind} {v}"  # x24r4 2: ``owner 1``, not ``owner_id 1``
    standard = name not in r.fields  # a custom field's value is in ``fields``
    # an option field by its labels; any other value whole, on one line (x27r3 5)
    shown = shown_value(name, v, options) if (options or {}).get(name) else (
        amount_text(v) if isinstance(v, int | float) and not isinstance(v, bool)
        else field_text(v))  # a number grouped and whole, as a reason says it (x45r7 F2)
    return f"{drop_label(name, labels, standard=standard)} {shown}"


def _title_key(title: str) -> str:
    return " ".join(title.split()).casefold()


def shown_value(key: str, v: object, options: Mapping[str, Mapping[int, str]] | None) -> object:
    """A field's value as people read it: an option field's option ids as their labels
    (``options``: key -> option id -> label; a set's joined by ", "; an id whose label is
    unknown stays an id), anything else as ``_comparable`` gives it."""
    labels = (options or {}).get(key)
    c = _comparable(v)
    if not labels:
        return c
    items = c if isinstance(c, list) else [c]
    return ", ".join(str(labels.get(i, i)) if isinstance(i, int) else str(i) for i in items)


# Pipedrive's own labels of the standard deal fields (``getDealFields``' ``field_name``, as
# people read them in a sentence): the plan folder keeps the custom fields' names only, and a
# note is never worth a call (x24r4 2: apply's drops said ``expected_close_date 2026-03-01``)
STANDARD_LABELS = {
    "title": "title", "value": "value", "currency": "currency", "owner_id": "owner",
    "person_id": "person", "org_id": "organization", "pipeline_id": "pipeline",
    "stage_id": "stage", "status": "status", "probability": "probability",
    "lost_reason": "lost reason", "visible_to": "visible to",
    "expected_close_date": "expected close date", "label_ids": "labels",
    "origin": "origin", "origin_id": "origin id", "channel": "channel",
    "channel_id": "channel id", "is_archived": "archived",
}


def field_label(key: str, names: Mapping[str, str] | None) -> str:
    """A field as people read it: a custom field's name (``names``: key -> name), else ``key``."""
    return (names or {}).get(key) or key


def drop_label(key: str, names: Mapping[str, str] | None, *, standard: bool) -> str:
    """A field as a sentence names it (the drops): a custom field's name (``names``), a
    ``standard`` field's label (``STANDARD_LABELS``; another with its ``_`` as spaces),
    else ``key``."""
    if named := (names or {}).get(key):
        return named
    if not standard:
        return key
    return STANDARD_LABELS.get(key) or key.replace("_", " ")


# -- writing ------------------------------------------------------------------------------------
def _cells(values: Iterable[object]) -> str:
    return "; ".join(str(v) for v in values)


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_plan(directory: Path, result: MatchResult, records: Mapping[int, DealRecord],
               policy: Mapping[str, str], *, extra: Mapping[str, Any] | None = None,
               names: Mapping[str, str] | None = None,
               options: Mapping[str, Mapping[int, str]] | None = None,
               entities: Mapping[str, Mapping[int, str]] | None = None,
               say: Callable[[str], str] = str) -> dict[str, Any]:
    """Write the plan files into ``directory`` (created); returns the summary. ``say``:
    a reason as the files write it (``reason_names.ReasonNames``: ids named). ``names``:
    custom field key -> name (``records.field_names``), for the columns that name fields;
    ``options``: their option labels (``config.option_labels``), for ``drops``. A groups.csv
    there holding a reviewer's decisions is moved aside first (``groups-TIME.csv``; the
    summary's ``previous_decisions`` names it), never overwritten."""
    directory.mkdir(parents=True, exist_ok=True)
    kept = _keep_decisions(directory)
    patches = review_patches = dropping = 0
    patched: list[str] = []  # the groups whose survivor gets a field-policy PATCH
    with open(directory / GROUPS, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(GROUP_COLUMNS)
        for g in result.groups:
            changes = policy_changes(g, records, policy)
            # the review band's PATCHes are sent only with --include-review (x11r1 M3:
            # counted with the duplicate band's, the plan said 3 and the run sent 2)
            if changes:
                patched.append(g.id)
            if g.band == "duplicate":
                patches += bool(changes)
            else:
                review_patches += bool(changes)
            fields = [k for k in changes if k != "custom_fields"] + list(
                changes.get("custom_fields") or {})
            survivor = records.get(g.survivor_id)
            drops = merge_drops(g, records, changes, names, options, entities,
                                policy_title=policy_sets_title(policy),
                                compared=policy_compares(policy))
            dropping += bool(drops)
            w.writerow([g.id, g.decision, g.band, f"{g.score:.3f}", g.survivor_id,
                        ";".join(map(str, g.merged_ids)),
                        _safe(survivor.title if survivor else ""), _safe(_cells(map(say, g.reasons))),
                        _cells(g.survivor_reasons),
                        _safe(_cells(field_label(k, names) for k in g.differing)),
                        ";".join(g.differing),
                        # the PATCH's new values, not only its fields (x33r1 L2)
                        _safe(_cells(patch_shown(changes, survivor, names, options, entities)
                                     if survivor is not None else
                                     (field_label(k, names) for k in fields))),
                        ";".join(fields),
                        _safe(_cells(drops))])
    with open(directory / PAIRS, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(PAIR_COLUMNS)
        for p in sorted((*result.pairs, *result.held), key=lambda p: (p.a, p.b)):
            w.writerow([p.a, p.b, p.band, f"{p.score:.3f}", _cells(map(say, p.reasons))])
    wanted = {i for g in result.groups for i in g.member_ids}
    with open(directory / DEALS, "wb") as fb:
        for deal_id in sorted(wanted):
            if deal_id in records:
                fb.write(orjson.dumps(record_json(records[deal_id])) + b"\n")
    dup = [g for g in result.groups if g.band == "duplicate"]
    review = [g for g in result.groups if g.band == "review"]
    merges = sum(len(g.merged_ids) for g in dup)
    summary = {
        "groups": len(result.groups), "duplicate_groups": len(dup), "review_groups": len(review),
        "deals_to_merge_away": merges,
        "deals_to_merge_away_with_review": merges + sum(len(g.merged_ids) for g in review),
        "pairs": len(result.pairs), "pairs_held": len(result.held), "pairs_compared": result.compared,
        "pairs_held_by": held_by(result.held, (names or {}).values()),
        "field_policy_patches": patches,
        "field_policy_patches_with_review": patches + review_patches,
        "field_policy_groups": patched,
        "groups_dropping_values": dropping,
        "tokens": {"merges": merges * MERGE_TOKENS, "patches": patches * PATCH_TOKENS,
                   "each_merge": MERGE_TOKENS, "each_patch": PATCH_TOKENS},
        **dict(extra or {})}
    # the names the drops were written with, so apply and run name what a merge drops as
    # groups.csv does (x26r1 3: "stage 1 (deal 10016)", "owner 1" in apply's notes)
    summary["names"] = {"entities": _id_tables(entities), "options": _id_tables(options)}
    summary["files"] = plan_file_facts(directory, [g.id for g in result.groups])
    if kept is not None:
        summary["previous_decisions"] = kept
    (directory / SUMMARY).write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))
    return summary


def _id_tables(tables: Mapping[str, Mapping[int, str]] | None) -> dict[str, dict[str, str]]:
    return {str(k): {str(i): str(n) for i, n in t.items()} for k, t in (tables or {}).items()}


def plan_names(summary: Mapping[str, Any]) -> tuple[dict[str, dict[int, str]],
                                                    dict[str, dict[int, str]]]:
    """(entities: kind -> id -> name, options: field key -> option id -> label) as the plan
    wrote them in summary.json (``names``), for ``merge_drops``; empty for an older plan."""
    raw = summary.get("names")
    out: list[dict[str, dict[int, str]]] = []
    for part in ("entities", "options"):
        tables = raw.get(part) if isinstance(raw, Mapping) else None
        out.append({str(k): {int(i): str(n) for i, n in t.items() if str(i).lstrip("-").isdigit()}
                    for k, t in (tables or {}).items() if isinstance(t, Mapping)}
                   if isinstance(tables, Mapping) else {})
    return out[0], out[1]


def _keep_decisions(directory: Path) -> str | None:
    """Move an existing groups.csv with any decision written in it (or one that no longer
    reads as a plan: edited by hand) to ``groups-TIME.csv``; its name, or None."""
    if not (directory / GROUPS).is_file():
        return None
    try:
        if not any(g.decision for g in read_groups(directory)):
            return None
    except InputError:
        pass
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    kept, n = directory / f"groups-{stamp}.csv", 1
    while kept.exists():
        n += 1
        kept = directory / f"groups-{stamp}-{n}.csv"
    os.replace(directory / GROUPS, kept)
    return kept.name


# -- integrity ----------------------------------------------------------------------------------
def _rows_and_digest(path: Path) -> tuple[int, str]:
    """(data rows: lines after a CSV header, or non-blank lines of JSON Lines; sha256 hex)."""
    data = path.read_bytes()
    lines = sum(1 for line in data.splitlines() if line.strip())
    return (lines - 1 if path.suffix == ".csv" else lines), hashlib.sha256(data).hexdigest()


def plan_file_facts(directory: Path, group_ids: Iterable[str]) -> dict[str, Any]:
    """What summary.json records of the plan files, for ``check_plan_files``: rows and sha256
    of pairs.csv and deals.jsonl (never edited: any change is damage) and the group ids of
    groups.csv (a reviewer edits it: decision, survivor, merged ids, rows split)."""
    out: dict[str, Any] = {}
    for name in (PAIRS, DEALS):
        rows, digest = _rows_and_digest(directory / name)
        out[name] = {"rows": rows, "sha256": digest}
    ids = list(group_ids)
    out[GROUPS] = {"rows": len(ids), "group_ids": ids}
    return out


def check_plan_files(directory: Path, summary: Mapping[str, Any]) -> list[str]:
    """Refuse a damaged plan (``InputError``, exit 1): pairs.csv or deals.jsonl whose rows or
    sha256 are not the ones summary.json recorded (cut, edited, swapped: they are not for
    editing; a groups.csv row cut mid-line is refused by ``read_groups``). Returns notes:
    the planned groups no longer in groups.csv (rows deleted, or the file
    cut at a line end): they are not merged. A plan written before summary.json recorded
    its files (no ``files``) is not checked."""
    facts = summary.get("files")
    if not isinstance(facts, Mapping):
        return []
    for name in (PAIRS, DEALS):
        want = facts.get(name)
        path = directory / name
        if not isinstance(want, Mapping) or not path.is_file():
            continue  # missing files: read_pair_scores / read_records say so
        rows, digest = _rows_and_digest(path)
        if rows != want.get("rows") or digest != want.get("sha256"):
            how = "" if rows != want.get("rows") else ", its contents changed"
            raise InputError(f"{path} is not the file the plan wrote ({want.get('rows')} rows "
                             f"planned, {rows} now{how}): "
                             "damaged or edited — it is not for editing (only groups.csv's "
                             "decision, survivor_id and merged_ids are); make the plan again")
    planned = (facts.get(GROUPS) or {}).get("group_ids") or []
    present = {g.id for g in read_groups(directory)}
    missing = [g for g in planned if g not in present]
    if not missing:
        return []
    shown = ", ".join(missing[:10]) + (", ..." if len(missing) > 10 else "")
    return [f"{len(missing)} group(s) of the plan are not in {GROUPS} (rows deleted, or the "
            f"file was cut): not merged: {shown}"]


# -- reading ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PlannedGroup:
    """One row of groups.csv as a reviewer left it."""

    row: int
    id: str
    decision: str
    band: str
    score: float
    survivor_id: int
    merged_ids: tuple[int, ...]

    @property
    def member_ids(self) -> tuple[int, ...]:
        return (self.survivor_id, *self.merged_ids)


def _int(text: str, row: int, column: str) -> int:
    """A deal id of groups.csv, read as update, move-stage and merge read theirs
    (``selection.parse_id``: ``16.00`` is 16; x43r4 F5), a spreadsheet's thousands
    separators read through (x21r2 F2: apply checks each id against the plan's pairs)."""
    try:
        return parse_id(text, grouped=True)
    except InputError as exc:
        raise InputError(exc.reason, row=row, column=column) from None


def _merged_ids(text: str, row: int) -> tuple[int, ...]:
    """merged_ids: ``;``-separated (``,`` too when no ``;`` is there), each id plain or
    with a spreadsheet's thousands separators. A cell like ``5,678`` is refused: one id
    5678 formatted by a spreadsheet, or the ids 5 and 678? (x21r2 F2)"""
    if ";" not in text and "," in text and re.fullmatch(r"\d{1,3}(?:,\d{3})+", text.strip()):
        raise InputError(f"{text.strip()!r} is one deal id with a thousands separator or "
                         "several ids? Write ids as plain numbers, separated by ';'",
                         row=row, column="merged_ids")
    parts = text.split(";") if ";" in text else text.split(",")
    return tuple(_int(x, row, "merged_ids") for x in parts if x.strip())


def _stale_score(text: str) -> float:
    """groups.csv's ``score``: the group's as planned, stale once a reviewer edits the
    group; apply takes an edited group's score from pairs.csv (``apply._as_edited``), so
    this is read leniently and never refuses a row (x21r2 F2: Excel in a decimal-comma
    locale wrote ``0,8`` and ``1000`` for 1.000, and every row was refused). NaN when it is
    no score in [0, 1]."""
    t = text.strip().replace(",", ".")
    try:
        score = float(t or "nan")
    except ValueError:
        return math.nan
    return score if 0.0 <= score <= 1.0 else math.nan


def read_groups(directory: Path) -> list[PlannedGroup]:
    """groups.csv as edited (any CSV dialect or encoding a spreadsheet saves, read by
    ``bulk.manifest``); InputError with the data row (1-based) for a bad id,
    band or decision, a deal in two groups, a group id on two rows, or a survivor also
    merged away. ``score`` is
    stale and never refused (``_stale_score``); ids may carry a spreadsheet's thousands
    separators (``_int``)."""
    path = directory / GROUPS
    if not path.is_file():
        raise InputError(f"{directory} is not a dedupe plan (no {GROUPS}); make one with "
                         "`pdbulk dedupe plan -o DIR`")
    try:
        header = manifest_header(path, format="csv")
        missing = set(_READ) - {h.strip() for h in header}
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        # a column added beside one the apply reads, alike but for case and spaces
        # (``Survivor_ID`` beside ``survivor_id``): refused, as merge refuses it — merges
        # are final (x45r11 F1: the added column was ignored, the groups merged)
        refuse_alike(header, _READ, reader="dedupe apply", path=path)
        out: list[PlannedGroup] = []
        seen: dict[int, int] = {}
        ids: dict[str, int] = {}  # group id -> its first row
        bad: list[InputError] = []  # every bad row said at once (x13r4 F6: one per run)
        for source in read_manifest(path, format="csv"):
            try:
                if source.error is not None:
                    raise source.error
                got = _group_row(source.row, {k.strip(): v
                                              for k, v in source.values.items()}, seen)
                if (first := ids.setdefault(got.id, got.row)) != got.row:  # x42r5 F7
                    raise InputError(f"group id {got.id!r} is also row {first}'s: each group "
                                     "needs its own id (a group split in two: g-2a, g-2b)",
                                     row=got.row, column="group_id")
                out.append(got)
            except InputError as exc:
                if exc.row is None:
                    raise
                bad.append(exc)
        if len(bad) == 1:
            raise bad[0]
        if bad:
            shown = "; ".join(str(e) for e in bad[:10])
            raise InputError(f"{GROUPS} has {len(bad)} bad rows: {shown}"
                             + ("; ..." if len(bad) > 10 else ""))
    except InputError as exc:
        raise _no_encoding_option(exc) from None
    return out


_ENCODING_HINT = re.compile(r"[.;,]?\s*(?:or )?[Rr]ead it with --encoding .*?\[defaults\]\)"
                            r"(?:, or save it as UTF-8)?")


def _no_encoding_option(exc: InputError) -> InputError:
    """``exc`` without the reader's advice to use ``--encoding`` or a mapping's ``[defaults]``:
    ``dedupe apply`` has neither (groups.csv is read as UTF-8, or UTF-16 with a BOM)."""
    reason = _ENCODING_HINT.sub("", exc.reason)
    if reason == exc.reason:
        return exc
    return InputError(f"{reason}; save groups.csv again as UTF-8 (dedupe apply has no "
                      "--encoding option)", row=exc.row, column=exc.column)


def _group_row(n: int, row: dict[str, Any], seen: dict[int, int]) -> PlannedGroup:
    def cell(name: str) -> str:
        v = row.get(name)
        return "" if v is None else str(v).strip()
    decision = " ".join(cell("decision").casefold().split()).replace("_", "-").replace(" ", "-")
    if decision not in DECISIONS:
        raise InputError(f"decision must be blank, merge or keep-separate (any case; "
                         f"keep separate and keep_separate too), not {row.get('decision')!r}",
                         row=n, column="decision")
    survivor = _int(cell("survivor_id"), n, "survivor_id")
    merged = _merged_ids(cell("merged_ids"), n)
    if not merged:
        raise InputError("no deal to merge", row=n, column="merged_ids")
    if survivor in merged:
        raise InputError(f"deal {survivor} is the survivor and also merged away", row=n,
                         column="merged_ids")
    score = _stale_score(cell("score"))
    band = cell("band")
    if band not in ("duplicate", "review"):
        raise InputError(f"band must be duplicate or review, not {band!r}", row=n,
                         column="band")
    for deal_id in (survivor, *merged):
        if deal_id in seen:
            raise InputError(f"deal {deal_id} is also in the group of row {seen[deal_id]}; "
                             "a deal can be in one group only", row=n)
        seen[deal_id] = n
    return PlannedGroup(n, cell("group_id") or f"row-{n}", decision, band, score, survivor,
                        merged)


def read_records(directory: Path) -> dict[int, DealRecord]:
    """The records the plan was made from (deals.jsonl); InputError naming the line of a
    damaged record."""
    path = directory / DEALS
    if not path.is_file():
        raise InputError(f"{directory}: {DEALS} is missing; make the plan again")
    out: dict[int, DealRecord] = {}
    with open(path, "rb") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                r = record_from_json(orjson.loads(line))
            except (orjson.JSONDecodeError, TypeError, ValueError, AttributeError):
                raise InputError(f"{path} line {n} is not a deal record the plan wrote; "
                                 "make the plan again") from None
            out[r.id] = r
    return out


def read_pair_scores(directory: Path) -> dict[frozenset[int], float]:
    """pairs.csv as ``{frozenset((a, b)): score}``. InputError when it is missing, has no
    ``a``/``b``/``score`` columns or a row that does not parse (naming the data row, 1-based):
    apply's chaining guard and an edited group's score come from it, so apply must not run
    without it."""
    path = directory / PAIRS
    if not path.is_file():
        raise InputError(f"{path} is missing; the chaining guard needs it: make the plan again")
    out: dict[frozenset[int], float] = {}
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            if not {"a", "b", "score"} <= set(reader.fieldnames or ()):
                raise InputError(f"{path} is damaged (no a, b, score columns); make the plan again")
            for n, row in enumerate(reader, start=1):
                try:
                    score = float(row["score"])
                    pair = frozenset((int(row["a"]), int(row["b"])))
                except (KeyError, TypeError, ValueError):
                    raise InputError(f"{path} is damaged: row {n} is not a scored pair; make the "
                                     "plan again") from None
                if not 0.0 <= score <= 1.0:
                    raise InputError(f"{path} is damaged: row {n} score {row['score']!r} is not "
                                     "in [0, 1]; make the plan again")
                out[pair] = score
    except (UnicodeDecodeError, csv.Error) as e:
        raise InputError(f"{path} is damaged ({e}); make the plan again") from None
    return out


def read_pair_bands(directory: Path) -> dict[frozenset[int], str]:
    """pairs.csv's ``band`` by pair (``read_pair_scores`` has refused a damaged file
    already; a pair or a column it lacks is simply not here). Apply merges a group no
    person decided only when every pair of it is in the duplicate band: a pair a "review
    at most" rule holds is ``review`` whatever its score (x21r2 F1)."""
    out: dict[frozenset[int], str] = {}
    with open(directory / PAIRS, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            try:
                out[frozenset((int(row["a"]), int(row["b"])))] = str(row.get("band") or "")
            except (KeyError, TypeError, ValueError):
                continue
    return out


def read_pair_reasons(directory: Path) -> dict[frozenset[int], tuple[str, ...]]:
    """pairs.csv's ``reasons`` by pair, split at ``; `` (as ``read_pair_bands`` reads: a pair
    or a column the file lacks is simply not here). Apply leaves a review group a pair of
    which nothing ties to one customer to a person, even with --include-review (x33r3 F1)."""
    out: dict[frozenset[int], tuple[str, ...]] = {}
    with open(directory / PAIRS, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            try:
                out[frozenset((int(row["a"]), int(row["b"])))] = tuple(
                    str(row.get("reasons") or "").split("; "))
            except (KeyError, TypeError, ValueError):
                continue
    return out


def read_summary(directory: Path) -> dict[str, Any]:
    """summary.json; InputError when it is missing or damaged (it carries the field policy
    and the thresholds the plan was made with: apply must not run without them)."""
    path = directory / SUMMARY
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        data = None
    if not isinstance(data, dict):
        raise InputError(f"{path} is missing or damaged; make the plan again")
    return data



# a run's plan folder name (``retention.new_run_plan``); without the milliseconds: the name
# before (one a second)
_RUN_PLAN = re.compile(r"\d{8}T\d{6}(\.\d{3})?Z")


def run_plans(plans: Path) -> list[Path]:
    """The run plan folders in ``plans`` (named as ``new_run_plan`` names them), newest
    first; none when ``plans`` is no folder."""
    if not plans.is_dir():
        return []
    return sorted((p for p in plans.iterdir() if p.is_dir() and _RUN_PLAN.fullmatch(p.name)),
                  key=lambda p: p.name, reverse=True)

__all__ = ["run_plans", "DECISIONS", "GROUP_COLUMNS", "MERGE_TOKENS", "PAIR_COLUMNS", "PATCH_TOKENS",
           "PATCHABLE", "PlannedGroup", "added_before", "check_plan_files", "comparable_value", "dropped_value",
           "drops_note", "field_label", "final_note", "holds", "merge_drops", "merge_fills", "older_drop",
           "patch_shown", "plan_file_facts",
           "policy_changes", "policy_compares", "read_groups",
           "read_pair_bands", "read_pair_reasons", "read_pair_scores", "read_records",
           "read_summary", "write_plan"]


