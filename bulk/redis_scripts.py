"""The coordinator's server-side parts on Redis: the Lua scripts that make each admission,
pause, refund and window read one atomic round trip (``bulk.coordinator_redis``), and
what every Redis connection of pdbulk shares with ``bulk.claims_redis`` — the retry of a
blip, the wording of a failure, and the client (``connect``: its round trips hold a fake
clock still). Scripts are plain data: loaded by EVALSHA (and loaded again by the pipeline
when a restarted server lacks them)."""

from __future__ import annotations

from typing import Any

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import AuthenticationError, InvalidResponse, ResponseError

from .clock import off_loop
from .coordinator_urls import redacted

# KEYS: burst, search, pause, day, procs, born, day info (HASH: rolled, cut),
#       day's recent admissions (HASH: whole second -> tokens admitted in it),
#       day's answered calls (HASH: 'second admitted:second answered' -> tokens; REALIGN)
# ARGV: now, width, burst, search, day_limit, day_ttl_ms, proc, observed, carry, ahead,
#       known epoch ('' : none yet), new epoch, known spend today,
#       observed_at (wall time the server's daily figure ``observed`` was read; 0: none),
#       probe ('1': the first call is the reset probe, admitted past the budget),
#       keep (seconds of recent admissions kept for REALIGN),
#       then (member, is_search, cost) per call, in FIFO order. A call's entry is dated
#       now + ahead (it counts from now: every entry above now - width does).
# The state is lost when the caller knew an epoch and the marker is gone or another:
# the token's windows are held (the pause) until a window and an `ahead` after the
# re-birth, and the day's spend is at least what the caller knew.
# A figure read before the spend last followed the server's (REALIGN: the server's
# previous day) raises nothing. The tokens admitted each second are kept `keep` seconds
# (REALIGN adds those admitted since its cut).
ADMIT = """
local now, width = tonumber(ARGV[1]), tonumber(ARGV[2])
local burst, scap = tonumber(ARGV[3]), tonumber(ARGV[4])
local limit, dttl = tonumber(ARGV[5]), tonumber(ARGV[6])
local wttl = math.ceil(width * 2000) + 1000
local ahead = tonumber(ARGV[10])
local at = now + ahead
local known = ARGV[11]
local b = redis.call('HMGET', KEYS[6], 'epoch', 'at', 'pruned')
local epoch, born = b[1], tonumber(b[2] or '')
if not epoch or not born then
  epoch, born = ARGV[12], now
  redis.call('HSET', KEYS[6], 'epoch', epoch, 'at', ARGV[1])
end
-- how far the windows are pruned (below): WINDOW reads no evidence from entries gone
if now - 2 * width > (tonumber(b[3] or '') or 0) then
  redis.call('HSET', KEYS[6], 'pruned', tostring(now - 2 * width))
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
-- entries are kept a window past the window (WINDOW reads those the server may still
-- count when an answer's headers reach Redis after later admissions); the window is
-- the entries above now - width
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 2 * width)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 2 * width)
local old = redis.call('ZCOUNT', KEYS[1], '-inf', now - width)
local sold = redis.call('ZCOUNT', KEYS[2], '-inf', now - width)
redis.call('ZADD', KEYS[5], now, ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - 30)
redis.call('PEXPIRE', KEYS[5], 120000)
local spent = tonumber(redis.call('GET', KEYS[4]) or '0') + tonumber(ARGV[9])
local observed, seen_at = tonumber(ARGV[8]), tonumber(ARGV[14])
local rolled = tonumber(redis.call('HGET', KEYS[7], 'rolled') or '0')
if seen_at >= rolled and observed > spent then spent = observed end
local probe = ARGV[15] == '1'
if lost and tonumber(ARGV[13]) > spent then spent = tonumber(ARGV[13]) end
local count = redis.call('ZCARD', KEYS[1]) - old
local scount = redis.call('ZCARD', KEYS[2]) - sold
local admitted, wait, why, tokens = 0, 0, 'ok', 0
local pause = tonumber(redis.call('GET', KEYS[3]) or '0')
if pause > now then
  wait, why = pause - now, 'pause'
else
  local i = 17
  while i + 2 <= #ARGV do
    local member, search, cost = ARGV[i], ARGV[i + 1] == '1', tonumber(ARGV[i + 2])
    local asks = probe and i == 17
    if spent + cost > limit and not asks then why = 'budget'; break end
    if count >= burst then
      local e = redis.call('ZRANGE', KEYS[1], old + count - burst, old + count - burst,
                           'WITHSCORES')
      wait, why = tonumber(e[2]) + width - now, 'burst'; break
    end
    if search and scount >= scap then
      local e = redis.call('ZRANGE', KEYS[2], sold + scount - scap, sold + scount - scap,
                           'WITHSCORES')
      wait, why = tonumber(e[2]) + width - now, 'search'; break
    end
    redis.call('ZADD', KEYS[1], at, member)
    count = count + 1
    if search then redis.call('ZADD', KEYS[2], at, member); scount = scount + 1 end
    spent = spent + cost
    admitted = admitted + 1
    tokens = tokens + cost
    i = i + 3
  end
end
if tokens > 0 then
  local second = math.floor(now)
  if redis.call('HINCRBY', KEYS[8], second, tokens) == tokens then
    local old = {}
    for _, f in ipairs(redis.call('HKEYS', KEYS[8])) do
      if tonumber(f) < second - tonumber(ARGV[16]) then table.insert(old, f) end
    end
    if #old > 0 then redis.call('HDEL', KEYS[8], unpack(old)) end
    old = {}
    for _, f in ipairs(redis.call('HKEYS', KEYS[9])) do
      local adm = tonumber(string.match(f, '^(%d+):') or '0')
      if adm < second - tonumber(ARGV[16]) then table.insert(old, f) end
    end
    if #old > 0 then redis.call('HDEL', KEYS[9], unpack(old)) end
  end
  redis.call('PEXPIRE', KEYS[8], dttl)
end
redis.call('SET', KEYS[4], spent, 'PX', dttl)
redis.call('PEXPIRE', KEYS[7], dttl)
redis.call('PEXPIRE', KEYS[1], wttl)
redis.call('PEXPIRE', KEYS[2], wttl)
return {admitted, tostring(wait), why, count, scount, tostring(spent), redis.call('ZCARD', KEYS[5]),
        tostring(pause), epoch, lost and 1 or 0}
"""

# KEYS: the half hour's reset probe claim (``probe``); ARGV: the value read, the new one,
# ttl_ms. Takes over a claim whose lease lapsed, if no other process took it meanwhile.
SWAP = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"""

# KEYS: pause; ARGV: until (wall), ttl_ms — only ever extends the pause
PAUSE = """
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1
"""

# KEYS: a window (burst or search ZSET), others (the wall time another client's calls
# were last counted), born (HASH: at, when the shared state began; pruned, how far ADMIT
# pruned the windows); ARGV: now, width, cap, remaining, until, member prefix, seen, slack,
# after, by.
# The server's headers, read by ``seen`` (the answer's wall time), say only `remaining` of
# `cap` calls are left, the oldest leaving at `until`: the calls no process here counted
# (another client on the token) are entries of the window. Our own are counted as the
# server saw them: entries above seen - width, less `slack` (an answered call is dated a
# little before the server counted it), and in the window as of `now` (the entries kept a
# window longer by ADMIT are not), and not those admitted after
# `seen` (a member `proc:n@admitted`: the server cannot have counted them; counted, they
# hid as many of the other client's calls). The other client's calls already entries
# (members `prefix:i`, oldest first) stand for as many of those: they are dated `seen`
# again, a window after which they leave at the latest; only the rest are added. Of those
# added when none stood, the oldest leaves at `until`, the others (their times unknown) a
# window after `seen`: all dated at `until` (f23l: the oldest's), the fleet burst into a
# window the other client still held (60 429s against 10 alone). Left at the reading that
# added it (f27c, x23r3 F2), an entry for a call of another client that keeps sending left
# the window before a later reading put its successor in: the fleet took the slot the
# other client's next call held (7-11 429s a run beside a client spending 12 of 40).
# Answers how many were added, when another client's calls were last seen ('' : not
# in the last 4 windows), how many the server counted beyond ours (`stand`) and how many
# beyond every call the processes here may have had in its window as it counted
# (`beyond`: the evidence of another client): those dated after `after` and admitted by
# `by` (ARGV[9], ARGV[10]; `after` '': those `stand` counts). Before, `stand` was the
# evidence: an answer read a few ms later after the server counted it than the calls at
# the edge of its window were (their way back, a busy loop) found those pruned by an
# admission made since (ADMIT pruned at now - width), and every coordinated run alone on
# the token ended with "another client's calls" in 1-34 answers (x35r2 F4). Entries are
# kept two windows (ADMIT); an `after` before that proves nothing (`beyond` 0) — nor one
# before what ADMIT has pruned (`pruned`: by the latest admission's time, not this script's
# `now`, which is the answer's: under load the feedback pipeline ran this script 1.3-1.5 s
# after the answer, admissions had pruned entries the server still counted, and 1-25
# answers of a run in 4 of 90 looked like another client's, f36f 2), nor one before the
# state began (`at`: the server's window may hold calls of before), nor any read with no
# birth marker at all: Redis emptied between a call's admission and its answer, before an
# admission began the state again, held none of the calls made before (x50r2 F5: 5 of 10
# runs alone, a FLUSHALL mid-run, ended with "another client's calls").
WINDOW = """
local now, width, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local left, untl = tonumber(ARGV[4]), tonumber(ARGV[5])
local seen, slack = tonumber(ARGV[7]), tonumber(ARGV[8])
local after, by = tonumber(ARGV[9] or ''), tonumber(ARGV[10] or '') or seen
local from = seen - width - slack
if after and after < from then from = after end
local ours, mine, others = 0, 0, {}
local all = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. tostring(from), '+inf', 'WITHSCORES')
for k = 1, #all, 2 do
  local m, at = all[k], tonumber(all[k + 1])
  if string.find(m, ':h%d+:%d+$') then
    if at > now - width then table.insert(others, {m, at}) end
  else
    local admitted = tonumber(string.match(m, '@([^@]+)$') or '')
    -- (the window as of now: `stand`'s entries stand for what the server may count next)
    if (not admitted or admitted <= seen) and at > math.max(seen - width - slack, now - width)
    then
      ours = ours + 1
    end
    if after and (not admitted or admitted <= by) and at > after then mine = mine + 1 end
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 2 * width)
local stand = math.min(cap, cap - left) - ours
local kept = math.max(0, math.min(#others, stand))
for k = 1, kept do
  if others[k][2] < seen then redis.call('ZADD', KEYS[1], 'XX', seen, others[k][1]) end
end
local beyond = stand
if after then beyond = math.min(cap, cap - left) - mine end
local h = redis.call('HMGET', KEYS[3], 'pruned', 'at')
local gone = math.max(now - 2 * width, tonumber(h[1] or '') or 0, tonumber(h[2] or '') or 0)
if after and after < gone then beyond = 0 end
-- no birth marker: Redis lost its state since the last admission (ADMIT writes `at`), and
-- what the processes here had in the window is unknown: no evidence (x50r2 F5)
if not h[2] then beyond = 0 end
local missing = stand - #others
for i = 1, missing do
  local at = seen
  if i == 1 and #others == 0 then at = math.min(untl, seen + width) - width end
  redis.call('ZADD', KEYS[1], at, ARGV[6] .. ':' .. i)
end
if missing > 0 or kept > 0 then
  redis.call('PEXPIRE', KEYS[1], math.ceil(width * 2000) + 1000)
  local last = tonumber(redis.call('GET', KEYS[2]) or '0')
  if seen > last then
    redis.call('SET', KEYS[2], ARGV[7], 'PX', math.ceil(width * 4000) + 1000)
  end
end
return {math.max(0, missing), redis.call('GET', KEYS[2]) or '', math.max(0, stand),
        math.max(0, beyond)}
"""

# KEYS: day, day info (HASH: rolled, cut), recent admissions (HASH: second -> tokens),
# answered calls (HASH: 'second admitted:second answered' -> tokens);
# ARGV: now, observed, observed_at, quiet, base, own, keep (ADMIT's).
# The company's day is the server's. Every call admitted reaches the server within
# `quiet` seconds or never does; the server read its figure `observed` no earlier than
# `base` (the admission of the call whose answer carried it: wall seconds). So every call
# admitted by `base - quiet` is in `observed`, and all the server counted since was
# admitted later: the company's spend now is at most `observed` plus the tokens admitted
# since `base - quiet` (whole seconds, the one holding it too), less `own` (the answered
# call's tokens, counted in both: the reset probe's; 0 otherwise). Where that is below
# the shared spend (the server's day began, or calls counted here never went out), the
# spend follows it — never below what the server may have counted, and so never an
# overspend, however many processes keep admitting meanwhile (x27r2 1: the spend
# followed only after a quiet minute, and a run stopped "budget spent" with 3,466 of
# 4,000 free). A figure read before the last one followed raises nothing (ADMIT), and
# REFUND gives back nothing a call admitted by `cut` (= base - quiet) could owe.
# Of the tokens admitted since `cut`, those of calls answered in a second before `base`'s
# are not added: the server counted them before the figure's call (in its figure, or in
# its day that ended). Added, a run started seconds after the server's day began found
# the last minute's calls on top of the new day's figure and was refused "run again after
# the reset" (x35r2 F3: 147 of a 150 share used, the server at 2 of 300).
# Answers 1 if the spend followed.
REALIGN = """
local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
local rolled = tonumber(redis.call('HGET', KEYS[2], 'rolled') or '0')
local seen, at, quiet = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local cut, own = tonumber(ARGV[5]) - quiet, tonumber(ARGV[6])
-- an old figure's cut may lie before the admissions kept (ADMIT's `keep`: ARGV[7]); a
-- figure whose call is not known (cut: its answer less HOLD_AT_MOST and quiet) is not
-- (half the keep refused it always: the run's first figure never followed, x34r3 F1)
if at < rolled or seen >= spent or cut < tonumber(ARGV[1]) - tonumber(ARGV[7]) * 3 / 4 then
  return 0
end
local since, recent = math.floor(cut), 0
local all = redis.call('HGETALL', KEYS[3])
for k = 1, #all, 2 do
  if tonumber(all[k]) >= since then recent = recent + tonumber(all[k + 1]) end
end
local before = math.floor(tonumber(ARGV[5]))
all = redis.call('HGETALL', KEYS[4])
for k = 1, #all, 2 do
  local adm, ans = string.match(all[k], '^(%d+):(%d+)$')
  if adm and tonumber(adm) >= since and tonumber(ans) < before then
    recent = recent - tonumber(all[k + 1])
  end
end
local follow = seen + math.max(0, recent - own)
if follow < spent then
  redis.call('SET', KEYS[1], follow, 'KEEPTTL')
  local last = tonumber(redis.call('HGET', KEYS[2], 'cut') or '0')
  redis.call('HSET', KEYS[2], 'rolled', ARGV[3], 'cut', tostring(math.max(cut, last)))
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
  return 1
end
return 0
"""

# KEYS: burst, search; ARGV: by (seconds), ttl_ms.
# A process's fastest round trip fell by `by`: every entry of both windows moves `by`
# later (``RedisCoordinator.later``). One script: an answer's ZADD from another
# connection, or another process's ADMIT, between a read and a write would be undone or
# would see a torn window.
LATER = """
local by = tonumber(ARGV[1])
local moved = 0
for k = 1, 2 do
  local all = redis.call('ZRANGE', KEYS[k], 0, -1, 'WITHSCORES')
  for i = 1, #all, 2 do
    redis.call('ZADD', KEYS[k], 'XX', tonumber(all[i + 1]) + by, all[i])
    moved = moved + 1
  end
  if #all > 0 then redis.call('PEXPIRE', KEYS[k], ARGV[2]) end
end
return moved
"""

# The token's fastest round trip (KEYS[1], seconds) falls to `f` if it is lower (or is
# none: lost, or its TTL ran out while no process answered), and every entry of both
# windows (KEYS[2], KEYS[3]) moves later by what it fell by: they were dated with the
# slower figure (f40d 2). Kept `keep_ms` from each process's answer. Leaves `tok`, the
# token's fastest now.
_LOWER_FASTEST = """
local tok = tonumber(redis.call('GET', KEYS[1]) or '')
if tok and tok <= f then
  redis.call('PEXPIRE', KEYS[1], keep)
else
  redis.call('SET', KEYS[1], tostring(f), 'PX', keep)
  if tok then
    for k = 2, 3 do
      local all = redis.call('ZRANGE', KEYS[k], 0, -1, 'WITHSCORES')
      for i = 1, #all, 2 do
        redis.call('ZADD', KEYS[k], 'XX', tonumber(all[i + 1]) + tok - f, all[i])
      end
      if #all > 0 then redis.call('PEXPIRE', KEYS[k], ttl) end
    end
  end
  tok = f
end
"""

# KEYS: fastest, burst, search; ARGV: fastest (seconds), ttl_ms (windows), keep_ms (fastest).
# A process's scheduler dates its answered calls with its fastest round trip `fastest`
# (``RedisCoordinator.fastest_seen``): the token's (the least any of its processes told)
# falls to it if lower. Returns the token's fastest.
FASTEST = """
local f, ttl, keep = tonumber(ARGV[1]), ARGV[2], ARGV[3]
""" + _LOWER_FASTEST + """
return tostring(tok)
"""

# KEYS: fastest, burst, search, window; ARGV: member, at, own (seconds), ttl_ms (windows),
# keep_ms (fastest). An answered call's entry in `window`, dated `at` with its process's
# fastest round trip `own`: dated with the token's instead (made no slower than `own`
# first, as FASTEST: a key lost or run out is set again), `own` less it later, as another
# process's call may reach the server that much faster on its way there (f40d 2). Not
# only XX: a call answered after the state was lost goes back into the window (the server
# counted it).
DATE = """
local f, ttl, keep = tonumber(ARGV[3]), ARGV[4], ARGV[5]
""" + _LOWER_FASTEST + """
redis.call('ZADD', KEYS[4], tonumber(ARGV[2]) + f - tok, ARGV[1])
redis.call('PEXPIRE', KEYS[4], ttl)
return 1
"""

# KEYS: day, day info; ARGV: tokens, now, span — never below 0, never creates the key.
# A call admitted by the last REALIGN's `cut` is in neither the server's figure the spend
# followed nor the admissions added to it when it was not charged: its refund would
# take off tokens never counted. Such a refund comes `span` seconds after the cut at the
# latest (the way to the server, then the answer's); till then none is given (an
# over-count, which the next REALIGN takes back).
REFUND = """
local v = redis.call('GET', KEYS[1])
local cut = tonumber(redis.call('HGET', KEYS[2], 'cut') or '')
if cut and tonumber(ARGV[2]) <= cut + tonumber(ARGV[3]) then return 0 end
if v then redis.call('SET', KEYS[1], math.max(0, tonumber(v) - tonumber(ARGV[1])), 'KEEPTTL') end
return 1
"""


# a connection dropped or a server restarted is retried this often (50 ms, then doubling
# to at most 0.5 s apart: about 2 s in all) before the run stops checkpointed (v12r9: a
# restart taking 0.3 s outlasted 3 retries, 0.7 s, and stopped every process)
# The latest daily figure an answer said of the company's day (x41r6 F1): KEYS[1] the
# day's `at` hash (`heard`: the figure, `read`: the wall time it was read), KEYS[2] the
# day's key (its TTL); ARGV: the figure (tokens), its read time, the time its call left
# at the earliest (wall seconds), a TTL (seconds) where the day's key has none. Only a
# figure of a call that left after the one kept was read is kept (a late answer of the
# old day is not the latest). A process started later reads it (``known_heard``): its
# first figure, lower, dates the server's midnight as a figure of its own would
# (``Scheduler._apply``), so no process need be alive across the reset.
HEARD = """
local read = tonumber(redis.call('HGET', KEYS[1], 'read') or '-1')
if read >= 0 and tonumber(ARGV[3]) <= read then return 0 end
redis.call('HSET', KEYS[1], 'heard', ARGV[1], 'read', ARGV[2])
local ttl = redis.call('PTTL', KEYS[2])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) else redis.call('EXPIRE', KEYS[1], ARGV[4]) end
return 1
"""

BLIP_RETRIES = 6


def blip_retry() -> Retry:
    """The redis-py retry policy of every coordinator and claims connection."""
    return Retry(ExponentialBackoff(cap=0.5, base=0.05), BLIP_RETRIES)


class _HeldPipeline(aioredis.client.Pipeline):
    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        with off_loop():
            return await super().execute(raise_on_error)


class _HeldRedis(aioredis.Redis):
    """redis-py's asyncio client; each round trip to the server (a command, a script, a
    pipeline) is work off the loop (``bulk.clock.off_loop``): a ``FakeClock`` driven on
    this loop holds still until the answer is in, as it does for a store write in a
    thread. Without it a test's virtual time jumped a whole wait while one process's
    write was still on its way to Redis, and another process, reading Redis at the end
    of that wait, did not see it (f22b: the reset-probe test, 1 in 8 runs under load).
    Real time (``SystemClock``): nothing is held."""

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        with off_loop():
            return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]

    def pipeline(self, transaction: bool = True,
                 shard_hint: str | None = None) -> aioredis.client.Pipeline:
        return _HeldPipeline(self.connection_pool, self.response_callbacks, transaction,
                             shard_hint)


def connect(url: str, **options: Any) -> aioredis.Redis:
    """The Redis client of every pdbulk connection (coordinator, claims, checks):
    ``redis.asyncio.from_url`` whose round trips hold a fake clock (``_HeldRedis``)."""
    client: aioredis.Redis = _HeldRedis.from_url(url, **options)
    return client


def connect_blocking(url: str, **options: Any) -> redis.Redis:
    """A blocking redis-py client (``redis.Redis.from_url``) with the retry policy of
    ``blip_retry``, for the few round trips made from synchronous code (``bulk.journal``:
    a job's record read once, an entry appended once an item at most), which its callers
    on the event loop run in a thread (``bulk.clock.in_thread``, which holds a
    ``FakeClock`` still meanwhile): a round trip never blocks the loop."""
    import redis.retry

    client: redis.Redis = redis.Redis.from_url(
        url, retry=redis.retry.Retry(ExponentialBackoff(cap=0.5, base=0.05), BLIP_RETRIES),
        **options)
    return client


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
    said = " ".join(str(exc).split())[:200] or "no detail"
    return f"{where} does not answer ({said})"


__all__ = ["ADMIT", "BLIP_RETRIES", "HEARD", "LATER", "PAUSE", "REALIGN", "REFUND", "SWAP", "WINDOW",
           "blip_retry", "connect", "connect_blocking", "failure", "lacks_script"]
