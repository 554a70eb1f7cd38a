"""Helpers for the sandbox tests: a running sandbox with a client session, one-line calls."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
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


# The fork server behind ``kill_mid_run``: a process that has imported the command line
# once (~0.8 CPU-s a fresh ``python -m pdbulk`` spends on its imports, f39i) and forks a
# child for each run asked of it (one JSON line: argv, environment, folder; it answers
# the child's pid, the child held until the asker holds a pidfd of it: the server reaps
# each child as it ends, as ``Popen.wait`` would, for a zombie's pid looks alive to a
# claim's or a lock's check). The child is a real process, killed with a real SIGKILL:
# it runs ``pdbulk`` as ``python -m pdbulk`` would (``runpy``, its own environment and
# folder, /dev/null for stdin / stdout / stderr) and ends through the interpreter's own
# shutdown. Nothing runs in the server before a fork but the imports (no thread, no
# event loop, nothing read from the environment: pdbulk reads it only when a command
# runs). One server a test process, ended with it (its stdin closes: the loop ends).
_FORK_SERVER = """
import json, os, signal, sys
import pdbulk.cli, pdbulk.entry  # the imports each child would otherwise pay for
def reap(*_):  # each child reaped as it ends, as Popen.wait would: no zombie looks alive
    while True:  # bounded: one round per ended child
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return
def serve():
    signal.signal(signal.SIGCHLD, reap)
    while line := sys.stdin.buffer.readline():
        ask = json.loads(line)
        hold, go = os.pipe()
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.close(go)
            os.read(hold, 1)  # until the asker holds a pidfd of it (or is gone)
            os.close(hold)
            return ask
        os.close(hold)
        sys.stdout.buffer.write(b"%d\\n" % pid)
        sys.stdout.buffer.flush()
        sys.stdin.buffer.readline()  # the asker's pidfd is open: the child may start
        os.close(go)
    raise SystemExit(0)
ask = serve()
os.chdir(ask["cwd"])
os.environ.clear()
os.environ.update(ask["env"])
null = os.open(os.devnull, os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(null, fd)
os.close(null)
sys.argv = ["pdbulk", *ask["argv"]]
import runpy
runpy.run_module("pdbulk", run_name="__main__", alter_sys=True)
"""
_fork_server: list[Any] = []  # the running server's Popen, once started
_fork_lock = threading.Lock()


def _end_fork_server() -> None:
    for proc in _fork_server:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(10)
        except Exception:
            proc.kill()
            proc.wait(10)


def _forked_pdbulk(argv: list[str], env: dict[str, str]) -> int:
    """A new ``pdbulk argv`` process (``env`` its environment, this folder its own) forked
    by the fork server: a pidfd of it (Linux), for ``select`` (readable once it ended)
    and ``signal.pidfd_send_signal``."""
    import atexit
    import json
    import sys

    with _fork_lock:
        if not _fork_server:
            atexit.register(_end_fork_server)
        if not _fork_server or _fork_server[0].poll() is not None:
            _fork_server[:] = [subprocess.Popen([sys.executable, "-c", _FORK_SERVER],
                                                stdin=subprocess.PIPE,
                                                stdout=subprocess.PIPE)]
        server = _fork_server[0]
        assert server.stdin is not None and server.stdout is not None
        server.stdin.write(json.dumps({"argv": argv, "env": env,
                                       "cwd": os.getcwd()}).encode() + b"\n")
        server.stdin.flush()
        answer = server.stdout.readline()
        assert answer.strip().isdigit(), "the pdbulk fork server ended"
        pidfd = os.pidfd_open(int(answer))  # the child waits for this line to start
        server.stdin.write(b"go\n")
        server.stdin.flush()
        return pidfd


def kill_mid_run(sb: Sandbox, argv: list[str], *, operation: str, applied: int,
                 poll: float = 0.005, within: float = 20.0) -> None:
    """Run ``pdbulk argv`` (a real process, the sandbox's token in its environment) and
    SIGKILL it once the sandbox has applied ``applied`` writes of ``operation``: the
    crash a resume must survive. Fails the test if the run ends first or takes longer
    than ``within`` seconds. The process is forked from one that has imported pdbulk
    already (``_FORK_SERVER``): the kill and the process boundary are real, the start-up
    imports are paid once a test process (f39i: ~0.8 CPU-s a kill)."""
    import select
    import signal
    import time

    pidfd = _forked_pdbulk(argv, {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})

    def ended(wait: float = 0.0) -> bool:
        return bool(select.select([pidfd], [], [], wait)[0])

    def kill() -> None:
        with contextlib.suppress(ProcessLookupError):  # ended and reaped meanwhile
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)

    try:
        deadline = time.monotonic() + within
        while sb.stats()["writes_applied"].get(operation, 0) < applied:
            assert not ended() and time.monotonic() < deadline, "ended too soon"
            time.sleep(poll)
        kill()
        assert ended(5), "not ended 5 s after its SIGKILL"
    finally:
        if not ended():
            kill()
            ended(5)
        os.close(pidfd)


async def touch_through(config: SandboxConfig, tmp_path: Any, **engine: Any) -> Any:
    """A touch run of deals 1-150 (``value`` set to 7) through a sandbox made from
    ``config``, its engine made with ``engine`` (``plan``, ``window``...): the run's
    ``RunResult``. Retries are quick (2-20 ms) and a 429 is tried up to 60 times; the
    run fails the test after 60 s. The engine reads the sandbox's clock (``config.clock``;
    None: real time). With a ``FakeClock`` the sandbox is answered in process, without a
    socket (``tests.inproc_sandbox``: its storms and stripped headers applied, no latency
    or drops): both windows are virtual, and no request is in flight in a socket while
    virtual time jumps, so what the sandbox refuses hangs neither on how fast a loaded
    machine sends nor on how long its answers take (f46l)."""
    import anyio

    from bulk.clock import FakeClock
    from bulk.engine import Engine, EngineConfig
    from bulk.retry import RetryPolicy
    from bulk.store import JobStore
    from jobs.touch import TouchJob, touch_items
    from tests.inproc_sandbox import InProcessSandbox

    async def run(url: str, token: str, transport: Any) -> Any:
        settings = EngineConfig(base_url=url, job_root=tmp_path, **engine)
        store = JobStore.create(tmp_path / "job", job_id="t", kind="touch",
                                config={"engine": settings.to_json()})
        store.add_items(touch_items(range(1, 151), {"value": 7}))
        try:
            with anyio.fail_after(60):
                async with Engine.open(settings, token, store=store, clock=config.clock,
                                       transport=transport) as run_engine:
                    return await run_engine.run(TouchJob(), retry=RetryPolicy(
                        attempts=10, base=0.002, cap=0.02, rate_limited_attempts=60))
        finally:
            store.close()

    if isinstance(config.clock, FakeClock):
        inproc = InProcessSandbox(config)
        return await run(inproc.url, inproc.token, inproc.transport)
    async with serve(config) as sb:
        return await run(sb.url, sb.token, None)


def pdbulk_to_the_end(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``pdbulk argv`` run in this process (typer's CliRunner) to its end, as
    ``subprocess.run([python, "-m", "pdbulk", *argv], env=env, capture_output=True,
    text=True)`` would: ``env`` its whole environment (a variable of this process it
    lacks is unset for the run), stdin empty; its exit code, stdout and stderr. The
    command line is read as ``pdbulk.cli.main`` reads it (``--coordinator URL`` after
    the command too). An exception no command turned into
    its line and exit code is raised here (a process would print it and exit 1). For a
    run no kill, signal or closed stream cuts: it needs no process of its own (issue 8: a
    ``python -m pdbulk`` start-up is ~0.3 CPU s; f38f's ``_to_the_end``)."""
    from typer.testing import CliRunner

    from pdbulk.cli import app, hoist_global_options

    whole: dict[str, str | None] = {name: None for name in os.environ if name not in env}
    whole.update(env)
    done = CliRunner().invoke(app, hoist_global_options(argv), env=whole, prog_name="pdbulk")
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    return subprocess.CompletedProcess(["pdbulk", *argv], done.exit_code, done.stdout,
                                       done.stderr)
