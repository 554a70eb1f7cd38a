"""The job kinds: each a small module on top of the engine (bulk/).

A job kind turns its input into store items, executes one item through
``CallContext.call`` and reconciles items a crash left in doubt. It never
builds a URL and never sleeps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bulk.runner import JobKind
    from bulk.store import JobStore


def kind_for(store: JobStore) -> JobKind:
    """The job kind that runs a stored job (for resume / retry)."""
    if store.kind == "touch":
        from .touch import TouchJob

        return TouchJob()
    raise ValueError(f"unknown job kind {store.kind!r}")


__all__ = ["kind_for"]
