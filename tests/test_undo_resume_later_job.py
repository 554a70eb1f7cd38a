"""A killed undo's resume never puts back over a write a LATER job of the job directory
made after the kill (x52r5 F1: import A, update B, `undo` killed -9, the same update file
run again — B written again on deals the undo had put back — then `pdbulk resume` of the
undo read U's value there and sent the undo's write again: the later job's values back
to A on 1-4 deals a run, said nowhere). Such a restore is a conflict, left alone and
named, as the undo's first run treats a later job's write; a restore in doubt no later job
wrote is still sent. The undo's restores are put in flight with ``mark_sending`` (as a
kill -9 leaves them), no real kill."""

from __future__ import annotations

from pathlib import Path

from bulk.sandbox import Sandbox
from bulk.store import ItemState
from bulk.token_key import bind_token
from jobs.last_written import forget
from tests.test_inflight_conflicts import by_key, cli, edit, in_flight, live, load_undo, load_update, sb
from tests.update_support import cli_args, deal

__all__ = ["sb"]


def test_a_resumed_undo_leaves_a_later_job_s_write_alone(sb: Sandbox, tmp_path: Path) -> None:
    """Update 100 -> 5199 / 5299 on A and B; its undo dies with both restores in flight,
    A's applied (100). The same update file runs again: A back to 5199 (job 2), B found
    as the file wants it. Resume of the undo: A is a conflict naming the later job, 5199
    kept, nothing sent to it; B (never applied, no later write) restored to 100."""
    jobs = tmp_path / "jobs"
    a, b = live(sb)[:2]
    for deal_id in (a, b):
        edit(sb, deal_id, when="2030-01-01T00:00:00Z", value=100)
    load_update(sb, tmp_path, jobs, {a: 5199, b: 5299})
    assert cli(sb, "resume", "upd", "--job-dir", str(jobs)).exit_code == 0
    load_undo(sb, jobs, "upd", restores=2)
    in_flight(jobs, "und")
    edit(sb, a, when="2030-09-01T00:00:00Z", value=100)  # the undo's restore, applied
    # the record as a settled restore leaves it (its base given back): the same file is
    # a change again, written (x52r5: the later update wrote B there)
    bind_token(sb.token)
    try:
        assert forget(sb.url, [a]) > 0
    finally:
        bind_token(None)
    again = cli(sb, "update", str(tmp_path / "u.csv"), "-m", str(tmp_path / "u.toml"),
                "--yes", *cli_args(sb, jobs))
    assert again.exit_code == 0, again.output
    assert (deal(sb, a)["value"], deal(sb, b)["value"]) == (5199, 5299), again.output
    later = sorted(p.name for p in jobs.iterdir() if p.name not in ("upd", "und"))[-1]
    before = sb.stats()["writes_applied"].get("updateDeal", 0)

    resumed = cli(sb, "resume", "und", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert deal(sb, a)["value"] == 5199, resumed.output  # the later job's write kept
    assert deal(sb, b)["value"] == 100, resumed.output
    assert sb.stats()["writes_applied"].get("updateDeal", 0) - before == 1  # B only
    items = by_key(jobs, "und")
    state, error, _ = items[str(a)]
    assert state is ItemState.FAILED and f"job {later}" in error, error
    assert "not sent again" in error, error
    assert items[str(b)][2].get("action") == "restored", items[str(b)]


def test_a_later_write_of_other_field_groups_leaves_the_restore_to_send(
        sb: Sandbox, tmp_path: Path) -> None:
    """The later job set A's probability only, after the undo's restore of A's amount was
    cut off unapplied: no later write to the amount, so the resume sends the restore
    (100) and keeps the later probability — as the undo's first run judges by group."""
    jobs = tmp_path / "jobs"
    (a,) = live(sb)[:1]
    edit(sb, a, when="2030-01-01T00:00:00Z", value=100, probability=10)
    load_update(sb, tmp_path, jobs, {a: 5199})
    assert cli(sb, "resume", "upd", "--job-dir", str(jobs)).exit_code == 0
    load_undo(sb, jobs, "upd", restores=1)
    in_flight(jobs, "und")
    mapping = tmp_path / "p.toml"
    mapping.write_text('[update]\nid_column = "deal_id"\n[deal]\nprobability = "p"\n')
    manifest = tmp_path / "p.csv"
    manifest.write_text(f"deal_id,p\n{a},66\n")
    again = cli(sb, "update", str(manifest), "-m", str(mapping), "--yes", *cli_args(sb, jobs))
    assert again.exit_code == 0, again.output
    assert deal(sb, a)["probability"] == 66, again.output

    resumed = cli(sb, "resume", "und", "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    assert (deal(sb, a)["value"], deal(sb, a)["probability"]) == (100, 66)


def test_a_restore_whose_deal_changed_after_it_could_land_is_not_sent_again(
        sb: Sandbox, tmp_path: Path) -> None:
    """The undo's restores of A and B marked leaving (``bulk.leaving``) at ``began`` + 0.6,
    cut off by the kill (the longest answer 0.4 s); both deals read as not put back (as the
    update left them), A last changed 300 s after the mark — after the restore could have
    landed: someone changed it since, maybe back over the undo's write — B untouched since
    the plan. Resume: A a conflict, nothing sent, its value kept; B restored (before: both
    sent, A's change since reverted)."""
    import time

    from bulk.leaving import META_SINCE, Marks
    from bulk.store import JobStore
    from tests.test_resume_landing_window import iso

    jobs = tmp_path / "jobs"
    a, b = live(sb)[:2]
    for deal_id in (a, b):
        edit(sb, deal_id, when="2030-01-01T00:00:00Z", value=100)
    load_update(sb, tmp_path, jobs, {a: 5199, b: 5299})
    assert cli(sb, "resume", "upd", "--job-dir", str(jobs)).exit_code == 0
    load_undo(sb, jobs, "upd", restores=2)
    began = time.time()  # after the update's writes and the undo's plan, as in a run
    with JobStore.open(jobs / "und") as store:
        store.meta_put(META_SINCE, began)
        items = {int(i.payload["deal_id"]): i for i in store.items(ItemState.PENDING)}
        store.mark_sending([i.id for i in items.values()], began + 0.5)
        store.set_status("running")
        marks = Marks(store.directory, lambda: began + 0.6)
        for item in items.values():
            marks.mark(item.id)
        marks.answered(0.4)
        marks.close()
    # changed after the window (120 s allowed for the clocks: no answered row), as planned
    edit(sb, a, when=iso(began + 300), value=5199)
    before = sb.stats()["writes_applied"].get("updateDeal", 0)

    resumed = cli(sb, "resume", "und", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert (deal(sb, a)["value"], deal(sb, b)["value"]) == (5199, 100), resumed.output
    assert sb.stats()["writes_applied"].get("updateDeal", 0) - before == 1  # B only
    state, error, _ = by_key(jobs, "und")[str(a)]
    assert state is ItemState.FAILED and "after this job's write could have landed" in error
    assert "not sent again" in error, error


def test_a_restore_in_doubt_a_later_job_changed_names_that_job(
        sb: Sandbox, tmp_path: Path) -> None:
    """The undo's restore of A (5199 -> 100) is cut off unapplied; a later update sets
    6199 (neither value the restore judges by): the resume's conflict names the later job
    and says nothing was sent (x53r1 F4: "changed while this undo's write was in flight …
    once this undo is done, pdbulk undo <source> puts back …", the later job named
    nowhere, 27 of 27); a restore in doubt that a colleague changed still says so."""
    jobs = tmp_path / "jobs"
    a, b = live(sb)[:2]
    for deal_id in (a, b):
        edit(sb, deal_id, when="2030-01-01T00:00:00Z", value=100)
    load_update(sb, tmp_path, jobs, {a: 5199, b: 5299})
    assert cli(sb, "resume", "upd", "--job-dir", str(jobs)).exit_code == 0
    load_undo(sb, jobs, "upd", restores=2)
    in_flight(jobs, "und")
    manifest = tmp_path / "later.csv"
    manifest.write_text(f"deal_id,amount\n{a},6199\n")
    again = cli(sb, "update", str(manifest), "-m", str(tmp_path / "u.toml"), "--yes",
                *cli_args(sb, jobs))
    assert again.exit_code == 0, again.output
    edit(sb, b, when="2030-10-01T00:00:00Z", value=7299)  # a colleague's
    later = sorted(p.name for p in jobs.iterdir() if p.name not in ("upd", "und"))[-1]
    before = sb.stats()["writes_applied"].get("updateDeal", 0)

    resumed = cli(sb, "resume", "und", "--job-dir", str(jobs))
    assert (deal(sb, a)["value"], deal(sb, b)["value"]) == (6199, 7299), resumed.output
    assert sb.stats()["writes_applied"].get("updateDeal", 0) == before
    items = by_key(jobs, "und")
    state, error, _ = items[str(a)]
    assert state is ItemState.FAILED and f"job {later}" in error, error
    assert "not sent again" in error and "while this undo's write was in flight" not in error
    state, error, _ = items[str(b)]
    assert state is ItemState.FAILED and "while this undo's write was in flight" in error, error
    assert "job 2" not in error, error
