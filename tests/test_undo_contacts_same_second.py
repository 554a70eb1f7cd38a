"""`undo --contacts` and a person / organization edited within the second the import
created it (x34r1 F4, F5).

F5 (severe, 4 of 4): a colleague's or an automation's edit in the same second as the create
left ``update_time`` equal to ``add_time``, so the undo saw no change and deleted the edited
person. The import now keeps a digest of each create's answer
(``jobs.import_resolve.made_digests``) and undo compares the record against it.

F4 (medium, 2 of 2): a person the plan left alone as changed was a failed item with no id in
its payload; the organizations' check read ``payload["person_id"]`` and stopped the undo
with ``KeyError`` (exit 4), and a resume stopped the same way: the organization deletes
never ran."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.import_resolve import made_digests
from jobs.undo.carriers import contact_id
from tests.test_undo import _imported_with_contacts, undoer
from tests.update_support import load_job, run_job


@pytest.mark.anyio
async def test_a_contact_edited_in_the_second_of_its_create_is_left_and_the_rest_deleted(
        tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=43)) as sb:
        source, ids = await _imported_with_contacts(sb, tmp_path, 3)
        pat, org_two = int(ids["A-1"]["person_id"]), int(ids["A-2"]["org_id"])
        digests = made_digests(source)
        assert {("person", pat), ("org", org_two)} <= set(digests), digests
        # edits whose update_time stays the record's add_time (the same second)
        for kind, rid, name in (("person", pat, "Pat (renamed)"), ("organization", org_two,
                                                                   "Org Two (renamed)")):
            rows = sb.state.persons.rows if kind == "person" else sb.state.orgs.rows
            record = rows[rid]
            sb.state.save(kind, {**record, "name": name, "update_time": record["add_time"]})
        # the deals go: every contact the import made is free of deals
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        conflicts = [i for i in plan.items if i.op.startswith("delete-")
                     and i.error and "changed" in i.error]
        assert sorted(i.key for i in conflicts) == sorted([f"person {pat}",
                                                           f"org {org_two}"]), conflicts
        assert all(i.payload.get(f"{i.op[7:]}_id") for i in conflicts), conflicts  # F4
        await run_job(sb, undo)  # before: KeyError 'person_id' (exit 4)
        assert not sb.state.persons.rows[pat]["is_deleted"]  # before: deleted
        assert not sb.state.orgs.rows[org_two]["is_deleted"]  # before: deleted
        assert sb.state.persons.rows[pat]["name"] == "Pat (renamed)"
        for key in ("A-2", "A-3"):
            assert sb.state.persons.rows[int(ids[key]["person_id"])]["is_deleted"], key
        assert sb.state.orgs.rows[int(ids["A-3"]["org_id"])]["is_deleted"]
        summary = orjson.loads((undo.directory / "summary.json").read_bytes())
        assert summary["contacts"]["persons"]["deleted"] == 2, summary["contacts"]
        assert summary["contacts"]["organizations"]["deleted"] >= 1, summary["contacts"]
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_an_untouched_contact_still_matches_its_create_digest(tmp_path: Path) -> None:
    """The digest is of what a person can edit, not of counters or times: a contact nobody
    touched is deleted (no false conflict), its record read back by the undo's list read."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=44)) as sb:
        source, ids = await _imported_with_contacts(sb, tmp_path, 2)
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        assert not [i for i in plan.items if i.error], [i.error for i in plan.items]
        await run_job(sb, undo)
        for key in ("A-1", "A-2"):
            assert sb.state.persons.rows[int(ids[key]["person_id"])]["is_deleted"], key
            assert sb.state.orgs.rows[int(ids[key]["org_id"])]["is_deleted"], key
        undo.close()
        source.close()


def test_a_conflict_stored_without_its_id_is_read_from_its_key() -> None:
    """An undo planned before conflicts carried their id still resumes (F4's older jobs)."""
    older = SimpleNamespace(payload={"values": {}, "column": None}, key="person 12")
    assert contact_id(older, "person") == 12  # type: ignore[arg-type]
    assert contact_id(SimpleNamespace(payload={"org_id": 7}, key="org 7"),  # type: ignore[arg-type]
                      "org") == 7
