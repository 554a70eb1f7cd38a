"""An undo stopped part-way, a custom field it puts back deleted since: its resume and its
retry put back every field group that names nothing gone and leave the deleted field's
(each row says it cannot be put back), where they refused for good (x46r5 F2: `resume U`
and `retry U` refused naming 'Discount', `undo J` refused "already being undone by U": no
command could finish it, 125-134 deals kept the job's titles). The check reads only what
the bodies name (x46r5 F5) and the plan equals what the server counts."""

from __future__ import annotations

import csv
from pathlib import Path

from bulk.sandbox import Sandbox
from bulk.store import ItemState, JobStore
from tests.test_plan_tokens import cli, engine, resume_tokens, sb, spent  # noqa: F401
from tests.test_resume_recheck_any_stop import BIG, _counts, _delete_field, _files, _ids
from tests.update_support import delta, requests

N = 30


def _undo_stopped(sb: Sandbox, tmp_path: Path, *, kill: bool) -> tuple[Path, Path, Path,  # noqa: F811
                                                                       dict[int, str]]:
    """(job root, the update's folder, its undo's folder, deal id -> title before) of an
    update setting the title and 'Discount' of 30 deals, its undo stopped by its
    --max-tokens part-way (``kill``: then 5 of its pending restores left in flight, the
    run's process gone, as after kill -9)."""
    jobs = tmp_path / "jobs"
    titles = {i: sb.state.deals.rows[i]["title"] for i in _ids(sb, N)}
    mapping, manifest = _files(sb, tmp_path, N)
    ran = cli(sb, jobs, "update", str(manifest), "-m", str(mapping), *engine(sb, jobs), *BIG)
    assert ran.exit_code == 0, ran.output
    (update,) = jobs.iterdir()
    undo = cli(sb, jobs, "undo", update.name, "--yes", "--max-tokens", "120",
               *engine(sb, jobs))
    assert undo.exit_code == 4, undo.output
    (job,) = [p for p in jobs.iterdir() if p != update]
    with JobStore.open(job, lock=False) as store:
        pending = list(store.items(ItemState.PENDING))
        assert 10 < len(pending) < N, store.counts()
        if kill:
            store.mark_sending([i.id for i in pending[:5]], 1.0)
            store.set_status("running")
    return jobs, update, job, titles


def _check(sb: Sandbox, tmp_path: Path, *, kill: bool, command: str) -> None:  # noqa: F811
    jobs, _, job, titles = _undo_stopped(sb, tmp_path, kill=kill)
    _delete_field(sb, "Discount")
    before, calls = spent(sb), requests(sb)
    if command == "retry":  # a retry of a stopped undo with no failed rows sends its rest
        ran = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs), *BIG)
    else:
        ran = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs), *BIG)
    assert ran.exit_code == 0, ran.output + (job / "failed.csv").read_text()
    assert "cannot be put back" in ran.output and "field Discount" in ran.output, ran.output
    made = delta(calls, requests(sb))
    # the check read the deal fields alone: the bodies name no stage, pipeline or owner
    assert made.get("getDealFields") == 1 and "getStages" not in made, made
    assert "deal fields read again" in ran.output, ran.output
    assert spent(sb) - before == resume_tokens(ran.output), ran.output
    status, counts = _counts(job)
    assert status == "finished" and counts.get(ItemState.DONE) == N, counts
    assert {i: sb.state.deals.rows[i]["title"] for i in titles} == titles
    with (job / "succeeded.csv").open() as f:
        notes = [r.get("note") or "" for r in csv.DictReader(f)]
    assert sum("cannot be put back" in n and "field Discount" in n for n in notes) > 10, notes


def test_undo_resume_after_a_cap_stop_puts_back_what_is_left(sb: Sandbox,  # noqa: F811
                                                             tmp_path: Path) -> None:
    _check(sb, tmp_path, kill=False, command="resume")


def test_undo_resume_after_a_kill_reconciles_then_puts_back_what_is_left(
        sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    _check(sb, tmp_path, kill=True, command="resume")


def test_undo_retry_after_a_cap_stop_puts_back_what_is_left(sb: Sandbox,  # noqa: F811
                                                            tmp_path: Path) -> None:
    _check(sb, tmp_path, kill=False, command="retry")


def test_undo_resume_fails_a_restore_with_nothing_else_to_put_back(
        sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """An update of 'Discount' alone, its undo stopped, the field deleted: each restore left
    has nothing else to put back and fails naming the field; nothing is sent (before: the
    resume refused, and did so at every try)."""
    from tests import test_resume_recheck_any_stop as any_stop

    old = any_stop.MAPPING
    any_stop.MAPPING = old.replace('title = "title"\n', "")
    try:
        jobs, _, job, _titles = _undo_stopped(sb, tmp_path, kill=False)
    finally:
        any_stop.MAPPING = old
    left = _counts(job)[1][ItemState.PENDING]
    _delete_field(sb, "Discount")
    calls = requests(sb)
    ran = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs), *BIG)
    assert ran.exit_code == 3, ran.output
    assert "updateDeal" not in delta(calls, requests(sb)), ran.output
    assert _counts(job)[1][ItemState.FAILED] == left, ran.output
    failed = (job / "failed.csv").read_text()
    assert failed.count("cannot be put back: its field Discount was deleted") == left, failed


def test_check_reads_only_what_the_bodies_name() -> None:
    """x46r5 F5: the check read the deal fields, stages and pipelines for any body."""
    from jobs.import_account_now import Named
    from jobs.resume_account_now import account_checked, check_reads

    def reads(*bodies: dict[str, object]) -> dict[str, int]:
        named = Named()
        for body in bodies:
            named.add(body)
        return check_reads(named)

    assert reads({"title": "x"}) == {}
    assert reads({"owner_id": 7}) == {"getUsers": 1}
    assert reads({"stage_id": 3}) == {"getStages": 1}
    assert reads({"stage_id": 3, "pipeline_id": 1}) == {"getStages": 1, "getPipelines": 1}
    assert reads({"custom_fields": {"c" * 40: 2}}, {"owner_id": 7}) == {
        "getDealFields": 1, "getUsers": 1}
    assert "deal fields and users read again" in account_checked(
        {"getDealFields": 1, "getUsers": 1})
