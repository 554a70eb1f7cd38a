"""The scheduler: admits a call only when the account has room for it.

It holds three limits at once: the rolling burst window (requests), the search
window (search requests) and the company's daily token budget (tokens, less the
job's reserve / share / cap). Of each window it admits at most ``Limits.window_share``
(``--window-share``: the rest stays free for another client on the token that does not
read the rate headers), counting the others' calls the headers showed in the window.
Waiters are served FIFO by one synchronous dispatcher; the exceptions: a
search waiting for the *search* window lets later non-search calls through while its own
cost stays held against the budget, and a call acquired with ``ahead`` (a re-check read)
may go before the calls ahead of it when they all still go within that round trip
(``_leads_now``). One timer task sleeps on the injected clock until the next slot frees.
Response headers tighten the local accounting. A call the engine makes
(``acquire(hold=True)``) holds its slot from its admission until its answer, however
long a starved event loop keeps it before it leaves or before its answer comes (f23d:
a slot dated at the send freed a window later while the call was still out). An
answered call's window entry
moves from its send time to its answer time less the fastest round trip seen (and
later by as much whenever a faster one is seen: ``_later``): the server counted it somewhere
in between, and with latency jitter a call sent one
window after another can arrive less than a window after it (150 ± 50 ms
against a 31 ms margin: 429s). A later call may still beat the fastest round trip seen
on its way there, so this process's entries stay in the window the spread of the few
fastest round trips longer (``_allow``: x32r3 F4, 0-300 ms at a 0.5-s window). The margin
on top, ``WINDOW_MARGIN`` (1/1024 of the window), is for the clocks' skew, not
for the latency, which the re-dating accounts for (f20c #8: a 1/64 margin cost
1.2 % of the rate for nothing). A 429 pauses everyone, then the rate ramps back
up (half a burst for one window), and as many slots as the storm had 429s stay
spare (someone else may share the token), one back per 5 quiet windows, or all of them
once the window headers have shown nobody else's calls for two windows (f23l). A 429 without
window headers (no limit, remaining or reset) is all there is to learn the burst from:
the spare then takes the window to what this process had sent in it, and each storm that
follows a give-back doubles the quiet spell before the next one (up to 80 windows).

Several processes on one account share a coordinator (bulk.coordinator): with a
shared one (Redis), every call admitted here is also admitted against the
account-wide windows, 429 pause and day's spend (one round trip, batched), and
answers, pauses, refunds, the daily headers and the window headers (remaining /
reset: one process learns the window is spent, all hold back) go back to it. Phantom window
entries for "others on this token" are then not needed (the coordinator counts
them) and are not made. Without one (the default), the engines of this process on one
account share a ``bulk.coordinator_process.ProcessCoordinator`` the same way (admission,
the send, answers, pauses, refunds, headers), while each scheduler keeps its reset
probes, as a process alone does, and its phantom entries while its engine is alone there
(with two or more, the shared state holds them for all: ``_shared_counts_others``).

Call ``observe()`` after every response except a 429 (pass ``sent_at``),
``rate_limited()`` (it reads the headers too) after a 429, and ``refund()`` when
Pipedrive did not charge the call. asyncio only (like aiohttp); nothing binds
to a loop before the first ``acquire``.

It must never: admit a call the windows or the budget have no room for; read
any clock but the injected one, or poll; let a cheap call overtake an older
expensive one; widen a window because a header said so (window headers only
tighten, but the limit headers are the server's word and are taken as is: the daily
budget, and the burst once heard, higher or lower than the configured plan's); treat
a 429 as anything but a pause (or, repeated, as a spent budget).

Why ~2200 lines: the three limits are admitted together in one dispatcher (FIFO across
all of them is the point), and the header corrections, the 429 ramp, the coordinator
hand-off, the slots held until an answer (f23d), the spare given back (f23l), a re-check
read's lead (issue 8) and the reset wait each change the same window state; the budget
policy and the stats are small classes beside it. Splitting the window state from the
dispatcher is the next step (issue 8), not done: every part reads and writes the same
deques.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import logging
import math
import random
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Protocol

import anyio

from .clock import Clock, SystemClock
from .coordinator import HOLD_AT_MOST, Coordinator, Limit, SharedStats
from .errors import CAP_SETTING, SHARE_SETTING, BudgetExhausted, ConfigError, Stopped
from .headers import RateHeaders
from .operations import Operation
from .plans import Limits, check_window_share, share_of
from .wording import counted

_EPS = 1e-9  # monotonic tolerance: a slot due "now" is free (no 1-ulp sleep loops)
_WALL_EPS = 1e-3  # wall tolerance at the daily reset (wall time is ~1.7e9: coarse ulps)
_log = logging.getLogger("pdbulk.scheduler")  # the CLI prints its warnings on stderr
_JITTER = 0.05  # up to this share of a window is added to a 429 pause
_SPARE_FOR = 5  # quiet windows (no 429) before one spare slot is given back
# --wait-for-reset: seconds between the calls that ask a server which said today's budget is
# spent whether its day began (its time zone's midnight is on a half hour, FACTS.md), and
# how late after the half hour (clocks differ a little)
RESET_PROBE_EVERY, RESET_PROBE_LATE = 1800.0, 60.0
# seconds after which a company's day last heard from the server (a kept day, or a Redis
# coordinator's) that refuses a run is checked with the server first: its day may have
# begun since (its midnight is its time zone's, not named: FACTS.md "Rate limits")
ASK_AFTER = 1800.0
_EXHAUSTED_AFTER = 3  # 429 pauses in a row, none followed by a success and none blaming
# the burst window or showing tokens left today: the budget is spent
_TIMER_TICK = 1e-3  # the shortest re-arm of the loop timer: uvloop's resolution (``_ring``)
# a call's send time as ``leaving`` logs it and as its caller passes it (``sent_at``) may
# differ by a clock read: a call sent this close to the start of ``_ours``'s span is kept
_SENT_SLACK = 1e-3
_TRUST_RTTS = 8  # round trips seen before their fastest is used to re-date answered calls
# The share of a window added to it (WINDOW_MARGIN): CLOCK_SKEW, not the latency (an
# answered call is re-dated from its answer, ``_redate``; the next call's way there is what
# it is). Pipedrive counts the window on its clock, this process on its own, and the two
# may run at different rates: a clock NTP disciplines is slewed by at most 500 ppm (the
# Linux kernel's limit), an undisciplined quartz is off by ~100 ppm; 1/1024 (977 ppm, 2 ms
# on 2 s) covers twice the worst.
# The re-dating's one estimate, the fastest round trip seen, is the fastest way there plus
# the fastest way back only when both came in one call (on a loaded host a few ms apart:
# the sandbox at 50 ± 50 ms, Ultimate-OAuth, load 9 on 2 cores, 6 429s in 7,200 calls at
# 1/1024 alone). A fixed 3/1024 more stood for that until this process's slots stayed
# ``_allow`` past the window (the spread of the 8 fastest round trips, which measures how
# far a later call can beat the fastest seen, and scales with the run's own latency, not
# with the window): at 1/1024 with it, 0 429s in 9 sandbox runs at load 10-16 (Growth and
# Ultimate-OAuth at 150 ± 50 ms, Ultimate-OAuth at 50 ± 50 ms: 21,600 calls), and on
# virtual time 0 calls at a full window in 100 runs (0.5-s and 2-s windows, 0-300 ms of
# jitter, 0-5 ms of the loop's delay each way); 0.9709 -> 0.9736 of the allowed rate at
# 150 ± 50 ms (f34c). Measured before (f20c #8, sandbox at 150 ± 50 ms): 0.95 of the
# allowed rate at the 1/64 the 4/1024 replaced.
CLOCK_SKEW = 1 / 1024
WINDOW_MARGIN = CLOCK_SKEW
# A call that left (``leaving``) holds its window slot until its answer, whatever the
# window: the server counts it somewhere between the send and the answer, and a starved
# event loop (or server) can put more than a window between the two (f23d: 1-4 429s a run
# at a 1-s window beside two busy processes). One no answer settles is dated at its send
# after HOLD_AT_MOST (bulk.coordinator).


@dataclass(frozen=True, slots=True)
class BudgetPolicy:
    max_tokens: int | None = None  # the job's own cap on tokens (per run)
    share: float | None = None  # max share of the company's daily budget, e.g. 0.5
    reserve_tokens: int = 0  # absolute reserve to leave for people and other integrations
    wait_for_reset: bool = False  # on exhaustion: sleep until the daily reset, don't raise

    def __post_init__(self) -> None:
        """Raises ``ConfigError`` for a setting out of range or of the wrong type, when the
        policy is made (not at ``Engine.open``, after the job store is written)."""
        for name in ("max_tokens", "reserve_tokens"):
            value = getattr(self, name)
            if value is None and name == "max_tokens":
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{name} must be a whole number, not {value!r}")
            if value < 0:
                raise ConfigError(f"{name} must be 0 or more, not {value}")
        share = self.share
        if share is not None:
            if isinstance(share, bool) or not isinstance(share, int | float):
                raise ConfigError(f"share must be a number, not {share!r}")
            if not 0 < share <= 1:  # nan is neither
                raise ConfigError(f"share must be above 0 and at most 1 (in (0, 1]), "
                                  f"not {share!r}")
        if not isinstance(self.wait_for_reset, bool):
            raise ConfigError(f"wait_for_reset must be True or False, not "
                              f"{self.wait_for_reset!r}")


@dataclass(frozen=True, slots=True)
class SchedulerStats:
    admitted: int
    waiting: int
    tokens_spent: int  # this run
    tokens_today: int  # the company's known spend today: own + observed from headers
    daily_limit: int  # the company's daily budget as last known
    window_fill: int
    window_limit: int  # this process's cap: the burst less the slots kept spare after 429s
    search_fill: int
    pauses: int
    rate_limited: int  # 429s seen
    paused_until: float | None  # clock.now() time the current 429 pause ends
    shared: SharedStats | None = None  # the account-wide picture, with a shared coordinator
    # what this job may spend: the daily budget less --budget-share's / the reserve's part
    usable_daily: int = 0  # per day, tokens
    usable_today: int = 0  # left today, tokens (0 when the day is spent)
    # answers whose window headers counted more calls than this process could have sent in
    # that window: the evidence that another client spends the token's limits (x19r3 F3)
    others_seen: int = 0
    # 429s that came while the window had room (the headers said remaining > 0, or this
    # process's own count was under the limit): the server refused them, not our pace
    refused_with_room: int = 0
    # whether ``tokens_today`` is the company's (a daily header heard, or the day proved
    # spent), not only this process's own: a plan before any call says "unknown"
    today_known: bool = False
    # whether ``daily_limit`` is the server's (a daily-limit header heard), not the plan's
    # preset: every message quoting the day's budget says which (x23r1 F2)
    daily_heard: bool = False
    # whether ``daily_limit`` (and, of today, ``tokens_today``) is what the server's headers
    # told the last run on the account, kept in the state folder (``recall_day``), no
    # answer of this run having said it yet
    daily_recalled: bool = False
    # where ``tokens_today``'s company figure came from: "server" (an answer of this run,
    # or a 429 that proved the day spent), "last run" (the state folder's record of the
    # last run on the account: ``recall_day``), "given" (``tokens_spent_today``), "plan"
    # (nothing: this process's own count); f39n F2
    today_from: str = "plan"
    # the account's burst (requests per window, the server's figure once heard): what
    # ``window_limit`` is less its spare slots; 0 where not given
    window_burst: int = 0
    # what ``tokens_today`` rests on: the highest figure of today's spend the server's
    # headers gave (None: none yet today), and this process's own calls today; where
    # ``tokens_today`` is above ``server_today``, it is this process's count (f33c: "376
    # of 400 used" where the server said 330: calls in flight when it answered, calls it
    # never charged such as answers lost, a figure given at the start)
    server_today: int | None = None
    own_today: int = 0


@dataclass(frozen=True, slots=True)
class ResetWait:
    """A wait for the daily reset (``--wait-for-reset``) under way: since when (wall time),
    the latest it lasts (``until``: the next day by this process's count; the company's own
    day may begin sooner, at its midnight in its time zone), whether a call at each half
    hour asks the server if its day began (``probing``), and why (the budget spent)."""

    since: float
    until: float
    probing: bool
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"since": self.since, "until": self.until, "probing": self.probing,
                "reason": self.reason}

    def until_text(self, now: float) -> str:
        """Until when it waits, for a person: the next call asking the server whether its
        day began (the company's midnight is its own time zone's, not named: x21r1 F1), or
        the new day of a share or reserve (pdbulk's own count). ``now``: wall time."""
        if self.probing:
            return ("until the company's midnight, in its own time zone; "
                    f"next check whether its day began at "
                    f"{_utc(min(Scheduler.half_hour_after(now), self.until))}, then each "
                    "half hour")
        return f"until {_utc(self.until)} (a new day for this job's share of the budget)"


def _utc(wall: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(wall))


def _system_time(clock: Clock) -> bool:
    """Whether ``clock`` keeps ``SystemClock``'s time and sleep (its wall may differ): the
    event loop's own timers then keep it too."""
    kind = type(clock)
    return (getattr(kind, "now", None) is SystemClock.now
            and getattr(kind, "sleep", None) is SystemClock.sleep)


class Cancellable(Protocol):
    """What a run's stop ends (``acquire``'s ``waiting``): an ``anyio.CancelScope``, or a
    call's wait for its turn here."""

    def cancel(self) -> object: ...


class _Waiter:
    __slots__ = ("at", "day", "fut", "hold", "op")

    def __init__(self, op: Operation, fut: asyncio.Future[None], hold: bool = False) -> None:
        self.op, self.fut, self.at, self.day, self.hold = op, fut, 0.0, 0, hold

    def cancel(self) -> None:
        """A run's stop: the wait for the turn ends with ``Stopped`` (not yet admitted:
        nothing to give back; admitted already, the caller sees its stop and drops it)."""
        if not self.fut.done():
            self.fut.set_exception(Stopped("stopping"))


class Scheduler:
    """Burst window, search window and daily budget for one API token."""

    __slots__ = (
        "_across_on",
        "_admit_now",
        "_admits",
        "_admitted",
        "_allow",
        "_blocked_until",
        "_born",
        "_budget",
        "_budget_refused",
        "_burst",
        "_burst_share",
        "_clock",
        "_daily",
        "_daily_heard",
        "_day",
        "_day_recalled",
        "_day_seconds",
        "_done_log",
        "_fastest",
        "_flying",
        "_given",
        "_given_back",
        "_lead",
        "_lead_by",
        "_left",
        "_limit",
        "_limit_key",
        "_limits",
        "_midnight",
        "_now_limits",
        "_others",
        "_others_at",
        "_others_seen",
        "_own_today",
        "_pause_end",
        "_pauses",
        "_prior",
        "_probe_after",
        "_probing",
        "_proven",
        "_quick",
        "_ramp_until",
        "_rate_limited",
        "_reach",
        "_recalled",
        "_reset_heard",
        "_reset_probe",
        "_reset_wait",
        "_rng",
        "_roll_at",
        "_roomy",
        "_roomy_unheard",
        "_rtts",
        "_search",
        "_search_blocked_until",
        "_search_spare",
        "_search_spare_at",
        "_search_spell",
        "_searches",
        "_seen_at",
        "_seen_began",
        "_seen_today",
        "_sent_log",
        "_server_said",
        "_shared",
        "_shared_hold",
        "_shared_lapsed",
        "_slowest",
        "_spare",
        "_spare_at",
        "_spare_for",
        "_spend_log",
        "_spend_logged",
        "_spent_day",
        "_storm",
        "_storm_roomy",
        "_streak",
        "_taken",
        "_there_and_back",
        "_timer",
        "_timer_at",
        "_timer_loop",
        "_today",
        "_today_from",
        "_today_heard",
        "_tokens_spent",
        "_told_burst",
        "_told_reset",
        "_usable",
        "_wait_shared",
        "_waiters",
        "_width",
        "_window_heard",
        "on_reset_wait",
    )

    def __init__(self, limits: Limits, *, clock: Clock, budget: BudgetPolicy = BudgetPolicy(),
                 tokens_spent_today: int = 0, day_seconds: float = 86400.0,
                 safety: float = WINDOW_MARGIN, rng: random.Random | None = None,
                 probe: bool = False, coordinator: Coordinator | None = None) -> None:
        if limits.burst < 1 or limits.search < 1 or limits.window <= 0 or day_seconds <= 0:
            raise ConfigError(f"unusable limits {limits!r} / day_seconds {day_seconds}")
        if safety < 0:  # (the budget's own settings: BudgetPolicy checks them when made)
            raise ConfigError("safety must not be negative")
        check_window_share(limits.window_share)
        self._limits, self._clock, self._budget = limits, clock, budget
        self._now_limits = limits  # ``limits``: the last one handed out
        self._day_seconds = day_seconds
        # safety: share of the window added to it (WINDOW_MARGIN says why)
        self._width = limits.window * (1 + safety)
        self._rng = rng or random.Random()
        self._burst, self._search = limits.burst, limits.search
        # the burst's share this job admits (``Limits.window_share``), figured as it changes
        self._burst_share = share_of(self._burst, limits.window_share)
        self._admits: deque[float] = deque()  # admission times in the burst window, sorted
        self._searches: deque[float] = deque()
        # the entries of both windows that stand for another client's calls (sorted; the
        # burst window's, the search window's): ``_keep_others``
        self._others: tuple[list[float], list[float]] = ([], [])
        # this process's entries that left each window (the burst's, the search's) in the
        # last round trips (sorted): an answer's headers are compared with the window as
        # it was when the call left (``_own_since``), not after the prunes since
        self._left: tuple[deque[float], deque[float]] = (deque(), deque())
        # send times of the calls that left and have no answer yet (sorted), and whether
        # each is a search: they hold their slots until the answer dates them (f23d)
        self._flying: list[tuple[float, bool]] = []
        self._blocked_until = self._search_blocked_until = -math.inf
        self._pause_end = self._ramp_until = -math.inf
        self._streak, self._storm, self._spare, self._spare_at = 0, 0, 0, -math.inf
        self._storm_roomy = False  # the first 429 of the storm under way came with room
        # quiet windows before a spare slot goes back (doubled while 429s without window
        # headers keep following the give-backs), and whether one went back since a storm
        self._spare_for, self._given_back = _SPARE_FOR, False
        # the same reserve for the search window, grown by search 429s only (x32r3 3: a
        # client searching beside this one got 3 search 429s every window for the run)
        # (its quiet spell, in windows, doubles while storms follow its give-backs: the
        # other client is still there; negative: a slot went back since the last storm)
        self._search_spare, self._search_spare_at, self._search_spell = 0, -math.inf, _SPARE_FOR
        # the most calls of this process a window held at a send the server answered
        # (not 429): a 429 at a lower fill says nothing of the account's burst
        self._proven = 0
        self._told_reset: float | None = None  # the reset a wait for was logged
        self._told_burst: int | None = None  # the server's burst a note was logged for
        # the wait for the reset under way, and who is told when one begins or ends (the
        # engine writes it in the job, for ``pdbulk status``: x23 3, it showed "running")
        self._reset_wait: ResetWait | None = None
        # the wait is the shared coordinator's (its day spent across processes): only its
        # end clears it, not a call this scheduler admits meanwhile
        self._wait_shared = False
        self.on_reset_wait: Callable[[ResetWait | None], None] | None = None
        # --wait-for-reset with the company's budget spent (the server said so, or this process
        # counted it): one call at each half hour (RESET_PROBE_EVERY) learns whether its day began
        # (its time zone is not known: FACTS.md); (the call, the wall time it went) or None
        self._reset_probe: tuple[Operation, float] | None = None
        self._probe_after = math.inf  # wall time the next probe may go
        # wall time by which one of the server's days surely began (the later bound of
        # ``_seen_began``, or of the kept day's or Redis's: ``recall_midnight``): this
        # scheduler's days are the server's (``_day_of``); None: UTC's
        self._midnight: float | None = None
        # the company's last daily figure (tokens) and its read time (clock seconds), as
        # another process heard it (``attach``, Redis's ``known_heard``): what this one's
        # first figure is compared with to date the server's midnight (x41r6 F1)
        self._prior: tuple[int, float] | None = None
        # (the company, the midnight taken) whose figures ``attach`` took from the shared
        # coordinator before any answer named this run's company (``company_named``)
        self._taken: tuple[str, float | None] | None = None
        self._day = self._day_of(clock.wall())
        self._roll_at = (self._day + 1) * day_seconds  # wall time the next day begins
        self._today, self._own_today = tokens_spent_today, 0  # company's known / our own
        # the most the server said is used today: a refund never takes ``_today`` below
        # it (x19r3 F2: a 429's headers already leave the refused call out; the refund
        # after it took it off again, so a call the budget could not pay was let through
        # again, 30 times, and the run ended "not answering")
        self._seen_today = 0
        self._seen_at = -math.inf  # clock.now() of the answer that said ``_seen_today``
        # the server's day began between these two answers (clock.now()): its figure went
        # down (``_apply``); its midnights are a day apart from it (``server_day_began``)
        self._seen_began: tuple[float, float] | None = None
        # [second, tokens]: this process's admissions by clock second, the last minute or
        # so (``_admitted_since``: how far a lower daily figure from the server is followed)
        self._spend_log: deque[list[int]] = deque()
        self._spend_logged = 0  # the tokens in ``_spend_log``
        self._server_said = False  # whether ``_seen_today`` is a figure the server gave today
        self._given = tokens_spent_today  # today's spend as given when made (0 the next day)
        # today's spend as the last run on the account heard it (``recall_day``; 0 the next day)
        self._recalled = 0
        self._day_recalled = False  # the daily budget is the last run's (``recall_day``)
        # whether the company's spend today is known: a daily header heard (or a figure
        # given); until then a plan says "today's spend unknown", not the whole budget left
        self._today_heard = tokens_spent_today > 0
        # where the company's spend today (``_today``) came from, for the progress line
        # (f39n F2: a resume that made no call said "today 70 (server)", 70 being what a
        # plan run 20 minutes before had heard): "server" (an answer of this run), "last
        # run" (``recall_day``), "given" (``tokens_spent_today``) or "plan" (none)
        self._today_from = "given" if tokens_spent_today > 0 else "plan"
        self._spent_day: int | None = None  # the day a 429 proved the budget spent
        self._set_daily(limits.daily_tokens)
        self._daily_heard = False
        self._tokens_spent = self._admitted = self._pauses = self._rate_limited = 0
        self._waiters: deque[_Waiter] = deque()
        # the one waiter that may go before the calls queued ahead of it (``acquire``'s
        # ``ahead``, ``_leads_now``), and by how many seconds it may go ahead of them
        self._lead: _Waiter | None = None
        self._lead_by = 0.0
        # the one wake-up of the dispatcher: a loop timer on the system's own clock, a task
        # sleeping on any other (a FakeClock's time moves by its sleeps); its loop
        self._timer: asyncio.Task[None] | asyncio.TimerHandle | None = None
        self._timer_at = math.inf
        self._timer_loop: asyncio.AbstractEventLoop | None = None
        self._fastest = math.inf  # the shortest send-to-answer time seen (seconds)
        self._slowest = 0.0  # the longest send-to-answer time seen (seconds)
        # made at (clock.now()): a window reaching back before it may hold the calls of
        # the run before this one (back-to-back cron runs), not another client's
        self._born = clock.now()
        # when this process admitted its calls, the last two windows and more (others_seen)
        self._sent_log: deque[float] = deque()
        # (answer, send) of the calls answered (or given up), in the order answered: those
        # answered a window before a call was sent were out of the server's window (_ours)
        self._done_log: deque[tuple[float, float]] = deque()
        self._reach = self._width  # the server's window, at least (``_ours``)
        self._reset_heard = 0.0  # the longest burst-window reset an answer named (seconds)
        self._others_seen = 0
        self._others_at = -math.inf  # when the last such answer came (clock.now())
        self._roomy = 0  # 429s while the window had room (``_had_room``)
        self._budget_refused = 0  # 429s whose daily header said the budget was spent
        # of those, the ones before any window header (x-ratelimit-limit / -remaining) was
        # heard: only the configured plan's burst said there was room (x32r4 t11)
        self._roomy_unheard = 0
        self._window_heard = False
        self._rtts = 0  # how many round trips that minimum is taken over
        # the _TRUST_RTTS fastest round trips seen (sorted), and the spread between the
        # first and the last of them once that many were seen: how long this process's
        # window entries stay past a window (``_prune``, ``_free_at``). The answered calls
        # are dated at their answer less the fastest round trip, and with latency jitter a
        # later call now and then undercuts that on the way there, arriving that much
        # early: about as much as the few fastest spread (x32r3 F4: 0-300 ms at a 0.5-s
        # window, a call 4 ms under the fastest seen, twice the window's margin of 2 ms:
        # a 429 in 3 of 60 seeds on virtual time, 3 of 9 runs on the sandbox). It
        # shrinks as round trips are seen (150 ± 50 ms at 2 s: ~1 ms after 600 calls).
        # Kept out of the dating itself: the headers' count of another client's calls
        # compares the server's window with this process's entries as they arrived.
        self._quick: list[float] = []
        self._allow = 0.0
        # the least a call's way to the server and an answer's way back take (seconds): the
        # fastest round trip less ``_allow`` once trusted, else 0. A call sent later than an
        # answer less this was not in the count that answer's headers give. Figured as the
        # round trips come (``_redate``), read on every answer (an attribute, not a method:
        # ~3 calls a request, issue 8)
        self._there_and_back = 0.0
        # probe: send one call and read its headers before the first burst. Another
        # process on this token (a plan run just before, a killed run being resumed)
        # may have filled the server's window; bursting blind into it costs 429s.
        self._probing = probe
        self._shared: Coordinator | None = None
        # what the shared coordinator is, read once (``attach``), not on every admission and
        # answer (issue 8: ~11 property reads a request): across processes (``_across_on``);
        # its ``hold`` and its ``admit_now`` (this process's: a call it takes with no wait)
        self._across_on = False  # (``_across_on``, below)
        self._shared_hold: Callable[[], None] | None = None
        # its ``lapsed``: whether the held slot the next call to leave takes lapsed there
        self._shared_lapsed: Callable[[], bool] | None = None
        self._admit_now: Callable[[Operation, Limit], bool] | None = None
        # the last ``_shared_limit`` and what it was made of (a frozen value: shared)
        self._limit: Limit | None = None
        self._limit_key: tuple[int, int, int, int, float, float, int] | None = None
        if coordinator is not None:
            self.attach(coordinator)

    def attach(self, coordinator: Coordinator) -> None:
        """Share the account's limits through ``coordinator`` from now on (a started one).
        A coordinator that is not shared (LocalCoordinator) changes nothing."""
        self._shared = shared = coordinator if coordinator.shared else None
        # Whether it spans processes (Redis): it then counts the others' calls and owns the
        # budget's wait. One shared by this process's engines only
        # (bulk.coordinator_process) leaves the budget's wait to this scheduler, as when
        # alone, and the others' calls too while it is alone (``_shared_counts_others``).
        self._across_on = shared is not None and not getattr(shared, "in_process", False)
        self._shared_hold = getattr(shared, "hold", None)
        self._shared_lapsed = getattr(shared, "lapsed", None)
        self._admit_now = getattr(shared, "admit_now", None)
        heard = getattr(shared, "known_heard", None)
        if isinstance(heard, tuple):  # (figure, read wall): the company's last (x41r6 F1)
            self._prior = (heard[0], heard[1] - self._wall_offset())
        midnight = getattr(shared, "known_midnight", None)
        if isinstance(midnight, float):  # the server's midnight as a process saw it (Redis)
            self.recall_midnight(midnight)
        of = getattr(shared, "known_company", None)
        self._taken = (of, self._midnight) if isinstance(of, str) else None
        if shared is not None and hasattr(shared, "on_midnight"):
            shared.on_midnight = self._shared_midnight  # one another saw while this waits
        known = getattr(shared, "known_daily", None)
        if isinstance(known, int) and known > 0 and not self._daily_heard:
            # the company's daily budget as last seen (Redis): before the first answer a
            # share is of it, not of the plan's assumption (x37r2 F5: GET /users/me went
            # past a spent share, 2,001 of 2,000)
            self._set_daily(known)
        if self._shared is not None and hasattr(self._shared, "on_reset_wait"):
            # one wait, one line, one state: the coordinator's wait for the company's reset
            # is this scheduler's too (x23r3 1: said twice, and status/progress missed it)
            self._shared.on_reset_wait = self._shared_reset_wait

    @property
    def day_seconds(self) -> float:
        """The length of this scheduler's budget day (seconds; 86,400 but in tests)."""
        return self._day_seconds

    def day_heard(self) -> tuple[int, int, int] | None:
        """What the server's headers said of the company's day, for the next run on the
        account (``bulk.day_seen``): (this scheduler's day index, the daily budget in
        tokens, the company's spend that day in tokens as the server last said it — a
        floor: it only grows within the day); None: no daily header heard today."""
        if not self._daily_heard or not self._server_said:
            return None
        return self._day, self._daily, self._seen_today

    def server_day(self) -> tuple[float, float | None, float | None] | None:
        """When the server's figure of the day (``day_heard``) was last heard, and between
        which two answers this run saw the server's own day begin (its figure went down:
        its midnight is its time zone's, not named, FACTS.md), for the next run on the
        account (``bulk.day_seen``): (heard, began after, began by), wall seconds; the
        last two None when no day began in this run; None when no daily figure was heard."""
        if self.day_heard() is None:
            return None
        off = self._wall_offset()
        began = self._seen_began
        return (self._seen_at + off, *((None, None) if began is None
                                       else (began[0] + off, began[1] + off)))

    def recall_day(self, day: int, daily: int, spent: int) -> int | None:
        """Before the first answer, take the company's day as the last run on the account
        heard it (``day_heard``; f38k 2: local mode's first call went past a spent
        ``--budget-share``, its plan's assumed budget making the share look far from
        spent): the daily budget (tokens) always, the spend (tokens) if ``day`` is today.
        An answer heard since wins; nothing here is ever lowered. Where the server's
        midnight is known (``recall_midnight``) ``day`` is the UTC day of now when the
        spend is of the server's day now (``bulk.day_seen.recall``). Returns this
        scheduler's day index where the spend was taken (a shared coordinator's floor:
        ``bulk.day_shared``), else None."""
        if self._daily_heard:
            return None
        self._roll()
        self._set_daily(daily)
        self._day_recalled = True
        today = self.kept_today(day) is not None
        if today and spent > self._today:
            self._today = self._recalled = spent
            self._today_heard = True
            self._today_from = "last run"
            return self._day
        return None

    def kept_today(self, day: int) -> int | None:
        """This scheduler's day index where a spend kept for ``day`` (``recall_day``'s) is
        today's, else None; takes nothing (a resume's shared day, whose ask's answer says
        the day: ``bulk.day_shared.lend_kept_day``)."""
        today = day == self._day or (self._midnight is not None and day == math.floor(
            (self._clock.wall() + _WALL_EPS) / self._day_seconds))
        return self._day if today else None

    def _shared_reset_wait(self, wait: ResetWait | None) -> None:
        """The shared coordinator began (``wait``) or ended (None) a wait for the reset."""
        if wait is None:
            if self._wait_shared:
                self._wait_shared, self._told_reset = False, None
                self._waited(None)
            return
        self._wait_shared = True
        if self._reset_wait is None:
            self._waited(wait)
        self._tell_reset(wait)

    def _tell_reset(self, wait: ResetWait) -> None:
        """The one line a wait for the daily reset prints (once per reset), naming until when."""
        if self._told_reset == wait.until:  # x11r2 8: it waited silently; x23r3 1: twice
            return
        self._told_reset = wait.until
        _log.warning("%s: waiting for the company's daily reset (--wait-for-reset), %s",
                     wait.reason, wait.until_text(self._clock.wall()))

    @property
    def coordinator(self) -> Coordinator | None:
        """The shared coordinator every admission also goes through (None: none)."""
        return self._shared

    def _shared_counts_others(self) -> bool:
        """Whether the shared coordinator, not this scheduler, keeps the entries for the
        calls the server's headers count and no job here made (``_apply``): one across
        processes, and one of this process shared by two engines or more
        (``ProcessCoordinator.window_seen``, which alone sees every engine's calls). Each
        engine's scheduler took its siblings' calls for another client's and held
        phantom entries for them a window from their answer, on top of the shared ones
        (issue 8: two engines beside a client spending 12 of 40 calls a window, 44-68
        phantoms a run and 0.78-1.0 of the room it leaves, by the seed; 0 and 0.93-1.0)."""
        shared = self._shared
        return shared is not None and (self._across_on or getattr(shared, "engines", 1) >= 2)

    @property
    def limits(self) -> Limits:
        """The limits in force (the burst lowered if the server said so). The runner reads
        them after every answer: one ``replace`` only when they changed (issue 8)."""
        now = self._now_limits
        if (now.burst, now.search, now.daily_tokens) != (self._burst, self._search, self._daily):
            now = self._now_limits = replace(self._limits, burst=self._burst,
                                             search=self._search, daily_tokens=self._daily)
        return now

    @contextlib.contextmanager
    def not_waiting_for_reset(self) -> Iterator[None]:
        """Within it, a spent budget refuses a call (``BudgetExhausted``) as without
        ``wait_for_reset``: a run whose rows are all settled does not wait for the next
        daily reset only for its end-of-run checks (``bulk.runner``: the kind's
        ``settled``; x51r5 F4: an import resumed with --wait-for-reset, its 80 rows done,
        waited for the reset for its doubles check where without the flag it skipped it,
        "could not be made", and exited 0). The policy is put back after."""
        policy = self._budget
        self._budget = replace(policy, wait_for_reset=False)
        try:
            yield
        finally:
            self._budget = policy

    # -- the public surface ---------------------------------------------------------------
    async def acquire(self, op: Operation, *, hold: bool = False,
                      waiting: set[Cancellable] | None = None,
                      ahead: float | None = None) -> float:
        """Wait until every limit has room for ``op``; charge it. FIFO, cancellation-safe.
        Returns the admission time (``clock.now()``, seconds): pass it to ``leaving`` when
        the call goes out later than that.

        ``hold``: the call keeps its slot from its admission until its answer, however
        long it waits before it leaves (f23d: one admitted a window before it left had no
        slot any more); the caller then settles every admission: ``leaving`` and an answer
        (``observe``, ``rate_limited``, ``not_sent``, ``unanswered``), or ``dropped``.
        Without it the slot is dated at the admission until ``leaving``.

        ``waiting``: a run's set of waits its stop ends (``Cancellable.cancel``, as
        ``bulk.calls.CallPath.request_stop`` does): the call's wait is in it while it lasts,
        and a stop ends it with ``Stopped`` (nothing charged, no slot kept). Its wait for
        its turn here is the waiter's own future (no cancel scope per call: issue 8, ~19
        Python calls a request); only a wait on a shared coordinator that may last (Redis;
        this process's with other engines or a spent day) takes a cancel scope.
        ``ahead`` (seconds, a round trip: ``bulk.runner``'s re-check read of the next
        batch): the call may be admitted before the calls queued ahead of it, but only
        when the window has room now and every one of them still has a slot within
        ``ahead`` of now after it, and the budget has room for them all (``_leads_now``):
        it overtakes at most the writes one round trip admits, so its answer is back as
        they go and its batch's writes follow with no slot left unused (issue 8). One
        such call at a time (a second waits in order).
        Raises ``BudgetExhausted`` (the budget has no room and waiting cannot help, or
        ``wait_for_reset`` is off), ``Stopped`` (``waiting``'s stop), what the shared
        coordinator raises."""
        waiter = _Waiter(op, asyncio.get_running_loop().create_future(), hold)
        self._waiters.append(waiter)
        if ahead is not None and (self._lead is None or self._lead.fut.done()):
            self._lead, self._lead_by = waiter, ahead
        self._dispatch()
        if waiting is not None:
            waiting.add(waiter)
        try:
            await waiter.fut
        except asyncio.CancelledError:
            if waiter is self._lead:
                self._lead = None
            if not waiter.fut.done() or waiter.fut.cancelled():
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
            elif waiter.fut.exception() is None:  # admitted, but the caller won't send it
                self._unadmit(waiter)
            self._dispatch()
            raise
        except Stopped:  # the run's stop ended the wait: never admitted
            self._dispatch()
            raise
        finally:
            if waiting is not None:
                waiting.discard(waiter)
        shared = self._shared
        if shared is not None:
            limit = self._shared_limit()
            admit_now = self._admit_now
            if admit_now is None or not admit_now(op, limit):
                await self._shared_admit(waiter, limit, waiting)
                if self._clock.now() - waiter.at > self._width:
                    self._readmitted(waiter)
            held = self._shared_hold if hold else None
            if held is not None:  # (in this process and on Redis: until the answer)
                held()
        return waiter.at

    async def _shared_admit(self, waiter: _Waiter, limit: Limit,
                            waiting: set[Cancellable] | None) -> None:
        """The admission on the shared coordinator that may wait: a stop (``waiting``) ends
        it with ``Stopped``; refused, lost or cancelled, the local slot goes back."""
        assert self._shared is not None
        with anyio.CancelScope() as scope:
            if waiting is not None:
                waiting.add(scope)
            try:
                await self._shared.admit(waiter.op, limit,
                                         wait_for_reset=self._budget.wait_for_reset)
            except BaseException:
                self._unadmit(waiter)
                self._dispatch()
                raise
            finally:
                if waiting is not None:
                    waiting.discard(scope)
        if scope.cancelled_caught:
            raise Stopped("stopping")

    def _readmitted(self, waiter: _Waiter) -> None:
        """The shared coordinator admitted ``waiter`` now, more than a window after this
        scheduler did (it waited there: for the daily reset, another process's calls): its
        entries here move from that admission to now, as its slot on the coordinator
        counts from now. Dated at the admission here, a call held longer than
        ``HOLD_AT_MOST`` was found ``lapsed`` right before it left, let go and asked again:
        the reset probe a coordinated wait took (the ``probe`` key) was refused then, and
        no check went out, at any half hour (x50r2 F1)."""
        op, old, now = waiter.op, waiter.at, self._clock.now()
        if waiter.hold:
            if (old, op.search) in self._flying:
                self._flying.remove((old, op.search))
            elif old in self._admits:  # (let go by ``_prune``, unanswered: as sent then)
                for times in (self._admits, self._searches) if op.search else (self._admits,):
                    if old in times:
                        times.remove(old)
            bisect.insort(self._flying, (now, op.search))
        else:
            for times in (self._admits, self._searches) if op.search else (self._admits,):
                if old in times:
                    times.remove(old)
                bisect.insort(times, now)
        log = self._sent_log
        i = bisect.bisect_left(log, old - _EPS)
        if i < len(log) and log[i] <= old + _EPS:
            del log[i]
        bisect.insort(log, now)
        waiter.at = now

    def leaving(self, op: Operation, admitted: float) -> None:
        """The call admitted at ``admitted`` (``acquire``'s return) leaves now: its window
        entries move to now. Between admission and the send a call may wait (its charge
        written to the job's ledger, a claim confirmed, a busy event loop); the server
        counts it no earlier than it leaves, and a window dated at the admission would
        free its slot that much too soon (measured on virtual time: 23-41 overfull 2-s
        spans in 600 calls with a 0-400 ms gap, 0 with it)."""
        now = self._clock.now()
        if self._shared is not None:
            self._shared.leaving(self._clock.wall())  # (now, on the wall clock)
        # From here the call holds its slot until its answer (``observe``, ``rate_limited``,
        # ``not_sent``, ``unanswered``) dates it: the server counts it somewhere between the
        # send and the answer, which a starved loop may put more than a window apart (f23d).
        # An admission entry already out of the window (the call waited longer than one)
        # is none to take off: the call is held all the same, not sent uncounted.
        flying = self._flying
        i = bisect.bisect_left(flying, (admitted - _EPS, False))
        while i < len(flying) and flying[i][0] <= admitted + _EPS and flying[i][1] != op.search:
            i += 1
        if i < len(flying) and flying[i][0] <= admitted + _EPS:
            del flying[i]  # held since its admission (``acquire(hold=True)``)
        else:
            for times in (self._admits, self._searches) if op.search else (self._admits,):
                i = bisect.bisect_left(times, admitted - _EPS)
                if i < len(times) and times[i] <= admitted + _EPS:
                    del times[i]
        bisect.insort(flying, (now, op.search))
        # the send log too (``_count_others``): a call that waited long between its admission
        # and its send, dated at the admission, was not counted as ours (x19r3 F3)
        log = self._sent_log
        i = bisect.bisect_left(log, admitted - _EPS)
        if i < len(log) and log[i] <= admitted + _EPS:
            del log[i]
        bisect.insort(log, now)

    def _land(self, op: Operation, sent: float) -> float | None:
        """Take off the held calls the one of ``op``'s kind that left last at or before
        ``sent``; its send time (None: no such call is held)."""
        flying = self._flying
        i = bisect.bisect_right(flying, (sent + _EPS, True)) - 1
        while i >= 0 and flying[i][1] != op.search:
            i -= 1
        return flying.pop(i)[0] if i >= 0 else None

    def _date(self, op: Operation, at: float) -> None:
        """Put a call's entries in the windows at ``at`` (when the server counted it, at
        the latest)."""
        for times in (self._admits, self._searches) if op.search else (self._admits,):
            bisect.insort(times, at)

    def _held(self, search: bool) -> int:
        """Calls out without an answer (searches only: ``search``)."""
        return sum(1 for _, s in self._flying if s) if search else len(self._flying)

    def _held_by(self, search: bool, answered: float) -> int:
        """Calls out without an answer (searches only: ``search``) the server can have
        counted before it answered a call at ``answered``: those sent by ``answered`` less
        the fastest round trip (less ``_allow``, the margin a later call may beat it by).
        One sent later had not reached it when that answer left it, as its way there and
        the answer's way back take no less than the fastest round trip. Counted as this
        process's in the server's count (``_apply``), they hid as many of another client's
        calls (the window-share script at 0.8: 6 of its ~9.5 calls in the window unseen on
        average; 1.2 % of its calls refused, 0.06 % counted so)."""
        by = answered - self._there_and_back + _EPS
        flying = self._flying
        if not search:
            return bisect.bisect_right(flying, (by, True))
        return sum(1 for sent, s in flying if s and sent <= by)

    def lapsed(self, op: Operation, admitted: float) -> bool:
        """Whether the slot held since ``admitted`` (``acquire(hold=True)``'s return) may
        have been given to another call by now: asked right before the call leaves (before
        ``leaving``), after whatever came between its admission and its send (a claim's
        check, the ledger's write, a blocked event loop: a GC pause, SQLite on the loop,
        aiohttp's set-up). True: the call must not leave on it; its slot is let go here and
        on a shared coordinator (as ``dropped``), and the caller refunds its tokens
        (``refund``) and asks ``acquire`` again. A slot lapses here ``HOLD_AT_MOST`` after
        its admission (``_prune``); on Redis when its entry, renewed every quarter window
        while the loop runs, may have left the shared window (``RedisCoordinator.lapsed``:
        f48d, a starting process's loop blocked 0.6-2.5 s between its admission and its
        send, its entry lapsed a window and an eighth after its admission, another process
        took the slot and the server answered 429)."""
        now = self._clock.now()
        if admitted + HOLD_AT_MOST > now + _EPS:
            gone = self._shared_lapsed
            if gone is None or not gone():
                return False
            # (let go there already: the coordinator's slot is the one it found lapsed)
        else:
            drop = getattr(self._shared, "dropped", None)
            if drop is not None:
                drop(self._to_wall(admitted))
        self._answered(admitted, now)
        if self._land(op, admitted) is not None:
            self._dispatch()
        return True

    def dropped(self, op: Operation, admitted: float) -> None:
        """The call admitted at ``admitted`` with ``hold`` will not leave (its guard lost,
        its ledger write failed, the run stopping): the server never counts it, so its
        held slot goes. Its tokens go back by ``refund``. A shared coordinator dates its
        entry from the admission (in this process; Redis no longer renews it)."""
        drop = getattr(self._shared, "dropped", None)
        if drop is not None:
            drop(self._to_wall(admitted))
        self._answered(admitted, self._clock.now())
        if self._land(op, admitted) is not None:
            self._dispatch()

    def unanswered(self, op: Operation, sent_at: float) -> None:
        """The call that left at ``sent_at`` (``leaving``) got no answer (lost on the way
        back, timed out, cancelled in flight): the server may have counted it at any time
        until now, so its slot is dated now."""
        now = self._clock.now()
        if self._land(op, sent_at) is not None:
            self._date(op, now)
        self._answered(sent_at, now)
        if self._shared is not None:
            off = self._wall_offset()
            self._shared.answered(sent_at + off, now + off, heard=False)
        self._dispatch()

    def not_sent(self, op: Operation, sent_at: float) -> None:
        """The call that left at ``sent_at`` (``leaving``) never reached the server
        (``RequestNotSent``: connection refused, DNS, TLS): Pipedrive did not count it, so
        its window entries go (the latest at or before ``sent_at``). Its tokens go back by
        ``refund``. A shared coordinator keeps its account-wide entry, dated at the send (it
        frees a window later: conservative). Without this, an account that does not answer
        filled the window with calls that never left, and each retry waited a window
        (2 s) for a slot: 33 s before ``the account is not answering``."""
        if self._land(op, sent_at) is None:
            for times in (self._admits, self._searches) if op.search else (self._admits,):
                i = bisect.bisect_right(times, sent_at + _EPS) - 1
                if i >= 0:  # else it has left the window already
                    del times[i]
        self._answered(sent_at, self._clock.now())
        if self._shared is not None:
            sent = self._to_wall(sent_at)
            self._shared.answered(sent, sent)
        self._dispatch()

    def _shared_limit(self) -> Limit:
        # an unanswered call counts from its admission until a window after it may have
        # arrived: an eighth of a window plus the fastest round trip seen (0.35 s at 2 s)
        ahead = self._width / 8 + (self._fastest if self._fastest < math.inf else 0.0)
        wall, turn = self._clock.wall() + _WALL_EPS, self._roll_at
        # (``next_reset``, read only when the wall is not in this scheduler's day)
        day_ends = turn if turn - self._day_seconds <= wall < turn else self.next_reset()
        key = (self._cap(self._clock.now()), self._search_cap(), self._usable, self._day,
               day_ends, min(ahead, self._width / 2), self._daily)
        # the same limit as the last admission's, as a rule: one object, not one a call
        limit = self._limit
        if limit is None or key != self._limit_key:
            burst, search, usable, day, ends, ahead, daily = self._limit_key = key
            limit = self._limit = Limit(
                width=self._width, burst=burst, search=search, day_limit=usable, day=day,
                day_ends=ends, ahead=ahead, day_seconds=self._day_seconds,
                whole_day=usable >= daily, daily=daily)
        return limit

    def _to_wall(self, t: float) -> float:
        """``t`` (``clock.now()`` seconds) on the wall clock (Unix seconds)."""
        return t + self._wall_offset()

    def _wall_offset(self) -> float:
        """What to add to a ``clock.now()`` time to have it on the wall clock: read once
        where an answer converts two times (two clock reads, not four: issue 8, ~26 reads
        a request at Growth)."""
        return self._clock.wall() - self._clock.now()

    def observe(self, op: Operation, rate: RateHeaders | None, *,
                sent_at: float | None = None) -> None:
        """Feedback from any response but a 429: its headers correct the accounting.

        ``sent_at`` (clock.now() when the call went out) dates the headers: the
        server counted no earlier. Without it, now is assumed, which over-waits by
        the response's latency (2 s + RTT per window instead of 2 s)."""
        now = self._clock.now()
        sent = now if sent_at is None else min(sent_at, now)
        if self._clock.wall() + _WALL_EPS >= self._roll_at:  # (``_roll``'s own test, inline:
            self._roll()  # on every answer and dispatch, it rolls once a day: issue 8)
        self._probing = False
        if self._reset_probe is not None and self._reset_probe[0] is op:
            # answered, not 429: the server's day began before the one this process counts
            # (x16r1 F1: it slept on to UTC midnight with the budget back): its figure
            self._reset_probe, self._spent_day, self._probe_after = None, None, math.inf
            self._today = (self._daily - rate.daily_token_remaining
                           if rate is not None and rate.daily_token_remaining is not None
                           else op.token_cost)
            self._seen_today = self._today
            self._server_said = rate is not None and rate.daily_token_remaining is not None
            self._told_reset = None
            _log.warning("the server's daily budget is back (a call went through at %s "
                         "UTC): going on (--wait-for-reset)",
                         time.strftime("%H:%M:%S", time.gmtime(self._clock.wall())))
        if sent >= self._pause_end - _EPS:
            self._streak = 0  # a call sent after the last pause got through
        if sent_at is not None:
            self._redate(op, sent, now)
            lo = bisect.bisect_right(self._admits, sent - self._width + _EPS)
            self._proven = max(self._proven,
                               bisect.bisect_right(self._admits, sent + _EPS) - lo)
        if rate is not None:
            self._apply(op, rate, sent, windows=True, answered=now)
        self._answered(sent_at, now)
        self._dispatch()

    def rate_limited(self, op: Operation, rate: RateHeaders | None,
                     reset_after: float | None, *, sent_at: float | None = None) -> None:
        """A 429: pause every acquirer; repeated, or with the budget known spent: exhausted.
        ``sent_at``: when it left (``leaving``); the refused call stays in the window from
        its send (the server may count refused calls: unconfirmed)."""
        now = self._clock.now()
        if sent_at is not None:
            held = self._land(op, sent_at)
            if held is not None:
                self._date(op, held)
            if self._shared is not None:
                off = self._wall_offset()
                self._shared.answered(sent_at + off, now + off)
        self._roll()
        self._probing = False
        if self._reset_probe is not None and self._reset_probe[0] is op:
            self._reset_probe = None  # still spent: the next half hour asks again
            self._probe_after = self._half_hour_after(self._clock.wall())
        self._rate_limited += 1
        rate = rate or RateHeaders()
        # a 429 of a storm whose first came with room is the same cause's: its call left
        # before the pause, into the window the others' calls filled (its own count is the
        # looser by every call refused before it, which the server may not have counted)
        same = now < self._pause_end - _EPS and self._storm_roomy
        # a 429 whose daily header leaves fewer tokens than the call costs is the server's
        # budget refusing it, not a window with room (x34r3 F3: blamed on another client)
        budget = rate.daily_token_remaining is not None \
            and rate.daily_token_remaining < op.token_cost
        self._budget_refused += budget
        roomy = not budget and (same or self._had_room(op, rate, now, reset_after, sent_at))
        self._storm_roomy = roomy if now >= self._pause_end - _EPS else self._storm_roomy or roomy
        self._answered(sent_at, now)
        self._roomy += roomy
        self._roomy_unheard += roomy and not self._window_heard \
            and rate.limit is None and rate.remaining is None
        self._apply(op, rate, now, windows=False)
        named = next((w for w in (reset_after, rate.reset, rate.retry_after) if w is not None),
                     None)
        if now < self._pause_end - _EPS:  # an older call's 429 during the pause: same storm
            self._storm += 1
            if named is not None and now + named > self._pause_end:
                self._pause(now + named)
        else:
            self._streak, self._storm, self._pauses = self._streak + 1, 1, self._pauses + 1
            wait = self._width if named is None else named
            if self._streak > 1:  # the last pause did not help: wait at least a full window
                wait = max(wait, self._width)
            self._pause(now + wait + self._rng.uniform(0, _JITTER * self._limits.window))
        if op.search:  # the search window refused it: its own reserve, not the burst's
            self._spare_search(now)
        else:
            self._spare_burst(op, rate, now)
        # 429s in a row prove nothing about the day when the headers name the window as
        # the cause (another process on this token keeps filling it) or tokens left today.
        window_full = rate.remaining == 0 or bool(rate.daily_token_remaining)
        if (rate.daily_token_remaining == 0 or self._today >= self._daily
                or (self._streak >= _EXHAUSTED_AFTER and not window_full)):
            if self._spent_day != self._day:
                self._probe_after = self._half_hour_after(self._clock.wall())
            self._spent_day = self._day
        self._dispatch()

    def _spare_search(self, now: float) -> None:
        """A search 429: keep that many search slots spare, one more per storm, half the
        search limit at most; one goes back per quiet spell (``_search_cap``), a spell
        twice as long after each storm that follows a give-back (at most 16 times
        ``_SPARE_FOR`` windows). Search answers' window headers are the burst window's,
        so nothing settles it sooner."""
        if self._storm == 1 and self._search_spell < 0:
            self._search_spell = min(-self._search_spell * 2, _SPARE_FOR * 16)
        grown = self._search_spare + 1 if self._storm == 1 else self._search_spare
        self._search_spare = min(max(1, self._search // 2), max(grown, self._storm))
        self._search_spare_at = now

    def _spare_burst(self, op: Operation, rate: RateHeaders, now: float) -> None:
        """A burst-window 429 (``rate_limited``): the burst's reserve, below."""
        # Each 429 of a storm was one call too many (someone else uses this token?):
        # keep that many slots spare, one more per storm, one back per quiet spell.
        # Without window headers the 429 is all there is to learn the account's burst
        # from (x11r2 7: a 10-request account taken for 40 got a 429 every 4 s to the
        # end): the spare may grow to all but one slot, and each storm that follows a
        # give-back doubles the quiet spell the next one waits for (at most 16 times)
        #
        # A window this process filled further before, answered, proves the account's
        # burst is not what a 429 at a lower fill suggests: someone else's calls filled it
        # (x13r3 F1: with 5xx retries thinning the sending, each outside storm taught a
        # burst of 2-3, and each doubled the quiet spell: 2.5 % of the allowed rate for
        # the rest of the run). Such a storm keeps one more slot spare, half the burst at
        # most, as a storm with window headers does.
        headerless = rate.limit is None and rate.remaining is None and rate.reset is None
        self._prune(now)
        fill = len(self._admits) + len(self._flying)  # this process's calls in the window
        learns = headerless and fill - 1 >= self._proven
        if learns and self._storm == 1 and self._given_back:
            self._spare_for = min(self._spare_for * 2, _SPARE_FOR * 16)
        if self._storm == 1:
            self._given_back = False
        most = self._burst - 1 if learns else self._burst // 2
        grown = self._spare + 1 if self._storm == 1 else self._spare
        if learns and fill > 2:  # the window held what this process sent in
            # it, less this call (fewer than 3: this process's sending explains nothing)
            grown = max(grown, self._burst - (fill - 1))
        self._spare, self._spare_at = min(most, max(grown, self._storm)), now

    def _had_room(self, op: Operation, rate: RateHeaders, now: float,
                  reset_after: float | None, sent: float | None = None) -> bool:
        """Whether a 429 came while the window had room: its headers said calls remained;
        or it named a wait longer than a window (a rolling window frees a slot within one:
        no burst window refused it) with tokens left today; or every call this process could
        have had in the server's window besides the refused one (``_ours``, from its send
        ``sent``; without it, every call admitted since a window, the slowest round trip
        and a quarter window before) was under the limit: another client's calls filled
        it (x32r4 F4: at full speed, counted from the sends alone, they never did); with a
        coordinator across processes, the shared window's count
        (every process's calls and the other clients' the headers showed) was. Then the
        server refused the call, not this process's pace (x22r2: a 429 storm on the server,
        no other client, was told "the pace came too close to the limits"). Not judged for
        a search: its answer's window headers are the burst window's (x32r3 3: search 429s
        beside another searching client were booked as refused with room)."""
        if op.search:
            return False
        if rate.remaining is not None and rate.remaining > 0:
            return True
        named = max((w for w in (reset_after, rate.reset, rate.retry_after) if w is not None),
                    default=None)
        if named is not None and named > self._width + _EPS \
                and rate.daily_token_remaining != 0 and self._today < self._daily:
            return True
        limit = rate.limit if rate.limit is not None else self._burst
        # A rolling window's reset names when its oldest call leaves (FACTS.md: rolling 2 s;
        # the sandbox's ``Window.reset_in``): a window full when the refused call came held
        # ``limit`` calls that all came within the window less that reset before it. At full
        # pace the whole window holds ~the limit of this run's calls, so the count over the
        # whole window blamed a server's storm (reset: the storm's end, 0.8-1 s) on the pace
        # (x52r7 F1: 11 of 52 429s, 3 of 30, 1 of 40, every one the sandbox's own); over
        # the window less the reset, a storm's 429 meets half a window of the run's calls
        # while the pace's (the oldest call leaving soon) meets the full count as before.
        # Less the header's rounding (up to the ms) and the clocks' skew: ``_reset_cut``.
        cut = self._reset_cut(rate)
        if self._across_on:  # the fleet's count: the shared window as of the last admission
            # (x27r2 5: an injected 429 storm under a coordinator was blamed on the pace)
            shared = self._shared.statistics() if self._shared is not None else None
            return shared is not None and shared.window_fill < limit
        if getattr(self._shared, "judges_others", False):  # this process's engines: every
            # one's calls (this one's alone: a window its siblings filled had room, x36r1),
            # not another client's (x48r10 F2: a window it filled was blamed on the pace)
            fill = getattr(self._shared, "own_fill", None)
            if fill is not None:  # (its entries after the wall less the window less ``cut``)
                return int(fill(self._clock.wall() + cut)) < limit
        if sent is not None:  # the refused call itself is none of the server's count
            # its own round trip, a 429's (no ``_redate``), is the first sign of a way there
            # that got shorter: taken as the least, the calls it overtook stay counted
            # (else a run alone whose latency fell told its own 429s to be another client's)
            sent = min(sent, now)
            way = min(self._there_and_back, max(0.0, now - sent - self._allow))
            return self._ours(sent, now, way=way, cut=cut) - 1 < limit
        since = now - self._width - self._slowest - self._width / 4 + cut
        ours = len(self._sent_log) - bisect.bisect_left(self._sent_log, since)
        return ours < limit

    def _reset_cut(self, rate: RateHeaders) -> float:
        """Of the server's window, in seconds, the part before its oldest call a 429's
        headers name (``rate.reset``: when that call leaves a rolling window) that none of
        the calls filling it can have come in: the reset less its rounding up (the
        sandbox's: to the ms, ``format_seconds``) and the clocks' skew over a window
        (``CLOCK_SKEW``), never below 0 nor above the window (``_reach``); 0.0 without a
        reset (the whole window counts, as before)."""
        if rate.reset is None:
            return 0.0
        slack = 1e-3 + CLOCK_SKEW * self._reach
        return min(self._reach, max(0.0, rate.reset - slack))

    def refund(self, op: Operation) -> None:
        """Pipedrive did not charge ``op`` (never sent, or 429): give its tokens back."""
        self._roll()
        self._uncharge(op.token_cost, self._day)
        if self._shared is not None:
            self._shared.refunded(op, self._day)
        self._dispatch()

    def next_reset(self) -> float:
        """Wall time of the next daily reset: the next multiple of day_seconds since epoch,
        or the server's next midnight where it is known (``_set_midnight``)."""
        return (self._day_of(self._clock.wall()) + 1) * self._day_seconds + self._shift()

    @property
    def others_seen(self) -> int:
        """Answers whose window headers counted more calls than this process could have
        sent in that window (``_count_others``): evidence of another client. With a
        coordinator across processes, more than all of theirs (its ``others_answers``:
        the peers' calls are no other client's, x34r3 F3)."""
        if self._across_on:
            return int(getattr(self._shared, "others_answers", 0))
        # with this process's engines on the account: its answers judged here while alone,
        # and those the shared state judged while it had company (x36r1)
        return self._others_seen + int(getattr(self._shared, "others_answers", 0))

    @property
    def reset_heard(self) -> float:
        """The longest ``x-ratelimit-reset`` of the burst window an answer named (seconds;
        0.0 when none did): the server's window is at least that long (FACTS.md: the reset
        is a duration). A ``PDBULK_WINDOW`` shorter than it is proven wrong; one no
        shorter is not (the 429 note, ``pdbulk.options.rate_limited_note``)."""
        return self._reset_heard

    @property
    def refused_with_room(self) -> int:
        """429s that came while the window had room (``_had_room``)."""
        return self._roomy

    @property
    def refused_for_budget(self) -> int:
        """429s whose daily header left fewer tokens than the call costs: the company's
        daily budget refused them (never counted in ``refused_with_room``)."""
        return self._budget_refused

    @property
    def refused_unheard(self) -> int:
        """Of ``refused_with_room``, the 429s that came before any answer carried a window
        header: the room was the configured plan's (``--plan`` / ``--oauth``), never the
        server's; the account may allow fewer calls than the plan says."""
        return self._roomy_unheard

    def statistics(self) -> SchedulerStats:
        """A snapshot of the live state (the progress bar and the benchmarks read it)."""
        now = self._clock.now()
        self._roll()
        self._prune(now)
        spent = self._spent_day == self._day
        return SchedulerStats(
            admitted=self._admitted, waiting=len(self._waiters), tokens_spent=self._tokens_spent,
            tokens_today=max(self._today, self._daily) if spent else self._today,
            daily_limit=self._daily, window_fill=len(self._admits) + len(self._flying),
            window_limit=self._cap(now), search_fill=len(self._searches) + self._held(True),
            window_burst=self._burst,
            pauses=self._pauses, rate_limited=self._rate_limited,
            others_seen=self.others_seen, refused_with_room=self._roomy,
            today_known=self._today_heard or spent, daily_heard=self._daily_heard,
            today_from="server" if spent else self._today_from,
            daily_recalled=self._day_recalled and not self._daily_heard,
            paused_until=self._pause_end if now < self._pause_end else None,
            shared=self._shared.statistics() if self._shared is not None else None,
            usable_daily=max(0, self._day_limit()),
            usable_today=0 if spent else max(0, min(self._daily, self._day_limit())
                                             - self._today),
            server_today=self._seen_today if self._server_said else None,
            own_today=self._own_today)

    def today_basis(self) -> str:
        """What the day's spend this scheduler counts (``tokens_today``) rests on, in words
        for a line that quotes it: the server's headers, or this process's own count and
        why it is above the server's figure (x32r1 / f33c: "376 of 400 used" where the
        server said 330)."""
        own, given, seen = self._own_today, self._given, self._seen_today
        if not self._server_said and self._recalled and self._today <= self._recalled:
            return ("by the server's headers to the last run on this account, kept in the "
                    "state folder")
        if self._server_said and self._today <= seen:
            return "by the server's headers" + (f"; {own} of them this process's" if own else "")
        if self._server_said:
            return (f"by this process's count: the server's headers said {seen}, and "
                    f"{self._today - seen} more are counted here"
                    + (f" (with the {given} given at the start)" if given else "")
                    + ": calls the server had not counted when it answered (in flight, or "
                    "sent since) or never charged (calls whose answer was lost)")
        return (f"by this process's count ({own} of its own calls"
                + (f", {given} given at the start" if given else "")
                + "): no answer has carried the server's daily figure yet")

    def __repr__(self) -> str:
        s = self.statistics()
        pause = f" paused_until={s.paused_until:.3f}" if s.paused_until is not None else ""
        return (f"<Scheduler window={s.window_fill}/{s.window_limit} search={s.search_fill}/"
                f"{self._search_cap()} waiting={s.waiting} today={s.tokens_today}/{s.daily_limit} "
                f"run={s.tokens_spent} 429s={s.rate_limited}{pause}>")

    # -- the dispatcher -------------------------------------------------------------------
    def _dispatch(self) -> None:
        """Admit every waiter that fits now, in order; arm one timer for the next one."""
        if not self._waiters:
            self._arm(math.inf)
            return
        now = self._clock.now()
        if self._clock.wall() + _WALL_EPS >= self._roll_at:  # (as in ``observe``)
            self._roll()
        self._prune(now)
        wake, held, searches_blocked = math.inf, 0, False
        kept: deque[_Waiter] = deque()
        waiters = self._waiters
        while waiters:
            waiter = waiters[0]
            op = waiter.op
            if waiter.fut.done():
                waiters.popleft()
                continue
            problem = self._budget_problem(op, held)
            probe = False
            if problem is not None and self._budget.wait_for_reset \
                    and problem.resets_at is not None and self._probe_now(op):
                problem, probe = None, True  # this call asks the server whether its day began
            if problem is None and not probe and self._reset_wait is not None \
                    and not self._wait_shared:
                self._waited(None)  # the budget has room again: the wait is over
            if problem is not None:
                if self._budget.wait_for_reset and problem.resets_at is not None:
                    if self._reset_wait is None:
                        self._waited(ResetWait(self._clock.wall(), problem.resets_at,
                                               self._next_probe() < math.inf, str(problem)))
                    wake = min(wake, now + min(problem.resets_at, self._next_probe())
                               - self._clock.wall())
                    if self._reset_wait is not None:
                        self._tell_reset(self._reset_wait)
                    break  # FIFO: nobody overtakes a call waiting for its budget
                waiters.popleft().fut.set_exception(problem)
                continue
            free_at = self._burst_free_at(now)
            if free_at > now + _EPS:
                wake = min(wake, free_at)
                break
            if op.search:
                search_at = max(self._free_at(self._searches, self._search_cap(),
                                              self._held(True)),
                                self._search_blocked_until)
                if searches_blocked or search_at > now + _EPS:
                    searches_blocked = True  # later searches queue behind this one
                    wake = min(wake, search_at)
                    held += op.token_cost
                    kept.append(waiters.popleft())
                    continue
            if self._probing and (self._admits or self._flying):
                # the probe is out: wait for its answer (or, lost, for its window to pass)
                wake = min(wake, self._flying[0][0] + HOLD_AT_MOST if self._flying
                           else self._admits[-1] + self._width)
                break
            lead = self._lead
            if lead is not None and lead is not waiter and self._leads_now(lead, now, held):
                waiters.remove(lead)  # (the slot the head had now: it takes the next)
                self._admit(lead, now)
                continue
            self._admit(waiters.popleft(), now)
        kept.extend(waiters)
        self._waiters = kept
        self._arm(wake)

    @property
    def reset_wait(self) -> ResetWait | None:
        """The wait for the daily reset under way (``--wait-for-reset``), or None."""
        return self._reset_wait

    def reset_wait_brief(self) -> str | None:
        """The wait for the daily reset under way in a few words, naming until when (the
        progress shows it in place of an estimate), or None."""
        wait = self._reset_wait
        if wait is None:
            return None
        wall = self._clock.wall()
        if wait.probing:
            at = min(self.half_hour_after(wall), wait.until)
            return f"waiting for the daily reset (next check {_utc(at)[11:]})"
        return f"waiting for the daily reset (until {_utc(wait.until)})"

    def _waited(self, wait: ResetWait | None) -> None:
        self._reset_wait = wait
        if self.on_reset_wait is not None:
            self.on_reset_wait(wait)

    @staticmethod
    def half_hour_after(wall: float) -> float:
        """A minute past the next half hour after ``wall``: when the next reset probe may
        go (``pdbulk status`` names it)."""
        return Scheduler._half_hour_after(wall)

    @staticmethod
    def _half_hour_after(wall: float) -> float:
        """A minute past the next half hour after ``wall`` (a time zone's midnight falls on
        a half hour: the server's daily reset, FACTS.md)."""
        return (math.floor(wall / RESET_PROBE_EVERY) + 1) * RESET_PROBE_EVERY + RESET_PROBE_LATE

    def _next_probe(self) -> float:
        """Wall time of the next reset probe: while the wait is for the company's budget
        (the server said it is spent, or this process counts it all used: x16r3 2, no
        429 came), a minute past the next half hour. inf while a share or reserve is what
        is spent (a probe answered would be charged beyond it). With a coordinator shared
        across processes too (x21r1 F1: coordinated runs slept to UTC midnight while the
        server's day had begun): the coordinator lets one process's probe through."""
        if not (self._spent_day == self._day or self._day_limit() >= self._daily):
            return math.inf
        if self._probe_after == math.inf:
            self._probe_after = self._half_hour_after(self._clock.wall())
        out = self._reset_probe
        return self._probe_after if out is None else max(self._probe_after, out[1] + 60.0)

    def _probe_now(self, op: Operation) -> bool:
        """Whether ``op`` goes out as the reset probe now: the server said today's budget
        is spent, the next half hour since (``_next_probe``) has come, and no probe is out
        (one unanswered for a minute is given up). A probe the server refuses is a 429,
        which costs no tokens (FACTS.md); one answered means the budget is back."""
        wall = self._clock.wall()
        if wall < self._next_probe():  # (a probe out for less than a minute: not yet)
            return False
        self._reset_probe = (op, wall)
        return True

    def _arm(self, at: float) -> None:
        """The one timer wakes the dispatcher at ``at`` (inf: never). A later time keeps
        the timer running (it wakes at the old time and sleeps on: one wake-up, where a
        cancel and a new timer cost more); an earlier one replaces it. At Growth's pace
        the answer of each call moves the next slot a little later. On the system's clock
        it is a loop timer (``call_later``, as ``asyncio.sleep`` makes one), not a task
        that sleeps: no task, no coroutine and two loop steps fewer per wake-up (issue 8)."""
        timer = self._timer
        if timer is not None and self._ticking(timer):
            if at == self._timer_at or math.inf > at > self._timer_at:
                self._timer_at = at
                return
            timer.cancel()
        self._timer, self._timer_at = None, at
        if at < math.inf:
            loop = self._timer_loop = asyncio.get_running_loop()
            if _system_time(self._clock):
                self._timer = loop.call_later(max(0.0, at - self._clock.now()), self._ring)
            else:
                self._timer = loop.create_task(self._tick())

    def _ticking(self, timer: asyncio.Task[None] | asyncio.TimerHandle) -> bool:
        """Whether ``timer`` will still wake the dispatcher (not done, not cancelled, its
        loop not closed: a scheduler may outlive the loop it ran on)."""
        if isinstance(timer, asyncio.Task):
            return not timer.done()
        loop = self._timer_loop
        return not timer.cancelled() and loop is not None and not loop.is_closed()

    def _ring(self) -> None:
        """The loop timer's callback (system clock): sleeps on if the time moved later,
        else dispatches. It sleeps on for ``_TIMER_TICK`` at least: uvloop (libuv) keeps
        its timers in whole milliseconds, truncated, so a callback runs up to 1 ms before
        its time, and a timer re-armed for the rest (under 1 ms) ran at once, again and
        again until the time came (issue 8: 20-29 of these callbacks per request at
        Growth, each a loop turn; ~86 per wake-up on a bare uvloop timer)."""
        delay = self._timer_at - self._clock.now()
        if delay > _EPS and self._timer_loop is not None:
            self._timer = self._timer_loop.call_later(max(delay, _TIMER_TICK), self._ring)
            return
        self._timer = None
        self._dispatch_or_fail()

    async def _tick(self) -> None:
        # The delay is taken when the task starts, not when it was made: on a busy loop
        # the start comes later, and every slot would be that much late (issue 8).
        while (delay := self._timer_at - self._clock.now()) > _EPS:
            await self._clock.sleep(delay)
        self._timer = None
        self._dispatch_or_fail()

    def _dispatch_or_fail(self) -> None:
        try:
            self._dispatch()
        except Exception as exc:  # a bug here must fail the waiters, not strand them
            for waiter in self._waiters:
                if not waiter.fut.done():
                    waiter.fut.set_exception(exc)
            self._waiters.clear()
            raise

    # -- windows --------------------------------------------------------------------------
    def _pause(self, until: float) -> None:
        if self._shared is not None:
            self._shared.paused(self._to_wall(until))
        self._pause_end = until
        self._blocked_until = max(self._blocked_until, until)
        self._ramp_until = until + self._width

    def _prune(self, now: float) -> None:
        flying = self._flying
        while flying and flying[0][0] + HOLD_AT_MOST <= now + _EPS:
            sent, search = flying.pop(0)  # no answer settled it (HOLD_AT_MOST): its send
            for times in (self._admits, self._searches) if search else (self._admits,):
                bisect.insort(times, sent)
        gone = now + _EPS - self._width - self._allow  # (``_allow``: this process's slots)
        kept = gone - self._slowest - self._width / 4  # ``_own_since``'s reach
        for times, others, left in zip((self._admits, self._searches), self._others,
                                       self._left, strict=True):
            while times and times[0] <= gone:
                at = times.popleft()
                if others and others[0] == at:
                    others.pop(0)  # another client's (``_keep_others``), not ours
                else:
                    left.append(at)
            while others and others[0] <= gone:
                others.pop(0)
            while left and left[0] <= kept:
                left.popleft()

    def _in_window(self, times: deque[float], at: float) -> int:
        """The entries of ``times`` (a window, pruned) within a window before ``at``: those
        kept the ``_allow`` longer count only as slots, not in a comparison with the
        server's count (``_apply``)."""
        return len(times) - bisect.bisect_right(times, at + _EPS - self._width)

    def _own_since(self, search: bool, sent: float) -> int:
        """This process's entries of the window (``search``: the search window's) that
        were in it at ``sent`` and have left since: the window a call's headers describe
        is the server's somewhere between its send and its answer, and the dispatcher
        prunes at every wake-up meanwhile. Counted as gone, they made the server's count
        look higher than ours, and phantom entries for "another client" took a slot, up to
        a window each (issue 8: 1-6 a run alone at Growth, 150 ± 50 ms; a 1.1-s hole in
        the sending where one stood already: 0.92-0.93 of the allowed rate in 6 of 11
        traced runs, 0.95-0.96 in the others)."""
        left, since, n = self._left[search], sent + _EPS - self._width, 0
        for at in reversed(left):
            if at <= since:
                break
            n += 1
        return n

    def _free_at(self, times: deque[float], cap: int, held: int = 0) -> float:
        """When the window (pruned) next has room under ``cap`` with ``held`` calls out
        unanswered; -inf if it has room now. Held calls free nothing by time: an answer
        does (it dispatches), or ``HOLD_AT_MOST``."""
        cap -= held
        if cap <= 0:
            return self._flying[0][0] + HOLD_AT_MOST
        return times[len(times) - cap] + self._width + self._allow if len(times) >= cap \
            else -math.inf

    def _burst_free_at(self, now: float) -> float:
        cap, held = self._cap(now), len(self._flying)
        full = max(self._free_at(self._admits, cap, held), self._blocked_until)
        if now + _EPS >= self._ramp_until:
            return full
        # after a 429 pause: half a burst until the ramp ends, then the full burst
        half = max(self._free_at(self._admits, max(1, cap // 2), held), self._blocked_until)
        return min(half if half < self._ramp_until else math.inf, max(full, self._ramp_until))

    def _cap(self, now: float) -> int:
        """The burst less the slots kept spare since the last 429s, and at most the job's
        share of it (``Limits.window_share``: both keep room for another client, so the
        larger reserve holds)."""
        if self._spare:
            spell = self._spare_for * self._width
            back = min(self._spare, math.floor((now - self._spare_at + _EPS) / spell))
            self._spare, self._spare_at = self._spare - back, self._spare_at + back * spell
            self._given_back = self._given_back or back > 0
        return min(self._burst_share, self._burst - self._spare)

    def _search_cap(self) -> int:
        """The search window's requests this job admits: its share of the search limit, less
        the slots kept spare since the last search 429s (``_spare_search``: one back per
        quiet spell), the larger reserve holding."""
        if self._search_spare:
            spell, now = abs(self._search_spell) * self._width, self._clock.now()
            back = min(self._search_spare,
                       math.floor((now - self._search_spare_at + _EPS) / spell))
            self._search_spare -= back
            self._search_spare_at += back * spell
            if back:
                self._search_spell = -abs(self._search_spell)
        return min(share_of(self._search, self._limits.window_share),
                   self._search - self._search_spare)

    def _leads_now(self, lead: _Waiter, now: float, held: int) -> bool:
        """Whether ``lead`` (``acquire``'s ``ahead``) is admitted now, before the calls
        queued ahead of it, the head of which the window has room for now: only when each
        of those still has a slot within ``_lead_by`` seconds of now after it (as the
        window's entries free them: a call out unanswered frees none by time), the budget
        has room for it beside them (``held``: the tokens of searches held back before
        them), the run is alone on the window (``alone``: another client's calls would
        take the room counted on) and no 429's ramp or search is involved. Then its
        answer is back about as the last of them goes, and what waited for it follows at
        once: read that early, it is at most about that round trip older when its batch's
        last write goes than a read after them all (issue 8, Growth at 150 ± 50 ms on
        virtual time: 2.29 s / 2.26 s where 2.19 / 2.09 were; f51n's read ahead of a
        window's room: 3.5 s). Clears ``_lead`` once it is admitted or gone."""
        waiters = self._waiters
        if lead.fut.done():  # (admitted in order, or failed)
            self._lead = None
            return False
        if lead.op.search:
            return False
        try:
            before = waiters.index(lead)  # the calls it overtakes (a cancelled one: counted)
        except ValueError:  # (gone from the queue)
            self._lead = None
            return False
        times, cap = self._admits, self._cap(now) - len(self._flying)
        last = len(times) - cap + before  # the entry whose leaving admits the last of them
        if last >= 0 and (last >= len(times)
                          or times[last] + self._width + self._allow > now + self._lead_by):
            return False
        if now + _EPS < self._ramp_until or not self.alone():
            return False
        costs = sum(w.op.token_cost for w in itertools.islice(waiters, before))
        if self._budget_problem(lead.op, held + costs) is not None:
            return False
        self._lead = None
        return True

    def _admit(self, waiter: _Waiter, now: float) -> None:
        op = waiter.op
        waiter.at, waiter.day = now, self._day
        self._sent_log.append(now)
        if waiter.hold:
            bisect.insort(self._flying, (now, op.search))
        else:
            bisect.insort(self._admits, now)
            if op.search:
                bisect.insort(self._searches, now)
        self._admitted += 1
        self._tokens_spent += op.token_cost
        self._today += op.token_cost
        self._own_today += op.token_cost
        second, log = math.floor(now), self._spend_log
        self._spend_logged += op.token_cost
        if log and log[-1][0] == second:
            log[-1][1] += op.token_cost
        else:
            log.append([second, op.token_cost])
            while log[0][0] < second - HOLD_AT_MOST - 2:
                self._spend_logged -= log.popleft()[1]
        waiter.fut.set_result(None)

    def _unadmit(self, waiter: _Waiter) -> None:
        if waiter.hold:
            if (waiter.at, waiter.op.search) in self._flying:
                self._flying.remove((waiter.at, waiter.op.search))
        else:
            for times in (self._admits, self._searches) if waiter.op.search \
                    else (self._admits,):
                if waiter.at in times:
                    times.remove(waiter.at)
        self._admitted -= 1
        self._uncharge(waiter.op.token_cost, waiter.day)
        self._answered(waiter.at, self._clock.now())  # (its admission is in the send log)

    def _redate(self, op: Operation, sent: float, now: float) -> None:
        """Move the call's window entry (the latest one at or before ``sent``) to
        ``now - fastest round trip``, never earlier than it was. A call admitted a
        window after that entry then reaches the server a window after this one
        did, as long as one call's way there plus another's way back take no less
        than the fastest round trip seen (exact when the delay is all on the way
        there, as in the sandbox; the fastest of many round trips comes close to the
        fastest way there plus the fastest way back)."""
        rtt = now - sent
        trusted = self._rtts >= _TRUST_RTTS  # entries in the windows were dated with it
        faster = rtt < self._fastest
        if faster:
            if trusted:
                self._later(self._fastest - rtt)
            self._fastest = rtt
        self._slowest = max(self._slowest, rtt)
        self._rtts += 1
        if (faster or not trusted) and self._rtts >= _TRUST_RTTS \
                and (seen := getattr(self._shared, "fastest_seen", None)) is not None:
            seen(self._fastest)  # the shared windows date with the token's fastest
        quick = self._quick
        if len(quick) < _TRUST_RTTS or rtt < quick[-1]:
            bisect.insort(quick, rtt)
            if len(quick) > _TRUST_RTTS:
                quick.pop()
            if self._rtts >= _TRUST_RTTS:
                self._allow = quick[-1] - quick[0]
        if self._rtts >= _TRUST_RTTS:
            self._there_and_back = max(0.0, self._fastest - self._allow)
        # One round trip is no estimate of the fastest: until a few have been seen,
        # date the call at its answer (the server cannot have counted it later).
        at = now - (self._fastest if self._rtts >= _TRUST_RTTS else 0.0)
        if self._shared is not None:
            # (dated with the token's fastest round trip where the coordinator knows it:
            # ``fastest_seen``)
            off = self._wall_offset()
            self._shared.answered(sent + off, at + off)
        held = self._land(op, sent)
        if held is not None:  # it held its slot since it left (``leaving``)
            self._date(op, max(held, at))
            return
        if at <= sent + _EPS:
            return
        for times in (self._admits, self._searches) if op.search else (self._admits,):
            i = bisect.bisect_right(times, sent + _EPS) - 1
            if i >= 0:  # else it has left the window already
                del times[i]
                bisect.insort(times, at)

    def _later(self, by: float) -> None:
        """A faster round trip than any before (``by`` seconds faster): every entry in the
        windows moves ``by`` later. Each answered call was dated at its answer less the
        fastest round trip known then; with the faster one known now it is dated that much
        later, and the calls admitted from here on count from there. Left where it was, an
        entry dated with the slower figure freed its slot too soon: the first window's
        calls, answered while the connections were still being opened (each one's way
        there a few ms to tens of ms longer), taught a fastest round trip later calls beat,
        and the first calls of the second window arrived while the server's window was
        still full (f26e, the engine bench beside busy processes: the fastest round trip
        at the 8th answer 104-194 ms, at the end 101-105 ms; 1-5 429s in 6 of 17 runs at
        Ultimate-OAuth and 1 of 9 at Growth, each traced one among the first calls of the
        second window). Entries the figure did not date (those at an answer before it was
        trusted, the sends of refused calls, the others' calls) move too: later is only
        ever safer. The decreases of a minimum add up to what it fell by in all, so an
        entry ends up dated with today's figure whenever it was dated. A shared coordinator
        moves this process's entries in the account-wide windows alike (``later``: f27c,
        they freed their shared slots that much too soon for the other engines' calls);
        one that dates them with the token's fastest round trip (``fastest_seen``, told on
        each faster one: the least of every process's or engine's, f40d 2) moves them by
        what that one fell by instead."""
        self._admits = deque(t + by for t in self._admits)
        if self._searches:
            self._searches = deque(t + by for t in self._searches)
        for others in self._others:
            others[:] = [t + by for t in others]
        for left in self._left:
            if left:
                for i in range(len(left)):
                    left[i] += by
        if self._shared is not None and not hasattr(self._shared, "fastest_seen"):
            self._shared.later(by)  # (else ``fastest_seen`` moves them, by the token's)

    def _apply(self, op: Operation, rate: RateHeaders, now: float, *, windows: bool,
               answered: float | None = None) -> None:
        """Header feedback. Which window a search response's headers describe is
        unconfirmed: a limit above the search limit means the burst window (as in
        the sandbox); a lower or absent one is taken for the search window.

        ``now``: when the call went out; ``answered``: when its answer came. The server
        reads its ``reset`` somewhere in between: the calls of others (a ``plan`` run just
        before, another process) are dated from the answer, the later bound — dated from
        the send, their slot freed up to one round trip early (the demo's import, right
        after its plan: a 429 in 2 of 2 runs). Our own calls stay dated by the send."""
        late = now if answered is None else max(now, answered)
        search = op.search and (rate.limit is None or rate.limit <= self._search)
        if not search and (rate.limit is not None or rate.remaining is not None):
            self._window_heard = True
        if rate.limit is not None and rate.limit >= 1:
            if search:
                self._search = min(self._search, rate.limit)
            else:
                self._take_burst(rate.limit)
        if windows and rate.remaining is not None:
            reset = self._limits.window if rate.reset is None else rate.reset
            if not search:  # the server's window is at least as long as a reset it names
                self._reach = max(self._reach, reset)
                if rate.reset is not None and rate.reset > self._reset_heard:
                    self._reset_heard = rate.reset
            if not search:
                self._count_others(rate, now, late)
            self._prune(now)
            times, cap = (self._searches, self._search) if search else (self._admits, self._burst)
            # The server counts more than we do: others use this token too. Their calls
            # leave its window at unknown times: the oldest at the reset, the rest (safe
            # assumption) a full window from the answer. Phantom entries stand for them.
            stand = 0 if self._shared_counts_others() \
                else cap - self._in_window(times, now) - self._held_by(search, late) \
                - self._own_since(search, now) \
                - rate.remaining + len(self._others[search])
            others = stand - len(self._others[search])
            at = late if others > 0 else now
            if rate.remaining == 0:  # nobody before the server's reset
                if search:
                    self._search_blocked_until = max(self._search_blocked_until, at + reset)
                else:
                    self._blocked_until = max(self._blocked_until, at + reset)
            if self._shared is not None:  # every process on the token holds back until then
                off = self._wall_offset()
                # the calls the server's count can hold: dated (``_redate``) after the send
                # less a window, and admitted by the answer less the way there and back, on
                # the wall clock's tolerance: its ulps (~2.4e-7 s at 1.7e9) put the fastest
                # call's own admission after that bound, and a lone coordinated run counted
                # its own calls as another client's (5 answers of a round, FakeClock, f47a)
                dating = self._fastest if self._rtts >= _TRUST_RTTS else 0.0
                span = (now + off - self._reach - dating,
                        late + off - self._there_and_back + _WALL_EPS)
                self._shared.window_seen(rate.remaining, late + reset + off, cap,
                                         search=search, seen=late + off, span=span)
            if not search:
                self._settle_spare(late)
            self._keep_others(times, self._others[search], stand, late, reset)
        if rate.daily_token_limit is not None:
            self._set_daily(rate.daily_token_limit)
            self._daily_heard = True
            daily_seen = getattr(self._shared, "daily_seen", None)
            if daily_seen is not None:  # kept for the next run's first call (x37r2 F5)
                daily_seen(rate.daily_token_limit)
        if rate.daily_token_remaining is not None:
            self._today_heard = self._server_said = True
            self._today_from = "server"
            seen = self._daily - rate.daily_token_remaining
            # lower than the server said before, on a call sent after that answer: no late
            # answer's older figure, the server's count went down: its new day began (its
            # midnight is not UTC's: FACTS.md)
            before, before_at = self._seen_today, self._seen_at
            if before_at == -math.inf and self._prior is not None and self._midnight is None:
                # this process's first figure of the day: the company's last one, as another
                # process heard it (Redis: ``known_heard``), is the one it may be below
                # (x41r6 F1: a run begun after the reset never dated the server's midnight)
                before, before_at = self._prior
            self._prior = None
            began = seen < before and answered is not None and now > before_at
            if began and late - before_at < self._day_seconds / 12:  # (2 h: told close
                # enough to be of use; a wider gap would hold a spent day that long)
                self._seen_began = (before_at, late)
                self._set_midnight(late + self._wall_offset())
            if self._across_on and seen < self._seen_today:
                # a coordinator across processes owns the company's count: it follows a
                # lower figure as far as is safe (the server's new day: x27r2 1), and this
                # count, kept at the old day's highest, stopped the run on its own
                self._seen_today = self._today = seen
            if began:
                self._seen_today = seen
                # the server's new day, labelled as the day this process counted (its
                # midnight in the UTC day's first hours: no roll): what this process counted
                # of the day that ended goes, as at a roll — a 429's mark of the day spent
                # (its own probe's answer ends it too) and its own spend but the calls sent
                # since this one (x51r5 F5: after a wait through the reset, "0 are left today
                # (… the server said 4 used, this process counts 297)", then 40 deals made)
                if self._spent_day == self._day:
                    self._spent_day, self._probe_after = None, math.inf
                self._own_today = min(self._own_today, self._admitted_since(now))
            if seen >= self._seen_today:
                self._seen_today, self._seen_at = seen, late
            self._today = max(self._today, self._seen_today)
            if answered is not None and seen == self._seen_today and not self._across_on:
                # the server's figure is the day's spend as it answered; the company spent at
                # most that and the calls admitted here since (every call admitted reaches the
                # server within HOLD_AT_MOST or never, as the Redis coordinator's REALIGN
                # holds): a count above it (refunds not yet known, a day the server began)
                # follows it down that far, never below what the server may have counted
                self._today = min(self._today, seen + self._admitted_since(now - HOLD_AT_MOST))
            if self._shared is not None:
                self._shared.observed(self._daily - rate.daily_token_remaining, self._day)

    def _admitted_since(self, since: float) -> int:
        """Tokens of the calls this scheduler admitted from clock second ``floor(since)`` on
        (whole seconds: on the safe side), refunds not taken off."""
        first, total = math.floor(since), self._spend_logged
        for second, n in self._spend_log:  # the log keeps a minute: a few seconds before
            if second >= first:
                break
            total -= n
        return total

    def _keep_others(self, times: deque[float], others: list[float], stand: int,
                     late: float, reset: float) -> None:
        """The server counted ``stand`` calls of others (``stand`` <= 0: none) in a window
        (``times``, pruned) whose entries ``others`` stand for others' calls, read by
        ``late``: as many of those entries (the oldest) are dated ``late`` again (each of
        those calls leaves a window after it at the latest), and only the rest are added
        (the first at the server's ``reset`` when none stood, the others at ``late``);
        the surplus keeps its date and leaves. Left at the reading that added it, an entry
        for the call of a client that keeps sending left the window before a later reading
        put its successor in, and this process took the slot that client's next call held
        (f27c, as the coordinators' x23r3 F2: 9-10 429s a run beside a client spending 12
        of 40, FakeClock)."""
        kept = max(0, min(len(others), stand))
        for i in range(kept):
            if others[i] < late:
                if others[i] in times:
                    times.remove(others[i])
                bisect.insort(times, late)
                others[i] = late
        for i in range(stand - len(others)):
            at = late + min(reset, self._width) - self._width if i == 0 and not others \
                else late
            bisect.insort(times, at)
            bisect.insort(others, at)
        others.sort()

    def _take_burst(self, limit: int) -> None:
        """The burst the server's ``x-ratelimit-limit`` names for this token is the
        account's, taken as is, lower or higher than the configured plan's (f23k: with
        ``--plan ultimate`` on a Growth account a run went at 38.9 per 2 s against a plan
        of 120, 3.2 times its estimate; with ``--plan lite`` it went at 20 of the 40 allowed
        for its whole run). Widened only once the header was heard (an answer came), never
        before. A burst that differs from the configured one is said once per figure: the
        plan (--plan / --oauth) and the account disagree."""
        if limit != self._limits.burst and limit != self._told_burst:
            self._told_burst = limit
            _log.warning("the account allows %d requests per %g s on this token (the server's "
                         "x-ratelimit-limit), not the %d of the configured plan: going at "
                         "the account's %d; --plan (or --oauth) does not match this account",
                         limit, self._limits.window, self._limits.burst, limit)
        if limit != self._burst:
            self._burst = limit
            self._burst_share = share_of(limit, self._limits.window_share)

    def _count_others(self, rate: RateHeaders, sent: float, answered: float) -> None:
        """Whether the server's burst count (limit - remaining, read between ``sent`` and
        ``answered``) is above every call this process could have had in its window then
        (``_ours``). Only then did someone else spend the token's limits: the end-of-run note names
        another process on that evidence alone (x19r3 F3: a lone process, 429s with a
        0.1-s window, was told another process used the account's limits)."""
        assert rate.remaining is not None
        if self._across_on or getattr(self._shared, "judges_others", False):
            # the shared coordinator sees every engine's (process's) calls: it judges
            # (``window_seen``); judged here, a sibling's calls were another client's (x36r1)
            return
        if answered - self._width - self._slowest < self._born:
            return  # the server's window may hold a previous run's calls (x32r5 F4)
        limit = rate.limit if rate.limit is not None else self._burst
        used = limit - rate.remaining
        if used > self._ours(sent, answered, enough=used):
            self._others_seen += 1
            self._others_at = max(self._others_at, answered)

    def _ours(self, sent: float, answered: float, *, enough: int | None = None,
              way: float | None = None, cut: float = 0.0) -> int:
        """The most calls of this process the server's burst window can have held when it
        counted a call sent at ``sent`` and answered at ``answered`` (it counted it in
        between): every call sent by ``answered`` less the way there and back (one sent
        later was not counted yet: ``_there_and_back``; ``_sent_log``; admitted and
        not yet left: at its admission), less those answered a window less the way there
        and back or more before ``sent`` (``_done_log``: each arrived at least the way back
        before its answer, and the call the way there after its send, so the server's
        window had let it go; ``way``: that least way there and back, in seconds, where
        the caller knows a shorter one than ``_there_and_back``). Taken as a window from
        the answers alone, every call answered in the last round trip before a window
        had passed counted as still in it: at a window freed in a cluster (the runner's
        pool of a burst, f50d; the sandbox at 20 ms, 12 calls a window of another client
        beside the run) the previous burst's 19 answered calls made 38 sends of this one
        read 57 against a limit of 40, and another client's 429s were told to be the
        run's pace (refused_with_room 1 of 6). Calls sent more than the slowest round
        trip and a quarter window before that are not counted (answered by then, as a rule). Counted from the
        sends alone (all sent since a window, the slowest round trip and a quarter window
        before the answer), a run at full speed had ~1.5 windows of its own calls to
        explain any count: another client's calls beside it were never evidence, and its
        429s were told to be the run's own pace (x32r4 F4). The window is the longer of
        this process's and the server's as its resets show (``_reach``): one configured
        shorter than the server's made the run's own calls look like another client's.

        ``enough``: a count the caller compares with; when the sends less every answer
        of the span (a lower bound) reach it already, that bound is returned and the
        answers are not read one by one (issue 8: at 240 calls/s, ~1,200 answers kept and
        ~100 µs a call read them).

        ``cut``: seconds of the window's start none of the counted calls can be in (a 429's
        reset: ``_reset_cut``); a call answered that much later has left it too."""
        reach = self._reach
        lo = sent - reach - self._slowest - self._width / 4
        drop = answered - 4 * reach - 2 * self._slowest
        sends, done = self._sent_log, self._done_log
        while sends and sends[0] < drop:
            sends.popleft()
        while done and done[0][0] < drop:
            done.popleft()
        # (sent after the answer less the way there and back: not counted yet, ``_held_by``)
        way = self._there_and_back if way is None else way
        n = bisect.bisect_right(sends, answered - way + _EPS) - bisect.bisect_left(sends, lo)
        cut = sent - reach + cut + way + _EPS
        first = bisect.bisect_right(done, (lo, math.inf))
        if enough is not None:
            # the loop below takes at most one off per answer of (lo, cut]
            least = n - max(0, bisect.bisect_right(done, (cut, math.inf)) - first)
            if least >= enough:
                return least
        for i in range(first, len(done)):
            at, left = done[i]
            if at > cut:
                break
            n -= left > lo + _SENT_SLACK  # sent in the counted span and out of the window
        return n

    def _answered(self, sent: float | None, now: float) -> None:
        """A call that left at ``sent`` got its answer (or none will come) at ``now``: for
        ``_ours``. Without ``sent`` (a caller that did not say) it stays counted."""
        if sent is not None:
            done, sends = self._done_log, self._sent_log
            done.append((now, sent))
            # kept as long as ``_ours`` reads them; pruned here too: a server that sends no
            # window headers never asks ``_ours``, and the logs grew with the run
            drop = now - 4 * self._reach - 2 * self._slowest
            while done[0][0] < drop:
                done.popleft()
            while sends and sends[0] < drop:
                sends.popleft()

    def _settle_spare(self, at: float) -> None:
        """An answer with window headers at ``at``: once two windows have passed since the
        last 429 and since the server last counted calls nobody here made (another client:
        ``_count_others``, or across processes the coordinator's ``others_at``), the slots
        kept spare go back at once. The headers show the window's room; the spare stood
        for a client that has stopped (f23l: kept for 80 s after it did, one slot back per
        5 windows, the fleet at 52-70 % of the allowed rate). Without window headers the
        spare goes back by quiet windows alone (``_cap``)."""
        if not self._spare or at - self._spare_at < 2 * self._width:
            return
        if at - self._others_last() >= 2 * self._width:
            self._spare, self._given_back = 0, True

    def _others_last(self) -> float:
        """When (clock.now()) an answer last showed another client's calls in the burst
        window: this process's judgement (``_count_others``), or the shared coordinator's
        (``others_at``: across processes that one alone; with this process's engines,
        the later of the two); -inf: never."""
        others = self._others_at
        seen = getattr(self._shared, "others_at", None)
        if seen is not None:  # (this process's engines: what they judged together, too)
            seen = seen - self._clock.wall() + self._clock.now()
            others = seen if self._across_on else max(others, seen)
        elif self._across_on:
            others = -math.inf
        return others

    def alone(self) -> bool:
        """Whether the burst window is this run's alone as far as its answers show: no 429
        left slots spare (``_cap``), the answers have been judged for another client's
        calls (``_count_others``: not in the first window and slowest round trip, which
        may hold a previous run's calls) and none showed any for two windows (as
        ``_settle_spare``). The runner keeps a pool of a burst only then
        (``bulk.plans.in_flight_target``): beside another client the window's room is
        what that client leaves: a burst of calls into it drew 5-6 429s where the drip's
        pool drew 1 (the sandbox at 20 ms, 12 calls a window of the other's), and with
        jitter on the way there the evidence (``_ours``) counts a cluster's calls
        answered within the jitter of a window's edge as still in the window."""
        now = self._clock.now()
        return not self._spare and now - self._born >= self._width + self._slowest \
            and now - self._others_last() >= 2 * self._width

    # -- the daily budget -----------------------------------------------------------------
    def _day_of(self, wall: float) -> int:
        """The day index of ``wall``: UTC days, or the server's where its midnight is known
        (``_midnight``; each labelled by the UTC day it overlaps most)."""
        return math.floor((wall + _WALL_EPS - self._shift()) / self._day_seconds)

    def _shift(self) -> float:
        """Seconds from UTC's midnight to the server's (within half a day), 0 unknown."""
        if self._midnight is None:
            return 0.0
        d = self._day_seconds
        return (self._midnight + d / 2) % d - d / 2

    def _set_midnight(self, at: float) -> None:
        """One of the server's days surely began by wall ``at`` (its figure went down;
        its midnight is its time zone's, not named: FACTS.md "Rate limits"). This
        scheduler's days become the server's: a ``--budget-share`` or reserve spent waits
        for the server's next midnight, not UTC's (f39j 2: east of UTC 2 h too long, or a
        call let through at UTC midnight past the share and a day more of waiting), and the
        coordinator counts the same days (``Limit.day``, ``day_ends``): this process's, and
        Redis's, which keeps the midnight for the company's other processes so that every
        one labels its days alike (``midnight_seen``; f40d 3: a spent share's wait on Redis
        ended at UTC's midnight)."""
        said = getattr(self._shared, "midnight_seen", None)
        if said is not None and at != self._midnight:
            said(at)
        self._midnight = at
        day = self._day_of(self._clock.wall())
        if day > self._day:  # the server's new day: rolled now, not at UTC's midnight
            heard = self._today_heard, self._server_said, self._today_from
            self._roll_at = -math.inf
            self._roll()
            # (an answer that said its figure is being read: it is the new day's)
            self._today_heard, self._server_said, self._today_from = heard
        else:  # (the same day, or, the server west of UTC, the one it still is)
            self._day = day
            self._roll_at = (day + 1) * self._day_seconds + self._shift()

    def _shared_midnight(self, at: float) -> Limit:
        """Another process of the company saw the server's day begin by wall ``at``
        (``RedisCoordinator.on_midnight``, while this one waits for a share's new day):
        this scheduler's days become the server's, as its own answers would make them.
        Returns the limit of the day it is now (its end: the server's next midnight)."""
        self._set_midnight(at)
        return self._shared_limit()

    def company_named(self, company: str) -> None:
        """The run's first answer named ``company`` (GET /v1/users/me's ``company_id``),
        before its headers are observed. Where what ``attach`` took from the shared
        coordinator is another company's (Redis's record of the token on this account URL
        named it: the URL's company changed, a sandbox started again with another id), its
        last figure is no figure of this company's day (compared with it, a lower first
        figure read as this company's day beginning: x48r6 F1) and its midnight no midnight
        of this company's: both are forgotten, and this run's days are UTC's until its own
        answers date the server's. The daily budget taken is replaced by the answer's."""
        taken, self._taken = self._taken, None
        if taken is None or taken[0] == company:
            return
        self._prior = None
        if taken[1] is not None and self._midnight == taken[1]:
            self._midnight = None
            self._day = self._day_of(self._clock.wall())
            self._roll_at = (self._day + 1) * self._day_seconds

    def recall_midnight(self, at: float | None) -> None:
        """Before the first admission, take the server's midnight as the last run on the
        account saw it (``bulk.day_seen.midnight``: wall seconds by which one of its days
        surely began; None: not seen, UTC's midnight)."""
        if at is not None and self._midnight is None:
            self._set_midnight(at)

    def _roll(self) -> None:
        wall = self._clock.wall()
        if wall + _WALL_EPS < self._roll_at:  # (``_day_of`` would say the same day)
            return
        day = self._day_of(wall)
        if day > self._day:
            self._roll_at = (day + 1) * self._day_seconds + self._shift()
            self._day, self._today, self._own_today, self._seen_today = day, 0, 0, 0
            self._seen_at = -math.inf
            self._today_heard = self._server_said = False
            self._today_from = "plan"
            self._given = self._recalled = 0
            self._probe_after = math.inf
            # a new day's 429s owe nothing to the last one's
            self._streak = self._spare = self._search_spare = 0
            self._search_spell = _SPARE_FOR
            self._spare_for = _SPARE_FOR

    def _uncharge(self, cost: int, day: int) -> None:
        self._tokens_spent = max(0, self._tokens_spent - cost)
        if day == self._day:
            back = min(cost, self._own_today)
            self._own_today -= back
            self._today = max(self._seen_today, self._today - back)

    def _day_limit(self) -> int:
        """Tokens the job may see the company spend today: the daily budget less the
        reserve, at most its share (``BudgetPolicy``). Figured when the budget changes
        (``_set_daily``), read on every admission."""
        return self._usable

    def _set_daily(self, daily: int) -> None:
        """The company's daily budget is ``daily`` (tokens): ``_day_limit`` follows."""
        self._daily = daily
        self._usable = self._usable_of(daily)

    def _usable_of(self, daily: int) -> int:
        limit = daily - self._budget.reserve_tokens
        if self._budget.share is not None:
            limit = min(limit, math.floor(self._budget.share * daily))
        return limit

    def share_room(self, daily: int, spent: int) -> int | None:
        """Tokens this job's ``--budget-share`` / reserve leaves of a day whose daily budget
        is ``daily`` and whose company spend is ``spent`` (tokens; negative: past it); None
        where neither is set (the whole budget is usable)."""
        if self._budget.share is None and not self._budget.reserve_tokens:
            return None
        return self._usable_of(daily) - spent

    def _budget_problem(self, op: Operation, held: int) -> BudgetExhausted | None:
        """Why ``op`` cannot be charged now; ``resets_at`` is None if waiting can't help."""
        cost, cap, limit = op.token_cost, self._budget.max_tokens, self._day_limit()
        if cap is not None and self._tokens_spent + held + cost > cap:
            # the figure counts calls still in flight or queued on the coordinator: the
            # runner restates it from the settled spend when the run ends
            return BudgetExhausted(f"this run's cap of {counted(cap, 'token')} ({CAP_SETTING}) is spent "
                                   f"({self._tokens_spent} used; {op.id} needs {cost})",
                                   cap=cap, needs=f"{op.id} needs {cost}")
        if cost > limit:
            return BudgetExhausted(f"{op.id} needs {counted(cost, 'token')}; the usable daily budget "
                                   f"is {limit} of {self._daily}")
        if self._across_on:
            # the coordinator across processes gates the company's day (this job's share
            # or reserve too: ``Limit.day_limit``) and waits for its reset, looking again
            # each minute: held here on this count, a run waited for its own probe at the
            # half hour while another had seen the new day (x27r2 2: 12 minutes idle)
            return None
        if self._spent_day == self._day and self._today < self._daily:
            # the server refused a call for the day's budget, or said none is left, before
            # this process counted it spent (x11r2 6: "60000 of 60000 used" after 500)
            return BudgetExhausted(
                f"daily token budget: the server says today's budget is spent ({self._today} "
                f"of {self._daily} counted by this process); {op.id} needs {cost}",
                resets_at=self.next_reset())
        if self._spent_day != self._day and self._today + held + cost > limit \
                and limit < self._daily:
            # the share or reserve, not the company's budget (x11r3 F3: "usable 60; getStages
            # needs 5" read as a contradiction)
            return BudgetExhausted(
                f"daily token budget: this job may use {limit} of today's {self._daily} "
                f"tokens ({SHARE_SETTING}; or the reserve) and {self._today} are used today "
                f"({self.today_basis()}); {op.id} needs {cost}", resets_at=self.next_reset())
        if self._spent_day == self._day or self._today + held + cost > limit:
            # (spent: by this count; a server's word that it is, the branch above)
            return BudgetExhausted(
                f"daily token budget: {self._today} of {self._daily} used "
                f"({self.today_basis()}), usable {limit}; {op.id} needs {cost}",
                resets_at=self.next_reset())
        return None


__all__ = ["ASK_AFTER", "CLOCK_SKEW", "HOLD_AT_MOST", "WINDOW_MARGIN", "BudgetPolicy", "Cancellable",
           "Scheduler", "SchedulerStats"]
