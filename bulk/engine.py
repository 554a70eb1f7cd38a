"""The engine: a frozen configuration and a job store in, one ``Engine`` out.

``Engine`` is the one way in for the CLI, the job kinds' loaders, the tests, the
benchmarks and library users: it owns the client, transport, scheduler, clock and the
job's async store; ``call`` / ``paginate`` / ``ctx`` for calls, ``run(kind)`` for items. The configuration never
holds the API token (it is passed separately and lives only in the client's
header), so the job store can keep the configuration for ``resume``.

Why ~740 lines: the configuration (its checks, its JSON for the store) and the wiring it
drives (client, scheduler, coordinator, the marker check that a run of another kind is
not doubled, the kept day checked with the server) change together; the ``Engine`` itself is the last third.
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import anyio

from . import day_seen
from .calls import CallContext, check_stop_args
from .claims_open import closed_with_engine
from .client import ApiResult, PipedriveClient, normalize_base_url
from .clock import Clock, SystemClock, in_thread
from .coordinator import (
    Coordinator,
    account_key,
    bind_company,
    check_coordination,
    coordinator_id,
    coordinator_url,
    fingerprint,
    mark_coordinated,
    run_key,
    run_kind_lock,
)
from .coordinator_open import open_coordinator
from .coordinator_process import ProcessCoordinator
from .day_shared import lend_kept_day
from .errors import (
    META_FIRST_WRITE_CAP,
    ApiError,
    BulkError,
    ConfigError,
    RateLimited,
    RequestNotSent,
    StoreError,
    uncharged,
)
from .journal import reading_only, reads_only, reshare_all
from .operations import get_operation
from .plans import AuthKind, Limits, check_window_share, plan_limits
from .retry import RetryPolicy
from .runner import JobKind, Runner, RunResult, RunStats
from .scheduler import ASK_AFTER, BudgetPolicy, ResetWait, Scheduler
from .store import RESET_WAIT_META, AsyncJobStore, JobStore
from .token_key import bind_token
from .transport import Transport

DEFAULT_URL = "https://api.pipedrive.com"
MAX_WORKERS = 1024  # calls in flight at most (the CLI's --workers bound too)


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """How to reach the account and how hard to push it. Never the token.

    ``window_share``: the share of the token's burst and search windows this job uses,
    above 0 and at most 1 (``--window-share``; 0.8: 32 of Growth's 40 requests per 2 s,
    8 of the 10 searches, at least 1): the rest is left free for another client on the
    same token (a sync tool, a script) that does not read the rate headers. The job keeps
    within the share whatever the server's headers say the burst is, and its plan's time
    is counted at the share.

    Raises ``ConfigError`` (an ``InputError`` and a ``ValueError``) for a ``base_url``
    that ``normalize_base_url`` refuses (the message never echoes the URL), an unknown
    ``plan`` or ``auth``, ``seats`` below 1, a ``max_workers``, ``window``, ``timeout``,
    ``burst`` or ``daily_tokens`` that is not positive, a ``window_share`` not in (0, 1],
    and a field of the wrong type (None only for ``burst`` and ``daily_tokens``).
    ``BudgetPolicy`` checks its own."""

    base_url: str = DEFAULT_URL
    auth: AuthKind = "api_token"
    plan: str = "growth"
    seats: int = 1
    burst: int | None = None  # explicit override of the plan's burst limit
    daily_tokens: int | None = None  # explicit override of the company's daily budget
    window: float = 2.0
    window_share: float = 1.0  # of the burst and search windows (the rest: other clients)
    budget: BudgetPolicy = field(default_factory=BudgetPolicy)
    max_workers: int = 64
    job_root: Path = Path("pdbulk-jobs")
    timeout: float = 30.0
    tokens_spent_today: int = 0

    def __post_init__(self) -> None:
        # the types first (x15r3 F4: None or "5" ended in AttributeError / TypeError, and
        # 2.5 workers in anyio's, at Engine.open)
        for name in ("base_url", "plan"):
            if not isinstance(getattr(self, name), str):
                raise ConfigError(f"{name} must be a string, not {getattr(self, name)!r}")
        # None only where the annotation allows it (``int | None``): seats=None passed here
        # and ended in a TypeError in plan_limits (review of x15r3 F4)
        for name in ("seats", "max_workers", "tokens_spent_today", "burst", "daily_tokens"):
            value = getattr(self, name)
            if value is None and name in ("burst", "daily_tokens"):
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{name} must be a whole number, not {value!r}")
        for name in ("window", "timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"{name} must be a number of seconds, not {value!r}")
        if not isinstance(self.budget, BudgetPolicy):
            raise ConfigError(f"budget must be a BudgetPolicy, not {self.budget!r}")
        object.__setattr__(self, "window_share", check_window_share(self.window_share))
        if not isinstance(self.job_root, str | os.PathLike):
            raise ConfigError(f"job_root must be a path, not {self.job_root!r}")
        object.__setattr__(self, "job_root", Path(self.job_root))
        # A bad URL (no scheme, ftp://, plain http off loopback, user:pw@, a query that
        # may hold ?api_token=, a control character) is refused here, before any job
        # store is written.
        normalize_base_url(self.base_url)
        for name in ("max_workers", "window", "timeout", "burst", "daily_tokens"):
            value = getattr(self, name)
            if value is not None and not 0 < value < math.inf:  # (x16r3 3: inf passed)
                raise ConfigError(f"{name} must be positive and finite, not {value!r}")
        if self.max_workers > MAX_WORKERS:
            raise ConfigError(f"max_workers must be at most {MAX_WORKERS}, not "
                              f"{self.max_workers}")
        if self.tokens_spent_today < 0:
            raise ConfigError(f"tokens_spent_today must not be negative, not "
                              f"{self.tokens_spent_today}")
        if self.auth not in ("api_token", "oauth"):
            raise ConfigError(f"auth must be 'api_token' or 'oauth', not {self.auth!r}")
        self.limits()  # the plan and the seats (bulk.plans)

    def limits(self) -> Limits:
        base = plan_limits(self.plan, auth=self.auth, seats=self.seats)
        return Limits(
            burst=self.burst or base.burst,
            search=base.search,
            window=self.window,
            daily_tokens=self.daily_tokens or base.daily_tokens,
            window_share=self.window_share,
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["job_root"] = str(self.job_root)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EngineConfig:
        data = dict(data)
        data["budget"] = BudgetPolicy(**data.get("budget", {}))
        data["job_root"] = Path(data.get("job_root", "pdbulk-jobs"))
        return cls(**data)


def new_job_id(kind: str) -> str:
    return time.strftime("%Y%m%d-%H%M%S") + f"-{kind}-{secrets.token_hex(2)}"


META_COORDINATOR = "coordinator"  # job meta: the coordinator_id a job ran on
# job meta: the company id of the account a job ran on, when the run learned it (a run on a
# shared coordinator does: GET /users/me); undo compares jobs of one company only
META_COMPANY = "company"
# job meta: the wait for the daily reset under way (``ResetWait.to_json``), None when none:
# ``pdbulk status`` of a live job says it waits and until when (x23 3)
META_RESET_WAIT = RESET_WAIT_META
# job config: False for a job whose kind creates no record (it takes no create claims);
# missing: told by its kind (``declare_no_creates``; f29h 2), else True (the safe side). The
# machine's coordination marker guards creates only (``check_coordination``'s ``creates``):
# a marker a killed import left never blocks a job that creates nothing (x27r3 3)
CONFIG_CREATES = "creates"
_NO_CREATES: set[str] = set()  # store kinds the job layer declares never create a record
# job config: True for a plan's throwaway store (``plan_job``, ``pdbulk plan``, ``dedupe
# plan``): its run reads only, and its start puts no journal entry a Redis lost back
# (``bulk.journal.reading_only``; f40c: a plan after FLUSHALL wrote the folder's back)
CONFIG_READS_ONLY = "reads_only"


def declare_no_creates(kind: str) -> None:
    """Declare that jobs of store kind ``kind`` (the job layer's; the engine keeps names
    only) never create records, though stored without ``creates`` (``job_creates``)."""
    _NO_CREATES.add(kind)


def job_creates(store: JobStore) -> bool:
    """Whether ``store``'s job may create records: its config's ``creates``; missing (a
    job stored before the flag), False for a kind declared by ``declare_no_creates``,
    else True."""
    flag = store.config.get(CONFIG_CREATES)
    if flag is None:
        return store.kind not in _NO_CREATES
    return flag is not False


@asynccontextmanager
async def _connect(config: EngineConfig, token: str, *, clock: Clock,
                   transport: Transport | None, coordinator: Coordinator | str | None,
                   store: JobStore, ask_day: bool = False
                   ) -> AsyncIterator[tuple[PipedriveClient, Scheduler, int]]:
    """A client and a scheduler bound to the running loop (``Engine.open``'s wiring).

    ``coordinator``: a Coordinator, a URL (``redis://host:6379/0``), or None for env
    ``PDBULK_COORDINATOR`` (unset: local). A shared one is bound to the account with
    one scheduled ``GET /v1/users/me`` (its ``company_id``; 2 tokens) and the token's
    fingerprint; it raises CoordinatorLost if it cannot be reached.

    Coordinated and uncoordinated runs never mix on one account (their claims do not see
    each other): ``store`` (the job run) records the coordinator it runs on (meta
    ``coordinator``: ``coordinator_id``, no password) and a resume elsewhere is refused;
    a coordinated run marks the token on this machine (state dir) and a later run without
    a coordinator is refused when its job may create records (``job_creates``). Without
    one, a kept day that would refuse the run under its share (or its whole budget) and
    is half an hour old (``ask_day``, a resume or retry: whatever its age) is checked
    first with one ``GET /v1/users/me`` (``_ask_first``;
    x40r1 F3, x41r6 F4; on Redis the coordinator's day asks with the run's own first call,
    ``RedisCoordinator._ask_stale``: nothing added to the run or its plan); yields the
    client, the scheduler and the calls that check made (0 or 1). Raises
    CoordinatorMismatch (exit 1) before anything is sent
    (``bulk.coordinator.check_coordination``)."""
    scheduler = Scheduler(config.limits(), clock=clock, budget=config.budget,
                          tokens_spent_today=config.tokens_spent_today, probe=True)
    coord = (open_coordinator(coordinator_url(coordinator), clock=clock)
             if coordinator is None or isinstance(coordinator, str) else coordinator)
    url = getattr(coord, "_url", None) if coord.shared else None
    current = coordinator_id(url) if isinstance(url, str) else None
    token_fp = fingerprint(token)
    key = account_key(config.base_url, token)  # the marker's: the token on this account URL
    urls = account_key(config.base_url, "")  # the account URL's class: a company's day's
    bind_token(token)  # its state-folder key tells records' companies apart (bulk.token_key)
    # read on the loop: off it, a cancel landed before a merge job's clean-up (f29d)
    recorded = store.meta_get(META_COORDINATOR)
    # the tokens the job's first write needs, as its plan priced them (a stopped job's)
    first_write = store.meta_get(META_FIRST_WRITE_CAP)
    local = contextlib.ExitStack()
    try:
        check_coordination(key, current, recorded if isinstance(recorded, str) else None,
                           creates=job_creates(store), token_fp=token_fp)
        # held for the run: a run of the other kind on this token is refused, either order
        # (keyed by the URL and the token: the same token on another account is another run)
        local.enter_context(run_kind_lock(run_key(config.base_url, token),
                                          coordinated=coord.shared))
    except Exception:
        local.close()
        await coord.aclose()
        raise
    stale: tuple[int, int, int] | None = None  # a kept day too old to refuse a run on
    if not coord.shared:
        # the engines of this process on this account share its limits (x20r3 F3)
        process = ProcessCoordinator(normalize_base_url(config.base_url), token, clock=clock)
        scheduler.attach(process)
        if (company := day_seen.company_of(key)) is not None:
            # a GET /users/me of an earlier run named the token's company: its day here is
            # the company's, shared with the engines of its other tokens (f39j 3)
            process.bind(company)
        # the company's day as the last run here heard it: before the first answer a
        # --budget-share is of that budget and that spend (f38k 2; Redis keeps its own),
        # the company's where the token's company is known (f39d 1: two users' tokens)
        # (the server's day, where a run saw when it begins: f39d 2)
        # (and a spent share's wait ends at the server's midnight where it is known: f39j 2)
        scheduler.recall_midnight(day_seen.midnight(key, scheduler.day_seconds, urls=urls))
        if (seen := day_seen.recall(key, scheduler.day_seconds, urls=urls,
                                    now=clock.wall())) is not None:
            if _ask_first(scheduler, seen, day_seen.heard(key, scheduler.day_seconds, urls=urls),
                          clock.wall(), at_once=ask_day, first_write=first_write):
                stale = seen  # the server is asked first (one GET /v1/users/me)
            else:
                scheduler.recall_day(*seen)
    opened: list[PipedriveClient] = []
    opening = _Opening()  # what the opening sends (GET /users/me), said by its error
    with local:
        try:
            async with _client_and_coordinator(config, token, clock=clock,
                                               transport=transport, coord=coord,
                                               current=current, key=key, recorded=recorded,
                                               scheduler=scheduler, store=store,
                                               opening=opening, ask_day=ask_day) as client:
                opened.append(client)
                asked = 0
                if stale is not None:
                    asked = await _ask_day(client, scheduler, clock, store, opening)
                    scheduler.recall_day(*stale)  # (nothing, where the answer said the day)
                opening.done = True
                yield client, scheduler, asked
        except BulkError as exc:
            if not opening.done and opening.sent:  # (f49a F2: "nothing was sent")
                exc.opened_with = (opening.sent, opening.limited, opening.charged)
            raise
        finally:
            # the token's company, where a GET /users/me of this run named it, is kept
            # for every run of the token (a shared coordinator's bind included). A plan's
            # engine keeps it too: it is what the server said of its day, a cache every
            # later command reads (the run after a plan then asks nothing the plan priced:
            # f41a); a plan marks no machine coordinated (below, f41d 5)
            # (a coordinated run's too: a Redis emptied since lends it back, f49a F1)
            day_seen.remember(key, scheduler.day_seconds, scheduler.day_heard(), urls=urls,
                              company=opened[0].company if opened else None,
                              server=scheduler.server_day())


@asynccontextmanager
async def _client_and_coordinator(config: EngineConfig, token: str, *, clock: Clock,
                                  transport: Transport | None, coord: Coordinator,
                                  current: str | None, key: str, recorded: object,
                                  scheduler: Scheduler, store: JobStore, opening: _Opening,
                                  ask_day: bool = False) -> AsyncIterator[PipedriveClient]:
    """``_connect``'s client, with a shared coordinator started and bound to the company
    (``ask_day``: a resume or retry, whose first call asks the server's day at once where
    the shared day refuses it: ``RedisCoordinator.ask_at_once``)."""
    async with PipedriveClient(config.base_url, token, auth=config.auth, transport=transport,
                               timeout=config.timeout) as client:
        try:
            if coord.shared:  # the first call already goes through the shared window
                # (the company record is the token's on this account URL: x48r6 F1, F2)
                await coord.start(fingerprint(token),
                                  account=account_key(config.base_url, ""))
                if ask_day and (ask := getattr(coord, "ask_at_once", None)) is not None:
                    ask()  # a resume or retry asks the server's day at once (x50r2 F4)
                # what Redis lost of the day, the state folder's record lends (f49a F1)
                await lend_kept_day(coord, scheduler, key, account_key(config.base_url, ""),
                                    clock.wall(), ask_day=ask_day)
                company, _ = await _company_id(client, scheduler, clock, store, opening)
                # the guard is per company: another token of it ran on another coordinator
                creates = job_creates(store)
                check_coordination(key, current, company=company,
                                   creates=creates, token_fp=fingerprint(token))
                coord.bind(company)
                bind_company(company)  # every claim of the run is under it (open_claims)
                # a plan marks nothing (f41d 5); nor does a job the marker does not guard
                # (it creates nothing, so it was not checked against it: x47r4 F4, an
                # update on another coordinator rewrote it, then refused the company's own)
                if current is not None and creates and not reads_only():
                    mark_coordinated(key, current, company)

                def bound() -> None:  # the store's reads and writes, off the loop
                    if current is not None and recorded is None:
                        store.meta_put(META_COORDINATOR, current)
                    if store.meta_get(META_COMPANY) is None:
                        store.meta_put(META_COMPANY, company)  # known for free: undo's scope
                    if isinstance(shared_url := getattr(coord, "_url", None), str):
                        # what this state folder's journals shared and a Redis lost since
                        # is put back by every coordinated run (one script call a journal)
                        reshare_all(shared_url, company, store.directory.parent)
                await in_thread(bound)
            yield client
        finally:
            await coord.aclose()
            if scheduler.coordinator is not coord and scheduler.coordinator is not None:
                await scheduler.coordinator.aclose()  # this process's share of the account


# (``ASK_AFTER``, from bulk.scheduler: seconds after which a kept day (``bulk.day_seen``)
# that leaves a --budget-share or reserve less than one call's worth is checked with the
# server before it refuses the run; the Redis coordinator's day too)
_ROOM = 40  # tokens: the costliest call the engine makes (a merge, 40: openapi-v1.yaml)


def _ask_first(scheduler: Scheduler, seen: tuple[int, int, int], heard: float | None,
               wall: float, *, at_once: bool = False, first_write: object = None) -> bool:
    """Whether the kept day ``seen`` (day, daily budget, company spend; ``day_seen.recall``),
    heard at wall ``heard``, is to be checked with the server before it is taken: it
    leaves this job's share or reserve (without either: the whole daily budget, x41r6 F4)
    less than ``_ROOM`` tokens — or less than ``first_write``, the tokens the job's first
    write needs as its plan priced them (meta ``first_write_cap``; x48r4 F3: 50 left of a
    share, a merge's first write needing 81, a resume after the reset was refused without
    asking) — and was heard ``ASK_AFTER`` or more ago (x40r1 F3: a share
    refused every run after the server's reset until a record showed the new day). The
    ask is 2 tokens: a server whose day is truly spent answers 429 and the run is refused
    as before. Never for a record that does not say when. ``at_once``: a resume or retry,
    a person asking to go on (a reset they saw, a sandbox's short day): asked whatever the
    record's age (x44r7 F3: a resume right after the reset was refused for half an hour)."""
    room = scheduler.share_room(seen[1], seen[2])
    if room is None:  # no share nor reserve: the whole budget's room (x41r6 F4)
        room = seen[1] - seen[2]
    need = max(_ROOM, first_write if isinstance(first_write, int)
               and not isinstance(first_write, bool) else 0)
    return room < need and heard is not None and (at_once or wall - heard >= ASK_AFTER)


async def _ask_day(client: PipedriveClient, scheduler: Scheduler, clock: Clock,
                   store: JobStore, opening: _Opening) -> int:
    """One ``GET /v1/users/me`` (getCurrentUser, 2 tokens) whose daily headers say the
    company's day as the server counts it now, before a kept day refuses the run; in the
    ledger. Returns the calls charged (counted in the run's stats, so in its plan).
    Raises as ``_company_id``."""
    _, charged = await _company_id(client, scheduler, clock, store, opening)
    return charged // get_operation("getCurrentUser").token_cost


class _Opening:
    """What an engine's opening sent, its ``GET /v1/users/me`` tries (``_company_id``):
    ``sent`` the calls that left, ``limited`` those of them answered 429, ``charged`` the
    tokens charged (in the ledger), ``uncharged`` those answered and not charged (a 401:
    ``bulk.errors.uncharged``; in the ledger at 0 tokens); ``done``: the opening is over
    (the engine yielded)."""

    __slots__ = ("charged", "done", "limited", "sent", "uncharged")

    def __init__(self) -> None:
        self.sent = self.limited = self.charged = self.uncharged = 0
        self.done = False


async def _company_id(client: PipedriveClient, scheduler: Scheduler, clock: Clock,
                      store: JobStore | None = None, opening: _Opening | None = None
                      ) -> tuple[str, int]:
    """The account's company id (GET /v1/users/me, ``data.company_id``; openapi-v1.yaml)
    and the tokens charged for it (every try answered or lost; not a 429), written to the
    ``store``'s ledger however it ends (the ledger counts every call the scheduler
    charged: a try lost before a refusal too) and counted in ``opening`` with the tries
    sent (None: neither; a test's).
    A 429 waits for the reset the server named; a 5xx or a dropped connection is tried
    again after a short backoff (0.2 s doubling, at most 5 s): a transient fault at the
    start of a run is not a failed run. Raises the last error after 20 tries — or, for a
    try that never reached the account (refused, DNS, TLS: ``RequestNotSent``), after as
    many as a run makes (``RetryPolicy.attempts``): a wrong ``--url`` with a coordinator
    set waited 85 s in silence, 8 s without one (x13r1 F4).

    Each try holds its window slot from its admission until its answer, as every call of a
    run does (``Scheduler.acquire(hold=True)``, f23d): the first call of a process may wait
    seconds before it leaves (the connection opened, a loaded host), and one dated at its
    admission left the shared window before the server counted it (f40d 1: a 429 in 2 of
    10 fleets of 4 imports on one token, the process's GET /users/me admitted 2.9 s before
    it reached the server, its Redis entry gone after 1.1 s)."""
    op = get_operation("getCurrentUser")
    opening = opening or _Opening()
    before, free = opening.charged, opening.uncharged
    # a run's first call: the transport's set-up (aiohttp's import, seconds of wall time
    # on a loaded host with the loop blocked) before its admission, not between it and
    # its departure, where its held slot lapsed in the shared window (x47r4 F2)
    await client.prepare()
    try:
        return await _tries(client, scheduler, clock, opening), opening.charged - before
    finally:
        charged = opening.charged - before
        calls = charged // op.token_cost + opening.uncharged - free
        if store is not None and calls > 0:  # in the ledger (a 401's call at 0 tokens)
            day = time.strftime("%Y-%m-%d", time.gmtime(clock.wall()))
            with anyio.CancelScope(shield=True):
                await in_thread(lambda: store.add_spend(day, op.id, charged, calls))


async def _tries(client: PipedriveClient, scheduler: Scheduler, clock: Clock,
                 opening: _Opening) -> str:
    """``_company_id``'s tries, each counted in ``opening`` (sent, 429, charged)."""
    op = get_operation("getCurrentUser")
    unsent = 0
    for attempt in range(20):  # bounded: each 429 pauses for the reset the server named
        admitted = await scheduler.acquire(op, hold=True)
        if scheduler.lapsed(op, admitted):  # its loop blocked since: admitted again (f48d)
            scheduler.refund(op)
            continue
        scheduler.leaving(op, admitted)
        sent = clock.now()
        opening.charged += op.token_cost
        opening.sent += 1
        try:
            result = await client.call(op.id)
        except RateLimited as exc:
            scheduler.rate_limited(op, exc.rate, exc.reset_after, sent_at=sent)
            scheduler.refund(op)
            opening.charged -= op.token_cost
            opening.limited += 1
            continue
        except BulkError as exc:
            if isinstance(exc, RequestNotSent):  # never counted by the server
                unsent += 1
                scheduler.not_sent(op, sent)
                scheduler.refund(op)
                opening.charged -= op.token_cost
                opening.sent -= 1
            elif isinstance(exc, ApiError):  # answered (a 4xx, a 5xx)
                scheduler.observe(op, exc.rate, sent_at=sent)
                if uncharged(exc):  # a refused token's 401: answered, not charged (x49r9 F2)
                    scheduler.refund(op)
                    opening.charged -= op.token_cost
                    opening.uncharged += 1
            else:  # no answer: the server may have counted it until now
                scheduler.unanswered(op, sent)
            if not exc.retryable or attempt == 19 or unsent >= RetryPolicy().attempts:
                raise
            await clock.sleep(min(5.0, 0.2 * 2 ** attempt))
            continue
        except BaseException:  # cancelled in flight (a stop): no answer came
            scheduler.unanswered(op, sent)
            raise
        company = str(result.data["company_id"])
        # (what the run took of another company's day is not compared with its figure)
        scheduler.company_named(company)
        scheduler.observe(op, result.rate, sent_at=sent)
        return company
    raise RateLimited(429, "still rate limited after 20 tries", operation=op.id)


class Engine:
    """One account, one job store, one scheduler: the way every run is wired (as httpx's
    ``Client`` is for requests). Open it with ``Engine.open`` (an async context manager);
    it owns the client (and its transport), the scheduler, the clock, the configuration
    and one ``AsyncJobStore`` over the job's store.

    ``call``, ``paginate``, ``pages`` and ``ctx`` (the ``CallContext`` a job kind gets)
    make calls outside a run (a load phase, a plan): scheduled against the limits, retried
    where safe and written to the job's spend ledger, exactly like a run's calls (one
    path: ``bulk.runner``). ``run(kind)`` works the store's pending items on the same
    client and scheduler. The ledger is complete when the engine closes."""

    __slots__ = ("_astore", "_config", "_current", "_limited_seen", "_runner", "_stop_reason",
                 "_stopping", "_store", "asked_day")

    def __init__(self, config: EngineConfig, store: JobStore, client: PipedriveClient,
                 scheduler: Scheduler, clock: Clock) -> None:
        """Internal: use ``Engine.open``, which binds the coordinator and closes it all."""
        self._config, self._store = config, store
        self._astore = AsyncJobStore.of(store)  # the one async store of the job
        self._runner = Runner(self._astore, None, client, scheduler, clock=clock,
                              max_workers=config.max_workers)
        self._current: Runner | None = None
        # the calls (0 or 1, GET /users/me) ``open`` made to ask the server's day before a
        # kept one refused the run (``_ask_first``): a resume's plan prices them (x50r2 F6)
        self.asked_day = 0
        self._stopping = False
        self._stop_reason: str | None = None
        self._limited_seen = 0  # the scheduler's 429s, every one, as a run's stats had them

    @classmethod
    @asynccontextmanager
    async def open(cls, config: EngineConfig, token: str, *, store: JobStore,
                   clock: Clock | None = None, transport: Transport | None = None,
                   coordinator: Coordinator | str | None = None,
                   ask_day: bool = False) -> AsyncIterator[Engine]:
        """An engine on the running loop, for the job kept in ``store``.

        ``token``: the API token (kept in the client's header only, never stored);
        ``clock``: default ``SystemClock()``; ``transport``: default aiohttp (tests: a
        ``MockTransport``); ``coordinator``: a Coordinator, a URL
        (``redis://host:6379/0``), or None for env ``PDBULK_COORDINATOR`` (unset: local);
        ``ask_day`` (a resume, a retry): a day kept in the state folder that leaves the run
        less than a call (or than the job's first write, as its plan priced it: meta
        ``first_write_cap``) is asked of the server at once (one ``GET /v1/users/me``, 2
        tokens, in the run's stats), not only once it is half an hour old.

        A shared coordinator is bound to the account with one scheduled
        ``GET /v1/users/me`` (2 tokens, in the ledger) and the token's fingerprint; the
        job's meta records the coordinator (``coordinator``, no password) and the company.
        Raises CoordinatorMismatch before anything is sent when coordinated and
        uncoordinated runs would mix on the account, CoordinatorLost when a shared
        coordinator cannot be reached, and StoreError when the ledger cannot be written
        at the close (every call's charge is in it before the call leaves). A store whose
        config says ``reads_only`` (``CONFIG_READS_ONLY``: a plan's) writes no journal
        entry back at the start, nor when a job kind opens one (``bulk.journal``)."""
        clock = clock or SystemClock()
        store.wall = clock.wall  # the job's times (a status's) are the run's clock's
        with reading_only(store.config.get(CONFIG_READS_ONLY) is True):
            async with _connect(config, token, clock=clock, transport=transport,
                                coordinator=coordinator, store=store,
                                ask_day=ask_day) as (client, scheduler, asked):
                engine = cls(config, store, client, scheduler, clock)
                engine.asked_day = asked
                if store.config.get(CONFIG_READS_ONLY) is True:  # a plan's, its ledger new
                    engine.stats.start_tokens = (store.spend_by_operation().get(
                        "getCurrentUser") or (0, 0))[0]
                if asked and store.config.get(CONFIG_READS_ONLY) is not True:
                    # the server asked for the day before a kept one refused the run: the
                    # run's call, so its plan's (a plan's own ask refreshed the record, and
                    # the run it plans asks nothing within the half hour)
                    op = get_operation("getCurrentUser")
                    stats = engine.stats
                    stats.calls += asked
                    stats.calls_by_operation[op.id] = stats.calls_by_operation.get(op.id, 0) + asked
                    stats.tokens_by_operation[op.id] = (stats.tokens_by_operation.get(op.id, 0)
                                                        + asked * op.token_cost)
                told: list[bool] = []

                def reset_wait(wait: ResetWait | None) -> None:
                    # written at once, on the loop: twice a day at most (a wait begins, ends),
                    # while every call waits for the budget anyway
                    with contextlib.suppress(StoreError):
                        store.meta_put(META_RESET_WAIT, None if wait is None else wait.to_json())
                        told.append(True)
                scheduler.on_reset_wait = reset_wait
                try:
                    # the claims a job kind opened under the engine are closed with it, on
                    # every path (bulk.claims_open.close_with_engine; x20r3 F4)
                    async with closed_with_engine():
                        yield engine
                finally:
                    scheduler.on_reset_wait = None
                    if told and scheduler.reset_wait is not None:  # no process waits any more
                        with contextlib.suppress(StoreError):
                            store.meta_put(META_RESET_WAIT, None)
                    with anyio.CancelScope(shield=True):
                        await engine._runner.flush_spend()  # the refunds since the last run

    def __repr__(self) -> str:
        return (f"Engine(job={self._store.job_id}, calls={self.stats.calls}, "
                f"running={self._current is not None}, {self.scheduler!r})")

    # -- what it owns ---------------------------------------------------------------------
    @property
    def config(self) -> EngineConfig:
        """The frozen configuration the engine was opened with (never the token)."""
        return self._config

    @property
    def store(self) -> JobStore:
        """The job store the engine writes its ledger to and runs the items of."""
        return self._store

    @property
    def client(self) -> PipedriveClient:
        """The client: one unscheduled, unaccounted call each (prefer ``call``)."""
        return self._runner.client

    @property
    def scheduler(self) -> Scheduler:
        """The scheduler every call of the engine and its runs is admitted by."""
        return self._runner.scheduler

    @property
    def clock(self) -> Clock:
        """The clock the scheduler, retries and runs wait on (``SystemClock`` by default)."""
        return self._runner.clock

    @property
    def ctx(self) -> CallContext:
        """The CallContext a job kind gets (``call``, ``paginate``, ``pages``, ``clock``)."""
        return self._runner.ctx

    @property
    def stats(self) -> RunStats:
        """Every call of this engine: its own (``call``, ``ctx``; live) and each finished
        run's (added when the run ends): calls and tokens per operation, retries, 429s."""
        return self._runner.stats

    def tokens_left_today(self) -> int | None:
        """The daily budget left that this job may use, in tokens, as the scheduler knows it
        (the server's headers included; less the part ``--budget-share`` or the reserve
        keeps for others: x11r2 2); 0 when spent; None while no answer has told the
        company's spend today (x19r4 F2: a resume's plan, made before any call, said the
        whole budget was left after the job had spent 9,417 tokens that day)."""
        stats = self.scheduler.statistics()
        return stats.usable_today if stats.today_known else None

    # -- calls ----------------------------------------------------------------------------
    async def call(self, operation_id: str, *, path: Mapping[str, object] | None = None,
                   params: Mapping[str, object] | None = None, json: Any = None,
                   guard: Callable[[], Awaitable[bool]] | None = None) -> ApiResult:
        """One call (``CallContext.call``): scheduled, retried where safe, in the ledger.
        Raises ValueError for an unknown ``operation_id``, the BulkError the call ended
        with (``bulk.errors``), Stopped after ``request_stop``."""
        return await self.ctx.call(operation_id, path=path, params=params, json=json,
                                   guard=guard)

    def paginate(self, operation_id: str, *, params: Mapping[str, object] | None = None,
                 limit: int = 500) -> AsyncIterator[ApiResult]:
        """Every page of a list, each page one scheduled call (``bulk.client.paginate``:
        the one pagination loop; stop iterating to stop paying). Raises ValueError for a
        write operation or a ``limit`` outside 1..500."""
        return self.ctx.paginate(operation_id, params=params, limit=limit)

    async def pages(self, operation_id: str, *, params: Mapping[str, object] | None = None,
                    limit: int = 500) -> list[ApiResult]:
        """Every page of a list, read to the end (``paginate``)."""
        return await self.ctx.pages(operation_id, params=params, limit=limit)

    # -- runs -----------------------------------------------------------------------------
    async def settle_ledger(self) -> None:
        """Write the ledger exact now: the calls answered so far off its figure in doubt
        (held in memory until the next ledger write), the credit charged ahead and unused
        taken back. Before a wait of unknown length — a confirmation prompt — so a kill
        there leaves the load's answered reads charged, not in doubt (x45r4 F4b: a
        move-stage killed at its prompt said "10 charged + up to 10 in doubt" for 20
        reads all answered). Raises StoreError."""
        await self._runner.flush_spend()

    async def run(self, kind: JobKind, *, retry: RetryPolicy = RetryPolicy(),
                  on_runner: Callable[[Runner], None] | None = None,
                  on_progress: Callable[[RunStats], None] | None = None) -> RunResult:
        """Run the store's pending items with ``kind`` (reconciling what is in doubt first)
        on this engine's client and scheduler; the calls made so far are in the ledger
        before the run's; a kind with ``use_clock(clock)`` is handed the engine's clock
        first. ``on_runner`` gets the run's Runner before anything is sent;
        ``on_progress`` gets its stats after each outcome batch. The result's stats are
        the run's own. Raises nothing but BaseExceptions (``Runner.run``): a stop or an
        error is in the RunResult."""
        await self._runner.flush_spend()  # the engine's calls in the ledger before the run's
        use_clock = getattr(kind, "use_clock", None)
        if use_clock is not None:  # a kind that keeps times of its own takes the run's clock
            use_clock(self.clock)
        runner = Runner(self._astore, kind, self.client, self.scheduler, clock=self.clock,
                        max_workers=self._config.max_workers, retry=retry,
                        on_progress=on_progress)
        if self._stopping:
            runner.request_stop(reason=self._stop_reason)  # asked before the run: none sent
        if on_runner is not None:
            on_runner(runner)
        self._current = runner
        # the 429s since the last run (the start-up reads: the company id, a resume's
        # re-reads) are this run's too: summary.json said "429s: 0" after one (x19r3 F5)
        carried = self.scheduler.statistics().rate_limited - self._limited_seen
        runner.stats.rate_limited += carried
        try:
            return await runner.run()
        finally:
            self._current = None
            self._runner.stats.add(runner.stats)
            self._runner.stats.rate_limited -= carried  # the engine counted its own already
            self._limited_seen = self.scheduler.statistics().rate_limited

    def request_stop(self, error: BulkError | None = None, *,
                     reason: str | None = None) -> None:
        """Stop cleanly: no call is admitted any more (a waiting one raises Stopped), the
        run in progress lets its calls in flight finish, a later run sends nothing.
        ``reason``: why, for a stop that is no error (e.g. "stopped by SIGTERM"): the
        job's status message says it. Raises TypeError for an ``error`` that is not a
        BulkError (``request_stop("why")``: give the text as ``reason=``) or a ``reason``
        that is not a str; nothing is stopped then."""
        check_stop_args(error, reason)
        self._stopping = True
        self._stop_reason = self._stop_reason or reason
        self._runner.request_stop(error, reason=reason)
        if self._current is not None:
            self._current.request_stop(error, reason=reason)

    @property
    def stopping(self) -> bool:
        """True once ``request_stop`` was called."""
        return self._stopping


__all__ = ["ASK_AFTER", "CONFIG_CREATES", "CONFIG_READS_ONLY", "DEFAULT_URL", "META_COMPANY",
           "META_COORDINATOR", "Engine", "EngineConfig", "RunStats", "declare_no_creates",
           "job_creates", "new_job_id"]
