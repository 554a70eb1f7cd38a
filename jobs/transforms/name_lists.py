"""Whether a person's name cell lists several persons (``Jane Roe;John Poe``,
``Jane Roe / John Poe``, ``Jane and John Poe``, one name a line), as CRM exports write
every contact of a deal in one cell (x23r1 F1: HubSpot's ``Jane Roe;John Poe`` became
ONE person of that name holding both persons' addresses).

A comma is never read as a separator: ``Roe, Jane`` is one name written last-first, and
``Roe, Jane, Jr.`` one too. What is inside brackets is not split (``Jane Roe (CEO/CTO)``).
A pure reader: it never fails a row itself (the row mapper does, naming the parts).
"""

from __future__ import annotations

import re

# the separators of a list of persons, outside brackets: ; | a line break, a spaced / and
# the words "and" / "&" between two names (an unspaced / only between names of two words
# or more: ``Jane Roe/John Poe``; ``n/a`` and the double surname ``Roe/Smith`` are not lists)
_SEPARATORS = re.compile(r"\s*(?:[;|\n\r\u2028\u2029]|\s/|/\s|\s&\s|\s+and\s+)\s*",
                         re.IGNORECASE)
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def listed_persons(value: object) -> list[str] | None:
    """The names a person cell lists when it lists two or more (each with a letter), in
    the order written; None when it names one person or none."""
    if not isinstance(value, str):
        return None
    if not any(s in value for s in ";|/\n\r\u2028\u2029&") \
            and " and " not in value.casefold().replace("\t", " "):
        return None  # most cells: nothing to split (a quick test before the regex)
    masked = _BRACKETS.sub(lambda m: "\0" * len(m[0]), value)
    parts: list[str] = []
    start = 0
    for sep in _SEPARATORS.finditer(masked):
        parts.append(value[start:sep.start()])
        start = sep.end()
    parts.append(value[start:])
    names = [" ".join(p.split()) for p in (q for part in parts for q in _slashed(part))]
    names = [n for n in names if any(c.isalpha() for c in n)]
    return names if len(names) > 1 else None


def _slashed(part: str) -> list[str]:
    """``part`` split at its unspaced ``/`` when every piece is a name of two words or
    more, else ``[part]``."""
    if "/" not in part:
        return [part]
    pieces = part.split("/")
    return pieces if all(len(p.split()) > 1 for p in pieces) else [part]


__all__ = ["listed_persons"]
