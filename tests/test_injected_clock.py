"""The progress view and a wait on both claim stores read the run's injected clock, never
the machine's: on ``FakeClock`` their rates, intervals and bounds are virtual seconds."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.claims import Claim, acquire, holder_id
from bulk.claims_open import DualClaims, LocalClaims
from bulk.clock import FakeClock
from bulk.ledger import _Ahead
from bulk.progress import ProgressView
from bulk.runner import RunStats
from bulk.store import AsyncJobStore, JobStore


def _stats(done: int) -> RunStats:
    stats = RunStats()
    stats.done = done
    return stats


def test_progress_rate_interval_and_time_taken_are_on_the_runs_clock() -> None:
    """20 items in 10 s of the run's clock read 2.0/s, the next line comes after the
    interval on that clock, and the last one says took=20s (read on the machine's clock,
    the rate was 20 items over microseconds and the second line never came)."""
    clock = FakeClock()
    out = io.StringIO()
    with ProgressView(40, label="import", stream=out, interval=2.0, clock=clock) as view:
        clock.advance(10.0)
        view.update(_stats(20))
        view.update(_stats(21))  # inside the interval: no line
        clock.advance(2.0)
        view.update(_stats(24))
        clock.advance(8.0)
        view.update(_stats(40), final=True)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3, lines
    assert " 2.0/s " in lines[0] and lines[0].endswith("eta=10s"), lines[0]
    assert " 2.0/s " in lines[1], lines[1]
    assert re.search(r" 2\.0/s .*took=20s$", lines[2]), lines[2]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_counts_elapsed_time_on_the_runs_clock() -> None:
    """The rich bar's elapsed column reads the run's clock: 1 h 1 min 1 s of it show as
    1:01:01, not the instant the test took."""
    clock = FakeClock()
    out = _Tty()
    with ProgressView(10, label="import", stream=out, clock=clock) as view:
        clock.advance(3661.0)
        view.update(_stats(5))
    assert "1:01:01" in out.getvalue()


@pytest.fixture
def other_process() -> Iterator[str]:
    """The holder id of another live process (a sleeping child)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield holder_id(proc.pid)
    finally:
        proc.kill()
        proc.wait(10)


@pytest.mark.anyio
async def test_a_wait_on_both_claim_stores_keeps_its_bound_on_the_runs_clock(
        tmp_path: Path, other_process: str) -> None:
    """Another run holds a name in both stores and frees the local one after 2 s: a wait
    of at most 3 s gives up at 3 s of the run's clock (the shared store's part was bounded
    by the machine's clock: it waited 3 s more, 5 s in all)."""
    clock = FakeClock()

    def store(where: str, holder: str | None = None) -> LocalClaims:
        return LocalClaims(tmp_path / where / "claims.sqlite3", holder=holder, clock=clock)

    other_local, other_shared = store("local", other_process), store("shared", other_process)
    here = await acquire(other_local, "deal:K")
    there = await acquire(other_shared, "deal:K")
    assert isinstance(here, Claim) and isinstance(there, Claim)
    dual = DualClaims(store("local"), store("shared"), clock=clock)

    async def free_local_after_2s() -> None:
        await clock.sleep(2.0)
        await other_local.release(here)

    start = clock.now()
    async with anyio.create_task_group() as tg:
        tg.start_soon(free_local_after_2s)
        assert await dual.wait_released("deal:K", 3.0) is False
    assert 3.0 <= clock.now() - start < 3.5, clock.now() - start
    await other_shared.release(there)
    assert await dual.wait_released("deal:K", 3.0) is True
    await dual.aclose()
    other_local.close()
    other_shared.close()


@pytest.mark.anyio
async def test_a_long_wait_on_a_frozen_holder_is_told_again_each_minute_of_the_runs_clock(
        tmp_path: Path, other_process: str, caplog: pytest.LogCaptureFixture) -> None:
    """A wait of ~300 s (fake) on a frozen holder is told when it begins and again every
    ``TOLD_EVERY`` (60 s) of the run's clock: 4 "still waiting" lines (f31e: the pace was
    read on the machine's clock, so on FakeClock every line after the first was dropped)."""
    from bulk.claims import TOLD_EVERY, acquire_waiting

    clock = FakeClock()
    frozen = LocalClaims(tmp_path / "c.db", holder=other_process, clock=clock)
    me = LocalClaims(tmp_path / "c.db", clock=clock)
    assert isinstance(await acquire(frozen, "k", lease_s=300.0), Claim)

    async def nothing() -> None:
        return None

    async def until_stopped(awaitable: Any) -> Any:
        return await awaitable

    with caplog.at_level("WARNING", logger="pdbulk.claims"):
        got = await acquire_waiting(me, "k", 300.0, tag="J", wait_s=120.0, on_wait=nothing,
                                    until_stopped=until_stopped)
    assert isinstance(got, Claim) and got.reconcile
    lines = [r.getMessage() for r in caplog.records if r.name == "pdbulk.claims"]
    still = [line for line in lines if line.startswith("still waiting")]
    assert TOLD_EVERY == 60.0
    assert len(lines) - len(still) == 1, lines  # the wait begun
    assert len(still) == 4, lines  # at 60, 120, 180 and 240 s of the run's clock
    frozen.close()
    me.close()


class _LedgerCommits(AsyncJobStore):
    """Counts the ledger's commits (``record`` with spend rows)."""

    __slots__ = ("commits",)

    def __init__(self, store: JobStore) -> None:
        super().__init__(store)
        self.commits = 0

    async def record(self, outcomes: Any, spend: Any = (),  # type: ignore[override]
                     meta: Any = None) -> None:
        self.commits += bool(spend)
        await super().record(outcomes, spend, meta)


@pytest.mark.anyio
async def test_the_ledgers_credit_follows_the_pace_of_calls_on_the_runs_clock(
        tmp_path: Path) -> None:
    """Calls 10 s apart on the run's clock are slow (the credit's horizon is 0.5 s): each
    is charged by its own commit, none ahead — the ledger exact at every moment (f31e: the
    pace was read on the machine's clock, where the test's calls came microseconds apart,
    so credit was charged ahead as for a burst: 3 commits for 6 calls)."""
    clock = FakeClock()
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    astore = _LedgerCommits(store)
    ahead = _Ahead(astore, lambda: "2026-01-01", clock)
    for _ in range(6):
        await ahead.charge("updateDeal", 5)
        clock.advance(10.0)
    assert astore.commits == 6
    assert ahead.take_back() == []  # nothing charged ahead of need
    store.close()
