"""Which job of this tool, in the job folders a dedupe apply can see, merged away or deleted
a deal the plan read and that is gone now (f41k 1, x41r5 F3).

Pipedrive answers a merged-away deal as a deleted one and does not say which it was, nor
into which deal it went (FACTS "Merge"). The state directory records the merges its dedupe
jobs made (``index.load_makers``) and a shared coordinator's claims those of another
host's run; a ``pdbulk merge`` job, or an undo of an import that deleted the deals it had
created, recorded nothing there, so a keep-separate pair one of whose deals such a job
took away read "deal 12 is gone since the plan (… Pipedrive does not say which …)" though
that job's folder says where it went. ``gone_by`` reads the job stores (``job.sqlite``,
read-only: a running job's writes are never blocked) of the newest ``READ`` jobs of each
folder given (the apply's job folder, and the one holding its state directory) and
returns, for the deals asked about, the job that merged each away (``into``: the deal it
merged it into, from the merge's ``survivor_id``) or deleted it (``into`` None). Only items
done with action ``merged`` or ``deleted`` count: a merge found ``already merged`` or a
deal ``already deleted`` was another's doing. A store that cannot be read is passed over
(it only refines a report). Blocks: call it in a thread on the event loop.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import NamedTuple

import orjson

READ = 500  # the newest job stores read in each folder (job ids sort by their start time)


class GoneBy(NamedTuple):
    """The job that took a deal away: ``job`` its id, ``kind`` its kind (``merge``,
    ``dedupe``, ``undo``), ``into`` the deal it was merged into (None: deleted)."""

    job: str
    kind: str
    into: int | None


def _store_gone(path: Path, wanted: Collection[int]) -> dict[int, GoneBy]:
    out: dict[int, GoneBy] = {}
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2.0)
    except sqlite3.Error:
        return out
    try:
        job_id, kind = conn.execute("SELECT job_id, kind FROM job").fetchone()
        rows = conn.execute("SELECT op, payload, result FROM items WHERE state = 'done' "
                            "AND op IN ('merge', 'delete')").fetchall()
    except (sqlite3.Error, TypeError, ValueError):
        return out
    finally:
        conn.close()
    for op, payload, result in rows:
        with contextlib.suppress(orjson.JSONDecodeError, TypeError, ValueError, KeyError,
                                 AttributeError):
            p, r = orjson.loads(payload), orjson.loads(result or b"{}")
            if op == "merge" and r.get("action") == "merged":
                deal, into = int(p["merge_id"]), int(p["survivor_id"])
            elif op == "delete" and kind == "undo" and r.get("action") == "deleted":
                deal, into = int(p["deal_id"]), None
            else:
                continue
            if deal in wanted:
                out.setdefault(deal, GoneBy(str(job_id), str(kind), into))
    return out


def gone_by(roots: Iterable[Path], deals: Collection[int]) -> dict[int, GoneBy]:
    """Deal id -> the job of the folders ``roots`` that merged it away or deleted it, for
    those of ``deals`` such a job did (module docstring); the newest job first. Never
    raises."""
    wanted = set(deals)
    out: dict[int, GoneBy] = {}
    if not wanted:
        return out
    seen: set[Path] = set()
    for root in roots:
        with contextlib.suppress(OSError):
            if (key := root.resolve()) in seen:
                continue
            seen.add(key)
            stores = sorted(root.glob("*/job.sqlite"), reverse=True)[:READ]
            for path in stores:
                for deal, by in _store_gone(path, wanted - out.keys()).items():
                    out.setdefault(deal, by)
                if out.keys() >= wanted:
                    return out
    return out


__all__ = ["READ", "GoneBy", "gone_by"]
