"""A coordinated process's first call (GET /users/me, which binds it to the company) holds
its slot in the shared window from its admission until its answer, as every call of a run
does: one that waits before it leaves (the connection being opened on a loaded host) is
still counted when the server counts it, and the other processes on the token leave it
its slot (f40d 1: admitted 2.9 s before it arrived, its Redis entry gone after 1.1 s, one
429 in 2 of 10 fleets of 4 imports). Real redis-server, virtual time (FakeClock)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import orjson
import pytest

from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.coordinator import fingerprint
from bulk.coordinator_redis import RedisCoordinator
from bulk.engine import _company_id
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import Scheduler
from bulk.transport import MockTransport, Request, Response
from tests.redis_helpers import RedisServer, running_redis

pytestmark = pytest.mark.anyio
PATCH = get_operation("updateDeal")
WINDOW, BURST = 2.0, 10
TOKEN = "bind-held-token-0123456789"


@pytest.fixture
async def redis_server() -> AsyncIterator[RedisServer]:
    with running_redis() as server:
        yield server


async def test_a_bind_call_that_leaves_late_keeps_its_slot_in_the_shared_window(
        redis_server: RedisServer) -> None:
    """Process A's GET /users/me is admitted, then reaches the server 1.25 windows later;
    process B sends at the full rate from half a window after A's admission. No window on
    the server's clock holds more than the burst (before: B took the slot A's entry had
    left after an eighth of a window more than one, and the window A's call arrived in
    held burst + 1)."""
    clock = FakeClock()
    coords = [RedisCoordinator(redis_server.url, clock=clock) for _ in range(2)]
    arrivals: list[float] = []
    scheds = []
    for coord in coords:
        await coord.start(fingerprint(TOKEN))
        scheds.append(Scheduler(Limits(burst=BURST, window=WINDOW, daily_tokens=10**9),
                                clock=clock, coordinator=coord))
    coords[1].bind("42")

    async def server(request: Request) -> Response:
        await clock.sleep(1.25 * WINDOW)  # its way there: a connection opened slowly
        arrivals.append(clock.now())
        return Response(200, {}, orjson.dumps({"success": True, "data": {"id": 1,
                                                                         "company_id": 42}}))

    async def a() -> str:
        async with PipedriveClient("http://127.0.0.1:9", TOKEN,
                                   transport=MockTransport(server)) as client:
            company, _ = await _company_id(client, scheds[0], clock)
        return company

    async def b() -> None:
        await clock.sleep(0.5 * WINDOW)
        for _ in range(3 * BURST):  # bounded: three windows' worth
            admitted = await scheds[1].acquire(PATCH, hold=True)
            scheds[1].leaving(PATCH, admitted)
            sent = clock.now()
            arrivals.append(sent)  # at once, answered at once
            scheds[1].observe(PATCH, None, sent_at=sent)

    try:
        async with asyncio.timeout(60):  # real seconds: a Redis round trip each admission
            company, _ = await asyncio.gather(a(), b())
    finally:
        for coord in coords:
            await coord.aclose()
    assert company == "42"
    arrivals.sort()
    over = [arrivals[i] for i in range(len(arrivals) - BURST)
            if arrivals[i + BURST] - arrivals[i] < WINDOW - 1e-9]
    assert over == [], (over, arrivals)
