"""Every job under a folder, for ``pdbulk jobs``."""

from __future__ import annotations

from pathlib import Path

from ..errors import StoreError, StoreUnfinished
from .files import FILENAME
from .model import JobSummary
from .sqlite import JobStore, lost_store_advice, not_a_job_advice, unfinished_kind

UNFINISHED = "unfinished"  # the status listed for a job folder whose creation was cut short
LOST = "store lost"  # a job folder whose job.sqlite is gone (deleted) though the job ran


def list_jobs(root: Path) -> list[JobSummary]:
    """Every job under ``root`` (one directory each), oldest first; unreadable ones say why."""
    out: list[JobSummary] = []
    if not Path(root).is_dir():
        return out
    for d in sorted(Path(root).iterdir()):
        if not (d / FILENAME).is_file():
            if (lost := lost_store_advice(d)) is not None:
                status = UNFINISHED if "never started" in lost else LOST
                out.append(JobSummary(d.name, unfinished_kind(d) or "", status, None, {},
                                      None, d, error=lost))
            continue
        try:
            with JobStore.open(d, lock=False) as s:  # a running job may be listed too
                out.append(JobSummary(s.job_id, s.kind, s.status, s.status_message, s.counts(),
                                      s.created_at, d))
        except StoreUnfinished as exc:  # never started, sent nothing: delete it
            out.append(JobSummary(d.name, unfinished_kind(d) or "", UNFINISHED, None, {},
                                  None, d, error=str(exc)))
        except StoreError as exc:
            out.append(JobSummary(d.name, "", "unreadable", None, {}, None, d, error=str(exc)))
    out.sort(key=lambda j: (j.created_at is None, j.created_at or 0.0, j.job_id))
    return out


DEFAULT_ROOT = Path("pdbulk-jobs")  # EngineConfig's job_root when none is given


def job_folder(job: Path | str, job_root: Path | str | None = None) -> Path:
    """The folder of the job named by ``job``: a job's folder (a path holding a job
    store), or a job id under ``job_root`` (default ``pdbulk-jobs``, as
    ``EngineConfig.job_root``). The library's functions that take a job
    (``jobs.resume_job``, ``jobs.undo_job``) take it in these forms alike (x23r4 F4).
    Raises StoreError naming both places when neither holds a job."""
    path = Path(job)
    if (path / FILENAME).is_file():
        return path
    root = Path(job_root) if job_root is not None else DEFAULT_ROOT
    if path.name == str(job) and (root / path / FILENAME).is_file():
        return root / path
    for folder in (path, root / path) if path.name == str(job) else (path,):
        if (lost := not_a_job_advice(folder) or lost_store_advice(folder)) is not None:
            raise StoreError(lost)
    raise StoreError(f"no job store at {path / FILENAME}" + (
        f" nor at {root / path / FILENAME}" if path.name == str(job) else ""))
