"""The engine bench measures no one-off import (``benchmarks.bench_engine.warm_up``): after
it, a run on the engine's event loop that hops to the store's thread imports nothing, so
the first row measured (Growth's engine) pays no more than the floor row after it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
import anyio, anyio.to_thread
from benchmarks import bench_engine
from bulk.loop import run_loop

bench_engine.warm_up()
before = set(sys.modules)

async def like_a_run():
    await anyio.to_thread.run_sync(lambda: None)
    with anyio.CancelScope():
        await anyio.sleep(0)

run_loop(like_a_run)
print(sorted(set(sys.modules) - before))
"""


def test_after_the_warm_up_a_run_imports_nothing() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=60, check=True, cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "[]", out.stdout
