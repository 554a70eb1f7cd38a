"""Every Redis round trip of pdbulk (``bulk.redis_scripts.connect``) holds a ``FakeClock``
still, as a store write in a thread does: virtual time never jumps while an answer is on
its way (f22b: the reset-probe test of tests/test_coordinator_day.py failed 1 in 8 runs
under load — time jumped a minute under one process's write to Redis, and the other
process, looking at Redis after that minute, had not seen it).

Real redis-server behind a proxy that holds each answer 0.2 s of real time: thousands of
idle loop iterations, far more than the clock's ``settle``."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bulk.claims import Claim
from bulk.claims_redis import RedisClaims
from bulk.clock import FakeClock
from bulk.coordinator import Limit, fingerprint
from bulk.coordinator_redis import RedisCoordinator
from bulk.operations import get_operation
from tests.redis_helpers import RedisServer, born_long_ago, redis_server

__all__ = ["redis_server"]

pytestmark = pytest.mark.anyio
LAG = 0.2  # real seconds each answer is held back
GET = get_operation("getDeal")


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, lag: float) -> None:
    with contextlib.suppress(ConnectionError), contextlib.closing(writer):
        while data := await reader.read(65536):
            if lag:
                await asyncio.sleep(lag)
            writer.write(data)
            await writer.drain()


@contextlib.asynccontextmanager
async def _slow_proxy(port: int) -> AsyncIterator[str]:
    """127.0.0.1:<free port> in front of Redis on ``port``; answers come LAG late."""
    tasks: set[asyncio.Task[None]] = set()

    async def serve(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        ur, uw = await asyncio.open_connection("127.0.0.1", port)
        tasks.update({asyncio.create_task(_pipe(r, uw, 0.0)), asyncio.create_task(_pipe(ur, w, LAG))})

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield f"redis://127.0.0.1:{server.sockets[0].getsockname()[1]}/0"
    finally:
        server.close()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


async def test_a_fake_clock_holds_still_while_redis_answers(redis_server: RedisServer) -> None:
    """A sleeper 10 virtual seconds out stays asleep through a coordinator's start and
    admission and a claim's acquire, each 0.2 s or more of real time: now() is 0 after
    each; then it wakes at 10."""
    born_long_ago(redis_server)
    clock = FakeClock(settle=8, max_rounds=1000)
    async with _slow_proxy(redis_server.port) as url:
        coord = RedisCoordinator(url, clock=clock)
        claims = RedisClaims(url, "42", clock=clock, holder="h:1:a")
        try:
            sleeper = asyncio.create_task(clock.sleep(10))
            await asyncio.sleep(0)
            await coord.start(fingerprint("held-token-0123456789"))
            coord.bind("42")
            assert clock.now() == 0.0, "time jumped under the coordinator's start"
            await coord.admit(GET, Limit(width=2.0, burst=40, search=10, day_limit=10**6,
                                         day=20_000, day_ends=20_001 * 86400.0))
            assert clock.now() == 0.0, "time jumped under an admission"
            got = await claims.acquire_many(["deal:K1"])
            assert isinstance(got["deal:K1"], Claim)
            assert clock.now() == 0.0, "time jumped under a claim"
            assert not sleeper.done()
            await asyncio.wait_for(sleeper, 5)  # and once Redis is quiet, time goes on
            assert clock.now() == 10.0
        finally:
            await claims.aclose()
            await coord.aclose()


def test_every_redis_client_of_pdbulk_is_made_by_connect() -> None:
    """No module of bulk/, jobs/ or pdbulk/ opens a Redis client but through ``connect``."""
    root = Path(__file__).resolve().parent.parent
    made = re.compile(r"\b(?:from_url|Redis\(|StrictRedis\(|ConnectionPool\()")
    found = [f"{p.relative_to(root)}:{n}" for pkg in ("bulk", "jobs", "pdbulk")
             for p in sorted((root / pkg).rglob("*.py")) if p.name != "redis_scripts.py"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if made.search(line)]
    assert found == []
