"""Wiring: a frozen configuration in, a client + scheduler + job store out.

The CLI and library users both come through here. The configuration never
holds the API token (it is passed separately and lives only in the client's
header), so the job store can keep the configuration for ``resume``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import anyio

from .client import PipedriveClient, normalize_base_url
from .clock import Clock, SystemClock
from .coordinator import (
    Coordinator,
    bind_company,
    check_coordination,
    coordinator_id,
    coordinator_url,
    fingerprint,
    mark_coordinated,
    open_coordinator,
)
from .errors import BulkError, RateLimited
from .operations import get_operation
from .plans import AuthKind, Limits, plan_limits
from .runner import CallContext, JobKind, RetryPolicy, Runner, RunResult, RunStats
from .scheduler import BudgetPolicy, Scheduler
from .store import AsyncJobStore, Item, JobStore, Outcome

DEFAULT_URL = "https://api.pipedrive.com"


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """How to reach the account and how hard to push it. Never the token.

    Raises ValueError for a ``base_url`` that ``normalize_base_url`` refuses (the
    message never echoes the URL)."""

    base_url: str = DEFAULT_URL
    auth: AuthKind = "api_token"
    plan: str = "growth"
    seats: int = 1
    burst: int | None = None  # explicit override of the plan's burst limit
    daily_tokens: int | None = None  # explicit override of the company's daily budget
    window: float = 2.0
    budget: BudgetPolicy = field(default_factory=BudgetPolicy)
    max_workers: int = 64
    job_root: Path = Path("pdbulk-jobs")
    timeout: float = 30.0
    tokens_spent_today: int = 0

    def __post_init__(self) -> None:
        # A bad URL (no scheme, ftp://, plain http off loopback, user:pw@, a query that
        # may hold ?api_token=) is refused here, before any job store is written.
        normalize_base_url(self.base_url)

    def limits(self) -> Limits:
        base = plan_limits(self.plan, auth=self.auth, seats=self.seats)
        return Limits(
            burst=self.burst or base.burst,
            search=base.search,
            window=self.window,
            daily_tokens=self.daily_tokens or base.daily_tokens,
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


@asynccontextmanager
async def connect(config: EngineConfig, token: str, *, clock: Clock | None = None,
                  transport: Any = None, coordinator: Coordinator | str | None = None,
                  store: JobStore | None = None,
                  ) -> AsyncIterator[tuple[PipedriveClient, Scheduler]]:
    """A client and a scheduler bound to the running loop.

    ``coordinator``: a Coordinator, a URL (``redis://host:6379/0``), or None for env
    ``PDBULK_COORDINATOR`` (unset: local). A shared one is bound to the account with
    one scheduled ``GET /v1/users/me`` (its ``company_id``; 2 tokens) and the token's
    fingerprint; it raises CoordinatorLost if it cannot be reached.

    Coordinated and uncoordinated runs never mix on one account (their claims do not see
    each other): ``store`` (the job run) records the coordinator it runs on (meta
    ``coordinator``: ``coordinator_id``, no password) and a resume elsewhere is refused;
    a coordinated run marks the token on this machine (state dir) and a later run without
    a coordinator is refused. Raises CoordinatorMismatch (exit 1) before anything is sent
    (``bulk.coordinator.check_coordination``)."""
    clock = clock or SystemClock()
    scheduler = Scheduler(config.limits(), clock=clock, budget=config.budget,
                          tokens_spent_today=config.tokens_spent_today, probe=True)
    coord = (open_coordinator(coordinator_url(coordinator), clock=clock)
             if coordinator is None or isinstance(coordinator, str) else coordinator)
    url = getattr(coord, "_url", None) if coord.shared else None
    current = coordinator_id(url) if isinstance(url, str) else None
    token_fp = fingerprint(token)
    recorded = store.meta_get(META_COORDINATOR) if store is not None else None
    try:
        check_coordination(token_fp, current, recorded if isinstance(recorded, str) else None)
    except Exception:
        await coord.aclose()
        raise
    async with PipedriveClient(config.base_url, token, auth=config.auth, transport=transport,
                               timeout=config.timeout) as client:
        try:
            if coord.shared:  # the first call already goes through the shared window
                await coord.start(fingerprint(token))
                scheduler.attach(coord)
                company, charged = await _company_id(client, scheduler, clock)
                if store is not None and charged:  # in the ledger, as every call charged
                    store.add_spend(time.strftime("%Y-%m-%d", time.gmtime(clock.wall())),
                                    "getCurrentUser", charged,
                                    charged // get_operation("getCurrentUser").token_cost)
                # the guard is per company: another token of it ran on another coordinator
                check_coordination(token_fp, current, company=company)
                coord.bind(company)
                bind_company(company)  # every claim of the run is under it (open_claims)
                if current is not None:
                    mark_coordinated(token_fp, current, company)
                    if store is not None and recorded is None:
                        store.meta_put(META_COORDINATOR, current)
                if store is not None and store.meta_get(META_COMPANY) is None:
                    store.meta_put(META_COMPANY, company)  # known for free: undo's scope
            yield client, scheduler
        finally:
            await coord.aclose()


async def _company_id(client: PipedriveClient, scheduler: Scheduler,
                      clock: Clock) -> tuple[str, int]:
    """The account's company id (GET /v1/users/me, ``data.company_id``; openapi-v1.yaml)
    and the tokens charged for it (every try answered or lost; not a 429), which the
    caller writes to the job's ledger: the ledger counts every call the scheduler charged.
    A 429 waits for the reset the server named; a 5xx or a dropped connection is tried
    again after a short backoff (0.2 s doubling, at most 5 s): a transient fault at the
    start of a run is not a failed run. Raises the last error after 20 tries."""
    op = get_operation("getCurrentUser")
    charged = 0
    for attempt in range(20):  # bounded: each 429 pauses for the reset the server named
        await scheduler.acquire(op)
        sent = clock.now()
        charged += op.token_cost
        try:
            result = await client.call(op.id)
        except RateLimited as exc:
            scheduler.rate_limited(op, exc.rate, exc.reset_after)
            scheduler.refund(op)
            charged -= op.token_cost
            continue
        except BulkError as exc:
            if not exc.retryable or attempt == 19:
                raise
            await clock.sleep(min(5.0, 0.2 * 2 ** attempt))
            continue
        scheduler.observe(op, result.rate, sent_at=sent)
        return str(result.data["company_id"]), charged
    raise RateLimited(429, "still rate limited after 20 tries", operation=op.id)


async def run_kind(config: EngineConfig, token: str, store: JobStore, kind: JobKind, *,
                   clock: Clock | None = None, transport: Any = None,
                   retry: RetryPolicy = RetryPolicy(),
                   on_runner: Any = None, on_progress: Any = None,
                   session: Session | None = None) -> RunResult:
    """Run a job's pending items with a fresh client and scheduler (or ``session``'s)."""
    if session is not None:
        return await session.run(kind, retry=retry, on_runner=on_runner,
                                 on_progress=on_progress)
    clock = clock or SystemClock()
    astore = AsyncJobStore(store)
    async with connect(config, token, clock=clock, transport=transport,
                       store=store) as (client, scheduler):
        runner = Runner(astore, kind, client, scheduler, clock=clock,
                        max_workers=config.max_workers, retry=retry, on_progress=on_progress)
        if on_runner is not None:
            on_runner(runner)
        return await runner.run()


class _Idle:
    """The job kind of a session: it has no items; only its CallContext is used."""

    name = "session"

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        raise RuntimeError("a session runs no items")

    async def reconcile(self, ctx: CallContext, items: Any) -> list[Outcome]:
        raise RuntimeError("a session runs no items")


class Session:
    """Calls outside a run (a job's load phase, a plan), scheduled, retried and accounted
    exactly like a run's: ``ctx`` is the same CallContext a job kind gets."""

    __slots__ = ("_runner",)

    def __init__(self, runner: Runner) -> None:
        self._runner = runner

    def __repr__(self) -> str:
        return f"Session(calls={self.stats.calls}, {self._runner.scheduler!r})"

    @property
    def ctx(self) -> CallContext:
        return self._runner.ctx

    @property
    def stats(self) -> RunStats:
        return self._runner.stats

    @property
    def scheduler(self) -> Scheduler:
        return self._runner.scheduler

    async def run(self, kind: JobKind, *, retry: RetryPolicy = RetryPolicy(),
                  on_runner: Any = None, on_progress: Any = None) -> RunResult:
        """Run the session's job store with ``kind`` on this client and scheduler."""
        base = self._runner
        await base._flush_spend()  # the load phase's calls are in the ledger before the run's
        runner = Runner(base.store, kind, base.client, base.scheduler, clock=base.clock,
                        max_workers=base.max_workers, retry=retry, on_progress=on_progress)
        if on_runner is not None:
            on_runner(runner)
        return await runner.run()

    def tokens_left_today(self) -> int:
        """The company's budget left today, as the scheduler knows it (headers included)."""
        s = self.scheduler.statistics()
        return max(0, s.daily_limit - s.tokens_today)


@asynccontextmanager
async def session(config: EngineConfig, token: str, store: JobStore, *,
                  clock: Clock | None = None, transport: Any = None) -> AsyncIterator[Session]:
    """A Session whose spend goes to ``store``'s ledger when it closes."""
    clock = clock or SystemClock()
    async with connect(config, token, clock=clock, transport=transport,
                       store=store) as (client, scheduler):
        runner = Runner(AsyncJobStore(store), _Idle(), client, scheduler, clock=clock,
                        max_workers=config.max_workers)
        try:
            yield Session(runner)
        finally:
            with anyio.CancelScope(shield=True):
                await runner._flush_spend()  # the same flush a run ends with


__all__ = ["DEFAULT_URL", "META_COMPANY", "META_COORDINATOR", "EngineConfig", "RunStats",
           "Session", "connect", "new_job_id", "run_kind", "session"]
