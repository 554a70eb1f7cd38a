"""How many of the nightly run's plan folders are kept (``STATE/plans/TIME``).

A ``dedupe run`` plans into a new folder every night; without a limit the folders grow for
ever (x26r1 5: ~2.4 MB a full run, ~320 KB a quiet one, mostly the plan's copy of the
index, which ``apply.settle_index`` now removes once installed). ``prune_plans`` keeps the
newest ``PLANS_KEPT`` of them and every plan a dedupe job that has not finished still
needs (stopped, interrupted, running: its resume reads the plan). Only folders named as a
run names them are touched: a plan written with ``--output`` or ``dedupe plan`` elsewhere
is never removed. No API call; a folder that cannot be removed is left.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from bulk.errors import StoreError
from bulk.store import JobStore, list_jobs

from .apply import KIND

PLANS_KEPT = 10  # the newest run plans kept in STATE/plans (README: "Plan folders")
_RUN_PLAN = re.compile(r"\d{8}T\d{6}Z")  # api._load_and_send's folder name


def needed_plans(job_root: Path) -> set[Path]:
    """The plan folders of the dedupe jobs under ``job_root`` that did not finish."""
    out: set[Path] = set()
    for job in list_jobs(job_root):
        if job.kind != KIND or job.status in ("finished", "cancelled"):
            continue
        try:
            with JobStore.open(job.directory, lock=False) as store:
                plan = store.meta_get("plan_dir")
        except (StoreError, OSError):
            continue
        if isinstance(plan, str):
            out.add(Path(plan).resolve())
    return out


def prune_plans(plans: Path, job_root: Path, keep: int = PLANS_KEPT,
                spare: Path | None = None) -> list[Path]:
    """Remove the run plans in ``plans`` but the newest ``keep``, those unfinished jobs
    need and ``spare`` (this run's); the folders removed."""
    if not plans.is_dir():
        return []
    runs = sorted((p for p in plans.iterdir() if p.is_dir() and _RUN_PLAN.fullmatch(p.name)),
                  key=lambda p: p.name, reverse=True)
    needed = needed_plans(job_root)
    if spare is not None:
        needed.add(spare.resolve())
    gone = []
    for old in runs[keep:]:
        if old.resolve() in needed:
            continue
        shutil.rmtree(old, ignore_errors=True)
        if not old.exists():
            gone.append(old)
    return gone


__all__ = ["PLANS_KEPT", "needed_plans", "prune_plans"]
