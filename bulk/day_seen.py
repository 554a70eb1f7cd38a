"""The company's day as the server's headers last said it, kept for the next run on the
account (local mode and this process's coordinator; the Redis coordinator keeps it in
Redis: ``pdbulk:c:{c}:daily``, x37r2 F5).

Before its first answer a run knows neither the company's daily budget nor what the
company spent today: its plan's assumption made a spent ``--budget-share`` look far from
spent, and its first call went past the share (f38k 2). A run's scheduler hands what its
answers said (``Scheduler.day_heard``: the day, the daily budget in tokens, the company's
spend that day in tokens by the server's headers) to ``remember`` when its engine closes;
the next engine on the account gives it back (``recall`` → ``Scheduler.recall_day``)
before it admits anything. The spend only grows within a company's day, so a figure of
the same day is a floor, never more than was spent: nothing is refused that a fresh
answer would admit, and the first answer replaces it.

Keyed by ``bulk.coordinator.account_key`` (the token on one account URL: a run without a
coordinator never learns its company id), one small JSON file per account in the state
folder (0600). It must never hold a token, nor raise: a record it cannot read or write
is no record (the run then learns the day from its first answer, as before).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from .claims import state_dir
from .state import private_folder, write_private

FOLDER = "days"  # in the state folder: one record per account (``account_key``)


def _path(key: str) -> Path:
    return state_dir() / FOLDER / f"account-{key}.json"


def recall(key: str, day_seconds: float) -> tuple[int, int, int] | None:
    """(day index, daily budget in tokens, the company's spend that day in tokens) as the
    last run on ``account_key`` ``key`` heard them, for days of ``day_seconds``; None: none
    kept, or unreadable."""
    try:
        seen = json.loads(_path(key).read_bytes().decode())
        day, daily, spent = int(seen["day"]), int(seen["daily"]), int(seen["spent"])
        if float(seen["day_seconds"]) != day_seconds or daily <= 0 or spent < 0:
            return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return day, daily, spent


def remember(key: str, day_seconds: float, heard: tuple[int, int, int] | None) -> None:
    """Keep ``heard`` (``Scheduler.day_heard``) for the next run on account ``key``; of the
    same day, the larger spend stays (two engines of the account closing in either order).
    Never raises."""
    if heard is None:
        return
    day, daily, spent = heard
    kept = recall(key, day_seconds)
    if kept is not None and kept[0] == day:
        spent = max(spent, kept[2])
    with contextlib.suppress(OSError):
        path = _path(key)
        private_folder(path.parent)
        write_private(path, json.dumps({"day": day, "daily": daily, "spent": spent,
                                        "day_seconds": day_seconds}).encode())


__all__ = ["recall", "remember"]
