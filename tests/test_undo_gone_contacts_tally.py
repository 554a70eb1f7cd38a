"""The plan's rows by action do not call a contact merged away "already deleted" (x40r6
F4): a person / organization the import created that is gone since the import — deleted,
or merged into another by a colleague, which Pipedrive answers alike ("Merge (v1)",
FACTS.md) — is tallied ``already gone-person`` / ``already gone-org``; its result keeps the
action ``already deleted`` (the run's, a contract) and the run's line says "already gone
(deleted or merged by someone)"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.contacts import create_org, create_person
from bulk.sandbox.merge import merge
from jobs.undo.job import contact_counts
from tests.test_undo import undoer
from tests.test_undo_merged_org import _later
from tests.test_undo_merges_one_second import _import
from tests.update_support import load_job, run_job


@pytest.mark.anyio
async def test_contacts_merged_away_are_tallied_gone_not_deleted(tmp_path: Path) -> None:
    """Person 1 merged into a colleague's Hugo, Org Three into Acme: the plan's tally has
    them under "already gone-person" / "already gone-org", no "already deleted"."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=74)) as sb:
        source, rows = await _import(sb, tmp_path)
        hugo = create_person(sb.state, {"name": "Hugo"})["id"]
        acme = create_org(sb.state, {"name": "Acme"})["id"]
        with _later(sb, 2.0):
            merge(sb.state, "person", int(rows["A-1"]["person_id"]), {"merge_with_id": hugo})
            merge(sb.state, "organization", int(rows["A-5"]["org_id"]),
                  {"merge_with_id": acme})
        with _later(sb, 3.0):
            undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        assert "already deleted" not in plan.actions, plan.actions
        assert plan.actions["already gone-person"] == 1, plan.actions
        assert plan.actions["already gone-org"] == 1, plan.actions
        with _later(sb, 4.0):
            await run_job(sb, undo)
        counts = contact_counts(undo)
        assert counts["persons"]["already gone"] == 1, counts
        assert counts["organizations"]["already gone"] == 1, counts
        results = [i.payload.get("result") for i in undo.items() if i.op == "delete-person"
                   and i.key == f"person {rows['A-1']['person_id']}"]
        assert results == [{"person_id": int(rows["A-1"]["person_id"]),
                            "action": "already deleted"}], results
        undo.close()
        source.close()
