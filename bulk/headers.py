"""Pipedrive's rate-limit response headers, parsed once for the client and the scheduler.

Every field is optional: one integrator saw responses with no rate-limit
headers at all, and the daily-token headers are not in the official docs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

H_LIMIT = "x-ratelimit-limit"
H_REMAINING = "x-ratelimit-remaining"
H_RESET = "x-ratelimit-reset"
H_DAILY_LEFT = "x-daily-requests-left"
H_DAILY_TOKEN_LIMIT = "x-daily-ratelimit-token-limit"
H_DAILY_TOKEN_REMAINING = "x-daily-ratelimit-token-remaining"
H_RETRY_AFTER = "retry-after"


class LowerHeaders(dict[str, str]):
    """Response headers whose names are lower-cased already (the aiohttp transport's):
    ``RateHeaders.parse`` reads them as they are, with no check of every name's case."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class RateHeaders:
    limit: int | None = None  # requests per 2-s window for this token
    remaining: int | None = None  # requests left in the current window
    reset: float | None = None  # seconds until the window resets (a duration)
    daily_token_limit: int | None = None
    daily_token_remaining: int | None = None
    retry_after: float | None = None  # seconds: Retry-After's delay, or its HTTP date less
    # the answer's Date (the local clock without one)

    @property
    def empty(self) -> bool:
        return all(getattr(self, f) is None for f in self.__slots__)

    @classmethod
    def parse(cls, headers: Mapping[str, str]) -> RateHeaders:
        """Parse from a mapping whose keys may be in any case. The transport's keys are
        lower-cased already (``Response``): they are read as they are, no copy (one per
        answer was ~15 % of this parse's CPU, f20c #8). ``Retry-After`` may be seconds or
        an HTTP date (RFC 9110), both read as seconds (x32r3 4: a date was ignored).
        ``LowerHeaders`` (the transport's) skip the case check: joining every name per
        answer was a third of this parse (issue 8)."""
        low = headers if type(headers) is LowerHeaders or "".join(headers).islower() else {
            k.lower(): v for k, v in headers.items()}
        get = low.get
        retry = get(H_RETRY_AFTER)
        # the headers' own form (decimal digits) read by int() here, no call of _whole per
        # header (issue 8: four Python calls an answer); anything else by _whole
        return cls(
            None if (v := get(H_LIMIT)) is None else int(v) if v.isdecimal() else _whole(v),
            None if (v := get(H_REMAINING)) is None else int(v) if v.isdecimal() else _whole(v),
            _num(get(H_RESET)),
            None if (v := get(H_DAILY_TOKEN_LIMIT)) is None else int(v) if v.isdecimal()
            else _whole(v),
            None if (v := get(H_DAILY_TOKEN_REMAINING)) is None else int(v) if v.isdecimal()
            else _whole(v),
            None if retry is None else _retry_after(retry, get("date")))


def _retry_after(raw: str | None, date: str | None) -> float | None:
    """``Retry-After`` in seconds: its delay, or its HTTP date less the answer's ``Date``
    (else the local clock), 0 at least; None when absent or unreadable."""
    if raw is None:
        return None
    if (delay := _num(raw)) is not None:
        return delay
    when = _http_date(raw)
    if when is None:
        return None
    now = _http_date(date) if date is not None else None
    return max(0.0, when - (now if now is not None else time.time()))


def _http_date(raw: str) -> float | None:
    """An HTTP date as epoch seconds, None when unreadable (or naive: not an HTTP date)."""
    try:
        when: datetime = parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when.timestamp() if when.tzinfo is not None else None


def _num(raw: str | None) -> float | None:
    """A header's number, None when absent, unreadable or negative."""
    if raw is None:
        return None
    try:
        value = float(raw)  # (float() strips the whitespace itself)
    except ValueError:
        return None
    return value if value >= 0 else None


def _whole(raw: str | None) -> int | None:
    """A header's whole number (a decimal one cut to its whole part), None when absent,
    unreadable, negative or infinite. Read by ``int`` first: the headers' own form."""
    if raw is None:
        return None
    try:
        whole = int(raw)  # (int() strips the whitespace itself)
    except ValueError:
        value = _num(raw)
        return None if value is None or value == math.inf else int(value)
    return whole if whole >= 0 else None

__all__ = ["H_DAILY_LEFT", "H_DAILY_TOKEN_LIMIT", "H_DAILY_TOKEN_REMAINING", "H_LIMIT",
           "H_REMAINING", "H_RESET", "H_RETRY_AFTER", "LowerHeaders", "RateHeaders"]
