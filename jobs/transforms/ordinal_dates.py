"""English ordinal days in spelled dates: ``25th of June 2027``, ``1st July 2026``,
``May 11th, 2027`` are ``25 June 2027``, ``1 July 2026``, ``May 11, 2027`` to a pattern
with a month's name (``%d %B %Y``, ``%B %d, %Y``), which strptime cannot write an
ordinal into (x53r5 F6: 40 of 40 rows of each form failed, no pattern proposed).

Only a day of 1-31 whose suffix is its own (``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``,
``21st``...) next to a month's name loses it, and ``of`` between such a day and the month:
``2th`` or ``11st`` are no ordinals and stay, for the pattern to refuse. Pure."""

from __future__ import annotations

import re

_ORDINAL = re.compile(r"\b([1-9]|[12]\d|3[01])(st|nd|rd|th)\b(?:\s+of\b)?", re.IGNORECASE)


def _suffix(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def plain_ordinals(text: str) -> str:
    """``text`` with each English ordinal day written as its number (``25th of June`` →
    ``25 June``); ``text`` itself when it has none, or an ordinal of the wrong suffix."""
    if not any(c.isalpha() for c in text):
        return text

    def day(m: re.Match[str]) -> str:
        return m[1] if m[2].lower() == _suffix(int(m[1])) else m[0]

    return _ORDINAL.sub(day, text)
