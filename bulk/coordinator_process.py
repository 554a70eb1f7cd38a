"""One account's limits shared by the engines of one process (the local coordinator's part).

Each ``bulk.engine.Engine`` has its own :class:`~bulk.scheduler.Scheduler`; a service that
runs several jobs at once on one account (several ``run_job`` / ``import_job`` in one event
loop) would let each of them spend the whole burst window (x20r3 F3: 3 concurrent imports,
61 429s). Without a shared coordinator (Redis) the engines of one process on one account
therefore share an :class:`AccountState` — the burst and search windows, the 429 pause,
the day's spend and what the server's headers said — through a
:class:`ProcessCoordinator` each, exactly as processes share them through Redis
(``bulk.coordinator_redis``): every call admitted by an engine's scheduler is admitted
again here, FIFO across the jobs (the fairness processes get from the Lua script's queue),
its entry dated ``admitted + ahead`` until it leaves (an engine's call: held from its
admission, ``hold``), then held in the window (not dated) until its answer dates it: the
server counts it somewhere between its send and its answer, which a starved event loop or
server may put more than a window apart (f23d: dated ``sent + ahead``, a call still out
past that and a window freed its slot for another engine's call: one more on the server).

An account is its base URL and a digest of its token (:func:`bulk.coordinator.fingerprint`,
never the token); its day's spend is its company's once the company is known (``bind``:
the daily budget is the company's, shared by every user's token, FACTS.md "Rate limits"),
so two tokens of one company in one process count one day (f39j 3: each took the whole
``--budget-share``). The registry holds the states weakly: the last engine closing (or
dropped) frees its account's state, and nothing here refers to an engine. An engine alone on
its account admits without waiting here (its scheduler is exact); the state still records
its calls, so a second engine opened mid-run sees them.

It must never: hold a token or an engine; make engines on different accounts wait for
each other; read a clock but the admitting engine's.

Why ~620 lines: admission (the FIFO queue, the day's spend and its reset probe) and the
answers' dating, the headers' window and the evidence of another client all read and write
one account's entries; each engine's door to them holds its own unanswered calls. The
Redis coordinator splits the same way: its scripts apart, the state in one module.
"""

from __future__ import annotations

import asyncio
import math
import weakref
from collections import deque

from .clock import Clock
from .coordinator import HOLD_AT_MOST, Limit, SharedStats, fingerprint
from .errors import BudgetExhausted
from .operations import Operation
from .wording import counted

_EPS = 1e-6
_PRUNE_FLOOR = 256  # window entries kept before an engine alone prunes them
_ASK_EVERY = 60.0  # seconds: a wait on the spent day looks again (a reset probe's answer)
# a window full of calls out without an answer frees no slot by time: a queued call looks
# again after this share of the window (the answer that frees one does not wake it)
_HELD_LOOK = 1 / 32


class _Entry:
    """A call in the shared window: when the server counts it (wall seconds; inf: held,
    no answer yet), since when it is held (its admission, then its send), and whether it
    is another client's (``other``: the server's headers counted it, nobody here)."""

    __slots__ = ("admitted", "ahead", "at", "other", "search", "sent", "since")

    def __init__(self, at: float, search: bool, ahead: float = 0.0,
                 since: float = -math.inf, other: bool = False) -> None:
        self.at, self.search, self.ahead, self.since = at, search, ahead, since
        self.admitted = since  # when a job here admitted it (``since`` moves to its send)
        self.other = other
        self.sent: float | None = None  # when it left (``leaving``); None: not yet

    def settle_late(self, now: float) -> bool:
        """A held entry no answer settled in ``HOLD_AT_MOST`` (a path that forgot to say) is
        dated at its send (or admission) plus ``ahead``, as before it was held; whether it
        is held still."""
        if self.at == math.inf and self.since + HOLD_AT_MOST <= now:
            self.at = (self.since if self.sent is None else self.sent) + self.ahead
        return self.at == math.inf


class _DaySpent(Exception):
    """A queued call's turn, refused: the day is spent and it does not wait for the reset."""


class _CompanyDay:
    """One company's day as this process's engines on it count it, every token of it: the
    tokens its jobs admitted (less refunds) and the company's spend the headers said, by
    day index (the accounts' ``spent`` / ``observed`` once bound: ``ProcessCoordinator.bind``)."""

    __slots__ = ("__weakref__", "observed", "spent")

    def __init__(self) -> None:
        self.spent: dict[int, int] = {}
        self.observed: dict[int, int] = {}


_COMPANIES: weakref.WeakValueDictionary[tuple[str, str, int], _CompanyDay] = \
    weakref.WeakValueDictionary()


class AccountState:
    """The shared picture of one account in this process (held by its coordinators only)."""

    __slots__ = ("__weakref__", "asked", "born", "company", "company_until", "entries",
                 "fastest", "impatient", "last_take", "members", "next_prune", "observed", "others_at",
                 "pause", "queue", "spent", "width")

    def __init__(self, born: float = -math.inf) -> None:
        # wall time the state began: the server's window may hold calls of before (another
        # process's, a run before), which no answer read by a window after is evidence of
        self.born = born
        # wall time until which the server's window may hold the calls of an engine gone
        # (closed while others stayed): the shared state, not the one left's scheduler,
        # tells another client's calls from them until then (``window_seen``)
        self.company_until = -math.inf
        self.entries: list[_Entry] = []  # burst window entries (searches flagged)
        # the fastest round trip any engine here trusted (seconds; ``fastest_seen``): the
        # entries are dated with it, whichever engine answered (f40d 2)
        self.fastest = math.inf
        self.pause = -math.inf  # wall time a 429 pause ends
        self.spent: dict[int, int] = {}  # day -> tokens the jobs admitted (less refunds)
        self.observed: dict[int, int] = {}  # day -> the company's spend the headers said
        # the company's day these two are (``ProcessCoordinator.bind``; held here: it lives
        # while any account of the company does); None: the token's own, company not known
        self.company: _CompanyDay | None = None
        self.queue: deque[asyncio.Future[None]] = deque()  # FIFO turns of waiting calls
        # the turns of calls that do not wait for the reset (no --wait-for-reset)
        self.impatient: set[asyncio.Future[None]] = set()
        # engines open on the account here: a count, read on every call (a WeakSet's len
        # was 4 Python calls a request: issue 8); each engine's ``_leave`` (its aclose, or
        # its finalizer when dropped unclosed) takes itself off
        self.members = 0
        self.width = 0.0
        self.next_prune = _PRUNE_FLOOR  # entries before ``take`` prunes (amortised O(1))
        # wall time the last reset probe went (``ProcessCoordinator._may_ask``), -inf: none
        self.asked = -math.inf
        self.last_take = -math.inf  # wall time the last call but a probe was admitted
        # wall time an answer's headers last counted calls beyond every job's here that the
        # server's window could hold (another client on the token: ``window_seen``)
        self.others_at = -math.inf

    def today(self, day: int) -> int:
        return max(self.spent.get(day, 0), self.observed.get(day, 0))

    def prune(self, now: float, width: float) -> None:
        """Drop the entries out of the window for good: those dated two windows ago. The
        window is the last one (``room``); the one before is kept for the answers whose
        headers the server counted while those calls were still in its window
        (``window_seen``'s ``span``: as the Redis coordinator keeps its entries)."""
        self.entries = [e for e in self.entries
                        if e.settle_late(now) or e.at > now - 2 * width]

    def room(self, op: Operation, limit: Limit, now: float) -> tuple[float, str]:
        """Seconds until ``op`` fits (0: now) and why it waits ('' / pause / budget / ...)."""
        self.prune(now, limit.width)
        if self.pause > now:
            return self.pause - now, "pause"
        if self.spent_for(op, limit):
            return max(0.001, limit.day_ends - now), "budget"
        for search in (False, True):
            if search and not op.search:
                break
            times = sorted(e.at for e in self.entries
                           if (e.search or not search) and e.at > now - limit.width)
            cap = limit.search if search else limit.burst
            if len(times) >= cap:
                free = times[len(times) - cap] + limit.width
                if free == math.inf:  # held by calls out: an answer frees it, not time
                    free = now + limit.width * _HELD_LOOK
                return max(0.0005, free - now), "search" if search else "burst"
        return 0.0, ""

    def take(self, op: Operation, limit: Limit, now: float) -> _Entry:
        entry = _Entry(now + limit.ahead, op.search, limit.ahead, now)
        self.entries.append(entry)
        day = limit.day  # (``today``, inline: one Python call a request)
        self.spent[day] = max(self.spent.get(day, 0), self.observed.get(day, 0)) + op.token_cost
        self.width = limit.width
        self.last_take = now
        if len(self.entries) >= self.next_prune:  # alone, nothing else prunes: keep it bounded
            self.prune(now, limit.width)
            self.next_prune = max(_PRUNE_FLOOR, 2 * len(self.entries))
        return entry

    def spent_for(self, op: Operation, limit: Limit) -> bool:
        """Whether ``op`` would take today's spend by this process's jobs past ``limit``."""
        return self.today(limit.day) + op.token_cost > limit.day_limit

    def refuse_impatient(self) -> None:
        """The call first in the queue waits for the reset: the queued calls that do not
        wait for it are told the day is spent now (``_DaySpent``), not held to the reset
        behind it (f21c F3: a job without --wait-for-reset waited hours there)."""
        for turn in self.queue:
            if turn in self.impatient and not turn.done():
                turn.set_exception(_DaySpent())

    def next_turn(self) -> None:
        """Wake the call now first in the queue (it checks the room itself)."""
        while self.queue and self.queue[0].done():
            self.queue.popleft()
        if self.queue:
            self.queue[0].set_result(None)


_ACCOUNTS: weakref.WeakValueDictionary[tuple[str, str, int], AccountState] = \
    weakref.WeakValueDictionary()


def account_key(base_url: str, token: str) -> tuple[str, str, int]:
    """What names an account in this process: its base URL and the token's fingerprint —
    and the event loop (the running one, else 0): the queue's futures belong to one loop,
    so engines on loops of other threads do not share (as before this module)."""
    return base_url.rstrip("/"), fingerprint(token), _loop()


def _loop() -> int:
    try:
        return id(asyncio.get_running_loop())
    except RuntimeError:
        return 0


class ProcessCoordinator:
    """One engine's door to its account's :class:`AccountState` (a ``Coordinator``)."""

    __slots__ = ("__weakref__", "_clock", "_fastest", "_leave", "_others_answers", "_own",
                 "_state", "_url")

    def __init__(self, base_url: str, token: str, *, clock: Clock) -> None:
        key = account_key(base_url, token)
        self._url = key[0]
        state = _ACCOUNTS.get(key)
        if state is None:
            state = _ACCOUNTS[key] = AccountState(clock.wall())
        self._state: AccountState | None = state
        self._clock = clock
        self._own: deque[tuple[float, _Entry]] = deque()  # (admitted at, entry), unanswered
        self._others_answers = 0  # this engine's answers that showed another client's calls
        self._fastest = math.inf  # this engine's trusted fastest round trip (``fastest_seen``)
        state.members += 1
        # closed or dropped (collected unclosed), it leaves the count once
        self._leave = weakref.finalize(self, _left, state)

    @property
    def shared(self) -> bool:
        return True  # the scheduler admits every call here too

    @property
    def in_process(self) -> bool:
        """Shared by this process's engines only (the scheduler keeps its own budget
        probes, as a process alone does, and its estimate of other clients while its
        engine is alone here: with two or more, ``window_seen`` keeps it for all)."""
        return True

    @property
    def engines(self) -> int:
        """Engines open on this account in this process, this one included."""
        return self._state.members if self._state is not None else 0

    async def start(self, token_fp: str, *, account: str = "") -> None:
        return None

    def bind(self, company: str) -> None:
        """The token is ``company``'s (``GET /v1/users/me``'s ``company_id``): its day's
        spend is the company's from now on, shared with every other token of it on this
        URL in this process; what this token's engines counted already is carried over
        (each day's larger count: both are floors of the company's spend, and the next
        answer's figure corrects either). Before (and with no company known), each token
        counted its own day: two users' tokens of one company took a --budget-share each."""
        state = self._state
        if state is None or state.company is not None:
            return
        key = (self._url, company, _loop())
        day = _COMPANIES.get(key)
        if day is None:
            day = _COMPANIES[key] = _CompanyDay()
        for mine, theirs in ((state.spent, day.spent), (state.observed, day.observed)):
            for d, n in mine.items():
                theirs[d] = max(theirs.get(d, 0), n)
        state.company, state.spent, state.observed = day, day.spent, day.observed

    def admit_now(self, op: Operation, limit: Limit) -> bool:
        """``admit`` where it never waits: this engine alone on the account, nobody queued
        and the day's budget with room; the call is taken (True) with no await, so the
        scheduler needs no cancel scope for it (issue 8). False: ``admit`` it (it may wait,
        or raise)."""
        state = self._state
        if state is None or state.queue or state.members >= 2 \
                or (state.company_until != -math.inf and not self._alone()):
            return False  # (``_alone`` read only after a sibling closed: issue 8, per call)
        # ``spent_for`` at ``limit.next_day(now)``, inline: three Python calls a request
        wall, day, usable = self._clock.wall(), limit.day, limit.day_limit
        if wall >= limit.day_ends:
            later = limit.next_day(wall)
            day, usable = later.day, later.day_limit
        if max(state.spent.get(day, 0), state.observed.get(day, 0)) + op.token_cost > usable:
            return False
        self._take(op, limit)  # alone: the scheduler's own windows are the account's
        return True

    async def admit(self, op: Operation, limit: Limit, *, wait_for_reset: bool = False) -> None:
        state = self._state
        if state is None:
            raise RuntimeError("ProcessCoordinator.admit after aclose()")
        if self.admit_now(op, limit):
            return
        if not wait_for_reset and state.spent_for(op, limit.next_day(self._clock.wall())):
            raise self._spent(op, limit)  # not queued behind calls that wait for the reset
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        state.queue.append(turn)
        if not wait_for_reset:
            state.impatient.add(turn)
        if len(state.queue) == 1:
            turn.set_result(None)
        try:
            try:
                await turn  # FIFO: the calls of every job on the account, in their order
            except _DaySpent:
                raise self._spent(op, limit) from None
            while True:
                # a wait for the reset ends in the next day: its spend, not the spent one's
                # (f21c F3: the day's figures kept, it woke to "budget" every 1 ms forever)
                limit = limit.next_day(self._clock.wall())
                wait, why = state.room(op, limit, self._clock.wall())
                # alone, the scheduler's windows are exact; not its day: the jobs gone
                # spent it too (x21r4 F3)
                if not wait or (self._alone() and why != "budget"):
                    self._take(op, limit)
                    return
                if why == "budget":
                    if not wait_for_reset:
                        raise self._spent(op, limit)
                    state.refuse_impatient()
                    if limit.whole_day:
                        if self._may_ask():
                            quiet = state.last_take
                            self._take(op, limit)  # the reset probe (``observed`` reads it)
                            state.last_take = quiet  # (it does not end the quiet minute)
                            return
                        # looked at again each minute: a probe's answer may bring the day back
                        wait = min(wait, _ASK_EVERY)
                await self._clock.sleep(wait)
        finally:
            state.impatient.discard(turn)
            if state.queue and state.queue[0] is turn:
                state.queue.popleft()
            elif turn in state.queue:
                state.queue.remove(turn)
            if not turn.done():
                turn.cancel()
            elif not turn.cancelled():
                turn.exception()  # a refusal (``_DaySpent``) seen, even if cancelled first
            state.next_turn()

    def _spent(self, op: Operation, limit: Limit) -> BudgetExhausted:
        assert self._state is not None
        limit = limit.next_day(self._clock.wall())
        return BudgetExhausted(
            (f"the company's daily budget as this process's jobs spent it: "
             f"{counted(self._state.today(limit.day), 'token')} used, usable "
             f"{limit.day_limit:,}" if limit.whole_day else
             limit.spent_words(self._state.today(limit.day), "this process's jobs"))
            + f"; {op.id} needs {op.token_cost}", resets_at=limit.day_ends)

    def _take(self, op: Operation, limit: Limit) -> None:
        assert self._state is not None
        now = self._clock.wall()
        self._own.append((now, self._state.take(op, limit, now)))
        # (one still held stays, to be answered: HOLD_AT_MOST bounds it)
        while self._own and self._own[0][0] + 2 * limit.width < now \
                and not self._own[0][1].settle_late(now):
            self._own.popleft()

    def leaving(self, at: float) -> None:
        """A call of this engine leaves at wall time ``at``: the oldest one admitted and not
        yet gone is marked sent then. It stays held until its answer (``answered``) — a
        busy loop (ledger writes, three jobs' outcomes) may hold a call long between its
        admission, its send and its answer, and a slot dated before the answer would free
        before the server's (429s under load).

        The entries that left are a prefix of ``_own`` (each leaving marks the oldest not
        yet gone; ``dropped`` and ``answered`` only take entries out): the oldest not gone
        is found from the end, past the few admitted and not yet sent, not past every
        call in flight (issue 8: ~50 at Ultimate-OAuth, each looked at on every send)."""
        oldest = None
        for _, entry in reversed(self._own):
            if entry.sent is not None:
                break
            oldest = entry
        if oldest is not None:
            oldest.sent, oldest.since, oldest.at = at, max(oldest.since, at), math.inf

    def hold(self) -> None:
        """The call this engine admitted last is held from now until its answer, not dated
        ``admitted + ahead`` (``Scheduler.acquire(hold=True)``: the engine's calls, which
        a starved loop may keep past a window before they leave)."""
        if self._own and self._own[-1][1].sent is None:
            self._own[-1][1].at = math.inf

    def dropped(self, admitted: float) -> None:
        """A call this engine admitted (at ``admitted``, wall time, by its scheduler: its
        turn here may have come later) will not leave: the last of its entries not yet
        gone (they stand for its calls in turn, as ``leaving`` takes the oldest) is dated
        from its admission plus its ``ahead``, as before it was held."""
        own = self._own
        for i in range(len(own) - 1, -1, -1):
            since, entry = own[i]
            if entry.sent is None:
                del own[i]
                entry.sent = since
                entry.at = min(entry.at, since + entry.ahead)
                return

    def answered(self, sent: float, at: float, *, heard: bool = True) -> None:
        """The call that left at ``sent`` was answered: its entry (the one that left last at
        or before ``sent``; else the one admitted last before it) is dated ``at``.

        The entries that left are a prefix of ``_own`` in the order they left (``leaving``),
        so the look stops at the first one that left later: an answer comes for one of
        the oldest calls out, and every call in flight was looked at on every answer
        (issue 8: ~12 µs an answer at Ultimate-OAuth). (A wall clock stepped back between
        two sends may date another of this engine's calls out with this answer; its own
        answer dates the one left, and no entry is lost or added.)"""
        own = self._own
        best = None
        limit = sent + _EPS
        for i, (_, entry) in enumerate(own):
            left = entry.sent
            if left is None or left > limit:
                break
            best = i
        if best is None:
            for i in range(len(own) - 1, -1, -1):
                if own[i][0] <= sent + _EPS:
                    best = i
                    break
        if best is not None:
            admitted, entry = own[best]
            del own[best]
            if self._state is not None and self._state.fastest < self._fastest < math.inf:
                # dated with this engine's fastest round trip: with the account's, which
                # another engine's calls may beat this one's by on their way there (f40d 2)
                at += self._fastest - self._state.fastest
            entry.at = max(at, admitted)  # no longer held

    def fastest_seen(self, fastest: float) -> None:
        """This engine's scheduler dates its answered calls with ``fastest`` (seconds, its
        fastest round trip, trusted) from now on: each answer's entry is dated with the
        fastest of the account's engines instead (``answered`` adds the difference), and
        when ``fastest`` is below that, every entry moves later by what the account's fell
        by. Dated with its own, one engine's entry freed its slot when another's call, on
        a faster way there than this engine ever saw, could still reach the server inside
        the window it was counted in (f40d 2: dated 171 ms before the server counted it,
        the next call there 156 ms after its admission: a 429). Replaces ``later`` for a
        scheduler that tells it (``Scheduler._later``)."""
        self._fastest = fastest
        state = self._state
        if state is None or fastest >= state.fastest:
            return
        by, state.fastest = state.fastest - fastest, fastest
        if by < math.inf:
            for entry in state.entries:
                if entry.at != math.inf:
                    entry.at += by

    def later(self, by: float) -> None:
        """This engine's fastest round trip fell by ``by``: every entry in the shared window
        moves ``by`` later, as its scheduler's own do (``Scheduler._later``). Left where
        they were, those its answers had dated with the slower figure freed their shared
        slots that much too soon, and the other engines' calls took them (f27c: two
        engines, each one's first window 40 ms slower on the way there: 6 windows on the
        server over the burst). The other engines' entries move too: dated with figures
        no faster than this one's was, they are as early, and their engines, still
        sending slower calls, may not learn it for a while (three engines: 5 windows over
        the burst with only this engine's entries moved). Later is only ever safer; held
        entries (no answer yet) wait for theirs."""
        if self._state is None or by <= 0:
            return
        for entry in self._state.entries:
            if entry.at != math.inf:
                entry.at += by

    def paused(self, until: float) -> None:
        if self._state is not None:
            self._state.pause = max(self._state.pause, until)

    def refunded(self, op: Operation, day: int) -> None:
        if self._state is not None and day in self._state.spent:
            self._state.spent[day] = max(0, self._state.spent[day] - op.token_cost)

    def _may_ask(self) -> bool:
        """Whether the call first in the queue goes as the reset probe: the day's budget
        as this process's jobs spent it is used up, it is a minute past a half hour, and no
        probe went in this half hour. Each engine's scheduler asks the server at a minute
        past each half hour whether the company's day began (its midnight is its time
        zone's, not UTC's); held here on the spent day, that call never went and the jobs
        slept to UTC midnight (x21r4 F3: three jobs of one process, the server's day had
        begun). One probe goes for all of them; ``observed`` reads its answer."""
        assert self._state is not None
        wall = self._clock.wall()
        half = math.floor(wall / 1800.0) * 1800.0
        if wall < half + 60.0 or self._state.asked >= half:
            return False
        # a quiet minute first: the answers of the calls admitted before the day was spent
        # carry figures the server counted before them (below the jobs' count): read as a
        # new day, they let queued calls go, refused (x21r5 F1: 9-12 429s at the moment
        # the budget ran out)
        if wall - self._state.last_take < _ASK_EVERY:
            return False
        self._state.asked = wall
        return True

    def observed(self, tokens_today: int, day: int) -> None:
        """The server's figure of the company's spend today (``tokens_today``, its
        headers). Taken as the day's spend when it is below what this process's jobs
        counted while a reset probe is out (the server's day began: x21r4 F3); otherwise
        the larger of the two counts."""
        state = self._state
        if state is None:
            return
        seen = state.observed
        if tokens_today < state.today(day) and state.asked > self._clock.wall() - _ASK_EVERY:
            state.spent[day] = seen[day] = tokens_today  # a new company day: its figure
            state.asked = -math.inf
            state.next_turn()
            return
        seen[day] = max(seen.get(day, 0), tokens_today)

    def window_seen(self, remaining: int, until: float, cap: int, *, search: bool,
                    seen: float | None = None,
                    span: tuple[float, float] | None = None) -> None:
        """As Redis' WINDOW script: the calls the server counted that no job here did are
        entries, the oldest leaving the window at ``until``, the others a window after
        ``seen`` (the answer) at the latest. The jobs' calls admitted after ``seen`` are
        not among those the server counted; the other client's calls already entries
        stand for as many of them, dated ``seen`` again (f27c: left at the reading that
        added them, they left the window before a later reading put their successors in,
        and a job took the slot the other client's next call held).

        Evidence of another client (``others_answers``, ``others_at``) is the count beyond
        every call of the jobs here the server's window could hold as it counted: those
        whose entries are dated after ``span``'s ``after`` and admitted by its ``by``
        (the entries of the window before the last are kept for it). Judged by each
        engine's scheduler against its own calls alone, the siblings' calls were another
        client's: 48-79 answers of each of three jobs of one process ended with that note
        (x36r1)."""
        state = self._state
        if state is None or state.width <= 0 or not self.judges_others:
            return  # alone: the engine's scheduler counts the others itself (admit skips us)
        wall = self._clock.wall()
        seen = wall if seen is None else min(seen, wall)
        width = state.width
        state.prune(wall, width)
        kind = [e for e in state.entries if e.search or not search]
        window = [e for e in kind if e.at > wall - width]
        ours = sum(1 for e in window if not e.other and e.since <= seen + _EPS)
        others = sorted((e for e in window if e.other), key=lambda e: e.at)
        counted = min(cap, cap - remaining)
        stand = counted - ours
        if not search:
            beyond = stand
            if span is not None:
                after, by = span
                mine = sum(1 for e in kind
                           if not e.other and e.admitted <= by + _EPS and e.at > after)
                beyond = 0 if after < max(wall - 2 * width, state.born) else counted - mine
            if beyond > 0:
                self._others_answers += 1
                state.others_at = max(state.others_at, seen)
        if state.members < 2:
            return  # alone again: the phantom entries are its scheduler's (``stand``)
        for entry in others[:max(0, stand)]:
            entry.at = max(entry.at, seen)
        for i in range(stand - len(others)):
            at = min(until, seen + state.width) if i == 0 and not others else seen + state.width
            state.entries.append(_Entry(at - state.width, search, other=True))

    def _alone(self) -> bool:
        """Whether this engine is alone on its account: no other engine open, and none
        closed in the last two windows (its calls may still be in the server's window:
        admitted past them, the one left's last calls got 429s, x36r1)."""
        return not self.judges_others

    @property
    def judges_others(self) -> bool:
        """Whether this state, not the engine's scheduler, tells another client's calls from
        the jobs' here (``window_seen``): while another engine is open on the account, and
        for two windows after one closed (its calls may still be in the server's window:
        the one left counted them as another client's)."""
        state = self._state
        if state is None:
            return False
        if state.members >= 2:
            return True
        if state.company_until == -math.inf:  # (no clock read: issue 8, per call)
            return False
        if self._clock.wall() < state.company_until:
            return True
        state.company_until = -math.inf
        return False

    @property
    def others_answers(self) -> int:
        """This engine's answers, while it shared the account with another engine here,
        whose burst headers counted calls beyond every call the jobs here may have had in
        the server's window (``window_seen``): evidence of another client on the token."""
        return self._others_answers

    @property
    def others_at(self) -> float:
        """Wall time any engine's answer here last showed another client's calls
        (``window_seen``); -inf: none seen."""
        return self._state.others_at if self._state is not None else -math.inf

    def window_fill(self, wall: float) -> int:
        """Calls in the account's burst window at wall time ``wall``: every job's here
        (held ones included) and those the headers showed of another client."""
        state = self._state
        if state is None:
            return 0
        return sum(1 for e in state.entries if e.at > wall - state.width)

    def own_fill(self, wall: float) -> int:
        """``window_fill`` less another client's calls: the jobs' own here, what a 429 is
        judged by (a window another client filled had room for them: x48r10 F2, the run's
        429s beside a client were told "the pace neared the limits")."""
        state = self._state
        if state is None:
            return 0
        return sum(1 for e in state.entries if e.at > wall - state.width and not e.other)

    def statistics(self) -> SharedStats | None:
        return None  # the progress line shows a shared picture only across processes

    async def aclose(self) -> None:
        state, self._state = self._state, None
        if state is not None:
            self._leave()
            if state.members:  # its calls stay in the server's window a while
                state.company_until = self._clock.wall() + 2 * state.width

    def __repr__(self) -> str:
        state = self._state
        if state is None:
            return "<ProcessCoordinator closed>"
        return (f"<ProcessCoordinator engines={state.members} "
                f"window={len(state.entries)} queued={len(state.queue)}>")


def _left(state: AccountState) -> None:
    """An engine closed (or was dropped unclosed): one fewer on ``state``'s account."""
    state.members -= 1


def open_accounts() -> int:
    """Accounts with a live state in this process (tests: nothing outlives its engines)."""
    return len(_ACCOUNTS)


__all__ = ["AccountState", "ProcessCoordinator", "account_key", "open_accounts"]
