"""The company's day as the server's headers last said it, kept for the next run on the
account (local mode and this process's coordinator; the Redis coordinator keeps it in
Redis: ``pdbulk:c:{c}:daily``, x37r2 F5 — and a coordinated run keeps it here too, lent
back where Redis lost it: ``bulk.day_shared``, f49a F1).

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
import math
from pathlib import Path
from typing import NamedTuple

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


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _wall(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) \
            and math.isfinite(value):
        return float(value)
    return None


class _Kept(NamedTuple):
    """One kept day: the UTC day index, the daily budget and the company's spend that day
    (tokens), when the spend was heard and between which two answers a run saw the
    server's own day begin (walls; None: not known)."""

    day: int
    daily: int
    spent: int
    heard: float | None = None
    began: tuple[float, float] | None = None

    def to_json(self, day_seconds: float) -> dict[str, object]:
        return {"day": self.day, "daily": self.daily, "spent": self.spent,
                "day_seconds": day_seconds, "heard": self.heard,
                "began": None if self.began is None else list(self.began)}


def _day(seen: dict[str, object] | None, day_seconds: float) -> _Kept | None:
    """A record read, checked, of days of ``day_seconds``; None: none, or not such."""
    if seen is None:
        return None
    day, daily, spent = (_whole(seen.get(k)) for k in ("day", "daily", "spent"))
    if day is None or daily is None or spent is None or daily <= 0 or spent < 0 \
            or _wall(seen.get("day_seconds")) != day_seconds:
        return None
    began = seen.get("began")
    lo, hi = (_wall(began[0]), _wall(began[1])) if isinstance(began, list) \
        and len(began) == 2 else (None, None)
    return _Kept(day, daily, spent, _wall(seen.get("heard")),
                 (lo, hi) if lo is not None and hi is not None and lo < hi else None)


def _server_day(wall: float, at: float, day_seconds: float) -> int:
    """The server's day index of ``wall`` for days that begin at wall ``at`` (mod a day)."""
    return math.floor((wall - at) / day_seconds)


# seconds between two records' answers past which the later one's figure was counted
# after the earlier's: an answer is heard at most a request's time (30 s by default) after
# the server counted it, and a call reaches the server within HOLD_AT_MOST (60 s) or never
_COUNTED_AFTER = 60.0


def _later(a: _Kept | None, b: _Kept | None, day_seconds: float) -> _Kept | None:
    """Of two kept days: the later; of the same day, the higher spend (a floor each). The
    day is the server's where a run saw where it begins (``began``: the phase of its
    midnights) and both were heard at a known time, else UTC's; the phase is kept.

    Of one day by that reckoning, a lower spend heard over ``_COUNTED_AFTER`` after the
    other is the server's next day (the spend only grows within one): the later record
    wins, and where the two were heard under 2 h apart they are where that day began
    (x39r4 F3: a second token's record of the old day, 1,000 spent, outweighed the
    company's record of the new day, 830, and refused every run until UTC's midnight;
    the server's midnight is its time zone's, FACTS.md "Rate limits")."""
    if a is None or b is None:
        return a or b
    phase = a.began or b.began
    if phase is not None and a.heard is not None and b.heard is not None:
        key_a = _server_day(a.heard, phase[1], day_seconds)
        key_b = _server_day(b.heard, phase[1], day_seconds)
    else:
        key_a, key_b = a.day, b.day
    if key_a == key_b and a.heard is not None and b.heard is not None:
        (lo, first), (hi, last) = sorted([(a.heard, a), (b.heard, b)], key=lambda p: p[0])
        if last.spent < first.spent and hi - lo > _COUNTED_AFTER:
            return last._replace(began=(lo, hi) if hi - lo < day_seconds / 12 else phase)
    if key_a == key_b:
        kept = a if a.spent >= b.spent else b
    else:
        kept = a if key_a > key_b else b
    return kept._replace(began=phase)


def company_of(key: str) -> str | None:
    """The company id the token of ``account_key`` ``key`` was last seen with (a
    ``GET /v1/users/me`` answer), None: not known."""
    company = (_read(f"account-{key}") or {}).get("company")
    return company if isinstance(company, str) and company else None


def recall(key: str, day_seconds: float, *, urls: str | None = None,
           now: float | None = None) -> tuple[int, int, int] | None:
    """(day index, daily budget in tokens, the company's spend that day in tokens) as the
    last runs heard them, for days of ``day_seconds``: the company's record where the
    token of ``account_key`` ``key`` has a known company (``urls``: the ``account_key`` of
    the account URL with no token, its class), and the token's own; None: none kept, or
    unreadable.

    ``now`` (wall seconds): where a run saw the server's own day begin (f39d 2: its
    midnight is its time zone's, FACTS.md) the spend is the server's day's: the day index
    returned is ``now``'s (UTC days of ``day_seconds``) with the spend while ``now`` is
    in the server's day it was heard in (or may be: a midnight known only between two
    answers), with 0 once surely past it. Without such a run, UTC days (as before)."""
    seen = _kept(key, day_seconds, urls)
    if seen is None:
        return None
    heard, phase = seen.heard, seen.began
    if now is not None and phase is not None and heard is not None:
        past = all(_server_day(now, at, day_seconds) > _server_day(heard, at, day_seconds)
                   for at in phase)
        return math.floor(now / day_seconds), seen.daily, 0 if past else seen.spent
    return seen.day, seen.daily, seen.spent


def _kept(key: str, day_seconds: float, urls: str | None) -> _Kept | None:
    """The record ``recall`` reads: the company's where known, and the token's."""
    seen = _day(_read(f"account-{key}"), day_seconds)
    if urls is not None and (company := company_of(key)) is not None:
        seen = _later(seen, _day(_read(f"company-{company_key(urls, company)}"), day_seconds),
                      day_seconds)
    return seen


def midnight(key: str, day_seconds: float, *, urls: str | None = None) -> float | None:
    """Wall seconds by which one of the server's days surely began, as a run on the account
    saw it (the later bound of where its figure went down: ``Scheduler.server_day``), read
    as ``recall`` reads the day (the company's record where known, and the token's), for
    days of ``day_seconds``; None: no run saw it (its midnight is then taken for UTC's)."""
    seen = _kept(key, day_seconds, urls)
    return None if seen is None or seen.began is None else seen.began[1]


def heard(key: str, day_seconds: float, *, urls: str | None = None) -> float | None:
    """Wall seconds at which the server said the spend ``recall`` gives (the record read as
    ``recall`` reads it); None: no record, or one that does not say (an older version's)."""
    seen = _kept(key, day_seconds, urls)
    return None if seen is None else seen.heard


def _write(name: str, record: dict[str, object]) -> None:
    write_private(_path(name), json.dumps(record).encode())


def remember(key: str, day_seconds: float, heard: tuple[int, int, int] | None, *,
             urls: str | None = None, company: str | None = None,
             server: tuple[float, float | None, float | None] | None = None) -> None:
    """Keep ``heard`` (``Scheduler.day_heard``) for the next run on account ``key``, and
    ``company`` (the id a ``GET /v1/users/me`` answer of this run named; None: none) as
    the token's; the day goes to the company's record too where it is known (``urls``:
    the account URL's class, as ``recall``). ``server`` (``Scheduler.server_day``): when
    the figure was heard, and between which answers the server's day began (walls). Of
    the same day, the larger spend stays (engines of the account, or of two tokens of its
    company, closing in either order). Never raises."""
    own = _read(f"account-{key}") or {}
    known = company or company_of(key)
    if heard is None and (company is None or own.get("company") == company):
        return
    new: _Kept | None = None
    if heard is not None:
        at, lo, hi = server if server is not None else (None, None, None)
        new = _Kept(*heard, at, None if lo is None or hi is None else (lo, hi))
    with contextlib.suppress(OSError):
        private_folder(state_dir() / FOLDER)
        kept = _later(new, _day(own, day_seconds), day_seconds)
        record = {} if kept is None else kept.to_json(day_seconds)
        _write(f"account-{key}", {**record, **({} if known is None else {"company": known})})
        if new is not None and known is not None and urls is not None:
            name = f"company-{company_key(urls, known)}"
            if (kept := _later(new, _day(_read(name), day_seconds), day_seconds)) is not None:
                _write(name, kept.to_json(day_seconds))


__all__ = ["company_key", "company_of", "heard", "midnight", "recall", "remember"]
