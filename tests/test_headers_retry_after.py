"""``Retry-After`` as an HTTP date (RFC 9110) is read as seconds, not ignored (x32r3 4)."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from bulk.headers import RateHeaders


def test_retry_after_http_date_against_the_answers_date() -> None:
    rate = RateHeaders.parse({"Retry-After": "Wed, 21 Oct 2026 07:28:30 GMT",
                              "Date": "Wed, 21 Oct 2026 07:28:00 GMT"})
    assert rate.retry_after == 30.0


def test_retry_after_http_date_without_a_date_uses_the_local_clock(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bulk.headers.time.time", lambda: 1_800_000_000.0)
    later = formatdate(1_800_000_000.0 + 12, usegmt=True)
    assert RateHeaders.parse({"retry-after": later}).retry_after == 12.0
    past = formatdate(1_800_000_000.0 - 60, usegmt=True)
    assert RateHeaders.parse({"retry-after": past}).retry_after == 0.0


@pytest.mark.parametrize(("raw", "seconds"), [("3", 3.0), (" 1.5 ", 1.5), ("-2", None),
                                              ("soon", None), ("", None)])
def test_retry_after_seconds_and_junk(raw: str, seconds: float | None) -> None:
    assert RateHeaders.parse({"retry-after": raw}).retry_after == seconds


def test_no_retry_after() -> None:
    assert RateHeaders.parse({"x-ratelimit-remaining": "3"}).retry_after is None
