"""The trace of a person merged away since the job reads the persons changed in the
merge's own second, not every person changed since the earliest merge (f39b: on a busy
account that is pages of them, 10 tokens each, for merges days apart); a survivor
changed again since is still found by the read since (x38r1 F6)."""

from __future__ import annotations

from pathlib import Path

from bulk.sandbox.contacts import create_person
from bulk.sandbox.merge import merge
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_undo_dead_links import CONFIG, _deals, _nights
from tests.test_undo_merged_org import _later, _undo


def test_a_merged_person_is_traced_by_its_second_on_a_busy_account(tmp_path: Path) -> None:
    """Ann Lee (K1's person before the upsert) merged into Cy Doe, then 1,200
    persons changed by others: K1's link is put back to Cy Doe with one getPersons page
    (before: 3, every person changed since the merge); plan = run = the server's count."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night2, was, _ = _nights(sb, tmp_path)
        ann, cy = was["K1"]["person_id"], was["K3"]["person_id"]
        with _later(sb, 2.0):
            merge(sb.state, "person", ann, {"merge_with_id": cy})
        with _later(sb, 4.0):
            for n in range(1200):
                create_person(sb.state, {"name": f"Other {n}"})
        plan, _, rows = _undo(sb, jobs, night2)
        assert _deals(sb)["K1"]["person_id"] == cy, _deals(sb)["K1"]
        assert f"merged into person {cy}" in rows["K1"]["note"], rows["K1"]
        assert plan["calls"]["getPersons"] == 1, plan["calls"]
