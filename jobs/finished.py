"""A library job's outcome, ``Finished`` (``run_job``'s and ``resume_job``'s), the
tokens a call spent by the job's spend ledger, and the tokens of a count of calls.
Moved out of ``jobs.api`` (x25r3's fixes took it past ~500 lines), which still exports
``Finished`` and ``tokens_of``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bulk.operations import get_operation
from bulk.runner import RunResult
from bulk.store import JobStore

if TYPE_CHECKING:
    from .api import Planned


@dataclass(frozen=True, slots=True)
class Finished:
    """A job's outcome: its id and folder (``directory``: the store, result files),
    ``status`` ("finished", "stopped", "cancelled"), ``counts`` (items by state: "done",
    "failed", "skipped", "pending", "sending"), ``result`` (the run's; None when nothing
    was sent), ``lines`` (the result files written and the summary, as the CLI prints
    them), ``planned`` (the plan it ran under; None for a resume, ``resume_job``) and
    ``tokens``: the API tokens this call spent, in Pipedrive's token units (each call at
    its operation's cost: the load's reads, the re-read after a prompt or on resume, the
    re-checks, the writes), from the job's spend ledger — the figure of the CLI's
    ``tokens:`` line (a resume's "this run") and what the account was charged (x25r3
    F5: ``result.stats.tokens_by_operation`` is the run's alone)."""

    job_id: str
    directory: Path
    status: str
    counts: dict[str, int]
    result: RunResult | None
    lines: list[str]
    planned: Planned | None
    tokens: int = 0


def tokens_of(calls: Mapping[str, int]) -> int:
    """The tokens of ``calls`` ({operation id: calls}) at each operation's cost."""
    return sum(get_operation(op).token_cost * n for op, n in calls.items())


def ledger_tokens(store: JobStore) -> int:
    """The tokens of the job's spend ledger, every run so far (``Finished.tokens`` is the
    difference a call makes)."""
    return sum(tokens for tokens, _ in store.spend_by_operation().values())


def outcome(store: JobStore, result: RunResult | None, lines: list[str],
            planned: Planned | None, spent_before: int) -> Finished:
    """The ``Finished`` of a job in ``store`` as it stands, ``spent_before`` the ledger's
    tokens when the call began (``ledger_tokens``)."""
    counts = {state.value: n for state, n in store.counts().items() if n}
    return Finished(store.job_id, store.directory, store.status, counts, result, lines,
                    planned, ledger_tokens(store) - spent_before)


__all__ = ["Finished", "ledger_tokens", "outcome", "tokens_of"]
