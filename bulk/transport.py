"""The network seam: one ``send(request) -> response`` method, as in httpx.

``AiohttpTransport`` is production; ``MockTransport`` takes a plain handler
function for tests. This module is the one place where aiohttp, ``OSError`` and
timeout exceptions become the error tree (``translate_error``), as the phase the
request failed in: :class:`bulk.errors.RequestNotSent` (it never left) or
:class:`bulk.errors.AnswerLost` (it may have reached the server).

It must never: retry (the runner owns retry policy; aiohttp's own silent
retry of idempotent requests is switched off), follow a redirect (it would
carry the ``x-api-token`` header to another host), read proxy settings or
cookies, render a credential header value (``Request.__repr__`` masks them),
or know anything about Pipedrive.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from yarl import URL

from .errors import AnswerLost, RequestNotSent, TransportError
from .headers import LowerHeaders

if TYPE_CHECKING:
    import aiohttp


def _aiohttp() -> Any:
    """aiohttp, imported at the first request rather than with this module: importing it
    costs ~0.3-0.5 s of CPU (its connector builds the default TLS contexts), and most
    ``pdbulk`` commands (help, status, jobs, plans from files) never send a request."""
    import aiohttp

    return aiohttp

SENSITIVE_HEADERS = frozenset({"x-api-token", "authorization"})
_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_TIMEOUTS_KEPT = 8  # distinct per-request timeouts whose ClientTimeout is kept


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request. ``url`` is fully percent-encoded and is sent as is."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None
    operation: str  # the operation id, for errors and statistics
    timeout: float | None = None  # total seconds; None: the transport's default

    @property
    def is_write(self) -> bool:
        return self.method.upper() not in _READ_ONLY_METHODS

    def __repr__(self) -> str:
        headers = {k: "***" if k.lower() in SENSITIVE_HEADERS else v
                   for k, v in self.headers.items()}
        body = "None" if self.body is None else f"<{len(self.body)} bytes>"
        return (f"Request(method={self.method!r}, url={self.url!r}, headers={headers!r}, "
                f"body={body}, operation={self.operation!r}, timeout={self.timeout!r})")


@dataclass(frozen=True, slots=True)
class Response:
    """One HTTP response; header names are lower-cased."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def __repr__(self) -> str:
        return f"Response(status={self.status}, body=<{len(self.body)} bytes>)"


class Departure:
    """Whether the request of one ``send`` has left (f32d 3): the caller puts one in
    ``DEPARTURE`` before it awaits ``send``; a transport that can tell sets ``tracked``
    as it starts and ``left`` once the request's first bytes go to the connection (from
    then on the server may have it). A send cancelled with ``tracked`` and not ``left``
    (waiting for a pooled connection, connecting, its bytes not yet written) never reached
    the server; with ``left``, or from a transport that does not tell, it may have (in
    doubt)."""

    __slots__ = ("left", "tracked")

    def __init__(self) -> None:
        self.tracked = False
        self.left = False

    def __repr__(self) -> str:
        return f"Departure(tracked={self.tracked}, left={self.left})"


DEPARTURE: ContextVar[Departure | None] = ContextVar("bulk_transport_departure", default=None)


class Transport(Protocol):
    async def send(self, request: Request) -> Response: ...

    async def aclose(self) -> None: ...


Handler = Callable[[Request], Response | Awaitable[Response]]


class MockTransport:
    """Answers every request with ``handler(request)`` (a function or async function)."""

    __slots__ = ("_handler",)

    def __init__(self, handler: Handler) -> None:
        self._handler = handler

    async def send(self, request: Request) -> Response:
        if (departure := DEPARTURE.get()) is not None:  # the handler has it: it left
            departure.tracked = departure.left = True
        result = self._handler(request)
        if isinstance(result, Response):
            return result
        return await result

    async def aclose(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"MockTransport({getattr(self._handler, '__name__', self._handler)!r})"


class AiohttpTransport:
    """Production transport: one aiohttp session, created on the running loop at first use.

    ``limit``: most connections open at once (the connector's pool size).
    ``timeout``: default total seconds per request; ``connect_timeout`` caps
    the TCP/TLS connect phase, so that a slow connect is told apart from a
    slow answer.
    """

    __slots__ = ("_closed", "_connect_timeout", "_keepalive_timeout", "_limit", "_loop",
                 "_session", "_timeout", "_timeouts")

    def __init__(self, *, limit: int = 100, timeout: float = 30.0,
                 connect_timeout: float = 10.0, keepalive_timeout: float = 15.0) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        if timeout <= 0 or connect_timeout <= 0 or keepalive_timeout <= 0:
            raise ValueError("timeouts must be positive")
        self._limit = limit
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._keepalive_timeout = keepalive_timeout
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        # ClientTimeout per distinct ``Request.timeout`` (frozen: shared by every request
        # that names it; a client names one, so this is one object, not one per request)
        self._timeouts: dict[float | None, aiohttp.ClientTimeout] = {}

    def _client_timeout(self, total: float | None) -> aiohttp.ClientTimeout:
        timeout = self._timeouts.get(total)
        if timeout is None:
            seconds = self._timeout if total is None else total
            timeout = _aiohttp().ClientTimeout(total=seconds,
                                            sock_connect=min(seconds, self._connect_timeout))
            if len(self._timeouts) < _TIMEOUTS_KEPT:
                self._timeouts[total] = timeout
        return timeout

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("AiohttpTransport is closed")
        loop = asyncio.get_running_loop()
        if self._session is None:
            aio = _aiohttp()
            connector = aio.TCPConnector(limit=self._limit,
                                         keepalive_timeout=self._keepalive_timeout)
            session = aio.ClientSession(
                connector=connector, timeout=self._client_timeout(None), trust_env=False,
                cookie_jar=aio.DummyCookieJar(), raise_for_status=False,
                request_class=_departing_request(),
            )
            # aiohttp re-sends GET/PUT/DELETE once when a connection drops (RFC 9112
            # 9.3.1). A PUT here is a merge: the runner must see the failure, so off.
            if hasattr(session, "_retry_connection"):
                session._retry_connection = False
            self._session, self._loop = session, loop
        elif self._loop is not loop:
            raise RuntimeError("AiohttpTransport is bound to another event loop")
        return self._session

    async def prepare(self) -> None:
        """Make the session now (aiohttp imported, its connector's TLS contexts built: ~0.3-
        0.5 s of CPU with the event loop blocked), sending nothing: called before a run's
        first admission (``PipedriveClient.prepare``). Made by that call's ``send``, after
        the admission, the block kept a held call's shared window entry from being renewed
        and it lapsed before the call left (x47r4 F2: a starting process's GET /users/me
        answered 429 into a full window in 2 of 5 fleets at a 1-s window, load 15-20).
        Raises RuntimeError once closed."""
        self._ensure_session()

    async def send(self, request: Request) -> Response:
        session = self._ensure_session()
        timeout = self._client_timeout(request.timeout)
        if (departure := DEPARTURE.get()) is not None:  # ``left``: _departing_request
            departure.tracked = True
        try:
            async with session.request(
                request.method, URL(request.url, encoded=True), headers=request.headers,
                data=request.body, allow_redirects=False, timeout=timeout,
            ) as resp:
                body = await resp.read()
                headers = LowerHeaders({k.lower(): v for k, v in resp.headers.items()})
                return Response(resp.status, headers, body)
        except (TimeoutError, _aiohttp().ClientError, OSError) as exc:
            # ``from None``: aiohttp's exceptions keep the request headers (the token).
            raise translate_error(exc, request) from None

    async def aclose(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open" if self._session else "idle"
        return f"AiohttpTransport(limit={self._limit}, timeout={self._timeout}, {state})"


@functools.cache
def _departing_request() -> type[aiohttp.ClientRequest]:
    """aiohttp's ``ClientRequest`` that marks the ``Departure`` in ``DEPARTURE`` (if any)
    ``left`` as its first bytes go to the connection (made at the first session: aiohttp
    is imported late).

    A request without a body: at ``send``, which writes its headers with no await before
    (a cancel lands before it or after they were written). A request with a body: at
    ``write_bytes``, which aiohttp runs as a task of its own (a cancel may end it before
    it starts: nothing was written) and which writes the held-back headers with the first
    chunk before its first await. Before, aiohttp's ``TraceConfig`` hooks did this: a
    trace context, a ``Trace`` and a coroutine per signal per request (issue 8: about a
    tenth of the engine's CPU per request; here, two context-variable reads)."""
    import aiohttp

    class DepartingRequest(aiohttp.ClientRequest):
        async def send(self, *args: Any, **kwargs: Any) -> aiohttp.ClientResponse:
            if not self._body and (departure := DEPARTURE.get()) is not None:
                departure.left = True
            return await super().send(*args, **kwargs)

        async def write_bytes(self, *args: Any, **kwargs: Any) -> None:
            if (departure := DEPARTURE.get()) is not None:
                departure.left = True
            await super().write_bytes(*args, **kwargs)

    return DepartingRequest


_NO_SSL_WORD = re.compile(r" ssl:(?:default|None|True|False)\b")


def translate_error(exc: BaseException, request: Request) -> TransportError:
    """The phase class for an aiohttp / OS / timeout failure of ``request``.

    ``RequestNotSent`` only when the failure proves the request never left: the
    connect phase (refused, DNS, TLS handshake or certificate, connect or pool
    timeout) or a URL aiohttp refused. Anything later (read timeout, reset or close
    after the body was written, an answer cut off, an OS error nobody classified)
    may have reached the server: ``AnswerLost``, for reads and writes alike (what
    that means for a write is the runner's call). The message names the operation,
    method, path (never the query: it may hold row data) and the cause.
    """
    aio = _aiohttp()
    timeout = False
    cls: type[TransportError]
    if isinstance(exc, aio.ConnectionTimeoutError):  # connect or wait for the pool
        what, timeout, cls = "connect timed out", True, RequestNotSent
    elif isinstance(exc, aio.ClientConnectorError):  # refused, DNS, TLS, proxy
        what, cls = "cannot connect", RequestNotSent
    elif isinstance(exc, aio.ServerFingerprintMismatch):  # checked before the send
        what, cls = "TLS fingerprint mismatch", RequestNotSent
    elif isinstance(exc, aio.InvalidURL | aio.NonHttpUrlClientError):
        what, cls = "invalid URL", RequestNotSent
    elif isinstance(exc, TimeoutError):  # includes ServerTimeoutError (read)
        what, timeout, cls = "timed out", True, AnswerLost
    elif isinstance(exc, aio.ServerDisconnectedError):
        what, cls = "server disconnected", AnswerLost
    elif isinstance(exc, aio.ClientPayloadError):
        what, cls = "response cut off", AnswerLost
    else:
        what, cls = "connection failed", AnswerLost
    # never its class's name (x18r4 6c); nor aiohttp's "ssl:default" of a connector error,
    # which read as a TLS problem for a plain-http URL refused (x22r2 F3)
    detail = f" ({_NO_SSL_WORD.sub('', str(exc))})" if str(exc) else ""
    path = urlsplit(request.url).path  # no query string: it may hold row data
    message = f"{request.operation}: {request.method} {path}: {what}{detail}"
    return cls(message, operation=request.operation, timeout=timeout)


__all__ = ["DEPARTURE", "SENSITIVE_HEADERS", "AiohttpTransport", "Departure", "Handler",
           "MockTransport", "Request", "Response", "Transport", "translate_error"]
