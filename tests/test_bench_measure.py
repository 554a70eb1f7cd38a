"""The engine bench's rate figures (``benchmarks.harness``): the whole-run figure and the
steady-state one, neither ever above the limit a rolling window enforces."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.harness import steady_efficiency, window_efficiency

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
