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
from bulk.coordinator_redis import RedisCoordinator
from bulk.engine import _company_id
from bulk.plans import Limits
from bulk.scheduler import Scheduler
from bulk.transport import MockTransport, Request, Response
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
