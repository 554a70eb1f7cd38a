"""A deal named to merge into two survivors is ambiguous: every row naming it fails, none
merged, each reason naming the other row and its survivor (x46r3 F2: the first row was
merged, only the second refused with "will be merged into 241 by row 2" after it was)."""

from __future__ import annotations

from pathlib import Path

from jobs.merging import PairRow, plan_merges, read_pairs


def pairs(*edges: tuple[int, int]) -> list[PairRow]:
    return [PairRow(n, a, b) for n, (a, b) in enumerate(edges, start=2)]


def test_both_rows_fail_naming_each_other() -> None:
    """``240,241`` and ``240,242``: neither merged; row 2 names 242 by row 3, row 3 names
    241 by row 2; a pair given twice beside them fails too."""
    live = {i: {"id": i} for i in range(230, 250)}
    plan = plan_merges(pairs((240, 241), (240, 242), (240, 241), (245, 246)), live)
    assert [(m.merge_id, m.survivor_id) for m in plan.merges] == [(245, 246)]
    reasons = {r.row: r.reason for r in plan.rejected}
    assert sorted(reasons) == [2, 3, 4]
    assert reasons[2].startswith("deal 240 is named to merge into two survivors: 241 here, "
                                 "242 by row 3; which survivor? fix the file"), reasons[2]
    assert "241 by row 2" in reasons[3] and "242 here" in reasons[3], reasons[3]
    assert "242 by row 3" in reasons[4], reasons[4]
    assert "will be merged" not in " ".join(reasons.values())
    assert not plan.duplicates


def test_a_merge_into_the_ambiguous_deal_is_held() -> None:
    """A chain into the ambiguous deal (``239,240``) is held as a chain into a cycle is: its
    final survivor is unknown."""
    live = {i: {"id": i} for i in range(230, 250)}
    plan = plan_merges(pairs((239, 240), (240, 241), (240, 242)), live)
    assert plan.merges == []
    reasons = {r.row: r.reason for r in plan.rejected}
    assert reasons[2].startswith("leads into deal 240, named to merge into two survivors "
                                 "(241, 242)"), reasons[2]


def test_group_rows_alike(tmp_path: Path) -> None:
    """Group rows ``220,221;222`` and ``234,221``: both rows' pairs of deal 221 fail, 222's
    merge stays."""
    path = tmp_path / "groups.csv"
    path.write_text("survivor_id,merge_ids\n220,221;222\n234,221\n")
    got = [r for r in read_pairs(path) if isinstance(r, PairRow)]
    plan = plan_merges(got, {i: {"id": i} for i in range(200, 250)})
    assert [(m.merge_id, m.survivor_id) for m in plan.merges] == [(222, 220)]
    assert [(r.row, r.merge_id) for r in plan.rejected] == [(2, 221), (3, 221)]
    assert "234 by row 3" in plan.rejected[0].reason
    assert "220 by row 2" in plan.rejected[1].reason
