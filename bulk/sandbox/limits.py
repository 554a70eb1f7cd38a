"""Pipedrive's rate limits as the sandbox enforces them.

- Burst: a rolling window (2 s x time_scale) per credential, counted in requests.
- Search: a second rolling window of 10 per credential for search operations.
- Daily budget: tokens per company, each call costing its operation's
  ``token_cost``; it resets at every multiple of ``day_seconds`` of wall time.

A request is admitted only if every applicable window has a free slot and the
budget still holds its whole cost. A rejected request spends no tokens and, by
default, takes no window slot (``count_rejected`` flips that; Pipedrive's real
behaviour is unconfirmed).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from ..headers import (
    H_DAILY_TOKEN_LIMIT,
    H_DAILY_TOKEN_REMAINING,
    H_LIMIT,
    H_REMAINING,
    H_RESET,
)
from ..operations import Operation


class Window:
    """Admission times within the last ``length`` seconds; a slot frees as each ages out."""

    __slots__ = ("_times", "length", "limit")

    def __init__(self, limit: int, length: float) -> None:
        self.limit = limit
        self.length = length
        self._times: deque[float] = deque()

    def _prune(self, now: float) -> None:
        # Same expression as reset_in, so "no slot" and "wait > 0" agree in floating point.
        while self._times and self._times[0] + self.length <= now:
            self._times.popleft()

    def remaining(self, now: float) -> int:
        self._prune(now)
        return max(0, self.limit - len(self._times))

    def reset_in(self, now: float) -> float:
        """Seconds until the oldest admission leaves the window (0 when empty)."""
        self._prune(now)
        return max(0.0, self._times[0] + self.length - now) if self._times else 0.0

    def wait(self, now: float) -> float:
        """Seconds until a slot is free (0 if one is free now)."""
        return 0.0 if self.remaining(now) else self.reset_in(now)

    def take(self, now: float) -> None:
        self._times.append(now)

    def __repr__(self) -> str:
        return f"Window({len(self._times)}/{self.limit} per {self.length:g}s)"


class DailyBudget:
    """The company's token budget; the day is ``floor((wall - epoch) / day_seconds)``
    (``epoch`` 0: days start at UTC midnight; ``end_day`` moves it to now)."""

    __slots__ = ("day", "day_seconds", "epoch", "limit", "spent")

    def __init__(self, limit: int, day_seconds: float) -> None:
        self.limit = limit
        self.day_seconds = day_seconds
        self.spent = 0
        self.day = -1
        self.epoch = 0.0

    def _roll(self, wall: float) -> None:
        day = math.floor((wall - self.epoch) / self.day_seconds)
        if day != self.day:
            self.day, self.spent = day, 0

    def end_day(self, wall: float) -> None:
        """End the budget day now (the admin API's ``POST /_sandbox/day/end``): a new day
        starts at ``wall`` with the whole budget, the next reset ``day_seconds`` later."""
        self.epoch, self.day, self.spent = wall, 0, 0

    def remaining(self, wall: float) -> int:
        self._roll(wall)
        return max(0, self.limit - self.spent)

    def resets_at(self, wall: float) -> float:
        self._roll(wall)
        return self.epoch + (self.day + 1) * self.day_seconds

    def fits(self, cost: int, wall: float) -> bool:
        return self.remaining(wall) >= cost

    def spend(self, cost: int, wall: float) -> None:
        self._roll(wall)
        self.spent += cost

    def __repr__(self) -> str:
        return f"DailyBudget(spent={self.spent}/{self.limit}, day={self.day})"


@dataclass(frozen=True, slots=True)
class Admission:
    """The verdict on one request, and the rate-limit headers to send with it."""

    admitted: bool
    reason: str | None  # "burst" | "search" | "daily" when rejected
    wait: float  # seconds until the request could pass (0 if admitted)
    headers: dict[str, str]


def format_seconds(value: float) -> str:
    """A duration for x-ratelimit-reset: milliseconds, rounded up, no trailing zeros."""
    text = f"{math.ceil(value * 1000) / 1000:.3f}".rstrip("0").rstrip(".")
    return text or "0"


class RateLimiter:
    """Burst and search windows per credential, one daily budget for the company."""

    __slots__ = ("_burst", "_search", "budget", "count_rejected", "search_limit", "window")

    def __init__(self, window: float, search_limit: int, budget: DailyBudget,
                 count_rejected: bool = False) -> None:
        self.window = window
        self.search_limit = search_limit
        self.budget = budget
        self.count_rejected = count_rejected
        self._burst: dict[str, Window] = {}
        self._search: dict[str, Window] = {}

    def windows(self, credential: str, burst: int) -> tuple[Window, Window]:
        if credential not in self._burst:
            self._burst[credential] = Window(burst, self.window)
            self._search[credential] = Window(self.search_limit, self.window)
        return self._burst[credential], self._search[credential]

    def admit(self, credential: str, burst: int, op: Operation, now: float,
              wall: float) -> Admission:
        general, search = self.windows(credential, burst)
        waits = {"burst": general.wait(now)}
        if op.search:
            waits["search"] = search.wait(now)
        blocked = [name for name, wait in waits.items() if wait > 0]
        if not blocked and not self.budget.fits(op.token_cost, wall):
            blocked = ["daily"]
            waits["daily"] = max(0.0, self.budget.resets_at(wall) - wall)
        if not blocked or self.count_rejected:
            general.take(now)
            if op.search:
                search.take(now)
        if blocked:
            wait = max(waits[b] for b in blocked)
            # On a burst/search 429 the reset names when this request could pass; on a
            # budget 429 it stays the window's, and the daily headers tell the story.
            shown = 0.0 if blocked[0] == "daily" else wait
            return Admission(False, blocked[0], wait,
                             self.headers(credential, burst, now, wall, at_least=shown))
        self.budget.spend(op.token_cost, wall)
        return Admission(True, None, 0.0, self.headers(credential, burst, now, wall))

    def headers(self, credential: str, burst: int, now: float, wall: float,
                at_least: float = 0.0) -> dict[str, str]:
        """x-ratelimit-* describe the credential's burst window (FACTS.md's meaning of
        x-ratelimit-limit); the search window is enforced but not reported."""
        general, _ = self.windows(credential, burst)
        reset = max(general.reset_in(now), at_least)
        return {
            H_LIMIT: str(general.limit),
            H_REMAINING: str(general.remaining(now)),
            H_RESET: format_seconds(reset),
            H_DAILY_TOKEN_LIMIT: str(self.budget.limit),
            H_DAILY_TOKEN_REMAINING: str(self.budget.remaining(wall)),
        }

    def reset(self) -> None:
        self._burst.clear()
        self._search.clear()
        self.budget.spent = 0

    def __repr__(self) -> str:
        return (f"RateLimiter(window={self.window:g}s, credentials={len(self._burst)}, "
                f"{self.budget!r})")


__all__ = ["Admission", "DailyBudget", "RateLimiter", "Window", "format_seconds"]
