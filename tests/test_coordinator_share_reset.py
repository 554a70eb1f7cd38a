"""x35r2 F3: a coordinated run with ``--budget-share`` started within a minute after the
server's day began was refused "the company's shared daily budget: 147 tokens used by all
processes, usable 150 … run again after the reset", the server at 2 of 300: the shared count
kept the last minute's calls on top of the server's new figure although every one had been
answered (the server had counted them, in its day that ended). And a run refused so had
its first call (GET /users/me, made before the company is known) admitted on the token's
own count, past the spent share: the server at 2,002 of a 2,000 share.

Real redis-server, virtual time (FakeClock)."""

from __future__ import annotations

import pytest

from bulk.clock import FakeClock
from bulk.coordinator import fingerprint
from bulk.coordinator_redis import RedisCoordinator
from bulk.errors import BudgetExhausted
from bulk.headers import RateHeaders
from bulk.operations import Operation, get_operation
from bulk.plans import Limits
from bulk.scheduler import BudgetPolicy, Scheduler
from tests.coordinator_support import COMPANY, CoordinatedRuns, spent_today
from tests.coordinator_support import day_clock as _clock
from tests.redis_helpers import RedisServer

pytestmark = pytest.mark.anyio
TOKEN = "share-reset-token-0123456789"
PATCH, ME = get_operation("updateDeal"), get_operation("getCurrentUser")  # 5 tokens, 2
GET = get_operation("getDeal")  # 1 token
DAILY, SHARE = 300, 0.5  # the tester's: usable 150 a day
_RUNS = CoordinatedRuns(TOKEN, daily=DAILY)
redis_server = _RUNS.redis_fixture()


class _Server:
    """The server's daily count: every call admitted is charged on arrival, answered at
    once; ``used = 0`` begins its day."""

    def __init__(self) -> None:
        self.used = 0

    async def call(self, s: Scheduler, clock: FakeClock, op: Operation = PATCH) -> None:
        await s.acquire(op)
        sent = clock.now()
        self.used += op.token_cost
        s.observe(op, RateHeaders(daily_token_limit=DAILY,
                                  daily_token_remaining=DAILY - self.used), sent_at=sent)


async def _starting(url: str, clock: FakeClock, server: _Server,
                    assumed: int = DAILY) -> Scheduler:
    """A coordinated process as ``pdbulk`` starts one: ``--budget-share 0.5``, its first
    call GET /users/me sent before the company is known (``Engine.open``); ``assumed``:
    the daily budget (tokens) its plan assumed before any answer."""
    sched = Scheduler(Limits(burst=40, daily_tokens=assumed), clock=clock,
                      budget=BudgetPolicy(share=SHARE))
    coord = RedisCoordinator(url, clock=clock)
    _RUNS._open.append(coord)
    await coord.start(fingerprint(TOKEN))
    sched.attach(coord)
    await server.call(sched, clock, ME)
    coord.bind(COMPANY)
    return sched


async def _spend_the_share(s: Scheduler, clock: FakeClock, server: _Server,
                           op: Operation = PATCH) -> int:
    """Calls of ``op``, one every 0.2 s, until the share refuses one: how many went."""
    for sent in range(200):  # bounded: 150 tokens are 30 PATCHes, 150 reads
        try:
            await server.call(s, clock, op)
        except BudgetExhausted:
            return sent
        await clock.sleep(0.2)
    raise AssertionError("the share never refused a call")


async def test_a_run_started_seconds_after_the_server_s_day_began_goes_on(
        redis_server: RedisServer) -> None:
    """Run 1 spends its share; the server's day begins; a run started 8 s later (its
    server figure: 2 of 300) spends its share of the new day (before: refused at its
    second call, "147 tokens used by all processes, usable 150")."""
    clock, server = _clock(), _Server()
    first = await _starting(redis_server.url, clock, server)
    assert await _spend_the_share(first, clock, server) == 29  # 2 + 29 x 5 = 147
    server.used = 0  # POST /_sandbox/day/end
    await clock.sleep(8)
    second = await _starting(redis_server.url, clock, server)
    went = await _spend_the_share(second, clock, server)
    assert went == 29, (went, server.used)
    assert server.used <= DAILY * SHARE
    assert await spent_today(redis_server.url) <= server.used + PATCH.token_cost


async def test_a_run_refused_for_a_spent_share_spends_nothing_past_it(
        redis_server: RedisServer) -> None:
    """The share spent on the server's day (no reset): a new run is refused at its first
    call, GET /users/me (before: admitted on the token's own count, and charged past the
    share: 152 of 150)."""
    clock, server = _clock(), _Server()
    first = await _starting(redis_server.url, clock, server)
    await _spend_the_share(first, clock, server)
    await _spend_the_share(first, clock, server, GET)  # to the last token: 150
    await clock.sleep(8)
    with pytest.raises(BudgetExhausted) as refused:
        await _starting(redis_server.url, clock, server)
    assert server.used == 150
    # the share is what is spent, and it says so (x47r4 F6: "the company's shared daily
    # budget: ... used by all processes, usable 12000", the company's budget not spent)
    said = str(refused.value)
    assert "--budget-share" in said and "150 of the company's 300" in said, said
    assert "150 left of the company's budget" in said, said


async def test_a_resume_refused_for_a_spent_share_spends_nothing_past_it_whatever_its_plan_assumed(
        redis_server: RedisServer) -> None:
    """x37r2 F5: the share spent to 1 token short (1,999 of 2,000 on the tester's
    4,000-a-day sandbox), a resume's first call (GET /users/me, 2 tokens) went: its plan
    assumed a larger daily budget than the company's, so before any answer its share
    looked far from spent (server 2,001, "2001 tokens used by all processes, usable
    2000"). The coordinator keeps the company's daily budget as last seen: refused,
    nothing past the share."""
    clock, server = _clock(), _Server()
    first = await _starting(redis_server.url, clock, server)
    await _spend_the_share(first, clock, server)  # 147
    await server.call(first, clock, GET)
    await server.call(first, clock, GET)  # 149 of 150: GET /users/me (2) does not fit
    await clock.sleep(8)
    with pytest.raises(BudgetExhausted):
        await _starting(redis_server.url, clock, server, assumed=10 * DAILY)
    assert server.used == 149  # before: 151


async def test_a_share_refused_on_the_last_minute_s_calls_waits_for_them_to_settle(
        redis_server: RedisServer) -> None:
    """f36f 3: a process without a share spent 26 tokens, then has 24 calls out (120
    tokens) as the server's day begins; they arrive in its new day. A run with
    ``--budget-share 0.5`` (150) starts: the server says 122 used, the shared count 148
    (the day that ended is the same UTC day). Before, its
    first PATCH stopped "budget spent" at once; now it waits: once those calls are
    answered and the other process's next answer brings a figure read after them, the
    count follows and the run goes on — and never spends past its share (the server ends
    at 150 or below)."""
    import asyncio

    clock, server = _clock(), _Server()
    other = await _RUNS.process(redis_server.url, clock)  # the whole budget: no share
    for op in [PATCH] * 5 + [GET]:  # the server's day that ends: 26 tokens
        await server.call(other, clock, op)
        await clock.sleep(0.2)
    await clock.sleep(70)
    out = [await other.acquire(PATCH) for _ in range(24)]  # sent, answers slow
    server.used = 24 * PATCH.token_cost  # the server's day began; the calls out arrive in it
    await clock.sleep(8)
    run = await _starting(redis_server.url, clock, server)  # GET /users/me: 122 of 300
    went = asyncio.ensure_future(_spend_the_share(run, clock, server))
    await clock.sleep(12)
    assert not went.done()  # waiting, not stopped "budget spent"
    for sent in out:  # the calls out are answered (the server counted them on arrival)
        other.observe(PATCH, RateHeaders(daily_token_limit=DAILY,
                                         daily_token_remaining=DAILY - server.used),
                      sent_at=sent)
    await clock.sleep(6)
    await server.call(other, clock)  # its next call: a figure read after those answers
    n = await asyncio.wait_for(went, 60)  # bounded in real time (virtual: ~a minute)
    assert n >= 3, n  # it went on (3: the count at 132, the server at 127)
    assert server.used <= DAILY * SHARE, server.used  # never past the share


async def test_a_share_the_server_says_is_spent_stops_at_once(
        redis_server: RedisServer) -> None:
    """The same run, the server's figure showing the share spent (150 of 300 used by the
    other process's calls): it stops at once, no wait (f36f 3)."""
    clock, server = _clock(), _Server()
    other = await _RUNS.process(redis_server.url, clock)
    for _ in range(30):
        await server.call(other, clock)
    await clock.sleep(8)
    start = clock.now()
    with pytest.raises(BudgetExhausted):
        await _starting(redis_server.url, clock, server)
    assert clock.now() - start < 1.0
