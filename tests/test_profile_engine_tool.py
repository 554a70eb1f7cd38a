"""``python -m benchmarks.profile_engine --store-times`` counts the store's calls on the
store's own writer thread (``bulk.clock.Lane``): it wraps ``AsyncJobStore._run`` and
must hop as the store does (it called anyio's thread pool with the store's limiter,
gone since the lane: every ``--store-times`` run crashed at the first store call)."""

from __future__ import annotations

from pathlib import Path

import anyio

from benchmarks.profile_engine import _time_store
from bulk.store import AsyncJobStore, JobStore


def test_store_times_counts_each_store_call_on_the_lane(tmp_path: Path) -> None:
    """Two store calls through the wrapped hop: both counted, per method, and answered."""
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    run = AsyncJobStore._run
    try:
        totals = _time_store()

        async def go() -> object:
            twin = AsyncJobStore.of(store)
            await twin.meta_put("k", "v")
            return await twin.counts()

        counts = anyio.run(go)
    finally:
        AsyncJobStore._run = run  # type: ignore[method-assign]
        store.close()
    assert counts is not None
    assert totals["meta_put"][0] == 1 and totals["counts"][0] == 1
    assert all(cpu >= 0.0 for _calls, cpu in totals.values())
