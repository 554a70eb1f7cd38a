"""The runner's give-up paths, each executed: retries run out in each failure phase
(never sent, may have arrived, a 5xx answer), a write in doubt, a guard that says no
once the call's wait has outlived its deadline, and the job's token cap spent while a
not-sent call waits to retry. Each asserts the item's state, the error's text and what
the job's ledger counted. A scripted ``MockTransport`` and ``FakeClock``: no real sleep.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.calls import CallContext
from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.errors import AnswerLost, RequestNotSent
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.retry import RetryPolicy
from bulk.runner import Runner, RunResult
from bulk.scheduler import BudgetPolicy, Scheduler
from bulk.store import AsyncJobStore, Item, ItemState, JobStore, NewItem, Outcome
from bulk.transport import MockTransport, Request, Response
from jobs.touch import TouchJob, touch_items

PATCH = get_operation("updateDeal").token_cost
POST = get_operation("addDeal").token_cost
ATTEMPTS = RetryPolicy().attempts


def reply(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, {"content-type": "application/json", **(headers or {})},
                    orjson.dumps(body))


class Server:
    """Scripted Pipedrive: ``plans[key]`` is the list of faults for the next tries of one
    deal id (PATCH) or title (POST): ``refused`` (never arrives), ``lost`` (applied, the
    answer lost), ``badjson`` (applied, answered 200 with a cut-off body), ``500`` (not
    applied), ``429``; then it answers. ``seen`` counts the
    requests that arrived, ``applied`` the writes applied, per deal id / title."""

    def __init__(self, plans: dict[Any, list[str]]) -> None:
        self.plans = plans
        self.seen: Counter[Any] = Counter()
        self.applied: Counter[Any] = Counter()
        self.created: list[dict[str, Any]] = []

    def __call__(self, req: Request) -> Response:
        if req.method == "GET":
            return reply(200, {"success": True, "data": self.created,
                               "additional_data": {"next_cursor": None}})
        if req.method == "POST":
            key: Any = orjson.loads(req.body or b"{}")["title"]
        else:
            key = int(re.search(r"/deals/(\d+)", req.url).group(1))  # type: ignore[union-attr]
        plan = self.plans.get(key, [])
        step = plan.pop(0) if plan else "ok"
        if step == "refused":
            raise RequestNotSent(f"{req.operation}: cannot connect (refused)",
                                 operation=req.operation)
        self.seen[key] += 1
        if step in ("500", "502"):  # not applied (a 502: as a gateway says it)
            return reply(int(step), {"success": False, "error": "boom"})
        if step == "429":
            return reply(429, {"success": False, "error": "Request over limit"},
                         {"x-ratelimit-reset": "5"})
        self.applied[key] += 1
        if req.method == "POST":
            deal = {"id": len(self.created) + 1, "title": key}
            self.created.append(deal)
            data: dict[str, Any] = deal
        else:
            data = {"id": key, "update_time": "t"}
        if step == "badjson":  # applied and charged, its answer cut off on the way
            return Response(200, {"content-type": "application/json"}, b'{"success": tr')
        if step == "lost":
            raise AnswerLost(f"{req.operation}: timed out (read)", operation=req.operation,
                             timeout=True)
        return reply(201 if req.method == "POST" else 200, {"success": True, "data": data})


class CreateJob:
    """Creates a deal per item; reconcile looks its title up (as imports do)."""

    name = "create"

    def __init__(self, guard: Callable[[], Awaitable[bool]] | None = None) -> None:
        self.guard = guard
        self.reconciled: list[str] = []

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        res = await ctx.call("addDeal", json={"title": item.key}, guard=self.guard)
        return Outcome(item.id, ItemState.DONE, result={"deal_id": res.data["id"]})

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        self.reconciled += [i.key for i in items]
        pages = await ctx.pages("getDeals")
        found = {d["title"]: d["id"] for p in pages for d in p.data}
        return [Outcome(i.id, ItemState.DONE, result={"deal_id": found[i.key]})
                if i.key in found else Outcome(i.id, ItemState.PENDING) for i in items]


class Run:
    """One job store; ``go`` runs (or resumes) it on a fresh FakeClock."""

    def __init__(self, tmp: Path, kind: Any, items: list[NewItem], server: Server) -> None:
        self.kind, self.server = kind, server
        self.store = JobStore.create(tmp / "job", job_id="j", kind=kind.name, config={})
        self.store.add_items(items)
        self.clock = FakeClock()

    async def go(self, *, budget: BudgetPolicy | None = None, **kw: Any) -> tuple[Runner,
                                                                                RunResult]:
        sched = Scheduler(Limits(burst=40), clock=self.clock, budget=budget or BudgetPolicy())
        client = PipedriveClient("http://127.0.0.1:9", "tok",
                                 transport=MockTransport(self.server))
        runner = Runner(AsyncJobStore(self.store), self.kind, client, sched, clock=self.clock,
                        seed=1, **kw)
        async with client:
            return runner, await runner.run()

    def state(self, key: str) -> ItemState:
        return next(i.state for i in self.store.items() if i.key == key)

    def tokens(self, op: str) -> int:
        return self.store.spend_by_operation().get(op, (0, 0))[0]


@pytest.mark.anyio
async def test_never_sent_past_its_retries_stops_the_job_charges_nothing(tmp_path: Path) -> None:
    """Every try refused before it left: retried up to the policy's attempts, then the job
    stops checkpointed ("not answering"); the row stays pending (not failed, not in
    doubt: nothing arrived) and no refused try is in the ledger. A resume finishes it."""
    server = Server({4: ["refused"] * ATTEMPTS})
    job = Run(tmp_path, TouchJob(), list(touch_items(range(1, 6), {})), server)
    runner, result = await job.go(max_workers=1)
    assert result.stopped and "not answering" in str(result.error)
    assert "cannot connect" in str(result.error)
    assert job.state("4") is ItemState.PENDING and runner.stats.in_doubt == 0
    assert server.seen[4] == 0 and runner.stats.retries == ATTEMPTS - 1
    assert job.tokens("updateDeal") == PATCH * sum(server.applied.values())
    _, again = await job.go()
    assert not again.stopped and again.counts[ItemState.DONE] == 5
    assert sorted(server.applied) == [1, 2, 3, 4, 5] and max(server.applied.values()) == 1


@pytest.mark.anyio
async def test_refused_tries_hold_no_window_slot(tmp_path: Path) -> None:
    """A try refused before it left was counted by no server: it gives its burst slot back
    at once, so the retries wait their backoff only. Before, with an account down, every
    refused try held a slot for a window: with a burst of 2, each retry waited ~2 s for
    one (`pdbulk init-mapping` took 33 s to say "not answering")."""
    server = Server({n: ["refused"] * ATTEMPTS for n in range(1, 4)})
    job = Run(tmp_path, TouchJob(), list(touch_items(range(1, 4), {})), server)
    clock = job.clock
    sched = Scheduler(Limits(burst=2), clock=clock)
    client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(server))
    runner = Runner(AsyncJobStore(job.store), job.kind, client, sched, clock=clock, seed=1,
                    max_workers=3)
    async with client:
        result = await runner.run()
    assert result.stopped and "not answering" in str(result.error)
    assert server.seen == Counter()  # nothing arrived
    # the backoffs alone: at most the sum of each retry's ceiling (0.5 + 1 + 2 + 4 s)
    policy = RetryPolicy()
    ceiling = sum(min(policy.cap, policy.base * 2 ** (a - 1)) for a in range(1, ATTEMPTS))
    assert clock.now() <= ceiling + 0.1
    assert sched.statistics().window_fill == 0


@pytest.mark.anyio
async def test_a_create_never_sent_is_retried_not_put_in_doubt(tmp_path: Path) -> None:
    """A create (not idempotent) whose tries were all refused before they left is no
    create in doubt: no reconcile, the row pending; the resume creates it exactly once."""
    server = Server({"k2": ["refused"] * ATTEMPTS})
    items = [NewItem(row=n, key=f"k{n}", op="create", payload={}) for n in range(1, 4)]
    kind = CreateJob()
    job = Run(tmp_path, kind, items, server)
    runner, result = await job.go(max_workers=1)
    assert result.stopped and "not answering" in str(result.error)
    assert job.state("k2") is ItemState.PENDING and runner.stats.in_doubt == 0
    assert kind.reconciled == [] and server.seen["k2"] == 0
    assert job.tokens("addDeal") == POST * len(server.created)
    _, again = await job.go()
    assert not again.stopped and again.counts[ItemState.DONE] == 3
    assert Counter(d["title"] for d in server.created) == {"k1": 1, "k2": 1, "k3": 1}


@pytest.mark.anyio
async def test_a_patch_whose_answer_is_lost_is_in_doubt_at_once_never_sent_again_unread(
        tmp_path: Path) -> None:
    """x17r2 1: a PATCH whose answer was lost was sent again up to 4 times over ~7 s, and
    a colleague's edit made between its landing and a resend was overwritten. Now it is
    InDoubt at its first try: no second try of the call; the kind's reconcile (touch's
    sends it again; update's reads the deal first) decides. Every try is in the ledger
    (each may have been charged)."""
    server = Server({4: ["lost"]})
    kind = TouchJob()
    decided: list[str | None] = []
    reconcile = kind.reconcile

    async def watched(ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        decided.extend(i.key for i in items)
        assert server.seen[4] == 1  # nothing was sent again before the reconcile
        return await reconcile(ctx, items)

    kind.reconcile = watched  # type: ignore[method-assign]
    job = Run(tmp_path, kind, list(touch_items(range(1, 6), {})), server)
    runner, result = await job.go(max_workers=1)
    assert not result.stopped and result.counts[ItemState.DONE] == 5
    assert decided == ["4"] and runner.stats.in_doubt == 1 and runner.stats.retries == 0
    assert server.seen[4] == 2  # the lost try, then the reconcile's send
    assert job.tokens("updateDeal") == PATCH * sum(server.seen.values())


@pytest.mark.anyio
async def test_a_gateway_5xx_to_a_patch_is_in_doubt_an_origin_500_is_retried(
        tmp_path: Path) -> None:
    """A 502 / 504 comes from a gateway whose origin may have done the write: in doubt, as
    a lost answer; a 500 / 503 is the origin's own refusal: retried (a PATCH is
    idempotent). Neither is charged."""
    def server(req: Request) -> Response:
        deal = int(req.url.rsplit("/", 1)[1].split("?")[0])
        seen[deal] += 1
        if seen[deal] == 1 and deal in statuses:
            return reply(statuses[deal], {"success": False, "error": "upstream"})
        return reply(200, {"success": True, "data": {"id": deal, "update_time": "t"}})

    statuses = {2: 502, 3: 504, 4: 500, 5: 503}
    seen: Counter[int] = Counter()
    job = Run(tmp_path, TouchJob(), list(touch_items(range(1, 7), {})), server)  # type: ignore[arg-type]
    runner, result = await job.go(max_workers=1)
    assert not result.stopped and result.counts[ItemState.DONE] == 6
    assert runner.stats.in_doubt == 2 and runner.stats.retries == 2
    assert job.tokens("updateDeal") == PATCH * 6


@pytest.mark.anyio
async def test_a_write_answered_200_unreadable_is_in_doubt_charged_and_given_up_as_lost(
        tmp_path: Path) -> None:
    """x42r5 F1-F2: a PATCH answered 200 with a cut-off body was retried as idempotent and
    refunded as a 5xx. Now it is in doubt at once (never a second try of the call), each
    send is charged, and a touch whose reconcile keeps sending it again (it reads nothing)
    stops after ``item_attempts`` sends, saying the answers were not Pipedrive's; a create
    so answered is found by its reconcile: done, sent once."""
    limit = RetryPolicy().item_attempts
    job = Run(tmp_path, TouchJob(), list(touch_items([4], {})),
              Server({4: ["badjson"] * 20}))
    runner, result = await job.go(max_workers=1)
    assert result.stopped and runner.stats.retries == 0
    assert job.server.seen[4] == job.server.applied[4] == limit
    assert "not Pipedrive's JSON" in str(result.error) and "row 1" in str(result.error)
    assert job.tokens("updateDeal") == PATCH * limit
    assert job.state("4") is ItemState.PENDING

    create = Run(tmp_path / "c", CreateJob(), [NewItem(row=1, key="A", op="create",
                                                      payload={})], Server({"A": ["badjson"]}))
    runner, result = await create.go(max_workers=1)
    assert not result.stopped and create.state("A") is ItemState.DONE
    assert create.server.seen["A"] == 1 and runner.stats.in_doubt == 1
    assert create.tokens("addDeal") == POST


@pytest.mark.anyio
async def test_a_create_whose_answer_is_lost_is_in_doubt_at_once(tmp_path: Path) -> None:
    """A create (not idempotent) whose answer was lost is never retried: InDoubt at the first
    try, then reconcile finds the deal it made; one deal, the try charged once."""
    server = Server({"k2": ["lost"]})
    items = [NewItem(row=n, key=f"k{n}", op="create", payload={}) for n in range(1, 4)]
    kind = CreateJob()
    job = Run(tmp_path, kind, items, server)
    runner, result = await job.go()
    assert not result.stopped and result.counts[ItemState.DONE] == 3
    assert runner.stats.in_doubt == 1 and kind.reconciled == ["k2"]
    assert server.seen["k2"] == 1 and server.applied["k2"] == 1
    deal = next(i for i in job.store.items() if i.key == "k2").result
    assert deal == {"deal_id": next(d["id"] for d in server.created if d["title"] == "k2")}
    assert job.tokens("addDeal") == POST * 3


@pytest.mark.anyio
async def test_a_5xx_to_a_create_is_in_doubt_reconciled_and_not_charged(
        tmp_path: Path) -> None:
    """A 5xx answer to a create is in doubt (never resent blindly); reconcile finds it not
    applied, so it is sent again, once. The 5xx is not in the ledger."""
    server = Server({"k2": ["500"]})
    items = [NewItem(row=n, key=f"k{n}", op="create", payload={}) for n in range(1, 4)]
    kind = CreateJob()
    job = Run(tmp_path, kind, items, server)
    runner, result = await job.go()
    assert not result.stopped and result.counts[ItemState.DONE] == 3
    assert runner.stats.in_doubt == 1 and kind.reconciled == ["k2"]
    assert server.seen["k2"] == 2 and server.applied["k2"] == 1
    assert job.tokens("addDeal") == POST * 3


@pytest.mark.anyio
async def test_a_read_that_keeps_losing_answers_stops_the_job_not_in_doubt(
        tmp_path: Path) -> None:
    """A read applies nothing: past its retries a lost answer is the error as it was
    (AnswerLost, "timed out"), the row stays pending, nothing is in doubt; every try is
    in the ledger (it arrived, so it may have been charged)."""

    class Reads:
        name = "reads"

        async def execute(self, ctx: CallContext, item: Item) -> Outcome:
            await ctx.call("updateDeal" if item.key == "w" else "getDeals")
            return Outcome(item.id, ItemState.DONE)

        async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
            raise AssertionError("nothing is in doubt")

    def never(req: Request) -> Response:
        raise AnswerLost(f"{req.operation}: timed out (read)", operation=req.operation)

    job = Run(tmp_path, Reads(), [NewItem(row=1, key="r", op="read", payload={})],
              Server({}))
    job.server = never  # type: ignore[assignment]
    runner, result = await job.go()
    assert result.stopped and "not answering" in str(result.error)
    assert "timed out" in str(result.error) and isinstance(result.error.__cause__, AnswerLost)
    assert job.state("r") is ItemState.PENDING and runner.stats.in_doubt == 0
    assert runner.stats.calls == ATTEMPTS
    # each try left and may have been charged: all are in the ledger (the phase decides
    # what is charged, not whether the call is a write)
    assert job.tokens("getDeals") == ATTEMPTS * get_operation("getDeals").token_cost


@pytest.mark.anyio
async def test_a_guard_that_says_no_after_its_deadline_fails_only_its_row_uncharged(
        tmp_path: Path) -> None:
    """A create guarded by a deadline (a claim's lease) waits behind a 429 pause past it:
    the guard says no, NotSent, nothing sent or charged. A kind that does not catch it
    fails that row with the guard's reason; the others go on."""
    clock_box: list[FakeClock] = []

    async def before_deadline() -> bool:
        return clock_box[0].now() < 1.0

    server = Server({"k1": ["429"]})
    kind = CreateJob(guard=before_deadline)
    items = [NewItem(row=n, key=f"k{n}", op="create", payload={}) for n in range(1, 2)]
    job = Run(tmp_path, kind, items, server)
    clock_box.append(job.clock)
    runner, result = await job.go()
    assert not result.stopped and runner.stats.rate_limited == 1
    (row,) = job.store.items()
    assert row.state is ItemState.FAILED and "not sent" in (row.error or "")
    assert server.seen["k1"] == 1 and server.applied["k1"] == 0  # only the 429 arrived
    assert job.tokens("addDeal") == 0 and job.clock.now() >= 5.0


@pytest.mark.anyio
async def test_the_tokens_cap_spent_while_a_refused_call_waits_stops_the_job(
        tmp_path: Path) -> None:
    """A refused PATCH backs off; meanwhile the other rows spend the job's cap: the retry
    is refused admission (BudgetExhausted, terminal), the row stays pending, the refused
    try is not in the ledger, and the ledger never passes the cap."""
    server = Server({1: ["refused"]})
    job = Run(tmp_path, TouchJob(), list(touch_items(range(1, 4), {})), server)
    runner, result = await job.go(budget=BudgetPolicy(max_tokens=2 * PATCH), max_workers=2)
    assert result.stopped and type(result.error).__name__ == "BudgetExhausted"
    assert "cap" in str(result.error)
    assert job.state("1") is ItemState.PENDING and server.seen[1] == 0
    assert sorted(server.applied) == [2, 3]
    assert job.tokens("updateDeal") == 2 * PATCH and runner.stats.in_doubt == 0
    assert "No item was finished" not in str(result.error)  # two were


@pytest.mark.anyio
async def test_a_cap_too_small_for_one_item_says_so(tmp_path: Path) -> None:
    """x13r4 F2: a cap below what one item needs stopped every run with nothing finished,
    and each resume spent its reads again ("at least 3 runs" said the plan; 4 resumes,
    nothing done). The stop says no item was finished, and what cap would do one."""
    server = Server({})
    job = Run(tmp_path, TouchJob(), list(touch_items(range(1, 3), {})), server)
    _, result = await job.go(budget=BudgetPolicy(max_tokens=PATCH - 1), max_workers=1)
    assert result.stopped and type(result.error).__name__ == "BudgetExhausted"
    assert "No item was finished under this cap" in str(result.error)
    assert f"larger cap (--max-tokens, BudgetPolicy.max_tokens: more than {PATCH})" \
        in str(result.error), result.error
    assert server.seen == Counter()


@pytest.mark.anyio
@pytest.mark.parametrize(("status", "stops_after", "words"),
                         [("500", 15, "15 answered 500 by the server"),
                          ("502", 5, "losing answers")])
async def test_a_create_answered_5xx_each_time_stops_as_what_its_answers_were(
        tmp_path: Path, status: str, stops_after: int, words: str) -> None:
    """x18r1 4: an origin's 500, read back as not applied, is an answer, not a lost one:
    sent again up to 3 x ``item_attempts`` before the run stops, in those words. A
    gateway's 502 may hide an origin still at work: a lost answer, 5 sends at most. One row
    alone gets the same 15 sends: a sweep whose send was answered 500 is no sweep without
    progress (CI, stop 32: the last of 40 merges stopped the run after 5)."""
    server = Server({"k1": [status] * 40})
    items = [NewItem(row=1, key="k1", op="create", payload={})]
    job = Run(tmp_path, CreateJob(), items, server)
    _, result = await job.go()
    assert result.stopped and words in str(result.error), result.error
    assert server.seen["k1"] == stops_after and server.applied["k1"] == 0
