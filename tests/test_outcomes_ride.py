"""The outcomes waiting for their commit ride the ledger's next refill (``bulk.ledger.Rider``,
issue 8's engine CPU at Growth): one commit where an outcome batch and a refill were two,
no outcome waits longer than ``flush_seconds`` for its write, and a refill whose write
fails with its riders writes its charges alone, the outcomes waiting for their own batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import orjson

from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.errors import StoreError
from bulk.plans import Limits
from bulk.runner import Runner
from bulk.scheduler import Scheduler
from bulk.store import AsyncJobStore, ItemState, JobStore
from bulk.transport import MockTransport, Request, Response
from jobs.touch import TouchJob, touch_items

COST = 5  # updateDeal (v2)


class Counted(AsyncJobStore):
    """Counts the commits of outcomes, and of outcomes with ledger rows (riders); the
    first ``fail`` writes of both together raise StoreError (nothing written)."""

    __slots__ = ("_answered", "_clock", "both", "fail", "outcome_writes", "waits")

    def __init__(self, store: JobStore, clock: FakeClock, answered: dict[int, float],
                 fail: int = 0) -> None:
        super().__init__(store)
        self.both = self.outcome_writes = 0
        self.fail = fail
        self.waits: list[float] = []
        self._clock, self._answered = clock, answered

    async def record(self, outcomes: Any, spend: Any = (),  # type: ignore[override]
                     meta: Any = None) -> None:
        if outcomes and spend and self.fail:
            self.fail -= 1
            raise StoreError("disk I/O error (a test's)")
        await super().record(outcomes, spend, meta)
        self.outcome_writes += bool(outcomes)
        self.both += bool(outcomes) and bool(spend)
        now = self._clock.now()
        self.waits += [now - self._answered[o.item_id] for o in outcomes
                       if o.item_id in self._answered]


def run(tmp_path: Path, items: int, fail: int = 0) -> tuple[JobStore, Counted, Any, int]:
    clock = FakeClock(epoch=1_767_225_600.0)
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    store.add_items(touch_items(range(1, items + 1), {"x": 1}))
    answered: dict[int, float] = {}
    astore = Counted(store, clock, answered, fail)

    async def slow(req: Request) -> Response:
        await clock.sleep(0.15)
        deal = int(req.url.rsplit("/", 1)[1])
        answered[deal] = clock.now()  # the touch items' ids are their deal ids
        return Response(200, {"content-type": "application/json"}, orjson.dumps(
            {"success": True, "data": {"id": deal, "update_time": "2026-01-01 00:00:00"}}))

    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(slow))
    # Growth's pace: 40 calls per 2-s window
    runner = Runner(astore, TouchJob(), client, Scheduler(Limits(burst=40), clock=clock),
                    clock=clock, seed=3)

    async def go() -> Any:
        async with client:
            return await runner.run()

    writes = store.writes
    result = anyio.run(go)
    return store, astore, result, store.writes - writes


def test_outcomes_ride_the_refills_commits(tmp_path: Path) -> None:
    """200 PATCHes at 40 per 2-s window: 66 commits before (a refill every ~5 calls and an
    outcome batch every 0.25 s, apart; 19 outcome batches), 56 once the refills carry the
    outcomes that waited a quarter of it (10 of 19 outcome batches ride one; on the
    sandbox at Growth, 19 of 19 batches were commits of their own, now 6-7 of 33)."""
    store, astore, result, commits = run(tmp_path, 200)
    try:
        assert result.counts[ItemState.DONE] == 200
        assert store.spend_by_operation() == {"updateDeal": (COST * 200, 200)}  # exact
        assert astore.both >= astore.outcome_writes // 3, (astore.both, astore.outcome_writes)
        assert commits <= 58, commits
        assert max(astore.waits) <= 0.25 + 1e-9  # flush_seconds: none waits longer
    finally:
        store.close()


def test_a_refill_whose_riders_fail_writes_its_charges_alone(tmp_path: Path) -> None:
    # 120 items: a refill every ~9 calls (``CREDIT_CALLS`` 8) gives the three failures
    # their refills with riders (at 60 items only two came: f57b's 4 -> 8)
    store, astore, result, _ = run(tmp_path, 120, fail=3)
    try:
        assert astore.fail == 0  # the failures happened
        assert result.error is None and not result.stopped
        assert result.counts[ItemState.DONE] == 120  # every outcome written all the same
        assert store.spend_by_operation() == {"updateDeal": (COST * 120, 120)}  # and exact
    finally:
        store.close()
