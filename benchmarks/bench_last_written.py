"""The upsert's three-way record (``jobs.last_written``) over a job of 50,000 / 200,000
imported deals (10 fields each, 3 of them custom): what it adds to a run's end and what
it takes on disk, against the first layout recorded all at the end.

Runs in a fresh child process (peak memory is this work's): builds the job store (every
item created, as a run leaves it), then plays a run: its items settle ``_CHUNK`` at a
time (as the runner stores outcomes), each told to a ``last_written.Recorder``, which
records them in its thread as the run goes; the run's end is ``Recorder.close`` (wall
seconds: what the end adds). The play waits for the recorder's batch after each chunk:
a real run spends at least 4 ms of API time per row (the fastest burst below), the
record well under 1 ms, so its thread keeps up. The first run settles 99 % of the rows,
a resume the last 1 %. "during": the recorder thread's CPU seconds over the run (off
the event loop). The first layout (before f33g: a row per field, account and job as
text on each, all recorded at the run's end) is timed and measured on the same items
as the baseline (``_first_layout``). "share of run": the end's seconds over the run's
least API time — its rows' creates at Ultimate's OAuth burst (480 calls / 2 s,
FACTS.md), the fastest any account allows, so the largest share the record can be.
Targets: a first run's end at most a tenth of the first layout's, the record at most a
quarter of its room, the record's whole CPU (during + end: the same digests, plus
reading each settled item back by id) at most 10 % over the first layout's end, a
resume's end ≤ 5 % of its run.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sqlite3
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .harness import BenchArgs, Check, Row

TITLE = "Three-way record: run end and size (last_written.Recorder, generated job)"
FOOTNOTES = (
    "end s: wall seconds the run's end spends on the record (Recorder.close); during s: "
    "the recorder thread's CPU seconds while the run went; MB: peak RSS growth of the "
    "child; CPU (during + end) / first: the record's CPU seconds over the first layout's",
    "record MB: last-written.sqlite3 (and -wal) on disk after the resume; first layout: "
    "a row per field, all recorded at the run's end (before f33g), the same items",
    "share of run: end s / (rows settled by the run / 240 creates per s, Ultimate OAuth's "
    "burst)",
)
_BURST_PER_S = 240.0  # Ultimate, OAuth: 480 requests / 2 s (FACTS.md)
_CHUNK = 64  # outcomes the runner stores at a time (bulk.runner.BATCH)
_URL = "https://bench.pipedrive.com"
_FIRST_LAYOUT = """CREATE TABLE IF NOT EXISTS written (
    account TEXT NOT NULL, deal INTEGER NOT NULL, field TEXT NOT NULL,
    digest TEXT NOT NULL, at REAL NOT NULL, job TEXT NOT NULL,
    PRIMARY KEY (account, deal, field)) WITHOUT ROWID"""


def _deal(i: int) -> dict[str, Any]:
    return {"title": f"Deal {i}", "value": 1000 + i % 977, "currency": "EUR",
            "stage_id": 1 + i % 5, "pipeline_id": 1, "status": "open", "user_id": 7,
            "custom_fields": {"a1b2": f"KEY-{i}", "c3d4": i % 13, "e5f6": "2026-01-05"}}


def _run(store: Any, first: int, last: int) -> dict[str, Any]:
    """A run that settles items ``first``..``last``, recorded as they settle; its end
    timed."""
    from bulk.store import ItemState, Outcome
    from jobs import last_written

    recorder = last_written.Recorder(store, _URL)
    recorder.start()
    for at in range(first, last + 1, _CHUNK):
        part = list(range(at, min(at + _CHUNK, last + 1)))
        store.mark_sending(part, time.time())
        for i in part:
            recorder.settled(i)
        store.record([Outcome(i, ItemState.DONE, result={
            "deal_id": 100_000 + i, "action": "created", "person_id": None, "org_id": None})
            for i in part])
        recorder.wait(60)  # a run's API time per row is ~70x the record's (see above)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    during = recorder.busy
    t0, cpu0 = time.perf_counter(), time.thread_time()
    fields = recorder.close()
    seconds, cpu = time.perf_counter() - t0, time.thread_time() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"s": seconds, "cpu": cpu, "during": during, "mb": peak - before,
            "fields": fields, "settled": last - first + 1}


def _first_layout(store: Any, path: Path) -> tuple[float, float]:
    """The first layout's end of run: every settled item's fields, a row each, the
    account and the job as text on every row (its schema and statement); (wall seconds,
    CPU seconds)."""
    from bulk.store import ItemState
    from jobs import last_written

    t0, cpu0 = time.perf_counter(), time.thread_time()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(_FIRST_LAYOUT)
        account, job = last_written.account_of(_URL), store.job_id
        loaded = float(store.created_at or 0.0)
        items = list(store.items(ItemState.DONE))
        for n in range(0, len(items), 1000):
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    "INSERT INTO written VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, deal, "
                    "field) DO UPDATE SET digest = excluded.digest, at = excluded.at, "
                    "job = excluded.job WHERE excluded.at >= written.at",
                    ((account, d, f, g, at, job) for item in items[n:n + 1000]
                     for d, f, g, at in last_written._writes(item, loaded)))
    finally:
        conn.close()
    return time.perf_counter() - t0, time.thread_time() - cpu0


def _size(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def _measure(rows: int, folder: str) -> dict[str, Any]:
    from bulk.store import JobStore, NewItem
    from jobs import last_written

    os.environ["PDBULK_STATE_DIR"] = str(Path(folder) / "state")
    store = JobStore.create(Path(folder) / "job", job_id="bench", kind="import",
                            config={"engine": {"base_url": _URL}})
    store.add_items(NewItem(row=i + 2, key=f"KEY-{i}", op="create",
                            payload={"deal": _deal(i), "person": None, "org": None})
                    for i in range(rows))
    resumed = max(1, rows // 100)
    out: dict[str, Any] = {"first run": _run(store, 1, rows - resumed),
                           "resume (1 % more)": _run(store, rows - resumed + 1, rows)}
    out["record_mb"] = _size(Path(folder) / "state" / last_written.FILE)
    old = Path(folder) / "first-layout.sqlite3"
    out["old_s"], out["old_cpu"] = _first_layout(store, old)
    out["old_mb"] = _size(old)
    store.close()
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
            extra = {"settled": f"{one['settled']:,}", "fields written": f"{one['fields']:,}",
                     "end s": f"{one['s']:.2f}", "during s": f"{one['during']:.2f}",
                     "MB": f"{one['mb']:.0f}", "share of run": f"{share:.1%}",
                     "record MB": f"{m['record_mb']:.0f}"}
            if label == "first run":
                end_ratio = one["s"] / m["old_s"]
                size_ratio = m["record_mb"] / m["old_mb"]
                total_ratio = (one["cpu"] + one["during"]) / m["old_cpu"]
                extra.update({"first layout: end s": f"{m['old_s']:.2f}",
                              "first layout: MB": f"{m['old_mb']:.0f}",
                              "end / first": f"{end_ratio:.2f}",
                              "MB / first": f"{size_ratio:.2f}",
                              "CPU (during + end) / first": f"{total_ratio:.2f}"})
                checks = [Check("end <= 0.1 x first layout's", end_ratio <= 0.1,
                                f"{end_ratio:.2f}"),
                          Check("record <= 0.25 x first layout's", size_ratio <= 0.25,
                                f"{size_ratio:.2f}"),
                          Check("CPU during + end <= 1.1 x first layout's end",
                                total_ratio <= 1.1, f"{total_ratio:.2f}")]
            else:
                checks = [Check("share <= 5 %", share <= 0.05, f"{share:.1%}")]
            out.append(Row(scenario=f"{rows:,} rows, {label}", runner="Recorder", calls=0,
                           extra=extra, note="", checks=checks))
    return out


if __name__ == "__main__":
    from .harness import format_table
    print(format_table(TITLE, run(BenchArgs()), FOOTNOTES))
