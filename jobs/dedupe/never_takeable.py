"""The one rule for a ``merge`` decision that can never be taken: a deal of it gone, or a
pair of it kept separate since its plan; and the one rule for one done by hand
(``done_by_hand``: taken, not refused).

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


def hand_survivor(members: Sequence[int], gone: Callable[[int], bool],
                  changed: Callable[[int], bool]) -> int | None:
    """The deal a ``merge`` of ``members`` (survivor first) was carried out into by hand, else
    None: one deal of them live and ``changed`` since the plan, every other deal ``gone``.
    Usually the survivor (as decided); another deal when a colleague merged the other way
    (x52r9 N1: the survivor merged into the other deal, told "deal N is gone … plan again",
    exit 3). Either way the deals are one deal now, which no job can undo (a merge is final,
    FACTS.md, Merge): the reviewer's merge is made, taken; which deal survived is the
    colleague's (docs/dedupe-matching.md). Pipedrive answers a merged-away deal as a deleted
    one and does not say into which deal it went (FACTS.md, Merge), but a merge writes its
    survivor (the merged deal's empty fields, its activities, its update time) and a deletion
    of the other deal alone does not: an untouched deal beside a gone one can never be taken
    (``never_takeable``)."""
    ids = list(dict.fromkeys(members))
    live = [i for i in ids if not gone(i)]
    if len(ids) > 1 and len(live) == 1 and changed(live[0]):
        return live[0]
    return None


def done_by_hand(members: Sequence[int], gone: Callable[[int], bool],
                 changed: Callable[[int], bool]) -> bool:
    """Whether a ``merge`` of ``members`` (survivor first) was carried out by hand
    (``hand_survivor``: into the survivor, or the other way). The night
    (``earlier_decisions.carry``) and ``dedupe apply`` (``apply.prepare_apply``) judge it
    here, before ``never_takeable`` (x52r4 F3: the night said "done by hand", exit 0, and an
    apply of the same folder "deal 102 is gone", exit 3)."""
    return hand_survivor(members, gone, changed) is not None


def by_hand_reason(members: Sequence[int], live: int | None = None) -> str:
    """What the account shows of a decision ``done_by_hand`` (``live``: the deal left, the
    survivor when None), without claiming a merge it cannot see (x52r4 N1: a colleague who
    edited the survivor and deleted the other deal was told "as a merge into it changes
    it")."""
    ids = list(dict.fromkeys(members))
    if live is not None and live != ids[0]:  # x52r9 N1: merged the other way
        gone = [i for i in ids if i != live]
        rest = ", ".join(str(i) for i in gone[1:])
        others = f" and deal{'s' if len(gone) > 2 else ''} {rest}" if rest else ""
        return (f"the survivor {ids[0]}{others} {'are' if others else 'is'} gone and deal "
                f"{live} changed since that plan (merged by hand the other way: deal {live} "
                "carries both; or edited and the survivor deleted: the account shows the "
                "same): taken as done by hand, nothing left to do")
    away = ", ".join(str(i) for i in ids[1:])
    other = f"deal {away} is" if len(ids) == 2 else f"deals {away} are"
    return (f"the other {other} gone and the survivor {ids[0]} changed since that plan "
            "(merged into it by hand, or edited and the other deleted: the account shows "
            "the same): taken as done by hand, nothing left to do")


__all__ = ["by_hand_reason", "done_by_hand", "gone_reason", "hand_survivor", "kept_pair",
           "kept_reason", "never_takeable"]
