"""Dedupe matching quality on the labelled generator, at the default thresholds.

``python -m benchmarks --only dedupe_quality`` (or ``python -m benchmarks.bench_dedupe_quality``).
Precision and recall are over deal *pairs*: a predicted pair is two deals in
one duplicate-band group (what ``dedupe run`` would merge unattended); a true
pair is two deals of one generated cluster. Targets: precision ≥ 0.99,
recall ≥ 0.95, 0 hard negatives (year / phase / quarter / product / site / building letter /
contradicting evidence / generic title at two companies / subsidiaries / two legal entities
of one group (GmbH / Inc) / a near word such as
Juni-Juli or Linz-Lienz / a recurring deal: renewal, retainer, re-opened after lost / a route or
pair in both directions: Long Beach - Shanghai reversed, EUR - USD, Import - Export) in one
duplicate group; the note names the hard negatives merged by kind. No sandbox, no network.
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
    "hard neg merged: hard-negative pairs (year/phase/quarter/product/site/building/contradict/generic/"
    "subsidiary/entity/near_word/renewal/retainer/reopened/route/pair/brand/numeral/extra_word/name) "
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
    return Quality(
        precision=len(hit) / len(dup) if dup else 1.0,
        recall=len(hit) / len(truth) if truth else 1.0,
        recall_with_review=len((dup | review) & truth) / len(truth) if truth else 1.0,
        hard_negatives_merged=sum(1 for p in negs if p in dup),
        hard_negatives_in_review=sum(1 for p in negs if p in review),
        predicted=len(dup), true=len(truth), missed_by_defect=dict(missed),
        typo_recall=_recall_of(data, truth, dup, "typo"),
        merged_by_kind=dict(Counter(kind for p, kind in data.hard_negatives if p in dup)),
    )


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
                   "recall incl. review": f"{q.recall_with_review:.4f}",
                   "typo recall": f"{q.typo_recall:.4f}",
                   "hard neg merged": q.hard_negatives_merged, "hard neg in review": q.hard_negatives_in_review,
                   "true pairs": q.true, "cpu s": f"{cpu:.2f}"},
            note="; ".join(x for x in (
                f"missed by defect: {q.missed_by_defect}" if q.missed_by_defect else "",
                f"hard negatives merged: {q.merged_by_kind}" if q.merged_by_kind else "") if x),
            checks=[Check("precision >= 0.99", q.precision >= 0.99, f"{q.precision:.4f}"),
                    Check("recall >= 0.95", q.recall >= 0.95, f"{q.recall:.4f}"),
                    Check("0 hard negatives merged", q.hard_negatives_merged == 0,
                          str(q.hard_negatives_merged))],
        ))
    return rows


if __name__ == "__main__":
    from .harness import format_table
    print(format_table(TITLE, run(BenchArgs()), FOOTNOTES))
