"""Dedupe matching configuration: a frozen value, read from an optional TOML file.

A sensible default needs no file. A file may set any of these keys (unknown
keys, wrong types and out-of-range values raise ``DedupeConfigError``)::

    duplicate_threshold = 0.85      # score >= this: duplicate band (auto-merge)
    review_threshold = 0.70         # score >= this (and < duplicate): review band
    guards = ["currency", "won_lost", "won_won", "pipeline", "deleted", "archived"]
    survivor_rules = ["won_first", "most_advanced_stage", "oldest",
                      "most_recently_updated", "highest_value", "has_owner"]
    noise_words = ["deal", "opportunity"]     # replaces the default list
    extra_noise_words = ["project"]           # added to it
    max_block_size = 200            # larger blocks are compared as a sorted neighbourhood
    window = 20                     # neighbourhood width inside an oversized block

    [field_policy]                  # field -> survivor|max|min|latest|earliest|newest-non-empty
    value = "max"
    expected_close_date = "latest"

    [match]
    identifiers = ["PO number", "Contract id"]   # custom fields by name or 40-character key

``[match] identifiers`` names deal custom fields that identify a deal (a PO number,
a contract id, an order number, an external id / the import's source key). Two
deals whose values differ there are never merged (a guard: ``guard: different PO
number 4711≠4712``), however alike their titles; an equal value is strong evidence
for the match. Without the key, the import's source key field (``Import source key``,
``jobs.mapping``'s default ``key_field``) is the identifier when the account has it, and so
is every short-text or number custom field whose name says it is an identifier
(``identifier_name``: ``External ID``, ``Kundennummer``, ``Customer number``, ``Order ID``,
``SKU``, ``Vertragsnummer``...; never a long-text field);
``identifiers = []`` turns identifiers off. Names are resolved against the account's
deal fields when a plan is made (``resolve_identifiers``); an unknown name is an error.

A field policy names a field the survivor's PATCH can set: ``title``,
``value`` (max, min), ``expected_close_date`` (latest, earliest, max, min),
``owner``, ``org``, ``person`` (or ``owner_id``, ``org_id``,
``organization``, ``person_id``), or a custom field by its 40-character key
(``field_code`` in ``GET /api/v2/dealFields``; any policy) or its name (case and
spacing aside, resolved when a plan reads the deal fields, as ``identifiers``
are: x39r1 L4). ``survivor`` and ``newest-non-empty`` suit every field. A deal
field no policy sets (``status``, ``currency``: ``UNSET_FIELDS``) is refused at
load, a name no custom field has (or two have) when the plan is made: either
would silently do nothing.

Default thresholds were chosen on the labelled generator
(``benchmarks/dedupe_data.py``, seeds 11-13, 600 companies / ~6,300 deals each, hard
negatives by site, building letter, subsidiary, contradicting evidence, near words
(Juni/Juli, Linz/Lienz) and recurring deals (renewal, retainer, re-opened) included;
``python -m benchmarks --only dedupe_quality``). Precision and recall are over
deal pairs inside duplicate-band groups (what runs unattended); worst seed shown:

    duplicate / review   precision  recall   hard negatives merged  (in review, 3 seeds)
    0.75 / 0.70          0.8739     0.9802   626                    25
    0.80 / 0.70          0.9397     0.9891   358                    295
    0.85 / 0.70          1.0000     0.9633   0                      651  <- default
    0.90 / 0.70          1.0000     0.9623   0                      651
    0.85 / 0.60          1.0000     0.9643   0                      818

(The default row re-measured since two real words one letter apart are review at most: recall
0.9643 -> 0.9633 on the worst seed; the other rows are from before that rule, and the 0.75 and
0.80 rows from before x21r2 F1: a pair a "review at most" rule holds is review whatever the
duplicate threshold, so those thresholds no longer merge near words, routes both ways or
recurring deals.)
0.85 is the lowest duplicate threshold with precision 1.000 on every seed (the
"review at most" caps of scoring are 0.80); 0.70 keeps the review band smaller
than 0.60 does.
The review threshold is also the anti-chaining bar: every pair of a
duplicate group must reach it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bulk.errors import InputError

GUARDS = frozenset({"currency", "won_lost", "won_won", "pipeline", "deleted", "archived"})
# ``oldest`` before ``most_recently_updated``: of two deals no status or stage separates, the
# original survives, not a copy typed later (x30r1 M1): its id is what other systems reference
# and its add_time the deal's age; the merge and the field policy carry the copy's values over
SURVIVOR_RULES = (
    "won_first", "most_advanced_stage", "oldest", "most_recently_updated",
    "highest_value", "has_owner",
)
# every rule a user may name: the defaults and their opposites
KNOWN_SURVIVOR_RULES = frozenset({*SURVIVOR_RULES, "open_first", "newest", "least_recently_updated",
                                  "lowest_value"})
FIELD_POLICIES = frozenset({"survivor", "max", "min", "latest", "earliest", "newest-non-empty"})
_ANY_FIELD = frozenset({"survivor", "newest-non-empty"})
# the standard fields a policy may set (aliases included) -> the policies that make sense there
POLICY_FIELDS: Mapping[str, frozenset[str]] = MappingProxyType({
    "title": _ANY_FIELD, "value": _ANY_FIELD | {"max", "min"},
    "expected_close_date": _ANY_FIELD | {"max", "min", "latest", "earliest"},
    **{name: _ANY_FIELD for name in ("owner", "owner_id", "org", "org_id", "organization",
                                     "person", "person_id")},
})
CUSTOM_KEY = re.compile(r"[0-9a-f]{40}")  # Pipedrive's custom field_code
# the deal's own fields (their ``field_code`` in GET /api/v2/dealFields, openapi-v2.yaml) no
# policy sets: refused at load, as the settable ones are known there; any other name is a
# custom field's, resolved when a plan reads the fields (``resolve_identifiers``, x39r1 L4)
UNSET_FIELDS = frozenset({
    "id", "status", "currency", "won_time", "lost_time", "close_time", "lost_reason",
    "stage_id", "pipeline_id", "add_time", "update_time", "stage_change_time", "visible_to",
    "label", "label_ids", "probability", "creator_user_id", "is_deleted", "is_archived",
    "archive_time", "origin", "origin_id", "channel", "channel_id", "first_won_time",
    "local_won_date", "local_lost_date", "local_close_date",
})
# words that say nothing about WHICH deal it is. Not here: single letters (``Building A``),
# number words and ordinals (normalize.canonical), ``new`` (``New office`` / ``Office``):
# they identify. An identifying token (a digit, a single letter) is never noise, even
# when a config lists it.
DEFAULT_NOISE_WORDS = frozenset({
    "deal", "deals", "opportunity", "opp", "the", "an", "for", "of", "and", "und", "copy",
    "kopie", "duplicate", "dup", "re", "fw", "fwd",
})


class DedupeConfigError(InputError):
    """The dedupe TOML file is unreadable, not TOML, or has an unknown key or bad value."""


@dataclass(frozen=True)
class DedupeConfig:
    """How deals are matched, grouped and given a survivor. Build with ``default()`` / ``load()``.

    Thresholds are scores in [0, 1], ``review_threshold <= duplicate_threshold``.
    ``guards`` names the guards that are on (never merging a deal with itself is
    always on). ``survivor_rules`` are tried in order until one prefers a deal;
    the smallest id breaks a final tie. ``field_policy`` maps a DealRecord field
    or a custom field key to a policy in ``FIELD_POLICIES``.
    """

    duplicate_threshold: float = 0.85
    review_threshold: float = 0.70
    guards: frozenset[str] = GUARDS
    survivor_rules: tuple[str, ...] = SURVIVOR_RULES
    field_policy: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    noise_words: frozenset[str] = DEFAULT_NOISE_WORDS
    max_block_size: int = 200
    window: int = 20
    # [match] identifiers as written (names or keys); None: the import's source key field
    identifiers: tuple[str, ...] | None = None
    # the identifier fields matching compares, resolved: custom field key -> its name
    # (``resolve_identifiers`` fills it from the account's deal fields)
    identifier_fields: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # the date-type custom deal fields (custom field key -> its name), compared like the
    # expected close date: more than ``scoring.DATE_GAP_DAYS`` (45) days apart keeps a pair
    # out of the duplicate band (``resolve_identifiers`` fills it from the deal fields)
    date_fields: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # the categorical custom deal fields (``CATEGORY_FIELD_TYPES``: options, users,
    # persons, organizations; key -> name): two different non-empty values keep a pair out
    # of the duplicate band, as dates far apart do (``resolve_identifiers`` fills it)
    category_fields: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # the measured custom deal fields (``MEASURE_FIELD_TYPES``: monetary with its currency,
    # double, int, time, time range, phone, address; key -> (field_type, name)): two different
    # non-empty values keep a pair out of the duplicate band (``measures.measure_conflicts``)
    measure_fields: Mapping[str, tuple[str, str]] = field(
        default_factory=lambda: MappingProxyType({}))
    # option labels of the option fields (key -> option id -> label), for the reasons
    field_options: Mapping[str, Mapping[int, str]] = field(
        default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        _check(self)

    @classmethod
    def default(cls) -> DedupeConfig:
        """The defaults documented in the module docstring."""
        return cls()

    @classmethod
    def load(cls, path: Path | None) -> DedupeConfig:
        """Read ``path`` (TOML); ``None`` gives the defaults.

        Raises ``DedupeConfigError`` (an ``InputError``: exit code 1) naming the
        file and the key for an unreadable file, bad TOML, an unknown key or a
        bad value.
        """
        if path is None:
            return cls.default()
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
        except OSError as e:
            raise DedupeConfigError(f"{path}: cannot read the dedupe config ({e.strerror or e})") from None
        except UnicodeDecodeError:
            raise DedupeConfigError(f"{path}: the dedupe config is not UTF-8 text") from None
        except tomllib.TOMLDecodeError as e:
            raise DedupeConfigError(f"{path}: not valid TOML: {e}") from None
        except RecursionError:  # x19r1 F6
            raise DedupeConfigError(f"{path}: nested too deeply (arrays or tables within "
                                    "one another past Python's limit)") from None
        try:
            return cls.from_mapping(raw)
        except DedupeConfigError as e:
            raise DedupeConfigError(f"{path}: {e.reason}") from None

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> DedupeConfig:
        """Build from a parsed TOML table; raises ``DedupeConfigError``."""
        unknown = set(raw) - _KEYS
        if unknown:
            raise DedupeConfigError(
                f"unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_KEYS))}")
        d = cls()
        kw: dict[str, Any] = {}
        for key in ("duplicate_threshold", "review_threshold"):
            if key in raw:
                v = raw[key]
                if isinstance(v, bool) or not isinstance(v, int | float):
                    raise DedupeConfigError(f"{key} must be a number in [0, 1], got {v!r}")
                kw[key] = float(v)
        for key in ("max_block_size", "window"):
            if key in raw:
                v = raw[key]
                if isinstance(v, bool) or not isinstance(v, int):
                    raise DedupeConfigError(f"{key} must be a whole number, got {v!r}")
                kw[key] = v
        if "guards" in raw:
            kw["guards"] = frozenset(_str_list(raw, "guards"))
        if "survivor_rules" in raw:
            kw["survivor_rules"] = tuple(_str_list(raw, "survivor_rules"))
        noise = d.noise_words
        if "noise_words" in raw:
            noise = frozenset(w.casefold() for w in _str_list(raw, "noise_words"))
        if "extra_noise_words" in raw:
            noise = noise | {w.casefold() for w in _str_list(raw, "extra_noise_words")}
        kw["noise_words"] = noise
        if "match" in raw:
            kw["identifiers"] = _match_table(raw["match"])
        if "field_policy" in raw:
            fp = raw["field_policy"]
            if not isinstance(fp, Mapping) or not all(isinstance(v, str) for v in fp.values()):
                raise DedupeConfigError("[field_policy] must be a table of field = \"policy\"")
            kw["field_policy"] = MappingProxyType(dict(fp))
        return cls(**kw)


_KEYS = frozenset({
    "duplicate_threshold", "review_threshold", "guards", "survivor_rules", "field_policy",
    "noise_words", "extra_noise_words", "max_block_size", "window", "match",
})
DEFAULT_IDENTIFIER = "Import source key"  # the import's default key_field (jobs.mapping.spec)
# what an identifier field's name is about (``Customer number``, ``Kundennummer``, ``Order ID``)
_ID_THINGS = (
    "customer|client|kunden|kd|order|auftrags?|bestell|purchase order|po|contract|vertrags?|"
    "invoice|rechnungs?|external|extern|externe|source|quell|import|account|konto|ticket|case|"
    "booking|buchungs?|subscription|abo|quote|angebots?|offer|tracking|sendungs?|serial|"
    "serien|transaction|transaktions|reference|referenz|deal|opportunity|crm|erp|lead|project|"
    "projekt|vendor|supplier|lieferanten|member|mitglieds|policy|police|versicherungs|record|"
    "object|objekt|item|artikel|product|produkt|part|teile?|sap|salesforce|hubspot|legacy")
_ID_NAME = re.compile(
    r"(?:id|identifier|sku|ean|gtin|uuid|guid|upc|isbn|asin|ext id|source key|"
    rf"(?:.* )?(?:{_ID_THINGS}) ?(?:id|identifier|number|no|nr|num|nummer|key|ref|reference|"
    r"referenz|code|kennung|schluessel|schlüssel))")
# custom field types an identifier may have: short text and numbers (never long text, options...)
ID_FIELD_TYPES = frozenset({"varchar", "varchar_auto", "double", "int"})


def identifier_name(name: str) -> bool:
    """True when a custom field's name clearly says the field identifies a deal or its record
    elsewhere: ``ID``, ``SKU``, ``EAN``, ``External ID``, ``Customer number``, ``Kundennummer``,
    ``Kunden-Nr.``, ``Order ID``, ``PO number``, ``Vertragsnummer``, ``Contract id``,
    ``Salesforce ID``... (case, punctuation and spacing aside); not ``Notes``, ``Phone number``,
    ``Number of seats``, ``Discount code``."""
    words = " ".join(re.sub(r"[^\w]+", " ", name.casefold().replace("#", " number ")).split())
    return _ID_NAME.fullmatch(words) is not None


def _match_table(raw: object) -> tuple[str, ...]:
    if not isinstance(raw, Mapping):
        raise DedupeConfigError("[match] must be a table (identifiers = [...])")
    unknown = set(raw) - {"identifiers"}
    if unknown:
        raise DedupeConfigError(f"unknown key(s) in [match]: {', '.join(sorted(unknown))}; "
                                "known: identifiers")
    if "identifiers" not in raw:
        return ()
    names = _str_list(raw, "identifiers")
    if any(not n.strip() for n in names):
        raise DedupeConfigError("[match] identifiers has an empty name")
    return tuple(n.strip() for n in names)


def resolve_identifiers(config: DedupeConfig, fields: Sequence[Mapping[str, Any]]) -> DedupeConfig:
    """``config`` with ``identifier_fields`` (key -> name) resolved against the account's deal
    fields (``fields``: the ``data`` items of ``GET /api/v2/dealFields``: ``field_code``,
    ``field_name``, ``is_custom_field``). Each name in ``identifiers`` is a custom field's
    name (case and spacing aside) or its key; without ``identifiers``, the import's source
    key field (``DEFAULT_IDENTIFIER``) when the account has one, and every custom field of a
    short-text or number type (``ID_FIELD_TYPES``) whose name says identifier
    (``identifier_name``: ``External ID``, ``Kundennummer``, ``Order ID``, ``SKU``). Also fills
    ``date_fields`` with every custom field of ``field_type`` ``date`` or ``daterange`` (key ->
    name), ``category_fields`` with every categorical one (``CATEGORY_FIELD_TYPES``) and
    ``measure_fields`` with every measured one (``MEASURE_FIELD_TYPES``) that is not an
    identifier, with the option fields' labels (``field_options``); and ``field_policy``
    with each custom field named by its key (a name, case and spacing aside, as
    ``identifiers`` take it: x39r1 L4). Raises ``DedupeConfigError`` for a name no custom
    field has, or that two custom fields have (in ``identifiers`` or ``[field_policy]``)."""
    custom = [(str(f["field_code"]), str(f.get("field_name") or f["field_code"]))
              for f in fields if f.get("is_custom_field") and f.get("field_code")]

    def find(label: str) -> list[tuple[str, str]]:
        by_key = [(k, n) for k, n in custom if k == label]
        wanted = " ".join(label.casefold().split())
        return by_key or [(k, n) for k, n in custom if " ".join(n.casefold().split()) == wanted]

    out: dict[str, str] = {}
    if config.identifiers is None:
        found = find(DEFAULT_IDENTIFIER)
        if len(found) == 1:
            out.update(found)
        out.update((str(f["field_code"]), str(f.get("field_name") or f["field_code"]))
                   for f in fields if f.get("is_custom_field") and f.get("field_code")
                   and f.get("field_type") in ID_FIELD_TYPES
                   and identifier_name(str(f.get("field_name") or "")))
    else:
        for label in config.identifiers:
            found = find(label)
            if not found:
                raise DedupeConfigError(
                    f"[match] identifiers: the account has no custom deal field {label!r} "
                    f"(custom fields: {', '.join(sorted(n for _, n in custom)) or 'none'})")
            if len(found) > 1:
                raise DedupeConfigError(
                    f"[match] identifiers: {len(found)} custom deal fields are named {label!r}; "
                    f"use the key ({', '.join(k for k, _ in found)})")
            out.update(found)
    def typed(types: Collection[str]) -> dict[str, str]:
        return {str(f["field_code"]): str(f.get("field_name") or f["field_code"])
                for f in fields if f.get("is_custom_field") and f.get("field_code")
                and f.get("field_type") in types and str(f["field_code"]) not in out}

    types = {str(f["field_code"]): str(f.get("field_type")) for f in fields if f.get("field_code")}
    measured = {k: (types[k], n) for k, n in typed(MEASURE_FIELD_TYPES).items()}
    policy: dict[str, str] = {}
    for label, how in config.field_policy.items():  # x39r1 L4: names, as identifiers take
        if label in POLICY_FIELDS:
            policy[label] = how
            continue
        found = find(label)
        if len(found) != 1:
            raise DedupeConfigError(
                f"[field_policy] {label!r}: " + (
                    f"{len(found)} custom deal fields are named so; use the key "
                    f"({', '.join(k for k, _ in found)})" if found else
                    "the account has no custom deal field of that name or key, and it is "
                    "no field a policy can set (title, value, expected_close_date, owner, "
                    f"org, person; custom fields: "
                    f"{', '.join(sorted(n for _, n in custom)) or 'none'})"))
        if found[0][0] in policy and policy[found[0][0]] != how:
            raise DedupeConfigError(f"[field_policy] names the custom field {found[0][1]!r} "
                                    "twice (by name and key) with two policies")
        policy[found[0][0]] = how
    return replace(config, identifier_fields=MappingProxyType(out),
                   field_policy=MappingProxyType(policy),
                   date_fields=MappingProxyType(typed(("date", "daterange"))),
                   category_fields=MappingProxyType(typed(CATEGORY_FIELD_TYPES)),
                   measure_fields=MappingProxyType(measured),
                   field_options=MappingProxyType(option_labels(fields)))


# What a custom field's two different values on two deals say, by Pipedrive's field_type
# (openapi-v2 ``getDealFields``; the table is in docs/dedupe-matching.md, "Custom fields"):
# categories, not text: two different ones are evidence of two deals (x18r1 3: CRM /
# Analytics merged unattended); a reference to another record (a deal, a lead, a project, a
# stage) is one too
CATEGORY_FIELD_TYPES = frozenset({"enum", "set", "varchar_options", "user", "people", "org",
                                  "deal", "deals", "lead", "project", "stage"})
# measured values: an amount (monetary: its currency too), a number, a time, a time range, a
# phone number, an address (its numbers: house number, postcode) — two different ones are
# two records (x26r1 1: Contract value 10,000 / 90,000 EUR merged at 1.000). ``date`` and
# ``daterange`` are dates (``date_fields``: more than 45 days apart). Free text (``varchar``,
# ``varchar_auto``, ``text``) is typed differently by people and is no evidence; ``boolean``
# and ``activity`` neither (a flag left at its default says nothing)
MEASURE_FIELD_TYPES = frozenset({"monetary", "double", "int", "time", "timerange", "phone",
                                 "address"})


def option_labels(fields: Sequence[Mapping[str, Any]]) -> dict[str, dict[int, str]]:
    """Custom field key -> its options' labels by option id, for the option fields of
    ``fields`` (``GET /api/v2/dealFields`` items, ``options``: ``[{"id", "label"}]``)."""
    out: dict[str, dict[int, str]] = {}
    for f in fields:
        opts = f.get("options")
        if not f.get("is_custom_field") or not f.get("field_code") or not isinstance(opts, list):
            continue
        out[str(f["field_code"])] = {int(o["id"]): str(o.get("label") or o["id"])
                                     for o in opts if isinstance(o, Mapping)
                                     and isinstance(o.get("id"), int)}
    return out


def _str_list(raw: Mapping[str, Any], key: str) -> list[str]:
    v = raw[key]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise DedupeConfigError(f"{key} must be a list of strings, got {v!r}")
    return v


def _check(c: DedupeConfig) -> None:
    for key in ("duplicate_threshold", "review_threshold"):
        v = getattr(c, key)  # a word or None was a bare TypeError (x41r1 M4)
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0.0 <= v <= 1.0:
            raise DedupeConfigError(f"{key} must be in [0, 1], got {v}")
    if c.review_threshold > c.duplicate_threshold:
        raise DedupeConfigError(
            f"review_threshold {c.review_threshold} is above duplicate_threshold {c.duplicate_threshold}")
    bad = c.guards - GUARDS
    if bad:
        raise DedupeConfigError(
            f"unknown guard(s) {', '.join(sorted(bad))}; known: {', '.join(sorted(GUARDS))}")
    bad_rules = [r for r in c.survivor_rules if r not in KNOWN_SURVIVOR_RULES]
    if bad_rules:
        raise DedupeConfigError(f"unknown survivor rule(s) {', '.join(bad_rules)}; "
                                f"known: {', '.join(sorted(KNOWN_SURVIVOR_RULES))}")
    if len(set(c.survivor_rules)) != len(c.survivor_rules):
        raise DedupeConfigError("survivor_rules names a rule twice")
    for f, p in c.field_policy.items():
        if p not in FIELD_POLICIES:
            raise DedupeConfigError(f"field_policy {f} = {p!r}: known policies are "
                                    f"{', '.join(sorted(FIELD_POLICIES))}")
        fits = POLICY_FIELDS.get(f, None if f in UNSET_FIELDS or not f.strip()
                                 else FIELD_POLICIES)  # a custom field: key or name
        if fits is None:
            raise DedupeConfigError(
                f"field_policy {f}: not a field a policy can set; use title, value, "
                "expected_close_date, owner, org, person, or a custom field's 40-character "
                "key (field_code in GET /api/v2/dealFields)")
        if p not in fits:
            raise DedupeConfigError(f"field_policy {f} = {p!r} does not fit the field; use "
                                    f"{', '.join(sorted(fits))}")
    if isinstance(c.max_block_size, bool) or not isinstance(c.max_block_size, int) \
            or c.max_block_size < 2:
        raise DedupeConfigError(f"max_block_size must be at least 2, got {c.max_block_size}")
    if c.window < 2:
        raise DedupeConfigError(f"window must be at least 2, got {c.window}")
