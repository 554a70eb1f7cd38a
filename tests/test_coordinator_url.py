"""Coordinator URLs in messages: the password never shows, whatever it holds."""

from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize("password", ["ZuluA?ZuluB", "p#w", "p/w0rd", "a@b", "plain", "x?y#z/w@v"])
def test_a_password_never_shows_whatever_characters_it_holds(password: str) -> None:
    """v12r7: a password holding '?' was printed in clear by the bad-URL message (the
    redaction split at the first '?'); the URL parser's own message may quote a piece of
    it too. Neither the redacted URL nor any error text holds the password or a piece."""
    from bulk.coordinator import check_url, redacted

    url = f"redis://:{password}@127.0.0.1:9062/0"
    shown = redacted(url)
    assert shown == "redis://***@127.0.0.1:9062/0"
    try:
        check_url(url)
    except ValueError as exc:
        text = str(exc)
        assert password not in text
        assert not any(piece in text for piece in
                       re.split(r"[?#/@]", password) if len(piece) >= 2), text
