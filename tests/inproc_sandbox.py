"""The sandbox without a socket: a ``MockTransport`` that hands each request to the
sandbox's handlers on the same loop, for end-to-end runs on a ``FakeClock`` (no request
is in flight in a socket, where virtual time would jump under it). Routes, auth, the
rate limiter, the token charge and the handlers are the sandbox's own; of its faults
those that hang on the clock alone are applied as the app applies them (latency, as a
sleep on the sandbox's clock; 429 storms; answers without rate or daily headers), the
others (drops, 5xx, lost or cut answers) are not."""

from __future__ import annotations

import random
import re
from urllib.parse import parse_qsl, urlsplit

import orjson

from bulk.headers import H_DAILY_TOKEN_LIMIT, H_DAILY_TOKEN_REMAINING, H_REMAINING, H_RESET
from bulk.operations import OPERATIONS, Operation
from bulk.sandbox import SandboxConfig
from bulk.sandbox.app import answer
from bulk.sandbox.errors import RATE_LIMITED_BODY, unauthorized
from bulk.sandbox.faults import FaultPlan
from bulk.sandbox.handlers import Call
from bulk.sandbox.limits import format_seconds
from bulk.sandbox.runtime import Runtime
from bulk.sandbox.state import Account
from bulk.transport import MockTransport, Request, Response

URL = "http://127.0.0.1:9"  # never connected to: the transport answers
_DAILY = (H_DAILY_TOKEN_LIMIT, H_DAILY_TOKEN_REMAINING)


def _pattern(op: Operation) -> re.Pattern[str]:
    prefixes = "/api/v2" if op.version == "v2" else "(?:/v1|/api/v1)"
    path = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(op.path))
    return re.compile(prefixes + path)


class InProcessSandbox:
    """A sandbox runtime answered through ``transport``: ``url``, ``token``, ``config``
    and ``state`` as ``bulk.sandbox.Sandbox`` has them."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.runtime = Runtime(config)
        self.url = URL
        self.transport = MockTransport(self._answer)
        self._routes = {op_id: _pattern(op) for op_id, op in OPERATIONS.items()}

    @property
    def token(self) -> str:
        return self.config.token

    @property
    def state(self) -> Account:
        return self.runtime.account

    async def _answer(self, req: Request) -> Response:
        rt, op = self.runtime, OPERATIONS[req.operation]
        plan = rt.injector.plan(op, rt.clock.now())
        if plan.delay > 0:  # in flight for ``delay`` s of the clock's time
            rt.stats.faults_injected["latency"] += 1
            await rt.clock.sleep(plan.delay)
        parts = urlsplit(req.url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        found = self._routes[op.id].fullmatch(parts.path)
        assert found is not None, (op.id, parts.path)
        rt.stats.requests_by_operation[op.id] += 1
        cred = rt.authenticate({k.lower(): v for k, v in req.headers.items()}, query)
        if cred is None:
            return _json(401, unauthorized().body(), {})
        now, wall = rt.clock.now(), rt.clock.wall()
        if plan.storm_left is not None:  # as bulk/sandbox/app.py: before the limiter
            rt.stats.faults_injected["storm"] += 1
            rt.stats.rate_limited += 1
            headers = rt.limiter.headers(cred.name, cred.burst, now, wall)
            headers[H_REMAINING], headers[H_RESET] = "0", format_seconds(plan.storm_left)
            return _json(429, RATE_LIMITED_BODY, _stripped(headers, plan))
        admission = rt.limiter.admit(cred.name, cred.burst, op, now, wall)
        if not admission.admitted:
            rt.stats.rate_limited += 1
            return _json(429, RATE_LIMITED_BODY, _stripped(admission.headers, plan))
        rt.stats.charge(op.id, op.token_cost)
        body = orjson.loads(req.body) if op.is_write and req.body else None
        status, payload = answer(rt, op, Call(query, found.groupdict(), body))
        return _json(status, payload, _stripped(admission.headers, plan))


class Loaded:
    """A loaded machine's transport to ``sb`` on its ``FakeClock``: a share ``share`` of the
    calls (seeded) is held up to ``there`` s on its way to the sandbox, as many up to
    ``back`` s on their way back, the others 1 ms each way (virtual): calls overtake each
    other and many round trips are the fastest one, to the clock's ulp. With
    ``beside``, another client's read (``GET /api/v2/pipelines``, through no scheduler or
    coordinator) is counted before every ``beside``-th call; ``others`` counts them."""

    def __init__(self, sb: InProcessSandbox, seed: int, *, there: float = 0.3,
                 back: float = 0.3, share: float = 0.2, beside: int | None = None) -> None:
        self._sb, self._rnd, self._share = sb, random.Random(seed), share
        self._there, self._back, self._beside = there, back, beside
        self._read = Request("GET", f"{sb.url}/api/v2/pipelines", {"x-api-token": sb.token},
                             None, "getPipelines", timeout=5.0)
        self._sent = self.others = 0
        self.transport = MockTransport(self._answer)

    def _delay(self, most: float) -> float:
        return self._rnd.random() * most if self._rnd.random() < self._share else 0.001

    async def _answer(self, req: Request) -> Response:
        clock = self._sb.runtime.clock
        self._sent += 1
        if self._beside is not None and self._sent % self._beside == 0:
            await self._sb._answer(self._read)
            self.others += 1
        await clock.sleep(self._delay(self._there))
        response = await self._sb._answer(req)
        await clock.sleep(self._delay(self._back))
        return response


def _stripped(headers: dict[str, str], plan: FaultPlan) -> dict[str, str]:
    """``headers`` less those ``plan`` leaves out (``no_rate_headers``: all but the daily
    ones; ``no_daily_headers``: the daily ones), as the app's ``_reply``."""
    if plan.no_rate_headers:
        headers = {k: v for k, v in headers.items() if k in _DAILY}
    if plan.no_daily_headers:
        headers = {k: v for k, v in headers.items() if k not in _DAILY}
    return headers


def _json(status: int, payload: object, headers: dict[str, str]) -> Response:
    return Response(status, {**{k.lower(): v for k, v in headers.items()},
                             "content-type": "application/json"}, orjson.dumps(payload))
