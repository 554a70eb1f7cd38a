"""Survivor rules: which deal of a group stays (Pipedrive's ``merge_with_id``), in what order the others merge.

Rules are tried in the configured order; the first that prefers one deal over
another decides, and the smallest id breaks a full tie. Pipedrive keeps the
survivor's non-empty values when merging (FACTS.md, "merge"), so the rule
chosen decides which values win unless a field policy says otherwise.

=========================  ==============================================
rule                       prefers
=========================  ==============================================
won_first                  won, then open, then lost (default: a won deal
                           survives, so the merge keeps the won status)
open_first                 open, then won, then lost ("open before closed")
most_advanced_stage        the highest stage order_nr
most_recently_updated      the latest update_time
least_recently_updated     the earliest update_time
oldest                     the earliest add_time (default before
                           most_recently_updated: the original, not a
                           copy typed later, keeps its id and age)
newest                     the latest add_time
highest_value              the highest non-zero value (0 is no value)
lowest_value               the lowest non-empty value
has_owner                  a deal with an owner
=========================  ==============================================
A deal missing the compared field loses to one that has it. Whatever the rules,
``planfiles.policy_changes`` gives a survivor with value 0 or none the value of a
merged deal and a survivor with a "(copy)", misspelt or lower-case title the group's
clean one (``titles``), and ``planfiles.merge_drops`` names what a merge would lose
(a merged deal added before the survivor: its id and add time).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from .model import DealRecord
from .scoring import epoch

_STATUS_ORDER = {"open": 0, "won": 1, "lost": 2}
_WON_ORDER = {"won": 0, "open": 1, "lost": 2}
_INF = float("inf")


def _ts(t: datetime | None) -> float | None:
    return epoch(t) if t is not None else None


def _asc(v: float | None) -> float:
    return _INF if v is None else v


def _desc(v: float | None) -> float:
    return _INF if v is None else -v


# each rule: a sort key (smaller wins) and the phrase recorded when it decided
RULES: dict[str, tuple[Callable[[DealRecord], float], str]] = {
    "won_first": (lambda d: _WON_ORDER.get(d.status, 3), "won before open"),
    "open_first": (lambda d: _STATUS_ORDER.get(d.status, 3), "open before closed"),
    "most_advanced_stage": (lambda d: _desc(d.stage_order), "most advanced stage"),
    "most_recently_updated": (lambda d: _desc(_ts(d.update_time)), "most recently updated"),
    "least_recently_updated": (lambda d: _asc(_ts(d.update_time)), "least recently updated"),
    "oldest": (lambda d: _asc(_ts(d.add_time)), "oldest"),
    "newest": (lambda d: _desc(_ts(d.add_time)), "newest"),
    "highest_value": (lambda d: _desc(d.value or None), "highest value"),
    "lowest_value": (lambda d: _asc(d.value or None), "lowest value"),
    "has_owner": (lambda d: 0 if d.owner_id is not None else 1, "has an owner"),
}


def _phrase(rule: str, survivor: DealRecord, other: DealRecord) -> str:
    """What a rule said when it put ``survivor`` before ``other``: the status rules name the
    two statuses (``won before open``, ``open before lost``), the others their phrase."""
    if rule in ("won_first", "open_first"):
        return f"{survivor.status} before {other.status}"
    return RULES[rule][1]


def rank(deals: Sequence[DealRecord], rules: Sequence[str]) -> tuple[list[DealRecord], tuple[str, ...]]:
    """Order ``deals`` best first by ``rules``; return it and why the survivor beat the others.

    The reasons are, for each other deal in order, ``"<rule>: <phrase>"`` of the first rule
    that separated the survivor from it (``"won_first: won before open"``), each said once;
    ``"tie: smallest id"`` when no rule separated it from one. Raises KeyError for an unknown
    rule (DedupeConfig rejects those first).
    """
    keys = [RULES[r][0] for r in rules]

    def key(d: DealRecord) -> tuple[float, ...]:
        return (*(k(d) for k in keys), d.id)

    ordered = sorted(deals, key=key)
    if len(ordered) < 2:
        return ordered, ()
    first = ordered[0]
    out: list[str] = []
    for other in ordered[1:]:
        why = next((f"{r}: {_phrase(r, first, other)}" for r, k in zip(rules, keys, strict=True)
                    if k(first) != k(other)), "tie: smallest id")
        if why not in out:
            out.append(why)
    return ordered, tuple(out)
