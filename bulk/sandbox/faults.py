"""Fault decisions, drawn per request from one ``random.Random(seed)``.

Every request draws the same five numbers whatever the rates are, so a seed
and a request sequence always give the same faults. Storms are not random:
they occupy the last ``storm_length`` seconds of every ``storm_every`` period
of clock time since the sandbox started.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..operations import Operation
from .config import Faults


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What goes wrong with one request (computed before it is handled)."""

    delay: float = 0.0  # seconds of latency before handling
    drop: bool = False  # close the connection, nothing applied
    error: int | None = None  # 500 / 503, nothing applied
    lost_response: bool = False  # (writes) apply, then close the connection
    bad_json: bool = False  # a 2xx answered with its body cut off (``{"success": tr``)
    storm_left: float | None = None  # inside a 429 storm: seconds until it ends
    no_rate_headers: bool = False
    no_daily_headers: bool = False
    search_lag: float = 0.0


CLEAN = FaultPlan()


class FaultInjector:
    __slots__ = ("_rng", "faults", "seed", "start")

    def __init__(self, faults: Faults, seed: int, start: float) -> None:
        self.faults = faults
        self.seed = seed
        self.start = start
        self._rng = random.Random(seed)

    def reseed(self, start: float) -> None:
        self._rng = random.Random(self.seed)
        self.start = start

    def storm_left(self, now: float) -> float | None:
        every, length = self.faults.storm_every, self.faults.storm_length
        if every is None:
            return None
        phase = (now - self.start) % every
        return every - phase if phase >= every - length else None

    def plan(self, op: Operation, now: float) -> FaultPlan:
        f = self.faults
        r_latency, r_drop, r_error, r_code, r_lost = (self._rng.random() for _ in range(5))
        if not f.applies_to(op.id):
            return CLEAN
        delay = 0.0
        if f.latency_ms or f.latency_jitter_ms:
            jitter = (2 * r_latency - 1) * f.latency_jitter_ms
            delay = max(0.0, f.latency_ms + jitter) / 1000
        return FaultPlan(
            delay=delay,
            drop=r_drop < f.drop_rate,
            error=(503 if r_code < 0.5 else 500) if r_error < f.error_rate else None,
            lost_response=op.is_write and r_lost < f.lost_response_rate,
            # the same draw, the band after the lost answers' (the five draws stay five:
            # a seed gives the same faults it gave before this fault was added)
            bad_json=(f.lost_response_rate if op.is_write else 0.0) <= r_lost
            < (f.lost_response_rate if op.is_write else 0.0) + f.bad_json_rate,
            storm_left=self.storm_left(now),
            no_rate_headers=f.no_rate_headers,
            no_daily_headers=f.no_daily_headers,
            search_lag=f.search_lag,
        )

    def __repr__(self) -> str:
        return f"FaultInjector(seed={self.seed}, {self.faults!r})"


__all__ = ["CLEAN", "FaultInjector", "FaultPlan"]
