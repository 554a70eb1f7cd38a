"""What the last dedupe job on this state directory heard of today's token budget, so a
nightly run refused for its budget refuses before any call (x26r1 4: a cron
``dedupe run --since-last --budget-share 0.25`` spent one getDealFields, 10 tokens, each
time before the scheduler heard the day was spent).

``remember_spend`` writes, when a dedupe job's engine closes, the company's spend today
and its daily budget as the server's headers told them (``budget.json`` in the state
directory; only figures the headers gave: never a guess). ``with_known_spend`` starts the
next job's engine from them while it is the same budget day (pdbulk's count of days,
UTC, as the scheduler's), so the scheduler refuses a run whose share or reserve is spent
before it sends anything. A spend only grows within a day, so the figure is a floor: a
run that may spend still makes its calls, and its first answer corrects the figure. A
new day, an unreadable file, or no header heard yet: nothing is assumed, and the first
read tells (that read is the one call a refused run then makes). No token, no account
data: two numbers and a day.
"""

from __future__ import annotations

import math
import os
from dataclasses import replace
from pathlib import Path

import orjson

from bulk.engine import Engine, EngineConfig

BUDGET = "budget.json"  # in the dedupe state directory
DAY_SECONDS = 86400.0  # the scheduler's day (``bulk.scheduler.Scheduler``'s default)


def _day(wall: float) -> int:
    return math.floor(wall / DAY_SECONDS)


def remember_spend(state: Path, engine: Engine) -> None:
    """Keep what ``engine``'s scheduler heard of today's budget (nothing when it heard no
    daily header); a write that fails is passed over (the next run reads once more)."""
    stats = engine.scheduler.statistics()
    if not (stats.today_known and stats.daily_heard):
        return
    record = {"day": _day(engine.clock.wall()), "tokens_today": stats.tokens_today,
              "daily_limit": stats.daily_limit}
    try:
        state.mkdir(parents=True, exist_ok=True)
        tmp = state / f".{BUDGET}.tmp"
        tmp.write_bytes(orjson.dumps(record))
        os.replace(tmp, state / BUDGET)
    except OSError:
        return


def with_known_spend(cfg: EngineConfig, state: Path, wall: float) -> EngineConfig:
    """``cfg`` starting from the spend and daily budget ``remember_spend`` kept for this
    budget day (``wall``: now); ``cfg`` itself on another day or without a record. A daily
    budget the user set (``daily_tokens``) is kept."""
    try:
        record = orjson.loads((state / BUDGET).read_bytes())
        day, spent, daily = (int(record["day"]), int(record["tokens_today"]),
                             int(record["daily_limit"]))
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return cfg
    if day != _day(wall) or spent <= 0 or daily <= 0:
        return cfg
    return replace(cfg, tokens_spent_today=max(cfg.tokens_spent_today, spent),
                   daily_tokens=cfg.daily_tokens or daily)


__all__ = ["BUDGET", "remember_spend", "with_known_spend"]
