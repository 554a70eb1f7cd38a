"""The order a parallel pass's workers are handed the tests in: the files that take longest
first, spread over the workers (``tests/conftest.py`` applies it under pytest-xdist).

``--dist worksteal`` first splits the collected tests into one contiguous run per worker,
in collection order, and a worker that runs dry later takes the second half of the
longest queue left. In file-name order a file of 30-40 s tests (the kill figures) could
start last on its worker and be the run's tail: nothing can take a running test. Here
each worker's run starts with its share of the heavy files (largest first, each to the
run with the least weight so far), then the light tests in collection order, so the tail
is made of short tests the idle workers can take. A heavy file keeps its tests together
and in order, the rest keep collection order (module-scoped fixtures are set up no more
often than xdist's own split sets them up).

The weights are ``data/file_seconds.json``: seconds per file summed from a
``--durations=0`` report of the parallel pass (a loaded machine's: only their ratios
matter); a file not named weighs nothing and keeps its place among the light ones.
Regenerate: ``python -m tests.heavy_first report.txt > tests/data/file_seconds.json``."""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

WEIGHTS = Path(__file__).parent / "data" / "file_seconds.json"
HEAVY = 20.0  # seconds: a file below this in the report is left where it was


def file_seconds() -> dict[str, float]:
    """The recorded weight of each heavy test file, ``"test_x.py"`` -> seconds."""
    return {str(k): float(v) for k, v in json.loads(WEIGHTS.read_text()).items()}


def run_sizes(count: int, workers: int) -> list[int]:
    """How many tests worksteal's first split hands each worker (xdist's own arithmetic:
    each takes what is left divided by the workers still to serve)."""
    sizes, left = [], count
    for i in range(workers):
        sizes.append(left // (workers - i))
        left -= sizes[-1]
    return sizes


def heavy_first(items: Sequence[T], file_of: Callable[[T], str], workers: int,
                weights: dict[str, float]) -> list[T]:
    """``items`` (collection order) reordered so that each of ``workers`` contiguous runs
    starts with heavy files: the same items, a heavy file's together, the rest in their
    order."""
    files: dict[str, list[T]] = {}
    for item in items:
        files.setdefault(file_of(item), []).append(item)
    heavy = sorted((f for f in files if weights.get(f, 0.0) >= HEAVY),
                   key=lambda f: (-weights[f], f))
    if workers < 2 or not heavy:
        return list(items)
    sizes = run_sizes(len(items), workers)
    runs: list[list[T]] = [[] for _ in range(workers)]
    load = [0.0] * workers
    for name in heavy:
        i = min(range(workers), key=lambda w: (load[w], w))
        runs[i].extend(files[name])
        load[i] += weights[name]
    light = iter([item for name, its in files.items() if name not in heavy for item in its])
    for run, size in zip(runs, sizes, strict=True):
        run.extend(itertools.islice(light, max(0, size - len(run))))
    return [item for run in runs for item in run] + list(light)


def _from_report(text: str) -> dict[str, int]:
    """A ``--durations=0`` report's seconds summed per test file, the heavy ones."""
    seconds: dict[str, float] = {}
    for got in re.finditer(r"^([0-9.]+)s (?:call|setup|teardown)\s+tests/([^:\s]+)::",
                           text, re.M):
        seconds[got[2]] = seconds.get(got[2], 0.0) + float(got[1])
    return {name: round(s) for name, s in sorted(seconds.items(), key=lambda kv: -kv[1])
            if s >= HEAVY}


if __name__ == "__main__":
    print(json.dumps(_from_report(Path(sys.argv[1]).read_text()), indent=0))
