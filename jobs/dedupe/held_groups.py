"""The groups an apply or run held because the account moved since the plan — a deal a
colleague changed, one gone, a name, keep-separate decision or config that no longer lets
the match stand ("held now") — counted and named apart on the job's end lines (x48r5 F3:
such a group was said only in succeeded.csv, its rows lumped in "61 skipped" with the
review band's 60). Read from the skipped items' reasons, as ``prepare_apply`` and the
runner's re-check (``MergeJob.recheck``) write them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# the words of a merge's reason that say a deal of it went since the plan (deleted, merged
# or archived: ``merging.MergeJob``'s re-reads, the apply's ``is gone:``), whatever else the
# reason says; ``gone_reason``
_GONE = ("is gone:", "gone since the plan", "no longer a live deal", "no longer exists",
         "merged while the job ran", "merged since the job was planned",
         "deleted or merged since the plan", "archived since the plan",
         "deleted or archived since the plan", "shows no merge")
# (words a reason holds, the cause said on the end line); the first that matches
_CAUSES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("held now",), "no longer a match now (held now: a name, a keep-separate decision or "
                    "the config changed since the plan)"),
    (_GONE, "a deal gone since the plan (deleted, merged away or archived)"),
    (("changed since the plan", "changed while the job ran"),
     "a deal changed since the plan"),
)


def gone_reason(reason: str) -> bool:
    """Whether a merge's ``reason`` says a deal of it went since the plan (deleted, merged
    away or archived), not that one changed: the cause the end line and the skipped row
    name (x51r6 F3)."""
    return any(w in reason for w in _GONE)
SHOWN = 10  # group ids named on a line, the rest counted


def held_cause(reason: str) -> str | None:
    """The cause a skipped row's ``reason`` names, as the end line says it; None for a row
    skipped for another cause (the review band, --max-merges, a guard...)."""
    for words, cause in _CAUSES:
        if any(w in reason for w in words):
            return cause
    return None


def held_lines(skipped: Iterable[Mapping[str, object]]) -> list[str]:
    """One line per cause: ``1 group held: a deal changed since the plan — plan again
    (succeeded.csv): g-5001``. ``skipped``: the skipped rows' results (``group_id``,
    ``reason``); a group counted once, under its first row's cause."""
    by_cause: dict[str, list[str]] = {}
    seen: set[str] = set()
    for r in skipped:
        gid, cause = str(r.get("group_id") or ""), held_cause(str(r.get("reason") or ""))
        if cause is None or not gid or gid in seen:
            continue
        seen.add(gid)
        by_cause.setdefault(cause, []).append(gid)
    lines = []
    for cause, ids in by_cause.items():
        more = f" and {len(ids) - SHOWN:,} more" if len(ids) > SHOWN else ""
        lines.append(f"{len(ids):,} group{'' if len(ids) == 1 else 's'} held: {cause} — plan "
                     f"again (succeeded.csv): {', '.join(ids[:SHOWN])}{more}")
    return lines


__all__ = ["gone_reason", "held_cause", "held_lines"]
