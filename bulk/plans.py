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
           "WINDOW_SECONDS", "canonical_plan", "check_window_share", "plan_limits", "share_of"]
