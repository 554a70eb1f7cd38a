"""``window_share`` (``--window-share``): a job admits at most that share of each window
of the token (burst and search), the calls of another client the headers show counted in
it, so the rest stays free for that client's bursts; its plan's time is counted at the
share. Virtual time (FakeClock); the server counts each call on arrival."""

from __future__ import annotations

import asyncio
import random
from collections import Counter, deque
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from bulk.clock import FakeClock
from bulk.coordinator import LocalCoordinator, fingerprint
from bulk.engine import EngineConfig
from bulk.errors import ConfigError
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits, plan_limits
from bulk.scheduler import Scheduler
from jobs.planning import estimate, render_plan

# No thread, socket or store here (LocalCoordinator is in-process): between two reads of
# the clock these workers and the scheduler take a few loop steps, so virtual time may
# jump after 8 quiet loop iterations, not FakeClock's default 64 (its margin for a hop to
# a thread), which were ~80 % of this file's CPU. Every figure of ``beside_a_script``'s seeds 0-3
# is the same at settle 1, 2, 4, 8 and 64, and every test here passes at 1 (f40e).
SETTLE = 8

pytestmark = pytest.mark.anyio
PATCH = get_operation("updateDeal")
GET = get_operation("getDeal")
SEARCH = get_operation("searchDeals")
WIDTH, BURST = 2.0, 40


async def beside_a_script(share: float, *, seed: int, calls: int = 400,
                          rate: float = 5.0) -> tuple[int, int, float]:
    """A job of ``calls`` PATCHes (8 workers, 150 ± 50 ms on the way there, 1 ms back; a
    429 is paused on and sent again) at ``window_share`` ``share``, beside a script on the
    same token that reads no rate headers: Poisson arrivals at ``rate`` calls a second,
    from two windows before the job, never sent again. (The script's calls while the job
    ran, those refused, the job's calls a second.)"""
    clock, rng = FakeClock(settle=SETTLE), random.Random(seed)
    window: deque[float] = deque()

    def arrive(now: float) -> RateHeaders | None:
        while window and window[0] + WIDTH <= now:
            window.popleft()
        if len(window) >= BURST:
            return None
        window.append(now)
        return RateHeaders(limit=BURST, remaining=BURST - len(window),
                           reset=window[0] + WIDTH - now)

    coord = LocalCoordinator()
    await coord.start(fingerprint("tok"))
    s = Scheduler(Limits(burst=BURST, window=WIDTH, daily_tokens=10**9, window_share=share),
                  clock=clock, coordinator=coord, probe=True)
    done = asyncio.Event()
    script: list[bool] = []  # each call of the script while the job ran: refused?
    running = False

    async def other() -> None:
        while not done.is_set():  # bounded: stops with the job
            ok = arrive(clock.now()) is not None
            if running:
                script.append(not ok)
            await clock.sleep(rng.expovariate(rate))

    left = calls

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            for _ in range(100):  # bounded: a call refused 100 times fails the test
                admitted = await s.acquire(PATCH, hold=True)
                s.leaving(PATCH, admitted)
                sent = clock.now()
                await clock.sleep(0.15 + rng.uniform(-0.05, 0.05))
                answer = arrive(clock.now())
                await clock.sleep(0.001)
                if answer is not None:
                    s.observe(PATCH, answer, sent_at=sent)
                    break
                s.rate_limited(PATCH, RateHeaders(limit=BURST, remaining=0,
                                                  reset=window[0] + WIDTH - clock.now()),
                               None, sent_at=sent)
                s.refund(PATCH)

    task = asyncio.create_task(other())
    await clock.sleep(2 * WIDTH)
    running, start = True, clock.now()
    try:
        async with asyncio.timeout(60), asyncio.TaskGroup() as tg:  # real seconds
            for _ in range(8):
                tg.create_task(worker())
    finally:
        done.set()
        await task
        await coord.aclose()
    return len(script), sum(script), calls / (clock.now() - start)


async def test_a_script_beside_a_job_is_left_room_by_a_window_share() -> None:
    """x31r2 F6: a script on the same token (5 calls a second, Poisson, no reading of the
    rate headers) had 7-20 % of its calls refused while a job filled the window (seeds
    0-3, FakeClock; 11-16 % on the sandbox). At ``window_share`` 0.8 the job keeps a
    fifth of the window free, the script's calls it saw counted in its part, and the job
    goes at about the 11 calls a second the share leaves (0.8 x 20 less the script's 5).
    At 1.0 nothing changes: the job takes the room the script leaves
    (``tests/test_coordinator_others.py``).

    What it bounds is the share's protection over many seeds, not one seed's luck: the
    script's refusals vary 0-5 % by the seed (Poisson bursts of the script meeting the
    job's full part of the window), so one seed's figure moves with any change to the
    scheduler's timing (f33e's jitter fix: 4.6-5.2 % on one of 4 seeds, within the
    spread: 40 seeds, mean 1.20 % worst 4.55 % before it, 1.25 % / 4.97 % with it).
    Bounded over 20 seeds: mean <= 1 %, worst <= 4 % (0.06 % and 0.81 % since the calls
    out that the server had not yet counted no longer hide the script's calls; 1.15 % and
    3.31 % before); the job at >= 8 calls a second on average and >= 6 in the worst seed
    (8.6 and 6.9: below the 11 a second the share leaves, as each of the script's calls
    seen holds a slot a window from the answer that saw it, the latency's spread and the
    script's bursts; 9.7 and 7.7 while it hid them)."""
    seeds = range(20)
    shared = [await beside_a_script(0.8, seed=seed) for seed in seeds]
    refused = [r / n for n, r, _ in shared]
    assert sum(refused) / len(refused) <= 0.01, refused
    assert max(refused) <= 0.04, refused
    full = [await beside_a_script(1.0, seed=seed) for seed in seeds[:4]]
    assert sum(r for _, r, _ in full) >= 3 * sum(r for _, r, _ in shared[:4])
    rates = [rate for _, _, rate in shared]
    assert sum(rates) / len(rates) >= 8.0, rates
    assert min(rates) >= 6.0, rates


async def test_a_share_admits_at_most_its_part_of_each_window() -> None:
    """At 0.8 of Growth's 40 requests per 2 s, 32 a window; of the 10 searches, 8."""
    clock = FakeClock(settle=SETTLE)
    s = Scheduler(Limits(burst=40, daily_tokens=10**9, window_share=0.8), clock=clock,
                  safety=0)
    admitted: list[float] = []

    async def worker(op: object) -> None:
        for _ in range(16):
            await s.acquire(GET if op == "get" else SEARCH)
            admitted.append(clock.now())

    async with asyncio.TaskGroup() as tg:
        for _ in range(10):
            tg.create_task(worker("get"))
    assert Counter(admitted) == {2.0 * k: 32 for k in range(5)}
    assert s.statistics().window_limit == 32 and s.limits.burst == 40
    admitted.clear()
    start = clock.now()
    async with asyncio.TaskGroup() as tg:
        tg.create_task(worker("search"))
    assert Counter(t - start for t in admitted) == {2.0: 8, 4.0: 8}


async def test_the_share_is_of_the_burst_the_server_names() -> None:
    """The server's ``x-ratelimit-limit`` is the account's burst (taken as is): the share
    is of that figure, not of the configured plan's (80 a window at 0.5: 40)."""
    clock = FakeClock(settle=SETTLE)
    s = Scheduler(Limits(burst=40, daily_tokens=10**9, window_share=0.5), clock=clock)
    assert s.statistics().window_limit == 20
    await s.acquire(GET)
    s.observe(GET, RateHeaders(limit=80, remaining=79, reset=2.0), sent_at=clock.now())
    assert s.statistics().window_limit == 40


def test_a_share_below_one_call_a_window_still_admits_one() -> None:
    """``share_of``: rounded down (at most the share), and never 0: a job always goes on."""
    assert Limits(burst=20, window_share=0.01).usable_burst == 1
    assert Limits(burst=40, window_share=0.99).usable_burst == 39
    assert Limits(burst=40, window_share=0.8).usable_search == 8


@pytest.mark.parametrize("bad", [0, 0.0, -0.5, 1.01, float("nan"), "0.8", True, None])
def test_a_share_out_of_range_is_refused_when_configured(bad: object) -> None:
    """``EngineConfig(window_share=...)`` and the scheduler refuse a share outside (0, 1]
    or not a number, with one line naming it, before any job store is written."""
    with pytest.raises(ConfigError, match="window_share"):
        EngineConfig(window_share=bad, job_root=Path("unused"))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="window_share"):
        Scheduler(Limits(burst=40, window_share=bad), clock=FakeClock(settle=SETTLE))  # type: ignore[arg-type]


def test_the_plan_counts_its_time_at_the_share() -> None:
    """600 PATCHes at Growth: 28 s at 40 a window, 36 s at 0.8 (32 a window), and the time
    line says the share and what the account allows."""
    limits = plan_limits("growth")
    calls = {"updateDeal": 600}
    full = estimate("update", calls, limits, rows=600, bad_rows=0, tokens_left_today=None,
                    latency=0.0)
    part = estimate("update", calls, replace(limits, window_share=0.8), rows=600, bad_rows=0,
                    tokens_left_today=None, latency=0.0)
    assert (full.seconds, part.seconds) == (28.0, 36.0)
    assert (part.burst, part.burst_allowed, part.window_share) == (32, 40, 0.8)
    assert part.to_json()["window_share"] == 0.8
    console = Console(record=True, width=200)
    render_plan(part, console=console)
    assert ("time: about 36 s at 32 requests per 2 s (--window-share 0.8 of the 40 allowed"
            in console.export_text())


def test_the_engine_hands_its_share_to_the_scheduler_and_the_plan() -> None:
    """``EngineConfig(window_share=0.8)``: its limits (the scheduler's, and the plan's
    through ``Scheduler.limits``) carry the share, stored with the job's config and read
    back by a resume (an older job's config, without it, reads 1)."""
    cfg = EngineConfig(window_share=0.8, job_root=Path("unused"))
    assert cfg.limits().usable_burst == 32
    assert Scheduler(cfg.limits(), clock=FakeClock(settle=SETTLE)).limits.window_share == 0.8
    assert EngineConfig.from_json(cfg.to_json()).window_share == 0.8
    old = {k: v for k, v in cfg.to_json().items() if k != "window_share"}
    assert EngineConfig.from_json(old).window_share == 1.0
