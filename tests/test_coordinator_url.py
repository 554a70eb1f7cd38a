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


@pytest.mark.parametrize("damage", ['{"coordinator": ', "garbage", "[]", "{}", "",
                                    b'{"coordinator": "\xff\xfe"}'])  # v12r8: not UTF-8
def test_a_damaged_coordination_marker_refuses_the_run(damage: str | bytes) -> None:
    """v12r7 medium 5: a marker cut off or overwritten read as "no coordinator" and an
    uncoordinated run went through on a company that runs with one. Now it is refused
    (CoordinatorMismatch, exit 1) naming the file."""
    from bulk.coordinator import (
        _company_marker,
        _marker,
        check_coordination,
        mark_coordinated,
    )
    from bulk.errors import CoordinatorMismatch

    mark_coordinated("fp1", "redis://127.0.0.1:6379/0", "7700000")
    check_coordination("fp1", "redis://127.0.0.1:6379/0", company="7700000")  # intact: ok
    for path in (_marker("fp1"), _company_marker("7700000")):
        path.write_bytes(damage if isinstance(damage, bytes) else damage.encode())
    with pytest.raises(CoordinatorMismatch, match="damaged"):
        check_coordination("fp1", None)
    with pytest.raises(CoordinatorMismatch, match="damaged"):
        check_coordination("fp1", None, company="7700000")
    check_coordination("fp2", None)  # another token, no marker: nothing to refuse


def test_a_lost_coordinator_ends_a_command_with_exit_4_and_no_class_name() -> None:
    """v12r8: Redis lost in the first second of a resume: exit 1 and "CoordinatorLost: ..."
    although the message says the job stopped checkpointed. A lost coordinator that
    escapes to the CLI's boundary is exit 4 (stopped, resume later) and its own text."""
    from bulk.errors import CoordinatorLost
    from pdbulk.options import EXIT_STOPPED, describe, exit_code_for

    exc = CoordinatorLost("the coordinator at redis://***@h does not answer "
                          "(ConnectionError); the job stops checkpointed: resume it once "
                          "Redis is back")
    assert exit_code_for(exc) == EXIT_STOPPED
    assert describe(exc) == str(exc)
