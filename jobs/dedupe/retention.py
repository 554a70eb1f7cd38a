"""The nightly run's plan folders (``STATE/plans/TIME``): their names, and how many are kept.

A ``dedupe run`` plans into a new folder every night; without a limit the folders grow for
ever (x26r1 5: ~2.4 MB a full run, ~320 KB a quiet one, mostly the plan's copy of the
index, which ``apply.settle_index`` now removes once installed). ``prune_plans`` keeps the
newest ``PLANS_KEPT`` of them and every plan a dedupe job that has not finished still
needs (stopped, interrupted, running: its resume reads the plan). Only folders named as a
run names them are touched: a plan written with ``--output`` or ``dedupe plan`` elsewhere
is never removed, nor is a folder whose groups.csv holds a reviewer's decision no apply or
run has taken yet (``earlier_decisions.pending``; x42r2 F1: ten nights later the folder went,
a keep-separate and a merge decision with it, without a word): it is kept and named. No API
call; a folder that cannot be removed is left.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from bulk.errors import StoreError
from bulk.store import JobStore, list_jobs
from bulk.wording import counted

from .apply import KIND
from .earlier_decisions import Earlier
from .planfiles import run_plans

PLANS_KEPT = 10  # the newest run plans kept in STATE/plans (README: "Plan folders")
_TRIES = 1000  # milliseconds tried past a taken name before giving up


def new_run_plan(plans: Path, wall: float) -> Path:
    """A new, empty folder in ``plans`` for a run's plan, made now: named by ``wall`` (Unix
    epoch seconds) in UTC to the millisecond, ``YYYYMMDDTHHMMSS.mmmZ``, so that names sort
    as the runs started; a name already taken (two runs in one millisecond, or a clock set
    back) moves on by a millisecond. Raises ``StoreError`` when none of the next
    ``_TRIES`` names can be made (an ``OSError`` other than the name being taken, too)."""
    plans.mkdir(parents=True, exist_ok=True)
    ms = int(wall * 1000)
    for n in range(_TRIES):
        at = ms + n
        folder = plans / (time.strftime("%Y%m%dT%H%M%S", time.gmtime(at // 1000))
                          + f".{at % 1000:03d}Z")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise StoreError(f"cannot make the plan folder {folder}: {exc}") from exc
        return folder
    raise StoreError(f"cannot make a plan folder in {plans}: the next {_TRIES} names are "
                     "taken")


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


def prune_plans(plans: Path, job_root: Path, keep: int | None = None,
                spare: Path | None = None, say: Callable[[str], None] | None = None,
                night: Earlier | None = None) -> list[Path]:
    """Remove the run plans in ``plans`` but the newest ``keep`` (default ``PLANS_KEPT``),
    those unfinished jobs need, ``spare`` (this run's) and those holding decisions not taken
    (each named to ``say``, with what takes them: ``night``, the run's earlier decisions as
    its plan judged them, says which its own folder's apply would refuse); the folders
    removed."""
    from .earlier_decisions import pending

    keep = PLANS_KEPT if keep is None else keep
    runs = run_plans(plans)
    needed = needed_plans(job_root)
    if spare is not None:
        needed.add(spare.resolve())
    gone = []
    everywhere: Earlier | None = None  # every folder's, read once: conflicts span folders
    for old in runs[keep:]:
        if old.resolve() in needed:
            continue
        held = pending([old])
        if held.decided or held.unreadable:
            if say is not None:
                if everywhere is None:
                    everywhere = pending(runs)
                say(f"plan folder {old} kept past the newest {keep}: "
                    + _kept_why(old, held, everywhere, job_root, plans.parent, night))
            continue
        shutil.rmtree(old, ignore_errors=True)
        if not old.exists():
            gone.append(old)
    return gone


def _kept_why(old: Path, held: Earlier, everywhere: Earlier, job_root: Path, state: Path,
              night: Earlier | None = None) -> str:
    """Why ``old`` is kept and what settles it: a command only where it takes the
    decisions (x43r2 F2: the line recommended the apply of a folder whose merge another
    folder's keep-separate contradicts; L1: with the night's --job-dir / --state-dir; x51r6
    F4: and of a folder whose merge its own apply refuses, a deal changed since its plan:
    decided again in the newest plan, as the night's own line for it says)."""
    from .earlier_decisions import apply_command

    if held.unreadable:
        return (f"its groups.csv cannot be read ({held.unreadable[0][1]}) and may hold "
                "decisions: correct it (saved as UTF-8, CSV); the next night takes them")
    here = old.resolve()
    for c in everywhere.conflicts:
        ends = {c.newer.plan.resolve(), c.older.plan.resolve()}
        if here in ends:
            other = next((d for d in (c.newer, c.older) if d.plan.resolve() != here), c.older)
            return (f"its decision on deals {', '.join(map(str, sorted(c.members)))} "
                    f"disagrees with {other.named()} and neither is taken: decide once in "
                    "the newest plan's groups.csv (that decision replaces both), or clear "
                    "the decision you no longer want")
    stale = [x for x in (night.left if night is not None else ())
             if x.stale and x.decided.plan.resolve() == here]
    if stale:
        where = [f"{x.decided.group.id}: {night.plan / 'groups.csv'}, group {x.tonight}"
                 if x.tonight and night is not None and night.plan is not None
                 else f"{x.decided.group.id}: the newest plan that proposes its deals"
                 for x in stale]
        rest = len(held.decided) - len(stale)
        more = (f"; `{apply_command(old, job_root, state)}` takes the other {rest:,}"
                if rest > 0 else "")
        return (f"it holds {counted(len(stale), 'decision')} = merge its own apply refuses "
                "(a deal changed since that plan, named above): decide it again in the "
                f"newest plan ({'; '.join(where)}), or clear the decision{more}")
    return (f"it holds {len(held.decided):,} decision(s) in its groups.csv that no apply or "
            f"run has taken; `{apply_command(old, job_root, state)}` takes them (or clear "
            "the decision column)")


__all__ = ["PLANS_KEPT", "needed_plans", "new_run_plan", "prune_plans", "run_plans"]
