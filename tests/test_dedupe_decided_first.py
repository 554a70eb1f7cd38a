"""``--max-merges`` takes a reviewer's ``decision = merge`` before the night's undecided
groups (x53r3 F2: a decided group waited in group-id order behind the backlog, through an
apply and two nights that each exited 0)."""

from __future__ import annotations

from jobs.dedupe.apply import ApplyOptions, decided_first, planned_merges
from jobs.dedupe.merge_cap import MergeCap
from jobs.dedupe.model import Group


def _group(n: int, decision: str = "", band: str = "duplicate") -> Group:
    return Group(id=f"g-{n}", survivor_id=n * 10, merged_ids=(n * 10 + 1,), band=band,
                 score=1.0 if band == "duplicate" else 0.8, reasons=(), survivor_reasons=(), differing=(),
                 decision=decision)


def test_a_decided_group_is_taken_first_under_the_cap() -> None:
    """Six undecided duplicate groups, then one a reviewer decided (in the review band):
    ``--max-merges 2`` takes the decided one and the first undecided one; the rest are
    named over the cap, the decided one never among them."""
    groups = [*(_group(n) for n in range(1, 7)), _group(200, "merge", band="review")]
    cap = MergeCap(2)
    taken = planned_merges(groups, ApplyOptions(max_merges=2), 0.7, cap)
    assert [g.id for g in taken] == ["g-200", "g-1"], taken
    assert [g.id for g in cap.over] == ["g-2", "g-3", "g-4", "g-5", "g-6"], cap.over


def test_plan_order_is_kept_within_each_kind() -> None:
    groups = [_group(3), _group(9, "merge"), _group(1), _group(4, "merge"), _group(2)]
    assert [g.id for g in decided_first(groups)] == ["g-9", "g-4", "g-3", "g-1", "g-2"]
    assert decided_first([]) == []
