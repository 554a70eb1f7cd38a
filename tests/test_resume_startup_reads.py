"""A resume's start-up (its plan, the re-read, the plan after it) reads the job's rows
from the store a bounded number of times, and its persons' / organizations' ids in one
query per kind: x19r3 F4 — it decoded every pending row ~25 times and looked each
reference up alone (2.5 minutes of CPU before the first write of a 40k-row import)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bulk.engine import Engine, EngineConfig
from bulk.sandbox import SandboxConfig, serve
from bulk.store import JobStore
from bulk.store import sqlite as store_sqlite
from jobs.demo_data import write_demo_export
from tests.import_support import import_stopped_before_sending

pytestmark = pytest.mark.anyio


async def test_a_resume_reads_its_rows_a_few_times_before_its_first_write(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jobs import kind_for
    from jobs.resuming import resume_plan

    rows = 60
    export = write_demo_export(tmp_path / "in", rows=rows, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=7)) as sb:
        store, _ = await import_stopped_before_sending(sb, tmp_path / "jobs", export.manifest,
                                                       export.mapping, mode="insert")
        store.set_status("stopped")
        store.close()
        reads: Counter[str] = Counter()
        page, get = JobStore._items_page, JobStore.lookup_get

        def counted_page(self: JobStore, *args: Any) -> Any:
            out = page(self, *args)
            reads["rows"] += len(out)
            return out

        def counted_get(self: JobStore, *args: Any) -> Any:
            reads["lookup_get"] += 1
            return get(self, *args)

        monkeypatch.setattr(store_sqlite.JobStore, "_items_page", counted_page)
        monkeypatch.setattr(store_sqlite.JobStore, "lookup_get", counted_get)
        store = JobStore.open(tmp_path / "jobs" / "B")
        try:
            pending = store.counts()[store_sqlite.ItemState.PENDING]
            assert pending >= rows - 5
            kind = kind_for(store)
            cfg = EngineConfig.from_json(store.config["engine"])
            async with Engine.open(cfg, sb.token, store=store) as eng:
                made = Counter(eng.stats.calls_by_operation)
                assert resume_plan(store, kind, eng) is not None
                await kind.before_resume(eng.ctx, store)
                assert resume_plan(store, kind, eng, after_reread=dict(
                    Counter(eng.stats.calls_by_operation) - made)) is not None
        finally:
            store.close()
        # each pending row decoded a few times (the plan, the re-read, the plan after
        # it), not once per question asked of it (was 25 times)
        assert reads["rows"] <= 4 * pending, (reads, pending)
        assert reads["lookup_get"] == 0, reads
