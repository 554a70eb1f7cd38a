"""A company's day spent, then the shared coordinator (Redis) restarted empty: a coordinated
run falls back on the day the state folder kept (``bulk.day_seen``) and sends nothing, as
an uncoordinated run does (x48r13 F1: each coordinated run sent a GET /users/me into a 429,
3 of 3 runs); a 429 to a run's very first call is kept too, so the next run sends nothing.

A real redis-server and a sandbox served from a thread (system clock)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import pytest
import redis

from bulk.coordinator_redis import RedisCoordinator
from bulk.engine import Engine, EngineConfig
from bulk.errors import BudgetExhausted
from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import JobStore
from jobs.touch import TouchJob, touch_items
from tests.redis_helpers import RedisServer, redis_server
from tests.sandbox_helpers import threaded_sandbox

__all__ = ["redis_server"]

pytestmark = pytest.mark.anyio
DAILY = 37  # tokens: GET /users/me (2) and 7 touches (5 each), the whole day


def _job(root: Path, name: str, settings: EngineConfig, first: int) -> JobStore:
    store = JobStore.create(root / name, job_id=name, kind="touch",
                            config={"engine": settings.to_json()})
    store.add_items(touch_items(range(first, first + 10), {"value": 7}))
    return store


async def _stats(sb: Sandbox) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{sb.url}/_sandbox/stats",
                            headers={"Authorization": f"Bearer {sb.token}"}) as answer:
            stats: dict[str, Any] = await answer.json()
    return stats


def _sent(stats: dict[str, Any]) -> int:
    """Requests the sandbox was sent, answered 429 or not."""
    return sum(stats["requests_by_operation"].values())


async def _run(settings: EngineConfig, sb: Sandbox, store: JobStore, url: str) -> object:
    """A coordinated touch run: its result, or the BudgetExhausted its opening raised."""
    try:
        with anyio.fail_after(60):
            async with Engine.open(settings, sb.token, store=store,
                                   coordinator=RedisCoordinator(url)) as e:
                return await e.run(TouchJob())
    except BudgetExhausted as exc:
        return exc
    finally:
        store.close()


def _refused(outcome: object) -> bool:
    return isinstance(outcome, BudgetExhausted) or isinstance(
        getattr(outcome, "error", None), BudgetExhausted)


async def test_a_spent_day_kept_here_refuses_a_coordinated_run_after_redis_emptied(
        redis_server: RedisServer, tmp_path: Path) -> None:
    """Run 1 spends the day's 37 tokens on Redis; Redis is emptied (FLUSHALL); runs 2 and 3
    are refused and send nothing (before: one GET /users/me each, answered 429)."""
    with threaded_sandbox(SandboxConfig(daily_tokens=DAILY, deals=30, seats=10)) as sb:
        settings = EngineConfig(base_url=sb.url, job_root=tmp_path)
        spent = await _run(settings, sb, _job(tmp_path, "first", settings, 1), redis_server.url)
        assert _refused(spent), spent
        for n in (2, 3):
            redis.Redis.from_url(redis_server.url).flushall()
            before = _sent(await _stats(sb))
            later = await _run(settings, sb, _job(tmp_path, f"run{n}", settings, 11),
                               redis_server.url)
            assert _refused(later), later
            assert _sent(await _stats(sb)) == before, f"run {n} sent a call"


async def test_a_429_to_the_first_call_is_kept_for_the_next_coordinated_run(
        redis_server: RedisServer, tmp_path: Path) -> None:
    """The day spent by another client, nothing kept here, Redis empty: the first run's
    GET /users/me is answered 429 and the run refused; the next run, Redis emptied again,
    sends nothing (before: a 429 each)."""
    with threaded_sandbox(SandboxConfig(daily_tokens=DAILY, deals=30, seats=10)) as sb:
        async with aiohttp.ClientSession() as http:  # another client spends the day
            for _ in range(DAILY // 2 + 1):
                async with http.get(f"{sb.url}/v1/users/me",
                                    headers={"x-api-token": sb.token}) as answer:
                    await answer.read()
        settings = EngineConfig(base_url=sb.url, job_root=tmp_path)
        before = _sent(await _stats(sb))
        first = await _run(settings, sb, _job(tmp_path, "first", settings, 1), redis_server.url)
        assert _refused(first), first
        assert _sent(await _stats(sb)) == before + 1  # its one GET /users/me, a 429
        redis.Redis.from_url(redis_server.url).flushall()
        second = await _run(settings, sb, _job(tmp_path, "second", settings, 11),
                            redis_server.url)
        assert _refused(second), second
        assert _sent(await _stats(sb)) == before + 1, "the second run sent a call"


class _Later:
    """Real time past ``ASK_AFTER`` on (``wall``; 1,800 s): the run after the first by that
    much (within UTC's day but in its last half hour: the kept day is then yesterday's)."""

    now = staticmethod(time.monotonic)

    @staticmethod
    def wall() -> float:
        return time.time() + 1900.0

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


async def test_a_kept_day_half_an_hour_old_is_asked_and_a_new_day_goes_on(
        redis_server: RedisServer, tmp_path: Path) -> None:
    """The day spent, the server's day ended, Redis emptied: the run 1,900 s later asks with
    its first call (the kept day is half an hour old or more, as without a coordinator) and
    touches 7 deals on the new day — the kept record refuses nothing the server would
    admit."""
    with threaded_sandbox(SandboxConfig(daily_tokens=DAILY, deals=30, seats=10)) as sb:
        settings = EngineConfig(base_url=sb.url, job_root=tmp_path)
        spent = await _run(settings, sb, _job(tmp_path, "first", settings, 1), redis_server.url)
        assert _refused(spent), spent
        async with aiohttp.ClientSession() as http:  # the server's day ends
            async with http.post(f"{sb.url}/_sandbox/day/end",
                                 headers={"Authorization": f"Bearer {sb.token}"}) as answer:
                assert answer.status == 200
        redis.Redis.from_url(redis_server.url).flushall()
        store = _job(tmp_path, "later", settings, 11)
        try:
            with anyio.fail_after(60):
                async with Engine.open(settings, sb.token, store=store, clock=_Later(),
                                       coordinator=RedisCoordinator(redis_server.url,
                                                                    clock=_Later())) as e:
                    result = await e.run(TouchJob())
        finally:
            store.close()
    assert result.stats.done == 7, result  # the new day's 37: 2 + 7 x 5


async def test_a_fresh_state_folder_sends_nothing_once_a_kept_day_was_lent_to_redis(
        redis_server: RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Machine A spends the day, Redis is emptied (FLUSHALL), A's run is refused from its
    kept day; then machines C and D (fresh state folders, nothing kept) are refused from what
    A's run lent Redis and send nothing (x49r9 F1: one GET /users/me each, answered 429: A
    was refused before its first answer, so the token's company binding and the daily
    budget were never written back)."""
    with threaded_sandbox(SandboxConfig(daily_tokens=DAILY, deals=30, seats=10)) as sb:
        settings = EngineConfig(base_url=sb.url, job_root=tmp_path)
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "A"))
        spent = await _run(settings, sb, _job(tmp_path, "first", settings, 1), redis_server.url)
        assert _refused(spent), spent
        redis.Redis.from_url(redis_server.url).flushall()
        before = _sent(await _stats(sb))
        kept = await _run(settings, sb, _job(tmp_path, "kept", settings, 11), redis_server.url)
        assert _refused(kept), kept
        assert _sent(await _stats(sb)) == before, "machine A sent a call"
        for machine in ("C", "D"):
            monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / machine))
            fresh = await _run(settings, sb, _job(tmp_path, machine, settings, 11),
                               redis_server.url)
            assert _refused(fresh), fresh
            assert _sent(await _stats(sb)) == before, f"machine {machine} sent a call"


async def test_a_refusal_from_the_kept_day_says_the_figure_was_kept_in_the_state_folder(
        redis_server: RedisServer, tmp_path: Path) -> None:
    """Redis emptied, the refusal's figure is the state folder's kept day, not one "used by
    all processes" as Redis counted them (x49r9 F3): it says where it came from, as an
    uncoordinated run does; the run on the intact Redis still says all processes."""
    with threaded_sandbox(SandboxConfig(daily_tokens=DAILY, deals=30, seats=10)) as sb:
        settings = EngineConfig(base_url=sb.url, job_root=tmp_path)
        spent = await _run(settings, sb, _job(tmp_path, "first", settings, 1), redis_server.url)
        assert _refused(spent), spent
        intact = await _run(settings, sb, _job(tmp_path, "intact", settings, 11),
                            redis_server.url)
        redis.Redis.from_url(redis_server.url).flushall()
        kept = await _run(settings, sb, _job(tmp_path, "kept", settings, 11), redis_server.url)
    words = {name: str(o if isinstance(o, BudgetExhausted) else getattr(o, "error", o))
             for name, o in (("intact", intact), ("kept", kept))}
    assert "kept in the state folder" in words["kept"], words["kept"]
    assert "kept in the state folder" not in words["intact"], words["intact"]
    assert "used by all processes" in words["intact"], words["intact"]


async def _spent_flushed_then_b(sb: Sandbox, settings: EngineConfig, redis_server: RedisServer,
                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Machine A (state folder A) spends the day, Redis is emptied (FLUSHALL), machine B
    (fresh) is refused after its one GET /users/me (a 429): the requests the sandbox had
    counted before B."""
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "A"))
    spent = await _run(settings, sb, _job(tmp_path, "first", settings, 1), redis_server.url)
    assert _refused(spent), spent
    redis.Redis.from_url(redis_server.url).flushall()
    before = _sent(await _stats(sb))
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "B"))
    first = await _run(settings, sb, _job(tmp_path, "B", settings, 11), redis_server.url)
    assert _refused(first), first
    assert _sent(await _stats(sb)) == before + 1  # its one GET /users/me, a 429
    return before


async def _fresh_machines_send_nothing(sb: Sandbox, settings: EngineConfig,
                                       redis_server: RedisServer, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch, sent: int) -> None:
    """Machines C and D (fresh state folders) are refused and the sandbox still counts
    ``sent`` requests: neither sent a call."""
    for machine in ("C", "D"):
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / machine))
        fresh = await _run(settings, sb, _job(tmp_path, machine, settings, 11),
                           redis_server.url)
        assert _refused(fresh), fresh
        assert _sent(await _stats(sb)) == sent, f"machine {machine} sent a call"


async def test_a_429_to_a_fresh_machines_first_call_refuses_the_next_fresh_machines(
        redis_server: RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Machine A spends the day, Redis is emptied (FLUSHALL); machine B (fresh state folder,
    nothing kept) sends one GET /users/me, answered 429 (daily budget 37, none left); machines
    C and D (fresh too) are refused from what B's 429 taught Redis and send nothing (x50r2 F2:
    one 429 each, 3 of 3 and 4 of 4: B's 429 named no company, and the daily budget and the
    figure it said were written only at ``bind``, which B never reached; C counted the
    token's 37 against the plan's daily budget)."""
    with threaded_sandbox(SandboxConfig(daily_tokens=DAILY, deals=30, seats=10)) as sb:
        settings = EngineConfig(base_url=sb.url, job_root=tmp_path)
        before = await _spent_flushed_then_b(sb, settings, redis_server, tmp_path, monkeypatch)
        await _fresh_machines_send_nothing(sb, settings, redis_server, tmp_path, monkeypatch,
                                           before + 1)


async def test_a_resumes_ask_after_a_fresh_machines_429_leaves_the_day_spent_for_new_ones(
        redis_server: RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Machine A spends the day, Redis is emptied (FLUSHALL); machine B (fresh) sends one GET
    /users/me, answered 429; A resumes (its first call asks the server at once: one 429, as
    designed); machines C and D (fresh) are refused and send nothing (x51r5 F1: one 429
    each, 3 of 3: B's 429 taught the daily budget under the token's keys, A read it there,
    so lent nothing under the company, and the company's ``daily`` key stayed missing
    while ``day:{n}`` held the spend)."""
    with threaded_sandbox(SandboxConfig(daily_tokens=DAILY, deals=30, seats=10)) as sb:
        settings = EngineConfig(base_url=sb.url, job_root=tmp_path)
        before = await _spent_flushed_then_b(sb, settings, redis_server, tmp_path, monkeypatch)
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "A"))
        store = JobStore.open(tmp_path / "first")
        try:
            with anyio.fail_after(60):
                async with Engine.open(settings, sb.token, store=store, ask_day=True,
                                       coordinator=RedisCoordinator(redis_server.url)) as e:
                    resumed: object = await e.run(TouchJob())
        except BudgetExhausted as exc:
            resumed = exc
        finally:
            store.close()
        assert _refused(resumed), resumed
        asked = _sent(await _stats(sb))
        assert asked <= before + 2  # the resume's one ask at most
        await _fresh_machines_send_nothing(sb, settings, redis_server, tmp_path, monkeypatch,
                                           asked)
