"""The merge snapshot is said to hold the deals' fields, not everything: a deal's activities,
notes, files, products and followers move to the survivor with a merge (x33r1 L7)."""

from __future__ import annotations

from jobs.dedupe.planfiles import final_note


def test_the_final_note_says_the_snapshot_holds_fields_only() -> None:
    """Neither note calls the snapshot full; both say what is not in it."""
    for policy in (False, True):
        note = final_note(policy=policy)
        assert "full" not in note
        assert "snapshot of the fields" in note and "followers" in note and "activities" in note
