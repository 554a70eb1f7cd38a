"""The merge record's Redis round trips (``jobs.merged_deals`` through ``bulk.journal``'s
blocking client) are made off the event loop: a merge job's record of each merge, and an
import's read of the record, run in a thread while the loop's other tasks go on. A slow
Redis (a latency injected into every blocking round trip) and a ticker task on the loop
show it. A real redis-server on a free port, the sandbox."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.coordinator import ENV_COORDINATOR
from bulk.sandbox import SandboxConfig, serve
from jobs.api import merge_deals, run_job
from jobs.merged_deals import FILE
from tests.import_support import engine_config, import_once, read_csv, sandbox_deals
from tests.redis_helpers import RedisServer, redis_server

__all__ = ["redis_server"]

MAPPING = """
version = 1
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
value = "value"
"""

LATENCY = 0.1  # seconds added to every round trip of the blocking Redis client


class SlowRedis:
    """Every blocking redis-py round trip takes ``LATENCY`` longer; counts those made on a
    thread running an event loop (``on_loop``) and the ticks of ``tick`` while one is on
    its way (``overlapped``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import redis

        self.on_loop = self.calls = self.overlapped = 0
        self.busy = 0
        self._lock = threading.Lock()
        real = redis.Redis.execute_command

        def slow(client: redis.Redis, *args: Any, **options: Any) -> Any:
            try:
                asyncio.get_running_loop()
                looped = True
            except RuntimeError:
                looped = False
            with self._lock:
                self.calls += 1
                self.on_loop += looped
                self.busy += 1
            try:
                time.sleep(LATENCY)
                return real(client, *args, **options)
            finally:
                with self._lock:
                    self.busy -= 1

        monkeypatch.setattr(redis.Redis, "execute_command", slow)

    async def tick(self, done: anyio.Event) -> None:
        for _ in range(20_000):  # bounded: 20,000 ticks of 5 ms at most
            if done.is_set():
                return
            await anyio.sleep(0.005)
            if self.busy:
                self.overlapped += 1


async def _watched(slow: SlowRedis, work: Any) -> Any:
    done = anyio.Event()
    out: list[Any] = []

    async def run() -> None:
        try:
            out.append(await work)
        finally:
            done.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(slow.tick, done)
        tg.start_soon(run)
    return out[0]


@pytest.mark.anyio
async def test_the_merge_record_is_written_and_read_off_the_event_loop(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under a slow shared coordinator, a merge job records its 2 merges and a machine's
    import reads the record with none of the journal's round trips on the loop, the loop's
    other tasks ticking meanwhile (before: each merge's record, 3 round trips, and the
    import's read blocked the loop: 8 round trips on it). What is recorded is unchanged: the
    import on the other machine reports both rows merged, creates nothing."""
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    machine_a, machine_b = tmp_path / "state-a", tmp_path / "state-b"
    manifest = tmp_path / "deals.csv"
    manifest.write_text("id,title,value\nM1,One,1\nM2,Two,2\nM3,Three,3\nM4,Four,4\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=3)) as sb:
        monkeypatch.setenv("PDBULK_STATE_DIR", str(machine_a))
        store, _, _ = await import_once(sb, tmp_path / "jobs-a", manifest, mapping, job_id="i1")
        ids = {r["key"]: int(r["deal_id"]) for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        pairs = tmp_path / "pairs.csv"
        pairs.write_text(f"merge_id,survivor_id\n{ids['M1']},{ids['M3']}\n"
                         f"{ids['M2']},{ids['M4']}\n")
        slow = SlowRedis(monkeypatch)
        finished = await _watched(slow, run_job(engine_config(sb, tmp_path / "jobs-a"),
                                                sb.token, merge_deals(pairs)))
        assert finished.counts == {"done": 2}
        merging = (slow.calls, slow.on_loop, slow.overlapped)
        assert merging[0] >= 4, merging  # the record written before each merge, then confirmed
        assert merging[1] == 0, f"{merging[1]} of {merging[0]} round trips on the loop"
        assert merging[2] > 0, merging  # the loop ran other tasks while one was on its way
        assert len((machine_a / FILE).read_text().splitlines()) == 4

        monkeypatch.setenv("PDBULK_STATE_DIR", str(machine_b))
        slow.calls = slow.on_loop = slow.overlapped = 0
        store, _, _ = await _watched(slow, import_once(
            sb, tmp_path / "jobs-b", manifest, mapping, job_id="i2", create_key_field=False))
        rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        importing = (slow.calls, slow.on_loop, slow.overlapped)
        assert importing[0] >= 1, importing
        assert importing[1] == 0, f"{importing[1]} of {importing[0]} round trips on the loop"
        assert importing[2] > 0, importing
        assert [rows[k]["action"] for k in ("M1", "M2")] == ["merged", "merged"], rows
        assert sorted(d["id"] for d in sandbox_deals(sb)) == sorted([ids["M3"], ids["M4"]])
