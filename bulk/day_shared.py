"""The day this machine's state folder kept (``bulk.day_seen``), lent to a shared
coordinator that knows nothing of it (Redis restarted empty, flushed, or its keys evicted).

Redis keeps the company's day for its processes (``bulk.coordinator_redis``: the company
the token on the account URL was bound to, its daily budget, the server's midnight, the
day's spend). Emptied, it knew none of it, and a coordinated run did not read the state
folder's record as an uncoordinated run does: a company whose day was spent got one
``GET /users/me`` from each coordinated run, answered 429 (x48r13 F1: 3 of 3 runs; the
429 names no company, so nothing was bound). Now what Redis lacks is the record's: the
company, the daily budget, the midnight and the spend, so a spent day refuses the run's
first call (or waits, ``--wait-for-reset``) before anything is sent, as without a
coordinator, and Redis is seeded again from it at once (``RedisCoordinator.fall_back``,
``kept_spend``: the company record, the budget, the midnight and the figure), so a
machine whose state folder kept nothing is refused with no call too (x49r9 F1: they were
written at ``bind`` only, which a refused run never reaches: 6 of 6 fresh runs sent a
GET /users/me into a 429). What Redis has is never overridden. A record half
an hour old is asked, one call, as Redis's own spent day is (``_ask_stale``).

It must never: send a call, lower what Redis says, or take the record of another account
URL or token (the record is keyed by both: ``bulk.coordinator.account_key``).
"""

from __future__ import annotations

from . import day_seen
from .coordinator import Coordinator
from .scheduler import Scheduler


async def lend_kept_day(coord: Coordinator, scheduler: Scheduler, key: str, urls: str,
                        wall: float, *, ask_day: bool = False) -> None:
    """Give ``coord`` (started, not yet attached) what the state folder kept of the day of
    the token on the account URL (``key``, ``urls``: ``bulk.coordinator.account_key`` of
    the URL with and without the token) where Redis lacks it, then attach ``scheduler`` to
    it with that day (``wall``: now, wall seconds). A coordinator that takes no kept day
    (none of ``RedisCoordinator.fall_back`` / ``kept_spend``) is only attached. Raises
    CoordinatorLost (Redis gone). ``ask_day`` (a resume or retry, whose first call asks
    the server's day at once: ``RedisCoordinator.ask_at_once``): the spend is lent to the
    coordinator only, as an uncoordinated resume takes none before its ask
    (``bulk.engine._ask_first``); the scheduler's count, given it too, kept the spent day
    under the ask's answer (x50r2 F4: "the server said 2 used, this process counts 299",
    the resume refused after a FLUSHALL)."""
    fall_back = getattr(coord, "fall_back", None)
    kept_spend = getattr(coord, "kept_spend", None)
    if fall_back is None or kept_spend is None:
        scheduler.attach(coord)
        return
    seconds = scheduler.day_seconds
    seen = day_seen.recall(key, seconds, urls=urls, now=wall)
    no_figure = bool(await fall_back(day_seen.company_of(key),
                                     None if seen is None else seen[1],
                                     day_seen.midnight(key, seconds, urls=urls)))
    scheduler.attach(coord)
    heard = day_seen.heard(key, seconds, urls=urls)
    if no_figure and seen is not None and heard is not None:
        day = scheduler.kept_today(seen[0]) if ask_day else scheduler.recall_day(*seen)
        if day is not None:
            kept_spend(day, seen[2], heard)


__all__ = ["lend_kept_day"]
