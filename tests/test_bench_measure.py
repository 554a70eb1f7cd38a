"""The engine bench's rate figures (``benchmarks.harness``): the whole-run figures (every
slot's path averaged, and the last slot's) and the steady-state one, none ever above the
limit a rolling window enforces."""

from __future__ import annotations

import bisect
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.harness import latency_cap, slot_efficiency, steady_efficiency, window_efficiency

BURST, WINDOW = 40, 2.0


def _rolling(gaps: list[float], burst: int = BURST, window: float = WINDOW) -> list[float]:
    """Send times ``gaps`` apart, each held back until a rolling window of ``burst`` per
    ``window`` has room for it: what a server that never 429s lets through."""
    times: list[float] = []
    for i, gap in enumerate(gaps):
        t = (times[-1] + gap) if times else 0.0
        if i >= burst:
            t = max(t, times[i - burst] + window)
        times.append(t)
    return times


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=0.2), min_size=BURST + 1, max_size=400))
def test_steady_figure_never_reads_above_the_limit(gaps: list[float]) -> None:
    """Whatever the pacing within a rolling window, the steady figure is at most 1.0."""
    figure = steady_efficiency(_rolling(gaps), BURST, WINDOW)
    assert figure is None or figure <= 1.0 + 1e-9


def test_a_slow_start_lowers_the_whole_run_figure_only() -> None:
    """The first burst at once, the next one a second late (the round trips unknown yet),
    then one burst a window: the whole-run figure counts the late start, the steady one
    (from the third window on) does not."""
    times = [0.0] * BURST + [w * WINDOW + 1.0 + k * 1e-3 for w in range(1, 12)
                             for k in range(BURST)]
    whole = window_efficiency(times, BURST, WINDOW)
    assert whole is not None and whole < 0.97
    figure = steady_efficiency(times, BURST, WINDOW)
    assert figure is not None and abs(figure - 1.0) < 1e-9


def test_steady_figure_counts_whole_bursts_from_the_third_window() -> None:
    """One burst at the start of each window: 1.0 exactly, though the tail is short."""
    times = [w * WINDOW + k * 1e-3 for w in range(10) for k in range(BURST)] + [20.0]
    figure = steady_efficiency(times, BURST, WINDOW)
    assert figure is not None and abs(figure - 1.0) < 1e-9


def test_too_short_a_run_has_no_steady_figure() -> None:
    """Less than one whole burst after the start-up: no figure, not a guess."""
    assert steady_efficiency([0.0] * BURST + [WINDOW], BURST, WINDOW) is None
    assert steady_efficiency([], BURST, WINDOW) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=0.2), min_size=BURST + 1, max_size=400))
def test_every_slot_figure_never_reads_above_the_limit(gaps: list[float]) -> None:
    """Whatever the pacing within a rolling window, every slot's path averaged reads at
    most 1.0."""
    figure = slot_efficiency(_rolling(gaps), BURST, WINDOW)
    assert figure is None or figure <= 1.0 + 1e-9


def _least_latency_known(seed: int, first_over: float, n: int = 600) -> list[float]:
    """Send times of a client that knows the least latency (100 ms) exactly and sends each
    call as soon as it cannot arrive early: its arrival a window after the one ``BURST``
    before it, at 150 ± 50 ms on the way there (the sandbox's latency). Its first window's
    sends are spread over ``first_over`` seconds."""
    rng, sends, arrivals = random.Random(seed), list[float](), list[float]()
    for k in range(n):
        at = first_over * k / BURST if k < BURST else max(sends[-1],
                                                          arrivals[k - BURST] + WINDOW - 0.1)
        sends.append(at)
        bisect.insort(arrivals, at + rng.uniform(0.1, 0.2))
    return sends


def test_a_slower_first_window_does_not_raise_the_every_slot_figure() -> None:
    """A client that never sends a call early, its first burst at once or spread over
    1 s (which ends the run 0.8 s later): the last slot's figure reads it higher when
    slower and under 0.97 when at once, every slot's figure the same both ways, the
    latency's spread at 150 ± 50 ms (1 ÷ (1 + 0.05 ÷ 2) = 0.9756) (f35b)."""
    for seed in range(3):
        fast, slow = _least_latency_known(seed, 0.0), _least_latency_known(seed, 1.0)
        assert slow[-1] - fast[-1] > 0.5
        last_fast, last_slow = (window_efficiency(t, BURST, WINDOW) for t in (fast, slow))
        assert last_fast is not None and last_slow is not None
        assert last_fast < 0.97 and last_slow > last_fast
        every_fast, every_slow = (slot_efficiency(t, BURST, WINDOW) for t in (fast, slow))
        assert every_fast is not None and every_slow is not None
        assert abs(every_fast - every_slow) < 0.002
        assert abs(every_fast - 1 / 1.025) < 0.003


def test_every_slot_figure_leaves_a_partial_last_window_out() -> None:
    """One burst at the start of each window, then half a burst: 1.0 exactly (the last
    slot's figure counts the half burst over a whole window: under 0.97)."""
    times = [w * WINDOW + k * 1e-3 for w in range(15) for k in range(BURST)]
    times += [15 * WINDOW + k * 1e-3 for k in range(BURST // 2)]
    figure = slot_efficiency(times, BURST, WINDOW)
    assert figure is not None and abs(figure - 1.0) < 1e-3
    last = window_efficiency(times, BURST, WINDOW)
    assert last is not None and last < 0.97


def test_too_short_a_run_has_no_every_slot_figure() -> None:
    """Less than two whole windows of sends: no figure."""
    assert slot_efficiency([0.0] * (2 * BURST - 1), BURST, WINDOW) is None
    assert slot_efficiency([], BURST, WINDOW) is None


def test_the_latency_cap_is_what_the_spread_leaves() -> None:
    """150 ± 50 ms round trips: 1 ÷ (1 + 0.05 ÷ 2); one latency for all: 1.0; a client that
    never sends early, fed those latencies, reads it on every slot's figure (f50d)."""
    rng = random.Random(4)
    rtts = [rng.uniform(0.1, 0.2) for _ in range(20_000)]
    cap = latency_cap(rtts, WINDOW)
    assert cap is not None and abs(cap - 1 / 1.025) < 0.001
    assert latency_cap([0.15] * 10, WINDOW) == 1.0
    assert latency_cap([0.15], WINDOW) is None
    for seed in range(3):
        every = slot_efficiency(_least_latency_known(seed, 0.0), BURST, WINDOW)
        assert every is not None and abs(every - 1 / 1.025) < 0.003
