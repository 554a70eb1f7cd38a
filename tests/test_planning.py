"""jobs.planning: tokens from the op table, time from the burst window, days from the budget."""

from __future__ import annotations

import io
import math
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.plans import Limits, plan_limits
from bulk.runner import Runner
from bulk.scheduler import BudgetPolicy, Scheduler
from bulk.store import AsyncJobStore, JobStore
from bulk.transport import MockTransport, Request, Response
from jobs.planning import (
    LOCAL_SECONDS_PER_WRITE,
    _write_seconds,
    closed_loop_rate,
    estimate,
    render_plan,
)
from jobs.touch import TouchJob, touch_items

GROWTH = Limits(burst=40, window=2.0, daily_tokens=60_000)


def test_tokens_time_and_one_day() -> None:
    """1,000 creates + 1 page: 5,010 tokens; 1,001 calls at 40 per rolling 2 s: the last
    one 25 windows after the first (50 s), + latency."""
    plan = estimate("import", {"addDeal": 1000, "getPersons": 1, "getDeals": 0}, GROWTH,
                    rows=1010, bad_rows=10, tokens_left_today=59_000, latency=0.2)
    assert plan.tokens == 5010 and plan.calls == {"addDeal": 1000, "getPersons": 1}
    assert abs(plan.seconds - (25 * 2.0 + 0.2)) < 1e-9
    assert plan.days == 1 and plan.share_of_today is not None
    assert abs(plan.share_of_today - 5010 / 59_000) < 1e-12
    data = plan.to_json()
    assert data["tokens_by_operation"] == {"addDeal": 5000, "getPersons": 10}


def test_a_plan_with_its_failed_rows_has_a_short_repr_and_a_one_level_json() -> None:
    """Issue 8: asyncio's repr of the task that returned a plan built the whole repr of its
    1,000 failed rows (~4 MB at a 1,000,000-row plan's end), and to_json deep-copied them."""
    import dataclasses

    rows = [{"row": n, "reason": "bad", "values": {"title": "x" * 200}} for n in range(1000)]
    plan = dataclasses.replace(
        estimate("import", {"addDeal": 1}, GROWTH, rows=2000, bad_rows=1000,
                 tokens_left_today=None, latency=0.2), failed_rows=rows)
    assert len(repr(plan)) < 200 and "rows=2000" in repr(plan)
    assert plan.to_json()["failed_rows"] is rows


def test_a_few_calls_past_one_window_take_a_window() -> None:
    """Issue 11 (v11r6 4): `plan dedupe` said "time: about 0 s" for 46 calls at 40 per 2 s;
    the 41st call goes a whole window after the first: about 2 s."""
    plan = estimate("dedupe", {"getDeals": 6, "mergeDeals": 40}, GROWTH, rows=40, bad_rows=0,
                    tokens_left_today=None, latency=0.2)
    assert plan.seconds == pytest.approx(2.2)
    assert "time: about 2 s at 40 requests per 2 s" in _rendered(plan)
    few = estimate("dedupe", {"mergeDeals": 1}, GROWTH, rows=1, bad_rows=0,
                   tokens_left_today=None, latency=0.2)
    assert "time: about under 1 s" not in _rendered(few) and "under 1 s" in _rendered(few)


def test_spill_into_other_days_is_said() -> None:
    """100,000 tokens with 10,000 left today and 60,000 a day: three days, and a note."""
    plan = estimate("import", {"addDeal": 20_000}, GROWTH, rows=20_000, bad_rows=0,
                    tokens_left_today=10_000)
    assert plan.days == 3 and any("days" in n for n in plan.notes)
    out = io.StringIO()
    render_plan(plan, console=Console(file=out, width=120))
    text = out.getvalue()
    assert "addDeal" in text and "100,000" in text and "2 more day" in text


def _rendered(plan: object) -> str:
    out = io.StringIO()
    render_plan(plan, console=Console(file=out, width=200))  # type: ignore[arg-type]
    return out.getvalue()


def test_the_plan_states_one_daily_budget() -> None:
    """--plan said 30,000 a day but the API's headers said 60,000: the plan said "59,940
    tokens left today (daily budget 30,000)" (issue 10 finding). The budget the API
    reported is the one shown and used for days; the tokens left never exceed it."""
    lite = Limits(burst=40, window=2.0, daily_tokens=30_000)
    plan = estimate("import", {"addDeal": 10_000}, lite, rows=10_000, bad_rows=0,
                    tokens_left_today=59_940, daily_tokens=60_000)
    text = _rendered(plan)
    assert "of the 59,940 tokens left today (daily budget 60,000)" in text
    assert plan.days == 1 and plan.daily_tokens == 60_000
    plan = estimate("import", {"addDeal": 10_000}, lite, rows=10_000, bad_rows=0,
                    tokens_left_today=59_940)
    assert "of the 30,000 tokens left today (daily budget 30,000)" in _rendered(plan)
    assert plan.days == 2


def test_searches_are_bound_by_the_search_window() -> None:
    """200 searches at 10 per 2 s take ~38 s even though the burst allows 20 per s."""
    plan = estimate("naive", {"searchPersons": 200}, GROWTH, rows=200, bad_rows=0,
                    tokens_left_today=None, latency=0.0)
    assert abs(plan.seconds - 190 / 5) < 1e-9 and plan.tokens == 4000


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_days_are_enough_for_the_tokens(creates: int, left: int) -> None:
    """Whatever the numbers, today's remainder plus (days - 1) full budgets covers the job."""
    plan = estimate("import", {"addDeal": creates}, GROWTH, rows=creates, bad_rows=0,
                    tokens_left_today=left)
    covered = min(left, GROWTH.daily_tokens)  # never more left than a day holds
    assert covered + (plan.days - 1) * GROWTH.daily_tokens >= plan.tokens
    assert plan.days == 1 or covered + (plan.days - 2) * GROWTH.daily_tokens < plan.tokens


def test_run_time_prices_the_decide_phase_and_the_key_field_round_trips() -> None:
    """With a measured load, the estimate adds the measured time of deciding every row (the
    run does it again before its first write) and, when the key field is to be created, two
    serial round trips (fields pulled again under the claim, then the field created)."""
    calls = {"getDealFields": 1, "addDeal": 300, "addPerson": 40}
    ultimate = plan_limits("ultimate", auth="oauth")
    base = estimate("import", calls, ultimate, rows=300, bad_rows=0, tokens_left_today=None,
                    load_seconds=0.2, latency=0.04)
    decided = estimate("import", calls, ultimate, rows=300, bad_rows=0, tokens_left_today=None,
                       load_seconds=0.2, latency=0.04, decide_seconds=0.25)
    assert decided.seconds == pytest.approx(base.seconds + 0.25)
    keyed = estimate("import", {**calls, "addDealField": 1, "getDealFields": 2}, ultimate,
                     rows=300, bad_rows=0, tokens_left_today=None, load_seconds=0.2,
                     latency=0.04)
    in_flight = math.ceil(ultimate.burst / ultimate.window * 0.04 * 1.5) + 2
    one_more_write = 1 / closed_loop_rate(in_flight, 0.04, LOCAL_SECONDS_PER_WRITE)
    assert keyed.seconds == pytest.approx(base.seconds + 2 * 0.04 + one_more_write)


@given(in_flight=st.integers(1, 64), latency=st.floats(1e-3, 2.0),
       local=st.floats(1e-5, 0.05))
def test_closed_loop_rate_lies_between_no_queueing_and_a_saturated_cpu(
        in_flight: int, latency: float, local: float) -> None:
    """Never faster than the round trips allow with no wait for the CPU, nor than the CPU
    alone allows; one call in flight never queues; more in flight is never slower."""
    rate = closed_loop_rate(in_flight, latency, local)
    assert rate <= in_flight / (latency + local) * (1 + 1e-9)
    assert rate <= 1 / local * (1 + 1e-9)
    assert closed_loop_rate(1, latency, local) == pytest.approx(1 / (latency + local))
    assert closed_loop_rate(in_flight + 1, latency, local) >= rate * (1 - 1e-9)


def test_writes_bound_by_the_cpu_take_longer_than_the_round_trips_alone() -> None:
    """300 writes at 10 ms with 2 ms (this machine's) or 3 ms of CPU each: the CPU (0.6 /
    0.9 s), not the six calls in flight (0.5 s), bounds them; with no CPU cost the
    round-trip bound alone is back."""
    ultimate = plan_limits("ultimate", auth="oauth")
    calls = {"addDeal": 300}
    cpu = estimate("import", calls, ultimate, rows=300, bad_rows=0, tokens_left_today=None,
                   load_seconds=0.0, latency=0.01)
    free = _write_seconds(calls, ultimate, 0.01, 64, local_seconds=0.0)
    assert free == pytest.approx(300 * 0.01 / 6 + 0.01)
    assert cpu.seconds >= 300 * LOCAL_SECONDS_PER_WRITE
    assert cpu.seconds > 1.3 * free
    assert _write_seconds(calls, ultimate, 0.01, 64, local_seconds=0.003) > 1.8 * free


def test_json_seconds_keep_hundredths() -> None:
    """--json keeps the estimate to 0.01 s: a one-second job rounded to tenths is off 5 %."""
    plan = estimate("import", {"addDeal": 10}, GROWTH, rows=10, bad_rows=0,
                    tokens_left_today=None, latency=0.123)
    assert plan.to_json()["seconds"] == round(plan.seconds, 2) == 0.12


@pytest.mark.anyio
async def test_runner_counts_answered_calls_and_their_round_trips(tmp_path: Path) -> None:
    """The round trip plan import prices its writes with: RunStats counts every answered
    call and sums their time (virtual here: each answer takes 0.05 s of the fake clock)."""
    clock = FakeClock()

    async def slow(request: Request) -> Response:
        await clock.sleep(0.05)
        return Response(200, {}, orjson.dumps({"success": True, "data": {"id": 1}}))

    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    store.add_items(touch_items(range(1, 21), {"x": 1}))
    sched = Scheduler(Limits(burst=40), clock=clock, budget=BudgetPolicy())
    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(slow))
    runner = Runner(AsyncJobStore(store), TouchJob(), client, sched, clock=clock, seed=1)
    async with client:
        await runner.run()
    assert runner.stats.answered == 20 == runner.stats.calls
    assert runner.stats.answer_seconds == pytest.approx(20 * 0.05)


def test_a_plans_json_says_when_its_failed_rows_are_cut() -> None:
    """--json lists the first 1,000 bad rows (plan-failed.csv has all): a reader must be
    able to tell the list is cut without counting (fresh tester v10r4 F4)."""
    from jobs.planning import Plan

    def plan(listed: int, bad: int) -> dict[str, object]:
        return Plan("import", rows=2000, bad_rows=bad, calls={}, tokens=0, tokens_left_today=None,
                    seconds=0.0, days=0, failed_rows=[{"row": n} for n in range(listed)]).to_json()

    assert plan(1000, 1502)["failed_rows_truncated"] is True
    assert plan(12, 12)["failed_rows_truncated"] is False


def test_reads_of_one_record_take_window_slots_like_the_writes() -> None:
    """A re-import whose creates each read the deal an earlier run's claim names first:
    150 getDeal and 150 addDeal at 40 requests per 2 s are 13 s of window, not the 5.5 s
    of the writes alone (v10r31: the plan was 0.39 of the run). List pulls stay in the
    measured load phase."""
    calls = {"getDeal": 150, "addDeal": 150, "getDeals": 1, "getPersons": 1}
    plan = estimate("import", calls, GROWTH, rows=150, bad_rows=0, tokens_left_today=None,
                    load_seconds=0.0, latency=0.01)
    rate = GROWTH.burst / GROWTH.window
    assert plan.seconds >= (300 - GROWTH.burst) / rate
    assert plan.seconds < (302 - GROWTH.burst) / rate + 1.0


def test_a_plan_over_the_max_tokens_cap_says_where_the_run_stops() -> None:
    """x10r2: `move-stage ... --max-tokens 300` on a 930-token job was planned "fits in
    today's budget", then stopped at 300 tokens (exit 4) and twice more on resume."""
    from jobs.planning import render_plan

    calls = {"updateDeal": 180, "getDeals": 3}  # 930 tokens
    capped = estimate("move-stage", calls, GROWTH, rows=180, bad_rows=0,
                      tokens_left_today=None, max_tokens=300)
    assert capped.tokens == 930 and capped.max_tokens == 300
    assert any("--max-tokens, BudgetPolicy.max_tokens is 300" in n and "at least 4 runs" in n
               for n in capped.notes)  # the library's words: flag and field (x48r9 F2)
    out = io.StringIO()
    render_plan(capped, console=Console(file=out, width=200, markup=False))
    assert "stops at --max-tokens 300" in out.getvalue()
    assert "fits in today's budget" not in out.getvalue()
    free = estimate("move-stage", calls, GROWTH, rows=180, bad_rows=0,
                    tokens_left_today=None, max_tokens=5000)
    assert not any("--max-tokens" in n for n in free.notes)


def test_machine_pace_is_the_samples_time_over_the_reference(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A sample that takes three reference samples' time is a pace of 3; the clamp holds
    a pace far off either way (x15: a machine twice as slow ran twice the plan)."""
    from jobs import planning

    ticks = iter(range(1000))
    monkeypatch.setattr(planning.time, "perf_counter",
                        lambda: next(ticks) * 3 * planning.PACE_REFERENCE_SECONDS)
    assert planning.machine_pace(samples=1) == pytest.approx(3.0)
    monkeypatch.setattr(planning.time, "perf_counter",
                        lambda: next(ticks) * 1000 * planning.PACE_REFERENCE_SECONDS)
    assert planning.machine_pace(samples=1) == 10.0
    monkeypatch.setattr(planning.time, "perf_counter", lambda: next(ticks) * 1e-9)
    assert planning.machine_pace(samples=1) == 0.25


def test_a_slower_machine_prices_each_write_longer() -> None:
    """The CPU-bound writes of 300 rows at 10 ms: twice the CPU per write (a machine at
    pace 2) is at least what the CPU alone takes, and most of twice the write phase."""
    ultimate = plan_limits("ultimate", auth="oauth")
    calls = {"addDeal": 300}
    idle = estimate("import", calls, ultimate, rows=300, bad_rows=0, tokens_left_today=None,
                    load_seconds=0.0, latency=0.01)
    slow = estimate("import", calls, ultimate, rows=300, bad_rows=0, tokens_left_today=None,
                    load_seconds=0.0, latency=0.01,
                    local_seconds=2 * LOCAL_SECONDS_PER_WRITE)
    assert slow.seconds >= 300 * 2 * LOCAL_SECONDS_PER_WRITE
    assert slow.seconds > 1.6 * idle.seconds


def test_a_run_on_a_shared_coordinator_is_planned_with_its_company_read(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """x16r1 F4: a run on a shared coordinator first reads GET /v1/users/me (its company,
    2 tokens); the plan left it out (2,090 planned, 2,092 charged)."""
    from bulk.plans import Limits
    from jobs.planning import estimate

    monkeypatch.delenv("PDBULK_COORDINATOR", raising=False)
    alone = estimate("update", {"updateDeal": 10}, Limits(burst=40), rows=10, bad_rows=0,
                     tokens_left_today=None)
    monkeypatch.setenv("PDBULK_COORDINATOR", "redis://127.0.0.1:6390/0")
    shared = estimate("update", {"updateDeal": 10}, Limits(burst=40), rows=10, bad_rows=0,
                      tokens_left_today=None)
    assert "getCurrentUser" not in alone.calls and shared.calls["getCurrentUser"] == 1
    assert shared.tokens == alone.tokens + 2


@pytest.mark.parametrize("kind", ["update", "move-stage", "merge", "undo", "import",
                                  "update (resume)"])
def test_a_plan_of_writes_names_the_in_doubt_re_reads_and_their_cost(kind: str) -> None:
    """A plan with writes names, in its notes, the reads a write in doubt makes before
    anything is sent again — getArchivedDeals among them, with its cost — and that they
    and the retried reads come on top (x22r3: plan update showed no getArchivedDeals; the
    run under faults made 3); a plan of reads only has no such note."""
    limits = plan_limits("ultimate")
    write = "addDeal" if kind == "import" else "updateDeal"
    plan = estimate(kind, {"getDeals": 5, write: 2500}, limits, rows=2500, bad_rows=0,
                    tokens_left_today=None)
    (note,) = [n for n in plan.notes if "in doubt" in n]
    assert "getArchivedDeals (20 tokens each)" in note and "getDeals (10 tokens each)" in note
    assert "sent again" in note and "on top" in note
    reads = estimate(kind, {"getDeals": 5}, limits, rows=5, bad_rows=0, tokens_left_today=None)
    assert not [n for n in reads.notes if "in doubt" in n]
