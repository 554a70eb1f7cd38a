"""The runner's re-check as a plan counts it: the reads right before each batch of writes
is sent (``bulk.runner``'s recheck, the job kind's ``recheck_calls`` hook) and how many
batches they come in. Shared by every plan that prices a run: ``jobs.api`` (update,
move-stage, merge, undo), ``jobs.resuming``, ``jobs.import_load`` and ``jobs.dedupe.api``,
which all sit above this module; it imports no job kind (a kind is passed in)."""

from __future__ import annotations

from typing import Any

from bulk.runner import recheck_batch
from bulk.store import ItemState, JobStore


def recheck_calls(store: JobStore, kind: Any, workers: int,
                  states: tuple[ItemState, ...] = (ItemState.PENDING,), *,
                  burst: int | None = None) -> dict[str, int]:
    """The reads of the runner's re-check right before each batch is sent (the job kind's
    ``recheck_calls``; none for a kind without the hook), for a run of ``workers`` on an
    account of ``burst`` requests per window: {operation id: calls}."""
    calls = getattr(kind, "recheck_calls", None)
    if calls is None:
        return {}
    if getattr(kind, "recheck_size", None) is not None:
        # a kind that sizes some of its passes itself (an undo's contact deletes: one
        # window's burst at any workers) prices them with the burst
        sized: dict[str, int] = calls(store, recheck_batch(workers, burst), states,
                                      burst=burst)
        return sized
    planned: dict[str, int] = calls(store, recheck_batch(workers, burst), states)
    return planned


def recheck_batches(store: JobStore, workers: int,
                    states: tuple[ItemState, ...] = (ItemState.PENDING,), *,
                    burst: int | None = None) -> int:
    """How many batches the runner's re-check reads for (``recheck_calls``): the items
    in ``states``, ``bulk.runner.recheck_batch`` at a time (at least 1)."""
    counts = store.counts()
    return max(1, -(-sum(counts[s] for s in states) // recheck_batch(workers, burst)))


__all__ = ["recheck_batches", "recheck_calls"]
