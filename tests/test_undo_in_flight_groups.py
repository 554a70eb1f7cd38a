"""A killed undo's restore left in flight is judged group by group at its resume, as a
settled restore is (x54r1 F1: import, update U1 of the title and the amount, `undo U1`
killed -9 with a restore in flight, a re-import that changed only the amount, `pdbulk
resume` of the undo: the whole deal a conflict "changed by job … after this undo's write
to it was in flight", U1's title left in place). A change since in some of the groups the
restore puts back — by a later job of the job directory or by a colleague, the write
applied before the kill or not — keeps those groups and puts back the rest (`restored in
part`); a group a later job wrote since is still never put back over (x52r5 F1).

The undo's restores are put in flight deterministically: handed out and marked leaving
(``bulk.leaving``) with no answer, as a kill -9 leaves them, its longest answer 0.4 s; the
colleague's change is dated after the write could have landed (the landing window of
``jobs.provable_writes``), no real kill."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bulk.leaving import META_SINCE, Marks
from bulk.sandbox import Sandbox
from bulk.store import ItemState, JobStore
from bulk.token_key import bind_token
from jobs.last_written import forget
from tests.test_inflight_conflicts import by_key, cli, edit, live, load_undo, load_update, sb
from tests.test_resume_landing_window import iso
from tests.update_support import cli_args, deal

__all__ = ["sb"]

BEFORE = {"value": 100, "probability": 10}  # the deal before the update U1
U1 = {"value": 5199, "probability": 40}  # what U1 wrote: two field groups
LATER = {"value": 6199, "probability": 66}  # a later job's or a colleague's value
COLUMN = {"value": "amount", "probability": "p"}


def _killed_undo(sb: Sandbox, tmp_path: Path, jobs: Path, a: int) -> float:
    """U1 (job "upd") run, its undo ("und") loaded and killed with A's restore in flight:
    handed out and marked leaving, no answer. Returns when it was handed out."""
    edit(sb, a, when="2030-01-01T00:00:00Z", **BEFORE)
    load_update(sb, tmp_path, jobs, {a: U1["value"]}, probability=U1["probability"])
    assert cli(sb, "resume", "upd", "--job-dir", str(jobs)).exit_code == 0
    assert {f: deal(sb, a)[f] for f in U1} == U1
    load_undo(sb, jobs, "upd", restores=1)
    began = time.time()
    with JobStore.open(jobs / "und") as store:
        store.meta_put(META_SINCE, began)
        ids = [i.id for i in store.items(ItemState.PENDING)]
        store.mark_sending(ids, began + 0.5)
        store.set_status("running")
        marks = Marks(store.directory, lambda: began + 0.6)
        for item_id in ids:
            marks.mark(item_id)
        marks.answered(0.4)
        marks.close()
    return began


def _later_update(sb: Sandbox, tmp_path: Path, jobs: Path, a: int, field: str,
                  value: int) -> str:
    """A later update job of the job directory setting A's ``field`` alone; its job id."""
    mapping = tmp_path / f"later-{field}.toml"
    mapping.write_text('[update]\nid_column = "deal_id"\n[defaults]\ncurrency = "USD"\n'
                       f'[deal]\n{field} = "{COLUMN[field]}"\n')
    manifest = tmp_path / f"later-{field}.csv"
    manifest.write_text(f"deal_id,{COLUMN[field]}\n{a},{value}\n")
    ran = cli(sb, "update", str(manifest), "-m", str(mapping), "--yes", *cli_args(sb, jobs))
    assert ran.exit_code == 0, ran.output
    assert deal(sb, a)[field] == value, ran.output
    return sorted(p.name for p in jobs.iterdir() if p.name not in ("upd", "und"))[-1]


@pytest.mark.parametrize("changed", ["value", "probability"])
@pytest.mark.parametrize("applied", [False, True], ids=["not-applied", "applied"])
@pytest.mark.parametrize("who", ["later-job", "colleague"])
def test_a_restore_in_flight_keeps_the_groups_changed_since_and_puts_back_the_rest(
        sb: Sandbox, tmp_path: Path, who: str, applied: bool, changed: str) -> None:
    """U1 set A's amount and probability; its undo was killed with A's restore in flight
    (applied before the kill, or not); then a later update job — or a colleague, after
    the write could have landed — changed one of the two groups. Resume, the write not
    applied: that group kept, the other put back to its value before U1, the row
    ``restored in part`` naming what it kept, one PATCH, exit 0 (before: a conflict of
    the whole deal, exit 3, U1's other value left on it). Applied: the deal is only partly
    as the restore wants it, which proves nothing (x10r2, x22r1): a conflict as before,
    nothing sent (the deal already holds what a restore in part would leave)."""
    jobs = tmp_path / "jobs"
    (a,) = live(sb)[:1]
    began = _killed_undo(sb, tmp_path, jobs, a)
    if applied:  # the undo's PATCH landed before the kill
        edit(sb, a, when=iso(began + 0.7), **BEFORE)
    if who == "later-job":
        _later_update(sb, tmp_path, jobs, a, changed, LATER[changed])
    else:
        edit(sb, a, when=iso(began + 300), **{changed: LATER[changed]})
    before = sb.stats()["writes_applied"].get("updateDeal", 0)

    resumed = cli(sb, "resume", "und", "--job-dir", str(jobs))
    other = next(f for f in BEFORE if f != changed)
    now = deal(sb, a)
    if applied:  # only partly as the restore wants it: a conflict as before, nothing sent
        assert (now[changed], now[other]) == (LATER[changed], BEFORE[other]), resumed.output
        assert resumed.exit_code == 3, resumed.output
        assert sb.stats()["writes_applied"].get("updateDeal", 0) == before
        state, error, _ = by_key(jobs, "und")[str(a)]
        assert state is ItemState.FAILED and error.startswith("conflict: deal "), error
        return
    assert (now[changed], now[other]) == (LATER[changed], BEFORE[other]), resumed.output
    assert resumed.exit_code == 0, resumed.output
    assert sb.stats()["writes_applied"].get("updateDeal", 0) - before == 1
    state, error, result = by_key(jobs, "und")[str(a)]
    assert state is ItemState.DONE and result.get("action") == "restored in part", \
        (state, error, result)
    kept = str(result.get("note"))
    assert "kept as changed since the job" in kept and "since this undo was planned" in kept
    assert str(LATER[changed]) in kept, kept


def test_a_later_job_s_write_of_a_group_left_is_still_never_put_back_over(
        sb: Sandbox, tmp_path: Path) -> None:
    """The undo's restore of A landed before the kill (100, 10); a later update set the
    probability back to 40 (U1's value: it reads as not put back) and a colleague the
    amount. Resume: nothing left to put back that no one wrote since — a conflict naming
    the later job, nothing sent, both values kept (the guard of x52r5 F1, by group)."""
    jobs = tmp_path / "jobs"
    (a,) = live(sb)[:1]
    began = _killed_undo(sb, tmp_path, jobs, a)
    edit(sb, a, when=iso(began + 0.7), **BEFORE)
    # the record as a settled restore leaves it (its base given back): U1's own value in
    # the later file is a change again, written (as x52r5's same update file run again)
    bind_token(sb.token)
    try:
        assert forget(sb.url, [a]) > 0
    finally:
        bind_token(None)
    later = _later_update(sb, tmp_path, jobs, a, "probability", U1["probability"])
    edit(sb, a, when=iso(began + 300), value=LATER["value"])
    before = sb.stats()["writes_applied"].get("updateDeal", 0)

    resumed = cli(sb, "resume", "und", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert (deal(sb, a)["value"], deal(sb, a)["probability"]) == (LATER["value"],
                                                                   U1["probability"])
    assert sb.stats()["writes_applied"].get("updateDeal", 0) == before
    state, error, _ = by_key(jobs, "und")[str(a)]
    assert state is ItemState.FAILED and f"job {later}" in error, error
    assert "not sent again" in error, error


def test_every_group_changed_since_is_still_a_conflict(sb: Sandbox, tmp_path: Path) -> None:
    """A colleague changed both groups after the restore could have landed: nothing is
    left to put back, a conflict, nothing sent (as before)."""
    jobs = tmp_path / "jobs"
    (a,) = live(sb)[:1]
    began = _killed_undo(sb, tmp_path, jobs, a)
    edit(sb, a, when=iso(began + 300), **LATER)
    before = sb.stats()["writes_applied"].get("updateDeal", 0)

    resumed = cli(sb, "resume", "und", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert {f: deal(sb, a)[f] for f in LATER} == LATER
    assert sb.stats()["writes_applied"].get("updateDeal", 0) == before
    state, error, _ = by_key(jobs, "und")[str(a)]
    assert state is ItemState.FAILED and error.startswith("conflict: deal "), error
