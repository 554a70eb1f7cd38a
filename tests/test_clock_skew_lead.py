"""Pipedrive's clock off ours (x52r8 F1-F3): every comparison of a server time (``add_time``,
``update_time``) with one of ours converts it by the job's measured lead
(``jobs.clock_skew.to_local``, the lead ``jobs.provable_writes.job_lead`` measures from the
job's answered writes and keeps in its store). A sandbox whose wall clock runs 30 or 200 s
ahead, 150 or 200 s behind: an import under lost create answers makes one deal a row (F1:
14 of 80 doubled at +30 s), its undo deletes every create (F2: 80 of 80 refused "added
before this job sent its row" at -200 s), and a resume's own landed write is the job's
(F3: "before this job's write could have left" at -200 s)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.config import Faults
from bulk.store import Item, ItemState, JobStore
from jobs.clock_skew import (
    ANSWERED_MARGIN,
    META_LEAD,
    RECONCILE_MARGIN,
    earlier,
    later,
    lead_note,
    server_since,
    to_local,
)
from jobs.demo_data import write_demo_export
from jobs.provable_writes import before_sent, job_lead
from jobs.undo import prepare_undo
from tests.import_support import api_context, import_once
from tests.test_import import assert_one_deal_per_row

ROWS = 60


class _SkewedClock:
    """The sandbox's clock: its wall ``skew`` s off ours (ahead > 0), monotonic as ours."""

    now = staticmethod(time.monotonic)

    def __init__(self, skew: float) -> None:
        self.skew = skew

    def wall(self) -> float:
        return time.time() + self.skew

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


def _stamp(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def test_server_times_are_converted_by_the_lead_and_unconverted_with_none() -> None:
    """One conversion; with no lead known today's margins stand."""
    assert to_local(1000.0, 200.0) == 800.0 and to_local(1000.0, None) == 1000.0
    # 200 s behind: a server time 199 s before ours is our very moment
    assert not earlier(801.0, 1000.0, -199.0)
    assert earlier(801.0, 1000.0, None)  # unconverted: "before" by more than 120 s
    assert earlier(1000.0 - RECONCILE_MARGIN - 1, 1000.0, None)
    # 30 s ahead: an add_time 30 s after our failure time is that moment
    assert not later(1030.0, 1000.0, 30.0) and later(1030.0, 1000.0, None)
    assert later(1000.0 + 30.0 + ANSWERED_MARGIN + 1, 1000.0, 30.0)
    assert server_since(1000.0, -200.0) == 1000.0 - 200.0 - RECONCILE_MARGIN
    assert server_since(1000.0, None) == 1000.0 - RECONCILE_MARGIN
    assert lead_note(None) is None and lead_note(5.0) is None
    assert "this machine's clock is about 200 s ahead of Pipedrive's" in (lead_note(-200.0) or "")
    assert "about 30 s behind" in (lead_note(30.0) or "")


def test_a_resumes_own_write_under_a_clock_200_s_behind_is_the_jobs(tmp_path: Path) -> None:
    """F3: a deal found as the row's write wants it, its update_time ~199 s before the
    row's hand-out on our clock, with Pipedrive's clock measured 199 s behind, is no
    proof of another's write; unmeasured, the old rule stands."""
    store = JobStore.create(tmp_path / "j", job_id="A", kind="update", config={})
    sent = 1_700_000_000.0
    item = Item(id=1, row=1, key="K", op="update", payload={}, state=ItemState.SENDING,
                attempts=1, result=None, error=None, status=None, sent_at=sent)
    deal = {"id": 5, "update_time": _stamp(sent - 199 + 1)}
    assert before_sent(item, deal) is not None  # unconverted: "before ... could have left"
    store.meta_put(META_LEAD, -199.0)
    lead = job_lead(store)
    assert lead == -199.0
    assert before_sent(item, deal, lead) is None
    # a change truly before the send still is not the job's
    assert before_sent(item, {"id": 5, "update_time": _stamp(sent - 199 - 600)}, lead)
    store.close()


@pytest.mark.anyio
@pytest.mark.parametrize("skew", [30.0, 200.0, -150.0, -200.0])
async def test_lost_answers_under_a_skewed_server_clock_double_nothing_and_undo_all(
        tmp_path: Path, skew: float) -> None:
    """F1 / F2: creates whose answers are lost, Pipedrive's clock ``skew`` s off ours: one
    deal a row, the measured lead kept in the job's store, and its undo deletes every
    deal the job created (none "not provably this job's create")."""
    export = write_demo_export(tmp_path / "in", rows=ROWS, broken=0, unknown_stage=0)
    config = SandboxConfig(plan="ultimate", time_scale=0.02, seed=11, deals=0,
                           clock=_SkewedClock(skew))
    async with serve(config) as sb:
        sb.set_faults(Faults(lost_response_rate=0.3, only_operations=frozenset({"addDeal"})))
        store, result, kind = await import_once(sb, tmp_path / "jobs", export.manifest,
                                                export.mapping, mode="upsert")
        sb.set_faults(Faults())
        try:
            assert result.stats.reconciled > 0, result.stats
            assert_one_deal_per_row(sb, store)  # before: 14 of 80 doubled at +30 s
            lead: Any = store.meta_get(META_LEAD)
            assert isinstance(lead, float) and skew <= lead <= skew + 5, lead
            said = [line for line in kind.after_run(store, result) if "clock" in line]
            way = "behind" if skew > 0 else "ahead of"
            assert said == [lead_note(lead)] and f"s {way} Pipedrive's" in said[0], said
            created = [i for i in store.items(ItemState.DONE)
                       if (i.result or {}).get("action") == "created"]
            assert len(created) == ROWS - sum(1 for i in store.items() if i.op == "skip")
            async with api_context(sb, tmp_path / "ctx") as ctx:
                plan = await prepare_undo(ctx, store)
            deletes = {i.payload.get("deal_id") for i in plan.items
                       if i.op == "delete" and i.state is ItemState.PENDING}
            assert deletes == {(i.result or {}).get("deal_id") for i in created}, plan.actions
            assert not plan.actions.get("conflict"), plan.actions  # before: 80 of 80 at -200
        finally:
            store.close()


def test_a_dead_holders_create_under_a_clock_200_s_behind_stays_that_jobs(
        tmp_path: Path) -> None:
    """A deal found under a claim its dead holder (job B) left: added 199 s before the
    claim on Pipedrive's clock, which the job measured 199 s behind, it was sent under
    that claim (B's create), not there before it; unmeasured, the old rule stands."""
    from bulk.claims import Claim
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob

    store = JobStore.create(tmp_path / "j", job_id="A", kind="import", config={})
    kind = ImportJob(store, ImportSettings(manifest="m.csv", mapping="m.toml", mode="upsert"), "c")
    since = 1_700_000_000.0
    claim = Claim(name="k", holder="h", expires=since + 60, reconcile=True, since=since,
                  prev_tag="B")
    deal = {"id": 5, "add_time": _stamp(since - 199 + 2)}
    assert kind._creator(claim, 5, deal) is None  # unconverted: "there before the claim"
    kind._lead = -199.0
    assert kind._creator(claim, 5, deal) == "B"
    assert kind._creator(claim, 5, {"id": 5, "add_time": _stamp(since - 199 - 600)}) is None
    store.close()


@pytest.mark.anyio
async def test_a_wait_before_the_send_is_not_counted_as_the_servers_lead(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """w57r1 F2: a sandbox on our own clock, each write held ``DELAY`` s in this process
    after its row is handed out (before its leaving mark: the ledger's charge, where a
    queue or a budget wait sits): the job's lead stays within the answer's round trip and
    the 1-s resolution of ``update_time``, never the wait (before: 0.39-3.5 s, here ≥
    ``DELAY`` for every row)."""
    from bulk.ledger import _Ahead

    delay = 2.5
    charge = _Ahead.charge

    async def held(self: _Ahead, op_id: str, tokens: int) -> None:
        if op_id == "addDeal":
            await asyncio.sleep(delay)  # a queue wait, not a rate limit's
        await charge(self, op_id, tokens)

    monkeypatch.setattr(_Ahead, "charge", held)
    export = write_demo_export(tmp_path / "in", rows=6, broken=0, unknown_stage=0)
    config = SandboxConfig(plan="ultimate", time_scale=0.02, seed=11, deals=0,
                           clock=_SkewedClock(0.0))
    async with serve(config) as sb:
        store, result, _ = await import_once(sb, tmp_path / "jobs", export.manifest,
                                             export.mapping, mode="upsert")
        try:
            assert not result.stopped and result.stats.done > 0, result
            lead: Any = store.meta_get(META_LEAD)
            # true lead 0: the bound is [0, 1 s of update_time's resolution + the answer]
            assert isinstance(lead, float) and 0.0 <= lead < 1.0 + 0.5, lead
        finally:
            store.close()
