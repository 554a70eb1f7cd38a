"""Starting and stopping the sandbox: ``serve`` (async context) and ``run_blocking`` (CLI)."""

from __future__ import annotations

import asyncio
import errno
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from .app import RUNTIME, build_app
from .config import Faults, SandboxConfig
from .runtime import Runtime
from .state import Account


class Sandbox:
    """A running sandbox: where it listens, its token, and handles for in-process tests."""

    __slots__ = ("config", "runtime", "url")

    def __init__(self, config: SandboxConfig, url: str, runtime: Runtime) -> None:
        self.config = config
        self.url = url  # origin; Pipedrive paths (/api/v2/..., /v1/...) hang off it
        self.runtime = runtime

    @property
    def token(self) -> str:
        return self.config.token

    @property
    def state(self) -> Account:
        return self.runtime.account

    def set_faults(self, faults: Faults) -> None:
        self.runtime.set_faults(faults)

    def stats(self) -> dict[str, Any]:
        """The same numbers as ``GET /_sandbox/stats``."""
        return self.runtime.stats_dict()

    def reset(self) -> None:
        self.runtime.reset()

    def __repr__(self) -> str:
        return f"Sandbox(url={self.url!r}, plan={self.config.plan!r}, {self.runtime.limiter!r})"


@asynccontextmanager
async def serve(config: SandboxConfig | None = None) -> AsyncIterator[Sandbox]:
    """Run the sandbox on ``config.host`` (an ephemeral port when ``port`` is 0)."""
    config = config or SandboxConfig()
    app = build_app(config)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, config.host, config.port)
        await site.start()
        host, port = runner.addresses[0][:2]
        host = f"[{host}]" if ":" in host else host
        yield Sandbox(config, f"http://{host}:{port}", app[RUNTIME])
    finally:
        await runner.cleanup()


def run_blocking(config: SandboxConfig | None = None) -> None:
    """Serve until SIGINT or SIGTERM (for ``pdbulk sandbox``); prints the URL and token.
    Raises OSError when it cannot start (a port in use: a message saying so and what to
    do; a state file it cannot read), ValueError for a state file it cannot use."""
    config = config or SandboxConfig()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with serve(config) as sb:
            limits = config.limits()
            print(f"Pipedrive sandbox listening on {sb.url}", flush=True)
            print(f"token: {sb.token} ({config.auth_kind}); plan {config.plan}, "
                  f"{limits.burst} requests per {limits.window:g} s, "
                  f"{limits.daily_tokens} tokens per "
                  + ("day" if config.day_seconds == 86400 else f"{config.day_seconds:g} s day"),
                  flush=True)
            print("admin: GET /_sandbox/stats, POST /_sandbox/reset, POST /_sandbox/day/end; "
                  "Ctrl-C stops",
                  file=sys.stderr, flush=True)
            await stop.wait()

    try:
        asyncio.run(main())
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise OSError(exc.errno, f"port {config.port} on {config.host} is already in use "
                                 "(another sandbox?): pick another --port, or 0 for a free one"
                      ) from None


__all__ = ["Sandbox", "run_blocking", "serve"]
