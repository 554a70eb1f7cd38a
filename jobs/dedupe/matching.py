"""``find_duplicates``: deals in, scored pairs and merge groups out. The one entry point of matching.

Pipeline: normalize each deal once (normalize.py), mark the catch-all orgs and persons
(catch_all.py: one record many customers share, judged from these deals' counts) ->
candidate pairs by blocking (blocking.py, never all-pairs) -> score each pair with its reasons
(scoring.py) -> group duplicate-band edges, then review-band edges, under
guards, ``keep_separate`` and anti-chaining (cluster.py) -> pick each group's
survivor and merge order (survivor.py). Pure: no I/O, no Pipedrive calls;
the same input gives the same output.
"""

from __future__ import annotations

import functools
import gc
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import ParamSpec, TypeVar

from .blocking import candidate_pairs
from .catch_all import catch_alls
from .catch_all import weak as catch_all_weak
from .cluster import Cluster, clusters, parts
from .config import DedupeConfig
from .evidence import NOT_AS_PLANNED, NOT_INCLUDED, guard_reasons, not_included, two_companies
from .model import DealRecord, Group, MatchResult, ScoredPair
from .scoring import (
    ADDED_APART,
    REVIEW_AT_MOST,
    Prepared,
    _score_unguarded,
    guarded,
    held_against,
    held_rules,
    prepare,
    score_held,
    score_pair,
)
from .survivor import rank

# DealRecord fields compared for Group.differing (custom fields are added by key)
DIFF_FIELDS = ("title", "status", "org_id", "person_id", "value", "currency", "pipeline_id", "stage_id",
               "owner_id", "expected_close_date")


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _gc_paused(f: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``f`` with the cyclic garbage collector paused (as it was before, after). Matching
    builds a few objects per deal and per pair and frees them by reference counting (it
    makes no cycles); with 100,000 deals alive every full collection walks them all again:
    a quarter of a nightly plan's CPU time, for nothing to collect."""
    @functools.wraps(f)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not gc.isenabled():
            return f(*args, **kwargs)
        gc.disable()
        try:
            return f(*args, **kwargs)
        finally:
            gc.enable()
    return paused


THROUGH = "held apart through a deal merged into one of them"  # pair reason prefix
SPLIT_BY_CUSTOMER = "split from a review group of"  # group reason prefix (``parts``)


@_gc_paused
def find_duplicates(deals: Iterable[DealRecord], config: DedupeConfig, *,
                    keep_separate: Collection[frozenset[int]] = (),
                    focus: Collection[int] | None = None,
                    absorbed: Mapping[int, Sequence[DealRecord]] | None = None) -> MatchResult:
    """Find duplicate deals.

    ``deals``: the account's deals (ids unique; a repeated id is ignored after
    its first record). ``keep_separate``: pairs of deal ids a person marked
    distinct; never proposed, never in one group. ``focus``: deal ids; when
    given only candidate pairs with at least one member in focus are scored
    (nightly incremental runs: changed deals against the index). ``absorbed``:
    deal id -> the records of deals already merged into it (``index.absorbed``);
    a survivor stands for them, so a guard or keep-separate pair that holds with
    any of them holds with the survivor (what one plan kept apart through a deal
    it merged away, the next plan keeps apart too).

    Returns ``MatchResult``: groups (each deal in at most one; survivor first
    by ``config.survivor_rules``), every review/duplicate-band pair, and the
    number of candidate pairs scored. Raises nothing for well-typed input.
    """
    prepared: list[Prepared] = []
    index: dict[int, int] = {}
    for d in deals:
        if d.id not in index:
            index[d.id] = len(prepared)
            prepared.append(prepare(d, config))
    # catch-all orgs / persons (one record many customers share), judged from the deals'
    # own counts: a shared one ties no pair to one customer (x33r1 F2)
    weak = catch_alls((p.deal, p.title.text) for p in prepared)
    if weak:
        prepared = [_marked(p, weak) for p in prepared]
    # the account's title words (deals using each): a word its titles use again and again,
    # mistyped once, is that word when all else agrees (``lexicon.account_slip``, f36e 1)
    vocab = Counter(t for p in prepared for t in set(p.title.tokens))
    prepared = [replace(p, vocab=vocab) for p in prepared]
    separate = {frozenset(s) for s in keep_separate if len(frozenset(s)) == 2}
    focus_idx = None if focus is None else {index[f] for f in focus if f in index}
    family = {d: (prepared[index[d]].deal, *recs) for d, recs in (absorbed or {}).items()
              if recs and d in index}

    family_prepared: dict[int, Prepared] = {}  # id() of a family's record -> prepared

    def prep(d: DealRecord) -> Prepared:
        got = family_prepared.get(id(d))
        if got is None:
            got = family_prepared[id(d)] = _marked(prepare(d, config), weak)
        return got

    def held_through(sp: ScoredPair) -> ScoredPair:
        """``sp``, held at review when a pair between one deal and a deal merged into the
        other was in the review band through evidence against it (``AGAINST_RULES``): the
        survivor's fields filled by the merge must not hide it (Hypothesis: a won deal at
        100, review against an open one at 250 — values and status contradict — became a
        duplicate of the survivor that absorbed the 250 one and kept its own 100)."""
        if sp.band != "duplicate" or (sp.a not in family and sp.b not in family):
            return sp
        a, b = prepared[index[sp.a]].deal, prepared[index[sp.b]].deal
        for x in family.get(a.id, (a,)):
            for y in family.get(b.id, (b,)):
                if x is a and y is b:
                    continue
                if rules := held_against(prep(x), prep(y), config):
                    merged = y.id if x is a else x.id
                    return replace(sp, band="review", reasons=(
                        *sp.reasons, f"{REVIEW_AT_MOST}: {', '.join(rules)} with deal {merged}, "
                        "merged into one of them"))
        return sp

    def said_held(sp: ScoredPair, i: int, j: int) -> ScoredPair:
        """A review pair with the "review at most" rules that hold for it named (``review
        at most: recurring``), each cap checked whatever its score: ``apply`` leaves it to a
        person even with --include-review (x34r2 F3); a pair in the review band by its score
        alone (a typo'd title) names none."""
        if sp.band != "review" or any(r.startswith(REVIEW_AT_MOST) for r in sp.reasons):
            return sp
        rules = held_rules(prepared[i], prepared[j], config)
        return replace(sp, reasons=(*sp.reasons, f"{REVIEW_AT_MOST}: {', '.join(rules)}")) \
            if rules else sp

    def apart(a: DealRecord, b: DealRecord) -> bool:
        """A guard or a keep-separate pair between the two deals or what they absorbed."""
        if a.id not in family and b.id not in family:
            return guarded(a, b, config.guards, config.identifier_fields) or frozenset((a.id, b.id)) in separate
        return any(guarded(x, y, config.guards, config.identifier_fields) or frozenset((x.id, y.id)) in separate
                   for x in family.get(a.id, (a,)) for y in family.get(b.id, (b,)))

    def apart_why(a: DealRecord, b: DealRecord) -> str:
        """Which absorbed deal and which guard (or keep-separate) hold ``a`` and ``b``
        apart: ``deal 9635 (merged into 9634) with deal 9636: guard: won with lost``
        (x34r2 F8: pairs.csv named neither)."""
        for x in family.get(a.id, (a,)):
            for y in family.get(b.id, (b,)):
                why = ("keep-separate (a person's decision)"
                       if frozenset((x.id, y.id)) in separate
                       else "; ".join(guard_reasons(x, y, config.guards, config.identifier_fields)))
                if why:
                    one = f"deal {x.id} (merged into {a.id})" if x is not a else f"deal {a.id}"
                    two = f"deal {y.id} (merged into {b.id})" if y is not b else f"deal {b.id}"
                    return f"{one} with {two}: {why}"
        return ""

    cands = candidate_pairs(prepared, max_block_size=config.max_block_size, window=config.window,
                            focus=focus_idx)
    scores: dict[tuple[int, int], float] = {}
    kept: list[ScoredPair] = []
    held: list[ScoredPair] = []
    for i, j in cands:
        if guarded(prepared[i].deal, prepared[j].deal, config.guards, config.identifier_fields):
            if (g := score_held(prepared[i], prepared[j], config)) is not None:
                held.append(g)
            continue
        sp = _score_unguarded(prepared[i], prepared[j], config)  # (score_if_kept, guard checked)
        if sp is None:
            continue
        if frozenset((sp.a, sp.b)) in separate or (
                family and apart(prepared[i].deal, prepared[j].deal)):
            why = ("keep-separate (a person's decision)" if frozenset((sp.a, sp.b)) in separate
                   else f"{THROUGH}: {apart_why(prepared[i].deal, prepared[j].deal)}")
            held.append(ScoredPair(sp.a, sp.b, sp.score, "distinct", (*sp.reasons, why)))
            continue
        if family:
            sp = held_through(sp)
        scores[(i, j) if i < j else (j, i)] = sp.score
        kept.append(said_held(sp, i, j))
    compared = len(cands)
    del cands  # (memory) a full plan's million candidate pairs, before the groups are built
    kept.sort(key=lambda p: (p.a, p.b))

    def score(i: int, j: int) -> float:
        key = (i, j) if i < j else (j, i)
        s = scores.get(key)
        if s is None:
            s = scores[key] = score_pair(prepared[i], prepared[j], config).score
        return s

    def cannot_link(i: int, j: int) -> bool:
        return apart(prepared[i].deal, prepared[j].deal)

    def late_out(members: list[int]) -> list[int] | None:
        """The members of a duplicate component to keep when its pairs below the duplicate
        threshold are held only by the repeat rule (``ADDED_APART``: a late copy, within
        the copy gap of one copy, days after another): the latest-added deal of the most
        such pairs leaves, until none is left; None when another rule holds one of them
        (two persons, legal entities...: the group stays whole, at review)."""
        below = [(i, j) for x, i in enumerate(members) for j in members[x + 1:]
                 if score(i, j) < config.duplicate_threshold]
        if not below or any(held_rules(prepared[i], prepared[j], config) != (ADDED_APART,)
                            for i, j in below):
            return None
        keep = list(members)
        while below:
            count = Counter(m for pair in below for m in pair)
            out = max(keep, key=lambda m: (count[m], _added(prepared[m].deal), m))
            keep.remove(out)
            below = [pair for pair in below if out not in pair]
        return keep

    def by_customer(c: Cluster) -> list[Cluster]:
        """A review group holding a catch-all org's or person's deals, split by the deals'
        org and person (``cluster.parts``; x35r2: one group of 46-48 deals of several
        catch-all persons, which no reviewer can act on): a part per org and person with 2+
        deals, and one of the deals alone with theirs, the parts naming each other
        (``parted``); a deal with neither org nor person is alone with its own."""
        if c.band != "review" or not any(prepared[m].weak_org or prepared[m].weak_person
                                         for m in c.members):
            return [c]
        def key(m: int) -> object:
            d = prepared[m].deal
            return (d.org_id, d.person_id) if d.org_id or d.person_id else ("deal", d.id)
        split = parts(c, key, score, config.review_threshold, config.duplicate_threshold)
        if split == [c]:
            return split
        ids = [f"g-{min(prepared[m].deal.id for m in p.members)}" for p in split]
        alone = sorted(prepared[m].deal.id for m in c.members
                       if not any(m in p.members for p in split))
        out = []
        for n, p in enumerate(split):
            others = ", ".join(i for k, i in enumerate(ids) if k != n) or "none"
            out.append(replace(p, parted=(
                f"{SPLIT_BY_CUSTOMER} {len(c.members)} deals at a catch-all, one part per org "
                f"and person, one of the deals alone with theirs (the other parts: {others}"
                + (f"; in no group: deal {', '.join(map(str, alone))}" if alone else "")
                + ")")))
        return out

    pair_by_ids = {(p.a, p.b): p for p in kept}
    found = clusters([p for p in kept if p.band == "duplicate"], [p for p in kept if p.band == "review"],
                     index, score, cannot_link, config.review_threshold,
                     config.duplicate_threshold, split=late_out)
    found = [p for c in found for p in by_customer(c)]
    inside: list[ScoredPair] = []  # every pair of a group is in the plan (apply checks chains)
    at_review: set[int] = set()  # clusters with a pair a "review at most" rule holds (x21r2 F1)
    # clusters with a pair nothing ties to one customer (x33r3 F1): its reason and its deals
    no_tie: dict[int, tuple[str, int, int]] = {}
    for n, c in enumerate(found):
        for x, i in enumerate(c.members):
            for j in c.members[x + 1:]:
                a, b = sorted((prepared[i].deal.id, prepared[j].deal.id))
                p = pair_by_ids.get((a, b))
                if p is None:
                    p = score_pair(prepared[i], prepared[j], config)
                    if family:
                        p = held_through(p)
                    p = said_held(p, i, j)
                    inside.append(p)
                if c.band == "duplicate" and p.band != "duplicate":
                    at_review.add(n)  # a group is a duplicate only when every pair of it is
                if n not in no_tie and (loose := not_included(p.reasons)) is not None:
                    no_tie[n] = (loose, a, b)
    found = [replace(c, band="review") if n in at_review else c for n, c in enumerate(found)]
    groups = [_group(c, prepared, pair_by_ids, config, no_tie.get(n))
              for n, c in enumerate(found)]
    groups.sort(key=lambda g: min(g.member_ids))
    kept.extend(p for p in inside if p.band != "distinct")
    kept.sort(key=lambda p: (p.a, p.b))
    held.extend(p for p in inside if p.band == "distinct")
    held.sort(key=lambda p: (p.a, p.b))
    return MatchResult(tuple(groups), tuple(kept), compared, tuple(held))


def _added(d: DealRecord) -> float:
    """The deal's add_time as Unix seconds (no add_time: the earliest)."""
    return d.add_time.timestamp() if d.add_time is not None else float("-inf")


def _marked(p: Prepared, weak: Mapping[tuple[str, int], str]) -> Prepared:
    """``p`` with why its org / person is a catch-all record (``catch_all.weak``), if it is."""
    org = catch_all_weak(weak, "org", p.deal.org_id, p.title.text)
    person = catch_all_weak(weak, "person", p.deal.person_id, p.title.text)
    return replace(p, weak_org=org, weak_person=person) if org or person else p


def _group(c: Cluster, prepared: Sequence[Prepared], pair_by_ids: dict[tuple[int, int], ScoredPair],
           config: DedupeConfig, no_tie: tuple[str, int, int] | None = None) -> Group:
    """The plan's group of cluster ``c``; ``no_tie``: the reason of a pair of it that keeps
    --include-review off it (``evidence.not_included``) and the pair's deal ids, said on a
    review group as what --include-review leaves to a person: once, on the weakest pair's
    own reason when it has it too (``review at most: added days apart: --include-review
    does not merge it ...``), else after it naming the pair (``... (deals 1082~1184): ...``;
    x35r2 2, the reason was said twice)."""
    members = [prepared[i].deal for i in c.members]
    ordered, why = rank(members, config.survivor_rules)
    a, b = sorted((prepared[c.weakest[0]].deal.id, prepared[c.weakest[1]].deal.id))
    weakest = pair_by_ids.get((a, b))
    reasons: list[str] = [f"{len(members)} deals", f"weakest pair {a}~{b} {c.min_score:.2f}"]
    if c.chained:
        reasons.append(f"chained: {a}~{b} below review {config.review_threshold:.2f}: {NOT_AS_PLANNED}")
    elif c.demoted:
        reasons.append(f"weakest pair {a}~{b} below duplicate {config.duplicate_threshold:.2f}: "
                       "the group needs review")
    for i in c.left_out:  # a late copy: the next plan pairs it with the survivor, at review
        late = prepared[i].deal
        first = min(members, key=lambda d: (_added(d), d.id))
        reasons.append(f"deal {late.id} left out: added days apart from deal {first.id} (a "
                       "late copy or a repeat?): it waits for review, paired with the survivor "
                       "by the next plan")
    if c.parted:
        reasons.append(c.parted)
    if weakest is not None:
        reasons.extend(weakest.reasons)
    loose = ""
    if no_tie is not None:
        loose, x, y = no_tie
        if loose not in reasons:  # another pair's: named
            loose = f"{loose} (deals {x}~{y})"
    if c.band == "review" and (two := two_companies(members) or loose):
        # a chain: the chaining guard refuses decision = merge too, so no hint promises it
        hint = (f"{two}: --include-review does not merge it" if c.chained
                else f"{two}: {NOT_INCLUDED}")
        if two in reasons:  # the weakest pair's own reason: said once, with the hint
            reasons[reasons.index(two)] = hint
        else:
            reasons.append(hint)
    return Group(
        id=f"g-{min(d.id for d in members)}",
        survivor_id=ordered[0].id,
        merged_ids=tuple(d.id for d in ordered[1:]),
        band="review" if c.band == "review" else "duplicate",
        score=round(c.min_score, 4),
        reasons=tuple(reasons),
        survivor_reasons=why,
        differing=differing(members),
        left_out=tuple(sorted(prepared[i].deal.id for i in c.left_out)),
    )


def differing(members: Sequence[DealRecord]) -> tuple[str, ...]:
    """DealRecord field names, the other standard fields a merge can lose
    (``DealRecord.more``) and custom field keys whose values are not all equal."""
    out = [f for f in DIFF_FIELDS if len({getattr(d, f) for d in members}) > 1]
    more = sorted({k for d in members for k in d.more})  # labels, probability...: x18r1 2
    out.extend(k for k in more if len({repr(d.more.get(k)) for d in members}) > 1)
    keys = sorted({k for d in members for k in d.fields})
    out.extend(k for k in keys if len({repr(d.fields.get(k)) for d in members}) > 1)
    return tuple(out)
