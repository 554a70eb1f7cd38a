"""``python -m benchmarks.profile_engine [--plan growth|ultimate] [-n N] [--top 15]``:
one touch job through ``bulk.engine.Engine`` against a sandbox (150 ± 50 ms), the
same set-up as ``bench_engine``'s engine row, under cProfile (the event loop's thread;
the store's thread is timed apart with ``time.thread_time`` totals).

Prints the top functions by cumulative time, then CPU ms per request for the whole
run (every thread), as ``bench_engine`` counts it, and the wake-ups per request (a
thread slept and was woken: the loop's thread's, every thread's; ``harness.measure``).
A tool for issue 8, not a bench: cProfile itself roughly doubles the CPU it measures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bulk.engine import Engine, EngineConfig
from bulk.loop import run_loop
from bulk.plans import plan_limits
from bulk.store import JobStore
from bulk.transport import AiohttpTransport
from jobs.touch import TouchJob, touch_items

from .bench_engine import warm_up
from .harness import SandboxProcess, SendLog, TimedTransport, measure, window_efficiency
from .store_times import time_store


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.profile_engine")
    p.add_argument("--plan", choices=("growth", "ultimate"), default="growth")
    p.add_argument("-n", type=int, default=0, help="calls (default: 2 windows' worth)")
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--sort", default="cumulative", help="a pstats sort key (tottime, ...)")
    p.add_argument("--no-profile", action="store_true", help="CPU and rate only")
    p.add_argument("--cpu-timer", action="store_true",
                   help="profile thread CPU time (waits drop out; a costly timer)")
    p.add_argument("--filter", default="", help="a regex: only the functions whose "
                   "file:line(name) matches it")
    p.add_argument("--by-file", action="store_true", help="own time summed per source file")
    p.add_argument("--store-times", action="store_true",
                   help="the store thread's CPU: per method, per kind of commit, its "
                        "checkpoints and the lane's hand-off; what the ledger's writes carried "
                        "(benchmarks.store_times)")
    p.add_argument("--calls", action="store_true",
                   help="instead of cProfile, count per request the Python calls (frame "
                        "entries, a coroutine's every resume included, every thread) and the "
                        "store's commits: figures that hold on a loaded machine")
    a = p.parse_args(argv)
    store_times = time_store() if a.store_times else None
    warm_up()  # the event loop's first imports: not the engine's per-request cost
    auth = "oauth" if a.plan == "ultimate" else "api_token"
    limits = plan_limits(a.plan, auth=auth)
    n = a.n or 2 * limits.burst
    with SandboxProcess(plan=a.plan, auth=auth, latency_ms=150, jitter_ms=50, deals=n) as sb, \
            tempfile.TemporaryDirectory(prefix="pdbulk-prof-") as tmp:
        sb.reset()
        cfg = EngineConfig(base_url=sb.url, auth=auth, plan=a.plan, job_root=Path(tmp))
        store = JobStore.create(Path(tmp) / "job", job_id="prof", kind="touch",
                                config={"engine": cfg.to_json()})
        store.add_items(touch_items(range(1, n + 1), {"value": 4242}))
        log = SendLog()
        transport = TimedTransport(AiohttpTransport(timeout=cfg.timeout), log)

        async def go() -> Any:
            async with Engine.open(cfg, sb.token, store=store, transport=transport) as engine:
                return await engine.run(TouchJob())

        prof = cProfile.Profile(time.thread_time) if a.cpu_timer else cProfile.Profile()
        loop_cpu = time.thread_time()
        commits = store.writes
        calls = [0]
        with measure() as m:
            if a.calls:
                _counting(calls, run_loop, go)
            elif a.no_profile:
                run_loop(go)
            else:
                prof.runcall(run_loop, go)
        loop_cpu = time.thread_time() - loop_cpu
        commits = store.writes - commits
        stats = sb.stats()
        store.close()
    sends = max(1, len(log.sends))
    if a.calls:
        print(f"{a.plan}: {calls[0] / sends:.1f} Python calls per request, "
              f"{commits / sends:.3f} store commits per request ({commits} in {m.wall:.1f} s)")
    elif not a.no_profile:
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats(a.sort).print_stats(
            *((a.filter,) if a.filter else ()), a.top)
        print(out.getvalue())
        if a.by_file:
            _by_file(prof)
    if store_times is not None:
        store_times.undo()
        print("\n".join(store_times.lines(len(log.sends))))
    eff = window_efficiency(log.admitted(), limits.burst, limits.window)
    print(f"{a.plan}: {len(log.sends)} sends in {m.wall:.2f} s, CPU {1000 * m.cpu:.0f} ms = "
          f"{1000 * m.cpu / max(1, len(log.sends)):.3f} ms/req (loop thread "
          f"{1000 * loop_cpu / max(1, len(log.sends)):.3f}), of allowed "
          f"{eff if eff is None else round(eff, 3)}, 429s {stats.get('rate_limited')}; "
          f"wake-ups {m.loop_wakeups / sends:.2f}/req on the loop's thread, "
          f"{m.wakeups / sends:.2f} in every thread")
    return 0


def _counting(total: list[int], fn: Any, *args: Any) -> None:
    """``fn(*args)`` with every Python call in this process (every thread) added to
    ``total[0]``: a frame entered, a coroutine resumed (``sys.setprofile``)."""
    def count(_frame: Any, event: str, _arg: Any) -> None:
        if event == "call":
            total[0] += 1

    threading.setprofile(count)
    sys.setprofile(count)
    try:
        fn(*args)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]


def _by_file(prof: cProfile.Profile) -> None:
    """Own time (tottime) summed per source file, the event loop's poll apart."""
    totals: dict[str, float] = {}
    for (file, _line, func), row in pstats.Stats(prof).stats.items():  # type: ignore[attr-defined]
        key = "epoll (waiting)" if "poll" in func and file == "~" else file
        totals[key] = totals.get(key, 0.0) + row[2]
    for file, t in sorted(totals.items(), key=lambda kv: -kv[1])[:25]:
        print(f"  {1000 * t:8.1f} ms  {file}")


if __name__ == "__main__":
    raise SystemExit(main())
