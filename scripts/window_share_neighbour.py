"""A job beside another client on the same token, with and without ``--window-share``
(x31r2 F6): how many of the other client's calls are answered 429, and the job's rate.

Per run (bounded: ``--seeds`` x ``--shares`` runs, each under a timeout): a sandbox in
its own process (Growth, 150 ± 50 ms); "a script" in a second process on the same token
that reads no rate headers and never retries: Poisson arrivals at ``--rate`` calls a
second, one ``GET /api/v2/deals/{id}`` each; two seconds later, in this process, a touch
job of ``--calls`` PATCHes through the engine at the share given. Counted: the script's
calls while the job ran and those answered 429; the job's calls a second and its 429s.

Usage: ``.venv/bin/python scripts/window_share_neighbour.py --shares 1,0.8 --seeds 1,2,3``.
Prints one JSON line per run. (f32g, 3 seeds: the script's 429s 10.9-16.1 % at 1,
0.4-1.2 % at 0.8; the job 11.5-13.3 calls/s at 1, 9.5-10.3 at 0.8.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

import aiohttp
import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import SandboxProcess, SendLog, TimedTransport
from bulk.engine import Engine, EngineConfig
from bulk.loop import run_loop
from bulk.store import ItemState, JobStore
from bulk.transport import AiohttpTransport
from jobs.touch import TouchJob, touch_items

SCRIPT_SECONDS = 300.0  # the script stops by itself after this (the job's timeout too)


async def script(url: str, token: str, rate: float, seed: int, f: TextIO) -> None:
    """The other client: writes ``wall status`` lines to ``f`` as its answers come."""
    rng = random.Random(seed)
    async with aiohttp.ClientSession(headers={"x-api-token": token}) as session:
        async def one(i: int) -> None:
            at = time.time()
            try:
                async with session.get(f"{url}/api/v2/deals/{1 + i % 50}") as r:
                    await r.read()
                    f.write(f"{at:.4f} {r.status}\n")
            except aiohttp.ClientError:
                f.write(f"{at:.4f} error\n")

        tasks: list[asyncio.Task[None]] = []
        end = time.monotonic() + SCRIPT_SECONDS
        while time.monotonic() < end and len(tasks) < 100_000:
            tasks.append(asyncio.create_task(one(len(tasks))))
            await asyncio.sleep(rng.expovariate(rate))
        await asyncio.gather(*tasks)


def one_run(seed: int, share: float, calls: int, rate: float, port: int) -> dict[str, Any]:
    with SandboxProcess(plan="growth", latency_ms=150, jitter_ms=50, deals=calls, seed=seed,
                        extra=["--port", str(port)]) as sb, \
            tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "script.txt"
        other = subprocess.Popen([sys.executable, __file__, "--script", sb.url, sb.token,
                                  str(rate), str(seed), str(out)])
        try:
            time.sleep(2)
            cfg = EngineConfig(base_url=sb.url, plan="growth", job_root=Path(tmp),
                               window_share=share)
            store = JobStore.create(Path(tmp) / "job", job_id="neighbour", kind="touch",
                                    config={"engine": cfg.to_json()})
            store.add_items(touch_items(range(1, calls + 1), {"value": 42}))
            log = SendLog()

            async def go() -> Any:
                with anyio.fail_after(SCRIPT_SECONDS):
                    transport = TimedTransport(AiohttpTransport(timeout=30), log)
                    async with Engine.open(cfg, sb.token, store=store,
                                           transport=transport) as engine:
                        return await engine.run(TouchJob())

            t0, p0 = time.time(), time.perf_counter()
            result = run_loop(go)
            t1, wall = time.time(), time.perf_counter() - p0
            done = result.counts.get(ItemState.DONE, 0)
            store.close()
        finally:
            other.terminate()
            other.wait(10)
        answers = [line.split() for line in out.read_text().splitlines() if line.strip()]
    during = [status for at, status in answers if t0 <= float(at) <= t1]
    refused = sum(1 for status in during if status == "429")
    return {"seed": seed, "share": share, "job_calls_per_s": round(done / wall, 2),
            "job_429": log.count(429), "script_calls": len(during), "script_429": refused,
            "script_429_pct": round(100 * refused / max(1, len(during)), 1)}


def main() -> None:
    if sys.argv[1:2] == ["--script"]:
        url, token, rate, seed, out = sys.argv[2:7]
        with open(out, "w", buffering=1) as f:
            asyncio.run(script(url, token, float(rate), int(seed), f))
        return
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shares", default="1,0.8", help="window shares, comma-separated")
    p.add_argument("--seeds", default="1,2,3", help="seeds, comma-separated")
    p.add_argument("--calls", type=int, default=500, help="the job's PATCHes")
    p.add_argument("--rate", type=float, default=5.0, help="the script's calls a second")
    p.add_argument("--port", type=int, default=0, help="the sandbox's port (0: any free one)")
    a = p.parse_args()
    for share in (float(s) for s in a.shares.split(",")):
        for seed in (int(s) for s in a.seeds.split(",")):
            print(json.dumps(one_run(seed, share, a.calls, a.rate, a.port)), flush=True)


if __name__ == "__main__":
    main()
