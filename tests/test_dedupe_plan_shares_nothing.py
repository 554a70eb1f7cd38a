"""A ``dedupe plan`` (and ``pdbulk plan dedupe``) under a shared coordinator reads the
company's keep-separate decisions and writes none: not the folder's pairs to the Redis
journal, not ``keep-separate-shared.json`` (f39c: the plan shared what it read — a plan must
not write shared state). The next run (or an apply that
reads them) shares them. A real redis-server, the
sandbox."""

from __future__ import annotations

import csv
from pathlib import Path

import orjson
import pytest
import redis

import jobs
from bulk.coordinator import ENV_COORDINATOR
from bulk.sandbox import SandboxConfig, serve
from tests.dedupe_job_support import seed_pairs
from tests.import_support import engine_config
from tests.redis_helpers import RedisServer, redis_server

__all__ = ["redis_server"]

GROUPS = 2


def _journal_entries(url: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return sum(int(client.llen(k)) for k in client.scan_iter("*dedupe-keep-separate")
                   if not str(k).endswith(":born'"))
    finally:
        client.close()


def _group_pairs(plan_dir: Path) -> list[list[int]]:
    with (plan_dir / "groups.csv").open(encoding="utf-8", newline="") as f:
        return [sorted([int(r["survivor_id"]), *(int(x) for x in r["merged_ids"].split(";"))])
                for r in csv.DictReader(f)]


@pytest.mark.anyio
async def test_a_plan_reads_the_decisions_and_shares_none(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "machine-a"))
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=46)) as sb:
        seed_pairs(sb, GROUPS)
        a = engine_config(sb, tmp_path / "a")
        state = tmp_path / "a" / "dedupe-state"
        first = await jobs.plan_dedupe(a, sb.token, tmp_path / "p0")
        assert first.duplicate_groups == GROUPS
        state.mkdir(parents=True, exist_ok=True)  # a reviewer's decisions, not yet shared
        (state / "keep-separate.json").write_bytes(orjson.dumps(_group_pairs(tmp_path / "p0")))

        plan = await jobs.plan_dedupe(a, sb.token, tmp_path / "p1")
        assert plan.duplicate_groups == 0  # read: they bind the plan
        assert plan.summary["keep_separate_pairs"] == GROUPS
        assert _journal_entries(redis_server.url) == 0  # 2 before the fix
        assert not (state / "keep-separate-shared.json").exists()

        night = await jobs.run_dedupe(a, sb.token)  # a run shares them
        assert night.merged == 0
        assert _journal_entries(redis_server.url) == GROUPS
        assert (state / "keep-separate-shared.json").exists()
