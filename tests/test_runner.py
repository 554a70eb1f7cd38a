"""The runner: every item done exactly once through retries, 429s, in-doubt writes and stops."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.calls import CallContext
from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.errors import AnswerLost, TransportError
from bulk.plans import Limits
from bulk.retry import RetryPolicy
from bulk.runner import Runner
from bulk.scheduler import BudgetPolicy, Scheduler
from bulk.store import AsyncJobStore, Item, ItemState, JobStore, NewItem, Outcome
from bulk.transport import MockTransport, Request, Response
from jobs.touch import TouchJob, touch_items

OK_HEADERS = {"content-type": "application/json"}


def reply(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, {**OK_HEADERS, **(headers or {})}, orjson.dumps(body))


class FakePipedrive:
    """A scripted server: per-id failure plans, counts of applied writes."""

    def __init__(self, plans: dict[int, list[str]] | None = None) -> None:
        self.plans = plans or {}
        self.applied: Counter[int] = Counter()
        self.created: list[dict[str, Any]] = []
        self.calls = 0

    def __call__(self, req: Request) -> Response:
        self.calls += 1
        if req.method == "POST":
            return self.create(req)
        if req.method == "GET":
            return reply(200, {"success": True, "data": self.created,
                               "additional_data": {"next_cursor": None}})
        deal_id = int(re.search(r"/deals/(\d+)", req.url).group(1))  # type: ignore[union-attr]
        plan = self.plans.get(deal_id, [])
        step = plan.pop(0) if plan else "ok"
        if step == "500":
            return reply(500, {"success": False, "error": "boom"})
        if step == "429":
            return reply(429, {"success": False, "error": "Request over limit"},
                         {"x-ratelimit-reset": "1"})
        if step == "404":
            return reply(404, {"success": False, "error": "Deal not found"})
        if step == "drop":
            raise AnswerLost("connection reset")
        if step == "401":
            return reply(401, {"success": False, "error": "unauthorized access"})
        self.applied[deal_id] += 1
        return reply(200, {"success": True, "data": {"id": deal_id, "update_time": "t"}})

    def create(self, req: Request) -> Response:
        body = orjson.loads(req.body or b"{}")
        key = body["title"]
        deal = {"id": len(self.created) + 1, "title": key}
        self.created.append(deal)
        plan = self.plans.get(-1, [])
        if plan and plan[0] == key:
            plan.pop(0)
            raise AnswerLost("response lost")
        nulls = self.plans.get(-2, [])
        if nulls and nulls[0] == key:  # applied, but the answer's data is null
            nulls.pop(0)
            return reply(201, {"success": True, "data": None})
        return reply(201, {"success": True, "data": deal})


class CreateJob:
    """A create job kind whose reconcile looks the title up in a list (as imports do)."""

    name = "create"

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        res = await ctx.call("addDeal", json={"title": item.key})
        return Outcome(item.id, ItemState.DONE, result={"deal_id": res.data["id"]})

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        pages = await ctx.pages("getDeals", params={"sort_by": "add_time"})
        found = {d["title"]: d["id"] for p in pages for d in p.data}
        return [Outcome(i.id, ItemState.DONE, result={"deal_id": found[i.key]})
                if i.key in found else Outcome(i.id, ItemState.PENDING) for i in items]


async def run(tmp: Path, kind: Any, items: list[NewItem], fake: FakePipedrive, *,
              burst: int = 40, **kw: Any) -> tuple[Runner, Any, JobStore]:
    clock = FakeClock()
    store = JobStore.create(tmp / "job", job_id="j", kind=kind.name, config={})
    store.add_items(items)
    sched = Scheduler(Limits(burst=burst), clock=clock, budget=kw.pop("budget", BudgetPolicy()))
    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(fake))
    runner = Runner(AsyncJobStore(store), kind, client, sched, clock=clock, seed=1, **kw)
    async with client:
        result = await runner.run()
    return runner, result, store


@pytest.mark.anyio
async def test_touch_job_is_done_exactly_once_through_faults(tmp_path: Path) -> None:
    """500s are retried (PATCH is idempotent), a drop puts its row in doubt (a write that may
    have applied is never sent again unread: x17r2 1; touch's reconcile sends it again),
    429s pause, 404 fails only its row."""
    fake = FakePipedrive({3: ["500", "500"], 5: ["429", "429"], 7: ["404"], 9: ["drop"]})
    runner, result, store = await run(tmp_path, TouchJob(), list(touch_items(range(1, 201), {"x": 1})), fake)
    assert not result.stopped
    assert result.counts[ItemState.DONE] == 199 and result.counts[ItemState.FAILED] == 1
    failed = list(store.items(ItemState.FAILED))
    assert failed[0].payload["deal_id"] == 7 and failed[0].status == 404
    assert all(n == 1 for n in fake.applied.values()) and len(fake.applied) == 199
    assert runner.stats.rate_limited == 2 and runner.stats.retries == 2
    assert runner.stats.in_doubt == 1 and runner.stats.reconciled == 1
    spend = store.spend_by_operation()
    # every call charged in the ledger, once: 429s and 5xx are not charged (f31c: their
    # calls were kept, the ledger said 205 calls for 201 charged)
    assert spend["updateDeal"] == (5 * (fake.calls - 4), fake.calls - 4)


@pytest.mark.anyio
async def test_rate_is_the_allowed_rate_in_virtual_time(tmp_path: Path) -> None:
    """400 PATCHes at 40 per 2 s take 10 windows of virtual time, no more."""
    fake = FakePipedrive()
    clock_runner, result, _ = await run(tmp_path, TouchJob(), list(touch_items(range(400), {})), fake)
    now = clock_runner.clock.now()
    assert result.counts[ItemState.DONE] == 400
    assert 18.0 <= now <= 2.04 * 10 + 0.5


@pytest.mark.anyio
async def test_in_doubt_create_is_reconciled_not_resent(tmp_path: Path) -> None:
    """A create whose response was lost is found by reconcile: one deal per key, none doubled."""
    fake = FakePipedrive({-1: ["k3", "k8"]})
    items = [NewItem(row=n, key=f"k{n}", op="create", payload={}) for n in range(1, 21)]
    runner, result, store = await run(tmp_path, CreateJob(), items, fake)
    titles = Counter(d["title"] for d in fake.created)
    assert set(titles) == {f"k{n}" for n in range(1, 21)} and max(titles.values()) == 1
    assert result.counts[ItemState.DONE] == 20 and runner.stats.in_doubt == 2
    ids = {i.key: i.result["deal_id"] for i in store.items(ItemState.DONE) if i.result}
    assert ids["k3"] == next(d["id"] for d in fake.created if d["title"] == "k3")


@pytest.mark.anyio
async def test_terminal_error_stops_checkpointed(tmp_path: Path) -> None:
    """A 401 stops the job: nothing failed, nothing lost, the rest is pending for resume."""
    fake = FakePipedrive({50: ["401"]})
    _, result, store = await run(tmp_path, TouchJob(), list(touch_items(range(1, 301), {})), fake,
                                 burst=10)
    assert result.stopped and type(result.error).__name__ == "Unauthorized"
    counts = store.counts()
    assert counts.get(ItemState.FAILED, 0) == 0 and counts.get(ItemState.SENDING, 0) == 0
    assert counts[ItemState.PENDING] > 0
    assert counts[ItemState.DONE] == sum(fake.applied.values())


@pytest.mark.anyio
async def test_budget_cap_stops_and_resume_finishes(tmp_path: Path) -> None:
    """--max-tokens stops the job checkpointed; a second run finishes the rest exactly once."""
    fake = FakePipedrive()
    _, result, store = await run(tmp_path, TouchJob(), list(touch_items(range(1, 101), {})), fake,
                                 budget=BudgetPolicy(max_tokens=200))
    assert result.stopped and type(result.error).__name__ == "BudgetExhausted"
    assert store.counts()[ItemState.DONE] == 40
    clock = FakeClock()
    sched = Scheduler(Limits(burst=40), clock=clock)
    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(fake))
    async with client:
        again = await Runner(AsyncJobStore(store), TouchJob(), client, sched, clock=clock).run()
    assert not again.stopped and again.counts[ItemState.DONE] == 100
    assert sorted(fake.applied) == list(range(1, 101)) and max(fake.applied.values()) == 1


@pytest.mark.anyio
async def test_null_data_on_a_create_is_a_malformed_answer_reconciled(tmp_path: Path) -> None:
    """A 2xx whose data is null is the client's MalformedResponse, never a TypeError in a
    job kind: the create is in doubt, reconciled, one deal per key."""
    fake = FakePipedrive({-2: ["k4"]})
    items = [NewItem(row=n, key=f"k{n}", op="create", payload={}) for n in range(1, 9)]
    runner, result, store = await run(tmp_path, CreateJob(), items, fake)
    assert not result.stopped and result.counts[ItemState.DONE] == 8
    assert Counter(d["title"] for d in fake.created)["k4"] == 1 and runner.stats.in_doubt == 1
    assert store.status == "finished"


class BuggyJob(CreateJob):
    """A job kind with a bug: one row raises a plain exception after its create was sent."""

    def __init__(self, bad: str) -> None:
        self.bad = bad

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        outcome = await super().execute(ctx, item)
        if item.key == self.bad:
            raise KeyError("deal_id")
        return outcome


@pytest.mark.anyio
async def test_unexpected_exception_stops_checkpointed_and_resume_reconciles(
        tmp_path: Path) -> None:
    """One exception boundary: no ExceptionGroup escapes; the job stops with the error
    recorded and its status set; the item in flight is in doubt and reconciled on resume
    (found, not re-sent)."""
    fake = FakePipedrive()
    items = [NewItem(row=n, key=f"k{n}", op="create", payload={}) for n in range(1, 41)]
    _, result, store = await run(tmp_path, BuggyJob("k7"), items, fake, burst=10)
    assert result.stopped and type(result.error).__name__ == "Unexpected"
    assert "deal_id" in str(result.error)
    assert store.status == "stopped" and "deal_id" in (store.status_message or "")
    assert store.counts()[ItemState.SENDING] >= 1  # in doubt, not failed, not lost
    assert store.counts().get(ItemState.FAILED, 0) == 0
    clock = FakeClock()
    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(fake))
    async with client:
        again = await Runner(AsyncJobStore(store), CreateJob(), client,
                             Scheduler(Limits(burst=40), clock=clock), clock=clock).run()
    assert not again.stopped and again.counts[ItemState.DONE] == 40
    titles = Counter(d["title"] for d in fake.created)
    assert set(titles) == {f"k{n}" for n in range(1, 41)} and max(titles.values()) == 1
    assert store.status == "finished"


@pytest.mark.anyio
async def test_unexpected_exception_in_reconcile_stops_cleanly(tmp_path: Path) -> None:
    class BadReconcile(CreateJob):
        async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
            raise ValueError("cannot parse the page")

    fake = FakePipedrive({-1: ["k2"]})
    items = [NewItem(row=n, key=f"k{n}", op="create", payload={}) for n in range(1, 5)]
    _, result, store = await run(tmp_path, BadReconcile(), items, fake)
    assert result.stopped and "cannot parse the page" in str(result.error)
    assert store.counts()[ItemState.SENDING] == 1 and store.status == "stopped"


@pytest.mark.anyio
async def test_a_transient_fault_that_outlives_retries_stops_the_job_not_the_row(
        tmp_path: Path) -> None:
    """Issue 9 §12: 500s past the call's retries mean the account is not answering: the
    row stays pending (never failed), the job stops checkpointed, a resume finishes it."""
    fake = FakePipedrive({4: ["500"] * 5})
    _, result, store = await run(tmp_path, TouchJob(), list(touch_items(range(1, 11), {})), fake,
                                 burst=4)
    assert result.stopped and "not answering" in str(result.error)
    counts = store.counts()
    assert counts.get(ItemState.FAILED, 0) == 0 and counts[ItemState.PENDING] >= 1
    clock = FakeClock()
    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(fake))
    async with client:
        again = await Runner(AsyncJobStore(store), TouchJob(), client,
                             Scheduler(Limits(burst=40), clock=clock), clock=clock).run()
    assert not again.stopped and again.counts[ItemState.DONE] == 10
    assert sorted(fake.applied) == list(range(1, 11)) and max(fake.applied.values()) == 1


@pytest.mark.anyio
async def test_lost_answers_past_the_attempt_limit_stop_the_job_not_the_row(
        tmp_path: Path) -> None:
    """A create whose answer is lost and that reconcile finds not applied, again and again:
    the row stays pending (never "gave up after 5 attempts in doubt")."""

    class NeverApplied(CreateJob):
        async def execute(self, ctx: CallContext, item: Item) -> Outcome:
            if item.key == "k2":
                from bulk.errors import InDoubt
                raise InDoubt("answer lost")
            return await super().execute(ctx, item)

        async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
            return [Outcome(i.id, ItemState.PENDING) for i in items]

    items = [NewItem(row=n, key=f"k{n}", op="create", payload={}) for n in range(1, 4)]
    _, result, store = await run(tmp_path, NeverApplied(), items, FakePipedrive())
    assert result.stopped and "resume later" in str(result.error)
    assert store.counts().get(ItemState.FAILED, 0) == 0
    assert store.counts()[ItemState.PENDING] == 1


@pytest.mark.anyio
async def test_waiting_for_a_dependency_is_not_an_attempt(tmp_path: Path) -> None:
    """A row that only waited (PENDING, unsent) gets its attempt back."""

    class Waits(CreateJob):
        def __init__(self) -> None:
            self.waits = 3

        async def execute(self, ctx: CallContext, item: Item) -> Outcome:
            if item.key == "k1" and self.waits:
                self.waits -= 1
                return Outcome(item.id, ItemState.PENDING, unsent=True)
            return await super().execute(ctx, item)

    items = [NewItem(row=n, key=f"k{n}", op="create", payload={}) for n in range(1, 3)]
    _, result, store = await run(tmp_path, Waits(), items, FakePipedrive())
    assert not result.stopped and result.counts[ItemState.DONE] == 2
    assert all(i.attempts == 1 for i in store.items(ItemState.DONE))


@pytest.mark.anyio
async def test_a_stop_ends_every_wait_on_another_item(tmp_path: Path) -> None:
    """An item waiting (``ctx.wait``) on another item's outcome that never comes is woken
    by the stop a terminal error of a third item requests: the run ends, the waiter goes
    back to pending with its attempt given back (a dedupe resume used to hang here)."""
    import anyio

    class Depends(CreateJob):
        def __init__(self) -> None:
            self.never = anyio.Event()

        async def execute(self, ctx: CallContext, item: Item) -> Outcome:
            if item.key == "k1":
                await ctx.wait(self.never)
            return await super().execute(ctx, item)

    class Refuses(FakePipedrive):
        def create(self, req: Request) -> Response:
            return reply(401, {"success": False, "error": "unauthorized access"})

    fake = Refuses()
    items = [NewItem(row=n, key=f"k{n}", op="create", payload={}) for n in range(1, 3)]
    with anyio.fail_after(10):
        _, result, store = await run(tmp_path, Depends(), items, fake)
    assert result.stopped and type(result.error).__name__ == "Unauthorized"
    waiter = next(i for i in store.items() if i.key == "k1")
    assert waiter.state is ItemState.PENDING and waiter.attempts == 0


@pytest.mark.anyio
async def test_reconcile_reads_that_keep_failing_are_retried_with_backoff(
        tmp_path: Path) -> None:
    """Issue 9 §12: a reconciliation page read that failed past its call's retries does not
    stop the job at once: the reconcile backs off and tries again."""

    class FlakyReconcile(CreateJob):
        def __init__(self) -> None:
            self.failures = 3

        async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
            if self.failures:
                self.failures -= 1
                raise TransportError("connection reset while reading a page")
            return await super().reconcile(ctx, items)

    fake = FakePipedrive({-1: ["k3"]})
    items = [NewItem(row=n, key=f"k{n}", op="create", payload={}) for n in range(1, 6)]
    runner, result, _ = await run(tmp_path, FlakyReconcile(), items, fake)
    assert not result.stopped and result.counts[ItemState.DONE] == 5
    assert Counter(d["title"] for d in fake.created)["k3"] == 1
    assert runner.clock.now() > 0  # it waited (virtual time) between the rounds


def test_backoff_is_capped_and_grows() -> None:
    import random

    policy = RetryPolicy(base=0.5, cap=4.0)
    rng = random.Random(0)
    waits = [policy.backoff(n, rng) for n in range(1, 10)]
    assert all(0 < w <= 4.0 for w in waits)
    assert waits[0] <= 0.5 and waits[-1] >= 2.0


@pytest.mark.anyio
@pytest.mark.parametrize("items", [300, 1000])
async def test_outcomes_are_checkpointed_in_batches_and_none_is_dropped(
        tmp_path: Path, items: int) -> None:
    """At 150 ± 50 ms latency answers trickle in one at a time; the writer still
    commits many outcomes per transaction, and cancelling its timer at the end of a
    pass drops none: no item is left SENDING to be reconciled. (The spend is written
    ahead of each call, ``bulk.ledger._Ahead``: those writes carry no outcomes.)"""
    import random

    clock = FakeClock()
    rng = random.Random(7)
    fake = FakePipedrive()

    async def slow(req: Request) -> Response:
        await clock.sleep(0.15 + rng.uniform(-0.05, 0.05))
        return fake(req)

    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    store.add_items(touch_items(range(1, items + 1), {"x": 1}))
    writes = 0

    class Counting(AsyncJobStore):
        __slots__ = ()

        async def record(self, *args: Any, **kw: Any) -> None:  # type: ignore[override]
            nonlocal writes
            writes += bool(args and args[0])  # a write of outcomes
            await super().record(*args, **kw)

    astore = Counting(store)
    sched = Scheduler(Limits(burst=400), clock=clock)
    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(slow))
    runner = Runner(astore, TouchJob(), client, sched, clock=clock, seed=1)
    async with client:
        result = await runner.run()
    assert result.counts[ItemState.DONE] == items and not result.stopped
    assert runner.stats.reconciled == 0 and len(fake.applied) == items
    assert writes <= items / 8, writes  # one commit per item before batching
    assert store.spend_by_operation()["updateDeal"] == (5 * items, items)


@pytest.mark.anyio
async def test_a_runs_pages_are_the_one_pagination_loop(tmp_path: Path) -> None:
    """CallContext.paginate / pages: v2 by cursor, v1 by start (a v1 list past its first
    page used to be read as one page), a caller that stops iterating pays for no further
    page, and a cursor the server repeats stops with MalformedResponse, not a loop."""
    from bulk.errors import MalformedResponse

    calls: list[str] = []

    def server(req: Request) -> Response:
        calls.append(req.url)
        if "/v1/users" in req.url:
            start = int(re.search(r"start=(\d+)", req.url).group(1)) if "start=" in req.url else 0  # type: ignore[union-attr]
            more = start < 2
            return reply(200, {"success": True, "data": [{"id": start + 1}, {"id": start + 2}],
                               "additional_data": {"pagination": {
                                   "start": start, "limit": 2, "more_items_in_collection": more,
                                   "next_start": start + 2 if more else None}}})
        cursor = re.search(r"cursor=(\w+)", req.url)
        n = int(cursor.group(1)[1:]) if cursor else 0
        nxt = "c1" if "repeat" in req.url else (f"c{n + 1}" if n < 2 else None)
        return reply(200, {"success": True, "data": [{"id": n}],
                           "additional_data": {"next_cursor": nxt}})

    clock = FakeClock()
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(server))
    runner = Runner(AsyncJobStore(store), TouchJob(), client,
                    Scheduler(Limits(burst=40), clock=clock), clock=clock, seed=1)
    async with client:
        pages = await runner.ctx.pages("getDeals")
        assert [p.data[0]["id"] for p in pages] == [0, 1, 2] and len(calls) == 3
        calls.clear()
        async for _page in runner.ctx.paginate("getDeals"):
            break
        assert len(calls) == 1
        users = await runner.ctx.pages("getUsers", limit=2)
        assert [u["id"] for p in users for u in p.data] == [1, 2, 3, 4]
        with pytest.raises(MalformedResponse, match="did not advance"):
            await runner.ctx.pages("getDeals", params={"term": "repeat"})
    assert runner.stats.calls_by_operation["getUsers"] == 2  # scheduled and counted


@pytest.mark.anyio
@pytest.mark.parametrize("why", ["cap", "ctrl-c"])
async def test_a_spent_budget_still_sends_the_calls_it_admitted(tmp_path: Path, why: str) -> None:
    """Another call's refusal by the job's cap can stop the run between a call's admission
    and its send (a task finishing a call goes straight on to its next row, which the cap
    refuses, before the admitted tasks run). Those calls were admitted within the cap: they
    still go out. A stop for any other reason (Ctrl-C) still drops them. Before, a run
    capped at 50 tokens sometimes ended having spent 5 (test_cli, on a loaded machine)."""
    from bulk.errors import BudgetExhausted

    fake = FakePipedrive()
    clock = FakeClock()
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    runner: Runner | None = None

    class StoppedAfterAdmission(Scheduler):
        async def acquire(self, op: Any, *, hold: bool = False, waiting: Any = None) -> float:
            at = await super().acquire(op, hold=hold, waiting=waiting)
            assert runner is not None
            runner.request_stop(BudgetExhausted("the job's cap of 50 tokens is spent", cap=50)
                                if why == "cap" else None)
            return at

    sched = StoppedAfterAdmission(Limits(burst=40), clock=clock,
                                  budget=BudgetPolicy(max_tokens=50))
    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(fake))
    runner = Runner(AsyncJobStore(store), None, client, sched, clock=clock, seed=1)
    async with client:
        if why == "cap":
            await runner.ctx.call("updateDeal", path={"id": 1}, json={"probability": 7})
            assert fake.applied == {1: 1}
        else:
            from bulk.errors import Stopped
            with pytest.raises(Stopped):
                await runner.ctx.call("updateDeal", path={"id": 1}, json={"probability": 7})
            assert fake.applied == {} and sched.statistics().tokens_spent == 0
    store.close()


@pytest.mark.anyio
async def test_a_stop_ends_a_wait_for_another_run(tmp_path: Path) -> None:
    """A row waiting (bounded) for another run's claim ends at once on a stop: Stopped, not
    the bound (SIGTERM took ~100 s behind a frozen run's claims: fresh tester v12r5). A
    spent budget's drain leaves such waits alone (no new row starts anyway)."""
    import anyio

    from bulk.runner import Stopped

    clock = FakeClock()
    sched = Scheduler(Limits(burst=40), clock=clock)
    client = PipedriveClient("http://127.0.0.1:9", "tok",
                             transport=MockTransport(FakePipedrive()))
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    runner = Runner(AsyncJobStore(store), None, client, sched, clock=clock)
    ended: list[str] = []
    released = anyio.Event()

    async def waiter() -> None:
        try:
            await runner.ctx.until_stopped(released.wait())
            ended.append("released")
        except Stopped:
            ended.append("stopped")

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter)
        await anyio.lowlevel.checkpoint()
        assert ended == []
        runner.request_stop()
    assert ended == ["stopped"]
    with pytest.raises(Stopped):  # already stopping: refused at once
        await runner.ctx.until_stopped(released.wait())
    store.close()


class RecheckedTouch(TouchJob):
    """A touch job of final writes with a re-check that sends everything; at one item it
    looks at the job file as a kill -9 there would leave it (a second connection, as a
    resume reads it)."""

    final_writes = True

    def __init__(self, at: int, path: Path) -> None:
        super().__init__()
        self.at, self.path = at, path
        self.seen: list[str] | None = None

    async def recheck(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        return []

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        if item.payload["deal_id"] == self.at:
            import sqlite3

            with sqlite3.connect(self.path) as db:
                self.seen = [r[0] for r in db.execute(
                    "SELECT source_key FROM items WHERE state = 'sending'")]
        return await super().execute(ctx, item)


@pytest.mark.anyio
async def test_a_kill_leaves_only_the_item_in_flight_in_doubt(tmp_path: Path) -> None:
    """x11r1 M1: a re-checked kind's whole batch (16 items at one worker) was marked SENDING
    before the first was sent; a kill left all 16 in doubt, and a resume's reconcile
    claimed merges another run had made since. An item is SENDING only once its write
    leaves (x24r3; those sent before it may still be, their outcomes not yet flushed: they
    were sent): at item 5's start, before its write, none of 5..16 is."""
    kind = RecheckedTouch(5, tmp_path / "job" / "job.sqlite")
    _, result, _ = await run(tmp_path, kind, list(touch_items(range(1, 41), {"x": 1})),
                             FakePipedrive(), max_workers=1)
    assert not result.stopped and result.counts[ItemState.DONE] == 40
    assert kind.seen is not None and max(map(int, kind.seen or ["0"])) < 5, kind.seen


class ReadThenWrite(TouchJob):
    """A final-writes kind whose item reads before it writes (a merge reads its pair)."""

    final_writes = True

    async def recheck(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        return []

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        await ctx.call("getDeals", params={"limit": 1, "ids": item.payload["deal_id"]})
        return await super().execute(ctx, item)


@pytest.mark.anyio
async def test_only_items_whose_write_left_are_in_doubt(tmp_path: Path) -> None:
    """x24r3: a killed dedupe run's store showed 60 merges SENDING (in doubt) while 27 had
    been sent: each worker marked its item as it took it, then read the pair and waited
    for its admission. An item is SENDING only from its write on: as it reads, it is
    pending (a kill there leaves it unsent); as its write arrives, it is SENDING."""
    path = tmp_path / "job" / "job.sqlite"
    fake = FakePipedrive()
    reads: dict[str, str] = {}
    writes: dict[str, str] = {}

    def state(key: str) -> str:
        import sqlite3

        with sqlite3.connect(path) as db:
            return str(db.execute("SELECT state FROM items WHERE source_key = ?",
                                  (key,)).fetchone()[0])

    def handler(req: Request) -> Response:
        if req.method == "GET":
            key = re.search(r"[?&]ids=(\d+)", req.url)[1]  # type: ignore[index]
            reads[key] = state(key)
        elif req.method == "PATCH":
            key = req.url.rsplit("/", 1)[-1].split("?")[0]
            writes[key] = state(key)
        return fake(req)

    clock = FakeClock()
    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    store.add_items(list(touch_items(range(1, 41), {"x": 1})))
    sched = Scheduler(Limits(burst=4), clock=clock)
    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(handler))
    runner = Runner(AsyncJobStore(store), ReadThenWrite(), client, sched, clock=clock, seed=1,
                    max_workers=8)
    async with client:
        result = await runner.run()
    assert not result.stopped and result.counts[ItemState.DONE] == 40
    assert len(reads) == 40 and set(reads.values()) == {"pending"}, reads
    assert len(writes) == 40 and set(writes.values()) == {"sending"}, writes
    store.close()
