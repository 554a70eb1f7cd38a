"""``--max-merges``: which groups of a plan fit under the cap, and the note naming those
left over it. One choice for ``pdbulk plan dedupe`` (``apply.planned_merges``) and for the
apply or run (``apply.prepare_apply``): whole groups in plan order, each taken while its
merges (one a deal merged away) fit; a group that would pass the cap is left for the next
run and a smaller one after it may still be taken (x48r5 F1: the plan's headline counted
every group and named none left over the cap, while the run named them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


class _Group(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def merged_ids(self) -> tuple[int, ...]: ...


@dataclass(slots=True)
class MergeCap:
    """The cap's count as groups are offered in plan order. ``limit``: deals merged away at
    most (None: no cap); ``merges`` taken so far; ``over`` the groups left over it;
    ``taken_after`` groups taken after the first one left over it."""

    limit: int | None
    merges: int = 0
    over: list[_Group] = field(default_factory=list)
    taken_after: int = 0

    def takes(self, g: _Group) -> bool:
        """Whether ``g`` fits under the cap; counted as taken if so, kept in ``over`` if not."""
        if self.limit is not None and self.merges + len(g.merged_ids) > self.limit:
            self.over.append(g)
            return False
        self.merges += len(g.merged_ids)
        self.taken_after += bool(self.over)  # a group that fit after one over the cap
        return True

    def note(self) -> str | None:
        """The groups left over the cap, named (at most 10) with their merges; None when
        none was (x18r1 5: named, not only a row of the job's succeeded.csv)."""
        if not self.over:
            return None
        return over_cap_note(self.over, self.taken_after, self.limit)


def _merges(n: int) -> str:
    return f"{n:,} merge{'' if n == 1 else 's'}"


def over_cap_note(over: Sequence[_Group], taken_after: int, limit: int | None) -> str:
    """``N group(s) (M merges) skipped over --max-merges L (taking them would pass it; …):
    g-1 (2 merges), …; the next run takes them``: merges counted, as --json's ``skipped``
    counts merges, not groups (x19r2 4c); "smaller group(s) after them were taken" only
    when true (x18r4 4)."""
    shown = ", ".join(f"{g.id} ({_merges(len(g.merged_ids))})" for g in over[:10])
    left_out = _merges(sum(len(g.merged_ids) for g in over))
    more = f" and {len(over) - 10:,} more" if len(over) > 10 else ""
    after = (f"{taken_after:,} smaller group(s) after them were taken" if taken_after
             else "no group after them fit")
    return (f"{len(over):,} group(s) ({left_out}) skipped over --max-merges {limit} "
            f"(taking them would pass it; {after}): {shown}{more}; the next run takes them")


__all__ = ["MergeCap", "over_cap_note"]
