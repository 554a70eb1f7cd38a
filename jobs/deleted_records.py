"""Which deals, persons and organizations pdbulk itself deleted: so that a later import of
the same state folder does not pay to read, by id, a record its key's claim still names.

An import makes deal 13 (key A-1), person 31 and organization 40; ``pdbulk undo J
--contacts`` deletes all three. The key's claims still name them (a claim's outcome is
what was made, ``bulk.claims``), so the next import of the file read each by id before
making it again: 1 token a record, 454 of 2,939 tokens in x42r7 F3's run. What an undo
deleted is gone for good — Pipedrive never gives a deleted record's id to another, and a
deal restored from its trash carries its key, so the import's list of the deals with a key
finds it (``jobs.import_load``) — so a read of it can only answer "gone".

Every undo records here, as its run ends (``UndoJob.after_run``, a resume's too), the
deals, persons and organizations its deletes left gone (deleted, or found already gone
right before the delete). One JSON entry per record in the journal ``deleted-records``
(``bulk.journal``: ``deleted-records.jsonl`` in the state directory, beside the claims,
and, with a shared coordinator in force, on its Redis under the company):
``{"account": base URL, "kind": "deal" | "person" | "org", "id": id, "job": undo job id,
"at": Unix seconds[, "token_key": …]}``; whose entries a run reads follows
``jobs.merged_deals`` ("Whose merges"). A merge's loser is ``jobs.merged_deals``': its
survivor is followed, not read. A record a colleague deleted (by hand, another tool) is
not known here: a later job reads it, or its call fails, as before. Every function here
blocks: a caller on the event loop runs it in a thread (``bulk.clock.in_thread``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from bulk.errors import CoordinatorLost
from bulk.journal import append_journal, read_journal
from bulk.token_key import token_key

from .merged_deals import TOKEN_KEY, _account, _ours, _reader

JOURNAL = "deleted-records"
FILE = f"{JOURNAL}.jsonl"  # its local part, in the state directory
KINDS = ("deal", "person", "org")

Deleted = dict[str, frozenset[int]]  # kind ("deal" / "person" / "org") -> ids


def record(base_url: str, ids: Mapping[str, Iterable[int]], job_id: str, *,
           at: float | None = None, company: str | None = None) -> None:
    """Append the records ``ids`` (kind → ids) that job ``job_id`` left deleted on the
    account at ``base_url``; ``at``: when (Unix seconds; default now); ``company``: the
    company the job ran under on a shared coordinator (default: the one bound). Best
    effort: an OSError, CoordinatorLost or a coordinator with no company known is swallowed
    (a later import then reads those records, as before)."""
    when = round(time.time() if at is None else at, 3)
    try:
        writer = token_key()
    except OSError:
        writer = None
    extra = {TOKEN_KEY: writer} if writer is not None else {}
    entries = [{"account": _account(base_url), "kind": kind, "id": int(rid), "job": job_id,
                "at": when, **extra}
               for kind in KINDS for rid in sorted(set(ids.get(kind, ())))]
    if not entries:
        return
    try:
        append_journal(JOURNAL, entries, company)
    except (OSError, CoordinatorLost, RuntimeError):
        pass


def deleted(base_url: str) -> Deleted:
    """{kind: the ids pdbulk's undos left deleted on the account at ``base_url``} (every
    kind present, maybe empty), read from this machine's state directory and, with a shared
    coordinator, its Redis; only the running token's (or company's) entries and those naming
    neither. A record that cannot be read (OSError, CoordinatorLost) is taken as empty: a
    later job then reads those records by id, as before."""
    from bulk.coordinator import bound_company

    out: dict[str, set[int]] = {kind: set() for kind in KINDS}
    try:
        account, company, reader = _account(base_url), bound_company(), _reader()
        entries = read_journal(JOURNAL)
    except (OSError, CoordinatorLost, RuntimeError):
        return {kind: frozenset() for kind in KINDS}
    for entry in entries:
        try:
            if entry.get("account") == account and _ours(entry, reader, company) \
                    and entry.get("kind") in out:
                out[str(entry["kind"])].add(int(entry["id"]))
        except (KeyError, TypeError, ValueError):
            continue
    return {kind: frozenset(ids) for kind, ids in out.items()}


__all__ = ["FILE", "JOURNAL", "KINDS", "Deleted", "deleted", "record"]
