"""What a coordinated run's first answer says of the company's day (its daily budget, its
spend, where the server's day began) is kept in Redis under the company that answer names,
not under the one the token was last bound to (f48d). Before its GET /users/me names the
company, a process counts against the company Redis last bound the token to (x35r2 F3);
where that record is another company's (the same token on another account URL, a sandbox),
the first answer's daily budget, its figure and its REALIGN went under that other company:
its next run took this company's budget for its own. Real redis-server, FakeClock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson
import pytest
import redis

from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.coordinator import fingerprint
from bulk.coordinator_redis import RedisCoordinator, snapshot
from bulk.engine import _company_id
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import BudgetPolicy, Scheduler
from bulk.transport import MockTransport, Request, Response
from tests.coordinator_support import DAY, FIVE_PM, day_clock
from tests.redis_helpers import RedisServer, running_redis

pytestmark = pytest.mark.anyio


@pytest.fixture
async def redis_server() -> AsyncIterator[RedisServer]:
    with running_redis() as server:
        yield server


async def _first_call(url: str, token: str, company: int, daily: int, left: int,
                      clock: FakeClock) -> None:
    """A coordinated run's start on ``token``: its GET /users/me (answered: ``company``,
    the daily budget ``daily`` with ``left`` remaining), then ``bind`` as the engine does
    (``bulk.engine._client_and_coordinator``), then its close (the feedback flushed)."""
    coord = RedisCoordinator(url, clock=clock)
    await coord.start(fingerprint(token))
    sched = Scheduler(Limits(burst=40, window=2.0, daily_tokens=30_000), clock=clock,
                      coordinator=coord)

    def server(request: Request) -> Response:
        return Response(200, {"x-daily-ratelimit-token-limit": str(daily),
                              "x-daily-ratelimit-token-remaining": str(left)},
                        orjson.dumps({"success": True,
                                      "data": {"id": 1, "company_id": company}}))

    try:
        async with PipedriveClient("http://127.0.0.1:9", token,
                                   transport=MockTransport(server)) as client:
            named, _ = await _company_id(client, sched, clock)
        coord.bind(named)
    finally:
        await coord.aclose()


def _company_keys(client: redis.Redis, company: str) -> dict[str, object]:
    """The company's ``daily`` and ``midnight`` keys and its days' figures (HEARD)."""
    out: dict[str, object] = {}
    for key in client.scan_iter(f"pdbulk:c:{company}:*"):
        name = key.decode()
        if name.endswith((":daily", ":midnight")):
            out[name.rsplit(":", 1)[1]] = client.get(key).decode()  # type: ignore[union-attr]
        elif name.endswith(":at") and client.hget(key, "heard") is not None:
            out["heard"] = int(client.hget(key, "heard"))  # type: ignore[arg-type]
    return out


async def test_two_tokens_of_two_companies_keep_each_its_own_daily_budget(
        redis_server: RedisServer) -> None:
    """One Redis, one process, two tokens of two companies, each new to Redis: each
    company's budget and figure are its own answers', under the company (a token's own
    record names its own company, so no token writes under another's; before, a token
    never bound wrote its first answer's under its own token keys, which the company's
    next runs do not read: both companies read {} here)."""
    clock = FakeClock()
    await _first_call(redis_server.url, "token-of-company-41-xxxx", 41, 30_000, 29_000, clock)
    await _first_call(redis_server.url, "token-of-company-77-xxxx", 77, 90_000, 80_000, clock)
    client = redis.Redis.from_url(redis_server.url)
    try:
        assert _company_keys(client, "41") == {"daily": "30000", "heard": 1_000}
        assert _company_keys(client, "77") == {"daily": "90000", "heard": 10_000}
    finally:
        client.close()


async def test_a_token_last_bound_to_another_company_writes_its_figures_under_its_own(
        redis_server: RedisServer) -> None:
    """The token's record in Redis names company 41 (the same token ran against another
    account URL); this run's GET /users/me names 77 with a budget of 90,000. Company 41's
    kept budget stays 30,000 and no figure of 77's day is written under 41 (before: 41's
    budget read 90,000 and its day the 77's figure); 77 keeps its own."""
    clock = FakeClock()
    token = "one-token-two-accounts-xx"
    await _first_call(redis_server.url, token, 41, 30_000, 29_000, clock)
    await _first_call(redis_server.url, token, 77, 90_000, 80_000, clock)
    client = redis.Redis.from_url(redis_server.url)
    try:
        assert _company_keys(client, "41") == {"daily": "30000", "heard": 1_000}
        assert _company_keys(client, "77") == {"daily": "90000", "heard": 10_000}
    finally:
        client.close()


# -- one token on two companies' account URLs (x48r6 F1, F2) --------------------------------
# The sandbox gives every sandbox the same default token, each with its own company id; a
# user may point one token at a sandbox and at the real account. Each run below is a
# coordinated process as ``Engine.open`` starts one on an account URL (``account``: the
# URL's key, ``bulk.coordinator.account_key(url, '')``): its first call GET /users/me
# admitted before the company is known, its answer's daily headers observed, then ``bind``.

async def _run_on(url: str, clock: FakeClock, *, account: str, company: str, daily: int,
                  used: int, share: float | None = None, keep: bool = False,
                  opened: list[RedisCoordinator] | None = None) -> Scheduler:
    """A coordinated run's start on ``account`` (company ``company``, whose server says
    ``used`` of ``daily`` tokens spent today); ``share``: its ``--budget-share``. Closed
    unless ``keep`` (then appended to ``opened``). Raises BudgetExhausted as the first
    call's admission does."""
    coord = RedisCoordinator(url, clock=clock)
    await coord.start(fingerprint(_ONE_TOKEN), account=account)
    sched = Scheduler(Limits(burst=40, window=2.0, daily_tokens=60_000), clock=clock,
                      budget=BudgetPolicy(share=share))
    sched.attach(coord)

    def server(request: Request) -> Response:
        return Response(200, {"x-daily-ratelimit-token-limit": str(daily),
                              "x-daily-ratelimit-token-remaining": str(daily - used)},
                        orjson.dumps({"success": True,
                                      "data": {"id": 1, "company_id": int(company)}}))

    try:
        async with PipedriveClient("http://127.0.0.1:9", _ONE_TOKEN,
                                   transport=MockTransport(server)) as client:
            named, _ = await _company_id(client, sched, clock)
        coord.bind(named)
        await sched.acquire(_GET)  # the run's next call (its share checked on the company's)
        sched.observe(_GET, RateHeaders(daily_token_limit=daily,
                                        daily_token_remaining=daily - used - 1),
                      sent_at=clock.now())
    except BaseException:
        await coord.aclose()
        raise
    if keep and opened is not None:
        opened.append(coord)
    else:
        await coord.aclose()
    return sched


_ONE_TOKEN = "sandbox-default-token-xxxx"
_ME, _GET = get_operation("getCurrentUser"), get_operation("getDeal")  # 2 tokens, 1
_A, _B, _C = "acct-a-4801", "acct-b-4802", "acct-c-4803"


def _midnights(client: redis.Redis) -> list[str]:
    return sorted(k.decode() for k in client.scan_iter("pdbulk:c:*:midnight"))


async def test_a_run_on_another_company_is_not_read_as_the_day_beginning(
        redis_server: RedisServer) -> None:
    """A (4801, 12,289 spent today), then C (4803, 22 spent), then A again (12,300), no
    server's day began: no company has a midnight, and A's second run counts on the day
    key its first did (before: C's 22 compared with A's 12,289 was read as C's day
    beginning, 4803's midnight written, then taken by A's second run: A's count moved to
    a new day key and a spent share waited 21 h past the server's midnight)."""
    clock = day_clock()
    await _run_on(redis_server.url, clock, account=_A, company="4801", daily=60_000,
                  used=12_289)
    await clock.sleep(60)
    await _run_on(redis_server.url, clock, account=_C, company="4803", daily=60_000, used=22)
    await clock.sleep(60)
    again = await _run_on(redis_server.url, clock, account=_A, company="4801",
                          daily=60_000, used=12_300)
    client = redis.Redis.from_url(redis_server.url)
    try:
        assert _midnights(client) == []
        assert _company_keys(client, "4801")["heard"] == 12_300
        assert _company_keys(client, "4803")["heard"] == 22
        days = sorted(k.decode() for k in client.scan_iter("pdbulk:c:4801:day:*")
                      if k.decode().count(":") == 4)
        assert days == [f"pdbulk:c:4801:day:{DAY}"], days
    finally:
        client.close()
    assert again._midnight is None


async def test_a_share_on_one_company_is_not_checked_with_another_company_s_figures(
        redis_server: RedisServer) -> None:
    """A (60,000 a day, 12,000 spent), then B (20,000 a day, 16,727 spent), then A with
    ``--budget-share 0.3``: its first call goes (18,000 of 60,000, 12,000 spent; before:
    refused before any call, 'it may use 6,000 of the company's 20,000 … 16,727 tokens
    are used', B's figures)."""
    clock = day_clock()
    await _run_on(redis_server.url, clock, account=_A, company="4801", daily=60_000,
                  used=12_000)
    await _run_on(redis_server.url, clock, account=_B, company="4802", daily=20_000,
                  used=16_727)
    await _run_on(redis_server.url, clock, account=_A, company="4801", daily=60_000,
                  used=12_002, share=0.3)


async def test_status_counts_each_company_s_processes_and_its_server_day(
        redis_server: RedisServer) -> None:
    """C's run closed, A's running: ``snapshot`` shows A 1 active, C 0 (before: A's run,
    admitted before its answer under the company the token was last bound to, showed C
    1 active); and a company whose server's midnight is known is read on that day's key
    (before: UTC's, another day's count)."""
    clock, opened = day_clock(), []
    try:
        await _run_on(redis_server.url, clock, account=_C, company="4803", daily=60_000,
                      used=22)
        await _run_on(redis_server.url, clock, account=_A, company="4801", daily=60_000,
                      used=12_289, keep=True, opened=opened)
        await opened[0]._flush()
        client = redis.Redis.from_url(redis_server.url)
        try:
            # the server's day began at 16:00 UTC (an hour before): 4801's days are its own,
            # labelled by the UTC day each overlaps most
            client.set("pdbulk:c:4801:midnight", repr(FIVE_PM - 3600))
            client.set(f"pdbulk:c:4801:day:{DAY + 1}", 14_476)
            client.set(f"pdbulk:c:4801:day:{DAY}", 13_971)
            # (admitted before its answer on the token's keys, it left them at ``bind``)
            assert [k for k in client.scan_iter("pdbulk:t:*:procs") if client.zcard(k)] == []
        finally:
            client.close()
        seen = await snapshot(redis_server.url, wall=clock.wall())
        assert seen["companies"]["4801"] == {"processes": 1, "tokens_today": 14_476}
        assert seen["companies"].get("4803", {"processes": 0})["processes"] == 0
    finally:
        for coord in opened:
            await coord.aclose()


async def test_an_account_url_now_another_company_s_takes_nothing_of_the_former(
        redis_server: RedisServer) -> None:
    """One account URL, its company changed (a sandbox started again with another id):
    A (4801, 12,289 spent), then C (4803, 22 spent) on the same URL, then A again. The
    record of the token on that URL names the former company when each run starts; its
    figure is no prior of the company the answer names, nor its midnight: no midnight
    anywhere, and C's run keeps UTC's days (before: C's 22 below A's 12,289 was C's day
    beginning, in C's run and in Redis)."""
    clock = day_clock()
    await _run_on(redis_server.url, clock, account=_A, company="4801", daily=60_000,
                  used=12_289)
    await clock.sleep(60)
    c = await _run_on(redis_server.url, clock, account=_A, company="4803", daily=60_000,
                      used=22)
    await clock.sleep(60)
    again = await _run_on(redis_server.url, clock, account=_A, company="4801",
                          daily=60_000, used=12_300)
    client = redis.Redis.from_url(redis_server.url)
    try:
        assert _midnights(client) == []
        assert _company_keys(client, "4803")["heard"] == 22
    finally:
        client.close()
    assert c._midnight is None and again._midnight is None
