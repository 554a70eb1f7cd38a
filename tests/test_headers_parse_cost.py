"""``RateHeaders.parse`` on the transport's answers is cheap (issue 8) and exact: the
aiohttp transport's ``LowerHeaders`` skip the names' case check (13 Python calls a
parse, 21 before), any other mapping is still read in any case, and a header no whole
number can hold (``inf``) reads as absent instead of raising. (That the aiohttp
transport answers ``LowerHeaders``: tests/test_transport.py.)"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

from bulk.headers import LowerHeaders, RateHeaders

ANSWER = {"content-type": "application/json", "content-length": "345",
          "date": "Sat, 05 Dec 2026 06:00:00 GMT", "server": "Python/3.11 aiohttp/3.14.5",
          "x-ratelimit-limit": "480", "x-ratelimit-remaining": "233",
          "x-ratelimit-reset": "1.37", "x-daily-ratelimit-token-limit": "180000",
          "x-daily-ratelimit-token-remaining": "175432", "connection": "keep-alive"}
WANT = RateHeaders(480, 233, 1.37, 180000, 175432, None)


def _calls(headers: Any) -> int:
    n = 0

    def count(_frame: FrameType, event: str, _arg: Any) -> None:
        nonlocal n
        if event in ("call", "c_call"):
            n += 1

    sys.setprofile(count)
    try:
        RateHeaders.parse(headers)
    finally:
        sys.setprofile(None)
    return n - 1  # the setprofile(None) call itself


def test_transport_headers_parse_in_few_calls() -> None:
    """An answer's six rate headers in ≤ 14 calls (21 before: every name joined and
    case-checked, each whole number read through float)."""
    headers = LowerHeaders(ANSWER)
    assert RateHeaders.parse(headers) == WANT
    assert _calls(headers) <= 14, _calls(headers)


def test_any_mapping_still_read_in_any_case() -> None:
    """A plain mapping (a MockTransport's) with mixed-case names reads as before."""
    mixed = {k.title(): v for k, v in ANSWER.items()} | {"Retry-After": "3"}
    assert RateHeaders.parse(mixed) == RateHeaders(480, 233, 1.37, 180000, 175432, 3.0)
    assert RateHeaders.parse(dict(ANSWER)) == WANT


def test_odd_whole_numbers() -> None:
    """Whitespace, a decimal, a negative, junk and infinity (which raised OverflowError)."""
    parse = RateHeaders.parse
    assert parse({"x-ratelimit-limit": " 40 "}).limit == 40
    assert parse({"x-ratelimit-limit": "40.7"}).limit == 40
    assert parse({"x-ratelimit-limit": "-1"}).limit is None
    assert parse({"x-ratelimit-limit": "forty"}).limit is None
    assert parse({"x-ratelimit-limit": "inf"}).limit is None
    assert parse({"x-ratelimit-limit": "nan"}).limit is None
