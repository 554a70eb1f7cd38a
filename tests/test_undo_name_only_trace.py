"""f39m: the trace of a person with a name alone (no e-mail, no phone: nothing of its own a
survivor holds) goes by the deals a merge moved in the second it was deleted. A person with
no deals deleted in the second another merge moved deals to one person looks the same on
the lists as a merge into that person; the trace then refuses to guess: it follows only a
deal known to have been on the deleted person (the job's deal whose link moved), so a
restore never puts a stranger's person on a deal."""

from __future__ import annotations

from pathlib import Path

from bulk.sandbox import deals as sandbox_deals
from bulk.sandbox.contacts import create_person
from bulk.sandbox.merge import merge
from tests.import_support import read_csv
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import cli, engine
from tests.test_undo_dead_links import CONFIG, _deals, _nights
from tests.test_undo_merged_org import _later


def test_a_name_only_person_deleted_beside_another_merge_is_not_traced_to_its_survivor(
        tmp_path: Path) -> None:
    """K1's person before the upsert (Ann Lee, a name alone here) is deleted — no merge —
    in the very second a colleague merges Xavier (one deal) into Sam: the undo does not put
    K1's link back to Sam (before: "merged into person <Sam> since", Sam written on K1); it
    says Ann Lee was deleted since and leaves the link; the rest of K1 is put back."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night2, was, now = _nights(sb, tmp_path)
        ann = was["K1"]["person_id"]
        persons = sb.state.persons.rows
        persons[ann] = {**persons[ann], "emails": [], "phones": []}
        xavier = create_person(sb.state, {"name": "Xavier Other"})["id"]
        sam = create_person(sb.state, {"name": "Sam Survivor"})["id"]
        key = next(f["field_code"] for f in sb.state.fields.values()
                   if f.get("field_name") == "Import source key")
        theirs = sandbox_deals.create(sb.state, {"title": "Colleague deal", "person_id": xavier,
                                                 "custom_fields": {key: "X1"}})["id"]
        with _later(sb, 2.0):  # one second: Ann deleted, Xavier merged into Sam
            sb.state.save("person", {**persons[ann], "is_deleted": True,
                                     "update_time": sb.state.now_iso()})
            merge(sb.state, "person", xavier, {"merge_with_id": sam})
        assert sb.state.deals.rows[theirs]["person_id"] == sam

        undone = cli(sb, jobs, "undo", night2, "--yes", *engine(sb, jobs))
        assert undone.exit_code in (0, 3), undone.output
        after = _deals(sb)
        assert after["K1"]["person_id"] != sam, after["K1"]
        assert after["K1"]["person_id"] == now["K1"]["person_id"], after["K1"]
        assert after["K1"]["value"] == 100, after["K1"]  # the rest put back
        (undo_dir,) = (p for p in jobs.iterdir() if "undo" in p.name)
        rows = {r["key"]: r for r in read_csv(undo_dir / "succeeded.csv")}
        assert f"merged into person {sam}" not in rows["K1"]["note"], rows["K1"]
        assert f"its person {ann} before the job was deleted" in rows["K1"]["note"], rows["K1"]
