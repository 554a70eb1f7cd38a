"""pdbulk commands of the day-to-day jobs: update, move-stage, merge, undo (and their plans);
``touch``, the engine's hidden test job.

Each command has a twin under ``pdbulk plan`` with the same options: it reads
what it must (names, the selected deals, their current values), prints the
plan — calls by operation, tokens, share of today's budget, time — and writes
nothing. The command itself does the same reads into a new job, shows the same
plan, asks before destructive work (unless ``--yes``), runs the job and writes
its result files. Listed in ``pdbulk.cli.COMMANDS``.

Why ~510 lines: the four kinds' commands share one run (``_run_new``), one plan and the
option plumbing; split by kind, each part would import the others'.
"""

from __future__ import annotations

import inspect
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import orjson
import typer

from bulk.engine import CONFIG_CREATES, DEFAULT_URL, Engine, EngineConfig, new_job_id
from bulk.errors import BulkError, InputError, JobBusy
from bulk.loop import run_loop
from bulk.runner import RunResult
from bulk.store import JobStore
from bulk.wording import counted

if TYPE_CHECKING:  # imported where used: a command loads only its own code (issue 8)
    from jobs.api import Finished, LoadRefused, Planned, Work

from .cli_import import EncodingOpt, HeaderRowOpt, SheetOpt, load_progress, refuse_static
from .options import (
    DEFAULTS,
    EXIT_INPUT,
    EXIT_ROWS_FAILED,
    EXIT_STOPPED,
    EXIT_USAGE,
    EngineOptions,
    ForeignYes,
    cancelled_line,
    emit_json,
    engine_options,
    execute,
    execute_async,
    fail,
    file_options,
    files_after_abort,
    find_job,
    finish,
    finished_anyway,
    header_row_said,
    install_stop,
    manifest_file,
    new_file,
    resume_hint,
    say_line,
    text_encoding,
    toml_file,
)
from .options import confirmed as _confirmed
from .resume_run import take_over


def _show(planned: Planned, *, as_json: bool = False, run: str | None = None) -> None:
    from rich.console import Console

    from jobs.planning import render_plan

    # a further undo with nothing to send: why (``run``: the command's, which made no job:
    # ``Finished.status``, "not made" / "nothing to undo", the library's words too)
    idle = planned.idle and planned.idle + (": no job made" if run else "")
    if as_json:  # `plan undo --json` too: the status its run would say (x45r9 F4: none)
        said = run or planned.idle_status
        emit_json({**planned.plan.to_json(), "actions": planned.actions,
                   **({"note": idle} if idle else {}), **({"status": said} if said else {}),
                   **({"job": None, "job_dir": None} if run else {})})
        return
    render_plan(planned.plan, console=Console(highlight=False, soft_wrap=True, markup=False),
                conflicts=planned.actions.get("conflict", 0), files=not planned.idle)
    typer.echo("rows by action: " + (", ".join(f"{k} {v:,}" for k, v in planned.actions.items())
                                     or "none"))
    if idle:
        typer.echo(idle)


def _plan_only(cfg: EngineConfig, token: str, work: Work, as_json: bool,
               failed_csv: Path | None = None) -> None:
    """The load phase against a throwaway store; nothing is written to Pipedrive. The
    re-read after a command's prompt is kept out of the total and named in a note, with its
    tokens, as every kind's plan does (``jobs.api.load``; f23a: `plan merge` counted it,
    208 tokens, where the run with --yes and its own plan said 198)."""
    from jobs.api import plan_job

    try:
        planned = run_loop(lambda: plan_job(cfg, token, work, failed_csv=failed_csv))
    except InputError as exc:
        raise fail(str(exc)) from None
    _show(planned, as_json=as_json)
    if planned.would_fail:  # exits like the job would (v9r10: 0 while update exited 3;
        raise typer.Exit(EXIT_ROWS_FAILED)  # x40r6 F2: undo's contact conflicts too)


def _not_made(finished: Finished, *, as_json: bool) -> None:
    """A job ``run_job`` loaded and kept not (``NOT_KEPT``: a further undo with nothing to
    send): its plan and why; exit 3 when rows would fail (as the job would have), else 0."""
    if finished.planned is not None:
        _show(finished.planned, as_json=as_json, run=finished.status)
        if finished.planned.would_fail:
            raise typer.Exit(EXIT_ROWS_FAILED)


def _refused(refused: LoadRefused, *, as_json: bool) -> None:
    """A load ``run_job`` refused to run: its plan (its WARNING among the notes) on stdout,
    as the run would have shown it; with ``--json`` the plan is the one JSON object, with
    ``status`` "error", ``exit_code`` 1 and ``error`` the refusal (the caller's ``fail``
    then says it on stderr)."""
    if not as_json:
        _show(refused.planned)
        return
    planned = refused.planned
    emit_json({**planned.plan.to_json(), "actions": planned.actions, "status": "error",
               "exit_code": EXIT_INPUT, "error": str(refused)})


def _loaded(store: JobStore, planned: Planned, writes: int) -> None:
    _show(planned)
    typer.echo(f"job {store.job_id}: " + (f"{writes:,} to send" if any(store.counts().values()) else
                                          "nothing to send") + f" ({store.directory})")


def _run_new(cfg: EngineConfig, token: str, work: Work, *, yes: bool,
             as_json: bool = False) -> None:
    """Create the job, load it, show its plan, ask (maybe), run it, write its results — the
    load and the run on one engine, so one scheduler sees every call of the job
    (``jobs.api.run_job``, with the terminal's plan, prompt, progress and signals)."""
    from jobs.api import LoadRefused, new_store, run_job
    from jobs.finished import NOT_KEPT

    store = new_store(cfg, work, asks=not yes)  # kept at once: a kill while "planned" too
    job_id, directory = store.job_id, store.directory

    async def execute(s: Engine, kind: Any) -> RunResult:
        return await execute_async(s, kind, label=work.kind)

    restore = install_stop([])  # until the run's own: a signal interrupts the load
    try:
        try:
            finished = run_loop(lambda: run_job(
                cfg, token, work, store=store, on_loaded=_loaded, execute=execute,
                confirm=None if yes else _confirmed, on_line=say_line))
        except KeyboardInterrupt:
            # SIGTERM / Ctrl-C while loading or at the prompt (x11r1 M2: exit 143 and a job
            # left behind): nothing was sent then, so no job is kept; later, the run's own
            # handler stopped it once, and this is the second signal
            if store.status == "finished":
                # the run had ended (every item settled, its files written) when the signal
                # came, between the run's own handler and the command's end: the job's
                # outcome and its code, not "aborted; resume" (x20r4 2: exit 4 for a
                # finished job, 3 of 8 Ctrl-Cs 50 ms after the last progress line)
                finished_anyway(store)
            if store.status in ("running", "stopped"):
                files_after_abort(store)  # the rows settled so far, row by row
                store.close()
                raise fail(f"aborted; resume with: {resume_hint(job_id, cfg.job_root)}",
                           EXIT_STOPPED) from None
            store.close()
            shutil.rmtree(directory, ignore_errors=True)
            raise fail("interrupted while loading, before anything was sent: nothing "
                       "was changed; run it again") from None
        except InputError as exc:
            if store.status != "failed":
                raise
            if isinstance(exc, LoadRefused):  # the plan that says why, first (x48r7 F3)
                _refused(exc, as_json=as_json)
            raise fail(str(exc)) from None  # run_job removed the job: nothing was sent
        except BulkError:
            # a bad token, an account not answering while loading: its reads alone were
            # sent, no job is kept (x13r1 F3: an empty "planned" job was left, whose
            # resume said it "was interrupted while it was being loaded")
            if store.status not in ("running", "stopped", "finished"):
                store.close()
                shutil.rmtree(directory, ignore_errors=True)
            raise
        if finished.status in NOT_KEPT:  # nothing to send: no job kept (x44r6 F4)
            _not_made(finished, as_json=as_json)
            return
        if finished.result is None and finished.status == "cancelled":
            # declined, or no one to answer (cron): never exit 0 for work not done (x12r4 F2)
            raise fail(cancelled_line(job_id, store.status_message))
        if as_json:  # the lines above went to stderr (json_command); a job with nothing
            # to send too: its counts and tokens (x45r8 F3: only status, job, job_dir and
            # a note, no tokens, for 20 spent)
            summary = directory / "summary.json"
            emit_json({**(orjson.loads(summary.read_bytes()) if summary.exists() else {}),
                       "job": job_id, "job_dir": str(directory), "status": store.status,
                       **({} if finished.result is not None else {"note": "nothing to send"})})
        if finished.result is not None:
            finish(store, finished.result)
    finally:
        restore()
        store.close()


def twin(command: Callable[..., None], help_text: str) -> tuple[Callable[..., None],
                                                                 Callable[..., None]]:
    """``command`` as ``pdbulk NAME`` and as ``pdbulk plan NAME`` (plan_only set, its --yes
    hidden and ignored: x13r3 F7, a command line copied into ``plan`` was refused): one
    signature, two commands. Both take --json (x12r4 F4: a cron run of update or
    move-stage had only its exit code and summary.json to go on)."""
    sig = inspect.signature(command, eval_str=True)

    def variant(drop: str | None, plan_only: bool) -> Callable[..., None]:
        params = [p.replace(annotation=PlanYes) if plan_only and n == "yes" else p
                  for n, p in sig.parameters.items() if n not in (drop, "plan_only")]

        def run(**kw: Any) -> None:
            command(plan_only=plan_only, **kw)
        run.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in params}
        run.__doc__ = help_text if not plan_only else (
            f"Plan: {help_text[0].lower()}{help_text[1:].rstrip('.')}; nothing is written.")
        return run

    return variant("failed_csv", plan_only=False), variant(None, plan_only=True)


Yes = Annotated[bool, typer.Option("--yes", "-y", help=(
    "Do not ask before sending; needed when stdin is not a terminal (a pipe, cron).")
)]
PlanYes = Annotated[bool, typer.Option("--yes", "-y", hidden=True,
                                       help="Ignored: a plan sends nothing.")]
PlanFailed = Annotated[Path | None, typer.Option(
    "--failed-csv", callback=new_file, help="Write every row the job would refuse here (same "
                                            "columns as its failed.csv; default: not written).")]
Json = Annotated[bool, typer.Option(
    "--json", help="One JSON object on stdout: the plan (plan NAME), or the job's summary "
                   "(its summary.json, with job and job_dir); every other line to stderr.")]
DealStatus = Literal["open", "won", "lost"]  # openapi-v2 deal.status
UpdateManifest = Annotated[Path, typer.Argument(
    exists=True, dir_okay=False, callback=manifest_file, readable=True,
    help="CSV, JSONL, JSON or XLSX: one row per deal, its id (or source key) and the new "
         "values.")]
PairsFile = Annotated[Path, typer.Argument(
    exists=True, dir_okay=False, callback=manifest_file, readable=True,
    help="CSV, JSONL, JSON or XLSX of pairs: merge_id and survivor_id columns (or a "
         "survivor_id with several merge_ids).")]
# move-stage and merge take no mapping: their --encoding overrides nothing but detection
FileEncodingOpt = Annotated[str | None, typer.Option(
    "--encoding", callback=text_encoding,
    help="The file's text encoding (e.g. cp1252); default: UTF-8 or UTF-16, detected. "
         "NAME! (cp1252!): read as declared even where the text looks garbled in it.")]
FileHeaderRowOpt = Annotated[int | None, typer.Option(
    "--header-row", min=1, help="CSV / XLSX: the row the header is on, as a spreadsheet "
                                "numbers it (a CSV record of several lines is one row) "
                                "(default: found; title lines and a row of merged group titles "
                                "above it are skipped).")]


# -- update -----------------------------------------------------------------------------------
@engine_options()
def update(manifest: UpdateManifest,
           mapping: Annotated[Path, typer.Option("--mapping", "-m", exists=True, dir_okay=False,
                                                 callback=toml_file,
                                                 help="TOML mapping (docs/mapping.md; "
                                                      "[update] names the deal column).")],
           yes: ForeignYes = False, as_json: Json = False,
           engine: EngineOptions = DEFAULTS, plan_only: bool = False, failed_csv: PlanFailed = None,
           unarchive: Annotated[bool, typer.Option(
               "--unarchive", help="By key: a key on an archived deal unarchives and updates "
                                   "it (default: the row fails).")] = False,
           encoding: EncodingOpt = None, sheet: SheetOpt = None,
           header_row: HeaderRowOpt = None) -> None:
    from jobs.api import update_deals
    from jobs.update_mapping import UpdateRefused

    file_options(manifest, sheet=sheet, encoding=encoding, header_row=header_row)
    cfg = engine.config()
    token = engine.token(creates=False)
    try:
        work = update_deals(manifest, mapping, unarchive=unarchive, encoding=encoding, sheet=sheet,
                            progress=load_progress(manifest), header_row=header_row, foreign_ids=yes)
    except UpdateRefused as exc:  # every problem of the files at once, before any call, as
        # the import's (f23m: one problem a run; x25r1 F3: not after reading the account)
        refuse_static(exc.problems, exc.columns, manifest=manifest, source=exc.source)
    except InputError as exc:
        raise fail(header_row_said(manifest, exc, header_row)) from None
    if plan_only:
        _plan_only(cfg, token, work, as_json, failed_csv)
    else:
        _run_new(cfg, token, work, yes=yes, as_json=as_json)


update_cmd, plan_update_cmd = twin(
    update, "Update fields of existing deals (only what differs is sent).")


# -- move-stage -------------------------------------------------------------------------------
def _date(value: str | None) -> str | None:
    """A typer callback for --updated-before: a date or an instant, else exit 2."""
    from jobs.selection import rfc3339

    if value is not None:
        try:
            rfc3339(value)
        except InputError as exc:
            raise typer.BadParameter(str(exc)) from None
    return value


def _check_columns(manifest: Path | None, id_column: str | None,
                   key_column: str | None) -> None:
    """InputError for --id-column / --key-column without --manifest (they were silently
    unused: x22r2 F1) or both given (a manifest names its deals one way)."""
    if id_column is not None and key_column is not None:
        raise InputError("give --id-column (deal ids) or --key-column (source keys), not both")
    given = "--id-column" if id_column is not None else "--key-column" if key_column else None
    if given is not None and manifest is None:
        raise InputError(f"{given} names a column of --manifest; give --manifest, or leave "
                         f"{given} out for a query")



@engine_options()
def move_stage(
    to_stage: Annotated[str, typer.Option("--to-stage", help="The stage to move to (name).")],
    to_pipeline: Annotated[str | None, typer.Option(
        "--to-pipeline", help="Its pipeline (default: --pipeline, else the stage's).")] = None,
    status_to: Annotated[DealStatus | None, typer.Option(
        "--status-to", case_sensitive=False,
        help="Also set the status: open, won or lost (default: unchanged).")] = None,
    lost_reason: Annotated[str | None, typer.Option(
        "--lost-reason", help="With --status-to lost: the lost reason (default: none).")] = None,
    pipeline: Annotated[str | None, typer.Option("--pipeline", help="Select: pipeline name.")]
    = None,
    stage: Annotated[str | None, typer.Option("--stage", help="Select: stage name.")] = None,
    status: Annotated[DealStatus | None, typer.Option(
        "--status", case_sensitive=False, help="Select: open, won, lost.")]
    = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Select: owner name, e-mail, id.")]
    = None,
    updated_before: Annotated[str | None, typer.Option(
        "--updated-before", callback=_date, help="Select: last updated before this date (YYYY-MM-DD).")] = None,
    filter_id: Annotated[int | None, typer.Option("--filter-id", min=1, help="Select: a saved filter.")]
    = None,
    manifest: Annotated[Path | None, typer.Option(
        "--manifest", exists=True, dir_okay=False, callback=manifest_file,
        help="Select: a CSV, JSONL, JSON or XLSX of deal ids (deal_id or id column) or "
             "source keys.")] = None,
    id_column: Annotated[str | None, typer.Option(
        "--id-column", help="The --manifest column of deal ids (default: deal_id or id).")] = None,
    key_column: Annotated[str | None, typer.Option(
        "--key-column", help="The manifest names deals by source key in this column (default: "
                             "by deal id, --id-column).")] = None,
    key_field: Annotated[str, typer.Option("--key-field", help="The deal field of the keys.")]
    = "Import source key",
    limit: Annotated[int | None, typer.Option(
        "--limit", min=1, help="Refuse (nothing sent) when more deals than this (at least 1) "
                               "are selected (default: no limit).")] = None,
    yes: Yes = False, as_json: Json = False,
    engine: EngineOptions = DEFAULTS, plan_only: bool = False,
    failed_csv: PlanFailed = None,
    encoding: FileEncodingOpt = None, sheet: SheetOpt = None,
    header_row: FileHeaderRowOpt = None,
) -> None:
    from jobs.api import move_deals
    from jobs.selection import DealQuery

    file_options(manifest, sheet=sheet, encoding=encoding, header_row=header_row)
    cfg = engine.config()
    token = engine.token(creates=False)
    from jobs.stages import check_move

    try:  # in the flags' words first (the library names its keywords: x18r3 F2); options
        # that cannot go together are a usage error, exit 2 (x22r2 F1: exit 1)
        query = DealQuery(pipeline, stage, status, owner, updated_before, filter_id)
        check_move(status_to, lost_reason, selected=not query.is_empty(),
                   listed=manifest is not None, limit=limit, flags=True)
        _check_columns(manifest, id_column, key_column)
    except InputError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    try:
        work = move_deals(to_stage, to_pipeline=to_pipeline, status_to=status_to,
                          lost_reason=lost_reason, select=query, manifest=manifest,
                          id_column=id_column, key_column=key_column, key_field=key_field,
                          limit=limit, encoding=encoding, sheet=sheet, header_row=header_row)
    except InputError as exc:
        raise fail(header_row_said(manifest, exc, header_row, mapped=False)) from None
    if plan_only:
        _plan_only(cfg, token, work, as_json, failed_csv)
    else:
        _run_new(cfg, token, work, yes=yes, as_json=as_json)


move_stage_cmd, plan_move_stage_cmd = twin(
    move_stage, "Move the selected deals to another stage (maybe closing them).")


# -- merge ------------------------------------------------------------------------------------
@engine_options()
def merge(pairs: PairsFile, yes: Yes = False, as_json: Json = False,
          engine: EngineOptions = DEFAULTS, plan_only: bool = False,
    failed_csv: PlanFailed = None,
          encoding: FileEncodingOpt = None, sheet: SheetOpt = None,
          header_row: FileHeaderRowOpt = None) -> None:
    from jobs.api import merge_deals

    file_options(pairs, sheet=sheet, encoding=encoding, header_row=header_row)
    cfg = engine.config()
    token = engine.token(creates=False)
    try:
        work = merge_deals(pairs, encoding=encoding, sheet=sheet, header_row=header_row)
    except InputError as exc:
        raise fail(header_row_said(pairs, exc, header_row, mapped=False)) from None
    if plan_only:
        _plan_only(cfg, token, work, as_json, failed_csv)
    else:
        _run_new(cfg, token, work, yes=yes, as_json=as_json)


merge_cmd, plan_merge_cmd = twin(
    merge, "Merge pairs (or groups) of deals into their survivors.")


# -- undo -------------------------------------------------------------------------------------
@engine_options()
def undo(job: Annotated[str, typer.Argument(help="The job to undo (id or directory).")],
         force: Annotated[bool, typer.Option(
             "--force", help="Also overwrite deals that changed since the job; take over "
                             "(resume) an undo of it a killed process left unfinished (never "
                             "a live one's).")] = False,
         contacts: Annotated[bool, typer.Option(
             "--contacts", help="Undo of an import: also delete the persons and "
                                "organizations it created that carry no other deals.")] = False,
         yes: Yes = False, as_json: Json = False,
         engine: EngineOptions = DEFAULTS, plan_only: bool = False,
         failed_csv: PlanFailed = None) -> None:
    from jobs.api import undo_job
    from jobs.finished import NOTHING_TO_UNDO
    from jobs.undo.undone import being_undone, nothing_to_undo, stuck_undo

    folder = find_job(engine.job_dir, job)
    try:
        source = JobStore.open(folder)
    except JobBusy as exc:  # its undo's process holds it: name that (x47r8 F3)
        raise JobBusy(being_undone(folder) or str(exc)) from None
    try:
        engine = _on_the_jobs_account(engine, source)
        if force and not plan_only and (stuck := stuck_undo(source)) is not None:
            return take_over(stuck, source.job_id, engine, as_json=as_json)
        # undone wholly already: said, exit 0, no new job nor call (x43r4 F6: an empty undo
        # job each time); an unfinished undo is refused below, naming its resume
        if (said := nothing_to_undo(source, contacts=contacts)) is not None:
            if as_json:
                emit_json({"status": NOTHING_TO_UNDO, "job": None, "job_dir": None,
                           "undo_of": source.job_id, "note": said})
            else:
                typer.echo(said)
            return
        cfg = engine.config()
        token = engine.token(creates=False)

        work = undo_job(source, force=force, contacts=contacts)
        if plan_only:
            _plan_only(cfg, token, work, as_json, failed_csv)
        else:
            _run_new(cfg, token, work, yes=yes, as_json=as_json)
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
    undo, "Undo an update, move-stage, import or dedupe job (a dedupe's field-policy PATCHes; "
          "merges are final: a merge job's undo exports its snapshots), as a new job.")


# -- touch (hidden: the engine's test job) ---------------------------------------------------
@engine_options()
def touch(ids: Annotated[str, typer.Option(help="Comma-separated deal ids, or @FILE (one per line).")],
          set_: Annotated[list[str], typer.Option("--set", help="A field=value pair (a JSON value).")],
          engine: EngineOptions = DEFAULTS) -> None:
    """PATCH the same fields onto a list of deals (engine test job)."""
    from jobs.touch import TouchJob, touch_items

    token = engine.token(creates=False)
    raw = Path(ids[1:]).read_text().split() if ids.startswith("@") else ids.split(",")
    try:
        deal_ids = [int(x) for x in raw if x.strip()]
        fields = {k: orjson.loads(v) for k, v in (s.split("=", 1) for s in set_)}
    except ValueError as exc:
        raise fail(f"bad --ids or --set: {exc}") from None
    cfg = engine.config()
    job_id = new_job_id("touch")
    store = JobStore.create(engine.job_dir / job_id, job_id=job_id, kind="touch",
                            config={"engine": cfg.to_json(), CONFIG_CREATES: False})
    try:
        store.add_items(touch_items(deal_ids, fields))
        typer.echo(f"job {job_id}: {counted(len(deal_ids), 'deal')}")
        finish(store, execute(store, TouchJob(), cfg, token, label="touch"))
    finally:
        store.close()


__all__ = ["merge_cmd", "move_stage_cmd", "plan_merge_cmd", "plan_move_stage_cmd",
           "plan_undo_cmd", "plan_update_cmd", "touch", "undo_cmd", "update_cmd"]
