"""A write the source job's reconcile left failed as a conflict that "may have applied" (in
flight at a kill, then a colleague changed the deal) is a write undo owns: the field
groups still as the write wanted them are put back (``restored in part``, the colleague's
groups kept), and a deal holding none of them is named, left alone, exit 3 — never left
with the job's value and named nowhere (x44r3 F1: ``undone: 115 deals``, exit 0, the
conflict deals keeping the job's Discount)."""

from __future__ import annotations

from pathlib import Path

from bulk.sandbox import Sandbox
from bulk.store import ItemState, JobStore
from tests.import_support import read_csv
from tests.test_inflight_conflicts import by_key, cli, edit, in_flight, live, load_update, sb
from tests.update_support import cli_args, deal

__all__ = ["sb"]


def test_a_write_that_may_have_applied_is_put_back_where_it_holds(
        sb: Sandbox, tmp_path: Path) -> None:
    """A and B (amount and probability) in flight at a kill, both applied; then a colleague
    set A's probability and both of B's fields; C applied and recorded. Resume: A and B
    fail as conflicts "may have applied". Undo: A's amount back to 100, its colleague's
    probability kept (restored in part); B named, left alone (exit 3); C restored."""
    jobs = tmp_path / "jobs"
    a, b, c = live(sb)[:3]
    for deal_id in (a, b, c):
        edit(sb, deal_id, when="2030-01-01T00:00:00Z", value=100, probability=10)
    load_update(sb, tmp_path, jobs, {a: 5199, b: 5299, c: 5399}, probability=40)
    in_flight(jobs, "upd")
    edit(sb, a, value=5199, probability=77)  # applied, then the colleague's probability
    edit(sb, b, value=8888, probability=88)  # applied, then the colleague's both
    resumed = cli(sb, "resume", "upd", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    items = by_key(jobs, "upd")
    for deal_id in (a, b):
        state, error, _ = items[str(deal_id)]
        assert state is ItemState.FAILED and "may have applied" in error, error
    assert items[str(c)][0] is ItemState.DONE

    undone = cli(sb, "undo", "upd", "--yes", *cli_args(sb, jobs))
    assert undone.exit_code == 3, undone.output
    assert (deal(sb, a)["value"], deal(sb, a)["probability"]) == (100, 77)
    assert (deal(sb, b)["value"], deal(sb, b)["probability"]) == (8888, 88)
    assert (deal(sb, c)["value"], deal(sb, c)["probability"]) == (100, 10)
    undo = sorted(p.name for p in jobs.iterdir() if p.name != "upd")[-1]
    done = {int(r["deal_id"]): r for r in read_csv(jobs / undo / "succeeded.csv")}
    failed = {int(r["deal_id"]): r for r in read_csv(jobs / undo / "failed.csv")}
    assert done[a]["action"] == "restored in part", done[a]
    assert "probability" in done[a]["note"], done[a]
    assert done[c]["action"] == "restored", done[c]
    assert "may have applied" in failed[b]["reason"], failed[b]
    assert f"deal {b}" in undone.output, undone.output
    assert "even --force keeps them" in undone.output, undone.output  # not "--force restores"


def test_force_never_puts_back_a_group_that_does_not_hold_a_write_in_doubt(
        sb: Sandbox, tmp_path: Path) -> None:
    """--force overwrites changes since a write the job made; a write that only may have
    applied is the job's only where the deal holds it: A's probability (the colleague's)
    is kept even with --force, its amount put back."""
    jobs = tmp_path / "jobs"
    (a,) = live(sb)[:1]
    edit(sb, a, when="2030-01-01T00:00:00Z", value=100, probability=10)
    load_update(sb, tmp_path, jobs, {a: 5199}, probability=40)
    in_flight(jobs, "upd")
    edit(sb, a, value=5199, probability=77)
    assert cli(sb, "resume", "upd", "--job-dir", str(jobs)).exit_code == 3
    undone = cli(sb, "undo", "upd", "--yes", "--force", *cli_args(sb, jobs))
    assert undone.exit_code == 0, undone.output
    assert (deal(sb, a)["value"], deal(sb, a)["probability"]) == (100, 77)


def test_an_upsert_update_that_may_have_applied_is_put_back_where_it_holds(
        sb: Sandbox, tmp_path: Path) -> None:
    """The import's deal fields the same way: an upsert's PATCH (title and amount) applied
    before a kill, then a colleague retitled the deal; resume fails it "may have applied";
    undo puts the amount back and keeps the colleague's title (restored in part)."""
    from tests.import_support import loaded_import
    from tests.test_inflight_conflicts import IMPORT_MAPPING

    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text(IMPORT_MAPPING)
    first = tmp_path / "a.csv"
    first.write_text("key,title,amount\nk1,One,100\n")
    ran = cli(sb, "import", str(first), "-m", str(mapping), "--create-key-field",
              *cli_args(sb, jobs))
    assert ran.exit_code == 0, ran.output
    (made,) = [p for p in jobs.iterdir() if p.is_dir()]
    k1 = int(read_csv(made / "succeeded.csv")[0]["deal_id"])
    second = tmp_path / "b.csv"
    second.write_text("key,title,amount\nk1,Uno,5100\n")
    job = loaded_import(sb, jobs, second, mapping)
    in_flight(jobs, job)
    edit(sb, k1, value=5100, title="Colleague's")  # applied, then the colleague's title
    resumed = cli(sb, "resume", job, "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert "may have applied" in by_key(jobs, job)["k1"][1]

    undone = cli(sb, "undo", job, "--yes", *cli_args(sb, jobs))
    assert undone.exit_code == 0, undone.output
    assert (deal(sb, k1)["value"], deal(sb, k1)["title"]) == (100, "Colleague's")


def test_a_move_that_may_have_applied_is_put_back_where_it_holds(
        sb: Sandbox, tmp_path: Path) -> None:
    """move-stage the same way: its PATCH (stage and status lost) applied before a kill,
    then a colleague set the deal open again; resume fails it "may have applied"; undo
    puts the stage back and keeps the colleague's status (restored in part)."""
    import anyio

    from jobs.stages import DealSource, MoveTarget, move_catalog, prepare_move
    from tests.update_support import load_job

    jobs = tmp_path / "jobs"
    (a,) = live(sb)[:1]
    edit(sb, a, when="2030-01-01T00:00:00Z", stage_id=1, pipeline_id=1, status="open",
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
        store, _ = await load_job(sb, jobs, "move-stage", build, job_id="mv")
        store.close()
    anyio.run(load)
    in_flight(jobs, "mv")
    with JobStore.open(jobs / "mv", lock=False) as store:
        (item,) = store.items()
    changes = item.payload["changes"]
    edit(sb, a, **changes)  # the move applied before the kill
    edit(sb, a, when="2031-02-01T00:00:00Z", status="open", lost_reason=None)  # the colleague
    resumed = cli(sb, "resume", "mv", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert "may have applied" in by_key(jobs, "mv")[str(a)][1]

    undone = cli(sb, "undo", "mv", "--yes", *cli_args(sb, jobs))
    assert undone.exit_code == 0, undone.output
    assert (deal(sb, a)["stage_id"], deal(sb, a)["status"]) == (1, "open"), deal(sb, a)


def test_a_write_that_may_have_applied_to_a_deal_archived_since_is_named(
        sb: Sandbox, tmp_path: Path) -> None:
    """The amount applied before a kill, then a colleague changed the probability and
    archived the deal: resume no longer says "the write had not applied" but that it may
    have; undo names the deal (archived: unarchive it, then undo again), exit 3."""
    jobs = tmp_path / "jobs"
    (a,) = live(sb)[:1]
    edit(sb, a, when="2030-01-01T00:00:00Z", value=100, probability=10)
    load_update(sb, tmp_path, jobs, {a: 5199}, probability=40)
    in_flight(jobs, "upd")
    edit(sb, a, value=5199, probability=77, is_archived=True)
    assert cli(sb, "resume", "upd", "--job-dir", str(jobs)).exit_code == 3
    state, error, _ = by_key(jobs, "upd")[str(a)]
    assert state is ItemState.FAILED and "may have applied" in error, error
    undone = cli(sb, "undo", "upd", "--yes", *cli_args(sb, jobs))
    assert undone.exit_code == 3, undone.output
    assert f"deal {a} was archived since the job changed it" in undone.output, undone.output
