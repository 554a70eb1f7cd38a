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

from .client import PipedriveClient
from .clock import Clock, SystemClock
from .plans import AuthKind, Limits, plan_limits
from .runner import JobKind, RetryPolicy, Runner, RunResult, RunStats
from .scheduler import BudgetPolicy, Scheduler
from .store import AsyncJobStore, JobStore

DEFAULT_URL = "https://api.pipedrive.com"


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """How to reach the account and how hard to push it. Never the token."""

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


@asynccontextmanager
async def connect(config: EngineConfig, token: str, *, clock: Clock | None = None,
                  transport: Any = None) -> AsyncIterator[tuple[PipedriveClient, Scheduler]]:
    """A client and a scheduler bound to the running loop."""
    clock = clock or SystemClock()
    scheduler = Scheduler(config.limits(), clock=clock, budget=config.budget,
                          tokens_spent_today=config.tokens_spent_today)
    async with PipedriveClient(config.base_url, token, auth=config.auth, transport=transport,
                               timeout=config.timeout) as client:
        yield client, scheduler


async def run_kind(config: EngineConfig, token: str, store: JobStore, kind: JobKind, *,
                   clock: Clock | None = None, transport: Any = None,
                   retry: RetryPolicy = RetryPolicy(),
                   on_runner: Any = None, on_progress: Any = None) -> RunResult:
    """Run a job's pending items with a fresh client and scheduler."""
    clock = clock or SystemClock()
    astore = AsyncJobStore(store)
    async with connect(config, token, clock=clock, transport=transport) as (client, scheduler):
        runner = Runner(astore, kind, client, scheduler, clock=clock,
                        max_workers=config.max_workers, retry=retry, on_progress=on_progress)
        if on_runner is not None:
            on_runner(runner)
        return await runner.run()


__all__ = ["DEFAULT_URL", "EngineConfig", "RunStats", "connect", "new_job_id", "run_kind"]
