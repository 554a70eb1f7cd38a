"""Every job under a folder, for ``pdbulk jobs``."""

from __future__ import annotations

from pathlib import Path

from ..errors import StoreError, StoreUnfinished
from .files import FILENAME
from .model import JobSummary
from .sqlite import JobStore, unfinished_kind

UNFINISHED = "unfinished"  # the status listed for a job folder whose creation was cut short


def list_jobs(root: Path) -> list[JobSummary]:
    """Every job under ``root`` (one directory each), oldest first; unreadable ones say why."""
    out: list[JobSummary] = []
    if not Path(root).is_dir():
        return out
    for d in sorted(Path(root).iterdir()):
        if not (d / FILENAME).is_file():
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
