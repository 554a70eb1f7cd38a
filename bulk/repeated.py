"""The run's circuit-breaker: writes refused again and again with a 400 / 422 that no row's
own data explains stop the job checkpointed, instead of spending the rest of it (x43r4 F3:
a deal field deleted mid-job, every remaining addDeal refused "custom_fields: … is not a
custom field", 648 tokens and 46 orphan person / organization pairs with no stop).

Each refusal has a cause. One whose text cites none of the row's own values (the item's
payload: its cells, its body's values; not its keys, so a field code the body names is no
row value) is the request's, whatever its text: every such refusal of one operation is one
cause, so two custom fields deleted since the load, the rows naming one or the other in
turn, are one cause, not two streaks that break each other (x44r10 F2: rows alternating
between two deleted fields never made "10 in a row alike"; 146 rows were refused). One
that cites row values is keyed by its reason with those values put as ``<value>`` and by
the values themselves: the same value cited by many rows refused alike is the request's
(x44r4 F4: "option 13 does not exist", an option deleted mid-run that every row names),
each its own cause (two deleted options 13 and 14 in turn: two causes, each half the
refusals); a reason citing a different value in each row (an invalid e-mail shown back,
each row's own bad date) is a cause of one row each, which never adds up.

The run stops when one cause counts ``REPEATS_TO_STOP`` among the last
``WINDOW_FACTOR * REPEATS_TO_STOP`` refusals, whatever went through between them: 10 of the
last 20. So 20 rows each refused for their own e-mail never stop, nor do 3 rows naming one
organization deleted since the load; 10 rows refused for a deleted field or option do (in a
row, or in turn with a second one, or among rows refused for their own values, or among
rows that went through: a field only half the rows name, x45r4 F3), the rest pending
(checkpointed: ``resume`` checks the account first, ``jobs.resume_account_now``).

The writes already in flight when the stop comes are refused too: with many workers, up
to one each (f46d: 22 refused updates at ``--plan ultimate``, 12 past the 10th; a scripted
run of 16 workers, 25). So once one cause counts ``SUSPECT_AFTER`` refusals of an item
operation with no success of it between, the runner sends that operation one at a time
(``Repeats.suspects``) until a success of it or the stop: at most ``REPEATS_TO_STOP`` plus
the writes in flight at the ``SUSPECT_AFTER``-th are refused (the scripted run: 25 → 18;
the sandbox, an import at ultimate, 64 workers, its real window: 13 → 10).
Rows refused each for their own value never make a streak, so they are sent at full width.
Pure bookkeeping: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterator, Mapping
from typing import Any

from .errors import BulkError

# how many writes refused for one cause stop the run: enough that a handful of rows sharing
# one bad reference (an organization deleted since the load, named by 3 rows) does not; few
# enough that a broken mapping costs ~10 writes (50 tokens), not the rest of the file. The
# rows refused so far fail with their reason (``pdbulk retry``).
REPEATS_TO_STOP = 10
# after how many refusals of one cause, with no success of the operation between, the runner
# sends that operation one at a time until a success or the stop (f46d: at --plan ultimate
# the writes already in flight when the 10th came back were refused too, 22 updates; now
# at most ``REPEATS_TO_STOP`` plus those in flight at the 3rd). Few enough to catch a
# deleted field early, enough that a row's own refusals (each its own cause) never do.
SUSPECT_AFTER = 3
# among how many of the last refusals (times REPEATS_TO_STOP) one cause must count that
# many: 2, so a cause half the refusals stops the run too (two deleted options in turn),
# a row's own reasons in between neither hide it nor add to it
WINDOW_FACTOR = 2

# the statuses a refusal of the whole request can have here: a 401 / 402 / 403 already stops
# the run (terminal errors); a 404 / 410 names one record, the row's own
_WHOLE = frozenset({400, 422})

# what works after the stop when the job kind says nothing (its ``after_refusals``, which
# the runner hands to ``Repeats``: ``jobs.resume_account_now.stop_advice``, x45r4 F1)
AFTER_REFUSALS = ("Fix it, then resume: a resume first checks what the rows to send name "
                  "against the account and says what works while something is gone")


class RepeatedRefusal(BulkError):
    """``REPEATS_TO_STOP`` writes refused for one cause no row's data explains, among the
    last ``WINDOW_FACTOR * REPEATS_TO_STOP`` refusals: the job stops checkpointed (the CLI:
    exit 4), its rest pending. ``reasons``: the refusals' texts (distinct, first first);
    ``among``: how many refusals they are counted in; ``advice``: what works now (the job
    kind's ``after_refusals``; default ``AFTER_REFUSALS``); ``more``: the writes of its
    cause sent before the stop that came back refused after it (``refused_too``; said in
    its line: x46r11 F3, "the last 10 ... were refused" where 19 were). Terminal for the
    run."""

    terminal = True

    def __init__(self, operation: str, count: int, reasons: list[str] | str,
                 among: int | None = None, advice: str = "") -> None:
        texts = [reasons] if isinstance(reasons, str) else list(reasons)
        self.operation, self.count = operation, count
        self.among = count if among is None else among
        self.reasons, self.advice, self.more = texts, advice, 0
        self.reason = texts[-1] if texts else ""
        super().__init__(self._said())

    def _said(self) -> str:
        texts, count, among, operation = self.reasons, self.count, self.among, self.operation
        shown = "; ".join(texts[:3]) + (f" (and {len(texts) - 3} more alike)"
                                        if len(texts) > 3 else "")
        # one cause, however many texts (two deleted fields, each named in its own): said
        # as the rule is, not "in a row alike" over two texts (x45r4 F4a)
        counted = (f"the last {count} {operation} calls" if among == count else
                   f"{count} of the last {among} {operation} calls") + \
            " were refused for one cause no row's data explains"
        if self.more:
            counted += (f", and {self.more} more sent before the stop came back refused alike "
                        f"({count + self.more} in all)")
        return (f"{counted}: {shown} (a field or an option the rows name deleted in Pipedrive "
                "since the job's load? a permission?): stopped, nothing more sent. "
                f"{self.advice or AFTER_REFUSALS}; the rows refused so far are in failed.csv")

    def refused_too(self) -> None:
        """A write of its cause sent before the stop came back refused after it: counted
        in its line (``more``)."""
        self.more += 1
        self.args = (self._said(),)


class Repeats:
    """The last refusals of the run's writes, by cause (one per run); ``suspects``: the item
    operations to send one at a time (a cause counts ``SUSPECT_AFTER`` refusals of them
    since their last success)."""

    __slots__ = ("_recent", "_stop", "_streak", "advice", "limit", "refusals", "suspects",
                 "window")

    def __init__(self, limit: int = REPEATS_TO_STOP, window: int | None = None,
                 advice: str = "") -> None:
        self.limit, self.advice = limit, advice  # advice: ``RepeatedRefusal``'s
        self.window = max(limit, window if window is not None else WINDOW_FACTOR * limit)
        # the last ``window`` refusals: (cause, text); a row's own
        # refusal (a cause no other row shares) takes its place too
        self._recent: deque[tuple[_Cause, str]] = deque(maxlen=self.window)
        # refusals of each cause since the last success of its operation; the operations
        # one of whose causes counts ``SUSPECT_AFTER`` of them: sent one at a time (the
        # runner) until a success of theirs (``succeeded``) or the stop
        # (how many, the ``refusals`` count at the first of them); ``refusals``: every
        # refusal counted so far (a write that began when it read n came after the n-th)
        self._streak: dict[_Cause, tuple[int, int]] = {}
        self.suspects: set[str] = set()
        self.refusals = 0
        # the stop once made, and its cause: a later refusal of that cause is a write sent
        # before it (``RepeatedRefusal.refused_too``), never a second stop
        self._stop: tuple[_Cause, RepeatedRefusal] | None = None

    def __repr__(self) -> str:
        top = Counter(cause for cause, _ in self._recent).most_common(1)
        return (f"Repeats(limit={self.limit}, window={self.window}, "
                f"refusals={len(self._recent)}, top={top[0][1] if top else 0})")

    def succeeded(self, op: str | None = None, began: int | None = None) -> None:
        """A write of the item operation ``op`` (None: of any) went through: the count
        toward the stop forgets nothing — it is of the last refusals, whatever went
        through between them (x45r4 F3: each success started it again, so a field or an
        option deleted that only some rows name — rows naming FA and FB in turn, FA
        deleted — never stopped the run: 85 of 200 rows refused); a few rows sharing one
        bad reference stay under ``limit``, rows refused for their own values never add
        up. Only the streaks toward ``SUSPECT_AFTER`` of ``op`` start again, and of those
        only the ones that began before the write did (``began``: ``refusals`` when it
        began; None: whenever): a write sent before a cause's first refusal proves
        nothing of it (rows sent before a field was deleted). ``op`` is sent at full width
        again once none of its causes keeps ``SUSPECT_AFTER``."""
        if not self._streak:
            return
        if op is None:
            self._streak.clear()
            self.suspects.clear()
            return
        for cause in [cause for cause, (_, first) in self._streak.items() if cause[0] == op
                      and (began is None or began >= first)]:
            del self._streak[cause]
        if op in self.suspects and not any(
                cause[0] == op and n >= SUSPECT_AFTER for cause, (n, _) in self._streak.items()):
            self.suspects.discard(op)

    def refused(self, op: str, status: int | None, text: str,
                payload: Mapping[str, Any]) -> RepeatedRefusal | None:
        """Count one refusal of a write ``op`` (``status``, its error ``text``) of the row
        whose item payload is ``payload``; the error to stop with once one cause counts
        ``limit`` among the last ``window`` refusals, else None. After the first stop, a
        refusal of its cause is counted in it too (a write in flight at the stop)."""
        if status not in _WHOLE:
            return None
        values = cited_values(text, payload)
        # uncited: no row value explains it, whatever the text (two deleted fields, each
        # named in its own text, are one cause); cited: the reason with the values masked,
        # and the values (a value every refused row names is the request's fault)
        cause: _Cause = (op, 0, "", frozenset()) if not values else \
            (op, status, _masked(text, values), values)
        if self._stop is not None and cause == self._stop[0]:  # a write in flight at the
            self._stop[1].refused_too()  # stop, come back (the runner stops once: x46r11 F3)
        self._recent.append((cause, text))
        self.refusals += 1
        streak, first = self._streak.get(cause, (0, self.refusals))
        if streak + 1 >= SUSPECT_AFTER:
            self.suspects.add(op)
        self._streak[cause] = (streak + 1, first)
        if len(self._streak) > 4 * self.window:  # rows' own causes, one each: kept few
            self._streak = {seen: n for seen, n in self._streak.items() if n[0] > 1}
        count = sum(1 for seen, _ in self._recent if seen == cause)
        if count < self.limit:
            return None
        texts = list(dict.fromkeys(t for seen, t in self._recent if seen == cause))
        named = re.search(r"\((\w+)\)\s*$", text)  # ApiError's "(addDeal)"
        stop = RepeatedRefusal(named.group(1) if named else op, count, texts,
                               len(self._recent), self.advice)
        if self._stop is None:
            self._stop = (cause, stop)
        return stop


_Cause = tuple[str, int, str, frozenset[str]]


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


__all__ = ["AFTER_REFUSALS", "REPEATS_TO_STOP", "SUSPECT_AFTER", "WINDOW_FACTOR", "RepeatedRefusal", "Repeats",
           "cited_values", "cites_row"]
