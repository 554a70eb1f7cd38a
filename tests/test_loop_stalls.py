"""A library caller's event loop keeps running while a job is planned, loaded and
applied: no pass over the rows holds it long (x25r3: a heartbeat beside
``plan_job(update_deals(...))`` on 6,000 rows stalled 716 ms, ``import_job``'s load
661 ms). The store's bulk writes and the passes over a job's items run in a worker
thread (``jobs.api.load``, ``import_load``), the rows' own passes yield every 256 rows."""

from __future__ import annotations

import asyncio
import csv
import re
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bulk.engine import EngineConfig
from bulk.store import JobStore

pytestmark = pytest.mark.timing
ROWS = 15_000
BOUND = 0.5  # seconds: generous (a heartbeat of 10 ms; before: 0.75 to 1.34 s here)


@contextmanager
def sandbox_process() -> Iterator[str]:
    """A sandbox of ``ROWS`` deals in its own process (in a thread of this one it would
    hold the GIL the loop measured needs); its URL."""
    proc = subprocess.Popen([sys.executable, "-m", "pdbulk", "sandbox", "--port", "0",
                             "--deals", str(ROWS), "--seed", "1", "--time-scale", "0.01"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert found, line
        yield found.group(0)
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


async def longest_stall(work: Callable[[], Awaitable[Any]]) -> float:
    """The longest gap between two beats of a task sleeping 10 ms beside ``work``."""
    worst = 0.0
    done = False

    async def heart() -> None:
        nonlocal worst
        last = time.monotonic()
        while not done:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            worst, last = max(worst, now - last), now

    beat = asyncio.ensure_future(heart())
    try:
        await work()
    finally:
        done = True
        await beat
    return worst


def _files(tmp: Path) -> None:
    with open(tmp / "upd.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Deal ID", "Amount"])
        w.writerows([i, 1000 + i] for i in range(1, ROWS + 1))
    (tmp / "upd.toml").write_text('version = 1\n[update]\nid_column = "Deal ID"\n'
                                  '[defaults]\ncurrency = "USD"\n[deal]\nvalue = "Amount"\n')
    with open(tmp / "imp.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "title", "contact"])
        w.writerows([f"k{i}", f"Deal {i}", f"Person {i}"] for i in range(ROWS))
    (tmp / "imp.toml").write_text('version = 1\n[import]\nkey_column = "id"\n'
                                  'mode = "upsert"\n[deal]\ntitle = "title"\n'
                                  '[person]\nname = "contact"\n')


def test_plans_and_loads_never_stall_the_loop(tmp_path: Path) -> None:
    """15,000 rows: plan of an update and of a move-stage by manifest, an update job
    loaded and stopped before its first write, an import loaded (stopped before its
    first write): the loop's longest stall stays under 500 ms in each."""
    from jobs.api import move_deals, plan_job, run_job, update_deals

    _files(tmp_path)
    seen: dict[str, float] = {}
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping

    token = "sandbox-token"
    with sandbox_process() as url:
        cfg = EngineConfig(base_url=url, plan="growth", window=0.02, job_root=tmp_path / "jobs")

        async def main() -> None:
            seen["plan update"] = await longest_stall(lambda: plan_job(
                cfg, token, update_deals(tmp_path / "upd.csv", tmp_path / "upd.toml")))
            seen["plan move-stage"] = await longest_stall(lambda: plan_job(
                cfg, token, move_deals("Qualified", manifest=tmp_path / "upd.csv")))

            async def loaded_update() -> Any:
                async def stop(engine: Any, kind: Any) -> Any:
                    engine.request_stop(reason="test over")
                    return await engine.run(kind)
                return await run_job(cfg, token, update_deals(
                    tmp_path / "upd.csv", tmp_path / "upd.toml"), execute=stop)
            seen["load update"] = await longest_stall(loaded_update)

            async def loaded_import() -> None:
                settings = ImportSettings(manifest=str(tmp_path / "imp.csv"),
                                          mapping=str(tmp_path / "imp.toml"), mode="upsert",
                                          create_key_field=True)
                store = JobStore.create(tmp_path / "jobs" / "imp", job_id="imp", kind="import",
                                        config={"engine": cfg.to_json(),
                                                "import": settings.to_json()})
                kind = ImportJob(store, settings, "")
                engines: list[Any] = []
                loaded = kind.attach

                def attach(*args: Any) -> Any:  # loaded: stop before the first send
                    out = loaded(*args)
                    engines[0].request_stop(reason="test over")
                    return out

                kind.attach = attach  # type: ignore[method-assign]
                try:
                    await import_job(store, kind, Mapping.load(tmp_path / "imp.toml"), cfg,
                                     token, say=lambda line: None, on_engine=engines.append)
                finally:
                    store.close()
            seen["load import"] = await longest_stall(loaded_import)

        asyncio.run(main())
    assert all(s < BOUND for s in seen.values()), {k: round(v, 3) for k, v in seen.items()}
