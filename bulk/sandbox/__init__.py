"""A faithful local Pipedrive for the endpoints the engine uses (aiohttp.web, in memory).

    async with serve(SandboxConfig(time_scale=0.05)) as sb:
        sb.url, sb.token, sb.state, sb.stats(), sb.set_faults(Faults(...))

Modules: ``config`` (frozen settings), ``state`` (the account) with ``deals``,
``contacts``, ``fields``, ``merge``, ``finders``, ``v1`` (entity rules and
shapes), ``limits`` (windows, budget), ``faults``, ``handlers`` (one function
per operation), ``app`` (routes and the request path), ``admin``
(``/_sandbox/``), ``server`` (serve, run_blocking). It never talks to anything
but its own clients, and it listens on loopback unless told otherwise.
"""

from .app import build_app
from .config import Faults, SandboxConfig, random_company
from .server import Sandbox, run_blocking, serve

__all__ = ["Faults", "Sandbox", "SandboxConfig", "build_app", "random_company", "run_blocking",
           "serve"]
