"""The folder of a job the library is given by id or folder (``undo_job``'s source):
``bulk.store.job_folder``, with a name that is no job said as the caller's mistake
(``InputError``, as the CLI's usage error "no job 'x' in DIR"), not a store's failure
(x48r9 F4: ``StoreError: no job store at …``). Never opens the job."""

from __future__ import annotations

import os
from pathlib import Path

from bulk.errors import InputError
from bulk.store import job_folder
from bulk.store.listing import DEFAULT_ROOT


def named_job(job: Path | str, job_root: Path | str | None = None) -> Path:
    """The folder of job ``job`` (a job's folder, or its id under ``job_root``, default
    ``pdbulk-jobs``). Raises InputError when no folder of that name is there (a mistyped
    id or path), StoreError when one is but holds no usable store (a dedupe plan's
    folder, a store deleted: ``job_folder``'s advice)."""
    path, root = Path(job), Path(job_root) if job_root is not None else DEFAULT_ROOT
    bare = path.name == str(job)
    if not path.is_dir() and not (bare and (root / path).is_dir()):
        if bare and os.sep not in str(job):
            raise InputError(f"no job {str(job)!r} in {root} (a job's id under job_root, "
                             "or its folder)")
        raise InputError(f"no job at {job} (no such folder)")
    return job_folder(job, job_root)


__all__ = ["named_job"]
