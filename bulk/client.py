"""The Pipedrive client: an operation id in, an ``ApiResult`` or one typed error out.

It builds the URL from the operation table, puts the credential in a header,
encodes query parameters and JSON bodies (orjson), unwraps Pipedrive's
envelope, and turns error answers into the error tree (``api_error_for``) with
the response's rate-limit headers attached, for the scheduler.

It must never: put the token anywhere but the ``x-api-token`` (or
``Authorization: Bearer``) header — not in a URL, a repr, an exception or a
log line; retry or sleep (the runner owns retry policy); speak plain HTTP to
anything but a loopback address.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from http import HTTPStatus
from types import TracebackType
from typing import Any, NoReturn
from urllib.parse import quote, urlsplit

import orjson

from .errors import (
    ApiError,
    ConfigError,
    MalformedResponse,
    TransportError,
    Unauthorized,
    api_error_for,
)
from .headers import RateHeaders
from .operations import OPERATIONS, Operation, get_operation
from .plans import AuthKind
from .transport import AiohttpTransport, Request, Response, Transport

MASK = "***"
_VERSION_SUFFIXES = ("/api/v2", "/api/v1", "/v1")
_MAX_MESSAGE = 500
_MAX_PAGE = 500
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class Secret:
    """Holds a credential; every rendering of it is masked. ``reveal()`` is the only way in."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):  # x41r1 M4: an int token was an AttributeError
            raise ConfigError(f"token must be a string, not {type(value).__name__}")
        if not value or not (value.isascii() and value.isprintable()) or " " in value:
            # The value is deliberately left out of the message.
            raise ConfigError("token must be non-empty printable ASCII without spaces")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")


def looks_like_oauth(token: str) -> bool:
    """Whether ``token`` has the shape of a Pipedrive OAuth access token: one has a colon
    (openapi-v1.yaml's token answer: ``v1u:AQIBAH…==:RIDn…``; older ones
    ``<company id>:<user id>:<hex>``), an API token (40 hex characters) never does. Only
    a bool leaves here: the token is in no message."""
    return ":" in token


@dataclass(frozen=True, slots=True)
class ApiResult:
    """One successful answer: the envelope's ``data`` and ``additional_data``."""

    operation: Operation
    status: int
    data: Any
    additional_data: Any
    rate: RateHeaders

    @property
    def next_cursor(self) -> str | None:
        """The v2 cursor of the next page, or None on the last page."""
        if isinstance(self.additional_data, Mapping):
            cursor = self.additional_data.get("next_cursor")
            if isinstance(cursor, str) and cursor:
                return cursor
        return None

    @property
    def next_start(self) -> int | None:
        """The v1 ``start`` of the next page, or None when there are no more items."""
        extra = self.additional_data
        pagination = extra.get("pagination") if isinstance(extra, Mapping) else None
        if not isinstance(pagination, Mapping) or not pagination.get("more_items_in_collection"):
            return None
        start = pagination.get("next_start")
        return start if isinstance(start, int) and not isinstance(start, bool) else None


async def paginate(call: Callable[..., Awaitable[ApiResult]], operation_id: str, *,
                   params: Mapping[str, object] | None = None,
                   limit: int = 500) -> AsyncIterator[ApiResult]:
    """Every page of a list operation through ``call`` (the client's, or a run's scheduled
    ``CallContext.call``): the one pagination loop. v2 pages by ``cursor``, v1 by
    ``start``/``limit`` (openapi-v1/v2: ``additional_data.next_cursor``,
    ``additional_data.pagination``).

    A ``cursor`` (v2) or ``start`` (v1) in ``params`` resumes from that page. Each page is
    one call, made only when the previous one has been consumed (a caller that stops
    iterating pays for no further page). ``limit``: items per page, 1..500.

    Raises ValueError for a write operation, a bad ``limit`` or ``limit`` in ``params``;
    MalformedResponse when the server repeats a page (a cursor or start that does not
    advance would otherwise be an endless, token-burning loop)."""
    operation = get_operation(operation_id)
    if operation.is_write:
        raise ValueError(f"{operation_id} is not a list operation")
    if not 1 <= limit <= _MAX_PAGE:
        raise ValueError(f"limit must be between 1 and {_MAX_PAGE}")
    if params and "limit" in params:
        raise ValueError("pass the page size as limit=, not in params")
    query: dict[str, object] = {**(params or {}), "limit": limit}
    v2 = operation.version == "v2"
    while True:
        page = await call(operation_id, params=dict(query))
        yield page
        if v2:
            cursor = page.next_cursor
            if cursor is None:
                return
            stuck = cursor == query.get("cursor")
            query["cursor"] = cursor
        else:
            start = page.next_start
            if start is None:
                return
            before = query.get("start", 0)
            stuck = isinstance(before, int) and start <= before
            query["start"] = start
        if stuck:
            raise MalformedResponse(page.status, "pagination did not advance",
                                    operation=operation_id, rate=page.rate)


def _expects_data(operation: Operation) -> bool:
    """Whether a 2xx of ``operation`` must carry a non-null ``data``: writes (POST,
    PUT, PATCH) and v2 reads of one record (``GET .../{id}``). v1 lists answer an
    empty result with ``data: null`` (FACTS.md), so lists are exempt."""
    if operation.method in ("POST", "PUT", "PATCH"):
        return True
    return (operation.method == "GET" and operation.version == "v2"
            and operation.path.endswith("/{id}"))


def normalize_base_url(base_url: str, *, name: str = "base_url") -> str:
    """The origin (plus any proxy prefix) without a trailing ``/api/v2`` or ``/v1``.

    Raises ConfigError (a ValueError) for anything but an http(s) origin: plain
    ``http://`` to a non-loopback host, credentials, a query, a control character.
    Messages never echo the URL: someone may have pasted ``?api_token=...`` into it; they
    call it ``name`` (the CLI's: "bad --url: it ...", x22r2 F3: "base_url must ..." named no flag).
    """
    # urlsplit quietly drops \t \r \n anywhere in the URL: refuse them (and every other
    # control character, leading or trailing too) before it can
    if any(ord(c) < 32 or ord(c) == 127 for c in base_url):
        raise ConfigError(f"{name} must not hold control characters (a line break?)")
    # a space or an invisible character inside (a copy from a document): a host that
    # resolves nowhere, then "the account is not answering" (x16r3 3)
    if any(c.isspace() or unicodedata.category(c) == "Cf" for c in base_url.strip()):
        raise ConfigError(f"{name} must not hold spaces or invisible characters")
    try:
        parts = urlsplit(base_url.strip())
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:  # a plain ValueError would echo part of the URL and not be a ConfigError
        raise ConfigError(f"{name} has a malformed host or port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name} must be an http(s) URL with a host")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"{name} must not carry credentials, a query or a fragment "
                         "(the token is passed separately and only ever sent in a header)")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigError("plain http:// is allowed to loopback addresses only; use https://")
    path = parts.path.rstrip("/")
    for suffix in _VERSION_SUFFIXES:
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return f"{parts.scheme}://{parts.netloc}{path}"


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def encode_query(params: Mapping[str, object] | None) -> str:
    """Query string: None dropped, bools ``true``/``false``, lists comma-joined."""
    pairs = []
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            if not value:
                # An empty id list must not silently turn into "no filter".
                raise ValueError(f"query parameter {key!r} is an empty list")
            text = ",".join(_scalar(key, item) for item in value)
        else:
            text = _scalar(key, value)
        pairs.append(f"{quote(str(key), safe='')}={quote(text, safe=',')}")
    return "&".join(pairs)


def _path_value(value: object) -> str:
    """A path parameter's value, percent-encoded. An ``int`` (not a bool) is digits and a
    sign, which need none: most path values are record ids, and ``urllib``'s ``quote``
    cost two Python calls and a bytes round trip per request (issue 8)."""
    return str(value) if type(value) is int else quote(str(value), safe="")


def _scalar(key: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):  # datetime too: RFC 3339
        return value.isoformat()
    if isinstance(value, str | int | float):
        return str(value)
    raise TypeError(f"query parameter {key!r}: cannot encode {type(value).__name__}")


class PipedriveClient:
    """Calls Pipedrive operations by id; one instance per token.

    The client owns its transport (as in httpx) and closes it in ``aclose``.
    """

    __slots__ = ("_auth", "_closed", "_company", "_origin", "_secret", "_timeout",
                 "_transport", "_user_agent")

    def __init__(self, base_url: str, token: str | Secret, *, auth: AuthKind = "api_token",
                 transport: Transport | None = None, timeout: float = 30.0,
                 user_agent: str = "pipedrive-bulk/0.1") -> None:
        if auth not in ("api_token", "oauth"):
            raise ConfigError(f"auth must be 'api_token' or 'oauth', not {auth!r}")
        if timeout <= 0:
            raise ConfigError("timeout must be positive")
        self._origin = normalize_base_url(base_url)
        self._secret = token if isinstance(token, Secret) else Secret(token)
        self._auth: AuthKind = auth
        self._timeout = timeout
        self._user_agent = user_agent
        self._transport: Transport = transport or AiohttpTransport(timeout=timeout)
        self._closed = False
        self._company: str | None = None  # a getCurrentUser answer's company_id

    @property
    def company(self) -> str | None:
        """The company id (``data.company_id``, openapi-v1.yaml) the last
        ``getCurrentUser`` answer of this client named; None: none answered. No other
        answer names the company (FACTS.md): the engine keys the company's kept day by it
        (``bulk.day_seen``)."""
        return self._company

    @property
    def origin(self) -> str:
        return self._origin

    @property
    def auth(self) -> AuthKind:
        return self._auth

    def __repr__(self) -> str:
        return (f"PipedriveClient(origin={self._origin!r}, auth={self._auth!r}, token={MASK!r}, "
                f"transport={self._transport!r}{', closed' if self._closed else ''})")

    async def __aenter__(self) -> PipedriveClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.aclose()

    async def prepare(self) -> None:
        """Ready the transport for its first request, sending nothing (a transport's own
        ``prepare``, when it has one: ``AiohttpTransport.prepare``). The engine calls it
        before its first admission: set up at the first ``send`` instead, its CPU (seconds
        on a loaded host) came between that call's admission and its departure, and its
        slot in a shared window lapsed meanwhile (x47r4 F2)."""
        ready = getattr(self._transport, "prepare", None)
        if ready is not None:
            await ready()

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self._transport.aclose()

    # -- requests -------------------------------------------------------------------------
    def build_request(self, operation: Operation, *, path: Mapping[str, object] | None = None,
                      params: Mapping[str, object] | None = None, json: Any = None) -> Request:
        """The Request for one call (pure: no I/O)."""
        if json is not None and operation.method == "GET":  # (``is_write``, inline)
            raise ValueError(f"{operation.id}: a {operation.method} request takes no body")
        # (no comprehension or generator: each is a frame of its own, per request)
        quoted: dict[str, object] = dict(zip(
            path, map(_path_value, path.values()), strict=True)) if path else {}
        if "" in quoted.values():
            raise ValueError(f"{operation.id}: empty path parameter")
        url = self._origin + operation.render_path(quoted)
        query = encode_query(params)
        if query:
            url += "?" + query
        headers = {"accept": "application/json", "user-agent": self._user_agent}
        if self._auth == "oauth":
            headers["authorization"] = "Bearer " + self._secret.reveal()
        else:
            headers["x-api-token"] = self._secret.reveal()
        body = None
        if json is not None:
            body = orjson.dumps(json)
            headers["content-type"] = "application/json"
        return Request(operation.method, url, headers, body, operation.id, timeout=self._timeout)

    async def call(self, operation_id: str, *, path: Mapping[str, object] | None = None,
                   params: Mapping[str, object] | None = None, json: Any = None) -> ApiResult:
        """One call; raises an ApiError subclass, or a TransportError phase (``RequestNotSent``,
        ``AnswerLost``) as the transport raised it. Never retries."""
        if self._closed:
            raise RuntimeError("PipedriveClient is closed")
        # the table, read inline (one Python call a request: issue 8); an unknown id
        # raises as before (``get_operation``)
        operation = OPERATIONS.get(operation_id) or get_operation(operation_id)
        request = self.build_request(operation, path=path, params=params, json=json)
        try:
            response = await self._transport.send(request)
        except TransportError as exc:
            # The transport translated it (the one place): its class is its phase and
            # stays as is. Only a custom transport that quoted a header is redacted,
            # in place, and cut from its chain (the cause may hold the headers too).
            if self._secret.reveal() in str(exc):
                exc.args = tuple(self._scrub(str(a)) for a in exc.args)
                raise exc from None
            raise
        rate = RateHeaders.parse(response.headers)
        if not 200 <= response.status < 300:
            raise self._error(operation, response, rate)
        return self._result(operation, response, rate)

    async def paginate(self, operation_id: str, *, params: Mapping[str, object] | None = None,
                       limit: int = 500) -> AsyncIterator[ApiResult]:
        """Every page of a list: v2 by ``cursor``, v1 by ``start``/``limit`` (``paginate``)."""
        async for page in paginate(self.call, operation_id, params=params, limit=limit):
            yield page

    # -- responses ------------------------------------------------------------------------
    def _result(self, operation: Operation, response: Response, rate: RateHeaders) -> ApiResult:
        if response.status == 204 and not response.body:
            return ApiResult(operation, response.status, None, None, rate)
        payload = _loads(response.body)
        if not isinstance(payload, dict):
            what = "not JSON" if payload is _NOT_JSON else "not a JSON object"
            raise MalformedResponse(response.status, f"response body is {what}",
                                    operation=operation.id, body=self._snippet(response.body),
                                    rate=rate)
        if payload.get("success") is False:
            message, info, code = self._error_fields(payload)
            raise MalformedResponse(response.status, message or "success: false",
                                    operation=operation.id, error_info=info, code=code,
                                    body=self._scrub_json(payload), rate=rate)
        data = payload.get("data")
        if data is None and _expects_data(operation):
            # A write or a read of one record answers with the record (openapi-v1/v2:
            # every such 200/201 schema has a non-null ``data``); null is a malformed
            # answer, never something a job kind should index into.
            raise MalformedResponse(response.status, "malformed answer: data is null",
                                    operation=operation.id, body=self._scrub_json(payload),
                                    rate=rate)
        if operation.id == "getCurrentUser" and isinstance(data, dict) \
                and isinstance(company := data.get("company_id"), int | str) \
                and not isinstance(company, bool) and str(company):
            self._company = str(company)
        return ApiResult(operation, response.status, data, payload.get("additional_data"), rate)

    def _error(self, operation: Operation, response: Response, rate: RateHeaders) -> ApiError:
        status, raw = response.status, response.body
        headers = {k.lower(): v for k, v in response.headers.items()}  # a MockTransport may not
        payload = _loads(raw)
        html = False
        body: Any
        info = code = None
        message: str | None
        if isinstance(payload, dict):
            message, info, code = self._error_fields(payload)
            body = self._scrub_json(payload)
        else:
            content_type = headers.get("content-type", "").lower()
            html = "html" in content_type or raw.lstrip()[:1] == b"<"
            message = self._html_title(raw) if html else self._snippet(raw).partition("\n")[0]
            body = self._snippet(raw)
        if 300 <= status < 400:  # redirects are not followed: the token stays on this host
            location = headers.get("location")
            message = f"redirect to {self._scrub(location)}" if location else message
        message = message or _phrase(status)
        extra: dict[str, Any] = {}
        if status == 429:
            waits = [w for w in (rate.reset, rate.retry_after) if w is not None]
            # Retry-After speaks for this rejection, the reset for the burst window:
            # never come back before the later of the two.
            extra["reset_after"] = max(waits) if waits else None
        error = api_error_for(status, message[:_MAX_MESSAGE], code=code, html=html,
                              operation=operation.id, error_info=info, body=body, rate=rate,
                              **extra)
        if isinstance(error, Unauthorized):
            error.oauth = self._auth == "oauth"  # the CLI's hint names --oauth then
            # (an OAuth access token sent as an API token: the hint names --oauth; x52r7 F3)
            error.oauth_like = not error.oauth and looks_like_oauth(self._secret.reveal())
        return error

    def _error_fields(self, payload: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
        """Pipedrive's ``error``, ``error_info`` and ``code`` (``errorCode`` only echoes
        the status, so it is not a ``code``: that would make every 403 a PlanLimit)."""
        error = payload.get("error")
        if isinstance(error, Mapping):
            error = error.get("message")
        message = (self._scrub(error).strip() or None) if isinstance(error, str) else None
        info = payload.get("error_info")
        code = payload.get("code")
        return (message,
                self._scrub(info) if isinstance(info, str) else None,
                self._scrub(str(code)) if isinstance(code, str | int)
                and not isinstance(code, bool) else None)

    def _html_title(self, raw: bytes) -> str:
        match = _TITLE.search(raw[:8192])
        title = " ".join(match.group(1).decode("utf-8", "replace").split()) if match else ""
        return self._scrub(f"HTML page: {title[:120]}" if title else "HTML page")

    def _snippet(self, raw: bytes) -> str:
        return self._scrub(raw[:1000].decode("utf-8", "replace").strip())

    # -- keeping the token out of errors ----------------------------------------------------
    def _scrub(self, text: str) -> str:
        return text.replace(self._secret.reveal(), MASK)

    def _scrub_json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._scrub(value)
        if isinstance(value, dict):
            return {self._scrub(str(k)): self._scrub_json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._scrub_json(v) for v in value]
        return value


_NOT_JSON: Any = object()


def _loads(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _NOT_JSON


def _phrase(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


__all__ = ["ApiResult", "PipedriveClient", "Secret", "encode_query", "looks_like_oauth",
           "normalize_base_url", "paginate"]
