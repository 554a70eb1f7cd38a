"""What processes on one Pipedrive account must share: the coordinator interface.

Pipedrive's limits belong to the account, not to a process: the burst and search
windows are per token, the daily token budget per company (FACTS.md; spec
``openapi-v1.yaml`` ``x-ratelimit-*`` / ``x-daily-requests-left`` headers). The
:class:`~bulk.scheduler.Scheduler` keeps the in-process picture; a *shared*
coordinator adds one admission per call against the account-wide state::

    Scheduler.acquire(op)  ── local windows, budget policy, FIFO ──► admitted locally
         └─ coordinator.admit(op, Limit)  ── shared windows, pause, day's spend ──► send

Implementations:

- :class:`LocalCoordinator` (the default): today's in-process behaviour. It is
  not shared, so the scheduler never calls it per request (no speed loss); the engines
  of this process on one account still share its limits through
  :class:`bulk.coordinator_process.ProcessCoordinator` (the engine attaches one).
- :class:`bulk.coordinator_redis.RedisCoordinator` (``--coordinator
  redis://host:6379/0`` or env ``PDBULK_COORDINATOR``; opened by
  ``bulk.coordinator_open.open_coordinator``): one Lua script per batch of admissions,
  one atomic round trip.

Times given to a coordinator are wall-clock seconds (``Clock.wall()``): the one
time base several processes (or machines, NTP-synced) have in common.

Why ~520 lines: the interface and its local implementation, and what makes two processes
agree they share one account — the coordinator URL (checked and named in job files), the
markers that remember a token was coordinated and the run locks — are one decision (may
this process send on this account, and with whom); apart, each half would import the other.
The URL as text (in force, redacted, as a flag: ``bulk.coordinator_urls``, re-exported
here) sits below the error tree, which names it in its resume commands; which coordinator
a run opens (``bulk.coordinator_open``) sits above this module and the Redis one (issue 8).
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import math
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from .claims import state_dir, state_dir_words
from .client import normalize_base_url
from .coordinator_urls import (  # the URL as text: below bulk.errors too (issue 8)
    ENV_COORDINATOR,
    _userinfo_end,
    coordinator_flag,
    coordinator_url,
    redacted,
)
from .errors import SHARE_SETTING, ConfigError, CoordinatorMismatch
from .operations import Operation
from .state import private_folder, write_private
from .wording import counted

# A call out without an answer holds its window slot (bulk.scheduler, bulk.coordinator_process)
# at most this long (seconds): twice the transport's default timeout, past which no answer
# can still come; then it is dated at its send, as a path that forgot to settle it would be.
HOLD_AT_MOST = 60.0
# the company id of the account the running ``bulk.engine.Engine.open`` is bound to (shared
# coordinator only): the namespace of every claim the run takes (bulk.claims_open.open_claims)
_COMPANY: ContextVar[str | None] = ContextVar("pdbulk_company", default=None)


def bound_company() -> str | None:
    """The company id the current run's shared coordinator is bound to (None: none)."""
    return _COMPANY.get()


def bind_company(company: str | None) -> None:
    """Record the current run's company id (``bulk.engine.Engine.open`` calls it)."""
    _COMPANY.set(company)


def fingerprint(token: str) -> str:
    """A one-way, non-reversible 16-hex-digit fingerprint of an API token.

    HMAC-SHA256 keyed with a fixed label (so it matches no plain sha256 of the token
    listed elsewhere), truncated to 64 bits: enough to tell tokens apart, useless for
    recovering one."""
    return hmac.new(b"pdbulk-coordinator-v1", token.encode(), hashlib.sha256).hexdigest()[:16]


def run_key(base_url: str, token: str) -> str:
    """A one-way 16-hex-digit key of one API token on one account URL: what the run-kind
    lock (``run_kind_lock``) is keyed by. The same token against another URL (another
    company, another sandbox) is another key (f23k: an uncoordinated run against one URL
    refused coordinated runs of the same token against another). The URL is taken as the
    engine normalizes it (``/api/v2``, ``/v1``, a trailing slash, the case of the host
    make no difference); the token never appears in it, nor in the lock's file name."""
    try:
        url = normalize_base_url(base_url)
    except ConfigError:  # the command refuses it itself, with its own message
        url = base_url.strip()
    return hmac.new(b"pdbulk-run-kind-v1", url.encode() + b"\0" + token.encode(),
                    hashlib.sha256).hexdigest()[:16]


def account_key(base_url: str, token: str) -> str:
    """A one-way 16-hex-digit key of one API token on one account: what this machine's
    coordination index (``mark_coordinated``) is keyed by. Two accounts on different URLs
    (two sandboxes) that share a token string are two keys; before, the index was keyed by
    the token alone and a coordinated run on one refused the other (f29h 1). Every
    ``https://…pipedrive.com`` host is one account per token (``api.pipedrive.com`` and the
    company's own ``{company}.pipedrive.com`` answer the same token alike), so they share
    a key; any other URL is taken as the engine normalizes it (``run_key``). The token
    never appears in the key, nor in the marker's file name or body."""
    from urllib.parse import urlsplit

    from .client import normalize_base_url

    try:
        url = normalize_base_url(base_url)
    except ConfigError:  # the command refuses it itself, with its own message
        url = base_url.strip()
    host = (urlsplit(url).hostname or "").lower()
    if url.startswith("https://") and (host == "pipedrive.com" or host.endswith(".pipedrive.com")):
        url = "https://pipedrive.com"
    return hmac.new(b"pdbulk-account-marker-v1", url.encode() + b"\0" + token.encode(),
                    hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Limit:
    """The limits one admission is checked against (from the scheduler's current view).

    ``width``: burst/search window length in seconds (window x (1 + safety));
    ``burst`` / ``search``: requests allowed per window; ``day_limit``: tokens the
    company may spend today under this job's reserve / ``--budget-share``;
    ``day``: index of the current day (``floor(wall / day_seconds)``);
    ``day_ends``: wall time of the next daily reset; ``ahead``: seconds past its
    admission at which an unanswered call's entry is dated (the server counts a call
    when it arrives: a process killed with calls in flight must not free their slots
    before the server does); an answer re-dates it (``answered``); ``day_seconds``: a
    day's length (a wait past ``day_ends`` rolls ``day`` on: ``next_day``). ``whole_day``:
    ``day_limit`` is the company's whole budget (no share or reserve), so a wait for
    its reset may ask the server whether its day began (one call, charged only then).
    ``daily``: the company's whole daily budget (tokens; 0: unknown), which a share or
    reserve's ``day_limit`` is part of (``spent_words``)."""

    width: float
    burst: int
    search: int
    day_limit: int
    day: int
    day_ends: float
    ahead: float = 0.0
    day_seconds: float = 86400.0
    whole_day: bool = False
    daily: int = 0

    def spent_words(self, used: int, who: str) -> str:
        """Why a call is refused with ``used`` tokens of the day spent by ``who`` ("all
        processes"): the share or reserve (``not whole_day``) named as such, with the
        company's budget and what is left of it (x47r4 F6: "the company's shared daily
        budget: 38,696 tokens used by all processes, usable 12000" when a 0.3 share was
        spent and 2,841 of the company's budget were left); else the company's budget."""
        if self.whole_day:
            return (f"the company's shared daily budget: {counted(used, 'token')} used by "
                    f"{who}, usable {self.day_limit:,}")
        of = f" of the company's {self.daily:,}" if self.daily else ""
        left = (f", {max(0, self.daily - used):,} left of the company's budget"
                if self.daily else "")
        return (f"this run's share of the company's daily budget is spent: it may use "
                f"{self.day_limit:,}{of} ({SHARE_SETTING}; or the reserve) and "
                f"{counted(used, 'token')} are used by {who}{left}")

    def next_day(self, wall: float) -> Limit:
        """This limit at wall time ``wall``: past ``day_ends`` (a call that waited for
        the reset), the day it is then and that day's end; else itself."""
        if wall < self.day_ends:
            return self
        turned = math.floor((wall - self.day_ends) / self.day_seconds) + 1
        return replace(self, day=self.day + turned,
                       day_ends=self.day_ends + turned * self.day_seconds)


@dataclass(frozen=True, slots=True)
class SharedStats:
    """The account-wide picture as of the last round trip (for progress / status)."""

    window_fill: int  # requests in the burst window, all processes
    search_fill: int
    tokens_today: int  # the company's spend today as counted by the coordinator
    processes: int  # processes that admitted (or, waiting, asked for) a call in the last 30 s
    paused_until: float | None  # wall time a shared 429 pause ends


class Coordinator(Protocol):
    """The shared state's interface. ``shared`` False: the scheduler alone decides."""

    @property
    def shared(self) -> bool: ...

    async def start(self, token_fp: str, *, account: str = "") -> None:
        """Connect for the token with fingerprint ``token_fp`` (:func:`fingerprint`; the
        windows are per token) calling the account URL keyed ``account``
        (``account_key(url, '')``; '': not named): the company that token on that URL was
        last bound to is the one counted before ``bind`` (the same token on another URL may
        be another company's: x48r6 F1). Raises CoordinatorLost when it cannot be reached."""

    def bind(self, company: str) -> None:
        """The token's company, once known: the daily budget is shared per company.
        Tokens admitted before this are carried over to the company's day."""

    async def admit(self, op: Operation, limit: Limit, *, wait_for_reset: bool = False) -> None:
        """Wait until the shared windows and today's shared spend have room for ``op``;
        take its slot. Raises BudgetExhausted (the shared day's limit is reached and
        waiting is not asked) or CoordinatorLost. Cancellation-safe."""

    def leaving(self, at: float) -> None:
        """A call this process admitted leaves now, at wall time ``at`` (its entry may be
        dated from then; Redis renews a held call's entry until its answer instead)."""

    def answered(self, sent: float, at: float, *, heard: bool = True) -> None:
        """The call admitted last at or before wall time ``sent`` was answered: date its
        window entry ``at`` (never before its admission) instead of ``admitted + ahead``.
        ``heard`` False: no answer came (lost, timed out): the server may count it later."""

    def later(self, by: float) -> None:
        """This process's fastest round trip fell by ``by`` seconds (``Scheduler._later``):
        every entry of the shared windows moves ``by`` later — this process's, dated with
        the slower figure, and the others' (dated with figures no faster; their processes
        may not see a faster round trip for a while): later is only ever safer. A
        coordinator with ``fastest_seen(fastest)`` (Redis, the process coordinator) is
        told the fastest round trip instead and dates every process's answered calls with
        the token's fastest (f40d 2)."""

    def paused(self, until: float) -> None:
        """A 429: nobody on this token admits anything before wall time ``until``."""

    def refunded(self, op: Operation, day: int) -> None:
        """Pipedrive did not charge ``op``: give its tokens back to day ``day``."""

    def observed(self, tokens_today: int, day: int) -> None:
        """The server's headers say the company spent at least this much today."""

    def window_seen(self, remaining: int, until: float, cap: int, *, search: bool,
                    seen: float | None = None,
                    span: tuple[float, float] | None = None) -> None:
        """The server's headers (``x-ratelimit-remaining`` / ``-reset``), read by wall
        time ``seen`` (the answer; None: now), say only ``remaining`` of the ``cap`` calls
        of the token's burst (``search``: search) window are left, the oldest leaving at
        wall time ``until``: every process on the token holds back as if the calls it
        cannot see were in the shared window, the oldest until ``until``, the others a
        window after ``seen`` (when each leaves is not known). ``span``: (after, by), wall: the
        calls of this token the server's count can hold are those whose window entries are
        dated after ``after`` (the answered call's send less a window and the dating of an
        answer) and admitted by ``by`` (its answer less the fastest way there and back); only
        calls counted beyond those are another client's (None: beyond those in the
        window as the answer was read)."""

    def statistics(self) -> SharedStats | None: ...

    async def aclose(self) -> None: ...


class LocalCoordinator:
    """In-process only: the scheduler's own state is the whole picture (the default).

    Concurrent *jobs* on one machine still never double a create: every create is claimed
    first (``bulk.claims``: this machine's claims file), and a claim's holder is a job's
    run, so two jobs exclude each other whether they run in two processes or gathered in
    one (tests/test_claims_same_process.py); each job store is held by an OS file lock
    (bulk.store)."""

    __slots__ = ()

    @property
    def shared(self) -> bool:
        return False

    async def start(self, token_fp: str, *, account: str = "") -> None:
        return None

    def bind(self, company: str) -> None:
        return None

    async def admit(self, op: Operation, limit: Limit, *, wait_for_reset: bool = False) -> None:
        return None

    def leaving(self, at: float) -> None:
        return None

    def answered(self, sent: float, at: float, *, heard: bool = True) -> None:
        return None

    def later(self, by: float) -> None:
        return None

    def paused(self, until: float) -> None:
        return None

    def refunded(self, op: Operation, day: int) -> None:
        return None

    def observed(self, tokens_today: int, day: int) -> None:
        return None

    def window_seen(self, remaining: int, until: float, cap: int, *, search: bool,
                    seen: float | None = None,
                    span: tuple[float, float] | None = None) -> None:
        return None

    def statistics(self) -> SharedStats | None:
        return None

    async def aclose(self) -> None:
        return None

    def __repr__(self) -> str:
        return "LocalCoordinator()"


def check_url(url: str) -> str:
    """``url`` if it is a Redis URL a client can be built from; else ValueError saying
    what is wrong with it (its password never in the text). Checked before anything
    connects, so a typo is a usage error, not "does not answer" or a client's TypeError."""
    from redis.connection import URL_QUERY_ARGUMENT_PARSERS, parse_url

    def bad(why: str) -> ValueError:
        return ValueError(f"bad coordinator URL {redacted(url)!r}: {why}; "
                          "use redis://[:password@]host[:port][/db] or 'local'")

    if not url.startswith(("redis://", "rediss://", "unix://")):
        # no URL at all may be a password pasted alone (x13r1 F7): never echoed
        scheme, sep, _ = url.partition("://")
        shown = f"with the scheme {scheme!r}" if sep and scheme.isalnum() else \
            "(not shown: it is no URL)"
        raise ConfigError(f"unknown coordinator {shown}: use redis://host:6379/0 or 'local'")
    try:
        parts = urlsplit(url)
    except ValueError:  # "Invalid IPv6 URL": an unclosed or unopened [ in the host
        raise bad("the host in brackets is not an IPv6 address, e.g. redis://[::1]:6379/0"
                  ) from None
    try:
        parse_url(url)  # type: ignore[no-untyped-call]  # the client's own parser: port, db, options
    except ValueError as exc:
        why = str(exc)
        scheme_rest = url.partition("://")[2]
        at = _userinfo_end(scheme_rest)
        secret = scheme_rest[:at] if at >= 0 else ""
        pieces = [p for p in re.split(r"[:?#/@&=]", secret) if len(p) >= 3]
        quoted = [q for q in re.findall(r"'([^']*)'", why) if q]
        if parts.password:
            why = why.replace(parts.password, "***")
        if any(p in why for p in pieces) or any(q in secret for q in quoted):
            # the parser quoted a piece of the password
            why = ("it cannot be parsed (a character of the password not percent-encoded? "
                   "write ? as %3F, # as %23, / as %2F, @ as %40)")
        raise bad(why.rstrip(".")) from None
    if parts.scheme == "unix":
        if not parts.path:
            raise bad("no socket path")
    elif not parts.hostname:
        raise bad("no host")
    db = "" if parts.scheme == "unix" else parts.path.strip("/")
    if db and not db.isdigit():
        raise bad(f"the database must be a number, not {db!r}")
    unknown = sorted(k for k in parse_qs(parts.query, keep_blank_values=True)
                     if k not in URL_QUERY_ARGUMENT_PARSERS and not k.startswith("ssl_"))
    if unknown:
        raise bad(f"unknown option {unknown[0]!r}")
    return url


def coordinator_id(url: str) -> str:
    """What names a coordinator in job files and markers: ``url`` without its user and
    password, with the default port and database filled in
    (``redis://:pw@h/0`` → ``redis://h:6379/0``; ``localhost`` and ``::1`` are
    ``127.0.0.1``; a unix socket: ``unix://path/db``)."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        db = parse_qs(parts.query).get("db", ["0"])[0]
        return f"unix://{parts.path}/{db}"
    db = parts.path.strip("/") or "0"
    db = str(int(db)) if db.isdigit() else db  # /00 is database 0, as the client reads it
    host = parts.hostname
    if host in ("localhost", "::1"):  # one machine's loopback, however it is written
        host = "127.0.0.1"
    return f"{parts.scheme}://{host}:{parts.port or 6379}/{db}"


MARKERS = "coordinated"  # folder of the state dir: one marker per company, an index per
# token on an account URL (``account_key``)


def _marker(key: str) -> Path:
    """The index of ``account_key`` ``key``."""
    return state_dir() / MARKERS / f"account-{key}.json"


def _token_marker(token_fp: str) -> Path:
    """The index an older version kept per token ``fingerprint`` alone (any URL): still
    read where no index of the account's key is found, on the safe side."""
    return state_dir() / MARKERS / f"{token_fp}.json"


def _company_marker(company: str) -> Path:
    return state_dir() / MARKERS / f"company-{company}.json"


def _write(path: Path, body: dict[str, str]) -> None:
    private_folder(path.parent)
    write_private(path, json.dumps(body).encode())


def _read(path: Path) -> dict[str, str] | None:
    """A marker (``mark_coordinated``), None when there is none. One that exists but is
    not a marker (cut off, emptied, overwritten) raises CoordinatorMismatch (exit 1):
    read as "none", it let an uncoordinated run through on a coordinated company
    (v12r7 medium 5)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CoordinatorMismatch(f"cannot read the coordination marker {path}: "
                                  f"{exc.strerror}{state_dir_words(path)}") from None
    try:
        seen = json.loads(raw.decode())
    except ValueError:  # not JSON, or not UTF-8 (UnicodeDecodeError): damaged
        seen = None
    if not isinstance(seen, dict) or not isinstance(seen.get("coordinator"), str):
        raise CoordinatorMismatch(
            f"the coordination marker {path} is damaged: pdbulk cannot tell whether this "
            "account runs with a shared coordinator. If it does, run with --coordinator "
            f"URL (or env {ENV_COORDINATOR}); if no run uses one, delete {path}")
    return seen


def mark_coordinated(key: str, coordinator: str, company: str) -> None:
    """Remember (in the state dir) that company ``company`` ran on this machine with the
    shared ``coordinator`` (its ``coordinator_id``), and that the token on the account URL
    of ``account_key`` ``key`` belongs to it: a later run of the company without that
    coordinator is refused (``check_coordination``).

    Scopes: the guard is about the company's data (its claims: who creates which deal,
    person, organization), so it is per company; the token index lets a run be refused
    before it sends anything (its company is known only after GET /users/me). The burst
    window is per token and the daily budget per company: those are the coordinator's
    keys, not this marker's."""
    _write(_company_marker(company), {"coordinator": coordinator, "company": company})
    _write(_marker(key), {"coordinator": coordinator, "company": company})


def check_coordination(key: str, current: str | None,
                       recorded: str | None = None, *, company: str | None = None,
                       creates: bool = True, token_fp: str | None = None) -> None:
    """Refuse to mix coordinated and uncoordinated runs on one company: creates claimed
    locally (SQLite on this machine) and on Redis — or on two Redis — do not see each
    other, so such a mix doubles deals, persons and organizations.

    ``current``: the ``coordinator_id`` in force (None: local); ``recorded``: the one the
    job ran with before (its store's meta ``coordinator``; None: local or a new job);
    ``company``: the account's company id once known (None: not yet; then only the
    index of ``key`` — ``account_key``: the token on this account URL — is read;
    ``token_fp``: the token's ``fingerprint``, whose index an older version kept for any
    URL, read where ``key`` has none). Raises CoordinatorMismatch (exit 1) when a job that ran on a
    coordinator is resumed without it or on another one, or when this machine's marker
    for the company (``mark_coordinated``; found through the token's index, or by
    ``company``) names another coordinator than the one in force (or one, and none is).
    ``creates``: whether the run may create records (its job kind takes claims); the
    machine's marker guards creates only, so a run that creates nothing (False) is
    checked against ``recorded`` alone (x27r3 3: a marker left by a killed import
    refused ``pdbulk update``, saying it "would double creates")."""
    if recorded is not None and "://" in recorded:
        recorded = coordinator_id(recorded)  # one recorded before localhost was 127.0.0.1
    if recorded is not None and recorded != current:
        raise CoordinatorMismatch(
            f"this job ran with the shared coordinator {recorded}; resume it with the same "
            f"one (or retry it: --coordinator {recorded}, with its password, or env "
            f"{ENV_COORDINATOR}): "
            "claims taken there are not seen by "
            + ("local claims" if current is None else f"the coordinator {current}"))
    if not creates:
        return
    own = _marker(key)
    index = _read(own)
    if index is None and token_fp is not None:  # an older version's: the token on any URL
        own = _token_marker(token_fp)
        index = _read(own)
    known = company or (index or {}).get("company")
    path = _company_marker(known) if known else own
    seen = _read(path) if known else index
    if seen is None and index is not None and not company:
        path, seen = own, index  # a marker of an older version: token only
    where = (seen or {}).get("coordinator")
    if isinstance(where, str) and "://" in where:
        where = coordinator_id(where)
    if where is None or where == current:
        return
    if path != own and own.exists():
        path = Path(f"{path} and {own}")  # both name it: delete both
    # the company named is the account's only once it is known (GET /users/me); before,
    # it is the one this token was last marked with, which may be another account's
    whose = (f"this account (company {known})" if company else
             f"this API token (last seen here with company {known})" if known else
             "this API token")
    raise CoordinatorMismatch(
        f"{whose} was used on this machine with the shared "
        f"coordinator {where}: run with --coordinator {where} (or env {ENV_COORDINATOR}; "
        "with its password, if it has one) — "
        "runs without it (or on another) do not see its claims and would double creates. "
        f"If no run uses that coordinator any more, delete {path}")


def _run_lock(key: str, coordinated: bool = False) -> Path:
    kind = "coordinated" if coordinated else "uncoordinated"
    return state_dir() / MARKERS / f"{kind}-{key}.lock"


def _held_by_a_run(path: Path) -> bool:
    """Whether a live run holds its shared lock on ``path`` (an exclusive try fails). Another
    process only testing the file holds it exclusively for microseconds: a few tries over
    ~0.2 s tell it from a run, which holds it for its whole life."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False  # no run of that kind ever ran this token here
    try:
        for _ in range(20):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                time.sleep(0.01)
                continue
            return False
        return True
    finally:
        os.close(fd)


@contextmanager
def run_kind_lock(key: str, *, coordinated: bool) -> Iterator[None]:
    """Hold, for the block, a shared OS lock (``flock``) that says: a run with (or without)
    a shared coordinator is using the token on the account URL ``key`` (``run_key``) on
    this machine (several runs of one kind share it); the OS drops it when the process
    ends, however it ends (kill -9 included). Taken FIRST, then the other kind's lock is
    tested: of two runs of the two kinds started at the same instant, the later tester
    always sees the other's lock (one of them is refused; before, a coordinated run only
    tested, and one started in the same 50 ms as an uncoordinated one ran beside it: 1
    in 14, 49 429s). Raises CoordinatorMismatch (exit 1) before anything is sent. A run
    on another machine is not seen (nothing local says it runs)."""
    path = _run_lock(key, coordinated)
    private_folder(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        check_other_kind(key, coordinated=coordinated)
        yield
    finally:
        os.close(fd)  # the lock goes with the descriptor


def check_other_kind(key: str, *, coordinated: bool) -> None:
    """Raise CoordinatorMismatch (exit 1) when a live run of the other kind (without the
    shared coordinator, for a ``coordinated`` run; with one, for a run without) holds its
    ``run_kind_lock`` on ``key`` (``run_key``: the token on one account URL) on this
    machine. No lock is taken."""
    if not _held_by_a_run(_run_lock(key, not coordinated)):
        return
    if coordinated:
        raise CoordinatorMismatch(
            "a pdbulk run without the shared coordinator is using this API token on "
            "this account URL on this machine right now: a coordinated run beside it would overshoot the "
            "account's rate limit (that run does not see the shared window) and their "
            "creates would not see each other's claims. Let it finish (or stop it), "
            "then run again; or run every process with --coordinator")
    raise CoordinatorMismatch(
        "a pdbulk run with a shared coordinator is using this API token on this "
        "account URL on this machine right now: a run without it would overshoot the account's rate "
        "limit and its creates would not see that run's claims. Run this one with "
        "the same --coordinator, or let the other finish")


__all__ = ["ENV_COORDINATOR", "HOLD_AT_MOST", "MARKERS", "Coordinator", "account_key",
           "check_coordination",
           "check_other_kind", "coordinator_id", "run_key", "run_kind_lock",
           "mark_coordinated", "Limit", "LocalCoordinator", "SharedStats",
           "bind_company", "bound_company", "check_url", "coordinator_flag", "coordinator_url",
           "fingerprint", "redacted"]
