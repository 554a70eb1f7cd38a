"""Scheduler + runner + store + client against the sandbox, beside two baselines.

For each plan preset, one sandbox process (150 ms ± 50 ms latency) and, measured
in the same run, N PATCH /api/v2/deals/{id} calls made these ways:

- engine: a "touch" job through ``bulk.engine.Engine.run`` in this process (job
  store on disk, real clock, aiohttp transport wrapped only to log send times), on
  the event loop the CLI runs a job on (``bulk.loop``: uvloop where installed);
- sequential: one request at a time with aiohttp, sleeping on a 429 for the
  ``x-ratelimit-reset`` (or ``Retry-After``) the server named — most scripts;
- gather + aiolimiter: ``asyncio.gather`` over every id, an ``asyncio.Semaphore``
  and an ``aiolimiter.AsyncLimiter(burst, 2 s)`` at the documented rate,
  sleeping on a 429 as the sequential loop does;
- transport alone: the same PATCHes through a bare aiohttp session on the engine's
  event loop, started at an even pace at 0.9 of the allowed rate (a sleep between them): no
  scheduler, store or ledger. Its CPU per request is what the HTTP client itself costs
  at that pace on this machine: the floor under the engine's figure;
- sockets alone: the same at the same pace, each PATCH written by hand on a kept-alive
  socket (no HTTP client): what the loop's wake-ups and the sockets cost, the floor
  under aiohttp's.

The sandbox is reset (windows, budget, counters, data) before every run;
429s and tokens are the sandbox's own counters.
"""

from __future__ import annotations

import asyncio
import functools
import math
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import anyio.to_thread
import orjson
from aiolimiter import AsyncLimiter

from bulk.engine import Engine, EngineConfig
from bulk.loop import loop_factory, run_loop
from bulk.plans import plan_limits
from bulk.store import ItemState, JobStore
from bulk.transport import AiohttpTransport
from jobs.touch import TouchJob, touch_items

from .harness import (
    BenchArgs,
    Check,
    Measure,
    Row,
    SandboxProcess,
    SendLog,
    TimedTransport,
    latency_cap,
    measure,
    progress,
    slot_efficiency,
    stats_delta,
    steady_efficiency,
    window_efficiency,
)

TITLE = "Engine vs baselines: N x PATCH /api/v2/deals/{id}, sandbox at 150 ± 50 ms"
FOOTNOTES = (
    "÷ allowed: achieved rate ÷ B per 2 s over the whole run, every slot's path averaged: "
    "k·B ÷ the mean over i < B of (t[i + k·B] - t[i]), k = n // B - 1, over the sorted "
    "send times of the n admitted requests. A rolling window holds each of those spans to "
    "at least k windows, so it reads at most 1.000 (exactly the limit) whatever the pacing; "
    "it counts the start-up (the first window, the round trips not known yet) and every "
    "whole window; the n % B sends past the last are left out (benchmarks/harness.py "
    "slot_efficiency). The target is judged on it since f35b.",
    "÷ allowed, last slot: the figure judged before, (n - B) ÷ (t[n-1] - t[B-1]), one "
    "slot's path: from the first window's last send to the run's last send. Latency "
    "jitter spreads each window's sends wider as the run goes, so its end is the slowest "
    "path's; and it reads a run higher when its first window is sent slower. A client that "
    "knows the least latency exactly and sends nothing early, 150 ± 50 ms: 0.968 / 0.965 "
    "(Growth / Ultimate-OAuth) with its first burst at once, 0.972 / 0.969 spread over "
    "1 s (ending 0.85 s later); ÷ allowed 0.976 both ways, what the latency's spread "
    "allows (1 ÷ (1 + 0.05 s ÷ 2 s)).",
    "÷ allowed, steady: the same ratio from the first send 2 windows (4 s) after the first "
    "on, over whole bursts only: k·B ÷ (t[a + k·B] - t[a]), so a rolling window still caps "
    "it at 1.000; it leaves out the start-up and the tail past the last whole burst "
    "(benchmarks/harness.py steady_efficiency). The target is judged on ÷ allowed; the "
    "steady and last-slot figures are shown beside it.",
    "÷ allowed, latency cap: the most any client that never gets a 429 could read with the "
    "engine row's own round trips, 1 ÷ (1 + (mean - least) ÷ 2 s) (benchmarks/harness.py "
    "latency_cap): the server counts a call on arrival, and a safe client cannot send the "
    "call that takes a slot sooner than the slot's last arrival plus a window less the least "
    "way there. The allowed rate itself is the plan's burst per 2 s (FACTS.md: Growth "
    "api_token 40, Ultimate OAuth 480, counted in requests); the cap is what of it the "
    "latency's spread leaves (0.976 at 150 ± 50 ms; a loaded host's lag on the way back "
    "lowers it). ÷ allowed less the cap is the engine's own loss: start-up, the window's "
    "margin, its timer and the loop's lag.",
    "429s, tokens: the sandbox's counters (a 429 costs no tokens there).",
    "CPU ms/req: this process's user+sys CPU during the run ÷ requests sent (the engine "
    "runs in-process, the sandbox in its own process; the store's thread is included; "
    "the event loop's first imports are made before any row is measured).",
    "wake-ups/req: the times a thread slept and was woken (voluntary context switches), "
    "per request sent: the event loop's thread's / every thread's (the store's too). At "
    "a low rate each wake-up costs CPU of its own (a bare uvloop timer's, at 18 a second: "
    "~0.18 ms; at 2,000 a second: ~0.02 ms), and at Growth's pace few are shared: why the same "
    "request costs about twice the CPU at Growth as at Ultimate-OAuth (f47d).",
    "loop: the event loop of the run. The engine runs on the one the CLI runs a job on "
    "(bulk.loop: uvloop where installed); the baselines on asyncio's own, as most scripts do.",
    "transport alone: aiohttp on the engine's loop at an even pace at 0.9 of the allowed rate, "
    "nothing else; its CPU ms/req is the floor under the engine's (engine ÷ floor: the "
    "engine's own share).",
    "sockets alone: the transport-alone row's requests at its pace, each written by hand "
    "on a kept-alive socket (asyncio streams, no HTTP client): what the loop and the "
    "sockets cost; the transport-alone row less it is aiohttp's own share of the floor.",
    "x vs seq: the sequential loop's wall time, scaled linearly to the same N, ÷ this "
    "row's wall time. Baselines marked 'scaled' ran a smaller N (latency-bound loops are "
    "linear in N).",
)

LATENCY_MS, JITTER_MS = 150.0, 50.0
FIELDS = {"value": 4242}
NAIVE_CONCURRENCY = 50  # what a script would pick: "plenty"
LOOP_TIMEOUT = 240.0  # no single run may take longer than this (bounded in time)
MAX_429_PER_CALL = 50  # a baseline gives a call up after this many 429s (bounded in count)
FLOOR_PACE = 0.9  # the transport-alone row's pace, of the allowed rate (none of it 429s)


@dataclass(frozen=True)
class Scenario:
    label: str
    plan: str
    auth: str
    n: int  # engine calls (about 30 s at the allowed rate)
    seq_n: int  # sequential baseline calls (scaled up to n)
    naive_n: int  # gather baseline calls
    quick: tuple[int, int, int]  # (n, seq_n, naive_n) for --quick
    floor_n: int  # transport-alone calls (about 10 s at the allowed rate)


SCENARIOS = (
    Scenario("Growth api_token 40/2 s", "growth", "api_token", 600, 100, 300, (80, 10, 80), 200),
    Scenario("Ultimate OAuth 480/2 s", "ultimate", "oauth", 7200, 60, 2400, (960, 10, 960),
             2400),
)


def run(args: BenchArgs) -> list[Row]:
    warm_up()
    rows: list[Row] = []
    for sc in SCENARIOS:
        rows += _scenario(sc, args)
    return rows


def warm_up() -> None:
    """Import, outside every measure, what the first run on the engine's event loop imports
    (anyio's asyncio backend, uvloop, the worker threads' queue). The Growth engine row ran
    first and paid them: ~60 ms of CPU, 0.1 ms a request of its 600 (1.92 -> 1.13 ms a
    request over 80 calls), where the floor row, run later in the same process, paid none."""

    async def once() -> None:
        await anyio.to_thread.run_sync(lambda: None)  # the store's thread hop

    run_loop(once)


def _scenario(sc: Scenario, args: BenchArgs) -> list[Row]:
    n, seq_n, naive_n = sc.quick if args.quick else (sc.n, sc.seq_n, sc.naive_n)
    limits = plan_limits(sc.plan, auth="oauth" if sc.auth == "oauth" else "api_token")
    allowed = limits.burst / limits.window
    progress(f"{sc.label}: starting a sandbox with {n} deals")
    with SandboxProcess(plan=sc.plan, auth=sc.auth, latency_ms=LATENCY_MS, jitter_ms=JITTER_MS,
                        deals=n) as sb:
        progress(f"{sc.label}: engine, {n} calls (~{n / allowed:.0f} s at the limit)")
        engine = _run_engine(sb, sc, n, limits.burst, limits.window)
        progress(f"{sc.label}: sequential loop, {seq_n} calls")
        seq = _run_baseline(sb, "sequential", sc, seq_n, limits.burst, limits.window,
                            functools.partial(_sequential, sb))
        progress(f"{sc.label}: gather + semaphore + aiolimiter, {naive_n} calls")
        naive = _run_baseline(sb, "gather+aiolimiter", sc, naive_n, limits.burst, limits.window,
                              functools.partial(_naive, sb, limits.burst, limits.window))
        floor_n = min(sc.floor_n, n)
        progress(f"{sc.label}: transport alone, {floor_n} calls at an even pace")
        pace = FLOOR_PACE * allowed
        alone = _run_baseline(sb, "transport alone", sc, floor_n, limits.burst, limits.window,
                              functools.partial(_paced, sb, pace), engine_loop=True)
        alone.note = (alone.note + "; " if alone.note else "") + (
            f"{floor_n} calls, one every {1000 / pace:.0f} ms: the floor, no limiter")
        progress(f"{sc.label}: sockets alone, {floor_n} calls at the same pace")
        bare = _run_baseline(sb, "sockets alone", sc, floor_n, limits.burst, limits.window,
                             functools.partial(_paced, sb, pace, by_hand=True),
                             engine_loop=True)
        bare.note = (bare.note + "; " if bare.note else "") + (
            "the same, HTTP/1.1 written by hand on kept-alive sockets: no HTTP client")
    seq_wall_at_n = (seq.wall or 0) * n / seq_n
    for row, rn in ((engine, n), (seq, seq_n), (naive, naive_n)):
        if row.wall:
            row.extra["x vs seq"] = f"{seq_wall_at_n * rn / n / row.wall:.1f}"
    if seq_n != n:
        seq.note = f"scaled: {seq_n} calls, {seq_wall_at_n:.0f} s at N={n}"
    if naive_n != n:
        naive.note = f"{naive_n} calls (not scaled: 429s are for {naive_n})"
    ratio = engine.of_allowed or 0.0
    steady = engine.extra.get("÷ allowed, steady", "-")
    last = engine.extra.get("÷ allowed, last slot", "-")
    cap = engine.extra.get("÷ allowed, latency cap", "-")
    # issue 8's targets: >= 0.97 of the allowed rate with 0 429s; engine CPU per request
    # <= 0.4 ms at Ultimate-OAuth and <= 0.6 ms at Growth
    cpu_target = 0.4 if sc.plan == "ultimate" else 0.6
    cpu = engine.cpu_ms if engine.cpu_ms is not None else math.inf
    under = alone.cpu_ms if alone.cpu_ms is not None else math.nan
    bare_cpu = bare.cpu_ms if bare.cpu_ms is not None else math.nan
    engine.extra["÷ floor"] = f"{cpu / under:.2f}"
    engine.checks += [
        Check(f"{sc.label}: engine ≥ 0.97 of the allowed rate", ratio >= 0.97,
              f"{ratio:.3f}; steady (from the 3rd window, whole bursts): {steady}; "
              f"last slot (judged before f35b): {last}; the latency's cap: {cap}"),
        Check(f"{sc.label}: engine receives 0 429s", engine.r429 == 0, f"{engine.r429}"),
        Check(f"{sc.label}: engine CPU ≤ {cpu_target} ms per request", cpu <= cpu_target,
              f"{cpu:.2f} ms; aiohttp alone at this pace: {under:.2f} ms "
              f"(engine ÷ it: {cpu / under:.2f}); by hand on sockets: {bare_cpu:.2f} ms"),
    ]
    if sc.plan == "growth" and engine.wall and seq.wall:
        speed = seq_wall_at_n / engine.wall
        # No client inside the limit can beat (n - B) / (B / W) plus one round trip.
        floor = (math.ceil(n / limits.burst) - 1) * limits.window + LATENCY_MS / 1000
        seq_rate = seq_n / seq.wall
        engine.checks.append(Check(
            f"{sc.label}: engine ≥ 5x faster than the sequential loop", speed >= 5.0,
            f"{speed:.1f}x; the limit caps any client at {seq_wall_at_n / floor:.1f}x here "
            f"(the loop already makes {seq_rate:.1f} of the {allowed:g} req/s allowed; "
            f"5x needs it under {allowed / 5:g} req/s, i.e. ≥ {5000 / allowed:.0f} ms a call)"))
    return [engine, seq, naive, alone, bare]


# -- the engine -----------------------------------------------------------------------------
def _run_engine(sb: SandboxProcess, sc: Scenario, n: int, burst: int, window: float) -> Row:
    sb.reset()
    log = SendLog()
    with tempfile.TemporaryDirectory(prefix="pdbulk-bench-") as tmp:
        cfg = EngineConfig(base_url=sb.url, auth="oauth" if sc.auth == "oauth" else "api_token",
                           plan=sc.plan, job_root=Path(tmp))
        store = JobStore.create(Path(tmp) / "job", job_id="bench", kind="touch",
                                config={"engine": cfg.to_json()})
        try:
            store.add_items(touch_items(range(1, n + 1), FIELDS))
            transport = TimedTransport(AiohttpTransport(timeout=cfg.timeout), log)
            before, cpu0 = sb.stats(), sb.cpu_seconds()

            async def go() -> Any:
                with anyio.fail_after(LOOP_TIMEOUT):
                    async with Engine.open(cfg, sb.token, store=store,
                                           transport=transport) as engine:
                        return await engine.run(TouchJob())

            with measure() as m:
                result = run_loop(go)
            delta, cpu1 = stats_delta(before, sb.stats()), sb.cpu_seconds()
        finally:
            store.close()
    done = result.counts.get(ItemState.DONE, 0)
    sent = len(log.sends)
    row = Row(sc.label, "engine", calls=n, wall=m.wall, req_s=done / m.wall,
              of_allowed=slot_efficiency(log.admitted(), burst, window),
              r429=delta["rate_limited"], tokens=delta["tokens"],
              cpu_ms=1000 * m.cpu / max(1, sent))
    row.extra["÷ allowed, last slot"] = _figure(window_efficiency(log.admitted(), burst, window))
    row.extra["÷ allowed, steady"] = _steady(log, burst, window)
    row.extra["÷ allowed, latency cap"] = _figure(latency_cap(log.rtts, window))
    row.extra["CPU %"] = f"{100 * m.cpu / m.wall:.0f}"
    row.extra["wake-ups/req"] = _wakeups(m, sent)
    if cpu0 is not None and cpu1 is not None:
        row.extra["sandbox CPU %"] = f"{100 * (cpu1 - cpu0) / m.wall:.0f}"
    row.extra["loop"] = _loop_name()
    if done != n or result.stopped:
        row.note = f"only {done}/{n} done; stopped={result.stopped} error={result.error}"
    return row


def _steady(log: SendLog, burst: int, window: float) -> str:
    """The steady-state ÷ allowed of a run's admitted sends, 3 decimals ("-": too short)."""
    return _figure(steady_efficiency(log.admitted(), burst, window))


def _wakeups(m: Measure, sent: int) -> str:
    """The run's wake-ups per request sent: the event loop's thread's, then every thread's
    (the store's too): "2.2 / 3.1"."""
    n = max(1, sent)
    return f"{m.loop_wakeups / n:.1f} / {m.wakeups / n:.1f}"


def _figure(figure: float | None) -> str:
    """A rate figure, 3 decimals ("-": none, the run too short)."""
    return "-" if figure is None else f"{figure:.3f}"


def _loop_name() -> str:
    """The loop the engine row ran on (``bulk.loop``: what the CLI runs a job on)."""
    return "asyncio" if loop_factory() is None else "uvloop"


# -- the baselines --------------------------------------------------------------------------
def _run_baseline(sb: SandboxProcess, name: str, sc: Scenario, n: int, burst: int,
                  window: float, body: Any, *, engine_loop: bool = False) -> Row:
    """One baseline: ``body(ids, log)`` on asyncio's own loop, or (``engine_loop``) on
    the loop the engine runs on (``bulk.loop``)."""
    sb.reset()
    log = SendLog()
    before, cpu0 = sb.stats(), sb.cpu_seconds()

    async def go() -> int:
        return int(await asyncio.wait_for(body(list(range(1, n + 1)), log), LOOP_TIMEOUT))

    with measure() as m:
        ok = run_loop(go) if engine_loop else asyncio.run(go())
    delta, cpu1 = stats_delta(before, sb.stats()), sb.cpu_seconds()
    row = Row(sc.label, name, calls=n, wall=m.wall, req_s=ok / m.wall,
              of_allowed=slot_efficiency(log.admitted(), burst, window),
              r429=delta["rate_limited"], tokens=delta["tokens"],
              cpu_ms=1000 * m.cpu / max(1, len(log.sends)))
    row.extra["÷ allowed, last slot"] = _figure(window_efficiency(log.admitted(), burst, window))
    row.extra["÷ allowed, steady"] = _steady(log, burst, window)
    row.extra["CPU %"] = f"{100 * m.cpu / m.wall:.0f}"
    row.extra["wake-ups/req"] = _wakeups(m, len(log.sends))
    if cpu0 is not None and cpu1 is not None:
        row.extra["sandbox CPU %"] = f"{100 * (cpu1 - cpu0) / m.wall:.0f}"
    row.extra["loop"] = _loop_name() if engine_loop else "asyncio"
    if ok != n:
        row.note = f"only {ok}/{n} succeeded"
    return row


async def _paced(sb: SandboxProcess, rate: float, ids: Sequence[int], log: SendLog, *,
                 by_hand: bool = False) -> int:
    """Plain asyncio (no anyio layer): the cheapest way a script could pace them.
    ``by_hand``: each PATCH written by hand on a kept-alive socket (``_BySocket``), not
    through aiohttp: what the loop and the sockets cost at this pace, no HTTP client."""
    loop = asyncio.get_running_loop()
    async with _BySocket(sb) if by_hand else _session() as session:
        tasks = []
        start = loop.time()
        for k, deal_id in enumerate(ids):
            await asyncio.sleep(max(0.0, start + k / rate - loop.time()))
            one = session.patch_once(deal_id, log) if isinstance(session, _BySocket) \
                else _patch_until_admitted(session, sb, deal_id, log)
            tasks.append(loop.create_task(one))
        return sum(await asyncio.gather(*tasks))


class _BySocket:
    """PATCH /api/v2/deals/{id} as HTTP/1.1 written by hand on a pool of kept-alive
    sockets (asyncio streams; the sandbox answers with a Content-Length). Not a client:
    a measure of what is left under one (sockets, the loop's wake-ups); a 429 is not sent
    again (the pace keeps it under the limit)."""

    def __init__(self, sb: SandboxProcess) -> None:
        netloc = sb.url.split("//", 1)[1]
        self.host, port = netloc.rsplit(":", 1)
        self.port = int(port)
        self.body = orjson.dumps(FIELDS)
        self.head = (f"Host: {netloc}\r\n"
                     + "".join(f"{k}: {v}\r\n" for k, v in sb.auth_headers().items())
                     + f"Content-Type: application/json\r\nContent-Length: {len(self.body)}"
                     "\r\n\r\n").encode()
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def __aenter__(self) -> _BySocket:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for _reader, writer in self.idle:
            writer.close()
        self.idle.clear()

    async def patch_once(self, deal_id: int, log: SendLog) -> bool:
        reader, writer = self.idle.pop() if self.idle else \
            await asyncio.open_connection(self.host, self.port)
        at = time.perf_counter()
        writer.write(b"PATCH /api/v2/deals/%d HTTP/1.1\r\n" % deal_id + self.head + self.body)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            status, length = int(head.split(b" ", 2)[1]), 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
        except (OSError, EOFError, ValueError, IndexError):  # (IncompleteReadError: EOFError)
            log.record(at, None)  # no answer: counted as not succeeded, the socket dropped
            writer.close()
            return False
        log.record(at, status)
        self.idle.append((reader, writer))
        return 200 <= status < 300


def _session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30), trust_env=False)


async def _patch_until_admitted(session: aiohttp.ClientSession, sb: SandboxProcess,
                                deal_id: int, log: SendLog,
                                limiter: AsyncLimiter | None = None) -> bool:
    """One PATCH, re-sent after each 429 once the named reset has passed (≤ 50 times)."""
    url = f"{sb.url}/api/v2/deals/{deal_id}"
    headers = sb.auth_headers()
    for _ in range(MAX_429_PER_CALL):
        if limiter is not None:
            await limiter.acquire()
        at = time.perf_counter()
        async with session.patch(url, json=FIELDS, headers=headers) as resp:
            await resp.read()
            log.record(at, resp.status)
            if resp.status != 429:
                return 200 <= resp.status < 300
            wait = resp.headers.get("retry-after") or resp.headers.get("x-ratelimit-reset")
            await asyncio.sleep(float(wait) if wait else 2.0)
    return False


async def _sequential(sb: SandboxProcess, ids: Sequence[int], log: SendLog) -> int:
    async with _session() as session:
        ok = 0
        for deal_id in ids:
            ok += await _patch_until_admitted(session, sb, deal_id, log)
        return ok


async def _naive(sb: SandboxProcess, burst: int, window: float, ids: Sequence[int],
                 log: SendLog) -> int:
    limiter = AsyncLimiter(burst, window)  # on the running loop (aiolimiter binds to it)
    semaphore = asyncio.Semaphore(NAIVE_CONCURRENCY)
    async with _session() as session:

        async def one(deal_id: int) -> bool:
            async with semaphore:
                return await _patch_until_admitted(session, sb, deal_id, log, limiter)

        return sum(await asyncio.gather(*(one(i) for i in ids)))


__all__ = ["FOOTNOTES", "SCENARIOS", "TITLE", "run", "warm_up"]
