"""Whether a person's name cell lists several persons (``Jane Roe;John Poe``,
``Jane Roe / John Poe``, ``Jane and John Poe``, one name a line), as CRM exports write
every contact of a deal in one cell (x23r1 F1: HubSpot's ``Jane Roe;John Poe`` became
ONE person of that name holding both persons' addresses).

A comma is never read as a separator: ``Roe, Jane`` is one name written last-first, and
``Roe, Jane, Jr.`` one too — but after a bracket it is (``Ines Koch (ines@koch.de), Bob Roe
(bob@roe.de)``: x44r9 F7, Bob was dropped silently). What is inside brackets — ``()``,
``[]``, ``<>`` — is not split (``Jane Roe (CEO/CTO)``, ``Ines Koch (n/a) <ines@koch.de>``:
x44r9 F4, a ``/`` in a bracket read as two persons).
A pure reader: it never fails a row itself (the row mapper does, naming the parts).
"""

from __future__ import annotations

import re

# the separators of a list of persons, outside brackets: ; | a line break, a spaced / and
# the words "and" / "&" between two names (an unspaced / only between names of two words
# or more: ``Jane Roe/John Poe``; ``n/a`` and the double surname ``Roe/Smith`` are not lists)
# (and a comma right after a bracket, which the masking below writes as NULs: two contacts
# ``Name (address), Name (address)``)
_SEPARATORS = re.compile(r"\s*(?:[;|\n\r\u2028\u2029]|\s/|/\s|\s&\s|\s+and\s+|(?<=\0)\s*,)\s*",
                         re.IGNORECASE)
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|<[^<>]*>")


def listed_persons(value: object) -> list[str] | None:
    """The names a person cell lists when it lists two or more (each with a letter), in
    the order written; None when it names one person or none."""
    if not isinstance(value, str):
        return None
    if not any(s in value for s in ";|/,\n\r\u2028\u2029&") \
            and " and " not in value.casefold().replace("\t", " "):
        return None  # most cells: nothing to split (a quick test before the regex)
    masked = _BRACKETS.sub(lambda m: "\0" * len(m[0]), value)
    spans: list[tuple[int, int]] = []
    start = 0
    for sep in _SEPARATORS.finditer(masked):
        spans.append((start, sep.start()))
        start = sep.end()
    spans.append((start, len(value)))
    names = [" ".join(value[a:b].split())
             for start, end in spans for a, b in _slashed(masked, start, end)]
    names = [n for n in names if any(c.isalpha() for c in n)]
    return names if len(names) > 1 else None


def _slashed(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """The part ``start:end`` of a cell (``masked``: its brackets written as NULs, so a
    ``/`` in one is no separator) split at its unspaced ``/`` when every piece is a name
    of two words or more, else the part whole: (start, end) of each piece."""
    part = masked[start:end]
    if "/" not in part:
        return [(start, end)]
    spans: list[tuple[int, int]] = []
    at = start
    for piece in part.split("/"):
        spans.append((at, at + len(piece)))
        at += len(piece) + 1
    return spans if all(len(masked[a:b].replace("\0", " ").split()) > 1
                        for a, b in spans) else [(start, end)]


__all__ = ["listed_persons"]
