"""A plan under a shared coordinator writes nothing anywhere but its output (f40c): not the
journal entries this state folder shared and a Redis lost since (the engine's start,
``bulk.journal.reshare_all``, and every ``open_journal`` put them back, a plan's too: a
``dedupe plan`` and a ``pdbulk plan dedupe`` after ``FLUSHALL`` wrote the folder's decisions
back to Redis with a new birth marker, and ``.shared`` memos beside the journals), yet it
reads them (the folder's own copy binds it). The next run puts them back. A real
redis-server, the sandbox."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import redis

import jobs
from bulk.coordinator import ENV_COORDINATOR
from bulk.sandbox import SandboxConfig, serve
from jobs.dedupe.state_home import NOTE
from tests.dedupe_job_support import seed_pairs
from tests.import_support import engine_config
from tests.redis_helpers import RedisServer, redis_server
from tests.test_dedupe_plan_shares_nothing import _group_pairs

__all__ = ["redis_server"]

GROUPS = 2


def _journal_keys(url: str) -> list[bytes]:
    client = redis.Redis.from_url(url)
    try:
        return sorted(client.scan_iter("*journal*"))
    finally:
        client.close()


def _flush(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def _files(folder: Path) -> dict[str, bytes]:
    """The files under ``folder`` but ``dedupe-states.json``: the note of the state folder a
    ``dedupe plan`` used, by design (``jobs.dedupe.state_home``; its time in seconds), and
    ``days/``: the company's day as the server said it, which every engine keeps, a plan's
    and a coordinated one's too (``bulk.day_seen``; f49a F1: a Redis emptied since lends it
    back)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != NOTE and p.relative_to(folder).parts[0] != "days"}


@pytest.mark.anyio
async def test_a_plan_after_redis_was_emptied_puts_nothing_back(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    machine = tmp_path / "machine-a"
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    monkeypatch.setenv("PDBULK_STATE_DIR", str(machine))
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=46)) as sb:
        seed_pairs(sb, GROUPS)
        a = engine_config(sb, tmp_path / "a")
        state = tmp_path / "a" / "dedupe-state"
        first = await jobs.plan_dedupe(a, sb.token, tmp_path / "p0")
        state.mkdir(parents=True, exist_ok=True)
        (state / "keep-separate.json").write_bytes(orjson.dumps(_group_pairs(tmp_path / "p0")))
        assert first.duplicate_groups == GROUPS
        night = await jobs.run_dedupe(a, sb.token)  # shares the decisions: journal on Redis
        assert night.merged == 0 and _journal_keys(redis_server.url)

        _flush(redis_server.url)  # Redis restarted empty
        before = _files(machine), _files(state)
        plan = await jobs.plan_dedupe(a, sb.token, tmp_path / "p1")
        assert plan.duplicate_groups == 0  # the folder's own copy of the decisions binds it
        assert _journal_keys(redis_server.url) == []  # before the fix: the journal, its marker
        assert (_files(machine), _files(state)) == before  # before: .shared memos rewritten

        again = await jobs.run_dedupe(a, sb.token)  # a run puts them back
        assert again.merged == 0 and _journal_keys(redis_server.url)


@pytest.mark.anyio
async def test_any_plans_engine_reads_its_journals_and_puts_nothing_back(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The class, below dedupe: an engine on a store marked ``reads_only`` (every plan's:
    ``plan_job``, ``pdbulk plan import``, ``dedupe plan``, a dry-run apply) puts no journal
    back at its start nor when a job kind opens one, and reads this machine's entries all
    the same; a run's engine puts them back."""
    from bulk.engine import CONFIG_READS_ONLY, Engine
    from bulk.journal import open_journal
    from bulk.store import JobStore

    machine = tmp_path / "machine"
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    monkeypatch.setenv("PDBULK_STATE_DIR", str(machine))

    async def opened(name: str, reads_only: bool) -> list[dict[str, object]]:
        store = JobStore.create(tmp_path / name, job_id=name, kind="none",
                                config={CONFIG_READS_ONLY: True} if reads_only else {})
        try:
            async with Engine.open(engine_config(sb, tmp_path), sb.token, store=store):
                journal = open_journal("probe")
                try:
                    if not journal.entries():
                        journal.append([{"n": 1}])
                    return journal.entries()
                finally:
                    journal.close()
        finally:
            store.close()

    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=47)) as sb:
        assert [e["n"] for e in await opened("run", False)] == [1]
        _flush(redis_server.url)
        before = _files(machine)
        assert [e["n"] for e in await opened("plan", True)] == [1]  # read from this machine
        assert _journal_keys(redis_server.url) == []  # before the fix: put back, its marker
        assert _files(machine) == before
        assert [e["n"] for e in await opened("run-2", False)] == [1]
        assert _journal_keys(redis_server.url)  # a run puts them back
