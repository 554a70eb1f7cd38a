"""The shared coordinator on Redis: many processes (or machines), one account.

One Lua script admits a *batch* of queued calls in one atomic round trip (FIFO:
it stops at the first call that does not fit and says how long to wait, so no
process polls). Answers, 429 pauses, refunds and the window the server's headers
describe (``x-ratelimit-remaining`` / ``-reset``: the calls nobody here counted become
entries of the shared window until the reset) and a faster round trip than any
before (the LATER script, or FASTEST when the token's fastest falls: the windows' entries
move later) go back in one pipeline per
burst of them, off the call path. redis-py's asyncio client runs the scripts
(EVALSHA, re-loaded after a server restart).

Keys (``{t}`` = token fingerprint, never the token, and the account URL's key ``{u}``:
``pdbulk:t:{t}:url:{u}:…``, as ``start``'s ``account`` names it, so one token on two
companies' accounts has a window on each, x48r13 F3; ``pdbulk:t:{t}:…`` without one;
``{c}`` = company id)::

    pdbulk:t:{t}:burst    ZSET call -> wall time the server counted it   TTL 2 windows
                          (entries kept 2 windows: the window is the last one)
    pdbulk:t:{t}:search   ZSET, searches only                             TTL 2 windows
    pdbulk:t:{t}:pause    wall time a 429 pause ends                       TTL the pause
    pdbulk:t:{t}:others   wall time another client's calls were last seen TTL 4 windows
    pdbulk:t:{t}:born     HASH epoch, at: when this shared state began,   TTL 2 days, renewed
                          pruned: how far ADMIT pruned the windows (WINDOW)
    pdbulk:t:{t}:company:{u}  the company the token was last bound to on  TTL 2 days
                          the account URL keyed {u} (``start``'s ``account``; without one,
                          ``pdbulk:t:{t}:company``; this key is never under ``url:{u}``)
    pdbulk:t:{t}:fastest  the fastest round trip its processes trusted     TTL 10 minutes,
                          (seconds): answered calls are dated with it     renewed by each
                          (FASTEST, DATE)                                 answer
    pdbulk:c:{c}:daily    the company's daily budget (tokens) as last seen TTL 2 days
    pdbulk:c:{c}:midnight wall time by which one of the server's days began TTL 2 days
                          (its figure went down): every process's days are the server's
    pdbulk:c:{c}:day:{n}  tokens the company spent on day n (all tokens)  TTL end of day + 1 day
    pdbulk:c:{c}:day:{n}:at  HASH rolled: the read time of the server's figure the
                          spend last followed, cut: that REALIGN's cut;    TTL as the day's
                          heard, read: the latest figure and its read time
                          (HEARD; ``known_heard``)
    pdbulk:c:{c}:day:{n}:recent  HASH whole second -> tokens admitted in it,
                          the last _KEEP seconds (REALIGN)                 TTL as the day's
    pdbulk:c:{c}:day:{n}:done  HASH 'second admitted:second answered' -> tokens
                          of the calls answered, the last _KEEP seconds (REALIGN)  TTL 2 days
    pdbulk:c:{c}:probe    the process asking whether the day began, and    TTL the next probe
                          until when its claim holds ('proc@lease end':
                          15 s to send, HOLD_AT_MOST once its call went;
                          'proc@inf' once answered: ``_take_probe``)
    pdbulk:c:{c}:day:{n}:ask:{read}  the process asking whether a day spent and last
                          heard at ``read`` began (``_ask_stale``)         TTL ASK_AFTER
    pdbulk:c:{c}:procs    ZSET process id -> last admission (or ask)      TTL 2 minutes

Until the company is known (``bind``, after the process's first call, GET
/users/me) the day and procs keys are those of the company the token was last bound to
(``company``; x35r2 F3: on the token's own, that call went past a spent share), or the
token's (``pdbulk:t:{t}:day:{n}``) for a token never bound; what was spent there is
carried over to the company's day with the next admission. The company's daily budget as
an answer last said it (``daily``) is read with it (``known_daily``): before its first
answer a run's share is of that budget, not of the one its plan assumed (x37r2 F5: a
resume's GET /users/me went past a spent share, 2,001 of 2,000).

Shared state can be lost under a running fleet (``FLUSHALL``, a restart without
persistence, an eviction) while Pipedrive's window still holds the fleet's recent
calls and its day still counts their tokens. The birth marker (``born``) tells: a
process that admitted under one epoch and finds none, or another, knows the state
was lost. Then nobody on the token admits until one window (plus the ``ahead`` of an
unanswered call) has passed since the state was re-born: every call counted
before the loss has left the server's window by then. The day's spend is re-seeded
with the largest spend today each process had seen (the coordinator's count or the
server's daily header), never restarted from 0. A process new to the state cannot
tell a first start from a loss; its engine probes (one call, then the server's
headers) before it bursts.

The company's day is the server's, not UTC's (its time zone's midnight, not known
here): a figure from its daily headers below the shared spend may be its new day. Every
call admitted reaches the server within ``_QUIET`` seconds or never, so the company's
spend is at most that figure plus the tokens admitted since ``_QUIET`` before the
admission of the call that carried it: the shared spend follows that bound down (the
REALIGN script, offered every few seconds while a figure is lower, and at once when the
day is refused), while processes keep admitting; it is never below what the server may
have counted (x27r2 1: it followed only after a quiet minute, and a run stopped "budget
spent" with 3,466 of 4,000 free). The calls of that span answered before the figure's
call was admitted are not added (``done``): the server counted them first. A run waiting
for the reset (``--wait-for-reset``, the company's whole budget spent) asks the server at
a minute past each half hour, as a process alone does: one call, sent by one process
(``probe`` key), admitted past the budget; the others look again every ``_LOOK`` seconds.
A day spent that the server was last heard on ``ASK_AFTER`` seconds ago or more (or before
its known midnight) is asked the same way before a call is refused (a run begun after the
reset was refused until UTC's midnight: no figure came while the day refused every call).

A call admitted is held until its answer (``hold``: its entry dated ``now + ahead`` again
every quarter window, f27c); a process killed while holding window slots stops renewing
them and blocks nobody longer than a window and an ``ahead`` past its last renewal: its
entries age out of the sorted set like anyone's. Renewals run on the event loop: a call
whose process was blocked so long that its entry may have left the window before it left
is admitted again, not sent on a slot another process may have taken (``lapsed``, f48d).
What an answer says of the company's day before ``bind`` named the company is written
under it at ``bind`` (``daily_seen``, f48d). One token may call two companies' accounts (a
sandbox's default token; a token on a sandbox and on the real account): the company record
is the token's on the account URL, and what a record naming another company lent the run
is not this company's (``bind``, ``Scheduler.company_named``: x48r6 F1, F2). Redis errors become
:class:`~bulk.errors.CoordinatorLost` (terminal: the run stops checkpointed).

Why ~1500 lines: admission, the feedback pipeline, the lost-state re-birth and the wait for
the company's reset all read and write the same per-process picture of the shared state
(the queue, this process's entries, the epoch, the day's figures) around one ADMIT round
trip; the scripts themselves are in bulk.redis_scripts.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import os
import secrets
import socket
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

from .clock import Clock, SystemClock
from .coordinator import HOLD_AT_MOST, Limit, SharedStats, check_url, redacted
from .errors import BudgetExhausted, CoordinatorLost
from .operations import Operation
from .redis_scripts import (
    ADMIT,
    DATE,
    FASTEST,
    HEARD,
    LATER,
    PAUSE,
    REALIGN,
    REFUND,
    SWAP,
    WINDOW,
    blip_retry,
    connect,
    failure,
    lacks_script,
)
from .scheduler import ASK_AFTER, RESET_PROBE_EVERY, RESET_PROBE_LATE, ResetWait
from .wording import counted

_BATCH = 64  # admissions per round trip at most
# seconds: a process that admitted nothing (nor asked: a wait for the reset asks every
# _LOOK s) for this long is not counted; the ADMIT script's figure (30) too. A process
# killed was counted a minute after its last admission, and one waiting for the reset
# showed that figure until its next look a minute later (x27r2 6: "5 processes" for 2
# minutes after kills)
_ACTIVE = 30.0
_LOOK = 10.0
# seconds after the last admission by which every call admitted has reached the server (or
# timed out): a daily figure read later that is below the shared spend is the server's word
_QUIET = 60.0
# seconds: a claim of the half hour's reset probe (``probe`` key) whose call has not been
# admitted lapses, and another waiting process takes it over (``_take_probe``)
_PROBE_LEASE = 15.0
# seconds the tokens admitted each second are kept for REALIGN (ADMIT): more than twice
# the way back from a figure's answer to its call's admission (HOLD_AT_MOST) and _QUIET
_KEEP = 4 * _QUIET
# seconds between two offers of a lower daily figure to the shared spend (REALIGN) by one
# process while the day is not spent: one script run per few seconds, not per answer
_REALIGN_EVERY = 5.0
# seconds between a call's answer (``answered``) and its headers' daily figure
# (``observed``), read in one step of the scheduler: the figure is that call's
_SAME_ANSWER = 0.5
# seconds the last flush and the leave-taking get when the process closes: a Redis gone
# meanwhile was retried (blips, connect timeouts) for many seconds after the run had
# stopped (x21r1 F4: alive > 20 s after "interrupted while loading")
_CLOSE_WITHIN = 1.0
# seconds Redis remembers the company a token was last bound to (``company`` key)
_COMPANY_TTL = 2 * 86400
# the token's fastest round trip (``fastest`` key, ms): kept while its processes answer,
# then forgotten (a fleet days later on another network learns its own)
_FASTEST_TTL = 600_000
# seconds within which two processes' midnights (each the later bound of where the server's
# figure went down) are one: a few seconds apart, and never taken again for that
_SAME_MIDNIGHT = 60.0
# tokens: the most a call may cost to ask the server's day past a spent share or reserve
# (``_ask_stale``): a GET /users/me's (getCurrentUser, 2: openapi-v1.yaml)
_ASK_COST = 2
_log = logging.getLogger("pdbulk.scheduler")  # the CLI prints its warnings on stderr

class _Waiter:
    __slots__ = ("ask_until", "asked", "fut", "limit", "op", "settle_until", "wait_for_reset")

    def __init__(self, op: Operation, limit: Limit, wait_for_reset: bool,
                 fut: asyncio.Future[None]) -> None:
        self.op, self.limit, self.wait_for_reset, self.fut = op, limit, wait_for_reset, fut
        self.asked = False  # it went (or waited to go) as the probe of a new day (_ask)
        # wall time its wait for the last minute's calls to settle ends (``_settle``)
        self.settle_until: float | None = None
        # wall time its wait for another process's ask of a day last heard long ago ends
        # (``_ask_stale``)
        self.ask_until: float | None = None


class RedisCoordinator:
    """Shared burst window, search window, daily spend and 429 pause on Redis.

    ``url``: ``redis://[:password@]host:port/db`` (redis-py's URL grammar). Admission
    times are ``clock.wall()`` seconds. See the module docstring for keys and TTLs."""

    __slots__ = ("_account", "_ahead", "_answer", "_ask_at", "_ask_now", "_asked", "_asking", "_bound",
                 "_carry", "_clock", "_company", "_costs", "_daily_said", "_dated", "_epoch",
                 "_fastest", "_flush_task", "_followed", "_held", "_kept", "_known", "_losses", "_lost",
                 "_midnight", "_observed", "_observed_base", "_observed_since", "_offered",
                 "_others_answers", "_others_at", "_own", "_pending", "_prebind", "_probe",
                 "_probe_key", "_probe_out", "_proc", "_pump", "_queue", "_redis", "_renew_task", "_scripts",
                 "_seq", "_spent_day", "_stats", "_token_fp", "_told", "_unbound", "_unsent", "_url", "_width",
                 "known_company", "known_daily", "known_heard", "known_midnight", "on_midnight",
                 "on_reset_wait")

    def __init__(self, url: str, *, clock: Clock | None = None) -> None:
        self._url, self._clock = check_url(url), clock or SystemClock()
        self._redis: aioredis.Redis | None = None
        self._scripts: dict[str, Any] = {}
        self._token_fp: str | None = None
        self._account = ""  # the account URL's key (``start``): the company record's
        self._company: str | None = None
        # the company whose figures ``start`` read (``known_*``): the one Redis's record of
        # the token on this account URL names (None: no record; ``Scheduler.company_named``)
        self.known_company: str | None = None
        # the company's daily budget (tokens) as Redis last had it, read by ``start``
        # (None: never seen); the (company, figure) last written (``daily_seen``)
        self.known_daily: int | None = None
        self._daily_said: tuple[str | None, int] | None = None
        # wall time by which one of the server's days surely began, as a process of the
        # company saw it (``midnight`` key, read by ``start``; None: never seen): the
        # schedulers count the server's days, not UTC's (``Scheduler.recall_midnight``);
        # ``_midnight``: the one this process last wrote or took, and for which company
        self.known_midnight: float | None = None
        # the company's latest daily figure an answer said and its read time (wall
        # seconds), of today's or yesterday's UTC day (``start``; None: none kept): a first
        # figure lower, on a call sent after it, is the server's new day (x41r6 F1)
        self.known_heard: tuple[int, float] | None = None
        self._midnight: tuple[str | None, float] | None = None
        # the scheduler told of a midnight another process saw while this one waits for a
        # share's new day; it answers with its limit (that day's end, its label)
        self.on_midnight: Callable[[float], Limit] | None = None
        self._fastest = math.inf  # this process's trusted fastest round trip (``fastest_seen``)
        self._prebind = 0  # tokens admitted before the company was known
        # whether ``bind`` named the company (before: the one this token was last bound to,
        # as Redis remembers it — ``company`` key — or none, the token's own keys)
        self._bound = False
        # what answers said of the company's day before ``bind`` named the company (its
        # daily budget, where its day began, its figure: day, tokens, read, base), written
        # under it at ``bind``, not under the company the token was last bound to (f48d)
        self._unbound: tuple[int | None, float | None, tuple[int, int, float, float] | None] \
            = (None, None, None)
        # this process's calls admitted and not yet answered: member -> (tokens, day), for
        # the day's record of answered calls (``answered``; REALIGN)
        self._costs: dict[str, tuple[int, int]] = {}
        self._queue: deque[_Waiter] = deque()
        self._pump: asyncio.Task[None] | None = None
        self._flush_task: asyncio.Task[None] | None = None
        self._pending: list[tuple[str, tuple[Any, ...]]] = []  # commands for the next flush
        self._own: deque[tuple[float, str, bool]] = deque()  # (admitted at, member, search)
        # the members of calls held until their answer (``hold``), and when each was admitted:
        # their entries are dated ``now + ahead`` again every quarter window (``_renew``)
        self._held: dict[str, float] = {}
        # the held calls not yet left (``leaving`` takes the oldest), and the date each
        # admitted call's entry surely has in Redis (its admission's ``now + ahead``, then
        # each renewal Redis applied while the entry still stood): ``lapsed``
        self._unsent: dict[str, None] = {}
        self._dated: dict[str, float] = {}
        self._renew_task: asyncio.Task[None] | None = None
        self._ahead = 0.0  # the ``ahead`` of the last admission
        self._lost: CoordinatorLost | None = None
        self._seq = itertools.count()
        self._proc = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        # (day, tokens, wall time read): the server's latest daily figure
        self._observed: tuple[int, int, float] = (-1, 0, 0.0)
        # the state folder's kept day taken as ``_observed`` (``kept_spend``; None: none)
        self._kept: tuple[int, int, float] | None = None
        # (admitted, own tokens) of the call whose answer carried ``_observed``: the server
        # read its figure no earlier than that admission (REALIGN's ``base``; ``own``: the
        # reset probe's tokens, counted in the figure and in the admissions since)
        self._observed_base: tuple[float, int] = (0.0, 0)
        self._others_answers = 0  # answers that showed another client's calls (WINDOW)
        self._observed_since = 0.0  # wall time from which calls admitted are not in the figure
        # (admitted, own tokens, wall time) of the call last answered (``answered``), for
        # the daily figure its answer carries (``observed``, at the same wall time)
        self._answer: tuple[float, int, float] | None = None
        self._probe: tuple[str, int] | None = None  # the reset probe's member and tokens
        self._offered = -math.inf  # wall time a daily figure was last offered (REALIGN)
        self._ask_at = -math.inf  # wall time a call last waited to ask (``_ask``)
        self._asking = False  # the next admission is this process's reset probe
        self._asked = -math.inf  # the probe minute this process last asked in
        # the half hour's probe claim this process took, for its next admission: (key, the
        # next half hour's probe minute, ``_asked`` before it) (``_take_probe``)
        self._probe_key: tuple[str, float, float] | None = None
        # the half hour's claim while its call is out: (key, the value written, the next
        # half hour's probe minute), marked answered (``proc@inf``) by its answer (``answered``)
        self._probe_out: tuple[str, str, float] | None = None
        # a resume or retry (``ask_at_once``): the run's first call refused by the spent
        # day asks the server's day whatever the figure's age (x50r2 F4)
        self._ask_now = False
        self._told = False  # the wait for the company's reset was said
        # who is told when a wait for the reset begins (a ResetWait) or ends (None): the
        # scheduler attached to this coordinator, which says it once and keeps its state
        # (x23r3 1: the scheduler and this coordinator each printed a line); None: logged here
        self.on_reset_wait: Callable[[ResetWait | None], None] | None = None
        self._spent_day = -1  # the day the shared spend refused a call for the budget
        self._followed: tuple[int, int, float] | None = None  # the figure last offered
        self._carry = 0
        self._epoch = ""  # the shared state's birth marker as last seen ('': none yet)
        self._known: tuple[int, int] = (-1, 0)  # (day, the company's spend the state said)
        self._losses = 0  # times this process found the shared state lost
        self._stats: SharedStats | None = None
        self._width = 0.0
        # wall time the server's headers last counted calls no process here made (another
        # client on the token), as any process on it learnt from Redis (WINDOW); -inf: none
        self._others_at = -math.inf

    @property
    def shared(self) -> bool:
        return True

    def __repr__(self) -> str:
        s = self._stats
        live = (f" window={s.window_fill} today={s.tokens_today} processes={s.processes}"
                if s else "")
        return f"<RedisCoordinator {redacted(self._url)} queued={len(self._queue)}{live}>"

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self, token_fp: str, *, account: str = "") -> None:
        """Connect and load the scripts. ``token_fp``: the token's fingerprint
        (``bulk.coordinator.fingerprint``); ``account``: the key of the account URL the
        run calls (``bulk.coordinator.account_key(url, '')``; '': not named), by which the
        company the token was last bound to is remembered: the same token on another
        account URL (a sandbox's default token, each sandbox its own company) is another
        record, so no run takes another company's daily budget, figure or midnight for
        its own before its first answer (x48r6 F1, F2). Raises CoordinatorLost if Redis
        does not answer."""
        self._token_fp, self._account = token_fp, account
        try:
            # a blip is retried (``BLIP_RETRIES``: about 2 s); a Redis that stays away
            # is reported within a few seconds, and the run stops checkpointed
            self._redis = connect(
                self._url, socket_connect_timeout=3.0, socket_timeout=5.0, retry=blip_retry())
            await self._redis.ping()
            # the company this token was last bound to: the first call (GET /users/me, made
            # to learn it) is admitted against that company's day, not the token's own
            # count, which let it past a spent --budget-share (x35r2 F3: 2,002 of 2,000)
            known = await self._redis.get(self._company_record())
            if known and self._company is None:
                self._company = self.known_company = _text(known)
            await self._read_day()
            self._scripts = {name: self._redis.register_script(src)
                             for name, src in (("admit", ADMIT), ("date", DATE),
                                               ("fastest", FASTEST), ("heard", HEARD),
                                               ("later", LATER),
                                               ("pause", PAUSE),
                                               ("realign", REALIGN), ("refund", REFUND),
                                               ("swap", SWAP), ("window", WINDOW))}
        except (RedisError, OSError) as exc:
            await self._drop()
            raise self._lose(exc) from None

    async def _read_day(self) -> None:
        """The company's day as Redis keeps it (``known_daily``, ``known_midnight``,
        ``known_heard``), under the company known so far (the token's keys: none)."""
        assert self._redis is not None
        daily = await self._redis.get(self._key("daily"))  # x37r2 F5
        if not daily and self._company is not None:
            # what a 429 to a fresh machine's first call taught the token's own keys on this
            # URL, its company not yet named (``_teach``): that company's budget too where
            # the record names it and its key was never written (x51r5 F1)
            daily = await self._redis.get(self._token_key("daily"))
        if daily and _text(daily).isdigit() and int(_text(daily)) > 0:
            self.known_daily = int(_text(daily))
        self.known_midnight = await self._read_midnight()  # f40d 3
        self.known_heard = await self._read_heard()  # x41r6 F1
        if self.known_midnight is not None:  # (taken: not said back)
            self._midnight = (self._company, self.known_midnight)

    async def fall_back(self, company: str | None, daily: int | None,
                        midnight: float | None) -> bool:
        """What this machine's state folder kept of the account's day (``bulk.day_seen``),
        taken where Redis knows nothing of it (restarted empty, flushed, evicted: f49a F1,
        each coordinated run then sent a GET /users/me into a spent day's 429): ``company``,
        the company the token on this account URL was last bound to (its day keys are
        then read), where Redis has no such record; ``daily`` (tokens) and ``midnight``
        (wall seconds by which one of the server's days began), where Redis has none.
        What is lent under a company is written back to Redis at once (SET NX: what Redis
        holds, another process's since, is never overridden): the token's record of the
        company on this account URL, the daily budget and the midnight, so a machine whose
        state folder kept nothing is refused (or waits) with no call too (x49r9 F1: a run
        refused from its kept day never reached ``bind``, which wrote them, and every fresh
        machine sent one GET /users/me into the spent day's 429). Call after ``start``,
        before the scheduler's ``attach``. True where Redis had no figure of the day (the
        spend is then the kept one: ``kept_spend``). Raises CoordinatorLost."""
        lent: list[tuple[str, str]] = []
        try:
            if company is not None and self._company is None:
                self._company = self.known_company = company
                lent.append((self._company_record(), company))
                await self._read_day()
        except (RedisError, OSError) as exc:
            await self._drop()
            raise self._lose(exc) from None
        if daily is not None and daily > 0 and self.known_daily is None:
            self.known_daily = daily
            self._unbound = (daily, *self._unbound[1:])
        if midnight is not None and math.isfinite(midnight) and self.known_midnight is None:
            self.known_midnight = midnight
            self._unbound = (self._unbound[0], midnight, self._unbound[2])
        # lent whatever source it came from: the state folder's, or the token's own keys on
        # this URL, which a fresh machine's 429 taught before any company was named (x51r5
        # F1: a resume read the budget there, lent none under the company, and every new
        # process, its company named by the record, read no budget and sent a GET
        # /users/me into the spent day); SET NX keeps what the company's key holds
        if self.known_daily is not None:
            lent.append((self._key("daily"), str(self.known_daily)))
        if self.known_midnight is not None:
            lent.append((self._key("midnight"), repr(self.known_midnight)))
        if self._company is not None and lent:  # (under no company: the token's, not kept)
            await self._lend_back(lent)
        return self.known_heard is None

    async def _lend_back(self, lent: list[tuple[str, str]]) -> None:
        """Write ``lent`` (key, value) where Redis has no value, for ``_COMPANY_TTL``.
        Raises CoordinatorLost."""
        assert self._redis is not None
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, value in lent:
                    pipe.set(key, value, ex=_COMPANY_TTL, nx=True)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            await self._drop()
            raise self._lose(exc) from None

    def kept_spend(self, day: int, spent: int, heard: float) -> None:
        """The company's spend (tokens) on ``day`` (the scheduler's day index) as the state
        folder kept it, heard at wall ``heard``, where Redis had no figure (``fall_back``):
        the first admission's floor of the shared day (ADMIT's figure, which seeds the day
        key), so a day spent refuses the run's first call as it does without a coordinator;
        and, that figure ``ASK_AFTER`` s old, one call asks the server (``_ask_stale``).
        The first answer's figure replaces it. Written back to Redis as the company's
        latest figure (HEARD: kept only where Redis has none as late), so a machine whose
        state folder kept nothing reads it (``known_heard``) as it would a figure heard
        (x49r9 F1); under no company (none kept), nothing is written."""
        if self._observed[0] == -1:
            self._observed = self._kept = (day, spent, heard)
            self._observed_base, self._observed_since = (heard - HOLD_AT_MOST, 0), heard
            if self._company is not None:
                self._pending.append(("heard", (self._key(f"day:{day}:at"),
                                                self._key(f"day:{day}"), spent, repr(heard),
                                                repr(heard - HOLD_AT_MOST), _COMPANY_TTL)))
                self._kick()

    async def aclose(self) -> None:
        for task in (self._pump, self._flush_task, self._renew_task):
            if task is not None and not task.done():
                task.cancel()
        if self._redis is not None and self._lost is None and self._token_fp is not None:
            try:
                await asyncio.wait_for(self._leave(), _CLOSE_WITHIN)
            except (RedisError, OSError, TimeoutError):
                pass  # what is left ages out of Redis by its TTLs
        await self._drop()

    async def _leave(self) -> None:
        assert self._redis is not None
        await self._flush()
        await self._redis.zrem(self._key("procs"), self._proc)

    async def _drop(self) -> None:
        if self._redis is not None:
            try:
                await self._redis.aclose()
            except (RedisError, OSError):
                pass
            self._redis = None

    def _lose(self, exc: BaseException) -> CoordinatorLost:
        if self._lost is None:
            cause = failure(self._url, exc)
            self._lost = CoordinatorLost(
                f"{cause}; the job stops checkpointed: resume it once Redis is back",
                cause=cause)
        return self._lost

    # -- keys -------------------------------------------------------------------------------
    def ask_at_once(self) -> None:
        """This run is a resume or retry, a person asking to go on (``bulk.engine``'s
        ``ask_day``): its first call (GET /users/me, 2 tokens), refused by a spent shared
        day, asks the server whether its day began whatever that day's figure's age, as
        an uncoordinated resume does (``bulk.engine._ask_first``, at once). Until ``bind``
        (x50r2 F4: refused "run again after the reset", nothing sent, right after the
        server's day began)."""
        self._ask_now = True

    def bind(self, company: str) -> None:
        if self._bound:
            return
        self._bound, self._ask_now = True, False
        other = self._company != company
        # the record named another company (the account URL's company changed: a sandbox
        # started again with another id): what this process took of that company's day
        # was not this one's, and a midnight its first answer dated against that company's
        # figure is no midnight of this company's (x48r6 F1: a day "began" at every run)
        foreign = other and self._company is not None
        if other:  # (this process is no longer active there: the token's, or that company's)
            self._pending.append(("zrem", (self._key("procs"), self._proc)))
        if other:  # (admitted on the token's keys, or another company's)
            self._company, self._carry = company, self._prebind
        self._prebind = 0
        self._pending.append(("set", (self._company_record(), company, _COMPANY_TTL)))
        (daily, midnight, figure), self._unbound = self._unbound, (None, None, None)
        if daily is not None:
            self.daily_seen(daily)
        if midnight is not None and not foreign:
            self.midnight_seen(midnight)
        if figure is not None:
            # (the shared count this process knows is another company's: no REALIGN on it;
            # the next answer offers one)
            self._heard(*figure, realign=not other)
        self._kick()

    def daily_seen(self, daily: int) -> None:
        """An answer said the company's daily budget is ``daily`` tokens: kept (``daily``
        key) for the next run's admissions before its first answer (``known_daily``;
        x37r2 F5). Written once per company and figure; before ``bind`` named the company,
        at ``bind``, under it (f48d: the company the token was last bound to, another
        account's on the same token, took this company's budget for its own)."""
        if not self._bound:
            self._unbound = (daily, *self._unbound[1:])
            if self._company is None:  # the token's own keys on this URL (``_teach``)
                self._teach(("set", (self._key("daily"), str(daily), _COMPANY_TTL)))
            return
        said = (self._company, daily)
        if said != self._daily_said:
            self._daily_said = said
            self._pending.append(("set", (self._key("daily"), str(daily), _COMPANY_TTL)))
            self._kick()

    def midnight_seen(self, at: float) -> None:
        """A process saw the server's day begin by wall ``at`` (its daily figure went down;
        its midnight is its time zone's, not named: FACTS.md "Rate limits"): kept
        (``midnight`` key, 2 days) for the company's other processes, running (a wait for a
        share's new day reads it at each look) or next (``known_midnight``), whose days,
        so their day keys and a spent share's wait, are the server's (f40d 3: a spent
        ``--budget-share``'s ``--wait-for-reset`` waited for UTC's midnight). Written once
        per company and figure; before ``bind``, at ``bind`` (``daily_seen``)."""
        if not self._bound:
            self._unbound = (self._unbound[0], at, self._unbound[2])
            if self._company is None:  # (``_teach``)
                self._teach(("set", (self._key("midnight"), repr(at), _COMPANY_TTL)))
            return
        said = (self._company, at)
        if said != self._midnight:
            self._midnight = said
            self._pending.append(("set", (self._key("midnight"), repr(at), _COMPANY_TTL)))
            self._kick()

    async def _read_heard(self) -> tuple[int, float] | None:
        """The latest daily figure (tokens) and its read time (wall seconds) kept by HEARD
        on the company's day key of today or yesterday (UTC: the days before a midnight is
        known), the later read; None: none, or not numbers."""
        assert self._redis is not None
        today = math.floor(self._clock.wall() / 86400.0)
        found: tuple[int, float] | None = None
        for day in (today - 1, today):
            raw = await self._redis.hmget(self._key(f"day:{day}:at"), ["heard", "read"])
            try:
                said = (int(_text(raw[0])), float(_text(raw[1])))
            except (TypeError, ValueError):
                continue
            if found is None or said[1] > found[1]:
                found = said
        return found

    async def _read_midnight(self) -> float | None:
        """The company's ``midnight`` key (wall seconds), None: none or not a number."""
        assert self._redis is not None
        raw = await self._redis.get(self._key("midnight"))
        try:
            at = float(_text(raw)) if raw else None
        except ValueError:
            return None
        return at if at is not None and math.isfinite(at) else None

    def _key(self, what: str) -> str:
        """A company key (day, procs); the token's until the company is known."""
        if self._company is None:
            return self._token_key(what)
        return f"pdbulk:c:{self._company}:{what}"

    def _company_record(self) -> str:
        """The key of the company this token on this account URL was last bound to."""
        assert self._token_fp is not None, "start() first"
        return f"pdbulk:t:{self._token_fp}:" + (
            f"company:{self._account}" if self._account else "company")

    def _token_key(self, what: str) -> str:
        """A key of the token on the account URL (``start``'s ``account``; '': the token's
        alone): its windows, pause, birth marker, fastest round trip and, before ``bind``,
        its day and procs. One token may call two companies' accounts (a sandbox's default
        token; a token on a sandbox and on the real account), whose servers count two
        windows: they shared one (x48r13 F3), as the company record did (x48r6)."""
        assert self._token_fp is not None, "start() first"
        if self._account:
            return f"pdbulk:t:{self._token_fp}:url:{self._account}:{what}"
        return f"pdbulk:t:{self._token_fp}:{what}"

    # -- admission --------------------------------------------------------------------------
    async def admit(self, op: Operation, limit: Limit, *, wait_for_reset: bool = False) -> None:
        if self._lost is not None:
            raise self._lost
        if self._redis is None:
            raise RuntimeError("RedisCoordinator.admit before start()")
        waiter = _Waiter(op, limit, wait_for_reset, asyncio.get_running_loop().create_future())
        self._queue.append(waiter)
        if self._pump is None or self._pump.done():
            self._pump = asyncio.get_running_loop().create_task(self._run_pump())
        await waiter.fut  # cancelled: the pump skips it (an admitted slot just stays used)

    async def _run_pump(self) -> None:
        try:
            while self._queue:
                await self._pump_once()
        except (RedisError, OSError) as exc:
            self._fail_all(self._lose(exc))
        except Exception as exc:  # a bug must fail the waiters, not strand them
            self._fail_all(exc)
            raise

    def _fail_all(self, exc: BaseException) -> None:
        while self._queue:
            w = self._queue.popleft()
            if not w.fut.done():
                w.fut.set_exception(exc)

    async def _pump_once(self) -> None:
        while self._queue and self._queue[0].fut.done():
            self._queue.popleft()
        if not self._queue:
            return
        assert self._redis is not None
        batch = [w for w in itertools.islice(self._queue, _BATCH) if not w.fut.done()]
        now = self._clock.wall()
        # a wait for the reset ends in the next day: its key and spend, not the spent
        # day's (f21c F3: with those it woke to "budget" every 1 ms, forever)
        limit = batch[0].limit.next_day(now)
        self._width, self._ahead = limit.width, limit.ahead
        # a member names its admission: the WINDOW script counts no call admitted after
        # the answer whose headers it reads among those the server counted
        members = [f"{self._proc}:{next(self._seq)}@{now!r}" for _ in batch]
        args: list[Any] = [repr(now), repr(limit.width), limit.burst, limit.search,
                           limit.day_limit, max(1000, math.ceil((limit.day_ends - now + 86400) * 1000)),
                           self._proc, self._observed[1] if self._observed[0] == limit.day else 0,
                           self._carry, repr(limit.ahead), self._epoch, secrets.token_hex(8),
                           self._known_today(limit.day),
                           repr(self._observed[2] if self._observed[0] == limit.day else 0.0),
                           1 if self._asking else 0, repr(_KEEP)]
        if self._asking:  # the reset probe goes alone
            batch = batch[:1]
            members = members[:1]
        asking, self._asking = self._asking, False
        for w, member in zip(batch, members, strict=True):
            args += [member, 1 if w.op.search else 0, w.op.token_cost]
        keys = [self._token_key("burst"), self._token_key("search"), self._token_key("pause"),
                self._key(f"day:{limit.day}"), self._key("procs"), self._token_key("born"),
                self._key(f"day:{limit.day}:at"), self._key(f"day:{limit.day}:recent"),
                self._key(f"day:{limit.day}:done")]
        res = await self._scripts["admit"](keys=keys, args=args)
        self._carry = 0
        admitted, wait, why = int(res[0]), float(res[1]), _text(res[2])
        late = self._clock.wall()
        if admitted and late - now > limit.width / 16:
            # the script ran late (Redis frozen, this process stalled): its entries are
            # dated at ``now`` but the calls leave now, so the shared window would free
            # their slots that much too soon (a 6 s Redis freeze gave 1-4 429s: fresh
            # tester v12r5); they are moved to the time of the answer
            await self._redate_late(keys, members[:admitted],
                                    [w.op.search for w in batch[:admitted]],
                                    late + limit.ahead, limit)
            now = late
        pause = float(res[7])
        self._epoch = _text(res[8])
        self._losses += int(res[9])
        self._known = (limit.day, int(float(res[5])))
        if int(res[9]):  # the state was lost: this process's unanswered calls go back in
            await self._reseed(limit)
        self._stats = SharedStats(window_fill=int(res[3]), search_fill=int(res[4]),
                                  tokens_today=int(float(res[5])), processes=int(res[6]),
                                  paused_until=pause if pause > now else None)
        if admitted and asking:
            self._probe = (members[0], batch[0].op.token_cost)
        if asking and self._probe_key is not None:  # the half hour's claim (``_take_probe``)
            key, after, before = self._probe_key
            self._probe_key = None
            if admitted:
                # its call goes: held while the call may still be answered (HOLD_AT_MOST),
                # then marked answered by its answer (``answered``) and held to the next
                # half hour; a holder killed with its call out lets another process ask
                # (x51r5 F3: 'proc@inf' held a killed holder's claim half an hour, 13 min
                # with nothing sent on a new day; README: "two minutes at most")
                out = f"{self._proc}@{late + HOLD_AT_MOST!r}"
                await self._redis.set(key, out, xx=True,
                                      px=max(1, math.ceil((after - late) * 1000)))
                self._probe_out = (key, out, after)
            else:  # (a pause, the window: asked again at the next look, the claim held)
                self._asked = before
        if admitted and not asking:
            if self._told and self.on_reset_wait is not None:
                self.on_reset_wait(None)  # the wait is over
            self._told, self._spent_day = False, -1  # a later wait for the reset is said again
        for w, member in zip(batch[:admitted], members, strict=False):
            if not self._bound:
                self._prebind += w.op.token_cost
            self._costs[member] = (w.op.token_cost, limit.day)
            self._dated[member] = now + limit.ahead
            self._own.append((now, member, w.op.search))
            self._queue.remove(w)
            if not w.fut.done():
                w.fut.set_result(None)
        while self._own and self._own[0][0] + 2 * limit.width < now and (
                self._own[0][1] not in self._held or self._own[0][0] + HOLD_AT_MOST < now):
            gone = self._own.popleft()[1]
            self._held.pop(gone, None)
            self._costs.pop(gone, None)
            self._dated.pop(gone, None)
            self._unsent.pop(gone, None)
        if admitted == len(batch):
            return
        head = batch[admitted]
        if why == "budget":
            if await self._took_midnight(limit) is not None:
                return  # another process saw the server's day begin: its days, its key
            self._spent_day = limit.day
            if await self._follow(limit.day):
                return  # the server's figure brought the day back: admit again
            if await self._ask_stale(head, limit):
                return  # a day last heard long ago: one call asks whether it began (f42e)
            if head.wait_for_reset:
                await self._wait_for_reset(head, limit)
                return
            if await self._ask(head, limit) or await self._settle(head, limit):
                return
            self._queue.remove(head)
            if not head.fut.done():
                head.fut.set_exception(BudgetExhausted(
                    f"{limit.spent_words(self._stats.tokens_today, self._who(limit))}; "
                    f"{head.op.id} needs {head.op.token_cost}", resets_at=limit.day_ends))
            return
        await self._clock.sleep(max(0.0005, wait))

    def _who(self, limit: Limit) -> str:
        """Who spent the day a refusal or a wait quotes (``Limit.spent_words``): all
        processes, as Redis counts them; or, where the figure is the state folder's kept day
        (``kept_spend``: Redis had lost the day, and no answer or process said more since),
        said so, as an uncoordinated run's line does (``Scheduler.today_basis``; x49r9 F3:
        "149 tokens used by all processes" after Redis was emptied)."""
        kept, stats = self._kept, self._stats
        if (kept is not None and kept == self._observed and kept[0] == limit.day
                and stats is not None and stats.tokens_today <= kept[1]):
            return ("all processes (by the server's headers to the last run on this account, "
                    "kept in the state folder: Redis had lost the day)")
        return "all processes"

    async def _ask(self, head: _Waiter, limit: Limit) -> bool:
        """The shared day is spent but the server's latest figure, with every call admitted
        after its call (any process's: not in it), leaves ``head`` room: its
        day began (or calls counted here never went out), and the shared spend could not
        follow it yet (calls admitted within ``_QUIET`` before it may not have reached the
        server). Then ``head`` waits that long and goes as a probe, alone, past the shared
        spend: answered, its figure brings the spend back (every call admitted before it
        has reached the server); refused (a 429: not charged), the day is spent. Once per
        call; the company's whole budget only (a share or reserve is this tool's count,
        which a probe would overspend). True if ``head`` is to go. Before, a run started
        within a minute of the reset was refused "run again after the reset", nothing
        saying a quiet minute was what it needed (x27r2 3)."""
        day, seen, wall = limit.day, self._observed, self._clock.wall()
        if head.asked or not limit.whole_day or seen[0] != day or seen[2] <= self._ask_at \
                or seen[1] + head.op.token_cost > limit.day_limit:
            return False  # (a figure read before the last ask: its probe told nothing new)
        if seen[1] + await self._admitted_since(day, self._observed_since) \
                + head.op.token_cost > limit.day_limit:
            # the calls admitted after the figure's call (any process's) are not in it: the
            # day is spent with them, no new day: the run stops now, as one alone does (x34r3
            # F2: it waited the minute, asked, and stopped 60-120 s after the budget)
            return False
        head.asked, self._ask_at = True, wall
        _log.warning("the company's shared daily count is spent but the server says %d of "
                     "%d tokens used today (its day may have begun, or calls counted here never "
                     "reached it): the calls admitted in the last "
                     "minute reach it first, then one call asks it (at %s UTC at the latest)",
                     seen[1], limit.day_limit,
                     time.strftime("%H:%M:%S", time.gmtime(wall + _QUIET)))
        await self._clock.sleep(_QUIET)
        self._asking = True  # the next admission: ``head``, alone, past the shared spend
        return True

    async def _ask_stale(self, head: _Waiter, limit: Limit) -> bool:
        """The shared day refused ``head`` and the server's figure last heard on it (the
        day's ``at`` ``read``: HEARD) is ``ASK_AFTER`` s old or more, or older than the
        server's midnight a process saw (``midnight`` key): the server's day may have
        begun since (its midnight is its time zone's, not named: FACTS.md "Rate limits"),
        and no figure will come to say so while the day refuses every call. Then one
        process of the company (the day's ``ask:{read}`` key, held ``ASK_AFTER`` s) lets
        ``head`` go alone past the shared spend, as the reset probe does: answered, its
        daily headers bring the spend back where they show a new day (REALIGN); refused
        (a 429: not charged), the day is spent and its figure, heard now, asks no more.
        The other processes wait for that answer, looking again every ``_LOOK`` s, for
        ``_QUIET`` + ``HOLD_AT_MOST`` s at most. The whole budget only, or a share or
        reserve with a call of ``_ASK_COST`` tokens at most (a run's first, GET
        /users/me: a share truly spent is overspent by no more than the ask of a run
        without a coordinator, ``bulk.engine._ask_first``). Never for a day never heard,
        nor once a wait for the reset began (its asks are at the half hours).
        A resume or retry (``ask_at_once``) asks with its first call whatever the figure's
        age (x50r2 F4).
        True if ``head`` is to be admitted again (f42e: a run begun after the reset was
        refused "run again after the reset" until UTC's midnight)."""
        if head.asked or not (limit.whole_day or head.op.token_cost <= _ASK_COST) \
                or (head.wait_for_reset and self._told):
            return False  # (a wait under way asks at the half hours: ``_wait_for_reset``)
        assert self._redis is not None
        wall = self._clock.wall()
        raw = await self._redis.hget(self._key(f"day:{limit.day}:at"), "read")
        try:
            read = float(_text(raw)) if raw is not None else -math.inf
        except ValueError:
            return False
        if self._observed[0] == limit.day:  # this process's own, maybe not flushed yet
            read = max(read, self._observed[2])
        at_once = self._ask_now and head.op.token_cost <= _ASK_COST  # (``ask_at_once``)
        if not math.isfinite(read) or not (at_once or self._stale(read, wall, limit.day_seconds)):
            return False
        key = self._key(f"day:{limit.day}:ask:{read!r}")
        if await self._redis.set(key, self._proc, nx=True, px=math.ceil(ASK_AFTER * 1000)):
            head.asked, self._ask_at, self._asking, self._ask_now = True, wall, True, False
            assert self._stats is not None
            _log.warning("the company's shared daily count is spent (%d of %d usable) but "
                         "the server was last heard %s: its day may have begun; "
                         "one call asks it", self._stats.tokens_today, limit.day_limit,
                         f"{(wall - read) // 60:.0f} min ago" if not at_once else
                         f"{wall - read:.0f} s ago and this run goes on with a stopped job (resume, retry)")
            return True
        if _text(await self._redis.get(key) or b"") == self._proc:
            return False  # this process asked on that figure: its answer said no new day
        if head.ask_until is None:  # another asks: its answer is waited for, not doubled
            head.ask_until = wall + _QUIET + HOLD_AT_MOST
        if wall >= head.ask_until:
            return False  # no answer came to say the day began
        await self._clock.sleep(max(0.001, min(_LOOK, head.ask_until - wall)))
        return True

    def _stale(self, read: float, wall: float, day_seconds: float) -> bool:
        """Whether a figure read at wall ``read`` may be of a server's day ended by
        ``wall``: ``ASK_AFTER`` s old, or read before the last of the server's midnights
        known here (``_midnight``; a day of ``day_seconds`` apart)."""
        if wall - read >= ASK_AFTER:
            return True
        if self._midnight is None:
            return False
        at = self._midnight[1]
        return read < at + math.floor((wall - at) / day_seconds) * day_seconds

    async def _settle(self, head: _Waiter, limit: Limit) -> bool:
        """A share or reserve (``limit.whole_day`` False) refused ``head``, but the server's
        latest figure with every call admitted after its call (any process's) leaves it
        room: the shared spend holds calls admitted in the minute before that call which
        the server may have counted already (in that figure, or in its day that ended);
        they are settled only by a figure read on a call admitted after their answers,
        which another process still sending brings (the REALIGN script). Then, while
        another process is active on the company (``SharedStats.processes``), ``head``
        waits, looking again every ``_LOOK`` s, up to ``_QUIET`` s from its refusal (every
        call admitted before it has reached the server by then), and is refused only if
        the shared spend is still spent at the last look, or the server's figure shows the
        share spent before. No call goes past the shared spend: a share that is really
        spent is never overspent (before, such a run stopped "budget spent" at once while
        the server had room in its share: x35r2, note 35). True if ``head`` is to be
        admitted again."""
        if limit.whole_day or head.wait_for_reset:
            return False  # (the whole budget asks the server: ``_ask``)
        if self._stats is None or self._stats.processes < 2:
            return False  # alone on the company: no other answer will settle the count
        day, seen, wall = limit.day, self._observed, self._clock.wall()
        if head.settle_until is not None and wall >= head.settle_until:
            return False  # the last look found it spent still
        if seen[0] != day or seen[1] + await self._admitted_since(day, self._observed_since) \
                + head.op.token_cost > limit.day_limit:
            return False  # spent by the server's own word and the calls since: now
        if head.settle_until is None:
            head.settle_until = wall + _QUIET
            _log.warning("this run's share of the company's daily budget is spent by the shared "
                         "count (%d of %d usable), but the server says %d used: calls of the "
                         "last minute may be counted twice; looking again until %s UTC",
                         self._stats.tokens_today, limit.day_limit,
                         seen[1], time.strftime("%H:%M:%S", time.gmtime(wall + _QUIET)))
        await self._clock.sleep(max(0.001, min(_LOOK, head.settle_until - wall)))
        return True

    async def _admitted_since(self, day: int, since: float) -> int:
        """Tokens the company's processes admitted on ``day`` from wall second
        ``floor(since)`` on (the REALIGN script's record of the last _KEEP seconds)."""
        assert self._redis is not None
        first, total = math.floor(since), 0
        for second, tokens in (await self._redis.hgetall(self._key(f"day:{day}:recent"))).items():
            if int(second) >= first:
                total += int(tokens)
        return total

    async def _follow(self, day: int) -> bool:
        """Offer the server's latest daily figure (once each) to the shared spend, which
        follows it if it is the server's new day (the REALIGN script). True if it did, or
        if the spend fell below what the refusing admission read meanwhile (the same figure
        offered by the feedback pipeline, ``observed``, ran first: then this one found
        nothing to follow, and the call asked the server again for nothing)."""
        assert self._redis is not None
        seen = self._observed
        if seen[0] != day or seen == self._followed or seen[1] >= self._known_today(day):
            return False
        self._followed = seen
        a = self._realign_args(day)
        if int(await self._scripts["realign"](keys=list(a[:4]), args=list(a[4:]))):
            return True
        now = await self._redis.get(self._key(f"day:{day}"))
        return self._known[0] == day and now is not None and float(now) < self._known[1]

    def _realign_args(self, day: int) -> tuple[Any, ...]:
        """The REALIGN script's keys and arguments for the latest daily figure."""
        base, own = self._observed_base
        return (self._key(f"day:{day}"), self._key(f"day:{day}:at"),
                self._key(f"day:{day}:recent"), self._key(f"day:{day}:done"),
                repr(self._clock.wall()), self._observed[1],
                repr(self._observed[2]), repr(_QUIET), repr(base), own, repr(_KEEP))

    async def _wait_for_reset(self, head: _Waiter, limit: Limit) -> None:
        """The company's shared day is spent and ``head`` waits for its reset. In the
        minute past each half hour one process (the ``probe`` key's holder until the next
        one) lets one call go as the reset probe: its answer's daily figure brings the shared
        spend back (the ADMIT script); the others look again every ``_LOOK`` s (the shared
        spend may have followed another process's figure; each look counts this process
        among those alive). No probe while a share or reserve is what is spent
        (``limit.whole_day`` False: it would be charged beyond it): the day's key rolls at
        ``day_ends``."""
        assert self._redis is not None and self._stats is not None
        wall = self._clock.wall()
        minute = math.floor((wall - RESET_PROBE_LATE) / RESET_PROBE_EVERY) * RESET_PROBE_EVERY \
            + RESET_PROBE_LATE
        if not self._told:
            self._told = True
            # the first probe goes a minute past the next half hour, as the scheduler's
            # own (``Scheduler.half_hour_after``): a day found spent now did not begin at
            # the last one (that minute, passed or to come, counts as asked)
            self._asked = max(self._asked,
                              math.floor(wall / RESET_PROBE_EVERY) * RESET_PROBE_EVERY
                              + RESET_PROBE_LATE)
            wait = ResetWait(wall, limit.day_ends, limit.whole_day,
                             f"the company's shared daily budget is spent "
                             f"({counted(self._stats.tokens_today, 'token')} used by "
                             f"{self._who(limit)}, usable {limit.day_limit:,})"
                             if limit.whole_day else
                             limit.spent_words(self._stats.tokens_today, self._who(limit)))
            if self.on_reset_wait is not None:
                self.on_reset_wait(wait)
            else:
                _log.warning("%s: waiting for the company's daily reset (--wait-for-reset), %s",
                             wait.reason, wait.until_text(wall))
        if not limit.whole_day:
            await self._clock.sleep(max(0.001, min(_LOOK, limit.day_ends - wall)))
            return
        after = minute + RESET_PROBE_EVERY
        if self._asked != minute:
            # in the probe's minute a claim is taken; after it, only a claim that lapsed is
            # taken over (its holder killed with its call out: x51r5 F3)
            key = self._key("probe")
            if await self._take_probe(key, wall, after, fresh=wall < minute + 60.0):
                self._probe_key = (key, after, self._asked)
                self._asked, self._asking = minute, True
                return
        # (and at the day's end: the server's midnight where a process saw it, when its key
        # rolls; before, the look after it, up to _LOOK s late)
        ends = limit.day_ends - wall if limit.day_ends > wall else math.inf
        await self._clock.sleep(max(0.001, min(_LOOK, after - wall, ends)))

    async def _take_probe(self, key: str, wall: float, after: float, *,
                          fresh: bool = True) -> bool:
        """Whether this process sends the half hour's reset probe: it holds the ``probe``
        key (until ``after``, the next half hour's probe minute), taken now, or taken over
        from a process whose claim lapsed — its call not admitted within ``_PROBE_LEASE``
        s (killed, stopped, refused by a pause), or whose call went and was not answered
        within ``HOLD_AT_MOST`` s (its holder killed with the call out): the key's value is
        ``proc@lease end`` (wall), ``proc@inf`` once the call was answered (``answered``),
        whose answer the others follow. ``fresh``: a claim may be taken where none is
        (in the probe's minute; after it, only a lapsed one is taken over). Before, a
        claim whose call never went held the key to the next half hour and no process
        checked (x50r2 F1); nor one whose holder was killed with its call out (x51r5 F3)."""
        assert self._redis is not None
        ms = max(1, math.ceil((after - wall) * 1000))
        mine = f"{self._proc}@{wall + _PROBE_LEASE!r}"
        if fresh and await self._redis.set(key, mine, nx=True, px=ms):
            return True
        held = _text(await self._redis.get(key) or b"")
        if not held:
            return False  # (after the minute: nobody claimed it, nothing to take over)
        who, _, until = held.rpartition("@")
        if who == self._proc:
            return True
        try:
            lapsed = float(until) <= wall
        except ValueError:
            return False  # (a claim as an earlier version wrote it: held to ``after``)
        return lapsed and bool(await self._scripts["swap"](keys=[key], args=[held, mine, ms]))

    async def _took_midnight(self, limit: Limit) -> Limit | None:
        """The server's midnight another process of the company saw (``midnight`` key),
        where it is not the one this process follows: its scheduler takes it, and the
        queued calls go on that day's key, or wait for the day's end it gives
        (``on_midnight``). None: nothing new. Read when the day refuses a call, so at each
        look of a wait for the reset: a share is this tool's count, no call asks the
        server whether its day began, and the process that saw it counts on the new
        day's key (f40d 3: a spent share waited for UTC's midnight)."""
        at = await self._read_midnight()
        if at is None or self.on_midnight is None:
            return None
        mine = self._midnight[1] if self._midnight is not None else None
        d = limit.day_seconds
        if mine is not None and abs((at - mine + d / 2) % d - d / 2) <= _SAME_MIDNIGHT:
            return None  # (two processes' bounds of one midnight: a few seconds apart)
        self._midnight = (self._company, at)  # taken, not said again
        new = self.on_midnight(at)
        for w in self._queue:
            w.limit = new
        return new

    async def _redate_late(self, keys: list[str], members: list[str], searches: list[bool],
                           at: float, limit: Limit) -> None:
        """Move this batch's window entries (members of the burst window, and of the search
        window for searches) to ``at`` (wall seconds); entries already gone stay gone."""
        assert self._redis is not None
        ttl = math.ceil(limit.width * 2000) + 1000
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zadd(keys[0], dict.fromkeys(members, at), xx=True)
            pipe.pexpire(keys[0], ttl)
            found = [m for m, search in zip(members, searches, strict=True) if search]
            if found:
                pipe.zadd(keys[1], dict.fromkeys(found, at), xx=True)
                pipe.pexpire(keys[1], ttl)
            await pipe.execute()

    async def _reseed(self, limit: Limit) -> None:
        """Put this process's unanswered calls back into the re-born window, dated as at
        their admission (``admitted + ahead``); an answer re-dates them."""
        assert self._redis is not None
        entries = [(t + limit.ahead, member, search) for t, member, search in self._own]
        if not entries:
            return
        for at, member, _ in entries:  # (a renewal's later date is gone with the state)
            if member in self._dated:
                self._dated[member] = min(self._dated[member], at)
        async with self._redis.pipeline(transaction=False) as pipe:
            ttl = math.ceil(limit.width * 2000) + 1000
            for key, only_search in ((self._token_key("burst"), False),
                                     (self._token_key("search"), True)):
                mapping = {m: at for at, m, search in entries if search or not only_search}
                if mapping:
                    pipe.zadd(key, mapping, nx=True)
                    pipe.pexpire(key, ttl)
            await pipe.execute()

    def _known_today(self, day: int) -> int:
        """The company's spend on ``day`` as this process last knew it: the shared count
        its last admission saw, or the server's daily header, whichever is larger (what
        a lost state's day is re-seeded with)."""
        shared = self._known[1] if self._known[0] == day else 0
        seen = self._observed[1] if self._observed[0] == day else 0
        return max(shared, seen)

    @property
    def losses(self) -> int:
        """How many times this process found the shared state lost (re-born)."""
        return self._losses

    # -- feedback (one pipeline per burst of answers, off the call path) ----------------------
    def leaving(self, at: float) -> None:
        """A call of this process leaves: the oldest held call not yet left is marked left
        (held calls' slots are alike: which call takes which matters not, only that no call
        leaves on a slot that lapsed: ``lapsed``). Its entry is renewed until its answer
        (``hold``)."""
        if self._unsent:
            del self._unsent[next(iter(self._unsent))]

    def lapsed(self) -> bool:
        """Whether the slot the next call to leave takes (the oldest held call not yet
        left) may have been given to another process's call: its entry in Redis, dated
        ``admitted + ahead`` and then ``now + ahead`` at each renewal Redis applied while
        it still stood (``_renew``, every quarter window while the event loop runs), is
        within a quarter window of leaving the shared window (``date + width``), or left
        it. Then that slot is let go here (no more renewed, no answer waited for: True)
        and the call is admitted again instead of sent (``Scheduler.lapsed``). Renewals
        stop while the loop is blocked (a GC pause, SQLite on the loop, a transport's
        set-up): f48d, a starting process admitted, then its loop blocked 0.6-2.5 s before
        its call left, its entry lapsed a window and an eighth after its admission, the
        other processes took the slot and the server's window held burst + 1 (a 429). The
        quarter window left is for the renewal the call's wait delayed to reach Redis."""
        member = next(iter(self._unsent), None)
        if member is None:
            return False
        date = self._dated.get(member)
        if date is not None and self._clock.wall() + self._width / 4 < date + self._width:
            return False
        del self._unsent[member]
        self._held.pop(member, None)
        self._costs.pop(member, None)
        self._dated.pop(member, None)
        for i, own in enumerate(self._own):
            if own[1] == member:
                del self._own[i]
                break
        return True

    def hold(self) -> None:
        """A call this process admitted last is held from now until its answer
        (``Scheduler.acquire(hold=True)``: the engine's calls): its entry, dated
        ``admitted + ahead``, is dated ``now + ahead`` again every quarter window until the
        answer dates it (``_renew``), for ``HOLD_AT_MOST`` at most. Left at its admission's
        date, the entry of a call a claim's check, the ledger or a starved loop kept from
        leaving past ``ahead`` freed its slot before the server had counted the call, and
        another process's call took it (f27c: 429s traced 0.4 and 1.3 s between admission
        and send on a loaded machine; FakeClock, one call in five held up to 1.5 windows:
        8-11 windows on the server over the burst). A process killed stops renewing: its
        entries leave a window and an ``ahead`` after its last renewal."""
        for t, member, _ in reversed(self._own):
            if member not in self._held:
                self._held[member] = t
                self._unsent[member] = None
                break
        if self._held and (self._renew_task is None or self._renew_task.done()):
            self._renew_task = asyncio.get_running_loop().create_task(self._renew())

    def dropped(self, admitted: float) -> None:
        """A call admitted at ``admitted`` (wall) will not leave: its entry is renewed no
        more (it keeps its date) and no answer is waited for."""
        own = self._own
        for i in range(len(own) - 1, -1, -1):
            if own[i][0] <= admitted + 1e-6:
                self._held.pop(own[i][1], None)
                self._costs.pop(own[i][1], None)
                self._dated.pop(own[i][1], None)
                self._unsent.pop(own[i][1], None)
                del own[i]
                return

    async def _renew(self) -> None:
        """Date the held calls' entries ``now + ahead`` (never earlier than they are) every
        quarter window while any is held; one held past ``HOLD_AT_MOST`` is let go."""
        while self._held and self._lost is None:
            await self._clock.sleep(max(self._width, 0.004) / 4)
            now = self._clock.wall()
            for member, t in list(self._held.items()):
                if t + HOLD_AT_MOST <= now:
                    del self._held[member]
            search = {m for _, m, s in self._own if s and m in self._held}
            if self._held:
                at = now + self._ahead
                self._pending.append(("renew", (self._token_key("burst"),
                                                dict.fromkeys(self._held, at))))
                if search:
                    self._pending.append(("renew", (self._token_key("search"),
                                                    dict.fromkeys(search, at))))
                self._kick()

    def answered(self, sent: float, at: float, *, heard: bool = True) -> None:
        own = self._own
        self._answer = None  # an answer matched to no call of this process dates no figure
        for i in range(len(own) - 1, -1, -1):
            t, member, search = own[i]
            if t <= sent + 1e-6:  # answered: from "admitted + ahead" to when it was counted
                # the probe's tokens are in its answer's figure; not so if a call admitted
                # after it is still out (an answer matched to the probe may be that one's)
                probe = self._probe[1] if self._probe and self._probe[0] == member \
                    and i == len(own) - 1 else 0
                if heard and self._probe_out is not None and self._probe \
                        and self._probe[0] == member:  # the half hour's probe answered
                    self._answered_probe()
                self._answer = (t, probe, self._clock.wall())
                self._held.pop(member, None)
                self._unsent.pop(member, None)
                self._dated.pop(member, None)
                del own[i]
                cost = self._costs.pop(member, None)
                if heard and cost is not None:
                    # the day's answered calls (second admitted : second answered -> tokens):
                    # the server counted them before this, so a daily figure read on a call
                    # admitted later holds them (or its day that ended did): REALIGN adds them
                    # no more (x35r2 F3: a run 8 s after the reset refused, the last minute's
                    # calls on top of the new day's figure)
                    self._pending.append(("done", (
                        self._key(f"day:{cost[1]}:done"),
                        f"{math.floor(t)}:{math.floor(self._clock.wall())}", cost[0],
                        _COMPANY_TTL)))
                at = max(at, t)
                for key in ("burst", "search") if search else ("burst",):
                    if self._fastest < math.inf:  # dated with the token's fastest (DATE)
                        self._pending.append(("date", (
                            self._token_key("fastest"), self._token_key("burst"),
                            self._token_key("search"), self._token_key(key), member,
                            repr(at), repr(self._fastest), self._window_ttl(), _FASTEST_TTL)))
                    else:
                        self._pending.append(("zadd", (self._token_key(key), member, at)))
                self._kick()
                return

    def _answered_probe(self) -> None:
        """The half hour's reset probe was answered: its claim is held to the next half
        hour (``proc@inf``) where it is still the in-flight one this process wrote
        (``_probe_out``): nobody asks again this half hour (one probe per company), its
        answer's figure is the others'. One with no answer (timed out, lost) keeps the
        in-flight lease, and another process asks once it lapses."""
        assert self._probe_out is not None
        key, out, after = self._probe_out
        self._probe_out = None
        ms = max(1, math.ceil((after - self._clock.wall()) * 1000))
        self._pending.append(("swap", (key, out, f"{self._proc}@inf", ms)))

    def fastest_seen(self, fastest: float) -> None:
        """This process's scheduler dates its answered calls with ``fastest`` (seconds, its
        fastest round trip, trusted) from now on: each answer's entry is dated with the
        token's fastest, the least any of its processes told (``fastest`` key, the DATE
        script adds the difference), and when ``fastest`` is below that, every entry of the
        shared windows moves later by what the token's fell by (FASTEST). Dated with its
        own, one process's entry freed its slot when another's call, on a faster way there
        than this process ever saw, could still reach the server inside the window it was
        counted in (f40d 2: one process's fastest 172 ms, its entry dated 171 ms before the
        server counted it; another's next call there 156 ms after Redis admitted it: the
        window held the burst + 1, a 429). Replaces ``later`` for a scheduler that tells it
        (``Scheduler._later``)."""
        self._fastest = fastest
        self._pending.append(("fastest", (
            self._token_key("fastest"), self._token_key("burst"), self._token_key("search"),
            repr(fastest), self._window_ttl(), _FASTEST_TTL)))
        self._kick()

    def _window_ttl(self) -> int:
        """The windows' keys' TTL (ms): two windows and a second."""
        return math.ceil(max(self._width, 0.001) * 2000) + 1000

    def later(self, by: float) -> None:
        """This process's fastest round trip fell by ``by``: every entry of the shared
        windows moves ``by`` later (the LATER script, after the answers queued before it),
        as its scheduler's own do (``Scheduler._later``). Left where they were, those its
        answers had dated with the slower figure freed their shared slots that much too
        soon, and other processes' calls took them (f27c: two processes, each one's first
        window 40 ms slower on the way there: 6 windows on the server over the burst).
        The other processes' entries move too (``ProcessCoordinator.later`` says why)."""
        if by <= 0 or self._width <= 0:
            return
        ttl = math.ceil(self._width * 2000) + 1000
        self._pending.append(("later", (self._token_key("burst"), self._token_key("search"),
                                        repr(by), ttl)))
        self._kick()

    def paused(self, until: float) -> None:
        ttl = max(1, math.ceil((until - self._clock.wall()) * 1000) + 1000)
        self._pending.append(("pause", (self._token_key("pause"), repr(until), ttl)))
        self._kick()

    def refunded(self, op: Operation, day: int) -> None:
        self._pending.append(("refund", (self._key(f"day:{day}"), self._key(f"day:{day}:at"),
                                         op.token_cost, repr(self._clock.wall()),
                                         repr(_QUIET + HOLD_AT_MOST))))
        self._kick()

    def observed(self, tokens_today: int, day: int) -> None:
        # the latest figure, not the largest: a lower one may be the server's new day
        wall = self._clock.wall()
        answer, self._answer = self._answer, None
        # this figure's call (``answered``, read with the same answer: the scheduler reads
        # both at once, but a real wall clock is later at each read; equality alone never
        # matched, so no figure a run read could bring the shared day down, x34r3 F1)
        if answer is not None and 0.0 <= wall - answer[2] <= _SAME_ANSWER:
            self._observed_base = (answer[0], answer[1])
            self._observed_since = answer[0]
        else:  # its call went out no earlier than HOLD_AT_MOST before its answer
            self._observed_base = (wall - HOLD_AT_MOST, 0)
            self._observed_since = wall  # (calls admitted after its answer are not in it)
        self._observed = (day, tokens_today, wall)
        if self._bound:
            self._heard(day, tokens_today, wall, self._observed_base[0])
        else:  # (written under the company ``bind`` names: ``daily_seen``)
            self._unbound = (*self._unbound[:2], (day, tokens_today, wall,
                                                  self._observed_base[0]))
            if self._company is None:  # (``_teach``)
                self._teach(("heard", (self._key(f"day:{day}:at"), self._key(f"day:{day}"),
                                       tokens_today, repr(wall), repr(self._observed_base[0]),
                                       _COMPANY_TTL)))

    def _teach(self, write: tuple[str, tuple[Any, ...]]) -> None:
        """Write what an answer said of the day before ``bind`` (the daily budget, the
        midnight, the figure: ``daily_seen``, ``midnight_seen``, ``observed``) under the
        token's own keys on this account URL at once, where no company record named a
        company (``start``): the keys the next fresh machine on the token and URL reads
        before its first call (``_read_day``). A run whose opening GET /users/me was
        answered 429 (a spent day, Redis emptied) never reaches ``bind``, and every fresh
        machine sent one more call into the spent day (x50r2 F2: 3 of 3, 4 of 4). Never
        under a company the record named before ``bind`` (f48d: it may be another
        account's); ``bind`` writes them under the company it names."""
        self._pending.append(write)
        self._kick()

    def _heard(self, day: int, tokens_today: int, wall: float, base: float, *,
               realign: bool = True) -> None:
        """The company's figure ``tokens_today`` for ``day``, read at ``wall`` on a call
        admitted at ``base`` (wall seconds), kept in Redis (HEARD); and, where it is below
        the shared count (``realign``), offered to bring it down (REALIGN)."""
        # the company's latest figure, which a process started later compares its first
        # with (``known_heard``; x41r6 F1: a run begun after the reset followed the new
        # day's figure but kept UTC's days, and a spent share waited for UTC's midnight)
        self._pending.append(("heard", (self._key(f"day:{day}:at"), self._key(f"day:{day}"),
                                        tokens_today, repr(wall), repr(base), _COMPANY_TTL)))
        self._kick()
        if realign and tokens_today < self._known_today(day) and (
                self._spent_day == day or wall >= self._offered + _REALIGN_EVERY):
            # the server says less than the shared spend: its new day began (or calls
            # counted here never went out); the spend follows it as far as the calls
            # admitted since allow (REALIGN), whether or not the day is spent here yet,
            # at most every few seconds; a spent day offers each figure (the probe's)
            self._offered = wall
            self._pending.append(("realign", self._realign_args(day)))
            self._kick()

    def window_seen(self, remaining: int, until: float, cap: int, *, search: bool,
                    seen: float | None = None,
                    span: tuple[float, float] | None = None) -> None:
        if self._width <= 0:  # nothing admitted yet: the window's width is not known
            return
        key = self._token_key("search" if search else "burst")
        member = f"{self._proc}:h{next(self._seq)}"
        wall = self._clock.wall()
        seen = wall if seen is None else min(seen, wall)
        # (WINDOW: the calls here the server's count can hold; '': those of ``stand``)
        after, by = (repr(span[0]), repr(span[1])) if span is not None else ("", repr(seen))
        self._pending.append(("window", (key, self._token_key("others"),
                                         self._token_key("born"), repr(wall),
                                         repr(self._width), cap, remaining, repr(until), member,
                                         repr(seen), repr(self._width / 4), after, by)))
        self._kick()

    @property
    def others_answers(self) -> int:
        """This process's answers whose window headers counted calls beyond every call the
        processes here may have had in the server's window as it counted (the WINDOW
        script's ``beyond``: every call dated after the answered call's send less a window):
        evidence of another client on the token."""
        return self._others_answers

    @property
    def others_at(self) -> float:
        """Wall time another client's calls were last counted by the server beyond what
        the processes here admitted (any process's answer; -inf: not in the last 4
        windows, as far as this process's last feedback told)."""
        return self._others_at

    def _kick(self) -> None:
        if self._lost is not None or self._token_fp is None:
            return
        if self._flush_task is None or self._flush_task.done():
            self._flush_task = asyncio.get_running_loop().create_task(self._flush_loop())

    async def _flush_loop(self) -> None:
        try:
            while self._pending:
                await self._flush()
        except (RedisError, OSError) as exc:
            self._fail_all(self._lose(exc))

    async def _flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending or self._redis is None:
            return
        try:
            await self._send(pending)
        except ResponseError as exc:
            if not lacks_script(exc):
                raise
            await self._send(pending)  # loads the scripts the restarted server lacks

    async def _send(self, pending: list[tuple[str, tuple[Any, ...]]]) -> None:
        assert self._redis is not None
        # scripts by EVALSHA; the pipeline loads any the server lacks (a restarted one).
        # Closed on every path: a pipeline that took a connection and then failed (Redis
        # lost while it loaded its scripts) was left to the garbage collector, which
        # printed "Unclosed Pipeline client" on stderr
        windows: list[int] = []  # the WINDOW scripts' places in the pipeline's answers
        async with self._redis.pipeline(transaction=False) as pipe:
            for cmd, a in pending:
                if cmd == "window":
                    windows.append(len(pipe.command_stack))
                    await self._scripts[cmd](keys=list(a[:3]), args=list(a[3:]), client=pipe)
                elif cmd == "fastest":
                    await self._scripts[cmd](keys=list(a[:3]), args=list(a[3:]), client=pipe)
                elif cmd == "date":
                    await self._scripts[cmd](keys=list(a[:4]), args=list(a[4:]), client=pipe)
                elif cmd == "realign":
                    await self._scripts[cmd](keys=list(a[:4]), args=list(a[4:]), client=pipe)
                elif cmd == "heard":
                    await self._scripts[cmd](keys=list(a[:2]), args=list(a[2:]), client=pipe)
                elif cmd in ("later", "refund"):
                    await self._scripts[cmd](keys=list(a[:2]), args=list(a[2:]), client=pipe)
                elif cmd == "set":
                    pipe.set(a[0], a[1], ex=a[2])
                elif cmd == "zrem":  # (a process bound to another company: ``bind``)
                    pipe.zrem(a[0], a[1])
                elif cmd == "done":  # the day's answered calls (REALIGN)
                    pipe.hincrby(a[0], a[1], a[2])
                    pipe.expire(a[0], a[3])
                elif cmd == "renew":  # a held call's entry, never moved earlier
                    pipe.zadd(a[0], a[1], xx=True, gt=True)
                elif cmd == "zadd":
                    # not only XX: a call answered after the state was lost goes back into
                    # the window (the server counted it); the key keeps a TTL either way
                    pipe.zadd(a[0], {a[1]: a[2]})
                    pipe.pexpire(a[0], math.ceil(max(self._width, 0.001) * 2000) + 1000)
                else:
                    await self._scripts[cmd](keys=[a[0]], args=list(a[1:]), client=pipe)
            answers = await pipe.execute()
        self._renewed(pending)
        for i in windows:
            last = _text(answers[i][1]) if i < len(answers) else ""
            self._others_at = float(last) if last else -math.inf
            # the calls counted beyond any the processes here may have had in the server's
            # window (not ``stand``, beyond those dated in it as the answer was read: x35r2 F4)
            if i < len(answers) and len(answers[i]) > 3 and int(answers[i][3]) > 0:
                self._others_answers += 1

    def _renewed(self, pending: list[tuple[str, tuple[Any, ...]]]) -> None:
        """The renewals just applied in Redis: each held entry's date (``_dated``) moves
        to its renewal's, if the entry still stood when Redis applied it (by now, less
        than a window past its date: no admission can have left it out of the window
        before); one that may have lapsed keeps its date, and ``lapsed`` lets it go."""
        if not self._dated:
            return
        by = self._clock.wall() - self._width
        dated = self._dated
        for cmd, a in pending:
            if cmd == "renew" and a[0].endswith(":burst"):
                for member, at in a[1].items():
                    was = dated.get(member)
                    if was is not None and by < was < at:
                        dated[member] = at

    def statistics(self) -> SharedStats | None:
        """The account-wide picture as of the last admission round trip."""
        return self._stats


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _server_day(wall: float, day_seconds: float, midnight: Any) -> int:
    """The index of the company's day at ``wall`` (seconds): UTC's, or the server's where
    its ``midnight`` key (wall seconds, bytes or None) is a number, shifted as
    ``Scheduler._shift`` does (within half a day of UTC's midnight)."""
    try:
        at = float(_text(midnight)) if midnight else math.nan
    except ValueError:
        at = math.nan
    d = day_seconds
    shift = (at + d / 2) % d - d / 2 if math.isfinite(at) else 0.0
    return math.floor((wall + 1e-3 - shift) / d)  # (the scheduler's _WALL_EPS)


async def check(url: str, *, within: float = 3.0) -> None:
    """Ping the coordinator once; raises CoordinatorLost with a clear message if it does
    not answer (the CLI turns that into exit 1 before anything is sent); ValueError
    for a malformed URL."""
    client = connect(check_url(url), socket_connect_timeout=within, socket_timeout=within)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        raise CoordinatorLost(f"{failure(url, exc)}: start Redis, fix the URL or drop "
                              "--coordinator") from None
    finally:
        await client.aclose()


async def snapshot(url: str, *, wall: float, day_seconds: float = 86400.0,
                   window: float = 2.0) -> dict[str, Any]:
    """The account-wide picture for ``pdbulk status``: per company, processes active in
    the last 30 s and today's spend (tokens), each read from that company's own keys, its
    day the server's where a process saw its midnight (``midnight`` key; labelled as the
    schedulers label it, ``Scheduler._day_of``: x48r6 F1, UTC's day read another day's
    count); per token fingerprint, requests in the burst window (the fullest of the
    token's windows: one per account URL it calls). ``wall``, ``day_seconds``,
    ``window``: seconds. Raises CoordinatorLost if Redis does not answer, ValueError for a
    malformed URL."""
    client = connect(check_url(url), socket_connect_timeout=3.0, socket_timeout=3.0)
    out: dict[str, Any] = {"companies": {}, "tokens": {}}
    try:
        async for raw in client.scan_iter("pdbulk:c:*:procs"):
            key = _text(raw)
            company = key.split(":")[2]
            active = await client.zcount(key, wall - _ACTIVE, "+inf")
            day = _server_day(wall, day_seconds,
                              await client.get(f"pdbulk:c:{company}:midnight"))
            spent = await client.get(f"pdbulk:c:{company}:day:{day}")
            out["companies"][company] = {"processes": int(active),
                                         "tokens_today": int(float(spent or 0))}
        async for raw in client.scan_iter("pdbulk:t:*:burst"):
            key = _text(raw)
            in_window = int(await client.zcount(key, wall - window, "+inf"))
            # (a window per account URL the token calls: its fullest)
            was = out["tokens"].get(fp := key.split(":")[2], {"window_fill": 0})
            out["tokens"][fp] = {"window_fill": max(in_window, was["window_fill"])}
    except (RedisError, OSError) as exc:
        raise CoordinatorLost(failure(url, exc)) from None
    finally:
        await client.aclose()
    return out


__all__ = ["ADMIT", "PAUSE", "REFUND", "WINDOW", "RedisCoordinator", "check", "failure", "snapshot"]
