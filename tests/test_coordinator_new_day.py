"""The shared daily count follows the server's new day while processes keep spending
(x27r2 1, 2): two coordinated runs, a small daily budget, and a server whose day begins
mid-run. The shared count (Redis) only ever rose until a quiet minute: a run stopped
"budget spent" with most of the server's new day free.

Real redis-server, virtual time (FakeClock)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bulk.clock import FakeClock
from bulk.errors import BudgetExhausted
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.scheduler import Scheduler
from tests.coordinator_support import DAY, FIVE_PM, CoordinatedRuns, spent_on, spent_today
from tests.coordinator_support import day_clock as _clock
from tests.redis_helpers import RedisServer

pytestmark = pytest.mark.anyio
TOKEN = "new-day-token-0123456789"
ADD, GET = get_operation("addDeal"), get_operation("getDeal")  # 5 tokens, 1
DAILY = 1000
_RUNS = CoordinatedRuns(TOKEN, daily=DAILY)
redis_server = _RUNS.redis_fixture()
_process, _spent = _RUNS.process, spent_today


class _Server:
    """The server's daily count: every call sent is charged at once; ``reset`` begins its day."""

    def __init__(self) -> None:
        self.used = 0

    async def call(self, s: Scheduler, clock: FakeClock) -> None:
        await s.acquire(ADD)
        sent = clock.now()
        self.used += ADD.token_cost
        s.observe(ADD, RateHeaders(daily_token_limit=DAILY,
                                   daily_token_remaining=DAILY - self.used), sent_at=sent)


async def test_the_shared_count_follows_the_server_s_new_day_without_a_quiet_spell(
        redis_server: RedisServer) -> None:
    """Two runs send a call (5 tokens) each every 2 s, never a quiet minute; the server's
    day begins when 800 of 1,000 are used: both go on to 600 of the new day, 1,400 on the
    shared count's old one (the report: "budget spent" with 3,466 of 4,000 free on the
    server); the shared count never falls below what the server counted, and is at most
    a minute's calls above it."""
    clock = _clock()
    a, b = await _process(redis_server.url, clock), await _process(redis_server.url, clock)
    server = _Server()
    for _ in range(80):  # 800 of 1,000 on the server's old day
        for s in (a, b):
            await server.call(s, clock)
        await clock.sleep(2)
    server.used = 0  # the server's midnight
    for _ in range(60):
        for s in (a, b):
            await server.call(s, clock)
            assert await _spent(redis_server.url) >= server.used
        await clock.sleep(2)
    assert server.used == 600
    minute = 2 * 5 * (60 // 2 + 2)  # both runs' calls in a minute and a bit
    assert await _spent(redis_server.url) <= server.used + minute


async def test_the_new_day_is_never_taken_from_calls_still_on_their_way(
        redis_server: RedisServer) -> None:
    """The server's figure is lower than the shared count only because the other run's
    calls have not reached it yet: the shared count keeps them, and the run stops at the
    budget (never spending past it). (A reserve: no probe of the server's day, which would
    find the other run's calls counted.)"""
    clock = _clock()
    a, b = (await _process(redis_server.url, clock, reserve=5),
            await _process(redis_server.url, clock, reserve=5))
    server = _Server()
    for _ in range(80):
        await server.call(a, clock)
        await clock.sleep(2)
    for _ in range(100):  # b's 500 tokens admitted, still on their way to the server
        await b.acquire(ADD)
    await server.call(a, clock)  # the server saw a's 405 only; 905 admitted
    admitted = 0
    with pytest.raises(BudgetExhausted):
        for _ in range(40):
            await a.acquire(ADD)
            admitted += 1
    assert admitted == 18  # up to the usable 995, not past it
    assert await _spent(redis_server.url) == DAILY - 5


async def test_a_run_waiting_for_the_reset_goes_on_once_another_saw_the_new_day(
        redis_server: RedisServer) -> None:
    """x27r2 2: a run waiting for the reset (--wait-for-reset) idled 12 minutes with
    ~3,800 free: its own count, kept at the old day's highest figure, held its calls until
    its next reset probe at the half hour, while another run had seen the server's new
    day and the shared count had followed. It goes on within a minute of that."""
    clock = _clock()
    a, b = (await _process(redis_server.url, clock, wait=True),
            await _process(redis_server.url, clock, wait=True))
    server = _Server()
    for _ in range(100):  # the day's 1,000 tokens, both runs seeing the server's figures
        for s in (b, a):  # (a's last: 1,000 used)
            await server.call(s, clock)
        await clock.sleep(1)
    waiting = asyncio.create_task(a.acquire(ADD))
    await clock.sleep(500)  # 17:10: the server's day began meanwhile
    server.used = 0
    c = await _process(redis_server.url, clock)  # a new run: its first answer says so
    c.observe(GET, RateHeaders(daily_token_limit=DAILY, daily_token_remaining=DAILY - 1),
              sent_at=clock.now())
    await c.acquire(ADD)
    seen = clock.wall()
    await asyncio.wait_for(waiting, 30)
    assert clock.wall() - seen <= 61, clock.wall() - FIVE_PM  # not at 17:31, the probe


async def test_a_run_started_just_after_the_reset_goes_on_without_being_told_to_wait(
        redis_server: RedisServer, caplog: pytest.LogCaptureFixture) -> None:
    """x27r2 3: the day's budget spent in the minute before the server's reset; a run
    started within that minute was refused "run again after the reset" (the shared count
    needed a quiet minute, and nothing said so). Its server figure says the day began: its
    call waits for the calls of that minute to reach the server, goes as one probe, and
    the run goes on (no --wait-for-reset), the shared count the server's."""
    clock = _clock()
    a = await _process(redis_server.url, clock)
    server = _Server()
    for _ in range(200):  # the whole day's 1,000 in 20 s
        await server.call(a, clock)
        await clock.sleep(0.1)
    await clock.sleep(20)  # the server's day began meanwhile
    server.used = 0
    c = await _process(redis_server.url, clock)
    c.observe(GET, RateHeaders(daily_token_limit=DAILY, daily_token_remaining=DAILY - 2),
              sent_at=clock.now())  # its first answer (GET /users/me)
    server.used = 2
    started = clock.wall()
    with caplog.at_level(logging.WARNING, logger="pdbulk.scheduler"):
        await asyncio.wait_for(server.call(c, clock), 30)  # the probe: 7 used
    assert clock.wall() - started <= 61
    await server.call(c, clock)  # and the run goes on
    # the server's 7 and c's call, on the server's day: c's first figure, below a's last,
    # dated its midnight (17:00 UTC; x41r6 F1), and that day overlaps the next UTC day most
    assert await spent_on(redis_server.url, DAY + 1) == 12
    told = [r.getMessage() for r in caplog.records if "server says" in r.getMessage()]
    # c's first figure, below the company's last one (a's), says the day began: c goes on
    # it without the "server says" wait (x41r6 F1; before: one, its wording x34r3 4's)
    assert told == [], told


async def test_a_429_under_a_coordinator_while_the_shared_window_had_room_is_the_server_s(
        redis_server: RedisServer) -> None:
    """x27r2 5: under a coordinator across processes, no 429 was judged (the fleet's calls
    are not this process's count), so a storm the server made was blamed on the pace. The
    shared window's count judges it: 3 calls of 40 had room; a full window did not."""
    clock = _clock()
    a = await _process(redis_server.url, clock)
    for _ in range(3):
        await a.acquire(GET)
    a.rate_limited(GET, RateHeaders(limit=40, remaining=0, reset=1.0), None,
                   sent_at=clock.now())
    assert a.refused_with_room == 1
    await clock.sleep(10)  # the pause and the window pass
    b = await _process(redis_server.url, clock)
    for _ in range(40):  # the whole shared window: b's calls and a's
        await (b if _ % 2 else a).acquire(GET)  # (b last: its count is 40)
    b.rate_limited(GET, RateHeaders(limit=40, remaining=0, reset=1.0), None,
                   sent_at=clock.now())
    assert b.refused_with_room == 0


async def test_a_killed_process_is_no_longer_counted_within_40_s(
        redis_server: RedisServer) -> None:
    """x27r2 6: "5 processes" was shown for 2 minutes after kills: a process was counted a
    minute after its last admission, and one waiting for the reset took the figure only
    at its next look, a minute later. Counted 30 s, looked at every 10 s: a waiting run
    sees a killed one (no leave-taking) gone within 40 s."""
    clock = _clock()
    a, b = (await _process(redis_server.url, clock, wait=True),
            await _process(redis_server.url, clock, wait=True))
    for _ in range(100):  # the day's 1,000 tokens
        for s in (a, b):
            await s.acquire(ADD)
    waiting = asyncio.create_task(a.acquire(ADD))
    await clock.sleep(1)
    shared = a.statistics().shared
    assert shared is not None and shared.processes == 2
    await clock.sleep(39)  # b, killed, admits nothing more
    shared = a.statistics().shared
    assert shared is not None and shared.processes == 1
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)


async def test_a_refund_of_a_call_from_before_the_count_followed_the_server_takes_nothing(
        redis_server: RedisServer) -> None:
    """Once the shared count followed the server's figure, a call admitted before that
    figure's cut is in neither the figure nor the calls added to it: its refund (a 429, a
    call never sent, answered late) would take off tokens never counted. Refunds are
    held back until such a call's refund can no longer come."""
    clock = _clock()
    a = await _process(redis_server.url, clock)
    for _ in range(20):
        await a.acquire(ADD)
    await clock.sleep(300)  # the server's day began; no call since
    await a.acquire(GET)
    a.observe(GET, RateHeaders(daily_token_limit=DAILY, daily_token_remaining=DAILY - 3),
              sent_at=clock.now())
    for _ in range(200):  # the feedback pipeline's REALIGN (bounded)
        if await _spent(redis_server.url) == 4:  # the server's 3 and the GET (maybe in them)
            break
        await asyncio.sleep(0.01)
    assert await _spent(redis_server.url) == 4
    a.refund(ADD)  # a call of the old day, not charged after all
    await a.acquire(ADD)  # (after the refund's flush)
    assert await _spent(redis_server.url) == 9  # 4 + 5; taken off, 8 (the figure, 3 + 5)


async def test_a_probe_refused_without_a_daily_figure_is_not_sent_again(
        redis_server: RedisServer) -> None:
    """The call that asked the server (x27r2 3) got a 429 that says nothing of the day:
    its retry is refused at once, not held another minute to ask again with the same
    old figure (a probe every minute until the retries ran out)."""
    clock = _clock()
    a = await _process(redis_server.url, clock)
    for _ in range(200):  # the whole day's 1,000
        await a.acquire(ADD)
    a.observe(GET, RateHeaders(daily_token_limit=DAILY, daily_token_remaining=DAILY - 2),
              sent_at=clock.now())
    await a.acquire(ADD)  # the probe, a minute later
    a.rate_limited(ADD, RateHeaders(limit=40, remaining=0, reset=1.0), None,
                   sent_at=clock.now())
    a.refund(ADD)
    await clock.sleep(2)  # the pause
    started = clock.wall()
    with pytest.raises(BudgetExhausted):
        await a.acquire(ADD)
    assert clock.wall() - started < 5
