"""The transport seam: MockTransport, and AiohttpTransport's error translation and hygiene."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aioresponses import aioresponses

from bulk.errors import AnswerLost, RequestNotSent, TransportError
from bulk.headers import LowerHeaders
from bulk.transport import AiohttpTransport, MockTransport, Request, Response, translate_error

pytestmark = pytest.mark.anyio

TOKEN = "0123456789abcdef0123456789abcdef01234567"
URL = "https://api.pipedrive.com/api/v2/deals"


def req(method: str = "GET", url: str = URL, body: bytes | None = None,
        timeout: float | None = None) -> Request:
    op = "getDeals" if method == "GET" else "addDeal"
    return Request(method, url, {"x-api-token": TOKEN, "user-agent": "t"}, body, op, timeout)


# -- Request / Response / MockTransport -----------------------------------------------------

def test_request_repr_masks_credentials() -> None:
    """repr(Request) shows neither the x-api-token nor a Bearer token."""
    bearer = Request("GET", URL, {"Authorization": f"Bearer {TOKEN}"}, None, "getDeals")
    for request in (req(), bearer):
        assert TOKEN not in repr(request)
        assert "***" in repr(request)


def test_request_is_write() -> None:
    """GET is a read; POST, PATCH, PUT and DELETE are writes."""
    assert not req("GET").is_write
    assert all(req(m).is_write for m in ("POST", "PATCH", "PUT", "DELETE"))


async def test_mock_transport_sync_and_async_handlers() -> None:
    """MockTransport takes a plain function or an async function."""

    def sync(request: Request) -> Response:
        return Response(200, {}, request.url.encode())

    async def coro(request: Request) -> Response:
        await asyncio.sleep(0)
        return Response(201, {}, b"async")

    assert (await MockTransport(sync).send(req())).body == URL.encode()
    assert (await MockTransport(coro).send(req())).status == 201


async def test_mock_transport_handler_exceptions_pass_through() -> None:
    """What the handler raises is what the caller sees."""

    def boom(request: Request) -> Response:
        raise AnswerLost("reset", operation=request.operation)

    transport = MockTransport(boom)
    with pytest.raises(TransportError) as info:
        await transport.send(req("POST"))
    assert type(info.value) is AnswerLost
    await transport.aclose()


# -- translate_error: the one place lower-layer errors become TransportError ---------------

KEY = SimpleNamespace(host="api.pipedrive.com", port=443, ssl=True)


@pytest.mark.parametrize(("exc", "timeout", "sent"), [
    (aiohttp.ClientConnectorError(KEY, ConnectionRefusedError(111, "refused")), False, False),  # type: ignore[arg-type]
    (aiohttp.ClientConnectorDNSError(KEY, OSError(-2, "Name not known")), False, False),  # type: ignore[arg-type]
    (aiohttp.ConnectionTimeoutError("connect"), True, False),
    (aiohttp.InvalidURL("bad"), False, False),
    (aiohttp.SocketTimeoutError("read"), True, True),
    (TimeoutError(), True, True),
    (aiohttp.ServerDisconnectedError(), False, True),
    (aiohttp.ClientPayloadError("cut"), False, True),
    (aiohttp.ClientOSError(104, "Connection reset by peer"), False, True),
    (ConnectionResetError(104, "reset"), False, True),
    (OSError("other"), False, True),
])
def test_translate_error_table(exc: BaseException, timeout: bool, sent: bool) -> None:
    """The phase is the class: only connect-phase failures prove a request never left
    (RequestNotSent), for reads and writes alike; anything later is AnswerLost."""
    for method in ("GET", "POST"):
        request = req(method, URL + "?term=secret-row-data")
        err = translate_error(exc, request)
        assert err.timeout is timeout
        assert type(err) is (AnswerLost if sent else RequestNotSent)
        assert err.operation == request.operation
        assert "secret-row-data" not in str(err)  # no query string (row data) in messages
        assert type(exc).__name__ not in str(err)  # what happened, not its class (x18r4 6c)


# -- AiohttpTransport under aioresponses --------------------------------------------------

class CompatResponse(aiohttp.ClientResponse):
    """aioresponses 0.7.9 omits the ``stream_writer`` that aiohttp 3.14 requires
    (pnuckowski/aioresponses#289, open); fill it in for mocked responses."""

    def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(method, url, **kwargs)


async def test_aiohttp_success_sends_headers_and_body() -> None:
    """A 200 comes back with its body and lower-cased headers; ours went out as given."""
    transport = AiohttpTransport()
    try:
        with aioresponses() as mocked:
            mocked.post(URL, status=201, body=b'{"success":true}', response_class=CompatResponse,
                        headers={"X-RateLimit-Remaining": "39", "Content-Type": "application/json"})
            response = await transport.send(req("POST", body=b'{"title":"x"}'))
            ((_, calls),) = mocked.requests.items()
            sent = calls[0].kwargs
    finally:
        await transport.aclose()
    assert response.status == 201
    assert response.body == b'{"success":true}'
    assert response.headers["x-ratelimit-remaining"] == "39"
    assert type(response.headers) is LowerHeaders  # RateHeaders.parse skips the case check
    assert sent["headers"]["x-api-token"] == TOKEN
    assert sent["data"] == b'{"title":"x"}'
    assert sent["allow_redirects"] is False


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_aiohttp_timeout(method: str) -> None:
    """A read timeout is AnswerLost(timeout=True): the request may have arrived."""
    transport = AiohttpTransport()
    try:
        with aioresponses() as mocked:
            mocked.add(URL, method, exception=TimeoutError())
            with pytest.raises(TransportError) as info:
                await transport.send(req(method))
    finally:
        await transport.aclose()
    assert info.value.timeout is True
    assert type(info.value) is AnswerLost
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.parametrize(("exc", "phase"), [
    (aiohttp.ClientConnectorError(KEY, ConnectionRefusedError(111, "refused")), RequestNotSent),  # type: ignore[arg-type]
    (aiohttp.ConnectionTimeoutError("connect"), RequestNotSent),
    (aiohttp.ServerDisconnectedError(), AnswerLost),
    (aiohttp.ClientPayloadError("cut"), AnswerLost),
])
async def test_aiohttp_connection_errors(exc: Exception, phase: type[TransportError]) -> None:
    """Connection errors of a POST map to their phase class as the table says."""
    transport = AiohttpTransport()
    try:
        with aioresponses() as mocked:
            mocked.post(URL, exception=exc)
            with pytest.raises(TransportError) as info:
                await transport.send(req("POST", body=b"{}"))
    finally:
        await transport.aclose()
    assert type(info.value) is phase
    assert TOKEN not in str(info.value)


async def test_aiohttp_lifecycle() -> None:
    """The session is lazy; aclose is idempotent; a closed transport refuses to send."""
    transport = AiohttpTransport(limit=3)
    assert "idle" in repr(transport)
    await transport.aclose()
    await transport.aclose()
    with pytest.raises(RuntimeError):
        await transport.send(req())


def test_aiohttp_timeout_per_request_is_shared_and_exact() -> None:
    """A request's own timeout (or the default for None) becomes one ClientTimeout, shared
    by every request naming it; many distinct ones are each still exact."""
    transport = AiohttpTransport(timeout=30.0, connect_timeout=10.0)
    default = transport._client_timeout(None)
    assert (default.total, default.sock_connect) == (30.0, 10.0)
    assert transport._client_timeout(30.0) is transport._client_timeout(30.0)
    short = transport._client_timeout(0.5)
    assert (short.total, short.sock_connect) == (0.5, 0.5)
    for n in range(1, 40):
        assert transport._client_timeout(n / 10).total == n / 10


def test_aiohttp_rejects_bad_settings() -> None:
    """Pool size and timeouts are validated at construction."""
    with pytest.raises(ValueError):
        AiohttpTransport(limit=0)
    with pytest.raises(ValueError):
        AiohttpTransport(timeout=0)


# -- AiohttpTransport against a real socket on 127.0.0.1 ------------------------------------

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[str]:
    """A tiny aiohttp.web server on 127.0.0.1, random port; yields its origin."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_real_socket_drop_mid_response() -> None:
    """A connection cut mid-body is AnswerLost: the POST may have been applied."""

    async def handler(request: web.Request) -> web.StreamResponse:
        await request.read()
        resp = web.StreamResponse(headers={"Content-Length": "1000"})
        await resp.prepare(request)
        await resp.write(b'{"success": true, "data": {"id": 1')
        assert request.transport is not None
        request.transport.close()
        return resp

    transport = AiohttpTransport()
    try:
        async with serve(handler) as origin:
            with pytest.raises(TransportError) as info:
                await transport.send(req("POST", origin + "/api/v2/deals", b'{"title":"x"}'))
    finally:
        await transport.aclose()
    assert type(info.value) is AnswerLost
    assert info.value.timeout is False
    assert TOKEN not in str(info.value)


async def test_real_socket_no_silent_retry_of_put() -> None:
    """A PUT (a merge) whose connection drops is sent once; aiohttp's retry is off."""
    hits = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal hits
        hits += 1
        assert request.transport is not None
        request.transport.close()
        await asyncio.sleep(0.05)
        return web.Response()

    transport = AiohttpTransport()
    try:
        async with serve(handler) as origin:
            with pytest.raises(TransportError) as info:
                await transport.send(
                    Request("PUT", origin + "/v1/deals/1/merge", {}, b"{}", "mergeDeals"))
    finally:
        await transport.aclose()
    assert hits == 1
    assert type(info.value) is AnswerLost


async def test_real_socket_connection_refused() -> None:
    """Nothing listening: the POST provably never left."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the request: nobody listens
    transport = AiohttpTransport()
    try:
        with pytest.raises(TransportError) as info:
            await transport.send(req("POST", f"http://127.0.0.1:{port}/api/v2/deals", b"{}"))
    finally:
        await transport.aclose()
    assert type(info.value) is RequestNotSent
    assert info.value.timeout is False


async def test_real_socket_read_timeout() -> None:
    """A slow answer past the request's timeout is a timeout that may have applied."""

    release = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        await release.wait()
        return web.Response()

    transport = AiohttpTransport()
    try:
        async with serve(handler) as origin:
            with pytest.raises(TransportError) as info:
                await transport.send(req("PATCH", origin + "/api/v2/deals/1", b"{}", 0.1))
            release.set()
    finally:
        await transport.aclose()
    assert info.value.timeout is True
    assert type(info.value) is AnswerLost


async def test_real_socket_keepalive_pool_limit_and_no_redirects() -> None:
    """Connections are reused, never more than ``limit`` at once, and 3xx is returned as is."""
    peers: set[Any] = set()
    active = peak = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal active, peak
        if request.path == "/moved":
            return web.Response(status=302, headers={"Location": "http://127.0.0.2/x"})
        assert request.transport is not None
        peers.add(request.transport.get_extra_info("peername"))
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.02)
        active -= 1
        return web.json_response({"success": True}, headers={"X-Seen": request.path})

    transport = AiohttpTransport(limit=2)
    try:
        async with serve(handler) as origin:
            responses = await asyncio.gather(
                *(transport.send(req(url=f"{origin}/r{i}")) for i in range(6)))
            moved = await transport.send(req(url=f"{origin}/moved"))
    finally:
        await transport.aclose()
    assert [r.headers["x-seen"] for r in responses] == [f"/r{i}" for i in range(6)]
    assert peak == 2
    assert len(peers) == 2  # six requests over two kept-alive connections
    assert moved.status == 302 and moved.headers["location"] == "http://127.0.0.2/x"
