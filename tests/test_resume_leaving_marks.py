"""A resume never claims a write that never left (x51r13 F1): each write of an item is
marked in job.leaving as it is handed to the transport (``bulk.leaving``), and a row in
doubt found as its write wants it with no such mark is "as wanted, not by this job" even
where the ledger's bound (which counts credit charged ahead for writes cut off before
they left) covers the rows. The kill is simulated as ``tests.test_resume_not_provably_ours``
does (``mark_sending`` and the killed run's ledger figure), plus its leaving marks."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from bulk.client import PipedriveClient
from bulk.clock import FakeClock
from bulk.leaving import LEAVING_FILE, META_SINCE, Marks, compact, last_marks, never_left
from bulk.ledger import HELD, META_IN_DOUBT
from bulk.plans import Limits
from bulk.runner import Runner
from bulk.sandbox import Sandbox, SandboxConfig
from bulk.scheduler import Scheduler
from bulk.store import AsyncJobStore, ItemState, JobStore
from bulk.transport import MockTransport, Request, Response
from jobs.touch import TouchJob, touch_items
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_inflight_conflicts import SALES_OPEN, by_key, cli, deal, load_move
from tests.update_support import cli_args

NEGOTIATIONS = 5  # Sales' "Negotiations Started", seed 41


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(time_scale=0.05, deals=30, seed=41)) as box:
        yield box


def killed(jobs: Path, job_id: str, update_tokens: int, left: int) -> None:
    """Job ``job_id`` as a kill -9 of a run keeping leaving marks leaves it: every pending
    row handed out (SENDING), the ledger's figure in doubt holding ``update_tokens`` of
    updateDeal (charged, credit ahead included), and the first ``left`` rows' writes
    marked as leaving."""
    began = time.time() - 1.0
    with JobStore.open(jobs / job_id) as store:
        store.meta_put(META_SINCE, began)
        store.meta_put(f"{META_IN_DOUBT}:dead0000beef{HELD}{began:.3f}",
                       {"getDeals": 10, "updateDeal": update_tokens})
        ids = [i.id for i in store.items(ItemState.PENDING)]
        store.mark_sending(ids, began + 0.5)
        store.set_status("running")
        marks = Marks(store.directory, lambda: began + 0.6)
        for item_id in ids[:left]:
            marks.mark(item_id)
        marks.close()


def stages(sb: Sandbox) -> list[int]:
    return [deal(sb, i)["stage_id"] for i in SALES_OPEN]


def test_writes_charged_but_never_left_are_not_claimed_though_the_ledger_covers_them(
        sb: Sandbox, tmp_path: Path) -> None:
    """x51r13 F1 (move_b_200): A killed with 3 rows in doubt, the ledger's bound 3 (credit
    charged ahead), none of the writes marked as leaving; job B makes the same move. A's
    resume said "3 moved" and its undo moved B's deals back. Now "3 as wanted, not by
    this job", and the undo restores none."""
    jobs_a, jobs_b = tmp_path / "jA", tmp_path / "jB"
    load_move(sb, tmp_path, jobs_a, SALES_OPEN, "Negotiations Started", "open")
    killed(jobs_a, "mv", 15, left=0)
    load_move(sb, tmp_path, jobs_b, SALES_OPEN, "Negotiations Started", "open")
    assert cli(sb, "resume", "mv", "--job-dir", str(jobs_b)).exit_code == 0  # job B
    assert stages(sb) == [NEGOTIATIONS] * 3
    before = sb.stats()["writes_applied"].get("updateDeal", 0)

    resumed = cli(sb, "resume", "mv", "--job-dir", str(jobs_a))
    assert resumed.exit_code == 0, resumed.output
    assert "3 as wanted, not by this job" in resumed.output, resumed.output
    for state, _, result in by_key(jobs_a, "mv").values():
        assert state is ItemState.SKIPPED and "its write never left" in result["note"], result
    undone = cli(sb, "undo", "mv", "--yes", *cli_args(sb, jobs_a))
    assert stages(sb) == [NEGOTIATIONS] * 3, undone.output  # B's moves stay
    assert sb.stats()["writes_applied"].get("updateDeal", 0) == before, undone.output


def test_a_row_never_sent_found_as_wanted_makes_none_provably_the_jobs(
        sb: Sandbox, tmp_path: Path) -> None:
    """One of the 3 writes left (marked), the ledger's bound 3, all three deals as wanted
    (another writer moved them): the two never sent prove that writer made this very
    change, so the marked one (cut by the kill, or not) is not provably the job's either
    (x51r13 run 1400: 7 never sent, 5 of the 18 marked cut and claimed). Its undo
    restores none."""
    jobs = tmp_path / "jobs"
    load_move(sb, tmp_path, jobs, SALES_OPEN, "Negotiations Started", "open")
    killed(jobs, "mv", 15, left=1)
    from tests.test_inflight_conflicts import patch
    for deal_id in SALES_OPEN:
        patch(sb, deal_id, {"stage_id": NEGOTIATIONS})
    resumed = cli(sb, "resume", "mv", "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    assert "3 as wanted, not by this job" in resumed.output, resumed.output
    notes = sorted(r["note"] for _, _, r in by_key(jobs, "mv").values())
    assert sum("its write never left" in n for n in notes) == 2, notes
    assert sum("2 of the 3 row(s) in doubt found so never sent" in n for n in notes) == 1, notes
    assert cli(sb, "undo", "mv", "--yes", *cli_args(sb, jobs)).exit_code == 0
    assert stages(sb) == [NEGOTIATIONS] * 3


def test_rows_whose_writes_left_stay_the_jobs_where_the_ledger_covers_them(
        sb: Sandbox, tmp_path: Path) -> None:
    """All 3 writes marked as leaving, the ledger's bound 3, the deals as wanted (the
    job's own writes): "3 moved", and the undo puts them back, as before."""
    jobs = tmp_path / "jobs"
    load_move(sb, tmp_path, jobs, SALES_OPEN, "Negotiations Started", "open")
    killed(jobs, "mv", 15, left=3)
    from tests.test_inflight_conflicts import patch
    for deal_id in SALES_OPEN:
        patch(sb, deal_id, {"stage_id": NEGOTIATIONS})
    resumed = cli(sb, "resume", "mv", "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    assert "3 moved" in resumed.output, resumed.output
    assert cli(sb, "undo", "mv", "--yes", *cli_args(sb, jobs)).exit_code == 0
    assert stages(sb) == [4, 4, 4]


def test_each_write_is_marked_before_the_transport_has_it(tmp_path: Path) -> None:
    """The runner's wiring: as the mock transport gets a PATCH, job.leaving already holds
    its item's mark; a run's start puts ``META_SINCE``, and its end compacts the file to
    the items left SENDING (none: the file goes)."""
    import anyio

    store = JobStore.create(tmp_path / "job", job_id="j", kind="touch", config={})
    store.add_items(list(touch_items(range(1, 6), {"x": 1})))
    seen: list[bool] = []

    def handler(req: Request) -> Response:
        deal_id = int(re.search(r"/deals/(\d+)", req.url).group(1))  # type: ignore[union-attr]
        ids = {i.id for i in store.items() if i.payload["deal_id"] == deal_id}
        seen.append(bool(last_marks(store.directory, ids)))
        return Response(200, {"content-type": "application/json"}, orjson.dumps(
            {"success": True, "data": {"id": deal_id, "update_time": "t"}}))

    async def go() -> None:
        clock = FakeClock()
        client = PipedriveClient("http://127.0.0.1:9", "tok", transport=MockTransport(handler))
        runner = Runner(AsyncJobStore(store), TouchJob(), client,
                        Scheduler(Limits(burst=40), clock=clock), clock=clock, seed=1)
        async with client:
            await runner.run()

    try:
        anyio.run(go)
        assert seen == [True] * 5
        assert isinstance(store.meta_get(META_SINCE), float)
        assert not (store.directory / LEAVING_FILE).exists()  # settled: nothing SENDING
    finally:
        store.close()


def test_never_left_reads_marks_since_the_rows_were_handed_out(tmp_path: Path) -> None:
    """A mark older than the row's ``sent_at`` (an earlier send, settled since) or cut
    short by a kill proves nothing; rows handed out before marks were kept are not judged."""
    marks = Marks(tmp_path, lambda: 100.0)
    marks.mark(1)
    marks.mark(2)
    marks.close()
    with (tmp_path / LEAVING_FILE).open("ab") as f:
        f.write(b"3 200.0")  # cut short: no newline
    sent = {1: 99.0, 2: 150.0, 3: 150.0, 4: 10.0}
    assert never_left(tmp_path, 50.0, sent) == {2, 3}
    assert never_left(tmp_path, None, sent) == set()
    compact(tmp_path, [2])
    assert (tmp_path / LEAVING_FILE).read_bytes() == b"2 100.000\n"


def test_an_undo_puts_back_nothing_of_a_conflict_whose_write_never_left(
        tmp_path: Path) -> None:
    """x51r13 F2 (close_d_1200): a move left in flight, its write never marked as leaving;
    another writer then put the deal at the very stage the move wanted, with another
    status. The resume fails it "may have applied"; its undo said "restored in part" and
    moved the other's stage back. Now the conflict says it is not provably the job's write,
    and the undo leaves the deal (tallied "as wanted, not by this job", exit 0), its plan
    saying so, even with --force."""
    import anyio

    from jobs.stages import DealSource, MoveTarget, move_catalog, prepare_move
    from tests.test_inflight_conflicts import edit, in_flight, live
    from tests.update_support import load_job

    with ThreadedSandbox(SandboxConfig(time_scale=0.05, deals=30, seed=41)) as box:
        jobs = tmp_path / "jobs"
        (a,) = live(box)[:1]
        edit(box, a, when="2030-01-01T00:00:00Z", stage_id=1, pipeline_id=1, status="open",
             lost_reason=None, won_time=None, lost_time=None, close_time=None)
        manifest = tmp_path / "ms.csv"
        manifest.write_text(f"deal_id\n{a}\n")
        source = DealSource(manifest=manifest)

        async def load() -> None:
            async def build(s: object) -> object:
                ctx = s.ctx  # type: ignore[attr-defined]
                return await prepare_move(ctx, source, MoveTarget(
                    "Contact Made", pipeline="Sales", status="lost", lost_reason="Repro"),
                    await move_catalog(ctx, source))
            store, _ = await load_job(box, jobs, "move-stage", build, job_id="mv")
            store.close()
        anyio.run(load)
        in_flight(jobs, "mv")  # handed out at 1.0, as a kill leaves it
        with JobStore.open(jobs / "mv") as store:
            store.meta_put(META_SINCE, 0.5)  # its run kept leaving marks: none of it
            (item,) = store.items()
        stage = item.payload["changes"]["stage_id"]
        edit(box, a, when="2031-02-01T00:00:00Z", stage_id=stage)  # the other writer
        resumed = cli(box, "resume", "mv", "--job-dir", str(jobs))
        assert resumed.exit_code == 3, resumed.output
        _, error, result = by_key(jobs, "mv")[str(a)]
        assert "may have applied" in error and "not provably this job's write" in error, error
        assert "its write never left" in result["unproven"], result

        undone = cli(box, "undo", "mv", "--yes", "--force", *cli_args(box, jobs))
        assert deal(box, a)["stage_id"] == stage, undone.output  # the other's stage stays
        assert undone.exit_code == 0, undone.output  # nothing of it waits on anyone (F5)
        assert "not provably the job's" in undone.output, undone.output
        assert "as wanted, not by this job 1" in undone.output, undone.output

