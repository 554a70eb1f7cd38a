"""``pdbulk dedupe plan | apply | run`` and ``pdbulk plan dedupe``.

Exit codes are the CLI's own (``pdbulk.options``: ``EXIT_*``, ``exit_code_for``;
README, "Dedupe"): 0 done (or nothing to merge); 1 bad input or configuration, or the
account could not be read: nothing sent; 2 usage error; 3 finished but some merges
failed; 4 stopped checkpointed (resume the job); 5 authentication/permission
failure; 6 busy: another apply/run holds the state directory. Groups skipped
because their deals changed since the plan are reported in the job's files, not
failures. Listed in ``pdbulk.cli.COMMANDS``.

Why ~500 lines: the four commands share one plan / load / run path (``_run_apply``) and
its one JSON summary, which cron jobs read; splitting it would split that contract.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from bulk.engine import META_COORDINATOR, Engine, EngineConfig, new_job_id
from bulk.errors import BulkError, InputError, JobBusy
from bulk.loop import run_loop
from bulk.runner import RunResult
from bulk.store import ItemState, JobStore
from jobs.confirming import ask
from jobs.planning import Plan, budget_source, estimate, render_plan

from .cli_ops import Json, Yes

if TYPE_CHECKING:  # imported where used: the other commands never load the matching code
    # and rapidfuzz (~5 MB of a 1,000,000-row plan import's peak RSS, issue 8)
    from jobs.dedupe.apply import ApplyOptions
    from jobs.dedupe.config import DedupeConfig
    from jobs.dedupe.job import PlanOutcome
    from jobs.prepared import Prepared
from .options import (
    DEFAULTS,
    EXIT_AUTH,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_ROWS_FAILED,
    EXIT_STOPPED,
    EXIT_USAGE,
    EngineOptions,
    auth_failure,
    cancelled_line,
    confirmed,
    describe,
    emit_json,
    engine_options,
    execute_async,
    exit_code_for,
    fail,
    folder,
    install_stop,
    plain,
    rate_limited_note,
    reset_words,
    resume_hint,
    show_traceback,
    toml_file,
)

Config = Annotated[Path | None, typer.Option("--config", help="Dedupe TOML (default: built-in "
                                             "thresholds, guards and survivor rules).",
                                             exists=True, dir_okay=False,
                                             callback=toml_file)]
StateDir = Annotated[Path | None, typer.Option(
    "--state-dir", envvar="PDBULK_DEDUPE_STATE", callback=folder,
    help="Keep-separate decisions, the merges applied and the nightly index (default: "
         "JOB_DIR/dedupe-state).")]
MaxMerges = Annotated[int | None, typer.Option("--max-merges", min=0,
                                               help="Merge at most this many deals away: whole groups in plan "
                                                    "order; a group that would pass N is "
                                                    "skipped (and named), later groups that "
                                                    "fit are still taken (default: no limit).")]
Review = Annotated[bool, typer.Option("--include-review",
                                      help="Also merge the review band's groups.")]


def _load_config(path: Path | None, state: Path, *, remember: bool) -> DedupeConfig:
    """The dedupe config: ``path``'s (kept in the state directory when ``remember``: the
    next run given no --config matches the same way), else the one the state directory
    kept from an earlier run (said on stderr), else the defaults. InputError for a bad
    file (exit 1)."""
    from jobs.dedupe.config import DedupeConfig
    from jobs.dedupe.index import remember_config, remembered_config

    if path is None:
        kept = remembered_config(state)
        if kept is None:
            return DedupeConfig.default()
        typer.echo(f"note: no --config: using the dedupe config the last run was given, kept "
                   f"in {kept[0]} (sha256 {kept[1]}); pass --config to change it, or delete "
                   "that file for the defaults", err=True)
        return DedupeConfig.load(kept[0])
    config = DedupeConfig.load(path)
    if remember:
        try:
            remember_config(state, path)
        except OSError as exc:
            raise InputError(f"cannot keep the dedupe config in {state}: "
                             f"{exc.strerror or exc}") from None
    return config


def _config(path: Path | None, state: Path, *, remember: bool = False) -> DedupeConfig:
    try:
        return _load_config(path, state, remember=remember)
    except InputError as exc:
        raise fail(str(exc)) from None


def _plan_dir(output: Path | None) -> None:
    """Refuse (exit 2, before anything is read) a plan directory that is an existing file."""
    if output is not None and output.exists() and not output.is_dir():
        raise fail(f"usage: -o/--output {output} is a file; give a directory for the plan "
                   "(created when missing)", EXIT_USAGE)


def _plan_arg(plan_dir: Path) -> None:
    """Refuse (exit 2, before the token or the account is read) a plan argument that is no
    plan folder: missing, a file, or a folder without groups.csv (x19r1 F9: exit 1)."""
    why = ("no such folder" if not plan_dir.exists() else
           "a file, not a folder" if not plan_dir.is_dir() else
           "no groups.csv in it" if not (plan_dir / "groups.csv").is_file() else None)
    if why is not None:
        raise fail(f"usage: {plan_dir} is not a dedupe plan ({why}); make one with "
                   "`pdbulk dedupe plan -o DIR`", EXIT_USAGE)


def _state(state_dir: Path | None, job_dir: Path) -> Path:
    return state_dir if state_dir is not None else job_dir / "dedupe-state"


def _describe(exc: BulkError) -> str:
    if auth_failure(exc):
        return f"{plain(exc)} — check the token and its scopes"
    return describe(exc)  # the one line every command ends in (options.describe)


def _api_failure(exc: BulkError) -> typer.Exit:
    """One line and the CLI's exit code for an error before anything was sent (after
    its traceback under PDBULK_DEBUG)."""
    show_traceback(exc)
    return fail(_describe(exc), exit_code_for(exc))


@asynccontextmanager
async def _reading(cfg: EngineConfig, token: str) -> AsyncIterator[Engine]:
    """An engine for reads only (plans): a throwaway store keeps the call ledger."""
    from jobs.dedupe.apply import KIND

    with tempfile.TemporaryDirectory(prefix="pdbulk-dedupe-") as tmp:
        store = JobStore.create(Path(tmp) / "plan", job_id="plan", kind=KIND, config={})
        try:
            async with Engine.open(cfg, token, store=store) as s:
                yield s
        finally:
            store.close()


SinceLast = Annotated[bool, typer.Option(
    "--since-last", help="Read only deals updated since the last --since-last run and "
                         "compare them against the index in the state directory.")]


def _to_merge(out: PlanOutcome, options: ApplyOptions | None) -> tuple[int, int, int]:
    """(deals to merge away, their merge tokens, their PATCH tokens): the plan's own counts
    (the duplicate band), or with ``options`` what a run with them merges, by the run's
    own choice (``planned_merges``; x21r2 F1: 0 said, 1 merged)."""
    from jobs.dedupe.apply import planned_merges
    from jobs.dedupe.planfiles import MERGE_TOKENS, PATCH_TOKENS

    s = out.summary
    if options is None:
        return s["deals_to_merge_away"], s["tokens"]["merges"], s["tokens"]["patches"]
    chosen = planned_merges(out.result.groups, options, float(s["review_threshold"]))
    patched = set(s.get("field_policy_groups") or ())
    deals = sum(len(g.merged_ids) for g in chosen)
    return deals, deals * MERGE_TOKENS, PATCH_TOKENS * sum(g.id in patched for g in chosen)


def _plan_lines(out: PlanOutcome, options: ApplyOptions | None = None) -> list[str]:
    from jobs.dedupe.review import REVIEW

    s = out.summary
    deals, merge_tokens, patch_tokens = _to_merge(out, options)
    return [f"deals read: {out.deals_read:,}; compared: {s['deals_compared']:,}; candidate "
            f"pairs scored: {s['pairs_compared']:,}",
            f"groups: {s['groups']:,} ({s['duplicate_groups']:,} duplicate, "
            f"{s['review_groups']:,} review); deals to merge away: {deals:,}"
            + (f" (--auto-apply-above {options.auto_apply_above:g})"
               if options is not None and options.auto_apply_above is not None else "")
            + (f" (--max-merges {options.max_merges:,})"
               if options is not None and options.max_merges is not None else ""),
            # x9r5: every pair held by one guard printed "groups: 0" and nothing else
            *([f"pairs held by a guard (never grouped): {s['pairs_held']:,} — "
               + ", ".join(f"{why}: {n:,}" for why, n in held.items())
               + " (pairs.csv lists them; [match] identifiers and guards in the config say "
                 "which fields keep deals apart)"]
              if (held := s.get("pairs_held_by") or {}) else []),
            f"tokens to merge them: {merge_tokens + patch_tokens:,} "
            f"({merge_tokens:,} for the merges, {patch_tokens:,} for "
            "the field-policy PATCHes)",
            f"plan: {out.directory}", f"review page: {out.directory / REVIEW}",
            *([f"note: the decisions of the previous groups.csv were kept in "
               f"{out.directory / s['previous_decisions']}"] if s.get("previous_decisions")
              else [])]


# -- dedupe plan --------------------------------------------------------------------------------
@engine_options()
def plan_command(config: Config = None,
                 output: Annotated[Path, typer.Option("--output", "-o",
                                                      help="Plan directory.")]
                 = Path("dedupe-plan"),
                 since_last: SinceLast = False,
                 state_dir: StateDir = None,
                 engine: EngineOptions = DEFAULTS) -> None:
    """Find duplicate deals and write a plan (groups.csv, pairs.csv, summary.json,
    review.html); nothing is written to Pipedrive. With --since-last the refreshed index
    is kept with the plan; `dedupe apply` of the plan makes it the nightly index."""
    from jobs.dedupe.index import save_plan_index
    from jobs.dedupe.job import make_plan

    _plan_dir(output)
    cfg = engine.config()
    token = engine.token()
    state = _state(state_dir, engine.job_dir)
    dcfg = _config(config, state, remember=True)

    async def main() -> PlanOutcome:
        async with _reading(cfg, token) as s:
            return await make_plan(s.ctx, dcfg, output, state_dir=state, since_last=since_last)

    try:
        out = run_loop(main)
    except BulkError as exc:
        raise _api_failure(exc) from None
    if out.index is not None:  # the state's index moves on only when the plan is applied
        save_plan_index(out.index, output, out.index_base)
    for line in _plan_lines(out):
        typer.echo(line)
    if out.index is not None:
        typer.echo(f"index: {len(out.index.deals):,} deals as of {out.index.updated_since}, "
                   "kept with the plan (`dedupe apply` makes it the nightly index)")


# -- dedupe apply -------------------------------------------------------------------------------
def _run_apply(cfg: EngineConfig, token: str, plan_dir: Path | None, options: ApplyOptions, *,
               state: Path, yes: bool, quiet: bool, dcfg: DedupeConfig | None = None,
               since_last: bool = False, output: Path | None = None,
               error: dict[str, str] | None = None) -> tuple[dict[str, Any], int]:
    """(Plan, if ``dcfg``, then) load and run a dedupe job; its summary and exit code.
    An error before anything was sent: its line goes to ``error["error"]``, then exit."""
    from jobs.dedupe.apply import (
        KIND,
        REFUSED,
        merged_away,
        prepare_apply,
        record_intended,
        unfinished,
    )
    from jobs.dedupe.index import forget_merged, save_plan_index, state_lock
    from jobs.dedupe.interrupted import abandoned_jobs, unfinished_apply, unfinished_jobs
    from jobs.dedupe.job import make_plan

    plan = plan_dir or output  # `dedupe run` plans into a new folder unless -o names one
    if plan is not None and (earlier := unfinished_apply(cfg.job_root, plan)) is not None:
        # x18r4 2: a second apply would take the earlier one's merges for changes since the
        # plan and leave its groups half-merged; nothing is sent, the earlier job is resumed
        earlier_id, how = earlier
        message = (f"job {earlier_id} is applying this plan now; nothing was sent: wait for "
                   "it to end" if how == "running" else
                   f"job {earlier_id} applied this plan and did not finish ({how}); nothing "
                   f"was sent: finish it with: {resume_hint(earlier_id, cfg.job_root)}")
        if error is not None:
            error["error"] = message
        raise fail(message)
    # x19r2 F3: a job killed (or stopped) on an earlier night is named, on stderr (cron's
    # log) and in the summary: its merges are in no report until it is resumed
    removed = abandoned_jobs(cfg.job_root)  # x23r2 4: killed while planning, nothing sent
    for gone in removed:
        typer.echo(f"pdbulk: job {gone} was interrupted before any merge was sent (while "
                   "planning, loading or at the prompt): nothing was merged; its folder is "
                   "removed", err=True)
    others = unfinished_jobs(cfg.job_root)
    for other in others:
        typer.echo(f"pdbulk: {other.line(resume_hint(other.job_id, cfg.job_root))}", err=True)
    job_id = new_job_id(KIND)
    directory = cfg.job_root / job_id
    store = JobStore.create(directory, job_id=job_id, kind=KIND,
                            config={"engine": cfg.to_json()})

    def say(line: str) -> None:
        typer.echo(line, err=quiet)
    summary: dict[str, Any] = {"job": job_id, "job_dir": str(directory),
                               "interrupted_jobs": [o.to_json() for o in others],
                               "removed_jobs": removed}

    async def main() -> RunResult | None:
        nonlocal plan_dir
        async with Engine.open(cfg, token, store=store) as s:
            try:
                planned: PlanOutcome | None = None
                if dcfg is not None:
                    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
                    plan_dir = output or state / "plans" / stamp
                    planned = await make_plan(s.ctx, dcfg, plan_dir, state_dir=state,
                                              since_last=since_last)
                    for line in _plan_lines(planned, options):
                        say(line)
                    summary["plan"] = planned.summary
                assert plan_dir is not None
                prep = await prepare_apply(s.ctx, plan_dir, options, state_dir=state)
            except BulkError:
                store.set_status("failed", "the load phase failed; nothing was sent")
                raise
            if planned is not None and planned.index is not None:
                # kept with the plan: the job's end installs it, on this run or its resume
                save_plan_index(planned.index, plan_dir, planned.index_base)
            prep.save(store)
            summary["plan_dir"] = str(plan_dir)
            summary["actions"] = dict(prep.actions)
            for note in prep.notes:
                say(f"note: {note}")
            refused = prep.meta.get(REFUSED) or []
            for r in refused:  # x21r2 F4: on stderr, each with its reason
                typer.echo(f"pdbulk: group {r['group_id']} (row {r['row']} of groups.csv): "
                           f"decision = merge not followed: {r['reason']}", err=True)
            summary["refused_decisions"] = len(refused)
            if refused:
                say(f"{len(refused):,} reviewer decision(s) = merge not followed (named on "
                    "stderr)")
            work = prep.actions["merge"]
            if dcfg is None and not quiet:  # x21r2 F3: the cost before the prompt, as merge's
                groups = len({i.payload.get("group_id") for i in prep.items
                              if i.state is ItemState.PENDING and i.op == "merge"
                              and not i.payload.get("already")})
                render_plan(_apply_plan(s, store, prep), console=Console(
                    highlight=False, soft_wrap=True, markup=False),
                    rows=f"merges to send: {work:,} ({groups:,} group(s))")
            say(f"job {job_id}: {work:,} merge(s) to send ({directory})")
            if (work and not yes
                    and not ask(store, confirmed, f"Merges are final in Pipedrive. Merge "
                                f"{work:,} deal{'' if work == 1 else 's'} away?")):
                # declined (or no one to answer: ``jobs.confirming``): cancelled, never
                # resumable — a later resume would merge from a stale picture of the deals
                return None
            if prep.actions["already merged"]:
                say(f"{prep.actions['already merged']:,} merge(s) of this plan were made by "
                    "an earlier apply or run: counted as done, not sent again")
            record_intended(store)  # confirmed: the merges about to be sent (merges.json)
            settle = work + prep.actions["already merged"]
            result = await _send(store, s, quiet) if settle else None
            # ended: the job's after_run made the plan's index the state's (settle_index);
            # stopped: the state's index learns what was merged, the rest waits (resume)
            if result is not None and result.stopped:
                if planned is not None and planned.index is not None:
                    planned.index.refresh((), gone=merged_away(store))
                    planned.index.pending = unfinished(plan_dir, options, store)
                    planned.index.save(state)
                else:
                    forget_merged(state, merged_away(store))
            return result

    restore = install_stop([])  # before the merges: a signal interrupts the plan or load
    try:
        with state_lock(state):
            result = run_loop(main)
    except KeyboardInterrupt:
        # SIGTERM / Ctrl-C while planning or loading (x11r1 M2: exit 143, no JSON, a job
        # left "planned"): the run's own stop handling starts with the merges, so nothing
        # was sent here — the job is removed, as an import's cut-short load is
        status = store.status
        store.close()
        if status in ("running", "stopped", "finished"):
            raise fail("aborted while merging; resume with: "
                       f"{resume_hint(job_id, cfg.job_root)}", EXIT_STOPPED) from None
        shutil.rmtree(directory, ignore_errors=True)
        message = ("interrupted while planning or loading, before any merge was sent: "
                   "nothing was merged; run it again")
        if error is not None:
            error["error"] = message
        raise fail(message) from None
    except BulkError as exc:
        status = store.status
        store.close()
        if status == "failed" or isinstance(exc, JobBusy):  # nothing was sent
            shutil.rmtree(directory, ignore_errors=True)
        if error is not None:
            error["error"] = _describe(exc)
        raise _api_failure(exc) from None
    finally:
        restore()
    try:
        return summary, _outcome(store, result, summary, say, cfg, printed=not quiet)
    finally:
        store.close()


def _apply_plan(s: Engine, store: JobStore, prep: Prepared) -> Plan:
    """The plan table of a loaded ``dedupe apply`` (calls, tokens, share of today, time), as
    the reviewed decisions left it: the reads made, the merges and PATCHes to send with
    their reads, and the re-check before each batch (``jobs.api.load`` for merge, update,
    move-stage and undo)."""
    from jobs.api import recheck_calls
    from jobs.dedupe.merge_job import DedupeJob

    calls = Counter(s.stats.calls_by_operation) + prep.calls
    calls += Counter(recheck_calls(store, DedupeJob.from_store(store), s.config.max_workers,
                                   burst=s.config.limits().burst))
    sched = s.scheduler.statistics()
    left = None if (today := s.tokens_left_today()) is None else today + sched.tokens_spent
    return estimate("dedupe", calls, s.scheduler.limits, rows=prep.actions["merge"],
                    bad_rows=0, tokens_left_today=left, daily_tokens=sched.daily_limit,
                    max_tokens=s.config.budget.max_tokens, usable_daily=sched.usable_daily,
                    budget_source=budget_source(sched))


def _outcome(store: JobStore, result: RunResult | None, summary: dict[str, Any],
             say: Callable[[str], None], cfg: EngineConfig, *, printed: bool) -> int:
    """Settle the job's status and files, fill ``summary``; the exit code. ``printed``:
    the run's result lines were printed already (by ``execute_async``)."""
    from jobs.dedupe.merge_job import DedupeJob, policy_put_backs, policy_strays

    resume = resume_hint(store.job_id, cfg.job_root)
    # every count is in the summary, a number, whichever way the run ended (x18r1 6: a
    # stopped run's policy_strays / policy_put_back were missing: null to a reader)
    summary.update(items={}, merged=0, failed=0, skipped=0, skipped_for_review=0, tokens=0,
                   policy_strays=0, policy_put_back=0,
                   refused_decisions=summary.get("refused_decisions", 0))
    if store.status == "cancelled":  # on stderr, as every command's (x12r6 F6: cron's log)
        typer.echo(f"pdbulk: {cancelled_line(store.job_id)}", err=True)
        summary["status"] = "cancelled"
        return EXIT_INPUT  # declined, or no one to answer (cron): not done (x12r4 F2)
    stopped = result is not None and result.stopped
    error = result.error if result is not None else None
    store.set_status("stopped" if stopped else "finished", str(error) if error else None)
    if result is None or not printed:
        for line in DedupeJob().after_run(store, result):
            say(line)
    counts = Counter({state.value: n for state, n in store.counts().items() if n})
    # the groups left for a person, apart from those skipped as changed (x11r1)
    # groups, not their merges (x13r4 F4: 83 for 53 groups)
    review = len({i.payload.get("group_id", i.id) for i in store.items(ItemState.SKIPPED)
                  if (why := str((i.result or i.payload.get("result") or {}).get("reason")
                                 or "")).startswith("review band:")
                  or "below --auto-apply-above" in why})
    if result is not None and (note := rate_limited_note(
            result.stats.rate_limited, store.meta_get(META_COORDINATOR),
            others=bool(result.stats.others_seen),
            room=result.stats.refused_with_room)) is not None:
        say(note)
    summary.update(items=dict(counts), merged=counts.get("done", 0), failed=counts.get(
        "failed", 0), skipped=counts.get("skipped", 0), skipped_for_review=review,
                   tokens=sum(store.spend_by_day().values()))
    # a value the survivor now shares with a live deal left unmerged: a person must look
    # (a stopped run's too: a put-back the stop prevented)
    summary["policy_strays"] = len(policy_strays(store))
    summary["policy_put_back"] = len(policy_put_backs(store))
    if stopped and auth_failure(error):
        summary["status"] = "unauthorized"
        say(f"stopped: {plain(error) if error is not None else 'no detail'} — check the token "
            "and its scopes")
        return EXIT_AUTH
    if stopped:
        summary["status"] = "stopped"
        say(f"stopped: {error or 'interrupted'}{reset_words(error)}; resume with: {resume}")
        return EXIT_STOPPED
    summary["status"] = "finished"
    return EXIT_ROWS_FAILED if summary["failed"] or summary["policy_strays"] else EXIT_OK


async def _send(store: JobStore, s: Engine, quiet: bool) -> RunResult:
    """Run the loaded job on the engine: with the progress view and its result lines,
    or (``quiet``: stdout is kept for JSON) silently; Ctrl-C / SIGTERM stop it cleanly."""
    from jobs.dedupe.merge_job import DedupeJob

    kind = DedupeJob.from_store(store)
    if not quiet:
        return await execute_async(s, kind, label="merges")
    restore = install_stop([s])
    store.set_status("running")
    try:
        return await s.run(kind)
    finally:
        restore()


@engine_options()
def apply_command(plan_dir: Annotated[Path, typer.Argument(help="A plan directory.")],
                  include_review: Review = False, max_merges: MaxMerges = None,
                  yes: Yes = False,
                  state_dir: StateDir = None,
                  engine: EngineOptions = DEFAULTS) -> None:
    """Merge what a plan says: the duplicate band (review: with --include-review or
    decision = merge); groups whose deals changed since the plan are skipped."""
    from jobs.dedupe.apply import ApplyOptions

    _plan_arg(plan_dir)
    cfg = engine.config()
    token = engine.token()
    _, code = _run_apply(cfg, token, plan_dir, ApplyOptions(include_review, max_merges),
                         state=_state(state_dir, engine.job_dir), yes=yes, quiet=False)
    if code:
        raise typer.Exit(code)


# -- dedupe run ---------------------------------------------------------------------------------
AutoApplyAbove = Annotated[float | None, typer.Option(
    "--auto-apply-above", min=0.0, max=1.0,
    help="Merge only the duplicate band's groups scoring at least this (default: the whole "
         "duplicate band); below the duplicate threshold is a usage error (exit 2): the "
         "review band is never merged unattended.")]


def _below_floor(auto_apply_above: float | None, dcfg: DedupeConfig) -> str | None:
    """Why ``--auto-apply-above`` is refused, else None: below the duplicate threshold it
    would merge review groups unattended, "review at most" pairs among them (x21r2 F1:
    `Rollout Linz` / `Lienz` at 0.800 merged by --auto-apply-above 0.8)."""
    if auto_apply_above is None or auto_apply_above >= dcfg.duplicate_threshold:
        return None
    return (f"--auto-apply-above {auto_apply_above:g} is below the duplicate threshold "
            f"{dcfg.duplicate_threshold:g} (the duplicate band's floor): the review band is "
            "never merged unattended; give at least "
            f"{dcfg.duplicate_threshold:g}, or decide review groups in groups.csv and "
            "`dedupe apply` the plan")


@engine_options()
def run_command(config: Config = None,
                auto_apply_above: AutoApplyAbove = None,
                max_merges: MaxMerges = None,
                since_last: SinceLast = False,
                as_json: Annotated[bool, typer.Option("--json", help="JSON summary on "
                                                      "stdout; everything else on stderr.")]
                = False,
                output: Annotated[Path | None, typer.Option(
                    "--output", "-o", help="Plan directory (default: STATE_DIR/plans/TIME).")]
                = None,
                state_dir: StateDir = None,
                engine: EngineOptions = DEFAULTS) -> None:
    """Plan and apply in one step, for cron: never asks, merges only the duplicate band
    (or above --auto-apply-above), leaves the review band in the plan."""
    from jobs.dedupe.apply import ApplyOptions

    error: dict[str, str] = {}
    try:  # with --json, every way this ends prints one JSON object (monitoring reads it)
        try:
            dcfg = _load_config(config, _state(state_dir, engine.job_dir), remember=True)
            if (why := _below_floor(auto_apply_above, dcfg)) is not None:
                error["error"] = why
                raise fail(f"usage: {why}", EXIT_USAGE)
            if output is not None and output.exists() and not output.is_dir():
                error["error"] = f"-o/--output {output} is a file; give a directory for the plan"
            _plan_dir(output)
            cfg = engine.config()
            token = engine.token()
            summary, code = _run_apply(cfg, token, None, ApplyOptions(
                max_merges=max_merges, auto_apply_above=auto_apply_above),
                state=_state(state_dir, engine.job_dir), yes=True, quiet=as_json, dcfg=dcfg,
                since_last=since_last, output=output, error=error)
        except InputError as exc:
            error["error"] = str(exc)
            raise fail(str(exc)) from None
    except typer.Exit as exc:
        if as_json and error:  # else json_command prints the error object, with its message
            emit_json({"status": "error", "exit_code": exc.exit_code, **error}, pretty=False)
        raise
    summary["exit_code"] = code
    if as_json:
        emit_json(summary, pretty=False)  # one line: cron appends to a .jsonl
    if code:
        raise typer.Exit(code)


# -- pdbulk plan dedupe -------------------------------------------------------------------------
@engine_options()
def plan_dedupe(config: Config = None, include_review: Review = False,
                max_merges: MaxMerges = None, auto_apply_above: AutoApplyAbove = None,
                since_last: Annotated[bool, typer.Option(
                    "--since-last", help="Cost of the next nightly run (reads only what "
                                         "changed since the index; the index is kept).")]
                = False,
                as_json: Json = False,
                state_dir: StateDir = None,
                engine: EngineOptions = DEFAULTS) -> None:
    """Plan: find duplicate deals and show what merging them costs (calls, tokens, share of
    today's budget, time); nothing is written."""
    from jobs.dedupe.apply import ApplyOptions, planned_merges
    from jobs.dedupe.job import make_plan
    from jobs.dedupe.merge_job import recheck_reads
    from jobs.merging import PAIR_READS

    cfg = engine.config()
    token = engine.token()
    state = _state(state_dir, engine.job_dir)
    dcfg = _config(config, state)
    if (why := _below_floor(auto_apply_above, dcfg)) is not None:
        raise fail(f"usage: {why}", EXIT_USAGE)
    options = ApplyOptions(include_review, max_merges, auto_apply_above,
                           record_decisions=False)

    async def main() -> Any:
        with tempfile.TemporaryDirectory(prefix="pdbulk-dedupe-files-") as tmp:
            async with _reading(cfg, token) as s:
                out = await make_plan(s.ctx, dcfg, Path(tmp) / "files", state_dir=state,
                                      since_last=since_last)
                rt = dcfg.review_threshold
                wanted = planned_merges(out.result.groups, replace(options, max_merges=None), rt)
                members = sum(len(g.member_ids) for g in wanted)  # apply re-reads them all
                # --max-merges: whole groups in plan order, as apply takes them
                groups = planned_merges(out.result.groups, options, rt)
                merges = sum(len(g.merged_ids) for g in groups)
                patched = set(out.summary.get("field_policy_groups") or ())
                calls = Counter(s.stats.calls_by_operation)
                calls["getDeals"] += math.ceil(members / 100)  # the re-read before merging
                calls["getDeals"] += recheck_reads(groups, cfg.max_workers,
                                                   cfg.limits().burst)
                calls["mergeDeals"] += merges
                calls["getDeal"] += PAIR_READS * merges  # both deals, right before
                calls["updateDeal"] += sum(g.id in patched for g in groups)
                calls["getDeal"] += PAIR_READS * sum(g.id in patched for g in groups)
                left = None if (today := s.tokens_left_today()) is None \
                    else today + s.scheduler.statistics().tokens_spent
                return out, estimate("dedupe", calls, s.scheduler.limits, rows=len(groups),
                                     bad_rows=0, tokens_left_today=left,
                                     daily_tokens=s.scheduler.statistics().daily_limit,
                                     max_tokens=s.config.budget.max_tokens,
                                     usable_daily=s.scheduler.statistics().usable_daily,
                                     budget_source=budget_source(s.scheduler.statistics()),
                                     notes=[f"{out.summary['review_groups']} review-band "
                                            "group(s) need a person"
                                            + (" (included)" if include_review else "")])

    try:
        out, est = run_loop(main)
    except BulkError as exc:
        raise _api_failure(exc) from None
    if as_json:
        emit_json({**est.to_json(), "summary": out.summary})
        return
    chosen = planned_merges(out.result.groups, replace(options, max_merges=None),
                            dcfg.review_threshold)
    render_plan(est, console=Console(highlight=False, soft_wrap=True, markup=False), rows=(
        f"groups to merge: {len(chosen):,} ({sum(len(g.merged_ids) for g in chosen):,} deals "
        "merged away" + ("; review band included" if include_review else "") + ")"))
    for line in _plan_lines(out, options)[:3]:
        typer.echo(line)


__all__ = ["apply_command", "plan_command", "plan_dedupe", "run_command"]
