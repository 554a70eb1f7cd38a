"""The library's door to dedupe: plan a dedupe, apply a plan and the nightly run, as
``pdbulk dedupe plan | apply | run`` do them, without the terminal (``pdbulk.cli_dedupe``
is built on this module: one code path)::

    plan = await plan_dedupe(cfg, token, "dedupe-plan")        # reads only
    print(plan.duplicate_groups, plan.review_groups, plan.directory)
    done = await apply_dedupe(cfg, token, plan.directory, confirm=lambda q: True)
    night = await run_dedupe(cfg, token, since_last=True, max_merges=50)
    print(night.status, night.merged, [j.job_id for j in night.interrupted_jobs])

The state directory (``state_dir``, default ``cfg.job_root / "dedupe-state"``, as the
CLI's ``--state-dir``) keeps the keep-separate decisions, the merges applied, the config
the last plan was given and the nightly index; one apply or run holds it at a time
(``StateBusy``, a ``JobBusy``). An apply or run is a job under ``cfg.job_root`` (``pdbulk
jobs`` lists it; a stopped one is finished with ``jobs.resume_job``).

It never prints and never reads stdin: what the CLI shows comes through ``DedupeHooks``
(by default the lines go into ``DedupeRun.lines``).

Why ~790 lines: plan, apply and run are one path (a run plans, then applies as apply
does; the CLI's four commands read it too), with its one outcome type whose ``to_json``
is the summary cron jobs read; split, the three would drift apart.
"""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import anyio

from bulk.calls import CallContext
from bulk.clock import Clock, in_thread
from bulk.coordinator import bound_company, coordinator_url
from bulk.engine import CONFIG_CREATES, CONFIG_READS_ONLY, Engine, EngineConfig, new_job_id
from bulk.errors import BulkError, InputError, JobBusy
from bulk.runner import RunResult
from bulk.state import scratch_dir
from bulk.store import Item, ItemState, JobStore
from bulk.transport import Transport
from bulk.wording import counted

from .. import setting_checks as checks
from ..budget_stop import first_write_line
from ..confirming import ask
from ..finished import tokens_of
from ..merging import merge_counts
from ..planning import Plan, budget_source, estimate
from ..prepared import Prepared
from ..rechecks import recheck_batches, recheck_calls
from ..results import tokens_line
from ..resume_account_now import resume_first_calls
from ..resuming import resume_hint
from . import job as planning  # looked up when called: a test stands a signal in for it
from .apply import (
    BY_HAND,
    EDITS,
    INDEX_DUE,
    KIND,
    REFUSED,
    ApplyOptions,
    merged_away,
    prepare_apply,
    record_intended,
    unfinished,
)
from .apply_claims import left_to_another_run
from .config import DedupeConfig
from .earlier_decisions import apply_command, record_kept, settle_never
from .earlier_decisions import lines as earlier_lines
from .earlier_decisions import warnings as earlier_warnings
from .index import (
    forget_merged,
    remember_config,
    remembered_config,
    save_plan_index,
    state_lock,
)
from .interrupted import Unfinished, abandoned_jobs, unfinished_apply, unfinished_jobs
from .job import PlanOutcome, left_out_line, review_again_line
from .model import Group
from .retention import new_run_plan, prune_plans
from .state_home import StateAdvice, lost_state, note_state, other_account, own_state

STATE = "dedupe-state"  # the state directory's name under the job root (the default)
_SENT = ("running", "stopped", "finished")  # a job's statuses once its merges may have gone


def state_folder(cfg: EngineConfig, state_dir: Path | str | None = None) -> Path:
    """The state directory: ``state_dir``, else ``cfg.job_root / "dedupe-state"``."""
    return Path(state_dir) if state_dir is not None else cfg.job_root / STATE


def used_state(cfg: EngineConfig, state_dir: Path | str | None, *, writes: bool,
               note: Callable[[str], None] | None = None, remember: bool = True) -> Path:
    """The state directory a plan (``writes`` False), apply or run (True) uses
    (``state_folder``), noted in the user's state folder (``state_home.note_state``; not
    when ``remember`` is False: ``pdbulk plan dedupe`` writes nothing). When it
    is the default one (``state_dir`` None: under the job root, so relative to the working
    directory by default) and holds nothing while one an earlier dedupe noted does
    (``state_home.lost_state``: a cron line without its ``cd``, x35r2 3): an apply or run
    raises InputError naming it (its keep-separate decisions would be ignored and groups a
    reviewer kept apart merged), a plan tells ``note`` (``warning: ...``). A state directory
    that records another account (``state_home.other_account``, x37r3 F2: its keep-separate
    decisions and index are that account's) raises InputError for a plan, apply or run
    alike — by URL only for a folder that records no company: one that does is judged by
    its company once it is learned (``bind_state``; x39r1 F2: company A's folder at
    http://localhost:PORT was refused as recorded at http://127.0.0.1:PORT, as a move from
    https://api.pipedrive.com to https://COMPANY.pipedrive.com would be); one that records
    none is adopted by ``bind_state`` with the company. Only a folder of this account is
    named as lost."""
    state = state_folder(cfg, state_dir)
    if (why := other_account(state, cfg.base_url)) is not None:
        raise InputError(why)
    if state_dir is None and (why := lost_state(state, cfg.base_url,
                                                job_root=cfg.job_root)) is not None:
        shared = ""
        if coordinator_url() is not None:  # x40r3 F5: why a coordinator does not lift it
            shared = (" (the shared coordinator carries the keep-separate decisions and the "
                      "config, not the merges applied there — the guards a survivor keeps of "
                      "what it absorbed — nor the nightly index)")
            why += shared
        if writes:  # the library's words, and the CLI's (x46r7 F5)
            said = lost_state(state, cfg.base_url, job_root=cfg.job_root, library=True)
            raise StateAdvice(f"{said}{shared}", why)
        if note is not None:
            note(f"warning: {why}")
    if remember:
        note_state(state, base_url=cfg.base_url)
    return state


def state_problem(cfg: EngineConfig, state: Path, exc: OSError, *, explicit: bool) -> str:
    """Why the dedupe state folder ``state`` cannot be made or held (``exc``), naming
    what chose it: ``--state-dir`` / ``$PDBULK_DEDUPE_STATE`` (the library's
    ``state_dir``) when ``explicit``, else the default under the job folder root (x41r1
    M2: "No such file or directory: /proc/self/dd" named neither)."""
    why = exc.strerror or type(exc).__name__
    if isinstance(exc, FileExistsError | NotADirectoryError):
        why = "it, or a folder above it, is a file"
    named = ("given by --state-dir or $PDBULK_DEDUPE_STATE (the library's state_dir)"
             if explicit else f"the default, under the job folder root {cfg.job_root} "
             "(--job-dir or $PDBULK_JOB_DIR; EngineConfig.job_root): give --state-dir")
    return (f"cannot make or use the dedupe state folder {state} ({named}): {why}; "
            "nothing was sent and no job was made")


async def account_company(ctx: CallContext) -> str:
    """The company id of the account ``ctx`` reads: the one a shared coordinator bound the
    run to (``bulk.coordinator.bound_company``: no call), else ``GET /v1/users/me``'s
    ``data.company_id`` (``getCurrentUser``, 2 tokens; openapi-v1.yaml, FACTS.md "Who am
    I"). Every company is behind https://api.pipedrive.com: the URL alone does not tell a
    state directory's account (x38r2 F3). Raises the API's errors of that read."""
    if (company := bound_company()) is not None:
        return company
    answer = await ctx.call("getCurrentUser")
    return str(answer.data["company_id"])


def bind_state(cfg: EngineConfig, state: Path, company: str, *, explicit: bool,
               writes: bool, note: Callable[[str], None] | None = None,
               remember: bool = True) -> None:
    """The checks of ``used_state`` again, once the account's company ``company`` is
    learned (``account_company``), before the state directory ``state`` is read: InputError
    when it records another company (``state_home.other_account``, x38r2 F3: company B's
    night run compared B's deals against company A's index, on the same URL); when it is
    the default one (not ``explicit``) and holds nothing while a folder of this company
    does (``state_home.lost_state``): InputError for an apply or run (``writes``), a
    warning told ``note`` for a plan. When ``remember``: the company is recorded in the
    folder (``state_home.own_state``; a folder that recorded a URL only adopts it once,
    told ``note``). Blocking (files): call it off the loop."""
    if (why := other_account(state, cfg.base_url, company)) is not None:
        raise InputError(why)
    if not explicit and (why := lost_state(state, cfg.base_url, company)) is not None:
        if writes:
            raise StateAdvice(str(lost_state(state, cfg.base_url, company, library=True)), why)
        if note is not None:
            note(f"warning: {why}")
    if remember:
        try:
            adopted = own_state(state, cfg.base_url, company)
        except OSError as exc:
            raise InputError(f"cannot write the dedupe state {state}: "
                             f"{exc.strerror or exc}") from None
        if adopted is not None and note is not None:
            note(adopted)


def dedupe_config(config: DedupeConfig | Path | str | None, state: Path, *,
                  remember: bool = True,
                  note: Callable[[str], None] | None = None) -> DedupeConfig:
    """The matching config: ``config`` itself (a ``DedupeConfig``), or the TOML file it
    names, else the one the state directory kept from an earlier run, else the defaults.
    Writes nothing: a file given is kept in the state directory by ``keep_config`` once the
    run has bound the folder to its company (``bind_state``; f40c: the copy was written
    before, into a folder the run then refused as another company's). Says nothing either:
    which config is in force is said once the folder is bound and the company's checked
    (``company_dedupe_config``'s ``copy`` note, a run's ``dedupe config:`` line; x40r4 F5:
    said here, a run told "using the copy" and then "another host's is in force", or told
    it before it refused the folder). ``remember`` and ``note`` are accepted for callers of
    old. InputError for a bad file."""
    del remember, note  # kept by keep_config, after bind_state; said after it
    if isinstance(config, DedupeConfig):
        return config
    if config is None:
        kept = remembered_config(state)
        return DedupeConfig.default() if kept is None else DedupeConfig.load(kept[0])
    return DedupeConfig.load(Path(config))


def copy_line(state: Path) -> str | None:
    """The note of a plan given no ``--config`` that matches with the state directory's
    copy of the last one given (``remembered_config``), None when there is none."""
    kept = remembered_config(state)
    if kept is None:
        return None
    return (f"note: no --config: using the dedupe config the last run was given, kept in "
            f"{kept[0]} (sha256 {kept[1]}); pass --config to change it, or delete that file "
            "for the defaults")


def keep_config(state: Path, config: DedupeConfig | Path | str | None) -> None:
    """Keep a copy of the config file ``config`` names (not an object, not None) in the
    state directory ``state`` (``index.remember_config``: the next run given no
    ``--config`` matches the same way). Call it after ``bind_state`` accepted the folder:
    a folder refused as another company's is left untouched (f40c). Blocking (files).
    InputError when the copy cannot be written."""
    if config is None or isinstance(config, DedupeConfig):
        return
    try:
        remember_config(state, Path(config))
    except OSError as exc:
        raise InputError(f"cannot keep the dedupe config in {state}: "
                         f"{exc.strerror or exc}") from None


async def company_dedupe_config(state: Path, dcfg: DedupeConfig, *, given: bool, share: bool,
                                note: Callable[[str], None] | None = None,
                                copy: bool = False) -> DedupeConfig:
    """``dcfg``, or under a shared coordinator the dedupe config the company's hosts run
    with when another host's is newer (``decisions.company_config``, f39c); ``given``: the
    caller passed a config of its own (a file: shared when ``share``; an object: kept).
    ``share`` False (a plan) reads only. ``note`` is told when the company's is taken, or,
    with ``copy`` (``dcfg`` is the state directory's copy: no ``--config``), that the copy
    is in force when it is (``copy_line``): one note, the true one (x40r4 F5). Raises
    CoordinatorLost, InputError (a config the journal holds that does not parse)."""
    from .decisions import company_config

    shared = await in_thread(lambda: company_config(state, share=share))
    if shared is None or given:
        if copy and not given and note is not None \
                and (line := await in_thread(lambda: copy_line(state))) is not None:
            note(line)
        return dcfg
    data, line = shared
    if note is not None:
        note(line)
    try:
        return DedupeConfig.default() if data is None else DedupeConfig.from_mapping(
            tomllib.loads(data.decode("utf-8")))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"the dedupe config shared on the coordinator does not parse: "
                         f"{exc}") from None


def _config_line(state: Path, adopt: bool, used: DedupeConfig) -> str:
    """Which dedupe config ``used`` a run plans with (x40r3 F3: a run said nothing of it):
    the file it was given, the state directory's copy of the last one (``adopt``), the
    defaults, or a library caller's own; with the copy's SHA-256 (12 hex digits), as the
    company's shared entry is named."""
    kept = remembered_config(state)
    try:
        same = kept is not None and DedupeConfig.load(kept[0]) == used
    except InputError:  # a damaged copy: the run's own config is said below
        same = False
    if kept is not None and same:
        how = "the copy the last run was given" if adopt else "as given, kept"
        return f"dedupe config: {how} ({kept[0]}, sha256 {kept[1]})"
    if used == DedupeConfig.default():
        return "dedupe config: the defaults (none given, kept or shared)"
    return "dedupe config: the caller's own (not kept in the state directory)"


def plan_folder_problem(output: Path | str | None) -> str | None:
    """Why ``output`` cannot hold a plan (an existing file), else None."""
    if output is not None and Path(output).exists() and not Path(output).is_dir():
        return (f"-o/--output {output} is a file; give a directory for the plan (created "
                "when missing)")
    return None


def auto_apply_problem(auto_apply_above: float | None, dcfg: DedupeConfig) -> str | None:
    """Why ``auto_apply_above`` is refused, else None: below the duplicate threshold it
    would merge review groups unattended, "review at most" pairs among them (x21r2 F1:
    `Rollout Linz` / `Lienz` at 0.800 merged by --auto-apply-above 0.8)."""
    if auto_apply_above is None or auto_apply_above >= dcfg.duplicate_threshold:
        return None
    return (f"--auto-apply-above {auto_apply_above:g} is below the duplicate threshold "
            f"{dcfg.duplicate_threshold:g} (the duplicate band's floor): the review band is "
            "never merged unattended; give at least "
            f"{dcfg.duplicate_threshold:g}, or decide review groups in groups.csv and "
            "`dedupe apply` the plan")


@asynccontextmanager
async def reading(cfg: EngineConfig, token: str, *, clock: Clock | None = None,
                  transport: Transport | None = None) -> AsyncIterator[Engine]:
    """An engine for reads only (plans): a throwaway store keeps the call ledger."""
    with tempfile.TemporaryDirectory(prefix="pdbulk-dedupe-", dir=scratch_dir()) as tmp:
        store = JobStore.create(Path(tmp) / "plan", job_id="plan", kind=KIND,
                                config={CONFIG_CREATES: False, CONFIG_READS_ONLY: True})
        try:
            async with Engine.open(cfg, token, store=store, clock=clock,
                                   transport=transport) as s:
                yield s
        finally:
            store.close()


@dataclass(frozen=True, slots=True)
class DedupePlan:
    """A dedupe plan as written: ``directory`` (groups.csv, pairs.csv, summary.json,
    deals.jsonl, review.html), ``groups`` (each with ``id``, ``survivor_id``,
    ``merged_ids``, ``band`` "duplicate" | "review", ``score`` 0..1 and ``reasons``),
    ``summary`` (summary.json's contents), ``deals_read`` (deals pulled from the account)
    and ``outcome`` (``make_plan``'s, with the refreshed nightly index). Two costs, in
    API tokens (Pipedrive's token units): ``read_tokens`` (and ``reads`` by operation) is
    what making this plan spent; ``tokens`` is what applying it would spend (x46r7 F4:
    the README printed ``tokens``, 0 for a plan of no merge, as the plan's)."""

    directory: Path
    groups: tuple[Group, ...]
    summary: Mapping[str, Any]
    deals_read: int
    outcome: PlanOutcome = field(repr=False)
    # what the plan's own reads cost: operation id -> (calls, tokens), e.g.
    # {"getStages": (1, 5), "getDealFields": (1, 10), "getDeals": (2, 20)}
    reads: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def duplicate_groups(self) -> int:
        """Groups in the duplicate band (score at least the duplicate threshold): what
        ``apply_dedupe`` merges without a decision."""
        return int(self.summary["duplicate_groups"])

    @property
    def review_groups(self) -> int:
        """Groups in the review band (between the review and the duplicate thresholds):
        merged only with ``decision = merge`` in groups.csv or ``include_review``."""
        return int(self.summary["review_groups"])

    @property
    def deals_to_merge_away(self) -> int:
        """The duplicate band's deals merged away into their survivors."""
        return int(self.summary["deals_to_merge_away"])

    @property
    def tokens(self) -> int:
        """The apply's cost, not the plan's: API tokens (Pipedrive's token units) the
        duplicate band's merges and field-policy PATCHes would spend when the plan is
        applied. What making the plan spent is ``read_tokens``."""
        t = self.summary["tokens"]
        return int(t["merges"]) + int(t["patches"])

    @property
    def read_tokens(self) -> int:
        """The plan's own cost: API tokens its reads spent (the sum of ``reads``; the
        "reads for this plan" line of ``pdbulk dedupe plan``). ``tokens`` is the apply's."""
        return sum(tokens for _, tokens in self.reads.values())


def _plan(out: PlanOutcome) -> DedupePlan:
    return DedupePlan(out.directory, out.result.groups, out.summary, out.deals_read, out)


async def plan_dedupe(cfg: EngineConfig, token: str, output: Path | str, *,
                      config: DedupeConfig | Path | str | None = None,
                      since_last: bool = False, state_dir: Path | str | None = None,
                      clock: Clock | None = None, transport: Transport | None = None,
                      note: Callable[[str], None] | None = None,
                      keep: Path | str | None = None) -> DedupePlan:
    """Find duplicate deals and write a plan into the folder ``output`` (made when
    missing); nothing is written to Pipedrive (``pdbulk dedupe plan``). ``config``: as
    ``dedupe_config`` takes it; the file it names (or ``keep``: the file a ``config``
    object was loaded from) is kept in the state directory once it is bound
    (``keep_config``). ``since_last``: read only the deals updated since the
    nightly index of the state directory; the refreshed index is kept with the plan (its
    apply makes it the state's; a default state directory that holds nothing while one an
    earlier dedupe used does is told ``note``: ``used_state``). Raises InputError
    (``output`` a file, a bad config), ``DedupeConfigError`` (an identifier no deal field
    has) or the API's errors (``Unauthorized``, ...)."""
    checks.arguments("plan_dedupe", cfg=cfg, token=token, output=output)
    checks.path("plan_dedupe", "state_dir", state_dir, optional=True)
    checks.path("plan_dedupe", "keep", keep, optional=True)
    checks.flag("plan_dedupe", "since_last", since_last)
    if (why := plan_folder_problem(output)) is not None:
        raise InputError(why)
    state = used_state(cfg, state_dir, writes=False, note=note)
    dcfg = dedupe_config(config, state, note=note)
    given = keep if keep is not None else config

    def bound(company: str) -> None:  # the folder is this company's: then its copy (f40c)
        bind_state(cfg, state, company, explicit=state_dir is not None, writes=False,
                   note=note)
        keep_config(state, given)

    async with reading(cfg, token, clock=clock, transport=transport) as s:
        company = await account_company(s.ctx)  # before the state is read (x38r2 F3)
        await in_thread(lambda: bound(company))
        dcfg = await company_dedupe_config(state, dcfg, given=config is not None, share=False,
                                           note=note, copy=config is None)
        out = await planning.make_plan(s.ctx, dcfg, Path(output), state_dir=state,
                              since_last=since_last)
        if note is not None:  # decisions in an earlier night's groups.csv (x42r2 F1)
            for line in [*earlier_lines(out.earlier), *earlier_warnings(
                    out.earlier, lambda p: apply_command(p, cfg.job_root, state))]:
                note(line)
        reads = await plan_reads(s)
    if out.index is not None:  # the state's index moves on only when the plan is applied
        index = out.index
        await in_thread(lambda: save_plan_index(index, out.directory, out.index_base))
    return replace(_plan(out), reads=reads)


def read_costs(calls: Mapping[str, int], tokens: Mapping[str, int]
               ) -> dict[str, tuple[int, int]]:
    """Operation id -> (calls, tokens) of a plan's reads, from an engine's stats
    (``calls_by_operation``, ``tokens_by_operation``); operations with no call left out."""
    return {op: (n, int(tokens.get(op, 0))) for op, n in calls.items() if n}


async def plan_reads(s: Engine) -> dict[str, tuple[int, int]]:
    """``read_costs`` of a plan's engine ``s`` with the ``GET /v1/users/me`` (getCurrentUser,
    2 tokens a call; openapi-v1.yaml) its opening made: a shared coordinator's bind to the
    company, a kept day's ask. Those are in the engine's ledger (every call the scheduler
    charged) but not in its stats, which price the run a plan foresees (x41r6 F5a: the
    ``reads for this plan`` line said 55 tokens, the server counted 57). Raises StoreError."""
    reads = read_costs(s.stats.calls_by_operation, s.stats.tokens_by_operation)
    op = "getCurrentUser"
    tokens, calls = (await in_thread(s.store.spend_by_operation)).get(op, (0, 0))
    if calls > reads.get(op, (0, 0))[0]:
        reads[op] = (calls, tokens)
    return reads


def reads_line(reads: Mapping[str, tuple[int, int]]) -> str:
    """``reads for this plan: 3 calls, 25 tokens (getStages 5, getDealFields 10, getDeals
    10)``: what a plan's own reads cost (``DedupePlan.reads``)."""
    calls = sum(n for n, _ in reads.values())
    tokens = sum(t for _, t in reads.values())
    each = ", ".join(f"{op} {t:,}" + (f" ({n} calls)" if n > 1 else "")
                     for op, (n, t) in reads.items())
    return (f"reads for this plan: {calls:,} call(s), {counted(tokens, 'token')}"
            + (f" ({each})" if each else ""))


async def apply_estimate(s: Engine, store: JobStore, prep: Prepared) -> Plan:
    """The cost of a loaded apply (calls, tokens, share of today, time), as the reviewed
    decisions left it: the reads made, the merges and PATCHes to send with their reads,
    and the re-check before each batch (``jobs.api.load`` for the other kinds). The
    re-check's pricing runs in a worker thread (the job's store, the plan's file, a shared
    coordinator's Redis for the keep-separate decisions: f39c), as ``jobs.api`` prices."""
    from .merge_job import DedupeJob

    burst, workers = s.scheduler.limits.burst, s.config.max_workers
    kind = DedupeJob.from_store(store)
    # ... and what each resume spends first, its check of the account and its re-read, as
    # every kind's plan counts it (``resume_first_calls``; w56r1 F2)
    checks, batches, first = await in_thread(lambda: (
        Counter(recheck_calls(store, kind, workers, burst=burst)),
        recheck_batches(store, workers, burst=burst), resume_first_calls(store, kind)))
    calls = Counter(s.stats.calls_by_operation) + prep.calls
    calls += checks
    sched = s.scheduler.statistics()
    left = None if (today := s.tokens_left_today()) is None else today + sched.tokens_spent
    return estimate("dedupe", calls, s.scheduler.limits, rows=prep.actions["merge"],
                    bad_rows=0, tokens_left_today=left, daily_tokens=sched.daily_limit,
                    max_tokens=s.config.budget.max_tokens, usable_daily=sched.usable_daily,
                    resume_reread=tokens_of(first),
                    budget_source=budget_source(sched), gating=checks, batches=batches)


@dataclass(frozen=True, slots=True)
class DedupeHooks:
    """What a caller sees while an apply or run goes on (each None: nothing, or into
    ``DedupeRun.lines``): ``on_line(line)`` its lines (plan notes, the merges to send, the
    result files); ``on_warning(line)`` what a person must hear of (an earlier job named
    or removed, a reviewer's decision not followed, the dedupe config a run uses: x40r4 F5);
    ``on_job(job_id, folder)`` once the job exists; ``on_plan(plan)`` the fresh plan of a
    run; ``on_loaded(engine, store, prep, estimate)`` the loaded job and its cost
    (``apply_estimate``), before the question;
    ``execute(engine, store)`` runs it (default ``engine.run``; ``shows_result``: it writes
    the job's result lines itself)."""

    on_line: Callable[[str], None] | None = None
    on_warning: Callable[[str], None] | None = None
    on_job: Callable[[str, Path], None] | None = None
    on_plan: Callable[[DedupePlan], None] | None = None
    on_loaded: Callable[[Engine, JobStore, Prepared, Plan], None] | None = None
    execute: Callable[[Engine, JobStore], Awaitable[RunResult]] | None = None
    shows_result: bool = False


@dataclass(frozen=True, slots=True)
class DedupeRun:
    """An apply's or run's outcome. ``job_id`` / ``directory``: its job (None for a dry
    run, and for an apply or run with nothing to merge: it keeps no job folder); ``plan_dir`` the
    plan applied; ``status`` "finished", "stopped" (resume it with
    ``jobs.resume_job``), "cancelled" (declined: nothing sent) or "dry-run"; ``plan`` a
    run's fresh plan; ``actions`` groups' rows by action ("merge", "skip", "already
    merged", ...); ``counts`` items by state; ``merged`` / ``failed`` / ``skipped`` rows
    (one a deal merged away, as the ``rows:`` line and succeeded.csv count them),
    ``skipped_for_review`` groups left to a person and ``skipped_for_review_rows`` their
    rows (x42r2 F7c: 56 skipped beside 54 for review, rows beside groups, unnamed);
    ``groups`` the plan's groups the job holds and ``merges`` the merges they ask for,
    one deal merged away each (x43r5 F4: a group of 3+ deals was said as its merges);
    ``policy_strays`` values a survivor
    shares with a live deal left unmerged, ``policy_put_back`` those put back;
    ``refused_decisions`` reviewers' ``decision = merge`` not followed (refused at the
    load, or held by the runner's re-check: a deal changed meanwhile; x48r5 F3), a run's
    ``not_taken`` among them: an earlier plan's merge decision the night names as not taken
    (a deal changed since that plan, a conflict; x51r6 F2), ``never`` among those one that
    can never be taken (a deal gone, a pair kept separate: named once, on this night only);
    ``by_hand`` earlier merge decisions a person carried out by hand as decided: taken, not
    among them (x51r14 F4);
    ``refused_edits`` groups.csv rows edited by hand (no such decision) refused;
    ``left_elsewhere`` reviewer-decided groups another live run holds (group id -> who:
    left to it, not refused; exit 6, x48r14); ``tokens`` spent;
    ``interrupted_jobs`` earlier dedupe jobs that did not end (each with ``line(resume)``
    and ``to_json()``), ``removed_jobs`` those killed before sending, removed;
    ``estimate`` the cost table of the loaded apply; ``result`` the run's; ``lines``."""

    job_id: str | None
    directory: Path | None
    plan_dir: Path
    status: str
    plan: DedupePlan | None = None
    actions: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    merged: int = 0
    failed: int = 0
    skipped: int = 0
    skipped_for_review: int = 0
    skipped_for_review_rows: int = 0
    groups: int = 0
    merges: int = 0
    policy_strays: int = 0
    policy_put_back: int = 0
    refused_decisions: int = 0
    not_taken: int = 0
    never: int = 0
    by_hand: int = 0
    refused_edits: int = 0
    left_elsewhere: dict[object, str] = field(default_factory=dict)
    tokens: int = 0
    interrupted_jobs: tuple[Unfinished, ...] = ()
    removed_jobs: tuple[str, ...] = ()
    estimate: Plan | None = None
    result: RunResult | None = None
    lines: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The summary ``pdbulk dedupe run --json`` prints (without its ``exit_code``)."""
        return {"job": self.job_id,
                "job_dir": None if self.directory is None else str(self.directory),
                "interrupted_jobs": [o.to_json() for o in self.interrupted_jobs],
                "removed_jobs": list(self.removed_jobs),
                **({"plan": self.plan.summary} if self.plan is not None else {}),
                "plan_dir": str(self.plan_dir), "actions": dict(self.actions),
                "refused_decisions": self.refused_decisions,
                "decisions_not_taken": self.not_taken,
                "decisions_never_takeable": self.never,
                "decisions_done_by_hand": self.by_hand,
                "refused_edits": self.refused_edits,
                "left_to_other_runs": len(self.left_elsewhere), "items": dict(self.counts),
                "merged": self.merged, "failed": self.failed, "skipped": self.skipped,
                "skipped_for_review": self.skipped_for_review,
                # each count named by what it counts, too (x42r2 F7c)
                "skipped_rows": self.skipped,
                "skipped_for_review_groups": self.skipped_for_review,
                "skipped_for_review_rows": self.skipped_for_review_rows,
                # the groups and their merges, as ``status --json`` names them (x43r5 F4)
                "groups": self.groups, "file_rows": self.groups, "merges": self.merges,
                "deals_merged_away": self.merged, "tokens": self.tokens,
                "policy_strays": self.policy_strays, "policy_put_back": self.policy_put_back,
                "status": self.status}


async def apply_dedupe(cfg: EngineConfig, token: str, plan_dir: Path | str, *,
                       include_review: bool = False, max_merges: int | None = None,
                       confirm: Callable[[str], bool] | None = None, dry_run: bool = False,
                       state_dir: Path | str | None = None, hooks: DedupeHooks | None = None,
                       clock: Clock | None = None,
                       transport: Transport | None = None) -> DedupeRun:
    """Merge what the plan in ``plan_dir`` says (``pdbulk dedupe apply``): the duplicate
    band, and the review band with ``include_review`` or where groups.csv says ``decision
    = merge``; groups whose deals changed since the plan are skipped. ``max_merges``:
    merge at most this many deals away, whole groups in plan order. ``confirm(question)``:
    asked before the merges are sent (a false answer, or an exception raised again,
    cancels the job: nothing sent; None: not asked, as ``--yes``). ``dry_run``: the deals
    are read and each group decided, nothing is written anywhere; ``estimate`` says what
    the apply would cost. Raises InputError (no plan, a damaged one, the plan being
    applied by an unfinished job, a default state directory that holds nothing while one
    an earlier dedupe used does: ``used_state``), ``StateBusy`` (a ``JobBusy``: another apply or run
    holds the state directory; ``except JobBusy`` catches it) or the API's errors; a job
    whose load failed is removed (nothing sent), and so is one with nothing to merge (its
    groups left for a person or kept separate): ``job_id`` / ``directory`` None."""
    checks.arguments("apply_dedupe", cfg=cfg, token=token, plan_dir=plan_dir)
    checks.path("apply_dedupe", "state_dir", state_dir, optional=True)
    checks.flag("apply_dedupe", "include_review", include_review)
    checks.whole("apply_dedupe", "max_merges", max_merges, least=0, optional=True)
    checks.flag("apply_dedupe", "dry_run", dry_run)
    if not (Path(plan_dir) / "groups.csv").is_file():
        raise InputError(f"{plan_dir} is not a dedupe plan (no groups.csv in it); make one "
                         "with plan_dedupe or `pdbulk dedupe plan -o DIR`")
    options = ApplyOptions(include_review, max_merges)
    state = used_state(cfg, state_dir, writes=True)
    if dry_run:
        return await _dry_run(cfg, token, Path(plan_dir), options, state, clock, transport)
    return await _job(cfg, token, Path(plan_dir), options, state=state, confirm=confirm,
                      hooks=hooks or DedupeHooks(), clock=clock, transport=transport,
                      explicit=state_dir is not None)


async def run_dedupe(cfg: EngineConfig, token: str, *,
                     config: DedupeConfig | Path | str | None = None,
                     since_last: bool = False, max_merges: int | None = None,
                     auto_apply_above: float | None = None, output: Path | str | None = None,
                     state_dir: Path | str | None = None, hooks: DedupeHooks | None = None,
                     clock: Clock | None = None, transport: Transport | None = None,
                     note: Callable[[str], None] | None = None,
                     keep: Path | str | None = None) -> DedupeRun:
    """The nightly dedupe (``pdbulk dedupe run``) (``config`` and ``keep`` as
    ``plan_dedupe`` takes them): plan, then merge the duplicate band (or
    its groups scoring at least ``auto_apply_above``) without asking; the review band is
    left in the plan (``output``, default ``STATE_DIR/plans/TIME``). ``since_last``: read
    only the deals updated since the last such run. ``max_merges``: deals merged away at
    most. Earlier dedupe jobs that did not end are named (``interrupted_jobs``: resume
    them, their merges are in no report until then) and those killed before sending are
    removed (``removed_jobs``). Raises InputError (``auto_apply_above`` below the
    duplicate threshold, ``output`` a file, a bad config, a default state directory that
    holds nothing while one an earlier dedupe used does: ``used_state``), ``StateBusy`` (a ``JobBusy``)
    or the API's errors; a job whose plan or load failed is removed (nothing sent)."""
    checks.arguments("run_dedupe", cfg=cfg, token=token)
    for name, value in (("output", output), ("state_dir", state_dir), ("keep", keep)):
        checks.path("run_dedupe", name, value, optional=True)
    checks.flag("run_dedupe", "since_last", since_last)
    checks.whole("run_dedupe", "max_merges", max_merges, least=0, optional=True)
    checks.share("run_dedupe", "auto_apply_above", auto_apply_above, optional=True)
    state = used_state(cfg, state_dir, writes=True, note=note)
    dcfg = dedupe_config(config, state, note=note)
    if (why := auto_apply_problem(auto_apply_above, dcfg)) is not None:
        raise InputError(why)
    if (why := plan_folder_problem(output)) is not None:
        raise InputError(why)
    return await _job(cfg, token, None, ApplyOptions(max_merges=max_merges,
                                                     auto_apply_above=auto_apply_above),
                      state=state, confirm=None, hooks=hooks or DedupeHooks(), dcfg=dcfg,
                      since_last=since_last, output=Path(output) if output else None,
                      clock=clock, transport=transport, explicit=state_dir is not None,
                      adopt=config is None, keep=keep if keep is not None else config)


async def _dry_run(cfg: EngineConfig, token: str, plan_dir: Path, options: ApplyOptions,
                   state: Path, clock: Clock | None, transport: Transport | None) -> DedupeRun:
    """The apply's load on a throwaway store: its decisions and cost, nothing written."""
    options = replace(options, record_decisions=False)
    with tempfile.TemporaryDirectory(prefix="pdbulk-dedupe-dry-", dir=scratch_dir()) as tmp:
        store = JobStore.create(Path(tmp) / "plan", job_id="plan", kind=KIND,
                                config={CONFIG_CREATES: False, CONFIG_READS_ONLY: True})
        try:
            async with Engine.open(cfg, token, store=store, clock=clock,
                                   transport=transport) as s:
                company = await account_company(s.ctx)  # x38r2 F3
                await in_thread(lambda: bind_state(cfg, state, company, explicit=True,
                                                   writes=True, remember=False))
                prep = await prepare_apply(s.ctx, plan_dir, options, state_dir=state,
                                           job_roots=(cfg.job_root,))
                await in_thread(lambda: prep.save(store))
                cost = await apply_estimate(s, store, prep)
        finally:
            store.close()
    return DedupeRun(None, None, plan_dir, "dry-run", actions=dict(prep.actions),
                     refused_decisions=len(prep.meta.get(REFUSED) or []),
                     by_hand=len(prep.meta.get(BY_HAND) or []),
                     refused_edits=len(prep.meta.get(EDITS) or []), estimate=cost,
                     lines=[f"note: {n}" for n in prep.notes])


def discard_unsent(store: JobStore, exc: BaseException) -> bool:
    """After ``exc`` ended a dedupe job: remove its folder when nothing was sent (the
    load failed, the state was busy, or a cancellation / Ctrl-C came while planning or
    loading); whether it was removed. A job its merges may have left is kept (resume)."""
    status = store.status
    if isinstance(exc, BulkError):
        gone = status == "failed" or isinstance(exc, JobBusy)
    else:
        gone = status not in _SENT
    store.close()
    if gone:
        shutil.rmtree(store.directory, ignore_errors=True)
    return gone


async def _job(cfg: EngineConfig, token: str, plan_dir: Path | None, options: ApplyOptions, *,
               state: Path, confirm: Callable[[str], bool] | None, hooks: DedupeHooks,
               dcfg: DedupeConfig | None = None, since_last: bool = False,
               output: Path | None = None, clock: Clock | None = None,
               transport: Transport | None = None, explicit: bool = True,
               adopt: bool = False, keep: DedupeConfig | Path | str | None = None
               ) -> DedupeRun:
    """(Plan, if ``dcfg``, then) load and run a dedupe job (see ``run_dedupe``);
    ``explicit``: the state directory was given (``bind_state``); ``adopt``: ``dcfg`` is
    the state's copy (no ``--config``): another host's newer one replaces it; ``keep``: the
    config file kept in the state directory once it is bound (``keep_config``)."""
    plan = plan_dir or output  # a run plans into a new folder unless ``output`` names one
    if plan is not None and (earlier := unfinished_apply(cfg.job_root, plan)) is not None:
        # x18r4 2: a second apply would take the earlier one's merges for changes since the
        # plan and leave its groups half-merged; nothing is sent, the earlier job is resumed
        earlier_id, how = earlier
        raise InputError(f"job {earlier_id} is applying this plan now; nothing was sent: wait "
                         "for it to end" if how == "running" else
                         f"job {earlier_id} applied this plan and did not finish ({how}); "
                         f"nothing was sent: finish it with: "
                         f"{resume_hint(earlier_id, cfg.job_root)}")
    lines: list[str] = []
    say = hooks.on_line or lines.append
    warn = hooks.on_warning or lines.append
    # x19r2 F3: a job killed (or stopped) on an earlier night is named: its merges are in
    # no report until it is resumed
    removed = abandoned_jobs(cfg.job_root)  # x23r2 4: killed while planning, nothing sent
    for gone in removed:
        warn(f"job {gone} was interrupted before any merge was sent (while planning, "
             "loading, at the prompt or before its run's first write): nothing was merged; "
             "its folder is removed")
    others = unfinished_jobs(cfg.job_root)
    for other in others:
        warn(other.line(resume_hint(other.job_id, cfg.job_root)))
    got: dict[str, Any] = {"plan": None, "plan_dir": plan_dir, "actions": {}, "refused": 0,
                           "refused_edits": 0, "estimate": None}
    with ExitStack() as held:
        # the state folder made and held before the job folder (x41r1 M2: a state folder
        # that could not be made left a job folder `pdbulk jobs` listed as interrupted)
        try:
            held.enter_context(state_lock(state))
        except OSError as exc:
            raise InputError(state_problem(cfg, state, exc, explicit=explicit)) from None
        job_id = new_job_id(KIND)
        store = JobStore.create(cfg.job_root / job_id, job_id=job_id, kind=KIND,
                                config={"engine": cfg.to_json(), CONFIG_CREATES: False})
        if hooks.on_job is not None:
            hooks.on_job(job_id, store.directory)
        try:
            result = await _load_and_send(cfg, token, store, options, state=state,
                                          confirm=confirm, hooks=hooks, say=say, warn=warn,
                                          dcfg=dcfg, since_last=since_last, output=output,
                                          got=got, clock=clock, transport=transport,
                                          explicit=explicit, adopt=adopt, keep=keep)
        except (BulkError, KeyboardInterrupt, anyio.get_cancelled_exc_class()) as exc:
            discard_unsent(store, exc)
            raise
    said: list[str] = []

    def settled() -> DedupeRun:
        # the merge record's file and Redis, the index, the result files, the store: off
        # the loop (f32e: they ran on it once a run; ``say`` is called back on the loop)
        try:
            run = _settled(store, result, got, hooks, said.append, lines, tuple(others),
                           tuple(removed))
        finally:
            store.close()
        if run.job_id is None:  # nothing to merge: the plan says it all (run or apply)
            shutil.rmtree(store.directory, ignore_errors=True)
        if dcfg is not None and output is None:  # a run's own plan folders: the newest kept
            prune_plans(state / "plans", cfg.job_root, spare=got["plan_dir"], say=said.append,
                        night=got.get("earlier"))
        return run
    try:
        return await in_thread(settled)
    finally:
        for line in said:
            say(line)


async def _load_and_send(cfg: EngineConfig, token: str, store: JobStore,
                         options: ApplyOptions, *, state: Path,
                         confirm: Callable[[str], bool] | None, hooks: DedupeHooks,
                         say: Callable[[str], None], warn: Callable[[str], None],
                         dcfg: DedupeConfig | None, since_last: bool, output: Path | None,
                         got: dict[str, Any], clock: Clock | None,
                         transport: Transport | None, explicit: bool,
                         adopt: bool = False, keep: DedupeConfig | Path | str | None = None
                         ) -> RunResult | None:
    """Plan (a run), load the job into ``store``, ask, send; ``got`` learns what was
    decided. None when nothing was sent (declined, or nothing to merge)."""
    async with Engine.open(cfg, token, store=store, clock=clock, transport=transport) as s:
        try:
            # the state's account, learned before the state is read (x37r3 F2, x38r2 F3:
            # another company behind this URL)
            company = await account_company(s.ctx)
            await in_thread(lambda: bind_state(cfg, state, company, explicit=explicit,
                                               writes=True, note=say))
            await in_thread(lambda: keep_config(state, keep))  # a folder bound (f40c)
            # the company's config (a run: this folder's new --config shared, or another
            # host's taken; an apply's groups are then held by it, ``_config_now``: f39c)
            mine = dcfg or DedupeConfig.default()
            # on the warnings' channel (stderr), as the README says (x40r4 F5: on stdout)
            now = await company_dedupe_config(state, mine, given=not adopt, share=True,
                                              note=warn)
            if dcfg is not None and now is mine:  # another host's taken: its note said so
                warn(_config_line(state, adopt, mine))
            dcfg = now if dcfg is not None else None
            planned: PlanOutcome | None = None
            if dcfg is not None:
                # unique: a second run in the same second wrote into the first's folder
                got["plan_dir"] = output or new_run_plan(state / "plans", s.ctx.clock.wall())
                planned = await planning.make_plan(s.ctx, dcfg, got["plan_dir"], state_dir=state,
                                          since_last=since_last, share=True)  # a run's
                got["plan"] = _plan(planned)
                # x42r2 F1: decisions a person wrote in an earlier night's groups.csv
                e, alive = planned.earlier, planned.index.deals if planned.index else {}
                recorded, gone = await in_thread(lambda: record_kept(e, state, alive))
                await in_thread(lambda: settle_never(e))  # x43r2 F3: said once, below
                if hooks.on_plan is not None:
                    hooks.on_plan(got["plan"])
                if (late := left_out_line(planned.result.groups)) is not None:
                    say(late)  # f37d 1: in no group tonight, and why
                if (again := review_again_line(planned.summary)) is not None:
                    say(again)  # undecided review groups come back until decided
                for line in earlier_lines(e, recorded=recorded, gone=gone):
                    say(line)
                for line in earlier_warnings(e, lambda p: apply_command(p, cfg.job_root, state)):
                    warn(line)
                # x51r6 F2: a merge decision named not taken (left, or in a conflict) is a
                # decision not followed tonight: counted, exit 3, every night it is named
                got["not_taken"] = len(e.left) + len(e.conflicts)
                # x51r14 F4: one that can never be taken is among them on the night that
                # says it (once: exit 3 that night only); one done by hand is taken
                got["never"] = sum(x.never for x in e.left)
                got["by_hand"] = len(e.by_hand)
                got["earlier"] = e  # retention's advice for a folder kept for them (F4)
            plan_dir: Path = got["plan_dir"]
            prep = await prepare_apply(s.ctx, plan_dir, options, state_dir=state,
                                       job_roots=(cfg.job_root,))
        except BulkError:
            store.set_status("failed", "the load phase failed; nothing was sent")
            raise
        kept = planned.index if planned is not None else None

        def saved() -> None:  # the job's store and the plan's index file: off the loop
            if planned is not None and kept is not None:
                # kept with the plan: the job's end installs it, on this run or its resume
                save_plan_index(kept, plan_dir, planned.index_base)
            prep.save(store)
        await in_thread(saved)
        got["actions"] = dict(prep.actions)
        for note in prep.notes:
            say(f"note: {note}")
        refused = prep.meta.get(REFUSED) or []
        for r in refused:  # x21r2 F4: each with its reason
            warn(f"group {r['group_id']} (row {r['row']} of groups.csv): decision = merge "
                 f"not followed: {r['reason']}")
        got["refused"] = len(refused)
        # x52r4 F3: a decision done by hand is taken, by the night's rule, in an apply too
        got["by_hand"] = got.get("by_hand", 0) + len(prep.meta.get(BY_HAND) or [])
        if refused:
            say(f"{len(refused):,} reviewer decision(s) = merge not followed (named on "
                "stderr)")
        edits = prep.meta.get(EDITS) or []
        for r in edits:  # x42r5 F7: a hand edit refused, said as a decision's is
            warn(f"group {r['group_id']} (row {r['row']} of groups.csv): edit refused, not "
                 f"merged: {r['reason']}")
        got["refused_edits"] = len(edits)
        if edits:
            say(f"{len(edits):,} group(s) of groups.csv edited by hand refused, not merged "
                "(named on stderr)")
        work = prep.actions["merge"]
        # a run or apply with nothing to merge keeps no job folder: its plan says it all
        got["quiet"] = not work and not prep.actions["already merged"] and _review_only(store)
        got["estimate"] = await apply_estimate(s, store, prep)
        if hooks.on_loaded is not None:
            hooks.on_loaded(s, store, prep, got["estimate"])
        if got["quiet"]:
            say(f"nothing to merge: no job folder is kept (the plan: {plan_dir})")
        else:
            say(f"job {store.job_id}: {work:,} merge(s) to send ({store.directory})")
        # the reads answered: charged, not in doubt, at the prompt and on every way out
        # before a run (x45r4 F4b, x45r8 F1)
        await s.settle_ledger()
        if (work and confirm is not None
                and not ask(store, confirm, f"Merges are final in Pipedrive. Merge "
                            f"{work:,} deal{'' if work == 1 else 's'} away?")):
            # declined (or no one to answer: ``jobs.confirming``): cancelled, never
            # resumable — a later resume would merge from a stale picture of the deals
            return None
        if prep.actions["already merged"]:
            say(f"{prep.actions['already merged']:,} merge(s) of this plan were made by an "
                "earlier apply or run: counted as done, not sent again")
        # confirmed: the merges about to be sent (merges.json), off the loop
        await in_thread(lambda: record_intended(store))
        if not work + prep.actions["already merged"]:
            return None
        if (stop := first_write_line(got["estimate"],
                                     waits=s.config.budget.wait_for_reset)) is not None:
            say(stop)  # x23r3: before the first merge, as every kind says it
        if hooks.execute is not None:
            result = await hooks.execute(s, store)
        else:
            from .merge_job import DedupeJob

            store.set_status("running")
            result = await s.run(DedupeJob.from_store(store))
        # ended: the job's after_run made the plan's index the state's (settle_index);
        # stopped: the state's index learns what was merged, the rest waits (resume)
        if result.stopped:
            index = planned.index if planned is not None else None

            def learned() -> None:  # the store and the state's files: off the loop
                if index is not None:
                    index.refresh((), gone=merged_away(store))
                    index.pending |= unfinished(plan_dir, options, store)
                    index.save(state)
                else:
                    forget_merged(state, merged_away(store))
            await in_thread(learned)
        return result


def _review_only(store: JobStore) -> bool:
    """Whether every item of a loaded job is a group left to a person (the review band, or
    below ``--auto-apply-above``) or one a person kept separate (groups.csv's decision):
    the plan names them all, the job adds nothing."""
    return all(_for_review(i) or _kept_separate(i) for i in store.items())


def _kept_separate(item: Item) -> bool:
    result = item.result or item.payload.get("result") or {}
    return item.state is ItemState.SKIPPED and result.get("action") == "kept separate"


def _for_review(item: Item) -> bool:
    why = str((item.result or item.payload.get("result") or {}).get("reason") or "")
    return item.state is ItemState.SKIPPED and (
        # "review band, …: … (--include-review does not take it)" too (x48r5 F2: such a
        # plan row said "review band: … (or --include-review)" before)
        why.startswith(("review band:", "review band,")) or "below --auto-apply-above" in why)


def _settled(store: JobStore, result: RunResult | None, got: Mapping[str, Any],
             hooks: DedupeHooks, say: Callable[[str], None], lines: list[str],
             others: tuple[Unfinished, ...], removed: tuple[str, ...]) -> DedupeRun:
    """Settle the job's status and result files; its outcome. A run with nothing to merge
    (``got["quiet"]``) settles the state directory only and has no job (``job_id`` and
    ``directory`` None): ``_job`` removes its folder."""
    from .merge_job import DedupeJob, left_to_others, policy_put_backs, policy_strays

    quiet = bool(got.get("quiet")) and result is None and store.status != "cancelled"
    if quiet:
        for line in DedupeJob.settle(store, None):
            say(line)
        quiet = not store.meta_get(INDEX_DUE)  # a busy state: the index waits for a resume
    if quiet:  # the run's reads (the ledger is complete: the engine is closed)
        spend = store.spend_by_operation()
        say(tokens_line({"tokens": sum(t for t, _ in spend.values()),
                         "tokens_by_operation": {op: t for op, (t, _) in spend.items()}}))

    def outcome(status: str, held: int = 0, **counts: Any) -> DedupeRun:
        return DedupeRun(None if quiet else store.job_id, None if quiet else store.directory,
                         got["plan_dir"], status,
                         got["plan"], got["actions"],
                         refused_decisions=got["refused"] + held + got.get("not_taken", 0),
                         not_taken=got.get("not_taken", 0), never=got.get("never", 0),
                         by_hand=got.get("by_hand", 0),
                         refused_edits=got["refused_edits"],
                         interrupted_jobs=others, removed_jobs=removed,
                         estimate=got["estimate"], result=result, lines=lines, **counts)
    if store.status == "cancelled":  # its items by state, as run_job's cancelled job says
        # them (x48r9 F8: ``counts`` was {} where run_job's was {"pending": 11})
        return outcome("cancelled", counts={state.value: n for state, n
                                            in store.counts().items() if n},
                       tokens=sum(store.spend_by_day().values()))
    stopped = result is not None and result.stopped
    error = result.error if result is not None else None
    store.set_status("stopped" if stopped else "finished", str(error) if error else None)
    if not quiet and (result is None or not (hooks.execute is not None
                                              and hooks.shows_result)):
        for line in DedupeJob().after_run(store, result):
            say(line)
    counts = Counter({state.value: n for state, n in store.counts().items() if n})
    # the groups left for a person, apart from those skipped as changed (x11r1)
    # groups, not their merges (x13r4 F4: 83 for 53 groups)
    left = [i for i in store.items(ItemState.SKIPPED) if _for_review(i)]
    review = len({i.payload.get("group_id", i.id) for i in left})
    # a reviewer's decision = merge the runner's re-check held (a deal changed meanwhile):
    # not followed either, counted with those the load refused (x48r5 F3)
    # (one another live run holds is left to it, not refused: ``left_elsewhere``, exit 6)
    held = len({i.payload.get("group_id", i.id) for i in store.items(ItemState.SKIPPED)
                if i.payload.get("decided") and left_to_another_run(i) is None})
    groups, merges = merge_counts(store)
    # a value the survivor now shares with a live deal left unmerged: a person must look
    # (a stopped run's too: a put-back the stop prevented)
    return outcome("stopped" if stopped else "finished", held, counts=dict(counts),
                   merged=counts.get("done", 0), failed=counts.get("failed", 0),
                   skipped=counts.get("skipped", 0), skipped_for_review=review,
                   skipped_for_review_rows=len(left), groups=groups, merges=merges,
                   tokens=sum(store.spend_by_day().values()),
                   policy_strays=len(policy_strays(store)),
                   left_elsewhere=left_to_others(store),
                   policy_put_back=len(policy_put_backs(store)))


__all__ = ["DedupeHooks", "DedupePlan", "DedupeRun", "apply_dedupe", "apply_estimate", "read_costs",
           "plan_reads", "reads_line",
           "auto_apply_problem", "copy_line", "dedupe_config", "keep_config", "discard_unsent", "plan_dedupe",
           "plan_folder_problem", "reading", "run_dedupe", "state_folder", "used_state"]
