"""The keys a person an import links or creates is matched by: by e-mail, by name and
phone, by name at an organization, by name alone. What the row planner
(``jobs.import_rows``) keys a row's new person with and what the resolver
(``jobs.import_resolve``) reads off a listed person, below both (f29c left: the planner
imported them from the resolver, a layer above it). Pure functions; no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bulk.errors import InputError

from . import transforms as tf


def person_email_key(email: str) -> str:
    """A person's key by e-mail: ``e:`` + the address's ``email_key`` (every case spelling
    of it one key; x19r4 F1). Jobs stored before wrote ``e:`` + the address as
    ``normalize_email`` writes it (``canonical_key``)."""
    return f"e:{tf.email_key(email)}"


def canonical_key(kind: str, key: str) -> str:
    """``key`` as a record answers it (``person_keys``): a person's ``e:`` key that a job
    stored before x19r4 F1 (``e:σοφιας.b@…``, the address as written, where the record
    may spell it ``σοφιασ``) by its ``email_key``. The job's items and lookups keep the key
    they were written with; its claim and the records found for it read this one, so a
    resume finds the person its earlier process (or another run) made, in any spelling."""
    if kind == "person" and key.startswith("e:"):
        return person_email_key(key[2:])
    return key


def person_keys(record: Mapping[str, Any], org_keys: Iterable[str] = ()) -> list[str]:
    """The keys a listed person answers to, as ``RowPlanner`` keys a new person:
    ``person_email_key`` for each address; ``n:<name>|p:<phone>`` for each phone
    (``tf.phone_claims``: its last 9 digits, its number with its country code when it has
    one, each also with its extension);
    ``n:<name>|o:id:<org id>`` at its organization, and ``n:<name>|o:key:<key>`` for each
    of ``org_keys`` (the keys this job's new organizations of that id were made under);
    each for every key of its name (``tf.name_match_keys``);
    ``n:<name>`` only when it has no address, no phone and no organization — the person
    a row of a name alone makes (x17r1 S1: any "Grace Hopper" a colleague added, with an
    e-mail, answered it on a resume, and the row was linked to her by name alone)."""
    keys = []
    for entry in record.get("emails") or ():
        raw = entry.get("value") if isinstance(entry, Mapping) else entry
        try:
            email = tf.normalize_email(raw)
        except InputError:
            continue
        if email:
            keys.append(person_email_key(email))
    try:
        name = tf.clean_text(record.get("name"))
    except InputError:
        name = None
    if not name:
        return keys
    keyed = bool(keys)  # (by an address: no key of a name alone)
    for name_key in tf.name_match_keys(name):  # (and as German writes its umlauts: x44r1 F3)
        for entry in record.get("phones") or ():
            number = entry.get("value") if isinstance(entry, Mapping) else entry
            if match := tf.phone_key(number):
                # and by the number with its country code, as a row giving one keys it
                # (x14r2 F6): before, such a person's create in doubt was never found
                # again; and with its extension (x20r1 S2: ``phone_claims``)
                keys += [f"n:{name_key}|p:{p}" for p in tf.phone_claims(match)]
                keyed = True
        org = record.get("org_id")
        if isinstance(org, Mapping):  # v1 nests it: {"value": id, "name": ...}
            org = org.get("value")
        if isinstance(org, int) and not isinstance(org, bool):
            keys.append(f"n:{name_key}|o:id:{org}")
            keys += [f"n:{name_key}|o:key:{k}" for k in org_keys]
        elif not keyed:
            keys.append(f"n:{name_key}")
    return keys


def person_key_at(name_key: str, org: tuple[str, object]) -> str:
    """A new person's key for a row of a name and an organization (``_org_ident``: its id
    when found, its key when the file makes it) and no e-mail or phone: one per name *and*
    organization, as the account's ``name+org`` match finds one (x17r1 S2: two "Lee Kim"s
    at Acme and Acme (UK) were made one person; imported one by one, they were two)."""
    return f"n:{name_key}|o:{org[0]}:{org[1]}"


# what follows a person key's name (``n:<name>|p:…``, ``|o:id:…``, ``|o:key:…``), and
# what a made- lookup's key may end with (``import_resolve.GONE``, ``own_records.OWN``)
_AFTER_NAME = re.compile(r"\|[po]:")
_MADE_SUFFIX = re.compile(r"#(?:gone|own):\d+$")


def key_name_part(key: str) -> str:
    """The name part of person key ``key`` (``n:<name>``, up to ``|p:`` / ``|o:`` or a
    made- lookup's ``#gone:`` / ``#own:`` suffix): ``n:hans muller|p:5550100`` ->
    ``hans muller``; "" for a key of no name (``e:…``)."""
    if not key.startswith("n:"):
        return ""
    suffix = _MADE_SUFFIX.search(key)
    end = suffix.start() if suffix else len(key)
    rest = _AFTER_NAME.search(key, 2, end)
    return key[2:rest.start() if rest else end]


def person_key_v2(kind: str, key: str) -> str:
    """A person key stored by a job planned with an earlier person key version (no
    ``jobs.person_key_version`` row: version 1, whose name part ``name_match_key`` wrote
    before it folded ``ae``/``oe``/``ue``/``aa``, 49ebf64a; or version 2, which folded
    them once) as this version writes it: the name part (after ``n:``, up to ``|p:`` /
    ``|o:``, or a made- lookup's ``#gone:`` / ``#own:`` suffix) through
    ``tf.transcribe_name_key`` (``n:mueller|p:5550100`` -> ``n:muller|p:5550100``,
    ``n:jesper aen`` -> ``n:jesper an``); an e-mail key, an organization's key, any other
    kind's as they are. Exact for a key of any earlier version, and idempotent (a key of
    this version is kept), so a store needs no proof of which version wrote it."""
    if kind not in ("person", "made-person") or not key.startswith("n:"):
        return key
    part = key_name_part(key)
    return f"n:{tf.transcribe_name_key(part)}{key[2 + len(part):]}"


# a person key's organization part for a new organization (``person_key_at``), and what
# follows a new organization's key at an address (``import_items.AT_ADDRESS``, a layer above)
_ORG_KEY = "|o:key:"
_AT_ADDRESS = " @ "


def org_key_now(key: str, names: Mapping[str, str] | None = None) -> str:
    """An organization key stored by a job of an earlier key version (before x52r9: ``og``,
    ``och``, ``en``, ``ve``, ``és`` were words of the key, and ``Øster Ås`` was keyed
    ``oster as`` as ``Øster AS`` is; before x52r11 a one-letter word before the only
    form was dropped: ``Vitamin E Oy`` was ``vitamin oy``) as it is keyed now: the key
    read again by ``tf.org_match_key`` (``hansen og son as`` -> ``hansen and son as``),
    or ``names``' key for it (the key the name the job sent under it has now: ``oster
    as`` -> ``oster ås`` for a job that made ``Øster Ås``, ``vitamin oy`` -> ``vitamin e
    oy``; a key no name tells stays the form's); an address part (``" @ "``) and a made-
    lookup's ``#gone:`` / ``#own:`` suffix kept. Idempotent: a key of this version is kept."""
    suffix = _MADE_SUFFIX.search(key)
    end = suffix.start() if suffix else len(key)
    name, at, where = key[:end].partition(_AT_ADDRESS)
    now = (names or {}).get(name)
    if now is None:
        try:
            now = tf.org_match_key(name) or name
        except InputError:
            now = name
    return f"{now}{at}{where}{key[end:]}"


def contact_key_v4(kind: str, key: str, names: Mapping[str, str] | None = None) -> str:
    """A person or organization key stored by a job of an earlier key version (person key
    versions 1 to 4) as this version writes it: a person key's name part as
    ``person_key_v2`` writes it and its new organization's part (``|o:key:``) as
    ``org_key_now`` does; an organization's (``org``, ``made-org``) by ``org_key_now``
    (``names``: its). Exact but for a look-alike of a legal form no ``names`` tells, and
    idempotent."""
    if kind in ("org", "made-org"):
        return org_key_now(key, names)
    key = person_key_v2(kind, key)
    if kind in ("person", "made-person") and (cut := key.find(_ORG_KEY)) >= 0:
        head = key[:cut + len(_ORG_KEY)]
        return head + org_key_now(key[len(head):], names)
    return key


__all__ = ["canonical_key", "contact_key_v4", "key_name_part", "org_key_now",
           "person_email_key", "person_key_at", "person_key_v2", "person_keys"]
