"""What every ``pdbulk`` command shares: the engine options, declared once, and the
helpers that turn a run into output and an exit code.

Exit codes (README, "Exit codes"): 0 every item done; 1 bad input or configuration,
nothing sent; 2 usage error; 3 finished but some rows failed; 4 stopped checkpointed,
resume it (only when something is left to resume); 5 authentication or permission
failure; 6 busy, the job is held by another live process.

The API token is read from an environment variable (default PIPEDRIVE_API_TOKEN), never
from a command-line flag (a process list would show it), and never written anywhere.

Why ~1250 lines: the engine options (declared once for every command), the exit codes,
the JSON contract, the stop handlers and the prompt are what every command shares;
each is small, and splitting them would make each command import five modules.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import inspect
import math
import os
import re
import signal
import sqlite3
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, TextIO

import orjson
import typer

from bulk.client import Secret, normalize_base_url
from bulk.engine import DEFAULT_URL, MAX_WORKERS, META_COORDINATOR, Engine, EngineConfig
from bulk.errors import (
    CLI_WORDS,
    ApiError,
    Blocked,
    BudgetExhausted,
    BulkError,
    CoordinatorLost,
    CoordinatorMismatch,
    DiskFull,
    Forbidden,
    InDoubt,
    InputError,
    JobBusy,
    NotFound,
    PaymentRequired,
    PlanLimit,
    RateLimited,
    StoreLost,
    StoreUnfinished,
    Unauthorized,
    flags_only,
)
from bulk.loop import run_loop
from bulk.manifest import detect_format
from bulk.manifest_row import HeaderRowError
from bulk.plans import LEGACY_PLANS, PLAN_NAMES, canonical_plan
from bulk.progress import ProgressView
from bulk.runner import RunResult
from bulk.scheduler import BudgetPolicy
from bulk.stdio import write_whole
from bulk.store import ItemState, JobStore, private_tree
from bulk.wording import about_file, counted, state_words

from .process import CLOSED_AT_START, HOLD_TO_EXIT, detach_terminal

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_ROWS_FAILED, EXIT_STOPPED = 0, 1, 2, 3, 4
EXIT_AUTH, EXIT_BUSY = 5, 6
AUTH_ERRORS = (Unauthorized, Forbidden, PaymentRequired)


def shell_word(text: str | os.PathLike[str]) -> str:
    """``text`` as one word a POSIX shell reads back as it was, to print in a command a
    person pastes: as it is when it needs no quoting, in ``'…'`` when it does, and as
    bash's ``$'…'`` when it holds bytes that are no UTF-8 (which Python reads as lone
    surrogates, ``\\udcff`` for the byte 0xff) or control characters: ``$'bad\\xff.csv'``
    (x42r5 F4: ``pdbulk plan import bad\\udcff.csv`` was printed, which no shell takes)."""
    import shlex

    word = os.fspath(text)
    if not any(_unprintable(c) for c in word):
        return shlex.quote(word)
    shown = "".join(f"\\x{os.fsencode(c)[0]:02x}" if 0xDC80 <= ord(c) <= 0xDCFF
                    else f"\\x{ord(c):02x}" if _unprintable(c)
                    else "\\" + c if c in "\\'" else c for c in word)
    return f"$'{shown}'"


def _unprintable(c: str) -> bool:
    """A control character, or a byte of a name that is no UTF-8 (a lone surrogate)."""
    return ord(c) < 32 or ord(c) == 127 or 0xDC80 <= ord(c) <= 0xDCFF


def text_name(value: Path | None) -> Path | None:
    """``value``, or exit 2 when its name holds bytes that are no UTF-8 (on Linux a name is
    any bytes; Python reads the others as lone surrogates). pdbulk keeps every file and
    folder name it is given in the job's store, summary.json and ``--json`` as UTF-8 text,
    which cannot hold them: refused before anything is read or made, the name shown as a
    shell takes it (x42r5 F4: an import ended in "unexpected error (TypeError)")."""
    if value is None or not any(0xDC80 <= ord(c) <= 0xDCFF for c in str(value)):
        return value
    raise typer.BadParameter(
        f"the name {shell_word(value)} holds bytes that are no UTF-8 text; pdbulk keeps file "
        "and folder names in the job's store and reports as text: rename it (a name in "
        "UTF-8) and give the new name")


def regular_file(value: Path | None) -> Path | None:
    """A typer callback for a file argument: a path that exists but is no regular file (a
    named pipe, a device, a socket) is a usage error, exit 2 (x19r1 F8: a FIFO as the
    manifest or the mapping blocked every command forever on its first read); so is a
    name that is no UTF-8 text (``text_name``)."""
    value = text_name(value)
    if value is not None and value.exists() and not value.is_file():
        raise typer.BadParameter(f"{str(value)!r} is not a regular file (a pipe, device or "
                                 "socket): save its content to a file and give that")
    return value


def manifest_file(value: Path | None) -> Path | None:
    """A typer callback for a manifest argument: a regular file (``regular_file``) whose
    suffix names a format pdbulk reads; another kind (a mapping given as the manifest) is
    a usage error, exit 2, before the token or the account is read (x22r2 F1: exit 1)."""
    value = regular_file(value)
    if value is not None:
        try:
            detect_format(value)
        except InputError as exc:
            raise typer.BadParameter(str(exc)) from None
    return value


def toml_file(value: Path | None) -> Path | None:
    """A typer callback for a TOML file option (--mapping, --config): a regular file that is
    no manifest (.csv, .jsonl, .json, .xlsx: the two files swapped), else exit 2."""
    value = regular_file(value)
    if value is not None:
        with contextlib.suppress(InputError):
            detect_format(value)
            raise typer.BadParameter(f"{str(value)!r} is a manifest ({value.suffix}), not a "
                                     "TOML file")
    return value


def text_encoding(value: str | None) -> str | None:
    """A typer callback for --encoding: a codec Python knows (cp1252, latin-1, utf-16...),
    else exit 2 before any file is read (x22r2 F1: exit 1, after the token was read)."""
    import codecs

    if value is not None:
        try:
            codecs.lookup(value.removesuffix("!"))  # NAME!: its reading checked
        except LookupError:
            raise typer.BadParameter(f"unknown encoding {value!r} (e.g. utf-8, cp1252, "
                                     "latin-1, utf-16)") from None
    return value


def folder(value: Path | None) -> Path | None:
    """A typer callback for a folder option (--job-dir, --state-dir): one that exists as a
    file is the wrong kind, exit 2 (README: "a file or folder argument ... the wrong
    kind"); a missing one is made when needed. A name that is no UTF-8 text: ``text_name``."""
    value = text_name(value)
    if value is not None and value.exists() and not value.is_dir():
        raise typer.BadParameter(f"{str(value)!r} is a file, not a folder")
    return value


def new_file(value: Path | None) -> Path | None:
    """A typer callback for a file a command writes (--failed-csv): its folder must exist
    and it must not be a folder, else exit 2 before anything is read. A name that is no
    UTF-8 text: ``text_name``."""
    value = text_name(value)
    if value is None:
        return value
    if value.is_dir():
        raise typer.BadParameter(f"{str(value)!r} is a folder; give a file name")
    if not value.parent.is_dir():
        raise typer.BadParameter(f"no directory {str(value.parent)!r}")
    if str(value) != "-":  # stdout, where a command takes it
        _writable(value)
    return value


def _writable(value: Path) -> None:
    """``value`` can be written, tried now (x41r1 L10: `init-mapping -o /proc/self/x.toml`
    spent 40 tokens on the account's fields before it failed): a file there is opened to
    append (left as it was), a new one made and removed. Exit 2 naming it otherwise."""
    existed = value.exists()
    try:
        with open(value, "ab"):
            pass
    except OSError as exc:
        raise typer.BadParameter(f"cannot write {str(value)!r}: "
                                 f"{exc.strerror or type(exc).__name__}") from None
    if not existed:
        value.unlink(missing_ok=True)


def auth_failure(exc: BaseException | None) -> bool:
    """A refused token or permission (exit 5: fix the token). Not an account's plan limit
    (``PlanLimit``, a 403 with a capping code: the open deals cap): that is a stop to
    resume once deals are closed or the plan raised, exit 4 (x13r1 F5: "fix the token").
    Nor the edge's block after too many 429s (``Blocked``): waiting is the fix, exit 4
    (x32r3 2)."""
    return isinstance(exc, AUTH_ERRORS) and not isinstance(exc, PlanLimit | Blocked)


def transient(exc: BaseException) -> bool:
    """A failure that may pass, outliving its call's retries: no answer (refused, DNS, TLS,
    an answer lost), a 5xx or a 2xx that is not Pipedrive's JSON, a 429, a write left in
    doubt. Run again later: exit 4, wherever it ends a command (x17r3 F4: a 500 or an HTML
    page before the job was exit 1, "bad input or configuration", where a refused
    connection was exit 4). Whether a class is one is its ``retryable`` (``bulk.errors``)."""
    return isinstance(exc, InDoubt) or (isinstance(exc, BulkError) and exc.retryable)


DEBUG_ENV = "PDBULK_DEBUG"
_OFF = frozenset({"", "0", "false", "no", "off"})


def debugging() -> bool:
    """Whether ``PDBULK_DEBUG`` asks for tracebacks: "0", "false", "no", "off" or empty
    (any case, spaces around) mean no (x17r3 F6: any non-empty value, "0" too, meant yes)."""
    return os.environ.get(DEBUG_ENV, "").strip().casefold() not in _OFF


def show_traceback(exc: BaseException) -> None:
    """The traceback of ``exc`` on stderr when debugging, before the one line it ends in:
    debug adds the traceback and never changes the line or the exit code (x17r3 F6: a
    re-raise made a 401 exit 1 instead of 5)."""
    if debugging():
        import traceback

        sys.stderr.write("".join(traceback.format_exception(exc)))


def broken_pipe(exc: BaseException) -> bool:
    """Whether ``exc`` is stdout's reader gone away (``pdbulk status J | head -3``): not
    an error of the command. Left to click, which stops quietly (exit 1, no message),
    as any Unix tool does on EPIPE."""
    return isinstance(exc, OSError) and exc.errno == errno.EPIPE


def exit_code_for(exc: BaseException) -> int:
    """The documented exit code of an error that ends a command (module docstring)."""
    if isinstance(exc, JobBusy):
        return EXIT_BUSY
    # later: exit 4 (a job store deleted while it ran: README, "Exit codes")
    if isinstance(exc, BudgetExhausted | CoordinatorLost | DiskFull | StoreLost):
        return EXIT_STOPPED
    if transient(exc):  # the account did not answer: as a run stops (4)
        return EXIT_STOPPED
    if isinstance(exc, PlanLimit | Blocked):
        return EXIT_STOPPED
    if auth_failure(exc):
        return EXIT_AUTH
    return EXIT_INPUT



# -- shared options -------------------------------------------------------------------------
JobDir = Annotated[Path, typer.Option("--job-dir", envvar="PDBULK_JOB_DIR", callback=folder,
                                      help="Where job folders live.")]
Url = Annotated[str, typer.Option("--url", envvar="PIPEDRIVE_URL",
                                  help="Pipedrive origin (https://COMPANY.pipedrive.com) or sandbox URL.")]
TokenEnv = Annotated[str, typer.Option("--token-env", help="Environment variable holding the API token.")]
# a command that asks nothing takes --yes too: a cron script passing it to every command
# must not end in "No such option" (x39r3 L6: import refused it, update took it)
# update asks nothing; --yes starts it where its plan warns of foreign ids (x47r3 F5)
ForeignYes = Annotated[bool, typer.Option("--yes", "-y", help=(
    "The update asks nothing; --yes starts it even when its plan warns that the ids look "
    "like another account's (most rows name a deal of another title and owner / pipeline / "
    "currency), which it refuses without."))]
NoQuestion = Annotated[bool, typer.Option(
    "--yes", "-y", help="Accepted for scripts that pass it everywhere; this command asks nothing.")]
# = PLAN_NAMES, then LEGACY_PLANS (x22r2: the legacy names the README promises were refused)
PlanName = Literal["lite", "growth", "professional", "premium", "ultimate",
                   "essential", "advanced", "power", "enterprise"]


def _plan(value: str) -> str:
    """A legacy plan name by its current one: the job's config and messages say one name."""
    return canonical_plan(value)


Plan = Annotated[PlanName, typer.Option(
    "--plan", callback=_plan, metavar="PLAN", case_sensitive=False,  # GROWTH too (x44r7 F7)
    help=f"Plan preset: {', '.join(PLAN_NAMES)} (your Pipedrive subscription); legacy names: "
         + ", ".join(f"{old} = {new}" for old, new in LEGACY_PLANS.items()) + ".")]
Seats = Annotated[int, typer.Option(
    "--seats", min=1, help="Seats, at least 1 (daily budget = 30,000 x plan x seats).")]
OAuth = Annotated[bool, typer.Option("--oauth", help="The token is an OAuth access token (4x burst).")]
def _share(value: float | None) -> float | None:
    # x11r3 F3: 0 was an "unexpected ValueError"; x14r3: the help said 0 <= x and nan was
    # refused as "less than or equal to 1"
    if value is not None and not 0 < value <= 1:  # (nan is neither)
        raise typer.BadParameter("give a share above 0, at most 1 (0.5: half the day's budget)")
    return value


Share = Annotated[float | None, typer.Option(
    "--budget-share", callback=_share,
    help="Max share of today's company budget this job may use (above 0, at most 1; "
         "default: no share of its own, the whole budget).")]
MaxTokens = Annotated[int | None, typer.Option(
    "--max-tokens", min=1, help="Hard cap on tokens for this run, at least 1 (default: no cap).")]
WaitReset = Annotated[bool, typer.Option(
    "--wait-for-reset",
    help="When the daily budget is spent, wait for the reset and go on (whether the day "
         "began is asked at a minute past each half hour, :01 and :31 UTC; against a "
         "sandbox's short --day-seconds too: up to 30 min).")]


def _window_share(value: float | None) -> float | None:
    if value is not None and not 0 < value <= 1:  # (nan is neither)
        raise typer.BadParameter("give a share above 0, at most 1 (0.8: 32 of the 40 requests "
                                 "per 2 s of a Growth api_token)")
    return value


WINDOW_SHARE_HELP = ("share of the token's burst window (and search window) pdbulk fills at "
                     "most, other clients' calls seen in the rate headers counted in it: the "
                     "rest is left free for another integration or script on the same token "
                     "(above 0, at most 1; 0.8 leaves a fifth")
WindowShare = Annotated[float, typer.Option(
    "--window-share", callback=_window_share,
    help=f"The {WINDOW_SHARE_HELP}; default 1: all).")]
JobArg = Annotated[str, typer.Argument(help="The job: its id (see `pdbulk jobs`) or folder.")]
Workers = Annotated[int, typer.Option("--workers", min=1, max=MAX_WORKERS,
                                      help=f"Upper bound on concurrent calls, 1 to {MAX_WORKERS}.")]


def header_row_said(manifest: Path | None, exc: InputError, flag: int | None, *,
                    mapped: bool = True) -> str:
    """``exc`` as the CLI says it: a ``HeaderRowError`` (the header row past the file's end,
    or empty) with the file named and the row's source: ``--header-row`` when the flag
    (``flag``) gave it, else the mapping's ``[defaults] header_row`` (``mapped``: the
    command reads a mapping); any other error (or no ``manifest``) as it is (x46r7 F2: "the file has no row 99
    (header_row)", the file unnamed, for a row given by the flag)."""
    if not isinstance(exc, HeaderRowError) or manifest is None:
        return str(exc)
    source = ("--header-row" if flag is not None or not mapped
              else "the mapping's [defaults] header_row")
    return about_file(manifest, exc.said(source))


def file_options(manifest: Path | None, *, sheet: str | None, encoding: str | None = None,
                 header_row: int | None = None) -> None:
    """The file-reading options checked against the file they read, one way for every
    command (x41r1 L8: ``--sheet`` on a CSV was exit 2 for import, exit 1 in other words
    for update, merge, move-stage, init-mapping; L9: a move-stage selected by query took
    them silently): ``--sheet`` on a file that is no XLSX, or any of them with no file, is
    exit 2 (raised); ``--encoding`` on an XLSX workbook (which carries its own) is said on
    stderr as ignored."""
    if manifest is None:
        given = [n for n, v in (("--sheet", sheet), ("--encoding", encoding),
                                ("--header-row", header_row)) if v is not None]
        if given:
            raise fail(f"{' / '.join(given)} read{'s' if len(given) == 1 else ''} a file, and "
                       "these deals are selected by query: give --manifest, or leave "
                       f"{'it' if len(given) == 1 else 'them'} out", EXIT_USAGE)
        return
    try:
        kind = detect_format(manifest)
    except InputError:
        return  # the file's own argument says it, in its words
    if sheet is not None and kind != "xlsx":
        raise fail("--sheet names a worksheet of an XLSX manifest; leave it out for "
                   f"{manifest.name}", EXIT_USAGE)
    if encoding is not None and kind == "xlsx":
        typer.echo(f"pdbulk: note: --encoding is for a text file (CSV, JSON, JSONL); "
                   f"{manifest.name} is an XLSX workbook, read as it is: --encoding is "
                   "ignored", err=True)


def fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    """The exit of a user error: one ``pdbulk: message`` line on stderr (a ``--json``
    command also prints it as its error object: ``json_command``)."""
    typer.echo(f"pdbulk: {message}", err=True)
    if _JSON:
        _JSON[-1].error = message
    return typer.Exit(code)


# -- --json: exactly one JSON object on stdout --------------------------------------------------
class _JsonOut:
    """The real stdout of a running ``--json`` command, and what went to it."""

    __slots__ = ("emitted", "error", "stdout")

    def __init__(self, stdout: TextIO) -> None:
        self.stdout, self.emitted, self.error = stdout, False, ""


_JSON: list[_JsonOut] = []


def emit_json(data: Any, *, pretty: bool = False) -> None:
    """Print a ``--json`` command's one JSON object on stdout (the real one: inside
    ``json_command`` everything else printed goes to stderr): one line, every command
    alike (cron appends it to a .jsonl; x23r4: update / resume printed several lines,
    dedupe run one). ``pretty``: indented, for a caller that wants it."""
    raw = orjson.dumps(data, option=orjson.OPT_INDENT_2 if pretty else 0)
    for library, cli in CLI_WORDS:  # a plan's ``stop`` and notes: the flag alone (x48r9 F2)
        raw = raw.replace(library.encode(), cli.encode())
    out = _JSON[-1] if _JSON else None
    stream = out.stdout if out is not None else sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:  # the bytes as orjson made them: no str of a ~1 MB plan (its
        stream.flush()  # 1,000 failed rows) decoded and encoded again (issue 8: peak RSS)
        write_whole(buffer, raw + b"\n")  # a raw buffer (python -u) may take part (f46u)
        buffer.flush()
    else:
        typer.echo(raw.decode(), file=stream)
    if out is not None:
        out.stdout.flush()
        out.emitted = True


def json_command(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` (one with an ``as_json`` parameter), made to keep the ``--json``
    contract: stdout carries exactly one JSON object — the command's (``emit_json``), or,
    when it ends in an error before printing one, ``{"status": "error", "exit_code": N,
    "error": "..."}`` — and every other line (progress, summaries, messages) goes to
    stderr. Exit codes are unchanged. Commands without ``as_json`` are returned as is."""
    sig = inspect.signature(command, eval_str=True)
    if "as_json" not in sig.parameters:
        return command

    @functools.wraps(command)
    def run(*args: Any, **kw: Any) -> None:
        if not kw.get("as_json"):
            command(*args, **kw)
            return
        out = _JsonOut(sys.stdout)
        _JSON.append(out)
        try:
            with contextlib.redirect_stdout(sys.stderr):
                try:
                    command(*args, **kw)
                except typer.Exit as exc:
                    if exc.exit_code and not out.emitted:
                        emit_json({"status": "error", "exit_code": exc.exit_code,
                                   "error": out.error or f"exit {exc.exit_code}"}, pretty=False)
                    raise
                except (typer.Abort, KeyboardInterrupt):
                    if not out.emitted:  # a signal before the command's handler (x11r3)
                        emit_json({"status": "error", "exit_code": 1, "error":
                                   "interrupted before anything was sent"}, pretty=False)
                    raise
                except Exception as exc:
                    if broken_pipe(exc):
                        raise  # stdout's reader is gone: nothing more can be said there
                    if type(exc).__module__.startswith(("typer", "click")):
                        raise
                    show_traceback(exc)
                    message, code = describe(exc), exit_code_for(exc)
                    typer.echo(f"pdbulk: {message}", err=True)
                    if not out.emitted:
                        emit_json({"status": "error", "exit_code": code, "error": message},
                                  pretty=False)
                    raise typer.Exit(code) from None
        finally:
            _JSON.pop()
    run.__signature__ = sig  # type: ignore[attr-defined]
    return run


# list pulls no account answers 404 to (openapi-v2.yaml; v1 /users/me)
_EVERY_ACCOUNT_HAS = frozenset({"getPipelines", "getStages", "getDealFields", "getUsers",
                                "getCurrentUser", "getDeals", "getPersons", "getOrganizations"})


def plain(exc: BaseException) -> str:
    """An error's text as a user reads it: what happened, never its class's name (x18r4
    6c: "StoreError: ..."); an answer of the account says so, with its status."""
    if isinstance(exc, ApiError):
        return f"the account answered {exc}"
    return str(exc) or "no detail"


def say_line(line: str, *, err: bool = False) -> None:
    """A job's line (its load, its run: the library's words) printed as the CLI says it
    (``flags_only``: a budget's flag alone, "(exit 4)"; x48r9 F2)."""
    typer.echo(flags_only(line), err=err)


def unauthorized_advice(exc: Unauthorized) -> str:
    """What to check after a 401, wherever it ends a command or a run (its load, or
    mid-run: x50r2 F7, "stopped: 401 unauthorized access (addDeal)" said nothing of it):
    " (check the API token and --url)", or with --oauth that the token is sent as an
    OAuth access token (x32r4: an API token sent so was told to check the token), or
    without it, a token shaped like an OAuth access token (``Unauthorized.oauth_like``),
    to run with --oauth (x52r7 F3: the 401 said only to check the token)."""
    if exc.oauth:
        return (" (check the token and --url; with --oauth the token is sent as an OAuth "
                "access token: an API token is refused so, run without --oauth)")
    if exc.oauth_like:  # (x52r7 F3: an OAuth access token sent as an API token)
        return (" (the token looks like an OAuth access token, which is refused as an API "
                "token: run with --oauth; else check the API token and --url)")
    return " (check the API token and --url)"


def describe(exc: BaseException) -> str:
    """The one line an error that ends a command prints (after ``pdbulk: ``)."""
    if isinstance(exc, InputError | JobBusy | StoreUnfinished | DiskFull):  # say what to do
        return str(exc)
    if isinstance(exc, Unauthorized):
        return f"authentication failed: {exc}{unauthorized_advice(exc)}"
    if isinstance(exc, PlanLimit):
        return (f"the account's plan limit: {exc} (close or delete deals, or raise the "
                "plan, then run it again)")
    if isinstance(exc, Blocked):  # its text says to wait (x32r3 2: "permission denied")
        return f"stopped: {exc}"
    if auth_failure(exc):
        return f"permission denied: {exc}"
    if isinstance(exc, BudgetExhausted):
        said = flags_only(str(exc))
        # refused by its plan, nothing spent: not "spent" (x46r2 F3)
        head = (f"refused {exc.upfront}: the token budget cannot reach its first write"
                if exc.upfront else "token budget spent")
        if exc.cap is not None:  # the run's own cap: no reset frees it (x10r4 F11)
            return (f"{head}: {said}; run again with a higher --max-tokens "
                    "(or none)")
        # no cap was given (x19r4 F5: "raise the cap" named one): the share, if it is one
        # a share: give a larger one; --wait-for-reset's reset check does not apply while a
        # share is what is spent (README), so it is not offered then (x21r1)
        more = (", or give a larger --budget-share" if "--budget-share" in str(exc)
                else ", or pass --wait-for-reset")
        return f"{head}: {said}{reset_words(exc)}; run again after the reset{more}"
    if isinstance(exc, CoordinatorLost):  # its text says what to do (v12r8: no class name)
        return str(exc)
    if isinstance(exc, RateLimited):  # it answers (x19r3 F2: "not answering ... --url")
        return (f"the account kept refusing calls as over its rate limit ({exc}); another "
                "process may be using this token; nothing done is lost: run the command "
                "again later")
    if transient(exc):  # v9r11: "RequestNotSent: ..." and exit 1; x17r3 F4: a 5xx too
        what = plain(exc)
        if isinstance(exc, InDoubt):
            what += "; that write may have been applied"
        return (f"the account is not answering ({what}); nothing done is lost: check "
                "--url (PIPEDRIVE_URL), then run the command again later")
    if isinstance(exc, NotFound) and getattr(exc, "operation", None) in _EVERY_ACCOUNT_HAS:
        # a list every account has answered 404: the URL is not an account's (x13r1 F10)
        return (f"{plain(exc)} — every account has this list: check --url "
                "(PIPEDRIVE_URL): https://COMPANY.pipedrive.com, no path")
    if isinstance(exc, BulkError):
        return plain(exc)
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "") \
            + _state_dir_hint(exc.filename)
    # its class named: an unexpected error is a bug, and a report needs it
    return (f"unexpected error ({type(exc).__name__}): {exc or 'no detail'} (set {DEBUG_ENV}=1 "
            "for a traceback)")


def reset_words(exc: BaseException | None) -> str:
    """`` (it resets at the company's midnight, in its own time zone)`` for a daily budget
    spent, else ``""``. Pipedrive's day ends at the company's midnight, a time zone this
    tool does not know: a UTC time named here was a guess (x19r3 F5)."""
    if isinstance(exc, BudgetExhausted) and exc.cap is None and exc.resets_at:
        return " (it resets at the company's midnight, in its own time zone)"
    return ""


def _state_dir_hint(filename: object) -> str:
    """`` (the state directory: PDBULK_STATE_DIR ...)`` for a file under it, else ``""``
    (x13r1 F10: "No such file or directory: /proc/pdbulkstate" named no setting)."""
    from bulk.claims import state_dir_words

    return state_dir_words(filename)


def read_token(env_name: str) -> str:
    """The API token from ``env_name``; exit 1 (never echoing it) when it is missing or
    holds a space, newline or other control character (it goes into a header)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env_name):
        # never echoed: a token given where its variable's name goes (x13r1 F7)
        raise fail("--token-env takes the name of an environment variable (letters, digits, "
                   "_); the value given is none (not shown: the token itself?)")
    token = os.environ.get(env_name, "").strip()
    if not token:
        # named only when it reads as a variable's name: upper case, with an underscore or
        # the word TOKEN, and not 20+ hex digits (x13r6 F7 / x13r7 F1: a 40-hex token echoed;
        # x41r1 M1: an 18-character token, or one with ``_``, was echoed whole)
        # (x44r7 F7: NOPE, a short word of capitals, was not named: no token is one)
        named = env_name.isupper() and ("_" in env_name or "TOKEN" in env_name or (
            env_name.isalpha() and len(env_name) <= 12)) \
            and not re.fullmatch(r"[0-9A-F_]{20,}", env_name)
        shown = env_name if named else \
            "--token-env names (not shown: is it the token itself?)"
        raise fail(f"no API token: set the environment variable {shown}")
    if not token.isascii():  # x13r1 F8: "€" was called a control character
        raise fail(f"the API token in {env_name} holds a character that is not ASCII (a "
                   "token is letters and digits: check it was copied whole and alone)")
    try:
        Secret(token)
    except ValueError:
        raise fail(f"the API token in {env_name} holds a space, newline or other control "
                   "character (check for a stray line break when it was pasted)") from None
    return token


def preflight(token: str, store: JobStore | None = None, *, url: str | None = None,
              creates: bool | None = None) -> None:
    """The refusals that need no call, made before a command prints anything (a plan, a
    job line, "N failed items back to pending") or changes a job: a coordinated job
    resumed without its coordinator (``store``'s meta), a run without a coordinator on
    an account this machine ran coordinated (``bulk.coordinator.check_coordination``), a
    coordinated run while a run without the coordinator uses the token on this machine
    and a run of either kind while one of the other kind uses the token on this machine
    (``bulk.coordinator.check_other_kind``, keyed by the account URL — ``url``, else the
    one ``store``'s job ran on — and the token). Exit 1 with the reason.
    ``creates``: whether the command's job may create records (None: ``store``'s, else
    True); the machine's marker is read only when it may (``bulk.engine.job_creates``).
    ``bulk.engine.Engine.open`` checks again (library users)."""
    from bulk.coordinator import (
        account_key,
        check_coordination,
        check_other_kind,
        coordinator_id,
        coordinator_url,
        fingerprint,
        run_key,
    )
    from bulk.engine import META_COORDINATOR, job_creates

    account = url
    if account is None and store is not None:
        account = (store.config.get("engine") or {}).get("base_url")
    account = account if isinstance(account, str) else DEFAULT_URL
    url = coordinator_url()
    recorded = store.meta_get(META_COORDINATOR) if store is not None else None
    if creates is None:
        creates = job_creates(store) if store is not None else True
    try:
        check_coordination(account_key(account, token), coordinator_id(url) if url else None,
                           recorded if isinstance(recorded, str) else None, creates=creates,
                           token_fp=fingerprint(token))
        check_other_kind(run_key(account, token), coordinated=bool(url))
    except CoordinatorMismatch as exc:
        raise fail(str(exc)) from None


def resume_hint(job_id: str, job_dir: Path | str) -> str:
    """The command that resumes job ``job_id`` (``jobs.resuming.resume_hint``: the
    library's lines name it too)."""
    from jobs.resuming import resume_hint as hint

    return hint(job_id, job_dir)


def check_url(url: str) -> str:
    """Refuse a bad ``--url`` before anything is written (exit 1). The message never
    echoes the URL: it may carry a credential."""
    try:
        return normalize_base_url(url, name="it")  # "bad --url: it must ..." (x22r2 F3)
    except ValueError as exc:
        raise fail(f"bad --url: {exc}") from None


WINDOW_VARIABLE = "PDBULK_WINDOW"
PIPEDRIVE_WINDOW = 2.0  # seconds: Pipedrive's burst window (FACTS.md), a sandbox's at scale 1


def sandbox_window(url: str) -> float:
    """The burst window in seconds: ``PDBULK_WINDOW`` for a sandbox started with
    ``--time-scale`` (2 s x scale), else Pipedrive's own 2 s (FACTS.md). The variable is a
    sandbox knob: with a ``url`` that is not loopback (real Pipedrive) it is refused (x32r3
    1: a leftover 0.25 against a 2-s account made 39 burst 429s for 300 rows), as is a
    value that is not a number of seconds above 0; both exit 1, a configuration error as a
    bad ``--url`` is (README, "Exit codes": 2 is a command line's usage error, and the
    variable is no option: f33i 2, the refusal off loopback was 2), and both lines name
    the variable."""
    raw = os.environ.get(WINDOW_VARIABLE, "").strip()
    if not raw:
        return PIPEDRIVE_WINDOW
    try:
        window = float(raw)
    except ValueError:
        window = float("nan")
    if not math.isfinite(window) or window <= 0:
        raise fail(f"bad {WINDOW_VARIABLE}: it must be a number of seconds above 0 (the "
                   "burst window of a sandbox started with --time-scale: 2 x the scale)")
    if not _loopback_url(url):
        raise fail(f"{WINDOW_VARIABLE} is set, but --url is not a sandbox on this machine: "
                   f"Pipedrive's burst window is 2 s; unset {WINDOW_VARIABLE} (it is for a "
                   "sandbox started with --time-scale only)")
    return window


def _loopback_url(url: str) -> bool:
    """Whether ``url``'s host is loopback (``localhost``, 127.0.0.0/8, ``::1``)."""
    import ipaddress
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def engine_config(*, url: str, plan: str, seats: int, oauth: bool, job_dir: Path,
                  share: float | None, max_tokens: int | None, wait_for_reset: bool,
                  workers: int, window_share: float = 1.0) -> EngineConfig:
    """The engine configuration of a command; a bad URL exits 1 here (``check_url``), any
    other bad setting raises ConfigError (EngineConfig and BudgetPolicy check their own:
    the plan's limits too), which the CLI reports as one line, exit 1."""
    check_url(url)
    window = sandbox_window(url)
    return EngineConfig(base_url=url, auth="oauth" if oauth else "api_token", plan=plan,
                        seats=seats, job_root=job_dir, max_workers=workers, window=window,
                        window_share=window_share, budget=BudgetPolicy(max_tokens=max_tokens, share=share,
                                            wait_for_reset=wait_for_reset))


def find_job(job_dir: Path, job: str) -> Path:
    """The folder of the job named by id or path; a job that is not there is a usage error
    (exit 2, as a manifest path that does not exist; x19r1 F9)."""
    path = Path(job)
    if (path / "job.sqlite").exists():
        return path
    if (job_dir / job / "job.sqlite").exists():
        return job_dir / job
    if not job.strip():
        raise fail("no job named: give a job id (see `pdbulk jobs`) or a job's folder",
                   EXIT_USAGE)
    from bulk.store.sqlite import lost_store_advice, not_a_job_advice

    for folder in (path, job_dir / job):  # a dedupe plan's folder (x42r5 F6)
        if (other := not_a_job_advice(folder)) is not None:
            raise fail(other, EXIT_USAGE)
    for folder in (path, job_dir / job):  # its store deleted, its folder there (x24r3 2)
        if (lost := lost_store_advice(folder)) is not None:
            raise fail(lost)
    if os.sep in job or path.is_dir():  # a path given: name that place, not --job-dir
        why = ("no job.sqlite there: not a job's folder" if path.is_dir() else
               "a file, not a job's folder" if path.exists() else "no such folder")
        raise fail(f"no job at {job} ({why}; see `pdbulk jobs --job-dir FOLDER`)", EXIT_USAGE)
    raise fail(f"no job {job!r} in {job_dir} (see `pdbulk jobs`)", EXIT_USAGE)


def cancelled_line(job_id: str, why: str | None) -> str:
    """The line of a job cancelled at its prompt, with why (its status message): declined,
    or no one to answer it (x12r7 F7: a cron log said only "cancelled"; f24c F2: a closed
    stdin said "declined")."""
    from jobs.confirming import DECLINED

    return f"job {job_id} cancelled; nothing was sent ({why or DECLINED})"


def confirmed(question: str) -> bool:
    """The confirmation prompt, asked once: ``y`` or ``yes`` (any case) is a "yes"; any
    other answer is a "no" (x11r1: input that was no answer, a cron job's stdin say,
    printed "Error: invalid input" over and over). No answer at all — end of input, a
    closed stdin — raises ``NoAnswer`` (f24c F2: it was reported as declined), saying why
    and that ``--yes`` runs the job without asking. A stop signal at the prompt (Ctrl-C,
    SIGTERM, SIGHUP) raises ``Signalled`` naming it (x34r5 F8: it was kept as
    "declined"); either way the job is cancelled, nothing sent.

    Only a person at a terminal answers it: with stdin not a terminal (``echo y | pdbulk
    undo J``, a file, cron's /dev/null) nothing is read and ``NoAnswer`` says so — a job
    that writes, deletes or merges runs unattended only with ``--yes``, said on purpose
    (x35r1: a piped ``y`` answered undo's prompt, while the README said no one can answer
    it there). The question goes to stdout, as any prompt."""
    from jobs.confirming import NoAnswer, Signalled

    stdin = sys.stdin
    terminal = _is_terminal(stdin)
    if not terminal:
        closed = stdin is None or 0 in CLOSED_AT_START  # (/dev/null fills a closed fd 0)
        raise NoAnswer(("stdin is closed" if closed else "stdin is not a terminal (a pipe, "
                        "a file or cron: a line piped in is no answer)")
                       + "; pass --yes to run without asking")
    unread: str | None = None
    try:
        with _signals_answer():  # before the question: a signal once it is seen is its
            typer.echo(f"{question} [y/N]: ", nl=False)
            try:
                answer = stdin.readline()
            except (EOFError, OSError, ValueError, AttributeError) as exc:
                answer, unread = "", f"stdin could not be read ({type(exc).__name__})"
    except _PromptSignal as exc:  # x34r5 F8: it was kept as "declined"
        with contextlib.suppress(OSError, ValueError):
            typer.echo("")
        raise Signalled(signal.Signals(exc.signum).name) from None
    except KeyboardInterrupt:  # not from the main thread's handlers above: a Ctrl-C
        raise Signalled("SIGINT") from None
    if not answer.endswith("\n"):
        typer.echo("")
    if not answer:  # Ctrl-D at the terminal
        raise NoAnswer(f"{unread or 'end of input'}; pass --yes to run without asking")
    return answer.strip().casefold() in ("y", "yes")


class _PromptSignal(BaseException):
    """A stop signal while the prompt waits (``_signals_answer``)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _signals_answer() -> Iterator[None]:
    """While the prompt waits, a stop signal (SIGINT, SIGTERM, SIGHUP) ends it with
    ``_PromptSignal`` naming the signal; the handlers in place are put back after. Off the
    main thread (no handler can be set there) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def answer(signum: int, frame: Any) -> None:
        if signum == getattr(signal, "SIGHUP", None):
            detach_terminal()  # the terminal is gone: what is still said goes nowhere
        raise _PromptSignal(signum)

    aside = {sig: signal.signal(sig, answer) for sig in _stop_signals()}
    try:
        yield
    finally:
        for sig, previous in aside.items():
            signal.signal(sig, signal.SIG_DFL if previous is None else previous)


def _is_terminal(stream: Any) -> bool:
    """``stream`` is open and a terminal (a closed stdin is None, or a closed file)."""
    try:
        return stream is not None and bool(stream.isatty())
    except (ValueError, OSError, AttributeError):
        return False


def _stop_signals() -> list[int]:
    # SIGHUP: not on Windows
    return [signal.SIGINT, signal.SIGTERM, *filter(None, [getattr(signal, "SIGHUP", None)])]


def _held(signum: int, frame: Any) -> None:
    """A signal once the job has settled: nothing (SIGHUP: the terminal is gone, so what is
    still to be written goes nowhere instead of failing with EIO)."""
    if signum == getattr(signal, "SIGHUP", None):
        detach_terminal()


def _put_back(sig: int, previous: Any) -> None:
    """``signal.signal(sig, previous)``, except for the SIGINT handler of an asyncio run
    that has ended: Python's default then (what ``asyncio.Runner`` puts back at its end,
    but only while its own handler is still there, and a hold had put it aside). f32j 1:
    an in-process command (the tests, a script calling the app) whose job settled put that
    stale handler back after its loop had closed; a later Ctrl-C raised KeyboardInterrupt
    from it wherever the process then was."""
    task = getattr(previous, "keywords", {}).get("main_task") if isinstance(
        previous, functools.partial) else None
    if task is not None and callable(getattr(task, "done", None)) and task.done():
        previous = signal.default_int_handler
    signal.signal(sig, previous)


_HOLDING: dict[int, Any] = {}  # the handlers a settled job's command put aside (signal → old)
_COMMAND: list[bool] = []  # a command of the CLI is running (SafeGroup.invoke)


def hold_signals(aside: Mapping[int, Any]) -> None:
    """From now until the command's end, a signal changes nothing (``_held``): the job has
    settled, so its outcome line and exit code are the command's. f21c F1: a Ctrl-C after
    the run had ended, while its files were written or once its outcome line was printed,
    ended in exit 130 (typer's own interrupt handling) or said "stopping — finishing calls
    in flight" for a finished job. ``aside``: the handlers to put back at the command's
    end (``end_of_command``; an outer one's replace an inner one's)."""
    for sig in _stop_signals():
        signal.signal(sig, _held)
    _HOLDING.update(aside)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """While a command cleans up after a load cut short (its job folder removed, its one
    line to say), a further signal changes nothing: a second Ctrl-C there left a half-removed
    folder and typer's silent exit 130 (x22r2). The handlers in place are put back after."""
    aside = {sig: signal.signal(sig, _held) for sig in _stop_signals()}
    try:
        yield
    finally:
        for sig, previous in aside.items():
            _put_back(sig, previous)


_WORKED: list[tuple[str, Path]] = []
"""The job whose run a command started (its id, its folder; ``working_on``): what a
signal that escapes the command says (``interrupted_job``)."""


def begin_command() -> None:
    """A command of the CLI starts: a job of it that settles holds the signals to its end;
    no job of an earlier command (in one process: the tests) is its job."""
    _COMMAND[:] = [True]
    _WORKED.clear()


def end_of_command() -> None:
    """The command has ended: the handlers ``hold_signals`` put aside, back (an in-process
    caller goes on: the tests). In the console script the hold lasts until the process
    exits (``HOLD_TO_EXIT``; its exit then ignores signals, ``entry._quiet_exit``): typer's
    own handling of an interrupt that comes once the command returned is exit 130."""
    _COMMAND.clear()
    if HOLD_TO_EXIT:
        return
    for sig, previous in _HOLDING.items():
        _put_back(sig, previous)
    _HOLDING.clear()


ABORT_AFTER = 1.0  # seconds after a first stop signal before a Ctrl-C aborts (install_stop)
_FIRST_ATTR = "pdbulk_first_stop"  # install_stop's handler: its first stop signal's time


def install_stop(engine_box: list[Engine]) -> Callable[[], None]:
    """SIGINT/SIGTERM/SIGHUP → the engine in ``engine_box`` stops admitting calls (its run
    finishes the calls in flight, the job is left checkpointed: exit 4; while its job
    still loads, the load stops between chunks of rows, nothing said here); a second signal
    aborts at once. SIGHUP (the terminal closed) used to kill the run outright, leaving
    the job ``interrupted``. Once the engine's job has settled (``finished``: every item
    done, failed or skipped), a signal changes nothing, to the command's end
    (``hold_signals``). Returns the function that puts the old handlers back (or, the job
    settled, holds the signals).

    Which later signal aborts (x31r3 1): only a Ctrl-C (SIGINT) that comes at least
    ``ABORT_AFTER`` seconds after the first stop signal. A repeated SIGTERM or SIGHUP,
    or a SIGINT within that second, is the same stop: GNU ``timeout`` sends SIGTERM to
    the process and then to its group, so cron's ``timeout`` delivered two SIGTERMs
    milliseconds apart and aborted the run (no result files, no job id in ``--json``);
    its ``-k`` SIGKILL is the hard stop there."""
    first: list[float] = []  # time.monotonic() of the first stop signal

    def status() -> str | None:  # the cached status: no SQL from a signal handler
        store = getattr(engine_box[0], "store", None) if engine_box else None
        return getattr(store, "status", None)

    def settled() -> bool:
        return status() == "finished"

    def handler(signum: int, frame: Any) -> None:
        if settled():  # the run is over: no stop to ask, nothing to abort (f21c F1)
            _held(signum, frame)
            return
        if signum == getattr(signal, "SIGHUP", None):
            detach_terminal()  # it is gone: a write to it would fail the clean stop
        if first:  # a stop is under way: only a later Ctrl-C aborts it
            if signum == signal.SIGINT and time.monotonic() - first[0] >= ABORT_AFTER:
                raise KeyboardInterrupt
            return
        first.append(time.monotonic())
        if not engine_box:
            # no engine yet (its opening call may wait for the company's reset): the load
            # ends here; a repeated SIGTERM (timeout's to the group) is the same stop, not a
            # second KeyboardInterrupt inside the loop's cancellation of its tasks (x51r5 F2:
            # an anyio KeyError traceback, "Task was destroyed but it is pending!")
            raise KeyboardInterrupt
        reason = f"stopped by {signal.Signals(signum).name}"
        if status() in ("planned", "loading"):
            # the job is still loading (nothing sent): the load stops between two chunks of
            # rows (``CallContext.stopping``) and the command says the one line of an
            # interrupted load, exit 1, no job kept — no "finishing calls in flight" (x22r2:
            # said for a load with no call in flight, then exit 4 and a stopped job)
            engine_box[0].request_stop(reason=reason)
            return
        with contextlib.suppress(OSError):
            again = ("Ctrl-C again to abort" if signum == signal.SIGINT
                     else "Ctrl-C to abort")  # (x17r4: "Ctrl-C" after a SIGHUP)
            typer.echo(f"\npdbulk: stopping — finishing calls in flight ({again})", err=True)
        engine_box[0].request_stop(reason=reason)

    setattr(handler, _FIRST_ATTR, first)  # an inner handler's restore() passes its stop on
    old = {sig: signal.signal(sig, handler) for sig in _stop_signals()}

    def restore() -> None:
        # in a command of the CLI, a settled job holds the signals to the command's end
        # (an outer handler, e.g. the load's, then is put aside too); a library caller's
        # handlers are put back as they were
        if _COMMAND and (settled() or _HOLDING):
            hold_signals(old)
            return
        for sig, previous in old.items():
            # the outer handler (the load's, of no engine) knows the stop this one took: a
            # Ctrl-C within ABORT_AFTER of it is that stop, not a first signal raising
            # KeyboardInterrupt wherever the command then is (x52r8 F4: 0.3 s after the
            # first, in a WeakSet callback: "Exception ignored ... raise KeyboardInterrupt")
            outer = getattr(previous, _FIRST_ATTR, None)
            if first and isinstance(outer, list) and not outer:
                outer.append(first[0])
            _put_back(sig, previous)
    return restore


def execute(store: JobStore, kind: Any, cfg: EngineConfig, token: str, *,
            label: str = "items") -> RunResult:
    """Run a job with progress and signal handling; print the outcome line."""
    async def main() -> RunResult:
        async with Engine.open(cfg, token, store=store) as engine:
            return await execute_async(engine, kind, label=label)
    return run_loop(main)


def working_on(store: JobStore) -> None:
    """The command's job run begins on ``store``: a Ctrl-C / SIGTERM that escapes the
    command from now on says the job's state (``interrupted_job``), not "nothing sent"."""
    _WORKED[:] = [(store.job_id, store.directory)]


def interrupted_job() -> str | None:
    """The one line of a command a signal cut short after its job's run began (x52r3 F2: a
    second Ctrl-C during the stop's last lines said "interrupted before anything was sent:
    nothing was changed", exit 1, after 37 deals were moved): ``stopped: job J: done N
    (...), pending M — interrupted again while it ended; resume with: ...``; None when no
    run began, the job's folder is gone (a load cut short, nothing sent), or its run never
    started sending (planned, loading). A finished job says its outcome and code
    (``finished_anyway``: raises typer.Exit). Raises nothing else."""
    if not _WORKED:
        return None
    job_id, directory = _WORKED[0]
    try:
        store = JobStore.open(directory, lock=False)
    except (OSError, BulkError, sqlite3.Error):
        return None
    try:
        if store.status == "finished":
            finished_anyway(store)
        if store.status not in ("running", "stopped"):
            return None
        counts = store.counts()
        line = state_counts({state.value: n for state, n in counts.items()}, store.actions())
    except (OSError, BulkError, sqlite3.Error):
        return None
    finally:
        store.close()
    return (f"stopped: job {job_id}: {line or 'nothing done'} — interrupted while it "
            f"stopped; resume with: {resume_hint(job_id, directory.parent)}")


async def execute_async(engine: Engine, kind: Any, *, label: str = "items") -> RunResult:
    """``execute`` on a running loop, on ``engine`` (a job whose load phase ran on it keeps
    one view of the rate limits): the run of ``engine.store``'s items with a progress view,
    Ctrl-C / SIGTERM stopping it cleanly, then the kind's ``after_run`` lines."""
    store = engine.store
    working_on(store)
    counts = store.counts()
    total = sum(counts.values())
    already = counts.get(ItemState.DONE, 0) + counts.get(ItemState.FAILED, 0) + counts.get(
        ItemState.SKIPPED, 0)
    restore = install_stop([engine])
    try:  # the runner sets the job's status (running, then stopped/finished) in a finally
        with ProgressView(total, label=label, already=already,
                          done_before=counts.get(ItemState.DONE, 0),
                          failed_before=counts.get(ItemState.FAILED, 0),
                          clock=engine.clock) as view:
            view.scheduler = engine.scheduler
            result = await engine.run(kind, on_progress=view.update)
            view.update(result.stats, final=True)
        # the handler stays while the result files are written: a first signal then asks
        # a stop of a run that is over (nothing), the files are written whole (x19r1 F9: it
        # raised in the middle of them); a second one aborts as ever
        after_run = getattr(kind, "after_run", None)  # e.g. rewrite the job's result files
        if after_run is not None:
            report_run(store, result, after_run)
    finally:
        restore()
    return result


def report_run(store: JobStore, result: RunResult,
               after_run: Callable[[JobStore, RunResult], list[str]]) -> None:
    """A kind's ``after_run`` (its result files and summary lines), printed; the job
    folder then made private (0700 / 0600). A file that cannot be written (disk full, a
    folder made read-only, a file open elsewhere) is said on stderr with the way to
    write them again — the run itself is done and checkpointed in the job store, so the
    exit code stays the run's (v9r6: exit 1 after every row was sent)."""
    try:
        for line in after_run(store, result):
            typer.echo(line)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        typer.echo(f"the run is recorded in the job store, but its result files could not "
                   f"be written: {exc.strerror or exc}{where}. Fix that, then "
                   f"`{resume_hint(store.job_id, store.directory.parent)}` writes them "
                   "(it sends nothing more for a finished job)", err=True)
    try:
        private_tree(store.directory)  # whatever a kind wrote: 0700 / 0600
    except OSError:
        pass


# the most items whose result files an abort writes before it exits (100,000 pending
# update rows: 1.4 s at load 2.4); a larger job says how to get them instead
ABORT_FILES_ITEMS = 100_000
ABORTED = ("aborted by a second Ctrl-C before it finished; calls in flight then are in "
           "doubt: pdbulk resume reconciles them first, then sends the rest")


def files_after_abort(store: JobStore | Path) -> None:
    """The result files of a run aborted by a second Ctrl-C (its ``after_run`` never ran:
    the run was cancelled), written from the job store as a stopped run's are, their
    lines printed; the job's status message says it was aborted (``ABORTED``). ``store``:
    the job's open store, or its folder (opened and closed here). A job of more than
    ``ABORT_FILES_ITEMS`` items is not written (the abort must not wait on a long pass):
    a line on stderr says ``pdbulk resume`` writes them. Nothing raises: a store or file
    that cannot be read or written is said in one line (the abort's line follows)."""
    from bulk.runner import RunStats
    from jobs.kinds import kind_for

    opened = store if isinstance(store, JobStore) else None
    try:
        if opened is None:
            opened = JobStore.open(store)  # type: ignore[arg-type]
        job = opened
        counts = job.counts()
        if job.status == "stopped" and job.status_message == "interrupted":
            # the runner's word for a run cancelled: say what cancelled it
            job.set_status("stopped", ABORTED)
        if (total := sum(counts.values())) > ABORT_FILES_ITEMS:
            typer.echo(f"result files not written ({total:,} items would hold the abort "
                       f"up): `{resume_hint(job.job_id, job.directory.parent)}` writes them "
                       "as it finishes the job", err=True)
            return
        after_run = getattr(kind_for(job), "after_run", None)
        if after_run is None:
            return
        result = RunResult(stopped=True, error=None, stats=RunStats(), counts=counts)
        with signals_deferred():  # a third Ctrl-C must not leave half-written files
            report_run(job, result, after_run)
    except (BulkError, ValueError) as exc:
        where = store if isinstance(store, Path) else store.directory
        typer.echo(f"result files not written ({exc}): `{resume_hint(where.name, where.parent)}` "
                   "writes them", err=True)
    finally:
        if opened is not None and not isinstance(store, JobStore):
            opened.close()


def state_counts(counts: Mapping[str, int], actions: Mapping[str, Mapping[str, int]], *,
                 at_work: bool = False) -> str:
    """``done 29 (created 18, exists 11), skipped 5 (unchanged 5)``: the item states with a
    count, the done and skipped ones by what the summary calls them (``JobStore.actions``),
    so the outcome line and ``status`` use the summary's words; empty when nothing counts.
    "sending" reads "in doubt" unless ``at_work`` (a run at work on the job:
    ``bulk.wording.state_word``)."""
    parts = []
    for state, n in sorted(state_words(counts, at_work=at_work).items()):
        if not n:
            continue
        why = [f"{action} {k:,}" for action, k in actions.get(state, {}).items()]
        parts.append(f"{state} {n:,}" + (f" ({', '.join(why)})" if why else ""))
    return ", ".join(parts)


def undo_counts_line(store: JobStore, counts: Mapping[Any, int], *,
                     at_work: bool = False) -> str:
    """An undo job's tally as its run's last line says it, for that line, ``pdbulk status``
    and ``pdbulk jobs`` alike (x41r6 F3: status said ``done 22 (deleted 22)``, jobs
    ``(deleted 15)``, the run ``undone: 15 deals, 5 persons, 2 organizations``):
    ``undone: 15 deals, 5 persons, 2 organizations; failed 5, skipped 6 (already gone 6)``.
    ``counts``: item state value -> items (not ``state_words``' words: "sending" is
    reworded here, "in doubt" unless ``at_work``: a run at work on the job). A person /
    organization its DELETE or its plan found gone is ``already gone`` (deleted or merged
    away by someone: the run's persons / organizations lines), never ``already deleted``;
    a deal keeps its result's action, or its tally's word where the result has one
    (``jobs.results.TALLY``: ``merged away``, as the plan says, x46r12 F7).
    Raises StoreError."""
    from jobs.results import TALLY
    from jobs.undo.job import contact_counts, in_part_count, undone_counts, undone_line

    skipped: Counter[str] = Counter()
    for item in store.items(ItemState.SKIPPED):
        result = item.result or item.payload.get("result") or {}
        action = result.get(TALLY) or result.get("action")
        if item.op in ("delete-person", "delete-org") and action == "already deleted":
            action = "already gone"
        if isinstance(action, str):
            skipped[action] += 1
    # "(N of them restored in part …)" as the run's last lines say it (f40j)
    return "; ".join(p for p in (
        undone_line(undone_counts(store, contact_counts(store)), in_part_count(store)),
        state_counts({getattr(k, "value", k): n for k, n in counts.items()
                      if getattr(k, "value", k) != ItemState.DONE.value},
                     {ItemState.SKIPPED.value: dict(skipped.most_common())},
                     at_work=at_work)) if p)


def finish(store: JobStore, result: RunResult) -> None:
    """Print the outcome line and exit with its code: 4 only when something is left to
    resume (pending or in-doubt items), 5 when the account refused the token, 3 for rows
    failed, 6 for a dedupe job's decided groups left to another live run."""
    counts = {state.value: n for state, n in result.counts.items()}
    line = state_counts(counts, store.actions())
    if store.kind == "undo":  # deals, persons and organizations apart (x18r2 5)
        line = undo_counts_line(store, counts)
    typer.echo(f"job {store.job_id}: " + (line or "nothing to do"))
    left = result.counts.get(ItemState.PENDING, 0) + result.counts.get(ItemState.SENDING, 0)
    if (note := rate_limited_note(result.stats.rate_limited, store.meta_get(META_COORDINATOR),
                                  others=result.stats.others_seen,
                                  room=result.stats.refused_with_room,
                                  unheard=result.stats.refused_unheard,
                                  plan=plan_flags(store.config),
                                  stopped=result.stopped and bool(left),
                                  window=job_window(store.config),
                                  budget=result.stats.refused_for_budget,
                                  reset_heard=result.stats.reset_heard)) is not None:
        typer.echo(note, err=True)
    if (note := others_note(result.stats.others_seen, result.stats.window_share,
                            window=job_window(store.config),
                            reset_heard=result.stats.reset_heard)) is not None:
        typer.echo(note, err=True)
    if result.stopped and left:
        why = (flags_only(str(result.error)) + reset_words(result.error)) if result.error \
            else "interrupted"
        if isinstance(result.error, PlanLimit):  # not the token's fault (x13r1 F5)
            why += (" — the account's plan limit: close or delete deals, or raise the plan, "
                    "then resume")
        if isinstance(result.error, Unauthorized):  # as at the load (x50r2 F7)
            why += unauthorized_advice(result.error)
        typer.echo(f"stopped: {why}" if result.error else stop_line(store.status_message),
                   err=True)
        if not isinstance(result.error, StoreLost):  # no store left to resume (f25a)
            typer.echo(f"resume with: {resume_hint(store.job_id, store.directory.parent)}",
                       err=True)
        raise typer.Exit(EXIT_AUTH if auth_failure(result.error) else EXIT_STOPPED)
    doubled = _doubled(store)
    if doubled:
        typer.echo(doubled, err=True)
    unfollowed = _unfollowed(store)
    if result.counts.get(ItemState.FAILED, 0) or _strays(store) or doubled or unfollowed:
        raise typer.Exit(EXIT_ROWS_FAILED)
    if _left_elsewhere(store):
        raise typer.Exit(EXIT_BUSY)


def stop_line(message: str | None) -> str:
    """The closing line of a run stopped on request (a signal), on stderr: the job's status
    message, as summary.json, ``--json`` and ``pdbulk status`` say it ("stopped by SIGTERM
    before it finished; nothing in flight is lost: pdbulk resume sends the rest"), not
    "stopped: interrupted" (x31r3 2); that only when the job has no message."""
    return message if message else "stopped: interrupted"


def finished_anyway(store: JobStore) -> NoReturn:
    """The outcome line and exit code of a job found ``finished`` after a signal cut its
    command short (the run over, its result files written): ``job X: done N (...)``, then
    exit 3 when rows failed (or an import's deals were doubled), 6 when a dedupe job's
    decided groups were left to another live run, else 0 — what ``finish`` would have
    said."""
    counts = store.counts()
    line = state_counts({state.value: n for state, n in counts.items()}, store.actions())
    typer.echo(f"job {store.job_id}: " + (line or "nothing to do"))
    doubled = _doubled(store)
    unfollowed = _unfollowed(store)
    failed = bool(counts.get(ItemState.FAILED, 0) or doubled or unfollowed)
    elsewhere = not failed and _left_elsewhere(store)
    store.close()
    raise typer.Exit(EXIT_ROWS_FAILED if failed else EXIT_BUSY if elsewhere else 0)


def plan_flags(config: Mapping[str, Any]) -> str:
    """The options that set a job's rate limits, as given (``config``: the job's config,
    its ``engine`` part): ``--plan ultimate``, ``--plan growth --oauth``."""
    engine = config.get("engine") or {}
    flags = f"--plan {engine.get('plan') or 'growth'}"
    return flags + " --oauth" if engine.get("auth") == "oauth" else flags


def job_window(config: Mapping[str, Any]) -> float:
    """The burst window in seconds a job paces itself to (``config``: the job's config, its
    ``engine`` part; ``PDBULK_WINDOW`` when it was set, ``sandbox_window``), 2 s unless."""
    window = (config.get("engine") or {}).get("window", PIPEDRIVE_WINDOW)
    return float(window) if isinstance(window, int | float) else PIPEDRIVE_WINDOW


# how much longer than the window a run paced itself to a reset the server named must be to
# prove that window short: the sandbox names its reset in ms rounded up, and Pipedrive's
# window is 2 s against a PDBULK_WINDOW of a fraction of it when one is wrong
_RESET_TOLERANCE = 1.05


def window_disproved(window: float, reset_heard: float) -> bool:
    """Whether the server's headers proved a run's ``window`` (seconds, ``job_window``)
    shorter than the server's: a burst-window reset longer than it was named
    (``reset_heard``, seconds: ``RunStats.reset_heard``; the window is at least as long as
    any reset, FACTS.md: a duration)."""
    return reset_heard > window * _RESET_TOLERANCE


def _window_suspect(window: float, reset_heard: float) -> bool:
    """Whether a run paced to ``window`` s may owe its 429s to ``PDBULK_WINDOW``: one that
    is not Pipedrive's 2 s, and that no reset heard (``reset_heard`` s) agreed with — a
    reset longer than it proves it short; none heard leaves it the likely cause (f33i 2);
    resets heard, none longer, do not blame it (x47r4 F3)."""
    return window != PIPEDRIVE_WINDOW and (
        reset_heard <= 0 or window_disproved(window, reset_heard))


def _window_words(window: float, reset_heard: float = 0.0) -> str:
    """Why 429s came to a run paced to ``window`` s that is not Pipedrive's 2 s (f33i 2: a
    0.5-s PDBULK_WINDOW against a sandbox at real speed was told another process used the
    account's limits); ``reset_heard``: the longest reset the headers named (s, 0: none)."""
    heard = (f"the server named a reset of {reset_heard:g} s, longer than the {window:g}-s "
             "window this run paced itself to: " if window_disproved(window, reset_heard)
             else "")
    return (f"{heard}{WINDOW_VARIABLE} is the likely cause: it paced this run to a {window:g}-s "
            f"burst window, and a server whose window is longer (Pipedrive's, or a sandbox's "
            f"without --time-scale: {PIPEDRIVE_WINDOW:g} s) still counts calls this run had "
            f"let out of its own; set {WINDOW_VARIABLE} to the sandbox's window "
            f"({PIPEDRIVE_WINDOW:g} s x its --time-scale), or unset it")


def rate_limited_note(rate_limited: int, coordinator: object, *,
                      others: bool | int = False, room: int = 0, unheard: int = 0,
                      plan: str = "--plan", stopped: bool = False,
                      window: float = PIPEDRIVE_WINDOW, budget: int = 0,
                      reset_heard: float = 0.0) -> str | None:
    """A line for a run that got 429s (``rate_limited`` answers; ``coordinator``: the job's
    meta ``coordinator``, None when it ran on the local one), or None. The scheduler keeps
    within the account's limits on its own, so a 429 means something else spends them
    too: another pdbulk process without a shared coordinator, or another integration
    (x13r3 F4: two processes on one token got 429s, with no word) — said only when the
    server's window headers counted more calls than this run sent (``others``: the
    scheduler's ``others_seen``); else the pace was too close to the limits (x19r3 F3: a
    lone process with a 0.1-s window was told another process used them). ``room``: the
    429s that came while the window had room (the scheduler's ``refused_with_room``): the
    server refused those, not the pace (x22r2: a 429 storm on the server was blamed on
    the pace); with ``others`` too, only those are blamed on another client (x32r4 F4: a
    run's own 429s were blamed on a client seen at other times). ``unheard``: of those,
    the 429s before any answer carried a window header
    (the scheduler's ``refused_unheard``): only ``plan`` (the options that set the limits,
    ``plan_flags``) said the window had room, so the likelier cause is an account that
    allows fewer calls than it (x32r4 t11: a Lite account run with ``--plan ultimate`` and
    no rate headers was told of another client or the server's own limits). ``stopped``:
    the run stopped with items left (a budget spent, say): a call refused last may be one
    of them, left for the resume, not sent again (x32r3 4). ``window``: the burst window
    in seconds the run paced itself to (``job_window``): one that is not Pipedrive's 2 s
    was set by ``PDBULK_WINDOW``: the likely cause when no reset was heard (f33i 2) or a
    reset longer than it (``reset_heard``, seconds: ``RunStats.reset_heard``), never when
    the resets heard agree with it (x47r4 F3: a 1-s window set right beside another client
    was blamed). ``others`` (a count of answers, or a bool) is named first whenever given.
    ``budget``: of ``rate_limited``, the 429s the company's daily budget refused (the
    scheduler's ``refused_for_budget``): said as such, never blamed on a client or the
    pace (x34r3 F3)."""
    if not rate_limited:
        return None
    budget = min(budget, rate_limited)
    if budget:  # ``budget``: the 429s the company's daily budget refused (x34r3 F3)
        said = ("the server's daily budget was spent (its headers said so): those calls "
                "were not charged" + ("; each is left for the resume or sent after the reset"
                                      if stopped else "; each was sent again after the reset"))
        if budget == rate_limited:
            return f"note: {rate_limited} call(s) were answered 429 for the daily budget: {said}"
        rest = rate_limited_note(rate_limited - budget, coordinator, others=others,
                                 room=room, unheard=unheard, plan=plan, stopped=stopped,
                                 window=window, reset_heard=reset_heard)
        return f"{rest}; {budget} more call(s) were answered 429 for the daily budget: {said}"
    room = min(room, rate_limited)
    unheard = min(unheard, room)
    if _window_suspect(window, reset_heard):
        who = _window_words(window, reset_heard)
    elif unheard and not others:
        who = (f"{unheard} came while the window had room by {plan}'s limits, and no answer "
               "carried the rate-limit headers that say the account's own: the account "
               f"may allow fewer calls than {plan} (a lower plan); check --plan")
        if unheard < rate_limited:
            who += (f"; the other {rate_limited - unheard} came as the pace neared the limits"
                    " or while the server named its own")
    elif room and not others:
        who = (f"the server refused {room} call(s) while the window had room (another "
               "client on the token, or the server's own limits)")
        if room < rate_limited:
            who += (f"; the other {rate_limited - room} came as the pace neared the limits")
    elif not others:
        who = ("the server never counted more calls in a window than this process sent, so "
               "no other client is proven: the pace came too close to the limits (likelier "
               "with a scaled-down window, PDBULK_WINDOW / a sandbox --time-scale, or a "
               "busy CPU)")
    elif not room:
        who = ("but none of these came while the window had room for this process's own: "
               "the pace came too close to the limits")
    else:  # this run's own ledger was within the limit: the window was another's (x48r10 F2:
        # worded as the run's own overspending)
        # the burst window is the token's, not the company's (x49r6 F7)
        who = ("another client using this token used the window (this run's own calls were "
               "within the limit each time it was refused): "
               + ("another integration or script uses this token's burst window"
                  if coordinator else
                  "another process uses this token's burst window: if it is pdbulk, run "
                  "every pdbulk process on the account with one --coordinator (README: "
                  "\"Many processes on one account\"), and check for other integrations"))
        if room < rate_limited:
            who += (f"; {room} came while the other client's calls filled the window, the other "
                    f"{rate_limited - room} as the pace neared the limits")
    if others:  # the evidence first (x47r4 F3): what the headers showed, then the cause
        seen = "" if others is True else f" in {counted(int(others), 'answer')}"
        who = (f"the rate headers counted more calls in the server's window than this run "
               f"sent{seen}; {who}" if _window_suspect(window, reset_heard)
               else f"the rate headers counted another client's calls{seen} (more calls in "
                    f"the server's window than this run sent); {who}")
    fate = ("; none lost: each was sent again after the pause or is left for the resume"
            if stopped else " and sent again after the pause, nothing lost")
    return f"note: {rate_limited} call(s) were answered 429 (rate limited){fate}; {who}"


def others_note(others_seen: int, window_share: float, *,
                window: float = PIPEDRIVE_WINDOW, reset_heard: float = 0.0) -> str | None:
    """The note of a run whose answers showed another client on the token (``others_seen``:
    the scheduler's count of answers whose window headers counted more calls than this run
    sent) while the run took all the room left (``window_share``: ``RunStats.window_share``,
    1 by default), naming
    ``--window-share``: a client that does not read the rate headers meets a full window
    (x31r2 F6: 11-16 % of a 5-calls/s script's calls refused). None otherwise: no client
    seen, a share already left for it, or a run paced to a ``window`` (s) that is not
    Pipedrive's 2 s (``PDBULK_WINDOW``): a server whose window is longer counts more calls
    in it than the run paced for, no other client (f33i 2; ``rate_limited_note`` says so),
    unless the resets heard agree with that window (``reset_heard``, s; x47r4 F3)."""
    if not others_seen or window_share < 1 or _window_suspect(window, reset_heard):
        return None
    return (f"note: the rate headers counted another client's calls on this token in "
            f"{counted(others_seen, 'answer')} (Pipedrive's burst limit is per token): this run "
            "took the room it left in the window, so a client that does not read the rate "
            "headers may have had calls refused as over the limit; --window-share 0.8 leaves "
            "it a fifth of the window")


def _doubled(store: JobStore) -> str | None:
    """An import whose end-of-run check found deals it created doubled by another run
    (``jobs.doubles``): the line saying so (exit 3, as a failed row), else None."""
    if store.kind != "import":
        return None
    from jobs.doubles import contacts_line, doubles_line, doubles_summary

    summary = doubles_summary(store)
    said = [line for line in (doubles_line(summary) if summary["deals_doubled"] else None,
                              contacts_line(summary)) if line]  # (f41b 1: contacts too)
    return "\n".join(said) or None


def _unfollowed(store: JobStore) -> int:
    """A dedupe job's reviewers' ``decision = merge`` not followed (refused at its load or
    held), said on stderr as the apply says it: exit 3 on resume as in the apply (x48r12: a
    killed apply resumed exited 0); 0 for any other job."""
    if store.kind != "dedupe":  # jobs.dedupe.apply.KIND; other jobs import nothing more
        return 0
    from jobs.dedupe.merge_job import unfollowed_groups

    groups = unfollowed_groups(store)
    for g in groups:  # each group named, as the apply names them (x49r3 F9)
        where = f" (row {g['row']} of groups.csv)" if g["row"] is not None else ""
        typer.echo(f"group {g['group_id']}{where}: decision = merge not followed: "
                   f"{g['reason']}", err=True)
    if n := len(groups):
        typer.echo(f"pdbulk: exit 3: {n:,} reviewer decision{'' if n == 1 else 's'} = merge "
                   "not followed (succeeded.csv says why): the merges a reviewer asked for "
                   "are not done", err=True)
    return n


def _left_elsewhere(store: JobStore) -> bool:
    """A dedupe job's reviewer-decided groups left to another live run that holds them
    (another host's, under a shared coordinator), said on stderr: exit 6, held elsewhere,
    not 3 — nothing of them was refused (x48r14, f48j: "not followed", exit 3)."""
    if store.kind != "dedupe":  # jobs.dedupe.apply.KIND; other jobs import nothing more
        return False
    from jobs.dedupe.merge_job import left_line, left_to_others

    if left := left_to_others(store):
        typer.echo(left_line(left), err=True)
    return bool(left)


def _strays(store: JobStore) -> bool:
    """A dedupe job with a value its field-policy PATCH took from a deal left unmerged:
    exit 3 on resume as in the apply (x13r6 F4: a resume exited 0)."""
    if store.kind != "dedupe":  # jobs.dedupe.apply.KIND; other jobs import nothing more
        return False
    from jobs.dedupe.merge_job import policy_strays

    return bool(policy_strays(store))


# -- the engine options, declared once ----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EngineOptions:
    """What a job command was told about the account and the engine (``engine_options``)."""

    url: str = DEFAULT_URL
    token_env: str = "PIPEDRIVE_API_TOKEN"
    plan: str = "growth"
    seats: int = 1
    oauth: bool = False
    job_dir: Path = Path("pdbulk-jobs")
    budget_share: float | None = None
    max_tokens: int | None = None
    wait_for_reset: bool = False
    workers: int = 64
    window_share: float = 1.0

    def config(self) -> EngineConfig:
        """The engine configuration; a bad URL or plan exits 1."""
        return engine_config(url=self.url, plan=self.plan, seats=self.seats, oauth=self.oauth,
                             job_dir=self.job_dir, share=self.budget_share,
                             max_tokens=self.max_tokens, wait_for_reset=self.wait_for_reset,
                             workers=self.workers, window_share=self.window_share)

    def token(self, *, creates: bool = True) -> str:
        """The API token from ``--token-env``; missing or malformed exits 1, and so does a
        run the coordinator guard refuses (``preflight``: before any output; ``creates``:
        whether the command's job may create records)."""
        token = read_token(self.token_env)
        preflight(token, url=self.url, creates=creates)
        return token


DEFAULTS = EngineOptions()  # a command's ``engine`` parameter default (engine_options fills it)

# name -> its option (default: EngineOptions' own)
_ENGINE_OPTIONS: dict[str, Any] = {
    "url": Url, "token_env": TokenEnv, "plan": Plan, "seats": Seats, "oauth": OAuth,
    "job_dir": JobDir, "budget_share": Share, "max_tokens": MaxTokens,
    "wait_for_reset": WaitReset, "workers": Workers, "window_share": WindowShare,
}
ALL_ENGINE_OPTIONS = tuple(_ENGINE_OPTIONS)
# a command that only reads (init-mapping): no job, no budget of its own; its calls go
# through the token's window all the same
READ_OPTIONS = ("url", "token_env", "plan", "seats", "oauth", "window_share")


def engine_options(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command that takes ``engine: EngineOptions`` the engine options (``names``,
    default all) on its command line, after its own."""
    chosen = names or ALL_ENGINE_OPTIONS
    extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                               default=getattr(DEFAULTS, name), annotation=_ENGINE_OPTIONS[name])
             for name in chosen]

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        sig = inspect.signature(command, eval_str=True)
        own = [p for name, p in sig.parameters.items() if name != "engine"]

        @functools.wraps(command)
        def run(*args: Any, **kw: Any) -> None:
            engine = EngineOptions(**{name: kw.pop(name) for name in chosen})
            command(*args, engine=engine, **kw)

        params = sorted(own, key=lambda p: p.kind) + extra  # keyword-only last
        run.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in params}
        return run
    return decorate
