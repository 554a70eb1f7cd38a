"""`pdbulk status` and `pdbulk jobs` of an undo say its tally as the run's last line says
it: the same counts (deals, persons, organizations undone) and the same words — a person
or organization a colleague merged away is "already gone", never "already deleted"
(x41r6 F3: status said ``done 22 (deleted 22) … skipped 6 (already deleted 6)``, jobs
``(deleted 15)``, the run ``undone: 15 deals, 5 persons, 2 organizations``)."""

from __future__ import annotations

import time
from pathlib import Path

from typer.testing import CliRunner

from bulk.store import ItemState, JobStore, NewItem, Outcome
from pdbulk.cli import app

WANT = ("undone: 3 deals, 2 persons, 1 organizations; failed 1, "
        "skipped 3 (already gone 2, already deleted 1)")


def _undo_job(jobs: Path) -> str:
    job_id = time.strftime("%Y%m%d-%H%M%S-undo-abcd")
    store = JobStore.create(jobs / job_id, job_id=job_id, kind="undo", config={})
    try:
        deals = [NewItem(row=r, key=f"K{r}", op="delete", payload={"deal_id": r})
                 for r in (1, 2, 3, 4)]
        contacts = [NewItem(row=None, key=f"p{n}", op="delete-person", payload={"person_id": n})
                    for n in (11, 12)]
        contacts.append(NewItem(row=None, key="o21", op="delete-org", payload={"org_id": 21}))
        gone = [NewItem(row=None, key=f"p{n}", op="delete-person", state=ItemState.SKIPPED,
                        payload={"result": {"person_id": n, "action": "already deleted"}})
                for n in (13, 14)]
        gone.append(NewItem(row=5, key="K5", op="delete", state=ItemState.SKIPPED,
                            payload={"result": {"deal_id": 5, "action": "already deleted"}}))
        store.add_items([*deals, *contacts, *gone])
        store.mark_loaded()
        pending = list(store.items(ItemState.PENDING))
        store.mark_sending([i.id for i in pending], time.time())
        store.record([Outcome(i.id, ItemState.FAILED, error="conflict") if i.key == "K4" else
                      Outcome(i.id, ItemState.DONE, result={"action": "deleted"})
                      for i in pending])
        store.set_status("running")
        store.set_status("finished")
    finally:
        store.close()
    return job_id


def test_status_and_jobs_of_an_undo_say_the_runs_tally(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    job_id = _undo_job(jobs)
    status = CliRunner().invoke(app, ["status", job_id, "--job-dir", str(jobs)])
    assert status.exit_code == 0, status.output
    assert f"items: {WANT}; total 10" in status.output, status.output
    listed = CliRunner().invoke(app, ["jobs", "--job-dir", str(jobs)])
    assert listed.exit_code == 0, listed.output
    assert WANT in listed.output, listed.output
    assert "already deleted 2" not in status.output + listed.output


def _import_job(jobs: Path) -> JobStore:
    job_id = time.strftime("%Y%m%d-%H%M%S-import-ef01")
    store = JobStore.create(jobs / job_id, job_id=job_id, kind="import", config={})
    store.add_items([NewItem(row=r, key=f"K{r}", op="create", payload={"title": f"D{r}"})
                     for r in (1, 2, 3)])
    store.mark_loaded()
    pending = list(store.items(ItemState.PENDING))
    store.mark_sending([i.id for i in pending], time.time())
    store.record([Outcome(i.id, ItemState.DONE, result={"deal_id": i.row, "action": "created"})
                   for i in pending])
    store.set_status("running")
    store.set_status("finished")
    return store


def _status_and_jobs(jobs: Path, job_id: str) -> tuple[str, str]:
    status = CliRunner().invoke(app, ["status", job_id, "--job-dir", str(jobs)])
    assert status.exit_code == 0, status.output
    listed = CliRunner().invoke(app, ["jobs", "--job-dir", str(jobs)])
    assert listed.exit_code == 0, listed.output
    return status.output, next(line for line in listed.output.splitlines()
                               if line.startswith(job_id))


def test_status_and_jobs_of_an_undone_job_name_its_undo(tmp_path: Path) -> None:
    """x41r7 F1: an import an undo deleted every deal of was listed ``finished; done 3``
    by ``status`` and ``jobs`` with no word of the undo; both name it now, with what it
    did, and a job no undo ran on says nothing of one."""
    from jobs.undo import mark_undone

    jobs = tmp_path / "jobs"
    source = _import_job(jobs)
    source_id = source.job_id
    try:
        status, line = _status_and_jobs(jobs, source_id)
        assert "undo" not in status and "undone" not in line, (status, line)
        undo = JobStore.open(jobs / _undo_job(jobs), lock=False)
        try:
            mark_undone(source, undo)
            undo_id = undo.job_id
        finally:
            undo.close()
    finally:
        source.close()
    status, line = _status_and_jobs(jobs, source_id)
    # the undo's fixture deleted 3 deals (K1-K3; K4 a conflict: "in part", x45r8 F4)
    assert f"undo: undone in part by job {undo_id} (3 deal(s) deleted, 1 left as " \
        f"conflicts: `pdbulk undo {source_id} --force` puts back over them)" in status, status
    assert f"undone in part by job {undo_id} (3 deal(s) deleted, 1 left as conflicts" \
        in line, line
