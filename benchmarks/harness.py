"""What every benchmark shares: a sandbox in its own process, measurements, one table.

The protocol (``python -m benchmarks`` / ``make bench`` runs it):

    every module ``benchmarks/bench_*.py`` defines

        TITLE: str                          # the table's heading (default: module name)
        FOOTNOTES: Sequence[str]            # optional: definitions printed under the table
        def run(args: BenchArgs) -> list[Row]

    ``run`` starts what it needs (``SandboxProcess``), measures (``measure``,
    ``SendLog``), and returns rows; it prints nothing but short progress lines
    to stderr (``progress``). ``args.quick`` asks for a smoke run of a few
    seconds: small N, numbers not meaningful, targets reported but not judged.
    A row may carry ``checks`` (a target and whether it was met); the runner
    prints them under the table and, with ``--strict``, exits 1 if one missed.

Rules for a benchmark: the sandbox always runs in another process (the client
measured must not share an event loop, or a GIL, with the server); only
127.0.0.1; every load loop is bounded in count and in time; every process a
benchmark starts is stopped in a ``finally`` (``SandboxProcess`` is a context
manager). Nothing here knows what a deal is.
"""

from __future__ import annotations

import bisect
import contextlib
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson

from bulk.transport import Request, Response, Transport

LOOPBACK = "127.0.0.1"
SANDBOX_TOKEN = "sandbox-token"
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only


# -- arguments and results ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BenchArgs:
    quick: bool = False  # a smoke run: small N, figures not meaningful


@dataclass(frozen=True, slots=True)
class Check:
    """A target the benchmark claims, and whether this run met it."""

    target: str
    ok: bool
    detail: str = ""


@dataclass
class Row:
    """One measured run. Leave what does not apply as None; ``extra`` adds columns."""

    scenario: str
    runner: str
    calls: int | None = None  # requests the run was asked to make (items, for a job)
    wall: float | None = None  # seconds
    req_s: float | None = None  # successful requests per wall second
    of_allowed: float | None = None  # rate ÷ the allowed rate (see window_efficiency)
    r429: int | None = None  # 429s the server sent (its counter)
    tokens: int | None = None  # tokens the server charged (its counter)
    cpu_ms: float | None = None  # client process CPU (user+sys) per request, ms
    extra: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    checks: list[Check] = field(default_factory=list)


# -- the sandbox in another process ---------------------------------------------------------
class SandboxProcess:
    """``python -m bulk.sandbox`` on a free loopback port; answers before ``__enter__`` returns.

        with SandboxProcess(plan="growth", latency_ms=150, jitter_ms=50, deals=600) as sb:
            sb.url, sb.token, sb.auth, sb.stats(), sb.reset(), sb.set_faults(error_rate=0.1)

    ``extra`` passes any other flag of ``bulk/sandbox/__main__.py`` as is.
    """

    def __init__(self, *, plan: str = "growth", auth: str = "api_token", seats: int = 1,
                 latency_ms: float = 0.0, jitter_ms: float = 0.0, deals: int = 0,
                 seed: int = 0, time_scale: float = 1.0, extra: Sequence[str] = (),
                 start_timeout: float = 60.0) -> None:
        self.plan, self.auth, self.token = plan, auth, SANDBOX_TOKEN
        self.argv = [sys.executable, "-m", "bulk.sandbox", "--host", LOOPBACK, "--port", "0",
                     "--token", SANDBOX_TOKEN, "--plan", plan, "--auth", auth,
                     "--seats", str(seats), "--latency-ms", str(latency_ms),
                     "--jitter-ms", str(jitter_ms), "--deals", str(deals), "--seed", str(seed),
                     "--time-scale", str(time_scale), *extra]
        self.start_timeout = start_timeout
        self.url = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self._out: Any = None

    def __enter__(self) -> SandboxProcess:
        self._out = tempfile.TemporaryFile()  # a file, not a pipe: a chatty child never blocks
        cwd = Path(__file__).resolve().parent.parent
        self.proc = subprocess.Popen(self.argv, stdout=self._out, stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL, cwd=cwd)
        try:
            self.url = self._wait_for_url()
            self._wait_until_answering()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _wait_for_url(self) -> str:
        assert self.proc is not None and self._out is not None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            self._out.seek(0)
            text: str = self._out.read().decode(errors="replace")
            for line in text.splitlines():
                if "listening on " in line:
                    return line.rsplit(" ", 1)[-1].strip()
            if self.proc.poll() is not None:
                raise RuntimeError(f"sandbox exited with {self.proc.returncode}: {self.argv}")
            time.sleep(0.05)
        raise TimeoutError(f"sandbox did not start within {self.start_timeout} s")

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + 10.0
        while True:
            try:
                self.stats()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 5 s; always reaps the child."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if self._out is not None:
            self._out.close()
            self._out = None

    # -- the admin API (blocking: call it between runs, not inside a measured loop) ---------
    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else orjson.dumps(body)
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
        with _NO_PROXY.open(req, timeout=30) as resp:
            return orjson.loads(resp.read())

    def stats(self) -> dict[str, Any]:
        """``GET /_sandbox/stats``: requests_by_operation, tokens_spent, rate_limited, ..."""
        result: dict[str, Any] = self._admin("GET", "/_sandbox/stats")
        return result

    def reset(self) -> None:
        """Seeded data, empty windows, full budget, zero counters."""
        self._admin("POST", "/_sandbox/reset", {})

    def set_faults(self, **faults: Any) -> None:
        """``POST /_sandbox/faults`` (the Faults fields given; the others stay as they are)."""
        self._admin("POST", "/_sandbox/faults", faults)

    def records(self, kind: str = "deals") -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self._admin("GET", f"/_sandbox/{kind}")["data"]
        return rows

    def cpu_seconds(self) -> float | None:
        """The sandbox process's user+sys CPU so far (Linux /proc), None elsewhere."""
        if self.proc is None:
            return None
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def auth_headers(self) -> dict[str, str]:
        if self.auth == "oauth":
            return {"authorization": f"Bearer {self.token}"}
        return {"x-api-token": self.token}


def stats_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    """Counters between two ``stats()`` snapshots: requests, 429s, tokens, writes, faults."""
    def total(d: dict[str, Any], key: str) -> int:
        return sum(d.get(key, {}).values())

    return {
        "requests": total(after, "requests_by_operation") - total(before, "requests_by_operation"),
        "rate_limited": after["rate_limited"] - before["rate_limited"],
        "tokens": after["tokens_spent"] - before["tokens_spent"],
        "writes": total(after, "writes_applied") - total(before, "writes_applied"),
        "faults": total(after, "faults_injected") - total(before, "faults_injected"),
    }


# -- measuring ------------------------------------------------------------------------------
@dataclass
class Measure:
    wall: float = 0.0
    cpu_user: float = 0.0
    cpu_sys: float = 0.0
    # wake-ups: the times a thread of this process slept (waited in epoll, on a queue, on
    # I/O) and was woken (voluntary context switches: ``ru_nvcsw``). At a low request rate
    # each costs its own CPU (a bare uvloop timer wake-up at 18 a second: ~0.18 ms, at
    # 2,000 a second ~0.02 ms), so they say why a request costs more CPU at Growth's pace
    # than at Ultimate's (issue 8, f47d)
    wakeups: int = 0  # every thread's (the store's, and threads that ended, too)
    loop_wakeups: int = 0  # the measuring thread's (the event loop's): Linux only, else 0

    @property
    def cpu(self) -> float:
        return self.cpu_user + self.cpu_sys


_THREAD = getattr(resource, "RUSAGE_THREAD", None)  # (Linux)


@contextlib.contextmanager
def measure() -> Iterator[Measure]:
    """Wall time, this process's CPU (every thread: the store's too) and wake-ups (every
    thread's, and this thread's) inside the block."""
    m = Measure()
    own0 = resource.getrusage(_THREAD).ru_nvcsw if _THREAD is not None else 0
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    try:
        yield m
    finally:
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        m.wall = time.perf_counter() - t0
        m.cpu_user, m.cpu_sys = r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime
        m.wakeups = r1.ru_nvcsw - r0.ru_nvcsw
        if _THREAD is not None:
            m.loop_wakeups = resource.getrusage(_THREAD).ru_nvcsw - own0


class SendLog:
    """When each request left and how it was answered (None: no answer)."""

    __slots__ = ("rtts", "sends")

    def __init__(self) -> None:
        self.sends: list[tuple[float, int | None]] = []
        self.rtts: list[float] = []  # seconds from send to answer, of the admitted calls

    def record(self, at: float, status: int | None, answered: float | None = None) -> None:
        """A call sent at ``at`` (``time.perf_counter``), answered ``status`` (None: no
        answer) at ``answered`` (given: its round trip is kept when the server let it
        through, for ``latency_cap``)."""
        self.sends.append((at, status))
        if answered is not None and status is not None and status != 429:
            self.rtts.append(answered - at)

    def admitted(self) -> list[float]:
        """Send times of the requests the server let through its limits (not 429'd)."""
        return sorted(t for t, s in self.sends if s is not None and s != 429)

    def count(self, status: int) -> int:
        return sum(1 for _, s in self.sends if s == status)


class TimedTransport:
    """A Transport that notes every send in a SendLog (the engine's seam; no patching)."""

    __slots__ = ("inner", "log")

    def __init__(self, inner: Transport, log: SendLog) -> None:
        self.inner, self.log = inner, log

    async def send(self, request: Request) -> Response:
        at = time.perf_counter()
        try:
            response = await self.inner.send(request)
        except BaseException:
            self.log.record(at, None)
            raise
        self.log.record(at, response.status, time.perf_counter())
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def window_efficiency(send_times: Sequence[float], burst: int, window: float) -> float | None:
    """Achieved rate ÷ allowed rate under a rolling window of ``burst`` per ``window``.

    The achieved rate is (n - burst) / (t[n-1] - t[burst-1]) over the sorted send
    times: a rolling window forces t[i + burst] >= t[i] + window, so this is at most
    burst / window whatever the shape of the sending (one burst per window, a steady
    drip, or a latency-bound loop), and the first window's free burst does not
    flatter a short run. 1.0 is the limit exactly (it may exceed 1 by < burst/n when
    n - burst is not a multiple of burst). Client send times stand in for the
    server's arrival times: latency jitter moves them by a few tens of ms.
    """
    n = len(send_times)
    if n <= burst:
        return None
    span = send_times[-1] - send_times[burst - 1]
    return (n - burst) / span / (burst / window) if span > 0 else None


def slot_efficiency(send_times: Sequence[float], burst: int, window: float) -> float | None:
    """Achieved rate ÷ allowed rate over the whole run, every slot's path averaged.

    Over the sorted send times, with ``k = n // burst - 1`` whole windows after the
    first: ``k * burst`` ÷ the mean over the first ``burst`` sends ``i`` of
    ``t[i + k * burst] - t[i]``. A rolling window forces each of those spans to at least
    ``k * window``, so their mean too: the figure is at most 1.0 (the limit exactly)
    whatever the pacing. It counts the start-up (the first window's sends, the round
    trips not known yet) and every whole window after; the ``n % burst`` sends past the
    last whole window are left out, not counted at a discount. ``window_efficiency``
    takes one of those paths only, from the first window's last send to the run's last
    send: the latency's jitter spreads the sends of each window over the run, so its end
    is the slowest path's and its start the first window's latest, and it reads higher
    for a run whose first window is sent slower (a client that knows the least latency
    exactly and sends nothing early: 0.968 with its first burst at once, 0.972 with it
    spread over 1 s, which ends 0.85 s later; this figure: 0.976 both, the latency's
    spread at 150 ± 50 ms allows no more). None when no whole window follows the first.
    """
    times = sorted(send_times)
    k = len(times) // burst - 1
    if k < 1:
        return None
    span = math.fsum(times[i + k * burst] - times[i] for i in range(burst)) / burst
    return k * burst / span / (burst / window) if span > 0 else None


def steady_efficiency(send_times: Sequence[float], burst: int, window: float,
                      *, skip_windows: int = 2) -> float | None:
    """The steady-state rate ÷ the allowed rate: ``window_efficiency`` less the start-up.

    Over the sorted send times, from the first send at least ``skip_windows`` windows
    after the first (the start-up: the first burst and the window it refills in, slower
    while the round trips are unknown) on, over whole bursts only: ``k * burst`` sends
    from ``t[a]`` to ``t[a + k * burst]``. A rolling window forces ``t[i + burst] >=
    t[i] + window``, so the figure is at most 1.0 (the limit exactly) whatever the
    pacing; the tail past the last whole burst is left out, not counted at a discount.
    None when fewer than one whole burst follows the start-up (a run too short to say).
    """
    times = sorted(send_times)
    if not times:
        return None
    a = bisect.bisect_left(times, times[0] + skip_windows * window)
    k = (len(times) - 1 - a) // burst
    if k < 1:
        return None
    span = times[a + k * burst] - times[a]
    return k * burst / span / (burst / window) if span > 0 else None


def latency_cap(rtts: Sequence[float], window: float) -> float | None:
    """The most of the allowed rate a client that never gets a 429 can reach with these
    round trips (seconds): ``1 / (1 + (mean - least) / window)``. The server counts a call
    when it arrives; a safe client sends the call that takes a slot no sooner than the
    slot's last call arrived plus a window less the least way there (it cannot know the
    next call's), so each slot's path takes a window plus that call's latency less the
    least, on average (150 ± 50 ms on the way there: 1 / (1 + 0.05 / 2) = 0.976). Read
    from the client's round trips, a loaded host's lag on the way back is in it too.
    None for fewer than 2 round trips."""
    if len(rtts) < 2:
        return None
    return 1.0 / (1.0 + (math.fsum(rtts) / len(rtts) - min(rtts)) / window)


# -- printing -------------------------------------------------------------------------------
def progress(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


_COLUMNS: tuple[tuple[str, str, str], ...] = (
    # (Row attribute, heading, format)
    ("scenario", "scenario", "{}"),
    ("runner", "runner", "{}"),
    ("calls", "calls", "{:,}"),
    ("wall", "wall s", "{:.1f}"),
    ("req_s", "req/s", "{:.1f}"),
    ("of_allowed", "÷ allowed", "{:.3f}"),
    ("r429", "429s", "{:,}"),
    ("tokens", "tokens", "{:,}"),
    ("cpu_ms", "CPU ms/req", "{:.2f}"),
)


def _cell(value: Any, fmt: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return value
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


def format_table(title: str, rows: Sequence[Row], footnotes: Sequence[str] = ()) -> str:
    """A plain-text table (Markdown-compatible), then notes and the targets' verdicts."""
    cols = [(a, h, f) for a, h, f in _COLUMNS if any(getattr(r, a) is not None for r in rows)]
    extras: list[str] = []
    for r in rows:
        extras += [k for k in r.extra if k not in extras]
    head = [h for _, h, _ in cols] + extras + (["note"] if any(r.note for r in rows) else [])
    body = []
    for r in rows:
        line = [_cell(getattr(r, a), f) for a, _, f in cols]
        line += [_cell(r.extra.get(k), "{:.2f}") for k in extras]
        if "note" in head:
            line.append(r.note)
        body.append(line)
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h)
              for i, h in enumerate(head)]
    right = {i for i, h in enumerate(head) if h not in ("scenario", "runner", "note")}

    def fmt(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if i in right else c.ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths, strict=True))) + " |"

    out = [f"## {title}", "", fmt(head),
           "|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2))
                          for i, w in enumerate(widths)) + "|"]
    out += [fmt(b) for b in body]
    if footnotes:
        out += [""] + [f"- {n}" for n in footnotes]
    checks = [c for r in rows for c in r.checks]
    if checks:
        out += ["", "targets:"]
        out += [f"  [{'met' if c.ok else 'MISSED'}] {c.target}"
                + (f" — {c.detail}" if c.detail else "") for c in checks]
    return "\n".join(out)


__all__ = ["LOOPBACK", "SANDBOX_TOKEN", "BenchArgs", "Check", "Measure", "Row", "SandboxProcess",
           "SendLog", "TimedTransport", "format_table", "latency_cap", "measure", "progress",
           "slot_efficiency", "stats_delta", "steady_efficiency", "window_efficiency"]
