"""The library's door to the day-to-day jobs: update, move-stage, merge and undo, planned and
run end to end as ``pdbulk`` runs them, without the terminal.

A job is described first (a :class:`Work`: its kind, and how its items are read from the
account and the user's file) by ``update_deals``, ``move_deals``, ``merge_deals`` or
``undo_job``; each checks its files before any call and raises ``InputError`` (with the
row or line where there is one). Then::

    planned = await plan_job(cfg, token, work)    # reads only; nothing is written
    print(planned.plan.tokens, planned.actions)   # calls, tokens and time; rows by action
    finished = await run_job(cfg, token, work)    # a new job folder under cfg.job_root
    print(finished.status, finished.counts, finished.lines)

``run_job`` does what the command does: it creates the job (its SQLite store under
``cfg.job_root``), loads it on one engine (so one scheduler sees every call), asks
``confirm`` when the job kind asks before sending, runs it and writes its result files
(succeeded.csv, failed.csv, ...: ``finished.lines`` says where). A job stopped on the way
(a budget spent, a signal, a cancelled task) is resumed with ``resume_job``. Import's entry
point is ``jobs.import_load.import_job``; dedupe's ``jobs.dedupe.api``'s ``plan_dedupe``,
``apply_dedupe``, ``run_dedupe``. ``pdbulk.cli_ops`` builds its commands on this module.

Why ~600 lines: the four builders (each keeping its arguments for a resume after a kill
while loading: ``jobs.reloading``), the load with its plan and ``run_job`` are one
sequence a reader follows top to bottom; split, each part would import the others.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bulk.clock import Clock, in_thread
from bulk.engine import CONFIG_CREATES, CONFIG_READS_ONLY, Engine, EngineConfig, new_job_id
from bulk.errors import META_FIRST_WRITE_CAP, ConfigError, InputError, Stopped
from bulk.manifest import check_has_rows, header, without_mapping_hint
from bulk.runner import RunResult
from bulk.state import scratch_dir
from bulk.store import ItemState, JobStore, NewItem
from bulk.transport import Transport
from bulk.wording import counted

from . import setting_checks as checks
from .confirming import ask
from .finished import Finished, Planned, ledger_tokens, tokens_of
from .finished import outcome as _finished
from .job_named import named_job
from .kinds import kind_for
from .load_progress import LoadProgress
from .load_stop import LOAD_STOPPED
from .planning import Plan, ReasonTally, budget_source, estimate, first_write_line
from .prepared import Prepared
from .rechecks import recheck_batches, recheck_calls
from .reload_recipe import RELOAD_ASKS, recipe
from .reload_recipe import asks as asks_first
from .resume_account_now import resume_first_calls

Build = Callable[[Engine], Awaitable[Prepared]]
# the actions of each kind that send a write (the rest were settled at load time)
WRITES: dict[str, tuple[str, ...]] = {
    "update": ("update",), "move-stage": ("move",), "merge": ("merge",),
    # "restore in part" (``undo.targets.IN_PART``) is a write too: left out, an undo whose rows
    # were all in part asked nothing and wrote without a terminal (x42r7 F1)
    "undo": ("restore", "restore in part", "delete", "delete-person", "delete-org")}


@dataclass(frozen=True, slots=True)
class Work:
    """A job to plan or run: its ``kind`` (a key of ``WRITES``), ``build`` (its load phase
    on an engine: the reads that turn the input into items), ``question`` (what the command
    asks before sending, ``{n}`` the writes, ``{s}`` "s" unless one; None: no question) and ``config`` (what the
    job stores beside the engine's configuration), ``creates`` (whether the job may create
    records: False for every kind here, which only change, move, merge or delete them; the
    machine's coordination marker guards creates only: ``bulk.engine.CONFIG_CREATES``)."""

    kind: str
    build: Build
    question: str | None = None
    config: Mapping[str, Any] = field(default_factory=dict)
    creates: bool = False
    # called with the new job's store once it is confirmed, right before its run
    on_run: Callable[[JobStore], None] | None = None
    # called when a plan or a run of it ends: what its build opened is closed
    release: Callable[[], None] | None = None
    # called once loaded when no row sends a write: why no job is made of it (then
    # ``run_job`` keeps none: ``Planned.idle``), or None (a job all the same)
    idle: Callable[[Prepared], str | None] | None = None
    # the work as the engine's config names it, made by ``plan_job`` / ``run_job`` before
    # anything else (an undo of a job id found under ``cfg.job_root``; x48r9 F4), or None
    bind: Callable[[EngineConfig], Work] | None = None

    def writes(self, prep: Prepared) -> int:
        """How many of the loaded items send a write (rows)."""
        return sum(prep.actions[a] for a in WRITES[self.kind])


def update_deals(manifest: Path | str, mapping: Path | str | dict[str, Any], *, unarchive: bool = False,
                 encoding: str | None = None, sheet: str | None = None,
                 progress: LoadProgress | None = None, header_row: int | None = None,
                 foreign_ids: bool = False) -> Work:
    """Update fields of existing deals from ``manifest`` (CSV, JSONL, JSON or XLSX: one row
    per deal, its id or source key) under ``mapping`` (TOML, docs/mapping.md; ``[update]``
    names the deal column; or a dict of its tables, checked alike); only what differs is
    sent (``PATCH /api/v2/deals/{id}``).
    ``unarchive``: a key on an archived deal unarchives and updates it (default: the row
    fails). Raises InputError (an unreadable file, a column the mapping reads that the
    file lacks) before any call. ``progress``: where a long load says its passes
    (``jobs.load_progress``; cleared once the load ends). ``header_row``: the row the
    manifest's header is on, as a spreadsheet numbers it (CSV / XLSX; None: the mapping's
    ``[defaults] header_row``, else found; given, it overrides the mapping's, as import's
    and as update's ``encoding`` / ``sheet`` do); InputError when it is below 1 (x46r3 F6:
    move-stage and merge took it, update did not). ``foreign_ids``: run even when most rows
    name a deal of another title and owner / pipeline / currency / contact (the plan's
    "foreign ids?" warning, ``jobs.foreign_ids``); else the run is refused, nothing sent."""
    from jobs.account import load_catalog
    from jobs.import_checks import mapping_defaults
    from jobs.import_rows import check_columns
    from jobs.update_mapping import UpdateMappingError, UpdateRefused
    from jobs.updating import UpdateMapping, prepare_update

    checks.arguments("update_deals", manifest=manifest)
    checks.flag("update_deals", "unarchive", unarchive)
    checks.flag("update_deals", "foreign_ids", foreign_ids)
    checks.texts("update_deals", encoding=encoding, sheet=sheet)
    checks.whole("update_deals", "header_row", header_row, least=1, optional=True)
    manifest = Path(manifest)
    if not isinstance(mapping, dict):  # a dict of the file's tables is taken (x25r3 F2)
        if not isinstance(mapping, str | os.PathLike):
            raise InputError(f"update_deals(mapping=...) must be a mapping file's path or a "
                             f"dict of its tables, not {type(mapping).__name__}")
        mapping = Path(mapping)
    try:  # every problem of the mapping and the manifest's columns at once (f23m)
        umap = UpdateMapping.load(mapping)
        refused: list[tuple[str, str]] = []
    except UpdateMappingError as exc:
        if exc.usable is None:
            raise
        umap, refused = exc.usable, exc.problems
    # --encoding / --sheet / --header-row, else the mapping's [defaults], as an import reads
    # them
    encoding, sheet, header_row = mapping_defaults(manifest, umap.mapping, encoding=encoding,
                                                   sheet=sheet, header_row=header_row)
    head = header(manifest, encoding=encoding, sheet=sheet, header_row=header_row)
    try:
        check_columns(umap.mapping, head, workbook=manifest, sheet=sheet, header_row=header_row)
        columns: InputError | None = None
    except InputError as exc:
        columns = exc
    if refused or columns is not None:
        raise UpdateRefused(refused, columns, source=str(mapping), manifest=str(manifest),
                            usable=umap, header=head)
    check_has_rows(manifest, encoding=encoding, sheet=sheet,
                   header_row=header_row)  # no rows: no call (x17r3 F8)

    async def build(s: Engine) -> Prepared:
        try:
            return await prepare_update(s.ctx, manifest, umap,
                                        await load_catalog(s.ctx, **umap.catalog_needs()),
                                        unarchive=unarchive, encoding=encoding, sheet=sheet,
                                        base_url=s.config.base_url, progress=progress,
                                        header_row=header_row, foreign_ids=foreign_ids)
        finally:
            if progress is not None:
                progress.clear()
    # what a resume needs to load it again after a kill while loading (jobs.reloading)
    return Work("update", build, config=recipe(
        manifest=manifest, mapping=mapping, unarchive=unarchive, encoding=encoding,
        sheet=sheet, header_row=header_row, **({"foreign_ids": True} if foreign_ids else {})))


def move_deals(to_stage: str, *, to_pipeline: str | None = None, status_to: str | None = None,
               lost_reason: str | None = None, select: Any = None,
               manifest: Path | str | None = None, id_column: str | None = None,
               key_column: str | None = None, key_field: str = "Import source key",
               limit: int | None = None, encoding: str | None = None,
               sheet: str | None = None, header_row: int | None = None) -> Work:
    """Move deals to the stage named ``to_stage`` (of ``to_pipeline``, default the
    selection's pipeline, else the stage's), with ``status_to`` ("open", "won", "lost";
    ``lost_reason`` with "lost") set too. The deals: ``select`` (a
    ``jobs.selection.DealQuery``: pipeline, stage, status, owner, updated before, saved
    filter) or ``manifest`` (deal ids in ``id_column``, default ``deal_id`` or ``id``; or
    source keys in ``key_column``, found by the ``key_field`` deal field). ``limit``:
    refuse (nothing sent) when more deals are selected. ``encoding``, ``sheet`` and
    ``header_row`` (the row the manifest's header is on, as a spreadsheet numbers it;
    CSV / XLSX; None: found) read the manifest as an import reads its file. Asks before
    sending. Raises InputError when called, naming the keyword (no selection, or both; a
    ``status_to`` not open / won / lost; ``lost_reason`` without ``status_to="lost"``;
    ``limit`` or ``header_row`` below 1; an unreadable manifest); ``DealQuery`` refuses a bad ``status`` or
    ``updated_before`` when built."""
    from jobs.selection import DealQuery
    from jobs.stages import DealSource, MoveTarget, check_move, move_catalog, prepare_move

    checks.text("move_deals", "to_stage", to_stage, optional=False)
    checks.text("move_deals", "key_field", key_field, optional=False)
    checks.texts("move_deals", to_pipeline=to_pipeline, lost_reason=lost_reason, sheet=sheet,
                 id_column=id_column, key_column=key_column, encoding=encoding)
    checks.text("move_deals", "status_to", status_to)  # its choices: check_move
    checks.whole("move_deals", "header_row", header_row, least=1, optional=True)
    checks.path("move_deals", "manifest", manifest, optional=True)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
        checks.whole("move_deals", "limit", limit, least=1)  # its range: check_move
    if select is not None and not isinstance(select, DealQuery):
        raise InputError(f"select must be a DealQuery, not {type(select).__name__}")
    check_move(status_to, lost_reason, selected=select is not None and not select.is_empty(),
               listed=manifest is not None, limit=limit)
    source = DealSource(query=select if select is not None and not select.is_empty() else None,
                        manifest=Path(manifest) if manifest is not None else None,
                        id_column=id_column, key_column=key_column, key_field=key_field,
                        limit=limit, encoding=encoding, sheet=sheet, header_row=header_row)
    target = MoveTarget(to_stage, to_pipeline, status_to, lost_reason)
    try:
        source.check()
        if source.manifest is not None:
            header(source.manifest, encoding=encoding, sheet=sheet, header_row=header_row)
            check_has_rows(source.manifest, encoding=encoding, sheet=sheet,  # x17r3 F8
                           header_row=header_row)
    except InputError as exc:
        raise without_mapping_hint(exc) from None

    async def build(s: Engine) -> Prepared:
        return await prepare_move(s.ctx, source, target, await move_catalog(s.ctx, source))
    return Work("move-stage", build, question="Move {n:,} deal{s}?", config=recipe(
        to_stage=to_stage, to_pipeline=to_pipeline, status_to=status_to,
        lost_reason=lost_reason, select=select, manifest=manifest, id_column=id_column,
        key_column=key_column, key_field=key_field, limit=limit, encoding=encoding,
        sheet=sheet, header_row=header_row))


def merge_deals(pairs: Path | str, *, encoding: str | None = None,
                sheet: str | None = None, header_row: int | None = None) -> Work:
    """Merge the pairs of ``pairs`` (CSV, JSONL, JSON or XLSX: ``merge_id`` and
    ``survivor_id`` columns, or a survivor with several merge ids) into their survivors
    (``PUT /v1/deals/{id}/merge``: final in Pipedrive). ``encoding``, ``sheet`` and
    ``header_row`` (the row the header is on, as a spreadsheet numbers it; CSV / XLSX;
    None: found) read the file as an import reads its file. Asks before sending. Raises
    InputError when called (an unreadable file, no survivor / merge id columns, no data
    rows, a ``header_row`` below 1 or given for JSON)."""
    from jobs.merging import load_pairs, pair_columns

    checks.arguments("merge_deals", pairs=pairs)
    checks.texts("merge_deals", encoding=encoding, sheet=sheet)
    checks.whole("merge_deals", "header_row", header_row, least=1, optional=True)
    pairs = Path(pairs)
    try:
        columns = header(pairs, encoding=encoding, sheet=sheet, header_row=header_row)
        pair_columns(columns, header_row, pairs)
        # no pairs: no call and no job, as update / move-stage refuse it (x32r1 F8: a job
        # folder and exit 0 "nothing to send" for a pairs file that is a wrong export)
        check_has_rows(pairs, encoding=encoding, sheet=sheet, header_row=header_row)
    except InputError as exc:
        raise without_mapping_hint(exc) from None

    async def build(s: Engine) -> Prepared:
        return await load_pairs(s.ctx, pairs, encoding=encoding, sheet=sheet,
                                header_row=header_row, columns=columns)
    return Work("merge", build, question="Merges are final in Pipedrive. Merge {n:,} pair{s}?",
                config=recipe(pairs=pairs, encoding=encoding, sheet=sheet,
                              header_row=header_row))


def undo_job(source: JobStore | Path | str, *, force: bool = False, contacts: bool = False,
             job_root: Path | str | None = None) -> Work:
    """Undo the job kept in ``source`` (its open ``JobStore``, its folder, or its id
    under ``job_root``, default ``pdbulk-jobs``, as ``resume_job`` takes a job; a job
    named by folder or id is opened, locked, for each plan or run of the undo and
    closed after it) (an update, move-stage, import or dedupe: its
    field-policy PATCHes; merges are final) as a new job: restore each deal's before-image,
    delete what an import created. A deal changed since is a conflict left alone unless
    ``force``; ``contacts``: an import's undo also deletes the persons and organizations it
    created that carry no other deals. Run it on the account the job ran against (the same
    ids elsewhere are other deals). Asks before sending. Raises InputError when called
    for a job that cannot be undone (a merge, a kind undo does not handle, rows in doubt)
    or that is not there (a mistyped id: "no job 'x' in DIR", as the CLI's usage error);
    StoreError for a folder whose store is not usable (``bulk.store.job_folder``). An id
    with no ``job_root``, not under ``pdbulk-jobs``, is looked for under the
    ``cfg.job_root`` of the ``plan_job`` / ``run_job`` given it (x48r9 F4: the job
    ``run_job(cfg, ...)`` made was not found), InputError there when not."""
    from jobs.undo import check_source, mark_undone, prepare_undo
    from jobs.undo.undone import further_undo_idle

    if not isinstance(source, JobStore):
        checks.path("undo_job", "source", source)
    checks.path("undo_job", "job_root", job_root, optional=True)
    checks.flag("undo_job", "force", force)
    checks.flag("undo_job", "contacts", contacts)
    if job_root is None and not isinstance(source, JobStore):
        try:
            named_job(source)
        except InputError:  # not under pdbulk-jobs: under the config's job root, maybe
            if Path(source).name != str(source):  # a folder's path: not there
                raise
            return Work("undo", _unbound, bind=lambda cfg: undo_job(
                source, force=force, contacts=contacts, job_root=cfg.job_root))
    held: list[JobStore] = [source] if isinstance(source, JobStore) else []
    folder = None if held else named_job(source, job_root)  # type: ignore[arg-type]

    def opened() -> JobStore:
        if not held and folder is not None:
            held.append(JobStore.open(folder))
        return held[0]

    def release() -> None:
        if folder is not None:  # a store the caller gave stays open
            while held:
                held.pop().close()

    if folder is not None:
        with JobStore.open(folder, lock=False) as look:
            check_source(look)
            job_id = look.job_id
    else:
        check_source(held[0])  # refused when built (x18r3 F2), and again by the build
        job_id = held[0].job_id

    async def build(s: Engine) -> Prepared:
        return await prepare_undo(s.ctx, opened(), force=force, contacts=contacts)
    again = recipe(source=folder if folder is not None else held[0].directory, force=force,
                   contacts=contacts)
    return Work("undo", build, config={"undo_of": job_id, **again},
                on_run=lambda undo: mark_undone(opened(), undo), release=release,
                idle=lambda prep: further_undo_idle(opened(), prep),
                # no word of the CLI's tables: a library caller asks it too (x23r4 F5)
                question=f"Undo job {job_id}: send {{n:,}} restore{{s}} / delete{{s}}?")


async def _unbound(s: Engine) -> Prepared:
    """The build of a ``Work`` still to be bound (``Work.bind``): never run."""
    raise AssertionError("a Work with bind is bound by plan_job / run_job first")


async def load(s: Engine, work: Work, store: JobStore, *, asks: bool,
               prompts: bool = True) -> tuple[Prepared, Plan]:
    """The load phase of ``work`` on engine ``s``, saved into ``store`` (marked loaded,
    last), and its plan: the reads made, the writes to come, the re-check reads before
    each batch and, when the job will ask first (``asks``), the re-read of the deals after
    the answer (the job kind's ``reread_calls``). ``prompts``: a prompt may come (`pdbulk
    plan` of a job with a question; else no note mentions one: a run with --yes asks
    nothing). Raises InputError (nothing sent) or the API's
    errors of the reads."""
    started = s.clock.now()
    prep = await work.build(s)
    if s.stopping:  # asked after the build's last pass over its rows: still the load's
        raise Stopped(LOAD_STOPPED)  # stop, nothing stored (f25b)
    load_seconds = s.clock.now() - started  # its reads and its decisions, as the run's
    # the store's bulk write and the passes over the job's items, off the loop: a library
    # caller's loop stalled 716 ms planning 6,000 updates (x25r3)
    again, checks, rows, first = await in_thread(lambda: _store_side(prep, store, s))
    batches = recheck_batches(store, s.config.max_workers, burst=s.scheduler.limits.burst)
    calls = Counter(s.stats.calls_by_operation) + prep.calls
    notes = list(prep.notes)
    if again:
        if asks:
            calls += again
            notes.append(f"counts the re-read of the deals after the prompt "
                         f"({counted(tokens_of(again), 'token')}; none with --yes)")
        elif prompts:
            notes.append(f"with the prompt (no --yes), the deals are read again after the "
                         f"answer: {counted(tokens_of(again), 'token')} more")
    if checks:  # the reads right before each batch is sent (bulk.runner's recheck)
        calls += checks
        notes.append(f"counts the re-check of the deals right before each batch is sent "
                     f"({counted(tokens_of(checks), 'token')}: a colleague's change made during the "
                     "run is not overwritten)")
    sched = s.scheduler.statistics()
    left = None if (today := s.tokens_left_today()) is None else today + sched.tokens_spent
    # the time as the import's plan prices it (f22d F4: at 300 ± 100 ms a move-stage plan
    # said 4 s and the run took 6.5: the burst window alone, one round trip on top): the
    # load measured, then the writes at the round trip the load's answers took
    plan = estimate(prep.kind, calls, s.scheduler.limits, rows=rows[0],
                    bad_rows=rows[1], tokens_left_today=left, notes=notes,
                    daily_tokens=sched.daily_limit, max_tokens=s.config.budget.max_tokens,
                    usable_daily=sched.usable_daily, resume_reread=tokens_of(first),
                    load_seconds=load_seconds, latency=measured_latency(s),
                    workers=s.config.max_workers, gating_reads=sum(checks.values()),
                    budget_source=budget_source(sched), gating=checks, batches=batches)
    if prep.foreign_ids is not None:
        plan = replace(plan, foreign_ids=prep.foreign_ids)
    if prep.kind == "merge":  # merges apart from rows: a group row holds several
        plan = replace(plan, merges=sum(1 for i in prep.items if i.row is not None),
                       bad_merges=sum(1 for i in prep.items if i.row is not None
                                      and i.state is ItemState.FAILED),
                       repeated_merges=sum(1 for i in prep.items if i.row is not None
                                           and i.state is ItemState.SKIPPED))
    return prep, await in_thread(lambda: with_bad_rows(plan, prep))


def _store_side(prep: Prepared, store: JobStore, s: Engine,
                ) -> tuple[Counter[str], Counter[str], tuple[int, int], Counter[str]]:
    """``load``'s work over the job's items, in a worker thread: ``prep`` saved into
    ``store``, then the re-read after a prompt (the kind's ``reread_calls``, when the job
    writes anything), the re-check before each batch, (rows, bad rows) and what each
    resume spends first (``resume_first_calls``: its check of the account and its re-read;
    w56r1 F2: the plan counted the re-read alone)."""
    prep.save(store)
    kind = kind_for(store)
    again: Counter[str] = Counter()
    first: Counter[str] = Counter()
    reread = getattr(kind, "reread_calls", None)
    if reread is not None and any(prep.actions[a] for a in WRITES[prep.kind]):
        again = Counter(reread(store))
        if s.config.budget.max_tokens is not None:  # (only a capped run says it)
            first = Counter(resume_first_calls(store, kind))
    checks = Counter(recheck_calls(store, kind, s.config.max_workers,
                                   burst=s.scheduler.limits.burst))
    return again, checks, (prep.rows, prep.bad_rows), first


def measured_latency(s: Engine, default: float = 0.2) -> float:
    """The mean round trip (seconds) of the answers engine ``s`` has had so far (its
    load's reads: ``RunStats.answer_seconds``); ``default`` before any answer."""
    stats = s.stats
    return stats.answer_seconds / stats.answered if stats.answered else default


def with_bad_rows(plan: Plan, prep: Prepared) -> Plan:
    """``plan`` with the rows refused at load time: counted per reason (text and --json)
    and the first 1,000 listed (``failed_rows``: row, key, action, reason, status, column,
    hold and the row's cells as ``values``, as plan import lists them; v9r6, v10r19 M4)."""
    bad = by_row(i for i in prep.items if i.state is ItemState.FAILED)
    if not bad:
        return plan
    reasons = ReasonTally(prep.date_locale)
    reasons.read_only(prep.date_read_only)
    for i in bad:
        column = (i.payload or {}).get("column")
        reasons.add(i.error or "", column, i.key, i.row,
                    value=((i.payload or {}).get("values") or {}).get(column))
    rows = [{"row": i.row, "key": i.key, "action": (i.payload or {}).get("action"),
             "reason": i.error, "status": (i.payload or {}).get("status"),
             "column": (i.payload or {}).get("column"), "hold": (i.payload or {}).get("hold"),
             "values": (i.payload or {}).get("values") or {}} for i in bad[:1000]]
    return replace(plan, reasons=reasons.reasons(), reason_examples=reasons.examples,
                   failed_rows=rows)


def _planned(prep: Prepared, plan: Plan, work: Work) -> Planned:
    fields = dict(sorted(prep.fields.items(), key=lambda kv: (-kv[1], kv[0])))
    idle = work.idle(prep) if work.idle is not None and not work.writes(prep) else None
    return Planned(replace(plan, changed_fields=fields),
                   {k: v for k, v in sorted(prep.actions.items()) if v}, idle)


def _check_door(owner: str, cfg: Any, token: Any, work: Any) -> None:
    """``plan_job`` / ``run_job``'s arguments, before any store or call (x41r1 M4: a
    ``work`` of None or "update" ended in AttributeError). Raises ConfigError."""
    checks.arguments(owner, cfg=cfg, token=token)
    checks.instance(owner, "work", work, Work, "a jobs.Work (update_deals, move_deals, "
                    "merge_deals or undo_job makes one)")


def _bound(work: Work, cfg: EngineConfig) -> Work:
    """``work`` as ``cfg`` names it (``Work.bind``), else itself."""
    return work.bind(cfg) if work.bind is not None else work


async def plan_job(cfg: EngineConfig, token: str, work: Work, *, asks: bool = False,
                   failed_csv: Path | None = None, clock: Clock | None = None,
                   transport: Transport | None = None) -> Planned:
    """Plan ``work`` against the account: its reads only, into a throwaway store (no job
    folder); nothing is written to Pipedrive. ``asks``: the run will ask first
    (``run_job(confirm=...)``), so its re-read of the deals after the answer is priced
    (default False: ``run_job`` without ``confirm``, as ``--yes``; x12r4 F5: the plan
    counted a re-read its run never made); without it, a job that can ask names that
    re-read in a note, with its tokens, as `pdbulk plan` does. ``failed_csv``: every row the job would refuse
    is written there, as its failed.csv would have it (a plan with none removes a file an
    earlier plan wrote there; x12r4 F4). Raises InputError or the API's errors of the
    reads, and ``BudgetExhausted`` (nothing written) when today's budget, or this job's
    share of it (``BudgetPolicy.share``), is already spent (x48r9 F3)."""
    _check_door("plan_job", cfg, token, work)
    work = _bound(work, cfg)
    checks.path("plan_job", "failed_csv", failed_csv, optional=True)
    asks = asks and work.question is not None
    with tempfile.TemporaryDirectory(prefix="pdbulk-plan-", dir=scratch_dir()) as tmp:
        store = await in_thread(lambda: JobStore.create(  # its file made off the loop
            Path(tmp) / "plan", job_id="plan", kind=work.kind,
            config={CONFIG_CREATES: work.creates, CONFIG_READS_ONLY: True}))
        try:
            async with Engine.open(cfg, token, store=store, clock=clock,
                                   transport=transport) as s:
                prep, plan = await load(s, work, store, asks=asks,
                                        prompts=work.question is not None)
            if failed_csv is not None:
                await in_thread(lambda: _write_bad_rows(failed_csv, prep))
            return _planned(prep, plan, work)
        finally:
            store.close()
            if work.release is not None:
                work.release()


def _write_bad_rows(path: Path, prep: Prepared) -> None:
    """The rows ``prep`` refused, into the failed-rows file ``path`` (``jobs.results``)."""
    from .results import failed_row, remove_failed, write_failed

    bad = [failed_row(i) for i in by_row(i for i in prep.items if i.state is ItemState.FAILED)]
    if not bad:
        remove_failed(path)
        return
    columns = prep.meta.get("source_columns")
    write_failed(path, [str(c) for c in columns] if isinstance(columns, list) else [], bad)


def _empty_results(store: JobStore) -> list[str]:
    """The result files of a finished job with no item (its kind's ``after_run`` with no
    run: succeeded.csv, failed.csv, unprocessed.csv with their headers, summary.json); the
    lines it says."""
    after_run = getattr(kind_for(store), "after_run", None)
    return list(after_run(store, None)) if after_run is not None else []


def by_row(items: Iterable[NewItem]) -> list[NewItem]:
    """``items`` in the manifest's row order (then as given; no row last): a plan adds its
    load-time refusals before the rows its account checks refuse (x22r2: plan update
    listed rows 4, 6, 7, 2, 5, 8)."""
    return sorted(items, key=lambda i: (i.row is None, i.row or 0))


def new_store(cfg: EngineConfig, work: Work, *, asks: bool = True) -> JobStore:
    """A new job's store for ``work`` under ``cfg.job_root`` (status "planned").
    ``asks``: the job will ask before it sends (``run_job`` given ``confirm``; False for
    ``--yes``), kept with the job's row in the transaction that makes it
    (``jobs.reload_recipe.RELOAD_ASKS``): a resume after a kill while loading never runs
    a job that was to ask (x44r6 F1). A ``work`` with no question never asks."""
    job_id = new_job_id(work.kind)
    return JobStore.create(cfg.job_root / job_id, job_id=job_id, kind=work.kind,
                           config={"engine": cfg.to_json(), CONFIG_CREATES: work.creates,
                                   **work.config,
                                   RELOAD_ASKS: asks and work.question is not None})


class LoadRefused(InputError):
    """``run_job``'s refusal of a load that must not run (``Prepared.refusal``: foreign ids
    without ``foreign_ids=True``, a garbled code page): its message ends "nothing was
    sent"; ``planned``: the plan that says why (its WARNING note), for the caller to show
    before the refusal (x48r7 F3: `pdbulk update` printed no plan, only the refusal)."""

    def __init__(self, reason: str, planned: Planned) -> None:
        super().__init__(reason)
        self.planned = planned


class _NotMade(Exception):
    """``run_job``'s way out of its engine when the load found nothing to send and the
    kind makes no job of that (``Planned.idle``)."""

    def __init__(self, planned: Planned) -> None:
        super().__init__(planned.idle)
        self.planned = planned


async def run_job(cfg: EngineConfig, token: str, work: Work, *,
                  confirm: Callable[[str], bool] | None = None,
                  on_progress: Callable[[Any], None] | None = None,
                  on_loaded: Callable[[JobStore, Planned, int], None] | None = None,
                  execute: Callable[[Engine, Any], Awaitable[RunResult]] | None = None,
                  on_line: Callable[[str], None] | None = None,
                  store: JobStore | None = None, clock: Clock | None = None,
                  transport: Transport | None = None) -> Finished:
    """Create, load and run ``work`` as a new job; its outcome.

    ``confirm(question)``: asked before a job with a question sends anything (a false
    answer, or an exception, raised again, cancels the job: nothing sent;
    None: not asked, as ``--yes``); the deals are
    read again after the answer. ``on_progress(stats)``: the runner's progress
    callback (``bulk.runner.RunStats``). ``on_loaded(store, planned, writes)``: called
    once the job is loaded, before the question (the CLI prints the plan there).
    ``execute(engine, kind)``: runs the loaded job (default: ``engine.run`` then the
    kind's ``after_run``, whose lines are ``Finished.lines``); ``on_line(line)``: the
    lines of the re-read after the answer, as they come (default: into ``lines``);
    ``store``: a new job's store made by ``new_store``, left open (default: one is made
    here, and closed); one made with ``asks=False`` for a ``confirm`` is refused
    (ConfigError, nothing sent): a resume would run it unasked.

    An error of the load phase (InputError, the API's) leaves the job "failed", removes
    its folder (nothing was sent) and is raised. A load with nothing to send whose kind
    makes no such job (``Work.idle``: a further undo) removes it too and returns status
    ``NOT_MADE`` ("not made": rows would fail) or ``NOTHING_TO_UNDO`` ("nothing to
    undo"), ``planned.idle`` saying why. A run stopped once loaded (its budget spent
    part-way, a cancellation) is ``status`` "stopped", resumable with ``resume_job``
    (``pdbulk resume``). A budget that cannot pay the load — today's budget or this job's
    share of it (``BudgetPolicy.share``) already spent — is an error of the load:
    ``BudgetExhausted`` is raised and no job is kept (nothing was written; x48r9 F3)."""
    import shutil

    _check_door("run_job", cfg, token, work)
    work = _bound(work, cfg)
    checks.instance("run_job", "store", store, JobStore, "a bulk.JobStore", optional=True)
    own = store is None
    # a run without ``confirm`` (--yes) asks nothing: no note of a prompt
    # (x31r1: `undo --yes` said "with the prompt (no --yes) … tokens more")
    asks = confirm is not None and work.question is not None
    if store is not None and asks and not asks_first(store.config):
        raise ConfigError("run_job(confirm=...) with a store made by new_store(asks=False): "
                          "a resume after a kill would send it unasked; make it with asks=True")
    store = store if store is not None else await in_thread(
        lambda: new_store(cfg, work, asks=asks))
    spent_before = ledger_tokens(store)
    try:
        async with Engine.open(cfg, token, store=store, clock=clock, transport=transport) as s:
            store.set_status("loading")
            try:
                prep, plan = await load(s, work, store, asks=asks, prompts=asks)
                if prep.refusal is not None:  # said by the plan; nothing is sent (x26r3)
                    raise LoadRefused(f"{prep.refusal}; nothing was sent",
                                      _planned(prep, plan, work))
            except BaseException:
                store.set_status("failed", "the load phase failed; nothing was sent")
                raise
            planned, writes = _planned(prep, plan, work), work.writes(prep)
            # the load's reads are answered: charged, not in doubt, before any way out —
            # nothing to send, not made, the prompt (x45r4 F4b), the run — so summary.json,
            # ``lines`` and ``status`` agree (x45r8 F1: 10 of 20 tokens "in doubt" in the
            # summary.json of a move-stage that selected 0 deals)
            await s.settle_ledger()
            if planned.idle is not None:  # nothing to send, and the kind keeps no such job
                store.set_status("failed", f"{planned.idle}; nothing was sent")
                raise _NotMade(planned)
            if on_loaded is not None:
                on_loaded(store, planned, writes)
            if not prep.items:  # no row at all: no run, but its result files (x41r1 M3:
                # an undo with nothing to send wrote none; `jobs` / `status` then said
                # "not written (the run ended before them)")
                store.set_status("finished", "nothing to send")
                return _finished(store, None, await in_thread(lambda: _empty_results(store)),
                                 planned, spent_before)
            asked = bool(writes and work.question is not None and confirm is not None)
            if asked and confirm is not None and work.question is not None \
                    and not ask(store, confirm, work.question.format(n=writes, s="" if writes == 1 else "s")):
                # declined (or no answer: ``jobs.confirming``): cancelled, never resumable
                # (a later resume would work from a stale picture of the deals)
                return _finished(store, None, [], planned, spent_before)
            if work.on_run is not None:
                work.on_run(store)
            kind = kind_for(store)
            lines: list[str] = []
            before = getattr(kind, "before_resume", None)
            if asked and before is not None:  # the answer may have waited: read again
                for line in await before(s.ctx, store):
                    (on_line or lines.append)(line)
            if plan is not None:  # a cap stop that finished nothing names it (x46r8 F2)
                store.meta_put(META_FIRST_WRITE_CAP, plan.first_write_cap)
            if (stop := first_write_line(
                    plan, waits=s.config.budget.wait_for_reset)) is not None:  # x23r3
                (on_line or lines.append)(stop)
            if execute is not None:
                result = await execute(s, kind)
            else:
                result = await s.run(kind, on_progress=on_progress)
                after_run = getattr(kind, "after_run", None)
                if after_run is not None:  # the result files: a pass over every item
                    lines += await in_thread(lambda: after_run(store, result))
            return _finished(store, result, lines, planned, spent_before)
    except _NotMade as idle:  # its reads alone were sent: no job is kept (x44r6 F4)
        spent = ledger_tokens(store) - spent_before
        store.close()
        shutil.rmtree(store.directory, ignore_errors=True)
        return Finished("", store.directory, str(idle.planned.idle_status), {}, None,
                        [str(idle.planned.idle)],
                        idle.planned, spent)
    except BaseException:
        if store.status == "failed":  # nothing was sent: no half-made job is left
            store.close()
            shutil.rmtree(store.directory, ignore_errors=True)
        raise
    finally:
        if own:
            store.close()
        if work.release is not None:
            work.release()


__all__ = ["WRITES", "Finished", "LoadRefused", "Planned", "Work", "ledger_tokens", "load",
           "merge_deals", "move_deals", "new_store", "plan_job", "recheck_batches",
           "recheck_calls", "run_job", "tokens_of", "undo_job", "update_deals", "with_bad_rows"]
