"""The HTTP face: Pipedrive's routes, and the path every request takes through them.

    route ─► latency ─► auth (401) ─► block (403 HTML) ─► storm (429) ─► drop ─► 5xx
          ─► limits (429)
          ─► charge tokens ─► handler (2xx / 4xx) ─► lost response? ─► headers

Faults that answer before the limiter (storm, drop, 5xx) neither take a
window slot nor spend tokens. Every admitted request is charged, whatever its
status (a 400 costs the same as a 200). Routes are built from
``bulk.operations.OPERATIONS``: v2 under ``/api/v2``, v1 under ``/v1`` and
``/api/v1``. Unknown paths answer Pipedrive's 404 without auth or charge.
"""

from __future__ import annotations

import sys
from typing import Any
from urllib.parse import parse_qsl

import orjson
from aiohttp import web

from ..headers import H_DAILY_TOKEN_LIMIT, H_DAILY_TOKEN_REMAINING, H_REMAINING, H_RESET
from ..operations import OPERATIONS, Operation
from .admin import add_admin_routes
from .config import SandboxConfig
from .errors import RATE_LIMITED_BODY, ApiFailure, invalid, server_error, unauthorized
from .faults import FaultPlan
from .handlers import HANDLERS, Call
from .limits import format_seconds
from .runtime import Runtime

RUNTIME = web.AppKey("runtime", Runtime)
_DAILY = (H_DAILY_TOKEN_LIMIT, H_DAILY_TOKEN_REMAINING)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=orjson.dumps(payload), status=status, headers=headers,
                        content_type="application/json")


# the body of a ``Faults.bad_json_rate`` answer: a JSON envelope cut off
BAD_JSON = b'{"success": tr'

# the page Pipedrive's edge (Cloudflare) answers a token it blocked (FACTS.md "Rate limits")
BLOCK_PAGE = ("<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title>"
              "</head><body><h1>Sorry, you have been blocked</h1></body></html>")


def _drop(request: web.Request) -> web.Response:
    """Close the connection without an answer; the client sees a disconnect."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=500)  # never reaches the client


async def _read_body(request: web.Request) -> object:
    raw = await request.read()
    if not raw:
        return None
    if request.content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(raw.decode("utf-8", "replace")))  # v1 accepts form bodies
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise invalid("body", "is not valid JSON") from None


def answer(rt: Runtime, op: Operation, call: Call) -> tuple[int, Any]:
    """An admitted, charged call run by its handler: (status, payload), an ``ApiFailure``
    as its answer; a write that succeeded is counted applied. The app's request path and
    a socket-free one (tests/inproc_sandbox.py) share it."""
    try:
        status, payload = HANDLERS[op.id](rt.account, call)
    except ApiFailure as failure:
        return failure.status, failure.body()
    if op.is_write and status < 300:
        rt.stats.writes_applied[op.id] += 1
    return status, payload


class _Endpoint:
    """One operation's route handler: the request path described in the module docstring."""

    __slots__ = ("op", "rt")

    def __init__(self, rt: Runtime, op: Operation) -> None:
        self.rt, self.op = rt, op

    def _reply(self, status: int, payload: Any, headers: dict[str, str],
               plan: FaultPlan) -> web.Response:
        faults = self.rt.stats.faults_injected
        if plan.no_rate_headers:
            faults["no_rate_headers"] += 1
            headers = {k: v for k, v in headers.items() if k in _DAILY}
        if plan.no_daily_headers:
            faults["no_daily_headers"] += 1
            headers = {k: v for k, v in headers.items() if k not in _DAILY}
        if plan.bad_json and 200 <= status < 300:
            # done and charged, its answer cut off on the way: the status and headers whole
            faults["bad_json"] += 1
            return web.Response(body=BAD_JSON, status=status, headers=headers,
                                content_type="application/json")
        return json_response(status, payload, headers)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        rt, op = self.rt, self.op
        rt.stats.requests_by_operation[op.id] += 1
        plan = rt.injector.plan(op, rt.clock.now())
        if plan.delay > 0:
            rt.stats.faults_injected["latency"] += 1
            await rt.clock.sleep(plan.delay)
        cred = rt.authenticate(request.headers, request.query)
        if cred is None:
            return json_response(401, unauthorized().body())
        now, wall = rt.clock.now(), rt.clock.wall()
        limiter = rt.limiter
        if rt.blocked(cred.name, now):
            rt.stats.faults_injected["block"] += 1
            return web.Response(status=403, text=BLOCK_PAGE, content_type="text/html")
        if plan.storm_left is not None:
            rt.stats.faults_injected["storm"] += 1
            rt.stats.rate_limited += 1
            rt.refused(cred.name, now)
            headers = limiter.headers(cred.name, cred.burst, now, wall)
            headers[H_REMAINING], headers[H_RESET] = "0", format_seconds(plan.storm_left)
            return self._reply(429, RATE_LIMITED_BODY, headers, plan)
        if plan.drop:
            rt.stats.faults_injected["drop"] += 1
            return _drop(request)
        if plan.error is not None:
            rt.stats.faults_injected["error"] += 1
            return self._reply(plan.error, server_error(plan.error).body(),
                               limiter.headers(cred.name, cred.burst, now, wall), plan)
        admission = limiter.admit(cred.name, cred.burst, op, now, wall)
        if not admission.admitted:
            rt.stats.rate_limited += 1
            rt.refused(cred.name, now)
            return self._reply(429, RATE_LIMITED_BODY, admission.headers, plan)
        rt.stats.charge(op.id, op.token_cost)
        try:
            body = await _read_body(request) if op.is_write else None
        except ApiFailure as failure:
            status, payload = failure.status, failure.body()
        except ConnectionResetError:
            # the client went away (killed) before its body arrived: nothing applied; one
            # line, not aiohttp's traceback per cut connection (x44r5 F5)
            rt.stats.requests_cut[op.id] += 1
            print(f"{request.method} {request.path} ({op.id}): the client went away before "
                  "its body arrived; not applied", file=sys.stderr, flush=True)
            return _drop(request)
        else:
            status, payload = answer(rt, op, Call(request.query, request.match_info, body,
                                                  plan.search_lag))
        if op.is_write and status < 300:
            if plan.lost_response:
                rt.stats.faults_injected["lost_response"] += 1
                return _drop(request)
        return self._reply(status, payload, admission.headers, plan)


async def _unknown(request: web.Request) -> web.Response:
    return json_response(404, ApiFailure(404, "Unknown method .").body())


def build_app(config: SandboxConfig) -> web.Application:
    """The sandbox as an aiohttp application (state file loaded on startup, saved on cleanup)."""
    rt = Runtime(config)
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app[RUNTIME] = rt
    missing = set(OPERATIONS) - set(HANDLERS)
    if missing:
        raise RuntimeError(f"sandbox has no handler for {sorted(missing)}")
    add_admin_routes(app, rt)
    # Literal paths first, so /deals/search is not taken for /deals/{id}.
    for op in sorted(OPERATIONS.values(), key=lambda o: ("{" in o.path, o.path)):
        endpoint = _Endpoint(rt, op)
        prefixes = ["/api/v2"] if op.version == "v2" else ["/v1", "/api/v1"]
        for prefix in prefixes:
            app.router.add_route(op.method, prefix + op.path, endpoint.handle)
    app.router.add_route("*", "/{tail:.*}", _unknown)

    async def load_state(app: web.Application) -> None:
        if config.state_file is not None and config.state_file.exists():
            rt.load(config.state_file)

    async def save_state(app: web.Application) -> None:
        if config.state_file is not None:
            rt.save(config.state_file)

    app.on_startup.append(load_state)
    app.on_cleanup.append(save_state)
    return app


__all__ = ["RUNTIME", "build_app", "json_response"]
