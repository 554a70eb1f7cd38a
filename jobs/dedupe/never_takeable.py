"""The one rule for a ``merge`` decision that can never be taken: a deal of it gone, or a
pair of it kept separate since its plan.

``dedupe apply`` (``apply.prepare_apply``; a resume's re-check, ``held_now``) and the night
reading an earlier night's decisions (``earlier_decisions.blocked``: ``dedupe run``,
``dedupe plan``, ``pdbulk plan dedupe``) judge it here, in one order and one set of words:
before, each had its own copy of the reasons (f43f), and the night's drifted from apply's
(x43r2 F3: "changed since that plan" of a pair merged by hand). Neither such decision can
become takeable again: a gone deal never comes back as a live deal (Pipedrive never reuses
an id; an archived deal is not proposed again, docs/dedupe-matching.md), and no plan
proposes a kept-separate pair as one group (``matching``'s keep-separate guard). Pure: no
call, no file; the callers pass what they already read (the plan's deals read now, the
state's keep-separate pairs), so judging it costs no token.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence


def gone_reason(deal_id: int) -> str:
    """A deal of the decision has no live deal now (deleted, merged away or archived)."""
    return (f"deal {deal_id} is gone: deleted, merged away or archived (no live deal has its "
            "id now)")


def kept_reason(a: int, b: int) -> str:
    """Two deals of the decision were marked keep-separate since its plan."""
    return (f"held now: deals {a} and {b} were marked keep-separate since the plan (a "
            "reviewer's decision, keep-separate.json in the state directory)")


def kept_pair(members: Sequence[int], kept: Container[frozenset[int]]) -> tuple[int, int] | None:
    """The first pair of ``members`` (in their order) kept separate, else None."""
    ids = list(dict.fromkeys(members))
    for n, a in enumerate(ids):
        for b in ids[n + 1:]:
            if frozenset((a, b)) in kept:
                return a, b
    return None


def never_takeable(members: Sequence[int], gone: Callable[[int], bool],
                   kept: Container[frozenset[int]] = frozenset()) -> str | None:
    """Why a ``merge`` of ``members`` (survivor first) can never be taken, else None:
    first a deal ``gone(id)`` says is gone (a merge moves its survivor too: a gone deal is
    named before any change), then a pair in ``kept`` (the state's keep-separate pairs)."""
    ids = list(dict.fromkeys(members))
    for i in ids:
        if gone(i):
            return gone_reason(i)
    if (pair := kept_pair(ids, kept)) is not None:
        return kept_reason(*pair)
    return None


__all__ = ["gone_reason", "kept_pair", "kept_reason", "never_takeable"]
