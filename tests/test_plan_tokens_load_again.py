"""A job of any kind killed while it was being loaded is loaded again by its resume and run;
its plan lines name the tokens the resume spends, and its ledger keeps the dead load's."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.engine import Engine
from bulk.sandbox import Sandbox
from bulk.store import ItemState, JobStore
from jobs.api import Work, merge_deals, move_deals, new_store, undo_job, update_deals
from jobs.finished import ledger_tokens
from tests.import_support import engine_config
from tests.test_plan_tokens import TOKEN, UPDATE_MAPPING, cli, engine, sb, spent

__all__ = ["sb"]  # the fixture, imported


def _live(sb: Sandbox) -> list[int]:
    return sorted(d["id"] for d in sb.state.deals.rows.values() if not d["is_deleted"])


def _work(kind: str, sb: Sandbox, tmp: Path) -> tuple[Work, Any]:
    """A job of ``kind`` and a check of the account once it ran."""
    ids = _live(sb)
    if kind == "update":
        mapping = tmp / "u.toml"
        mapping.write_text(UPDATE_MAPPING)
        rows = tmp / "u.csv"
        # renames that keep the old title (a title alone, unrelated: foreign ids? x48r7 F1)
        again = {i: f"{sb.state.deals.rows[i]['title']} (again)" for i in ids[:12]}
        rows.write_text("deal_id,title\n" + "".join(f'{i},"{t}"\n' for i, t in again.items()))
        return update_deals(rows, mapping), lambda: all(
            sb.state.deals.rows[i]["title"] == t for i, t in again.items())
    if kind == "merge":
        rows = tmp / "pairs.csv"
        rows.write_text("merge_id,survivor_id\n" + "".join(
            f"{ids[n]},{ids[n + 1]}\n" for n in range(0, 8, 2)))
        return merge_deals(rows), lambda: all(
            sb.state.deals.rows[ids[n]]["is_deleted"] for n in range(0, 8, 2))
    if kind == "undo":  # of an update that ran
        mapping = tmp / "u.toml"
        mapping.write_text(UPDATE_MAPPING)
        rows = tmp / "u.csv"
        titles = {i: sb.state.deals.rows[i]["title"] for i in ids[40:46]}
        rows.write_text("deal_id,title\n" + "".join(f'{i},"{t} (undone)"\n'
                                                   for i, t in titles.items()))
        ran = cli(sb, tmp / "jobs", "update", str(rows), "-m", str(mapping),
                  *engine(sb, tmp / "jobs"))
        assert ran.exit_code == 0, ran.output
        (source,) = [p.name for p in (tmp / "jobs").iterdir()]
        return undo_job(tmp / "jobs" / source), lambda: all(
            sb.state.deals.rows[i]["title"] == t for i, t in titles.items())
    stage = next(s for s in sb.state.stages.values() if s["pipeline_id"] == 1)
    rows = tmp / "ids.csv"
    rows.write_text("deal_id\n" + "".join(f"{i}\n" for i in ids[20:30]))
    return move_deals(stage["name"], to_pipeline=sb.state.pipelines[1]["name"],
                      manifest=rows), lambda: all(
        sb.state.deals.rows[i]["stage_id"] == stage["id"] for i in ids[20:30])


def _killed_while_loading(sb: Sandbox, jobs: Path, work: Work, *, asks: bool = False) -> str:
    """A job as a kill -9 in its load's save leaves it: "loading", every read of the load
    made (charged in its ledger), its before-images and part of its items stored, not
    marked loaded. ``asks``: started without --yes (else with it)."""
    cfg = engine_config(sb, jobs, auth="oauth")
    store = new_store(cfg, work, asks=asks)

    async def half() -> None:
        async with Engine.open(cfg, TOKEN, store=store) as eng:
            store.set_status("loading")
            prep = await work.build(eng)
            store.put_before_images(prep.images)
            store.add_items(prep.items[:2])
    anyio.run(half)
    if work.release is not None:  # the kill ended its process: an undo's source is free
        work.release()
    job = store.job_id
    store.close()
    return job


@pytest.mark.parametrize("kind", ["update", "merge", "move-stage", "undo"])
def test_a_job_killed_while_loading_is_loaded_again_and_run_by_resume(
        sb: Sandbox, tmp_path: Path, kind: str) -> None:
    """x44r3 F4: the resume of an update / merge / move-stage / undo killed while loading refused
    ("nothing was sent: start it again", exit 1) and marked the job failed; it loads it
    again and runs it, exit 0, every row once; each plan line names what the resume
    spends; the job's ledger is every token the server counted, the dead load's too."""
    jobs = tmp_path / "jobs"
    work, done = _work(kind, sb, tmp_path)
    start = spent(sb)
    job = _killed_while_loading(sb, jobs, work)
    dead = spent(sb) - start
    assert dead > 0
    before = spent(sb)
    res = cli(sb, jobs, "resume", job, "--job-dir", str(jobs))
    assert res.exit_code == 0, res.output
    assert "was interrupted while it was being loaded (nothing was sent): loading it again" \
        in res.output, res.output
    said = {int(n.replace(",", "")) for n in
            re.findall(r"^plan.*tokens: ([\d,]+)$", res.output, re.M)}
    assert said == {spent(sb) - before}, res.output
    assert done(), res.output
    with JobStore.open(jobs / job, lock=False) as store:
        assert store.status == "finished", store.status
        assert not store.counts()[ItemState.PENDING] and not store.counts()[ItemState.SENDING]
        assert ledger_tokens(store) == spent(sb) - start, (ledger_tokens(store), dead)
    status = cli(sb, jobs, "status", job, "--job-dir", str(jobs))
    assert f"tokens: {spent(sb) - start:,} —" in status.output, status.output


def test_a_job_killed_while_loading_before_its_question_is_cancelled_not_failed(
        sb: Sandbox, tmp_path: Path) -> None:
    """A merge started without --yes and killed while loading was never asked: its resume
    (which asks nothing) refuses it in one line and sends nothing; its ledger stays."""
    jobs = tmp_path / "jobs"
    work, _ = _work("merge", sb, tmp_path)
    job = _killed_while_loading(sb, jobs, work, asks=True)
    with JobStore.open(jobs / job) as store:
        spent_then = ledger_tokens(store)
    before = spent(sb)
    res = cli(sb, jobs, "resume", job, "--job-dir", str(jobs))
    assert res.exit_code == 1, res.output
    assert res.output.count("\n") == 1 and "before it asked to send" in res.output, res.output
    assert spent(sb) == before
    with JobStore.open(jobs / job, lock=False) as store:
        assert store.status == "cancelled" and ledger_tokens(store) == spent_then > 0


def test_a_dedupe_job_killed_while_loading_is_refused_not_failed(tmp_path: Path) -> None:
    """A dedupe job killed while loading is refused in one line naming what to run, and
    left as it was (the next apply removes it), not marked failed."""
    from jobs.resuming import kind_of

    store = JobStore.create(tmp_path / "d", job_id="d", kind="dedupe", config={})
    store.set_status("loading")
    with pytest.raises(Exception, match="next `pdbulk dedupe apply`"):
        kind_of(store)
    assert store.status == "loading"
    store.close()


def test_a_move_stage_by_selection_keeps_what_builds_it_again(tmp_path: Path) -> None:
    """A move-stage by ``DealQuery`` keeps its selection in the job's config as JSON, and
    the resume's ``Work`` built from it is the one started (same config)."""
    import orjson

    from jobs.reload_recipe import RELOAD
    from jobs.reloading import _work
    from jobs.selection import DealQuery

    first = move_deals("Proposal", status_to="lost", lost_reason="gone",
                       select=DealQuery(stage="Qualified", owner="a@b.c"))
    stored = orjson.loads(orjson.dumps(first.config[RELOAD]))
    assert stored["select"]["owner"] == "a@b.c"
    assert _work("move-stage", stored).config == first.config
