"""A library job's outcome, ``Finished`` (``run_job``'s and ``resume_job``'s), and its
plan, ``Planned`` (``plan_job``'s, and what ``Finished.planned`` holds), the tokens a call
spent by the job's spend ledger, and the tokens of a count of calls. Moved out of
``jobs.api`` (x25r3's fixes took it past ~500 lines; ``Planned`` so that this module, below
``jobs.api``, never imports it), which still exports ``Finished``, ``Planned`` and
``tokens_of``."""

from __future__ import annotations

import logging
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulk.errors import ApiError, BulkError, uncharged
from bulk.operations import get_operation
from bulk.runner import RunResult
from bulk.store import JobStore
from bulk.wording import counted

from .planning import Plan


@dataclass(frozen=True, slots=True)
class Planned:
    """What a job would do: ``plan`` (calls by operation, tokens, share of today's budget,
    time; ``plan.failed_rows`` the rows refused), ``actions`` (rows by action) and
    ``idle``: None, or why no job is made of it (a further undo of a job with nothing of
    it left to send: ``Work.idle``, x44r6 F4) — ``run_job`` then keeps no job."""

    plan: Plan
    actions: dict[str, int]
    idle: str | None = None

    @property
    def bad_rows(self) -> int:
        """Rows the job would refuse before sending (bad input, no such deal, ...): one
        failed.csv line each; ``plan.failed_rows`` lists the first 1,000."""
        return self.plan.bad_rows

    @property
    def would_fail(self) -> int:
        """Rows the run would end with in failed.csv: ``bad_rows`` and an undo's persons /
        organizations left as conflicts (``conflict-person`` / ``conflict-org`` actions:
        items of their own, not rows of the source job). A plan exits as its run would —
        3 when this is not 0 (x40r6 F2: `plan undo --contacts` exited 0 where the run,
        leaving the same 4 contacts, exited 3)."""
        return (self.plan.bad_rows + self.actions.get("conflict-person", 0)
                + self.actions.get("conflict-org", 0))

    @property
    def idle_status(self) -> str | None:
        """``Finished.status`` of its run when no job is made of it (``idle``):
        ``NOT_MADE`` when rows would fail, else ``NOTHING_TO_UNDO``; None: a job is made
        (`plan undo --json` says it as the run's `--json` does, x45r9 F4)."""
        if self.idle is None:
            return None
        return NOT_MADE if self.would_fail else NOTHING_TO_UNDO


# ``Finished.status`` of a job ``run_job`` loaded and then kept not (``Planned.idle``), the
# words of the CLI's ``--json`` "status" too (x45r4 F4d: the library said "not made" where
# the CLI said "nothing to undo"): ``NOT_MADE``, rows would fail (``Planned.would_fail``:
# conflicts, the CLI's exit 3); ``NOTHING_TO_UNDO``, no row is left to put back (exit 0)
NOT_MADE = "not made"
NOTHING_TO_UNDO = "nothing to undo"
NOT_KEPT = (NOT_MADE, NOTHING_TO_UNDO)


@dataclass(frozen=True, slots=True)
class Finished:
    """A job's outcome: its id and folder (``directory``: the store, result files),
    ``status`` ("finished", "stopped", "cancelled"; ``NOT_KEPT``: the load found nothing
    to send and the kind makes no job then — a further undo, ``Planned.idle`` saying why:
    ``NOTHING_TO_UNDO`` ("nothing to undo") when no row is left, ``NOT_MADE`` ("not
    made") when rows would fail, as the CLI's ``--json`` "status" says;
    ``job_id`` is "" and ``directory``, removed, held only its reads), ``counts`` (items by state: "done",
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


class JobLog(logging.LoggerAdapter[logging.Logger]):
    """A library job's log records: each names its job, as the ``job_id`` attribute
    (``extra``) and in its text ("job ID: ..."), so two jobs at once can be told apart."""

    def __init__(self, logger: logging.Logger, job_id: str) -> None:
        super().__init__(logger, {"job_id": job_id})
        self.job_id = job_id

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]
                ) -> tuple[Any, MutableMapping[str, Any]]:
        kwargs["extra"] = {**(kwargs.get("extra") or {}), "job_id": self.job_id}
        return f"job {self.job_id}: {msg}", kwargs


def job_log(job_id: str, name: str = "pdbulk.job") -> JobLog:
    """The ``JobLog`` of job ``job_id`` on logger ``name``."""
    return JobLog(logging.getLogger(name), job_id)


def log_end(done: Finished, how: str = "ended") -> Finished:
    """One record at a library job's end (logger ``pdbulk.job``, ``job_id``, ``status``
    and ``counts`` as attributes): its status and items by state; WARNING when rows
    failed, else INFO. ``how``: "ended" or "resumed, ended". Returns ``done``."""
    counts = ", ".join(f"{n:,} {state}" for state, n in sorted(done.counts.items())) or "no rows"
    level = logging.WARNING if done.counts.get("failed") else logging.INFO
    job_log(done.job_id).log(level, "%s %s: %s; %s tokens", how, done.status, counts,
                             f"{done.tokens:,}", extra={"status": done.status,
                                                        "counts": dict(done.counts)})
    return done


def sent_words(spend: Mapping[str, tuple[int, int]], exc: BaseException | None = None, *,
               writes: Mapping[str, int] | None = None) -> str:
    """What a job cut short before its load ended had sent, in words: ``spend``, its ledger
    (operation -> (tokens, calls) charged); ``exc``, the error it ended in (the calls an
    engine's opening sent that were answered 429, not charged, so in no ledger:
    ``BulkError.opened_with``); ``writes`` (operation -> calls), the writes as the run's
    stats count them, where known (else the ledger's). "already sent: addDealField 1"
    where a write went out; else "reads only: getCurrentUser 1 (2 tokens)" (a 429 "…
    answered 429 (not charged)"; a read the ledger keeps at 0 tokens, a refused token's,
    "getPipelines 1 answered 401 (not charged)"); "nothing was sent" only where no call left (f49a F2:
    said after a GET /users/me answered 429)."""
    if writes is None:
        writes = {op: calls for op, (_, calls) in spend.items() if get_operation(op).is_write}
    wrote = {op: n for op, n in writes.items() if n}
    if wrote:
        return "already sent: " + ", ".join(f"{op} {n}" for op, n in sorted(wrote.items()))
    reads: list[str] = []
    # a read's calls the ledger keeps at 0 tokens were answered and not charged (a refused
    # token's 401: ``bulk.errors.uncharged``; x49r9 F2, "getPipelines 1 (5 tokens)" said)
    status = exc.status if isinstance(exc, ApiError) and uncharged(exc) else None
    refused = f"answered {status}" if status is not None else "answered"
    for op, (tokens, calls) in sorted(spend.items()):
        if calls <= 0 or get_operation(op).is_write:
            continue
        charged = min(calls, max(0, tokens) // get_operation(op).token_cost)
        if charged:
            reads.append(f"{op} {charged} ({counted(tokens, 'token')})")
        if calls - charged:
            reads.append(f"{op} {calls - charged} {refused} (not charged)")
    limited = exc.opened_with[1] if isinstance(exc, BulkError) else 0
    if limited:
        reads.append(f"getCurrentUser {limited} answered 429 (not charged)")
    return "reads only: " + ", ".join(reads) if reads else "nothing was sent"


def log_cut_short(job_id: str, exc: BaseException, how: str = "ended", *,
                  removed: Path | None = None, kept: str | None = None,
                  refused: bool = False, sent: str = "nothing was sent") -> None:
    """One record when a library job's call ends in ``exc`` (WARNING; ``status`` attribute
    "cancelled" for a cancel or Ctrl-C, else "failed"): the error's class and text (the
    token is never in an error's text: ``bulk.client.Secret``). ``removed``: the job's
    folder, removed since its load never ended: said so, with what was sent (``sent``:
    ``sent_words``; x42r5 F11: the record named a job whose folder was gone, as if it could
    be resumed). ``kept``: the
    status the job is left in when it is kept (a resume's job, an import cut short once
    loaded): the ``status`` attribute is that one, the job's real status, and the text
    says it; ``refused`` (with ``kept``): a resume refused before it wrote anything (its
    cap or share cannot reach its first write, a wrong token), the job as it was: said
    so, "resume refused", never "ended failed" (x48r9 F1: a stopped, resumable job logged
    ``status="failed"``)."""
    import anyio

    cancelled = isinstance(exc, KeyboardInterrupt | anyio.get_cancelled_exc_class())
    status = "cancelled" if cancelled else "failed"
    why = "" if cancelled else f" ({type(exc).__name__}: {exc})"
    if removed is not None:
        why += (f" before its load ended ({sent}), and its folder {removed} is "
                "removed (no job is left to resume)")
    if kept is not None:
        said = ("resume refused, nothing written" if refused and not cancelled else
                f"{how} {'cancelled' if cancelled else 'on an error'}")
        job_log(job_id).warning("%s%s; the job is %s%s", said, why,
                                "still " if refused else "", kept, extra={"status": kept})
        return
    job_log(job_id).warning("%s %s%s", how, status, why, extra={"status": status})


__all__ = ["Finished", "JobLog", "NOTHING_TO_UNDO", "NOT_KEPT", "NOT_MADE", "Planned", "job_log",
           "ledger_tokens", "log_cut_short", "log_end", "outcome", "sent_words", "tokens_of"]
