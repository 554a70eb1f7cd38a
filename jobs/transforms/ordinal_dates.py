"""English ordinal days in spelled dates: ``25th of June 2027``, ``1st July 2026``,
``May 11th, 2027`` are ``25 June 2027``, ``1 July 2026``, ``May 11, 2027`` to a pattern
with a month's name (``%d %B %Y``, ``%B %d, %Y``), which strptime cannot write an
ordinal into (x53r5 F6: 40 of 40 rows of each form failed, no pattern proposed).

A day of 1-31 with an English suffix loses it, and ``of`` after it; the suffix need
not be the day's own (``1th``, ``22th``: what an export that writes every day ``{day}th``
gives — the day is its number whatever the suffix). Only for a pattern with a month's
name: ``1st/07/2026`` stays refused by ``%d/%m/%Y``. Pure."""

from __future__ import annotations

import re

_ORDINAL = re.compile(r"\b([1-9]|[12]\d|3[01])(st|nd|rd|th)\b(?:\s+of\b)?", re.IGNORECASE)


def plain_ordinals(text: str) -> str:
    """``text`` with each English ordinal day written as its number (``25th of June`` →
    ``25 June``); ``text`` itself when it has none."""
    if not any(c.isalpha() for c in text):
        return text
    return _ORDINAL.sub(r"\1", text)
