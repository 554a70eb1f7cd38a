"""The scheduler's count of its own calls in the server's window (``_ours``, read on every
answer with window headers) settles from a bound when the bound tells (issue 8): the
same verdict on another client's calls as the full count, and at 240 calls/s a handful
of reads of the answers kept instead of one per answer of the span."""

from __future__ import annotations

import random
from collections import deque
from typing import Any

from bulk.clock import FakeClock
from bulk.plans import plan_limits
from bulk.scheduler import Scheduler


class _Reads(deque[Any]):
    """A deque that counts its indexed reads (bisect's and the loop's)."""

    reads = 0

    def __getitem__(self, i: Any) -> Any:
        _Reads.reads += 1
        return super().__getitem__(i)


def _loaded(rate: float, seconds: float, latency: float, seed: int) -> Scheduler:
    """A scheduler whose logs hold ``seconds`` of calls at ``rate`` answered after
    ``latency`` ± 50 ms (as ``leaving`` / ``_answered`` fill them)."""
    clock = FakeClock()
    s = Scheduler(plan_limits("ultimate", auth="oauth"), clock=clock)
    rng = random.Random(seed)
    sends = [k / rate for k in range(int(rate * seconds))]
    answers = sorted((at + latency + rng.uniform(-0.05, 0.05), at) for at in sends)
    s._sent_log, s._done_log = deque(sends), _Reads(answers)
    s._slowest = latency + 0.05
    return s


def test_bound_gives_the_full_counts_verdict() -> None:
    """For any server count, ``used > _ours(.., enough=used)`` iff ``used > _ours(..)``."""
    for seed in range(20):
        s = _loaded(240.0, 6.0, 0.15, seed)
        rng = random.Random(seed)
        for _ in range(40):
            answered = rng.uniform(3.0, 5.5)
            sent = answered - rng.uniform(0.1, 0.2)
            full = s._ours(sent, answered)
            for used in (0, full - 1, full, full + 1, 480, 700):
                assert (used > s._ours(sent, answered, enough=used)) == (used > full), (
                    seed, sent, answered, used, full)


def test_answers_read_few_times_at_full_speed() -> None:
    """At 240 calls/s with a full window counted (480 used), ≤ 60 reads of the answers
    kept (the full count read ~200: one per answer of its span)."""
    s = _loaded(240.0, 6.0, 0.15, 1)
    _Reads.reads = 0
    assert not 480 > s._ours(5.0, 5.15, enough=480)  # the run's own calls explain it
    assert _Reads.reads <= 60, _Reads.reads
    _Reads.reads = 0
    s._ours(5.0, 5.15)
    assert _Reads.reads > 100  # the full count, for the figure
