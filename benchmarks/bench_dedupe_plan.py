"""Dedupe planning cost: ``find_duplicates`` over 100,000 deals, full and incremental (1 % in focus).

Runs in a fresh child process (so peak memory is this work's, not the
benchmark runner's): generates the labelled account (``dedupe_data``, ~8 deals
per company), then times ``find_duplicates``. CPU is user+sys seconds of the
call; peak RSS is the child's high-water mark (deals included) and the growth
over the loaded deals. Targets: full ≤ 30 s CPU and ≤ 500 MB; incremental ≤ 5 s.
Tokens are not measured here: planning costs list pages only (10 tokens per
500 deals, FACTS.md), i.e. 2,000 tokens for 100,000 deals.
"""

from __future__ import annotations

import multiprocessing
import random
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from .harness import BenchArgs, Check, Row

TITLE = "Dedupe planning (find_duplicates, generated account)"
FOOTNOTES = (
    "cpu s: user+sys of find_duplicates alone; peak MB: child process high-water mark incl. the deals",
    "incremental: focus = 1 % of deals chosen at random (the nightly changed deals)",
)


def _measure(companies: int, focus_share: float | None, seed: int) -> dict[str, Any]:
    from jobs.dedupe.config import DedupeConfig
    from jobs.dedupe.matching import find_duplicates

    from .dedupe_data import generate

    data = generate(seed, companies=companies)
    ids = [d.id for d in data.deals]
    n_focus = 0 if focus_share is None else max(1, int(len(ids) * focus_share))
    focus = None if focus_share is None else random.Random(seed).sample(ids, n_focus)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.process_time()
    result = find_duplicates(data.deals, DedupeConfig.default(), focus=focus)
    cpu = time.process_time() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"deals": len(ids), "cpu": cpu, "peak": peak, "growth": peak - before,
            "compared": result.compared, "groups": len(result.groups)}


def run(args: BenchArgs) -> list[Row]:
    companies = 1250 if args.quick else 12500
    rows = []
    ctx = multiprocessing.get_context("spawn")
    for label, share, cpu_target in (("full", None, 30.0), ("incremental 1 %", 0.01, 5.0)):
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            m = pool.submit(_measure, companies, share, 5).result(timeout=600)
        checks = [Check(f"cpu <= {cpu_target:g} s", m["cpu"] <= cpu_target, f"{m['cpu']:.1f} s")]
        if share is None:
            checks.append(Check("peak <= 500 MB", m["peak"] <= 500, f"{m['peak']:.0f} MB"))
        rows.append(Row(
            scenario=f"{label}, {m['deals']} deals", runner="find_duplicates",
            calls=m["compared"],
            extra={"cpu s": f"{m['cpu']:.1f}", "peak MB": f"{m['peak']:.0f}",
                   "growth MB": f"{m['growth']:.0f}", "groups": m["groups"],
                   "list tokens": (m["deals"] + 499) // 500 * 10},
            note="calls = candidate pairs scored", checks=checks))
    return rows


if __name__ == "__main__":
    from .harness import format_table
    print(format_table(TITLE, run(BenchArgs()), FOOTNOTES))
