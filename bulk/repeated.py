"""The run's circuit-breaker: writes of one operation refused again and again with the same
400 / 422 that no row's own data explains stop the job checkpointed, instead of spending
the rest of it (x43r4 F3: a deal field deleted mid-job, every remaining addDeal refused
"custom_fields: … is not a custom field", 648 tokens and 46 orphan person / organization
pairs with no stop).

A refusal is the request's, not the row's, when its text cites none of the row's own values
(the item's payload: its cells, its body's values; not its keys, so a field code the body
names is no row value), or when it cites the same values in every row refused alike: the
reason is then keyed with those values put as ``<value>`` and counts from the second such
row (x44r4 F4: "option 13 does not exist", an option deleted mid-run that every row names,
quotes each row's own option id 13; only one-digit ids stopped the run, 30 of 30 refused
with 13 or 1042). A reason seen citing different values in different rows (an invalid
e-mail shown back, each row's own bad date) is the rows' own: it neither counts nor breaks
the streak, then or later in the run. So 20 rows each refused for their own e-mail never
stop; 10 rows in a row refused for the same value do, the rest pending (checkpointed:
``resume`` after the fix). A write that succeeds, or a refusal with another text, starts
the streak again. ``REPEATS_TO_STOP`` refusals in a row stop the run. Pure bookkeeping:
no I/O, no clock.
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

    __slots__ = ("_candidate", "_cited", "_count", "_key", "_own", "limit")

    def __init__(self, limit: int = REPEATS_TO_STOP) -> None:
        self.limit = limit
        self._key: _Key | None = None
        self._cited: frozenset[str] = frozenset()
        self._count = 0
        # a refusal citing row values, not yet told the request's or the rows': its key,
        # the values it cites, how many alike so far
        self._candidate: tuple[_Key, frozenset[str], int] | None = None
        # reasons seen citing different values in different rows: the rows' own
        self._own: set[_Key] = set()

    def __repr__(self) -> str:
        return f"Repeats(limit={self.limit}, count={self._count}, key={self._key!r})"

    def succeeded(self) -> None:
        """A write went through: the streak starts again."""
        self._key, self._cited, self._count, self._candidate = None, frozenset(), 0, None

    def refused(self, op: str, status: int | None, text: str,
                payload: Mapping[str, Any]) -> RepeatedRefusal | None:
        """Count one refusal of a write ``op`` (``status``, its error ``text``) of the row
        whose item payload is ``payload``; the error to stop with once the streak reaches
        ``limit``, else None."""
        if status not in _WHOLE:
            return None
        values = cited_values(text, payload)
        key = (op, status, _masked(text, values))
        if values:
            if key in self._own or not self._cited_alike(key, values):
                return None
        elif key != self._key:
            self._key, self._cited, self._count = key, frozenset(), 0
        self._count += 1
        if self._count < self.limit:
            return None
        named = re.search(r"\((\w+)\)\s*$", text)  # ApiError's "(addDeal)"
        return RepeatedRefusal(named.group(1) if named else op, self._count, text)

    def _cited_alike(self, key: _Key, values: frozenset[str]) -> bool:
        """For a refusal citing row ``values``: whether it counts in the streak (the same
        reason citing the same values as the streak's, a second row at least); a reason
        seen citing other values is the rows' own from then on (neither counts nor breaks
        the streak)."""
        if key == self._key:
            if values == self._cited:
                return True
            self._own.add(key)
            self._key, self._cited, self._count = None, frozenset(), 0
            return False
        if self._candidate is None or self._candidate[0] != key:
            self._candidate = (key, values, 1)
            return False
        if self._candidate[1] != values:
            if len(self._own) < 256:  # (a run's distinct reasons: a few; never unbounded)
                self._own.add(key)
            self._candidate = None
            return False
        # a second row refused alike citing the same values: the request's (the streak
        # counts both)
        self._key, self._cited, self._count = key, values, self._candidate[2]
        self._candidate = None
        return True


_Key = tuple[str, int, str]


def _masked(text: str, values: frozenset[str]) -> str:
    """``text`` with each of ``values`` (whole words) put as ``<value>``."""
    for word in sorted(values, key=len, reverse=True):
        text = re.sub(rf"(?<![\w@.-]){re.escape(word)}(?![\w@-])", "<value>", text)
    return text


def cited_values(text: str, payload: Mapping[str, Any]) -> frozenset[str]:
    """The payload's own values ``text`` shows (a text of 2 characters or more, a number of
    2 digits or more), each as a whole word."""
    found: set[str] = set()
    for value in _leaves(payload):
        word = str(value).strip()
        if len(word) < 2 or word in found:
            continue
        if re.search(rf"(?<![\w@.-]){re.escape(word)}(?![\w@-])", text):
            found.add(word)
    return frozenset(found)


def cites_row(text: str, payload: Mapping[str, Any]) -> bool:
    """Whether ``text`` shows one of the payload's own values (``cited_values``)."""
    return bool(cited_values(text, payload))


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


__all__ = ["REPEATS_TO_STOP", "RepeatedRefusal", "Repeats", "cited_values", "cites_row"]
