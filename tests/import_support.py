"""Helpers for the import tests: a sandbox-bound CallContext, engine configs, sandbox reads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
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
                      say: Callable[[str], None] | None = None,
                      **cfg: Any) -> tuple[JobStore, Any, Any]:
    """Load and run an import job in-process against ``sb``; the result files are written;
    ``say`` gets the load's lines (default: dropped).

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
                              say=say or (lambda line: None))
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


async def loaded_then_made_elsewhere(sb: Sandbox, tmp: Path, rows: Iterable[tuple[str, ...]]
                                     ) -> tuple[Path, dict[str, dict[str, str]]]:
    """Job A, an upsert of ``rows`` (``UPSERT_CONTACTS_HEADER``, its persons and
    organizations mapped) in ``tmp / "jobs"``, loaded and stopped before its first send;
    then job B, the same file from another folder's jobs (``tmp / "other"``), run to its
    end, every row created. Returns A's folder and B's succeeded.csv rows by key (each
    "created")."""
    manifest, mapping = upsert_files(tmp, UPSERT_CONTACTS_HEADER, rows,
                                     upsert_contacts_mapping(), "f.csv")
    a, _ = await import_stopped_before_sending(sb, tmp / "jobs", manifest, mapping,
                                               mode="upsert", job_id="A")
    directory = a.directory
    a.close()
    b, _, _ = await import_once(sb, tmp / "other", manifest, mapping, job_id="B",
                                create_key_field=False)
    made = {r["key"]: r for r in read_csv(b.directory / "succeeded.csv")}
    b.close()
    assert {r["action"] for r in made.values()} == {"created"}, made
    return directory, made


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


async def failed_rows(sb: Sandbox, job_root: Path, manifest: Path,
                      mapping: Path) -> list[dict[str, str]]:
    """``manifest`` imported once with ``mapping`` (``import_once``): its failed.csv's rows."""
    store, _, _ = await import_once(sb, job_root, manifest, mapping)
    try:
        return read_csv(store.directory / "failed.csv")
    finally:
        store.close()


def persons_named(sb: Sandbox) -> dict[int, tuple[str, list[str]]]:
    """Every person of the sandbox: id -> (name, its e-mail addresses)."""
    return {p["id"]: (p["name"], [e["value"] for e in p["emails"]])
            for p in sb.state.persons.rows.values()}


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


# -- the upsert tests' shared set-up (tests/test_upsert_*.py, test_plan_status_unchanged.py) --
UPSERT_FAST = {"time_scale": 0.02, "deals": 0, "seed": 5}  # SandboxConfig(**UPSERT_FAST)
# the mapping's head those tests share: an upsert by "Key", a deal's title and amount in EUR
UPSERT_MAPPING_HEAD = """
version = 1
[import]
key_column = "Key"
mode = "upsert"
[defaults]
currency = "EUR"
[deal]
title = "Title"
value = "Amount"
"""

UPSERT_CONTACTS_HEADER = "Key,Title,Amount,Contact,Email,Company\n"  # a manifest's, for:


def upsert_contacts_mapping(email: bool = True, *, phone: bool = False) -> str:
    """``UPSERT_MAPPING_HEAD`` with a person by "Contact" (and "Email", unless not
    ``email``; with ``phone`` that column is the person's phone) and an organization by
    "Company"."""
    column = ('phone = "Email"\n' if phone else 'email = "Email"\n') if email else ""
    return UPSERT_MAPPING_HEAD + ('[person]\nname = "Contact"\n' + column
                                  + '[organization]\nname = "Company"\n')


def upsert_files(tmp: Path, header: str, rows: Iterable[tuple[str, ...]], mapping: str,
                 name: str) -> tuple[Path, Path]:
    """The manifest ``tmp / name`` (``header``, then each of ``rows`` comma-joined on a
    line) and the mapping file ``tmp / "m.toml"`` holding ``mapping``."""
    manifest, path = tmp / name, tmp / "m.toml"
    manifest.write_text(header + "".join(",".join(r) + "\n" for r in rows))
    path.write_text(mapping)
    return manifest, path


async def upserted(sb: Sandbox, tmp: Path, manifest: Path, mapping: Path, job_id: str,
                   mode: str = "upsert", **kw: Any) -> dict[str, dict[str, str]]:
    """An import of ``manifest`` run to its end (``import_once``, its job ``job_id`` in
    ``tmp / "jobs"``, its store closed): succeeded.csv's rows by key."""
    store, _, _ = await import_once(sb, tmp / "jobs", manifest, mapping, job_id=job_id,
                                    mode=mode, **kw)
    try:
        return {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
    finally:
        store.close()


def deal_links(sb: Sandbox, deal_id: int) -> tuple[Any, Any]:
    """The sandbox deal's (person_id, org_id) as stored."""
    deal = sb.state.deals.rows[deal_id]
    return deal["person_id"], deal["org_id"]


async def upsert_plan(sb: Sandbox, tmp: Path, manifest: Path, mapping: Path) -> Any:
    """``plan import`` of an upsert of ``manifest`` (``jobs.import_load.plan_import``)."""
    from jobs.import_load import plan_import
    from jobs.import_rows import ImportSettings
    from jobs.mapping import Mapping

    async with api_engine(sb, tmp) as runner:
        return await plan_import(
            runner.ctx, ImportSettings(str(manifest), str(mapping), "upsert"),
            Mapping.load(mapping), engine_config(sb, tmp).limits(),
            stats=runner.stats, scheduler=runner.scheduler.statistics, base_url=sb.url)


async def merged_into_copy(sb: Sandbox, tmp: Path, deal_id: int, links: tuple[Any, Any]) -> int:
    """A colleague's copy of deal ``deal_id`` ("Deal B", 100 EUR) carrying ``links``
    (person id, organization id), the deal then merged into it and recorded as merge job
    "merge-1"'s (``jobs.merged_deals.record``): the copy's id."""
    from jobs.merged_deals import record

    async with api_context(sb, tmp / "ctx") as ctx:
        res = await ctx.call("addDeal", json={"title": "Deal B", "value": 100,
                                              "currency": "EUR", "person_id": links[0],
                                              "org_id": links[1]})
        copy = int(res.data["id"])
        await ctx.call("mergeDeals", path={"id": deal_id}, json={"merge_with_id": copy})
    record(sb.url, [(deal_id, copy)], "merge-1", applied=True)
    return copy


# a job kind's ``execute(ctx, item)``, as ``upsert_hooked``'s hook wraps it
Execute = Callable[[Any, Any], Awaitable[Any]]


class CallsThrough:
    """A run's CallContext passed through as it is: a test's subclass overrides ``call``
    (to act right before a given call is sent)."""

    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)


async def upsert_hooked(sb: Sandbox, tmp: Path, rows: Iterable[tuple[str, ...]],
                        hook: Callable[[Any, Execute], Execute], *, email: bool = True,
                        phone: bool = False,
                        on_engine: Callable[[Engine], None] | None = None) -> JobStore:
    """An upsert of ``rows`` (``UPSERT_CONTACTS_HEADER``, ``upsert_contacts_mapping(email)``,
    the key field made) at one worker in the store ``tmp/jobs/job``, each row executed by
    ``hook(kind, kind.execute)`` (a test's colleague acting between the rows; ``phone``: the
    "Email" column is the person's phone); run to its
    end, its status set and result files written: the open store (the caller closes it)."""
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping

    manifest, mapping = upsert_files(tmp, UPSERT_CONTACTS_HEADER, rows,
                                     upsert_contacts_mapping(email, phone=phone), "f.csv")
    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="upsert",
                              create_key_field=True)
    config = engine_config(sb, tmp / "jobs", max_workers=1)
    store = JobStore.create(tmp / "jobs" / "job", job_id="job", kind="import",
                            config={"engine": config.to_json(), "import": settings.to_json()})
    kind = ImportJob(store, settings, "")
    kind.execute = hook(kind, kind.execute)  # type: ignore[method-assign]
    result = await import_job(store, kind, Mapping.load(mapping), config, sb.token,
                              say=lambda line: None, on_engine=on_engine)
    store.set_status("stopped" if result.stopped else "finished")
    kind.after_run(store, result)
    return store


# a mapping of a key, a title and an organization name only (the organization-matching tests)
ORG_MAPPING = """version = 1
[import]
key_column = "key"
[deal]
title = "title"
[organization]
name = "company"
"""


def add_org(sb: Sandbox, name: str) -> int:
    """Make organization ``name`` on ``sb`` as a colleague would (POST /api/v2/organizations);
    its id."""
    import json
    import urllib.request

    request = urllib.request.Request(
        f"{sb.url}/api/v2/organizations", data=json.dumps({"name": name}).encode(),
        headers={"x-api-token": sb.token, "content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(json.load(answer)["data"]["id"])
