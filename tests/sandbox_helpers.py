"""Helpers for the sandbox tests: a running sandbox with a client session, one-line calls."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from bulk.sandbox import Sandbox, SandboxConfig, serve


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: Any

    @property
    def data(self) -> Any:
        return self.body["data"]


class Api:
    """A thin client for tests: ``await api.get("/api/v2/deals", limit=500)``."""

    def __init__(self, sb: Sandbox, session: aiohttp.ClientSession,
                 headers: dict[str, str] | None = None) -> None:
        self.sb = sb
        self.session = session
        self.headers = {"x-api-token": sb.token} if headers is None else headers

    async def call(self, method: str, path: str, json: Any = None,
                   headers: dict[str, str] | None = None, **params: Any) -> Reply:
        query = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in params.items()}
        kwargs: dict[str, Any] = {"params": query, "headers": self.headers if headers is None
                                  else headers}
        if json is not None:
            kwargs["json"] = json
        async with self.session.request(method, self.sb.url + path, **kwargs) as resp:
            raw = await resp.read()
            body = await resp.json(content_type=None) if raw else None
            return Reply(resp.status, {k.lower(): v for k, v in resp.headers.items()}, body)

    async def get(self, path: str, **params: Any) -> Reply:
        return await self.call("GET", path, **params)

    async def post(self, path: str, json: Any, **params: Any) -> Reply:
        return await self.call("POST", path, json=json, **params)

    async def patch(self, path: str, json: Any) -> Reply:
        return await self.call("PATCH", path, json=json)

    async def put(self, path: str, json: Any) -> Reply:
        return await self.call("PUT", path, json=json)

    async def delete(self, path: str) -> Reply:
        return await self.call("DELETE", path)

    async def all_pages(self, path: str, **params: Any) -> tuple[list[Any], int]:
        """Follow next_cursor to the end; returns the items and the number of pages."""
        items: list[Any] = []
        pages = 0
        cursor = params.pop("cursor", None)
        while True:
            extra = {"cursor": cursor} if cursor else {}
            reply = await self.get(path, **params, **extra)
            assert reply.status == 200, reply.body
            pages += 1
            items.extend(reply.data)
            cursor = reply.body["additional_data"]["next_cursor"]
            if cursor is None:
                return items, pages


def no_silent_retries(session: aiohttp.ClientSession) -> aiohttp.ClientSession:
    """aiohttp re-sends GET/PUT/DELETE once, silently, when the server drops the
    connection (even a fresh one). That would hide injected drops and re-send a
    merge (a PUT) whose response was lost. aiohttp's own TestClient switches it
    off the same way; there is no public setting."""
    session._retry_connection = False
    return session


@asynccontextmanager
async def running(config: SandboxConfig | None = None) -> AsyncIterator[tuple[Sandbox, Api]]:
    """A sandbox and a client session without silent retries."""
    async with serve(config or SandboxConfig()) as sb:
        async with aiohttp.ClientSession() as session:
            yield sb, Api(sb, no_silent_retries(session))


class ThreadedSandbox:
    """A sandbox serving from a thread with its own event loop."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.sb: Sandbox | None = None
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)

    def _main(self) -> None:
        async def serve_until_stopped() -> None:
            self._stop = asyncio.Event()
            async with serve(self.config) as sb:
                self.sb = sb
                self._ready.set()
                await self._stop.wait()
        self._loop.run_until_complete(serve_until_stopped())
        self._loop.close()

    def __enter__(self) -> Sandbox:
        self._thread.start()
        if not self._ready.wait(30):
            raise TimeoutError("the sandbox did not start")
        assert self.sb is not None
        return self.sb

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


@contextmanager
def threaded_sandbox(config: SandboxConfig) -> Iterator[Sandbox]:
    with ThreadedSandbox(config) as sb:
        yield sb


def kill_mid_run(sb: Sandbox, argv: list[str], *, operation: str, applied: int,
                 poll: float = 0.005, within: float = 20.0) -> None:
    """Run ``pdbulk argv`` (a real process, the sandbox's token in its environment) and
    SIGKILL it once the sandbox has applied ``applied`` writes of ``operation``: the
    crash a resume must survive. Fails the test if the run ends first or takes longer
    than ``within`` seconds."""
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "pdbulk", *argv],
                            env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + within
        while sb.stats()["writes_applied"].get(operation, 0) < applied:
            assert proc.poll() is None and time.monotonic() < deadline, "ended too soon"
            time.sleep(poll)
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


async def touch_through(config: SandboxConfig, tmp_path: Any, **engine: Any) -> Any:
    """A touch run of deals 1-150 (``value`` set to 7) through a sandbox made from
    ``config``, its engine made with ``engine`` (``plan``, ``window``...): the run's
    ``RunResult``. Retries are quick (2-20 ms) and a 429 is tried up to 60 times; the
    run fails the test after 60 s."""
    import anyio

    from bulk.engine import Engine, EngineConfig
    from bulk.retry import RetryPolicy
    from bulk.store import JobStore
    from jobs.touch import TouchJob, touch_items

    async with serve(config) as sb:
        settings = EngineConfig(base_url=sb.url, job_root=tmp_path, **engine)
        store = JobStore.create(tmp_path / "job", job_id="t", kind="touch",
                                config={"engine": settings.to_json()})
        store.add_items(touch_items(range(1, 151), {"value": 7}))
        try:
            with anyio.fail_after(60):
                async with Engine.open(settings, sb.token, store=store) as run_engine:
                    return await run_engine.run(TouchJob(), retry=RetryPolicy(
                        attempts=10, base=0.002, cap=0.02, rate_limited_attempts=60))
        finally:
            store.close()
