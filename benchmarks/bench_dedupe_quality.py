"""Dedupe matching quality on the labelled generator, at the default thresholds.

``python -m benchmarks --only dedupe_quality`` (or ``python -m benchmarks.bench_dedupe_quality``).
Precision and recall are over deal *pairs*: a predicted pair is two deals in
one duplicate-band group (what ``dedupe run`` would merge unattended); a true
pair is two deals of one generated cluster. Targets: precision ≥ 0.99,
recall ≥ 0.95, 0 hard negatives (year / phase / quarter / product / site / building letter /
contradicting evidence / generic title at two companies / subsidiaries / two legal entities
of one group (GmbH / Inc) / a near word such as
Juni-Juli or Linz-Lienz / a recurring deal: renewal, retainer, re-opened after lost / a route or
pair in both directions: Long Beach - Shanghai reversed, EUR - USD, Import - Export / two
companies of near names, Zenvor / Zevnor) in one duplicate group; the note names the hard
negatives merged by kind. No sandbox, no network.

The recall target applies to the copies a copy rule may merge: the true pairs of clusters
with no ``late`` copy. Since f33h S1 the generator adds 5 % of retyped copies 2-20 days
after their deal (``late``), and nothing in them lifts the repeat rule (``evidence.added_apart``:
the generator gives no deal an identifier, a date field or anything else a copy could be
told by), so they go to review by design; a group alike pair by pair but for its late
copy is merged without it (f35e: before, the late copy took the group to review). Recall
over every true pair is shown beside it
(``recall``: 0.8985-0.9168 on seeds 11-13 where the target was set at 0.95 before late
copies existed); the check names both (f34e 6: the bench said 0.89-0.91 against 0.95 and
left the reader to find why).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import MatchResult

from .dedupe_data import LabelledSet, generate
from .harness import BenchArgs, Check, Row

TITLE = "Dedupe quality (labelled generator, default thresholds)"
FOOTNOTES = (
    "precision/recall over deal pairs in duplicate-band groups; review = pairs only in review groups",
    "recall w/o late: over the true pairs of clusters with no late copy (added 2-20 days after its "
    "deal, no identifier: review by design); the 0.95 recall target applies to it",
    "hard neg merged: hard-negative pairs (year/phase/quarter/product/site/building/contradict/generic/"
    "subsidiary/entity/near_word/renewal/retainer/reopened/route/pair/brand/numeral/extra_word/name/"
    "near_name) "
    "inside one duplicate group",
)
SEEDS = (11, 12, 13)


@dataclass(frozen=True)
class Quality:
    precision: float
    recall: float
    recall_with_review: float
    hard_negatives_merged: int
    hard_negatives_in_review: int
    predicted: int
    true: int
    missed_by_defect: dict[str, int]
    merged_by_kind: dict[str, int]
    typo_recall: float  # recall over the true pairs with a ``typo`` copy in them
    # recall over the true pairs of clusters with no ``late`` copy (the target's scope), and
    # how many true pairs the late copies' clusters hold
    recall_not_late: float = 1.0
    late_pairs: int = 0


def group_pairs(result: MatchResult, band: str) -> set[frozenset[int]]:
    """Every pair of deals that share a group of ``band``."""
    out: set[frozenset[int]] = set()
    for g in result.groups:
        if g.band != band:
            continue
        m = sorted(g.member_ids)
        out.update(frozenset((m[i], m[j])) for i in range(len(m)) for j in range(i + 1, len(m)))
    return out


def evaluate(data: LabelledSet, result: MatchResult) -> Quality:
    """Compare a MatchResult with the generator's truth."""
    truth = data.true_pairs()
    dup = group_pairs(result, "duplicate")
    review = group_pairs(result, "review")
    hit = dup & truth
    missed: Counter[str] = Counter()
    for pair in truth - dup:
        for deal_id in pair:
            for d in data.defects.get(deal_id, ()):
                missed[d] += 1
    negs = [p for p, _ in data.hard_negatives]
    late = _late_pairs(data)
    kept = truth - late
    return Quality(
        precision=len(hit) / len(dup) if dup else 1.0,
        recall=len(hit) / len(truth) if truth else 1.0,
        recall_with_review=len((dup | review) & truth) / len(truth) if truth else 1.0,
        hard_negatives_merged=sum(1 for p in negs if p in dup),
        hard_negatives_in_review=sum(1 for p in negs if p in review),
        predicted=len(dup), true=len(truth), missed_by_defect=dict(missed),
        typo_recall=_recall_of(data, truth, dup, "typo"),
        merged_by_kind=dict(Counter(kind for p, kind in data.hard_negatives if p in dup)),
        recall_not_late=len(dup & kept) / len(kept) if kept else 1.0,
        late_pairs=len(truth & late),
    )


def _late_pairs(data: LabelledSet) -> set[frozenset[int]]:
    """Every pair of each true cluster that holds a ``late`` copy (added 2-20 days after its
    deal with nothing that says copy: review by design, and its group with it)."""
    out: set[frozenset[int]] = set()
    for c in data.clusters:
        if any("late" in data.defects.get(i, ()) for i in c):
            m = sorted(c)
            out.update(frozenset((m[i], m[j])) for i in range(len(m)) for j in range(i + 1, len(m)))
    return out


def _recall_of(data: LabelledSet, truth: set[frozenset[int]], dup: set[frozenset[int]],
               defect: str) -> float:
    pairs = {p for p in truth if any(defect in data.defects.get(i, ()) for i in p)}
    return len(pairs & dup) / len(pairs) if pairs else 1.0


def run(args: BenchArgs) -> list[Row]:
    config = DedupeConfig.default()
    rows = []
    for seed in SEEDS[:1] if args.quick else SEEDS:
        data = generate(seed, companies=150 if args.quick else 600)
        t0 = time.process_time()
        result = find_duplicates(data.deals, config)
        cpu = time.process_time() - t0
        q = evaluate(data, result)
        rows.append(Row(
            scenario=f"seed {seed}, {len(data.deals)} deals", runner="find_duplicates",
            extra={"precision": f"{q.precision:.4f}", "recall": f"{q.recall:.4f}",
                   "recall w/o late": f"{q.recall_not_late:.4f}", "late pairs": q.late_pairs,
                   "recall incl. review": f"{q.recall_with_review:.4f}",
                   "typo recall": f"{q.typo_recall:.4f}",
                   "hard neg merged": q.hard_negatives_merged, "hard neg in review": q.hard_negatives_in_review,
                   "true pairs": q.true, "cpu s": f"{cpu:.2f}"},
            note="; ".join(x for x in (
                f"missed by defect: {q.missed_by_defect}" if q.missed_by_defect else "",
                f"hard negatives merged: {q.merged_by_kind}" if q.merged_by_kind else "") if x),
            checks=[Check("precision >= 0.99", q.precision >= 0.99, f"{q.precision:.4f}"),
                    Check("recall >= 0.95 (clusters without a late copy)",
                          q.recall_not_late >= 0.95,
                          f"{q.recall_not_late:.4f}; all true pairs {q.recall:.4f}, "
                          f"{q.late_pairs} pairs in late copies' clusters go to review by "
                          "design (the target predates them)"),
                    Check("0 hard negatives merged", q.hard_negatives_merged == 0,
                          str(q.hard_negatives_merged))],
        ))
    return rows


if __name__ == "__main__":
    from .harness import format_table
    print(format_table(TITLE, run(BenchArgs()), FOOTNOTES))
