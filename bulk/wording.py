"""Counts in words: ``counted(1, "row")`` is "1 row", ``counted(2, "row")`` "2 rows" (x26r3
2: "and 1 more rows like it: rows 6"). For messages only; never parsed back."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

IN_DOUBT = "in doubt"  # an item "sending" with no run at work


def counted(n: int, noun: str, nouns: str | None = None) -> str:
    """``n`` (thousands separated) and ``noun``, or ``nouns`` (default ``noun`` + "s")
    when ``n`` is not 1."""
    return f"{n:,} {noun if n == 1 else nouns or noun + 's'}"


def noun(n: int, singular: str, plural: str | None = None) -> str:
    """``singular`` for one, else ``plural`` (default ``singular`` + "s"): the word alone."""
    return singular if n == 1 else plural or singular + "s"


def about_file(path: str | os.PathLike[str], said: object) -> str:
    """``said`` (an error of a reader of ``path``) prefixed with the file's name, unless it
    names the file already (a reader's ``'/in/deals.json': nested more than 64 levels``):
    the name once, never twice (x43r6 F2: "d.json: '/tmp/d.json': nested ...")."""
    text, name = str(said), os.fspath(path)
    if any(form in text for form in {name, os.path.abspath(name), os.path.realpath(name)}):
        return text
    return f"{name}: {text}"


def state_word(state: Any, *, at_work: bool = False) -> str:
    """The word an item state (an ``ItemState`` or its value) is printed with: "sending"
    reads "in doubt" unless a run is at work on the job — its call left and no answer was
    recorded (a kill, a lost answer, a stop at the cap), README "Job lifecycle"; x44r3 F3:
    a run's last line and `pdbulk jobs` said "sending 3" where `status` said "in doubt 3".
    The one place every printed tally takes it from; ``--json`` keeps "sending"."""
    word = str(getattr(state, "value", state))
    return IN_DOUBT if word == "sending" and not at_work else word


def state_words(counts: Mapping[Any, int], *, at_work: bool = False) -> dict[str, int]:
    """``counts`` (item state or its value -> items) keyed by ``state_word``, order kept."""
    return {state_word(k, at_work=at_work): n for k, n in counts.items()}


__all__ = ["IN_DOUBT", "about_file", "counted", "noun", "state_word", "state_words"]
