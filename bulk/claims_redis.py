"""Claims on Redis: one holder at a time for an opaque name, across machines.

The same protocol as ``bulk.claims.Claims`` (the local SQLite claims of the trust
work: ``acquire_many`` → ``Claim`` | ``Held``, ``release`` with an outcome,
``renew``, ``wait_released``); it answers with ``bulk.claims``' own ``Claim`` / ``Held``, and
``bulk.claims_open.open_claims`` picks it when a coordinator URL is in force.

One hash per name, ``pdbulk:c:{company}:claim:{digest}`` (``company``: the Pipedrive
company id, as the coordinator's budget keys: two companies on one Redis never share a
key): the digest is a SHA-256
of the name (32 hex digits), never the name itself — names carry source keys, e-mail
addresses and organization names, which must not sit in Redis for days in clear
(the job folders that hold them are 0700; a shared Redis is read by every process).
The token never appears either::

    holder    run@host:pid:start of the live holder (a job's run in a process,
              ``bulk.claims.new_holder``), '' once released
    acquired  wall time it was taken     expires  wall time the lease runs out
    outcome   JSON the last holder released it with ('' for none)
    tag       what the holder claimed it for (a job id; told to whoever takes it over)

Every change is one Lua script (atomic): acquire takes a free, released or expired
name and says ``reconcile`` when the previous holder never released it (it died, or
its lease ran out: what it did is unknown and must be looked up before acting);
release and renew compare the holder before writing (compare-and-set; a holder
whose lease was taken over changes nothing) — but an in-doubt release is written on a
free name too, over no outcome or its own job's (``RELEASE``; as ``LocalClaims``). An
``acquire_many`` cut by a cancel runs its round trip to the end and gives back what it
took, except a name this holder held already for another caller (``Claim.already_ours``).
The hash lives ``retain_s`` (default
7 days) past its last change, so the outcome is known to late-comers; a dead
holder blocks a name no longer than its lease (or, on the same host, not at all:
its pid is checked, as the local claims do — and in this very process, whether the run's
claims are still open: two jobs of one process exclude each other, x20r3 F1).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

import anyio
import anyio.lowlevel
from redis.exceptions import RedisError

from .claims import (
    IN_DOUBT,
    Claim,
    DeadHold,
    Held,
    as_taken,
    give_back_cancelled,
    hold_open,
    holder_alive,
    holder_id,
    let_go,
    new_holder,
)
from .clock import Clock, SystemClock, to_end
from .coordinator import check_url, redacted
from .errors import CoordinatorLost
from .redis_scripts import blip_retry, connect, failure, lacks_script

DEFAULT_LEASE = 300.0  # seconds, as bulk.claims
RETAIN = 7 * 86400.0  # seconds an outcome stays readable after the last change


# KEYS: born marker, then claim hashes; ARGV: now, lease_s, holder, retain_ms, new epoch
# id, tag, then per claim: a dead holder that may be taken over at once ('' for none).
# Answers {epoch, born at, row per claim}; a claim's row ends with '1' when this holder
# already held the name (for another caller of the same run: ``Claim.already_ours``).
ACQUIRE = """
local now, lease, me, keep = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local b = redis.call('HMGET', KEYS[1], 'epoch', 'at')
if not b[1] then
  b = {ARGV[5], ARGV[1]}
  redis.call('HSET', KEYS[1], 'epoch', ARGV[5], 'at', ARGV[1])
end
local young = now < tonumber(b[2]) + lease
local out = {b[1], b[2]}
for i = 2, #KEYS do
  local key = KEYS[i]
  local h = redis.call('HMGET', key, 'holder', 'acquired', 'expires', 'outcome', 'tag')
  local holder, acquired, expires, outcome = h[1], h[2], h[3], h[4] or ''
  local taken = holder and holder ~= '' and holder ~= me
  if taken and tonumber(expires) > now and holder ~= ARGV[5 + i] then
    out[i + 1] = {'held', holder, expires, h[5] or ''}
  else
    local reconcile, since, was = '0', '', ''
    if taken then reconcile, since, was = '1', acquired, h[5] or ''
    elseif young and not holder then reconcile, since = '1', tostring(tonumber(b[2]) - lease) end
    redis.call('HSET', key, 'holder', me, 'acquired', ARGV[1], 'expires', tostring(now + lease),
               'outcome', outcome, 'tag', ARGV[6])
    redis.call('PEXPIRE', key, math.ceil(lease * 1000) + keep)
    local again = '0'
    if holder == me then again = '1' end
    out[i + 1] = {'claim', me, tostring(now + lease), outcome, reconcile, since, was, again}
  end
end
return out
"""

# KEYS: claim; ARGV: holder, outcome JSON ('' keeps the old one), retain_ms, has_outcome,
# in_doubt ('1': the outcome says a create's answer was lost), its job ('' for none).
# Written while the name is this holder's; an in-doubt outcome also on a free name (a plain
# release by this holder of the same name, for another caller, freed it first: the
# evidence of the create must not go with it, f21i F1) — but only over no outcome or this
# job's (another run that took the freed name since and released it with its own outcome
# created or found the thing: written over, it would be taken for this job's create).
RELEASE = """
local h = redis.call('HMGET', KEYS[1], 'holder', 'outcome')
if h[1] ~= ARGV[1] then
  if ARGV[5] ~= '1' or h[1] ~= '' then return 0 end
  if h[2] and h[2] ~= '' then
    local ok, prev = pcall(cjson.decode, h[2])
    if not ok or type(prev) ~= 'table' then return 0 end
    local job = prev['job']
    if type(job) ~= 'string' then job = '' end
    if job ~= ARGV[6] then return 0 end
  end
end
redis.call('HSET', KEYS[1], 'holder', '')
if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'outcome', ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""

# KEYS: claims; ARGV: holder, expires, ttl_ms. Answers 1 / 0 per key: still held (and
# pushed) or not (taken over, or lost with Redis' state).
RENEW = """
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('HGET', key, 'holder') == ARGV[1] then
    redis.call('HSET', key, 'expires', ARGV[2])
    redis.call('PEXPIRE', key, tonumber(ARGV[3]))
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
"""


def _dead_here(holder: str) -> bool:
    """The holder ran on this host and is gone (its process, or in this process its claims
    closed: ``bulk.claims.holder_alive``); another host: unknown, so False."""
    return not holder_alive(holder)


def claim_key(company: str, name: str) -> str:
    """The Redis key of claim ``name`` in ``company``: a digest of the name, so no
    customer data is in Redis — HMAC-SHA256 keyed with the company id (32 hex digits),
    so a known e-mail address or organization name cannot be confirmed by hashing it
    and looking across companies (or in precomputed tables)."""
    digest = hmac.new(f"pdbulk-claim-v2\x1f{company}".encode(), name.encode(),
                      hashlib.sha256).hexdigest()[:32]
    return f"pdbulk:c:{company}:claim:{digest}"


def born_key(company: str) -> str:
    """The Redis key of ``company``'s claims' birth marker (see the module docstring)."""
    return f"pdbulk:c:{company}:born"


class RedisClaims:
    """``Claims`` on Redis (``url``: redis://host:6379/0) for the Pipedrive company
    ``company`` (its id: every key is under ``pdbulk:c:{company}:``).

    An async context manager (``async with RedisClaims(...) as claims``) that closes its
    connection on exit; or call ``aclose``. Raises CoordinatorLost when Redis does not
    answer (terminal: the run stops checkpointed; a claim it held expires with its
    lease)."""

    __slots__ = ("_born", "_clock", "_closed", "_epoch", "_later", "_redis", "_scripts", "_url",
                 "company", "holder", "poll", "retain_s", "statistics_")

    def __init__(self, url: str, company: str, *, clock: Clock | None = None,
                 holder: str | None = None, poll: float = 0.1, retain_s: float = RETAIN) -> None:
        if not company or ":" in company:
            raise ValueError(f"RedisClaims needs a company id, not {company!r}")
        self._url, self.company = url, company
        self._clock = clock or SystemClock()
        self.holder = holder or new_holder()
        self.poll, self.retain_s = poll, retain_s
        # a blip (a dropped connection, a restarted server) is retried as the coordinator's
        # (``bulk.coordinator_redis.blip_retry``: about 2 s); every script is safe to run twice (the same
        # holder acquires again; release and renew compare the holder)
        self._redis = connect(check_url(url), socket_connect_timeout=3.0,
                                        socket_timeout=5.0, retry=blip_retry())
        self._scripts = {name: self._redis.register_script(src)
                         for name, src in (("acquire", ACQUIRE), ("release", RELEASE),
                                           ("renew", RENEW))}
        self.statistics_ = {"acquired": 0, "held": 0, "taken_over": 0, "released": 0,
                            "state_lost": 0}
        self._later: list[tuple[Claim, Mapping[str, Any] | None]] = []
        self._epoch: str | None = None  # the state's epoch this process first saw
        self._born: float | None = None  # its birth (wall time)
        self._closed = False
        hold_open(self.holder)  # live until aclose (bulk.claims.holder_alive)

    def __repr__(self) -> str:
        return f"RedisClaims({redacted(self._url)!r}, holder={self.holder!r}, {self.statistics_})"

    async def __aenter__(self) -> RedisClaims:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection (the queued ``release_soon`` calls are not written); this
        holder's claims still held are a dead holder's from now on. Idempotent."""
        if not self._closed:
            self._closed = True
            let_go(self.holder)
        await self._redis.aclose()

    def _key(self, name: str) -> str:
        return claim_key(self.company, name)

    async def _run(self, script: str, keys: Sequence[str], args: Sequence[Any]) -> Any:
        try:
            return await self._scripts[script](keys=list(keys), args=list(args))
        except (RedisError, OSError) as exc:
            raise self._lost(exc) from None

    def _lost(self, exc: BaseException) -> CoordinatorLost:
        cause = f"{failure(self._url, exc)} (claims)"
        return CoordinatorLost(f"{cause}; the job stops checkpointed: resume it once Redis is "
                               "back", cause=cause)

    # -- the protocol ---------------------------------------------------------------------
    async def acquire_many(self, names: Sequence[str], lease_s: float = DEFAULT_LEASE, *,
                           tag: str | None = None) -> dict[str, Claim | Held]:
        """Claim every free name in one round trip; each name → Claim or Held.

        A claim taken within ``lease_s`` seconds of the state's birth says
        ``reconcile`` (see "Lost state" in the module docstring)."""
        await self.flush()
        names = list(dict.fromkeys(names))
        if not names:
            return {}
        # the round trips run to their end whatever cancels this caller: cut once the
        # script ran, the names were taken for a caller that is gone, outcome-less, held by
        # this live holder until their lease ran out (as LocalClaims' batch, f21c F2)
        with anyio.CancelScope(shield=True):
            out, cancelled = await to_end(self._acquire_all(names, lease_s, tag))
        try:
            if cancelled is not None:
                raise cancelled
            await anyio.lowlevel.checkpoint_if_cancelled()
        except anyio.get_cancelled_exc_class():
            give_back_cancelled(self, out)
            raise
        return out

    async def _acquire_all(self, names: list[str], lease_s: float,
                           tag: str | None) -> dict[str, Claim | Held]:
        dead = [""] * len(names)
        out = await self._acquire(names, lease_s, dead, tag)
        # a holder on this host whose process is gone: take over now, not at lease end
        retry = [i for i, n in enumerate(names)
                 if isinstance(out[n], Held) and _dead_here(out[n].holder)]
        if retry:
            again = await self._acquire([names[i] for i in retry], lease_s,
                                        [out[names[i]].holder for i in retry], tag)
            out.update(again)
        for result in out.values():
            key = "held" if isinstance(result, Held) else "acquired"
            self.statistics_[key] += 1
            if isinstance(result, Claim) and result.reconcile:
                self.statistics_["taken_over"] += 1
        return out

    async def _acquire(self, names: list[str], lease_s: float,
                       dead: list[str], tag: str | None) -> dict[str, Claim | Held]:
        now = self._clock.wall()
        raw = await self._run("acquire", [born_key(self.company), *map(self._key, names)],
                              [repr(now), repr(lease_s), self.holder,
                               math.ceil(self.retain_s * 1000), secrets.token_hex(8), tag or "",
                               *dead])
        epoch, born = _text(raw[0]), float(_text(raw[1]))
        if self._epoch is not None and epoch != self._epoch:
            self.statistics_["state_lost"] += 1
        self._epoch, self._born = epoch, born
        out: dict[str, Claim | Held] = {}
        for name, row in zip(names, raw[2:], strict=True):
            row = [_text(v) for v in row]
            if row[0] == "held":
                out[name] = Held(name, row[1], float(row[2]), float(row[2]) - now,
                                 row[3] if len(row) > 3 and row[3] else None, now)
            else:
                out[name] = as_taken(Claim(
                    name, row[1], float(row[2]), json.loads(row[3]) if row[3] else None,
                    row[4] == "1", float(row[5]) if row[5] else None, born=born,
                    prev_tag=row[6] if len(row) > 6 and row[6] else None,
                    already_ours=len(row) > 7 and row[7] == "1"))
        return out

    async def release(self, claim: Claim, outcome: Mapping[str, Any] | None = None) -> None:
        """Give the claim up (only if still ours), leaving ``outcome`` for the next holder."""
        await _whole(self._run("release", [self._key(claim.name)], self._release_args(outcome)))
        self.statistics_["released"] += 1

    def _release_args(self, outcome: Mapping[str, Any] | None) -> list[Any]:
        doubt = outcome is not None and IN_DOUBT in outcome
        job = outcome.get("job") if outcome is not None else None
        return [self.holder, json.dumps(dict(outcome)) if outcome is not None else "",
                math.ceil(self.retain_s * 1000), "1" if outcome is not None else "0",
                "1" if doubt else "0", job if isinstance(job, str) else ""]

    def release_soon(self, claim: Claim, outcome: Mapping[str, Any] | None = None) -> None:
        """``release`` at the next ``acquire_many`` or ``flush``."""
        self._later.append((claim, outcome))

    async def flush(self) -> None:
        """Send the queued ``release_soon`` calls (one pipelined round trip)."""
        if not self._later:
            return
        later, self._later = self._later, []
        # sent whole whatever cancels this caller: taken off the queue, a cut release (an
        # in-doubt outcome among them) was never written
        await _whole(self._send_releases(later))
        self.statistics_["released"] += len(later)

    async def _send_releases(self, later: list[tuple[Claim, Mapping[str, Any] | None]]) -> None:
        for again in (False, True):
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for claim, outcome in later:
                        await self._scripts["release"](keys=[self._key(claim.name)],
                                                       args=self._release_args(outcome),
                                                       client=pipe)
                    await pipe.execute()
                break
            except (RedisError, OSError) as exc:
                if again or not lacks_script(exc):  # a release runs twice safely
                    raise self._lost(exc) from None

    async def renew(self, claims: Sequence[Claim], lease_s: float = DEFAULT_LEASE) -> set[str]:
        """Push the lease of the claims this process still holds; the names of those
        (a claim taken over, or lost with Redis' state, is not among them)."""
        if not claims:
            return set()
        got = await self._run("renew", [self._key(c.name) for c in claims],
                              [self.holder, repr(self._clock.wall() + lease_s),
                               math.ceil((lease_s + self.retain_s) * 1000)])
        return {c.name for c, ok in zip(claims, got, strict=True) if int(ok)}

    async def _each(self, names: list[str], read: Callable[[Any, str], object]) -> list[Any]:
        """``read(pipe, key)`` queued for each name's key, in one pipelined round trip (no
        transaction): their answers, in order. Raises ``CoordinatorLost`` (``_lost``)."""
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for name in names:
                    read(pipe, self._key(name))
                return list(await pipe.execute())
        except (RedisError, OSError) as exc:
            raise self._lost(exc) from None

    async def outcomes(self, names: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        """The outcome each name was last released with (one pipelined round trip; names
        with none left out); nothing is taken."""
        names = list(names)
        if not names:
            return {}
        raw = await self._each(names, lambda pipe, key: pipe.hget(key, "outcome"))
        return {name: json.loads(_text(v)) for name, v in zip(names, raw, strict=True)
                if v is not None and _text(v)}

    async def dead_held(self, names: Sequence[str]) -> dict[str, DeadHold]:
        """The names held by a holder gone from this host, or whose lease ran out (what
        ``acquire_many`` now takes over with ``reconcile``) → when it took them (wall time);
        one pipelined round trip; nothing is taken. A holder on another host is live
        until its lease ends, as ``acquire_many`` has it."""
        names = list(names)
        if not names:
            return {}
        raw = await self._each(names, lambda pipe, key: pipe.hmget(
            key, ["holder", "acquired", "expires", "tag"]))
        now, out = self._clock.wall(), dict[str, DeadHold]()
        for name, (holder, acquired, expires, tag) in zip(names, raw, strict=True):
            who = _text(holder) if holder is not None else ""
            if who and who != self.holder and acquired is not None and expires is not None \
                    and (float(_text(expires)) <= now or _dead_here(who)):
                out[name] = DeadHold(float(_text(acquired)),
                                     _text(tag) if tag is not None and _text(tag) else None)
        return out

    async def born(self) -> float | None:
        """When the claims' shared state began (wall time; its birth marker, written by the
        first claim after Redis was emptied), None when no claim was taken since: what a
        plan reads to say that creates will look their keys up first (module docstring,
        "Lost state"). Nothing is taken."""
        try:
            raw = await self._redis.hget(born_key(self.company), "at")
        except (RedisError, OSError) as exc:
            raise self._lost(exc) from None
        return float(_text(raw)) if raw is not None and _text(raw) else None

    async def wait_released(self, name: str, within_s: float) -> bool:
        """Wait (at most ``within_s`` s; checks every ``poll`` s) until nobody live holds
        ``name``; True if so."""
        deadline = self._clock.now() + max(0.0, within_s)
        while True:
            try:
                holder, expires = await self._redis.hmget(self._key(name), ["holder", "expires"])
            except (RedisError, OSError) as exc:
                raise self._lost(exc) from None
            who = _text(holder) if holder is not None else ""
            if (not who or who == self.holder or float(_text(expires)) <= self._clock.wall()
                    or _dead_here(who)):
                return True
            if self._clock.now() >= deadline:
                return False
            await self._clock.sleep(min(self.poll, max(0.0, deadline - self._clock.now())))


async def _whole(work: Coroutine[Any, Any, None]) -> None:
    """``work`` (a write to Redis) run to its end, then any cancel of this caller raised:
    a write cut mid-way leaves Redis in a state nobody knows (``bulk.clock.to_end``)."""
    with anyio.CancelScope(shield=True):
        _, cancelled = await to_end(work)
    if cancelled is not None:
        raise cancelled


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


__all__ = ["DEFAULT_LEASE", "RETAIN", "Claim", "Held", "RedisClaims", "born_key", "claim_key",
           "holder_id"]
