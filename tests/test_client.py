"""PipedriveClient: URLs, auth headers, encoding, envelopes, the error mapping, pagination,
plain-http refusal, and the API token never leaking into errors, reprs or URLs."""

from __future__ import annotations

import pickle
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulk.client import ApiResult, PipedriveClient, Secret, encode_query, normalize_base_url
from bulk.errors import (
    AnswerLost,
    ApiError,
    Blocked,
    Forbidden,
    Gone,
    MalformedResponse,
    NotFound,
    PaymentRequired,
    PlanLimit,
    RateLimited,
    RequestNotSent,
    ServerError,
    TransportError,
    Unauthorized,
    ValidationRejected,
)
from bulk.operations import get_operation
from bulk.transport import AiohttpTransport, MockTransport, Request, Response

pytestmark = pytest.mark.anyio

TOKEN = "c0ffee0123456789abcdef0123456789deadbeef"
BASE = "https://api.pipedrive.com"


@asynccontextmanager
async def serve(handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
                ) -> AsyncIterator[str]:
    """A tiny aiohttp.web server on 127.0.0.1, random port; yields its origin."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def reply(status: int = 200, payload: Any = None, headers: dict[str, str] | None = None,
          raw: bytes | None = None) -> Response:
    body = raw if raw is not None else orjson.dumps(
        {"success": True, "data": None} if payload is None else payload)
    return Response(status, {k.lower(): v for k, v in (headers or {}).items()}, body)


def make(handler: Callable[[Request], Response], *, base: str = BASE,
         **kw: Any) -> tuple[PipedriveClient, list[Request]]:
    """A client over a MockTransport that records the requests it sees."""
    seen: list[Request] = []

    def record(request: Request) -> Response:
        seen.append(request)
        return handler(request)

    return PipedriveClient(base, TOKEN, transport=MockTransport(record), **kw), seen


def ok(request: Request) -> Response:
    return reply(payload={"success": True, "data": {"id": 1}})


def assert_no_token(exc: BaseException) -> None:
    """The token is in no rendering of the error, its traceback or its body."""
    texts = [str(exc), repr(exc), repr(exc.args),
             "".join(traceback.format_exception(exc)), repr(getattr(exc, "body", None)),
             repr(getattr(exc, "message", None)), repr(getattr(exc, "error_info", None))]
    for text in texts:
        assert TOKEN not in text


# -- URLs -----------------------------------------------------------------------------------

@pytest.mark.parametrize("base", [
    "https://api.pipedrive.com", "https://api.pipedrive.com/", "https://api.pipedrive.com/api/v2",
    "https://api.pipedrive.com/api/v2/", "https://api.pipedrive.com/v1",
])
async def test_base_url_suffix_is_stripped(base: str) -> None:
    """A base URL with or without /api/v2 or /v1 gives the same request URLs."""
    client, seen = make(ok, base=base)
    async with client:
        await client.call("getDeal", path={"id": 3})
        await client.call("mergeDeals", path={"id": 3}, json={"merge_with_id": 7})
    assert [r.url for r in seen] == ["https://api.pipedrive.com/api/v2/deals/3",
                                     "https://api.pipedrive.com/v1/deals/3/merge"]
    assert [r.method for r in seen] == ["GET", "PUT"]
    assert [r.operation for r in seen] == ["getDeal", "mergeDeals"]


@pytest.mark.parametrize(("base", "origin"), [
    ("https://acme.pipedrive.com/api/v2", "https://acme.pipedrive.com"),
    ("http://127.0.0.1:8123/v1/", "http://127.0.0.1:8123"),
    ("http://127.9.9.9", "http://127.9.9.9"),
    ("http://[::1]:9000", "http://[::1]:9000"),
    ("http://LOCALHOST:9000/api/v2", "http://LOCALHOST:9000"),
    ("https://proxy.example.com/pd/api/v2", "https://proxy.example.com/pd"),
])
def test_normalize_base_url(base: str, origin: str) -> None:
    """Company domains, loopback sandboxes and proxy prefixes are accepted."""
    assert normalize_base_url(base) == origin


@pytest.mark.parametrize("base", [
    "http://api.pipedrive.com", "http://10.0.0.1:8080", "http://localhost.evil.com",
    "http://127.0.0.1.nip.io", "ftp://127.0.0.1", "api.pipedrive.com", "https://",
])
def test_plain_http_and_junk_refused(base: str) -> None:
    """Plain http is refused for anything but loopback, at construction."""
    with pytest.raises(ValueError):
        PipedriveClient(base, TOKEN)


def test_token_in_base_url_refused_without_echo() -> None:
    """A base URL carrying the token is refused, and the message does not repeat it."""
    for base in (f"{BASE}/v1?api_token={TOKEN}", f"https://{TOKEN}@api.pipedrive.com"):
        with pytest.raises(ValueError) as info:
            PipedriveClient(base, TOKEN)
        assert_no_token(info.value)


async def test_path_params_are_escaped_and_required() -> None:
    """Path values are percent-escaped (no traversal); a missing one is a ValueError."""
    client, seen = make(ok)
    async with client:
        await client.call("getDealField", path={"field_code": "a/../b c"})
        with pytest.raises(ValueError):
            await client.call("getDeal")
        with pytest.raises(ValueError):
            await client.call("getDeal", path={"id": ""})
        with pytest.raises(ValueError):
            await client.call("noSuchOperation")
    assert seen[0].url == f"{BASE}/api/v2/dealFields/a%2F..%2Fb%20c"
    assert len(seen) == 1


def test_an_id_path_value_is_not_run_through_quote(monkeypatch: pytest.MonkeyPatch) -> None:
    """An int path value (a record id, most requests' only one) is written as its digits
    without ``urllib.parse.quote`` (two Python calls and a bytes round trip a request,
    issue 8); a bool or a str still goes through it, and every URL is as before."""
    from bulk import client as client_module

    quoted: list[str] = []
    real = client_module.quote

    def counting(text: str, safe: str = "/") -> str:
        quoted.append(text)
        return real(text, safe=safe)

    monkeypatch.setattr(client_module, "quote", counting)
    client = PipedriveClient(BASE, "tok", transport=MockTransport(ok))
    op = get_operation("getDeal")
    urls = [client.build_request(op, path={"id": v}).url for v in (42, -7, True, "a b")]
    assert urls == [f"{BASE}/api/v2/deals/{v}" for v in ("42", "-7", "True", "a%20b")]
    assert quoted == ["True", "a b"]


# -- headers, params, bodies --------------------------------------------------------------

async def test_api_token_only_in_header() -> None:
    """api_token auth: x-api-token header, no Authorization, nothing in the URL."""
    client, seen = make(ok, user_agent="ua/1", timeout=7.5)
    async with client:
        await client.call("getDeals", params={"limit": 5})
    (request,) = seen
    assert request.headers["x-api-token"] == TOKEN
    assert "authorization" not in request.headers
    assert request.headers["user-agent"] == "ua/1"
    assert request.headers["accept"] == "application/json"
    assert "content-type" not in request.headers and request.body is None
    assert request.timeout == 7.5
    assert TOKEN not in request.url and TOKEN not in repr(request)


async def test_oauth_bearer_header() -> None:
    """oauth auth: Authorization: Bearer, no x-api-token."""
    client, seen = make(ok, auth="oauth")
    async with client:
        await client.call("getCurrentUser")
    assert seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert "x-api-token" not in seen[0].headers
    assert seen[0].url == f"{BASE}/v1/users/me"


def test_bad_auth_and_token_refused() -> None:
    """Unknown auth kinds and header-breaking tokens are ValueErrors that don't echo them."""
    with pytest.raises(ValueError):
        PipedriveClient(BASE, TOKEN, auth="basic")  # type: ignore[arg-type]
    for bad in ("", f"{TOKEN}\r\nx-evil: 1", f"{TOKEN} "):
        with pytest.raises(ValueError) as info:
            PipedriveClient(BASE, bad)
        assert_no_token(info.value)


async def test_query_encoding() -> None:
    """Lists comma-joined, bools true/false, None dropped, dates RFC 3339, the rest escaped."""
    client, seen = make(ok)
    since = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    async with client:
        await client.call("getDeals", params={
            "ids": [1, 2, 3], "status": "open", "owner_id": None, "include_fields": ("a", "b"),
            "exact": True, "archived": False, "updated_since": since, "term": "a&b c",
        })
    assert seen[0].url == (
        f"{BASE}/api/v2/deals?ids=1,2,3&status=open&include_fields=a,b&exact=true&archived=false"
        "&updated_since=2024-01-02T03%3A04%3A05%2B00%3A00&term=a%26b%20c")


def test_query_encoding_refuses_ambiguity() -> None:
    """An empty list (not 'no filter') and a nested mapping are refused."""
    assert encode_query(None) == ""
    with pytest.raises(ValueError):
        encode_query({"ids": []})
    with pytest.raises(TypeError):
        encode_query({"filter": {"a": 1}})


async def test_json_body() -> None:
    """Bodies are orjson with Content-Type: application/json; GET takes none."""
    client, seen = make(ok)
    payload = {"title": "Ünïcode deal", "value": 1.5, "custom_fields": {"abc": None}}
    async with client:
        await client.call("addDeal", json=payload)
        with pytest.raises(ValueError):
            await client.call("getDeals", json={"x": 1})
    assert seen[0].method == "POST"
    assert seen[0].headers["content-type"] == "application/json"
    assert seen[0].body == orjson.dumps(payload)


# -- envelopes ------------------------------------------------------------------------------

async def test_envelope_and_rate_headers() -> None:
    """data, additional_data and the rate-limit headers come back in the ApiResult."""
    page = {"success": True, "data": [{"id": 1}], "additional_data": {"next_cursor": "c1"}}
    headers = {"X-RateLimit-Limit": "40", "x-ratelimit-remaining": "39",
               "x-ratelimit-reset": "2", "x-daily-ratelimit-token-remaining": "1000"}
    client, _ = make(lambda r: reply(payload=page, headers=headers))
    async with client:
        result = await client.call("getDeals")
    assert isinstance(result, ApiResult)
    assert result.operation.id == "getDeals" and result.status == 200
    assert result.data == [{"id": 1}]
    assert result.next_cursor == "c1"
    assert (result.rate.limit, result.rate.remaining, result.rate.reset) == (40, 39, 2.0)
    assert result.rate.daily_token_remaining == 1000


async def test_empty_204_is_success() -> None:
    """A 204 with no body is a success with data None."""
    client, _ = make(lambda r: reply(204, raw=b""))
    async with client:
        result = await client.call("deleteDeal", path={"id": 1})
    assert result.data is None and result.next_cursor is None


@pytest.mark.parametrize(("raw", "message"), [
    (b"<html>oops</html>", "not JSON"),
    (b"", "not JSON"),
    (b'{"success": tr', "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"success": false, "error": "Something odd", "error_info": "x"}', "Something odd"),
])
async def test_bad_2xx_is_malformed_response(raw: bytes, message: str) -> None:
    """A 2xx that is not a JSON envelope, or says success: false, is MalformedResponse
    (a retryable ServerError: for a write the runner treats it as in doubt)."""
    client, seen = make(lambda r: reply(200, raw=raw))
    async with client:
        with pytest.raises(MalformedResponse) as info:
            await client.call("addDeal", json={"title": "t"})
    assert isinstance(info.value, ServerError) and info.value.retryable
    assert info.value.status == 200 and info.value.operation == "addDeal"
    assert message in info.value.message
    assert_no_token(info.value)
    assert TOKEN not in seen[0].url


# -- the error mapping ------------------------------------------------------------------------

def error_body(status: int, error: str, **extra: Any) -> bytes:
    return orjson.dumps({"success": False, "error": error, "errorCode": status,
                         "error_info": "Please check developers.pipedrive.com",
                         "data": None, "additional_data": None, **extra})


CLOUDFLARE = (b"<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title>"
              b"</head><body>Sorry, you have been blocked</body></html>")

ERROR_CASES: list[tuple[int, bytes, dict[str, str], type[ApiError], str]] = [
    (400, error_body(400, "Validation failed: title: must be string",
                     code="ERR_SCHEMA_VALIDATION_FAILED"), {}, ValidationRejected,
     "Validation failed: title: must be string"),
    (401, error_body(401, "unauthorized access"), {}, Unauthorized, "unauthorized access"),
    (402, error_body(402, "Company account is not open"), {}, PaymentRequired,
     "Company account is not open"),
    (403, error_body(403, "You do not have permission"), {}, Forbidden,
     "You do not have permission"),
    (403, error_body(403, "Open deals limit reached", code="feature_capping_deals_limit"), {},
     PlanLimit, "Open deals limit reached"),
    (403, CLOUDFLARE, {"Content-Type": "text/html"}, Blocked,
     "HTML page: Attention Required! | Cloudflare"),
    (403, b"\n  <html><body>blocked</body></html>", {}, Blocked, "HTML page"),
    (404, error_body(404, "Deal not found"), {}, NotFound, "Deal not found"),
    (410, error_body(410, "Gone"), {}, Gone, "Gone"),
    (429, error_body(429, "Request over limit"), {"x-ratelimit-reset": "2"}, RateLimited,
     "Request over limit"),
    (500, error_body(500, "Internal server error"), {}, ServerError, "Internal server error"),
    (503, b"<html><title>503 Service Unavailable</title></html>", {"content-type": "text/html"},
     ServerError, "HTML page: 503 Service Unavailable"),
    (502, b"upstream connect error\nmore", {}, ServerError, "upstream connect error"),
    (500, b"", {}, ServerError, "HTTP 500 Internal Server Error"),
    (418, b'{"success": false}', {}, ApiError, "HTTP 418 I'm a Teapot"),
    (302, b"", {"Location": "https://elsewhere.example/"}, ApiError,
     "redirect to https://elsewhere.example/"),
]


@pytest.mark.parametrize(("status", "raw", "headers", "cls", "message"), ERROR_CASES)
async def test_error_mapping(status: int, raw: bytes, headers: dict[str, str],
                             cls: type[ApiError], message: str) -> None:
    """Each status and body maps to its error class with Pipedrive's message, the
    operation and the response's rate headers; the token is in none of it."""
    headers = {"x-ratelimit-remaining": "0", **headers}
    client, seen = make(lambda r: reply(status, raw=raw, headers=headers))
    async with client:
        with pytest.raises(ApiError) as info:
            await client.call("updateDeal", path={"id": 9}, json={"title": "x"})
    exc = info.value
    assert type(exc) is cls
    assert exc.status == status and exc.message == message
    assert exc.operation == "updateDeal" and "updateDeal" in str(exc)
    assert exc.rate is not None and exc.rate.remaining == 0
    assert len(seen) == 1  # never retried
    assert_no_token(exc)
    assert TOKEN not in seen[0].url


async def test_error_fields_kept() -> None:
    """error_info, code and the parsed body are kept; errorCode is not taken for a code."""
    raw = error_body(400, "Validation failed", code="ERR_SCHEMA_VALIDATION_FAILED")
    client, _ = make(lambda r: reply(400, raw=raw))
    async with client:
        with pytest.raises(ValidationRejected) as info:
            await client.call("addDeal", json={"title": 1})
    assert info.value.code == "ERR_SCHEMA_VALIDATION_FAILED"
    assert info.value.error_info == "Please check developers.pipedrive.com"
    assert info.value.body["errorCode"] == 400
    assert info.value.kind == "row"


@pytest.mark.parametrize(("headers", "reset_after"), [
    ({"x-ratelimit-reset": "2"}, 2.0),
    ({"Retry-After": "30"}, 30.0),
    ({"x-ratelimit-reset": "2", "retry-after": "30"}, 30.0),
    ({"x-ratelimit-reset": "5", "retry-after": "1"}, 5.0),
    ({}, None),
])
async def test_rate_limited_reset_after(headers: dict[str, str],
                                        reset_after: float | None) -> None:
    """429's reset_after is the later of x-ratelimit-reset and Retry-After, if any."""
    client, _ = make(lambda r: reply(429, raw=error_body(429, "Request over limit"),
                                     headers=headers))
    async with client:
        with pytest.raises(RateLimited) as info:
            await client.call("getDeals")
    assert info.value.reset_after == reset_after
    assert info.value.retryable


# -- the token never leaks ------------------------------------------------------------------

def test_secret_and_client_reprs_are_masked() -> None:
    """Secret, PipedriveClient and Request render without the token; Secret won't pickle."""
    secret = Secret(TOKEN)
    client = PipedriveClient(BASE, secret, transport=MockTransport(ok))
    request = client.build_request(get_operation("getDeals"))
    for text in (repr(secret), str(secret), f"{secret}", repr(client), str(client),
                 repr(request), request.url):
        assert TOKEN not in text
    assert secret.reveal() == TOKEN
    with pytest.raises(TypeError):
        pickle.dumps(secret)


async def test_echoed_token_is_scrubbed_from_errors() -> None:
    """A server (or proxy) that echoes the token in its error body does not leak it."""
    body = error_body(401, f"invalid token {TOKEN}", error_info=f"got {TOKEN}",
                      data={TOKEN: [TOKEN]})
    client, _ = make(lambda r: reply(401, raw=body))
    async with client:
        with pytest.raises(Unauthorized) as info:
            await client.call("getDeals")
    assert info.value.message == "invalid token ***"
    assert_no_token(info.value)


async def test_transport_errors_do_not_leak() -> None:
    """A transport error, even one that quoted the header, reaches the caller token-free,
    as the same error: its phase class and timeout flag intact."""

    def quoting(request: Request) -> Response:
        raise AnswerLost(f"reset; headers were {dict(request.headers)}",
                         operation=request.operation, timeout=True)

    client, _ = make(quoting)
    async with client:
        with pytest.raises(TransportError) as info:
            await client.call("addDeal", json={"title": "t"})
    assert type(info.value) is AnswerLost and info.value.timeout
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert info.value.operation == "addDeal"
    assert_no_token(info.value)


async def test_real_transport_errors_do_not_leak() -> None:
    """Through AiohttpTransport, a refused connection and a cut-off body are token-free."""

    async def cut(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Length": "100"})
        await resp.prepare(request)
        await resp.write(b'{"success"')
        assert request.transport is not None
        request.transport.close()
        return resp

    async with serve(cut) as origin:
        async with PipedriveClient(origin, TOKEN, transport=AiohttpTransport()) as client:
            with pytest.raises(TransportError) as info:
                await client.call("addDeal", json={"title": "t"})
            assert type(info.value) is AnswerLost
            assert_no_token(info.value)
    async with PipedriveClient(origin, TOKEN) as client:  # the server is gone now
        with pytest.raises(TransportError) as info:
            await client.call("addDeal", json={"title": "t"})
        assert type(info.value) is RequestNotSent
        assert_no_token(info.value)


texts = st.text(max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | texts | st.just(TOKEN),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts | st.just(TOKEN), inner,
                                                                max_size=3),
    max_leaves=8,
)


@st.composite
def error_bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["envelope", "json", "html", "text"]))
    if kind == "envelope":
        echo = draw(st.sampled_from(["", TOKEN, f"bad token {TOKEN}!"]))
        return orjson.dumps({"success": False, "error": draw(texts) + echo,
                             "error_info": draw(st.none() | texts) or echo,
                             "code": draw(st.none() | texts | st.just(TOKEN)),
                             "data": draw(json_values)})
    if kind == "json":
        return orjson.dumps(draw(json_values))
    text = draw(texts) + draw(st.sampled_from(["", TOKEN])) + draw(texts)
    if kind == "html":
        return f"<html><title>{text}</title>{text}</html>".encode()
    return text.encode()


EXPECTED = {400: ValidationRejected, 401: Unauthorized, 402: PaymentRequired, 404: NotFound,
            410: Gone, 422: ValidationRejected, 429: RateLimited, 500: ServerError,
            502: ServerError, 503: ServerError}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(status=st.sampled_from([*EXPECTED, 403]), raw=error_bodies(),
       headers=st.dictionaries(st.sampled_from(["x-ratelimit-reset", "retry-after",
                                                "content-type", "x-ratelimit-remaining"]),
                               st.sampled_from(["1", "2.5", "text/html", "junk", TOKEN])))
async def test_property_no_error_body_leaks_the_token(status: int, raw: bytes,
                                                       headers: dict[str, str]) -> None:
    """Whatever the error body and headers, the class follows the status and the token
    appears in no rendering of the error."""
    client = PipedriveClient(BASE, TOKEN, transport=MockTransport(
        lambda r: Response(status, headers, raw)))
    with pytest.raises(ApiError) as info:
        await client.call("addDeal", json={"title": "t"})
    exc = info.value
    if status == 403:
        assert isinstance(exc, Forbidden)
    else:
        assert type(exc) is EXPECTED[status]
    assert_no_token(exc)
    await client.aclose()


# -- pagination -------------------------------------------------------------------------------

async def test_paginate_v2_three_pages() -> None:
    """Cursor pages are fetched one after another until next_cursor is null."""
    cursors = {None: "c1", "c1": "c2", "c2": None}

    def pages(request: Request) -> Response:
        query = dict(p.split("=") for p in request.url.split("?")[1].split("&"))
        cursor = query.get("cursor")
        return reply(payload={"success": True, "data": [{"id": cursor or "first"}],
                              "additional_data": {"next_cursor": cursors[cursor]}})

    client, seen = make(pages)
    async with client:
        got = [page async for page in client.paginate("getDeals", params={"status": "open"})]
    assert [p.data[0]["id"] for p in got] == ["first", "c1", "c2"]
    assert [r.url for r in seen] == [
        f"{BASE}/api/v2/deals?status=open&limit=500",
        f"{BASE}/api/v2/deals?status=open&limit=500&cursor=c1",
        f"{BASE}/api/v2/deals?status=open&limit=500&cursor=c2",
    ]


async def test_paginate_resumes_from_cursor_and_is_lazy() -> None:
    """A cursor in params starts there; pages are fetched only as they are consumed."""
    client, seen = make(lambda r: reply(payload={
        "success": True, "data": [], "additional_data": {"next_cursor": "next"}}))
    async with client:
        async for _page in client.paginate("searchDeals", params={"term": "ab", "cursor": "c7"},
                                           limit=100):
            break
    assert [r.url for r in seen] == [f"{BASE}/api/v2/deals/search?term=ab&cursor=c7&limit=100"]


async def test_paginate_stuck_cursor_is_an_error() -> None:
    """A server that repeats a cursor gets a MalformedResponse, not an endless loop."""
    client, seen = make(lambda r: reply(payload={
        "success": True, "data": [], "additional_data": {"next_cursor": "same"}}))
    async with client:
        with pytest.raises(MalformedResponse):
            async for _ in client.paginate("getDeals"):
                pass
    assert len(seen) == 2


async def test_paginate_v1_start_limit() -> None:
    """v1 lists (getUsers) page by start/limit until more_items_in_collection is false."""

    def users(request: Request) -> Response:
        start = int(request.url.split("start=")[1]) if "start=" in request.url else 0
        more = start < 4
        return reply(payload={"success": True, "data": [{"id": start}], "additional_data": {
            "pagination": {"start": start, "limit": 2, "more_items_in_collection": more,
                           **({"next_start": start + 2} if more else {})}}})

    client, seen = make(users)
    async with client:
        got = [page.data[0]["id"] async for page in client.paginate("getUsers", limit=2)]
    assert got == [0, 2, 4]
    assert [r.url for r in seen] == [f"{BASE}/v1/users?limit=2", f"{BASE}/v1/users?limit=2&start=2",
                                     f"{BASE}/v1/users?limit=2&start=4"]


async def test_paginate_v1_without_pagination_block_is_one_page() -> None:
    """A v1 list with no pagination info is a single page."""
    client, seen = make(lambda r: reply(payload={"success": True, "data": [1, 2]}))
    async with client:
        got = [page async for page in client.paginate("getUsers")]
    assert len(got) == 1 and len(seen) == 1


async def test_paginate_argument_checks() -> None:
    """Writes, out-of-range limits and a limit in params are refused before any call."""
    client, seen = make(ok)
    async with client:
        for kwargs in ({"operation_id": "addDeal"}, {"operation_id": "getDeals", "limit": 501},
                       {"operation_id": "getDeals", "limit": 0},
                       {"operation_id": "getDeals", "params": {"limit": 5}}):
            with pytest.raises(ValueError):
                async for _ in client.paginate(**kwargs):
                    pass
    assert seen == []


# -- lifecycle and the real thing ----------------------------------------------------------------

class CountingTransport:
    def __init__(self) -> None:
        self.closed = 0

    async def send(self, request: Request) -> Response:
        return ok(request)

    async def aclose(self) -> None:
        self.closed += 1


async def test_client_closes_its_transport_once() -> None:
    """aclose (and async with) closes the transport once; a closed client refuses calls."""
    transport = CountingTransport()
    async with PipedriveClient(BASE, TOKEN, transport=transport) as client:
        await client.call("getDeal", path={"id": 1})
    await client.aclose()
    assert transport.closed == 1
    assert "closed" in repr(client)
    with pytest.raises(RuntimeError):
        await client.call("getDeal", path={"id": 1})


async def test_end_to_end_over_a_real_socket() -> None:
    """Against a local aiohttp.web server: the token arrives in x-api-token, never in the URL."""
    received: list[tuple[str, str | None, bytes]] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        received.append((str(request.rel_url), request.headers.get("x-api-token"),
                         await request.read()))
        return web.json_response({"success": True, "data": {"id": 42}},
                                 headers={"x-ratelimit-remaining": "7"})

    async with serve(handler) as origin:
        async with PipedriveClient(origin + "/api/v2", TOKEN) as client:
            result = await client.call("addDeal", json={"title": "Big deal"})
    assert result.data == {"id": 42} and result.rate.remaining == 7
    assert received == [("/api/v2/deals", TOKEN, b'{"title":"Big deal"}')]

