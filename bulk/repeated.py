"""The run's circuit-breaker: writes of one operation refused again and again with the same
400 / 422 that no row's own data explains stop the job checkpointed, instead of spending
the rest of it (x43r4 F3: a deal field deleted mid-job, every remaining addDeal refused
"custom_fields: … is not a custom field", 648 tokens and 46 orphan person / organization
pairs with no stop).

A refusal is the request's, not the row's, when its text cites none of the row's own values
(the item's payload: its cells, its body's values; not its keys, so a field code the body
names is no row value). Such a refusal counts; one that cites a value of its row (an
invalid e-mail shown back, its own bad date) is the row's and neither counts nor breaks the
streak; a write that succeeds, or a refusal with another text, starts it again.
``REPEATS_TO_STOP`` refusals in a row stop the run. Pure bookkeeping: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .errors import BulkError

# how many writes of one operation refused alike in a row stop the run: enough that a
# handful of rows sharing one bad reference (an organization deleted since the load, named
# by 3 rows) does not; few enough that a broken mapping costs ~10 writes (50 tokens), not
# the rest of the file. The rows refused so far fail with their reason (``pdbulk retry``).
REPEATS_TO_STOP = 10

# the statuses a refusal of the whole request can have here: a 401 / 402 / 403 already stops
# the run (terminal errors); a 404 / 410 names one record, the row's own
_WHOLE = frozenset({400, 422})


class RepeatedRefusal(BulkError):
    """``REPEATS_TO_STOP`` writes of one operation refused with the same 400 / 422 that no
    row's data explains: the job stops checkpointed (the CLI: exit 4), its rest pending.
    Terminal for the run."""

    terminal = True

    def __init__(self, operation: str, count: int, reason: str) -> None:
        super().__init__(
            f"{count} {operation} calls in a row were refused alike: {reason} — a fault of "
            "every request, not of the rows' data (a field or an option the rows name "
            "deleted in Pipedrive since the job's load? a permission?): stopped, nothing "
            "more sent. "
            "Fix it (the mapping, or the account), then resume; the rows refused so far "
            "are in failed.csv (pdbulk retry sends them again)")
        self.operation, self.count, self.reason = operation, count, reason


class Repeats:
    """The streak of alike refusals of the run's writes (one per run)."""

    __slots__ = ("_count", "_key", "limit")

    def __init__(self, limit: int = REPEATS_TO_STOP) -> None:
        self.limit = limit
        self._key: tuple[str, int, str] | None = None
        self._count = 0

    def __repr__(self) -> str:
        return f"Repeats(limit={self.limit}, count={self._count}, key={self._key!r})"

    def succeeded(self) -> None:
        """A write went through: the streak starts again."""
        self._key, self._count = None, 0

    def refused(self, op: str, status: int | None, text: str,
                payload: Mapping[str, Any]) -> RepeatedRefusal | None:
        """Count one refusal of a write ``op`` (``status``, its error ``text``) of the row
        whose item payload is ``payload``; the error to stop with once the streak reaches
        ``limit``, else None."""
        if status not in _WHOLE or cites_row(text, payload):
            return None
        key = (op, status, text)
        if key != self._key:
            self._key, self._count = key, 0
        self._count += 1
        if self._count < self.limit:
            return None
        named = re.search(r"\((\w+)\)\s*$", text)  # ApiError's "(addDeal)"
        return RepeatedRefusal(named.group(1) if named else op, self._count, text)


def cites_row(text: str, payload: Mapping[str, Any]) -> bool:
    """Whether ``text`` shows one of the payload's own values (a text of 2 characters or
    more, a number of 2 digits or more), as a whole word."""
    for value in _leaves(payload):
        word = str(value).strip()
        if len(word) < 2:
            continue
        if re.search(rf"(?<![\w@.-]){re.escape(word)}(?![\w@-])", text):
            return True
    return False


def _leaves(value: Any, depth: int = 0) -> Iterator[Any]:
    if depth > 8:  # (a payload is a few levels deep; never a recursion bomb)
        return
    if isinstance(value, Mapping):
        for inner in value.values():
            yield from _leaves(inner, depth + 1)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from _leaves(inner, depth + 1)
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        yield value


__all__ = ["REPEATS_TO_STOP", "RepeatedRefusal", "Repeats", "cites_row"]
