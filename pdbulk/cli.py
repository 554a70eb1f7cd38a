"""The ``pdbulk`` command: parse, build a config, call the library, print one clear line per error.

Exit codes (documented in README):
  0  every item done (or nothing to do)
  1  bad input or configuration (nothing was sent)
  2  usage error (unknown option, missing argument, a bad option value or combination)
  3  the job finished but some rows failed (see failed.csv)
  4  the job stopped checkpointed (budget spent, API unreachable, interrupted): resume it
     (only when something is left to resume)
  5  authentication or permission failure (bad token, missing scope): fix the token
  6  busy: the job is held by another live process; try again later

No user error ends in a traceback: every exception below a command is turned into
one ``pdbulk: ...`` line and one of these codes (``SafeGroup``).

The API token is read from an environment variable (default PIPEDRIVE_API_TOKEN), never from
a command-line flag (a process list would show it), and never written anywhere.

Why ~1000 lines: the job-wide commands (jobs, status, resume, retry, sandbox) and the
exception boundary that turns every error into one line and an exit code are here; the
commands of each job kind live in ``cli_import``, ``cli_ops`` and ``cli_dedupe``.
"""

from __future__ import annotations

import errno
import inspect
import logging
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
import typer
import typer.core

# click's error classes (typer vendors click and names only BadParameter of them)
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from bulk import wording
from bulk.coordinator import ENV_COORDINATOR, coordinator_url
from bulk.coordinator_open import open_coordinator
from bulk.engine import Engine
from bulk.errors import (
    META_STOP,
    STOP_CAUSES,
    BulkError,
    CoordinatorLost,
    InputError,
    NotResumable,
    flags_only,
)
from bulk.ledger import tokens_in_doubt, tokens_unsplit
from bulk.loop import run_loop
from bulk.reports import SUMMARY
from bulk.store import ACTIVE_STATUSES, ItemState, JobStore, held_by_live_process, list_jobs
from bulk.wording import state_words

from . import cli_dedupe, cli_import, cli_ops
from .cli_import import AsJson
from .options import (
    EXIT_ROWS_FAILED,
    EXIT_STOPPED,
    EXIT_USAGE,
    WINDOW_SHARE_HELP,
    JobArg,
    JobDir,
    NoQuestion,
    OAuth,
    Plan,
    Seats,
    TokenEnv,
    _share,
    _window_share,
    begin_command,
    broken_pipe,
    describe,
    emit_json,
    end_of_command,
    exit_code_for,
    fail,
    find_job,
    finish,
    interrupted_job,
    json_command,
    new_file,
    preflight,
    read_token,
    show_traceback,
    state_counts,
)
from .resume_run import resumed as _resumed
from .resume_run import run_summary as _run_summary
from .resume_run import settled as _settled

_describe = describe  # the one line an error ends in (options.describe)


def _display_type_rich(self: Any, ctx: Any) -> str | None:
    """Help shows a value's type only where it tells something: no ``<bool>`` on a flag,
    no ``<str>`` on free text (the help text says what goes there), ``<int>`` for an
    ``<int range>`` (its bounds are in its help text, in words; x27r3 6)."""
    if getattr(self, "metavar", None) is not None:
        return str(self.metavar)
    shown = self.display_type(ctx)
    return None if shown in ("<bool>", "<str>") else shown.replace(" range>", ">")


def _no_range_note(self: Any) -> None:
    """No ``[x>=1]`` / ``[1<=x<=1024]`` after an option's help: its help says its bounds as
    people write them ("at least 1", "1 to 1024"; x27r3 6)."""
    return None


for _cls in (typer.core.TyperOption, typer.core.TyperArgument):
    setattr(_cls, "display_type_rich", _display_type_rich)  # noqa: B010 - one place
    setattr(_cls, "_get_number_range_help_str", _no_range_note)  # noqa: B010 - one place

# pydantic's prefixes on the reason of a value typer refused (a choice typer checks raises
# ValueError inside its validator: "Invalid value for '--plan': Value error, 'foo' is ...")
_VALIDATOR_PREFIXES = ("Value error, ", "Assertion failed, ")


# pydantic's reason for a number typer refused, in pdbulk's words (f33i 1: `--window-share
# abc` said "Input should be a valid number, unable to parse string as a number")
_NUMBER_REASONS = {
    "float_parsing": "{input!r} is not a number",
    "int_parsing": "{input!r} is not a whole number",
    "int_from_float": "{input!r} is not a whole number",
    "greater_than_equal": "{input} is below {ge}: give {ge} or more",
    "greater_than": "{input} is too low: give more than {gt}",
    "less_than_equal": "{input} is above {le}: give {le} or less",
    "less_than": "{input} is too high: give less than {lt}",
}


def _number_reason(exc: BaseException) -> str | None:
    """The reason typer refused an int or float option value, as pdbulk says its other
    option errors (``'abc' is not a number``, ``0 is below 1: give 1 or more``), or None
    when ``exc`` is not such a refusal. The value is the one on the command line."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if not callable(errors):
        return None
    try:
        first = errors()[0]
        reason = _NUMBER_REASONS[first["type"]]
    except (IndexError, KeyError, TypeError):
        return None
    bounds = {name: f"{bound:g}" if isinstance(bound, float) else bound
              for name, bound in first.get("ctx", {}).items()}  # 0, not 0.0
    return reason.format(input=first.get("input"), **bounds)


def _plain_reason(exc: BaseException) -> None:
    """Drop pydantic's "Value error, " from a usage error's reason, in place (x27r3 6),
    and say a refused number in pdbulk's words (``_number_reason``)."""
    if (reason := _number_reason(exc)) is not None:
        exc.message = reason  # type: ignore[attr-defined]
        return
    message = getattr(exc, "message", None)
    if isinstance(message, str):
        for prefix in _VALIDATOR_PREFIXES:
            message = message.replace(f": {prefix}", ": ").removeprefix(prefix)
        exc.message = _MISSING.sub(_missing_reason, message)  # type: ignore[attr-defined]


# click's refusal of a file argument that is not there (its Path type: exists=True)
_MISSING = re.compile(r"\b(?:[Ff]ile|[Pp]ath|[Dd]irectory) '((?:[^']|'')*)' does not exist")


def _missing_reason(found: re.Match[str]) -> str:
    """Why a file argument is "not there" where the plain words mislead (x42r5 F10): ``-``
    is standard input, which no command reads; a symbolic link that leads to itself is a
    loop, not a missing file; else click's words."""
    name = found.group(1).replace("''", "'")
    if name == "-":
        return ("'-' is standard input, which pdbulk does not read (a file is read more "
                "than once): save it to a file and give that file's name")
    try:
        os.stat(name)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return (f"{name!r} is a symbolic link that leads back to itself (a loop): point "
                    "it at the file, or give the file")
    return found.group(0)


def usage_line(exc: ClickException) -> str:
    """A usage error as the one ``pdbulk: ...`` line README's exit codes promise, with
    the command's ``--help`` to read (x31r1 4: typer drew a box of several lines, with
    its "Usage:" and "Try ... for help." lines above it). A refused choice keeps click's
    list of the choices ("'foo' is not one of 'lite', 'growth', ...")."""
    message = " ".join(exc.format_message().split()).removesuffix(".")
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, UsageError) and ctx is not None:
        message += f" (see `{ctx.command_path} --help`)"
    return f"pdbulk: {message}"


def _one_line(exc: ClickException, remaining: list[str]) -> typer.Exit:
    """Say usage error ``exc`` in one line on stderr (and one JSON object with ``--json``,
    first); the exit to raise, with its code (2 for a usage error)."""
    _plain_reason(exc)
    if "--json" in remaining:  # …and --json still gets its one object
        emit_json({"status": "error", "exit_code": exc.exit_code,
                   "error": exc.format_message()}, pretty=False)
    typer.echo(usage_line(exc), err=True)
    return typer.Exit(exc.exit_code)


class SafeGroup(typer.core.TyperGroup):
    """The CLI's one exception boundary: an error below a command becomes one line on
    stderr and its documented exit code, never a traceback (PDBULK_DEBUG=1 prints one
    first; the line and the code stay the same); a usage error too (``usage_line``),
    where typer would draw a box."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except NoArgsIsHelpError:
            raise  # the help, as asked
        except ClickException as exc:  # the top group's own options (`pdbulk --bogus`)
            raise _one_line(exc, args) from None

    def invoke(self, ctx: Any) -> Any:
        remaining = _remaining(ctx)  # before click consumes them
        ctx.meta.setdefault(_ARGS, remaining)  # the top group's, for its callback (--json)
        begin_command()  # a job that settles holds the signals to the command's end (f21c F1)
        ctx.call_on_close(end_of_command)
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # typer's own handling is exit 130, nothing said. A command that sends catches
            # its interrupts once it may have sent (import, update, ..., resume: their one
            # line, exit 1 or 4), so one that reaches here before its job's run began sent
            # nothing: the reading commands, and a job command before its job exists
            # (x22r2: an import's start-up, 2 of 20 Ctrl-Cs). The sandbox stops on it as a
            # server does.
            # A job whose run began says its state instead, exit 4 as its stop (x52r3 F2: a
            # second Ctrl-C during the stop's last lines, after 37 deals moved)
            if ctx.invoked_subcommand != "sandbox":
                if (stopped := interrupted_job()) is not None:
                    raise fail(stopped, EXIT_STOPPED) from None
                raise fail(INTERRUPTED_READING) from None
            raise
        except (typer.Exit, typer.Abort, NoArgsIsHelpError):
            raise
        except ClickException as exc:  # usage errors: one line, not typer's box
            raise _one_line(exc, remaining) from None
        except Exception as exc:
            if broken_pipe(exc):
                raise  # click's main stops quietly on EPIPE (no "pdbulk: Broken pipe")
            show_traceback(exc)  # PDBULK_DEBUG: the traceback, then the same line and code
            typer.echo(f"pdbulk: {_describe(exc)}", err=True)
            raise typer.Exit(exit_code_for(exc)) from None


# a signal a command did not take (SIGINT, SIGTERM, SIGHUP: pdbulk.entry) is one line and
# exit 1, as README's exit codes say (x17r3 F1: exit 130, no line, for a reading command)
INTERRUPTED_READING = "interrupted before anything was sent: nothing was changed"
_ARGS = "pdbulk.args"  # ctx.meta: the arguments after the top group's own options


def _remaining(ctx: Any) -> list[str]:
    """The arguments a group passes on to its command (for ``--json`` on usage errors)."""
    return [*getattr(ctx, "_protected_args", []), *getattr(ctx, "args", [])]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"pdbulk {version('pipedrive-bulk')}")
        except PackageNotFoundError:
            typer.echo("pdbulk (not installed)")
        raise typer.Exit()


# help is Markdown (x22r2 F3: as rich markup, "[update]" was swallowed and the docstrings'
# ``code`` showed its backticks): ``--json`` shows as code, [update] as written
MARKUP: Literal["markdown"] = "markdown"
# -h works as --help on every command (x44r7 F7: "No such option: -h")
HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(cls=SafeGroup, add_completion=False, no_args_is_help=True,
                  context_settings=HELP_OPTIONS,
                  pretty_exceptions_enable=False, rich_markup_mode=MARKUP,
                  help="Bulk operations for the Pipedrive API: fast, cheap, exactly once.")



plan_app = typer.Typer(no_args_is_help=True, rich_markup_mode=MARKUP,
                       context_settings=HELP_OPTIONS,
                       help="Show what a job would do (calls, tokens, time) without writing anything.")
app.add_typer(plan_app, name="plan")


# -- commands -------------------------------------------------------------------------------
_OFFLINE = {"jobs", "status", "sandbox", "init-mapping"}  # commands that never call the API


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler writing to ``sys.stderr`` as it is when a line is written (a test runner
    or a redirect may have replaced it since the handler was made)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def _log_to_stderr() -> None:
    """The library's warnings (``pdbulk.*`` loggers: the scheduler's wait for the daily
    reset) as ``pdbulk: ...`` lines on stderr, once per process."""
    log = logging.getLogger("pdbulk")
    if not any(isinstance(h, _Stderr) for h in log.handlers):
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("pdbulk: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.WARNING)


@app.callback()
def _shared(ctx: typer.Context, coordinator: Annotated[str | None, typer.Option(
        "--coordinator", envvar=ENV_COORDINATOR, show_default=False, metavar="URL",
        help="Share the account's limits with other pdbulk processes: redis://host:6379/0 "
             "(default: local, this process only).")] = None,
        version: Annotated[bool, typer.Option(
            "--version", callback=_version, is_eager=True,
            help="Print the version and exit.")] = False) -> None:
    """Options for every command. A coordinator that does not answer: exit 1, nothing sent."""
    _log_to_stderr()
    url = coordinator_url(coordinator or "")
    before = os.environ.get(ENV_COORDINATOR)
    ctx.call_on_close(lambda: _restore_env(ENV_COORDINATOR, before))  # library / test callers
    if url is None:
        os.environ.pop(ENV_COORDINATOR, None)
        return
    os.environ[ENV_COORDINATOR] = url  # Engine.open reads it, for every job kind
    if ctx.invoked_subcommand in _OFFLINE:
        return
    try:
        open_coordinator(url)
        from bulk.coordinator_redis import check

        run_loop(check, url)
    except (ValueError, CoordinatorLost) as exc:
        error = fail(str(exc))
        if "--json" in ctx.meta.get(_ARGS, ()):  # before the command: its --json contract
            emit_json({"status": "error", "exit_code": error.exit_code, "error": str(exc)},
                      pretty=False)
        raise error from None


def _restore_env(name: str, value: str | None) -> None:
    """Put env ``name`` back as it was before a command ran: ``--coordinator`` given to one
    in-process invocation (CliRunner, a script calling the app) must not become the
    coordinator of the next one."""
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _actions(directory: Path) -> dict[str, int]:
    """The rows by action the job's last result files counted (``summary.json``'s
    ``actions``: ``{"exists": 400}``), {} when it has none or it cannot be read: the item
    states alone said ``skipped 400`` where the run said ``400 exists`` (x29r1 F7)."""
    try:
        data = orjson.loads((directory / SUMMARY).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    actions = data.get("actions") if isinstance(data, dict) else None
    if not isinstance(actions, dict):
        return {}
    return {str(k): v for k, v in actions.items() if isinstance(v, int) and v}


# the kinds whose items are merges of a file's rows: a merge's groups rows, a dedupe's groups
MERGE_KINDS = frozenset({"merge", "dedupe"})


def _merge_units(store: JobStore) -> dict[str, int]:
    """A merge job's counts in its file's units, as its run's ``rows: R; merges: M`` line
    says them (``jobs.merging.merge_counts``): ``{"file_rows": R, "merges": M}`` — a
    groups row asks for several merges, each an item (x42r6 F5: only items were shown);
    a dedupe job's rows are its plan's groups, ``"groups": R`` too (x43r5 F4)."""
    from jobs.merging import merge_counts

    rows, merges = merge_counts(store)
    return {"file_rows": rows, "merges": merges,
            **({"groups": rows} if store.kind == "dedupe" else {})}


def _merge_units_at(directory: Path) -> dict[str, int]:
    """``_merge_units`` of the job in ``directory``, read without locking it; {} when its
    store cannot be read (the counts alone are listed then)."""
    try:
        store = JobStore.open(directory, lock=False)
    except BulkError:
        return {}
    try:
        return _merge_units(store)
    except BulkError:
        return {}
    finally:
        store.close()


def _undo_tally(directory: Path, state: str) -> str | None:
    """An undo job's tally as its run's last line says it (``options.undo_counts_line``),
    read from its store without locking it; None when the store cannot be read (the
    counts alone are listed then)."""
    from .options import undo_counts_line

    try:
        store = JobStore.open(directory, lock=False)
    except BulkError:
        return None
    try:
        counted = store.counts()
        return undo_counts_line(store, counted, at_work=state == "running")
    except BulkError:
        return None
    finally:
        store.close()


def _load_cut(directory: Path) -> tuple[str, bool] | None:
    """What a resume does with the job in ``directory`` whose process is gone, when there is
    more to say than its state: its load was cut short, or resume refuses it
    (``jobs.resume_verdict``, which the resume decides by); None for any other job, or a
    store that cannot be read (x44r6 F2: `jobs` said just "interrupted"; x44r10 F4). The
    words, and whether its load was cut short."""
    from jobs.resume_verdict import verdict

    try:
        with JobStore.open(directory, lock=False) as store:
            said = verdict(store)
    except BulkError:
        return None
    return None if said.words is None else (said.words, said.cut)


def _undone(directory: Path) -> str | None:
    """What undid the job in ``directory`` (``jobs.undo.undone_words``), read without
    locking it; None when no undo ran on it or its store cannot be read."""
    from jobs.undo import undone_words

    try:
        store = JobStore.open(directory, lock=False)
    except BulkError:
        return None
    try:
        return undone_words(store)
    except BulkError:
        return None
    finally:
        store.close()


def jobs(job_dir: JobDir = Path("pdbulk-jobs"), as_json: AsJson = False) -> None:
    """List the jobs in the job directory (``--json``: ``{"jobs": [{"job", "kind",
    "status", "state", "counts", "actions" (rows by action, from its result files, when
    written), "file_rows" and "merges" (a merge job's: its file's rows, the merges they ask
    for; a dedupe job's: its plan's groups, also as "groups"), "directory",
    "results_missing" (why its result files do not show it, in words: a kill between its
    status and its files; else null), "undone" (what undid it, when an undo ran on it),
    "load_cut" (a job whose load was cut short, its process gone: what `pdbulk resume`
    does with it, in words), "resume" (any other job whose process is gone that `pdbulk
    resume` refuses: why and what to do, in words)}]}``,
    oldest first;
    ``state`` is "interrupted" for a job whose process is gone, else its status)."""
    from jobs.results import results_missing_at

    if job_dir.exists() and not job_dir.is_dir():
        raise fail(f"--job-dir {job_dir} is a file, not a folder of jobs")
    listed: list[dict[str, Any]] = []
    for job in list_jobs(job_dir):
        state = job.status
        if state in ACTIVE_STATUSES and not held_by_live_process(job.directory):
            state = "interrupted"  # its process is gone (kill -9, power cut): resume it
        actions = _actions(job.directory)
        # a kill between the run's status and its result files (x39r5 F1): said here too,
        # where the user looks for the jobs to act on, not only by ``status`` (f40a)
        missing = None if job.error or state != job.status else results_missing_at(
            job.directory, job.status, job.kind,
            {str(getattr(k, "value", k)): v for k, v in job.counts.items()})
        tally = _undo_tally(job.directory, state) if job.kind == "undo" and not job.error \
            else None
        said = _load_cut(job.directory) if state in ("interrupted", "stopped") \
            and not job.error else None
        cut = said[0] if said is not None and said[1] else None
        refused = said[0] if said is not None and not said[1] else None
        undone = _undone(job.directory) if job.kind != "undo" and not job.error else None
        units = _merge_units_at(job.directory) if job.kind in MERGE_KINDS and not job.error \
            else {}
        listed.append({"job": job.job_id, "kind": job.kind, "status": job.status,
                       "state": state, "counts": {str(getattr(k, "value", k)): v
                                                  for k, v in sorted(job.counts.items())
                                                  if v},
                       **({"actions": actions} if actions else {}),
                       **({"tally": tally} if tally else {}),
                       **units,  # a merge job's file rows and merges (x42r6 F5)
                       **({"undone": undone} if undone else {}),
                       **({"load_cut": cut} if cut else {}),
                       **({"resume": refused} if refused else {}),
                       "directory": str(job.directory), "results_missing": missing,
                       **({"error": job.error} if job.error else {})})
    if as_json:
        emit_json({"jobs": listed})
        return
    if not listed:
        typer.echo(f"no jobs in {job_dir}")
    for row in listed:  # a folder not named by its job id (a copy, a rename) is named:
        # two copies of one job listed alike could not be told apart (x41r1)
        folder = Path(row["directory"]).name
        row["label"] = row["job"] if folder == row["job"] else f"{row['job']} (folder {folder})"
    # columns as wide as their longest cell (x23r4: a longer job id shifted its row)
    wide = {k: max((len(str(r[k])) for r in listed), default=0)
            for k in ("label", "kind", "state")}
    for row in listed:
        # a folder that is no job says why (x17r1 L1: an unfinished one, what to do)
        # "sending" reads "in doubt" with no run at work, as `status` says it (x44r3 F3)
        counts = row.get("error") or ", ".join(
            f"{k} {v}" for k, v in state_words(row["counts"],
                                               at_work=row["state"] == "running").items())
        if row.get("tally"):  # an undo's: as its run said it (x41r6 F3)
            counts = row["tally"]
        elif not row.get("error") and row.get("actions"):  # what its run said: 400 exists
            # after a semicolon: in brackets it read as the last state's (x43r3 F4: ``skipped
            # 138 (duplicate 1, unchanged 137, updated 456)``)
            counts += "; by action: " + ", ".join(f"{k} {v:,}"
                                                  for k, v in row["actions"].items())
        for said in (row.get("load_cut"), row.get("resume")):  # what its resume does
            if said:  # (x44r6 F2; x44r10 F4: one it refuses)
                counts = f"{counts}; {said}" if counts else said
        if "merges" in row and not row.get("error"):  # a merge's units, as its run said
            unit = "groups" if "groups" in row else "rows"  # a dedupe's: its plan's groups
            counts = f"{unit} {row['file_rows']:,}, merges {row['merges']:,}: {counts}"  # (x42r6 F5)
        if row.get("undone"):  # x41r7 F1: an undone job listed as plainly finished
            counts += f"; {row['undone']}"
        if row["results_missing"]:
            counts += (f"; result files {row['results_missing']}: pdbulk resume writes them, "
                       "sending nothing again")

        typer.echo(f"{row['label']:<{wide['label']}}  {row['kind']:<{max(wide['kind'], 10)}} "
                   f"{row['state']:<{max(wide['state'], 11)}} {counts}".rstrip())


def status(job: JobArg,
           job_dir: JobDir = Path("pdbulk-jobs"),
           as_json: Annotated[bool, typer.Option(
               "--json", help="Machine-readable output on stdout.")] = False) -> None:
    """Counts by state, tokens spent and the last error of one job (also while it runs);
    a merge job's ``rows: R; merges: M`` too (``--json``: ``file_rows``, ``merges``); a
    job whose load was cut short, its process gone, what its resume does (``load_cut``);
    a job resume refuses (never confirmed at its prompt, undone), why (``resume``)."""
    from jobs.merge_doubt import merge_doubt_words
    from jobs.results import handed_words, in_doubt_words, items_settled, results_missing
    from jobs.resume_verdict import verdict

    store = JobStore.open(find_job(job_dir, job), lock=False)  # read-only: a run may hold it
    try:
        failed = [{"row": i.row, "key": i.key, "status": i.status, "error": i.error}
                  for _, i in zip(range(3), store.items(ItemState.FAILED), strict=False)]
        state, counted = store.liveness(), store.counts()
        info = {
            "job": store.job_id, "kind": store.kind, "status": store.status,
            "state": state,  # "running" whose process is gone says so
            # the CLI's lines name the flag alone (x32r1 F5: "(--max-tokens,
            # BudgetPolicy.max_tokens)"); the library's errors name both
            "message": flags_only(store.status_message or "") or store.status_message,
            # why its last run stopped: {"cause", "error"} (bulk.errors.STOP_CAUSES), or null
            "stop": store.meta_get(META_STOP) if store.status == "stopped" else None,
            "counts": {s.value: n for s, n in counted.items()},
            # with no run at work, an item "sending" is in doubt: its call may have left
            # and its answer never came (x32r1 F6: "pending 14, sending 1" read as still
            # running); a resume reads it back before anything is sent again
            "in_doubt": 0 if state == "running" else counted.get(ItemState.SENDING, 0),
            "actions": store.actions(),  # done / skipped items by their result's action
            "tokens_by_day": store.spend_by_day(),
            "tokens_by_operation": {k: v[0] for k, v in store.spend_by_operation().items()},
            # the part of those whose calls got no answer, charged or not (x32r1 F4)
            "tokens_in_doubt": sum(tokens_in_doubt(store).values()),
            "tokens_in_doubt_by_operation": tokens_in_doubt(store),
            # of those, the tokens of runs of an earlier pdbulk that kept no such record
            "tokens_split_unknown": tokens_unsplit(store),
            "first_failed": failed,
            # a finished / stopped job whose result files its last run never wrote (a kill
            # between its last write and them: x39r5 F1), or null
            "results_missing": None if state == "running" else results_missing(store),
        }
        # a load cut short, its process gone: what a resume does with it (x44r6 F2: "every
        # row is settled: nothing is left to resume" while resume loaded it again and sent)
        # and of a job whose process is gone that resume refuses (x44r10 F3, F4): the words
        # of the verdict resume decides by, so the two cannot disagree
        said = verdict(store) if state != "running" else None
        cut = said is not None and said.cut and state.startswith("interrupted")
        if cut and said is not None:
            info["load_cut"] = said.words
        elif said is not None and said.words is not None and (said.refusal is not None
                                                              or not said.cut):
            info["resume"] = said.words
        if store.kind == "undo":  # the run's own tally and words (x41r6 F3)
            from .options import undo_counts_line

            # an item "sending" with no run at work is in doubt (below)
            info["tally"] = undo_counts_line(store, counted, at_work=state == "running")
        if store.kind != "undo":  # what undid it, if an undo ran on it (x41r7 F1); no
            from jobs.undo import undone_words  # null in a --json object: absent otherwise

            if (undone := undone_words(store)) is not None:
                info["undone"] = undone
        if store.kind in MERGE_KINDS:  # the file's rows and its merges (x42r6 F5, x43r5 F4)
            info.update(_merge_units(store))
        if store.kind == "import":  # every run: start, end, outcome, tokens, reconciled
            from jobs.import_items import (
                META_DELETED_SINCE,
                META_UNCHECKED,
                deleted_ids,
                unchecked_counts,
            )
            from jobs.import_store import META_RUNS

            info["runs"] = store.meta_get(META_RUNS) or []
            # what the last resume's re-read had no room to check for a delete, and what
            # it found deleted that settled rows' deals still name (x50r6 L1)
            info["deleted_unchecked"] = unchecked_counts(store.meta_get(META_UNCHECKED))
            info["deleted_since_stopped"] = {
                k: sorted(ids) for k, ids in deleted_ids(
                    store.meta_get(META_DELETED_SINCE)).items() if ids}
        if info["state"] == "waiting for the daily reset":  # its process lives (x23 3)
            info["waiting"] = _reset_wait_info(store.reset_wait() or {}, time.time())
        window = float(store.config.get("engine", {}).get("window", 2.0))
    finally:
        store.close()
    info["coordinator"] = _shared_picture(window)
    if as_json:
        emit_json(info)
        return
    counts: dict[str, int] = info["counts"]  # type: ignore[assignment]
    by_op: dict[str, int] = info["tokens_by_operation"]  # type: ignore[assignment]
    by_day: dict[str, int] = info["tokens_by_day"]  # type: ignore[assignment]
    typer.echo(f"job {info['job']} ({info['kind']}): {info['state']}")
    waiting: dict[str, Any] | None = info.get("waiting")  # type: ignore[assignment]
    if waiting is not None:
        typer.echo(_reset_wait_line(waiting))
    if info["message"]:
        typer.echo(f"{message_label(info['status'], info['stop'])}: {info['message']}")
    if info.get("load_cut"):
        typer.echo(str(info["load_cut"]))
    if info.get("resume"):
        typer.echo(str(info["resume"]))
    actions: dict[str, dict[str, int]] = info["actions"]  # type: ignore[assignment]
    # a job with no item (a load that failed) says "none", not "items: ; total 0" (x31r3 3)
    # an item "sending" reads "in doubt" with no run at work (bulk.wording.state_word)
    # (x44r7 F4: the words went into state_counts, which made a run's "sending" in doubt)
    tally = str(info.get("tally") or state_counts(counts, actions, at_work=state == "running"))
    counts = state_words(counts, at_work=state == "running")
    if "merges" in info:  # a merge's own units, as its run says them (x42r6 F5)
        typer.echo(f"{'groups' if 'groups' in info else 'rows'}: {info['file_rows']:,}; "
                   f"merges: {info['merges']:,} — "
                   f"{tally or 'none'}")
    else:
        typer.echo(f"items: {tally or 'none'}; "
                   f"total {sum(counts.values()):,}")
    doubt: dict[str, int] = info["tokens_in_doubt_by_operation"]  # type: ignore[assignment]
    # no day: "tokens: 0", not "tokens: 0 — " (x44r6 F5)
    typer.echo(f"tokens: {sum(by_op.values()):,}"
               + "".join(f" — {', '.join(f'{d}: {n:,}' for d, n in sorted(by_day.items()))}"
                         for _ in (1,) if by_day)
               + in_doubt_words(sum(by_op.values()), sum(doubt.values()),
                                int(info["tokens_split_unknown"]),  # type: ignore[arg-type]
                                # no row left: not "a resume takes that back" (x43r5 F3);
                                # a load cut short has rows to come (x44r6 F2)
                                settled=state != "running" and not cut and items_settled(
                                    info["counts"]),  # type: ignore[arg-type]
                                at_work=state == "running",
                                # no resume takes the credit back (x44r10 F4)
                                refused=said is not None and (said.blocked or (
                                    said.refusal is not None and not said.reloads))))
    if by_op:
        typer.echo("  " + ", ".join(f"{op} {n:,}" for op, n in
                                    sorted(by_op.items(), key=lambda kv: -kv[1])))
    stored: dict[str, int] = info["counts"]  # type: ignore[assignment]
    sending = int(stored.get("sending", 0))
    if state != "running" and (handed := handed_words(sending, doubt)) is not None:
        typer.echo(handed)  # (x44r7 F4: rows handed out by the batch, never sent)
    if state != "running" and info["kind"] in MERGE_KINDS and (said is None or (
            said.refusal is None and not said.cut)) and (
            merged := merge_doubt_words(sending, str(info["kind"]))) is not None:
        typer.echo(merged)  # what its resume does with them (x46r2 F4)
    for item in failed:
        typer.echo(f"failed: row {item['row']} ({item['key']}): {item['error']}")
    if info.get("undone"):
        typer.echo(f"undo: {info['undone']}")
    if info["results_missing"]:
        typer.echo(f"result files: {info['results_missing']}; pdbulk resume (with the API "
                   "token) writes them from the job's store, sending nothing again")
    shared: dict[str, Any] | None = info["coordinator"]  # type: ignore[assignment]
    if shared is not None:
        if "error" in shared:
            typer.echo(f"coordinator: {shared['error']}")
        for company, c in shared["companies"].items():
            typer.echo(f"account {company} (all processes): {c['processes']} active, "
                       f"{wording.counted(c['tokens_today'], 'token')} today")
        for fp, t in shared["tokens"].items():
            typer.echo(f"token …{fp[-6:]}: {t['window_fill']} requests in the burst window")


def message_label(status: object, stop: object) -> str:
    """The label of a job's status message in ``pdbulk status``: what it is. A stop that is
    no error (a signal, a cancel, a budget or a cap spent) is not called one (f31o: "last
    error: stopped by SIGTERM"); a stop by an error names its cause (``stop``: the job's
    meta ``META_STOP``, None for a job stopped before it was kept)."""
    if status != "stopped":
        return {"failed": "error", "cancelled": "why it was cancelled"}.get(str(status), "note")
    cause = stop.get("cause") if isinstance(stop, dict) else None
    if cause not in STOP_CAUSES:
        return "why it stopped"
    words, error = STOP_CAUSES[cause]
    return f"stopped by an error ({words})" if error else f"why it stopped ({words})"


def _utc(wall: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(wall))


def _reset_wait_info(wait: dict[str, Any], now: float) -> dict[str, Any]:
    """What ``status --json`` says of a run waiting for the daily reset: ``since`` and
    ``until`` (the latest it waits: the next day by pdbulk's count), ``next_check`` (only
    while the company's budget is what is spent: the next call asking the server whether
    its day began, a minute past the next half hour) and ``reason``."""
    from bulk.scheduler import Scheduler

    until = float(wait.get("until") or 0.0)
    probing = bool(wait.get("probing"))
    out = {"since": float(wait.get("since") or 0.0), "until": until,
           "reason": str(wait.get("reason") or "")}
    if probing:  # (no null in a --json object: absent otherwise)
        out["next_check"] = min(Scheduler.half_hour_after(now), until)
    return out


def _reset_wait_line(w: dict[str, Any]) -> str:
    """The line ``pdbulk status`` says of a run waiting for the daily reset. The company's
    midnight is its own time zone's, which pdbulk does not know: no clock time is named for
    it, only the checks and the latest end (x21r1 F1)."""
    since = f" since {_utc(float(w['since']))}" if w.get("since") else ""
    if "next_check" in w:
        when = (f"until the company's daily reset (its midnight, in its own time zone); next "
                f"check whether its day began at {_utc(float(w['next_check']))}, then each "
                f"half hour")
    else:
        when = f"until {_utc(float(w['until']))} (a new day for this job's share of the budget)"
    reason = f" ({w['reason']})" if w.get("reason") else ""
    return f"waiting{since} {when} (--wait-for-reset){reason}"


def _shared_picture(window: float) -> dict[str, Any] | None:
    """With a shared coordinator: the account-wide picture (every process), else None."""
    url = coordinator_url()
    if url is None:
        return None
    from bulk.coordinator_redis import snapshot

    try:
        picture: dict[str, Any] = run_loop(
            lambda: snapshot(url, wall=time.time(), window=window * (1 + 1 / 64)))
    except (ValueError, CoordinatorLost) as exc:
        return {"error": str(exc), "companies": {}, "tokens": {}}
    return picture


ResumeCap = Annotated[int | None, typer.Option(
    "--max-tokens", min=1, help="This run's cap on tokens (at least 1), in place of the one the "
                                "job was started with (default: the job's own cap, if it had one).")]
ResumeShare = Annotated[float | None, typer.Option(
    "--budget-share", callback=_share,
    help="This run's max share of today's company budget, in place of the job's own "
         "(above 0, at most 1; default: the job's own share, if it had one).")]
ResumeWait = Annotated[bool, typer.Option(
    "--wait-for-reset", help="When the daily budget is spent, wait for the reset and go on "
                             "(default: as the job was started).")]
ResumeWindowShare = Annotated[float | None, typer.Option(
    "--window-share", callback=_window_share,
    help=f"This run's {WINDOW_SHARE_HELP}), in place of the job's own (default: the job's "
         "own, 1 if it had none).")]


def resume(job: JobArg, job_dir: JobDir = Path("pdbulk-jobs"),
           token_env: TokenEnv = "PIPEDRIVE_API_TOKEN", max_tokens: ResumeCap = None,
           share: ResumeShare = None, wait_for_reset: ResumeWait = False,
           window_share: ResumeWindowShare = None, as_json: AsJson = False,
           yes: NoQuestion = False) -> None:
    """Finish a stopped or crashed job (in-doubt items are reconciled first)."""
    from jobs.resuming import nothing_left

    store = JobStore.open(find_job(job_dir, job))
    try:  # the job first, then the token (x18r4 6d: a missing token was said first)
        _refuse(store, "resume")
        if nothing_left(store) and not os.environ.get(token_env, "").strip():
            raise fail(f"job {store.job_id} is finished: nothing is left to resume (a resume "
                       "would only write its result files again, and needs the API token "
                       f"for that); `pdbulk retry {store.job_id}` sends its failed rows again")
        token = read_token(token_env)
        preflight(token, store)
        result = _settled(store, lambda: run_loop(_resumed, store, token, _kind_of(store),
                                                   None, max_tokens, share, wait_for_reset,
                                                   window_share))
        if as_json:
            emit_json(_run_summary(store))
        finish(store, result)
    finally:
        store.close()


def _refuse(store: JobStore, command: str) -> None:
    """Exit 1 with the reason when ``command`` (resume, retry) of ``store`` is refused
    (``jobs.resuming.refuse``: cancelled, failed, undone)."""
    from jobs.resuming import refuse

    try:
        refuse(store, command)
    except NotResumable as exc:
        raise fail(str(exc)) from None


def _kind_of(store: JobStore) -> Any:
    """The job kind of ``store`` for a resume / retry (``jobs.resuming.kind_of``: None for
    an import cut short while loading, which the resume loads again)."""
    from jobs.resuming import kind_of

    return kind_of(store)


def _not_loaded(store: JobStore) -> NotResumable:
    """Why a retry of an import cut short while loading is refused (resume it)."""
    from jobs.resuming import kind_of

    try:
        kind_of(store, "retry")
    except NotResumable as exc:
        return exc
    raise AssertionError("kind_of refuses a retry of a job it would load again")


def retry(job: JobArg, job_dir: JobDir = Path("pdbulk-jobs"),
          token_env: TokenEnv = "PIPEDRIVE_API_TOKEN", max_tokens: ResumeCap = None,
          share: ResumeShare = None, wait_for_reset: ResumeWait = False,
          window_share: ResumeWindowShare = None, as_json: AsJson = False,
          yes: NoQuestion = False) -> None:
    """Send the failed rows of a job again (after fixing the data or the account)."""
    from jobs.prepared import refused_line, retry_split
    from jobs.resuming import reloads

    store = JobStore.open(find_job(job_dir, job))
    try:  # the job first, then the token (x18r4 6d)
        _refuse(store, "retry")
        if reloads(store):  # its load was cut short: no failed rows yet (resume loads it)
            raise fail(str(_not_loaded(store)))
        token = read_token(token_env)
        preflight(token, store)  # refused: before the failed rows are put back
        kind = _kind_of(store)
        try:
            check = getattr(kind, "check_retry", None)
            if check is not None:
                check(store)
        except InputError as exc:
            raise fail(f"job {store.job_id} cannot be retried: {exc}; nothing was "
                       "changed") from None
        _refuse_hopeless(store, kind)
        counts = store.counts()  # (rows left to send: the retry sends them, x46r12 F3)
        left = counts.get(ItemState.PENDING, 0) + counts.get(ItemState.SENDING, 0)
        if not (split := retry_split(store))[0] and split[1] and not left:  # all refused
            raise fail(f"job {store.job_id} not retried: {refused_line(store, split[1])}; "
                       "nothing was sent, no token spent", EXIT_ROWS_FAILED)
        on_account = getattr(kind, "check_retry_account", None)

        async def put_back(eng: Engine) -> None:
            if on_account is not None:  # the mapping against the account and the manifest
                try:
                    await on_account(eng.ctx, store)
                except InputError as exc:
                    raise fail(f"job {store.job_id} cannot be retried: {exc}; nothing was "
                               "changed") from None
            again, kept = retry_split(store)  # the rows refused at the load stay failed
            if again or not kept:
                typer.echo(f"{store.failed_to_pending(again) if again else 0} failed items "
                           "back to pending")
            if kept:
                typer.echo(refused_line(store, kept))

        result = _settled(store, lambda: run_loop(_resumed, store, token, kind, put_back,
                                                   max_tokens, share, wait_for_reset,
                                                   window_share))
        if as_json:
            emit_json(_run_summary(store))
        finish(store, result)
    finally:
        store.close()


def _refuse_hopeless(store: JobStore, kind: Any) -> None:
    """Exit 3 before anything is read or changed when every failed row a retry would map
    again fails on its own cells again (``fail_again_offline``: the same mapping, the
    same stored cells, a column no account change bears on): said with the first rows
    and what would help (x42r5 F5: 140 tokens spent to fail 3 rows again)."""
    offline = getattr(kind, "fail_again_offline", None)
    rows = offline(store) if offline is not None else None
    if not rows:
        return
    shown = "; ".join(f"row {i.row}, column {i.payload.get('column')!r}: {i.error}"
                      for i in rows[:3]) + ("; …" if len(rows) > 3 else "")
    raise fail(f"job {store.job_id} not retried: its {len(rows):,} failed row(s) would fail "
               f"on their own cells again ({shown}): a retry maps the cells the load stored, "
               "with the same mapping, and nothing in the account changes that; nothing was "
               f"sent, no token spent. Fix those cells in {store.directory / 'failed.csv'} "
               "and import that file (a new job), or change the mapping, then retry",
               EXIT_ROWS_FAILED)


def _faults(value: str) -> str:
    """A typer callback for the sandbox's --faults: its grammar and ranges, else exit 2."""
    from bulk.sandbox import Faults

    try:
        Faults(**parse_faults(value))
    except (ValueError, TypeError) as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


def _positive(value: float) -> float:
    """A typer callback for a multiplier: above 0 and finite (nan is neither), else exit 2."""
    if not 0 < value < float("inf"):
        raise typer.BadParameter(f"give a number above 0, not {value}")
    return value


def sandbox(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default; "
                                           "any other needs --allow-remote).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535,
                                      help="Port, 0 to 65535 (0 = any free port).")]
    = 8700,
    token: Annotated[str, typer.Option(
        envvar="PDBULK_SANDBOX_TOKEN",
        help="The API token the sandbox accepts (off loopback: one of your own, 16+ "
             "characters; the admin API then requires it too).")] = "sandbox-token",
    allow_remote: Annotated[bool, typer.Option(
        "--allow-remote", help="Allow a --host that is not loopback (other machines can "
                               "then reach the sandbox and its data).")] = False,
    plan: Plan = "growth", oauth: OAuth = False, seats: Seats = 1,
    latency_ms: Annotated[float, typer.Option(min=0, help="Mean latency per request (ms, 0 or more).")] = 0.0,
    jitter_ms: Annotated[float, typer.Option(min=0, help="Latency jitter (uniform ±; ms, 0 or more).")] = 0.0,
    faults: Annotated[str, typer.Option(
        callback=_faults, help="Faults to inject, e.g. 'error=0.05,drop=0.01,lost=0.01,"
                               "badjson=0.01,storm=30:3,no-rate-headers,no-daily-headers,search-lag=2,"
                               "block=20:60' (badjson: a 2xx whose body is cut off; "
                               "block=N:S: after N 429s the token's calls get a 403 HTML "
                               "page for S s, as Pipedrive's edge; default: none).")] = "",
    seed: Annotated[int, typer.Option(help="Seed for generated data and faults.")] = 0,
    company_id: Annotated[int | None, typer.Option(
        min=1, help="The company this sandbox plays (default: a random one per sandbox; "
                    "custom field keys depend on it and the seed, as keys are per company "
                    "in Pipedrive).")] = None,
    deals: Annotated[int, typer.Option(min=0, help="Pre-existing deals to generate.")] = 0,
    time_scale: Annotated[float, typer.Option(
        callback=_positive, help="Window length multiplier (2 s x scale).")] = 1.0,
    daily_tokens: Annotated[int | None, typer.Option(
        min=0, help="Override the daily token budget (default: the plan's, 30,000 x plan x "
                     "seats).")] = None,
    day_seconds: Annotated[float, typer.Option(
        callback=_positive, help="Length of the budget day in seconds (default 86400: the "
                                 "budget resets at UTC midnight; e.g. 60 to try a daily "
                                 "reset in a minute). POST /_sandbox/day/end ends the day "
                                 "now.")] = 86400.0,
    state_file: Annotated[Path | None, typer.Option(
        callback=new_file, help="Load/save the account state here (default: none; it "
                                "lives in memory).")] = None,
) -> None:
    """Run the local Pipedrive sandbox (prints its URL and token)."""
    from bulk.sandbox import Faults, SandboxConfig, random_company, run_blocking

    try:
        fault_cfg = Faults(latency_ms=latency_ms, latency_jitter_ms=jitter_ms, **parse_faults(faults))
    except (ValueError, TypeError) as exc:  # --latency-ms / --jitter-ms with the faults
        raise fail(f"bad --faults: {exc}", EXIT_USAGE) from None
    try:
        config = SandboxConfig(host=host, port=port, token=token, plan=plan,
                               auth="oauth" if oauth else "api_token",
                               oauth_token=token if oauth else None, seats=seats,
                               time_scale=time_scale, seed=seed, deals=deals, faults=fault_cfg,
                               company_id=company_id if company_id is not None
                               else random_company(),
                               daily_tokens=daily_tokens, state_file=state_file,
                               allow_remote=allow_remote, day_seconds=day_seconds)
    except ValueError as exc:  # every setting is an option's value: a usage error
        raise fail(f"sandbox: {exc}", EXIT_USAGE) from None
    run_blocking(config)


_FAULT_KEYS = {"error": "error_rate", "drop": "drop_rate", "lost": "lost_response_rate",
               "badjson": "bad_json_rate", "search-lag": "search_lag"}


def parse_faults(spec: str) -> dict[str, Any]:
    """'error=0.05,storm=30:3,no-rate-headers' → Faults keyword arguments."""
    out: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, value = part.partition("=")
        if name in _FAULT_KEYS:
            out[_FAULT_KEYS[name]] = float(value)
        elif name == "storm":
            every, _, length = value.partition(":")
            out["storm_every"], out["storm_length"] = float(every), float(length or 1)
        elif name == "block":
            after, _, seconds = value.partition(":")
            out["block_after"] = int(after)
            if seconds:
                out["block_seconds"] = float(seconds)
        elif name in ("no-rate-headers", "no-daily-headers"):
            out[name.replace("-", "_")] = True
        else:
            raise ValueError(f"unknown fault {name!r}")
    return out


# -- the command list ------------------------------------------------------------------------
dedupe_app = typer.Typer(no_args_is_help=True, rich_markup_mode=MARKUP,
                         context_settings=HELP_OPTIONS,
                         help="Find duplicate deals, review them, merge them.")
app.add_typer(dedupe_app, name="dedupe")

Command = Callable[..., None]
# Every command of `pdbulk`, in the order help lists them: (group, name, function).
COMMANDS: list[tuple[typer.Typer, str, Command]] = [
    (app, "jobs", jobs),
    (app, "status", status),
    (app, "resume", resume),
    (app, "retry", retry),
    (app, "sandbox", sandbox),
    (app, "import", cli_import.import_cmd),
    (app, "init-mapping", cli_import.init_mapping_cmd),
    (app, "update", cli_ops.update_cmd),
    (app, "move-stage", cli_ops.move_stage_cmd),
    (app, "merge", cli_ops.merge_cmd),
    (app, "undo", cli_ops.undo_cmd),
    (plan_app, "import", cli_import.plan_import_cmd),
    (plan_app, "update", cli_ops.plan_update_cmd),
    (plan_app, "move-stage", cli_ops.plan_move_stage_cmd),
    (plan_app, "merge", cli_ops.plan_merge_cmd),
    (plan_app, "undo", cli_ops.plan_undo_cmd),
    (plan_app, "dedupe", cli_dedupe.plan_dedupe),
    (dedupe_app, "plan", cli_dedupe.plan_command),
    (dedupe_app, "apply", cli_dedupe.apply_command),
    (dedupe_app, "run", cli_dedupe.run_command),
]
HIDDEN: list[tuple[typer.Typer, str, Command]] = [
    (app, "touch", cli_ops.touch),  # the engine's test job (PATCH fields onto deal ids)
]


def _help(command: Command) -> str:
    """The docstring as help, its lines joined (help rewraps it; paragraphs stay)."""
    text = inspect.cleandoc(command.__doc__ or "")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in text.split("\n\n"))


for _group, _name, _command in COMMANDS:  # --json: one JSON object on stdout (json_command)
    _group.command(_name, help=_help(_command))(json_command(_command))
for _group, _name, _command in HIDDEN:
    _group.command(_name, help=_help(_command), hidden=True)(_command)


def hoist_global_options(argv: list[str]) -> list[str]:
    """``--coordinator URL`` is accepted after the command too (``pdbulk import … --coordinator
    URL``): it is moved in front of it, where the app-wide option is parsed."""
    out, front, i = [], [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            out += argv[i:]
            break
        if arg == "--coordinator" and i + 1 < len(argv):
            front += argv[i:i + 2]
            i += 2
            continue
        if arg.startswith("--coordinator="):
            front.append(arg)
        else:
            out.append(arg)
        i += 1
    return front + out


def main() -> None:
    from .stdout import exit_code, guard_stdout

    guard_stdout()  # a closed or full stdout or stderr harms no command (x23r4 F3, x30r2 M3)
    try:
        app(args=hoist_global_options(sys.argv[1:]))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        if exit_code(code) != code:
            sys.exit(exit_code(code))
        raise
    except Exception as exc:  # SafeGroup handles commands; this covers the rest
        show_traceback(exc)
        typer.echo(f"pdbulk: {_describe(exc)}", err=True)
        sys.exit(exit_code_for(exc))


__all__ = ["COMMANDS", "app", "main"]
