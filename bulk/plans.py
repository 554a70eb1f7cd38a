"""Pipedrive's rate-limit numbers by plan (FACTS.md), shared by the scheduler and the sandbox.

Daily budget per company: 30,000 x plan multiplier x seats (+ top-ups).
Burst: requests per rolling 2-second window per token, by plan and auth kind.
Search: 10 requests per 2 s, every plan and auth kind.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from .errors import ConfigError

AuthKind = Literal["api_token", "oauth"]

WINDOW_SECONDS = 2.0
SEARCH_LIMIT = 10
DAILY_BASE_TOKENS = 30_000

# plan -> (daily multiplier, api_token burst, oauth burst); legacy names alias.
_PLANS: dict[str, tuple[int, int, int]] = {
    "lite": (1, 20, 80),
    "growth": (2, 40, 160),
    "professional": (3, 80, 320),
    "premium": (5, 100, 400),
    "ultimate": (7, 120, 480),
}
# Pipedrive's plan names before its 2024 renaming; accepted everywhere a plan is named
LEGACY_PLANS: dict[str, str] = {"essential": "lite", "advanced": "growth", "power": "premium",
                                "enterprise": "ultimate"}
_ALIASES = LEGACY_PLANS
PLAN_NAMES: tuple[str, ...] = tuple(_PLANS)


def canonical_plan(plan: str) -> str:
    """``plan`` by its current name (a legacy one mapped, any case); unknown names as given."""
    name = plan.strip().lower()
    return LEGACY_PLANS.get(name, name)


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits one API token of one company works under, and the share of its windows
    a job takes (``window_share``: the rest is left free for other clients on the token).

    ``burst`` / ``search``: requests per ``window`` seconds (the account's); ``daily_tokens``:
    the company's daily budget; ``window_share``: above 0, at most 1 (``--window-share``).
    ``usable_burst`` / ``usable_search`` are what a job admits per window under it."""

    burst: int  # requests per window
    search: int = SEARCH_LIMIT  # search requests per window
    window: float = WINDOW_SECONDS
    daily_tokens: int = DAILY_BASE_TOKENS
    window_share: float = 1.0  # of each window (burst and search), the share a job uses

    def scaled(self, time_scale: float) -> Limits:
        """The same limits with a shorter window (tests run the sandbox fast)."""
        return replace(self, window=self.window * time_scale)

    @property
    def usable_burst(self) -> int:
        """Requests per window a job admits: ``share_of(burst, window_share)``."""
        return share_of(self.burst, self.window_share)

    @property
    def usable_search(self) -> int:
        """Search requests per window a job admits: ``share_of(search, window_share)``."""
        return share_of(self.search, self.window_share)


def share_of(per_window: int, share: float) -> int:
    """``share`` of ``per_window`` requests, rounded down (at most that share), and at least
    1 (a job always goes on): 32 of 40 at 0.8, 8 of the search window's 10."""
    return max(1, math.floor(per_window * share + 1e-9))


def in_flight_target(limits: Limits, latency: float, max_workers: int, *,
                     warm: bool = True) -> int:
    """The calls the runner keeps in flight at once (its workers): the rate times the round
    trip ``latency`` (seconds) x 1.5 + 2, and once ``warm`` at least the job's share of a
    burst (``usable_burst``); at most ``max_workers``, at least 2.

    The burst: a rolling window frees a burst's slots in a cluster (each window's as the
    last one's entries leave it, spread only by the latency's jitter), and a slot no call
    waits for goes when a worker comes back, not when it frees (issue 8: Growth at 150 ±
    50 ms, 8 workers for 40 slots: 0.966 of the allowed rate on virtual time; 0.971-0.973
    with 40, ``tests/test_engine_pace.py``). ``warm``: the first burst's answers are in
    (the runner: ``usable_burst`` answers) and the window is the run's alone
    (``bulk.scheduler.Scheduler.alone``: no 429 kept slots spare, no answer showed
    another client's calls for two windows; beside one, a pool of a burst drew 5-6 429s
    where the drip's drew 1). Before that the drip's figure alone: the first
    window's calls go on connections being opened, slower on the way there than every
    later one, and the second window's slots are dated with their fastest round trip; a
    pool of the burst sent the whole second window before any faster answer moved them
    later (8 calls at a full window in 4 of 20 seeds, ``tests/test_scheduler_pace.py``'s
    cold first window: f35b), where 8 workers stagger it until one comes. The plan's time
    estimate (``jobs.planning``) prices the first burst's calls cold, the rest warm."""
    drip = math.ceil(limits.burst / limits.window * latency * 1.5) + 2
    return max(2, min(max_workers, max(drip, limits.usable_burst) if warm else drip))


def check_window_share(share: object) -> float:
    """``share`` if it is a number above 0 and at most 1 (nan is neither); else
    ``ConfigError`` saying so."""
    if isinstance(share, bool) or not isinstance(share, int | float):
        raise ConfigError(f"window_share must be a number, not {share!r}")
    if not 0 < share <= 1:
        raise ConfigError(f"window_share must be above 0 and at most 1 (in (0, 1]), "
                          f"not {share!r}")
    return float(share)


def plan_limits(plan: str = "growth", *, auth: AuthKind = "api_token", seats: int = 1,
                top_up_tokens: int = 0) -> Limits:
    name = canonical_plan(plan)
    if name not in _PLANS:
        raise ConfigError(f"unknown plan {plan!r}; choose one of {', '.join(PLAN_NAMES)} "
                          f"(or a legacy name: {', '.join(LEGACY_PLANS)})")
    if seats < 1:
        raise ConfigError("seats must be at least 1")
    multiplier, api_burst, oauth_burst = _PLANS[name]
    return Limits(
        burst=oauth_burst if auth == "oauth" else api_burst,
        daily_tokens=DAILY_BASE_TOKENS * multiplier * seats + top_up_tokens,
    )


__all__ = ["AuthKind", "DAILY_BASE_TOKENS", "LEGACY_PLANS", "Limits", "PLAN_NAMES", "SEARCH_LIMIT",
           "WINDOW_SECONDS", "canonical_plan", "check_window_share", "in_flight_target", "plan_limits",
           "share_of"]
