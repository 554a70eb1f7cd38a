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

Keyed by company where the company is known (f39d 1): the daily budget is the company's,
shared by every user's token (FACTS.md "Rate limits"), and two tokens of one company kept
a day each, so each run took the whole share as its own. No answer a run reads names the
company but ``GET /v1/users/me``'s ``data.company_id`` (getCurrentUser, 2 tokens; no
rate-limit header does: FACTS.md, openapi-v1.yaml): a run on a shared coordinator asks it
to bind, the dedupe asks it, and any run that calls it through the engine
(``PipedriveClient.company``) teaches its token's company. ``remember`` then notes the
company in the token's record (``account-{account_key}.json``) and keeps the day in the
company's (``company-{company_key}.json``); ``recall`` reads both and takes the higher
spend of the later day. Before a token's company is known, its day is its own record's
(the token on one account URL, as before): a second token of the company recalls only
what its own runs heard, and its first answer's headers (the company's spend) correct it.

One small JSON file per record in the state folder (0600). It must never hold a token,
nor raise: a record it cannot read or write is no record (the run then learns the day
from its first answer, as before).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
from pathlib import Path

from .claims import state_dir
from .state import private_folder, write_private

FOLDER = "days"  # in the state folder: one record per account (``account_key``) and company


def company_key(account: str, company: str) -> str:
    """A 16-hex-digit key of ``company`` (its id, ``GET /v1/users/me``'s ``company_id``) on
    the account URL class ``account`` (``bulk.coordinator.account_key`` of the URL with no
    token, so every ``…pipedrive.com`` host is one class): two sandboxes that play the
    same company id on two ports are two days."""
    return hmac.new(b"pdbulk-day-company-v1", account.encode() + b"\0" + company.encode(),
                    hashlib.sha256).hexdigest()[:16]


def _path(name: str) -> Path:
    return state_dir() / FOLDER / f"{name}.json"


def _read(name: str) -> dict[str, object] | None:
    try:
        seen = json.loads(_path(name).read_bytes().decode())
    except (OSError, ValueError):
        return None
    return seen if isinstance(seen, dict) else None


def _day(seen: dict[str, object] | None, day_seconds: float) -> tuple[int, int, int] | None:
    """The (day, daily, spent) of a record read, None: none, or not of ``day_seconds``."""
    if seen is None:
        return None
    day, daily, spent, length = (seen.get(k) for k in ("day", "daily", "spent", "day_seconds"))
    if not (isinstance(day, int) and isinstance(daily, int) and isinstance(spent, int)
            and isinstance(length, int | float)) or isinstance(day, bool) \
            or float(length) != day_seconds or daily <= 0 or spent < 0:
        return None
    return day, daily, spent


def company_of(key: str) -> str | None:
    """The company id the token of ``account_key`` ``key`` was last seen with (a
    ``GET /v1/users/me`` answer), None: not known."""
    company = (_read(f"account-{key}") or {}).get("company")
    return company if isinstance(company, str) and company else None


def _later(a: tuple[int, int, int] | None,
           b: tuple[int, int, int] | None) -> tuple[int, int, int] | None:
    """Of two kept days: the later; of the same day, the higher spend (a floor each)."""
    if a is None or b is None:
        return a or b
    if a[0] != b[0]:
        return a if a[0] > b[0] else b
    return a if a[2] >= b[2] else b


def recall(key: str, day_seconds: float, *, urls: str | None = None
           ) -> tuple[int, int, int] | None:
    """(day index, daily budget in tokens, the company's spend that day in tokens) as the
    last runs heard them, for days of ``day_seconds``: the company's record where the
    token of ``account_key`` ``key`` has a known company (``urls``: the ``account_key`` of
    the account URL with no token, its class), and the token's own; None: none kept, or
    unreadable."""
    seen = _day(_read(f"account-{key}"), day_seconds)
    if urls is not None and (company := company_of(key)) is not None:
        seen = _later(seen, _day(_read(f"company-{company_key(urls, company)}"), day_seconds))
    return seen


def remember(key: str, day_seconds: float, heard: tuple[int, int, int] | None, *,
             urls: str | None = None, company: str | None = None) -> None:
    """Keep ``heard`` (``Scheduler.day_heard``) for the next run on account ``key``, and
    ``company`` (the id a ``GET /v1/users/me`` answer of this run named; None: none) as
    the token's; the day goes to the company's record too where it is known (``urls``:
    the account URL's class, as ``recall``). Of the same day, the larger spend stays
    (engines of the account, or of two tokens of its company, closing in either order).
    Never raises."""
    own = _read(f"account-{key}") or {}
    known = company or company_of(key)
    if heard is None and (company is None or own.get("company") == company):
        return
    with contextlib.suppress(OSError):
        folder = private_folder(state_dir() / FOLDER)
        day = _later(heard, _day(own, day_seconds))
        record: dict[str, object] = {} if day is None else {
            "day": day[0], "daily": day[1], "spent": day[2], "day_seconds": day_seconds}
        if known is not None:
            record["company"] = known
        write_private(folder / f"account-{key}.json", json.dumps(record).encode())
        if heard is not None and known is not None and urls is not None:
            name = f"company-{company_key(urls, known)}"
            day = _later(heard, _day(_read(name), day_seconds))
            if day is not None:
                write_private(folder / f"{name}.json", json.dumps(
                    {"day": day[0], "daily": day[1], "spent": day[2],
                     "day_seconds": day_seconds}).encode())


__all__ = ["company_key", "company_of", "recall", "remember"]
