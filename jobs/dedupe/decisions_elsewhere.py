"""What the other night folders' untaken decisions say of a plan's groups, for its apply.

A ``dedupe run`` holds the deals of two untaken decisions that disagree across folders
(``earlier_decisions.hold_conflicts``) and those of a folder whose groups.csv cannot be
read; a ``dedupe apply`` of one of those folders read its own groups.csv only, and merged
the pair another folder's untaken ``keep-separate`` kept apart, never naming it (x43r2 F2:
3 of 3; merges are final). ``held_elsewhere`` reads the folders of the state directory's
``plans`` as the night does (``earlier_decisions.pending``: the same reader, the same
"taken", the same newest-replaces rule) and names each group of the plan that would merge
against one of them: deals of a conflict (either side in any folder), a pair kept separate
by another folder's untaken decision, a deal of a folder whose groups.csv cannot be read.
A plan not in ``plans`` (written with ``-o``) is read as the newest folder. Blocking
(files); no API call; raises nothing (an unreadable folder is itself a reason to hold).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .earlier_decisions import Conflict, Earlier, pending
from .planfiles import GROUPS, PlannedGroup, run_plans


def _said(g: PlannedGroup) -> str:
    return f"merge into deal {g.survivor_id}" if g.decision == "merge" else g.decision


def _conflict(c: Conflict) -> str:
    n, o = c.newer, c.older
    return (f"held: {n.named()}: decision = {_said(n.group)} and {o.named()}: decision = "
            f"{_said(o.group)} disagree on deals {', '.join(map(str, sorted(c.members)))}, "
            "and neither is taken: decide once in the newest plan's groups.csv (that decision "
            "replaces both), or clear the decision you no longer want, then apply again")


def _why(g: PlannedGroup, earlier: Earlier, here: Path) -> str | None:
    ids = set(g.member_ids)
    for c in earlier.conflicts:
        if ids & c.members:
            return _conflict(c)
    for d in earlier.keep_separate:
        if d.plan.resolve() != here and len(both := ids & d.members) >= 2:
            return (f"held: {d.named()}: decision = keep-separate on deals "
                    f"{', '.join(map(str, sorted(both)))}, not taken yet (the next run "
                    "records it): clear it there to merge them, or clear this decision")
    for folder, reason in earlier.unreadable:
        if folder.resolve() != here and ids & earlier.unreadable_deals.get(folder, frozenset()):
            return (f"held: the decisions in {folder / GROUPS} cannot be read ({reason}), "
                    "and its plan holds deals of this group: correct that file (saved as "
                    "UTF-8, CSV), then apply again")
    return None


def held_elsewhere(plan: Path, groups: Iterable[PlannedGroup], plans: Path
                   ) -> dict[int, str]:
    """``{row: why}`` (groups.csv's row) for each group of ``groups`` (``plan``'s) that would
    merge (any but ``keep-separate``) against an untaken decision of the run folders in
    ``plans`` (``STATE/plans``): see the module docstring. ``why`` names the other folder,
    its row and how to settle it."""
    wanted = [g for g in groups if g.decision != "keep-separate"]
    if not wanted:
        return {}
    here = plan.resolve()
    folders = run_plans(plans)
    if not any(f.resolve() == here for f in folders):
        folders = [plan, *folders]
    earlier = pending(folders)
    if not (earlier.conflicts or earlier.keep_separate or earlier.unreadable):
        return {}
    return {g.row: why for g in wanted if (why := _why(g, earlier, here)) is not None}


__all__ = ["held_elsewhere"]
