"""The version of the person keys an import job stored, and an older job's keys brought up
to date before its resume or retry writes anything.

An import keys each person it creates (``jobs.contact_keys``: ``n:<name>|p:<phone>``,
``n:<name>|o:…``, ``e:<address>``) and stores the key in its rows' payloads
(``$.person.key``) and in its lookups (``person``: key -> id, ``made-person``: the ones
it created). 49ebf64a (x44r9 F2) changed a name's key: ``Mueller`` was ``mueller``, it is
``muller`` (``ä``/``ae``/``a`` … one). A job planned before and resumed after computed the
new key for a row mapped again (a retry's, a changed mapping's) and for a person its
reconcile listed, missed the stored old one, and created that person a second time.

Version 2 folded them once, which left ``Aaen`` (``aen``) and ``Åen`` (``an``) two
persons (x45r5 F1); version 3 folds until nothing is left. Version 4 (x52r9 F1, F2)
keys organizations anew — ``og`` / ``och`` / ``en`` / ``ve`` / ``és`` read as "and", a
look-alike of a legal form (``Øster Ås``) keyed as written —: the ``org`` / ``made-org``
lookups, the rows' ``$.org`` references and the ``|o:key:`` part of person keys
(``contact_keys.contact_key_v4``; a look-alike's old key is told by the name the job sent
under it), and the claims of organization creates in doubt are named as before too.
Version 5 (x52r11 F1) keys a one-letter word or ``und`` before a name's only legal form
as a word of the name (``Vitamin E Oy`` was ``vitamin oy``, it is ``vitamin e oy``): the
same reading again, the old key told by the name the job sent under it. So a job records the key
version it was planned with (``META_PERSON_KEYS``, written by the first load); a job of
an earlier one (no row: 1, or 2 as the release before the row wrote it) has its keys
recomputed (``contact_keys.person_key_v2``: exact for either, and idempotent, so no proof
of which wrote them is needed) in one transaction (``JobStore.rekey``) before its
resume's or retry's first write. The claims of the person creates then in doubt were
named by the old keys (the claims are shared with other runs: never renamed here): the
new keys of those rows are kept with the old (``META_PERSON_KEYS_WAS``), and the resolver
names those claims as the old process did (``claimed_as``), so its reconcile proves each
found person the job's own create. A job of a newer version than this code knows is
refused in one line (``NotResumable``: exit 1), nothing changed. It sends nothing.

Recomputing the keys is not enough: the load decided each row's organization and person
by the old keys (a link to an account record, one record to create for the rows of one
key), and those decisions are in the rows' payloads (x53r2 F1: resumed, 40 of 40 pending
``Nordvik Ås`` / ``Vitamin Y Oy`` rows went to the account's ``Nordvik AS`` / ``Vitamin E
Oy``). So the upgrade records the version it came from (``META_KEYS_REDECIDED``) and the
rows then in doubt (``META_KEYS_SENT_AS_LOADED``); while it is there, the import maps every
row not yet written again before it is sent, as after an edit of the mapping
(``jobs.importing.base``: ``keys_redecided``), and says how many it re-decided. The rows
in doubt are settled as the older process sent them (their creates may be in Pipedrive)
and mapped again only if found unwritten; rows written stay as they are."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from bulk.errors import InputError, NotResumable
from bulk.store import ItemState, JobStore

from . import transforms as tf
from .contact_keys import contact_key_v4

META_PERSON_KEYS = "import.person_key_version"
# 1: before 49ebf64a (no kv row); 2: ae/oe/ue/aa folded once (no kv row before the row
# was added); 3: folded until nothing is left (x45r5 F1: ``Aaen`` and ``Åen`` were two);
# 4: the organization keys (``org``, ``made-org``, ``$.org``, a person key's ``|o:key:``)
# read ``og`` / ``och`` / ``en`` / ``ve`` / ``és`` as "and" and key a look-alike of a legal
# form as written (x52r9 F1, F2: ``contact_keys.contact_key_v4``); 5: a one-letter word or
# ``und`` / ``and`` before a name's only form is the name's (x52r11 F1: the same upgrade)
PERSON_KEY_VERSION = 5
# the keys of the persons the rows in doubt at the upgrade need, as recomputed -> as the
# claims of their creates were named by version 1's process (``claimed_as``)
META_PERSON_KEYS_WAS = "import.person_keys_was"
# the key version a job was planned with when a resume or retry brought its keys up to date
# (``keys_up_to_date``): while it is there, every row not yet written is mapped again by the
# keys as they are now before it is sent, as after an edit of the mapping (x53r2 F1: the
# keys were recomputed but the load's links kept, ``Nordvik Ås`` sent linked to the
# account's ``Nordvik AS``); kept, for a later resume of the same rows decides them alike
META_KEYS_REDECIDED = "import.keys_redecided_from"
# the rows in doubt at that upgrade (an older process sent them, its answer lost or cut
# off by a kill): their reconcile settles them as that process sent them, and one found
# unwritten is mapped again when it is sent again, then dropped from this list
META_KEYS_SENT_AS_LOADED = "import.keys_sent_as_loaded"
# a made- lookup's key for a second record under one key (as ``importing.own_records.OWN``,
# which lives a layer above): counted as made, undone by undo --contacts, resolved by no row
_OWN = "#own:"
_AT_ADDRESS = " @ "  # a new organization's key at an address (``import_items.AT_ADDRESS``)


def newer_keys(store: JobStore) -> str | None:
    """Why ``store`` cannot be resumed or retried by this code (its person keys are of a
    version newer than ``PERSON_KEY_VERSION``), or None."""
    held = store.meta_get(META_PERSON_KEYS) if store.kind == "import" else None
    if isinstance(held, int) and held > PERSON_KEY_VERSION:
        return (f"job {store.job_id} was planned by a newer pdbulk (person key version "
                f"{held}; this one knows {PERSON_KEY_VERSION}): resume or retry it with "
                "that version; nothing was changed")
    return None


def keys_up_to_date(store: JobStore) -> tuple[int, int]:
    """Bring import job ``store``'s stored person keys to ``PERSON_KEY_VERSION`` (module
    docstring), in one transaction, and record that version: (items, lookups) rewritten;
    (0, 0) for a job already of it, or of another kind. Raises NotResumable for a job of
    a newer version (``newer_keys``), StoreError for the store."""
    if store.kind != "import" or store.meta_get(META_PERSON_KEYS) == PERSON_KEY_VERSION:
        return 0, 0
    if (why := newer_keys(store)) is not None:
        raise NotResumable(why)
    held = store.meta_get(META_PERSON_KEYS)
    names = _org_names(store)

    def now(kind: str, key: str) -> str:
        return contact_key_v4(kind, key, names)

    # the claims an earlier upgrade named (version 1's) stay the names of the keys now
    was = {now("person", str(new)): str(old) for new, old in claimed_as(store).items()}
    in_doubt: list[int] = []
    for item in store.items(ItemState.SENDING):  # (a few batches at most)
        in_doubt.append(item.id)
        for kind in ("person", "org"):
            if isinstance(ref := item.payload.get(kind), Mapping) and ref.get("kind") == kind \
                    and isinstance(key := ref.get("key"), str) \
                    and (new := now(kind, key)) != key:
                was.setdefault(new, key)
    return store.rekey(now, refs=("$.person", "$.org"),
                       kinds=("person", "made-person", "org", "made-org"),
                       spare=_spare, meta={META_PERSON_KEYS: PERSON_KEY_VERSION,
                                           META_KEYS_REDECIDED: held if isinstance(held, int)
                                           else 1, META_KEYS_SENT_AS_LOADED: in_doubt,
                                           **({META_PERSON_KEYS_WAS: was} if was else {})})


def redecided_from(store: JobStore) -> int | None:
    """The key version ``store``'s job was planned with when ``keys_up_to_date`` brought it
    to ``PERSON_KEY_VERSION`` (1: a job of no version row): its rows not yet written are
    decided again by the keys as they are now (``META_KEYS_REDECIDED``); None for a job
    planned with this version, or loaded again since (``forget_redecided``)."""
    held = store.meta_get(META_KEYS_REDECIDED) if store.kind == "import" else None
    return held if isinstance(held, int) and not isinstance(held, bool) else None


def sent_as_loaded(store: JobStore) -> set[int]:
    """The rows in doubt when ``keys_up_to_date`` upgraded ``store``'s keys
    (``META_KEYS_SENT_AS_LOADED``) and not sent again since: an older process may have
    written them, so their reconcile reads the payload it sent (the load's, keys
    recomputed), never one mapped again."""
    held = store.meta_get(META_KEYS_SENT_AS_LOADED) if store.kind == "import" else None
    return {int(i) for i in held if isinstance(i, int)} if isinstance(held, list) else set()


def sent_again(store: JobStore, ids: Collection[int]) -> None:
    """Rows of ``sent_as_loaded`` now sent again, as mapped by this code: dropped from it
    (a later reconcile of them maps them again, as the run that sent them did)."""
    left = sent_as_loaded(store) - set(ids)
    store.meta_put(META_KEYS_SENT_AS_LOADED, sorted(left))


def forget_redecided(store: JobStore) -> None:
    """A job whose rows were all mapped again by this code (a load cut short, loaded
    again): nothing of its older keys' decisions is left to decide again."""
    if redecided_from(store) is not None:
        store.meta_put_many({META_KEYS_REDECIDED: None, META_KEYS_SENT_AS_LOADED: []})


def _org_names(store: JobStore) -> dict[str, str]:
    """Each new organization's key an earlier version stored (``$.org``, its address part
    aside) -> the key its name has now, for the keys a name tells one way (``Øster Ås``
    was ``oster as``, it is ``oster ås``; a key two names sent under now key two ways
    stays as ``org_key_now`` reads it). One pass over the items, a page at a time."""
    seen: dict[str, set[str]] = {}
    for item in store.items():
        ref = item.payload.get("org")
        if not isinstance(ref, Mapping) or ref.get("kind") != "org" \
                or not isinstance(key := ref.get("key"), str) \
                or not isinstance(body := ref.get("body"), Mapping):
            continue
        try:
            new = tf.org_match_key(body.get("name"))
        except InputError:
            continue
        if new:
            seen.setdefault(key.partition(_AT_ADDRESS)[0], set()).add(new)
    return {old: next(iter(new)) for old, new in seen.items() if len(new) == 1}


def claimed_as(store: JobStore) -> dict[str, str]:
    """The person keys ``keys_up_to_date`` recomputed for the rows then in doubt, each ->
    the key version 1's process named its create's claim by: the reconcile asks that claim
    whether the person it finds is the job's own create (``import_resolve.Resolver``:
    asked under the new name, none answered, and the person was linked, not counted made;
    undo --contacts left it). Empty for a job planned with this version."""
    was = store.meta_get(META_PERSON_KEYS_WAS)
    return {str(k): str(v) for k, v in was.items()} if isinstance(was, dict) else {}


def _spare(kind: str, key: str, rid: int) -> str | None:
    """Where a second record whose old key is one key now goes: two persons version 1 made
    for ``Mueller`` and ``Muller`` stay made (``made-person``, under ``_OWN``; so two
    organizations for ``Hansen og Søn`` and ``Hansen and Søn``, ``made-org``); a row's key
    resolves to the first (``person``, ``org``: the other dropped)."""
    return f"{key}{_OWN}{rid}" if kind in ("made-person", "made-org") else None


__all__ = ["META_KEYS_REDECIDED", "META_KEYS_SENT_AS_LOADED", "META_PERSON_KEYS",
           "META_PERSON_KEYS_WAS", "PERSON_KEY_VERSION", "claimed_as", "forget_redecided",
           "keys_up_to_date", "newer_keys", "redecided_from", "sent_again", "sent_as_loaded"]
