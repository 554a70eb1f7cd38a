"""The shared coordinator on Redis: many processes (or machines), one account.

One Lua script admits a *batch* of queued calls in one atomic round trip (FIFO:
it stops at the first call that does not fit and says how long to wait, so no
process polls). Answers, 429 pauses, refunds and the window the server's headers
describe (``x-ratelimit-remaining`` / ``-reset``: the calls nobody here counted become
entries of the shared window until the reset) go back in one pipeline per
burst of them, off the call path. redis-py's asyncio client runs the scripts
(EVALSHA, re-loaded after a server restart).

Keys (``{t}`` = token fingerprint, never the token; ``{c}`` = company id)::

    pdbulk:t:{t}:burst    ZSET call -> wall time the server counted it   TTL 2 windows
    pdbulk:t:{t}:search   ZSET, searches only                             TTL 2 windows
    pdbulk:t:{t}:pause    wall time a 429 pause ends                       TTL the pause
    pdbulk:t:{t}:born     HASH epoch, at: when this shared state began     TTL 2 days, renewed
    pdbulk:c:{c}:day:{n}  tokens the company spent on day n (all tokens)  TTL end of day + 1 day
    pdbulk:c:{c}:procs    ZSET process id -> last admission               TTL 2 minutes

Until the company is known (``bind``, after the process's first call, GET
/users/me) the day and procs keys are the token's (``pdbulk:t:{t}:day:{n}``); what
was spent there is carried over to the company's day with the next admission.

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

A process killed while holding window slots blocks nobody longer than the
window: its entries age out of the sorted set like anyone's. Redis errors become
:class:`~bulk.errors.CoordinatorLost` (terminal: the run stops checkpointed).
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import secrets
import socket
from collections import deque
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import AuthenticationError, InvalidResponse, RedisError, ResponseError

from .clock import Clock, SystemClock
from .coordinator import Limit, SharedStats, check_url, redacted
from .errors import BudgetExhausted, CoordinatorLost
from .operations import Operation

_BATCH = 64  # admissions per round trip at most
_ACTIVE = 60.0  # seconds: a process that admitted nothing for this long is not counted

# KEYS: burst, search, pause, day, procs, born
# ARGV: now, width, burst, search, day_limit, day_ttl_ms, proc, observed, carry, ahead,
#       known epoch ('' : none yet), new epoch, known spend today,
#       then (member, is_search, cost) per call, in FIFO order. A call's entry is dated
#       now + ahead (it counts from now: every entry above now - width does).
# The state is lost when the caller knew an epoch and the marker is gone or another:
# the token's windows are held (the pause) until a window and an `ahead` after the
# re-birth, and the day's spend is at least what the caller knew.
ADMIT = """
local now, width = tonumber(ARGV[1]), tonumber(ARGV[2])
local burst, scap = tonumber(ARGV[3]), tonumber(ARGV[4])
local limit, dttl = tonumber(ARGV[5]), tonumber(ARGV[6])
local wttl = math.ceil(width * 2000) + 1000
local ahead = tonumber(ARGV[10])
local at = now + ahead
local known = ARGV[11]
local b = redis.call('HMGET', KEYS[6], 'epoch', 'at')
local epoch, born = b[1], tonumber(b[2] or '')
if not epoch or not born then
  epoch, born = ARGV[12], now
  redis.call('HSET', KEYS[6], 'epoch', epoch, 'at', ARGV[1])
end
redis.call('PEXPIRE', KEYS[6], 172800000)
local lost = known ~= '' and known ~= epoch
if lost then
  local hold = born + width + ahead
  local cur = tonumber(redis.call('GET', KEYS[3]) or '0')
  if hold > now and hold > cur then
    redis.call('SET', KEYS[3], tostring(hold), 'PX', math.ceil((hold - now) * 1000) + 1000)
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - width)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - width)
redis.call('ZADD', KEYS[5], now, ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - 60)
redis.call('PEXPIRE', KEYS[5], 120000)
local spent = tonumber(redis.call('GET', KEYS[4]) or '0') + tonumber(ARGV[9])
local observed = tonumber(ARGV[8])
if observed > spent then spent = observed end
if lost and tonumber(ARGV[13]) > spent then spent = tonumber(ARGV[13]) end
local count, scount = redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2])
local admitted, wait, why = 0, 0, 'ok'
local pause = tonumber(redis.call('GET', KEYS[3]) or '0')
if pause > now then
  wait, why = pause - now, 'pause'
else
  local i = 14
  while i + 2 <= #ARGV do
    local member, search, cost = ARGV[i], ARGV[i + 1] == '1', tonumber(ARGV[i + 2])
    if spent + cost > limit then why = 'budget'; break end
    if count >= burst then
      local e = redis.call('ZRANGE', KEYS[1], count - burst, count - burst, 'WITHSCORES')
      wait, why = tonumber(e[2]) + width - now, 'burst'; break
    end
    if search and scount >= scap then
      local e = redis.call('ZRANGE', KEYS[2], scount - scap, scount - scap, 'WITHSCORES')
      wait, why = tonumber(e[2]) + width - now, 'search'; break
    end
    redis.call('ZADD', KEYS[1], at, member)
    count = count + 1
    if search then redis.call('ZADD', KEYS[2], at, member); scount = scount + 1 end
    spent = spent + cost
    admitted = admitted + 1
    i = i + 3
  end
end
redis.call('SET', KEYS[4], spent, 'PX', dttl)
redis.call('PEXPIRE', KEYS[1], wttl)
redis.call('PEXPIRE', KEYS[2], wttl)
return {admitted, tostring(wait), why, count, scount, tostring(spent), redis.call('ZCARD', KEYS[5]),
        tostring(pause), epoch, lost and 1 or 0}
"""

# KEYS: pause; ARGV: until (wall), ttl_ms — only ever extends the pause
PAUSE = """
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1
"""

# KEYS: a window (burst or search ZSET); ARGV: now, width, cap, remaining, until, member
# prefix. The server's headers say only `remaining` of `cap` calls are left until `until`:
# the calls no process here counted (another client on the token, answers still on their
# way) are added as entries that leave the window at `until` (0 left: it is full until
# then). Answers how many were added.
WINDOW = """
local now, width, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local left, untl = tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - width)
local missing = math.min(cap, cap - left) - redis.call('ZCARD', KEYS[1])
for i = 1, missing do
  redis.call('ZADD', KEYS[1], untl - width, ARGV[6] .. ':' .. i)
end
if missing > 0 then redis.call('PEXPIRE', KEYS[1], math.ceil(width * 2000) + 1000) end
return math.max(0, missing)
"""

# KEYS: day; ARGV: tokens — never below 0, never creates the key
REFUND = """
local v = redis.call('GET', KEYS[1])
if v then redis.call('SET', KEYS[1], math.max(0, tonumber(v) - tonumber(ARGV[1])), 'KEEPTTL') end
return 1
"""


# a connection dropped or a server restarted is retried this often (50 ms, then doubling
# to at most 0.5 s apart: about 2 s in all) before the run stops checkpointed (v12r9: a
# restart taking 0.3 s outlasted 3 retries, 0.7 s, and stopped every process)
BLIP_RETRIES = 6


def blip_retry() -> Retry:
    """The redis-py retry policy of every coordinator and claims connection."""
    return Retry(ExponentialBackoff(cap=0.5, base=0.05), BLIP_RETRIES)


def lacks_script(exc: BaseException) -> bool:
    """A pipelined EVALSHA answered NOSCRIPT: the server restarted (empty) between the
    pipeline's script check and its commands. The next pipeline loads them again; nothing
    of that one ran (every EVALSHA of it failed alike), so sending it again is safe (v12r9:
    "No matching script" stopped runs with exit 4 on a quick Redis restart)."""
    text = str(exc)
    return isinstance(exc, ResponseError) and ("NOSCRIPT" in text
                                               or "No matching script" in text)


def failure(url: str, exc: BaseException) -> str:
    """What went wrong talking to the coordinator at ``url``, in one phrase: "does not
    answer" (no connection, a timeout) or "refused …" with Redis' own words (a wrong
    password, a database out of range, out of memory, a read-only replica): the second
    kind does not go away by waiting for Redis to come back. The one place Redis errors
    become text (the URL's password is never in it)."""
    where = f"the coordinator at {redacted(url)}"
    text = " ".join(str(exc).split())
    if "NOAUTH" in text or "HELLO must be called with the client already authenticated" \
            in text or "Authentication required" in text:
        return (f"{where} refused the request (Redis requires a password: give it in the "
                "URL, redis://:PASSWORD@host:port/db)")
    if isinstance(exc, InvalidResponse) or "Protocol Error" in text:
        return f"{where} is not a Redis server (it answered something else): check the port"
    if isinstance(exc, AuthenticationError | ResponseError):
        said = " ".join(str(exc).split())[:200]
        return f"{where} refused the request ({said})"
    return f"{where} does not answer ({type(exc).__name__})"


class _Waiter:
    __slots__ = ("fut", "limit", "op", "wait_for_reset")

    def __init__(self, op: Operation, limit: Limit, wait_for_reset: bool,
                 fut: asyncio.Future[None]) -> None:
        self.op, self.limit, self.wait_for_reset, self.fut = op, limit, wait_for_reset, fut


class RedisCoordinator:
    """Shared burst window, search window, daily spend and 429 pause on Redis.

    ``url``: ``redis://[:password@]host:port/db`` (redis-py's URL grammar). Admission
    times are ``clock.wall()`` seconds. See the module docstring for keys and TTLs."""

    __slots__ = ("_carry", "_clock", "_company", "_epoch", "_flush_task", "_known", "_losses",
                 "_lost", "_observed", "_own", "_pending", "_prebind", "_proc", "_pump", "_queue",
                 "_redis", "_scripts", "_seq", "_stats", "_token_fp", "_url", "_width")

    def __init__(self, url: str, *, clock: Clock | None = None) -> None:
        self._url, self._clock = check_url(url), clock or SystemClock()
        self._redis: aioredis.Redis | None = None
        self._scripts: dict[str, Any] = {}
        self._token_fp: str | None = None
        self._company: str | None = None
        self._prebind = 0  # tokens admitted before the company was known
        self._queue: deque[_Waiter] = deque()
        self._pump: asyncio.Task[None] | None = None
        self._flush_task: asyncio.Task[None] | None = None
        self._pending: list[tuple[str, tuple[Any, ...]]] = []  # commands for the next flush
        self._own: deque[tuple[float, str, bool]] = deque()  # (admitted at, member, search)
        self._lost: CoordinatorLost | None = None
        self._seq = itertools.count()
        self._proc = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._observed: tuple[int, int] = (-1, 0)  # (day, tokens) from headers
        self._carry = 0
        self._epoch = ""  # the shared state's birth marker as last seen ('': none yet)
        self._known: tuple[int, int] = (-1, 0)  # (day, the company's spend the state said)
        self._losses = 0  # times this process found the shared state lost
        self._stats: SharedStats | None = None
        self._width = 0.0

    @property
    def shared(self) -> bool:
        return True

    def __repr__(self) -> str:
        s = self._stats
        live = (f" window={s.window_fill} today={s.tokens_today} processes={s.processes}"
                if s else "")
        return f"<RedisCoordinator {redacted(self._url)} queued={len(self._queue)}{live}>"

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self, token_fp: str) -> None:
        """Connect and load the scripts. Raises CoordinatorLost if Redis does not answer."""
        self._token_fp = token_fp
        try:
            # a blip is retried (``BLIP_RETRIES``: about 2 s); a Redis that stays away
            # is reported within a few seconds, and the run stops checkpointed
            self._redis = aioredis.from_url(
                self._url, socket_connect_timeout=3.0, socket_timeout=5.0, retry=blip_retry())
            await self._redis.ping()
            self._scripts = {name: self._redis.register_script(src)
                             for name, src in (("admit", ADMIT), ("pause", PAUSE),
                                               ("refund", REFUND), ("window", WINDOW))}
        except (RedisError, OSError) as exc:
            await self._drop()
            raise self._lose(exc) from None

    async def aclose(self) -> None:
        for task in (self._pump, self._flush_task):
            if task is not None and not task.done():
                task.cancel()
        if self._redis is not None and self._lost is None and self._token_fp is not None:
            try:
                await self._flush()
                await self._redis.zrem(self._key("procs"), self._proc)
            except (RedisError, OSError):
                pass
        await self._drop()

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
    def bind(self, company: str) -> None:
        if self._company is None:
            self._company, self._carry, self._prebind = company, self._prebind, 0

    def _key(self, what: str) -> str:
        """A company key (day, procs); the token's until the company is known."""
        if self._company is None:
            return self._token_key(what)
        return f"pdbulk:c:{self._company}:{what}"

    def _token_key(self, what: str) -> str:
        assert self._token_fp is not None, "start() first"
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
        limit = batch[0].limit
        self._width = limit.width
        now = self._clock.wall()
        members = [f"{self._proc}:{next(self._seq)}" for _ in batch]
        args: list[Any] = [repr(now), repr(limit.width), limit.burst, limit.search,
                           limit.day_limit, max(1000, math.ceil((limit.day_ends - now + 86400) * 1000)),
                           self._proc, self._observed[1] if self._observed[0] == limit.day else 0,
                           self._carry, repr(limit.ahead), self._epoch, secrets.token_hex(8),
                           self._known_today(limit.day)]
        for w, member in zip(batch, members, strict=True):
            args += [member, 1 if w.op.search else 0, w.op.token_cost]
        keys = [self._token_key("burst"), self._token_key("search"), self._token_key("pause"),
                self._key(f"day:{limit.day}"), self._key("procs"), self._token_key("born")]
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
        for w, member in zip(batch[:admitted], members, strict=False):
            if self._company is None:
                self._prebind += w.op.token_cost
            self._own.append((now, member, w.op.search))
            self._queue.remove(w)
            if not w.fut.done():
                w.fut.set_result(None)
        while self._own and self._own[0][0] + 2 * limit.width < now:
            self._own.popleft()
        if admitted == len(batch):
            return
        head = batch[admitted]
        if why == "budget":
            if head.wait_for_reset:
                await self._clock.sleep(max(0.001, limit.day_ends - self._clock.wall()))
                return
            self._queue.remove(head)
            if not head.fut.done():
                head.fut.set_exception(BudgetExhausted(
                    f"the company's shared daily budget: {self._stats.tokens_today} tokens used "
                    f"by all processes, usable {limit.day_limit}; {head.op.id} needs "
                    f"{head.op.token_cost}", resets_at=limit.day_ends))
            return
        await self._clock.sleep(max(0.0005, wait))

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
    def answered(self, sent: float, at: float) -> None:
        own = self._own
        for i in range(len(own) - 1, -1, -1):
            t, member, search = own[i]
            if t <= sent + 1e-6:  # answered: from "admitted + ahead" to when it was counted
                del own[i]
                at = max(at, t)
                self._pending.append(("zadd", (self._token_key("burst"), member, at)))
                if search:
                    self._pending.append(("zadd", (self._token_key("search"), member, at)))
                self._kick()
                return

    def paused(self, until: float) -> None:
        ttl = max(1, math.ceil((until - self._clock.wall()) * 1000) + 1000)
        self._pending.append(("pause", (self._token_key("pause"), repr(until), ttl)))
        self._kick()

    def refunded(self, op: Operation, day: int) -> None:
        self._pending.append(("refund", (self._key(f"day:{day}"), op.token_cost)))
        self._kick()

    def observed(self, tokens_today: int, day: int) -> None:
        d, seen = self._observed
        self._observed = (day, max(seen, tokens_today) if d == day else tokens_today)

    def window_seen(self, remaining: int, until: float, cap: int, *, search: bool) -> None:
        if self._width <= 0:  # nothing admitted yet: the window's width is not known
            return
        key = self._token_key("search" if search else "burst")
        member = f"{self._proc}:h{next(self._seq)}"
        self._pending.append(("window", (key, repr(self._clock.wall()), repr(self._width),
                                         cap, remaining, repr(until), member)))
        self._kick()

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
        async with self._redis.pipeline(transaction=False) as pipe:
            for cmd, a in pending:
                if cmd == "zadd":
                    # not only XX: a call answered after the state was lost goes back into
                    # the window (the server counted it); the key keeps a TTL either way
                    pipe.zadd(a[0], {a[1]: a[2]})
                    pipe.pexpire(a[0], math.ceil(max(self._width, 0.001) * 2000) + 1000)
                else:
                    await self._scripts[cmd](keys=[a[0]], args=list(a[1:]), client=pipe)
            await pipe.execute()

    def statistics(self) -> SharedStats | None:
        """The account-wide picture as of the last admission round trip."""
        return self._stats


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def check(url: str, *, within: float = 3.0) -> None:
    """Ping the coordinator once; raises CoordinatorLost with a clear message if it does
    not answer (the CLI turns that into exit 1 before anything is sent); ValueError
    for a malformed URL."""
    client = aioredis.from_url(check_url(url), socket_connect_timeout=within, socket_timeout=within)
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
    the last minute and today's spend; per token fingerprint, requests in the burst
    window. Raises CoordinatorLost if Redis does not answer, ValueError for a malformed URL."""
    client = aioredis.from_url(check_url(url), socket_connect_timeout=3.0, socket_timeout=3.0)
    day = math.floor(wall / day_seconds)
    out: dict[str, Any] = {"companies": {}, "tokens": {}}
    try:
        async for raw in client.scan_iter("pdbulk:c:*:procs"):
            key = _text(raw)
            company = key.split(":")[2]
            active = await client.zcount(key, wall - _ACTIVE, "+inf")
            spent = await client.get(f"pdbulk:c:{company}:day:{day}")
            out["companies"][company] = {"processes": int(active),
                                         "tokens_today": int(float(spent or 0))}
        async for raw in client.scan_iter("pdbulk:t:*:burst"):
            key = _text(raw)
            in_window = await client.zcount(key, wall - window, "+inf")
            out["tokens"][key.split(":")[2]] = {"window_fill": int(in_window)}
    except (RedisError, OSError) as exc:
        raise CoordinatorLost(failure(url, exc)) from None
    finally:
        await client.aclose()
    return out


__all__ = ["ADMIT", "PAUSE", "REFUND", "WINDOW", "RedisCoordinator", "check", "failure", "snapshot"]
