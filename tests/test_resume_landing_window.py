"""A resume never claims a change made after the job's write could have landed (x52r3
F1): a write marked leaving (``bulk.leaving``) but cut off by the kill before its body
arrived, and a colleague's same change seconds later, read as the job's, and the undo
reverted the colleague's work. Each mark carries its wall time, the job keeps the longest
answer time of its writes, and its answered rows bound how far the server's clock is
ahead of ours (``jobs.provable_writes.landing``): a deal found as wanted whose
``update_time`` is later than that window's end is "as wanted, not by this job". The kill
is simulated as ``tests.test_resume_leaving_marks`` does; the deals' ``update_time`` set
straight in the sandbox (no real waiting)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulk.leaving import ANSWER, LEAVING_FILE, META_SINCE, Marks, compact, longest_answer
from bulk.ledger import HELD, META_IN_DOUBT
from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import ItemState, JobStore, Outcome
from jobs.provable_writes import LANDING_PAD, LANDING_SLACK, landing
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_inflight_conflicts import SALES_OPEN, by_key, cli, edit, load_move
from tests.update_support import cli_args, deal

NEGOTIATIONS = 5  # Sales' "Negotiations Started", seed 41
PROPOSAL = 4  # where SALES_OPEN are, seed 41


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(time_scale=0.05, deals=30, seed=41)) as box:
        yield box


def iso(at: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))


def killed(sb: Sandbox, jobs: Path, began: float, answered: float = 0.4) -> dict[int, int]:
    """Job "mv" as a kill -9 leaves it: its rows handed out at ``began`` + 0.5, the first
    one's write answered (DONE, its deal at the stage since ``began`` + 1), the two others'
    writes marked leaving at ``began`` + 0.6 with no answer; the longest answer time kept
    ``answered`` s; the ledger's figure in doubt covering them. → deal id → item id."""
    with JobStore.open(jobs / "mv") as store:
        store.meta_put(META_SINCE, began)
        store.meta_put(f"{META_IN_DOUBT}:dead0000beef{HELD}{began:.3f}",
                       {"getDeals": 10, "updateDeal": 15})
        items = {int(i.payload["deal_id"]): i.id for i in store.items(ItemState.PENDING)}
        store.mark_sending(list(items.values()), began + 0.5)
        first = SALES_OPEN[0]
        store.record([Outcome(items[first], ItemState.DONE, result={
            "deal_id": first, "action": "moved", "update_time": iso(began + 1)})])
        store.set_status("running")
        marks = Marks(store.directory, lambda: began + 0.6)
        for deal_id in SALES_OPEN[1:]:
            marks.mark(items[deal_id])
        marks.answered(answered)
        marks.close()
    edit(sb, first, when=iso(began + 1), stage_id=NEGOTIATIONS)
    return items


def test_a_colleagues_same_change_after_the_write_could_land_is_not_claimed(
        sb: Sandbox, tmp_path: Path) -> None:
    """x52r3 F1 (closelost_m_2000, movesame_m_300): two writes marked, cut off by the
    kill; a colleague makes one deal's very change 3.4 s after the mark (the job's longest
    answer 0.4 s), the other deal reads as wanted within the window. The resume said "2
    moved" and the undo moved the colleague's deal back; now the late one is "as wanted,
    not by this job" and stays where the colleague put it; the last line and `pdbulk
    status` say so too (F5: "unchanged 1")."""
    jobs = tmp_path / "jobs"
    load_move(sb, tmp_path, jobs, SALES_OPEN, "Negotiations Started", "open")
    began = float(int(time.time()) - 100)
    killed(sb, jobs, began)
    _, late, early = SALES_OPEN
    edit(sb, late, when=iso(began + 4), stage_id=NEGOTIATIONS)  # the colleague's
    edit(sb, early, when=iso(began + 1), stage_id=NEGOTIATIONS)  # the job's own
    resumed = cli(sb, "resume", "mv", "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    assert "1 as wanted, not by this job" in resumed.output, resumed.output
    # x52r3 F5: the last line and status say it as the rows: line does
    last = [line for line in resumed.output.splitlines() if line.startswith("job mv:")][-1]
    assert "skipped 1 (as wanted, not by this job 1)" in last, last
    status = cli(sb, "status", "mv", "--job-dir", str(jobs))
    assert "skipped 1 (as wanted, not by this job 1)" in status.output, status.output
    rows = by_key(jobs, "mv")
    notes = {r.get("deal_id"): (s, r.get("note", "")) for s, _, r in rows.values()}
    assert notes[late][0] is ItemState.SKIPPED, notes
    assert "after this job's write could have landed" in notes[late][1], notes
    assert notes[early][0] is ItemState.DONE, notes
    undone = cli(sb, "undo", "mv", "--yes", *cli_args(sb, jobs))
    assert undone.exit_code == 0, undone.output
    assert [deal(sb, i)["stage_id"] for i in SALES_OPEN] == [PROPOSAL, NEGOTIATIONS,
                                                             PROPOSAL], undone.output


def test_the_window_is_the_mark_plus_the_longest_answer_and_the_clocks(
        tmp_path: Path) -> None:
    """``landing``: mark + longest answer x slack + pad + the server's clock ahead at most
    (from the answered row: its update_time + 1 s - its sent_at); no answer time kept →
    no window (the rules before it judge)."""
    from bulk.store import NewItem

    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    try:
        store.add_items([NewItem(row=n, key=None, op="touch", payload={"deal_id": n})
                         for n in (1, 2)])
        ids = [i.id for i in store.items()]
        store.mark_sending(ids, 1000.5)
        store.record([Outcome(ids[0], ItemState.DONE, result={"update_time": iso(1001)})])
        marks = Marks(store.directory, lambda: 1000.6)
        marks.mark(ids[1])
        (item,) = store.items(ItemState.SENDING)
        assert landing(store, [item]).ends == {}
        marks.answered(0.4)
        marks.close()
        got = landing(store, [item])
        assert got.ahead == pytest.approx(1.5)
        assert got.ends[item.id] == pytest.approx(1000.6 + 0.4 * LANDING_SLACK + LANDING_PAD
                                                  + 1.5)
        assert got.why(item, {"update_time": iso(1003)}) is None
        why = got.why(item, {"update_time": iso(1004)})
        assert why is not None and "after this job's write could have landed" in why
        compact(store.directory, [item.id])  # the longest answer stays with the rows
        assert longest_answer(store.directory) == pytest.approx(0.4)
        assert ANSWER + b" 0.400\n" in (store.directory / LEAVING_FILE).read_bytes()
    finally:
        store.close()


def test_the_runner_keeps_the_longest_answer_of_its_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The wiring: each write answered later after its mark than any before is kept in
    job.leaving (``Marks.answered``), so a kill leaves it for the resume; a run's end
    compacts it away with the rows (none SENDING)."""
    import re

    import anyio
    import orjson

    from bulk.client import PipedriveClient
    from bulk.clock import FakeClock
    from bulk.plans import Limits
    from bulk.runner import Runner
    from bulk.scheduler import Scheduler
    from bulk.store import AsyncJobStore
    from bulk.transport import MockTransport, Request, Response
    from jobs.touch import TouchJob, touch_items

    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    store.add_items(list(touch_items(range(1, 6), {"x": 1})))
    clock = FakeClock()
    kept: list[float] = []
    seen: list[float | None] = []
    original = Marks.answered

    def answered(self: Marks, seconds: float) -> None:
        kept.append(seconds)
        original(self, seconds)

    monkeypatch.setattr(Marks, "answered", answered)

    def handler(req: Request) -> Response:
        deal_id = int(re.search(r"/deals/(\d+)", req.url).group(1))  # type: ignore[union-attr]
        seen.append(longest_answer(store.directory))
        clock.advance(0.25 * deal_id)
        return Response(200, {"content-type": "application/json"}, orjson.dumps(
            {"success": True, "data": {"id": deal_id, "update_time": "t"}}))

    async def go() -> None:
        client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(handler))
        runner = Runner(AsyncJobStore(store), TouchJob(), client,
                        Scheduler(Limits(burst=40), clock=clock), clock=clock, seed=1,
                        max_workers=1)
        async with client:
            await runner.run()

    try:
        anyio.run(go)
        assert kept and kept == sorted(kept) and kept[-1] == pytest.approx(1.25), kept
        assert seen[-1] == pytest.approx(1.0), seen  # kept before the last write left
        assert not (store.directory / LEAVING_FILE).exists()
    finally:
        store.close()


def test_an_undos_resume_does_not_count_a_colleagues_same_restore(
        sb: Sandbox, tmp_path: Path) -> None:
    """x52r3 F3 (undokill_1500): an undo killed with restores marked leaving and cut off;
    a colleague put one deal back by hand 3.4 s after the mark. Its resume counted it as
    the undo's "restored"; now "as wanted, not by this job", the other one restored. Its
    plan said nothing of the rows in doubt (F4); now it names them."""
    import anyio

    from jobs.undo import prepare_undo
    from tests.update_support import load_job

    jobs = tmp_path / "jobs"
    load_move(sb, tmp_path, jobs, SALES_OPEN, "Negotiations Started", "open")
    assert cli(sb, "resume", "mv", "--job-dir", str(jobs)).exit_code == 0
    assert [deal(sb, i)["stage_id"] for i in SALES_OPEN] == [NEGOTIATIONS] * 3

    async def load() -> None:
        with JobStore.open(jobs / "mv") as source:
            async def build(s: object) -> object:
                return await prepare_undo(s.ctx, source)  # type: ignore[attr-defined]
            undo, _ = await load_job(sb, jobs, "undo", build, job_id="un")  # type: ignore[arg-type]
            undo.close()
    anyio.run(load)
    began = float(int(time.time()) - 100)
    with JobStore.open(jobs / "un") as store:
        store.meta_put(META_SINCE, began)
        store.meta_put(f"{META_IN_DOUBT}:dead0000beef{HELD}{began:.3f}",
                       {"getDeals": 10, "updateDeal": 15})
        items = {int(i.payload["deal_id"]): i.id for i in store.items(ItemState.PENDING)}
        store.mark_sending(list(items.values()), began + 0.5)
        first, late, early = SALES_OPEN
        store.record([Outcome(items[first], ItemState.DONE, result={
            "deal_id": first, "action": "restored", "update_time": iso(began + 1)})])
        store.set_status("running")
        marks = Marks(store.directory, lambda: began + 0.6)
        for deal_id in (late, early):
            marks.mark(items[deal_id])
        marks.answered(0.4)
        marks.close()
    edit(sb, first, when=iso(began + 1), stage_id=PROPOSAL)  # the undo's own
    edit(sb, late, when=iso(began + 4), stage_id=PROPOSAL)  # a colleague's, after
    edit(sb, early, when=iso(began + 1), stage_id=PROPOSAL)  # the undo's own
    resumed = cli(sb, "resume", "un", "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    assert "1 as wanted, not by this job" in resumed.output, resumed.output
    # x52r3 F4: its plan says the rows in doubt, priced as writes
    assert "plan: 2 item(s) to settle, 2 of them in doubt (left in flight; each counted " \
        "as its updateDeal sent again" in resumed.output, resumed.output
    rows = {r.get("deal_id"): (s, r) for s, _, r in by_key(jobs, "un").values()}
    assert rows[late][0] is ItemState.SKIPPED, rows
    assert "after this job's write could have landed" in rows[late][1]["note"], rows
    assert rows[early][0] is ItemState.DONE, rows


def test_a_conflict_changed_after_the_write_could_land_is_not_provably_the_jobs(
        tmp_path: Path) -> None:
    """``doubted_conflicts`` (undo's restore in part) takes the same rule: a conflict that
    "may have applied" whose deal last changed after the window carries ``UNPROVEN`` (undo
    puts none of it back); one within the window stays the job's."""
    import anyio

    from bulk.store import NewItem
    from jobs.deals import MAY_HAVE_APPLIED
    from jobs.provable_writes import UNPROVEN, doubted_conflicts

    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    try:
        store.add_items([NewItem(row=n, key=None, op="touch", payload={"deal_id": n})
                         for n in (1, 2, 3)])
        ids = [i.id for i in store.items()]
        store.mark_sending(ids, 1000.5)
        store.record([Outcome(ids[0], ItemState.DONE, result={"update_time": iso(1001)})])
        marks = Marks(store.directory, lambda: 1000.6)
        for item_id in ids[1:]:
            marks.mark(item_id)
        marks.answered(0.4)
        marks.close()
        items = list(store.items(ItemState.SENDING))
        out = [Outcome(i.id, ItemState.FAILED, error=f"conflict: the write {MAY_HAVE_APPLIED}")
               for i in items]
        deals = {items[0].id: {"update_time": iso(1004)},  # after the window (by 1003.2)
                 items[1].id: {"update_time": iso(1002)}}
        judged = anyio.run(doubted_conflicts, store, items, out, deals, {"touchDeal"})
        assert UNPROVEN in (judged[0].result or {}), judged[0]
        assert "after this job's write could have landed" in (judged[0].error or "")
        assert UNPROVEN not in (judged[1].result or {}), judged[1]
    finally:
        store.close()
