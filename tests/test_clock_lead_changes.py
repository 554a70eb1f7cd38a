"""The clock lead is a property of a moment, not of a job (x53r4 F1-F3): the clock set right
between a stop and the resume (as the job's own note asks) or stepped by ntpd mid-run, a
write is judged by the lead in force when it was sent (``jobs.clock_skew.Leads``: the job's
answered writes by run, ``bulk.leaving.META_RUNS``, split where the lead steps), never by
the job's least lead ever (before: 46 own writes in 7 of 7 runs disowned — import rows
`unchanged`, left by the undo; update rows `as wanted, not by this job`). Where the
send's lead is not known (an older store kept no run starts) and the leads it may have
had judge it differently, the row is named in doubt. summary.json says the latest lead
and each change (F2); the update's and undo's summaries say their lead too (F3)."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulk.engine import Engine, EngineConfig
from bulk.leaving import META_RUNS, META_SINCE, Marks
from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.config import Faults
from bulk.scheduler import BudgetPolicy
from bulk.store import Item, ItemState, JobStore, NewItem, Outcome
from jobs.clock_skew import (
    CONFIRM,
    META_LEAD,
    STEP,
    Leads,
    changes_note,
    kept_leads,
    segments,
)
from jobs.demo_data import write_demo_export
from jobs.provable_writes import before_sent, job_leads, landing, provable
from jobs.undo import prepare_undo
from tests.import_support import api_context, import_once
from tests.test_import import assert_one_deal_per_row

LEADS = [-300.0, -200.0, -150.0, -30.0, 0.0, 0.8, 30.0, 200.0]


def _runs(leads: list[float], writes: int, seed: int, answer: float = 0.9
          ) -> tuple[list[tuple[float, float]], list[float], list[tuple[float, float]]]:
    """A job of ``len(leads)`` runs, each ``writes`` answered writes 0.2 s apart under its
    lead: the samples (sent_at, bound), the runs' starts and each run's span."""
    rnd = random.Random(seed)
    samples, starts, spans = [], [], []
    t = 1_700_000_000.0
    for lead in leads:
        starts.append(t)
        first = t + 1.0
        for n in range(writes):
            sent = first + 0.2 * n
            applied = sent + rnd.uniform(0.0, answer)
            server = int(applied + lead)  # whole seconds
            samples.append((sent, server + 1.0 - sent))
        spans.append((first, first + 0.2 * (writes - 1)))
        t += 3600.0
    return samples, starts, spans


@pytest.mark.parametrize("first", LEADS)
@pytest.mark.parametrize("second", LEADS)
def test_each_runs_writes_are_judged_by_that_runs_lead(first: float, second: float) -> None:
    """A grid of clock changes between runs: a write sent in either run, answered or in
    flight after its run's last answer, has that run's lead (within an answer time and
    the 1-s resolution); the job's least lead is only for a ``since`` bound."""
    samples, starts, spans = _runs([first, second], 20, seed=int(first * 7 + second))
    leads = Leads(segments(samples, starts), starts)
    for lead, (lo, hi) in zip([first, second], spans, strict=True):
        for sent in (lo, (lo + hi) / 2, hi, hi + 30.0):
            got = leads.at(sent)
            assert len(got) == 1 and lead <= got[0] <= lead + 2.0, (sent, got, leads)
    assert leads.now is not None and second <= leads.now <= second + 2.0
    assert leads.least == min(s.lead for s in leads.segments)
    moved = leads.changes()
    assert bool(moved) == (abs(first - second) > STEP + 2.0) or abs(first - second) > STEP


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(LEADS), min_size=1, max_size=4),
       st.integers(min_value=CONFIRM, max_value=30), st.integers(0, 10_000))
def test_no_run_is_judged_by_another_runs_lead(leads: list[float], writes: int,
                                               seed: int) -> None:
    """Property: however the clocks change between runs, each run's writes get that run's
    lead alone; with no run starts kept (an older store) a write between two runs whose
    leads differ gets both (in doubt), never one silently."""
    samples, starts, spans = _runs(leads, writes, seed)
    kept = Leads(segments(samples, starts), starts)
    old = Leads(segments(samples))
    for n, (lead, (lo, hi)) in enumerate(zip(leads, spans, strict=True)):
        got = kept.at(hi + 10.0)
        assert len(got) == 1 and lead <= got[0] <= lead + 2.0
        # (no run starts: leads within STEP of each other are one clock, the least kept)
        assert any(lead - STEP <= x <= lead + 2.0 for x in old.at((lo + hi) / 2))
        if n + 1 < len(leads) and abs(leads[n + 1] - lead) > STEP + 2.0:
            assert len(old.at(hi + 10.0)) == 2  # between runs: both, in doubt


@pytest.mark.parametrize("step", [-200.0, -10.0, 10.0, 200.0])
def test_a_step_within_one_run_splits_it(step: float) -> None:
    """ntpd steps the clock mid-run: the writes before the step keep the old lead, those
    after get the new one (a step up needs ``CONFIRM`` writes; before them a write sent
    after the last sure one may have either lead: both); one slow answer is no step."""
    rnd = random.Random(5)
    samples = []
    for n in range(80):
        sent = 1000.0 + 0.25 * n
        lead = -200.0 if n < 40 else -200.0 + step
        samples.append((sent, int(sent + rnd.uniform(0, 0.5) + lead) + 1.0 - sent))
    found = segments(samples, [999.0])
    leads = Leads(found, [999.0])
    assert [round(s.lead) for s in leads.segments] in ([-200, round(-200 + step)],
                                                       [-199, round(-199 + step)],
                                                       [-200, round(-199 + step)],
                                                       [-199, round(-200 + step)])
    assert leads.at(1005.0)[0] <= -198.0 and leads.at(1015.0)[0] >= -200.0 + step - 0.1
    assert changes_note([{"at": 1010.0, "before": -200.0, "after": -200.0 + step}])
    # the last writes read higher, fewer than CONFIRM: a write sent then may have either
    tail = [*samples[:40], (1010.0, 1.0), (1010.25, 1.0)]
    got = Leads(segments(tail, [999.0]), [999.0]).at(1010.5)
    assert len(got) == 2 and got[0] <= -198.0 and got[1] == 1.0
    slow = samples[:40] + [(1010.0, -190.0)] + [(1010.25 + 0.25 * n, -199.5) for n in range(5)]
    assert len(segments(slow, [999.0])) == 1  # one slow answer


def _item(n: int, sent: float, state: ItemState = ItemState.SENDING) -> Item:
    return Item(id=n, row=n, key=f"K{n}", op="update", payload={"deal_id": n}, state=state,
                attempts=1, result=None, error=None, status=None, sent_at=sent)


def _stamp(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _two_runs(tmp: Path, first: float, second: float, runs: bool) -> tuple[JobStore, float]:
    """A store of two runs, 10 answered writes each, under ``first`` then ``second`` s of
    lead, and one write of the second run in flight at its stop (its id returned: 21;
    its send time)."""
    store = JobStore.create(tmp / "job", job_id="j", kind="update", config={})
    store.add_items([NewItem(row=n, key=f"K{n}", op="update", payload={"deal_id": n})
                     for n in range(1, 22)])
    t0, t1 = 1_700_000_000.0, 1_700_003_600.0
    store.meta_put(META_SINCE, t0 - 1)
    if runs:
        store.meta_put(META_RUNS, [t0 - 0.5, t1 - 0.5])
    for n in range(1, 11):
        store.mark_sending([n], t0 + n)
        store.record([Outcome(n, ItemState.DONE, result={
            "deal_id": n, "update_time": _stamp(t0 + n + 0.3 + first)})])
    for n in range(11, 21):
        store.mark_sending([n], t1 + n)
        store.record([Outcome(n, ItemState.DONE, result={
            "deal_id": n, "update_time": _stamp(t1 + n + 0.3 + second)})])
    sent = t1 + 21
    store.mark_sending([21], sent)
    marks = Marks(store.directory, lambda: sent + 0.01)
    marks.mark(21)
    marks.answered(0.4)
    marks.close()
    return store, sent


@pytest.mark.anyio
@pytest.mark.parametrize(("first", "second"), [(-200.0, 0.0), (-150.0, 0.0), (0.0, 200.0),
                                               (200.0, 0.0), (-200.0, -200.0), (0.0, 0.0)])
async def test_a_resumes_lost_write_is_its_own_after_the_clock_changed(
        tmp_path: Path, first: float, second: float) -> None:
    """F1 (update's rule): the second run's write, its answer lost, landed 0.3 s after its
    send under the second run's lead: the job's (no landing-window or before-send why),
    whatever the first run's lead; a colleague's change 10 s after the window still is
    not; before: the job's least lead (-200 s) put its own write after the window."""
    store, sent = _two_runs(tmp_path, first, second, runs=True)
    try:
        (item,) = store.items(ItemState.SENDING)
        mine = {"id": 21, "update_time": _stamp(sent + 0.3 + second)}
        proof = await provable(store, [item], {"update"})
        assert proof.why(item, mine) is None, proof.why(item, mine)
        late = {"id": 21, "update_time": _stamp(sent + second + 12)}
        assert "after this job's write could have landed" in (proof.why(item, late) or "")
        assert before_sent(item, {"update_time": _stamp(sent + second - 300)},
                           job_leads(store)) is not None
        leads = job_leads(store, keep=True)
        assert second <= (store.meta_get(META_LEAD) or 0) <= second + 2, leads
        kept = kept_leads(store.meta_get("server_leads"))
        assert bool(kept.changes()) == (first != second)
    finally:
        store.close()


@pytest.mark.anyio
async def test_an_older_stores_write_between_two_leads_is_named_in_doubt(
        tmp_path: Path) -> None:
    """No run starts kept (a store of an earlier pdbulk): the in-flight write after the
    first run's answers and before... with two leads that judge it differently, the row
    is named in doubt (never silently the job's, nor silently another's)."""
    store, sent = _two_runs(tmp_path, -200.0, 0.0, runs=False)
    try:
        (item,) = store.items(ItemState.SENDING)
        # its send after every answered write: the last lead is the only one around it
        mine = {"id": 21, "update_time": _stamp(sent + 0.3)}
        assert (await provable(store, [item], {"update"})).why(item, mine) is None
        # a write sent between the runs' answers, of an older store: both leads
        between = _item(21, 1_700_000_000.0 + 1800.0)
        leads = job_leads(store)
        assert len(leads.at(between.sent_at)) == 2
        why = before_sent(between, {"update_time": _stamp(1_700_000_000.0 + 1800.0 - 190)},
                          leads)
        assert why is not None and "in doubt" in why, why
        got = landing(store, [between], leads)
        assert got.windows == {} or len(got.windows.get(21, ())) in (0, 2)
    finally:
        store.close()


async def _resume_uncapped(sb: Any, directory: Path) -> tuple[JobStore, Any]:
    """``resume_job`` with no cap on the run's tokens (``pdbulk resume --max-tokens``)."""
    from jobs import kind_for

    store = JobStore.open(directory)
    config = replace(EngineConfig.from_json(store.config["engine"]), budget=BudgetPolicy())
    kind = kind_for(store)
    async with Engine.open(config, sb.token, store=store) as engine:
        result = await engine.run(kind)
    store.set_status("stopped" if result.stopped else "finished")
    kind.after_run(store, result)
    return store, result


class _MovingClock:
    """The sandbox's clock: its wall ``skew`` s off ours (ahead > 0); the test moves it."""

    now = staticmethod(time.monotonic)

    def __init__(self, skew: float) -> None:
        self.skew = skew

    def wall(self) -> float:
        return time.time() + self.skew

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


ROWS = 60


@pytest.mark.anyio
@pytest.mark.parametrize(("first", "second"), [(-200.0, 0.0), (0.0, 200.0), (-200.0, -200.0)])
async def test_an_import_set_right_between_stop_and_resume_owns_its_creates(
        tmp_path: Path, first: float, second: float) -> None:
    """F1 / F2 end to end: an import stopped by its cap under ``first`` s of lead, resumed
    under ``second`` with creates' answers lost: one deal a row, every create the job's
    (in deals_created: none `unchanged`), its undo deletes every one, and summary.json
    says the latest lead and the change (before: -199 s said with the clocks agreeing)."""
    export = write_demo_export(tmp_path / "in", rows=ROWS, broken=0, unknown_stage=0)
    clock = _MovingClock(first)
    config = SandboxConfig(plan="ultimate", time_scale=0.02, seed=12, deals=0, clock=clock)
    async with serve(config) as sb:
        sb.set_faults(Faults(lost_response_rate=0.2, only_operations=frozenset({"addDeal"})))
        store, result, _ = await import_once(sb, tmp_path / "jobs", export.manifest,
                                             export.mapping, mode="upsert",
                                             budget=BudgetPolicy(max_tokens=250))
        assert result.stopped, result
        directory = store.directory
        store.close()
        clock.skew = second
        store, result = await _resume_uncapped(sb, directory)
        sb.set_faults(Faults())
        try:
            assert not result.stopped, result
            assert_one_deal_per_row(sb, store)
            done = [i for i in store.items(ItemState.DONE) if i.op != "skip"]
            actions = {(i.result or {}).get("action") for i in done}
            assert actions == {"created"}, [(i.result or {}) for i in done
                                            if (i.result or {}).get("action") != "created"]
            lead = store.meta_get(META_LEAD)
            assert isinstance(lead, float) and second <= lead <= second + 5, lead
            moved = kept_leads(store.meta_get("server_leads")).changes()
            assert len(moved) == (1 if first != second else 0), (
                moved, store.meta_get("server_leads"), store.meta_get(META_RUNS))
            async with api_context(sb, tmp_path / "ctx") as ctx:
                plan = await prepare_undo(ctx, store)
            deletes = {i.payload.get("deal_id") for i in plan.items
                       if i.op == "delete" and i.state is ItemState.PENDING}
            assert deletes == {(i.result or {}).get("deal_id") for i in done}, plan.actions
        finally:
            store.close()


@pytest.mark.parametrize(("first", "second"), [(-200.0, 0.0), (-150.0, 0.0), (0.0, 200.0),
                                               (200.0, 0.0), (-200.0, -200.0)])
def test_an_imports_lost_create_is_judged_by_the_lead_of_its_send(
        tmp_path: Path, first: float, second: float) -> None:
    """F1 (import's rule, ``_not_ours``): a create of the second run whose answer was lost,
    its deal added 0.5 s after the send under the second run's lead, is the job's —
    neither "added before this row was sent" nor "added after this run's create had
    failed" — whatever the first run's lead; a deal added 60 s after the failure still is
    another's. Before: judged by the least lead ever, 6 of 6 `unchanged`."""
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob

    store = JobStore.create(tmp_path / "j", job_id="A", kind="import", config={})
    kind = ImportJob(store, ImportSettings(manifest="m.csv", mapping="m.toml", mode="upsert"), "c")
    samples, starts, spans = _runs([first, second], 20, seed=3)
    kind._leads = Leads(segments(samples, starts), starts)
    sent = spans[1][1] + 0.2
    item = Item(id=7, row=7, key="K7", op="create", payload={}, state=ItemState.SENDING,
                attempts=1, result=None, error=None, status=None, sent_at=sent)
    kind._answered_at[item.id] = sent + 1.0
    mine = {"id": 5, "add_time": _stamp(sent + 0.5 + second)}
    assert kind._not_ours(item, mine, None) is None
    late = {"id": 5, "add_time": _stamp(sent + 61 + second)}
    assert kind._not_ours(item, late, None) == "added after this run's create had failed"
    early = {"id": 5, "add_time": _stamp(sent - 300 + second)}
    assert kind._not_ours(item, early, None) == "added before this row was sent"
    # an older store's (no run starts) write between two leads that disagree: in doubt
    kind._leads = Leads(segments(samples))
    between = Item(id=8, row=8, key="K8", op="create", payload={}, state=ItemState.SENDING,
                   attempts=1, result=None, error=None, status=None,
                   sent_at=(spans[0][1] + spans[1][0]) / 2)
    why = kind._not_ours(between, {"id": 6, "add_time": _stamp(
        (between.sent_at or 0) + 0.5 + min(first, second))}, None)
    assert (why is None) if first == second else (why and "in doubt" in why), why
    store.close()


def test_an_updates_summary_says_its_lead_and_each_change(tmp_path: Path) -> None:
    """F3 / F2: summary.json of an update (``write_job_results``, also undo's and merge's)
    says the latest lead its answered writes measured and each change of it, and its lines
    say them once (before: null in 17 of 17, the note using one)."""
    import orjson

    from jobs.prepared import write_job_results

    store, _ = _two_runs(tmp_path, -200.0, 0.0, runs=True)
    try:
        lines = write_job_results(store, None, ["deal_id"])
        data = orjson.loads((store.directory / "summary.json").read_bytes())
        assert 0.0 <= data["server_clock_lead"] <= 2.0, data
        (moved,) = data["server_clock_changes"]
        assert moved["before"] <= -198.0 and 0.0 <= moved["after"] <= 2.0
        said = [line for line in lines if "clock difference" in line]
        assert len(said) == 1 and "changed during the job" in said[0], lines
        assert not [line for line in lines if "s ahead of Pipedrive's" in line], lines
    finally:
        store.close()
