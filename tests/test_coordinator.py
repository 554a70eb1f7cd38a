"""The shared coordinator against a real redis-server: several schedulers, one account.

Real time with short windows (0.2 s): FakeClock cannot stand in here, because it
jumps time while a Redis round trip is in flight.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest
import redis.asyncio as aioredis

from bulk.claims import Held
from bulk.clock import SystemClock
from bulk.coordinator import (
    LocalCoordinator,
    check_url,
    coordinator_id,
    coordinator_url,
    fingerprint,
    redacted,
)
from bulk.coordinator_open import open_coordinator
from bulk.coordinator_redis import RedisCoordinator, check
from bulk.errors import BudgetExhausted, CoordinatorLost
from bulk.headers import RateHeaders
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.scheduler import BudgetPolicy, Scheduler
from tests.redis_helpers import RedisServer, running_redis

pytestmark = pytest.mark.anyio
TOKEN = "0123456789abcdef-secret-token"
WINDOW, BURST = 0.2, 5
GET = get_operation("getDeal")
SEARCH = get_operation("searchDeals")
_ROOT = Path(__file__).resolve().parent.parent
ADD = get_operation("addDeal")
_OPEN: list[RedisCoordinator] = []


async def _close_open() -> None:
    while _OPEN:
        await _OPEN.pop().aclose()


@pytest.fixture(autouse=True)
async def _close_coordinators() -> AsyncIterator[None]:
    yield
    await _close_open()


@pytest.fixture
async def redis_server() -> AsyncIterator[RedisServer]:
    """A redis-server for one test. The coordinators opened on it are closed before it
    stops: closed after (the autouse fixture's turn), each spent ~1.5 s retrying its
    last flush against a dead server, in every test's teardown."""
    with running_redis() as server:
        yield server
        await _close_open()


async def _flushed(within: float = 10.0) -> None:
    """The open coordinators' feedback (a pause, a refund, a daily figure), sent to Redis
    off the call path, has reached it. A fixed real sleep stood here (20 ms for the pause:
    1 failure in a full -n 4 run on a loaded machine, the pause not yet in Redis)."""
    async with asyncio.timeout(within):
        for coord in _OPEN:  # a flush task runs while anything is queued (``_kick``)
            while (task := coord._flush_task) is not None and not task.done():
                await asyncio.wait([task])


async def _scheduler(url: str | None, *, burst: int = BURST, daily: int = 10**6,
                     budget: BudgetPolicy = BudgetPolicy(), company: str = "42",
                     token: str = TOKEN, window: float = WINDOW) -> Scheduler:
    clock = SystemClock()
    sched = Scheduler(Limits(burst=burst, search=2, window=window, daily_tokens=daily),
                      clock=clock, budget=budget, safety=0.0)
    if url is not None:
        coord = RedisCoordinator(url, clock=clock)
        _OPEN.append(coord)
        await coord.start(fingerprint(token))
        sched.attach(coord)
        coord.bind(company)
    return sched


def _max_in_window(times: list[float], width: float) -> int:
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - width:
            j += 1
        best = max(best, i - j + 1)
    return best


async def _burst_of(scheds: list[Scheduler], per: int, op: object = GET) -> list[float]:
    admitted: list[float] = []

    async def one(s: Scheduler) -> None:
        await s.acquire(op)  # type: ignore[arg-type]
        admitted.append(time.time())

    await asyncio.gather(*(one(s) for s in scheds for _ in range(per)))
    return admitted


@pytest.mark.timing
async def test_two_schedulers_share_one_burst_window(redis_server: RedisServer) -> None:
    scheds = [await _scheduler(redis_server.url) for _ in range(2)]
    start = time.monotonic()
    admitted = await _burst_of(scheds, 15)  # 30 calls at 5 per 0.2 s: 5 windows at least
    took = time.monotonic() - start
    # a margin of 30 ms for the gap between the coordinator's clock read and ours (a busy loop)
    assert _max_in_window(admitted, WINDOW - 0.03) <= BURST
    assert 5 * WINDOW * 0.9 <= took <= 5 * WINDOW + 0.6  # the full rate, not half of it
    stats = scheds[0].statistics().shared
    assert stats is not None and stats.processes == 2


async def test_without_a_coordinator_two_schedulers_overshoot() -> None:
    scheds = [await _scheduler(None) for _ in range(2)]
    admitted = await _burst_of(scheds, 15)
    assert _max_in_window(admitted, WINDOW - 0.03) > BURST  # what the coordinator prevents


async def test_search_window_is_shared(redis_server: RedisServer) -> None:
    scheds = [await _scheduler(redis_server.url) for _ in range(2)]
    admitted = await _burst_of(scheds, 3, SEARCH)  # 6 searches at 2 per window
    assert _max_in_window(admitted, WINDOW - 0.03) <= 2


async def test_a_429_pauses_every_process_on_the_token(redis_server: RedisServer) -> None:
    a, b = [await _scheduler(redis_server.url) for _ in range(2)]
    await a.acquire(GET)
    start = time.monotonic()
    a.rate_limited(GET, RateHeaders(), 0.5)  # the server named 0.5 s
    await _flushed()  # the pause is flushed off the call path
    await b.acquire(GET)
    assert time.monotonic() - start >= 0.45


async def test_budget_share_holds_across_processes(redis_server: RedisServer) -> None:
    share = BudgetPolicy(share=0.5)
    a, b = [await _scheduler(redis_server.url, burst=100, daily=200, budget=share)
            for _ in range(2)]
    spent, refused = 0, 0

    async def spend(s: Scheduler) -> None:
        nonlocal spent, refused
        for _ in range(30):  # bounded
            try:
                await s.acquire(ADD)  # 5 tokens
            except BudgetExhausted:
                refused += 1
                return
            spent += ADD.token_cost

    await asyncio.gather(spend(a), spend(b))
    assert spent == 100 and refused == 2  # half of 200, between them
    stats = a.statistics().shared
    assert stats is not None and stats.tokens_today == 100


async def test_refund_gives_shared_tokens_back(redis_server: RedisServer) -> None:
    a = await _scheduler(redis_server.url, daily=100, budget=BudgetPolicy(share=0.1))
    await a.acquire(ADD)
    await a.acquire(ADD)
    with pytest.raises(BudgetExhausted):
        await a.acquire(ADD)
    a.refund(ADD)
    await _flushed()
    await a.acquire(ADD)  # the refunded 5 tokens are there again


@pytest.mark.timing
async def test_a_dead_process_blocks_nobody_longer_than_the_window(
        redis_server: RedisServer) -> None:
    dead = await _scheduler(redis_server.url)
    await _burst_of([dead], BURST)  # fills the window, then "dies" (never closes)
    alive = await _scheduler(redis_server.url)
    start = time.monotonic()
    await alive.acquire(GET)
    assert time.monotonic() - start <= WINDOW + 0.1


async def test_redis_lost_mid_run_is_terminal(redis_server: RedisServer) -> None:
    a = await _scheduler(redis_server.url)
    await a.acquire(GET)
    redis_server.stop()
    with pytest.raises(CoordinatorLost) as err:
        await a.acquire(GET)
    assert err.value.terminal
    assert a.statistics().admitted == 1  # the refused call's local slot went back


async def test_unreachable_at_start(redis_server: RedisServer) -> None:
    url = redis_server.url
    redis_server.stop()
    with pytest.raises(CoordinatorLost, match="does not answer"):
        await check(url)
    coord = RedisCoordinator(url)
    _OPEN.append(coord)
    with pytest.raises(CoordinatorLost):
        await coord.start(fingerprint(TOKEN))


async def test_the_token_never_reaches_redis_and_every_key_expires(
        redis_server: RedisServer) -> None:
    a = await _scheduler(redis_server.url)
    await _burst_of([a], 3, SEARCH)
    a.rate_limited(GET, RateHeaders(), 0.3)
    a.observe(GET, RateHeaders(daily_token_limit=10**6, daily_token_remaining=10**6 - 70),
              sent_at=None)
    await _flushed()
    r = aioredis.from_url(redis_server.url)
    try:
        keys = [k.decode() async for k in r.scan_iter("*")]
        assert keys and all(k.startswith((f"pdbulk:t:{fingerprint(TOKEN)}:", "pdbulk:c:42:"))
                            for k in keys)
        for key in keys:
            assert await r.pttl(key) > 0, key
            dump = await r.dump(key)
            assert TOKEN.encode() not in (dump or b"") and TOKEN not in key
    finally:
        await r.aclose()
    assert TOKEN not in fingerprint(TOKEN) and len(fingerprint(TOKEN)) == 16
    assert fingerprint(TOKEN) != fingerprint(TOKEN + "x")


@pytest.mark.timing
async def test_different_tokens_have_their_own_windows(redis_server: RedisServer) -> None:
    a = await _scheduler(redis_server.url, token="token-a")
    b = await _scheduler(redis_server.url, token="token-b")
    start = time.monotonic()
    await _burst_of([a, b], BURST)  # a full burst each, at once
    assert time.monotonic() - start < WINDOW / 2


async def test_coordinator_urls() -> None:
    assert coordinator_url("") is None and coordinator_url("local") is None
    assert coordinator_url("redis://h:6379/0") == "redis://h:6379/0"
    assert coordinator_url("REDIS://h:6379/0") == "redis://h:6379/0"  # scheme: any case
    assert coordinator_id("redis://h/00") == coordinator_id("redis://h:6379/0")
    assert redacted("redis://:hunter2@h:6379/0") == "redis://***@h:6379/0"
    assert isinstance(open_coordinator(None), LocalCoordinator)
    with pytest.raises(ValueError, match="unknown coordinator with the scheme 'memcached'"):
        open_coordinator("memcached://h")
    # x13r1 F7: a password pasted alone into PDBULK_COORDINATOR was echoed into the logs
    with pytest.raises(ValueError, match=r"not shown: it is no URL") as info:
        open_coordinator("RPASSzz9secret")
    assert "RPASSzz9secret" not in str(info.value)


@pytest.mark.parametrize(("url", "why"), [
    ("redis://127.0.0.1:notaport/0", "Port could not be cast"),
    ("redis://:hunter2@127.0.0.1:99999/0", "Port out of range"),
    ("redis://127.0.0.1:6379/abc", "the database must be a number"),
    ("redis://127.0.0.1:6379/0?db=x", "Invalid value for 'db'"),
    ("redis://:hunter2@127.0.0.1:6379/0?foo=bar", "unknown option 'foo'"),
    ("redis:///0", "no host"),
    ("unix://", "no socket path"),
    ("redis://[::1:6379/0", "not an IPv6 address"),  # before: "unexpected ValueError"
    # x13r6 F8: a password before a host the URL parser refuses was echoed whole
    ("redis://:hunter2@127.0.0.1:89o5/0", "Port could not be cast"),
    ("redis://:hunter2@127.0.0.1:-1/0", "Port"),
    ("redis://:hunter2@[::1:6379/0", "not an IPv6 address"),
])
async def test_a_malformed_url_is_named_before_anything_connects(url: str, why: str) -> None:
    """A typo in the URL is one clear ValueError (the CLI: exit 1), never "does not
    answer", a silently ignored part, or a client's TypeError; no password in it."""
    from bulk.claims_redis import RedisClaims
    from bulk.coordinator_redis import snapshot

    with pytest.raises(ValueError, match="bad coordinator URL") as err:
        open_coordinator(url)
    assert why in str(err.value) and "hunter2" not in str(err.value)
    for entry in (lambda: RedisCoordinator(url), lambda: RedisClaims(url, "42")):
        with pytest.raises(ValueError, match="bad coordinator URL"):
            entry()
    with pytest.raises(ValueError, match="bad coordinator URL"):
        await check(url)
    with pytest.raises(ValueError, match="bad coordinator URL"):
        await snapshot(url, wall=time.time())


async def test_status_with_a_malformed_coordinator_url_says_so(tmp_path: Path) -> None:
    """``pdbulk status`` (offline: no check at start) names the bad URL and still shows
    the job, instead of "unexpected TypeError" or silently using another database."""
    from typer.testing import CliRunner

    from bulk.store import JobStore
    from pdbulk.cli import app

    JobStore.create(tmp_path / "j1", job_id="j1", kind="update", config={}).close()
    for url in ("redis://127.0.0.1:1/0?foo=bar", "redis://127.0.0.1:1/abc"):
        res = await asyncio.to_thread(CliRunner().invoke, app,
                                      ["status", "j1", "--job-dir", str(tmp_path)],
                                      env={"PDBULK_COORDINATOR": url})
        assert res.exit_code == 0, res.output
        assert "coordinator: bad coordinator URL" in res.output and "job j1" in res.output


async def test_well_formed_urls_pass() -> None:
    for url in ("redis://127.0.0.1:6379/0", "redis://:pw@h/3", "rediss://h:6380/0?ssl_cert_reqs=none",
                "redis://h", "unix:///run/redis.sock?db=2", "redis://h/0?socket_timeout=2"):
        assert check_url(url) == url


async def test_a_redis_that_refuses_is_not_reported_as_down(redis_server: RedisServer) -> None:
    """Wrong password, database out of range, a read-only replica: "refused" with Redis' own
    words, at start (check, start) and mid-run (terminal), never "does not answer"."""
    with running_redis("--requirepass", "s3cret-pw") as locked:
        for url in (locked.url, locked.url.replace("//", "//:hunter2@")):
            with pytest.raises(CoordinatorLost, match="refused the request") as err:
                await check(url)
            assert "does not answer" not in str(err.value) and "hunter2" not in str(err.value)
        coord = RedisCoordinator(locked.url)
        _OPEN.append(coord)
        with pytest.raises(CoordinatorLost, match="refused the request"):
            await coord.start(fingerprint(TOKEN))
    with pytest.raises(CoordinatorLost, match=r"refused the request \(.*DB index"):
        await check(redis_server.url.replace("/0", "/99"))

    a = await _scheduler(redis_server.url)
    await a.acquire(GET)
    admin = aioredis.from_url(redis_server.url)
    try:
        await admin.execute_command("REPLICAOF", "127.0.0.1", "1")  # read-only from now on
        with pytest.raises(CoordinatorLost, match=r"refused the request \(You can't write") as lost:
            await a.acquire(GET)
        assert lost.value.terminal and "resume it once Redis is back" in str(lost.value)
    finally:
        await admin.execute_command("REPLICAOF", "NO", "ONE")
        await admin.aclose()


async def test_status_shows_the_account_wide_picture(redis_server: RedisServer,
                                                     tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bulk.store import JobStore
    from pdbulk.cli import app

    # A 60 s window: the 4 requests are still in it when the (slow, in-process) CLI reads
    # it, however loaded the machine (a 0.2 s window had emptied under load).
    a, b = [await _scheduler(redis_server.url, window=60.0) for _ in range(2)]
    await _burst_of([a, b], 2)  # 4 requests from 2 processes
    JobStore.create(tmp_path / "j1", job_id="j1", kind="update",
                    config={"engine": {"window": 60.0}}).close()
    env = {"PDBULK_COORDINATOR": redis_server.url}
    res = await asyncio.to_thread(CliRunner().invoke, app,
                                  ["status", "j1", "--job-dir", str(tmp_path)], env=env)
    assert res.exit_code == 0, res.output
    assert "account 42 (all processes): 2 active, 4 tokens today" in res.output
    assert "4 requests in the burst window" in res.output
    res = await asyncio.to_thread(CliRunner().invoke, app,
                                  ["status", "j1", "--job-dir", str(tmp_path), "--json"], env=env)
    shared = orjson.loads(res.output)["coordinator"]
    assert shared["companies"]["42"] == {"processes": 2, "tokens_today": 4}
    redis_server.stop()
    res = await asyncio.to_thread(CliRunner().invoke, app,
                                  ["status", "j1", "--job-dir", str(tmp_path)], env=env)
    assert res.exit_code == 0 and "does not answer" in res.output  # status still works


async def test_coordinator_option_is_accepted_after_the_command() -> None:
    from pdbulk.cli import hoist_global_options

    assert hoist_global_options(["import", "a.csv", "--coordinator", "redis://h/0", "-m", "m"]) == [
        "--coordinator", "redis://h/0", "import", "a.csv", "-m", "m"]
    assert hoist_global_options(["status", "j", "--coordinator=local"]) == [
        "--coordinator=local", "status", "j"]
    assert hoist_global_options(["import", "--", "--coordinator"]) == ["import", "--", "--coordinator"]


async def test_the_e2e_tests_collect_under_plain_pytest(tmp_path: Path) -> None:
    """``pytest`` (the console script, from another directory), not only ``python -m
    pytest``, imports what the end-to-end tests take from benchmarks/ (pyproject's
    pytest ``pythonpath``)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = await asyncio.to_thread(
        subprocess.run, [str(Path(sys.executable).with_name("pytest")), "--collect-only", "-q",
                         str(_ROOT / "tests" / "test_coordinator_e2e.py")],
        cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stdout.decode()[-2000:]


class _StepClock:
    """Wall time that moves only when someone sleeps (by exactly that much): a process's
    waits are read off, never slept for real."""

    def __init__(self, wall: float = 1_800_000_000.0) -> None:
        self._wall, self.slept = wall, 0.0

    def now(self) -> float:
        return self._wall

    def wall(self) -> float:
        return self._wall

    async def sleep(self, seconds: float) -> None:
        self._wall += max(0.0, seconds)
        self.slept += max(0.0, seconds)
        await asyncio.sleep(0)


async def test_window_headers_seen_by_one_process_hold_back_the_others(
        redis_server: RedisServer) -> None:
    """A learns from a response's headers that the token's window is spent (remaining 0,
    reset in 1.5 s: another client used it): B, which has admitted nothing and saw no
    header, waits until that reset too. remaining 2 of 5: B gets 2 calls, then waits.
    Injected clocks: no real sleeps."""
    clock_a, clock_b = _StepClock(), _StepClock()
    scheds = []
    for clock in (clock_a, clock_b):
        sched = Scheduler(Limits(burst=BURST, search=2, window=2.0, daily_tokens=10**6),
                          clock=clock, safety=0.0)
        coord = RedisCoordinator(redis_server.url, clock=clock)  # type: ignore[arg-type]
        _OPEN.append(coord)
        await coord.start(fingerprint(TOKEN))
        sched.attach(coord)
        coord.bind("42")
        scheds.append((sched, coord))
    (a, coord_a), (b, _) = scheds
    await a.acquire(GET)
    sent = clock_a.now()
    a.observe(GET, RateHeaders(limit=BURST, remaining=0, reset=1.5), sent_at=sent)
    assert coord_a._flush_task is not None
    await coord_a._flush_task  # the feedback pipeline (off the call path)
    await b.acquire(GET)
    assert clock_b.slept >= 1.5 - 1e-6, clock_b.slept  # B held back until the server's reset

    # a fresh window: the server says 2 of 5 left, though only A's one call is counted here
    await clock_a.sleep(10.0 + clock_b.wall() - clock_a.wall())
    await clock_b.sleep(10.0)
    clock_b.slept = 0.0
    await a.acquire(GET)
    a.observe(GET, RateHeaders(limit=BURST, remaining=2, reset=1.0), sent_at=clock_a.now())
    await coord_a._flush_task
    await b.acquire(GET)
    await b.acquire(GET)
    assert clock_b.slept == 0.0
    await b.acquire(GET)  # the window is full until the server's reset
    assert clock_b.slept >= 1.0 - 1e-6, clock_b.slept


async def test_two_companies_on_one_redis_share_no_key(redis_server: RedisServer,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Everything two companies' runs write — windows, pause, day's spend, processes, header
    corrections, create claims (the deal-field claim's name has no account in it), the
    claims' birth marker — is under the company (``pdbulk:c:{id}:``) or its token's
    fingerprint (``pdbulk:t:{fp}:``; a token belongs to one company): no key is shared.
    The scripts go by EVALSHA (a restarted server reloads them)."""
    from bulk import coordinator
    from bulk.claims_open import open_claims

    monkeypatch.setenv("PDBULK_COORDINATOR", redis_server.url)
    client = aioredis.from_url(redis_server.url)
    seen: set[str] = set()
    made: dict[str, set[str]] = {}
    try:
        for company, token in (("1001", TOKEN + "-one"), ("2002", TOKEN + "-two")):
            sched = await _scheduler(redis_server.url, company=company, token=token)
            await sched.acquire(ADD)
            sched.observe(ADD, RateHeaders(limit=BURST, remaining=1, reset=0.1))
            sched.refund(ADD)
            sched.rate_limited(GET, RateHeaders(), 0.05)
            coord = _OPEN[-1]
            while coord._flush_task is not None and not coord._flush_task.done():
                await coord._flush_task
            coordinator.bind_company(company)  # as bulk.engine.Engine.open does
            claims = open_claims()  # the claims a run's creates go through
            try:
                got = await claims.acquire_many(["deal-field\x1fImport source key",
                                                 "deal-key\x1fcode\x1fK1"])
                for claim in got.values():
                    assert not isinstance(claim, Held)  # another company's claims: not held
                    claims.release_soon(claim, {"deal_id": 1})
                await claims.flush()
            finally:
                await claims.aclose()
            keys = {k.decode() for k in await client.keys("*")} - seen
            made[company], seen = keys, seen | keys
            fp = fingerprint(token)
            assert all(k.startswith((f"pdbulk:c:{company}:", f"pdbulk:t:{fp}:")) for k in keys), keys
            assert {f"pdbulk:c:{company}:born", f"pdbulk:t:{fp}:burst",
                    f"pdbulk:c:{company}:procs"} <= keys
        assert not made["1001"] & made["2002"]
        assert len(made["1001"]) == len(made["2002"]) >= 6
        stats = await client.info("commandstats")
        assert "cmdstat_eval" not in stats and stats["cmdstat_evalsha"]["calls"] >= 8
    finally:
        coordinator.bind_company(None)
        await client.aclose()


async def test_an_admission_answered_late_is_dated_when_it_was_answered(
        redis_server: RedisServer) -> None:
    """The admit script ran 1 s after this process built it (Redis frozen, the process
    stalled): its window entry was dated at the build time, so the shared window freed
    the slot a second early while the call left only now (a 6 s Redis freeze gave 1-4
    429s: fresh tester v12r5). The entry is moved to when the answer came."""
    from bulk.coordinator import Limit

    clock = SystemClock()
    coord = RedisCoordinator(redis_server.url, clock=clock)
    _OPEN.append(coord)
    await coord.start(fingerprint(TOKEN))
    coord.bind("42")
    script = coord._scripts["admit"]

    async def frozen(**kw: object) -> object:
        await asyncio.sleep(1.0)  # Redis frozen this long before running it
        return await script(**kw)

    coord._scripts["admit"] = frozen
    limit = Limit(width=WINDOW, burst=BURST, search=2, day_limit=10**6,
                  day=int(time.time() // 86400), day_ends=(int(time.time() // 86400) + 1) * 86400,
                  ahead=0.0)
    before = time.time()
    await coord.admit(GET, limit)
    after = time.time()
    client = aioredis.from_url(redis_server.url)
    try:
        (entry,) = await client.zrange(coord._token_key("burst"), 0, -1, withscores=True)
    finally:
        await client.aclose()
    assert entry[1] >= before + 0.9 and entry[1] <= after + 0.01, (before, entry, after)


async def test_a_wait_for_reset_across_processes_goes_on_in_the_next_day(
        redis_server: RedisServer) -> None:
    """f21c F3 (the same class on Redis): two schedulers with ``--wait-for-reset`` on one
    shared day of 20 tokens want 4 creates each (5 tokens): 4 go before the reset, the
    other 4 within a minute after it — the waiting pump reads the new day (a FakeClock: no real
    sleep; with the spent day's figures it woke every 1 ms, forever)."""
    from bulk.clock import FakeClock

    reset = 1_767_225_600.0 + 86400.0
    clock = FakeClock(epoch=reset - 600.0)
    scheds = []
    for _ in range(2):
        sched = Scheduler(Limits(burst=100, search=2, window=WINDOW, daily_tokens=20),
                          clock=clock, budget=BudgetPolicy(wait_for_reset=True), safety=0.0)
        coord = RedisCoordinator(redis_server.url, clock=clock)
        _OPEN.append(coord)
        await coord.start(fingerprint(TOKEN))
        sched.attach(coord)
        coord.bind("42")
        scheds.append(sched)
    sent: list[float] = []

    async def spend(s: Scheduler) -> None:
        for _ in range(4):
            await s.acquire(ADD)
            sent.append(clock.wall())

    await asyncio.wait_for(asyncio.gather(*(spend(s) for s in scheds)), 20)
    assert sum(at < reset for at in sent) == 4, sent
    # right after it: the next call at the reset, the rest within the minute the waiting
    # processes look again in (f21g: one process asks, the others look each minute)
    assert sum(reset <= at < reset + 61.0 for at in sent) == 4, sent


async def _pair(url: str, n: int = 2) -> list[tuple[Scheduler, RedisCoordinator, _StepClock]]:
    out = []
    for _ in range(n):
        clock = _StepClock()
        sched = Scheduler(Limits(burst=40, search=2, window=2.0, daily_tokens=10**6),
                          clock=clock, safety=0.0, rng=_NoJitter())  # type: ignore[arg-type]
        coord = RedisCoordinator(url, clock=clock)  # type: ignore[arg-type]
        _OPEN.append(coord)
        await coord.start(fingerprint(TOKEN))
        sched.attach(coord)
        coord.bind("42")
        out.append((sched, coord, clock))
    return out


class _NoJitter:
    def uniform(self, a: float, b: float) -> float:
        return a


async def test_another_client_s_calls_are_held_a_window_not_freed_at_the_oldest_s_reset(
        redis_server: RedisServer) -> None:
    """f23l: A's answer says 20 of 40 left, the oldest leaving in 0.2 s: the 19 calls
    nobody here made were all dated to leave then, and the fleet burst into a window the
    other client still held (60 429s against 10 alone). Now only the oldest frees at the
    reset; the rest hold until a window after the answer. Injected clocks."""
    (a, _, clock_a), (b, _, clock_b) = await _pair(redis_server.url)
    await a.acquire(GET)
    a.observe(GET, RateHeaders(limit=40, remaining=20, reset=0.2), sent_at=clock_a.now())
    await _flushed()
    for _ in range(20):  # the room the server named (A's call is one of the 20 used)
        await b.acquire(GET)
    assert clock_b.slept == 0.0
    await b.acquire(GET)  # the oldest of the other client's calls left at its reset
    assert 0.2 - 1e-6 <= clock_b.slept < 0.5, clock_b.slept
    await b.acquire(GET)  # the others: a window after the answer
    assert clock_b.slept >= 2.0 - 1e-6, clock_b.slept


async def test_slots_kept_spare_for_another_client_come_back_soon_after_it_stops(
        redis_server: RedisServer) -> None:
    """f23l: after a storm of 429s (10 slots kept spare, 30 of 40), the other client went on
    for a while, then stopped: the coordinated runs stayed at 27 of 40 for 80 s (one slot
    back per 5 quiet windows). While the server's headers count its calls the spare stays;
    two windows after they stop, it goes back at once. Injected clocks, a real Redis."""
    ((a, coord, clock), ) = await _pair(redis_server.url, 1)
    await a.acquire(GET)
    for _ in range(10):
        a.rate_limited(GET, RateHeaders(limit=40, remaining=0, reset=0.1), None)
    await _flushed()
    assert a.statistics().window_limit == 30

    async def run(seconds: float, foreign: int) -> None:
        sent: list[float] = []
        end = clock.now() + seconds
        while clock.now() < end:  # bounded: virtual time moves by 0.2 s a turn
            await clock.sleep(0.2)
            await a.acquire(GET)
            sent.append(clock.now())
            ours = sum(1 for t in sent if t > clock.now() - 2.0)
            a.observe(GET, RateHeaders(limit=40, remaining=40 - ours - foreign, reset=0.2),
                      sent_at=clock.now())
            await _flushed()

    await run(8.0, foreign=15)  # the other client on: 4 windows, no 429
    assert a.statistics().window_limit == 30
    await run(6.0, foreign=0)  # stopped: within 3 windows the whole burst
    assert a.statistics().window_limit == 40
    assert coord.others_at < clock.wall() - 4.0
