"""Which coordinator a run shares the account's limits through: ``open_coordinator``
(``LocalCoordinator``, or ``RedisCoordinator`` for a ``redis://`` URL). Above
``bulk.coordinator`` (the interface) and ``bulk.coordinator_redis`` (which implements it),
so neither imports the other back (issue 8: the factory lived in ``bulk.coordinator``).
``bulk.engine`` wires it; the CLI checks ``--coordinator`` with it."""

from __future__ import annotations

from .clock import Clock
from .coordinator import Coordinator, LocalCoordinator, check_url


def open_coordinator(url: str | None, *, clock: Clock | None = None) -> Coordinator:
    """A coordinator for ``url`` (``bulk.coordinator.coordinator_url``: None is the local
    one). Raises ValueError (a ConfigError for an unknown scheme) for a URL that is not a
    Redis URL a client can be built from (``check_url``). Nothing is connected until
    ``start``."""
    if url is None:
        return LocalCoordinator()
    # loaded here, not at the top: it loads the Redis client, which a run without a shared
    # coordinator (and ``pdbulk --help``) never needs
    from .coordinator_redis import RedisCoordinator

    return RedisCoordinator(check_url(url), clock=clock)


__all__ = ["open_coordinator"]
