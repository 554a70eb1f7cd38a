"""The retry policy: what is retried, how often and how long to wait, as data.

``RetryPolicy`` holds the counts and the backoff (a pure function of the attempt and a
random source); the call path that applies it is ``bulk.calls.CallPath.call``, which says
what is retried for which failure (by the phase its class names, ``bulk.errors``).
``_unreachable`` is the error a run stops with when a transient fault outlived those
retries: never a row failure, every row stays resumable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .errors import BulkError, RateLimited


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """What is retried, how often and how long to wait: data, not code paths."""

    attempts: int = 5  # total tries of one call on transient errors
    base: float = 0.5
    cap: float = 20.0
    rate_limited_attempts: int = 30  # 429s tolerated for one call before giving up the row
    item_attempts: int = 5  # times one item may be sent (in-doubt rounds included)

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Capped exponential backoff with "equal" jitter: a uniform draw between half
        and all of ``min(cap, base * 2 ** (attempt - 1))`` seconds; attempt counts from 1."""
        ceiling = min(self.cap, self.base * 2.0 ** (attempt - 1))
        return ceiling * (0.5 + rng.random() / 2)


def _unreachable(exc: BulkError) -> BulkError:
    if isinstance(exc, RateLimited):  # it answers: "not answering" sent users to --url
        err = BulkError(f"the account kept refusing calls as over its rate limit ({exc}): "
                        "another process may be using this token; stopped checkpointed, "
                        "every row resumable")
        err.__cause__ = exc
        return err
    err = BulkError(f"the account is not answering ({exc}); stopped checkpointed, every row "
                    "resumable")
    err.__cause__ = exc
    return err


__all__ = ["RetryPolicy"]
