"""f32d 3: a call cancelled before its request left (a run cancelled while a worker waited
for a pooled connection, or connected) was counted in the job's ledger and the run's
stats as if the server might have had it; the server never charged it
(``test_import_runs``: 540 tokens counted vs 535 charged, once under load). The transport
now says whether the request left (``bulk.transport.Departure``): one that never left
is not counted; one that did stays counted, its write in doubt."""

from __future__ import annotations

from pathlib import Path

import anyio
import anyio.lowlevel
import orjson
import pytest
from aiohttp import web

from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.runner import Runner
from bulk.scheduler import Scheduler
from bulk.store import AsyncJobStore, JobStore
from bulk.transport import DEPARTURE, AiohttpTransport, Departure, MockTransport, Request, Response

pytestmark = pytest.mark.anyio


async def test_a_call_cancelled_waiting_for_a_connection_is_not_counted(tmp_path: Path) -> None:
    """Two addDeals on a one-connection pool: the first reaches the server and is held
    there, the second waits for the connection; the run is cancelled. The ledger and the
    stats count the first (it may have been applied: 5 tokens, 1 call), not the second
    (before: 10 tokens, 2 calls, the server having seen 1)."""
    seen: list[str] = []
    arrived, release = anyio.Event(), anyio.Event()

    async def add_deal(request: web.Request) -> web.Response:
        seen.append(request.method)
        arrived.set()
        await release.wait()  # held: the run is cancelled with this call in flight
        return web.json_response({"success": True, "data": {"id": 1}})

    app = web.Application()
    app.router.add_post("/api/v2/deals", add_deal)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    clock = FakeClock(epoch=1_767_225_600.0 + 3600)
    client = PipedriveClient(f"http://127.0.0.1:{port}", "tok-f32d-cancel",
                             transport=AiohttpTransport(limit=1))
    calls = Runner(AsyncJobStore(store), None, client, Scheduler(Limits(burst=40), clock=clock),
                   clock=clock)
    op = get_operation("addDeal")
    try:
        async with client:
            with anyio.fail_after(10):
                async with anyio.create_task_group() as tg:
                    for n in (1, 2):
                        tg.start_soon(lambda n=n: calls.call(op, json={"title": f"d{n}"}))
                    await arrived.wait()
                    for _ in range(100):  # the second reaches the pool's wait (no real time)
                        await anyio.lowlevel.checkpoint()
                    tg.cancel_scope.cancel()
            await calls.flush_spend()
        assert seen == ["POST"]  # the server had one
        assert store.spend_by_operation() == {"addDeal": (5, 1)}
        assert calls.stats.calls_by_operation == {"addDeal": 1}
        assert calls.stats.tokens_by_operation == {"addDeal": 5}
    finally:
        release.set()
        store.close()
        await runner.cleanup()


async def test_each_transport_says_whether_a_request_left() -> None:
    """``MockTransport``: its handler has the request, so it left. A send with no
    ``Departure`` set (a library caller's) is the same as before."""
    async def handler(request: Request) -> Response:
        return Response(200, {}, orjson.dumps({"success": True, "data": None}))

    departure = Departure()
    token = DEPARTURE.set(departure)
    try:
        await MockTransport(handler).send(Request("GET", "http://127.0.0.1/x", {}, None, "getDeals"))
    finally:
        DEPARTURE.reset(token)
    assert departure.tracked and departure.left
    await MockTransport(handler).send(Request("GET", "http://127.0.0.1/x", {}, None, "getDeals"))


async def test_the_aiohttp_transport_marks_a_request_left_without_tracing() -> None:
    """A GET (no body: it leaves at ``send``) and a PATCH (its body's write leaves it) that
    reached the server are marked ``left`` by the session's request class, with no
    aiohttp ``TraceConfig`` on the session: its trace objects and signal coroutines per
    request cost about a tenth of the engine's CPU per request (issue 8)."""
    seen: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        seen.append(f"{request.method} {await request.text()}")
        return web.json_response({"success": True, "data": {"id": 1}})

    app = web.Application()
    app.router.add_route("*", "/api/v2/deals/1", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    transport = AiohttpTransport()
    url = f"http://127.0.0.1:{port}/api/v2/deals/1"
    try:
        for method, body in (("GET", None), ("PATCH", b'{"value":1}')):
            departure = Departure()
            token = DEPARTURE.set(departure)
            try:
                response = await transport.send(Request(method, url, {}, body, "x"))
            finally:
                DEPARTURE.reset(token)
            assert response.status == 200
            assert departure.tracked and departure.left, method
        assert seen == ["GET ", 'PATCH {"value":1}']
        assert transport._session is not None and not transport._session.trace_configs
    finally:
        await transport.aclose()
        await runner.cleanup()
