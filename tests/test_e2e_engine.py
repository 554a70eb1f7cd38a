"""The whole engine against the sandbox over real HTTP: every item done once through faults.

Scheduler, runner, job store, client and aiohttp transport run unchanged against
an in-process sandbox whose windows are 2 s x 0.02 (40 ms), so nothing waits for
a real window. What is proven, for the job (not only the wire):

- every item ends DONE, exactly one item per deal, none failed, pending or sending;
- every touched deal has the new values and no other deal was written;
- the sandbox's counters account for every write honestly: a PATCH is applied
  once per item, plus once more for each response the sandbox lost after
  applying it (the client cannot tell; PATCH is idempotent, so it is re-sent);
- a client timeout is an answer lost too: on a loaded machine (load ~24, the
  sandbox sharing the test's loop) a round trip can pass the 5 s timeout after
  the sandbox applied the PATCH, and its re-send applies it again. The tests
  count those timeouts at the transport seam (``TimeoutCounter``) and allow at
  most one extra application each, no more: a write doubled for any other
  reason (a 5xx, a drop, a 429 re-sent after it applied) still fails them.
- every attempt the runner made reached the sandbox, and its token ledger never
  claims less than the sandbox charged.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.engine import Engine, EngineConfig
from bulk.errors import AnswerLost
from bulk.retry import RetryPolicy
from bulk.runner import Runner, RunResult
from bulk.sandbox import Faults, Sandbox, SandboxConfig, serve
from bulk.store import ItemState, JobStore
from bulk.transport import AiohttpTransport, Request, Response
from jobs.touch import TouchJob, touch_items

SCALE = 0.02  # sandbox windows: 2 s x 0.02 = 40 ms
N, SPARE = 500, 20  # deals 1..N are touched; N+1..N+SPARE must stay as they were
FIELDS = {"value": 777, "probability": 42}
# Waits are milliseconds, so a retry never sleeps for real; 10 tries make a row that
# fails 10 transient faults in a row (p ~ 1e-8 here) practically impossible.
FAST_RETRY = RetryPolicy(attempts=10, base=0.002, cap=0.02, rate_limited_attempts=60)


class TimeoutCounter(AiohttpTransport):
    """The engine's own aiohttp transport, counting the calls whose answer a timeout lost
    (``AnswerLost`` with ``timeout``): each may have been applied before the client gave
    up, so its re-send may apply the PATCH a second time."""

    __slots__ = ("timed_out",)

    def __init__(self, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.timed_out = 0

    async def send(self, request: Request) -> Response:
        try:
            return await super().send(request)
        except AnswerLost as lost:
            self.timed_out += lost.timeout
            raise


async def run_touch(tmp: Path, sb: Sandbox, on_runner: Callable[[Runner], None]) -> tuple[
        RunResult, JobStore, int]:
    """The touch job of deals 1..N run to its end: its result, its store and how many of
    its calls timed out (answers lost that the sandbox did not lose)."""
    config = EngineConfig(base_url=sb.url, plan="growth", window=2.0 * SCALE, job_root=tmp,
                          timeout=5.0)
    store = JobStore.create(tmp / "job", job_id="e2e", kind="touch",
                            config={"engine": config.to_json()})
    store.add_items(touch_items(range(1, N + 1), FIELDS))
    transport = TimeoutCounter(config.timeout)
    with anyio.fail_after(60):
        async with Engine.open(config, sb.token, store=store, transport=transport) as engine:
            result = await engine.run(TouchJob(), retry=FAST_RETRY, on_runner=on_runner)
    return result, store, transport.timed_out


def assert_done_exactly_once(result: RunResult, store: JobStore) -> None:
    assert not result.stopped, result.error
    counts = store.counts()
    assert counts[ItemState.DONE] == N, counts
    assert sum(counts.values()) == N
    deal_ids = [item.result["deal_id"] for item in store.items(ItemState.DONE) if item.result]
    assert sorted(deal_ids) == list(range(1, N + 1))  # one DONE item per deal, no more


def assert_deals_written(sb: Sandbox, before: dict[int, dict[str, Any]]) -> None:
    deals = sb.state.deals.rows
    for deal_id in range(1, N + 1):
        assert {k: deals[deal_id][k] for k in FIELDS} == FIELDS, deal_id
    for deal_id in range(N + 1, N + SPARE + 1):
        assert deals[deal_id] == before[deal_id]  # untouched, update_time included


def assert_writes_counted(stats: dict[str, Any], runner: Runner, *, lost: int,
                          timed_out: int) -> None:
    """Every PATCH applied once per item, once more per response the sandbox ``lost``
    after applying it, and at most once more per call that ``timed_out`` (applied or not
    before the client gave up); in doubt the calls whose answer never came: each the
    sandbox lost or dropped, and at most each that timed out (a drop the client was slow to
    see may have timed out first)."""
    applied = stats["writes_applied"]["updateDeal"]
    assert N + lost <= applied <= N + lost + timed_out, (applied, lost, timed_out)
    assert set(stats["writes_applied"]) == {"updateDeal"}
    unanswered = lost + stats["faults_injected"].get("drop", 0)
    # in doubt, not retried by the call
    assert unanswered <= runner.stats.in_doubt <= unanswered + timed_out, (
        runner.stats.in_doubt, unanswered, timed_out)


def assert_ledger_honest(store: JobStore, runner: Runner, stats: dict[str, Any], *,
                         timed_out: int) -> None:
    requests = stats["requests_by_operation"]["updateDeal"]
    tokens, calls = store.spend_by_operation()["updateDeal"]
    # every attempt reached the sandbox, but for one a timeout cut before it was read
    assert requests <= runner.stats.calls <= requests + timed_out, (
        runner.stats.calls, requests, timed_out)
    # the ledger's calls are those charged (a 429 / 5xx none: f31c; it counted every
    # attempt), a dropped connection's kept: never fewer than the sandbox charged (and a
    # timed-out one's too, though the sandbox may never have read it)
    assert requests + timed_out >= calls >= stats["tokens_by_operation"]["updateDeal"] // 5
    # A 5xx or a dropped connection costs nothing in the sandbox, but the client cannot
    # know a write was not applied, so it keeps the charge: never less than the truth.
    assert tokens >= stats["tokens_by_operation"]["updateDeal"] == 5 * (
        stats["writes_applied"]["updateDeal"])


@pytest.mark.anyio
async def test_touch_500_through_5xx_drops_and_429_storms(tmp_path: Path) -> None:
    """500 PATCHes through 5xx, dropped connections and 429 storms: each applied exactly once."""
    faults = Faults(error_rate=0.08, drop_rate=0.04, storm_every=0.25, storm_length=0.03)
    box: list[Runner] = []
    async with serve(SandboxConfig(time_scale=SCALE, deals=N + SPARE, seed=11,
                                   faults=faults)) as sb:
        before = {i: dict(sb.state.deals.rows[i]) for i in range(N + 1, N + SPARE + 1)}
        result, store, timed_out = await run_touch(tmp_path, sb, box.append)
        stats = sb.stats()
        try:
            assert_done_exactly_once(result, store)
            assert_deals_written(sb, before)
            injected = stats["faults_injected"]
            assert injected["error"] > 0 and injected["drop"] > 0 and injected["storm"] > 0
            assert box[0].stats.rate_limited > 0 and box[0].stats.retries > 0
            # Nothing a fault touched was applied: each deal written once, no more (but
            # for a call a loaded machine's timeout cut after the sandbox applied it).
            assert_writes_counted(stats, box[0], lost=0, timed_out=timed_out)
            assert_ledger_honest(store, box[0], stats, timed_out=timed_out)
        finally:
            store.close()


@pytest.mark.anyio
async def test_touch_500_through_lost_responses(tmp_path: Path) -> None:
    """Responses lost after the PATCH was applied: each one's item in doubt (a write that may
    have applied is never sent again unread: x17r2 1), sent again by touch's reconcile
    (touch alone re-sends blindly), counted, and the end state is right."""
    faults = Faults(lost_response_rate=0.1, error_rate=0.02)
    box: list[Runner] = []
    async with serve(SandboxConfig(time_scale=SCALE, deals=N + SPARE, seed=12,
                                   faults=faults)) as sb:
        before = {i: dict(sb.state.deals.rows[i]) for i in range(N + 1, N + SPARE + 1)}
        result, store, timed_out = await run_touch(tmp_path, sb, box.append)
        stats = sb.stats()
        try:
            assert_done_exactly_once(result, store)
            assert_deals_written(sb, before)
            lost = stats["faults_injected"]["lost_response"]
            assert lost > 0
            # Every lost response was one applied write the client could not see, so it
            # was sent again: one write per item, plus one per lost response, no others
            # (but for a call a loaded machine's timeout cut after it applied).
            assert_writes_counted(stats, box[0], lost=lost, timed_out=timed_out)
            assert_ledger_honest(store, box[0], stats, timed_out=timed_out)
        finally:
            store.close()
