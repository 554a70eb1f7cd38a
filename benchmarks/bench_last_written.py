"""The upsert's three-way record at a run's end: ``jobs.last_written.record_job`` over a job
of 50,000 / 200,000 imported deals (10 fields each, 3 of them custom), after its first run
and after a resume that settled 1 % more of its rows.

Runs in a fresh child process (peak memory is this work's): builds the job store (every
item created, as a run leaves it), then times ``record_job`` at the end of the first run
and again at the end of a resume that settled the last 1 % of the rows. Wall seconds of the
call; peak MB: growth of the child's high-water mark during the calls; the record's size on
disk. "share of run": the call's seconds over the run's least API time — its rows' creates
at Ultimate's OAuth burst (480 calls / 2 s, FACTS.md), the fastest any account allows, so
the largest share the record can be. Target: a resume's record ≤ 5 % of its run.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .harness import BenchArgs, Check, Row

TITLE = "Three-way record at run end (last_written.record_job, generated job)"
FOOTNOTES = (
    "s: wall seconds of record_job; MB: peak RSS growth of the child during it; "
    "record MB: last-written.sqlite3 on disk after the resume",
    "share of run: s / (rows settled by the run / 240 creates per s, Ultimate OAuth's burst)",
)
_BURST_PER_S = 240.0  # Ultimate, OAuth: 480 requests / 2 s (FACTS.md)
_CHUNK = 5000


def _deal(i: int) -> dict[str, Any]:
    return {"title": f"Deal {i}", "value": 1000 + i % 977, "currency": "EUR",
            "stage_id": 1 + i % 5, "pipeline_id": 1, "status": "open", "user_id": 7,
            "custom_fields": {"a1b2": f"KEY-{i}", "c3d4": i % 13, "e5f6": "2026-01-05"}}


def _settle(store: Any, first: int, last: int, wall: float) -> None:
    from bulk.store import ItemState, Outcome

    ids = list(range(first, last + 1))
    for at in range(0, len(ids), _CHUNK):
        part = ids[at:at + _CHUNK]
        store.mark_sending(part, wall)
        store.record([Outcome(i, ItemState.DONE, result={
            "deal_id": 100_000 + i, "action": "created", "person_id": None, "org_id": None})
            for i in part])


def _measure(rows: int, folder: str) -> dict[str, Any]:
    from bulk.store import JobStore, NewItem
    from jobs import last_written

    os.environ["PDBULK_STATE_DIR"] = str(Path(folder) / "state")
    store = JobStore.create(Path(folder) / "job", job_id="bench", kind="import",
                            config={"engine": {"base_url": "https://bench.pipedrive.com"}})
    store.add_items(NewItem(row=i + 2, key=f"KEY-{i}", op="create",
                            payload={"deal": _deal(i), "person": None, "org": None})
                    for i in range(rows))
    resumed = max(1, rows // 100)
    _settle(store, 1, rows - resumed, time.time())
    out: dict[str, Any] = {}
    for label, settled in (("first run", rows - resumed), ("resume (1 % more)", resumed)):
        if label != "first run":
            _settle(store, rows - resumed + 1, rows, time.time())
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t0 = time.perf_counter()
        fields = last_written.record_job(store, "https://bench.pipedrive.com")
        seconds = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out[label] = {"s": seconds, "mb": peak - before, "fields": fields, "settled": settled}
    store.close()
    record = Path(folder) / "state" / last_written.FILE
    out["record_mb"] = sum(p.stat().st_size for p in record.parent.glob(record.name + "*")) / 1e6
    return out


def run(args: BenchArgs) -> list[Row]:
    sizes = (5_000,) if args.quick else (50_000, 200_000)
    out = []
    ctx = multiprocessing.get_context("spawn")
    for rows in sizes:
        with tempfile.TemporaryDirectory(prefix="pdbulk-bench-lw-") as folder, \
                ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            m = pool.submit(_measure, rows, folder).result(timeout=1200)
        for label in ("first run", "resume (1 % more)"):
            one = m[label]
            share = one["s"] / (one["settled"] / _BURST_PER_S)
            checks = [Check("share <= 5 %", share <= 0.05, f"{share:.1%}")] \
                if label != "first run" else []
            out.append(Row(
                scenario=f"{rows:,} rows, {label}", runner="record_job", calls=0,
                extra={"settled": f"{one['settled']:,}", "fields written": f"{one['fields']:,}",
                       "s": f"{one['s']:.2f}", "MB": f"{one['mb']:.0f}",
                       "share of run": f"{share:.1%}", "record MB": f"{m['record_mb']:.0f}"},
                note="", checks=checks))
    return out


if __name__ == "__main__":
    from .harness import format_table
    print(format_table(TITLE, run(BenchArgs()), FOOTNOTES))
