"""A reviewer's keep-separate decisions shared by every host of the company (x38r2 F2).

``keep-separate.json`` lives in one dedupe state directory, so with two hosts on one
shared coordinator a group host A's reviewer kept apart was merged by host B's night run
(3 of 3). With a shared coordinator in force (``--coordinator`` / ``PDBULK_COORDINATOR``)
and its company bound (``bulk.coordinator.bound_company``), the decisions are also kept in
the journal ``dedupe-keep-separate`` (``bulk.journal``: a Redis list under the company,
and this machine's copy), one entry per pair: ``{"pair": [a, b], "keep": true | false,
"at": Unix seconds}`` (``keep`` false: forgotten; the journal stamps ``company``). Every
read of the decisions (``sync``, called by ``index.load_keep_separate`` and
``index.remember_keep_separate``) shares what this folder decided that the journal lacks
and returns the folder's pairs with the company's: every host's plan, apply, run and
resume holds the pair.

Forgetting stays what it was: take the pair out of ``keep-separate.json``. The folder
remembers which pairs it shared (``keep-separate-shared.json``); a pair it shared that is
no longer in its file was taken out by a person, and a ``keep: false`` entry forgets it on
every host. A pair decided on another host is forgotten there. When unsure, the pair is
kept apart (the safe side: a merge is final).

The dedupe config is the company's too (``company_config``, f39c): the journal
``dedupe-config`` holds each config a host's run or apply shared; a host given none takes the
latest, a plan only reads it.

Without a shared coordinator nothing joins the hosts: decisions are per state directory
(README, "Two hosts"). No token is in an entry. Blocking (Redis round trips, files): a
caller on the event loop runs it in a thread. Raises CoordinatorLost when the Redis does
not answer (nothing merged on a decision that could not be read).
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from bulk.state import write_private

# the state directory's copy of the matching config the last `dedupe run` / `dedupe plan`
# was given (``index`` reads it; kept here, below ``index``, so neither imports the other)
CONFIG = "config.toml"

JOURNAL = "dedupe-keep-separate"
SHARED = "keep-separate-shared.json"  # in the state directory: the pairs it shared


def _pair(entry: dict[str, Any]) -> frozenset[int] | None:
    pair = entry.get("pair")
    if not isinstance(pair, list) or len(pair) != 2:
        return None
    try:
        ids = frozenset(int(x) for x in pair)
    except (TypeError, ValueError):
        return None
    return ids if len(ids) == 2 else None


def _entries(pairs: Iterable[frozenset[int]], keep: bool) -> list[dict[str, Any]]:
    at = round(time.time(), 3)
    return [{"pair": sorted(p), "keep": keep, "at": at} for p in sorted(pairs, key=sorted)]


def _load_shared(state: Path) -> set[frozenset[int]]:
    try:
        raw = orjson.loads((state / SHARED).read_bytes())
        return {frozenset(int(x) for x in p) for p in raw}
    except (OSError, orjson.JSONDecodeError, TypeError, ValueError):
        return set()


def _save_shared(state: Path, pairs: set[frozenset[int]]) -> None:
    from bulk.state import write_private

    with contextlib.suppress(OSError):  # at worst a pair taken out stays kept elsewhere
        write_private(state / SHARED, orjson.dumps(sorted(sorted(p) for p in pairs)))


def coordinated() -> bool:
    """Whether a shared coordinator is in force and the running engine bound its company:
    the decisions are then the company's, not only the folder's."""
    from bulk.coordinator import bound_company, coordinator_url

    return coordinator_url() is not None and bound_company() is not None


def sync(state: Path, local: set[frozenset[int]], *, share: bool = True
         ) -> set[frozenset[int]]:
    """The keep-separate pairs that bind this run: ``local`` (the state directory
    ``state``'s ``keep-separate.json``) with, under a shared coordinator (``coordinated``),
    the company's kept pairs; what ``local`` has that the company's lack is shared first, and
    a pair this folder shared and no longer has is forgotten for every host. ``local``
    itself without a shared coordinator. ``share`` False (a plan: ``dedupe plan``, ``pdbulk
    plan dedupe``, a dry-run apply) reads the same pairs and writes nothing, neither to the
    journal nor beside the file (f39c: a plan wrote the decisions it read to Redis); the
    next apply or run shares them. Raises CoordinatorLost, OSError (the journal's local
    copy cannot be read)."""
    if not coordinated():
        return set(local)
    from bulk.journal import open_journal

    journal = open_journal(JOURNAL)
    try:
        kept: set[frozenset[int]] = set()
        for entry in journal.entries():  # in order: a later entry wins
            if (pair := _pair(entry)) is not None:
                (kept.add if entry.get("keep") is not False else kept.discard)(pair)
        shared = _load_shared(state)
        forgotten = (shared - local) & kept  # a person took it out of this folder's file
        new = local - kept
        if not share:
            return local | (kept - forgotten)
        if forgotten or new:
            journal.append([*_entries(forgotten, False), *_entries(new, True)])
        if forgotten or new or shared - local:
            _save_shared(state, (shared & local) | new)
    finally:
        journal.close()
    return local | (kept - forgotten)


CONFIG_JOURNAL = "dedupe-config"
CONFIG_SHARED = "config-shared.json"  # in the state directory: the config's SHA-256 it synced


def _sha(data: bytes | None) -> str:
    return "" if data is None else hashlib.sha256(data).hexdigest()


def company_config(state: Path, *, share: bool) -> tuple[bytes | None, str] | None:
    """The dedupe config every host of the company runs with, under a shared coordinator
    (``coordinated``; None without one, or when this folder's copy is the company's): the
    journal ``dedupe-config`` holds each config a host's ``--config`` brought (``{"toml":
    text or null for the defaults, "sha256", "at"}``; a later entry wins), so a guard or a
    threshold one host's run was given binds the other hosts' nights too (f39c: it was per
    state directory, and host B merged what host A's config held apart). The state
    directory's copy (``index.CONFIG``) changed since this folder last synced
    (``CONFIG_SHARED``: a new ``--config``, or the copy deleted for the defaults) is the
    newest word: shared when ``share`` (a run or apply), returned as None; else the
    company's latest entry when it is not the copy: (its bytes, or None for the defaults,
    and a note to say), written over the copy when ``share``. A plan (``share`` False)
    reads and writes nothing. Blocking (Redis, files): call it in a thread. Raises
    CoordinatorLost, OSError."""
    if not coordinated():
        return None
    from bulk.journal import open_journal

    copy = state / CONFIG
    local = copy.read_bytes() if copy.is_file() else None
    try:
        synced = orjson.loads((state / CONFIG_SHARED).read_bytes()).get("sha256")
    except (OSError, orjson.JSONDecodeError, AttributeError):
        synced = None
    journal = open_journal(CONFIG_JOURNAL)
    try:
        latest: dict[str, Any] | None = None
        for entry in journal.entries():
            if isinstance(entry.get("sha256"), str) and (
                    entry.get("toml") is None or isinstance(entry.get("toml"), str)):
                latest = entry
        if latest is None and local is None:
            return None
        # this folder's copy changed since it last synced (a new --config, or deleted); a
        # folder that never synced only when its copy is newer than the company's entry
        newer = _sha(local) != synced and (
            synced is not None or latest is None
            or (local is not None and copy.stat().st_mtime > float(latest.get("at") or 0)))
        if newer:
            if share:  # this folder's newest word: every host's from now on
                journal.append([{"toml": None if local is None else local.decode("utf-8-sig"),
                                 "sha256": _sha(local), "at": round(time.time(), 3)}])
                _save_synced(state, _sha(local))
            return None
        if latest is None or latest["sha256"] == _sha(local):
            return None
        text = latest.get("toml")
        data = None if text is None else str(text).encode("utf-8")
        if share:
            if data is None:
                copy.unlink(missing_ok=True)
            else:
                write_private(copy, data)
            _save_synced(state, _sha(data))
    finally:
        journal.close()
    what = "the defaults" if data is None else f"sha256 {_sha(data)[:12]}"
    return data, (f"note: the dedupe config another host of this company was given last is "
                  f"in force ({what}; shared on the coordinator, README \"Two hosts\")")


def _save_synced(state: Path, sha: str) -> None:
    write_private(state / CONFIG_SHARED, orjson.dumps({"sha256": sha}))


__all__ = ["CONFIG", "CONFIG_JOURNAL", "CONFIG_SHARED", "JOURNAL", "SHARED", "company_config",
           "coordinated", "sync"]
