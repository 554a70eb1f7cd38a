"""Which deals this machine's merges took away, and into which survivor: so that an upsert
import of the same source file does not create a merged-away deal's row again.

A nightly dedupe merges deal 210 (key D2) into 208 (key D1); Pipedrive keeps the survivor's
key, so the next import of the file finds no deal with key D2, and its key's claim names
deal 210, which is gone. Without this record it creates D2 again, and the next dedupe
merges it again (x12r1 F1: a live duplicate and 45 tokens every night).

Every merge of ``pdbulk merge`` and ``pdbulk dedupe`` is written here *before* it is sent,
and written again, ``"applied": true``, once its job has seen it done (``confirm``, at the
end of the run, or of the resume that ends it). A merge that was recorded but never
confirmed may never have applied (it failed, or its run was killed before sending it): an
import does not believe it, whatever its deal is now — a deal gone since may have been
deleted by someone (x15r3 F1: a failed merge's record made an insert report a live,
archived deal "merged" into another; x16r3 1: with that deal deleted by hand, the next
import wrote its row over the survivor). At worst the key's deal is made again. One JSON
entry per merge in the journal ``merged-deals`` (``bulk.journal``: ``merged-deals.jsonl`` in
the state directory, beside the claims; and, with a shared coordinator in force, the same
entries on its Redis, under the company, so that an import on another machine sharing
that coordinator knows them too — f29e left: a merge run on machine A let an import on
machine B create the merged-away deal again): ``{"account": base URL, "merged": id,
"into": survivor id, "job": job id, "at": Unix seconds[, "applied": true][, "token_key":
the key of the run's API token in this state folder, ``bulk.token_key``][, "company": the
company id it was shared under, set by the journal]}``; read whole, an entry that does not
parse skipped. **Whose merges**: ``https://api.pipedrive.com`` is every company's URL, so
a run reads only the entries of its own token (``token_key``) or, on a shared
coordinator, of its company (f32e: an import of company B took company A's merge of a
deal id B has too: B's row of that id, its deal deleted by hand, was reported merged into
B's deal of A's survivor id and never made again). An entry that names neither (written
before, or outside a run) is read by every run, as before: whose it is is unknown.
Without a coordinator, two tokens of one company do not share their merges (at worst a
merged-away deal is made again). Redis restarted empty loses the shared copy: a machine
puts back what its state folder shared there the next time it runs anything under that
coordinator (``bulk.journal``, "Redis lost"); the merges only a machine gone since had
recorded are lost. Only merges made through this machine's state directory or the
shared coordinator are known: a merge made in Pipedrive's own UI is a deleted deal to the
import, as before. No token is in an entry (a keyed digest of it). Every function here
blocks (the local file, the shared coordinator's round trips): a caller on the event loop
runs it in a thread (``bulk.clock.in_thread``; ``jobs.merging``, ``jobs.importing``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from bulk.errors import CoordinatorLost
from bulk.journal import COMPANY, append_journal, read_journal
from bulk.token_key import token_key

JOURNAL = "merged-deals"
FILE = f"{JOURNAL}.jsonl"  # its local part, in the state directory
TOKEN_KEY = "token_key"  # the field naming the token an entry was written with
_NOBODY = ""  # the run's key when the state folder's secret cannot be read: no entry's


def _account(base_url: str) -> str:
    return base_url.strip().rstrip("/").lower()


def _reader() -> str | None:
    """The running token's key (``bulk.token_key``; None: no run bound one, every entry is
    read). A secret that cannot be read or made matches no token's entries (never
    another's), only those that name none."""
    try:
        return token_key()
    except OSError:
        return _NOBODY


def _ours(entry: Mapping[str, Any], reader: str | None, company: str | None) -> bool:
    """Whether ``entry`` is the reading run's: no reader (outside a run), the entry names
    no token (written before, or outside a run), its token is the reader's, or it was
    shared under the run's company (a shared coordinator's Redis, other machines' too)."""
    theirs = entry.get(TOKEN_KEY)
    return (reader is None or theirs is None or theirs == reader
            or (company is not None and entry.get(COMPANY) == company))


class Merge(NamedTuple):
    """A recorded merge: its last survivor (a chain followed to its end), the job that
    merged the deal, and whether that job saw it done (else it may never have applied)."""

    survivor: int
    job: str
    applied: bool
    # when the last link of the chain was last recorded (Unix seconds; its confirm when
    # applied): a write this folder recorded on the survivor since is newer than the merge
    # (``jobs.last_written.merged_base``); 0.0 when no entry said
    at: float = 0.0


def record(base_url: str, pairs: Iterable[tuple[int, int]], job_id: str, *,
           applied: bool = False, at: float | None = None) -> None:
    """Append the merges ``pairs`` ((merged-away id, survivor id), ...) about to be sent on
    the account at ``base_url`` by job ``job_id`` (``applied=True``: seen done; see
    ``confirm``); ``at``: when (Unix seconds, the job's clock: ``JobStore.wall``; default
    now). Raises OSError when the state directory cannot be written, CoordinatorLost when
    the shared coordinator's Redis does not answer (the caller sends nothing then)."""
    at = round(time.time() if at is None else at, 3)
    extra: dict[str, Any] = {"applied": True} if applied else {}
    if (writer := token_key()) is not None:  # whose merge (OSError: see Raises)
        extra[TOKEN_KEY] = writer
    entries = [{"account": _account(base_url), "merged": int(m), "into": int(s), "job": job_id,
                "at": at, **extra} for m, s in pairs]
    if not entries:
        return
    append_journal(JOURNAL, entries)


def confirm(base_url: str, pairs: Iterable[tuple[int, int]], job_id: str, *,
            at: float | None = None) -> None:
    """Append the merges ``pairs`` that job ``job_id`` saw done, as applied. Best effort:
    an OSError or CoordinatorLost is swallowed (the merge stays unconfirmed: an import does
    not believe it)."""
    try:
        record(base_url, pairs, job_id, applied=True, at=at)
    except (OSError, CoordinatorLost):
        pass


def known(base_url: str) -> tuple[int, int]:
    """(the merges on the account at ``base_url`` whose job saw them done, of them the ones
    this state folder recorded): the rest came from the shared coordinator's Redis (made
    through another state folder or machine). Raises CoordinatorLost, OSError."""
    from bulk.coordinator import bound_company
    from bulk.journal import LocalJournal, of_company

    applied = {m for m, hit in survivors(base_url).items() if hit.applied}
    account, company, reader = _account(base_url), bound_company(), _reader()
    local = LocalJournal(JOURNAL).entries()
    here: set[int] = set()
    for entry in (local if company is None else of_company(local, company)):
        try:
            if entry.get("account") == account and _ours(entry, reader, company):
                here.add(int(entry["merged"]))
        except (KeyError, TypeError, ValueError):
            continue
    return len(applied), len(applied & here)


def survivors(base_url: str) -> dict[int, Merge]:
    """{merged-away deal id: Merge} on the account at ``base_url``: a chain (210 into 208,
    later 208 into 301) followed to its end (301); ``applied`` when a line confirms every
    merge of the chain (an unconfirmed later link may have failed: 208 still live). Read
    from this machine's state directory and, with a shared coordinator in force, from its
    Redis too; in a run, only its token's (or company's) entries and those naming neither
    (module docstring, "Whose merges"). Raises CoordinatorLost when that Redis does not
    answer."""
    from bulk.coordinator import bound_company

    into: dict[int, tuple[int, str]] = {}
    applied: set[int] = set()
    when: dict[int, float] = {}  # merged id -> its latest entry's time
    account, company, reader = _account(base_url), bound_company(), _reader()
    entries = read_journal(JOURNAL)
    for entry in entries:
        try:
            if entry.get("account") == account and _ours(entry, reader, company):
                merged = int(entry["merged"])
                into[merged] = (int(entry["into"]), str(entry["job"]))
                if entry.get("applied") is True:
                    applied.add(merged)
                at = entry.get("at")
                if isinstance(at, (int, float)) and not isinstance(at, bool):
                    when[merged] = max(when.get(merged, 0.0), float(at))
        except (KeyError, TypeError, ValueError):
            continue
    out: dict[int, Merge] = {}
    for merged, (survivor, job) in into.items():
        seen = {merged}
        sure = merged in applied  # every link of the chain seen done
        at = when.get(merged, 0.0)
        while survivor in into and survivor not in seen:  # a cycle is never followed twice
            seen.add(survivor)
            sure = sure and survivor in applied
            at = max(at, when.get(survivor, 0.0))
            survivor = into[survivor][0]
        out[merged] = Merge(survivor, job, sure, at)
    return out


__all__ = ["FILE", "JOURNAL", "Merge", "confirm", "known", "record", "survivors"]
