"""Which deals this machine's merges took away, and into which survivor: so that an upsert
import of the same source file does not create a merged-away deal's row again.

A nightly dedupe merges deal 210 (key D2) into 208 (key D1); Pipedrive keeps the survivor's
key, so the next import of the file finds no deal with key D2, and its key's claim names
deal 210, which is gone. Without this record it creates D2 again, and the next dedupe
merges it again (x12r1 F1: a live duplicate and 45 tokens every night).

Every merge of ``pdbulk merge`` and ``pdbulk dedupe`` is written here *before* it is sent
(a merge that never applied leaves its deal live, so an import that reads the deal gone
and finds this record knows the merge took it). One JSON line per merge in
``merged-deals.jsonl`` in the state directory (``bulk.claims.state_dir``, beside the
claims): ``{"account": base URL, "merged": id, "into": survivor id, "job": job id,
"at": Unix seconds}``; appended with one ``write`` (O_APPEND: whole lines from
concurrent processes), read whole, a line that does not parse skipped. Only merges made
through this machine's state directory are known: a merge made in Pipedrive's own UI is
a deleted deal to the import, as before.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

import orjson

FILE = "merged-deals.jsonl"


def _path() -> Path:
    from bulk.claims import state_dir

    return state_dir() / FILE


def _account(base_url: str) -> str:
    return base_url.strip().rstrip("/").lower()


def record(base_url: str, pairs: Iterable[tuple[int, int]], job_id: str) -> None:
    """Append the merges ``pairs`` ((merged-away id, survivor id), ...) about to be sent on
    the account at ``base_url`` by job ``job_id``. Raises OSError when the state directory
    cannot be written (the caller sends nothing then)."""
    at = round(time.time(), 3)
    data = b"".join(orjson.dumps({"account": _account(base_url), "merged": int(m),
                                  "into": int(s), "job": job_id, "at": at}) + b"\n"
                    for m, s in pairs)
    if not data:
        return
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def survivors(base_url: str) -> dict[int, tuple[int, str]]:
    """{merged-away deal id: (its last survivor, the job that merged it)} on the account at
    ``base_url``: a chain (210 into 208, later 208 into 301) followed to its end (301)."""
    into: dict[int, tuple[int, str]] = {}
    account = _account(base_url)
    try:
        with _path().open("rb") as f:
            for line in f:
                try:
                    entry = orjson.loads(line)
                    if entry.get("account") == account:
                        into[int(entry["merged"])] = (int(entry["into"]), str(entry["job"]))
                except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
                    continue
    except FileNotFoundError:
        return {}
    out: dict[int, tuple[int, str]] = {}
    for merged, (survivor, job) in into.items():
        seen = {merged}
        while survivor in into and survivor not in seen:  # a cycle is never followed twice
            seen.add(survivor)
            survivor = into[survivor][0]
        out[merged] = (survivor, job)
    return out


__all__ = ["FILE", "record", "survivors"]
