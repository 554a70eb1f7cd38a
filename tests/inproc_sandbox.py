"""The sandbox without a socket: a ``MockTransport`` that hands each request to the
sandbox's handlers on the same loop, for end-to-end runs on a ``FakeClock`` (no request
is in flight in a socket, where virtual time would jump under it). Routes, auth, the
rate limiter, the token charge and the handlers are the sandbox's own; its faults
(latency, storms, drops) are not applied."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import orjson

from bulk.operations import OPERATIONS, Operation
from bulk.sandbox import SandboxConfig
from bulk.sandbox.app import answer
from bulk.sandbox.errors import RATE_LIMITED_BODY, unauthorized
from bulk.sandbox.handlers import Call
from bulk.sandbox.runtime import Runtime
from bulk.sandbox.state import Account
from bulk.transport import MockTransport, Request, Response

URL = "http://127.0.0.1:9"  # never connected to: the transport answers


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

    def _answer(self, req: Request) -> Response:
        rt, op = self.runtime, OPERATIONS[req.operation]
        parts = urlsplit(req.url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        found = self._routes[op.id].fullmatch(parts.path)
        assert found is not None, (op.id, parts.path)
        rt.stats.requests_by_operation[op.id] += 1
        cred = rt.authenticate({k.lower(): v for k, v in req.headers.items()}, query)
        if cred is None:
            return _json(401, unauthorized().body(), {})
        admission = rt.limiter.admit(cred.name, cred.burst, op, rt.clock.now(), rt.clock.wall())
        if not admission.admitted:
            rt.stats.rate_limited += 1
            return _json(429, RATE_LIMITED_BODY, admission.headers)
        rt.stats.charge(op.id, op.token_cost)
        body = orjson.loads(req.body) if op.is_write and req.body else None
        status, payload = answer(rt, op, Call(query, found.groupdict(), body))
        return _json(status, payload, admission.headers)


def _json(status: int, payload: object, headers: dict[str, str]) -> Response:
    return Response(status, {**{k.lower(): v for k, v in headers.items()},
                             "content-type": "application/json"}, orjson.dumps(payload))
