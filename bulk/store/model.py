"""What a job store holds, as values: item states and their legal moves (``LEGAL``),
the job lifecycle (``JOB_LEGAL``), items, outcomes, before-images, job summaries."""

from __future__ import annotations

from collections.abc import (
    Mapping,
)
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any


class ItemState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


_S = ItemState
LEGAL: Mapping[ItemState, frozenset[ItemState]] = MappingProxyType({
    _S.PENDING: frozenset({_S.SENDING, _S.SKIPPED, _S.FAILED}),
    # -> pending: a retryable failure, or in doubt and reconciled as not applied;
    # -> skipped: found already as wanted when its turn came or on reconcile (nothing
    # sent, nothing this job owns: undo leaves it alone)
    _S.SENDING: frozenset({_S.DONE, _S.FAILED, _S.PENDING, _S.SKIPPED}),
    _S.FAILED: frozenset({_S.PENDING}),  # `pdbulk retry`
    _S.DONE: frozenset(),
    _S.SKIPPED: frozenset(),
})
_INITIAL = frozenset({_S.PENDING, _S.FAILED, _S.SKIPPED})  # states add_items accepts

# The job lifecycle, enforced like the item states (issue 8):
#   planned → loading → loaded → running → stopped | finished | failed | cancelled
# ``stopped`` is resumable (→ running; a loaded job cut short before its run, too);
# ``finished`` may run again (`pdbulk retry`);
# ``failed`` (the load phase failed, nothing sent) and ``cancelled`` (declined at the
# confirmation prompt, or cancelled before anything was sent) are final.
JOB_LEGAL: Mapping[str, frozenset[str]] = MappingProxyType({
    "planned": frozenset({"loading", "loaded", "running", "failed", "cancelled"}),
    "loading": frozenset({"loaded", "failed", "cancelled", "stopped"}),
    # finished: nothing to send; stopped: cut short (a cancelled task) before its run began
    "loaded": frozenset({"running", "finished", "failed", "cancelled", "stopped"}),
    "running": frozenset({"stopped", "finished", "failed"}),
    "stopped": frozenset({"running", "cancelled"}),
    "finished": frozenset({"running"}),
    "failed": frozenset(),
    "cancelled": frozenset(),
})
JOB_STATUSES = frozenset(JOB_LEGAL)
# the statuses of a job some process is working on (from its creation to its end): that
# process holds the lock, so one found without a holder was killed (kill -9, power cut) —
# "interrupted", resumable. x19r2: "planned" / "loaded" (killed before the first call, at
# the prompt) were left out and read as such forever
ACTIVE_STATUSES = frozenset({"planned", "loading", "loaded", "running"})
# the wait for the daily reset a live run is in (kv; bulk.scheduler.ResetWait, None: none)
RESET_WAIT_META = "run.reset_wait"
LOADED_KEY = "job.loaded"  # the one "loaded" flag (kv); older jobs wrote these:
_LEGACY_LOADED = ("loaded", "import.loaded")


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    row: int | None
    key: str | None
    op: str
    payload: dict[str, Any]
    state: ItemState
    attempts: int
    result: dict[str, Any] | None
    error: str | None
    status: int | None
    sent_at: float | None


@dataclass(frozen=True, slots=True)
class NewItem:
    row: int | None
    key: str | None
    op: str
    payload: dict[str, Any]
    state: ItemState = ItemState.PENDING
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    item_id: int
    state: ItemState
    result: dict[str, Any] | None = None
    error: str | None = None
    status: int | None = None
    # PENDING without a call sent (stopping, waiting for a dependency): the attempt that
    # mark_sending counted is given back, so waiting never uses up an item's attempts
    unsent: bool = False


@dataclass(frozen=True, slots=True)
class BeforeImage:
    entity: str
    entity_id: int
    item_id: int | None
    before: dict[str, Any]
    taken_at: float


@dataclass(frozen=True, slots=True)
class JobSummary:
    job_id: str
    kind: str
    status: str
    status_message: str | None
    counts: dict[ItemState, int]
    created_at: float | None
    directory: Path
    error: str | None = None  # set when the store could not be read

    @property
    def total(self) -> int:
        return sum(self.counts.values())
