"""Grouping scored pairs into merge groups, with cannot-link and anti-chaining.

Groups are connected components over duplicate-band edges, built strongest
edge first; two components are never joined if any pair across them is a
cannot-link (a guard, or a ``keep_separate`` pair) — so no group ever holds a
pair a guard forbids, even through a third deal. Deals left over are grouped
the same way over review-band edges. A duplicate component whose members are
not *all* pairwise at or above the review threshold (A~B and B~C strong, A~C
weak: chaining) becomes a review group, never an auto-merge; so does one with a
pair below the duplicate threshold (every pair of a duplicate group is in the
duplicate band) — unless the pairs below it are only a late copy's (``split``: added days
after the first deal, within the copy gap of another copy): those deals are left out, and
the rest, alike pair by pair, is a duplicate group. Components are
capped at ``MAX_GROUP`` deals. A review group can be split into parts by a key of its
members (``parts``: the matching splits a catch-all's by customer record). Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from .model import ScoredPair

MAX_GROUP = 50


@dataclass(frozen=True, slots=True)
class Cluster:
    """Member indexes (sorted) and the band the cluster earned."""

    members: tuple[int, ...]
    band: str  # "duplicate" | "review"
    weakest: tuple[int, int]  # the pair with the lowest score
    min_score: float
    chained: bool  # a pair below the review threshold (sent to review)
    demoted: bool = False  # a duplicate component with a pair below the duplicate threshold
    left_out: tuple[int, ...] = ()  # late copies ``split`` took out of the component
    parted: str = ""  # a review group split by customer record (``parts``): said on the group


class _Components:
    __slots__ = ("members", "parent")

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.members: dict[int, list[int]] = {}

    def find(self, x: int) -> int:
        p = self.parent.setdefault(x, x)
        if p != x:
            p = self.parent[x] = self.find(p)
        return p

    def group(self, x: int) -> list[int]:
        r = self.find(x)
        return self.members.setdefault(r, [r])

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        gx, gy = self.group(rx), self.group(ry)
        if len(gx) < len(gy):
            rx, ry, gx, gy = ry, rx, gy, gx
        self.parent[ry] = rx
        gx.extend(gy)
        del self.members[ry]


def build_components(edges: Iterable[tuple[int, int, float]],
                     cannot_link: Callable[[int, int], bool],
                     taken: set[int]) -> list[list[int]]:
    """Constrained single-link components over ``edges`` (i, j, score), strongest first.

    Skips deals in ``taken``; never joins components with a cannot-link pair
    across them or beyond ``MAX_GROUP`` members. Returns components of ≥ 2 members.
    """
    comps = _Components()
    for i, j, _ in sorted(edges, key=lambda e: (-e[2], e[0], e[1])):
        if i in taken or j in taken:
            continue
        if comps.find(i) == comps.find(j):
            continue
        gi, gj = comps.group(i), comps.group(j)
        if len(gi) + len(gj) > MAX_GROUP:
            continue
        if any(cannot_link(x, y) for x in gi for y in gj):
            continue
        comps.union(i, j)
    return [sorted(m) for m in comps.members.values() if len(m) > 1]


def clusters(dup_edges: Iterable[ScoredPair], review_edges: Iterable[ScoredPair],
             index: dict[int, int], score: Callable[[int, int], float],
             cannot_link: Callable[[int, int], bool], review_threshold: float,
             duplicate_threshold: float | None = None,
             split: Callable[[list[int]], list[int] | None] | None = None) -> list[Cluster]:
    """Clusters from the duplicate band, then the review band over deals not yet grouped.

    ``index`` maps deal id -> index; ``score(i, j)`` gives any pair's score
    (cached or computed); ``cannot_link(i, j)`` is True for a guarded or
    keep-separate pair. A chained duplicate component is split at its bridges
    (see ``_settle``); what cannot be split goes to review whole. A duplicate
    component is a duplicate group only when every pair of it scores at or above
    ``duplicate_threshold`` (default: ``review_threshold``, the old rule); one pair
    below it (``X GmbH`` ~ ``X`` ~ ``X AG``, the two legal entities 0.80) makes the
    whole group a review group. ``split(members)``: for such a component, the members to
    keep when only late copies hold it at review (they are left out, ``Cluster.left_out``,
    and not grouped with it), or None.
    """
    dup_at = review_threshold if duplicate_threshold is None else duplicate_threshold
    out: list[Cluster] = []
    taken: set[int] = set()
    for band, edges in (("duplicate", dup_edges), ("review", review_edges)):
        triples = [(index[p.a], index[p.b], p.score) for p in edges]
        adjacent: dict[int, set[int]] = {}
        for i, j, _ in triples:
            adjacent.setdefault(i, set()).add(j)
            adjacent.setdefault(j, set()).add(i)
        for members in build_components(triples, cannot_link, taken):
            for c in _settle(members, band, adjacent, score, review_threshold, dup_at, split):
                taken.update(c.members)
                out.append(c)
    return out


def _judge(members: list[int], band: str, score: Callable[[int, int], float],
           review_threshold: float, duplicate_threshold: float) -> Cluster:
    """The cluster of ``members``: its weakest pair, chained when that pair is below the
    review threshold; band ``band`` only when the weakest pair is at or above
    ``duplicate_threshold`` too (else review: a group is merged only when all its pairs are)."""
    worst = (members[0], members[1])
    low = 2.0
    for x in range(len(members)):
        for y in range(x + 1, len(members)):
            s = score(members[x], members[y])
            if s < low:
                low, worst = s, (members[x], members[y])
    chained = low < review_threshold
    below = band == "duplicate" and low < duplicate_threshold
    return Cluster(tuple(members), "review" if chained or below else band, worst, low, chained,
                   below and not chained)


def parts(c: Cluster, key: Callable[[int], object], score: Callable[[int, int], float],
          review_threshold: float, duplicate_threshold: float) -> list[Cluster]:
    """``c`` split into the parts whose members share ``key`` (a deal's org and person: a
    catch-all's review group, f36e 5), and one part of the members alone with their key (each
    another customer record: a reviewer keeps them apart or merges the few that are one),
    each part of 2+ members judged as a group of its own (review: the parts of a review
    group). ``[c]`` when no two members share a key, or all do."""
    by: dict[object, list[int]] = {}
    for m in c.members:
        by.setdefault(key(m), []).append(m)
    shared = [members for members in by.values() if len(members) > 1]
    if not shared or len(by) == 1:
        return [c]
    rest = sorted(members[0] for members in by.values() if len(members) == 1)
    return [_judge(sorted(members), "review", score, review_threshold, duplicate_threshold)
            for members in (*shared, *([rest] if len(rest) > 1 else []))]


def _settle(members: list[int], band: str, adjacent: dict[int, set[int]],
            score: Callable[[int, int], float], review_threshold: float,
            duplicate_threshold: float,
            split: Callable[[list[int]], list[int] | None] | None = None) -> list[Cluster]:
    """Judge a component; split a chained one at its bridges (at most a few rounds).

    A bridge is a deal linked to two deals that are not alike (their pair below
    the review threshold), e.g. a copy with no org and no person whose title
    matches deals of two companies. Without the bridges the component falls
    apart into parts that are judged on their own (a part still chained is a
    review group). A bridge alike with every deal of exactly one part joins
    it; the other bridges and the deals left alone are not grouped here
    (they stay in the pairs for review), unless nothing could be split off:
    then the whole component is one review group.
    """
    whole = _judge(members, band, score, review_threshold, duplicate_threshold)
    if whole.demoted and band == "duplicate" and split is not None \
            and (kept := split(members)) is not None and 2 <= len(kept) < len(members):
        part = _judge(sorted(kept), band, score, review_threshold, duplicate_threshold)
        return [replace(part, left_out=tuple(m for m in members if m not in kept))]
    if not whole.chained or band != "duplicate":
        return [whole]
    inside = set(members)
    bridges = set()
    for m in members:
        near = sorted(adjacent.get(m, set()) & inside)
        if any(score(near[x], near[y]) < review_threshold
               for x in range(len(near)) for y in range(x + 1, len(near))):
            bridges.add(m)
    rest = [m for m in members if m not in bridges]
    parts = _parts(rest, adjacent)
    if not parts:
        return [whole]
    for b in sorted(bridges):  # a bridge like every deal of exactly one part joins that part
        fits = [p for p in parts if adjacent.get(b, set()) & set(p)
                and all(score(b, m) >= review_threshold for m in p)]
        if len(fits) == 1:
            fits[0].append(b)
            fits[0].sort()
    # a part still chained (a longer chain, no single bridge) is judged as review like any chain
    return [_judge(part, band, score, review_threshold, duplicate_threshold) for part in parts]


def _parts(members: list[int], adjacent: dict[int, set[int]]) -> list[list[int]]:
    """Connected parts (≥ 2 deals) of ``members`` over ``adjacent``."""
    left = set(members)
    out = []
    while left:
        seed = min(left)
        left.discard(seed)
        part, stack = [seed], [seed]
        while stack:
            for n in adjacent.get(stack.pop(), set()) & left:
                left.discard(n)
                part.append(n)
                stack.append(n)
        if len(part) > 1:
            out.append(sorted(part))
    return out
