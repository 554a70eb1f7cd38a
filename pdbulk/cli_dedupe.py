"""``pdbulk dedupe plan | apply | run`` and ``pdbulk plan dedupe``.

Exit codes are the CLI's own (``pdbulk.options``: ``EXIT_*``, ``exit_code_for``;
README, "Dedupe"): 0 done (or nothing to merge); 1 bad input or configuration, or the
account could not be read: nothing sent; 2 usage error; 3 finished but some merges
failed, or a reviewer's decision = merge was not followed (x48r5 F3: asked for, not
done); 4 stopped checkpointed (resume the job); 5 authentication/permission
failure; 6 busy: another apply/run holds the state directory. Groups no person decided
skipped because their deals changed since the plan are named on the end lines and in
the job's files, not failures. Listed in ``pdbulk.cli.COMMANDS``.

Why ~670 lines: the four commands share one plan / load / run path (``_run_apply``) and
its one JSON summary, which cron jobs read; splitting it would split that contract.
"""

from __future__ import annotations

import math
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bulk.engine import META_COORDINATOR, Engine, EngineConfig
from bulk.errors import BulkError, InputError, StoreLost, Unauthorized, flags_only
from bulk.loop import run_loop
from bulk.manifest_kind import wrong_content
from bulk.runner import RunResult, recheck_batch
from bulk.state import scratch_dir
from bulk.store import ItemState, JobStore
from bulk.wording import counted

from .cli_ops import Json, Yes

if TYPE_CHECKING:  # imported where used: the other commands never load the matching code
    # and rapidfuzz (~5 MB of a 1,000,000-row plan import's peak RSS, issue 8)
    from jobs.dedupe.api import DedupeRun
    from jobs.dedupe.apply import ApplyOptions
    from jobs.dedupe.config import DedupeConfig
    from jobs.dedupe.job import PlanOutcome
    from jobs.planning import Plan
    from jobs.prepared import Prepared
from .options import (
    DEFAULTS,
    EXIT_AUTH,
    EXIT_BUSY,
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
    files_after_abort,
    folder,
    install_stop,
    plain,
    plan_flags,
    rate_limited_note,
    reset_words,
    resume_hint,
    say_line,
    show_traceback,
    stop_line,
    toml_file,
    unauthorized_advice,
)

Config = Annotated[Path | None, typer.Option("--config", help="Dedupe TOML. Without it: the "
                                             "copy of the last one `dedupe plan` / `dedupe "
                                             "run` was given, kept at STATE_DIR/config.toml "
                                             "(said on stderr), else the built-in defaults "
                                             "(jobs/dedupe/config.py); `dedupe plan` and "
                                             "`dedupe run` keep the one given there.",
                                             exists=True, dir_okay=False,
                                             callback=toml_file)]
StateDir = Annotated[Path | None, typer.Option(
    "--state-dir", envvar="PDBULK_DEDUPE_STATE", callback=folder,
    help="Keep-separate decisions, the merges applied and the nightly index (default: "
         "JOB_DIR/dedupe-state; an apply or run whose default one holds nothing while an "
         "earlier dedupe's holds state is refused, naming it).")]
MaxMerges = Annotated[int | None, typer.Option("--max-merges", min=0,
                                               help="Merge at most this many deals away: whole groups in plan "
                                                    "order; a group that would pass N is "
                                                    "skipped (and named), later groups that "
                                                    "fit are still taken (default: no limit).")]
Review = Annotated[bool, typer.Option("--include-review",
                                      help="Also merge the review band's groups that are "
                                           "there by their score alone (a mistyped title), "
                                           "never one a 'review at most: ...' rule holds "
                                           "(contradicting evidence, a repeat days apart, two "
                                           "persons, two amounts, a near word...) nor one "
                                           "whose reasons say nothing ties its deals to one "
                                           "customer ('two companies: ...', 'nothing ties the "
                                           "deals to one customer: ...': a catch-all org or "
                                           "person): those need decision = merge in groups.csv.")]


def _load_config(path: Path | None, state: Path, *, remember: bool) -> DedupeConfig:
    """The dedupe config (``jobs.dedupe.api.dedupe_config``; its note on stderr).
    InputError for a bad file (exit 1)."""
    from jobs.dedupe.api import dedupe_config

    return dedupe_config(path, state, remember=remember,
                         note=lambda line: typer.echo(line, err=True))


def _config(path: Path | None, state: Path, *, remember: bool = False) -> DedupeConfig:
    try:
        return _load_config(path, state, remember=remember)
    except InputError as exc:
        raise fail(str(exc)) from None


def _plan_dir(output: Path | None) -> None:
    """Refuse (exit 2, before anything is read) a plan directory that is an existing file."""
    from jobs.dedupe.api import plan_folder_problem

    if (why := plan_folder_problem(output)) is not None:
        raise fail(f"usage: {why}", EXIT_USAGE)


def _plan_arg(plan_dir: Path) -> None:
    """Refuse (exit 2, before the token or the account is read) a plan argument that is no
    plan folder: missing, a file, a folder without groups.csv (x19r1 F9: exit 1), or one
    whose groups.csv is no CSV text (``bulk.manifest_kind``: x44r4 F5, after the account's
    first read, exit 4 when it did not answer)."""
    why = ("no such folder" if not plan_dir.exists() else
           "a file, not a folder" if not plan_dir.is_dir() else
           "no groups.csv in it" if not (plan_dir / "groups.csv").is_file() else None)
    if why is not None:
        raise fail(f"usage: {plan_dir} is not a dedupe plan ({why}); make one with "
                   "`pdbulk dedupe plan -o DIR`", EXIT_USAGE)
    if (refused := wrong_content(plan_dir / "groups.csv", "csv",
                                     renamable=False)) is not None:
        raise fail(f"usage: {refused}", EXIT_USAGE)  # a zip or workbook saved as groups.csv


def _state(state_dir: Path | None, job_dir: Path) -> Path:
    return state_dir if state_dir is not None else job_dir / "dedupe-state"


def _warn(line: str) -> None:
    typer.echo(f"pdbulk: {line}", err=True)


def _describe(exc: BulkError) -> str:
    if isinstance(flags := getattr(exc, "flags", None), str):  # in the flags' words (x46r7 F5)
        return flags
    if auth_failure(exc):
        return f"{plain(exc)} — check the token and its scopes"
    return describe(exc)  # the one line every command ends in (options.describe)


def _api_failure(exc: BulkError) -> typer.Exit:
    """One line and the CLI's exit code for an error before anything was sent (after
    its traceback under PDBULK_DEBUG)."""
    show_traceback(exc)
    return fail(_describe(exc), exit_code_for(exc))


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
    from jobs.dedupe.evidence import not_included
    from jobs.dedupe.review import REVIEW

    s = out.summary
    deals, merge_tokens, patch_tokens = _to_merge(out, options)
    # review groups nothing ties to one customer or a "review at most" rule holds:
    # --include-review leaves them (x33r3 F1, x34r2 F3)
    untied_groups = sum(g.band == "review" and not_included(g.reasons) is not None
                        for g in out.result.groups)
    return [f"deals read: {out.deals_read:,}; compared: {s['deals_compared']:,}; candidate "
            f"pairs scored: {s['pairs_compared']:,}",
            f"groups: {s['groups']:,} ({s['duplicate_groups']:,} duplicate, "
            f"{s['review_groups']:,} review); deals to merge away: {deals:,}"
            + (f" (--auto-apply-above {options.auto_apply_above:g})"
               if options is not None and options.auto_apply_above is not None else "")
            + (f" (--max-merges {options.max_merges:,})"
               if options is not None and options.max_merges is not None else "")
            + (f"; {counted(untied_groups, 'review group')} nothing ties to one customer "
               "or a 'review at most' rule holds (catch-all, two companies, a repeat, "
               "contradicting evidence...): --include-review leaves them, decision = merge "
               "takes them" if untied_groups else ""),
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
    from jobs.dedupe.api import DedupePlan, plan_dedupe, reads_line
    from jobs.dedupe.job import left_out_line, review_again_line

    _plan_dir(output)
    cfg = engine.config()
    token = engine.token(creates=False)
    state = _state(state_dir, engine.job_dir)
    # a --config given is read here (a bad file: exit 1 before any call) and kept once the
    # folder is bound (f40c); none given: the library reads the folder's copy, or the
    # company's newer one (f40c: the copy passed as given hid the company's from the plan)
    dcfg = _config(config, state) if config is not None else None

    async def main() -> DedupePlan:
        return await plan_dedupe(cfg, token, output, config=dcfg, since_last=since_last,
                                 state_dir=state_dir, note=_warn, keep=config)

    try:
        plan = run_loop(main)
    except BulkError as exc:
        raise _api_failure(exc) from None
    out = plan.outcome
    for line in _plan_lines(out):
        typer.echo(line)
    if (late := left_out_line(out.result.groups)) is not None:
        typer.echo(late)  # f37d 1: in no group tonight, and why
    if (again := review_again_line(out.summary)) is not None:
        typer.echo(again)  # undecided review groups come back until decided
    typer.echo(reads_line(plan.reads))  # what the plan itself spent (x33r1 L6)
    if out.index is not None:
        from jobs.dedupe.index import index_state

        typer.echo(f"index: {index_state(out.index)}, kept with the plan (`dedupe apply` "
                   "makes it the nightly index)")


# -- dedupe apply -------------------------------------------------------------------------------
def _run_apply(cfg: EngineConfig, token: str, plan_dir: Path | None, options: ApplyOptions, *,
               state: Path | None, yes: bool, quiet: bool, dcfg: DedupeConfig | None = None,
               since_last: bool = False, output: Path | None = None,
               error: dict[str, str] | None = None,
               given: bool = True, keep: Path | None = None
               ) -> tuple[dict[str, Any], int]:
    """(Plan, if ``dcfg``, then) load and run a dedupe job (``jobs.dedupe.api``: its
    lines here, on stderr with ``quiet``); its summary and exit code. ``state``: --state-dir
    (None: the job dir's, checked by ``jobs.dedupe.api.used_state``). ``given`` False: no
    --config, ``dcfg`` is the state directory's copy, which the company's shared config
    replaces under a coordinator (x40r3 F3: passed as given, the run planned with the old
    copy and wrote the shared one over it without a word). An error before anything was
    sent: its line goes to ``error["error"]``, then exit."""
    from rich.console import Console

    from jobs.dedupe.api import DedupeHooks, DedupePlan, apply_dedupe, run_dedupe
    from jobs.planning import render_plan

    job: list[tuple[str, Path]] = []

    def say(line: str) -> None:
        say_line(line, err=quiet)

    def warn(line: str) -> None:  # on stderr (cron's log)
        typer.echo(f"pdbulk: {line}", err=True)

    def on_plan(plan: DedupePlan) -> None:
        for line in _plan_lines(plan.outcome, options):
            say(line)

    def on_loaded(s: Engine, store: JobStore, prep: Prepared, cost: Plan) -> None:
        if dcfg is None and not quiet:  # x21r2 F3: the cost before the prompt, as merge's
            groups = len({i.payload.get("group_id") for i in prep.items
                          if i.state is ItemState.PENDING and i.op == "merge"
                          and not i.payload.get("already")})
            render_plan(cost, console=Console(
                highlight=False, soft_wrap=True, markup=False),
                rows=f"merges to send: {prep.actions['merge']:,} ({groups:,} group(s))")

    async def execute(s: Engine, store: JobStore) -> RunResult:
        return await _send(store, s, quiet)  # looked up here: tests stand a kill in for it

    hooks = DedupeHooks(on_line=say, on_warning=warn, on_job=lambda *j: job.append(j),
                        on_plan=on_plan, on_loaded=on_loaded, execute=execute,
                        shows_result=not quiet)

    async def main() -> DedupeRun:
        if dcfg is not None:
            # no --config: the library reads the copy again (silently: said above) and
            # takes the company's shared config over it, saying so
            return await run_dedupe(cfg, token, config=dcfg if given else None, keep=keep,
                                    since_last=since_last,
                                    max_merges=options.max_merges,
                                    auto_apply_above=options.auto_apply_above, output=output,
                                    state_dir=state, hooks=hooks)
        assert plan_dir is not None
        return await apply_dedupe(cfg, token, plan_dir, include_review=options.include_review,
                                  max_merges=options.max_merges,
                                  confirm=None if yes else confirmed, state_dir=state,
                                  hooks=hooks)

    restore = install_stop([])  # before the merges: a signal interrupts the plan or load
    try:
        run = run_loop(main)
    except KeyboardInterrupt:
        # SIGTERM / Ctrl-C while planning or loading (x11r1 M2: exit 143, no JSON, a job
        # left "planned"): the run's own stop handling starts with the merges, so nothing
        # was sent here — the job is removed (``discard_unsent``), as an import's cut-short
        # load is
        if job and job[0][1].exists():
            files_after_abort(job[0][1])  # the merges settled so far, row by row
            raise fail("aborted while merging; resume with: "
                       f"{resume_hint(job[0][0], cfg.job_root)}", EXIT_STOPPED) from None
        message = ("interrupted while planning or loading, before any merge was sent: "
                   "nothing was merged; run it again")
        if error is not None:
            error["error"] = message
        raise fail(message) from None
    except BulkError as exc:  # nothing sent (``discard_unsent`` removed the job), or an
        # earlier job applies the plan (x18r4 2): its line, exit 1
        if error is not None:
            error["error"] = _describe(exc)
        raise _api_failure(exc) from None
    finally:
        restore()
    summary = run.to_json()
    return summary, _older_left(run, _outcome(run, summary, say, cfg), cfg)


# the states of an earlier dedupe job (``jobs.dedupe.interrupted.Unfinished``) whose merges
# are unfinished, some perhaps in doubt: a run that ends well exits 3 while one is left
_LEFT_UNFINISHED = frozenset({"interrupted", "stopped"})


def _older_left(run: DedupeRun, code: int, cfg: EngineConfig) -> int:
    """``code``, or EXIT_ROWS_FAILED (3: done, with something to look at) when it is
    EXIT_OK and an earlier dedupe job under the job root is left interrupted or stopped
    (x47r3 F6: a nightly run exited 0 while a killed run's job stayed interrupted, one
    stderr line saying so, and cron's ``|| mail`` never fired); the closing stderr line
    names each such job and its ``pdbulk resume``. Other codes are kept (they say more)."""
    left = [o for o in run.interrupted_jobs if o.state in _LEFT_UNFINISHED]
    if code != EXIT_OK or not left:
        return code
    named = "; ".join(f"{o.job_id} ({o.state}): {resume_hint(o.job_id, cfg.job_root)}"
                      for o in left)
    one = len(left) == 1
    typer.echo(f"pdbulk: exit 3: this run is done, but {counted(len(left), 'earlier dedupe job')}"
               f" {'is' if one else 'are'} left unfinished, {'its' if one else 'their'} "
               f"merges in no report: {named}", err=True)
    return EXIT_ROWS_FAILED


def _outcome(run: DedupeRun, summary: dict[str, Any], say: Callable[[str], None],
             cfg: EngineConfig) -> int:
    """The lines of how the run ended, ``summary["status"]`` as the CLI says it, and the
    exit code."""
    if run.job_id is None or run.directory is None:  # nothing to merge: no job kept
        return _not_followed(run) if run.refused_decisions else EXIT_OK
    if run.status == "cancelled":  # on stderr, as every command's (x12r6 F6: cron's log)
        with JobStore.open(run.directory, lock=False) as store:
            why = store.status_message
        typer.echo(f"pdbulk: {cancelled_line(run.job_id, why)}", err=True)
        return EXIT_INPUT  # declined, or no one to answer (cron): not done (x12r4 F2)
    result = run.result
    if result is not None and result.stats.rate_limited:
        with JobStore.open(run.directory, lock=False) as store:
            coordinator, flags = store.meta_get(META_COORDINATOR), plan_flags(store.config)
        if (note := rate_limited_note(result.stats.rate_limited, coordinator,
                                      others=result.stats.others_seen,
                                      room=result.stats.refused_with_room,
                                      unheard=result.stats.refused_unheard,
                                      plan=flags, window=cfg.window,
                                      stopped=run.status == "stopped",
                                      budget=result.stats.refused_for_budget,
                                      reset_heard=result.stats.reset_heard)) is not None:
            say(note)
    error = result.error if result is not None else None
    if run.status == "stopped" and auth_failure(error):
        summary["status"] = "unauthorized"
        say(f"stopped: {plain(error) if error is not None else 'no detail'}"
            + (unauthorized_advice(error) if isinstance(error, Unauthorized)
               else " — check the token and its scopes"))
        return EXIT_AUTH
    if run.status == "stopped":
        said = f"stopped: {flags_only(str(error))}" if error is not None else None
        if isinstance(error, StoreLost):  # no store left to resume (f25a)
            say(f"{said}")
            return EXIT_STOPPED
        if said is None:  # a signal: the job's own words, as status says them (x31r3 2)
            with JobStore.open(run.directory, lock=False) as store:
                said = stop_line(store.status_message)
        say(f"{said}{reset_words(error)}; resume with: "
            f"{resume_hint(run.job_id, cfg.job_root)}")
        return EXIT_STOPPED
    if run.failed or run.policy_strays:
        return EXIT_ROWS_FAILED
    if run.refused_decisions:  # asked for, not done: not a clean night (x48r5 F3)
        return _not_followed(run)
    if run.left_elsewhere:  # held elsewhere: that run merges them, nothing refused (x48r14)
        from jobs.dedupe.merge_job import left_line

        typer.echo(left_line(run.left_elsewhere), err=True)
        return EXIT_BUSY
    return EXIT_OK


def _not_followed(run: DedupeRun) -> int:
    """EXIT_ROWS_FAILED, with the closing stderr line: reviewers' ``decision = merge`` not
    followed by the job (refused or held: succeeded.csv says why) or, a run's, an earlier
    plan's named not taken tonight (x51r6 F2: such nights exited 0)."""
    parts = []
    if followed := run.refused_decisions - run.not_taken:
        parts.append(f"{counted(followed, 'reviewer decision')} = merge not followed (named "
                     "above, succeeded.csv says why)")
    if pending := run.not_taken - run.never:
        parts.append(f"{counted(pending, 'reviewer decision')} = merge not taken, "
                     "written in an earlier plan's groups.csv (named above with what "
                     "settles each; named every night until taken)")
    if run.never:  # x51r14 F4: not "every night until taken": said once, settled tonight
        parts.append(f"{counted(run.never, 'reviewer decision')} = merge that can never be "
                     "taken, written in an earlier plan's groups.csv (a deal gone or a pair "
                     "kept separate since; named above, said this night only)")
    typer.echo(f"pdbulk: exit 3: {'; '.join(parts)}: the merges a reviewer asked for are "
               "not done", err=True)
    return EXIT_ROWS_FAILED


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
    token = engine.token(creates=False)
    _, code = _run_apply(cfg, token, plan_dir, ApplyOptions(include_review, max_merges),
                         state=state_dir, yes=yes, quiet=False)
    if code:
        raise typer.Exit(code)


# -- dedupe run ---------------------------------------------------------------------------------
AutoApplyAbove = Annotated[float | None, typer.Option(
    "--auto-apply-above", min=0.0, max=1.0,
    help="Merge only the duplicate band's groups scoring at least this, 0 to 1 (default: the whole "
         "duplicate band); below the duplicate threshold is a usage error (exit 2): the "
         "review band is never merged unattended.")]


def _below_floor(auto_apply_above: float | None, dcfg: DedupeConfig) -> str | None:
    """Why ``--auto-apply-above`` is refused (``jobs.dedupe.api.auto_apply_problem``)."""
    from jobs.dedupe.api import auto_apply_problem

    return auto_apply_problem(auto_apply_above, dcfg)


# x31r1 6: `dedupe apply --yes` in a cron line changed to `dedupe run --yes` was "No such
# option", exit 2: run takes --yes as apply does, though it has nothing to ask
RunYes = Annotated[bool, typer.Option("--yes", "-y", help="Accepted as `dedupe apply` "
                                      "takes it; run never asks anyway.")]


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
                yes: RunYes = False,
                engine: EngineOptions = DEFAULTS) -> None:
    """Plan and apply in one step, for cron: never asks, merges only the duplicate band
    (or above --auto-apply-above), leaves the review band in the plan."""
    from jobs.dedupe.apply import ApplyOptions

    error: dict[str, str] = {}
    try:  # with --json, every way this ends prints one JSON object (monitoring reads it)
        try:
            dcfg = _load_config(config, _state(state_dir, engine.job_dir), remember=False)
            if (why := _below_floor(auto_apply_above, dcfg)) is not None:
                error["error"] = why
                raise fail(f"usage: {why}", EXIT_USAGE)
            if output is not None and output.exists() and not output.is_dir():
                error["error"] = f"-o/--output {output} is a file; give a directory for the plan"
            _plan_dir(output)
            cfg = engine.config()
            token = engine.token(creates=False)
            summary, code = _run_apply(cfg, token, None, ApplyOptions(
                max_merges=max_merges, auto_apply_above=auto_apply_above),
                state=state_dir, yes=True, quiet=as_json, dcfg=dcfg,
                since_last=since_last, output=output, error=error, given=config is not None,
                keep=config)
        except InputError as exc:
            error["error"] = said = str(getattr(exc, "flags", exc))  # StateAdvice: the flags
            raise fail(said) from None
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
    from rich.console import Console

    from jobs.dedupe.api import (
        account_company,
        bind_state,
        company_dedupe_config,
        plan_reads,
        reading,
        reads_line,
        used_state,
    )
    from jobs.dedupe.apply import ApplyOptions, planned_merges
    from jobs.dedupe.held_now import names_calls, wanted_ids
    from jobs.dedupe.job import make_plan
    from jobs.dedupe.merge_cap import MergeCap
    from jobs.dedupe.merge_job import recheck_reads
    from jobs.dedupe.planfiles import read_records
    from jobs.merging import PAIR_READS
    from jobs.planning import budget_source, estimate, render_plan

    cfg = engine.config()
    token = engine.token(creates=False)
    state = used_state(cfg, state_dir, writes=False, note=_warn, remember=False)
    dcfg = _config(config, state)
    if (why := _below_floor(auto_apply_above, dcfg)) is not None:
        raise fail(f"usage: {why}", EXIT_USAGE)
    options = ApplyOptions(include_review, max_merges, auto_apply_above,
                           record_decisions=False)

    cap = MergeCap(max_merges)

    async def main() -> Any:
        nonlocal dcfg
        with tempfile.TemporaryDirectory(prefix="pdbulk-dedupe-files-",
                                         dir=scratch_dir()) as tmp:
            async with reading(cfg, token) as s:
                company = await account_company(s.ctx)  # as the run learns it (x38r2 F3)
                bind_state(cfg, state, company, explicit=state_dir is not None, writes=False,
                           note=_warn, remember=False)
                # the company's config under a shared coordinator, read only (f39c)
                dcfg = await company_dedupe_config(state, dcfg, given=config is not None,
                                                   share=False, note=_warn,
                                                   copy=config is None)
                out = await make_plan(s.ctx, dcfg, Path(tmp) / "files", state_dir=state,
                                      since_last=since_last)
                rt = dcfg.review_threshold
                wanted = planned_merges(out.result.groups, replace(options, max_merges=None), rt)
                members = sum(len(g.member_ids) for g in wanted)  # apply re-reads them all
                records = read_records(Path(tmp) / "files")
                # --max-merges: whole groups in plan order, as apply takes them (one
                # choice: ``MergeCap``, whose note names those left over it, x48r5 F1)
                groups = planned_merges(out.result.groups, options, rt, cap)
                merges = sum(len(g.merged_ids) for g in groups)
                patched = set(out.summary.get("field_policy_groups") or ())
                reads = await plan_reads(s)
                calls = Counter(s.stats.calls_by_operation)
                calls["getDeals"] += math.ceil(members / 100)  # the re-read before merging
                # ... and the names of their orgs and persons (``held_now``: x37r2 F2)
                calls.update(names_calls(*map(len, wanted_ids(
                    records.get(i) for g in wanted for i in g.member_ids))))
                # ... and each batch's re-check: its deals, and their orgs' and persons' names
                checks = recheck_reads(groups, cfg.max_workers, s.scheduler.limits.burst, records)
                calls.update(checks)
                calls["mergeDeals"] += merges
                calls["getDeal"] += PAIR_READS * merges  # both deals, right before
                calls["updateDeal"] += sum(g.id in patched for g in groups)
                calls["getDeal"] += PAIR_READS * sum(g.id in patched for g in groups)
                left = None if (today := s.tokens_left_today()) is None \
                    else today + s.scheduler.statistics().tokens_spent
                # the merges counted too (x45r7 F7: ``--json`` said ``"merges": null``)
                return out, reads, replace(estimate(
                                     "dedupe", calls, s.scheduler.limits, rows=len(groups),
                                     bad_rows=0, tokens_left_today=left,
                                     daily_tokens=s.scheduler.statistics().daily_limit,
                                     max_tokens=s.config.budget.max_tokens,
                                     usable_daily=s.scheduler.statistics().usable_daily,
                                     budget_source=budget_source(s.scheduler.statistics()),
                                     gating=checks, batches=-(-merges // max(
                                         1, recheck_batch(cfg.max_workers,
                                                          s.scheduler.limits.burst))),
                                     notes=[f"{out.summary['review_groups']} review-band "
                                            "group(s) need a person"
                                            + (" (included)" if include_review else ""),
                                            *filter(None, [cap.note()])]),
                                     merges=merges)

    try:
        out, reads, est = run_loop(main)
    except BulkError as exc:
        raise _api_failure(exc) from None
    # a reviewer's decisions in an earlier night's groups.csv, priced above (x42r2 F1)
    from jobs.dedupe.earlier_decisions import apply_command as taking
    from jobs.dedupe.earlier_decisions import lines, warnings

    for line in [*lines(out.earlier),
                 *warnings(out.earlier, lambda p: taking(p, cfg.job_root, state))]:
        _warn(line)
    if as_json:
        emit_json({**est.to_json(), "summary": out.summary,
                   "plan_reads": {op: {"calls": n, "tokens": t} for op, (n, t) in reads.items()}})
        return
    # the groups the cap lets through, as the table prices them (x48r5 F1: every group was
    # counted here, "44 (48 deals merged away)" over 10 merges)
    chosen = planned_merges(out.result.groups, options, dcfg.review_threshold)
    render_plan(est, console=Console(highlight=False, soft_wrap=True, markup=False), rows=(
        f"groups to merge: {len(chosen):,} "
        f"({counted(sum(len(g.merged_ids) for g in chosen), 'deal')} merged away"
        + ("; review band included" if include_review else "")
        + (f"; --max-merges {max_merges:,}" if max_merges is not None else "") + ")"))
    for line in _plan_lines(out, options)[:3]:
        typer.echo(line)
    # spent already, to plan (in the table's calls too): what the plan itself cost (x33r1 L6)
    typer.echo(reads_line(reads) + ", spent already (counted in the table above)")


__all__ = ["apply_command", "plan_command", "plan_dedupe", "run_command"]
