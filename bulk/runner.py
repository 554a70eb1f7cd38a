"""The worker pool: pending items in, outcomes out, through the scheduler and the client.

    store.pending ──► producer ──(bounded stream)──► N workers ──► outcome writer ──► store
                       marks a batch SENDING          kind.execute(ctx, item)      batches
                       before it is handed out (a     ctx.call → scheduler → client
                       kind of final writes: each
                       item as a worker takes it)

Spend: the job's ledger (``tokens_by_operation``, the store's spend rows) counts what
the account was charged: every call answered 2xx or 4xx, and every call left without an
answer (it may have been applied, so it may have been charged: conservative). A 429 and
a 5xx are not charged (the sandbox answers them before charging; the issue 9 tester saw
Pipedrive do the same for 5xx), and neither is a call that never left (a lost
claim, a stop, a ``RequestNotSent``): ``calls_by_operation`` (the stats' and the ledger's)
counts the calls charged, as the tokens do, but for a 5xx write that may have applied
(a call sent, its tokens not). ``RunStats.calls`` still counts every call sent,
``RunStats.rate_limited`` the 429s.
A call's charge is in the ledger before the call leaves (``bulk.ledger._Ahead``: from
credit charged ahead a few calls at a time, taken back when the run ends), so a kill -9
loses none of what the account charged; the refund of a 429 / 5xx / ``RequestNotSent`` follows
with the next outcome batch (a kill before it over-counts that call: conservative).

What it owns: the hand-out of items (``prepare``, ``recheck``, then SENDING), in-doubt
writes (handed to the job kind's ``reconcile`` instead of being re-sent blindly), the
outcome and spend flushes, the items of a batch put back to pending while the run waits
for the daily reset (``bulk.handed``: only what may have left reads as sending), clean
stops (SIGINT/SIGTERM, terminal errors, exhausted budget: in-flight calls finish, the
rest goes back to pending) and the run's exception boundary. One call (admission,
retries, 429s) is ``bulk.calls`` (``CallPath``, a mixin of ``Runner``; ``CallContext``,
the kind's door), the retry policy ``bulk.retry``, the ledger's write-ahead
``bulk.ledger``. It never builds a URL and never knows what a deal is. ``CallContext``,
``RetryPolicy``, ``InDoubt`` and ``Stopped`` are importable from
here too (listed in ``__all__``).

Why ~1080 lines: the pool's life (hand-out, in-doubt, flushes, stops, the exception
boundary) is one state machine over the same counters; the call path, the retry policy
and the ledger are already their own modules.
"""

from __future__ import annotations

import functools
import math
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from .calls import AHEAD, BEFORE_WRITE, LEAVING, BeforeWrite, CallContext, CallPath
from .client import PipedriveClient
from .clock import Clock, in_thread
from .errors import (
    CAP_SETTING,
    META_FIRST_WRITE_CAP,
    META_STOP,
    STOP_CAUSES,
    BudgetExhausted,
    BulkError,
    InDoubt,
    Stopped,
    Unexpected,
    stop_cause,
)
from .handed import Handed
from .leaving import LEAVING_FILE, Marks, begin, lead_bound, settle
from .ledger import CREDIT_CALLS, Rider, _Ahead, earlier_item
from .operations import get_operation
from .pool import Handoff, Slots
from .repeated import RepeatedRefusal, Repeats
from .retry import RetryPolicy, _unreachable
from .scheduler import Cancellable, Scheduler
from .store import AsyncJobStore, Item, ItemState, Outcome
from .swallowed import note, went_on
from .wording import counted

T = TypeVar("T")

BATCH = 64  # items the producer takes from the store at a time (Runner's ``batch``)
FINISH_BOUND = 30.0  # seconds a cancelled run gives its kind's ``finish`` (claims given back)


def recheck_batch(max_workers: int, burst: int | None = None) -> int:
    """Items per ``recheck`` batch for a run of ``max_workers`` workers on an account of
    ``burst`` requests per 2-s window: 8 per worker, between 16 and 100 (one
    ``GET /api/v2/deals?ids=`` reads 100), and at most one window's burst. Few workers
    send slowly, so their batches are smaller: the read stays close to the writes (one
    batch's worth of sends) at one read per 16 items at most; a batch of one burst is
    sent within about one window of its read (x14r1 F2: 100 items at 20 requests/s left
    a colleague's edit made 5 s after the read overwritten, at the default 64 workers).
    Plans price the re-check with it (a job kind's ``recheck_calls``)."""
    size = max(16, min(100, 8 * max(1, max_workers)))
    return max(16, min(size, burst)) if burst else size


class JobKind(Protocol):
    """What a job kind (jobs/) gives the runner.

    Four optional hooks, found with ``getattr``: ``async prepare(items)`` runs before a
    batch (``Runner.batch`` items, in id order) is handed to the workers — e.g. to
    claim the batch's creates in one step; ``async recheck(ctx, items) -> list[Outcome]``
    runs right after it, before the batch is handed out (batches of
    ``recheck_batch(max_workers)`` items then, handed out only as fast as the workers
    take them; ``async recheck_size(size, burst) -> int``, asked as each sweep over the
    pending items begins, may set that sweep's size itself: an undo's person /
    organization deletes, whose check costs a batch the same at any ``max_workers``): it
    reads the batch's records as they are now and returns the outcomes
    (FAILED / SKIPPED) of the items that must not be sent — a colleague's change made
    while the job runs is never overwritten; those are recorded at once and never
    handed out, the rest is sent; ``async settled(ctx)`` runs once the run has nothing
    pending or in doubt, unless it is stopping, and may make calls (a dedupe's put-back of
    a field-policy value taken from a deal left unmerged); ``async finish()`` runs once
    when the run ends, stopped, cancelled or failed (shielded) — e.g. to write what
    ``prepare`` left open and give back what the run holds (an import's claims).
    Two more for a kind's run history: ``async run_started()`` as the run begins (after
    its status is set ``running``, before anything is reconciled or sent) and
    ``async run_ended(result, stats)`` on every exit path (shielded, bounded, its error
    dropped): ``result`` None for a run cancelled (a second Ctrl-C, a library caller's
    cancel) or failed before its end; ``stats`` the run's counts either way.

    ``final_writes = True`` (with ``recheck``): each item is marked SENDING only as its
    first write leaves (``bulk.calls.BeforeWrite``: after its reads, its locks and its
    admission), not its whole batch before the first is sent nor as a worker takes it —
    a kill leaves in doubt only what may have been sent (x24r3). For writes another job's would look like when
    reconciled (a merge: x11r1 M1); one store write per item, so not for imports.
    ``recheck_ahead = True`` (with ``recheck``, not ``final_writes``): a batch's re-check
    reads nothing the writes of the batch before change, so its read may be admitted
    ahead of the last of them, those one round trip admits (``Scheduler.acquire``'s
    ``ahead``; issue 8: its round trip no longer holds the window up)."""

    name: str

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        """Do one item: one or a few calls through ``ctx.call``. Raise to fail it."""
        ...

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        """Decide in-doubt items: DONE (with result) if applied, PENDING to resend.

        Optional: ``landed_calls(item, outcome) -> {operationId: calls}``, the writes of
        ``item`` its ``outcome`` from this reconcile (any state) proves applied (so charged): they
        come off the tokens in doubt (``bulk.ledger``); a kind without it leaves them in."""
        ...


@dataclass
class RunStats:
    done: int = 0
    failed: int = 0
    in_doubt: int = 0
    reconciled: int = 0
    retries: int = 0
    rate_limited: int = 0
    calls: int = 0
    calls_by_operation: dict[str, int] = field(default_factory=dict)
    tokens_by_operation: dict[str, int] = field(default_factory=dict)
    # the part of ``tokens_by_operation`` in doubt: calls that left and got no answer (a
    # connection dropped, a timeout, cancelled in flight): the account may or may not have
    # charged them (the sandbox charges none dropped before it read them): counted, on the
    # safe side, and reported apart (x32r1 F4)
    tokens_in_doubt_by_operation: dict[str, int] = field(default_factory=dict)
    # a plan's engine (a reads-only store): the tokens its start spent outside
    # ``tokens_by_operation`` — a shared coordinator's GET /v1/users/me, a kept day asked
    # (bulk.engine; in its ledger), for what the plan says it spent (x47r4 F7)
    start_tokens: int = 0
    answered: int = 0  # calls that got an answer, and their round trips in total (seconds)
    answer_seconds: float = 0.0
    # answers whose window headers proved another client on the token (the scheduler's
    # ``others_seen`` as the run ended; x19r3 F3): the 429 note blames one only then
    others_seen: int = 0
    # 429s that came while the window had room (the scheduler's ``refused_with_room``):
    # the note blames the server, not the pace, for those
    refused_with_room: int = 0
    # of those, the 429s before any window header was heard (the scheduler's
    # ``refused_unheard``): only the configured plan said the window had room
    refused_unheard: int = 0
    # 429s the company's daily budget refused (the scheduler's ``refused_for_budget``)
    refused_for_budget: int = 0
    # the longest burst-window reset the server's headers named (seconds, the scheduler's
    # ``reset_heard``; 0.0: none): the 429 note blames a PDBULK_WINDOW shorter than it only
    reset_heard: float = 0.0
    # the share of the token's windows the run kept to (``Limits.window_share``): its end
    # names --window-share when another client was seen and it kept none (x31r2 F6)
    window_share: float = 1.0
    # the most Pipedrive's clock can be ahead of ours (seconds; negative: behind; None:
    # no answered write with an ``update_time``), from each answered write's leaving mark
    # to its ``update_time`` (``bulk.leaving.lead_bound``: never counting a wait before
    # the send; w57r1 F2); a kind keeps it (``jobs.provable_writes.job_lead``)
    server_lead: float | None = None
    # what the run went on past and said (``bulk.swallowed``: a store error parking the
    # items waiting for the reset, a kind's ``finish`` that failed after the end, ...)
    warnings: list[str] = field(default_factory=list)

    @property
    def tokens(self) -> int:
        """The API tokens of the calls these stats count (Pipedrive's token units, each
        call at its operation's cost): a run's own, or with ``Engine.stats`` the engine's
        reads before its runs too (an import's load: ``import_job``'s result)."""
        return sum(self.tokens_by_operation.values())

    @property
    def tokens_in_doubt(self) -> int:
        """The part of ``tokens`` whose calls got no answer: charged or not, nobody knows
        (Pipedrive's token units); ``tokens - tokens_in_doubt`` were charged for sure."""
        return sum(self.tokens_in_doubt_by_operation.values())

    def add(self, other: RunStats) -> None:
        """Add ``other``'s counts to these (``bulk.engine.Engine.stats``: the engine's own
        calls and every run's)."""
        for name in ("done", "failed", "in_doubt", "reconciled", "retries", "rate_limited",
                     "calls", "answered", "answer_seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.calls_by_operation, other.calls_by_operation),
                             (self.tokens_by_operation, other.tokens_by_operation),
                             (self.tokens_in_doubt_by_operation,
                              other.tokens_in_doubt_by_operation)):
            for op_id, n in theirs.items():
                mine[op_id] = mine.get(op_id, 0) + n
        self.others_seen = max(self.others_seen, other.others_seen)  # one scheduler's count
        self.refused_with_room = max(self.refused_with_room, other.refused_with_room)
        self.refused_unheard = max(self.refused_unheard, other.refused_unheard)
        self.refused_for_budget = max(self.refused_for_budget, other.refused_for_budget)
        self.reset_heard = max(self.reset_heard, other.reset_heard)
        self.window_share = min(self.window_share, other.window_share)
        self.warnings.extend(other.warnings)


@dataclass(frozen=True, slots=True)
class RunResult:
    stopped: bool  # True: not everything was attempted (stop request or terminal error)
    error: BulkError | None
    stats: RunStats
    counts: Mapping[ItemState, int]


class Runner(CallPath):
    """Runs one job's pending items to the end, or to a clean stop.

    ``kind`` None: a runner for calls only (``ctx``: the calls of ``bulk.engine.Engine``
    outside a run, scheduled, retried and accounted like a run's); its ``run`` raises
    RuntimeError."""

    def __init__(self, store: AsyncJobStore, kind: JobKind | None, client: PipedriveClient,
                 scheduler: Scheduler, *, clock: Clock, max_workers: int = 64,
                 retry: RetryPolicy = RetryPolicy(), batch: int = BATCH, seed: int | None = None,
                 on_progress: Callable[[RunStats], None] | None = None,
                 flush_seconds: float = 0.25) -> None:
        # the account's burst as the run starts: re-check batches stay within one window
        # (``recheck_batch``), as the plan priced them
        self._burst = scheduler.limits.burst
        self.store, self.kind, self.client, self.scheduler = store, kind, client, scheduler
        self.clock, self.retry, self.batch = clock, retry, batch
        self.flush_seconds = flush_seconds  # most seconds an outcome waits to be written
        self.max_workers = max(1, max_workers)
        self.stats = RunStats()
        self._said: set[str] = set()  # the failures said already (``bulk.swallowed``)
        self._rng = random.Random(seed)
        self._stopping = False
        self._draining = False  # a spent budget: admitted calls still go out (request_stop)
        self._error: BulkError | None = None
        # a call's token was refused (401, answered uncharged): the first such call's send
        # time; an answer past the token check came (``bulk.calls.CallPath``)
        self._token_refused: float | None = None
        self._token_passed = False
        self._stop_reason: str | None = None
        self._waiting: set[Cancellable] = set()  # the waits a stop ends
        self._latency = 0.2  # EWMA of call latency, seconds; drives the concurrency target
        self._limiter = Slots(self._target_workers())  # workers in flight at once
        self._on_progress = on_progress
        # item id -> the 5xx statuses its in-doubt sends of this run were answered with
        # (``_given_up``: answered and not applied is no lost answer)
        self._answered: dict[int, list[int]] = {}
        self._lost: set[int] = set()  # items a send of which had its answer lost (``_stalled``)
        # writes refused for one cause again and again stop the run (``bulk.repeated``)
        # (the kind's ``after_refusals``: what works after that stop, x45r4 F1)
        self._repeats = Repeats(advice=str(getattr(kind, "after_refusals", "") or ""))
        self._single: dict[str, anyio.Lock] = {}  # item op -> one at a time (``_execute``)
        # op -> [tokens, calls] refunded (429 / 5xx) and not yet in the ledger (the charges
        # are, before each call: _ahead)
        self._spend: dict[str, list[int]] = {}
        self._day_number, self._day_text = -1, ""  # _day's cache
        self._spend_taken = -math.inf  # time.monotonic() when _spend was last taken (ledger)
        # charges written before their calls leave; ahead of need only for a run's items
        self._ahead = _Ahead(store, self._day, clock, most=CREDIT_CALLS if kind is not None else 0)
        self._handed = Handed(store, clock.wall)
        self._marks: Marks | None = None  # each item write's leaving mark (``run``)
        self.ctx = CallContext(self)

    def __repr__(self) -> str:
        s = self.stats
        name = self.kind.name if self.kind is not None else None
        return (f"Runner(kind={name}, workers={self._limiter.total}, "
                f"done={s.done}, failed={s.failed}, in_doubt={s.in_doubt}, stopping={self._stopping})")

    # -- the spend ledger -----------------------------------------------------------------
    def _day(self) -> str:
        """The UTC date of now, YYYY-MM-DD (the ledger's day): formatted once a day."""
        day = int(self.clock.wall() // 86400)
        if day != self._day_number:
            self._day_number = day
            self._day_text = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
        return self._day_text

    def _take_spend(self) -> list[tuple[str, str, int, int]]:
        """The spend counted since the last flush, as ledger rows; the counter restarts."""
        day = self._day()
        pending, self._spend = self._spend, {}
        self._spend_taken = time.monotonic()
        return [(day, op_id, tokens, calls) for op_id, (tokens, calls) in pending.items()]

    async def flush_spend(self) -> None:
        """Move the refunds counted since the last flush into the job's ledger (the charges
        are there already: written before each call) and take back the credit charged
        ahead and not spent (``bulk.ledger``): the ledger is then exact, its part in doubt
        the calls whose answer was lost (and any in flight). A run ends with it; the
        engine calls it before a run and when it closes. Raises StoreError."""
        await self._ahead.write([], self._take_spend() + self._ahead.take_back())

    # -- the run --------------------------------------------------------------------------
    def _kind(self) -> JobKind:
        if self.kind is None:  # run() refuses first; a guard for mypy and for misuse
            raise RuntimeError("this runner has no job kind")
        return self.kind

    async def run(self) -> RunResult:
        """Reconcile what a crash left in doubt, then work every pending item.

        The one exception boundary of a run: any exception that is not a BulkError
        (a job kind's bug, an answer nobody foresaw) stops the run checkpointed with
        ``Unexpected`` as its error; items in flight stay SENDING (in doubt) and are
        reconciled on resume. Never raises an ExceptionGroup. The job's status is
        set here, in a ``finally``: ``running`` while it runs, then ``stopped`` or
        ``finished`` (BaseExceptions such as Ctrl-C leave it ``stopped``). Raises
        RuntimeError for a runner without a kind (calls only)."""
        if self.kind is None:
            raise RuntimeError("this runner has no job kind: it makes calls, runs no items")
        await self.store.set_status("running")
        result: RunResult | None = None
        ended: BaseException | None = None  # what ended the run before its result, if anything
        finished = False  # the kind's ``finish`` ran (else the ``finally`` runs it)
        open_before = _open(await self.store.counts())
        try:
            try:
                started = getattr(self.kind, "run_started", None)
                if started is not None:
                    await started()
                sync = self.store.sync
                self._marks = await in_thread(lambda: begin(sync, self.clock.wall))
                await self._sweep_ledgered()
            except Exception as exc:  # the boundary: see the docstring
                self.request_stop(_boundary_error(exc))
            with anyio.CancelScope(shield=True):
                await self.flush_spend()
                if isinstance(self._error, BudgetExhausted) and self._error.cap is not None:
                    self._error = await self._cap_spent(self._error, open_before)
                finish = getattr(self.kind, "finish", None)
                if finish is not None:
                    finished = True
                    try:
                        await finish()
                    except Exception as exc:  # the boundary, as above
                        self.request_stop(_boundary_error(exc))
                    await self.flush_spend()  # the calls ``finish`` made
            counts = await self.store.counts()
            self.stats.others_seen = self.scheduler.others_seen
            self.stats.refused_with_room = self.scheduler.refused_with_room
            self.stats.refused_unheard = self.scheduler.refused_unheard
            self.stats.refused_for_budget = self.scheduler.refused_for_budget
            self.stats.reset_heard = self.scheduler.reset_heard
            self.stats.window_share = self.scheduler.limits.window_share
            # a stop asked (a signal) once every item had settled, with no error, leaves
            # nothing to resume: the run finished (x19r1 F9: Ctrl-C while the last batch
            # was recorded or the kind's ``finish`` ran left the job "stopped")
            stopped = self._stopping and (self._error is not None or _open(counts) > 0)
            result = RunResult(stopped=stopped, error=self._error, stats=self.stats,
                               counts=counts)
            return result
        except BaseException as exc:  # what ended it before its result: its status says so
            ended = exc
            raise
        finally:
            with anyio.CancelScope(shield=True):
                if result is None:  # cancelled (a second Ctrl-C) or failed before the end:
                    with went_on("the ledger's last flush", (BulkError,), consequence=(
                            "pdbulk status may count charges ahead of calls never sent"),
                            into=self.stats.warnings):  # the ledger exact all the same
                        await self.flush_spend()
                    if not finished:  # the kind gives back what it holds (x20r3 F2: a
                        # cancelled import kept its claims: a resume waited out their lease)
                        await self._finish_anyway()
                if self._marks is not None:  # its lines of items settled go (``compact``)
                    self._marks.close()
                    with went_on(f"compacting {LEAVING_FILE}", (BulkError, OSError),
                                 consequence="it is kept whole (larger, still right)",
                                 into=self.stats.warnings):
                        await in_thread(functools.partial(settle, self.store.sync))
                await self._settle_status(result, ended)
                await self._run_ended(result)

    async def _run_ended(self, result: RunResult | None) -> None:
        """The kind's ``run_ended`` on every exit path: a run cancelled or failed before
        its end is recorded too (x22: an import listed only the runs its ``after_run``
        saw). Bounded like ``_finish_anyway``; its own error is dropped."""
        ended = getattr(self.kind, "run_ended", None)
        if ended is None:
            return
        with anyio.move_on_after(FINISH_BOUND, shield=True), went_on(
                "the job kind's run_ended", (Exception,), into=self.stats.warnings,
                consequence="this run may be missing from the job's run history"):
            await ended(result, self.stats)

    async def _finish_anyway(self) -> None:
        """The kind's ``finish`` on a run cancelled (or failed) before its end: what it
        holds (an import's claims) is given back and closed on every exit path. Bounded
        (``FINISH_BOUND`` s: a store that does not answer must not hold a cancel up);
        its own error is dropped, the run's is the one that leaves."""
        finish = getattr(self.kind, "finish", None)
        if finish is None:
            return
        with anyio.move_on_after(FINISH_BOUND, shield=True), went_on(
                "the job kind's finish", (Exception,), into=self.stats.warnings,
                consequence="what the run holds (an import's claims) waits out its lease"):
            await finish()

    async def _cap_spent(self, error: BudgetExhausted, open_before: int) -> BudgetExhausted:
        """``error`` (this run's cap, ``--max-tokens``, is spent) restated once every call is settled: the
        figure when it was raised also counted calls in flight or queued on the shared
        coordinator, some of which were never sent. This run's figure is then what it
        wrote to the ledger, the one ``pdbulk status`` adds up (with earlier runs').
        A run that settled no item (``open_before``: the items pending or in doubt when
        it began) says the cap is too small for one: each resume would spend its reads
        again and end the same way (x13r4 F2: a dedupe at --max-tokens 30 took 21 tokens
        of reads a run, 4 resumes, nothing merged, "at least 3 runs")."""
        run = self.scheduler.statistics().tokens_spent
        total = sum(tokens for tokens, _ in (await self.store.spend_by_operation()).values())
        job = f"; the job's ledger: {total} over all its runs" if total != run else ""
        stuck = ""
        if _open(await self.store.counts()) >= open_before:
            # the plan's figure for a write when it gave one, not this call's alone (x46r8
            # F2: "more than 31" where a merge needs 72, and 35 stopped the same way)
            least = await self.store.meta_get(META_FIRST_WRITE_CAP)
            over = run + _needed(error.needs)
            fig = (f"at least {max(least, over + 1):,}, what the reads before a write and "
                   "one write need" if isinstance(least, int) else f"more than {over}")
            stuck = (f". No item was finished under this cap: a resume with it would spend "
                     f"its reads again and stop the same way; resume with a larger cap "
                     f"({CAP_SETTING}: {fig})")
        cap = "None tokens" if error.cap is None else counted(error.cap, "token")
        return BudgetExhausted(f"this run's cap of {cap} ({CAP_SETTING}) is spent "
                               f"({run} used by this run{job}; {error.needs}){stuck}",
                               cap=error.cap, needs=error.needs)

    async def _settle_status(self, result: RunResult | None,
                             ended: BaseException | None = None) -> None:
        """The job's status as the run ends, its message, and why it stopped (meta
        ``META_STOP``: ``{"cause": a bulk.errors.STOP_CAUSES key, "error": bool}``, None once
        finished). ``ended``: what ended a run with no result — a store error says itself
        (f32d 2: a disk that stayed full, the ledger's last flush refused, read
        "interrupted"); a cancel (a second Ctrl-C) is "interrupted"."""
        message: str | None
        cause: str | None = None
        if result is None:
            status, cause = "stopped", stop_cause(ended)
            message = str(ended) if isinstance(ended, BulkError) else "interrupted"
        else:
            status = "stopped" if result.stopped else "finished"
            message = str(result.error) if result.error else None
            if result.stopped:  # (writes refused alike: a resume checks the account first)
                cause = "refused" if isinstance(result.error, RepeatedRefusal) \
                    else stop_cause(result.error)
            if result.stopped and message is None:  # asked to stop: say by what (x18r3)
                message = (f"{self._stop_reason or 'stopped on request'} before it finished; "
                           "nothing in flight is lost: pdbulk resume sends the rest")
        with went_on(f"setting the job's status to {status}", (BulkError,),
                     into=self.stats.warnings, consequence=(  # the store itself failed
                         "the job's status stays as it was; pdbulk resume decides")):
            await self.store.set_status(status, message)
            await self.store.meta_put(META_STOP, None if cause is None else {
                "cause": cause, "error": STOP_CAUSES[cause][1]})

    async def _sweep_ledgered(self) -> None:
        """``_sweep``, with the refunds counted since the last outcome batch (429 / 5xx
        answers; the charges themselves are written before each call, ``_Ahead``) written
        to the ledger every ``flush_seconds`` beside it: a kill -9 over-counts at most
        the refunds of that long. Raises what ``_sweep`` raises."""
        error: BaseException | None = None
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._spend_ticker)
            try:
                await self._sweep()
            except BaseException as exc:  # re-raised below as is (Ctrl-C too), never
                error = exc  # wrapped in a (Base)ExceptionGroup by the task group
            finally:
                tg.cancel_scope.cancel()
        if error is not None:
            raise error

    async def _spend_ticker(self) -> None:
        """Every ``flush_seconds`` of real time (at least 0.05 s; a kill -9 is real), the
        refunds counted so far into the ledger unless an outcome batch took it meanwhile;
        runs until cancelled. A failed write goes back for the next flush."""
        while True:
            await anyio.sleep(max(self.flush_seconds, 0.05))  # real time: what a kill loses
            # waiting for the daily reset, no call leaves: the credit charged ahead goes
            # back now, not at the run's end (x23r3 / x24: status showed 607 tokens of a
            # 600 budget during the wait, two calls charged ahead that had not left)
            back: list[tuple[str, str, int, int]] = []
            if self.scheduler.reset_wait is not None:
                back = self._ahead.take_back()
                # and the items of the batch waiting with it are pending, not sending
                with went_on("putting the items waiting for the daily reset back to pending",
                             (BulkError,), into=self.stats.warnings, once=self._said,
                             consequence=("they read as sending during the wait, and a kill "
                                          "now leaves them in doubt (reconciled on resume, "
                                          "never sent blindly)")):  # SENDING still
                    await self._handed.park()
            if not back and (not (self._spend or self._ahead.stale())
                             or time.monotonic() - self._spend_taken < self.flush_seconds):
                continue  # nothing new, or the outcome batches carry it (they flow)
            rows = self._take_spend() + back
            try:
                with anyio.CancelScope(shield=True):  # taken from _spend: must be written
                    await self._ahead.write([], rows)
            except BulkError as exc:  # the store's: said once, kept for the next flush
                note("the ledger's flush", exc, into=self.stats.warnings, once=self._said,
                     consequence="its rows are kept and written with the next one")
                for _day, op_id, tokens, calls in rows:  # back, for the next flush
                    spend = self._spend.setdefault(op_id, [0, 0])
                    spend[0] += tokens
                    spend[1] += calls

    async def _sweep(self) -> None:
        await self._reconcile(await self.store.in_doubt(), earlier=True)
        stalls = 0
        while not self._stopping:
            before = _settled(await self.store.counts())
            answered = sum(map(len, self._answered.values()))
            worked = await self._pass()
            doubtful = await self.store.in_doubt()
            if doubtful and not self._stopping:
                await self._reconcile(doubtful)
            elif not worked:
                await self._ended()
                break
            # A sweep that settles nothing (a kind that keeps answering PENDING, a
            # reconcile that leaves items unresolved) must not spin forever. A sweep
            # whose sends were answered 5xx and found not applied is no stall: those
            # items are sent again within their own bound (``_given_up``: 3 x
            # item_attempts), which ends the run if the server keeps failing them; five
            # such sweeps of the last item left stopped 1 run in ~30 at 50 % 500s.
            resent = sum(map(len, self._answered.values())) > answered
            settled = _settled(await self.store.counts()) != before
            stalls = 0 if settled or resent else stalls + 1
            if stalls >= 5:
                self.request_stop(BulkError(self._stalled()))

    async def _ended(self) -> None:
        """The kind's ``settled(ctx)`` hook, once nothing is pending or in doubt and the
        run is not stopping: its calls are charged as any; a stop or a failed call stops
        the run (the items stay as they ended)."""
        settled = getattr(self.kind, "settled", None)
        if settled is None or self._stopping:
            return
        try:
            # (every row settled: a spent budget skips the checks, as without
            # --wait-for-reset, and is said by the kind: x51r5 F4)
            with self.scheduler.not_waiting_for_reset():
                await settled(self.ctx)
        except Stopped:
            return
        except BulkError as exc:
            self.request_stop(exc)

    async def _reconcile(self, items: Sequence[Item], *, earlier: bool = False) -> None:
        """Decide ``items`` left in doubt (``earlier``: by runs before this one) through the
        kind's ``reconcile`` and record the outcomes, with the writes found applied off the
        figure in doubt (``_landed``)."""
        if not items or self._stopping:
            return
        rounds = 0
        while True:
            try:
                outcomes = await self._kind().reconcile(self.ctx, items)
                break
            except Stopped:
                return
            except BulkError as exc:
                rounds += 1
                if exc.retryable and rounds < self.retry.attempts and not self._stopping:
                    # a page read that failed past its own retries: the whole reconcile
                    # backs off and tries again before it gives up the run
                    self.stats.retries += 1
                    await self.clock.sleep(self.retry.backoff(rounds + 2, self._rng))
                    continue
                # Items stay SENDING: the next run reconciles them again, never re-sends
                # blindly.
                self.request_stop(_unreachable(exc) if exc.retryable else exc)
                return
            except Exception as exc:  # the boundary, as in run()
                self.request_stop(Unexpected(exc))
                return
        by_id = {item.id: item for item in items}
        fixed = []
        for outcome in outcomes:
            item = by_id[outcome.item_id]
            if outcome.state is ItemState.PENDING and (why := self._given_up(item)):
                # Not the row's fault: it stays pending, the job stops checkpointed and a
                # later resume tries again.
                self.request_stop(BulkError(why))
            fixed.append(outcome)
        self.stats.reconciled += len(fixed)
        self.stats.done += sum(1 for o in fixed if o.state is ItemState.DONE)
        self.stats.failed += sum(1 for o in fixed if o.state is ItemState.FAILED)
        mine, before = await self._landed(by_id, fixed, earlier)
        await self._ahead.write(fixed, [], settled=mine, earlier=before)

    async def _landed(self, items: Mapping[int, Item], outcomes: Sequence[Outcome],
                      earlier: bool) -> tuple[dict[str, int], dict[str, int]]:
        """The tokens by operation of the writes ``outcomes`` prove applied (the kind's
        ``landed_calls(item, outcome)``: charged, so no longer in doubt, ``bulk.ledger``):
        (this run's, whose answer was lost; earlier runs', marked by one that holds them)."""
        landed = getattr(self._kind(), "landed_calls", None)
        mine: dict[str, int] = {}
        before: dict[str, int] = {}
        if landed is None:
            return mine, before
        since = await self._ahead.held_since() if earlier else None
        for outcome in outcomes:
            item = items[outcome.item_id]
            # (any outcome: an import row back to pending may have made its person; the
            # kind's hook tells what landed)
            if earlier:
                into = before if earlier_item(item, since) else None
            else:  # a 5xx answer's refund is written already: only a lost answer is open
                into = mine if item.id in self._lost and item.id not in self._answered \
                    else None
            if into is None:
                continue
            for op, n in landed(item, outcome).items():
                into[op] = into.get(op, 0) + n * get_operation(op).token_cost
        return mine, before

    def _stalled(self) -> str:
        """The stop of a run whose last 5 sweeps settled nothing, saying why and what to do:
        what the server answered when its sends were answered 5xx (x18r1 4: not "losing
        answers"); that the answers were lost when they were (x32r1 F3: "no progress in 5
        sweeps; stopping (see pdbulk status)" at 100 % lost answers said neither)."""
        statuses = sorted({s for answered in self._answered.values() for s in answered})
        if not statuses and self._lost:
            return (f"no progress in 5 sweeps: the server's answers to the sends of "
                    f"{len(self._lost):,} item(s) were lost (timeouts or dropped "
                    "connections); those writes are in doubt and are read back before "
                    "anything is sent again, on resume too: resume later (if it stops "
                    "again, check the network or the account's status)")
        if not statuses:
            return ("no progress in 5 sweeps: the items left kept waiting and none could be "
                    "sent or settled; nothing is lost: resume later (pdbulk status shows "
                    "the job)")
        return (f"no progress in 5 sweeps: the server answered "
                f"{', '.join(map(str, statuses))} to the sends and each was found not "
                "applied; the account keeps failing these writes: stopped, resume later")

    def _given_up(self, item: Item) -> str | None:
        """Why in-doubt ``item``, found not applied, is not sent again in this run (None:
        it is). A send answered 5xx and then read as not applied is safe to send again (a
        late landing of it is the kind's to recognise) and is no lost answer (x18r1 4: 30 %
        of merges answered 500 stopped every run after 5-8 merges, "the account keeps
        losing answers"): only lost answers, and 2xx answers whose body could not be read
        (done, for all they say), count toward ``item_attempts``; sends answered 5xx toward
        three times that, said as what they were."""
        answered = self._answered.get(item.id, [])
        lost = item.attempts - len(answered)
        # a 2xx whose body could not be read (``MalformedResponse``): done, for all the
        # answer says, like a lost answer: counted with those (x42r5 F1)
        unread = [s for s in answered if s < 300]
        limit = self.retry.item_attempts
        if lost + len(unread) < limit and item.attempts < 3 * limit:
            return None
        statuses = ", ".join(str(s) for s in sorted(set(answered)))
        if lost >= limit:
            extra = f" ({len(answered)} of them answered {statuses})" if answered else ""
            return (f"row {item.row}: {lost} sends whose answer was lost{extra}, each found "
                    "not applied; the account keeps losing answers: stopped, resume later")
        if lost + len(unread) >= limit:
            codes = ", ".join(str(s) for s in sorted(set(unread)))
            return (f"the account is not answering as Pipedrive's API does: row {item.row}: "
                    f"{len(unread)} of its {item.attempts} sends answered {codes} with a body "
                    "that is not Pipedrive's JSON (a page or an answer cut off: check --url), "
                    "each found not applied; stopped, resume later")
        return (f"row {item.row}: {item.attempts} sends, {len(answered)} answered {statuses} "
                "by the server and each found not applied; the account keeps failing this "
                "write: stopped, resume later")

    async def _pass(self) -> int:
        """One sweep over the pending items; returns how many were handed out."""
        handed = 0
        prepare = getattr(self.kind, "prepare", None)
        recheck = getattr(self.kind, "recheck", None)
        each = recheck is not None and getattr(self.kind, "final_writes", False)
        # the re-check read may be admitted ahead of the last writes of the batch before,
        # those a round trip admits (``Scheduler.acquire``'s ``ahead``): for a kind whose
        # batches' re-checks read nothing the batch before writes (``JobKind``); never for
        # ``final_writes`` (a merge's re-check judges what the batch before merged)
        ahead = recheck is not None and not each and getattr(self.kind, "recheck_ahead", False)
        size = self.batch if recheck is None else recheck_batch(self.max_workers, self._burst)
        if recheck is not None and (sizing := getattr(self.kind, "recheck_size", None)):
            size = await sizing(size, self._burst)  # this pass's own size (an undo's contacts)
        # with a re-check: no buffer, and a worker takes an item only once it may run it
        # (work, below): the next batch is re-checked when this one is all sent or
        # sending, so the read is at most one batch of sends older than the write
        # (without one, the pool's own hand-off: ``bulk.pool.Handoff``, no loop step per item)
        send, receive = anyio.create_memory_object_stream[Item](0)
        handoff: Handoff[Item] | None = Handoff(self.batch) if recheck is None else None
        # Outcomes are checkpointed a batch at a time, or ``flush_seconds`` after the first
        # one of a batch arrived, whichever comes first: one thread hop and one commit for
        # many items (at 150 ms latency they trickle in one by one). A worker puts its
        # outcome in ``buf`` with no await; the one that fills the batch writes it. An
        # outcome not yet written when the process dies leaves its item SENDING:
        # reconciled on resume, never lost and never sent blindly. (A stream to a writer
        # task cost a loop step or two and an Event per outcome, as they trickle: issue 8.)
        # The ledger's refills (a commit every few calls: ``bulk.ledger._Ahead``) carry the
        # outcomes that waited a quarter of ``flush_seconds`` or more (``ridden``): one
        # commit where two were (issue 8: at Growth, a refill every ~5 calls).
        buf: list[Outcome] = []
        due = anyio.Event()  # set by the first outcome of a batch: the timer starts
        first = 0.0  # the clock's now() as the batch's first outcome came

        def taken() -> list[Outcome]:
            nonlocal buf, due
            if not buf:  # (the timer waits for ``due`` to be set by the next one)
                return []
            batch, buf, due = buf, [], anyio.Event()
            return batch

        def ridden() -> list[Outcome]:
            # those that waited a while: at Ultimate's pace a refill every few calls would
            # otherwise split a batch into many small writes
            if buf and self.clock.now() - first >= self.flush_seconds / 4:
                return taken()
            return []

        def written() -> None:
            if (lost := self.store.lost) is not None and not self._stopping:
                # job.sqlite deleted under the run: stop, nothing more handed out (f25a:
                # it ran on, writing to the unlinked file; resume found nothing)
                self.request_stop(lost)
            if self._on_progress:
                self._on_progress(self.stats)

        def back(batch: list[Outcome]) -> None:
            nonlocal first
            buf[:0] = batch
            if len(buf) == len(batch):  # the timer sees to them again
                first = self.clock.now()
                due.set()

        async def flush() -> None:
            batch = taken()
            with anyio.CancelScope(shield=True):  # the timer's cancel must not drop it
                await self._ahead.write(batch, self._take_spend())
            written()

        async def put(outcome: Outcome) -> None:
            nonlocal first
            buf.append(outcome)
            if len(buf) >= self.batch:
                await flush()  # the worker that filled it waits for its write: backpressure
            elif len(buf) == 1:
                first = self.clock.now()
                due.set()

        async def timer() -> None:
            while True:
                started = due
                await started.wait()
                # due ``flush_seconds`` after the batch's first outcome: a refill that
                # took the batch before does not hold the next one up
                await self.clock.sleep(max(0.0, first + self.flush_seconds - self.clock.now()))
                if due is started and buf:  # not written by size or by a refill meanwhile
                    await flush()

        async def produce() -> None:
            try:
                await feed()
            finally:
                if handoff is not None:
                    handoff.close()

        # Workers are started as items come, never more than ``max_workers`` nor than the
        # items the pass handed out: each worker stays until the pass ends, so every item
        # still finds one waiting, and a pass with nothing pending (a run's last sweep)
        # starts none (issue 8: 64 tasks a pass were ~10 ms of CPU, 0.1 ms a request of a
        # Growth run of 80 rows).
        hired = 0

        def hire(upto: int) -> None:
            nonlocal hired
            while hired < min(upto, self.max_workers):
                hired += 1
                crew.start_soon(work)

        async def feed() -> None:
            nonlocal handed
            after = 0
            async with send:
                while not self._stopping:
                    items = await self.store.pending(size, after_id=after)
                    if not items:
                        return
                    after = items[-1].id
                    if prepare is not None:  # before SENDING: if it fails, nothing is in doubt
                        await prepare(items)
                    if recheck is not None:
                        token = AHEAD.set(self._ahead_by()) if ahead else None
                        try:
                            items = await self._rechecked(recheck, items)
                        finally:
                            if token is not None:
                                AHEAD.reset(token)
                        if self._stopping or not items:
                            continue
                    hire(handed + len(items))  # (before the first hand-off: a rendezvous)
                    if each:
                        # each one SENDING as its write leaves (``work``): a kill leaves
                        # in doubt only what was in flight, never the rest of its batch
                        # (x11r1 M1: a resume then claimed merges a later run made)
                        for item in items:
                            if self._stopping:
                                return
                            await _send(send, item)
                            handed += 1
                        continue
                    ids = [i.id for i in items]
                    await self.store.mark_sending(ids, self.clock.wall())
                    self._handed.hold(ids)
                    for n, item in enumerate(items):
                        if self._stopping:
                            # handed out nothing more: back to pending at once
                            back = await self._handed.release(ids[n:])
                            await self.store.record([Outcome(i, ItemState.PENDING)
                                                     for i in back])
                            return
                        if handoff is None:
                            await _send(send, item)
                        elif not handoff.put_nowait(item):
                            await handoff.put(item)
                        handed += 1

        async def work() -> None:
            slots, handed = self._limiter, self._handed
            if handoff is not None:
                while True:
                    try:
                        item = await handoff.take()
                    except anyio.EndOfStream:
                        return
                    await slots.take()
                    try:  # (``_execute_held``, one frame fewer on the hot path)
                        outcome = await self._execute(item, handed.hook(item.id))
                        if not handed.let_go(item.id):
                            outcome = await self._parked(item, outcome)
                    finally:
                        slots.release()
                    if outcome is not None:
                        await put(outcome)
            async with receive.clone() as items:
                while True:
                    await slots.take()  # a slot first, then an item
                    try:
                        try:
                            item = await _receive(items)
                        except anyio.EndOfStream:
                            return
                        if each:
                            if self._stopping:
                                continue  # never marked: still pending, unsent
                            outcome = await self._execute_marked(item)
                        else:
                            outcome = await self._execute_held(item)
                    finally:
                        slots.release()
                    if outcome is not None:
                        await put(outcome)

        async with anyio.create_task_group() as tg:
            tg.start_soon(timer)
            self._ahead.rider = Rider(ridden, back, written)
            try:
                async with receive, anyio.create_task_group() as crew:
                    crew.start_soon(produce)  # (it starts the workers: ``hire``)
            finally:  # the workers' last outcomes, even when one of them failed
                self._ahead.rider = None
                tg.cancel_scope.cancel()
                while buf:  # (a refill's write that failed puts its riders back)
                    await flush()
        if self._on_progress:
            self._on_progress(self.stats)
        return handed

    def _ahead_by(self) -> float:
        """The seconds a re-check read may go ahead of the writes queued before it
        (``Scheduler.acquire``'s ``ahead``): the run's mean round trip so far (the latency's
        EWMA before any answer), at most a quarter window: the read's answer is then back
        about as the last write it overtook goes, on average, and the read is never more
        than that older when its batch's last write goes (x14r1 F2: about one window).
        Issue 8, on virtual time at Growth, 150 ± 50 ms: the EWMA (it swings 0.13-0.17 s)
        left 0.9687 of the allowed rate on a run the mean takes to 0.970."""
        answered = self.stats.answered
        rtt = self.stats.answer_seconds / answered if answered else self._latency
        return min(rtt, self.scheduler.limits.window / 4)

    async def _rechecked(self, recheck: Callable[[CallContext, Sequence[Item]],
                                                 Awaitable[list[Outcome]]],
                         items: list[Item]) -> list[Item]:
        """``items`` less those the kind's ``recheck`` settled (their outcomes recorded
        now, nothing sent). A failure of the re-check's reads stops the run like any
        call's (the batch stays pending: nothing of it is in doubt); returns [] then."""
        try:
            outcomes = await recheck(self.ctx, items)
        except Stopped:
            return []
        except BulkError as exc:
            self.request_stop(exc if exc.terminal or not exc.retryable else _unreachable(exc))
            return []
        except Exception as exc:  # the boundary, as in run()
            self.request_stop(Unexpected(exc))
            return []
        if not outcomes:
            return items
        for outcome in outcomes:
            if outcome.state not in (ItemState.FAILED, ItemState.SKIPPED):
                raise RuntimeError(f"recheck may only fail or skip an item, not {outcome.state}")
        self.stats.failed += sum(1 for o in outcomes if o.state is ItemState.FAILED)
        await self._ahead.write(outcomes, self._take_spend())
        settled = {o.item_id for o in outcomes}
        return [i for i in items if i.id not in settled]

    async def _execute_marked(self, item: Item) -> Outcome | None:
        """``_execute`` for a ``final_writes`` kind: the item is marked SENDING by its first
        write, right before it leaves (``BeforeWrite``), not as the worker takes it — a
        kill while it reads, waits for a lock or for its admission leaves it pending, and
        only what may have been sent is in doubt (x24r3). An item that sent no write and is
        to be pending again records nothing (it never left pending)."""
        store, wall = self.store, self.clock.wall
        before = BeforeWrite(lambda: store.mark_sending([item.id], wall()))
        outcome = await self._execute(item, before)
        if before.marked:
            return outcome
        if outcome is None or outcome.state is ItemState.PENDING:
            if outcome is None:  # nothing of it left: not in doubt (``_execute`` counted it)
                self.stats.in_doubt -= 1
            return None
        if outcome.state is ItemState.DONE:  # pending -> done is no transition of the store
            await before()
        return outcome

    async def _execute_held(self, item: Item) -> Outcome | None:
        """``_execute`` for an item its batch marked SENDING: while the run waits for the
        daily reset it is put back to pending until its write leaves (``bulk.handed``)."""
        outcome = await self._execute(item, self._handed.hook(item.id))
        if self._handed.let_go(item.id):  # not parked (no reset wait): as it is, no await
            return outcome
        return await self._parked(item, outcome)

    async def _parked(self, item: Item, outcome: Outcome | None) -> Outcome | None:
        """The outcome of an item ``_execute_held`` found parked (``bulk.handed``)."""
        if outcome is None:
            self.stats.in_doubt -= 1  # parked: nothing of it left since, not in doubt
        return await self._handed.settle(item.id, outcome)

    async def _execute(self, item: Item, before: Callable[[], Awaitable[None] | None] | None = None,
                       ) -> Outcome | None:
        """One item, every exception turned into its outcome (None: left in doubt).
        ``before``: what each of its writes runs before it leaves (``BEFORE_WRITE``). The
        kind's ``execute`` is awaited here, not through wrappers: each of a call's waits
        resumes every frame of the await chain (issue 8)."""
        if self._stopping:
            return Outcome(item.id, ItemState.PENDING, unsent=True)
        single: anyio.Lock | None = None
        began = self._repeats.refusals  # (a success proves only causes seen before it left)
        if self._repeats.suspects and item.op in self._repeats.suspects:
            # refused again and again for one cause: one at a time until a success or the
            # stop, so the writes in flight when the stop comes are few (``bulk.repeated``)
            single = self._single.setdefault(item.op, anyio.Lock())
            await single.acquire()
            if self._stopping:
                single.release()
                return Outcome(item.id, ItemState.PENDING, unsent=True)
            if item.op not in self._repeats.suspects:  # a success meanwhile: full width
                single.release()
                single = None
        ahead = self._ahead
        marking = BEFORE_WRITE.set(before)
        marks = self._marks
        leaving = LEAVING.set(None if marks is None else functools.partial(marks.mark, item.id))
        held = ahead.hold(item.id)  # (``_Ahead.holding``: its writes' answers kept apart)
        try:
            outcome = await self._kind().execute(self.ctx, item)
        except Stopped:
            return Outcome(item.id, ItemState.PENDING, unsent=True)
        except InDoubt as exc:
            self.stats.in_doubt += 1
            if exc.status is not None:  # answered (5xx), not lost: ``_reconcile`` tells them
                self._answered.setdefault(item.id, []).append(exc.status)
            else:
                self._lost.add(item.id)
            return None  # stays SENDING; reconciled after this pass
        except BulkError as exc:
            if exc.terminal:
                self.request_stop(exc)
                return Outcome(item.id, ItemState.PENDING)
            if exc.retryable:
                # A transient fault outlived the call's retries: the account is not
                # answering. Never a row failure: the row stays pending and the job stops
                # checkpointed (resume it later).
                self.request_stop(_unreachable(exc))
                return Outcome(item.id, ItemState.PENDING)
            self.stats.failed += 1
            status = getattr(exc, "status", None)
            self._refused(item, status, str(exc))
            return Outcome(item.id, ItemState.FAILED, error=str(exc), status=status)
        except Exception as exc:  # the boundary: the item may have been sent
            self.request_stop(Unexpected(exc))
            self.stats.in_doubt += 1
            return None  # stays SENDING: in doubt, reconciled on resume
        finally:
            ahead.unhold(item.id, held)
            BEFORE_WRITE.reset(marking)
            LEAVING.reset(leaving)
            left = None if marks is None else marks.left.pop(item.id, None)
            if single is not None:  # (the next waiter runs after this returns: no await)
                single.release()
        if outcome.state is ItemState.DONE:
            self.stats.done += 1
            self._repeats.succeeded(item.op, began)
            if (lead := lead_bound(outcome.result, left)) is not None:
                known = self.stats.server_lead
                self.stats.server_lead = lead if known is None else min(known, lead)
        elif outcome.state is ItemState.FAILED:
            self.stats.failed += 1
            self._refused(item, outcome.status, outcome.error or "")
        return outcome

    def _refused(self, item: Item, status: int | None, text: str) -> None:
        """A row refused by the server: the run stops once ``Repeats`` says one cause no row's
        data explains counted too often among the last refusals (``bulk.repeated``)."""
        stop = self._repeats.refused(item.op, status, text, item.payload)
        if stop is not None and not self._stopping:
            self.request_stop(stop)


# The hand-overs of a re-checked pass (producer -> workers, a rendezvous) take the ready
# item or room without a trip through the event loop: anyio's ``send`` and ``receive``
# each yield to the loop first (a checkpoint) even when they need not wait (issue 8). They
# wait, and so yield, only when they must; each item's call still awaits its admission and
# its answer, where a stop or a cancel lands. (A pass without a re-check, and the slots of
# both, use ``bulk.pool``: no loop step either, and no wake-up per item.)
async def _receive(stream: MemoryObjectReceiveStream[T]) -> T:
    """``stream.receive()``, without a loop step when an item is ready."""
    try:
        return stream.receive_nowait()
    except anyio.WouldBlock:
        return await stream.receive()


async def _send(stream: MemoryObjectSendStream[T], item: T) -> None:
    """``stream.send(item)``, without a loop step when the buffer (or a receiver) has room."""
    try:
        stream.send_nowait(item)
    except anyio.WouldBlock:
        await stream.send(item)


def _open(counts: Mapping[ItemState, int]) -> int:
    """Items not settled yet: pending or in doubt."""
    return counts.get(ItemState.PENDING, 0) + counts.get(ItemState.SENDING, 0)


def _needed(needs: str | None) -> int:
    """The tokens ``BudgetExhausted.needs`` names (``updateDeal needs 5`` → 5), else 0."""
    found = re.search(r"needs (\d+)", needs or "")
    return int(found.group(1)) if found else 0


def _boundary_error(exc: Exception) -> BulkError:
    """The error a run stops with: the first BulkError inside (an ExceptionGroup of
    the worker task group), else ``Unexpected``."""
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            if isinstance(inner, Exception):
                return _boundary_error(inner)
    if isinstance(exc, BulkError):
        return exc
    return Unexpected(exc)


def _settled(counts: Mapping[ItemState, int]) -> int:
    return sum(counts.get(s, 0) for s in (ItemState.DONE, ItemState.FAILED, ItemState.SKIPPED))


__all__ = ["BATCH", "CallContext", "InDoubt", "JobKind", "RetryPolicy", "RunResult", "RunStats",
           "Runner", "Stopped", "recheck_batch"]
