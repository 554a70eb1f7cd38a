"""An undo follows a person / organization merged away since the job to its survivor even
when the survivor changed after the merge's second — another merge into it, an edit, an
automation (x38r1 F6: a survivor renamed 2 s after the merge, or five persons merged into
one a second apart, and the undo said the merged ones "deleted since", the links left)."""

from __future__ import annotations

from pathlib import Path

from bulk.sandbox.merge import merge
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_undo_dead_links import CONFIG, _deals, _nights
from tests.test_undo_merged_org import _later, _undo


def test_persons_merged_one_after_another_into_a_survivor_renamed_later_are_followed(
        tmp_path: Path) -> None:
    """Ann Lee (K1's person before the upsert) merged into Cy Doe, Ed Kim (K5's) a second
    later, then Cy Doe renamed two seconds after: both restores link their deal back to Cy
    Doe, who holds their e-mails, not "deleted since"; the plan's reads are the run's."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night2, was, _ = _nights(sb, tmp_path)
        ann, ed, survivor = (was[k]["person_id"] for k in ("K1", "K5", "K3"))
        with _later(sb, 2.0):
            merge(sb.state, "person", ann, {"merge_with_id": survivor})
        with _later(sb, 3.0):
            merge(sb.state, "person", ed, {"merge_with_id": survivor})
        with _later(sb, 5.0):
            rows = sb.state.persons.rows
            rows[survivor] = {**rows[survivor], "name": "Cy Doe-Smith",
                              "update_time": sb.state.now_iso()}

        plan, _, undone = _undo(sb, jobs, night2)
        after = _deals(sb)
        for key, away in (("K1", ann), ("K5", ed)):
            assert after[key]["person_id"] == survivor, after[key]
            note = undone[key]["note"]
            assert f"its person {away} before the job was merged into person {survivor} " \
                "since" in note, note
            assert "deleted since" not in note, note
        assert "2 deal(s) would get back a person or organization merged into another " \
            "since the job" in " ".join(plan["notes"]), plan["notes"]


def test_an_organization_merged_into_one_renamed_later_is_followed(tmp_path: Path) -> None:
    """Org2 Ltd (K2's organization before the upsert) merged into Org3 Ltd, which a
    colleague renames two seconds later: the persons Pipedrive moved in the merge's second
    still name Org3 Ltd, so K2's link goes back to it, not "deleted since"."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night2, was, _ = _nights(sb, tmp_path)
        away, survivor = was["K2"]["org_id"], was["K3"]["org_id"]
        with _later(sb, 2.0):
            merge(sb.state, "organization", away, {"merge_with_id": survivor})
        with _later(sb, 4.0):
            orgs = sb.state.orgs.rows
            orgs[survivor] = {**orgs[survivor], "name": "Org3 Holding",
                              "update_time": sb.state.now_iso()}

        _, _, undone = _undo(sb, jobs, night2)
        after = _deals(sb)
        assert after["K2"]["org_id"] == survivor, after["K2"]
        assert after["K2"]["value"] == 200, after["K2"]
        assert f"its organization {away} before the job was merged into organization " \
            f"{survivor} since" in undone["K2"]["note"], undone["K2"]
