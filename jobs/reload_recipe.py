"""What a job keeps so that a resume can load it again after its load was cut short
(``jobs.reloading``): the arguments of the ``jobs.api`` factory that made its ``Work``
(``recipe``, in the job's config under ``RELOAD``), and whether it was to ask before it
sends (``META_LOAD_ASKS``, job meta written by ``jobs.api.run_job`` before the load).
Apart from ``jobs.reloading`` so that ``jobs.api`` can import it (no cycle). Sends nothing.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

RELOAD = "reload"  # job config: the kind's factory arguments (``recipe``)
META_LOAD_ASKS = "load.asks"  # job meta: the load's job asks before it sends (no --yes)
_FILES = ("manifest", "mapping", "pairs", "source")  # arguments that are paths


def recipe(**args: Any) -> dict[str, Any]:
    """``{RELOAD: args}`` for a ``Work``'s config: the factory's arguments, JSON-safe
    (paths made absolute: a resume may run from another folder; a ``DealQuery`` as its
    fields)."""
    out: dict[str, Any] = {}
    for name, value in args.items():
        if name in _FILES and isinstance(value, str | os.PathLike):
            value = os.path.abspath(os.fspath(value))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            value = dataclasses.asdict(value)
        out[name] = value
    return {RELOAD: out}


__all__ = ["META_LOAD_ASKS", "RELOAD", "recipe"]
