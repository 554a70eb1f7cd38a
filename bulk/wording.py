"""Counts in words: ``counted(1, "row")`` is "1 row", ``counted(2, "row")`` "2 rows" (x26r3
2: "and 1 more rows like it: rows 6"). For messages only; never parsed back."""

from __future__ import annotations

import os


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


__all__ = ["about_file", "counted", "noun"]
