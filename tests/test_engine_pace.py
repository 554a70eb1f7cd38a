"""The engine's pace as the bench measures it (issue 8), on virtual time: a touch run
through the runner (its own worker count), the scheduler and the client against the
sandbox's own rate limiter, each call counted on arrival after 150 ± 50 ms on the way
there (as ``bulk.sandbox`` delays it). Over the whole run, start-up included, the engine
reaches >= 0.97 of the allowed rate (``benchmarks.harness.slot_efficiency``: a safe client
is capped at 0.976 by the latency's spread) and the server never answers 429.

No event loop lag here (the sandbox bench adds a loaded machine's): what is measured is
the engine's own pacing. The runner once sized its workers for the steady drip (the rate
times the latency, x 1.5, + 2: 8 at Growth), but the rolling window frees a burst's slots
in a cluster (the first burst, then each window as the last one's entries leave it): with
too few calls waiting, each slot went when a worker came back, not when it freed
(0.966 here, 0.971-0.973 with the burst's 40 workers). Only once the first burst's answers
are in: on a cold first window the whole second one went before any faster answer
(``bulk.plans.in_flight_target``); and only while the window is the run's alone
(``Scheduler.alone``): beside another client the burst's pool drew 5-6 429s where the
drip's drew 1, and its 429s were told to be the run's own pace
(tests/test_rate_limited_evidence.py). The cost: on a latency fall more sends sit at a
slot's edge (calls at a full window with no 429 to pause: 86 against 72 in 50 seeds;
429s 51 against 47, at most 2 a run either way)."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import anyio
import orjson
import pytest

from benchmarks.harness import slot_efficiency
from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.operations import get_operation
from bulk.plans import AuthKind, plan_limits
from bulk.runner import Runner
from bulk.sandbox.limits import DailyBudget, RateLimiter
from bulk.scheduler import Scheduler
from bulk.store import AsyncJobStore, ItemState, JobStore
from bulk.transport import MockTransport, Request, Response
from jobs.touch import TouchJob, touch_items

PATCH = get_operation("updateDeal")
EPOCH = 1_767_225_600.0
BODY = orjson.dumps({"success": True, "data": {"id": 1, "update_time": "2026-01-01"}})
REFUSED = orjson.dumps({"success": False, "error": "Request over limit", "errorCode": 429})


Way = Callable[[float, random.Random], float]


def _steady(at: float, rng: random.Random) -> float:
    """150 ± 50 ms on the way there, as ``bulk.sandbox`` delays a call."""
    return rng.uniform(0.1, 0.2)


class Pace(NamedTuple):
    """A run's figures: ÷ allowed over the run, 429s, items done, and the scheduler's
    ``others_seen`` and ``refused_with_room`` (what the end note blames)."""

    ratio: float
    refused: int
    done: int
    others_seen: int
    room: int


def _run(tmp_path: Path, plan: str, auth: AuthKind, windows: int, seed: int,
         cold: float = 0.0, way: Way = _steady, refuse: bool = True) -> Pace:
    """The figures (``Pace``) of a touch run of ``windows`` bursts;
    ``cold``: seconds more on the way there for the first burst's calls (connections
    being opened); ``way``: a call's way there (seconds) by its send (seconds from the
    start); ``refuse`` False: the server answers every call (the calls that arrived at a
    full window are counted as 429s, not refused: how many the pacing would have had with
    no 429 to pause it)."""
    limits = plan_limits(plan, auth=auth)
    calls = limits.burst * windows
    clock = FakeClock(epoch=EPOCH)
    server = RateLimiter(limits.window, limits.search, DailyBudget(10**9, 86_400.0),
                         count_rejected=not refuse)
    rng = random.Random(seed)
    sends: list[float] = []
    refused = 0
    store = JobStore.create(tmp_path / f"job-{plan}-{seed}", job_id="j", kind="touch",
                            config={})
    store.add_items(touch_items(range(1, calls + 1), {"value": 1}))

    async def answer(req: Request) -> Response:
        nonlocal refused
        sends.append(clock.now())
        slow = cold if len(sends) <= limits.burst else 0.0
        await clock.sleep(way(sends[-1], rng) + slow)  # on the way there
        verdict = server.admit("token", limits.burst, PATCH, clock.now(), clock.wall())
        headers = {"content-type": "application/json", **verdict.headers}
        if not verdict.admitted:
            refused += 1
            if refuse:
                return Response(429, headers, REFUSED)
        return Response(200, headers, BODY)

    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(answer))
    scheduler = Scheduler(limits, clock=clock, probe=True)  # (as Engine.open makes it)
    runner = Runner(AsyncJobStore(store), TouchJob(), client, scheduler, clock=clock, seed=3)

    async def go() -> Any:
        async with client:
            return await runner.run()

    try:
        result = anyio.run(go)
    finally:
        store.close()
    ratio = slot_efficiency(sorted(sends), limits.burst, limits.window)
    assert ratio is not None
    return Pace(ratio, refused, result.counts.get(ItemState.DONE, 0), scheduler.others_seen,
                scheduler.refused_with_room)


@pytest.mark.parametrize("seed", [0, 1])
def test_growth_reaches_097_of_the_allowed_rate_with_no_429(tmp_path: Path, seed: int) -> None:
    """Growth, api_token (40 per 2 s), 15 windows as the bench's 600 calls: >= 0.97 of the
    allowed rate over the whole run, no 429, every item done."""
    ratio, refused, done, _, _ = _run(tmp_path, "growth", "api_token", 15, seed)
    assert (refused, done) == (0, 600)
    assert 0.97 <= ratio <= 1.0, ratio


def test_ultimate_oauth_reaches_097_of_the_allowed_rate_with_no_429(tmp_path: Path) -> None:
    """Ultimate, OAuth (480 per 2 s), 8 windows: the same (the runner's 64 workers at most,
    ``EngineConfig.max_workers``: 0.972)."""
    ratio, refused, done, _, _ = _run(tmp_path, "ultimate", "oauth", 8, 0)
    assert (refused, done) == (0, 3840)
    assert 0.97 <= ratio <= 1.0, ratio


def test_a_cold_first_window_gets_no_429(tmp_path: Path) -> None:
    """The first burst's calls 40 ms slower on the way there (connections being opened):
    no 429 in 6 seeds; the pool grows to the burst only once their answers are in (a pool
    of the burst from the start: 429s, ``test_scheduler_pace``'s cold first window)."""
    for seed in range(6):
        _, refused, done, _, _ = _run(tmp_path, "growth", "api_token", 4, seed, cold=0.04)
        assert (refused, done) == (0, 160), seed


def _fall(at: float, rng: random.Random) -> float:
    """150 ± 50 ms on the way there, 40 ms less from 10 s on (a route that got shorter)."""
    return rng.uniform(0.1, 0.2) - (0.04 if at >= 10.0 else 0.0)


def _drift(at: float, rng: random.Random) -> float:
    """150 ± 50 ms on the way there, drifting down by 40 ms in all from 5 s to 15 s."""
    return rng.uniform(0.1, 0.2) - 0.04 * min(1.0, max(0.0, (at - 5.0) / 10.0))


@pytest.mark.parametrize(("way", "seeds", "refuse"),
                         [(_fall, range(6), True), (_fall, range(1), False),
                          (_drift, range(2), True)], ids=["fall", "fall-unrefused", "drift"])
def test_a_fall_in_latency_costs_a_429_or_two_not_a_storm(
        tmp_path: Path, way: Way, seeds: range, refuse: bool) -> None:
    """Latency falling mid-run (Growth, 40 per 2 s, 150 ± 50 ms): the calls already sent
    when it falls arrive up to 40 ms earlier than the scheduler dated the slots they took
    (the server counts a call on arrival; a slot is dated from the answer less the
    fastest round trip seen), and the first of them to meet a full window is refused.
    Nothing sent before the first faster answer can be re-dated: its answer (or its 429)
    is the first sign of the fall, and from it the scheduler dates every entry with the
    faster round trip (``Scheduler._later``) and every answer after it (``_redate``).

    Measured (f50n): a 40-ms fall at 10 s, 0-2 429s a run (16 of 20 seeds had any, 19 in
    all; 0-3 calls arrived at a full window with no 429 to pause the run, 9 of 10 seeds);
    an 80-ms fall 1-3; a drift down of 40 ms over 10 s 0-1 (2 of 10 seeds). The count stays
    there with no 429 pause at all (the re-dating, not the pause, ends it). Each 429 costs
    its pause's ramp and a slot kept spare: 0.970 -> 0.937 of the allowed rate over this
    30-s run. A margin on the window that covers a 40-ms fall (11/1024 more) costs 0.95 %
    of every run's rate (0.9723 -> 0.9632): not kept.

    Fails when the scheduler keeps dating with a stale fastest round trip (a faster one
    ignored once trusted: 2-3 429s and 0.72-0.85 of the allowed rate)."""
    for seed in seeds:
        ratio, refused, done, others, room = _run(tmp_path, "growth", "api_token", 15, seed,
                                                  way=way, refuse=refuse)
        assert refused <= (2 if refuse else 3) and done == 600, (seed, refused, done)
        assert ratio >= 0.92, (seed, ratio)
        # a run alone: its 429s are its own pace's, not another client's or the server's
        # (the note's "while the window had room"); before, a 429 met the calls it overtook
        # counted as out of the server's window by the stale fastest round trip (5 of the 7
        # of seeds 0-5 told "with room"): its own faster round trip now bounds the way there
        assert (others, room) == (0, 0), (seed, others, room)
