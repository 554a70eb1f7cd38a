"""x34r4 F2: `pdbulk undo --contacts` deleted a person a colleague renamed after the undo's
plan (3 of 3): the re-check before each batch of contact deletes read only the deals the
contacts gained, never the contacts. Each batch now reads its persons / organizations by
id and leaves one edited since the plan's read (its update_time, or its digest, no longer
what the plan saw) as a conflict, and the plan prices that read."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bulk.engine import EngineConfig
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from jobs.api import recheck_calls
from jobs.undo import UndoJob
from tests.import_support import import_once, read_csv
from tests.test_undo import CONTACTS_MAPPING, undoer
from tests.update_support import delta, load_job, requests, run_job


@pytest.mark.anyio
async def test_undo_contacts_leaves_a_contact_edited_after_its_plan(tmp_path: Path) -> None:
    """A colleague renames one imported person (same update_time: the digest tells) and
    touches one imported organization (a later update_time) after the undo's plan: both
    are left as conflicts, with their names; everything else goes, and the plan priced
    every call of the run (before: both deleted)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=61)) as sb:
        manifest = tmp_path / "in.csv"
        manifest.write_text("id,title,person,email,org\n" + "".join(
            f"K-{i},Deal {i},Person {i},p{i}@x.example,Org {i}\n" for i in range(6)))
        mapping = tmp_path / "map.toml"
        mapping.write_text(CONTACTS_MAPPING)
        source, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        rows = {r["key"]: r for r in read_csv(source.directory / "succeeded.csv")}
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        assert plan.actions["delete-person"] == 6 and plan.actions["delete-org"] == 6
        config = EngineConfig.from_json(undo.config["engine"])
        priced = Counter(plan.calls) + Counter(recheck_calls(
            undo, UndoJob(), config.max_workers, burst=config.limits().burst))
        person, org = int(rows["K-1"]["person_id"]), int(rows["K-4"]["org_id"])
        sb.state.save("person", {**sb.state.persons.rows[person], "name": "Pat Renamed"})
        sb.state.save("organization", {**sb.state.orgs.rows[org],
                              "update_time": "2031-01-01T00:00:00Z"})
        before = requests(sb)
        await run_job(sb, undo)
        spent = delta(before, requests(sb))
        assert not sb.state.persons.rows[person]["is_deleted"]
        assert not sb.state.orgs.rows[org]["is_deleted"]
        # the renamed person's organization holds a person this undo keeps: kept with it
        assert not sb.state.orgs.rows[int(rows["K-1"]["org_id"])]["is_deleted"]
        for key in ("K-0", "K-2", "K-3", "K-5"):
            assert sb.state.persons.rows[int(rows[key]["person_id"])]["is_deleted"], key
            assert sb.state.orgs.rows[int(rows[key]["org_id"])]["is_deleted"], key
        failed = {i.key: str(i.error) for i in undo.items(ItemState.FAILED)}
        assert set(failed) == {f"person {person}", f"org {org}"}, failed
        assert "'Pat Renamed'" in failed[f"person {person}"], failed
        assert all("changed since this undo was planned" in e for e in failed.values()), failed
        # the run's last lines count them apart from the deals' conflicts (f38b: "failed 2"
        # with no word of which)
        lines = UndoJob().after_run(undo, None)
        assert "2 person / organization conflicts (of the failed): changed since the import " \
            "made them or since this undo's plan read them, left alone" in " ".join(lines), lines
        # the plan priced every read (each contact by id right before its delete:
        # getPerson / getOrganization), less the writes not sent (2 conflicts, 1
        # organization kept, its read too) and plus the read by id of the person left
        # (``ContactCarriers.holders``)
        expected = priced - Counter(deletePerson=1, deleteOrganization=2, getOrganization=1)
        expected["getPersons"] += 1
        assert spent == dict(expected), (spent, dict(priced))
        undo.close()
        source.close()
