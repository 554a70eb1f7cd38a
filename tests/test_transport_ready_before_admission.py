"""x47r4 F2: 3 imports + an update + a move-stage starting at once on one Redis
coordinator (sandbox at a 1-s window, load 15-20): one 429 in 2 of 5 runs, each on a
starting process's first call. The sandbox's log of it: ``429 getCurrentUser n=40`` (the
window full, its oldest call 0.918 s old). That call was admitted on Redis and held
(``RedisCoordinator.hold``: its entry dated ``now + ahead`` again every quarter window),
then ``AiohttpTransport.send`` made the session: aiohttp imported and its connector's TLS
contexts built, ~0.3-0.5 s of CPU with the event loop blocked — seconds of wall time on a
loaded host, so the renewal could not run, the entry lapsed (a window and an eighth after
its admission: 1.125 s at a 1-s window, 2.25 s at 2 s) and the other processes' calls took
its slot before it left. The transport is made ready before a run's first admission."""

from __future__ import annotations

from typing import Any

import pytest

from bulk.client import PipedriveClient
from bulk.transport import AiohttpTransport


@pytest.mark.anyio
async def test_the_client_prepares_the_aiohttp_session_before_any_call() -> None:
    transport = AiohttpTransport()
    async with PipedriveClient("http://127.0.0.1:9", "t0k3n", transport=transport) as client:
        assert transport._session is None
        await client.prepare()  # no request sent: nothing listens on port 9
        assert transport._session is not None


@pytest.mark.anyio
async def test_the_engine_prepares_the_transport_before_its_first_admission(
    ) -> None:
    """``_company_id``, a run's first call (GET /users/me): the transport is prepared
    before the scheduler admits it."""
    from bulk import engine
    from bulk.clock import FakeClock
    from bulk.plans import plan_limits
    from bulk.scheduler import Scheduler
    from bulk.transport import Response

    events: list[str] = []

    class Tracked:
        async def prepare(self) -> None:
            events.append("prepare")

        async def send(self, request: object) -> Response:
            events.append("send")
            return Response(200, {}, b'{"success": true, "data": {"company_id": 7}}')

        async def aclose(self) -> None:
            pass

    class Spy(Scheduler):
        async def acquire(self, *args: Any, **kwargs: Any) -> float:
            events.append("admit")
            return await super().acquire(*args, **kwargs)

    clock = FakeClock()
    scheduler = Spy(plan_limits("growth"), clock=clock)
    async with PipedriveClient("http://127.0.0.1:9", "t0k3n",
                               transport=Tracked()) as client:  # type: ignore[arg-type]
        company, _ = await engine._company_id(client, scheduler, clock)
    assert company == "7", company
    assert events == ["prepare", "admit", "send"], events
