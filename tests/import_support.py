"""Helpers for the import tests: a sandbox-bound CallContext, engine configs, sandbox reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio

from bulk.calls import CallContext
from bulk.engine import Engine, EngineConfig
from bulk.sandbox import Sandbox
from bulk.store import JobStore


def engine_config(sb: Sandbox, job_root: Path, **kw: Any) -> EngineConfig:
    """An engine config matching a (time-scaled) sandbox."""
    return EngineConfig(base_url=sb.url, plan=sb.config.plan,
                        window=2.0 * sb.config.time_scale, job_root=job_root,
                        daily_tokens=sb.config.daily_tokens, **kw)


@asynccontextmanager
async def api_engine(sb: Sandbox, tmp: Path) -> AsyncIterator[Engine]:
    """An Engine on the sandbox with a job store of no items: its calls are scheduled and
    accounted like a job's."""
    cfg = engine_config(sb, tmp)
    store = JobStore.create(tmp / "ctx-job", job_id="ctx", kind="none", config={})
    try:
        async with Engine.open(cfg, sb.token, store=store) as engine:
            yield engine
    finally:
        store.close()


@asynccontextmanager
async def api_context(sb: Sandbox, tmp: Path) -> AsyncIterator[CallContext]:
    """A CallContext on the sandbox (scheduled and accounted like a job's calls)."""
    async with api_engine(sb, tmp) as engine:
        yield engine.ctx


def sandbox_deals(sb: Sandbox) -> list[dict[str, Any]]:
    """Every live deal in the sandbox (admin view, no tokens)."""
    return [d for d in sb.state.deals.rows.values() if not d["is_deleted"]]


async def import_once(sb: Sandbox, job_root: Path, manifest: Path, mapping: Path, *,
                      mode: str | None = None, create_key_field: bool = True,
                      job_id: str = "import-1", unarchive: bool = False,
                      release_held: bool = False, encoding: str | None = None,
                      **cfg: Any) -> tuple[JobStore, Any, Any]:
    """Load and run an import job in-process against ``sb``; the result files are written.

    Returns (open store, RunResult, ImportJob); the caller closes the store.
    """
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping

    mapping_file = Mapping.load(mapping)
    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping),
                              mode=(mode or mapping_file.mode),
                              create_key_field=create_key_field, unarchive=unarchive,
                              release_held=release_held, encoding=encoding)
    config = engine_config(sb, job_root, **cfg)
    store = JobStore.create(job_root / job_id, job_id=job_id, kind="import",
                            config={"engine": config.to_json(), "import": settings.to_json()})
    kind = ImportJob(store, settings, "")
    result = await import_job(store, kind, mapping_file, config, sb.token,
                              say=lambda line: None)
    store.set_status("stopped" if result.stopped else "finished")
    kind.after_run(store, result)
    return store, result, kind


async def resume_job(sb: Sandbox, directory: Path, *,
                     reread: bool = False) -> tuple[JobStore, Any]:
    """What `pdbulk resume` does, in-process: reconcile, run the rest, rewrite the files;
    with ``reread`` the job kind's ``before_resume`` runs first, as the CLI runs it."""
    from jobs import kind_for

    store = JobStore.open(directory)
    config = EngineConfig.from_json(store.config["engine"])
    kind = kind_for(store)
    async with Engine.open(config, sb.token, store=store) as engine:
        if reread:
            await kind.before_resume(engine.ctx, store)
        result = await engine.run(kind)
    store.set_status("stopped" if result.stopped else "finished")
    kind.after_run(store, result)
    return store, result


async def import_stopped_before_sending(sb: Sandbox, job_root: Path, manifest: Path,
                                        mapping: Path, *, mode: str, job_id: str = "B",
                                        reason: str | None = None) -> tuple[JobStore, Any]:
    """An import job created (key field created too), loaded by ``import_job`` and asked to
    stop right after its load, before its first send (as a crash or a signal there, with
    ``reason``). Returns (open store, RunResult); the caller closes the store."""
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping

    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode=mode,
                              create_key_field=True)
    config = engine_config(sb, job_root)
    store = JobStore.create(job_root / job_id, job_id=job_id, kind="import",
                            config={"engine": config.to_json(), "import": settings.to_json()})
    kind = ImportJob(store, settings, "")
    runners: list[Any] = []
    loaded = kind.attach

    def attach(*args: Any) -> Any:  # loaded: stop before the first send
        out = loaded(*args)
        runners[0].request_stop(reason=reason)
        return out

    kind.attach = attach  # type: ignore[method-assign]
    result = await import_job(store, kind, Mapping.load(mapping), config, sb.token,
                              say=lambda line: None, on_engine=runners.append)
    return store, result


def loaded_import(sb: Sandbox, jobs: Path, manifest: Path, mapping: Path, *,
                  mode: str = "upsert", unarchive: bool = False, job_id: str = "loaded",
                  **cfg: Any) -> str:
    """An import loaded and stopped before its first write (a crash right after the
    load); returns its job id (in ``jobs``)."""
    from jobs.import_load import load
    from jobs.import_rows import ImportSettings
    from jobs.mapping import Mapping

    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping),
                              mode="upsert" if mode == "upsert" else "insert",
                              unarchive=unarchive)
    config = engine_config(sb, jobs, **cfg)
    store = JobStore.create(jobs / job_id, job_id=job_id, kind="import",
                            config={"engine": config.to_json(), "import": settings.to_json()})

    async def loading() -> None:
        async with Engine.open(config, sb.token, store=store) as engine:
            await load(engine.ctx, store, settings, Mapping.load(mapping), say=lambda _: None)
    try:
        store.set_status("loading")
        anyio.run(loading)
        store.set_status("running")
        store.set_status("stopped")
    finally:
        store.close()
    return job_id


def read_csv(path: Path) -> list[dict[str, str]]:
    import csv

    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def forget_killed_run() -> None:
    """Empty the state folder's record of what imports wrote (``jobs.last_written``), as a
    run killed -9 before its settled rows were recorded leaves it (the record is set in
    batches as rows settle and at a run's end), so a test that fakes a kill by editing a
    finished job's store must drop what that run recorded (a merge
    survivor's three-way base is the merged-away deal's record: ``merged_base``)."""
    import sqlite3

    from bulk.claims import state_dir
    from jobs.last_written import FILE

    path = state_dir() / FILE
    if path.exists():
        with sqlite3.connect(path) as db:
            db.execute("DELETE FROM bases")
        db.close()
