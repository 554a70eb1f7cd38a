"""Clustering alone: components over duplicate edges, cannot-link, anti-chaining and bridges."""

from __future__ import annotations

from jobs.dedupe.cluster import MAX_GROUP, build_components, clusters
from jobs.dedupe.model import ScoredPair

REVIEW = 0.70


DUPLICATE = 0.85


def run(dup: dict[tuple[int, int], float], others: dict[tuple[int, int], float],
        cannot: set[frozenset[int]] = frozenset(),  # type: ignore[assignment]
        review: dict[tuple[int, int], float] | None = None) -> list[tuple[str, tuple[int, ...], bool]]:
    """Deal ids equal indexes here; pairs not listed score 0."""
    scores = {**dup, **others, **(review or {})}
    ids = {i for p in scores for i in p}
    index = {i: i for i in ids}

    def score(i: int, j: int) -> float:
        return scores.get((min(i, j), max(i, j)), 0.0)

    pairs = [ScoredPair(a, b, s, "duplicate", ()) for (a, b), s in dup.items()]
    rev = [ScoredPair(a, b, s, "review", ()) for (a, b), s in (review or {}).items()]
    found = clusters(pairs, rev, index, score, lambda i, j: frozenset((i, j)) in cannot, REVIEW,
                     DUPLICATE)
    return sorted((c.band, c.members, c.chained) for c in found)


def test_consistent_component_is_a_duplicate_group() -> None:
    """All pairs at or above review: one duplicate group."""
    assert run({(1, 2): 0.9, (2, 3): 0.9}, {(1, 3): 0.85}) == [("duplicate", (1, 2, 3), False)]


def test_a_pair_below_the_duplicate_threshold_makes_the_group_review() -> None:
    """#11 v11r5 C2: ``X GmbH`` ~ ``X`` ~ ``X AG`` at 1.000, ``X GmbH`` ~ ``X AG`` 0.80 (two
    legal entities): the group is review, not merged (before: band duplicate, score 0.80)."""
    assert run({(1, 2): 1.0, (2, 3): 1.0}, {(1, 3): 0.80}) == [("review", (1, 2, 3), False)]


def test_long_chain_without_a_bridge_goes_to_review() -> None:
    """1~2~3~4 where 1 and 4 are unlike and no single deal bridges unlike deals: one review group."""
    got = run({(1, 2): 0.9, (2, 3): 0.9, (3, 4): 0.9}, {(1, 3): 0.75, (2, 4): 0.75, (1, 4): 0.3})
    assert got == [("review", (1, 2, 3, 4), True)]


def test_bridge_is_cut_out() -> None:
    """5 links {1,2} and {3,4} that are unlike each other: two duplicate groups, 5 left out."""
    dup = {(1, 2): 0.95, (3, 4): 0.95, (1, 5): 0.9, (2, 5): 0.9, (3, 5): 0.9, (4, 5): 0.9}
    assert run(dup, {}) == [("duplicate", (1, 2), False), ("duplicate", (3, 4), False)]


def test_cannot_link_holds_through_a_third_deal() -> None:
    """1~2 and 2~3 strong but 1 and 3 may not meet: they never share a group."""
    got = run({(1, 2): 0.95, (2, 3): 0.9}, {(1, 3): 0.9}, cannot={frozenset((1, 3))})
    assert got == [("duplicate", (1, 2), False)]


def test_review_edges_group_leftover_deals_only() -> None:
    """Review-band edges group deals no duplicate group took."""
    got = run({(1, 2): 0.95}, {}, review={(2, 3): 0.75, (4, 5): 0.72})
    assert got == [("duplicate", (1, 2), False), ("review", (4, 5), False)]


def test_component_size_is_capped() -> None:
    """A run of identical deals never grows a group past MAX_GROUP."""
    n = MAX_GROUP + 20
    edges = [(i, i + 1, 1.0) for i in range(n)]
    comps = build_components(edges, lambda i, j: False, set())
    assert all(len(c) <= MAX_GROUP for c in comps)
    assert sum(len(c) for c in comps) == n + 1


def test_part_still_chained_after_cutting_the_bridge_goes_to_review() -> None:
    """Cutting bridge 5 leaves {6,7} (5 fits it: joins) and the chain 1~2~3~4 (review, not dropped)."""
    dup = {(1, 2): 0.9, (2, 3): 0.9, (3, 4): 0.9, (1, 5): 0.9, (5, 6): 0.9, (6, 7): 0.95}
    others = {(1, 3): 0.75, (2, 4): 0.75, (2, 5): 0.75, (5, 7): 0.85}
    assert run(dup, others) == [("duplicate", (5, 6, 7), False), ("review", (1, 2, 3, 4), True)]
