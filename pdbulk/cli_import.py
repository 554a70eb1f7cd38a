"""The import's pdbulk commands: ``plan import``, ``import``, ``init-mapping``.

Listed in ``pdbulk.cli.COMMANDS``.
Thin: parse, build the settings, call ``jobs.import_load`` / ``jobs.importing``,
print, exit with the documented code (README, "Import"): 0 every row done,
1 bad input or configuration (nothing sent), 3 some rows failed (failed.csv),
4 stopped checkpointed (resume it).

Why ~520 lines: the three commands share one refusal path before any job exists (the
mapping, its columns and the account's names refused together, ``_refuse_all``) and one
clean-up for a load cut short by a signal (``_cut_short``); split, the plan and the
import would refuse or stop differently.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import orjson
import typer

from bulk.engine import CONFIG_READS_ONLY, Engine, EngineConfig, new_job_id
from bulk.errors import (
    AmbiguousName,
    BudgetExhausted,
    CoordinatorLost,
    DiskFull,
    InputError,
    Stopped,
    StoreError,
)
from bulk.loop import run_loop
from bulk.manifest import (
    check_has_rows,
    check_misread,
    choose_encoding,
    date_system,
    detect_format,
    header,
    header_note,
    read_manifest,
    sheet_tables,
)
from bulk.manifest_encoding import declared_name
from bulk.manifest_xlsx import MergedCells, merged_data_cells, sheet_names
from bulk.progress import ProgressView
from bulk.runner import RunResult, RunStats
from bulk.state import scratch_dir
from bulk.store import ItemState, JobStore
from bulk.wording import about_file
from bulk.xlsx_sheet import SheetChoiceError

if TYPE_CHECKING:  # imported where used: a command loads only its own code (issue 8)
    from jobs.catalog import Catalog
    from jobs.import_rows import ImportSettings, Mode
    from jobs.importing import ImportJob
    from jobs.load_progress import LoadProgress
    from jobs.mapping import Mapping as ImportMapping

from .options import (
    DEFAULTS,
    EXIT_INPUT,
    EXIT_ROWS_FAILED,
    EXIT_STOPPED,
    EXIT_USAGE,
    READ_OPTIONS,
    EngineOptions,
    NoQuestion,
    describe,
    emit_json,
    engine_options,
    fail,
    file_options,
    files_after_abort,
    finish,
    header_row_said,
    install_stop,
    manifest_file,
    new_file,
    report_run,
    resume_hint,
    say_line,
    shell_word,
    signals_deferred,
    text_encoding,
    toml_file,
    working_on,
)

ManifestArg = Annotated[Path, typer.Argument(help="The manifest: CSV, JSONL, JSON or XLSX.",
                                             exists=True, dir_okay=False, readable=True,
                                             callback=manifest_file)]
MappingOpt = Annotated[Path, typer.Option("--mapping", "-m", help="The mapping file (TOML); "
                                          "see docs/mapping.md.", exists=True, dir_okay=False,
                                          callback=toml_file)]
ModeOpt = Annotated[Literal["insert", "upsert"] | None, typer.Option(
    "--mode", case_sensitive=False,
    help="How rows are sent: insert (a deal per row) or upsert (update the deal with the same source "
                   "key); default: the mapping file's import.mode.")]
CreateKey = Annotated[bool, typer.Option(
    "--create-key-field", help="Create the source-key custom field if the account lacks it.")]
AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")]
Unarchive = Annotated[bool, typer.Option(
    "--unarchive", help="Upsert: a row whose key belongs to an archived deal unarchives and "
                        "updates it (default: the row fails).")]
ReleaseHeld = Annotated[bool, typer.Option(
    "--release-held", help="Import rows whose source key an earlier import found twice in "
                           "one file (contested keys; default: such a row is refused). Two "
                           "rows of one key in this file that write other values stay "
                           "refused: keep the right one.")]
LookForKeys = Annotated[bool, typer.Option(
    "--look-for-keys", help="Insert: list the deals that carry a key however many the "
                            "account has (default: while the list costs at most half the "
                            "creates; past that a key on a deal made elsewhere is not "
                            "looked for).")]
CopyOwnDeals = Annotated[bool, typer.Option(
    "--copy-own-deals", help="Import a file that looks like this account's own Pipedrive "
                             "export (its ids name live deals of the same titles) all the "
                             "same, a copy of each deal created (default: refused before any "
                             "write; its [update] section changes those deals instead).")]
KeysAsGiven = Annotated[bool, typer.Option(
    "--keys-as-given", help="Take every source key as the record it names: a row whose key a "
                            "deal carries, or another row gives, in another spelling (417 / "
                            "000417, a Salesforce id's 15 / 18 characters) is created "
                            "(default: the import is refused before any write).")]


def _err(message: str) -> None:
    say_line(message, err=True)


def load_progress(manifest: str | Path) -> LoadProgress:
    """Where a long load of ``manifest`` is, on stderr (never stdout: ``--json``): on a
    terminal a live line, rewritten every second; elsewhere (cron, a pipe, ``2>log``) a
    plain line every 30 s (``jobs.load_progress``; x39r3: a 50 MB plan was minutes of
    silence in a cron log)."""
    from jobs.load_progress import LoadProgress, lines_in, live_writer, terminal_columns

    err = sys.stderr
    try:
        tty = bool(err.isatty())
    except (ValueError, OSError, AttributeError):
        tty = False
    # fitted to stderr's terminal (x40r1 F4: 113-117 characters wrapped at 80 columns)
    live = live_writer(err.write, err.flush, lambda: terminal_columns(err)) \
        if tty else None
    return LoadProgress(_err, live=live,
                        total=lambda: lines_in(manifest))


EncodingOpt = Annotated[str | None, typer.Option(
    "--encoding", callback=text_encoding,
    help="The manifest's text encoding (e.g. cp1252); default: UTF-8 or UTF-16, "
         "detected. Overrides the mapping's defaults.encoding. NAME! (cp1252!): read "
         "as declared even where the text looks garbled in it (checked).")]
SheetOpt = Annotated[str | None, typer.Option(
    "--sheet", help="XLSX: the worksheet to read (default: the first visible one).")]
HeaderRowOpt = Annotated[int | None, typer.Option(
    "--header-row", min=1, help="CSV / XLSX: the row the header is on, as a spreadsheet "
                                "numbers it (a CSV record of several lines is one row) "
                                "(default: found; title lines and a row of merged group titles "
                                "above it are skipped). Overrides the mapping's "
                                "defaults.header_row.")]


def _settings(manifest: Path, mapping_path: Path, mode: str | None, create_key_field: bool,
              encoding: str | None = None, sheet: str | None = None, unarchive: bool = False,
              release_held: bool = False, header_row: int | None = None, run: bool = False,
              look_for_keys: bool = False, keys_as_given: bool = False,
              copy_own_deals: bool = False) -> tuple[ImportSettings, ImportMapping]:
    """The job's settings; the manifest's header is read here, before any job folder,
    write or call. A mapping refused here (its schema, options, TODOs, columns) is refused
    before any call, every such problem at once (``refuse_static``). ``run``: for the
    import itself, a declared code page that garbles the text is refused here too
    (``check_misread``; the plan only says it)."""
    from jobs.import_checks import mapped_sheet, with_mapping_defaults
    from jobs.import_load import manifest_header
    from jobs.import_rows import ImportSettings, check_columns
    from jobs.mapping import Mapping as ImportMapping
    from jobs.mapping import MappingError

    refused: list[tuple[str, str]] = []
    try:
        mapping = ImportMapping.load(mapping_path)
    except MappingError as exc:  # what is left of the file has its columns checked too
        if exc.partial is None:
            raise fail(f"{exc}. {NAMES_LATER}") from None
        mapping, refused = exc.partial, exc.problems
    except InputError as exc:
        raise fail(str(exc)) from None
    chosen = mode or mapping.mode
    if chosen not in ("insert", "upsert"):
        raise fail(f"--mode must be insert or upsert, not {chosen!r}", code=2)
    resolved: Mode = "upsert" if chosen == "upsert" else "insert"
    if look_for_keys and resolved == "upsert":  # an upsert lists them all anyway
        raise fail("--look-for-keys is for an insert (an upsert lists every deal that carries "
                   "a key anyway); this import is an upsert (--mode / import.mode)", code=2)
    if unarchive and resolved == "insert":  # x19r1 F9: accepted and silently unused
        raise fail("--unarchive updates archived deals, which only an upsert does; this "
                   "import is an insert (--mode / import.mode)", code=2)
    try:
        detect_format(manifest)
    except InputError as exc:  # the argument's callback said it first (manifest_file)
        raise fail(about_file(manifest, exc), EXIT_USAGE) from None
    file_options(manifest, sheet=sheet, encoding=encoding)
    given = sheet
    try:
        sheet = mapped_sheet(manifest, sheet, mapping)  # --sheet, else [defaults] sheet
    except InputError as exc:
        raise fail(about_file(manifest, exc)) from None
    # the mapping's [defaults] where no option says otherwise (one rule with the library's
    # import_job); a failed-rows file's header is its row 1 (issue 10 F4)
    settings = with_mapping_defaults(
        ImportSettings(manifest=str(manifest.resolve()), mapping=str(mapping_path.resolve()),
                       mode=resolved, create_key_field=create_key_field, encoding=encoding,
                       sheet=sheet, header_row=header_row, unarchive=unarchive,
                       release_held=release_held, look_for_keys=look_for_keys,
                       keys_as_given=keys_as_given, copy_own_deals=copy_own_deals), mapping)
    try:
        head = manifest_header(settings)
    except InputError as exc:  # a --sheet naming no worksheet is a usage error (x21r3 F3)
        whose = (f" (the mapping's [defaults] sheet = {sheet!r}; --sheet NAME reads another)"
                 if isinstance(exc, SheetChoiceError) and given is None else "")
        raise fail(about_file(manifest, header_row_said(manifest, exc, header_row)) + whose,
                   code=2 if isinstance(exc, SheetChoiceError)
                   else 1) from None
    try:
        check_columns(mapping, head, workbook=manifest, sheet=sheet,
                      header_row=settings.header_row)
        columns_refused: InputError | None = None
    except InputError as exc:
        columns_refused = exc
    if refused or columns_refused is not None:
        refuse_static(refused, columns_refused, manifest=manifest, source=str(mapping_path))
    try:  # no rows: said before any job folder or call (x17r3 F8)
        check_has_rows(settings.manifest, encoding=settings.encoding, sheet=sheet,
                       header_row=settings.header_row)
        if run:  # x26r3: garbled names written are hard to take back
            check_misread(settings.manifest, settings.encoding)
    except InputError as exc:
        raise fail(header_row_said(manifest, exc, header_row)) from None
    return settings, mapping


Problems = list[tuple[str, str]]


# said with every refusal of a mapping's file or columns: the account is read only for a
# mapping with none (x25r1 F3: a TODO from init-mapping was refused after ~20 tokens of
# pipelines, stages, fields and users read to list its names' problems beside it)
NAMES_LATER = ("Its names (pipelines, stages, users, fields and their options) are checked "
               "against the account once these are fixed: nothing was read from it")


def refuse_static(refused: Problems, columns_refused: InputError | None, *,
                  manifest: Path | str, source: str) -> NoReturn:
    """Refuse a mapping the file (``refused``: its schema, options, TODOs) or the manifest
    (``columns_refused``: a column it lacks) refused: every such problem in one refusal,
    before any call (they need no account data). The account's names come after, in
    one refusal of their own (the compiler's: every name at once)."""
    from jobs.mapping import MappingError

    said = str(MappingError(refused, source=source)) if refused else ""
    if columns_refused is not None:
        said += ("; " if said else "") + about_file(manifest, columns_refused)
    raise fail(f"{said}. {NAMES_LATER}")


@asynccontextmanager
async def _reading(cfg: EngineConfig, token: str) -> AsyncIterator[Engine]:
    """An engine for read-only work (plan, init-mapping): its calls scheduled and
    accounted in a throwaway job store."""
    with tempfile.TemporaryDirectory(prefix="pdbulk-plan-", dir=scratch_dir()) as tmp:
        store = JobStore.create(Path(tmp) / "job", job_id="plan", kind="read-only",
                                config={CONFIG_READS_ONLY: True})  # writes nothing (f40c)
        try:
            async with Engine.open(cfg, token, store=store) as reading:
                yield reading
        finally:
            store.close()


# -- pdbulk plan import ---------------------------------------------------------------------
FailedCsv = Annotated[Path, typer.Option(
    "--failed-csv", callback=new_file,
    help="Where the plan writes every bad row (same columns as failed.csv).")]


# every engine option, as the import takes them (v9r8: `plan import --workers 1` was refused,
# so a --workers 1 upsert could not be priced: its re-check batches are smaller); --job-dir,
# --budget-share, --max-tokens and --wait-for-reset are accepted and change no figure
@engine_options()
def plan_import_cmd(manifest: ManifestArg, mapping: MappingOpt, mode: ModeOpt = None,
                    create_key_field: CreateKey = False, as_json: AsJson = False,
                    encoding: EncodingOpt = None, sheet: SheetOpt = None, unarchive: Unarchive = False,
                    release_held: ReleaseHeld = False,
                    failed_csv: FailedCsv = Path("plan-failed.csv"),
                    header_row: HeaderRowOpt = None, look_for_keys: LookForKeys = False,
                    keys_as_given: KeysAsGiven = False, copy_own_deals: CopyOwnDeals = False,
                    engine: EngineOptions = DEFAULTS) -> None:
    """Validate every row and count the calls, tokens and time an import takes. Nothing
    is sent and no job is created (``--job-dir`` is accepted, like every plan command's,
    and unused); every bad row goes to plan-failed.csv (``--failed-csv``). Exits like import would: 0 all rows
    valid, 3 some rows would fail, 1 unusable mapping or input."""
    from rich.console import Console

    from jobs.import_load import plan_import
    from jobs.planning import render_plan
    from jobs.results import remove_failed

    remove_failed(failed_csv)  # an earlier plan's file must not outlive a plan that stops
    token = engine.token()
    settings, mapping_file = _settings(manifest, mapping, mode, create_key_field, encoding, sheet,
                                       unarchive, release_held, header_row,
                                       look_for_keys=look_for_keys, keys_as_given=keys_as_given,
                                       copy_own_deals=copy_own_deals)
    cfg = engine.config()

    progress = load_progress(settings.manifest)

    async def planning() -> Any:
        async with _reading(cfg, token) as reading:
            return await plan_import(reading.ctx, settings, mapping_file,
                                     lambda: reading.scheduler.limits, stats=reading.stats,
                                     scheduler=reading.scheduler.statistics,
                                     failed_csv=failed_csv, workers=cfg.max_workers,
                                     max_tokens=cfg.budget.max_tokens,
                                     base_url=cfg.base_url, job_root=cfg.job_root,
                                     progress=progress)
    try:
        the_plan, _ = run_loop(planning)
    finally:
        progress.clear()
    if as_json:
        emit_json(the_plan.to_json())
    else:
        render_plan(the_plan, console=Console(file=sys.stdout, width=100, markup=False))
    if the_plan.bad_rows:
        raise typer.Exit(EXIT_ROWS_FAILED)


# -- pdbulk import ----------------------------------------------------------------------------
async def _import_with_progress(store: JobStore, kind: ImportJob, mapping: ImportMapping,
                                cfg: EngineConfig, token: str, *,
                                on_engine: Callable[[Engine], None]) -> RunResult:
    """``jobs.import_load.import_job`` with a progress display around its run."""
    from jobs.import_load import import_job

    sink: list[Callable[[RunStats], None]] = []

    def on_progress(stats: RunStats) -> None:
        for update in sink:
            update(stats)

    @contextmanager
    def view(engine: Engine) -> Iterator[None]:
        counts = store.counts()
        done = sum(counts[s] for s in (ItemState.DONE, ItemState.FAILED, ItemState.SKIPPED))
        with ProgressView(sum(counts.values()), label="import", already=done,
                          done_before=counts[ItemState.DONE],
                          failed_before=counts[ItemState.FAILED],  # refused rows too
                          clock=engine.clock) as shown:
            shown.scheduler = engine.scheduler
            sink.append(shown.update)
            yield
            shown.update(engine.stats, final=True)

    progress = load_progress(kind.settings.manifest)
    try:
        return await import_job(store, kind, mapping, cfg, token, say=_err,
                                on_engine=on_engine, on_progress=on_progress,
                                around_run=view, progress=progress)
    finally:
        progress.clear()


def run_import(store: JobStore, settings: ImportSettings, mapping: ImportMapping,
               cfg: EngineConfig, token: str, box: list[Engine] | None = None) -> RunResult:
    """``import_job`` with progress, Ctrl-C handling and the result files. ``box``: the
    engine opened is appended to it (the caller reads what was sent when the load fails)."""
    from jobs.importing import ImportJob

    kind = ImportJob(store, settings)
    box = [] if box is None else box
    restore = install_stop(box)
    working_on(store)
    store.set_status("loading")  # the load marks it loaded; the runner running → stopped|finished
    try:
        result = run_loop(lambda: _import_with_progress(store, kind, mapping, cfg, token,
                                                         on_engine=box.append))
    finally:
        restore()
    report_run(store, result, kind.after_run)
    return result


@engine_options()
def import_cmd(manifest: ManifestArg, mapping: MappingOpt, mode: ModeOpt = None,
               create_key_field: CreateKey = False, as_json: AsJson = False,
               encoding: EncodingOpt = None, sheet: SheetOpt = None,
               unarchive: Unarchive = False, release_held: ReleaseHeld = False,
               header_row: HeaderRowOpt = None, look_for_keys: LookForKeys = False,
               keys_as_given: KeysAsGiven = False, copy_own_deals: CopyOwnDeals = False,
               yes: NoQuestion = False,
               engine: EngineOptions = DEFAULTS) -> None:
    """Import deals (with their persons and organizations) from a manifest, exactly once."""
    token = engine.token()
    settings, mapping_file = _settings(manifest, mapping, mode, create_key_field, encoding, sheet,
                                       unarchive, release_held, header_row, run=True,
                                       look_for_keys=look_for_keys, keys_as_given=keys_as_given,
                                       copy_own_deals=copy_own_deals)
    cfg = engine.config()
    job_dir = engine.job_dir
    job_id = new_job_id("import")
    # a signal before the store exists ends in SafeGroup's one line (exit 1; JobStore.create
    # removes a folder it was cut short making); from then on, here (x22r2: a signal between
    # the create and the load's handler was exit 130 with no line, a job left behind)
    store = JobStore.create(job_dir / job_id, job_id=job_id, kind="import",
                            config={"engine": cfg.to_json(), "import": settings.to_json()})
    engines: list[Engine] = []
    try:
        _err(f"job {job_id} ({settings.mode}) in {store.directory}")
        started = time.monotonic()
        result = run_import(store, settings, mapping_file, cfg, token, engines)
    except BaseException as exc:  # a load cut short by anything leaves no junk job
        with signals_deferred():  # a second Ctrl-C must not cut the clean-up short
            _cut_short(store, engines, exc, job_dir)
        raise
    try:
        if as_json:  # the lines above went to stderr (json_command)
            # with its folder, as every job's --json summary (README; x18r4 3: missing)
            emit_json({**orjson.loads((store.directory / "summary.json").read_bytes()),
                       "job_dir": str(store.directory)})
        _err(f"done in {time.monotonic() - started:.1f} s in all (reading the file, "
             "sending and the reports)")
        finish(store, result)
    finally:
        store.close()


def _cut_short(store: JobStore, engines: list[Engine], exc: BaseException,
               job_dir: Path) -> None:
    """An import that ended in ``exc`` before its run returned: a loaded job stays
    (resumable); one cut short while loading (nothing sent) is removed. Raises the one
    line and exit code it ends in; returns when ``exc`` should go on as it is."""
    job_id = store.job_id
    loaded = store.loaded
    sent = _writes_sent(store, engines, exc)
    if not loaded and store.status == "loading":
        with contextlib.suppress(StoreError):  # a full disk: say the first error
            store.set_status("failed", f"the load phase failed; {sent}")
    if loaded and isinstance(exc, KeyboardInterrupt):
        files_after_abort(store)  # the rows settled so far, row by row
    with contextlib.suppress(StoreError):
        store.close()
    if loaded:  # aborted mid-run (a second Ctrl-C): the job is resumable as it stands
        if isinstance(exc, KeyboardInterrupt):  # the --json error names the job (x31r3 1)
            raise fail(f"aborted; resume with: {resume_hint(job_id, job_dir)}",
                       code=EXIT_STOPPED) from None
        _err(f"resume with: {resume_hint(job_id, job_dir)}")
        return
    # nothing was sent before the load finished: a half-loaded job would only confuse
    shutil.rmtree(job_dir / job_id, ignore_errors=True)
    if isinstance(exc, KeyboardInterrupt | Stopped):
        # nothing to resume (the folder is gone): not exit 4
        raise fail(f"interrupted while loading; {sent}", code=EXIT_INPUT) from None
    if isinstance(exc, CoordinatorLost):  # no job to stop or resume: say what happened
        raise fail(f"{exc.cause} while the job was loading; the job was removed "
                   f"({sent}): run the import again once Redis is back",
                   code=EXIT_INPUT) from None
    if isinstance(exc, DiskFull):  # the job is gone: nothing to resume
        raise fail(str(DiskFull(exc.path, action=f"the job was removed ({sent}): free "
                                "space and run the import again")),
                   code=EXIT_STOPPED) from None
    if isinstance(exc, BudgetExhausted):  # x10r4 F11: it named a job resume did not know
        # (x31r3 3: "spent while the job was loading" for a budget spent before the
        # command started; the load cannot tell which)
        raise fail(f"{describe(exc)}; the job was removed before its first row was sent "
                   f"({sent}): nothing to resume",
                   code=EXIT_STOPPED) from None  # exit 4: a budget spent (README)
    # any other end (a refused token, an unusable state folder): the job named at the
    # start is gone, say so before the error's own line (x39r3 L5: `status` said "no job")
    _err(f"job {job_id} was removed ({sent}): no job was left to resume")


def _writes_sent(store: JobStore, engines: list[Engine], exc: BaseException) -> str:
    """What a load cut short (by ``exc``) had sent: "nothing was sent", "already sent:
    addDealField 1" (the key field created with --create-key-field), or its reads
    ("reads only: getCurrentUser 1 answered 429 (not charged)": f49a F2, a coordinated
    run's GET /users/me was "nothing was sent") — ``jobs.finished.sent_words``."""
    from bulk.operations import get_operation
    from jobs.finished import sent_words

    writes = dict(engines[0].stats.calls_by_operation) if engines else None
    try:
        spend = store.spend_by_operation()
    except StoreError:  # a store that cannot say: the engine's count alone
        spend = {}
    if writes is not None:
        writes = {op: n for op, n in writes.items() if get_operation(op).is_write}
    return sent_words(spend, exc, writes=writes)


# -- pdbulk init-mapping --------------------------------------------------------------------
def _samples(manifest: Path, limit_rows: int = 2000, per_column: int = 50, *,
             encoding: str | None = None, sheet: str | None = None,
             header_row: int | None = None,
             rows: list[dict[str, object]] | None = None,
             more: list[bool] | None = None) -> dict[str, list[str]]:
    """A few distinct values per column (text; numbers as ``TypedSample``, XLSX dates as
    ``TypedDate``) of the first ``limit_rows`` rows; ``rows``, when given, gets those rows'
    cells themselves as the same text (x47r3 F4: an XLSX date cell was neither sampled nor
    in ``rows``, so no check of init-mapping saw it); ``more``, when given, gets ``True``
    when the file has rows past them (x49r3 F8)."""
    from jobs.mapping.starter import TypedSample
    from jobs.mapping.starter import sample_text as _sample_text

    out: dict[str, dict[str, None]] = {}
    for n, row in enumerate(read_manifest(manifest, encoding=encoding, sheet=sheet,
                                          header_row=header_row)):
        if n >= limit_rows:
            if more is not None:
                more.append(True)
            break
        # a row the reader refuses as a whole (shifted cells) is no sample (v10r14:
        # '300.00' from a split $17,300.00 proposed as a stage); one refused for a cell of
        # its own (an XLSX formula without a stored value, an Excel error, a merged cell)
        # is, its other cells (x52r10 F2: an unmapped formula column made every row an
        # error row, and the Stage column got no status line and no stage map, unsaid)
        bad = getattr(row.error, "column", None) if row.error is not None else None
        if row.error is not None and bad is None:
            continue
        values = {c: v for c, v in row.values.items() if c != bad}
        if rows is not None:
            rows.append({c: t for c, v in values.items()
                         if isinstance(t := _sample_text(v), str)})
        for column, cell in values.items():
            seen = out.setdefault(column, {})
            # a JSON list's items are sampled one by one ([9000]: ids, never a name)
            for value in cell if isinstance(cell, list) else (cell,):
                value = _sample_text(value)
                if isinstance(value, str) and value.strip() and len(seen) < per_column:
                    seen[value if isinstance(value, TypedSample) else value.strip()] = None
    return {k: list(v) for k, v in out.items()}


def _used_encoding(manifest: Path, encoding: str | None) -> str | None:
    """The --encoding a text manifest was read with (None when a BOM or UTF-8 text won
    over it, or for XLSX): what the starter mapping's [defaults] encoding should say."""
    if encoding is None or detect_format(manifest) == "xlsx":
        return None
    return encoding if choose_encoding(manifest, encoding) == declared_name(encoding) else None


@engine_options(*READ_OPTIONS)
def init_mapping_cmd(
    manifest: ManifestArg,
    output: Annotated[Path | None, typer.Option("--output", "-o", callback=new_file,
                                                help="Write here (default, or -: stdout).")] = None,
    key_field: Annotated[str, typer.Option(help="Label of the source-key custom field.")]
    = "Import source key",
    force: Annotated[bool, typer.Option(help="Overwrite an existing output file.")] = False,
    encoding: EncodingOpt = None, sheet: SheetOpt = None, header_row: HeaderRowOpt = None,
    engine: EngineOptions = DEFAULTS,
) -> None:
    """Write a starter mapping from the manifest's header and the account's fields."""
    from jobs.account import load_catalog
    from jobs.mapping import init_mapping

    file_options(manifest, sheet=sheet, encoding=encoding, header_row=header_row)
    if output is not None and str(output) == "-":  # the CLI convention (x34r5 F7: a file "-")
        output = None
    if output is not None and output.exists() and not force:
        raise fail(f"--output {output} exists (use --force to overwrite)", EXIT_USAGE)
    token = engine.token()
    cfg = replace(engine, workers=8).config()
    try:
        sheet, others = _init_sheet(manifest, sheet)
        columns = header(manifest, encoding=encoding, sheet=sheet, header_row=header_row)
        note = header_note(manifest, sheet=sheet, header_row=header_row, encoding=encoding)
        system = date_system(manifest, sheet=sheet)
    except InputError as exc:
        raise fail(about_file(manifest, exc), code=2 if isinstance(exc, SheetChoiceError)
                   else 1) from None
    if note is not None:
        _err(f"note: {note}")

    async def pulling() -> Any:
        async with _reading(cfg, token) as reading:
            return await load_catalog(reading.ctx)
    catalog = run_loop(pulling)
    rows: list[dict[str, object]] = []
    more: list[bool] = []
    samples = _samples(manifest, encoding=encoding, sheet=sheet, header_row=header_row,
                       rows=rows, more=more)
    text = init_mapping(columns, catalog, key_field=key_field, samples=samples, rows=rows,
                        more_rows=bool(more),
                        encoding=_used_encoding(manifest, encoding), header_row=header_row,
                        date_system=system, sheet=sheet, other_sheets=others,
                        merged=_merged_cells(manifest, sheet, header_row))
    verb = "update" if "\n[update]\n" in text else "import"  # Pipedrive's own export
    if output is None:  # -o -: the mapping alone on stdout, the hint on stderr (x35r1 4)
        typer.echo(text, nl=False)
        _err("check every line (docs/mapping.md), save it (mapping.toml), then "
             f"`pdbulk plan {verb} {shell_word(manifest)} --mapping mapping.toml"
             f"{_key_flag(verb, catalog, key_field)}`")
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:  # x42r5 F10: "pdbulk: No space left on device", no file named
        raise fail(f"cannot write the mapping to {shell_word(output)}: "
                   f"{exc.strerror or exc}; nothing else was written") from None
    _err(f"wrote {output}: check every line (docs/mapping.md), then "
         f"`pdbulk plan {verb} {shell_word(manifest)} --mapping {shell_word(output)}"
         f"{_key_flag(verb, catalog, key_field)}`")


def _merged_cells(manifest: Path, sheet: str | None,
                  header_row: int | None) -> dict[str, MergedCells]:
    """An XLSX sheet's merged ranges in data rows, per column (``merged_data_cells``), for
    init-mapping's TODO; {} for CSV / JSON."""
    if detect_format(manifest) != "xlsx":
        return {}
    try:
        return merged_data_cells(manifest, sheet, header_row)
    except InputError:  # (the header was read already: the rows' reader says it)
        return {}


def _init_sheet(manifest: Path, sheet: str | None) -> tuple[str | None, list[str]]:
    """The worksheet init-mapping reads, and the workbook's other visible sheets: ``sheet``
    (--sheet) when given, else the one most like a table of records (named columns times
    rows, of the first 1,000), said in a note naming the others (x25r2 F10: a workbook's
    first visible sheet, "Pivot Summary", was read silently and its data sheet left
    out). (None, []) for a workbook of one sheet read by default, and for CSV / JSON."""
    if detect_format(manifest) != "xlsx":
        return sheet, []
    if sheet is not None:
        names = sheet_names(manifest)
        return sheet, [n for n in names if n.casefold() != sheet.casefold()]
    tables = sheet_tables(manifest)
    if len(tables) < 2:
        return None, []
    name, width, rows = max(tables, key=lambda t: (t[1] >= 2 and t[2] > 0, t[1] * t[2]))

    def shown(columns: int, rows: int) -> str:
        return (f"{columns} column{'s' if columns != 1 else ''}, "
                f"{rows:,}{'+' if rows >= 1000 else ''} row{'s' if rows != 1 else ''}")
    others = [(n, c, r) for n, c, r in tables if n != name]
    _err(f"note: the workbook has {len(tables)} sheets: read {name!r} ({shown(width, rows)}: "
         "the one most like a table of records), not "
         + ", ".join(f"{n!r} ({shown(c, r)})" for n, c, r in others)
         + "; the mapping names it ([defaults] sheet), --sheet NAME reads another")
    return name, [n for n, _, _ in others]


def _key_flag(verb: str, catalog: Catalog, key_field: str) -> str:
    """`` --create-key-field`` when the import's advice needs it: the account has no key
    field yet (x22r2: the advice printed exited 1 "pass --create-key-field")."""
    if verb != "import":
        return ""
    try:
        catalog.field(key_field, custom=True)
    except AmbiguousName:
        return ""  # the plan names the two fields; creating a third would not help
    except InputError:
        return " --create-key-field"
    return ""


__all__ = ["import_cmd", "init_mapping_cmd", "plan_import_cmd", "run_import"]
