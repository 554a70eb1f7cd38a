"""The sandbox's run state: account, limiter, faults, credentials and counters.

One ``Runtime`` per running sandbox, built from a frozen ``SandboxConfig``;
the HTTP layer and the admin API both work through it.
"""

from __future__ import annotations

import hmac
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ..clock import Clock, SystemClock
from ..plans import AuthKind
from .config import Faults, SandboxConfig
from .faults import FaultInjector
from .limits import DailyBudget, RateLimiter
from .state import Account


@dataclass(frozen=True, slots=True)
class Credential:
    """An accepted token: its name (never the token itself), kind, burst and user."""

    name: str
    kind: AuthKind
    burst: int
    user_id: int


class Stats:
    """Counters behind ``GET /_sandbox/stats``."""

    __slots__ = (
        "faults_injected",
        "rate_limited",
        "requests_by_operation",
        "requests_cut",
        "tokens_by_operation",
        "tokens_spent",
        "writes_applied",
    )

    def __init__(self) -> None:
        self.requests_by_operation: Counter[str] = Counter()
        self.tokens_by_operation: Counter[str] = Counter()
        self.tokens_spent = 0
        self.rate_limited = 0
        self.faults_injected: Counter[str] = Counter()
        self.writes_applied: Counter[str] = Counter()
        # writes whose client went away before their body arrived: not applied (x44r5 F5)
        self.requests_cut: Counter[str] = Counter()

    def charge(self, operation_id: str, tokens: int) -> None:
        self.tokens_spent += tokens
        self.tokens_by_operation[operation_id] += tokens

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests_by_operation": dict(self.requests_by_operation),
            "tokens_spent": self.tokens_spent,
            "tokens_by_operation": dict(self.tokens_by_operation),
            "rate_limited": self.rate_limited,
            "faults_injected": dict(self.faults_injected),
            "writes_applied": dict(self.writes_applied),
            "requests_cut": dict(self.requests_cut),
        }


class Runtime:
    """Everything a running sandbox mutates."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.clock: Clock = config.clock or SystemClock()
        self.account = Account(config, self.clock)
        limits = config.limits()
        self.limiter = RateLimiter(limits.window, limits.search,
                                   DailyBudget(limits.daily_tokens, config.day_seconds),
                                   config.count_rejected)
        self.injector = FaultInjector(config.faults, config.seed, self.clock.now())
        self.stats = Stats()
        # the ``block_after`` fault: per credential name, 429s since the last block, and
        # the clock time its block ends
        self.refusals: dict[str, int] = {}
        self.blocked_until: dict[str, float] = {}
        primary = Credential("token", config.auth_kind, limits.burst, self.account.me_id)
        self._api_tokens: dict[str, Credential] = {}
        self._bearer: dict[str, Credential] = {}
        (self._bearer if primary.kind == "oauth" else self._api_tokens)[config.token] = primary
        if config.oauth_token and config.oauth_token not in self._bearer:
            self._bearer[config.oauth_token] = Credential(
                "oauth_token", "oauth", config.limits("oauth").burst, self.account.me_id)

    def refused(self, name: str, now: float) -> None:
        """Count a 429 to credential ``name``; the ``block_after``-th starts its block."""
        after = self.faults.block_after
        if after is None:
            return
        self.refusals[name] = self.refusals.get(name, 0) + 1
        if self.refusals[name] >= after:
            self.refusals[name] = 0
            self.blocked_until[name] = now + self.faults.block_seconds

    def blocked(self, name: str, now: float) -> bool:
        """Whether credential ``name`` is in a ``block_after`` block at ``now``."""
        return self.blocked_until.get(name, -1.0) > now

    @property
    def faults(self) -> Faults:
        return self.injector.faults

    def set_faults(self, faults: Faults) -> None:
        self.injector.faults = faults

    def authenticate(self, headers: Mapping[str, str],
                     query: Mapping[str, str]) -> Credential | None:
        """x-api-token header, else ``Authorization: Bearer``, else legacy ``?api_token=``.
        A credential that is present but wrong is not retried another way."""
        token = headers.get("x-api-token")
        if token is not None:
            return _find(self._api_tokens, token)
        auth = headers.get("authorization")
        if auth is not None:
            scheme, _, value = auth.partition(" ")
            return _find(self._bearer, value.strip()) if scheme.lower() == "bearer" else None
        token = query.get("api_token")
        return None if token is None else _find(self._api_tokens, token)

    def budget(self) -> dict[str, Any]:
        wall = self.clock.wall()
        budget = self.limiter.budget
        return {"limit": budget.limit, "remaining": budget.remaining(wall),
                "resets_at": budget.resets_at(wall)}

    def end_day(self) -> dict[str, Any]:
        """End the budget day now (``POST /_sandbox/day/end``): the whole budget again, the
        next reset one ``day_seconds`` from now. The budget as ``budget()`` shows it."""
        self.limiter.budget.end_day(self.clock.wall())
        return self.budget()

    def stats_dict(self) -> dict[str, Any]:
        return {**self.stats.as_dict(), "budget": self.budget()}

    def reset(self) -> None:
        """Seeded state again: data, windows, budget, counters, fault RNG."""
        self.account.reset()
        self.limiter.reset()
        self.injector.reseed(self.clock.now())
        self.stats = Stats()

    # -- state file ----------------------------------------------------------

    def save(self, path: Path) -> None:
        budget = self.limiter.budget
        data = {"account": self.account.snapshot(),
                "budget": {"day": budget.day, "spent": budget.spent, "epoch": budget.epoch}}
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(orjson.dumps(data))
        tmp.replace(path)  # never leave a half-written state file

    def load(self, path: Path) -> None:
        data = orjson.loads(path.read_bytes())
        self.account.restore(data["account"])
        budget = self.limiter.budget
        budget.day, budget.spent = int(data["budget"]["day"]), int(data["budget"]["spent"])
        budget.epoch = float(data["budget"].get("epoch", 0.0))  # files saved before it: 0


def _find(table: Mapping[str, Credential], token: str) -> Credential | None:
    for known, credential in table.items():
        if hmac.compare_digest(known.encode(), token.encode()):
            return credential
    return None


__all__ = ["Credential", "Runtime", "Stats"]
