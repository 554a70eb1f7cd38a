"""The dedupe jobs under a job root that did not end (split out of ``jobs.dedupe.apply``):
an earlier apply of the same plan, which a second apply must not run over
(``unfinished_apply``), and every dedupe job left stopped or interrupted, which the next
run names (``unfinished_jobs``), or removes when it was killed before any merge was sent
(``abandoned_jobs``)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulk.errors import JobBusy, StoreError
from bulk.store import ItemState, JobStore, held_by_live_process, list_jobs
from bulk.store.sqlite import unfinished_kind

from ..merging import MERGE_RECORD
from .apply import KIND
from .put_back import POLICY_RECORD

# a dedupe job's statuses before its first merge: planning, loading, the prompt (the
# runner sets "running" before anything is sent)
_BEFORE_SENDING = frozenset({"planned", "loading", "loaded"})


def unfinished_apply(job_root: Path, plan_dir: Path) -> tuple[str, str] | None:
    """An earlier apply (or run) of plan ``plan_dir`` under ``job_root`` that did not end:
    ``(job id, "stopped" | "interrupted" | "running")`` — stopped, its process gone mid-run
    (``kill -9``) or running now; None when there is none. Applying the plan again would
    take that job's own merges for changes since the plan and leave its groups half-merged
    (x18r4 2): that job is resumed instead."""
    target = Path(plan_dir).resolve()
    for job in reversed(list_jobs(job_root)):
        if job.kind != KIND or job.status not in ("stopped", "running"):
            continue
        try:
            with JobStore.open(job.directory, lock=False) as s:
                planned = s.meta_get("plan_dir")
        except StoreError:  # an unreadable job is `pdbulk jobs`' to report
            continue
        if planned and Path(str(planned)).resolve() == target:
            live = held_by_live_process(job.directory)
            return job.job_id, ("stopped" if job.status == "stopped"
                                else "running" if live else "interrupted")
    return None


@dataclass(frozen=True, slots=True)
class Unfinished:
    """A dedupe job under the job root that did not end: ``state`` "interrupted" (its
    process gone mid-run: ``kill -9``, a power cut) or "stopped"; ``done`` its merges
    made, ``unsettled`` those pending or in flight, ``in_doubt`` those of them that were
    sent (a kill leaves them SENDING: applied or not, the resume reconciles them before
    anything is sent again); "unconfirmed" (it ended at its prompt, never confirmed:
    nothing sent) or "unfinished" (it ended before its run); or "unreadable", a dedupe
    job folder whose job store cannot be read (``error`` says why: x19r4 F6, named by
    `pdbulk jobs` but not by the next run)."""

    job_id: str
    state: str
    done: int
    unsettled: int
    error: str | None = None
    in_doubt: int = 0  # of the unsettled, those sent (SENDING): they may have been applied

    def line(self, resume: str) -> str:
        if self.state == "unconfirmed":
            return (f"job {self.job_id} ended at its confirmation prompt, never confirmed: "
                    "nothing of it was merged and it will not be; `"
                    f"{resume}` marks it cancelled")
        if self.state == "unfinished":
            return (f"job {self.job_id} was interrupted before it sent anything (its process "
                    f"ended before its run): `{resume}` runs it, or says why it cannot")
        if self.state == "unreadable":
            return (f"job {self.job_id}'s job store cannot be read ({self.error}): whatever it "
                    "merged is in no report; see `pdbulk jobs` and `pdbulk status "
                    f"{self.job_id}`")
        merges = "merge" if self.done == 1 else "merges"
        # x23r2 5: "0 merges done, 20 unsettled" after a kill that had applied 8 read as
        # nothing merged; the sent ones are in doubt, and the line says so
        sent = (f" ({self.in_doubt:,} {'was' if self.in_doubt == 1 else 'were'} sent and "
                "may have been applied; resume settles them)") if self.in_doubt else ""
        return (f"job {self.job_id} was {self.state} ({self.done:,} {merges} done, "
                f"{self.unsettled:,} unsettled{sent}): its merges are not in this report; "
                f"run `{resume}` to finish and report it")

    def to_json(self) -> dict[str, Any]:
        return {"job": self.job_id, "state": self.state, "merged": self.done,
                "unsettled": self.unsettled, "in_doubt": self.in_doubt,
                **({"error": self.error} if self.error else {})}


BEFORE_RUN = _BEFORE_SENDING  # statuses of a job that has sent nothing yet
# what the next run removes when nothing was sent: a job killed before its run, or one whose
# load failed (a resume marks a job killed while loading failed; a load failing in-process
# removes its own folder)
_REMOVABLE = _BEFORE_SENDING | {"failed"}


def _before_run(directory: Path) -> str:
    """"unconfirmed" for a job that ended at its prompt (``jobs.confirming``), else
    "unfinished"."""
    from jobs.confirming import never_confirmed

    try:
        with JobStore.open(directory, lock=False) as s:
            return "unconfirmed" if never_confirmed(s) else "unfinished"
    except StoreError:
        return "unfinished"


def unfinished_jobs(job_root: Path) -> list[Unfinished]:
    """The dedupe jobs under ``job_root`` that did not end and that no live process runs
    (x19r2 F3: after a ``kill -9`` the next cron run said nothing of the killed job,
    whose merges were then in no report until someone resumed it by hand)."""
    out = []
    for job in list_jobs(job_root):
        if job.error is not None and unfinished_kind(job.directory) == KIND:
            out.append(Unfinished(job.job_id, "unreadable", 0, 0, job.error))
            continue
        if job.kind != KIND or job.status not in ("stopped", "running", *BEFORE_RUN):
            continue
        if job.status != "stopped" and held_by_live_process(job.directory):
            continue
        if job.status in BEFORE_RUN:  # ended before its run (x23r4 F2: at its prompt)
            out.append(Unfinished(job.job_id, _before_run(job.directory), 0, 0))
            continue
        out.append(Unfinished(
            job.job_id, "stopped" if job.status == "stopped" else "interrupted",
            job.counts.get(ItemState.DONE, 0),
            job.counts.get(ItemState.PENDING, 0) + job.counts.get(ItemState.SENDING, 0),
            in_doubt=job.counts.get(ItemState.SENDING, 0)))
    return out


def makers_in_jobs(job_root: Path, own: str | None) -> dict[int, str]:
    """Merged-away deal id -> the other dedupe job under ``job_root`` whose store has that
    merge done (answered, or settled by a reconcile), read from the job stores themselves:
    a job killed before its end never wrote merged-by.json (``apply.record_confirmed``
    runs when a run ends), and a resume then said its merges' deals "no longer exist"
    (x26r1 6). A store that cannot be read is passed over (this only names a job)."""
    out: dict[int, str] = {}
    for job in list_jobs(job_root):
        if job.kind != KIND or job.job_id == own or job.error is not None:
            continue
        try:
            with JobStore.open(job.directory, lock=False) as store:
                for item in store.items(ItemState.DONE):
                    if item.op == "merge" and not item.payload.get("already"):
                        out.setdefault(int(item.payload["merge_id"]), job.job_id)
        except (StoreError, OSError, KeyError, TypeError, ValueError):
            continue
    return out


def abandoned_jobs(job_root: Path) -> list[str]:
    """Remove the dedupe jobs under ``job_root`` killed before any merge was sent (``kill
    -9`` while planning, loading or at the prompt: status planned / loading / loaded, no
    live process) and return their ids. They hold nothing to finish — the next run plans
    those groups again — and were left "interrupted (was planned)" with no items forever,
    named by no run (x23r2 4); a Ctrl-C there removes its job the same way. So is one a
    ``pdbulk resume`` has since marked failed (``interrupted while loading``: x30r1 L6, it
    stayed `failed` in `pdbulk jobs` for good): a failed job with no merge done or sent. So
    is one killed in its run before its first write (status running, no live process):
    every merge pending, none done, in flight or failed, no field-policy PATCH or merge
    answer recorded (x35r2 3: kept as "interrupted (0 merges done, 48 unsettled)", which the
    README said is removed). A job another process holds is left alone."""
    out: list[str] = []
    for job in list_jobs(job_root):
        if job.kind != KIND or job.status not in (*_REMOVABLE, "running") \
                or job.error is not None:
            continue
        try:
            store = JobStore.open(job.directory)  # its lock: no live process may hold it
        except (JobBusy, StoreError):
            continue
        try:
            status = store.status
            counts = store.counts()  # (a merge done or in flight: named, not removed)
            sent = bool(counts[ItemState.DONE] or counts[ItemState.SENDING])
            if status == "running":  # killed in its run: removed only before any write
                sent = sent or bool(counts[ItemState.FAILED]) or bool(
                    store.meta_prefixed(POLICY_RECORD)) or bool(store.meta_prefixed(MERGE_RECORD))
        finally:
            store.close()
        if status in (*_REMOVABLE, "running") and not sent:
            shutil.rmtree(job.directory, ignore_errors=True)
            out.append(job.job_id)
    return out


__all__ = ["Unfinished", "abandoned_jobs", "unfinished_apply", "unfinished_jobs"]
