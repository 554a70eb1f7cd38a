"""``python -m benchmarks.profile_engine --store-times`` (``benchmarks.store_times``) counts
the store's calls on the store's own writer thread (``bulk.clock.Lane``): it wraps
``AsyncJobStore._run`` and must hop as the store does (it called anyio's thread pool with
the store's limiter, gone since the lane: every ``--store-times`` run crashed at the first
store call); it splits that thread's CPU into its transactions, by name, and the lane's
hand-off, and puts every method it patched back."""

from __future__ import annotations

from pathlib import Path

import anyio

from benchmarks.store_times import time_store
from bulk.ledger import _Ahead
from bulk.store import AsyncJobStore, JobStore


def test_store_times_counts_each_store_call_on_the_lane(tmp_path: Path) -> None:
    """Three store calls through the wrapped hop: each counted, per method, and answered;
    the two commits made on the store's thread counted by their transaction's name (the
    schema's, made on this thread, not)."""
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    originals = (AsyncJobStore._run, JobStore._tx, JobStore._checkpoint, _Ahead.write)
    times = time_store()
    try:
        async def go() -> object:
            twin = AsyncJobStore.of(store)
            await twin.meta_put("k", "v")
            await twin.record([], [("2026-01-05", "updateDeal", 5, 1)])
            return await twin.counts()

        counts = anyio.run(go)
    finally:
        times.undo()
        store.close()
    assert counts is not None
    assert times.calls["meta_put"][0] == 1 and times.calls["counts"][0] == 1
    assert times.calls["record"][0] == 1
    assert {what: count for what, (count, _cpu) in times.transactions.items()} == {
        "write meta": 1, "add spend": 1}, times.transactions
    assert all(cpu >= 0.0 for _calls, cpu in times.calls.values())
    assert len(times.threads) == 1 and times.handoff() >= 0.0
    lines = times.lines(sends=2)
    assert any(line.startswith("store commits: 2 = 1.000/req") for line in lines), lines
    assert (AsyncJobStore._run, JobStore._tx, JobStore._checkpoint, _Ahead.write) == originals
