"""The scheduler's pace against a server that counts calls on arrival, on virtual time:
at least 0.97 of the allowed rate, and never a window over the burst."""

from __future__ import annotations

import asyncio
import math
import random
from collections import deque

import pytest

from bulk.clock import FakeClock
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import CLOCK_SKEW, WINDOW_MARGIN, Scheduler

# No thread, socket or store here (LocalCoordinator is in-process): between two reads of
# the clock these workers and the scheduler take a few loop steps, so virtual time may
# jump after 8 quiet loop iterations, not FakeClock's default 64 (its margin for a hop to
# a thread), which were ~80 % of this file's CPU. Every figure of ``_pace``'s 6 cases
# is the same at settle 1, 2, 4, 8 and 64, and every test here passes at 1 (f40e).
SETTLE = 8

PATCH = get_operation("updateDeal")


async def _pace(burst: int, latency: float, jitter: float, calls: int) -> tuple[float, int]:
    """``calls`` PATCHes through a default Scheduler against a server whose rolling window
    counts each call when it arrives (``latency`` ± ``jitter``, uniform, all on the way
    there, as in the sandbox); (achieved ÷ allowed rate in the run's steady middle half,
    calls the server's window had no room for). The middle half: the first burst goes
    at once, and the latency's spread takes some windows to even the sending out (the
    bench's figure over 15 windows is ~0.6 % under the steady rate)."""
    clock, rng = FakeClock(settle=SETTLE), random.Random(8)
    s = Scheduler(Limits(burst=burst, daily_tokens=10**9), clock=clock)
    window, arrivals, sends, over = 2.0, deque[float](), [], 0
    left = calls

    async def worker() -> None:
        nonlocal left, over
        while left > 0:
            left -= 1
            await s.acquire(PATCH)
            sent = clock.now()
            sends.append(sent)
            await clock.sleep(max(0.0, latency + rng.uniform(-jitter, jitter)))
            now = clock.now()
            while arrivals and arrivals[0] + window <= now:
                arrivals.popleft()
            if len(arrivals) >= burst:
                over += 1
            arrivals.append(now)
            await clock.sleep(0.001)  # the way back
            s.observe(PATCH, None, sent_at=sent)

    workers = math.ceil(burst / window * (latency + jitter) * 2) + 4
    async with asyncio.TaskGroup() as tg:
        for _ in range(workers):
            tg.create_task(worker())
    lo, hi = len(sends) // 4 // burst * burst, 3 * len(sends) // 4 // burst * burst
    return (hi - lo) / (sends[hi] - sends[lo]) / (burst / window), over


@pytest.mark.anyio
@pytest.mark.parametrize("latency", [0.05, 0.15, 0.4])
@pytest.mark.parametrize("burst", [40, 120])
async def test_pace_is_097_of_the_allowed_rate_and_never_over(burst: int,
                                                             latency: float) -> None:
    """150 ± 50 ms (50 and 400 ms too), Growth's 40 and Ultimate's 120 per 2 s:
    >= 0.97 of the allowed rate (the latency's spread alone caps a safe client at 0.976:
    a call may arrive 50 ms sooner than the one whose slot it takes), and no window over
    the burst. The old 1/64 margin gave 0.96 here."""
    ratio, over = await _pace(burst, latency, 0.05, 30 * burst)
    assert over == 0
    assert ratio >= 0.97, ratio
    assert ratio <= 1 / (1 + WINDOW_MARGIN)


def test_the_window_margin_is_small_and_named() -> None:
    """WINDOW_MARGIN covers two clocks' rates (2 ms on 2 s), not the latency, nor the
    fastest round trip's error: the slots' ``_allow`` does (the jitter tests below)."""
    assert WINDOW_MARGIN == CLOCK_SKEW <= 1 / 1024


async def _slow_start(burst: int, slow: int, calls: int) -> tuple[int, float]:
    """``calls`` PATCHes by ``burst // 4`` workers (acquire with ``hold``, ``leaving``,
    ``observe``) against a server that counts each call on arrival; the first ``slow``
    calls take 40 ms longer on the way there (connections being opened), every later one
    100 ms; 1 ms back. (Spans of the window on the server's clock over the burst, the
    fastest round trip the scheduler ended with.)"""
    clock = FakeClock(settle=SETTLE)
    s = Scheduler(Limits(burst=burst, daily_tokens=10**9), clock=clock)
    window, arrivals, left = 2.0, list[float](), calls

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            n = calls - left
            admitted = await s.acquire(PATCH, hold=True)
            s.leaving(PATCH, admitted)
            sent = clock.now()
            await clock.sleep(0.14 if n <= slow else 0.1)
            arrivals.append(clock.now())
            await clock.sleep(0.001)
            s.observe(PATCH, None, sent_at=sent)

    async with asyncio.TaskGroup() as tg:
        for _ in range(burst // 4):
            tg.create_task(worker())
    arrivals.sort()
    over = sum(1 for i in range(len(arrivals) - burst)
               if arrivals[i + burst] - arrivals[i] < window - 1e-9)
    return over, s._fastest


@pytest.mark.anyio
async def test_a_faster_round_trip_dates_the_window_later() -> None:
    """The first 10 calls of a run are 40 ms slower on the way there than every later one
    (as calls on connections still being opened are), and the fastest round trip learnt
    from them falls once faster calls are answered: the calls already in the window, dated
    with the slower figure, are dated with the faster one from then on, and no window on
    the server holds more than the burst. Left as they were, the first calls of the second
    window arrived 40 ms early (the engine bench at Ultimate-OAuth, beside busy processes:
    429s in 4 of 7 runs, all there)."""
    over, fastest = await _slow_start(burst=40, slow=10, calls=160)
    assert fastest == pytest.approx(0.101)
    assert over == 0


async def _pace_with_headers(burst: int, calls: int) -> tuple[float, int, int]:
    """``_pace``'s server (150 ± 50 ms on the way there, 1 ms back, the window counted on
    arrival) answering with its window headers (limit, remaining, reset: the sandbox's
    rule), the calls held from admission to answer (``hold``, ``leaving``) as the runner
    makes them, and the progress bar reading ``statistics()`` every 0.25 s; (achieved ÷
    allowed rate in the middle half, calls over the burst, phantom entries made for
    "another client")."""
    clock, rng = FakeClock(settle=SETTLE), random.Random(8)
    s = Scheduler(Limits(burst=burst, daily_tokens=10**9), clock=clock)
    window, arrivals, sends, over, phantoms = 2.0, deque[float](), [], 0, 0
    left = calls

    async def worker() -> None:
        nonlocal left, over, phantoms
        while left > 0:
            left -= 1
            admitted = await s.acquire(PATCH, hold=True)
            s.leaving(PATCH, admitted)
            sent = clock.now()
            sends.append(sent)
            await clock.sleep(0.15 + rng.uniform(-0.05, 0.05))
            now = clock.now()
            while arrivals and arrivals[0] + window <= now:
                arrivals.popleft()
            if len(arrivals) >= burst:
                over += 1
            arrivals.append(now)
            rate = RateHeaders(limit=burst, remaining=burst - len(arrivals),
                               reset=arrivals[0] + window - now)
            await clock.sleep(0.001)  # the way back
            before = len(s._others[0])
            s.observe(PATCH, rate, sent_at=sent)
            phantoms += max(0, len(s._others[0]) - before)

    async def progress() -> None:
        while left > 0:
            await clock.sleep(0.25)
            s.statistics()

    async with asyncio.TaskGroup() as tg:
        tg.create_task(progress())
        for _ in range(8):
            tg.create_task(worker())
    sends.sort()
    lo, hi = len(sends) // 4 // burst * burst, 3 * len(sends) // 4 // burst * burst
    return (hi - lo) / (sends[hi] - sends[lo]) / (burst / window), over, phantoms


@pytest.mark.anyio
async def test_headers_of_our_own_calls_make_no_phantom_of_another_client() -> None:
    """Growth (40 per 2 s) alone on the token, answers with window headers: the server's
    count is compared with this process's window as it was when each call left, so no
    entry is made for "another client" (the prunes while a call was out made the
    server's count look higher: 1 here before; on the engine bench 1-6 a run, a 1.1-s
    hole in the sending each time one stood already), the pace stays at >= 0.97 and no
    window is over the burst."""
    ratio, over, phantoms = await _pace_with_headers(40, 30 * 40)
    assert over == 0
    assert phantoms == 0
    assert ratio >= 0.97, ratio


async def _jittered(burst: int, window: float, latency: float, jitter: float, calls: int,
                    seed: int) -> tuple[float, int]:
    """``calls`` PATCHes held from admission to answer (``hold``, ``leaving``), as the
    runner makes them, against a server that counts each call on arrival (``latency`` ±
    ``jitter``, uniform, all on the way there, as the sandbox's latency; 1 ms back) and
    answers with its window headers; (achieved ÷ allowed rate over the run's middle half,
    calls that arrived with the server's window full)."""
    clock, rng = FakeClock(settle=SETTLE), random.Random(seed)
    s = Scheduler(Limits(burst=burst, window=window, daily_tokens=10**9), clock=clock)
    arrivals, sends, over, left = deque[float](), list[float](), 0, calls

    async def worker() -> None:
        nonlocal left, over
        while left > 0:
            left -= 1
            admitted = await s.acquire(PATCH, hold=True)
            s.leaving(PATCH, admitted)
            sent = clock.now()
            sends.append(sent)
            await clock.sleep(max(0.0, latency + rng.uniform(-jitter, jitter)))
            now = clock.now()
            while arrivals and arrivals[0] + window <= now:
                arrivals.popleft()
            over += len(arrivals) >= burst
            arrivals.append(now)
            rate = RateHeaders(limit=burst, remaining=max(0, burst - len(arrivals)),
                               reset=arrivals[0] + window - now)
            await clock.sleep(0.001)
            s.observe(PATCH, rate, sent_at=sent)

    async with asyncio.TaskGroup() as tg:
        for _ in range(math.ceil(burst / window * (latency + jitter) * 2) + 4):
            tg.create_task(worker())
    sends.sort()
    lo, hi = len(sends) // 4, 3 * len(sends) // 4
    return (hi - lo) / (sends[hi] - sends[lo]) / (burst / window), over


@pytest.mark.anyio
@pytest.mark.parametrize("seed", [0, 28, 52, 1, 2, 3])  # the 3 of 0-59 that overfilled, 3 more
async def test_latency_jitter_of_half_a_window_never_overfills_it(seed: int) -> None:
    """Lite's 20 calls per 0.5-s window (a sandbox at --time-scale 0.25), 0-300 ms on the
    way there: no call arrives at a full window. The calls are dated at their answer less
    the fastest round trip seen, and a later call that undercut it on the way there
    arrived up to the difference early (a few ms, more than the window margin's 2 ms at
    0.5 s: a 429 in seeds 0, 28 and 52 of 0-59; x32r3 F4, 3 of 9 runs on the sandbox);
    the slots now stay the spread of the few fastest round trips past the window. The
    rate is what the jitter allows (a call may arrive 300 ms later than the one whose slot
    it takes: ~0.75 of the allowed)."""
    ratio, over = await _jittered(20, 0.5, 0.15, 0.15, 300, seed)
    assert over == 0
    assert ratio >= 0.7, ratio


@pytest.mark.anyio
async def test_calls_sent_after_the_server_could_count_hide_no_other_client() -> None:
    """Growth, round trips of 100 ms (all on the way there): a call sent at 0.8 s is
    answered at 0.9 s, the server counting 3 calls nobody here made beside this process's
    9; 5 calls sent at 0.85 s are out. They reached the server after it answered (the
    fastest round trip is 100 ms), so they are not in its count: the 3 are another
    client's and stand in the window (counted as ours, they hid the 3: none stood; the
    window-share script at 0.8 had 6 of its ~9.5 calls in the window unseen on average)."""
    clock = FakeClock(settle=SETTLE)
    s = Scheduler(Limits(burst=40, window=2.0, daily_tokens=10**9), clock=clock)
    for n in range(1, 9):  # 8 round trips: the fastest is trusted
        sent = await s.acquire(PATCH, hold=True)
        s.leaving(PATCH, sent)
        await clock.sleep(0.1)
        s.observe(PATCH, RateHeaders(limit=40, remaining=40 - n, reset=2.0), sent_at=sent)
    sent = await s.acquire(PATCH, hold=True)
    s.leaving(PATCH, sent)
    await clock.sleep(0.05)
    for _ in range(5):
        s.leaving(PATCH, await s.acquire(PATCH, hold=True))
    await clock.sleep(0.05)
    s.observe(PATCH, RateHeaders(limit=40, remaining=40 - 9 - 3, reset=2.0), sent_at=sent)
    assert len(s._others[0]) == 3


@pytest.mark.anyio
async def test_calls_sent_after_the_server_could_count_explain_no_other_client_away() -> None:
    """As above, a window after the scheduler was made (``others_seen`` reads no window
    reaching back before it): the 3 calls nobody here made are evidence of another client
    (the end-of-run note names it). The 5 calls sent 50 ms before the answer, counted as
    this process's, explained them away: 14 of ours against the server's 12."""
    clock = FakeClock(settle=SETTLE)
    s = Scheduler(Limits(burst=40, window=2.0, daily_tokens=10**9), clock=clock)
    await clock.sleep(2.5)
    for n in range(1, 9):
        sent = await s.acquire(PATCH, hold=True)
        s.leaving(PATCH, sent)
        await clock.sleep(0.1)
        s.observe(PATCH, RateHeaders(limit=40, remaining=40 - n, reset=2.0), sent_at=sent)
    assert s.others_seen == 0
    sent = await s.acquire(PATCH, hold=True)
    s.leaving(PATCH, sent)
    await clock.sleep(0.05)
    for _ in range(5):
        s.leaving(PATCH, await s.acquire(PATCH, hold=True))
    await clock.sleep(0.05)
    s.observe(PATCH, RateHeaders(limit=40, remaining=40 - 9 - 3, reset=2.0), sent_at=sent)
    assert s.others_seen == 1


async def _cold_start(workers: int, seed: int, calls: int = 100) -> int:
    """Growth (40 per 2 s) as the engine runs it (a probe first; ``workers`` calls held
    from admission to answer) against a server that counts each call on arrival, 150 ±
    50 ms on the way there, 1 ms back, with its window headers; the first window's 40
    calls 40 ms slower on the way there (connections being opened: the engine bench beside
    busy processes, f26e). The calls that arrived at a full window."""
    clock, rng = FakeClock(settle=SETTLE), random.Random(seed)
    s = Scheduler(Limits(burst=40, daily_tokens=10**9), clock=clock, probe=True)
    arrivals, over, left, sent = deque[float](), 0, calls, 0

    async def worker() -> None:
        nonlocal left, over, sent
        while left > 0:
            left -= 1
            admitted = await s.acquire(PATCH, hold=True)
            s.leaving(PATCH, admitted)
            sent += 1
            cold = 0.04 if sent <= 40 else 0.0
            await clock.sleep(0.15 + rng.uniform(-0.05, 0.05) + cold)
            now = clock.now()
            while arrivals and arrivals[0] + 2.0 <= now:
                arrivals.popleft()
            over += len(arrivals) >= 40
            arrivals.append(now)
            rate = RateHeaders(limit=40, remaining=max(0, 40 - len(arrivals)),
                               reset=arrivals[0] + 2.0 - now)
            await clock.sleep(0.001)
            s.observe(PATCH, rate, sent_at=admitted)

    async with asyncio.TaskGroup() as tg:
        for _ in range(workers):
            tg.create_task(worker())
    return over


@pytest.mark.anyio
async def test_a_cold_first_window_never_overfills_the_second_over_20_seeds() -> None:
    """The runner's pool at Growth (8 workers: the rate at 1.5 times 0.2 s, and 2), the
    first window's calls 40 ms slower on the way there than every later one: no call
    arrives at a full window in 20 seeds. The first 8 answers, dated at their answer,
    hold their slots a round trip longer, and the second window's calls on them come back
    before the slots dated with the first window's slower fastest round trip come due:
    their faster round trip dates those later first (``_later``). Both ways the start-up
    was tried faster broke this (f35b): re-dating the first 8 answers with the fastest of
    them once trusted, 23 calls at a full window in 12 of 20 seeds; a pool of the burst
    (40, the first window at once, the second too before any faster answer), 8 in 4."""
    overs = [await _cold_start(8, seed) for seed in range(20)]
    assert sum(overs) == 0, overs


async def _server_clock_slow(burst: int, ppm: float, safety: float = WINDOW_MARGIN) -> int:
    """``10 * burst`` calls by ``burst`` workers against a server 100 ms away on the way
    there (no jitter: the slots' ``_allow`` is 0), 1 ms back, whose clock runs ``ppm``
    parts per million slower than this process's (its 2-s window is that much longer
    here); the spans of the window on the server's clock over the burst."""
    clock = FakeClock(settle=SETTLE)
    s = Scheduler(Limits(burst=burst, daily_tokens=10**9), clock=clock, safety=safety)
    arrivals, left = list[float](), 10 * burst

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            admitted = await s.acquire(PATCH, hold=True)
            s.leaving(PATCH, admitted)
            await clock.sleep(0.1)
            arrivals.append(clock.now() * (1 - ppm * 1e-6))
            await clock.sleep(0.001)
            s.observe(PATCH, None, sent_at=admitted)

    async with asyncio.TaskGroup() as tg:
        for _ in range(burst):
            tg.create_task(worker())
    arrivals.sort()
    return sum(1 for i in range(len(arrivals) - burst)
               if arrivals[i + burst] - arrivals[i] < 2.0 - 1e-9)


@pytest.mark.anyio
async def test_the_window_margin_covers_a_server_clock_500_ppm_slow() -> None:
    """The margin is needed, and is enough: a server whose clock runs 500 ppm slow (NTP's
    most slew) counts its window 1 ms longer than this process at 2 s, and with no
    latency jitter nothing else holds a slot longer: without the margin every call after
    the first window arrives at a full window; with 1/1024 none does (f35b)."""
    assert await _server_clock_slow(40, 500) == 0
    assert await _server_clock_slow(40, 500, safety=0.0) > 0
