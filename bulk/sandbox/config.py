"""The sandbox's configuration: frozen values, checked once at construction.

``Faults`` says what goes wrong and how often; ``SandboxConfig`` says which
account the sandbox plays (plan, seats, tokens, seeded data) and how fast its
time runs. Run state (windows, budget, records) lives elsewhere.

Time bases: the burst and search windows are ``2 s * time_scale`` of the
clock's monotonic time; every fault duration (latency, storms, search lag) is
in plain clock seconds, *not* scaled; the daily budget follows the clock's
wall time (``day_seconds`` since the Unix epoch).
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from ..clock import Clock
from ..operations import OPERATIONS
from ..plans import AuthKind, Limits, plan_limits

DeletedLookup = Literal["visible", "not_found"]



def random_company() -> int:
    """A company id for a sandbox started by hand: random, above the seeds' own
    (7,700,000-7,799,999), so that two sandboxes of one seed are two companies."""
    return 10_000_000 + secrets.randbelow(90_000_000)

@dataclass(frozen=True)
class Faults:
    """Switchable misbehaviour; every draw comes from ``random.Random(seed)``."""

    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0  # uniform mean ± jitter, per request
    error_rate: float = 0.0  # answered 500/503, nothing applied
    drop_rate: float = 0.0  # connection dropped before anything is applied
    lost_response_rate: float = 0.0  # writes applied, then the connection dropped
    # a 2xx answer (the call done and charged, a write applied) whose body is cut off:
    # ``{"success": tr``, with the status and rate headers whole (a proxy or load balancer
    # that truncated it); drawn from the same number as ``lost_response_rate``, after it
    bad_json_rate: float = 0.0
    storm_every: float | None = None  # a 429 storm at the end of every period (clock s)
    storm_length: float = 0.0
    no_rate_headers: bool = False
    no_daily_headers: bool = False
    search_lag: float = 0.0  # clock seconds before a write shows in search results
    # FACTS.md: API-token integrations that keep hammering after 429s get a 403 with an
    # HTML (Cloudflare) page: after ``block_after`` 429s to one token, every call it makes
    # is answered so for ``block_seconds`` (clock s); then its 429 count starts again
    block_after: int | None = None
    block_seconds: float = 60.0
    only_operations: frozenset[str] | None = None  # restrict faults to these operationIds

    def __post_init__(self) -> None:
        for name in ("error_rate", "drop_rate", "lost_response_rate", "bad_json_rate"):
            rate = getattr(self, name)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {rate}")
        if self.lost_response_rate + self.bad_json_rate > 1.0:
            raise ValueError("lost_response_rate + bad_json_rate must not exceed 1")
        if self.block_after is not None and self.block_after < 1:
            raise ValueError("block_after must be at least 1 (429s before the block)")
        if not self.block_seconds > 0:
            raise ValueError("block_seconds must be above 0")
        for name in ("latency_ms", "latency_jitter_ms", "storm_length", "search_lag"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.storm_every is not None and not 0 < self.storm_length <= self.storm_every:
            raise ValueError("a storm needs 0 < storm_length <= storm_every")
        if self.only_operations is not None:
            if not isinstance(self.only_operations, frozenset):
                object.__setattr__(self, "only_operations", frozenset(self.only_operations))
            unknown = set(self.only_operations) - set(OPERATIONS)
            if unknown:
                raise ValueError(f"unknown operationIds in only_operations: {sorted(unknown)}")

    def applies_to(self, operation_id: str) -> bool:
        return self.only_operations is None or operation_id in self.only_operations

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Faults:
        """Build from a JSON object (the admin API); unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        values = dict(data)
        only = values.get("only_operations")
        if only is not None:
            if isinstance(only, str) or not isinstance(only, Iterable):
                raise ValueError("only_operations must be a list of operationIds")
            values["only_operations"] = frozenset(only)
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        if self.only_operations is not None:
            out["only_operations"] = sorted(self.only_operations)
        return out


DEFAULT_TOKEN = "sandbox-token"  # loopback only


@dataclass(frozen=True)
class SandboxConfig:
    """Which Pipedrive account the sandbox plays, where it listens, how fast time runs."""

    host: str = "127.0.0.1"
    port: int = 0
    token: str = "sandbox-token"  # = DEFAULT_TOKEN; the primary credential; its kind is ``auth``
    oauth_token: str | None = None  # an extra OAuth access token (Authorization: Bearer)
    plan: str = "growth"
    auth: str = "api_token"  # "api_token" | "oauth"
    seats: int = 1
    burst: int | None = None  # overrides the primary token's burst (requests per window)
    daily_tokens: int | None = None  # overrides the company's daily token budget
    time_scale: float = 1.0  # window = 2 s * time_scale
    day_seconds: float = 86400.0  # budget resets at each multiple of this since the epoch
    seed: int = 0
    # the company this sandbox plays (``/v1/users/me``'s company_id): None, the seed's
    # (7,700,000 + seed % 100,000, as before); custom field keys depend on it as in
    # Pipedrive (FACTS: random per company), so two sandboxes of one seed but other
    # companies never share a key. The CLIs give each a random one unless --company-id
    company_id: int | None = None
    faults: Faults = field(default_factory=Faults)
    users: int = 3
    deactivated_users: int = 0  # the last N users have active_flag false (see README.md)
    pipelines: int = 2
    deals: int = 0  # pre-existing deals generated at start (with persons and organizations)
    state_file: Path | None = None  # load at start if it exists, save on shutdown
    clock: Clock | None = None  # default SystemClock
    # Beyond the shared contract: behaviours Pipedrive does not document.
    open_deals_limit: int | None = None  # 403 feature_capping_deals_limit when reached
    deleted_lookup: DeletedLookup = "visible"  # GET of a deleted record: 200 is_deleted, or 404
    count_rejected: bool = False  # whether a 429'd request still takes a window slot
    # Off loopback the sandbox holds people's dry-run data: listening there needs this
    # explicit consent and a token of its own, which the admin API then requires too.
    allow_remote: bool = False

    def __post_init__(self) -> None:
        if self.auth not in ("api_token", "oauth"):
            raise ValueError("auth must be 'api_token' or 'oauth'")
        plan_limits(self.plan, seats=self.seats)  # raises on an unknown plan or seats < 1
        if self.company_id is not None and self.company_id < 1:
            raise ValueError("company_id must be a positive integer")
        if self.time_scale <= 0 or self.day_seconds <= 0:
            raise ValueError("time_scale and day_seconds must be positive")
        if self.burst is not None and self.burst < 1:
            raise ValueError("burst must be at least 1")
        if self.daily_tokens is not None and self.daily_tokens < 0:
            raise ValueError("daily_tokens must not be negative")
        if not 0 <= self.deactivated_users < self.users:
            raise ValueError("deactivated_users must be between 0 and users - 1")
        if self.users < 1 or self.pipelines < 1 or self.deals < 0:
            raise ValueError("need at least one user and one pipeline, and deals >= 0")
        if self.deleted_lookup not in ("visible", "not_found"):
            raise ValueError("deleted_lookup must be 'visible' or 'not_found'")
        if not self.token:
            raise ValueError("token must not be empty")
        if not self.loopback:
            if not self.allow_remote:
                raise ValueError(f"host {self.host!r} is not a loopback address: listening "
                                 "there needs allow_remote (pdbulk sandbox --allow-remote)")
            if self.token == DEFAULT_TOKEN or len(self.token) < 16:
                raise ValueError("off loopback the sandbox needs a token of its own (16+ "
                                 "characters, not the default): the admin API requires it "
                                 "too")

    @property
    def loopback(self) -> bool:
        """Whether the sandbox listens on a loopback address only."""
        host = self.host.strip("[]")
        if host.lower() == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    @property
    def admin_token(self) -> str | None:
        """The token the admin API (``/_sandbox/...``) requires; None on loopback."""
        return None if self.loopback else self.token

    @property
    def auth_kind(self) -> AuthKind:
        return "oauth" if self.auth == "oauth" else "api_token"

    def limits(self, kind: AuthKind | None = None) -> Limits:
        """The limits of a credential of ``kind`` (default: the primary token's), time-scaled.

        ``burst`` overrides the primary token's burst; an OAuth token of an
        api_token account then gets 4x it, Pipedrive's ratio on every plan.
        """
        kind = kind or self.auth_kind
        base = plan_limits(self.plan, auth=kind, seats=self.seats)
        burst = base.burst
        if self.burst is not None:
            burst = self.burst * (4 if kind == "oauth" and self.auth_kind == "api_token" else 1)
        daily = base.daily_tokens if self.daily_tokens is None else self.daily_tokens
        return Limits(burst=burst, search=base.search, window=base.window,
                      daily_tokens=daily).scaled(self.time_scale)


__all__ = ["DeletedLookup", "Faults", "SandboxConfig"]
