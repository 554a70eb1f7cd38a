"""Bad rows by reason, as a plan counts and prints them: a row's error without its cell
values (``reason_class``: the line rows are counted under), and per class its first row's
reason in full with its first rows (``ReasonTally``, ``reason_line``)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

# quoted cells and numbers; not the numbers of the wording ("a 2-digit year", "2^53",
# "15 significant digits", "U+0000")
# a cell quoted by repr starts and ends off a word: an apostrophe inside one ("that row's
# update; ... this row's hold cell") is no quote (x12r4 F3: elided as one cell)
_QUOTED = re.compile(r"(?<!\w)'(?:[^'\\]|\\.)*'(?!\w)|\"(?:[^\"\\]|\\.)*\"|(?<!\^)(?<!U\+)\b\d[\d,.]*\b"
                     r"(?!-[a-z]|\^| significant)")


# a date, a date and time (ISO 8601, as Pipedrive's update_time), or a time with seconds: one
# value each, elided whole (x22r3: "update_time …-…-03T19:…:14Z then, …" kept the digits
# next to letters, so each conflict of plan undo was a reason of its own)
_TIMESTAMP = re.compile(r"(?<![\w.-])\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                        r"(?:Z|[+-]\d{2}:?\d{2})?)?(?![\w:-])|(?<![\w:.])\d{1,2}:\d{2}:\d{2}"
                        r"(?:\.\d+)?Z?(?![\w:])")


def _elide(found: re.Match[str]) -> str:
    text = found[0]
    # a cell is quoted by repr: '...' — or "..." only when it holds a ' itself; any other
    # "..." is the hint's own mapping syntax ("unix_ms", "excel") and is kept
    if text.startswith('"') and "'" not in text:
        return text
    return "…"


def reason_class(reason: str, column: str | None, key: str | None = None) -> str:
    """A row error without its cell values (the cells it quotes and numbers become ``…``;
    the fix hint's ``"unix_ms"`` stays; the row's source ``key`` too, which messages name
    unquoted: ``key K5000 belongs to archived deal …``), with its column: the line
    ``plan`` counts rows under."""
    if key:
        reason = re.sub(rf"(?<![\w-]){re.escape(key)}(?![\w-])", "…", reason)
    general = _QUOTED.sub(_elide, _TIMESTAMP.sub("…", reason))
    return f"{column}: {general}" if column else general


REASON_ROWS_SHOWN = 5  # the rows a reason's line names: the first of them in full


class ReasonTally:
    """Bad rows counted per ``reason_class`` with, for each class, its first row's reason in
    full (column first) and the first ``REASON_ROWS_SHOWN`` row numbers: ``Plan.reasons``
    and ``Plan.reason_examples``."""

    __slots__ = ("counts", "examples")

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.examples: dict[str, dict[str, Any]] = {}

    def add(self, reason: str, column: str | None, key: str | None, row: int | None,
            n: int = 1) -> None:
        cls = reason_class(reason, column, key)
        self.counts[cls] += n
        example = self.examples.setdefault(
            cls, {"reason": f"{column}: {reason}" if column else reason, "rows": []})
        if row is not None and len(example["rows"]) < REASON_ROWS_SHOWN:
            example["rows"].append(row)

    def __repr__(self) -> str:
        return f"ReasonTally(classes={len(self.counts)}, rows={self.counts.total()})"

    def reasons(self) -> dict[str, int]:
        return dict(self.counts.most_common())


def reason_line(cls: str, n: int, examples: Mapping[str, Mapping[str, Any]]) -> str:
    """The text a plan prints for ``n`` rows of reason class ``cls``: its first row's reason
    in full, with the rows (``(row 4; and 2 more rows like it: rows 7, 9)``); the class
    itself when no row was kept."""
    example = examples.get(cls)
    if not example:
        return cls
    rows = list(example.get("rows") or [])
    if not rows:
        more = f" (and {n - 1:,} more rows like it)" if n > 1 else ""
        return f"{example['reason']}{more}"
    if n == 1:
        return f"{example['reason']} (row {rows[0]})"
    others = ", ".join(str(r) for r in rows[1:])
    etc = "…" if n > len(rows) else ""
    return (f"{example['reason']} (row {rows[0]}; and {n - 1:,} more rows like it: "
            f"rows {others}{etc})" if others else
            f"{example['reason']} (row {rows[0]}; and {n - 1:,} more rows like it)")


__all__ = ["REASON_ROWS_SHOWN", "ReasonTally", "reason_class", "reason_line"]
