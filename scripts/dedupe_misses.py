"""Why labelled duplicates miss the duplicate band: counts per reason, with examples.

``python scripts/dedupe_misses.py [seed ...] [--examples N]`` (seeds 11 12 13 by default,
600 companies as the quality benchmark). For every true pair of the labelled generator
(``benchmarks.dedupe_data``) that is not inside one duplicate-band group, the pair is scored
alone (``scoring.score_pair``) and filed under the reason that kept it out: the first cap
reason found (``different order``, ``near word``, ``two persons``...), ``low score`` when no
cap did, or ``group`` when the pair itself scores in the duplicate band (another pair of its
group, or chaining, held it back). Pure: no network, no files written.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_dedupe_quality import group_pairs
from benchmarks.dedupe_data import generate
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.scoring import prepare, score_pair

# reason prefixes that cap a score, most telling first
CAPS = ("guard:", "different order", "numbers differ", "number only on one", "a letter or a roman",
        "near word", "slip into a rare spelling", "word forms", "two real words", "ß or ss",
        "different words", "word only on one",
        "two legal entities", "nothing ties", "two persons", "contradicting evidence", "recurring",
        "dates differ")


def classify(reasons: tuple[str, ...], band: str) -> str:
    """The reason a pair missed the duplicate band (see the module docstring)."""
    if band == "duplicate":
        return "group (pair itself duplicate)"
    for cap in CAPS:
        if any(r.startswith(cap) for r in reasons):
            return cap.rstrip(":")
    return "low score"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("seeds", nargs="*", type=int, default=[11, 12, 13])
    ap.add_argument("--examples", type=int, default=3, help="examples printed per reason")
    ap.add_argument("--companies", type=int, default=600)
    args = ap.parse_args(argv)
    config = DedupeConfig.default()
    total: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for seed in args.seeds:
        data = generate(seed, companies=args.companies)
        result = find_duplicates(data.deals, config)
        dup = group_pairs(result, "duplicate")
        review = group_pairs(result, "review")
        by_id = {d.id: d for d in data.deals}
        per: Counter[str] = Counter()
        for pair in sorted(data.true_pairs() - dup, key=sorted):
            i, j = sorted(pair)
            sp = score_pair(prepare(by_id[i], config), prepare(by_id[j], config), config)
            why = classify(sp.reasons, sp.band)
            per[why] += 1
            if len(examples[why]) < args.examples * len(args.seeds):
                defects = "+".join(data.defects.get(j, ()) or data.defects.get(i, ()))
                where = "review" if pair in review else "none"
                examples[why].append(f"  {by_id[i].title!r} / {by_id[j].title!r} [{defects}] "
                                     f"{sp.score:.3f} in {where}: {'; '.join(sp.reasons)}")
        total.update(per)
        print(f"seed {seed}: {sum(per.values())} missed of {len(data.true_pairs())}: "
              + ", ".join(f"{k} {v}" for k, v in per.most_common()))
    print(f"\nall seeds: {sum(total.values())} missed")
    for why, n in total.most_common():
        print(f"{n:5d}  {why}")
        for line in examples[why][:args.examples]:
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
