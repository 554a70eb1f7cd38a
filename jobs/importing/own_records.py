"""Which persons / organizations the account lists that an import job made itself, for a
run of it that maps rows again (``pdbulk retry``, a resume of one, a changed mapping).

A row mapped again is matched against the account as it is now, where the job's own
creates of an earlier run are listed too: matched by e-mail or name there, the row linked
them as someone's (``email``, ``name``), not as the job's create, and a create left in
doubt (its answer lost, a kill) was never reconciled — not counted, left behind by
``undo --contacts`` (x44r1: 37 of 39 organizations, 347 of 348 persons). These records
are matched as any other (by e-mail, name, name + organization, phone: x44r9, a retry
that never matched them made a second person of a row whose person an earlier row's
create made), and a row linked to one says ``created`` (``jobs.import_rows``'
``_own_ref``, from ``jobs.account.index_persons``' ``own``); one proved the job's by its
claim alone (a create in doubt) is written to the job's "made-" lookups
(``record_own``), so the summary counts it and ``undo --contacts`` deletes it
(``import_resolve.made_contacts``).

The evidence, never a name alone: an id in the job's "made-person" / "made-org" lookups;
or a record added since the job was loaded (``RECONCILE_MARGIN`` of clock skew) and at or
after a create of this job was sent under one of the keys it answers, whose claim says
so — released in doubt naming this job (``bulk.claims.in_doubt_outcome``), released
naming this job and that record, or still held for this job by a holder that died
(``Claims.dead_held``). Reads no account: the job's store and the claims (one
``outcomes`` and one ``dead_held`` read for the records added since the load).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bulk.claims import IN_DOUBT, Claims
from bulk.store import AsyncJobStore

from ..account import parse_time
from ..clock_skew import RECONCILE_MARGIN
from ..import_resolve import contact_claim_name, record_keys

_MADE = "made-"  # the lookups of the persons / organizations the job made (import_resolve)
# a made- lookup's key suffix (then the id) for a record proved the job's by a claim whose
# key holds another record already (as ``import_resolve.GONE``)
OWN = "#own:"


async def own_records(store: AsyncJobStore, claims: Claims | None, *, scope: str,
                      job_id: str, loaded: float, kind: str,
                      records: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    """The ids among ``records`` (``kind`` "person" / "org", as a list pulled them) that
    import job ``job_id`` (its ``store``, loaded at Unix time ``loaded``; claims named in
    key field ``scope``) made, each → "" when its made- lookups hold it, else the key
    (``record_keys``) whose claim proves it; see the module docstring. ``claims`` None:
    the made- lookups alone."""
    made = set((await store.lookups(_MADE + kind)).values())
    ours = {int(r["id"]): "" for r in records if int(r["id"]) in made}
    if claims is None:
        return ours
    since = loaded - RECONCILE_MARGIN
    org_keys: dict[int, set[str]] = {}
    if kind == "person":  # a person made at the job's new organization answers its key
        for key, rid in (await store.lookups(_MADE + "org")).items():
            org_keys.setdefault(rid, set()).add(key)
    # claim name → its key and the records (id, added) answering it
    named: dict[str, tuple[str, list[tuple[int, float]]]] = {}
    for record in records:
        rid = int(record["id"])
        added = parse_time(record.get("add_time"))
        if rid in ours or added is None or added < since:
            continue
        for key in record_keys(kind, record, org_keys):
            if key:
                named.setdefault(contact_claim_name(kind, scope, key), (key, []))[1].append(
                    (rid, added))
    if not named:
        return ours
    names = list(named)
    outcomes = await claims.outcomes(names)
    dead = await claims.dead_held(names)
    for name, (key, found) in named.items():
        outcome = outcomes.get(name) or {}
        sent: float | None = None
        if outcome.get("job") == job_id:
            if isinstance(outcome.get(IN_DOUBT), (int, float)):
                sent = float(outcome[IN_DOUBT])
            elif isinstance(outcome.get("id"), int):
                ours.update((rid, key) for rid, _ in found
                            if rid == outcome["id"] and rid not in ours)
        held = dead.get(name)
        if held is not None and held.tag == job_id:
            sent = held.since if sent is None else min(sent, held.since)
        if sent is not None:
            ours.update((rid, key) for rid, added in found
                        if added >= sent - RECONCILE_MARGIN and rid not in ours)
    return ours


async def record_own(store: AsyncJobStore, kind: str, ours: Mapping[int, str]) -> None:
    """Write the ``kind`` records ``own_records`` proved the job's by a claim alone (a key,
    not "") to the job's "made-<kind>" lookups: under that key, or when the key holds
    another record already, under the key, ``OWN`` and the id (no row's key resolves to
    it; counted, deleted by ``undo --contacts``)."""
    proved = {rid: key for rid, key in ours.items() if key}
    if not proved:
        return
    held = await store.lookup_get_many(_MADE + kind, sorted(set(proved.values())))
    pairs: dict[str, int] = {}
    for rid, key in sorted(proved.items()):
        free = held.get(key) in (None, rid) and key not in pairs
        pairs[key if free else f"{key}{OWN}{rid}"] = rid
    await store.lookup_put_many(_MADE + kind, sorted(pairs.items()))


__all__ = ["OWN", "own_records", "record_own"]
