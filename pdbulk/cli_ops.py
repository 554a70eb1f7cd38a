"""pdbulk commands of the day-to-day jobs: update, move-stage, merge, undo (and their plans);
``touch``, the engine's hidden test job.

Each command has a twin under ``pdbulk plan`` with the same options: it reads
what it must (names, the selected deals, their current values), prints the
plan — calls by operation, tokens, share of today's budget, time — and writes
nothing. The command itself does the same reads into a new job, shows the same
plan, asks before destructive work (unless ``--yes``), runs the job and writes
its result files. Listed in ``pdbulk.cli.COMMANDS``.
"""

from __future__ import annotations

import inspect
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
import typer
from rich.console import Console

from bulk.engine import DEFAULT_URL, Engine, EngineConfig, new_job_id
from bulk.errors import InputError
from bulk.loop import run_loop
from bulk.manifest import header, without_mapping_hint
from bulk.operations import get_operation
from bulk.runner import RunResult
from bulk.store import ItemState, JobStore
from jobs.account import load_catalog
from jobs.import_rows import check_columns
from jobs.merging import prepare_merge, read_pairs
from jobs.planning import Plan as JobPlan
from jobs.planning import estimate, render_plan
from jobs.selection import DealQuery
from jobs.stages import DealSource, MoveTarget, move_catalog, prepare_move
from jobs.undo import prepare_undo
from jobs.updating import Prepared, UpdateMapping, prepare_update

from .cli_import import EncodingOpt, SheetOpt
from .options import (
    DEFAULTS,
    EXIT_ROWS_FAILED,
    EXIT_STOPPED,
    EngineOptions,
    emit_json,
    engine_options,
    execute,
    execute_async,
    fail,
    find_job,
    finish,
    install_stop,
    resume_hint,
)
from .options import confirmed as _confirmed

Build = Callable[[Engine], Awaitable[Prepared]]
_WORK = {"update": ("update",), "move-stage": ("move",), "merge": ("merge",),
         "undo": ("restore", "delete", "delete-person", "delete-org")}


# -- the shared flow --------------------------------------------------------------------------
async def _load(s: Engine, build: Build, store: JobStore, *,
                asks: bool, prompts: bool = True) -> tuple[Prepared, JobPlan]:
    """The load phase, saved into ``store``; the plan counts its reads, the run's writes
    and, when the command will ask first (``asks``), the re-read of the deals after the
    answer (``reread_calls`` of the job kind: what its ``before_resume`` reads).
    ``prompts``: the command has a prompt at all (else no note mentions one)."""
    from jobs import kind_for

    prep = await build(s)
    prep.save(store)  # marks the job loaded, last
    calls = Counter(s.stats.calls_by_operation) + prep.calls
    notes = list(prep.notes)
    reread = getattr(kind_for(store), "reread_calls", None)
    if reread is not None and any(prep.actions[a] for a in _WORK[prep.kind]):
        again = Counter(reread(store))
        if asks and again:
            calls += again
            notes.append(f"counts the re-read of the deals after the prompt "
                         f"({_tokens(again):,} tokens; none with --yes)")
        elif again and prompts:
            notes.append(f"with the prompt (no --yes), the deals are read again after the "
                         f"answer: {_tokens(again):,} tokens more")
    from .cli import recheck_calls

    checks = Counter(recheck_calls(store, kind_for(store), s.config.max_workers))
    if checks:  # the reads right before each batch is sent (bulk.runner's recheck)
        calls += checks
        notes.append(f"counts the re-check of the deals right before each batch is sent "
                     f"({_tokens(checks):,} tokens: a colleague's change made during the "
                     "run is not overwritten)")
    sched = s.scheduler.statistics()
    left = s.tokens_left_today() + sched.tokens_spent
    plan = estimate(prep.kind, calls, s.scheduler.limits, rows=prep.rows,
                    bad_rows=prep.bad_rows, tokens_left_today=left, notes=notes,
                    daily_tokens=sched.daily_limit, max_tokens=s.config.budget.max_tokens,
                    usable_daily=sched.usable_daily)
    return prep, _with_bad_rows(plan, prep)


def _with_bad_rows(plan: JobPlan, prep: Prepared) -> JobPlan:
    """``plan`` with the rows refused at load time: counted per reason (text and --json)
    and the first 1,000 listed (--json ``failed_rows``: row, key, action, reason, status,
    column, hold and the row's cells as ``values``, as plan import lists them) — a
    plan of an undo said "3 deal(s) changed since" without naming one (v9r6)."""
    from dataclasses import replace

    from jobs.planning import reason_class

    bad = [i for i in prep.items if i.state is ItemState.FAILED]
    if not bad:
        return plan
    reasons = Counter(reason_class(i.error or "", (i.payload or {}).get("column"), i.key)
                      for i in bad)
    # as plan import lists them: the column and hold, and the row's cells (v10r19 M4)
    rows = [{"row": i.row, "key": i.key, "action": (i.payload or {}).get("action"),
             "reason": i.error, "status": (i.payload or {}).get("status"),
             "column": (i.payload or {}).get("column"), "hold": (i.payload or {}).get("hold"),
             "values": (i.payload or {}).get("values") or {}} for i in bad[:1000]]
    return replace(plan, reasons=dict(reasons.most_common()), failed_rows=rows)


def _tokens(calls: Mapping[str, int]) -> int:
    return sum(get_operation(op).token_cost * n for op, n in calls.items())


def _show(prep: Prepared, plan: JobPlan, *, as_json: bool = False) -> None:
    actions = {k: v for k, v in sorted(prep.actions.items()) if v}
    if as_json:
        emit_json({**plan.to_json(), "actions": actions})
        return
    render_plan(plan, console=Console(highlight=False, soft_wrap=True, markup=False))
    typer.echo("rows by action: " + (", ".join(f"{k} {v:,}" for k, v in actions.items())
                                     or "none"))


def _plan_only(cfg: EngineConfig, token: str, kind: str, build: Build, as_json: bool, *,
               asks: bool = False) -> None:
    """The load phase against a throwaway store; nothing is written to Pipedrive. ``asks``:
    the command asks before sending (unless --yes), so its plan prices the re-read after
    the answer."""
    async def main() -> tuple[Prepared, JobPlan]:
        async with Engine.open(cfg, token, store=store) as s:
            return await _load(s, build, store, asks=asks, prompts=asks)

    with tempfile.TemporaryDirectory(prefix="pdbulk-plan-") as tmp:
        store = JobStore.create(Path(tmp) / "plan", job_id="plan", kind=kind, config={})
        try:
            prep, plan = run_loop(main)
        except InputError as exc:
            raise fail(str(exc)) from None
        finally:
            store.close()
    _show(prep, plan, as_json=as_json)
    if prep.bad_rows:  # exits like the job would (v9r10: 0 while update exited 3)
        raise typer.Exit(EXIT_ROWS_FAILED)


def _run_new(cfg: EngineConfig, token: str, kind: str, build: Build, *,
             confirm: str | None, yes: bool, extra: dict[str, Any] | None = None) -> None:
    """Create the job, load it, show its plan, ask (maybe), run it, write its results — the
    load and the run on one engine, so one scheduler sees every call of the job."""
    from jobs import kind_for

    job_id = new_job_id(kind)
    directory = cfg.job_root / job_id
    store = JobStore.create(directory, job_id=job_id, kind=kind,
                            config={"engine": cfg.to_json(), **(extra or {})})

    async def main() -> RunResult | None:
        async with Engine.open(cfg, token, store=store) as s:
            store.set_status("loading")
            try:
                prep, plan = await _load(s, build, store, asks=confirm is not None and not yes,
                                         prompts=confirm is not None)
            except BaseException:
                store.set_status("failed", "the load phase failed; nothing was sent")
                raise
            _show(prep, plan)
            work = sum(prep.actions[a] for a in _WORK[kind])
            if not prep.items:  # no row at all: no run (its progress line would say nothing)
                store.set_status("finished", "nothing to send")
                typer.echo(f"job {job_id}: nothing to send ({directory})")
                return None
            typer.echo(f"job {job_id}: {work:,} to send ({directory})")
            asked = bool(work and confirm is not None and not yes)
            if asked and confirm is not None and not _confirmed(confirm.format(n=work)):
                # declined: cancelled, never resumable (a later resume would work from a
                # stale picture of the deals)
                store.set_status("cancelled", "declined at the confirmation prompt")
                return None
            job = kind_for(store)
            before = getattr(job, "before_resume", None)
            if asked and before is not None:  # the prompt may have waited: re-read first
                for line in await before(s.ctx, store):
                    typer.echo(line)
            return await execute_async(s, job, label=kind)

    restore = install_stop([])  # until the run's own: a signal interrupts the load
    try:
        try:
            result = run_loop(main)
        except KeyboardInterrupt:
            # SIGTERM / Ctrl-C while loading or at the prompt (x11r1 M2: exit 143 and a job
            # left behind): nothing was sent then, so no job is kept; later, the run's own
            # handler stopped it once, and this is the second signal
            if store.status in ("running", "stopped", "finished"):
                store.close()
                raise fail(f"aborted; resume with: {resume_hint(job_id, cfg.job_root)}",
                           EXIT_STOPPED) from None
            store.close()
            shutil.rmtree(directory, ignore_errors=True)
            raise fail("interrupted while loading, before anything was sent: nothing "
                       "was changed; run it again") from None
        except BaseException as exc:
            if store.status != "failed":
                raise
            store.close()  # nothing was sent: leave no half-made job behind
            shutil.rmtree(directory, ignore_errors=True)
            if isinstance(exc, InputError):
                raise fail(str(exc)) from None
            raise
        if result is None:
            if store.status == "cancelled":
                typer.echo(f"job {job_id} cancelled; nothing was sent")
            return
        finish(store, result)
    finally:
        restore()
        store.close()


def twin(command: Callable[..., None], help_text: str) -> tuple[Callable[..., None],
                                                                 Callable[..., None]]:
    """``command`` as ``pdbulk NAME`` (without --json) and as ``pdbulk plan NAME`` (without
    --yes, and with plan_only set): one signature, two commands."""
    sig = inspect.signature(command, eval_str=True)

    def variant(drop: str, plan_only: bool) -> Callable[..., None]:
        params = [p for n, p in sig.parameters.items() if n not in (drop, "plan_only")]

        def run(**kw: Any) -> None:
            command(plan_only=plan_only, **kw)
        run.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in params}
        run.__doc__ = help_text if not plan_only else (
            f"Plan: {help_text[0].lower()}{help_text[1:].rstrip('.')}; nothing is written.")
        return run

    return variant("as_json", plan_only=False), variant("yes", plan_only=True)


Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before sending.")]
Json = Annotated[bool, typer.Option("--json", help="The plan as JSON.")]
DealStatus = Literal["open", "won", "lost"]  # openapi-v2 deal.status
UpdateManifest = Annotated[Path, typer.Argument(
    exists=True, dir_okay=False, readable=True,
    help="CSV, JSONL, JSON or XLSX: one row per deal, its id (or source key) and the new "
         "values.")]
PairsFile = Annotated[Path, typer.Argument(
    exists=True, dir_okay=False, readable=True,
    help="CSV, JSONL, JSON or XLSX of pairs: merge_id and survivor_id columns (or a "
         "survivor_id with several merge_ids).")]
# move-stage and merge take no mapping: their --encoding overrides nothing but detection
FileEncodingOpt = Annotated[str | None, typer.Option(
    "--encoding", help="The file's text encoding (e.g. cp1252); default: UTF-8 or UTF-16, "
                       "detected.")]


def _readable(manifest: Path, encoding: str | None, sheet: str | None) -> None:
    """Read the user file's header before any call, so an unreadable file (an encoding that
    is not UTF-8, a missing sheet) stops the command with exit 1 before the account is touched,
    as ``plan``/``import`` do."""
    header(manifest, encoding=encoding, sheet=sheet)


# -- update -----------------------------------------------------------------------------------
@engine_options()
def update(manifest: UpdateManifest,
           mapping: Annotated[Path, typer.Option("--mapping", "-m", exists=True, dir_okay=False,
                                                 help="TOML mapping (docs/mapping.md; "
                                                      "[update] names the deal column).")],
           yes: Yes = False, as_json: Json = False,
           engine: EngineOptions = DEFAULTS, plan_only: bool = False,
           unarchive: Annotated[bool, typer.Option(
               "--unarchive", help="By key: a key on an archived deal unarchives and updates "
                                   "it (default: the row fails).")] = False,
           encoding: EncodingOpt = None, sheet: SheetOpt = None) -> None:
    cfg = engine.config()
    token = engine.token()
    try:
        umap = UpdateMapping.load(mapping)
        encoding = encoding or umap.mapping.encoding
        _readable(manifest, encoding, sheet)
        check_columns(umap.mapping, header(manifest, encoding=encoding, sheet=sheet),
                      workbook=manifest, sheet=sheet)
    except InputError as exc:
        raise fail(str(exc)) from None

    async def build(s: Engine) -> Prepared:
        return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx),
                                    unarchive=unarchive, encoding=encoding, sheet=sheet)

    if plan_only:
        _plan_only(cfg, token, "update", build, as_json)
    else:
        _run_new(cfg, token, "update", build, confirm=None, yes=yes)


update_cmd, plan_update_cmd = twin(
    update, "Update fields of existing deals (only what differs is sent).")


# -- move-stage -------------------------------------------------------------------------------
@engine_options()
def move_stage(
    to_stage: Annotated[str, typer.Option("--to-stage", help="The stage to move to (name).")],
    to_pipeline: Annotated[str | None, typer.Option(
        "--to-pipeline", help="Its pipeline (default: --pipeline, else the stage's).")] = None,
    status_to: Annotated[DealStatus | None, typer.Option(
        "--status-to", help="Also set the status: open, won or lost.")] = None,
    lost_reason: Annotated[str | None, typer.Option(
        "--lost-reason", help="With --status-to lost.")] = None,
    pipeline: Annotated[str | None, typer.Option("--pipeline", help="Select: pipeline name.")]
    = None,
    stage: Annotated[str | None, typer.Option("--stage", help="Select: stage name.")] = None,
    status: Annotated[DealStatus | None, typer.Option("--status", help="Select: open, won, lost.")]
    = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Select: owner e-mail or name.")]
    = None,
    updated_before: Annotated[str | None, typer.Option(
        "--updated-before", help="Select: last updated before this date (YYYY-MM-DD).")] = None,
    filter_id: Annotated[int | None, typer.Option("--filter-id", help="Select: a saved filter.")]
    = None,
    manifest: Annotated[Path | None, typer.Option(
        "--manifest", exists=True, dir_okay=False,
        help="Select: a CSV, JSONL, JSON or XLSX of deal ids (deal_id or id column) or "
             "source keys.")] = None,
    id_column: Annotated[str | None, typer.Option(
        "--id-column", help="The --manifest column of deal ids (default: deal_id or id).")] = None,
    key_column: Annotated[str | None, typer.Option(
        "--key-column", help="The manifest names deals by source key in this column.")] = None,
    key_field: Annotated[str, typer.Option("--key-field", help="The deal field of the keys.")]
    = "Import source key",
    limit: Annotated[int | None, typer.Option(
        "--limit", help="Refuse (nothing sent) when more deals than this are selected.")] = None,
    yes: Yes = False, as_json: Json = False,
    engine: EngineOptions = DEFAULTS, plan_only: bool = False,
    encoding: FileEncodingOpt = None, sheet: SheetOpt = None,
) -> None:
    cfg = engine.config()
    token = engine.token()
    query = DealQuery(pipeline, stage, status, owner, updated_before, filter_id)
    source = DealSource(query=None if query.is_empty() else query, manifest=manifest,
                        id_column=id_column, key_column=key_column, key_field=key_field,
                        limit=limit, encoding=encoding, sheet=sheet)
    target = MoveTarget(to_stage, to_pipeline, status_to, lost_reason)
    try:
        source.check()
        if manifest is not None:
            _readable(manifest, encoding, sheet)
    except InputError as exc:
        raise fail(str(without_mapping_hint(exc))) from None

    async def build(s: Engine) -> Prepared:
        return await prepare_move(s.ctx, source, target, await move_catalog(s.ctx, source))

    if plan_only:
        _plan_only(cfg, token, "move-stage", build, as_json, asks=True)
    else:
        _run_new(cfg, token, "move-stage", build, confirm="Move {n:,} deals?", yes=yes)


move_stage_cmd, plan_move_stage_cmd = twin(
    move_stage, "Move the selected deals to another stage (maybe closing them).")


# -- merge ------------------------------------------------------------------------------------
@engine_options()
def merge(pairs: PairsFile, yes: Yes = False, as_json: Json = False,
          engine: EngineOptions = DEFAULTS, plan_only: bool = False,
          encoding: FileEncodingOpt = None, sheet: SheetOpt = None) -> None:
    cfg = engine.config()
    token = engine.token()
    try:
        columns = header(pairs, encoding=encoding, sheet=sheet)  # the file's errors first
        rows = list(read_pairs(pairs, encoding=encoding, sheet=sheet))
    except InputError as exc:
        raise fail(str(without_mapping_hint(exc))) from None

    async def build(s: Engine) -> Prepared:
        return await prepare_merge(s.ctx, rows, source_columns=columns)

    if plan_only:
        _plan_only(cfg, token, "merge", build, as_json, asks=True)
    else:
        _run_new(cfg, token, "merge", build, yes=yes,
                 confirm="Merges are final in Pipedrive. Merge {n:,} pairs?")


merge_cmd, plan_merge_cmd = twin(
    merge, "Merge pairs (or groups) of deals into their survivors.")


# -- undo -------------------------------------------------------------------------------------
@engine_options()
def undo(job: Annotated[str, typer.Argument(help="The job to undo (id or directory).")],
         force: Annotated[bool, typer.Option(
             "--force", help="Also overwrite deals that changed since the job.")] = False,
         contacts: Annotated[bool, typer.Option(
             "--contacts", help="Undo of an import: also delete the persons and "
                                "organizations it created that carry no other deals.")] = False,
         yes: Yes = False, as_json: Json = False,
         engine: EngineOptions = DEFAULTS, plan_only: bool = False) -> None:
    source = JobStore.open(find_job(engine.job_dir, job))
    try:
        engine = _on_the_jobs_account(engine, source)
        cfg = engine.config()
        token = engine.token()

        async def build(s: Engine) -> Prepared:
            return await prepare_undo(s.ctx, source, force=force, contacts=contacts)

        if plan_only:
            _plan_only(cfg, token, "undo", build, as_json, asks=True)
        else:
            _run_new(cfg, token, "undo", build, yes=yes,
                     confirm=f"Undo job {source.job_id}: send {{n:,}} restores / deletes "
                             "(see 'rows by action')?",
                     extra={"undo_of": source.job_id})
    finally:
        source.close()


def _on_the_jobs_account(engine: EngineOptions, source: JobStore) -> EngineOptions:
    """The engine options an undo of ``source`` runs with: the URL the job ran against
    when none was given; a different one given (``--url`` / ``PIPEDRIVE_URL``) exits 1 —
    undo sends deletes by deal id, and the same ids on another account are other deals
    (v9r6: 85 unrelated deals deleted with --force)."""
    import dataclasses

    ran = (source.config.get("engine") or {}).get("base_url")
    if not isinstance(ran, str) or not ran:
        return engine
    if engine.url.rstrip("/") == ran.rstrip("/"):
        return engine
    if engine.url == DEFAULT_URL and "PIPEDRIVE_URL" not in os.environ:
        return dataclasses.replace(engine, url=ran)  # not given: the job's own
    raise fail(f"job {source.job_id} ran against {ran}, not {engine.url}: undo sends its "
               "deletes and restores by deal id, and the same ids on another account are "
               f"other deals. Run it with --url {ran} (or without --url)")


undo_cmd, plan_undo_cmd = twin(
    undo, "Undo an update, move-stage, import or dedupe job (its field-policy PATCHes; "
          "merges are final), as a new job.")


# -- touch (hidden: the engine's test job) ---------------------------------------------------
@engine_options()
def touch(ids: Annotated[str, typer.Option(help="Comma-separated deal ids, or @FILE (one per line).")],
          set_: Annotated[list[str], typer.Option("--set", help="field=value (JSON value)")],
          engine: EngineOptions = DEFAULTS) -> None:
    """PATCH the same fields onto a list of deals (engine test job)."""
    from jobs.touch import TouchJob, touch_items

    token = engine.token()
    raw = Path(ids[1:]).read_text().split() if ids.startswith("@") else ids.split(",")
    try:
        deal_ids = [int(x) for x in raw if x.strip()]
        fields = {k: orjson.loads(v) for k, v in (s.split("=", 1) for s in set_)}
    except ValueError as exc:
        raise fail(f"bad --ids or --set: {exc}") from None
    cfg = engine.config()
    job_id = new_job_id("touch")
    store = JobStore.create(engine.job_dir / job_id, job_id=job_id, kind="touch",
                            config={"engine": cfg.to_json()})
    try:
        store.add_items(touch_items(deal_ids, fields))
        typer.echo(f"job {job_id}: {len(deal_ids)} deals")
        finish(store, execute(store, TouchJob(), cfg, token, label="touch"))
    finally:
        store.close()


__all__ = ["merge_cmd", "move_stage_cmd", "plan_merge_cmd", "plan_move_stage_cmd",
           "plan_undo_cmd", "plan_update_cmd", "touch", "undo_cmd", "update_cmd"]
