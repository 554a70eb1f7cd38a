"""Deals as the jobs see them: reading them by id (the re-read before a resume or after
a prompt, priced exactly by ``reread_calls``), comparing a stored deal with what a row
would send (``same``, ``deal_changes``), and the before-image undo restores
(``before_image``, ``restore_body``).

Shared by import (upsert), update, move-stage, merge, undo and dedupe. Reads go through
the run's ``CallContext`` (scheduled, retried, accounted): ``GET /api/v2/deals?ids=``
(100 ids per call, 10 tokens) and ``GET /api/v2/deals/archived?ids=`` (20 tokens),
openapi-v2.yaml.

Why ~900 lines: one concept — a deal as every kind reads, compares and restores it — whose
verdicts (``in_flight``, ``drifted``, ``same``) must stay one rule for all six kinds;
split, each kind would grow its own copy (they did, before issue 8).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import orjson

from bulk.calls import CallContext
from bulk.errors import InputError
from bulk.store import AsyncJobStore, BeforeImage, Item, ItemState, JobStore, NewItem, Outcome

from . import transforms as tf

IDS_PER_CALL = 100  # GET /api/v2/deals?ids= takes at most 100 ids
Deal = dict[str, Any]
STATUS_FIELDS = ("status", "lost_reason", "won_time", "lost_time", "close_time")
_ALLOWED_WITH = {"lost_reason": ("lost",), "won_time": ("won",), "lost_time": ("lost",),
                 "close_time": ("won", "lost")}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def same(old: Any, new: Any, kind: str | None = None) -> bool:
    """Whether a stored value already equals the value a row would send. Text is compared
    as the row's was cleaned (``_same_text``); ``kind``: the field's type
    (``DealField.type``: a ``phone`` or long ``text`` field is read as its row's cleaning
    reads it), None when it is not known (a job stored before types were kept).

    A structured value is the same only as a whole, as a person reading both would say:
    an address, an amount with its currency, a date or time range, each part of it (an
    address that gained a postal code, a range whose end moved, are changed: f27d 1, the
    parts were compared as a subset, and undo wrote over a colleague's postal code); a
    set of options or labels in any order; a person, organization, user or option as its
    id whether it is shown as the id or as the object around it; a part, a value or a
    list that is empty (null, "", [], {}) as absent."""
    if old == new:
        return True
    old, new = _ref(old), _ref(new)
    if _blank(old) or _blank(new):
        return _blank(old) and _blank(new)
    a, b = _number(old), _number(new)
    if a is not None and b is not None:
        return a == b
    if isinstance(old, str) and isinstance(new, str):
        return _same_text(old, new, kind)
    if isinstance(old, list) or isinstance(new, list):
        return (isinstance(old, list) and isinstance(new, list)
                and sorted(str(_ref(v)) for v in old) == sorted(str(_ref(v)) for v in new))
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        theirs = {k: v for k, v in old.items() if not _blank(v)}
        ours = {k: v for k, v in new.items() if not _blank(v)}
        return theirs.keys() == ours.keys() and all(same(theirs[k], v) for k, v in ours.items())
    if isinstance(old, Mapping) or isinstance(new, Mapping):
        # an address read as its text on one side: the same while the text is all it holds
        held = old if isinstance(old, Mapping) else new
        parts = {k for k, v in held.items() if not _blank(v)}
        if parts != {"value"}:
            return False
        return same(old["value"], new) if held is old else same(old, new["value"])
    return False


def holds(stored: Any, wanted: Any, kind: str | None = None) -> bool:
    """Whether a stored value already holds what a write of ``wanted`` sets: ``same``, but
    a structured value is compared on the parts the write names only — an address written
    as ``{"value": text}`` is held by a deal whose address reads that text, whatever
    locality, postal code or formatted address Pipedrive (or a person) added beside it
    (x28r2 F3: an unchanged address was "updated" by every re-import and update, a write
    a deal, its other parts dropped). A part the write names empty must be empty there
    too (an amount cleared, its currency kept). Write diffs (``deal_changes``: plans,
    re-checks, reconciling a write in doubt) ask this; whether someone changed a field
    since a job wrote it asks ``same`` (the whole value)."""
    old, new = _ref(stored), _ref(wanted)
    if isinstance(new, Mapping) and not _blank(new):
        if isinstance(old, Mapping):
            return all(same(old.get(k), v) for k, v in new.items())
        return set(k for k, v in new.items() if not _blank(v)) == {"value"} \
            and same(old, new["value"], kind)
    if isinstance(old, Mapping) and isinstance(new, str) and not _blank(old):
        return same(old.get("value"), new, kind)  # an address written as its text
    return same(stored, wanted, kind)


def _blank(value: Any) -> bool:
    """An empty value (null, "", [], {}, an object whose every part is empty): a field or
    a part of one that holds nothing (x27r3 1: an address or a range read with each part
    null is an empty field, and its undo clears it)."""
    if isinstance(value, Mapping):
        return all(_blank(v) for v in value.values())
    return value is None or (isinstance(value, str | list | tuple) and not value)


blank = _blank  # public: undo's merge guess rests on no empty value (``jobs.undo.plan``)


def _ref(value: Any) -> Any:
    """A reference as its id: an option or user shown as ``{id, label|name, ...}``, a
    person or organization as v1 shows them (``{value: 12, name: ..., ...}``); any other
    value as it is."""
    if isinstance(value, Mapping):
        if "id" in value and "value" not in value:
            return value["id"]
        if "name" in value and isinstance(value.get("value"), int) \
                and not isinstance(value.get("value"), bool) and "currency" not in value:
            return value["value"]
    return value


# an international phone number as ``tf.normal_phone`` writes it: "+", digits, an extension
# (national digits alone are not taken for a phone: a text field's "12345" beside a stored
# "12-345" is an identifier changed, not a number formatted)
_CLEAN_PHONE = re.compile(r"\+[0-9]{5,15}(?: ext\. [0-9]{1,6})?")


def _same_text(old: str, new: str, kind: str | None = None) -> bool:
    """Whether stored text ``old`` reads as ``new``, a row's cleaned text, once cleaned the
    same way: one line with spaces collapsed and trimmed, and for an international phone
    number (``+...``) its digits (x9r2: a deal holding ``Deal  K14`` or ``+1 555 010 0123``
    was "updated" by a row of that very text, and rewritten). A long text — either side
    holds a line break, or ``new`` holds what one line's cleaning never leaves (a tab, a run
    of spaces) — is compared as ``clean_multiline`` writes it: only its edges trimmed and
    CRLF read as LF, so a changed indentation or run of spaces is a change (x18r2 1).
    Never equal when the texts differ otherwise.

    A known ``kind`` (the field's type) decides instead of the guesses: ``phone``, the
    stored value and the row's as ``normal_phone`` reads them, a national number too (x20r2 F3: a stored
    ``(030) 1234567`` was rewritten ``0301234567`` by a no-op round trip); ``text``, as
    ``clean_multiline`` reads it, so a run of spaces is kept even beside a one-line value
    (f18b: stored ``a  b``, row ``a b`` read "unchanged")."""
    try:
        if kind == "phone":  # one number however written (the row's is sent as given)
            return tf.clean_text(old) == new or tf.normal_phone(old) == tf.normal_phone(new)
        if kind == "text":
            return tf.clean_multiline(old) == new
        if "\n" in new or "\n" in old or "\r" in old or tf.clean_text(new) != new:
            if tf.clean_multiline(old) == new:
                return True
        elif tf.clean_text(old) == new:
            return True
        return _CLEAN_PHONE.fullmatch(new) is not None and tf.normal_phone(old) == new
    except InputError:  # the stored text is not one the row's cleaning reads
        return False


def deal_changes(existing: Mapping[str, Any], deal: Mapping[str, Any], *,
                 currency_alone: bool = False,
                 types: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The part of ``deal`` that differs from the deal as it is (for a PATCH).

    ``deal``: a row's addDeal body (the default), where a currency without an amount is
    left out: a row without an amount never re-denominates the stored one (its currency
    may be only ``defaults.currency``). ``currency_alone``: ``deal`` is a PATCH body
    already decided (a stored ``changes``: its currency alone IS the change, the amount
    being unchanged; x9r1: a re-check took a currency-only change for "unchanged" and
    never sent it), or a body whose currency is wanted by itself (an update mapping
    with no amount). ``types``: field code -> type (``field_types``), so that each value
    is compared as its field's type reads it (``holds``: a structured value on the parts
    ``deal`` sets); a code it lacks: as before."""
    types = types or {}
    changes: dict[str, Any] = {}
    for name, value in deal.items():
        if name == "currency" and "value" not in deal and not currency_alone:
            continue  # a row without an amount never re-denominates the stored one
        if name == "custom_fields":
            stored = existing.get("custom_fields") or {}
            custom = {code: v for code, v in value.items()
                      if not holds(stored.get(code), v, types.get(code))}
            if custom:
                changes["custom_fields"] = custom
        elif not holds(existing.get(name), value, types.get(name)):
            changes[name] = value
    if "lost_reason" in changes and "status" not in changes and deal.get("status") == "lost":
        changes["status"] = "lost"
    return changes


def with_status_times(existing: Mapping[str, Any], deal: Mapping[str, Any],
                      changes: Mapping[str, Any]) -> dict[str, Any]:
    """``changes`` (``deal_changes(existing, deal)``: a PATCH) with the lost reason and
    won / lost / close times ``deal`` gives (not empty) added when it changes the status of
    ``existing``, even those equal to its old ones: Pipedrive re-dates a deal whose status
    changes (FACTS.md), so one left out as unchanged was dated the write's moment (x34r4
    F1). ``changes`` unchanged otherwise (a copy)."""
    out = dict(changes)
    if "status" in out and out["status"] != existing.get("status"):
        out.update((name, deal[name]) for name in STATUS_FIELDS[1:]
                   if name not in out and deal.get(name) is not None)
    return out


def set_to_deactivated(changes: Mapping[str, Any],
                       deactivated: Mapping[str, InputError] | None) -> InputError | None:
    """The row's error for the first target ``changes`` sets to a deactivated user
    (``deactivated``: ``MappedRow.deactivated``, by ``owner_id`` or a user field's code),
    None when it sets none: a deal already holding that user is unchanged by it (x20r2
    F4)."""
    if not deactivated:
        return None
    names = [*changes, *(changes.get("custom_fields") or {})]
    return next((deactivated[n] for n in names if n in deactivated), None)


# a job's custom field names, key -> name (its load or plan read them from the account), so
# that a message the run writes later names a field as the account does (x18r1 7)
META_FIELD_LABELS = "field_labels"


# what the ids the job's fields hold are called, field (key or code) -> {id: name}
# (``Catalog.value_names``): a conflict shows "Cold call then, Partner now", not "4 then, 5
# now" (x26r2 1); a job stored before they were kept shows the ids
META_VALUE_LABELS = "value_labels"


def stored_labels(store: JobStore) -> dict[str, str]:
    """The job's ``META_FIELD_LABELS`` ({} when it holds none), with its
    ``META_VALUE_LABELS`` under ``value_key``."""
    held = store.meta_get(META_FIELD_LABELS)
    out = {str(k): str(v) for k, v in held.items()} if isinstance(held, Mapping) else {}
    values = store.meta_get(META_VALUE_LABELS)
    for name, names in (values.items() if isinstance(values, Mapping) else ()):
        if isinstance(names, Mapping):
            out.update({value_key(str(name), i): str(n) for i, n in names.items()})
    return out


def record_labels(store: JobStore) -> dict[str, str]:
    """``stored_labels`` with each custom field's value labels also under the name the
    record of past writes gives the field (``custom_fields.<code>``, ``last_written.CUSTOM``),
    as ``update_edits.note_labels`` keys them: an import's run-time note (a deal found
    under a key's claim) names options by label, as its load's does (before: ids)."""
    out = stored_labels(store)
    held = store.meta_get(META_FIELD_LABELS)
    customs = set(held) if isinstance(held, Mapping) else set()
    out.update({"custom_fields." + k: v for k, v in list(out.items())
                if "=" in k and k.split("=", 1)[0] in customs})
    return out


def value_key(name: str, value: object) -> str:
    """Where a labels mapping (``stored_labels``) holds what ``value`` of field ``name``
    (a deal field's key, a custom field's code) is called."""
    return f"{name}={value}"


def shown(name: str, value: Any, labels: Mapping[str, str] | None) -> str:
    """A value of field ``name`` as a message shows it: an id by what it is called
    (``value_key`` in ``labels``), a list of ids as ``[Cold call, Partner]``, a person or
    organization ``labels`` does not name as ``person 12`` / ``organization 4``, a text of
    more than 60 characters cut (``'…'… (5,000 characters)``), a monetary value as
    ``CHF 1,000.50``, a list's names each quoted when one holds a comma, an empty or all-space
    text as ``(blank)``, no value (None, an empty list, an amount of neither amount nor
    currency) as ``(empty)`` (x51r12 F3: "now None"); anything else, or an id
    ``labels`` does not name, as before (``repr``)."""
    def called(one: Any) -> str | None:
        if isinstance(one, bool) or not isinstance(one, int | str):
            return None
        return (labels or {}).get(value_key(name, one))
    if value is None or value == [] or value == {} or (
            isinstance(value, Mapping) and set(value) <= {"value", "currency"}
            and value.get("value") is None and not value.get("currency")):
        return "(empty)"
    if isinstance(value, list) and value:
        names = [called(v) for v in value]
        if all(n is not None for n in names):
            # each quoted when one holds a comma or a bracket (x50r5 F4: "[Fax, legacy,
            # Email]" read as three options)
            odd = any(c in str(n) for n in names for c in ",[]")
            return "[" + ", ".join(repr(str(n)) if odd else str(n) for n in names) + "]"
    elif (money := _money(value)) is not None:
        return money
    elif (one := called(value)) is not None:
        # quoted when it holds a comma, as a list's names are (x50r10 F4: "Tier: Gold,
        # legacy in Pipedrive, Silver in the file" read as two fields)
        return repr(one) if "," in one else one
    elif name in _REFERENCES and isinstance(value, int) and not isinstance(value, bool):
        # a person or organization the job read no name of: said what it is, not a bare
        # number beside a name (f27d 2: "person_id: 12 then, 14 now")
        return f"{_REFERENCES[name]} {value}"
    elif isinstance(value, str) and not value.strip():
        # a blank text said so (x51r3 F5: "'          '" between an amount and a date)
        return "(blank)"
    elif isinstance(value, str) and len(value) > _SHOWN_CHARS:
        # a long text cut (x50r5 F3: a 5,000-character text printed whole in a note)
        return f"{value[:_SHOWN_CHARS]!r}… ({len(value):,} characters)"
    return repr(value)


_SHOWN_CHARS = 60  # a text value's characters a message shows (``shown``)


def _money(value: Any) -> str | None:
    """A monetary custom field's value ({"value", "currency"}) as a message says it:
    ``CHF 1,000.50``, ``USD 5,000`` (x50r5 F4: undo's notes printed the Python dict);
    None: not one (or an amount that is no number)."""
    if not isinstance(value, Mapping) or "value" not in value \
            or not set(value) <= {"value", "currency"}:
        return None
    amount, currency = value.get("value"), value.get("currency")
    if amount is None:
        return f"{currency} (no amount)" if currency else "(empty)"
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return None
    if float(amount).is_integer():
        text = f"{int(amount):,}"
    else:
        text = f"{amount:,.2f}" if len(repr(float(amount)).partition(".")[2]) <= 2 \
            else f"{amount:,}"
    return f"{currency} {text}" if currency else text


_REFERENCES = {"person_id": "person", "org_id": "organization"}


# a job's deal field types, code -> type, of the fields whose type changes how a stored
# value is compared (``field_types``): a resume compares as its load did (x20r2 F3)
META_FIELD_TYPES = "field_types"
_TYPED = ("phone", "text")


def field_types(fields: Iterable[Any]) -> dict[str, str]:
    """Code -> type of the deal fields (``jobs.catalog.DealField``: a ``Catalog``'s
    ``deal_fields``) whose type ``same`` reads (phone, long text); the others compare as
    one-line text, the default."""
    return {str(f.code): str(f.type) for f in fields if f.type in _TYPED}


def stored_types(store: JobStore) -> dict[str, str]:
    """The job's ``META_FIELD_TYPES`` ({} for a job stored before they were kept: its
    values compare as they did then)."""
    held = store.meta_get(META_FIELD_TYPES)
    return {str(k): str(v) for k, v in held.items()} if isinstance(held, Mapping) else {}


def label(code: str, labels: Mapping[str, str] | None) -> str:
    """A custom field's name (``labels``: key -> name, from the account's deal fields),
    or its 40-character key when it is not known (x18r1 7: undo named them by key)."""
    return (labels or {}).get(code) or code


def changed_fields(changes: Mapping[str, Any],
                   labels: Mapping[str, str] | None = None,
                   existing: Mapping[str, Any] | None = None) -> list[str]:
    """The fields a PATCH body (``deal_changes``) changes, each once: the deal's own by
    their key (``value``, ``stage_id``), custom fields by their name (``labels``: key ->
    name; ``label``). What a plan counts per field (x20r2 F6). ``existing``: the deal the
    PATCH is for; a status it has already, sent only to carry a new lost reason
    (``deal_changes``), is no change (x34r5: lost deals counted as changing status)."""
    names = [_cleared(k, v) for k, v in changes.items() if k != "custom_fields"
             and not (k == "status" and existing is not None and existing.get(k) == v)]
    return names + [_cleared(label(code, labels), v)
                    for code, v in (changes.get("custom_fields") or {}).items()]


def _cleared(name: str, value: object) -> str:
    """A field a PATCH empties (null, or the labels' empty list: ``clear_values``) counted
    apart from those it sets."""
    return f"{name} (cleared)" if value is None or value == [] else name


def drifted(deal: Deal, image: Mapping[str, Any] | None,
            changes: Mapping[str, Any] | None = None,
            labels: Mapping[str, str] | None = None) -> str:
    """What of a before-image (``before_image``'s shape) ``deal`` no longer holds, as
    ``value: 299 then, 7777 now; Lead source: ...`` ("" when it holds all of it, or when
    there is no image to compare with). A field someone set to the very value
    ``changes`` (the PATCH) sets is not counted: their change and this job's agree.
    ``labels``: custom field key -> name (``label``), and what ids are called (``shown``:
    ``Lead source: Cold call then, Partner now``)."""
    if not image:
        return ""
    changes = changes or {}
    wanted_custom = changes.get("custom_fields") or {}

    def moved(now: Any, then: Any, wanted: Any, wants: bool) -> bool:
        return not same(now, then) and not same(then, now) and not (wants and same(now, wanted))

    out = [f"{name}: {shown(name, then, labels)} then, {shown(name, deal.get(name), labels)} now"
           for name, then in (image.get("fields") or {}).items()
           if moved(deal.get(name), then, changes.get(name), name in changes)]
    custom = deal.get("custom_fields") or {}
    out += [f"{label(code, labels)}: {shown(code, then, labels)} then, "
            f"{shown(code, custom.get(code), labels)} now"
            for code, then in (image.get("custom_fields") or {}).items()
            if moved(custom.get(code), then, wanted_custom.get(code), code in wanted_custom)]
    return "; ".join(out)


def _image_as_deal(image: Mapping[str, Any]) -> Deal:
    """A before-image (``before_image``'s shape) read as the deal it describes."""
    return {**(image.get("fields") or {}), "custom_fields": image.get("custom_fields") or {}}


def in_flight(deal: Deal | None, image: Mapping[str, Any] | None,
              changes: Mapping[str, Any], *, reached: bool = True,
              labels: Mapping[str, str] | None = None) -> tuple[str, str]:
    """What became of a PATCH left in flight (a run died, or its answer was lost), decided
    from the deal as it is now; ``image``: the before-image stored for it
    (``before_image``'s shape), ``changes``: the PATCH body. ``(verdict, detail)``:

    - ``"gone"``: the deal no longer takes writes (deleted, merged away);
    - ``"applied"``: the deal is as the PATCH wants it and the before-image is not — the
      write (ours) applied: DONE as a normal success (undo owns it);
    - ``"unchanged"``: as wanted, and the before-image already was (nothing to own);
    - ``"unsent"``: the written fields still hold the before-image: not applied, send it;
    - ``"conflict"``: a written field holds another value — someone else's — or the deal
      is only partly as the PATCH wants it (some written fields as it wrote them, others
      back at the before-image or elsewhere): ``detail`` says which. Nothing may be sent.
      A partial match proves nothing: the write applied and someone changed some fields
      since (x10r2), or it never applied and someone set the others to the same values
      (x22r1: a colleague marked the deal won, and the move was counted "moved" while
      the deal stayed in its stage). Only the whole PATCH as wanted shows it applied
      (x12r4 F1 took one field as written for proof, and recorded such a write done).

    ``reached=False``: the PATCH cannot be as wanted yet (e.g. it links a person not
    created yet), so it is never taken as applied, and a field someone set to the very
    value it sets counts as unchanged (it is sent again). Without an image, a deal as wanted is
    taken as applied and any other as not applied (nothing to compare with). ``labels``:
    custom field key -> name, for ``detail``."""
    if is_gone(deal):
        return "gone", ""
    assert deal is not None
    if reached and not deal_changes(deal, changes, currency_alone=True):
        if image is not None and not deal_changes(_image_as_deal(image), changes,
                                                  currency_alone=True):
            return "unchanged", ""
        return "applied", ""
    drift = drifted(deal, image, changes, labels)
    wrote, back = _held(deal, image, changes) if image is not None and reached else ([], [])
    wrote, back = [label(n, labels) for n in wrote], [label(n, labels) for n in back]
    if wrote:  # the PATCH is not as wanted as a whole (above): only partly
        others = changed_fields(deal_changes(deal, changes, currency_alone=True), labels)
        parts = [f"{', '.join(wrote)} as this job's write wants it, {', '.join(others)} not"]
        parts += [f"{', '.join(back)} at the value before it"] if back else []
        parts += [drift] if drift else []
        return "conflict", ("; ".join(parts) + ": only partly as the write wants it, which "
                            "shows neither that it applied nor that it did not")
    return ("conflict", drift) if drift else ("unsent", "")


def gone_when_sent(item_id: int, deal_id: int, key: str | None = None) -> Outcome:
    """The outcome of a PATCH Pipedrive answered 404: the deal was deleted or merged away
    after it was read (x12r5 F5: a bare "404 Deal not found (updateDeal)" beside the
    clear reason the re-check gives the same case). Not applied, not re-created."""
    named = f"deal {deal_id}" + (f" (key {key})" if key else "")
    return Outcome(item_id, ItemState.FAILED, status=404, error=(
        f"{named} no longer takes writes: deleted or merged away after it was read "
        "(Pipedrive answered 404); not updated, not re-created"))


STATUS_LEFT = "status_group"  # an item's result: the status group as its write left it
# the words of a write left in flight that a reconcile failed as a conflict without
# proof either way (``jobs.patch_job``, the import's upsert updates): it may have applied,
# so undo owns the field groups the deal still holds as it wanted (``jobs.undo.targets``)
MAY_HAVE_APPLIED = "may have applied before that change"


def status_left(changes: Mapping[str, Any], deal: Mapping[str, Any]) -> dict[str, Any]:
    """The result entry that records the status group (``STATUS_FIELDS``) as a write of
    ``changes`` left it, read from ``deal`` (its answer, or the deal a resume found it
    applied on): ``{"status_group": {field: value}}`` when ``changes`` sets a field of the
    group, else {}. Pipedrive sets the times (and keeps or clears the reason) with a status,
    so the body alone does not say what the write left; undo compares these
    (``groups_moved``: x33r2 F2, a colleague's won_time after the job's "won" was not
    seen, and the undo emptied it)."""
    if not any(name in changes for name in STATUS_FIELDS):
        return {}
    return {STATUS_LEFT: {name: deal.get(name) for name in STATUS_FIELDS}}


def applied(deal: Mapping[str, Any]) -> dict[str, Any]:
    """The result entries of a write ``in_flight`` found ``"applied"``: the deal's
    ``update_time`` as the job's (undo compares with it)."""
    return {"update_time": deal.get("update_time")}


def held_fields(deal: Deal, image: Mapping[str, Any], changes: Mapping[str, Any]
                ) -> tuple[list[str], list[str]]:
    """(the fields a PATCH of ``changes`` changes that ``deal`` holds as written, those back
    at their before-image ``image``): the public name of ``_held``, for ``jobs.undo``."""
    return _held(deal, image, changes)


def _held(deal: Deal, image: Mapping[str, Any], changes: Mapping[str, Any]
          ) -> tuple[list[str], list[str]]:
    """The fields a PATCH changes (its value differs from the before-image) that ``deal``
    holds as written, and those back at their before-image."""
    then = _image_as_deal(image)
    wrote: list[str] = []
    back: list[str] = []
    now_custom, then_custom = deal.get("custom_fields") or {}, then.get("custom_fields") or {}
    pairs = [(name, deal.get(name), then[name], value) for name, value in changes.items()
             if name != "custom_fields" and name in then]
    pairs += [(code, now_custom.get(code), then_custom[code], value)
              for code, value in (changes.get("custom_fields") or {}).items()
              if code in then_custom]
    for name, now, was, wanted in pairs:
        if same(was, wanted) or same(wanted, was):  # no change of its own to tell by
            continue
        if same(now, wanted):
            wrote.append(name)
        elif same(now, was) or same(was, now):
            back.append(name)
    return wrote, back


def held_before(deal: Deal | None, image: Mapping[str, Any] | None,
                changes: Mapping[str, Any]) -> list[str]:
    """The fields a PATCH ``changes`` that ``deal`` still holds at their before-image
    (``image``, ``before_image``'s shape): own fields by key, custom fields by their key as
    in ``custom_fields``; [] without a deal or an image. A write left in flight did not
    reach those fields (``jobs.last_written.conflicted`` records the others)."""
    if deal is None or image is None or is_gone(deal):
        return []
    return _held(deal, image, changes)[1]


def not_landed(deal: Deal | None, image: Mapping[str, Any] | None,
               changes: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> str:
    """For a write left in flight that ``in_flight`` calls a ``"conflict"``: the fields it
    changes still at their before-image (``"title, value"``, labelled as ``label`` does)
    when none holds the write's value — the deal shows it did not apply, the conflict is
    someone's change to another field; "" when that cannot be told (no image, a field as
    the write wants it, or none back at its value before). x32r1 F11: such a row read "the
    write may have applied before that change" with every written field as before."""
    if deal is None or image is None or is_gone(deal):
        return ""
    wrote, back = _held(deal, image, changes)
    return "" if wrote or not back else ", ".join(label(n, labels) for n in back)


# -- before-images and restoring them (undo) ---------------------------------------------
def _plain(value: object) -> Any:
    """An id out of ``{"id": 3, "name": ...}`` (how some readers show user/option values)."""
    if isinstance(value, Mapping) and "id" in value and "value" not in value:
        return value["id"]
    return value


def restorable(value: object) -> Any:
    """A value as read, in the shape a PATCH takes back (openapi-v2 updateDeal
    ``custom_fields``, FACTS "Custom fields"): a structured value whose every part is
    empty as null (it clears the field); else each part as read, an empty one too — an
    amount with no value keeps ``"value": null`` beside its currency (x27r3 1: the null
    was dropped, ``{"currency": "EUR"}`` was refused "value: is required", and the deal
    stayed as the job left it), an address clears the parts that were empty — but for
    the parts the API takes no null for and that hold nothing alone: a time's or time
    range's ``timezone_name``, an amount's ``currency`` (the account's default then).
    A range or time left with an empty value or end is what ``unrestorable`` names."""
    value = _plain(value)
    if not isinstance(value, Mapping):
        return value
    if _blank(value):
        return None
    return {k: v for k, v in value.items() if v is not None or k not in _NO_NULL_PARTS}


# the parts of a structured value that take no null in a write and mean nothing alone
_NO_NULL_PARTS = frozenset({"timezone_name", "currency"})


def unrestorable(body: Mapping[str, Any], labels: Mapping[str, str] | None = None
                 ) -> str | None:
    """Why a restore body (``restore_body``) cannot be sent, None when it can: a date or
    time range with its start or its end empty, or a time zone with no time — a value
    Pipedrive can hold as read but takes in no write (openapi-v2 updateDeal; the sandbox
    answers 400), so no PATCH puts it back exactly. ``labels``: key -> name."""
    for code, value in (body.get("custom_fields") or {}).items():
        if not isinstance(value, Mapping) or "currency" in value:
            continue
        if "until" in value:
            empty = [name for part, name in (("value", "its start"), ("until", "its end"))
                     if _blank(value.get(part))]
            if empty:
                which = " and ".join(empty)
                return (f"{label(code, labels)} held a range with {which} empty before the "
                        f"job ({_json(value)}), which no write to Pipedrive takes")
        elif "timezone_name" in value and _blank(value.get("value")):
            return (f"{label(code, labels)} held a time zone and no time before the job "
                    f"({_json(value)}), which no write to Pipedrive takes")
    return None


def _json(value: Any) -> str:
    """A value as the API reads it (``null``, not Python's ``None``), for a message."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def before_image(current: Deal, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The previous values of what ``changes`` touches, with what undo needs to put them
    back exactly: the stage with its pipeline, a status with its reason and times, an
    amount with its currency (``FIELD_GROUPS``: undo judges each group whole)."""
    names = {k for k in changes if k != "custom_fields"}
    for group in FIELD_GROUPS:
        if names & set(group):
            names |= set(group)
    custom_now = current.get("custom_fields") or {}
    return {
        "update_time": current.get("update_time"),
        "fields": {k: current.get(k) for k in sorted(names)},
        "custom_fields": {code: custom_now.get(code)
                          for code in sorted(changes.get("custom_fields") or {})},
    }


def written_part(before: Mapping[str, Any], wrote: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a before-image (``before_image``'s shape) a write ``wrote`` touched: its
    fields, the stage with its pipeline, a status with its reason and times, and its custom
    fields. Undo puts back that part only (x14r1 F1: a move-stage's image held the status
    too, and the undo of a move turned a colleague's "won", made in the move's own second,
    back to open)."""
    names = {k for k in wrote if k != "custom_fields"}
    if names & {"stage_id", "pipeline_id"}:
        names |= {"stage_id", "pipeline_id"}
    if names & {"value", "currency"}:  # an amount with its currency (``FIELD_GROUPS``)
        names |= {"value", "currency"}
    if "status" in names:
        names |= set(STATUS_FIELDS)
    elif names & set(STATUS_FIELDS):
        # a reason or time written alone: the status it was written under, which undo
        # compares (a colleague's new status since leaves the group) and never changes
        # while it holds (``restore_body``)
        names.add("status")
    fields: Mapping[str, Any] = before.get("fields") or {}
    custom: Mapping[str, Any] = before.get("custom_fields") or {}
    codes = set(wrote.get("custom_fields") or {})
    return {**before, "fields": {k: v for k, v in fields.items() if k in names},
            "custom_fields": {k: v for k, v in custom.items() if k in codes}}


# Fields that only make sense together (openapi-v2 Deal; FACTS "Deals"): an amount and its
# currency, a status and the reason and times Pipedrive sets with it, a stage and the
# pipeline it belongs to. Undo restores a group whole or leaves it whole (a partial
# restore made combinations nobody made: a colleague's amount in the old currency, a
# status ``won`` without its won_time, one pipeline's stage with another's id). Every
# other field is a group of its own: the person, the organization, each custom field —
# a structured one (an amount with its currency, an address with its parts, a date or
# time range with its end) is one value in v2's ``custom_fields``, so its parts go as one.
FIELD_GROUPS: tuple[tuple[str, ...], ...] = (("value", "currency"), STATUS_FIELDS,
                                             ("stage_id", "pipeline_id"))
_GROUP_OF = {name: group[0] for group in FIELD_GROUPS for name in group}
CUSTOM_GROUP = "custom_fields."  # a custom field's group: this prefix and its key


def field_group(name: str, *, custom: bool = False) -> str:
    """The group (``FIELD_GROUPS``) deal field ``name`` — a custom field's key when
    ``custom`` — belongs to, named by its first field (``value``, ``status``,
    ``stage_id``), or ``custom_fields.<key>``; a field alone names itself."""
    if custom:
        return CUSTOM_GROUP + name
    return _GROUP_OF.get(name, name)


def write_groups(body: Mapping[str, Any]) -> list[str]:
    """The groups (``field_group``) a write ``body`` (a PATCH / create body, custom fields
    in ``custom_fields``) sets, each once, in the body's order."""
    out = [field_group(k) for k in body if k != "custom_fields"]
    out += [field_group(code, custom=True) for code in body.get("custom_fields") or {}]
    return list(dict.fromkeys(out))


def write_part(body: Mapping[str, Any], groups: Iterable[str]) -> dict[str, Any]:
    """The part of a write ``body`` in ``groups`` (``field_group`` names)."""
    wanted = set(groups)
    out = {k: v for k, v in body.items() if k != "custom_fields" and field_group(k) in wanted}
    custom = {code: v for code, v in (body.get("custom_fields") or {}).items()
              if field_group(code, custom=True) in wanted}
    if custom:
        out["custom_fields"] = custom
    return out


def image_part(image: Mapping[str, Any], groups: Iterable[str]) -> dict[str, Any]:
    """The part of a before-image (``before_image``'s shape) in ``groups``."""
    wanted = set(groups)
    fields: Mapping[str, Any] = image.get("fields") or {}
    custom: Mapping[str, Any] = image.get("custom_fields") or {}
    return {**image, "fields": {k: v for k, v in fields.items() if field_group(k) in wanted},
            "custom_fields": {k: v for k, v in custom.items()
                              if field_group(k, custom=True) in wanted}}


def groups_moved(deal: Deal, wrote: Mapping[str, Any], image: Mapping[str, Any] | None, *,
                 written: str | None = None) -> dict[str, list[tuple[str, Any, Any]]]:
    """The groups (``field_group``) of a write ``wrote`` that ``deal`` no longer holds as
    the write left them, group -> [(field or custom field key, the value the write left,
    the value now)]: a field it wrote holding another value, or a field of the group it
    did not write and its write does not set — an amount's currency, the status of a
    reason or time written alone — no longer as it was before the write (``image``, its
    ``written_part``; a field the image lacks is not compared). {}: every group holds.

    A status written without its reason and times: ``wrote`` holds them as the write's
    answer left them (``status_left``, laid over the body by ``jobs.undo.targets``). A job
    recorded before that answer was kept has only the status; then each of them is
    compared with what that status write set at ``written`` (its answer's ``update_time``,
    ISO 8601 as Pipedrive gives it; None: not judged): won — ``won_time`` and
    ``close_time`` at ``written``, ``lost_time`` empty; lost — ``lost_time`` and
    ``close_time`` at ``written``, ``won_time`` empty, ``lost_reason`` as before the write;
    open — all four empty (``_status_set``). Not gated on the deal's ``update_time``: a
    colleague's edit in the write's own second leaves it as the write's (1-s resolution)."""
    moved: dict[str, list[tuple[str, Any, Any]]] = {}
    custom = deal.get("custom_fields") or {}
    for name, value in wrote.items():
        if name != "custom_fields" and not same(deal.get(name), value):
            moved.setdefault(field_group(name), []).append((name, value, deal.get(name)))
    for code, value in (wrote.get("custom_fields") or {}).items():
        if not same(custom.get(code), value):
            moved.setdefault(field_group(code, custom=True), []).append(
                (code, value, custom.get(code)))
    before: Mapping[str, Any] = (image or {}).get("fields") or {}
    unset = [n for n in ("value", "currency") if n not in wrote]
    unset += ["status"] if "status" not in wrote else []  # times follow a status written
    for name in unset:
        group = field_group(name)
        if name in before and any(field_group(k) == group for k in wrote) \
                and not same(deal.get(name), before[name]):
            moved.setdefault(group, []).append((name, before[name], deal.get(name)))
    if written is not None:
        for name, value in _status_set(wrote, before, written).items():
            if not same(deal.get(name), value):
                moved.setdefault(field_group(name), []).append((name, value, deal.get(name)))
    return moved


def _status_set(wrote: Mapping[str, Any], before: Mapping[str, Any], written: str
                ) -> dict[str, Any]:
    """The reason and times a status write ``wrote`` recorded without its answer
    (``status_left``) left, by the status it set at ``written``: {} when it holds them or
    wrote no status (``groups_moved``)."""
    status = wrote.get("status")
    if status not in ("open", "won", "lost") or any(n in wrote for n in STATUS_FIELDS[1:]):
        return {}
    closed = written if status != "open" else None
    return {"won_time": written if status == "won" else None,
            "lost_time": written if status == "lost" else None, "close_time": closed,
            "lost_reason": before.get("lost_reason") if status == "lost" else None}


def restore_body(current: Deal, before: Mapping[str, Any]) -> dict[str, Any]:
    """The PATCH that puts a before-image back on ``current`` (only what differs)."""
    fields: Mapping[str, Any] = before.get("fields") or {}
    body: dict[str, Any] = {}
    for key, value in fields.items():
        if key not in STATUS_FIELDS and key != "pipeline_id" and not same(current.get(key),
                                                                          value):
            body[key] = restorable(value)
    if ("stage_id" not in body and "pipeline_id" in fields
            and not same(current.get("pipeline_id"), fields["pipeline_id"])):
        body["pipeline_id"] = fields["pipeline_id"]
    status = fields.get("status")
    if status is not None and current.get("status") != status:
        body["status"] = status
        for key, allowed in _ALLOWED_WITH.items():
            if status in allowed and fields.get(key) is not None:
                body[key] = fields[key]
    else:
        # the status stays: each of its reason and times the image holds is put back where
        # it differs and the status takes it (x26r2 1: a close_time an update wrote was
        # compared by no one, and its undo said "already as before the job", 11 of 11)
        held = str(current.get("status") or "open")
        for key, allowed in _ALLOWED_WITH.items():
            if key in fields and (held in allowed or fields[key] is None) \
                    and not same(current.get(key), fields[key]):
                body[key] = fields[key]
    custom_now = current.get("custom_fields") or {}
    custom = {code: restorable(v) for code, v in (before.get("custom_fields") or {}).items()
              if not same(custom_now.get(code), v)}
    if custom:
        body["custom_fields"] = custom
    return body


def _chunks(ids: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start:start + size])


def is_gone(deal: Deal | None) -> bool:
    """A deal that no longer takes writes: missing, deleted or merged away."""
    return deal is None or bool(deal.get("is_deleted")) or deal.get("status") == "deleted"


async def read_deals(ctx: CallContext, ids: Iterable[int], *,
                     deleted: bool = False) -> dict[int, Deal]:
    """The current deals with these ids, 100 per call (10 tokens each). Missing ids are
    simply absent; ``deleted=True`` reads deals deleted in the last 30 days instead."""
    wanted = list(dict.fromkeys(ids))
    found: dict[int, Deal] = {}
    extra: dict[str, object] = {"status": "deleted"} if deleted else {}
    for part in _chunks(wanted, IDS_PER_CALL):
        page = await ctx.call("getDeals", params={"ids": part, "limit": IDS_PER_CALL, **extra})
        for deal in page.data or ():
            if deal.get("id") in part:
                found[int(deal["id"])] = deal
    return found


async def read_current(ctx: CallContext, ids: Iterable[int],
                       archived: Iterable[int] = ()) -> dict[int, Deal]:
    """The deals as they are now, for a resume's re-read: ``ids`` from the default list
    (``GET /api/v2/deals?ids=``, 100 per call, 10 tokens), and ``archived`` — the ids of
    rows that unarchive their deal — from the archived list too
    (``GET /api/v2/deals/archived?ids=``, 100 per call, 20 tokens): the default list omits
    archived deals, so without it an archived deal reads as gone. Missing ids are absent;
    an id in both lists (unarchived meanwhile and read between) keeps the default list's.
    Exactly the calls ``reread_calls`` prices."""
    wanted = list(dict.fromkeys([*ids, *archived]))
    found = await read_deals(ctx, wanted)
    for deal_id, deal in (await read_archived(ctx, archived)).items():
        found.setdefault(deal_id, deal)
    return found


async def deleted_since(ctx: CallContext, since: float) -> list[Deal]:
    """The deals deleted (or merged away: Pipedrive deletes the merged deal, FACTS) whose
    last change is at or after ``since`` (Unix time): ``GET /api/v2/deals?status=deleted
    &updated_since=`` (openapi-v2; deletions of the last 30 days), 10 tokens per 500."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(since))
    found: list[Deal] = []
    async for page in ctx.paginate("getDeals", params={"status": "deleted",
                                                       "updated_since": stamp},
                                   limit=500):
        found.extend(d for d in page.data or () if is_gone(d))
    return found


async def read_archived(ctx: CallContext, ids: Iterable[int]) -> dict[int, Deal]:
    """The archived deals among ``ids`` (``GET /api/v2/deals/archived?ids=``, 100 per call,
    20 tokens, openapi-v2.yaml); the others are absent."""
    wanted = list(dict.fromkeys(ids))
    found: dict[int, Deal] = {}
    for part in _chunks(wanted, IDS_PER_CALL):
        page = await ctx.call("getArchivedDeals", params={"ids": part, "limit": IDS_PER_CALL})
        for deal in page.data or ():
            if deal.get("id") in part:
                found[int(deal["id"])] = deal
    return found


def reread_targets(items: Iterable[Item | NewItem]) -> tuple[list[int], list[int]]:
    """The deal ids of PATCH items (``payload["deal_id"]``, ``payload["changes"]``) a resume
    re-reads, and those whose PATCH unarchives the deal (``is_archived: false``): read from
    the archived list as well (``read_current``), the default one omits archived deals."""
    items = list(items)
    ids = [int(i.payload["deal_id"]) for i in items]
    archived = [int(i.payload["deal_id"]) for i in items
                if i.payload["changes"].get("is_archived") is False]
    return ids, archived


def image_holds(deal: Deal, image: Mapping[str, Any] | None) -> bool:
    """Whether ``deal`` still holds every value of its before-image (``before_image``'s
    shape): nothing of what the image records changed since it was taken (stricter than
    ``drifted``, which lets a value someone set to the very one a PATCH sets pass)."""
    if not image:
        return False
    custom = deal.get("custom_fields") or {}
    return (all(same(deal.get(name), then) and same(then, deal.get(name))
                for name, then in (image.get("fields") or {}).items())
            and all(same(custom.get(code), then) and same(then, custom.get(code))
                    for code, then in (image.get("custom_fields") or {}).items()))


def refreshed_image(deal: Deal, image: Mapping[str, Any]) -> dict[str, Any]:
    """``image`` taken again from ``deal`` as just read: the same fields, their values and
    ``update_time`` now (for a deal ``image_holds``: the values are the same; what renews
    is the moment the picture is of)."""
    custom = deal.get("custom_fields") or {}
    return {"update_time": deal.get("update_time"),
            "fields": {name: deal.get(name) for name in image.get("fields") or {}},
            "custom_fields": {code: custom.get(code)
                              for code in image.get("custom_fields") or {}}}


# What a person (or an automation) can edit on a deal: undo of an import compares them
# with the create's answer (``editable_digest``), since ``update_time`` has 1-second
# resolution and an edit in the create's second leaves it as the create set it.
EDITABLE = ("title", "value", "currency", "pipeline_id", "stage_id", "status", "lost_reason",
            "owner_id", "person_id", "org_id", "probability", "expected_close_date",
            "visible_to", "label_ids", "is_archived", "custom_fields")


def _canonical(value: Any) -> Any:
    """A value in one shape whoever rendered it: ids out of ``{id, name}``, 10.0 as 10,
    nulls and empty lists / objects dropped from objects, lists sorted."""
    kind = type(value)
    if kind is str or kind is int or value is None:  # the usual leaves: no ABC check (issue
        return value  # 8: a digest of each row's person and organization, 5 % of a plan)
    if kind is not dict or ("id" in value and "value" not in value):  # else ``_plain``'s own
        value = _plain(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
    if type(value) is dict or isinstance(value, Mapping):
        out = {str(k): _canonical(v) for k, v in value.items()}
        return {k: v for k, v in sorted(out.items()) if v not in (None, [], {})}
    if isinstance(value, list | tuple):
        return sorted((_canonical(v) for v in value), key=repr)
    return value


def editable_digest(deal: Mapping[str, Any]) -> str:
    """A compact digest (16 hex digits) of the fields a person can edit on ``deal``
    (``EDITABLE``: title, value, currency, pipeline, stage, status, lost reason, owner,
    person, organization, probability, expected close date, visibility, labels, archived,
    every custom field). Two renderings of the same values give the same digest."""
    picked = _canonical({name: deal.get(name) for name in EDITABLE})
    return hashlib.sha256(orjson.dumps(picked, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


# the fields a person can edit on a person / organization (openapi-v2.yaml, components
# PersonItem / OrganizationItem); counters and times are left out
CONTACT_EDITABLE = ("name", "first_name", "last_name", "emails", "phones", "im", "org_id",
                    "owner_id", "label_ids", "visible_to", "custom_fields", "address",
                    "postal_address", "job_title", "birthday", "notes", "marketing_status")


def contact_digest(record: Mapping[str, Any]) -> int:
    """A compact digest (a 60-bit int, to fit a SQLite integer) of the fields a person can
    edit on a person / organization record (``CONTACT_EDITABLE``). Two renderings of the
    same values give the same digest."""
    picked = _canonical({name: record.get(name) for name in CONTACT_EDITABLE})
    return int(hashlib.sha256(orjson.dumps(picked, option=orjson.OPT_SORT_KEYS))
               .hexdigest()[:15], 16)


def batched_calls(items: Iterable[Item], size: int,
                  targets: Callable[[list[Item]], dict[str, int]]) -> dict[str, int]:
    """The calls a per-batch re-check (``bulk.runner``'s ``recheck`` hook) makes over
    ``items`` — the pending items in id order, handed out ``size`` at a time
    (``bulk.runner.recheck_batch``) — where ``targets(batch)`` is what one batch reads:
    summed, by operation (for plans)."""
    out: Counter[str] = Counter()
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            out.update(targets(batch))
            batch = []
    if batch:
        out.update(targets(batch))
    return {op: n for op, n in out.items() if n}


def reread_calls(ids: Iterable[int], archived: Iterable[int] = ()) -> dict[str, int]:
    """The calls ``read_current(ctx, ids, archived)`` makes, by operation (for plans)."""
    everything = len(set(ids) | set(archived))
    out = {"getDeals": -(-everything // IDS_PER_CALL),
           "getArchivedDeals": -(-len(set(archived)) // IDS_PER_CALL)}
    return {op: n for op, n in out.items() if n}



Decide = Callable[[Item, "Deal | None", "Mapping[str, Any] | None"], "tuple[str, Outcome] | None"]


def keys_now_twice(items: Sequence[Item], keyed: Mapping[str, Sequence[Deal]], *,
                   verb: str = "updated") -> list[Outcome]:
    """The pending PATCHes (``payload["deal_id"]``, by source key ``item.key``) whose key
    a deal added since the load carries too (``keyed``: ``jobs.account.keyed_added_since``,
    live and archived): FAILED naming every deal, nothing sent — a key two deals carry is
    never resolved by picking one (issue 9 section 1; v9r5 finding 3: the deal the load
    found was written)."""
    moved = {int(d["id"]): key for key, deals in keyed.items() for d in deals
             if not is_gone(d)}  # the key each of these deals carries now
    out = []
    for item in items:
        mine = int(item.payload["deal_id"])
        others = {int(d["id"]) for d in keyed.get(str(item.key), ()) if not is_gone(d)}
        if not others - {mine}:
            continue
        now = moved.get(mine)
        if now is not None and now != str(item.key):
            # the keys were moved (swapped): the row's deal no longer carries its key, and
            # one deal does — not "matches deals A, B", which named a deal without it
            where = ", ".join(map(str, sorted(others - {mine})))
            out.append(Outcome(item.id, ItemState.FAILED, error=(
                f"deal {mine} no longer carries key {item.key} (it holds {now!r} now, and "
                f"deal {where} holds {item.key}, changed since the job was loaded); not "
                f"{verb}, nothing sent")))
            continue
        ids = ", ".join(map(str, sorted(others | {mine})))
        out.append(Outcome(item.id, ItemState.FAILED, error=(
            f"key {item.key} matches deals {ids} (one added since the job was loaded); "
            f"not {verb}: keep one of them, then pdbulk retry")))
    return out


async def redecide_now(ctx: CallContext, store: JobStore, items: Sequence[Item],
                       decide: Decide) -> list[tuple[str, Outcome]]:
    """Pending PATCHes decided against their deals as they are now, shared by the kinds
    that write deals (update, move-stage, the import's upsert updates), before a resume
    and right before each batch is sent: the deals read now (``read_current``: 100 ids
    per call, the archived list for rows that unarchive), each item decided by
    ``decide(item, deal now, its before-image)`` (None: send it). Returns (what became
    of it, its outcome) for the items not to send; for the rest, a before-image the deal
    still holds (``image_holds``) is renewed to this read, so undo restores no older
    picture (a drifted deal keeps the load's). The calls are the ones
    ``reread_calls(*reread_targets(items))`` prices."""
    ids, archived = reread_targets(items)
    current = await read_current(ctx, ids, archived)
    astore = AsyncJobStore.of(store)
    images = {i: b.before for i, b in (await astore.before_images_of("deal", ids)).items()}
    out: list[tuple[str, Outcome]] = []
    fresh: list[BeforeImage] = []
    taken = ctx.clock.wall()
    for item in items:
        deal_id = int(item.payload["deal_id"])
        deal, image = current.get(deal_id), images.get(deal_id)
        decided = decide(item, deal, image)
        if decided is not None:
            out.append(decided)
        elif deal is not None and image is not None and image_holds(deal, image) \
                and deal.get("update_time") != image.get("update_time"):
            fresh.append(BeforeImage("deal", deal_id, None, refreshed_image(deal, image), taken))
    if fresh:
        await astore.refresh_before_images(fresh)
    return out


async def recheck_batch_now(ctx: CallContext, store: JobStore, items: Sequence[Item],
                            decide: Decide) -> list[Outcome]:
    """The runner's re-check of a batch right before it is sent (``redecide_now``): the
    outcomes of the items not to send."""
    return [outcome for _, outcome in await redecide_now(ctx, store, items, decide)]


__all__ = ["IDS_PER_CALL", "held_fields", "META_FIELD_LABELS", "META_FIELD_TYPES", "META_VALUE_LABELS",
           "changed_fields", "field_types", "holds", "label", "shown", "value_key",
           "record_labels", "stored_labels", "stored_types",
           "deleted_since", "STATUS_FIELDS", "STATUS_LEFT",
           "MAY_HAVE_APPLIED", "blank", "Deal", "batched_calls", "before_image",
           "keys_now_twice", "recheck_batch_now", "redecide_now",
           "CUSTOM_GROUP", "EDITABLE", "FIELD_GROUPS", "deal_changes", "field_group",
           "with_status_times",
           "groups_moved", "image_part", "status_left", "write_groups", "write_part",
           "editable_digest", "image_holds", "is_gone", "refreshed_image",
           "applied", "drifted", "gone_when_sent", "held_before", "in_flight", "not_landed",
           "read_current",
           "read_deals", "restorable", "restore_body", "written_part", "reread_calls",
           "read_archived", "reread_targets", "same", "set_to_deactivated", "unrestorable"]
