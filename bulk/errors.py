"""One error tree for the whole engine.

    BulkError
    ├── TransportError            no HTTP answer came back; one of two phases:      [retryable]
    │   ├── RequestNotSent        it never left: connect refused or timed out, DNS,
    │   │                         TLS handshake, pool wait, bad URL. Always safe to
    │   │                         retry, never charged
    │   └── AnswerLost            it may have reached Pipedrive: read timeout, reset
    │                             or closed after the body went out, answer cut off.
    │                             A write is in doubt at once (InDoubt); a read is
    │                             retried
    ├── ApiError                  Pipedrive answered with an error status
    │   ├── ValidationRejected    400 / 422: the row is wrong                       [row]
    │   ├── Unauthorized          401: bad or revoked token                          [terminal]
    │   ├── PaymentRequired       402: account not open (trial over, unpaid)         [terminal]
    │   ├── Forbidden             403: missing permission / scope                    [terminal]
    │   │   ├── PlanLimit         403 with a ``code`` (e.g. feature_capping_deals_limit)
    │   │   └── Blocked           403 HTML page: the edge blocked the token for a while
    │   │                         after too many 429s: wait, then resume (exit 4)
    │   ├── NotFound              404                                                [row]
    │   ├── Gone                  410                                                [row]
    │   ├── RateLimited           429; ``reset_after`` seconds when the server said  [retryable]
    │   └── ServerError           5xx; to a write that is not idempotent, or a 502 /
    │       │                     504 to any write, it is in doubt (InDoubt)        [retryable]
    │       └── MalformedResponse 2xx that is not a JSON envelope, success: false, or a
    │                             write / single-record read whose ``data`` is null: the
    │                             call was done; a write is in doubt at once (InDoubt),
    │                             a read is retried
    ├── BudgetExhausted           the daily budget (or the job's cap) is spent       [terminal]
    ├── RepeatedRefusal           writes refused again and again for one cause no row
    │                             explains: the job stops checkpointed (bulk.repeated)
    ├── InputError                a bad manifest / mapping row; row number, column   [row]
    │   ├── AmbiguousName         a name that fits two or more things (stages, users…)
    │   ├── AmbiguousPath         a JSON path read two ways in one record (json_paths)
    │   ├── NotAManifest          a manifest whose content is not its kind (manifest_kind)
    │   ├── HeaderLine            a record that is a header line (manifest_row)
    │   ├── HeaderRowError        the header row asked for is past the end or empty
    │   ├── MisalignedRow         a record not split into the header's columns
    │   ├── SheetChoiceError      the sheet named is no worksheet (xlsx_sheet)
    │   ├── CoordinatorMismatch   coordinated and uncoordinated runs would mix
    │   └── NotResumable          a job resume refuses (cancelled, failed, undone,
    │                             nothing left to resume): nothing was sent
    ├── StoreError                the job store failed                               [terminal]
    │   ├── JobBusy               another live process holds the job (exit 6)        [terminal]
    │   ├── DiskFull              a write found the disk full / the file-size limit  [terminal]
    │   ├── StoreUnfinished       a job folder whose creation a kill cut short: the
    │                             job never started, it sent nothing
    │   └── StoreLost             the job's job.sqlite deleted while it ran          [terminal]
    ├── CoordinatorLost           the shared coordinator (Redis) stopped answering   [terminal]
    ├── NotSent                   a call's ``guard`` refused right before the send
    │                             (a lost claim): nothing sent, nothing charged
    ├── InDoubt                   a write may have applied, its outcome unknown:
    │                             the item is reconciled, never blindly resent
    ├── Stopped                   the run is stopping; the item was not sent
    └── Unexpected                any other exception (a bug) caught at the runner's
                                  boundary: the job stops checkpointed               [terminal]

The phase of a failure is its class, decided in one place: ``bulk.transport``
turns aiohttp / OS / timeout exceptions into ``RequestNotSent`` or
``AnswerLost``; an answer becomes its status class (``api_error_for``). The runner
branches on these classes (``bulk.calls.CallPath.call``). A bare ``TransportError``
(raised by a custom transport) is read as ``AnswerLost``: the conservative phase.

Job kinds (``jobs/``) extend the tree where their errors are raised, never beside it:
``InputError`` ← ``MappingError`` (jobs.mapping.spec; ← ``UpdateMappingError``,
jobs.update_mapping), ``UpdateRefused`` (jobs.update_mapping), ``MixedCurrency``
(jobs.mapping.mixed_currency), ``DecimalContested`` and ``CellNamesPipeline`` (a stage
cell refused in the pipeline it names; jobs.mapping.rowmapper),
``Unsettled`` (jobs.import_rows: an upsert row refused once its key's deal is known),
``DedupeConfigError`` (jobs.dedupe.config), ``StateAdvice`` (jobs.dedupe.state_home:
advice worded for the caller), ``PutBack`` (jobs.import_account_now: rows to map again),
``LoadRefused`` (jobs.api: a load that must not run, with the plan that says why);
``JobBusy`` ← ``StateBusy`` (jobs.dedupe.index: the dedupe state held); ``BulkError`` ←
``MappingUnusable`` (jobs.importing.base: the mapping no longer fits the account),
``Deferred`` (← ``HeldBack``: another run holds the claim) / ``DependencyFailed``
(jobs.import_resolve: a row waits on, or lost, the person or organization it links).
Two are not errors of a run and stay plain exceptions: ``jobs.confirming.NoAnswer`` (a
``confirm`` callback's "nobody could answer": the job is cancelled) and
``jobs.account.TooManyPages`` (a capped listing given up, caught where it is raised).

``retryable``: the same call may succeed later. ``terminal``: the whole job must
stop (checkpointed). Neither: only this row fails. Lower-layer exceptions
(aiohttp, OSError, sqlite3) are translated in exactly one place each (the
transport, the store). No message here ever contains the API token: the client
never puts it anywhere but a request header.

Why ~550 lines: the one tree, drawn whole above (every class of it, the job kinds'
named too: ``tests/test_errors_tree_drawn.py``), with the few words its messages share
(the budget's settings, ``flags_only``); split, the drawing and the classes would part.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .coordinator_urls import coordinator_flag, coordinator_url
from .headers import RateHeaders


class BulkError(Exception):
    """Root of every error pipedrive-bulk raises on purpose."""

    retryable: ClassVar[bool] = False
    terminal: ClassVar[bool] = False
    # what an engine's opening had sent when this error ended it (``bulk.engine``: its
    # GET /v1/users/me tries): (calls that left, of them answered 429, tokens charged);
    # (0, 0, 0): none, or not an opening's (f49a F2: the line said "nothing was sent")
    opened_with: tuple[int, int, int] = (0, 0, 0)

    @property
    def kind(self) -> str:
        return "terminal" if self.terminal else "retryable" if self.retryable else "row"


class TransportError(BulkError):
    """The request got no HTTP answer. Raised as one of its phases, ``RequestNotSent``
    or ``AnswerLost``; a bare TransportError counts as ``AnswerLost`` (it may have
    reached the server). ``timeout``: the failure was a timeout (connect or read)."""

    retryable = True

    def __init__(self, message: str, *, operation: str | None = None,
                 timeout: bool = False) -> None:
        super().__init__(message)
        self.operation = operation
        self.timeout = timeout


class RequestNotSent(TransportError):
    """The request never left this machine: connection refused or timed out, DNS
    failure, TLS handshake failure, no pooled connection in time, an invalid URL.
    Pipedrive saw nothing: always safe to retry, never charged, never in doubt."""


class AnswerLost(TransportError):
    """The request left and may have reached Pipedrive, but no whole answer came back:
    read timeout, connection reset or closed after the body was written, answer cut
    off. A write may have been applied: the call raises ``InDoubt`` at once, and the
    kind's reconcile reads the record before anything is sent again; a read is retried."""


class ApiError(BulkError):
    """Pipedrive answered with an error status; carries its error body."""

    def __init__(self, status: int, message: str, *, operation: str | None = None,
                 error_info: str | None = None, code: str | None = None,
                 body: Any = None, rate: RateHeaders | None = None) -> None:
        super().__init__(f"{status} {message}" + (f" ({operation})" if operation else ""))
        self.status = status
        self.message = message
        self.operation = operation
        self.error_info = error_info
        self.code = code
        self.body = body
        self.rate = rate  # the response's rate-limit headers, for the scheduler


class ValidationRejected(ApiError):
    """400/422: Pipedrive refused the payload (v2 schema validation, bad ids)."""


class Unauthorized(ApiError):
    """401 (FACTS "Status codes": bad token): Pipedrive refused the API token or OAuth
    access token — wrong, revoked, expired, or of another account / ``--url``. Raised on
    the first call that carries it; terminal: the job stops checkpointed, nothing more is
    sent (the CLI: exit 5). Fix the token (``PIPEDRIVE_API_TOKEN`` / ``--token-env``) or
    the URL, then resume; a retry with the same token fails the same way. ``oauth``: the
    token was sent as an OAuth access token (``--oauth``; an API token sent so is refused).
    ``oauth_like``: sent as an API token, it has the shape of an OAuth access token
    (``bulk.client.looks_like_oauth``), which is refused so. Pipedrive's 401 body says
    neither (openapi-v1.yaml's ``unathorizedResponse``: "unauthorized access")."""

    terminal = True
    oauth = False
    oauth_like = False


class PaymentRequired(ApiError):
    """402 (FACTS "Status codes": account not open): the company's subscription does not
    take API calls — trial over, unpaid, suspended. Terminal: the job stops checkpointed
    (the CLI: exit 5); once the account is open again (billing, in Pipedrive's settings),
    resume it. Waiting alone does not help."""

    terminal = True


class Forbidden(ApiError):
    """403 (FACTS "Status codes"): the token's user may not do this — a missing
    permission (admin rights, visibility of the record) or OAuth scope. Terminal: the job
    stops checkpointed (the CLI: exit 5); give the user the permission, or use a token
    that has it, then resume. Two kinds are told apart: ``PlanLimit`` (a capping code) and
    ``Blocked`` (the edge's HTML page after repeated 429s)."""

    terminal = True


class PlanLimit(Forbidden):
    """403 with a capping code, e.g. ``feature_capping_deals_limit`` (open deals limit)."""


BLOCKED_ADVICE = ("Pipedrive's edge blocks the account's API access for a while after too "
                  "many refused (429) calls: nothing more was sent; wait (Pipedrive does not "
                  "say how long), then try again")


class Blocked(Forbidden):
    """403 with an HTML page (FACTS.md "Rate limits": Cloudflare's page, after API-token
    integrations keep calling after 429s): the edge blocked this token's API access for a
    while. Terminal for the run (calling on would prolong the block): the job stops
    checkpointed, but the token is good: waiting is the fix, then resume (the CLI: exit 4,
    not 5). Its text says so (``BLOCKED_ADVICE``), so the job's status message does too."""

    def __init__(self, status: int, message: str, **kw: Any) -> None:
        super().__init__(status, message, **kw)
        self.args = (f"{self.args[0]} — {BLOCKED_ADVICE}",)


def uncharged(exc: BaseException) -> bool:
    """Whether ``exc`` is an answer the account charged no tokens for although it came:
    a refused token's 401 (``Unauthorized``) and the edge's 403 page (``Blocked``), both
    answered before the daily budget is counted (the sandbox's order, ``bulk.sandbox.app``:
    auth, block, then the limiter; FACTS.md "Status codes", "Rate limits"). A 429 and a 5xx
    are not charged either, but each has its own path; another 4xx (a 400, a 403 plan
    limit, a 404) is charged as any answered call."""
    return isinstance(exc, Unauthorized | Blocked)


class NotFound(ApiError):
    """404."""


class Gone(ApiError):
    """410 (FACTS "Status codes": gone): Pipedrive says what the call names is gone for
    good, unlike a 404 that may be a wrong id. Neither retried nor terminal: only its row
    fails, with the operation and Pipedrive's message; the caller can drop the row, or
    point it at a record that exists (then ``pdbulk retry``)."""


class RateLimited(ApiError):
    """429. ``reset_after``: seconds until the window resets, when the server said."""

    retryable = True

    def __init__(self, status: int, message: str, *, reset_after: float | None = None,
                 **kw: Any) -> None:
        super().__init__(status, message, **kw)
        self.reset_after = reset_after


class ServerError(ApiError):
    """5xx (FACTS "Status codes": 500 / 503 server error or maintenance; 502 / 504 from a
    gateway). Retryable: the call is retried with backoff (a read, an idempotent write);
    a non-idempotent write, or a 502 / 504 to any write, may have been applied and is
    raised as ``InDoubt`` instead, reconciled before anything is sent again. Past the
    retries the run stops checkpointed (the CLI: exit 4): resume it later."""

    retryable = True


class MalformedResponse(ServerError):
    """A 2xx whose body is not a Pipedrive JSON envelope (cut off, an HTML page), says
    ``success: false``, or holds a null ``data`` where a record is due. ``status``: the 2xx.

    The server received the request and answered it as done: a write so answered (any
    method, a PATCH or DELETE too) may have been applied and is raised as ``InDoubt`` by
    the call path (``bulk.calls``), read back before anything is sent again, never sent
    again blindly (x42r5 F1); a read is retried like a 5xx."""


# the settings a spent budget names, for a CLI user and a library caller alike (f24c F3:
# a library caller was told "--budget-share", a flag it has no way to give)
SHARE_SETTING = "--budget-share, BudgetPolicy.share"
CAP_SETTING = "--max-tokens, BudgetPolicy.max_tokens"
# a budget stop's exit code, the CLI's alone (``flags_only`` says it
# "(exit 4)"; a library caller's job is status "stopped"; x48r9 F2)
STOP_EXIT = "(the CLI: exit 4)"


def flags_only(text: str) -> str:
    """``text`` (the engine's or a job's words) as the CLI says it: a budget's setting
    by its flag alone (``SHARE_SETTING``, ``CAP_SETTING``: a library caller reads both,
    f24c F3), a budget stop's exit code as "(exit 4)" (``STOP_EXIT``; x48r9 F2). The one
    place the two wordings part."""
    for library, cli in CLI_WORDS:
        text = text.replace(library, cli)
    return text


# the library's words -> the CLI's (``flags_only``; ``pdbulk.options.emit_json`` too)
CLI_WORDS = ((SHARE_SETTING, "--budget-share"), (CAP_SETTING, "--max-tokens"),
             (STOP_EXIT, "(exit 4)"))


class BudgetExhausted(BulkError):
    """The company's daily token budget, or the job's own cap, is spent. Its message names
    the setting concerned as both the CLI flag and the library's ``BudgetPolicy`` field
    (``SHARE_SETTING``, ``CAP_SETTING``).

    ``resets_at``: Unix time of the next daily reset, when known. ``cap``: the job's cap
    (tokens per run) when that is what is spent, else None; ``needs``: what the refused
    call needed ("addDeal needs 5"), for the message a run rewrites once its spend is
    settled (``bulk.runner``); ``upfront``: refused by its plan, where (x46r2 F3), or "".
    """

    terminal = True

    def __init__(self, message: str, *, resets_at: float | None = None,
                 cap: int | None = None, needs: str = "", upfront: str = "") -> None:
        super().__init__(message)
        self.resets_at, self.cap = resets_at, cap
        self.needs, self.upfront = needs, upfront


class InputError(BulkError):
    """A manifest or mapping problem, with the row (1-based data row) and column."""

    def __init__(self, reason: str, *, row: int | None = None, column: str | None = None) -> None:
        where = ", ".join(
            part for part in (f"row {row}" if row is not None else "",
                              f"column {column!r}" if column else "") if part
        )
        super().__init__(f"{where}: {reason}" if where else reason)
        self.reason = reason
        self.row = row
        self.column = column


class ConfigError(InputError, ValueError):
    """A setting the library or the CLI refuses before anything is sent: an unknown plan,
    seats below 1, a ``base_url`` that is not an http(s) origin, a malformed token, a
    coordinator URL, a budget share out of (0, 1]. An ``InputError`` (the CLI says it in
    one line, exit 1) and a ``ValueError`` (what these raised before x15)."""


class StoreError(BulkError):
    """The job store (the SQLite ``job.sqlite`` in the job's folder, ``bulk.store``)
    failed or refused: no store there, not a job store, a schema newer than this version,
    a transition its state machine forbids, or SQLite's own error (disk full, read-only,
    corrupt) — translated in one place (``bulk.store.sqlite``). Not Pipedrive's: no HTTP
    status. Terminal: the run stops (what was recorded stays); the message says which
    file and why — fix that (space, permissions, the right folder or version), then
    resume."""

    terminal = True


class CoordinatorLost(BulkError):
    """The shared coordinator (``--coordinator redis://…``) could not be reached.

    At start the CLI reports it as a configuration error (exit 1, nothing sent);
    mid-run it is terminal: the job stops checkpointed (exit 4) and resumes once
    the coordinator is back. The message names the host, never a password.
    ``cause``: what went wrong, without what the job does about it (for a caller with
    no job to stop, e.g. a load cut short); the message when not given."""

    terminal = True

    def __init__(self, message: str, *, cause: str | None = None) -> None:
        super().__init__(message)
        self.cause = cause or message

class AmbiguousName(InputError):
    """A name that fits two or more things of the account (a stage in two pipelines, two
    users, two options): never caught by a map's ``"*"`` fallback, which is for values
    that name nothing."""


class CoordinatorMismatch(InputError):
    """Coordinated and uncoordinated runs would mix on one account (their claims do not
    see each other): a job that ran on a shared coordinator resumed without it or on
    another, or a run without one on an account this machine ran coordinated. Exit 1,
    nothing sent (``bulk.coordinator.check_coordination``)."""


class NotResumable(InputError):
    """A resume (``jobs.resume_job``, ``pdbulk resume``) or retry refused before anything is
    sent: the job is cancelled or failed (final), an undo ran on it, or (a retry) its
    kind cannot send its failed rows again. The message names the job and what to do;
    the CLI says it in one line, exit 1."""


class NotSent(BulkError):
    """A call's ``guard`` said no right before the send (e.g. the claim guarding a create
    was lost while the call waited for its turn): nothing was sent, nothing charged."""


class JobBusy(StoreError):
    """Another live process holds the job (its lock): try again later (exit code 6)."""


class DiskFull(StoreError):
    """A write failed for want of space: the disk (or quota) is full or the file-size
    limit (``ulimit -f``) was reached — SQLite's SQLITE_FULL / "disk I/O error" (what a
    refused write gives it), or ENOSPC / EFBIG / EDQUOT writing a result file. Says the
    cause and what to do, never a class name (x19r1 F3: "unexpected OperationalError:
    cannot rollback"); the run stops checkpointed (the CLI: exit 4)."""

    def __init__(self, path: object, job: str | None = None, *, job_dir: object = None,
                 action: str = "") -> None:
        self.path, self.job = path, job
        then = action or (f"free space and run `{resume_command(job, job_dir)}`" if job else
                          "free space and run the command again")
        super().__init__(f"the disk is full or the file-size limit was reached writing "
                         f"{path}: nothing done is lost; {then}")


def resume_command(job: str, job_dir: object = None) -> str:
    """``pdbulk resume JOB --job-dir DIR`` (with the coordinator flag when this run has
    one, never its password: ``bulk.coordinator_urls.coordinator_flag``): the one builder of
    the command a stop message names (x24r3 4: the disk-full one left out --job-dir)."""
    url = coordinator_url()
    flag, note = coordinator_flag(url) if url else ("", "")
    where = f" --job-dir {job_dir}" if job_dir is not None else ""
    return f"pdbulk resume {job}{where}{flag}{note}"


META_STOP = "stop"  # a job's meta: why its last run stopped (``bulk.runner.Runner``)
META_FIRST_WRITE_CAP = "first_write_cap"  # meta: jobs.budget_stop.first_write_cap's figure
# why a run stopped (``stop_cause``) → (the words ``pdbulk status`` says it in, whether it
# is an error): a stop asked for, a cancel, a budget or a cap spent are not errors
STOP_CAUSES: dict[str, tuple[str, bool]] = {
    "requested": ("on request", False),  # a signal (SIGINT, SIGTERM, SIGHUP), request_stop
    "cancelled": ("cancelled", False),  # a second Ctrl-C, a library caller's cancel
    "budget": ("the daily budget spent", False),
    "max_tokens": ("its --max-tokens cap spent", False),
    "disk_full": ("disk full", True),
    "store_lost": ("job store lost", True),
    "coordinator_lost": ("coordinator lost", True),
    "blocked": ("API access blocked for a while after too many 429s: wait, then resume",
                True),
    "unauthorized": ("token refused", True),
    "payment_required": ("account not open", True),
    "plan_limit": ("the account's plan limit", True),
    "forbidden": ("permission refused", True),
    "refused": ("writes refused for one cause no row's data explains", True),  # x45r4 F1
    "unreachable": ("account not answering", True),
    "error": ("error", True),
}


def stop_cause(error: BaseException | None) -> str:
    """Why a run stopped, as a ``STOP_CAUSES`` key: ``error`` is what stopped it (None:
    a stop asked for without one, e.g. a signal; not a BulkError: a cancel)."""
    if error is None:
        return "requested"
    if not isinstance(error, BulkError):
        return "cancelled"
    for cls, cause in ((BudgetExhausted, "budget"), (DiskFull, "disk_full"),
                       (StoreLost, "store_lost"), (CoordinatorLost, "coordinator_lost"),
                       (Blocked, "blocked"), (PlanLimit, "plan_limit"),
                       (Unauthorized, "unauthorized"), (PaymentRequired, "payment_required"),
                       (Forbidden, "forbidden")):
        if isinstance(error, cls):
            if cause == "budget" and getattr(error, "cap", None) is not None:
                return "max_tokens"
            return cause
    if isinstance(error, InDoubt) or error.retryable:
        return "unreachable"
    return "error"


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (sqlite3's or the OS's) says a write found no space."""
    import errno

    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in (10, 13):  # SQLITE_IOERR*, SQLITE_FULL
        return True
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return True
    text = str(exc)
    return "database or disk is full" in text or "disk I/O error" in text


class StoreUnfinished(StoreError):
    """A job folder whose store a kill cut short while it was being made (its schema,
    written in one transaction, is not there) and that holds nothing else (no result
    files, no summary.json, no -wal with content): the job never started and sent nothing.
    The message says so and what to do: delete the folder, start the command again."""


class StoreLost(StoreError):
    """The job's ``job.sqlite`` was deleted (or replaced) while the job ran: its writes went
    to a file no path names, so no ``resume`` could find them (f25a). Found by the store's
    periodic checkpoint; the run stops, its result files written from the open (deleted)
    file, and the message says how many rows were sent and what re-running would do."""


class InDoubt(BulkError):
    """A write may have reached Pipedrive but its outcome is unknown: reconcile, don't resend.
    ``status``: the server answered (a 5xx) and the answer says nothing of the outcome;
    None: the answer was lost (a timeout, a dropped connection)."""

    def __init__(self, message: str, *, operation: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.operation = operation
        self.status = status


class Stopped(BulkError):
    """The run is stopping; the item was not sent and goes back to pending."""


class Unexpected(BulkError):
    """An exception that is not a BulkError (a bug in a job kind, an answer nobody
    foresaw) reached the runner's boundary: the job stops checkpointed, the error is
    recorded, items in flight are reconciled on resume."""

    terminal = True

    def __init__(self, exc: BaseException) -> None:
        # its class named: an unexpected error is a bug, and a report needs it
        super().__init__(f"unexpected error ({type(exc).__name__}): {exc or 'no detail'}")
        self.original = exc


def api_error_for(status: int, message: str, *, code: str | None = None,
                  html: bool = False, **kw: Any) -> ApiError:
    """The ApiError subclass for an HTTP status (and Pipedrive's error code)."""
    cls: type[ApiError]
    if status in (400, 422):
        cls = ValidationRejected
    elif status == 401:
        cls = Unauthorized
    elif status == 402:
        cls = PaymentRequired
    elif status == 403:
        cls = Blocked if html else PlanLimit if code else Forbidden
    elif status == 404:
        cls = NotFound
    elif status == 410:
        cls = Gone
    elif status == 429:
        cls = RateLimited
    elif status >= 500:
        cls = ServerError
    else:
        cls = ApiError
    return cls(status, message, code=code, **kw)


__all__ = [
    "AmbiguousName",
    "BLOCKED_ADVICE", "ApiError", "Blocked", "BudgetExhausted", "BulkError", "CoordinatorLost",
    "CoordinatorMismatch", "Forbidden", "Gone",
    "InDoubt", "InputError", "JobBusy", "MalformedResponse", "NotFound", "NotResumable",
    "NotSent", "PaymentRequired",
    "PlanLimit", "RateLimited",
    "ServerError", "Stopped", "StoreError", "DiskFull", "disk_full",
    "StoreLost", "StoreUnfinished", "TransportError", "Unauthorized", "Unexpected",
    "uncharged",
    "ValidationRejected",
    "AnswerLost", "RequestNotSent", "api_error_for", "META_STOP", "STOP_CAUSES", "stop_cause",
]
