"""One call through the engine: admitted, retried where safe, accounted.

``CallContext`` is the one door from a job kind to the API (``ctx.call``,
``ctx.paginate``, ``ctx.pages``, ``ctx.wait``); ``CallPath`` is what stands behind it,
the part of ``bulk.runner.Runner`` that makes one call (a mixin: ``Runner.__init__``
sets the state it declares).

Retry policy, by the phase a failure's class names (``bulk.errors``; the counts and
the backoff: ``bulk.retry.RetryPolicy``): ``RequestNotSent`` (it never left) is retried
for every call and never charged; ``AnswerLost`` (it may have arrived) is retried for
reads only: a write whose answer is lost is ``InDoubt`` at once, and its kind's
``reconcile`` reads the record before anything is sent again (a PATCH sent again
blindly seconds later wrote over a colleague's edit made in between: x17r2 1). A 5xx
answer from the origin (500, 503) is retried for idempotent calls (a PATCH, a DELETE)
and in doubt for any other write; a gateway's 502 / 504 to a write is in doubt (the
origin may have done it). A 2xx whose body cannot be read (``MalformedResponse``: cut
off, not JSON) was done: to a write, of any method, it is in doubt; to a read, retried
(x42r5 F1: a PATCH so answered was sent again as idempotent). When the retries run out
the last error stands (the job stops checkpointed, the row stays pending). Backoff is
capped exponential with jitter (``RetryPolicy.backoff``). A 429 is never a row failure:
the scheduler pauses everyone. A call's charge is written to the ledger before it leaves
(``bulk.ledger._Ahead``); the refund of a 429 / 5xx / ``RequestNotSent`` is counted for
the runner's next flush.

Why ~530 lines: every way one call can end (answered, 429, 5xx, refused token, never
sent, answer lost, cancelled in flight) is charged or refunded in one method, so the
ledger's rules read in one place; splitting the branches apart would scatter them.
"""

from __future__ import annotations

import contextvars
import math
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

from .client import ApiResult, PipedriveClient, paginate
from .clock import Clock
from .errors import (
    ApiError,
    BudgetExhausted,
    BulkError,
    InDoubt,
    MalformedResponse,
    NotSent,
    RateLimited,
    RequestNotSent,
    ServerError,
    Stopped,
    StoreError,
    TransportError,
    uncharged,
)
from .ledger import _Ahead
from .limited import note as limited_note
from .operations import Operation, get_operation
from .plans import in_flight_target
from .pool import Slots
from .retry import RetryPolicy
from .scheduler import Cancellable, Scheduler
from .transport import DEPARTURE, Departure

T = TypeVar("T")
# 5xx statuses a gateway answers for an origin that may have done the work (502: its
# answer was lost on the way; 504: it did not answer in time), unlike an origin's 500 / 503
_MAY_HAVE_APPLIED = frozenset({502, 504})

if TYPE_CHECKING:
    from .leaving import Marks
    from .runner import Runner, RunStats


def check_stop_args(error: object, reason: object) -> None:
    """TypeError for arguments of a ``request_stop`` that are not what it takes: an
    ``error`` that is no ``BulkError`` (e.g. ``request_stop("shutting down")``, whose text
    would have been taken for the error the job stopped on) or a ``reason`` that is no
    ``str``."""
    if error is not None and not isinstance(error, BulkError):
        hint = " (a reason is text: request_stop(reason=...))" if isinstance(error, str) else ""
        raise TypeError(f"request_stop: error must be a BulkError or None, not "
                        f"{type(error).__name__}{hint}")
    if reason is not None and not isinstance(reason, str):
        raise TypeError(f"request_stop: reason must be a str or None, not "
                        f"{type(reason).__name__}")


class BeforeWrite:
    """What a worker of a ``final_writes`` kind runs before its item's first write leaves
    (``bulk.runner``): the item marked SENDING, once, durable before the send. Until then
    the item is pending: a kill while it waited for its reads, its survivor's lock or its
    admission leaves it unsent, not in doubt (x24r3: a killed dedupe run showed 60 merges
    in doubt, 27 of them sent)."""

    __slots__ = ("_lock", "_mark", "marked")

    def __init__(self, mark: Callable[[], Awaitable[None]]) -> None:
        self._mark = mark
        self._lock = anyio.Lock()
        self.marked = False

    def __repr__(self) -> str:
        return f"BeforeWrite(marked={self.marked})"

    async def __call__(self) -> None:
        async with self._lock:
            if not self.marked:
                await self._mark()
                self.marked = True


# a ``BeforeWrite``, or ``bulk.handed.Handed.hook``'s for an item its batch marked SENDING:
# called before each write of the item leaves; what it returns, unless None, is awaited first
BEFORE_WRITE: contextvars.ContextVar[Callable[[], Awaitable[None] | None] | None] = (
    contextvars.ContextVar("pdbulk_before_write", default=None))

# the item's leaving mark (``bulk.leaving.Marks.mark`` for the item the runner works):
# called as each write of it is handed to the transport, after its charge; raises OSError
LEAVING: contextvars.ContextVar[Callable[[], None] | None] = (
    contextvars.ContextVar("pdbulk_leaving", default=None))

# set by the runner around a re-check that may go ahead of the writes queued before it
# (``bulk.runner``, a kind's ``recheck_ahead``): the seconds of a round trip it may be
# admitted ahead of them by (``Scheduler.acquire``'s ``ahead``); None: in order
AHEAD: contextvars.ContextVar[float | None] = contextvars.ContextVar("pdbulk_ahead",
                                                                     default=None)


class CallContext:
    """The one door from a job kind to the API: scheduled, retried, accounted."""

    def __init__(self, runner: Runner) -> None:
        self._r = runner

    @property
    def clock(self) -> Clock:
        return self._r.clock

    @property
    def stats(self) -> RunStats:
        """The calls made through this context so far (``RunStats``: per operation)."""
        return self._r.stats

    @property
    def stopping(self) -> bool:
        """True once a stop was asked (``Engine.request_stop``): work that makes no call (a
        load's pass over the rows) checks it between chunks, and ends with ``Stopped``. A
        plain read of a flag: safe from a worker thread."""
        return self._r.stopping

    def call(self, operation_id: str, *, path: Mapping[str, object] | None = None,
             params: Mapping[str, object] | None = None, json: Any = None,
             guard: Callable[[], Awaitable[bool]] | None = None,
             ) -> Coroutine[Any, Any, ApiResult]:
        """One call, scheduled (admission against the limits), retried where safe: await
        it (``await ctx.call(...)``). ``guard``: awaited after admission, right before
        every send (retries too); False → NotSent, nothing sent or charged (a claim lost
        while the call waited its turn). Raises KeyError for an unknown ``operation_id``
        (as it is called), what the call raises (``bulk.errors``) as it is awaited.

        A plain function that returns the call path's coroutine, not a coroutine of its
        own: each of a call's waits (its admission, its answer) resumes every frame of the
        await chain, and this one cost ~4 Python calls a request (issue 8)."""
        return self._r.call(get_operation(operation_id), path=path, params=params,
                            json=json, guard=guard)

    def paginate(self, operation_id: str, *, params: Mapping[str, object] | None = None,
                 limit: int = 500) -> AsyncIterator[ApiResult]:
        """Every page of a list, each page scheduled like any call (``bulk.client.paginate``:
        v2 cursor / v1 start; stop iterating to stop paying)."""
        return paginate(self.call, operation_id, params=params, limit=limit)

    async def pages(self, operation_id: str, *, params: Mapping[str, object] | None = None,
                    limit: int = 500) -> list[ApiResult]:
        """Every page of a list, read to the end (``paginate``)."""
        return [page async for page in self.paginate(operation_id, params=params, limit=limit)]

    async def wait(self, event: anyio.Event) -> None:
        """Wait until ``event`` is set: how an item waits for another item's outcome (a
        dependency). A stop of the run ends every such wait: raises ``Stopped`` (the item
        goes back to pending, its attempt given back) if the run is stopping, or starts
        to, before ``event`` is set. The event's owner must set it on every end of what it
        stands for (done, failed, in doubt, stopped), or the wait lasts until the stop."""
        await self._r.wait(event)

    async def until_stopped(self, awaitable: Awaitable[T]) -> T:
        """``awaitable``'s result; a stop of the run cancels it and raises ``Stopped``
        (how a row waits, bounded, for another run: a claim held elsewhere). Before, a
        stop waited the whole bound out: SIGTERM took ~100 s to act behind a frozen run's
        claims (fresh tester v12r5)."""
        return await self._r.until_stopped(awaitable)


class CallPath:
    """One call of a ``Runner``: admission (``Scheduler.acquire``), the ledger charge,
    the send, and the retries of ``RetryPolicy``; and the run's stop, which ends every
    wait for admission. A mixin of ``bulk.runner.Runner``, whose ``__init__`` sets the
    state declared here."""

    scheduler: Scheduler
    client: PipedriveClient
    clock: Clock
    retry: RetryPolicy
    max_workers: int
    stats: RunStats
    _rng: random.Random
    _stopping: bool
    _draining: bool
    _error: BulkError | None
    # send time of the first call answered uncharged (``bulk.errors.uncharged``); a 4xx /
    # 429 / 5xx past the token check came (a 2xx: ``stats.answered``): ``call``'s last branch
    _token_refused: float | None
    _token_passed: bool
    _stop_reason: str | None  # why a stop without an error was asked ("SIGTERM")
    _waiting: set[Cancellable]  # the waits a stop ends (scopes, admissions)
    _latency: float
    _limiter: Slots
    _spend: dict[str, list[int]]
    _ahead: _Ahead
    _marks: Marks | None  # the run's leaving marks (``bulk.leaving``), its writes' answer times

    # -- stopping -------------------------------------------------------------------------
    def request_stop(self, error: BulkError | None = None, *,
                     reason: str | None = None) -> None:
        """Stop admitting new calls; in-flight calls finish; the rest stays pending. Ends
        every wait for admission and for another item (``CallContext.wait``). ``reason``:
        why, for a stop that is no error (a signal's name): the job's status message.

        A spent budget (``BudgetExhausted``: the job's cap or the day's) drains instead:
        no new item starts, but calls the scheduler already admitted within the budget
        still go out (they were charged for it; the scheduler refuses every later one).
        Dropping them left a run capped at 50 tokens with 5 spent whenever the refusal of
        the 11th call overtook the 10 admitted ones (a loaded machine).

        Raises TypeError for an ``error`` that is not a BulkError (a reason is text:
        ``reason=``)."""
        check_stop_args(error, reason)
        if error is not None and self._error is None:
            self._error = error
        if reason is not None and getattr(self, "_stop_reason", None) is None:
            self._stop_reason = reason
        drain = isinstance(error, BudgetExhausted) and (self._draining or not self._stopping)
        self._stopping, self._draining = True, drain
        if drain:
            return
        for scope in list(self._waiting):
            scope.cancel()

    @property
    def stopping(self) -> bool:
        return self._stopping

    async def wait(self, event: anyio.Event) -> None:
        """``CallContext.wait``: ``event``, or ``Stopped`` once the run stops."""
        if event.is_set():
            return
        if self._stopping:
            raise Stopped("stopping")
        with anyio.CancelScope() as scope:
            self._waiting.add(scope)
            try:
                await event.wait()
            finally:
                self._waiting.discard(scope)
        if scope.cancelled_caught and not event.is_set():
            raise Stopped("stopping")

    async def until_stopped(self, awaitable: Awaitable[T]) -> T:
        """``CallContext.until_stopped``."""
        if self._stopping and not self._draining:
            if hasattr(awaitable, "close"):
                awaitable.close()  # a coroutine never awaited: no warning
            raise Stopped("stopping")
        with anyio.CancelScope() as scope:
            self._waiting.add(scope)
            try:
                return await awaitable
            finally:
                self._waiting.discard(scope)
        raise Stopped("stopping")  # reached only when the stop cancelled it

    # -- one call -------------------------------------------------------------------------
    def _target_workers(self) -> int:
        limits = self.scheduler.limits
        return in_flight_target(limits, self._latency, self.max_workers,
                                warm=self.stats.answered >= limits.usable_burst
                                and self.scheduler.alone())

    async def _acquire(self, op: Operation) -> float:
        """The call's admission time (``Scheduler.acquire``); raises Stopped. The stop ends
        the wait through ``_waiting`` (the scheduler's waiter: no cancel scope per call)."""
        if self._stopping:
            raise Stopped("stopping")
        # held from its admission until its answer: a starved loop may keep it longer than
        # a window before it leaves or is answered (f23d)
        if (ahead := AHEAD.get()) is None:
            admitted = await self.scheduler.acquire(op, hold=True, waiting=self._waiting)
        else:  # (a re-check read: ``AHEAD``)
            admitted = await self.scheduler.acquire(op, hold=True, waiting=self._waiting,
                                                    ahead=ahead)
        if self._stopping and not self._draining:  # admitted as the stop came
            self.scheduler.dropped(op, admitted)
            self.scheduler.refund(op)
            raise Stopped("stopping")
        return admitted

    async def call(self, op: Operation, *, path: Mapping[str, object] | None = None,
                   params: Mapping[str, object] | None = None, json: Any = None,
                   guard: Callable[[], Awaitable[bool]] | None = None) -> ApiResult:
        transient = 0
        limited = 0
        write = op.is_write  # (a property: read once a call, not at every use)
        while True:
            admitted = await self._acquire(op)
            try:
                unguarded = guard is not None and not await guard()
            except BaseException:
                self.scheduler.dropped(op, admitted)
                raise
            if not unguarded and write and (before := BEFORE_WRITE.get()) is not None:
                try:
                    # its item SENDING before the write may leave; None: nothing to wait for
                    if (marking := before()) is not None:
                        await marking
                except BaseException:
                    self.scheduler.dropped(op, admitted)
                    self.scheduler.refund(op)
                    raise
            if unguarded:
                self.scheduler.dropped(op, admitted)
                self.scheduler.refund(op)
                raise NotSent(f"{op.id}: not sent: its guard (the claim on the create) was "
                              "lost while it waited its turn")
            self.stats.calls += 1
            self.stats.calls_by_operation[op.id] = self.stats.calls_by_operation.get(op.id, 0) + 1
            self.stats.tokens_by_operation[op.id] = (
                self.stats.tokens_by_operation.get(op.id, 0) + op.token_cost)
            try:
                await self._ahead.charge(op.id, op.token_cost)
            except BaseException:
                self.scheduler.dropped(op, admitted)
                self.scheduler.refund(op)
                self._undo_stats(op)
                raise
            if self.scheduler.lapsed(op, admitted):
                # its held slot lapsed while it waited to leave (the guard, the ledger, a
                # blocked event loop; on Redis a window and an eighth with no renewal):
                # another call may have it, so this one is admitted again, not sent (f48d)
                self.scheduler.refund(op)
                self._uncharge(op)
                self.stats.calls -= 1
                continue
            if write and (mark := LEAVING.get()) is not None:
                try:  # the mark a resume reads: this write may arrive (x51r13 F1)
                    mark()
                except OSError as exc:
                    self.scheduler.dropped(op, admitted)
                    self.scheduler.refund(op)
                    self._uncharge(op)
                    self.stats.calls -= 1
                    raise StoreError(f"{op.id}: not sent: the job folder's leaving marks "
                                     f"cannot be written ({exc})") from None
            self.scheduler.leaving(op, admitted)  # its window slot counts from the send
            started = self.clock.now()
            departure = Departure()  # the transport says whether the request left
            leaving = DEPARTURE.set(departure)
            try:
                result = await self.client.call(op.id, path=path, params=params, json=json)
            except RateLimited as exc:
                self._token_passed = True  # (the limiter answers after the token check)
                self._uncharge(op)
                self.scheduler.rate_limited(op, exc.rate, exc.reset_after, sent_at=started)
                self.scheduler.refund(op)
                self.stats.rate_limited += 1
                self._note_limited()  # kept as it comes: a kill -9 loses none (w57r1 F3)
                limited += 1
                if limited >= self.retry.rate_limited_attempts:
                    raise
                continue
            except MalformedResponse as exc:  # a 2xx whose body cannot be read: it was done
                self.scheduler.observe(op, exc.rate, sent_at=started)
                self._token_passed = True
                # and charged, as any answered call (FACTS.md: x-token-cost): the ledger and
                # the budget keep it, not in doubt (x42r5 F2: an import's 200-unreadable
                # POSTs counted 110 tokens where the server charged 1,110, and a
                # --max-tokens 400 run spent 1,130 on the server)
                self._ahead.answered(op.id, op.token_cost, write)
                if write:
                    # applied, for all its 2xx says: read back, never sent again unread
                    # (x42r5 F1: a PATCH answered 200 '{"success": tr' was sent again as
                    # idempotent, 27 times for 8 deals, then read as already so)
                    raise InDoubt(f"{op.id}: {exc.status} answered with a body that cannot "
                                  "be read; may have been applied", operation=op.id,
                                  status=exc.status) from exc
                transient += 1
                if transient >= self.retry.attempts:
                    raise
            except ServerError as exc:  # answered: the status class
                self.scheduler.observe(op, exc.rate, sent_at=started)
                self._token_passed = True  # (past the token check: the sandbox's order)
                # a 5xx answer is not charged (the sandbox answers it before its limiter,
                # as the issue reports of Pipedrive): neither the ledger nor the budget
                # counts it. A call with no answer at all (AnswerLost) stays counted:
                # it may have been applied, so it may have been charged.
                self.scheduler.refund(op)
                doubt = not op.idempotent or (write and exc.status in _MAY_HAVE_APPLIED)
                # a write that may have applied stays among the calls (what a load cut
                # short says it sent: ``jobs.prepared.sent_while_loading``), its tokens not
                self._uncharge(op, call=not doubt)
                if doubt:
                    # a write that may have applied: never sent again unread
                    # a gateway's 502 / 504: the origin may still be at work, an answer
                    # lost on the way (status None); an origin's 500 / 503 is its answer
                    raise InDoubt(f"{op.id}: {exc.status} from server; may have been applied",
                                  operation=op.id,
                                  status=None if exc.status in _MAY_HAVE_APPLIED
                                  else exc.status) from exc
                transient += 1
                if transient >= self.retry.attempts:
                    raise
            except ApiError as exc:
                self.scheduler.observe(op, exc.rate, sent_at=started)
                self._ahead.answered(op.id, op.token_cost, write)  # a 4xx is charged
                if uncharged(exc):
                    # but a refused token's 401 and the edge's 403 page are answered before
                    # any charge (the sandbox's order: auth, block, then the limiter):
                    # the ledger keeps a read's call, at 0 tokens, as the server counted it
                    # (x49r9 F2: "getPipelines 1 (5 tokens)" said, 0 charged); a write
                    # refused so was not applied: not among the calls sent
                    if self._token_refused is None:
                        self._token_refused = started
                    self.scheduler.refund(op)
                    self._uncharge(op, call=write)
                else:
                    self._token_passed = True
                raise
            except RequestNotSent:  # never left: always safe to retry, not charged
                self.scheduler.not_sent(op, started)
                self.scheduler.refund(op)
                self._uncharge(op)
                transient += 1
                if transient >= self.retry.attempts:
                    raise
            except TransportError as exc:  # AnswerLost (or a bare one): it may have arrived
                self.scheduler.unanswered(op, started)
                self._in_doubt(op)
                self._ahead.unanswered(op.id, op.token_cost, write)
                if write or not op.idempotent:
                    # sent again unread, a PATCH would overwrite what someone wrote in the
                    # seconds since it landed (x17r2 1): the kind's reconcile reads it first
                    raise InDoubt(f"{op.id}: {exc}", operation=op.id) from exc
                transient += 1
                if transient >= self.retry.attempts:
                    raise
            except BaseException:  # cancelled in flight (a stop), or a bug: no answer came
                if departure.tracked and not departure.left:
                    # cancelled before it left (waiting for a connection): the server never
                    # had it, so neither the ledger nor the budget counts it (f32d 3: a
                    # cancelled run's addDeal counted, never charged, 540 vs 535)
                    self.scheduler.not_sent(op, started)
                    self.scheduler.refund(op)
                    self._uncharge(op)
                elif (self._token_refused is not None and not write
                      and (not (self._token_passed or self.stats.answered)
                           or started >= self._token_refused)):
                    # a read in flight when another call of the token was refused (401),
                    # cancelled by that error: the server refused it too, before any charge
                    # (x49r9 F2) — if it left after that call or the token never passed;
                    # else it may have been charged before a revocation: counted, as below
                    self.scheduler.unanswered(op, started)
                    self.scheduler.refund(op)
                    self._ahead.answered(op.id, op.token_cost, write)
                    self._uncharge(op, call=False)
                else:  # it may have reached the server: counted, its write in doubt
                    self.scheduler.unanswered(op, started)
                    self._in_doubt(op)
                    self._ahead.unanswered(op.id, op.token_cost, write)
                raise
            else:
                self.scheduler.observe(op, result.rate, sent_at=started)
                self._ahead.answered(op.id, op.token_cost, write)  # charged: not in doubt
                elapsed = self.clock.now() - started
                if write and (marks := self._marks) is not None and elapsed > marks.longest:
                    marks.answered(elapsed)  # when a write cut off could land (x52r3 F1)
                self.stats.answered += 1
                self.stats.answer_seconds += elapsed
                self._observe_latency(elapsed)
                return result
            finally:
                DEPARTURE.reset(leaving)
            self.stats.retries += 1
            await self.clock.sleep(self.retry.backoff(transient, self._rng))

    def _note_limited(self) -> None:
        """A 429 this path's call got, in the job folder's journal (``bulk.limited``)."""
        store = getattr(self, "store", None)
        directory = None if store is None else getattr(store.sync, "directory", None)
        if directory is not None:
            limited_note(directory, self.clock.wall())

    def _in_doubt(self, op: Operation) -> None:
        """A call that left and got no answer: charged or not, nobody knows. It stays
        counted (the ledger, the budget: the safe side) and is reported apart as in doubt
        (``RunStats.tokens_in_doubt_by_operation``; in the job's figure, ``bulk.ledger``,
        since its charge: never answered): x32r1 F4, 1,155 counted vs 1,070 charged."""
        doubt = self.stats.tokens_in_doubt_by_operation
        doubt[op.id] = doubt.get(op.id, 0) + op.token_cost

    def _undo_stats(self, op: Operation) -> None:
        """A call counted but never sent (its ledger write failed): out of the stats."""
        self.stats.calls -= 1
        self.stats.calls_by_operation[op.id] -= 1
        self.stats.tokens_by_operation[op.id] -= op.token_cost

    def _uncharge(self, op: Operation, *, call: bool = True) -> None:
        """A call the account did not charge (a 429, a 5xx, a ``RequestNotSent``): its
        tokens and (``call``) its call out of ``calls_by_operation`` and the ledger, so
        both count what the server charged (a 429 kept there read +10 in a plan priced
        from them: f31c). ``RunStats.calls`` and ``rate_limited`` still count it."""
        self.stats.tokens_by_operation[op.id] -= op.token_cost
        # The charge went to the ledger before the send (_ahead):
        # the refund then goes into the next flush as a negative amount.
        spend = self._spend.setdefault(op.id, [0, 0])
        spend[0] -= op.token_cost
        if call:
            self.stats.calls_by_operation[op.id] -= 1
            spend[1] -= 1

    def _observe_latency(self, seconds: float) -> None:
        self._latency = latency = 0.8 * self._latency + 0.2 * max(0.0, seconds)
        # ``bulk.plans.in_flight_target``, inline (every answer: issue 8); ``burst`` is
        # ``Limits.usable_burst`` less its floor of 1 (the 2 covers it)
        limits = self.scheduler.limits
        target = math.ceil(limits.burst / limits.window * latency * 1.5) + 2
        burst = int(limits.burst * limits.window_share + 1e-9)
        if self.stats.answered >= burst > target and self.scheduler.alone():
            target = burst
        target = max(2, min(self.max_workers, target))
        if target != self._limiter.total:
            self._limiter.total = target


__all__ = ["CallContext", "CallPath"]
