"""An import's load and plan make no SQLite call on the event loop (issue 8, "every
SQLite call off the event loop"): the job store's statements, and the contested keys'
file, run in a worker thread (``bulk.clock.in_thread``, the job's one ``AsyncJobStore``).
Counted with sqlite3's trace callback: a statement run on the loop's thread is one."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bulk.clock import FakeClock
from bulk.contested import ContestedKeys
from bulk.coordinator import ENV_COORDINATOR
from bulk.engine import Engine, EngineConfig
from bulk.sandbox import SandboxConfig
from bulk.store import ItemState, JobStore
from jobs.import_load import import_job
from jobs.import_rows import ImportSettings
from jobs.importing import ImportJob
from jobs.mapping import Mapping
from tests.inproc_sandbox import InProcessSandbox

pytestmark = pytest.mark.anyio

MAPPING = '[import]\nkey_column = "id"\n[deal]\ntitle = "title"\nvalue = "value"\n'


class _OnLoop:
    """The SQL statements run on the thread of the test's event loop, by their first word
    and table."""

    def __init__(self) -> None:
        self.loop_thread = threading.get_ident()
        self.seen: Counter[str] = Counter()
        self.armed = False

    def watch(self, conn: sqlite3.Connection) -> None:
        def trace(sql: str) -> None:
            if self.armed and threading.get_ident() == self.loop_thread:
                self.seen[" ".join(sql.split()[:4])[:60]] += 1
        conn.set_trace_callback(trace)


def _traced(monkeypatch: pytest.MonkeyPatch) -> _OnLoop:
    """Every SQLite connection opened from here on (the job store's, the contested keys',
    the claims') watched."""
    on_loop = _OnLoop()
    connect = sqlite3.connect

    def traced_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)
        on_loop.watch(conn)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced_connect)
    return on_loop


def _files(tmp_path: Path, mode: str) -> tuple[ImportSettings, Path, InProcessSandbox, FakeClock]:
    clock = FakeClock()
    sb = InProcessSandbox(SandboxConfig(deals=0, clock=clock))
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,value\n" + "".join(f"k{i},Deal {i},{i}\n" for i in range(20))
                        + "k3,Twice,3\n")
    mapping.write_text(MAPPING)
    ContestedKeys().add(["deal-key\x1fother-field\x1fk1"], "older-job")  # the file exists
    return (ImportSettings(manifest=str(manifest), mapping=str(mapping), mode=mode,
                           create_key_field=True), mapping, sb, clock)


def _new_values(manifest: Path) -> None:
    manifest.write_text("id,title,value\n" + "".join(f"k{i},Deal {i},{i + 100}\n"
                                                     for i in range(20)))


async def test_the_load_runs_no_sqlite_statement_on_the_loop(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: 52 statements (the job store's ``meta_put`` / ``meta_get`` / status: 13
    transactions and 2 reads; the contested keys' read; two openings of the claims' file)
    ran on the loop during an upsert import's load. Now none."""
    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    on_loop = _traced(monkeypatch)
    settings, mapping, sb, clock = _files(tmp_path, "upsert")
    cfg = EngineConfig(base_url=sb.url, plan=sb.config.plan, job_root=tmp_path / "jobs",
                       daily_tokens=sb.config.daily_tokens)
    store = JobStore.create(tmp_path / "jobs" / "a", job_id="a", kind="import",
                            config={"engine": cfg.to_json(), "import": settings.to_json()})
    kind = ImportJob(store, settings)
    loaded: list[dict[str, Any]] = []

    class _Stop(Exception):
        pass

    def stop_at_the_run(engine: Any) -> Any:  # the load is over: its count is taken
        loaded.append(dict(on_loop.seen))
        raise _Stop

    def arm(engine: Any) -> None:  # the engine is open: the import's own part begins
        on_loop.armed = True

    try:
        with pytest.raises(_Stop):
            await import_job(store, kind, Mapping.load(mapping), cfg, sb.token,
                             say=lambda _line: None, clock=clock, transport=sb.transport,
                             on_engine=arm, around_run=stop_at_the_run)
        # the load stored its rows (k3 twice, with other cells: neither row, upsert)
        assert store.counts()[ItemState.PENDING] == 19
    finally:
        on_loop.armed = False
        store.close()
    assert loaded == [{}], loaded


async def test_the_plan_runs_no_sqlite_statement_on_the_loop(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``plan import`` reads the contested keys and the claims' outcomes off the loop
    (before: the contested keys' read, 1 statement, on it)."""
    from jobs.import_load import plan_import

    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    on_loop = _traced(monkeypatch)
    settings, mapping, sb, clock = _files(tmp_path, "upsert")
    cfg = EngineConfig(base_url=sb.url, plan=sb.config.plan, job_root=tmp_path / "jobs",
                       daily_tokens=sb.config.daily_tokens)
    store = JobStore.create(tmp_path / "jobs" / "p", job_id="p", kind="none", config={})
    try:
        async with Engine.open(cfg, sb.token, store=store, clock=clock,
                               transport=sb.transport) as engine:
            on_loop.armed = True
            try:
                plan, _ = await plan_import(engine.ctx, settings, Mapping.load(mapping),
                                            engine.scheduler.limits, stats=engine.stats,
                                            scheduler=engine.scheduler.statistics)
            finally:
                on_loop.armed = False
    finally:
        store.close()
    assert plan.bad_rows == 2  # k3 twice, with other cells: neither row (upsert)
    assert dict(on_loop.seen) == {}, on_loop.seen


async def test_an_import_works_on_its_store_through_one_async_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One ``AsyncJobStore`` per job (``AsyncJobStore.of``): the engine's runs, the import
    kind and its re-checks share it, so one worker thread at a time works on the store
    (before: the engine's, the import's own, and one more per re-checked batch and per
    resume step, each with its own limiter: 2 for the insert, 3 for the upsert here)."""
    from bulk.store import AsyncJobStore

    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    made: Counter[int] = Counter()
    init = AsyncJobStore.__init__

    def counted(self: AsyncJobStore, store: JobStore) -> None:
        made[id(store)] += 1
        init(self, store)

    monkeypatch.setattr(AsyncJobStore, "__init__", counted)
    settings, mapping, sb, clock = _files(tmp_path, "upsert")
    cfg = EngineConfig(base_url=sb.url, plan=sb.config.plan, job_root=tmp_path / "jobs",
                       daily_tokens=sb.config.daily_tokens)
    stores = []
    for job_id in ("first", "second"):  # the second updates the deals the first made
        store = JobStore.create(tmp_path / "jobs" / job_id, job_id=job_id, kind="import",
                                config={"engine": cfg.to_json(), "import": settings.to_json()})
        stores.append(store)
        if job_id == "second":
            _new_values(Path(settings.manifest))
        result = await import_job(store, ImportJob(store, settings), Mapping.load(mapping), cfg,
                                  sb.token, say=lambda _line: None, clock=clock,
                                  transport=sb.transport)
        assert not result.stopped, result
    try:
        # (k3, contested by the first file's two rows, is on one row of that same file now:
        # released by it and created — f41b 4; it stayed held before)
        assert Counter(i.result["action"] for i in stores[1].items() if i.result) == \
            {"updated": 19, "created": 1}
        assert [made[id(s)] for s in stores] == [1, 1], made
    finally:
        for s in stores:
            s.close()
